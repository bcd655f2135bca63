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
} ScalarContext;

/* A name the table does not have: the event's attribute, as $k. */
static Node *
scalar_event_hook(ParseState *pstate, ColumnRef *cref, Node *var)
{
	ScalarContext *sc = pstate->p_ref_hook_state;

	if (var != NULL)
		return NULL;
	return siddhi_event_attr_param(sc->input, sc->refname, cref);
}

/*
 * A scalar subquery of a filter: a membership plan whose value is the
 * subquery's; returns the raw ParamRef that stands for it.
 */
Node *
siddhi_scalar_subquery(AnalyzeState *st, SiddhiQueryPlan *qp, Relation input,
					   const char *refname, SubLink *sl)
{
	SelectStmt *sub = (SelectStmt *) sl->subselect;
	ScalarContext sc = { input, refname };
	SiddhiMembershipPlan *mp = palloc0(sizeof(SiddhiMembershipPlan));
	ParseState *pstate;
	RangeVar *rv;
	SiddhiRelation *table;
	Relation rel;
	Query *qry;
	Node *value;
	Node *qual = NULL;
	TupleDesc idesc = RelationGetDescr(input);
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
	for (int i = 0; i < idesc->natts; i++)
		mp->param_types =
			lappend_oid(mp->param_types, TupleDescAttr(idesc, i)->atttypid);
	qp->memberships = lappend(qp->memberships, mp);
	ref->number = SIDDHI_MEMBERSHIP_PARAM_BASE + list_length(qp->memberships);
	ref->location = sl->location;
	return (Node *) ref;
}
