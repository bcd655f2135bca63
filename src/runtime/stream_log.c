/*-------------------------------------------------------------------------
 *
 * stream_log.c
 *	  siddhi.log_event(), what Siddhi's #log(..) stream processor becomes
 *	  (src/analyzer/analyze_stream_function.c): a conjunct of the query's
 *	  filters that writes one line to the server log and lets the event
 *	  pass.
 *
 * A line reads "<app>: <message>, event at <ms>: (<attributes>)", or
 * without the event when is.event.logged is false, as Siddhi's
 * "<app>: <message>, StreamEvent{..}".  Priorities map onto the server
 * log's levels: INFO to LOG (so that the default log_min_messages keeps
 * it), DEBUG to DEBUG1, TRACE to DEBUG2, WARN, ERROR and FATAL to WARNING
 * (a log line never fails the event), OFF to nothing.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "fmgr.h"
#include "lib/stringinfo.h"
#include "siddhi/errors.h"
#include "siddhi/runtime.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"

PG_FUNCTION_INFO_V1(siddhi_log_event);

/* The server log's level of a Siddhi priority; -1 for OFF. */
static int
log_level(const char *priority)
{
	if (pg_strcasecmp(priority, "INFO") == 0)
		return LOG;
	if (pg_strcasecmp(priority, "DEBUG") == 0)
		return DEBUG1;
	if (pg_strcasecmp(priority, "TRACE") == 0)
		return DEBUG2;
	if (pg_strcasecmp(priority, "WARN") == 0 ||
		pg_strcasecmp(priority, "ERROR") == 0 ||
		pg_strcasecmp(priority, "FATAL") == 0)
		return WARNING;
	if (pg_strcasecmp(priority, "OFF") == 0)
		return -1;
	ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					errmsg("unknown log priority \"%s\"", priority),
					errhint("The priorities are INFO, DEBUG, WARN, ERROR, "
							"FATAL, TRACE and OFF.")));
	return -1;
}

/* log_event(priority, message, logged, event, app) returns true */
Datum
siddhi_log_event(PG_FUNCTION_ARGS)
{
	int level;
	bool logged = !PG_ARGISNULL(2) && PG_GETARG_BOOL(2);
	bool has_message = !PG_ARGISNULL(1);
	StringInfoData line;

	level = log_level(PG_ARGISNULL(0) ? "INFO"
									  : text_to_cstring(PG_GETARG_TEXT_PP(0)));
	if (level < 0 || !message_level_is_interesting(level))
		PG_RETURN_BOOL(true);
	initStringInfo(&line);
	appendStringInfo(
		&line,
		"%s: ", PG_ARGISNULL(4) ? "" : text_to_cstring(PG_GETARG_TEXT_PP(4)));
	if (has_message)
		appendStringInfoString(&line, text_to_cstring(PG_GETARG_TEXT_PP(1)));
	if (logged)
	{
		char *row =
			PG_ARGISNULL(3)
				? "null"
				: OidOutputFunctionCall(F_RECORD_OUT, PG_GETARG_DATUM(3));

		appendStringInfo(&line, "%sevent at " INT64_FORMAT ": %s",
						 has_message ? ", " : "", siddhi_current_event_ts,
						 row);
	}
	else if (!has_message)
		appendStringInfoString(&line, "Event Arrived");
	ereport(level, (errmsg_internal("%s", line.data), errhidestmt(true)));
	pfree(line.data);
	PG_RETURN_BOOL(true);
}
