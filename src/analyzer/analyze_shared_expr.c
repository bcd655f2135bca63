/*-------------------------------------------------------------------------
 *
 * analyze_shared_expr.c
 *	  Subexpressions the queries of an app share (issue 16, common
 *	  subexpressions across queries).
 *
 * analyze_shared.c shares whole conjuncts of filters; this file shares the
 * pieces inside them and inside selects: `upper(symbol)` in the filter of
 * one query and the select of two others, `price * volume` in five
 * selects.  A subexpression that occurs twice or more among the places of
 * an app's queries on one stream that are evaluated on the event the
 * stream delivers is a shared expression: every place reads it as a
 * parameter, which the runtime computes the first time it is read for an
 * event and keeps for the other places (src/runtime/query.c, "Shared
 * expressions").
 *
 * The places: the conjuncts of the filter before the window of a query
 * that analyze_shared.c would consider (a stream input, no join, pattern
 * or partition), and the select of such a query when it makes its row
 * from the event as it arrives (no window, no aggregate, group by, window
 * function, contents, snapshot rate or table operation).  A conjunct
 * shared whole counts once, as the runtime evaluates it once.
 *
 * The subexpressions: those a shared condition may be (the event alone
 * decides their value: immutable functions, no parameter, no subplan),
 * other than a column, a constant or a relabeling, and none that reads the
 * placeholder of an enclosing CASE or domain check; and only those that
 * cost more to compute than to read (worth_sharing).  A parameter is read
 * where the expression was, so a CASE or an AND that skipped the
 * expression skips its parameter too, and an error happens where it did.
 * The largest go first: a shared expression inside a larger one is shared
 * only when it also occurs outside every larger one (the larger one's body
 * counting once).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/pg_proc.h"
#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "optimizer/clauses.h"
#include "optimizer/optimizer.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"
#include "siddhi/analyzer.h"
#include "siddhi/shmem.h"

/* A subexpression found in the places of the queries on a stream. */
typedef struct Candidate
{
	Oid relid;
	Node *expr;
	int size;  /* its nodes: the larger are chosen first */
	int count; /* its occurrences */
	int id;	   /* chosen: its number; else -1 */
} Candidate;

/* The places of one query: its roots. */
typedef struct Places
{
	SiddhiQueryPlan *qp;
	List *conds;   /* of Node *: the conjuncts, or NIL */
	List *targets; /* of TargetEntry *, or NIL */
	List *skip;	   /* of int (bool), parallel to conds: shared whole
					* by an earlier query */
} Places;

typedef struct Walk
{
	Oid relid;
	List **cands; /* collecting: every candidate */
	Candidate *c; /* counting: this one */
	List *chosen; /* counting and rewriting: the chosen, of Candidate * */
	int count;
	int base; /* rewriting: the param number of shared expression 0,
					 * less 1 */
} Walk;

static bool
query_eligible(SiddhiQueryPlan *qp)
{
	return qp->input != NULL && qp->input->kind == SIDDHI_REL_STREAM &&
		   qp->join == NULL && qp->pattern == NULL && qp->partition == NULL;
}

/* Whether the query's select is made from the event as it arrives. */
static bool
select_eligible(SiddhiQueryPlan *qp)
{
	return qp->window == NULL && qp->aggregates == NIL &&
		   qp->group_by == NIL && qp->over == NULL && !qp->contents &&
		   !qp->distinct && qp->table_op == NULL &&
		   qp->rate_kind != SIDDHI_RATE_SNAPSHOT;
}

static bool
has_placeholder_or_param(Node *node, void *context)
{
	if (node == NULL)
		return false;
	if (IsA(node, Param) || IsA(node, CaseTestExpr) ||
		IsA(node, CoerceToDomainValue) || IsA(node, Aggref) ||
		IsA(node, WindowFunc))
		return true;
	return expression_tree_walker(node, has_placeholder_or_param, context);
}

/* The function's procost (1 for builtins, 100 for SQL and plpgsql). */
static double
func_cost(Oid funcid)
{
	HeapTuple tp = SearchSysCache1(PROCOID, ObjectIdGetDatum(funcid));
	double cost;

	if (!HeapTupleIsValid(tp))
		elog(ERROR, "cache lookup failed for function %u", funcid);
	cost = ((Form_pg_proc) GETSTRUCT(tp))->procost;
	ReleaseSysCache(tp);
	return cost;
}

/*
 * What computing node costs, roughly, in units of a builtin operator on
 * values passed by value (float8mul, int8mod): a function its procost,
 * plus 5 when a value in or out is passed by reference (allocation,
 * detoasting, copies); a conversion through text 10.
 */
static bool
add_cost(Node *node, void *context)
{
	double *cost = context;
	Oid funcid = InvalidOid;
	List *args = NIL;

	if (node == NULL)
		return false;
	switch (nodeTag(node))
	{
		case T_FuncExpr:
			funcid = ((FuncExpr *) node)->funcid;
			args = ((FuncExpr *) node)->args;
			break;
		case T_OpExpr:
		case T_DistinctExpr:
		case T_NullIfExpr:
			funcid = get_opcode(((OpExpr *) node)->opno);
			args = ((OpExpr *) node)->args;
			break;
		case T_ScalarArrayOpExpr:
			funcid = get_opcode(((ScalarArrayOpExpr *) node)->opno);
			args = ((ScalarArrayOpExpr *) node)->args;
			break;
		case T_CoerceViaIO:
			*cost += 10;
			break;
		case T_ArrayExpr:
		case T_RowExpr:
			*cost += 5;
			break;
		case T_Var:
		case T_Const:
			break;
		default:
			*cost += 1;
			break;
	}
	if (OidIsValid(funcid))
	{
		bool byref = !get_typbyval(exprType(node));
		ListCell *lc;

		foreach(lc, args)
			byref |= !get_typbyval(exprType(lfirst(lc)));
		*cost += func_cost(funcid) + (byref ? 5 : 0);
	}
	return expression_tree_walker(node, add_cost, context);
}

/*
 * Whether reading node as a shared expression saves more than it costs:
 * a read (a call through the param hook and a check of the event's
 * number, a copy of a value passed by reference) costs about as much as
 * five builtin operators, so float8 arithmetic stays where it is and
 * text functions, conversions and SQL or plpgsql functions are shared.
 */
static bool
worth_sharing(Node *node)
{
	double cost = 0;

	add_cost(node, &cost);
	return cost >= 5;
}

static bool
candidate(Node *node)
{
	if (node == NULL)
		return false;
	switch (nodeTag(node))
	{
		case T_FuncExpr:
		case T_OpExpr:
		case T_DistinctExpr:
		case T_NullIfExpr:
		case T_ScalarArrayOpExpr:
		case T_BoolExpr:
		case T_CoerceViaIO:
		case T_CaseExpr:
		case T_CoalesceExpr:
		case T_MinMaxExpr:
		case T_NullTest:
		case T_BooleanTest:
		case T_ArrayExpr:
		case T_RowExpr:
			break;
		default:
			return false; /* a column, a constant, a relabeling, .. */
	}
	return !contain_mutable_functions(node) && !contain_subplans(node) &&
		   !has_placeholder_or_param(node, NULL) && worth_sharing(node);
}

static bool
count_nodes(Node *node, void *context)
{
	if (node == NULL)
		return false;
	(*(int *) context)++;
	return expression_tree_walker(node, count_nodes, context);
}

static Candidate *
find(List *list, Oid relid, Node *expr)
{
	ListCell *lc;

	foreach(lc, list)
	{
		Candidate *c = lfirst(lc);

		if (c->relid == relid && equal(c->expr, expr))
			return c;
	}
	return NULL;
}

/* Collect every candidate under node (node included when asked). */
static bool
collect(Node *node, Walk *w)
{
	if (node == NULL)
		return false;
	if (candidate(node))
	{
		Candidate *c = find(*w->cands, w->relid, node);

		if (c == NULL)
		{
			c = palloc0(sizeof(Candidate));
			c->relid = w->relid;
			c->expr = node;
			count_nodes(node, &c->size);
			c->id = -1;
			*w->cands = lappend(*w->cands, c);
		}
		c->count++;
	}
	return expression_tree_walker(node, collect, w);
}

/*
 * Count w->c's occurrences under node, not looking inside a chosen
 * shared expression (read as a parameter there).
 */
static bool
count_in(Node *node, Walk *w)
{
	if (node == NULL)
		return false;
	if (find(w->chosen, w->relid, node) != NULL)
		return false;
	if (equal(node, w->c->expr))
	{
		w->count++;
		return false;
	}
	return expression_tree_walker(node, count_in, w);
}

static Node *
rewrite(Node *node, Walk *w)
{
	Candidate *c;

	if (node == NULL)
		return NULL;
	if ((c = find(w->chosen, w->relid, node)) != NULL)
	{
		Param *p = makeNode(Param);

		p->paramkind = PARAM_EXTERN;
		p->paramid = w->base + 1 + c->id;
		p->paramtype = exprType(node);
		p->paramtypmod = exprTypmod(node);
		p->paramcollid = exprCollation(node);
		p->location = -1;
		return (Node *) p;
	}
	return expression_tree_mutator(node, rewrite, w);
}

static int
by_size_desc(const ListCell *a, const ListCell *b)
{
	Candidate *ca = lfirst(a);
	Candidate *cb = lfirst(b);

	return cb->size - ca->size;
}

/* The places of each eligible query, in the app's order. */
static List *
places_of(SiddhiAppPlan *plan)
{
	List *out = NIL;
	List *walked = NIL; /* shared conditions seen */
	ListCell *lq;

	foreach(lq, plan->queries)
	{
		SiddhiQueryPlan *qp = lfirst(lq);
		Places *p;
		ListCell *lc;

		if (!query_eligible(qp))
			continue;
		p = palloc0(sizeof(Places));
		p->qp = qp;
		if (qp->qual_conds != NIL)
		{
			ListCell *li;

			p->conds = qp->qual_conds;
			forboth(lc, qp->qual_conds, li, qp->qual_shared)
			{
				int id = lfirst_int(li);
				bool skip = id >= 0 && list_member_int(walked, id);

				if (id >= 0 && !skip)
					walked = lappend_int(walked, id);
				p->skip = lappend_int(p->skip, skip);
			}
		}
		else
			foreach(lc, qp->qual)
			{
				ListCell *la;
				List *ands = make_ands_implicit(lfirst(lc));

				foreach(la, ands)
				{
					p->conds = lappend(p->conds, lfirst(la));
					p->skip = lappend_int(p->skip, false);
				}
			}
		if (select_eligible(qp))
			p->targets = qp->targetlist;
		out = lappend(out, p);
	}
	return out;
}

/* Walk each place of each query with fn (a conjunct's children only). */
static void
walk_places(List *places, bool (*fn)(Node *, Walk *), Walk *w)
{
	ListCell *lp;

	foreach(lp, places)
	{
		Places *p = lfirst(lp);
		ListCell *lc;
		ListCell *ls;

		w->relid = p->qp->input->relid;
		forboth(lc, p->conds, ls, p->skip)
			if (!lfirst_int(ls))
				expression_tree_walker(lfirst(lc), fn, w);
		foreach(lc, p->targets)
			fn((Node *) ((TargetEntry *) lfirst(lc))->expr, w);
	}
}

/* Collecting the shared expressions an expression reads: their params. */
typedef struct Reads
{
	int base;
	List *ids; /* of int */
} Reads;

static bool
reads_walk(Node *node, Reads *r)
{
	if (node == NULL)
		return false;
	if (IsA(node, Param) && ((Param *) node)->paramkind == PARAM_EXTERN &&
		((Param *) node)->paramid > r->base)
		r->ids = list_append_unique_int(r->ids, ((Param *) node)->paramid -
													r->base - 1);
	return expression_tree_walker(node, reads_walk, r);
}

/*
 * Each query's shared expressions with those they read in turn (the
 * larger ones' bodies), and how many queries read each.
 */
static void
close_reads(SiddhiAppPlan *plan, List *places)
{
	ListCell *lp;
	ListCell *lc;

	foreach(lp, places)
	{
		SiddhiQueryPlan *qp = ((Places *) lfirst(lp))->qp;

		/* the list grows as it is read: what each body reads joins it */
		foreach(lc, qp->shared_exprs)
		{
			SiddhiSharedExpr *se =
				list_nth(plan->shared_exprs, lfirst_int(lc));
			Reads r = { 0, NIL };
			ListCell *li;

			reads_walk((Node *) se->exec, &r);
			foreach(li, r.ids)
				qp->shared_exprs =
					list_append_unique_int(qp->shared_exprs, lfirst_int(li));
		}
		foreach(lc, qp->shared_exprs)
			((SiddhiSharedExpr *) list_nth(plan->shared_exprs, lfirst_int(lc)))
				->users++;
	}
}

void
siddhi_derive_shared_exprs(SiddhiAppPlan *plan)
{
	List *places;
	List *cands = NIL;
	List *chosen = NIL;
	ListCell *lc;
	ListCell *lp;
	Walk w = { 0 };
	int n = 0;

	plan->shared_exprs = NIL;
	if (!siddhi_common_subexpressions)
		return;
	places = places_of(plan);
	w.cands = &cands;
	walk_places(places, collect, &w);
	foreach(lc, cands)
	{
		Candidate *c = lfirst(lc);

		if (c->count >= 2)
			chosen = lappend(chosen, c);
	}
	if (chosen == NIL)
		return;
	list_sort(chosen, by_size_desc);
	/* the largest first; a smaller one counts where no larger one is */
	cands = chosen;
	chosen = NIL;
	foreach(lc, cands)
	{
		Candidate *c = lfirst(lc);
		ListCell *lo;

		w.c = c;
		w.chosen = chosen;
		w.count = 0;
		walk_places(places, count_in, &w);
		foreach(lo, chosen)
		{
			Candidate *o = lfirst(lo);

			if (o->relid != c->relid)
				continue;
			w.relid = o->relid;
			expression_tree_walker(o->expr, count_in, &w);
		}
		if (w.count >= 2)
		{
			c->id = n++;
			chosen = lappend(chosen, c);
		}
	}
	if (chosen == NIL)
		return;
	/* each query's places with the shared expressions as params */
	w.chosen = chosen;
	foreach(lp, places)
	{
		Places *p = lfirst(lp);
		SiddhiQueryPlan *qp = p->qp;
		List *conds = NIL;
		List *targets = NIL;
		bool conds_changed = false;
		bool changed = false;
		ListCell *ls;

		w.relid = qp->input->relid;
		w.base = list_length(qp->memberships);
		forboth(lc, p->conds, ls, p->skip)
		{
			Node *cond = lfirst(lc);
			Node *ex = expression_tree_mutator(cond, rewrite, &w);

			conds_changed |= !equal(cond, ex);
			conds = lappend(conds, ex);
		}
		foreach(lc, p->targets)
		{
			TargetEntry *te = flatCopyTargetEntry(lfirst(lc));

			te->expr = (Expr *) rewrite((Node *) te->expr, &w);
			changed |= !equal(te->expr, ((TargetEntry *) lfirst(lc))->expr);
			targets = lappend(targets, te);
		}
		changed |= conds_changed;
		if (!changed)
			continue;
		/* the shared expressions it reads, by their params */
		{
			Reads r = { w.base, NIL };

			reads_walk((Node *) conds, &r);
			reads_walk((Node *) targets, &r);
			qp->shared_exprs = r.ids;
		}
		/* its filter as conjuncts, when one reads a shared expression */
		if (conds_changed)
		{
			if (qp->qual_conds == NIL)
			{
				qp->qual_conds = p->conds;
				foreach(lc, conds)
					qp->qual_shared = lappend_int(qp->qual_shared, -1);
			}
			qp->exec_conds = conds;
		}
		if (p->targets != NIL)
			qp->exec_targetlist = targets;
	}
	foreach(lc, chosen)
	{
		Candidate *c = lfirst(lc);
		SiddhiSharedExpr *se = palloc0(sizeof(SiddhiSharedExpr));

		w.relid = c->relid;
		w.base = 0;
		se->relid = c->relid;
		se->expr = (Expr *) c->expr;
		se->exec = (Expr *) expression_tree_mutator(c->expr, rewrite, &w);
		plan->shared_exprs = lappend(plan->shared_exprs, se);
	}
	close_reads(plan, places);
}
