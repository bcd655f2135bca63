/*-------------------------------------------------------------------------
 *
 * table_ops.h
 *	  Queries that change tables, and `cond in T` filters
 *	  (src/runtime/output/table_ops.c).
 *
 *-------------------------------------------------------------------------
 */
#ifndef SIDDHI_TABLE_OPS_H
#define SIDDHI_TABLE_OPS_H

#include "executor/tuptable.h"
#include "siddhi/analyzer.h"

typedef struct SiddhiTableOp SiddhiTableOp;
typedef struct SiddhiMemberships SiddhiMemberships;

/* Plan a query's table operation; everything lives in cxt. */
extern SiddhiTableOp *siddhi_table_op_create(SiddhiTableOpPlan *plan,
											 MemoryContext cxt);

/*
 * Apply the operation for one output event (out holds it), as the current
 * user, at once: the caller has flushed the rows buffered for the table.
 */
extern void siddhi_table_op_apply(SiddhiTableOp *op, TupleTableSlot *out);

/* Writes what the driver buffered for a table before it is read. */
typedef void (*SiddhiTableFlush)(Oid relid);

/*
 * The `in T` filters of a query: plans, and a ParamListInfo whose fetch
 * hook probes T for the event in econtext's scan tuple; set it as
 * econtext->ecxt_param_list_info.  Before each probe, flush(T) makes the
 * rows queries inserted into T earlier in the batch count.
 */
extern ParamListInfo siddhi_memberships_create(List *plans,
											   ExprContext *econtext,
											   SiddhiTableFlush flush,
											   MemoryContext cxt);

#endif /* SIDDHI_TABLE_OPS_H */
