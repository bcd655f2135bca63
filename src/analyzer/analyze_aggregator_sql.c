/*-------------------------------------------------------------------------
 *
 * analyze_aggregator_sql.c
 *	  What an aggregator call means in each dialect: SQL's STDDEV and
 *	  VARIANCE, COUNT(x), DISTINCT and FILTER (WHERE ..).
 *
 * Where SQL defines an aggregate, the SQL dialect gives it PostgreSQL's
 * meaning; SiddhiQL keeps Siddhi's (docs/sql-dialect.md lists both):
 *
 *	name			SQL					SiddhiQL
 *	stddev			sample (n - 1)		population (Siddhi's stdDev)
 *	variance		sample				population (stdDev squared)
 *	count(x)		non-null x			events (Siddhi's count)
 *
 * stddev_samp, stddev_pop, var_samp, var_pop and intersectSet mean the
 * same in both.  DISTINCT turns count, sum and avg into their distinct
 * forms (values equal by the type's equality, not by their text as in
 * distinctCount: 0 and -0, 1.0 and 1.00 are one value), and changes nothing in min, max and the set and
 * boolean aggregators; elsewhere it is refused.  FILTER (WHERE c) keeps
 * the aggregator and makes its argument CASE WHEN c THEN x END: the
 * aggregators skip nulls, so a filtered-out event counts for nothing, and
 * an expired one leaves as it came.  COUNT(*) FILTER counts the non-null
 * values of CASE WHEN c THEN 1 END.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "analyze_int.h"
#include "catalog/pg_type.h"
#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "parser/parse_coerce.h"
#include "parser/parse_expr.h"
#include "siddhi/errors.h"
#include "siddhi/parser.h"

static bool
named(FuncCall *fc, const char *name)
{
	return pg_strcasecmp(strVal(llast(fc->funcname)), name) == 0;
}

FuncCall *
siddhi_agg_sql_form(AnalyzeState *st, FuncCall *fc, SiddhiAggKind *kind,
					Node **filter)
{
	bool sql = st->app->dialect == SIDDHI_DIALECT_SQL;
	FuncCall *copy;

	*filter = fc->agg_filter;
	if (sql && named(fc, "stddev"))
		*kind = SIDDHI_AGG_STDDEV_SAMP;
	else if (sql && named(fc, "variance"))
		*kind = SIDDHI_AGG_VAR_SAMP;
	else if (sql && *kind == SIDDHI_AGG_COUNT &&
			 (fc->args != NIL || fc->agg_filter != NULL))
		*kind = SIDDHI_AGG_COUNT_VALUES;

	if (fc->agg_distinct)
	{
		switch (*kind)
		{
			case SIDDHI_AGG_COUNT:
			case SIDDHI_AGG_COUNT_VALUES:
				*kind = SIDDHI_AGG_COUNT_DISTINCT;
				break;
			case SIDDHI_AGG_SUM:
				*kind = SIDDHI_AGG_SUM_DISTINCT;
				break;
			case SIDDHI_AGG_AVG:
				*kind = SIDDHI_AGG_AVG_DISTINCT;
				break;
			case SIDDHI_AGG_MIN:
			case SIDDHI_AGG_MAX:
			case SIDDHI_AGG_MIN_FOREVER:
			case SIDDHI_AGG_MAX_FOREVER:
			case SIDDHI_AGG_DISTINCT_COUNT:
			case SIDDHI_AGG_AND:
			case SIDDHI_AGG_OR:
			case SIDDHI_AGG_UNION_SET:
			case SIDDHI_AGG_INTERSECT_SET:
				break; /* the same over distinct values */
			default:
				ereport(ERROR,
						(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
						 errmsg("DISTINCT is not supported in the aggregator "
								"%s()",
								strVal(llast(fc->funcname))),
						 errhint("DISTINCT works in count, sum, avg, min and "
								 "max."),
						 siddhi_errposition(st->app->source, fc->location)));
		}
	}
	if (!fc->agg_distinct && fc->agg_filter == NULL)
		return fc;
	copy = palloc(sizeof(FuncCall));
	memcpy(copy, fc, sizeof(FuncCall));
	copy->agg_distinct = false;
	copy->agg_filter = NULL;
	return copy;
}

Expr *
siddhi_agg_filter_arg(ParseState *pstate, Node *filter, Expr *arg)
{
	Node *cond = transformExpr(pstate, filter, EXPR_KIND_FILTER);
	CaseExpr *c = makeNode(CaseExpr);
	CaseWhen *w = makeNode(CaseWhen);

	cond = coerce_to_boolean(pstate, cond, "FILTER");
	if (arg == NULL) /* COUNT(*): count the 1s */
		arg = (Expr *) makeConst(INT4OID, -1, InvalidOid, sizeof(int32),
								 Int32GetDatum(1), false, true);
	w->expr = (Expr *) siddhi_finish_expr(pstate, cond);
	w->result = arg;
	w->location = exprLocation(filter);
	c->casetype = exprType((Node *) arg);
	c->casecollid = exprCollation((Node *) arg);
	c->args = list_make1(w);
	c->defresult = (Expr *) makeNullConst(
		c->casetype, exprTypmod((Node *) arg), c->casecollid);
	c->location = exprLocation(filter);
	return (Expr *) c;
}
