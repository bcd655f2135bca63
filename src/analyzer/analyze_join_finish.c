/*-------------------------------------------------------------------------
 *
 * analyze_join_finish.c
 *	  A join's select * and its combined row (analyze_join.c analyses the
 *	  sides): the other side's Vars renumbered after the primary's,
 *	  eventTimestamp(side) as a read of that side's timestamp column, and
 *	  the equality of on that the windows index.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/table.h"
#include "analyze_int.h"
#include "catalog/pg_type.h"
#include "executor/executor.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "parser/parse_coerce.h"
#include "parser/parse_collate.h"
#include "parser/parse_expr.h"
#include "parser/parse_func.h"
#include "parser/parse_oper.h"
#include "parser/parse_relation.h"
#include "parser/parser.h"
#include "siddhi/errors.h"
#include "siddhi/parser.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"

/* select * in a join: every attribute of the left side, then the right's */
void
siddhi_join_select_all(AnalyzeState *st, ParseState *pstate, SiddhiQuery *q,
					   List **exprs, List **names, List **locations)
{
	for (int side = 0; side < 2; side++)
	{
		SiddhiStreamInput *in = side == 0 ? q->input->stream : q->input->right;
		const char *ref = in->alias ? in->alias : in->stream;
		ParseNamespaceItem *nsi =
			refnameNamespaceItem(pstate, NULL, ref, in->location, NULL);
		List *vars;
		List *colnames;
		ListCell *v, *n;

		if (nsi == NULL)
			siddhi_not_yet(st, "select * in this join", in->location);
		expandRTE(nsi->p_rte, nsi->p_rtindex, 0, in->location, false,
				  &colnames, &vars);
		forboth(v, vars, n, colnames)
		{
			ListCell *prev;

			foreach(prev, *names)
				if (strcmp(strVal(lfirst(prev)), strVal(lfirst(n))) == 0)
					ereport(
						ERROR,
						(errcode(ERRCODE_DUPLICATE_COLUMN),
						 errmsg("output attribute \"%s\" is selected twice",
								strVal(lfirst(n))),
						 siddhi_errposition(st->app->source, in->location),
						 errhint("Select the attributes by name, and "
								 "rename one with AS.")));
			*exprs = lappend(*exprs, lfirst(v));
			*names = lappend(*names, makeString(pstrdup(strVal(lfirst(n)))));
			*locations = lappend_int(*locations, in->location);
		}
	}
}

typedef struct JoinCombine
{
	SiddhiJoinPlan *jp;
	const char *source; /* the app's text, for error positions */
	Oid ts_func;		/* siddhi.event_timestamp(record) */
} JoinCombine;

/*
 * eventTimestamp(side): the argument transformed to a side's whole row,
 * the call a read of that side's timestamp column.  A table's or an
 * aggregation's rows have none (null); only the stream side triggers
 * such a join, so its event is the one being processed.
 */
static Node *
combine_event_timestamp(FuncExpr *f, JoinCombine *jc)
{
	Var *v = siddhi_event_timestamp_arg(f, jc->source, "a side of the join");

	if (jc->jp->ts_at >= 0)
		return (Node *) makeVar(1, jc->jp->ts_at + v->varno, INT8OID, -1,
								InvalidOid, 0);
	if (v->varno == 2)
		return (Node *) makeNullConst(INT8OID, -1, InvalidOid);
	return (Node *) makeFuncExpr(
		LookupFuncName(
			list_make2(makeString("siddhi"), makeString("event_timestamp")), 0,
			NULL, false),
		INT8OID, NIL, InvalidOid, InvalidOid, COERCE_EXPLICIT_CALL);
}

/* Vars of the other side (varno 2) onto the combined row. */
static Node *
combine_mutator(Node *node, void *context)
{
	JoinCombine *jc = context;

	if (node == NULL)
		return NULL;
	CHECK_FOR_INTERRUPTS();
	if (IsA(node, FuncExpr) && list_length(((FuncExpr *) node)->args) == 1 &&
		OidIsValid(jc->ts_func) && ((FuncExpr *) node)->funcid == jc->ts_func)
		return combine_event_timestamp((FuncExpr *) node, jc);
	if (IsA(node, Var) && ((Var *) node)->varlevelsup == 0 &&
		((Var *) node)->varattno == 0)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("a join side's whole event is not supported"),
				 errhint("Select the attributes you need."),
				 siddhi_errposition(jc->source, ((Var *) node)->location)));
	if (IsA(node, Var) && ((Var *) node)->varlevelsup == 0 &&
		((Var *) node)->varno == 2)
	{
		Var *v = copyObject((Var *) node);

		v->varno = 1;
		v->varnosyn = 1;
		v->varattno += jc->jp->nprimary;
		v->varattnosyn = v->varattno;
		return (Node *) v;
	}
	return expression_tree_mutator(node, combine_mutator, context);
}

/* A plain attribute of the combined row, under binary-compatible casts. */
static Var *
key_var(Node *n)
{
	while (n && IsA(n, RelabelType))
		n = (Node *) ((RelabelType *) n)->arg;
	if (n && IsA(n, Var) && ((Var *) n)->varlevelsup == 0 &&
		((Var *) n)->varno == 1 && ((Var *) n)->varattno > 0)
		return (Var *) n;
	return NULL;
}

/*
 * Whether a window can keep its events hashed by a key: those whose
 * contents are first in, first out (window_index.c, which checks too).
 */
static bool
window_indexable(SiddhiWindowPlan *w)
{
	return w &&
		   (w->kind == SIDDHI_WINDOW_LENGTH || w->kind == SIDDHI_WINDOW_TIME ||
			w->kind == SIDDHI_WINDOW_TIME_LENGTH ||
			w->kind == SIDDHI_WINDOW_EXTERNAL_TIME);
}

/*
 * The join key (src/runtime/join/README.md): the first conjunct of on
 * that is `a.x == b.y` with one attribute of each side and an operator
 * of a hash opfamily, strict, under a deterministic collation (so equal
 * keys hash alike).  Each window an arrival of the other side probes
 * keeps its events hashed by its side's attribute; the runtime still
 * checks all of on on each candidate.  Nothing when there is no such
 * conjunct: arrivals scan the other window, as any other join does.
 */
static void
find_join_key(SiddhiJoinPlan *jp, SiddhiWindowPlan *primary_window)
{
	ListCell *lc;

	if (jp->on == NULL || jp->probe != NULL)
		return;
	foreach(lc, make_ands_implicit(jp->on))
	{
		OpExpr *op = lfirst(lc);
		Var *l, *r;
		Oid lhash, rhash;

		if (!IsA(op, OpExpr) || list_length(op->args) != 2)
			continue;
		l = key_var(linitial(op->args));
		r = key_var(lsecond(op->args));
		if (l == NULL || r == NULL ||
			(l->varattno <= jp->nprimary) == (r->varattno <= jp->nprimary))
			continue;
		if (!op_strict(op->opno) ||
			!get_op_hash_functions(op->opno, &lhash, &rhash) ||
			!OidIsValid(lhash) || !OidIsValid(rhash))
			continue;
		if (OidIsValid(op->inputcollid) &&
			!get_collation_isdeterministic(op->inputcollid))
			continue;
		if (l->varattno > jp->nprimary)
		{
			Var *tv = l;
			Oid th = lhash;

			l = r;
			r = tv;
			lhash = rhash;
			rhash = th;
		}
		jp->key_attno[0] = l->varattno;
		jp->key_hash[0] = lhash;
		jp->key_attno[1] = r->varattno - jp->nprimary;
		jp->key_hash[1] = rhash;
		jp->key_collation = op->inputcollid;
		/* the window each triggering side probes keeps the index */
		if (jp->triggers[0] && window_indexable(jp->other_window))
		{
			jp->other_window->index_attno = jp->key_attno[1];
			jp->other_window->index_hash = jp->key_hash[1];
			jp->other_window->index_collation = jp->key_collation;
		}
		if (jp->triggers[1] && window_indexable(primary_window))
		{
			primary_window->index_attno = jp->key_attno[0];
			primary_window->index_hash = jp->key_hash[0];
			primary_window->index_collation = jp->key_collation;
		}
		return;
	}
}

void
siddhi_join_finish(AnalyzeState *st, SiddhiQueryPlan *qp)
{
	SiddhiJoinPlan *jp = qp->join;
	JoinCombine jc = { jp, st->app->source, siddhi_event_timestamp_oid() };
	ListCell *lc;

	qp->targetlist = (List *) combine_mutator((Node *) qp->targetlist, &jc);
	qp->group_by = (List *) combine_mutator((Node *) qp->group_by, &jc);
	jp->on = (Expr *) combine_mutator((Node *) jp->on, &jc);
	siddhi_scalar_args_finish(qp, combine_mutator, &jc);
	foreach(lc, qp->aggregates)
	{
		SiddhiAggPlan *ap = lfirst(lc);

		ap->arg = (Expr *) combine_mutator((Node *) ap->arg, &jc);
	}
	find_join_key(jp, qp->window);
}
