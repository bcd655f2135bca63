/*-------------------------------------------------------------------------
 *
 * sqlstream_aggregation.c
 *	  CREATE AGGREGATION: incremental aggregations in streaming SQL.
 *
 * The options of WITH (...) become what SiddhiQL's define aggregation
 * carries (aggregate by, @aggTimeZone, @purge with @retentionPeriod), and
 * the AS SELECT is parsed as any query, then taken out of the app's
 * queries into the definition.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "nodes/pg_list.h"
#include "parser/parser.h"
#include "parser/scanner.h"
#include "parser/gram.h"
#include "siddhi/errors.h"
#include "siddhi/parser.h"
#include "sqlstream_int.h"

/* A granularity as the SQL dialect writes it: second, minute, ... */
static const char *
sql_granularity(SqlParser *p, const char *word, int location)
{
	static const char *const names[][2] = {
		{ "sec", "sec" },	{ "second", "sec" },  { "seconds", "sec" },
		{ "min", "min" },	{ "minute", "min" },  { "minutes", "min" },
		{ "hour", "hour" }, { "hours", "hour" },  { "day", "day" },
		{ "days", "day" },	{ "month", "month" }, { "months", "month" },
		{ "year", "year" }, { "years", "year" },
	};

	char *w = pstrdup(word);
	char *e;

	while (*w == ' ')
		w++;
	e = w + strlen(w);
	while (e > w && e[-1] == ' ')
		*--e = '\0';
	for (int i = 0; i < lengthof(names); i++)
		if (pg_strcasecmp(w, names[i][0]) == 0)
			return names[i][1];
	sqlstream_syntax_error_at(
		p, location, psprintf("unknown granularity \"%s\"", word),
		"Granularities are second, minute, hour, day, month and "
		"year.");
	return NULL;
}

/*
 * CREATE AGGREGATION name [WITH (by = 'ts', granularity = 'second')]
 * AS SELECT .. FROM S [WHERE ..] GROUP BY ..: granularity is the finest
 * one (all coarser ones up to year are kept), 'second ... day' a range,
 * or 'second, hour' a list; the default is 'second'.
 */
void
sqlstream_create_aggregation(SqlParser *p, int pos, int end, List *annotations)
{
	static const char *const order[] = { "sec", "min",	 "hour",
										 "day", "month", "year" };
	SiddhiDefinition *d = palloc0(sizeof(SiddhiDefinition));
	const char *hint = "Write CREATE AGGREGATION name WITH (by = 'ts', "
					   "granularity = 'second') AS SELECT ... FROM stream "
					   "GROUP BY ...";
	int tok = pos + 2;
	const char *gran = "second";
	int gran_loc = p->tokens[pos].start;
	char *ellipsis;
	SiddhiAnnotation *purge = NULL;
	int nqueries;
	int npartitions;

	if (tok >= end || !sqlstream_is_name(p, tok))
		sqlstream_syntax_error(p, Min(tok, end), hint);
	d->kind = SIDDHI_DEF_AGGREGATION;
	d->name = pstrdup(p->tokens[tok].str);
	d->location = p->tokens[tok].start;
	d->annotations = annotations;
	tok++;
	if (tok < end && sqlstream_is_word(p, tok, "with"))
	{
		SiddhiAnnotation *with = sqlstream_parse_with(p, &tok, end);
		ListCell *lc;

		foreach(lc, with->elements)
		{
			SiddhiAnnotationElement *e = lfirst(lc);

			if (strcmp(e->key, "by") == 0)
				d->aggregate_by = pstrdup(e->value);
			else if (strcmp(e->key, "timezone") == 0)
			{
				/* as SiddhiQL's @aggTimeZone('zone') */
				SiddhiAnnotation *tz = palloc0(sizeof(SiddhiAnnotation));
				SiddhiAnnotationElement *el =
					palloc0(sizeof(SiddhiAnnotationElement));

				el->value = e->value;
				el->location = e->location;
				tz->name = pstrdup("aggTimeZone");
				tz->location = e->location;
				tz->elements = list_make1(el);
				d->annotations = lappend(d->annotations, tz);
			}
			else if (strcmp(e->key, "granularity") == 0)
			{
				gran = e->value;
				gran_loc = e->location;
			}
			else if (strcmp(e->key, "retention") == 0 ||
					 strcmp(e->key, "purge") == 0 ||
					 strcmp(e->key, "purge_interval") == 0)
			{
				/* as SiddhiQL's @purge(enable, interval, @retentionPeriod) */
				SiddhiAnnotationElement *el =
					palloc0(sizeof(SiddhiAnnotationElement));

				if (purge == NULL)
				{
					purge = palloc0(sizeof(SiddhiAnnotation));
					purge->name = pstrdup("purge");
					purge->location = e->location;
					d->annotations = lappend(d->annotations, purge);
				}
				el->value = e->value;
				el->location = e->location;
				if (strcmp(e->key, "retention") == 0)
				{
					SiddhiAnnotation *r = palloc0(sizeof(SiddhiAnnotation));

					r->name = pstrdup("retentionPeriod");
					r->location = e->location;
					for (int i = 0; i < lengthof(order); i++)
					{
						SiddhiAnnotationElement *g =
							palloc0(sizeof(SiddhiAnnotationElement));

						*g = *el;
						g->key = pstrdup(order[i]);
						r->elements = lappend(r->elements, g);
					}
					purge->annotations = lappend(purge->annotations, r);
				}
				else
				{
					el->key = pstrdup(
						strcmp(e->key, "purge") == 0 ? "enable" : "interval");
					purge->elements = lappend(purge->elements, el);
				}
			}
			else
				sqlstream_syntax_error_at(
					p, e->location,
					psprintf("unknown aggregation option \"%s\"", e->key),
					"The options are by, granularity, timezone, retention, "
					"purge and purge_interval.");
		}
	}
	if (tok >= end || !sqlstream_is_word(p, tok, "as"))
		sqlstream_syntax_error(p, Min(tok, end), hint);
	tok++;
	if (tok >= end || !sqlstream_is_word(p, tok, "select"))
		sqlstream_syntax_error(p, Min(tok, end), hint);

	ellipsis = strstr(gran, "...");
	if (ellipsis || strchr(gran, ',') == NULL)
	{
		const char *first = sql_granularity(
			p, ellipsis ? pnstrdup(gran, ellipsis - gran) : gran, gran_loc);
		const char *last =
			ellipsis ? sql_granularity(p, ellipsis + 3, gran_loc) : "year";
		bool on = false;

		for (int i = 0; i < lengthof(order); i++)
		{
			if (strcmp(order[i], first) == 0)
				on = true;
			if (on)
				d->granularities =
					lappend(d->granularities, makeString((char *) order[i]));
			if (strcmp(order[i], last) == 0)
				break;
		}
		if (!on || d->granularities == NIL ||
			strcmp(strVal(llast(d->granularities)), last) != 0)
			sqlstream_syntax_error_at(
				p, gran_loc, "aggregation range ends before it starts", NULL);
	}
	else
	{
		char *copy = pstrdup(gran);
		char *save = NULL;

		for (char *w = strtok_r(copy, ",", &save); w;
			 w = strtok_r(NULL, ",", &save))
		{
			d->granularities =
				lappend(d->granularities,
						makeString((char *) sql_granularity(p, w, gran_loc)));
		}
	}

	/*
	 * the query, parsed as any other, then taken out of the app's queries;
	 * with PARTITION BY it went to the app's partitions instead
	 */
	nqueries = list_length(p->app->queries);
	npartitions = list_length(p->app->partitions);
	sqlstream_parse_query(p, tok, end, NIL);
	if (list_length(p->app->partitions) != npartitions)
	{
		SiddhiPartition *part = llast(p->app->partitions);
		SiddhiPartitionKey *k = part->keys ? linitial(part->keys) : NULL;

		sqlstream_not_supported(
			p, k ? k->location : p->tokens[tok].start,
			"PARTITION BY is not supported in an aggregation",
			"Group the aggregation by the key instead: "
			"GROUP BY key.");
	}
	if (list_length(p->app->queries) != nqueries + 1)
		sqlstream_syntax_error(p, tok, hint);
	d->aggregation = llast(p->app->queries);
	p->app->queries = list_delete_last(p->app->queries);
	if (d->aggregation->output->kind != SIDDHI_OUT_RETURN)
		sqlstream_syntax_error(p, tok, hint);
	p->app->definitions = lappend(p->app->definitions, d);
}
