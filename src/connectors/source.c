/*-------------------------------------------------------------------------
 *
 * source.c
 *	  The source framework: every source of every loaded app, driven by the
 *	  engine worker's loop (include/siddhi/source.h for the interface a
 *	  source type implements, source_runtime.h for the engine's calls).
 *
 * Life of a source:
 *
 *	 app loads ─► made: options with ${NAME} resolved (secrets.c), committed
 *	              positions read from siddhi.source_offsets, mapper made
 *	 each turn  ─► not started, or failed and its backoff passed: start
 *	            ─► poll: at most siddhi.source_batch_events records
 *	 a batch    ─► decode all records in one error boundary; after a
 *	              failure again one by one, each failing record to the
 *	              stream's @OnError (source_error.c); events fed to the
 *	              stream; positions upserted; all in the batch's
 *	              transaction, with the ring's events
 *	 commit     ─► positions kept, ops->committed
 *	 an ERROR in start, poll or committed ─► the source is stopped, shows
 *	              failed with the error, starts again after a backoff
 *	              (1 s doubling to 60 s); the app and the others go on
 *	 app unloads ─► stopped, counters freed
 *
 * Memory: a source holds the records of one poll (its library's, valid
 * until the next poll) and, while a batch feeds them, their rows: at most
 * siddhi.source_batch_events records and their events per source.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/relation.h"
#include "access/xact.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "siddhi/batch.h"
#include "siddhi/catalog.h"
#include "siddhi/depend.h"
#include "siddhi/errors.h"
#include "siddhi/ipc.h"
#include "siddhi/source_runtime.h"
#include "siddhi/usercode.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/timestamp.h"

#include "source_int.h"

#define BACKOFF_MIN_MS 1000
#define BACKOFF_MAX_MS 60000
#define STATUS_EVERY_MS 500
#define POLL_TIMEOUT_MS 100

static List *sources = NIL; /* of SourceRt *, in TopMemoryContext */
static MemoryContext feed_cxt = NULL;

const SiddhiSourceOps *
siddhi_source_ops(const char *type)
{
	if (pg_strcasecmp(type, "inmemory") == 0)
		return &siddhi_inmemory_source_ops;
	if (pg_strcasecmp(type, "kafka") == 0)
		return &siddhi_kafka_source_ops;
	if (pg_strcasecmp(type, "http") == 0)
		return &siddhi_http_source_ops;
	if (pg_strcasecmp(type, "file") == 0)
		return &siddhi_file_source_ops;
	if (pg_strcasecmp(type, "cdc") == 0)
		return &siddhi_cdc_source_ops;
	return NULL;
}

/* Committed positions of a source (in the current memory context). */
static List *
read_positions(const char *app, const char *source)
{
	Oid argtypes[2] = { TEXTOID, TEXTOID };
	Datum values[2];
	MemoryContext cxt = CurrentMemoryContext;
	List *result = NIL;

	values[0] = CStringGetTextDatum(app);
	values[1] = CStringGetTextDatum(source);
	SPI_connect();
	siddhi_catalog_spi("SELECT part, next FROM siddhi.source_offsets "
					   "WHERE app OPERATOR(pg_catalog.=) $1::pg_catalog.name "
					   "AND source OPERATOR(pg_catalog.=) $2 ORDER BY part",
					   2, argtypes, values, NULL, true, true);
	for (uint64 i = 0; i < SPI_processed; i++)
	{
		HeapTuple t = SPI_tuptable->vals[i];
		bool isnull;
		SiddhiSourcePosition *p =
			MemoryContextAlloc(cxt, sizeof(SiddhiSourcePosition));
		MemoryContext old;

		p->part = MemoryContextStrdup(
			cxt, SPI_getvalue(t, SPI_tuptable->tupdesc, 1));
		p->next =
			DatumGetInt64(SPI_getbinval(t, SPI_tuptable->tupdesc, 2, &isnull));
		old = MemoryContextSwitchTo(cxt);
		result = lappend(result, p);
		MemoryContextSwitchTo(old);
	}
	SPI_finish();
	return result;
}

void
siddhi_sources_start_app(const char *app, Oid owner, SiddhiAppPlan *plan,
						 SiddhiAppRuntime *runtime)
{
	List *made = NIL;
	ListCell *lc;

	foreach(lc, plan->sources)
	{
		SiddhiSourcePlan *sp = lfirst(lc);
		SourceRt *s;
		MemoryContext cxt;
		MemoryContext old;
		const SiddhiSourceOps *ops = siddhi_source_ops(sp->type);

		if (ops == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("source type \"%s\" is not available in this "
							"build",
							sp->type)));
		/* a child of the app's: gone with it if the load fails */
		cxt = AllocSetContextCreate(CurrentMemoryContext, "siddhi source",
									ALLOCSET_SMALL_SIZES);
		old = MemoryContextSwitchTo(cxt);
		s = palloc0(sizeof(SourceRt));
		s->cxt = cxt;
		s->app = pstrdup(app);
		s->owner = owner;
		s->ops = ops;
		s->plan = palloc(sizeof(SiddhiSourcePlan));
		memcpy(s->plan, sp, sizeof(SiddhiSourcePlan));
		s->plan->name = pstrdup(sp->name);
		s->plan->options = siddhi_secrets_resolve(sp->options, app, owner);
		s->desc = CreateTupleDescCopy(sp->desc);
		s->relid = sp->stream->relid;
		s->desc_sig = siddhi_desc_signature(sp->desc);
		s->on_error = sp->on_error;
		s->stream_name = pstrdup(sp->stream->name);
		if (sp->stream->event_time)
		{
			for (int i = 0; i < s->desc->natts; i++)
				if (strcmp(NameStr(TupleDescAttr(s->desc, i)->attname),
						   sp->stream->event_time) == 0)
				{
					s->event_time_att = i + 1;
					s->event_time_type = TupleDescAttr(s->desc, i)->atttypid;
				}
		}
		if (sp->on_error == SIDDHI_ON_ERROR_STREAM && sp->fault)
		{
			Relation rel = relation_open(sp->fault->relid, AccessShareLock);

			s->fault_relid = sp->fault->relid;
			s->fault_desc = CreateTupleDescCopy(RelationGetDescr(rel));
			s->fault_sig = siddhi_desc_signature(RelationGetDescr(rel));
			relation_close(rel, AccessShareLock);
		}
		s->positions = read_positions(app, sp->name);
		s->mapper = siddhi_mapper_create(sp->map, sp->desc, false);
		s->records = palloc0(sizeof(SiddhiSourceRecord) *
							 Max(siddhi_source_batch_events, 1));
		s->max_records = Max(siddhi_source_batch_events, 1);
		s->backoff_ms = BACKOFF_MIN_MS;
		MemoryContextSwitchTo(old);
		made = lappend(made, s);
	}

	/* nothing fails from here on */
	foreach(lc, made)
	{
		SourceRt *s = lfirst(lc);
		MemoryContext old = MemoryContextSwitchTo(TopMemoryContext);

		s->stats = siddhi_source_stats_alloc(app, owner, s->plan);
		sources = lappend(sources, s);
		MemoryContextSwitchTo(old);
	}
}

/* Stop a source's runtime (errors are logged, not raised). */
static void
source_halt(SourceRt *s)
{
	MemoryContext old = CurrentMemoryContext;

	s->nrecords = 0;
	s->fed = false;
	if (s->state == NULL)
	{
		/* a start that failed leaves its context behind */
		if (s->runcxt)
			MemoryContextDelete(s->runcxt);
		s->runcxt = NULL;
		return;
	}
	PG_TRY();
	{
		s->ops->stop(s->state);
	}
	PG_CATCH();
	{
		ErrorData *edata;

		MemoryContextSwitchTo(old);
		edata = CopyErrorData();
		FlushErrorState();
		ereport(LOG, (errmsg("siddhi: source \"%s\" of app \"%s\" did not "
							 "stop cleanly: %s",
							 s->plan->name, s->app, edata->message)));
		FreeErrorData(edata);
	}
	PG_END_TRY();
	s->state = NULL;
	if (s->runcxt)
	{
		MemoryContextDelete(s->runcxt);
		s->runcxt = NULL;
	}
}

void
siddhi_sources_stop_app(const char *app)
{
	ListCell *lc;

	foreach(lc, sources)
	{
		SourceRt *s = lfirst(lc);

		if (strcmp(s->app, app) != 0)
			continue;
		source_halt(s);
		siddhi_source_stats_free(s->stats);
		sources = foreach_delete_current(sources, lc);
		/* s->cxt is a child of the app's context, deleted with it */
	}
}

/* An ERROR in start, poll or committed: the source fails for a while. */
static void
source_failed(SourceRt *s, MemoryContext mcxt, const char *what)
{
	ErrorData *edata;

	MemoryContextSwitchTo(mcxt);
	edata = CopyErrorData();
	FlushErrorState();
	ereport(LOG,
			(errcode(ERRCODE_SIDDHI_RUNTIME_ERROR),
			 errmsg("siddhi: source \"%s\" of app \"%s\" failed to %s: %s",
					s->plan->name, s->app, what, edata->message),
			 errdetail("It starts again in %d ms.", s->backoff_ms)));
	siddhi_source_stats_error(s->stats, edata->message);
	FreeErrorData(edata);
	source_halt(s);
	siddhi_source_stats_state(s->stats, SIDDHI_SOURCE_FAILED, NULL);
	s->retry_at = siddhi_now_ms() + s->backoff_ms;
	s->backoff_ms = Min(s->backoff_ms * 2, BACKOFF_MAX_MS);
}

static void
source_status(SourceRt *s, int64 now, bool force)
{
	SiddhiSourceStatus st;

	if (s->state == NULL || s->ops->status == NULL)
		return;
	if (!force && now - s->status_at < STATUS_EVERY_MS)
		return;
	s->status_at = now;
	memset(&st, 0, sizeof(st));
	st.lag = -1;
	s->ops->status(s->state, &st);
	siddhi_source_stats_state(
		s->stats,
		st.connected ? SIDDHI_SOURCE_RUNNING : SIDDHI_SOURCE_CONNECTING, &st);
}

int
siddhi_sources_poll(void)
{
	int64 now = siddhi_now_ms();
	int total = 0;
	ListCell *lc;

	foreach(lc, sources)
	{
		SourceRt *s = lfirst(lc);
		MemoryContext old = CurrentMemoryContext;

		if (s->nrecords > 0)
		{
			total += s->nrecords; /* not fed yet */
			continue;
		}
		if (s->state == NULL && now < s->retry_at)
			continue;
		PG_TRY();
		{
			if (s->state == NULL)
			{
				List *positions;

				s->runcxt = AllocSetContextCreate(TopMemoryContext,
												  "siddhi source runtime",
												  ALLOCSET_DEFAULT_SIZES);
				MemoryContextSwitchTo(s->runcxt);
				positions = list_copy(s->positions);
				s->state = s->ops->start(s->plan, s->app, positions);
				MemoryContextSwitchTo(old);
				source_status(s, now, true);
			}
			MemoryContextSwitchTo(s->runcxt);
			s->nrecords = s->ops->poll(s->state, s->records, s->max_records);
			MemoryContextSwitchTo(old);
			if (s->nrecords < 0 || s->nrecords > s->max_records)
				elog(ERROR, "poll returned %d records", s->nrecords);
			total += s->nrecords;
			source_status(s, now, false);
		}
		PG_CATCH();
		{
			source_failed(s, old, s->state ? "poll" : "start");
		}
		PG_END_TRY();
		MemoryContextSwitchTo(old);
	}
	/* stored records siddhi.replay_errors() asked for */
	if (siddhi_source_replay_due())
		total++;
	return total;
}

/* ---------------------------------------------------------------------
 * Feeding, in the batch's transaction
 * ---------------------------------------------------------------------
 */

/* An event's time: its event-time attribute if the stream has one. */
static int64
event_time(SourceRt *s, Datum *values, bool *nulls, int64 now)
{
	int i = s->event_time_att - 1;

	if (s->event_time_att <= 0 || nulls[i])
		return now;
	switch (s->event_time_type)
	{
		case INT8OID:
			return DatumGetInt64(values[i]);
		case INT4OID:
			return DatumGetInt32(values[i]);
		case TIMESTAMPOID:
		case TIMESTAMPTZOID:
			return DatumGetTimestamp(values[i]) / 1000 +
				   (int64) (POSTGRES_EPOCH_JDATE - UNIX_EPOCH_JDATE) *
					   SECS_PER_DAY * 1000;
		default:
			return now;
	}
}

/*
 * Append one row (SiddhiRowHeader + MinimalTuple, ipc.h) to a chunk,
 * made in place in the chunk's buffer (src/ipc/row.c).
 */
void
siddhi_source_append_row(StringInfo buf, TupleDesc desc, Datum *values,
						 bool *nulls, int64 ts)
{
	SiddhiRowLayout layout;

	siddhi_row_layout(desc, values, nulls, &layout);
	enlargeStringInfo(buf, (int) layout.row_len);
	Assert(buf->len == MAXALIGN(buf->len));
	siddhi_row_write(buf->data + buf->len, desc, values, nulls, ts, &layout);
	buf->len += (int) layout.row_len;
	buf->data[buf->len] = '\0';
}

/*
 * Where decoded events go: rows of a chunk (replays), or, when rows is
 * NULL, the mapper's values kept as they are (by-reference ones are
 * allocated in the feed's context), fed without forming a tuple.
 */
typedef struct EmitArg
{
	SourceRt *s;
	StringInfo rows;
	int nrows;
	int64 now;
	int64 rec_ts; /* the record's time (ops->record_time), or -1 */
	int cap;	  /* events values, nulls and ts have room for */
	Datum *values;
	bool *nulls;
	int64 *ts;
} EmitArg;

static void
emit_row(void *arg, Datum *values, bool *nulls)
{
	EmitArg *ea = arg;
	int natts = ea->s->desc->natts;
	int64 ts = event_time(ea->s, values, nulls,
						  ea->rec_ts >= 0 ? ea->rec_ts : ea->now);

	if (ea->rows)
	{
		siddhi_source_append_row(ea->rows, ea->s->desc, values, nulls, ts);
		ea->nrows++;
		return;
	}
	if (ea->nrows == ea->cap)
	{
		ea->cap = Max(ea->cap * 2, 1024);
		ea->values =
			repalloc_huge(ea->values, sizeof(Datum) * Max(natts, 1) * ea->cap);
		ea->nulls =
			repalloc_huge(ea->nulls, sizeof(bool) * Max(natts, 1) * ea->cap);
		ea->ts = repalloc_huge(ea->ts, sizeof(int64) * ea->cap);
	}
	memcpy(ea->values + (Size) ea->nrows * natts, values,
		   sizeof(Datum) * natts);
	memcpy(ea->nulls + (Size) ea->nrows * natts, nulls, sizeof(bool) * natts);
	ea->ts[ea->nrows++] = ts;
}

/*
 * Decode records [from, to) into ea; ERROR on the first bad one.  As the
 * app's owner, restricted: type input functions are user code (a domain's
 * CHECK calls any function its owner wrote).
 */
static void
decode_records(SourceRt *s, int from, int to, EmitArg *ea)
{
	int frame = siddhi_usercode_enter(s->owner);

	PG_TRY();
	{
		for (int i = from; i < to; i++)
		{
			SiddhiSourceRecord *r = &s->records[i];

			if (r->fail)
				ereport(ERROR, (errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
								errmsg("%s", r->fail)));
			if (r->data == NULL)
				continue;
			ea->rec_ts = s->ops->record_time ? r->timestamp : -1;
			siddhi_mapper_decode(s->mapper, r->data, r->len, emit_row, ea);
		}
		siddhi_usercode_leave(frame, true);
	}
	PG_CATCH();
	{
		siddhi_usercode_leave(frame, false);
		PG_RE_THROW();
	}
	PG_END_TRY();
}

/*
 * Upsert the position after the last record of each part: one statement
 * for all of them (a statement per part was parsed and planned each batch).
 */
static void
write_positions(SourceRt *s)
{
	Oid argtypes[4] = { TEXTOID, TEXTOID, TEXTARRAYOID, INT8ARRAYOID };
	List *batch = NIL;
	ListCell *lc;
	Datum values[4];
	Datum *parts;
	Datum *nexts;
	int n = 0;

	for (int i = 0; i < s->nrecords; i++)
	{
		SiddhiSourceRecord *r = &s->records[i];
		SiddhiSourcePosition *found = NULL;

		if (r->part == NULL)
			continue;
		foreach(lc, batch)
		{
			SiddhiSourcePosition *p = lfirst(lc);

			if (strcmp(p->part, r->part) == 0)
				found = p;
		}
		if (found == NULL)
		{
			found = palloc(sizeof(SiddhiSourcePosition));
			found->part = pstrdup(r->part);
			batch = lappend(batch, found);
		}
		found->next = r->next;
	}
	if (batch == NIL)
		return;
	parts = palloc(sizeof(Datum) * list_length(batch));
	nexts = palloc(sizeof(Datum) * list_length(batch));
	foreach(lc, batch)
	{
		SiddhiSourcePosition *p = lfirst(lc);

		parts[n] = CStringGetTextDatum(p->part);
		nexts[n++] = Int64GetDatum(p->next);
	}
	values[0] = CStringGetTextDatum(s->app);
	values[1] = CStringGetTextDatum(s->plan->name);
	values[2] = PointerGetDatum(
		construct_array(parts, n, TEXTOID, -1, false, TYPALIGN_INT));
	values[3] = PointerGetDatum(construct_array(
		nexts, n, INT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
	SPI_connect();
	siddhi_catalog_spi(
		"INSERT INTO siddhi.source_offsets AS o (app, source, part, next) "
		"SELECT $1::pg_catalog.name, $2, u.part, u.next "
		"FROM ROWS FROM (pg_catalog.unnest($3), pg_catalog.unnest($4)) "
		"AS u(part, next) "
		"ON CONFLICT (app, source, part) DO UPDATE SET next = "
		"excluded.next",
		4, argtypes, values, NULL, false, true);
	SPI_finish();
	s->batch_positions = batch;
}

/*
 * Feed one source's polled records.  Fast path: all of them decoded in
 * one unit.  After a failure: again one by one, each in its own unit, the
 * failing ones to @OnError.  The ambient subtransaction of the batch is
 * the error boundary (src/runtime/batch.c): decoding writes nothing, so a
 * rollback loses only that unit's decoding.
 */
static int
feed_source(SourceRt *s)
{
	MemoryContext mcxt = CurrentMemoryContext;
	EmitArg ea;
	bool failed = false;
	int nerrors = 0;
	SiddhiSourceErrors errs;

	ea.s = s;
	ea.rows = NULL;
	ea.nrows = 0;
	ea.cap = 1024;
	ea.values = palloc(sizeof(Datum) * Max(s->desc->natts, 1) * ea.cap);
	ea.nulls = palloc(sizeof(bool) * Max(s->desc->natts, 1) * ea.cap);
	ea.ts = palloc(sizeof(int64) * ea.cap);
	ea.now = siddhi_now_ms();
	ea.rec_ts = -1;
	siddhi_source_errors_init(&errs, s);

	siddhi_batch_isolate();
	PG_TRY();
	{
		decode_records(s, 0, s->nrecords, &ea);
	}
	PG_CATCH();
	{
		ErrorData *edata = siddhi_batch_unit_failed(mcxt);

		FreeErrorData(edata);
		failed = true;
	}
	PG_END_TRY();

	if (failed)
	{
		ea.nrows = 0;
		for (int i = 0; i < s->nrecords; i++)
		{
			int nrows = ea.nrows;

			siddhi_batch_isolate();
			PG_TRY();
			{
				decode_records(s, i, i + 1, &ea);
			}
			PG_CATCH();
			{
				ErrorData *edata = siddhi_batch_unit_failed(mcxt);

				ea.nrows = nrows;
				siddhi_source_on_error(&errs, &s->records[i], edata);
				if (s->ops->rejected)
					s->ops->rejected(s->state, i, edata->message);
				FreeErrorData(edata);
				nerrors++;
			}
			PG_END_TRY();
		}
	}

	if (ea.nrows > 0)
		siddhi_runtime_feed_values(s->relid, s->desc_sig, s->desc->natts,
								   ea.values, ea.nulls, ea.ts, ea.nrows);
	siddhi_source_errors_finish(&errs);

	/* positions and stored errors: kept from the next unit's rollback */
	siddhi_batch_isolate();
	write_positions(s);
	siddhi_source_stats_count(s->stats, s->nrecords, ea.nrows, nerrors);
	s->fed = true;
	s->nrecords = 0;
	pfree(ea.values);
	pfree(ea.nulls);
	pfree(ea.ts);
	return ea.nrows;
}

uint64
siddhi_sources_feed(bool *consumed)
{
	ListCell *lc;
	uint64 events = 0;

	*consumed = false;
	if (feed_cxt == NULL)
		feed_cxt = AllocSetContextCreate(
			TopMemoryContext, "siddhi source feed", ALLOCSET_DEFAULT_SIZES);
	foreach(lc, sources)
	{
		SourceRt *s = lfirst(lc);

		if (s->nrecords > 0)
		{
			MemoryContext old = MemoryContextSwitchTo(feed_cxt);

			events += feed_source(s);
			*consumed = true;
			MemoryContextSwitchTo(old);
		}
	}
	{
		MemoryContext old = MemoryContextSwitchTo(feed_cxt);

		if (siddhi_source_replay_feed() > 0)
			*consumed = true;
		MemoryContextSwitchTo(old);
	}
	return events;
}

/* After the batch's commit: positions kept, sources told. */
void
siddhi_sources_committed(void)
{
	ListCell *lc;

	foreach(lc, sources)
	{
		SourceRt *s = lfirst(lc);
		MemoryContext old = CurrentMemoryContext;
		ListCell *b;

		if (!s->fed)
			continue;
		s->fed = false;
		/* the committed positions, for a restart after a failure */
		foreach(b, s->batch_positions)
		{
			SiddhiSourcePosition *p = lfirst(b);
			SiddhiSourcePosition *found = NULL;
			ListCell *c;

			foreach(c, s->positions)
			{
				SiddhiSourcePosition *q = lfirst(c);

				if (strcmp(q->part, p->part) == 0)
					found = q;
			}
			if (found == NULL)
			{
				MemoryContextSwitchTo(s->cxt);
				found = palloc(sizeof(SiddhiSourcePosition));
				found->part = pstrdup(p->part);
				s->positions = lappend(s->positions, found);
				MemoryContextSwitchTo(old);
			}
			found->next = p->next;
		}
		s->batch_positions = NIL;
		source_status(s, siddhi_now_ms(), true);
		if (s->state == NULL || s->ops->committed == NULL)
			continue;
		PG_TRY();
		{
			s->ops->committed(s->state);
		}
		PG_CATCH();
		{
			source_failed(s, old, "commit");
		}
		PG_END_TRY();
	}
	if (feed_cxt)
		MemoryContextReset(feed_cxt);
}

int
siddhi_sources_wait(int *fds, int max, long *timeout_ms)
{
	int64 now = siddhi_now_ms();
	int n = 0;
	ListCell *lc;

	foreach(lc, sources)
	{
		SourceRt *s = lfirst(lc);

		if (s->nrecords > 0)
		{
			*timeout_ms = 0;
			continue;
		}
		if (s->state == NULL)
		{
			*timeout_ms = Min(*timeout_ms, Max(0, s->retry_at - now));
			continue;
		}
		/* status now and then, also when idle */
		*timeout_ms = Min(*timeout_ms, 1000);
		if (s->ops->wait_fd == NULL)
			continue; /* in-process: nothing arrives while we sleep */
		{
			int fd = s->ops->wait_fd(s->state);

			if (fd >= 0 && n < max)
				fds[n++] = fd;
			else
				*timeout_ms = Min(*timeout_ms, POLL_TIMEOUT_MS);
		}
	}
	if (siddhi_inmemory_pending())
		*timeout_ms = 0;
	return n;
}

/* The source named name of app, for replays (NULL: not running here). */
SourceRt *
siddhi_source_find(const char *app, const char *name)
{
	ListCell *lc;

	foreach(lc, sources)
	{
		SourceRt *s = lfirst(lc);

		if (strcmp(s->app, app) == 0 && strcmp(s->plan->name, name) == 0)
			return s;
	}
	return NULL;
}

/* Decode one payload of s into rows (replays); ERROR if it does not map. */
int
siddhi_source_decode_one(SourceRt *s, const char *data, int len,
						 StringInfo rows)
{
	EmitArg ea;
	int frame;

	memset(&ea, 0, sizeof(ea));
	ea.s = s;
	ea.rows = rows;
	ea.now = siddhi_now_ms();
	ea.rec_ts = -1;
	frame = siddhi_usercode_enter(s->owner); /* as decode_records */
	PG_TRY();
	{
		siddhi_mapper_decode(s->mapper, data, len, emit_row, &ea);
		siddhi_usercode_leave(frame, true);
	}
	PG_CATCH();
	{
		siddhi_usercode_leave(frame, false);
		PG_RE_THROW();
	}
	PG_END_TRY();
	return ea.nrows;
}
