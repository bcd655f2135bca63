/*-------------------------------------------------------------------------
 *
 * stats_int.h
 *	  What stats.c (queries) and metrics.c (apps, streams, databases)
 *	  share.
 *
 *-------------------------------------------------------------------------
 */
#ifndef SIDDHI_STATS_INT_H
#define SIDDHI_STATS_INT_H

#include "storage/lwlock.h"

/* stats.c: the lock of the query entries, which also guards the apps' */
extern LWLock *siddhi_stats_lock(void);
extern void siddhi_stats_batch_end(Oid dboid, void (*app_fn)(int app_index,
															 int64 max_ts));

/*
 * metrics.c: the app entry of a query being claimed (index, or -1 when
 * none is free), released with the app's queries (app NULL: every app of
 * the database).  Caller holds siddhi_stats_lock() exclusively.
 */
extern int siddhi_metrics_app_claim(Oid dboid, const char *app, Oid owner);
extern void siddhi_metrics_app_release(Oid dboid, const char *app);

#endif /* SIDDHI_STATS_INT_H */
