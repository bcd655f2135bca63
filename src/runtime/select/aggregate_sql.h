/*-------------------------------------------------------------------------
 *
 * aggregate_sql.h
 *	  The aggregators SQL adds to Siddhi's (aggregate_sql.c): sample and
 *	  population statistics, COUNT(x), SUM/AVG(DISTINCT x), intersectSet.
 *
 * Private to src/runtime/select: aggregate.c keeps one SiddhiAggExtra per
 * group and aggregator of these kinds and hands it every non-null value
 * added or removed.
 *
 *-------------------------------------------------------------------------
 */
#ifndef SIDDHI_AGGREGATE_SQL_H
#define SIDDHI_AGGREGATE_SQL_H

#include "fmgr.h"
#include "nodes/params.h"
#include "siddhi/analyzer.h"
#include "siddhi/state.h"

/* How a set aggregator takes its arrays apart (unionSet, intersectSet). */
typedef struct SiddhiSetType
{
	Oid elemtype;
	int16 typlen;
	bool byval;
	char align;
	FmgrInfo out;  /* elements are told apart by their text */
	FmgrInfo hash; /* COUNT(DISTINCT x): x's extended hash function */
	Oid collation; /* and x's collation */
} SiddhiSetType;

typedef struct SiddhiAggExtra SiddhiAggExtra;

/* Whether aggregate_sql.c runs aggregators of this kind. */
extern bool siddhi_aggx_handles(SiddhiAggKind kind);

/* Fill in st for aggregator p, of a kind handled here (in cxt). */
extern void siddhi_aggx_prepare(SiddhiSetType *st, const SiddhiAggPlan *p,
								MemoryContext cxt);

/*
 * Add (or remove) one non-null value; *x is created in cxt on the first
 * one.  st describes the sets of intersectSet, else NULL.
 */
extern void siddhi_aggx_update(SiddhiAggExtra **x, const SiddhiAggPlan *p,
							   const SiddhiSetType *st, Datum value, bool add,
							   MemoryContext cxt);

/* The aggregator's value (x NULL: no value added yet). */
extern void siddhi_aggx_value(const SiddhiAggExtra *x, const SiddhiAggPlan *p,
							  const SiddhiSetType *st, ParamExecData *out);

/* Free what x holds (and x). */
extern void siddhi_aggx_free(SiddhiAggExtra *x, const SiddhiSetType *st);

/*
 * Epochs: x's state appended to buf; read back into a new one made in cxt
 * (aggregate_state.c calls these for a group's aggregator).
 */
extern void siddhi_aggx_serialize(const SiddhiAggExtra *x,
								  const SiddhiAggPlan *p,
								  const SiddhiSetType *st, StringInfo buf);
extern SiddhiAggExtra *siddhi_aggx_restore(const SiddhiAggPlan *p,
										   const SiddhiSetType *st,
										   SiddhiStateReader *r,
										   MemoryContext cxt);

#endif /* SIDDHI_AGGREGATE_SQL_H */
