/*-------------------------------------------------------------------------
 *
 * cdc_int.h
 *	  Inside the Postgres CDC source: the state the source (cdc_source.c)
 *	  and the output plugin (cdc_plugin.c) share while the engine worker
 *	  decodes WAL.
 *
 * A change becomes a queue entry in the plugin's change callback (the
 * stream's row as a passThrough payload: the row type's signature and a
 * MinimalTuple, every value whole), a transaction's commit an entry of
 * its own (its end LSN); the source hands entries out as records.
 *
 *-------------------------------------------------------------------------
 */
#ifndef SIDDHI_CDC_INT_H
#define SIDDHI_CDC_INT_H

#include "access/xlogdefs.h"
#include "lib/stringinfo.h"
#include "replication/logical.h"
#include "siddhi/cdc.h"
#include "storage/buffile.h"

/* kinds of queue entries */
#define CDC_ENTRY_CHANGE 1
#define CDC_ENTRY_COMMIT 2

typedef struct CdcEntryHeader
{
	uint32 len;	 /* payload bytes after this header */
	uint32 kind; /* CDC_ENTRY_* */
	int64 idx;	 /* change: its number in its transaction, from 1 */
	int64 lsn;	 /* the transaction's end LSN */
	int64 ts;	 /* commit time, ms since the Unix epoch */
} CdcEntryHeader;

typedef struct CdcState
{
	MemoryContext cxt;		 /* the source runtime's */
	MemoryContext tmpcxt;	 /* reset per change */
	MemoryContext decodecxt; /* reset per poll */
	char *app;
	char *source;
	char slot[NAMEDATALEN];
	char *table; /* as written in table.name */
	Oid relid;
	int ops;				/* CDC_OP_* mask */
	ReplicationSlot *slotp; /* ours, acquired (MyReplicationSlot when used) */
	bool own_writes;		/* include.engine.writes */
	TupleDesc desc;			/* the stream's */
	uint32 sig;				/* its signature (passThrough) */
	CdcAttKind *kinds;		/* per stream attribute */
	char **colnames;		/* per stream attribute: its column, or NULL */
	bool needs_old;			/* some before_ attribute */
	LogicalDecodingContext *ctx;
	bool ready;		   /* the slot is persistent and consistent */
	bool created;	   /* we created the slot this run */
	XLogRecPtr resume; /* committed end LSN ("lsn") */
	int64 skip;		   /* changes of the first transaction committed */
	bool skipping;	   /* still in that first transaction */
	/* the transaction being replayed */
	int64 txn_idx;
	bool txn_any;
	bool replayed; /* this decoding turn replayed a transaction */
	/* the queue: entries in mem from mem_read; then the spill file */
	StringInfoData mem;
	int mem_read;
	BufFile *spill;
	int64 spill_bytes; /* written */
	int64 spill_read;  /* read */
	int64 queued;	   /* entries not handed out */
	int64 queued_bytes;
	/* handed out, not committed yet */
	StringInfoData out;
	XLogRecPtr polled_lsn; /* end LSN of the last whole transaction out */
	bool uncommitted;	   /* records out that are not committed */
	XLogRecPtr confirmed;  /* what we told the slot */
	int64 changes;		   /* counted, for status */
	int timerfd;		   /* wakes the worker (cdc_wait_fd), or -1 */
	XLogRecPtr seen_flush; /* the flush pointer at the last wait */
	TimestampTz moved_at;  /* when a wait last saw WAL move */
	char error[256];
} CdcState;

/* cdc_plugin.c: the state decoding feeds now (NULL: none) */
extern CdcState *siddhi_cdc_active;
extern void siddhi_cdc_queue_entry(CdcState *st, CdcEntryHeader *h,
								   const char *data);
/* the engine worker's replication origin (own writes), or InvalidRepOriginId */
extern RepOriginId siddhi_cdc_own_origin;

#endif /* SIDDHI_CDC_INT_H */
