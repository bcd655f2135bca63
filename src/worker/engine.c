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
 * A batch: the transactions whose COMMIT marker has arrived are fed to
 * the runtime in commit order, each whole and in insert order; rows of
 * transactions still open wait in pending.c (spilling to temporary files
 * beyond siddhi.pending_memory) and never hold back others; rows of
 * aborted transactions are dropped.  All table writes of a batch commit
 * together.
 *
 * Each app runs as its owner: analysis and every query step run in a
 * frame of user code (src/runtime/usercode.c: the owner's user id,
 * SECURITY_RESTRICTED_OPERATION, a GUC nest level rolled back after the
 * step).  The worker itself runs with search_path = pg_catalog, pg_temp,
 * set at session level when it starts, and its own statements on
 * siddhi.app go through siddhi_catalog_spi (pinned as well, with
 * schema-qualified operators).  An app that fails to load is marked
 * failed in siddhi.app with its error; the others keep running.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <malloc.h>

#include "access/transam.h"
#include "access/xact.h"
#include "catalog/pg_authid.h"
#include "commands/dbcommands.h"
#include "commands/extension.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "portability/instr_time.h"
#include "postmaster/bgworker.h"
#include "postmaster/interrupt.h"
#include "siddhi/analyzer.h"
#include "siddhi/catalog.h"
#include "siddhi/depend.h"
#include "siddhi/errors.h"
#include "siddhi/ipc.h"
#include "siddhi/metrics.h"
#include "siddhi/parser.h"
#include "siddhi/runtime.h"
#include "siddhi/shmem.h"
#include "siddhi/sink.h"
#include "siddhi/source_runtime.h"
#include "siddhi/state.h"
#include "siddhi/usercode.h"
#include "siddhi/worker.h"
#include "pending.h"
#include "durable.h"
#include "engine_int.h"
#include "state.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "storage/lock.h"
#include "storage/pmsignal.h"
#include "storage/proc.h"
#include "tcop/tcopprot.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/memutils.h"
#include "utils/syscache.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"


static int my_slot = -1;
static List *loaded = NIL; /* of LoadedApp * */
static uint32 seen_generation = 0;

void siddhi_stats_free_db(Oid dboid);
void siddhi_sink_stats_free_db(Oid dboid);

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

	SetCurrentStatementStartTimestamp();
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
	siddhi_catalog_spi(
		"WITH mine AS (SELECT name FROM siddhi.app "
		"  WHERE name OPERATOR(pg_catalog.=) $3 "
		"  AND deployed_at OPERATOR(pg_catalog.=) $4 "
		"  FOR UPDATE SKIP LOCKED) "
		"UPDATE siddhi.app a SET state = $1, error = $2 FROM mine "
		"WHERE a.name OPERATOR(pg_catalog.=) mine.name "
		"AND (a.state IS DISTINCT FROM $1 OR a.error IS DISTINCT FROM $2)",
		4, argtypes, values, nulls, false, false);
}

/*
 * Load one app.  Runs in a subtransaction so that a failure (a table
 * dropped behind our back, a function that no longer exists) marks only
 * this app failed.  The app is analysed and started as its owner, in a
 * frame of user code (usercode.c), under the search_path it was deployed
 * with (search_path; NULL: PostgreSQL's default), so its names resolve
 * as they did at deploy; the frame's rollback then puts the worker's
 * pinned search_path back.
 */
static void
load_app(const char *name, Oid owner, const char *source,
		 const char *search_path, TimestampTz deployed_at, List *relations)
{
	MemoryContext oldcxt = CurrentMemoryContext;
	ResourceOwner oldowner = CurrentResourceOwner;
	MemoryContext cxt;
	LoadedApp *la;
	int frame;

	cxt = AllocSetContextCreate(TopMemoryContext, "siddhi app",
								ALLOCSET_DEFAULT_SIZES);
	la = MemoryContextAllocZero(TopMemoryContext, sizeof(LoadedApp));
	la->name = MemoryContextStrdup(TopMemoryContext, name);
	la->deployed_at = deployed_at;
	la->cxt = cxt;

	BeginInternalSubTransaction(NULL);
	frame = siddhi_usercode_enter(owner);
	PG_TRY();
	{
		SiddhiSourceContext sctx;
		SiddhiApp *ast;
		SiddhiAppPlan *plan;
		char *src;
		List *rels;

		/*
		 * An app keeps its owner through its placeholder view's pg_shdepend
		 * entry (depend.c); one whose view a CASCADE dropped does not, and
		 * its owner may be dropped since: never run it as an OID nobody has
		 * (or somebody gets later).
		 */
		if (!SearchSysCacheExists1(AUTHOID, ObjectIdGetDatum(owner)))
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_OBJECT),
					 errmsg("the owner of app \"%s\", role %u, no longer "
							"exists",
							name, owner),
					 errhint("A superuser can undeploy it.")));
		MemoryContextSwitchTo(cxt);
		src = pstrdup(source);
		rels = relations;
		(void) set_config_option(
			"search_path", search_path ? search_path : "\"$user\", public",
			PGC_USERSET, PGC_S_SESSION, GUC_ACTION_SAVE, true, 0, false);
		siddhi_source_context_push(&sctx, src, la->name);
		ast = siddhi_parse_app(src);
		plan = siddhi_analyze_app(ast, la->name, SIDDHI_ANALYZE_LOAD, rels);
		plan->owner = owner;
		/* pg_depend as of this analysis (a restored database has none) */
		siddhi_depend_record(la->name, plan);
		la->runtime = siddhi_runtime_start_app(plan);
		/* its queries' saved state, before any event (epochs) */
		if (siddhi_save_state)
			siddhi_state_restore_app(la->name, deployed_at, la->runtime);
		else
			siddhi_state_forget_app(la->name);
		siddhi_metrics_probe_commit();
		siddhi_sinks_start(la->runtime, plan, la->name);
		siddhi_source_context_pop(&sctx);
		siddhi_usercode_leave(frame, true);
		la->watch = siddhi_watch_build(la->name, owner);
		/* its sources (connectors): a missing secret fails the app */
		MemoryContextSwitchTo(cxt);
		siddhi_sources_start_app(la->name, owner, plan, la->runtime);

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

		siddhi_usercode_leave(frame, false);
		MemoryContextSwitchTo(oldcxt);
		edata = CopyErrorData();
		FlushErrorState();
		RollbackAndReleaseCurrentSubTransaction();
		/* a start that failed half way left probes into freed memory */
		siddhi_metrics_probe_abort();
		/* started before what failed: unhook it (and its sinks) */
		if (la->runtime)
		{
			siddhi_sinks_stop(la->runtime);
			siddhi_runtime_stop_app(la->runtime);
		}
		MemoryContextSwitchTo(oldcxt);
		CurrentResourceOwner = oldowner;

		msg = edata->context
				  ? psprintf("%s\n%s", edata->message, edata->context)
				  : pstrdup(edata->message);
		ereport(LOG, (errcode(ERRCODE_SIDDHI_ERROR),
					  errmsg("siddhi: app \"%s\" failed to start: %s", name,
							 edata->message)));
		set_app_state(name, deployed_at, "failed", siddhi_secrets_redact(msg));
		MemoryContextDelete(cxt);
		pfree(la->name);
		pfree(la);
	}
	PG_END_TRY();
}

static void
unload_app(LoadedApp *la)
{
	siddhi_watch_free(la->watch);
	siddhi_sources_stop_app(la->name);
	if (la->runtime)
	{
		siddhi_sinks_stop(la->runtime);
		siddhi_runtime_stop_app(la->runtime);
	}
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
		char *search_path; /* the deployer's; NULL: not recorded */
		List *relations;
	} AppRow;

	SetCurrentStatementStartTimestamp();
	StartTransactionCommand();
	PushActiveSnapshot(GetTransactionSnapshot());
	SPI_connect();
	siddhi_catalog_spi("SELECT name, owner::pg_catalog.oid, source, "
					   "deployed_at, search_path "
					   "FROM siddhi.app ORDER BY deployed_at, name",
					   0, NULL, NULL, NULL, true, false);
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
			row->search_path = SPI_getvalue(t, d, 5);
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
		TimestampTz replaced_by = 0;

		foreach(r, rows)
		{
			AppRow *row = lfirst(r);

			if (strcmp(row->name, la->name) == 0)
			{
				if (row->deployed_at == la->deployed_at)
					keep = true;
				else
					replaced_by = row->deployed_at;
			}
		}
		if (!keep)
		{
			if (replaced_by != 0)
				siddhi_epoch_hand_over(la, replaced_by);
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

			row->relations = siddhi_app_relations(row->name);
			MemoryContextSwitchTo(old);
		}
		load_app(row->name, row->owner, row->source, row->search_path,
				 row->deployed_at, row->relations);
	}

	SPI_finish();
	PopActiveSnapshot();
	CommitTransactionCommand();
	pgstat_report_stat(false);
}

/*
 * An app's runtime is about to go because its catalog changed (SPI
 * connected): the state it holds now goes to the deployment that is in
 * siddhi.app now (epochs.c), whether a replace made a new one or the same
 * one is reloaded or stopped.  Nothing when the app is undeployed.
 */
static void
hand_over(LoadedApp *la)
{
	Oid argtypes[1] = { TEXTOID };
	Datum values[1];
	MemoryContext cxt = CurrentMemoryContext;
	bool isnull;
	TimestampTz now_deployed;

	values[0] = CStringGetTextDatum(la->name);
	siddhi_catalog_spi("SELECT deployed_at FROM siddhi.app "
					   "WHERE name OPERATOR(pg_catalog.=) $1",
					   1, argtypes, values, NULL, true, false);
	if (SPI_processed != 1)
	{
		MemoryContextSwitchTo(cxt);
		return;
	}
	now_deployed = DatumGetTimestampTz(SPI_getbinval(
		SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	MemoryContextSwitchTo(cxt);
	siddhi_epoch_hand_over(la, now_deployed);
}

/*
 * Between batches: look at the apps whose watch an invalidation marked
 * (src/worker/invalidate.c).  An app whose relations, functions or
 * privileges changed is reloaded from its source, so that nothing stale
 * is used (a new analysis sees the change, or fails the app with its
 * error); one that uses something that is gone is stopped and marked
 * failed with the reason.  Starting the transaction is what makes the
 * worker take in the invalidations sent since the last one.
 */
static void
recheck_apps(void)
{
	List *again = NIL;
	ListCell *lc;

	SetCurrentStatementStartTimestamp();
	StartTransactionCommand();
	if (!siddhi_watch_any_dirty())
	{
		CommitTransactionCommand();
		return;
	}
	PushActiveSnapshot(GetTransactionSnapshot());
	SPI_connect();
	foreach(lc, loaded)
	{
		LoadedApp *la = lfirst(lc);
		bool gone;
		char *why;
		char *name;
		TimestampTz deployed_at = la->deployed_at;

		if (!siddhi_watch_dirty(la->watch))
			continue;
		why = siddhi_watch_check(la->watch, &gone);
		if (why == NULL)
			continue;
		name = MemoryContextStrdup(TopTransactionContext, la->name);
		ereport(LOG, (errcode(ERRCODE_SIDDHI_ERROR),
					  errmsg("siddhi: app \"%s\" %s: %s", name,
							 gone ? "stopped" : "reloaded", why)));
		hand_over(la);
		unload_app(la);
		loaded = foreach_delete_current(loaded, lc);
		if (gone)
			set_app_state(name, deployed_at, "failed", why);
		else
			again = lappend(again, name);
	}
	foreach(lc, again)
	{
		Oid argtypes[1] = { TEXTOID };
		Datum values[1] = { CStringGetTextDatum(lfirst(lc)) };
		bool isnull;
		char *name;
		Oid owner;
		char *source;
		char *search_path;
		TimestampTz deployed_at;
		List *rels;
		MemoryContext old = MemoryContextSwitchTo(TopTransactionContext);

		siddhi_catalog_spi("SELECT name, owner::pg_catalog.oid, source, "
						   "deployed_at, search_path FROM siddhi.app "
						   "WHERE name OPERATOR(pg_catalog.=) $1",
						   1, argtypes, values, NULL, true, false);
		if (SPI_processed != 1)
		{
			MemoryContextSwitchTo(old);
			continue; /* undeployed meanwhile */
		}
		name = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);
		owner = DatumGetObjectId(SPI_getbinval(
			SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2, &isnull));
		source = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 3);
		deployed_at = DatumGetTimestampTz(SPI_getbinval(
			SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 4, &isnull));
		search_path =
			SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 5);
		rels = siddhi_app_relations(name);
		MemoryContextSwitchTo(old);
		load_app(name, owner, source, search_path, deployed_at, rels);
	}
	SPI_finish();
	PopActiveSnapshot();
	CommitTransactionCommand();
	pgstat_report_stat(false);
}

static uint64 batch_events = 0;

static void
feed_rows(SiddhiChunkHeader *hdr)
{
	batch_events += hdr->nrows;
	siddhi_metrics_stream_fed(hdr->relid, hdr->nrows, hdr->length);
	siddhi_runtime_feed_chunk(
		hdr->relid, hdr->desc_sig,
		(char *) hdr + MAXALIGN(sizeof(SiddhiChunkHeader)), hdr->nrows);
}

/* A durable stream's chunk may be fed from elsewhere (durable.c). */
static void
feed_chunk(SiddhiChunkHeader *hdr)
{
	if (hdr->flags & SIDDHI_CHUNK_DURABLE)
		siddhi_durable_feed(hdr, feed_rows);
	else
		feed_rows(hdr);
}

/*
 * Session-level advisory locks that app code took (pg_advisory_lock in a
 * user's function) would outlive its step and the batch, held by the
 * engine until it exits and blocking whoever waits for them: the engine
 * takes none of its own, so it lets go of every one after each batch.
 */
static void
release_app_session_locks(void)
{
	LockReleaseSession(USER_LOCKMETHOD);
}


/*
 * SIGTERM (a fast or smart shutdown, pg_terminate_backend): while the
 * worker waits for work, it saves the state of every query that changed
 * since its last save and exits, so that a clean restart restores all of
 * it; anywhere else (a batch running a user's function, a source reading
 * WAL that will not come during a shutdown) it dies at once, as after a
 * crash: the state of the last saved epoch is restored.
 */
static volatile sig_atomic_t idle = false;
static volatile sig_atomic_t stop_requested = false;

static void
engine_sigterm(SIGNAL_ARGS)
{
	int save_errno = errno;

	if (!idle)
		die(postgres_signal_arg);
	else
	{
		stop_requested = true;
		SetLatch(MyLatch);
	}
	errno = save_errno;
}


/*
 * The worker stops: the state that changed since the last save, saved.
 * Not waiting long for a lock (a redeploy or a DROP holding the rows):
 * then nothing more is saved, and another SIGTERM ends it at once.
 */
static void
save_before_stop(void)
{
	SetConfigOption("lock_timeout", "1s", PGC_SUSET, PGC_S_SESSION);
	SetCurrentStatementStartTimestamp();
	StartTransactionCommand();
	PushActiveSnapshot(GetTransactionSnapshot());
	siddhi_epoch_save(loaded, true);
	PopActiveSnapshot();
	CommitTransactionCommand();
	siddhi_epoch_committed(loaded);
	ereport(LOG, (errmsg("siddhi: engine saved the state of its queries and "
						 "stops")));
}

/* One batch: feed the transactions that committed, in one transaction. */
static void
run_batch(void)
{
	instr_time start;
	instr_time elapsed;
	uint64 source_events;
	bool consumed;
	bool durable;

	INSTR_TIME_SET_CURRENT(start);
	batch_events = 0;
	/*
	 * A background worker sets the statement's start itself: now() in the
	 * transaction (a column's DEFAULT now(), a user's function, the saved
	 * state's saved_at) is this time, not the worker's start.
	 */
	SetCurrentStatementStartTimestamp();
	StartTransactionCommand();
	if (siddhi_watch_any_dirty())
	{
		/* an app changed since the top of the loop: not with stale plans */
		CommitTransactionCommand();
		recheck_apps();
		SetCurrentStatementStartTimestamp();
		StartTransactionCommand();
	}
	PushActiveSnapshot(GetTransactionSnapshot());
	siddhi_runtime_begin_batch();
	BeginInternalSubTransaction(NULL);

	siddhi_durable_begin_batch(feed_rows);
	siddhi_pending_release(feed_chunk);
	/* the sources' records and positions, in the same transaction */
	source_events = siddhi_sources_feed(&consumed);
	batch_events += source_events;
	/* durable streams' position: their fed chunks leave the staging table */
	durable = siddhi_durable_end_batch();

	siddhi_runtime_end_batch();
	siddhi_epoch_fed(batch_events);
	/*
	 * inputs that resume from this batch: the state must be this batch's
	 * (a source that consumed records moved its position, even when they
	 * made no event or a stored record re-fed from siddhi.errors went)
	 */
	siddhi_epoch_save(loaded, durable || consumed);
	ReleaseCurrentSubTransaction();
	PopActiveSnapshot();
	CommitTransactionCommand();
	siddhi_epoch_committed(loaded);
	siddhi_sources_committed();
	release_app_session_locks();

	INSTR_TIME_SET_CURRENT(elapsed);
	INSTR_TIME_SUBTRACT(elapsed, start);
	siddhi_epoch_busy(INSTR_TIME_GET_MILLISEC(elapsed));
	/* what the queries hold now, and each app's commit latency and lag */
	siddhi_metrics_probe_sample();
	siddhi_metrics_batch_end(my_slot,
							 (uint64) INSTR_TIME_GET_MICROSEC(elapsed) * 1000,
							 siddhi_now_ms(), (int64) siddhi_pending_memory());
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
	SetCurrentStatementStartTimestamp();
	StartTransactionCommand();
	PushActiveSnapshot(GetTransactionSnapshot());
	siddhi_runtime_begin_batch();
	BeginInternalSubTransaction(NULL);
	siddhi_runtime_fire_timers(now);
	siddhi_runtime_end_batch();
	siddhi_epoch_save(loaded, false);
	ReleaseCurrentSubTransaction();
	PopActiveSnapshot();
	CommitTransactionCommand();
	siddhi_epoch_committed(loaded);
	release_app_session_locks();
	siddhi_metrics_probe_sample(); /* windows emptied as time passed */
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

	/* die() until the apps are loaded: nothing to save before */
	pqsignal(SIGTERM, die);
	pqsignal(SIGHUP, SignalHandlerForConfigReload);
	BackgroundWorkerUnblockSignals();
	BackgroundWorkerInitializeConnectionByOid(dboid, InvalidOid, 0);
	siddhi_in_engine = true;

	/*
	 * The worker's own search_path, for its catalog statements and for the
	 * user code it runs (usercode.c): set at session level, so that no GUC
	 * stack entry stays open across a batch and each step's nest level
	 * stays cheap to roll back.
	 */
	SetConfigOption("search_path", "pg_catalog, pg_temp", PGC_USERSET,
					PGC_S_SESSION);

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
	siddhi_metrics_free_db(dboid);
	SetCurrentStatementStartTimestamp();
	StartTransactionCommand();
	siddhi_metrics_engine_start(my_slot, get_database_name(dboid));
	CommitTransactionCommand();
	siddhi_sink_stats_free_db(dboid);
	siddhi_source_stats_free_db(dboid);
	siddhi_pending_init();

	/*
	 * The chunks of a large transaction wait in pending.c (64 kB each, up
	 * to siddhi.pending_memory) and are all freed when it commits.  By default malloc gives the freed
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
	/*
	 * Setting the trim threshold also freezes glibc's mmap threshold at
	 * 128 kB, so every memory-context block or buffer past that size was
	 * its own mmap, unmapped when the batch's contexts were reset and
	 * faulted in page by page again in the next batch (a Kafka source's
	 * 10,000-record batches spent a quarter of the engine's time in page
	 * faults).  Such blocks come from the heap instead, where the trim
	 * threshold above keeps them for the next batch; a single allocation
	 * past 32 MB (glibc's largest setting) is still mapped on its own.
	 */
#ifdef M_MMAP_THRESHOLD
	mallopt(M_MMAP_THRESHOLD, 32 * 1024 * 1024);
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
	siddhi_watch_init();
	siddhi_durable_start();
	reload_apps();
	/* committed events of durable streams not processed before (durable.c) */
	run_batch();
	pqsignal(SIGTERM, engine_sigterm);

	for (;;)
	{
		uint32 gen;
		Size n;
		SiddhiRingRun runs[SIDDHI_RING_MAX_RUNS];
		int nruns = 0;
		bool busy = false;
		uint64 upto = 0;
		int64 deadline;
		bool blocked;
		long sink_timeout;
		int polled;

		CHECK_FOR_INTERRUPTS();
		if (stop_requested)
		{
			save_before_stop();
			proc_exit(0);
		}
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
		/*
		 * Half the ring at most: producers fill the rest meanwhile.  None
		 * while a sink with on.error = 'WAIT' has a full outbox: events
		 * wait in the ring (and producers, once it is full) until
		 * deliveries free room.
		 */
		blocked = siddhi_sinks_blocked();
		n = blocked
				? 0
				: siddhi_ring_pop(ring, buf, bufsize / 2, &upto, runs, &nruns);
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
		recheck_apps();
		/* the runs lie in the ring (or buf) until siddhi_ring_consume */
		for (int k = 0; n > 0 && k < nruns; k++)
			siddhi_pending_absorb(runs[k].data, runs[k].len, runs[k].pos);
		if (!blocked)
			siddhi_pending_poll(upto, n > 0);
		/*
		 * What the sources have now (src/connectors/source.c); nothing
		 * while a WAIT sink is full.
		 */
		polled = blocked ? 0 : siddhi_sources_poll();
		if (!blocked && (siddhi_pending_releasable() || polled > 0))
			run_batch();
		/* before the ring's room is consumed (and the next pop reuses buf) */
		siddhi_pending_keep();
		busy = n > 0 || polled > 0;
		/*
		 * What was popped is fed and committed, or copied into pending.c
		 * (an open transaction's rows: lost with the worker if it dies,
		 * see src/worker/README.md): its room in the ring may be reused.
		 */
		if (n > 0)
			siddhi_ring_consume(ring, upto);
		/* windows on the wall clock whose time has come */
		deadline = siddhi_runtime_next_deadline();
		if (!blocked && deadline >= 0 && siddhi_now_ms() >= deadline)
			run_timers(siddhi_now_ms());
		/* open transactions do not hold flush() back, committed ones do */
		if (!blocked)
			siddhi_ring_mark_done(ring, siddhi_pending_done(upto));
		/* sinks: acknowledgements in, outbox rows out (sink.c) */
		sink_timeout = siddhi_naptime_ms;
		if (siddhi_sinks_deliver(&sink_timeout))
			busy = true;

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
			engine_wait(now, blocked, sink_timeout, &idle);
			ResetLatch(MyLatch);
		}
		else if (!PostmasterIsAlive())
		{
			/*
			 * A busy turn does not wait, so WL_EXIT_ON_PM_DEATH would not
			 * see the postmaster gone until the sources run dry: a backlog
			 * (a cdc source behind on WAL) would keep this orphan attached
			 * to shared memory, and a new postmaster from starting, for
			 * as long.  Here everything fed is committed: exit as the
			 * wait would.
			 */
			proc_exit(1);
		}
	}
	proc_exit(0);
}
