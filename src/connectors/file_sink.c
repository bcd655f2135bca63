/*-------------------------------------------------------------------------
 *
 * file_sink.c
 *	  The file sink's client: events appended as lines to a file under
 *	  siddhi.file_directory, rotated by size or time, rotated files gzipped.
 *
 * The delivery loop (sink.c) hands it outbox rows; send() appends the
 * row's payload and a newline to the file (buffered in the kernel).  poll()
 * makes them durable by the fsync policy and then acknowledges them:
 *
 *	 fsync = 'batch' (default)	fdatasync() once per poll, before the rows
 *								are acknowledged: a row leaves the outbox
 *								only once its line is on disk
 *	 fsync = 'none'				acknowledged when written: an OS crash may
 *								lose lines the outbox no longer holds
 *
 * Rotation: when the file reaches rotate.size bytes, or rotate.interval ms
 * after it was opened, it is renamed to <file>.<UTC yyyyMMddHHmmss>[.<n>]
 * and a new one opened.  With compress = 'gzip' the rotated file is then
 * compressed (zlib) a megabyte per engine turn, into <rotated>.gz.tmp,
 * renamed to <rotated>.gz once complete, and the plain file removed; a
 * crash in between leaves the plain rotated file (and a .tmp), so nothing
 * is lost.
 *
 * At least once: a worker that dies after appending and before the outbox
 * delete appends those lines again on restart.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <zlib.h>

#include "siddhi/sink.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"

#define FILE_MAX_IN_FLIGHT 10000
#define GZIP_CHUNK (1024 * 1024)

typedef struct FileSink
{
	char *path;
	int fd;
	int64 size;
	TimestampTz opened_at;
	int64 rotate_size;	   /* 0: never */
	int64 rotate_interval; /* ms, 0: never */
	bool gzip;
	bool fsync_batch;
	int64 *pending; /* written, not yet acknowledged */
	int npending;
	char last_error[256];
	bool broken;
	/* a rotated file being compressed */
	char *gz_src;
	int gz_fd;
	gzFile gz_out;
	char gz_tmp[MAXPGPATH];
	char *buf;
} FileSink;

static int64
size_option(const char *v)
{
	char *end;
	double n;

	if (v == NULL)
		return 0;
	n = strtod(v, &end);
	while (*end == ' ')
		end++;
	if (pg_strcasecmp(end, "kb") == 0)
		n *= 1024;
	else if (pg_strcasecmp(end, "mb") == 0)
		n *= 1024 * 1024;
	else if (pg_strcasecmp(end, "gb") == 0)
		n *= 1024.0 * 1024 * 1024;
	return (int64) n;
}

static bool
file_open(FileSink *fs)
{
	struct stat st;

	/* not blocking: a FIFO's open would wait for a reader, and the engine
	 * with it (uninterruptibly); only a regular file is written */
	fs->fd =
		open(fs->path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NONBLOCK,
			 0640);
	if (fs->fd < 0)
	{
		snprintf(fs->last_error, sizeof(fs->last_error),
				 "could not open \"%s\": %m", fs->path);
		return false;
	}
	if (fstat(fs->fd, &st) != 0 || !S_ISREG(st.st_mode))
	{
		close(fs->fd);
		fs->fd = -1;
		snprintf(fs->last_error, sizeof(fs->last_error),
				 "\"%s\" is not a regular file", fs->path);
		return false;
	}
	(void) fcntl(fs->fd, F_SETFL, fcntl(fs->fd, F_GETFL) & ~O_NONBLOCK);
	fs->size = st.st_size;
	fs->opened_at = GetCurrentTimestamp();
	return true;
}

static void *
file_start(const SiddhiSinkPlan *plan, const char *app, int wake_fd,
		   char **error)
{
	FileSink *fs = palloc0(sizeof(FileSink));
	char *why = NULL;

	*error = NULL;
	fs->path = siddhi_file_path(
		siddhi_conn_option(plan->options, "file.uri", ""), &why);
	if (fs->path == NULL)
	{
		*error = why;
		return NULL;
	}
	fs->rotate_size =
		size_option(siddhi_conn_option(plan->options, "rotate.size", NULL));
	fs->rotate_interval = strtoll(
		siddhi_conn_option(plan->options, "rotate.interval", "0"), NULL, 10);
	fs->gzip =
		pg_strcasecmp(siddhi_conn_option(plan->options, "compress", "none"),
					  "gzip") == 0;
	fs->fsync_batch =
		pg_strcasecmp(siddhi_conn_option(plan->options, "fsync", "batch"),
					  "none") != 0;
	fs->pending = palloc(sizeof(int64) * FILE_MAX_IN_FLIGHT);
	fs->gz_fd = -1;
	if (!file_open(fs))
	{
		*error = pstrdup(fs->last_error);
		return NULL;
	}
	return fs;
}

/* Rename the file aside and open a new one; compress it later. */
static void
file_rotate(FileSink *fs)
{
	char stamp[32];
	time_t now = time(NULL);
	struct tm tm;
	char target[MAXPGPATH];
	char gz[MAXPGPATH];

	if (fs->gz_src != NULL)
		return; /* the previous one is still being compressed */
	if (fs->fsync_batch)
		(void) fdatasync(fs->fd);
	close(fs->fd);
	fs->fd = -1;
	gmtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%d%H%M%S", &tm);
	snprintf(target, sizeof(target), "%s.%s", fs->path, stamp);
	for (int n = 1;; n++)
	{
		snprintf(gz, sizeof(gz), "%s.gz", target);
		if (access(target, F_OK) != 0 && (!fs->gzip || access(gz, F_OK) != 0))
			break;
		snprintf(target, sizeof(target), "%s.%s.%d", fs->path, stamp, n);
	}
	if (rename(fs->path, target) != 0)
		snprintf(fs->last_error, sizeof(fs->last_error),
				 "could not rotate \"%s\": %m", fs->path);
	else if (fs->gzip)
		fs->gz_src = pstrdup(target);
	if (!file_open(fs))
		fs->broken = true;
}

/* Compress a megabyte of the rotated file (once done: <file>.gz). */
static void
gzip_step(FileSink *fs)
{
	ssize_t n;

	if (fs->gz_src == NULL)
		return;
	if (fs->gz_fd < 0)
	{
		fs->gz_fd = open(fs->gz_src, O_RDONLY | O_CLOEXEC);
		snprintf(fs->gz_tmp, sizeof(fs->gz_tmp), "%s.gz.tmp", fs->gz_src);
		fs->gz_out = gzopen(fs->gz_tmp, "wb");
		if (fs->buf == NULL)
			fs->buf = palloc(GZIP_CHUNK);
		if (fs->gz_fd < 0 || fs->gz_out == NULL)
			goto fail;
	}
	n = read(fs->gz_fd, fs->buf, GZIP_CHUNK);
	if (n < 0 || (n > 0 && gzwrite(fs->gz_out, fs->buf, n) != n))
		goto fail;
	if (n > 0)
		return;
	/* done: the .gz in place, the plain file gone */
	if (gzclose(fs->gz_out) != Z_OK)
	{
		fs->gz_out = NULL;
		goto fail;
	}
	fs->gz_out = NULL;
	close(fs->gz_fd);
	fs->gz_fd = -1;
	{
		char gz[MAXPGPATH];

		snprintf(gz, sizeof(gz), "%s.gz", fs->gz_src);
		if (rename(fs->gz_tmp, gz) == 0)
			unlink(fs->gz_src);
	}
	pfree(fs->gz_src);
	fs->gz_src = NULL;
	return;
fail:
	snprintf(fs->last_error, sizeof(fs->last_error),
			 "could not compress \"%s\": %m (it is kept uncompressed)",
			 fs->gz_src);
	if (fs->gz_out)
		gzclose(fs->gz_out);
	fs->gz_out = NULL;
	if (fs->gz_fd >= 0)
		close(fs->gz_fd);
	fs->gz_fd = -1;
	unlink(fs->gz_tmp);
	pfree(fs->gz_src);
	fs->gz_src = NULL;
}

static bool
write_all(int fd, const char *p, size_t len)
{
	while (len > 0)
	{
		ssize_t n = write(fd, p, len);

		if (n < 0)
		{
			if (errno == EINTR)
				continue;
			return false;
		}
		p += n;
		len -= n;
	}
	return true;
}

static bool
file_send(void *state, const SiddhiOutboxRow *row, char **error)
{
	FileSink *fs = state;
	bool newline = row->len == 0 || row->payload[row->len - 1] != '\n';

	*error = NULL;
	if (fs->broken || fs->npending >= FILE_MAX_IN_FLIGHT)
		return false;
	if ((fs->rotate_size > 0 && fs->size >= fs->rotate_size) ||
		(fs->rotate_interval > 0 &&
		 TimestampDifferenceExceeds(
			 fs->opened_at, GetCurrentTimestamp(),
			 (int) Min(fs->rotate_interval, PG_INT32_MAX))))
	{
		/* names kept past this call live in the sink's own context */
		MemoryContext old = MemoryContextSwitchTo(GetMemoryChunkContext(fs));

		file_rotate(fs);
		MemoryContextSwitchTo(old);
	}
	if (fs->fd < 0 || !write_all(fs->fd, row->payload, row->len) ||
		(newline && !write_all(fs->fd, "\n", 1)))
	{
		snprintf(fs->last_error, sizeof(fs->last_error),
				 "could not write to \"%s\": %m", fs->path);
		fs->broken = true;
		return false;
	}
	fs->size += row->len + (newline ? 1 : 0);
	fs->pending[fs->npending++] = row->seq;
	return true;
}

static void
file_poll(void *state, int64 *acked, int *nacked, int64 *failed, int *nfailed,
		  int max)
{
	FileSink *fs = state;
	int n = Min(fs->npending, max);

	*nacked = *nfailed = 0;
	if (fs->gz_src)
	{
		MemoryContext old = MemoryContextSwitchTo(GetMemoryChunkContext(fs));

		gzip_step(fs);
		MemoryContextSwitchTo(old);
	}
	if (n == 0)
		return;
	if (fs->fsync_batch && fs->fd >= 0 && fdatasync(fs->fd) != 0)
	{
		snprintf(fs->last_error, sizeof(fs->last_error),
				 "could not fsync \"%s\": %m", fs->path);
		memcpy(failed, fs->pending, sizeof(int64) * n);
		*nfailed = n;
		fs->broken = true;
	}
	else
	{
		memcpy(acked, fs->pending, sizeof(int64) * n);
		*nacked = n;
	}
	memmove(fs->pending, fs->pending + n, sizeof(int64) * (fs->npending - n));
	fs->npending -= n;
}

static void
file_status(void *state, char *error, int errlen, bool *connected,
			bool *broken)
{
	FileSink *fs = state;

	strlcpy(error, fs->last_error, errlen);
	fs->last_error[0] = '\0';
	*connected = fs->fd >= 0;
	*broken = fs->broken && fs->npending == 0;
}

static void
file_stop(void *state)
{
	FileSink *fs = state;

	/* an unfinished .gz goes; the plain rotated file stays */
	if (fs->gz_out)
	{
		gzclose(fs->gz_out);
		unlink(fs->gz_tmp);
	}
	if (fs->gz_fd >= 0)
		close(fs->gz_fd);
	if (fs->fd >= 0)
		close(fs->fd);
	fs->fd = -1;
}

const SiddhiSinkOps siddhi_file_sink_ops = {
	.type = "file",
	.start = file_start,
	.send = file_send,
	.poll = file_poll,
	.status = file_status,
	.stop = file_stop,
};
