/*-------------------------------------------------------------------------
 *
 * query_plain.c
 *	  A query's filter, and the short way of a plain query: one that
 *	  filters and projects each event with nothing that holds state in
 *	  between (no window, join, pattern, deduplication, rate limiter,
 *	  aggregate, window function, having, order by or limit).  Each of
 *	  the stages a query of any shape goes through (query_emit, the
 *	  selector's row and chunk end, the limiter's send) would let such an
 *	  event through unchanged; the short way takes the filter, the
 *	  projection and the output alone, with the same counters, and saves
 *	  a quarter of the projection benchmark's instructions
 *	  (bench/RESULTS.md).
 *
 *-------------------------------------------------------------------------
 */
#include "runtime_int.h"
#include "siddhi/minslot.h"

/*
 * The filter of a query that shares some of its conjuncts with other
 * queries of its app (analyze_shared.c): in order, stopping at the first
 * that is not true, as ExecQual does; a shared one's value, computed for
 * the event its stream is delivering, serves the other queries too.
 * (Outside a delivery, as in a chunk a query takes alone, the event's
 * number is 0 and nothing is shared.)
 */
bool
shared_qual_passes(QueryRuntime *q, SiddhiEventKind kind)
{
	uint64 event = q->input->event;

	OP_IN(q, SIDDHI_OP_FILTER);
	for (int k = 0; k < q->nconds; k++)
	{
		int id = q->cond_shared[k];
		SharedCondition *c = id >= 0 ? &q->app->shared[id] : NULL;
		bool value;

		if (c && event != 0 && c->event == event)
			value = c->value;
		else
		{
			bool isnull;
			Datum d =
				ExecEvalExprSwitchContext(q->conds[k], q->econtext, &isnull);

			value = !isnull && DatumGetBool(d);
			if (c)
			{
				c->event = event;
				c->value = value;
			}
		}
		if (!value)
			return false;
	}
	OP_OUT(q, SIDDHI_OP_FILTER, kind);
	return true;
}

/*
 * Whether q is plain (see the banner), decided once its selector is made,
 * and how many of the event's attributes to read at once.
 * A partition's query is routed per key (partition.c) and never takes the
 * short way; nor does a join's or pattern's side, nor a query whose
 * output contents (SQL's EMIT of a window's contents) follow expiries.
 */
void
query_plain_init(QueryRuntime *q)
{
	SiddhiQueryPlan *qp = q->plan;

	q->plain = qp != NULL && q->sel != NULL && qp->window == NULL &&
			   qp->join == NULL && qp->pattern == NULL &&
			   qp->rate_kind == SIDDHI_RATE_NONE && qp->dedup_key == NULL &&
			   !qp->contents && q->window_qual == NULL && q->apart == NULL &&
			   q->join_main == NULL && q->pattern_main == NULL &&
			   siddhi_selector_plain(q->sel);
	if (!q->plain)
		return;
	/* a filter's, when it has one: most events may stop there, and the
	 * projection reads what else it needs of those that pass */
	q->plain_reads = siddhi_expr_scan_attrs(q->qual);
	for (int k = 0; k < q->nconds; k++)
		q->plain_reads =
			Max(q->plain_reads, siddhi_expr_scan_attrs(q->conds[k]));
	if (q->qual == NULL && q->nconds == 0)
		q->plain_reads = siddhi_selector_scan_attrs(q->sel);
}

/*
 * A current event reaches plain query q (query_event's short way): the
 * filter, then the row, out at once as the selector would send it, with
 * eventTimestamp() the event's own.
 */
void
query_event_plain(QueryRuntime *q, TupleTableSlot *slot, int64 ts, int depth)
{
	int64 save_ts = siddhi_current_event_ts;
	TupleTableSlot *out;

	q->econtext->ecxt_scantuple = slot;
	siddhi_slot_read(slot, q->plain_reads);
	if (q->conds ? !shared_qual_passes(q, SIDDHI_EVENT_CURRENT)
				 : q->qual && !qual_passes(q, q->qual, SIDDHI_OP_FILTER,
										   SIDDHI_EVENT_CURRENT))
		return;
	OP_IN(q, SIDDHI_OP_SELECT);
	siddhi_current_event_ts = ts;
	out = siddhi_selector_project(q->sel, slot);
	OP_OUT(q, SIDDHI_OP_SELECT, SIDDHI_EVENT_CURRENT);
	query_deliver(q, out, ts, depth, SIDDHI_EVENT_CURRENT);
	siddhi_current_event_ts = save_ts;
}
