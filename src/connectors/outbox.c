/*-------------------------------------------------------------------------
 *
 * outbox.c
 *	  The outbox of a sink: a heap table in schema siddhi_outbox.
 *
 * Why one table per sink rather than one table for all (or one
 * partitioned by sink): the delivery loop reads each sink's oldest rows
 * and deletes them once acknowledged, sink by sink; with a table each,
 * a sink's rows are a range of its own primary key, a stuck sink's
 * backlog and dead rows never slow another's reads or its vacuum, and
 * undeploy drops the table instead of deleting rows.  The cost is one
 * table per sink, created at deploy and dropped at undeploy, which is
 * where an app's streams are created and dropped too.
 *
 *	 siddhi_outbox."<app>.<sink>" (
 *		 seq bigint PRIMARY KEY,	-- in the order events reached the sink
 *		 key bytea,					-- the message key (key = '..'), or NULL
 *		 payload bytea NOT NULL,	-- what the mapper made of the event
 *		 partition int,				-- partition.no, or NULL
 *		 topic text,				-- a topic with {{attr}}: the event's
 *		 created_at timestamptz)	-- when its batch wrote it
 *
 * The name is "<app>.<sink>" (a sink is "<stream>.sink<k>"), clipped with
 * a hash when longer than a name may be; siddhi.outbox maps app and sink
 * to it.  The tables are created, dropped, written and read only by the
 * extension's own code (DDL, reads and deletes through catalog_spi.c:
 * pinned search_path, as the bootstrap superuser; the batch's rows with
 * heap multi-inserts), and neither the schema nor the tables are granted
 * to anyone: an outbox holds encoded events that the app's owner reads
 * through the far side only.  seq is assigned by the engine worker, the
 * one writer (from the table's max at start), so rows need no sequence.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/namespace.h"
#include "utils/rel.h"
#include "utils/timestamp.h"
#include "utils/regproc.h"
#include "nodes/makefuncs.h"
#include "executor/executor.h"
#include "access/xact.h"
#include "access/heapam.h"
#include "access/tableam.h"
#include "access/table.h"
#include "catalog/pg_type.h"
#include "common/hashfn.h"
#include "executor/spi.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "siddhi/analyzer.h"
#include "siddhi/catalog.h"
#include "siddhi/sink.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"

#include "outbox.h"

bool
siddhi_sink_uses_outbox(const SiddhiSinkPlan *plan)
{
	return pg_strcasecmp(plan->type, "inmemory") != 0;
}

/* "<app>.<sink>", or its first bytes and a hash when too long for a name */
static char *
outbox_relname(const char *app, const char *sink)
{
	char *full = psprintf("%s.%s", app, sink);
	int len = strlen(full);
	uint32 h;
	int keep;

	if (len < NAMEDATALEN)
		return full;
	h = hash_bytes((const unsigned char *) full, len);
	keep = pg_mbcliplen(full, len, NAMEDATALEN - 10);
	return psprintf("%.*s_%08x", keep, full, h);
}

static void
exec_super(const char *sql, int nargs, Oid *argtypes, Datum *values)
{
	siddhi_catalog_spi(sql, nargs, argtypes, values, NULL, false, true);
}

/*
 * Bring app's outboxes in line with plan (NULL: undeploy, none): create
 * those of its sinks that have none, drop those of sinks it no longer has.
 * A replace keeps the outbox of a sink of the same name: what it holds is
 * still sent.  Runs in deploy's SPI connection.
 */
void
siddhi_outbox_sync(const char *app, SiddhiAppPlan *plan)
{
	Oid argtypes[3] = { TEXTOID, TEXTOID, TEXTOID };
	Datum values[3];
	List *keep = NIL;
	ListCell *lc;
	Oid nsp;

	values[0] = CStringGetTextDatum(app);
	if (plan)
	{
		foreach(lc, plan->sinks)
		{
			SiddhiSinkPlan *sp = lfirst(lc);
			char *relname;

			if (!siddhi_sink_uses_outbox(sp))
				continue;
			keep = lappend(keep, sp->name);
			relname = outbox_relname(app, sp->name);
			nsp = get_namespace_oid("siddhi_outbox", false);
			if (!OidIsValid(get_relname_relid(relname, nsp)))
				exec_super(
					psprintf(
						"CREATE TABLE %s ("
						"seq pg_catalog.int8 PRIMARY KEY, "
						"key pg_catalog.bytea, "
						"payload pg_catalog.bytea NOT NULL, "
						"partition pg_catalog.int4, "
						"topic pg_catalog.text, "
						"created_at pg_catalog.timestamptz NOT NULL "
						"DEFAULT pg_catalog.now())",
						quote_qualified_identifier("siddhi_outbox", relname)),
					0, NULL, NULL);
			values[1] = CStringGetTextDatum(sp->name);
			values[2] = CStringGetTextDatum(relname);
			exec_super("INSERT INTO siddhi.outbox (app, sink, relname) "
					   "VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
					   3, argtypes, values);
		}
	}
	exec_super("SELECT sink, relname::pg_catalog.text FROM siddhi.outbox "
			   "WHERE app OPERATOR(pg_catalog.=) $1",
			   1, argtypes, values);
	{
		SPITupleTable *tt = SPI_tuptable;
		uint64 n = SPI_processed;

		for (uint64 i = 0; i < n; i++)
		{
			char *sink = SPI_getvalue(tt->vals[i], tt->tupdesc, 1);
			char *relname = SPI_getvalue(tt->vals[i], tt->tupdesc, 2);
			bool kept = false;

			foreach(lc, keep)
				if (strcmp(lfirst(lc), sink) == 0)
					kept = true;
			if (kept)
				continue;
			values[1] = CStringGetTextDatum(sink);
			exec_super("DELETE FROM siddhi.outbox "
					   "WHERE app OPERATOR(pg_catalog.=) $1 "
					   "AND sink OPERATOR(pg_catalog.=) $2",
					   2, argtypes, values);
			exec_super(
				psprintf("DROP TABLE IF EXISTS %s",
						 quote_qualified_identifier("siddhi_outbox", relname)),
				0, NULL, NULL);
		}
	}
}

/* The outboxes of app, for undeploy to lock with the app's relations. */
List *
siddhi_outbox_relids(const char *app)
{
	Oid argtypes[1] = { TEXTOID };
	Datum values[1] = { CStringGetTextDatum(app) };
	List *result = NIL;
	Oid nsp = get_namespace_oid("siddhi_outbox", true);

	if (!OidIsValid(nsp))
		return NIL;
	exec_super("SELECT relname::pg_catalog.text FROM siddhi.outbox "
			   "WHERE app OPERATOR(pg_catalog.=) $1",
			   1, argtypes, values);
	for (uint64 i = 0; i < SPI_processed; i++)
	{
		Oid relid = get_relname_relid(
			SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1),
			nsp);

		if (OidIsValid(relid))
			result = lappend_oid(result, relid);
	}
	return result;
}

char *
siddhi_outbox_table(const char *app, const char *sink)
{
	Oid argtypes[2] = { TEXTOID, TEXTOID };
	Datum values[2] = { CStringGetTextDatum(app), CStringGetTextDatum(sink) };

	MemoryContext cxt = CurrentMemoryContext;
	char *result = NULL;

	siddhi_catalog_spi("SELECT relname::pg_catalog.text FROM siddhi.outbox "
					   "WHERE app OPERATOR(pg_catalog.=) $1 "
					   "AND sink OPERATOR(pg_catalog.=) $2",
					   2, argtypes, values, NULL, true, true);
	/* SPI leaves its procedure's context current: the caller's again */
	MemoryContextSwitchTo(cxt);
	if (SPI_processed == 1)
		result = quote_qualified_identifier(
			"siddhi_outbox",
			SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1));
	return result;
}

/* Rows in an outbox and its highest seq (0 when empty).  In SPI. */
void
siddhi_outbox_count(const char *qname, int64 *count, int64 *maxseq)
{
	bool isnull;
	MemoryContext cxt = CurrentMemoryContext;

	siddhi_catalog_spi(psprintf("SELECT pg_catalog.count(*), "
								"COALESCE(pg_catalog.max(seq), 0) FROM %s",
								qname),
					   0, NULL, NULL, NULL, true, true);
	*count = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0],
										 SPI_tuptable->tupdesc, 1, &isnull));
	*maxseq = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0],
										  SPI_tuptable->tupdesc, 2, &isnull));
	MemoryContextSwitchTo(cxt);
}

static ArrayType *
array_of(Datum *d, bool *nulls, int n, Oid typid)
{
	int16 typlen;
	bool typbyval;
	char typalign;
	int dims[1] = { n };
	int lbs[1] = { 1 };

	get_typlenbyvalalign(typid, &typlen, &typbyval, &typalign);
	return construct_md_array(d, nulls, 1, dims, lbs, typid, typlen, typbyval,
							  typalign);
}

/*
 * Write n rows, in the batch's transaction: straight into the heap with
 * multi-inserts of up to 1,000 rows and their primary-key entries (the
 * outbox has no trigger, constraint or policy; only the engine writes it).
 * An INSERT .. SELECT FROM unnest(..) through SPI took twice as long,
 * most of it materialising the arrays.
 */
#define OUTBOX_MULTI_INSERT 1000

void
siddhi_outbox_insert(const char *qname, int n, Datum *seqs, Datum *keys,
					 bool *key_nulls, Datum *payloads, Datum *partitions,
					 bool *partition_nulls, Datum *topics, bool *topic_nulls)
{
	Oid relid = RangeVarGetRelid(
		makeRangeVarFromNameList(stringToQualifiedNameList(qname)),
		RowExclusiveLock, false);
	Relation rel = table_open(relid, NoLock);
	EState *estate = CreateExecutorState();
	RangeTblEntry *rte = makeNode(RangeTblEntry);
	ResultRelInfo *rri = makeNode(ResultRelInfo);
	BulkInsertState bistate = GetBulkInsertState();
	TupleTableSlot *slots[OUTBOX_MULTI_INSERT];
	int nslots = 0;
	int filled = 0;
	CommandId cid;
	Datum now = TimestampTzGetDatum(GetCurrentTransactionStartTimestamp());

	rte->rtekind = RTE_RELATION;
	rte->relid = relid;
	rte->relkind = rel->rd_rel->relkind;
	rte->rellockmode = RowExclusiveLock;
	ExecInitRangeTable(estate, list_make1(rte));
	InitResultRelInfo(rri, rel, 1, NULL, 0);
	ExecOpenIndices(rri, false);
	cid = GetCurrentCommandId(true);
	for (int i = 0; i < n; i++)
	{
		TupleTableSlot *slot;

		if (filled == nslots)
			slots[nslots++] = table_slot_create(rel, &estate->es_tupleTable);
		slot = slots[filled++];
		ExecClearTuple(slot);
		/* seq, key, payload, partition, topic, created_at */
		slot->tts_values[0] = seqs[i];
		slot->tts_isnull[0] = false;
		slot->tts_values[1] = keys[i];
		slot->tts_isnull[1] = key_nulls[i];
		slot->tts_values[2] = payloads[i];
		slot->tts_isnull[2] = false;
		slot->tts_values[3] = partitions[i];
		slot->tts_isnull[3] = partition_nulls[i];
		slot->tts_values[4] = topics[i];
		slot->tts_isnull[4] = topic_nulls[i];
		slot->tts_values[5] = now;
		slot->tts_isnull[5] = false;
		ExecStoreVirtualTuple(slot);
		if (filled == OUTBOX_MULTI_INSERT || i == n - 1)
		{
			table_multi_insert(rel, slots, filled, cid, 0, bistate);
			for (int k = 0; k < filled; k++)
				if (rri->ri_NumIndices > 0)
					list_free(ExecInsertIndexTuples(rri, slots[k], estate,
													false, false, NULL, NIL));
			filled = 0;
		}
	}
	FreeBulkInsertState(bistate);
	ExecCloseIndices(rri);
	ExecResetTupleTable(estate->es_tupleTable, false);
	FreeExecutorState(estate);
	table_close(rel, NoLock);
}

/*
 * The oldest rows after seq after, up to limit, handed to fn (valid during
 * the call).  In SPI.  Returns how many.
 */
int
siddhi_outbox_read(const char *qname, int64 after, int limit,
				   void (*fn)(void *arg, const SiddhiOutboxRow *row),
				   void *arg)
{
	Oid argtypes[2] = { INT8OID, INT4OID };
	Datum values[2] = { Int64GetDatum(after), Int32GetDatum(limit) };
	SPITupleTable *tt;
	uint64 n;
	MemoryContext cxt = CurrentMemoryContext;

	siddhi_catalog_spi(psprintf("SELECT seq, key, payload, partition, topic "
								"FROM %s WHERE seq OPERATOR(pg_catalog.>) $1 "
								"ORDER BY seq LIMIT $2",
								qname),
					   2, argtypes, values, NULL, true, true);
	MemoryContextSwitchTo(cxt);
	tt = SPI_tuptable;
	n = SPI_processed;
	for (uint64 i = 0; i < n; i++)
	{
		HeapTuple t = tt->vals[i];
		SiddhiOutboxRow row;
		bool isnull;
		Datum d;

		row.seq = DatumGetInt64(SPI_getbinval(t, tt->tupdesc, 1, &isnull));
		d = SPI_getbinval(t, tt->tupdesc, 2, &isnull);
		if (isnull)
		{
			row.key = NULL;
			row.keylen = 0;
		}
		else
		{
			bytea *b = DatumGetByteaPP(d);

			row.key = VARDATA_ANY(b);
			row.keylen = VARSIZE_ANY_EXHDR(b);
		}
		{
			bytea *b =
				DatumGetByteaPP(SPI_getbinval(t, tt->tupdesc, 3, &isnull));

			row.payload = VARDATA_ANY(b);
			row.len = VARSIZE_ANY_EXHDR(b);
		}
		d = SPI_getbinval(t, tt->tupdesc, 4, &isnull);
		row.partition = isnull ? -1 : DatumGetInt32(d);
		d = SPI_getbinval(t, tt->tupdesc, 5, &isnull);
		row.topic = isnull ? NULL : TextDatumGetCString(d);
		fn(arg, &row);
	}
	return (int) n;
}

/* Delete acknowledged rows.  In SPI. */
void
siddhi_outbox_delete(const char *qname, int64 *seqs, int n)
{
	Oid argtypes[1] = { INT8ARRAYOID };
	Datum *d = palloc(sizeof(Datum) * n);
	Datum values[1];
	MemoryContext cxt = CurrentMemoryContext;

	for (int i = 0; i < n; i++)
		d[i] = Int64GetDatum(seqs[i]);
	values[0] = PointerGetDatum(array_of(d, NULL, n, INT8OID));
	siddhi_catalog_spi(psprintf("DELETE FROM %s "
								"WHERE seq OPERATOR(pg_catalog.=) ANY ($1)",
								qname),
					   1, argtypes, values, NULL, false, true);
	MemoryContextSwitchTo(cxt);
	pfree(d);
}
