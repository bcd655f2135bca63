/*-------------------------------------------------------------------------
 *
 * ipc.h
 *	  Moving events between backends and the engine worker (src/ipc/).
 *
 * Producers (backends running INSERT/COPY into a stream) append chunks to
 * the ring of their database; the engine worker is the only consumer.  A
 * rows chunk holds rows of one stream relation inserted by one
 * (sub)transaction:
 *
 *	 SiddhiChunkHeader | SiddhiRowHeader MinimalTuple | SiddhiRowHeader ...
 *
 * each part MAXALIGNed.  Rows go to the ring before their transaction
 * commits (a large COPY never waits in backend memory).  A transaction
 * that pushed rows then pushes header-only markers: PRECOMMIT with its
 * last chunk at pre-commit (reserving ring space for the next marker),
 * then COMMIT (with the end LSN of its commit record), ABORT or PREPARED
 * into that reserved space, which never waits and cannot fail.  The
 * engine feeds a transaction's rows when it has seen its COMMIT, in the
 * order of the commit records (src/worker/pending.c explains why the ring
 * gives it that order), drops them on ABORT, and asks the commit log
 * about prepared transactions.
 *
 *-------------------------------------------------------------------------
 */
#ifndef SIDDHI_IPC_H
#define SIDDHI_IPC_H

#include "access/htup_details.h"
#include "access/xlogdefs.h"
#include "storage/condition_variable.h"
#include "storage/lwlock.h"

typedef enum SiddhiChunkKind
{
	SIDDHI_CHUNK_ROWS = 0,	/* rows of one stream (or an advance_clock) */
	SIDDHI_CHUNK_PRECOMMIT, /* the transaction is about to commit */
	SIDDHI_CHUNK_COMMIT,	/* it committed; commit_lsn is set */
	SIDDHI_CHUNK_ABORT,		/* it aborted */
	SIDDHI_CHUNK_PREPARED,	/* it was prepared (two-phase commit) */
	SIDDHI_CHUNK_NOP		/* siddhi.flush(): a position to wait for */
} SiddhiChunkKind;

typedef struct SiddhiChunkHeader
{
	uint32 length; /* whole chunk, header included */
	uint32 nrows;
	TransactionId xid;	  /* (sub)transaction that inserted the rows */
	TransactionId topxid; /* its top-level transaction */
	Oid relid;			  /* stream relation */
	uint32 kind;		  /* SiddhiChunkKind */
	uint32 desc_sig;	  /* siddhi_desc_signature() of its row type */
	uint32 flags;		  /* SIDDHI_CHUNK_DURABLE (in the header's padding) */
	XLogRecPtr commit_lsn;
} SiddhiChunkHeader;

/*
 * A rows chunk of a durable stream: it was also written to
 * siddhi.stream_staging in its transaction (src/ipc/durable_stage.c), and
 * the engine deletes it there in the batch that feeds it
 * (src/worker/durable.c).
 */
#define SIDDHI_CHUNK_DURABLE 0x0001

#define SIDDHI_MARKER_SIZE MAXALIGN(sizeof(SiddhiChunkHeader))

typedef struct SiddhiRowHeader
{
	int64 timestamp; /* event time, ms since the Unix epoch */
	uint32 length;	 /* of the MinimalTuple that follows */
} SiddhiRowHeader;

/*
 * Writing a row in place (src/ipc/row.c): siddhi_row_layout says how much
 * room it takes (row_len, MAXALIGNed), siddhi_row_write fills it at a
 * MAXALIGNed address of the chunk's buffer.
 */
typedef struct SiddhiRowLayout
{
	bool hasnull;
	Size hoff;		/* the tuple's data offset */
	Size data_len;	/* its data */
	Size tuple_len; /* the MinimalTuple */
	Size row_len;	/* header and tuple, each MAXALIGNed */
} SiddhiRowLayout;

extern void siddhi_row_layout(TupleDesc desc, const Datum *values,
							  const bool *nulls, SiddhiRowLayout *l);
extern void siddhi_row_write(char *at, TupleDesc desc, const Datum *values,
							 const bool *nulls, int64 ts,
							 const SiddhiRowLayout *l);

/*
 * siddhi.advance_clock(): a chunk of relid InvalidOid whose one row (its
 * timestamp the new time) carries this instead of a tuple.  The worker
 * moves only the playback apps userid may manage (of that name, when app
 * is not empty).
 */
typedef struct SiddhiClockRequest
{
	Oid userid;
	char app[NAMEDATALEN]; /* "": every app userid may manage */
} SiddhiClockRequest;

#define SIDDHI_CHUNK_TARGET (64 * 1024)

typedef struct SiddhiRing
{
	LWLock *lock;				/* guards head and tail and the copy */
	int slot;					/* database slot, to wake its worker */
	ConditionVariable space_cv; /* producers wait here for room */
	uint64 size;				/* bytes of data[] */
	uint64 head;				/* next write position (monotonic) */
	uint64 tail;				/* next read position (monotonic) */
	uint64 consumed;			/* the engine committed all before this */
	uint64 replay_from;			/* last position the engine rewound to */
	int replays;				/* how often it rewound there */
	uint64 pushed_chunks;
	uint64 reserved;		   /* bytes kept free for COMMIT/ABORT markers */
	uint64 done;			   /* everything before this is processed */
	ConditionVariable done_cv; /* siddhi.flush() waits here */
	/*
	 * MAXALIGNed, so that a chunk (whose length is) lies at an aligned
	 * address and the engine reads its rows in place (ring.c); without
	 * the attribute it began at offset 108 and every chunk was copied.
	 */
	char data[FLEXIBLE_ARRAY_MEMBER] pg_attribute_aligned(MAXIMUM_ALIGNOF);
} SiddhiRing;

extern Size siddhi_ring_shmem_size(void);
extern void siddhi_ring_shmem_init(void);
extern SiddhiRing *siddhi_ring_for_slot(int slot);

/*
 * Append one chunk, waiting for room; errors if it can never fit.  In the
 * engine (a function or trigger it runs inserting into a stream) it never
 * waits: no room now is an error.
 */
extern void siddhi_ring_push(SiddhiRing *ring, const char *chunk, Size len);

/*
 * Append len bytes of chunks and keep reserve more bytes free for later
 * siddhi_ring_push_reserved calls (waits for room for both, but in the
 * engine, as above).
 */
extern void siddhi_ring_push_reserve(SiddhiRing *ring, const char *chunk,
									 Size len, Size reserve);
/* Append into space reserved before: never waits, never fails. */
extern uint64 siddhi_ring_push_reserved(SiddhiRing *ring, const char *chunk,
										Size len);
/* Give back reserved room that will not be used. */
extern void siddhi_ring_unreserve(SiddhiRing *ring, Size len);
/* Append if there is room now; false if not (never waits). */
extern bool siddhi_ring_try_push(SiddhiRing *ring, const char *chunk,
								 Size len);

/* Record that everything up to position pos has been processed. */
extern void siddhi_ring_mark_done(SiddhiRing *ring, uint64 pos);

/*
 * What siddhi_ring_pop hands out: consecutive chunks at data, len bytes,
 * the first at ring position pos.
 */
typedef struct SiddhiRingRun
{
	char *data;
	Size len;
	uint64 pos;
} SiddhiRingRun;

#define SIDDHI_RING_MAX_RUNS 4

/*
 * Pop whole chunks, up to max bytes but at least one chunk, as at most
 * SIDDHI_RING_MAX_RUNS runs (*nruns of them): in the ring itself where
 * chunks lie whole, copied into buf (which must hold ring->size bytes)
 * where one lies across the ring's end.  Returns the bytes popped.  The
 * space, and so the runs in the ring, stay the caller's until
 * siddhi_ring_consume().
 */
extern Size siddhi_ring_pop(SiddhiRing *ring, char *buf, Size max,
							uint64 *upto, SiddhiRingRun *runs, int *nruns);

/* The engine committed everything popped up to pos: producers may reuse it. */
extern void siddhi_ring_consume(SiddhiRing *ring, uint64 pos);

/*
 * At engine start: read again what the previous engine popped but did not
 * commit (it was terminated in the middle of a batch).  Returns the bytes
 * to read again.
 */
extern Size siddhi_ring_rewind(SiddhiRing *ring);

/* Drop everything in the ring (a slot given to another database). */
extern void siddhi_ring_discard(SiddhiRing *ring);

/* stream_fdw.c: the per-transaction buffer is flushed by the xact hooks */
extern void siddhi_stream_xact_init(void);

/*
 * durable_stage.c: a durable stream's chunk into siddhi.stream_staging, in
 * the inserting transaction; and the wait of synchronous commit.
 */
extern void siddhi_stage_chunk(const char *chunk, Size len);
extern void siddhi_sync_commit_wait(int slot, uint64 marker_pos);

/* subscription.c */
/* A replace recreated stream from as to: its watchers follow (at commit). */
extern void siddhi_subscriptions_move(Oid dboid, Oid from, Oid to);
extern Size siddhi_subscription_shmem_size(void);
extern void siddhi_subscription_shmem_init(void);
/* Does any session watch this stream relation? (cheap, no lock) */
extern bool siddhi_stream_watched(Oid dboid, Oid relid);
/*
 * Deliver one event to every session watching the stream; json NULL: the
 * event could not be made, counted as overflowed for each.
 */
extern void siddhi_subscription_deliver(Oid dboid, Oid relid, bool expired,
										int64 timestamp, const char *json,
										Size len);

/* stats.c: per-query counters in shared memory */
extern Size siddhi_stats_shmem_size(void);
extern void siddhi_stats_shmem_init(void);
typedef struct SiddhiQueryStats SiddhiQueryStats;
/* owner: the app's; members of its role may see the counters */
extern SiddhiQueryStats *siddhi_stats_alloc(Oid dboid, const char *app,
											const char *query, Oid owner);
extern void siddhi_stats_free_app(Oid dboid, const char *app);
extern void siddhi_stats_count(SiddhiQueryStats *stats, int64 in, int64 out);
extern void siddhi_stats_error(SiddhiQueryStats *stats, const char *message);
extern void siddhi_stats_lookup(SiddhiQueryStats *stats, bool index);
extern void siddhi_stats_partial(SiddhiQueryStats *stats, int64 held,
								 int64 dropped);

#endif /* SIDDHI_IPC_H */
