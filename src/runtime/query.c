/*-------------------------------------------------------------------------
 *
 * query.c
 *	  The query chain: one step of a query (its error boundary and user
 *	  frame), filters, deduplicate, window, join and pattern, and the
 *	  hand-over of its rows to the rate limiter and the output.
 *
 *-------------------------------------------------------------------------
 */
#include "runtime_int.h"
#include "siddhi/minslot.h"

/* the clock of the app whose query runs, when it is in playback; else 0 */
int64 playback_clock = 0;

/*
 * Counts the input arrivals and the clock's moves (playback_arrival,
 * timers): a window whose time passes between chunks only is caught up
 * once per arrival (window_catch_up).  It starts past the 0 that a new
 * window or pattern state holds, so that nothing counts as caught up
 * before its first catch-up.
 */
uint64 arrival_seq = 1;

static void query_error(QueryRuntime *q, ErrorData *edata);
static void query_table_op(QueryRuntime *q, TupleTableSlot *out);
static void rate_emit(void *arg, MinimalTuple tuple, int64 ts,
					  SiddhiEventKind kind, const char *key, Size keylen);
static void rate_catch_up(QueryRuntime *q, int64 now, int depth);
static void query_snapshot_row(QueryRuntime *q, int64 ts, int depth);
static void query_rate_remember(QueryRuntime *q, TupleTableSlot *slot,
								int64 ts, int depth, SiddhiEventKind kind);
static void join_row(void *arg, TupleTableSlot *row, int64 ts,
					 SiddhiEventKind kind);
static SiddhiWindow *join_side_contents(QueryRuntime *side);
static bool query_drops_kind(QueryRuntime *q, SiddhiEventKind kind);
static void query_join(QueryRuntime *q, TupleTableSlot *slot, int64 ts,
					   int depth, SiddhiEventKind kind);
static void query_emit(QueryRuntime *q, TupleTableSlot *slot, int64 ts,
					   int depth, SiddhiEventKind kind);
static void query_emit_row(QueryRuntime *q, TupleTableSlot *slot, int64 ts,
						   int depth, SiddhiEventKind kind);
static int64 window_long(WindowArgs *wa, ExprState *e, ExprContext *econtext,
						 const char *what);
static void window_catch_up(QueryRuntime *q, int64 now, int depth);
static bool query_dedup_admit(QueryRuntime *q, int64 ts);
static void pattern_emit(void *arg, TupleTableSlot *row, int64 ts);
static void selector_emit(void *arg, TupleTableSlot *row, int64 ts,
						  SiddhiEventKind kind, const char *key, Size keylen);
static void query_pattern_event(QueryRuntime *q, TupleTableSlot *slot,
								int64 ts, int depth);

/*
 * An error of query q (already rolled back): count it, with its message
 * as the query's last error, and log it, at most once per
 * siddhi.error_log_interval for the query.  Frees edata.
 */
static void
query_error(QueryRuntime *q, ErrorData *edata)
{
	int64 unlogged;
	/* a join's or pattern's other side logs as its query */
	QueryRuntime *logq = q->join_main	   ? q->join_main
						 : q->pattern_main ? q->pattern_main
										   : q;

	siddhi_stats_error(q->stats, edata->message);
	if (siddhi_error_log_due(&logq->errlog, &unlogged))
		ereport(LOG,
				(errcode(ERRCODE_SIDDHI_RUNTIME_ERROR),
				 errmsg("siddhi app \"%s\", query \"%s\": %s (event skipped)",
						q->app->name, q->name, edata->message),
				 siddhi_errdetail_unlogged(unlogged)));
	FreeErrorData(edata);
}

/*
 * Called in PG_CATCH of a unit of work of query q: roll its work back
 * (siddhi_batch_unit_failed), count and log the error, and go on as
 * save_user.
 */
void
query_failed(QueryRuntime *q, MemoryContext mcxt, Oid save_user, int save_sec)
{
	ErrorData *edata = siddhi_batch_unit_failed(batch_cxt);

	SetUserIdAndSecContext(save_user, save_sec);
	MemoryContextSwitchTo(mcxt);
	query_error(q, edata);
}

/*
 * A table operation is a unit of work of its own: when it fails, only its
 * effects are rolled back and the output row is not counted as out; the
 * query goes on with its next row.
 */
static void
query_table_op(QueryRuntime *q, TupleTableSlot *out)
{
	MemoryContext mcxt = CurrentMemoryContext;
	Oid save_user;
	int save_sec;
	volatile bool done = true;

	GetUserIdAndSecContext(&save_user, &save_sec);
	siddhi_batch_isolate();
	PG_TRY();
	{
		siddhi_table_op_apply(q->table_op, out);
		siddhi_batch_isolate();
	}
	PG_CATCH();
	{
		query_failed(q, mcxt, save_user, save_sec);
		done = false;
	}
	PG_END_TRY();
	if (done)
		siddhi_stats_count(q->stats, 0, 1);
}

/*
 * Send an output row to the query's table or stream, past any limiter.
 * It counts as out when it reaches the stream, or once it is written.
 */
void
query_deliver(QueryRuntime *q, TupleTableSlot *out, int64 ts, int depth,
			  SiddhiEventKind kind)
{
	OP_IN(q, SIDDHI_OP_OUTPUT);
	if (q->table_op)
	{
		/* at once, after the rows buffered for the table (table_ops.c) */
		sink_flush(q->table_relid);
		query_table_op(q, out);
	}
	else if (OidIsValid(q->table_relid))
		sink_buffer(q, out);
	else
	{
		siddhi_stats_count(q->stats, 0, 1);
		q->sent_out = true;
		/* out with the rest of the step's rows, as one chunk */
		out_chunk_add(q, out, ts, depth, kind == SIDDHI_EVENT_EXPIRED);
	}
}

/* Callback of the rate limiter: a row it lets go. */
static void
rate_emit(void *arg, MinimalTuple tuple, int64 ts, SiddhiEventKind kind,
		  const char *key, Size keylen)
{
	RateEmitArg *ra = arg;
	QueryRuntime *q = ra->q;

	if (kind == SIDDHI_EVENT_CHUNK_END)
	{
		/* a snapshot's period: its rows go on as a chunk of their own */
		out_chunk_flush(query_owner(q));
		return;
	}
	OP_OUT(q, SIDDHI_OP_RATE, kind);
	ExecStoreMinimalTuple(tuple, q->rate_slot, false);
	if (siddhi_rate_is_snapshot(q->rate))
		query_snapshot_row(q, ts, ra->depth);
	else
		query_deliver(q, q->rate_slot, ts, ra->depth, kind);
	ExecClearTuple(q->rate_slot);
}

/*
 * An output row of the query: through its rate limiter, if it has one (a
 * snapshot limiter is fed from the window instead: the row is dropped).
 */
void
query_send(QueryRuntime *q, TupleTableSlot *out, int64 ts, int depth,
		   SiddhiEventKind kind, const char *key, Size keylen)
{
	RateEmitArg ra = { q, depth };
	MinimalTuple t;
	bool should_free;

	if (q->rate == NULL)
	{
		query_deliver(q, out, ts, depth, kind);
		return;
	}
	if (siddhi_rate_is_snapshot(q->rate))
		return;
	OP_IN(q, SIDDHI_OP_RATE);
	t = ExecFetchSlotMinimalTuple(out, &should_free);
	siddhi_rate_offer(q->rate, t, ts, kind, key, keylen,
					  q->app->playback ? q->app->clock : siddhi_now_ms(),
					  rate_emit, &ra);
	if (should_free)
		pfree(t);
}

/* Let time pass for a query's rate limiter, if something is due by now. */
static void
rate_catch_up(QueryRuntime *q, int64 now, int depth)
{
	RateEmitArg ra = { q, depth };
	int64 due;

	if (q->rate == NULL)
		return;
	due = siddhi_rate_deadline(q->rate);
	if (due >= 0 && now < due)
		return;
	siddhi_rate_advance(q->rate, now, rate_emit, &ra);
}

/* The selector's snapshot row: to the output, past the limiter. */
static void
snapshot_deliver(void *arg, TupleTableSlot *row, int64 ts,
				 SiddhiEventKind kind, const char *key, Size keylen)
{
	RateEmitArg *ra = arg;

	query_deliver(ra->q, row, ts, ra->depth, kind);
}

/*
 * A snapshot row: project the input event the limiter kept, with the
 * aggregate values its group has now, check having, and send it.
 */
static void
query_snapshot_row(QueryRuntime *q, int64 ts, int depth)
{
	RateEmitArg ra = { q, depth };

	siddhi_selector_snapshot(q->sel, q->rate_slot, ts, snapshot_deliver, &ra);
}

/*
 * Snapshots: hand an event leaving the window to the limiter, once a
 * period that ended by its time has had its snapshot (before the selector
 * takes the event in: the snapshot shows the aggregates as they were).
 */
static void
query_rate_remember(QueryRuntime *q, TupleTableSlot *slot, int64 ts, int depth,
					SiddhiEventKind kind)
{
	RateEmitArg ra = { q, depth };
	bool should_free;
	MinimalTuple t;
	Size keylen;
	const char *key;

	siddhi_rate_before_event(q->rate, ts, rate_emit, &ra);
	q->econtext->ecxt_scantuple = slot;
	key = siddhi_selector_group_key(q->sel, &keylen);
	OP_IN(q, SIDDHI_OP_RATE);
	t = ExecFetchSlotMinimalTuple(slot, &should_free);
	siddhi_rate_remember(q->rate, t, ts, kind, key, keylen);
	if (should_free)
		pfree(t);
}

/* Callback of siddhi_join_arrive: a joined row goes on through q. */
static void
join_row(void *arg, TupleTableSlot *row, int64 ts, SiddhiEventKind kind)
{
	JoinRowArg *a = arg;

	OP_OUT(a->q, SIDDHI_OP_JOIN, kind);
	query_emit_row(a->q, row, ts, a->depth, kind);
}

/* What a join side holds: its window, its named window's, or nothing. */
static SiddhiWindow *
join_side_contents(QueryRuntime *side)
{
	if (side == NULL)
		return NULL;
	if (side->window)
		return side->window;
	return side->input->named ? side->input->named->window : NULL;
}

/*
 * Whether query_emit_row drops every row of this kind: no aggregator or
 * snapshot needs it and the query does not output it.
 */
static bool
query_drops_kind(QueryRuntime *q, SiddhiEventKind kind)
{
	if (siddhi_selector_aggregates(q->sel) ||
		(q->rate && siddhi_rate_is_snapshot(q->rate)))
		return false;
	return (kind == SIDDHI_EVENT_EXPIRED &&
			q->events == SIDDHI_EVENTS_CURRENT) ||
		   (kind == SIDDHI_EVENT_CURRENT &&
			q->events == SIDDHI_EVENTS_EXPIRED);
}

/* An event of a join side (q, or the side feeding q) probes the other. */
static void
query_join(QueryRuntime *q, TupleTableSlot *slot, int64 ts, int depth,
		   SiddhiEventKind kind)
{
	QueryRuntime *mq = q->join_main ? q->join_main : q;
	JoinRowArg a = { mq, depth };
	Oid table = siddhi_join_table(mq->join);

	/* the rows it would make go nowhere (an expired event of a query
	 * that outputs current events only): spare the probe */
	if (query_drops_kind(mq, kind))
		return;
	OP_IN(mq, SIDDHI_OP_JOIN);

	/* a table lookup sees the rows queries buffered for it */
	if (OidIsValid(table))
	{
		sink_flush(table);
		/* an aggregation lookup, the buckets of the batch's events so far */
		if (siddhi_join_reads_aggregation(mq->join))
			siddhi_incremental_flush_all();
		siddhi_stats_lookup(mq->stats, siddhi_join_uses_index(mq->join));
	}
	siddhi_join_arrive(
		mq->join, q->join_main ? 1 : 0, slot, ts, kind, q->window,
		join_side_contents(q->join_main ? mq : mq->join_other), join_row, &a);
	/*
	 * Siddhi's join hands its selector one chunk per arriving event: an
	 * aggregate outputs once per arrival, not once per chunk of a batch
	 * window's flush
	 */
	{
		RateEmitArg ra = { mq, depth };

		siddhi_selector_group_end(mq->sel, selector_emit, &ra);
	}
}

/*
 * One event leaving a query's window (or its input, when it has none):
 * filters after the window, then aggregation, or the output if the query
 * outputs events of this kind.
 */
static pg_attribute_always_inline void
query_emit(QueryRuntime *q, TupleTableSlot *slot, int64 ts, int depth,
		   SiddhiEventKind kind)
{
	q->econtext->ecxt_scantuple = slot;
	if (q->window_qual &&
		!qual_passes(q, q->window_qual, SIDDHI_OP_WINDOW_FILTER, kind))
		return;
	if (q->join || q->join_main)
	{
		query_join(q, slot, ts, depth, kind);
		return;
	}
	query_emit_row(q, slot, ts, depth, kind);
}

/* The selector's callback: an output row goes on (query_send). */
static void
selector_emit(void *arg, TupleTableSlot *row, int64 ts, SiddhiEventKind kind,
			  const char *key, Size keylen)
{
	RateEmitArg *ra = arg;

	OP_OUT(ra->q, SIDDHI_OP_SELECT, kind);
	if (ra->q->rate == NULL)
		query_deliver(ra->q, row, ts, ra->depth, kind); /* as query_send */
	else
		query_send(ra->q, row, ts, ra->depth, kind, key, keylen);
}

/* After the window (and join): aggregation, or the output. */
static pg_attribute_always_inline void
query_emit_row(QueryRuntime *q, TupleTableSlot *slot, int64 ts, int depth,
			   SiddhiEventKind kind)
{
	q->econtext->ecxt_scantuple = slot;
	if (q->rate && siddhi_rate_is_snapshot(q->rate))
	{
		/* a snapshot shows the state: it keeps what the window holds */
		query_rate_remember(q, slot, ts, depth, kind);
		if (!siddhi_selector_aggregates(q->sel))
			return;
	}
	{
		RateEmitArg ra = { q, depth };

		OP_IN(q, SIDDHI_OP_SELECT);
		siddhi_selector_row(q->sel, slot, ts, kind, selector_emit, &ra);
	}
}

/*
 * End of a chunk: the selector makes the rows that wait for it
 * (aggregates, order by and limit, window functions, the contents).  A
 * join's or pattern's other side ends the chunk of the query it feeds.
 */
void
query_chunk_end(QueryRuntime *q, int depth)
{
	RateEmitArg ra = { q, depth };

	if (q->join_main || q->pattern_main)
	{
		query_chunk_end(q->join_main ? q->join_main : q->pattern_main, depth);
		return;
	}
	siddhi_selector_chunk_end(q->sel, selector_emit, &ra);
}

/*
 * Whether the expired events q's window hands out go nowhere: no filter
 * after the window sees them, and the query (a join side's, its join's)
 * drops expired rows (query_drops_kind) with no window function to see
 * them first.  Most sliding windows of queries that output current events
 * only: each expiry then costs the window's own work alone.
 */
static bool
window_expired_unused(QueryRuntime *q)
{
	QueryRuntime *mq = q->join_main ? q->join_main : q;

	if (q->window_qual != NULL || mq->sel == NULL)
		return false;
	if (siddhi_selector_reads_expired(mq->sel))
		return false;
	return query_drops_kind(mq, SIDDHI_EVENT_EXPIRED);
}

/* Callback of siddhi_window_add: an event the window hands out. */
void
window_event(void *arg, SiddhiEventKind kind, MinimalTuple tuple, int64 ts)
{
	WindowEventArg *wa = arg;
	MemoryContext mcxt = CurrentMemoryContext;
	Oid save_user;
	int save_sec;
	int64 save_ts = siddhi_current_event_ts;

	if (kind == SIDDHI_EVENT_CHUNK_END)
	{
		/* a batch is out: its rows go on as a chunk of their own, as
		 * Siddhi's batch windows send each batch an input chunk makes */
		query_chunk_end(wa->q, wa->depth);
		out_chunk_flush(query_owner(wa->q));
		return;
	}
	if (kind == SIDDHI_EVENT_RESET)
	{
		RateEmitArg ra = { wa->q, wa->depth };

		if (wa->q->sel && siddhi_selector_folds(wa->q->sel))
			siddhi_selector_close_batch(wa->q->sel, selector_emit, &ra);
		else if (wa->q->sel)
			siddhi_selector_reset(wa->q->sel);
		return;
	}
	if (wa->q->join_main == NULL)
		OP_OUT(wa->q, SIDDHI_OP_WINDOW, kind);
	if (kind == SIDDHI_EVENT_EXPIRED && window_expired_unused(wa->q))
		return;

	/*
	 * The arrival, its window's last act, with nothing of the step waiting
	 * (rows in the selector or sent on, writes): an error may go to the
	 * step's boundary, which skips the event as the one below would.
	 */
	if (kind == SIDDHI_EVENT_CURRENT && wa->arrival_last &&
		siddhi_selector_chunk_clean(
			(wa->q->join_main ? wa->q->join_main : wa->q)->sel) &&
		query_owner(wa->q)->outc.n == 0 && !siddhi_batch_wrote())
	{
		siddhi_current_event_ts = ts;
		siddhi_slot_put_minimal(wa->q->window_slot, tuple);
		siddhi_slot_read(wa->q->window_slot, wa->q->window_reads);
		query_emit(wa->q, wa->q->window_slot, ts, wa->depth, kind);
		siddhi_current_event_ts = save_ts;
		siddhi_slot_empty(wa->q->window_slot);
		return;
	}

	/*
	 * An error skips this event for the query and the window goes on: it
	 * has handed the event out, and an expiry that failed must still
	 * happen, or the window's deadline never moves and its timer fires
	 * again and again.
	 */
	siddhi_batch_isolate();
	GetUserIdAndSecContext(&save_user, &save_sec);
	/* eventTimestamp() of what the window hands out: the event's own time
	 * (a batch's events keep theirs; an expired event has its expiry's) */
	siddhi_current_event_ts = ts;
	PG_TRY();
	{
		siddhi_slot_put_minimal(wa->q->window_slot, tuple);
		siddhi_slot_read(wa->q->window_slot, wa->q->window_reads);
		query_emit(wa->q, wa->q->window_slot, ts, wa->depth, kind);
	}
	PG_CATCH();
	{
		query_failed(wa->q, mcxt, save_user, save_sec);
	}
	PG_END_TRY();
	siddhi_current_event_ts = save_ts;
	siddhi_slot_empty(wa->q->window_slot);
}

/* A window's long-valued attribute of the event; null is an error. */
static int64
window_long(WindowArgs *wa, ExprState *e, ExprContext *econtext,
			const char *what)
{
	bool isnull;
	Datum d = ExecEvalExpr(e, econtext, &isnull);

	if (isnull)
		ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
						errmsg("the %s attribute of window %s is null", what,
							   wa->name)));
	return DatumGetInt64(d);
}

/* What a window needs of the event in econtext's scan tuple. */
void
window_event_values(WindowArgs *wa, ExprContext *econtext,
					SiddhiWindowEvent *ev)
{
	if (wa->time)
		ev->ext = window_long(wa, wa->time, econtext, "time");
	if (wa->start)
		ev->start = window_long(wa, wa->start, econtext, "start time");
	if (wa->nkeys > 0)
	{
		siddhi_build_key(econtext, wa->keys, wa->key_out, wa->nkeys,
						 wa->values, wa->nulls, &wa->keybuf);
		ev->key = wa->keybuf.data;
		ev->keylen = wa->keybuf.len;
		ev->values = wa->values;
		ev->isnull = wa->nulls;
	}
}

/* Let time pass for a query's window, if something is due by now. */
static void
window_catch_up(QueryRuntime *q, int64 now, int depth)
{
	int64 due;
	WindowEventArg wa = { q, depth };

	if (q->window == NULL)
		return;
	q->window->caught_up = arrival_seq;
	due = siddhi_window_deadline(q->window);
	if (due < 0 || now < due)
		return;
	siddhi_window_advance(q->window, now, window_event, &wa);
}

/* query_check_read's first check of the batch (runtime_int.h) */
void
query_check_read_slow(QueryRuntime *q)
{
	q->read_checked = batch_seq;
	q->read_denied = true;
	check_may_read(q->input->relid, q->owner);
	q->read_denied = false;
}

/*
 * In PG_CATCH of a step of q in user frame frame (or none, -1): leave it, roll the unit
 * back, count the error, and forget the chunk q was in the middle of and
 * what the failing step sent.
 */
void
query_step_failed(QueryRuntime *q, int frame, MemoryContext mcxt,
				  Oid save_user, int save_sec)
{
	if (frame >= 0) /* (-1: between frames) */
		siddhi_usercode_leave(frame, false);
	query_failed(q, mcxt, save_user, save_sec);
	query_abandon_chunk(q);
	out_chunk_step_failed(query_owner(q));
}

/* After an error: forget the chunk the query was in the middle of. */
void
query_abandon_chunk(QueryRuntime *q)
{
	if (q->sel)
		siddhi_selector_abandon(q->sel);
	ResetExprContext(q->econtext);
	if (q->join_main)
		query_abandon_chunk(q->join_main);
	if (q->pattern_main)
		query_abandon_chunk(q->pattern_main);
}

/*
 * #unique:deduplicate and the filters after it: whether the event in q's
 * scan tuple goes on to the window.
 */
static bool
query_dedup_admit(QueryRuntime *q, int64 ts)
{
	if (q->dedup == NULL)
		return true;
	siddhi_build_key(q->econtext, &q->dedup_key, &q->dedup_key_out, 1, NULL,
					 NULL, &q->dedup_keybuf);
	if (!siddhi_dedup_admit(q->dedup, q->dedup_keybuf.data,
							q->dedup_keybuf.len, ts))
		return false;
	return q->dedup_qual == NULL || ExecQual(q->dedup_qual, q->econtext);
}

/* Callback of the pattern engine: a match goes out through q. */
static void
pattern_emit(void *arg, TupleTableSlot *row, int64 ts)
{
	PatternEmitArg *a = arg;
	int64 save_ts = siddhi_current_event_ts;

	/* eventTimestamp() of a match is its own (an absence: when it held) */
	siddhi_current_event_ts = ts;
	OP_OUT(a->q, SIDDHI_OP_PATTERN, SIDDHI_EVENT_CURRENT);
	/* SQL's WHERE on the pattern: matches it rejects go nowhere */
	a->q->econtext->ecxt_scantuple = row;
	if (a->q->window_qual == NULL ||
		ExecQual(a->q->window_qual, a->q->econtext))
		query_emit_row(a->q, row, ts, a->depth, SIDDHI_EVENT_CURRENT);
	/* each match goes out as a chunk of its own, as Siddhi's do */
	out_chunk_flush(a->q);
	siddhi_current_event_ts = save_ts;
}

/* An event of one of a pattern's streams (q, or a runtime feeding it). */
static void
query_pattern_event(QueryRuntime *q, TupleTableSlot *slot, int64 ts, int depth)
{
	QueryRuntime *mq = q->pattern_main ? q->pattern_main : q;
	PatternEmitArg a = { mq, depth };
	int64 now = mq->app->playback ? mq->app->clock : ts;

	OP_IN(mq, SIDDHI_OP_PATTERN);
	/*
	 * An absence's timer, as Siddhi's, is delivered when an input arrives:
	 * at most once per arrival, not between the rows of a chunk from
	 * upstream (a row that breaks the absence may follow in it).
	 */
	if (*siddhi_pattern_caught_up(mq->pattern) != arrival_seq)
	{
		*siddhi_pattern_caught_up(mq->pattern) = arrival_seq;
		if (siddhi_pattern_deadline(mq->pattern) >= 0)
			siddhi_pattern_advance(mq->pattern, now, pattern_emit, &a);
	}
	if (mq->rate && !limiter_waits_its_turn(mq))
		rate_catch_up(mq, mq->app->playback ? mq->app->clock : siddhi_now_ms(),
					  depth);
	siddhi_pattern_event(mq->pattern, q->pattern_stream, slot, ts,
						 pattern_emit, &a);
	siddhi_stats_partial(mq->stats, siddhi_pattern_pending(mq->pattern),
						 siddhi_pattern_dropped(mq->pattern));
}

/* An event reaches a query: filters, then its window or what follows. */
void
query_event(QueryRuntime *q, TupleTableSlot *slot, int64 ts, int depth,
			SiddhiEventKind kind, bool end_chunk)
{
	/* a plain query's chunk end does nothing (query_plain.c) */
	if (q->plain && kind == SIDDHI_EVENT_CURRENT)
	{
		query_event_plain(q, slot, ts, depth);
		return;
	}
	if (q->pattern || q->pattern_main)
	{
		query_pattern_event(q, slot, ts, depth);
		if (end_chunk)
			query_chunk_end(q, depth);
		return;
	}
	/*
	 * Time passes for the window first: what is due leaves before.  For a
	 * window whose timers Siddhi delivers only when an input arrives, at
	 * most once per arrival: not between the rows of a chunk, nor between
	 * the chunks one arrival sends down (a partition key's runs).  A
	 * count window never has time due.
	 */
	if (q->window && q->window->timed &&
		(!siddhi_window_timers_between_chunks(q->window) ||
		 q->window->caught_up != arrival_seq))
		window_catch_up(q, q->app->playback ? q->app->clock : ts, depth);
	/* ... then for the limiter, but while the app's timers fire */
	if (q->rate && !limiter_waits_its_turn(q))
		rate_catch_up(q, q->app->playback ? q->app->clock : siddhi_now_ms(),
					  depth);
	q->econtext->ecxt_scantuple = slot;
	if (q->conds ? !shared_qual_passes(q, kind)
				 : q->qual && !qual_passes(q, q->qual, SIDDHI_OP_FILTER, kind))
		return;
	if (!query_dedup_admit(q, ts))
		return;
	if (q->window)
	{
		bool should_free;
		WindowEventArg wa = { q, depth };
		SiddhiWindowEvent ev = { 0 };
		MemoryContext old;

		Assert(kind == SIDDHI_EVENT_CURRENT);
		if (q->join_main == NULL)
			OP_IN(q, SIDDHI_OP_WINDOW);
		/*
		 * The copy a virtual slot needs goes in the batch's memory: what
		 * the window's events cause may fail further down (a query reading
		 * its own output), and that failure rolls the ambient
		 * subtransaction back, and with it the memory this step is in.
		 */
		old = MemoryContextSwitchTo(batch_cxt);
		ev.tuple = ExecFetchSlotMinimalTuple(slot, &should_free);
		MemoryContextSwitchTo(old);
		ev.desc = slot->tts_tupleDescriptor;
		ev.timestamp = ts;
		ev.now = q->app->playback ? q->app->clock : ts;
		window_event_values(&q->window_args, q->econtext, &ev);
		/* length and time windows hand the arrival out last, after what
		 * it expires */
		if (end_chunk && q->sel && q->join_main == NULL && q->join == NULL &&
			siddhi_window_kind_current_last(q->window_plan->kind))
			siddhi_selector_last(q->sel, true);
		/*
		 * nothing of the window's add after the arrival (window_event); a
		 * join side's probe makes the rows of one arrival, which an error
		 * part way skips together (as a chunk of its own they would be)
		 */
		wa.arrival_last =
			end_chunk && (q->join_main ? q->join_main : q)->sel &&
			q->apart == NULL && siddhi_window_hands_arrival_last(q->window);
		siddhi_window_add(q->window, &ev, window_event, &wa);
		if (q->sel)
			siddhi_selector_last(q->sel, false);
		if (should_free)
			pfree(ev.tuple);
	}
	else
	{
		/* no window: the arrival alone, unless a join makes it several */
		if (end_chunk && q->sel && q->join_main == NULL && q->join == NULL)
			siddhi_selector_last(q->sel, true);
		query_emit(q, slot, ts, depth, kind);
		if (q->sel)
			siddhi_selector_last(q->sel, false);
		/*
		 * A join side without a window is Siddhi's empty window: when the
		 * query outputs expired events, each arrival also leaves at once,
		 * as an expired event stamped with the clock, in a chunk of its
		 * own (an aggregate emits the current row, then the expired one).
		 */
		if ((q->join || q->join_main) && q->input->named == NULL &&
			kind == SIDDHI_EVENT_CURRENT && q->events != SIDDHI_EVENTS_CURRENT)
		{
			query_chunk_end(q, depth);
			query_emit(q, slot, q->app->playback ? q->app->clock : ts, depth,
					   SIDDHI_EVENT_EXPIRED);
		}
		/* ... and then resets the query's aggregators (Siddhi's RESET),
		 * at once for a row of a chunk that goes on (each arrival is a
		 * chunk of its own for a join's selector) */
		if ((q->join || q->join_main) && q->input->named == NULL &&
			kind == SIDDHI_EVENT_CURRENT)
		{
			QueryRuntime *mq = q->join_main ? q->join_main : q;

			siddhi_selector_reset_at_end(mq->sel);
			if (!end_chunk)
				query_chunk_end(q, depth);
		}
	}
	if (end_chunk)
		query_chunk_end(q, depth);
}

/*
 * One step of a query, as its app's owner, inside the batch's error
 * boundary: an error rolls the subtransaction back, is counted against
 * the query, and the query forgets the chunk it was in; the batch goes on.
 * An event is current, or expired when a named window hands it out;
 * end_chunk says whether it is a chunk on its own.
 */
void
query_step(QueryRuntime *q, QueryStep step, TupleTableSlot *slot, int64 ts,
		   int depth, SiddhiEventKind kind, bool end_chunk)
{
	QueryRuntime *owner = query_owner(q);
	MemoryContext mcxt = CurrentMemoryContext;
	Oid save_user;
	int save_sec;
	int frame;
	int64 save_ts = siddhi_current_event_ts;
	volatile bool keep_memory = false;
	SiddhiPartInstance *save_key = q->apart ? q->apart->current : NULL;
	uint64 timed = 0; /* a sampled event's start (metrics.h) */

	/* the owner may not read the input: reported once, at the first event */
	if (step == STEP_EVENT && q->read_denied && q->read_checked == batch_seq)
		return;
	/* an event that looped back while the query works waits its turn */
	if (!reentry_enter(&owner->reentry))
	{
		reentry_defer(&owner->reentry, owner, q, step, slot, ts, depth, kind,
					  end_chunk);
		return;
	}
	q->st.dirty = true;
	/* what came before is kept, whatever happens to this step */
	siddhi_batch_isolate();
	GetUserIdAndSecContext(&save_user, &save_sec);
	frame = siddhi_usercode_enter(q->owner);
	PG_TRY();
	{
		if (depth > MAX_CHAIN_DEPTH)
			ereport(ERROR,
					(errcode(ERRCODE_SIDDHI_RUNTIME_ERROR),
					 errmsg("event went through more than %d chained queries",
							MAX_CHAIN_DEPTH),
					 errhint("Queries that insert into each other's input "
							 "streams form a loop.")));
		if (step == STEP_EVENT && q->input && !q->input->named)
			query_check_read(q);
		if (step == STEP_EVENT)
		{
			timed = siddhi_stats_event(q->stats, ts);
			if (q->app->playback && ts > q->app->clock)
				q->app->clock = ts;
		}
		playback_clock = q->app->playback ? q->app->clock : 0;
		switch (step)
		{
			case STEP_EVENT:
				if (q->apart)
					partition_event(q, slot, ts, depth, kind, end_chunk);
				else
					query_event(q, slot, ts, depth, kind, end_chunk);
				/* the rows of a chunk still open live in per-tuple memory */
				if (!end_chunk)
					keep_memory = true;
				break;
			case STEP_CHUNK_END:
				if (q->apart)
					partition_chunk_end(q, depth);
				else
					query_chunk_end(q, depth);
				break;
			case STEP_ADVANCE:
				siddhi_current_event_ts = ts;
				window_catch_up(q, ts, depth);
				if (q->pattern)
				{
					PatternEmitArg pa = { q, depth };

					*siddhi_pattern_caught_up(q->pattern) = arrival_seq;
					siddhi_pattern_advance(q->pattern, ts, pattern_emit, &pa);
				}
				if (q->rate)
					rate_catch_up(q, ts, depth);
				break;
			case STEP_INPUT_END:
			{
				WindowEventArg wa = { q, depth };

				siddhi_current_event_ts = ts;
				siddhi_window_input_end(q->window, ts, window_event, &wa);
			}
			break;
		}
		/* what the step sent goes out, unless its chunk goes on */
		if (keep_memory)
			out_chunk_step_done(owner);
		else
			out_chunk_flush(owner);
		if (timed)
			siddhi_stats_event_done(q->stats, timed);
		if (!keep_memory)
			query_reset_memory(q);
		siddhi_usercode_leave(frame, true);
		/* and what it did is kept, whatever happens to an outer step */
		siddhi_batch_isolate();
	}
	PG_CATCH();
	{
		query_step_failed(q, frame, mcxt, save_user, save_sec);
		q->chunk_key = NULL;
		if (q->apart)
			partition_enter(q->apart, save_key);
	}
	PG_END_TRY();
	/* after a failure, what the chunk's earlier steps sent still goes */
	if (owner->outc.n > 0 && (step != STEP_EVENT || end_chunk))
		out_chunk_flush_alone(owner);
	siddhi_current_event_ts = save_ts;
	reentry_leave(&owner->reentry);
	reentry_drain_query(owner);
}


void
query_process(QueryRuntime *q, TupleTableSlot *slot, int64 ts, int depth)
{
	query_step(q, STEP_EVENT, slot, ts, depth, SIDDHI_EVENT_CURRENT, true);
}
