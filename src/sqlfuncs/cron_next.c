/*-------------------------------------------------------------------------
 *
 * cron_next.c
 *	  siddhi.cron_next(expr text, after timestamptz): when a cron
 *	  expression next fires, read in the session's time zone.  The
 *	  evaluator itself is src/common/cron.c; this is its SQL face, and
 *	  the way its regression tests reach it.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "fmgr.h"
#include "pgtime.h"
#include "siddhi/cron.h"
#include "siddhi/errors.h"
#include "utils/builtins.h"
#include "utils/timestamp.h"

/* milliseconds between the Unix epoch and Postgres' */
#define UNIX_TO_PG_MS                                                   \
	((int64) (POSTGRES_EPOCH_JDATE - UNIX_EPOCH_JDATE) * SECS_PER_DAY * \
	 INT64CONST(1000))

PG_FUNCTION_INFO_V1(siddhi_cron_next_sql);

Datum
siddhi_cron_next_sql(PG_FUNCTION_ARGS)
{
	char *expr = text_to_cstring(PG_GETARG_TEXT_PP(0));
	TimestampTz after = PG_GETARG_TIMESTAMPTZ(1);
	char *error;
	int offset;
	SiddhiCron *cron;
	int64 next;

	if (TIMESTAMP_NOT_FINITE(after))
		PG_RETURN_NULL();
	cron = siddhi_cron_parse(expr, &error, &offset);
	if (cron == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_SIDDHI_SYNTAX_ERROR),
				 errmsg("invalid cron expression \"%s\": %s", expr, error),
				 errdetail("The problem is at character %d of the "
						   "expression.",
						   offset + 1),
				 errhint("Write six or seven Quartz fields (second minute "
						 "hour day-of-month month day-of-week [year]) or "
						 "five Unix ones.")));
	/* floor to milliseconds: cron works in whole seconds anyway */
	next = siddhi_cron_next(
		cron,
		(after >= 0 ? after / 1000 : -((-after + 999) / 1000)) + UNIX_TO_PG_MS,
		session_timezone);
	if (next < 0)
		PG_RETURN_NULL();
	PG_RETURN_TIMESTAMPTZ((next - UNIX_TO_PG_MS) * 1000);
}
