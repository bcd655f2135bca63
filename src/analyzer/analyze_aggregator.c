/*-------------------------------------------------------------------------
 *
 * analyze_aggregator.c
 *	  Aggregator calls in a query: sum, count, avg, min, max, ... replaced
 *	  by parameters of the projection, having and order by.
 *
 * While a query (or an expression window's condition) is transformed,
 * every aggregator call is cut out of the raw tree and listed in the
 * plan (SiddhiAggPlan: kind, argument, result type), and a ParamRef $k
 * takes its place; siddhi_aggregate_paramref, the parse state's p_paramref_hook,
 * turns $k into the PARAM_EXEC the runtime fills with aggregate k's value.
 * The replacement copies only the nodes above an aggregator, so deep
 * expressions cost linear time.  An expression window's
 * eventTimestamp(first|last) becomes a PARAM_EXTERN instead.
 *
 * The transformation state lives in current_aggs while a query is
 * analyzed (siddhi_aggregators_begin/end): the hook has no other way to reach it.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "analyze_int.h"
#include "catalog/pg_type.h"
#include "miscadmin.h"
#include "nodes/nodeFuncs.h"
#include "parser/parse_expr.h"
#include "siddhi/errors.h"
#include "siddhi/parser.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"

/* The replacement under way, for siddhi_aggregate_paramref. */
static AggContext *current_aggs = NULL;

/* Whether fc calls an aggregator, and which. */
bool
siddhi_agg_kind_of(FuncCall *fc, SiddhiAggKind *kind)
{
	static const struct
	{
		const char *name;
		SiddhiAggKind kind;
	} names[] = {
		{ "sum", SIDDHI_AGG_SUM },
		{ "count", SIDDHI_AGG_COUNT },
		{ "avg", SIDDHI_AGG_AVG },
		{ "min", SIDDHI_AGG_MIN },
		{ "max", SIDDHI_AGG_MAX },
		{ "minforever", SIDDHI_AGG_MIN_FOREVER },
		{ "maxforever", SIDDHI_AGG_MAX_FOREVER },
		{ "distinctcount", SIDDHI_AGG_DISTINCT_COUNT },
		{ "stddev", SIDDHI_AGG_STDDEV },
		{ "and", SIDDHI_AGG_AND },
		{ "or", SIDDHI_AGG_OR },
		{ "unionset", SIDDHI_AGG_UNION_SET },
		/* analyze_aggregator_sql.c gives stddev and variance their
		 * meaning in each dialect */
		{ "variance", SIDDHI_AGG_VAR_POP },
		{ "stddev_samp", SIDDHI_AGG_STDDEV_SAMP },
		{ "stddev_pop", SIDDHI_AGG_STDDEV_POP },
		{ "var_samp", SIDDHI_AGG_VAR_SAMP },
		{ "var_pop", SIDDHI_AGG_VAR_POP },
		{ "intersectset", SIDDHI_AGG_INTERSECT_SET },
		{ "percentile", SIDDHI_AGG_PERCENTILE_CONT },
		{ "percentile_cont", SIDDHI_AGG_PERCENTILE_CONT },
		{ "percentile_disc", SIDDHI_AGG_PERCENTILE_DISC },
	};
	const char *name;

	if (list_length(fc->funcname) != 1 || fc->over)
		return false;
	name = strVal(linitial(fc->funcname));
	for (int i = 0; i < lengthof(names); i++)
		if (pg_strcasecmp(name, names[i].name) == 0)
		{
			*kind = names[i].kind;
			return true;
		}
	return false;
}

/*
 * An aggregator call becomes a parameter: analyze its argument, pick
 * Siddhi's result type, and return a raw ParamRef that the paramref hook
 * below turns into a PARAM_EXEC Param of that type.
 */
static Node *
make_aggregate(AggContext *ac, FuncCall *fc, SiddhiAggKind kind)
{
	SiddhiAggPlan *agg = palloc0(sizeof(SiddhiAggPlan));
	const char *source = ac->st->app->source;
	ParamRef *ref = makeNode(ParamRef);
	Node *filter;

	fc = siddhi_agg_sql_form(ac->st, fc, &kind, &filter);
	siddhi_refuse_aggregate_modifiers(source, fc);
	agg->kind = kind;
	if (kind == SIDDHI_AGG_COUNT_VALUES && fc->args == NIL)
	{
		/* COUNT(*) (or count()) FILTER (WHERE c): the 1s of
		 * siddhi_agg_filter_arg */
		agg->argtype = INT4OID;
		agg->resulttype = INT8OID;
	}
	else if (kind == SIDDHI_AGG_COUNT)
	{
		if (list_length(fc->args) > 1)
			ereport(ERROR, (errcode(ERRCODE_SIDDHI_SEMANTIC_ERROR),
							errmsg("count() takes no argument"),
							siddhi_errposition(source, fc->location)));
		/*
		 * count(x) counts events whatever x is, but x must still name
		 * something: resolve it (and drop it)
		 */
		if (fc->args != NIL)
			(void) transformExpr(ac->pstate, linitial(fc->args),
								 EXPR_KIND_SELECT_TARGET);
		agg->resulttype = INT8OID;
	}
	else
	{
		Oid t;

		if (list_length(fc->args) != 1 || fc->agg_star)
			ereport(ERROR, (errcode(ERRCODE_SIDDHI_SEMANTIC_ERROR),
							errmsg("%s() takes one argument",
								   strVal(linitial(fc->funcname))),
							siddhi_errposition(source, fc->location)));
		agg->arg = siddhi_finish_expr(
			ac->pstate, transformExpr(ac->pstate, linitial(fc->args),
									  EXPR_KIND_SELECT_TARGET));
		t = agg->argtype = exprType((Node *) agg->arg);
		if ((kind == SIDDHI_AGG_AND || kind == SIDDHI_AGG_OR) && t != BOOLOID)
			ereport(ERROR,
					(errcode(ERRCODE_DATATYPE_MISMATCH),
					 errmsg("%s() needs a bool, not %s",
							strVal(linitial(fc->funcname)), format_type_be(t)),
					 siddhi_errposition(source,
										exprLocation(linitial(fc->args)))));
		if ((kind == SIDDHI_AGG_UNION_SET ||
			 kind == SIDDHI_AGG_INTERSECT_SET) &&
			!OidIsValid(get_element_type(t)))
			ereport(ERROR,
					(errcode(ERRCODE_DATATYPE_MISMATCH),
					 errmsg("%s() needs a set (an array), not %s",
							kind == SIDDHI_AGG_UNION_SET ? "unionSet"
														 : "intersectSet",
							format_type_be(t)),
					 errhint("Make a set of one value with createSet(x), or "
							 "ARRAY[x] in SQL."),
					 siddhi_errposition(source,
										exprLocation(linitial(fc->args)))));
		if (kind != SIDDHI_AGG_DISTINCT_COUNT && kind != SIDDHI_AGG_AND &&
			kind != SIDDHI_AGG_UNION_SET && kind != SIDDHI_AGG_OR &&
			kind != SIDDHI_AGG_COUNT_VALUES &&
			kind != SIDDHI_AGG_COUNT_DISTINCT &&
			kind != SIDDHI_AGG_INTERSECT_SET && t != INT2OID && t != INT4OID &&
			t != INT8OID && t != FLOAT4OID && t != FLOAT8OID)
			ereport(ERROR,
					(errcode(ERRCODE_DATATYPE_MISMATCH),
					 errmsg("%s() needs a number, not %s",
							strVal(linitial(fc->funcname)), format_type_be(t)),
					 siddhi_errposition(source,
										exprLocation(linitial(fc->args)))));
		switch (kind)
		{
			case SIDDHI_AGG_SUM:
			case SIDDHI_AGG_SUM_DISTINCT:
				agg->resulttype =
					(t == FLOAT4OID || t == FLOAT8OID) ? FLOAT8OID : INT8OID;
				break;
			case SIDDHI_AGG_AVG:
			case SIDDHI_AGG_STDDEV:
			case SIDDHI_AGG_STDDEV_SAMP:
			case SIDDHI_AGG_STDDEV_POP:
			case SIDDHI_AGG_VAR_SAMP:
			case SIDDHI_AGG_VAR_POP:
			case SIDDHI_AGG_AVG_DISTINCT:
				agg->resulttype = FLOAT8OID;
				break;
			case SIDDHI_AGG_DISTINCT_COUNT:
			case SIDDHI_AGG_COUNT_VALUES:
			case SIDDHI_AGG_COUNT_DISTINCT:
				agg->resulttype = INT8OID;
				break;
			case SIDDHI_AGG_AND:
			case SIDDHI_AGG_OR:
				agg->resulttype = BOOLOID;
				break;
			case SIDDHI_AGG_UNION_SET:
			case SIDDHI_AGG_INTERSECT_SET:
				agg->resulttype = t;
				break;
			default:
				agg->resulttype = t == INT2OID ? INT4OID : t;
				break;
		}
	}
	if (filter)
		agg->arg = siddhi_agg_filter_arg(ac->pstate, filter, agg->arg);
	*ac->aggregates = lappend(*ac->aggregates, agg);
	ref->number = list_length(*ac->aggregates);
	ref->location = fc->location;
	return (Node *) ref;
}

/*
 * In an expression window's condition, eventTimestamp() is the event's
 * time, eventTimestamp(first) and eventTimestamp(last) those of the
 * window's first and last events: the PARAM_EXTERN params 1, 2 and 3.
 */
static Node *
window_timestamp(AggContext *ac, FuncCall *fc)
{
	ParamRef *ref = makeNode(ParamRef);
	ColumnRef *arg = fc->args ? linitial(fc->args) : NULL;
	const char *name = NULL;

	if (arg && IsA(arg, ColumnRef) && list_length(arg->fields) == 1 &&
		IsA(linitial(arg->fields), String))
		name = strVal(linitial(arg->fields));
	if (arg == NULL)
		ref->number = SIDDHI_WINDOW_PARAM_BASE + 1;
	else if (list_length(fc->args) == 1 && name && strcmp(name, "first") == 0)
		ref->number = SIDDHI_WINDOW_PARAM_BASE + 2;
	else if (list_length(fc->args) == 1 && name && strcmp(name, "last") == 0)
		ref->number = SIDDHI_WINDOW_PARAM_BASE + 3;
	else
		ereport(ERROR,
				(errcode(ERRCODE_SIDDHI_SEMANTIC_ERROR),
				 errmsg("eventTimestamp() in a window's expression takes "
						"first, last or no argument"),
				 siddhi_errposition(ac->st->app->source, fc->location)));
	ref->location = fc->location;
	return (Node *) ref;
}


/*
 * A shallow copy of a raw node: the fields are copied, not the subtrees,
 * so that rebuilding an expression level by level stays linear in its size.
 */
#define SHALLOW_COPY(type, n) \
	((type *) memcpy(palloc(sizeof(type)), (n), sizeof(type)))

/* Replace the aggregator calls of each element of a list (a new list). */
static List *
replace_aggregates_list(AggContext *ac, List *l)
{
	ListCell *lc;

	l = list_copy(l);
	foreach(lc, l)
		lfirst(lc) = siddhi_replace_aggregates(ac, lfirst(lc));
	return l;
}

/*
 * Replace aggregator calls in a raw expression.  The nodes on the way down
 * are copied shallowly (the raw tree is left as it was), so the work is
 * linear in the size of the expression however deep it is.
 */
Node *
siddhi_replace_aggregates(AggContext *ac, Node *n)
{
	SiddhiAggKind kind;

	if (n == NULL)
		return NULL;
	check_stack_depth();
	CHECK_FOR_INTERRUPTS();
	switch (nodeTag(n))
	{
		case T_FuncCall:
		{
			FuncCall *fc = (FuncCall *) n;

			if (ac->timestamps && list_length(fc->funcname) == 2 &&
				strcmp(strVal(linitial(fc->funcname)), "siddhi") == 0 &&
				strcmp(strVal(lsecond(fc->funcname)), "event_timestamp") == 0)
				return window_timestamp(ac, fc);
			if (siddhi_agg_kind_of(fc, &kind) &&
				SIDDHI_AGG_IS_PERCENTILE(kind))
				return siddhi_make_percentile(ac, fc, kind);
			if (siddhi_agg_kind_of(fc, &kind))
				return make_aggregate(ac, fc, kind);
			fc = SHALLOW_COPY(FuncCall, fc);
			fc->args = replace_aggregates_list(ac, fc->args);
			return (Node *) fc;
		}
		case T_A_Expr:
		{
			A_Expr *e = SHALLOW_COPY(A_Expr, n);

			e->lexpr = siddhi_replace_aggregates(ac, e->lexpr);
			if (e->rexpr && IsA(e->rexpr, List))
				e->rexpr =
					(Node *) replace_aggregates_list(ac, (List *) e->rexpr);
			else
				e->rexpr = siddhi_replace_aggregates(ac, e->rexpr);
			return (Node *) e;
		}
		case T_BoolExpr:
		{
			BoolExpr *b = SHALLOW_COPY(BoolExpr, n);

			b->args = replace_aggregates_list(ac, b->args);
			return (Node *) b;
		}
		case T_TypeCast:
		{
			TypeCast *c = SHALLOW_COPY(TypeCast, n);

			c->arg = siddhi_replace_aggregates(ac, c->arg);
			return (Node *) c;
		}
		case T_NullTest:
		{
			NullTest *t = SHALLOW_COPY(NullTest, n);

			t->arg = (Expr *) siddhi_replace_aggregates(ac, (Node *) t->arg);
			return (Node *) t;
		}
		case T_BooleanTest:
		{
			BooleanTest *t = SHALLOW_COPY(BooleanTest, n);

			t->arg = (Expr *) siddhi_replace_aggregates(ac, (Node *) t->arg);
			return (Node *) t;
		}
		case T_CoalesceExpr:
		{
			CoalesceExpr *c = SHALLOW_COPY(CoalesceExpr, n);

			c->args = replace_aggregates_list(ac, c->args);
			return (Node *) c;
		}
		case T_MinMaxExpr:
		{
			MinMaxExpr *m = SHALLOW_COPY(MinMaxExpr, n);

			m->args = replace_aggregates_list(ac, m->args);
			return (Node *) m;
		}
		case T_CaseExpr:
		{
			CaseExpr *c = SHALLOW_COPY(CaseExpr, n);
			ListCell *lc;

			c->arg = (Expr *) siddhi_replace_aggregates(ac, (Node *) c->arg);
			c->args = list_copy(c->args);
			foreach(lc, c->args)
			{
				CaseWhen *w = SHALLOW_COPY(CaseWhen, lfirst(lc));

				w->expr =
					(Expr *) siddhi_replace_aggregates(ac, (Node *) w->expr);
				w->result =
					(Expr *) siddhi_replace_aggregates(ac, (Node *) w->result);
				lfirst(lc) = w;
			}
			c->defresult =
				(Expr *) siddhi_replace_aggregates(ac, (Node *) c->defresult);
			return (Node *) c;
		}
		default:
			return n;
	}
}

/* p_paramref_hook: $k is the value of aggregate k. */
Node *
siddhi_aggregate_paramref(ParseState *pstate, ParamRef *ref)
{
	SiddhiAggPlan *agg;
	Param *p;

	if (current_aggs && ref->number > SIDDHI_WINDOW_PARAM_BASE &&
		ref->number <= SIDDHI_WINDOW_PARAM_BASE + SIDDHI_WINDOW_NPARAMS)
	{
		/* an expression window's event timestamp */
		p = makeNode(Param);
		p->paramkind = PARAM_EXTERN;
		p->paramid = ref->number - SIDDHI_WINDOW_PARAM_BASE;
		p->paramtype = INT8OID;
		p->paramtypmod = -1;
		p->paramcollid = InvalidOid;
		p->location = ref->location;
		return (Node *) p;
	}
	if (current_aggs == NULL || ref->number < 1 ||
		ref->number > list_length(*current_aggs->aggregates))
		return NULL;
	agg = list_nth(*current_aggs->aggregates, ref->number - 1);
	p = makeNode(Param);
	p->paramkind = PARAM_EXEC;
	p->paramid = ref->number - 1;
	p->paramtype = agg->resulttype;
	p->paramtypmod = -1;
	p->paramcollid = InvalidOid;
	p->location = ref->location;
	return (Node *) p;
}

Node *
siddhi_transform_aggregating(AnalyzeState *st, ParseState *pstate, Node *raw,
							 ParseExprKind kind, List **aggregates,
							 bool window_timestamps)
{
	AggContext ac;
	AggContext *save = current_aggs;
	ParseParamRefHook save_hook = pstate->p_paramref_hook;
	Node *e;

	ac.st = st;
	ac.pstate = pstate;
	ac.aggregates = aggregates;
	ac.timestamps = window_timestamps;
	current_aggs = &ac;
	pstate->p_paramref_hook = siddhi_aggregate_paramref;
	PG_TRY();
	{
		e = transformExpr(pstate, siddhi_replace_aggregates(&ac, raw), kind);
	}
	PG_FINALLY();
	{
		current_aggs = save;
		pstate->p_paramref_hook = save_hook;
	}
	PG_END_TRY();
	return e;
}

/*
 * Begin the analysis of a query's aggregators: ac is filled in, becomes
 * the replacement under way, and pstate's ParamRefs resolve through it.
 * siddhi_aggregators_end() ends it.
 */
void
siddhi_aggregators_begin(AggContext *ac, AnalyzeState *st, ParseState *pstate,
						 List **aggregates)
{
	pstate->p_paramref_hook = siddhi_aggregate_paramref;
	ac->st = st;
	ac->pstate = pstate;
	ac->aggregates = aggregates;
	ac->timestamps = false;
	current_aggs = ac;
}

void
siddhi_aggregators_end(void)
{
	current_aggs = NULL;
}

/* Whether w lets events go first in, first out (the oldest first). */
static bool
window_expires_in_order(SiddhiWindowPlan *w)
{
	switch (w->kind)
	{
		case SIDDHI_WINDOW_LENGTH:
		case SIDDHI_WINDOW_LENGTH_BATCH:
		case SIDDHI_WINDOW_TIME:
		case SIDDHI_WINDOW_TIME_BATCH:
		case SIDDHI_WINDOW_TIME_LENGTH:
		case SIDDHI_WINDOW_EXTERNAL_TIME:
		case SIDDHI_WINDOW_EXTERNAL_TIME_BATCH:
		case SIDDHI_WINDOW_BATCH:
		case SIDDHI_WINDOW_DELAY:
		case SIDDHI_WINDOW_CRON:
		case SIDDHI_WINDOW_EXPRESSION:
		case SIDDHI_WINDOW_EXPRESSION_BATCH:
			return true;
		default:
			return false;
	}
}

/*
 * Whether events may leave qp's aggregates in another order than they
 * came: a join removes the pairs of the event that left; a sort,
 * frequent, session, hopping or unique window (its own or the named
 * window it reads) lets any event go.  A min or max removal then takes
 * the first queued equal value, as Siddhi's deque does, rather than the
 * oldest (src/runtime/select/aggregate.c).
 */
bool
siddhi_aggregates_unordered(AnalyzeState *st, SiddhiQueryPlan *qp)
{
	ListCell *lc;

	if (qp->aggregates == NIL)
		return false;
	if (qp->join)
		return true;
	if (qp->window && !window_expires_in_order(qp->window))
		return true;
	if (qp->input && qp->input->kind == SIDDHI_REL_WINDOW)
		foreach(lc, st->plan->windows)
		{
			SiddhiNamedWindowPlan *nw = lfirst(lc);

			if (nw->relation->relid == qp->input->relid &&
				!window_expires_in_order(nw->window))
				return true;
		}
	return false;
}
