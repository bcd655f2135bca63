/*-------------------------------------------------------------------------
 *
 * over_int.h
 *	  The insides of the window functions' state (over.c), for the file
 *	  that saves and restores it (over_state.c).
 *
 * Private to src/runtime/select.
 *
 *-------------------------------------------------------------------------
 */
#ifndef SIDDHI_OVER_INT_H
#define SIDDHI_OVER_INT_H

#include "executor/executor.h"
#include "lib/ilist.h"
#include "siddhi/over.h"
#include "utils/hsearch.h"
#include "utils/sortsupport.h"

typedef struct OverRow
{
	int64 seq;	  /* arrival number */
	int pos;	  /* index in the array being computed over */
	bool pending; /* a current row of this step, not yet output */
	bool dead;	  /* expired (window) */
	Datum *values;
	bool *nulls;
} OverRow;

/* A row's slice of results: running state of one computation. */
typedef struct OverAcc
{
	int64 count;
	int64 isum;
	double fsum;
	bool has_mm;
	Datum mm; /* min or max so far */
	bool mm_null;
} OverAcc;

/* One partition of a function over a stream. */
typedef struct OverPartition
{
	dlist_node lru;
	char *key;
	int keylen;
	struct OverPartition *next; /* same hash */
	uint64 hash;
	/* arrival order */
	int64 n;	 /* rows so far */
	int64 rank;	 /* of the last peer group */
	int64 dense; /* ditto */
	OverRow *last;
	OverAcc acc;
	bool has_first;
	Datum first;
	bool first_null;
	/* LAG's last rows, or the history: a ring of rows */
	OverRow **ring;
	int cap;
	int head; /* oldest */
	int len;
} OverPartition;

typedef struct HashEntry
{
	uint64 hash;
	OverPartition *parts;
} HashEntry;

typedef struct OverFn
{
	SiddhiOverFunc *plan;
	SortSupportData *part_ssup;
	SortSupportData *order_ssup;
	SortSupportData arg_ssup; /* min, max */
	int16 arglen;
	bool argbyval;
	int16 reslen;
	bool resbyval;
	HTAB *parts; /* stream */
	dlist_head lru;
	int nparts;
} OverFn;

struct SiddhiOver
{
	SiddhiOverPlan *plan;
	MemoryContext cxt; /* rows, partitions */
	MemoryContext tmp; /* results of one call */
	int nfuncs;
	OverFn *fns;
	int nexprs;
	ExprState **exprs;
	int16 *typlen;
	bool *typbyval;
	FmgrInfo *part_out; /* output functions of every expr (partition keys) */
	ParamExecData *params;
	int64 seq;
	/* over a window: the mirror, and the step's current rows */
	OverRow **rows;
	int nrows;
	int cap;
	MinimalTuple *ptup;
	int64 *pts;
	OverRow **prow;
	int npending;
	int pcap;
	int history; /* siddhi.over_history_rows at start */
	int max_parts;
	TupleTableSlot *slot;  /* a kept row, at a flush */
	bool flushing;		   /* emitting a window's step */
	MemoryContext out_cxt; /* stream: where the params' values go */
};

/* A row of the given values (copied into o->cxt), numbered seq. */
extern OverRow *siddhi_over_row_make(SiddhiOver *o, const Datum *values,
									 const bool *nulls, int64 seq);
extern void siddhi_over_row_free(SiddhiOver *o, OverRow *r);

/*
 * The partition of fn with this key (the partition values' text, as
 * over.c builds it), found or made (the least recently used one is
 * forgotten at siddhi.over_max_partitions); it becomes the most recent.
 */
extern OverPartition *siddhi_over_partition_by_key(SiddhiOver *o, OverFn *fn,
												   const char *key,
												   int keylen);

/* Push r into part's ring, forgetting its oldest row when full. */
extern void siddhi_over_ring_push(SiddhiOver *o, OverPartition *part,
								  OverRow *r);

#endif /* SIDDHI_OVER_INT_H */
