/*-------------------------------------------------------------------------
 *
 * catalog_rows.c
 *	  Many rows of bytes into one of the extension's own tables, through
 *	  the heap and index access methods rather than SQL.
 *
 * Two writers store large byte strings cut into rows of about 8 kB: a
 * durable stream's staged chunks (src/ipc/durable_stage.c, in the
 * inserting transaction) and the window parts of epochs
 * (src/worker/state.c, in the engine's batch).  A statement per row costs
 * more than the row, and one statement over an array of rows (unnest)
 * copies the array into the plan, into a tuplestore and again into the
 * rows: on bench/epochs.sh's tumbling_100k that was half of what a save
 * cost.  Here the rows go in with one heap_multi_insert (a WAL record a
 * page, each value compressed as its column says), then their index
 * entries, unique ones checked.
 *
 * The byte strings are cut into pieces by siddhi_catalog_next_piece:
 * each compressed with lz4 here, as much of the string as fits one row
 * compressed, and stored inline as it is (TOAST leaves a compressed value
 * of a column of storage MAIN alone when the row fits its page).  Cut raw
 * into 8,000 bytes and compressed by TOAST, a row held about 2.7 kB on
 * bench/durability.sh's rows: three rows a page, three index entries, and
 * each row formed twice.
 *
 * No permission is checked and no trigger, rule or policy applies: the
 * callers write only tables of the extension that have none and that no
 * one but their owner may read.  The tables are found by name in schema
 * siddhi at each call (a syscache lookup), so a dropped and recreated
 * extension is followed.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/heapam.h"
#include "access/table.h"
#include "access/toast_compression.h"
#include "access/toast_internals.h"
#include "access/xact.h"
#include "catalog/index.h"
#include "catalog/namespace.h"
#include "executor/tuptable.h"
#include "siddhi/catalog.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"

/* The relation siddhi.<name>, opened with RowExclusiveLock. */
Relation
siddhi_catalog_open_rows(const char *name)
{
	Oid nsp = get_namespace_oid("siddhi", false);
	Oid relid = get_relname_relid(name, nsp);

	if (!OidIsValid(relid))
		ereport(ERROR, (errcode(ERRCODE_UNDEFINED_TABLE),
						errmsg("siddhi.%s does not exist", name),
						errhint("Reinstall the extension (DROP EXTENSION "
								"siddhi; CREATE EXTENSION siddhi).")));
	return table_open(relid, RowExclusiveLock);
}

/*
 * Insert nrows rows into rel: row i's values are values[i * natts ..],
 * with nulls the same way (NULL: none is null).
 */
void
siddhi_catalog_insert_rows(Relation rel, Datum *values, bool *nulls, int nrows)
{
	TupleDesc desc = RelationGetDescr(rel);
	int natts = desc->natts;
	TupleTableSlot **slots;
	List *indexes;
	ListCell *lc;
	bool *nonulls = NULL;

	if (nrows <= 0)
		return;
	if (nulls == NULL)
		nonulls = palloc0(sizeof(bool) * natts);
	slots = palloc(sizeof(TupleTableSlot *) * nrows);
	for (int i = 0; i < nrows; i++)
	{
		slots[i] = MakeSingleTupleTableSlot(desc, &TTSOpsHeapTuple);
		ExecStoreHeapTuple(
			heap_form_tuple(desc, values + (Size) i * natts,
							nulls ? nulls + (Size) i * natts : nonulls),
			slots[i], true);
	}
	heap_multi_insert(rel, slots, nrows, GetCurrentCommandId(true), 0, NULL);

	indexes = RelationGetIndexList(rel);
	foreach(lc, indexes)
	{
		Relation irel = index_open(lfirst_oid(lc), RowExclusiveLock);
		IndexInfo *ii = BuildIndexInfo(irel);
		IndexUniqueCheck check =
			irel->rd_index->indisunique ? UNIQUE_CHECK_YES : UNIQUE_CHECK_NO;

		/* the tables' indexes are on plain columns: no executor state */
		Assert(ii->ii_Expressions == NIL && ii->ii_Predicate == NIL);
		for (int i = 0; i < nrows; i++)
		{
			Datum ivalues[INDEX_MAX_KEYS];
			bool inulls[INDEX_MAX_KEYS];

			FormIndexDatum(ii, slots[i], NULL, ivalues, inulls);
			index_insert(irel, ivalues, inulls, &slots[i]->tts_tid, rel, check,
						 false, ii);
		}
		index_close(irel, RowExclusiveLock);
	}
	list_free(indexes);
	for (int i = 0; i < nrows; i++)
		ExecDropSingleTupleTableSlot(slots[i]);
	pfree(slots);
	if (nonulls)
		pfree(nonulls);
}

/* how many bytes a piece takes before compression, as last seen */
static Size piece_guess = 3 * 8000;

#define PIECE_GUESS_MAX (256 * 1024)

/*
 * The next piece of data[*off .. len) as a bytea of at most max_piece
 * bytes (its header included), lz4-compressed when that makes it
 * smaller; *off moves past what it holds.  Fills each piece as far as the
 * compression allows: the raw length tried follows what the last pieces
 * compressed to.
 */
Datum
siddhi_catalog_next_piece(const char *data, Size len, Size *off,
						  Size max_piece)
{
	Size plain = max_piece - VARHDRSZ; /* the most a piece holds raw */
	Size want = Min(len - *off, Max(piece_guess, plain));

	for (;;)
	{
		bytea *raw = palloc(VARHDRSZ + want);
		Datum packed;

		SET_VARSIZE(raw, VARHDRSZ + want);
		memcpy(VARDATA(raw), data + *off, want);
		packed =
			toast_compress_datum(PointerGetDatum(raw), TOAST_LZ4_COMPRESSION);
		if (DatumGetPointer(packed) != NULL &&
			VARSIZE(DatumGetPointer(packed)) <= max_piece)
		{
			Size got = VARSIZE(DatumGetPointer(packed));

			pfree(raw);
			/* room to spare in a full-sized try: try more next time */
			if (want >= piece_guess && got < max_piece * 3 / 4)
				piece_guess =
					Min(piece_guess + piece_guess / 4, PIECE_GUESS_MAX);
			*off += want;
			return packed;
		}
		if (DatumGetPointer(packed) != NULL)
			pfree(DatumGetPointer(packed));
		if (want <= plain)
		{
			/* it does not compress: as it is */
			*off += want;
			return PointerGetDatum(raw);
		}
		pfree(raw);
		want = Max(want * 3 / 4, plain);
		piece_guess = want;
	}
}
