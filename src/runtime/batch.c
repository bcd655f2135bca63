/*-------------------------------------------------------------------------
 *
 * batch.c
 *	  The subtransactions of a batch: one failing unit of work loses its
 *	  own work and nothing else.
 *
 * The worker runs a batch in one transaction and, inside it, one
 * "ambient" subtransaction (src/worker/engine.c).  Units of work that can
 * fail run in the ambient subtransaction: a query's step (expressions,
 * user functions, the operations it applies), a table's flush (the rows
 * queries buffered for it), a table operation, a named window's mirror
 * write, an aggregation's flush.  A failure rolls the ambient
 * subtransaction back and begins a new one.  For that rollback to lose
 * only the failing unit's work, the ambient subtransaction must hold
 * nothing else when the unit begins: each unit begins (and a unit whose
 * work others must not lose ends) with siddhi_batch_isolate(), which
 * releases the ambient subtransaction into the transaction and begins a
 * new one when, and only when, it wrote something.
 *
 * "Wrote something" is "has a transaction id": Postgres assigns one to a
 * subtransaction at its first insert, update, delete or row lock, so a
 * unit that only computes (the common case: a filter, a window, an
 * aggregation in memory) costs one test, and a unit that writes costs one
 * subtransaction, whatever the number of rows it wrote.
 *
 * Nesting: a unit may run inside another (a query's output goes to the
 * next query depth-first; a join's lookup writes the rows buffered for its
 * table first).  The inner unit's isolate keeps the outer unit's work so
 * far; the inner unit's failure then loses only its own.  Whatever may
 * still be held when a unit isolates (an outer executor, a buffer pin)
 * must belong to the top transaction's resource owner: see join.c.
 *
 * Users: the ambient subtransaction always begins as the worker's own
 * user, so a rollback restores that user; callers that run as an app's
 * owner set their user again after a failure.
 *
 * Error logging is rate limited per source (SiddhiErrorLog): a query that
 * fails on every event logs one line per siddhi.error_log_interval, with
 * the number of errors not logged since the previous line, while
 * siddhi.queries counts every one.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "miscadmin.h"
#include "siddhi/batch.h"
#include "siddhi/usercode.h"
#include "utils/timestamp.h"

int siddhi_error_log_interval_ms = 10000;

/* the worker's own user, that every ambient subtransaction begins as */
static Oid engine_user = InvalidOid;
static int engine_sec = 0;

/* between siddhi_batch_start and siddhi_batch_end */
static bool batch_active = false;

/* the ambient subtransaction's nesting level (the batch's is 1) */
#define AMBIENT_NEST_LEVEL 2

void
siddhi_batch_start(void)
{
	GetUserIdAndSecContext(&engine_user, &engine_sec);
	batch_active = true;
}

void
siddhi_batch_end(void)
{
	batch_active = false;
}

void
siddhi_batch_isolate(void)
{
	MemoryContext mcxt = CurrentMemoryContext;
	Oid save_user;
	int save_sec;

	if (!batch_active ||
		GetCurrentTransactionNestLevel() != AMBIENT_NEST_LEVEL ||
		!TransactionIdIsValid(GetCurrentTransactionIdIfAny()))
		return;
	GetUserIdAndSecContext(&save_user, &save_sec);
	SetUserIdAndSecContext(engine_user, engine_sec);
	ReleaseCurrentSubTransaction();
	BeginInternalSubTransaction(NULL);
	SetUserIdAndSecContext(save_user, save_sec);
	MemoryContextSwitchTo(mcxt);
}

bool
siddhi_batch_wrote(void)
{
	return batch_active &&
		   GetCurrentTransactionNestLevel() == AMBIENT_NEST_LEVEL &&
		   TransactionIdIsValid(GetCurrentTransactionIdIfAny());
}

ErrorData *
siddhi_batch_unit_failed(MemoryContext mcxt)
{
	ErrorData *edata;

	MemoryContextSwitchTo(mcxt);
	edata = CopyErrorData();
	FlushErrorState();
	/* the rollback restores the user the subtransaction began as */
	RollbackAndReleaseCurrentSubTransaction();
	BeginInternalSubTransaction(NULL);
	MemoryContextSwitchTo(mcxt);
	return edata;
}

ErrorData *
siddhi_batch_run_unit(Oid owner, void (*fn)(void *arg), void *arg,
					  MemoryContext errcxt)
{
	MemoryContext mcxt = CurrentMemoryContext;
	ErrorData *volatile edata = NULL;
	Oid save_user;
	int save_sec;
	int frame;

	siddhi_batch_isolate();
	GetUserIdAndSecContext(&save_user, &save_sec);
	frame = siddhi_usercode_enter(owner);
	PG_TRY();
	{
		fn(arg);
		siddhi_usercode_leave(frame, true);
		siddhi_batch_isolate();
	}
	PG_CATCH();
	{
		siddhi_usercode_leave(frame, false);
		edata = siddhi_batch_unit_failed(errcxt);
		SetUserIdAndSecContext(save_user, save_sec);
		MemoryContextSwitchTo(mcxt);
	}
	PG_END_TRY();
	return edata;
}

bool
siddhi_error_log_due(SiddhiErrorLog *log, int64 *unlogged)
{
	TimestampTz now = GetCurrentTimestamp();

	if (log->last_logged != 0 && siddhi_error_log_interval_ms > 0 &&
		!TimestampDifferenceExceeds(log->last_logged, now,
									siddhi_error_log_interval_ms))
	{
		log->unlogged++;
		return false;
	}
	*unlogged = log->unlogged;
	log->unlogged = 0;
	log->last_logged = now;
	return true;
}

int
siddhi_errdetail_unlogged(int64 unlogged)
{
	if (unlogged <= 0)
		return 0;
	return errdetail_plural(
		"%lld earlier error of the same source was counted but not logged.",
		"%lld earlier errors of the same source were counted but not logged.",
		unlogged, (long long) unlogged);
}
