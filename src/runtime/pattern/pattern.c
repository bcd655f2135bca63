/*-------------------------------------------------------------------------
 *
 * pattern.c
 *	  The pattern and sequence engine: partial matches moving between
 *	  states as events arrive.
 *
 * Semantics are Siddhi 5.1's, whose state processors this interprets (the
 * plan, analyze_pattern.c, links the states as Siddhi's parser does):
 *
 * - A partial match ("match") holds, for each state, the events that
 *   state took: one, or a list for a count state.  Each state keeps two
 *   lists of matches: `fresh`, those handed to it since its stream last
 *   had an event, and `pending`, those it tests events against.
 * - An event of stream S: first every state drops the matches older than
 *   `within` (measured from the events of the start states); then each
 *   state reading S moves its fresh matches to pending (a sequence
 *   instead resets every state, keeping only the matches the previous
 *   event handed on: that is strict contiguity); then the states reading S
 *   run, the last state first, so one event never passes two states.
 * - A state tests the event against each pending match: the event is put
 *   into the match and the state's condition evaluated over it.  When it
 *   holds, the match goes on to the next state (the same object: a count
 *   state that keeps collecting is seen by the next state as it grows),
 *   a fresh copy goes back to the start of an `every`, and a match
 *   completed at the end goes out.  Otherwise a pattern keeps waiting, a
 *   sequence drops the match.
 * - and/or: both sides share one match; `and` goes on when both sides
 *   have an event, `or` when either has.
 *
 * Matches are shared between the lists that hold them, so they carry a
 * reference count, as do the events (one copy per arriving event however
 * many matches take it).
 *
 * Memory: everything mutable lives in the SiddhiPattern's context.  The
 * matches held are bounded by the plan's max_partial (siddhi.max_partial_
 * matches, or @info(max.partial.matches)): after each event or timer step
 * the oldest matches beyond it are dropped, and counted (within one step
 * the lists may pass the bound by what that step hands over).  `within`
 * drops matches on time.  Nothing here holds any resource but memory.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "executor/executor.h"
#include "siddhi/errors.h"
#include "siddhi/pattern.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/relcache.h"

/* One arrived event, shared by every match that took it. */
typedef struct PatEvent
{
	int refs;
	int64 ts;
	MinimalTuple tuple; /* NULL while borrowed, or for an all-null event */
	Datum *values;		/* deformed; pointing into tuple */
	bool *nulls;
	bool borrowed; /* values are the arriving slot's, valid for the step */
} PatEvent;

/*
 * Bumped whenever an event is freed: the combined row's cache of which
 * event fills which region is void once an address may be reused.
 */
static uint64 pattern_event_frees = 0;
static PatEvent pattern_no_event; /* marks a region filled with nulls */

/* The events one state took in a match. */
typedef struct PatSlot
{
	int n;
	int cap;
	PatEvent **ev;
} PatSlot;

typedef struct PatMatch
{
	int refs;
	int64 ts;	  /* of the last event taken; -1 before any */
	bool expired; /* dropped by within (Siddhi's EXPIRED type) */
	uint64 seq;	  /* creation order, for dropping the oldest */
	PatSlot slots[FLEXIBLE_ARRAY_MEMBER];
} PatMatch;

typedef struct PatList
{
	int n;
	int cap;
	PatMatch **items;
} PatList;

/* What each state keeps (Siddhi's StreamPreState). */
typedef struct PatState
{
	PatList pending;
	PatList fresh;
	bool changed;	  /* the match under test moved on */
	bool success;	  /* count: the condition held */
	bool start_reset; /* count: re-arm at the next update */
	bool initialized; /* a start state armed once */
	bool returned;	  /* post: a match went out */
	/* absent states (not S for t): Siddhi's scheduler and its state */
	bool inactive;		  /* a start state without every that fired */
	int64 last_scheduled; /* when the absence is next due */
	int64 last_arrival;	  /* and/or: when the absent event last came */
	int nnotify;
	int notify_cap;
	int64 *notify; /* due times, ascending (duplicates kept) */
} PatState;

/* A state as compiled. */
typedef struct PatStateProg
{
	SiddhiPatternStatePlan *plan;
	ExprState *filter;
	int nregions;
	int *regions;
} PatStateProg;

struct SiddhiPatternProgram
{
	SiddhiPatternPlan *plan;
	int nstates;
	PatStateProg *states;
	int nstreams;
	TupleDesc *stream_desc;
	int **readers; /* per stream: states reading it, highest id first */
	int *nreaders;
	int nregions;
	SiddhiPatternRegion **regions;
	PatEvent **filled; /* the event each region of row holds now */
	uint64 filled_gen; /* pattern_event_frees when filled was valid */
	bool has_absent;   /* any not .. state: timers */
	int nstarts;
	int *starts; /* the start states, whose events within counts from */
	int nout;
	int *out_regions;
	TupleDesc desc;
	TupleTableSlot *row; /* the combined row, a virtual slot */
	ExprContext *econtext;
};

struct SiddhiPattern
{
	MemoryContext cxt;
	SiddhiPatternProgram *prog;
	PatState *states;
	int64 held; /* list entries, all states */
	int64 dropped;
	uint64 seq;
	bool busy;
	PatList out; /* matches completed by the current step */
	/* the event being processed, made into a PatEvent when first taken */
	TupleTableSlot *cur_slot;
	int64 cur_ts;
	int cur_stream;
	PatEvent *cur_event;
};

/* ---------------------------------------------------------------------
 * Events and matches
 * ---------------------------------------------------------------------
 */

/*
 * The arriving event as a PatEvent.  It borrows the slot's deformed values
 * at first; event_keep() copies it when a match still holds it once the
 * step is over, so that events no match takes are never copied.
 */
static PatEvent *
event_current(SiddhiPattern *pat)
{
	if (pat->cur_event == NULL)
	{
		PatEvent *e = MemoryContextAlloc(pat->cxt, sizeof(PatEvent));

		slot_getallattrs(pat->cur_slot);
		e->refs = 1; /* the step's own, released at its end */
		e->ts = pat->cur_ts;
		e->tuple = NULL;
		e->values = pat->cur_slot->tts_values;
		e->nulls = pat->cur_slot->tts_isnull;
		e->borrowed = true;
		pat->cur_event = e;
	}
	return pat->cur_event;
}

/* End of a step: a borrowed event some match keeps gets its own copy. */
static void
event_keep(SiddhiPattern *pat)
{
	PatEvent *e = pat->cur_event;
	MemoryContext old;
	TupleDesc desc;
	HeapTupleData htup;

	if (e == NULL || !e->borrowed || e->refs <= 1)
		return;
	old = MemoryContextSwitchTo(pat->cxt);
	desc = pat->prog->stream_desc[pat->cur_stream];
	e->tuple = ExecCopySlotMinimalTuple(pat->cur_slot);
	e->values = palloc(sizeof(Datum) * Max(desc->natts, 1));
	e->nulls = palloc(sizeof(bool) * Max(desc->natts, 1));
	htup.t_len = e->tuple->t_len + MINIMAL_TUPLE_OFFSET;
	htup.t_data = (HeapTupleHeader) ((char *) e->tuple - MINIMAL_TUPLE_OFFSET);
	ItemPointerSetInvalid(&htup.t_self);
	htup.t_tableOid = InvalidOid;
	heap_deform_tuple(&htup, desc, e->values, e->nulls);
	e->borrowed = false;
	/* rows filled from the borrowed values must be filled again */
	pattern_event_frees++;
	MemoryContextSwitchTo(old);
}

/*
 * An event with every attribute null: what Siddhi puts into an absent
 * and/or side whose waiting time passed, marking the absence as seen.
 */
static PatEvent *
event_empty(SiddhiPattern *pat, int stream)
{
	int natts = Max(pat->prog->stream_desc[stream]->natts, 1);
	PatEvent *e = MemoryContextAlloc(pat->cxt, sizeof(PatEvent));

	e->refs = 0;
	e->ts = -1;
	e->tuple = NULL;
	e->borrowed = false;
	e->values = MemoryContextAllocZero(pat->cxt, sizeof(Datum) * natts);
	e->nulls = MemoryContextAlloc(pat->cxt, sizeof(bool) * natts);
	memset(e->nulls, true, sizeof(bool) * natts);
	return e;
}

static void
event_release(PatEvent *e)
{
	if (--e->refs > 0)
		return;
	pattern_event_frees++;
	if (!e->borrowed)
	{
		if (e->tuple)
			pfree(e->tuple);
		pfree(e->values);
		pfree(e->nulls);
	}
	pfree(e);
}

static PatMatch *
match_new(SiddhiPattern *pat)
{
	int n = pat->prog->nstates;
	PatMatch *m = MemoryContextAllocZero(pat->cxt, offsetof(PatMatch, slots) +
													   sizeof(PatSlot) * n);

	m->ts = -1;
	m->seq = pat->seq++;
	return m;
}

static void
slot_clear(PatSlot *s)
{
	for (int i = 0; i < s->n; i++)
		event_release(s->ev[i]);
	s->n = 0;
}

static void
match_release(SiddhiPattern *pat, PatMatch *m)
{
	if (--m->refs > 0)
		return;
	for (int i = 0; i < pat->prog->nstates; i++)
	{
		slot_clear(&m->slots[i]);
		if (m->slots[i].ev)
			pfree(m->slots[i].ev);
	}
	pfree(m);
}

/* Siddhi's copyStateEvent: the events of every state, shared. */
static PatMatch *
match_clone(SiddhiPattern *pat, PatMatch *src)
{
	PatMatch *m = match_new(pat);

	for (int i = 0; i < pat->prog->nstates; i++)
	{
		PatSlot *s = &src->slots[i];

		if (s->n == 0)
			continue;
		m->slots[i].ev =
			MemoryContextAlloc(pat->cxt, sizeof(PatEvent *) * s->n);
		m->slots[i].cap = s->n;
		m->slots[i].n = s->n;
		for (int k = 0; k < s->n; k++)
		{
			m->slots[i].ev[k] = s->ev[k];
			s->ev[k]->refs++;
		}
	}
	m->ts = src->ts;
	m->expired = false;
	return m;
}

/* Append e to a state's events in m (setEvent on an empty slot too). */
static void
slot_append(SiddhiPattern *pat, PatSlot *s, PatEvent *e)
{
	if (s->n == s->cap)
	{
		int cap = Max(2, s->cap * 2);

		s->ev = s->ev ? repalloc(s->ev, sizeof(PatEvent *) * cap)
					  : MemoryContextAlloc(pat->cxt, sizeof(PatEvent *) * cap);
		s->cap = cap;
	}
	s->ev[s->n++] = e;
	e->refs++;
}

static void
slot_set(SiddhiPattern *pat, PatSlot *s, PatEvent *e)
{
	slot_clear(s);
	if (e)
		slot_append(pat, s, e);
}

static void
slot_remove_last(PatSlot *s)
{
	if (s->n > 0)
		event_release(s->ev[--s->n]);
}

/* ---------------------------------------------------------------------
 * Lists
 * ---------------------------------------------------------------------
 */


/* Append m to l, taking a reference; not counted against the bound. */
static void
list_append(SiddhiPattern *pat, PatList *l, PatMatch *m)
{
	if (l->n == l->cap)
	{
		int cap = Max(8, l->cap * 2);

		l->items =
			l->items ? repalloc(l->items, sizeof(PatMatch *) * cap)
					 : MemoryContextAlloc(pat->cxt, sizeof(PatMatch *) * cap);
		l->cap = cap;
	}
	l->items[l->n++] = m;
	m->refs++;
}

/* Hand m to a state's list: counted, and the bound enforced. */
static void
list_push(SiddhiPattern *pat, PatList *l, PatMatch *m)
{
	list_append(pat, l, m);
	pat->held++;
}

static void
list_remove_at(SiddhiPattern *pat, PatList *l, int i)
{
	PatMatch *m = l->items[i];

	memmove(&l->items[i], &l->items[i + 1],
			sizeof(PatMatch *) * (l->n - i - 1));
	l->n--;
	pat->held--;
	match_release(pat, m);
}

static void
list_clear(SiddhiPattern *pat, PatList *l)
{
	int n = l->n;

	l->n = 0;
	if (l != &pat->out)
		pat->held -= n;
	for (int i = 0; i < n; i++)
		match_release(pat, l->items[i]);
}

/* Append all of src to dst, in order; src ends empty. */
static void
list_move(SiddhiPattern *pat, PatList *dst, PatList *src)
{
	for (int i = 0; i < src->n; i++)
	{
		/* the reference moves with the entry */
		list_append(pat, dst, src->items[i]);
		src->items[i]->refs--;
	}
	src->n = 0;
}

/* Does m hold any event (else it is a start state's arming)? */
static bool
match_started(SiddhiPattern *pat, PatMatch *m)
{
	for (int k = 0; k < pat->prog->nstates; k++)
		if (m->slots[k].n > 0)
			return true;
	return false;
}

/*
 * The bound, after each step: while more matches are held than allowed,
 * drop the oldest one that holds events (a start state's empty arming is
 * never dropped, or the pattern could never match again).  Lists are in
 * arrival order, so the oldest is at the front of one of them.
 */
static void
enforce_bound(SiddhiPattern *pat)
{
	while (pat->held > pat->prog->plan->max_partial)
	{
		PatList *best = NULL;
		int besti = -1;

		for (int k = 0; k < pat->prog->nstates; k++)
		{
			PatList *lists[2] = { &pat->states[k].pending,
								  &pat->states[k].fresh };

			for (int l = 0; l < 2; l++)
				for (int i = 0; i < lists[l]->n; i++)
				{
					PatMatch *m = lists[l]->items[i];

					if (!match_started(pat, m))
						continue;
					if (best == NULL || m->seq < best->items[besti]->seq)
					{
						best = lists[l];
						besti = i;
					}
					break;
				}
		}
		if (best == NULL)
			return;
		list_remove_at(pat, best, besti);
		pat->dropped++;
	}
}

/* Siddhi sorts a fresh list by time, not-yet-stamped (-1) last; stable. */
static void
patlist_sort(PatList *l)
{
	bool sorted = true;

	for (int i = 1; i < l->n && sorted; i++)
	{
		int64 a =
			l->items[i - 1]->ts == -1 ? PG_INT64_MAX : l->items[i - 1]->ts;
		int64 b = l->items[i]->ts == -1 ? PG_INT64_MAX : l->items[i]->ts;

		sorted = a <= b;
	}
	if (sorted)
		return;
	/*
	 * Stable by insertion order: seq grows with creation, and a fresh
	 * list holds each match once, in the order it was handed over, which
	 * for equal times is the order of creation or a later re-hand-over of
	 * an older match.  Insertion sort keeps the handed-over order exactly.
	 */
	for (int i = 1; i < l->n; i++)
	{
		PatMatch *m = l->items[i];
		int64 t = m->ts == -1 ? PG_INT64_MAX : m->ts;
		int j = i - 1;

		while (j >= 0 &&
			   (l->items[j]->ts == -1 ? PG_INT64_MAX : l->items[j]->ts) > t)
		{
			l->items[j + 1] = l->items[j];
			j--;
		}
		l->items[j + 1] = m;
	}
}

/* ---------------------------------------------------------------------
 * Conditions and the combined row
 * ---------------------------------------------------------------------
 */

/* The event a region reads from m, or NULL. */
static PatEvent *
region_event(SiddhiPatternRegion *r, PatMatch *m)
{
	PatSlot *s = &m->slots[r->state];
	int pos;

	if (s->n == 0)
		return NULL;
	if (r->index >= 0)
		pos = r->index;
	else
		pos = s->n + r->index - (r->self ? 1 : 0);
	if (pos < 0 || pos >= s->n)
		return NULL;
	return s->ev[pos];
}

static void
fill_regions(SiddhiPatternProgram *prog, PatMatch *m, int n,
			 const int *regions)
{
	TupleTableSlot *row = prog->row;

	if (prog->filled_gen != pattern_event_frees)
	{
		memset(prog->filled, 0, sizeof(PatEvent *) * prog->nregions);
		prog->filled_gen = pattern_event_frees;
	}
	for (int i = 0; i < n; i++)
	{
		int ri = regions[i];
		SiddhiPatternRegion *r = prog->regions[ri];
		PatEvent *e = region_event(r, m);

		if (e == NULL)
			e = &pattern_no_event;
		if (prog->filled[ri] == e)
			continue; /* the row already holds it */
		prog->filled[ri] = e;
		if (e != &pattern_no_event)
		{
			memcpy(&row->tts_values[r->offset], e->values,
				   sizeof(Datum) * r->natts);
			memcpy(&row->tts_isnull[r->offset], e->nulls,
				   sizeof(bool) * r->natts);
		}
		else
			memset(&row->tts_isnull[r->offset], true, sizeof(bool) * r->natts);
	}
}

static bool
condition_holds(SiddhiPattern *pat, int k, PatMatch *m)
{
	PatStateProg *sp = &pat->prog->states[k];
	ExprContext *econtext = pat->prog->econtext;
	bool isnull;
	Datum d;

	if (sp->filter == NULL)
		return true;
	fill_regions(pat->prog, m, sp->nregions, sp->regions);
	econtext->ecxt_scantuple = pat->prog->row;
	d = ExecEvalExprSwitchContext(sp->filter, econtext, &isnull);
	return !isnull && DatumGetBool(d);
}

/* ---------------------------------------------------------------------
 * The state processors
 * ---------------------------------------------------------------------
 */

static void add_state(SiddhiPattern *pat, int k, PatMatch *m);
static void add_every_state(SiddhiPattern *pat, int k, PatMatch *m);

#define PLAN(pat, k) ((pat)->prog->states[(k)].plan)

/* Siddhi's CountPreStateProcessor.startStateReset */
static void
start_state_reset(SiddhiPattern *pat, int k)
{
	pat->states[k].start_reset = true;
}

/* Siddhi's StreamPostStateProcessor.process: the match moves on. */
static void
post_stream(SiddhiPattern *pat, int k, PatMatch *m)
{
	SiddhiPatternStatePlan *s = PLAN(pat, k);
	PatSlot *slot = &m->slots[k];

	pat->states[k].changed = true;
	m->ts = slot->ev[slot->n - 1]->ts;
	if (s->emits)
		pat->states[k].returned = true;
	if (s->next >= 0)
		add_state(pat, s->next, m);
	if (s->next_every >= 0)
		add_every_state(pat, s->next_every, m);
	if (s->callback >= 0)
		start_state_reset(pat, s->callback);
}

/* CountPostStateProcessor.processMinCountReached */
static void
count_min_reached(SiddhiPattern *pat, int k, PatMatch *m)
{
	SiddhiPatternStatePlan *s = PLAN(pat, k);

	if (s->emits)
	{
		pat->states[k].changed = true;
		pat->states[k].returned = true;
	}
	if (s->next >= 0)
		add_state(pat, s->next, m);
	if (s->next_every >= 0)
		add_every_state(pat, s->next_every, m);
}

static void
post_count(SiddhiPattern *pat, int k, PatMatch *m)
{
	SiddhiPatternStatePlan *s = PLAN(pat, k);
	PatSlot *slot = &m->slots[k];
	int n = slot->n;

	pat->states[k].success = true;
	m->ts = slot->ev[n - 1]->ts;
	if (n >= s->min_count)
	{
		if (pat->prog->plan->sequence)
		{
			if (s->next >= 0)
				add_state(pat, s->next, m);
			if (n != s->max_count)
				add_state(pat, k, m);
		}
		else if (n == s->min_count)
			count_min_reached(pat, k, m);
		if (n == s->max_count)
			pat->states[k].changed = true;
	}
}

static void init_state(SiddhiPattern *pat, int k);

/*
 * AbsentLogicalPreStateProcessor.partnerCanProceed: may the present side
 * of `not A [for t] and e=B` go on with m?  p is the absent side.
 */
static bool
partner_can_proceed(SiddhiPattern *pat, int p, PatMatch *m)
{
	SiddhiPatternStatePlan *s = PLAN(pat, p);
	PatState *st = &pat->states[p];

	if (pat->prog->plan->sequence && s->next_every < 0 && st->last_arrival > 0)
		return false;
	if (s->waiting < 0)
	{
		if (s->next_every < 0)
			return m->slots[p].n == 0;
		if (st->last_arrival > 0)
		{
			st->last_arrival = 0;
			init_state(pat, p);
			return false;
		}
		return true;
	}
	return m->slots[p].n > 0;
}

/* AbsentLogicalPostStateProcessor.process */
static void
post_absent_logical(SiddhiPattern *pat, int k, PatMatch *m)
{
	PatState *st = &pat->states[k];
	PatSlot *slot = &m->slots[k];

	st->changed = true;
	st->returned = true;
	st->last_arrival = slot->ev[slot->n - 1]->ts;
}

static void
post_logical(SiddhiPattern *pat, int k, PatMatch *m)
{
	SiddhiPatternStatePlan *s = PLAN(pat, k);

	if (s->logical == SIDDHI_PAT_AND)
	{
		bool go = PLAN(pat, s->partner)->absent
					  ? partner_can_proceed(pat, s->partner, m)
					  : m->slots[s->partner].n > 0;

		if (go)
			post_stream(pat, k, m);
		else
			pat->states[k].changed = true;
		return;
	}
	post_stream(pat, k, m);
	/* `from A or B`: the side the loop reads the flag of went out too */
	if (PLAN(pat, s->partner)->emits && PLAN(pat, k)->last_post == s->partner)
		pat->states[s->partner].returned = true;
}

/* The event in m passed state k's condition: on to its post step. */
static void
run_state(SiddhiPattern *pat, int k, PatMatch *m)
{
	SiddhiPatternStatePlan *s = PLAN(pat, k);

	pat->states[k].changed = false;
	if (!condition_holds(pat, k, m))
		return;
	if (s->count)
		post_count(pat, k, m);
	else if (s->logical && s->absent)
		post_absent_logical(pat, k, m);
	else if (s->logical)
		post_logical(pat, k, m);
	else
		post_stream(pat, k, m);
}

/* A match went out through state k's loop: keep it for the output. */
static void
check_returned(SiddhiPattern *pat, int k, PatMatch *m)
{
	PatState *lp = &pat->states[PLAN(pat, k)->last_post];

	if (lp->returned)
	{
		lp->returned = false;
		list_append(pat, &pat->out, m);
	}
}

/* StreamPreStateProcessor / LogicalPreStateProcessor.processAndReturn */
static void
process_stream(SiddhiPattern *pat, int k, PatEvent *e)
{
	SiddhiPatternStatePlan *s = PLAN(pat, k);
	PatState *st = &pat->states[k];
	bool sequence = pat->prog->plan->sequence;
	int i = 0;

	while (i < st->pending.n)
	{
		PatMatch *m = st->pending.items[i];

		if (s->logical == SIDDHI_PAT_OR && m->slots[s->partner].n > 0)
		{
			list_remove_at(pat, &st->pending, i);
			continue;
		}
		slot_set(pat, &m->slots[k], e);
		run_state(pat, k, m);
		check_returned(pat, k, m);
		if (st->changed)
		{
			list_remove_at(pat, &st->pending, i);
			continue;
		}
		slot_set(pat, &m->slots[k], NULL);
		if (sequence)
		{
			if (!s->logical && s->callback >= 0)
				start_state_reset(pat, s->callback);
			list_remove_at(pat, &st->pending, i);
			continue;
		}
		i++;
	}
}

/* Does m already have an event in state id (a later state took one)? */
static bool
taken_at(SiddhiPattern *pat, PatMatch *m, int id)
{
	return id < pat->prog->nstates && m->slots[id].n > 0;
}

/* CountPreStateProcessor.processAndReturn */
static void
process_count(SiddhiPattern *pat, int k, PatEvent *e)
{
	PatState *st = &pat->states[k];
	bool sequence = pat->prog->plan->sequence;
	int i = 0;

	while (i < st->pending.n)
	{
		PatMatch *m = st->pending.items[i];
		bool removed = false;

		if (taken_at(pat, m, k + 1) || taken_at(pat, m, k + 2))
		{
			list_remove_at(pat, &st->pending, i);
			continue;
		}
		slot_append(pat, &m->slots[k], e);
		st->success = false;
		/* m may leave the list below: hold it while we look at it */
		m->refs++;
		run_state(pat, k, m);
		check_returned(pat, k, m);
		if (st->changed)
		{
			list_remove_at(pat, &st->pending, i);
			removed = true;
		}
		if (!st->success)
		{
			slot_remove_last(&m->slots[k]);
			if (sequence && !removed)
			{
				list_remove_at(pat, &st->pending, i);
				removed = true;
			}
		}
		match_release(pat, m);
		if (!removed)
			i++;
	}
}

/* ---------------------------------------------------------------------
 * Absent states: not S for t
 * ---------------------------------------------------------------------
 */

/* Siddhi's Scheduler.notifyAt: remember a due time of state k. */
static void
notify_at(SiddhiPattern *pat, int k, int64 when)
{
	PatState *st = &pat->states[k];
	int i;

	if (st->nnotify == st->notify_cap)
	{
		int cap = Max(8, st->notify_cap * 2);

		st->notify = st->notify
						 ? repalloc(st->notify, sizeof(int64) * cap)
						 : MemoryContextAlloc(pat->cxt, sizeof(int64) * cap);
		st->notify_cap = cap;
	}
	/* keep ascending; equal times after the ones already there */
	i = st->nnotify;
	while (i > 0 && st->notify[i - 1] > when)
	{
		st->notify[i] = st->notify[i - 1];
		i--;
	}
	st->notify[i] = when;
	st->nnotify++;
}

/* AbsentStreamPostStateProcessor.process: the event that must not come */
static void
post_absent(SiddhiPattern *pat, int k, PatMatch *m)
{
	SiddhiPatternStatePlan *s = PLAN(pat, k);
	PatState *st = &pat->states[k];
	PatSlot *slot = &m->slots[k];
	int64 ts = slot->ev[slot->n - 1]->ts;

	st->changed = true;
	m->ts = ts;
	st->returned = true;
	if (s->start && s->next_every == k)
		add_every_state(pat, k, m);
	st->last_scheduled = ts + s->waiting;
	notify_at(pat, k, st->last_scheduled);
}

/*
 * AbsentStreamPreStateProcessor.processAndReturn: an event of S arrives;
 * a match it satisfies is dropped (the absence failed), nothing goes out.
 */
static void
process_absent(SiddhiPattern *pat, int k, PatEvent *e)
{
	PatState *st = &pat->states[k];
	int i = 0;

	if (st->inactive)
		return;
	while (i < st->pending.n)
	{
		PatMatch *m = st->pending.items[i];
		PatState *lp = &pat->states[PLAN(pat, k)->last_post];

		slot_set(pat, &m->slots[k], e);
		st->changed = false;
		if (condition_holds(pat, k, m))
			post_absent(pat, k, m);
		if (lp->returned)
			lp->returned = false;
		if (st->changed)
		{
			list_remove_at(pat, &st->pending, i);
			continue;
		}
		slot_set(pat, &m->slots[k], NULL);
		i++;
	}
}

/* AbsentStreamPreStateProcessor.sendEvent: an absence is complete. */
static void
absent_send(SiddhiPattern *pat, int k, PatMatch *m)
{
	SiddhiPatternStatePlan *s = PLAN(pat, k);

	if (s->emits)
		list_append(pat, &pat->out, m);
	if (s->next >= 0)
		add_state(pat, s->next, m);
	if (s->next_every >= 0)
		add_every_state(pat, s->next_every, m);
	else if (s->start)
		pat->states[k].inactive = true;
	if (s->callback >= 0)
		start_state_reset(pat, s->callback);
}

static void reset_state(SiddhiPattern *pat, int k);
static void update_state(SiddhiPattern *pat, int k);
static bool match_expired(SiddhiPattern *pat, PatMatch *m, int64 now);

/*
 * AbsentStreamPreStateProcessor.process: the timer of state k at `at`
 * (now is the clock): matches that waited long enough without the event
 * go on, stamped `at`.
 */
static void
absent_timer(SiddhiPattern *pat, int k, int64 at, int64 now)
{
	SiddhiPatternStatePlan *s = PLAN(pat, k);
	PatState *st = &pat->states[k];
	bool sequence = pat->prog->plan->sequence;
	bool initialize;
	PatList ready = { 0 };
	int i = 0;

	if (st->inactive)
		return;
	initialize = s->start && st->fresh.n == 0 && st->pending.n == 0;
	if (initialize && sequence && s->next_every < 0 && st->last_scheduled > 0)
		initialize = false;
	if (initialize)
	{
		PatMatch *m = match_new(pat);

		m->refs++;
		add_state(pat, k, m);
		match_release(pat, m);
	}
	else if (sequence && st->fresh.n > 0)
		reset_state(pat, k);
	update_state(pat, k);
	while (i < st->pending.n)
	{
		PatMatch *m = st->pending.items[i];

		if (match_expired(pat, m, at))
		{
			if (s->within_every >= 0 && s->next_every >= 0 &&
				s->next_every != k)
				add_every_state(pat, s->next_every, m);
			list_remove_at(pat, &st->pending, i);
			continue;
		}
		if ((m->ts == -1 && at >= st->last_scheduled) ||
			(m->ts != -1 && at >= m->ts + s->waiting))
		{
			m->ts = at;
			list_append(pat, &ready, m);
			list_remove_at(pat, &st->pending, i);
			continue;
		}
		i++;
	}
	if (s->within_every >= 0)
		update_state(pat, s->within_every);
	for (i = 0; i < ready.n; i++)
		absent_send(pat, k, ready.items[i]);
	if (now > s->waiting + at)
		st->last_scheduled = now + s->waiting;
	if (ready.n == 0 && st->last_scheduled < at)
	{
		st->last_scheduled = at + s->waiting;
		notify_at(pat, k, st->last_scheduled);
	}
	for (i = 0; i < ready.n; i++)
		match_release(pat, ready.items[i]);
	if (ready.items)
		pfree(ready.items);
}

/*
 * AbsentLogicalPreStateProcessor.processAndReturn: an event of the absent
 * side of and/or arrives.
 */
static void
process_absent_logical(SiddhiPattern *pat, int k, PatEvent *e)
{
	SiddhiPatternStatePlan *s = PLAN(pat, k);
	PatState *st = &pat->states[k];
	bool sequence = pat->prog->plan->sequence;
	int i = 0;

	if (st->inactive)
		return;
	while (i < st->pending.n)
	{
		PatMatch *m = st->pending.items[i];
		PatState *lp = &pat->states[s->last_post];
		PatEvent *saved;
		bool removed = false;

		if (s->logical == SIDDHI_PAT_OR && m->slots[s->partner].n > 0)
		{
			list_remove_at(pat, &st->pending, i);
			continue;
		}
		saved = m->slots[k].n > 0 ? m->slots[k].ev[0] : NULL;
		if (saved)
			saved->refs++;
		m->refs++;
		slot_set(pat, &m->slots[k], e);
		run_state(pat, k, m);
		if (s->waiting >= 0 ||
			(sequence && s->logical == SIDDHI_PAT_AND && s->next_every >= 0))
			slot_set(pat, &m->slots[k], saved);
		if (lp->returned)
		{
			lp->returned = false;
			list_remove_at(pat, &st->pending, i);
			removed = true;
			if (sequence)
			{
				PatList *pl = &pat->states[s->partner].pending;

				for (int j = 0; j < pl->n; j++)
					if (pl->items[j] == m)
					{
						list_remove_at(pat, pl, j);
						break;
					}
			}
		}
		if (!st->changed)
		{
			slot_set(pat, &m->slots[k], saved);
			if (sequence && !removed)
			{
				list_remove_at(pat, &st->pending, i);
				removed = true;
			}
		}
		if (saved)
			event_release(saved);
		match_release(pat, m);
		if (!removed)
			i++;
	}
}

/* AbsentLogicalPreStateProcessor.sendEvent */
static void
absent_logical_send(SiddhiPattern *pat, int k, PatMatch *m)
{
	SiddhiPatternStatePlan *s = PLAN(pat, k);

	if (s->emits)
		list_append(pat, &pat->out, m);
	if (s->next >= 0)
		add_state(pat, s->next, m);
	if (s->next_every >= 0)
		add_every_state(pat, s->next_every, m);
	else if (s->start)
	{
		pat->states[k].inactive = true;
		if (s->logical == SIDDHI_PAT_OR && PLAN(pat, s->partner)->absent)
			pat->states[s->partner].inactive = true;
	}
	if (s->callback >= 0)
		start_state_reset(pat, s->callback);
}

/* AbsentLogicalPreStateProcessor.process: its timer at `at`. */
static void
absent_logical_timer(SiddhiPattern *pat, int k, int64 at, int64 now)
{
	SiddhiPatternStatePlan *s = PLAN(pat, k);
	PatState *st = &pat->states[k];
	bool sequence = pat->prog->plan->sequence;
	bool not_processed = true;

	if (st->inactive)
		return;
	if (at >= st->last_arrival + s->waiting)
	{
		PatList ready = { 0 };
		PatMatch *expired = NULL;
		int i = 0;

		if (s->start && sequence && st->fresh.n == 0 && st->pending.n == 0)
		{
			PatMatch *m = match_new(pat);

			m->refs++;
			add_state(pat, k, m);
			match_release(pat, m);
		}
		else if (sequence && st->fresh.n > 0)
			reset_state(pat, k);
		update_state(pat, k);
		while (i < st->pending.n)
		{
			PatMatch *m = st->pending.items[i];
			PatSlot *own = &m->slots[k];
			bool passed;

			if (match_expired(pat, m, at))
			{
				if (expired)
					match_release(pat, expired);
				expired = m;
				m->refs++;
				list_remove_at(pat, &st->pending, i);
				continue;
			}
			passed = own->n == 0 ? at >= m->ts + s->waiting
								 : at >= own->ev[0]->ts + s->waiting;
			if (!passed)
			{
				i++;
				continue;
			}
			m->refs++;
			list_remove_at(pat, &st->pending, i);
			if (m->slots[s->partner].n == 0)
			{
				slot_append(pat, own, event_empty(pat, s->stream));
				if (s->logical == SIDDHI_PAT_OR)
					list_append(pat, &ready, m);
			}
			else if (s->logical == SIDDHI_PAT_AND)
				list_append(pat, &ready, m);
			match_release(pat, m);
		}
		if (expired)
		{
			if (s->within_every >= 0)
			{
				add_every_state(pat, s->within_every, expired);
				update_state(pat, s->within_every);
			}
			match_release(pat, expired);
		}
		not_processed = ready.n == 0;
		for (i = 0; i < ready.n; i++)
		{
			ready.items[i]->ts = at;
			absent_logical_send(pat, k, ready.items[i]);
		}
		for (i = 0; i < ready.n; i++)
			match_release(pat, ready.items[i]);
		if (ready.items)
			pfree(ready.items);
		st->last_arrival = 0;
	}
	if (s->next_every >= 0 || (not_processed && s->start))
		notify_at(pat, k,
				  (st->last_arrival == 0 ? now : st->last_arrival) +
					  s->waiting);
}

/* ---------------------------------------------------------------------
 * Handing matches over, arming, updating, resetting
 * ---------------------------------------------------------------------
 */

static void
add_state(SiddhiPattern *pat, int k, PatMatch *m)
{
	SiddhiPatternStatePlan *s = PLAN(pat, k);
	PatState *st = &pat->states[k];
	bool sequence = pat->prog->plan->sequence;

	if (s->logical)
	{
		PatState *partner = &pat->states[s->partner];

		if (s->absent && st->inactive)
			return;
		if (s->start || sequence)
		{
			if (st->fresh.n == 0)
			{
				list_push(pat, &st->fresh, m);
				if (partner->fresh.n == 0)
					list_push(pat, &partner->fresh, m);
			}
		}
		else
		{
			list_push(pat, &st->fresh, m);
			list_push(pat, &partner->fresh, m);
		}
		if (s->absent && !s->start && s->waiting >= 0)
		{
			SiddhiPatternStatePlan *ps = PLAN(pat, s->partner);

			notify_at(pat, k, m->ts + s->waiting);
			if (ps->absent)
				notify_at(pat, s->partner, m->ts + ps->waiting);
		}
		return;
	}
	if (s->absent)
	{
		if (st->inactive)
			return;
		if (sequence)
			list_clear(pat, &st->fresh);
		list_push(pat, &st->fresh, m);
		if (!s->start)
		{
			st->last_scheduled = m->ts + s->waiting;
			notify_at(pat, k, st->last_scheduled);
		}
		return;
	}
	if (!sequence || st->fresh.n == 0)
		list_push(pat, &st->fresh, m);
	if (s->count && s->min_count == 0 && m->slots[k].n == 0)
	{
		/* an optional count: the match may already go on without it */
		m->refs++;
		count_min_reached(pat, k, m);
		match_release(pat, m);
	}
}

static void
add_every_state(SiddhiPattern *pat, int k, PatMatch *m)
{
	SiddhiPatternStatePlan *s = PLAN(pat, k);
	PatMatch *c = match_clone(pat, m);

	if (s->logical && s->absent)
	{
		/* AbsentLogicalPreStateProcessor.addEveryState */
		c->refs++;
		if (c->slots[k].n > 0)
			c->ts = c->slots[k].ev[0]->ts;
		slot_clear(&c->slots[k]);
		slot_clear(&c->slots[s->partner]);
		list_push(pat, &pat->states[k].fresh, c);
		list_push(pat, &pat->states[s->partner].fresh, c);
		match_release(pat, c);
		return;
	}

	c->refs++; /* ours, until the lists hold it */
	for (int i = k; i < pat->prog->nstates; i++)
		slot_clear(&c->slots[i]);
	if (s->logical)
		slot_clear(&c->slots[s->partner]);
	list_push(pat, &pat->states[k].fresh, c);
	if (s->logical)
		list_push(pat, &pat->states[s->partner].fresh, c);
	if (s->absent)
	{
		pat->states[k].last_scheduled = m->ts + s->waiting;
		notify_at(pat, k, pat->states[k].last_scheduled);
	}
	match_release(pat, c);
}

/* StreamPreStateProcessor.init: a start state arms an empty match. */
static void
init_state(SiddhiPattern *pat, int k)
{
	SiddhiPatternStatePlan *s = PLAN(pat, k);
	PatState *st = &pat->states[k];

	if (s->start && (!st->initialized || s->next_every >= 0 ||
					 (pat->prog->plan->sequence && s->next >= 0 &&
					  PLAN(pat, s->next)->absent)))
	{
		PatMatch *m = match_new(pat);

		m->refs++;
		add_state(pat, k, m);
		match_release(pat, m);
		st->initialized = true;
	}
}

static void
update_state(SiddhiPattern *pat, int k)
{
	SiddhiPatternStatePlan *s = PLAN(pat, k);
	PatState *st = &pat->states[k];

	if (s->count && st->start_reset)
	{
		st->start_reset = false;
		init_state(pat, k);
	}
	patlist_sort(&st->fresh);
	list_move(pat, &st->pending, &st->fresh);
	if (s->logical)
	{
		PatState *partner = &pat->states[s->partner];

		patlist_sort(&partner->fresh);
		list_move(pat, &partner->pending, &partner->fresh);
	}
}

/* Sequences, before each event: Siddhi's resetState */
static void
reset_state(SiddhiPattern *pat, int k)
{
	SiddhiPatternStatePlan *s = PLAN(pat, k);
	PatState *st = &pat->states[k];

	if (s->logical)
	{
		PatState *partner = &pat->states[s->partner];

		if (s->logical != SIDDHI_PAT_OR && st->pending.n != partner->pending.n)
			return;
		list_clear(pat, &st->pending);
		list_clear(pat, &partner->pending);
	}
	else
		list_clear(pat, &st->pending);
	if (s->start && st->fresh.n == 0)
	{
		if (s->next_every < 0 && s->next >= 0 &&
			pat->states[s->next].pending.n > 0)
			return;
		init_state(pat, k);
	}
}

/* within: is m older than the bound, from any start state's event? */
static bool
match_expired(SiddhiPattern *pat, PatMatch *m, int64 now)
{
	SiddhiPatternProgram *prog = pat->prog;

	if (prog->plan->within < 0)
		return false;
	for (int i = 0; i < prog->nstarts; i++)
	{
		PatSlot *s = &m->slots[prog->starts[i]];

		if (s->n > 0 && Abs(s->ev[0]->ts - now) > prog->plan->within)
			return true;
	}
	return false;
}

/* StreamPreStateProcessor.expireEvents */
static void
expire_state(SiddhiPattern *pat, int k, int64 now)
{
	PatState *st = &pat->states[k];
	PatMatch *last = NULL;

	if (pat->prog->plan->within < 0)
		return;
	while (st->pending.n > 0)
	{
		PatMatch *m = st->pending.items[0];

		if (!match_expired(pat, m, now))
			break;
		if (!m->expired)
		{
			m->expired = true;
			if (last)
				match_release(pat, last);
			last = m;
			m->refs++;
		}
		list_remove_at(pat, &st->pending, 0);
	}
	for (int i = 0; i < st->fresh.n;)
	{
		PatMatch *m = st->fresh.items[i];

		if (!match_expired(pat, m, now))
		{
			i++;
			continue;
		}
		if (!m->expired)
		{
			m->expired = true;
			if (last)
				match_release(pat, last);
			last = m;
			m->refs++;
		}
		list_remove_at(pat, &st->fresh, i);
	}
	if (last)
	{
		int w = PLAN(pat, k)->within_every;

		if (w >= 0)
		{
			add_every_state(pat, w, last);
			update_state(pat, w);
		}
		match_release(pat, last);
	}
}

/* ---------------------------------------------------------------------
 * The interface
 * ---------------------------------------------------------------------
 */

SiddhiPatternProgram *
siddhi_pattern_compile(SiddhiPatternPlan *plan, ExprContext *econtext,
					   MemoryContext cxt)
{
	MemoryContext old = MemoryContextSwitchTo(cxt);
	SiddhiPatternProgram *prog = palloc0(sizeof(SiddhiPatternProgram));
	ListCell *lc;
	int k;

	prog->plan = plan;
	prog->econtext = econtext;
	prog->nstates = list_length(plan->states);
	prog->states = palloc0(sizeof(PatStateProg) * prog->nstates);
	prog->nstreams = list_length(plan->streams);
	prog->stream_desc = palloc0(sizeof(TupleDesc) * prog->nstreams);
	prog->readers = palloc0(sizeof(int *) * prog->nstreams);
	prog->nreaders = palloc0(sizeof(int) * prog->nstreams);
	k = 0;
	foreach(lc, plan->streams)
	{
		SiddhiRelation *r = lfirst(lc);
		Relation rel = RelationIdGetRelation(r->relid);

		if (!RelationIsValid(rel))
			ereport(ERROR, errcode(ERRCODE_UNDEFINED_TABLE),
					errmsg("could not open relation with OID %u", r->relid));
		prog->stream_desc[k] = CreateTupleDescCopy(RelationGetDescr(rel));
		RelationClose(rel);
		prog->readers[k] = palloc0(sizeof(int) * prog->nstates);
		k++;
	}
	for (int i = prog->nstates - 1; i >= 0; i--)
	{
		SiddhiPatternStatePlan *s = list_nth(plan->states, i);

		prog->readers[s->stream][prog->nreaders[s->stream]++] = i;
	}
	k = 0;
	foreach(lc, plan->states)
	{
		SiddhiPatternStatePlan *s = lfirst(lc);
		PatStateProg *sp = &prog->states[k++];
		ListCell *lr;
		int j = 0;

		sp->plan = s;
		sp->filter = s->filter ? ExecInitExpr(s->filter, NULL) : NULL;
		sp->nregions = list_length(s->regions);
		sp->regions = palloc0(sizeof(int) * Max(sp->nregions, 1));
		foreach(lr, s->regions)
			sp->regions[j++] = lfirst_int(lr);
	}
	prog->nregions = list_length(plan->regions);
	prog->regions =
		palloc0(sizeof(SiddhiPatternRegion *) * Max(prog->nregions, 1));
	k = 0;
	foreach(lc, plan->regions)
		prog->regions[k++] = lfirst(lc);
	prog->filled = palloc0(sizeof(PatEvent *) * Max(prog->nregions, 1));
	prog->filled_gen = pattern_event_frees - 1;
	prog->starts = palloc0(sizeof(int) * Max(prog->nstates, 1));
	foreach(lc, plan->states)
	{
		SiddhiPatternStatePlan *s = lfirst(lc);

		if (s->absent)
			prog->has_absent = true;
		if (s->start)
			prog->starts[prog->nstarts++] = s->id;
	}
	prog->nout = list_length(plan->out_regions);
	prog->out_regions = palloc0(sizeof(int) * Max(prog->nout, 1));
	k = 0;
	foreach(lc, plan->out_regions)
		prog->out_regions[k++] = lfirst_int(lc);
	prog->desc = plan->desc;
	prog->row = MakeSingleTupleTableSlot(plan->desc, &TTSOpsVirtual);
	memset(prog->row->tts_isnull, true, sizeof(bool) * plan->desc->natts);
	ExecStoreVirtualTuple(prog->row);
	MemoryContextSwitchTo(old);
	return prog;
}

TupleDesc
siddhi_pattern_row_desc(SiddhiPatternProgram *prog)
{
	return prog->desc;
}

SiddhiPattern *
siddhi_pattern_create(SiddhiPatternProgram *prog, MemoryContext parent,
					  int64 now)
{
	MemoryContext cxt = AllocSetContextCreate(parent, "siddhi pattern",
											  ALLOCSET_START_SMALL_SIZES);
	SiddhiPattern *pat = MemoryContextAllocZero(cxt, sizeof(SiddhiPattern));
	ListCell *lc;

	pat->cxt = cxt;
	pat->prog = prog;
	pat->states =
		MemoryContextAllocZero(cxt, sizeof(PatState) * Max(prog->nstates, 1));
	foreach(lc, prog->plan->init_order)
		init_state(pat, lfirst_int(lc));
	/* an absent start state waits from the start (partitionCreated) */
	for (int k = 0; k < prog->nstates; k++)
	{
		SiddhiPatternStatePlan *s = PLAN(pat, k);

		if (s->absent && s->start && s->waiting >= 0)
		{
			if (!s->logical)
				pat->states[k].last_scheduled = now + s->waiting;
			notify_at(pat, k, now + s->waiting);
		}
	}
	return pat;
}

void
siddhi_pattern_free(SiddhiPattern *pat)
{
	MemoryContextDelete(pat->cxt);
}

/* Send out what the last state's loop completed, in order. */
static void
emit_out(SiddhiPattern *pat, SiddhiPatternEmit emit, void *arg)
{
	SiddhiPatternProgram *prog = pat->prog;

	for (int i = 0; i < pat->out.n; i++)
	{
		PatMatch *m = pat->out.items[i];

		fill_regions(prog, m, prog->nout, prog->out_regions);
		emit(arg, prog->row, m->ts);
	}
	list_clear(pat, &pat->out);
}

void
siddhi_pattern_event(SiddhiPattern *pat, int stream, TupleTableSlot *slot,
					 int64 ts, SiddhiPatternEmit emit, void *arg)
{
	SiddhiPatternProgram *prog = pat->prog;
	ListCell *lc;

	if (pat->busy)
		ereport(ERROR,
				(errcode(ERRCODE_SIDDHI_RUNTIME_ERROR),
				 errmsg("a pattern query's output reached its own input"),
				 errhint("Queries that insert into each other's input "
						 "streams form a loop.")));
	pat->busy = true;
	PG_TRY();
	{
		list_clear(pat, &pat->out); /* left over by an error */
		pat->cur_slot = slot;
		pat->cur_ts = ts;
		pat->cur_stream = stream;
		pat->cur_event = NULL;

		for (int k = 0; k < prog->nstates; k++)
			expire_state(pat, k, ts);
		if (prog->plan->sequence)
		{
			foreach(lc, prog->plan->reset_order)
				reset_state(pat, lfirst_int(lc));
			foreach(lc, prog->plan->update_order)
				update_state(pat, lfirst_int(lc));
		}
		else
			for (int i = prog->nreaders[stream] - 1; i >= 0; i--)
				update_state(pat, prog->readers[stream][i]);

		for (int i = 0; i < prog->nreaders[stream]; i++)
		{
			int k = prog->readers[stream][i];
			PatEvent *e = event_current(pat);

			if (PLAN(pat, k)->count)
				process_count(pat, k, e);
			else if (PLAN(pat, k)->absent && PLAN(pat, k)->logical)
				process_absent_logical(pat, k, e);
			else if (PLAN(pat, k)->absent)
				process_absent(pat, k, e);
			else
				process_stream(pat, k, e);
			emit_out(pat, emit, arg);
		}
		event_keep(pat);
		if (pat->cur_event)
			event_release(pat->cur_event);
		pat->cur_event = NULL;
		pat->cur_slot = NULL;
		if (pat->held > prog->plan->max_partial)
			enforce_bound(pat);
	}
	PG_CATCH();
	{
		/* matches may still hold the borrowed event */
		pat->busy = false;
		event_keep(pat);
		if (pat->cur_event)
			event_release(pat->cur_event);
		pat->cur_event = NULL;
		pat->cur_slot = NULL;
		PG_RE_THROW();
	}
	PG_END_TRY();
	pat->busy = false;
}

int64
siddhi_pattern_deadline(SiddhiPattern *pat)
{
	int64 due = -1;

	if (!pat->prog->has_absent)
		return -1;
	for (int k = 0; k < pat->prog->nstates; k++)
	{
		PatState *st = &pat->states[k];

		if (st->nnotify > 0 && (due < 0 || st->notify[0] < due))
			due = st->notify[0];
	}
	return due;
}

/*
 * Time passes to now: the absent states' due times fire, as Siddhi's
 * schedulers do when the clock moves: the states in the order of their
 * first due time, each firing everything due by now (including what its
 * own firing schedules).
 */
void
siddhi_pattern_advance(SiddhiPattern *pat, int64 now, SiddhiPatternEmit emit,
					   void *arg)
{
	int n = pat->prog->nstates;
	int *order;
	int64 *heads;
	int nd = 0;

	if (siddhi_pattern_deadline(pat) < 0 || siddhi_pattern_deadline(pat) > now)
		return;
	if (pat->busy)
		return;
	order = palloc(sizeof(int) * n);
	heads = palloc(sizeof(int64) * n);
	for (int k = 0; k < n; k++)
	{
		PatState *st = &pat->states[k];
		int i;

		if (st->nnotify == 0 || st->notify[0] > now)
			continue;
		i = nd++;
		while (i > 0 && heads[i - 1] > st->notify[0])
		{
			heads[i] = heads[i - 1];
			order[i] = order[i - 1];
			i--;
		}
		heads[i] = st->notify[0];
		order[i] = k;
	}
	pat->busy = true;
	PG_TRY();
	{
		list_clear(pat, &pat->out);
		for (int j = 0; j < nd; j++)
		{
			int k = order[j];
			PatState *st = &pat->states[k];

			while (st->nnotify > 0 && st->notify[0] <= now)
			{
				int64 at = st->notify[0];

				memmove(&st->notify[0], &st->notify[1],
						sizeof(int64) * (st->nnotify - 1));
				st->nnotify--;
				if (PLAN(pat, k)->logical)
					absent_logical_timer(pat, k, at, now);
				else
					absent_timer(pat, k, at, now);
				emit_out(pat, emit, arg);
			}
		}
		if (pat->held > pat->prog->plan->max_partial)
			enforce_bound(pat);
	}
	PG_FINALLY();
	{
		pat->busy = false;
	}
	PG_END_TRY();
	pfree(order);
	pfree(heads);
}

int64
siddhi_pattern_pending(SiddhiPattern *pat)
{
	return pat->held;
}

int64
siddhi_pattern_dropped(SiddhiPattern *pat)
{
	return pat->dropped;
}
