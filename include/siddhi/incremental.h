/*-------------------------------------------------------------------------
 *
 * incremental.h
 *	  Incremental aggregations at run time (src/runtime/aggregation/incremental.c).
 *
 *-------------------------------------------------------------------------
 */
#ifndef SIDDHI_INCREMENTAL_H
#define SIDDHI_INCREMENTAL_H

#include "executor/tuptable.h"
#include "siddhi/analyzer.h"

typedef struct SiddhiIncremental SiddhiIncremental;

/* siddhi.aggregation_max_buckets: deltas one aggregation holds */
extern int siddhi_aggregation_max_buckets;

/* Build one aggregation's runtime in cxt (the app's); owner runs it. */
extern SiddhiIncremental *siddhi_incremental_start(SiddhiAggregationPlan *ap,
												   Oid owner,
												   MemoryContext cxt);
extern void siddhi_incremental_stop(SiddhiIncremental *inc);

/* The aggregation's name, for messages. */
extern const char *siddhi_incremental_name(SiddhiIncremental *inc);
/* The owner of its app, and the stream it reads (a privilege check). */
extern Oid siddhi_incremental_owner(SiddhiIncremental *inc);
extern Oid siddhi_incremental_input(SiddhiIncremental *inc);

/*
 * An error of the aggregation (already rolled back): log it, at most once
 * per siddhi.error_log_interval for the aggregation, saying what it cost
 * ("event skipped").  Frees edata.
 */
extern void siddhi_incremental_error(SiddhiIncremental *inc, ErrorData *edata,
									 const char *cost);

/* Add one current event (the stream's slot, its timestamp in ms). */
extern void siddhi_incremental_feed(SiddhiIncremental *inc,
									TupleTableSlot *slot, int64 ts);

/*
 * A playback aggregation's purge schedule: the next purge's time (0: none
 * yet, the first event sets it) and whether one ran.  Its tables hold its
 * buckets; this is the rest of its state, saved with the app's own state
 * (src/runtime/query_state.c) so that a restarted app purges when an
 * uninterrupted one would.
 */
extern void siddhi_incremental_schedule(SiddhiIncremental *inc,
										int64 *next_purge, bool *purged);
extern void siddhi_incremental_set_schedule(SiddhiIncremental *inc,
											int64 next_purge, bool purged);

/* Upsert every aggregation's buckets changed in this batch; reset them. */
extern void siddhi_incremental_flush_all(void);

/* The start (ms) of the bucket of granularity g (0 = sec) holding ts. */
extern int64 siddhi_incremental_bucket(int g, int64 ts);

#endif /* SIDDHI_INCREMENTAL_H */
