/*-------------------------------------------------------------------------
 *
 * engine.c
 *	  The engine worker of one database: loads the deployed apps, drains
 *	  the database's event ring, runs the queries.
 *
 * State diagram of the worker:
 *
 *	 start -> no extension? -> exit(0)          (the launcher's probe)
 *	       -> claim the slot -> load apps -> loop:
 *	            apps generation changed -> reload the apps that changed
 *	            ring has chunks         -> batch (one transaction)
 *	            extension dropped       -> release the slot, exit(0)
 *	            SIGTERM                 -> FATAL (die), even in a lock wait
 *	            SIGHUP                  -> reload GUCs
 *
 * SIGTERM is the standard die(): CHECK_FOR_INTERRUPTS, called in every
 * lock wait and latch wait, ends the worker with FATAL through proc_exit,
 * which aborts the transaction and runs release_slot.  The launcher starts
 * a new worker unless the slot is no longer wanted (extension dropped) or
 * paused (DROP/ALTER DATABASE, see utility.c); the new worker reads again
 * the batch the old one had not committed (siddhi_ring_rewind).
 *
 * A batch: chunks whose transaction committed are fed to the runtime in
 * ring order; chunks of transactions still in progress (by one snapshot
 * per batch, so all chunks of one transaction agree) wait in a pending
 * list, ahead of newer chunks, until their transaction ends; chunks of
 * aborted transactions are dropped.  All table writes of a batch commit
 * together.
 *
 * Each app runs as its owner: analysis and every query step switch to
 * the owner's user id.  An app that fails to load is marked failed in
 * siddhi.app with its error; the others keep running.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <malloc.h>

#include "access/transam.h"
#include "access/xact.h"
#include "catalog/pg_authid.h"
#include "commands/extension.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "portability/instr_time.h"
#include "postmaster/bgworker.h"
#include "postmaster/interrupt.h"
#include "siddhi/analyzer.h"
#include "siddhi/errors.h"
#include "siddhi/ipc.h"
#include "siddhi/parser.h"
#include "siddhi/runtime.h"
#include "siddhi/shmem.h"
#include "siddhi/worker.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "storage/proc.h"
#include "tcop/tcopprot.h"
#include "utils/builtins.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"

typedef struct LoadedApp
{
	char *name;
	TimestampTz deployed_at;
	MemoryContext cxt;
	SiddhiAppRuntime *runtime;
} LoadedApp;

static int my_slot = -1;
static List *loaded = NIL;	/* of LoadedApp * */
static List *pending = NIL; /* of SiddhiChunkHeader *, ring order */
static MemoryContext pending_cxt = NULL;
static uint32 seen_generation = 0;

void siddhi_stats_free_db(Oid dboid);

/*
 * At exit, however it comes (FATAL, proc_exit): the slot no longer has a
 * worker; when no new one is wanted (the extension was dropped), the slot
 * is freed for another database.
 */
static void
release_slot(int code, Datum arg)
{
	SiddhiDbSlot *slot;
	bool for_good = false;

	if (my_slot < 0)
		return;
	slot = &siddhi_shared->dbs[my_slot];
	LWLockAcquire(siddhi_shared->lock, LW_EXCLUSIVE);
	if (slot->worker_pid == MyProcPid)
	{
		slot->worker_pid = 0;
		slot->worker_latch = NULL;
		for_good = !slot->wanted && !slot->paused;
	}
	LWLockRelease(siddhi_shared->lock);
	if (for_good)
		siddhi_db_slot_free(MyDatabaseId, true);
}

/* The extension is gone: no worker is wanted here any more. */
static void
stop_for_good(void)
{
	LWLockAcquire(siddhi_shared->lock, LW_EXCLUSIVE);
	siddhi_shared->dbs[my_slot].wanted = false;
	LWLockRelease(siddhi_shared->lock);
}

static bool
extension_exists(void)
{
	bool exists;

	StartTransactionCommand();
	exists = OidIsValid(get_extension_oid("siddhi", true));
	CommitTransactionCommand();
	return exists;
}

static void
set_app_state(const char *name, TimestampTz deployed_at, const char *state,
			  const char *error)
{
	Oid argtypes[4] = { TEXTOID, TEXTOID, TEXTOID, TIMESTAMPTZOID };
	Datum values[4];
	char nulls[4] = { ' ', ' ', ' ', ' ' };

	values[0] = CStringGetTextDatum(state);
	if (error)
		values[1] = CStringGetTextDatum(error);
	else
		nulls[1] = 'n';
	values[2] = CStringGetTextDatum(name);
	values[3] = TimestampTzGetDatum(deployed_at);
	/*
	 * SKIP LOCKED: a session changing the app right now (an undeploy or a
	 * redeploy) may be waiting for a lock this worker holds on one of the
	 * app's relations; waiting for its row would deadlock.  Its commit
	 * wakes the worker, which loads the app again and records the state.
	 */
	SPI_execute_with_args(
		"WITH mine AS (SELECT name FROM siddhi.app "
		"  WHERE name = $3 AND deployed_at = $4 FOR UPDATE SKIP LOCKED) "
		"UPDATE siddhi.app a SET state = $1, error = $2 FROM mine "
		"WHERE a.name = mine.name "
		"AND (a.state IS DISTINCT FROM $1 OR a.error IS DISTINCT FROM $2)",
		4, argtypes, values, nulls, false, 0);
}

/* Relations recorded for an app, as SiddhiRelation entries. */
static List *
app_relations(const char *name)
{
	Oid argtypes[1] = { TEXTOID };
	Datum values[1];
	List *result = NIL;

	values[0] = CStringGetTextDatum(name);
	SPI_execute_with_args("SELECT kind, nspname::text, relname::text, created "
						  "FROM siddhi.app_relation WHERE app = $1",
						  1, argtypes, values, NULL, true, 0);
	for (uint64 i = 0; i < SPI_processed; i++)
	{
		HeapTuple t = SPI_tuptable->vals[i];
		TupleDesc d = SPI_tuptable->tupdesc;
		SiddhiRelation *r = palloc0(sizeof(SiddhiRelation));
		bool isnull;

		char *kind = SPI_getvalue(t, d, 1);

		r->kind = siddhi_relation_kind_parse(kind);
		r->nspname = SPI_getvalue(t, d, 2);
		r->name = SPI_getvalue(t, d, 3);
		r->created = DatumGetBool(SPI_getbinval(t, d, 4, &isnull));
		result = lappend(result, r);
	}
	return result;
}

/*
 * Load one app.  Runs in a subtransaction so that a failure (a table
 * dropped behind our back, a function that no longer exists) marks only
 * this app failed.
 */
static void
load_app(const char *name, Oid owner, const char *source,
		 TimestampTz deployed_at, List *relations)
{
	MemoryContext oldcxt = CurrentMemoryContext;
	ResourceOwner oldowner = CurrentResourceOwner;
	MemoryContext cxt;
	LoadedApp *la;
	Oid save_user;
	int save_sec;

	cxt = AllocSetContextCreate(TopMemoryContext, "siddhi app",
								ALLOCSET_DEFAULT_SIZES);
	la = MemoryContextAllocZero(TopMemoryContext, sizeof(LoadedApp));
	la->name = MemoryContextStrdup(TopMemoryContext, name);
	la->deployed_at = deployed_at;
	la->cxt = cxt;

	GetUserIdAndSecContext(&save_user, &save_sec);
	BeginInternalSubTransaction(NULL);
	PG_TRY();
	{
		SiddhiSourceContext sctx;
		SiddhiApp *ast;
		SiddhiAppPlan *plan;
		char *src;
		List *rels;

		MemoryContextSwitchTo(cxt);
		src = pstrdup(source);
		rels = relations;
		SetUserIdAndSecContext(owner, save_sec | SECURITY_LOCAL_USERID_CHANGE);
		siddhi_source_context_push(&sctx, src, la->name);
		ast = siddhi_parse_app(src);
		plan = siddhi_analyze_app(ast, la->name, SIDDHI_ANALYZE_LOAD, rels);
		plan->owner = owner;
		la->runtime = siddhi_runtime_start_app(plan);
		siddhi_source_context_pop(&sctx);
		SetUserIdAndSecContext(save_user, save_sec);

		ReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(oldcxt);
		CurrentResourceOwner = oldowner;
		set_app_state(name, deployed_at, "running", NULL);
		{
			MemoryContext top = MemoryContextSwitchTo(TopMemoryContext);

			loaded = lappend(loaded, la);
			MemoryContextSwitchTo(top);
		}
	}
	PG_CATCH();
	{
		ErrorData *edata;
		char *msg;

		SetUserIdAndSecContext(save_user, save_sec);
		MemoryContextSwitchTo(oldcxt);
		edata = CopyErrorData();
		FlushErrorState();
		RollbackAndReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(oldcxt);
		CurrentResourceOwner = oldowner;

		msg = edata->context
				  ? psprintf("%s\n%s", edata->message, edata->context)
				  : pstrdup(edata->message);
		ereport(LOG, (errcode(ERRCODE_SIDDHI_ERROR),
					  errmsg("siddhi: app \"%s\" failed to start: %s", name,
							 edata->message)));
		set_app_state(name, deployed_at, "failed", msg);
		MemoryContextDelete(cxt);
		pfree(la->name);
		pfree(la);
	}
	PG_END_TRY();
}

static void
unload_app(LoadedApp *la)
{
	if (la->runtime)
		siddhi_runtime_stop_app(la->runtime);
	MemoryContextDelete(la->cxt);
	pfree(la->name);
	pfree(la);
}

/* Bring the loaded apps in line with siddhi.app. */
static void
reload_apps(void)
{
	List *rows = NIL;
	ListCell *lc;

	typedef struct AppRow
	{
		char *name;
		Oid owner;
		char *source;
		TimestampTz deployed_at;
		List *relations;
	} AppRow;

	StartTransactionCommand();
	PushActiveSnapshot(GetTransactionSnapshot());
	SPI_connect();
	SPI_execute("SELECT name, owner::oid, source, deployed_at "
				"FROM siddhi.app ORDER BY deployed_at, name",
				true, 0);
	{
		SPITupleTable *tt = SPI_tuptable;
		uint64 n = SPI_processed;

		for (uint64 i = 0; i < n; i++)
		{
			HeapTuple t = tt->vals[i];
			TupleDesc d = tt->tupdesc;
			bool isnull;
			AppRow *row;
			MemoryContext old = MemoryContextSwitchTo(TopTransactionContext);

			row = palloc0(sizeof(AppRow));
			row->name = SPI_getvalue(t, d, 1);
			row->owner = DatumGetObjectId(SPI_getbinval(t, d, 2, &isnull));
			row->source = SPI_getvalue(t, d, 3);
			row->deployed_at =
				DatumGetTimestampTz(SPI_getbinval(t, d, 4, &isnull));
			rows = lappend(rows, row);
			MemoryContextSwitchTo(old);
		}
	}

	/* stop apps that are gone or were redeployed */
	foreach(lc, loaded)
	{
		LoadedApp *la = lfirst(lc);
		bool keep = false;
		ListCell *r;

		foreach(r, rows)
		{
			AppRow *row = lfirst(r);

			if (strcmp(row->name, la->name) == 0 &&
				row->deployed_at == la->deployed_at)
				keep = true;
		}
		if (!keep)
		{
			unload_app(la);
			loaded = foreach_delete_current(loaded, lc);
		}
	}

	/* start the new ones */
	foreach(lc, rows)
	{
		AppRow *row = lfirst(lc);
		bool have = false;
		ListCell *l;

		foreach(l, loaded)
		{
			LoadedApp *la = lfirst(l);

			if (strcmp(row->name, la->name) == 0)
				have = true;
		}
		if (have)
			continue;
		{
			MemoryContext old = MemoryContextSwitchTo(TopTransactionContext);

			row->relations = app_relations(row->name);
			MemoryContextSwitchTo(old);
		}
		load_app(row->name, row->owner, row->source, row->deployed_at,
				 row->relations);
	}

	SPI_finish();
	PopActiveSnapshot();
	CommitTransactionCommand();
	pgstat_report_stat(false);
}

typedef enum ChunkFate
{
	CHUNK_WAIT,
	CHUNK_FEED,
	CHUNK_DROP
} ChunkFate;

static ChunkFate
xid_status(TransactionId xid, Snapshot snap)
{
	if (XidInMVCCSnapshot(xid, snap))
		return CHUNK_WAIT;
	if (TransactionIdDidCommit(xid))
		return CHUNK_FEED;
	return CHUNK_DROP;
}

static uint64 batch_events = 0;

static void
feed_chunk(SiddhiChunkHeader *hdr)
{
	batch_events += hdr->nrows;
	siddhi_runtime_feed_chunk(
		hdr->relid, (char *) hdr + MAXALIGN(sizeof(SiddhiChunkHeader)),
		hdr->nrows);
}

/*
 * One batch: decide the fate of pending chunks and of the chunks in buf,
 * feed the committed ones, all in one transaction.
 */
static void
run_batch(char *buf, Size len)
{
	Snapshot snap;
	List *still_pending = NIL;
	ListCell *lc;
	Size off = 0;
	MemoryContext old;

	instr_time start;
	instr_time elapsed;

	INSTR_TIME_SET_CURRENT(start);
	batch_events = 0;
	StartTransactionCommand();
	PushActiveSnapshot(GetTransactionSnapshot());
	snap = GetLatestSnapshot();
	siddhi_runtime_begin_batch();
	BeginInternalSubTransaction(NULL);

	/* chunks that were waiting come first: they are older */
	foreach(lc, pending)
	{
		SiddhiChunkHeader *hdr = lfirst(lc);

		switch (xid_status(hdr->xid, snap))
		{
			case CHUNK_WAIT:
				old = MemoryContextSwitchTo(pending_cxt);
				still_pending = lappend(still_pending, hdr);
				MemoryContextSwitchTo(old);
				break;
			case CHUNK_FEED:
				feed_chunk(hdr);
				pfree(hdr);
				break;
			case CHUNK_DROP:
				pfree(hdr);
				break;
		}
	}
	list_free(pending);
	pending = NIL;

	while (off < len)
	{
		SiddhiChunkHeader *hdr = (SiddhiChunkHeader *) (buf + off);
		ChunkFate status = xid_status(hdr->xid, snap);

		if (status == CHUNK_WAIT || still_pending != NIL)
		{
			/* keep ring order behind anything that still waits */
			if (status != CHUNK_DROP)
			{
				SiddhiChunkHeader *copy;

				old = MemoryContextSwitchTo(pending_cxt);
				copy = palloc(hdr->length);
				memcpy(copy, hdr, hdr->length);
				still_pending = lappend(still_pending, copy);
				MemoryContextSwitchTo(old);
			}
		}
		else if (status == CHUNK_FEED)
			feed_chunk(hdr);
		off += hdr->length;
	}

	siddhi_runtime_end_batch();
	ReleaseCurrentSubTransaction();
	PopActiveSnapshot();
	CommitTransactionCommand();

	pending = still_pending;

	INSTR_TIME_SET_CURRENT(elapsed);
	INSTR_TIME_SUBTRACT(elapsed, start);
	pg_atomic_fetch_add_u64(&siddhi_shared->dbs[my_slot].events, batch_events);
	pg_atomic_fetch_add_u64(&siddhi_shared->dbs[my_slot].busy_us,
							INSTR_TIME_GET_MICROSEC(elapsed));
	pg_atomic_fetch_add_u64(&siddhi_shared->dbs[my_slot].batches, 1);
	pgstat_report_stat(false);
}

/* Let time pass for the windows of wall-clock apps, in one transaction. */
static void
run_timers(int64 now)
{
	StartTransactionCommand();
	PushActiveSnapshot(GetTransactionSnapshot());
	siddhi_runtime_begin_batch();
	BeginInternalSubTransaction(NULL);
	siddhi_runtime_fire_timers(now);
	siddhi_runtime_end_batch();
	ReleaseCurrentSubTransaction();
	PopActiveSnapshot();
	CommitTransactionCommand();
	pgstat_report_stat(false);
}

void
siddhi_engine_main(Datum arg)
{
	Oid dboid = DatumGetObjectId(arg);
	SiddhiRing *ring;
	char *buf;
	Size bufsize;
	TimestampTz last_check = 0;

	pqsignal(SIGTERM, die);
	pqsignal(SIGHUP, SignalHandlerForConfigReload);
	BackgroundWorkerUnblockSignals();
	BackgroundWorkerInitializeConnectionByOid(dboid, InvalidOid, 0);
	siddhi_in_engine = true;

	if (!extension_exists())
	{
		/* a slot left from before the extension was dropped goes back */
		siddhi_db_slot_free(dboid, true);
		proc_exit(0);
	}

	/*
	 * Claim the slot; another live worker for this database wins, and none
	 * runs while a DROP or ALTER DATABASE has paused the slot.
	 */
	my_slot = siddhi_db_slot(dboid, true);
	LWLockAcquire(siddhi_shared->lock, LW_EXCLUSIVE);
	if (siddhi_shared->dbs[my_slot].paused ||
		(siddhi_shared->dbs[my_slot].worker_pid != 0 &&
		 siddhi_shared->dbs[my_slot].worker_pid != MyProcPid &&
		 kill(siddhi_shared->dbs[my_slot].worker_pid, 0) == 0))
	{
		LWLockRelease(siddhi_shared->lock);
		my_slot = -1;
		proc_exit(0);
	}
	siddhi_shared->dbs[my_slot].worker_pid = MyProcPid;
	siddhi_shared->dbs[my_slot].worker_latch = MyLatch;
	siddhi_shared->dbs[my_slot].wanted = true;
	LWLockRelease(siddhi_shared->lock);
	before_shmem_exit(release_slot, 0);

	pgstat_report_appname("siddhi engine");
	siddhi_stats_free_db(dboid);
	pending_cxt = AllocSetContextCreate(TopMemoryContext, "siddhi pending",
										ALLOCSET_DEFAULT_SIZES);

	/*
	 * The chunks of a large transaction wait in pending_cxt (64 kB each)
	 * and are all freed when it commits.  By default malloc gives the freed
	 * heap back to the kernel at once, and the next large transaction
	 * faults every page in again: on bench/compare's length1000_avg (1
	 * million events a transaction) that cost a quarter of the engine's
	 * time.  Keep up to four rings' worth of freed heap for the next one
	 * (the engine's memory then stays at its peak up to that much).
	 */
#ifdef M_TRIM_THRESHOLD
	mallopt(M_TRIM_THRESHOLD, (int) Min((Size) siddhi_ring_size_kb * 1024 * 4,
										(Size) PG_INT32_MAX));
#endif
	ring = siddhi_ring_for_slot(my_slot);
	bufsize = ring->size;
	buf = MemoryContextAlloc(TopMemoryContext, bufsize);
	/* what a terminated worker popped and did not commit comes first */
	if (siddhi_ring_rewind(ring) > 0)
		ereport(LOG,
				(errmsg("siddhi: engine reads again the events of a batch "
						"its previous worker did not finish")));

	seen_generation =
		pg_atomic_read_u32(&siddhi_shared->dbs[my_slot].generation);
	reload_apps();

	for (;;)
	{
		uint32 gen;
		Size n;
		bool busy = false;
		uint64 upto;
		int64 deadline;

		CHECK_FOR_INTERRUPTS();
		if (ConfigReloadPending)
		{
			ConfigReloadPending = false;
			ProcessConfigFile(PGC_SIGHUP);
		}

		/*
		 * Pop first, then look at the generation: a deploy bumps it at
		 * commit, before any event can be inserted into its new streams, so
		 * the apps are current for everything popped.
		 */
		/* half the ring at most: producers fill the rest meanwhile */
		n = siddhi_ring_pop(ring, buf, bufsize / 2, &upto);
		gen = pg_atomic_read_u32(&siddhi_shared->dbs[my_slot].generation);
		if (gen != seen_generation)
		{
			seen_generation = gen;
			/* DROP EXTENSION wakes us through the generation */
			if (!extension_exists())
			{
				stop_for_good();
				break;
			}
			reload_apps();
		}
		if (n > 0 || pending != NIL)
		{
			run_batch(buf, n);
			busy = n > 0;
		}
		/* the batch committed: its room in the ring may be reused */
		if (n > 0)
			siddhi_ring_consume(ring, upto);
		/* windows on the wall clock whose time has come */
		deadline = siddhi_runtime_next_deadline();
		if (deadline >= 0 && siddhi_now_ms() >= deadline)
			run_timers(siddhi_now_ms());
		/* chunks still waiting for their transaction are not done */
		if (pending == NIL)
			siddhi_ring_mark_done(ring, upto);

		if (!busy)
		{
			TimestampTz now = GetCurrentTimestamp();

			/* now and then, see whether the extension is still there */
			if (TimestampDifferenceExceeds(last_check, now, siddhi_naptime_ms))
			{
				last_check = now;
				if (!extension_exists())
				{
					stop_for_good();
					break;
				}
			}
			{
				long timeout = pending != NIL ? 10 : siddhi_naptime_ms;

				deadline = siddhi_runtime_next_deadline();
				if (deadline >= 0)
					timeout = Max(0, Min(timeout, deadline - siddhi_now_ms()));
				(void) WaitLatch(
					MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
					timeout, PG_WAIT_EXTENSION);
			}
			ResetLatch(MyLatch);
		}
	}
	proc_exit(0);
}
