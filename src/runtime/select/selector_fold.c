/*-------------------------------------------------------------------------
 *
 * selector_fold.c
 *	  A batch window's events folded into their groups as they arrive.
 *
 * A query whose timeBatch or lengthBatch resets at each batch and which
 * aggregates outside a partition (siddhi_window_plan_folds) does not wait
 * for the batch to close: its window hands each event out at once and
 * keeps none, and the selector updates the event's group and keeps the
 * group's row as usual (aggregate_event in selector.c: the event's
 * inputs and the aggregate values as of that event, if it passes having)
 * but lets the rows wait across chunks, in a memory context of the
 * batch's, instead of outputting them at each chunk's end.  When the
 * window closes the batch (its RESET), the rows go out in the order their
 * groups first got one, and the aggregators start again: exactly what
 * the window would have caused by handing the whole batch out at the
 * close, since rows are made one event after another in arrival order
 * either way.  The state is then the groups and one row per group, not
 * every event of the batch.
 *
 * Without having, a group's row is made of its last event and the
 * aggregate values it has when the batch closes (no later event of the
 * group came, or it would have replaced the row): the selector then keeps
 * only each group's last event as it goes, and computes the values once
 * per group at the close instead of once per event.
 *
 * An error at an event skips that event for the query and leaves the
 * batch's other rows; an error while the rows of a close go out loses
 * the rest of that close's rows (as at a chunk's end) but not the next
 * batch.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "utils/memutils.h"

#include "selector_int.h"

static MemoryContext
fold_context(SiddhiSelect *s)
{
	return AllocSetContextCreate(GetMemoryChunkContext(s),
								 "siddhi folded batch",
								 ALLOCSET_DEFAULT_SIZES);
}

void
siddhi_selector_fold_batches(SiddhiSelect *s)
{
	Assert(s->aggs != NULL && s->topn == NULL && s->over == NULL);
	s->folds = true;
	s->fold_defers = s->having == NULL;
	s->fold_cxt = fold_context(s);
}

void
selector_fold_keep(SiddhiSelect *s, SiddhiAggGroup *g, TupleTableSlot *slot,
				   int64 ts, SiddhiEventKind kind)
{
	MemoryContext old = MemoryContextSwitchTo(s->fold_cxt);
	MinimalTuple tuple = ExecCopySlotMinimalTuple(slot);
	int i;

	MemoryContextSwitchTo(old);
	i = selector_pending_slot(s, g);
	if (s->pending_tuples[i] != NULL)
		pfree(s->pending_tuples[i]);
	s->pending_tuples[i] = tuple;
	s->pending_ts[i] = ts;
	s->pending_kind[i] = kind;
}

bool
siddhi_selector_folds(SiddhiSelect *s)
{
	return s->folds;
}

/*
 * The batch closes: each group's row goes out, and the aggregators start
 * again (the groups no event came to in this batch are released).  What
 * can fail comes first and changes nothing (the arrays, the values of the
 * rows that wait for them); then the rows are taken out of the selector,
 * into their own context, and the groups start again before the rows go
 * out: what they cause downstream may bring events back into this query
 * (a loop), which then fold into the next batch.
 */
void
siddhi_selector_close_batch(SiddhiSelect *s, SiddhiSelectEmit emit, void *arg)
{
	MemoryContext rows = s->fold_cxt;
	MemoryContext old;
	int n = s->npending;
	MinimalTuple *tuples;
	int64 *ts;
	SiddhiEventKind *kinds;
	ParamExecData *params;
	int naggs = Max(s->naggs, 1);

	Assert(s->folds);
	old = MemoryContextSwitchTo(rows);
	tuples = palloc(sizeof(MinimalTuple) * Max(n, 1));
	ts = palloc(sizeof(int64) * Max(n, 1));
	kinds = palloc(sizeof(SiddhiEventKind) * Max(n, 1));
	params = palloc(sizeof(ParamExecData) * naggs * Max(n, 1));
	for (int i = 0; i < n; i++)
	{
		/* without having: the group's values now, before it starts again */
		if (s->fold_defers)
			siddhi_aggs_values(s->aggs, s->pending_groups[i],
							   &params[i * naggs]);
		else
			memcpy(&params[i * naggs], &s->pending_params[i * s->naggs],
				   sizeof(ParamExecData) * s->naggs);
	}
	MemoryContextSwitchTo(old);
	s->fold_cxt = fold_context(s);
	for (int i = 0; i < n; i++)
	{
		tuples[i] = s->pending_tuples[i];
		ts[i] = s->pending_ts[i];
		kinds[i] = s->pending_kind[i];
		siddhi_aggs_marks(s->pending_groups[i])->pending = 0;
	}
	s->npending = 0;
	siddhi_aggs_restart_batch(s->aggs);

	PG_TRY();
	{
		for (int i = 0; i < n; i++)
		{
			memcpy(s->econtext->ecxt_param_exec_vals, &params[i * naggs],
				   sizeof(ParamExecData) * s->naggs);
			ExecStoreMinimalTuple(tuples[i], s->agg_slot, false);
			selector_output(s, s->agg_slot, ts[i], kinds[i], emit, arg);
			ExecClearTuple(s->agg_slot);
		}
	}
	PG_FINALLY();
	{
		ExecClearTuple(s->agg_slot);
		MemoryContextDelete(rows);
	}
	PG_END_TRY();
}

void
selector_drop_folded(SiddhiSelect *s)
{
	for (int i = 0; i < s->npending; i++)
		siddhi_aggs_marks(s->pending_groups[i])->pending = 0;
	s->npending = 0;
	MemoryContextReset(s->fold_cxt);
}

/*
 * Saved after the groups (the rows name theirs): whether the values wait
 * for the close, how many rows, then each row's time, kind, event and
 * (unless they wait) aggregate values, in output order.
 */
void
siddhi_selector_serialize_folded(SiddhiSelect *s, StringInfo buf)
{
	Assert(s->folds);
	siddhi_state_put_bool(buf, s->fold_defers);
	siddhi_state_put_int64(buf, s->npending);
	for (int i = 0; i < s->npending; i++)
	{
		siddhi_state_put_int64(buf, s->pending_ts[i]);
		siddhi_state_put_int32(buf, (int32) s->pending_kind[i]);
		siddhi_state_put_tuple(buf, s->pending_tuples[i]);
		for (int k = 0; k < s->naggs && !s->fold_defers; k++)
		{
			ParamExecData *p = &s->pending_params[i * s->naggs + k];

			siddhi_state_put_datum(buf, p->value, p->isnull, s->agg_typlen[k],
								   s->agg_byval[k]);
		}
	}
}

/*
 * Into a selector whose groups were just restored: each row finds its
 * group again by the group-by values of its event.
 */
void
siddhi_selector_restore_folded(SiddhiSelect *s, SiddhiStateReader *r)
{
	ExprContext *econtext = s->econtext;
	int64 n;

	Assert(s->folds && s->npending == 0);
	if (siddhi_state_get_bool(r) != s->fold_defers)
		siddhi_state_corrupt(r, "The folded rows are of another kind");
	/* a row is at least its time, kind and a tuple's length */
	n = siddhi_state_get_count(r, 2 * sizeof(int64));
	r->desc = s->agg_slot->tts_tupleDescriptor;
	for (int64 j = 0; j < n; j++)
	{
		int64 ts = siddhi_state_get_int64(r);
		int32 kind = siddhi_state_get_int32(r);
		MinimalTuple tuple = siddhi_state_get_tuple(r, s->fold_cxt);
		SiddhiAggGroup *g;
		MemoryContext old;
		int i;

		if (kind != SIDDHI_EVENT_CURRENT && kind != SIDDHI_EVENT_EXPIRED)
			siddhi_state_corrupt(r, "A folded row has no event kind");
		ExecStoreMinimalTuple(tuple, s->agg_slot, false);
		econtext->ecxt_scantuple = s->agg_slot;
		old = MemoryContextSwitchTo(econtext->ecxt_per_tuple_memory);
		selector_group_values(s);
		g = siddhi_aggs_group(s->aggs, s->group_values, s->group_nulls, false);
		MemoryContextSwitchTo(old);
		ExecClearTuple(s->agg_slot);
		if (g == NULL || siddhi_aggs_marks(g)->pending > 0)
			siddhi_state_corrupt(r, "A folded row's group is missing or has "
									"two rows");
		i = selector_pending_slot(s, g);
		s->pending_tuples[i] = tuple;
		s->pending_ts[i] = ts;
		s->pending_kind[i] = (SiddhiEventKind) kind;
		for (int k = 0; k < s->naggs && !s->fold_defers; k++)
		{
			ParamExecData *p = &s->pending_params[i * s->naggs + k];

			p->execPlan = NULL;
			p->value = siddhi_state_get_datum(r, &p->isnull, s->agg_typlen[k],
											  s->agg_byval[k], s->fold_cxt);
		}
	}
	r->desc = NULL;
	ResetExprContext(econtext);
}
