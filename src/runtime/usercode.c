/*-------------------------------------------------------------------------
 *
 * usercode.c
 *	  The one way the engine runs code on behalf of an app.
 *
 * Everything done for an app (its expressions and the functions they
 * call, its table writes and the triggers they fire, its table
 * operations and lookups, its aggregation and named-window tables, its
 * analysis when the worker loads it) runs inside a frame:
 *
 *	- as the app's owner, with SECURITY_LOCAL_USERID_CHANGE and
 *	  SECURITY_RESTRICTED_OPERATION (no SET ROLE, no temporary objects,
 *	  no cursors or prepared statements outliving the step), as Postgres
 *	  runs the functions of REFRESH MATERIALIZED VIEW and autovacuum;
 *	- in a GUC nest level of its own, rolled back (isCommit = false) when
 *	  the frame is left, so set_config('search_path', .., false) from an
 *	  app's function lasts until the end of its step and no longer;
 *	- with the deferred triggers it queued fired before it is left, still
 *	  as the owner (in the engine worker: SET CONSTRAINTS ALL IMMEDIATE,
 *	  which code of the step may have changed): the batch's commit, which
 *	  runs as the worker's user, then finds none of a user's triggers to
 *	  fire.
 *
 * User code runs under the worker's search_path, pinned to pg_catalog,
 * pg_temp for the whole life of the worker (engine.c), as PostgreSQL 17
 * runs maintenance operations: an app's expressions were resolved when
 * it was analysed (under its deployer's search_path), so only the bodies
 * of the functions it calls see the pinned path; such functions should
 * qualify their names or carry SET search_path.
 *
 * Frames nest (a query's output feeds another app's query; a step writes
 * a table as the row's owner).  The batch code commits and rolls back
 * subtransactions in the middle of a step (a failing row, a table
 * operation's checkpoint); the end of a subtransaction pops every GUC
 * nest level opened inside it, and a commit would keep the changes made
 * there.  So, at the end of a subtransaction, the frames opened in it
 * have their level rolled back here first (PRE_COMMIT_SUB, ABORT_SUB),
 * and when the next subtransaction starts each such frame gets a new
 * level and the user of the innermost frame is put back: the rest of the
 * step runs as it began.
 *
 * Cost on the per-event path: NewGUCNestLevel is an increment, and
 * AtEOXact_GUC returns at once when no setting was changed since the last
 * one (guc_dirty); the worker keeps no GUC stack entry open across a
 * batch (its search_path is set at session level when it starts), so a
 * step that changes nothing costs a few assignments.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "commands/trigger.h"
#include "miscadmin.h"
#include "siddhi/errors.h"
#include "siddhi/runtime.h"
#include "siddhi/shmem.h"
#include "siddhi/usercode.h"
#include "utils/guc.h"

/* frames nest once per chained query and once per write inside it */
#define MAX_FRAMES 512

#define USERCODE_SEC \
	(SECURITY_LOCAL_USERID_CHANGE | SECURITY_RESTRICTED_OPERATION)

typedef struct UserFrame
{
	Oid owner;				/* whom the code runs as */
	int level;				/* its GUC nest level; 0: popped */
	SubTransactionId subid; /* the subtransaction the level lives in */
	Oid save_user;			/* restored when the frame is left */
	int save_sec;
} UserFrame;

static UserFrame frames[MAX_FRAMES];
static int depth = 0;

/*
 * The time of the event user code is working on: what eventTimestamp()
 * returns (include/siddhi/runtime.h).  Whoever hands an event on sets it.
 */
int64 siddhi_current_event_ts = 0;

int
siddhi_usercode_enter(Oid owner)
{
	UserFrame *f;

	if (depth >= MAX_FRAMES)
		ereport(ERROR,
				(errcode(ERRCODE_SIDDHI_RUNTIME_ERROR),
				 errmsg("app code nested more than %d deep", MAX_FRAMES)));
	f = &frames[depth];
	GetUserIdAndSecContext(&f->save_user, &f->save_sec);
	f->owner = owner;
	f->level = NewGUCNestLevel();
	f->subid = GetCurrentSubTransactionId();
	SetUserIdAndSecContext(owner, f->save_sec | USERCODE_SEC);
	return depth++;
}

/* SET CONSTRAINTS ALL IMMEDIATE */
static ConstraintsSetStmt all_immediate = { .type = T_ConstraintsSetStmt };

void
siddhi_usercode_leave(int frame, bool ok)
{
	UserFrame *f;

	Assert(frame >= 0);
	if (frame >= depth)
		return; /* unwound already */
	f = &frames[frame];
	/* the deferred triggers the step queued fire now, as the owner */
	if (ok && siddhi_in_engine)
		AfterTriggerSetState(&all_immediate);
	/* one rollback to the lowest live level pops the ones above it too */
	for (int i = frame; i < depth; i++)
	{
		if (frames[i].level > 0)
		{
			AtEOXact_GUC(false, frames[i].level);
			break;
		}
	}
	SetUserIdAndSecContext(f->save_user, f->save_sec);
	depth = frame;
}

int
siddhi_usercode_depth(void)
{
	return depth;
}

void
siddhi_usercode_unwind(int mark)
{
	if (depth > mark)
		siddhi_usercode_leave(mark, false);
}

/*
 * A subtransaction ends: roll back the levels of the frames opened in it
 * (or in its children) before Postgres pops them, committing what they
 * hold at a commit.  A subtransaction starts: give such frames a level
 * again, and the step its user.
 */
static void
usercode_subxact_callback(SubXactEvent event, SubTransactionId mySubid,
						  SubTransactionId parentSubid, void *arg)
{
	bool renewed = false;

	switch (event)
	{
		case SUBXACT_EVENT_PRE_COMMIT_SUB:
		case SUBXACT_EVENT_ABORT_SUB:
			for (int i = 0; i < depth; i++)
			{
				if (frames[i].level > 0 && frames[i].subid >= mySubid)
				{
					AtEOXact_GUC(false, frames[i].level);
					for (int k = i; k < depth; k++)
						frames[k].level = 0;
					break;
				}
			}
			break;
		case SUBXACT_EVENT_START_SUB:
			for (int i = 0; i < depth; i++)
			{
				if (frames[i].level == 0)
				{
					frames[i].level = NewGUCNestLevel();
					frames[i].subid = mySubid;
					renewed = true;
				}
			}
			if (renewed)
				SetUserIdAndSecContext(frames[depth - 1].owner,
									   frames[depth - 1].save_sec |
										   USERCODE_SEC);
			break;
		default:
			break;
	}
}

/* No frame outlives its transaction. */
static void
usercode_xact_callback(XactEvent event, void *arg)
{
	switch (event)
	{
		case XACT_EVENT_PRE_COMMIT:
		case XACT_EVENT_PARALLEL_PRE_COMMIT:
			/* a frame left open must not see its settings committed */
			if (depth > 0 && frames[0].level > 0)
				AtEOXact_GUC(false, frames[0].level);
			depth = 0;
			break;
		case XACT_EVENT_ABORT:
		case XACT_EVENT_PARALLEL_ABORT:
			depth = 0;
			break;
		default:
			break;
	}
}

void
siddhi_usercode_init(void)
{
	RegisterSubXactCallback(usercode_subxact_callback, NULL);
	RegisterXactCallback(usercode_xact_callback, NULL);
}
