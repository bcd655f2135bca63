/*-------------------------------------------------------------------------
 *
 * named_window.c
 *	  Named windows in front of their junctions: what enters, what the
 *	  window emits to its readers, its timers.
 *
 *-------------------------------------------------------------------------
 */
#include "runtime_int.h"
#include "dispatch.h"


/*
 * A named window's step is over: what it emitted goes to its readers as
 * one chunk, each reader taking it whole in turn (dispatch_chunk_all), as
 * Siddhi's window hands its chunk on.  (While that chunk goes out, a
 * window that emits again hands those events on one by one: readers got
 * them, and end their chunk here.)
 */
void
named_window_chunk_end(NamedWindow *nw)
{
	OutChunk *oc = &nw->outc;
	Junction *j = nw->junction;
	ListCell *lc;

	if (oc->n > 0 && !oc->flushing)
	{
		uint64 base = j->events;

		j->events += oc->n;
		oc->flushing = true;
		PG_TRY();
		{
			dispatch_chunk_all(j, oc->rows, oc->n, oc->slot, oc->depth, base,
							   true);
		}
		PG_FINALLY();
		{
			out_chunk_reset(oc);
		}
		PG_END_TRY();
	}
	if (!nw->delivered)
		return;
	nw->delivered = false;
	foreach(lc, j->consumers)
		query_step(lfirst(lc), STEP_CHUNK_END, NULL, 0, nw->depth,
				   SIDDHI_EVENT_CHUNK_END, false);
}

/*
 * Callback of a named window: what it emits waits for the end of its step
 * (named_window_chunk_end), for the queries reading it.
 */
void
named_window_event(void *arg, SiddhiEventKind kind, MinimalTuple tuple,
				   int64 ts)
{
	NamedWindow *nw = arg;
	Junction *j = nw->junction;
	ListCell *lc;

	nw->st.dirty = true; /* it changed: saved at the batch's end */
	if (kind == SIDDHI_EVENT_CHUNK_END)
	{
		named_window_chunk_end(nw);
		return;
	}
	/* the table shows what the window holds: not what only passes */
	if (kind == SIDDHI_EVENT_CURRENT)
	{
		if (!nw->window->passing)
			siddhi_mirror_arrive(nw->mirror, tuple);
	}
	else
		siddhi_mirror_leave(nw->mirror, tuple);
	if ((kind == SIDDHI_EVENT_EXPIRED &&
		 nw->output == SIDDHI_EVENTS_CURRENT) ||
		(kind == SIDDHI_EVENT_CURRENT && nw->output == SIDDHI_EVENTS_EXPIRED))
		return;
	if (j->consumers == NIL)
		return;
	ExecStoreMinimalTuple(tuple, nw->out_slot, false);
	if (!nw->outc.flushing)
	{
		if (nw->outc.n == 0)
			nw->outc.depth = nw->depth;
		out_chunk_push(&nw->outc, nw->app->cxt, j->desc, nw->out_slot, ts,
					   kind == SIDDHI_EVENT_EXPIRED);
		ExecClearTuple(nw->out_slot);
		return;
	}
	foreach(lc, j->consumers)
		query_step(lfirst(lc), STEP_EVENT, nw->out_slot, ts, nw->depth, kind,
				   false);
	ExecClearTuple(nw->out_slot);
	nw->delivered = true;
}

static void held(NamedWindow *nw, TupleTableSlot *slot, int64 ts, int depth,
				 bool add, PendingOut *rows, int n);

/* Time passes for a named window that nothing else is working on. */
static void
catch_up(NamedWindow *nw, int64 now, int depth)
{
	int64 due = siddhi_window_deadline(nw->window);
	int frame;

	nw->window->caught_up = arrival_seq;
	if (due < 0 || now < due)
		return;
	frame = siddhi_usercode_enter(nw->app->owner);
	nw->depth = depth;
	nw->st.dirty = true;
	siddhi_window_advance(nw->window, now, named_window_event, nw);
	named_window_chunk_end(nw);
	siddhi_usercode_leave(frame, true);
}

/*
 * Let time pass for a named window, if something is due by now; not while
 * it hands an event out (what is due then goes at its next event or
 * timer).
 */
void
named_window_catch_up(NamedWindow *nw, int64 now, int depth)
{
	if (reentry_enter(&nw->reentry))
		held(nw, NULL, now, depth, false, NULL, 0);
}

/* An event enters a named window that nothing else is working on. */
static void
add_event(NamedWindow *nw, TupleTableSlot *slot, int64 ts, int depth, bool end)
{
	SiddhiWindowEvent ev = { 0 };
	bool should_free;
	int save_depth = nw->depth;
	int frame = siddhi_usercode_enter(nw->app->owner);

	if (nw->app->playback && ts > nw->app->clock)
		nw->app->clock = ts;
	/* at most once per arrival, when Siddhi's timers are its clock */
	if (!siddhi_window_timers_between_chunks(nw->window) ||
		nw->window->caught_up != arrival_seq)
		catch_up(nw, nw->app->playback ? nw->app->clock : ts, depth);
	/* watchers see what is inserted into the window, as for a stream */
	if (siddhi_stream_watched(MyDatabaseId, nw->junction->relid))
		deliver_to_watchers(nw->junction, slot, ts, false);
	nw->depth = depth;
	nw->econtext->ecxt_scantuple = slot;
	ev.tuple = ExecFetchSlotMinimalTuple(slot, &should_free);
	ev.desc = slot->tts_tupleDescriptor;
	ev.timestamp = ts;
	ev.now = nw->app->playback ? nw->app->clock : ts;
	window_event_values(&nw->args, nw->econtext, &ev);
	nw->st.dirty = true;
	siddhi_window_add(nw->window, &ev, named_window_event, nw);
	if (should_free)
		pfree(ev.tuple);
	/* a row of a chunk that goes on: its readers get the chunk at once */
	if (end)
		named_window_chunk_end(nw);
	ResetExprContext(nw->econtext);
	nw->depth = save_depth;
	siddhi_usercode_leave(frame, true);
}

/*
 * A waiting event enters, as any other (reentry_drain's step), in a unit
 * of work of its own: the step that sent it is over, so an error is the
 * window's (logged, rate limited); the event is skipped and the others
 * waiting go on.
 */
typedef struct ReplayArg
{
	NamedWindow *nw;
	Deferred *d;
	TupleTableSlot *slot;
} ReplayArg;

static void
replay_add(void *arg)
{
	ReplayArg *ra = arg;

	named_window_add(ra->nw, ra->slot, ra->d->ts, ra->d->depth);
}

static void
replay(void *arg, Deferred *d, TupleTableSlot *slot)
{
	NamedWindow *nw = arg;
	ReplayArg ra = { nw, d, slot };
	ErrorData *edata =
		siddhi_batch_run_unit(nw->app->owner, replay_add, &ra, batch_cxt);
	int64 unlogged;

	if (edata == NULL)
		return;
	if (siddhi_error_log_due(&nw->errlog, &unlogged))
		ereport(LOG,
				(errcode(ERRCODE_SIDDHI_RUNTIME_ERROR),
				 errmsg("siddhi app \"%s\": an event that came back "
						"into window \"%s\" through a loop failed: %s",
						nw->app->name, nw->junction->name, edata->message),
				 siddhi_errdetail_unlogged(unlogged)));
	FreeErrorData(edata);
}

/*
 * With nw's Reentry taken: an event enters (add), the n rows of a chunk
 * enter (rows, in slot one by one; named_window_add_chunk), or time
 * passes; then the events that came back meanwhile go through.  An error
 * goes to the step that sent the event or moved the clock; what was
 * waiting for it goes through at the window's next event.
 */
static void
held(NamedWindow *nw, TupleTableSlot *slot, int64 ts, int depth, bool add,
	 PendingOut *rows, int n)
{
	PG_TRY();
	{
		if (rows != NULL)
		{
			int64 save_ts = siddhi_current_event_ts;

			for (int i = 0; i < n; i++)
			{
				out_row_store(&rows[i], slot);
				siddhi_current_event_ts = rows[i].ts;
				add_event(nw, slot, rows[i].ts, depth, i == n - 1);
			}
			siddhi_current_event_ts = save_ts;
		}
		else if (add)
			add_event(nw, slot, ts, depth, true);
		else
			catch_up(nw, ts, depth);
	}
	PG_CATCH();
	{
		reentry_leave(&nw->reentry);
		PG_RE_THROW();
	}
	PG_END_TRY();
	reentry_leave(&nw->reentry);
	reentry_drain(&nw->reentry, replay, nw);
}

/*
 * An event sent to a named window: it enters, readers get what follows.
 * One that comes back, through a loop, while the window is handing an
 * event out waits its turn (reentry.c).
 */
void
named_window_add(NamedWindow *nw, TupleTableSlot *slot, int64 ts, int depth)
{
	if (reentry_enter(&nw->reentry))
		held(nw, slot, ts, depth, true, NULL, 0);
	else
		reentry_defer(&nw->reentry, nw, NULL, STEP_EVENT, slot, ts, depth,
					  SIDDHI_EVENT_CURRENT, false);
}

/*
 * A query's output chunk enters a named window as Siddhi's window takes a
 * chunk: every row goes in, then what the window emitted for all of them
 * goes to its readers as one chunk (an aggregating reader outputs once).
 * Busy (a loop back into it), the rows wait their turn one by one.  A row
 * that fails goes to the sender's step, as a single row's error does, and
 * the rows after it are not added; what the rows before it made stays in
 * the window's chunk and reaches the readers at its next end (its next
 * event or timer), not lost, and not run in the failed step.
 */
void
named_window_add_chunk(NamedWindow *nw, PendingOut *rows, int n,
					   TupleTableSlot *slot, int depth)
{
	if (!reentry_enter(&nw->reentry))
	{
		for (int i = 0; i < n; i++)
		{
			out_row_store(&rows[i], slot);
			reentry_defer(&nw->reentry, nw, NULL, STEP_EVENT, slot, rows[i].ts,
						  depth, SIDDHI_EVENT_CURRENT, false);
		}
		return;
	}
	held(nw, slot, 0, depth, true, rows, n);
}
