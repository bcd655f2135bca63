/*-------------------------------------------------------------------------
 *
 * explain.h
 *	  EXPLAIN of continuous queries: the plan of each query of an app as a
 *	  tree of operators (src/analyzer/explain*.c).
 *
 * The analyzer turns a SiddhiQueryPlan into a tree of SiddhiExplainNode,
 * each with its properties, and renders the trees as text (an indented
 * tree with "->", as PostgreSQL's EXPLAIN) or JSON.  The tree is plain
 * data: the SQL functions (src/sqlfuncs/explain.c) add what only they can
 * read, the live counters of siddhi.queries for ANALYZE, before rendering.
 *
 *-------------------------------------------------------------------------
 */
#ifndef SIDDHI_EXPLAIN_H
#define SIDDHI_EXPLAIN_H

#include "nodes/pg_list.h"
#include "siddhi/analyzer.h"

typedef enum SiddhiExplainFormat
{
	SIDDHI_EXPLAIN_TEXT,
	SIDDHI_EXPLAIN_JSON
} SiddhiExplainFormat;

/* One property of a node: "Filter: (price > 10)", "Events In: 5". */
typedef struct SiddhiExplainProp
{
	char *key;
	char *value;  /* NULL for a list */
	bool numeric; /* JSON: a number, not a string */
	List *items;  /* of char *: a list (JSON array; text: one per line) */
} SiddhiExplainProp;

/*
 * One operator.  Its line in text is "<type>[ <prefix> <detail>]" ("Stream
 * Input on stockstream"); JSON has "Node Type" and, for the detail, the
 * property detail_key ("Relation Name").
 */
typedef struct SiddhiExplainNode
{
	char *type;
	char *prefix; /* "on", "into", or NULL */
	char *detail;
	char *detail_key;
	char *line;		/* text: this line instead ("Left Outer Join") */
	List *props;	/* of SiddhiExplainProp * */
	List *children; /* of SiddhiExplainNode * */
	int op;			/* ANALYZE: 1 + its SiddhiOp (metrics.h); 0: none */
} SiddhiExplainNode;

/* Building (explain_format.c). */
extern SiddhiExplainNode *siddhi_explain_node(const char *type,
											  const char *prefix,
											  const char *detail_key,
											  const char *detail);
extern void siddhi_explain_prop(SiddhiExplainNode *n, const char *key,
								const char *value);
extern void siddhi_explain_prop_int(SiddhiExplainNode *n, const char *key,
									int64 value);
extern void siddhi_explain_prop_list(SiddhiExplainNode *n, const char *key,
									 List *items);
/* Append one item to the list property key (created when missing). */
extern void siddhi_explain_prop_append(SiddhiExplainNode *n, const char *key,
									   const char *item);
/* The first node of type in the tree (depth first), or NULL. */
extern SiddhiExplainNode *siddhi_explain_find(SiddhiExplainNode *root,
											  const char *type);

/* Rendering (explain_format.c): the trees of several queries. */
extern char *siddhi_explain_render(List *roots, SiddhiExplainFormat format);
extern SiddhiExplainFormat siddhi_explain_format_parse(const char *format);

/*
 * The tree of one query of an analyzed app (explain.c): the root is a
 * "Query" node whose child is the query's output.  Its properties show
 * the analyzer's decisions (indexes the planner takes for a table lookup
 * or change) and its hints, computed from the plan alone.  Must run where
 * the app's relations can be read (the app was analyzed in this
 * transaction).
 */
extern SiddhiExplainNode *siddhi_explain_query(SiddhiAppPlan *app,
											   SiddhiQueryPlan *q);

/* The tree of an incremental aggregation (explain.c): root "Aggregation". */
extern SiddhiExplainNode *siddhi_explain_aggregation(
	SiddhiAppPlan *app, SiddhiAggregationPlan *ap);

/* An expression of a plan as PostgreSQL deparses it (explain_expr.c). */
typedef struct SiddhiExplainCols SiddhiExplainCols;
extern SiddhiExplainCols *siddhi_explain_cols_new(void);
extern SiddhiExplainCols *siddhi_explain_cols_rel(const char *refname,
												  Oid relid);
extern SiddhiExplainCols *siddhi_explain_cols_desc(const char *refname,
												   TupleDesc desc);
/* A segment of a combined row: attributes offset+1 .. offset+natts */
extern void siddhi_explain_cols_add(SiddhiExplainCols *c, int varno,
									const char *refname, TupleDesc desc,
									int offset, int natts);
extern char *siddhi_explain_expr(SiddhiExplainCols *c, Node *expr);
extern char *siddhi_explain_exprs(SiddhiExplainCols *c, List *exprs,
								  const char *sep);

#endif /* SIDDHI_EXPLAIN_H */
