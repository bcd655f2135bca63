/*-------------------------------------------------------------------------
 *
 * file_source_int.h
 *	  Inside the file source: its state (file_source.c, which opens,
 *	  follows and finishes files) and the cutting of records out of the
 *	  bytes read (file_source_parse.c).
 *
 *-------------------------------------------------------------------------
 */
#ifndef SIDDHI_FILE_SOURCE_INT_H
#define SIDDHI_FILE_SOURCE_INT_H

#include <sys/types.h>

#include "siddhi/file_regex.h"
#include "siddhi/source.h"

#define FILE_READ_CHUNK (1024 * 1024)
#define FILE_ERROR_PREFIX 1024
#define FILE_DEFAULT_MAX_LINE (1024 * 1024)
#define FILE_SETTLE_MS 500

typedef enum FileAction
{
	FILE_ACTION_NONE,
	FILE_ACTION_DELETE,
	FILE_ACTION_MOVE
} FileAction;

typedef struct FileSrc
{
	MemoryContext cxt;
	MemoryContext tmpcxt; /* per poll: directory listings, paths */
	char *name;			  /* the plan's, for messages */
	char *dir;			  /* watched: dir.uri, or file.uri's directory */
	char *file;			  /* file.uri's path; NULL in directory mode */
	bool tailing;
	bool text_full;
	FileRegex *regex; /* mode = 'regex', else NULL */
	FileAction action;
	char *move_to;
	int64 max_line;
	int ifd; /* inotify, or -1 */
	bool dir_changed;

	/* the file being read */
	int fd;
	dev_t dev;
	ino_t ino;
	char *path;		/* its path */
	char *cur_name; /* its name (directory mode), for name order */
	int64 identity; /* what part "file" holds for it */
	int64 offset;	/* file position of buf[0] */
	char *buf;
	int64 buflen;
	int64 bufcap;
	int64 consumed; /* bytes of buf handed out by the last poll */
	bool eof;
	bool marker_due; /* part "file" not written for this file yet */
	bool finished;	 /* read to its end, action due (not tailing) */
	bool done_valid; /* file.uri, no tailing: the inode done last */
	dev_t done_dev;
	ino_t done_ino;
	bool skipping;	  /* inside a line longer than max.line.length */
	int64 skip_start; /* its file position */
	int64 skip_len;
	char *skip_prefix;
	int skip_prefix_len;
	char *error; /* the message of the error record handed out */

	/* committed position, used by the first open after start */
	bool have_pos;
	int64 want_identity;
	int64 want_offset;

	int64 lines;
	char last_error[256];
} FileSrc;

/* file_source_parse.c */
extern void siddhi_file_rec(SiddhiSourceRecord *r, const char *data, int len,
							const char *part, int64 next);
extern void siddhi_file_line(FileSrc *f, SiddhiSourceRecord *records, int *n,
							 int64 pos, int64 len, int64 next);
extern void siddhi_file_long_line(FileSrc *f, SiddhiSourceRecord *records,
								  int *n, int64 next);
extern bool siddhi_file_parse(FileSrc *f, SiddhiSourceRecord *records, int *n,
							  int max, int64 *pos);
extern bool siddhi_file_parse_regex(FileSrc *f, SiddhiSourceRecord *records,
									int *n, int max, int64 *pos, bool at_end);

#endif /* SIDDHI_FILE_SOURCE_INT_H */
