/*-------------------------------------------------------------------------
 *
 * runtime.c
 *	  Junctions, query runtimes and table sinks of the engine worker.
 *
 * Memory: each app owns a context under TopMemoryContext holding its
 * query runtimes; each query has a standalone ExprContext whose per-tuple
 * memory is reset after every event; rows bound for tables are copied
 * into the batch context, which the worker resets after every batch.
 *
 * Errors: the worker runs a batch inside a subtransaction, and each unit
 * of work that can fail (a query's step, an event leaving a window, a
 * table's flush, a table operation, a mirror write) keeps it free of what
 * came before (batch.c), so that an error, caught here, rolls back that
 * unit's work only; a new subtransaction is started, the error is counted
 * in siddhi.queries and logged (rate limited), and the event is skipped
 * for that query only.  Table writes happen at the end of the batch (or
 * before the table is read); a failing flush is retried row by row and
 * only the failing rows are skipped.  A row counts in events_out once it
 * is written.
 *
 *-------------------------------------------------------------------------
 */
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
#include "siddhi/ratelimit.h"
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
	TupleDesc desc;		  /* blessed, for JSON output */
	uint32 desc_sig;	  /* siddhi_desc_signature(desc) */
	TupleTableSlot *slot; /* holds events fed from the ring */
	List *consumers;	  /* of QueryRuntime * */
	NamedWindow *named;	  /* a named window's: events go through it */
	List *aggregations;	  /* of SiddhiIncremental *: current events */
	List *hooks;		  /* of StreamHook *: sinks of the stream */
} Junction;

/* siddhi_runtime_add_stream_hook(): a sink watching a stream. */
typedef struct StreamHook
{
	SiddhiAppRuntime *app;
	SiddhiStreamHookFn fn;
	void *arg;
} StreamHook;

/*
 * A named window: events sent to its junction enter the window, and what
 * the window emits goes to the junction's watchers and consumers, marked
 * current or expired.  Its contents are mirrored into its table.
 */
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
	SiddhiErrorLog errlog; /* its errors' LOG lines, rate limited */
	ExprContext *econtext;
	ExprState *qual;	/* filters before the window */
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
	/* aggregation: one output row per group per chunk of window events */
	SiddhiAggregates *aggs; /* or NULL */
	SiddhiOver *over;		/* window functions (over.c), or NULL */
	int naggs;
	ExprState **agg_args; /* argument of each aggregator, NULL for count() */
	FmgrInfo *agg_out;	  /* distinctCount: output function of the value */
	Datum *agg_values;
	bool *agg_nulls;
	int ngroup;
	ExprState **group_exprs;
	Datum *group_values; /* the group-by values of the event, for groups */
	bool *group_nulls;
	FmgrInfo *group_out;   /* output functions: the rate limiter's group key */
	StringInfoData keybuf; /* is text */
	ExprState *having;	   /* over the output row */
	TupleTableSlot *agg_slot; /* holds the event an output row is made from */
	int npending;			  /* groups to output at the end of this chunk */
	int pending_cap;
	SiddhiAggGroup **pending_groups;
	MinimalTuple *pending_tuples;
	int64 *pending_ts;
	SiddhiEventKind *pending_kind;
	ParamExecData *pending_params; /* naggs per pending group */
	int16 *agg_typlen;			   /* of each aggregate's result */
	bool *agg_byval;
	List *touched; /* groups that lost events in this chunk */
	/* SQL's order by / limit / DISTINCT over the contents, or NULL */
	SiddhiTopN *topn;
	SiddhiAggGroup *flush_group; /* the group aggregate_flush outputs */
	/* order by / limit / offset: the outputs of a chunk wait here */
	bool buffered;
	int norder;
	ExprState **order_exprs; /* over the output row */
	SortSupportData *order_ssup;
	int64 limit; /* -1: none */
	int64 offset;
	TupleTableSlot *sorted_slot; /* output descriptor, minimal tuples */
	int nout;
	int out_cap;
	MinimalTuple *out_tuples;
	int64 *out_ts;
	SiddhiEventKind *out_kind;
	char **out_keys; /* rate limit with group by: each output's group */
	Size *out_keylens;
	/* output rate limiting (ratelimit.c), or NULL */
	SiddhiRateLimiter *rate;
	TupleTableSlot *rate_slot; /* holds the rows the limiter lets go */
	ProjectionInfo *proj;
	TupleTableSlot *out_slot;
	Junction *input;
	Junction *output; /* output stream, or NULL */
	bool sent_out;	  /* sent to output since its input chunk last ended */
	Oid table_relid;  /* output table, or InvalidOid */
	SiddhiTableOp *table_op; /* delete/update/upsert on it, or NULL */
	/* a join (join.c): the query reads its primary side, join_other the
	 * other (a runtime of filters and window only, feeding join_main) */
	SiddhiJoin *join;
	QueryRuntime *join_other;
	QueryRuntime *join_main;
	bool join_reset; /* aggregators start again at the chunk's end */
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
	 * a query of a partition: window, dedup, aggs, rate and pattern above
	 * belong to the key being processed (partition_enter), NULL between
	 * keys
	 */
	AppPartition *apart;
	int part_index;				   /* in apart->queries */
	SiddhiQueryPlan *plan;		   /* to make a key's state; NULL: join side */
	SiddhiWindowPlan *window_plan; /* likewise */
	bool inner_input;			   /* reads a #inner stream of apart */
	uint64 read_checked; /* batch whose SELECT check on input was made */
	bool read_denied;	 /* and it failed: the batch's events are skipped */
};

/* The state of one query for one key of its partition. */
typedef struct QueryKeyState
{
	SiddhiWindow *window;
	SiddhiDedup *dedup;
	SiddhiAggregates *aggs;
	SiddhiRateLimiter *rate;
	SiddhiPattern *pattern;
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
	bool timed; /* some query has a window, a rate limiter or a pattern */
};

struct SiddhiAppRuntime
{
	char *name;
	Oid owner;
	bool playback; /* the app's clock follows event time */
	int64 clock;   /* playback: the latest event time seen */
	MemoryContext cxt;
	List *queries;
	List *windows;	/* of NamedWindow * */
	List *triggers; /* of AppTrigger * */
	bool triggers_started;
	List *aggregations; /* of AppAggregation * */
	List *partitions;	/* of AppPartition * */
};

/* An incremental aggregation (incremental.c) and the stream it reads. */
typedef struct AppAggregation
{
	Junction *junction;
	SiddhiIncremental *inc;
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

int64 siddhi_current_event_ts = 0;

/* the clock of the app whose query runs, when it is in playback; else 0 */
static int64 playback_clock = 0;

static HTAB *junctions = NULL;
static List *all_apps = NIL; /* of SiddhiAppRuntime *, for timers */
static HTAB *sinks = NULL;
static List *dirty_sinks = NIL;
static MemoryContext batch_cxt = NULL;
static MemoryContext runtime_cxt = NULL;

static void junction_emit(Junction *j, TupleTableSlot *slot, int64 ts,
						  int depth, bool expired);
static void named_window_add(NamedWindow *nw, TupleTableSlot *slot, int64 ts,
							 int depth);
static void named_window_catch_up(NamedWindow *nw, int64 now, int depth);
static void junction_input_end(Junction *j, int64 now, int depth);
static void sink_flush(Oid relid);
static void trigger_schedule(AppTrigger *t, int64 now, bool first);
static void *partition_make_state(void *arg, int k, SiddhiPartInstance *inst);
static void query_advance(QueryRuntime *q, int64 now);
static void partition_enter(AppPartition *ap, SiddhiPartInstance *inst);
static void partition_event(QueryRuntime *q, TupleTableSlot *slot, int64 ts,
							int depth, SiddhiEventKind kind);

static void
runtime_init(void)
{
	HASHCTL ctl;

	if (junctions)
		return;
	runtime_cxt = AllocSetContextCreate(TopMemoryContext, "siddhi runtime",
										ALLOCSET_DEFAULT_SIZES);
	batch_cxt = AllocSetContextCreate(TopMemoryContext, "siddhi batch",
									  ALLOCSET_DEFAULT_SIZES);
	memset(&ctl, 0, sizeof(ctl));
	ctl.keysize = sizeof(Oid);
	ctl.entrysize = sizeof(Junction);
	ctl.hcxt = runtime_cxt;
	junctions = hash_create("siddhi junctions", 64, &ctl,
							HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
	ctl.entrysize = sizeof(TableSink);
	sinks = hash_create("siddhi table sinks", 64, &ctl,
						HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
}

static Junction *
junction_get(Oid relid)
{
	Junction *j;
	bool found;

	j = hash_search(junctions, &relid, HASH_ENTER, &found);
	if (!found)
	{
		j->consumers = NIL;
		j->aggregations = NIL;
		j->hooks = NIL;
		j->named = NULL;
		j->desc_sig = 0;
	}
	{
		/*
		 * Junctions outlive the apps that use them: take the relation's row
		 * type as it is now (an app loaded after an ALTER must not read
		 * events with the old one).  Apps still loaded with the old one are
		 * reloaded before the next batch (src/worker/invalidate.c); the old
		 * descriptor stays allocated, as their slots point at it.
		 */
		MemoryContext old = MemoryContextSwitchTo(runtime_cxt);
		Relation rel = table_open(relid, AccessShareLock);
		uint32 sig = siddhi_desc_signature(RelationGetDescr(rel));

		if (sig != j->desc_sig)
		{
			j->name = pstrdup(RelationGetRelationName(rel));
			j->desc = CreateTupleDescCopy(RelationGetDescr(rel));
			BlessTupleDesc(j->desc);
			j->slot = MakeSingleTupleTableSlot(j->desc, &TTSOpsMinimalTuple);
			j->desc_sig = sig;
		}
		table_close(rel, AccessShareLock);
		MemoryContextSwitchTo(old);
	}
	return j;
}

/* Set up the per-event values of a window's plan. */
static void
window_args_init(WindowArgs *wa, SiddhiWindowPlan *wp, MemoryContext cxt)
{
	MemoryContext old = MemoryContextSwitchTo(cxt);
	int k = 0;
	ListCell *lk;

	memset(wa, 0, sizeof(WindowArgs));
	wa->name = wp->name;
	if (wp->time_expr)
		wa->time = ExecInitExpr(wp->time_expr, NULL);
	if (wp->start_expr)
		wa->start = ExecInitExpr(wp->start_expr, NULL);
	wa->nkeys = list_length(wp->keys);
	if (wa->nkeys > 0)
	{
		wa->keys = palloc(sizeof(ExprState *) * wa->nkeys);
		wa->key_out = palloc0(sizeof(FmgrInfo) * wa->nkeys);
		wa->values = palloc(sizeof(Datum) * wa->nkeys);
		wa->nulls = palloc(sizeof(bool) * wa->nkeys);
		foreach(lk, wp->keys)
		{
			Oid outfn;
			bool varlena;

			wa->keys[k] = ExecInitExpr(lfirst(lk), NULL);
			getTypeOutputInfo(exprType(lfirst(lk)), &outfn, &varlena);
			fmgr_info_cxt(outfn, &wa->key_out[k], cxt);
			k++;
		}
		initStringInfo(&wa->keybuf);
	}
	MemoryContextSwitchTo(old);
}

static void named_window_event(void *arg, SiddhiEventKind kind,
							   MinimalTuple tuple, int64 ts);

/* A named window of an app, put in front of its junction. */
static NamedWindow *
named_window_start(SiddhiAppRuntime *app, SiddhiNamedWindowPlan *wp,
				   MemoryContext cxt)
{
	NamedWindow *nw = palloc0(sizeof(NamedWindow));
	Junction *j = junction_get(wp->relation->relid);

	if (j->named)
		ereport(ERROR,
				(errcode(ERRCODE_SIDDHI_SEMANTIC_ERROR),
				 errmsg("window \"%s\" is already running in another app",
						wp->relation->name)));
	nw->app = app;
	nw->junction = j;
	nw->window = siddhi_window_create(wp->window, cxt);
	window_args_init(&nw->args, wp->window, cxt);
	nw->econtext = CreateStandaloneExprContext();
	nw->output = wp->output;
	nw->out_slot = MakeSingleTupleTableSlot(j->desc, &TTSOpsMinimalTuple);
	nw->mirror = siddhi_mirror_create(wp->relation->relid, cxt);
	return nw;
}

/*
 * The query's output rate limiter.  On the wall clock its first period
 * starts now; in playback, at the app clock's first value.
 */
static void
query_rate_create(QueryRuntime *q, SiddhiQueryPlan *qp)
{
	q->rate = siddhi_rate_create(qp->rate_kind, qp->rate_type, qp->rate_value,
								 qp->rate_snapshot, qp->group_by != NIL,
								 CurrentMemoryContext);
	if (!q->app->playback)
		siddhi_rate_advance(q->rate, siddhi_now_ms(), NULL, NULL);
}

/*
 * A join query: its join processor and, for a stream or named window on
 * the other side, the runtime of that side (filters, window), which feeds
 * q and runs after it in the app's queries (time passes for both).
 */
static void
query_join_start(QueryRuntime *q, SiddhiJoinPlan *jp, MemoryContext cxt)
{
	QueryRuntime *o;

	q->join = siddhi_join_create(jp, q->econtext, cxt);
	if (jp->other->kind == SIDDHI_REL_TABLE ||
		jp->other->kind == SIDDHI_REL_AGGREGATION_VIEW)
		return;
	o = palloc0(sizeof(QueryRuntime));
	o->app = q->app;
	o->name = q->name;
	o->owner = q->owner;
	o->stats = q->stats;
	o->input = junction_get(jp->other->relid);
	o->econtext = CreateStandaloneExprContext();
	o->qual = ExecInitQual(jp->other_qual, NULL);
	o->events = q->events;
	o->apart = q->apart;
	if (jp->other_window)
	{
		o->window_plan = jp->other_window;
		if (o->apart == NULL)
			o->window = siddhi_window_create(jp->other_window, cxt);
		window_args_init(&o->window_args, jp->other_window, cxt);
		o->window_slot =
			MakeSingleTupleTableSlot(o->input->desc, &TTSOpsMinimalTuple);
		o->window_qual = ExecInitQual(jp->other_window_qual, NULL);
	}
	o->join_main = q;
	q->join_other = o;
	q->app->queries = lappend(q->app->queries, o);
}

/*
 * A pattern query: its program and state, and a runtime for each of its
 * other input streams, which feeds q and is listed after it in the app.
 */
static void
query_pattern_start(QueryRuntime *q, SiddhiPatternPlan *pp, MemoryContext cxt)
{
	int i = 0;
	ListCell *lc;

	q->pattern_prog = siddhi_pattern_compile(pp, q->econtext, cxt);
	q->window_qual = ExecInitQual(q->plan->window_qual, NULL);
	/* in a partition each key makes its own, when it first appears */
	if (q->apart == NULL)
		q->pattern = siddhi_pattern_create(
			q->pattern_prog, cxt, q->app->playback ? 0 : siddhi_now_ms());
	foreach(lc, pp->streams)
	{
		QueryRuntime *o;

		if (i++ == 0)
			continue; /* q itself reads the first */
		o = palloc0(sizeof(QueryRuntime));
		o->app = q->app;
		o->name = q->name;
		o->owner = q->owner;
		o->stats = q->stats;
		o->input = junction_get(((SiddhiRelation *) lfirst(lc))->relid);
		o->econtext = q->econtext;
		o->events = q->events;
		o->pattern_main = q;
		o->pattern_stream = i - 1;
		o->apart = q->apart;
		q->app->queries = lappend(q->app->queries, o);
	}
}

SiddhiAppRuntime *
siddhi_runtime_start_app(SiddhiAppPlan *plan)
{
	SiddhiAppRuntime *app;
	MemoryContext cxt;
	MemoryContext old;
	ListCell *lc;

	runtime_init();
	cxt = AllocSetContextCreate(CurrentMemoryContext, "siddhi app runtime",
								ALLOCSET_DEFAULT_SIZES);
	old = MemoryContextSwitchTo(cxt);
	app = palloc0(sizeof(SiddhiAppRuntime));
	app->name = pstrdup(plan->name);
	app->owner = plan->owner;
	app->playback = plan->playback;
	app->cxt = cxt;

	foreach(lc, plan->windows)
		app->windows =
			lappend(app->windows, named_window_start(app, lfirst(lc), cxt));
	foreach(lc, plan->triggers)
	{
		SiddhiTriggerPlan *tp = lfirst(lc);
		AppTrigger *t = palloc0(sizeof(AppTrigger));

		t->junction = junction_get(tp->relation->relid);
		t->at_start = tp->at_start;
		t->every_ms = tp->every_ms;
		if (tp->cron)
		{
			char *error;
			int offset;

			t->cron = siddhi_cron_parse(tp->cron, &error, &offset);
		}
		t->slot = MakeSingleTupleTableSlot(t->junction->desc, &TTSOpsVirtual);
		t->next = -1;
		if (!app->playback)
			trigger_schedule(t, siddhi_now_ms(), true);
		app->triggers = lappend(app->triggers, t);
	}
	foreach(lc, plan->partitions)
	{
		AppPartition *ap = palloc0(sizeof(AppPartition));

		ap->app = app;
		ap->rt = siddhi_partition_create(lfirst(lc), 0, partition_make_state,
										 ap, cxt);
		app->partitions = lappend(app->partitions, ap);
	}
	foreach(lc, plan->queries)
	{
		SiddhiQueryPlan *qp = lfirst(lc);
		QueryRuntime *q = palloc0(sizeof(QueryRuntime));
		Relation orel;
		TupleDesc rowdesc; /* what the projection reads */
		ListCell *lp;

		q->app = app;
		q->name = pstrdup(qp->name);
		q->owner = plan->owner;
		q->plan = qp;
		q->window_plan = qp->window;
		q->inner_input = qp->inner_input;
		if (qp->partition)
		{
			foreach(lp, app->partitions)
				if (siddhi_partition_plan(((AppPartition *) lfirst(lp))->rt) ==
					qp->partition)
					q->apart = lfirst(lp);
			Assert(q->apart != NULL);
		}
		q->stats =
			siddhi_stats_alloc(MyDatabaseId, app->name, q->name, app->owner);
		siddhi_metrics_probe_add(app, q->stats, &q->window, &q->aggs,
								 &q->pattern, q->apart ? q->apart->rt : NULL);
		q->input = junction_get(qp->input->relid);
		rowdesc = qp->join		? qp->join->desc
				  : qp->pattern ? qp->pattern->desc
								: q->input->desc;
		q->econtext = CreateStandaloneExprContext();
		q->qual = ExecInitQual(qp->qual, NULL);
		if (qp->dedup_key)
		{
			Oid outfn;
			bool varlena;

			if (q->apart == NULL)
				q->dedup = siddhi_dedup_create(qp->dedup_interval, cxt);
			q->dedup_key = ExecInitExpr(qp->dedup_key, NULL);
			getTypeOutputInfo(exprType((Node *) qp->dedup_key), &outfn,
							  &varlena);
			fmgr_info_cxt(outfn, &q->dedup_key_out, cxt);
			initStringInfo(&q->dedup_keybuf);
			q->dedup_qual = ExecInitQual(qp->dedup_qual, NULL);
		}
		q->events = qp->events;
		/* group by without an aggregate: groups of no aggregator, as Siddhi */
		if (qp->aggregates != NIL || qp->group_by != NIL)
		{
			ListCell *la;
			int k = 0;

			q->naggs = list_length(qp->aggregates);
			if (q->apart == NULL)
				q->aggs =
					siddhi_aggs_create(qp->aggregates, qp->group_by, cxt);
			q->agg_args = palloc0(sizeof(ExprState *) * q->naggs);
			q->agg_values = palloc0(sizeof(Datum) * q->naggs);
			q->agg_nulls = palloc0(sizeof(bool) * q->naggs);
			q->agg_out = palloc0(sizeof(FmgrInfo) * q->naggs);
			foreach(la, qp->aggregates)
			{
				SiddhiAggPlan *ap = lfirst(la);

				if (ap->arg)
					q->agg_args[k] = ExecInitExpr(ap->arg, NULL);
				if (ap->kind == SIDDHI_AGG_DISTINCT_COUNT)
				{
					Oid outfn;
					bool varlena;

					getTypeOutputInfo(ap->argtype, &outfn, &varlena);
					fmgr_info_cxt(outfn, &q->agg_out[k], cxt);
				}
				k++;
			}
			q->econtext->ecxt_param_exec_vals =
				palloc0(sizeof(ParamExecData) * q->naggs);
			q->agg_typlen = palloc(sizeof(int16) * q->naggs);
			q->agg_byval = palloc(sizeof(bool) * q->naggs);
			k = 0;
			foreach(la, qp->aggregates)
			{
				SiddhiAggPlan *ap = lfirst(la);

				get_typlenbyval(ap->resulttype, &q->agg_typlen[k],
								&q->agg_byval[k]);
				k++;
			}
			q->ngroup = list_length(qp->group_by);
			q->group_exprs = palloc0(sizeof(ExprState *) * Max(q->ngroup, 1));
			q->group_values = palloc0(sizeof(Datum) * Max(q->ngroup, 1));
			q->group_nulls = palloc0(sizeof(bool) * Max(q->ngroup, 1));
			q->group_out = palloc0(sizeof(FmgrInfo) * Max(q->ngroup, 1));
			k = 0;
			foreach(la, qp->group_by)
			{
				Oid outfn;
				bool varlena;

				q->group_exprs[k] = ExecInitExpr(lfirst(la), NULL);
				getTypeOutputInfo(exprType(lfirst(la)), &outfn, &varlena);
				fmgr_info_cxt(outfn, &q->group_out[k], cxt);
				k++;
			}
			initStringInfo(&q->keybuf);
			q->agg_slot =
				MakeSingleTupleTableSlot(rowdesc, &TTSOpsMinimalTuple);
		}
		if (qp->over)
			q->over = siddhi_over_create(qp->over, rowdesc, cxt);
		if (qp->having)
			q->having = ExecInitQual(qp->having, NULL);
		if (qp->contents)
			q->events = SIDDHI_EVENTS_ALL; /* expiries leave the contents */
		else if (qp->order_by || qp->limit >= 0 || qp->offset > 0)
		{
			ListCell *le, *lo, *ln;
			int k = 0;

			q->buffered = true;
			q->limit = qp->limit;
			q->offset = qp->offset;
			q->norder = list_length(qp->order_by);
			q->order_exprs = palloc0(sizeof(ExprState *) * Max(q->norder, 1));
			q->order_ssup =
				palloc0(sizeof(SortSupportData) * Max(q->norder, 1));
			forthree(le, qp->order_by, lo, qp->order_ops, ln,
					 qp->order_nulls_first)
			{
				SortSupport ss = &q->order_ssup[k];

				q->order_exprs[k] = ExecInitExpr(lfirst(le), NULL);
				ss->ssup_cxt = cxt;
				ss->ssup_collation = exprCollation(lfirst(le));
				ss->ssup_nulls_first = lfirst_int(ln) != 0;
				PrepareSortSupportFromOrderingOp(lfirst_oid(lo), ss);
				k++;
			}
		}
		if (qp->window)
		{
			SiddhiWindowPlan *wp = qp->window;

			if (q->apart == NULL)
				q->window = siddhi_window_create(wp, cxt);
			window_args_init(&q->window_args, wp, cxt);
			q->window_slot =
				MakeSingleTupleTableSlot(q->input->desc, &TTSOpsMinimalTuple);
			q->window_qual = ExecInitQual(qp->window_qual, NULL);
		}

		if (qp->rate_kind != SIDDHI_RATE_NONE && q->apart == NULL)
			query_rate_create(q, qp);

		orel = table_open(qp->output->relid, AccessShareLock);
		q->out_slot = MakeSingleTupleTableSlot(
			qp->table_op ? ExecTypeFromTL(qp->targetlist)
						 : CreateTupleDescCopy(RelationGetDescr(orel)),
			&TTSOpsVirtual);
		if (qp->table_op)
			q->table_op = siddhi_table_op_create(qp->table_op, cxt);
		if (qp->memberships)
			q->econtext->ecxt_param_list_info =
				siddhi_memberships_create(qp->memberships, q->econtext, cxt);
		if (qp->contents)
			q->topn = siddhi_topn_create(qp, q->out_slot->tts_tupleDescriptor,
										 q->aggs != NULL, cxt);
		if (q->buffered)
			q->sorted_slot = MakeSingleTupleTableSlot(
				q->out_slot->tts_tupleDescriptor, &TTSOpsMinimalTuple);
		if (qp->rate_kind != SIDDHI_RATE_NONE)
			q->rate_slot = MakeSingleTupleTableSlot(
				qp->rate_kind == SIDDHI_RATE_SNAPSHOT
					? rowdesc
					: q->out_slot->tts_tupleDescriptor,
				&TTSOpsMinimalTuple);
		table_close(orel, AccessShareLock);
		q->proj = ExecBuildProjectionInfo(qp->targetlist, q->econtext,
										  q->out_slot, NULL, rowdesc);
		if (qp->output->kind == SIDDHI_REL_TABLE)
			q->table_relid = qp->output->relid;
		else
			q->output = junction_get(qp->output->relid);

		app->queries = lappend(app->queries, q);
		if (qp->join)
			query_join_start(q, qp->join, cxt);
		if (qp->pattern)
			query_pattern_start(q, qp->pattern, cxt);
	}
	/* hook the windows and queries up only once all could be built */
	foreach(lc, app->windows)
	{
		NamedWindow *nw = lfirst(lc);

		nw->junction->named = nw;
	}
	foreach(lc, app->queries)
	{
		QueryRuntime *q = lfirst(lc);
		MemoryContext o2 = MemoryContextSwitchTo(runtime_cxt);

		q->input->consumers = lappend(q->input->consumers, q);
		MemoryContextSwitchTo(o2);
		if (q->apart)
		{
			q->part_index = list_length(q->apart->queries);
			q->apart->queries = lappend(q->apart->queries, q);
			if (q->window_plan || q->pattern_prog ||
				(q->plan && q->plan->rate_kind != SIDDHI_RATE_NONE))
				q->apart->timed = true;
		}
	}
	foreach(lc, app->partitions)
	{
		AppPartition *ap = lfirst(lc);

		siddhi_partition_set_queries(ap->rt, list_length(ap->queries));
	}
	foreach(lc, plan->aggregations)
	{
		SiddhiAggregationPlan *ap = lfirst(lc);
		AppAggregation *aa = palloc0(sizeof(AppAggregation));
		MemoryContext o2;

		aa->junction = junction_get(ap->input->relid);
		aa->inc = siddhi_incremental_start(ap, app->owner, cxt);
		app->aggregations = lappend(app->aggregations, aa);
		o2 = MemoryContextSwitchTo(runtime_cxt);
		aa->junction->aggregations =
			lappend(aa->junction->aggregations, aa->inc);
		MemoryContextSwitchTo(o2);
	}
	{
		MemoryContext o3 = MemoryContextSwitchTo(runtime_cxt);

		all_apps = lappend(all_apps, app);
		MemoryContextSwitchTo(o3);
	}
	MemoryContextSwitchTo(old);
	return app;
}

void
siddhi_runtime_stop_app(SiddhiAppRuntime *app)
{
	HASH_SEQ_STATUS seq;
	Junction *j;
	ListCell *lc2;

	hash_seq_init(&seq, junctions);
	while ((j = hash_seq_search(&seq)) != NULL)
	{
		ListCell *lc;

		if (j->named && j->named->app == app)
			j->named = NULL;
		foreach(lc, j->consumers)
		{
			QueryRuntime *q = lfirst(lc);

			if (q->app == app)
				j->consumers = foreach_delete_current(j->consumers, lc);
		}
		foreach(lc, j->hooks)
		{
			StreamHook *h = lfirst(lc);

			if (h->app == app)
				j->hooks = foreach_delete_current(j->hooks, lc);
		}
	}
	foreach(lc2, app->aggregations)
	{
		AppAggregation *aa = lfirst(lc2);

		aa->junction->aggregations =
			list_delete_ptr(aa->junction->aggregations, aa->inc);
		siddhi_incremental_stop(aa->inc);
	}
	all_apps = list_delete_ptr(all_apps, app);
	siddhi_stats_free_app(MyDatabaseId, app->name);
	siddhi_metrics_probe_drop(app);
	MemoryContextDelete(app->cxt);
}

Oid
siddhi_runtime_app_owner(SiddhiAppRuntime *app)
{
	return app->owner;
}

void
siddhi_runtime_add_stream_hook(SiddhiAppRuntime *app, Oid relid,
							   SiddhiStreamHookFn fn, void *arg)
{
	Junction *j = junction_get(relid);
	StreamHook *h = MemoryContextAlloc(app->cxt, sizeof(StreamHook));
	MemoryContext old = MemoryContextSwitchTo(runtime_cxt);

	h->app = app;
	h->fn = fn;
	h->arg = arg;
	j->hooks = lappend(j->hooks, h);
	MemoryContextSwitchTo(old);
}

/* Batches since the worker started: privilege checks are made once each. */
static uint64 batch_seq = 0;

/*
 * May owner still read the stream relid?  SELECT is checked at deploy and
 * at every load (analyze_privileges.c); a privilege revoked while the app
 * runs stops its reads at the next batch.  ERROR when it may not.
 */
static void
check_may_read(Oid relid, Oid owner)
{
	if (pg_class_aclcheck(relid, owner, ACL_SELECT) != ACLCHECK_OK)
		ereport(
			ERROR,
			(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
			 errmsg("permission denied to read \"%s\"", get_rel_name(relid)),
			 errdetail("The app's owner no longer has the SELECT "
					   "privilege on it; its events are skipped.")));
}

/* Aggregations whose owner may not read their input, this batch. */
static List *agg_read_denied = NIL;
static List *agg_read_checked = NIL;

void
siddhi_runtime_begin_batch(void)
{
	runtime_init();
	batch_seq++;
	agg_read_denied = agg_read_checked = NIL; /* were in batch_cxt */
	siddhi_batch_start();
	MemoryContextReset(batch_cxt);
	dirty_sinks = NIL;
}

/*
 * An error of query q (already rolled back): count it, with its message
 * as the query's last error, and log it, at most once per
 * siddhi.error_log_interval for the query.  Frees edata.
 */
static void
query_error(QueryRuntime *q, ErrorData *edata)
{
	int64 unlogged;
	/* a join's or pattern's other side logs as its query */
	QueryRuntime *logq = q->join_main	   ? q->join_main
						 : q->pattern_main ? q->pattern_main
										   : q;

	siddhi_stats_error(q->stats, edata->message);
	if (siddhi_error_log_due(&logq->errlog, &unlogged))
		ereport(LOG,
				(errcode(ERRCODE_SIDDHI_RUNTIME_ERROR),
				 errmsg("siddhi app \"%s\", query \"%s\": %s (event skipped)",
						q->app->name, q->name, edata->message),
				 siddhi_errdetail_unlogged(unlogged)));
	FreeErrorData(edata);
}

/*
 * Called in PG_CATCH of a unit of work of query q: roll its work back
 * (siddhi_batch_unit_failed), count and log the error, and go on as
 * save_user.
 */
static void
query_failed(QueryRuntime *q, MemoryContext mcxt, Oid save_user, int save_sec)
{
	ErrorData *edata = siddhi_batch_unit_failed(batch_cxt);

	SetUserIdAndSecContext(save_user, save_sec);
	MemoryContextSwitchTo(mcxt);
	query_error(q, edata);
}

static void query_send(QueryRuntime *q, TupleTableSlot *out, int64 ts,
					   int depth, SiddhiEventKind kind, const char *key,
					   Size keylen);
static void query_group_key(QueryRuntime *q);
static void query_group_values(QueryRuntime *q);

/*
 * Make the output row of an input event (aggregate values already in the
 * params), check having, and send it on (or keep it for order by/limit).
 */
static void
query_output(QueryRuntime *q, TupleTableSlot *slot, int64 ts, int depth,
			 SiddhiEventKind kind)
{
	TupleTableSlot *out;
	const char *key = NULL;
	Size keylen = 0;

	q->econtext->ecxt_scantuple = slot;
	out = ExecProject(q->proj);
	if ((q->rate || q->topn) && q->ngroup > 0)
	{
		/* first/last per group: the limiter needs the row's group */
		query_group_key(q);
		key = q->keybuf.data;
		keylen = q->keybuf.len;
	}
	if (q->having)
	{
		q->econtext->ecxt_scantuple = out;
		if (!ExecQual(q->having, q->econtext))
		{
			if (q->topn && q->aggs) /* the group leaves the contents */
				siddhi_topn_offer(q->topn, q->econtext, NULL, ts, kind,
								  key ? key : "", keylen, true);
			return;
		}
	}
	if (q->topn)
	{
		siddhi_topn_offer(
			q->topn, q->econtext, out, ts, kind, key ? key : "", keylen,
			q->flush_group && siddhi_aggs_group_empty(q->flush_group));
		return;
	}
	if (q->buffered)
	{
		MemoryContext old =
			MemoryContextSwitchTo(q->econtext->ecxt_per_tuple_memory);

		if (q->nout == q->out_cap)
		{
			/* the arrays live as long as the query; the rows per chunk */
			MemoryContext qcxt = GetMemoryChunkContext(q);
			int cap = Max(16, q->out_cap * 2);

			q->out_tuples =
				q->out_tuples
					? repalloc(q->out_tuples, sizeof(MinimalTuple) * cap)
					: MemoryContextAlloc(qcxt, sizeof(MinimalTuple) * cap);
			q->out_ts = q->out_ts
							? repalloc(q->out_ts, sizeof(int64) * cap)
							: MemoryContextAlloc(qcxt, sizeof(int64) * cap);
			q->out_kind =
				q->out_kind
					? repalloc(q->out_kind, sizeof(SiddhiEventKind) * cap)
					: MemoryContextAlloc(qcxt, sizeof(SiddhiEventKind) * cap);
			q->out_keys = q->out_keys
							  ? repalloc(q->out_keys, sizeof(char *) * cap)
							  : MemoryContextAlloc(qcxt, sizeof(char *) * cap);
			q->out_keylens =
				q->out_keylens ? repalloc(q->out_keylens, sizeof(Size) * cap)
							   : MemoryContextAlloc(qcxt, sizeof(Size) * cap);
			q->out_cap = cap;
		}
		q->out_tuples[q->nout] = ExecCopySlotMinimalTuple(out);
		q->out_ts[q->nout] = ts;
		q->out_kind[q->nout] = kind;
		q->out_keys[q->nout] = key ? pnstrdup(key, keylen) : NULL;
		q->out_keylens[q->nout] = keylen;
		q->nout++;
		MemoryContextSwitchTo(old);
		return;
	}
	query_send(q, out, ts, depth, kind, key, keylen);
}

/*
 * A table operation is a unit of work of its own: when it fails, only its
 * effects are rolled back and the output row is not counted as out; the
 * query goes on with its next row.
 */
static void
query_table_op(QueryRuntime *q, TupleTableSlot *out)
{
	MemoryContext mcxt = CurrentMemoryContext;
	Oid save_user;
	int save_sec;
	volatile bool done = true;

	GetUserIdAndSecContext(&save_user, &save_sec);
	siddhi_batch_isolate();
	PG_TRY();
	{
		siddhi_table_op_apply(q->table_op, out);
		siddhi_batch_isolate();
	}
	PG_CATCH();
	{
		query_failed(q, mcxt, save_user, save_sec);
		done = false;
	}
	PG_END_TRY();
	if (done)
		siddhi_stats_count(q->stats, 0, 1);
}

/*
 * Send an output row to the query's table or stream, past any limiter.
 * It counts as out when it reaches the stream, or once it is written.
 */
static void
query_deliver(QueryRuntime *q, TupleTableSlot *out, int64 ts, int depth,
			  SiddhiEventKind kind)
{
	if (q->table_op)
	{
		/* at once, after the rows buffered for the table (table_ops.c) */
		sink_flush(q->table_relid);
		query_table_op(q, out);
	}
	else if (OidIsValid(q->table_relid))
	{
		TableSink *sink;
		bool found;
		TableRow *row;
		MemoryContext old = MemoryContextSwitchTo(batch_cxt);

		sink = hash_search(sinks, &q->table_relid, HASH_ENTER, &found);
		if (!found || sink->rows == NIL)
		{
			sink->rows = NIL;
			dirty_sinks = lappend_oid(dirty_sinks, q->table_relid);
		}
		row = palloc(sizeof(TableRow));
		row->query = q;
		row->tuple = ExecCopySlotMinimalTuple(out);
		sink->rows = lappend(sink->rows, row);
		MemoryContextSwitchTo(old);
	}
	else
	{
		siddhi_stats_count(q->stats, 0, 1);
		q->sent_out = true;
		junction_emit(q->output, out, ts, depth + 1,
					  kind == SIDDHI_EVENT_EXPIRED);
	}
}

typedef struct RateEmitArg
{
	QueryRuntime *q;
	int depth;
} RateEmitArg;

/*
 * The key of an event for group by or a window: the text of each value,
 * each ended by a NUL (a null value is \x01).  The values are also left
 * in values/nulls when those are given.
 */
static void
build_key(ExprContext *econtext, ExprState **exprs, FmgrInfo *out, int n,
		  Datum *values, bool *nulls, StringInfo buf)
{
	resetStringInfo(buf);
	for (int k = 0; k < n; k++)
	{
		bool isnull;
		Datum v = ExecEvalExpr(exprs[k], econtext, &isnull);

		if (values)
		{
			values[k] = v;
			nulls[k] = isnull;
		}
		if (isnull)
			appendStringInfoChar(buf, '\x01');
		else
			appendStringInfoString(buf, OutputFunctionCall(&out[k], v));
		appendStringInfoChar(buf, '\0');
	}
}

/*
 * A snapshot row: project the input event the limiter kept, with the
 * aggregate values its group has now, check having, and send it.
 */
static void
query_snapshot_row(QueryRuntime *q, int64 ts, int depth)
{
	TupleTableSlot *out;

	q->econtext->ecxt_scantuple = q->rate_slot;
	if (q->aggs)
	{
		MemoryContext old =
			MemoryContextSwitchTo(q->econtext->ecxt_per_tuple_memory);

		query_group_values(q);
		siddhi_aggs_values(
			q->aggs,
			siddhi_aggs_group(q->aggs, q->group_values, q->group_nulls, true),
			q->econtext->ecxt_param_exec_vals);
		MemoryContextSwitchTo(old);
	}
	out = ExecProject(q->proj);
	if (q->having)
	{
		q->econtext->ecxt_scantuple = out;
		if (!ExecQual(q->having, q->econtext))
			return;
	}
	query_deliver(q, out, ts, depth, SIDDHI_EVENT_CURRENT);
}

/* Callback of the rate limiter: a row it lets go. */
static void
rate_emit(void *arg, MinimalTuple tuple, int64 ts, SiddhiEventKind kind,
		  const char *key, Size keylen)
{
	RateEmitArg *ra = arg;
	QueryRuntime *q = ra->q;

	ExecStoreMinimalTuple(tuple, q->rate_slot, false);
	if (siddhi_rate_is_snapshot(q->rate))
		query_snapshot_row(q, ts, ra->depth);
	else
		query_deliver(q, q->rate_slot, ts, ra->depth, kind);
	ExecClearTuple(q->rate_slot);
}

/*
 * An output row of the query: through its rate limiter, if it has one (a
 * snapshot limiter is fed from the window instead: the row is dropped).
 */
static void
query_send(QueryRuntime *q, TupleTableSlot *out, int64 ts, int depth,
		   SiddhiEventKind kind, const char *key, Size keylen)
{
	RateEmitArg ra = { q, depth };
	MinimalTuple t;
	bool should_free;

	if (q->rate == NULL)
	{
		query_deliver(q, out, ts, depth, kind);
		return;
	}
	if (siddhi_rate_is_snapshot(q->rate))
		return;
	t = ExecFetchSlotMinimalTuple(out, &should_free);
	siddhi_rate_offer(q->rate, t, ts, kind, key, keylen,
					  q->app->playback ? q->app->clock : siddhi_now_ms(),
					  rate_emit, &ra);
	if (should_free)
		pfree(t);
}

/* Let time pass for a query's rate limiter, if something is due by now. */
static void
rate_catch_up(QueryRuntime *q, int64 now, int depth)
{
	RateEmitArg ra = { q, depth };
	int64 due;

	if (q->rate == NULL)
		return;
	due = siddhi_rate_deadline(q->rate);
	if (due >= 0 && now < due)
		return;
	siddhi_rate_advance(q->rate, now, rate_emit, &ra);
}

/*
 * The group key of the event in the query's scan tuple, into keybuf: the
 * text of each group-by value, NUL-terminated (\x01 for null).
 */
static void
query_group_key(QueryRuntime *q)
{
	MemoryContext old =
		MemoryContextSwitchTo(q->econtext->ecxt_per_tuple_memory);

	build_key(q->econtext, q->group_exprs, q->group_out, q->ngroup, NULL, NULL,
			  &q->keybuf);
	MemoryContextSwitchTo(old);
}

/*
 * The group-by values of the event in the query's scan tuple, into
 * group_values and group_nulls, in the current memory context.
 */
static void
query_group_values(QueryRuntime *q)
{
	for (int k = 0; k < q->ngroup; k++)
		q->group_values[k] =
			ExecEvalExpr(q->group_exprs[k], q->econtext, &q->group_nulls[k]);
}

/*
 * An event that reached an aggregating query: update its group, and if it
 * is current, remember it as the group's latest for the chunk's output.
 */
static void
aggregate_event(QueryRuntime *q, TupleTableSlot *slot, int64 ts,
				SiddhiEventKind kind)
{
	MemoryContext old =
		MemoryContextSwitchTo(q->econtext->ecxt_per_tuple_memory);
	SiddhiAggGroup *g;
	SiddhiAggMarks *marks;
	int i;

	query_group_values(q);
	for (int k = 0; k < q->naggs; k++)
	{
		q->agg_nulls[k] = false;
		if (q->agg_args[k])
			q->agg_values[k] =
				ExecEvalExpr(q->agg_args[k], q->econtext, &q->agg_nulls[k]);
		if (q->agg_out[k].fn_oid != InvalidOid && !q->agg_nulls[k])
		{
			/* distinctCount counts values by a 64-bit hash of their text */
			char *text = OutputFunctionCall(&q->agg_out[k], q->agg_values[k]);

			q->agg_values[k] = Int64GetDatum((int64) hash_bytes_extended(
				(const unsigned char *) text, strlen(text), 0));
		}
	}
	/*
	 * An expired event whose group is gone never counted in one: its
	 * current event was skipped (past siddhi.max_groups).  It leaves
	 * nothing, rather than making a group (or failing) as it goes.
	 */
	g = siddhi_aggs_group(q->aggs, q->group_values, q->group_nulls,
						  kind != SIDDHI_EVENT_EXPIRED);
	MemoryContextSwitchTo(old);
	if (g == NULL)
		return;

	siddhi_aggs_update(q->aggs, g, kind == SIDDHI_EVENT_CURRENT, q->agg_values,
					   q->agg_nulls);
	marks = siddhi_aggs_marks(g);
	if (kind == SIDDHI_EVENT_EXPIRED)
	{
		if (!marks->touched)
		{
			old = MemoryContextSwitchTo(q->econtext->ecxt_per_tuple_memory);
			q->touched = lappend(q->touched, g);
			MemoryContextSwitchTo(old);
			marks->touched = true;
		}
	}

	/*
	 * As Siddhi's selector: each event the query outputs (by its kind)
	 * makes its row with the aggregates as they are now, and the chunk
	 * outputs, per group in the order groups first got one, the last such
	 * row that passed having.
	 */
	if ((kind == SIDDHI_EVENT_EXPIRED && q->events == SIDDHI_EVENTS_CURRENT) ||
		(kind == SIDDHI_EVENT_CURRENT && q->events == SIDDHI_EVENTS_EXPIRED))
		return;
	old = MemoryContextSwitchTo(q->econtext->ecxt_per_tuple_memory);
	siddhi_aggs_values(q->aggs, g, q->econtext->ecxt_param_exec_vals);
	MemoryContextSwitchTo(old);
	/* the contents judge a group by its last row of the chunk */
	if (q->having && q->topn == NULL)
	{
		TupleTableSlot *out;

		q->econtext->ecxt_scantuple = slot;
		out = ExecProject(q->proj);
		q->econtext->ecxt_scantuple = out;
		if (!ExecQual(q->having, q->econtext))
		{
			q->econtext->ecxt_scantuple = slot;
			return;
		}
		q->econtext->ecxt_scantuple = slot;
	}
	if (marks->pending > 0)
	{
		/* a later event of the group: it replaces the earlier one */
		i = marks->pending - 1;
		pfree(q->pending_tuples[i]);
	}
	else
	{
		if (q->npending == q->pending_cap)
		{
			MemoryContext acx = GetMemoryChunkContext(q);
			int cap = Max(8, q->pending_cap * 2);

#define GROW(arr, type)                          \
	((arr) ? repalloc((arr), sizeof(type) * cap) \
		   : MemoryContextAlloc(acx, sizeof(type) * cap))
			q->pending_groups = GROW(q->pending_groups, SiddhiAggGroup *);
			q->pending_tuples = GROW(q->pending_tuples, MinimalTuple);
			q->pending_ts = GROW(q->pending_ts, int64);
			q->pending_kind = GROW(q->pending_kind, SiddhiEventKind);
			q->pending_params =
				q->pending_params
					? repalloc(q->pending_params,
							   sizeof(ParamExecData) * q->naggs * cap)
					: MemoryContextAlloc(acx, sizeof(ParamExecData) *
												  q->naggs * cap);
#undef GROW
			q->pending_cap = cap;
		}
		i = q->npending++;
		q->pending_groups[i] = g;
		marks->pending = i + 1;
	}
	old = MemoryContextSwitchTo(q->econtext->ecxt_per_tuple_memory);
	q->pending_tuples[i] = ExecCopySlotMinimalTuple(slot);
	for (int k = 0; k < q->naggs; k++)
	{
		ParamExecData *from = &q->econtext->ecxt_param_exec_vals[k];
		ParamExecData *to = &q->pending_params[i * q->naggs + k];

		*to = *from;
		if (!from->isnull)
			to->value =
				datumCopy(from->value, q->agg_byval[k], q->agg_typlen[k]);
	}
	MemoryContextSwitchTo(old);
	q->pending_ts[i] = ts;
	q->pending_kind[i] = kind;
}

/*
 * End of a chunk (the events one arrival caused): one output row per group
 * that received a current event, as Siddhi's aggregating selector does,
 * made from the group's latest event; then release emptied groups.
 */
static void
aggregate_flush(QueryRuntime *q, int depth)
{
	List *touched;
	ListCell *lc;

	for (int i = 0; i < q->npending; i++)
	{
		memcpy(q->econtext->ecxt_param_exec_vals,
			   &q->pending_params[i * q->naggs],
			   sizeof(ParamExecData) * q->naggs);
		ExecStoreMinimalTuple(q->pending_tuples[i], q->agg_slot, false);
		q->flush_group = q->pending_groups[i];
		query_output(q, q->agg_slot, q->pending_ts[i], depth,
					 q->pending_kind[i]);
		q->flush_group = NULL;
		ExecClearTuple(q->agg_slot);
	}
	for (int i = 0; i < q->npending; i++)
		siddhi_aggs_marks(q->pending_groups[i])->pending = 0;
	q->npending = 0;
	touched = q->touched;
	q->touched = NIL;
	foreach(lc, touched)
	{
		siddhi_aggs_marks(lfirst(lc))->touched = false;
		siddhi_aggs_release_if_empty(q->aggs, lfirst(lc));
	}
}

/* Snapshots: hand an event leaving the window to the limiter. */
static void
query_rate_remember(QueryRuntime *q, TupleTableSlot *slot, int64 ts,
					SiddhiEventKind kind)
{
	bool should_free;
	MinimalTuple t;

	if (q->ngroup > 0)
		query_group_key(q);
	t = ExecFetchSlotMinimalTuple(slot, &should_free);
	siddhi_rate_remember(q->rate, t, ts, kind,
						 q->ngroup > 0 ? q->keybuf.data : NULL,
						 q->ngroup > 0 ? q->keybuf.len : 0);
	if (should_free)
		pfree(t);
}

static void query_emit_row(QueryRuntime *q, TupleTableSlot *slot, int64 ts,
						   int depth, SiddhiEventKind kind);

typedef struct JoinRowArg
{
	QueryRuntime *q;
	int depth;
} JoinRowArg;

/* Callback of siddhi_join_arrive: a joined row goes on through q. */
static void
join_row(void *arg, TupleTableSlot *row, int64 ts, SiddhiEventKind kind)
{
	JoinRowArg *a = arg;

	query_emit_row(a->q, row, ts, a->depth, kind);
}

/* What a join side holds: its window, its named window's, or nothing. */
static SiddhiWindow *
join_side_contents(QueryRuntime *side)
{
	if (side == NULL)
		return NULL;
	if (side->window)
		return side->window;
	return side->input->named ? side->input->named->window : NULL;
}

/*
 * Whether query_emit_row drops every row of this kind: no aggregator or
 * snapshot needs it and the query does not output it.
 */
static bool
query_drops_kind(QueryRuntime *q, SiddhiEventKind kind)
{
	if (q->aggs || (q->rate && siddhi_rate_is_snapshot(q->rate)))
		return false;
	return (kind == SIDDHI_EVENT_EXPIRED &&
			q->events == SIDDHI_EVENTS_CURRENT) ||
		   (kind == SIDDHI_EVENT_CURRENT &&
			q->events == SIDDHI_EVENTS_EXPIRED);
}

/* An event of a join side (q, or the side feeding q) probes the other. */
static void
query_join(QueryRuntime *q, TupleTableSlot *slot, int64 ts, int depth,
		   SiddhiEventKind kind)
{
	QueryRuntime *mq = q->join_main ? q->join_main : q;
	JoinRowArg a = { mq, depth };
	Oid table = siddhi_join_table(mq->join);

	/* the rows it would make go nowhere (an expired event of a query
	 * that outputs current events only): spare the probe */
	if (query_drops_kind(mq, kind))
		return;

	/* a table lookup sees the rows queries buffered for it */
	if (OidIsValid(table))
	{
		sink_flush(table);
		/* an aggregation lookup, the buckets of the batch's events so far */
		if (siddhi_join_reads_aggregation(mq->join))
			siddhi_incremental_flush_all();
		siddhi_stats_lookup(mq->stats, siddhi_join_uses_index(mq->join));
	}
	siddhi_join_arrive(mq->join, q->join_main ? 1 : 0, slot, ts, kind,
					   join_side_contents(q->join_main ? mq : mq->join_other),
					   join_row, &a);
}

/*
 * One event leaving a query's window (or its input, when it has none):
 * filters after the window, then aggregation, or the output if the query
 * outputs events of this kind.
 */
static void
query_emit(QueryRuntime *q, TupleTableSlot *slot, int64 ts, int depth,
		   SiddhiEventKind kind)
{
	q->econtext->ecxt_scantuple = slot;
	if (q->window_qual && !ExecQual(q->window_qual, q->econtext))
		return;
	if (q->join || q->join_main)
	{
		query_join(q, slot, ts, depth, kind);
		return;
	}
	query_emit_row(q, slot, ts, depth, kind);
}

/* After the window (and join): aggregation, or the output. */
static void
query_emit_row(QueryRuntime *q, TupleTableSlot *slot, int64 ts, int depth,
			   SiddhiEventKind kind)
{
	q->econtext->ecxt_scantuple = slot;
	if (q->rate && siddhi_rate_is_snapshot(q->rate))
	{
		/* a snapshot shows the state: it keeps what the window holds */
		query_rate_remember(q, slot, ts, kind);
		if (q->aggs == NULL)
			return;
	}
	if (q->aggs)
	{
		aggregate_event(q, slot, ts, kind);
		return;
	}
	/* window functions: now over a stream, at the step's end over a window */
	if (q->over && !siddhi_over_row(q->over, q->econtext, slot, ts,
									kind == SIDDHI_EVENT_CURRENT))
		return;
	if ((kind == SIDDHI_EVENT_EXPIRED && q->events == SIDDHI_EVENTS_CURRENT) ||
		(kind == SIDDHI_EVENT_CURRENT && q->events == SIDDHI_EVENTS_EXPIRED))
		return;
	query_output(q, slot, ts, depth, kind);
}

typedef struct OverEmitArg
{
	QueryRuntime *q;
	int depth;
} OverEmitArg;

/* siddhi_over_flush's callback: a row with its window functions' values. */
static void
over_emit(void *arg, TupleTableSlot *slot, int64 ts)
{
	OverEmitArg *wa = arg;

	query_output(wa->q, slot, ts, wa->depth, SIDDHI_EVENT_CURRENT);
}

/* qsort_arg comparator over the order-by keys of buffered outputs */
typedef struct OutputSortState
{
	QueryRuntime *q;
	Datum *keys;
	bool *nulls;
} OutputSortState;

static int
compare_outputs(const void *a, const void *b, void *arg)
{
	OutputSortState *st = arg;
	int i = *(const int *) a;
	int j = *(const int *) b;
	int n = st->q->norder;

	for (int k = 0; k < n; k++)
	{
		int c = ApplySortComparator(st->keys[i * n + k], st->nulls[i * n + k],
									st->keys[j * n + k], st->nulls[j * n + k],
									&st->q->order_ssup[k]);

		if (c != 0)
			return c;
	}
	return i - j; /* stable */
}

/* Callback of siddhi_topn_chunk_end: a row of the contents goes out. */
static void
topn_emit(void *arg, TupleTableSlot *row, int64 ts)
{
	RateEmitArg *ta = arg;

	query_send(ta->q, row, ts, ta->depth, SIDDHI_EVENT_CURRENT, NULL, 0);
}

/*
 * End of a chunk: aggregates make their rows, then order by, offset and
 * limit apply to the chunk's outputs, as Siddhi applies them per chunk
 * (SQL's over the contents instead: topn.c).
 */
static void
query_chunk_end(QueryRuntime *q, int depth)
{
	OutputSortState st;
	int *order;
	int64 first;
	int64 last;
	MemoryContext old;

	if (q->join_main || q->pattern_main)
	{
		/* a join's other side: the query it feeds ends its chunk */
		query_chunk_end(q->join_main ? q->join_main : q->pattern_main, depth);
		return;
	}
	if (q->aggs)
		aggregate_flush(q, depth);
	if (q->over)
	{
		OverEmitArg oa = { q, depth };

		siddhi_over_flush(q->over, q->econtext, over_emit, &oa);
	}
	if (q->join_reset)
	{
		q->join_reset = false;
		siddhi_aggs_reset(q->aggs);
	}
	if (q->topn)
	{
		RateEmitArg ta = { q, depth };

		siddhi_topn_chunk_end(q->topn, topn_emit, &ta);
		return;
	}
	if (!q->buffered || q->nout == 0)
		return;
	old = MemoryContextSwitchTo(q->econtext->ecxt_per_tuple_memory);
	order = palloc(sizeof(int) * q->nout);
	st.q = q;
	st.keys = palloc(sizeof(Datum) * q->nout * Max(q->norder, 1));
	st.nulls = palloc(sizeof(bool) * q->nout * Max(q->norder, 1));
	for (int i = 0; i < q->nout; i++)
	{
		order[i] = i;
		if (q->norder == 0)
			continue;
		ExecStoreMinimalTuple(q->out_tuples[i], q->sorted_slot, false);
		q->econtext->ecxt_scantuple = q->sorted_slot;
		for (int k = 0; k < q->norder; k++)
			st.keys[i * q->norder + k] = ExecEvalExpr(
				q->order_exprs[k], q->econtext, &st.nulls[i * q->norder + k]);
		ExecClearTuple(q->sorted_slot);
	}
	if (q->norder > 0)
		qsort_arg(order, q->nout, sizeof(int), compare_outputs, &st);
	MemoryContextSwitchTo(old);

	first = q->offset;
	last = q->limit >= 0 ? Min(q->nout, first + q->limit) : q->nout;
	q->nout = 0; /* before sending: sending may recurse */
	for (int64 r = first; r < last; r++)
	{
		int i = order[r];

		ExecStoreMinimalTuple(q->out_tuples[i], q->sorted_slot, false);
		query_send(q, q->sorted_slot, q->out_ts[i], depth, q->out_kind[i],
				   q->out_keys[i], q->out_keylens[i]);
		ExecClearTuple(q->sorted_slot);
	}
}

typedef struct WindowEventArg
{
	QueryRuntime *q;
	int depth;
} WindowEventArg;

/* Callback of siddhi_window_add: an event the window hands out. */
static void
window_event(void *arg, SiddhiEventKind kind, MinimalTuple tuple, int64 ts)
{
	WindowEventArg *wa = arg;
	MemoryContext mcxt = CurrentMemoryContext;
	Oid save_user;
	int save_sec;

	if (kind == SIDDHI_EVENT_CHUNK_END)
	{
		query_chunk_end(wa->q, wa->depth);
		return;
	}

	/*
	 * An error skips this event for the query and the window goes on: it
	 * has handed the event out, and an expiry that failed must still
	 * happen, or the window's deadline never moves and its timer fires
	 * again and again.
	 */
	siddhi_batch_isolate();
	GetUserIdAndSecContext(&save_user, &save_sec);
	PG_TRY();
	{
		ExecStoreMinimalTuple(tuple, wa->q->window_slot, false);
		query_emit(wa->q, wa->q->window_slot, ts, wa->depth, kind);
	}
	PG_CATCH();
	{
		query_failed(wa->q, mcxt, save_user, save_sec);
	}
	PG_END_TRY();
	ExecClearTuple(wa->q->window_slot);
}

/* A window's long-valued attribute of the event; null is an error. */
static int64
window_long(WindowArgs *wa, ExprState *e, ExprContext *econtext,
			const char *what)
{
	bool isnull;
	Datum d = ExecEvalExpr(e, econtext, &isnull);

	if (isnull)
		ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
						errmsg("the %s attribute of window %s is null", what,
							   wa->name)));
	return DatumGetInt64(d);
}

/* What a window needs of the event in econtext's scan tuple. */
static void
window_event_values(WindowArgs *wa, ExprContext *econtext,
					SiddhiWindowEvent *ev)
{
	if (wa->time)
		ev->ext = window_long(wa, wa->time, econtext, "time");
	if (wa->start)
		ev->start = window_long(wa, wa->start, econtext, "start time");
	if (wa->nkeys > 0)
	{
		build_key(econtext, wa->keys, wa->key_out, wa->nkeys, wa->values,
				  wa->nulls, &wa->keybuf);
		ev->key = wa->keybuf.data;
		ev->keylen = wa->keybuf.len;
		ev->values = wa->values;
		ev->isnull = wa->nulls;
	}
}

/* Let time pass for a query's window, if something is due by now. */
static void
window_catch_up(QueryRuntime *q, int64 now, int depth)
{
	int64 due;
	WindowEventArg wa = { q, depth };

	if (q->window == NULL)
		return;
	due = siddhi_window_deadline(q->window);
	if (due < 0 || now < due)
		return;
	siddhi_window_advance(q->window, now, window_event, &wa);
}

/* After an error: forget the chunk the query was in the middle of. */
static void
query_abandon_chunk(QueryRuntime *q)
{
	ListCell *lc;

	for (int i = 0; i < q->npending; i++)
		siddhi_aggs_marks(q->pending_groups[i])->pending = 0;
	q->npending = 0;
	foreach(lc, q->touched)
		siddhi_aggs_marks(lfirst(lc))->touched = false;
	q->touched = NIL;
	q->nout = 0;
	q->join_reset = false;
	q->flush_group = NULL;
	if (q->over)
		siddhi_over_abandon(q->over);
	ResetExprContext(q->econtext);
	if (q->join_main)
		query_abandon_chunk(q->join_main);
	if (q->pattern_main)
		query_abandon_chunk(q->pattern_main);
}

/*
 * #unique:deduplicate and the filters after it: whether the event in q's
 * scan tuple goes on to the window.
 */
static bool
query_dedup_admit(QueryRuntime *q, int64 ts)
{
	if (q->dedup == NULL)
		return true;
	build_key(q->econtext, &q->dedup_key, &q->dedup_key_out, 1, NULL, NULL,
			  &q->dedup_keybuf);
	if (!siddhi_dedup_admit(q->dedup, q->dedup_keybuf.data,
							q->dedup_keybuf.len, ts))
		return false;
	return q->dedup_qual == NULL || ExecQual(q->dedup_qual, q->econtext);
}

typedef struct PatternEmitArg
{
	QueryRuntime *q;
	int depth;
} PatternEmitArg;

/* Callback of the pattern engine: a match goes out through q. */
static void
pattern_emit(void *arg, TupleTableSlot *row, int64 ts)
{
	PatternEmitArg *a = arg;
	int64 save_ts = siddhi_current_event_ts;

	/* eventTimestamp() of a match is its own (an absence: when it held) */
	siddhi_current_event_ts = ts;
	/* SQL's WHERE on the pattern: matches it rejects go nowhere */
	a->q->econtext->ecxt_scantuple = row;
	if (a->q->window_qual == NULL ||
		ExecQual(a->q->window_qual, a->q->econtext))
		query_emit_row(a->q, row, ts, a->depth, SIDDHI_EVENT_CURRENT);
	siddhi_current_event_ts = save_ts;
}

/* An event of one of a pattern's streams (q, or a runtime feeding it). */
static void
query_pattern_event(QueryRuntime *q, TupleTableSlot *slot, int64 ts, int depth)
{
	QueryRuntime *mq = q->pattern_main ? q->pattern_main : q;
	PatternEmitArg a = { mq, depth };
	int64 now = mq->app->playback ? mq->app->clock : ts;

	if (siddhi_pattern_deadline(mq->pattern) >= 0)
		siddhi_pattern_advance(mq->pattern, now, pattern_emit, &a);
	if (mq->rate)
		rate_catch_up(mq, mq->app->playback ? mq->app->clock : siddhi_now_ms(),
					  depth);
	siddhi_pattern_event(mq->pattern, q->pattern_stream, slot, ts,
						 pattern_emit, &a);
	siddhi_stats_partial(mq->stats, siddhi_pattern_pending(mq->pattern),
						 siddhi_pattern_dropped(mq->pattern));
}

/* An event reaches a query: filters, then its window or what follows. */
static void
query_event(QueryRuntime *q, TupleTableSlot *slot, int64 ts, int depth,
			SiddhiEventKind kind, bool end_chunk)
{
	if (q->pattern || q->pattern_main)
	{
		query_pattern_event(q, slot, ts, depth);
		if (end_chunk)
			query_chunk_end(q, depth);
		return;
	}
	/* time passes for the window first: what is due leaves before */
	window_catch_up(q, q->app->playback ? q->app->clock : ts, depth);
	if (q->rate)
		rate_catch_up(q, q->app->playback ? q->app->clock : siddhi_now_ms(),
					  depth);
	q->econtext->ecxt_scantuple = slot;
	if (q->qual && !ExecQual(q->qual, q->econtext))
		return;
	if (!query_dedup_admit(q, ts))
		return;
	if (q->window)
	{
		bool should_free;
		WindowEventArg wa = { q, depth };
		SiddhiWindowEvent ev = { 0 };

		Assert(kind == SIDDHI_EVENT_CURRENT);
		ev.tuple = ExecFetchSlotMinimalTuple(slot, &should_free);
		ev.desc = slot->tts_tupleDescriptor;
		ev.timestamp = ts;
		window_event_values(&q->window_args, q->econtext, &ev);
		siddhi_window_add(q->window, &ev, window_event, &wa);
		if (should_free)
			pfree(ev.tuple);
	}
	else
	{
		query_emit(q, slot, ts, depth, kind);
		/*
		 * A join side without a window is Siddhi's empty window: when the
		 * query outputs expired events, each arrival also leaves at once,
		 * as an expired event stamped with the clock, in a chunk of its
		 * own (an aggregate emits the current row, then the expired one).
		 */
		if ((q->join || q->join_main) && q->input->named == NULL &&
			kind == SIDDHI_EVENT_CURRENT && q->events != SIDDHI_EVENTS_CURRENT)
		{
			query_chunk_end(q, depth);
			query_emit(q, slot, q->app->playback ? q->app->clock : ts, depth,
					   SIDDHI_EVENT_EXPIRED);
		}
		/* ... and then resets the query's aggregators (Siddhi's RESET) */
		if ((q->join || q->join_main) && q->input->named == NULL &&
			kind == SIDDHI_EVENT_CURRENT)
		{
			QueryRuntime *mq = q->join_main ? q->join_main : q;

			if (mq->aggs)
				mq->join_reset = true;
		}
	}
	if (end_chunk)
		query_chunk_end(q, depth);
}

typedef enum QueryStep
{
	STEP_EVENT,		/* an event arrives */
	STEP_CHUNK_END, /* a named window's step is over */
	STEP_ADVANCE,	/* time passes for the query's window */
	STEP_INPUT_END	/* the chunk its input came in has ended (batch) */
} QueryStep;

/*
 * One step of a query, as its app's owner, inside the batch's error
 * boundary: an error rolls the subtransaction back, is counted against
 * the query, and the query forgets the chunk it was in; the batch goes on.
 * An event is current, or expired when a named window hands it out;
 * end_chunk says whether it is a chunk on its own.
 */
static void
query_step(QueryRuntime *q, QueryStep step, TupleTableSlot *slot, int64 ts,
		   int depth, SiddhiEventKind kind, bool end_chunk)
{
	MemoryContext mcxt = CurrentMemoryContext;
	Oid save_user;
	int save_sec;
	int frame;
	int64 save_ts = siddhi_current_event_ts;
	volatile bool keep_memory = false;
	SiddhiPartInstance *save_key = q->apart ? q->apart->current : NULL;
	uint64 timed = 0; /* a sampled event's start (metrics.h) */

	/* the owner may not read the input: reported once, at the first event */
	if (step == STEP_EVENT && q->read_denied && q->read_checked == batch_seq)
		return;
	/* what came before is kept, whatever happens to this step */
	siddhi_batch_isolate();
	GetUserIdAndSecContext(&save_user, &save_sec);
	frame = siddhi_usercode_enter(q->owner);
	PG_TRY();
	{
		if (depth > MAX_CHAIN_DEPTH)
			ereport(ERROR,
					(errcode(ERRCODE_SIDDHI_RUNTIME_ERROR),
					 errmsg("event went through more than %d chained queries",
							MAX_CHAIN_DEPTH),
					 errhint("Queries that insert into each other's input "
							 "streams form a loop.")));
		/* once a batch: may the owner still read the input? */
		if (step == STEP_EVENT && q->input && !q->input->named &&
			q->read_checked != batch_seq)
		{
			q->read_checked = batch_seq;
			q->read_denied = true;
			check_may_read(q->input->relid, q->owner);
			q->read_denied = false;
		}
		if (step == STEP_EVENT)
		{
			timed = siddhi_stats_event(q->stats, ts);
			if (q->app->playback && ts > q->app->clock)
				q->app->clock = ts;
		}
		playback_clock = q->app->playback ? q->app->clock : 0;
		switch (step)
		{
			case STEP_EVENT:
				if (q->apart)
					partition_event(q, slot, ts, depth, kind);
				else
					query_event(q, slot, ts, depth, kind, end_chunk);
				/* the rows of a chunk still open live in per-tuple memory */
				if (!end_chunk)
					keep_memory = true;
				break;
			case STEP_CHUNK_END:
				query_chunk_end(q, depth);
				break;
			case STEP_ADVANCE:
				siddhi_current_event_ts = ts;
				window_catch_up(q, ts, depth);
				if (q->pattern)
				{
					PatternEmitArg pa = { q, depth };

					siddhi_pattern_advance(q->pattern, ts, pattern_emit, &pa);
				}
				if (q->rate)
					rate_catch_up(q, ts, depth);
				break;
			case STEP_INPUT_END:
			{
				WindowEventArg wa = { q, depth };

				siddhi_current_event_ts = ts;
				siddhi_window_input_end(q->window, ts, window_event, &wa);
			}
			break;
		}
		if (timed)
			siddhi_stats_event_done(q->stats, timed);
		if (!keep_memory)
		{
			ResetExprContext(q->econtext);
			/* a join's other side made q's rows in q's memory */
			if (q->join_main)
				ResetExprContext(q->join_main->econtext);
		}
		siddhi_usercode_leave(frame, true);
		/* and what it did is kept, whatever happens to an outer step */
		siddhi_batch_isolate();
	}
	PG_CATCH();
	{
		siddhi_usercode_leave(frame, false);
		query_failed(q, mcxt, save_user, save_sec);
		query_abandon_chunk(q);
		if (q->apart)
			partition_enter(q->apart, save_key);
	}
	PG_END_TRY();
	siddhi_current_event_ts = save_ts;
}

/*
 * Partitions.  A query of a partition has one QueryKeyState per key; to
 * process for a key, the state pointers of all the partition's queries
 * are set to the key's (a join's two sides, and the queries reading an
 * inner stream, then work on the same key), and set back afterwards to
 * those of the key that was being processed before (NULL when none): an
 * event of one key may cause, through an outer stream, the processing of
 * another.
 */

/* partition.c's make callback: query k's state for a new key. */
static void *
partition_make_state(void *arg, int k, SiddhiPartInstance *inst)
{
	AppPartition *ap = arg;
	QueryRuntime *q = list_nth(ap->queries, k);
	QueryKeyState *ks;
	MemoryContext old = MemoryContextSwitchTo(inst->cxt);

	ks = palloc0(sizeof(QueryKeyState));
	if (q->window_plan)
		ks->window = siddhi_window_create(q->window_plan, inst->cxt);
	if (q->plan && q->plan->dedup_key)
		ks->dedup = siddhi_dedup_create(q->plan->dedup_interval, inst->cxt);
	if (q->plan && q->plan->aggregates)
		ks->aggs = siddhi_aggs_create(q->plan->aggregates, q->plan->group_by,
									  inst->cxt);
	if (q->pattern_prog)
		ks->pattern = siddhi_pattern_create(
			q->pattern_prog, inst->cxt,
			q->app->playback ? q->app->clock : siddhi_now_ms());
	if (q->plan && q->plan->rate_kind != SIDDHI_RATE_NONE)
	{
		SiddhiRateLimiter *save = q->rate;

		query_rate_create(q, q->plan);
		ks->rate = q->rate;
		q->rate = save;
	}
	MemoryContextSwitchTo(old);
	return ks;
}

static void
partition_enter(AppPartition *ap, SiddhiPartInstance *inst)
{
	ListCell *lc;

	if (ap->current == inst)
		return;
	foreach(lc, ap->queries)
	{
		QueryRuntime *q = lfirst(lc);
		QueryKeyState *ks = inst ? inst->states[q->part_index] : NULL;

		q->window = ks ? ks->window : NULL;
		q->dedup = ks ? ks->dedup : NULL;
		q->aggs = ks ? ks->aggs : NULL;
		q->rate = ks ? ks->rate : NULL;
		q->pattern = ks ? ks->pattern : NULL;
	}
	ap->current = inst;
}

/* After a query of a partition has run for one key, the end of its chunk. */
static void
partition_key_done(QueryRuntime *q, int64 now, int depth)
{
	if (q->window && siddhi_window_wants_input_end(q->window))
	{
		WindowEventArg wa = { q, depth };

		siddhi_window_input_end(q->window, now, window_event, &wa);
	}
}

/*
 * An event reaches a query of a partition: it is processed for each key
 * it has (partition.c), or, when it comes from a stream the partition
 * does not divide, for every key there is; from an inner stream, for the
 * key that sent it.  Each key's processing is a chunk of its own.
 */
static void
partition_event(QueryRuntime *q, TupleTableSlot *slot, int64 ts, int depth,
				SiddhiEventKind kind)
{
	AppPartition *ap = q->apart;
	SiddhiPartInstance *prev = ap->current;
	SiddhiPartInstance *keys[SIDDHI_MAX_RANGES];
	int64 now = q->app->playback ? q->app->clock : ts;
	int n;

	if (q->inner_input)
	{
		/* inserted into the inner stream from outside: it has no key */
		if (prev == NULL)
			return;
		query_event(q, slot, ts, depth, kind, true);
		partition_key_done(q, now, depth);
		return;
	}
	q->econtext->ecxt_scantuple = slot;
	n = siddhi_partition_route(ap->rt, q->input->relid, q->econtext, now,
							   keys);
	if (n < 0)
	{
		dlist_iter it;

		dlist_foreach(it, siddhi_partition_instances(ap->rt))
		{
			SiddhiPartInstance *inst =
				dlist_container(SiddhiPartInstance, node, it.cur);

			partition_enter(ap, inst);
			query_event(q, slot, ts, depth, kind, true);
			partition_key_done(q, now, depth);
		}
	}
	for (int i = 0; i < n; i++)
	{
		partition_enter(ap, keys[i]);
		query_event(q, slot, ts, depth, kind, true);
		partition_key_done(q, now, depth);
	}
	partition_enter(ap, prev);
}

/* Time passes for every key of a partition; idle keys may go. */
static void
partition_advance(AppPartition *ap, int64 now)
{
	SiddhiPartInstance *prev = ap->current;

	if (ap->timed)
	{
		dlist_iter it;

		dlist_foreach(it, siddhi_partition_instances(ap->rt))
		{
			SiddhiPartInstance *inst =
				dlist_container(SiddhiPartInstance, node, it.cur);
			ListCell *lc;

			foreach(lc, ap->queries)
			{
				partition_enter(ap, inst);
				query_advance(lfirst(lc), now);
			}
		}
		partition_enter(ap, prev);
	}
	if (prev == NULL)
		siddhi_partition_purge(ap->rt, now, NULL, NULL);
}

/* The earliest due time of a partition's keys' windows and limiters. */
static int64
partition_deadline(AppPartition *ap)
{
	int64 next = siddhi_partition_purge_deadline(ap->rt);
	dlist_iter it;

	if (!ap->timed)
		return next;
	dlist_foreach(it, siddhi_partition_instances(ap->rt))
	{
		SiddhiPartInstance *inst =
			dlist_container(SiddhiPartInstance, node, it.cur);
		ListCell *lc;

		foreach(lc, ap->queries)
		{
			QueryKeyState *ks =
				inst->states[((QueryRuntime *) lfirst(lc))->part_index];
			int64 due = ks->window ? siddhi_window_deadline(ks->window) : -1;

			if (due >= 0 && (next < 0 || due < next))
				next = due;
			due = ks->rate ? siddhi_rate_deadline(ks->rate) : -1;
			if (due >= 0 && (next < 0 || due < next))
				next = due;
			due = ks->pattern ? siddhi_pattern_deadline(ks->pattern) : -1;
			if (due >= 0 && (next < 0 || due < next))
				next = due;
		}
	}
	return next;
}

static void
query_process(QueryRuntime *q, TupleTableSlot *slot, int64 ts, int depth)
{
	query_step(q, STEP_EVENT, slot, ts, depth, SIDDHI_EVENT_CURRENT, true);
}

static void
deliver_to_watchers(Junction *j, TupleTableSlot *slot, int64 ts, bool expired)
{
	MemoryContext old = MemoryContextSwitchTo(batch_cxt);
	HeapTuple tuple = ExecCopySlotHeapTuple(slot);
	Datum rec = heap_copy_tuple_as_datum(tuple, j->desc);
	text *json = DatumGetTextPP(DirectFunctionCall1(row_to_json, rec));

	siddhi_subscription_deliver(MyDatabaseId, j->relid, expired, ts,
								VARDATA_ANY(json), VARSIZE_ANY_EXHDR(json));
	MemoryContextSwitchTo(old);
}

/* A named window's step is over: its readers end their chunk. */
static void
named_window_chunk_end(NamedWindow *nw)
{
	ListCell *lc;

	if (!nw->delivered)
		return;
	nw->delivered = false;
	foreach(lc, nw->junction->consumers)
		query_step(lfirst(lc), STEP_CHUNK_END, NULL, 0, nw->depth,
				   SIDDHI_EVENT_CHUNK_END, false);
}

/* Callback of a named window: what it emits goes to the queries reading it. */
static void
named_window_event(void *arg, SiddhiEventKind kind, MinimalTuple tuple,
				   int64 ts)
{
	NamedWindow *nw = arg;
	Junction *j = nw->junction;
	ListCell *lc;

	if (kind == SIDDHI_EVENT_CHUNK_END)
	{
		named_window_chunk_end(nw);
		return;
	}
	if (kind == SIDDHI_EVENT_CURRENT)
		siddhi_mirror_arrive(nw->mirror, tuple);
	else
		siddhi_mirror_leave(nw->mirror, tuple);
	if ((kind == SIDDHI_EVENT_EXPIRED &&
		 nw->output == SIDDHI_EVENTS_CURRENT) ||
		(kind == SIDDHI_EVENT_CURRENT && nw->output == SIDDHI_EVENTS_EXPIRED))
		return;
	ExecStoreMinimalTuple(tuple, nw->out_slot, false);
	foreach(lc, j->consumers)
		query_step(lfirst(lc), STEP_EVENT, nw->out_slot, ts, nw->depth, kind,
				   false);
	ExecClearTuple(nw->out_slot);
	nw->delivered = true;
}

/* Let time pass for a named window, if something is due by now. */
static void
named_window_catch_up(NamedWindow *nw, int64 now, int depth)
{
	int64 due = siddhi_window_deadline(nw->window);
	int frame;

	if (due < 0 || now < due)
		return;
	frame = siddhi_usercode_enter(nw->app->owner);
	nw->depth = depth;
	siddhi_window_advance(nw->window, now, named_window_event, nw);
	named_window_chunk_end(nw);
	siddhi_usercode_leave(frame, true);
}

/* An event sent to a named window: it enters, readers get what follows. */
static void
named_window_add(NamedWindow *nw, TupleTableSlot *slot, int64 ts, int depth)
{
	SiddhiWindowEvent ev = { 0 };
	bool should_free;
	int save_depth = nw->depth;
	int frame = siddhi_usercode_enter(nw->app->owner);

	if (nw->app->playback && ts > nw->app->clock)
		nw->app->clock = ts;
	named_window_catch_up(nw, nw->app->playback ? nw->app->clock : ts, depth);
	/* watchers see what is inserted into the window, as for a stream */
	if (siddhi_stream_watched(MyDatabaseId, nw->junction->relid))
		deliver_to_watchers(nw->junction, slot, ts, false);
	nw->depth = depth;
	nw->econtext->ecxt_scantuple = slot;
	ev.tuple = ExecFetchSlotMinimalTuple(slot, &should_free);
	ev.desc = slot->tts_tupleDescriptor;
	ev.timestamp = ts;
	window_event_values(&nw->args, nw->econtext, &ev);
	siddhi_window_add(nw->window, &ev, named_window_event, nw);
	if (should_free)
		pfree(ev.tuple);
	named_window_chunk_end(nw);
	ResetExprContext(nw->econtext);
	nw->depth = save_depth;
	siddhi_usercode_leave(frame, true);
}

/*
 * Feed an incremental aggregation (incremental.c); an error (an overflow,
 * a time out of range, a failing function) skips the event for it only,
 * as for a query.
 */
static void
aggregation_event(SiddhiIncremental *inc, TupleTableSlot *slot, int64 ts)
{
	MemoryContext mcxt = CurrentMemoryContext;
	Oid save_user;
	int save_sec;
	int frame;

	if (list_member_ptr(agg_read_denied, inc))
		return;
	siddhi_batch_isolate();
	GetUserIdAndSecContext(&save_user, &save_sec);
	frame = siddhi_usercode_enter(siddhi_incremental_owner(inc));
	PG_TRY();
	{
		/* once a batch: may the owner still read the stream? */
		if (!list_member_ptr(agg_read_checked, inc))
		{
			MemoryContext old = MemoryContextSwitchTo(batch_cxt);

			agg_read_checked = lappend(agg_read_checked, inc);
			agg_read_denied = lappend(agg_read_denied, inc);
			MemoryContextSwitchTo(old);
			check_may_read(siddhi_incremental_input(inc),
						   siddhi_incremental_owner(inc));
			agg_read_denied = list_delete_ptr(agg_read_denied, inc);
		}
		siddhi_incremental_feed(inc, slot, ts);
		siddhi_usercode_leave(frame, true);
		siddhi_batch_isolate();
	}
	PG_CATCH();
	{
		ErrorData *edata;

		siddhi_usercode_leave(frame, false);
		edata = siddhi_batch_unit_failed(batch_cxt);
		SetUserIdAndSecContext(save_user, save_sec);
		MemoryContextSwitchTo(mcxt);
		siddhi_incremental_error(inc, edata, "event skipped");
	}
	PG_END_TRY();
}

static void
junction_emit(Junction *j, TupleTableSlot *slot, int64 ts, int depth,
			  bool expired)
{
	ListCell *lc;
	int64 save_ts = siddhi_current_event_ts;

	siddhi_current_event_ts = ts;
	if (j->named)
	{
		named_window_add(j->named, slot, ts, depth);
		siddhi_current_event_ts = save_ts;
		return;
	}
	/* watchers first: a query's output is seen before what it causes */
	if (siddhi_stream_watched(MyDatabaseId, j->relid))
		deliver_to_watchers(j, slot, ts, expired);
	foreach(lc, j->hooks)
	{
		StreamHook *h = lfirst(lc);

		h->fn(h->arg, slot, ts, expired);
	}
	foreach(lc, j->consumers)
		query_process(lfirst(lc), slot, ts, depth);
	if (!expired)
		foreach(lc, j->aggregations)
			aggregation_event(lfirst(lc), slot, ts);
	siddhi_current_event_ts = save_ts;
}

static void app_advance(SiddhiAppRuntime *app, int64 now);

/* The first due time of t, its app having started at now. */
static void
trigger_schedule(AppTrigger *t, int64 now, bool first)
{
	if (t->at_start)
		t->next = first ? now : -1;
	else if (t->every_ms > 0)
		t->next = now + t->every_ms;
	else if (t->cron)
		t->next = siddhi_cron_next(t->cron, now, session_timezone);
}

/* Feed the app's triggers every event due by now, in time order. */
static void
triggers_fire(SiddhiAppRuntime *app, int64 now)
{
	ListCell *lc;

	for (;;)
	{
		AppTrigger *due = NULL;
		int64 ts;

		foreach(lc, app->triggers)
		{
			AppTrigger *t = lfirst(lc);

			if (app->playback && t->next < 0 && !t->at_start &&
				t->every_ms == 0 && t->cron == NULL)
				continue;
			if (t->next >= 0 && t->next <= now &&
				(due == NULL || t->next < due->next))
				due = t;
		}
		if (due == NULL)
			return;
		ts = due->next;
		if (due->at_start)
			due->next = -1;
		else if (due->every_ms > 0)
			due->next = ts + due->every_ms;
		else
			due->next = siddhi_cron_next(due->cron, ts, session_timezone);
		ExecClearTuple(due->slot);
		due->slot->tts_values[0] = Int64GetDatum(ts);
		due->slot->tts_isnull[0] = false;
		ExecStoreVirtualTuple(due->slot);
		if (app->playback)
			playback_clock = ts;
		junction_emit(due->junction, due->slot, ts, 0, false);
		junction_input_end(due->junction, ts, 0);
	}
}

/*
 * Whether an event at ts moves a playback app's time: it is later than
 * the clock, or it is the app's first and starts its triggers (also at
 * time 0, where the clock already is).
 */
static bool
playback_moves(SiddhiAppRuntime *app, int64 ts)
{
	return app->playback &&
		   (ts > app->clock || (app->triggers && !app->triggers_started));
}

/*
 * An input event at ts moves the clock of each playback app that reads
 * the stream, and every timer of the app due by then fires first, in all
 * its queries and windows, as Siddhi's InputHandler sets the app's clock
 * before it sends the event.
 */
static void
playback_arrival(Junction *j, int64 ts)
{
	ListCell *lc;

	if (j->named && playback_moves(j->named->app, ts))
	{
		j->named->app->clock = Max(ts, j->named->app->clock);
		app_advance(j->named->app, j->named->app->clock);
	}
	foreach(lc, j->consumers)
	{
		SiddhiAppRuntime *app = ((QueryRuntime *) lfirst(lc))->app;

		if (playback_moves(app, ts))
		{
			app->clock = Max(ts, app->clock);
			app_advance(app, app->clock);
		}
	}
}

void
siddhi_runtime_feed_chunk(Oid relid, uint32 desc_sig, const char *rows,
						  uint32 nrows)
{
	Junction *j;
	const char *p = rows;
	int64 last_ts = 0;

	if (junctions == NULL)
		return;
	if (!OidIsValid(relid))
	{
		/* siddhi.advance_clock(): rows carry only a time */
		for (uint32 i = 0; i < nrows; i++)
		{
			const SiddhiRowHeader *row = (const SiddhiRowHeader *) p;
			const SiddhiClockRequest *req =
				(const SiddhiClockRequest *) (p + MAXALIGN(sizeof(
													  SiddhiRowHeader)));

			if (row->length == sizeof(SiddhiClockRequest))
				siddhi_runtime_advance_playback(row->timestamp, req->userid,
												req->app);
			p += MAXALIGN(sizeof(SiddhiRowHeader)) + MAXALIGN(row->length);
		}
		return;
	}
	j = hash_search(junctions, &relid, HASH_FIND, NULL);
	if (j == NULL)
		return;
	if (desc_sig != j->desc_sig)
	{
		ereport(LOG, (errcode(ERRCODE_SIDDHI_RUNTIME_ERROR),
					  errmsg("siddhi: %u events of stream \"%s\" written "
							 "under another definition of it were dropped",
							 nrows, j->name)));
		return;
	}
	for (uint32 i = 0; i < nrows; i++)
	{
		const SiddhiRowHeader *row = (const SiddhiRowHeader *) p;
		MinimalTuple tuple =
			(MinimalTuple) (p + MAXALIGN(sizeof(SiddhiRowHeader)));

		playback_arrival(j, row->timestamp);
		ExecStoreMinimalTuple(tuple, j->slot, false);
		junction_emit(j, j->slot, row->timestamp, 0, false);
		ExecClearTuple(j->slot);
		p += MAXALIGN(sizeof(SiddhiRowHeader)) + MAXALIGN(row->length);
		last_ts = row->timestamp;
	}
	junction_input_end(j, last_ts, 0);
}

#define SINK_MULTI_INSERT 1000

/*
 * Can rows go in with table_multi_insert, as COPY does?  Not when BEFORE
 * ROW triggers or stored generated columns must see each row, nor into a
 * partitioned table, nor when rows come from apps of different owners.
 */
static bool
sink_can_multi_insert(Relation rel, List *rows, int from)
{
	Oid owner = InvalidOid;
	int i = 0;
	ListCell *lc;

	if (list_length(rows) - from < 2 ||
		rel->rd_rel->relkind != RELKIND_RELATION ||
		(rel->trigdesc && rel->trigdesc->trig_insert_before_row) ||
		(rel->rd_att->constr && rel->rd_att->constr->has_generated_stored))
		return false;
	foreach(lc, rows)
	{
		TableRow *row = lfirst(lc);

		if (i++ < from)
			continue;
		if (OidIsValid(owner) && row->query->owner != owner)
			return false;
		owner = row->query->owner;
	}
	return true;
}

/*
 * Insert rows[from..] into a table, each as its query's owner: the rows
 * of one owner in a row form one trigger query, run in a frame of that
 * owner (usercode.c), so the triggers they fire run as the owner too.
 */
static void
sink_insert(Oid relid, List *rows, int from)
{
	Relation rel = table_open(relid, RowExclusiveLock);
	EState *estate = CreateExecutorState();
	RangeTblEntry *rte = makeNode(RangeTblEntry);
	ResultRelInfo *rri = makeNode(ResultRelInfo);
	int i = 0;
	ListCell *lc;
	int frame = -1;
	Oid checked_owner = InvalidOid;
	QueryRuntime *checked_query = NULL;
	bool multi = sink_can_multi_insert(rel, rows, from);
	TupleTableSlot *slots[SINK_MULTI_INSERT];
	int nslots = 0;
	int filled = 0;
	BulkInsertState bistate = multi ? GetBulkInsertState() : NULL;
	CommandId cid;

	/*
	 * The slots use a copy of the table's descriptor, which is not
	 * reference-counted: slots on the relation's own would each pin it in
	 * the resource owner, whose list of pins is searched linearly as each
	 * is released (a tenth of the engine's time at 1,000 slots a flush).
	 */
	TupleDesc slot_desc = CreateTupleDescCopy(RelationGetDescr(rel));

	rte->rtekind = RTE_RELATION;
	rte->relid = relid;
	rte->relkind = rel->rd_rel->relkind;
	rte->rellockmode = RowExclusiveLock;
	ExecInitRangeTable(estate, list_make1(rte));
	InitResultRelInfo(rri, rel, 1, NULL, 0);
	estate->es_output_cid = cid = GetCurrentCommandId(true);
	ExecOpenIndices(rri, false);

	foreach(lc, rows)
	{
		TableRow *row = lfirst(lc);
		TupleTableSlot *slot;

		if (i++ < from)
			continue;
		/* privileges can change after deploy: check them as we write */
		if (row->query->owner != checked_owner)
		{
			if (pg_class_aclcheck(relid, row->query->owner, ACL_INSERT) !=
				ACLCHECK_OK)
				ereport(ERROR,
						(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
						 errmsg("permission denied to insert into \"%s\"",
								RelationGetRelationName(rel)),
						 errdetail("The app's owner no longer has the INSERT "
								   "privilege on it.")));
			checked_owner = row->query->owner;
			if (frame >= 0)
			{
				AfterTriggerEndQuery(estate);
				siddhi_usercode_leave(frame, true);
			}
			frame = siddhi_usercode_enter(checked_owner);
			AfterTriggerBeginQuery();
		}
		/* rows of the table's row type as the query was built for it */
		if (row->query != checked_query)
		{
			siddhi_check_sink_desc(rel,
								   row->query->out_slot->tts_tupleDescriptor);
			checked_query = row->query;
		}
		if (filled == nslots)
			slots[nslots++] = ExecAllocTableSlot(
				&estate->es_tupleTable, slot_desc, table_slot_callbacks(rel));
		slot = slots[filled++];
		ExecForceStoreMinimalTuple(row->tuple, slot, false);
		if (!multi)
		{
			ExecSimpleRelationInsert(rri, estate, slot);
			filled = 0;
		}
		else
		{
			if (rel->rd_att->constr)
				ExecConstraints(rri, slot, estate);
			if (filled == SINK_MULTI_INSERT || lnext(rows, lc) == NULL)
			{
				table_multi_insert(rel, slots, filled, cid, 0, bistate);
				for (int k = 0; k < filled; k++)
				{
					List *recheck = NIL;

					if (rri->ri_NumIndices > 0)
						recheck = ExecInsertIndexTuples(
							rri, slots[k], estate, false, false, NULL, NIL);
					ExecARInsertTriggers(estate, rri, slots[k], recheck, NULL);
					list_free(recheck);
				}
				filled = 0;
			}
		}
	}
	if (bistate)
		FreeBulkInsertState(bistate);
	if (frame >= 0)
	{
		AfterTriggerEndQuery(estate);
		siddhi_usercode_leave(frame, true);
	}
	ExecCloseIndices(rri);
	ExecCloseResultRelations(estate); /* those the triggers opened */
	ExecResetTupleTable(estate->es_tupleTable, false);
	FreeExecutorState(estate);
	table_close(rel, NoLock);
}

/* Show what the named windows hold now in their tables. */
static void
mirror_windows(void)
{
	ListCell *la;

	foreach(la, all_apps)
	{
		SiddhiAppRuntime *app = lfirst(la);
		ListCell *lw;

		foreach(lw, app->windows)
		{
			NamedWindow *nw = lfirst(lw);
			MemoryContext mcxt = CurrentMemoryContext;
			Oid save_user;
			int save_sec;
			int frame;

			/* a unit of its own: a failure loses this mirror's writes */
			siddhi_batch_isolate();
			GetUserIdAndSecContext(&save_user, &save_sec);
			frame = siddhi_usercode_enter(app->owner);
			PG_TRY();
			{
				siddhi_mirror_flush(nw->mirror, nw->window);
				siddhi_usercode_leave(frame, true);
				siddhi_batch_isolate();
			}
			PG_CATCH();
			{
				ErrorData *edata;
				int64 unlogged;

				siddhi_usercode_leave(frame, false);
				edata = siddhi_batch_unit_failed(batch_cxt);
				SetUserIdAndSecContext(save_user, save_sec);
				MemoryContextSwitchTo(mcxt);
				if (siddhi_error_log_due(&nw->errlog, &unlogged))
					ereport(
						LOG,
						(errcode(ERRCODE_SIDDHI_RUNTIME_ERROR),
						 errmsg("siddhi app \"%s\": could not show window "
								"\"%s\" in its table: %s",
								app->name, nw->junction->name, edata->message),
						 siddhi_errdetail_unlogged(unlogged)));
				FreeErrorData(edata);
				/* the mirror rebuilds itself at the next batch */
				siddhi_mirror_invalidate(nw->mirror);
			}
			PG_END_TRY();
		}
	}
}

/* Rows of a table's flush are written: count each as its query's out. */
static void
sink_count_out(List *rows)
{
	QueryRuntime *q = NULL;
	int64 n = 0;
	ListCell *lc;

	foreach(lc, rows)
	{
		TableRow *row = lfirst(lc);

		if (row->query != q)
		{
			if (q)
				siddhi_stats_count(q->stats, 0, n);
			q = row->query;
			n = 0;
		}
		n++;
	}
	if (q)
		siddhi_stats_count(q->stats, 0, n);
}

/*
 * Write the rows buffered for one table, as a unit of work of its own
 * (batch.c): a failure rolls back this table's rows only.  The rows are
 * then retried one by one, each its own unit, so only the failing rows are
 * skipped (and counted as errors of their queries).  A row counts as its
 * query's out once written.
 */
static void
sink_flush(Oid relid)
{
	TableSink *sink;
	List *rows;
	MemoryContext mcxt = CurrentMemoryContext;
	Oid save_user;
	int save_sec;
	volatile bool done = false;
	ListCell *lc;
	int mark = siddhi_usercode_depth();

	if (sinks == NULL)
		return;
	sink = hash_search(sinks, &relid, HASH_FIND, NULL);
	if (sink == NULL || sink->rows == NIL)
		return;
	rows = sink->rows;
	sink->rows = NIL;

	GetUserIdAndSecContext(&save_user, &save_sec);
	siddhi_batch_isolate();
	PG_TRY();
	{
		sink_insert(relid, rows, 0);
		siddhi_batch_isolate();
		done = true;
	}
	PG_CATCH();
	{
		ErrorData *edata;

		siddhi_usercode_unwind(mark);
		edata = siddhi_batch_unit_failed(batch_cxt);
		SetUserIdAndSecContext(save_user, save_sec);
		MemoryContextSwitchTo(mcxt);
		FreeErrorData(edata); /* the rows' own errors are counted below */
	}
	PG_END_TRY();
	if (done)
	{
		sink_count_out(rows);
		return;
	}

	/* find the failing rows: one unit per row */
	foreach(lc, rows)
	{
		TableRow *row = lfirst(lc);
		volatile bool written = false;

		PG_TRY();
		{
			sink_insert(relid, list_make1(row), 0);
			siddhi_batch_isolate();
			written = true;
		}
		PG_CATCH();
		{
			siddhi_usercode_unwind(mark);
			query_failed(row->query, mcxt, save_user, save_sec);
		}
		PG_END_TRY();
		if (written)
			siddhi_stats_count(row->query->stats, 0, 1);
	}
}

/*
 * Write the rows queries buffered for a table before something reads it
 * (a join's lookup, an `in T` filter).
 */
void
siddhi_runtime_flush_table(Oid relid)
{
	if (OidIsValid(relid))
		sink_flush(relid);
}

static void (*batch_end_hook)(void) = NULL;

void
siddhi_runtime_set_batch_end_hook(void (*fn)(void))
{
	batch_end_hook = fn;
}

void
siddhi_runtime_end_batch(void)
{
	ListCell *lc;

	if (batch_end_hook)
		batch_end_hook();
	foreach(lc, dirty_sinks)
		sink_flush(lfirst_oid(lc));
	dirty_sinks = NIL;
	mirror_windows();
	siddhi_incremental_flush_all();
	siddhi_batch_end();
	MemoryContextReset(batch_cxt);
	agg_read_denied = agg_read_checked = NIL;
}

/*
 * What q sent to its output stream since its input chunk last ended forms
 * one chunk there: end it, so that windows downstream that batch by chunk
 * (batch()) see the chunks Siddhi would pass them.
 */
static void
query_output_end(QueryRuntime *q, int64 now, int depth)
{
	if (q->join_main)
		q = q->join_main;
	if (q->pattern_main)
		q = q->pattern_main;
	if (!q->sent_out)
		return;
	q->sent_out = false;
	if (q->output)
		junction_input_end(q->output, now, depth + 1);
}

/*
 * The chunk of events j delivered has ended (a chunk from the ring, or
 * one step of the queries upstream): windows that batch by chunk flush
 * (the clock is now, or the app's clock in playback), and what the
 * queries sent on ends its chunk downstream.
 */
static void
junction_input_end(Junction *j, int64 now, int depth)
{
	ListCell *lc;

	if (depth > MAX_CHAIN_DEPTH)
		return; /* a loop between queries; query_step reports it */
	if (j->named && siddhi_window_wants_input_end(j->named->window))
	{
		NamedWindow *nw = j->named;
		int64 save_ts = siddhi_current_event_ts;
		int64 clock = nw->app->playback ? nw->app->clock : now;

		siddhi_current_event_ts = clock;
		playback_clock = nw->app->playback ? nw->app->clock : 0;
		nw->depth = depth;
		siddhi_window_input_end(nw->window, clock, named_window_event, nw);
		named_window_chunk_end(nw);
		siddhi_current_event_ts = save_ts;
	}
	foreach(lc, j->consumers)
	{
		QueryRuntime *q = lfirst(lc);

		if (q->window && siddhi_window_wants_input_end(q->window))
			query_step(q, STEP_INPUT_END, NULL,
					   q->app->playback ? q->app->clock : now, depth,
					   SIDDHI_EVENT_CHUNK_END, false);
		query_output_end(q, now, depth);
	}
}

/* Let time pass for one query's window, and end what that sent on. */
static void
query_advance(QueryRuntime *q, int64 now)
{
	/* a pattern with nothing due has no step to take */
	if ((q->pattern || q->pattern_main) && q->window == NULL &&
		q->rate == NULL)
	{
		int64 due = q->pattern ? siddhi_pattern_deadline(q->pattern) : -1;

		if (due < 0 || due > now)
			return;
	}
	query_step(q, STEP_ADVANCE, NULL, now, 0, SIDDHI_EVENT_CURRENT, false);
	query_output_end(q, now, 0);
}

/* Let time pass for an app's named windows and queries. */
static void
app_advance(SiddhiAppRuntime *app, int64 now)
{
	ListCell *lc;

	if (app->triggers)
	{
		/* playback: triggers start at the clock's first value */
		if (app->playback && !app->triggers_started)
		{
			app->triggers_started = true;
			foreach(lc, app->triggers)
				trigger_schedule(lfirst(lc), now, true);
		}
		triggers_fire(app, now);
	}

	foreach(lc, app->windows)
	{
		int64 save_ts = siddhi_current_event_ts;

		siddhi_current_event_ts = now;
		playback_clock = app->playback ? app->clock : 0;
		named_window_catch_up(lfirst(lc), now, 0);
		siddhi_current_event_ts = save_ts;
	}
	foreach(lc, app->queries)
		query_advance(lfirst(lc), now);
	foreach(lc, app->partitions)
		partition_advance(lfirst(lc), now);
}

int64
siddhi_runtime_next_deadline(void)
{
	ListCell *la;
	int64 next = -1;

	foreach(la, all_apps)
	{
		SiddhiAppRuntime *app = lfirst(la);
		ListCell *lq;

		if (app->playback)
			continue; /* its clock moves only with its events */
		foreach(lq, app->queries)
		{
			QueryRuntime *q = lfirst(lq);
			int64 due = q->window ? siddhi_window_deadline(q->window) : -1;

			if (due >= 0 && (next < 0 || due < next))
				next = due;
			due = q->rate ? siddhi_rate_deadline(q->rate) : -1;
			if (due >= 0 && (next < 0 || due < next))
				next = due;
			due = q->pattern ? siddhi_pattern_deadline(q->pattern) : -1;
			if (due >= 0 && (next < 0 || due < next))
				next = due;
		}
		foreach(lq, app->partitions)
		{
			int64 due = partition_deadline(lfirst(lq));

			if (due >= 0 && (next < 0 || due < next))
				next = due;
		}
		foreach(lq, app->windows)
		{
			NamedWindow *nw = lfirst(lq);
			int64 due = siddhi_window_deadline(nw->window);

			if (due >= 0 && (next < 0 || due < next))
				next = due;
		}
		foreach(lq, app->triggers)
		{
			int64 due = ((AppTrigger *) lfirst(lq))->next;

			if (due >= 0 && (next < 0 || due < next))
				next = due;
		}
	}
	return next;
}

void
siddhi_runtime_fire_timers(int64 now)
{
	ListCell *la;

	siddhi_batch_start();
	foreach(la, all_apps)
	{
		SiddhiAppRuntime *app = lfirst(la);

		if (app->playback)
			continue;
		app_advance(app, now);
	}
}

void
siddhi_runtime_advance_playback(int64 now, Oid userid, const char *name)
{
	ListCell *la;

	foreach(la, all_apps)
	{
		SiddhiAppRuntime *app = lfirst(la);

		if (!app->playback)
			continue;
		if (name[0] != '\0' && strcmp(app->name, name) != 0)
			continue;
		/* only the caller's apps: it must be able to manage them */
		if (!has_privs_of_role(userid, app->owner))
			continue;
		if (now > app->clock)
			app->clock = now;
		app_advance(app, app->clock);
	}
}

PG_FUNCTION_INFO_V1(siddhi_current_time_millis);

/* currentTimeMillis(): the app's clock, which in playback is event time */
Datum
siddhi_current_time_millis(PG_FUNCTION_ARGS)
{
	if (playback_clock != 0)
		PG_RETURN_INT64(playback_clock);
	PG_RETURN_INT64(siddhi_now_ms());
}

PG_FUNCTION_INFO_V1(siddhi_event_timestamp);

Datum
siddhi_event_timestamp(PG_FUNCTION_ARGS)
{
	if (siddhi_current_event_ts == 0)
		PG_RETURN_INT64(siddhi_now_ms());
	PG_RETURN_INT64(siddhi_current_event_ts);
}
