/*-------------------------------------------------------------------------
 *
 * utility.c
 *	  A ProcessUtility hook that stops a database's engine worker before
 *	  commands that need the database to themselves, and wakes it after
 *	  DROP EXTENSION siddhi.
 *
 * DROP DATABASE, ALTER DATABASE .. RENAME TO and ALTER DATABASE .. SET
 * TABLESPACE refuse to run while another session is connected to the
 * database, and the engine worker is one.  Before such a command, run by
 * the database's owner (the command checks the rest), the hook pauses the
 * database's slot (the launcher starts no worker for it, a worker starting
 * now exits at once), sends the worker SIGTERM and waits for it to be
 * gone, as TimescaleDB does for its scheduler.  At the end of the
 * transaction the pause ends: after a committed DROP DATABASE the slot is
 * freed; otherwise (a rename, a move, a failed drop) the launcher starts
 * the worker again.
 *
 * DROP EXTENSION siddhi: at commit, the hook bumps the database's app
 * generation, which wakes the worker; it finds the extension gone and
 * exits for good, freeing the slot (engine.c).
 *
 * DROP ROLE, DROP OWNED BY and REASSIGN OWNED BY: the apps the roles own
 * (app_owner.c).
 *
 * State: the database paused by the current transaction, in this
 * backend's memory; the slot's pause flag is under siddhi_shared->lock.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <signal.h>

#include "access/xact.h"
#include "commands/dbcommands.h"
#include "miscadmin.h"
#include "nodes/parsenodes.h"
#include "pgstat.h"
#include "siddhi/shmem.h"
#include "siddhi/worker.h"
#include "storage/latch.h"
#include "tcop/utility.h"
#include "utils/acl.h"
#include "utils/timestamp.h"
#include "app_owner.h"

/* How long a command waits for the engine worker to exit. */
#define ENGINE_STOP_WAIT_MS 10000

static ProcessUtility_hook_type prev_utility_hook = NULL;

/* what the current transaction did, acted upon at its end */
static Oid paused_db = InvalidOid;
static bool paused_for_drop = false;
static bool paused_created_slot = false;
static bool extension_dropped = false;

/*
 * Pause the slot of database dboid and wait (up to ENGINE_STOP_WAIT_MS)
 * until its worker has exited.  If it does not, the command itself then
 * says that the database is being accessed.
 */
static void
engine_stop(Oid dboid, bool for_drop)
{
	pid_t pid;
	TimestampTz deadline;

	/* one database per statement, and these never run in a block */
	if (OidIsValid(paused_db) && paused_db != dboid)
		siddhi_db_slot_resume(paused_db, paused_created_slot);
	if (paused_db != dboid)
	{
		paused_db = dboid;
		pid = siddhi_db_slot_pause(dboid, &paused_created_slot);
	}
	else
	{
		bool created;

		pid = siddhi_db_slot_pause(dboid, &created);
	}
	paused_for_drop = for_drop;
	if (pid == 0)
		return;

	ereport(DEBUG1, (errmsg("siddhi: stopping the engine worker of database "
							"%u (pid %d)",
							dboid, (int) pid)));
	if (kill(pid, SIGTERM) != 0 && errno != ESRCH)
		ereport(WARNING,
				(errmsg("siddhi: could not signal the engine worker (pid %d): "
						"%m",
						(int) pid)));
	deadline = TimestampTzPlusMilliseconds(GetCurrentTimestamp(),
										   ENGINE_STOP_WAIT_MS);
	while (siddhi_db_slot_has_worker(dboid) &&
		   GetCurrentTimestamp() < deadline)
	{
		(void) WaitLatch(MyLatch,
						 WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH, 10,
						 PG_WAIT_EXTENSION);
		ResetLatch(MyLatch);
		CHECK_FOR_INTERRUPTS();
	}
}

/* The database a statement would need to itself, or InvalidOid. */
static Oid
database_to_stop(Node *parsetree, bool *for_drop)
{
	const char *dbname = NULL;

	*for_drop = false;
	switch (nodeTag(parsetree))
	{
		case T_DropdbStmt:
			dbname = ((DropdbStmt *) parsetree)->dbname;
			*for_drop = true;
			break;
		case T_RenameStmt:
			if (((RenameStmt *) parsetree)->renameType == OBJECT_DATABASE)
				dbname = ((RenameStmt *) parsetree)->subname;
			break;
		case T_AlterDatabaseStmt:
		{
			AlterDatabaseStmt *stmt = (AlterDatabaseStmt *) parsetree;
			ListCell *lc;

			foreach(lc, stmt->options)
			{
				DefElem *opt = lfirst(lc);

				if (strcmp(opt->defname, "tablespace") == 0)
					dbname = stmt->dbname;
			}
		}
		break;
		default:
			break;
	}
	if (dbname != NULL)
	{
		Oid dboid = get_database_oid(dbname, true);

		/*
		 * Only for the owner, who may run the command anyway: nobody else
		 * can stop another's engine by trying.  The current database is
		 * refused by the command itself.
		 */
		if (OidIsValid(dboid) && dboid != MyDatabaseId &&
			pg_database_ownercheck(dboid, GetUserId()))
			return dboid;
	}
	return InvalidOid;
}

static bool
drops_siddhi(Node *parsetree)
{
	DropStmt *stmt;
	ListCell *lc;

	if (!IsA(parsetree, DropStmt))
		return false;
	stmt = (DropStmt *) parsetree;
	if (stmt->removeType != OBJECT_EXTENSION)
		return false;
	foreach(lc, stmt->objects)
	{
		Node *name = lfirst(lc);

		if (IsA(name, String) && strcmp(strVal(name), "siddhi") == 0)
			return true;
	}
	return false;
}

static void
siddhi_utility(PlannedStmt *pstmt, const char *queryString, bool readOnlyTree,
			   ProcessUtilityContext context, ParamListInfo params,
			   QueryEnvironment *queryEnv, DestReceiver *dest,
			   QueryCompletion *qc)
{
	Node *parsetree = pstmt->utilityStmt;
	bool for_drop;
	Oid dboid = database_to_stop(parsetree, &for_drop);

	if (OidIsValid(dboid))
		engine_stop(dboid, for_drop);
	if (IsA(parsetree, DropRoleStmt))
		siddhi_app_owner_drop_role((DropRoleStmt *) parsetree);

	if (prev_utility_hook)
		prev_utility_hook(pstmt, queryString, readOnlyTree, context, params,
						  queryEnv, dest, qc);
	else
		standard_ProcessUtility(pstmt, queryString, readOnlyTree, context,
								params, queryEnv, dest, qc);

	if (drops_siddhi(parsetree))
		extension_dropped = true;
	/* the apps of the roles, with the views the command dropped or gave */
	if (IsA(parsetree, DropOwnedStmt))
		siddhi_app_owner_dropped((DropOwnedStmt *) parsetree);
	else if (IsA(parsetree, ReassignOwnedStmt))
		siddhi_app_owner_reassigned((ReassignOwnedStmt *) parsetree);
}

static void
utility_xact_callback(XactEvent event, void *arg)
{
	switch (event)
	{
		case XACT_EVENT_COMMIT:
		case XACT_EVENT_PARALLEL_COMMIT:
			if (OidIsValid(paused_db))
				siddhi_db_slot_resume(paused_db,
									  paused_for_drop || paused_created_slot);
			if (extension_dropped)
				siddhi_apps_changed(MyDatabaseId);
			break;
		case XACT_EVENT_ABORT:
		case XACT_EVENT_PARALLEL_ABORT:
			if (OidIsValid(paused_db))
				siddhi_db_slot_resume(paused_db, paused_created_slot);
			break;
		case XACT_EVENT_PREPARE:
			/* the worker notices a dropped extension within naptime */
			break;
		default:
			return;
	}
	paused_db = InvalidOid;
	paused_for_drop = false;
	paused_created_slot = false;
	extension_dropped = false;
}

void
siddhi_utility_init(void)
{
	prev_utility_hook = ProcessUtility_hook;
	ProcessUtility_hook = siddhi_utility;
	RegisterXactCallback(utility_xact_callback, NULL);
}
