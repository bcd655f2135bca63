/*-------------------------------------------------------------------------
 *
 * timers.c
 *	  The clock: triggers, playback, time passing for every app's
 *	  named windows, queries and partitions; the next deadline;
 *	  currentTimeMillis() and eventTimestamp().
 *
 *-------------------------------------------------------------------------
 */
#include "runtime_int.h"
#include "dispatch.h"

static void triggers_fire(SiddhiAppRuntime *app, int64 now);
static bool playback_moves(SiddhiAppRuntime *app, int64 ts);
static void app_advance(SiddhiAppRuntime *app, int64 now);

/* The first due time of t, its app having started at now. */
void
trigger_schedule(AppTrigger *t, int64 now, bool first)
{
	if (t->at_start)
		t->next = first ? now : -1;
	else if (t->every_ms > 0)
		t->next = now + t->every_ms;
	else if (t->cron)
		t->next = siddhi_cron_next(t->cron, now, session_timezone);
}

/* Feed the app's triggers every event due by now, in time order. */
static void
triggers_fire(SiddhiAppRuntime *app, int64 now)
{
	ListCell *lc;

	for (;;)
	{
		AppTrigger *due = NULL;
		int64 ts;

		foreach(lc, app->triggers)
		{
			AppTrigger *t = lfirst(lc);

			if (app->playback && t->next < 0 && !t->at_start &&
				t->every_ms == 0 && t->cron == NULL)
				continue;
			if (t->next >= 0 && t->next <= now &&
				(due == NULL || t->next < due->next))
				due = t;
		}
		if (due == NULL)
			return;
		ts = due->next;
		if (due->at_start)
			due->next = -1;
		else if (due->every_ms > 0)
			due->next = ts + due->every_ms;
		else
			due->next = siddhi_cron_next(due->cron, ts, session_timezone);
		ExecClearTuple(due->slot);
		due->slot->tts_values[0] = Int64GetDatum(ts);
		due->slot->tts_isnull[0] = false;
		ExecStoreVirtualTuple(due->slot);
		if (app->playback)
			playback_clock = ts;
		junction_emit(due->junction, due->slot, ts, 0, false);
		junction_input_end(due->junction, ts, 0);
	}
}

/*
 * Whether an event at ts moves a playback app's time: it is later than
 * the clock, or it is the app's first and starts its triggers (also at
 * time 0, where the clock already is).
 */
static bool
playback_moves(SiddhiAppRuntime *app, int64 ts)
{
	return app->playback &&
		   (ts > app->clock || (app->triggers && !app->triggers_started));
}

/*
 * An input event at ts moves the clock of each playback app that reads
 * the stream, and every timer of the app due by then fires first, in all
 * its queries and windows, as Siddhi's InputHandler sets the app's clock
 * before it sends the event.
 */
void
playback_arrival(Junction *j, int64 ts)
{
	SiddhiAppRuntime **apps;
	int napps;

	arrival_seq++;
	if (j->named && playback_moves(j->named->app, ts))
	{
		j->named->app->clock = Max(ts, j->named->app->clock);
		app_advance(j->named->app, j->named->app->clock);
	}
	if (j->consumers == NIL)
		return;
	/* each app once (many queries of one app read a stream) */
	napps = dispatch_apps(j, &apps);
	for (int i = 0; i < napps; i++)
	{
		SiddhiAppRuntime *app = apps[i];

		if (playback_moves(app, ts))
		{
			app->clock = Max(ts, app->clock);
			app_advance(app, app->clock);
		}
	}
}

/*
 * Whether letting time pass for q would do nothing: no rate limiter (one
 * may start its first period when time first passes, with no deadline
 * before), no pattern, not a partition's (partition_advance), nothing
 * waiting for its turn, and a window with nothing due (its catch-up is
 * marked as window_catch_up marks it) or none.  A playback app lets time
 * pass at every event; a step, with its user frame and error boundary,
 * was a good part of a cheap query's cost for nothing.
 */
static bool
advance_is_idle(QueryRuntime *q, int64 now)
{
	Reentry *r = &query_owner(q)->reentry;
	int64 due;

	if (q->rate || q->pattern || q->pattern_main || q->apart)
		return false;
	if (r->busy != 0 || r->draining || r->queue != NIL)
		return false;
	if (q->window == NULL)
		return true;
	due = siddhi_window_deadline(q->window);
	if (due >= 0 && due <= now)
		return false;
	q->window->caught_up = arrival_seq;
	return true;
}

/* Let time pass for one query's window, and end what that sent on. */
void
query_advance(QueryRuntime *q, int64 now)
{
	if (advance_is_idle(q, now))
	{
		query_output_end(q, now, 0);
		return;
	}
	/* a pattern with nothing due has no step to take */
	if ((q->pattern || q->pattern_main) && q->window == NULL &&
		q->rate == NULL)
	{
		int64 due = q->pattern ? siddhi_pattern_deadline(q->pattern) : -1;

		if (due < 0 || due > now)
			return;
	}
	query_step(q, STEP_ADVANCE, NULL, now, 0, SIDDHI_EVENT_CURRENT, false);
	query_output_end(q, now, 0);
}

/*
 * Whether q's rate limiter, before an event reaches it, leaves the
 * periods that have ended to its own turn: when its app's timers are
 * firing for this arrival (app_advance) and the event is what the timers
 * of the queries before it sent (a batch's flush).  Siddhi's schedulers
 * fire one after the other in the order they were made, each all it has
 * due, so such rows reach the limiter before its own timer ends the
 * period: they are in it.  Otherwise (an input event on the wall clock,
 * whose timers fire late, or a clock the event itself moved) the periods
 * end first, and a limiter not started yet (a partition's key the event
 * makes) starts.
 */
bool
limiter_waits_its_turn(QueryRuntime *q)
{
	SiddhiAppRuntime *app = q->app;

	if (siddhi_rate_deadline(q->rate) < 0)
		return false;
	return app->timers_arrival == arrival_seq &&
		   (!app->playback || app->clock <= app->timers_now);
}

/*
 * Whether letting time pass can never do anything for q, whatever its
 * state (query_advance returns at once, ending nothing): a pattern with
 * no absent state, or a stream feeding one, with no window, rate limiter
 * or partition.  A hundred pattern queries on one stream made each
 * playback arrival ask each of them (bench/RESULTS.md, pattern_100).
 */
static bool
advance_never(QueryRuntime *q)
{
	if (q->window || q->rate || q->apart)
		return false;
	if (q->pattern)
		return !siddhi_pattern_timed(q->pattern);
	return q->pattern_main != NULL;
}

/* Whether letting time pass does nothing for queries[from ..]. */
static bool
rest_idle(List *queries, int from, int64 now)
{
	for (int i = from; i < list_length(queries); i++)
		if (!advance_is_idle(list_nth(queries, i), now))
			return false;
	return true;
}

/* Let time pass for an app's named windows and queries. */
static void
app_advance(SiddhiAppRuntime *app, int64 now)
{
	ListCell *lc;

	app->timers_arrival = arrival_seq;
	app->timers_now = now;

	if (app->triggers)
	{
		/* playback: triggers start at the clock's first value */
		if (app->playback && !app->triggers_started)
		{
			app->triggers_started = true;
			foreach(lc, app->triggers)
				trigger_schedule(lfirst(lc), now, true);
		}
		triggers_fire(app, now);
	}

	foreach(lc, app->windows)
	{
		int64 save_ts = siddhi_current_event_ts;

		siddhi_current_event_ts = now;
		playback_clock = app->playback ? app->clock : 0;
		named_window_catch_up(lfirst(lc), now, 0);
		siddhi_current_event_ts = save_ts;
	}
	/* the queries that time can do something for, in the app's order */
	if (!app->advancing_listed)
	{
		MemoryContext old = MemoryContextSwitchTo(app->cxt);

		foreach(lc, app->queries)
			if (!advance_never(lfirst(lc)))
				app->advancing = lappend(app->advancing, lfirst(lc));
		app->advancing_listed = true;
		MemoryContextSwitchTo(old);
	}
	foreach(lc, app->advancing)
	{
		/* its step, next, lets time pass first (query_expiry_in_step),
		 * unless a query after it has something due now */
		if (lfirst(lc) == app->arrival_query &&
			rest_idle(app->advancing, foreach_current_index(lc) + 1, now))
			continue;
		query_advance(lfirst(lc), now);
	}
	foreach(lc, app->partitions)
		partition_advance(lfirst(lc), now);
}

/*
 * Whether an arrival that q alone reads (query_step_chunk) may leave q's
 * expiries to q's own step of it, rather than a step of their own before
 * it (query_advance): a playback app's time window expires at nearly
 * every event, and the step, with its user frame and error boundary, was
 * a tenth of such a query's cost.  The step does it first thing
 * (query_event: window_catch_up, each expired event in its own error
 * boundary as before), so what the expiries do is the same, in the same
 * order, if
 *
 *	- the app has no partition, and the queries after q have nothing due
 *	  (app_advance checks): nothing of app_advance comes after q's turn;
 *	- its window only expires as time passes (time), and nothing waits on
 *	  the clock besides (no rate limiter, pattern, join or deduplicate);
 *	- the expiries send nothing: the query outputs current events only and
 *	  its selector makes each chunk's rows from the rows alone (no order
 *	  by, limit, window function or batch), so that the expired rows
 *	  joining the arrival's chunk change no row that goes out.
 */
bool
query_expiry_in_step(QueryRuntime *q)
{
	SiddhiAppRuntime *app = q->app;

	return app->playback && app->partitions == NIL && q->window != NULL &&
		   q->window_plan != NULL &&
		   q->window_plan->kind == SIDDHI_WINDOW_TIME && q->rate == NULL &&
		   q->pattern == NULL && q->pattern_main == NULL && q->join == NULL &&
		   q->join_main == NULL && q->dedup == NULL && q->apart == NULL &&
		   q->events == SIDDHI_EVENTS_CURRENT && q->sel != NULL &&
		   siddhi_selector_expiry_silent(q->sel);
}

int64
siddhi_runtime_next_deadline(void)
{
	ListCell *la;
	int64 next = -1;

	foreach(la, all_apps)
	{
		SiddhiAppRuntime *app = lfirst(la);
		ListCell *lq;

		if (app->playback)
			continue; /* its clock moves only with its events */
		foreach(lq, app->queries)
		{
			/* a partition's: no state between keys (below) */
			int64 due = query_opers_deadline(lfirst(lq));

			if (due >= 0 && (next < 0 || due < next))
				next = due;
		}
		foreach(lq, app->partitions)
		{
			int64 due = partition_deadline(lfirst(lq));

			if (due >= 0 && (next < 0 || due < next))
				next = due;
		}
		foreach(lq, app->windows)
		{
			NamedWindow *nw = lfirst(lq);
			int64 due = siddhi_window_deadline(nw->window);

			if (due >= 0 && (next < 0 || due < next))
				next = due;
		}
		foreach(lq, app->triggers)
		{
			int64 due = ((AppTrigger *) lfirst(lq))->next;

			if (due >= 0 && (next < 0 || due < next))
				next = due;
		}
	}
	return next;
}

void
siddhi_runtime_fire_timers(int64 now)
{
	ListCell *la;

	siddhi_batch_start();
	arrival_seq++;
	foreach(la, all_apps)
	{
		SiddhiAppRuntime *app = lfirst(la);

		if (app->playback)
			continue;
		app_advance(app, now);
	}
}

void
siddhi_runtime_advance_playback(int64 now, Oid userid, const char *name)
{
	ListCell *la;

	arrival_seq++;
	foreach(la, all_apps)
	{
		SiddhiAppRuntime *app = lfirst(la);

		if (!app->playback)
			continue;
		if (name[0] != '\0' && strcmp(app->name, name) != 0)
			continue;
		/* only the caller's apps: it must be able to manage them */
		if (!has_privs_of_role(userid, app->owner))
			continue;
		if (now > app->clock)
			app->clock = now;
		app_advance(app, app->clock);
	}
}

PG_FUNCTION_INFO_V1(siddhi_current_time_millis);

/* currentTimeMillis(): the app's clock, which in playback is event time */
Datum
siddhi_current_time_millis(PG_FUNCTION_ARGS)
{
	if (playback_clock != 0)
		PG_RETURN_INT64(playback_clock);
	PG_RETURN_INT64(siddhi_now_ms());
}

PG_FUNCTION_INFO_V1(siddhi_event_timestamp);

Datum
siddhi_event_timestamp(PG_FUNCTION_ARGS)
{
	if (siddhi_current_event_ts == 0)
		PG_RETURN_INT64(siddhi_now_ms());
	PG_RETURN_INT64(siddhi_current_event_ts);
}

PG_FUNCTION_INFO_V1(siddhi_event_timestamp_of);

/*
 * eventTimestamp(S) of a query that reads S alone: the event being
 * processed, as eventTimestamp().  In a pattern the analyser reads
 * eventTimestamp(e1) from the match instead (analyze_pattern.c), and a
 * join refuses it; so the argument itself is never needed here.
 */
Datum
siddhi_event_timestamp_of(PG_FUNCTION_ARGS)
{
	return siddhi_event_timestamp(fcinfo);
}
