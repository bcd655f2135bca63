/*-------------------------------------------------------------------------
 *
 * depend.h
 *	  What an app uses, told to PostgreSQL (src/catalog/depend.c) and
 *	  watched by the engine worker (src/worker/invalidate.c).
 *
 * Each deployed app has a placeholder view siddhi_app.<app name> whose
 * _RETURN rule carries pg_depend entries on every relation (and each of
 * its columns), function, operator and type the app uses, so that DROP,
 * ALTER .. TYPE and DROP COLUMN of them are refused without CASCADE
 * exactly as for a view.  The engine worker watches the same objects
 * through relcache and syscache invalidations.
 *
 *-------------------------------------------------------------------------
 */
#ifndef SIDDHI_DEPEND_H
#define SIDDHI_DEPEND_H

#include "access/tupdesc.h"
#include "siddhi/analyzer.h"

/* The schema of the placeholder views. */
#define SIDDHI_APP_SCHEMA "siddhi_app"

/*
 * Record what plan uses as dependencies of app name's placeholder view,
 * creating the view when missing and replacing what it recorded before.
 * Runs as the bootstrap superuser for the catalog work; no user code runs.
 */
extern void siddhi_depend_record(const char *name, SiddhiAppPlan *plan);

/*
 * The analyser notes every expression it resolves (before the planner
 * inlines SQL functions away) between siddhi_depend_begin() and the next
 * siddhi_depend_record(), which records them too.
 */
extern void siddhi_depend_begin(void);
extern void siddhi_depend_note(Node *expr);

/* Drop app name's placeholder view, if it exists. */
extern void siddhi_depend_drop(const char *name);

/*
 * The _RETURN rule of app name's placeholder view (and the view, in
 * *view), or InvalidOid.
 */
extern Oid siddhi_depend_rule(const char *name, Oid *view);

/*
 * The engine worker's watch over one app's dependencies
 * (src/worker/invalidate.c).  Built after the app loads, from the
 * pg_depend entries of its placeholder; marked dirty by invalidations of
 * anything it holds; checked between batches.
 */
typedef struct SiddhiAppWatch SiddhiAppWatch;

extern void siddhi_watch_init(void);
extern SiddhiAppWatch *siddhi_watch_build(const char *name, Oid owner);
extern void siddhi_watch_free(SiddhiAppWatch *w);
extern bool siddhi_watch_any_dirty(void);
extern bool siddhi_watch_dirty(SiddhiAppWatch *w);

/*
 * NULL when nothing the app depends on changed in a way that matters;
 * else why, and *gone tells whether something it uses no longer exists
 * (then the app cannot run again as it is), rather than changed.
 * Clears the dirty mark.  Needs a transaction.
 */
extern char *siddhi_watch_check(SiddhiAppWatch *w, bool *gone);

/*
 * Descriptor guards (belt and braces, src/common/desc_guard.c): a cheap
 * signature of a row type, stamped on the chunks of a stream, and whether
 * rows formed for `built` can be stored as they are into a relation whose
 * row type is now `now`.
 */
/*
 * Drop this backend's catalog caches without a catalog change (logical
 * decoding's historic lookups, src/connectors/cdc_*.c): the worker's
 * watches are not marked dirty by it (real changes still arrive through
 * the shared invalidation queue, one by one).
 */
extern void siddhi_local_cache_flush(void);
extern bool siddhi_local_cache_flushing(void);

extern uint32 siddhi_desc_signature(TupleDesc desc);
extern bool siddhi_desc_compatible(TupleDesc built, TupleDesc now);

/* ERROR unless rows formed for built can go into rel as they are. */
struct RelationData;
extern void siddhi_check_sink_desc(struct RelationData *rel, TupleDesc built);

#endif /* SIDDHI_DEPEND_H */
