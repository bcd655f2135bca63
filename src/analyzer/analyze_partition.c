/*-------------------------------------------------------------------------
 *
 * analyze_partition.c
 *	  Partitions: `partition with (sym of S, qty < 10 as 'small' or
 *	  qty >= 10 as 'large' of T) begin .. end`, and the SQL dialect's
 *	  `.. PARTITION BY expr`.
 *
 * A partition names, for each stream it partitions, how an event finds
 * its key: a value (the text of an expression over the event) or a list
 * of ranges (the label of each condition that holds; an event matching
 * several goes to each).  Its queries are analyzed by analyze_query() as
 * any other, with st->partition set: they may then read and write inner
 * streams (#name), which are streams of the app named
 * <app>_p<partition index>_<name>, so that two partitions may each have
 * their own #name.  The runtime (src/runtime/partition.c) keeps every
 * query's state per key.
 *
 * @purge(enable = 'true', interval = '1 sec', idle.period = '15 sec')
 * releases the state of keys that saw no event for idle.period, checked
 * every interval (5 minutes unless given), as Siddhi does.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/table.h"
#include "analyze_int.h"
#include "catalog/pg_type.h"
#include "parser/parse_coerce.h"
#include "parser/parse_expr.h"
#include "parser/parse_relation.h"
#include "parser/scansup.h"
#include "siddhi/duration.h"
#include "siddhi/errors.h"
#include "siddhi/parser.h"
#include "utils/builtins.h"
#include "utils/datetime.h"
#include "utils/rel.h"
#include "utils/timestamp.h"

#define DURATION_HINT "Write a duration such as '15 sec', '5 min' or '1 day'."

/* Siddhi's default purge interval: 5 minutes */
#define DEFAULT_PURGE_INTERVAL_MS 300000

static pg_attribute_noreturn() void partition_error(AnalyzeState *st,
													int location, int code,
													const char *msg,
													const char *hint)
{
	ereport(ERROR, (errcode(code), errmsg_internal("%s", msg),
					hint ? errhint("%s", hint) : 0,
					siddhi_errposition(st->app->source, location)));
}

/*
 * A duration such as '15 sec' or '1 min' (a PostgreSQL interval), in ms,
 * a month 30 days and a year 365 as Siddhi counts them (duration.c);
 * `what` names it in the error.
 */
int64
siddhi_duration_ms(AnalyzeState *st, const char *text, int location,
				   const char *what, const char *hint)
{
	int64 ms;
	bool negative;

	if (!siddhi_duration_parse(text, INTERVAL_FULL_RANGE, &ms, &negative) ||
		negative)
		partition_error(st, location, ERRCODE_INVALID_PARAMETER_VALUE,
						psprintf("invalid %s \"%s\"", what, text), hint);
	return ms;
}

/* The stream an inner stream #name of the current partition is. */
char *
siddhi_inner_stream_name(AnalyzeState *st, const char *name)
{
	char *s;

	Assert(st->partition != NULL);
	s = psprintf("%s_p%d_%s", st->plan->name, st->partition->index, name);
	return downcase_truncate_identifier(s, strlen(s), false);
}

/*
 * The stream #name (in) of the current partition is, for a query, a join
 * side or a pattern state reading it; the reader names it as written
 * (#name.a, name.a), not as the stream it is.
 */
SiddhiRelation *
siddhi_inner_stream(AnalyzeState *st, SiddhiStreamInput *in)
{
	SiddhiRelation *r;

	if (st->partition == NULL)
		ereport(ERROR, (errcode(ERRCODE_SIDDHI_SEMANTIC_ERROR),
						errmsg("inner stream #%s is read outside a partition",
							   in->stream),
						siddhi_errposition(st->app->source, in->location),
						errhint("Inner streams (#name) live inside "
								"partition .. begin .. end.")));
	r = siddhi_find_relation(st, siddhi_inner_stream_name(st, in->stream));
	if (r == NULL)
		ereport(ERROR, (errcode(ERRCODE_UNDEFINED_TABLE),
						errmsg("inner stream #%s is not defined", in->stream),
						siddhi_errposition(st->app->source, in->location),
						errhint("Insert into #%s from an earlier query of the "
								"partition.",
								in->stream)));
	if (in->alias == NULL)
		in->alias = in->stream;
	return r;
}

/*
 * The fault stream !S (in) that @OnError(action = 'STREAM') made on S
 * (analyze_connector.c), for a query, a join side or a pattern state
 * reading it; the reader names it S.
 */
SiddhiRelation *
siddhi_fault_stream(AnalyzeState *st, SiddhiStreamInput *in)
{
	SiddhiRelation *r = siddhi_find_relation(st, psprintf("!%s", in->stream));

	if (r == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("fault stream !%s is not defined", in->stream),
				 siddhi_errposition(st->app->source, in->location),
				 errhint("Give %s @OnError(action = 'STREAM').", in->stream)));
	if (in->alias == NULL)
		in->alias = in->stream;
	return r;
}

static void
analyze_annotations(AnalyzeState *st, SiddhiPartition *part,
					SiddhiPartitionPlan *pp)
{
	ListCell *lc;

	foreach(lc, part->annotations)
	{
		SiddhiAnnotation *a = lfirst(lc);
		ListCell *e;
		bool enable_given = false;
		bool idle_given = false;

		if (pg_strcasecmp(a->name, "info") == 0)
		{
			foreach(e, a->elements)
			{
				SiddhiAnnotationElement *el = lfirst(e);

				if (el->key && pg_strcasecmp(el->key, "name") == 0)
					pp->name = pstrdup(el->value);
			}
			continue;
		}
		if (pg_strcasecmp(a->name, "purge") != 0)
			partition_error(
				st, a->location, ERRCODE_SIDDHI_SEMANTIC_ERROR,
				psprintf("unknown annotation @%s on a partition", a->name),
				"A partition takes @info(name = '..') and "
				"@purge(enable = 'true', interval = '1 sec', "
				"idle.period = '1 min').");
		foreach(e, a->elements)
		{
			SiddhiAnnotationElement *el = lfirst(e);
			const char *key = el->key ? el->key : "";

			if (pg_strcasecmp(key, "enable") == 0)
			{
				if (pg_strcasecmp(el->value, "true") != 0 &&
					pg_strcasecmp(el->value, "false") != 0)
					partition_error(st, el->location,
									ERRCODE_INVALID_PARAMETER_VALUE,
									psprintf("invalid value for enable: "
											 "\"%s\"",
											 el->value),
									"Write enable = 'true' or 'false'.");
				pp->purge = pg_strcasecmp(el->value, "true") == 0;
				enable_given = true;
			}
			else if (pg_strcasecmp(key, "interval") == 0)
			{
				pp->purge_interval =
					siddhi_duration_ms(st, el->value, el->location,
									   "purge interval", DURATION_HINT);
				if (pp->purge_interval <= 0)
					partition_error(
						st, el->location, ERRCODE_INVALID_PARAMETER_VALUE,
						"the purge interval must be positive", NULL);
			}
			else if (pg_strcasecmp(key, "idle.period") == 0)
			{
				pp->purge_idle = siddhi_duration_ms(
					st, el->value, el->location, "idle period", DURATION_HINT);
				idle_given = true;
			}
			else
				partition_error(st, el->location,
								ERRCODE_SIDDHI_SEMANTIC_ERROR,
								psprintf("unknown @purge element \"%s\"",
										 el->key ? el->key : el->value),
								"@purge takes enable, interval and "
								"idle.period.");
		}
		if (!enable_given)
			partition_error(st, a->location, ERRCODE_SIDDHI_SEMANTIC_ERROR,
							"@purge on a partition needs enable",
							"Write @purge(enable = 'true', interval = "
							"'1 sec', idle.period = '1 min').");
		if (!idle_given)
			partition_error(st, a->location, ERRCODE_SIDDHI_SEMANTIC_ERROR,
							"@purge on a partition needs idle.period",
							"Write @purge(enable = 'true', interval = "
							"'1 sec', idle.period = '1 min').");
	}
}

/* How events of one stream find their key. */
static SiddhiPartitionStreamPlan *
analyze_key(AnalyzeState *st, SiddhiPartitionKey *k)
{
	SiddhiPartitionStreamPlan *sp = palloc0(sizeof(SiddhiPartitionStreamPlan));
	SiddhiRelation *r = siddhi_find_relation(st, k->stream);
	ParseState *pstate;
	Relation rel;
	ListCell *lc;

	if (r == NULL)
		partition_error(st, k->location, ERRCODE_UNDEFINED_TABLE,
						psprintf("stream \"%s\" is not defined", k->stream),
						"A partition divides a stream the app defines.");
	if (r->kind != SIDDHI_REL_STREAM && r->kind != SIDDHI_REL_WINDOW)
		partition_error(
			st, k->location, ERRCODE_WRONG_OBJECT_TYPE,
			psprintf("\"%s\" is a %s, and only a stream or a window can "
					 "be partitioned",
					 k->stream,
					 r->kind == SIDDHI_REL_TABLE ? "table" : "aggregation"),
			NULL);
	sp->relid = r->relid;
	sp->name = pstrdup(k->stream);

	pstate = make_parsestate(NULL);
	pstate->p_sourcetext = st->app->source;
	rel = table_open(r->relid, AccessShareLock);
	addNSItemToQuery(pstate,
					 addRangeTableEntryForRelation(
						 pstate, rel, AccessShareLock, NULL, false, true),
					 false, true, true);
	if (k->expr)
	{
		Node *e = transformExpr(pstate, k->expr, EXPR_KIND_WHERE);

		sp->value = siddhi_finish_expr(pstate, e);
	}
	foreach(lc, k->ranges)
	{
		SiddhiPartitionRange *range = lfirst(lc);
		Node *e = transformExpr(pstate, range->condition, EXPR_KIND_WHERE);

		e = coerce_to_boolean(pstate, e, "a partition range");
		sp->ranges = lappend(sp->ranges, siddhi_finish_expr(pstate, e));
		sp->labels = lappend(sp->labels, pstrdup(range->label));
	}
	table_close(rel, AccessShareLock);
	free_parsestate(pstate);
	return sp;
}

SiddhiPartitionPlan *
siddhi_analyze_partition(AnalyzeState *st, SiddhiPartition *part, int index)
{
	SiddhiPartitionPlan *pp = palloc0(sizeof(SiddhiPartitionPlan));
	ListCell *lc;

	pp->index = index;
	pp->purge_interval = DEFAULT_PURGE_INTERVAL_MS;
	analyze_annotations(st, part, pp);
	if (pp->name == NULL)
		pp->name = psprintf("partition%d", index);
	foreach(lc, part->keys)
	{
		SiddhiPartitionKey *k = lfirst(lc);
		SiddhiPartitionStreamPlan *sp;
		SiddhiRelation *r = siddhi_find_relation(st, k->stream);
		ListCell *prev;

		/* PARTITION BY over a join with a table: only the stream is keyed */
		if (k->streams_only && r && r->kind != SIDDHI_REL_STREAM)
			continue;
		if (k->streams_only && r == NULL &&
			siddhi_bind_existing_table(st, k->stream, k->location) != NULL)
			continue;
		sp = analyze_key(st, k);

		foreach(prev, pp->streams)
			if (((SiddhiPartitionStreamPlan *) lfirst(prev))->relid ==
				sp->relid)
				partition_error(
					st, k->location, ERRCODE_SIDDHI_SEMANTIC_ERROR,
					psprintf("stream \"%s\" is partitioned twice", k->stream),
					"Give each stream one key, or one list of "
					"ranges joined with or.");
		pp->streams = lappend(pp->streams, sp);
	}
	return pp;
}
