/*-------------------------------------------------------------------------
 *
 * window_session.c
 *	  session(gap [, key [, allowed.latency]]): per-key sessions that close
 *	  when the gap passes without an event of their key.
 *
 * Each arrival goes out as current at once and joins its key's current
 * session when it comes no later than the session's end (the last
 * event's time + gap), which it pushes back; otherwise it starts a new
 * session.  When the clock reaches a session's end the session closes:
 * its events go out as expired together, each keeping its own timestamp
 * (not the clock's, unlike the time windows), as Siddhi does.
 *
 * With an allowed latency, a closed session is kept as the key's previous
 * session for that long more, and only then expires.  A late event (one
 * older than the current session's start) joins the current session when
 * it is within a gap of its start, merging the previous session into it
 * when the two now touch; otherwise it joins the previous session when
 * within a gap of that one's start.  A late event that fits no session is
 * dropped: it does not go out at all.  Without a latency a late event
 * only joins a current session it is within a gap of.  These are the
 * rules of Siddhi's SessionWindowProcessor, including where a late event
 * lands in a session's order of events (its list iterator's position).
 *
 * Timers: every end and alive time a session takes is queued (a binary
 * heap, as Siddhi's scheduler queues them); each due time is one step that
 * closes the sessions due by then, in the order of their end times, and
 * ends with SIDDHI_EVENT_CHUNK_END.  Stale queue entries cost a step that
 * does nothing.  The timers are the window's only clock, and they pass
 * between input chunks only (timers_between_chunks): the rows of a chunk
 * from upstream all meet the sessions as they were when it came, so a row
 * past a session's end that is due but not yet closed goes out without
 * joining it, as in Siddhi.
 *
 * Memory: the events of open sessions (a current and a previous session
 * per key); a key with neither is forgotten.  At most siddhi.max_groups
 * keys may have open sessions: the event of a new key beyond that is an
 * error (counted in siddhi.queries; the event is skipped).  The timer queue
 * holds one entry per session event at most.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "common/hashfn.h"
#include "siddhi/shmem.h"
#include "siddhi/window.h"
#include "utils/hsearch.h"
#include "utils/memutils.h"
#include "window_int.h"

typedef struct SessionSlot
{
	MinimalTuple tuple;
	int64 ts;
} SessionSlot;

/*
 * One session: its events in Siddhi's order, and the position of the
 * list iterator Siddhi's event chunk keeps (late events are inserted
 * before it): the index of the event it returned last, or -1.
 */
typedef struct Session
{
	SessionSlot *slots;
	int64 count;
	int64 cap;
	int64 iter;
	int64 start;
	int64 end;
	int64 alive;
} Session;

typedef struct SessionKey
{
	uint64 hash; /* hash key */
	char *key;
	int keylen;
	Session current;
	Session previous;
	int64 step; /* the timer step that last queued it as due */
} SessionKey;

typedef struct TimerEntry
{
	int64 time;
	uint64 hash; /* the key's */
} TimerEntry;

typedef struct SessionWindow
{
	SiddhiWindow base;
	int64 gap;
	int64 latency; /* 0: none */
	HTAB *keys;
	int64 events; /* held in all sessions */
	TimerEntry *heap;
	int64 nheap;
	int64 heapcap;
	SessionKey **due; /* scratch: the keys one step closes */
	int64 duecap;
	int64 steps;	 /* timer steps taken */
	int64 peak_keys; /* the most keys held at once (for restore) */
} SessionWindow;

static SiddhiWindow *
session_create(const SiddhiWindowPlan *plan, MemoryContext cxt)
{
	SessionWindow *w = MemoryContextAllocZero(cxt, sizeof(SessionWindow));
	HASHCTL ctl;

	w->gap = plan->length;
	w->latency = plan->timeout > 0 ? plan->timeout : 0;
	memset(&ctl, 0, sizeof(ctl));
	ctl.keysize = sizeof(uint64);
	ctl.entrysize = sizeof(SessionKey);
	ctl.hcxt = cxt;
	w->keys = hash_create("siddhi session keys", 64, &ctl,
						  HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
	w->heapcap = 64;
	w->heap = MemoryContextAlloc(cxt, sizeof(TimerEntry) * w->heapcap);
	w->base.cxt = cxt;
	return &w->base;
}

/* ---------------------------------------------------------------------
 * The timer queue: a binary min-heap of (time, key)
 * ---------------------------------------------------------------------
 */

static void
timer_push(SessionWindow *w, int64 time, uint64 hash)
{
	int64 i;

	if (w->nheap == w->heapcap)
	{
		w->heapcap *= 2;
		w->heap = repalloc_huge(w->heap, sizeof(TimerEntry) * w->heapcap);
	}
	i = w->nheap++;
	while (i > 0 && w->heap[(i - 1) / 2].time > time)
	{
		w->heap[i] = w->heap[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	w->heap[i].time = time;
	w->heap[i].hash = hash;
}

static TimerEntry
timer_pop(SessionWindow *w)
{
	TimerEntry top = w->heap[0];
	TimerEntry last = w->heap[--w->nheap];
	int64 i = 0;

	for (;;)
	{
		int64 c = 2 * i + 1;

		if (c >= w->nheap)
			break;
		if (c + 1 < w->nheap && w->heap[c + 1].time < w->heap[c].time)
			c++;
		if (w->heap[c].time >= last.time)
			break;
		w->heap[i] = w->heap[c];
		i = c;
	}
	if (w->nheap > 0)
		w->heap[i] = last;
	return top;
}

/* ---------------------------------------------------------------------
 * Sessions
 * ---------------------------------------------------------------------
 */

static void
session_reserve(SessionWindow *w, Session *s, int64 more)
{
	int64 cap;

	if (s->count + more <= s->cap)
		return;
	cap = Max(Max(s->cap * 2, 8), s->count + more);
	if (s->slots == NULL)
		s->slots =
			MemoryContextAllocHuge(w->base.cxt, sizeof(SessionSlot) * cap);
	else
		s->slots = repalloc_huge(s->slots, sizeof(SessionSlot) * cap);
	s->cap = cap;
}

/* Siddhi's chunk.add(): at the end; the iterator stays where it is. */
static void
session_append(SessionWindow *w, Session *s, SessionSlot *slots, int64 n)
{
	session_reserve(w, s, n);
	memcpy(&s->slots[s->count], slots, sizeof(SessionSlot) * n);
	s->count += n;
}

/*
 * Siddhi's "if (hasNext()) next(); insertBeforeCurrent(events)": step the
 * iterator once, then insert before the event it returned.
 */
static void
session_insert(SessionWindow *w, Session *s, SessionSlot *slots, int64 n)
{
	int64 at;

	Assert(s->count > 0);
	if (s->iter + 1 < s->count)
		s->iter++;
	at = s->iter;
	session_reserve(w, s, n);
	memmove(&s->slots[at + n], &s->slots[at],
			sizeof(SessionSlot) * (s->count - at));
	memcpy(&s->slots[at], slots, sizeof(SessionSlot) * n);
	s->count += n;
	s->iter = at + n;
}

/* Forget a session's events (they moved elsewhere or were freed). */
static void
session_clear(Session *s)
{
	s->count = 0;
	s->iter = -1;
}

static void
session_set(Session *s, int64 start, int64 end, int64 alive)
{
	s->start = start;
	s->end = end;
	s->alive = alive;
}

/* Emit a session's events as expired, with their own times, and free them. */
static void
session_expire(SessionWindow *w, Session *s, SiddhiEventFn fn, void *arg)
{
	for (int64 i = 0; i < s->count; i++)
	{
		fn(arg, SIDDHI_EVENT_EXPIRED, s->slots[i].tuple, s->slots[i].ts);
		pfree(s->slots[i].tuple);
	}
	w->events -= s->count;
	session_clear(s);
}

/* Move all of from's events to the end of to. */
static void
session_move(SessionWindow *w, Session *to, Session *from)
{
	session_append(w, to, from->slots, from->count);
	session_clear(from);
}

/*
 * Siddhi's mergeWindows: the previous session joins the current one,
 * before the iterator, when it ends within a gap of the current's start.
 */
static void
session_merge(SessionWindow *w, Session *prev, Session *cur)
{
	if (prev->count > 0 && prev->end >= cur->start - w->gap)
	{
		session_insert(w, cur, prev->slots, prev->count);
		cur->start = prev->start;
		session_clear(prev);
	}
}

static uint64
key_hash(const char *key, int keylen)
{
	return hash_bytes_extended((const unsigned char *) key, keylen, 0);
}

/* The key's sessions, made when new (at most siddhi.max_groups keys). */
static SessionKey *
session_key(SessionWindow *w, const char *key, int keylen)
{
	uint64 hash = key_hash(key, keylen);
	SessionKey *k;
	bool found;

	k = hash_search(w->keys, &hash, HASH_FIND, NULL);
	if (k)
	{
		if (k->keylen != keylen || memcmp(k->key, key, keylen) != 0)
			ereport(ERROR, errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					errmsg("siddhi: two session keys share a 64-bit hash"));
		return k;
	}
	if (hash_get_num_entries(w->keys) >= siddhi_max_groups)
		ereport(ERROR,
				(errcode(ERRCODE_CONFIGURATION_LIMIT_EXCEEDED),
				 errmsg("window %s has more than %d open sessions",
						w->base.plan->name, siddhi_max_groups),
				 errdetail("The event of a new session key is skipped."),
				 errhint("Shorten the session gap, or raise "
						 "siddhi.max_groups.")));
	k = hash_search(w->keys, &hash, HASH_ENTER, &found);
	w->peak_keys = Max(w->peak_keys, (int64) hash_get_num_entries(w->keys));
	k->key = MemoryContextAlloc(w->base.cxt, Max(keylen, 1));
	memcpy(k->key, key, keylen);
	k->keylen = keylen;
	memset(&k->current, 0, sizeof(Session));
	memset(&k->previous, 0, sizeof(Session));
	k->current.iter = k->previous.iter = -1;
	k->step = 0;
	return k;
}

static void
session_key_forget_if_empty(SessionWindow *w, SessionKey *k)
{
	if (k->current.count > 0 || k->previous.count > 0)
		return;
	if (k->current.slots)
		pfree(k->current.slots);
	if (k->previous.slots)
		pfree(k->previous.slots);
	pfree(k->key);
	hash_search(w->keys, &k->hash, HASH_REMOVE, NULL);
}

/* Siddhi's moveCurrentSessionToPreviousSession; may expire the previous. */
static void
session_to_previous(SessionWindow *w, SessionKey *k, SiddhiEventFn fn,
					void *arg)
{
	if (k->previous.count > 0)
		session_expire(w, &k->previous, fn, arg);
	session_move(w, &k->previous, &k->current);
	session_set(&k->previous, k->current.start, k->current.end,
				k->current.alive);
	timer_push(w, k->current.alive, k->hash);
}

/*
 * A late event: older than the current session's start.  Returns whether
 * the event was kept (a dropped one does not go out).
 */
static bool
session_late(SessionWindow *w, SessionKey *k, SessionSlot *slot)
{
	Session *cur = &k->current;
	Session *prev = &k->previous;
	int64 ts = slot->ts;

	if (ts >= cur->start - w->gap)
	{
		session_insert(w, cur, slot, 1);
		cur->start = ts;
		if (w->latency > 0)
			session_merge(w, prev, cur);
		return true;
	}
	if (w->latency == 0 || prev->count == 0 || ts < prev->start - w->gap)
		return false;
	session_append(w, prev, slot, 1);
	if (ts <= prev->end - w->gap && ts < prev->start)
		prev->start = ts;
	else
	{
		prev->end = ts + w->gap;
		prev->alive = ts + w->gap + w->latency;
		session_merge(w, prev, cur);
	}
	return true;
}

static void
session_add(SiddhiWindow *base, const SiddhiWindowEvent *ev, SiddhiEventFn fn,
			void *arg)
{
	SessionWindow *w = (SessionWindow *) base;
	SessionKey *k = session_key(w, ev->key ? ev->key : "", ev->keylen);
	Session *cur = &k->current;
	int64 ts = ev->timestamp;
	int64 end = ts + w->gap;
	int64 alive = end + w->latency;
	SessionSlot slot;
	bool kept = true;

	slot.tuple = siddhi_window_keep(base, ev->tuple);
	slot.ts = ts;
	if (cur->count == 0)
	{
		session_append(w, cur, &slot, 1);
		session_set(cur, ts, end, alive);
		timer_push(w, end, k->hash);
	}
	else if (ts >= cur->start && ts <= cur->end)
	{
		session_append(w, cur, &slot, 1);
		session_set(cur, cur->start, end, alive);
		timer_push(w, end, k->hash);
	}
	else if (ts >= cur->start)
	{
		/* past the end, before the timer closed the session */
		if (w->latency > 0)
		{
			fn(arg, SIDDHI_EVENT_CURRENT, slot.tuple, ts);
			session_to_previous(w, k, fn, arg);
			session_append(w, cur, &slot, 1);
			session_set(cur, ts, end, alive);
			timer_push(w, end, k->hash);
			w->events++;
			return;
		}
		/* Siddhi lets it through without keeping it */
		window_emit_passing(base, fn, arg, ev->tuple, ts);
		pfree(slot.tuple);
		return;
	}
	else
		kept = session_late(w, k, &slot);

	if (!kept)
	{
		pfree(slot.tuple);
		session_key_forget_if_empty(w, k);
		return;
	}
	w->events++;
	fn(arg, SIDDHI_EVENT_CURRENT, slot.tuple, ts);
}

/* qsort comparator: keys by the end of the session a step closes. */
static int
compare_current_end(const void *a, const void *b)
{
	const SessionKey *x = *(SessionKey *const *) a;
	const SessionKey *y = *(SessionKey *const *) b;

	return (x->current.end > y->current.end) -
		   (x->current.end < y->current.end);
}

static int
compare_previous_end(const void *a, const void *b)
{
	const SessionKey *x = *(SessionKey *const *) a;
	const SessionKey *y = *(SessionKey *const *) b;

	return (x->previous.end > y->previous.end) -
		   (x->previous.end < y->previous.end);
}

/*
 * One timer step at time t: the current sessions that ended by t close
 * (to previous with a latency, else they expire), then the previous
 * sessions whose latency has passed expire; in order of their end times.
 */
static void
session_step(SessionWindow *w, int64 t, SiddhiEventFn fn, void *arg)
{
	int64 ndue = 0;
	bool any = false;

	/* the keys with a timer due by t, once each */
	w->steps++;
	while (w->nheap > 0 && w->heap[0].time <= t)
	{
		TimerEntry e = timer_pop(w);
		SessionKey *k = hash_search(w->keys, &e.hash, HASH_FIND, NULL);

		if (k == NULL || k->step == w->steps)
			continue;
		k->step = w->steps;
		if (ndue == w->duecap)
		{
			w->duecap = Max(16, w->duecap * 2);
			w->due =
				w->due
					? repalloc_huge(w->due, sizeof(SessionKey *) * w->duecap)
					: MemoryContextAllocHuge(w->base.cxt,
											 sizeof(SessionKey *) * w->duecap);
		}
		w->due[ndue++] = k;
	}

	qsort(w->due, ndue, sizeof(SessionKey *), compare_current_end);
	for (int64 i = 0; i < ndue; i++)
	{
		SessionKey *k = w->due[i];

		if (k->current.count == 0 || k->current.end > t)
			continue;
		if (w->latency > 0)
		{
			session_move(w, &k->previous, &k->current);
			session_set(&k->previous, k->current.start, k->current.end,
						k->current.alive);
			timer_push(w, k->current.alive, k->hash);
		}
		else
		{
			session_expire(w, &k->current, fn, arg);
			any = true;
		}
	}
	if (w->latency > 0)
	{
		qsort(w->due, ndue, sizeof(SessionKey *), compare_previous_end);
		for (int64 i = 0; i < ndue; i++)
		{
			SessionKey *k = w->due[i];

			if (k->previous.count == 0 || k->previous.alive > t)
				continue;
			session_expire(w, &k->previous, fn, arg);
			any = true;
		}
	}
	for (int64 i = 0; i < ndue; i++)
		session_key_forget_if_empty(w, w->due[i]);
	if (any)
		fn(arg, SIDDHI_EVENT_CHUNK_END, NULL, t);
}

static void
session_advance(SiddhiWindow *base, int64 now, SiddhiEventFn fn, void *arg)
{
	SessionWindow *w = (SessionWindow *) base;

	while (w->nheap > 0 && w->heap[0].time <= now)
		session_step(w, w->heap[0].time, fn, arg);
}

static int64
session_deadline(SiddhiWindow *base)
{
	SessionWindow *w = (SessionWindow *) base;

	return w->nheap > 0 ? w->heap[0].time : -1;
}

static void
session_scan(SiddhiWindow *base, SiddhiEventFn fn, void *arg)
{
	SessionWindow *w = (SessionWindow *) base;
	HASH_SEQ_STATUS seq;
	SessionKey *k;

	hash_seq_init(&seq, w->keys);
	while ((k = hash_seq_search(&seq)) != NULL)
	{
		for (int64 i = 0; i < k->previous.count; i++)
			fn(arg, SIDDHI_EVENT_CURRENT, k->previous.slots[i].tuple,
			   k->previous.slots[i].ts);
		for (int64 i = 0; i < k->current.count; i++)
			fn(arg, SIDDHI_EVENT_CURRENT, k->current.slots[i].tuple,
			   k->current.slots[i].ts);
	}
}

static int64
session_size(SiddhiWindow *base)
{
	return ((SessionWindow *) base)->events;
}

/* ---------------------------------------------------------------------
 * Epochs
 * ---------------------------------------------------------------------
 *
 * Saved: the step counter, the most keys held at once, the timer queue as
 * it is (a heap's array: the same array pops in the same order), then
 * each key in the order scan visits them: its text, the step that last
 * queued it, and its current and previous sessions (start, end, alive
 * time, the iterator's place, and the events with their times).
 *
 * scan (a join reading the window) visits the keys in the dynahash's
 * order: by bucket, then in the order they were entered.  The number of
 * buckets only grows, one bucket per key entered while the table holds
 * more keys than buckets (linear hashing), so it is set by the most keys
 * the window ever held.  Restore grows the new table to the same size,
 * with keys that it then removes, before it enters the saved keys in
 * their saved order: each bucket then holds its keys in the same order.
 */
static void
put_session(StringInfo buf, Session *s)
{
	siddhi_state_put_int64(buf, s->start);
	siddhi_state_put_int64(buf, s->end);
	siddhi_state_put_int64(buf, s->alive);
	siddhi_state_put_int64(buf, s->iter);
	siddhi_state_put_int64(buf, s->count);
	for (int64 i = 0; i < s->count; i++)
	{
		siddhi_state_put_int64(buf, s->slots[i].ts);
		siddhi_state_put_tuple(buf, s->slots[i].tuple);
	}
}

static void
session_serialize(SiddhiWindow *base, StringInfo buf)
{
	SessionWindow *w = (SessionWindow *) base;
	HASH_SEQ_STATUS seq;
	SessionKey *k;

	siddhi_state_put_int64(buf, w->steps);
	siddhi_state_put_int64(buf, w->peak_keys);
	siddhi_state_put_int64(buf, w->nheap);
	for (int64 i = 0; i < w->nheap; i++)
	{
		siddhi_state_put_int64(buf, w->heap[i].time);
		siddhi_state_put_int64(buf, (int64) w->heap[i].hash);
	}
	siddhi_state_put_int64(buf, hash_get_num_entries(w->keys));
	hash_seq_init(&seq, w->keys);
	while ((k = hash_seq_search(&seq)) != NULL)
	{
		siddhi_state_put_bytes(buf, k->key, k->keylen);
		siddhi_state_put_int64(buf, k->step);
		put_session(buf, &k->current);
		put_session(buf, &k->previous);
	}
}

static void
get_session(SessionWindow *w, SiddhiStateReader *r, Session *s)
{
	int64 n;

	s->start = siddhi_state_get_int64(r);
	s->end = siddhi_state_get_int64(r);
	s->alive = siddhi_state_get_int64(r);
	s->iter = siddhi_state_get_int64(r);
	n = siddhi_state_get_count(r, sizeof(int64) + sizeof(int32));
	if (s->iter < -1 || s->iter >= n)
		siddhi_state_corrupt(r, "A session's iterator is out of range");
	session_reserve(w, s, n);
	for (int64 i = 0; i < n; i++)
	{
		s->slots[i].ts = siddhi_state_get_int64(r);
		s->slots[i].tuple = siddhi_state_get_tuple(r, w->base.cxt);
		s->count++;
		w->events++;
	}
}

static void
session_restore(SiddhiWindow *base, SiddhiStateReader *r)
{
	SessionWindow *w = (SessionWindow *) base;
	int64 peak;
	int64 n;

	Assert(hash_get_num_entries(w->keys) == 0 && w->nheap == 0);
	w->steps = siddhi_state_get_int64(r);
	peak = siddhi_state_get_int64(r);
	n = siddhi_state_get_count(r, 2 * sizeof(int64));
	for (int64 i = 0; i < n; i++)
	{
		int64 time = siddhi_state_get_int64(r);

		timer_push(w, time, (uint64) siddhi_state_get_int64(r));
	}
	/* the heap was saved as an array: pushing it in order rebuilds it */
	n = siddhi_state_get_count(r, sizeof(int32) + 11 * sizeof(int64));
	if (peak < n)
		siddhi_state_corrupt(r, "The most keys held is out of range");
	/*
	 * Grow the table as the old one grew (see above), then empty it; never
	 * beyond what siddhi.max_groups allows now (it may have been lowered).
	 */
	peak = Min(peak, Max(siddhi_max_groups, n));
	for (uint64 d = 0; d < (uint64) peak; d++)
		(void) hash_search(w->keys, &d, HASH_ENTER, NULL);
	for (uint64 d = 0; d < (uint64) peak; d++)
		(void) hash_search(w->keys, &d, HASH_REMOVE, NULL);
	w->peak_keys = peak;
	for (int64 i = 0; i < n; i++)
	{
		int len;
		const char *key = siddhi_state_get_bytes(r, &len);
		uint64 hash = key_hash(key, len);
		SessionKey *k;
		bool found;

		k = hash_search(w->keys, &hash, HASH_ENTER, &found);
		if (found)
			siddhi_state_corrupt(r, "A session key is there twice");
		k->key = MemoryContextAlloc(w->base.cxt, Max(len, 1));
		memcpy(k->key, key, len);
		k->keylen = len;
		memset(&k->current, 0, sizeof(Session));
		memset(&k->previous, 0, sizeof(Session));
		k->step = siddhi_state_get_int64(r);
		get_session(w, r, &k->current);
		get_session(w, r, &k->previous);
	}
}

const SiddhiWindowOps siddhi_session_window_ops = {
	.create = session_create,
	.add = session_add,
	.advance = session_advance,
	.deadline = session_deadline,
	.scan = session_scan,
	.size = session_size,
	.serialize = session_serialize,
	.restore = session_restore,
	.timers_between_chunks = true,
};
