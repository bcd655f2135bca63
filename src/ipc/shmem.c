/*-------------------------------------------------------------------------
 *
 * shmem.c
 *	  Shared memory of siddhi: database slots, rings, subscriptions and
 *	  query counters, sized by GUCs read at server start.
 *
 * The launcher and the engine workers attach at start like any backend;
 * client backends use a slot when they push events or deploy an app.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"
#include "catalog/pg_authid.h"

#include <signal.h>

#include "miscadmin.h"
#include "siddhi/http.h"
#include "siddhi/ipc.h"
#include "siddhi/metrics.h"
#include "siddhi/shmem.h"
#include "siddhi/sink.h"
#include "siddhi/source_runtime.h"
#include "storage/ipc.h"
#include "storage/shmem.h"
#include "fmgr.h"
#include "funcapi.h"
#include "utils/acl.h"
#include "utils/tuplestore.h"

SiddhiShared *siddhi_shared = NULL;

static shmem_request_hook_type prev_shmem_request_hook = NULL;
static shmem_startup_hook_type prev_shmem_startup_hook = NULL;

static Size
shared_struct_size(void)
{
	return add_size(offsetof(SiddhiShared, dbs),
					mul_size(sizeof(SiddhiDbSlot), siddhi_max_databases));
}

static void
siddhi_shmem_request(void)
{
	Size size;

	if (prev_shmem_request_hook)
		prev_shmem_request_hook();

	size = shared_struct_size();
	size = add_size(size, siddhi_ring_shmem_size());
	size = add_size(size, siddhi_subscription_shmem_size());
	size = add_size(size, siddhi_stats_shmem_size());
	size = add_size(size, siddhi_metrics_shmem_size());
	size = add_size(size, siddhi_sink_stats_shmem_size());
	size = add_size(size, siddhi_source_stats_shmem_size());
	size = add_size(size, siddhi_http_shmem_size());
	RequestAddinShmemSpace(size);
	/* one lock for the slots, one per ring, one for subscriptions, stats */
	RequestNamedLWLockTranche("siddhi", 3 + siddhi_max_databases);
}

static void
siddhi_shmem_startup(void)
{
	bool found;

	if (prev_shmem_startup_hook)
		prev_shmem_startup_hook();

	LWLockAcquire(AddinShmemInitLock, LW_EXCLUSIVE);
	siddhi_shared = ShmemInitStruct("siddhi", shared_struct_size(), &found);
	if (!found)
	{
		memset(siddhi_shared, 0, shared_struct_size());
		siddhi_shared->lock = &(GetNamedLWLockTranche("siddhi"))[0].lock;
		siddhi_shared->max_databases = siddhi_max_databases;
		for (int i = 0; i < siddhi_max_databases; i++)
		{
			pg_atomic_init_u32(&siddhi_shared->dbs[i].generation, 0);
			pg_atomic_init_u64(&siddhi_shared->dbs[i].events, 0);
			pg_atomic_init_u64(&siddhi_shared->dbs[i].busy_us, 0);
			pg_atomic_init_u64(&siddhi_shared->dbs[i].batches, 0);
		}
	}
	siddhi_ring_shmem_init();
	siddhi_subscription_shmem_init();
	siddhi_stats_shmem_init();
	siddhi_metrics_shmem_init();
	siddhi_sink_stats_shmem_init();
	siddhi_source_stats_shmem_init();
	siddhi_http_shmem_init();
	LWLockRelease(AddinShmemInitLock);
}

void
siddhi_shmem_init_hooks(void)
{
	prev_shmem_request_hook = shmem_request_hook;
	shmem_request_hook = siddhi_shmem_request;
	prev_shmem_startup_hook = shmem_startup_hook;
	shmem_startup_hook = siddhi_shmem_startup;
}

/* Give free slot i to a database.  Caller holds siddhi_shared->lock. */
static void
claim_slot(int i, Oid dboid)
{
	SiddhiDbSlot *slot = &siddhi_shared->dbs[i];

	slot->dboid = dboid;
	slot->wanted = false;
	slot->paused = false;
	slot->worker_pid = 0;
	slot->worker_latch = NULL;
	pg_atomic_write_u64(&slot->events, 0);
	pg_atomic_write_u64(&slot->busy_us, 0);
	pg_atomic_write_u64(&slot->batches, 0);
	/* whatever a database that had the slot before left is not ours */
	siddhi_ring_discard(siddhi_ring_for_slot(i));
}

int
siddhi_db_slot(Oid dboid, bool create)
{
	int free_slot = -1;

	LWLockAcquire(siddhi_shared->lock, create ? LW_EXCLUSIVE : LW_SHARED);
	for (int i = 0; i < siddhi_shared->max_databases; i++)
	{
		if (siddhi_shared->dbs[i].dboid == dboid)
		{
			LWLockRelease(siddhi_shared->lock);
			return i;
		}
		if (free_slot < 0 && siddhi_shared->dbs[i].dboid == InvalidOid)
			free_slot = i;
	}
	if (create && free_slot >= 0)
		claim_slot(free_slot, dboid);
	LWLockRelease(siddhi_shared->lock);
	if (create && free_slot < 0)
		ereport(
			ERROR,
			(errcode(ERRCODE_CONFIGURATION_LIMIT_EXCEEDED),
			 errmsg("too many databases use siddhi"),
			 errdetail("All %d database slots are in use.",
					   siddhi_max_databases),
			 errhint("Raise siddhi.max_databases and restart the server.")));
	return create ? free_slot : -1;
}

void siddhi_stats_free_db(Oid dboid);

void
siddhi_db_slot_free(Oid dboid, bool if_unwanted)
{
	bool freed = false;

	LWLockAcquire(siddhi_shared->lock, LW_EXCLUSIVE);
	for (int i = 0; i < siddhi_shared->max_databases; i++)
	{
		SiddhiDbSlot *slot = &siddhi_shared->dbs[i];

		if (slot->dboid != dboid)
			continue;
		/* a worker that is still alive keeps it (it frees it at exit) */
		if (slot->worker_pid != 0 && slot->worker_pid != MyProcPid &&
			kill(slot->worker_pid, 0) == 0)
			break;
		if (if_unwanted && slot->wanted)
			break;
		slot->dboid = InvalidOid;
		slot->wanted = false;
		slot->paused = false;
		slot->worker_pid = 0;
		slot->worker_latch = NULL;
		freed = true;
		break;
	}
	LWLockRelease(siddhi_shared->lock);
	if (freed)
		siddhi_stats_free_db(dboid);
}

pid_t
siddhi_db_slot_pause(Oid dboid, bool *created)
{
	int free_slot = -1;
	pid_t pid = 0;
	int i;

	*created = false;
	LWLockAcquire(siddhi_shared->lock, LW_EXCLUSIVE);
	for (i = 0; i < siddhi_shared->max_databases; i++)
	{
		if (siddhi_shared->dbs[i].dboid == dboid)
			break;
		if (free_slot < 0 && siddhi_shared->dbs[i].dboid == InvalidOid)
			free_slot = i;
	}
	if (i == siddhi_shared->max_databases && free_slot >= 0)
	{
		/* none yet: a worker starting now must still see the pause */
		claim_slot(free_slot, dboid);
		*created = true;
		i = free_slot;
	}
	if (i < siddhi_shared->max_databases)
	{
		siddhi_shared->dbs[i].paused = true;
		pid = siddhi_shared->dbs[i].worker_pid;
	}
	LWLockRelease(siddhi_shared->lock);
	return pid;
}

bool
siddhi_db_slot_has_worker(Oid dboid)
{
	bool result = false;

	LWLockAcquire(siddhi_shared->lock, LW_SHARED);
	for (int i = 0; i < siddhi_shared->max_databases; i++)
		if (siddhi_shared->dbs[i].dboid == dboid)
			result = siddhi_shared->dbs[i].worker_pid != 0;
	LWLockRelease(siddhi_shared->lock);
	return result;
}

void
siddhi_db_slot_resume(Oid dboid, bool free_it)
{
	Latch *launcher;

	LWLockAcquire(siddhi_shared->lock, LW_EXCLUSIVE);
	for (int i = 0; i < siddhi_shared->max_databases; i++)
		if (siddhi_shared->dbs[i].dboid == dboid)
			siddhi_shared->dbs[i].paused = false;
	siddhi_shared->rescan = true;
	launcher = siddhi_shared->launcher_latch;
	LWLockRelease(siddhi_shared->lock);
	if (free_it)
		siddhi_db_slot_free(dboid, false);
	if (launcher)
		SetLatch(launcher);
}

void
siddhi_request_worker(Oid dboid)
{
	int slot = siddhi_db_slot(dboid, true);
	Latch *launcher;

	LWLockAcquire(siddhi_shared->lock, LW_EXCLUSIVE);
	siddhi_shared->dbs[slot].wanted = true;
	siddhi_shared->rescan = true;
	launcher = siddhi_shared->launcher_latch;
	LWLockRelease(siddhi_shared->lock);
	if (launcher)
		SetLatch(launcher);
}

void
siddhi_wake_worker(int slot)
{
	Latch *latch;

	/* a stale pointer is harmless: latches live in PGPROC, never freed */
	latch = siddhi_shared->dbs[slot].worker_latch;
	if (latch)
		SetLatch(latch);
}

void
siddhi_apps_changed(Oid dboid)
{
	int slot = siddhi_db_slot(dboid, false);

	if (slot < 0)
		return;
	pg_atomic_fetch_add_u32(&siddhi_shared->dbs[slot].generation, 1);
	siddhi_wake_worker(slot);
}

PG_FUNCTION_INFO_V1(siddhi_engine_stats);

/*
 * siddhi.engine_stats(): per database, what its engine worker processed
 * and how long it was busy doing it (ring to committed results, without
 * waiting), since the server started.  Only this database's engine,
 * unless the caller may read all statistics (pg_read_all_stats).
 */
Datum
siddhi_engine_stats(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;

	bool read_all = has_privs_of_role(GetUserId(), ROLE_PG_READ_ALL_STATS);

	siddhi_require_preload();
	InitMaterializedSRF(fcinfo, 0);
	for (int i = 0; i < siddhi_shared->max_databases; i++)
	{
		SiddhiDbSlot *slot = &siddhi_shared->dbs[i];
		Datum values[5];
		bool nulls[5] = { 0 };

		if (slot->dboid == InvalidOid)
			continue;
		/* other databases' engines: for pg_read_all_stats only */
		if (slot->dboid != MyDatabaseId && !read_all)
			continue;
		values[0] = ObjectIdGetDatum(slot->dboid);
		values[1] = Int32GetDatum(slot->worker_pid);
		values[2] = Int64GetDatum(pg_atomic_read_u64(&slot->events));
		values[3] = Int64GetDatum(pg_atomic_read_u64(&slot->busy_us));
		values[4] = Int64GetDatum(pg_atomic_read_u64(&slot->batches));
		if (slot->worker_pid == 0)
			nulls[1] = true;
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values,
							 nulls);
	}
	PG_RETURN_VOID();
}
