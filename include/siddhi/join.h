/*-------------------------------------------------------------------------
 *
 * join.h
 *	  Joins of a stream with a stream, a named window or a table
 *	  (src/runtime/join/join.c).
 *
 * The driver (query.c) runs each side of a join as it runs any query input (filters,
 * window); every event a side's window hands out, current or expired,
 * arrives here and probes the other side: the other window's contents, or
 * the table.  Each pair that satisfies `on` (and, for an outer side, the
 * arrival alone when nothing matched) goes back to the caller as one
 * combined row (the primary side's attributes, then the other's) with the
 * arrival's kind and timestamp.
 *
 *-------------------------------------------------------------------------
 */
#ifndef SIDDHI_JOIN_H
#define SIDDHI_JOIN_H

#include "executor/tuptable.h"
#include "nodes/execnodes.h"
#include "siddhi/analyzer.h"
#include "siddhi/window.h"

typedef struct SiddhiJoin SiddhiJoin;

/* siddhi.join_lookup_cache: keys one join remembers rows of (0: none) */
extern int siddhi_join_lookup_cache;

typedef void (*SiddhiJoinRowFn)(void *arg, TupleTableSlot *row, int64 ts,
								SiddhiEventKind kind);

/*
 * Set up a join from its plan, in cxt.  econtext is the query's: the on
 * condition runs in it, with the combined row as its scan tuple.
 */
extern SiddhiJoin *siddhi_join_create(SiddhiJoinPlan *plan,
									  ExprContext *econtext,
									  MemoryContext cxt);

/* The table the other side reads, or InvalidOid. */
extern Oid siddhi_join_table(SiddhiJoin *j);

/*
 * An event of side (0 primary, 1 other) left that side's window,
 * own_window (or its filters, when it has none: NULL): probe the other
 * side, whose contents are other_window (NULL: empty, or the table), and
 * hand each row to fn.
 */
extern void siddhi_join_arrive(SiddhiJoin *j, int side, TupleTableSlot *slot,
							   int64 ts, SiddhiEventKind kind,
							   SiddhiWindow *own_window,
							   SiddhiWindow *other_window, SiddhiJoinRowFn fn,
							   void *arg);

/* Whether the table lookup's plan reads the table through an index. */
extern bool siddhi_join_uses_index(SiddhiJoin *j);

/*
 * Whether the table lookup can be warmed ahead of an arrival, and warm it
 * for the arrival in slot (a later row of the chunk being stepped: its
 * key's slot of the lookup cache is fetched into the CPU's cache).
 */
extern bool siddhi_join_prefetches(SiddhiJoin *j);
extern void siddhi_join_prefetch_key(SiddhiJoin *j, TupleTableSlot *slot);

/*
 * A row the engine wrote into relid, the join's table (slot's tts_tid is
 * where it went): its key's next lookup starts there instead of at the
 * index's root.  siddhi_join_notes_rows says whether the join wants them.
 */
extern bool siddhi_join_notes_rows(SiddhiJoin *j, Oid relid);
extern void siddhi_join_note_row(SiddhiJoin *j, Relation rel,
								 TupleTableSlot *slot);

/* Whether the lookup reads an aggregation (its pending buckets first). */
extern bool siddhi_join_reads_aggregation(SiddhiJoin *j);

#endif /* SIDDHI_JOIN_H */
