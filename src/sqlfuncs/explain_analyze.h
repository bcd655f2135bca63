/*-------------------------------------------------------------------------
 *
 * explain_analyze.h
 *	  EXPLAIN ANALYZE's per-operator counters (explain_analyze.c), for
 *	  siddhi.explain (explain.c).
 *
 *-------------------------------------------------------------------------
 */
#ifndef SIDDHI_SQLFUNCS_EXPLAIN_ANALYZE_H
#define SIDDHI_SQLFUNCS_EXPLAIN_ANALYZE_H

#include "siddhi/explain.h"

/*
 * The counters of each operator of query's tree root, its state and its
 * sampled time per event, from its entry of the caller's database.
 */
extern void siddhi_explain_analyze_ops(SiddhiExplainNode *root,
									   const char *app, const char *query);

#endif
