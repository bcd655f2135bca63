/*-------------------------------------------------------------------------
 *
 * percentile.h
 *	  percentile_cont, percentile_disc and percentile(x, pct) per group
 *	  (src/runtime/select/percentile.c), for select/aggregate.c.
 *
 *-------------------------------------------------------------------------
 */
#ifndef SIDDHI_PERCENTILE_H
#define SIDDHI_PERCENTILE_H

#include "siddhi/analyzer.h"

/*
 * Add (or remove) one event's non-null argument value to the state
 * *state (NULL at first: made in cxt).  Exact plans keep every value of the
 * window; approximate ones a sketch (src/common/ddsketch.c).
 */
extern void siddhi_percentile_update(MemoryContext cxt, void **state,
									 const SiddhiAggPlan *p, Datum value,
									 bool add);

/* The percentile of the values held; false when there are none. */
extern bool siddhi_percentile_value(void *state, const SiddhiAggPlan *p,
									Datum *result);

extern void siddhi_percentile_free(void *state, const SiddhiAggPlan *p);

#endif /* SIDDHI_PERCENTILE_H */
