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

#include "lib/stringinfo.h"
#include "siddhi/analyzer.h"
#include "siddhi/state.h"

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

/*
 * Epochs: the state appended to buf (exact: every value in order; a
 * sketch: all of it, its buckets' layout included, so it goes on exactly
 * as it would have); read back into a new state made in cxt.
 */
extern void siddhi_percentile_serialize(void *state, const SiddhiAggPlan *p,
										StringInfo buf);
extern void *siddhi_percentile_restore(MemoryContext cxt,
									   const SiddhiAggPlan *p,
									   SiddhiStateReader *r);

#endif /* SIDDHI_PERCENTILE_H */
