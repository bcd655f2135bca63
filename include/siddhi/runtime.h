/*-------------------------------------------------------------------------
 *
 * runtime.h
 *	  The engine inside a worker: junctions (one per stream relation),
 *	  query runtimes, table sinks (src/runtime/).
 *
 * Events flow depth-first: a committed chunk from the ring is replayed
 * row by row into the junction of its stream; a junction hands the event
 * to every query that reads the stream, to watching sessions, and a
 * query's output goes to the junction of its output stream or to the
 * sink of its output table.  Table rows are written at the end of the
 * batch, in the batch's transaction.
 *
 *-------------------------------------------------------------------------
 */
#ifndef SIDDHI_RUNTIME_H
#define SIDDHI_RUNTIME_H

#include "executor/tuptable.h"
#include "siddhi/analyzer.h"
#include "siddhi/clock.h" /* siddhi_now_ms() */

/* The timestamp of the event being processed (siddhi.event_timestamp()). */
extern int64 siddhi_current_event_ts;

typedef struct SiddhiAppRuntime SiddhiAppRuntime;

/* Build the runtime of an analyzed app (worker memory context current). */
extern SiddhiAppRuntime *siddhi_runtime_start_app(SiddhiAppPlan *plan);
extern void siddhi_runtime_stop_app(SiddhiAppRuntime *app);

/*
 * A sink's view of a stream: fn gets every event sent to stream relid (by
 * the ring, a source or a query), after watching sessions and before the
 * queries that read it, in the batch's transaction, as long as the app
 * runs.  fn runs in the caller's error boundary and memory context (the
 * step that sent the event): it copies what it keeps.
 */
typedef void (*SiddhiStreamHookFn)(void *arg, TupleTableSlot *slot, int64 ts,
								   bool expired);
/* The role an app runs as (its owner). */
extern Oid siddhi_runtime_app_owner(SiddhiAppRuntime *app);
extern void siddhi_runtime_add_stream_hook(SiddhiAppRuntime *app, Oid relid,
										   SiddhiStreamHookFn fn, void *arg);

/*
 * fn runs first thing in siddhi_runtime_end_batch, in the batch's
 * ambient subtransaction (sinks write their outboxes there); one only.
 */
extern void siddhi_runtime_set_batch_end_hook(void (*fn)(void));

/* Called at the start and end of every batch transaction. */
extern void siddhi_runtime_begin_batch(void);
extern void siddhi_runtime_end_batch(void);

/*
 * Feed the rows of one chunk (the layout of ipc.h) into the junction of
 * their stream relation.  Rows of a stream no query reads are skipped, and
 * so are rows written under another row type than the junction's
 * (desc_sig, see src/common/desc_guard.c).
 */
extern void siddhi_runtime_feed_chunk(Oid relid, uint32 desc_sig,
									  const char *rows, uint32 nrows);

/*
 * The same from values: row i is values/nulls [i * natts, (i + 1) * natts)
 * at time ts[i], stored in the junction's slot as they are (no tuple is
 * formed).  By-reference values need to live only for the call.
 */
extern void siddhi_runtime_feed_values(Oid relid, uint32 desc_sig, int natts,
									   const Datum *values, const bool *nulls,
									   const int64 *ts, uint32 nrows);

/*
 * Insert the rows queries buffered for a table (they are written at the
 * end of the batch, or before anything reads the table: a join, an
 * `in T` filter, a table operation).
 */
extern void siddhi_runtime_flush_table(Oid relid);

/*
 * Timers.  Apps on the wall clock: when their windows next need time to
 * pass (-1: never), and let it pass up to now.  Apps in playback: their
 * clock moves to now (siddhi.advance_clock()): only the apps userid may
 * manage (owner-role members, superusers), only the one named app unless
 * app is "".  Call inside a batch.
 */
extern int64 siddhi_runtime_next_deadline(void);
extern void siddhi_runtime_fire_timers(int64 now);
extern void siddhi_runtime_advance_playback(int64 now, Oid userid,
											const char *app);

/*
 * Epochs (src/runtime/query_state.c): the state of each query of an app
 * that changed, for the worker to save in the batch's transaction (data
 * NULL with a reason when it cannot be saved yet); marking them saved
 * once that committed; and restoring a saved one into an app just
 * started (false: no such query, or its fingerprint differs).
 */
/*
 * Part of a window saved incrementally: data NULL when there is none to
 * write; replace: the query's earlier parts go (this one holds everything).
 */
typedef struct SiddhiStatePart
{
	int64 number;
	const char *data;
	int len;
	bool replace;
} SiddhiStatePart;

typedef void (*SiddhiStateFn)(void *arg, const char *key,
							  const char *fingerprint, const char *data,
							  int len, const char *reason, double save_ms,
							  const SiddhiStatePart *part);
extern void siddhi_runtime_collect_state(SiddhiAppRuntime *app,
										 SiddhiStateFn fn, void *arg);
extern void siddhi_runtime_state_saved(SiddhiAppRuntime *app);
extern void siddhi_runtime_state_forgotten(SiddhiAppRuntime *app);
extern bool siddhi_runtime_restore_state(
	SiddhiAppRuntime *app, const char *key, const char *fingerprint,
	const char *data, int len, const SiddhiStatePart *parts, int nparts);

#endif /* SIDDHI_RUNTIME_H */
