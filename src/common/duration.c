/*-------------------------------------------------------------------------
 *
 * duration.c
 *	  Durations in milliseconds, with Siddhi's units: a month is 30 days, a
 *	  year 365 days (Siddhi's Expression.Time).
 *
 * A PostgreSQL interval keeps years as 12 months, so '1 year' and
 * '12 months' are the same value; the text still tells them apart, and
 * Siddhi counts them differently (365 and 360 days).  A duration written
 * as text is therefore decoded with the steps of interval_in, field by
 * field (DecodeInterval keeps years and months apart), and counted with
 * Siddhi's units.  Only a computed interval value (a cast, arithmetic)
 * has lost the difference: there every 12 months are a year.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "common/int.h"
#include "siddhi/duration.h"
#include "utils/datetime.h"

/* *acc += n * unit; false when it does not fit */
static bool
add_units(int64 *acc, int64 n, int64 unit)
{
	int64 part;

	return !pg_mul_s64_overflow(n, unit, &part) &&
		   !pg_add_s64_overflow(*acc, part, acc);
}

bool
siddhi_duration_parse(const char *text, int range, int64 *ms, bool *negative)
{
	char workbuf[256];
	char *field[MAXDATEFIELDS];
	int ftype[MAXDATEFIELDS];
	int nf;
	int dtype = 0;
	struct pg_itm_in itm;
	int dterr;
	int64 acc;

	/* interval_in's steps, whose error codes become a false result */
	memset(&itm, 0, sizeof(itm));
	dterr = ParseDateTime(text, workbuf, sizeof(workbuf), field, ftype,
						  MAXDATEFIELDS, &nf);
	if (dterr == 0)
		dterr = DecodeInterval(field, ftype, nf, range, &dtype, &itm);
	if (dterr == DTERR_BAD_FORMAT)
	{
		/* ISO 8601: P1DT2H */
		memset(&itm, 0, sizeof(itm));
		dterr = DecodeISO8601Interval(pstrdup(text), &dtype, &itm);
	}
	if (dterr != 0 || dtype != DTK_DELTA)
		return false;

	*negative = itm.tm_usec < 0 || itm.tm_mday < 0 || itm.tm_mon < 0 ||
				itm.tm_year < 0;
	acc = itm.tm_usec / 1000;
	if (!add_units(&acc, itm.tm_mday, SIDDHI_MS_PER_DAY) ||
		!add_units(&acc, itm.tm_mon, SIDDHI_MS_PER_MONTH) ||
		!add_units(&acc, itm.tm_year, SIDDHI_MS_PER_YEAR))
		acc = *negative ? PG_INT64_MIN : PG_INT64_MAX;
	*ms = acc;
	return true;
}

bool
siddhi_duration_of_interval(const Interval *iv, int64 *ms)
{
	int64 acc = iv->time / 1000;

	*ms = 0;
	if (!add_units(&acc, iv->day, SIDDHI_MS_PER_DAY) ||
		!add_units(&acc, iv->month / MONTHS_PER_YEAR, SIDDHI_MS_PER_YEAR) ||
		!add_units(&acc, iv->month % MONTHS_PER_YEAR, SIDDHI_MS_PER_MONTH))
		return false;
	*ms = acc;
	return true;
}
