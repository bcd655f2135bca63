/*-------------------------------------------------------------------------
 *
 * window_index.c
 *	  A window's events hashed by a join's equality key, so that an
 *	  arrival on the other side of the join reads only the candidates.
 *
 * The analyzer (analyze_join.c) sets plan->index_attno when a join has a
 * conjunct `a.x == b.y` over two plain attributes whose operator belongs
 * to a hash opfamily under a deterministic collation, and the window is
 * probed by the other side.  The index follows what the window hands out,
 * not how it stores it: the window contract (window.h) is that its
 * contents (scan) are the events it emitted as current and has not yet
 * emitted as expired, and that an expiry carries the tuple pointer the
 * event went out with.  So siddhi_window_add/advance/input_end route the
 * window's callback through index_emit, which enters each current event
 * (before passing it on: the window holds it already) and removes each
 * expired one (after passing it on: the window drops it only then).
 *
 * Only the windows whose contents are first in, first out are indexed
 * (length, time, timeLength, externalTime): there an expiry is always the
 * oldest event held, so removal is O(1) and every bucket's chain stays in
 * window order.  A probe walks the chain of the arrival's hash and hands
 * out the events of that hash, oldest first: the order scan would give
 * them in, minus events whose key cannot equal the arrival's.  The join
 * still checks its whole condition on each (a hash collision, or the
 * rest of `on`), and a NULL key is held but never handed out (the
 * operator is strict, so it matches nothing).
 *
 * Safety net: an expiry that is not the oldest indexed event, or an index
 * count that differs from the window's size, marks the index broken for
 * good and the join scans as before.
 *
 * Memory: one node (48 bytes) per held event, recycled through a free
 * list, and a 16-byte bucket head per one to two events at the most held
 * so far (16 at least; they double while more than two events share a
 * bucket on average, and do not shrink): bounded by the window's own
 * bound (length n: n events; time t: the events of the last t).  All in
 * the window's context, freed with it.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "executor/tuptable.h"
#include "fmgr.h"
#include "siddhi/key_hash.h"
#include "siddhi/window.h"
#include "window_int.h"

typedef struct IndexNode
{
	MinimalTuple tuple; /* the window's, as emitted */
	int64 timestamp;
	uint32 hash;
	bool isnull;
	struct IndexNode *next;	 /* same bucket, newer */
	struct IndexNode *newer; /* window order; the free list */
} IndexNode;

typedef struct IndexBucket
{
	IndexNode *head; /* oldest */
	IndexNode *tail;
} IndexBucket;

struct WindowIndex
{
	AttrNumber attno;
	SiddhiKeyHash hash;
	TupleTableSlot *slot; /* to read the key; made at the first add */
	IndexBucket *buckets;
	uint32 nbuckets; /* a power of two */
	IndexNode *oldest;
	IndexNode *newest;
	int64 count;
	IndexNode *free;
	bool broken;
};

/* The window's callback and argument, wrapped by index_emit. */
typedef struct IndexEmit
{
	SiddhiWindow *w;
	SiddhiEventFn fn;
	void *arg;
} IndexEmit;

static uint32
buckets_for(int64 n)
{
	uint32 nb = 16;

	while (nb < n && nb < (1U << 30))
		nb <<= 1;
	return nb;
}

static IndexBucket *
bucket_array(SiddhiWindow *w, uint32 n)
{
	return MemoryContextAllocExtended(w->cxt, sizeof(IndexBucket) * (Size) n,
									  MCXT_ALLOC_HUGE | MCXT_ALLOC_ZERO);
}

/* Whether this kind of window can keep an index (see the banner). */
static bool
kind_indexable(SiddhiWindowKind kind)
{
	return kind == SIDDHI_WINDOW_LENGTH || kind == SIDDHI_WINDOW_TIME ||
		   kind == SIDDHI_WINDOW_TIME_LENGTH ||
		   kind == SIDDHI_WINDOW_EXTERNAL_TIME;
}

void
window_index_create(SiddhiWindow *w, const SiddhiWindowPlan *plan)
{
	WindowIndex *ix;

	if (plan->index_attno <= 0 || !OidIsValid(plan->index_hash) ||
		!kind_indexable(plan->kind))
		return;
	ix = MemoryContextAllocZero(w->cxt, sizeof(WindowIndex));
	ix->attno = plan->index_attno;
	siddhi_key_hash_init(&ix->hash, plan->index_hash, plan->index_collation,
						 w->cxt);
	/* a large length(n) starts smaller and grows as it fills */
	ix->nbuckets = buckets_for(
		plan->kind == SIDDHI_WINDOW_LENGTH ? Min(plan->length, 4096) : 64);
	ix->buckets = bucket_array(w, ix->nbuckets);
	w->index = ix;
}

/* Chain node at the tail of its bucket. */
static void
bucket_append(WindowIndex *ix, IndexNode *node)
{
	IndexBucket *b = &ix->buckets[node->hash & (ix->nbuckets - 1)];

	node->next = NULL;
	if (b->tail)
		b->tail->next = node;
	else
		b->head = node;
	b->tail = node;
}

/* More buckets, refilled in window order so each chain keeps it. */
static void
index_grow(SiddhiWindow *w, WindowIndex *ix)
{
	if (ix->nbuckets >= (1U << 30))
		return;
	pfree(ix->buckets);
	ix->nbuckets <<= 1;
	ix->buckets = bucket_array(w, ix->nbuckets);
	for (IndexNode *n = ix->oldest; n; n = n->newer)
		if (!n->isnull)
			bucket_append(ix, n);
}

static void
index_insert(SiddhiWindow *w, WindowIndex *ix, MinimalTuple tuple, int64 ts)
{
	IndexNode *node;
	HeapTupleData htup;
	Datum key;

	if (ix->slot == NULL)
	{
		ix->broken = true; /* no event desc yet: cannot read the key */
		return;
	}
	if (ix->free)
	{
		node = ix->free;
		ix->free = node->newer;
	}
	else
		node = MemoryContextAlloc(w->cxt, sizeof(IndexNode));
	node->tuple = tuple;
	node->timestamp = ts;
	/* the key read straight from the tuple (no slot to store and clear):
	 * heap_getattr takes a cached offset where the attributes before it
	 * are fixed-length and not null */
	htup.t_len = tuple->t_len + MINIMAL_TUPLE_OFFSET;
	htup.t_data = (HeapTupleHeader) ((char *) tuple - MINIMAL_TUPLE_OFFSET);
	key = heap_getattr(&htup, ix->attno, ix->slot->tts_tupleDescriptor,
					   &node->isnull);
	node->hash = node->isnull ? 0 : siddhi_key_hash(&ix->hash, key);
	node->newer = NULL;
	if (ix->newest)
		ix->newest->newer = node;
	else
		ix->oldest = node;
	ix->newest = node;
	ix->count++;
	if (!node->isnull)
		bucket_append(ix, node);
	if (ix->count > 2 * (int64) ix->nbuckets)
		index_grow(w, ix);
}

static void
index_remove(WindowIndex *ix, MinimalTuple tuple)
{
	IndexNode *node = ix->oldest;

	if (node == NULL || node->tuple != tuple)
	{
		ix->broken = true; /* not first in, first out after all */
		return;
	}
	if (!node->isnull)
	{
		IndexBucket *b = &ix->buckets[node->hash & (ix->nbuckets - 1)];

		/* the oldest event is the oldest of its bucket too */
		Assert(b->head == node);
		b->head = node->next;
		if (b->head == NULL)
			b->tail = NULL;
	}
	ix->oldest = node->newer;
	if (ix->oldest == NULL)
		ix->newest = NULL;
	ix->count--;
	node->newer = ix->free;
	ix->free = node;
}

/* The window's callback, through the index (see the banner). */
static void
index_emit(void *arg, SiddhiEventKind kind, MinimalTuple tuple, int64 ts)
{
	IndexEmit *ie = arg;
	WindowIndex *ix = ie->w->index;

	if (kind == SIDDHI_EVENT_CURRENT && !ix->broken)
		index_insert(ie->w, ix, tuple, ts);
	ie->fn(ie->arg, kind, tuple, ts);
	if (kind == SIDDHI_EVENT_EXPIRED && !ix->broken)
		index_remove(ix, tuple);
}

void
window_index_add(SiddhiWindow *w, const SiddhiWindowEvent *ev,
				 SiddhiEventFn fn, void *arg)
{
	WindowIndex *ix = w->index;
	IndexEmit ie = { w, fn, arg };

	if (ix->slot == NULL)
	{
		MemoryContext old = MemoryContextSwitchTo(w->cxt);

		ix->slot = MakeSingleTupleTableSlot(CreateTupleDescCopy(ev->desc),
											&TTSOpsMinimalTuple);
		MemoryContextSwitchTo(old);
	}
	w->ops->add(w, ev, index_emit, &ie);
}

void
window_index_advance(SiddhiWindow *w, int64 now, SiddhiEventFn fn, void *arg)
{
	IndexEmit ie = { w, fn, arg };

	w->ops->advance(w, now, index_emit, &ie);
}

void
window_index_input_end(SiddhiWindow *w, int64 now, SiddhiEventFn fn, void *arg)
{
	IndexEmit ie = { w, fn, arg };

	w->ops->input_end(w, now, index_emit, &ie);
}

/* Enter each event a restored window holds, oldest first. */
static void
index_restored(void *arg, SiddhiEventKind kind, MinimalTuple tuple, int64 ts)
{
	SiddhiWindow *w = arg;

	if (!w->index->broken)
		index_insert(w, w->index, tuple, ts);
}

void
window_index_restore(SiddhiWindow *w, TupleDesc desc)
{
	WindowIndex *ix = w->index;

	if (ix->slot == NULL)
	{
		MemoryContext old = MemoryContextSwitchTo(w->cxt);

		ix->slot = MakeSingleTupleTableSlot(CreateTupleDescCopy(desc),
											&TTSOpsMinimalTuple);
		MemoryContextSwitchTo(old);
	}
	w->ops->scan(w, index_restored, w);
}

bool
siddhi_window_newest_hash(SiddhiWindow *w, MinimalTuple t, AttrNumber attno,
						  const SiddhiKeyHash *kh, uint32 *hash)
{
	WindowIndex *ix = w ? w->index : NULL;

	if (ix == NULL || ix->broken || ix->newest == NULL ||
		ix->newest->tuple != t || ix->newest->isnull || ix->attno != attno ||
		ix->hash.bytes != kh->bytes || ix->hash.collation != kh->collation ||
		ix->hash.fn.fn_oid != kh->fn.fn_oid)
		return false;
	*hash = ix->newest->hash;
	return true;
}

bool
siddhi_window_probe(SiddhiWindow *w, uint32 hash, SiddhiEventFn fn, void *arg)
{
	WindowIndex *ix = w->index;

	if (ix == NULL || ix->broken || ix->count != w->ops->size(w))
		return false;
	for (IndexNode *n = ix->buckets[hash & (ix->nbuckets - 1)].head; n;
		 n = n->next)
		if (n->hash == hash)
			fn(arg, SIDDHI_EVENT_CURRENT, n->tuple, n->timestamp);
	return true;
}
