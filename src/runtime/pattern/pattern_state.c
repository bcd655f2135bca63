/*-------------------------------------------------------------------------
 *
 * pattern_state.c
 *	  The state processors: what a state does with an event, and how
 *	  matches are handed over, armed, updated, reset and expired.
 *
 * Each function names the Siddhi 5.1 processor it follows (StreamPre-
 * StateProcessor, CountPreStateProcessor, LogicalPreStateProcessor, their
 * post processors); pattern.c calls them in Siddhi's order for each event
 * and due time, and pattern_absent.c for the `not` states.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "pattern_int.h"

/* ---------------------------------------------------------------------
 * The state processors
 * ---------------------------------------------------------------------
 */


/* Siddhi's CountPreStateProcessor.startStateReset */
void
pat_start_state_reset(SiddhiPattern *pat, int k)
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
		pat_add_state(pat, s->next, m);
	if (s->next_every >= 0)
		pat_add_every_state(pat, s->next_every, m);
	if (s->callback >= 0)
		pat_start_state_reset(pat, s->callback);
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
		pat_add_state(pat, s->next, m);
	if (s->next_every >= 0)
		pat_add_every_state(pat, s->next_every, m);
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
				pat_add_state(pat, s->next, m);
			if (n != s->max_count)
				pat_add_state(pat, k, m);
		}
		else if (n == s->min_count)
			count_min_reached(pat, k, m);
		if (n == s->max_count)
			pat->states[k].changed = true;
	}
}


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
			pat_init_state(pat, p);
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
void
pat_run_state(SiddhiPattern *pat, int k, PatMatch *m)
{
	SiddhiPatternStatePlan *s = PLAN(pat, k);

	pat->states[k].changed = false;
	if (!pat_condition_holds(pat, k, m))
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
		pat_list_append(pat, &pat->out, m);
	}
}

/* StreamPreStateProcessor / LogicalPreStateProcessor.processAndReturn */
void
pat_process_stream(SiddhiPattern *pat, int k, PatEvent *e)
{
	SiddhiPatternStatePlan *s = PLAN(pat, k);
	PatState *st = &pat->states[k];
	PatStateProg *sp = &pat->prog->states[k];
	bool sequence = pat->prog->plan->sequence;
	int i = 0;
	uint32 cur_hash = 0;
	/*
	 * the waiting matches whose kept value hashes otherwise fail the
	 * condition's first equality: passed over as a failed condition is
	 * (a sequence drops such a match, which the full path does)
	 */
	bool hashing =
		sp->hash_guard >= 0 && !sequence &&
		pat_guard_hash(sp, e, sp->guards[sp->hash_guard].ca, &cur_hash);

	while (i < st->pending.n)
	{
		PatMatch *m = st->pending.items[i];

		if (s->logical == SIDDHI_PAT_OR && m->slots[s->partner].n > 0)
		{
			pat_list_remove_at(pat, &st->pending, i);
			continue;
		}
		if (hashing && !pat_guard_may_pass(pat, k, m, cur_hash))
		{
			st->changed = false;
			i++;
			continue;
		}
		pat_slot_set(pat, &m->slots[k], e);
		pat_run_state(pat, k, m);
		check_returned(pat, k, m);
		if (st->changed)
		{
			pat_list_remove_at(pat, &st->pending, i);
			continue;
		}
		pat_slot_set(pat, &m->slots[k], NULL);
		if (sequence)
		{
			if (!s->logical && s->callback >= 0)
				pat_start_state_reset(pat, s->callback);
			pat_list_remove_at(pat, &st->pending, i);
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
void
pat_process_count(SiddhiPattern *pat, int k, PatEvent *e)
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
			pat_list_remove_at(pat, &st->pending, i);
			continue;
		}
		pat_slot_append(pat, &m->slots[k], e);
		st->success = false;
		/* m may leave the list below: hold it while we look at it */
		m->refs++;
		pat_run_state(pat, k, m);
		check_returned(pat, k, m);
		if (st->changed)
		{
			pat_list_remove_at(pat, &st->pending, i);
			removed = true;
		}
		if (!st->success)
		{
			pat_slot_remove_last(&m->slots[k]);
			if (sequence && !removed)
			{
				pat_list_remove_at(pat, &st->pending, i);
				removed = true;
			}
		}
		pat_match_release(pat, m);
		if (!removed)
			i++;
	}
}


/* ---------------------------------------------------------------------
 * Handing matches over, arming, updating, resetting
 * ---------------------------------------------------------------------
 */

void
pat_add_state(SiddhiPattern *pat, int k, PatMatch *m)
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
				pat_list_push(pat, &st->fresh, m);
				if (partner->fresh.n == 0)
					pat_list_push(pat, &partner->fresh, m);
			}
		}
		else
		{
			pat_list_push(pat, &st->fresh, m);
			pat_list_push(pat, &partner->fresh, m);
		}
		if (s->absent && !s->start && s->waiting >= 0)
		{
			SiddhiPatternStatePlan *ps = PLAN(pat, s->partner);

			pat_notify_at(pat, k, m->ts + s->waiting);
			if (ps->absent)
				pat_notify_at(pat, s->partner, m->ts + ps->waiting);
		}
		return;
	}
	if (s->absent)
	{
		if (st->inactive)
			return;
		if (sequence)
			pat_list_clear(pat, &st->fresh);
		pat_list_push(pat, &st->fresh, m);
		if (!s->start)
		{
			st->last_scheduled = m->ts + s->waiting;
			pat_notify_at(pat, k, st->last_scheduled);
		}
		return;
	}
	if (!sequence || st->fresh.n == 0)
		pat_list_push(pat, &st->fresh, m);
	if (s->count && s->min_count == 0 && m->slots[k].n == 0)
	{
		/* an optional count: the match may already go on without it */
		m->refs++;
		count_min_reached(pat, k, m);
		pat_match_release(pat, m);
	}
}

void
pat_add_every_state(SiddhiPattern *pat, int k, PatMatch *m)
{
	SiddhiPatternStatePlan *s = PLAN(pat, k);
	PatMatch *c = pat_match_clone(pat, m);

	if (s->logical && s->absent)
	{
		/* AbsentLogicalPreStateProcessor.addEveryState */
		c->refs++;
		if (c->slots[k].n > 0)
			c->ts = c->slots[k].ev[0]->ts;
		pat_slot_clear(&c->slots[k]);
		pat_slot_clear(&c->slots[s->partner]);
		pat_list_push(pat, &pat->states[k].fresh, c);
		pat_list_push(pat, &pat->states[s->partner].fresh, c);
		pat_match_release(pat, c);
		return;
	}

	c->refs++; /* ours, until the lists hold it */
	for (int i = k; i < pat->prog->nstates; i++)
		pat_slot_clear(&c->slots[i]);
	if (s->logical)
		pat_slot_clear(&c->slots[s->partner]);
	pat_list_push(pat, &pat->states[k].fresh, c);
	if (s->logical)
		pat_list_push(pat, &pat->states[s->partner].fresh, c);
	if (s->absent)
	{
		pat->states[k].last_scheduled = m->ts + s->waiting;
		pat_notify_at(pat, k, pat->states[k].last_scheduled);
	}
	pat_match_release(pat, c);
}

/* StreamPreStateProcessor.init: a start state arms an empty match. */
void
pat_init_state(SiddhiPattern *pat, int k)
{
	SiddhiPatternStatePlan *s = PLAN(pat, k);
	PatState *st = &pat->states[k];

	if (s->start && (!st->initialized || s->next_every >= 0 ||
					 (pat->prog->plan->sequence && s->next >= 0 &&
					  PLAN(pat, s->next)->absent)))
	{
		PatMatch *m = pat_match_new(pat);

		m->refs++;
		pat_add_state(pat, k, m);
		pat_match_release(pat, m);
		st->initialized = true;
	}
}

void
pat_update_state(SiddhiPattern *pat, int k)
{
	SiddhiPatternStatePlan *s = PLAN(pat, k);
	PatState *st = &pat->states[k];

	if (s->count && st->start_reset)
	{
		st->start_reset = false;
		pat_init_state(pat, k);
	}
	pat_list_sort(&st->fresh);
	pat_list_move(pat, &st->pending, &st->fresh);
	if (s->logical)
	{
		PatState *partner = &pat->states[s->partner];

		pat_list_sort(&partner->fresh);
		pat_list_move(pat, &partner->pending, &partner->fresh);
	}
}

/* Sequences, before each event: Siddhi's resetState */
void
pat_reset_state(SiddhiPattern *pat, int k)
{
	SiddhiPatternStatePlan *s = PLAN(pat, k);
	PatState *st = &pat->states[k];

	if (s->logical)
	{
		PatState *partner = &pat->states[s->partner];

		if (s->logical != SIDDHI_PAT_OR && st->pending.n != partner->pending.n)
			return;
		pat_list_clear(pat, &st->pending);
		pat_list_clear(pat, &partner->pending);
	}
	else
		pat_list_clear(pat, &st->pending);
	if (s->start && st->fresh.n == 0)
	{
		if (s->next_every < 0 && s->next >= 0 &&
			pat->states[s->next].pending.n > 0)
			return;
		pat_init_state(pat, k);
	}
}

/* within: is m older than the bound, from any start state's event? */
bool
pat_match_expired(SiddhiPattern *pat, PatMatch *m, int64 now)
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
void
pat_expire_state(SiddhiPattern *pat, int k, int64 now)
{
	PatState *st = &pat->states[k];
	PatMatch *last = NULL;

	if (pat->prog->plan->within < 0)
		return;
	while (st->pending.n > 0)
	{
		PatMatch *m = st->pending.items[0];

		if (!pat_match_expired(pat, m, now))
			break;
		if (!m->expired)
		{
			m->expired = true;
			if (last)
				pat_match_release(pat, last);
			last = m;
			m->refs++;
		}
		pat_list_remove_at(pat, &st->pending, 0);
	}
	for (int i = 0; i < st->fresh.n;)
	{
		PatMatch *m = st->fresh.items[i];

		if (!pat_match_expired(pat, m, now))
		{
			i++;
			continue;
		}
		if (!m->expired)
		{
			m->expired = true;
			if (last)
				pat_match_release(pat, last);
			last = m;
			m->refs++;
		}
		pat_list_remove_at(pat, &st->fresh, i);
	}
	if (last)
	{
		int w = PLAN(pat, k)->within_every;

		if (w >= 0)
		{
			pat_add_every_state(pat, w, last);
			pat_update_state(pat, w);
		}
		pat_match_release(pat, last);
	}
}
