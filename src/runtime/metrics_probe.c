/*-------------------------------------------------------------------------
 *
 * metrics_probe.c
 *	  The state each query holds, sampled at the end of every batch into
 *	  its counters (siddhi.query_metrics, siddhi_query_* metrics).
 *
 * runtime.c registers, for each query with counters, the addresses of
 * its window, aggregates and pattern pointers (they stay in place for the
 * query's life; a partition swaps what they point to per key) and its
 * partition; the engine calls siddhi_metrics_probe_sample() after each
 * batch.  Reading a size is O(1) per operator (a window's count, the
 * groups of the aggregates, the pattern's partial matches); the bytes are
 * those of the operators' memory contexts, which hold everything they
 * keep.  A partition's query reports its keys and the bytes of nothing
 * else: its per-key windows and groups are not summed (they are not
 * reachable between keys without walking every key).
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
#include "siddhi/aggregate.h"
#include "siddhi/selector.h"
#include "siddhi/metrics.h"
#include "siddhi/partition.h"
#include "siddhi/pattern.h"
#include "siddhi/window.h"
#include "utils/memutils.h"

typedef struct StateProbe
{
	void *app; /* the SiddhiAppRuntime, as a key */
	SiddhiQueryStats *stats;
	SiddhiWindow **window;
	SiddhiSelect **sel; /* its aggregators: those of the key being processed */
	SiddhiPattern **pattern;
	SiddhiPartitionRuntime *part;
	bool live; /* its app started */
} StateProbe;

static List *probes = NIL;

void
siddhi_metrics_probe_add(void *app, SiddhiQueryStats *stats,
						 SiddhiWindow **window, SiddhiSelect **sel,
						 SiddhiPattern **pattern, SiddhiPartitionRuntime *part)
{
	MemoryContext old;
	StateProbe *p;

	if (stats == NULL)
		return;
	old = MemoryContextSwitchTo(TopMemoryContext);
	p = palloc(sizeof(StateProbe));
	p->app = app;
	p->stats = stats;
	p->window = window;
	p->sel = sel;
	p->pattern = pattern;
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

/* Bytes of the memory context a palloc'd operator lives in. */
static int64
context_bytes(void *op)
{
	return (int64) MemoryContextMemAllocated(GetMemoryChunkContext(op), true);
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
		SiddhiWindow *w;
		SiddhiAggregates *a;
		SiddhiPattern *pat;
		int64 events = -1;
		int64 groups = -1;
		int64 keys = -1;
		int64 bytes = -1;

		if (!p->live)
			continue;
		w = *p->window;
		a = *p->sel ? siddhi_selector_current_aggs(*p->sel) : NULL;
		pat = *p->pattern;

		if (p->part)
		{
			keys = siddhi_partition_count(p->part);
			siddhi_stats_state(p->stats, -1, -1, keys, -1);
			continue;
		}
		if (w || a || pat)
			bytes = 0;
		if (w)
		{
			events = siddhi_window_size(w);
			bytes += (int64) MemoryContextMemAllocated(w->cxt, true);
		}
		if (a)
		{
			groups = siddhi_aggs_ngroups(a);
			bytes += context_bytes(a);
		}
		if (pat)
			bytes += context_bytes(pat);
		siddhi_stats_state(p->stats, events, groups, keys, bytes);
	}
}
