/*-------------------------------------------------------------------------
 *
 * explain_expr.c
 *	  The expressions of a plan as PostgreSQL deparses them, for EXPLAIN.
 *
 * A plan's expressions are analysed and planned (siddhi_finish_expr), and
 * their Vars read one row: the input stream, or the combined row of a
 * join or pattern (the sides, or the pattern's regions, side by side),
 * or for an expression window the event, the window's first (INNER_VAR)
 * and last (OUTER_VAR) events.  Here each Var goes back to the segment
 * it reads, as a range-table entry of its own named as the app names it
 * (a stream, a join side's alias, e1 or e2[last] of a pattern), and
 * ruleutils' deparse_expression prints the expression as EXPLAIN of a
 * PostgreSQL plan would.  An aggregator's value (PARAM_EXEC k) prints as
 * $k+1, the number EXPLAIN lists the aggregators under.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/relation.h"
#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "nodes/plannodes.h"
#include "siddhi/explain.h"
#include "utils/rel.h"
#include "utils/ruleutils.h"

typedef struct ExplainSegment
{
	int varno;	/* the Vars it takes: this varno, */
	int offset; /* attributes offset+1 .. offset+natts */
	int natts;
	char *refname;
	List *colnames; /* of String */
} ExplainSegment;

struct SiddhiExplainCols
{
	List *segments; /* of ExplainSegment * */
};

static List *
desc_colnames(TupleDesc desc, int offset, int natts)
{
	List *names = NIL;

	for (int i = offset; i < offset + natts && i < desc->natts; i++)
	{
		Form_pg_attribute a = TupleDescAttr(desc, i);

		names = lappend(
			names, makeString(pstrdup(a->attisdropped ? "?dropped?"
													  : NameStr(a->attname))));
	}
	return names;
}

void
siddhi_explain_cols_add(SiddhiExplainCols *c, int varno, const char *refname,
						TupleDesc desc, int offset, int natts)
{
	ExplainSegment *s = palloc0(sizeof(ExplainSegment));

	s->varno = varno;
	s->offset = offset;
	s->natts = natts;
	s->refname = pstrdup(refname);
	s->colnames = desc ? desc_colnames(desc, offset, natts) : NIL;
	c->segments = lappend(c->segments, s);
}

SiddhiExplainCols *
siddhi_explain_cols_new(void)
{
	return palloc0(sizeof(SiddhiExplainCols));
}

SiddhiExplainCols *
siddhi_explain_cols_desc(const char *refname, TupleDesc desc)
{
	SiddhiExplainCols *c = palloc0(sizeof(SiddhiExplainCols));

	siddhi_explain_cols_add(c, 1, refname, desc, 0, desc ? desc->natts : 0);
	return c;
}

SiddhiExplainCols *
siddhi_explain_cols_rel(const char *refname, Oid relid)
{
	Relation rel = relation_open(relid, AccessShareLock);
	SiddhiExplainCols *c =
		siddhi_explain_cols_desc(refname, RelationGetDescr(rel));

	relation_close(rel, AccessShareLock);
	return c;
}

/* Each Var onto its segment's range-table entry; aggregator params $k. */
static Node *
segment_mutator(Node *node, SiddhiExplainCols *c)
{
	if (node == NULL)
		return NULL;
	if (IsA(node, Var) && ((Var *) node)->varlevelsup == 0)
	{
		Var *v = copyObject((Var *) node);
		int i = 0;
		ListCell *lc;

		foreach(lc, c->segments)
		{
			ExplainSegment *s = lfirst(lc);

			i++;
			if (v->varno == s->varno && v->varattno > s->offset &&
				v->varattno <= s->offset + s->natts)
			{
				v->varno = v->varnosyn = i;
				v->varattno -= s->offset;
				v->varattnosyn = v->varattno;
				return (Node *) v;
			}
		}
		/* a whole-row or system column: shown as a value of its type */
		return (Node *) makeNullConst(v->vartype, v->vartypmod, v->varcollid);
	}
	if (IsA(node, Param) && ((Param *) node)->paramkind == PARAM_EXEC)
	{
		Param *p = copyObject((Param *) node);

		p->paramkind = PARAM_EXTERN;
		p->paramid += 1;
		return (Node *) p;
	}
	return expression_tree_mutator(node, segment_mutator, c);
}

char *
siddhi_explain_expr(SiddhiExplainCols *c, Node *expr)
{
	PlannedStmt *pstmt = makeNode(PlannedStmt);
	List *names = NIL;
	List *context;
	ListCell *lc;

	if (expr == NULL)
		return NULL;
	foreach(lc, c->segments)
	{
		ExplainSegment *s = lfirst(lc);
		RangeTblEntry *rte = makeNode(RangeTblEntry);

		rte->rtekind = RTE_SUBQUERY;
		rte->alias = makeAlias(s->refname, s->colnames);
		rte->eref = rte->alias;
		rte->inFromCl = true;
		pstmt->rtable = lappend(pstmt->rtable, rte);
		names = lappend(names, s->refname);
	}
	context = deparse_context_for_plan_tree(pstmt, names);
	return deparse_expression(segment_mutator(expr, c), context,
							  list_length(c->segments) > 1, false);
}

/* Several expressions, each deparsed, joined by sep. */
char *
siddhi_explain_exprs(SiddhiExplainCols *c, List *exprs, const char *sep)
{
	StringInfoData buf;
	ListCell *lc;

	if (exprs == NIL)
		return NULL;
	initStringInfo(&buf);
	foreach(lc, exprs)
	{
		if (buf.len > 0)
			appendStringInfoString(&buf, sep);
		appendStringInfoString(&buf, siddhi_explain_expr(c, lfirst(lc)));
	}
	return buf.data;
}
