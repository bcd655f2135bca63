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
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "siddhi/window.h"
#include "utils/memutils.h"

typedef struct WindowSlot
{
	MinimalTuple tuple;
	int64 timestamp;
} WindowSlot;

struct SiddhiWindow
{
	SiddhiWindowKind kind;
	int64 length;
	MemoryContext cxt;
	WindowSlot *slots; /* length: a ring; lengthBatch: the batch */
	int64 head;		   /* length: the oldest slot */
	int64 count;
	WindowSlot *previous; /* lengthBatch: the batch emitted last */
	int64 previous_count;
};

SiddhiWindow *
siddhi_window_create(SiddhiWindowKind kind, int64 length, MemoryContext parent)
{
	MemoryContext cxt =
		AllocSetContextCreate(parent, "siddhi window", ALLOCSET_DEFAULT_SIZES);
	SiddhiWindow *w = MemoryContextAllocZero(cxt, sizeof(SiddhiWindow));

	Assert(length > 0);
	w->kind = kind;
	w->length = length;
	w->cxt = cxt;
	w->slots = MemoryContextAllocHuge(cxt, sizeof(WindowSlot) * length);
	if (kind == SIDDHI_WINDOW_LENGTH_BATCH)
		w->previous = MemoryContextAllocHuge(cxt, sizeof(WindowSlot) * length);
	return w;
}

static MinimalTuple
keep(SiddhiWindow *w, MinimalTuple tuple)
{
	MinimalTuple copy = MemoryContextAlloc(w->cxt, tuple->t_len);

	memcpy(copy, tuple, tuple->t_len);
	return copy;
}

static void
length_add(SiddhiWindow *w, MinimalTuple tuple, int64 ts, SiddhiEventFn fn,
		   void *arg)
{
	WindowSlot *slot;

	if (w->count == w->length)
	{
		WindowSlot *oldest = &w->slots[w->head];

		fn(arg, SIDDHI_EVENT_EXPIRED, oldest->tuple, ts);
		pfree(oldest->tuple);
		w->head = (w->head + 1) % w->length;
		w->count--;
	}
	slot = &w->slots[(w->head + w->count) % w->length];
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

void
siddhi_window_add(SiddhiWindow *w, MinimalTuple tuple, int64 timestamp,
				  SiddhiEventFn fn, void *arg)
{
	switch (w->kind)
	{
		case SIDDHI_WINDOW_LENGTH:
			length_add(w, tuple, timestamp, fn, arg);
			break;
		case SIDDHI_WINDOW_LENGTH_BATCH:
			length_batch_add(w, tuple, timestamp, fn, arg);
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
