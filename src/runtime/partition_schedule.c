/*-------------------------------------------------------------------------
 *
 * partition_schedule.c
 *	  Which keys of a partition have time due: a heap of the keys by the
 *	  earliest deadline of their windows and patterns.
 *
 * Time passing for a partition (partition_advance) and the engine's next
 * wake-up (partition_deadline) must find the keys whose windows or
 * patterns have something due.  Looking at every key made each of them
 * cost as many steps as there are keys: in playback, where each event
 * moves the clock, every event visited all 100,000 keys of a partition.
 *
 * Instead, each key sits in a pairing heap by its earliest deadline (not
 * at all when it has none: a length window, a pattern without within).
 * A key's deadlines change only when it is stepped, which always goes
 * through partition_enter, or restored: both put it on the partition's
 * dirty list (partition_schedule_mark, an inline in runtime_int.h), and
 * the next look at the schedule first recomputes the deadlines of those
 * keys alone.  partition_schedule_due hands out the keys due by a time in
 * the order they were made, as the scan of every key did.
 *
 * Not for partitions with a rate limiter: a limiter may start its first
 * period when time first passes, with no deadline before, so those keep
 * looking at every key (query_partition.c).
 *
 * Memory: a heap node, a deadline and a list node per key, in the key's
 * instance.
 *
 *-------------------------------------------------------------------------
 */
#include "runtime_int.h"

/* the heap's first is the earliest deadline */
static int
due_cmp(const pairingheap_node *a, const pairingheap_node *b, void *arg)
{
	const SiddhiPartInstance *x =
		pairingheap_const_container(SiddhiPartInstance, due_node, a);
	const SiddhiPartInstance *y =
		pairingheap_const_container(SiddhiPartInstance, due_node, b);

	return x->due < y->due ? 1 : (x->due > y->due ? -1 : 0);
}

/* Once the partition's queries are known: a heap, unless a limiter. */
void
partition_schedule_init(AppPartition *ap)
{
	ListCell *lc;
	MemoryContext old;

	dlist_init(&ap->dirty);
	ap->schedule = NULL;
	if (!ap->timed)
		return;
	foreach(lc, ap->queries)
	{
		QueryRuntime *q = lfirst(lc);

		if (q->plan && q->plan->rate_kind != SIDDHI_RATE_NONE)
			return;
	}
	old = MemoryContextSwitchTo(ap->app->cxt);
	ap->schedule = pairingheap_allocate(due_cmp, NULL);
	MemoryContextSwitchTo(old);
}

/*
 * The earliest due time of one key's windows, limiters and patterns, -1
 * for none; all (may be NULL) gets a hash of all of them.
 */
int64
partition_key_deadline(AppPartition *ap, SiddhiPartInstance *inst, uint64 *all)
{
	int64 next = -1;
	uint64 h = 0;
	ListCell *lc;

	foreach(lc, ap->queries)
	{
		QueryRuntime *q = lfirst(lc);
		QueryKeyState *ks = inst->states[q->part_index];

		for (int i = 0; i < QOP_COUNT; i++)
		{
			SiddhiOperator *op = &q->opers[i];
			int64 due;

			if (op->ops == NULL || op->ops->deadline == NULL)
				continue;
			due = ks->states[i] ? op->ops->deadline(op, ks->states[i]) : -1;
			if (due >= 0 && (next < 0 || due < next))
				next = due;
			h = h * 0x100000001b3ULL ^ (uint64) due;
		}
	}
	if (all)
		*all = h;
	return next;
}

/* Out of the heap, if it is there. */
static void
unschedule(AppPartition *ap, SiddhiPartInstance *inst)
{
	if (inst->due >= 0)
		pairingheap_remove(ap->schedule, &inst->due_node);
	inst->due = -1;
}

/* The keys stepped since the last look: where their deadlines are now. */
static void
refresh(AppPartition *ap)
{
	while (!dlist_is_empty(&ap->dirty))
	{
		SiddhiPartInstance *inst = dlist_container(
			SiddhiPartInstance, dirty_node, dlist_pop_head_node(&ap->dirty));
		int64 due = partition_key_deadline(ap, inst, NULL);

		inst->dirty = false;
		unschedule(ap, inst);
		inst->due = due;
		if (due >= 0)
			pairingheap_add(ap->schedule, &inst->due_node);
	}
}

/* A key goes (@purge): out of the heap and the list. */
void
partition_schedule_forget(AppPartition *ap, SiddhiPartInstance *inst)
{
	if (ap->schedule == NULL)
		return;
	if (inst->dirty)
		dlist_delete(&inst->dirty_node);
	inst->dirty = false;
	unschedule(ap, inst);
}

/* Every key goes at once (siddhi_partition_clear). */
void
partition_schedule_reset(AppPartition *ap)
{
	if (ap->schedule == NULL)
		return;
	pairingheap_reset(ap->schedule);
	dlist_init(&ap->dirty);
}

/* The earliest deadline of any key, or -1. */
int64
partition_schedule_next(AppPartition *ap)
{
	refresh(ap);
	if (pairingheap_is_empty(ap->schedule))
		return -1;
	return pairingheap_container(SiddhiPartInstance, due_node,
								 pairingheap_first(ap->schedule))
		->due;
}

static int
seq_cmp(const void *a, const void *b)
{
	int64 x = (*(SiddhiPartInstance *const *) a)->seq;
	int64 y = (*(SiddhiPartInstance *const *) b)->seq;

	return x < y ? -1 : (x > y ? 1 : 0);
}

/*
 * The keys with something due by now, taken out of the heap (the step
 * that follows marks each, and the next look puts it back where its new
 * deadline says), in the order they were made; *keys is palloc'd.
 */
int
partition_schedule_due(AppPartition *ap, int64 now, SiddhiPartInstance ***keys)
{
	int n = 0;
	int cap = 16;

	refresh(ap);
	*keys = palloc(sizeof(SiddhiPartInstance *) * cap);
	while (!pairingheap_is_empty(ap->schedule))
	{
		SiddhiPartInstance *inst = pairingheap_container(
			SiddhiPartInstance, due_node, pairingheap_first(ap->schedule));

		if (inst->due > now)
			break;
		unschedule(ap, inst);
		/* looked at again after its step, whatever the step does */
		partition_schedule_mark(ap, inst);
		if (n == cap)
		{
			cap *= 2;
			*keys = repalloc(*keys, sizeof(SiddhiPartInstance *) * cap);
		}
		(*keys)[n++] = inst;
	}
	if (n > 1)
		qsort(*keys, n, sizeof(SiddhiPartInstance *), seq_cmp);
	return n;
}
