/*-------------------------------------------------------------------------
 *
 * pattern_save.c
 *	  Epochs (include/siddhi/state.h): a pattern's mutable state as bytes,
 *	  and read back into a pattern just created from the same program.
 *
 * What is saved is everything a later event or due time reads:
 *
 * - the events the partial matches hold, each once however many matches
 *   share it (its stream, time and tuple; an absence's all-null event has
 *   no tuple), so that sharing survives the restore and a counting state's
 *   events are not copied once per match;
 * - the matches, each once however many lists hold it (an and/or's two
 *   sides, a count state and the state after it share one): time, the
 *   within flag, the creation number the bound drops by, and for each
 *   state the events it took (a list for a count state <n:m>);
 * - per state, its flags (armed once, the every and reset marks, an
 *   absence that fired), the absence's scheduled and last arrival times,
 *   its due times, and its two lists (pending, fresh) as match numbers in
 *   order;
 * - the pattern's creation counter and the number dropped by the bound.
 *
 * The within bound needs no clock of its own: it is measured from the
 * start states' events, whose times are saved.  The count of matches held
 * is the sum of the lists' lengths, so it is recounted, not read.
 *
 * A pattern is saved between steps only: no step is running and nothing
 * waits to go out (the out list is emptied by every step).  Restore first
 * empties what siddhi_pattern_create armed, then rebuilds from the bytes
 * and emits nothing; numbers out of range end in siddhi_state_corrupt.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "pattern_int.h"

/* The least a saved event, a match and a list entry take (get_count). */
#define SAVED_EVENT_MIN ((int) (sizeof(int32) + sizeof(int64) + 1))
#define SAVED_MATCH_MIN ((int) (sizeof(int64) * 2 + 1))
#define SAVED_REF_MIN ((int) sizeof(int32))

bool
siddhi_pattern_can_save(SiddhiPattern *pat)
{
	return !pat->busy && pat->out.n == 0;
}

/* Everything the states' lists hold, each once, numbered by save_id. */
typedef struct SaveSet
{
	int nmatches;
	int match_cap;
	PatMatch **matches;
	int nevents;
	int event_cap;
	PatEvent **events;
} SaveSet;

static void
unmark_list(SiddhiPattern *pat, PatList *l)
{
	for (int i = 0; i < l->n; i++)
	{
		PatMatch *m = l->items[i];

		m->save_id = -1;
		for (int k = 0; k < pat->prog->nstates; k++)
			for (int j = 0; j < m->slots[k].n; j++)
				m->slots[k].ev[j]->save_id = -1;
	}
}

static void
collect_list(SiddhiPattern *pat, PatList *l, SaveSet *set)
{
	for (int i = 0; i < l->n; i++)
	{
		PatMatch *m = l->items[i];

		if (m->save_id >= 0)
			continue;
		if (set->nmatches == set->match_cap)
		{
			set->match_cap = Max(16, set->match_cap * 2);
			set->matches = set->matches
							   ? repalloc(set->matches,
										  sizeof(PatMatch *) * set->match_cap)
							   : palloc(sizeof(PatMatch *) * set->match_cap);
		}
		m->save_id = set->nmatches;
		set->matches[set->nmatches++] = m;
		for (int k = 0; k < pat->prog->nstates; k++)
			for (int j = 0; j < m->slots[k].n; j++)
			{
				PatEvent *e = m->slots[k].ev[j];

				if (e->save_id >= 0)
					continue;
				if (set->nevents == set->event_cap)
				{
					set->event_cap = Max(16, set->event_cap * 2);
					set->events =
						set->events
							? repalloc(set->events,
									   sizeof(PatEvent *) * set->event_cap)
							: palloc(sizeof(PatEvent *) * set->event_cap);
				}
				e->save_id = set->nevents;
				set->events[set->nevents++] = e;
			}
	}
}

static void
put_list(StringInfo buf, PatList *l)
{
	siddhi_state_put_int64(buf, l->n);
	for (int i = 0; i < l->n; i++)
		siddhi_state_put_int32(buf, l->items[i]->save_id);
}

void
siddhi_pattern_serialize(SiddhiPattern *pat, StringInfo buf)
{
	SiddhiPatternProgram *prog = pat->prog;
	SaveSet set = { 0 };
	int *streams;

	if (!siddhi_pattern_can_save(pat))
		elog(ERROR, "a pattern is saved in the middle of a step");
	for (int k = 0; k < prog->nstates; k++)
	{
		unmark_list(pat, &pat->states[k].pending);
		unmark_list(pat, &pat->states[k].fresh);
	}
	for (int k = 0; k < prog->nstates; k++)
	{
		collect_list(pat, &pat->states[k].pending, &set);
		collect_list(pat, &pat->states[k].fresh, &set);
	}

	/*
	 * each event's stream: that of the state it is found at (an event is
	 * only ever in the slot of a state reading its stream)
	 */
	streams = palloc(sizeof(int) * Max(set.nevents, 1));
	for (int i = 0; i < set.nevents; i++)
		streams[i] = -1;
	for (int i = 0; i < set.nmatches; i++)
	{
		PatMatch *m = set.matches[i];

		for (int k = 0; k < prog->nstates; k++)
			for (int j = 0; j < m->slots[k].n; j++)
				if (streams[m->slots[k].ev[j]->save_id] < 0)
					streams[m->slots[k].ev[j]->save_id] = PLAN(pat, k)->stream;
	}

	siddhi_state_put_int32(buf, prog->nstates);
	siddhi_state_put_int64(buf, (int64) pat->seq);
	siddhi_state_put_int64(buf, pat->dropped);

	siddhi_state_put_int64(buf, set.nevents);
	for (int i = 0; i < set.nevents; i++)
	{
		PatEvent *e = set.events[i];

		if (e->borrowed)
			elog(ERROR, "a pattern holds a borrowed event between steps");
		siddhi_state_put_int32(buf, streams[i]);
		siddhi_state_put_int64(buf, e->ts);
		siddhi_state_put_bool(buf, e->tuple != NULL);
		if (e->tuple)
			siddhi_state_put_tuple(buf, e->tuple);
	}

	siddhi_state_put_int64(buf, set.nmatches);
	for (int i = 0; i < set.nmatches; i++)
	{
		PatMatch *m = set.matches[i];

		siddhi_state_put_int64(buf, m->ts);
		siddhi_state_put_int64(buf, (int64) m->seq);
		siddhi_state_put_bool(buf, m->expired);
		for (int k = 0; k < prog->nstates; k++)
		{
			siddhi_state_put_int64(buf, m->slots[k].n);
			for (int j = 0; j < m->slots[k].n; j++)
				siddhi_state_put_int32(buf, m->slots[k].ev[j]->save_id);
		}
	}

	for (int k = 0; k < prog->nstates; k++)
	{
		PatState *st = &pat->states[k];

		siddhi_state_put_bool(buf, st->changed);
		siddhi_state_put_bool(buf, st->success);
		siddhi_state_put_bool(buf, st->start_reset);
		siddhi_state_put_bool(buf, st->initialized);
		siddhi_state_put_bool(buf, st->returned);
		siddhi_state_put_bool(buf, st->inactive);
		siddhi_state_put_int64(buf, st->last_scheduled);
		siddhi_state_put_int64(buf, st->last_arrival);
		siddhi_state_put_int64(buf, st->nnotify);
		for (int i = 0; i < st->nnotify; i++)
			siddhi_state_put_int64(buf, st->notify[i]);
		put_list(buf, &st->pending);
		put_list(buf, &st->fresh);
	}

	pfree(streams);
	if (set.matches)
		pfree(set.matches);
	if (set.events)
		pfree(set.events);
}


/* An event read back: its tuple, deformed as pat_event_keep does. */
static PatEvent *
get_event(SiddhiPattern *pat, SiddhiStateReader *r, int *streamp)
{
	int stream = siddhi_state_get_int32(r);
	PatEvent *e;
	TupleDesc desc;
	int natts;

	if (stream < 0 || stream >= pat->prog->nstreams)
		siddhi_state_corrupt(r, "An event's stream is out of range");
	*streamp = stream;
	desc = pat->prog->stream_desc[stream];
	natts = Max(desc->natts, 1);
	e = MemoryContextAllocZero(pat->cxt, sizeof(PatEvent));
	e->ts = siddhi_state_get_int64(r);
	e->values = MemoryContextAllocZero(pat->cxt, sizeof(Datum) * natts);
	e->nulls = MemoryContextAlloc(pat->cxt, sizeof(bool) * natts);
	if (siddhi_state_get_bool(r))
	{
		HeapTupleData htup;

		e->tuple = siddhi_state_get_tuple(r, pat->cxt);
		if (!siddhi_state_tuple_fits(desc, e->tuple))
			siddhi_state_corrupt(r,
								 "An event's tuple does not fit its stream");
		htup.t_len = e->tuple->t_len + MINIMAL_TUPLE_OFFSET;
		htup.t_data =
			(HeapTupleHeader) ((char *) e->tuple - MINIMAL_TUPLE_OFFSET);
		ItemPointerSetInvalid(&htup.t_self);
		htup.t_tableOid = InvalidOid;
		heap_deform_tuple(&htup, desc, e->values, e->nulls);
	}
	else
		memset(e->nulls, true, sizeof(bool) * natts);
	e->save_id = -1;
	return e;
}

static void
get_list(SiddhiPattern *pat, SiddhiStateReader *r, PatList *l,
		 PatMatch **matches, int64 nmatches)
{
	int64 n = siddhi_state_get_count(r, SAVED_REF_MIN);

	for (int64 i = 0; i < n; i++)
	{
		int32 id = siddhi_state_get_int32(r);

		if (id < 0 || id >= nmatches)
			siddhi_state_corrupt(r, "A list names a match that is not there");
		pat_list_push(pat, l, matches[id]);
	}
}

void
siddhi_pattern_restore(SiddhiPattern *pat, SiddhiStateReader *r)
{
	SiddhiPatternProgram *prog = pat->prog;
	int64 nevents, nmatches;
	uint64 seq;
	PatEvent **events;
	int *streams;
	PatMatch **matches;

	Assert(!pat->busy && pat->out.n == 0);
	if (siddhi_state_get_int32(r) != prog->nstates)
		siddhi_state_corrupt(r, "The pattern has another number of states");

	/* forget what siddhi_pattern_create armed */
	for (int k = 0; k < prog->nstates; k++)
	{
		PatState *st = &pat->states[k];

		pat_list_clear(pat, &st->pending);
		pat_list_clear(pat, &st->fresh);
		st->nnotify = 0; /* the flags and times are read below */
	}
	Assert(pat->held == 0);

	seq = (uint64) siddhi_state_get_int64(r); /* set once matches are made */
	pat->dropped = siddhi_state_get_int64(r);
	if (pat->dropped < 0)
		siddhi_state_corrupt(r, "The count of dropped matches is negative");

	nevents = siddhi_state_get_count(r, SAVED_EVENT_MIN);
	if (nevents > PG_INT32_MAX)
		siddhi_state_corrupt(r, "Too many events");
	events = palloc(sizeof(PatEvent *) * Max(nevents, 1));
	streams = palloc(sizeof(int) * Max(nevents, 1));
	for (int64 i = 0; i < nevents; i++)
		events[i] = get_event(pat, r, &streams[i]);

	nmatches = siddhi_state_get_count(r, SAVED_MATCH_MIN);
	if (nmatches > PG_INT32_MAX)
		siddhi_state_corrupt(r, "Too many matches");
	matches = palloc(sizeof(PatMatch *) * Max(nmatches, 1));
	for (int64 i = 0; i < nmatches; i++)
	{
		PatMatch *m = pat_match_new(pat);

		m->ts = siddhi_state_get_int64(r);
		m->seq = (uint64) siddhi_state_get_int64(r);
		m->expired = siddhi_state_get_bool(r);
		m->refs = 1; /* ours, until the lists hold it */
		matches[i] = m;
		for (int k = 0; k < prog->nstates; k++)
		{
			int64 n = siddhi_state_get_count(r, SAVED_REF_MIN);

			for (int64 j = 0; j < n; j++)
			{
				int32 id = siddhi_state_get_int32(r);

				if (id < 0 || id >= nevents)
					siddhi_state_corrupt(
						r, "A match names an event that is not there");
				/* the state's regions read the event as its stream's */
				if (streams[id] != PLAN(pat, k)->stream)
					siddhi_state_corrupt(
						r, "A state holds an event of another stream");
				pat_slot_append(pat, &m->slots[k], events[id]);
			}
		}
	}

	for (int k = 0; k < prog->nstates; k++)
	{
		PatState *st = &pat->states[k];
		int64 n;

		st->changed = siddhi_state_get_bool(r);
		st->success = siddhi_state_get_bool(r);
		st->start_reset = siddhi_state_get_bool(r);
		st->initialized = siddhi_state_get_bool(r);
		st->returned = siddhi_state_get_bool(r);
		st->inactive = siddhi_state_get_bool(r);
		st->last_scheduled = siddhi_state_get_int64(r);
		st->last_arrival = siddhi_state_get_int64(r);
		n = siddhi_state_get_count(r, sizeof(int64));
		for (int64 i = 0; i < n; i++)
		{
			int64 at = siddhi_state_get_int64(r);

			if (st->nnotify > 0 && at < st->notify[st->nnotify - 1])
				siddhi_state_corrupt(r, "Due times are out of order");
			pat_notify_at(pat, k, at);
		}
		get_list(pat, r, &st->pending, matches, nmatches);
		get_list(pat, r, &st->fresh, matches, nmatches);
	}

	pat->seq = seq;

	/*
	 * What nothing holds goes (only in a damaged state): events no match
	 * took, then, dropping our own references, matches no list holds
	 * (which release their events)
	 */
	for (int64 i = 0; i < nevents; i++)
		if (events[i]->refs == 0)
			pat_event_free(events[i]);
	for (int64 i = 0; i < nmatches; i++)
		pat_match_release(pat, matches[i]);
	pfree(matches);
	pfree(events);
	pfree(streams);
	/* the program's row cache may point at another pattern's events */
	pat_event_frees++;
}
