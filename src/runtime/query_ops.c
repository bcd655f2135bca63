/*-------------------------------------------------------------------------
 *
 * query_ops.c
 *	  Each stateful operator family bound to the operator interface
 *	  (include/siddhi/operator.h): deduplicate, window, aggregators, rate
 *	  limiter, pattern.
 *
 * A query's operators are its program (op->arg is the QueryRuntime) and a
 * slot: the pointer its hot path reads the state through, which the
 * partition wrapper sets per key (partition_enter).  What each operator
 * does with events stays in its family's own interface; this file answers
 * what the driver asks every operator alike: make a state for a key, free
 * it, when it is next due, what it holds, whether and how it is saved.
 *
 *-------------------------------------------------------------------------
 */
#include "runtime_int.h"

#include "siddhi/aggregate.h"
#include "siddhi/state.h"
#include "utils/memutils.h"

#define OP_QUERY(op) ((QueryRuntime *) (op)->arg)

/* Bytes of the memory context a palloc'd state lives in. */
static int64
context_bytes(void *state)
{
	return (int64) MemoryContextMemAllocated(GetMemoryChunkContext(state),
											 true);
}

/* #unique:deduplicate */

static void *
dedup_create(SiddhiOperator *op, MemoryContext parent)
{
	return siddhi_dedup_create(OP_QUERY(op)->plan->dedup_interval, parent);
}

static bool
dedup_can_save(SiddhiOperator *op, void *state)
{
	return siddhi_dedup_can_save(state);
}

static void
dedup_serialize(SiddhiOperator *op, void *state, StringInfo buf)
{
	siddhi_dedup_serialize(state, buf);
}

static void
dedup_restore(SiddhiOperator *op, void *state, SiddhiStateReader *r)
{
	siddhi_dedup_restore(state, r);
}

static const SiddhiOperatorOps dedup_ops = {
	.kind = "deduplicate",
	.state_create = dedup_create,
	.can_save = dedup_can_save,
	.serialize = dedup_serialize,
	.restore = dedup_restore,
};

/* windows */

/*
 * The query's own window (of its plan), or a partition key's.  When
 * nothing needs the expired events of its batches (the plan says:
 * siddhi_window_plan_resets), a batch window keeps none and resets the
 * query's aggregators at each batch instead, as Siddhi's do: it holds one
 * batch, not two, and its aggregates start from nothing each batch rather
 * than from what taking the last batch out left (the same, but for a
 * floating-point sum's rounding).  A join's other side has no plan of its
 * own: it is scanned, and keeps its batches.
 */
SiddhiWindow *
query_window_create(QueryRuntime *q, MemoryContext cxt)
{
	/* a partition key's lies in the key's context (siddhi_window_create_in) */
	SiddhiWindow *w = q->apart ? siddhi_window_create_in(q->window_plan, cxt)
							   : siddhi_window_create(q->window_plan, cxt);

	if (q->plan != NULL && q->plan->window == q->window_plan &&
		siddhi_window_plan_resets(q->plan) && siddhi_window_reset_batches(w) &&
		siddhi_window_plan_folds(q->plan) && q->apart == NULL)
		(void) siddhi_window_fold_batches(w);
	return w;
}

static void *
window_create(SiddhiOperator *op, MemoryContext parent)
{
	return query_window_create(OP_QUERY(op), parent);
}

static int64
window_deadline(SiddhiOperator *op, void *state)
{
	return siddhi_window_deadline(state);
}

static void
window_size(SiddhiOperator *op, void *state, SiddhiOpSize *size)
{
	SiddhiWindow *w = state;

	SIDDHI_OPSIZE_ADD(size, events, siddhi_window_size(w));
	SIDDHI_OPSIZE_ADD(size, bytes,
					  (int64) MemoryContextMemAllocated(w->cxt, true));
}

static bool
window_can_save(SiddhiOperator *op, void *state)
{
	return siddhi_window_can_save(state);
}

static void
window_serialize(SiddhiOperator *op, void *state, StringInfo buf)
{
	siddhi_window_serialize(state, buf);
}

static void
window_restore(SiddhiOperator *op, void *state, SiddhiStateReader *r)
{
	TupleDesc desc = OP_QUERY(op)->input->desc;

	r->desc = desc;
	siddhi_window_restore(state, r, desc);
	r->desc = NULL;
}

static const SiddhiOperatorOps window_ops = {
	.kind = "window",
	.state_create = window_create,
	.deadline = window_deadline,
	.size = window_size,
	.can_save = window_can_save,
	.serialize = window_serialize,
	.restore = window_restore,
};

/* the selector's aggregators (groups) */

static void *
aggs_create(SiddhiOperator *op, MemoryContext parent)
{
	/* a key's, in its context, described as the query's (unordered too) */
	return siddhi_aggs_create_like(
		siddhi_selector_agg_proto(OP_QUERY(op)->sel), parent);
}

/* they live in the selector, which a partition points at a key's */
static void *
aggs_get(SiddhiOperator *op)
{
	QueryRuntime *q = OP_QUERY(op);

	return q->sel ? siddhi_selector_current_aggs(q->sel) : NULL;
}

static void
aggs_set(SiddhiOperator *op, void *state)
{
	QueryRuntime *q = OP_QUERY(op);

	if (q->sel)
		siddhi_selector_set_aggs(q->sel, state);
}

static void
aggs_size(SiddhiOperator *op, void *state, SiddhiOpSize *size)
{
	SIDDHI_OPSIZE_ADD(size, groups, siddhi_aggs_ngroups(state));
	SIDDHI_OPSIZE_ADD(size, bytes, context_bytes(state));
}

static bool
aggs_can_save(SiddhiOperator *op, void *state)
{
	return siddhi_aggs_can_save(state);
}

static void
aggs_serialize(SiddhiOperator *op, void *state, StringInfo buf)
{
	siddhi_aggs_serialize(state, buf);
}

static void
aggs_restore(SiddhiOperator *op, void *state, SiddhiStateReader *r)
{
	siddhi_aggs_restore(state, r);
}

static const SiddhiOperatorOps aggs_ops = {
	.kind = "aggregation",
	.state_create = aggs_create,
	.state_get = aggs_get,
	.state_set = aggs_set,
	.size = aggs_size,
	.can_save = aggs_can_save,
	.serialize = aggs_serialize,
	.restore = aggs_restore,
};

/* output rate limiters */

static void *
rate_create(SiddhiOperator *op, MemoryContext parent)
{
	QueryRuntime *q = OP_QUERY(op);
	SiddhiRateLimiter *save = q->rate;
	SiddhiRateLimiter *r;
	MemoryContext old = MemoryContextSwitchTo(parent);

	query_rate_create(q, q->plan);
	r = q->rate;
	q->rate = save;
	MemoryContextSwitchTo(old);
	return r;
}

static int64
rate_deadline(SiddhiOperator *op, void *state)
{
	return siddhi_rate_deadline(state);
}

static bool
rate_can_save(SiddhiOperator *op, void *state)
{
	return siddhi_rate_can_save(state);
}

static void
rate_serialize(SiddhiOperator *op, void *state, StringInfo buf)
{
	siddhi_rate_serialize(state, buf);
}

static void
rate_restore(SiddhiOperator *op, void *state, SiddhiStateReader *r)
{
	siddhi_rate_restore(state, r);
}

static const SiddhiOperatorOps rate_ops = {
	.kind = "rate limit",
	.state_create = rate_create,
	.deadline = rate_deadline,
	.can_save = rate_can_save,
	.serialize = rate_serialize,
	.restore = rate_restore,
};

/* patterns and sequences */

static void *
pattern_create(SiddhiOperator *op, MemoryContext parent)
{
	QueryRuntime *q = OP_QUERY(op);

	return siddhi_pattern_create(q->pattern_prog, parent,
								 q->app->playback ? q->app->clock
												  : siddhi_now_ms());
}

/* first: the program the keys share forgets the events it points at */
static void
pattern_free(SiddhiOperator *op, void *state)
{
	siddhi_pattern_free(state);
}

static int64
pattern_deadline(SiddhiOperator *op, void *state)
{
	return siddhi_pattern_deadline(state);
}

static void
pattern_size(SiddhiOperator *op, void *state, SiddhiOpSize *size)
{
	SIDDHI_OPSIZE_ADD(size, matches, siddhi_pattern_pending(state));
	SIDDHI_OPSIZE_ADD(size, dropped, siddhi_pattern_dropped(state));
	SIDDHI_OPSIZE_ADD(size, bytes, context_bytes(state));
}

static bool
pattern_can_save(SiddhiOperator *op, void *state)
{
	return siddhi_pattern_can_save(state);
}

static void
pattern_serialize(SiddhiOperator *op, void *state, StringInfo buf)
{
	siddhi_pattern_serialize(state, buf);
}

static void
pattern_restore(SiddhiOperator *op, void *state, SiddhiStateReader *r)
{
	siddhi_pattern_restore(state, r);
}

static const SiddhiOperatorOps pattern_ops = {
	.kind = "pattern",
	.state_create = pattern_create,
	.state_free = pattern_free,
	.deadline = pattern_deadline,
	.size = pattern_size,
	.can_save = pattern_can_save,
	.serialize = pattern_serialize,
	.restore = pattern_restore,
};

/*
 * Bind q's stateful operators, once its program is built (app.c): each
 * kind the plan gives it, whether or not its state exists yet (a
 * partition's keys make theirs).
 */
void
query_opers_init(QueryRuntime *q)
{
	SiddhiOperator *o = q->opers;

	memset(o, 0, sizeof(q->opers));
	for (int i = 0; i < QOP_COUNT; i++)
		o[i].arg = q;
	if (q->plan && q->plan->dedup_key)
	{
		o[QOP_DEDUP].ops = &dedup_ops;
		o[QOP_DEDUP].slot = (void **) &q->dedup;
		o[QOP_DEDUP].label = "a deduplicate";
	}
	if (q->window_plan)
	{
		o[QOP_WINDOW].ops = &window_ops;
		o[QOP_WINDOW].slot = (void **) &q->window;
		o[QOP_WINDOW].label =
			q->window_args.name ? q->window_args.name : "a window";
	}
	if (q->plan && q->plan->aggregates)
	{
		o[QOP_AGGS].ops = &aggs_ops;
		o[QOP_AGGS].label = "an aggregation";
	}
	if (q->plan && q->plan->rate_kind != SIDDHI_RATE_NONE)
	{
		o[QOP_RATE].ops = &rate_ops;
		o[QOP_RATE].slot = (void **) &q->rate;
		o[QOP_RATE].label = "an output rate limit";
	}
	if (q->pattern_prog)
	{
		o[QOP_PATTERN].ops = &pattern_ops;
		o[QOP_PATTERN].slot = (void **) &q->pattern;
		o[QOP_PATTERN].label = "a pattern";
	}
}

/* The earliest deadline of q's operators, with the states they have now. */
int64
query_opers_deadline(QueryRuntime *q)
{
	int64 next = -1;

	for (int i = 0; i < QOP_COUNT; i++)
	{
		SiddhiOperator *op = &q->opers[i];
		void *state;
		int64 due;

		if (op->ops == NULL || op->ops->deadline == NULL)
			continue;
		state = siddhi_operator_state(op);
		if (state == NULL)
			continue;
		due = op->ops->deadline(op, state);
		if (due >= 0 && (next < 0 || due < next))
			next = due;
	}
	return next;
}
