/*-------------------------------------------------------------------------
 *
 * reentry.c
 *	  Events that come back, through a loop of queries, into a query or a
 *	  named window that is still working on the event that caused them.
 *
 * Chains run depth-first: an event a query outputs goes through the
 * queries reading its stream before the query goes on.  In a loop, that
 * reaches the query itself in the middle of its step: its window between
 * handing an expired event out and forgetting it, its selector with a
 * chunk under way, its output slot not yet read by the rest of the chain.
 * Such an event waits instead, in its owner's queue (a copy of its tuple),
 * and goes through as any event once the owner's step is over: right
 * after the event that caused it, before the next event of a chunk.  That
 * is the order Siddhi's operators give, which update their state before
 * they hand events on.  The chain's depth goes with the event, so a loop
 * that never ends still stops at the depth limit (MAX_CHAIN_DEPTH), as an
 * error of the query it reached.
 *
 * The owner of a query is the query whose state it works on: a join's main
 * query for its other side, a pattern's for its other streams.
 *
 *-------------------------------------------------------------------------
 */
#include "runtime_int.h"

bool
reentry_enter_slow(Reentry *r)
{
	/*
	 * A batch that failed before its end left it busy: nothing runs now.
	 * What still waits (behind a named window's event that failed) goes
	 * through after this step, late rather than lost.
	 */
	if ((r->busy > 0 || r->draining) && r->batch != batch_seq)
	{
		r->busy = 0;
		r->draining = false;
	}
	if (r->busy > 0)
		return false;
	r->busy++;
	r->batch = batch_seq;
	return true;
}

void
reentry_defer(Reentry *r, void *holder, QueryRuntime *q, QueryStep step,
			  TupleTableSlot *slot, int64 ts, int depth, SiddhiEventKind kind,
			  bool end_chunk)
{
	MemoryContext old;
	Deferred *d;

	/* under the memory of its query or named window: it goes with the app */
	if (r->cxt == NULL)
		r->cxt =
			AllocSetContextCreate(GetMemoryChunkContext(holder),
								  "siddhi loop events", ALLOCSET_SMALL_SIZES);
	old = MemoryContextSwitchTo(r->cxt);
	d = palloc0(sizeof(Deferred));
	d->q = q;
	d->step = step;
	if (slot != NULL && !TTS_EMPTY(slot))
	{
		d->desc = slot->tts_tupleDescriptor;
		d->tuple = ExecCopySlotMinimalTuple(slot);
	}
	d->ts = ts;
	d->depth = depth;
	d->kind = kind;
	d->end_chunk = end_chunk;
	r->queue = lappend(r->queue, d);
	MemoryContextSwitchTo(old);
}

/*
 * The next event waiting, or NULL (its memory is reset then); *slot holds
 * its tuple (NULL for a step without one) until the next call.
 */
Deferred *
reentry_next(Reentry *r, TupleTableSlot **slot)
{
	Deferred *d;

	if (*slot != NULL)
	{
		ExecDropSingleTupleTableSlot(*slot);
		*slot = NULL;
	}
	if (r->queue == NIL)
	{
		if (r->cxt)
			MemoryContextReset(r->cxt);
		return NULL;
	}
	d = linitial(r->queue);
	r->queue = list_delete_first(r->queue);
	if (d->tuple != NULL)
	{
		/* in r's memory: the step's may be rolled back under it */
		MemoryContext old = MemoryContextSwitchTo(r->cxt);

		*slot = MakeSingleTupleTableSlot(d->desc, &TTSOpsMinimalTuple);
		ExecStoreMinimalTuple(d->tuple, *slot, false);
		MemoryContextSwitchTo(old);
	}
	return d;
}

/*
 * The events that waited for r's owner go through now, oldest first (and
 * those they bring back, after them): step(arg, d, slot) for each, unless
 * r is busy or already working them off.
 */
void
reentry_drain(Reentry *r, ReentryStepFn step, void *arg)
{
	TupleTableSlot *slot = NULL;
	Deferred *d;

	if (r->queue == NIL || r->draining || r->busy > 0)
		return;
	r->draining = true;
	r->batch = batch_seq;
	/* a step that throws (a named window's does, to its sender) leaves the
	 * rest waiting for the owner's next step */
	PG_TRY();
	{
		while ((d = reentry_next(r, &slot)) != NULL)
			step(arg, d, slot);
	}
	PG_FINALLY();
	{
		r->draining = false;
	}
	PG_END_TRY();
}

/* A query's waiting event goes through as a step of its own. */
static void
query_replay(void *arg, Deferred *d, TupleTableSlot *slot)
{
	Junction *in = d->q->input;
	uint64 save_event = in ? in->event : 0;

	/* numbered anew: a shared expression kept is another event's */
	if (in)
		in->event = ++in->events;
	query_step(d->q, (QueryStep) d->step, slot, d->ts, d->depth, d->kind,
			   d->end_chunk);
	if (in)
		in->event = save_event;
}

void
reentry_drain_slow(QueryRuntime *owner)
{
	reentry_drain(&owner->reentry, query_replay, owner);
}
