/*-------------------------------------------------------------------------
 *
 * durable.c
 *	  The engine's half of durable streams: each chunk of a durable stream
 *	  is fed exactly once, from the ring when it got there, else from
 *	  siddhi.stream_staging (src/ipc/durable_stage.c).
 *
 * A committed durable transaction T has its chunks in the staging table
 * until the batch that feeds T deletes them: that delete is the stream's
 * position, committed in the same transaction as the batch's results.
 * Which copy feeds T:
 *
 *	 engine start ─► start_xid = the next xid; the first batch feeds every
 *	                 transaction committed in the staging table ("replay",
 *	                 what a crash or stop left) and remembers their xids
 *	 T's chunks come through the ring, T committed:
 *	   T replayed at start            ─► skip its durable chunks (fed once)
 *	   T older than start_xid         ─► feed T's durable chunks from the
 *	                                    staging table (a previous worker
 *	                                    may have consumed its first chunks
 *	                                    and died), skip the ring's
 *	   else                           ─► feed the ring's chunks (fast path)
 *	 every batch ─► delete the staging rows of the transactions it fed
 *
 * After a crash (kill -9 of any backend, an immediate stop) shared memory
 * and the ring start empty and every backend is gone: every committed
 * durable transaction not fed is in the staging table and is replayed;
 * those that commit after the restart come through the new ring, and one
 * that did so before the replay's snapshot is skipped there.  A
 * transaction open at the replay commits later and comes through the
 * ring; if it is older than this worker, it is read from the staging
 * table, since chunks a previous worker consumed are not in the ring.
 *
 * Chunks of a subtransaction that rolled back are skipped as in
 * pending.c.  Replay feeds transactions in xid order (not commit order),
 * each in insert order.  The replayed xids are kept for the worker's life
 * (4 bytes each: as many as there were transactions to replay).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/transam.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "siddhi/catalog.h"
#include "siddhi/ipc.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/hsearch.h"
#include "utils/memutils.h"

#include "durable.h"

/* staging rows read at a time: at most this many 8 kB pieces in memory */
#define READ_PAGE 64

static TransactionId start_xid = InvalidTransactionId;
static bool replayed_done = false;
static HTAB *replayed = NULL;

/* per batch */
static List *fed_xids = NIL; /* xids (as Oid cells: both uint32) to delete */
static TransactionId cur_xid = InvalidTransactionId;
static bool cur_from_ring = false;

void
siddhi_durable_start(void)
{
	HASHCTL ctl;

	start_xid = ReadNextTransactionId();
	memset(&ctl, 0, sizeof(ctl));
	ctl.keysize = sizeof(TransactionId);
	ctl.entrysize = sizeof(TransactionId);
	ctl.hcxt = TopMemoryContext;
	replayed = hash_create("siddhi replayed durable transactions", 64, &ctl,
						   HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
	replayed_done = false;
}

static void
note_fed(TransactionId xid)
{
	MemoryContext old = MemoryContextSwitchTo(TopTransactionContext);

	fed_xids = lappend_oid(fed_xids, (Oid) xid);
	MemoryContextSwitchTo(old);
}

/* Feed one staged chunk (MAXALIGNed copy), unless its subxact aborted. */
static void
feed_staged_chunk(SiddhiChunkHeader *hdr, SiddhiFeedChunk feed)
{
	if (hdr->kind != SIDDHI_CHUNK_ROWS)
		return;
	if (hdr->xid != hdr->topxid && !TransactionIdDidCommit(hdr->xid))
		return;
	feed(hdr);
}

/*
 * Feed the staged chunks of one transaction (xid valid) or of all (the
 * replay), in (xid, n) order, READ_PAGE pieces at a time.  Returns the
 * chunks fed; with all, records each xid in replayed and fed_xids.
 */
static int64
feed_staged(TransactionId only, SiddhiFeedChunk feed)
{
	StringInfoData acc;
	int64 last_xid = -1;
	int32 last_n = -1;
	int64 chunks = 0;
	char *chunk = NULL;
	Size chunk_cap = 0;

	initStringInfo(&acc);
	for (;;)
	{
		Oid types[3] = { INT8OID, INT8OID, INT4OID };
		Datum vals[3];
		uint64 got;
		MemoryContext caller = CurrentMemoryContext;
		List *pieces = NIL; /* piece, xid, piece, xid, .. */
		ListCell *lc;

		vals[0] =
			Int64GetDatum(TransactionIdIsValid(only) ? (int64) only : -1);
		vals[1] = Int64GetDatum(last_xid);
		vals[2] = Int32GetDatum(last_n);
		SPI_connect();
		siddhi_catalog_spi(
			"SELECT xid, n, chunk FROM siddhi.stream_staging "
			"WHERE ($1 OPERATOR(pg_catalog.<) 0 OR xid OPERATOR(pg_catalog.=) "
			"$1) AND (xid, n) OPERATOR(pg_catalog.>) ($2, $3) "
			"ORDER BY xid, n LIMIT " CppAsString2(READ_PAGE),
			3, types, vals, NULL, true, true);
		got = SPI_processed;
		for (uint64 i = 0; i < got; i++)
		{
			bool isnull;
			HeapTuple t = SPI_tuptable->vals[i];
			TupleDesc d = SPI_tuptable->tupdesc;
			int64 xid = DatumGetInt64(SPI_getbinval(t, d, 1, &isnull));
			int32 n = DatumGetInt32(SPI_getbinval(t, d, 2, &isnull));
			bytea *b = DatumGetByteaPP(SPI_getbinval(t, d, 3, &isnull));
			MemoryContext old = MemoryContextSwitchTo(caller);
			StringInfo piece = makeStringInfo();

			appendBinaryStringInfo(piece, VARDATA_ANY(b),
								   VARSIZE_ANY_EXHDR(b));
			pieces = lappend(pieces, piece);
			pieces = lappend(pieces, (void *) (intptr_t) xid);
			MemoryContextSwitchTo(old);
			last_xid = xid;
			last_n = n;
		}
		SPI_finish();
		for (int i = 0; i < list_length(pieces); i += 2)
		{
			StringInfo piece = list_nth(pieces, i);
			TransactionId xid =
				(TransactionId) (intptr_t) list_nth(pieces, i + 1);

			if (!TransactionIdIsValid(only) &&
				!hash_search(replayed, &xid, HASH_FIND, NULL))
			{
				hash_search(replayed, &xid, HASH_ENTER, NULL);
				note_fed(xid);
			}
			appendBinaryStringInfo(&acc, piece->data, piece->len);
			/* whole chunks out of what was read */
			while (acc.len >= (int) sizeof(SiddhiChunkHeader))
			{
				SiddhiChunkHeader h;

				memcpy(&h, acc.data, sizeof(h));
				if (h.length < sizeof(h) || h.length > (uint32) acc.len)
					break;
				if (chunk_cap < h.length)
				{
					chunk_cap = h.length;
					chunk =
						chunk ? repalloc(chunk, chunk_cap) : palloc(chunk_cap);
				}
				memcpy(chunk, acc.data, h.length);
				feed_staged_chunk((SiddhiChunkHeader *) chunk, feed);
				chunks++;
				memmove(acc.data, acc.data + h.length, acc.len - h.length);
				acc.len -= h.length;
			}
		}
		foreach(lc, pieces)
		{
			/* every other cell is an xid, not a pointer */
			if (foreach_current_index(lc) % 2 == 0)
			{
				StringInfo piece = lfirst(lc);

				pfree(piece->data);
				pfree(piece);
			}
		}
		list_free(pieces);
		CHECK_FOR_INTERRUPTS();
		if (got < READ_PAGE)
			break;
	}
	if (acc.len > 0)
		ereport(WARNING,
				(errmsg("siddhi: %d bytes of a durable stream's staged "
						"chunk are incomplete and were skipped",
						acc.len)));
	pfree(acc.data);
	if (chunk)
		pfree(chunk);
	return chunks;
}

void
siddhi_durable_begin_batch(SiddhiFeedChunk feed)
{
	fed_xids = NIL;
	cur_xid = InvalidTransactionId;
	if (!replayed_done && TransactionIdIsValid(start_xid))
	{
		int64 n = feed_staged(InvalidTransactionId, feed);

		replayed_done = true;
		if (n > 0)
			ereport(LOG,
					(errmsg("siddhi: replayed %lld chunks of %ld committed "
							"transactions of durable streams",
							(long long) n, hash_get_num_entries(replayed))));
	}
}

void
siddhi_durable_feed(SiddhiChunkHeader *hdr, SiddhiFeedChunk feed)
{
	if (hdr->topxid != cur_xid)
	{
		TransactionId xid = hdr->topxid;
		bool found = false;

		cur_xid = xid;
		hash_search(replayed, &xid, HASH_REMOVE, &found);
		if (found)
			cur_from_ring = false; /* fed by the replay */
		else if (TransactionIdPrecedes(xid, start_xid))
		{
			/* a previous worker may have consumed some of its chunks */
			cur_from_ring = false;
			(void) feed_staged(xid, feed);
			note_fed(xid);
		}
		else
		{
			cur_from_ring = true;
			note_fed(xid);
		}
	}
	if (cur_from_ring)
		feed(hdr);
}

bool
siddhi_durable_end_batch(void)
{
	Datum *elems;
	ArrayType *arr;
	Datum val;
	int i = 0;
	ListCell *lc;

	if (fed_xids == NIL)
		return false;
	elems = palloc(sizeof(Datum) * list_length(fed_xids));
	foreach(lc, fed_xids)
		elems[i++] = Int64GetDatum((int64) (TransactionId) lfirst_oid(lc));
	arr = construct_array(elems, i, INT8OID, 8, FLOAT8PASSBYVAL,
						  TYPALIGN_DOUBLE);
	val = PointerGetDatum(arr);
	SPI_connect();
	siddhi_catalog_spi("DELETE FROM siddhi.stream_staging "
					   "WHERE xid OPERATOR(pg_catalog.=) ANY ($1)",
					   1, (Oid[]){ INT8ARRAYOID }, &val, NULL, false, true);
	SPI_finish();
	fed_xids = NIL;
	cur_xid = InvalidTransactionId;
	return true;
}
