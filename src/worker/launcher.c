/*-------------------------------------------------------------------------
 *
 * launcher.c
 *	  The static background worker that keeps one engine worker running
 *	  for every database that uses siddhi.
 *
 * The launcher connects to no database; it reads the shared catalog
 * pg_database.  At start it probes every connectable database once by
 * starting an engine worker there, which exits at once when the database
 * has no siddhi extension.  Afterwards it keeps a worker running for each
 * database slot marked "wanted" (set by the worker itself when it finds
 * the extension, and by siddhi.deploy()), restarting a worker that died
 * after a back-off of siddhi.naptime, growing to 30 s while it keeps
 * failing.  It starts none for a slot that a DROP or ALTER DATABASE has
 * paused (utility.c), and frees the slots of databases that no longer
 * exist (a worker frees its own slot when the extension is dropped).
 *
 * SIGTERM is the standard die(): the launcher ends with FATAL even in a
 * lock wait, and the postmaster starts it again after bgw_restart_time
 * unless it is shutting down.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/heapam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "catalog/pg_database.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "postmaster/interrupt.h"
#include "siddhi/shmem.h"
#include "siddhi/worker.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "storage/proc.h"
#include "tcop/tcopprot.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"

typedef struct DbState
{
	Oid dboid;
	BackgroundWorkerHandle *handle;
	bool probed;
	int failures;
	TimestampTz next_start;
	bool seen; /* still in pg_database */
} DbState;

static List *dbs = NIL;

void
siddhi_register_launcher(void)
{
	BackgroundWorker w;

	memset(&w, 0, sizeof(w));
	w.bgw_flags = BGWORKER_SHMEM_ACCESS | BGWORKER_BACKEND_DATABASE_CONNECTION;
	w.bgw_start_time = BgWorkerStart_RecoveryFinished;
	w.bgw_restart_time = 5;
	snprintf(w.bgw_library_name, BGW_MAXLEN, "siddhi");
	snprintf(w.bgw_function_name, BGW_MAXLEN, "siddhi_launcher_main");
	snprintf(w.bgw_name, BGW_MAXLEN, "siddhi launcher");
	snprintf(w.bgw_type, BGW_MAXLEN, "siddhi launcher");
	RegisterBackgroundWorker(&w);
}

static DbState *
db_state(Oid dboid)
{
	ListCell *lc;
	DbState *d;
	MemoryContext old;

	foreach(lc, dbs)
	{
		d = lfirst(lc);
		if (d->dboid == dboid)
			return d;
	}
	old = MemoryContextSwitchTo(TopMemoryContext);
	d = palloc0(sizeof(DbState));
	d->dboid = dboid;
	dbs = lappend(dbs, d);
	MemoryContextSwitchTo(old);
	return d;
}

/*
 * Mark the connectable databases seen; returns the OIDs of all databases,
 * to free the slots of those that were dropped.
 */
static List *
scan_databases(void)
{
	Relation rel;
	TableScanDesc scan;
	HeapTuple tup;
	ListCell *lc;
	MemoryContext old = CurrentMemoryContext;
	List *all = NIL;

	foreach(lc, dbs)
		((DbState *) lfirst(lc))->seen = false;

	SetCurrentStatementStartTimestamp();
	StartTransactionCommand();
	(void) GetTransactionSnapshot();
	rel = table_open(DatabaseRelationId, AccessShareLock);
	scan = table_beginscan_catalog(rel, 0, NULL);
	while ((tup = heap_getnext(scan, ForwardScanDirection)) != NULL)
	{
		Form_pg_database db = (Form_pg_database) GETSTRUCT(tup);
		MemoryContext txn = MemoryContextSwitchTo(old);

		if (db->datallowconn && !db->datistemplate)
			db_state(db->oid)->seen = true;
		all = lappend_oid(all, db->oid);
		MemoryContextSwitchTo(txn);
	}
	table_endscan(scan);
	table_close(rel, AccessShareLock);
	CommitTransactionCommand();
	MemoryContextSwitchTo(old);
	return all;
}


static bool
worker_alive(DbState *d)
{
	pid_t pid;

	if (d->handle == NULL)
		return false;
	if (GetBackgroundWorkerPid(d->handle, &pid) == BGWH_STARTED ||
		GetBackgroundWorkerPid(d->handle, &pid) == BGWH_NOT_YET_STARTED)
		return true;
	pfree(d->handle);
	d->handle = NULL;
	return false;
}

/* The databases that have a slot now. */
static List *
slot_databases(void)
{
	List *result = NIL;

	LWLockAcquire(siddhi_shared->lock, LW_SHARED);
	for (int i = 0; i < siddhi_shared->max_databases; i++)
		if (OidIsValid(siddhi_shared->dbs[i].dboid))
			result = lappend_oid(result, siddhi_shared->dbs[i].dboid);
	LWLockRelease(siddhi_shared->lock);
	return result;
}

/*
 * Free the slots of databases that no longer exist (dropped however: the
 * DROP DATABASE hook frees them at commit; this catches the rest), and
 * forget them.  with_slot was read before the scan that made all: a slot
 * claimed since then may belong to a database created after the scan.
 */
static void
forget_dropped_databases(List *with_slot, List *all)
{
	ListCell *lc;

	foreach(lc, with_slot)
	{
		if (!list_member_oid(all, lfirst_oid(lc)))
			siddhi_db_slot_free(lfirst_oid(lc), false);
	}
	foreach(lc, dbs)
	{
		DbState *d = lfirst(lc);

		if (d->seen || list_member_oid(all, d->dboid) || worker_alive(d))
			continue;
		pfree(d);
		dbs = foreach_delete_current(dbs, lc);
	}
}

static void
start_worker(DbState *d)
{
	BackgroundWorker w;

	memset(&w, 0, sizeof(w));
	w.bgw_flags = BGWORKER_SHMEM_ACCESS | BGWORKER_BACKEND_DATABASE_CONNECTION;
	w.bgw_start_time = BgWorkerStart_RecoveryFinished;
	w.bgw_restart_time = BGW_NEVER_RESTART;
	snprintf(w.bgw_library_name, BGW_MAXLEN, "siddhi");
	snprintf(w.bgw_function_name, BGW_MAXLEN, "siddhi_engine_main");
	snprintf(w.bgw_name, BGW_MAXLEN, "siddhi engine for database %u",
			 d->dboid);
	snprintf(w.bgw_type, BGW_MAXLEN, "siddhi engine");
	w.bgw_main_arg = ObjectIdGetDatum(d->dboid);
	w.bgw_notify_pid = MyProcPid;

	if (!RegisterDynamicBackgroundWorker(&w, &d->handle))
	{
		d->handle = NULL;
		ereport(
			WARNING,
			(errcode(ERRCODE_CONFIGURATION_LIMIT_EXCEEDED),
			 errmsg("siddhi: could not start an engine worker for database %u",
					d->dboid),
			 errhint("Raise max_worker_processes (each database using siddhi "
					 "needs one).")));
		d->next_start =
			TimestampTzPlusMilliseconds(GetCurrentTimestamp(), 5000);
	}
}

static void
launcher_step(void)
{
	ListCell *lc;
	TimestampTz now = GetCurrentTimestamp();
	List *with_slot;
	List *all;

	with_slot = slot_databases();
	all = scan_databases();
	forget_dropped_databases(with_slot, all);
	list_free(with_slot);
	list_free(all);
	foreach(lc, dbs)
	{
		DbState *d = lfirst(lc);
		int slot;
		bool wanted;
		bool paused;

		if (!d->seen)
			continue;
		if (worker_alive(d))
			continue;
		slot = siddhi_db_slot(d->dboid, false);
		LWLockAcquire(siddhi_shared->lock, LW_SHARED);
		wanted = slot >= 0 && siddhi_shared->dbs[slot].wanted;
		paused = slot >= 0 && siddhi_shared->dbs[slot].paused;
		LWLockRelease(siddhi_shared->lock);

		if (paused)
			continue;
		if (!wanted && d->probed)
			continue;
		if (now < d->next_start)
			continue;
		if (wanted && d->probed)
		{
			/* it ran and stopped: back off while it keeps failing */
			d->failures++;
			d->next_start = TimestampTzPlusMilliseconds(
				now,
				Min(30000, siddhi_naptime_ms * (1 << Min(d->failures, 8))));
		}
		d->probed = true;
		start_worker(d);
	}
}

/* Whatever way the launcher exits, deploys must not set a stale latch. */
static void
launcher_exit(int code, Datum arg)
{
	LWLockAcquire(siddhi_shared->lock, LW_EXCLUSIVE);
	if (siddhi_shared->launcher_pid == MyProcPid)
	{
		siddhi_shared->launcher_pid = 0;
		siddhi_shared->launcher_latch = NULL;
	}
	LWLockRelease(siddhi_shared->lock);
}

void
siddhi_launcher_main(Datum arg)
{
	pqsignal(SIGTERM, die);
	pqsignal(SIGHUP, SignalHandlerForConfigReload);
	BackgroundWorkerUnblockSignals();
	BackgroundWorkerInitializeConnection(NULL, NULL, 0);
	pgstat_report_appname("siddhi launcher");

	LWLockAcquire(siddhi_shared->lock, LW_EXCLUSIVE);
	siddhi_shared->launcher_pid = MyProcPid;
	siddhi_shared->launcher_latch = MyLatch;
	LWLockRelease(siddhi_shared->lock);
	before_shmem_exit(launcher_exit, 0);

	for (;;)
	{
		bool rescan;

		CHECK_FOR_INTERRUPTS();
		if (ConfigReloadPending)
		{
			ConfigReloadPending = false;
			ProcessConfigFile(PGC_SIGHUP);
		}

		LWLockAcquire(siddhi_shared->lock, LW_EXCLUSIVE);
		rescan = siddhi_shared->rescan;
		siddhi_shared->rescan = false;
		LWLockRelease(siddhi_shared->lock);
		if (rescan)
		{
			ListCell *lc;

			/* a deploy asked for a worker: start it without delay */
			foreach(lc, dbs)
			{
				DbState *d = lfirst(lc);

				d->next_start = 0;
				d->failures = 0;
			}
		}

		launcher_step();

		(void) WaitLatch(MyLatch,
						 WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
						 siddhi_naptime_ms, PG_WAIT_EXTENSION);
		ResetLatch(MyLatch);
	}
}
