/*-------------------------------------------------------------------------
 *
 * operator.h
 *	  The operator interface of issue 12: one vtable for every step of a
 *	  query (filter, window, join side, pattern, selector, rate limiter,
 *	  deduplicate, outputs) and for the partition wrapper.
 *
 * DESIGN ONLY: nothing includes this header yet.  It fixes the contract
 * the later steps of issue 12 convert the runtime to, one operator family
 * at a time (src/runtime/README.md, "The operator interface").
 *
 * A query is a chain of operators built from the analyzer's plan.  The
 * driver (src/runtime/query.c) hands the chain's first operator a chunk
 * of events; each operator processes the whole chunk and appends what it
 * emits to its output chunk, which the driver hands to the next operator;
 * the last operator's output goes to the junction of the query's output
 * stream through the driver's work queue, never by a call back into the
 * driver.  Timers, playback, EXPLAIN, state sizes and the epochs of the
 * durability issue call the same functions on every operator and know no
 * operator kind.
 *
 * Contract of every function below:
 *
 *	- The driver calls them inside one error boundary and one user frame
 *	  (src/runtime/usercode.c) per chunk and query, with the query's
 *	  per-chunk memory context current; that context is reset after the
 *	  chunk, so anything an operator keeps goes into op->cxt (program) or
 *	  its state's context (state).
 *	- process() keeps in->pos at the index of the event it is working on.
 *	  When it throws, the driver rolls the chunk's unit back, counts the
 *	  error against the query for event pos, and feeds the rest of the
 *	  chunk (pos + 1 on) again one event per unit: an error skips only the
 *	  offending event for that query, as today.  In-memory state changed by
 *	  the events before pos stays (today every event is its own unit, and
 *	  in-memory state is not rolled back either).  Operators with effects in
 *	  the database (output/) run each event in a unit of their own.
 *	- No function may call into the driver; an operator that needs the
 *	  driver to do something first (write the rows buffered for a table
 *	  before a probe) declares it (needs_flush) and the driver does it.
 *	- Tuples in an input chunk are valid until the call returns (they may
 *	  point into a committed ring chunk, read in place); an operator copies
 *	  what it keeps.  Tuples an operator emits are valid until the chunk's
 *	  context is reset, or as long as the operator documents (windows emit
 *	  an expired event with the pointer they emitted it with as current).
 *
 *-------------------------------------------------------------------------
 */
#ifndef SIDDHI_OPERATOR_H
#define SIDDHI_OPERATOR_H

#include "access/htup_details.h"
#include "access/tupdesc.h"
#include "commands/explain.h"
#include "lib/stringinfo.h"

/* What an event in a chunk is (Siddhi's ComplexEvent.Type). */
typedef enum SiddhiOpEventKind
{
	SIDDHI_OP_CURRENT, /* arrived, or emitted as current */
	SIDDHI_OP_EXPIRED, /* left a window */
	SIDDHI_OP_RESET,   /* a batch window starts over: aggregators reset */
	SIDDHI_OP_TIMER	   /* no tuple: the clock reached timestamp */
} SiddhiOpEventKind;

typedef struct SiddhiChunkEvent
{
	SiddhiOpEventKind kind;
	int64 timestamp;	/* event time, or the due time of a timer */
	MinimalTuple tuple; /* NULL for reset and timer */
} SiddhiChunkEvent;

/*
 * A chunk (Siddhi's ComplexEventChunk): the events of one step, in order.
 * All tuples have the row type desc.  An operator with several inputs (a
 * join's two sides, a pattern's streams) gets each chunk with the port it
 * came in on.
 */
typedef struct SiddhiChunk
{
	TupleDesc desc;
	int nevents;
	int capacity;
	int pos; /* process(): the event being worked on */
	SiddhiChunkEvent *events;
} SiddhiChunk;

/* What an operator holds now (siddhi.queries, memory reports, EXPLAIN). */
typedef struct SiddhiOpSize
{
	int64 events;  /* events held (windows, rate limiters, sinks) */
	int64 groups;  /* group keys (selector, keyed windows, limiters) */
	int64 matches; /* partial matches (patterns) */
	int64 dropped; /* partial matches dropped at the bound, so far */
	Size bytes;	   /* memory of its state context */
} SiddhiOpSize;

typedef struct SiddhiOperator SiddhiOperator;

typedef struct SiddhiOperatorOps
{
	/* Its kind, as EXPLAIN names it: "filter", "window", "join", ... */
	const char *kind;

	/*
	 * Make a fresh state (the mutable part) in a context of its own under
	 * parent.  The partition wrapper keeps one per key and sets op->state
	 * before each call; every other operator has one, made at start.
	 */
	void *(*state_create)(SiddhiOperator *op, MemoryContext parent);
	void (*state_free)(SiddhiOperator *op, void *state);

	/*
	 * Process every event of in, which came in on input port (0 for
	 * operators with one input), appending what it causes to out, in
	 * Siddhi's order (a window: the expired events an arrival pushes out
	 * before the arrival).  out is NULL for the last operator of a chain
	 * that writes nowhere (a table operation).
	 */
	void (*process)(SiddhiOperator *op, int port, SiddhiChunk *in,
					SiddhiChunk *out);

	/*
	 * The clock is now `now` (ms; the app clock in playback): emit what is
	 * due into out.  NULL: time means nothing to this operator.
	 */
	void (*advance)(SiddhiOperator *op, int64 now, SiddhiChunk *out);

	/* When advance is next needed, or -1 for never.  NULL: never. */
	int64 (*deadline)(SiddhiOperator *op);

	/*
	 * The chunk of input the last events came in has ended (batch
	 * windows, a chain's end of step).  NULL: chunks mean nothing to it.
	 */
	void (*input_end)(SiddhiOperator *op, int64 now, SiddhiChunk *out);

	/* The table whose buffered rows must be written before process(). */
	Oid (*needs_flush)(SiddhiOperator *op);

	void (*size)(SiddhiOperator *op, SiddhiOpSize *size);

	/* Its properties for EXPLAIN (any format), under the query's node. */
	void (*explain)(SiddhiOperator *op, ExplainState *es);

	/*
	 * Epochs: append the state to buf in a versioned, architecture-
	 * independent form; restore it into a fresh state.  NULL: stateless.
	 */
	void (*serialize)(SiddhiOperator *op, StringInfo buf);
	void (*restore)(SiddhiOperator *op, const char *data, int len);
} SiddhiOperatorOps;

/* What every operator starts with. */
struct SiddhiOperator
{
	const SiddhiOperatorOps *ops;
	SiddhiOperator *next; /* the next in its query's chain, or NULL */
	MemoryContext cxt;	  /* the program: expressions, slots, plan */
	void *state;		  /* the mutable part (per key in a partition) */
	const char *label;	  /* for EXPLAIN and errors: "length(10)", .. */
};

#endif /* SIDDHI_OPERATOR_H */
