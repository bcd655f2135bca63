/*-------------------------------------------------------------------------
 *
 * engine_int.h
 *	  What the engine worker's files share: the apps it runs (engine.c),
 *	  when it saves their state (epochs.c), how it waits (engine_wait.c).
 *
 *-------------------------------------------------------------------------
 */
#ifndef SIDDHI_WORKER_ENGINE_INT_H
#define SIDDHI_WORKER_ENGINE_INT_H

#include <signal.h>

#include "nodes/pg_list.h"
#include "siddhi/depend.h"
#include "siddhi/runtime.h"
#include "utils/timestamp.h"

typedef struct LoadedApp
{
	char *name;
	TimestampTz deployed_at;
	MemoryContext cxt;
	SiddhiAppRuntime *runtime;
	SiddhiAppWatch *watch; /* what it uses (invalidate.c) */
} LoadedApp;

/*
 * Epochs (epochs.c), in a batch's transaction: save the state of the apps'
 * queries that changed, always when must (the batch consumed durable
 * events or source records), else when it is due; then, once the batch
 * committed, take what was saved as the queries' state now.
 */
extern void siddhi_epoch_save(List *loaded, bool must);
extern void siddhi_epoch_committed(List *loaded);
/* an app was replaced: its runtime's state now, to the new deployment */
extern void siddhi_epoch_hand_over(LoadedApp *la, TimestampTz to);
/* what each batch fed and how long it took, for siddhi.state_budget */
extern void siddhi_epoch_fed(uint64 events);
extern void siddhi_epoch_busy(double ms);

/*
 * engine_wait.c: an idle engine's sleep, until something may be due; *idle
 * is set while it waits.
 */
extern void engine_wait(TimestampTz now, bool blocked, long sink_timeout,
						volatile sig_atomic_t *idle);

#endif /* SIDDHI_WORKER_ENGINE_INT_H */
