/*-------------------------------------------------------------------------
 *
 * window.c
 *	  The registry of window kinds, and the sliding and tumbling count and
 *	  time windows: length, lengthBatch, time, timeBatch, timeLength,
 *	  externalTime.
 *
 * length(n) is a ring of the last n events: when full, an arrival expires
 * the oldest, which is emitted as expired (stamped with the arrival's time,
 * as Siddhi does) before the arrival is emitted as current.
 *
 * lengthBatch(n) collects n events; the n-th arrival flushes them: first
 * the previous batch as expired (stamped with the arrival's time), then
 * the new batch as current (each with its own time), and the end of a
 * chunk (a query's input chunk of many events may close several batches,
 * each a chunk of output of its own, as in Siddhi).  With
 * stream.current.event each arrival goes out as current at once, and the
 * (n+1)-th expires the n before it.
 *
 * time(t) keeps events while their time + t is later than the clock; when
 * the clock reaches it they are expired, stamped with the clock.
 *
 * timeBatch(t) starts its first batch at the first event's time (with
 * start.time s: at the first s + k*t after it) and flushes at every
 * multiple of t after it that the clock passes: the previous batch as
 * expired, the collected one as current, even when empty (so a batch
 * expires one period after it was emitted).  With stream.current.event
 * arrivals go out as current at once and expire together at the flush.
 *
 * Memory: length(n) keeps n events, lengthBatch(n) 2n; time windows the
 * events of the last t (timeBatch 2t); timeLength at most n.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "port/pg_bitutils.h"
#include "siddhi/state.h"
#include "siddhi/window.h"
#include "utils/memutils.h"
#include "window_int.h"
#include "window_ring.h"


static int64 ring_deadline(SiddhiWindow *base);

static const SiddhiWindowOps *const window_ops[] = {
	[SIDDHI_WINDOW_LENGTH] = &siddhi_length_window_ops,
	[SIDDHI_WINDOW_LENGTH_BATCH] = &siddhi_length_batch_window_ops,
	[SIDDHI_WINDOW_TIME] = &siddhi_time_window_ops,
	[SIDDHI_WINDOW_TIME_BATCH] = &siddhi_time_batch_window_ops,
	[SIDDHI_WINDOW_TIME_LENGTH] = &siddhi_time_length_window_ops,
	[SIDDHI_WINDOW_EXTERNAL_TIME] = &siddhi_external_time_window_ops,
	[SIDDHI_WINDOW_EXTERNAL_TIME_BATCH] =
		&siddhi_external_time_batch_window_ops,
	[SIDDHI_WINDOW_BATCH] = &siddhi_batch_window_ops,
	[SIDDHI_WINDOW_SORT] = &siddhi_sort_window_ops,
	[SIDDHI_WINDOW_DELAY] = &siddhi_delay_window_ops,
	[SIDDHI_WINDOW_CRON] = &siddhi_cron_window_ops,
	[SIDDHI_WINDOW_HOPPING] = &siddhi_hopping_window_ops,
	[SIDDHI_WINDOW_SESSION] = &siddhi_session_window_ops,
	[SIDDHI_WINDOW_EXPRESSION] = &siddhi_expression_window_ops,
	[SIDDHI_WINDOW_EXPRESSION_BATCH] = &siddhi_expression_batch_window_ops,
	[SIDDHI_WINDOW_FREQUENT] = &siddhi_frequent_window_ops,
	[SIDDHI_WINDOW_LOSSY_FREQUENT] = &siddhi_lossy_frequent_window_ops,
	[SIDDHI_WINDOW_UNIQUE_EVER] = &siddhi_unique_ever_window_ops,
	[SIDDHI_WINDOW_UNIQUE_FIRST] = &siddhi_unique_first_window_ops,
	[SIDDHI_WINDOW_UNIQUE_LENGTH] = &siddhi_unique_length_window_ops,
	[SIDDHI_WINDOW_UNIQUE_LENGTH_BATCH] =
		&siddhi_unique_length_batch_window_ops,
	[SIDDHI_WINDOW_UNIQUE_FIRST_LENGTH_BATCH] =
		&siddhi_unique_first_length_batch_window_ops,
	[SIDDHI_WINDOW_UNIQUE_TIME] = &siddhi_unique_time_window_ops,
	[SIDDHI_WINDOW_UNIQUE_TIME_BATCH] = &siddhi_unique_time_batch_window_ops,
	[SIDDHI_WINDOW_UNIQUE_FIRST_TIME_BATCH] =
		&siddhi_unique_first_time_batch_window_ops,
	[SIDDHI_WINDOW_UNIQUE_TIME_LENGTH_BATCH] =
		&siddhi_unique_time_length_batch_window_ops,
	[SIDDHI_WINDOW_UNIQUE_EXTERNAL_TIME_BATCH] =
		&siddhi_unique_external_time_batch_window_ops, /* the last kind */
};

/*
 * Every kind the analyzer can plan has its ops: the analyzer does not ask
 * (it never calls the runtime), so a kind added to SiddhiWindowKind must
 * be added here too.
 */
StaticAssertDecl(lengthof(window_ops) ==
					 SIDDHI_WINDOW_UNIQUE_EXTERNAL_TIME_BATCH + 1,
				 "window_ops must have an entry for every SiddhiWindowKind");

bool
siddhi_window_reset_batches(SiddhiWindow *w)
{
	RingWindow *rw = (RingWindow *) w;

	if (w->ops != &siddhi_time_batch_window_ops &&
		w->ops != &siddhi_length_batch_window_ops)
		return false;
	/* stream.current.event emits each arrival and expires it later */
	if (rw->current_event)
		return false;
	w->resets_batches = true;
	return true;
}

bool
siddhi_window_fold_batches(SiddhiWindow *w)
{
	if (!w->resets_batches)
		return false;
	w->folds_batches = true;
	return true;
}

bool
siddhi_window_supported(SiddhiWindowKind kind)
{
	return kind > SIDDHI_WINDOW_NONE && kind < lengthof(window_ops) &&
		   window_ops[kind] != NULL;
}

/*
 * Whether a window of this kind may ever have a deadline: not the count
 * windows (length, lengthBatch) nor externalTime, which the ring's
 * deadline leaves at -1, nor a kind with no deadline at all.
 */
bool
siddhi_window_kind_timed(SiddhiWindowKind kind)
{
	const SiddhiWindowOps *ops;

	if (!siddhi_window_supported(kind))
		return false;
	ops = window_ops[kind];
	if (ops->deadline == NULL)
		return false;
	if (ops->deadline == ring_deadline)
		return kind == SIDDHI_WINDOW_TIME ||
			   kind == SIDDHI_WINDOW_TIME_BATCH ||
			   kind == SIDDHI_WINDOW_TIME_LENGTH;
	return true;
}

/*
 * Whether a window of this kind hands each arrival out as the last event
 * of its add, after what the arrival expires (length, time, timeLength,
 * externalTime: length_add, time_add and their callers above).
 */
bool
siddhi_window_kind_current_last(SiddhiWindowKind kind)
{
	return kind == SIDDHI_WINDOW_LENGTH || kind == SIDDHI_WINDOW_TIME ||
		   kind == SIDDHI_WINDOW_TIME_LENGTH ||
		   kind == SIDDHI_WINDOW_EXTERNAL_TIME;
}

SiddhiWindow *
siddhi_window_create(const SiddhiWindowPlan *plan, MemoryContext parent)
{
	return siddhi_window_create_in(
		plan, AllocSetContextCreate(parent, "siddhi window",
									ALLOCSET_START_SMALL_SIZES));
}

/*
 * A window that lives in cxt itself rather than in a context of its own:
 * a partition key's (query.c), whose context holds the key's every state,
 * so that an event's step finds the key, its window and its aggregators
 * in the same few lines of memory.
 */
SiddhiWindow *
siddhi_window_create_in(const SiddhiWindowPlan *plan, MemoryContext cxt)
{
	const SiddhiWindowOps *ops;
	SiddhiWindow *w;

	if (!siddhi_window_supported(plan->kind))
		elog(ERROR, "window kind %d is not built", (int) plan->kind);
	ops = window_ops[plan->kind];
	w = ops->create(plan, cxt);
	w->ops = ops;
	w->plan = plan;
	w->cxt = cxt;
	w->timed = siddhi_window_kind_timed(plan->kind);
	w->index = NULL;
	window_index_create(w, plan);
	return w;
}

void
siddhi_window_add(SiddhiWindow *w, const SiddhiWindowEvent *ev,
				  SiddhiEventFn fn, void *arg)
{
	if (w->index)
		window_index_add(w, ev, fn, arg);
	else
		w->ops->add(w, ev, fn, arg);
}

void
siddhi_window_advance(SiddhiWindow *w, int64 now, SiddhiEventFn fn, void *arg)
{
	if (w->ops->advance && w->index)
		window_index_advance(w, now, fn, arg);
	else if (w->ops->advance)
		w->ops->advance(w, now, fn, arg);
}

int64
siddhi_window_deadline(SiddhiWindow *w)
{
	return w->ops->deadline ? w->ops->deadline(w) : -1;
}

void
siddhi_window_scan(SiddhiWindow *w, SiddhiEventFn fn, void *arg)
{
	w->ops->scan(w, fn, arg);
}

int64
siddhi_window_size(SiddhiWindow *w)
{
	return w->ops->size(w);
}

bool
siddhi_window_wants_input_end(SiddhiWindow *w)
{
	return w->ops->input_end != NULL;
}

void
siddhi_window_input_end(SiddhiWindow *w, int64 now, SiddhiEventFn fn,
						void *arg)
{
	if (w->ops->input_end && w->index)
		window_index_input_end(w, now, fn, arg);
	else if (w->ops->input_end)
		w->ops->input_end(w, now, fn, arg);
}

bool
siddhi_window_can_save(SiddhiWindow *w)
{
	return w->ops->serialize != NULL && w->ops->restore != NULL;
}

void
siddhi_window_serialize(SiddhiWindow *w, StringInfo buf)
{
	Assert(siddhi_window_can_save(w));
	w->ops->serialize(w, buf);
}

bool
siddhi_window_serialize_parts(SiddhiWindow *w, int64 since, StringInfo head,
							  StringInfo events, int64 *first, int64 *next)
{
	return w->ops->serialize_parts &&
		   w->ops->serialize_parts(w, since, head, events, first, next);
}

void
siddhi_window_restore_parts(SiddhiWindow *w, SiddhiStateReader *head,
							SiddhiStateReader *parts, int nparts,
							TupleDesc desc)
{
	Assert(w->ops->restore_parts);
	w->ops->restore_parts(w, head, parts, nparts);
	if (w->index)
		window_index_restore(w, desc);
}

void
siddhi_window_restore(SiddhiWindow *w, SiddhiStateReader *r, TupleDesc desc)
{
	Assert(siddhi_window_can_save(w));
	w->ops->restore(w, r);
	if (w->index)
		window_index_restore(w, desc);
}

MinimalTuple
siddhi_window_keep(SiddhiWindow *w, MinimalTuple tuple)
{
	MinimalTuple copy = MemoryContextAlloc(w->cxt, tuple->t_len);

	memcpy(copy, tuple, tuple->t_len);
	return copy;
}

static SiddhiWindow *
ring_create(const SiddhiWindowPlan *plan, MemoryContext cxt)
{
	RingWindow *w = MemoryContextAllocZero(cxt, sizeof(RingWindow));

	Assert(plan->length > 0);
	w->kind = plan->kind;
	w->length = plan->length;
	w->current_event = plan->current_event;
	w->start = plan->start;
	w->next_flush = -1;
	w->max_count = plan->count;
	if (w->kind == SIDDHI_WINDOW_LENGTH ||
		w->kind == SIDDHI_WINDOW_LENGTH_BATCH)
		w->capacity = w->length;
	else
		w->capacity = 64; /* time windows grow as events arrive */
	w->slots = MemoryContextAllocHuge(cxt, sizeof(WindowSlot) * w->capacity);
	if (w->kind != SIDDHI_WINDOW_LENGTH)
		w->previous =
			MemoryContextAllocHuge(cxt, sizeof(WindowSlot) * w->capacity);
	w->previous_capacity = w->capacity;
	w->base.cxt = cxt;
	return &w->base;
}

#define keep(w, tuple) siddhi_window_keep(&(w)->base, (tuple))

/*
 * Emit the oldest event of a ring as expired, stamped ts, and take it out;
 * its memory is the caller's.
 */
static MinimalTuple
expire_take(RingWindow *w, int64 ts, SiddhiEventFn fn, void *arg)
{
	WindowSlot *oldest = &w->slots[w->head];

	fn(arg, SIDDHI_EVENT_EXPIRED, oldest->tuple, ts);
	w->head = (w->head + 1) % w->capacity;
	w->count--;
	w->expired++;
	return oldest->tuple;
}

/* Emit the oldest event of a ring as expired, stamped ts, and drop it. */
static void
expire_oldest(RingWindow *w, int64 ts, SiddhiEventFn fn, void *arg)
{
	pfree(expire_take(w, ts, fn, arg));
}

/*
 * A length window's copies are sized in powers of two (as the allocator
 * rounds small ones anyway), so that the arrival can take the memory of
 * the event it pushes out: no allocation per event once the window is
 * full.  What a copy has room for is known from its length alone: the
 * power of two at or above it is never more than what was allocated.
 */
#define LENGTH_ROUNDED_MAX 1024

static Size
length_room(Size len)
{
	return len <= LENGTH_ROUNDED_MAX ? pg_nextpower2_32(Max(len, 32)) : len;
}

MinimalTuple
ring_window_keep_in(RingWindow *w, MinimalTuple tuple, MinimalTuple spare)
{
	MinimalTuple copy;

	if (spare != NULL && tuple->t_len <= length_room(spare->t_len))
		copy = spare;
	else
	{
		if (spare != NULL)
			pfree(spare);
		copy = MemoryContextAlloc(w->base.cxt, length_room(tuple->t_len));
	}
	memcpy(copy, tuple, tuple->t_len);
	return copy;
}

static void
length_add(RingWindow *w, MinimalTuple tuple, int64 ts, int64 now,
		   SiddhiEventFn fn, void *arg)
{
	WindowSlot *slot;
	MinimalTuple spare = NULL;

	if (w->count == w->length)
		spare = expire_take(w, now, fn, arg);
	slot = &w->slots[(w->head + w->count) % w->capacity];
	slot->tuple = ring_window_keep_in(w, tuple, spare);
	slot->timestamp = ts;
	slot->ext = 0;
	w->count++;
	w->added++;
	fn(arg, SIDDHI_EVENT_CURRENT, slot->tuple, ts);
}

static void flush_batch(RingWindow *w, int64 ts, SiddhiEventFn fn, void *arg);

/*
 * A folding batch window hands each arrival out at once and keeps none;
 * at the close it sends the RESET that makes its query output what it
 * folded.  The count goes to zero before: an error in the output must not
 * close the batch again.
 */
static void
fold_add(RingWindow *w, MinimalTuple tuple, int64 ts, SiddhiEventFn fn,
		 void *arg)
{
	w->added++;
	w->folded++;
	fn(arg, SIDDHI_EVENT_CURRENT, tuple, ts);
}

static void
fold_close(RingWindow *w, int64 ts, SiddhiEventFn fn, void *arg)
{
	if (w->folded == 0)
		return;
	w->folded = 0;
	fn(arg, SIDDHI_EVENT_RESET, NULL, ts);
}

static void
length_batch_add(RingWindow *w, MinimalTuple tuple, int64 ts, int64 now,
				 SiddhiEventFn fn, void *arg)
{
	if (w->base.folds_batches)
	{
		/* the n-th joins its batch, then the batch closes */
		fold_add(w, tuple, ts, fn, arg);
		if (w->folded >= w->length)
		{
			fold_close(w, now, fn, arg);
			fn(arg, SIDDHI_EVENT_CHUNK_END, NULL, now);
		}
		return;
	}
	w->slots[w->count].tuple = keep(w, tuple);
	w->slots[w->count].timestamp = ts;
	w->slots[w->count].ext = 0;
	w->count++;
	w->added++;
	if (w->count < w->length)
		return;
	flush_batch(w, now, fn, arg);
	/* each batch a chunk of its own, as in Siddhi (an input chunk of many
	 * events may close several) */
	fn(arg, SIDDHI_EVENT_CHUNK_END, NULL, now);
}

/* Room for one more slot in the batch kept to expire later. */
void
ring_window_grow_previous(RingWindow *w)
{
	int64 cap = w->previous_capacity * 2;

	w->previous = repalloc_huge(w->previous, sizeof(WindowSlot) * cap);
	w->previous_capacity = cap;
}

/*
 * Emit the kept batch as expired, stamped ts, and forget it; then CHUNK_END
 * if asked, so that aggregations output before what follows.
 */
static void
expire_previous(RingWindow *w, int64 ts, SiddhiEventFn fn, void *arg)
{
	for (int64 i = 0; i < w->previous_count; i++)
	{
		fn(arg, SIDDHI_EVENT_EXPIRED, w->previous[i].tuple, ts);
		pfree(w->previous[i].tuple);
	}
	w->previous_count = 0;
}

/* Keep a copy of an event in the batch that expires later. */
static void
keep_previous(RingWindow *w, MinimalTuple tuple, int64 ts)
{
	if (w->previous_count == w->previous_capacity)
		ring_window_grow_previous(w);
	w->previous[w->previous_count].tuple = keep(w, tuple);
	w->previous[w->previous_count].timestamp = ts;
	w->previous[w->previous_count].ext = 0;
	w->previous_count++;
}

/*
 * A batch closes: the one emitted before expires (stamped ts), the one
 * collected goes out as current, each event with its own time, and is
 * kept to expire at the next close.  A window that resets batches keeps
 * nothing: a RESET, then the batch as current, and its events are gone.
 */
static void
flush_batch(RingWindow *w, int64 ts, SiddhiEventFn fn, void *arg)
{
	WindowSlot *swap = w->previous;
	int64 swapcap = w->previous_capacity;

	if (w->base.folds_batches)
	{
		fold_close(w, ts, fn, arg);
		return;
	}
	if (w->base.resets_batches)
	{
		/* (a batch kept by a state saved before it reset: expires first) */
		expire_previous(w, ts, fn, arg);
		fn(arg, SIDDHI_EVENT_RESET, NULL, ts);
		for (int64 i = 0; i < w->count; i++)
			fn(arg, SIDDHI_EVENT_CURRENT, w->slots[i].tuple,
			   w->slots[i].timestamp);
		for (int64 i = 0; i < w->count; i++)
			pfree(w->slots[i].tuple);
		w->count = 0;
		return;
	}
	expire_previous(w, ts, fn, arg);
	for (int64 i = 0; i < w->count; i++)
		fn(arg, SIDDHI_EVENT_CURRENT, w->slots[i].tuple,
		   w->slots[i].timestamp);
	w->previous = w->slots;
	w->previous_capacity = w->capacity;
	w->previous_count = w->count;
	w->slots = swap;
	w->capacity = swapcap;
	w->count = 0;
}

/* stream.current.event: an arrival goes out at once, kept to expire later. */
static void
stream_current(RingWindow *w, MinimalTuple tuple, int64 ts, SiddhiEventFn fn,
			   void *arg)
{
	keep_previous(w, tuple, ts);
	fn(arg, SIDDHI_EVENT_CURRENT, w->previous[w->previous_count - 1].tuple,
	   ts);
}

/*
 * lengthBatch(n, true): each arrival goes out as current; the (n+1)-th
 * first expires the n before it, stamped with its time.
 */
static void
length_batch_stream_add(RingWindow *w, MinimalTuple tuple, int64 ts, int64 now,
						SiddhiEventFn fn, void *arg)
{
	if (w->previous_count == w->length)
		expire_previous(w, now, fn, arg);
	stream_current(w, tuple, ts, fn, arg);
}

/* Room for one more slot in a time window's ring (or batch). */
void
ring_window_grow(RingWindow *w)
{
	int64 cap = w->capacity * 2;
	WindowSlot *slots =
		MemoryContextAllocHuge(w->base.cxt, sizeof(WindowSlot) * cap);

	for (int64 i = 0; i < w->count; i++)
		slots[i] = w->slots[(w->head + i) % w->capacity];
	pfree(w->slots);
	w->slots = slots;
	w->head = 0;
	w->capacity = cap;
}

/* The arrival kept (ext: externalTime's time of it, else 0), then out. */
static void
time_add(RingWindow *w, MinimalTuple tuple, int64 ts, int64 ext,
		 SiddhiEventFn fn, void *arg)
{
	WindowSlot *slot;

	if (w->count == w->capacity)
		ring_window_grow(w);
	slot = &w->slots[(w->head + w->count) % w->capacity];
	slot->tuple = keep(w, tuple);
	slot->timestamp = ts;
	slot->ext = ext;
	w->count++;
	w->added++;
	fn(arg, SIDDHI_EVENT_CURRENT, slot->tuple, ts);
}

/* time, timeLength: the events whose time is up leave; whether any did */
static bool
time_expire_due(RingWindow *w, int64 now, SiddhiEventFn fn, void *arg)
{
	bool any = false;

	while (w->count > 0 && w->slots[w->head].timestamp + w->length <= now)
	{
		expire_oldest(w, now, fn, arg);
		any = true;
	}
	return any;
}

static void
time_advance(RingWindow *w, int64 now, SiddhiEventFn fn, void *arg)
{
	if (time_expire_due(w, now, fn, arg))
		fn(arg, SIDDHI_EVENT_CHUNK_END, NULL, now);
}

static void
time_batch_add(RingWindow *w, MinimalTuple tuple, int64 ts, int64 now,
			   SiddhiEventFn fn, void *arg)
{
	/*
	 * The first batch is timed from the clock when the first event came
	 * (Siddhi's currentTime), not from the event's own time: they differ
	 * for a row of a chunk from upstream, or a late event.
	 */
	if (w->next_flush < 0 && w->start >= 0)
	{
		/* the first boundary s + k*t after the clock */
		int64 into = (now - w->start) % w->length;

		if (into < 0)
			into += w->length;
		w->next_flush = now + (w->length - into);
	}
	else if (w->next_flush < 0)
		w->next_flush = now + w->length;
	if (w->current_event)
	{
		stream_current(w, tuple, ts, fn, arg);
		return;
	}
	if (w->base.folds_batches)
	{
		fold_add(w, tuple, ts, fn, arg);
		return;
	}
	if (w->count == w->capacity)
		ring_window_grow(w);
	w->slots[w->count].tuple = keep(w, tuple);
	w->slots[w->count].timestamp = ts;
	w->slots[w->count].ext = 0;
	w->count++;
	w->added++;
}

static void
time_batch_advance(RingWindow *w, int64 now, SiddhiEventFn fn, void *arg)
{
	while (w->next_flush >= 0 && now >= w->next_flush)
	{
		if (w->current_event)
		{
			/* the arrivals went out already: now they expire together */
			if (w->previous_count > 0)
			{
				expire_previous(w, now, fn, arg);
				fn(arg, SIDDHI_EVENT_CHUNK_END, NULL, now);
			}
			w->next_flush +=
				((now - w->next_flush) / w->length + 1) * w->length;
			break;
		}
		if (w->previous_count == 0 && w->count == 0 && w->folded == 0)
		{
			/* nothing to emit: skip to the first boundary after now */
			w->next_flush +=
				((now - w->next_flush) / w->length + 1) * w->length;
			break;
		}
		flush_batch(w, now, fn, arg);
		fn(arg, SIDDHI_EVENT_CHUNK_END, NULL, now);
		w->next_flush += w->length;
	}
}

/* timeLength: a full window first expires its oldest, then as time(t). */
static void
time_length_add(RingWindow *w, MinimalTuple tuple, int64 ts, int64 now,
				SiddhiEventFn fn, void *arg)
{
	(void) time_expire_due(w, now, fn, arg);
	if (w->count >= w->max_count)
		expire_oldest(w, now, fn, arg);
	time_add(w, tuple, ts, 0, fn, arg);
}

/*
 * externalTime: the arrival's own time (an attribute) is the clock: older
 * events whose time + t it reached expire, stamped with that time (as
 * Siddhi stamps them with its clock), before it enters.
 */
static void
external_time_add(RingWindow *w, MinimalTuple tuple, int64 ts, int64 ext,
				  SiddhiEventFn fn, void *arg)
{
	while (w->count > 0 && w->slots[w->head].ext + w->length <= ext)
		expire_oldest(w, ext, fn, arg);
	time_add(w, tuple, ts, ext, fn, arg);
}

static void
ring_advance(SiddhiWindow *base, int64 now, SiddhiEventFn fn, void *arg)
{
	RingWindow *w = (RingWindow *) base;

	if (w->kind == SIDDHI_WINDOW_TIME_BATCH)
		time_batch_advance(w, now, fn, arg);
	else if (w->kind == SIDDHI_WINDOW_TIME ||
			 w->kind == SIDDHI_WINDOW_TIME_LENGTH)
		time_advance(w, now, fn, arg);
}

static int64
ring_deadline(SiddhiWindow *base)
{
	RingWindow *w = (RingWindow *) base;

	if (w->kind == SIDDHI_WINDOW_TIME_BATCH)
		return w->next_flush;
	if ((w->kind == SIDDHI_WINDOW_TIME ||
		 w->kind == SIDDHI_WINDOW_TIME_LENGTH) &&
		w->count > 0)
		return w->slots[w->head].timestamp + w->length;
	return -1;
}

static void
ring_add(SiddhiWindow *base, const SiddhiWindowEvent *ev, SiddhiEventFn fn,
		 void *arg)
{
	RingWindow *w = (RingWindow *) base;
	int64 now = WINDOW_EVENT_NOW(ev);

	switch (w->kind)
	{
		case SIDDHI_WINDOW_LENGTH:
			length_add(w, ev->tuple, ev->timestamp, now, fn, arg);
			break;
		case SIDDHI_WINDOW_LENGTH_BATCH:
			if (w->current_event)
				length_batch_stream_add(w, ev->tuple, ev->timestamp, now, fn,
										arg);
			else
				length_batch_add(w, ev->tuple, ev->timestamp, now, fn, arg);
			break;
		case SIDDHI_WINDOW_TIME:
			/*
			 * What is due leaves in the arrival's chunk, before it, as in
			 * Siddhi.  The catch-up before a chunk's first row took what
			 * was due then; this takes the rows of the same chunk whose
			 * time is up at the clock (a chunk from upstream, late).
			 */
			(void) time_expire_due(w, now, fn, arg);
			time_add(w, ev->tuple, ev->timestamp, 0, fn, arg);
			break;
		case SIDDHI_WINDOW_TIME_BATCH:
			time_batch_add(w, ev->tuple, ev->timestamp, now, fn, arg);
			break;
		case SIDDHI_WINDOW_TIME_LENGTH:
			time_length_add(w, ev->tuple, ev->timestamp, now, fn, arg);
			break;
		case SIDDHI_WINDOW_EXTERNAL_TIME:
			external_time_add(w, ev->tuple, ev->timestamp, ev->ext, fn, arg);
			break;
		default:
			elog(ERROR, "window kind %d is not a ring window", (int) w->kind);
	}
}

/* The events held: for batches, the batch emitted last. */
static void
ring_scan(SiddhiWindow *base, SiddhiEventFn fn, void *arg)
{
	RingWindow *w = (RingWindow *) base;
	bool batch = w->kind == SIDDHI_WINDOW_LENGTH_BATCH ||
				 w->kind == SIDDHI_WINDOW_TIME_BATCH;

	if (batch)
	{
		/* what went out as current and has not expired yet */
		for (int64 i = 0; i < w->previous_count; i++)
			fn(arg, SIDDHI_EVENT_CURRENT, w->previous[i].tuple,
			   w->previous[i].timestamp);
		return;
	}
	for (int64 i = 0; i < w->count; i++)
	{
		WindowSlot *slot = &w->slots[(w->head + i) % w->capacity];

		fn(arg, SIDDHI_EVENT_CURRENT, slot->tuple, slot->timestamp);
	}
}

static int64
ring_size(SiddhiWindow *base)
{
	RingWindow *w = (RingWindow *) base;

	return w->count + w->previous_count;
}

#define RING_OPS                                                            \
	{                                                                       \
		.create = ring_create, .add = ring_add, .advance = ring_advance,    \
		.deadline = ring_deadline, .scan = ring_scan, .size = ring_size,    \
		.serialize = ring_window_serialize, .restore = ring_window_restore, \
		.serialize_parts = ring_window_serialize_parts,                     \
		.restore_parts = ring_window_restore_parts,                         \
		.timers_between_chunks = true                                       \
	}

const SiddhiWindowOps siddhi_length_window_ops = RING_OPS;
const SiddhiWindowOps siddhi_length_batch_window_ops = RING_OPS;
const SiddhiWindowOps siddhi_time_window_ops = RING_OPS;
const SiddhiWindowOps siddhi_time_batch_window_ops = RING_OPS;
const SiddhiWindowOps siddhi_time_length_window_ops = RING_OPS;
const SiddhiWindowOps siddhi_external_time_window_ops = RING_OPS;

/*
 * Whether w's add does nothing after handing the arrival out, its last
 * act: length, time, timeLength and externalTime (after what the arrival
 * expires), and a folding timeBatch (its batch closes before an arrival,
 * never after).  A lengthBatch closes its batch after the arrival.
 */
bool
siddhi_window_hands_arrival_last(SiddhiWindow *w)
{
	RingWindow *r;

	if (w->ops->add != ring_add)
		return false;
	r = (RingWindow *) w;
	if (siddhi_window_kind_current_last(r->kind))
		return true;
	return r->kind == SIDDHI_WINDOW_TIME_BATCH && w->folds_batches &&
		   !r->current_event;
}
