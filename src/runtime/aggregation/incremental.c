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
 * the stored bucket (sum + sum, least(min, min), ...), or a plain INSERT
 * when the bucket is new, in the batch's transaction, and the deltas are
 * dropped.  The rows of one granularity go
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
 * batch (about 200 bytes with a few aggregates, plus up to 8 KB per
 * distinctCount sketch), at most siddhi.aggregation_max_buckets of them
 * (at the limit a batch writes its closed buckets as it goes, see
 * incremental_flush.c), in a context reset after every full flush.  An
 * event finds its group once (IncGroup, by its group values), and
 * in it the latest bucket of each granularity; a bucket older than that
 * is in the group's list of older ones.  The writes run as the app's
 * owner, through SPI plans prepared once per app; a bucket after all
 * those the runtime wrote is inserted without ON CONFLICT
 * (incremental_flush.c, insert_new).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "incremental_int.h"
#include "common/hashfn.h"
#include "common/int.h"
#include "executor/executor.h"
#include "nodes/nodeFuncs.h"
#include "siddhi/clock.h"
#include "siddhi/datum_num.h"
#include "siddhi/ddsketch.h"
#include "siddhi/distinct_sketch.h"
#include "siddhi/errors.h"
#include "utils/datetime.h"
#include "utils/datum.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"


List *inc_all_incrementals = NIL;
int siddhi_aggregation_max_buckets = 400000;

void
inc_reset_deltas(SiddhiIncremental *inc)
{
	HASHCTL ctl;

	MemoryContextReset(inc->delta_cxt);
	/* a delta, its values and nulls in one piece of a fixed size */
	inc->delta_size = MAXALIGN(MAXALIGN(sizeof(IncDelta)) +
							   sizeof(Datum) * inc->nphys + inc->nphys);
	inc->free_deltas = NULL;
	ctl.keysize = sizeof(uint32);
	ctl.entrysize = sizeof(IncSlot);
	ctl.hcxt = inc->delta_cxt;
	inc->groups = hash_create("siddhi aggregation groups", 1024, &ctl,
							  HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
	for (int g = 0; g < inc->ngrans; g++)
	{
		dlist_init(&inc->bygran[g]);
		inc->held[g] = 0;
	}
	inc->ndeltas = 0;
}

/* Free one delta and what it owns (all in delta_cxt), and its group with
 * its last delta. */
void
inc_delta_free(SiddhiIncremental *inc, IncDelta *d)
{
	IncGroup *grp = d->group;

	dlist_delete(&d->onode);
	inc->ndeltas--;
	inc->held[d->gran]--;
	if (grp->latest[d->gran] != d)
		dlist_delete(&d->gnode); /* one of the older ones */
	else
	{
		/*
		 * the latest written while older ones stay (a make-room writes the
		 * newest first): the newest of those is the latest now, so that
		 * an event of its bucket or of one between finds it, and no
		 * bucket gets two deltas
		 */
		dlist_head *older = &grp->older[d->gran];

		grp->latest[d->gran] = NULL;
		if (!dlist_is_empty(older))
		{
			grp->latest[d->gran] =
				dlist_container(IncDelta, gnode, dlist_pop_head_node(older));
		}
	}
	for (int c = 0; c < inc->ncols; c++)
	{
		SiddhiIncColumn *col = inc->cols[c];
		int p = inc->phys[c];

		if (col->kind == SIDDHI_INC_AGG && SIDDHI_AGG_IS_PERCENTILE(col->agg))
			siddhi_ddsketch_free(
				(SiddhiDDSketch *) DatumGetPointer(d->values[p]));
		else if (col->kind == SIDDHI_INC_AGG &&
				 col->agg == SIDDHI_AGG_DISTINCT_COUNT)
			pfree(DatumGetPointer(d->values[p]));
		else if (col->kind == SIDDHI_INC_LAST && !d->nulls[p] &&
				 !inc->typbyval[p])
			pfree(DatumGetPointer(d->values[p]));
	}
	/* onto the free list, first to be taken again: its memory is warm */
	*(void **) d = inc->free_deltas;
	inc->free_deltas = d;
	if (--grp->nheld == 0)
	{
		IncSlot *slot = hash_search(inc->groups, &grp->hash, HASH_FIND, NULL);
		IncGroup **pp = &slot->first;

		while (*pp != grp)
			pp = &(*pp)->next;
		*pp = grp->next;
		if (slot->first == NULL)
			hash_search(inc->groups, &grp->hash, HASH_REMOVE, NULL);
		for (int c = 0; c < inc->ncols; c++)
			if (inc->cols[c]->kind == SIDDHI_INC_GROUP && !grp->nulls[c] &&
				!inc->typbyval[inc->phys[c]])
				pfree(DatumGetPointer(grp->values[c]));
		pfree(grp->values);
		pfree(grp->nulls);
		pfree(grp->latest);
		pfree(grp->older);
		pfree(grp->wrote_lo);
		pfree(grp->wrote_hi);
		pfree(grp);
	}
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
	inc->bygran = palloc(sizeof(dlist_head) * inc->ngrans);
	inc->held = palloc0(sizeof(int) * inc->ngrans);
	inc->ev_values = palloc0(sizeof(Datum) * inc->ncols);
	inc->ev_nulls = palloc0(sizeof(bool) * inc->ncols);
	inc->insert_plans = palloc0(sizeof(SPIPlanPtr) * inc->ngrans);
	inc->written_max = palloc(sizeof(int64) * inc->ngrans);
	inc->conflicts = palloc0(sizeof(int) * inc->ngrans);
	inc->written_min = palloc(sizeof(int64) * inc->ngrans);
	for (int g = 0; g < inc->ngrans; g++)
	{
		inc->written_max[g] = PG_INT64_MIN;
		inc->written_min[g] = PG_INT64_MAX;
	}
	inc->latest = PG_INT64_MIN;
	inc->max_time = PG_INT64_MIN;
	/*
	 * Siddhi's first purge runs one purge interval after the app starts
	 * (on the wall clock; in playback, from the first event time: see
	 * inc_flush_one)
	 */
	inc->next_purge = ap->playback ? 0 : siddhi_now_ms() + ap->purge_interval;
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
	/* retention -1 (all) is the longest; equal ones coarsest first */
	inc->by_retention = palloc(sizeof(int) * inc->ngrans);
	for (int g = 0; g < inc->ngrans; g++)
	{
		int k = g;
		int64 rg = ap->retention[inc->grans[g]];

		if (rg < 0)
			rg = PG_INT64_MAX;
		while (k > 0)
		{
			int64 rk = ap->retention[inc->grans[inc->by_retention[k - 1]]];

			if (rk < 0)
				rk = PG_INT64_MAX;
			if (rk > rg)
				break;
			inc->by_retention[k] = inc->by_retention[k - 1];
			k--;
		}
		inc->by_retention[k] = g;
	}
	inc->delta_cxt = AllocSetContextCreate(cxt, "siddhi aggregation deltas",
										   ALLOCSET_DEFAULT_SIZES);
	initStringInfo(&inc->keybuf);
	inc_reset_deltas(inc);
	MemoryContextSwitchTo(TopMemoryContext);
	inc_all_incrementals = lappend(inc_all_incrementals, inc);
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
	inc_all_incrementals = list_delete_ptr(inc_all_incrementals, inc);
	for (int g = 0; g < inc->ngrans; g++)
	{
		if (inc->plans[g])
			SPI_freeplan(inc->plans[g]);
		if (inc->purges[g])
			SPI_freeplan(inc->purges[g]);
		if (inc->bulk_plans[g])
			SPI_freeplan(inc->bulk_plans[g]);
		if (inc->insert_plans[g])
			SPI_freeplan(inc->insert_plans[g]);
	}
	/* the rest lives in the app's context */
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
			else if (SIDDHI_AGG_IS_PERCENTILE(col->agg))
			{
				/* a DDSketch of the bucket's values (src/common/ddsketch.c) */
				siddhi_ddsketch_add(
					(SiddhiDDSketch *) DatumGetPointer(d->values[p]),
					siddhi_datum_double(v, at));
				d->nulls[p] = false;
			}
			else if (col->agg == SIDDHI_AGG_AVG)
			{
				double x = siddhi_datum_double(v, at);

				d->values[p] = Float8GetDatum(
					d->nulls[p] ? x : DatumGetFloat8(d->values[p]) + x);
				d->nulls[p] = false;
				d->values[p + 1] =
					Int64GetDatum(DatumGetInt64(d->values[p + 1]) + 1);
			}
			else if (col->is_float)
			{
				double x = siddhi_datum_double(v, at);
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
				int64 x = siddhi_datum_int64(v, at);
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

/*
 * Append group column c's value to the event's key: a tag, and for a
 * value its length and bytes (its text, as its type's output function
 * writes it; a text value as it is), so that no two different lists of
 * values give one key.
 */
static void
key_append(SiddhiIncremental *inc, int c, Datum value, bool isnull)
{
	const char *s;
	int len;

	if (isnull)
	{
		appendStringInfoChar(&inc->keybuf, 'N');
		return;
	}
	if (inc->cols[c]->type == TEXTOID)
	{
		text *t = DatumGetTextPP(value);

		s = VARDATA_ANY(t);
		len = VARSIZE_ANY_EXHDR(t);
	}
	else
	{
		s = OutputFunctionCall(&inc->out[c], value);
		len = strlen(s);
	}
	appendStringInfoChar(&inc->keybuf, 'V');
	appendBinaryStringInfo(&inc->keybuf, (const char *) &len, sizeof(len));
	appendBinaryStringInfo(&inc->keybuf, s, len);
}

/*
 * The group of this key (of len bytes), made if new with this event's
 * values; in delta_cxt.
 */
static IncGroup *
find_group(SiddhiIncremental *inc, const char *key, int len, Datum *values,
		   bool *nulls)
{
	uint32 h = hash_bytes((const unsigned char *) key, len);
	bool found;
	IncSlot *slot = hash_search(inc->groups, &h, HASH_ENTER, &found);
	IncGroup *grp;

	if (!found)
		slot->first = NULL;
	for (grp = slot->first; grp != NULL; grp = grp->next)
		if (grp->keylen == len && memcmp(grp->key, key, len) == 0)
			return grp;
	grp = palloc(offsetof(IncGroup, key) + len);
	memcpy(grp->key, key, len);
	grp->keylen = len;
	grp->hash = h;
	grp->nheld = 0;
	grp->latest = palloc0(sizeof(IncDelta *) * inc->ngrans);
	grp->older = palloc(sizeof(dlist_head) * inc->ngrans);
	grp->wrote_lo = palloc(sizeof(int64) * inc->ngrans);
	grp->wrote_hi = palloc(sizeof(int64) * inc->ngrans);
	for (int g = 0; g < inc->ngrans; g++)
	{
		dlist_init(&grp->older[g]);
		/* what any group of its key wrote before it was made */
		grp->wrote_lo[g] = inc->written_min[g];
		grp->wrote_hi[g] = inc->written_max[g];
	}
	grp->values = palloc0(sizeof(Datum) * inc->ncols);
	grp->nulls = palloc0(sizeof(bool) * inc->ncols);
	for (int c = 0; c < inc->ncols; c++)
		if (inc->cols[c]->kind == SIDDHI_INC_GROUP)
		{
			int p = inc->phys[c];

			grp->nulls[c] = nulls[c];
			if (!nulls[c])
				grp->values[c] =
					datumCopy(values[c], inc->typbyval[p], inc->typlen[p]);
		}
	grp->next = slot->first;
	slot->first = grp;
	return grp;
}

static IncDelta *delta_new(SiddhiIncremental *inc, IncGroup *grp, int g,
						   int64 bucket);

/*
 * Memory for a delta: the one freed last, or one of a new block of them.
 * Deltas come and go by the million in a long feed (each event of a sparse
 * one opens a bucket of its own), and PostgreSQL 15's slab allocator was
 * a tenth of the engine's time choosing its block; the pieces go back to
 * delta_cxt only when it is reset (each full flush), so what is kept
 * between is bounded by the most deltas held at once
 * (siddhi.aggregation_max_buckets, plus a block).
 */
#define DELTAS_PER_BLOCK 64

static IncDelta *
delta_alloc(SiddhiIncremental *inc)
{
	char *block;

	if (inc->free_deltas == NULL)
	{
		block = MemoryContextAlloc(inc->delta_cxt,
								   inc->delta_size * DELTAS_PER_BLOCK);
		for (int i = DELTAS_PER_BLOCK - 1; i >= 0; i--)
		{
			void *piece = block + inc->delta_size * i;

			*(void **) piece = inc->free_deltas;
			inc->free_deltas = piece;
		}
	}
	block = inc->free_deltas;
	inc->free_deltas = *(void **) block;
	/*
	 * the next one's memory is likely out of the cache (freed by a
	 * make-room long ago): fetched now, it is there by the next bucket
	 */
	if (inc->free_deltas != NULL)
		for (Size off = 0; off < inc->delta_size; off += 64)
			__builtin_prefetch((char *) inc->free_deltas + off, 1);
	return (IncDelta *) block;
}

/*
 * An out-of-order event's delta: bucket is before its group's latest in
 * granularity g.  The older list is latest first: walk it to the bucket,
 * or to where a new delta of it goes.
 */
static IncDelta *
older_delta(SiddhiIncremental *inc, IncGroup *grp, int g, int64 bucket)
{
	dlist_iter it;
	IncDelta *d;

	dlist_foreach(it, &grp->older[g])
	{
		IncDelta *o = dlist_container(IncDelta, gnode, it.cur);

		if (o->bucket == bucket)
			return o;
		if (o->bucket < bucket)
		{
			d = delta_new(inc, grp, g, bucket);
			dlist_insert_before(&o->gnode, &d->gnode);
			return d;
		}
	}
	d = delta_new(inc, grp, g, bucket);
	dlist_push_tail(&grp->older[g], &d->gnode);
	return d;
}

/* A new, empty delta of bucket in granularity g for this event's group. */
static IncDelta *
delta_new(SiddhiIncremental *inc, IncGroup *grp, int g, int64 bucket)
{
	IncDelta *d = delta_alloc(inc);

	d->group = grp;
	d->gran = g;
	d->bucket = bucket;
	d->fresh = !inc_maybe_written(inc, grp, g, bucket);
	d->values = (Datum *) ((char *) d + MAXALIGN(sizeof(IncDelta)));
	d->nulls = (bool *) (d->values + inc->nphys);
	memset(d->values, 0, sizeof(Datum) * inc->nphys);
	d->values[0] = Int64GetDatum(bucket);
	d->nulls[0] = false;
	for (int c = 0; c < inc->ncols; c++)
	{
		SiddhiIncColumn *col = inc->cols[c];
		int p = inc->phys[c];

		d->nulls[p] = true;
		if (col->kind == SIDDHI_INC_GROUP)
		{
			/* the group's copy: the same for all its deltas */
			d->nulls[p] = grp->nulls[c];
			d->values[p] = grp->values[c];
		}
		else if (col->kind == SIDDHI_INC_AGG && col->agg == SIDDHI_AGG_COUNT)
		{
			d->nulls[p] = false;
			d->values[p] = Int64GetDatum(0);
		}
		else if (col->kind == SIDDHI_INC_AGG &&
				 col->agg == SIDDHI_AGG_DISTINCT_COUNT)
			d->values[p] =
				PointerGetDatum(palloc0(sizeof(SiddhiDistinctSketch)));
		else if (col->kind == SIDDHI_INC_AGG &&
				 SIDDHI_AGG_IS_PERCENTILE(col->agg))
			d->values[p] = PointerGetDatum(siddhi_ddsketch_create());
		else if (col->kind == SIDDHI_INC_AGG && col->agg == SIDDHI_AGG_AVG)
		{
			d->nulls[p + 1] = false;
			d->values[p + 1] = Int64GetDatum(0);
		}
	}
	grp->nheld++;
	dlist_push_tail(&inc->bygran[g], &d->onode);
	inc->ndeltas++;
	inc->held[g]++;
	return d;
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
	IncGroup *grp;

	if (ts > inc->latest)
		inc->latest = ts;
	/*
	 * playback: the first purge one interval after the first event's time
	 * (the event's, not the batch's latest: the same whatever the batches)
	 */
	if (inc->next_purge == 0 && inc->plan->playback)
		inc->next_purge = ts + inc->plan->purge_interval;
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
	if (t > inc->max_time)
		inc->max_time = t;

	/* what this event computes lives until the reset at the end */
	old = MemoryContextSwitchTo(econtext->ecxt_per_tuple_memory);
	values = inc->ev_values;
	nulls = inc->ev_nulls;
	resetStringInfo(&inc->keybuf);
	for (int c = 0; c < inc->ncols; c++)
	{
		if (inc->states[c] == NULL)
		{
			values[c] = (Datum) 0;
			nulls[c] = true;
			continue;
		}
		values[c] = ExecEvalExpr(inc->states[c], econtext, &nulls[c]);
		if (inc->cols[c]->kind == SIDDHI_INC_GROUP)
			key_append(inc, c, values[c], nulls[c]);
	}
	MemoryContextSwitchTo(inc->delta_cxt);
	grp = find_group(inc, inc->keybuf.data, inc->keybuf.len, values, nulls);
	/*
	 * the group's latest deltas were last touched a thousand events ago in
	 * a feed of a thousand groups: their loads issued together, not one
	 * granularity after the other
	 */
	for (int g = 0; g < inc->ngrans; g++)
		if (grp->latest[g] != NULL)
		{
			/* the delta and its values, in one piece (delta_alloc) */
			for (Size off = 0; off < inc->delta_size; off += 64)
				__builtin_prefetch((char *) grp->latest[g] + off, 1);
		}
	for (int g = 0; g < inc->ngrans; g++)
	{
		int64 bucket = inc_bucket(inc, g, t);
		IncDelta *d = grp->latest[g];

		if (d == NULL || d->bucket < bucket)
		{
			/*
			 * a later bucket: the one before goes with the older ones, at
			 * the head (every older one is before it)
			 */
			if (d != NULL)
				dlist_push_head(&grp->older[g], &d->gnode);
			d = delta_new(inc, grp, g, bucket);
			grp->latest[g] = d;
		}
		else if (d->bucket > bucket)
			d = older_delta(inc, grp, g, bucket);
		for (int c = 0; c < inc->ncols; c++)
			delta_add(inc, d, c, values[c], nulls[c]);
	}
	MemoryContextSwitchTo(old);
	ResetExprContext(econtext);

	/* a large batch writes its closed buckets as it goes: memory stays
	 * bounded, and an open bucket is written once */
	if (inc->ndeltas >= SIDDHI_INC_MAX_DELTAS)
		inc_flush_one(inc, false, true);
}

void
siddhi_incremental_schedule(SiddhiIncremental *inc, int64 *next_purge,
							bool *purged)
{
	*next_purge = inc->next_purge;
	*purged = inc->purged;
}

void
siddhi_incremental_set_schedule(SiddhiIncremental *inc, int64 next_purge,
								bool purged)
{
	inc->next_purge = next_purge;
	inc->purged = purged;
}
