/*-------------------------------------------------------------------------
 *
 * window_list.h
 *	  A growable array of kept events, shared by the batch, delay, cron
 *	  and sort windows (internal to src/runtime).
 *
 * The array lives in the window's context and doubles when full; the
 * tuples are the window's own copies (siddhi_window_keep), freed by
 * whoever removes them.
 *
 *-------------------------------------------------------------------------
 */
#ifndef SIDDHI_WINDOW_LIST_H
#define SIDDHI_WINDOW_LIST_H

#include "siddhi/window.h"

typedef struct WindowEntry
{
	MinimalTuple tuple;
	int64 timestamp; /* the event's */
	int64 ext;		 /* externalTimeBatch, hopping: the time it counts at */
} WindowEntry;

typedef struct WindowList
{
	WindowEntry *items;
	int64 count;
	int64 capacity;
} WindowList;

/* Append an entry (the tuple already kept by the window). */
static inline WindowEntry *
window_list_push(SiddhiWindow *w, WindowList *l, MinimalTuple tuple, int64 ts)
{
	WindowEntry *e;

	if (l->count == l->capacity)
	{
		int64 cap = Max(16, l->capacity * 2);

		l->items =
			l->items
				? repalloc_huge(l->items, sizeof(WindowEntry) * cap)
				: MemoryContextAllocHuge(w->cxt, sizeof(WindowEntry) * cap);
		l->capacity = cap;
	}
	e = &l->items[l->count++];
	e->tuple = tuple;
	e->timestamp = ts;
	e->ext = ts;
	return e;
}

/* window_list_emit: stamp each event with its own time */
#define WINDOW_OWN_TIME PG_INT64_MIN

/* Emit every entry as kind, stamped ts (or WINDOW_OWN_TIME). */
static inline void
window_list_emit(WindowList *l, SiddhiEventKind kind, int64 ts,
				 SiddhiEventFn fn, void *arg)
{
	for (int64 i = 0; i < l->count; i++)
		fn(arg, kind, l->items[i].tuple,
		   ts == WINDOW_OWN_TIME ? l->items[i].timestamp : ts);
}

/* Free the tuples and empty the list (its array is kept). */
static inline void
window_list_free_tuples(WindowList *l)
{
	for (int64 i = 0; i < l->count; i++)
		pfree(l->items[i].tuple);
	l->count = 0;
}

/*
 * Epochs: the entries of a list from index first on (a count, then each
 * entry's time, its ext and its tuple), and reading them back onto the
 * end of a list (the tuples copied into the window's context).
 */
#define WINDOW_ENTRY_SAVED_MIN (2 * (int) sizeof(int64) + (int) sizeof(int32))

static inline void
window_list_put(StringInfo buf, const WindowList *l, int64 first)
{
	siddhi_state_put_int64(buf, l->count - first);
	for (int64 i = first; i < l->count; i++)
	{
		siddhi_state_put_int64(buf, l->items[i].timestamp);
		siddhi_state_put_int64(buf, l->items[i].ext);
		siddhi_state_put_tuple(buf, l->items[i].tuple);
	}
}

static inline void
window_list_get(SiddhiWindow *w, SiddhiStateReader *r, WindowList *l)
{
	int64 n = siddhi_state_get_count(r, WINDOW_ENTRY_SAVED_MIN);

	for (int64 i = 0; i < n; i++)
	{
		int64 ts = siddhi_state_get_int64(r);
		int64 ext = siddhi_state_get_int64(r);
		MinimalTuple tuple = siddhi_state_get_tuple(r, w->cxt);

		window_list_push(w, l, tuple, ts)->ext = ext;
	}
}

/* Swap two lists. */
static inline void
window_list_swap(WindowList *a, WindowList *b)
{
	WindowList t = *a;

	*a = *b;
	*b = t;
}

#endif /* SIDDHI_WINDOW_LIST_H */
