/*-------------------------------------------------------------------------
 *
 * cdc_plugin.c
 *	  The extension's logical decoding output plugin ('siddhi', this
 *	  library's _PG_output_plugin_init): the Postgres CDC source's changes,
 *	  as binary rows of the stream, with no text in between.
 *
 * Only the engine worker decodes with it (cdc_source.c sets
 * siddhi_cdc_active around its decoding); anyone else who reads a
 * 'siddhi' slot (pg_logical_slot_get_changes) gets an error.
 *
 * Each change of the source's table that its operation option wants
 * becomes one queue entry: the stream's row (new columns, before_
 * columns from the old row, op, commit_time) formed as a MinimalTuple
 * with every value whole: TOASTed values the reorder buffer reassembled
 * and compressed ones are expanded; a value an UPDATE left unchanged in
 * the TOAST table (not in WAL) is taken from the old row, which
 * REPLICA IDENTITY FULL logs whole, or else the change fails the source
 * with a hint.  Each commit of a transaction that had such changes
 * becomes a commit entry (its end LSN: the position after it).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/detoast.h"
#include "access/htup_details.h"
#include "catalog/pg_class.h"
#include "catalog/pg_type.h"
#include "fmgr.h"
#include "parser/parse_coerce.h"
#include "replication/logical.h"
#include "replication/origin.h"
#include "replication/output_plugin.h"
#include "utils/builtins.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/timestamp.h"

#include "siddhi/depend.h"
#include "cdc_int.h"

CdcState *siddhi_cdc_active = NULL;
RepOriginId siddhi_cdc_own_origin = InvalidRepOriginId;

extern PGDLLEXPORT void _PG_output_plugin_init(OutputPluginCallbacks *cb);

static CdcState *
active(void)
{
	if (siddhi_cdc_active == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("the siddhi output plugin serves the engine only"),
				 errdetail("Slots of plugin \"siddhi\" belong to CDC sources "
						   "of siddhi apps."),
				 errhint("Decode with another plugin, such as "
						 "test_decoding or pgoutput.")));
	return siddhi_cdc_active;
}

static void
cdc_startup(LogicalDecodingContext *ctx, OutputPluginOptions *opt,
			bool is_init)
{
	(void) active();
	opt->output_type = OUTPUT_PLUGIN_BINARY_OUTPUT;
	opt->receive_rewrites = false;
}

static void
cdc_shutdown(LogicalDecodingContext *ctx)
{
}

static void
cdc_begin(LogicalDecodingContext *ctx, ReorderBufferTXN *txn)
{
	CdcState *st = active();

	/*
	 * The first replay of a decoding turn: nothing cached under the normal
	 * snapshot may serve the historic one (the reorder buffer looks up
	 * catalogs only after this callback).  Turns that replay nothing
	 * (WAL of no transaction with changes) leave the caches alone.
	 */
	if (!st->replayed)
	{
		siddhi_local_cache_flush();
		st->replayed = true;
	}
	st->txn_idx = 0;
	st->txn_any = false;
}

static int64
commit_ms(ReorderBufferTXN *txn)
{
	TimestampTz t = txn->xact_time.commit_time;

	return t / 1000 + (int64) (POSTGRES_EPOCH_JDATE - UNIX_EPOCH_JDATE) *
						  SECS_PER_DAY * 1000;
}

static void
cdc_commit(LogicalDecodingContext *ctx, ReorderBufferTXN *txn,
		   XLogRecPtr commit_lsn)
{
	CdcState *st = active();
	CdcEntryHeader h;

	if (!st->txn_any)
		return;
	/* the first transaction (of ours) after a restart is over */
	st->skipping = false;
	memset(&h, 0, sizeof(h));
	h.kind = CDC_ENTRY_COMMIT;
	h.idx = st->txn_idx;
	h.lsn = txn->end_lsn;
	h.ts = commit_ms(txn);
	siddhi_cdc_queue_entry(st, &h, NULL);
}

static bool
cdc_filter_origin(LogicalDecodingContext *ctx, RepOriginId origin_id)
{
	CdcState *st = active();

	/* the engine's own writes: not unless asked */
	return !st->own_writes && origin_id != InvalidRepOriginId &&
		   origin_id == siddhi_cdc_own_origin;
}

/* Column name of desc, or -1. */
static int
column_of(TupleDesc desc, const char *name)
{
	for (int i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute a = TupleDescAttr(desc, i);

		if (!a->attisdropped && strcmp(NameStr(a->attname), name) == 0)
			return i;
	}
	return -1;
}

/* A value of a row, whole; *unchanged: left in the TOAST table. */
static Datum
whole_value(Form_pg_attribute a, Datum v, bool *unchanged)
{
	*unchanged = false;
	if (a->attlen != -1)
		return v;
	if (VARATT_IS_EXTERNAL_ONDISK(DatumGetPointer(v)))
	{
		*unchanged = true;
		return (Datum) 0;
	}
	if (VARATT_IS_EXTENDED(DatumGetPointer(v)))
		return PointerGetDatum(
			detoast_attr((struct varlena *) DatumGetPointer(v)));
	return v;
}

static void
emit_change(CdcState *st, ReorderBufferTXN *txn, Relation rel, int op,
			HeapTuple newtup, HeapTuple oldtup)
{
	TupleDesc rdesc = RelationGetDescr(rel);
	int natts = st->desc->natts;
	Datum *nv = palloc(sizeof(Datum) * rdesc->natts);
	bool *nn = palloc(sizeof(bool) * rdesc->natts);
	Datum *ov = palloc(sizeof(Datum) * rdesc->natts);
	bool *on = palloc(sizeof(bool) * rdesc->natts);
	Datum *values = palloc0(sizeof(Datum) * Max(natts, 1));
	bool *nulls = palloc0(sizeof(bool) * Max(natts, 1));
	MinimalTuple mt;
	CdcEntryHeader h;
	StringInfoData buf;

	/*
	 * REPLICA IDENTITY FULL taken off the table after the deploy: old rows
	 * are no longer whole; before_ values go null, said once per source
	 * (siddhi.sources.last_error and the server log).
	 */
	if (st->needs_old && (op == CDC_OP_UPDATE || op == CDC_OP_DELETE) &&
		rel->rd_rel->relreplident != REPLICA_IDENTITY_FULL &&
		st->error[0] == '\0')
	{
		snprintf(st->error, sizeof(st->error),
				 "table %s is no longer REPLICA IDENTITY FULL: before_ "
				 "attributes are null; run ALTER TABLE %s REPLICA IDENTITY "
				 "FULL;",
				 st->table, st->table);
		ereport(WARNING, (errmsg("siddhi: cdc source \"%s\" of app \"%s\": %s",
								 st->source, st->app, st->error)));
	}
	if (newtup)
		heap_deform_tuple(newtup, rdesc, nv, nn);
	if (oldtup)
		heap_deform_tuple(oldtup, rdesc, ov, on);
	for (int i = 0; i < natts; i++)
	{
		Form_pg_attribute sa = TupleDescAttr(st->desc, i);
		HeapTuple tup = NULL;
		Datum *tv = NULL;
		bool *tn = NULL;
		int c;
		bool unchanged;

		nulls[i] = true;
		switch (st->kinds[i])
		{
			case CDC_ATT_OP:
				nulls[i] = false;
				values[i] =
					CStringGetTextDatum(op == CDC_OP_INSERT	  ? "insert"
										: op == CDC_OP_UPDATE ? "update"
										: op == CDC_OP_DELETE ? "delete"
															  : "truncate");
				continue;
			case CDC_ATT_COMMIT:
				nulls[i] = false;
				values[i] =
					sa->atttypid == INT8OID
						? Int64GetDatum(commit_ms(txn))
						: TimestampTzGetDatum(txn->xact_time.commit_time);
				continue;
			case CDC_ATT_NEW:
				tup = newtup, tv = nv, tn = nn;
				break;
			case CDC_ATT_OLD:
				tup = oldtup, tv = ov, tn = on;
				break;
		}
		if (tup == NULL)
			continue;
		c = column_of(rdesc, st->colnames[i]);
		if (c < 0 || tn[c])
			continue;
		if (TupleDescAttr(rdesc, c)->atttypid != sa->atttypid &&
			!IsBinaryCoercible(TupleDescAttr(rdesc, c)->atttypid,
							   sa->atttypid))
			ereport(
				ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("column \"%s\" of table \"%s\" is now of type %s, "
						"attribute \"%s\" of the stream is %s",
						st->colnames[i], st->table,
						format_type_be(TupleDescAttr(rdesc, c)->atttypid),
						NameStr(sa->attname), format_type_be(sa->atttypid)),
				 errhint("Redeploy the app with the new type.")));
		values[i] = whole_value(TupleDescAttr(rdesc, c), tv[c], &unchanged);
		if (unchanged && st->kinds[i] == CDC_ATT_NEW && oldtup && !on[c])
			values[i] =
				whole_value(TupleDescAttr(rdesc, c), ov[c], &unchanged);
		if (unchanged)
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					 errmsg("an update of table \"%s\" left column \"%s\" in "
							"its TOAST table, out of the WAL",
							st->table, st->colnames[i]),
					 errdetail("PostgreSQL logs an unchanged TOASTed value "
							   "only with the old row."),
					 errhint("Run ALTER TABLE %s REPLICA IDENTITY FULL;",
							 st->table)));
		nulls[i] = false;
	}
	mt = heap_form_minimal_tuple(st->desc, values, nulls);
	initStringInfo(&buf);
	appendBinaryStringInfo(&buf, (const char *) &st->sig, sizeof(uint32));
	appendBinaryStringInfo(&buf, (const char *) mt, mt->t_len);
	memset(&h, 0, sizeof(h));
	h.kind = CDC_ENTRY_CHANGE;
	h.len = buf.len;
	h.idx = st->txn_idx;
	h.lsn = txn->end_lsn;
	h.ts = commit_ms(txn);
	siddhi_cdc_queue_entry(st, &h, buf.data);
}

static void
cdc_change(LogicalDecodingContext *ctx, ReorderBufferTXN *txn, Relation rel,
		   ReorderBufferChange *change)
{
	CdcState *st = active();
	HeapTuple newtup = NULL, oldtup = NULL;
	int op;
	MemoryContext old;

	if (RelationGetRelid(rel) != st->relid)
		return;
	switch (change->action)
	{
		case REORDER_BUFFER_CHANGE_INSERT:
			op = CDC_OP_INSERT;
			break;
		case REORDER_BUFFER_CHANGE_UPDATE:
			op = CDC_OP_UPDATE;
			break;
		case REORDER_BUFFER_CHANGE_DELETE:
			op = CDC_OP_DELETE;
			break;
		default:
			return;
	}
	if ((st->ops & op) == 0)
		return;
	if (change->data.tp.newtuple)
		newtup = &change->data.tp.newtuple->tuple;
	if (change->data.tp.oldtuple)
		oldtup = &change->data.tp.oldtuple->tuple;
	st->txn_idx++;
	st->txn_any = true;
	/* the first transaction after a restart: what committed already */
	if (st->skipping && st->txn_idx <= st->skip)
		return;
	old = MemoryContextSwitchTo(st->tmpcxt);
	emit_change(st, txn, rel, op, newtup, oldtup);
	MemoryContextSwitchTo(old);
	MemoryContextReset(st->tmpcxt);
}

static void
cdc_truncate(LogicalDecodingContext *ctx, ReorderBufferTXN *txn,
			 int nrelations, Relation relations[], ReorderBufferChange *change)
{
	CdcState *st = active();
	MemoryContext old;

	if ((st->ops & CDC_OP_TRUNCATE) == 0)
		return;
	for (int i = 0; i < nrelations; i++)
	{
		if (RelationGetRelid(relations[i]) != st->relid)
			continue;
		st->txn_idx++;
		st->txn_any = true;
		if (st->skipping && st->txn_idx <= st->skip)
			return;
		old = MemoryContextSwitchTo(st->tmpcxt);
		emit_change(st, txn, relations[i], CDC_OP_TRUNCATE, NULL, NULL);
		MemoryContextSwitchTo(old);
		MemoryContextReset(st->tmpcxt);
	}
}

void
_PG_output_plugin_init(OutputPluginCallbacks *cb)
{
	cb->startup_cb = cdc_startup;
	cb->begin_cb = cdc_begin;
	cb->change_cb = cdc_change;
	cb->truncate_cb = cdc_truncate;
	cb->commit_cb = cdc_commit;
	cb->filter_by_origin_cb = cdc_filter_origin;
	cb->shutdown_cb = cdc_shutdown;
}
