/*-------------------------------------------------------------------------
 *
 * analyze_int.h
 *	  What the analyzer's files share (src/analyzer/).
 *
 *-------------------------------------------------------------------------
 */
#ifndef SIDDHI_ANALYZE_INT_H
#define SIDDHI_ANALYZE_INT_H

#include "datatype/timestamp.h"
#include "parser/parse_node.h"
#include "utils/relcache.h"
#include "siddhi/analyzer.h"

typedef struct AnalyzeState
{
	SiddhiApp *app;
	SiddhiAnalyzeMode mode;
	List *known; /* LOAD: relations from the catalog */
	SiddhiAppPlan *plan;
	SiddhiPartitionPlan *partition; /* the partition being analyzed */
} AnalyzeState;

/* Finish an analyzed expression: collations, then the planner's folding. */
extern Expr *siddhi_finish_expr(ParseState *pstate, Node *e);

/*
 * The window of a stream handler (#window.name(..) or WINDOW ..(..)),
 * its arguments checked against the window's signatures (analyze_window.c).
 * pstate has the input stream as its only range-table entry.
 */
extern SiddhiWindowPlan *siddhi_analyze_window(AnalyzeState *st,
											   ParseState *pstate,
											   SiddhiCall *call);

/*
 * Analyze a raw expression whose aggregator calls (sum, count, ...) become
 * PARAM_EXEC params: aggregator k (from 0) is appended to *aggregates as
 * a SiddhiAggPlan and read as param k.  ParamRefs numbered
 * SIDDHI_WINDOW_PARAM_BASE + i (1 <= i <= SIDDHI_WINDOW_NPARAMS) become the
 * int8 PARAM_EXTERN param i; with window_timestamps, eventTimestamp(),
 * eventTimestamp(first) and eventTimestamp(last) become such ParamRefs
 * (expression windows' event timestamps: the event's, first's, last's).
 */
#define SIDDHI_WINDOW_PARAM_BASE 1000000
#define SIDDHI_WINDOW_NPARAMS 3
extern Node *siddhi_transform_aggregating(AnalyzeState *st, ParseState *pstate,
										  Node *raw, ParseExprKind kind,
										  List **aggregates,
										  bool window_timestamps);
/*
 * A built-in stream function of the input (analyze_stream_function.c):
 * false if call is not one; #log gives *qual, a conjunct for the filters.
 * siddhi_stream_function_columns appends what #pol2Cart added to select *.
 */
extern bool siddhi_analyze_stream_function(AnalyzeState *st,
										   ParseState *pstate,
										   SiddhiCall *call, Relation rel,
										   ParseNamespaceItem *input,
										   const char *refname, Expr **qual);
extern void siddhi_stream_function_columns(ParseState *pstate, List **exprs,
										   List **names, List **locations,
										   int location);
/* #unique:deduplicate(key, interval): its key and interval. */
extern void siddhi_analyze_deduplicate(AnalyzeState *st, ParseState *pstate,
									   SiddhiCall *call, Expr **key,
									   int64 *interval);

/*
 * delete / update / update or insert into T (analyze_table.c): fills
 * qp->output, qp->events, qp->targetlist and qp->table_op from the
 * query's projection (exprs, names, locations: parallel lists).
 */
extern void siddhi_analyze_table_op(AnalyzeState *st, ParseState *pstate,
									SiddhiQuery *q, SiddhiQueryPlan *qp,
									List *exprs, List *names, List *locations);

/*
 * A filter of the query's input (raw), with each `cond in T` replaced by
 * a membership (qp->memberships) read as bool PARAM_EXTERN param k.
 */
#define SIDDHI_MEMBERSHIP_PARAM_BASE 2000000
extern Node *siddhi_group_by_alias(AnalyzeState *st, ParseState *pstate,
								   SiddhiSelector *s, Node *n);
extern Node *siddhi_transform_filter(AnalyzeState *st, ParseState *pstate,
									 SiddhiQueryPlan *qp, Relation input,
									 const char *refname, Node *raw);
extern Node *siddhi_event_attr_param(Relation input, const char *refname,
									 ColumnRef *cref);
extern Node *siddhi_transform_with_tables(AnalyzeState *st, ParseState *pstate,
										  SiddhiQueryPlan *qp, Relation input,
										  const char *refname, Node *raw,
										  ParseExprKind kind);
extern Node *siddhi_transform_with_outer_tables(AnalyzeState *st,
												ParseState *pstate,
												SiddhiQueryPlan *qp, Node *raw,
												ParseExprKind kind);

/* partitions (analyze_partition.c) */
extern SiddhiPartitionPlan *siddhi_analyze_partition(AnalyzeState *st,
													 SiddhiPartition *part,
													 int index);
extern char *siddhi_inner_stream_name(AnalyzeState *st, const char *name);
extern SiddhiRelation *siddhi_inner_stream(AnalyzeState *st,
										   SiddhiStreamInput *in);
extern SiddhiRelation *siddhi_fault_stream(AnalyzeState *st,
										   SiddhiStreamInput *in);
extern int64 siddhi_duration_ms(AnalyzeState *st, const char *text,
								int location, const char *what,
								const char *hint);

/* analyze.c, for the other files */
extern void siddhi_lookup_known(AnalyzeState *st, SiddhiRelation *r,
								const char *name, SiddhiRelKind kind);
extern SiddhiRelation *siddhi_find_relation(AnalyzeState *st,
											const char *name);
extern SiddhiDefinition *siddhi_find_definition(SiddhiApp *app,
												const char *name);
extern SiddhiRelation *siddhi_bind_relation(AnalyzeState *st, const char *name,
											SiddhiRelKind kind, List *names,
											List *typids, List *typmods,
											SiddhiDefinition *def,
											const char *event_time,
											int location);

/* one query (analyze_query.c) */
extern SiddhiQueryPlan *siddhi_analyze_query(AnalyzeState *st, SiddhiQuery *q,
											 int index);

/* the name of an unnamed query, never one the app uses (analyze_names.c) */
extern char *siddhi_default_query_name(AnalyzeState *st, int index);
/* SQL's ORDER BY / LIMIT and DISTINCT over the contents (analyze_topn.c) */
extern void siddhi_analyze_contents(AnalyzeState *st, SiddhiQuery *q,
									SiddhiQueryPlan *qp);
extern void siddhi_analyze_contents_input(AnalyzeState *st, SiddhiQuery *q,
										  SiddhiQueryPlan *qp);

/* output rate limits (analyze_ratelimit.c) */
extern void siddhi_analyze_output_rate(AnalyzeState *st, SiddhiQuery *q,
									   SiddhiQueryPlan *qp);

/*
 * Aggregator calls (analyze_aggregator.c): the state of their replacement
 * while a query (or an expression window) is transformed.
 */
typedef struct AggContext
{
	AnalyzeState *st;
	ParseState *pstate;
	List **aggregates; /* the query's, or an expression window's */
	bool timestamps;   /* eventTimestamp(first|last) are window params */
} AggContext;

extern bool siddhi_agg_kind_of(FuncCall *fc, SiddhiAggKind *kind);

/*
 * SQL's forms of an aggregator call (analyze_aggregator_sql.c): the
 * dialect's meaning of its name, COUNT(x), DISTINCT and FILTER.  Returns
 * fc without DISTINCT and FILTER, *kind refined, *filter the FILTER's raw
 * condition or NULL; siddhi_agg_filter_arg then wraps the analyzed
 * argument (NULL for COUNT(*)) in CASE WHEN filter THEN arg END.
 */
extern FuncCall *siddhi_agg_sql_form(AnalyzeState *st, FuncCall *fc,
									 SiddhiAggKind *kind, Node **filter);
extern Expr *siddhi_agg_filter_arg(ParseState *pstate, Node *filter,
								   Expr *arg);
extern Node *siddhi_replace_aggregates(AggContext *ac, Node *n);
extern Node *siddhi_aggregate_paramref(ParseState *pstate, ParamRef *ref);
extern void siddhi_aggregators_begin(AggContext *ac, AnalyzeState *st,
									 ParseState *pstate, List **aggregates);
extern void siddhi_aggregators_end(void);

/* percentiles (analyze_percentile.c) */
extern Node *siddhi_make_percentile(AggContext *ac, FuncCall *fc,
									SiddhiAggKind kind);
extern void siddhi_percentile_mark_approximate(SiddhiQueryPlan *qp);
extern void siddhi_not_yet(AnalyzeState *st, const char *what, int location);
/* analyze_file_source.c */
struct SiddhiSourcePlan;
extern void siddhi_check_file_source(AnalyzeState *st,
									 struct SiddhiSourcePlan *sp);

/* window functions (analyze_over.c): a select item's, then the checks */
extern Node *siddhi_over_transform(AnalyzeState *st, ParseState *pstate,
								   SiddhiQueryPlan *qp, Node *e);
extern void siddhi_over_check(AnalyzeState *st, SiddhiQuery *q,
							  SiddhiQueryPlan *qp);
extern SiddhiRelation *siddhi_bind_existing_table(AnalyzeState *st,
												  const char *name,
												  int location);

/* analyze_join.c */
/* analyze_scalar.c */
extern Node *siddhi_scalar_subquery(AnalyzeState *st, SiddhiQueryPlan *qp,
									Relation input, const char *refname,
									ParseState *outer, SubLink *sl);
extern void siddhi_scalar_args_finish(SiddhiQueryPlan *qp,
									  Node *(*mutator)(Node *, void *),
									  void *context);

/* analyze_cte.c */
extern void siddhi_name_generated_streams(AnalyzeState *st,
										  const char *app_name);

extern SiddhiStreamInput *siddhi_join_primary(AnalyzeState *st,
											  SiddhiInput *in);
extern void siddhi_analyze_join(AnalyzeState *st, ParseState *pstate,
								SiddhiQuery *q, SiddhiQueryPlan *qp);
extern void siddhi_join_select_all(AnalyzeState *st, ParseState *pstate,
								   SiddhiQuery *q, List **exprs, List **names,
								   List **locations);
extern void siddhi_join_finish(AnalyzeState *st, SiddhiQueryPlan *qp);

/* on AND per and within over an aggregation's view named ref (raw). */
/* analyze_ondemand.c, for analyze_ondemand_sql.c */
typedef struct OdRelation
{
	char *nspname;
	char *relname;
	SiddhiRelKind kind;
} OdRelation;
extern OdRelation *siddhi_od_lookup_relation(const char *app, const char *text,
											 const char *name, int location);
extern Node *siddhi_od_select_as_jsonb(Node *s);
extern List *siddhi_od_jsonb_row(const char *name);
extern RawStmt *siddhi_od_raw(Node *stmt);
/* analyze_ondemand_sql.c: an on-demand query in streaming SQL */
extern SiddhiOnDemand *siddhi_ondemand_translate_sql(const char *app,
													 const char *text);

extern Node *siddhi_aggregation_condition(Node *on, Node *within, Node *per,
										  const char *ref);
/* patterns and sequences (analyze_pattern.c) */
extern ParseState *siddhi_analyze_pattern(AnalyzeState *st, SiddhiQuery *q,
										  SiddhiQueryPlan *qp);
extern void siddhi_pattern_finish(AnalyzeState *st, SiddhiQueryPlan *qp);
/* eventTimestamp(e): its function, and its argument's whole row (analyze.c) */
extern Oid siddhi_event_timestamp_oid(void);
extern Var *siddhi_event_timestamp_arg(FuncExpr *f, const char *source,
									   const char *what);
/* events may leave qp's aggregates out of order (analyze_aggregator.c) */
extern bool siddhi_aggregates_unordered(AnalyzeState *st, SiddhiQueryPlan *qp);
/* select * of a pattern: each state's attributes, in state order */
extern void siddhi_pattern_select_all(AnalyzeState *st, SiddhiQueryPlan *qp,
									  int location, List **exprs, List **names,
									  List **locations);

/* @source, @sink, @map, @OnError (analyze_connector.c) */
extern void siddhi_analyze_sources(AnalyzeState *st);
/* analyze_http.c: an http source's options */
struct SiddhiSourcePlan;
extern void siddhi_analyze_http_source(AnalyzeState *st,
									   struct SiddhiSourcePlan *sp);
struct SiddhiSourcePlan;
/* a stream with no attributes and a cdc @source: its table's columns */
extern void siddhi_cdc_stream_columns(AnalyzeState *st, SiddhiDefinition *d);
/* analyze_cdc.c: a cdc source's deploy checks; its map becomes passThrough */
extern void siddhi_analyze_cdc_source(AnalyzeState *st,
									  struct SiddhiSourcePlan *sp,
									  int deflocation);
extern void siddhi_analyze_sinks(AnalyzeState *st);
/* Bind (deploy: create) a stream the app itself makes (analyze.c). */
extern SiddhiRelation *siddhi_bind_stream(AnalyzeState *st, const char *name,
										  List *names, List *typids,
										  List *typmods, int location);

/* annotations and WITH options the engine reads (analyze_annotations.c) */
extern void siddhi_check_annotations(AnalyzeState *st);

/* what the engine cannot evaluate (analyze_unsupported.c) */
extern void siddhi_refuse_unrunnable(ParseState *pstate, Node *e);
/*
 * analyze_arith.c: SiddhiQL's arithmetic operators (schema siddhi) as the
 * pg_catalog operators their SQL functions stand for, in one walk.
 */
extern Node *siddhi_arith_as_catalog(Node *e);
extern void siddhi_refuse_aggregate_modifiers(const char *source,
											  FuncCall *fc);

/* define aggregation / CREATE AGGREGATION (analyze_aggregation.c). */
extern void siddhi_analyze_aggregations(AnalyzeState *st);

/*
 * Check that the current user may read and write everything the analyzed
 * plan reads and writes (analyze_privileges.c); ERROR 42501 otherwise.
 */
extern void siddhi_check_app_privileges(AnalyzeState *st);

/* A stream's durable and synchronous_commit options (analyze_durable.c). */
extern void siddhi_analyze_durability(AnalyzeState *st, SiddhiDefinition *d,
									  SiddhiRelation *r);

#endif /* SIDDHI_ANALYZE_INT_H */
