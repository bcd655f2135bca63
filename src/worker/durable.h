/*-------------------------------------------------------------------------
 *
 * durable.h
 *	  The engine's half of durable streams (src/worker/durable.c).
 *
 *-------------------------------------------------------------------------
 */
#ifndef SIDDHI_DURABLE_H
#define SIDDHI_DURABLE_H

#include "pending.h"

/* At engine start, before the apps load: the next batch replays. */
extern void siddhi_durable_start(void);

/*
 * In each batch's transaction: first (the first batch replays what the
 * staging table holds), feed (a durable chunk from the ring: fed, skipped,
 * or its transaction read from the staging table) and last (deletes the
 * staging rows of what the batch fed: true when there were some).
 */
extern void siddhi_durable_begin_batch(SiddhiFeedChunk feed);
extern void siddhi_durable_feed(SiddhiChunkHeader *hdr, SiddhiFeedChunk feed);
/* ... returns whether the batch fed any durable chunk */
extern bool siddhi_durable_end_batch(void);

#endif /* SIDDHI_DURABLE_H */
