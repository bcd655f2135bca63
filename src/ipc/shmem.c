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

#include "miscadmin.h"
#include "siddhi/ipc.h"
#include "siddhi/shmem.h"
#include "storage/ipc.h"
#include "storage/shmem.h"

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
			pg_atomic_init_u32(&siddhi_shared->dbs[i].generation, 0);
	}
	siddhi_ring_shmem_init();
	siddhi_subscription_shmem_init();
	siddhi_stats_shmem_init();
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
	{
		SiddhiDbSlot *slot = &siddhi_shared->dbs[free_slot];

		slot->dboid = dboid;
		slot->wanted = false;
		slot->worker_pid = 0;
		slot->worker_latch = NULL;
	}
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
