/*-------------------------------------------------------------------------
 *
 * incremental_flush.c
 *	  Writing incremental aggregations: each batch's deltas upserted into
 *	  the granularity tables, and retention's purges.
 *
 * Runs at the end of every batch (siddhi_incremental_flush_all, from
 * siddhi_runtime_end_batch) and when an aggregation holds
 * SIDDHI_INC_MAX_DELTAS deltas.  Each aggregation's flush is a unit of
 * its own in the batch (siddhi_batch_isolate), run as the app's owner
 * with search_path pinned: a failure loses that batch of that aggregation,
 * logged and rate limited, and nothing else.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "incremental_int.h"
#include "miscadmin.h"
#include "siddhi/catalog.h"
#include "siddhi/ddsketch.h"
#include "siddhi/distinct_sketch.h"
#include "siddhi/errors.h"
#include "siddhi/clock.h"
#include "siddhi/usercode.h"
#include "utils/builtins.h"


/* Deltas per bulk upsert: bounds the arrays built for one statement. */
#define BULK_ROWS 10000

/* A statement of ours on one of the aggregation's tables, prepared once. */
static SPIPlanPtr
prepare_kept(SiddhiIncremental *inc, const char *sql, List *types)
{
	Oid *argtypes = palloc(sizeof(Oid) * list_length(types));
	ListCell *t;
	int i = 0;
	SPIPlanPtr plan;

	foreach(t, types)
		argtypes[i++] = lfirst_oid(t);
	plan = SPI_prepare(sql, i, argtypes);
	if (plan == NULL)
		ereport(
			ERROR, errcode(ERRCODE_SIDDHI_RUNTIME_ERROR),
			errmsg("could not prepare the writes of aggregation \"%s\": %s",
				   inc->plan->name, SPI_result_code_string(SPI_result)));
	SPI_keepplan(plan);
	pfree(argtypes);
	return plan;
}

/*
 * Write the n deltas of granularity g in one statement, plan (the bulk
 * upsert or the bulk insert): one array per column, unnested into rows.
 * The caller has connected to SPI.
 */
static void
bulk_write(SiddhiIncremental *inc, SPIPlanPtr plan, IncDelta **deltas, int n)
{
	Datum *args = palloc(sizeof(Datum) * inc->nphys);
	Datum *elems = palloc(sizeof(Datum) * n);
	bool *enulls = palloc(sizeof(bool) * n);
	int dims[1] = { n };
	int lbs[1] = { 1 };
	int rc;

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
	rc = SPI_execute_plan(plan, args, NULL, false, 0);
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
 * The earliest and latest buckets in granularity g's table (PG_INT64_MAX
 * and PG_INT64_MIN when it is empty): a scan of the table, run once per
 * granularity at most, when a plain insert met a row (below).
 */
static void
table_bucket_span(SiddhiIncremental *inc, int g, int64 *lo, int64 *hi)
{
	SiddhiRelation *r = list_nth(inc->plan->tables, g);
	char *sql =
		psprintf("SELECT min(agg_timestamp), max(agg_timestamp) FROM %s",
				 quote_qualified_identifier(r->nspname, r->name));
	bool isnull;
	Datum d;

	if (SPI_execute(sql, false, 1) != SPI_OK_SELECT || SPI_processed != 1)
		ereport(ERROR, errcode(ERRCODE_SIDDHI_RUNTIME_ERROR),
				errmsg("could not read the buckets of \"%s\"", r->name));
	d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1,
					  &isnull);
	*lo = isnull ? PG_INT64_MAX : DatumGetInt64(d);
	d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2,
					  &isnull);
	*hi = isnull ? PG_INT64_MIN : DatumGetInt64(d);
}

/*
 * A table of granularity g holds rows this runtime did not write: what is
 * known written becomes what it holds, for the table and for every group
 * held now (those made later start with it, find_group), and a held delta
 * of a bucket inside it is fresh no more.
 */
static void
learn_table(SiddhiIncremental *inc, int g)
{
	int64 lo;
	int64 hi;
	HASH_SEQ_STATUS hs;
	IncSlot *slot;
	dlist_iter it;

	table_bucket_span(inc, g, &lo, &hi);
	inc->written_min[g] = Min(inc->written_min[g], lo);
	inc->written_max[g] = Max(inc->written_max[g], hi);
	hash_seq_init(&hs, inc->groups);
	while ((slot = hash_seq_search(&hs)) != NULL)
		for (IncGroup *grp = slot->first; grp != NULL; grp = grp->next)
		{
			grp->wrote_lo[g] = Min(grp->wrote_lo[g], inc->written_min[g]);
			grp->wrote_hi[g] = Max(grp->wrote_hi[g], inc->written_max[g]);
		}
	dlist_foreach(it, &inc->bygran[g])
	{
		IncDelta *d = dlist_container(IncDelta, onode, it.cur);

		if (d->bucket >= inc->written_min[g] &&
			d->bucket <= inc->written_max[g])
			d->fresh = false;
	}
}

/*
 * New buckets: n deltas of granularity g whose buckets are after
 * written_max[g], so no row of the table should have their keys: a plain
 * INSERT writes them, without ON CONFLICT's probe of the unique index
 * before each row (a quarter of the engine's time in bench/aggregation.sh).
 * The unique index still refuses a key that is there (the runtime's
 * knowledge is a hint: a table kept from an earlier deploy, or written
 * before a restart, has rows it never saw): then the statement is rolled
 * back in its own subtransaction and the same deltas are upserted, and
 * the span of the table's buckets counts as written (one scan,
 * learn_table); a second conflict after that (someone else writes the
 * table) turns the plain inserts of g off.  The caller has connected to
 * SPI.
 */
static void
insert_new(SiddhiIncremental *inc, int g, IncDelta **deltas, int n)
{
	MemoryContext mcxt = CurrentMemoryContext;
	ResourceOwner owner = CurrentResourceOwner;
	bool conflict = false;

	BeginInternalSubTransaction(NULL);
	MemoryContextSwitchTo(mcxt);
	PG_TRY();
	{
		if (!inc_direct_insert(inc, g, deltas, n))
			bulk_write(inc, inc->insert_plans[g], deltas, n);
		ReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(mcxt);
		CurrentResourceOwner = owner;
	}
	PG_CATCH();
	{
		ErrorData *edata;

		MemoryContextSwitchTo(mcxt);
		edata = CopyErrorData();
		FlushErrorState();
		RollbackAndReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(mcxt);
		CurrentResourceOwner = owner;
		if (edata->sqlerrcode != ERRCODE_UNIQUE_VIOLATION)
			ReThrowError(edata);
		FreeErrorData(edata);
		conflict = true;
	}
	PG_END_TRY();
	if (!conflict)
		return;
	if (++inc->conflicts[g] == 1)
		learn_table(inc, g);
	else
		inc->written_max[g] = PG_INT64_MAX;
	bulk_write(inc, inc->bulk_plans[g], deltas, n);
}

/*
 * Whether a purge is due at now (ms, the clock purges use): the next one
 * at the end of the batch will run.
 */
static bool
purge_due(SiddhiIncremental *inc, int64 now)
{
	return inc->plan->purge && inc->next_purge != 0 && now != PG_INT64_MIN &&
		   now >= inc->next_purge;
}

/*
 * The time a purge at now deletes before (plus retention), and that a
 * flush at now skips before: now on the wall clock.  In playback the
 * latest moment of the schedule (next_purge, then every purge interval)
 * at or before now, so that what is purged does not depend on where the
 * batches end (a batch ends at any event time past that moment): the
 * last purge's moment while none is due.
 */
static int64
purge_moment(SiddhiIncremental *inc, int64 now)
{
	int64 every = inc->plan->purge_interval;

	if (!inc->plan->playback || every <= 0 || inc->next_purge == 0)
		return now;
	if (now >= inc->next_purge)
		return inc->next_purge + (now - inc->next_purge) / every * every;
	return inc->next_purge - every;
}

/*
 * Whether retention has already passed for a delta's bucket: the next
 * purge would delete its row, so it is not written (a backfill of old
 * events then writes no sec and min rows only to delete them again).
 * Only once a purge has run or is due (it then runs at the end of this
 * batch, which a flush within the batch leaves to it): before the first
 * one (one purge interval after the start, as in Siddhi) every bucket is
 * written and readable.  now is the clock purges use.
 */
static bool
delta_expired(SiddhiIncremental *inc, IncDelta *d, int64 now)
{
	int64 retention = inc->plan->retention[inc->grans[d->gran]];

	if (!inc->plan->purge || retention < 0 || now == PG_INT64_MIN ||
		!(inc->purged || purge_due(inc, now)))
		return false;
	return d->bucket < purge_moment(inc, now) - retention;
}

static int64
purge_clock(SiddhiIncremental *inc)
{
	return inc->plan->playback ? inc->latest : siddhi_now_ms();
}

/* What a flush writes of one granularity. */
typedef struct FlushSet
{
	IncDelta **d;
	int n;
} FlushSet;

/*
 * Choose what a flush writes, into sets (per granularity), and drop what
 * retention has passed, unwritten.  Everything (open == NULL): every delta
 * is written, unless past retention.  To make room (open: the start of
 * each granularity's open bucket): the closed buckets past retention at
 * the head of each granularity's list are dropped (the list is in creation
 * order, which is time order for a feed in order: the scan stops at the
 * first bucket still within retention; a late one further on stays, to be
 * written or dropped at the batch's end); then closed ones are written,
 * those that expire last first (the granularity kept longest first, the
 * latest buckets of one first), until a tenth of the limit is free: the
 * deltas kept are those that expire soonest, which a later make-room may
 * drop unwritten (in a long backfill most sec and min buckets expire
 * before its end); if the open buckets alone are more, all are written.  Each delta
 * is visited once or twice whatever it holds: the deltas kept are not
 * walked again at every make-room.  Returns whether some delta is kept.
 */
static bool
choose_writes(SiddhiIncremental *inc, const int64 *open, int64 now,
			  FlushSet *sets)
{
	/* keep nine tenths: what stays held may yet expire unwritten */
	int keep = SIDDHI_INC_MAX_DELTAS - SIDDHI_INC_MAX_DELTAS / 10;
	int left;
	dlist_mutable_iter mit;
	dlist_iter it;

	for (int g = 0; g < inc->ngrans; g++)
	{
		sets[g].d = palloc(sizeof(IncDelta *) * Max(inc->held[g], 1));
		sets[g].n = 0;
		dlist_foreach_modify(mit, &inc->bygran[g])
		{
			IncDelta *d = dlist_container(IncDelta, onode, mit.cur);

			if (open == NULL)
			{
				/* all go at the end of the flush */
				if (!delta_expired(inc, d, now))
					sets[g].d[sets[g].n++] = d;
			}
			else if (d->bucket < open[g] && delta_expired(inc, d, now))
				inc_delta_free(inc, d);
			else
				break;
		}
	}
	if (open == NULL)
		return false;
	left = inc->ndeltas;
	for (int i = 0; i < inc->ngrans && left > keep; i++)
	{
		int g = inc->by_retention[i];

		dlist_reverse_foreach(it, &inc->bygran[g])
		{
			IncDelta *d = dlist_container(IncDelta, onode, it.cur);

			if (d->bucket < open[g])
			{
				sets[g].d[sets[g].n++] = d;
				if (--left <= keep)
					break;
			}
		}
	}
	if (left <= keep)
		return true;
	/* the open buckets alone are more than that: write all */
	for (int g = 0; g < inc->ngrans; g++)
	{
		sets[g].n = 0;
		dlist_foreach(it, &inc->bygran[g])
		{
			sets[g].d[sets[g].n++] = dlist_container(IncDelta, onode, it.cur);
		}
	}
	return false;
}

/*
 * Free the n deltas just written, when the flush keeps others (else they
 * all go at once at its end).
 */
static void
free_written(SiddhiIncremental *inc, IncDelta **deltas, int n, bool keep)
{
	if (!keep)
		return;
	for (int i = 0; i < n; i++)
		inc_delta_free(inc, deltas[i]);
}

/*
 * Whether no row of d's table can have d's key, as far as this runtime
 * knows ("New buckets", above).  That is decided when d is made
 * (inc_maybe_written): its bucket was after every bucket written to the
 * table, or outside the span of those its group wrote.  A delta is freed
 * once written, so one that is still held and was fresh then has not been
 * written since, whatever its group wrote around it: a make-room writes
 * the newest closed buckets first and leaves older ones of the same
 * groups held, inside the span those writes make (in bench/aggregation.sh's
 * sparse feed, 44 % of the hour rows were upserted, each probing the
 * unique index first, when this was judged at the flush by the span
 * alone; then still the held ones behind each make-room, 15 % of the
 * engine).  A group made after some of its key's buckets were written
 * starts with the span of all written (find_group).  After a conflict,
 * what the table holds counts as written (learn_table, which also takes
 * freshness from the held deltas inside it); after a second one, nothing
 * is new.
 */
static inline bool
delta_is_new(SiddhiIncremental *inc, IncDelta *d)
{
	return d->fresh && inc->conflicts[d->gran] <= 1;
}

/* The n deltas were written: what is known written, and their groups'. */
static void
note_written(SiddhiIncremental *inc, IncDelta **deltas, int n)
{
	for (int i = 0; i < n; i++)
	{
		IncDelta *d = deltas[i];
		IncGroup *grp = d->group;

		d->fresh = false;
		grp->wrote_lo[d->gran] = Min(grp->wrote_lo[d->gran], d->bucket);
		grp->wrote_hi[d->gran] = Max(grp->wrote_hi[d->gran], d->bucket);
		inc->written_min[d->gran] = Min(inc->written_min[d->gran], d->bucket);
		inc->written_max[d->gran] = Max(inc->written_max[d->gran], d->bucket);
	}
}

/*
 * One statement of granularity g's deltas: new ones inserted, the others
 * upserted; then what is known written, and the deltas freed when the
 * flush keeps others.
 */
static void
write_part(SiddhiIncremental *inc, int g, IncDelta **deltas, int n, bool new,
		   bool keep)
{
	if (new)
		insert_new(inc, g, deltas, n);
	else
		bulk_write(inc, inc->bulk_plans[g], deltas, n);
	note_written(inc, deltas, n);
	free_written(inc, deltas, n, keep);
}

/* Deltas by group (where each lies in memory), then by bucket. */
static int
delta_cmp_group(const void *a, const void *b)
{
	const IncDelta *x = *(IncDelta *const *) a;
	const IncDelta *y = *(IncDelta *const *) b;

	if (x->group != y->group)
		return x->group < y->group ? -1 : 1;
	return x->bucket < y->bucket ? -1 : (x->bucket > y->bucket ? 1 : 0);
}

/*
 * Write the chosen deltas granularity by granularity, in bulk statements:
 * those of new buckets (delta_is_new) inserted, the others upserted.  The
 * rows of one group go together, oldest bucket first: the table's unique
 * index is by the group's values, then the bucket, so consecutive rows
 * land in the same leaf page instead of one page per row across the whole
 * index (and a group's rows share heap pages, which a retrieval of one
 * group reads).
 */
static void
incremental_flush_bulk(SiddhiIncremental *inc, FlushSet *sets, bool keep)
{
	IncDelta **fresh = palloc(sizeof(IncDelta *) * BULK_ROWS);
	IncDelta **seen = palloc(sizeof(IncDelta *) * BULK_ROWS);

	for (int g = 0; g < inc->ngrans; g++)
	{
		int nfresh = 0;
		int nseen = 0;

		if (sets[g].n == 0)
			continue;
		qsort(sets[g].d, sets[g].n, sizeof(IncDelta *), delta_cmp_group);
		if (inc->bulk_plans[g] == NULL)
		{
			inc->bulk_plans[g] =
				prepare_kept(inc, list_nth(inc->plan->bulk_upserts, g),
							 inc->plan->bulk_param_types);
			inc->insert_plans[g] =
				prepare_kept(inc, list_nth(inc->plan->bulk_inserts, g),
							 inc->plan->bulk_param_types);
		}
		for (int i = 0; i < sets[g].n; i++)
		{
			IncDelta *d = sets[g].d[i];

			/* (the statements before may have raised what is written) */
			if (delta_is_new(inc, d))
			{
				fresh[nfresh++] = d;
				if (nfresh == BULK_ROWS)
				{
					write_part(inc, g, fresh, nfresh, true, keep);
					nfresh = 0;
				}
			}
			else
			{
				seen[nseen++] = d;
				if (nseen == BULK_ROWS)
				{
					write_part(inc, g, seen, nseen, false, keep);
					nseen = 0;
				}
			}
		}
		if (nfresh > 0)
			write_part(inc, g, fresh, nfresh, true, keep);
		if (nseen > 0)
			write_part(inc, g, seen, nseen, false, keep);
	}
	pfree(fresh);
	pfree(seen);
}

/* Upsert the chosen deltas one statement each. */
static void
incremental_flush_rows(SiddhiIncremental *inc, FlushSet *sets, bool keep)
{
	char *nulls = palloc(inc->nphys);
	Datum *values = palloc(sizeof(Datum) * inc->nphys);

	for (int g = 0; g < inc->ngrans; g++)
		for (int i = 0; i < sets[g].n; i++)
		{
			IncDelta *d = sets[g].d[i];
			int rc;

			if (inc->plans[g] == NULL)
				inc->plans[g] =
					prepare_kept(inc, list_nth(inc->plan->upserts, g),
								 inc->plan->param_types);
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
						construct_array(elems, s->n, INT8OID, 8,
										FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
				}
			/* percentiles: the sketch goes in its compact form, as a bytea */
			for (int c = 0; c < inc->ncols; c++)
				if (inc->cols[c]->kind == SIDDHI_INC_AGG &&
					SIDDHI_AGG_IS_PERCENTILE(inc->cols[c]->agg) &&
					!d->nulls[inc->phys[c]])
				{
					int len;
					char *buf = siddhi_ddsketch_serialize(
						(SiddhiDDSketch *) DatumGetPointer(
							d->values[inc->phys[c]]),
						&len);
					bytea *b = palloc(VARHDRSZ + len);

					SET_VARSIZE(b, VARHDRSZ + len);
					memcpy(VARDATA(b), buf, len);
					pfree(buf);
					values[inc->phys[c]] = PointerGetDatum(b);
				}
			rc = SPI_execute_plan(inc->plans[g], values, nulls, false, 0);
			if (rc != SPI_OK_INSERT)
				ereport(ERROR, errcode(ERRCODE_SIDDHI_RUNTIME_ERROR),
						errmsg("upsert into aggregation \"%s\" failed: %s",
							   inc->plan->name, SPI_result_code_string(rc)));
			free_written(inc, &d, 1, keep);
		}
	pfree(nulls);
	pfree(values);
}

/*
 * Write one aggregation's deltas (only those of closed buckets when open
 * is given: the start of each granularity's open bucket) and drop them.
 * The caller has connected to SPI.
 */
static void
incremental_flush(SiddhiIncremental *inc, const int64 *open)
{
	FlushSet *sets = palloc(sizeof(FlushSet) * inc->ngrans);
	bool keep = choose_writes(inc, open, purge_clock(inc), sets);

	if (inc->plan->bulk_param_types != NIL)
		incremental_flush_bulk(inc, sets, keep);
	else
		incremental_flush_rows(inc, sets, keep);
	if (!keep)
		inc_reset_deltas(inc);
	for (int g = 0; g < inc->ngrans; g++)
		pfree(sets[g].d);
	pfree(sets);
}

/*
 * Retention: delete the rows of each granularity older than now minus its
 * retention, at most once per purge interval.  now is the wall clock, or
 * in playback the latest event time (the app's clock), where the purge is
 * that of the schedule's moment (purge_moment).  The caller has connected
 * to SPI.
 */
static void
incremental_purge(SiddhiIncremental *inc, int64 now)
{
	SiddhiAggregationPlan *ap = inc->plan;

	now = purge_moment(inc, now);

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
	inc->purged = true;
}

/*
 * Write one aggregation's deltas (and purge when due and allowed), in a
 * subtransaction of its own, as the app's owner.  One that fails (its
 * table dropped, a privilege revoked, a sum out of range) loses that
 * batch's changes of that aggregation, logged, and nothing else; one that
 * succeeds is kept whatever fails after it in the batch (batch.c).
 */
void
inc_flush_one(SiddhiIncremental *inc, bool allow_purge, bool closed_only)
{
	MemoryContext mcxt = CurrentMemoryContext;
	ResourceOwner owner = CurrentResourceOwner;
	Oid save_user;
	int save_sec;
	int frame;
	int64 now = purge_clock(inc);
	bool purge;
	int64 *open = NULL;

	/* playback: the first purge one interval after the first event */
	if (inc->next_purge == 0 && now != PG_INT64_MIN)
		inc->next_purge = now + inc->plan->purge_interval;
	purge = allow_purge && purge_due(inc, now);

	if (inc->ndeltas == 0 && !purge)
		return;
	if (closed_only && inc->max_time != PG_INT64_MIN)
	{
		open = palloc(sizeof(int64) * inc->ngrans);
		for (int g = 0; g < inc->ngrans; g++)
			open[g] = inc_bucket(inc, g, inc->max_time);
	}
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
		/* purge first: the deltas past retention are then not written */
		if (purge)
			incremental_purge(inc, now);
		incremental_flush(inc, open);
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
		inc_reset_deltas(inc);
		if (purge)
			inc->next_purge = now + inc->plan->purge_interval;
	}
	PG_END_TRY();
	MemoryContextSwitchTo(mcxt);
	CurrentResourceOwner = owner;
	if (open)
		pfree(open);
}

void
siddhi_incremental_flush_all(void)
{
	ListCell *lc;

	foreach(lc, inc_all_incrementals)
		inc_flush_one(lfirst(lc), true, false);
}
