/*-------------------------------------------------------------------------
 *
 * analyze_topn.c
 *	  Streaming SQL's ORDER BY / LIMIT / OFFSET and SELECT DISTINCT: over
 *	  what the query's window holds (src/runtime/select/topn.c).
 *
 * SQL gives ORDER BY .. LIMIT n the meaning "the top n rows of the
 * relation", and DISTINCT "each row once"; over a stream, the relation is
 * the window's contents (or, with GROUP BY, the groups' current rows).
 * SiddhiQL keeps Siddhi's meaning, per output chunk, and never comes here.
 * This file decides whether a query of the SQL dialect can have that
 * meaning, and refuses, with the query to write, the shapes that cannot
 * (or not yet).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "analyze_int.h"
#include "nodes/nodeFuncs.h"
#include "siddhi/errors.h"
#include "siddhi/parser.h"

/* Refuse a shape of query with what to write instead. */
static void
refuse(AnalyzeState *st, int location, const char *msg, const char *hint)
{
	ereport(ERROR, (errcode(ERRCODE_FEATURE_NOT_SUPPORTED), errmsg("%s", msg),
					errhint("%s", hint),
					siddhi_errposition(st->app->source, location)));
}

/*
 * The clause of sel that asks for the contents (ORDER BY, LIMIT, OFFSET
 * or SELECT DISTINCT): its name and location.  False when there is none.
 */
static bool
contents_clause(SiddhiSelector *sel, int *loc, const char **what)
{
	if (sel->distinct)
	{
		*loc = sel->distinct_location;
		*what = "SELECT DISTINCT";
		return true;
	}
	if (sel->order_by == NIL && sel->limit == NULL && sel->offset == NULL)
		return false;
	*loc = sel->order_by
			   ? exprLocation(((SortBy *) linitial(sel->order_by))->node)
			   : exprLocation(sel->limit ? sel->limit : sel->offset);
	*what = sel->order_by ? "ORDER BY" : sel->limit ? "LIMIT" : "OFFSET";
	return true;
}

/*
 * Refuse the contents clauses of query q of the SQL dialect where its
 * input cannot have them yet (a join, a pattern, a partition).  Called
 * before ORDER BY is transformed, so that a query over a join hears this
 * rather than that its ORDER BY names a column of the join.
 */
void
siddhi_analyze_contents_input(AnalyzeState *st, SiddhiQuery *q,
							  SiddhiQueryPlan *qp)
{
	int loc;
	const char *what;

	if (st->app->dialect != SIDDHI_DIALECT_SQL || q->selector == NULL ||
		!contents_clause(q->selector, &loc, &what))
		return;
	if (qp->join || qp->pattern)
		refuse(st, loc,
			   psprintf("%s is not supported yet in a query over a %s", what,
						qp->join ? "join" : "pattern"),
			   "Insert its rows into a stream, and write the "
			   "ORDER BY, LIMIT or DISTINCT in a query on that stream, over "
			   "a window.");
	if (qp->partition)
		refuse(
			st, loc,
			psprintf("%s is not supported yet in a partitioned query", what),
			"Drop PARTITION BY and GROUP BY the key: ORDER BY and LIMIT "
			"then apply to the groups' rows.");
}

/*
 * Query q of the SQL dialect, analyzed into qp (its order by, limit,
 * offset, aggregates, window and rate): mark it to keep its contents when
 * it has ORDER BY, LIMIT, OFFSET or DISTINCT.
 */
void
siddhi_analyze_contents(AnalyzeState *st, SiddhiQuery *q, SiddhiQueryPlan *qp)
{
	SiddhiSelector *sel = q->selector;
	bool ordered;
	bool grouped;
	bool windowed;
	int loc;
	const char *what;

	if (st->app->dialect != SIDDHI_DIALECT_SQL || sel == NULL ||
		!contents_clause(sel, &loc, &what))
		return;
	ordered = sel->order_by != NIL || sel->limit || sel->offset;
	grouped = qp->aggregates != NIL || qp->group_by != NIL;
	windowed = qp->window != NULL ||
			   (qp->input && qp->input->kind == SIDDHI_REL_WINDOW);

	if (q->output->kind != SIDDHI_OUT_INSERT)
		refuse(st, loc,
			   psprintf("%s is not supported in a table operation", what),
			   "Insert the rows into a stream with INSERT INTO s SELECT .., "
			   "and change the table from a query on that stream.");
	siddhi_analyze_contents_input(st, q, qp);
	if (qp->rate_kind == SIDDHI_RATE_SNAPSHOT)
		refuse(st, loc,
			   psprintf("%s is not supported with an output snapshot", what),
			   "ORDER BY and LIMIT already output the window's top rows "
			   "whenever they change: drop the snapshot.");
	if (sel->distinct && grouped)
		refuse(
			st, sel->distinct_location,
			"SELECT DISTINCT with GROUP BY or an aggregate is not supported",
			"GROUP BY already outputs one row per group: drop DISTINCT.");
	if (!windowed && !grouped && ordered && sel->limit == NULL)
		refuse(st, loc,
			   psprintf("%s over a stream without a window needs LIMIT", what),
			   "Add LIMIT n (the top n rows so far are kept), or a window "
			   "whose contents it orders: WINDOW SLIDING(1 hour).");
	if (!windowed && sel->distinct && !ordered)
		refuse(st, loc,
			   "SELECT DISTINCT over a stream without a window is not "
			   "supported",
			   "Add the window whose contents DISTINCT compares with, such as "
			   "WINDOW UNIQUE(column) or WINDOW SLIDING(1 hour), or ORDER BY "
			   ".. LIMIT n to keep n distinct rows.");
	qp->contents = true;
	qp->distinct = sel->distinct;
}
