/*-------------------------------------------------------------------------
 *
 * source_error.c
 *	  @OnError(action = ..) for the records a source's mapper refuses, and
 *	  siddhi.replay_errors().
 *
 * A record whose decode raised an ERROR (source.c decodes it in a unit of
 * its own once the batch's fast path failed) goes to its stream's action:
 *
 *	 LOG	a LOG line with the error and the payload (at most 1 kB of it,
 *			non-printable bytes escaped), rate limited per source as query
 *			errors are (siddhi.error_log_interval)
 *	 STREAM	an event of the fault stream !S: S's attributes null, _error
 *			the message; fed after the batch's good events of the source
 *	 STORE	a row of siddhi.errors (app, stream, source, payload, error,
 *			time), written in the batch's transaction
 *	 DROP	nothing
 *
 * Every one is counted in siddhi.sources (errors, last_error).
 *
 * Replays: siddhi.replay_errors(app, ids) marks stored rows and, at its
 * commit, wakes the engine (source_stats.c), which decodes each marked
 * row with its source's mapper, as the source would, in a unit of its
 * own: a row that maps now is fed to its stream and deleted; one that
 * still does not keeps its place with the new error.  Both in a batch's
 * transaction.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "siddhi/catalog.h"
#include "siddhi/errors.h"
#include "siddhi/shmem.h"
#include "utils/array.h"
#include "utils/builtins.h"

#include "source_int.h"

#define PAYLOAD_LOG_MAX 1024
#define REPLAY_BATCH 1000

typedef struct StoredError
{
	bytea *payload;
	char *message;
} StoredError;

void
siddhi_source_errors_init(SiddhiSourceErrors *e, SourceRt *s)
{
	e->s = s;
	initStringInfo(&e->faults);
	e->nfaults = 0;
	e->stored = NIL;
}

/* At most PAYLOAD_LOG_MAX bytes of a payload, printable. */
static char *
payload_for_log(const char *data, int len)
{
	StringInfoData buf;
	int n = Min(len, PAYLOAD_LOG_MAX);

	initStringInfo(&buf);
	for (int i = 0; i < n; i++)
	{
		unsigned char c = (unsigned char) data[i];

		if (c >= 0x20 && c < 0x7f && c != '\\')
			appendStringInfoChar(&buf, c);
		else
			appendStringInfo(&buf, "\\x%02x", c);
	}
	if (len > n)
		appendStringInfo(&buf, "... (%d bytes)", len);
	return buf.data;
}

void
siddhi_source_on_error(SiddhiSourceErrors *e, const SiddhiSourceRecord *r,
					   ErrorData *edata)
{
	SourceRt *s = e->s;
	int64 unlogged;

	siddhi_source_stats_error(s->stats, edata->message);
	switch (s->on_error)
	{
		case SIDDHI_ON_ERROR_LOG:
			if (siddhi_error_log_due(&s->errlog, &unlogged))
				ereport(
					LOG,
					(errcode(edata->sqlerrcode),
					 errmsg("siddhi: source \"%s\" of app \"%s\" could not "
							"map a record: %s",
							s->plan->name, s->app, edata->message),
					 errdetail_internal("Payload: %s",
										payload_for_log(r->data, r->len)),
					 unlogged > 0
						 ? errhint("%lld earlier errors of the same "
								   "source were counted but not logged.",
								   (long long) unlogged)
						 : 0));
			break;
		case SIDDHI_ON_ERROR_STREAM:
			if (OidIsValid(s->fault_relid))
			{
				int n = s->fault_desc->natts;
				Datum *values = palloc0(sizeof(Datum) * n);
				bool *nulls = palloc(sizeof(bool) * n);

				for (int i = 0; i < n; i++)
					nulls[i] = true;
				values[n - 1] = CStringGetTextDatum(edata->message);
				nulls[n - 1] = false;
				siddhi_source_append_row(&e->faults, s->fault_desc, values,
										 nulls, siddhi_now_ms());
				e->nfaults++;
			}
			break;
		case SIDDHI_ON_ERROR_STORE:
		{
			StoredError *se = palloc(sizeof(StoredError));

			/*
			 * A record its source refused by itself (a line over
			 * max.line.length, handed out cut; bytes a passThrough source
			 * may not trust) keeps no payload: a replay would feed what is
			 * not the record, or what may not be read as one.
			 */
			se->payload = NULL;
			if (r->fail == NULL)
			{
				se->payload = palloc(VARHDRSZ + r->len);
				SET_VARSIZE(se->payload, VARHDRSZ + r->len);
				memcpy(VARDATA(se->payload), r->data, r->len);
			}
			se->message = pstrdup(edata->message);
			e->stored = lappend(e->stored, se);
		}
		break;
		case SIDDHI_ON_ERROR_DROP:
			break;
	}
}

void
siddhi_source_errors_finish(SiddhiSourceErrors *e)
{
	SourceRt *s = e->s;
	ListCell *lc;

	if (e->nfaults > 0)
		siddhi_runtime_feed_chunk(s->fault_relid, s->fault_sig, e->faults.data,
								  e->nfaults);
	if (e->stored == NIL)
		return;
	siddhi_batch_isolate();
	SPI_connect();
	foreach(lc, e->stored)
	{
		StoredError *se = lfirst(lc);
		Oid argtypes[5] = { TEXTOID, TEXTOID, TEXTOID, BYTEAOID, TEXTOID };
		Datum values[5];

		values[0] = CStringGetTextDatum(s->app);
		values[1] = CStringGetTextDatum(s->stream_name);
		values[2] = CStringGetTextDatum(s->plan->name);
		values[3] = PointerGetDatum(se->payload);
		values[4] = CStringGetTextDatum(se->message);
		siddhi_catalog_spi("INSERT INTO siddhi.errors "
						   "(app, stream, source, payload, error) "
						   "VALUES ($1::pg_catalog.name, $2, $3, $4, $5)",
						   5, argtypes, values, se->payload ? NULL : "   n ",
						   false, true);
	}
	SPI_finish();
}

/* ---------------------------------------------------------------------
 * Replays
 * ---------------------------------------------------------------------
 */
static uint32 seen_replay = 0;
static bool replay_more = false;

bool
siddhi_source_replay_due(void)
{
	return replay_more || siddhi_source_replay_generation() != seen_replay;
}

static void
replay_done(int64 id, const char *error)
{
	Oid argtypes[2] = { INT8OID, TEXTOID };
	Datum values[2];
	char nulls[2] = { ' ', ' ' };

	values[0] = Int64GetDatum(id);
	if (error)
		values[1] = CStringGetTextDatum(error);
	else
		nulls[1] = 'n';
	if (error == NULL)
		siddhi_catalog_spi("DELETE FROM siddhi.errors "
						   "WHERE id OPERATOR(pg_catalog.=) $1",
						   1, argtypes, values, nulls, false, true);
	else
		siddhi_catalog_spi("UPDATE siddhi.errors SET replay = false, "
						   "error = $2, occurred_at = pg_catalog.now() "
						   "WHERE id OPERATOR(pg_catalog.=) $1",
						   2, argtypes, values, nulls, false, true);
}

typedef struct ReplayRow
{
	int64 id;
	char *app;
	char *source;
	bytea *payload;
} ReplayRow;

static void
replay_write(int64 id, const char *error)
{
	SPI_connect();
	replay_done(id, error);
	SPI_finish();
}

/*
 * In a batch: re-feed the rows siddhi.replay_errors() marked.  SPI is
 * connected only around statements: a unit's rollback (batch.c) must not
 * find a connection of its subtransaction.  Returns how many rows it
 * consumed (fed, or marked failed again).
 */
int
siddhi_source_replay_feed(void)
{
	MemoryContext mcxt = CurrentMemoryContext;
	List *rows = NIL;
	ListCell *lc;

	if (!siddhi_source_replay_due())
		return 0;
	seen_replay = siddhi_source_replay_generation();
	siddhi_batch_isolate();
	SPI_connect();
	siddhi_catalog_spi(
		psprintf("SELECT id, app::pg_catalog.text, source, payload "
				 "FROM siddhi.errors WHERE replay ORDER BY id LIMIT %d",
				 REPLAY_BATCH),
		0, NULL, NULL, NULL, true, true);
	replay_more = SPI_processed == REPLAY_BATCH;
	for (uint64 i = 0; i < SPI_processed; i++)
	{
		HeapTuple t = SPI_tuptable->vals[i];
		TupleDesc d = SPI_tuptable->tupdesc;
		bool isnull;
		MemoryContext old = MemoryContextSwitchTo(mcxt);
		ReplayRow *r = palloc(sizeof(ReplayRow));
		Datum payload;

		r->id = DatumGetInt64(SPI_getbinval(t, d, 1, &isnull));
		r->app = pstrdup(SPI_getvalue(t, d, 2));
		r->source = pstrdup(SPI_getvalue(t, d, 3));
		payload = SPI_getbinval(t, d, 4, &isnull);
		r->payload = isnull ? NULL : DatumGetByteaPCopy(payload);
		rows = lappend(rows, r);
		MemoryContextSwitchTo(old);
	}
	SPI_finish();

	foreach(lc, rows)
	{
		ReplayRow *r = lfirst(lc);
		SourceRt *s = siddhi_source_find(r->app, r->source);
		StringInfoData buf;
		int nrows = 0;
		ErrorData *edata = NULL;

		if (s == NULL)
		{
			replay_write(r->id, "the source is not running: its app is not "
								"loaded, or no longer has it");
			continue;
		}
		if (r->payload == NULL)
		{
			replay_write(r->id, "its source refused the record by itself: it "
								"was not kept, and cannot be replayed");
			continue;
		}
		initStringInfo(&buf);
		siddhi_batch_isolate();
		PG_TRY();
		{
			nrows = siddhi_source_decode_one(
				s, VARDATA(r->payload), VARSIZE(r->payload) - VARHDRSZ, &buf);
		}
		PG_CATCH();
		{
			edata = siddhi_batch_unit_failed(mcxt);
		}
		PG_END_TRY();
		if (edata)
		{
			siddhi_source_stats_count(s->stats, 0, 0, 1);
			siddhi_source_stats_error(s->stats, edata->message);
			replay_write(r->id, edata->message);
			FreeErrorData(edata);
			continue;
		}
		if (nrows > 0)
			siddhi_runtime_feed_chunk(s->relid, s->desc_sig, buf.data, nrows);
		siddhi_source_stats_count(s->stats, 0, nrows, 0);
		siddhi_batch_isolate();
		replay_write(r->id, NULL);
	}
	return list_length(rows);
}

PG_FUNCTION_INFO_V1(siddhi_replay_errors);

/*
 * siddhi.replay_errors(app, ids default null): mark app's stored records
 * (those of ids, or all) for the engine to re-feed; the number marked.
 */
Datum
siddhi_replay_errors(PG_FUNCTION_ARGS)
{
	Oid argtypes[2] = { TEXTOID, INT8ARRAYOID };
	Datum values[2];
	char nulls[2] = { ' ', ' ' };
	char *app;
	int64 n;

	siddhi_require_preload();
	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	app = text_to_cstring(PG_GETARG_TEXT_PP(0));
	siddhi_check_may_manage_app(app);
	values[0] = PG_GETARG_DATUM(0);
	if (PG_ARGISNULL(1))
	{
		nulls[1] = 'n';
		values[1] = (Datum) 0;
	}
	else
		values[1] = PG_GETARG_DATUM(1);
	SPI_connect();
	siddhi_catalog_spi("UPDATE siddhi.errors SET replay = true "
					   "WHERE app OPERATOR(pg_catalog.=) $1::pg_catalog.name "
					   "AND ($2 IS NULL OR id OPERATOR(pg_catalog.=) "
					   "ANY ($2))",
					   2, argtypes, values, nulls, false, true);
	n = SPI_processed;
	SPI_finish();
	if (n > 0)
		siddhi_source_replay_ask();
	PG_RETURN_INT64(n);
}
