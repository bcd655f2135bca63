/*-------------------------------------------------------------------------
 *
 * analyze_dispatch.c
 *	  Dispatch keys: which queries can only ever be affected by events
 *	  whose attribute equals a constant, or lies on one side of it, so
 *	  that the stream's junction may hand each event only to the queries
 *	  that want its value (src/runtime/dispatch.c).
 *
 * A query gets a key only when skipping an event it does not want gives
 * exactly the outputs it gives today; when in doubt, none (the query then
 * sees every event, as it always did).  Two kinds qualify:
 *
 *  - a stateless filter: its first filter conjunct is attr = const, or a
 *    range attr < const, attr <= const, attr >= const, attr > const (the
 *    constant on either side), and it has no window, deduplicate, join,
 *    aggregation, group by, order by, limit, window function, rate
 *    limiter or partition.  The conjunct comes first because filters run
 *    in order and stop at the first false: an event without the value
 *    never reaches the others, so skipping it loses no error either.  An
 *    event whose attribute is null makes the conjunct null, so false: it
 *    goes to no keyed query.
 *
 *  - a pattern (never a sequence: a sequence is broken by an event that
 *    does not match, so skipping one changes it) of plain stream states
 *    on one stream, no count, and/or or absence, whose every state's
 *    first conjunct pins the same attribute: to a constant (symbol ==
 *    'Sk'), or to that attribute of an earlier state pinned to it (symbol
 *    == e1.symbol), and with no selector state either.  An event without
 *    the value makes no state take it; what else an event does to a
 *    pattern is to expire partial matches by within, which the runtime
 *    keeps exact (src/runtime/dispatch.c, "Event time"); a state with an
 *    `every` restarted on expiry (within_every, but for an every around the
 *    first state alone, whose matches hold no event) gets no key.  Ranges
 *    are not keys of patterns.
 *
 * An equality must be the equality of the type's default hash operator
 * class, with both sides of the attribute's type and a deterministic
 * collation, so that the runtime's hash index finds exactly the events
 * the operator accepts.  A range's operator must be the member of the
 * type's default btree operator class for its strategy, again both sides
 * of the attribute's type and a deterministic collation: the runtime
 * sorts the constants by that class's comparison (BTORDER_PROC), which
 * agrees with its operators, and binary-searches each event's value.  A
 * range key names the class's equality as its eqop, so ranges and
 * equalities on one attribute share one index (for the built-in types
 * the hash and btree classes have the same equality).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/hash.h"
#include "access/nbtree.h"
#include "access/stratnum.h"
#include "catalog/pg_am.h"
#include "commands/defrem.h"
#include "nodes/nodeFuncs.h"
#include "optimizer/optimizer.h"
#include "utils/datum.h"
#include "utils/lsyscache.h"
#include "analyze_int.h"

/* The first conjunct of an implicitly ANDed filter, ANDs flattened. */
static Expr *
first_conjunct(Expr *e)
{
	while (e && is_andclause(e))
		e = linitial(((BoolExpr *) e)->args);
	return e;
}

/*
 * Whether op is the equality of type's default hash operator class, under
 * a deterministic collation (or none).
 */
static bool
hash_equality(Oid op, Oid type, Oid collation)
{
	Oid opclass = GetDefaultOpClass(type, HASH_AM_OID);
	Oid family;

	if (!OidIsValid(opclass))
		return false;
	family = get_opclass_family(opclass);
	if (get_opfamily_member(family, type, type, HTEqualStrategyNumber) != op)
		return false;
	if (!OidIsValid(get_opfamily_proc(family, type, type, HASHSTANDARD_PROC)))
		return false;
	if (type_is_collatable(type) &&
		(!OidIsValid(collation) || !get_collation_isdeterministic(collation)))
		return false;
	return true;
}

/*
 * An equality conjunct: its operator, collation and two sides, when it is
 * a hash equality between two expressions of one type.
 */
static bool
equality_sides(Expr *e, Node **l, Node **r, Oid *op, Oid *coll)
{
	OpExpr *o;

	if (e == NULL || !IsA(e, OpExpr))
		return false;
	o = (OpExpr *) e;
	if (list_length(o->args) != 2)
		return false;
	*l = linitial(o->args);
	*r = lsecond(o->args);
	if (exprType(*l) != exprType(*r))
		return false;
	*op = o->opno;
	*coll = o->inputcollid;
	return hash_equality(o->opno, exprType(*l), o->inputcollid);
}

static bool
plain_var(Node *n)
{
	return n && IsA(n, Var) && ((Var *) n)->varlevelsup == 0 &&
		   ((Var *) n)->varattno > 0;
}

static bool
non_null_const(Node *n)
{
	return n && IsA(n, Const) && !((Const *) n)->constisnull;
}

static SiddhiDispatchKey *
make_key(SiddhiRelation *input, AttrNumber attnum, Oid op, Oid coll,
		 Const *value)
{
	SiddhiDispatchKey *k = palloc0(sizeof(SiddhiDispatchKey));

	k->attnum = attnum;
	k->attname = get_attname(input->relid, attnum, false);
	k->type = value->consttype;
	k->eqop = op;
	k->collation = coll;
	k->strategy = BTEqualStrategyNumber;
	k->value = copyObject(value);
	return k;
}

/* The strategy of c op attr written as attr op' c. */
static int16
commuted_strategy(int16 s)
{
	switch (s)
	{
		case BTLessStrategyNumber:
			return BTGreaterStrategyNumber;
		case BTLessEqualStrategyNumber:
			return BTGreaterEqualStrategyNumber;
		case BTGreaterEqualStrategyNumber:
			return BTLessEqualStrategyNumber;
		case BTGreaterStrategyNumber:
			return BTLessStrategyNumber;
	}
	return InvalidStrategy;
}

/*
 * A range conjunct, attr < <= >= > const (or commuted), as a key: the
 * operator must be the member of the type's default btree operator class
 * for its strategy, both sides of the attribute's type, under a
 * deterministic collation, so that the runtime's sorted arrays (ordered
 * by the class's comparison) find exactly the events the operator
 * accepts.  The key's eqop is the class's equality: a range key shares
 * the attribute's index with the equality keys of the same operator.
 */
static SiddhiDispatchKey *
range_key(SiddhiQueryPlan *qp, Expr *e)
{
	OpExpr *o;
	Node *l, *r;
	Oid type, opclass, family, eqop, cmpproc;
	int16 strategy;
	SiddhiDispatchKey *k;

	if (e == NULL || !IsA(e, OpExpr))
		return NULL;
	o = (OpExpr *) e;
	if (list_length(o->args) != 2)
		return NULL;
	l = linitial(o->args);
	r = lsecond(o->args);
	type = exprType(l);
	if (exprType(r) != type)
		return NULL;
	opclass = GetDefaultOpClass(type, BTREE_AM_OID);
	if (!OidIsValid(opclass))
		return NULL;
	family = get_opclass_family(opclass);
	strategy = get_op_opfamily_strategy(o->opno, family);
	if (strategy == BTEqualStrategyNumber || strategy == InvalidStrategy ||
		get_opfamily_member(family, type, type, strategy) != o->opno)
		return NULL;
	if (plain_var(r) && non_null_const(l))
	{
		Node *t = l;

		l = r;
		r = t;
		strategy = commuted_strategy(strategy);
	}
	if (strategy == InvalidStrategy || !plain_var(l) || !non_null_const(r) ||
		((Var *) l)->varno != 1)
		return NULL;
	eqop = get_opfamily_member(family, type, type, BTEqualStrategyNumber);
	cmpproc = get_opfamily_proc(family, type, type, BTORDER_PROC);
	if (!OidIsValid(eqop) || !OidIsValid(cmpproc))
		return NULL;
	if (type_is_collatable(type) &&
		(!OidIsValid(o->inputcollid) ||
		 !get_collation_isdeterministic(o->inputcollid)))
		return NULL;
	k = make_key(qp->input, ((Var *) l)->varattno, eqop, o->inputcollid,
				 (Const *) r);
	k->strategy = strategy;
	k->cmpproc = cmpproc;
	return k;
}

/* Whether the query keeps no state across events in its selector. */
static bool
stateless_selector(SiddhiQueryPlan *qp)
{
	return qp->aggregates == NIL && qp->group_by == NIL &&
		   qp->order_by == NIL && qp->limit < 0 && qp->offset <= 0 &&
		   !qp->contents && !qp->distinct && qp->over == NULL &&
		   qp->rate_kind == SIDDHI_RATE_NONE && qp->partition == NULL &&
		   !qp->inner_input;
}

static SiddhiDispatchKey *
filter_key(SiddhiQueryPlan *qp)
{
	Node *l, *r;
	Oid op, coll;
	Expr *first;

	if (qp->window || qp->dedup_key || qp->join || qp->qual == NIL)
		return NULL;
	first = first_conjunct(linitial(qp->qual));
	if (!equality_sides(first, &l, &r, &op, &coll))
		return range_key(qp, first);
	if (plain_var(r) && non_null_const(l))
	{
		Node *t = l;

		l = r;
		r = t;
	}
	if (!plain_var(l) || !non_null_const(r) || ((Var *) l)->varno != 1)
		return NULL;
	return make_key(qp->input, ((Var *) l)->varattno, op, coll, (Const *) r);
}

/* The plain region (state, last event, not self) holding attribute att. */
static SiddhiPatternRegion *
region_of(SiddhiPatternPlan *pp, Var *v, AttrNumber *att)
{
	ListCell *lc;

	foreach(lc, pp->regions)
	{
		SiddhiPatternRegion *r = lfirst(lc);

		if (v->varattno > r->offset && v->varattno <= r->offset + r->natts)
		{
			if (r->index != -1 || r->self)
				return NULL;
			*att = v->varattno - r->offset;
			return r;
		}
	}
	return NULL;
}

static SiddhiDispatchKey *
pattern_key(SiddhiQueryPlan *qp)
{
	SiddhiPatternPlan *pp = qp->pattern;
	int n = list_length(pp->states);
	bool *pinned;
	AttrNumber attnum = 0;
	Const *value = NULL;
	Oid eqop = InvalidOid, ecoll = InvalidOid;
	ListCell *lc;

	if (pp->sequence || list_length(pp->streams) != 1 || n == 0 ||
		qp->window_qual != NIL)
		return NULL;
	pinned = palloc0(sizeof(bool) * n);
	foreach(lc, pp->states)
	{
		SiddhiPatternStatePlan *s = lfirst(lc);
		Node *l, *r;
		Oid op, coll;
		AttrNumber a, b;
		SiddhiPatternRegion *rl, *rr;

		/*
		 * within_every: an expired match restarts an every.  Only the
		 * first state may have one (every e1 -> ..): its matches hold no
		 * event yet, so they never expire.
		 */
		if (s->count || s->logical || s->absent || s->stream != 0 ||
			(pp->within >= 0 && s->within_every >= 0 &&
			 !(s->id == 0 && s->start)) ||
			s->id < 0 || s->id >= n)
			return NULL;
		if (!equality_sides(first_conjunct(s->filter), &l, &r, &op, &coll))
			return NULL;
		if (eqop != InvalidOid && (op != eqop || coll != ecoll))
			return NULL;
		/* the state's own attribute on the left */
		if (non_null_const(l) ||
			(plain_var(l) && plain_var(r) &&
			 (rl = region_of(pp, (Var *) l, &a)) != NULL &&
			 rl->state != s->id))
		{
			Node *t = l;

			l = r;
			r = t;
		}
		if (!plain_var(l) || (rl = region_of(pp, (Var *) l, &a)) == NULL ||
			rl->state != s->id)
			return NULL; /* the left side must be the state's own event */
		if (attnum != 0 && a != attnum)
			return NULL;
		if (non_null_const(r))
		{
			Const *c = (Const *) r;

			/* two constants: both are the key only when equal */
			if (value && !datumIsEqual(value->constvalue, c->constvalue,
									   c->constbyval, c->constlen))
				return NULL;
			if (value == NULL)
				value = c;
		}
		else if (!plain_var(r) ||
				 (rr = region_of(pp, (Var *) r, &b)) == NULL ||
				 rr->state >= s->id || rr->state < 0 || !pinned[rr->state] ||
				 b != a)
			return NULL;
		attnum = a;
		eqop = op;
		ecoll = coll;
		pinned[s->id] = true;
	}
	if (value == NULL)
		return NULL;
	return make_key(linitial(pp->streams), attnum, eqop, ecoll, value);
}

void
siddhi_derive_dispatch_keys(SiddhiAppPlan *plan)
{
	ListCell *lc;

	foreach(lc, plan->queries)
	{
		SiddhiQueryPlan *qp = lfirst(lc);

		qp->dispatch = NULL;
		if (qp->input == NULL || qp->input->kind != SIDDHI_REL_STREAM ||
			!stateless_selector(qp))
			continue;
		qp->dispatch = qp->pattern ? pattern_key(qp) : filter_key(qp);
	}
}

/* How many queries of the app have a key on q's stream and attribute. */
int
siddhi_dispatch_sharing(SiddhiAppPlan *plan, SiddhiQueryPlan *q)
{
	ListCell *lc;
	int n = 0;

	if (q->dispatch == NULL)
		return 0;
	foreach(lc, plan->queries)
	{
		SiddhiQueryPlan *o = lfirst(lc);

		if (o->dispatch && o->input->relid == q->input->relid &&
			o->dispatch->attnum == q->dispatch->attnum &&
			o->dispatch->eqop == q->dispatch->eqop &&
			o->dispatch->collation == q->dispatch->collation)
			n++;
	}
	return n;
}
