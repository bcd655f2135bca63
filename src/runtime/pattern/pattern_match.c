/*-------------------------------------------------------------------------
 *
 * pattern_match.c
 *	  The pattern engine's data: events, partial matches, the lists of
 *	  matches each state keeps, and the combined row conditions read.
 *
 * Events and matches are reference counted: a match is held by every list
 * it is in, an event by every match that took it.  The arriving event is
 * borrowed from the slot and copied only when a match still holds it once
 * the step is over (pat_event_keep).  The combined row is a virtual slot
 * whose regions point at the events of the match under test; a cache of
 * which event fills which region is valid until an event is freed
 * (pat_event_frees).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_collation.h"
#include "common/hashfn.h"
#include "executor/executor.h"
#include "nodes/nodeFuncs.h"
#include "pattern_int.h"
#include "utils/fmgroids.h"
#include "utils/lsyscache.h"
#include "utils/pg_locale.h"

uint64 pat_event_frees = 0;
static PatEvent pattern_no_event; /* marks a region filled with nulls */

/* ---------------------------------------------------------------------
 * Events and matches
 * ---------------------------------------------------------------------
 */

/*
 * The arriving event as a PatEvent.  It borrows the slot's deformed values
 * at first; pat_event_keep() copies it when a match still holds it once the
 * step is over, so that events no match takes are never copied.
 */
PatEvent *
pat_event_current(SiddhiPattern *pat)
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
void
pat_event_keep(SiddhiPattern *pat)
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
	pat_event_frees++;
	MemoryContextSwitchTo(old);
}

/*
 * An event with every attribute null: what Siddhi puts into an absent
 * and/or side whose waiting time passed, marking the absence as seen.
 */
PatEvent *
pat_event_empty(SiddhiPattern *pat, int stream)
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

/* The last reference to e is gone (pat_event_release). */
void
pat_event_free(PatEvent *e)
{
	pat_event_frees++;
	if (!e->borrowed)
	{
		if (e->tuple)
			pfree(e->tuple);
		pfree(e->values);
		pfree(e->nulls);
	}
	pfree(e);
}

PatMatch *
pat_match_new(SiddhiPattern *pat)
{
	int n = pat->prog->nstates;
	PatMatch *m = MemoryContextAllocZero(pat->cxt, offsetof(PatMatch, slots) +
													   sizeof(PatSlot) * n);

	m->ts = -1;
	m->seq = pat->seq++;
	m->gh_state = -1;
	return m;
}

/* The last reference to m is gone (pat_match_release). */
void
pat_match_free(SiddhiPattern *pat, PatMatch *m)
{
	for (int i = 0; i < pat->prog->nstates; i++)
	{
		pat_slot_clear(&m->slots[i]);
		if (m->slots[i].ev)
			pfree(m->slots[i].ev);
	}
	pfree(m);
}

/* Siddhi's copyStateEvent: the events of every state, shared. */
PatMatch *
pat_match_clone(SiddhiPattern *pat, PatMatch *src)
{
	PatMatch *m = pat_match_new(pat);

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
void
pat_slot_append(SiddhiPattern *pat, PatSlot *s, PatEvent *e)
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

/* ---------------------------------------------------------------------
 * Lists
 * ---------------------------------------------------------------------
 */

/* Append m to l, taking a reference; not counted against the bound. */
void
pat_list_append(SiddhiPattern *pat, PatList *l, PatMatch *m)
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

void
pat_list_remove_at(SiddhiPattern *pat, PatList *l, int i)
{
	PatMatch *m = l->items[i];

	memmove(&l->items[i], &l->items[i + 1],
			sizeof(PatMatch *) * (l->n - i - 1));
	l->n--;
	pat->held--;
	pat_match_release(pat, m);
}

void
pat_list_clear(SiddhiPattern *pat, PatList *l)
{
	int n = l->n;

	l->n = 0;
	if (l != &pat->out)
		pat->held -= n;
	for (int i = 0; i < n; i++)
		pat_match_release(pat, l->items[i]);
}

/* Append all of src to dst, in order; src ends empty. */
void
pat_list_move(SiddhiPattern *pat, PatList *dst, PatList *src)
{
	for (int i = 0; i < src->n; i++)
	{
		/* the reference moves with the entry */
		pat_list_append(pat, dst, src->items[i]);
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
void
pat_enforce_bound(SiddhiPattern *pat)
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
		pat_list_remove_at(pat, best, besti);
		pat->dropped++;
	}
}

/* Siddhi sorts a fresh list by time, not-yet-stamped (-1) last; stable. */
void
pat_list_sort(PatList *l)
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

void
pat_fill_regions(SiddhiPatternProgram *prog, PatMatch *m, int n,
				 const int *regions)
{
	TupleTableSlot *row = prog->row;

	if (prog->filled_gen != pat_event_frees)
	{
		memset(prog->filled, 0, sizeof(PatEvent *) * prog->nregions);
		prog->filled_gen = pat_event_frees;
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
			row->tts_values[r->ts_at] = Int64GetDatum(e->ts);
			row->tts_isnull[r->ts_at] = e->ts == -1;
		}
		else
		{
			memset(&row->tts_isnull[r->offset], true, sizeof(bool) * r->natts);
			row->tts_isnull[r->ts_at] = true;
		}
	}
}

/* The region and column of the combined row's attribute attno, or false. */
static bool
guard_side(SiddhiPatternProgram *prog, Expr *arg, int *region, int *col)
{
	Var *v;

	while (arg != NULL && IsA(arg, RelabelType))
		arg = ((RelabelType *) arg)->arg;
	if (arg == NULL || !IsA(arg, Var))
		return false;
	v = (Var *) arg;
	for (int r = 0; r < prog->nregions; r++)
	{
		SiddhiPatternRegion *reg = prog->regions[r];

		if (v->varattno > reg->offset &&
			v->varattno <= reg->offset + reg->natts)
		{
			*region = r;
			*col = v->varattno - 1 - reg->offset;
			return true;
		}
	}
	return false;
}

/* A varlena whose bytes are all here: not compressed, not out of line. */
static inline bool
plain_varlena(Datum d)
{
	return !VARATT_IS_COMPRESSED(DatumGetPointer(d)) &&
		   !VARATT_IS_EXTERNAL(DatumGetPointer(d));
}

/*
 * Whether region r is the arriving event in state k's own condition: the
 * plain attributes of a state that takes one event.
 */
static bool
region_is_arrival(SiddhiPatternProgram *prog, int r, int k)
{
	SiddhiPatternRegion *reg = prog->regions[r];
	SiddhiPatternStatePlan *s = prog->states[k].plan;

	return reg->state == k && reg->index == -1 && !reg->self && !s->count;
}

/*
 * Whether region r is an event a match took before it waits in state k
 * and keeps unchanged while it waits there: a state before k that takes
 * one event, neither counted, logical nor absent.
 */
static bool
region_is_kept(SiddhiPatternProgram *prog, int r, int k)
{
	SiddhiPatternRegion *reg = prog->regions[r];
	SiddhiPatternStatePlan *s;

	if (reg->state >= k || reg->self || (reg->index != 0 && reg->index != -1))
		return false;
	s = prog->states[reg->state].plan;
	return s != NULL && !s->count && !s->logical && !s->absent;
}

/* The first guard's sides, when it can be hashed (PatStateProg). */
static void
hash_guard_sides(SiddhiPatternProgram *prog, PatStateProg *sp, PatEqGuard *g)
{
	int k = sp->plan->id;

	if (region_is_arrival(prog, g->ra, k) && region_is_kept(prog, g->rb, k))
		sp->hash_guard = 0;
	else if (region_is_arrival(prog, g->rb, k) &&
			 region_is_kept(prog, g->ra, k))
	{
		/* the arrival's side first */
		int r = g->ra, c = g->ca;

		g->ra = g->rb;
		g->ca = g->cb;
		g->rb = r;
		g->cb = c;
		sp->hash_guard = 0;
	}
}

/*
 * The hash of e's value in col for state sp's hashed guard; false when it
 * has none to give (null, or text not all here).  Equal values hash alike:
 * the same bytes, or the same integer.
 */
bool
pat_guard_hash(PatStateProg *sp, PatEvent *e, int col, uint32 *hash)
{
	PatEqGuard *g = &sp->guards[sp->hash_guard];
	Datum d;

	if (e == NULL || e->nulls[col])
		return false;
	d = e->values[col];
	if (g->ints)
	{
		int64 v = g->fn.fn_oid == F_INT8EQ	 ? DatumGetInt64(d)
				  : g->fn.fn_oid == F_INT4EQ ? DatumGetInt32(d)
											 : DatumGetInt16(d);

		*hash = hash_bytes_uint32((uint32) v) ^ (uint32) (v >> 32);
		return true;
	}
	if (!plain_varlena(d))
		return false;
	*hash = hash_bytes((const unsigned char *) VARDATA_ANY(DatumGetPointer(d)),
					   VARSIZE_ANY_EXHDR(DatumGetPointer(d)));
	return true;
}

/*
 * Whether m's value for state k's hashed guard may equal the arriving
 * event's (cur_hash): false only when their hashes differ, so that the
 * condition is false.  The kept event's hash is computed once per match
 * and state.
 */
bool
pat_guard_may_pass(SiddhiPattern *pat, int k, PatMatch *m, uint32 cur_hash)
{
	SiddhiPatternProgram *prog = pat->prog;
	PatStateProg *sp = &prog->states[k];

	if (m->gh_state != k)
	{
		PatEqGuard *g = &sp->guards[sp->hash_guard];

		if (!pat_guard_hash(sp, region_event(prog->regions[g->rb], m), g->cb,
							&m->gh))
			return true;
		m->gh_state = k;
	}
	return m->gh == cur_hash;
}

/*
 * The guards of a state (PatEqGuard): its condition's leading conjuncts
 * that are an equality operator between two events' attributes.  Only
 * leading ones: PostgreSQL evaluates an AND's arms in order and stops at
 * the first false one, so a guard found false skips exactly what the
 * condition would have skipped (an arm after it that could fail is not
 * run either way); a null or a region without its event decides nothing
 * here, the condition does.
 */
void
pat_compile_guards(SiddhiPatternProgram *prog, PatStateProg *sp)
{
	Expr *filter = (Expr *) sp->plan->filter;
	List *conjuncts;
	ListCell *lc;

	sp->hash_guard = -1;
	if (filter == NULL)
		return;
	if (IsA(filter, BoolExpr) && ((BoolExpr *) filter)->boolop == AND_EXPR)
		conjuncts = ((BoolExpr *) filter)->args;
	else
		conjuncts = list_make1(filter);
	sp->guards = palloc0(sizeof(PatEqGuard) * list_length(conjuncts));
	foreach(lc, conjuncts)
	{
		OpExpr *op = lfirst(lc);
		PatEqGuard *g = &sp->guards[sp->nguards];

		if (!IsA(op, OpExpr) || list_length(op->args) != 2 ||
			!op_mergejoinable(op->opno, exprType(linitial(op->args))) ||
			!func_strict(op->opfuncid) ||
			!guard_side(prog, linitial(op->args), &g->ra, &g->ca) ||
			!guard_side(prog, lsecond(op->args), &g->rb, &g->cb))
			break;
		g->collid = op->inputcollid;
		g->bytes = op->opfuncid == F_TEXTEQ &&
				   (!OidIsValid(g->collid) || lc_collate_is_c(g->collid) ||
					g->collid == DEFAULT_COLLATION_OID ||
					get_collation_isdeterministic(g->collid));
		g->ints = op->opfuncid == F_INT2EQ || op->opfuncid == F_INT4EQ ||
				  op->opfuncid == F_INT8EQ;
		fmgr_info(op->opfuncid, &g->fn);
		sp->nguards++;
	}
	if (sp->nguards > 0 && (sp->guards[0].bytes || sp->guards[0].ints))
		hash_guard_sides(prog, sp, &sp->guards[0]);
}

/* Whether a guard of state k is false for m: its condition is then false. */
static bool
pat_guards_fail(SiddhiPatternProgram *prog, PatStateProg *sp, PatMatch *m)
{
	for (int i = 0; i < sp->nguards; i++)
	{
		PatEqGuard *g = &sp->guards[i];
		PatEvent *ea = region_event(prog->regions[g->ra], m);
		PatEvent *eb = region_event(prog->regions[g->rb], m);
		Datum a;
		Datum b;
		bool equal;

		if (ea == NULL || eb == NULL || ea->nulls[g->ca] || eb->nulls[g->cb])
			return false;
		a = ea->values[g->ca];
		b = eb->values[g->cb];
		if (g->bytes && plain_varlena(a) && plain_varlena(b))
			equal = VARSIZE_ANY_EXHDR(DatumGetPointer(a)) ==
						VARSIZE_ANY_EXHDR(DatumGetPointer(b)) &&
					memcmp(VARDATA_ANY(DatumGetPointer(a)),
						   VARDATA_ANY(DatumGetPointer(b)),
						   VARSIZE_ANY_EXHDR(DatumGetPointer(a))) == 0;
		else
		{
			MemoryContext old =
				MemoryContextSwitchTo(prog->econtext->ecxt_per_tuple_memory);

			equal = DatumGetBool(FunctionCall2Coll(&g->fn, g->collid, a, b));
			MemoryContextSwitchTo(old);
		}
		if (!equal)
			return true;
	}
	return false;
}

bool
pat_condition_holds(SiddhiPattern *pat, int k, PatMatch *m)
{
	PatStateProg *sp = &pat->prog->states[k];
	ExprContext *econtext = pat->prog->econtext;
	bool isnull;
	Datum d;

	if (sp->filter == NULL)
		return true;
	if (sp->nguards > 0 && pat_guards_fail(pat->prog, sp, m))
		return false;
	pat_fill_regions(pat->prog, m, sp->nregions, sp->regions);
	econtext->ecxt_scantuple = pat->prog->row;
	d = ExecEvalExprSwitchContext(sp->filter, econtext, &isnull);
	return !isnull && DatumGetBool(d);
}
