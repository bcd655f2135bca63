/*-------------------------------------------------------------------------
 *
 * app_state.c
 *	  Epochs (issue 15): an app's own state, besides its queries' and named
 *	  windows', saved under the key "#app".
 *
 * It holds:
 *
 *	- in playback, the app's clock, its triggers' next times (they follow
 *	  the clock) and its aggregations' purge schedules (their buckets are
 *	  in their tables).  A wall-clock app has none of these: its clock is
 *	  the wall clock, its triggers start again from the time it starts and
 *	  its aggregations purge one interval after it, as Siddhi's do;
 *	- the event time of each stream junction its keyed patterns read
 *	  (dispatch.c, "Epochs"): the latest event time and, when the dispatch
 *	  index spared a keyed reader an event, the latest time spared.  Without
 *	  them an event earlier than the latest after a restart would not be
 *	  seen to be, and a pattern would keep matches the events it was spared
 *	  would have expired.
 *
 * The row is written when any of these moved since it was last saved.  Its
 * fingerprint covers the clock kind, the triggers and the junctions (their
 * names and row types), so a changed app starts these afresh.
 *
 *-------------------------------------------------------------------------
 */
#include "runtime_int.h"

#include "common/hashfn.h"
#include "dispatch.h"

/* The junctions whose event time the app keeps: its keyed patterns'. */
static List *
app_dispatch_inputs(SiddhiAppRuntime *app)
{
	ListCell *lc;

	if (app->dispatch_listed)
		return app->dispatch_inputs;
	foreach(lc, app->queries)
	{
		QueryRuntime *q = lfirst(lc);

		if (dispatch_keyed_pattern(q))
		{
			MemoryContext old = MemoryContextSwitchTo(app->cxt);

			app->dispatch_inputs =
				list_append_unique_ptr(app->dispatch_inputs, q->input);
			MemoryContextSwitchTo(old);
		}
	}
	app->dispatch_listed = true;
	return app->dispatch_inputs;
}

/* A hash of the junctions' times now: did they move since the last save? */
static uint64
dispatch_signature(SiddhiAppRuntime *app)
{
	ListCell *lc;
	uint64 h = 0;

	foreach(lc, app_dispatch_inputs(app))
	{
		DispatchTime t;

		memset(&t, 0, sizeof(t));
		dispatch_time_get(lfirst(lc), &t);
		h = hash_bytes_extended((const unsigned char *) &t, sizeof(t), h);
	}
	return h;
}

/* An aggregation's purge schedule moved since the app's state was saved. */
static bool
app_aggregations_moved(SiddhiAppRuntime *app)
{
	ListCell *lc;

	foreach(lc, app->aggregations)
	{
		AppAggregation *aa = lfirst(lc);
		int64 next_purge;
		bool purged;

		siddhi_incremental_schedule(aa->inc, &next_purge, &purged);
		if (next_purge != aa->saved_next_purge || purged != aa->saved_purged)
			return true;
	}
	return false;
}

/* The app's own state as it is now is the saved one (or, forget, not). */
static void
app_state_mark_saved(SiddhiAppRuntime *app, bool forget)
{
	ListCell *lc;

	app->saved_clock = forget ? PG_INT64_MIN : app->clock;
	app->saved_dispatch = dispatch_signature(app);
	foreach(lc, app->aggregations)
	{
		AppAggregation *aa = lfirst(lc);

		siddhi_incremental_schedule(aa->inc, &aa->saved_next_purge,
									&aa->saved_purged);
		if (forget)
			aa->saved_next_purge = -1;
	}
}

static char *
app_state_fingerprint(SiddhiAppRuntime *app)
{
	StringInfoData b;
	ListCell *lc;

	initStringInfo(&b);
	appendStringInfo(&b, "%d|app|%d", SIDDHI_STATE_FORMAT,
					 (int) app->playback);
	foreach(lc, app->triggers)
	{
		AppTrigger *t = lfirst(lc);

		appendStringInfo(&b, "|%u:%d:" INT64_FORMAT, t->junction->desc_sig,
						 (int) t->at_start, t->every_ms);
		if (t->cron)
			appendStringInfoString(&b, ":cron");
	}
	foreach(lc, app->aggregations)
		appendStringInfo(
			&b, "|agg:%s",
			siddhi_incremental_name(((AppAggregation *) lfirst(lc))->inc));
	foreach(lc, app_dispatch_inputs(app))
	{
		Junction *j = lfirst(lc);

		appendStringInfo(&b, "|in %s:%u", j->name, j->desc_sig);
	}
	return state_fingerprint_text(&b);
}

static void
app_state_serialize(SiddhiAppRuntime *app, StringInfo buf)
{
	ListCell *lc;

	siddhi_state_put_bool(buf, app->playback);
	if (app->playback)
	{
		siddhi_state_put_int64(buf, app->clock);
		siddhi_state_put_bool(buf, app->triggers_started);
		siddhi_state_put_int64(buf, list_length(app->triggers));
		foreach(lc, app->triggers)
			siddhi_state_put_int64(buf, ((AppTrigger *) lfirst(lc))->next);
		foreach(lc, app->aggregations)
		{
			int64 next_purge;
			bool purged;

			siddhi_incremental_schedule(((AppAggregation *) lfirst(lc))->inc,
										&next_purge, &purged);
			siddhi_state_put_int64(buf, next_purge);
			siddhi_state_put_bool(buf, purged);
		}
	}
	siddhi_state_put_int64(buf, list_length(app_dispatch_inputs(app)));
	foreach(lc, app_dispatch_inputs(app))
	{
		DispatchTime t;

		dispatch_time_get(lfirst(lc), &t);
		siddhi_state_put_bool(buf, t.any_ts);
		siddhi_state_put_int64(buf, t.max_ts);
		siddhi_state_put_bool(buf, t.spared);
		siddhi_state_put_int64(buf, t.spared_max);
	}
}

/* a junction's times: two flags and two times */
#define SAVED_DISPATCH_MIN (2 + 2 * (int) sizeof(int64))

static void
app_state_restore(SiddhiAppRuntime *app, SiddhiStateReader *r)
{
	ListCell *lc;
	int64 n;

	if (siddhi_state_get_bool(r) != app->playback)
		siddhi_state_corrupt(r, "The app's clock is not the one saved");
	if (app->playback)
	{
		app->clock = siddhi_state_get_int64(r);
		app->triggers_started = siddhi_state_get_bool(r);
		n = siddhi_state_get_count(r, sizeof(int64));
		if (n != list_length(app->triggers))
			siddhi_state_corrupt(r,
								 "The app's triggers are not the ones saved");
		foreach(lc, app->triggers)
			((AppTrigger *) lfirst(lc))->next = siddhi_state_get_int64(r);
		foreach(lc, app->aggregations)
		{
			int64 next_purge = siddhi_state_get_int64(r);
			bool purged = siddhi_state_get_bool(r);

			siddhi_incremental_set_schedule(
				((AppAggregation *) lfirst(lc))->inc, next_purge, purged);
		}
	}
	n = siddhi_state_get_count(r, SAVED_DISPATCH_MIN);
	if (n != list_length(app_dispatch_inputs(app)))
		siddhi_state_corrupt(r, "The app's streams are not the ones saved");
	foreach(lc, app_dispatch_inputs(app))
	{
		DispatchTime t;

		t.any_ts = siddhi_state_get_bool(r);
		t.max_ts = siddhi_state_get_int64(r);
		t.spared = siddhi_state_get_bool(r);
		t.spared_max = siddhi_state_get_int64(r);
		dispatch_time_restore(lfirst(lc), &t);
	}
	siddhi_state_expect_end(r);
	app_state_mark_saved(app, false);
}

/* At the end of a batch: the app's own state, if it moved. */
void
app_state_collect(SiddhiAppRuntime *app, SiddhiStateFn fn, void *arg,
				  StringInfo buf)
{
	bool clock_moved = app->playback && (app->clock != app->saved_clock ||
										 app_aggregations_moved(app));
	bool has_dispatch = app_dispatch_inputs(app) != NIL;
	char *fp;

	if (!clock_moved && !app->state_forgotten &&
		(!has_dispatch || dispatch_signature(app) == app->saved_dispatch))
		return;
	if (!app->playback && !has_dispatch)
		return;
	fp = app_state_fingerprint(app);
	resetStringInfo(buf);
	app_state_serialize(app, buf);
	fn(arg, APP_STATE_KEY, fp, buf->data, buf->len, NULL, 0, NULL);
	pfree(fp);
}

/* The batch that saved it committed. */
void
app_state_saved(SiddhiAppRuntime *app)
{
	app_state_mark_saved(app, false);
	app->state_forgotten = false;
}

/* What was saved was deleted: saved anew at the next batch. */
void
app_state_forget(SiddhiAppRuntime *app)
{
	app_state_mark_saved(app, true);
	app->state_forgotten = true;
}

bool
app_state_restore_key(SiddhiAppRuntime *app, const char *fingerprint,
					  const char *data, int len)
{
	SiddhiStateReader r;

	if (strcmp(app_state_fingerprint(app), fingerprint) != 0)
		return false;
	siddhi_state_reader_init(&r, data, len, psprintf("app \"%s\"", app->name));
	app_state_restore(app, &r);
	return true;
}
