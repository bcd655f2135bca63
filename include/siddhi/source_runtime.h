/*-------------------------------------------------------------------------
 *
 * source_runtime.h
 *	  The source framework as the engine worker drives it
 *	  (src/connectors/source.c, source_stats.c, secrets.c, inmemory.c).
 *
 * The engine calls, per app: siddhi_sources_start_app when it loads
 * (in the load's transaction: secrets resolved, committed positions read,
 * mappers made; a missing secret fails the app), siddhi_sources_stop_app
 * when it unloads.  Per turn of its loop: siddhi_sources_poll (outside any
 * transaction: starts sources due, polls each for at most
 * siddhi.source_batch_events records), then, when anything was polled,
 * siddhi_sources_feed inside the batch's transaction (decode, feed,
 * positions and stored errors written in that transaction), and after the
 * commit siddhi_sources_committed.  siddhi_sources_wait says what the
 * worker waits on between turns.
 *
 *-------------------------------------------------------------------------
 */
#ifndef SIDDHI_SOURCE_RUNTIME_H
#define SIDDHI_SOURCE_RUNTIME_H

#include "siddhi/analyzer.h"
#include "siddhi/runtime.h"
#include "siddhi/source.h"

/* siddhi.source_batch_events: records polled per source per batch */
extern int siddhi_source_batch_events;
/* siddhi.inmemory_queue_events: queue bound per topic and subscriber */
extern int siddhi_inmemory_queue_events;
/* siddhi.max_sources: entries of siddhi.sources, server-wide */
extern int siddhi_max_sources;

/* _PG_init: the settings above */
extern void siddhi_sources_define_gucs(void);
/* siddhi.cdc_memory (cdc_source.c) */
extern void siddhi_cdc_define_gucs(void);

/* source.c */
extern void siddhi_sources_start_app(const char *app, Oid owner,
									 SiddhiAppPlan *plan,
									 SiddhiAppRuntime *runtime);
extern void siddhi_sources_stop_app(const char *app);
extern int siddhi_sources_poll(void);
/*
 * The events fed; *consumed: whether any source's records (or stored
 * records re-fed) were consumed, even if they made no event: their
 * positions moved, so the batch must save the queries' state (engine.c)
 */
extern uint64 siddhi_sources_feed(bool *consumed);
extern void siddhi_sources_committed(void);
/*
 * Between turns: fills fds (up to max) with the descriptors to wait on;
 * *timeout_ms is lowered to when a source must be polled or restarted.
 * Returns the number of descriptors.
 */
extern int siddhi_sources_wait(int *fds, int max, long *timeout_ms);

/* secrets.c: ${NAME} in each option's value, from siddhi.secrets */
extern const char *siddhi_secrets_redact(const char *text);
extern List *siddhi_secrets_resolve(List *options, const char *app, Oid owner);
extern void siddhi_secrets_check(List *options, const char *source,
								 const char *app, Oid owner);

/* inmemory.c */
extern void siddhi_inmemory_sink_start(SiddhiAppRuntime *app,
									   SiddhiSinkPlan *plan);

/* source_stats.c: per-source counters in shared memory (siddhi.sources) */
typedef enum SiddhiSourceState
{
	SIDDHI_SOURCE_CONNECTING = 0,
	SIDDHI_SOURCE_RUNNING,
	SIDDHI_SOURCE_FAILED
} SiddhiSourceState;

typedef struct SiddhiSourceStats SiddhiSourceStats;
extern Size siddhi_source_stats_shmem_size(void);
extern void siddhi_source_stats_shmem_init(void);
extern SiddhiSourceStats *siddhi_source_stats_alloc(const char *app, Oid owner,
													const SiddhiSourcePlan *p);
extern void siddhi_source_stats_free(SiddhiSourceStats *e);
extern void siddhi_source_stats_free_db(Oid dboid);
extern void siddhi_source_stats_count(SiddhiSourceStats *e, int64 records,
									  int64 events, int64 errors);
extern void siddhi_source_stats_error(SiddhiSourceStats *e, const char *msg);
extern void siddhi_source_stats_state(SiddhiSourceStats *e,
									  SiddhiSourceState state,
									  const SiddhiSourceStatus *status);
/* siddhi.replay_errors asked the engine of this database for a replay */
extern uint32 siddhi_source_replay_generation(void);

#endif /* SIDDHI_SOURCE_RUNTIME_H */
