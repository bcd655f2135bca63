/*-------------------------------------------------------------------------
 *
 * junction.c
 *	  Junctions: events from the ring (or a query) handed to the
 *	  watchers, stream hooks, queries and incremental aggregations of a
 *	  stream, and the end of each chunk passed downstream.
 *
 *-------------------------------------------------------------------------
 */
#include "runtime_int.h"
#include "siddhi/minslot.h"
#include "dispatch.h"

#include "utils/syscache.h"

static void aggregation_event(SiddhiIncremental *inc, TupleTableSlot *slot,
							  int64 ts);

/*
 * May owner still read the stream relid?  SELECT is checked at deploy and
 * at every load (analyze_privileges.c); a privilege revoked while the app
 * runs stops its reads at the next batch.  ERROR when it may not.
 */
void
check_may_read(Oid relid, Oid owner)
{
	if (pg_class_aclcheck(relid, owner, ACL_SELECT) != ACLCHECK_OK)
		ereport(
			ERROR,
			(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
			 errmsg("permission denied to read \"%s\"", get_rel_name(relid)),
			 errdetail("The app's owner no longer has the SELECT "
					   "privilege on it; its events are skipped.")));
}

/*
 * One delivery of an event (to a stream's watchers, to one of its hooks)
 * as a unit of its own, in a frame of user code of owner (output and cast
 * functions of the event's types are user code: a type's owner may have
 * made its cast to json): a failure loses that delivery only, is logged
 * at most once per siddhi.error_log_interval (what: who failed, for the
 * line), and returns false.
 */
static bool
delivery_unit(void (*fn)(void *arg), void *arg, SiddhiErrorLog *log,
			  const char *what, Junction *j, Oid owner)
{
	MemoryContext mcxt = CurrentMemoryContext;
	volatile bool ok = true;
	volatile int frame = -1;
	Oid save_user;
	int save_sec;

	siddhi_batch_isolate();
	GetUserIdAndSecContext(&save_user, &save_sec);
	PG_TRY();
	{
		frame = siddhi_usercode_enter(owner);
		fn(arg);
		siddhi_usercode_leave(frame, true);
	}
	PG_CATCH();
	{
		ErrorData *edata;
		int64 unlogged;

		if (frame >= 0)
			siddhi_usercode_leave(frame, false);
		edata = siddhi_batch_unit_failed(batch_cxt);
		SetUserIdAndSecContext(save_user, save_sec);
		MemoryContextSwitchTo(mcxt);
		if (siddhi_error_log_due(log, &unlogged))
			ereport(LOG,
					(errcode(edata->sqlerrcode),
					 errmsg("siddhi: %s of stream \"%s\" failed on an event: "
							"%s (event skipped)",
							what, j->name, edata->message),
					 siddhi_errdetail_unlogged(unlogged)));
		FreeErrorData(edata);
		ok = false;
	}
	PG_END_TRY();
	return ok;
}

typedef struct Delivery
{
	Junction *j;
	StreamHook *h;
	TupleTableSlot *slot;
	int64 ts;
	bool expired;
} Delivery;

static void
watchers_json(void *arg)
{
	Delivery *d = arg;
	MemoryContext old = MemoryContextSwitchTo(batch_cxt);
	HeapTuple tuple = ExecCopySlotHeapTuple(d->slot);
	Datum rec = heap_copy_tuple_as_datum(tuple, d->j->desc);
	text *json = DatumGetTextPP(DirectFunctionCall1(row_to_json, rec));

	siddhi_subscription_deliver(MyDatabaseId, d->j->relid, d->expired, d->ts,
								VARDATA_ANY(json), VARSIZE_ANY_EXHDR(json));
	pfree(json);
	pfree(DatumGetPointer(rec));
	heap_freetuple(tuple);
	MemoryContextSwitchTo(old);
}

/*
 * The owner of j's relation: its watchers' JSON is made as that role (the
 * stream's app chose its types), whoever sent the event.
 */
static Oid
junction_owner(Junction *j)
{
	HeapTuple tup = SearchSysCache1(RELOID, ObjectIdGetDatum(j->relid));
	Oid owner;

	if (!HeapTupleIsValid(tup))
		ereport(ERROR, (errcode(ERRCODE_UNDEFINED_TABLE),
						errmsg("stream \"%s\" no longer exists", j->name)));
	owner = ((Form_pg_class) GETSTRUCT(tup))->relowner;
	ReleaseSysCache(tup);
	return owner;
}

/*
 * An event to the sessions watching j (siddhi.subscribe), as JSON.  Making
 * the JSON can fail (a value whose text is too large, a type's output
 * function): the event then counts as overflowed for each watcher.
 */
void
deliver_to_watchers(Junction *j, TupleTableSlot *slot, int64 ts, bool expired)
{
	Delivery d = { j, NULL, slot, ts, expired };

	if (!delivery_unit(watchers_json, &d, &j->watch_log, "the subscribers", j,
					   junction_owner(j)))
		siddhi_subscription_deliver(MyDatabaseId, j->relid, expired, ts, NULL,
									0);
}

static void
hook_call(void *arg)
{
	Delivery *d = arg;

	d->h->fn(d->h->arg, d->slot, d->ts, d->expired);
}

/*
 * An event to a hook of the stream (a sink): a sink failing on an event
 * (its mapper refusing a null, a type's output function) loses that event
 * for that sink only.
 */
static void
hook_event(Junction *j, StreamHook *h, TupleTableSlot *slot, int64 ts,
		   bool expired)
{
	Delivery d = { j, h, slot, ts, expired };

	(void) delivery_unit(hook_call, &d, &h->log, "a sink", j, h->app->owner);
}

/*
 * Feed an incremental aggregation (incremental.c); an error (an overflow,
 * a time out of range, a failing function) skips the event for it only,
 * as for a query.
 */
static void
aggregation_event(SiddhiIncremental *inc, TupleTableSlot *slot, int64 ts)
{
	MemoryContext mcxt = CurrentMemoryContext;
	Oid save_user;
	int save_sec;
	int frame;

	if (aggregation_denied(inc))
		return;
	siddhi_batch_isolate();
	GetUserIdAndSecContext(&save_user, &save_sec);
	frame = siddhi_usercode_enter(siddhi_incremental_owner(inc));
	PG_TRY();
	{
		aggregation_check_read(inc);
		siddhi_incremental_feed(inc, slot, ts);
		siddhi_usercode_leave(frame, true);
		siddhi_batch_isolate();
	}
	PG_CATCH();
	{
		siddhi_usercode_leave(frame, false);
		aggregation_failed(inc, mcxt, save_user, save_sec);
	}
	PG_END_TRY();
}

/* Whether inc's owner was found unable to read its stream this batch. */
bool
aggregation_denied(SiddhiIncremental *inc)
{
	return agg_read_denied != NIL && list_member_ptr(agg_read_denied, inc);
}

/* Once a batch: may inc's owner still read the stream?  ERROR if not. */
void
aggregation_check_read(SiddhiIncremental *inc)
{
	MemoryContext old;

	if (list_member_ptr(agg_read_checked, inc))
		return;
	old = MemoryContextSwitchTo(batch_cxt);
	agg_read_checked = lappend(agg_read_checked, inc);
	agg_read_denied = lappend(agg_read_denied, inc);
	MemoryContextSwitchTo(old);
	check_may_read(siddhi_incremental_input(inc),
				   siddhi_incremental_owner(inc));
	agg_read_denied = list_delete_ptr(agg_read_denied, inc);
}

/*
 * In PG_CATCH of inc's unit, its user frame left: roll the unit back,
 * count the error against inc, and go on as save_user.
 */
void
aggregation_failed(SiddhiIncremental *inc, MemoryContext mcxt, Oid save_user,
				   int save_sec)
{
	ErrorData *edata = siddhi_batch_unit_failed(batch_cxt);

	SetUserIdAndSecContext(save_user, save_sec);
	MemoryContextSwitchTo(mcxt);
	siddhi_incremental_error(inc, edata, "event skipped");
}

void
junction_emit(Junction *j, TupleTableSlot *slot, int64 ts, int depth,
			  bool expired)
{
	ListCell *lc;
	int64 save_ts = siddhi_current_event_ts;
	uint64 save_event = j->event;

	siddhi_current_event_ts = ts;
	if (j->named)
	{
		named_window_add(j->named, slot, ts, depth);
		siddhi_current_event_ts = save_ts;
		return;
	}
	/* a new event: the conditions its readers share start unknown (a
	 * loop back into j delivers another one meanwhile, and restores ours) */
	j->event = ++j->events;
	/* watchers first: a query's output is seen before what it causes */
	if (siddhi_stream_watched(MyDatabaseId, j->relid))
		deliver_to_watchers(j, slot, ts, expired);
	foreach(lc, j->hooks)
		hook_event(j, lfirst(lc), slot, ts, expired);
	if (j->consumers != NIL)
		dispatch_emit(j, slot, ts, depth);
	if (!expired)
		foreach(lc, j->aggregations)
			aggregation_event(lfirst(lc), slot, ts);
	j->event = save_event;
	siddhi_current_event_ts = save_ts;
}

/*
 * A query's output chunk (out_chunk.c) reaches j: each of its watchers,
 * hooks, readers and aggregations takes the whole chunk, in the chunk's
 * order, before the next one takes any of it, as Siddhi's junction hands
 * a chunk to its receivers.  Each row is stored in slot in turn.  A named
 * window takes all the rows, then hands on what they made as one chunk.
 */
void
junction_emit_chunk(Junction *j, PendingOut *rows, int n, TupleTableSlot *slot,
					int depth)
{
	ListCell *lc;
	int64 save_ts = siddhi_current_event_ts;
	uint64 save_event = j->event;
	uint64 base;

	if (j->named)
	{
		named_window_add_chunk(j->named, rows, n, slot, depth);
		ExecClearTuple(slot);
		return;
	}
	if (n == 1)
	{
		for (int i = 0; i < n; i++)
		{
			out_row_store(&rows[i], slot);
			junction_emit(j, slot, rows[i].ts, depth, rows[i].expired);
		}
		ExecClearTuple(slot);
		return;
	}
	/* the rows are numbered at once: readers share conditions by number */
	base = j->events;
	j->events += n;
	if (siddhi_stream_watched(MyDatabaseId, j->relid))
		for (int i = 0; i < n; i++)
		{
			out_row_store(&rows[i], slot);
			siddhi_current_event_ts = rows[i].ts;
			deliver_to_watchers(j, slot, rows[i].ts, rows[i].expired);
		}
	foreach(lc, j->hooks)
	{
		StreamHook *h = lfirst(lc);

		for (int i = 0; i < n; i++)
		{
			out_row_store(&rows[i], slot);
			siddhi_current_event_ts = rows[i].ts;
			hook_event(j, h, slot, rows[i].ts, rows[i].expired);
		}
	}
	if (j->consumers != NIL)
		dispatch_emit_chunk(j, rows, n, slot, depth, base);
	foreach(lc, j->aggregations)
	{
		for (int i = 0; i < n; i++)
		{
			if (rows[i].expired)
				continue;
			out_row_store(&rows[i], slot);
			siddhi_current_event_ts = rows[i].ts;
			j->event = base + i + 1;
			aggregation_event(lfirst(lc), slot, rows[i].ts);
		}
	}
	ExecClearTuple(slot);
	j->event = save_event;
	siddhi_current_event_ts = save_ts;
}

/*
 * Whether a chunk of j goes to its readers and aggregations and nothing
 * else (no named window, hook or watcher), so that they can take it in
 * one step: one reader alone in query_step_chunk, unless its step must
 * end its frame after each event (a table operation), else all together
 * in readers_step_chunk.
 */
static bool
junction_readers_only(Junction *j)
{
	if (j->named || j->hooks != NIL ||
		(j->consumers == NIL && j->aggregations == NIL))
		return false;
	return !siddhi_stream_watched(MyDatabaseId, j->relid);
}

static bool
junction_one_reader(Junction *j)
{
	if (j->aggregations != NIL || list_length(j->consumers) != 1)
		return false;
	return !query_ends_in_table_op(linitial(j->consumers));
}

/* Rows written under another row type than j's are dropped, with a LOG. */
static bool
feed_sig_ok(Junction *j, uint32 desc_sig, int natts, uint32 nrows)
{
	if (desc_sig == j->desc_sig && natts == j->desc->natts)
		return true;
	ereport(LOG, (errcode(ERRCODE_SIDDHI_RUNTIME_ERROR),
				  errmsg("siddhi: %u events of stream \"%s\" written "
						 "under another definition of it were dropped",
						 nrows, j->name)));
	return false;
}

/*
 * Rows of a ring chunk are read in place, as the backend wrote them from
 * another core: the walk over them asks for the cache lines some rows
 * ahead (a row of a few attributes is about one line), which made the
 * filter benchmark's engine about 5 % faster (bench/RESULTS.md).
 */
#if defined(__GNUC__)
#define ring_prefetch(p) __builtin_prefetch((p) + 1536)
#else
#define ring_prefetch(p) ((void) 0)
#endif

void
siddhi_runtime_feed_chunk(Oid relid, uint32 desc_sig, const char *rows,
						  uint32 nrows)
{
	Junction *j;
	const char *p = rows;
	int64 last_ts = 0;

	if (junctions == NULL)
		return;
	if (!OidIsValid(relid))
	{
		/* siddhi.advance_clock(): rows carry only a time */
		for (uint32 i = 0; i < nrows; i++)
		{
			const SiddhiRowHeader *row = (const SiddhiRowHeader *) p;
			const SiddhiClockRequest *req =
				(const SiddhiClockRequest *) (p + MAXALIGN(sizeof(
													  SiddhiRowHeader)));

			if (row->length == sizeof(SiddhiClockRequest))
				siddhi_runtime_advance_playback(row->timestamp, req->userid,
												req->app);
			p += MAXALIGN(sizeof(SiddhiRowHeader)) + MAXALIGN(row->length);
		}
		return;
	}
	j = hash_search(junctions, &relid, HASH_FIND, NULL);
	if (j == NULL || !feed_sig_ok(j, desc_sig, j->desc->natts, nrows))
		return;
	if (junction_readers_only(j))
	{
		int64 max_ts = PG_INT64_MIN;

		/* its readers take the chunk in one step, read in place */
		for (uint32 i = 0; i < nrows; i++)
		{
			const SiddhiRowHeader *row = (const SiddhiRowHeader *) p;

			/* the backend wrote the rows from another core: ask for the
			 * lines ahead while this one is read */
			ring_prefetch(p);
			last_ts = row->timestamp;
			max_ts = Max(max_ts, last_ts);
			p += MAXALIGN(sizeof(SiddhiRowHeader)) + MAXALIGN(row->length);
		}
		if (!junction_one_reader(j))
		{
			ChunkRows cr = { .ring = rows };

			/* each event to each of its readers in turn (dispatch.c) */
			readers_step_chunk(j, &cr, nrows);
			junction_input_end(j, last_ts, 0);
			return;
		}
		if (nrows > 0)
			dispatch_note_time(j, max_ts);
		query_step_chunk(linitial(j->consumers), j, rows, nrows);
		junction_input_end(j, last_ts, 0);
		return;
	}
	for (uint32 i = 0; i < nrows; i++)
	{
		const SiddhiRowHeader *row = (const SiddhiRowHeader *) p;
		MinimalTuple tuple =
			(MinimalTuple) (p + MAXALIGN(sizeof(SiddhiRowHeader)));

		ring_prefetch(p);
		playback_arrival(j, row->timestamp);
		siddhi_slot_put_minimal(j->slot, tuple);
		junction_emit(j, j->slot, row->timestamp, 0, false);
		siddhi_slot_empty(j->slot);
		p += MAXALIGN(sizeof(SiddhiRowHeader)) + MAXALIGN(row->length);
		last_ts = row->timestamp;
	}
	junction_input_end(j, last_ts, 0);
}

/*
 * A source's mapped events, as values (natts per row, row after row):
 * each is stored in the junction's slot as a virtual tuple, so no tuple
 * is formed per event only to be deformed by the first query.
 */
void
siddhi_runtime_feed_values(Oid relid, uint32 desc_sig, int natts,
						   const Datum *values, const bool *nulls,
						   const int64 *ts, uint32 nrows)
{
	Junction *j =
		junctions ? hash_search(junctions, &relid, HASH_FIND, NULL) : NULL;
	ChunkRows cr = { NULL, natts, values, nulls, ts };

	if (j == NULL || nrows == 0 || !feed_sig_ok(j, desc_sig, natts, nrows))
		return;
	if (junction_readers_only(j))
	{
		/* its readers take the chunk in one step, as a ring chunk's */
		readers_step_chunk(j, &cr, nrows);
		junction_input_end(j, ts[nrows - 1], 0);
		return;
	}
	for (uint32 i = 0; i < nrows; i++)
	{
		chunk_row_store_values(j->slot, &cr, i);
		playback_arrival(j, ts[i]);
		junction_emit(j, j->slot, ts[i], 0, false);
		ExecClearTuple(j->slot);
	}
	junction_input_end(j, ts[nrows - 1], 0);
}

/*
 * What q sent to its output stream since its input chunk last ended forms
 * one chunk there: end it, so that windows downstream that batch by chunk
 * (batch()) see the chunks Siddhi would pass them.
 */
void
query_output_end(QueryRuntime *q, int64 now, int depth)
{
	if (q->join_main)
		q = q->join_main;
	if (q->pattern_main)
		q = q->pattern_main;
	if (!q->sent_out)
		return;
	q->sent_out = false;
	if (q->output)
		junction_input_end(q->output, now, depth + 1);
}

/*
 * The chunk of events j delivered has ended (a chunk from the ring, or
 * one step of the queries upstream): windows that batch by chunk flush
 * (the clock is now, or the app's clock in playback), and what the
 * queries sent on ends its chunk downstream.
 */
void
junction_input_end(Junction *j, int64 now, int depth)
{
	ListCell *lc;

	if (depth > MAX_CHAIN_DEPTH)
		return; /* a loop between queries; query_step reports it */
	dispatch_credit(j);
	if (j->named && siddhi_window_wants_input_end(j->named->window))
	{
		NamedWindow *nw = j->named;
		int64 save_ts = siddhi_current_event_ts;
		int64 clock = nw->app->playback ? nw->app->clock : now;

		siddhi_current_event_ts = clock;
		playback_clock = nw->app->playback ? nw->app->clock : 0;
		nw->depth = depth;
		nw->st.dirty = true;
		siddhi_window_input_end(nw->window, clock, named_window_event, nw);
		named_window_chunk_end(nw);
		siddhi_current_event_ts = save_ts;
	}
	foreach(lc, j->consumers)
	{
		QueryRuntime *q = lfirst(lc);

		if (q->window && siddhi_window_wants_input_end(q->window))
			query_step(q, STEP_INPUT_END, NULL,
					   q->app->playback ? q->app->clock : now, depth,
					   SIDDHI_EVENT_CHUNK_END, false);
		query_output_end(q, now, depth);
	}
}
