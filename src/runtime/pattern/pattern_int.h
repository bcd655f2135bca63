/*-------------------------------------------------------------------------
 *
 * pattern_int.h
 *	  What the files of the pattern engine share (src/runtime/pattern/):
 *	  events, matches, lists, the compiled program and the mutable state.
 *	  Private to this folder; the interface is include/siddhi/pattern.h.
 *
 *-------------------------------------------------------------------------
 */
#ifndef SIDDHI_PATTERN_INT_H
#define SIDDHI_PATTERN_INT_H

#include "siddhi/pattern.h"


/* One arrived event, shared by every match that took it. */
typedef struct PatEvent
{
	int refs;
	int save_id; /* scratch of pattern_save.c: its number in the saved state */
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
extern uint64 pat_event_frees;

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
	int save_id;  /* scratch of pattern_save.c, as PatEvent's */
	int64 ts;	  /* of the last event taken; -1 before any */
	bool expired; /* dropped by within (Siddhi's EXPIRED type) */
	uint64 seq;	  /* creation order, for dropping the oldest */
	int gh_state; /* the state gh is of, or -1 (PatStateProg.hash_guard) */
	uint32 gh;	  /* the hash of the value its guard there compares */
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
/*
 * A leading conjunct of a state's condition that compares two events'
 * attributes for equality (e2.symbol == e1.symbol): checked on the
 * events themselves before the combined row is filled, so that a pending
 * match of another symbol costs a comparison (pat_guards_fail).
 */
typedef struct PatEqGuard
{
	int ra, ca; /* one side: region, and column within it */
	int rb, cb; /* the other */
	Oid collid;
	bool bytes; /* text under a deterministic collation: equal iff the
				 * same bytes */
	bool ints;	/* an integer type on both sides: equal iff the same */
	FmgrInfo fn;
} PatEqGuard;

typedef struct PatStateProg
{
	SiddhiPatternStatePlan *plan;
	ExprState *filter;
	int nregions;
	int *regions;
	int nguards;
	PatEqGuard *guards;
	/*
	 * The first guard compares the arriving event (region cur_region) with
	 * an event a match took earlier and keeps while it waits here (region
	 * kept_region): each waiting match keeps that value's hash
	 * (PatMatch.gh), so that one of another value is passed over at the
	 * cost of its hash (pat_process_stream).  -1: no such guard.
	 */
	int hash_guard;
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
	uint64 caught_up; /* the driver's: siddhi_pattern_caught_up */
	bool busy;
	PatList out; /* matches completed by the current step */
	/* the event being processed, made into a PatEvent when first taken */
	TupleTableSlot *cur_slot;
	int64 cur_ts;
	int cur_stream;
	PatEvent *cur_event;
};

#define PLAN(pat, k) ((pat)->prog->states[(k)].plan)

/* pattern_match.c */
extern PatEvent *pat_event_current(SiddhiPattern *pat);
extern void pat_event_keep(SiddhiPattern *pat);
extern PatEvent *pat_event_empty(SiddhiPattern *pat, int stream);
extern void pat_event_free(PatEvent *e);
extern PatMatch *pat_match_new(SiddhiPattern *pat);
extern void pat_match_free(SiddhiPattern *pat, PatMatch *m);
extern PatMatch *pat_match_clone(SiddhiPattern *pat, PatMatch *src);
extern void pat_slot_append(SiddhiPattern *pat, PatSlot *s, PatEvent *e);
extern void pat_list_append(SiddhiPattern *pat, PatList *l, PatMatch *m);
extern void pat_list_remove_at(SiddhiPattern *pat, PatList *l, int i);
extern void pat_list_clear(SiddhiPattern *pat, PatList *l);
extern void pat_list_move(SiddhiPattern *pat, PatList *dst, PatList *src);
extern void pat_enforce_bound(SiddhiPattern *pat);
extern void pat_list_sort(PatList *l);
extern void pat_fill_regions(SiddhiPatternProgram *prog, PatMatch *m, int n,
							 const int *regions);
extern bool pat_condition_holds(SiddhiPattern *pat, int k, PatMatch *m);
extern void pat_compile_guards(SiddhiPatternProgram *prog, PatStateProg *sp);
extern bool pat_guard_hash(PatStateProg *sp, PatEvent *e, int col,
						   uint32 *hash);
extern bool pat_guard_may_pass(SiddhiPattern *pat, int k, PatMatch *m,
							   uint32 cur_hash);

/* pattern_state.c */
extern void pat_start_state_reset(SiddhiPattern *pat, int k);
extern void pat_run_state(SiddhiPattern *pat, int k, PatMatch *m);
extern void pat_process_stream(SiddhiPattern *pat, int k, PatEvent *e);
extern void pat_process_count(SiddhiPattern *pat, int k, PatEvent *e);
extern void pat_add_state(SiddhiPattern *pat, int k, PatMatch *m);
extern void pat_add_every_state(SiddhiPattern *pat, int k, PatMatch *m);
extern void pat_init_state(SiddhiPattern *pat, int k);
extern void pat_update_state(SiddhiPattern *pat, int k);
extern void pat_reset_state(SiddhiPattern *pat, int k);
extern bool pat_match_expired(SiddhiPattern *pat, PatMatch *m, int64 now);
extern void pat_expire_state(SiddhiPattern *pat, int k, int64 now);

/* pattern_absent.c */
extern void pat_notify_at(SiddhiPattern *pat, int k, int64 when);
extern void pat_process_absent(SiddhiPattern *pat, int k, PatEvent *e);
extern void pat_absent_timer(SiddhiPattern *pat, int k, int64 at, int64 now);
extern void pat_process_absent_logical(SiddhiPattern *pat, int k, PatEvent *e);
extern void pat_absent_logical_timer(SiddhiPattern *pat, int k, int64 at,
									 int64 now);

/*
 * The small helpers every step calls, inline as they were when the engine
 * was one file: dropping a reference, and the slot and list shorthands.
 */
static inline void
pat_event_release(PatEvent *e)
{
	if (--e->refs > 0)
		return;
	pat_event_free(e);
}

static inline void
pat_match_release(SiddhiPattern *pat, PatMatch *m)
{
	if (--m->refs > 0)
		return;
	pat_match_free(pat, m);
}

static inline void
pat_slot_clear(PatSlot *s)
{
	for (int i = 0; i < s->n; i++)
		pat_event_release(s->ev[i]);
	s->n = 0;
}

static inline void
pat_slot_set(SiddhiPattern *pat, PatSlot *s, PatEvent *e)
{
	pat_slot_clear(s);
	if (e)
		pat_slot_append(pat, s, e);
}

static inline void
pat_slot_remove_last(PatSlot *s)
{
	if (s->n > 0)
		pat_event_release(s->ev[--s->n]);
}

/* Hand m to a state's list: counted, and the bound enforced. */
static inline void
pat_list_push(SiddhiPattern *pat, PatList *l, PatMatch *m)
{
	pat_list_append(pat, l, m);
	pat->held++;
}

#endif /* SIDDHI_PATTERN_INT_H */
