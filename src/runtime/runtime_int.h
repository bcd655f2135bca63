/*-------------------------------------------------------------------------
 *
 * runtime_int.h
 *	  What the files of the runtime's driver share (the .c files of src/runtime/):
 *	  junctions, named windows, query runtimes, apps, partitions and
 *	  triggers, and the functions one file calls in another.
 *
 *-------------------------------------------------------------------------
 */
#ifndef SIDDHI_RUNTIME_INT_H
#define SIDDHI_RUNTIME_INT_H

#include "postgres.h"

#include "access/heapam.h"
#include "common/hashfn.h"
#include "access/table.h"
#include "access/tableam.h"
#include "catalog/pg_class.h"
#include "access/xact.h"
#include "commands/trigger.h"
#include "executor/executor.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "parser/parsetree.h"
#include "siddhi/batch.h"
#include "siddhi/depend.h"
#include "siddhi/errors.h"
#include "siddhi/join.h"
#include "siddhi/partition.h"
#include "siddhi/pattern.h"
#include "siddhi/ipc.h"
#include "siddhi/metrics.h"
#include "siddhi/operator.h"
#include "siddhi/ratelimit.h"
#include "siddhi/selector.h"
#include "siddhi/state.h"
#include "siddhi/topn.h"
#include "siddhi/runtime.h"
#include "siddhi/table_ops.h"
#include "siddhi/usercode.h"
#include "siddhi/cron.h"
#include "pgtime.h"
#include "siddhi/window.h"
#include "siddhi/window_mirror.h"
#include "siddhi/aggregate.h"
#include "siddhi/over.h"
#include "siddhi/incremental.h"
#include "lib/stringinfo.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/hsearch.h"
#include "utils/json.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/resowner.h"
#include "utils/sortsupport.h"
#include "utils/timestamp.h"

/* chains deeper than this are taken for a loop between queries */
#define MAX_CHAIN_DEPTH 64

typedef struct QueryRuntime QueryRuntime;

/*
 * A query's stateful operators (QueryRuntime.opers), in the order a
 * partition key's state is saved (partition_state.c).
 */
typedef enum QueryOp
{
	QOP_DEDUP,
	QOP_WINDOW,
	QOP_AGGS,
	QOP_RATE,
	QOP_PATTERN,
	QOP_COUNT
} QueryOp;

typedef struct NamedWindow NamedWindow;
typedef struct AppPartition AppPartition;

/* What a window needs evaluated for each arriving event, from its plan. */
typedef struct WindowArgs
{
	const char *name; /* the window's, for messages */
	ExprState *time;  /* externalTime*: the event's time */
	ExprState *start; /* externalTimeBatch: start from an attribute */
	int nkeys;
	ExprState **keys; /* the window's key or sort attributes */
	FmgrInfo *key_out;
	Datum *values;
	bool *nulls;
	StringInfoData keybuf;
} WindowArgs;

typedef struct Junction
{
	Oid relid; /* hash key */
	char *name;
	TupleDesc desc;		   /* blessed, for JSON output */
	uint32 desc_sig;	   /* siddhi_desc_signature(desc) */
	TupleTableSlot *slot;  /* holds events fed from the ring */
	TupleTableSlot *ahead; /* a later row of the chunk (query_chunk.c) */
	List *consumers;	   /* of QueryRuntime * */
	NamedWindow *named;	   /* a named window's: events go through it */
	List *aggregations;	   /* of SiddhiIncremental *: current events */
	List *hooks;		   /* of StreamHook *: sinks of the stream */
	struct DispatchIndex *dispatch; /* dispatch.c: consumers by value */
	uint64 event;  /* the event being delivered (shared conditions) */
	uint64 events; /* events delivered: the next one's number - 1 */
	SiddhiErrorLog watch_log; /* events its watchers could not be sent */
} Junction;

/*
 * A condition queries of an app share (analyze_shared.c): its value for
 * the event its stream's junction delivered as number event.
 */
typedef struct SharedCondition
{
	uint64 event; /* 0: none yet */
	bool value;
} SharedCondition;

/*
 * A subexpression queries of an app compute from the event of one stream
 * (shared_expr.c): its value for the event its junction delivered as
 * number event.
 */
typedef struct SharedExpr
{
	Junction *junction;
	ExprState *state;
	Oid type;
	int16 typlen;
	bool byval;
	uint64 event; /* 0: none kept */
	Datum value;  /* by reference: in cxt */
	bool isnull;
	MemoryContext cxt;
} SharedExpr;

/* siddhi_runtime_add_stream_hook(): a sink watching a stream. */
typedef struct StreamHook
{
	SiddhiAppRuntime *app;
	SiddhiStreamHookFn fn;
	void *arg;
	SiddhiErrorLog log; /* events it failed on */
} StreamHook;

/*
 * What the epochs keep of one unit of saved state, a query or a named
 * window (query_state.c): its key and fingerprint, made once, whether it
 * changed, and where the incremental saves of its window stand.
 */
typedef struct StateTrack
{
	char *key;
	char *fp;
	bool dirty;			  /* changed since its state was last saved */
	bool unsaveable_told; /* why it is not saved was handed out */
	bool oversize;		  /* over siddhi.max_state_size, said so */
	/* incremental saves of its window: the next event to save, the next
	 * part's number, the bytes of the parts saved; and the same as they
	 * will be once the batch saving them commits */
	int64 since;
	int64 part;
	int64 part_bytes;
	bool pending;
	int64 pend_since;
	int64 pend_part;
	int64 pend_bytes;
	/* a query's groups, or a partitioned query's keys, are in the parts
	 * saved (else the next part has all) */
	bool groups_saved;
	bool pend_groups;
	/* a partitioned query's keys (partition_state.c): those changed in a
	 * save generation after keys_gen are not saved yet; those numbered
	 * keys_seq or later are in no saved part */
	uint64 keys_gen;
	int64 keys_seq;
	uint64 pend_keys_gen;
	int64 pend_keys_seq;
} StateTrack;

/*
 * A named window: events sent to its junction enter the window, and what
 * the window emits goes to the junction's watchers and consumers, marked
 * current or expired.  Its contents are mirrored into its table.
 */
/*
 * reentry.c: the events that came back, through a loop, into a query or
 * named window while it was still working (src/runtime/reentry.c).
 */
typedef struct Deferred
{
	QueryRuntime *q; /* the query to step (NULL: the named window) */
	int step;		 /* a QueryStep */
	TupleDesc desc;
	MinimalTuple tuple; /* NULL for a step without one */
	int64 ts;
	int depth;
	SiddhiEventKind kind;
	bool end_chunk;
} Deferred;

typedef struct Reentry
{
	int busy;	   /* steps under way (0 or 1) */
	uint64 batch;  /* the batch they began in */
	bool draining; /* the queue is being worked off */
	List *queue;   /* of Deferred, oldest first, in cxt */
	MemoryContext cxt;
} Reentry;

/*
 * out_chunk.c: the rows a query sent to its output stream in one step,
 * waiting for the step's end to go to the stream's junction together, as
 * one chunk (each reader takes the whole chunk before the next one).
 */
typedef struct PendingOut
{
	Datum *values; /* the row's, by-reference ones copied, in OutChunk.cxt */
	bool *isnull;
	int64 ts;
	bool expired;
} PendingOut;

typedef struct OutChunk
{
	PendingOut *rows; /* in the app's context */
	int n;
	int max;
	int kept;  /* rows of steps that ended well (the rest: the step's) */
	int depth; /* of the step that sent them */
	bool flushing;
	SiddhiPartInstance *key; /* a partition's key they were sent for */
	MemoryContext cxt;		 /* the rows' values, reset now and then */
	int held;				 /* rows flushed since cxt was reset */
	TupleTableSlot *slot;	 /* the output stream's: each row in turn */
} OutChunk;

struct NamedWindow
{
	SiddhiAppRuntime *app;
	Junction *junction;
	SiddhiWindow *window;
	WindowArgs args;
	ExprContext *econtext;
	SiddhiEventType output;	  /* which events readers get */
	TupleTableSlot *out_slot; /* holds the events the window emits */
	SiddhiWindowMirror *mirror;
	int depth;			   /* of the event being processed */
	bool delivered;		   /* readers got events since their last chunk end */
	SiddhiErrorLog errlog; /* its mirror's failures, rate limited */
	SiddhiNamedWindowPlan *plan; /* its definition (epochs) */
	StateTrack st;				 /* named_window_state.c: its saves */
	Reentry reentry;			 /* events that looped back into it */
	OutChunk outc;				 /* what it emitted in this step */
};

typedef struct TableRow
{
	QueryRuntime *query;
	MinimalTuple tuple;
} TableRow;

typedef struct TableSink
{
	Oid relid;	/* hash key */
	List *rows; /* of TableRow *, in the batch context */
} TableSink;

struct QueryRuntime
{
	SiddhiAppRuntime *app;
	char *name;
	Oid owner;
	SiddhiQueryStats *stats;
	pg_atomic_uint64 *opc; /* its per-operator counters (OP_IN, OP_OUT) */
	Reentry reentry;	   /* events that looped back into it (reentry.c) */
	SiddhiErrorLog errlog; /* its errors' LOG lines, rate limited */
	ExprContext *econtext;
	ExprState *qual; /* filters before the window */
	/* or instead, when some of them are shared: each conjunct, and its
	 * number in app->shared or -1 */
	int nconds;
	ExprState **conds;
	int *cond_shared;
	SiddhiDedup *dedup; /* #unique:deduplicate, or NULL */
	ExprState *dedup_key;
	FmgrInfo dedup_key_out;
	StringInfoData dedup_keybuf;
	ExprState *dedup_qual;		 /* filters after deduplicate */
	SiddhiWindow *window;		 /* or NULL */
	WindowArgs window_args;		 /* what the window needs of each event */
	TupleTableSlot *window_slot; /* holds events the window emits */
	ExprState *window_qual;		 /* filters after the window */
	SiddhiEventType events;		 /* current, expired or all events go out */
	/* projection, group by, having, order by, limit (select/selector.c) */
	SiddhiSelect *sel; /* NULL: a join's or pattern's other side */
	/* output rate limiting (ratelimit.c), or NULL */
	SiddhiRateLimiter *rate;
	TupleTableSlot *rate_slot; /* holds the rows the limiter lets go */
	TupleTableSlot *out_slot;
	Junction *input;
	Junction *output; /* output stream, or NULL */
	bool sent_out;	  /* sent to output since its input chunk last ended */
	OutChunk outc;	  /* what this step sent there so far (out_chunk.c) */
	Oid table_relid;  /* output table, or InvalidOid */
	SiddhiTableOp *table_op; /* delete/update/upsert on it, or NULL */
	/* a join (join.c): the query reads its primary side, join_other the
	 * other (a runtime of filters and window only, feeding join_main) */
	SiddhiJoin *join;
	QueryRuntime *join_other;
	QueryRuntime *join_main;
	/*
	 * a pattern or sequence (pattern.c): the compiled program and, behind
	 * one pointer, all of its mutable state (a partition keeps one per
	 * key).  The query reads the pattern's first stream; a runtime per
	 * other stream (pattern_main pointing back, pattern_stream its number)
	 * feeds it.
	 */
	SiddhiPatternProgram *pattern_prog;
	SiddhiPattern *pattern;
	QueryRuntime *pattern_main;
	int pattern_stream;
	/*
	 * Its stateful operators through the operator interface
	 * (query_ops.c): ops NULL where the query has none of the kind.
	 */
	SiddhiOperator opers[QOP_COUNT];
	/*
	 * a query of a partition: window, dedup, aggs, rate and pattern above
	 * belong to the key being processed (partition_enter), NULL between
	 * keys
	 */
	AppPartition *apart;
	int part_index; /* in apart->queries */
	/*
	 * the key whose chunk of a named window's events is open (each key's
	 * run of a multi-event chunk is one chunk, as Siddhi's partition
	 * receiver sends it), or NULL
	 */
	SiddhiPartInstance *chunk_key;
	SiddhiQueryPlan *plan;		   /* to make a key's state; NULL: join side */
	SiddhiWindowPlan *window_plan; /* likewise */
	bool inner_input;			   /* reads a #inner stream of apart */
	StateTrack st;				   /* query_state.c: its saves (epochs) */
	/* a partitioned query's saved keys released since its last committed
	 * save (partition_state.c): their texts and numbers, and how many */
	StringInfo keys_gone;
	int64 nkeys_gone;
	int64 keys_bytes;	 /* the sum of its keys' saved_bytes: all its keys */
	uint64 read_checked; /* batch whose SELECT check on input was made */
	bool read_denied;	 /* and it failed: the batch's events are skipped */
	bool plain;			 /* query_plain_init: its events go the short way */
	int plain_reads;	 /* attributes of its events they read */
	int window_reads;	 /* of each event its window hands out, read at once */
};

/* The state of one query for one key of its partition. */
typedef struct QueryKeyState
{
	/* epochs (partition_state.c): the save generation it last changed in,
	 * and the bytes of its record when last written */
	uint64 changed;
	int32 saved_bytes;
	void *states[QOP_COUNT]; /* QueryRuntime.opers' */
} QueryKeyState;

/*
 * A partition (partition.c keeps its keys): its queries, and the key whose
 * state they hold now, if any.
 */
struct AppPartition
{
	SiddhiAppRuntime *app;
	SiddhiPartitionRuntime *rt;
	List *queries; /* of QueryRuntime *, join and pattern sides included */
	SiddhiPartInstance *current;
	/* partition_chunk_every_key: the one key events of only_relid go to */
	SiddhiPartInstance *only;
	Oid only_relid;
	bool
		timed; /* some query has a timed window, a rate limiter or a pattern */
	/*
	 * partition_schedule.c: the keys by the time next due for them, when
	 * no query has a rate limiter (one may start when time passes, due or
	 * not: those partitions look at every key); NULL otherwise.  dirty:
	 * the keys stepped since, whose times are looked at again first.
	 */
	pairingheap *schedule;
	dlist_head dirty;
	/* epochs: the save generation; a query's state for a key it worked
	 * for is stamped with it (partition_touch), and each save moves it on */
	uint64 gen;
	/* query_chunk.c: the hash of the next routed event's key, computed
	 * ahead (siddhi_partition_key_ahead); partition_event takes it */
	uint64 ahead_hash;
	bool ahead_valid;
};

struct SiddhiAppRuntime
{
	char *name;
	char *source; /* the app's text (query fingerprints, query_state.c) */
	Oid owner;
	bool playback;		   /* the app's clock follows event time */
	int64 clock;		   /* playback: the latest event time seen */
	int64 saved_clock;	   /* clock when the app's state was last saved */
	bool state_forgotten;  /* app_state.c: save the app's state anew */
	uint64 saved_dispatch; /* app_state.c: its junctions' times saved */
	List *dispatch_inputs; /* of Junction *, made at the first save */
	bool dispatch_listed;
	MemoryContext cxt;
	List *queries;
	/* app_advance: the queries time can do something for (timers.c) */
	List *advancing;
	bool advancing_listed;
	List *windows;	/* of NamedWindow * */
	List *triggers; /* of AppTrigger * */
	bool triggers_started;
	/* app_advance: the arrival whose timers it fires, and the time */
	uint64 timers_arrival;
	int64 timers_now;
	/* the query whose own step lets time pass for it (query_step_chunk) */
	QueryRuntime *arrival_query;
	List *aggregations;		 /* of AppAggregation * */
	List *partitions;		 /* of AppPartition * */
	SharedCondition *shared; /* plan->nshared of them */
	int nsexprs;			 /* shared expressions (shared_expr.c) */
	SharedExpr *sexprs;
	ExprContext *sexpr_econtext; /* where they read each other */
};

/* An incremental aggregation (incremental.c) and the stream it reads. */
typedef struct AppAggregation
{
	Junction *junction;
	SiddhiIncremental *inc;
	/* playback: its purge schedule as last saved (query_state.c) */
	int64 saved_next_purge;
	bool saved_purged;
} AppAggregation;

/*
 * define trigger T at ..: events (triggered_time) fed into T's junction
 * when due: 'start' once, as soon as the app runs (in playback, at the
 * clock's first value); every t from the start (playback: from the
 * clock's first value); cron at each of its times.
 */
typedef struct AppTrigger
{
	Junction *junction;
	bool at_start;
	int64 every_ms;
	SiddhiCron *cron;
	int64 next; /* due time; -1: none (yet, in playback) */
	TupleTableSlot *slot;
} AppTrigger;


typedef struct RateEmitArg
{
	QueryRuntime *q;
	int depth;
} RateEmitArg;


typedef struct JoinRowArg
{
	QueryRuntime *q;
	int depth;
} JoinRowArg;


typedef struct WindowEventArg
{
	QueryRuntime *q;
	int depth;
	/*
	 * The window hands the arrival out last (query_event): that hand-out
	 * may go without an error boundary of its own (window_event).
	 */
	bool arrival_last;
} WindowEventArg;


typedef struct PatternEmitArg
{
	QueryRuntime *q;
	int depth;
} PatternEmitArg;


typedef enum QueryStep
{
	STEP_EVENT,		/* an event arrives */
	STEP_CHUNK_END, /* a named window's step is over */
	STEP_ADVANCE,	/* time passes for the query's window */
	STEP_INPUT_END	/* the chunk its input came in has ended (batch) */
} QueryStep;

extern uint64 batch_seq;

/* reentry.c */
extern bool reentry_enter_slow(Reentry *r);
extern void reentry_drain_slow(QueryRuntime *owner);
/* holder: the palloc'd query or named window r is in */
extern void reentry_defer(Reentry *r, void *holder, QueryRuntime *q,
						  QueryStep step, TupleTableSlot *slot, int64 ts,
						  int depth, SiddhiEventKind kind, bool end_chunk);
extern Deferred *reentry_next(Reentry *r, TupleTableSlot **slot);
typedef void (*ReentryStepFn)(void *arg, Deferred *d, TupleTableSlot *slot);
extern void reentry_drain(Reentry *r, ReentryStepFn step, void *arg);

/* The query whose state q works on: its Reentry is the one q waits on. */
static inline QueryRuntime *
query_owner(QueryRuntime *q)
{
	return q->join_main ? q->join_main : q->pattern_main ? q->pattern_main : q;
}

/*
 * Take r for a step: false when it is busy (the step waits, reentry_defer).
 * Inline, as every step takes one: nothing waiting is the usual case.
 */
static inline bool
reentry_enter(Reentry *r)
{
	if (likely(r->busy == 0 && !r->draining && r->queue == NIL))
	{
		r->busy = 1;
		r->batch = batch_seq;
		return true;
	}
	return reentry_enter_slow(r);
}

static inline void
reentry_leave(Reentry *r)
{
	Assert(r->busy > 0);
	r->busy--;
}

/* The events that waited for owner's step go through (reentry.c). */
static inline void
reentry_drain_query(QueryRuntime *owner)
{
	if (unlikely(owner->reentry.queue != NIL))
		reentry_drain_slow(owner);
}


/* query_state.c: epochs */
extern char *query_state_key(QueryRuntime *q);
extern char *query_state_fingerprint(QueryRuntime *q);
extern bool query_state_holds(QueryRuntime *q);
extern bool query_state_can_save(QueryRuntime *q, const char **why);
/*
 * A window saved incrementally (query_state.c): want asks for it, since is
 * the first event not saved yet; the window's events from since on go to
 * events, and used, first and next say what was done.
 */
typedef struct QueryStateParts
{
	bool want;
	int64 since;
	StringInfo events;
	bool used;
	int64 first;
	int64 next;
	/* a query's groups: all of them (else those changed since the last
	 * save) in the part after the window's events; groups says they are
	 * there, live_extra is their memory */
	bool groups_all;
	bool groups;
	Size live_extra;
	/* a partitioned query's keys (partition_state.c): its part says
	 * nothing (no key, no tombstone), or holds everything (every key
	 * changed: it replaces the parts as a compaction would); the
	 * generation and the next sequence number it saved up to */
	bool empty;
	bool complete;
	uint64 keys_gen;
	int64 keys_seq;
} QueryStateParts;

extern void query_state_serialize(QueryRuntime *q, StringInfo buf,
								  QueryStateParts *parts);
extern void query_state_restore(QueryRuntime *q, SiddhiStateReader *r,
								SiddhiStateReader *parts, int nparts);
extern void query_state_roundtrip_all(void);
extern void window_section_serialize(SiddhiWindow *w, StringInfo buf,
									 QueryStateParts *parts);
extern void window_section_restore(SiddhiWindow *w, TupleDesc desc,
								   SiddhiStateReader *r,
								   SiddhiStateReader *parts, int nparts,
								   bool more);
/* one unit of saved state (a query, a named window): query_state.c */
typedef void (*StateSerializeFn)(void *obj, StringInfo buf,
								 QueryStateParts *parts);
extern void state_track_save(StateTrack *t, SiddhiWindow *window,
							 StateSerializeFn ser, void *obj, SiddhiStateFn fn,
							 void *arg, StringInfo buf, StringInfo events);
extern void state_track_saved(StateTrack *t);
extern char *state_fingerprint_text(StringInfo b);
extern void state_track_forget(StateTrack *t);
extern void state_track_restored(StateTrack *t, SiddhiWindow *window,
								 const SiddhiStatePart *parts, int nparts);
/* the section flag of an operator in a state (query_state.c) */
extern void state_put_section(StringInfo buf, bool present);
extern bool state_get_section(SiddhiStateReader *r, bool present);

/* partition_state.c: a partitioned query's state, its keys incrementally */
#define PARTITION_STATE_FORMAT 2
extern bool partition_can_save(QueryRuntime *q, const char **why);
extern void partition_state_serialize(QueryRuntime *q, StringInfo buf,
									  QueryStateParts *parts);
extern void partition_state_restore(QueryRuntime *q, SiddhiStateReader *r,
									SiddhiStateReader *parts, int nparts);
extern void partition_state_released(QueryRuntime *q,
									 SiddhiPartInstance *inst);
extern void partition_state_saved(QueryRuntime *q);
extern void partition_state_forget(QueryRuntime *q);
extern void partition_roundtrip(AppPartition *ap);

/* app_state.c: the app's own state, key "#app" */
#define APP_STATE_KEY "#app"
extern void app_state_collect(SiddhiAppRuntime *app, SiddhiStateFn fn,
							  void *arg, StringInfo buf);
extern void app_state_saved(SiddhiAppRuntime *app);
extern void app_state_forget(SiddhiAppRuntime *app);
extern bool app_state_restore_key(SiddhiAppRuntime *app,
								  const char *fingerprint, const char *data,
								  int len);

/* named_window_state.c: each named window's contents, key "#window W" */
#define NAMED_WINDOW_KEY "#window "
extern void named_window_collect_state(SiddhiAppRuntime *app, SiddhiStateFn fn,
									   void *arg, StringInfo buf,
									   StringInfo events);
extern bool named_window_restore_state(SiddhiAppRuntime *app, const char *key,
									   const char *fingerprint,
									   const char *data, int len,
									   const SiddhiStatePart *parts,
									   int nparts);
extern void named_window_roundtrip(NamedWindow *nw);

/* the driver's state (app.c, query.c, table_sink.c) */
extern HTAB *junctions;
extern List *all_apps;
extern MemoryContext batch_cxt;
extern MemoryContext runtime_cxt;
extern int64 playback_clock;
extern uint64 arrival_seq; /* input arrivals and clock moves so far */
extern bool query_expiry_in_step(QueryRuntime *q);
extern List *agg_read_denied;
extern List *agg_read_checked;
extern HTAB *sinks;

extern void sink_buffer(QueryRuntime *q, TupleTableSlot *out);

extern void runtime_init(void);
extern void shared_exprs_start(SiddhiAppRuntime *app, List *plans,
							   MemoryContext cxt);
extern ParamListInfo shared_exprs_params(QueryRuntime *q,
										 ParamListInfo members, int nmembers);

extern void query_rate_create(QueryRuntime *q, SiddhiQueryPlan *qp);
extern SiddhiWindow *query_window_create(QueryRuntime *q, MemoryContext cxt);

/* query_ops.c: its stateful operators through the operator interface */
extern void query_opers_init(QueryRuntime *q);
extern int64 query_opers_deadline(QueryRuntime *q);

extern void query_failed(QueryRuntime *q, MemoryContext mcxt, Oid save_user,
						 int save_sec);

extern void query_send(QueryRuntime *q, TupleTableSlot *out, int64 ts,
					   int depth, SiddhiEventKind kind, const char *key,
					   Size keylen);
/* A row of q's output goes to its table, stream or table operation. */
extern void query_deliver(QueryRuntime *q, TupleTableSlot *out, int64 ts,
						  int depth, SiddhiEventKind kind);

/*
 * EXPLAIN ANALYZE's counters of an operator of q (metrics.h): one more
 * event in, or out as kind.  A join's other side counts no filter or
 * window of its own: its slots are the main side's.  bench/metrics_cost's
 * baseline (SIDDHI_NO_METRICS) counts nothing.
 */
#ifdef SIDDHI_NO_METRICS
#define OP_IN(q, op) ((void) 0)
#define OP_OUT(q, op, kind) ((void) 0)
#else
#define OP_IN(q, op) siddhi_stats_op_count((q)->opc, (op), SIDDHI_OP_IN)
#define OP_OUT(q, op, kind)                              \
	siddhi_stats_op_count((q)->opc, (op),                \
						  (kind) == SIDDHI_EVENT_EXPIRED \
							  ? SIDDHI_OP_OUT_EXPIRED    \
							  : SIDDHI_OP_OUT)
#endif

/*
 * Does the event in q's scan slot pass filter qual (operator op)?  Counted
 * for EXPLAIN ANALYZE, but on a join's other side, whose slots are the
 * main side's.
 */
static inline bool
qual_passes(QueryRuntime *q, ExprState *qual, SiddhiOp op,
			SiddhiEventKind kind)
{
	bool counted = q->join_main == NULL;

	if (counted)
		OP_IN(q, op);
	if (!ExecQual(qual, q->econtext))
		return false;
	if (counted)
		OP_OUT(q, op, kind);
	return true;
}

/* query_plain.c */
extern bool shared_qual_passes(QueryRuntime *q, SiddhiEventKind kind);
extern void query_plain_init(QueryRuntime *q);
extern void query_event_plain(QueryRuntime *q, TupleTableSlot *slot, int64 ts,
							  int depth);

extern void window_event(void *arg, SiddhiEventKind kind, MinimalTuple tuple,
						 int64 ts);

extern void window_event_values(WindowArgs *wa, ExprContext *econtext,
								SiddhiWindowEvent *ev);

extern void query_event(QueryRuntime *q, TupleTableSlot *slot, int64 ts,
						int depth, SiddhiEventKind kind, bool end_chunk);

extern void query_step(QueryRuntime *q, QueryStep step, TupleTableSlot *slot,
					   int64 ts, int depth, SiddhiEventKind kind,
					   bool end_chunk);

extern void query_process(QueryRuntime *q, TupleTableSlot *slot, int64 ts,
						  int depth);

extern void query_chunk_end(QueryRuntime *q, int depth);

extern void *partition_make_state(void *arg, int k, SiddhiPartInstance *inst);

extern void partition_enter(AppPartition *ap, SiddhiPartInstance *inst);

extern void partition_event(QueryRuntime *q, TupleTableSlot *slot, int64 ts,
							int depth, SiddhiEventKind kind, bool end_chunk);
extern void partition_chunk_end(QueryRuntime *q, int depth);

extern void partition_advance(AppPartition *ap, int64 now);
/* partition_schedule.c */
extern void partition_schedule_init(AppPartition *ap);
extern int64 partition_key_deadline(AppPartition *ap, SiddhiPartInstance *inst,
									uint64 *all);
extern void partition_schedule_forget(AppPartition *ap,
									  SiddhiPartInstance *inst);
extern void partition_schedule_reset(AppPartition *ap);
extern int64 partition_schedule_next(AppPartition *ap);
extern int partition_schedule_due(AppPartition *ap, int64 now,
								  SiddhiPartInstance ***keys);

/* A key was stepped (partition_enter) or restored: look at its times. */
static inline void
partition_schedule_mark(AppPartition *ap, SiddhiPartInstance *inst)
{
	if (ap->schedule != NULL && !inst->dirty)
	{
		inst->dirty = true;
		dlist_push_tail(&ap->dirty, &inst->dirty_node);
	}
}

/* the epochs' marks: a query's state for a key changed (partition_state.c) */
extern void partition_touch(QueryRuntime *q, SiddhiPartInstance *inst);
extern void partition_touch_all(AppPartition *ap, SiddhiPartInstance *inst);

extern int64 partition_deadline(AppPartition *ap);

extern void check_may_read(Oid relid, Oid owner);

extern void deliver_to_watchers(Junction *j, TupleTableSlot *slot, int64 ts,
								bool expired);

extern void junction_emit(Junction *j, TupleTableSlot *slot, int64 ts,
						  int depth, bool expired);

extern void query_output_end(QueryRuntime *q, int64 now, int depth);
extern void junction_emit_chunk(Junction *j, PendingOut *rows, int n,
								TupleTableSlot *slot, int depth);
/* out_chunk.c */
extern void out_chunk_push(OutChunk *oc, MemoryContext parent, TupleDesc desc,
						   TupleTableSlot *out, int64 ts, bool expired);
extern void out_chunk_reset(OutChunk *oc);
extern void out_chunk_add(QueryRuntime *q, TupleTableSlot *out, int64 ts,
						  int depth, bool expired);
extern void out_chunk_flush(QueryRuntime *q);
extern void out_chunk_step_done(QueryRuntime *q);
extern void out_chunk_step_failed(QueryRuntime *q);
extern void out_chunk_flush_alone(QueryRuntime *q);
/* A row's kind for its reader: a named window's keeps it, a stream's is new */
#define ROW_KIND(row, kinds) \
	((kinds) && (row).expired ? SIDDHI_EVENT_EXPIRED : SIDDHI_EVENT_CURRENT)

/* Put a row of an output chunk in slot (a virtual slot of its stream). */
static inline void
out_row_store(const PendingOut *row, TupleTableSlot *slot)
{
	int natts = slot->tts_tupleDescriptor->natts;

	ExecClearTuple(slot);
	memcpy(slot->tts_values, row->values, sizeof(Datum) * natts);
	memcpy(slot->tts_isnull, row->isnull, sizeof(bool) * natts);
	ExecStoreVirtualTuple(slot);
}

/* query_partition.c */
extern void partition_chunk_every_key(QueryRuntime **qs, int nq, Junction *j,
									  PendingOut *rows, int n,
									  TupleTableSlot *slot, int depth,
									  uint64 base, bool kinds);

extern void junction_input_end(Junction *j, int64 now, int depth);

extern void named_window_chunk_end(NamedWindow *nw);

extern void named_window_event(void *arg, SiddhiEventKind kind,
							   MinimalTuple tuple, int64 ts);

extern void named_window_catch_up(NamedWindow *nw, int64 now, int depth);

extern void named_window_add_chunk(NamedWindow *nw, PendingOut *rows, int n,
								   TupleTableSlot *slot, int depth);
extern void named_window_add(NamedWindow *nw, TupleTableSlot *slot, int64 ts,
							 int depth);

extern void trigger_schedule(AppTrigger *t, int64 now, bool first);

extern void playback_arrival(Junction *j, int64 ts);

extern void query_advance(QueryRuntime *q, int64 now);
extern bool limiter_waits_its_turn(QueryRuntime *q);

extern void sink_flush(Oid relid);

extern void query_abandon_chunk(QueryRuntime *q);
extern void query_check_read_slow(QueryRuntime *q);

/*
 * Once a batch: may the owner still read q's input?  ERROR when not; the
 * batch's events of the stream are then skipped for q (read_denied).
 * Inline: every step asks.
 */
static inline void
query_check_read(QueryRuntime *q)
{
	if (unlikely(q->read_checked != batch_seq))
		query_check_read_slow(q);
}

/* ResetExprContext, without MemoryContextReset's call when it would
 * do nothing (as it decides: no child, nothing allocated since) */
static inline void
reset_expr_memory(ExprContext *econtext)
{
	MemoryContext m = econtext->ecxt_per_tuple_memory;

	if (m->firstchild != NULL || !m->isReset)
		MemoryContextReset(m);
}

/* A step's per-event memory goes (a join's other side made q's rows in q's). */
static inline void
query_reset_memory(QueryRuntime *q)
{
	reset_expr_memory(q->econtext);
	if (q->join_main)
		reset_expr_memory(q->join_main->econtext);
}
extern void query_step_failed(QueryRuntime *q, int frame, MemoryContext mcxt,
							  Oid save_user, int save_sec);
/* query_chunk.c */
extern void query_step_rows(QueryRuntime *q, Junction *j, PendingOut *rows,
							int n, const uint64 *numbers, uint64 base,
							TupleTableSlot *slot, int depth, bool kinds);
extern void query_step_chunk(QueryRuntime *q, Junction *j, const char *rows,
							 uint32 nrows);
/*
 * Whether q (or the join or pattern it feeds) ends in a table operation:
 * its step must end its user frame after each event, so that the
 * operation's deferred triggers fire then (query_chunk.c).
 */
static inline bool
query_ends_in_table_op(QueryRuntime *q)
{
	return q->table_op || (q->join_main && q->join_main->table_op) ||
		   (q->pattern_main && q->pattern_main->table_op);
}

/* A chunk's rows: from the ring (read in place), or a source's values */
typedef struct ChunkRows
{
	const char *ring; /* ring rows, or NULL: */
	int natts;		  /* nrows x natts values and nulls, row after row */
	const Datum *values;
	const bool *nulls;
	const int64 *ts;
} ChunkRows;
extern void readers_step_chunk(Junction *j, const ChunkRows *rows,
							   uint32 nrows);

/* A source's row i of rows into slot, as a virtual tuple. */
static inline void
chunk_row_store_values(TupleTableSlot *slot, const ChunkRows *rows, uint32 i)
{
	ExecClearTuple(slot);
	memcpy(slot->tts_values, rows->values + (Size) i * rows->natts,
		   sizeof(Datum) * rows->natts);
	memcpy(slot->tts_isnull, rows->nulls + (Size) i * rows->natts,
		   sizeof(bool) * rows->natts);
	ExecStoreVirtualTuple(slot);
}
/* junction.c: an aggregation's events (readers_step_chunk feeds them too) */
extern bool aggregation_denied(SiddhiIncremental *inc);
extern void aggregation_check_read(SiddhiIncremental *inc);
extern void aggregation_failed(SiddhiIncremental *inc, MemoryContext mcxt,
							   Oid save_user, int save_sec);

#endif /* SIDDHI_RUNTIME_INT_H */
