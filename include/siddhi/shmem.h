/*-------------------------------------------------------------------------
 *
 * shmem.h
 *	  Shared state of siddhi: one slot per database that runs an engine
 *	  worker, the event rings, and the GUCs that size them.
 *
 * Locking: SiddhiShared->lock (the first LWLock of our named tranche)
 * guards the database slots: take it shared to read a slot, exclusive to
 * claim, release or change one.  Each ring has its own LWLock (see
 * ipc.h).  A slot's generation is an atomic, bumped without the lock.
 *
 *-------------------------------------------------------------------------
 */
#ifndef SIDDHI_SHMEM_H
#define SIDDHI_SHMEM_H

#include "port/atomics.h"
#include "storage/latch.h"
#include "storage/lwlock.h"

/* GUCs (src/siddhi.c) */
extern int siddhi_max_databases;
extern int siddhi_ring_size_kb;
extern int siddhi_max_queries;
extern int siddhi_max_subscriptions;
extern int siddhi_subscription_buffer_kb;
extern int siddhi_naptime_ms;
extern int siddhi_max_groups;
extern int siddhi_max_partial_matches;
extern bool siddhi_dispatch_index;
extern bool siddhi_common_subexpressions; /* analyze_shared*.c */
extern int siddhi_pending_memory_kb;	  /* siddhi.pending_memory */
extern bool siddhi_durable_streams;		  /* siddhi.durable_streams */
extern bool siddhi_synchronous_commit;	  /* siddhi.synchronous_commit */
extern int siddhi_sync_commit_timeout_ms; /* its bound */
extern bool siddhi_preloaded;
extern bool siddhi_in_engine;
extern char *siddhi_event_time_setting;
/* siddhi.event_time */ /* this process is an engine worker */

typedef struct SiddhiDbSlot
{
	Oid dboid;					 /* InvalidOid: the slot is free */
	bool wanted;				 /* the launcher keeps a worker running */
	bool paused;				 /* DROP/ALTER DATABASE: no worker may run */
	pid_t worker_pid;			 /* 0 when no worker runs */
	Latch *worker_latch;		 /* NULL when no worker runs */
	pg_atomic_uint32 generation; /* bumped when apps change */
	pg_atomic_uint64 events;	 /* events fed to the engine */
	pg_atomic_uint64 busy_us;	 /* time spent processing batches */
	pg_atomic_uint64 batches;
} SiddhiDbSlot;

typedef struct SiddhiShared
{
	LWLock *lock;
	pid_t launcher_pid;
	Latch *launcher_latch;
	bool rescan; /* launcher: look for new databases */
	int max_databases;
	SiddhiDbSlot dbs[FLEXIBLE_ARRAY_MEMBER];
} SiddhiShared;

extern SiddhiShared *siddhi_shared;

/* ERROR (SD005, with a hint) unless loaded by shared_preload_libraries */
extern void siddhi_require_preload(void);

extern void siddhi_shmem_init_hooks(void);

/* Slot of a database, creating it when asked; -1 when none (or full). */
extern int siddhi_db_slot(Oid dboid, bool create);

/*
 * Free the slot of a database: its engine stopped for good (extension
 * dropped, database dropped).  Does nothing while a live worker holds it,
 * nor, when if_unwanted, once a deploy has asked for a worker again.
 */
extern void siddhi_db_slot_free(Oid dboid, bool if_unwanted);

/*
 * DROP/ALTER DATABASE: no worker may run for this database until resumed.
 * Claims a slot when there is none (created says so; none when all are
 * taken).  Returns the pid of the worker running now, or 0.
 */
extern pid_t siddhi_db_slot_pause(Oid dboid, bool *created);

/* Does a worker hold the slot of this database? */
extern bool siddhi_db_slot_has_worker(Oid dboid);

/* End the pause; free_it: free the slot too (database dropped). */
extern void siddhi_db_slot_resume(Oid dboid, bool free_it);

/* Ask the launcher to run a worker for this database. */
extern void siddhi_request_worker(Oid dboid);

/* Wake the worker of a database, if it runs. */
extern void siddhi_wake_worker(int slot);

/* Bump the app generation of a database and wake its worker. */
extern void siddhi_apps_changed(Oid dboid);

#endif /* SIDDHI_SHMEM_H */
