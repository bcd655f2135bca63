/*-------------------------------------------------------------------------
 *
 * aggregate.h
 *	  Incremental aggregators with group by (src/runtime/select/aggregate.c).
 *
 * Each group (the values of the group-by expressions) has one
 * state per aggregator, updated by adding the events a window lets in and
 * removing the ones it expires.  min and max keep a monotonic queue, so
 * removal is amortised O(1); this relies on events being removed in the
 * order they were added, which holds for every window built so far.  A
 * group is released when its last event leaves the window.
 *
 *-------------------------------------------------------------------------
 */
#ifndef SIDDHI_AGGREGATE_H
#define SIDDHI_AGGREGATE_H

#include "lib/stringinfo.h"
#include "siddhi/state.h"
#include "nodes/params.h"
#include "siddhi/analyzer.h"

typedef struct SiddhiAggregates SiddhiAggregates;
typedef struct SiddhiAggGroup SiddhiAggGroup;

/*
 * Where a group stands in the chunk its query is processing.  The caller
 * (select/selector.c) sets and clears these marks; they live in the group so that
 * finding a group's place takes O(1), however many groups a chunk touches
 * (a timeBatch flush touches every group).  Zero in a new group.
 */
typedef struct SiddhiAggMarks
{
	int pending;  /* 1 + the group's index among the chunk's outputs, or 0 */
	bool touched; /* the group lost events in this chunk */
} SiddhiAggMarks;

/* Aggregators plans (of SiddhiAggPlan) grouped by group_by (of Expr). */
extern SiddhiAggregates *siddhi_aggs_create(List *plans, List *group_by,
											MemoryContext parent);
/* ones like proto's, in cxt itself, sharing what describes them */
extern SiddhiAggregates *siddhi_aggs_create_like(const SiddhiAggregates *proto,
												 MemoryContext cxt);
/* events may leave in another order than they came: before any group */
extern void siddhi_aggs_set_unordered(SiddhiAggregates *a);

/*
 * The group of the key keys/nulls (one per group-by expression), created
 * when new and create (past siddhi.max_groups: an error), else NULL when
 * new.  keys may be overwritten with values allocated in the current
 * memory context.
 */
extern SiddhiAggGroup *siddhi_aggs_group(SiddhiAggregates *a, Datum *keys,
										 bool *nulls, bool create);

extern SiddhiAggMarks *siddhi_aggs_marks(SiddhiAggGroup *g);

/* Add (or remove, for an expired event) one event's argument values. */
extern void siddhi_aggs_update(SiddhiAggregates *a, SiddhiAggGroup *g,
							   bool add, Datum *values, bool *nulls);

/* The group's aggregate values, into params[0..n-1]. */
extern void siddhi_aggs_values(SiddhiAggregates *a, SiddhiAggGroup *g,
							   ParamExecData *params);

/* Whether no event of the group is left (it is released at chunk end). */
extern bool siddhi_aggs_group_empty(SiddhiAggGroup *g);

/* Whether g is one of a's groups. */
extern bool siddhi_aggs_holds(SiddhiAggregates *a, SiddhiAggGroup *g);

/* Release the group if no event of it is left. */
extern void siddhi_aggs_release_if_empty(SiddhiAggregates *a,
										 SiddhiAggGroup *g);

extern int64 siddhi_aggs_ngroups(SiddhiAggregates *a);
extern void siddhi_aggs_reset(SiddhiAggregates *a);
/*
 * A batch window's RESET: every group's aggregators start again, the
 * groups stay; each is passed to touch, so that the caller releases those
 * still empty at the end of its chunk (siddhi_aggs_release_if_empty).
 */
extern void siddhi_aggs_restart(SiddhiAggregates *a,
								void (*touch)(void *arg, SiddhiAggGroup *g),
								void *arg);
/*
 * A folding batch's close: the groups that got no event since the last
 * close go, the others start again and stay.
 */
extern void siddhi_aggs_restart_batch(SiddhiAggregates *a);

/*
 * Epochs (include/siddhi/state.h; select/aggregate_state.c): whether the
 * groups and their aggregators can be saved (every kind can), their state
 * appended to buf, and read back into a group map that holds no group
 * (just created, or cleared); restore emits nothing.
 */
extern bool siddhi_aggs_can_save(SiddhiAggregates *x);
extern void siddhi_aggs_serialize(SiddhiAggregates *x, StringInfo buf);
extern void siddhi_aggs_restore(SiddhiAggregates *x, SiddhiStateReader *r);

/*
 * Incremental saves: the groups that changed since the last committed one
 * (all of them when all) and the keys of saved groups gone since, appended
 * to buf; siddhi_aggs_delta_saved when that save committed.  Restore
 * applies such deltas in the order saved (the first one with all).
 */
extern void siddhi_aggs_serialize_delta(SiddhiAggregates *x, bool all,
										StringInfo buf);
extern void siddhi_aggs_delta_saved(SiddhiAggregates *x);
extern void siddhi_aggs_restore_delta(SiddhiAggregates *x,
									  SiddhiStateReader *r);
extern Size siddhi_aggs_memory(SiddhiAggregates *x);
/* after a round trip (siddhi.state_roundtrip): all changed; saved or not */
extern void siddhi_aggs_mark_all(SiddhiAggregates *x, bool saved);

/* Forget every group, as a map just created (before a restore). */
extern void siddhi_aggs_clear(SiddhiAggregates *a);

#endif /* SIDDHI_AGGREGATE_H */
