/*-------------------------------------------------------------------------
 *
 * topn.h
 *	  Streaming SQL's ORDER BY / LIMIT / OFFSET and DISTINCT over what a
 *	  query's window holds (src/runtime/select/topn.c).
 *
 * The query hands every output row it makes to the contents: a current
 * row enters, an expired one leaves (with group by: a group's newest row
 * replaces its earlier one, and a group leaves when its last event does
 * or its row fails HAVING).  At the end of each step of the window the
 * contents say what goes out: the top rows when they changed (ORDER BY /
 * LIMIT / OFFSET), or the rows that were not in the contents before the
 * step (DISTINCT alone).  SiddhiQL's order by / limit, per output chunk,
 * do not come here.
 *
 *-------------------------------------------------------------------------
 */
#ifndef SIDDHI_TOPN_H
#define SIDDHI_TOPN_H

#include "executor/tuptable.h"
#include "nodes/execnodes.h"
#include "lib/stringinfo.h"
#include "siddhi/analyzer.h"
#include "siddhi/state.h"
#include "siddhi/window.h"

typedef struct SiddhiTopN SiddhiTopN;

/* A row that goes out (a current event at ts); row is valid during it. */
typedef void (*SiddhiTopNEmit)(void *arg, TupleTableSlot *row, int64 ts);

/*
 * The contents of query qp, whose output rows have type desc; grouped
 * when each group has one row (the query aggregates).
 */
extern SiddhiTopN *siddhi_topn_create(SiddhiQueryPlan *qp, TupleDesc desc,
									  bool grouped, MemoryContext parent);

/*
 * An output row (in econtext's scan tuple and params, which ORDER BY may
 * read) of kind: current rows enter, expired ones leave.  Grouped: key
 * names the row's group, and row NULL (or gone) removes the group.
 */
extern void siddhi_topn_offer(SiddhiTopN *t, ExprContext *econtext,
							  TupleTableSlot *row, int64 ts,
							  SiddhiEventKind kind, const char *key,
							  Size keylen, bool gone);

/* End of the window's step: emit what goes out (see above). */
extern void siddhi_topn_chunk_end(SiddhiTopN *t, SiddhiTopNEmit emit,
								  void *arg);

/*
 * Epochs: the contents (between steps) appended to buf, and read back into
 * contents just created from the same plan, or emptied by
 * siddhi_topn_clear; restore emits nothing.
 */
extern void siddhi_topn_serialize(SiddhiTopN *t, StringInfo buf);
extern void siddhi_topn_restore(SiddhiTopN *t, SiddhiStateReader *r);
extern void siddhi_topn_clear(SiddhiTopN *t);

#endif /* SIDDHI_TOPN_H */
