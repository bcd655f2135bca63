/*-------------------------------------------------------------------------
 *
 * file_source_parse.c
 *	  The file source's records out of the bytes it read (file_source.c):
 *	  lines, or begin.regex / end.regex records (file_regex.c), and the
 *	  records that fail by themselves (longer than max.line.length).
 *
 * Records point into the source's buffer (or its copy of a long line's
 * first kilobyte), valid until the next poll.  A record that fails ends
 * the poll: the copy is its payload.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <ctype.h>

#include "utils/memutils.h"

#include "file_source_int.h"

void
siddhi_file_rec(SiddhiSourceRecord *r, const char *data, int len,
				const char *part, int64 next)
{
	memset(r, 0, sizeof(*r));
	r->data = data;
	r->len = len;
	r->timestamp = -1;
	r->part = part;
	r->next = next;
}

/* A line of len bytes at buf + pos ends at file position next. */
void
siddhi_file_line(FileSrc *f, SiddhiSourceRecord *records, int *n, int64 pos,
				 int64 len, int64 next)
{
	if (len > 0 && f->buf[pos + len - 1] == '\r')
		len--;
	if (len == 0)
		return; /* an empty line: no record (as Siddhi) */
	siddhi_file_rec(&records[(*n)++], f->buf + pos, (int) len, "offset", next);
	f->lines++;
}

/* The error record of a line longer than max.line.length. */
void
siddhi_file_long_line(FileSrc *f, SiddhiSourceRecord *records, int *n,
					  int64 next)
{
	if (f->error)
		pfree(f->error);
	f->error = MemoryContextStrdup(
		f->cxt, psprintf("a %s of %lld bytes is longer than "
						 "max.line.length (%lld)",
						 f->regex ? "record" : "line", (long long) f->skip_len,
						 (long long) f->max_line));
	siddhi_file_rec(&records[*n], f->skip_prefix, f->skip_prefix_len, "offset",
					next);
	records[*n].fail = f->error;
	(*n)++;
	f->skipping = false;
}

/*
 * Lines of the buffer from *pos on into records; returns false when a
 * record that must end the poll (a long line's error) was handed out.
 */
bool
siddhi_file_parse(FileSrc *f, SiddhiSourceRecord *records, int *n, int max,
				  int64 *pos)
{
	while (*n < max)
	{
		char *nl = memchr(f->buf + *pos, '\n', f->buflen - *pos);

		if (nl == NULL)
			break;
		if (f->skipping)
		{
			f->skip_len += nl - (f->buf + *pos);
			*pos = nl - f->buf + 1;
			siddhi_file_long_line(f, records, n, f->offset + *pos);
			return false; /* skip_prefix is this record's payload */
		}
		if (nl - (f->buf + *pos) > f->max_line)
		{
			/* a whole line, but too long */
			f->skip_len = nl - (f->buf + *pos);
			f->skip_prefix_len = Min(FILE_ERROR_PREFIX, f->skip_len);
			memcpy(f->skip_prefix, f->buf + *pos, f->skip_prefix_len);
			*pos = nl - f->buf + 1;
			siddhi_file_long_line(f, records, n, f->offset + *pos);
			return false;
		}
		siddhi_file_line(f, records, n, *pos, nl - (f->buf + *pos),
						 f->offset + (nl - f->buf) + 1);
		*pos = nl - f->buf + 1;
	}
	if (*n < max && f->buflen - *pos > f->max_line)
	{
		/* no newline within max.line.length: skip to the next one */
		if (!f->skipping)
		{
			f->skipping = true;
			f->skip_start = f->offset + *pos;
			f->skip_len = 0;
			f->skip_prefix_len = Min(FILE_ERROR_PREFIX, f->buflen - *pos);
			memcpy(f->skip_prefix, f->buf + *pos, f->skip_prefix_len);
		}
		f->skip_len += f->buflen - *pos;
		*pos = f->buflen; /* dropped; the position moves with the error */
	}
	return true;
}

/*
 * mode = 'regex': the records of the buffer from *pos on (file_regex.c),
 * blanks around each trimmed, as siddhi-io-file does.  Returns false
 * when a record that ends the poll (an error) was handed out.
 */
bool
siddhi_file_parse_regex(FileSrc *f, SiddhiSourceRecord *records, int *n,
						int max, int64 *pos, bool at_end)
{
	int64 so, eo, next;
	int64 base = *pos;

	siddhi_file_regex_load(f->regex, f->buf + base, f->buflen - base);
	while (*n < max &&
		   siddhi_file_regex_next(f->regex, at_end, &so, &eo, &next))
	{
		const char *d = f->buf + base + so;
		int64 len = eo - so;

		while (len > 0 && isspace((unsigned char) *d))
			d++, len--;
		while (len > 0 && isspace((unsigned char) d[len - 1]))
			len--;
		*pos = base + next;
		if (len > f->max_line)
		{
			f->skip_len = len;
			f->skip_prefix_len = Min(FILE_ERROR_PREFIX, len);
			memcpy(f->skip_prefix, d, f->skip_prefix_len);
			siddhi_file_long_line(f, records, n, f->offset + *pos);
			return false;
		}
		if (len > 0)
		{
			siddhi_file_rec(&records[(*n)++], d, (int) len, "offset",
							f->offset + *pos);
			f->lines++;
		}
	}
	*pos = base + siddhi_file_regex_pos(f->regex);
	if (*n < max && f->buflen - *pos > f->max_line)
	{
		/* no record within max.line.length: skip what is there */
		f->skip_len = f->buflen - *pos;
		f->skip_prefix_len = Min(FILE_ERROR_PREFIX, f->skip_len);
		memcpy(f->skip_prefix, f->buf + *pos, f->skip_prefix_len);
		*pos = f->buflen;
		siddhi_file_long_line(f, records, n, f->offset + *pos);
		return false;
	}
	return true;
}
