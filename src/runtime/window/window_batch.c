/*-------------------------------------------------------------------------
 *
 * window_batch.c
 *	  Tumbling and hopping windows that flush on something other than a
 *	  count or the clock's period: externalTimeBatch, batch and hopping.
 *
 * externalTimeBatch(ts, t [, start [, timeout [, replace]]]) tumbles on the
 * time in attribute ts.  The first batch ends at the first event's ts + t
 * (with start.time s: at the first s + k*t after it; with a start.time
 * attribute: at its value in the first event + t).  An arrival whose ts is
 * before the end joins the batch (late events too); one at or after it
 * flushes: the previous batch as expired, then the batch as current, then
 * a new batch starts with the arrival, ending at the next boundary after
 * the latest ts seen.  Expired events are stamped with that latest ts (an
 * attribute value, as Siddhi does).  With a timeout, a timer runs every
 * timeout on the app's clock (rearmed by each event that starts a batch):
 * when it fires it flushes the collected batch early; events of the same
 * batch that arrive after such a flush are emitted at the next timer or
 * boundary together with the batch's earlier events, which are first
 * expired and then emitted again as current (Siddhi's appendToOutputChunk).
 * With replace.with.batchtime the ts attribute of each kept event is
 * replaced by its batch's end.
 *
 * batch([n]) emits the events of one input chunk together: when the chunk
 * ends (the runtime calls input_end: a chunk is the rows a transaction
 * inserted into a stream in a row, as the ring delivers them, or one
 * output chunk of the query upstream), the previous batch goes out as
 * expired, stamped with the clock, then the new one as current.  With n,
 * a chunk is cut into batches of n events, each expiring the one before.
 * (Siddhi resets the aggregators between the sub-batches of one chunk
 * instead and expires them all at the next chunk; aggregates come out the
 * same, the expired events come out one sub-batch earlier here.)
 *
 * hopping(size, advance) is not in Siddhi 5.1; ours: at every multiple B
 * of advance since the epoch (UTC) that the clock reaches, the window
 * emits the events whose time is in [B - size, B), as current events with
 * their own times, after expiring (stamped B) the events it emitted at
 * the boundary before.  An event is thus emitted size/advance times when
 * advance divides size; with size < advance some events are in no window.
 * Boundaries whose window is empty and that have nothing to expire are
 * skipped.
 *
 * Memory: externalTimeBatch holds two batches (the collected one and the
 * one to expire); batch two chunks (or 2n events); hopping the events of
 * the last size + advance.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "nodes/primnodes.h"
#include "window_int.h"
#include "window_list.h"

/* floor(a / b) for b > 0 */
static int64
floor_div(int64 a, int64 b)
{
	return a >= 0 ? a / b : -((-a + b - 1) / b);
}

/* ---------------------------------------------------------------------
 * externalTimeBatch
 * ---------------------------------------------------------------------
 */

typedef struct ExtBatchWindow
{
	SiddhiWindow base;
	int64 length;
	int64 timeout;		   /* 0: none */
	bool start_set;		   /* a start.time was given */
	bool start_attr;	   /* ... as an attribute */
	bool replace;		   /* replace.with.batchtime */
	AttrNumber time_attno; /* replace: the ts attribute */
	int64 start_time;
	int64 end_time;		  /* -1 before the first event */
	int64 last_scheduled; /* timeout: when the timer next fires, or -1 */
	int64 last_time;	  /* the latest ts seen */
	bool flushed;		  /* the timer flushed the collected batch */
	WindowList current;	  /* the batch being collected */
	WindowList expired;	  /* emitted, to expire */
} ExtBatchWindow;

static SiddhiWindow *
ext_batch_create(const SiddhiWindowPlan *plan, MemoryContext cxt)
{
	ExtBatchWindow *w = MemoryContextAllocZero(cxt, sizeof(ExtBatchWindow));

	w->base.cxt = cxt;
	w->length = plan->length;
	w->timeout = plan->timeout > 0 ? plan->timeout : 0;
	w->start_set = plan->start >= 0 || plan->start_expr != NULL;
	w->start_attr = plan->start_expr != NULL;
	w->start_time = plan->start >= 0 ? plan->start : 0;
	w->replace = plan->replace_time;
	if (w->replace)
	{
		/* the analyzer allows replace only on a long attribute */
		Assert(IsA(plan->time_expr, Var));
		w->time_attno = ((Var *) plan->time_expr)->varattno;
	}
	w->end_time = -1;
	w->last_scheduled = -1;
	return &w->base;
}

/* The next boundary start + k*length after t (Siddhi's findEndTime). */
static int64
ext_batch_end(ExtBatchWindow *w, int64 t)
{
	return t + (w->length - (t - w->start_time) % w->length);
}

/* A copy of the arrival, its ts attribute set to end when replacing. */
static MinimalTuple
ext_batch_keep(ExtBatchWindow *w, const SiddhiWindowEvent *ev)
{
	HeapTupleData htup;
	Datum *values;
	bool *nulls;
	int natts = ev->desc->natts;
	MinimalTuple copy;
	MemoryContext old;

	if (!w->replace)
		return siddhi_window_keep(&w->base, ev->tuple);
	htup.t_len = ev->tuple->t_len + MINIMAL_TUPLE_OFFSET;
	htup.t_data =
		(HeapTupleHeader) ((char *) ev->tuple - MINIMAL_TUPLE_OFFSET);
	values = palloc(sizeof(Datum) * natts);
	nulls = palloc(sizeof(bool) * natts);
	heap_deform_tuple(&htup, ev->desc, values, nulls);
	values[w->time_attno - 1] = Int64GetDatum(w->end_time);
	nulls[w->time_attno - 1] = false;
	old = MemoryContextSwitchTo(w->base.cxt);
	copy = heap_form_minimal_tuple(ev->desc, values, nulls);
	MemoryContextSwitchTo(old);
	pfree(values);
	pfree(nulls);
	return copy;
}

/*
 * Siddhi's flushToOutputChunk: the batch emitted before expires (stamped
 * ts), the collected one goes out and becomes the one to expire.
 */
static void
ext_batch_flush(ExtBatchWindow *w, int64 ts, SiddhiEventFn fn, void *arg)
{
	bool any = w->expired.count > 0 || w->current.count > 0;

	window_list_emit(&w->expired, SIDDHI_EVENT_EXPIRED, ts, fn, arg);
	window_list_free_tuples(&w->expired);
	window_list_emit(&w->current, SIDDHI_EVENT_CURRENT, WINDOW_OWN_TIME, fn,
					 arg);
	window_list_swap(&w->current, &w->expired);
	if (any)
		fn(arg, SIDDHI_EVENT_CHUNK_END, NULL, ts);
}

/*
 * Siddhi's appendToOutputChunk, after the timer flushed part of a batch:
 * the part already out expires and comes out again with the events that
 * joined it since; all of them are then kept to expire.
 */
static void
ext_batch_append(ExtBatchWindow *w, int64 ts, SiddhiEventFn fn, void *arg)
{
	if (w->current.count == 0)
		return;
	window_list_emit(&w->expired, SIDDHI_EVENT_EXPIRED, ts, fn, arg);
	window_list_emit(&w->expired, SIDDHI_EVENT_CURRENT, WINDOW_OWN_TIME, fn,
					 arg);
	window_list_emit(&w->current, SIDDHI_EVENT_CURRENT, WINDOW_OWN_TIME, fn,
					 arg);
	for (int64 i = 0; i < w->current.count; i++)
		window_list_push(&w->base, &w->expired, w->current.items[i].tuple,
						 w->current.items[i].timestamp);
	w->current.count = 0;
	fn(arg, SIDDHI_EVENT_CHUNK_END, NULL, ts);
}

static void
ext_batch_add(SiddhiWindow *base, const SiddhiWindowEvent *ev,
			  SiddhiEventFn fn, void *arg)
{
	ExtBatchWindow *w = (ExtBatchWindow *) base;
	int64 now = WINDOW_EVENT_NOW(ev); /* the timeout runs on the clock */

	if (w->end_time < 0)
	{
		if (w->start_set && !w->start_attr)
			w->end_time = ext_batch_end(w, ev->ext);
		else
		{
			w->start_time = w->start_attr ? ev->start : ev->ext;
			w->end_time = w->start_time + w->length;
		}
		if (w->timeout > 0)
			w->last_scheduled = now + w->timeout;
	}
	if (ev->ext > w->last_time)
		w->last_time = ev->ext;
	if (ev->ext >= w->end_time)
	{
		if (w->flushed)
		{
			ext_batch_append(w, w->last_time, fn, arg);
			w->flushed = false;
		}
		else
			ext_batch_flush(w, w->last_time, fn, arg);
		w->end_time = ext_batch_end(w, w->last_time);
		if (w->timeout > 0)
			w->last_scheduled = now + w->timeout;
	}
	window_list_push(base, &w->current, ext_batch_keep(w, ev), ev->timestamp);
}

static void
ext_batch_advance(SiddhiWindow *base, int64 now, SiddhiEventFn fn, void *arg)
{
	ExtBatchWindow *w = (ExtBatchWindow *) base;

	if (w->last_scheduled < 0 || now < w->last_scheduled)
		return;
	/* no event since the timer was armed: flush what is collected */
	if (!w->flushed)
	{
		ext_batch_flush(w, w->last_time, fn, arg);
		w->flushed = true;
	}
	else
		ext_batch_append(w, w->last_time, fn, arg);
	w->last_scheduled = now + w->timeout;
}

static int64
ext_batch_deadline(SiddhiWindow *base)
{
	return ((ExtBatchWindow *) base)->last_scheduled;
}

static void
ext_batch_scan(SiddhiWindow *base, SiddhiEventFn fn, void *arg)
{
	ExtBatchWindow *w = (ExtBatchWindow *) base;

	window_list_emit(&w->current, SIDDHI_EVENT_CURRENT, WINDOW_OWN_TIME, fn,
					 arg);
}

static int64
ext_batch_size(SiddhiWindow *base)
{
	ExtBatchWindow *w = (ExtBatchWindow *) base;

	return w->current.count + w->expired.count;
}

/*
 * Saved: the batch's start and end, the timer, the latest ts, whether the
 * timer flushed the batch, then the collected batch and the one to expire
 * (each event with its tuple as kept: replaced ts included).
 */
static void
ext_batch_serialize(SiddhiWindow *base, StringInfo buf)
{
	ExtBatchWindow *w = (ExtBatchWindow *) base;

	siddhi_state_put_int64(buf, w->start_time);
	siddhi_state_put_int64(buf, w->end_time);
	siddhi_state_put_int64(buf, w->last_scheduled);
	siddhi_state_put_int64(buf, w->last_time);
	siddhi_state_put_bool(buf, w->flushed);
	window_list_put(buf, &w->current, 0);
	window_list_put(buf, &w->expired, 0);
}

static void
ext_batch_restore(SiddhiWindow *base, SiddhiStateReader *r)
{
	ExtBatchWindow *w = (ExtBatchWindow *) base;

	w->start_time = siddhi_state_get_int64(r);
	w->end_time = siddhi_state_get_int64(r);
	w->last_scheduled = siddhi_state_get_int64(r);
	w->last_time = siddhi_state_get_int64(r);
	w->flushed = siddhi_state_get_bool(r);
	if (w->start_set && !w->start_attr && w->start_time != base->plan->start)
		siddhi_state_corrupt(r, "A batch's start is not its plan's");
	window_list_get(base, r, &w->current);
	window_list_get(base, r, &w->expired);
}

const SiddhiWindowOps siddhi_external_time_batch_window_ops = {
	.create = ext_batch_create,
	.add = ext_batch_add,
	.advance = ext_batch_advance,
	.deadline = ext_batch_deadline,
	.scan = ext_batch_scan,
	.size = ext_batch_size,
	.serialize = ext_batch_serialize,
	.restore = ext_batch_restore,
	.timers_between_chunks = true,
};

/* ---------------------------------------------------------------------
 * batch
 * ---------------------------------------------------------------------
 */

typedef struct BatchWindow
{
	SiddhiWindow base;
	int64 length;		 /* 0: the whole chunk */
	WindowList current;	 /* of the chunk coming in */
	WindowList previous; /* emitted, to expire */
} BatchWindow;

static SiddhiWindow *
batch_create(const SiddhiWindowPlan *plan, MemoryContext cxt)
{
	BatchWindow *w = MemoryContextAllocZero(cxt, sizeof(BatchWindow));

	w->base.cxt = cxt;
	w->length = plan->count;
	return &w->base;
}

static void
batch_flush(BatchWindow *w, int64 now, SiddhiEventFn fn, void *arg)
{
	window_list_emit(&w->previous, SIDDHI_EVENT_EXPIRED, now, fn, arg);
	window_list_free_tuples(&w->previous);
	window_list_emit(&w->current, SIDDHI_EVENT_CURRENT, WINDOW_OWN_TIME, fn,
					 arg);
	window_list_swap(&w->current, &w->previous);
	fn(arg, SIDDHI_EVENT_CHUNK_END, NULL, now);
}

static void
batch_add(SiddhiWindow *base, const SiddhiWindowEvent *ev, SiddhiEventFn fn,
		  void *arg)
{
	BatchWindow *w = (BatchWindow *) base;

	window_list_push(base, &w->current, siddhi_window_keep(base, ev->tuple),
					 ev->timestamp);
	if (w->length > 0 && w->current.count == w->length)
		batch_flush(w, ev->timestamp, fn, arg);
}

static void
batch_input_end(SiddhiWindow *base, int64 now, SiddhiEventFn fn, void *arg)
{
	BatchWindow *w = (BatchWindow *) base;

	if (w->current.count > 0)
		batch_flush(w, now, fn, arg);
}

/* The last batch emitted (the chunk being collected is not out yet). */
static void
batch_scan(SiddhiWindow *base, SiddhiEventFn fn, void *arg)
{
	BatchWindow *w = (BatchWindow *) base;

	window_list_emit(&w->previous, SIDDHI_EVENT_CURRENT, WINDOW_OWN_TIME, fn,
					 arg);
}

static int64
batch_size(SiddhiWindow *base)
{
	BatchWindow *w = (BatchWindow *) base;

	return w->current.count + w->previous.count;
}

/* Saved: the chunk being collected, then the batch to expire. */
static void
batch_serialize(SiddhiWindow *base, StringInfo buf)
{
	BatchWindow *w = (BatchWindow *) base;

	window_list_put(buf, &w->current, 0);
	window_list_put(buf, &w->previous, 0);
}

static void
batch_restore(SiddhiWindow *base, SiddhiStateReader *r)
{
	BatchWindow *w = (BatchWindow *) base;

	window_list_get(base, r, &w->current);
	window_list_get(base, r, &w->previous);
	if (w->length > 0 &&
		(w->current.count >= w->length || w->previous.count > w->length))
		siddhi_state_corrupt(r, "A batch holds more events than its length");
}

const SiddhiWindowOps siddhi_batch_window_ops = {
	.create = batch_create,
	.add = batch_add,
	.scan = batch_scan,
	.size = batch_size,
	.input_end = batch_input_end,
	.serialize = batch_serialize,
	.restore = batch_restore,
};

/* ---------------------------------------------------------------------
 * hopping
 * ---------------------------------------------------------------------
 */

typedef struct HoppingWindow
{
	SiddhiWindow base;
	int64 size;
	int64 advance;
	WindowList events;	/* kept, in arrival order */
	WindowList emitted; /* not owned: what the last boundary emitted */
	int64 next_flush;	/* the next boundary, or -1 when empty */
} HoppingWindow;

static SiddhiWindow *
hopping_create(const SiddhiWindowPlan *plan, MemoryContext cxt)
{
	HoppingWindow *w = MemoryContextAllocZero(cxt, sizeof(HoppingWindow));

	w->base.cxt = cxt;
	w->size = plan->length;
	w->advance = plan->count;
	w->next_flush = -1;
	return &w->base;
}

/* The first boundary after t. */
static int64
hopping_after(HoppingWindow *w, int64 t)
{
	return (floor_div(t, w->advance) + 1) * w->advance;
}

static void
hopping_add(SiddhiWindow *base, const SiddhiWindowEvent *ev, SiddhiEventFn fn,
			void *arg)
{
	HoppingWindow *w = (HoppingWindow *) base;

	window_list_push(base, &w->events, siddhi_window_keep(base, ev->tuple),
					 ev->timestamp);
	if (w->next_flush < 0)
		w->next_flush = hopping_after(w, ev->timestamp);
}

/* The window ending at boundary b closes. */
static void
hopping_boundary(HoppingWindow *w, int64 b, SiddhiEventFn fn, void *arg)
{
	bool any = w->emitted.count > 0;
	int64 keep = 0;

	window_list_emit(&w->emitted, SIDDHI_EVENT_EXPIRED, b, fn, arg);
	w->emitted.count = 0;
	/* events too old for this window and any later one go */
	for (int64 i = 0; i < w->events.count; i++)
	{
		WindowEntry *e = &w->events.items[i];

		if (e->timestamp < b - w->size)
			pfree(e->tuple);
		else
			w->events.items[keep++] = *e;
	}
	w->events.count = keep;
	for (int64 i = 0; i < w->events.count; i++)
	{
		WindowEntry *e = &w->events.items[i];

		if (e->timestamp >= b)
			continue;
		fn(arg, SIDDHI_EVENT_CURRENT, e->tuple, e->timestamp);
		window_list_push(&w->base, &w->emitted, e->tuple, e->timestamp);
		any = true;
	}
	if (any)
		fn(arg, SIDDHI_EVENT_CHUNK_END, NULL, b);
}

static void
hopping_advance(SiddhiWindow *base, int64 now, SiddhiEventFn fn, void *arg)
{
	HoppingWindow *w = (HoppingWindow *) base;

	while (w->next_flush >= 0 && now >= w->next_flush)
	{
		int64 b = w->next_flush;

		hopping_boundary(w, b, fn, arg);
		if (w->events.count == 0 && w->emitted.count == 0)
			w->next_flush = -1;
		else if (w->emitted.count == 0)
		{
			/* nothing in this window: on to the first one with an event */
			int64 earliest = w->events.items[0].timestamp;

			for (int64 i = 1; i < w->events.count; i++)
				earliest = Min(earliest, w->events.items[i].timestamp);
			w->next_flush = Max(b + w->advance, hopping_after(w, earliest));
		}
		else
			w->next_flush = b + w->advance;
	}
}

static int64
hopping_deadline(SiddhiWindow *base)
{
	return ((HoppingWindow *) base)->next_flush;
}

/* The events of the window emitted last. */
static void
hopping_scan(SiddhiWindow *base, SiddhiEventFn fn, void *arg)
{
	HoppingWindow *w = (HoppingWindow *) base;

	window_list_emit(&w->emitted, SIDDHI_EVENT_CURRENT, WINDOW_OWN_TIME, fn,
					 arg);
}

static int64
hopping_size(SiddhiWindow *base)
{
	return ((HoppingWindow *) base)->events.count;
}

/*
 * Saved: the next boundary, the events kept, then the ones the last
 * boundary emitted as their places among the kept ones (they are the same
 * tuples: the expiry must carry the pointer the event went out with).
 */
static void
hopping_serialize(SiddhiWindow *base, StringInfo buf)
{
	HoppingWindow *w = (HoppingWindow *) base;
	int64 j = 0;

	siddhi_state_put_int64(buf, w->next_flush);
	window_list_put(buf, &w->events, 0);
	siddhi_state_put_int64(buf, w->emitted.count);
	/* emitted is a subsequence of events, in the same order */
	for (int64 i = 0; i < w->emitted.count; i++)
	{
		while (j < w->events.count &&
			   w->events.items[j].tuple != w->emitted.items[i].tuple)
			j++;
		if (j == w->events.count)
			elog(ERROR, "hopping window: an emitted event is not kept");
		siddhi_state_put_int64(buf, j++);
	}
}

static void
hopping_restore(SiddhiWindow *base, SiddhiStateReader *r)
{
	HoppingWindow *w = (HoppingWindow *) base;
	int64 n;
	int64 prev = -1;

	w->next_flush = siddhi_state_get_int64(r);
	window_list_get(base, r, &w->events);
	n = siddhi_state_get_count(r, sizeof(int64));
	for (int64 i = 0; i < n; i++)
	{
		int64 j = siddhi_state_get_int64(r);
		WindowEntry *e;

		if (j <= prev || j >= w->events.count)
			siddhi_state_corrupt(r, "An emitted event is not a kept one");
		prev = j;
		e = &w->events.items[j];
		window_list_push(base, &w->emitted, e->tuple, e->timestamp);
	}
}

const SiddhiWindowOps siddhi_hopping_window_ops = {
	.create = hopping_create,
	.add = hopping_add,
	.advance = hopping_advance,
	.deadline = hopping_deadline,
	.scan = hopping_scan,
	.size = hopping_size,
	.serialize = hopping_serialize,
	.restore = hopping_restore,
};
