/*-------------------------------------------------------------------------
 *
 * operator.h
 *	  The operator interface of issue 12: one vtable for every stateful
 *	  step of a query (deduplicate, window, aggregators, rate limiter,
 *	  pattern), and the chunk types the rest of the interface is to use.
 *
 * What is in use (src/runtime/query_ops.c binds each family to it):
 * the questions the driver asks of every operator without knowing its
 * kind.  A query keeps its stateful operators in SiddhiOperator slots, in
 * the order their state is saved; the partition wrapper makes, swaps,
 * saves, restores and frees each key's states through them, and the clock,
 * the epochs and the metrics ask each for its deadline, whether it can be
 * saved and what it holds.  A state is passed explicitly: an operator is
 * its program (op->arg, the driver's), and a partition holds one state per
 * key and operator.
 *
 * What is not (the rest of the design, src/runtime/README.md, "The
 * operator interface"): process, advance and input_end over SiddhiChunk.
 * Events still flow through each family's own interface
 * (include/siddhi/window.h, pattern.h, selector.h, ratelimit.h, join.h),
 * which the driver calls directly on its hot path.
 *
 * Contract of the functions below:
 *
 *	- state_create makes a fresh state in a context under parent (or in
 *	  parent itself: the partition deletes a key's context with all its
 *	  states); state_free, when not NULL, must be called before that (a
 *	  pattern's program forgets the events its state points at).
 *	- No function may call into the driver, nor change the state it is
 *	  asked about (deadline, size, can_save, serialize).
 *	- serialize/restore: a versioned, architecture-independent form, into
 *	  a state just made by state_create.
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

/*
 * What an operator holds now (siddhi.query_metrics, memory reports,
 * EXPLAIN); -1: nothing of the kind.
 */
typedef struct SiddhiOpSize
{
	int64 events;  /* events held (windows, rate limiters, sinks) */
	int64 groups;  /* group keys (selector, keyed windows, limiters) */
	int64 matches; /* partial matches (patterns) */
	int64 dropped; /* partial matches dropped at the bound, so far */
	int64 bytes;   /* memory of its state context */
} SiddhiOpSize;

typedef struct SiddhiOperator SiddhiOperator;
struct SiddhiStateReader;

typedef struct SiddhiOperatorOps
{
	/* Its kind, as EXPLAIN names it: "window", "pattern", ... */
	const char *kind;

	/* A fresh state (above); the partition wrapper makes one per key. */
	void *(*state_create)(SiddhiOperator *op, MemoryContext parent);
	/* NULL: freed with its context */
	void (*state_free)(SiddhiOperator *op, void *state);

	/*
	 * The state the driver's hot path works on now, and setting it (the
	 * partition wrapper, before a key's step).  NULL: *op->slot.
	 */
	void *(*state_get)(SiddhiOperator *op);
	void (*state_set)(SiddhiOperator *op, void *state);

	/* When time must next pass for it (ms), or -1 for never.  NULL: never. */
	int64 (*deadline)(SiddhiOperator *op, void *state);

	/* Adds what it holds to size.  NULL: nothing worth counting. */
	void (*size)(SiddhiOperator *op, void *state, SiddhiOpSize *size);

	/* Epochs.  can_save false: why is op->label.  NULL: always. */
	bool (*can_save)(SiddhiOperator *op, void *state);
	void (*serialize)(SiddhiOperator *op, void *state, StringInfo buf);
	void (*restore)(SiddhiOperator *op, void *state,
					struct SiddhiStateReader *r);

	/*
	 * Not yet used (the header's start): a chunk through the operator,
	 * time passing, the end of an input chunk, EXPLAIN.
	 */
	void (*process)(SiddhiOperator *op, int port, SiddhiChunk *in,
					SiddhiChunk *out);
	void (*advance)(SiddhiOperator *op, int64 now, SiddhiChunk *out);
	void (*input_end)(SiddhiOperator *op, int64 now, SiddhiChunk *out);
	void (*explain)(SiddhiOperator *op, ExplainState *es);
} SiddhiOperatorOps;

/* One stateful step of a query. */
struct SiddhiOperator
{
	const SiddhiOperatorOps *ops; /* NULL: the query has no such step */
	void *arg;					  /* its program: the driver's query */
	void **slot;				  /* where the hot path reads its state */
	const char *label;			  /* for messages: "length(10)", ... */
};

/* The state op's step works on now. */
static inline void *
siddhi_operator_state(SiddhiOperator *op)
{
	return op->ops->state_get ? op->ops->state_get(op) : *op->slot;
}

/* size->field += n, a field never added to being -1 */
#define SIDDHI_OPSIZE_ADD(size, field, n) \
	((size)->field = Max((size)->field, 0) + (n))

#endif /* SIDDHI_OPERATOR_H */
