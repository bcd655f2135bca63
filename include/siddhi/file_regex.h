/*-------------------------------------------------------------------------
 *
 * file_regex.h
 *	  The file source's mode = 'regex' (file_regex.c): records cut out of
 *	  a file's text by begin.regex and end.regex, as siddhi-io-file does.
 *
 *-------------------------------------------------------------------------
 */
#ifndef SIDDHI_FILE_REGEX_H
#define SIDDHI_FILE_REGEX_H

typedef struct FileRegex FileRegex;

/*
 * Compile begin and end (either may be NULL, not both) as PostgreSQL
 * regular expressions; NULL with *error set when one does not compile.
 */
extern FileRegex *siddhi_file_regex_create(const char *begin, const char *end,
										   char **error);
/* The text to cut records from (until the next load). */
extern void siddhi_file_regex_load(FileRegex *r, const char *data, int64 len);
/*
 * The next record of the loaded text: true with its bytes [*so, *eo) and
 * where the next one is looked for (*next); false when no complete record
 * is there yet.  at_end: nothing more comes (a begin.regex-only record then
 * runs to the end of the text).
 */
extern bool siddhi_file_regex_next(FileRegex *r, bool at_end, int64 *so,
								   int64 *eo, int64 *next);
/* Where the search stands: bytes before it belong to no record. */
extern int64 siddhi_file_regex_pos(FileRegex *r);

#endif /* SIDDHI_FILE_REGEX_H */
