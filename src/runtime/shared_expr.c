/*-------------------------------------------------------------------------
 *
 * shared_expr.c
 *	  Shared expressions: a subexpression several places of an app's
 *	  queries on one stream compute from its event, computed once per
 *	  event (src/analyzer/analyze_shared_expr.c).
 *
 * The analyzer replaced each shared expression in a query's filter and
 * select with a PARAM_EXTERN param numbered after the query's `in T`
 * memberships.  The query's ExprContext reads its params through
 * query_param_fetch: a membership's goes to its probe (output/
 * table_ops.c), a shared expression's to shared_value, which evaluates
 * the expression on the event being read the first time the event's
 * junction asks for it and keeps the value for the others, keyed by the
 * number the junction gives each event it delivers (junction.c, and
 * query_step_chunk for a stream's only query; 0 outside a delivery, when
 * nothing is kept).  A shared expression that holds a
 * smaller one reads it the same way, through the app's own ExprContext.
 *
 * The value handed out is the caller's own copy (in its current memory,
 * the per-tuple memory of the expression that reads it): the kept one is
 * replaced at the next event, while a row made from it may still be on
 * its way (a query's output looping back into its own stream).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "executor/executor.h"
#include "nodes/nodeFuncs.h"
#include "utils/datum.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"

#include "runtime_int.h"

/* A query's params: its memberships', then the app's shared expressions. */
typedef struct QueryParams
{
	SiddhiAppRuntime *app;
	ExprContext *econtext; /* the query's: its scan tuple is the event */
	ParamListInfo members; /* or NULL */
	int base;			   /* its memberships */
} QueryParams;

/* Shared expression id's value for the event, as ParamExternData. */
static ParamExternData *
shared_value(SiddhiAppRuntime *app, int id, TupleTableSlot *event,
			 bool speculative, ParamExternData *ws)
{
	SharedExpr *e = &app->sexprs[id];
	uint64 n = e->junction->event;
	ExprContext *econtext = app->sexpr_econtext;
	Datum v;
	bool isnull;

	ws->pflags = 0;
	if (speculative || event == NULL)
	{
		ws->ptype = InvalidOid;
		ws->isnull = true;
		return ws;
	}
	ws->ptype = e->type;
	if (n != 0 && e->event == n)
	{
		ws->isnull = e->isnull;
		ws->value = e->isnull || e->byval
						? e->value
						: datumCopy(e->value, false, e->typlen);
		return ws;
	}
	econtext->ecxt_scantuple = event;
	v = ExecEvalExpr(e->state, econtext, &isnull);
	if (n != 0)
	{
		MemoryContext old;

		e->event = 0;
		if (!e->byval)
			MemoryContextReset(e->cxt);
		old = MemoryContextSwitchTo(e->cxt);
		e->value = isnull || e->byval ? v : datumCopy(v, false, e->typlen);
		MemoryContextSwitchTo(old);
		e->isnull = isnull;
		e->event = n;
	}
	ws->value = v;
	ws->isnull = isnull;
	return ws;
}

/* paramFetch of the app's ExprContext: param k is shared expression k-1. */
static ParamExternData *
app_param_fetch(ParamListInfo params, int paramid, bool speculative,
				ParamExternData *ws)
{
	SiddhiAppRuntime *app = params->paramFetchArg;

	if (paramid < 1 || paramid > app->nsexprs)
	{
		ws->ptype = InvalidOid;
		ws->isnull = true;
		return ws;
	}
	return shared_value(app, paramid - 1, app->sexpr_econtext->ecxt_scantuple,
						speculative, ws);
}

/* paramFetch of a query's ExprContext: memberships, then shared ones. */
static ParamExternData *
query_param_fetch(ParamListInfo params, int paramid, bool speculative,
				  ParamExternData *ws)
{
	QueryParams *qp = params->paramFetchArg;

	if (paramid <= qp->base)
		return qp->members->paramFetch(qp->members, paramid, speculative, ws);
	if (paramid > qp->base + qp->app->nsexprs)
	{
		ws->ptype = InvalidOid;
		ws->isnull = true;
		return ws;
	}
	return shared_value(qp->app, paramid - qp->base - 1,
						qp->econtext->ecxt_scantuple, speculative, ws);
}

/*
 * The app's shared expressions (plans: of SiddhiSharedExpr *), once its
 * queries are made.
 */
void
shared_exprs_start(SiddhiAppRuntime *app, List *plans, MemoryContext cxt)
{
	MemoryContext old = MemoryContextSwitchTo(cxt);
	ParamListInfo params;
	ListCell *lc;

	Assert(app->nsexprs == list_length(plans));
	if (app->nsexprs == 0)
	{
		MemoryContextSwitchTo(old);
		return;
	}
	app->sexprs = palloc0(sizeof(SharedExpr) * app->nsexprs);
	app->sexpr_econtext = CreateStandaloneExprContext();
	params = makeParamList(app->nsexprs);
	params->paramFetch = app_param_fetch;
	params->paramFetchArg = app;
	app->sexpr_econtext->ecxt_param_list_info = params;
	foreach(lc, plans)
	{
		SiddhiSharedExpr *se = lfirst(lc);
		SharedExpr *e = &app->sexprs[foreach_current_index(lc)];

		/* the queries that read it made its stream's junction */
		e->junction = hash_search(junctions, &se->relid, HASH_FIND, NULL);
		if (e->junction == NULL)
			elog(ERROR, "no junction for the stream of a shared expression");
		e->state = ExecInitExpr(se->exec, NULL);
		e->type = exprType((Node *) se->exec);
		get_typlenbyval(e->type, &e->typlen, &e->byval);
		e->cxt = AllocSetContextCreate(cxt, "siddhi shared expression",
									   ALLOCSET_SMALL_SIZES);
	}
	MemoryContextSwitchTo(old);
}

/*
 * The params of query q that reads shared expressions: its nmembers
 * memberships' (members, or NULL), then the app's shared expressions.
 */
ParamListInfo
shared_exprs_params(QueryRuntime *q, ParamListInfo members, int nmembers)
{
	QueryParams *qp = palloc0(sizeof(QueryParams));
	ParamListInfo params = makeParamList(nmembers + q->app->nsexprs);

	qp->app = q->app;
	qp->econtext = q->econtext;
	qp->members = members;
	qp->base = nmembers;
	params->paramFetch = query_param_fetch;
	params->paramFetchArg = qp;
	return params;
}
