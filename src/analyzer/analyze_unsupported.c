/*-------------------------------------------------------------------------
 *
 * analyze_unsupported.c
 *	  Refuse at deploy the expressions the engine cannot evaluate.
 *
 * transformExpr accepts, in a select list, what a PostgreSQL SELECT may
 * hold: window functions (OVER), aggregates of PostgreSQL's own, scalar
 * subqueries and set-returning functions.  The engine evaluates each
 * expression alone with ExecEvalExpr on one event, where none of those
 * can run: the app deployed as "running" and then failed with a message
 * of the executor ("WindowFunc found in non-WindowAgg plan node").  (A
 * query's select list hands its window functions to analyze_over.c before
 * this check, which then sees only those written elsewhere.)  Every
 * analyzed expression passes siddhi_refuse_unrunnable() (from
 * siddhi_finish_expr), which names the construct at its position.
 *
 * The Siddhi aggregators (sum, count, ...) are replaced before
 * transformExpr and take one plain argument: ORDER BY, WITHIN GROUP and
 * VARIADIC on them would be ignored, so they are refused too
 * (siddhi_refuse_aggregate_modifiers).  DISTINCT and FILTER have their
 * SQL meaning (analyze_aggregator_sql.c) and are gone by then.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "miscadmin.h"
#include "nodes/nodeFuncs.h"
#include "siddhi/parser.h"

#include "analyze_int.h"

typedef struct RefuseContext
{
	const char *source;
} RefuseContext;

static pg_attribute_noreturn() void refuse(RefuseContext *cx, const char *what,
										   const char *hint, int location)
{
	ereport(ERROR,
			(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
			 errmsg("%s are not supported", what),
			 errdetail("The engine evaluates each expression on one "
					   "event at a time."),
			 hint ? errhint("%s", hint) : 0,
			 cx->source ? siddhi_errposition(cx->source, location) : 0));
	pg_unreachable();
}

static bool
refuse_walker(Node *node, RefuseContext *cx)
{
	if (node == NULL)
		return false;
	check_stack_depth();
	switch (nodeTag(node))
	{
		case T_WindowFunc:
			refuse(cx, "window functions (OVER)",
				   "Window functions are computed only in the select list "
				   "of a query that reads a stream or a window; here, "
				   "aggregate with sum, count, avg, min or max.",
				   ((WindowFunc *) node)->location);
		case T_Aggref:
			refuse(cx, "aggregate functions of PostgreSQL",
				   "The aggregators are sum, count, avg, min, max, "
				   "minForever, maxForever, distinctCount, stdDev, "
				   "variance, stddev_samp, stddev_pop, var_samp, var_pop, "
				   "and, or, unionSet and intersectSet.",
				   ((Aggref *) node)->location);
		case T_GroupingFunc:
			refuse(cx, "GROUPING() calls", NULL,
				   ((GroupingFunc *) node)->location);
		case T_SubLink:
		case T_SubPlan:
			refuse(cx, "subqueries in expressions",
				   "Test membership in a table of the app with "
				   "\"x in T\" (SiddhiQL) or EXISTS / IN over one table in "
				   "WHERE (SQL); join a table for its values. A scalar "
				   "subquery over a table (SQL) is read in a stream's "
				   "WHERE and in the select list, alone or as an operand "
				   "of an operator: (SELECT coalesce(col, 0) FROM t WHERE "
				   "..), not coalesce((SELECT ..), 0).",
				   exprLocation(node));
		case T_FuncExpr:
			if (((FuncExpr *) node)->funcretset)
				refuse(cx, "set-returning functions",
					   "An expression gives one value for each event.",
					   ((FuncExpr *) node)->location);
			break;
		case T_OpExpr:
			if (((OpExpr *) node)->opretset)
				refuse(cx, "set-returning operators",
					   "An expression gives one value for each event.",
					   ((OpExpr *) node)->location);
			break;
		default:
			break;
	}
	return expression_tree_walker(node, refuse_walker, (void *) cx);
}

void
siddhi_refuse_unrunnable(ParseState *pstate, Node *e)
{
	RefuseContext cx;

	cx.source = pstate ? pstate->p_sourcetext : NULL;
	(void) refuse_walker(e, &cx);
}

void
siddhi_refuse_aggregate_modifiers(const char *source, FuncCall *fc)
{
	const char *name = strVal(llast(fc->funcname));
	const char *what = NULL;
	const char *hint = NULL;

	if (fc->agg_distinct)
	{
		what = "DISTINCT";
		hint = "Count distinct values with distinctCount(x).";
	}
	else if (fc->agg_within_group)
		what = "WITHIN GROUP";
	else if (fc->agg_order != NIL)
		what = "ORDER BY";
	else if (fc->agg_filter != NULL)
	{
		what = "FILTER";
		hint = "Filter the events before the aggregator, with WHERE or "
			   "S[condition].";
	}
	else if (fc->func_variadic)
		what = "VARIADIC";
	if (what == NULL)
		return;
	ereport(ERROR,
			(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
			 errmsg("%s is not supported in the aggregator %s()", what, name),
			 hint ? errhint("%s", hint) : 0,
			 siddhi_errposition(source, fc->location)));
}
