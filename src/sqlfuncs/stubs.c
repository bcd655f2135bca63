/* Temporary: SQL entry points not written yet. */
#include "postgres.h"

#include "fmgr.h"

#define STUB(name) \
	PG_FUNCTION_INFO_V1(name); \
	Datum name(PG_FUNCTION_ARGS) \
	{ \
		elog(ERROR, #name " is not implemented yet"); \
		PG_RETURN_NULL(); \
	}

STUB(siddhi_stream_fdw_handler)
STUB(siddhi_deploy)
STUB(siddhi_undeploy)
STUB(siddhi_subscribe)
STUB(siddhi_unsubscribe)
STUB(siddhi_poll)
STUB(siddhi_subscriptions)
STUB(siddhi_current_time_millis)
STUB(siddhi_event_timestamp)
STUB(siddhi_query_stats)

PG_FUNCTION_INFO_V1(siddhi_stream_fdw_validator);
Datum
siddhi_stream_fdw_validator(PG_FUNCTION_ARGS)
{
	PG_RETURN_VOID();
}
