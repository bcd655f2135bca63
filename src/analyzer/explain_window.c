/*-------------------------------------------------------------------------
 *
 * explain_window.c
 *	  EXPLAIN's windows and aggregators: their parameters, and what bounds
 *	  a window's memory (the words of each kind's bound).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "lib/stringinfo.h"
#include "nodes/primnodes.h"
#include "siddhi/explain.h"
#include "siddhi/shmem.h"
#include "utils/lsyscache.h"
#include "explain_int.h"

/* A duration in the largest unit that divides it: "1 min", "250 ms". */
char *
siddhi_explain_ms(int64 ms)
{
	static const struct
	{
		int64 ms;
		const char *unit;
	} units[] = {
		{ 86400000, "day" },
		{ 3600000, "hour" },
		{ 60000, "min" },
		{ 1000, "sec" },
	};

	for (int i = 0; i < lengthof(units); i++)
		if (ms != 0 && ms % units[i].ms == 0)
			return psprintf(INT64_FORMAT " %s", ms / units[i].ms,
							units[i].unit);
	return psprintf(INT64_FORMAT " ms", ms);
}

const char *
siddhi_explain_agg_name(SiddhiAggKind k)
{
	static const char *const names[] = {
		[SIDDHI_AGG_SUM] = "sum",
		[SIDDHI_AGG_COUNT] = "count",
		[SIDDHI_AGG_AVG] = "avg",
		[SIDDHI_AGG_MIN] = "min",
		[SIDDHI_AGG_MAX] = "max",
		[SIDDHI_AGG_MIN_FOREVER] = "minForever",
		[SIDDHI_AGG_MAX_FOREVER] = "maxForever",
		[SIDDHI_AGG_DISTINCT_COUNT] = "distinctCount",
		[SIDDHI_AGG_STDDEV] = "stdDev",
		[SIDDHI_AGG_AND] = "and",
		[SIDDHI_AGG_OR] = "or",
		[SIDDHI_AGG_UNION_SET] = "unionSet",
		[SIDDHI_AGG_STDDEV_SAMP] = "stddev_samp",
		[SIDDHI_AGG_STDDEV_POP] = "stddev_pop",
		[SIDDHI_AGG_VAR_SAMP] = "var_samp",
		[SIDDHI_AGG_VAR_POP] = "var_pop",
		[SIDDHI_AGG_COUNT_VALUES] = "count",
		[SIDDHI_AGG_COUNT_DISTINCT] = "count distinct",
		[SIDDHI_AGG_SUM_DISTINCT] = "sum distinct",
		[SIDDHI_AGG_AVG_DISTINCT] = "avg distinct",
		[SIDDHI_AGG_INTERSECT_SET] = "intersectSet",
		[SIDDHI_AGG_PERCENTILE_CONT] = "percentile_cont",
		[SIDDHI_AGG_PERCENTILE_DISC] = "percentile_disc",
	};

	if (k >= 0 && k < lengthof(names) && names[k])
		return names[k];
	return "aggregate";
}

/* "$1 = avg(price)": the aggregators of a query, numbered as they print */
List *
siddhi_explain_agg_items(SiddhiExplainCols *c, List *aggs)
{
	List *items = NIL;
	ListCell *lc;

	foreach(lc, aggs)
	{
		SiddhiAggPlan *a = lfirst(lc);
		char *arg = a->arg ? siddhi_explain_expr(c, (Node *) a->arg) : "";
		char *item = psprintf("$%d = %s(%s)", foreach_current_index(lc) + 1,
							  siddhi_explain_agg_name(a->kind), arg);

		if (SIDDHI_AGG_IS_PERCENTILE(a->kind))
			item = psprintf("%s at %g%s", item, a->fraction,
							a->approximate ? " (approximate: a sketch)" : "");
		items = lappend(items, item);
	}
	return items;
}

/*
 * What a window holds at most, in words: the bound on its memory.  The
 * time kinds hold every event of their span, whatever the rate.
 */
static char *
window_bound(SiddhiWindowPlan *w)
{
	switch (w->kind)
	{
		case SIDDHI_WINDOW_LENGTH:
		case SIDDHI_WINDOW_LENGTH_BATCH:
		case SIDDHI_WINDOW_SORT:
		case SIDDHI_WINDOW_UNIQUE_LENGTH:
		case SIDDHI_WINDOW_UNIQUE_LENGTH_BATCH:
		case SIDDHI_WINDOW_UNIQUE_FIRST_LENGTH_BATCH:
			return psprintf(INT64_FORMAT " events", w->length);
		case SIDDHI_WINDOW_TIME_LENGTH:
			return psprintf(INT64_FORMAT " events", w->count);
		case SIDDHI_WINDOW_FREQUENT:
			return psprintf(INT64_FORMAT " keys", w->length);
		case SIDDHI_WINDOW_LOSSY_FREQUENT:
			return psprintf("about %.0f keys (1 / error)",
							w->error > 0 ? 1 / w->error : 0);
		case SIDDHI_WINDOW_BATCH:
			return w->count > 0 ? psprintf(INT64_FORMAT " events", w->count)
								: pstrdup("the events of one arriving chunk");
		case SIDDHI_WINDOW_TIME:
		case SIDDHI_WINDOW_DELAY:
		case SIDDHI_WINDOW_HOPPING:
			return psprintf("every event of the last %s, no count limit",
							siddhi_explain_ms(w->length));
		case SIDDHI_WINDOW_TIME_BATCH:
		case SIDDHI_WINDOW_EXTERNAL_TIME_BATCH:
			return psprintf("every event of one %s batch, no count limit",
							siddhi_explain_ms(w->length));
		case SIDDHI_WINDOW_EXTERNAL_TIME:
			return psprintf("every event within %s of the latest event "
							"time, no count limit",
							siddhi_explain_ms(w->length));
		case SIDDHI_WINDOW_CRON:
			return pstrdup("every event between two firings, no count limit");
		case SIDDHI_WINDOW_EXPRESSION:
		case SIDDHI_WINDOW_EXPRESSION_BATCH:
			return pstrdup("every event while the condition holds, no count "
						   "limit");
		case SIDDHI_WINDOW_SESSION:
			return psprintf("the open sessions, at most siddhi.max_groups "
							"(%d) keys",
							siddhi_max_groups);
		case SIDDHI_WINDOW_UNIQUE_EVER:
		case SIDDHI_WINDOW_UNIQUE_FIRST:
			return psprintf("one event per key, never released, at most "
							"siddhi.max_groups (%d) keys",
							siddhi_max_groups);
		case SIDDHI_WINDOW_UNIQUE_TIME:
		case SIDDHI_WINDOW_UNIQUE_TIME_BATCH:
		case SIDDHI_WINDOW_UNIQUE_FIRST_TIME_BATCH:
		case SIDDHI_WINDOW_UNIQUE_TIME_LENGTH_BATCH:
		case SIDDHI_WINDOW_UNIQUE_EXTERNAL_TIME_BATCH:
			return psprintf("one event per key of the last %s, at most "
							"siddhi.max_groups (%d) keys",
							siddhi_explain_ms(w->length), siddhi_max_groups);
		case SIDDHI_WINDOW_NONE:
			break;
	}
	return NULL;
}

static bool
window_is_timed(SiddhiWindowKind k)
{
	switch (k)
	{
		case SIDDHI_WINDOW_TIME:
		case SIDDHI_WINDOW_TIME_BATCH:
		case SIDDHI_WINDOW_TIME_LENGTH:
		case SIDDHI_WINDOW_EXTERNAL_TIME:
		case SIDDHI_WINDOW_EXTERNAL_TIME_BATCH:
		case SIDDHI_WINDOW_DELAY:
		case SIDDHI_WINDOW_SESSION:
		case SIDDHI_WINDOW_HOPPING:
		case SIDDHI_WINDOW_UNIQUE_TIME:
		case SIDDHI_WINDOW_UNIQUE_TIME_BATCH:
		case SIDDHI_WINDOW_UNIQUE_FIRST_TIME_BATCH:
		case SIDDHI_WINDOW_UNIQUE_TIME_LENGTH_BATCH:
		case SIDDHI_WINDOW_UNIQUE_EXTERNAL_TIME_BATCH:
			return true;
		default:
			return false;
	}
}

/* "price DESC, symbol": keys with the ordering operator of each */
char *
siddhi_explain_sort_keys(SiddhiExplainCols *c, List *keys, List *ops)
{
	StringInfoData buf;
	ListCell *e, *op;

	initStringInfo(&buf);
	forboth(e, keys, op, ops)
	{
		char *cmp = get_opname(lfirst_oid(op));

		if (buf.len > 0)
			appendStringInfoString(&buf, ", ");
		appendStringInfoString(&buf, siddhi_explain_expr(c, lfirst(e)));
		if (cmp && strcmp(cmp, ">") == 0)
			appendStringInfoString(&buf, " DESC");
	}
	return buf.data;
}

/*
 * A window over rows of input (c: deparses expressions over them); folds:
 * its query folds each event as it arrives (siddhi_window_plan_folds).
 */
SiddhiExplainNode *
siddhi_explain_window(SiddhiWindowPlan *w, SiddhiExplainCols *c,
					  const char *input, bool folds)
{
	SiddhiExplainNode *n =
		siddhi_explain_node("Window", NULL, "Window", w->name);

	if (window_is_timed(w->kind))
		siddhi_explain_prop(
			n, w->kind == SIDDHI_WINDOW_SESSION ? "Gap" : "Duration",
			siddhi_explain_ms(w->length));
	else if (w->kind != SIDDHI_WINDOW_CRON &&
			 w->kind != SIDDHI_WINDOW_EXPRESSION &&
			 w->kind != SIDDHI_WINDOW_EXPRESSION_BATCH &&
			 w->kind != SIDDHI_WINDOW_LOSSY_FREQUENT &&
			 w->kind != SIDDHI_WINDOW_UNIQUE_EVER &&
			 w->kind != SIDDHI_WINDOW_UNIQUE_FIRST &&
			 w->kind != SIDDHI_WINDOW_BATCH)
		siddhi_explain_prop_int(n, "Length", w->length);
	if (w->kind == SIDDHI_WINDOW_HOPPING)
		siddhi_explain_prop(n, "Advance", siddhi_explain_ms(w->count));
	else if (w->kind == SIDDHI_WINDOW_TIME_LENGTH ||
			 w->kind == SIDDHI_WINDOW_UNIQUE_TIME_LENGTH_BATCH)
		siddhi_explain_prop_int(n, "Length", w->count);
	if (w->kind == SIDDHI_WINDOW_LOSSY_FREQUENT)
	{
		siddhi_explain_prop(n, "Support", psprintf("%g", w->support));
		siddhi_explain_prop(n, "Error", psprintf("%g", w->error));
	}
	if (w->text)
		siddhi_explain_prop(
			n, w->kind == SIDDHI_WINDOW_CRON ? "Cron" : "Expression", w->text);
	if (w->time_expr)
		siddhi_explain_prop(n, "Time",
							siddhi_explain_expr(c, (Node *) w->time_expr));
	if (w->start >= 0 && w->kind != SIDDHI_WINDOW_NONE &&
		(w->kind == SIDDHI_WINDOW_TIME_BATCH ||
		 w->kind == SIDDHI_WINDOW_EXTERNAL_TIME_BATCH))
		siddhi_explain_prop_int(n, "Start Time", w->start);
	if (w->timeout >= 0 && (w->kind == SIDDHI_WINDOW_SESSION ||
							w->kind == SIDDHI_WINDOW_EXTERNAL_TIME_BATCH))
		siddhi_explain_prop(
			n,
			w->kind == SIDDHI_WINDOW_SESSION ? "Allowed Latency" : "Timeout",
			siddhi_explain_ms(w->timeout));
	if (w->keys && w->kind == SIDDHI_WINDOW_SORT)
		siddhi_explain_prop(n, "Sort Key",
							siddhi_explain_sort_keys(c, w->keys, w->sort_ops));
	else if (w->keys)
		siddhi_explain_prop(n, "Key", siddhi_explain_exprs(c, w->keys, ", "));
	if (w->condition)
	{
		SiddhiExplainCols *wc = siddhi_explain_cols_desc(input, w->desc);

		siddhi_explain_cols_add(wc, INNER_VAR, "first", w->desc, 0,
								w->desc->natts);
		siddhi_explain_cols_add(wc, OUTER_VAR, "last", w->desc, 0,
								w->desc->natts);
		siddhi_explain_prop(n, "Condition",
							siddhi_explain_expr(wc, (Node *) w->condition));
		siddhi_explain_prop_list(n, "Aggregator",
								 siddhi_explain_agg_items(c, w->cond_aggs));
	}
	siddhi_explain_prop(n, "Bound",
						folds ? pstrdup("no event: each folds into its group "
										"as it arrives")
							  : window_bound(w));
	return n;
}
