/*-------------------------------------------------------------------------
 *
 * analyze_percentile.c
 *	  Percentile aggregators: PostgreSQL's percentile_cont(p) and
 *	  percentile_disc(p) WITHIN GROUP (ORDER BY x), and the roadmap's
 *	  percentile(x, pct), the same as percentile_cont(pct / 100.0).
 *
 * Like the other aggregators (analyze_aggregator.c), a call becomes a
 * SiddhiAggPlan and a parameter; the fraction must be a constant (0 to 1,
 * or 0 to 100 for percentile), checked here with its position.  x is any
 * number: int2, int4, int8, float4 and float8 are kept as they are,
 * anything with an implicit cast to float8 (numeric) goes through it.
 * percentile_cont returns float8, percentile_disc x's type, as in
 * PostgreSQL.  ORDER BY x DESC is honoured: percentile_cont(p) DESC is
 * percentile_cont(1 - p), percentile_disc counts from the top.
 *
 * Whether the runtime keeps the exact values (a window: its events leave
 * again) or a sketch (no window: they would pile up forever) is decided
 * for the whole query once its input is known
 * (siddhi_percentile_mark_approximate).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "analyze_int.h"
#include "catalog/pg_type.h"
#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "optimizer/optimizer.h"
#include "parser/parse_coerce.h"
#include "parser/parse_expr.h"
#include "siddhi/errors.h"
#include "siddhi/parser.h"
#include "utils/builtins.h"

static bool
is_kept_number(Oid t)
{
	return t == INT2OID || t == INT4OID || t == INT8OID || t == FLOAT4OID ||
		   t == FLOAT8OID;
}

/* The constant fraction (or percent) p, checked against 0 .. limit. */
static double
constant_fraction(AggContext *ac, const char *fname, Node *raw, double limit)
{
	const char *source = ac->st->app->source;
	int location = exprLocation(raw);
	Node *e = transformExpr(ac->pstate, raw, EXPR_KIND_SELECT_TARGET);
	Oid t = exprType(e);
	double v;

	e = coerce_to_target_type(ac->pstate, e, t, FLOAT8OID, -1,
							  COERCION_IMPLICIT, COERCE_IMPLICIT_CAST, -1);
	if (e == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("the percentile of %s() must be a number, not %s",
						fname, format_type_be(t)),
				 errhint("Write one number, such as 0.95; for several "
						 "percentiles, one call each."),
				 siddhi_errposition(source, location)));
	e = eval_const_expressions(NULL, e);
	if (!IsA(e, Const) || ((Const *) e)->constisnull)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("the percentile of %s() must be a constant", fname),
				 errhint("Write the fraction as a number, such as 0.95."),
				 siddhi_errposition(source, location)));
	v = DatumGetFloat8(((Const *) e)->constvalue);
	if (!(v >= 0 && v <= limit))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 limit == 1
					 ? errmsg("percentile value %g is not between 0 and 1", v)
					 : errmsg("percent %g is not between 0 and 100", v),
				 limit == 1 ? errhint("The 95th percentile is "
									  "percentile_cont(0.95).")
							: errhint("The 95th percentile is "
									  "percentile(x, 95)."),
				 siddhi_errposition(source, location)));
	return v;
}

/*
 * A percentile call (kind from siddhi_agg_kind_of) becomes aggregate k of
 * the query and the ParamRef $k, as make_aggregate does for the others.
 */
Node *
siddhi_make_percentile(AggContext *ac, FuncCall *fc, SiddhiAggKind kind)
{
	const char *source = ac->st->app->source;
	const char *fname = strVal(llast(fc->funcname));
	bool roadmap = pg_strcasecmp(fname, "percentile") == 0;
	SiddhiAggPlan *agg = palloc0(sizeof(SiddhiAggPlan));
	ParamRef *ref = makeNode(ParamRef);
	FuncCall plain = *fc;
	Node *xraw, *praw;
	Node *x;
	Oid t;
	double p;
	bool desc = false;

	/* DISTINCT, FILTER, VARIADIC: refused as for every aggregator */
	plain.agg_within_group = false;
	plain.agg_order = NIL;
	siddhi_refuse_aggregate_modifiers(source, &plain);
	if (roadmap)
	{
		if (fc->agg_within_group || fc->agg_order != NIL ||
			list_length(fc->args) != 2 || fc->agg_star)
			ereport(
				ERROR,
				(errcode(ERRCODE_SIDDHI_SEMANTIC_ERROR),
				 errmsg("percentile() takes two arguments: a value and a "
						"percent"),
				 errhint("Write percentile(x, 95), or "
						 "percentile_cont(0.95) WITHIN GROUP (ORDER BY x)."),
				 siddhi_errposition(source, fc->location)));
		xraw = linitial(fc->args);
		praw = lsecond(fc->args);
	}
	else
	{
		SortBy *sb;

		if (!fc->agg_within_group || list_length(fc->args) != 1 ||
			list_length(fc->agg_order) != 1)
			ereport(ERROR,
					(errcode(ERRCODE_SIDDHI_SEMANTIC_ERROR),
					 errmsg("%s() takes a fraction and WITHIN GROUP (ORDER BY "
							"x)",
							fname),
					 errhint("Write %s(0.95) WITHIN GROUP (ORDER BY x), or "
							 "percentile(x, 95).",
							 fname),
					 siddhi_errposition(source, fc->location)));
		sb = linitial(fc->agg_order);
		if (sb->sortby_dir == SORTBY_USING)
			ereport(
				ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("ORDER BY .. USING is not supported in %s()", fname),
				 errhint("Write ORDER BY x or ORDER BY x DESC."),
				 siddhi_errposition(source, sb->location)));
		desc = sb->sortby_dir == SORTBY_DESC;
		xraw = sb->node;
		praw = linitial(fc->args);
	}
	p = constant_fraction(ac, fname, praw, roadmap ? 100 : 1);
	if (roadmap)
		p /= 100.0;

	x = transformExpr(ac->pstate, xraw, EXPR_KIND_SELECT_TARGET);
	t = exprType(x);
	if (!is_kept_number(t))
	{
		Node *c =
			coerce_to_target_type(ac->pstate, x, t, FLOAT8OID, -1,
								  COERCION_IMPLICIT, COERCE_IMPLICIT_CAST, -1);

		if (c == NULL)
			ereport(ERROR, (errcode(ERRCODE_DATATYPE_MISMATCH),
							errmsg("%s() needs a number, not %s", fname,
								   format_type_be(t)),
							siddhi_errposition(source, exprLocation(xraw))));
		x = c;
		t = FLOAT8OID;
	}
	agg->kind = kind;
	agg->arg = siddhi_finish_expr(ac->pstate, x);
	agg->argtype = t;
	if (kind == SIDDHI_AGG_PERCENTILE_CONT)
	{
		agg->resulttype = FLOAT8OID;
		agg->fraction = desc ? 1 - p : p;
	}
	else
	{
		agg->resulttype = t;
		agg->fraction = p;
		agg->descending = desc;
	}
	*ac->aggregates = lappend(*ac->aggregates, agg);
	ref->number = list_length(*ac->aggregates);
	ref->location = fc->location;
	return (Node *) ref;
}

/*
 * A query whose input has no window never removes a value: its
 * percentiles use a sketch, bounded in memory.  Over a window (of the
 * stream, or of a join's other side) they are exact.
 */
void
siddhi_percentile_mark_approximate(SiddhiQueryPlan *qp)
{
	bool windowed =
		qp->window != NULL || (qp->join && qp->join->other_window != NULL);
	ListCell *lc;

	foreach(lc, qp->aggregates)
	{
		SiddhiAggPlan *agg = lfirst(lc);

		if (SIDDHI_AGG_IS_PERCENTILE(agg->kind))
			agg->approximate = !windowed;
	}
}
