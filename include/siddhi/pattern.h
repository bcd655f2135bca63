/*-------------------------------------------------------------------------
 *
 * pattern.h
 *	  The pattern and sequence engine (src/runtime/pattern/).
 *
 * A SiddhiPatternProgram is what a query's plan compiles to: the states,
 * their conditions as ExprStates and the combined row they read; it never
 * changes once built.  A SiddhiPattern is the mutable state of one
 * pattern: the partial matches waiting in each state.  All of it lives in
 * one memory context, so a query can keep one SiddhiPattern per partition
 * key and drop one by deleting it.
 *
 *-------------------------------------------------------------------------
 */
#ifndef SIDDHI_PATTERN_H
#define SIDDHI_PATTERN_H

#include "lib/stringinfo.h"
#include "siddhi/state.h"
#include "executor/execdesc.h"
#include "executor/tuptable.h"
#include "nodes/execnodes.h"
#include "siddhi/analyzer.h"

typedef struct SiddhiPatternProgram SiddhiPatternProgram;
typedef struct SiddhiPattern SiddhiPattern;

/*
 * A match goes out: row is the combined row with the regions the output
 * reads filled in, ts the match's timestamp.
 */
typedef void (*SiddhiPatternEmit)(void *arg, TupleTableSlot *row, int64 ts);

/* Compile a plan; conditions run in econtext (reset by the caller). */
extern SiddhiPatternProgram *siddhi_pattern_compile(SiddhiPatternPlan *plan,
													ExprContext *econtext,
													MemoryContext cxt);

/* The combined row's descriptor (what the query's projection reads). */
extern TupleDesc siddhi_pattern_row_desc(SiddhiPatternProgram *prog);

/*
 * A new, armed pattern, in a memory context of its own under parent;
 * free it with siddhi_pattern_free().  now is the clock (for timers).
 */
extern SiddhiPattern *siddhi_pattern_create(SiddhiPatternProgram *prog,
											MemoryContext parent, int64 now);
extern void siddhi_pattern_free(SiddhiPattern *pat);

/* An event of input stream number `stream` (plan order) at ts. */
extern void siddhi_pattern_event(SiddhiPattern *pat, int stream,
								 TupleTableSlot *slot, int64 ts,
								 SiddhiPatternEmit emit, void *arg);

/*
 * What an event at ts would do to the pattern's partial matches besides
 * offering itself to its states: expire those older than within
 * (src/runtime/dispatch.c, for an event the pattern was not handed).  Only
 * for patterns whose expiry restarts nothing (no within_every but on a
 * first state alone, analyze_dispatch.c).
 */
extern void siddhi_pattern_expire(SiddhiPattern *pat, int64 ts);

/* When the pattern next needs time to pass (-1: never), and let it pass. */
extern int64 siddhi_pattern_deadline(SiddhiPattern *pat);
/* Whether it can ever have a deadline (an absent state): else never. */
extern bool siddhi_pattern_timed(SiddhiPattern *pat);
extern void siddhi_pattern_advance(SiddhiPattern *pat, int64 now,
								   SiddhiPatternEmit emit, void *arg);

/*
 * The driver's mark, kept with the pattern's state (a partition has one
 * per key): the input arrival it last let time pass at.
 */
extern uint64 *siddhi_pattern_caught_up(SiddhiPattern *pat);

/* Partial matches held now, and dropped so far by the bound. */
extern int64 siddhi_pattern_pending(SiddhiPattern *pat);
extern int64 siddhi_pattern_dropped(SiddhiPattern *pat);

/*
 * Epochs (include/siddhi/state.h, src/runtime/pattern/pattern_save.c):
 * whether a pattern can be saved (between steps: always, in the engine),
 * its state (partial matches with their events, absences and due times,
 * sequence numbers, the dropped count) appended to buf, and read back into
 * one just created by siddhi_pattern_create from the same program (what
 * create armed is replaced; restore emits nothing).
 */
extern bool siddhi_pattern_can_save(SiddhiPattern *x);
extern void siddhi_pattern_serialize(SiddhiPattern *x, StringInfo buf);
extern void siddhi_pattern_restore(SiddhiPattern *x, SiddhiStateReader *r);

#endif /* SIDDHI_PATTERN_H */
