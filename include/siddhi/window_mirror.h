/*-------------------------------------------------------------------------
 *
 * window_mirror.h
 *	  A named window's contents, shown in a table (window_mirror.c).
 *
 *-------------------------------------------------------------------------
 */
#ifndef SIDDHI_WINDOW_MIRROR_H
#define SIDDHI_WINDOW_MIRROR_H

#include "siddhi/window.h"

typedef struct SiddhiWindowMirror SiddhiWindowMirror;

/* Mirror into table relid, which is emptied now (the window starts empty). */
extern SiddhiWindowMirror *siddhi_mirror_create(Oid relid,
												MemoryContext parent);

/* The window emitted tuple as current / as expired. */
extern void siddhi_mirror_arrive(SiddhiWindowMirror *m, MinimalTuple tuple);
extern void siddhi_mirror_leave(SiddhiWindowMirror *m, MinimalTuple tuple);

/* End of a batch: write what changed, in the current transaction. */
extern void siddhi_mirror_flush(SiddhiWindowMirror *m, SiddhiWindow *window);

/* A write failed (and was rolled back): rebuild at the next flush. */
extern void siddhi_mirror_invalidate(SiddhiWindowMirror *m);

extern void siddhi_mirror_reset_pending(SiddhiWindowMirror *m);
/*
 * The window was replaced by a copy holding the same events in the same
 * order (siddhi.state_roundtrip): the rows, known by the old tuples
 * (olds, in the old window's scan order), are known by the new ones
 * (news) from now on, and the table is not touched.  When they do not
 * pair up, the table is shown afresh at the next flush.
 */
extern void siddhi_mirror_rekey(SiddhiWindowMirror *m, MinimalTuple *olds,
								MinimalTuple *news, int n);
extern void siddhi_mirror_scan_event(void *arg, SiddhiEventKind kind,
									 MinimalTuple tuple, int64 timestamp);

#endif /* SIDDHI_WINDOW_MIRROR_H */
