/*-------------------------------------------------------------------------
 *
 * window.h
 *	  Windows over a query's input events (src/runtime/window/).
 *
 * A window takes events one at a time and hands back, through a callback,
 * the events its query must process, each marked current or expired, in
 * Siddhi's order: the expired events an arrival pushes out come before
 * the arrival itself.  A window owns copies of the tuples it keeps, in its
 * own memory context; a tuple passed to the callback is valid only during
 * the call.  An event that leaves the window is emitted as expired with the
 * same tuple pointer it was emitted with as current (named windows mirror
 * their contents into a table by that pointer), or with one that was
 * never emitted as current when the window never emitted it (batches).
 *
 * Each kind of window is a SiddhiWindowOps in one of the window*.c files,
 * registered in window.c.  Every window documents its memory bound there
 * and in docs/reference.md.
 *
 * The runtime evaluates the per-event values below from the plan; a window
 * that needs more evaluated (expression, expressionBatch: a condition over
 * the event, the window's first and last events and aggregators) does it
 * itself, from the plan's condition, cond_aggs and desc, in an ExprContext
 * of its own (window_expression.c); the ops stay the same.
 *
 *-------------------------------------------------------------------------
 */
#ifndef SIDDHI_WINDOW_H
#define SIDDHI_WINDOW_H

#include "access/htup_details.h"
#include "lib/stringinfo.h"
#include "siddhi/state.h"
#include "siddhi/analyzer.h"

typedef enum SiddhiEventKind
{
	SIDDHI_EVENT_CURRENT,
	SIDDHI_EVENT_EXPIRED,
	SIDDHI_EVENT_CHUNK_END, /* no tuple: the events of one step are out */
	SIDDHI_EVENT_RESET		/* no tuple: a batch window of resets_batches
							 * closed a batch; its query's aggregators
							 * start again (Siddhi's RESET); one that
							 * folds_batches: the query first outputs
							 * the rows it folded */
} SiddhiEventKind;

typedef void (*SiddhiEventFn)(void *arg, SiddhiEventKind kind,
							  MinimalTuple tuple, int64 timestamp);

/*
 * One arriving event with the values the runtime computed for its window
 * from the plan: ext from time_expr (externalTime*), start from
 * start_expr, key from keys (the keys' text joined, for the windows that
 * group by a key), values/isnull from keys (sort).
 */
typedef struct SiddhiWindowEvent
{
	MinimalTuple tuple;
	TupleDesc desc; /* the tuple's */
	int64 timestamp;
	/*
	 * the clock as it arrives (0: its timestamp): later for a late event
	 * in playback or a row of a chunk from upstream; length windows stamp
	 * what it expires with it, as Siddhi's stamp with their current time
	 */
	int64 now;
	int64 ext;
	int64 start;
	const char *key;
	int keylen;
	Datum *values;
	bool *isnull;
} SiddhiWindowEvent;

typedef struct SiddhiWindow SiddhiWindow;

typedef struct SiddhiWindowOps
{
	/* Set up a window of this kind: allocate it (at least a SiddhiWindow). */
	SiddhiWindow *(*create)(const SiddhiWindowPlan *plan, MemoryContext cxt);
	/* One arriving event: emit what it causes. */
	void (*add)(SiddhiWindow *w, const SiddhiWindowEvent *ev, SiddhiEventFn fn,
				void *arg);
	/*
	 * Time passes, the clock is now `now` (ms): expire or flush what is
	 * due, each step ending with SIDDHI_EVENT_CHUNK_END.  NULL: never.
	 */
	void (*advance)(SiddhiWindow *w, int64 now, SiddhiEventFn fn, void *arg);
	/* When advance is next needed, or -1 for never.  NULL: never. */
	int64 (*deadline)(SiddhiWindow *w);
	/*
	 * The window's contents, as current events, oldest first: the events
	 * it emitted as current and has not yet expired (a batch window's last
	 * batch, not the one it is collecting).
	 */
	void (*scan)(SiddhiWindow *w, SiddhiEventFn fn, void *arg);
	/* Events the window holds now. */
	int64 (*size)(SiddhiWindow *w);
	/*
	 * The chunk of input the last events came in has ended (batch): emit
	 * what that causes, ending with SIDDHI_EVENT_CHUNK_END.  The clock is
	 * now.  NULL: chunks mean nothing to this window.
	 */
	void (*input_end)(SiddhiWindow *w, int64 now, SiddhiEventFn fn, void *arg);

	/*
	 * Epochs (include/siddhi/state.h): append everything the window holds
	 * (events, times, its place in a batch) to buf; and read that back into
	 * a window just created from the same plan, emitting nothing.  NULL:
	 * this kind cannot be saved yet (its query is not saved).
	 */
	void (*serialize)(SiddhiWindow *w, StringInfo buf);
	void (*restore)(SiddhiWindow *w, SiddhiStateReader *r);

	/*
	 * Incremental saves, for the first in, first out kinds (NULL, or false:
	 * whole saves only).  Each event that enters gets the next sequence
	 * number.  serialize_parts appends to head what the window is besides
	 * its events (times, counters) and to events the events it holds with
	 * a sequence number from since on; *first is the oldest one held, *next
	 * the one the next event will get.  restore_parts reads a head and the
	 * events parts saved one after the other, in order: events older than
	 * the head's oldest left after their part was saved and are skipped.
	 */
	bool (*serialize_parts)(SiddhiWindow *w, int64 since, StringInfo head,
							StringInfo events, int64 *first, int64 *next);
	void (*restore_parts)(SiddhiWindow *w, SiddhiStateReader *head,
						  SiddhiStateReader *parts, int nparts);

	/*
	 * advance is Siddhi's timer for it, and Siddhi delivers timers when
	 * the clock moves (an input arrives), never while what one arrival
	 * causes goes through the app: the runtime then catches the window up
	 * once per arrival, before the first row that reaches it.  What
	 * Siddhi checks against the clock at every row (a time window's
	 * expiries) the window's add does itself, in the arrival's chunk.
	 * false: caught up before every row (the unique: windows).
	 */
	bool timers_between_chunks;
} SiddhiWindowOps;

/* What every window starts with. */
struct SiddhiWindow
{
	const SiddhiWindowOps *ops;
	const SiddhiWindowPlan *plan;
	MemoryContext cxt; /* the window's own; everything it keeps is here */
	struct WindowIndex *index; /* by plan->index_attno, or NULL */
	bool resets_batches;	   /* siddhi_window_reset_batches */
	bool folds_batches;		   /* siddhi_window_fold_batches */
	uint64 caught_up;		   /* the driver's: arrival of its last advance */
	bool timed;				   /* siddhi_window_kind_timed of its kind */
	/*
	 * The current event being handed out is one the window does not hold
	 * (window_emit_passing): it will never be expired, so a reader that
	 * keeps the window's contents (a named window's table) skips it.
	 */
	bool passing;
};

/* Whether the runtime has this kind of window. */
extern bool siddhi_window_supported(SiddhiWindowKind kind);

/* A window for the plan, in a context under parent. */
extern SiddhiWindow *siddhi_window_create(const SiddhiWindowPlan *plan,
										  MemoryContext parent);
/* whether a window of the kind hands an arrival out last in its add */
extern bool siddhi_window_kind_current_last(SiddhiWindowKind kind);
/* whether the window's add does nothing after handing the arrival out */
extern bool siddhi_window_hands_arrival_last(SiddhiWindow *w);
/* whether a window of the kind may ever have time due */
extern bool siddhi_window_kind_timed(SiddhiWindowKind kind);
/* the same as siddhi_window_create, in cxt itself: freed with it (a
 * partition key's) */
extern SiddhiWindow *siddhi_window_create_in(const SiddhiWindowPlan *plan,
											 MemoryContext cxt);

/*
 * Nothing will ever need the expired events of this window's batches (its
 * query outputs current events only and no one scans it): a tumbling
 * batch window (timeBatch, lengthBatch) then keeps no emitted batch to
 * expire, and each time it closes a batch emits SIDDHI_EVENT_RESET before
 * the batch's events, as Siddhi's batch windows do when their output
 * expects no expired events.  Call it on a window just created; returns
 * whether this kind does so.
 */
extern bool siddhi_window_reset_batches(SiddhiWindow *w);

/*
 * And its query folds each event into its groups as it arrives
 * (siddhi_window_plan_folds): the window, which resets its batches, then
 * keeps no event at all.  Each arrival goes out at once as current, and
 * at each close of a batch that had events it emits SIDDHI_EVENT_RESET
 * alone, on which the query outputs the rows it folded and starts its
 * aggregators again.  Returns whether the window resets its batches (and
 * so now folds them).
 */
extern bool siddhi_window_fold_batches(SiddhiWindow *w);

/* Whether time passes for it only between input chunks (ops above). */
static inline bool
siddhi_window_timers_between_chunks(SiddhiWindow *w)
{
	return w->ops->timers_between_chunks;
}

extern void siddhi_window_add(SiddhiWindow *w, const SiddhiWindowEvent *ev,
							  SiddhiEventFn fn, void *arg);
extern void siddhi_window_advance(SiddhiWindow *w, int64 now, SiddhiEventFn fn,
								  void *arg);
extern int64 siddhi_window_deadline(SiddhiWindow *w);
extern void siddhi_window_scan(SiddhiWindow *w, SiddhiEventFn fn, void *arg);
extern int64 siddhi_window_size(SiddhiWindow *w);
extern bool siddhi_window_wants_input_end(SiddhiWindow *w);
extern void siddhi_window_input_end(SiddhiWindow *w, int64 now,
									SiddhiEventFn fn, void *arg);

/* Whether this kind of window can be saved (serialize and restore). */
extern bool siddhi_window_can_save(SiddhiWindow *w);
extern void siddhi_window_serialize(SiddhiWindow *w, StringInfo buf);

/* Incremental saves (the ops above); false: this kind has none. */
extern bool siddhi_window_serialize_parts(SiddhiWindow *w, int64 since,
										  StringInfo head, StringInfo events,
										  int64 *first, int64 *next);
extern void siddhi_window_restore_parts(SiddhiWindow *w,
										SiddhiStateReader *head,
										SiddhiStateReader *parts, int nparts,
										TupleDesc desc);

/*
 * Restore a window just created: its contents, and its join index (which
 * reads the key of each event: desc is the row type of its events).
 */
extern void siddhi_window_restore(SiddhiWindow *w, SiddhiStateReader *r,
								  TupleDesc desc);

/*
 * The hash the window's index took of the key of the event it entered
 * last, when that event's tuple is t, its key attno and its hash function
 * and collation kh's (a join's arrival, probing the other side with the same key):
 * the arrival need not hash its key again.  False otherwise.
 */
struct SiddhiKeyHash;
extern bool siddhi_window_newest_hash(SiddhiWindow *w, MinimalTuple t,
									  AttrNumber attno,
									  const struct SiddhiKeyHash *kh,
									  uint32 *hash);

/*
 * The events held whose index key hashes to hash (plan->index_attno,
 * window_index.c), oldest first, as scan hands them out; a superset of
 * those whose key equals the probe's.  False, having called nothing,
 * when the window keeps no usable index: scan it instead.
 */
extern bool siddhi_window_probe(SiddhiWindow *w, uint32 hash, SiddhiEventFn fn,
								void *arg);

/* A copy of tuple in the window's context. */
extern MinimalTuple siddhi_window_keep(SiddhiWindow *w, MinimalTuple tuple);

/* The kinds each window*.c file provides. */
extern const SiddhiWindowOps siddhi_length_window_ops;
extern const SiddhiWindowOps siddhi_length_batch_window_ops;
extern const SiddhiWindowOps siddhi_time_window_ops;
extern const SiddhiWindowOps siddhi_time_batch_window_ops;
extern const SiddhiWindowOps siddhi_time_length_window_ops;
extern const SiddhiWindowOps siddhi_external_time_window_ops;
/* window_batch.c */
extern const SiddhiWindowOps siddhi_external_time_batch_window_ops;
extern const SiddhiWindowOps siddhi_batch_window_ops;
extern const SiddhiWindowOps siddhi_hopping_window_ops;
/* window_sort.c */
extern const SiddhiWindowOps siddhi_sort_window_ops;
/* window_delay.c */
extern const SiddhiWindowOps siddhi_delay_window_ops;
extern const SiddhiWindowOps siddhi_cron_window_ops;
extern const SiddhiWindowOps siddhi_session_window_ops; /* window_session.c */
extern const SiddhiWindowOps
	siddhi_expression_window_ops; /* window_expression.c */
extern const SiddhiWindowOps siddhi_expression_batch_window_ops;
/* window_unique.c */
extern const SiddhiWindowOps siddhi_unique_ever_window_ops;
extern const SiddhiWindowOps siddhi_unique_first_window_ops;
extern const SiddhiWindowOps siddhi_unique_length_window_ops;
extern const SiddhiWindowOps siddhi_unique_length_batch_window_ops;
extern const SiddhiWindowOps siddhi_unique_first_length_batch_window_ops;
extern const SiddhiWindowOps siddhi_unique_time_window_ops;
extern const SiddhiWindowOps siddhi_unique_time_batch_window_ops;
extern const SiddhiWindowOps siddhi_unique_first_time_batch_window_ops;
extern const SiddhiWindowOps siddhi_unique_time_length_batch_window_ops;
extern const SiddhiWindowOps siddhi_unique_external_time_batch_window_ops;
/* window_frequent.c */
extern const SiddhiWindowOps siddhi_frequent_window_ops;
extern const SiddhiWindowOps siddhi_lossy_frequent_window_ops;

/*
 * #unique:deduplicate(key, interval), a stateful filter before the window
 * (window_unique.c): whether an event with this key text at time ts
 * passes, remembering it when it does.  The state is in cxt.
 */
typedef struct SiddhiDedup SiddhiDedup;

extern SiddhiDedup *siddhi_dedup_create(int64 interval, MemoryContext cxt);
extern bool siddhi_dedup_admit(SiddhiDedup *d, const char *key, int keylen,
							   int64 ts);

/*
 * Epochs (include/siddhi/state.h): whether a deduplicate (its keys and their times) can be saved, its state
 * appended to buf, and read back into one just created (restore emits
 * nothing).
 */
extern bool siddhi_dedup_can_save(SiddhiDedup *x);
extern void siddhi_dedup_serialize(SiddhiDedup *x, StringInfo buf);
extern void siddhi_dedup_restore(SiddhiDedup *x, SiddhiStateReader *r);

#endif /* SIDDHI_WINDOW_H */
