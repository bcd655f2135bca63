/*-------------------------------------------------------------------------
 *
 * pattern_absent.c
 *	  Absent states: `not S for t`, alone or in `and` / `or`.
 *
 * An absent state waits for time to pass without an event of S: Siddhi's
 * AbsentStreamPreStateProcessor and AbsentLogicalPreStateProcessor with
 * their scheduler.  Each state keeps the due times it was notified at
 * (pat_notify_at); the clock passing one hands on the matches that waited
 * long enough, stamped with the due time.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "pattern_int.h"

/* ---------------------------------------------------------------------
 * Absent states: not S for t
 * ---------------------------------------------------------------------
 */

/* Siddhi's Scheduler.notifyAt: remember a due time of state k. */
void
pat_notify_at(SiddhiPattern *pat, int k, int64 when)
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
		pat_add_every_state(pat, k, m);
	st->last_scheduled = ts + s->waiting;
	pat_notify_at(pat, k, st->last_scheduled);
}

/*
 * AbsentStreamPreStateProcessor.processAndReturn: an event of S arrives;
 * a match it satisfies is dropped (the absence failed), nothing goes out.
 */
void
pat_process_absent(SiddhiPattern *pat, int k, PatEvent *e)
{
	PatState *st = &pat->states[k];
	int i = 0;

	if (st->inactive)
		return;
	while (i < st->pending.n)
	{
		PatMatch *m = st->pending.items[i];
		PatState *lp = &pat->states[PLAN(pat, k)->last_post];

		pat_slot_set(pat, &m->slots[k], e);
		st->changed = false;
		if (pat_condition_holds(pat, k, m))
			post_absent(pat, k, m);
		if (lp->returned)
			lp->returned = false;
		if (st->changed)
		{
			pat_list_remove_at(pat, &st->pending, i);
			continue;
		}
		pat_slot_set(pat, &m->slots[k], NULL);
		i++;
	}
}

/* AbsentStreamPreStateProcessor.sendEvent: an absence is complete. */
static void
absent_send(SiddhiPattern *pat, int k, PatMatch *m)
{
	SiddhiPatternStatePlan *s = PLAN(pat, k);

	if (s->emits)
		pat_list_append(pat, &pat->out, m);
	if (s->next >= 0)
		pat_add_state(pat, s->next, m);
	if (s->next_every >= 0)
		pat_add_every_state(pat, s->next_every, m);
	else if (s->start)
		pat->states[k].inactive = true;
	if (s->callback >= 0)
		pat_start_state_reset(pat, s->callback);
}


/*
 * AbsentStreamPreStateProcessor.process: the timer of state k at `at`
 * (now is the clock): matches that waited long enough without the event
 * go on, stamped `at`.
 */
void
pat_absent_timer(SiddhiPattern *pat, int k, int64 at, int64 now)
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
		PatMatch *m = pat_match_new(pat);

		m->refs++;
		pat_add_state(pat, k, m);
		pat_match_release(pat, m);
	}
	else if (sequence && st->fresh.n > 0)
		pat_reset_state(pat, k);
	pat_update_state(pat, k);
	while (i < st->pending.n)
	{
		PatMatch *m = st->pending.items[i];

		if (pat_match_expired(pat, m, at))
		{
			if (s->within_every >= 0 && s->next_every >= 0 &&
				s->next_every != k)
				pat_add_every_state(pat, s->next_every, m);
			pat_list_remove_at(pat, &st->pending, i);
			continue;
		}
		if ((m->ts == -1 && at >= st->last_scheduled) ||
			(m->ts != -1 && at >= m->ts + s->waiting))
		{
			m->ts = at;
			pat_list_append(pat, &ready, m);
			pat_list_remove_at(pat, &st->pending, i);
			continue;
		}
		i++;
	}
	if (s->within_every >= 0)
		pat_update_state(pat, s->within_every);
	for (i = 0; i < ready.n; i++)
		absent_send(pat, k, ready.items[i]);
	if (now > s->waiting + at)
		st->last_scheduled = now + s->waiting;
	if (ready.n == 0 && st->last_scheduled < at)
	{
		st->last_scheduled = at + s->waiting;
		pat_notify_at(pat, k, st->last_scheduled);
	}
	for (i = 0; i < ready.n; i++)
		pat_match_release(pat, ready.items[i]);
	if (ready.items)
		pfree(ready.items);
}

/*
 * AbsentLogicalPreStateProcessor.processAndReturn: an event of the absent
 * side of and/or arrives.
 */
void
pat_process_absent_logical(SiddhiPattern *pat, int k, PatEvent *e)
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
			pat_list_remove_at(pat, &st->pending, i);
			continue;
		}
		saved = m->slots[k].n > 0 ? m->slots[k].ev[0] : NULL;
		if (saved)
			saved->refs++;
		m->refs++;
		pat_slot_set(pat, &m->slots[k], e);
		pat_run_state(pat, k, m);
		if (s->waiting >= 0 ||
			(sequence && s->logical == SIDDHI_PAT_AND && s->next_every >= 0))
			pat_slot_set(pat, &m->slots[k], saved);
		if (lp->returned)
		{
			lp->returned = false;
			pat_list_remove_at(pat, &st->pending, i);
			removed = true;
			if (sequence)
			{
				PatList *pl = &pat->states[s->partner].pending;

				for (int j = 0; j < pl->n; j++)
					if (pl->items[j] == m)
					{
						pat_list_remove_at(pat, pl, j);
						break;
					}
			}
		}
		if (!st->changed)
		{
			pat_slot_set(pat, &m->slots[k], saved);
			if (sequence && !removed)
			{
				pat_list_remove_at(pat, &st->pending, i);
				removed = true;
			}
		}
		if (saved)
			pat_event_release(saved);
		pat_match_release(pat, m);
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
		pat_list_append(pat, &pat->out, m);
	if (s->next >= 0)
		pat_add_state(pat, s->next, m);
	if (s->next_every >= 0)
		pat_add_every_state(pat, s->next_every, m);
	else if (s->start)
	{
		pat->states[k].inactive = true;
		if (s->logical == SIDDHI_PAT_OR && PLAN(pat, s->partner)->absent)
			pat->states[s->partner].inactive = true;
	}
	if (s->callback >= 0)
		pat_start_state_reset(pat, s->callback);
}

/* AbsentLogicalPreStateProcessor.process: its timer at `at`. */
void
pat_absent_logical_timer(SiddhiPattern *pat, int k, int64 at, int64 now)
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
			PatMatch *m = pat_match_new(pat);

			m->refs++;
			pat_add_state(pat, k, m);
			pat_match_release(pat, m);
		}
		else if (sequence && st->fresh.n > 0)
			pat_reset_state(pat, k);
		pat_update_state(pat, k);
		while (i < st->pending.n)
		{
			PatMatch *m = st->pending.items[i];
			PatSlot *own = &m->slots[k];
			bool passed;

			if (pat_match_expired(pat, m, at))
			{
				if (expired)
					pat_match_release(pat, expired);
				expired = m;
				m->refs++;
				pat_list_remove_at(pat, &st->pending, i);
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
			pat_list_remove_at(pat, &st->pending, i);
			if (m->slots[s->partner].n == 0)
			{
				pat_slot_append(pat, own, pat_event_empty(pat, s->stream));
				if (s->logical == SIDDHI_PAT_OR)
					pat_list_append(pat, &ready, m);
			}
			else if (s->logical == SIDDHI_PAT_AND)
				pat_list_append(pat, &ready, m);
			pat_match_release(pat, m);
		}
		if (expired)
		{
			if (s->within_every >= 0)
			{
				pat_add_every_state(pat, s->within_every, expired);
				pat_update_state(pat, s->within_every);
			}
			pat_match_release(pat, expired);
		}
		not_processed = ready.n == 0;
		for (i = 0; i < ready.n; i++)
		{
			ready.items[i]->ts = at;
			absent_logical_send(pat, k, ready.items[i]);
		}
		for (i = 0; i < ready.n; i++)
			pat_match_release(pat, ready.items[i]);
		if (ready.items)
			pfree(ready.items);
		st->last_arrival = 0;
	}
	if (s->next_every >= 0 || (not_processed && s->start))
		pat_notify_at(pat, k,
					  (st->last_arrival == 0 ? now : st->last_arrival) +
						  s->waiting);
}
