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
#include "common/hashfn.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "utils/hsearch.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"
#include "siddhi/analyzer.h"
#include "siddhi/shmem.h"

/* A subexpression found in the places of the queries on a stream. */
typedef struct Candidate
{
	Oid relid;
	Node *expr;
	uint32 hash;
	int size;  /* its nodes: the larger are chosen first */
	int count; /* its occurrences */
	int id;	   /* chosen: its number; else -1 */
} Candidate;

/*
 * What the first walk learned of a node of the places, found again by
 * its address: each later step looks a node up instead of walking under
 * it again, so that deriving stays about linear in the app's size (a sum
 * of a thousand terms has a thousand nested subexpressions).
 */
typedef struct NodeInfo
{
	Node *node; /* key */
	uint32 hash;
	int size;	 /* nodes under it, itself included */
	double cost; /* add_cost */
	bool bad;	 /* never shared, nor anything above it */
} NodeInfo;

/* Candidates by hash: those whose hash is the key. */
typedef struct Bucket
{
	uint32 hash; /* key */
	List *cands; /* of Candidate * */
} Bucket;

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
	HTAB *infos;	/* of NodeInfo */
	HTAB *by_hash;	/* of Bucket: every candidate */
	List *cands;	/* every candidate, as found */
	bool recording; /* the first walk: candidates are counted */
	long nodes;		/* the first walk: nodes seen */
	Candidate *c;	/* counting: this one */
	HTAB *chosen;	/* counting and rewriting: of Bucket, the chosen */
	int min_chosen; /* the smallest chosen's size */
	int count;
	int base; /* rewriting: the param number of shared expression 0,
			   * less 1 */
} Walk;

/*
 * The most candidates the counting step weighs, times the nodes of the
 * places: what is left over (the smallest) is not shared.
 */
#define COUNTING_BUDGET 20000000L

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
 * What computing node itself costs, roughly, in units of a builtin
 * operator on values passed by value (float8mul, int8mod): a function its
 * procost, plus 5 when a value in or out is passed by reference
 * (allocation, detoasting, copies); a conversion through text 10.
 */
static double
own_cost(Node *node)
{
	Oid funcid = InvalidOid;
	List *args = NIL;
	bool byref;
	ListCell *lc;

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
			return 10;
		case T_ArrayExpr:
		case T_RowExpr:
			return 5;
		case T_Var:
		case T_Const:
		case T_RelabelType:
		case T_CaseWhen:
		case T_List:
			return 0;
		default:
			return 1;
	}
	byref = !get_typbyval(exprType(node));
	foreach(lc, args)
		byref |= !get_typbyval(exprType(lfirst(lc)));
	return func_cost(funcid) + (byref ? 5 : 0);
}

static bool
mutable_func(Oid funcid, void *context)
{
	return func_volatile(funcid) != PROVOLATILE_IMMUTABLE;
}

/*
 * Whether node itself keeps it, and all above it, from being shared: a
 * kind of node the event alone may not decide (a parameter, as a
 * membership probe's or a query's own, a subplan, the placeholder of an
 * enclosing CASE or domain check, an aggregate), or a function that is
 * not immutable (a stable one may read a table an earlier query of the
 * same event just wrote).
 */
static bool
own_bad(Node *node)
{
	switch (nodeTag(node))
	{
		case T_Var:
		case T_Const:
		case T_FuncExpr:
		case T_OpExpr:
		case T_DistinctExpr:
		case T_NullIfExpr:
		case T_ScalarArrayOpExpr:
		case T_BoolExpr:
		case T_CoerceViaIO:
		case T_RelabelType:
		case T_CaseExpr:
		case T_CaseWhen:
		case T_CoalesceExpr:
		case T_MinMaxExpr:
		case T_NullTest:
		case T_BooleanTest:
		case T_ArrayExpr:
		case T_RowExpr:
		case T_List: /* the walker hands some nodes' arguments over whole */
			return check_functions_in_node(node, mutable_func, NULL);
		default:
			return true;
	}
}

/* The kinds of node that may be shared (not a column, constant, ..). */
static bool
sharable_kind(Node *node)
{
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
			return true;
		default:
			return false;
	}
}

/* A hash of node itself (its kind and what tells it from its kin). */
static uint32
own_hash(Node *node)
{
	uint32 h = murmurhash32((uint32) nodeTag(node));
	uint32 v = 0;

	switch (nodeTag(node))
	{
		case T_Var:
			v = ((Var *) node)->varattno * 31 + ((Var *) node)->varno;
			break;
		case T_Const:
		{
			Const *c = (Const *) node;

			v = c->consttype;
			if (!c->constisnull && c->constbyval)
				v ^= murmurhash32((uint32) DatumGetUInt64(c->constvalue));
			else if (!c->constisnull && c->constlen == -1)
				v ^= DatumGetUInt32(
					hash_any((unsigned char *) VARDATA_ANY(c->constvalue),
							 VARSIZE_ANY_EXHDR(c->constvalue)));
			break;
		}
		case T_FuncExpr:
			v = ((FuncExpr *) node)->funcid;
			break;
		case T_OpExpr:
		case T_DistinctExpr:
		case T_NullIfExpr:
			v = ((OpExpr *) node)->opno;
			break;
		case T_ScalarArrayOpExpr:
			v = ((ScalarArrayOpExpr *) node)->opno;
			break;
		case T_BoolExpr:
			v = ((BoolExpr *) node)->boolop;
			break;
		case T_CoerceViaIO:
			v = ((CoerceViaIO *) node)->resulttype;
			break;
		case T_RelabelType:
			v = ((RelabelType *) node)->resulttype;
			break;
		default:
			break;
	}
	return hash_combine(h, murmurhash32(v));
}

/* siddhi_expr_hash's walker: the children's hashes, in order. */
static bool
expr_hash_walker(Node *node, uint32 *h)
{
	if (node == NULL)
		return false;
	*h = hash_combine(*h, siddhi_expr_hash(node));
	return false;
}

/*
 * A hash of an expression that equal() expressions share (locations play
 * no part); the hash visit() gives each node, for analyze_shared.c.
 */
uint32
siddhi_expr_hash(Node *node)
{
	uint32 h = 0;

	if (node == NULL)
		return 0;
	check_stack_depth();
	expression_tree_walker(node, expr_hash_walker, &h);
	return hash_combine(own_hash(node), h);
}

static NodeInfo *visit(Node *node, Walk *w);

/* visit's walker over a node's children: their sum. */
typedef struct Children
{
	Walk *w;
	uint32 hash;
	int size;
	double cost;
	bool bad;
} Children;

static bool
visit_child(Node *node, Children *ch)
{
	NodeInfo *ni = visit(node, ch->w);

	if (ni != NULL)
	{
		ch->hash = hash_combine(ch->hash, ni->hash);
		ch->size += ni->size;
		ch->cost += ni->cost;
		ch->bad |= ni->bad;
	}
	return false;
}

static Candidate *
find_in(HTAB *table, Oid relid, Node *node, uint32 hash)
{
	Bucket *b = hash_search(table, &hash, HASH_FIND, NULL);
	ListCell *lc;

	if (b == NULL)
		return NULL;
	foreach(lc, b->cands)
	{
		Candidate *c = lfirst(lc);

		if (c->relid == relid && equal(c->expr, node))
			return c;
	}
	return NULL;
}

static void
add_to(HTAB *table, Candidate *c)
{
	bool found;
	Bucket *b = hash_search(table, &c->hash, HASH_ENTER, &found);

	if (!found)
		b->cands = NIL;
	b->cands = lappend(b->cands, c);
}

/*
 * The first walk: what each node under node is (NodeInfo), and, when
 * recording, each that may be shared counted as a candidate.
 */
static NodeInfo *
visit(Node *node, Walk *w)
{
	NodeInfo *ni;
	Children ch = { w, 0, 0, 0, false };
	bool found;

	if (node == NULL)
		return NULL;
	check_stack_depth();
	ni = hash_search(w->infos, &node, HASH_ENTER, &found);
	if (found)
		return ni;
	expression_tree_walker(node, visit_child, &ch);
	ni->hash = hash_combine(own_hash(node), ch.hash);
	ni->size = 1 + ch.size;
	ni->cost = ch.cost + own_cost(node);
	ni->bad = ch.bad || own_bad(node);
	w->nodes++;
	/* worth it when it costs more to compute than to read (below) */
	if (w->recording && !ni->bad && sharable_kind(node) && ni->cost >= 5)
	{
		Candidate *c = find_in(w->by_hash, w->relid, node, ni->hash);

		if (c == NULL)
		{
			c = palloc0(sizeof(Candidate));
			c->relid = w->relid;
			c->expr = node;
			c->hash = ni->hash;
			c->size = ni->size;
			c->id = -1;
			add_to(w->by_hash, c);
			w->cands = lappend(w->cands, c);
		}
		c->count++;
	}
	return ni;
}

static NodeInfo *
info_of(Walk *w, Node *node)
{
	NodeInfo *ni = hash_search(w->infos, &node, HASH_FIND, NULL);

	if (ni == NULL)
		elog(ERROR, "shared expressions: a node of a query was not seen");
	return ni;
}

/* The chosen shared expression node is, or NULL. */
static Candidate *
chosen_as(Walk *w, Node *node, NodeInfo *ni)
{
	if (w->chosen == NULL || ni->size < w->min_chosen)
		return NULL;
	return find_in(w->chosen, w->relid, node, ni->hash);
}

/*
 * Count w->c's occurrences under node, not looking inside a chosen
 * shared expression (read as a parameter there).
 */
static bool
count_in(Node *node, Walk *w)
{
	NodeInfo *ni;

	if (node == NULL)
		return false;
	ni = info_of(w, node);
	if (ni->size < w->c->size)
		return false; /* too small to hold it */
	if (chosen_as(w, node, ni) != NULL)
		return false;
	if (ni->hash == w->c->hash && ni->size == w->c->size &&
		w->relid == w->c->relid && equal(node, w->c->expr))
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
	NodeInfo *ni;

	if (node == NULL)
		return NULL;
	/* the mutator also hands over what the walker did not (a CaseWhen) */
	ni = hash_search(w->infos, &node, HASH_FIND, NULL);
	if (ni != NULL && (c = chosen_as(w, node, ni)) != NULL)
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

/*
 * Walk each place of each query, a conjunct's children only: the first
 * walk (visit) sees every place and records a conjunct shared whole once;
 * counting (count_in) walks the places that count.
 */
static void
walk_places(List *places, Walk *w, bool first)
{
	ListCell *lp;

	foreach(lp, places)
	{
		Places *p = lfirst(lp);
		ListCell *lc;
		ListCell *ls;

		w->relid = p->qp->input->relid;
		forboth(lc, p->conds, ls, p->skip)
		{
			Children ch = { w, 0, 0, 0, false };

			if (first)
			{
				w->recording = !lfirst_int(ls);
				expression_tree_walker(lfirst(lc), visit_child, &ch);
			}
			else if (!lfirst_int(ls))
				expression_tree_walker(lfirst(lc), count_in, w);
		}
		w->recording = first;
		foreach(lc, p->targets)
		{
			Node *e = (Node *) ((TargetEntry *) lfirst(lc))->expr;

			if (first)
				visit(e, w);
			else
				count_in(e, w);
		}
	}
	w->recording = false;
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
	HASHCTL ctl = { 0 };
	long budget;
	int n = 0;

	plan->shared_exprs = NIL;
	if (!siddhi_common_subexpressions)
		return;
	places = places_of(plan);
	if (places == NIL)
		return;
	ctl.keysize = sizeof(Node *);
	ctl.entrysize = sizeof(NodeInfo);
	ctl.hcxt = CurrentMemoryContext;
	w.infos = hash_create("siddhi shared expression nodes", 256, &ctl,
						  HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
	ctl.keysize = sizeof(uint32);
	ctl.entrysize = sizeof(Bucket);
	w.by_hash = hash_create("siddhi shared expression candidates", 256, &ctl,
							HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
	walk_places(places, &w, true);
	foreach(lc, w.cands)
	{
		Candidate *c = lfirst(lc);

		if (c->count >= 2)
			cands = lappend(cands, c);
	}
	if (cands == NIL)
		return;
	list_sort(cands, by_size_desc);
	/* each candidate weighed costs a walk of the places: the largest first */
	budget = Max(1, COUNTING_BUDGET / Max(w.nodes, 1));
	if (list_length(cands) > budget)
		cands = list_truncate(cands, (int) budget);
	/* a smaller one counts where no larger one chosen is */
	w.chosen = hash_create("siddhi shared expressions", 64, &ctl,
						   HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
	w.min_chosen = INT_MAX;
	foreach(lc, cands)
	{
		Candidate *c = lfirst(lc);
		ListCell *lo;

		w.c = c;
		w.count = 0;
		walk_places(places, &w, false);
		/* a larger one's body counts once */
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
			add_to(w.chosen, c);
			w.min_chosen = Min(w.min_chosen, c->size);
		}
	}
	if (chosen == NIL)
		return;
	/* each query's places with the shared expressions as params */
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
