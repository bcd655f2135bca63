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
 * This file is the interface (compile, create, an event, the clock); the
 * engine's data is in pattern_match.c, the state processors in
 * pattern_state.c and the absent states in pattern_absent.c, sharing
 * pattern_int.h.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "executor/executor.h"
#include "pattern_int.h"
#include "siddhi/errors.h"
#include "utils/rel.h"

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
	for (k = 0; k < prog->nstates; k++)
		pat_compile_guards(prog, &prog->states[k]);
	prog->filled = palloc0(sizeof(PatEvent *) * Max(prog->nregions, 1));
	prog->filled_gen = pat_event_frees - 1;
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
		pat_init_state(pat, lfirst_int(lc));
	/* an absent start state waits from the start (partitionCreated) */
	for (int k = 0; k < prog->nstates; k++)
	{
		SiddhiPatternStatePlan *s = PLAN(pat, k);

		if (s->absent && s->start && s->waiting >= 0)
		{
			if (!s->logical)
				pat->states[k].last_scheduled = now + s->waiting;
			pat_notify_at(pat, k, now + s->waiting);
		}
	}
	return pat;
}

void
siddhi_pattern_free(SiddhiPattern *pat)
{
	MemoryContextDelete(pat->cxt);
	/* the program's row cache may point at its events: addresses reused */
	pat_event_frees++;
}

/*
 * The time of the first event of the match being emitted, for
 * siddhi.pattern_match_start(); -1 outside an emit.  Set around each call
 * of emit (which runs the query's select), restored after it, as emits
 * nest when a pattern's output feeds another pattern.
 */
static int64 match_start = -1;

/* Send out what the last state's loop completed, in order. */
static void
emit_out(SiddhiPattern *pat, SiddhiPatternEmit emit, void *arg)
{
	SiddhiPatternProgram *prog = pat->prog;
	int64 save = match_start;

	PG_TRY();
	{
		for (int i = 0; i < pat->out.n; i++)
		{
			PatMatch *m = pat->out.items[i];
			int64 start = m->ts;

			for (int k = 0; k < prog->nstates; k++)
				if (m->slots[k].n > 0 && m->slots[k].ev[0]->ts < start)
					start = m->slots[k].ev[0]->ts;
			match_start = start;
			pat_fill_regions(prog, m, prog->nout, prog->out_regions);
			emit(arg, prog->row, m->ts);
		}
	}
	PG_FINALLY();
	{
		match_start = save;
	}
	PG_END_TRY();
	pat_list_clear(pat, &pat->out);
}

PG_FUNCTION_INFO_V1(siddhi_pattern_match_start);

/*
 * siddhi.pattern_match_start(): in a pattern query's select, the time of
 * the first event its match took (ms); NULL elsewhere.  SQL's (P1) AND
 * (P2) reads it to bound the whole match by WITHIN
 * (src/parser/sqlstream_pattern_and.c).
 */
Datum
siddhi_pattern_match_start(PG_FUNCTION_ARGS)
{
	if (match_start < 0)
		PG_RETURN_NULL();
	PG_RETURN_INT64(match_start);
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
		pat_list_clear(pat, &pat->out); /* left over by an error */
		pat->cur_slot = slot;
		pat->cur_ts = ts;
		pat->cur_stream = stream;
		pat->cur_event = NULL;

		for (int k = 0; k < prog->nstates; k++)
			pat_expire_state(pat, k, ts);
		if (prog->plan->sequence)
		{
			foreach(lc, prog->plan->reset_order)
				pat_reset_state(pat, lfirst_int(lc));
			foreach(lc, prog->plan->update_order)
				pat_update_state(pat, lfirst_int(lc));
		}
		else
			for (int i = prog->nreaders[stream] - 1; i >= 0; i--)
				pat_update_state(pat, prog->readers[stream][i]);

		for (int i = 0; i < prog->nreaders[stream]; i++)
		{
			int k = prog->readers[stream][i];
			PatEvent *e = pat_event_current(pat);

			if (PLAN(pat, k)->count)
				pat_process_count(pat, k, e);
			else if (PLAN(pat, k)->absent && PLAN(pat, k)->logical)
				pat_process_absent_logical(pat, k, e);
			else if (PLAN(pat, k)->absent)
				pat_process_absent(pat, k, e);
			else
				pat_process_stream(pat, k, e);
			emit_out(pat, emit, arg);
		}
		pat_event_keep(pat);
		if (pat->cur_event)
			pat_event_release(pat->cur_event);
		pat->cur_event = NULL;
		pat->cur_slot = NULL;
		if (pat->held > prog->plan->max_partial)
			pat_enforce_bound(pat);
	}
	PG_CATCH();
	{
		/* matches may still hold the borrowed event */
		pat->busy = false;
		pat_event_keep(pat);
		if (pat->cur_event)
			pat_event_release(pat->cur_event);
		pat->cur_event = NULL;
		pat->cur_slot = NULL;
		PG_RE_THROW();
	}
	PG_END_TRY();
	pat->busy = false;
}

void
siddhi_pattern_expire(SiddhiPattern *pat, int64 ts)
{
	/* inside its own step (its output reached its input): that step errs */
	if (pat->busy || pat->prog->plan->within < 0)
		return;
	/* (an every around the first state alone restarts nothing: its
	 * matches hold no event, so they never expire) */
	for (int k = 0; k < pat->prog->nstates; k++)
		pat_expire_state(pat, k, ts);
}

uint64 *
siddhi_pattern_caught_up(SiddhiPattern *pat)
{
	return &pat->caught_up;
}

bool
siddhi_pattern_timed(SiddhiPattern *pat)
{
	return pat->prog->has_absent;
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
		pat_list_clear(pat, &pat->out);
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
					pat_absent_logical_timer(pat, k, at, now);
				else
					pat_absent_timer(pat, k, at, now);
				emit_out(pat, emit, arg);
			}
		}
		if (pat->held > pat->prog->plan->max_partial)
			pat_enforce_bound(pat);
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
