/*-------------------------------------------------------------------------
 *
 * map_text.c
 *	  The text mapper (Siddhi's siddhi-map-text): free text into events by
 *	  regular expressions, or Siddhi's default text form, and back.
 *
 * Source.  By default a record is Siddhi's text form,
 *
 *	 symbol:"IBM",
 *	 price:12.5
 *
 * name:value pairs separated by commas (and line breaks), in any order;
 * a string in double quotes (\" and \\ escaped inside), other values bare,
 * null as null.  Names match attributes without regard to case; unknown
 * names are ignored.  With event.grouping.enabled = 'true' a record holds
 * several events separated by delimiter ('~~~~~~~~~~' by default).
 *
 * Custom mapping: regex.A = '(\w+)\s([-0-9.]+)' options name patterns
 * (PostgreSQL's regular expressions, advanced syntax, case-sensitive), and
 * @attributes(symbol = 'A[1]', price = 'A[2]') take capture groups ('A'
 * alone is A[1], A[0] the whole match).  Each pattern is matched once per
 * event, at its first match.  A pattern that does not match, or a group
 * that took no part, leaves its attributes missing: an error, or null
 * with fail.on.missing.attribute = 'false'.
 *
 * Sink.  The default form (new.line.character, '\n' by default, after
 * each comma), or a @payload template.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_collation.h"
#include "catalog/pg_type.h"
#include "mb/pg_wchar.h"
#include "regex/regex.h"
#include "siddhi/parser.h"
#include "utils/builtins.h"

#include "map_int.h"

#define DEFAULT_GROUP_DELIMITER "~~~~~~~~~~"

typedef struct TextRegex
{
	char *name; /* A of regex.A */
	text *pattern;
} TextRegex;

typedef struct TextState
{
	bool fail;
	bool grouping;
	const char *delimiter; /* between grouped events */
	const char *newline;   /* sink: after each comma */

	/* custom mapping */
	int nregex;
	TextRegex *regex;
	int *att_regex; /* per attribute: index into regex, or -1 */
	int *att_group;
	char **paths;

	/* the record as wide characters, reused */
	pg_wchar *wide;
	int wide_cap;
} TextState;

/* 'A[2]' -> name A, group 2; 'A' -> group 1.  False when malformed. */
static bool
parse_group_ref(const char *ref, char **name, int *group)
{
	const char *p = ref;
	const char *s = p;

	while (*p && (isalnum((unsigned char) *p) || *p == '_'))
		p++;
	if (p == s)
		return false;
	*name = pnstrdup(s, p - s);
	*group = 1;
	if (*p == '\0')
		return true;
	if (*p++ != '[')
		return false;
	*group = 0;
	if (!isdigit((unsigned char) *p))
		return false;
	while (isdigit((unsigned char) *p))
	{
		*group = *group * 10 + (*p++ - '0');
		if (*group > 1000)
			return false;
	}
	return p[0] == ']' && p[1] == '\0';
}

static regex_t *
compile(text *pattern)
{
	return RE_compile_and_cache(pattern, REG_ADVANCED, C_COLLATION_OID);
}

void
map_text_validate(const SiddhiMapPlan *map, TupleDesc desc, bool sink,
				  const char *source)
{
	ListCell *lc;
	bool regexes = false;

	foreach(lc, map->options)
	{
		SiddhiConnOption *o = lfirst(lc);

		if (pg_strncasecmp(o->key, "regex.", 6) == 0)
		{
			MemoryContext cxt = CurrentMemoryContext;

			regexes = true;
			/* PostgreSQL's own message for a bad pattern, at the option */
			PG_TRY();
			{
				(void) compile(cstring_to_text(o->value));
			}
			PG_CATCH();
			{
				ErrorData *e;

				MemoryContextSwitchTo(cxt);
				e = CopyErrorData();
				if (e->sqlerrcode != ERRCODE_INVALID_REGULAR_EXPRESSION)
					PG_RE_THROW();
				FlushErrorState();
				ereport(ERROR,
						(errcode(e->sqlerrcode),
						 errmsg("%s in option \"%s\"", e->message, o->key),
						 siddhi_errposition(source, o->location)));
			}
			PG_END_TRY();
		}
		else if (pg_strcasecmp(o->key, "delimiter") == 0 ||
				 pg_strcasecmp(o->key, "new.line.character") == 0)
		{
			if (o->value[0] == '\0')
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("option \"%s\" must not be empty", o->key),
						 siddhi_errposition(source, o->location)));
		}
		else
			map_bool_option_validate(map, o->key, source);
	}
	if (regexes && map->attributes == NIL)
		ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						errmsg("regex options of the text mapper need "
							   "@attributes"),
						errhint("Write @attributes(a = 'A[1]') to say which "
								"group of regex.A each attribute takes."),
						siddhi_errposition(source, map->location)));
	foreach(lc, map->attributes)
	{
		SiddhiConnOption *o = lfirst(lc);
		char *name;
		int group;
		char *key;
		const char *pattern;
		regex_t *re;

		if (!parse_group_ref(o->value, &name, &group))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("text @attributes takes regex groups like 'A[1]', "
							"not '%s'",
							o->value),
					 siddhi_errposition(source, o->location)));
		key = psprintf("regex.%s", name);
		pattern = siddhi_conn_option(map->options, key, NULL);
		if (pattern == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_OBJECT),
					 errmsg("@attributes refers to regex %s, which no option "
							"\"%s\" defines",
							name, key),
					 siddhi_errposition(source, o->location)));
		re = compile(cstring_to_text(pattern));
		if ((size_t) group > re->re_nsub)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("regex %s has %d groups, @attributes takes group "
							"%d",
							name, (int) re->re_nsub, group),
					 siddhi_errposition(source, o->location)));
	}
	if (sink && map->payload)
		(void) map_template_compile(map->payload, desc, false, source,
									map->payload_location);
}

/*
 * new.line.character as written in the app: SiddhiQL strings have no
 * escapes and stay on one line, so '\n', '\r\n', '\r' and '\t' are
 * spelled with a backslash (as csv's delimiter '\t' is) and mean the
 * characters; '\\' is a backslash, any other text is taken as it is.
 */
static const char *
unescape_newline(const char *v)
{
	StringInfoData buf;

	if (strchr(v, '\\') == NULL)
		return v;
	initStringInfo(&buf);
	for (; *v; v++)
	{
		char c = *v;

		if (c == '\\' &&
			(v[1] == 'n' || v[1] == 'r' || v[1] == 't' || v[1] == '\\'))
		{
			v++;
			c = *v == 'n' ? '\n' : *v == 'r' ? '\r' : *v == 't' ? '\t' : '\\';
		}
		appendStringInfoChar(&buf, c);
	}
	return buf.data;
}

static void
text_create(SiddhiMapper *m, const SiddhiMapPlan *plan)
{
	TextState *ts = palloc0(sizeof(TextState));
	ListCell *lc;
	int k = 0;

	m->state = ts;
	ts->fail = map_option_bool(plan, "fail.on.missing.attribute", true);
	ts->grouping = map_option_bool(plan, "event.grouping.enabled", false);
	ts->delimiter = siddhi_conn_option(plan->options, "delimiter",
									   DEFAULT_GROUP_DELIMITER);
	ts->newline = unescape_newline(
		siddhi_conn_option(plan->options, "new.line.character", "\n"));
	if (plan->attributes == NIL)
		return;
	ts->regex = palloc0(sizeof(TextRegex) * list_length(plan->options));
	foreach(lc, plan->options)
	{
		SiddhiConnOption *o = lfirst(lc);

		if (pg_strncasecmp(o->key, "regex.", 6) != 0)
			continue;
		ts->regex[ts->nregex].name = pstrdup(o->key + 6);
		ts->regex[ts->nregex++].pattern = cstring_to_text(o->value);
	}
	ts->att_regex = palloc(sizeof(int) * Max(m->natts, 1));
	ts->att_group = palloc0(sizeof(int) * Max(m->natts, 1));
	ts->paths = palloc0(sizeof(char *) * Max(m->natts, 1));
	for (int i = 0; i < m->natts; i++)
		ts->att_regex[i] = -1;
	foreach(lc, plan->attributes)
	{
		SiddhiConnOption *o = lfirst(lc);
		int att = o->key ? map_attnum(m, o->key) : k;
		char *name;
		int group;

		k++;
		if (att < 0 || att >= m->natts ||
			!parse_group_ref(o->value, &name, &group))
			continue;
		for (int r = 0; r < ts->nregex; r++)
			if (pg_strcasecmp(ts->regex[r].name, name) == 0)
				ts->att_regex[att] = r;
		ts->att_group[att] = group;
		ts->paths[att] = o->value;
	}
}

/* One event by the regexes: the text s (len bytes) at offset base. */
static void
text_regex_event(SiddhiMapper *m, TextState *ts, const char *s, int len)
{
	int nwide;

	if (len + 1 > ts->wide_cap)
	{
		if (ts->wide)
			pfree(ts->wide);
		ts->wide_cap = Max(len + 1, 256);
		ts->wide = MemoryContextAllocHuge(m->cxt, sizeof(pg_wchar) *
													  (Size) ts->wide_cap);
	}
	nwide = pg_mb2wchar_with_len(s, ts->wide, len);
	for (int r = 0; r < ts->nregex; r++)
	{
		regex_t *re = compile(ts->regex[r].pattern);
		regmatch_t *match = palloc(sizeof(regmatch_t) * (re->re_nsub + 1));
		int rc;

		rc = pg_regexec(re, ts->wide, nwide, 0, NULL, re->re_nsub + 1, match,
						0);
		if (rc == REG_NOMATCH)
			continue;
		if (rc != REG_OKAY)
		{
			char msg[100];

			pg_regerror(rc, re, msg, sizeof(msg));
			ereport(ERROR, (errcode(ERRCODE_INVALID_REGULAR_EXPRESSION),
							errmsg("regular expression failed: %s", msg)));
		}
		for (int i = 0; i < m->natts; i++)
		{
			int g = ts->att_group[i];
			int wlen;
			char *mb;
			int mblen;

			if (ts->att_regex[i] != r || (size_t) g > re->re_nsub ||
				match[g].rm_so < 0)
				continue;
			wlen = match[g].rm_eo - match[g].rm_so;
			mb = palloc((Size) wlen * pg_database_encoding_max_length() + 1);
			mblen = pg_wchar2mb_with_len(ts->wide + match[g].rm_so, mb, wlen);
			m->seen[i] = true;
			m->nulls[i] = false;
			m->values[i] = map_input(m, i, mb, mblen, -1);
			pfree(mb);
		}
		pfree(match);
	}
}

static bool
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* One event in the default form: s (len bytes) at offset base. */
static void
text_default_event(SiddhiMapper *m, const char *data, const char *s, int len)
{
	const char *p = s;
	const char *end = s + len;

	while (p < end)
	{
		const char *name;
		int namelen;
		int att;
		bool quoted = false;
		int vpos;

		while (p < end && is_space(*p))
			p++;
		if (p >= end)
			break;
		name = p;
		while (p < end && *p != ':' && *p != ',' && *p != '\n')
			p++;
		if (p >= end || *p != ':')
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
					 errmsg("text record has no ':' after the name at byte %d",
							(int) (name - data)),
					 errhint("Write name:value pairs separated by commas, "
							 "strings in double quotes.")));
		namelen = p - name;
		while (namelen > 0 && is_space(name[namelen - 1]))
			namelen--;
		resetStringInfo(&m->buf);
		appendBinaryStringInfo(&m->buf, name, namelen);
		att = map_attnum(m, m->buf.data);
		p++;
		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		vpos = p - data;
		resetStringInfo(&m->buf2);
		if (p < end && *p == '"')
		{
			quoted = true;
			p++;
			while (p < end && *p != '"')
			{
				if (*p == '\\' && p + 1 < end)
				{
					p++;
					appendStringInfoChar(&m->buf2, *p == 'n'   ? '\n'
												   : *p == 't' ? '\t'
												   : *p == 'r' ? '\r'
															   : *p);
				}
				else
					appendStringInfoChar(&m->buf2, *p);
				p++;
			}
			if (p >= end)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
						 errmsg("text record has a string that is not closed "
								"at byte %d",
								vpos)));
			p++;
			while (p < end && (*p == ' ' || *p == '\t' || *p == '\r'))
				p++;
			if (p < end && *p != ',' && *p != '\n')
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
						 errmsg("text record has text after a string at byte "
								"%d",
								(int) (p - data)),
						 errhint("Separate name:value pairs with commas.")));
		}
		else
		{
			const char *v = p;
			int vlen;

			while (p < end && *p != ',' && *p != '\n')
				p++;
			vlen = p - v;
			while (vlen > 0 && is_space(v[vlen - 1]))
				vlen--;
			appendBinaryStringInfo(&m->buf2, v, vlen);
		}
		if (p < end)
			p++; /* the comma or line break */
		if (att < 0)
			continue;
		m->seen[att] = true;
		if (!quoted && strcmp(m->buf2.data, "null") == 0)
		{
			m->nulls[att] = true;
			continue;
		}
		m->nulls[att] = false;
		m->values[att] = map_input(m, att, m->buf2.data, m->buf2.len, vpos);
	}
}

static void
text_event(SiddhiMapper *m, const char *data, const char *s, int len)
{
	TextState *ts = m->state;

	map_begin_event(m);
	if (ts->nregex > 0)
		text_regex_event(m, ts, s, len);
	else
		text_default_event(m, data, s, len);
	map_missing(m, ts->fail, ERRCODE_INVALID_TEXT_REPRESENTATION, "text",
				ts->paths);
	map_stash_event(m);
}

static int
text_decode(SiddhiMapper *m, const char *data, int len, SiddhiMapEmit emit,
			void *arg)
{
	TextState *ts = m->state;

	map_stash_reset(m);
	if (!ts->grouping)
		text_event(m, data, data, len);
	else
	{
		const char *p = data;
		const char *end = data + len;
		int dlen = strlen(ts->delimiter);

		while (p < end)
		{
			const char *next = p;
			const char *s;
			int n;

			/* the next delimiter, if any */
			while (next + dlen <= end &&
				   memcmp(next, ts->delimiter, dlen) != 0)
				next++;
			if (next + dlen > end)
				next = end;
			s = p;
			n = next - p;
			while (n > 0 && is_space(*s))
				s++, n--;
			while (n > 0 && is_space(s[n - 1]))
				n--;
			if (n > 0)
				text_event(m, data, s, n);
			p = next + (next < end ? dlen : 0);
		}
	}
	if (ts->wide_cap > 65536)
	{
		pfree(ts->wide);
		ts->wide = NULL;
		ts->wide_cap = 0;
	}
	return map_stash_emit(m, emit, arg);
}

static void
text_encode(SiddhiMapper *m, Datum *values, bool *nulls, StringInfo out)
{
	TextState *ts = m->state;
	bool first = true;

	if (m->tpl)
	{
		map_template_expand(m, m->tpl, values, nulls, out);
		return;
	}
	for (int i = 0; i < m->natts; i++)
	{
		MapAttr *a = &m->atts[i];
		const char *s;
		int len;

		if (a->dropped)
			continue;
		if (!first)
		{
			appendStringInfoChar(out, ',');
			appendStringInfoString(out, ts->newline);
		}
		first = false;
		appendStringInfo(out, "%s:", a->name);
		if (nulls[i])
		{
			appendStringInfoString(out, "null");
			continue;
		}
		s = map_output(m, i, values[i], &len);
		if (a->category == TYPCATEGORY_NUMERIC ||
			a->category == TYPCATEGORY_BOOLEAN)
		{
			appendBinaryStringInfo(out, s, len);
			continue;
		}
		appendStringInfoChar(out, '"');
		for (int j = 0; j < len; j++)
		{
			if (s[j] == '"' || s[j] == '\\')
				appendStringInfoChar(out, '\\');
			appendStringInfoChar(out, s[j]);
		}
		appendStringInfoChar(out, '"');
	}
}

const MapperOps siddhi_map_text_ops = { "text", text_create, text_decode,
										text_encode };
