/*-------------------------------------------------------------------------
 *
 * metrics_probe.c
 *	  The state each query holds, sampled at the end of every batch into
 *	  its counters (siddhi.query_metrics, siddhi_query_* metrics).
 *
 * app.c registers, for each query with counters, its operators
 * (include/siddhi/operator.h: they stay in place for the query's life; a
 * partition swaps the states they work on per key) and its partition;
 * the engine calls siddhi_metrics_probe_sample() after each batch.  Each
 * operator adds what it holds (size): O(1) per operator (a window's
 * count, the groups of the aggregates, the pattern's partial matches);
 * the bytes are those of the operators' memory contexts, which hold
 * everything they keep.  A partition's query reports its keys and the
 * bytes of nothing else: its per-key windows and groups are not summed
 * (they are not reachable between keys without walking every key).
 *
 * Memory: one small struct per query, in TopMemoryContext, freed when
 * its app stops (siddhi_metrics_probe_drop).  An app whose start fails
 * has no runtime to stop, and its memory is gone: the probes of an app
 * being started are pending until the engine says it started
 * (siddhi_metrics_probe_commit), and dropped if it did not
 * (siddhi_metrics_probe_abort).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "nodes/pg_list.h"
#include "siddhi/metrics.h"
#include "siddhi/operator.h"
#include "siddhi/partition.h"
#include "utils/memutils.h"

typedef struct StateProbe
{
	void *app; /* the SiddhiAppRuntime, as a key */
	SiddhiQueryStats *stats;
	SiddhiOperator *opers; /* the query's, working on the current states */
	int nopers;
	SiddhiPartitionRuntime *part;
	bool live; /* its app started */
} StateProbe;

static List *probes = NIL;

void
siddhi_metrics_probe_add(void *app, SiddhiQueryStats *stats,
						 SiddhiOperator *opers, int nopers,
						 SiddhiPartitionRuntime *part)
{
	MemoryContext old;
	StateProbe *p;

	if (stats == NULL)
		return;
	old = MemoryContextSwitchTo(TopMemoryContext);
	p = palloc(sizeof(StateProbe));
	p->app = app;
	p->stats = stats;
	p->opers = opers;
	p->nopers = nopers;
	p->part = part;
	p->live = false;
	probes = lappend(probes, p);
	MemoryContextSwitchTo(old);
}

void
siddhi_metrics_probe_drop(void *app)
{
	ListCell *lc;

	foreach(lc, probes)
	{
		StateProbe *p = lfirst(lc);

		if (p->app == app)
		{
			probes = foreach_delete_current(probes, lc);
			pfree(p);
		}
	}
}

/* The app being started started: its probes are sampled from now on. */
void
siddhi_metrics_probe_commit(void)
{
	ListCell *lc;

	foreach(lc, probes)
		((StateProbe *) lfirst(lc))->live = true;
}

/* The app being started failed: its queries are gone, and their probes. */
void
siddhi_metrics_probe_abort(void)
{
	ListCell *lc;

	foreach(lc, probes)
	{
		StateProbe *p = lfirst(lc);

		if (!p->live)
		{
			probes = foreach_delete_current(probes, lc);
			pfree(p);
		}
	}
}

void
siddhi_metrics_probe_sample(void)
{
	ListCell *lc;

#ifdef SIDDHI_NO_METRICS
	return; /* bench/metrics_cost.sh's baseline */
#endif
	foreach(lc, probes)
	{
		StateProbe *p = lfirst(lc);
		SiddhiOpSize size = { -1, -1, -1, -1, -1 };

		if (!p->live)
			continue;
		if (p->part)
		{
			siddhi_stats_state(p->stats, -1, -1,
							   siddhi_partition_count(p->part), -1);
			continue;
		}
		for (int i = 0; i < p->nopers; i++)
		{
			SiddhiOperator *op = &p->opers[i];
			void *state;

			if (op->ops == NULL || op->ops->size == NULL)
				continue;
			state = siddhi_operator_state(op);
			if (state)
				op->ops->size(op, state, &size);
		}
		siddhi_stats_state(p->stats, size.events, size.groups, -1, size.bytes);
	}
}
