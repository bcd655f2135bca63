/*-------------------------------------------------------------------------
 *
 * window.h
 *	  Windows over a query's input events (src/runtime/window.c).
 *
 * A window takes events one at a time and hands back, through a callback,
 * the events its query must process, each marked current or expired, in
 * Siddhi's order: the expired events an arrival pushes out come before
 * the arrival itself.  A window owns copies of the tuples it keeps, in its
 * own memory context; a tuple passed to the callback is valid only during
 * the call.
 *
 * Memory is bounded by the window's length: length(n) and lengthBatch(n)
 * keep at most n and 2n events; time(t) and timeBatch(t) keep the events
 * of the last t (timeBatch: 2t) milliseconds, as many as arrive in that
 * time.
 *
 *-------------------------------------------------------------------------
 */
#ifndef SIDDHI_WINDOW_H
#define SIDDHI_WINDOW_H

#include "access/htup_details.h"
#include "siddhi/analyzer.h"

typedef enum SiddhiEventKind
{
	SIDDHI_EVENT_CURRENT,
	SIDDHI_EVENT_EXPIRED,
	SIDDHI_EVENT_CHUNK_END /* no tuple: the events of one step are out */
} SiddhiEventKind;

typedef void (*SiddhiEventFn)(void *arg, SiddhiEventKind kind,
							  MinimalTuple tuple, int64 timestamp);

typedef struct SiddhiWindow SiddhiWindow;

/* A window of the given kind and length, in a context under parent. */
extern SiddhiWindow *siddhi_window_create(SiddhiWindowKind kind, int64 length,
										  int64 count, MemoryContext parent);

/*
 * One arriving event (ext: its time attribute, for externalTime): emit
 * what it causes through fn.
 */
extern void siddhi_window_add(SiddhiWindow *w, MinimalTuple tuple,
							  int64 timestamp, int64 ext, SiddhiEventFn fn,
							  void *arg);

/*
 * Time passes: the window's clock is now `now` (ms).  Time windows expire
 * or flush what is due, stamped with `now`, each flush ending with a
 * SIDDHI_EVENT_CHUNK_END; count windows do nothing.
 */
extern void siddhi_window_advance(SiddhiWindow *w, int64 now, SiddhiEventFn fn,
								  void *arg);

/* When the window next needs siddhi_window_advance, or -1 for never. */
extern int64 siddhi_window_deadline(SiddhiWindow *w);

/* Events the window holds now. */
extern int64 siddhi_window_size(SiddhiWindow *w);

#endif /* SIDDHI_WINDOW_H */
