/*-------------------------------------------------------------------------
 *
 * file_regex.c
 *	  Records of a file source in mode = 'regex' (file_source.c).
 *
 * As siddhi-io-file cuts them: with begin.regex and end.regex, a record
 * runs from a match of begin.regex to the end of the first match of
 * end.regex after it; with begin.regex alone, from one match of it to the
 * next (the last one, once the text is complete, to its end); with
 * end.regex alone, from where the previous record ended to the end of the
 * next match.  Text between records is skipped.  PostgreSQL's regular
 * expressions (as the ~ operator, advanced flavour, C collation) on the
 * text converted to pg_wchar once per load; matches are mapped back to
 * byte offsets.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_collation.h"
#include "mb/pg_wchar.h"
#include "regex/regex.h"

#include "siddhi/file_regex.h"

struct FileRegex
{
	regex_t begin;
	regex_t end;
	bool has_begin;
	bool has_end;
	pg_wchar *w; /* the loaded text */
	int64 *boff; /* byte offset of each character, and of the end */
	int64 wlen;
	int64 cap;
	int64 cur;		   /* character where the next search starts */
	MemoryContext cxt; /* the regex's own (w and boff outlive a poll) */
};

static bool
compile(regex_t *re, const char *pattern, char **error)
{
	int len = strlen(pattern);
	pg_wchar *w = palloc((len + 1) * sizeof(pg_wchar));
	int wlen = pg_mb2wchar_with_len(pattern, w, len);
	int rc = pg_regcomp(re, w, wlen, REG_ADVANCED, C_COLLATION_OID);

	pfree(w);
	if (rc != REG_OKAY)
	{
		char msg[256];

		pg_regerror(rc, re, msg, sizeof(msg));
		*error =
			psprintf("invalid regular expression \"%s\": %s", pattern, msg);
		return false;
	}
	return true;
}

FileRegex *
siddhi_file_regex_create(const char *begin, const char *end, char **error)
{
	FileRegex *r = palloc0(sizeof(FileRegex));

	r->cxt = CurrentMemoryContext;
	*error = NULL;
	if (begin && !compile(&r->begin, begin, error))
		return NULL;
	r->has_begin = begin != NULL;
	if (end && !compile(&r->end, end, error))
	{
		if (r->has_begin)
			pg_regfree(&r->begin);
		return NULL;
	}
	r->has_end = end != NULL;
	return r;
}

void
siddhi_file_regex_load(FileRegex *r, const char *data, int64 len)
{
	int64 p = 0;
	int64 i = 0;

	if (len + 1 > r->cap)
	{
		r->cap = Max(len + 1, 1024);
		if (r->w)
		{
			pfree(r->w);
			pfree(r->boff);
		}
		/* in the regex's context: a poll's loads come in a context the
		 * file source resets after each poll */
		r->w = MemoryContextAllocHuge(r->cxt, r->cap * sizeof(pg_wchar));
		r->boff = MemoryContextAllocHuge(r->cxt, (r->cap + 1) * sizeof(int64));
	}
	while (p < len)
	{
		int l = pg_mblen(data + p);
		pg_wchar one[2];

		if (p + l > len)
			break; /* a character not complete yet */
		pg_mb2wchar_with_len(data + p, one, l);
		r->w[i] = one[0];
		r->boff[i] = p;
		p += l;
		i++;
	}
	r->boff[i] = p;
	r->wlen = i;
	r->cur = 0;
}

static bool
find(FileRegex *r, regex_t *re, int64 from, int64 *so, int64 *eo)
{
	regmatch_t m[1];

	if (from > r->wlen ||
		pg_regexec(re, r->w, r->wlen, from, NULL, 1, m, 0) != REG_OKAY)
		return false;
	*so = m[0].rm_so;
	*eo = m[0].rm_eo;
	return true;
}

bool
siddhi_file_regex_next(FileRegex *r, bool at_end, int64 *so, int64 *eo,
					   int64 *next)
{
	int64 bs, be, es, ee = 0;

	if (r->has_begin)
	{
		if (!find(r, &r->begin, r->cur, &bs, &be))
			return false;
		if (r->has_end)
		{
			if (!find(r, &r->end, be, &es, &ee))
				return false;
		}
		else if (!find(r, &r->begin, Max(be, bs + 1), &es, &ee))
		{
			if (!at_end)
				return false;
			es = r->wlen;
		}
		else
			ee = es; /* up to the next begin, which starts the next one */
		if (r->has_end)
			es = ee;
		*so = r->boff[bs];
		*eo = r->boff[es];
		r->cur = Max(es, r->cur + 1);
	}
	else
	{
		if (!find(r, &r->end, r->cur, &es, &ee) || ee <= r->cur)
			return false;
		*so = r->boff[r->cur];
		*eo = r->boff[ee];
		r->cur = ee;
	}
	*next = r->boff[Min(r->cur, r->wlen)];
	return true;
}

int64
siddhi_file_regex_pos(FileRegex *r)
{
	return r->boff[Min(r->cur, r->wlen)];
}
