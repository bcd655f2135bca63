/*-------------------------------------------------------------------------
 *
 * analyze_shared.c
 *	  Conditions the queries of an app share (issue 16, common
 *	  subexpressions across queries).
 *
 * Queries of one app that read the same stream often filter it the same
 * way: `from Stock[price > 100 and volume > 1000]#window.length(10)` in
 * one, `.. #window.time(1 min)` in another.  A conjunct of a query's
 * filter that another query of the app on the same stream has too (equal
 * once planned) is a shared condition: the runtime evaluates it once per
 * event, when the first of those queries reaches it, and the others take
 * its value (src/runtime/query.c).  The value is the same whoever
 * evaluates it: the same event, the same owner (the app's), and the
 * conjunct depends on the event alone (shareable); nothing is evaluated
 * ahead of its turn, so an
 * AND still stops at the first false conjunct and an error still happens
 * where it did.  Queries of a partition, a join or a pattern filter by
 * other paths and share nothing here.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "nodes/makefuncs.h"
#include "optimizer/clauses.h"
#include "nodes/nodeFuncs.h"
#include "optimizer/optimizer.h"
#include "siddhi/analyzer.h"
#include "utils/hsearch.h"
#include "siddhi/shmem.h"

typedef struct Candidate
{
	Oid relid;
	Node *cond;
	int users;		/* queries that have it */
	int last_query; /* the last of them, by its place in the app */
	int id;			/* shared: its number; else -1 */
} Candidate;

/* Candidates by the hash of their condition (siddhi_expr_hash). */
typedef struct Bucket
{
	uint32 hash; /* key */
	List *cands; /* of Candidate * */
} Bucket;

static bool
eligible(SiddhiQueryPlan *qp)
{
	return qp->input != NULL && qp->input->kind == SIDDHI_REL_STREAM &&
		   qp->join == NULL && qp->pattern == NULL && qp->partition == NULL &&
		   qp->qual != NIL;
}

/* The query's filter as conjuncts: its ANDs flattened, in order. */
static List *
conjuncts(SiddhiQueryPlan *qp)
{
	List *out = NIL;
	ListCell *lc;

	foreach(lc, qp->qual)
		out = list_concat(out, make_ands_implicit(lfirst(lc)));
	return out;
}

static bool
has_param(Node *node, void *context)
{
	if (node == NULL)
		return false;
	if (IsA(node, Param))
		return true;
	return expression_tree_walker(node, has_param, context);
}

/*
 * A conjunct whose value depends on the event alone: immutable functions
 * only (a stable one may read a table an earlier query of the same event
 * just wrote), no parameter (a query's own, as a membership probe's) and
 * no subplan.
 */
static bool
shareable(Node *cond)
{
	return !contain_mutable_functions(cond) && !contain_subplans(cond) &&
		   !has_param(cond, NULL);
}

/*
 * The candidate for cond on relid, or NULL; with add, a new one when there
 * is none.  By hash, so that a filter of thousands of conjuncts is not
 * compared with itself pair by pair.
 */
static Candidate *
find(HTAB *cands, Oid relid, Node *cond, bool add)
{
	uint32 hash = siddhi_expr_hash(cond);
	bool found;
	Bucket *b =
		hash_search(cands, &hash, add ? HASH_ENTER : HASH_FIND, &found);
	Candidate *c;
	ListCell *lc;

	if (b == NULL)
		return NULL;
	if (!found)
		b->cands = NIL;
	foreach(lc, b->cands)
	{
		c = lfirst(lc);
		if (c->relid == relid && equal(c->cond, cond))
			return c;
	}
	if (!add)
		return NULL;
	c = palloc0(sizeof(Candidate));
	c->relid = relid;
	c->cond = cond;
	c->id = -1;
	b->cands = lappend(b->cands, c);
	return c;
}

void
siddhi_derive_shared_conditions(SiddhiAppPlan *plan)
{
	List *cands = NIL; /* in the order found */
	HTAB *by_hash;
	HASHCTL ctl = { 0 };
	ListCell *lq;
	ListCell *lc;
	int nquery = 0;

	plan->nshared = 0;
	if (!siddhi_common_subexpressions)
		return;
	ctl.keysize = sizeof(uint32);
	ctl.entrysize = sizeof(Bucket);
	ctl.hcxt = CurrentMemoryContext;
	by_hash = hash_create("siddhi shared conditions", 64, &ctl,
						  HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
	foreach(lq, plan->queries)
	{
		SiddhiQueryPlan *qp = lfirst(lq);

		nquery++;
		qp->qual_conds = NIL;
		qp->qual_shared = NIL;
		if (!eligible(qp))
			continue;
		foreach(lc, conjuncts(qp))
		{
			Node *cond = lfirst(lc);
			Candidate *c;

			if (!shareable(cond))
				continue;
			c = find(by_hash, qp->input->relid, cond, true);
			if (c->users == 0)
				cands = lappend(cands, c);
			/* a query counts once per condition */
			if (c->last_query != nquery)
			{
				c->users++;
				c->last_query = nquery;
			}
		}
	}
	foreach(lc, cands)
	{
		Candidate *c = lfirst(lc);

		if (c->users >= 2)
			c->id = plan->nshared++;
	}
	if (plan->nshared == 0)
		return;
	foreach(lq, plan->queries)
	{
		SiddhiQueryPlan *qp = lfirst(lq);
		List *conds;
		List *ids = NIL;
		bool any = false;

		if (!eligible(qp))
			continue;
		conds = conjuncts(qp);
		foreach(lc, conds)
		{
			Node *cond = lfirst(lc);
			Candidate *c = shareable(cond)
							   ? find(by_hash, qp->input->relid, cond, false)
							   : NULL;
			int id = c ? c->id : -1;

			ids = lappend_int(ids, id);
			any |= id >= 0;
		}
		qp->qual_conds = any ? conds : NIL;
		qp->qual_shared = any ? ids : NIL;
	}
}

int
siddhi_shared_condition_users(SiddhiAppPlan *plan, int id)
{
	ListCell *lq;
	int n = 0;

	foreach(lq, plan->queries)
	{
		SiddhiQueryPlan *qp = lfirst(lq);

		if (list_member_int(qp->qual_shared, id))
			n++;
	}
	return n;
}
