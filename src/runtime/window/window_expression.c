/*-------------------------------------------------------------------------
 *
 * window_expression.c
 *	  expression('<condition>') and expressionBatch('<condition>'
 *	  [, include.triggering.event [, stream.current.event]]): windows that
 *	  keep events while a condition over them holds.
 *
 * The condition (SiddhiWindowPlan.condition, analyzed from the string in
 * analyze_window.c) reads the event at hand by attribute name, the
 * window's first and last events (first.attr, last.attr,
 * eventTimestamp(first), eventTimestamp(last)) and aggregators over the
 * window's events (count(), sum(attr), ...).  As in Siddhi, evaluating it
 * for an arriving event adds the event to the aggregators and evaluating
 * it for a leaving event removes it; the window evaluates it itself: its
 * Vars read the event (scan tuple), first (inner) and last (outer), its
 * aggregators are PARAM_EXEC params from src/runtime/select/aggregate.c, and the
 * three timestamps PARAM_EXTERN params.  Unlike Siddhi, every aggregator
 * of the condition sees every event (Siddhi skips those in the operand of
 * an and/or it short-circuits).  A null condition counts as false.
 *
 * expression: an arrival joins the window and the condition is checked
 * with it (first = the oldest event, last = the arrival); while it is
 * false the oldest events leave, one at a time, the condition checked
 * again for each with the leaving event at hand, until it holds or the
 * window is empty (the arrival itself can leave).  The leaving events go
 * out as expired, stamped with the clock, before the arrival goes out as
 * current.
 *
 * expressionBatch: arrivals are collected while the condition holds
 * (first = the batch's first event, or the arrival).  The arrival that
 * makes it false flushes: the aggregators restart with that arrival alone,
 * the previous batch goes out as expired, then the collected batch as
 * current (both stamped with the clock), and the arrival starts the next
 * batch, or, with include.triggering.event, goes out with the flushed
 * batch (and the aggregators still hold it, as in Siddhi).  When nothing
 * was collected the arrival goes out as expired and as current at once.
 * With stream.current.event each arrival goes out as current at once and
 * the one that makes the condition false expires the batch before it (or
 * after it, together with itself, with include.triggering.event).
 *
 * Memory: the events the condition admits (expressionBatch: the batch
 * being collected and the last batch, which expires at the next flush),
 * at most 100 million; an arrival beyond that is an error (counted in
 * siddhi.queries).  A condition such as 'count() <= 10' bounds it; one
 * that is always true keeps every event up to that limit.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "common/hashfn.h"
#include "executor/executor.h"
#include "nodes/nodeFuncs.h"
#include "optimizer/optimizer.h"
#include "nodes/params.h"
#include "siddhi/aggregate.h"
#include "siddhi/window.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "window_int.h"

#define MAX_EXPRESSION_WINDOW_EVENTS 100000000

typedef struct ExprSlot
{
	MinimalTuple tuple;
	int64 ts;
} ExprSlot;

/* A FIFO of events: slots[head .. head + count), growing as needed. */
typedef struct ExprQueue
{
	ExprSlot *slots;
	int64 head;
	int64 count;
	int64 cap;
} ExprQueue;

typedef struct ExprWindow
{
	SiddhiWindow base;
	bool batch;
	bool include;		/* include.triggering.event */
	bool stream;		/* stream.current.event */
	ExprQueue events;	/* expression: the window; batch: being collected */
	ExprQueue previous; /* batch: what expires at the next flush */
	/* the condition, set up at the first event */
	bool ready;
	ExprContext *econtext;
	ExprState *condition;
	TupleTableSlot *event_slot;
	TupleTableSlot *first_slot;
	TupleTableSlot *last_slot;
	int naggs;
	List *agg_plans;
	ExprState **agg_args;
	FmgrInfo *agg_out; /* distinctCount: the argument's output function */
	Datum *agg_values;
	bool *agg_nulls;
	MemoryContext agg_cxt; /* the aggregators; reset by a batch flush */
	SiddhiAggregates *aggs;
	SiddhiAggGroup *group;
	ParamListInfo timestamps; /* $1 event, $2 first, $3 last */
} ExprWindow;

static SiddhiWindow *
expression_create(const SiddhiWindowPlan *plan, MemoryContext cxt)
{
	ExprWindow *w = MemoryContextAllocZero(cxt, sizeof(ExprWindow));

	Assert(plan->condition != NULL && plan->desc != NULL);
	w->batch = plan->kind == SIDDHI_WINDOW_EXPRESSION_BATCH;
	w->include = w->batch && plan->replace_time;
	w->stream = w->batch && plan->current_event;
	w->base.cxt = cxt;
	w->base.plan = plan;
	return &w->base;
}

/* The aggregators, empty. */
static void
expression_reset_aggs(ExprWindow *w)
{
	MemoryContextReset(w->agg_cxt);
	w->aggs = siddhi_aggs_create(w->agg_plans, NIL, w->agg_cxt);
	w->group = siddhi_aggs_group(w->aggs, NULL, NULL, true); /* no group by */
}

/* The aggregators' memory and the aggregators, empty. */
static void
expression_create_aggs(ExprWindow *w)
{
	w->agg_plans = w->base.plan->cond_aggs;
	w->agg_cxt = AllocSetContextCreate(w->base.cxt, "siddhi window aggregates",
									   ALLOCSET_DEFAULT_SIZES);
	expression_reset_aggs(w);
}

/* Set up the condition's evaluation, at the first event. */
static void
expression_init(ExprWindow *w)
{
	const SiddhiWindowPlan *plan = w->base.plan;
	MemoryContext old = MemoryContextSwitchTo(w->base.cxt);
	ListCell *lc;
	int k = 0;

	w->econtext = CreateStandaloneExprContext();
	w->event_slot = MakeSingleTupleTableSlot(plan->desc, &TTSOpsMinimalTuple);
	w->first_slot = MakeSingleTupleTableSlot(plan->desc, &TTSOpsMinimalTuple);
	w->last_slot = MakeSingleTupleTableSlot(plan->desc, &TTSOpsMinimalTuple);
	w->condition = ExecInitExpr(plan->condition, NULL);
	w->agg_plans = plan->cond_aggs;
	w->naggs = list_length(plan->cond_aggs);
	w->agg_args = palloc0(sizeof(ExprState *) * Max(w->naggs, 1));
	w->agg_out = palloc0(sizeof(FmgrInfo) * Max(w->naggs, 1));
	w->agg_values = palloc0(sizeof(Datum) * Max(w->naggs, 1));
	w->agg_nulls = palloc0(sizeof(bool) * Max(w->naggs, 1));
	foreach(lc, plan->cond_aggs)
	{
		SiddhiAggPlan *ap = lfirst(lc);

		if (ap->arg)
			w->agg_args[k] = ExecInitExpr(ap->arg, NULL);
		if (ap->kind == SIDDHI_AGG_DISTINCT_COUNT)
		{
			Oid outfn;
			bool varlena;

			getTypeOutputInfo(ap->argtype, &outfn, &varlena);
			fmgr_info_cxt(outfn, &w->agg_out[k], w->base.cxt);
		}
		k++;
	}
	w->econtext->ecxt_param_exec_vals =
		palloc0(sizeof(ParamExecData) * Max(w->naggs, 1));
	w->timestamps = makeParamList(3);
	for (int i = 0; i < 3; i++)
	{
		w->timestamps->params[i].ptype = INT8OID;
		w->timestamps->params[i].pflags = PARAM_FLAG_CONST;
		w->timestamps->params[i].isnull = false;
	}
	w->timestamps->numParams = 3;
	w->econtext->ecxt_param_list_info = w->timestamps;
	MemoryContextSwitchTo(old);
	/* restored (see "Epochs"): the aggregators are there already */
	if (w->aggs == NULL)
		expression_create_aggs(w);
	w->ready = true;
}

typedef enum ExprStep
{
	STEP_ADD,	 /* the event joins: add it to the aggregators */
	STEP_REMOVE, /* the event leaves: remove it */
} ExprStep;

/*
 * The aggregators' arguments for the event in the slots, added to them or
 * removed from them.
 */
static void
expression_feed(ExprWindow *w, ExprStep step)
{
	ExprContext *econtext = w->econtext;
	MemoryContext old;

	old = MemoryContextSwitchTo(econtext->ecxt_per_tuple_memory);
	for (int k = 0; k < w->naggs; k++)
	{
		w->agg_nulls[k] = false;
		w->agg_values[k] = 0;
		if (w->agg_args[k])
			w->agg_values[k] =
				ExecEvalExpr(w->agg_args[k], econtext, &w->agg_nulls[k]);
		if (w->agg_out[k].fn_oid != InvalidOid && !w->agg_nulls[k])
		{
			char *text = OutputFunctionCall(&w->agg_out[k], w->agg_values[k]);

			w->agg_values[k] = Int64GetDatum((int64) hash_bytes_extended(
				(const unsigned char *) text, strlen(text), 0));
		}
	}
	MemoryContextSwitchTo(old);
	siddhi_aggs_update(w->aggs, w->group, step == STEP_ADD, w->agg_values,
					   w->agg_nulls);
}

/*
 * Evaluate the condition for event (at hand), first and last, after
 * adding the event to the aggregators or removing it.
 */
static bool
expression_check(ExprWindow *w, ExprSlot *event, ExprSlot *first,
				 ExprSlot *last, ExprStep step)
{
	ExprContext *econtext = w->econtext;
	bool isnull;
	Datum result;

	ExecStoreMinimalTuple(event->tuple, w->event_slot, false);
	ExecStoreMinimalTuple(first->tuple, w->first_slot, false);
	ExecStoreMinimalTuple(last->tuple, w->last_slot, false);
	econtext->ecxt_scantuple = w->event_slot;
	econtext->ecxt_innertuple = w->first_slot;
	econtext->ecxt_outertuple = w->last_slot;
	w->timestamps->params[0].value = Int64GetDatum(event->ts);
	w->timestamps->params[1].value = Int64GetDatum(first->ts);
	w->timestamps->params[2].value = Int64GetDatum(last->ts);

	if (w->naggs > 0)
	{
		expression_feed(w, step);
		siddhi_aggs_values(w->aggs, w->group, econtext->ecxt_param_exec_vals);
	}
	result = ExecEvalExprSwitchContext(w->condition, econtext, &isnull);
	ExecClearTuple(w->event_slot);
	ExecClearTuple(w->first_slot);
	ExecClearTuple(w->last_slot);
	ResetExprContext(econtext);
	return !isnull && DatumGetBool(result);
}

/* ---------------------------------------------------------------------
 * Queues
 * ---------------------------------------------------------------------
 */

static ExprSlot *
queue_at(ExprQueue *q, int64 i)
{
	return &q->slots[(q->head + i) % q->cap];
}

static void
queue_push(ExprWindow *w, ExprQueue *q, MinimalTuple tuple, int64 ts)
{
	if (q->count == q->cap)
	{
		int64 cap = Max(16, q->cap * 2);
		ExprSlot *slots =
			MemoryContextAllocHuge(w->base.cxt, sizeof(ExprSlot) * cap);

		for (int64 i = 0; i < q->count; i++)
			slots[i] = *queue_at(q, i);
		if (q->slots)
			pfree(q->slots);
		q->slots = slots;
		q->head = 0;
		q->cap = cap;
	}
	q->slots[(q->head + q->count) % q->cap].tuple = tuple;
	q->slots[(q->head + q->count) % q->cap].ts = ts;
	q->count++;
}

static ExprSlot
queue_pop(ExprQueue *q)
{
	ExprSlot s = *queue_at(q, 0);

	q->head = (q->head + 1) % q->cap;
	q->count--;
	return s;
}

/* Emit every event of q as expired, stamped now, and free them. */
static void
queue_expire(ExprQueue *q, int64 now, SiddhiEventFn fn, void *arg)
{
	while (q->count > 0)
	{
		ExprSlot s = queue_pop(q);

		fn(arg, SIDDHI_EVENT_EXPIRED, s.tuple, now);
		pfree(s.tuple);
	}
}

static void
check_room(ExprWindow *w)
{
	if (w->events.count + w->previous.count >= MAX_EXPRESSION_WINDOW_EVENTS)
		ereport(ERROR,
				(errcode(ERRCODE_CONFIGURATION_LIMIT_EXCEEDED),
				 errmsg("window %s holds %d events, the most it may",
						w->base.plan->name, MAX_EXPRESSION_WINDOW_EVENTS),
				 errdetail("The event is skipped."),
				 errhint("Write a condition that lets events leave, such as "
						 "'count() <= 1000'.")));
}

/* ---------------------------------------------------------------------
 * expression(condition)
 * ---------------------------------------------------------------------
 */

static void
expression_add(ExprWindow *w, const SiddhiWindowEvent *ev, SiddhiEventFn fn,
			   void *arg)
{
	ExprQueue *q = &w->events;
	ExprSlot arrival;
	int64 now = WINDOW_EVENT_NOW(ev);
	bool left = false; /* the arrival itself left */

	arrival.tuple = siddhi_window_keep(&w->base, ev->tuple);
	arrival.ts = ev->timestamp;
	queue_push(w, q, arrival.tuple, arrival.ts);
	if (!expression_check(w, &arrival, queue_at(q, 0), &arrival, STEP_ADD))
	{
		while (q->count > 0)
		{
			ExprSlot leaving = queue_pop(q);
			ExprSlot *first = q->count > 0 ? queue_at(q, 0) : &leaving;
			bool holds;

			fn(arg, SIDDHI_EVENT_EXPIRED, leaving.tuple, now);
			holds =
				expression_check(w, &leaving, first, &arrival, STEP_REMOVE);
			if (leaving.tuple == arrival.tuple)
				left = true;
			else
				pfree(leaving.tuple);
			if (holds)
				break;
		}
	}
	fn(arg, SIDDHI_EVENT_CURRENT, arrival.tuple, arrival.ts);
	if (left)
		pfree(arrival.tuple);
}

/* ---------------------------------------------------------------------
 * expressionBatch(condition [, include.triggering.event
 *				   [, stream.current.event]])
 * ---------------------------------------------------------------------
 */

/* The arrival broke the condition: the aggregators restart with it. */
static void
batch_restart(ExprWindow *w, ExprSlot *arrival, ExprSlot *first)
{
	expression_reset_aggs(w);
	(void) expression_check(w, arrival, first, arrival, STEP_ADD);
}

static void
batch_add(ExprWindow *w, const SiddhiWindowEvent *ev, SiddhiEventFn fn,
		  void *arg)
{
	ExprQueue *batch = &w->events;
	ExprSlot arrival;
	ExprSlot first;
	int64 now = WINDOW_EVENT_NOW(ev);

	arrival.tuple = ev->tuple;
	arrival.ts = ev->timestamp;
	first = batch->count > 0 ? *queue_at(batch, 0) : arrival;
	if (expression_check(w, &arrival, &first, &arrival, STEP_ADD))
	{
		queue_push(w, batch, siddhi_window_keep(&w->base, ev->tuple),
				   arrival.ts);
		return;
	}
	batch_restart(w, &arrival, &first);

	queue_expire(&w->previous, now, fn, arg);
	if (batch->count == 0)
	{
		/* nothing collected: the arrival comes and goes */
		fn(arg, SIDDHI_EVENT_EXPIRED, ev->tuple, now);
		fn(arg, SIDDHI_EVENT_CURRENT, ev->tuple, now);
		return;
	}
	/* the batch goes out, and is what expires at the next flush */
	while (batch->count > 0)
	{
		ExprSlot s = queue_pop(batch);

		fn(arg, SIDDHI_EVENT_CURRENT, s.tuple, now);
		queue_push(w, &w->previous, s.tuple, s.ts);
	}
	arrival.tuple = siddhi_window_keep(&w->base, ev->tuple);
	if (w->include)
	{
		fn(arg, SIDDHI_EVENT_CURRENT, arrival.tuple, arrival.ts);
		queue_push(w, &w->previous, arrival.tuple, arrival.ts);
	}
	else
		queue_push(w, batch, arrival.tuple, arrival.ts);
}

/* stream.current.event: arrivals go out at once. */
static void
batch_stream_add(ExprWindow *w, const SiddhiWindowEvent *ev, SiddhiEventFn fn,
				 void *arg)
{
	ExprQueue *held = &w->previous;
	ExprSlot arrival;
	ExprSlot first;
	int64 now = WINDOW_EVENT_NOW(ev);

	arrival.tuple = ev->tuple;
	arrival.ts = ev->timestamp;
	first = held->count > 0 ? *queue_at(held, 0) : arrival;
	if (expression_check(w, &arrival, &first, &arrival, STEP_ADD))
	{
		arrival.tuple = siddhi_window_keep(&w->base, ev->tuple);
		queue_push(w, held, arrival.tuple, arrival.ts);
		fn(arg, SIDDHI_EVENT_CURRENT, arrival.tuple, arrival.ts);
		return;
	}
	batch_restart(w, &arrival, &first);

	if (held->count == 0)
	{
		fn(arg, SIDDHI_EVENT_EXPIRED, ev->tuple, now);
		fn(arg, SIDDHI_EVENT_CURRENT, ev->tuple, now);
		return;
	}
	if (w->include)
	{
		fn(arg, SIDDHI_EVENT_CURRENT, ev->tuple, arrival.ts);
		queue_expire(held, now, fn, arg);
		fn(arg, SIDDHI_EVENT_EXPIRED, ev->tuple, now);
		return;
	}
	queue_expire(held, now, fn, arg);
	arrival.tuple = siddhi_window_keep(&w->base, ev->tuple);
	queue_push(w, held, arrival.tuple, arrival.ts);
	fn(arg, SIDDHI_EVENT_CURRENT, arrival.tuple, arrival.ts);
}

/* ---------------------------------------------------------------------
 * Epochs
 * ---------------------------------------------------------------------
 *
 * Saved: the window's queue (expression: the window; expressionBatch: the
 * batch being collected) and the batch to expire, each event with its
 * time and tuple, then the aggregators of the condition as they are
 * (siddhi_aggs_serialize: every kind can be saved), or nothing when the
 * window has none or has seen no event yet.
 *
 * The aggregators' state is not made again from the events held: a float
 * sum that lost a value is not the sum of those left (rounding),
 * minForever remembers what left, an argument reading first.x or last.x
 * gave the value of the window at the time, and expressionBatch's
 * aggregators hold the arrival that restarted them besides the batch.
 * They are restored into aggregators made at once (restore runs outside
 * any query step; making them evaluates nothing), and the first event
 * after the restore sets up the condition around them (expression_init).
 */

static void
put_queue(StringInfo buf, ExprQueue *q)
{
	siddhi_state_put_int64(buf, q->count);
	for (int64 i = 0; i < q->count; i++)
	{
		siddhi_state_put_int64(buf, queue_at(q, i)->ts);
		siddhi_state_put_tuple(buf, queue_at(q, i)->tuple);
	}
}

static void
get_queue(ExprWindow *w, SiddhiStateReader *r, ExprQueue *q)
{
	int64 n = siddhi_state_get_count(r, sizeof(int64) + sizeof(int32));

	if (n > MAX_EXPRESSION_WINDOW_EVENTS)
		siddhi_state_corrupt(r, "A window holds more events than it may");
	for (int64 i = 0; i < n; i++)
	{
		int64 ts = siddhi_state_get_int64(r);

		queue_push(w, q, siddhi_state_get_tuple(r, w->base.cxt), ts);
	}
}

static void
expression_serialize(SiddhiWindow *base, StringInfo buf)
{
	ExprWindow *w = (ExprWindow *) base;

	put_queue(buf, &w->events);
	put_queue(buf, &w->previous);
	siddhi_state_put_bool(buf, w->aggs != NULL);
	if (w->aggs)
		siddhi_aggs_serialize(w->aggs, buf);
}

static void
expression_restore(SiddhiWindow *base, SiddhiStateReader *r)
{
	ExprWindow *w = (ExprWindow *) base;

	Assert(!w->ready && w->events.count == 0 && w->previous.count == 0);
	get_queue(w, r, &w->events);
	get_queue(w, r, &w->previous);
	if (!w->batch && w->previous.count > 0)
		siddhi_state_corrupt(r, "A sliding window has a batch to expire");
	if (siddhi_state_get_bool(r))
	{
		MemoryContext old = MemoryContextSwitchTo(w->base.cxt);

		w->agg_plans = w->base.plan->cond_aggs;
		w->agg_cxt = AllocSetContextCreate(
			w->base.cxt, "siddhi window aggregates", ALLOCSET_DEFAULT_SIZES);
		MemoryContextSwitchTo(old);
		w->aggs = siddhi_aggs_create(w->agg_plans, NIL, w->agg_cxt);
		siddhi_aggs_restore(w->aggs, r);
		w->group = siddhi_aggs_group(w->aggs, NULL, NULL, true);
	}
}

/* ---------------------------------------------------------------------
 * The ops
 * ---------------------------------------------------------------------
 */

static void
expression_window_add(SiddhiWindow *base, const SiddhiWindowEvent *ev,
					  SiddhiEventFn fn, void *arg)
{
	ExprWindow *w = (ExprWindow *) base;

	if (!w->ready)
		expression_init(w);
	check_room(w);
	if (!w->batch)
		expression_add(w, ev, fn, arg);
	else if (w->stream)
		batch_stream_add(w, ev, fn, arg);
	else
		batch_add(w, ev, fn, arg);
}

/*
 * The events emitted as current and not yet expired: the window; a
 * batch's last flushed batch (stream.current.event: the arrivals since).
 */
static void
expression_scan(SiddhiWindow *base, SiddhiEventFn fn, void *arg)
{
	ExprWindow *w = (ExprWindow *) base;
	ExprQueue *q = w->batch ? &w->previous : &w->events;

	for (int64 i = 0; i < q->count; i++)
		fn(arg, SIDDHI_EVENT_CURRENT, queue_at(q, i)->tuple,
		   queue_at(q, i)->ts);
}

static int64
expression_size(SiddhiWindow *base)
{
	ExprWindow *w = (ExprWindow *) base;

	return w->events.count + w->previous.count;
}

const SiddhiWindowOps siddhi_expression_window_ops = {
	.create = expression_create,
	.add = expression_window_add,
	.scan = expression_scan,
	.size = expression_size,
	.serialize = expression_serialize,
	.restore = expression_restore,
};

const SiddhiWindowOps siddhi_expression_batch_window_ops = {
	.create = expression_create,
	.add = expression_window_add,
	.scan = expression_scan,
	.size = expression_size,
	.serialize = expression_serialize,
	.restore = expression_restore,
};
