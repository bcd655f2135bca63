/*-------------------------------------------------------------------------
 *
 * analyze_ratelimit.c
 *	  A query's output rate: output [all|first|last] every <n> events |
 *	  <t>, and output snapshot every <t> (run by src/runtime/select/ratelimit.c).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "analyze_int.h"
#include "siddhi/errors.h"
#include "siddhi/parser.h"

/*
 * output [all|first|last] every <n> events | <t>, output snapshot every <t>.
 * A snapshot shows the query's state, kept as Siddhi keeps it for the
 * query's shape: with a window, its events (one per group with group by);
 * when every output attribute is an aggregate, the latest row; without a
 * window, the latest row (per group).
 */
void
siddhi_analyze_output_rate(AnalyzeState *st, SiddhiQuery *q,
						   SiddhiQueryPlan *qp)
{
	SiddhiOutputRate *r = q->rate;
	bool all_aggregates =
		q->selector && !q->selector->select_all && q->selector->targets != NIL;
	ListCell *lc;

	if (r->value <= 0)
		ereport(ERROR, (errcode(ERRCODE_SIDDHI_SEMANTIC_ERROR),
						errmsg("output rate must be positive"),
						siddhi_errposition(st->app->source, r->location)));
	qp->rate_kind = r->kind;
	qp->rate_type = r->type;
	qp->rate_value = r->value;
	if (r->kind != SIDDHI_RATE_SNAPSHOT)
		return;
	if (qp->events == SIDDHI_EVENTS_EXPIRED)
		ereport(ERROR,
				(errcode(ERRCODE_SIDDHI_SEMANTIC_ERROR),
				 errmsg("a query with output snapshot cannot insert expired "
						"events"),
				 siddhi_errposition(st->app->source, q->output->location),
				 errhint("A snapshot shows the current state: write insert "
						 "into, or insert all events into.")));
	foreach(lc, all_aggregates ? q->selector->targets : NIL)
	{
		ResTarget *rt = lfirst(lc);
		SiddhiAggKind kind;

		if (!IsA(rt->val, FuncCall) ||
			!siddhi_agg_kind_of((FuncCall *) rt->val, &kind))
			all_aggregates = false;
	}
	if (qp->window == NULL)
		qp->rate_snapshot = SIDDHI_SNAPSHOT_LAST;
	else if (qp->aggregates != NIL && qp->group_by != NIL)
		qp->rate_snapshot = SIDDHI_SNAPSHOT_WINDOW_GROUPS;
	else if (qp->aggregates != NIL && all_aggregates)
		qp->rate_snapshot = SIDDHI_SNAPSHOT_LAST;
	else
		qp->rate_snapshot = SIDDHI_SNAPSHOT_WINDOW;
}
