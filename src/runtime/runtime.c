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
 * Errors: the worker runs a batch inside a subtransaction.  An error in
 * one query while processing one event is caught here: the subtransaction
 * is rolled back (releasing whatever the failed code held), a new one is
 * started, the error is counted in siddhi.queries and logged, and the
 * event is skipped for that query only.  Table writes happen at the end
 * of the batch; a failing row is retried alone and skipped the same way.
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
#include "siddhi/errors.h"
#include "siddhi/ipc.h"
#include "siddhi/runtime.h"
#include "siddhi/window.h"
#include "siddhi/aggregate.h"
#include "lib/stringinfo.h"
#include "utils/acl.h"
#include "utils/builtins.h"
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

typedef struct Junction
{
	Oid relid; /* hash key */
	char *name;
	TupleDesc desc;		  /* blessed, for JSON output */
	TupleTableSlot *slot; /* holds events fed from the ring */
	List *consumers;	  /* of QueryRuntime * */
} Junction;

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
	ExprContext *econtext;
	ExprState *qual;			 /* filters before the window */
	SiddhiWindow *window;		 /* or NULL */
	ExprState *window_time;		 /* externalTime: the event's time */
	TupleTableSlot *window_slot; /* holds events the window emits */
	ExprState *window_qual;		 /* filters after the window */
	SiddhiEventType events;		 /* current, expired or all events go out */
	/* aggregation: one output row per group per chunk of window events */
	SiddhiAggregates *aggs; /* or NULL */
	int naggs;
	ExprState **agg_args; /* argument of each aggregator, NULL for count() */
	FmgrInfo *agg_out;	  /* distinctCount: output function of the value */
	Datum *agg_values;
	bool *agg_nulls;
	int ngroup;
	ExprState **group_exprs;
	Datum *group_values; /* the group-by values of the event */
	bool *group_nulls;
	ExprState *having;		  /* over the output row */
	TupleTableSlot *agg_slot; /* holds the event an output row is made from */
	int npending;			  /* groups to output at the end of this chunk */
	int pending_cap;
	SiddhiAggGroup **pending_groups;
	MinimalTuple *pending_tuples;
	int64 *pending_ts;
	List *touched; /* groups that lost events in this chunk */
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
	ProjectionInfo *proj;
	TupleTableSlot *out_slot;
	Junction *input;
	Junction *output; /* output stream, or NULL */
	Oid table_relid;  /* output table, or InvalidOid */
};

struct SiddhiAppRuntime
{
	char *name;
	Oid owner;
	bool playback; /* the app's clock follows event time */
	int64 clock;   /* playback: the latest event time seen */
	MemoryContext cxt;
	List *queries;
};

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

int64
siddhi_now_ms(void)
{
	TimestampTz now = GetCurrentTimestamp();

	return now / 1000 + (int64) (POSTGRES_EPOCH_JDATE - UNIX_EPOCH_JDATE) *
							SECS_PER_DAY * 1000;
}

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
		MemoryContext old = MemoryContextSwitchTo(runtime_cxt);
		Relation rel = table_open(relid, AccessShareLock);

		j->name = pstrdup(RelationGetRelationName(rel));
		j->desc = CreateTupleDescCopy(RelationGetDescr(rel));
		BlessTupleDesc(j->desc);
		j->slot = MakeSingleTupleTableSlot(j->desc, &TTSOpsMinimalTuple);
		j->consumers = NIL;
		table_close(rel, AccessShareLock);
		MemoryContextSwitchTo(old);
	}
	return j;
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

	foreach(lc, plan->queries)
	{
		SiddhiQueryPlan *qp = lfirst(lc);
		QueryRuntime *q = palloc0(sizeof(QueryRuntime));
		Relation orel;

		q->app = app;
		q->name = pstrdup(qp->name);
		q->owner = plan->owner;
		q->stats = siddhi_stats_alloc(MyDatabaseId, app->name, q->name);
		q->input = junction_get(qp->input->relid);
		q->econtext = CreateStandaloneExprContext();
		q->qual = ExecInitQual(qp->qual, NULL);
		q->events = qp->events;
		if (qp->aggregates != NIL)
		{
			ListCell *la;
			int k = 0;

			q->naggs = list_length(qp->aggregates);
			q->aggs = siddhi_aggs_create(qp->aggregates, qp->group_by, cxt);
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
			q->ngroup = list_length(qp->group_by);
			q->group_exprs = palloc0(sizeof(ExprState *) * Max(q->ngroup, 1));
			q->group_values = palloc0(sizeof(Datum) * Max(q->ngroup, 1));
			q->group_nulls = palloc0(sizeof(bool) * Max(q->ngroup, 1));
			k = 0;
			foreach(la, qp->group_by)
				q->group_exprs[k++] = ExecInitExpr(lfirst(la), NULL);
			q->agg_slot =
				MakeSingleTupleTableSlot(q->input->desc, &TTSOpsMinimalTuple);
		}
		if (qp->having)
			q->having = ExecInitQual(qp->having, NULL);
		if (qp->order_by || qp->limit >= 0 || qp->offset > 0)
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
		if (qp->window != SIDDHI_WINDOW_NONE)
		{
			q->window = siddhi_window_create(qp->window, qp->window_length,
											 qp->window_count, cxt);
			if (qp->window_time_expr)
				q->window_time = ExecInitExpr(qp->window_time_expr, NULL);
			q->window_slot =
				MakeSingleTupleTableSlot(q->input->desc, &TTSOpsMinimalTuple);
			q->window_qual = ExecInitQual(qp->window_qual, NULL);
		}

		orel = table_open(qp->output->relid, AccessShareLock);
		q->out_slot = MakeSingleTupleTableSlot(
			CreateTupleDescCopy(RelationGetDescr(orel)), &TTSOpsVirtual);
		if (q->buffered)
			q->sorted_slot = MakeSingleTupleTableSlot(
				q->out_slot->tts_tupleDescriptor, &TTSOpsMinimalTuple);
		table_close(orel, AccessShareLock);
		q->proj = ExecBuildProjectionInfo(qp->targetlist, q->econtext,
										  q->out_slot, NULL, q->input->desc);
		if (qp->output->kind == SIDDHI_REL_TABLE)
			q->table_relid = qp->output->relid;
		else
			q->output = junction_get(qp->output->relid);

		app->queries = lappend(app->queries, q);
	}
	/* hook the queries up only once all of them could be built */
	foreach(lc, app->queries)
	{
		QueryRuntime *q = lfirst(lc);
		MemoryContext o2 = MemoryContextSwitchTo(runtime_cxt);

		q->input->consumers = lappend(q->input->consumers, q);
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

	hash_seq_init(&seq, junctions);
	while ((j = hash_seq_search(&seq)) != NULL)
	{
		ListCell *lc;

		foreach(lc, j->consumers)
		{
			QueryRuntime *q = lfirst(lc);

			if (q->app == app)
				j->consumers = foreach_delete_current(j->consumers, lc);
		}
	}
	all_apps = list_delete_ptr(all_apps, app);
	siddhi_stats_free_app(MyDatabaseId, app->name);
	MemoryContextDelete(app->cxt);
}

void
siddhi_runtime_begin_batch(void)
{
	runtime_init();
	MemoryContextReset(batch_cxt);
	dirty_sinks = NIL;
}

/*
 * Called in PG_CATCH: swallow the error, roll the current subtransaction
 * back (releasing whatever the failed code held) and, when restart, begin
 * a new one for the rest of the batch; count and log the error against
 * query q (when known).
 */
static void
query_failed(QueryRuntime *q, MemoryContext mcxt, ResourceOwner owner,
			 bool restart)
{
	ErrorData *edata;

	MemoryContextSwitchTo(batch_cxt);
	edata = CopyErrorData();
	FlushErrorState();

	RollbackAndReleaseCurrentSubTransaction();
	if (restart)
		BeginInternalSubTransaction(NULL);
	MemoryContextSwitchTo(mcxt);
	CurrentResourceOwner = owner;

	if (q)
	{
		siddhi_stats_error(q->stats, edata->message);
		ereport(LOG,
				(errcode(ERRCODE_SIDDHI_RUNTIME_ERROR),
				 errmsg("siddhi app \"%s\", query \"%s\": %s (event skipped)",
						q->app->name, q->name, edata->message)));
	}
	FreeErrorData(edata);
}

static void query_send(QueryRuntime *q, TupleTableSlot *out, int64 ts,
					   int depth, SiddhiEventKind kind);

/*
 * Make the output row of an input event (aggregate values already in the
 * params), check having, and send it on (or keep it for order by/limit).
 */
static void
query_output(QueryRuntime *q, TupleTableSlot *slot, int64 ts, int depth,
			 SiddhiEventKind kind)
{
	TupleTableSlot *out;

	q->econtext->ecxt_scantuple = slot;
	out = ExecProject(q->proj);
	if (q->having)
	{
		q->econtext->ecxt_scantuple = out;
		if (!ExecQual(q->having, q->econtext))
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
			q->out_cap = cap;
		}
		q->out_tuples[q->nout] = ExecCopySlotMinimalTuple(out);
		q->out_ts[q->nout] = ts;
		q->out_kind[q->nout] = kind;
		q->nout++;
		MemoryContextSwitchTo(old);
		return;
	}
	query_send(q, out, ts, depth, kind);
}

/* Send an output row to the query's table or stream. */
static void
query_send(QueryRuntime *q, TupleTableSlot *out, int64 ts, int depth,
		   SiddhiEventKind kind)
{
	siddhi_stats_count(q->stats, 0, 1);
	if (OidIsValid(q->table_relid))
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
		junction_emit(q->output, out, ts, depth + 1,
					  kind == SIDDHI_EVENT_EXPIRED);
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

	for (int k = 0; k < q->ngroup; k++)
		q->group_values[k] =
			ExecEvalExpr(q->group_exprs[k], q->econtext, &q->group_nulls[k]);
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
	g = siddhi_aggs_group(q->aggs, q->group_values, q->group_nulls);
	MemoryContextSwitchTo(old);

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
		return;
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

			q->pending_groups =
				q->pending_groups
					? repalloc(q->pending_groups,
							   sizeof(SiddhiAggGroup *) * cap)
					: MemoryContextAlloc(acx, sizeof(SiddhiAggGroup *) * cap);
			q->pending_tuples =
				q->pending_tuples
					? repalloc(q->pending_tuples, sizeof(MinimalTuple) * cap)
					: MemoryContextAlloc(acx, sizeof(MinimalTuple) * cap);
			q->pending_ts = q->pending_ts
								? repalloc(q->pending_ts, sizeof(int64) * cap)
								: MemoryContextAlloc(acx, sizeof(int64) * cap);
			q->pending_cap = cap;
		}
		i = q->npending++;
		q->pending_groups[i] = g;
		marks->pending = i + 1;
	}
	old = MemoryContextSwitchTo(q->econtext->ecxt_per_tuple_memory);
	q->pending_tuples[i] = ExecCopySlotMinimalTuple(slot);
	MemoryContextSwitchTo(old);
	q->pending_ts[i] = ts;
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
		siddhi_aggs_values(q->aggs, q->pending_groups[i],
						   q->econtext->ecxt_param_exec_vals);
		if (q->events == SIDDHI_EVENTS_EXPIRED)
			continue;
		ExecStoreMinimalTuple(q->pending_tuples[i], q->agg_slot, false);
		query_output(q, q->agg_slot, q->pending_ts[i], depth,
					 SIDDHI_EVENT_CURRENT);
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
	if (q->aggs)
	{
		aggregate_event(q, slot, ts, kind);
		return;
	}
	if ((kind == SIDDHI_EVENT_EXPIRED && q->events == SIDDHI_EVENTS_CURRENT) ||
		(kind == SIDDHI_EVENT_CURRENT && q->events == SIDDHI_EVENTS_EXPIRED))
		return;
	query_output(q, slot, ts, depth, kind);
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

/*
 * End of a chunk: aggregates make their rows, then order by, offset and
 * limit apply to the chunk's outputs, as Siddhi applies them per chunk.
 */
static void
query_chunk_end(QueryRuntime *q, int depth)
{
	OutputSortState st;
	int *order;
	int64 first;
	int64 last;
	MemoryContext old;

	if (q->aggs)
		aggregate_flush(q, depth);
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
		query_send(q, q->sorted_slot, q->out_ts[i], depth, q->out_kind[i]);
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

	if (kind == SIDDHI_EVENT_CHUNK_END)
	{
		query_chunk_end(wa->q, wa->depth);
		return;
	}
	ExecStoreMinimalTuple(tuple, wa->q->window_slot, false);
	query_emit(wa->q, wa->q->window_slot, ts, wa->depth, kind);
	ExecClearTuple(wa->q->window_slot);
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
	ResetExprContext(q->econtext);
}

static void
query_process(QueryRuntime *q, TupleTableSlot *slot, int64 ts, int depth)
{
	MemoryContext mcxt = CurrentMemoryContext;
	ResourceOwner owner = CurrentResourceOwner;
	Oid save_user;
	int save_sec;

	GetUserIdAndSecContext(&save_user, &save_sec);
	PG_TRY();
	{
		if (depth > MAX_CHAIN_DEPTH)
			ereport(ERROR,
					(errcode(ERRCODE_SIDDHI_RUNTIME_ERROR),
					 errmsg("event went through more than %d chained queries",
							MAX_CHAIN_DEPTH),
					 errhint("Queries that insert into each other's input "
							 "streams form a loop.")));
		if (save_user != q->owner)
			SetUserIdAndSecContext(q->owner,
								   save_sec | SECURITY_LOCAL_USERID_CHANGE);
		siddhi_stats_count(q->stats, 1, 0);
		if (q->app->playback)
		{
			if (ts > q->app->clock)
				q->app->clock = ts;
			playback_clock = q->app->clock;
		}
		else
			playback_clock = 0;
		/* time passes for the window first: what is due leaves before */
		window_catch_up(q, q->app->playback ? q->app->clock : ts, depth);
		q->econtext->ecxt_scantuple = slot;
		if (q->qual == NULL || ExecQual(q->qual, q->econtext))
		{
			if (q->window)
			{
				bool should_free;
				MinimalTuple t = ExecFetchSlotMinimalTuple(slot, &should_free);
				WindowEventArg wa = { q, depth };

				int64 ext = 0;

				if (q->window_time)
				{
					bool isnull;
					Datum d =
						ExecEvalExpr(q->window_time, q->econtext, &isnull);

					if (isnull)
						ereport(ERROR,
								(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
								 errmsg("the time attribute of window "
										"externalTime is null")));
					ext = DatumGetInt64(d);
				}
				siddhi_window_add(q->window, t, ts, ext, window_event, &wa);
				if (should_free)
					pfree(t);
			}
			else
				query_emit(q, slot, ts, depth, SIDDHI_EVENT_CURRENT);
			query_chunk_end(q, depth);
		}
		ResetExprContext(q->econtext);
		SetUserIdAndSecContext(save_user, save_sec);
	}
	PG_CATCH();
	{
		SetUserIdAndSecContext(save_user, save_sec);
		query_failed(q, mcxt, owner, true);
		query_abandon_chunk(q);
	}
	PG_END_TRY();
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

static void
junction_emit(Junction *j, TupleTableSlot *slot, int64 ts, int depth,
			  bool expired)
{
	ListCell *lc;
	int64 save_ts = siddhi_current_event_ts;

	siddhi_current_event_ts = ts;
	/* watchers first: a query's output is seen before what it causes */
	if (siddhi_stream_watched(MyDatabaseId, j->relid))
		deliver_to_watchers(j, slot, ts, expired);
	foreach(lc, j->consumers)
		query_process(lfirst(lc), slot, ts, depth);
	siddhi_current_event_ts = save_ts;
}

void
siddhi_runtime_feed_chunk(Oid relid, const char *rows, uint32 nrows)
{
	Junction *j;
	const char *p = rows;

	if (junctions == NULL)
		return;
	if (!OidIsValid(relid))
	{
		/* siddhi.advance_clock(): rows carry only a time */
		for (uint32 i = 0; i < nrows; i++)
		{
			const SiddhiRowHeader *row = (const SiddhiRowHeader *) p;

			siddhi_runtime_advance_playback(row->timestamp);
			p += MAXALIGN(sizeof(SiddhiRowHeader)) + MAXALIGN(row->length);
		}
		return;
	}
	j = hash_search(junctions, &relid, HASH_FIND, NULL);
	if (j == NULL)
		return;
	for (uint32 i = 0; i < nrows; i++)
	{
		const SiddhiRowHeader *row = (const SiddhiRowHeader *) p;
		MinimalTuple tuple =
			(MinimalTuple) (p + MAXALIGN(sizeof(SiddhiRowHeader)));

		ExecStoreMinimalTuple(tuple, j->slot, false);
		junction_emit(j, j->slot, row->timestamp, 0, false);
		ExecClearTuple(j->slot);
		p += MAXALIGN(sizeof(SiddhiRowHeader)) + MAXALIGN(row->length);
	}
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

/* Insert rows[from..] into a table, each as its query's owner. */
static void
sink_insert(Oid relid, List *rows, int from)
{
	Relation rel = table_open(relid, RowExclusiveLock);
	EState *estate = CreateExecutorState();
	RangeTblEntry *rte = makeNode(RangeTblEntry);
	ResultRelInfo *rri = makeNode(ResultRelInfo);
	int i = 0;
	ListCell *lc;
	Oid save_user;
	int save_sec;
	Oid checked_owner = InvalidOid;
	bool multi = sink_can_multi_insert(rel, rows, from);
	TupleTableSlot *slots[SINK_MULTI_INSERT];
	int nslots = 0;
	int filled = 0;
	BulkInsertState bistate = multi ? GetBulkInsertState() : NULL;
	CommandId cid;

	rte->rtekind = RTE_RELATION;
	rte->relid = relid;
	rte->relkind = rel->rd_rel->relkind;
	rte->rellockmode = RowExclusiveLock;
	ExecInitRangeTable(estate, list_make1(rte));
	InitResultRelInfo(rri, rel, 1, NULL, 0);
	estate->es_output_cid = cid = GetCurrentCommandId(true);
	ExecOpenIndices(rri, false);
	AfterTriggerBeginQuery();

	GetUserIdAndSecContext(&save_user, &save_sec);
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
		}
		if (row->query->owner != save_user)
			SetUserIdAndSecContext(row->query->owner,
								   save_sec | SECURITY_LOCAL_USERID_CHANGE);
		if (filled == nslots)
			slots[nslots++] = table_slot_create(rel, &estate->es_tupleTable);
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
		SetUserIdAndSecContext(save_user, save_sec);
	}
	if (bistate)
		FreeBulkInsertState(bistate);
	AfterTriggerEndQuery(estate);
	ExecCloseIndices(rri);
	ExecResetTupleTable(estate->es_tupleTable, false);
	FreeExecutorState(estate);
	table_close(rel, NoLock);
}

void
siddhi_runtime_end_batch(void)
{
	ListCell *lc;

	foreach(lc, dirty_sinks)
	{
		Oid relid = lfirst_oid(lc);
		TableSink *sink = hash_search(sinks, &relid, HASH_FIND, NULL);
		int from = 0;

		while (sink && from < list_length(sink->rows))
		{
			MemoryContext mcxt = CurrentMemoryContext;
			ResourceOwner owner = CurrentResourceOwner;
			volatile int done = -1;

			PG_TRY();
			{
				sink_insert(relid, sink->rows, from);
				done = list_length(sink->rows);
			}
			PG_CATCH();
			{
				query_failed(NULL, mcxt, owner, true);
				/* find the failing rows: one subtransaction per row */
				for (int i = from; i < list_length(sink->rows); i++)
				{
					TableRow *row = list_nth(sink->rows, i);

					BeginInternalSubTransaction(NULL);
					MemoryContextSwitchTo(mcxt);
					PG_TRY();
					{
						sink_insert(relid, list_make1(row), 0);
						ReleaseCurrentSubTransaction();
						MemoryContextSwitchTo(mcxt);
						CurrentResourceOwner = owner;
					}
					PG_CATCH();
					{
						query_failed(row->query, mcxt, owner, false);
					}
					PG_END_TRY();
				}
				done = list_length(sink->rows);
			}
			PG_END_TRY();
			from = done;
		}
		if (sink)
			sink->rows = NIL;
	}
	dirty_sinks = NIL;
	MemoryContextReset(batch_cxt);
}

/*
 * Let time pass for one query's window, inside the batch's error boundary
 * like query_process.
 */
static void
query_advance(QueryRuntime *q, int64 now)
{
	MemoryContext mcxt = CurrentMemoryContext;
	ResourceOwner owner = CurrentResourceOwner;
	Oid save_user;
	int save_sec;

	GetUserIdAndSecContext(&save_user, &save_sec);
	PG_TRY();
	{
		if (save_user != q->owner)
			SetUserIdAndSecContext(q->owner,
								   save_sec | SECURITY_LOCAL_USERID_CHANGE);
		playback_clock = q->app->playback ? q->app->clock : 0;
		siddhi_current_event_ts = now;
		window_catch_up(q, now, 0);
		ResetExprContext(q->econtext);
		SetUserIdAndSecContext(save_user, save_sec);
	}
	PG_CATCH();
	{
		SetUserIdAndSecContext(save_user, save_sec);
		query_failed(q, mcxt, owner, true);
		query_abandon_chunk(q);
	}
	PG_END_TRY();
	siddhi_current_event_ts = 0;
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
		}
	}
	return next;
}

void
siddhi_runtime_fire_timers(int64 now)
{
	ListCell *la;

	foreach(la, all_apps)
	{
		SiddhiAppRuntime *app = lfirst(la);
		ListCell *lq;

		if (app->playback)
			continue;
		foreach(lq, app->queries)
			query_advance(lfirst(lq), now);
	}
}

void
siddhi_runtime_advance_playback(int64 now)
{
	ListCell *la;

	foreach(la, all_apps)
	{
		SiddhiAppRuntime *app = lfirst(la);
		ListCell *lq;

		if (!app->playback)
			continue;
		if (now > app->clock)
			app->clock = now;
		foreach(lq, app->queries)
			query_advance(lfirst(lq), app->clock);
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
