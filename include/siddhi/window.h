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
 * keep at most n and 2n events.
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
	SIDDHI_EVENT_EXPIRED
} SiddhiEventKind;

typedef void (*SiddhiEventFn)(void *arg, SiddhiEventKind kind,
							  MinimalTuple tuple, int64 timestamp);

typedef struct SiddhiWindow SiddhiWindow;

/* A window of the given kind and length, in a context under parent. */
extern SiddhiWindow *siddhi_window_create(SiddhiWindowKind kind, int64 length,
										  MemoryContext parent);

/* One arriving event: emit what it causes through fn. */
extern void siddhi_window_add(SiddhiWindow *w, MinimalTuple tuple,
							  int64 timestamp, SiddhiEventFn fn, void *arg);

/* Events the window holds now. */
extern int64 siddhi_window_size(SiddhiWindow *w);

#endif /* SIDDHI_WINDOW_H */
