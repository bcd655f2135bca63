/*-------------------------------------------------------------------------
 *
 * batch.h
 *	  The subtransactions of a batch, and rate-limited error logging
 *	  (src/runtime/batch.c).
 *
 * A batch runs in one transaction, inside one "ambient" subtransaction.
 * Every unit of work that can fail (a query's step, a table's flush, a
 * table operation, a window mirror's write, an aggregation's flush) starts
 * with siddhi_batch_isolate(), so that the ambient subtransaction holds
 * only that unit's work, and on an error calls siddhi_batch_unit_failed(),
 * which rolls back that work and nothing else.
 *
 *-------------------------------------------------------------------------
 */
#ifndef SIDDHI_BATCH_H
#define SIDDHI_BATCH_H

#include "datatype/timestamp.h"
#include "utils/elog.h"

/* siddhi.error_log_interval: at most one LOG line per query per this (ms) */
extern int siddhi_error_log_interval_ms;

/*
 * Remember the user the worker runs as; the ambient subtransaction begins
 * as that user.  Called at the start of every batch.
 */
extern void siddhi_batch_start(void);

/* The batch's units are done (before its transaction commits). */
extern void siddhi_batch_end(void);

/*
 * Keep what the batch wrote so far beyond the reach of the next unit's
 * rollback: when the ambient subtransaction wrote anything (it has a
 * transaction id), release it and begin a new one.  Costs nothing when it
 * wrote nothing.  Only acts on the ambient subtransaction itself, inside
 * a batch.
 */
extern void siddhi_batch_isolate(void);

/*
 * Called in PG_CATCH: copy the error into mcxt (the caller frees it), roll
 * the ambient subtransaction back and begin a new one, as the worker's
 * user.  The caller restores its own user afterwards.  mcxt is current on
 * return.
 */
/*
 * Whether the unit under way wrote something in the database (its
 * subtransaction has an xid): a unit of many events ends after each one
 * that did, so that a later event's failure does not roll it back.
 */
extern bool siddhi_batch_wrote(void);
extern ErrorData *siddhi_batch_unit_failed(MemoryContext mcxt);

/*
 * fn(arg) as owner, in a frame of user code and a unit of work of its
 * own: NULL when it went through, else its error, copied into errcxt (a
 * context the unit's rollback does not free; the caller frees the copy),
 * the unit rolled back, the caller's user and memory context back.
 */
extern ErrorData *siddhi_batch_run_unit(Oid owner, void (*fn)(void *arg),
										void *arg, MemoryContext errcxt);

/*
 * One error source's log budget: its first error is logged, later ones
 * only once siddhi.error_log_interval has passed since the last line,
 * which then says how many went unlogged.  Every error is still counted
 * where it belongs (siddhi.queries).
 */
typedef struct SiddhiErrorLog
{
	TimestampTz last_logged; /* 0: never */
	int64 unlogged;			 /* errors since last_logged not logged */
} SiddhiErrorLog;

/*
 * Whether this error gets a LOG line; if so, *unlogged is the number of
 * errors not logged since the previous line (and the count restarts).
 */
extern bool siddhi_error_log_due(SiddhiErrorLog *log, int64 *unlogged);

/* errdetail for a logged error that follows unlogged ones (0: none) */
extern int siddhi_errdetail_unlogged(int64 unlogged);

#endif /* SIDDHI_BATCH_H */
