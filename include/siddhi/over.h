/*-------------------------------------------------------------------------
 *
 * over.h
 *	  Window functions of streaming SQL: f(..) OVER (PARTITION BY ..
 *	  ORDER BY ..) in a query's select list (analyzer: analyze_over.c,
 *	  runtime: src/runtime/select/over.c).
 *
 * Each call becomes PARAM_EXEC param k of the projection (k from 0 in the
 * order the calls appear); the runtime fills the params before it
 * projects a row.  Two meanings (docs/sql-dialect.md, "Window functions"):
 *
 *	- over a window (FROM s WINDOW ..): for each current row the window
 *	  emits, the value PostgreSQL gives that row in SELECT f() OVER (..)
 *	  FROM <the window's contents once the window's step is applied>;
 *	- over a stream without a window: each row gets, when it arrives, the
 *	  value PostgreSQL gives it over the rows of its partition so far.
 *	  With no ORDER BY, or ORDER BY the stream's event_time column
 *	  ascending ("arrival order"), the row is the last of that history and
 *	  the functions are running values kept in O(1) per partition (LAG: its
 *	  offset's rows); with another ORDER BY, the partition keeps its last
 *	  siddhi.over_history_rows rows and the value is computed over them.
 *	  Partitions: at most siddhi.over_max_partitions per function, the
 *	  least recently used one forgotten beyond that.
 *
 *-------------------------------------------------------------------------
 */
#ifndef SIDDHI_OVER_H
#define SIDDHI_OVER_H

#include "executor/execdesc.h"
#include "lib/stringinfo.h"
#include "siddhi/state.h"
#include "nodes/execnodes.h"
#include "nodes/pg_list.h"

typedef enum SiddhiOverKind
{
	SIDDHI_OVER_ROW_NUMBER,
	SIDDHI_OVER_RANK,
	SIDDHI_OVER_DENSE_RANK,
	SIDDHI_OVER_LAG,
	SIDDHI_OVER_LEAD,
	SIDDHI_OVER_FIRST_VALUE,
	SIDDHI_OVER_LAST_VALUE,
	SIDDHI_OVER_SUM,
	SIDDHI_OVER_AVG,
	SIDDHI_OVER_COUNT,
	SIDDHI_OVER_MIN,
	SIDDHI_OVER_MAX
} SiddhiOverKind;

/*
 * One window function call.  Its expressions are over the query's input
 * row and are evaluated once per row: expression i of the plan's exprs is
 * value i of a retained row.
 */
typedef struct SiddhiOverFunc
{
	SiddhiOverKind kind;
	Oid resulttype; /* the param's type */
	int part_first; /* PARTITION BY: exprs[part_first .. +npart) */
	int npart;
	int order_first; /* ORDER BY: exprs[order_first .. +norder) */
	int norder;
	List *order_ops;		 /* of Oid: "<" or ">" of each ORDER BY key */
	List *order_nulls_first; /* of int (bool) */
	List *part_ops;			 /* of Oid: "<" of each PARTITION BY key */
	int arg;				 /* the value argument's expr, or -1 */
	int def;				 /* LAG/LEAD's default's expr, or -1 */
	bool star;				 /* COUNT(*) */
	bool integer_arg;		 /* SUM/AVG over an integer type */
	int64 offset;			 /* LAG/LEAD's offset */
	bool arrival;			 /* stream: ordered as the rows arrive */
	int location;
} SiddhiOverFunc;

typedef struct SiddhiOverPlan
{
	List *funcs;	  /* of SiddhiOverFunc *: param k is function k */
	List *exprs;	  /* of Expr: the values a row keeps, over the input */
	bool over_window; /* the query has a window: the first meaning */
} SiddhiOverPlan;

/* The runtime state of a query's window functions. */
typedef struct SiddhiOver SiddhiOver;

extern SiddhiOver *siddhi_over_create(SiddhiOverPlan *plan, TupleDesc desc,
									  MemoryContext parent);

/*
 * A row in, econtext->ecxt_scantuple holding it.  Over a stream (current
 * rows only): the params are filled at once and true is returned, the
 * caller projects the row.  Over a window: a current row is kept for
 * siddhi_over_flush and an expired one leaves the contents; false.
 */
extern bool siddhi_over_row(SiddhiOver *o, ExprContext *econtext,
							TupleTableSlot *slot, int64 ts, bool current);

/*
 * Over a window, at the end of its step: for each current row kept, in
 * order, fill the params and call emit(arg, slot holding the row, ts).
 * At most siddhi.max_groups rows are kept (an error beyond).
 */
typedef void (*SiddhiOverEmit)(void *arg, TupleTableSlot *slot, int64 ts);
extern void siddhi_over_flush(SiddhiOver *o, ExprContext *econtext,
							  SiddhiOverEmit emit, void *arg);

/* Forget the rows kept for a flush (the step failed). */
extern void siddhi_over_abandon(SiddhiOver *o);

/* LAG/LEAD's largest offset: a partition over a stream keeps that many */
#define SIDDHI_OVER_MAX_OFFSET 10000

/* settings (siddhi.over_history_rows, siddhi.over_max_partitions) */
extern int siddhi_over_history_rows;
extern int siddhi_over_max_partitions;

/*
 * Epochs (select/over_state.c): the functions' state between steps
 * appended to buf; read back into one just created from the same plan, or
 * emptied by siddhi_over_clear; restore emits nothing.
 */
extern void siddhi_over_serialize(SiddhiOver *o, StringInfo buf);
extern void siddhi_over_restore(SiddhiOver *o, SiddhiStateReader *r);
extern void siddhi_over_clear(SiddhiOver *o);

#endif /* SIDDHI_OVER_H */
