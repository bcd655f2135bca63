/*-------------------------------------------------------------------------
 *
 * query_chunk.c
 *	  A query taking a whole chunk in one step, one error boundary and one
 *	  user frame: a chunk from the ring when the query is its stream's
 *	  only reader (query_step_chunk), or a query's output chunk for each
 *	  reader of its stream (query_step_rows).
 *
 *-------------------------------------------------------------------------
 */
#include "runtime_int.h"
#include "dispatch.h"
#include "siddhi/minslot.h"

/*
 * What the event just stepped wrote in the database (a function it called
 * inserting into a table or a stream) stays, whatever a later event of
 * the chunk does: the unit ends after it, when it wrote anything (one test
 * when it did not), and the next event begins a new one.
 */
static inline void
keep_writes(Oid owner, volatile int *frame)
{
	/* the common case, nothing written, in one call */
	if (likely(!TransactionIdIsValid(GetCurrentTransactionIdIfAny())) ||
		!siddhi_batch_wrote())
		return;
	siddhi_usercode_leave(*frame, true);
	siddhi_batch_isolate();
	*frame = siddhi_usercode_enter(owner);
}

/*
 * A query's output chunk for reader q (not in a partition), from junction
 * j: its rows (numbers[i] their numbers there, for shared conditions;
 * without numbers, base + i + 1), all
 * in one step, then the chunk's end: a batch() window emits what the chunk
 * brought, the selector what waits for the end, and what q sent goes on as
 * one chunk.  An error skips the row it happened at, as query_step does
 * for an event of a chunk that goes on (the query forgets the chunk it was
 * in the middle of, and what that row sent), and the rest go on in a new
 * unit.  When q is busy (a loop brought the chunk back) each row waits its
 * turn, then the end.  With kinds, a row keeps its kind (a named window's
 * expired events); else every row is current (a stream's).
 */
void
query_step_rows(QueryRuntime *q, Junction *j, PendingOut *rows, int n,
				const uint64 *numbers, uint64 base, TupleTableSlot *slot,
				int depth, bool kinds)
{
	QueryRuntime *owner = query_owner(q);
	int64 save_ts = siddhi_current_event_ts;
	uint64 save_event = j->event;
	volatile int i = 0;
	volatile bool ended = false;

	/* the owner may not read the input: reported once, at the first event */
	if (q->read_denied && q->read_checked == batch_seq)
		return;
	if (!reentry_enter(&owner->reentry))
	{
		for (int k = 0; k < n; k++)
		{
			out_row_store(&rows[k], slot);
			reentry_defer(&owner->reentry, owner, q, STEP_EVENT, slot,
						  rows[k].ts, depth, ROW_KIND(rows[k], kinds), false);
		}
		if (q->window && siddhi_window_wants_input_end(q->window))
			reentry_defer(&owner->reentry, owner, q, STEP_INPUT_END, NULL,
						  q->app->playback ? q->app->clock : siddhi_now_ms(),
						  depth, SIDDHI_EVENT_CHUNK_END, false);
		reentry_defer(&owner->reentry, owner, q, STEP_CHUNK_END, NULL, 0,
					  depth, SIDDHI_EVENT_CHUNK_END, false);
		return;
	}
	q->st.dirty = true;
	while (!ended)
	{
		MemoryContext mcxt = CurrentMemoryContext;
		Oid save_user;
		int save_sec;
		volatile int frame;

		siddhi_batch_isolate();
		GetUserIdAndSecContext(&save_user, &save_sec);
		frame = siddhi_usercode_enter(q->owner);
		PG_TRY();
		{
			query_check_read(q);
			for (; i < n; i++)
			{
				uint64 timed;

				if (depth > MAX_CHAIN_DEPTH)
					ereport(ERROR,
							(errcode(ERRCODE_SIDDHI_RUNTIME_ERROR),
							 errmsg("event went through more than %d chained "
									"queries",
									MAX_CHAIN_DEPTH),
							 errhint("Queries that insert into each other's "
									 "input streams form a loop.")));
				out_row_store(&rows[i], slot);
				siddhi_current_event_ts = rows[i].ts;
				j->event = numbers ? numbers[i] : base + i + 1;
				timed = siddhi_stats_event(q->stats, rows[i].ts);
				if (q->app->playback && rows[i].ts > q->app->clock)
					q->app->clock = rows[i].ts;
				playback_clock = q->app->playback ? q->app->clock : 0;
				query_event(q, slot, rows[i].ts, depth,
							ROW_KIND(rows[i], kinds), false);
				out_chunk_step_done(owner);
				if (timed)
					siddhi_stats_event_done(q->stats, timed);
				keep_writes(q->owner, &frame);
			}
			/* the chunk's end */
			if (q->window && siddhi_window_wants_input_end(q->window))
			{
				WindowEventArg wa = { q, depth };
				int64 now = q->app->playback ? q->app->clock : siddhi_now_ms();

				siddhi_current_event_ts = now;
				siddhi_window_input_end(q->window, now, window_event, &wa);
			}
			query_chunk_end(q, depth);
			out_chunk_flush(owner);
			ended = true;
			query_reset_memory(q);
			siddhi_usercode_leave(frame, true);
			siddhi_batch_isolate();
		}
		PG_CATCH();
		{
			query_step_failed(q, frame, mcxt, save_user, save_sec);
			if (i < n)
				i++; /* that row is skipped */
			else
				ended = true; /* the chunk's end failed */
		}
		PG_END_TRY();
	}
	/* after a failure at the end, what the rows before sent still goes */
	if (owner->outc.n > 0)
		out_chunk_flush_alone(owner);
	j->event = save_event;
	siddhi_current_event_ts = save_ts;
	reentry_leave(&owner->reentry);
	reentry_drain_query(owner);
}

/*
 * A partition's keys ahead of their rows: the key of row i + AHEAD_ROWS is
 * hashed and its place in the key map fetched, and the instance of row
 * i + 1's key fetched; the caller hands row i's hash to its routing
 * (partition.c says why).
 */
#define AHEAD_ROWS 2

/* The chunk's row at *p into j->ahead; *p moves to the next row. */
static inline void
row_ahead(Junction *j, const char **p)
{
	const SiddhiRowHeader *row = (const SiddhiRowHeader *) *p;

	siddhi_slot_put_minimal(
		j->ahead, (MinimalTuple) (*p + MAXALIGN(sizeof(SiddhiRowHeader))));
	*p += MAXALIGN(sizeof(SiddhiRowHeader)) + MAXALIGN(row->length);
}

static void
keys_ahead(QueryRuntime *q, Junction *j, uint32 i, uint32 nrows,
		   const char **ahead_p, uint32 *ahead_i, uint64 *hashes, bool *hashed)
{
	SiddhiPartitionRuntime *rt = q->apart->rt;

	while (*ahead_i < nrows && *ahead_i <= i + AHEAD_ROWS)
	{
		int k = *ahead_i % (AHEAD_ROWS + 1);

		row_ahead(j, ahead_p);
		hashed[k] = siddhi_partition_key_ahead(rt, q->input->relid, j->ahead,
											   &hashes[k]);
		siddhi_slot_empty(j->ahead);
		(*ahead_i)++;
	}
	if (i + 1 < nrows && hashed[(i + 1) % (AHEAD_ROWS + 1)])
		siddhi_partition_prefetch_key(rt, hashes[(i + 1) % (AHEAD_ROWS + 1)]);
}

/* A table join's: the lookup of row i + AHEAD_ROWS warmed (join.h). */
static void
lookups_ahead(QueryRuntime *q, Junction *j, uint32 i, uint32 nrows,
			  const char **ahead_p, uint32 *ahead_i)
{
	while (*ahead_i < nrows && *ahead_i <= i + AHEAD_ROWS)
	{
		row_ahead(j, ahead_p);
		if (*ahead_i > i)
			siddhi_join_prefetch_key(q->join, j->ahead);
		siddhi_slot_empty(j->ahead);
		(*ahead_i)++;
	}
}

/*
 * A chunk from the ring for a query that is its stream's only reader (no
 * watcher, hook, aggregation or named window; no table operation; a
 * partition's query routes each event to its keys): the whole chunk in
 * one step, one error
 * boundary and one user frame instead of one per event.  An error skips
 * the event it happened at, as query_step does: the unit is rolled back
 * (the events before it have done their work in the database in units of
 * their own, the queries downstream and table flushes; their effects in
 * memory stay, as they would one step each), the error is counted, and the
 * rest of the chunk goes on in a new step.  In playback each event first
 * moves the app's clock (playback_arrival), as it does one step each.
 */
void
query_step_chunk(QueryRuntime *q, Junction *j, const char *rows, uint32 nrows)
{
	TupleTableSlot *slot = j->slot;
	const char *volatile p = rows;
	volatile uint32 i = 0;
	int64 save_ts = siddhi_current_event_ts;
	uint64 save_event = j->event;
	QueryRuntime *owner = query_owner(q);
	volatile bool entered = false;
	/* its own step lets time pass for it (timers.c) */
	bool expiry_in_step = query_expiry_in_step(q);

	while (i < nrows)
	{
		MemoryContext mcxt = CurrentMemoryContext;
		Oid save_user;
		int save_sec;
		volatile int frame;
		uint64 timed;

		/* the owner may not read the input: reported once, at the first */
		if (q->read_denied && q->read_checked == batch_seq)
		{
			/* the events still move a playback app's clock */
			for (; i < nrows && q->app->playback; i++)
			{
				const SiddhiRowHeader *row = (const SiddhiRowHeader *) p;

				p += MAXALIGN(sizeof(SiddhiRowHeader)) + MAXALIGN(row->length);
				playback_arrival(j, row->timestamp);
			}
			break;
		}
		q->st.dirty = true;
		siddhi_batch_isolate();
		GetUserIdAndSecContext(&save_user, &save_sec);
		frame = siddhi_usercode_enter(q->owner);
		PG_TRY();
		{
			/* a partition's keys, looked at ahead (partition.c) */
			bool ahead =
				q->apart != NULL && !q->inner_input && nrows - i > 1 &&
				siddhi_partition_keys_ahead(q->apart->rt, q->input->relid);
			const char *ahead_p = p;
			uint32 ahead_i = i;
			uint64 hashes[AHEAD_ROWS + 1];
			bool hashed[AHEAD_ROWS + 1];

			/* a table join's lookups, warmed ahead (join_lookup.c) */
			bool join_ahead = q->join != NULL && nrows - i > 1 &&
							  siddhi_join_prefetches(q->join);
			const char *join_p = p;
			uint32 join_i = i;

			query_check_read(q);
			for (; i < nrows; i++)
			{
				const SiddhiRowHeader *row = (const SiddhiRowHeader *) p;
				MinimalTuple tuple =
					(MinimalTuple) (p + MAXALIGN(sizeof(SiddhiRowHeader)));

				p += MAXALIGN(sizeof(SiddhiRowHeader)) + MAXALIGN(row->length);
				if (ahead)
					keys_ahead(q, j, i, nrows, &ahead_p, &ahead_i, hashes,
							   hashed);
				if (join_ahead)
					lookups_ahead(q, j, i, nrows, &join_p, &join_i);
				if (q->app->playback)
				{
					q->app->arrival_query = expiry_in_step ? q : NULL;
					playback_arrival(j, row->timestamp);
					q->app->arrival_query = NULL;
					if (row->timestamp > q->app->clock)
						q->app->clock = row->timestamp;
					playback_clock = q->app->clock;
				}
				else
				{
					arrival_seq++;
					playback_clock = 0;
				}
				siddhi_slot_put_minimal(slot, tuple);
				siddhi_current_event_ts = row->timestamp;
				timed = siddhi_stats_event(q->stats, row->timestamp);
				/* numbered: places of q that share an expression share it */
				if (q->app->nsexprs > 0)
					j->event = ++j->events;
				/* (the ring's loop steps nothing else around this) */
				if (!reentry_enter(&owner->reentry))
					elog(ERROR, "query \"%s\" is already at work", q->name);
				entered = true;
				if (q->apart)
				{
					/* taken at once: nothing routes before it */
					q->apart->ahead_valid =
						ahead && hashed[i % (AHEAD_ROWS + 1)];
					if (q->apart->ahead_valid)
						q->apart->ahead_hash = hashes[i % (AHEAD_ROWS + 1)];
					partition_event(q, slot, row->timestamp, 0,
									SIDDHI_EVENT_CURRENT, true);
				}
				else
					query_event(q, slot, row->timestamp, 0,
								SIDDHI_EVENT_CURRENT, true);
				out_chunk_flush(owner);
				if (timed)
					siddhi_stats_event_done(q->stats, timed);
				query_reset_memory(q);
				siddhi_slot_empty(slot);
				/* what the event brought back goes through before the next */
				reentry_leave(&owner->reentry);
				entered = false;
				reentry_drain_query(owner);
				keep_writes(q->owner, &frame);
			}
			siddhi_usercode_leave(frame, true);
			siddhi_batch_isolate();
		}
		PG_CATCH();
		{
			q->app->arrival_query = NULL;
			query_step_failed(q, frame, mcxt, save_user, save_sec);
			siddhi_slot_empty(slot);
			/* a partition's key goes back to none, as between steps */
			q->chunk_key = NULL;
			if (q->apart)
				partition_enter(q->apart, NULL);
			i++; /* p already points past the failing event */
			if (entered)
				reentry_leave(&owner->reentry);
			entered = false;
		}
		PG_END_TRY();
		reentry_drain_query(owner);
	}
	j->event = save_event;
	siddhi_current_event_ts = save_ts;
}

/*
 * The user frame for the code of app (a query's app, or an aggregation),
 * run as owner: the frame of the visit before when it was the same app's,
 * else a new one, so that what one app's code sets is never seen by
 * another's.
 */
static inline void
frame_for(const void *app, Oid owner, volatile int *frame,
		  const void *volatile *frame_app)
{
	if (*frame >= 0 && app == *frame_app)
		return;
	if (*frame >= 0)
	{
		siddhi_usercode_leave(*frame, true);
		siddhi_batch_isolate();
	}
	*frame = siddhi_usercode_enter(owner);
	*frame_app = app;
}

/* Reader q's step of the event in slot, in the frame of q's owner. */
static inline void
reader_visit(QueryRuntime *q, TupleTableSlot *slot, int64 ts)
{
	QueryRuntime *owner = query_owner(q);
	uint64 timed;

	q->st.dirty = true;
	query_check_read(q);
	timed = siddhi_stats_event(q->stats, ts);
	if (q->app->playback && ts > q->app->clock)
		q->app->clock = ts;
	playback_clock = q->app->playback ? q->app->clock : 0;
	siddhi_current_event_ts = ts;
	if (q->apart)
		partition_event(q, slot, ts, 0, SIDDHI_EVENT_CURRENT, true);
	else if (q->plain)
		query_event_plain(q, slot, ts, 0); /* as query_event would */
	else
		query_event(q, slot, ts, 0, SIDDHI_EVENT_CURRENT, true);
	out_chunk_flush(owner);
	if (timed)
		siddhi_stats_event_done(q->stats, timed);
	query_reset_memory(q);
}

/*
 * A chunk from the ring for a stream's readers and incremental
 * aggregations, and nothing else (junction.c: no named window, hook or
 * watcher): each event goes to the readers the dispatch index chooses, in
 * their order, then to the aggregations, as junction_emit hands it
 * (Siddhi's order: each event from the ring is a chunk of its own), but
 * all in one error boundary and one user frame per owner, where each
 * reader's step of each event had its own: for a cheap query the
 * boundary, the frame and the unit around it cost twice its work
 * (bench/RESULTS.md, shared_filter_20).
 *
 * An error skips that event for that reader or aggregation only, as
 * query_step does: the unit is rolled back (what the visits before it
 * wrote in the database is in units of their own: keep_writes after each
 * visit, and the queries downstream isolate theirs), the error counted
 * against it, what it sent forgotten, and the event goes on to the next
 * one in a new unit.  A setting an expression changes with
 * set_config(.., true) lasts until the frame ends: the end of the chunk,
 * or the next visit of another app or of an aggregation (frame_for).  A
 * table operation's visit ends the frame (query_ends_in_table_op).
 */
void
readers_step_chunk(Junction *j, const ChunkRows *rows, uint32 nrows)
{
	TupleTableSlot *slot = j->slot;
	int nall = list_length(j->consumers);
	int naggs = list_length(j->aggregations);
	int *pos = MemoryContextAlloc(batch_cxt, sizeof(int) * Max(nall, 1));
	const char *volatile p = rows->ring;
	volatile uint32 i = 0;
	/* event i's readers (npos of them, then the aggregations), the next */
	volatile int npos = 0;
	volatile int k = 0;
	volatile bool arrived = false;
	volatile uint64 ev = 0;
	volatile int64 ts = 0;
	int64 save_ts = siddhi_current_event_ts;
	uint64 save_event = j->event;

	while (i < nrows)
	{
		MemoryContext mcxt = CurrentMemoryContext;
		Oid save_user;
		int save_sec;
		volatile int frame = -1;
		const void *volatile frame_app = NULL;
		/* at work: a reader, or an aggregation */
		QueryRuntime *volatile q = NULL;
		SiddhiIncremental *volatile inc = NULL;
		QueryRuntime *volatile failed = NULL;
		volatile bool entered = false;

		siddhi_batch_isolate();
		GetUserIdAndSecContext(&save_user, &save_sec);
		PG_TRY();
		{
			int n;
			uint64 e;
			int64 t;

			for (; i < nrows; i++)
			{
				if (!arrived)
				{
					uint64 evn = 0;

					if (p != NULL)
					{
						const SiddhiRowHeader *row =
							(const SiddhiRowHeader *) p;
						MinimalTuple tuple =
							(MinimalTuple) (p +
											MAXALIGN(sizeof(SiddhiRowHeader)));

						p += MAXALIGN(sizeof(SiddhiRowHeader)) +
							 MAXALIGN(row->length);
						ts = row->timestamp;
						/* the clocks of the playback apps move first */
						playback_arrival(j, ts);
						siddhi_slot_put_minimal(slot, tuple);
					}
					else
					{
						/* a source's mapped values, as a virtual tuple */
						chunk_row_store_values(slot, rows, i);
						ts = rows->ts[i];
						playback_arrival(j, ts);
					}
					siddhi_current_event_ts = ts;
					/* numbered: readers share conditions by number */
					j->event = ++j->events;
					npos =
						nall > 0 ? dispatch_choose(j, slot, ts, pos, &evn) : 0;
					ev = evn;
					k = 0;
					arrived = true;
				}
				/* event i's, in registers from here on */
				n = npos;
				e = ev;
				t = ts;
				for (; k < n; k++)
				{
					QueryRuntime *r = dispatch_reader(j, pos[k], e);
					QueryRuntime *owner = query_owner(r);

					/* the owner may not read the input: once, at the first */
					if (r->read_denied && r->read_checked == batch_seq)
						continue;
					/* a loop brought it back: the event waits its turn */
					if (!reentry_enter(&owner->reentry))
					{
						reentry_defer(&owner->reentry, owner, r, STEP_EVENT,
									  slot, t, 0, SIDDHI_EVENT_CURRENT, true);
						continue;
					}
					q = r;
					entered = true;
					frame_for(r->app, r->owner, &frame, &frame_app);
					reader_visit(r, slot, t);
					reentry_leave(&owner->reentry);
					entered = false;
					reentry_drain_query(owner);
					if (query_ends_in_table_op(r))
					{
						siddhi_usercode_leave(frame, true);
						frame = -1;
						siddhi_batch_isolate();
					}
					else
						keep_writes(r->owner, &frame);
					q = NULL;
				}
				for (; k < n + naggs; k++)
				{
					SiddhiIncremental *a = list_nth(j->aggregations, k - n);

					if (aggregation_denied(a))
						continue;
					inc = a;
					frame_for(a, siddhi_incremental_owner(a), &frame,
							  &frame_app);
					aggregation_check_read(a);
					siddhi_current_event_ts = t;
					siddhi_incremental_feed(a, slot, t);
					keep_writes(siddhi_incremental_owner(a), &frame);
					inc = NULL;
				}
				siddhi_slot_empty(slot);
				arrived = false;
			}
			if (frame >= 0)
				siddhi_usercode_leave(frame, true);
			siddhi_batch_isolate();
		}
		PG_CATCH();
		{
			if (q != NULL)
			{
				/* the reader's step failed: the event goes on to the next */
				query_step_failed(q, frame, mcxt, save_user, save_sec);
				q->chunk_key = NULL;
				if (q->apart)
					partition_enter(q->apart, NULL);
				if (entered)
					reentry_leave(&query_owner(q)->reentry);
				failed = q;
				k++;
			}
			else if (inc != NULL)
			{
				/* the aggregation's: the same */
				if (frame >= 0)
					siddhi_usercode_leave(frame, false);
				aggregation_failed(inc, mcxt, save_user, save_sec);
				k++;
			}
			else
			{
				/* before any visit (the clocks, the choice): the event is
				 * lost for all, counted against the first reader */
				if (frame >= 0)
					siddhi_usercode_leave(frame, false);
				if (nall > 0)
					query_failed(linitial(j->consumers), mcxt, save_user,
								 save_sec);
				else
					aggregation_failed(linitial(j->aggregations), mcxt,
									   save_user, save_sec);
				siddhi_slot_empty(slot);
				arrived = false;
				i++;
			}
		}
		PG_END_TRY();
		if (failed != NULL)
		{
			QueryRuntime *owner = query_owner(failed);

			/* what the failed step's query sent before still goes */
			if (owner->outc.n > 0)
				out_chunk_flush_alone(owner);
			reentry_drain_query(owner);
		}
	}
	j->event = save_event;
	siddhi_current_event_ts = save_ts;
}
