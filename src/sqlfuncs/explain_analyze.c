/*-------------------------------------------------------------------------
 *
 * explain_analyze.c
 *	  EXPLAIN ANALYZE's per-operator counters and a query's state and
 *	  sampled time, read from the query's shared-memory entry
 *	  (src/ipc/stats.c) and put on the nodes of its plan.
 *
 * The analyzer tags each node the engine counts with its operator slot
 * (SiddhiExplainNode.op, metrics.h's SiddhiOp); the engine worker counts
 * the events into and out of each slot (src/runtime/query.c).  The
 * selector's nodes (window functions, aggregate, having, order by and
 * limit) run as one stage: its lowest node shows the rows into the
 * selector, its topmost the rows it makes.  The output's Events Out is
 * the query's own events_out (rows that reached the stream or the
 * table).
 *
 * The caller (explain.c) has checked that the user may see the app's
 * counters; the entry is looked up in the caller's database.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "miscadmin.h"
#include "siddhi/explain.h"
#include "siddhi/metrics.h"
#include "explain_analyze.h"

/* A duration bound: "2.5 us", "1 ms". */
static char *
duration_text(uint64 ns)
{
	if (ns < 1000000)
		return psprintf("%g us", ns / 1000.0);
	if (ns < UINT64CONST(1000000000))
		return psprintf("%g ms", ns / 1000000.0);
	return psprintf("%g s", ns / 1000000000.0);
}

/* The upper bound of the q-quantile of a histogram's n sampled events. */
static char *
quantile_text(const SiddhiQuerySnap *s, uint64 n, double q)
{
	uint64 rank = (uint64) ceil(q * n);
	uint64 seen = 0;

	if (rank < 1)
		rank = 1;
	for (int b = 0; b < SIDDHI_HIST_BOUNDS; b++)
	{
		seen += s->hist[b];
		if (seen >= rank)
			return psprintf("<= %s", duration_text(siddhi_hist_bound_ns(b)));
	}
	return psprintf(
		"> %s", duration_text(siddhi_hist_bound_ns(SIDDHI_HIST_BOUNDS - 1)));
}

/* The nodes of the selector, topmost first, in *sel. */
static void
put_ops(SiddhiExplainNode *n, const SiddhiQuerySnap *s, List **sel)
{
	ListCell *lc;

	if (n->op > 0)
	{
		SiddhiOp op = (SiddhiOp) (n->op - 1);

		if (op == SIDDHI_OP_SELECT)
			*sel = lappend(*sel, n);
		else
		{
			siddhi_explain_prop_int(n, "Events In", s->op_in[op]);
			siddhi_explain_prop_int(n, "Events Out",
									op == SIDDHI_OP_OUTPUT ? s->events_out
														   : s->op_out[op]);
			if (op == SIDDHI_OP_WINDOW || s->op_expired[op] > 0)
				siddhi_explain_prop_int(n, "Expired Events Out",
										s->op_expired[op]);
		}
	}
	foreach(lc, n->children)
		put_ops(lfirst(lc), s, sel);
}

void
siddhi_explain_analyze_ops(SiddhiExplainNode *root, const char *app,
						   const char *query)
{
	SiddhiQuerySnap s;
	bool used;
	List *sel = NIL;
	uint64 sampled = 0;

	for (int i = 0; siddhi_stats_snap_query(i, &used, &s); i++)
	{
		if (!used || s.dboid != MyDatabaseId || strcmp(s.app, app) != 0 ||
			strcmp(s.query, query) != 0)
			continue;
		put_ops(root, &s, &sel);
		if (sel)
		{
			SiddhiExplainNode *bottom = llast(sel);
			SiddhiExplainNode *top = linitial(sel);

			siddhi_explain_prop_int(bottom, "Events In",
									s.op_in[SIDDHI_OP_SELECT]);
			siddhi_explain_prop_int(top, "Events Out",
									s.op_out[SIDDHI_OP_SELECT]);
			if (s.op_expired[SIDDHI_OP_SELECT] > 0)
				siddhi_explain_prop_int(top, "Expired Events Out",
										s.op_expired[SIDDHI_OP_SELECT]);
		}
		/* what the query holds, as of the end of the last batch */
		if (s.events_held >= 0)
			siddhi_explain_prop_int(root, "State Events", s.events_held);
		if (s.groups >= 0)
			siddhi_explain_prop_int(root, "State Groups", s.groups);
		if (s.keys >= 0)
			siddhi_explain_prop_int(root, "State Keys", s.keys);
		if (s.state_bytes >= 0)
			siddhi_explain_prop_int(root, "State Bytes", s.state_bytes);
		for (int b = 0; b <= SIDDHI_HIST_BOUNDS; b++)
			sampled += s.hist[b];
		siddhi_explain_prop_int(root, "Sampled Events", (int64) sampled);
		if (sampled > 0)
			siddhi_explain_prop(
				root, "Time per Event",
				psprintf("p50 %s, p99 %s (one event in %d is timed)",
						 quantile_text(&s, sampled, 0.5),
						 quantile_text(&s, sampled, 0.99),
						 SIDDHI_SAMPLE_EVERY));
		return;
	}
}
