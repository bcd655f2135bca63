/*-------------------------------------------------------------------------
 *
 * incremental.c
 *	  Incremental aggregations: each event updates its bucket at every
 *	  granularity, in memory, and the batch's changes are upserted into the
 *	  granularity tables at the end of the batch.
 *
 * Design.  For every event that reaches the aggregation's stream, we
 * evaluate its select items once and fold them into a *delta* per
 * (granularity, bucket start, group): partial states only (sum, count,
 * min, max; avg as sum and count; distinctCount as a sketch of at most
 * SIDDHI_DISTINCT_K hashes, distinct_sketch.c; the last value of other
 * expressions).
 * Coarser granularities get the same delta as the finest one: a bucket of
 * any granularity is the merge of the partial states of the events in it,
 * so this is the roll-up from partial states, done eagerly, and raw
 * events are never read again.  At the end of the batch
 * (siddhi_incremental_flush_all, from siddhi_runtime_end_batch) each
 * delta becomes one INSERT .. ON CONFLICT DO UPDATE that merges it into
 * the stored bucket (sum + sum, least(min, min), ...), in the batch's
 * transaction, and the deltas are dropped.  The rows of one granularity go
 * in one statement (INSERT .. SELECT * FROM unnest(<one array per
 * column>) ON CONFLICT ..), BULK_ROWS at a time, which costs a fraction
 * of a statement per row; aggregations with distinctCount (a sketch is an
 * array itself) run one statement per row.  Consequences:
 *
 *	- late and out-of-order events land in the bucket they belong to, at
 *	  every granularity, however old the bucket;
 *	- a restart never counts an event twice nor loses one: the deltas of a
 *	  batch are written in the transaction that consumes its events, and
 *	  are forgotten once written;
 *	- the last value of a non-aggregated expression is that of the last
 *	  event processed for the bucket (arrival order, as in Siddhi).
 *
 * Buckets are in UTC by default: sec, min, hour and day are fixed lengths
 * of milliseconds since the Unix epoch; month and year start on the first
 * day of the month or year.  With a time zone (plan->timezone), hour,
 * day, month and year buckets start at the zone's local wall time
 * truncated (a day may then last 23 or 25 hours, an hour start at :30 in
 * India); sec and min stay multiples of their length, as in Siddhi.
 *
 * Memory: one delta per (granularity, bucket, group) changed in the
 * batch (plus up to 8 KB per distinctCount sketch), at most
 * SIDDHI_INC_MAX_DELTAS of them (a larger batch writes them as it goes),
 * in a context reset after every flush.  The upserts run as the
 * app's owner, through SPI plans prepared once per app.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "common/hashfn.h"
#include "common/int.h"
#include "datatype/timestamp.h"
#include "executor/executor.h"
#include "executor/spi.h"
#include "nodes/nodeFuncs.h"
#include "lib/stringinfo.h"
#include "access/xact.h"
#include "siddhi/batch.h"
#include "miscadmin.h"
#include "utils/resowner.h"
#include "siddhi/catalog.h"
#include "siddhi/distinct_sketch.h"
#include "siddhi/errors.h"
#include "siddhi/incremental.h"
#include "siddhi/runtime.h"
#include "siddhi/usercode.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/datetime.h"
#include "utils/datum.h"
#include "utils/hsearch.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"
#include "pgtime.h"

#define UNIX_EPOCH_USECS \
	((int64) (POSTGRES_EPOCH_JDATE - UNIX_EPOCH_JDATE) * USECS_PER_DAY)

/* One (granularity, bucket, group)'s partial states in this batch. */
typedef struct IncDelta
{
	char *key;	   /* granularity, bucket, group values as text */
	int gran;	   /* index into the plan's grans / plans */
	Datum *values; /* physical columns; 0 is agg_timestamp */
	bool *nulls;
} IncDelta;

typedef struct IncBucket
{
	uint32 hash; /* hash key: of IncDelta.key */
	List *deltas;
} IncBucket;

struct SiddhiIncremental
{
	SiddhiAggregationPlan *plan;
	Oid owner;
	ExprContext *econtext;
	ExprState *qual;
	ExprState *time;
	int ncols;
	SiddhiIncColumn **cols;
	ExprState **states; /* per column; NULL for count() */
	Oid *argtypes;		/* per AGG column: its argument's type */
	int *phys;			/* per column: its first physical column */
	int nphys;			/* including agg_timestamp */
	int16 *typlen;
	bool *typbyval;
	char *typalign;
	SPIPlanPtr *bulk_plans; /* per granularity, when bulk upserts apply */
	FmgrInfo *out; /* per column: output function (GROUP; the argument's
					* for distinctCount) */
	int ngrans;
	int *grans;
	SPIPlanPtr *plans;
	SPIPlanPtr *purges;	   /* DELETE .. WHERE agg_timestamp < $1, or NULL */
	int64 next_purge;	   /* when to purge next (ms); 0: at the next flush */
	int64 latest;		   /* playback: the latest event time seen */
	pg_tz *tz;			   /* hour .. year buckets' zone; NULL: UTC */
	int64 *cache_start;	   /* per granularity: the last bucket found, */
	int64 *cache_lo;	   /* and a span [lo, hi) of times all in it */
	int64 *cache_hi;	   /* (empty at first) */
	SiddhiErrorLog errlog; /* its errors' log lines, rate limited */
	MemoryContext delta_cxt;
	HTAB *deltas;
	List *order; /* of IncDelta *, in creation order */
	int ndeltas; /* length of order */
	StringInfoData keybuf;
};

static List *all_incrementals = NIL; /* in TopMemoryContext */

static void flush_one(SiddhiIncremental *inc, bool allow_purge);

/*
 * Deltas kept before they are written, even within a batch: a COPY of
 * millions of events is one batch, and its deltas would otherwise all be
 * in memory at once.  Writing early is as safe as at the end (the same
 * transaction); only fewer events merge into each delta.
 */
#define SIDDHI_INC_MAX_DELTAS 100000

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
static int64
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

static void
reset_deltas(SiddhiIncremental *inc)
{
	HASHCTL ctl;

	MemoryContextReset(inc->delta_cxt);
	ctl.keysize = sizeof(uint32);
	ctl.entrysize = sizeof(IncBucket);
	ctl.hcxt = inc->delta_cxt;
	inc->deltas = hash_create("siddhi aggregation deltas", 4096, &ctl,
							  HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
	inc->order = NIL;
	inc->ndeltas = 0;
}

SiddhiIncremental *
siddhi_incremental_start(SiddhiAggregationPlan *ap, Oid owner,
						 MemoryContext cxt)
{
	MemoryContext old = MemoryContextSwitchTo(cxt);
	SiddhiIncremental *inc = palloc0(sizeof(SiddhiIncremental));
	ListCell *lc;
	int i = 0;
	int p = 1;

	inc->plan = ap;
	inc->owner = owner;
	inc->econtext = CreateStandaloneExprContext();
	if (ap->qual)
		inc->qual = ExecInitQual(ap->qual, NULL);
	if (ap->time_expr)
		inc->time = ExecInitExpr(ap->time_expr, NULL);
	inc->ncols = list_length(ap->columns);
	inc->cols = palloc0(sizeof(SiddhiIncColumn *) * inc->ncols);
	inc->states = palloc0(sizeof(ExprState *) * inc->ncols);
	inc->argtypes = palloc0(sizeof(Oid) * inc->ncols);
	inc->phys = palloc0(sizeof(int) * inc->ncols);
	inc->out = palloc0(sizeof(FmgrInfo) * inc->ncols);
	foreach(lc, ap->columns)
	{
		SiddhiIncColumn *c = lfirst(lc);

		inc->cols[i] = c;
		if (c->expr)
		{
			inc->states[i] = ExecInitExpr(c->expr, NULL);
			inc->argtypes[i] = exprType((Node *) c->expr);
		}
		if (c->kind == SIDDHI_INC_GROUP ||
			(c->kind == SIDDHI_INC_AGG && c->agg == SIDDHI_AGG_DISTINCT_COUNT))
		{
			Oid fn;
			bool varlena;

			getTypeOutputInfo(c->kind == SIDDHI_INC_GROUP ? c->type
														  : inc->argtypes[i],
							  &fn, &varlena);
			fmgr_info_cxt(fn, &inc->out[i], cxt);
		}
		inc->phys[i] = p;
		p += (c->kind == SIDDHI_INC_AGG && c->agg == SIDDHI_AGG_AVG) ? 2 : 1;
		i++;
	}
	inc->nphys = p;
	inc->typlen = palloc0(sizeof(int16) * p);
	inc->typbyval = palloc0(sizeof(bool) * p);
	inc->typalign = palloc0(sizeof(char) * p);
	i = 0;
	foreach(lc, ap->param_types)
	{
		get_typlenbyvalalign(lfirst_oid(lc), &inc->typlen[i],
							 &inc->typbyval[i], &inc->typalign[i]);
		i++;
	}
	inc->ngrans = list_length(ap->grans);
	inc->grans = palloc0(sizeof(int) * inc->ngrans);
	inc->plans = palloc0(sizeof(SPIPlanPtr) * inc->ngrans);
	inc->purges = palloc0(sizeof(SPIPlanPtr) * inc->ngrans);
	inc->bulk_plans = palloc0(sizeof(SPIPlanPtr) * inc->ngrans);
	inc->latest = PG_INT64_MIN;
	inc->cache_start = palloc0(sizeof(int64) * inc->ngrans);
	inc->cache_lo = palloc0(sizeof(int64) * inc->ngrans);
	inc->cache_hi = palloc0(sizeof(int64) * inc->ngrans);
	if (ap->timezone)
	{
		inc->tz = pg_tzset(ap->timezone);
		if (inc->tz == NULL)
			ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
							errmsg("time zone \"%s\" is not recognized",
								   ap->timezone)));
	}
	i = 0;
	foreach(lc, ap->grans)
		inc->grans[i++] = lfirst_int(lc);
	inc->delta_cxt = AllocSetContextCreate(cxt, "siddhi aggregation deltas",
										   ALLOCSET_DEFAULT_SIZES);
	initStringInfo(&inc->keybuf);
	reset_deltas(inc);
	MemoryContextSwitchTo(TopMemoryContext);
	all_incrementals = lappend(all_incrementals, inc);
	MemoryContextSwitchTo(old);
	return inc;
}

const char *
siddhi_incremental_name(SiddhiIncremental *inc)
{
	return inc->plan->name;
}

Oid
siddhi_incremental_owner(SiddhiIncremental *inc)
{
	return inc->owner;
}

Oid
siddhi_incremental_input(SiddhiIncremental *inc)
{
	return inc->plan->input->relid;
}

void
siddhi_incremental_error(SiddhiIncremental *inc, ErrorData *edata,
						 const char *cost)
{
	int64 unlogged;

	if (siddhi_error_log_due(&inc->errlog, &unlogged))
		ereport(LOG, (errcode(ERRCODE_SIDDHI_RUNTIME_ERROR),
					  errmsg("siddhi aggregation \"%s\": %s (%s)",
							 inc->plan->name, edata->message, cost),
					  siddhi_errdetail_unlogged(unlogged)));
	FreeErrorData(edata);
}

void
siddhi_incremental_stop(SiddhiIncremental *inc)
{
	all_incrementals = list_delete_ptr(all_incrementals, inc);
	for (int g = 0; g < inc->ngrans; g++)
	{
		if (inc->plans[g])
			SPI_freeplan(inc->plans[g]);
		if (inc->purges[g])
			SPI_freeplan(inc->purges[g]);
		if (inc->bulk_plans[g])
			SPI_freeplan(inc->bulk_plans[g]);
	}
	/* the rest lives in the app's context */
}

static int64
datum_int64(Datum d, Oid type)
{
	switch (type)
	{
		case INT2OID:
			return DatumGetInt16(d);
		case INT4OID:
			return DatumGetInt32(d);
		default:
			return DatumGetInt64(d);
	}
}

static double
datum_float8(Datum d, Oid type)
{
	switch (type)
	{
		case FLOAT4OID:
			return DatumGetFloat4(d);
		case FLOAT8OID:
			return DatumGetFloat8(d);
		default:
			return (double) datum_int64(d, type);
	}
}

/* The event's time in ms: from aggregate by, else the event's. */
static int64
event_time(SiddhiIncremental *inc, int64 ts, bool *isnull)
{
	Datum d;

	*isnull = false;
	if (inc->time == NULL)
		return ts;
	d = ExecEvalExprSwitchContext(inc->time, inc->econtext, isnull);
	if (*isnull)
		return 0;
	switch (inc->plan->time_type)
	{
		case INT4OID:
			return DatumGetInt32(d);
		case INT8OID:
			return DatumGetInt64(d);
		default:
		{
			int64 us = DatumGetTimestamp(d) + UNIX_EPOCH_USECS;
			int64 ms = us / 1000;

			if (us < 0 && ms * 1000 != us)
				ms--;
			return ms;
		}
	}
}

/* Fold column c's value of this event into delta d. */
static void
delta_add(SiddhiIncremental *inc, IncDelta *d, int c, Datum v, bool isnull)
{
	SiddhiIncColumn *col = inc->cols[c];
	int p = inc->phys[c];
	Oid at = inc->argtypes[c];

	switch (col->kind)
	{
		case SIDDHI_INC_GROUP:
			break; /* set when the delta was made */
		case SIDDHI_INC_LAST:
			if (!d->nulls[p] && !inc->typbyval[p])
				pfree(DatumGetPointer(d->values[p]));
			d->nulls[p] = isnull;
			d->values[p] =
				isnull ? (Datum) 0
					   : datumCopy(v, inc->typbyval[p], inc->typlen[p]);
			break;
		case SIDDHI_INC_AGG:
			if (col->agg == SIDDHI_AGG_COUNT)
			{
				if (inc->states[c] == NULL || !isnull)
					d->values[p] =
						Int64GetDatum(DatumGetInt64(d->values[p]) + 1);
				break;
			}
			if (isnull)
				break;
			if (col->agg == SIDDHI_AGG_DISTINCT_COUNT)
			{
				SiddhiDistinctSketch *s =
					(SiddhiDistinctSketch *) DatumGetPointer(d->values[p]);
				char *text = OutputFunctionCall(&inc->out[c], v);

				siddhi_distinct_add(s,
									siddhi_distinct_hash(text, strlen(text)));
				pfree(text);
				d->nulls[p] = false;
			}
			else if (col->agg == SIDDHI_AGG_AVG)
			{
				double x = datum_float8(v, at);

				d->values[p] = Float8GetDatum(
					d->nulls[p] ? x : DatumGetFloat8(d->values[p]) + x);
				d->nulls[p] = false;
				d->values[p + 1] =
					Int64GetDatum(DatumGetInt64(d->values[p + 1]) + 1);
			}
			else if (col->is_float)
			{
				double x = datum_float8(v, at);
				double old = d->nulls[p] ? 0 : DatumGetFloat8(d->values[p]);

				if (!d->nulls[p] && col->agg == SIDDHI_AGG_SUM)
					x += old;
				else if (!d->nulls[p] && col->agg == SIDDHI_AGG_MIN)
					x = Min(x, old);
				else if (!d->nulls[p] && col->agg == SIDDHI_AGG_MAX)
					x = Max(x, old);
				d->values[p] = Float8GetDatum(x);
				d->nulls[p] = false;
			}
			else
			{
				int64 x = datum_int64(v, at);
				int64 old = d->nulls[p] ? 0 : DatumGetInt64(d->values[p]);

				if (!d->nulls[p] && col->agg == SIDDHI_AGG_SUM)
				{
					if (pg_add_s64_overflow(old, x, &x))
						ereport(ERROR,
								(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
								 errmsg("sum \"%s\" is out of range for "
										"bigint",
										col->name)));
				}
				else if (!d->nulls[p] && col->agg == SIDDHI_AGG_MIN)
					x = Min(x, old);
				else if (!d->nulls[p] && col->agg == SIDDHI_AGG_MAX)
					x = Max(x, old);
				d->values[p] = Int64GetDatum(x);
				d->nulls[p] = false;
			}
			break;
	}
}

void
siddhi_incremental_feed(SiddhiIncremental *inc, TupleTableSlot *slot, int64 ts)
{
	ExprContext *econtext = inc->econtext;
	MemoryContext old;
	Datum *values;
	bool *nulls;
	bool isnull;
	int64 t;
	int grouplen;

	if (ts > inc->latest)
		inc->latest = ts;
	econtext->ecxt_scantuple = slot;
	if (inc->qual && !ExecQual(inc->qual, econtext))
	{
		ResetExprContext(econtext);
		return;
	}
	t = event_time(inc, ts, &isnull);
	if (isnull)
	{
		/* Siddhi cannot place such an event either: skip it */
		ResetExprContext(econtext);
		return;
	}

	values = palloc(sizeof(Datum) * inc->ncols);
	nulls = palloc(sizeof(bool) * inc->ncols);
	resetStringInfo(&inc->keybuf);
	appendStringInfoString(&inc->keybuf, "                    ");
	for (int c = 0; c < inc->ncols; c++)
	{
		if (inc->states[c] == NULL)
		{
			values[c] = (Datum) 0;
			nulls[c] = true;
			continue;
		}
		values[c] =
			ExecEvalExprSwitchContext(inc->states[c], econtext, &nulls[c]);
		if (inc->cols[c]->kind == SIDDHI_INC_GROUP)
		{
			if (nulls[c])
				appendStringInfoString(&inc->keybuf, "\x1e");
			else
			{
				char *s = OutputFunctionCall(&inc->out[c], values[c]);

				appendStringInfo(&inc->keybuf, "%s\x1f", s);
			}
		}
	}
	grouplen = inc->keybuf.len;

	old = MemoryContextSwitchTo(inc->delta_cxt);
	for (int g = 0; g < inc->ngrans; g++)
	{
		int64 bucket = inc_bucket(inc, g, t);
		char head[21];
		uint32 h;
		bool found;
		IncBucket *b;
		IncDelta *d = NULL;
		ListCell *lc;

		/* the key's head is "<g> <bucket>", padded to 20 bytes */
		snprintf(head, sizeof(head), "%d %-18lld", g, (long long) bucket);
		memcpy(inc->keybuf.data, head, 20);
		Assert(inc->keybuf.len == grouplen);
		h = hash_bytes((unsigned char *) inc->keybuf.data, grouplen);
		b = hash_search(inc->deltas, &h, HASH_ENTER, &found);
		if (!found)
			b->deltas = NIL;
		foreach(lc, b->deltas)
		{
			IncDelta *cand = lfirst(lc);

			if (strcmp(cand->key, inc->keybuf.data) == 0)
			{
				d = cand;
				break;
			}
		}
		if (d == NULL)
		{
			d = palloc0(sizeof(IncDelta));
			d->key = pstrdup(inc->keybuf.data);
			d->gran = g;
			d->values = palloc0(sizeof(Datum) * inc->nphys);
			d->nulls = palloc(sizeof(bool) * inc->nphys);
			d->values[0] = Int64GetDatum(bucket);
			d->nulls[0] = false;
			for (int c = 0; c < inc->ncols; c++)
			{
				SiddhiIncColumn *col = inc->cols[c];
				int p = inc->phys[c];

				d->nulls[p] = true;
				if (col->kind == SIDDHI_INC_GROUP)
				{
					d->nulls[p] = nulls[c];
					if (!nulls[c])
						d->values[p] = datumCopy(values[c], inc->typbyval[p],
												 inc->typlen[p]);
				}
				else if (col->kind == SIDDHI_INC_AGG &&
						 col->agg == SIDDHI_AGG_COUNT)
				{
					d->nulls[p] = false;
					d->values[p] = Int64GetDatum(0);
				}
				else if (col->kind == SIDDHI_INC_AGG &&
						 col->agg == SIDDHI_AGG_DISTINCT_COUNT)
					d->values[p] =
						PointerGetDatum(palloc0(sizeof(SiddhiDistinctSketch)));
				else if (col->kind == SIDDHI_INC_AGG &&
						 col->agg == SIDDHI_AGG_AVG)
				{
					d->nulls[p + 1] = false;
					d->values[p + 1] = Int64GetDatum(0);
				}
			}
			b->deltas = lappend(b->deltas, d);
			inc->order = lappend(inc->order, d);
			inc->ndeltas++;
		}
		for (int c = 0; c < inc->ncols; c++)
			delta_add(inc, d, c, values[c], nulls[c]);
	}
	MemoryContextSwitchTo(old);
	ResetExprContext(econtext);

	/* a large batch writes as it goes: memory stays bounded */
	if (inc->ndeltas >= SIDDHI_INC_MAX_DELTAS)
		flush_one(inc, false);
}

/* Deltas per bulk upsert: bounds the arrays built for one statement. */
#define BULK_ROWS 10000

/*
 * Upsert the n deltas of granularity g in one statement: one array per
 * column, unnested into rows.  The caller has connected to SPI.
 */
static void
bulk_upsert(SiddhiIncremental *inc, int g, IncDelta **deltas, int n)
{
	Datum *args = palloc(sizeof(Datum) * inc->nphys);
	Datum *elems = palloc(sizeof(Datum) * n);
	bool *enulls = palloc(sizeof(bool) * n);
	int dims[1] = { n };
	int lbs[1] = { 1 };
	int rc;

	if (inc->bulk_plans[g] == NULL)
	{
		Oid *types = palloc(sizeof(Oid) * inc->nphys);
		ListCell *t;
		int i = 0;
		SPIPlanPtr plan;

		foreach(t, inc->plan->bulk_param_types)
			types[i++] = lfirst_oid(t);
		plan = SPI_prepare(list_nth(inc->plan->bulk_upserts, g), inc->nphys,
						   types);
		if (plan == NULL)
			ereport(
				ERROR, errcode(ERRCODE_SIDDHI_RUNTIME_ERROR),
				errmsg(
					"could not prepare the upsert of aggregation \"%s\": %s",
					inc->plan->name, SPI_result_code_string(SPI_result)));
		SPI_keepplan(plan);
		inc->bulk_plans[g] = plan;
	}
	for (int p = 0; p < inc->nphys; p++)
	{
		for (int i = 0; i < n; i++)
		{
			elems[i] = deltas[i]->values[p];
			enulls[i] = deltas[i]->nulls[p];
		}
		args[p] = PointerGetDatum(construct_md_array(
			elems, enulls, 1, dims, lbs,
			list_nth_oid(inc->plan->param_types, p), inc->typlen[p],
			inc->typbyval[p], inc->typalign[p]));
	}
	rc = SPI_execute_plan(inc->bulk_plans[g], args, NULL, false, 0);
	if (rc != SPI_OK_INSERT)
		ereport(ERROR, errcode(ERRCODE_SIDDHI_RUNTIME_ERROR),
				errmsg("upsert into aggregation \"%s\" failed: %s",
					   inc->plan->name, SPI_result_code_string(rc)));
	for (int p = 0; p < inc->nphys; p++)
		pfree(DatumGetPointer(args[p]));
	pfree(args);
	pfree(elems);
	pfree(enulls);
}

/*
 * Whether retention has already passed for a delta's bucket: the next
 * purge would delete its row, so it is not written (a backfill of old
 * events then writes no sec and min rows only to delete them again).
 * now is the clock purges use.
 */
static bool
delta_expired(SiddhiIncremental *inc, IncDelta *d, int64 now)
{
	int64 retention = inc->plan->retention[inc->grans[d->gran]];

	if (!inc->plan->purge || retention < 0 || now == PG_INT64_MIN ||
		d->nulls[0])
		return false;
	return DatumGetInt64(d->values[0]) < now - retention;
}

static int64
purge_clock(SiddhiIncremental *inc)
{
	return inc->plan->playback ? inc->latest : siddhi_now_ms();
}

/* Upsert the deltas granularity by granularity, in bulk statements. */
static void
incremental_flush_bulk(SiddhiIncremental *inc)
{
	int64 now = purge_clock(inc);

	{
		IncDelta **batch = palloc(sizeof(IncDelta *) * BULK_ROWS);

		for (int g = 0; g < inc->ngrans; g++)
		{
			ListCell *lc;
			int n = 0;

			foreach(lc, inc->order)
			{
				IncDelta *d = lfirst(lc);

				if (d->gran != g || delta_expired(inc, d, now))
					continue;
				batch[n++] = d;
				if (n == BULK_ROWS)
				{
					bulk_upsert(inc, g, batch, n);
					n = 0;
				}
			}
			if (n > 0)
				bulk_upsert(inc, g, batch, n);
		}
		pfree(batch);
		reset_deltas(inc);
	}
}

/* Upsert the deltas one statement each. */
static void
incremental_flush_rows(SiddhiIncremental *inc)
{
	char *nulls = palloc(inc->nphys);
	Datum *values = palloc(sizeof(Datum) * inc->nphys);
	int64 now = purge_clock(inc);
	ListCell *lc;

	foreach(lc, inc->order)
	{
		IncDelta *d = lfirst(lc);
		int rc;

		if (delta_expired(inc, d, now))
			continue;

		if (inc->plans[d->gran] == NULL)
		{
			SPIPlanPtr plan;
			Oid *types = palloc(sizeof(Oid) * inc->nphys);
			ListCell *t;
			int i = 0;

			foreach(t, inc->plan->param_types)
				types[i++] = lfirst_oid(t);
			plan = SPI_prepare(list_nth(inc->plan->upserts, d->gran),
							   inc->nphys, types);
			if (plan == NULL)
				ereport(ERROR, errcode(ERRCODE_SIDDHI_RUNTIME_ERROR),
						errmsg("could not prepare the upsert of aggregation "
							   "\"%s\": %s",
							   inc->plan->name,
							   SPI_result_code_string(SPI_result)));
			SPI_keepplan(plan);
			inc->plans[d->gran] = plan;
		}
		for (int p = 0; p < inc->nphys; p++)
		{
			nulls[p] = d->nulls[p] ? 'n' : ' ';
			values[p] = d->values[p];
		}
		/* distinctCount: the sketch goes as an int8[] of stored hashes */
		for (int c = 0; c < inc->ncols; c++)
			if (inc->cols[c]->kind == SIDDHI_INC_AGG &&
				inc->cols[c]->agg == SIDDHI_AGG_DISTINCT_COUNT &&
				!d->nulls[inc->phys[c]])
			{
				SiddhiDistinctSketch *s =
					(SiddhiDistinctSketch *) DatumGetPointer(
						d->values[inc->phys[c]]);
				Datum *elems = palloc(sizeof(Datum) * s->n);

				for (int k = 0; k < s->n; k++)
					elems[k] =
						Int64GetDatum(SIDDHI_DISTINCT_TO_STORED(s->h[k]));
				values[inc->phys[c]] = PointerGetDatum(
					construct_array(elems, s->n, INT8OID, 8, FLOAT8PASSBYVAL,
									TYPALIGN_DOUBLE));
			}
		rc = SPI_execute_plan(inc->plans[d->gran], values, nulls, false, 0);
		if (rc != SPI_OK_INSERT)
			ereport(ERROR, errcode(ERRCODE_SIDDHI_RUNTIME_ERROR),
					errmsg("upsert into aggregation \"%s\" failed: %s",
						   inc->plan->name, SPI_result_code_string(rc)));
	}
	pfree(nulls);
	pfree(values);
	reset_deltas(inc);
}

/* Upsert one aggregation's deltas; the caller has connected to SPI. */
static void
incremental_flush(SiddhiIncremental *inc)
{
	if (inc->plan->bulk_param_types != NIL)
		incremental_flush_bulk(inc);
	else
		incremental_flush_rows(inc);
}

/*
 * Retention: delete the rows of each granularity older than now minus its
 * retention, at most once per purge interval.  now is the wall clock, or
 * in playback the latest event time (the app's clock).  The caller has
 * connected to SPI.
 */
static void
incremental_purge(SiddhiIncremental *inc, int64 now)
{
	SiddhiAggregationPlan *ap = inc->plan;

	for (int i = 0; i < inc->ngrans; i++)
	{
		int g = inc->grans[i];
		Datum arg[1];
		int rc;

		if (ap->retention[g] < 0)
			continue;
		if (inc->purges[i] == NULL)
		{
			SiddhiRelation *r = list_nth(ap->tables, i);
			Oid type = INT8OID;
			char *sql =
				psprintf("DELETE FROM %s WHERE agg_timestamp < $1",
						 quote_qualified_identifier(r->nspname, r->name));
			SPIPlanPtr plan = SPI_prepare(sql, 1, &type);

			if (plan == NULL)
				ereport(ERROR, errcode(ERRCODE_SIDDHI_RUNTIME_ERROR),
						errmsg("could not prepare the purge of \"%s\": %s",
							   r->name, SPI_result_code_string(SPI_result)));
			SPI_keepplan(plan);
			inc->purges[i] = plan;
		}
		arg[0] = Int64GetDatum(now - ap->retention[g]);
		rc = SPI_execute_plan(inc->purges[i], arg, NULL, false, 0);
		if (rc != SPI_OK_DELETE)
			ereport(ERROR, errcode(ERRCODE_SIDDHI_RUNTIME_ERROR),
					errmsg("purge of aggregation \"%s\" failed: %s", ap->name,
						   SPI_result_code_string(rc)));
	}
	inc->next_purge = now + ap->purge_interval;
}

/*
 * Write one aggregation's deltas (and purge when due and allowed), in a
 * subtransaction of its own, as the app's owner.  One that fails (its
 * table dropped, a privilege revoked, a sum out of range) loses that
 * batch's changes of that aggregation, logged, and nothing else; one that
 * succeeds is kept whatever fails after it in the batch (batch.c).
 */
static void
flush_one(SiddhiIncremental *inc, bool allow_purge)
{
	MemoryContext mcxt = CurrentMemoryContext;
	ResourceOwner owner = CurrentResourceOwner;
	Oid save_user;
	int save_sec;
	int frame;
	int64 now = purge_clock(inc);
	bool purge = allow_purge && inc->plan->purge && now >= inc->next_purge &&
				 now != PG_INT64_MIN;

	if (inc->order == NIL && !purge)
		return;
	GetUserIdAndSecContext(&save_user, &save_sec);
	BeginInternalSubTransaction(NULL);
	/* the app's owner writes its aggregation, with its rights (usercode.c) */
	frame = siddhi_usercode_enter(inc->owner);
	PG_TRY();
	{
		/* our own statements: pg_catalog's operators, whatever ran before */
		int pin = siddhi_pin_begin();

		SPI_connect();
		/* the engine's own writes of protected tables (readonly.c) */
		siddhi_engine_writes_begin();
		incremental_flush(inc);
		if (purge)
			incremental_purge(inc, now);
		siddhi_engine_writes_end();
		SPI_finish();
		siddhi_pin_end(pin, true);
		siddhi_usercode_leave(frame, true);
		ReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(mcxt);
		CurrentResourceOwner = owner;
		siddhi_batch_isolate();
	}
	PG_CATCH();
	{
		ErrorData *edata;

		siddhi_usercode_leave(frame, false);
		MemoryContextSwitchTo(mcxt);
		edata = CopyErrorData();
		FlushErrorState();
		siddhi_engine_writes_reset();
		RollbackAndReleaseCurrentSubTransaction();
		SetUserIdAndSecContext(save_user, save_sec);
		MemoryContextSwitchTo(mcxt);
		CurrentResourceOwner = owner;
		siddhi_incremental_error(inc, edata,
								 "the changes of a batch were lost");
		reset_deltas(inc);
		if (purge)
			inc->next_purge = now + inc->plan->purge_interval;
	}
	PG_END_TRY();
	MemoryContextSwitchTo(mcxt);
	CurrentResourceOwner = owner;
}

void
siddhi_incremental_flush_all(void)
{
	ListCell *lc;

	foreach(lc, all_incrementals)
		flush_one(lfirst(lc), true);
}
