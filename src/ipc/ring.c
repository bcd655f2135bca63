/*-------------------------------------------------------------------------
 *
 * ring.c
 *	  Byte rings in shared memory carrying event chunks from backends to
 *	  the engine worker of their database.
 *
 * Many producers, one consumer.  head and tail only grow; positions are
 * taken modulo the size.  Producers copy a whole chunk under the ring's
 * LWLock (chunks are at most a few tens of kB), so a chunk is either
 * entirely in the ring or not at all; the consumer copies whole chunks
 * out under the same lock, or hands them where they are (below).  A full
 * ring makes producers wait: nothing is dropped.
 *
 * A committing transaction reserves room for its last marker (COMMIT or
 * ABORT) when it pushes PRECOMMIT, because after its commit record it may
 * neither wait nor fail: reserved bytes count as used for everyone else.
 *
 * What the engine popped keeps its room until the batch it went into has
 * committed (consumed).  So the engine reads the chunks it popped in the
 * ring itself, where they lie whole (siddhi_ring_pop's runs): no producer
 * writes there before siddhi_ring_consume; only a chunk across the ring's
 * end is copied out.  And an engine terminated in the middle of a batch
 * (pg_terminate_backend while it waits for a lock, DROP DATABASE) loses
 * nothing, the next one reads the batch again (siddhi_ring_rewind).
 * Rows it had taken into its pending store (src/worker/pending.c:
 * transactions still open) are in its memory or temporary files only and
 * are lost with it.  The engine then wakes the
 * producers waiting for room through a condition variable.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "miscadmin.h"
#include "pgstat.h"
#include "siddhi/ipc.h"
#include "siddhi/metrics.h"
#include "siddhi/shmem.h"
#include "storage/shmem.h"
#include "fmgr.h"
#include "siddhi/errors.h"
#include "utils/timestamp.h"

static char *rings_base = NULL;

static Size
ring_bytes(void)
{
	return MAXALIGN(offsetof(SiddhiRing, data) +
					(Size) siddhi_ring_size_kb * 1024);
}

Size
siddhi_ring_shmem_size(void)
{
	return mul_size(ring_bytes(), siddhi_max_databases);
}

void
siddhi_ring_shmem_init(void)
{
	bool found;
	LWLockPadded *locks = GetNamedLWLockTranche("siddhi");

	rings_base =
		ShmemInitStruct("siddhi rings", siddhi_ring_shmem_size(), &found);
	if (found)
		return;
	for (int i = 0; i < siddhi_max_databases; i++)
	{
		SiddhiRing *ring = (SiddhiRing *) (rings_base + i * ring_bytes());

		ring->lock = &locks[1 + i].lock;
		ring->slot = i;
		ConditionVariableInit(&ring->space_cv);
		ring->size = (uint64) siddhi_ring_size_kb * 1024;
		ring->head = ring->tail = ring->consumed = 0;
		ring->replay_from = 0;
		ring->replays = 0;
		ring->pushed_chunks = 0;
		ring->reserved = 0;
		ring->done = 0;
		ConditionVariableInit(&ring->done_cv);
	}
}

SiddhiRing *
siddhi_ring_for_slot(int slot)
{
	Assert(slot >= 0 && slot < siddhi_max_databases);
	return (SiddhiRing *) (rings_base + slot * ring_bytes());
}

/*
 * Room for a producer: what the engine has not consumed (popped and
 * committed, or taken into its pending store) and what committing
 * transactions reserved for their last marker are both in use.  Caller
 * holds the ring's lock.
 */
static inline uint64
ring_free(SiddhiRing *ring)
{
	return ring->size - (ring->head - ring->consumed) - ring->reserved;
}

static void
ring_copy_in(SiddhiRing *ring, const char *src, Size len)
{
	uint64 pos = ring->head % ring->size;
	Size first = Min(len, ring->size - pos);

	memcpy(ring->data + pos, src, first);
	if (first < len)
		memcpy(ring->data, src + first, len - first);
	ring->head += len;
}

static void
ring_copy_out(SiddhiRing *ring, char *dst, Size len)
{
	uint64 pos = ring->tail % ring->size;
	Size first = Min(len, ring->size - pos);

	memcpy(dst, ring->data + pos, first);
	if (first < len)
		memcpy(dst + first, ring->data, len - first);
	ring->tail += len;
}

void
siddhi_ring_push(SiddhiRing *ring, const char *chunk, Size len)
{
	siddhi_ring_push_reserve(ring, chunk, len, 0);
}

void
siddhi_ring_push_reserve(SiddhiRing *ring, const char *chunk, Size len,
						 Size reserve)
{
	bool sleeping = false;
	bool wake = false;
	uint64 wait_start = 0;

	if (len + reserve > ring->size)
		ereport(
			ERROR,
			(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
			 errmsg("event of %zu bytes does not fit in the event ring", len),
			 errhint("Raise siddhi.ring_size (now %d kB).",
					 siddhi_ring_size_kb)));
	for (;;)
	{
		LWLockAcquire(ring->lock, LW_EXCLUSIVE);
		if (ring_free(ring) >= len + reserve)
		{
			/*
			 * Crossing half full wakes the engine: rows of an open
			 * transaction wake no one else, and it should drain the ring
			 * before producers have to wait.
			 */
			wake = ring->head - ring->tail < ring->size / 2 &&
				   ring->head - ring->tail + len >= ring->size / 2;
			ring_copy_in(ring, chunk, len);
			ring->reserved += reserve;
			ring->pushed_chunks++;
			LWLockRelease(ring->lock);
			break;
		}
		LWLockRelease(ring->lock);

		/*
		 * The engine itself (a user's trigger or function inserting into a
		 * stream) cannot wait: only its own batch's commit makes room, and
		 * the chunks it popped are read where they lie until then, so their
		 * room may not be given away either.  The insert fails instead, in
		 * the query step that made it.
		 */
		if (siddhi_in_engine)
			ereport(ERROR,
					(errcode(ERRCODE_CONFIGURATION_LIMIT_EXCEEDED),
					 errmsg("no room in the event ring for events the "
							"engine inserts itself"),
					 errdetail("The engine makes room in the ring when its "
							   "batch commits: a function or trigger it "
							   "runs cannot wait for room."),
					 errhint("Raise siddhi.ring_size (now %d kB), or insert "
							 "fewer events from inside a query.",
							 siddhi_ring_size_kb)));

		/* the engine is behind: wait for room, never drop */
		siddhi_wake_worker(ring->slot);
		if (!sleeping)
		{
			ConditionVariablePrepareToSleep(&ring->space_cv);
			sleeping = true;
			wait_start = siddhi_metrics_clock_ns();
		}
		else
			(void) ConditionVariableTimedSleep(&ring->space_cv, 1000,
											   PG_WAIT_EXTENSION);
	}
	if (sleeping)
	{
		ConditionVariableCancelSleep();
		/* the wait, for siddhi_stream_ring_wait_seconds_total */
		siddhi_metrics_ring_wait(ring->slot,
								 ((const SiddhiChunkHeader *) chunk)->relid,
								 siddhi_metrics_clock_ns() - wait_start);
	}
	if (wake)
		siddhi_wake_worker(ring->slot);
}

/*
 * Called after the transaction's commit record (or on its abort): no
 * waiting, no error.  The room was set aside by siddhi_ring_push_reserve.
 */
uint64
siddhi_ring_push_reserved(SiddhiRing *ring, const char *chunk, Size len)
{
	uint64 pos;

	LWLockAcquire(ring->lock, LW_EXCLUSIVE);
	Assert(ring->reserved >= len);
	ring->reserved -= Min(ring->reserved, len);
	pos = ring->head;
	ring_copy_in(ring, chunk, len);
	ring->pushed_chunks++;
	LWLockRelease(ring->lock);
	return pos;
}

void
siddhi_ring_unreserve(SiddhiRing *ring, Size len)
{
	LWLockAcquire(ring->lock, LW_EXCLUSIVE);
	Assert(ring->reserved >= len);
	ring->reserved -= Min(ring->reserved, len);
	LWLockRelease(ring->lock);
	ConditionVariableBroadcast(&ring->space_cv);
}

bool
siddhi_ring_try_push(SiddhiRing *ring, const char *chunk, Size len)
{
	bool pushed = false;

	LWLockAcquire(ring->lock, LW_EXCLUSIVE);
	if (ring_free(ring) >= len)
	{
		ring_copy_in(ring, chunk, len);
		ring->pushed_chunks++;
		pushed = true;
	}
	LWLockRelease(ring->lock);
	return pushed;
}

/* chunks are MAXALIGNed in length, so they lie aligned where data[] is */
StaticAssertDecl(offsetof(SiddhiRing, data) % MAXIMUM_ALIGNOF == 0,
				 "a ring's data must be MAXALIGNed for chunks read in place");

/*
 * Where the chunk at the ring's tail (length len) goes: true when it lies
 * whole in data[], not across its end, at an aligned address (its rows'
 * tuples are read where they are), so that it is handed in place.
 */
static inline bool
ring_in_place(SiddhiRing *ring, Size len)
{
	uint64 pos = ring->tail % ring->size;
	char *at = ring->data + pos;

	return pos + len <= ring->size && at == (char *) MAXALIGN(at);
}

Size
siddhi_ring_pop(SiddhiRing *ring, char *buf, Size max, uint64 *upto,
				SiddhiRingRun *runs, int *nruns)
{
	Size popped = 0;
	Size copied = 0;
	int n = 0;

	LWLockAcquire(ring->lock, LW_EXCLUSIVE);
	while (ring->head - ring->tail >= sizeof(SiddhiChunkHeader))
	{
		SiddhiChunkHeader hdr;
		uint64 save_tail = ring->tail;
		bool in_place;
		char *at;
		SiddhiRingRun *last = n > 0 ? &runs[n - 1] : NULL;

		ring_copy_out(ring, (char *) &hdr, sizeof(hdr));
		ring->tail = save_tail;
		Assert(hdr.length <= ring->size);
		if (popped > 0 && hdr.length > max - popped)
			break;
		in_place = ring_in_place(ring, hdr.length);
		at = in_place ? ring->data + ring->tail % ring->size : buf + copied;
		/* it extends the last run, or starts one (if there is room) */
		if (last == NULL || last->data + last->len != at)
		{
			if (n == SIDDHI_RING_MAX_RUNS)
				break;
			last = &runs[n++];
			last->data = at;
			last->len = 0;
			last->pos = ring->tail;
		}
		if (in_place)
			ring->tail += hdr.length;
		else
		{
			ring_copy_out(ring, buf + copied, hdr.length);
			copied += hdr.length;
		}
		last->len += hdr.length;
		popped += hdr.length;
	}
	*upto = ring->tail;
	LWLockRelease(ring->lock);
	*nruns = n;
	return popped;
}

void
siddhi_ring_consume(SiddhiRing *ring, uint64 pos)
{
	bool moved = false;

	LWLockAcquire(ring->lock, LW_EXCLUSIVE);
	if (pos > ring->consumed)
	{
		Assert(pos <= ring->tail);
		ring->consumed = pos;
		moved = true;
	}
	LWLockRelease(ring->lock);
	if (moved)
		ConditionVariableBroadcast(&ring->space_cv);
}

/* An engine that died this often in the same batch does not read it again */
#define RING_MAX_REPLAYS 3

Size
siddhi_ring_rewind(SiddhiRing *ring)
{
	Size again;
	uint64 from;
	bool give_up = false;

	LWLockAcquire(ring->lock, LW_EXCLUSIVE);
	again = ring->tail - ring->consumed;
	from = ring->consumed;
	if (again > 0)
	{
		if (ring->replay_from == from)
			ring->replays++;
		else
		{
			ring->replay_from = from;
			ring->replays = 1;
		}
		give_up = ring->replays > RING_MAX_REPLAYS;
		if (give_up)
			ring->consumed = ring->tail;
		else
			ring->tail = from;
	}
	LWLockRelease(ring->lock);
	if (give_up)
	{
		ConditionVariableBroadcast(&ring->space_cv);
		ereport(WARNING,
				(errcode(ERRCODE_SIDDHI_RUNTIME_ERROR),
				 errmsg("siddhi: dropped %zu bytes of events that the engine "
						"did not get through %d times",
						again, RING_MAX_REPLAYS),
				 errdetail("The engine stopped in the middle of the same "
						   "batch every time (see the earlier messages).")));
		return 0;
	}
	return again;
}

void
siddhi_ring_discard(SiddhiRing *ring)
{
	LWLockAcquire(ring->lock, LW_EXCLUSIVE);
	ring->tail = ring->consumed = ring->done = ring->head;
	ring->replays = 0;
	LWLockRelease(ring->lock);
	ConditionVariableBroadcast(&ring->space_cv);
	ConditionVariableBroadcast(&ring->done_cv);
}

void
siddhi_ring_mark_done(SiddhiRing *ring, uint64 pos)
{
	LWLockAcquire(ring->lock, LW_EXCLUSIVE);
	if (pos > ring->done)
		ring->done = pos;
	LWLockRelease(ring->lock);
	ConditionVariableBroadcast(&ring->done_cv);
}

PG_FUNCTION_INFO_V1(siddhi_flush);

/*
 * siddhi.flush(timeout_ms): wait until the engine has processed every
 * event committed in this database before the call (their table writes
 * are then visible).  Events of transactions still open are not waited
 * for.  Returns false on timeout.
 */
Datum
siddhi_flush(PG_FUNCTION_ARGS)
{
	int timeout_ms = PG_GETARG_INT32(0);
	int slot;
	SiddhiRing *ring;
	uint64 target;
	TimestampTz deadline;
	bool done = false;
	char nop[SIDDHI_MARKER_SIZE];

	siddhi_require_preload();
	slot = siddhi_db_slot(MyDatabaseId, false);
	if (slot < 0)
		PG_RETURN_BOOL(true); /* nothing was ever sent */
	ring = siddhi_ring_for_slot(slot);

	/*
	 * Every transaction that committed before this call pushed its COMMIT
	 * marker before this NOP (the marker is pushed before the commit
	 * returns), so the engine is done with them once it is done with the
	 * NOP.  Transactions still open, or committing concurrently, are not
	 * waited for: their rows wait in the engine without holding done back.
	 * Popping the NOP also makes the engine look at prepared transactions
	 * again, so a COMMIT PREPARED before the call is seen.
	 */
	memset(nop, 0, sizeof(nop));
	((SiddhiChunkHeader *) nop)->length = SIDDHI_MARKER_SIZE;
	((SiddhiChunkHeader *) nop)->kind = SIDDHI_CHUNK_NOP;
	siddhi_ring_push(ring, nop, SIDDHI_MARKER_SIZE);
	LWLockAcquire(ring->lock, LW_SHARED);
	target = ring->head;
	LWLockRelease(ring->lock);
	siddhi_wake_worker(slot);

	deadline = TimestampTzPlusMilliseconds(GetCurrentTimestamp(), timeout_ms);
	ConditionVariablePrepareToSleep(&ring->done_cv);
	for (;;)
	{
		LWLockAcquire(ring->lock, LW_SHARED);
		done = ring->done >= target;
		LWLockRelease(ring->lock);
		if (done || GetCurrentTimestamp() >= deadline)
			break;
		(void) ConditionVariableTimedSleep(&ring->done_cv, 50,
										   PG_WAIT_EXTENSION);
	}
	ConditionVariableCancelSleep();
	PG_RETURN_BOOL(done);
}
