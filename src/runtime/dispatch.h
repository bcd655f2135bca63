/*-------------------------------------------------------------------------
 *
 * dispatch.h
 *	  A stream junction's dispatch index (dispatch.c): the readers with a
 *	  dispatch key on one attribute, by value (equal to it, or on one
 *	  side of it), so that an event visits only the readers that want its
 *	  value and those without a key.
 *
 *-------------------------------------------------------------------------
 */
#ifndef SIDDHI_RUNTIME_DISPATCH_H
#define SIDDHI_RUNTIME_DISPATCH_H

#include "runtime_int.h"

/*
 * Hand the event in slot to j's readers, through the index when there is
 * one (built at the first event after the readers changed).  In the order
 * of j->consumers, as junction_emit does without it.
 */
extern void dispatch_emit(Junction *j, TupleTableSlot *slot, int64 ts,
						  int depth);

/*
 * dispatch_emit's choice, for a caller that steps the readers itself
 * (readers_step_chunk): the positions in j->consumers of the readers that
 * take the event in slot, in order, into pos (room for all of j's
 * readers); then dispatch_reader(j, pos[i], *ev) before each one's step.
 */
extern int dispatch_choose(Junction *j, TupleTableSlot *slot, int64 ts,
						   int *pos, uint64 *ev);
extern QueryRuntime *dispatch_reader(Junction *j, int pos, uint64 ev);

/*
 * The same for a query's output chunk of n rows (numbered base + 1 on):
 * each reader takes every row it wants, in order, before the next reader.
 */
extern void dispatch_emit_chunk(Junction *j, PendingOut *rows, int n,
								TupleTableSlot *slot, int depth, uint64 base);

/*
 * The same without the index: every reader of j takes every row (a named
 * window's chunk; with kinds, each row keeps its kind).
 */
extern void dispatch_chunk_all(Junction *j, PendingOut *rows, int n,
							   TupleTableSlot *slot, int depth, uint64 base,
							   bool kinds);

/*
 * The readers of j change (an app starts or stops): count the events the
 * keyed ones were spared as theirs (events_in) and build anew at the next
 * event.
 */
extern void dispatch_invalidate(Junction *j);

/* End of a chunk of j: the keyed readers' events_in brought up to date. */
extern void dispatch_credit(Junction *j);

/*
 * The apps of j's readers, each once, in the order of its first reader
 * (what playback_arrival moves): the number, and *apps, valid until the
 * readers change.
 */
extern int dispatch_apps(Junction *j, SiddhiAppRuntime ***apps);

/* j's events went to its only reader without the index (one_reader). */
extern void dispatch_note_time(Junction *j, int64 ts);

/*
 * Epochs (see dispatch.c's header): the event time of j's index, saved
 * with the state of each app whose keyed patterns read j, and taken back
 * by a junction that has had no event since the worker started.
 */
typedef struct DispatchTime
{
	bool any_ts;
	int64 max_ts;
	bool spared;
	int64 spared_max;
} DispatchTime;

/* Whether q is a pattern the index may spare events (keyed on j). */
extern bool dispatch_keyed_pattern(QueryRuntime *q);
extern void dispatch_time_get(Junction *j, DispatchTime *t);
extern void dispatch_time_restore(Junction *j, const DispatchTime *t);

#endif /* SIDDHI_RUNTIME_DISPATCH_H */
