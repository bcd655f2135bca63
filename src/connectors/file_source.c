/*-------------------------------------------------------------------------
 *
 * file_source.c
 *	  The file source: lines (or whole files) of files under
 *	  siddhi.file_directory into a stream, as siddhi-io-file's source.
 *
 * One file (file.uri) or a directory's files in name order (dir.uri).
 * mode = 'line' (default): each line is a record; 'regex': records cut by
 * begin.regex and end.regex (file_regex.c); 'text.full': each file is one
 * record.  tailing = 'true' (default for line) follows a file as it
 * grows: a partial last line (no newline yet) waits for its newline; a
 * rotation (another inode at file.uri) is followed once the old file is
 * read to its end (its partial last line, if any, is then a line too); a
 * truncation (the file shorter than what was read: copytruncate) starts
 * the file again from its beginning.  Without tailing a file is read once,
 * to its end, and then action.after.process is applied (delete, move or
 * none), after the batch that holds its last line committed.
 *
 * Positions (the framework writes them with the batch's results, source.c):
 *
 *	 part "file"	which file: its inode (file.uri), or a 64-bit hash of
 *					its name and inode (dir.uri)
 *	 part "offset"	the byte after the last line handed out
 *
 * Both are written in every batch that changes them: the first records of
 * a batch after a file was opened are a marker for "file" (no payload)
 * and, when no line follows, one for "offset".  At start the source looks
 * for the committed file (file.uri: at the path, else in its directory by
 * inode, i.e. renamed by a rotation while the engine was down; dir.uri: by
 * name and inode), resumes at the committed offset, and applies the action
 * of a file that was finished but not yet moved or deleted.
 *
 * Wake-up: an inotify watch on the directory (its descriptor joins the
 * worker's wait); without inotify the framework polls every 100 ms.
 *
 * Memory: the read buffer holds at most max.line.length bytes of a
 * partial line plus 1 MB read per poll; a longer line is skipped to its
 * newline and handed out as a record that fails (@OnError) with its first
 * kilobyte.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/hashfn.h"
#include "siddhi/source.h"
#include "utils/builtins.h"
#include "utils/memutils.h"

#include "siddhi/file_regex.h"

#include "file_source_int.h"


static void file_src_stop(void *state);
static bool file_src_settled(FileSrc *f);

static const char *
opt(const SiddhiSourcePlan *plan, const char *key, const char *def)
{
	return siddhi_conn_option(plan->options, key, def);
}

/* A path under siddhi.file_directory, or an ERROR. */
static char *
file_src_path(FileSrc *f, const char *key, const char *uri)
{
	char *why = NULL;
	char *path = siddhi_file_path(uri, &why);

	if (path == NULL)
		ereport(ERROR, (errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
						errmsg("source %s: %s: %s", f->name, key, why)));
	return path;
}

/*
 * After symbolic links are resolved, is path still under
 * siddhi.file_directory?  (siddhi_file_path checks the text only.)
 */
static void
file_src_check_real(FileSrc *f, const char *path, bool is_dir)
{
	char *real = realpath(path, NULL);
	char *rdir =
		realpath(siddhi_file_directory ? siddhi_file_directory : "", NULL);
	bool ok;

	if (real == NULL)
	{
		free(rdir);
		return; /* gone meanwhile: the open fails or finds nothing */
	}
	/* the directory itself may be watched (a file.uri right in it) */
	ok = rdir != NULL && strncmp(real, rdir, strlen(rdir)) == 0 &&
		 (real[strlen(rdir)] == '/' || (is_dir && real[strlen(rdir)] == 0));
	if (!ok)
	{
		char *r = pstrdup(real);

		free(real);
		free(rdir);
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("source %s: \"%s\" resolves to \"%s\", which is not "
						"under siddhi.file_directory",
						f->name, path, r)));
	}
	free(real);
	free(rdir);
}

static int64
dir_identity(const char *name, ino_t ino)
{
	return (int64) hash_bytes_extended((const unsigned char *) name,
									   strlen(name), (uint64) ino);
}

/* Closes the descriptors if the context goes without stop(). */
static void
file_src_reset_cb(void *arg)
{
	FileSrc *f = arg;

	if (f->fd >= 0)
		close(f->fd);
	if (f->ifd >= 0)
		close(f->ifd);
	f->fd = f->ifd = -1;
}

static void *
file_src_start(const SiddhiSourcePlan *plan, const char *app, List *positions)
{
	FileSrc *f = palloc0(sizeof(FileSrc));
	MemoryContextCallback *cb = palloc0(sizeof(MemoryContextCallback));
	const char *fu = opt(plan, "file.uri", NULL);
	const char *du = opt(plan, "dir.uri", NULL);
	const char *mode = opt(plan, "mode", "line");
	const char *action;
	ListCell *lc;

	f->cxt = CurrentMemoryContext;
	f->tmpcxt = AllocSetContextCreate(f->cxt, "siddhi file source poll",
									  ALLOCSET_SMALL_SIZES);
	f->name = pstrdup(plan->name);
	f->fd = f->ifd = -1;
	f->dir_changed = true;
	f->text_full = pg_strcasecmp(mode, "text.full") == 0;
	f->tailing =
		pg_strcasecmp(opt(plan, "tailing", f->text_full ? "false" : "true"),
					  "true") == 0;
	action = opt(plan, "action.after.process", f->tailing ? "none" : "delete");
	f->action = pg_strcasecmp(action, "delete") == 0 ? FILE_ACTION_DELETE
				: pg_strcasecmp(action, "move") == 0 ? FILE_ACTION_MOVE
													 : FILE_ACTION_NONE;
	if (f->action == FILE_ACTION_MOVE)
		f->move_to = file_src_path(f, "move.after.process",
								   opt(plan, "move.after.process", ""));
	if (pg_strcasecmp(mode, "regex") == 0 &&
		(opt(plan, "begin.regex", NULL) || opt(plan, "end.regex", NULL)))
	{
		char *why = NULL;

		f->regex =
			siddhi_file_regex_create(opt(plan, "begin.regex", NULL),
									 opt(plan, "end.regex", NULL), &why);
		if (f->regex == NULL)
			ereport(ERROR, (errcode(ERRCODE_INVALID_REGULAR_EXPRESSION),
							errmsg("source %s: %s", f->name, why)));
	}
	f->max_line = strtoll(opt(plan, "max.line.length", "0"), NULL, 10);
	if (f->max_line <= 0)
		f->max_line = FILE_DEFAULT_MAX_LINE;
	if (du)
		f->dir = file_src_path(f, "dir.uri", du);
	else
	{
		f->file = file_src_path(f, "file.uri", fu ? fu : "");
		f->dir = pstrdup(f->file);
		get_parent_directory(f->dir);
	}
	file_src_check_real(f, f->dir, true);
	f->bufcap = f->max_line + FILE_READ_CHUNK + 1;
	f->buf = palloc(f->bufcap);
	f->skip_prefix = palloc(FILE_ERROR_PREFIX);

	foreach(lc, positions)
	{
		SiddhiSourcePosition *p = lfirst(lc);

		if (strcmp(p->part, "file") == 0)
		{
			f->have_pos = true;
			f->want_identity = p->next;
		}
		else if (strcmp(p->part, "offset") == 0)
			f->want_offset = p->next;
	}

	f->ifd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (f->ifd >= 0 &&
		inotify_add_watch(f->ifd, f->dir,
						  IN_MODIFY | IN_CREATE | IN_MOVED_TO | IN_MOVED_FROM |
							  IN_DELETE | IN_CLOSE_WRITE | IN_ATTRIB) < 0)
	{
		snprintf(f->last_error, sizeof(f->last_error),
				 "no inotify watch on \"%s\" (%m): polled every 100 ms",
				 f->dir);
		close(f->ifd);
		f->ifd = -1;
	}
	cb->func = file_src_reset_cb;
	cb->arg = f;
	MemoryContextRegisterResetCallback(f->cxt, cb);
	return f;
}

/* Read what inotify has; returns whether anything happened. */
static bool
file_src_drain(FileSrc *f)
{
	char ev[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	bool any = false;

	if (f->ifd < 0)
		return true;
	while (read(f->ifd, ev, sizeof(ev)) > 0)
		any = true;
	return any;
}

static void
file_src_close(FileSrc *f)
{
	if (f->fd >= 0)
		close(f->fd);
	f->fd = -1;
	f->buflen = f->consumed = 0;
	f->skipping = false;
	f->finished = false;
	f->eof = false;
}

/* Open path as the file being read, at offset. */
static bool
file_src_open(FileSrc *f, const char *path, const char *name, int64 offset)
{
	struct stat st;
	int fd;

	file_src_check_real(f, path, false);
	/* not blocking: a FIFO's open would wait for a writer, and the engine
	 * with it (uninterruptibly); it is refused just below */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
	{
		if (errno == ENOENT)
			return false;
		ereport(ERROR, (errcode_for_file_access(),
						errmsg("source %s: could not open \"%s\": %m", f->name,
							   path)));
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
	{
		close(fd);
		ereport(ERROR, (errcode(ERRCODE_WRONG_OBJECT_TYPE),
						errmsg("source %s: \"%s\" is not a regular file",
							   f->name, path)));
	}
	(void) fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	file_src_close(f);
	f->fd = fd;
	f->dev = st.st_dev;
	f->ino = st.st_ino;
	if (f->path)
		pfree(f->path);
	f->path = MemoryContextStrdup(f->cxt, path);
	if (name)
	{
		if (f->cur_name)
			pfree(f->cur_name);
		f->cur_name = MemoryContextStrdup(f->cxt, name);
	}
	f->identity = name ? dir_identity(name, st.st_ino) : (int64) st.st_ino;
	if (name)
		f->dir_changed = true; /* tailing: is a later file there already? */
	if (offset > st.st_size)
		offset = 0; /* truncated while we were away */
	f->offset = offset;
	f->marker_due = true;
	if (f->text_full && offset > 0)
		f->finished = true; /* handed out whole before */
	return true;
}

/* Names of the regular files of the directory, sorted (not .hidden). */
static int
name_cmp(const ListCell *a, const ListCell *b)
{
	return strcmp(lfirst(a), lfirst(b));
}

static List *
file_src_list(FileSrc *f, List **inodes)
{
	DIR *d = opendir(f->dir);
	struct dirent *de;
	List *names = NIL;

	if (d == NULL)
	{
		snprintf(f->last_error, sizeof(f->last_error),
				 "could not open directory \"%s\": %m", f->dir);
		return NIL;
	}
	while ((de = readdir(d)) != NULL)
	{
		char *p;
		struct stat st;

		if (de->d_name[0] == '.')
			continue;
		p = psprintf("%s/%s", f->dir, de->d_name);
		if (stat(p, &st) == 0 && S_ISREG(st.st_mode))
			names = lappend(names, pstrdup(de->d_name));
		pfree(p);
	}
	closedir(d);
	list_sort(names, name_cmp);
	if (inodes)
	{
		ListCell *lc;

		*inodes = NIL;
		foreach(lc, names)
		{
			struct stat st;
			char *p = psprintf("%s/%s", f->dir, (char *) lfirst(lc));

			*inodes = lappend(
				*inodes,
				(void *) (uintptr_t) (stat(p, &st) == 0 ? st.st_ino : 0));
			pfree(p);
		}
	}
	return names;
}

/* The file after the current one in name order (directory mode), or NULL. */
static char *
file_src_next_name(FileSrc *f, List *names)
{
	ListCell *lc;

	foreach(lc, names)
	{
		char *n = lfirst(lc);

		/* with delete or move, what was read is gone: take the first */
		if (f->action == FILE_ACTION_NONE && f->cur_name != NULL &&
			strcmp(n, f->cur_name) <= 0)
			continue;
		return n;
	}
	return NULL;
}

/* Open the file to read next, if there is one. */
static void
file_src_open_next(FileSrc *f)
{
	struct stat st;

	if (f->file)
	{
		if (stat(f->file, &st) != 0)
			return;
		if (f->have_pos)
		{
			f->have_pos = false;
			if ((int64) st.st_ino != f->want_identity)
			{
				/* rotated while we were away: look for it by inode */
				List *inodes;
				List *names = file_src_list(f, &inodes);
				ListCell *ln, *li;

				forboth(ln, names, li, inodes)
				{
					if ((int64) (uintptr_t) lfirst(li) == f->want_identity)
					{
						char *p =
							psprintf("%s/%s", f->dir, (char *) lfirst(ln));

						if (file_src_open(f, p, NULL, f->want_offset))
							return;
					}
				}
				ereport(LOG,
						(errmsg("siddhi: source %s: the file read before the "
								"restart is gone; reading \"%s\" from its "
								"start",
								f->name, f->file)));
			}
			else
			{
				file_src_open(f, f->file, NULL, f->want_offset);
				return;
			}
		}
		if (f->done_valid && st.st_dev == f->done_dev &&
			st.st_ino == f->done_ino)
			return; /* read already; a new file at the path is read */
		file_src_open(f, f->file, NULL, 0);
		return;
	}
	else
	{
		List *inodes;
		List *names;
		char *next;

		if (!f->dir_changed && !f->have_pos)
			return; /* nothing new in the directory */
		f->dir_changed = false;
		names = file_src_list(f, &inodes);
		if (f->have_pos)
		{
			ListCell *ln, *li;

			f->have_pos = false;
			forboth(ln, names, li, inodes)
			{
				char *n = lfirst(ln);

				if (dir_identity(n, (ino_t) (uintptr_t) lfirst(li)) ==
					f->want_identity)
				{
					char *p = psprintf("%s/%s", f->dir, n);

					if (file_src_open(f, p, n, f->want_offset))
						return;
				}
			}
		}
		next = file_src_next_name(f, names);
		if (next)
		{
			char *p = psprintf("%s/%s", f->dir, next);

			file_src_open(f, p, next, 0);
		}
	}
}

/* The file is read and committed: move or delete it, close it. */
static void
file_src_finish(FileSrc *f)
{
	if (f->action == FILE_ACTION_DELETE)
	{
		if (unlink(f->path) != 0 && errno != ENOENT)
			ereport(ERROR, (errcode_for_file_access(),
							errmsg("source %s: could not delete \"%s\": %m",
								   f->name, f->path)));
	}
	else if (f->action == FILE_ACTION_MOVE)
	{
		struct stat st;
		char *target = f->move_to;
		const char *base =
			f->cur_name ? f->cur_name : last_dir_separator(f->path) + 1;

		/* a directory (always in directory mode): the file keeps its name */
		if (!f->file || (stat(target, &st) == 0 && S_ISDIR(st.st_mode)))
		{
			if (pg_mkdir_p(pstrdup(target), 0750) != 0 && errno != EEXIST)
				ereport(ERROR, (errcode_for_file_access(),
								errmsg("source %s: could not create directory "
									   "\"%s\": %m",
									   f->name, target)));
			target = psprintf("%s/%s", target, base);
		}
		if (rename(f->path, target) != 0 && errno != ENOENT)
			ereport(ERROR, (errcode_for_file_access(),
							errmsg("source %s: could not move \"%s\" to "
								   "\"%s\": %m",
								   f->name, f->path, target),
							errhint("move.after.process must be on the same "
									"file system as the file.")));
	}
	f->dir_changed = true; /* look for the next file */
	f->done_valid = true;
	f->done_dev = f->dev;
	f->done_ino = f->ino;
	file_src_close(f);
}

/* Read up to a chunk more into the buffer; sets eof when nothing came. */
static int64
file_src_read(FileSrc *f)
{
	int64 got = 0;

	f->eof = false;
	while (got < FILE_READ_CHUNK && f->buflen < f->bufcap)
	{
		ssize_t r = pread(f->fd, f->buf + f->buflen,
						  Min(f->bufcap - f->buflen, FILE_READ_CHUNK - got),
						  f->offset + f->buflen);

		if (r < 0)
		{
			if (errno == EINTR)
				continue;
			ereport(ERROR, (errcode_for_file_access(),
							errmsg("source %s: could not read \"%s\": %m",
								   f->name, f->path)));
		}
		if (r == 0)
		{
			f->eof = true;
			break;
		}
		f->buflen += r;
		got += r;
	}
	return got;
}


/* text.full: the whole file as one record, once it is read to its end. */
static int
file_src_poll_full(FileSrc *f, SiddhiSourceRecord *records, int n)
{
	if (!file_src_settled(f))
	{
		/* still written: wait (a new file's marker goes with offset 0) */
		if (n == 1)
			siddhi_file_rec(&records[n++], NULL, 0, "offset", 0);
		return n;
	}
	do
		file_src_read(f);
	while (!f->eof && f->buflen < f->bufcap);
	f->finished = true;
	if (f->buflen > f->max_line)
	{
		struct stat st;

		f->skip_len = fstat(f->fd, &st) == 0 ? st.st_size : f->buflen;
		f->skip_prefix_len = Min(FILE_ERROR_PREFIX, f->buflen);
		memcpy(f->skip_prefix, f->buf, f->skip_prefix_len);
		siddhi_file_long_line(f, records, &n, f->skip_len);
		return n;
	}
	if (f->buflen == 0)
		siddhi_file_rec(&records[n++], NULL, 0, "offset", 0);
	else
	{
		siddhi_file_rec(&records[n++], f->buf, (int) f->buflen, "offset",
						f->buflen);
		f->lines++;
	}
	f->consumed = f->buflen;
	return n;
}

/*
 * Not tailing, at the end: is the file done, i.e. unchanged for
 * FILE_SETTLE_MS?  A writer still at it (a file copied into a watched
 * directory) is waited for; the framework polls again within a second.
 */
static bool
file_src_settled(FileSrc *f)
{
	struct stat st;
	struct timespec now;
	int64 age;

	if (fstat(f->fd, &st) != 0)
		return true;
	clock_gettime(CLOCK_REALTIME, &now);
	age = (int64) (now.tv_sec - st.st_mtim.tv_sec) * 1000 +
		  (now.tv_nsec - st.st_mtim.tv_nsec) / 1000000;
	return age >= FILE_SETTLE_MS;
}

/* Tailing file.uri at its end: has another file taken the path? */
static bool
file_src_rotated(FileSrc *f)
{
	struct stat st;

	if (stat(f->file, &st) != 0)
		return false; /* renamed, the new one not there yet: keep reading */
	return st.st_ino != f->ino || st.st_dev != f->dev;
}

/* Tailing dir.uri at a file's end: is there a file after it? */
static bool
file_src_later_file(FileSrc *f)
{
	List *names;
	bool later = false;
	ListCell *lc;

	if (!f->dir_changed)
		return false;
	f->dir_changed = false;
	names = file_src_list(f, NULL);
	foreach(lc, names)
		if (strcmp(lfirst(lc), f->cur_name) > 0)
			later = true;
	return later;
}


static int file_src_poll_in(FileSrc *f, SiddhiSourceRecord *records, int max);

/* A poll's own allocations (listings, paths) go with the next poll. */
static int
file_src_poll(void *state, SiddhiSourceRecord *records, int max)
{
	FileSrc *f = state;
	MemoryContext old;
	int n;

	MemoryContextReset(f->tmpcxt);
	old = MemoryContextSwitchTo(f->tmpcxt);
	n = file_src_poll_in(f, records, max);
	MemoryContextSwitchTo(old);
	return n;
}

static int
file_src_poll_in(FileSrc *f, SiddhiSourceRecord *records, int max)
{
	int n = 0;
	int64 pos = 0;

	if (max < 2)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("a file source needs siddhi.source_batch_events of "
						"at least 2")));
	if (file_src_drain(f))
		f->dir_changed = true;

	/* what the last poll handed out is committed now */
	if (f->consumed > 0)
	{
		memmove(f->buf, f->buf + f->consumed, f->buflen - f->consumed);
		f->buflen -= f->consumed;
		f->offset += f->consumed;
		f->consumed = 0;
	}

	for (int round = 0; round < 2; round++)
	{
		if (f->fd >= 0 && f->finished)
			file_src_finish(f);
		if (f->fd < 0)
			file_src_open_next(f);
		if (f->fd < 0)
			return 0;

		/* copytruncate: the file is shorter than what was read */
		if (f->tailing)
		{
			struct stat st;

			if (fstat(f->fd, &st) == 0 && st.st_size < f->offset + f->buflen)
			{
				ereport(LOG, (errmsg("siddhi: source %s: \"%s\" was "
									 "truncated; reading it from its start",
									 f->name, f->path)));
				snprintf(f->last_error, sizeof(f->last_error),
						 "\"%s\" was truncated at %lld bytes", f->path,
						 (long long) (f->offset + f->buflen));
				f->offset = f->buflen = 0;
				f->skipping = false;
				f->marker_due = true;
			}
		}
		if (f->marker_due)
		{
			siddhi_file_rec(&records[n++], NULL, 0, "file", f->identity);
			f->marker_due = false;
		}
		if (f->finished)
		{
			/* read before the restart: only its action is due */
			if (n > 0)
			{
				siddhi_file_rec(&records[n++], NULL, 0, "offset", f->offset);
				break;
			}
			continue;
		}
		if (f->text_full)
			return file_src_poll_full(f, records, n);

		pos = 0;
		for (;;)
		{
			bool at_end;

			file_src_read(f);
			if (!(f->regex ? siddhi_file_parse_regex(f, records, &n, max, &pos,
													 false)
						   : siddhi_file_parse(f, records, &n, max, &pos)))
				break;
			if (n == max || !f->eof)
				break;
			/* everything there is was read */
			at_end = !f->tailing && file_src_settled(f);
			if (f->tailing &&
				(f->file ? file_src_rotated(f) : file_src_later_file(f)))
			{
				/* another file follows: this one ends where it is now */
				if (file_src_read(f) > 0 || !f->eof)
					continue;
				at_end = true;
			}
			if (at_end)
			{
				/* the last line without a newline is a line too */
				if (f->regex)
				{
					/* a begin.regex record runs to the end; the rest goes */
					if (!siddhi_file_parse_regex(f, records, &n, max, &pos,
												 true) ||
						n == max)
						break;
					pos = f->buflen;
				}
				else if (f->skipping)
				{
					pos = f->buflen;
					siddhi_file_long_line(f, records, &n, f->offset + pos);
				}
				else if (pos < f->buflen)
				{
					siddhi_file_line(f, records, &n, pos, f->buflen - pos,
									 f->offset + f->buflen);
					pos = f->buflen;
				}
				f->finished = true;
				if (n > 0 && records[n - 1].part[0] != 'o')
					siddhi_file_rec(&records[n++], NULL, 0, "offset",
									f->offset + pos);
			}
			break;
		}
		f->consumed = pos;
		/* a new file or a truncation, no line yet: its offset too */
		if (n == 1 && records[0].part[0] == 'f')
			siddhi_file_rec(&records[n++], NULL, 0, "offset",
							f->skipping ? f->skip_start : f->offset + pos);
		if (n > 0 || !f->finished)
			break; /* else: on to the next file in this poll */
	}
	return n;
}

static int
file_src_wait_fd(void *state)
{
	return ((FileSrc *) state)->ifd;
}

static void
file_src_status(void *state, SiddhiSourceStatus *status)
{
	FileSrc *f = state;
	const char *shown = f->path ? last_dir_separator(f->path) + 1 : "";

	status->connected = true;
	status->lag = -1;
	if (f->fd >= 0)
		snprintf(status->detail, sizeof(status->detail),
				 "%s at byte %lld, %lld lines%s", shown,
				 (long long) (f->offset + f->consumed), (long long) f->lines,
				 f->ifd >= 0 ? "" : " (polled)");
	else
		snprintf(status->detail, sizeof(status->detail),
				 "waiting for a file, %lld lines%s", (long long) f->lines,
				 f->ifd >= 0 ? "" : " (polled)");
	strlcpy(status->last_error, f->last_error, sizeof(status->last_error));
}

static void
file_src_stop(void *state)
{
	FileSrc *f = state;

	file_src_reset_cb(f);
}

const SiddhiSourceOps siddhi_file_source_ops = {
	.type = "file",
	.start = file_src_start,
	.poll = file_src_poll,
	.committed = NULL,
	.wait_fd = file_src_wait_fd,
	.status = file_src_status,
	.stop = file_src_stop,
};
