/*-------------------------------------------------------------------------
 *
 * explain_int.h
 *	  What the EXPLAIN files of the analyzer share (explain*.c).
 *
 *-------------------------------------------------------------------------
 */
#ifndef SIDDHI_EXPLAIN_INT_H
#define SIDDHI_EXPLAIN_INT_H

#include "siddhi/explain.h"

/* A duration in the largest unit that divides it: "1 min", "250 ms". */
extern char *siddhi_explain_ms(int64 ms);
/* An aggregator's name as Siddhi or SQL writes it. */
extern const char *siddhi_explain_agg_name(SiddhiAggKind k);
/* "$1 = avg(price)", one per aggregator, numbered as their params print */
extern List *siddhi_explain_agg_items(SiddhiExplainCols *c, List *aggs);
/* "price DESC, symbol": keys with the ordering operator of each */
extern char *siddhi_explain_sort_keys(SiddhiExplainCols *c, List *keys,
									  List *ops);
/* A window over rows of input, c deparsing expressions over them. */
/* explain_optimizer.c: a query's dispatch key and shared conditions */
extern void siddhi_explain_dispatch(SiddhiAppPlan *app, SiddhiQueryPlan *q,
									SiddhiExplainNode *n);
extern void siddhi_explain_shared(SiddhiAppPlan *app, SiddhiQueryPlan *q,
								  SiddhiExplainNode *n, SiddhiExplainCols *c);
extern SiddhiExplainNode *siddhi_explain_window(SiddhiWindowPlan *w,
												SiddhiExplainCols *c,
												const char *input, bool folds);

#endif /* SIDDHI_EXPLAIN_INT_H */
