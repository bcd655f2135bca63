/*-------------------------------------------------------------------------
 *
 * state.h
 *	  The engine's half of epochs: saving the state of the queries that
 *	  changed in each batch's transaction, and restoring it when an app
 *	  starts (src/worker/state.c).
 *
 *-------------------------------------------------------------------------
 */
#ifndef SIDDHI_WORKER_STATE_H
#define SIDDHI_WORKER_STATE_H

#include "siddhi/runtime.h"
#include "utils/timestamp.h"

/*
 * In a batch's transaction, SPI connected: write the state of each query
 * of the app that changed into siddhi.query_state.
 */
extern void siddhi_state_save_app(const char *app, TimestampTz deployed_at,
								  SiddhiAppRuntime *rt);

/*
 * An app just started (SPI connected): restore each query's saved state
 * whose fingerprint is still the query's, and forget the others.
 */
extern void siddhi_state_restore_app(const char *app, TimestampTz deployed_at,
									 SiddhiAppRuntime *rt);

/*
 * Saving is off: the app's saved state (stale from now on) is deleted
 * (SPI connected).
 */
extern void siddhi_state_forget_app(const char *app);

/*
 * Whether the app has saved state for its deployment of deployed_at: a
 * replace with keep_state moved it there (SPI connected).
 */
extern bool siddhi_state_kept(const char *app, TimestampTz deployed_at);

#endif /* SIDDHI_WORKER_STATE_H */
