/*-------------------------------------------------------------------------
 *
 * window_ring_state.c
 *	  Saving and restoring the ring windows of window.c, whole or in
 *	  parts (the epochs' incremental saves).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "siddhi/state.h"
#include "window_ring.h"

/*
 * Saved: the timeBatch boundary, then the ring (or the batch being
 * collected) oldest first, then the batch emitted last; each event as its
 * time, its external time and its tuple.
 */
static void
put_slots(StringInfo buf, const WindowSlot *slots, int64 first, int64 n,
		  int64 capacity)
{
	siddhi_state_put_int64(buf, n);
	for (int64 i = 0; i < n; i++)
	{
		const WindowSlot *s = &slots[(first + i) % capacity];

		siddhi_state_put_int64(buf, s->timestamp);
		siddhi_state_put_int64(buf, s->ext);
		siddhi_state_put_tuple(buf, s->tuple);
	}
}

void
ring_window_serialize(SiddhiWindow *base, StringInfo buf)
{
	RingWindow *w = (RingWindow *) base;

	siddhi_state_put_int64(buf, w->next_flush);
	siddhi_state_put_int64(buf, w->added);
	siddhi_state_put_int64(buf, w->expired);
	/* (the fingerprint of a query whose window folds says so) */
	if (w->base.folds_batches)
		siddhi_state_put_int64(buf, w->folded);
	put_slots(buf, w->slots, w->head, w->count, w->capacity);
	put_slots(buf, w->previous, 0, w->previous_count, w->previous_capacity);
}

/* An event is at least its two times and a tuple header's length. */
#define SAVED_SLOT_MIN (2 * (int) sizeof(int64) + (int) sizeof(int32))

/*
 * A saved event's tuple, in the window's memory; a length window's in a
 * copy sized as its arrivals are (ring_window_keep_in), whose memory a
 * later arrival may take.
 */
static MinimalTuple
get_tuple(RingWindow *w, SiddhiStateReader *r)
{
	MinimalTuple t = siddhi_state_get_tuple(r, w->base.cxt);
	MinimalTuple copy;

	if (w->kind != SIDDHI_WINDOW_LENGTH)
		return t;
	copy = ring_window_keep_in(w, t, NULL);
	pfree(t);
	return copy;
}

static void
get_slot(RingWindow *w, SiddhiStateReader *r, WindowSlot *s)
{
	s->timestamp = siddhi_state_get_int64(r);
	s->ext = siddhi_state_get_int64(r);
	s->tuple = get_tuple(w, r);
}

void
ring_window_restore(SiddhiWindow *base, SiddhiStateReader *r)
{
	RingWindow *w = (RingWindow *) base;
	int64 n;

	Assert(w->count == 0 && w->previous_count == 0);
	w->next_flush = siddhi_state_get_int64(r);
	w->added = siddhi_state_get_int64(r);
	w->expired = siddhi_state_get_int64(r);
	if (w->base.folds_batches)
	{
		w->folded = siddhi_state_get_int64(r);
		if (w->folded < 0 ||
			(w->kind == SIDDHI_WINDOW_LENGTH_BATCH && w->folded >= w->length))
			siddhi_state_corrupt(r, "A batch holds more events than its "
									"length");
	}
	n = siddhi_state_get_count(r, SAVED_SLOT_MIN);
	if (((w->kind == SIDDHI_WINDOW_LENGTH ||
		  w->kind == SIDDHI_WINDOW_LENGTH_BATCH) &&
		 n > w->length) ||
		(w->kind == SIDDHI_WINDOW_TIME_LENGTH && n > w->max_count))
		siddhi_state_corrupt(r, "A window holds more events than its length");
	while (w->capacity < n)
		ring_window_grow(w);
	for (int64 i = 0; i < n; i++)
	{
		get_slot(w, r, &w->slots[i]);
		w->count++;
	}
	n = siddhi_state_get_count(r, SAVED_SLOT_MIN);
	while (w->previous_capacity < n)
		ring_window_grow_previous(w);
	for (int64 i = 0; i < n; i++)
	{
		get_slot(w, r, &w->previous[i]);
		w->previous_count++;
	}
}

/*
 * Incremental saves.  Every event that enters gets the next sequence
 * number (added counts them); the window holds a run of consecutive
 * numbers, oldest first: a ring's (first in, first out kinds), or a
 * batch's, the batch emitted last and then the one being collected
 * (lengthBatch and timeBatch, without stream.current.event).  The head
 * is the boundary, the counters and how many of the run are the batch
 * emitted last; each part holds consecutive events from since on: its
 * count, its first number, then each event's time (as the difference from
 * the one before), its external time for externalTime, and its tuple.  Parts are restored in the order saved; an
 * event older than the head's oldest left the window after its part was
 * saved.
 */
static bool
ring_fifo(RingWindow *w)
{
	return w->kind == SIDDHI_WINDOW_LENGTH || w->kind == SIDDHI_WINDOW_TIME ||
		   w->kind == SIDDHI_WINDOW_TIME_LENGTH ||
		   w->kind == SIDDHI_WINDOW_EXTERNAL_TIME;
}

static bool
ring_batch(RingWindow *w)
{
	return (w->kind == SIDDHI_WINDOW_LENGTH_BATCH ||
			w->kind == SIDDHI_WINDOW_TIME_BATCH) &&
		   !w->current_event && !w->base.folds_batches;
}

/* The events a batch window holds that are not of the batch collected. */
static int64
ring_emitted(RingWindow *w)
{
	return ring_batch(w) ? w->previous_count : 0;
}

/* The slot of the event numbered seq (held). */
static WindowSlot *
ring_slot_of(RingWindow *w, int64 seq)
{
	int64 collected = w->added - w->count; /* the first of the ring/batch */

	if (seq < collected)
		return &w->previous[seq - (collected - w->previous_count)];
	return &w->slots[(w->head + (seq - collected)) % w->capacity];
}

bool
ring_window_serialize_parts(SiddhiWindow *base, int64 since, StringInfo head,
							StringInfo events, int64 *first, int64 *next)
{
	RingWindow *w = (RingWindow *) base;
	int64 oldest;
	int64 from;

	if (!ring_fifo(w) && !ring_batch(w))
		return false;
	oldest = w->added - w->count - ring_emitted(w);
	Assert(!ring_fifo(w) || oldest == w->expired);
	siddhi_state_put_int64(head, w->next_flush);
	siddhi_state_put_int64(head, w->added);
	siddhi_state_put_int64(head, oldest);
	siddhi_state_put_int64(head, ring_emitted(w));
	from = Max(since, oldest);
	siddhi_state_put_int64(events, Max(w->added - from, 0));
	if (from < w->added)
		siddhi_state_put_int64(events, from);
	for (int64 seq = from, prev = 0; seq < w->added; seq++)
	{
		WindowSlot *sl = ring_slot_of(w, seq);

		/* each time as the difference from the one before */
		siddhi_state_put_varint(events, sl->timestamp - prev);
		prev = sl->timestamp;
		if (w->kind == SIDDHI_WINDOW_EXTERNAL_TIME)
			siddhi_state_put_int64(events, sl->ext);
		siddhi_state_put_tuple(events, sl->tuple);
	}
	*first = oldest;
	*next = w->added;
	return true;
}

void
ring_window_restore_parts(SiddhiWindow *base, SiddhiStateReader *head,
						  SiddhiStateReader *parts, int nparts)
{
	RingWindow *w = (RingWindow *) base;
	bool ext = w->kind == SIDDHI_WINDOW_EXTERNAL_TIME;
	int64 added;
	int64 first;
	int64 emitted;

	Assert(w->count == 0 && w->previous_count == 0 &&
		   (ring_fifo(w) || ring_batch(w)));
	w->next_flush = siddhi_state_get_int64(head);
	added = siddhi_state_get_int64(head);
	first = siddhi_state_get_int64(head);
	emitted = siddhi_state_get_int64(head);
	if (first < 0 || added < first || emitted < 0 || emitted > added - first ||
		(emitted > 0 && !ring_batch(w)))
		siddhi_state_corrupt(head, "A window's counters are out of order");
	w->added = w->expired = first;
	for (int p = 0; p < nparts; p++)
	{
		SiddhiStateReader *r = &parts[p];
		int64 n = siddhi_state_get_count(
			r, 1 + (ext ? (int) sizeof(int64) : 0) + (int) sizeof(int32));
		int64 seq = n > 0 ? siddhi_state_get_int64(r) : 0;
		int64 ts = 0;

		for (int64 i = 0; i < n; i++, seq++)
		{
			WindowSlot sl = { 0 };

			ts += siddhi_state_get_varint(r);
			sl.timestamp = ts;
			if (ext)
				sl.ext = siddhi_state_get_int64(r);
			sl.tuple = get_tuple(w, r);
			if (seq < w->added)
			{
				pfree(sl.tuple); /* left the window after it was saved */
				continue;
			}
			if (seq != w->added || seq >= added)
				siddhi_state_corrupt(r, "A window's events are not in order");
			if (seq < first + emitted)
			{
				/* of the batch emitted last */
				if (w->previous_count == w->previous_capacity)
				{
					if (w->kind == SIDDHI_WINDOW_LENGTH_BATCH)
						siddhi_state_corrupt(r, "A window holds more events "
												"than its length");
					ring_window_grow_previous(w);
				}
				w->previous[w->previous_count++] = sl;
			}
			else
			{
				if (w->count == w->capacity)
				{
					if (w->kind == SIDDHI_WINDOW_LENGTH ||
						w->kind == SIDDHI_WINDOW_LENGTH_BATCH)
						siddhi_state_corrupt(r, "A window holds more events "
												"than its length");
					ring_window_grow(w);
				}
				w->slots[(w->head + w->count) % w->capacity] = sl;
				w->count++;
			}
			w->added++;
		}
		/* what follows in the part (a query's groups) is not the window's */
	}
	if (w->added != added)
		siddhi_state_corrupt(head, "A window's saved events are missing");
	if (ring_batch(w))
		w->expired = 0; /* kept by first in, first out kinds only */
}
