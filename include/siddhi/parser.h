/*-------------------------------------------------------------------------
 *
 * parser.h
 *	  Entry points of the two front ends (src/parser/).
 *
 * Both parsers run in an ordinary backend (at deploy time) and in the
 * engine worker (when it loads apps), so they use palloc and ereport.  A
 * syntax error is raised with ERRCODE_SIDDHI_SYNTAX_ERROR and an error
 * position set by siddhi_errposition(); the caller's error context
 * callback (siddhi_source_context) turns that into line, column and a
 * caret under the offending text.
 *
 *-------------------------------------------------------------------------
 */
#ifndef SIDDHI_PARSER_H
#define SIDDHI_PARSER_H

#include "siddhi/ast.h"

/* Parse an app in whichever dialect it is written in. */
extern SiddhiApp *siddhi_parse_app(const char *source);

/* Which dialect the text is written in (first significant keyword). */
extern SiddhiDialect siddhi_detect_dialect(const char *source);

/* The two front ends. */
extern SiddhiApp *siddhiql_parse(const char *source);
extern SiddhiApp *sqlstream_parse(const char *source);

/*
 * A lone SiddhiQL expression: text, which stands at byte offset `offset`
 * of the app source (the string argument of an expression window).  The
 * nodes' locations, and the positions of syntax errors, are those of the
 * app source.
 */
extern Node *siddhiql_parse_expression(const char *source, const char *text,
									   int offset);

/*
 * A SiddhiQL on-demand (store) query, for siddhi.query(): the input (from
 * T [on ..] [within .. per ..]) with selector, or a selector (or none)
 * with an output action (insert into, delete, update, update or insert).
 */
extern SiddhiQuery *siddhiql_parse_on_demand(const char *source);

/*
 * Streaming SQL's WITHIN / PER after an aggregation (sqlstream_ondemand.c):
 * within is one time expression or a two-element List (start, end), as
 * SiddhiInput.within; per the granularity expression; NULL when absent.
 */
typedef struct SiddhiTimeClause
{
	Node *within;
	Node *per;
	int within_location;
	int per_location;
} SiddhiTimeClause;

/* The roadmap's forms on a FROM item of an on-demand SQL query. */
typedef enum SiddhiOdForm
{
	SIDDHI_OD_PLAIN,   /* FROM R */
	SIDDHI_OD_FIND,	   /* FROM W.find(cond): cond ANDed into WHERE */
	SIDDHI_OD_CURRENT, /* FROM A.current(): A's latest bucket per group */
	SIDDHI_OD_RANGE	   /* FROM A.range(from: a, to: b): WITHIN a, b */
} SiddhiOdForm;

/*
 * An on-demand query in streaming SQL: stmt is the raw SelectStmt,
 * InsertStmt, UpdateStmt or DeleteStmt (locations into the text), time
 * the WITHIN / PER written after its aggregation, form the roadmap form
 * used on form_relation (at form_location), if any.
 */
typedef struct SiddhiSqlOnDemand
{
	Node *stmt;
	SiddhiTimeClause time;
	SiddhiOdForm form;
	char *form_relation;
	int form_location;
	Node *find; /* find's condition (already in stmt's WHERE) */
} SiddhiSqlOnDemand;

extern SiddhiSqlOnDemand *sqlstream_parse_on_demand(const char *text);

/* Is an on-demand query written in streaming SQL (else SiddhiQL)? */
extern bool siddhi_ondemand_is_sql(const char *text);

/*
 * For use inside ereport(): set the error position to a byte offset of
 * the app source.  Returns 0 like the other err* helpers.
 */
extern int siddhi_errposition(const char *source, int location);

/*
 * Error context for code that works on an app's source: while it is
 * installed, an error carrying a position gets "line L, column C" and the
 * offending line with a caret in its context, and the position itself is
 * cleared (it would otherwise point into the client's query text).
 */
typedef struct SiddhiSourceContext
{
	const char *source;
	const char *app_name;
	ErrorContextCallback callback;
} SiddhiSourceContext;

extern void siddhi_source_context_push(SiddhiSourceContext *ctx,
									   const char *source,
									   const char *app_name);
extern void siddhi_source_context_pop(SiddhiSourceContext *ctx);

/*
 * The element of an annotation named key (case-insensitive), or with key
 * NULL its first positional element; NULL when there is none.
 */
extern SiddhiAnnotationElement *siddhi_annotation_element(
	const SiddhiAnnotation *a, const char *key);

/* The tree as indented text (siddhi.parse()). */
extern char *siddhi_ast_to_string(const SiddhiApp *app);

/* Line and column (both 1-based) of a byte offset. */
extern void siddhi_line_column(const char *source, int location, int *line,
							   int *column);

#endif /* SIDDHI_PARSER_H */
