/*-------------------------------------------------------------------------
 *
 * state.c
 *	  Epochs: the engine saves the state of the queries that changed in
 *	  the transaction of the batch that changed them, and an app restores
 *	  it when it starts.
 *
 * Each batch (run_batch, run_timers in engine.c) ends by writing one row of
 * siddhi.query_state per query whose state changed in it: the state as
 * bytes (src/runtime/query_state.c), its fingerprint, and the app's
 * deployed_at.  A named window's contents ("#window W",
 * src/runtime/named_window_state.c) and the app's own state ("#app",
 * src/runtime/app_state.c) are rows of the same table.  The row commits with the batch's results, the staging rows
 * of durable streams it consumed and its sources' positions, so after any
 * crash the three agree: an app restores the state of its last committed
 * batch, and its inputs go on from the same point.
 *
 * A window that is first in, first out (length, time, ...) is saved
 * incrementally: its row holds the window's head (times, counters) and
 * each batch adds one row of siddhi.query_state_part with the events that
 * entered since; an event that left is skipped when the parts are read
 * back.  When the parts hold more than four times what the window does,
 * one part with what it holds replaces them all.
 *
 * At start (load_app) an app reads the rows saved for its deployed_at and
 * restores each into the query of the same key whose fingerprint (text,
 * row types of its inputs and output, clock) is the same; the rows it does
 * not restore (a query changed or gone) are deleted.  A damaged state is
 * an ERROR: the app fails to start and says so (redeploying it with
 * keep_state => false starts it empty).
 *
 * The statements are the engine's own: search_path pinned, run as the
 * bootstrap superuser (siddhi_catalog_spi), schema-qualified operators.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/table.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "siddhi/catalog.h"
#include "siddhi/errors.h"
#include "state.h"
#include "utils/builtins.h"

typedef struct SaveArg
{
	const char *app;
	TimestampTz deployed_at;
} SaveArg;

static bytea *
to_bytea(const char *data, int len)
{
	bytea *b = palloc(VARHDRSZ + len);

	SET_VARSIZE(b, VARHDRSZ + len);
	memcpy(VARDATA(b), data, len);
	return b;
}

/*
 * The most bytes of a part's piece, lz4-compressed, in one row (kept in
 * the row, see the table): with the row's app and key names, a page.
 */
#define PIECE_BYTES 7600

/* pieces written by one heap_multi_insert (their copies are then freed) */
#define PIECES_AT_ONCE 64

/*
 * A window's part, in pieces of at most PIECE_BYTES compressed, numbered
 * from 1, through the heap (src/catalog/catalog_rows.c: an array of pieces
 * through SQL copied a large part four times); the earlier parts go first
 * when it replaces them.
 */
static void
save_part(SaveArg *sa, const char *key, const SiddhiStatePart *part)
{
	Oid argtypes[2] = { TEXTOID, TEXTOID };
	Datum values[2];
	Datum rows[PIECES_AT_ONCE * 5];
	int npieces = 0;
	Size off = 0;
	Relation rel;

	values[0] = CStringGetTextDatum(sa->app);
	values[1] = CStringGetTextDatum(key);
	if (part->replace)
		siddhi_catalog_spi("DELETE FROM siddhi.query_state_part "
						   "WHERE app OPERATOR(pg_catalog.=) $1 "
						   "AND query OPERATOR(pg_catalog.=) $2",
						   2, argtypes, values, NULL, false, true);
	if (part->data == NULL)
		return;
	rel = siddhi_catalog_open_rows("query_state_part");
	while (off < (Size) part->len || npieces == 0)
	{
		int n = 0;

		/* an empty part still has its one (empty) piece */
		do
		{
			rows[n * 5] = values[0];
			rows[n * 5 + 1] = values[1];
			rows[n * 5 + 2] = Int64GetDatum(part->number);
			rows[n * 5 + 3] = Int32GetDatum(++npieces);
			rows[n * 5 + 4] =
				part->len == 0 ? PointerGetDatum(to_bytea(part->data, 0))
							   : siddhi_catalog_next_piece(
									 part->data, part->len, &off, PIECE_BYTES);
			n++;
		} while (n < PIECES_AT_ONCE && off < (Size) part->len);
		siddhi_catalog_insert_rows(rel, rows, NULL, n);
		for (int i = 0; i < n; i++)
			pfree(DatumGetPointer(rows[i * 5 + 4]));
	}
	table_close(rel, RowExclusiveLock);
}

static void
save_one(void *arg, const char *key, const char *fingerprint, const char *data,
		 int len, const char *reason, double save_ms,
		 const SiddhiStatePart *part)
{
	SaveArg *sa = arg;
	Oid argtypes[7] = { TEXTOID, TEXTOID,	TEXTOID,	   BYTEAOID,
						TEXTOID, FLOAT8OID, TIMESTAMPTZOID };
	Datum values[7];
	char nulls[7] = { ' ', ' ', ' ', ' ', ' ', ' ', ' ' };
	bytea *b = NULL;

	values[0] = CStringGetTextDatum(sa->app);
	values[1] = CStringGetTextDatum(key);
	values[2] = CStringGetTextDatum(fingerprint);
	if (data)
	{
		b = to_bytea(data, len);
		values[3] = PointerGetDatum(b);
	}
	else
		nulls[3] = 'n';
	if (reason)
		values[4] = CStringGetTextDatum(reason);
	else
		nulls[4] = 'n';
	values[5] = Float8GetDatum(save_ms);
	values[6] = TimestampTzGetDatum(sa->deployed_at);
	siddhi_catalog_spi(
		"INSERT INTO siddhi.query_state AS s (app, query, fingerprint, "
		"state, reason, saved_at, save_ms, deployed_at) "
		"VALUES ($1, $2, $3, $4, $5, pg_catalog.now(), $6, $7) "
		"ON CONFLICT (app, query) DO UPDATE SET "
		"fingerprint = excluded.fingerprint, state = excluded.state, "
		"reason = excluded.reason, saved_at = excluded.saved_at, "
		"save_ms = excluded.save_ms, deployed_at = excluded.deployed_at "
		"WHERE s.deployed_at OPERATOR(pg_catalog.=) excluded.deployed_at",
		7, argtypes, values, nulls, false, true);
	if (b)
		pfree(b);

	/*
	 * A redeploy committed while this batch ran: the row now belongs to the
	 * new deployment (siddhi.deploy moved it), which this runtime must not
	 * overwrite, nor add a part to; it is about to be unloaded.
	 */
	if (SPI_processed == 0)
		return;
	if (part)
		save_part(sa, key, part);
}

void
siddhi_state_save_app(const char *app, TimestampTz deployed_at,
					  SiddhiAppRuntime *rt)
{
	SaveArg sa = { app, deployed_at };

	siddhi_runtime_collect_state(rt, save_one, &sa);
}

/*
 * The parts of a window saved incrementally, in the order saved, each put
 * back together from its pieces.
 */
static SiddhiStatePart *
read_parts(const char *app, const char *key, int *nparts)
{
	MemoryContext cxt = CurrentMemoryContext;
	Oid argtypes[2] = { TEXTOID, TEXTOID };
	Datum values[2];
	SiddhiStatePart *parts;
	SPITupleTable *tuptable;
	uint64 n;
	int np = 0;
	StringInfoData buf;

	values[0] = CStringGetTextDatum(app);
	values[1] = CStringGetTextDatum(key);
	siddhi_catalog_spi("SELECT part, piece, data FROM siddhi.query_state_part "
					   "WHERE app OPERATOR(pg_catalog.=) $1 "
					   "AND query OPERATOR(pg_catalog.=) $2 "
					   "ORDER BY part, piece",
					   2, argtypes, values, NULL, true, true);
	MemoryContextSwitchTo(cxt);
	tuptable = SPI_tuptable;
	n = SPI_processed;
	if (n > INT_MAX / sizeof(SiddhiStatePart))
		elog(ERROR, "too many parts of the state of query \"%s\"", key);
	parts = palloc0(sizeof(SiddhiStatePart) * Max(n, 1));
	initStringInfo(&buf);
	for (uint64 i = 0; i < n; i++)
	{
		bool isnull;
		int64 number = DatumGetInt64(
			SPI_getbinval(tuptable->vals[i], tuptable->tupdesc, 1, &isnull));
		bytea *b = DatumGetByteaPP(
			SPI_getbinval(tuptable->vals[i], tuptable->tupdesc, 3, &isnull));

		appendBinaryStringInfo(&buf, VARDATA_ANY(b), VARSIZE_ANY_EXHDR(b));
		/* the part's last piece: the next row starts another part */
		if (i + 1 == n || DatumGetInt64(SPI_getbinval(tuptable->vals[i + 1],
													  tuptable->tupdesc, 1,
													  &isnull)) != number)
		{
			char *copy = palloc(Max(buf.len, 1));

			memcpy(copy, buf.data, buf.len);
			parts[np].number = number;
			parts[np].data = copy;
			parts[np].len = buf.len;
			np++;
			resetStringInfo(&buf);
		}
	}
	pfree(buf.data);
	*nparts = np;
	return parts;
}

void
siddhi_state_restore_app(const char *app, TimestampTz deployed_at,
						 SiddhiAppRuntime *rt)
{
	MemoryContext cxt = CurrentMemoryContext;
	Oid argtypes[2] = { TEXTOID, TIMESTAMPTZOID };
	Datum values[2];
	List *stale = NIL;
	int restored = 0;
	SPITupleTable *tuptable;
	uint64 n;
	ListCell *lc;

	values[0] = CStringGetTextDatum(app);
	values[1] = TimestampTzGetDatum(deployed_at);
	siddhi_catalog_spi("SELECT query, fingerprint, state "
					   "FROM siddhi.query_state "
					   "WHERE app OPERATOR(pg_catalog.=) $1 "
					   "AND deployed_at OPERATOR(pg_catalog.=) $2 "
					   "AND state IS NOT NULL",
					   2, argtypes, values, NULL, true, true);
	/* SPI leaves its procedure's memory current: the app's is ours */
	MemoryContextSwitchTo(cxt);
	tuptable = SPI_tuptable;
	n = SPI_processed;
	for (uint64 i = 0; i < n; i++)
	{
		HeapTuple tup = tuptable->vals[i];
		TupleDesc desc = tuptable->tupdesc;
		bool isnull;
		char *key = TextDatumGetCString(SPI_getbinval(tup, desc, 1, &isnull));
		char *fp = TextDatumGetCString(SPI_getbinval(tup, desc, 2, &isnull));
		bytea *b = DatumGetByteaPP(SPI_getbinval(tup, desc, 3, &isnull));
		int nparts;
		SiddhiStatePart *parts = read_parts(app, key, &nparts);

		MemoryContextSwitchTo(cxt);
		if (siddhi_runtime_restore_state(rt, key, fp, VARDATA_ANY(b),
										 VARSIZE_ANY_EXHDR(b), parts, nparts))
			restored++;
		else
		{
			/* its text, inputs or state format changed, or it is gone */
			ereport(LOG,
					(errcode(ERRCODE_SIDDHI_ERROR),
					 errmsg("siddhi: app \"%s\" did not restore the saved "
							"state of \"%s\": it starts empty",
							app, key),
					 errdetail("The query changed or is gone, or the state "
							   "was saved in another format.")));
			stale = lappend(stale, key);
		}
	}
	/* states of queries that changed, or are gone, or saved by another
	 * deploy: nothing will restore them */
	siddhi_catalog_spi("DELETE FROM siddhi.query_state "
					   "WHERE app OPERATOR(pg_catalog.=) $1 "
					   "AND deployed_at OPERATOR(pg_catalog.<>) $2",
					   2, argtypes, values, NULL, false, true);
	foreach(lc, stale)
	{
		Oid argtypes2[2] = { TEXTOID, TEXTOID };
		Datum values2[2];

		values2[0] = values[0];
		values2[1] = CStringGetTextDatum(lfirst(lc));
		siddhi_catalog_spi("DELETE FROM siddhi.query_state "
						   "WHERE app OPERATOR(pg_catalog.=) $1 "
						   "AND query OPERATOR(pg_catalog.=) $2",
						   2, argtypes2, values2, NULL, false, true);
	}
	/* and the windows' parts of every state deleted */
	siddhi_catalog_spi("DELETE FROM siddhi.query_state_part p "
					   "WHERE app OPERATOR(pg_catalog.=) $1 AND NOT EXISTS "
					   "(SELECT 1 FROM siddhi.query_state s "
					   " WHERE s.app OPERATOR(pg_catalog.=) p.app "
					   " AND s.query OPERATOR(pg_catalog.=) p.query)",
					   1, argtypes, values, NULL, false, true);
	MemoryContextSwitchTo(cxt);
	if (restored > 0)
		ereport(LOG, (errcode(ERRCODE_SIDDHI_ERROR),
					  errmsg("siddhi: app \"%s\" restored the saved state of "
							 "%d quer%s",
							 app, restored, restored == 1 ? "y" : "ies")));
}

/*
 * Saving is off (siddhi.save_state): what was saved would be stale when
 * saving comes back on, so the app's rows go (SPI connected).
 */
void
siddhi_state_forget_app(const char *app)
{
	MemoryContext cxt = CurrentMemoryContext;
	Oid argtypes[1] = { TEXTOID };
	Datum values[1];

	values[0] = CStringGetTextDatum(app);
	siddhi_catalog_spi("DELETE FROM siddhi.query_state "
					   "WHERE app OPERATOR(pg_catalog.=) $1",
					   1, argtypes, values, NULL, false, true);
	siddhi_catalog_spi("DELETE FROM siddhi.query_state_part "
					   "WHERE app OPERATOR(pg_catalog.=) $1",
					   1, argtypes, values, NULL, false, true);
	/* SPI leaves its procedure's memory current: the caller's is back */
	MemoryContextSwitchTo(cxt);
}

bool
siddhi_state_kept(const char *app, TimestampTz deployed_at)
{
	MemoryContext cxt = CurrentMemoryContext;
	Oid argtypes[2] = { TEXTOID, TIMESTAMPTZOID };
	Datum values[2];
	bool kept;

	values[0] = CStringGetTextDatum(app);
	values[1] = TimestampTzGetDatum(deployed_at);
	siddhi_catalog_spi("SELECT 1 FROM siddhi.query_state "
					   "WHERE app OPERATOR(pg_catalog.=) $1 "
					   "AND deployed_at OPERATOR(pg_catalog.=) $2 LIMIT 1",
					   2, argtypes, values, NULL, true, true);
	kept = SPI_processed > 0;
	MemoryContextSwitchTo(cxt);
	return kept;
}
