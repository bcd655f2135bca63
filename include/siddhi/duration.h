/*-------------------------------------------------------------------------
 *
 * duration.h
 *	  Durations in milliseconds, with Siddhi's units (src/common/duration.c).
 *
 * Siddhi's Expression.Time counts a month as 30 days and a year as 365
 * days.  Every duration an app gives (SiddhiQL's 1 year, the SQL
 * dialect's 1 year, '1 year' and INTERVAL '1 year', retention and purge
 * periods) is counted that way, so that the three spellings of a duration
 * mean the same.
 *
 *-------------------------------------------------------------------------
 */
#ifndef SIDDHI_DURATION_H
#define SIDDHI_DURATION_H

#include "datatype/timestamp.h"

#define SIDDHI_MS_PER_DAY INT64CONST(86400000)
#define SIDDHI_MS_PER_WEEK (7 * SIDDHI_MS_PER_DAY)
#define SIDDHI_MS_PER_MONTH (30 * SIDDHI_MS_PER_DAY)
#define SIDDHI_MS_PER_YEAR (365 * SIDDHI_MS_PER_DAY)

/*
 * The duration written in text, a PostgreSQL interval ('1 year 2 months',
 * 'P1Y', '1-2'), in ms, each unit as Siddhi counts it.  range is
 * DecodeInterval's (INTERVAL_FULL_RANGE, or a typmod's INTERVAL_RANGE,
 * for which '5' is 5 of that unit).  Returns false, raising nothing, when
 * the text is no interval.  *negative tells whether a part of it was
 * negative ('1 day -1 hour'); *ms is PG_INT64_MAX (PG_INT64_MIN) when the
 * duration does not fit.
 */
extern bool siddhi_duration_parse(const char *text, int range, int64 *ms,
								  bool *negative);

/*
 * An interval value in ms: its months hold years and months together, so
 * every 12 of them count as a year of 365 days, the rest 30 days each.
 * false when it does not fit.
 */
extern bool siddhi_duration_of_interval(const Interval *iv, int64 *ms);

#endif /* SIDDHI_DURATION_H */
