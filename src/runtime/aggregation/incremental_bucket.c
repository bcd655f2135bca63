/*-------------------------------------------------------------------------
 *
 * incremental_bucket.c
 *	  The time buckets of incremental aggregations: the start of the
 *	  bucket of each granularity holding an event time, in UTC or a zone.
 *
 * sec, min, hour and day buckets in UTC are fixed lengths of milliseconds
 * since the Unix epoch; month and year, and everything from hour up in a
 * time zone, go through the zone's local wall time.  Each aggregation
 * caches, per granularity, the last bucket found and a span of times all
 * in it, so consecutive events rarely compute anything.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "incremental_int.h"
#include "utils/datetime.h"


int64
siddhi_incremental_bucket(int g, int64 ts)
{
	static const int64 unit[] = { 1000, 60000, 3600000, 86400000 };
	struct pg_tm tm;
	fsec_t fsec;
	Timestamp t;

	if (g < 4)
	{
		int64 b = ts / unit[g] * unit[g];

		if (ts < 0 && b != ts)
			b -= unit[g];
		return b;
	}
	t = ts * 1000 - UNIX_EPOCH_USECS;
	if (timestamp2tm(t, NULL, &tm, &fsec, NULL, NULL) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("event time %lld is out of range", (long long) ts)));
	tm.tm_mday = 1;
	if (g == 5)
		tm.tm_mon = 1;
	tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
	if (tm2timestamp(&tm, 0, NULL, &t) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("event time %lld is out of range", (long long) ts)));
	return (t + UNIX_EPOCH_USECS) / 1000;
}

/* A PostgreSQL timestamp's UTC offset (seconds west) in tz, and its fields. */
static int
local_fields(Timestamp t, pg_tz *tz, struct pg_tm *tm)
{
	fsec_t fsec;
	int west = 0;

	if (timestamp2tm(t, &west, tm, &fsec, NULL, tz) != 0)
		ereport(ERROR, (errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
						errmsg("timestamp out of range")));
	return west;
}

/*
 * The instant of local wall time tm in tz, at or before ts where the
 * local time happens twice (a DST fall-back), given west, the offset at
 * ts.  Where it does not happen (a gap), the instant it would be at
 * west's offset.
 */
static Timestamp
local_to_instant(struct pg_tm *tm, int west, pg_tz *tz)
{
	Timestamp c1, c2;
	struct pg_tm tmp;
	int west1, west2;

	if (tm2timestamp(tm, 0, &west, &c1) != 0)
		ereport(ERROR, (errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
						errmsg("timestamp out of range")));
	west1 = local_fields(c1, tz, &tmp);
	if (west1 == west)
		return c1;
	/* an offset change lies between: try the offset in force at c1 */
	if (tm2timestamp(tm, 0, &west1, &c2) != 0)
		return c1;
	west2 = local_fields(c2, tz, &tmp);
	return west2 == west1 ? c2 : c1;
}

/*
 * Narrow [*lo, *hi), which holds ts, to a span where tz's UTC offset does
 * not change: there, local times rise with the instants, so a span that
 * starts at a bucket's start and ends before the next one's is all in
 * the bucket.  (A fall-back hour happens twice: each time is a bucket.)
 */
static void
offset_span(pg_tz *tz, int64 ts, int64 *lo, int64 *hi)
{
	pg_time_t from = *lo / 1000;

	for (int i = 0; i < 32; i++)
	{
		long int before_off, after_off;
		int before_dst, after_dst;
		pg_time_t b;

		if (pg_next_dst_boundary(&from, &before_off, &before_dst, &b,
								 &after_off, &after_dst, tz) != 1)
			return;
		if (b * 1000 <= ts)
		{
			*lo = b * 1000;
			from = b;
			continue;
		}
		if (b * 1000 < *hi)
			*hi = b * 1000;
		return;
	}
	*lo = *hi = ts; /* too many changes: do not cache */
}

/*
 * The start (ms) of the bucket of granularity g (2 = hour .. 5 = year)
 * holding ts in zone tz: its local wall time truncated, as Siddhi's
 * IncrementalTimeConverterUtil does with ZonedDateTime.  [*lo, *hi)
 * receives a span of times around ts in the same bucket.
 */
static int64
bucket_in_zone(int g, int64 ts, pg_tz *tz, int64 *lo, int64 *hi)
{
	Timestamp t = ts * 1000 - UNIX_EPOCH_USECS;
	struct pg_tm tm;
	int west = local_fields(t, tz, &tm);
	Timestamp start, next;

	tm.tm_sec = 0;
	tm.tm_min = 0;
	if (g >= 3)
		tm.tm_hour = 0;
	if (g >= 4)
		tm.tm_mday = 1;
	if (g >= 5)
		tm.tm_mon = 1;
	start = local_to_instant(&tm, west, tz);
	switch (g)
	{
		case 2:
			tm.tm_hour++;
			break;
		case 3:
			tm.tm_mday++;
			break;
		case 4:
			tm.tm_mon++;
			break;
		default:
			tm.tm_year++;
			break;
	}
	/* normalize the overflowing field through a day count */
	if (tm.tm_hour == 24 ||
		tm.tm_mday > day_tab[isleap(tm.tm_year)][tm.tm_mon - 1])
	{
		int j = date2j(tm.tm_year, tm.tm_mon, tm.tm_mday);

		if (tm.tm_hour == 24)
		{
			tm.tm_hour = 0;
			j++;
		}
		j2date(j, &tm.tm_year, &tm.tm_mon, &tm.tm_mday);
	}
	if (tm.tm_mon > 12)
	{
		tm.tm_mon = 1;
		tm.tm_year++;
	}
	next = local_to_instant(&tm, local_fields(start, tz, &(struct pg_tm){ 0 }),
							tz);
	*lo = (start + UNIX_EPOCH_USECS) / 1000;
	*hi = (next + UNIX_EPOCH_USECS) / 1000;
	if (*lo > ts || *hi <= ts)
		*lo = *hi = ts; /* a zone too odd to cache: compute each time */
	else
		offset_span(tz, ts, lo, hi);
	return (start + UNIX_EPOCH_USECS) / 1000;
}

/*
 * The bucket of the aggregation's i-th granularity holding ts.  The last
 * bucket found is kept per granularity, so a run of events in one bucket
 * costs no calendar arithmetic.
 */
int64
inc_bucket(SiddhiIncremental *inc, int i, int64 ts)
{
	int g = inc->grans[i];

	if (inc->tz == NULL && g < 4)
		return siddhi_incremental_bucket(g, ts);
	if (inc->tz != NULL && g < 2)
		return siddhi_incremental_bucket(g, ts);
	if (ts >= inc->cache_lo[i] && ts < inc->cache_hi[i])
		return inc->cache_start[i];
	inc->cache_start[i] =
		bucket_in_zone(g, ts, inc->tz ? inc->tz : pg_tzset("UTC"),
					   &inc->cache_lo[i], &inc->cache_hi[i]);
	return inc->cache_start[i];
}
