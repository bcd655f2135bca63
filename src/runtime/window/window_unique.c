/*-------------------------------------------------------------------------
 *
 * window_unique.c
 *	  The windows of Siddhi's unique extension (siddhi-execution-unique
 *	  5.0.5), and its #unique:deduplicate stream processor.
 *
 * Each keeps at most one event per value of its key (the key attributes'
 * text, SiddhiWindowEvent.key):
 *
 *	ever(key..)		the latest event of every key ever seen; an arrival
 *					expires the event it replaces (stamped with its time).
 *	first(key..)	the first event of every key; later ones are dropped;
 *					nothing expires.
 *	length(key, n)	the latest event of each of the last n distinct keys:
 *					a repeated key expires its earlier event, a new key
 *					when n are held expires the oldest.
 *	time(key, t)	the latest event of each key for t ms: a repeated key
 *					expires its earlier event; the clock expires an event
 *					t after it arrived (stamped with the clock).
 *	lengthBatch(key, n), firstLengthBatch(key, n)
 *					collect the latest (first) event of each key; with n
 *					keys the batch goes out: the previous batch expires,
 *					then the new one is emitted as current, every event of
 *					both stamped with the flushing arrival's time.
 *	timeBatch(key, t [, start]), firstTimeBatch(key, t [, start])
 *					the same, flushed every t ms from the first event (or
 *					from start + k*t) and stamped with the clock.
 *	timeLengthBatch(key, t, n [, start])
 *					flushed every t ms, or at once when n keys are held;
 *					after a flush by count, arrivals are dropped until the
 *					period ends, and that period's end does not flush.
 *	externalTimeBatch(key, time, t [, start [, timeout]])
 *					batches of t ms of the events' own time: an event at
 *					or past the batch's end flushes it (the previous batch
 *					expires, stamped with the latest event time seen; the
 *					current events keep their own timestamps) and starts
 *					the next; with a timeout, a batch with no arrival for
 *					that long (by the clock) is flushed early, and what
 *					arrives later in the same batch goes out again with it.
 *
 * Batches come out in Siddhi's order: lengthBatch, timeBatch and
 * timeLengthBatch in the iteration order of the java.util.HashMap Siddhi
 * collects them in (mirrored by JavaTable, window_java.c), the first*
 * variants the same over the key's String, externalTimeBatch in order of
 * each key's first arrival in the batch.
 *
 * Where Siddhi 5.0.5 misbehaves we do not follow it: its unique:length
 * never forgets a key and loses its place in the list it searches, so it
 * can expire one event twice and grows without bound; here a key that
 * has left the window is simply new again.  unique:ever and unique:time
 * behave as Siddhi's; Siddhi's unique:time also keeps every key it ever
 * saw, which changes nothing it emits, and we drop a key when its event
 * expires.
 *
 * Memory: ever and first keep one event per distinct key ever seen, at
 * most siddhi.max_groups keys (the event of a new key beyond that is
 * skipped and counted as an error, as for every unique window); length at most n events; time the events of
 * the last t ms, at most one per key; the batch windows at most two
 * batches (the one collecting and the one to expire), each at most one
 * event per key (lengthBatch at most 2n events); deduplicate one key per
 * event let through in the last interval.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "lib/ilist.h"
#include "siddhi/shmem.h"
#include "utils/memutils.h"
#include "window_int.h"
#include "siddhi/state.h"

typedef struct UniqueEntry
{
	WindowKey key; /* hash key: the event's key text */
	MinimalTuple tuple;
	int64 timestamp;
	dlist_node node; /* arrival order (ever, first, length, time, ext) */
	JavaNode *jnode; /* batches: the key's place in Java's HashMap */
	int64 saved;	 /* serialize: the entry's place in the saved order */
} UniqueEntry;

/* A batch that went out: kept to expire at the next flush. */
typedef struct UniqueBatch
{
	MinimalTuple *tuples;
	int64 *timestamps;
	int64 count;
	int64 capacity;
} UniqueBatch;

typedef struct UniqueWindow
{
	SiddhiWindow base;
	SiddhiWindowKind kind;
	int64 length; /* events (length*), or ms */
	int64 count;  /* timeLengthBatch: the events of a batch */
	int64 start;  /* start.time, or -1 */
	int64 timeout;
	bool first; /* firstLengthBatch, firstTimeBatch: keep the first */
	Oid *key_types;
	int nkeys;
	WindowKeyMap *map; /* key -> UniqueEntry */
	int64 nentries;
	dlist_head order;  /* UniqueEntry, oldest first */
	JavaTable *jtable; /* batches in Java's order */
	UniqueBatch previous;
	int64 next_flush;	/* timeBatch kinds: -1 before the first event */
	bool sent_by_count; /* timeLengthBatch: dropping until the period end */
	/* externalTimeBatch */
	int64 end_time; /* -1 before the first event */
	int64 batch_start;
	int64 last_event_time;
	int64 last_scheduled;  /* timeout: when to flush early, or -1 */
	bool flushed;		   /* the batch went out by timeout */
	WindowKeyMap *sentmap; /* key -> UniqueEntry: the events sent last */
	dlist_head sentorder;  /* in Siddhi's LinkedHashMap order */
	int64 sent_count;
} UniqueWindow;

#define keep(w, tuple) siddhi_window_keep(&(w)->base, (tuple))

static SiddhiWindow *
unique_create(const SiddhiWindowPlan *plan, MemoryContext cxt)
{
	UniqueWindow *w = MemoryContextAllocZero(cxt, sizeof(UniqueWindow));
	ListCell *lc;
	int k = 0;

	w->base.cxt = cxt;
	w->kind = plan->kind;
	w->length = plan->length;
	w->count = plan->count;
	w->start = plan->start;
	w->timeout = plan->timeout;
	w->first = plan->kind == SIDDHI_WINDOW_UNIQUE_FIRST_LENGTH_BATCH ||
			   plan->kind == SIDDHI_WINDOW_UNIQUE_FIRST_TIME_BATCH;
	w->nkeys = list_length(plan->key_types);
	w->key_types = MemoryContextAlloc(cxt, sizeof(Oid) * Max(w->nkeys, 1));
	foreach(lc, plan->key_types)
		w->key_types[k++] = lfirst_oid(lc);
	w->map = window_keymap_create(cxt, sizeof(UniqueEntry), "unique window");
	dlist_init(&w->order);
	if (plan->kind == SIDDHI_WINDOW_UNIQUE_EXTERNAL_TIME_BATCH)
		w->sentmap =
			window_keymap_create(cxt, sizeof(UniqueEntry), "unique sent");
	dlist_init(&w->sentorder);
	w->jtable = java_table_create(false, cxt);
	w->next_flush = -1;
	w->end_time = -1;
	w->last_scheduled = -1;
	return &w->base;
}

static void
batch_push(UniqueWindow *w, UniqueBatch *b, MinimalTuple tuple, int64 ts)
{
	if (b->count == b->capacity)
	{
		int64 cap = Max(16, b->capacity * 2);

		if (b->tuples == NULL)
		{
			b->tuples =
				MemoryContextAlloc(w->base.cxt, sizeof(MinimalTuple) * cap);
			b->timestamps =
				MemoryContextAlloc(w->base.cxt, sizeof(int64) * cap);
		}
		else
		{
			b->tuples = repalloc(b->tuples, sizeof(MinimalTuple) * cap);
			b->timestamps = repalloc(b->timestamps, sizeof(int64) * cap);
		}
		b->capacity = cap;
	}
	b->tuples[b->count] = tuple;
	b->timestamps[b->count] = ts;
	b->count++;
}

/* Forget an entry: its key, its place in the order, not its tuple. */
static void
entry_drop(UniqueWindow *w, UniqueEntry *e)
{
	dlist_delete(&e->node);
	window_keymap_remove(w->map, e);
	w->nentries--;
}

/* A new entry for the event's key, its tuple kept, at the end. */
static UniqueEntry *
entry_add(UniqueWindow *w, const SiddhiWindowEvent *ev)
{
	UniqueEntry *e;

	/* bounded memory, also for ever and first whose keys never leave */
	if (w->nentries >= siddhi_max_groups)
		ereport(ERROR,
				(errcode(ERRCODE_CONFIGURATION_LIMIT_EXCEEDED),
				 errmsg("window %s already holds %d keys, the most "
						"siddhi.max_groups allows",
						w->base.plan->name, siddhi_max_groups),
				 errdetail("The event of a new key is skipped."),
				 errhint("Use a window that lets keys go (unique:length, "
						 "unique:time, a batch), or raise "
						 "siddhi.max_groups.")));
	e = window_keymap_find(w->map, ev, true, NULL);
	e->tuple = keep(w, ev->tuple);
	e->timestamp = ev->timestamp;
	dlist_push_tail(&w->order, &e->node);
	w->nentries++;
	return e;
}

/* ever, length, time: a repeated key expires the event it replaces. */
static void
replace_add(UniqueWindow *w, const SiddhiWindowEvent *ev, SiddhiEventFn fn,
			void *arg)
{
	UniqueEntry *old = window_keymap_find(w->map, ev, false, NULL);
	UniqueEntry *e;

	if (old)
	{
		MinimalTuple tuple = old->tuple;

		entry_drop(w, old);
		fn(arg, SIDDHI_EVENT_EXPIRED, tuple, ev->timestamp);
		pfree(tuple);
	}
	else if (w->kind == SIDDHI_WINDOW_UNIQUE_LENGTH &&
			 w->nentries >= w->length)
	{
		UniqueEntry *oldest = dlist_head_element(UniqueEntry, node, &w->order);
		MinimalTuple tuple = oldest->tuple;

		entry_drop(w, oldest);
		fn(arg, SIDDHI_EVENT_EXPIRED, tuple, ev->timestamp);
		pfree(tuple);
	}
	e = entry_add(w, ev);
	fn(arg, SIDDHI_EVENT_CURRENT, e->tuple, ev->timestamp);
}

static void
first_add(UniqueWindow *w, const SiddhiWindowEvent *ev, SiddhiEventFn fn,
		  void *arg)
{
	UniqueEntry *e;

	if (window_keymap_find(w->map, ev, false, NULL))
		return;
	e = entry_add(w, ev);
	fn(arg, SIDDHI_EVENT_CURRENT, e->tuple, ev->timestamp);
}

/* time: the clock expires the events whose time + t it reached. */
static void
time_advance(UniqueWindow *w, int64 now, SiddhiEventFn fn, void *arg)
{
	bool any = false;

	while (!dlist_is_empty(&w->order))
	{
		UniqueEntry *e = dlist_head_element(UniqueEntry, node, &w->order);
		MinimalTuple tuple = e->tuple;

		if (e->timestamp + w->length > now)
			break;
		entry_drop(w, e);
		fn(arg, SIDDHI_EVENT_EXPIRED, tuple, now);
		pfree(tuple);
		any = true;
	}
	if (any)
		fn(arg, SIDDHI_EVENT_CHUNK_END, NULL, now);
}

/* Batches: the event joins the batch being collected. */
static void
batch_collect(UniqueWindow *w, const SiddhiWindowEvent *ev)
{
	bool found;
	UniqueEntry *e = window_keymap_find(w->map, ev, true, &found);

	if (found)
	{
		if (w->first)
			return;
		pfree(e->tuple);
		e->tuple = keep(w, ev->tuple);
		e->timestamp = ev->timestamp;
		return;
	}
	e->tuple = keep(w, ev->tuple);
	e->timestamp = ev->timestamp;
	dlist_push_tail(&w->order, &e->node);
	w->nentries++;
	e->jnode = java_table_insert(
		w->jtable,
		w->first
			? java_concat_hash(ev->values, ev->isnull, w->key_types, 1)
			: java_value_hash(ev->values[0], ev->isnull[0], w->key_types[0]),
		e);
}

/*
 * Batches: the previous batch expires and the collected one goes out, all
 * stamped now, in Java's HashMap order.  False when there was nothing.
 */
static bool
batch_flush(UniqueWindow *w, int64 now, SiddhiEventFn fn, void *arg)
{
	UniqueEntry **items;
	int64 n = w->nentries;
	bool any = w->previous.count > 0 || n > 0;

	for (int64 i = 0; i < w->previous.count; i++)
	{
		fn(arg, SIDDHI_EVENT_EXPIRED, w->previous.tuples[i], now);
		pfree(w->previous.tuples[i]);
	}
	w->previous.count = 0;
	if (n == 0)
		return any;
	items = palloc(sizeof(UniqueEntry *) * n);
	java_table_items(w->jtable, (void **) items);
	for (int64 i = 0; i < n; i++)
	{
		fn(arg, SIDDHI_EVENT_CURRENT, items[i]->tuple, now);
		batch_push(w, &w->previous, items[i]->tuple, now);
	}
	for (int64 i = 0; i < n; i++)
		entry_drop(w, items[i]);
	java_table_clear(w->jtable);
	pfree(items);
	return true;
}

/* timeBatch kinds: the first boundary after the first event. */
static void
batch_start_timer(UniqueWindow *w, int64 now)
{
	if (w->next_flush >= 0)
		return;
	if (w->start >= 0)
		w->next_flush = now + (w->length - (now - w->start) % w->length);
	else
		w->next_flush = now + w->length;
}

static void
time_batch_advance(UniqueWindow *w, int64 now, SiddhiEventFn fn, void *arg)
{
	while (w->next_flush >= 0 && now >= w->next_flush)
	{
		w->next_flush += w->length;
		if (w->sent_by_count)
		{
			/* the batch went out by count: this period end only resets */
			w->sent_by_count = false;
			continue;
		}
		if (batch_flush(w, now, fn, arg))
			fn(arg, SIDDHI_EVENT_CHUNK_END, NULL, now);
	}
}

/* externalTimeBatch: the entry of key in the sent map, new or not. */
static UniqueEntry *
ext_sent_entry(UniqueWindow *w, UniqueEntry *e, bool *found)
{
	SiddhiWindowEvent ev = { 0 };
	UniqueEntry *s;

	ev.key = e->key.data;
	ev.keylen = e->key.len;
	s = window_keymap_find(w->sentmap, &ev, true, found);
	if (!*found)
	{
		dlist_push_tail(&w->sentorder, &s->node);
		w->sent_count++;
	}
	return s;
}

/*
 * externalTimeBatch: emit the batch.  The events sent last expire,
 * stamped with the latest event time.  Then, without append, the
 * collected events go out as current with their own times and become the
 * sent ones.  With append (a batch already flushed by timeout), nothing
 * happens unless events were collected; then the collected events join
 * the sent ones (replacing those of their key, in place) and all of them
 * go out again as current.
 */
static bool
ext_flush(UniqueWindow *w, bool append, SiddhiEventFn fn, void *arg)
{
	dlist_mutable_iter it;
	bool any = false;

	if (append && w->nentries == 0)
		return false; /* Siddhi sends nothing, and keeps what it sent */
	dlist_foreach_modify(it, &w->sentorder)
	{
		UniqueEntry *s = dlist_container(UniqueEntry, node, it.cur);

		fn(arg, SIDDHI_EVENT_EXPIRED, s->tuple, w->last_event_time);
		any = true;
		if (!append)
		{
			pfree(s->tuple);
			dlist_delete(&s->node);
			window_keymap_remove(w->sentmap, s);
			w->sent_count--;
		}
	}
	dlist_foreach_modify(it, &w->order)
	{
		UniqueEntry *e = dlist_container(UniqueEntry, node, it.cur);
		bool found;
		UniqueEntry *s = ext_sent_entry(w, e, &found);

		if (found)
			pfree(s->tuple);
		s->tuple = e->tuple;
		s->timestamp = e->timestamp;
		if (!append)
			fn(arg, SIDDHI_EVENT_CURRENT, s->tuple, s->timestamp);
		entry_drop(w, e);
		any = true;
	}
	if (append)
	{
		dlist_iter si;

		dlist_foreach(si, &w->sentorder)
		{
			UniqueEntry *s = dlist_container(UniqueEntry, node, si.cur);

			fn(arg, SIDDHI_EVENT_CURRENT, s->tuple, s->timestamp);
		}
	}
	return any;
}

static void
ext_add(UniqueWindow *w, const SiddhiWindowEvent *ev, SiddhiEventFn fn,
		void *arg)
{
	int64 t = ev->ext;
	bool found;
	UniqueEntry *e;

	if (w->end_time < 0)
	{
		if (w->start >= 0)
		{
			w->batch_start = w->start;
			w->end_time = t + (w->length - (t - w->start) % w->length);
		}
		else
		{
			w->batch_start = t;
			w->end_time = t + w->length;
		}
		if (w->timeout > 0)
			w->last_scheduled = ev->timestamp + w->timeout;
	}
	if (w->last_event_time < t)
		w->last_event_time = t;
	if (t >= w->end_time)
	{
		ext_flush(w, w->flushed, fn, arg);
		w->flushed = false;
		w->end_time =
			w->last_event_time +
			(w->length - (w->last_event_time - w->batch_start) % w->length);
		if (w->timeout > 0)
			w->last_scheduled = ev->timestamp + w->timeout;
	}
	e = window_keymap_find(w->map, ev, true, &found);
	if (found)
		pfree(e->tuple);
	else
	{
		dlist_push_tail(&w->order, &e->node);
		w->nentries++;
	}
	e->tuple = keep(w, ev->tuple);
	e->timestamp = ev->timestamp;
}

/*
 * externalTimeBatch with a timeout: no event for that long flushes the
 * batch (once; later timeouts send what arrived since, with it).
 */
static void
ext_advance(UniqueWindow *w, int64 now, SiddhiEventFn fn, void *arg)
{
	bool any;

	if (w->last_scheduled < 0 || now < w->last_scheduled)
		return;
	if (!w->flushed)
	{
		any = ext_flush(w, false, fn, arg);
		w->flushed = true;
	}
	else
		any = ext_flush(w, true, fn, arg);
	if (any)
		fn(arg, SIDDHI_EVENT_CHUNK_END, NULL, now);
	w->last_scheduled = now + w->timeout;
}

static void
unique_add(SiddhiWindow *base, const SiddhiWindowEvent *ev, SiddhiEventFn fn,
		   void *arg)
{
	UniqueWindow *w = (UniqueWindow *) base;

	switch (w->kind)
	{
		case SIDDHI_WINDOW_UNIQUE_EVER:
		case SIDDHI_WINDOW_UNIQUE_LENGTH:
		case SIDDHI_WINDOW_UNIQUE_TIME:
			replace_add(w, ev, fn, arg);
			break;
		case SIDDHI_WINDOW_UNIQUE_FIRST:
			first_add(w, ev, fn, arg);
			break;
		case SIDDHI_WINDOW_UNIQUE_LENGTH_BATCH:
		case SIDDHI_WINDOW_UNIQUE_FIRST_LENGTH_BATCH:
			batch_collect(w, ev);
			if (w->nentries == w->length)
				batch_flush(w, ev->timestamp, fn, arg);
			break;
		case SIDDHI_WINDOW_UNIQUE_TIME_BATCH:
		case SIDDHI_WINDOW_UNIQUE_FIRST_TIME_BATCH:
			batch_start_timer(w, ev->timestamp);
			batch_collect(w, ev);
			break;
		case SIDDHI_WINDOW_UNIQUE_TIME_LENGTH_BATCH:
			batch_start_timer(w, ev->timestamp);
			if (w->sent_by_count)
				break;
			batch_collect(w, ev);
			if (w->nentries == w->count)
			{
				batch_flush(w, ev->timestamp, fn, arg);
				w->sent_by_count = true;
			}
			break;
		case SIDDHI_WINDOW_UNIQUE_EXTERNAL_TIME_BATCH:
			ext_add(w, ev, fn, arg);
			break;
		default:
			elog(ERROR, "window kind %d is not a unique window",
				 (int) w->kind);
	}
}

static void
unique_advance(SiddhiWindow *base, int64 now, SiddhiEventFn fn, void *arg)
{
	UniqueWindow *w = (UniqueWindow *) base;

	switch (w->kind)
	{
		case SIDDHI_WINDOW_UNIQUE_TIME:
			time_advance(w, now, fn, arg);
			break;
		case SIDDHI_WINDOW_UNIQUE_TIME_BATCH:
		case SIDDHI_WINDOW_UNIQUE_FIRST_TIME_BATCH:
		case SIDDHI_WINDOW_UNIQUE_TIME_LENGTH_BATCH:
			time_batch_advance(w, now, fn, arg);
			break;
		case SIDDHI_WINDOW_UNIQUE_EXTERNAL_TIME_BATCH:
			ext_advance(w, now, fn, arg);
			break;
		default:
			break;
	}
}

static int64
unique_deadline(SiddhiWindow *base)
{
	UniqueWindow *w = (UniqueWindow *) base;

	switch (w->kind)
	{
		case SIDDHI_WINDOW_UNIQUE_TIME:
			if (dlist_is_empty(&w->order))
				return -1;
			return dlist_head_element(UniqueEntry, node, &w->order)
					   ->timestamp +
				   w->length;
		case SIDDHI_WINDOW_UNIQUE_TIME_BATCH:
		case SIDDHI_WINDOW_UNIQUE_FIRST_TIME_BATCH:
		case SIDDHI_WINDOW_UNIQUE_TIME_LENGTH_BATCH:
			return w->next_flush;
		case SIDDHI_WINDOW_UNIQUE_EXTERNAL_TIME_BATCH:
			return w->last_scheduled;
		default:
			return -1;
	}
}

/* The events the window emitted as current and has not expired. */
static void
unique_scan(SiddhiWindow *base, SiddhiEventFn fn, void *arg)
{
	UniqueWindow *w = (UniqueWindow *) base;
	dlist_iter it;

	switch (w->kind)
	{
		case SIDDHI_WINDOW_UNIQUE_EVER:
		case SIDDHI_WINDOW_UNIQUE_FIRST:
		case SIDDHI_WINDOW_UNIQUE_LENGTH:
		case SIDDHI_WINDOW_UNIQUE_TIME:
			dlist_foreach(it, &w->order)
			{
				UniqueEntry *e = dlist_container(UniqueEntry, node, it.cur);

				fn(arg, SIDDHI_EVENT_CURRENT, e->tuple, e->timestamp);
			}
			break;
		case SIDDHI_WINDOW_UNIQUE_EXTERNAL_TIME_BATCH:
			dlist_foreach(it, &w->sentorder)
			{
				UniqueEntry *e = dlist_container(UniqueEntry, node, it.cur);

				fn(arg, SIDDHI_EVENT_CURRENT, e->tuple, e->timestamp);
			}
			break;
		default:
			for (int64 i = 0; i < w->previous.count; i++)
				fn(arg, SIDDHI_EVENT_CURRENT, w->previous.tuples[i],
				   w->previous.timestamps[i]);
			break;
	}
}

static int64
unique_size(SiddhiWindow *base)
{
	UniqueWindow *w = (UniqueWindow *) base;

	return w->nentries + w->previous.count + w->sent_count;
}

/*
 * Epochs.  Saved: the times and flags of the batch kinds, the shape of the
 * HashMap mirror, the entries in arrival order (the key's text, its event
 * and time, and its node's hash in the mirror), the mirror's iteration
 * order as places in that list, the batch to expire, and
 * externalTimeBatch's events sent last in their order.
 */
static void
put_entry(StringInfo buf, UniqueEntry *e)
{
	siddhi_state_put_bytes(buf, e->key.data, e->key.len);
	siddhi_state_put_int64(buf, e->timestamp);
	siddhi_state_put_tuple(buf, e->tuple);
}

#define UNIQUE_ENTRY_SAVED_MIN (2 * (int) sizeof(int32) + (int) sizeof(int64))

/* An entry read back into map (its tuple in the window's context). */
static UniqueEntry *
get_entry(UniqueWindow *w, SiddhiStateReader *r, WindowKeyMap *map,
		  dlist_head *order)
{
	SiddhiWindowEvent ev = { 0 };
	UniqueEntry *e;
	bool found;

	ev.key = siddhi_state_get_bytes(r, &ev.keylen);
	e = window_keymap_find(map, &ev, true, &found);
	if (found)
		siddhi_state_corrupt(r, "A key is there twice");
	dlist_push_tail(order, &e->node);
	e->timestamp = siddhi_state_get_int64(r);
	e->tuple = siddhi_state_get_tuple(r, w->base.cxt);
	return e;
}

/* Whether the kind collects its batch in the HashMap mirror. */
static bool
unique_uses_jtable(UniqueWindow *w)
{
	return w->kind == SIDDHI_WINDOW_UNIQUE_LENGTH_BATCH ||
		   w->kind == SIDDHI_WINDOW_UNIQUE_FIRST_LENGTH_BATCH ||
		   w->kind == SIDDHI_WINDOW_UNIQUE_TIME_BATCH ||
		   w->kind == SIDDHI_WINDOW_UNIQUE_FIRST_TIME_BATCH ||
		   w->kind == SIDDHI_WINDOW_UNIQUE_TIME_LENGTH_BATCH;
}

/* The most entries the kind can hold between two events. */
static int64
unique_max_entries(UniqueWindow *w)
{
	switch (w->kind)
	{
		case SIDDHI_WINDOW_UNIQUE_LENGTH:
			return w->length;
		case SIDDHI_WINDOW_UNIQUE_LENGTH_BATCH:
		case SIDDHI_WINDOW_UNIQUE_FIRST_LENGTH_BATCH:
			return w->length - 1; /* the n-th key flushes */
		case SIDDHI_WINDOW_UNIQUE_TIME_LENGTH_BATCH:
			return w->count - 1;
		default:
			return PG_INT64_MAX;
	}
}

static void
unique_serialize(SiddhiWindow *base, StringInfo buf)
{
	UniqueWindow *w = (UniqueWindow *) base;
	dlist_iter it;
	int64 i = 0;

	siddhi_state_put_int64(buf, w->next_flush);
	siddhi_state_put_bool(buf, w->sent_by_count);
	siddhi_state_put_int64(buf, w->end_time);
	siddhi_state_put_int64(buf, w->batch_start);
	siddhi_state_put_int64(buf, w->last_event_time);
	siddhi_state_put_int64(buf, w->last_scheduled);
	siddhi_state_put_bool(buf, w->flushed);
	java_table_put_shape(buf, w->jtable);
	siddhi_state_put_int64(buf, w->nentries);
	dlist_foreach(it, &w->order)
	{
		UniqueEntry *e = dlist_container(UniqueEntry, node, it.cur);

		put_entry(buf, e);
		siddhi_state_put_int32(buf, e->jnode ? (int32) e->jnode->hash : 0);
		e->saved = i++;
	}
	siddhi_state_put_int64(buf, w->jtable->size);
	if (w->jtable->size > 0)
	{
		UniqueEntry **items = palloc(sizeof(UniqueEntry *) * w->jtable->size);

		java_table_items(w->jtable, (void **) items);
		for (int64 j = 0; j < w->jtable->size; j++)
			siddhi_state_put_int64(buf, items[j]->saved);
		pfree(items);
	}
	siddhi_state_put_int64(buf, w->previous.count);
	for (int64 j = 0; j < w->previous.count; j++)
	{
		siddhi_state_put_int64(buf, w->previous.timestamps[j]);
		siddhi_state_put_tuple(buf, w->previous.tuples[j]);
	}
	siddhi_state_put_int64(buf, w->sent_count);
	dlist_foreach(it, &w->sentorder)
		put_entry(buf, dlist_container(UniqueEntry, node, it.cur));
}

static void
unique_restore(SiddhiWindow *base, SiddhiStateReader *r)
{
	UniqueWindow *w = (UniqueWindow *) base;
	UniqueEntry **entries;
	uint32 *hashes;
	int64 n;
	int64 m;

	Assert(w->nentries == 0 && w->previous.count == 0 && w->sent_count == 0);
	w->next_flush = siddhi_state_get_int64(r);
	w->sent_by_count = siddhi_state_get_bool(r);
	w->end_time = siddhi_state_get_int64(r);
	w->batch_start = siddhi_state_get_int64(r);
	w->last_event_time = siddhi_state_get_int64(r);
	w->last_scheduled = siddhi_state_get_int64(r);
	w->flushed = siddhi_state_get_bool(r);
	java_table_get_shape(w->jtable, r);
	n = siddhi_state_get_count(r, UNIQUE_ENTRY_SAVED_MIN + sizeof(int32));
	entries = palloc(sizeof(UniqueEntry *) * Max(n, 1));
	hashes = palloc(sizeof(uint32) * Max(n, 1));
	for (int64 i = 0; i < n; i++)
	{
		entries[i] = get_entry(w, r, w->map, &w->order);
		hashes[i] = (uint32) siddhi_state_get_int32(r);
		w->nentries++;
	}
	m = siddhi_state_get_count(r, sizeof(int64));
	for (int64 i = 0; i < m; i++)
	{
		int64 j = siddhi_state_get_int64(r);

		if (j < 0 || j >= n || entries[j]->jnode != NULL)
			siddhi_state_corrupt(r,
								 "A key's place in its hash table is wrong");
		entries[j]->jnode =
			java_table_append(w->jtable, hashes[j], entries[j], r);
	}
	/* the batch kinds keep every collected key in the mirror, others none */
	if (m != (unique_uses_jtable(w) ? n : 0))
		siddhi_state_corrupt(r, "A hash table does not hold the keys");
	if (n > unique_max_entries(w))
		siddhi_state_corrupt(r, "A window holds more keys than it may");
	pfree(entries);
	pfree(hashes);
	n = siddhi_state_get_count(r, sizeof(int64) + sizeof(int32));
	for (int64 i = 0; i < n; i++)
	{
		int64 ts = siddhi_state_get_int64(r);

		batch_push(w, &w->previous, siddhi_state_get_tuple(r, base->cxt), ts);
	}
	n = siddhi_state_get_count(r, UNIQUE_ENTRY_SAVED_MIN);
	if (n > 0 && w->sentmap == NULL)
		siddhi_state_corrupt(r, "A window that sends no batch has sent one");
	for (int64 i = 0; i < n; i++)
	{
		(void) get_entry(w, r, w->sentmap, &w->sentorder);
		w->sent_count++;
	}
}

#define UNIQUE_OPS                                               \
	{                                                            \
		.create = unique_create, .add = unique_add,              \
		.advance = unique_advance, .deadline = unique_deadline,  \
		.scan = unique_scan, .size = unique_size,                \
		.serialize = unique_serialize, .restore = unique_restore \
	}

const SiddhiWindowOps siddhi_unique_ever_window_ops = UNIQUE_OPS;
const SiddhiWindowOps siddhi_unique_first_window_ops = UNIQUE_OPS;
const SiddhiWindowOps siddhi_unique_length_window_ops = UNIQUE_OPS;
const SiddhiWindowOps siddhi_unique_length_batch_window_ops = UNIQUE_OPS;
const SiddhiWindowOps siddhi_unique_first_length_batch_window_ops = UNIQUE_OPS;
const SiddhiWindowOps siddhi_unique_time_window_ops = UNIQUE_OPS;
const SiddhiWindowOps siddhi_unique_time_batch_window_ops = UNIQUE_OPS;
const SiddhiWindowOps siddhi_unique_first_time_batch_window_ops = UNIQUE_OPS;
const SiddhiWindowOps siddhi_unique_time_length_batch_window_ops = UNIQUE_OPS;
const SiddhiWindowOps siddhi_unique_external_time_batch_window_ops =
	UNIQUE_OPS;

/*
 * #unique:deduplicate(key, interval): an event passes when no event of its
 * key passed in the interval before it (an event exactly interval later
 * is still a duplicate).  Keys leave in the order they came, when an
 * arrival is more than interval after them.
 */
typedef struct DedupEntry
{
	WindowKey key;
	int64 timestamp;
	dlist_node node;
} DedupEntry;

struct SiddhiDedup
{
	int64 interval;
	WindowKeyMap *map;
	dlist_head order;
};

/*
 * The deduplicate lives in a context of its own, under cxt, where the
 * struct itself is allocated: deleting GetMemoryChunkContext(d) frees it
 * all (src/runtime/query_state.c does when it replaces one).
 */
SiddhiDedup *
siddhi_dedup_create(int64 interval, MemoryContext parent)
{
	MemoryContext cxt = AllocSetContextCreate(parent, "siddhi deduplicate",
											  ALLOCSET_START_SMALL_SIZES);
	SiddhiDedup *d = MemoryContextAllocZero(cxt, sizeof(SiddhiDedup));

	d->interval = interval;
	d->map = window_keymap_create(cxt, sizeof(DedupEntry), "deduplicate");
	dlist_init(&d->order);
	return d;
}

bool
siddhi_dedup_admit(SiddhiDedup *d, const char *key, int keylen, int64 ts)
{
	SiddhiWindowEvent ev = { 0 };
	bool found;
	DedupEntry *e;

	while (!dlist_is_empty(&d->order))
	{
		DedupEntry *old = dlist_head_element(DedupEntry, node, &d->order);

		if (ts - old->timestamp <= d->interval)
			break;
		dlist_delete(&old->node);
		window_keymap_remove(d->map, old);
	}
	ev.key = key;
	ev.keylen = keylen;
	e = window_keymap_find(d->map, &ev, true, &found);
	if (found)
		return false;
	e->timestamp = ts;
	dlist_push_tail(&d->order, &e->node);
	return true;
}

/*
 * Epochs: saved, the keys let through in the last interval, oldest first,
 * each with the time it passed.
 */
bool
siddhi_dedup_can_save(SiddhiDedup *d)
{
	return true;
}

void
siddhi_dedup_serialize(SiddhiDedup *d, StringInfo buf)
{
	dlist_iter it;
	int64 n = 0;

	dlist_foreach(it, &d->order) n++;
	siddhi_state_put_int64(buf, n);
	dlist_foreach(it, &d->order)
	{
		DedupEntry *e = dlist_container(DedupEntry, node, it.cur);

		siddhi_state_put_bytes(buf, e->key.data, e->key.len);
		siddhi_state_put_int64(buf, e->timestamp);
	}
}

void
siddhi_dedup_restore(SiddhiDedup *d, SiddhiStateReader *r)
{
	int64 n = siddhi_state_get_count(r, sizeof(int32) + sizeof(int64));

	Assert(dlist_is_empty(&d->order));
	for (int64 i = 0; i < n; i++)
	{
		SiddhiWindowEvent ev = { 0 };
		DedupEntry *e;
		bool found;

		ev.key = siddhi_state_get_bytes(r, &ev.keylen);
		e = window_keymap_find(d->map, &ev, true, &found);
		if (found)
			siddhi_state_corrupt(r, "A key is there twice");
		e->timestamp = siddhi_state_get_int64(r);
		dlist_push_tail(&d->order, &e->node);
	}
}
