/*-------------------------------------------------------------------------
 *
 * durable_stage.c
 *	  The producer's half of durable streams and of synchronous commit.
 *
 * A chunk of a durable stream goes to the ring as every chunk does (the
 * fast path) and, in the same transaction, into siddhi.stream_staging: the
 * chunk's bytes cut into pieces of at most STAGE_PIECE bytes each once
 * lz4-compressed (src/catalog/catalog_rows.c: as much of the chunk as
 * fits a row compressed, stored inline, storage MAIN, so nothing goes to
 * TOAST), numbered within the top-level transaction, written by one
 * heap_multi_insert (a WAL record per page), with one index entry each on
 * (xid, n).  A chunk's row headers and padding compress well, and what is
 * not written is neither WAL-logged nor written back (a third of the
 * bytes on bench/durability.sh's rows).  They become visible when the
 * transaction commits and vanish with it when it aborts, so after a crash
 * the rows left in the table are exactly the committed chunks the engine
 * has not yet processed: the engine deletes a transaction's rows in the
 * batch that feeds it (src/worker/durable.c), so that delete is the
 * stream's position, committed with the batch's results.
 *
 * The pieces are written with the heap and index access methods directly,
 * not through SQL (src/catalog/catalog_rows.c): the inserting role needs no privilege on the table
 * (which holds every role's events and is readable by no one but its
 * owner), and no trigger, rule or policy can be attached to it.
 *
 * Synchronous commit: after its COMMIT marker, the committing backend
 * waits until the engine's done position passes the marker (as
 * siddhi.flush() does), bounded by siddhi.synchronous_commit_timeout.
 * It runs after the commit record, so it may not fail: a timeout, a
 * cancel, or no engine running nor expected (the database's slot paused
 * or not wanted) end the wait with a WARNING; an engine that is starting
 * is waited for.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/table.h"
#include "access/xact.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "siddhi/catalog.h"
#include "siddhi/ipc.h"
#include "siddhi/shmem.h"
#include "storage/condition_variable.h"
#include "storage/lmgr.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/timestamp.h"

/* the most bytes of a staging row's piece: a row then fits one 8 kB page */
#define STAGE_PIECE 8000
/* pieces written by one heap_multi_insert */
#define STAGE_MAX_PIECES 64

/* pieces staged by this top-level transaction so far (their n) */
static int32 stage_n = 0;
static TransactionId stage_xid = InvalidTransactionId;

void
siddhi_stage_chunk(const char *chunk, Size len)
{
	TransactionId top = GetTopTransactionId();
	Relation rel;
	int npieces = 0;
	Datum *values;

	if (top != stage_xid)
	{
		stage_xid = top;
		stage_n = 0;
	}
	rel = siddhi_catalog_open_rows("stream_staging");
	/* all pieces of the chunk in one heap_multi_insert: one WAL record a page */
	values = palloc(sizeof(Datum) * 3 * STAGE_MAX_PIECES);
	for (Size off = 0; off < len; npieces++)
	{
		if (npieces == STAGE_MAX_PIECES)
		{
			siddhi_catalog_insert_rows(rel, values, NULL, npieces);
			for (int p = 0; p < npieces; p++)
				pfree(DatumGetPointer(values[p * 3 + 2]));
			npieces = 0;
		}
		values[npieces * 3] = Int64GetDatum((int64) top);
		values[npieces * 3 + 1] = Int32GetDatum(stage_n++);
		values[npieces * 3 + 2] =
			siddhi_catalog_next_piece(chunk, len, &off, STAGE_PIECE);
	}
	siddhi_catalog_insert_rows(rel, values, NULL, npieces);
	for (int p = 0; p < npieces; p++)
		pfree(DatumGetPointer(values[p * 3 + 2]));
	pfree(values);
	table_close(rel, RowExclusiveLock);
}

void
siddhi_sync_commit_wait(int slot, uint64 marker_pos)
{
	SiddhiRing *ring = siddhi_ring_for_slot(slot);
	TimestampTz deadline;
	bool done = false;

	/*
	 * No engine now and none to come (the slot is paused by DROP/ALTER
	 * DATABASE, or not wanted): do not wait.  An engine that is starting
	 * (just after a deploy, after a crash) is waited for.
	 */
	if (siddhi_shared->dbs[slot].worker_pid == 0 &&
		(siddhi_shared->dbs[slot].paused || !siddhi_shared->dbs[slot].wanted))
	{
		ereport(WARNING,
				(errmsg("siddhi: the engine is not running: this "
						"transaction's events are committed but not yet "
						"processed"),
				 errdetail("With siddhi.synchronous_commit on, COMMIT waits "
						   "for the engine's results; no engine worker runs "
						   "for this database."),
				 errhint("See siddhi.apps and the server log; "
						 "siddhi.flush() waits for them later.")));
		return;
	}
	deadline = TimestampTzPlusMilliseconds(GetCurrentTimestamp(),
										   siddhi_sync_commit_timeout_ms);
	ConditionVariablePrepareToSleep(&ring->done_cv);
	for (;;)
	{
		LWLockAcquire(ring->lock, LW_SHARED);
		done = ring->done > marker_pos;
		LWLockRelease(ring->lock);
		if (done || GetCurrentTimestamp() >= deadline)
			break;
		/* after the commit record: interrupts are held, handle them here */
		if (ProcDiePending)
			break;
		if (QueryCancelPending)
		{
			QueryCancelPending = false;
			ereport(WARNING,
					(errmsg("siddhi: canceling the wait for the engine's "
							"results of this transaction"),
					 errdetail("The transaction has already committed; its "
							   "events will be processed.")));
			break;
		}
		(void) ConditionVariableTimedSleep(&ring->done_cv, 50,
										   PG_WAIT_EXTENSION);
	}
	ConditionVariableCancelSleep();
	if (!done && !ProcDiePending && GetCurrentTimestamp() >= deadline)
		ereport(WARNING,
				(errmsg("siddhi: the engine did not process this "
						"transaction's events within "
						"siddhi.synchronous_commit_timeout (%d ms)",
						siddhi_sync_commit_timeout_ms),
				 siddhi_shared->dbs[slot].worker_pid == 0
					 ? errdetail("The transaction has committed; no engine "
								 "worker runs for this database yet.")
					 : errdetail("The transaction has committed; its results "
								 "may not be visible yet.")));
}
