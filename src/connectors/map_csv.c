/*-------------------------------------------------------------------------
 *
 * map_csv.c
 *	  The csv mapper (Siddhi's siddhi-map-csv): lines of delimited values
 *	  into events and back.
 *
 * Source.  Each line of a record is an event (empty lines are skipped);
 * fields are separated by delimiter (',' by default, one byte, '\t' for a
 * tab) and may be quoted as RFC 4180 says ("a ""b"", c": quotes doubled,
 * delimiters and line breaks inside).  An unquoted empty field is null, a
 * quoted one ("") the empty string.  header.present = 'true' skips each
 * record's first line.  By default the fields are the attributes in order
 * and a line must have one per attribute; @attributes(a = '0', b = '2')
 * (or positionally @attributes('0', '2')) take fields by position (from
 * 0), ignoring the others.  fail.on.unknown.attribute = 'false' makes a
 * field a line lacks null instead of an error.
 *
 * Sink.  The values in attribute order, quoted when they hold the
 * delimiter, a quote or a line break, or are the empty string; null as an
 * empty field.  header = 'true' puts a line of attribute names first.  A
 * @payload template replaces {{a}} by the value's text.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "siddhi/parser.h"
#include "utils/builtins.h"

#include "map_int.h"

typedef struct CsvState
{
	char delim;
	bool header;
	bool fail;
	bool defaults; /* no @attributes: fields in attribute order */
	int *pos;	   /* per attribute: field number, or -1 */
	int nlive;	   /* attributes that are not dropped */

	/* fields of the current line: offsets into m->buf2 */
	int nfields;
	int cap;
	int *off;
	int *len;
	bool *null;
} CsvState;

static bool
parse_delimiter(const char *v, char *delim)
{
	if (strcmp(v, "\\t") == 0)
		*delim = '\t';
	else if (strlen(v) == 1 && v[0] != '"' && v[0] != '\n' && v[0] != '\r')
		*delim = v[0];
	else
		return false;
	return true;
}

static bool
parse_position(const char *v, int *pos)
{
	long n = 0;

	if (*v == '\0')
		return false;
	for (; *v; v++)
	{
		if (*v < '0' || *v > '9')
			return false;
		n = n * 10 + (*v - '0');
		if (n > 100000)
			return false;
	}
	*pos = (int) n;
	return true;
}

void
map_csv_validate(const SiddhiMapPlan *map, TupleDesc desc, bool sink,
				 const char *source)
{
	ListCell *lc;

	foreach(lc, map->options)
	{
		SiddhiConnOption *o = lfirst(lc);
		char d;

		if (pg_strcasecmp(o->key, "delimiter") == 0)
		{
			if (!parse_delimiter(o->value, &d))
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("csv delimiter must be one character, not "
								"'%s'",
								o->value),
						 errhint("Write delimiter = ',' or '\\t' for a tab."),
						 siddhi_errposition(source, o->location)));
		}
		else
			map_bool_option_validate(map, o->key, source);
	}
	foreach(lc, map->attributes)
	{
		SiddhiConnOption *o = lfirst(lc);
		int pos;

		if (!parse_position(o->value, &pos))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("csv @attributes takes field positions, not "
							"'%s'",
							o->value),
					 errhint("Write @attributes(a = '0', b = '2'): fields "
							 "count from 0."),
					 siddhi_errposition(source, o->location)));
	}
	if (sink && map->payload)
		(void) map_template_compile(map->payload, desc, false, source,
									map->payload_location);
}

static void
csv_create(SiddhiMapper *m, const SiddhiMapPlan *plan)
{
	CsvState *cs = palloc0(sizeof(CsvState));
	const char *d = siddhi_conn_option(plan->options, "delimiter", ",");
	ListCell *lc;
	int k = 0;

	m->state = cs;
	if (!parse_delimiter(d, &cs->delim))
		cs->delim = ',';
	cs->header =
		map_option_bool(plan, m->sink ? "header" : "header.present", false);
	cs->fail = map_option_bool(plan, "fail.on.unknown.attribute", true);
	cs->defaults = plan->attributes == NIL;
	cs->pos = palloc(sizeof(int) * Max(m->natts, 1));
	for (int i = 0; i < m->natts; i++)
	{
		cs->pos[i] = -1;
		if (!m->atts[i].dropped)
			cs->pos[i] = plan->attributes ? -1 : cs->nlive++;
	}
	foreach(lc, plan->attributes)
	{
		SiddhiConnOption *o = lfirst(lc);
		int att = o->key ? map_attnum(m, o->key) : k;
		int pos;

		k++;
		if (att >= 0 && att < m->natts && parse_position(o->value, &pos))
			cs->pos[att] = pos;
	}
	cs->cap = 16;
	cs->off = palloc(sizeof(int) * cs->cap);
	cs->len = palloc(sizeof(int) * cs->cap);
	cs->null = palloc(sizeof(bool) * cs->cap);
}

static void
add_field(CsvState *cs, int off, int len, bool null)
{
	if (cs->nfields == cs->cap)
	{
		cs->cap *= 2;
		cs->off = repalloc(cs->off, sizeof(int) * cs->cap);
		cs->len = repalloc(cs->len, sizeof(int) * cs->cap);
		cs->null = repalloc(cs->null, sizeof(bool) * cs->cap);
	}
	cs->off[cs->nfields] = off;
	cs->len[cs->nfields] = len;
	cs->null[cs->nfields++] = null;
}

/*
 * Parse one line starting at *p into fields (copies in m->buf2, each
 * NUL-terminated); returns false for an empty line.  *p ends after the
 * line's line break.
 */
static bool
parse_line(SiddhiMapper *m, CsvState *cs, const char *data, const char **pp,
		   const char *end, int line)
{
	const char *p = *pp;

	resetStringInfo(&m->buf2);
	cs->nfields = 0;
	if (p < end && (*p == '\n' || (*p == '\r' && p + 1 < end && p[1] == '\n')))
	{
		*pp = p + (*p == '\r' ? 2 : 1);
		return false;
	}
	for (;;)
	{
		int off = m->buf2.len;
		bool quoted = false;

		if (p < end && *p == '"')
		{
			const char *open = p++;

			quoted = true;
			for (;;)
			{
				const char *q = p;

				while (q < end && *q != '"')
					q++;
				appendBinaryStringInfo(&m->buf2, p, q - p);
				if (q >= end)
					ereport(ERROR,
							(errcode(ERRCODE_BAD_COPY_FILE_FORMAT),
							 errmsg("csv line %d has a quoted field that is "
									"not closed",
									line),
							 errdetail("The quote opens at byte %d of the "
									   "payload.",
									   (int) (open - data))));
				if (q + 1 < end && q[1] == '"')
				{
					appendStringInfoChar(&m->buf2, '"');
					p = q + 2;
					continue;
				}
				p = q + 1;
				break;
			}
			if (p < end && *p != cs->delim && *p != '\n' &&
				!(*p == '\r' && (p + 1 == end || p[1] == '\n')))
				ereport(ERROR,
						(errcode(ERRCODE_BAD_COPY_FILE_FORMAT),
						 errmsg("csv line %d has text after a closing quote "
								"at byte %d",
								line, (int) (p - data)),
						 errhint("Double the quotes inside a quoted field: "
								 "\"a \"\"b\"\"\".")));
		}
		else
		{
			const char *s = p;

			while (p < end && *p != cs->delim && *p != '\n')
				p++;
			/* \r\n line breaks */
			appendBinaryStringInfo(
				&m->buf2, s,
				(p > s && p[-1] == '\r' && (p == end || *p == '\n'))
					? p - s - 1
					: p - s);
		}
		add_field(cs, off, m->buf2.len - off, !quoted && m->buf2.len == off);
		appendStringInfoChar(&m->buf2, '\0');
		if (p < end && *p == '\r')
			p++;
		if (p >= end)
			break;
		if (*p == '\n')
		{
			p++;
			break;
		}
		p++; /* the delimiter */
	}
	*pp = p;
	return true;
}

static int
csv_decode(SiddhiMapper *m, const char *data, int len, SiddhiMapEmit emit,
		   void *arg)
{
	CsvState *cs = m->state;
	const char *p = data;
	const char *end = data + len;
	int line = 0;

	map_stash_reset(m);
	if (cs->header)
	{
		while (p < end && *p != '\n')
			p++;
		if (p < end)
			p++;
		line++;
	}
	while (p < end)
	{
		const char *linestart = p;

		line++;
		if (!parse_line(m, cs, data, &p, end, line))
			continue;
		/* the default mapping: one field per attribute */
		if (cs->defaults && cs->fail && cs->nfields != cs->nlive)
			ereport(ERROR,
					(errcode(ERRCODE_BAD_COPY_FILE_FORMAT),
					 errmsg("csv line %d has %d fields, the stream has %d "
							"attributes",
							line, cs->nfields, cs->nlive),
					 errdetail("The line starts at byte %d of the payload.",
							   (int) (linestart - data))));
		map_begin_event(m);
		for (int i = 0; i < m->natts; i++)
		{
			int f = cs->pos[i];

			if (f < 0 || f >= cs->nfields)
				continue;
			m->seen[i] = true;
			if (cs->null[f])
				continue;
			m->nulls[i] = false;
			m->values[i] = map_input(m, i, m->buf2.data + cs->off[f],
									 cs->len[f], (int) (linestart - data));
		}
		for (int i = 0; i < m->natts; i++)
			if (!m->seen[i] && cs->fail)
				ereport(ERROR,
						(errcode(ERRCODE_BAD_COPY_FILE_FORMAT),
						 errmsg("csv line %d has no field %d for attribute "
								"\"%s\"",
								line, cs->pos[i], m->atts[i].name),
						 errhint("Set fail.on.unknown.attribute = 'false' to "
								 "map missing fields to null.")));
		map_stash_event(m);
	}
	return map_stash_emit(m, emit, arg);
}

static void
csv_field(StringInfo out, const char *s, int len, char delim)
{
	bool quote = len == 0;

	for (int i = 0; i < len && !quote; i++)
		if (s[i] == delim || s[i] == '"' || s[i] == '\n' || s[i] == '\r')
			quote = true;
	if (!quote)
	{
		appendBinaryStringInfo(out, s, len);
		return;
	}
	appendStringInfoChar(out, '"');
	for (int i = 0; i < len; i++)
	{
		if (s[i] == '"')
			appendStringInfoChar(out, '"');
		appendStringInfoChar(out, s[i]);
	}
	appendStringInfoChar(out, '"');
}

static void
csv_encode(SiddhiMapper *m, Datum *values, bool *nulls, StringInfo out)
{
	CsvState *cs = m->state;
	bool first = true;

	if (m->tpl)
	{
		map_template_expand(m, m->tpl, values, nulls, out);
		return;
	}
	if (cs->header)
	{
		for (int i = 0; i < m->natts; i++)
		{
			if (m->atts[i].dropped)
				continue;
			if (!first)
				appendStringInfoChar(out, cs->delim);
			first = false;
			csv_field(out, m->atts[i].name, strlen(m->atts[i].name),
					  cs->delim);
		}
		appendStringInfoChar(out, '\n');
		first = true;
	}
	for (int i = 0; i < m->natts; i++)
	{
		const char *s;
		int len;

		if (m->atts[i].dropped)
			continue;
		if (!first)
			appendStringInfoChar(out, cs->delim);
		first = false;
		if (nulls[i])
			continue;
		s = map_output(m, i, values[i], &len);
		csv_field(out, s, len, cs->delim);
	}
}

const MapperOps siddhi_map_csv_ops = { "csv", csv_create, csv_decode,
									   csv_encode };
