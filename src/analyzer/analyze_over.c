/*-------------------------------------------------------------------------
 *
 * analyze_over.c
 *	  Window functions of streaming SQL: ROW_NUMBER, RANK, DENSE_RANK, LAG,
 *	  LEAD, FIRST_VALUE, LAST_VALUE and running SUM, AVG, COUNT, MIN, MAX
 *	  with OVER (PARTITION BY .. ORDER BY ..) in a query's select list.
 *
 * PostgreSQL's transformExpr resolves each call into a WindowFunc (its
 * arguments typed and coerced as PostgreSQL's own functions declare them)
 * and records its OVER clause in the parse state's p_windowdefs.  A
 * WindowFunc cannot run outside a WindowAgg plan node, so each one is cut
 * out of the analyzed select item here: it becomes PARAM_EXEC param k,
 * and its partition keys, order keys and arguments become expressions
 * over the input row that the runtime (src/runtime/select/over.c)
 * evaluates to fill the param.  What cannot be computed is refused at
 * deploy with its position and what to write instead.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "analyze_int.h"
#include "catalog/pg_namespace.h"
#include "catalog/pg_type.h"
#include "nodes/nodeFuncs.h"
#include "parser/parse_expr.h"
#include "siddhi/errors.h"
#include "siddhi/over.h"
#include "siddhi/parser.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/typcache.h"

typedef struct OverContext
{
	AnalyzeState *st;
	ParseState *pstate;
	SiddhiQueryPlan *qp;
} OverContext;

#define OVER_FUNCTIONS_HINT                                             \
	"The window functions supported are row_number, rank, dense_rank, " \
	"lag, lead, first_value, last_value, and sum, avg, count, min and " \
	"max with OVER."

static void
over_refuse(OverContext *oc, int location, const char *msg, const char *hint)
{
	ereport(ERROR, (errcode(ERRCODE_FEATURE_NOT_SUPPORTED), errmsg("%s", msg),
					hint ? errhint("%s", hint) : 0,
					siddhi_errposition(oc->st->app->source, location)));
}

/* Append e (finished) to the plan's row values; its index. */
static int
over_add_expr(OverContext *oc, Node *e)
{
	SiddhiOverPlan *op = oc->qp->over;

	op->exprs = lappend(op->exprs, siddhi_finish_expr(oc->pstate, e));
	return list_length(op->exprs) - 1;
}

/* The "<" operator of type t, or an error at location. */
static Oid
over_less_op(OverContext *oc, Oid t, bool greater, int location)
{
	TypeCacheEntry *tc =
		lookup_type_cache(t, TYPECACHE_LT_OPR | TYPECACHE_GT_OPR);
	Oid op = greater ? tc->gt_opr : tc->lt_opr;

	if (!OidIsValid(op))
		ereport(ERROR, (errcode(ERRCODE_UNDEFINED_FUNCTION),
						errmsg("values of type %s cannot be ordered",
							   format_type_be(t)),
						siddhi_errposition(oc->st->app->source, location)));
	return op;
}

/* Whether the ORDER BY of f is the stream's arrival order. */
static bool
over_arrival_order(OverContext *oc, SiddhiOverFunc *f, WindowDef *wd)
{
	SortBy *sb;
	Expr *e;
	const char *et = oc->qp->input->event_time;

	if (f->norder == 0)
		return true;
	if (f->norder != 1 || et == NULL)
		return false;
	sb = linitial(wd->orderClause);
	if (sb->sortby_dir == SORTBY_DESC ||
		sb->sortby_nulls != SORTBY_NULLS_DEFAULT)
		return false;
	e = list_nth(oc->qp->over->exprs, f->order_first);
	if (!IsA(e, Var))
		return false;
	return strcmp(
			   get_attname(oc->qp->input->relid, ((Var *) e)->varattno, false),
			   et) == 0;
}

/* LAG/LEAD's offset: a constant, non-negative integer. */
static int64
over_offset(OverContext *oc, Node *arg)
{
	Expr *e = siddhi_finish_expr(oc->pstate, arg);
	Const *c = (Const *) e;

	if (!IsA(e, Const) || c->constisnull || c->consttype != INT4OID ||
		DatumGetInt32(c->constvalue) < 0)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("the offset of lag and lead must be a constant, "
						"non-negative integer"),
				 errhint("Write lag(x, 2), not an expression of the row."),
				 siddhi_errposition(oc->st->app->source, exprLocation(arg))));
	if (DatumGetInt32(c->constvalue) > SIDDHI_OVER_MAX_OFFSET)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("the offset of lag and lead must be at most %d",
						SIDDHI_OVER_MAX_OFFSET),
				 errhint("Read rows that far back from a window instead."),
				 siddhi_errposition(oc->st->app->source, exprLocation(arg))));
	return DatumGetInt32(c->constvalue);
}

/* A WindowFunc into function k of the plan, read as param k. */
static Node *
over_make(OverContext *oc, WindowFunc *wf)
{
	SiddhiOverFunc *f = palloc0(sizeof(SiddhiOverFunc));
	WindowDef *wd = list_nth(oc->pstate->p_windowdefs, wf->winref - 1);
	char *name = get_func_name(wf->winfnoid);
	int nargs = list_length(wf->args);
	Param *p;
	ListCell *lc;
	static const struct
	{
		const char *name;
		SiddhiOverKind kind;
		int minargs, maxargs;
	} names[] = {
		{ "row_number", SIDDHI_OVER_ROW_NUMBER, 0, 0 },
		{ "rank", SIDDHI_OVER_RANK, 0, 0 },
		{ "dense_rank", SIDDHI_OVER_DENSE_RANK, 0, 0 },
		{ "lag", SIDDHI_OVER_LAG, 1, 3 },
		{ "lead", SIDDHI_OVER_LEAD, 1, 3 },
		{ "first_value", SIDDHI_OVER_FIRST_VALUE, 1, 1 },
		{ "last_value", SIDDHI_OVER_LAST_VALUE, 1, 1 },
		{ "sum", SIDDHI_OVER_SUM, 1, 1 },
		{ "avg", SIDDHI_OVER_AVG, 1, 1 },
		{ "count", SIDDHI_OVER_COUNT, 0, 1 },
		{ "min", SIDDHI_OVER_MIN, 1, 1 },
		{ "max", SIDDHI_OVER_MAX, 1, 1 },
	};
	int i;

	if (oc->qp->over == NULL)
	{
		oc->qp->over = palloc0(sizeof(SiddhiOverPlan));
		oc->qp->over->over_window = oc->qp->window != NULL;
	}
	for (i = 0; i < lengthof(names); i++)
		if (strcmp(name, names[i].name) == 0 && nargs >= names[i].minargs &&
			nargs <= names[i].maxargs)
			break;
	if (i == lengthof(names) ||
		get_func_namespace(wf->winfnoid) != PG_CATALOG_NAMESPACE)
		over_refuse(oc, wf->location,
					psprintf("window function %s is not supported", name),
					OVER_FUNCTIONS_HINT);
	f->kind = names[i].kind;
	f->location = wf->location;
	f->arg = f->def = -1;
	if (wd->refname || wd->name)
		over_refuse(oc, wd->location, "named windows are not supported",
					"Write the window in the call: f() OVER (PARTITION BY "
					"a ORDER BY b).");
	if (wd->frameOptions != FRAMEOPTION_DEFAULTS)
		over_refuse(oc, wd->location, "window frame clauses are not supported",
					"Leave out ROWS/RANGE/GROUPS: the frame is PostgreSQL's "
					"default, from the partition's first row to the current "
					"row and its peers.");
	if (wf->aggfilter)
		over_refuse(oc, exprLocation((Node *) wf->aggfilter),
					"FILTER is not supported with OVER",
					"Use CASE inside the aggregate: sum(CASE WHEN .. THEN x "
					"END) OVER (..).");

	/* the OVER clause: partition keys, then order keys */
	f->part_first = list_length(oc->qp->over->exprs);
	foreach(lc, wd->partitionClause)
	{
		Node *e =
			transformExpr(oc->pstate, lfirst(lc), EXPR_KIND_WINDOW_PARTITION);

		f->part_ops =
			lappend_oid(f->part_ops, over_less_op(oc, exprType(e), false,
												  exprLocation(lfirst(lc))));
		over_add_expr(oc, e);
		f->npart++;
	}
	f->order_first = list_length(oc->qp->over->exprs);
	foreach(lc, wd->orderClause)
	{
		SortBy *sb = lfirst(lc);
		Node *e = transformExpr(oc->pstate, sb->node, EXPR_KIND_WINDOW_ORDER);
		bool desc = sb->sortby_dir == SORTBY_DESC;

		if (sb->useOp)
			over_refuse(oc, sb->location, "ORDER BY .. USING is not supported",
						"Write ASC or DESC.");
		f->order_ops =
			lappend_oid(f->order_ops, over_less_op(oc, exprType(e), desc,
												   exprLocation(sb->node)));
		f->order_nulls_first =
			lappend_int(f->order_nulls_first,
						sb->sortby_nulls == SORTBY_NULLS_DEFAULT
							? desc
							: sb->sortby_nulls == SORTBY_NULLS_FIRST);
		over_add_expr(oc, e);
		f->norder++;
	}
	if (!oc->qp->over->over_window)
	{
		f->arrival = over_arrival_order(oc, f, wd);
		if (f->kind == SIDDHI_OVER_LEAD)
			over_refuse(
				oc, wf->location,
				"lead over a stream without a window is not supported",
				"A row's next rows have not arrived when it goes out: read "
				"them from a window (FROM s WINDOW LENGTH(10)), or use lag.");
	}

	/* arguments, and the param's type */
	f->resulttype = wf->wintype;
	switch (f->kind)
	{
		case SIDDHI_OVER_LAG:
		case SIDDHI_OVER_LEAD:
			f->arg = over_add_expr(oc, linitial(wf->args));
			f->offset = nargs > 1 ? over_offset(oc, lsecond(wf->args)) : 1;
			if (nargs > 2)
				f->def = over_add_expr(oc, lthird(wf->args));
			break;
		case SIDDHI_OVER_FIRST_VALUE:
		case SIDDHI_OVER_LAST_VALUE:
			f->arg = over_add_expr(oc, linitial(wf->args));
			break;
		case SIDDHI_OVER_MIN:
		case SIDDHI_OVER_MAX:
			(void) over_less_op(oc, exprType(linitial(wf->args)), false,
								exprLocation(linitial(wf->args)));
			f->arg = over_add_expr(oc, linitial(wf->args));
			break;
		case SIDDHI_OVER_COUNT:
			f->star = wf->winstar || nargs == 0;
			if (!f->star)
				f->arg = over_add_expr(oc, linitial(wf->args));
			f->resulttype = INT8OID;
			break;
		case SIDDHI_OVER_SUM:
		case SIDDHI_OVER_AVG:
		{
			Oid t = exprType(linitial(wf->args));

			if (t != INT2OID && t != INT4OID && t != INT8OID &&
				t != FLOAT4OID && t != FLOAT8OID)
				ereport(
					ERROR,
					(errcode(ERRCODE_DATATYPE_MISMATCH),
					 errmsg("%s() OVER needs an integer or floating-point "
							"number, not %s",
							name, format_type_be(t)),
					 errhint("Cast it: %s(x::double precision) OVER (..).",
							 name),
					 siddhi_errposition(oc->st->app->source,
										exprLocation(linitial(wf->args)))));
			f->integer_arg = t == INT2OID || t == INT4OID || t == INT8OID;
			f->arg = over_add_expr(oc, linitial(wf->args));
			/* as the dialect's aggregators: bigint or double precision */
			f->resulttype = f->kind == SIDDHI_OVER_SUM && f->integer_arg
								? INT8OID
								: FLOAT8OID;
			break;
		}
		default:
			f->resulttype = INT8OID;
			break;
	}
	oc->qp->over->funcs = lappend(oc->qp->over->funcs, f);

	p = makeNode(Param);
	p->paramkind = PARAM_EXEC;
	p->paramid = list_length(oc->qp->over->funcs) - 1;
	p->paramtype = f->resulttype;
	p->paramtypmod = -1;
	p->paramcollid = f->resulttype == wf->wintype ? wf->wincollid : InvalidOid;
	p->location = wf->location;
	return (Node *) p;
}

static Node *
over_mutator(Node *n, void *arg)
{
	if (n == NULL)
		return NULL;
	if (IsA(n, WindowFunc))
		return over_make(arg, (WindowFunc *) n);
	return expression_tree_mutator(n, over_mutator, arg);
}

/*
 * A select item just analyzed (e, over pstate): its window functions
 * become params of qp->over.
 */
Node *
siddhi_over_transform(AnalyzeState *st, ParseState *pstate,
					  SiddhiQueryPlan *qp, Node *e)
{
	OverContext oc = { st, pstate, qp };

	if (!pstate->p_hasWindowFuncs)
		return e;
	return over_mutator(e, &oc);
}

/* raw_expression_tree_walker: the first FuncCall with OVER. */
static bool
raw_find_over(Node *n, void *found)
{
	if (n == NULL)
		return false;
	if (IsA(n, FuncCall) && ((FuncCall *) n)->over)
	{
		*(FuncCall **) found = (FuncCall *) n;
		return true;
	}
	return raw_expression_tree_walker(n, raw_find_over, found);
}

/* raw_expression_tree_walker: whether an aggregator is called. */
static bool
raw_find_aggregate(Node *n, void *arg)
{
	SiddhiAggKind kind;

	if (n == NULL)
		return false;
	if (IsA(n, FuncCall) && siddhi_agg_kind_of((FuncCall *) n, &kind))
		return true;
	return raw_expression_tree_walker(n, raw_find_aggregate, arg);
}

/*
 * After the projection: refuse what the window functions of qp cannot be
 * combined with, and window functions outside the select list.
 */
void
siddhi_over_check(AnalyzeState *st, SiddhiQuery *q, SiddhiQueryPlan *qp)
{
	OverContext oc = { st, NULL, qp };
	FuncCall *fc = NULL;
	ListCell *lc;
	const char *why = NULL;

	if (q->selector)
		foreach(lc, q->selector->order_by)
			if (raw_find_over(((SortBy *) lfirst(lc))->node, &fc))
				over_refuse(&oc, fc->location,
							"window functions are only supported in the "
							"select list",
							"Select it with a name and order by that "
							"name: SELECT .., rank() OVER (..) AS r .. "
							"ORDER BY r.");
	if (qp->over == NULL)
		return;
	fc = NULL;
	if (q->selector)
		foreach(lc, q->selector->targets)
			if (raw_find_over(((ResTarget *) lfirst(lc))->val, &fc))
				break;
	if (qp->aggregates != NIL || qp->group_by != NIL ||
		(q->selector && raw_find_aggregate(q->selector->having, NULL)))
		why = "window functions cannot be combined with aggregate "
			  "functions or GROUP BY";
	else if (qp->join)
		why = "window functions are not supported in a join";
	else if (qp->pattern)
		why = "window functions are not supported over a pattern";
	else if (qp->input->kind == SIDDHI_REL_WINDOW)
		why = "window functions are not supported over a named window";
	else if (qp->partition)
		why = "window functions are not supported inside a partition";
	else if (q->output->events != SIDDHI_EVENTS_CURRENT)
		why = "window functions are only computed for current events";
	else if (q->rate && q->rate->kind == SIDDHI_RATE_SNAPSHOT)
		why = "window functions are not supported with output snapshot";
	if (why)
		over_refuse(&oc, fc ? fc->location : q->location, why,
					qp->partition
						? "Use OVER (PARTITION BY ..) in a query outside the "
						  "partition."
						: "Compute the window function in a query of its own "
						  "that reads the stream the other query inserts "
						  "into.");
}
