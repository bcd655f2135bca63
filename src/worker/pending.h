/*-------------------------------------------------------------------------
 *
 * pending.h
 *	  The engine's store of transactions whose rows reached it before they
 *	  committed (src/worker/pending.c).
 *
 *-------------------------------------------------------------------------
 */
#ifndef SIDDHI_PENDING_H
#define SIDDHI_PENDING_H

#include "siddhi/ipc.h"

typedef void (*SiddhiFeedChunk)(SiddhiChunkHeader *hdr);

extern void siddhi_pending_init(void);

/*
 * Take in the chunks and markers of buf (len bytes popped from the ring,
 * the first at ring position base).  Rows are only pointed to: call
 * siddhi_pending_keep before buf is reused.
 */
extern void siddhi_pending_absorb(char *buf, Size len, uint64 base);

/*
 * Ask the commit log about transactions no marker will settle (prepared
 * ones, and open ones that aborted without room for their marker).
 * upto: the ring position read so far.  Runs at most every 200 ms, and
 * whenever something was popped while a prepared transaction waits (so
 * that siddhi.flush() sees a COMMIT PREPARED that returned before it).
 */
extern void siddhi_pending_poll(uint64 upto, bool popped);

/* Is there a committed transaction that may be fed now? */
extern bool siddhi_pending_releasable(void);

/* Feed what may be fed, in commit order (inside the batch transaction). */
extern void siddhi_pending_release(SiddhiFeedChunk feed);

/* Copy borrowed rows out of the pop buffer, spilling beyond the budget. */
extern void siddhi_pending_keep(void);

/* The ring position before which everything committed has been fed. */
extern uint64 siddhi_pending_done(uint64 upto);

/* Should the engine look again soon without being woken? */
extern bool siddhi_pending_wants_poll(void);

/* Bytes of open transactions' rows held now (siddhi_pending_bytes). */
extern Size siddhi_pending_memory(void);

#endif /* SIDDHI_PENDING_H */
