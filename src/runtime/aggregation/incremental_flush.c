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
 * Only once a purge has run: before the first one (one purge interval
 * after the start, as in Siddhi) every bucket is written and readable.
 * now is the clock purges use.
 */
static bool
delta_expired(SiddhiIncremental *inc, IncDelta *d, int64 now)
{
	int64 retention = inc->plan->retention[inc->grans[d->gran]];

	if (!inc->plan->purge || !inc->purged || retention < 0 ||
		now == PG_INT64_MIN || d->nulls[0])
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
		inc_reset_deltas(inc);
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
		rc = SPI_execute_plan(inc->plans[d->gran], values, nulls, false, 0);
		if (rc != SPI_OK_INSERT)
			ereport(ERROR, errcode(ERRCODE_SIDDHI_RUNTIME_ERROR),
					errmsg("upsert into aggregation \"%s\" failed: %s",
						   inc->plan->name, SPI_result_code_string(rc)));
	}
	pfree(nulls);
	pfree(values);
	inc_reset_deltas(inc);
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
inc_flush_one(SiddhiIncremental *inc, bool allow_purge)
{
	MemoryContext mcxt = CurrentMemoryContext;
	ResourceOwner owner = CurrentResourceOwner;
	Oid save_user;
	int save_sec;
	int frame;
	int64 now = purge_clock(inc);
	bool purge;

	/* playback: the first purge one interval after the first event */
	if (inc->next_purge == 0 && now != PG_INT64_MIN)
		inc->next_purge = now + inc->plan->purge_interval;
	purge = allow_purge && inc->plan->purge && inc->next_purge != 0 &&
			now >= inc->next_purge && now != PG_INT64_MIN;

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
		inc_reset_deltas(inc);
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

	foreach(lc, inc_all_incrementals)
		inc_flush_one(lfirst(lc), true);
}
