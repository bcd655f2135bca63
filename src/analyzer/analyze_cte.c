/*-------------------------------------------------------------------------
 *
 * analyze_cte.c
 *	  The streams of SQL WITH queries and subqueries in FROM, per app.
 *
 * The SQL front end (src/parser/sqlstream_cte.c) makes each WITH query and
 * subquery in FROM a query of its own, named like `cte_h` or `subquery`,
 * inserting into a stream of that name which the reading query reads.
 * Streams live in the schema the app is deployed into, next to the
 * streams of other apps: two apps that both say WITH h would share (or
 * fail on) one cte_h.  So the stream takes the app's name as a prefix,
 * `<app>_cte_h`, as the stream of a query without INSERT INTO is
 * `<app>_<query>`; the query keeps its short name.  The parser chose a
 * name that no identifier of the app spells, so every input naming it is
 * a reader of the generated stream.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "miscadmin.h"

#include "analyze_int.h"
#include "siddhi/parser.h"

/* Rename the stream of an input side from "from" to "to". */
static void
rename_input(SiddhiStreamInput *in, const char *from, char *to)
{
	if (in && strcmp(in->stream, from) == 0)
		in->stream = to;
}

/* ... and of every state of a pattern (SQL's (P1) AND (P2) reads two) */
static void
rename_in_pattern(SiddhiPatternNode *n, const char *from, char *to)
{
	if (n == NULL)
		return;
	check_stack_depth();
	rename_input(n->stream, from, to);
	rename_in_pattern(n->left, from, to);
	rename_in_pattern(n->right, from, to);
}

static void
rename_in_query(SiddhiQuery *q, const char *from, char *to)
{
	if (q->input == NULL)
		return;
	if (q->input->kind == SIDDHI_INPUT_STREAM ||
		q->input->kind == SIDDHI_INPUT_JOIN)
	{
		rename_input(q->input->stream, from, to);
		rename_input(q->input->right, from, to);
	}
	else
		rename_in_pattern(q->input->pattern, from, to);
}

/*
 * Give the streams of generated queries the app's name as a prefix, and
 * their readers with them.  Idempotent: a renamed query's target no
 * longer equals its name.
 */
void
siddhi_name_generated_streams(AnalyzeState *st, const char *app_name)
{
	List *all = list_copy(st->app->queries);
	ListCell *lc;
	ListCell *lp;

	foreach(lp, st->app->partitions)
	{
		SiddhiPartition *part = lfirst(lp);

		all = list_concat(all, part->queries);
	}
	foreach(lc, all)
	{
		SiddhiQuery *g = lfirst(lc);
		char *to;
		const char *from;
		ListCell *lr;

		if (!g->generated || g->output == NULL || g->output->target == NULL ||
			strcmp(g->output->target, g->name) != 0)
			continue;
		from = g->output->target;
		to = psprintf("%s_%s", app_name, from);
		if (strlen(to) >= NAMEDATALEN)
			ereport(
				ERROR,
				(errcode(ERRCODE_NAME_TOO_LONG),
				 errmsg("the stream of query \"%s\" would be named \"%s\", "
						"longer than %d bytes",
						g->name, to, NAMEDATALEN - 1),
				 siddhi_errposition(st->app->source, g->location),
				 errhint("Give the app or the WITH query a shorter name.")));
		foreach(lr, all)
			rename_in_query(lfirst(lr), from, to);
		foreach(lp, st->app->partitions)
		{
			SiddhiPartition *part = lfirst(lp);
			ListCell *lk;

			foreach(lk, part->keys)
			{
				SiddhiPartitionKey *k = lfirst(lk);

				if (strcmp(k->stream, from) == 0)
					k->stream = to;
			}
		}
		g->output->target = to;
	}
	list_free(all);
}
