/*-------------------------------------------------------------------------
 *
 * window_int.h
 *	  Helpers shared by the window files (src/runtime/window/), not by
 *	  the rest of the engine.
 *
 * Keyed windows keep their events in a dynahash keyed by the text of the
 * key attributes (SiddhiWindowEvent.key: NUL-separated, so distinct
 * values never collide as Siddhi's plain concatenation can).
 *
 * Some of Siddhi's windows emit the events of a batch, or expire several
 * events at once, in the iteration order of a java.util.HashMap or a
 * java.util.concurrent.ConcurrentHashMap.  JavaTable reproduces that
 * order: it mirrors the table's buckets, its resizes (HashMap keeps a
 * bucket's order when it splits one, ConcurrentHashMap reverses the part
 * before the bucket's last run) and its growth rules, over the Java
 * hashCode of each key (java_order.c).  Not mirrored: a bucket that grows
 * to a red-black tree (nine keys in one bucket of a table of 64 or more),
 * where Java's order may differ.
 *
 *-------------------------------------------------------------------------
 */
#ifndef SIDDHI_WINDOW_INT_H
#define SIDDHI_WINDOW_INT_H

#include "lib/stringinfo.h"
#include "siddhi/window.h"
#include "utils/hsearch.h"

/* The key of a keyed window's hash table: the event's key text. */
typedef struct WindowKey
{
	const char *data;
	int len;
} WindowKey;

/* A hash table of entries (each starting with a WindowKey) in cxt. */
typedef struct WindowKeyMap
{
	HTAB *htab;
	Size entrysize;
	MemoryContext cxt;
} WindowKeyMap;

extern WindowKeyMap *window_keymap_create(MemoryContext cxt, Size entrysize,
										  const char *name);

/*
 * The entry of the event's key; with enter, a new zeroed one (owning a
 * copy of the key) when there is none, and *found says which.
 */
extern void *window_keymap_find(WindowKeyMap *map, const SiddhiWindowEvent *ev,
								bool enter, bool *found);

/* Drop an entry (and its key copy). */
extern void window_keymap_remove(WindowKeyMap *map, void *entry);

/* One key in a JavaTable. */
typedef struct JavaNode
{
	struct JavaNode *next;
	uint32 hash; /* Java's spread hash: h ^ (h >>> 16) */
	void *item;
} JavaNode;

typedef struct JavaTable
{
	bool concurrent; /* ConcurrentHashMap, else HashMap */
	uint32 capacity; /* buckets; 0 until the first insert */
	int64 size;
	int64 threshold; /* HashMap: grow past it; CHM: grow on reaching it */
	JavaNode **bins;
	MemoryContext cxt;
} JavaTable;

extern JavaTable *java_table_create(bool concurrent, MemoryContext cxt);
/* A new key (the caller knows it is not there) with Java hashCode h. */
extern JavaNode *java_table_insert(JavaTable *t, int32 h, void *item);
extern void java_table_remove(JavaTable *t, JavaNode *node);
/* Remove every key; the capacity stays, as Java's clear() leaves it. */
extern void java_table_clear(JavaTable *t);
/* The items in Java's iteration order, into out (room for t->size). */
extern void java_table_items(JavaTable *t, void **out);

/*
 * Epochs: a JavaTable's shape (its capacity and threshold: a table never
 * shrinks, clear() keeps them), read back into a table just created; then
 * its keys appended in the saved iteration order (java_table_items), each
 * with its node's hash, which puts them back in the same buckets in the
 * same order, so the iteration order is the same (no resize happens).
 */
extern void java_table_put_shape(StringInfo buf, JavaTable *t);
extern void java_table_get_shape(JavaTable *t, SiddhiStateReader *r);
extern JavaNode *java_table_append(JavaTable *t, uint32 hash, void *item,
								   SiddhiStateReader *r);

/* Java's hashCode of the key value as its Java object (Integer, String..). */
extern int32 java_value_hash(Datum value, bool isnull, Oid type);
/* Java's hashCode of the String Siddhi makes of the values (toString). */
extern int32 java_concat_hash(const Datum *values, const bool *isnull,
							  const Oid *types, int n);

/*
 * window_index.c: a window's events hashed by a join key.  window.c
 * creates one when the plan asks for it and routes the window's callback
 * through it.
 */
typedef struct WindowIndex WindowIndex;

extern void window_index_create(SiddhiWindow *w, const SiddhiWindowPlan *plan);
extern void window_index_add(SiddhiWindow *w, const SiddhiWindowEvent *ev,
							 SiddhiEventFn fn, void *arg);
extern void window_index_advance(SiddhiWindow *w, int64 now, SiddhiEventFn fn,
								 void *arg);
/* A restored window's events entered in its index (desc: their row type). */
extern void window_index_restore(SiddhiWindow *w, TupleDesc desc);
extern void window_index_input_end(SiddhiWindow *w, int64 now,
								   SiddhiEventFn fn, void *arg);

/*
 * The time an arrival's expiries are stamped with: the clock as it came
 * (SiddhiWindowEvent.now), later than its own time for a late event in
 * playback or a row of a chunk from upstream, as Siddhi's windows stamp
 * them with their current time.
 */
#define WINDOW_EVENT_NOW(ev) Max((ev)->now, (ev)->timestamp)

/*
 * Hand out as current an event the window does not keep (a session's row
 * that came past its session's end, a delay's release), flagged as
 * passing while it goes (SiddhiWindow.passing).
 */
static inline void
window_emit_passing(SiddhiWindow *w, SiddhiEventFn fn, void *arg,
					MinimalTuple tuple, int64 ts)
{
	w->passing = true;
	PG_TRY();
	{
		fn(arg, SIDDHI_EVENT_CURRENT, tuple, ts);
	}
	PG_FINALLY();
	{
		w->passing = false;
	}
	PG_END_TRY();
}

#endif /* SIDDHI_WINDOW_INT_H */
