/*-------------------------------------------------------------------------
 *
 * cron.h
 *	  Cron expressions: parse once, then ask for the next fire time
 *	  (src/common/cron.c).  Used by the cron window, later by triggers.
 *
 * Two spellings are accepted: Quartz's six or seven fields (second,
 * minute, hour, day of month, month, day of week [, year]), as Siddhi
 * takes them, and Unix cron's five (minute, hour, day of month, month,
 * day of week), which fire at second 0.  docs/reference.md lists what
 * each field may hold.
 *
 *-------------------------------------------------------------------------
 */
#ifndef SIDDHI_CRON_H
#define SIDDHI_CRON_H

#include "pgtime.h"

typedef struct SiddhiCron SiddhiCron;

/*
 * Parse expr.  Returns a palloc'd SiddhiCron, or NULL with *error set to a
 * palloc'd message (lower case, no period) and *error_offset to the byte
 * offset in expr where the problem is.
 */
extern SiddhiCron *siddhi_cron_parse(const char *expr, char **error,
									 int *error_offset);

/*
 * The first fire time strictly after `after` (epoch milliseconds), read in
 * time zone tz, in epoch milliseconds; -1 when there is none (the years
 * listed are over, or the days never occur, like 30 February).
 */
extern int64 siddhi_cron_next(const SiddhiCron *cron, int64 after, pg_tz *tz);

#endif /* SIDDHI_CRON_H */
