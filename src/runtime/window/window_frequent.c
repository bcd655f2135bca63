/*-------------------------------------------------------------------------
 *
 * window_frequent.c
 *	  The frequent(n [, attr..]) and lossyFrequent(s [, e [, attr..]])
 *	  windows: the events of the most frequent keys.
 *
 * A key is the text of the given attributes, or of every attribute of the
 * input stream when none are given.  Both windows keep the latest event
 * of each key they count; an arrival of a counted key replaces its event
 * without expiring the one it replaces (as Siddhi does).
 *
 * frequent(n) is the Misra-Gries summary with n counters.  An arrival of a
 * counted key adds one to its counter and goes out as current.  A new key
 * takes a free counter and goes out; when all n are taken, every counter
 * loses one, the keys that reach zero expire (stamped with the arrival's
 * time, in the iteration order of Siddhi's ConcurrentHashMap, mirrored by
 * JavaTable in window_java.c) and, if any did, the new key takes a
 * counter and goes out, else it is dropped.  Any key occurring in more
 * than N/(n+1) of N events is kept.
 *
 * lossyFrequent(s, e) is Manku and Motwani's lossy counting, over buckets
 * of w = ceil(1/e) events.  A new key starts with count 1 and the current
 * bucket's id minus one as its possible undercount; an arrival goes out as
 * current when its key's count is at least (s - e) * N; at the end of
 * every bucket the keys with count + undercount <= the bucket's id are
 * expired (stamped with the arrival's time, in Siddhi's order) after the
 * arrival's chunk ends, so an aggregate sees the arrival alone first.  The
 * count of a key is never more than e * N under its true count.  e
 * defaults to s / 10.
 *
 * Memory: frequent keeps at most n events and counters; lossyFrequent at
 * most (1/e) * log(e * N) keys after N events (one event per key).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "utils/memutils.h"
#include "window_int.h"

typedef struct FrequentEntry
{
	WindowKey key;
	MinimalTuple tuple; /* the latest event of the key */
	int64 timestamp;
	int64 count;
	int64 bucket;	 /* lossy: the undercount bound (Siddhi's bucketId) */
	JavaNode *jnode; /* the key's place in Siddhi's countMap */
} FrequentEntry;

typedef struct FrequentWindow
{
	SiddhiWindow base;
	bool lossy;
	int64 counters; /* frequent: n */
	double support;
	double error;
	double width;		   /* lossy: events per bucket, ceil(1/e) */
	int64 total;		   /* lossy: events seen */
	double current_bucket; /* lossy: ceil(total / width) */
	Oid *key_types;
	int nkeys;
	WindowKeyMap *map;
	JavaTable *jtable;
} FrequentWindow;

static SiddhiWindow *
frequent_create(const SiddhiWindowPlan *plan, MemoryContext cxt)
{
	FrequentWindow *w = MemoryContextAllocZero(cxt, sizeof(FrequentWindow));
	ListCell *lc;
	int k = 0;

	w->base.cxt = cxt;
	w->lossy = plan->kind == SIDDHI_WINDOW_LOSSY_FREQUENT;
	w->counters = plan->length;
	w->support = plan->support;
	w->error = plan->error;
	if (w->lossy)
		w->width = ceil(1 / w->error);
	w->current_bucket = 1;
	w->nkeys = list_length(plan->key_types);
	w->key_types = MemoryContextAlloc(cxt, sizeof(Oid) * Max(w->nkeys, 1));
	foreach(lc, plan->key_types)
		w->key_types[k++] = lfirst_oid(lc);
	w->map = window_keymap_create(cxt, sizeof(FrequentEntry), "frequent");
	w->jtable = java_table_create(true, cxt);
	return &w->base;
}

/* The counted keys in Siddhi's order; palloc'd, jtable->size of them. */
static FrequentEntry **
frequent_keys(FrequentWindow *w)
{
	FrequentEntry **items =
		palloc(sizeof(FrequentEntry *) * Max(w->jtable->size, 1));

	java_table_items(w->jtable, (void **) items);
	return items;
}

/* Expire a key's event, stamped ts, and forget the key. */
static void
frequent_expire(FrequentWindow *w, FrequentEntry *e, int64 ts,
				SiddhiEventFn fn, void *arg)
{
	MinimalTuple tuple = e->tuple;

	java_table_remove(w->jtable, e->jnode);
	window_keymap_remove(w->map, e);
	fn(arg, SIDDHI_EVENT_EXPIRED, tuple, ts);
	pfree(tuple);
}

static FrequentEntry *
frequent_enter(FrequentWindow *w, const SiddhiWindowEvent *ev)
{
	FrequentEntry *e = window_keymap_find(w->map, ev, true, NULL);

	e->tuple = siddhi_window_keep(&w->base, ev->tuple);
	e->timestamp = ev->timestamp;
	e->jnode = java_table_insert(
		w->jtable,
		java_concat_hash(ev->values, ev->isnull, w->key_types, w->nkeys), e);
	return e;
}

static void
frequent_replace(FrequentWindow *w, FrequentEntry *e,
				 const SiddhiWindowEvent *ev)
{
	pfree(e->tuple);
	e->tuple = siddhi_window_keep(&w->base, ev->tuple);
	e->timestamp = ev->timestamp;
}

static void
misra_gries_add(FrequentWindow *w, const SiddhiWindowEvent *ev,
				SiddhiEventFn fn, void *arg)
{
	FrequentEntry *e = window_keymap_find(w->map, ev, false, NULL);
	bool freed = false;

	if (e)
	{
		frequent_replace(w, e, ev);
		e->count++;
		fn(arg, SIDDHI_EVENT_CURRENT, e->tuple, ev->timestamp);
		return;
	}
	if (w->jtable->size >= w->counters)
	{
		FrequentEntry **items = frequent_keys(w);
		int64 n = w->jtable->size;

		for (int64 i = 0; i < n; i++)
			if (--items[i]->count == 0)
			{
				frequent_expire(w, items[i], WINDOW_EVENT_NOW(ev), fn, arg);
				freed = true;
			}
		pfree(items);
		if (!freed)
			return;
	}
	e = frequent_enter(w, ev);
	e->count = 1;
	fn(arg, SIDDHI_EVENT_CURRENT, e->tuple, ev->timestamp);
}

static void
lossy_add(FrequentWindow *w, const SiddhiWindowEvent *ev, SiddhiEventFn fn,
		  void *arg)
{
	FrequentEntry *e = window_keymap_find(w->map, ev, false, NULL);

	w->total++;
	if (w->total != 1)
		w->current_bucket = ceil(w->total / w->width);
	if (e)
	{
		frequent_replace(w, e, ev);
		e->count++;
	}
	else
	{
		e = frequent_enter(w, ev);
		e->count = 1;
		e->bucket = (int64) w->current_bucket - 1;
	}
	if ((double) e->count >= (w->support - w->error) * (double) w->total)
		fn(arg, SIDDHI_EVENT_CURRENT, e->tuple, ev->timestamp);
	if (fmod((double) w->total, w->width) == 0)
	{
		FrequentEntry **items = frequent_keys(w);
		int64 n = w->jtable->size;

		/*
		 * Siddhi's selector outputs the arrival before it sees the
		 * expiries that follow it in the chunk: end the chunk here.
		 */
		fn(arg, SIDDHI_EVENT_CHUNK_END, NULL, ev->timestamp);

		for (int64 i = 0; i < n; i++)
			if ((double) (items[i]->count + items[i]->bucket) <=
				w->current_bucket)
				frequent_expire(w, items[i], WINDOW_EVENT_NOW(ev), fn, arg);
		pfree(items);
	}
}

static void
frequent_add(SiddhiWindow *base, const SiddhiWindowEvent *ev, SiddhiEventFn fn,
			 void *arg)
{
	FrequentWindow *w = (FrequentWindow *) base;

	if (w->lossy)
		lossy_add(w, ev, fn, arg);
	else
		misra_gries_add(w, ev, fn, arg);
}

static void
frequent_scan(SiddhiWindow *base, SiddhiEventFn fn, void *arg)
{
	FrequentWindow *w = (FrequentWindow *) base;
	FrequentEntry **items = frequent_keys(w);
	int64 n = w->jtable->size;

	for (int64 i = 0; i < n; i++)
		fn(arg, SIDDHI_EVENT_CURRENT, items[i]->tuple, items[i]->timestamp);
	pfree(items);
}

static int64
frequent_size(SiddhiWindow *base)
{
	return ((FrequentWindow *) base)->jtable->size;
}

/*
 * Saved: lossy counting's event count and bucket, the shape of the
 * ConcurrentHashMap mirror, then each key in its iteration order (which is
 * the order expiries come out in): its node's hash, its text, its latest
 * event and time, its count and its bucket.
 */
static void
frequent_serialize(SiddhiWindow *base, StringInfo buf)
{
	FrequentWindow *w = (FrequentWindow *) base;
	FrequentEntry **items = frequent_keys(w);
	int64 n = w->jtable->size;

	siddhi_state_put_int64(buf, w->total);
	siddhi_state_put_double(buf, w->current_bucket);
	java_table_put_shape(buf, w->jtable);
	siddhi_state_put_int64(buf, n);
	for (int64 i = 0; i < n; i++)
	{
		FrequentEntry *e = items[i];

		siddhi_state_put_int32(buf, (int32) e->jnode->hash);
		siddhi_state_put_bytes(buf, e->key.data, e->key.len);
		siddhi_state_put_int64(buf, e->timestamp);
		siddhi_state_put_tuple(buf, e->tuple);
		siddhi_state_put_int64(buf, e->count);
		siddhi_state_put_int64(buf, e->bucket);
	}
	pfree(items);
}

static void
frequent_restore(SiddhiWindow *base, SiddhiStateReader *r)
{
	FrequentWindow *w = (FrequentWindow *) base;
	int64 n;

	w->total = siddhi_state_get_int64(r);
	w->current_bucket = siddhi_state_get_double(r);
	java_table_get_shape(w->jtable, r);
	n = siddhi_state_get_count(r, 3 * sizeof(int32) + 3 * sizeof(int64));
	if (!w->lossy && n > w->counters)
		siddhi_state_corrupt(r, "A window counts more keys than it may");
	for (int64 i = 0; i < n; i++)
	{
		uint32 hash = (uint32) siddhi_state_get_int32(r);
		SiddhiWindowEvent ev = { 0 };
		FrequentEntry *e;
		bool found;

		ev.key = siddhi_state_get_bytes(r, &ev.keylen);
		e = window_keymap_find(w->map, &ev, true, &found);
		if (found)
			siddhi_state_corrupt(r, "A key is there twice");
		e->jnode = java_table_append(w->jtable, hash, e, r);
		e->timestamp = siddhi_state_get_int64(r);
		e->tuple = siddhi_state_get_tuple(r, base->cxt);
		e->count = siddhi_state_get_int64(r);
		e->bucket = siddhi_state_get_int64(r);
	}
}

const SiddhiWindowOps siddhi_frequent_window_ops = {
	.create = frequent_create,
	.add = frequent_add,
	.scan = frequent_scan,
	.size = frequent_size,
	.serialize = frequent_serialize,
	.restore = frequent_restore,
};
const SiddhiWindowOps siddhi_lossy_frequent_window_ops = {
	.create = frequent_create,
	.add = frequent_add,
	.scan = frequent_scan,
	.size = frequent_size,
	.serialize = frequent_serialize,
	.restore = frequent_restore,
};
