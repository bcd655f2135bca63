/*-------------------------------------------------------------------------
 *
 * window_delay.c
 *	  Timer-driven windows: delay(t) and cron('expression').
 *
 * delay(t) holds each arrival and lets it out as a current event once the
 * clock reaches its time + t, stamped with the clock, in arrival order (an
 * event due behind one that is not waits for it, as in Siddhi).  Nothing
 * is ever expired.
 *
 * cron('expression') collects arrivals; at each fire time of the
 * expression (src/common/cron.c, in the worker's time zone) that finds
 * the collected batch non-empty, it emits the previous batch as expired,
 * stamped with the clock, then the collected batch as current, each event
 * with its own time.  A fire that finds nothing collected does nothing
 * (the previous batch stays until the next non-empty fire), as in Siddhi.
 * Siddhi runs cron windows on the wall clock even in playback; here the
 * app's clock drives them, so playback tests are deterministic.  When the
 * clock jumps over several fire times the first one flushes and the
 * others find nothing.
 *
 * Memory: delay(t) the events of the last t; cron the events between two
 * fires, twice (the collected batch and the one emitted last).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "pgtime.h"
#include "siddhi/cron.h"
#include "window_int.h"
#include "window_list.h"

typedef struct DelayWindow
{
	SiddhiWindow base;
	int64 delay;
	WindowList queue; /* from head on, in arrival order */
	int64 head;
} DelayWindow;

static SiddhiWindow *
delay_create(const SiddhiWindowPlan *plan, MemoryContext cxt)
{
	DelayWindow *w = MemoryContextAllocZero(cxt, sizeof(DelayWindow));

	w->base.cxt = cxt;
	w->delay = plan->length;
	return &w->base;
}

/* The events whose delay is over leave (as current); whether any did. */
static bool
delay_release(DelayWindow *w, int64 now, SiddhiEventFn fn, void *arg)
{
	bool any = false;

	while (w->head < w->queue.count &&
		   w->queue.items[w->head].timestamp + w->delay <= now)
	{
		WindowEntry *e = &w->queue.items[w->head++];

		/* released, not kept: it never expires */
		window_emit_passing(&w->base, fn, arg, e->tuple, now);
		pfree(e->tuple);
		any = true;
	}
	if (w->head == w->queue.count)
		w->head = w->queue.count = 0;
	return any;
}

static void
delay_add(SiddhiWindow *base, const SiddhiWindowEvent *ev, SiddhiEventFn fn,
		  void *arg)
{
	DelayWindow *w = (DelayWindow *) base;

	/*
	 * What is due by the clock leaves before the arrival, in its chunk, as
	 * Siddhi checks each row: rows of one chunk from upstream that came
	 * late (time passes for the window between chunks only).
	 */
	(void) delay_release(w, WINDOW_EVENT_NOW(ev), fn, arg);
	if (w->head > 0 && w->head >= w->queue.count / 2)
	{
		/* drop the released prefix before growing */
		memmove(w->queue.items, &w->queue.items[w->head],
				sizeof(WindowEntry) * (w->queue.count - w->head));
		w->queue.count -= w->head;
		w->head = 0;
	}
	window_list_push(base, &w->queue, siddhi_window_keep(base, ev->tuple),
					 ev->timestamp);
}

static void
delay_advance(SiddhiWindow *base, int64 now, SiddhiEventFn fn, void *arg)
{
	DelayWindow *w = (DelayWindow *) base;

	if (delay_release(w, now, fn, arg))
		fn(arg, SIDDHI_EVENT_CHUNK_END, NULL, now);
}

static int64
delay_deadline(SiddhiWindow *base)
{
	DelayWindow *w = (DelayWindow *) base;

	if (w->head < w->queue.count)
		return w->queue.items[w->head].timestamp + w->delay;
	return -1;
}

static void
delay_scan(SiddhiWindow *base, SiddhiEventFn fn, void *arg)
{
	DelayWindow *w = (DelayWindow *) base;

	for (int64 i = w->head; i < w->queue.count; i++)
		fn(arg, SIDDHI_EVENT_CURRENT, w->queue.items[i].tuple,
		   w->queue.items[i].timestamp);
}

static int64
delay_size(SiddhiWindow *base)
{
	DelayWindow *w = (DelayWindow *) base;

	return w->queue.count - w->head;
}

/* Saved: the events not yet let out, in arrival order. */
static void
delay_serialize(SiddhiWindow *base, StringInfo buf)
{
	DelayWindow *w = (DelayWindow *) base;

	window_list_put(buf, &w->queue, w->head);
}

static void
delay_restore(SiddhiWindow *base, SiddhiStateReader *r)
{
	DelayWindow *w = (DelayWindow *) base;

	window_list_get(base, r, &w->queue);
}

const SiddhiWindowOps siddhi_delay_window_ops = {
	.create = delay_create,
	.add = delay_add,
	.advance = delay_advance,
	.deadline = delay_deadline,
	.scan = delay_scan,
	.size = delay_size,
	.serialize = delay_serialize,
	.restore = delay_restore,
	.timers_between_chunks = true,
};

typedef struct CronWindow
{
	SiddhiWindow base;
	SiddhiCron *cron;
	WindowList current;	 /* collected since the last flush */
	WindowList previous; /* emitted at the last flush, to expire */
	int64 next_fire;	 /* -1 while nothing is collected */
} CronWindow;

static SiddhiWindow *
cron_create(const SiddhiWindowPlan *plan, MemoryContext cxt)
{
	CronWindow *w = MemoryContextAllocZero(cxt, sizeof(CronWindow));
	MemoryContext old = MemoryContextSwitchTo(cxt);
	char *error;
	int offset;

	w->base.cxt = cxt;
	w->cron = siddhi_cron_parse(plan->text, &error, &offset);
	MemoryContextSwitchTo(old);
	if (w->cron == NULL) /* the analyzer checked it */
		ereport(
			ERROR, errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			errmsg("invalid cron expression \"%s\": %s", plan->text, error));
	w->next_fire = -1;
	return &w->base;
}

static void
cron_add(SiddhiWindow *base, const SiddhiWindowEvent *ev, SiddhiEventFn fn,
		 void *arg)
{
	CronWindow *w = (CronWindow *) base;

	window_list_push(base, &w->current, siddhi_window_keep(base, ev->tuple),
					 ev->timestamp);
	if (w->next_fire < 0)
		w->next_fire =
			siddhi_cron_next(w->cron, ev->timestamp, session_timezone);
}

static void
cron_advance(SiddhiWindow *base, int64 now, SiddhiEventFn fn, void *arg)
{
	CronWindow *w = (CronWindow *) base;

	if (w->next_fire < 0 || now < w->next_fire)
		return;
	if (w->current.count > 0)
	{
		window_list_emit(&w->previous, SIDDHI_EVENT_EXPIRED, now, fn, arg);
		window_list_free_tuples(&w->previous);
		window_list_emit(&w->current, SIDDHI_EVENT_CURRENT, WINDOW_OWN_TIME,
						 fn, arg);
		window_list_swap(&w->current, &w->previous);
		fn(arg, SIDDHI_EVENT_CHUNK_END, NULL, now);
	}
	/* nothing collected: no fire matters until something is */
	w->next_fire = -1;
}

static int64
cron_deadline(SiddhiWindow *base)
{
	return ((CronWindow *) base)->next_fire;
}

static void
cron_scan(SiddhiWindow *base, SiddhiEventFn fn, void *arg)
{
	CronWindow *w = (CronWindow *) base;

	window_list_emit(&w->current, SIDDHI_EVENT_CURRENT, WINDOW_OWN_TIME, fn,
					 arg);
}

static int64
cron_size(SiddhiWindow *base)
{
	CronWindow *w = (CronWindow *) base;

	return w->current.count + w->previous.count;
}

/* Saved: the next fire time, the collected batch, the one to expire. */
static void
cron_serialize(SiddhiWindow *base, StringInfo buf)
{
	CronWindow *w = (CronWindow *) base;

	siddhi_state_put_int64(buf, w->next_fire);
	window_list_put(buf, &w->current, 0);
	window_list_put(buf, &w->previous, 0);
}

static void
cron_restore(SiddhiWindow *base, SiddhiStateReader *r)
{
	CronWindow *w = (CronWindow *) base;

	w->next_fire = siddhi_state_get_int64(r);
	window_list_get(base, r, &w->current);
	window_list_get(base, r, &w->previous);
}

const SiddhiWindowOps siddhi_cron_window_ops = {
	.create = cron_create,
	.add = cron_add,
	.advance = cron_advance,
	.deadline = cron_deadline,
	.scan = cron_scan,
	.size = cron_size,
	.serialize = cron_serialize,
	.restore = cron_restore,
	.timers_between_chunks = true,
};
