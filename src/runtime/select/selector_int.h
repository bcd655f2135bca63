/*-------------------------------------------------------------------------
 *
 * selector_int.h
 *	  The insides of a selector (selector.c), for the file that folds a
 *	  batch window's events as they arrive (selector_fold.c).
 *
 * Private to src/runtime/select.
 *
 *-------------------------------------------------------------------------
 */
#ifndef SIDDHI_SELECTOR_INT_H
#define SIDDHI_SELECTOR_INT_H

#include "siddhi/over.h"
#include "siddhi/selector.h"
#include "siddhi/topn.h"
#include "utils/sortsupport.h"

struct SiddhiSelect
{
	ExprContext *econtext;	/* the query's */
	ProjectionInfo *proj;	/* into the query's output slot */
	SiddhiEventType events; /* current, expired or all events go out */
	bool want_key;			/* output rows carry their group key */
	/* aggregation: one output row per group per chunk of window events */
	SiddhiAggregates *aggs; /* or NULL (between a partition's keys too) */
	/* a partition's query: what each key's aggregators are made like */
	SiddhiAggregates *agg_proto;
	SiddhiOver *over; /* window functions (over.c), or NULL */
	int naggs;
	ExprState **agg_args; /* argument of each aggregator, NULL for count() */
	FmgrInfo *agg_out;	  /* distinctCount: output function of the value */
	Datum *agg_values;
	bool *agg_nulls;
	int ngroup;
	ExprState **group_exprs;
	Datum *group_values; /* the group-by values of the event, for groups */
	bool *group_nulls;
	FmgrInfo *group_out;	  /* output functions: the group key's text */
	StringInfoData keybuf;	  /* is text */
	ExprState *having;		  /* over the output row */
	TupleTableSlot *agg_slot; /* holds the event an output row is made from */
	int npending;			  /* groups to output at the end of this chunk */
	/* the next current event is the chunk's last (siddhi_selector_last) */
	bool last_current;
	int pending_cap;
	SiddhiAggGroup **pending_groups;
	MinimalTuple *pending_tuples;
	int64 *pending_ts;
	SiddhiEventKind *pending_kind;
	ParamExecData *pending_params; /* naggs per pending group */
	ParamExecData *scratch_params; /* naggs: a row's copies before they go */
	int16 *agg_typlen;			   /* of each aggregate's result */
	bool *agg_byval;
	/* groups that lost events in this chunk (in the selector's memory,
	 * reused chunk after chunk) */
	SiddhiAggGroup **touched;
	int ntouched;
	int touched_cap;
	bool reset; /* aggregators start again at the chunk's end */
	/* folds: a batch window's events fold on arrival (selector_fold.c) */
	bool folds;
	bool fold_defers;		/* no having: rows get their values at the close */
	MemoryContext fold_cxt; /* the pending rows of the batch, or NULL */
	SiddhiTopN *topn; /* SQL's order by / limit / DISTINCT over contents */
	SiddhiAggGroup *flush_group; /* the group aggregate_flush outputs */
	/* order by / limit / offset: the outputs of a chunk wait here */
	bool buffered;
	int norder;
	ExprState **order_exprs; /* over the output row */
	SortSupportData *order_ssup;
	int64 limit; /* -1: none */
	int64 offset;
	TupleTableSlot *sorted_slot; /* output descriptor, minimal tuples */
	int nout;
	int out_cap;
	MinimalTuple *out_tuples;
	int64 *out_ts;
	SiddhiEventKind *out_kind;
	char **out_keys; /* rate limit with group by: each output's group */
	Size *out_keylens;
};

/* The group-by values of the event in the scan tuple (selector.c). */
extern void selector_group_values(SiddhiSelect *s);
/* Make an input row's output row, check having, send it (selector.c). */
extern void selector_output(SiddhiSelect *s, TupleTableSlot *slot, int64 ts,
							SiddhiEventKind kind, SiddhiSelectEmit emit,
							void *arg);
/* The index of g's pending row, a new one if it has none (selector.c). */
extern int selector_pending_slot(SiddhiSelect *s, SiddhiAggGroup *g);
/* Release the groups touched in this chunk that are empty (selector.c). */
extern void selector_release_touched(SiddhiSelect *s);

/* Note that g lost events in this chunk (once per chunk). */
extern void selector_touch(SiddhiSelect *s, SiddhiAggGroup *g);
/* A folding selector without having keeps g's event (selector_fold.c). */
extern void selector_fold_keep(SiddhiSelect *s, SiddhiAggGroup *g,
							   TupleTableSlot *slot, int64 ts,
							   SiddhiEventKind kind);
/* A folding selector drops its pending rows (selector_fold.c). */
extern void selector_drop_folded(SiddhiSelect *s);

#endif /* SIDDHI_SELECTOR_INT_H */
