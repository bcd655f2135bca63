/*-------------------------------------------------------------------------
 *
 * cron.c
 *	  Cron expressions: a parser and a next-fire evaluator.
 *
 * An expression is parsed into one bit set per field (seconds, minutes,
 * hours, days of month, months, days of week, years) plus the special
 * day rules Quartz has (L, L-n, LW, nW in the day of month; L, xL, x#n in
 * the day of week).  Quartz's six or seven fields are read as Siddhi reads
 * them; Unix cron's five fields fire at second 0, and when both the day of
 * month and the day of week are restricted either may match (as in Vixie
 * cron).  In Quartz spelling one of the two day fields must be '?' (or
 * '*', which we take as '?' when the other is restricted).
 *
 * The next fire time is found field by field on the local calendar of the
 * given time zone, from the most significant field down: a field that does
 * not match moves to its next allowed value and resets the fields below
 * it.  The local time found is then turned into an instant; a local time
 * that does not exist (a daylight-saving gap) becomes the instant Postgres
 * gives it, and a candidate that is not after the start time is skipped.
 * The search ends at the last year a cron can name, so it always stops.
 *
 * Nothing here allocates after parsing; it needs Postgres only for pg_tm
 * conversions and palloc.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <ctype.h>

#include "datatype/timestamp.h"
#include "siddhi/cron.h"
#include "utils/datetime.h"
#include "utils/timestamp.h"

#define CRON_YEAR_MIN 1970
#define CRON_YEAR_MAX 2299
#define CRON_YEAR_WORDS ((CRON_YEAR_MAX - CRON_YEAR_MIN) / 64 + 1)

/* milliseconds between the Unix epoch and Postgres' */
#define UNIX_TO_PG_MS                                                   \
	((int64) (POSTGRES_EPOCH_JDATE - UNIX_EPOCH_JDATE) * SECS_PER_DAY * \
	 INT64CONST(1000))

enum
{
	F_SEC,
	F_MIN,
	F_HOUR,
	F_MDAY,
	F_MON,
	F_WDAY,
	F_YEAR,
	F_COUNT
};

struct SiddhiCron
{
	uint64 bits[F_YEAR]; /* allowed values; weekdays 0..6, Sunday 0 */
	uint64 years[CRON_YEAR_WORDS]; /* bit y - CRON_YEAR_MIN */
	bool year_any;
	bool mday_any; /* '?' or '*' */
	bool wday_any;
	bool day_or;			/* Unix: both restricted, either matches */
	int mday_last;			/* L or L-n: n; else -1 */
	bool mday_last_weekday; /* LW */
	int mday_weekday;		/* nW: n; else 0 */
	int wday_last;			/* xL: x (0..6); else -1 */
	int wday_nth;			/* x#n: n; else 0 */
	int wday_nth_day;		/* x#n: x (0..6) */
};

typedef struct FieldDef
{
	const char *what;
	int min;
	int max;
	const char *const *names; /* three-letter names, or NULL */
	int name_base;			  /* the value of names[0] */
} FieldDef;

static const char *const month_names[] = { "JAN", "FEB", "MAR", "APR", "MAY",
										   "JUN", "JUL", "AUG", "SEP", "OCT",
										   "NOV", "DEC", NULL };
static const char *const day_names[] = { "SUN", "MON", "TUE", "WED",
										 "THU", "FRI", "SAT", NULL };

/* Quartz numbers weekdays 1..7 from Sunday, Unix 0..7 (0 and 7 Sunday) */
static const FieldDef quartz_fields[F_COUNT] = {
	{ "second", 0, 59, NULL, 0 },
	{ "minute", 0, 59, NULL, 0 },
	{ "hour", 0, 23, NULL, 0 },
	{ "day of month", 1, 31, NULL, 0 },
	{ "month", 1, 12, month_names, 1 },
	{ "day of week", 1, 7, day_names, 1 },
	{ "year", CRON_YEAR_MIN, CRON_YEAR_MAX, NULL, 0 },
};
static const FieldDef unix_wday = { "day of week", 0, 7, day_names, 0 };

typedef struct CronParse
{
	const char *expr;
	const char *field;	  /* a NUL-terminated copy of the field parsed */
	const char *field_at; /* where it is in expr */
	char *error;
	int offset;
	bool quartz;
	SiddhiCron *cron;
} CronParse;

/* Record an error at ptr, a position in the field's copy. */
static void
cron_error(CronParse *cp, const char *ptr, char *msg)
{
	cp->error = msg;
	cp->offset = (int) (cp->field_at - cp->expr) + (int) (ptr - cp->field);
}

#define cron_fail(cp, ptr, ...)                         \
	do                                                  \
	{                                                   \
		cron_error((cp), (ptr), psprintf(__VA_ARGS__)); \
		return false;                                   \
	} while (0)

static const FieldDef *
field_def(CronParse *cp, int f)
{
	return (f == F_WDAY && !cp->quartz) ? &unix_wday : &quartz_fields[f];
}

/* Allow value v (in the field's own numbering) of field f. */
static void
set_value(CronParse *cp, int f, int v)
{
	SiddhiCron *c = cp->cron;

	if (f == F_YEAR)
		c->years[(v - CRON_YEAR_MIN) / 64] |= UINT64CONST(1)
											  << ((v - CRON_YEAR_MIN) % 64);
	else if (f == F_WDAY)
		c->bits[f] |= UINT64CONST(1) << (cp->quartz ? v - 1 : v % 7);
	else
		c->bits[f] |= UINT64CONST(1) << v;
}

/* A number or a three-letter name at *p, within the field's range. */
static bool
parse_value(CronParse *cp, const char **p, int f, int *v)
{
	const FieldDef *d = field_def(cp, f);
	const char *s = *p;

	if (isdigit((unsigned char) *s))
	{
		int n = 0;

		while (isdigit((unsigned char) **p))
		{
			n = n * 10 + (**p - '0');
			if (n > 100000)
				cron_fail(cp, s, "%s value is out of range", d->what);
			(*p)++;
		}
		*v = n;
	}
	else if (d->names && isalpha((unsigned char) s[0]) &&
			 isalpha((unsigned char) s[1]) && isalpha((unsigned char) s[2]))
	{
		int i;

		for (i = 0; d->names[i]; i++)
			if (pg_strncasecmp(s, d->names[i], 3) == 0)
				break;
		if (d->names[i] == NULL)
			cron_fail(cp, s, "\"%.3s\" is not a %s name", s, d->what);
		*v = d->name_base + i;
		*p += 3;
		return true;
	}
	else
		cron_fail(cp, s, "expected a %s value", d->what);
	if (*v < d->min || *v > d->max)
		cron_fail(cp, s, "%s value %d is not between %d and %d", d->what, *v,
				  d->min, d->max);
	return true;
}

/* A step after '/': a number from 1 to the size of the field's range. */
static bool
parse_step(CronParse *cp, const char **p, int f, int *step)
{
	const FieldDef *d = field_def(cp, f);
	const char *s = *p;
	int n = 0;

	if (!isdigit((unsigned char) *s))
		cron_fail(cp, s, "expected a step after '/'");
	while (isdigit((unsigned char) **p) && n <= 100000)
	{
		n = n * 10 + (**p - '0');
		(*p)++;
	}
	if (n < 1 || n > d->max - d->min + 1)
		cron_fail(cp, s, "the %s step must be between 1 and %d", d->what,
				  d->max - d->min + 1);
	*step = n;
	return true;
}

/*
 * One item of a list: *, v, a-b (wrapping past the maximum when a > b),
 * each optionally /step (v/step runs to the maximum).
 */
static bool
parse_item(CronParse *cp, const char **p, int f)
{
	const FieldDef *d = field_def(cp, f);
	int lo;
	int hi;
	int step = 1;
	int span = d->max - d->min + 1;
	int len;

	if (**p == '*')
	{
		lo = d->min;
		hi = d->max;
		(*p)++;
	}
	else
	{
		if (!parse_value(cp, p, f, &lo))
			return false;
		hi = lo;
		if (**p == '-')
		{
			(*p)++;
			if (!parse_value(cp, p, f, &hi))
				return false;
		}
		else if (**p == '/')
			hi = d->max;
	}
	if (**p == '/')
	{
		(*p)++;
		if (!parse_step(cp, p, f, &step))
			return false;
	}
	len = hi >= lo ? hi - lo : hi - lo + span;
	for (int k = 0; k <= len; k += step)
		set_value(cp, f, lo + k > d->max ? lo + k - span : lo + k);
	return true;
}

/* A small number at *p (for L-n, nW, x#n). */
static bool
parse_small(CronParse *cp, const char **p, int min, int max, const char *what)
{
	const char *s = *p;
	int n = 0;

	if (!isdigit((unsigned char) *s))
		cron_fail(cp, s, "expected %s", what);
	while (isdigit((unsigned char) **p) && n <= 1000)
	{
		n = n * 10 + (**p - '0');
		(*p)++;
	}
	if (n < min || n > max)
		cron_fail(cp, s, "%s must be between %d and %d", what, min, max);
	return n >= 0;
}

/* L, L-n, LW or nW in the day of month; false when it is not one. */
static bool
parse_mday_special(CronParse *cp, const char *s, bool *ok)
{
	SiddhiCron *c = cp->cron;
	const char *p = s;

	*ok = true;
	if (pg_strcasecmp(s, "LW") == 0)
	{
		c->mday_last_weekday = true;
		return true;
	}
	if (toupper((unsigned char) s[0]) == 'L')
	{
		p++;
		c->mday_last = 0;
		if (*p == '-')
		{
			p++;
			c->mday_last = 0;
			while (isdigit((unsigned char) *p))
				c->mday_last = c->mday_last * 10 + (*p++ - '0');
			if (p == s + 2 || c->mday_last > 30)
			{
				cron_error(cp, s + 2,
						   pstrdup("the day of month L-n needs n between 0 "
								   "and 30"));
				*ok = false;
				return true;
			}
		}
		if (*p != '\0')
		{
			cron_error(cp, p,
					   pstrdup("unexpected text after L in the day of month"));
			*ok = false;
		}
		return true;
	}
	if (isdigit((unsigned char) s[0]) && strpbrk(s, "wW") != NULL)
	{
		int n = 0;

		while (isdigit((unsigned char) *p))
			n = n * 10 + (*p++ - '0');
		if (toupper((unsigned char) *p) != 'W' || p[1] != '\0' || n < 1 ||
			n > 31)
		{
			cron_error(cp, s,
					   pstrdup("the day of month nW needs n between 1 and 31 "
							   "and nothing after W"));
			*ok = false;
			return true;
		}
		c->mday_weekday = n;
		return true;
	}
	return false;
}

/* L, xL or x#n in the day of week; false when it is not one. */
static bool
parse_wday_special(CronParse *cp, const char *s, bool *ok)
{
	SiddhiCron *c = cp->cron;
	const char *p = s;
	int day;

	*ok = true;
	if (strpbrk(s, "#lL") == NULL || strchr(s, ',') || strchr(s, '-') ||
		strchr(s, '/'))
		return false;
	if (pg_strcasecmp(s, "L") == 0)
	{
		/* Quartz: L alone is the last day of the week, Saturday */
		c->bits[F_WDAY] |= UINT64CONST(1) << 6;
		return true;
	}
	if (!parse_value(cp, &p, F_WDAY, &day))
	{
		*ok = false;
		return true;
	}
	day = cp->quartz ? day - 1 : day % 7;
	if (toupper((unsigned char) *p) == 'L' && p[1] == '\0')
		c->wday_last = day;
	else if (*p == '#')
	{
		p++;
		if (!parse_small(cp, &p, 1, 5, "a week number after '#'"))
		{
			*ok = false;
			return true;
		}
		if (*p != '\0')
		{
			cron_error(cp, p,
					   pstrdup("unexpected text after the week number"));
			*ok = false;
			return true;
		}
		c->wday_nth = p[-1] - '0';
		c->wday_nth_day = day;
	}
	else
	{
		cron_error(cp, p, pstrdup("expected L or #n after the day of week"));
		*ok = false;
	}
	return true;
}

/* Field f: cp->field, a copy of the field's text. */
static bool
parse_field(CronParse *cp, int f)
{
	SiddhiCron *c = cp->cron;
	const char *text = cp->field;
	const char *p = text;
	bool ok;

	if (strcmp(text, "?") == 0 || strcmp(text, "*") == 0)
	{
		if (text[0] == '?' && f != F_MDAY && f != F_WDAY)
			cron_fail(cp, text,
					  "'?' is allowed only in the day of month and the day "
					  "of week");
		if (f == F_MDAY)
			c->mday_any = true;
		else if (f == F_WDAY)
			c->wday_any = true;
		else if (f == F_YEAR)
			c->year_any = true;
		else
			c->bits[f] = ~UINT64CONST(0);
		return true;
	}
	if (f == F_MDAY && parse_mday_special(cp, text, &ok))
		return ok;
	if (f == F_WDAY && parse_wday_special(cp, text, &ok))
		return ok;
	/* a comma-separated list of items */
	for (;;)
	{
		if (!parse_item(cp, &p, f))
			return false;
		if (*p == '\0')
			return true;
		if (*p != ',' || p[1] == '\0')
			cron_fail(cp, p, "unexpected \"%c\" in the %s field", *p,
					  field_def(cp, f)->what);
		p++;
	}
}

SiddhiCron *
siddhi_cron_parse(const char *expr, char **error, int *error_offset)
{
	CronParse cp;
	const char *starts[F_COUNT + 1];
	int lens[F_COUNT + 1];
	int nfields = 0;
	const char *p = expr;
	int first;

	memset(&cp, 0, sizeof(cp));
	cp.expr = expr;
	cp.cron = palloc0(sizeof(SiddhiCron));
	cp.cron->mday_last = -1;
	cp.cron->wday_last = -1;

	for (;;)
	{
		while (isspace((unsigned char) *p))
			p++;
		if (*p == '\0')
			break;
		if (nfields == F_COUNT)
		{
			*error = pstrdup("a cron expression has at most 7 fields");
			*error_offset = (int) (p - expr);
			return NULL;
		}
		starts[nfields] = p;
		while (*p && !isspace((unsigned char) *p))
			p++;
		lens[nfields] = (int) (p - starts[nfields]);
		nfields++;
	}
	if (nfields < 5)
	{
		*error = psprintf("a cron expression has 5 fields (Unix) or 6 to 7 "
						  "(Quartz, seconds first), not %d",
						  nfields);
		*error_offset = (int) (p - expr);
		return NULL;
	}
	cp.quartz = nfields >= 6;
	first = cp.quartz ? F_SEC : F_MIN;
	if (!cp.quartz)
		cp.cron->bits[F_SEC] = UINT64CONST(1); /* second 0 */
	cp.cron->year_any = nfields < 7;
	for (int i = 0; i < nfields; i++)
	{
		char *text = pnstrdup(starts[i], lens[i]);

		cp.field = text;
		cp.field_at = starts[i];
		if (!parse_field(&cp, first + i))
		{
			*error = cp.error;
			*error_offset = cp.offset;
			return NULL;
		}
		pfree(text);
	}
	if (!cp.quartz)
	{
		/* Unix: '*' leaves a day field free; two restricted ones OR */
		cp.cron->day_or = !cp.cron->mday_any && !cp.cron->wday_any;
	}
	else if (cp.cron->mday_any && cp.cron->wday_any &&
			 starts[F_MDAY][0] == '?' && starts[F_WDAY][0] == '?')
	{
		*error = pstrdup("'?' can stand in the day of month or in the day "
						 "of week, not in both");
		*error_offset = (int) (starts[F_WDAY] - expr);
		return NULL;
	}
	else if (!cp.cron->mday_any && !cp.cron->wday_any)
	{
		*error = pstrdup("a Quartz cron expression cannot restrict both the "
						 "day of month and the day of week: write '?' in "
						 "one of them");
		*error_offset = (int) (starts[F_WDAY] - expr);
		return NULL;
	}
	return cp.cron;
}

static bool
has_bit(uint64 bits, int v)
{
	return (bits >> v) & 1;
}

/* The first allowed value >= v and <= max, or -1. */
static int
next_bit(uint64 bits, int v, int max)
{
	for (; v <= max; v++)
		if (has_bit(bits, v))
			return v;
	return -1;
}

static int
days_in(int year, int mon)
{
	return day_tab[isleap(year)][mon - 1];
}

static int
weekday(int year, int mon, int day)
{
	return j2day(date2j(year, mon, day));
}

static bool
mday_matches(const SiddhiCron *c, int year, int mon, int day)
{
	int dim = days_in(year, mon);

	if (c->mday_any)
		return true;
	if (c->mday_last >= 0)
		return day == dim - c->mday_last;
	if (c->mday_last_weekday)
	{
		int wd = weekday(year, mon, dim);
		int target = wd == 6 ? dim - 1 : wd == 0 ? dim - 2 : dim;

		return day == target;
	}
	if (c->mday_weekday > 0)
	{
		int n = c->mday_weekday;
		int wd;
		int target = n;

		if (n > dim)
			return false;
		wd = weekday(year, mon, n);
		/* the nearest weekday, not leaving the month */
		if (wd == 6)
			target = n == 1 ? 3 : n - 1;
		else if (wd == 0)
			target = n == dim ? n - 2 : n + 1;
		return day == target;
	}
	return has_bit(c->bits[F_MDAY], day);
}

static bool
wday_matches(const SiddhiCron *c, int year, int mon, int day)
{
	int wd;

	if (c->wday_any)
		return true;
	wd = weekday(year, mon, day);
	if (c->wday_last >= 0)
		return wd == c->wday_last && day + 7 > days_in(year, mon);
	if (c->wday_nth > 0)
		return wd == c->wday_nth_day && (day - 1) / 7 + 1 == c->wday_nth;
	return has_bit(c->bits[F_WDAY], wd);
}

static bool
day_matches(const SiddhiCron *c, int year, int mon, int day)
{
	if (c->day_or)
		return mday_matches(c, year, mon, day) ||
			   wday_matches(c, year, mon, day);
	return mday_matches(c, year, mon, day) && wday_matches(c, year, mon, day);
}

static bool
year_matches(const SiddhiCron *c, int year)
{
	if (c->year_any)
		return true;
	if (year < CRON_YEAR_MIN || year > CRON_YEAR_MAX)
		return false;
	return (c->years[(year - CRON_YEAR_MIN) / 64] >>
			((year - CRON_YEAR_MIN) % 64)) &
		   1;
}

int64
siddhi_cron_next(const SiddhiCron *c, int64 after, pg_tz *tz)
{
	int64 from;
	struct pg_tm tm;
	fsec_t fsec;
	int tzoff;
	int year;
	int mon;
	int day;
	int hour;
	int min;
	int sec;

	/* the next whole second */
	from =
		(after >= 0 ? after / 1000 : -((-after + 999) / 1000)) * 1000 + 1000;
	if (timestamp2tm((from - UNIX_TO_PG_MS) * 1000, &tzoff, &tm, &fsec, NULL,
					 tz) != 0)
		return -1;
	year = tm.tm_year;
	mon = tm.tm_mon;
	day = tm.tm_mday;
	hour = tm.tm_hour;
	min = tm.tm_min;
	sec = tm.tm_sec;
	for (;;)
	{
		int n;
		Timestamp result;

		/* carry what overflowed into the field above */
		if (sec > 59)
			sec = 0, min++;
		if (min > 59)
			min = 0, hour++;
		if (hour > 23)
			hour = 0, day++;
		if (day > days_in(year, mon))
			day = 1, mon++;
		if (mon > 12)
			mon = 1, year++;
		if (year > CRON_YEAR_MAX)
			return -1;

		if (!year_matches(c, year))
		{
			year++, mon = 1, day = 1, hour = 0, min = 0, sec = 0;
			continue;
		}
		if (!has_bit(c->bits[F_MON], mon))
		{
			n = next_bit(c->bits[F_MON], mon, 12);
			if (n < 0)
				mon = 13;
			else
				mon = n;
			day = 1, hour = 0, min = 0, sec = 0;
			continue;
		}
		if (!day_matches(c, year, mon, day))
		{
			day++, hour = 0, min = 0, sec = 0;
			continue;
		}
		if (!has_bit(c->bits[F_HOUR], hour))
		{
			n = next_bit(c->bits[F_HOUR], hour, 23);
			hour = n < 0 ? 24 : n;
			min = 0, sec = 0;
			continue;
		}
		if (!has_bit(c->bits[F_MIN], min))
		{
			n = next_bit(c->bits[F_MIN], min, 59);
			min = n < 0 ? 60 : n;
			sec = 0;
			continue;
		}
		if (!has_bit(c->bits[F_SEC], sec))
		{
			n = next_bit(c->bits[F_SEC], sec, 59);
			sec = n < 0 ? 60 : n;
			continue;
		}

		/* a local time that matches: the instant it is in tz */
		memset(&tm, 0, sizeof(tm));
		tm.tm_year = year;
		tm.tm_mon = mon;
		tm.tm_mday = day;
		tm.tm_hour = hour;
		tm.tm_min = min;
		tm.tm_sec = sec;
		tzoff = DetermineTimeZoneOffset(&tm, tz);
		if (tm2timestamp(&tm, 0, &tzoff, &result) == 0)
		{
			int64 ms = result / 1000 + UNIX_TO_PG_MS;

			if (ms > after)
				return ms;
		}
		sec++;
	}
}
