/*-------------------------------------------------------------------------
 *
 * clock.c
 *	  The wall clock in milliseconds since the Unix epoch, the unit of
 *	  event times.
 *
 * Below every other subsystem: the stream FDW stamps events with it, the
 * runtime's timers and the worker's wait loop read it.  An app in
 * playback mode does not read it at all (its clock follows its events).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "datatype/timestamp.h"
#include "siddhi/clock.h"
#include "utils/timestamp.h"

int64
siddhi_now_ms(void)
{
	TimestampTz now = GetCurrentTimestamp();

	return now / 1000 + (int64) (POSTGRES_EPOCH_JDATE - UNIX_EPOCH_JDATE) *
							SECS_PER_DAY * 1000;
}
