/*-------------------------------------------------------------------------
 *
 * analyze_scalar.c
 *	  Scalar subqueries over a table in a stream's filter (SQL).
 *
 * `WHERE price > (SELECT lim FROM Limits WHERE Limits.sym = s.symbol)`
 * reads one value of a table for each event.  It is compiled as an
 * `in T` membership is (analyze_table.c, src/runtime/output/table_ops.c):
 * a probe SELECT lim FROM Limits WHERE .. LIMIT 2 whose PARAM_EXTERN $k
 * are the event's attributes, planned once, run for each event the
 * filter reaches, its value the membership's param (of the value's type,
 * not bool).  As in SQL, no row gives null and two rows are an error.
 * Inside the subquery a name is the table's when the table has it, else
 * the event's (s.symbol, or symbol alone).
 *
 * In the select list of a join or a pattern the projection runs on a
 * combined row (both sides, or the pattern's regions), not on one
 * stream's event: there a name the table does not have is transformed in
 * the query's own parse state (y.symbol, a.userId, as the select list
 * reads them), each such Var becomes the probe's $k, and the Vars are
 * kept as the membership's args, which the join's and pattern's finish
 * step renumber onto the combined row with the select list (so the
 * pattern fills their regions) and the runtime evaluates for each row.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/table.h"
#include "analyze_int.h"
#include "catalog/pg_type.h"
#include "executor/executor.h"
#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "parser/parse_coerce.h"
#include "parser/parse_collate.h"
#include "parser/parse_expr.h"
#include "parser/parse_relation.h"
#include "siddhi/errors.h"
#include "siddhi/parser.h"
#include "utils/rel.h"

typedef struct ScalarContext
{
	Relation input;		 /* the stream the filter reads */
	const char *refname; /* its name or alias in the query */
	ParseState *outer;	 /* or the select list's of a join or pattern */
	List *args;			 /* then: the outer Vars, the probe's $1..$n */
} ScalarContext;

/*
 * A name the table does not have: the event's attribute, as $k; or in a
 * join or pattern, the query's own (a Var of its parse state) as the
 * next $k.
 */
static Node *
scalar_event_hook(ParseState *pstate, ColumnRef *cref, Node *var)
{
	ScalarContext *sc = pstate->p_ref_hook_state;
	Node *outer;
	Param *p;
	ListCell *lc;

	if (var != NULL)
		return NULL;
	if (sc->outer == NULL)
		return siddhi_event_attr_param(sc->input, sc->refname, cref);
	outer = transformExpr(sc->outer, copyObject((Node *) cref),
						  EXPR_KIND_SELECT_TARGET);
	if (!IsA(outer, Var) || ((Var *) outer)->varlevelsup != 0)
		return NULL;
	p = makeNode(Param);
	p->paramkind = PARAM_EXTERN;
	p->paramid = 0;
	foreach(lc, sc->args)
		if (equal(lfirst(lc), outer))
			p->paramid = foreach_current_index(lc) + 1;
	if (p->paramid == 0)
	{
		sc->args = lappend(sc->args, outer);
		p->paramid = list_length(sc->args);
	}
	p->paramtype = exprType(outer);
	p->paramtypmod = exprTypmod(outer);
	p->paramcollid = exprCollation(outer);
	p->location = cref->location;
	return (Node *) p;
}

/*
 * A scalar subquery of a filter: a membership plan whose value is the
 * subquery's; returns the raw ParamRef that stands for it.
 */
Node *
siddhi_scalar_subquery(AnalyzeState *st, SiddhiQueryPlan *qp, Relation input,
					   const char *refname, ParseState *outer, SubLink *sl)
{
	SelectStmt *sub = (SelectStmt *) sl->subselect;
	ScalarContext sc = { input, refname, outer, NIL };
	SiddhiMembershipPlan *mp = palloc0(sizeof(SiddhiMembershipPlan));
	ParseState *pstate;
	RangeVar *rv;
	SiddhiRelation *table;
	Relation rel;
	Query *qry;
	Node *value;
	Node *qual = NULL;
	ParamRef *ref = makeNode(ParamRef);

	if (!IsA(sub, SelectStmt) || sub->op != SETOP_NONE ||
		list_length(sub->fromClause) != 1 ||
		!IsA(linitial(sub->fromClause), RangeVar) ||
		list_length(sub->targetList) != 1 || sub->groupClause ||
		sub->havingClause || sub->distinctClause || sub->sortClause ||
		sub->limitCount || sub->limitOffset || sub->withClause ||
		sub->windowClause || sub->valuesLists)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("this scalar subquery is not supported"),
				 siddhi_errposition(st->app->source, sl->location),
				 errhint("A scalar subquery reads one value of one table: "
						 "(SELECT col FROM t WHERE t.k = s.k).")));
	rv = linitial(sub->fromClause);
	table = siddhi_find_relation(st, rv->relname);
	if (table == NULL)
		table = siddhi_bind_existing_table(st, rv->relname, rv->location);
	if (table == NULL || table->kind != SIDDHI_REL_TABLE || rv->schemaname)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("a scalar subquery reads a table"),
				 siddhi_errposition(st->app->source, rv->location),
				 errhint("\"%s\" is not a table of the app or of its schema; "
						 "join a stream or window instead.",
						 rv->relname)));
	rel = table_open(table->relid, AccessShareLock);
	pstate = make_parsestate(NULL);
	pstate->p_sourcetext = st->app->source;
	pstate->p_post_columnref_hook = scalar_event_hook;
	pstate->p_ref_hook_state = &sc;
	addNSItemToQuery(
		pstate,
		addRangeTableEntryForRelation(
			pstate, rel, AccessShareLock,
			makeAlias(rv->alias ? rv->alias->aliasname : table->name, NIL),
			false, true),
		true, true, true);
	value =
		transformExpr(pstate, ((ResTarget *) linitial(sub->targetList))->val,
					  EXPR_KIND_SELECT_TARGET);
	if (sub->whereClause)
	{
		qual = transformExpr(pstate, sub->whereClause, EXPR_KIND_WHERE);
		qual = coerce_to_boolean(pstate, qual, "WHERE");
	}
	if (pstate->p_hasAggs || pstate->p_hasWindowFuncs ||
		pstate->p_hasSubLinks || pstate->p_hasTargetSRFs)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("a scalar subquery reads one row of its table"),
				 errdetail("Aggregates, window functions, set-returning "
						   "functions and nested subqueries are not "
						   "supported in it."),
				 siddhi_errposition(st->app->source, sl->location),
				 errhint("Keep the aggregate in a table of its own, updated "
						 "by a query, and read its row.")));
	assign_expr_collations(pstate, value);
	assign_expr_collations(pstate, qual);
	qry = makeNode(Query);
	qry->commandType = CMD_SELECT;
	qry->querySource = QSRC_ORIGINAL;
	qry->canSetTag = true;
	qry->rtable = pstate->p_rtable;
	qry->jointree = makeFromExpr(pstate->p_joinlist, qual);
	qry->targetList =
		list_make1(makeTargetEntry((Expr *) value, 1, "value", false));
	/* two rows are enough to know there are too many */
	qry->limitCount = (Node *) makeConst(INT8OID, -1, InvalidOid, 8,
										 Int64GetDatum(2), false, true);
	if (!ExecCheckRTPerms(qry->rtable, false))
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("permission denied to read \"%s\"", table->name),
				 siddhi_errposition(st->app->source, sl->location)));
	table_close(rel, AccessShareLock);
	free_parsestate(pstate);
	mp->probe = qry;
	mp->result_type = exprType(value);
	mp->result_typmod = exprTypmod(value);
	mp->result_collation = exprCollation(value);
	if (outer == NULL)
	{
		TupleDesc idesc = RelationGetDescr(input);

		for (int i = 0; i < idesc->natts; i++)
			mp->param_types = lappend_oid(mp->param_types,
										  TupleDescAttr(idesc, i)->atttypid);
	}
	else
	{
		ListCell *lc;

		mp->args = sc.args;
		foreach(lc, sc.args)
			mp->param_types =
				lappend_oid(mp->param_types, exprType(lfirst(lc)));
	}
	qp->memberships = lappend(qp->memberships, mp);
	ref->number = SIDDHI_MEMBERSHIP_PARAM_BASE + list_length(qp->memberships);
	ref->location = sl->location;
	return (Node *) ref;
}

/*
 * The args of a join's or pattern's scalar subqueries onto its combined
 * row, with the mutator that renumbers its select list.
 */
void
siddhi_scalar_args_finish(SiddhiQueryPlan *qp,
						  Node *(*mutator)(Node *, void *), void *context)
{
	ListCell *lc;

	foreach(lc, qp->memberships)
	{
		SiddhiMembershipPlan *mp = lfirst(lc);

		mp->args = (List *) mutator((Node *) mp->args, context);
	}
}
