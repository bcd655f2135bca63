/*-------------------------------------------------------------------------
 *
 * cdc_source.c
 *	  The Postgres CDC source (@source(type = 'cdc', table.name = ..)):
 *	  changes of a table of this database, decoded from WAL inside the
 *	  engine worker with the extension's own output plugin (cdc_plugin.c).
 *
 * Life of a source:
 *
 *	 start ─► its slot, siddhi_cdc_<db oid>_<hash of app and source>
 *	          (plugin 'siddhi'): acquired if it exists, else created
 *	          ephemeral; a new slot becomes consistent over the next polls
 *	          (never waiting for running transactions in the loop), then
 *	          is made persistent and shows running in siddhi.sources
 *	 poll  ─► when the queue is empty: decode WAL records up to the flush
 *	          pointer (GetFlushRecPtr; read_local_xlog_page never waits
 *	          then), until the queue holds siddhi.source_batch_events
 *	          entries; a transaction's changes arrive at its commit, all
 *	          of them: beyond 8 MB they go to a temporary file
 *	      ─► hand out up to max records: a change is a passThrough
 *	          payload (part "in", next = its number in its transaction),
 *	          a commit two empty records (part "in" = 0 and part "lsn" =
 *	          the transaction's end LSN)
 *	 batch ─► the framework writes "lsn" and "in" into
 *	          siddhi.source_offsets with the batch's results
 *	 committed ─► the slot is confirmed up to the last whole transaction
 *	          handed out (LogicalConfirmReceivedLocation); an idle source
 *	          confirms up to where it decoded
 *	 restart ─► decoding starts after the committed "lsn" (or the slot's
 *	          confirmed_flush, whichever is later), and the first
 *	          transaction's first "in" changes are skipped: exactly once
 *	 app dropped ─► the slot is dropped when the worker unloads the app
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "common/cryptohash.h"
#include "common/sha2.h"

#include <sys/timerfd.h>
#include <unistd.h>

#include "access/relation.h"
#include "access/xact.h"
#include "access/xlog.h"
#include "access/xlogutils.h"
#include "catalog/namespace.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "replication/decode.h"
#include "replication/logical.h"
#include "replication/origin.h"
#include "replication/slot.h"
#include "siddhi/catalog.h"
#include "siddhi/parser.h"
#include "storage/ipc.h"
#include "storage/lwlock.h"
#include "siddhi/depend.h"
#include "siddhi/source_runtime.h"
#include "utils/builtins.h"
#include "common/hashfn.h"
#include "utils/regproc.h"
#include "utils/guc.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/resowner.h"
#include "utils/snapmgr.h"
#include "utils/varlena.h"

#include "cdc_int.h"

/* siddhi.cdc_memory: queue kB kept in memory; beyond, a temporary file */
static int cdc_memory_kb = 8192;
#define CDC_MEM_BYTES ((Size) cdc_memory_kb * 1024)
/* siddhi.sources warns past this much WAL kept for a slot */
#define CDC_RETAINED_WARN ((uint64) 1024 * 1024 * 1024)
/* decoding per poll: at most this long */
#define CDC_DECODE_MS 50

static const char *
opt(const SiddhiSourcePlan *plan, const char *key, const char *def)
{
	return siddhi_conn_option(plan->options, key, def);
}

/*
 * The slot's name: siddhi_cdc_<database oid>_<32 hex of the SHA-256 of
 * app/source>.  Called in a transaction.
 */
static void
siddhi_cdc_slot_name(const char *app, const char *source, char *out)
{
	char *key = psprintf("%s/%s", app, source);
	uint8 digest[PG_SHA256_DIGEST_LENGTH];
	pg_cryptohash_ctx *ctx = pg_cryptohash_create(PG_SHA256);
	int n;

	/*
	 * A cryptographic digest, 128 bits of it: with a short hash anyone who
	 * may deploy a cdc source could compute, offline, an app name whose
	 * slot is another app's, and share, move or drop its position.
	 */
	if (ctx == NULL || pg_cryptohash_init(ctx) < 0 ||
		pg_cryptohash_update(ctx, (const uint8 *) key, strlen(key)) < 0 ||
		pg_cryptohash_final(ctx, digest, sizeof(digest)) < 0)
		elog(ERROR, "could not compute the name of a replication slot: %s",
			 pg_cryptohash_error(ctx));
	pg_cryptohash_free(ctx);
	n = snprintf(out, NAMEDATALEN, "siddhi_cdc_%u_", MyDatabaseId);
	for (int i = 0; i < 16 && n + 2 < NAMEDATALEN; i++, n += 2)
		snprintf(out + n, NAMEDATALEN - n, "%02x", digest[i]);
	pfree(key);
}

void
siddhi_cdc_define_gucs(void)
{
	DefineCustomIntVariable(
		"siddhi.cdc_memory",
		"Memory each cdc source may hold of decoded changes not yet fed.",
		"A transaction's changes arrive at its commit, all at once; beyond "
		"this they wait in a temporary file.",
		&cdc_memory_kb, 8192, 64, MAX_KILOBYTES, PGC_SIGHUP, GUC_UNIT_KB, NULL,
		NULL, NULL);
}

/* Queue ------------------------------------------------------------------ */

void
siddhi_cdc_queue_entry(CdcState *st, CdcEntryHeader *h, const char *data)
{
	Size size = sizeof(CdcEntryHeader) + h->len;

	if (st->spill == NULL &&
		st->mem.len - st->mem_read + size <= CDC_MEM_BYTES)
	{
		MemoryContext old = MemoryContextSwitchTo(st->cxt);

		appendBinaryStringInfo(&st->mem, (const char *) h, sizeof(*h));
		if (h->len)
			appendBinaryStringInfo(&st->mem, data, h->len);
		MemoryContextSwitchTo(old);
	}
	else
	{
		if (st->spill == NULL)
		{
			MemoryContext old = MemoryContextSwitchTo(st->cxt);

			st->spill = BufFileCreateTemp(true);
			st->spill_bytes = st->spill_read = 0;
			MemoryContextSwitchTo(old);
		}
		BufFileSeek(st->spill, 0, st->spill_bytes, SEEK_SET);
		BufFileWrite(st->spill, h, sizeof(*h));
		if (h->len)
			BufFileWrite(st->spill, (void *) data, h->len);
		st->spill_bytes += size;
	}
	st->queued++;
	st->queued_bytes += size;
}

static void
spill_read(BufFile *f, void *p, size_t n)
{
	if (n > 0 && BufFileRead(f, p, n) != n)
		ereport(ERROR, (errcode_for_file_access(),
						errmsg("could not read the cdc spill file")));
}

/* The next entry into st->out (header, then payload); false: none. */
static bool
queue_next(CdcState *st, CdcEntryHeader *h, int *data_off)
{
	MemoryContext old;

	if (st->queued == 0)
		return false;
	old = MemoryContextSwitchTo(st->cxt);
	if (st->mem_read < st->mem.len)
	{
		memcpy(h, st->mem.data + st->mem_read, sizeof(*h));
		st->mem_read += sizeof(*h);
		*data_off = st->out.len;
		appendBinaryStringInfo(&st->out, st->mem.data + st->mem_read, h->len);
		st->mem_read += h->len;
		if (st->mem_read >= st->mem.len)
		{
			resetStringInfo(&st->mem);
			st->mem_read = 0;
			/* given back after a big transaction */
			if (st->mem.maxlen > 1024 * 1024)
			{
				pfree(st->mem.data);
				initStringInfo(&st->mem);
			}
		}
	}
	else
	{
		Assert(st->spill);
		BufFileSeek(st->spill, 0, st->spill_read, SEEK_SET);
		spill_read(st->spill, h, sizeof(*h));
		enlargeStringInfo(&st->out, h->len);
		*data_off = st->out.len;
		if (h->len)
			spill_read(st->spill, st->out.data + st->out.len, h->len);
		st->out.len += h->len;
		st->spill_read += sizeof(*h) + h->len;
		if (st->spill_read >= st->spill_bytes)
		{
			BufFileClose(st->spill);
			st->spill = NULL;
		}
	}
	MemoryContextSwitchTo(old);
	st->queued--;
	st->queued_bytes -= sizeof(*h) + h->len;
	return true;
}

/* Decoding --------------------------------------------------------------- */

/* read_local_xlog_page: we never read past GetFlushRecPtr(), so it does
 * not wait (and _no_wait would write through the reader's private
 * pointer, which decoding owns) */
static XLogReaderRoutine cdc_routine = {
	.page_read = read_local_xlog_page,
	.segment_open = wal_segment_open,
	.segment_close = wal_segment_close,
};

static XLogReaderRoutine *
routine(void)
{
	return &cdc_routine;
}

/* The context of an existing, acquired slot: resume where committed. */
static void
open_decoding(CdcState *st)
{
	MemoryContext old = MemoryContextSwitchTo(st->cxt);
	XLogRecPtr start = st->resume;

	if (start < MyReplicationSlot->data.confirmed_flush)
		start = MyReplicationSlot->data.confirmed_flush;
	st->ctx =
		CreateDecodingContext(start, NIL, false, routine(), NULL, NULL, NULL);
	XLogBeginRead(st->ctx->reader, MyReplicationSlot->data.restart_lsn);
	st->confirmed = MyReplicationSlot->data.confirmed_flush;
	st->ready = true;
	MemoryContextSwitchTo(old);
}

/*
 * Read WAL records up to the flush pointer (a new slot: until it is
 * consistent), in a transaction of our own; stops once the queue holds
 * want entries or CDC_DECODE_MS passed.
 */
static void
decode_some(CdcState *st, int want)
{
	ResourceOwner owner;
	XLogRecPtr end = GetFlushRecPtr(NULL);
	TimestampTz until =
		TimestampTzPlusMilliseconds(GetCurrentTimestamp(), CDC_DECODE_MS);
	int n = 0;

	if (st->ctx->reader->EndRecPtr >= end)
		return;
	SetCurrentStatementStartTimestamp();
	StartTransactionCommand();
	owner = CurrentResourceOwner;
	siddhi_cdc_active = st;
	st->replayed = false;
	PG_TRY();
	{
		while (st->ctx->reader->EndRecPtr < end && st->queued < want)
		{
			char *errm = NULL;
			XLogRecord *record;
			MemoryContext old;

			/* the reader keeps its buffers: in the decoding context's */
			old = MemoryContextSwitchTo(st->ctx->context);
			record = XLogReadRecord(st->ctx->reader, &errm);
			MemoryContextSwitchTo(st->decodecxt);
			if (errm)
				ereport(ERROR,
						(errmsg("could not read WAL for logical decoding: %s",
								errm)));
			if (record != NULL)
				LogicalDecodingProcessRecord(st->ctx, st->ctx->reader);
			MemoryContextSwitchTo(old);
			if (!st->ready && DecodingContextReady(st->ctx))
				break;
			if (++n % 64 == 0 && GetCurrentTimestamp() > until)
				break;
			CHECK_FOR_INTERRUPTS();
		}
	}
	PG_CATCH();
	{
		siddhi_cdc_active = NULL;
		CurrentResourceOwner = owner;
		siddhi_local_cache_flush();
		AbortCurrentTransaction();
		PG_RE_THROW();
	}
	PG_END_TRY();
	siddhi_cdc_active = NULL;
	MemoryContextReset(st->decodecxt);
	/* decoding may leave another resource owner current (logicalfuncs.c) */
	CurrentResourceOwner = owner;
	/* what a replay cached under historic snapshots goes (logicalfuncs.c) */
	if (st->replayed)
		siddhi_local_cache_flush();
	CommitTransactionCommand();

	/* a new slot that became consistent: persistent, then decode */
	if (!st->ready && DecodingContextReady(st->ctx))
	{
		SpinLockAcquire(&MyReplicationSlot->mutex);
		MyReplicationSlot->data.confirmed_flush = st->ctx->reader->EndRecPtr;
		SpinLockRelease(&MyReplicationSlot->mutex);
		ReplicationSlotMarkDirty();
		ReplicationSlotPersist();
		siddhi_cdc_active = st;
		FreeDecodingContext(st->ctx);
		st->ctx = NULL;
		open_decoding(st);
		siddhi_cdc_active = NULL;
		ereport(LOG, (errmsg("siddhi: CDC source \"%s\" of app \"%s\" "
							 "created replication slot \"%s\"",
							 st->source, st->app, st->slot)));
	}
}

/* Source ops ------------------------------------------------------------- */

/*
 * PostgreSQL 15.19 and later load only the output plugins that
 * output_plugin_libraries lists (a superuser setting, 'pgoutput,
 * test_decoding' by default).  The engine worker, a superuser session,
 * adds its own library for itself, as a superuser's SET would: other
 * sessions' lists stay as the administrator wrote them.
 */
static void
allow_own_plugin(void)
{
	const char *libs = GetConfigOption("output_plugin_libraries", true, false);
	char *copy;
	List *names = NIL;
	ListCell *lc;

	if (libs == NULL)
		return; /* an older minor: no such list */
	copy = pstrdup(libs);
	if (SplitDirectoriesString(copy, ',', &names))
		foreach(lc, names)
			if (strcmp((char *) lfirst(lc), "siddhi") == 0 ||
				strcmp((char *) lfirst(lc), "*") == 0)
				return;
	SetConfigOption("output_plugin_libraries",
					libs[0] ? psprintf("%s, siddhi", libs) : "siddhi",
					PGC_SUSET, PGC_S_SESSION);
}

/*
 * The engine worker's replication origin, siddhi_engine_<database oid>:
 * once set up, every commit of the worker carries it, and the plugin
 * filters those changes out (unless include.engine.writes).
 */
static RepOriginId pending_origin = InvalidRepOriginId;

static void
own_origin_create(void)
{
	char name[NAMEDATALEN];

	if (siddhi_cdc_own_origin != InvalidRepOriginId)
		return;
	snprintf(name, sizeof(name), "siddhi_engine_%u", MyDatabaseId);
	pending_origin = replorigin_by_name(name, true);
	if (pending_origin == InvalidRepOriginId)
		pending_origin = replorigin_create(name);
}

static void
own_origin_setup(void)
{
	if (siddhi_cdc_own_origin != InvalidRepOriginId ||
		pending_origin == InvalidRepOriginId)
		return;
	replorigin_session_setup(pending_origin);
	replorigin_session_origin = pending_origin;
	siddhi_cdc_own_origin = pending_origin;
}

/*
 * Slots: a backend has one MyReplicationSlot; the worker keeps every cdc
 * source's slot acquired and points MyReplicationSlot at the one it works
 * on (NULL between calls).  All are released when the worker exits.
 */
#define MAX_OWN_SLOTS 64
static ReplicationSlot *own_slots[MAX_OWN_SLOTS];
static bool exit_hooked = false;

static void
release_own_slots(int code, Datum arg)
{
	for (int i = 0; i < MAX_OWN_SLOTS; i++)
		if (own_slots[i])
		{
			MyReplicationSlot = own_slots[i];
			own_slots[i] = NULL;
			ReplicationSlotRelease();
		}
	MyReplicationSlot = NULL;
}

static void
slot_register(CdcState *st)
{
	st->slotp = MyReplicationSlot;
	if (!exit_hooked)
	{
		before_shmem_exit(release_own_slots, 0);
		exit_hooked = true;
	}
	for (int i = 0; i < MAX_OWN_SLOTS; i++)
		if (own_slots[i] == NULL)
		{
			own_slots[i] = st->slotp;
			return;
		}
	ReplicationSlotRelease();
	st->slotp = NULL;
	ereport(ERROR, (errcode(ERRCODE_CONFIGURATION_LIMIT_EXCEEDED),
					errmsg("too many cdc sources in one database"),
					errhint("At most %d cdc sources run per database.",
							MAX_OWN_SLOTS)));
}

static void
slot_unregister(CdcState *st)
{
	for (int i = 0; i < MAX_OWN_SLOTS; i++)
		if (own_slots[i] == st->slotp)
			own_slots[i] = NULL;
	st->slotp = NULL;
}

static void start_catalog(CdcState *st, const SiddhiSourcePlan *plan);
static void start_slot(CdcState *st);
static void sweep_slots(void);

static void *
cdc_start(const SiddhiSourcePlan *plan, const char *app, List *positions)
{
	CdcState *st = palloc0(sizeof(CdcState));
	ListCell *lc;
	bool ok;

	st->cxt = CurrentMemoryContext;
	st->timerfd = -1;
	st->tmpcxt = AllocSetContextCreate(st->cxt, "siddhi cdc change",
									   ALLOCSET_DEFAULT_SIZES);
	st->decodecxt = AllocSetContextCreate(st->cxt, "siddhi cdc decode",
										  ALLOCSET_DEFAULT_SIZES);
	st->app = pstrdup(app);
	st->source = pstrdup(plan->name);
	st->table = pstrdup(opt(plan, "table.name", ""));
	st->ops = siddhi_cdc_ops_mask(opt(plan, "operation", "all"), &ok);
	st->own_writes = pg_strcasecmp(opt(plan, "include.engine.writes", "false"),
								   "true") == 0;
	st->desc = CreateTupleDescCopy(plan->desc);
	st->sig = siddhi_desc_signature(plan->desc);
	st->kinds = palloc0(sizeof(CdcAttKind) * Max(st->desc->natts, 1));
	st->colnames = palloc0(sizeof(char *) * Max(st->desc->natts, 1));
	initStringInfo(&st->mem);
	initStringInfo(&st->out);
	foreach(lc, positions)
	{
		SiddhiSourcePosition *p = lfirst(lc);

		if (strcmp(p->part, "lsn") == 0)
			st->resume = (XLogRecPtr) p->next;
		else if (strcmp(p->part, "in") == 0)
			st->skip = p->next;
	}
	st->skipping = st->skip > 0;

	SetCurrentStatementStartTimestamp();
	StartTransactionCommand();
	PG_TRY();
	{
		/* in a transaction: the digest needs a resource owner */
		siddhi_cdc_slot_name(app, plan->name, st->slot);
		start_catalog(st, plan);
	}
	PG_CATCH();
	{
		AbortCurrentTransaction();
		PG_RE_THROW();
	}
	PG_END_TRY();
	CommitTransactionCommand();
	MemoryContextSwitchTo(st->cxt);
	own_origin_setup();
	CheckLogicalDecodingRequirements();
	allow_own_plugin();

	MyReplicationSlot = NULL;
	siddhi_cdc_active = st;
	PG_TRY();
	{
		start_slot(st);
	}
	PG_CATCH();
	{
		siddhi_cdc_active = NULL;
		if (st->slotp)
		{
			MyReplicationSlot = st->slotp;
			slot_unregister(st);
			ReplicationSlotRelease();
		}
		MyReplicationSlot = NULL;
		PG_RE_THROW();
	}
	PG_END_TRY();
	siddhi_cdc_active = NULL;
	MyReplicationSlot = NULL;
	return st;
}

/* In a transaction: the table's columns for the stream's attributes. */
static void
start_catalog(CdcState *st, const SiddhiSourcePlan *plan)
{
	Relation rel;

	PushActiveSnapshot(GetTransactionSnapshot());
	st->relid = plan->table_relid;
	if (!OidIsValid(st->relid))
	{
		RangeVar *rv =
			makeRangeVarFromNameList(stringToQualifiedNameList(st->table));

		st->relid = RangeVarGetRelid(rv, AccessShareLock, false);
	}
	rel = relation_open(st->relid, AccessShareLock);
	for (int i = 0; i < st->desc->natts; i++)
	{
		const char *name = NameStr(TupleDescAttr(st->desc, i)->attname);
		int col;
		int kind =
			siddhi_cdc_attribute_kind(RelationGetDescr(rel), name, &col);

		if (kind < 0)
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_COLUMN),
					 errmsg("attribute \"%s\" is no column of table \"%s\"",
							name, st->table)));
		st->kinds[i] = (CdcAttKind) kind;
		if (kind == CDC_ATT_OLD)
		{
			st->colnames[i] =
				MemoryContextStrdup(st->cxt, name + strlen("before_"));
			st->needs_old = true;
		}
		else
			st->colnames[i] = MemoryContextStrdup(st->cxt, name);
	}
	relation_close(rel, AccessShareLock);
	own_origin_create();
	sweep_slots();
	PopActiveSnapshot();
}

/* Acquire the slot, or create it (ephemeral until consistent). */
static void
start_slot(CdcState *st)
{
	if (SearchNamedReplicationSlot(st->slot, true) != NULL)
	{
		ReplicationSlotAcquire(st->slot, true);
		/* a slot of that name made by someone else is not ours to read */
		if (strcmp(NameStr(MyReplicationSlot->data.plugin), "siddhi") != 0 ||
			MyReplicationSlot->data.database != MyDatabaseId)
		{
			char *plugin = pstrdup(NameStr(MyReplicationSlot->data.plugin));
			Oid db = MyReplicationSlot->data.database;

			ReplicationSlotRelease();
			ereport(ERROR,
					(errcode(ERRCODE_DUPLICATE_OBJECT),
					 errmsg("replication slot \"%s\" is not this source's",
							st->slot),
					 errdetail("It decodes with plugin \"%s\" in the "
							   "database of OID %u.",
							   plugin, db),
					 errhint("Drop it (pg_drop_replication_slot) if nothing "
							 "else uses it; the source makes its own.")));
		}
		slot_register(st);
		open_decoding(st);
	}
	else
	{
		/*
		 * A new slot starts from now: positions committed for an older
		 * one (an app dropped and deployed again under its name, a slot
		 * dropped by hand) do not apply to it.
		 */
		st->resume = InvalidXLogRecPtr;
		st->skip = 0;
		st->skipping = false;
		/* a crash before it is consistent drops it */
		ReplicationSlotCreate(st->slot, true, RS_EPHEMERAL, false);
		slot_register(st);
		st->created = true;
		st->ctx =
			CreateInitDecodingContext("siddhi", NIL, false, InvalidXLogRecPtr,
									  routine(), NULL, NULL, NULL);
		XLogBeginRead(st->ctx->reader, MyReplicationSlot->data.restart_lsn);
	}
}

static int
cdc_poll(void *state, SiddhiSourceRecord *records, int max)
{
	CdcState *st = state;
	int n = 0;
	int offs[2048];
	CdcEntryHeader h;
	int off;

	if (max < 2)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("a cdc source needs siddhi.source_batch_events of at "
						"least 2")));
	max = Min(max, lengthof(offs));
	resetStringInfo(&st->out);
	if (st->queued == 0)
	{
		XLogRecPtr before = st->ctx->reader->EndRecPtr;

		MyReplicationSlot = st->slotp;
		decode_some(st, max);
		/* idle and all committed: the slot may move on */
		if (st->ready && st->queued == 0 && !st->uncommitted &&
			st->ctx->reader->EndRecPtr > st->confirmed &&
			st->ctx->reader->EndRecPtr != before)
		{
			LogicalConfirmReceivedLocation(st->ctx->reader->EndRecPtr);
			st->confirmed = st->ctx->reader->EndRecPtr;
		}
		MyReplicationSlot = NULL;
	}
	while (n < max && st->queued > 0)
	{
		/* a commit's two records go together */
		if (n + 2 > max)
			break;
		if (!queue_next(st, &h, &off))
			break;
		records[n].key = NULL;
		records[n].keylen = 0;
		records[n].timestamp = h.ts;
		if (h.kind == CDC_ENTRY_CHANGE)
		{
			offs[n] = off;
			records[n].len = h.len;
			records[n].part = "in";
			records[n].next = h.idx;
			n++;
			st->changes++;
		}
		else
		{
			offs[n] = -1;
			records[n].len = 0;
			records[n].part = "in";
			records[n].next = 0;
			n++;
			offs[n] = -1;
			records[n].len = 0;
			records[n].part = "lsn";
			records[n].next = h.lsn;
			records[n].timestamp = h.ts;
			records[n].key = NULL;
			records[n].keylen = 0;
			n++;
			st->polled_lsn = h.lsn;
		}
	}
	/* out is complete: pointers into it now */
	for (int i = 0; i < n; i++)
		records[i].data = offs[i] < 0 ? NULL : st->out.data + offs[i];
	if (n > 0)
		st->uncommitted = true;
	return n;
}

static void
cdc_committed(void *state)
{
	CdcState *st = state;

	st->uncommitted = false;
	if (st->ready && st->polled_lsn > st->confirmed)
	{
		MyReplicationSlot = st->slotp;
		LogicalConfirmReceivedLocation(st->polled_lsn);
		MyReplicationSlot = NULL;
		st->confirmed = st->polled_lsn;
	}
}

/*
 * Nothing wakes the worker when WAL is flushed (Postgres wakes only WAL
 * senders): a timer descriptor does, soon (CDC_BUSY_MS) while WAL moved
 * in the last CDC_LINGER_MS, else after CDC_IDLE_MS.  Armed anew before
 * each wait (re-arming clears it).
 *
 * The linger matters: at a steady rate a turn often ends with everything
 * decoded and nothing newer flushed yet; falling to the idle period
 * right then delayed about one change in ten by up to the idle period
 * (a flat 10 to 100 ms tail at 1,000 changes/s).  The idle period bounds
 * the lag of the first change after a quiet spell; a wake that finds
 * nothing new only reads the flush pointer (bench/cdc.sh measures the
 * engine's idle CPU).
 */
#define CDC_BUSY_MS 5
#define CDC_LINGER_MS 2000
#define CDC_IDLE_MS 20

static int
cdc_wait_fd(void *state)
{
	CdcState *st = state;
	struct itimerspec its;
	XLogRecPtr flush = GetFlushRecPtr(NULL);
	TimestampTz now = GetCurrentTimestamp();
	int ms;

	if (st->timerfd < 0)
		st->timerfd =
			timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (st->timerfd < 0)
		return -1; /* the framework's short timeout then */
	if (flush != st->seen_flush || st->queued > 0)
		st->moved_at = now;
	ms = TimestampDifferenceExceeds(st->moved_at, now, CDC_LINGER_MS)
			 ? CDC_IDLE_MS
			 : CDC_BUSY_MS;
	st->seen_flush = flush;
	memset(&its, 0, sizeof(its));
	its.it_value.tv_sec = ms / 1000;
	its.it_value.tv_nsec = (long) (ms % 1000) * 1000000L;
	if (timerfd_settime(st->timerfd, 0, &its, NULL) != 0)
		return -1;
	return st->timerfd;
}

static void
cdc_status(void *state, SiddhiSourceStatus *status)
{
	CdcState *st = state;
	XLogRecPtr restart = InvalidXLogRecPtr;
	uint64 retained;

	status->connected = st->ready;
	status->lag = st->queued;
	strlcpy(status->last_error, st->error, sizeof(status->last_error));
	if (st->slotp)
	{
		SpinLockAcquire(&st->slotp->mutex);
		restart = st->slotp->data.restart_lsn;
		SpinLockRelease(&st->slotp->mutex);
	}
	retained =
		XLogRecPtrIsInvalid(restart) ? 0 : GetXLogWriteRecPtr() - restart;
	/* a source that falls behind keeps WAL: say so past 1 GB */
	snprintf(
		status->detail, sizeof(status->detail),
		"%sslot %s, %lld bytes of WAL retained%s",
		st->ready ? "" : "waiting for a consistent snapshot, ", st->slot,
		(long long) retained,
		retained > CDC_RETAINED_WARN
			? " (warning: over 1 GB; bound it with max_slot_wal_keep_size)"
			: "");
}

/*
 * Slots of this database's cdc sources that no deployed app has (an app
 * dropped while it was not loaded, a failed one): dropped, so that they
 * keep no WAL.  The source names of each app come from its text (the
 * analyzer's "<stream>.source<k>").  In a transaction; any doubt (an app
 * that does not parse) keeps every slot.
 */
static void
sweep_slots(void)
{
	List *keep = NIL;
	List *gone = NIL;
	char prefix[NAMEDATALEN];
	MemoryContext cxt = CurrentMemoryContext;
	bool doubt = false;
	ListCell *lc;

	PushActiveSnapshot(GetLatestSnapshot());
	SPI_connect();
	siddhi_catalog_spi("SELECT name::pg_catalog.text, source FROM siddhi.app",
					   0, NULL, NULL, NULL, true, false);
	for (uint64 i = 0; i < SPI_processed && !doubt; i++)
	{
		char *app =
			SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1);
		char *text =
			SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 2);
		MemoryContext spicxt = CurrentMemoryContext;

		PG_TRY();
		{
			SiddhiApp *parsed = siddhi_parse_app(text);
			ListCell *ld;

			foreach(ld, parsed->definitions)
			{
				SiddhiDefinition *d = lfirst(ld);
				int k = 0;
				ListCell *la;

				if (d->kind != SIDDHI_DEF_STREAM || d->inferred)
					continue;
				foreach(la, d->annotations)
				{
					SiddhiAnnotation *a = lfirst(la);
					char slot[NAMEDATALEN];
					char *source;
					MemoryContext old;

					if (pg_strcasecmp(a->name, "source") != 0)
						continue;
					source = psprintf("%s.source%d", d->name, ++k);
					siddhi_cdc_slot_name(app, source, slot);
					old = MemoryContextSwitchTo(cxt);
					keep = lappend(keep, pstrdup(slot));
					MemoryContextSwitchTo(old);
				}
			}
		}
		PG_CATCH();
		{
			MemoryContextSwitchTo(spicxt);
			FlushErrorState();
			doubt = true;
		}
		PG_END_TRY();
	}
	SPI_finish();
	PopActiveSnapshot();
	if (doubt)
		return;

	snprintf(prefix, sizeof(prefix), "siddhi_cdc_%u_", MyDatabaseId);
	LWLockAcquire(ReplicationSlotControlLock, LW_SHARED);
	for (int i = 0; i < max_replication_slots; i++)
	{
		ReplicationSlot *s = &ReplicationSlotCtl->replication_slots[i];
		bool kept = false;

		if (!s->in_use || s->active_pid != 0 ||
			s->data.database != MyDatabaseId ||
			strncmp(NameStr(s->data.name), prefix, strlen(prefix)) != 0)
			continue;
		foreach(lc, keep)
			if (strcmp(lfirst(lc), NameStr(s->data.name)) == 0)
				kept = true;
		if (!kept)
			gone = lappend(gone, pstrdup(NameStr(s->data.name)));
	}
	LWLockRelease(ReplicationSlotControlLock);

	foreach(lc, gone)
	{
		const char *name = lfirst(lc);

		MyReplicationSlot = NULL;
		PG_TRY();
		{
			ReplicationSlotDrop(name, true);
			ereport(LOG, (errmsg("siddhi: dropped replication slot \"%s\", "
								 "which no deployed app uses",
								 name)));
		}
		PG_CATCH();
		{
			/* in use again meanwhile: it stays */
			MemoryContextSwitchTo(cxt);
			FlushErrorState();
		}
		PG_END_TRY();
	}
	MyReplicationSlot = NULL;
}

/* Is app still deployed?  (a transaction is open) */
static bool
app_exists(const char *app)
{
	Oid argtypes[1] = { TEXTOID };
	Datum values[1];
	bool found;

	values[0] = CStringGetTextDatum(app);
	/* the latest state: an undeploy may have committed after our snapshot */
	PushActiveSnapshot(GetLatestSnapshot());
	SPI_connect();
	siddhi_catalog_spi("SELECT 1 FROM siddhi.app WHERE name "
					   "OPERATOR(pg_catalog.=) $1::pg_catalog.name",
					   1, argtypes, values, NULL, true, false);
	found = SPI_processed > 0;
	SPI_finish();
	PopActiveSnapshot();
	return found;
}

static void
cdc_stop(void *state)
{
	CdcState *st = state;
	bool drop;

	MyReplicationSlot = st->slotp;
	if (st->ctx)
	{
		siddhi_cdc_active = st;
		PG_TRY();
		{
			FreeDecodingContext(st->ctx);
		}
		PG_FINALLY();
		{
			siddhi_cdc_active = NULL;
		}
		PG_END_TRY();
		st->ctx = NULL;
	}
	if (st->spill)
		BufFileClose(st->spill);
	st->spill = NULL;
	if (st->timerfd >= 0)
		close(st->timerfd);
	st->timerfd = -1;
	if (st->slotp == NULL)
		return;
	/* an app that was dropped: its slot goes with it */
	drop = IsTransactionState() && !app_exists(st->app);
	MyReplicationSlot = st->slotp;
	slot_unregister(st);
	ReplicationSlotRelease();
	if (drop)
	{
		ReplicationSlotDrop(st->slot, true);
		ereport(LOG, (errmsg("siddhi: dropped replication slot \"%s\" of "
							 "app \"%s\"",
							 st->slot, st->app)));
		sweep_slots();
	}
}

const SiddhiSourceOps siddhi_cdc_source_ops = {
	.type = "cdc",
	.start = cdc_start,
	.poll = cdc_poll,
	.committed = cdc_committed,
	.wait_fd = cdc_wait_fd,
	.status = cdc_status,
	.stop = cdc_stop,
	.record_time = true,
};
