/*-------------------------------------------------------------------------
 *
 * window_ring.h
 *	  The ring windows of window.c (length, lengthBatch, time, timeBatch,
 *	  timeLength, externalTime), shared with their saving and restoring
 *	  (window_ring_state.c).
 *
 *-------------------------------------------------------------------------
 */
#ifndef SIDDHI_WINDOW_RING_H
#define SIDDHI_WINDOW_RING_H

#include "siddhi/state.h"
#include "siddhi/window.h"

typedef struct WindowSlot
{
	MinimalTuple tuple;
	int64 timestamp;
	int64 ext; /* externalTime: the event's own time */
} WindowSlot;

typedef struct RingWindow
{
	SiddhiWindow base;
	SiddhiWindowKind kind;
	bool current_event; /* stream.current.event */
	int64 start;		/* timeBatch start.time, or -1 */
	int64 length;		/* events, or milliseconds */
	int64 next_flush;	/* timeBatch: the next boundary; -1 before any event */
	int64 max_count;	/* timeLength: the most events kept */
	WindowSlot *slots;	/* length, time: a ring; batches: the batch */
	int64 head;			/* rings: the oldest slot */
	int64 count;
	int64 capacity;		  /* slots allocated */
	WindowSlot *previous; /* batches: the batch emitted last */
	int64 previous_count;
	int64 previous_capacity;
	/* first in, first out kinds: events that ever entered and left the
	 * ring; the oldest held has sequence number expired (incremental saves) */
	int64 added;
	int64 expired;
	int64 folded; /* folds_batches: events of the batch being collected */
} RingWindow;

extern void ring_window_grow(RingWindow *w);
extern void ring_window_grow_previous(RingWindow *w);

/*
 * A copy of tuple in a length window's memory: in spare's (an event that
 * left, or NULL) when it has room, else new (spare is freed).
 */
extern MinimalTuple ring_window_keep_in(RingWindow *w, MinimalTuple tuple,
										MinimalTuple spare);

/* window_ring_state.c */
extern void ring_window_serialize(SiddhiWindow *base, StringInfo buf);
extern void ring_window_restore(SiddhiWindow *base, SiddhiStateReader *r);
extern bool ring_window_serialize_parts(SiddhiWindow *base, int64 since,
										StringInfo head, StringInfo events,
										int64 *first, int64 *next);
extern void ring_window_restore_parts(SiddhiWindow *base,
									  SiddhiStateReader *head,
									  SiddhiStateReader *parts, int nparts);

#endif /* SIDDHI_WINDOW_RING_H */
