/*-------------------------------------------------------------------------
 *
 * window.c
 *	  The count windows: length(n) and lengthBatch(n).
 *
 * length(n) is a ring of the last n events: when full, an arrival expires
 * the oldest, which is emitted as expired (stamped with the arrival's time,
 * as Siddhi does) before the arrival is emitted as current.
 *
 * lengthBatch(n) collects n events; the n-th arrival flushes them: first
 * the previous batch as expired (stamped with the arrival's time), then
 * the new batch as current (each with its own time).
 *
 * time(t) keeps events while their time + t is later than the clock; when
 * the clock reaches it they are expired, stamped with the clock.
 *
 * timeBatch(t) starts its first batch at the first event's time and
 * flushes at every multiple of t after it that the clock passes: the
 * previous batch as expired, the collected one as current, even when
 * empty (so a batch expires one period after it was emitted).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "siddhi/window.h"
#include "utils/memutils.h"

typedef struct WindowSlot
{
	MinimalTuple tuple;
	int64 timestamp;
	int64 ext; /* externalTime: the event's own time */
} WindowSlot;

struct SiddhiWindow
{
	SiddhiWindowKind kind;
	int64 length;	  /* events, or milliseconds */
	int64 next_flush; /* timeBatch: the next boundary; -1 before any event */
	int64 max_count;  /* timeLength: the most events kept */
	MemoryContext cxt;
	WindowSlot *slots; /* length, time: a ring; batches: the batch */
	int64 head;		   /* rings: the oldest slot */
	int64 count;
	int64 capacity;		  /* slots allocated */
	WindowSlot *previous; /* batches: the batch emitted last */
	int64 previous_count;
	int64 previous_capacity;
};

SiddhiWindow *
siddhi_window_create(SiddhiWindowKind kind, int64 length, int64 count,
					 MemoryContext parent)
{
	MemoryContext cxt =
		AllocSetContextCreate(parent, "siddhi window", ALLOCSET_DEFAULT_SIZES);
	SiddhiWindow *w = MemoryContextAllocZero(cxt, sizeof(SiddhiWindow));

	Assert(length > 0);
	w->kind = kind;
	w->length = length;
	w->cxt = cxt;
	w->next_flush = -1;
	w->max_count = count;
	if (kind == SIDDHI_WINDOW_LENGTH || kind == SIDDHI_WINDOW_LENGTH_BATCH)
		w->capacity = length;
	else
		w->capacity = 64; /* time windows grow as events arrive */
	w->slots = MemoryContextAllocHuge(cxt, sizeof(WindowSlot) * w->capacity);
	if (kind != SIDDHI_WINDOW_LENGTH)
		w->previous =
			MemoryContextAllocHuge(cxt, sizeof(WindowSlot) * w->capacity);
	w->previous_capacity = w->capacity;
	return w;
}

static MinimalTuple
keep(SiddhiWindow *w, MinimalTuple tuple)
{
	MinimalTuple copy = MemoryContextAlloc(w->cxt, tuple->t_len);

	memcpy(copy, tuple, tuple->t_len);
	return copy;
}

/* Emit the oldest event of a ring as expired, stamped ts, and drop it. */
static void
expire_oldest(SiddhiWindow *w, int64 ts, SiddhiEventFn fn, void *arg)
{
	WindowSlot *oldest = &w->slots[w->head];

	fn(arg, SIDDHI_EVENT_EXPIRED, oldest->tuple, ts);
	pfree(oldest->tuple);
	w->head = (w->head + 1) % w->capacity;
	w->count--;
}

static void
length_add(SiddhiWindow *w, MinimalTuple tuple, int64 ts, SiddhiEventFn fn,
		   void *arg)
{
	WindowSlot *slot;

	if (w->count == w->length)
		expire_oldest(w, ts, fn, arg);
	slot = &w->slots[(w->head + w->count) % w->capacity];
	slot->tuple = keep(w, tuple);
	slot->timestamp = ts;
	w->count++;
	fn(arg, SIDDHI_EVENT_CURRENT, slot->tuple, ts);
}

static void
length_batch_add(SiddhiWindow *w, MinimalTuple tuple, int64 ts,
				 SiddhiEventFn fn, void *arg)
{
	WindowSlot *swap;

	w->slots[w->count].tuple = keep(w, tuple);
	w->slots[w->count].timestamp = ts;
	w->count++;
	if (w->count < w->length)
		return;

	for (int64 i = 0; i < w->previous_count; i++)
	{
		fn(arg, SIDDHI_EVENT_EXPIRED, w->previous[i].tuple, ts);
		pfree(w->previous[i].tuple);
	}
	for (int64 i = 0; i < w->count; i++)
		fn(arg, SIDDHI_EVENT_CURRENT, w->slots[i].tuple,
		   w->slots[i].timestamp);
	swap = w->previous;
	w->previous = w->slots;
	w->previous_count = w->count;
	w->slots = swap;
	w->count = 0;
}

/* Room for one more slot in a time window's ring (or batch). */
static void
grow(SiddhiWindow *w)
{
	int64 cap = w->capacity * 2;
	WindowSlot *slots =
		MemoryContextAllocHuge(w->cxt, sizeof(WindowSlot) * cap);

	for (int64 i = 0; i < w->count; i++)
		slots[i] = w->slots[(w->head + i) % w->capacity];
	pfree(w->slots);
	w->slots = slots;
	w->head = 0;
	w->capacity = cap;
}

static void
time_add(SiddhiWindow *w, MinimalTuple tuple, int64 ts, SiddhiEventFn fn,
		 void *arg)
{
	WindowSlot *slot;

	if (w->count == w->capacity)
		grow(w);
	slot = &w->slots[(w->head + w->count) % w->capacity];
	slot->tuple = keep(w, tuple);
	slot->timestamp = ts;
	w->count++;
	fn(arg, SIDDHI_EVENT_CURRENT, slot->tuple, ts);
}

static void
time_advance(SiddhiWindow *w, int64 now, SiddhiEventFn fn, void *arg)
{
	bool any = false;

	while (w->count > 0 && w->slots[w->head].timestamp + w->length <= now)
	{
		expire_oldest(w, now, fn, arg);
		any = true;
	}
	if (any)
		fn(arg, SIDDHI_EVENT_CHUNK_END, NULL, now);
}

static void
time_batch_add(SiddhiWindow *w, MinimalTuple tuple, int64 ts)
{
	if (w->next_flush < 0)
		w->next_flush = ts + w->length;
	if (w->count == w->capacity)
		grow(w);
	w->slots[w->count].tuple = keep(w, tuple);
	w->slots[w->count].timestamp = ts;
	w->count++;
}

static void
time_batch_advance(SiddhiWindow *w, int64 now, SiddhiEventFn fn, void *arg)
{
	while (w->next_flush >= 0 && now >= w->next_flush)
	{
		WindowSlot *swap;
		int64 swapcap;

		if (w->previous_count == 0 && w->count == 0)
		{
			/* nothing to emit: skip to the first boundary after now */
			w->next_flush +=
				((now - w->next_flush) / w->length + 1) * w->length;
			break;
		}
		for (int64 i = 0; i < w->previous_count; i++)
		{
			fn(arg, SIDDHI_EVENT_EXPIRED, w->previous[i].tuple, now);
			pfree(w->previous[i].tuple);
		}
		for (int64 i = 0; i < w->count; i++)
			fn(arg, SIDDHI_EVENT_CURRENT, w->slots[i].tuple,
			   w->slots[i].timestamp);
		fn(arg, SIDDHI_EVENT_CHUNK_END, NULL, now);
		swap = w->previous;
		swapcap = w->previous_capacity;
		w->previous = w->slots;
		w->previous_capacity = w->capacity;
		w->previous_count = w->count;
		w->slots = swap;
		w->capacity = swapcap;
		w->count = 0;
		w->next_flush += w->length;
	}
}

/* timeLength: a full window first expires its oldest, then as time(t). */
static void
time_length_add(SiddhiWindow *w, MinimalTuple tuple, int64 ts,
				SiddhiEventFn fn, void *arg)
{
	if (w->count >= w->max_count)
		expire_oldest(w, ts, fn, arg);
	time_add(w, tuple, ts, fn, arg);
}

/*
 * externalTime: the arrival's own time (an attribute) is the clock: older
 * events whose time + t it reached expire, stamped with the arrival's
 * timestamp, before it enters.
 */
static void
external_time_add(SiddhiWindow *w, MinimalTuple tuple, int64 ts, int64 ext,
				  SiddhiEventFn fn, void *arg)
{
	while (w->count > 0 && w->slots[w->head].ext + w->length <= ext)
		expire_oldest(w, ts, fn, arg);
	time_add(w, tuple, ts, fn, arg);
	w->slots[(w->head + w->count - 1) % w->capacity].ext = ext;
}

void
siddhi_window_advance(SiddhiWindow *w, int64 now, SiddhiEventFn fn, void *arg)
{
	if (w->kind == SIDDHI_WINDOW_TIME || w->kind == SIDDHI_WINDOW_TIME_LENGTH)
		time_advance(w, now, fn, arg);
	else if (w->kind == SIDDHI_WINDOW_TIME_BATCH)
		time_batch_advance(w, now, fn, arg);
}

int64
siddhi_window_deadline(SiddhiWindow *w)
{
	if ((w->kind == SIDDHI_WINDOW_TIME ||
		 w->kind == SIDDHI_WINDOW_TIME_LENGTH) &&
		w->count > 0)
		return w->slots[w->head].timestamp + w->length;
	if (w->kind == SIDDHI_WINDOW_TIME_BATCH)
		return w->next_flush;
	return -1;
}

void
siddhi_window_add(SiddhiWindow *w, MinimalTuple tuple, int64 timestamp,
				  int64 ext, SiddhiEventFn fn, void *arg)
{
	switch (w->kind)
	{
		case SIDDHI_WINDOW_LENGTH:
			length_add(w, tuple, timestamp, fn, arg);
			break;
		case SIDDHI_WINDOW_LENGTH_BATCH:
			length_batch_add(w, tuple, timestamp, fn, arg);
			break;
		case SIDDHI_WINDOW_TIME:
			time_add(w, tuple, timestamp, fn, arg);
			break;
		case SIDDHI_WINDOW_TIME_BATCH:
			time_batch_add(w, tuple, timestamp);
			break;
		case SIDDHI_WINDOW_TIME_LENGTH:
			time_length_add(w, tuple, timestamp, fn, arg);
			break;
		case SIDDHI_WINDOW_EXTERNAL_TIME:
			external_time_add(w, tuple, timestamp, ext, fn, arg);
			break;
		case SIDDHI_WINDOW_NONE:
			fn(arg, SIDDHI_EVENT_CURRENT, tuple, timestamp);
			break;
	}
}

int64
siddhi_window_size(SiddhiWindow *w)
{
	return w->count + w->previous_count;
}
