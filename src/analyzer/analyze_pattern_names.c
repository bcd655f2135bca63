/*-------------------------------------------------------------------------
 *
 * analyze_pattern_names.c
 *	  A pattern's regions and names: which event each reference reads
 *	  (e1.price, e2[0].price, e2[last].price, eventTimestamp(e1)), the
 *	  parse states its conditions and select list are transformed in, and
 *	  the combined row their Vars are renumbered onto (analyze_pattern.c
 *	  explains the whole).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/table.h"
#include "miscadmin.h"
#include "analyze_pattern_int.h"
#include "catalog/pg_type.h"
#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "parser/parse_func.h"
#include "parser/parse_relation.h"
#include "siddhi/errors.h"
#include "siddhi/parser.h"
#include "utils/builtins.h"
#include "utils/hsearch.h"
#include "utils/rel.h"

/* The state a reference names (alias, else stream name), or -1. */
static int
state_named(PatternBuild *b, const char *name)
{
	ListCell *lc;
	int i = 0;
	int found = -1;

	foreach(lc, b->names)
	{
		if (strcmp(lfirst(lc), name) == 0)
		{
			SiddhiStreamInput *in = list_nth(b->inputs, i);

			/* an alias is unique; a bare stream name may repeat */
			if (in->alias)
				return i;
			if (found < 0)
				found = i;
		}
		i++;
	}
	return found;
}

/* The region of (state, index, self), made when first asked for. */
int
region_for(PatternBuild *b, int state, int index, bool self)
{
	ListCell *lc;
	int i = 0;
	SiddhiPatternRegion *r;

	/* the plain regions are made first, one per state, in state order */
	if (index == -1 && !self && state < list_length(b->plan->regions))
	{
		r = list_nth(b->plan->regions, state);
		if (r->state == state && r->index == -1 && !r->self)
			return state;
	}
	foreach(lc, b->plan->regions)
	{
		r = lfirst(lc);
		if (r->state == state && r->index == index && r->self == self)
			return i;
		i++;
	}
	r = palloc0(sizeof(SiddhiPatternRegion));
	r->state = state;
	r->index = index;
	r->self = self;
	b->plan->regions = lappend(b->plan->regions, r);
	return i;
}

/* The hidden reference name of a region: "e1", "e2[0]", "e2[last-1]". */
static char *
region_refname(PatternBuild *b, int region)
{
	SiddhiPatternRegion *r = list_nth(b->plan->regions, region);
	const char *name = list_nth(b->names, r->state);

	if (r->index == -1 && !r->self)
		return pstrdup(name);
	if (r->index >= 0)
		return psprintf("%s[%d]", name, r->index);
	return psprintf("%s[last-%d]%s", name, -1 - r->index, r->self ? "*" : "");
}

/*
 * The index of e[i]: SiddhiQL's parser hands 0.. for the n-th and -1-k for
 * last-k as a constant; the SQL dialect's raw parser leaves last and
 * last - k as expressions.
 */
static int
event_index(PatternBuild *b, A_Indices *idx)
{
	Node *u = idx->uidx;

	if (!idx->is_slice && u && IsA(u, A_Const) &&
		nodeTag(&((A_Const *) u)->val) == T_Integer)
		return intVal(&((A_Const *) u)->val);
	if (!idx->is_slice && u && IsA(u, ColumnRef) &&
		list_length(((ColumnRef *) u)->fields) == 1 &&
		strcmp(strVal(linitial(((ColumnRef *) u)->fields)), "last") == 0)
		return -1;
	if (!idx->is_slice && u && IsA(u, A_Expr) &&
		((A_Expr *) u)->kind == AEXPR_OP &&
		strcmp(strVal(llast(((A_Expr *) u)->name)), "-") == 0)
	{
		A_Expr *e = (A_Expr *) u;
		Node *l = e->lexpr;
		Node *r = e->rexpr;

		if (l && IsA(l, ColumnRef) &&
			list_length(((ColumnRef *) l)->fields) == 1 &&
			strcmp(strVal(linitial(((ColumnRef *) l)->fields)), "last") == 0 &&
			r && IsA(r, A_Const) &&
			nodeTag(&((A_Const *) r)->val) == T_Integer &&
			intVal(&((A_Const *) r)->val) >= 0)
			return -1 - intVal(&((A_Const *) r)->val);
	}
	ereport(
		ERROR,
		(errcode(ERRCODE_SIDDHI_SEMANTIC_ERROR),
		 errmsg("an event index is a whole number, last, or last - n"),
		 siddhi_errposition(b->st->app->source, u ? exprLocation(u) : -1)));
	return 0;
}

/* Is name a state of another alternative of (P1) OR (P2)? */
static bool
other_state(PatternBuild *b, const char *name)
{
	ListCell *lc;

	foreach(lc, b->others)
	{
		SiddhiStreamInput *in = lfirst(lc);

		if (strcmp(in->alias ? in->alias : in->stream, name) == 0)
			return true;
	}
	return false;
}

/*
 * Is n the raw call siddhi.event_timestamp(x) (eventTimestamp(x) in
 * SiddhiQL) with one argument?
 */
static bool
is_event_timestamp_call(Node *n)
{
	FuncCall *fc = (FuncCall *) n;

	return IsA(n, FuncCall) && list_length(fc->args) == 1 &&
		   list_length(fc->funcname) == 2 &&
		   strcmp(strVal(linitial(fc->funcname)), "siddhi") == 0 &&
		   strcmp(strVal(lsecond(fc->funcname)), "event_timestamp") == 0;
}

/*
 * e[i].a in a raw expression: the A_Indirection becomes a plain reference
 * to the hidden name of its region (in place: an indirection without
 * subscripts transforms to its argument).
 */
bool
index_walker(Node *node, IndexContext *cxt)
{
	if (node == NULL)
		return false;
	CHECK_FOR_INTERRUPTS();
	if (is_event_timestamp_call(node) &&
		IsA(linitial(((FuncCall *) node)->args), A_Indirection))
	{
		/*
		 * eventTimestamp(e2[0]): the argument becomes the hidden name of
		 * its region alone, which transforms to the region's whole row
		 */
		A_Indirection *ind = linitial(((FuncCall *) node)->args);
		ColumnRef *cref = (ColumnRef *) ind->arg;
		int state;

		if (IsA(cref, ColumnRef) && list_length(cref->fields) == 1 &&
			list_length(ind->indirection) == 1 &&
			IsA(linitial(ind->indirection), A_Indices) &&
			(state = state_named(cxt->b, strVal(linitial(cref->fields)))) >= 0)
		{
			int index;
			ColumnRef *target = makeNode(ColumnRef);

			if (!state_of(cxt->b, state)->count)
				ereport(ERROR,
						(errcode(ERRCODE_SIDDHI_SEMANTIC_ERROR),
						 errmsg("\"%s\" takes one event and cannot be indexed",
								strVal(linitial(cref->fields))),
						 errhint("Write eventTimestamp(%s).",
								 strVal(linitial(cref->fields))),
						 siddhi_errposition(cxt->b->st->app->source,
											cref->location)));
			index = event_index(cxt->b, linitial(ind->indirection));

			target->fields = list_make1(makeString(region_refname(
				cxt->b, region_for(cxt->b, state, index,
								   index < 0 && state == cxt->own))));
			target->location = cref->location;
			ind->arg = (Node *) target;
			ind->indirection = NIL;
			return false;
		}
	}
	if (IsA(node, A_Indirection))
	{
		A_Indirection *ind = (A_Indirection *) node;
		ColumnRef *cref = (ColumnRef *) ind->arg;
		A_Indices *idx;
		int state;
		int index;
		ColumnRef *target;
		const char *source = cxt->b->st->app->source;

		if (!IsA(cref, ColumnRef) || list_length(cref->fields) != 1 ||
			list_length(ind->indirection) < 1 ||
			!IsA(linitial(ind->indirection), A_Indices))
			return raw_expression_tree_walker(node, index_walker, cxt);
		idx = linitial(ind->indirection);
		state = state_named(cxt->b, strVal(linitial(cref->fields)));
		if (state < 0 && cxt->own < 0 &&
			other_state(cxt->b, strVal(linitial(cref->fields))) &&
			list_length(ind->indirection) == 2 &&
			IsA(lsecond(ind->indirection), String))
		{
			/* f[0].a of another alternative: NULL as f.a is */
			target = makeNode(ColumnRef);
			target->fields =
				list_make2(linitial(cref->fields), lsecond(ind->indirection));
			target->location = cref->location;
			ind->arg = (Node *) target;
			ind->indirection = NIL;
			return false;
		}
		if (state < 0)
			ereport(ERROR, (errcode(ERRCODE_UNDEFINED_TABLE),
							errmsg("no state of the pattern is named \"%s\"",
								   strVal(linitial(cref->fields))),
							siddhi_errposition(source, cref->location)));
		if (list_length(ind->indirection) != 2 ||
			!IsA(lsecond(ind->indirection), String))
			ereport(ERROR, (errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
							errmsg("an indexed event must name an attribute"),
							errhint("Write %s[0].attribute.",
									strVal(linitial(cref->fields))),
							siddhi_errposition(source, cref->location)));
		if (!state_of(cxt->b, state)->count)
			ereport(ERROR,
					(errcode(ERRCODE_SIDDHI_SEMANTIC_ERROR),
					 errmsg("\"%s\" takes one event and cannot be indexed",
							strVal(linitial(cref->fields))),
					 errhint("Only a counted state (<n:m>, +, *, ?) collects "
							 "several events."),
					 siddhi_errposition(source, cref->location)));
		index = event_index(cxt->b, idx);
		target = makeNode(ColumnRef);
		target->fields = list_make2(
			makeString(region_refname(
				cxt->b, region_for(cxt->b, state, index,
								   index < 0 && state == cxt->own))),
			lsecond(ind->indirection));
		target->location = cref->location;
		ind->arg = (Node *) target;
		ind->indirection = NIL;
		return false;
	}
	return raw_expression_tree_walker(node, index_walker, cxt);
}

/* A region's name in PatternBuild.regions (truncated to the key size). */
typedef struct RegionName
{
	char name[2 * NAMEDATALEN];
	int region;
} RegionName;

/*
 * After the regions are all made: each one's reference name, and a hash
 * from a name to the first region of that name, so that a condition's
 * parse state is made from the names it uses, not from every region.
 */
void
index_region_names(PatternBuild *b)
{
	int n = list_length(b->plan->regions);
	HASHCTL ctl;

	b->refnames = palloc(sizeof(char *) * Max(n, 1));
	memset(&ctl, 0, sizeof(ctl));
	ctl.keysize = 2 * NAMEDATALEN;
	ctl.entrysize = sizeof(RegionName);
	ctl.hcxt = CurrentMemoryContext;
	b->regions = hash_create("siddhi pattern regions", Max(n, 16), &ctl,
							 HASH_ELEM | HASH_STRINGS | HASH_CONTEXT);
	for (int i = 0; i < n; i++)
	{
		RegionName *e;
		bool found;

		b->refnames[i] = region_refname(b, i);
		e = hash_search(b->regions, b->refnames[i], HASH_ENTER, &found);
		if (!found)
			e->region = i;
	}
}

/* The first region named name, or -1. */
static int
region_named(PatternBuild *b, const char *name)
{
	RegionName *e;

	if (strlen(name) < 2 * NAMEDATALEN)
	{
		e = hash_search(b->regions, name, HASH_FIND, NULL);
		return e ? e->region : -1;
	}
	/* a name longer than the key: look it up the long way */
	for (int i = 0; i < list_length(b->plan->regions); i++)
		if (strcmp(b->refnames[i], name) == 0)
			return i;
	return -1;
}

/* The qualifiers (x of x.a) of the column references of a raw expression */
static bool
qualifier_walker(Node *node, List **names)
{
	if (node == NULL)
		return false;
	CHECK_FOR_INTERRUPTS();
	if (IsA(node, ColumnRef))
	{
		ColumnRef *c = (ColumnRef *) node;

		if (list_length(c->fields) >= 2 && IsA(linitial(c->fields), String))
			*names = lappend(*names, strVal(linitial(c->fields)));
		return false;
	}
	if (IsA(node, NullTest) && IsA(((NullTest *) node)->arg, ColumnRef))
	{
		/* e2 is null: e2 alone names a region too (if it is not a column) */
		ColumnRef *c = (ColumnRef *) ((NullTest *) node)->arg;

		if (list_length(c->fields) == 1 && IsA(linitial(c->fields), String))
			*names = lappend(*names, strVal(linitial(c->fields)));
		return false;
	}
	if (is_event_timestamp_call(node))
	{
		/* eventTimestamp(e1): e1 alone names a region too */
		Node *arg = linitial(((FuncCall *) node)->args);

		if (IsA(arg, A_Indirection) &&
			((A_Indirection *) arg)->indirection == NIL)
			arg = ((A_Indirection *) arg)->arg;
		if (IsA(arg, ColumnRef) &&
			list_length(((ColumnRef *) arg)->fields) == 1 &&
			IsA(linitial(((ColumnRef *) arg)->fields), String))
			*names =
				lappend(*names, strVal(linitial(((ColumnRef *) arg)->fields)));
	}
	return raw_expression_tree_walker(node, qualifier_walker, names);
}

static void
add_region_entry(PatternBuild *b, ParseState *pstate, int region,
				 bool unqualified, List **rt_regions)
{
	SiddhiPatternRegion *r = list_nth(b->plan->regions, region);
	SiddhiPatternStatePlan *s = state_of(b, r->state);
	SiddhiRelation *rel = list_nth(b->plan->streams, s->stream);
	Relation relation = table_open(rel->relid, AccessShareLock);
	ParseNamespaceItem *nsi;

	nsi = addRangeTableEntryForRelation(pstate, relation, AccessShareLock,
										makeAlias(b->refnames[region], NIL),
										false, true);
	addNSItemToQuery(pstate, nsi, false, true, unqualified);
	table_close(relation, AccessShareLock);
	*rt_regions = lappend_int(*rt_regions, region);
}

/*
 * A parse state for a state's condition (own >= 0): own's plain region,
 * its columns visible unqualified, and the regions the condition names
 * (exprs: its raw filters); for the select (own < 0), every region, the
 * plain ones visible unqualified.  A repeated bare stream name means the
 * first region of that name (own's, for own).  *rt_regions gets the
 * region of each entry.
 */
ParseState *
region_pstate(PatternBuild *b, int own, List *exprs, List **rt_regions)
{
	ParseState *pstate = make_parsestate(NULL);
	int nregions = list_length(b->plan->regions);
	ListCell *lc;

	pstate->p_sourcetext = b->st->app->source;
	*rt_regions = NIL;
	if (own >= 0)
	{
		int own_region = region_for(b, own, -1, false);
		List *names = NIL;
		Bitmapset *added = NULL;

		add_region_entry(b, pstate, own_region, true, rt_regions);
		foreach(lc, exprs)
			qualifier_walker(lfirst(lc), &names);
		foreach(lc, names)
		{
			const char *name = lfirst(lc);
			int region;

			if (strcmp(name, b->refnames[own_region]) == 0)
				continue;
			region = region_named(b, name);
			if (region < 0 || bms_is_member(region, added))
				continue; /* not a region: transformExpr says so */
			added = bms_add_member(added, region);
			add_region_entry(b, pstate, region, false, rt_regions);
		}
		return pstate;
	}
	for (int i = 0; i < nregions; i++)
	{
		SiddhiPatternRegion *r = list_nth(b->plan->regions, i);

		CHECK_FOR_INTERRUPTS();
		if (region_named(b, b->refnames[i]) != i)
			continue; /* a repeated bare stream name: the first wins */
		add_region_entry(b, pstate, i, r->index == -1 && !r->self, rt_regions);
	}
	foreach(lc, b->others)
	{
		/* another alternative's state: qualified only, NULL (region -1) */
		SiddhiStreamInput *in = lfirst(lc);
		SiddhiRelation *rel = siddhi_find_relation(b->st, in->stream);
		Relation relation;
		ParseNamespaceItem *nsi;

		if (rel == NULL || rel->kind != SIDDHI_REL_STREAM)
		{
			pattern_stream(b, in); /* its error */
			continue;
		}
		relation = table_open(rel->relid, AccessShareLock);
		nsi = addRangeTableEntryForRelation(
			pstate, relation, AccessShareLock,
			makeAlias(in->alias ? in->alias : in->stream, NIL), false, true);
		addNSItemToQuery(pstate, nsi, false, true, false);
		table_close(relation, AccessShareLock);
		*rt_regions = lappend_int(*rt_regions, -1);
	}
	return pstate;
}

void
combine_init(CombineContext *cxt, SiddhiPatternPlan *plan, List *rt_regions,
			 const char *source)
{
	cxt->plan = plan;
	cxt->rt_regions = rt_regions;
	cxt->used = NULL;
	cxt->source = source;
	cxt->ts_func = siddhi_event_timestamp_oid();
}

/*
 * siddhi.event_timestamp(e1), eventTimestamp(e1) in SiddhiQL: the argument
 * transforms to a whole-row Var of a region's range-table entry, and the
 * call becomes that region's timestamp column of the combined row.
 */
static Node *
combine_event_timestamp(FuncExpr *f, CombineContext *cxt)
{
	Var *v = siddhi_event_timestamp_arg(
		f, cxt->source,
		"an event of the pattern (e1, or e2[0] of a counted state)");
	int region;
	SiddhiPatternRegion *r;

	region = list_nth_int(cxt->rt_regions, v->varno - 1);
	if (region < 0) /* another alternative's state */
		return (Node *) makeNullConst(INT8OID, -1, InvalidOid);
	r = list_nth(cxt->plan->regions, region);
	cxt->used = bms_add_member(cxt->used, region);
	return (Node *) makeVar(1, r->ts_at + 1, INT8OID, -1, InvalidOid, 0);
}

/*
 * e2 is [not] null, Siddhi's test of whether state e2 has an event (the
 * other side of an or came, or an optional state took none): the
 * argument transforms to a whole-row Var of a region's range-table entry,
 * and the test becomes one of that region's timestamp column, null exactly
 * when the region holds no event.
 */
static Node *
combine_state_null_test(NullTest *t, CombineContext *cxt)
{
	Var *v = (Var *) t->arg;
	int region = list_nth_int(cxt->rt_regions, v->varno - 1);
	SiddhiPatternRegion *r;
	NullTest *n;

	if (region < 0) /* another alternative's state: never has an event */
		return (Node *) makeBoolConst(t->nulltesttype == IS_NULL, false);
	r = list_nth(cxt->plan->regions, region);
	cxt->used = bms_add_member(cxt->used, region);
	n = makeNode(NullTest);
	n->arg = (Expr *) makeVar(1, r->ts_at + 1, INT8OID, -1, InvalidOid, 0);
	n->nulltesttype = t->nulltesttype;
	n->argisrow = false;
	n->location = t->location;
	return (Node *) n;
}

/* Vars of region entries onto the combined row. */
Node *
combine_mutator(Node *node, CombineContext *cxt)
{
	if (node == NULL)
		return NULL;
	CHECK_FOR_INTERRUPTS();
	if (IsA(node, NullTest) && IsA(((NullTest *) node)->arg, Var) &&
		((Var *) ((NullTest *) node)->arg)->varattno == InvalidAttrNumber &&
		((Var *) ((NullTest *) node)->arg)->varlevelsup == 0)
		return combine_state_null_test((NullTest *) node, cxt);
	if (IsA(node, FuncExpr) && list_length(((FuncExpr *) node)->args) == 1 &&
		((FuncExpr *) node)->funcid == cxt->ts_func &&
		OidIsValid(cxt->ts_func))
		return combine_event_timestamp((FuncExpr *) node, cxt);
	if (IsA(node, Var) && ((Var *) node)->varlevelsup == 0)
	{
		Var *v = copyObject((Var *) node);
		int region = list_nth_int(cxt->rt_regions, v->varno - 1);
		SiddhiPatternRegion *r;

		if (region < 0) /* another alternative's state */
			return (Node *) makeNullConst(v->vartype, v->vartypmod,
										  v->varcollid);
		r = list_nth(cxt->plan->regions, region);
		v->varno = 1;
		v->varnosyn = 1;
		v->varattno += r->offset;
		v->varattnosyn = v->varattno;
		cxt->used = bms_add_member(cxt->used, region);
		return (Node *) v;
	}
	return expression_tree_mutator(node, combine_mutator, cxt);
}

List *
bms_to_list(Bitmapset *set)
{
	List *l = NIL;
	int m = -1;

	while ((m = bms_next_member(set, m)) >= 0)
		l = lappend_int(l, m);
	return l;
}

/*
 * The combined row: each region's attributes, in region order, then each
 * region's event timestamp (int8), which eventTimestamp(e1) reads.
 */
void
lay_out_regions(PatternBuild *b)
{
	SiddhiPatternPlan *plan = b->plan;
	ListCell *lc;
	int natts = 0;
	int k = 0;

	foreach(lc, plan->regions)
	{
		SiddhiPatternRegion *r = lfirst(lc);
		SiddhiPatternStatePlan *s = state_of(b, r->state);
		SiddhiRelation *rel = list_nth(plan->streams, s->stream);
		Relation relation = table_open(rel->relid, AccessShareLock);

		r->offset = natts;
		r->natts = RelationGetDescr(relation)->natts;
		natts += r->natts;
		table_close(relation, AccessShareLock);
	}
	foreach(lc, plan->regions)
		((SiddhiPatternRegion *) lfirst(lc))->ts_at = natts + k++;
	plan->desc = CreateTemplateTupleDesc(natts + k);
	foreach(lc, plan->regions)
	{
		SiddhiPatternRegion *r = lfirst(lc);
		SiddhiPatternStatePlan *s = state_of(b, r->state);
		SiddhiRelation *rel = list_nth(plan->streams, s->stream);
		Relation relation = table_open(rel->relid, AccessShareLock);
		TupleDesc d = RelationGetDescr(relation);

		for (int i = 0; i < d->natts; i++)
		{
			TupleDescCopyEntry(plan->desc, r->offset + i + 1, d, i + 1);
			TupleDescAttr(plan->desc, r->offset + i)->attnotnull = false;
		}
		TupleDescInitEntry(plan->desc, r->ts_at + 1, "event_timestamp",
						   INT8OID, -1, 0);
		table_close(relation, AccessShareLock);
	}
}

/*
 * select * of a pattern, as Siddhi expands it: the attributes of each
 * state's stream, in state order (an absent state's too, null), named as
 * the stream names them.  Two states with an attribute of the same name
 * make the names clash, and Siddhi refuses that; so do we.  The Vars are
 * the select list's (its parse state's entries); siddhi_pattern_finish
 * moves them onto the combined row.
 */
void
siddhi_pattern_select_all(AnalyzeState *st, SiddhiQueryPlan *qp, int location,
						  List **exprs, List **names, List **locations)
{
	SiddhiPatternPlan *plan = qp->pattern;
	int nstates = list_length(plan->states);

	for (int i = 0; i < nstates; i++)
	{
		SiddhiPatternStatePlan *s = list_nth(plan->states, i);
		SiddhiRelation *rel = list_nth(plan->streams, s->stream);
		int varno = 1;
		Relation r;
		TupleDesc desc;
		ListCell *lr;

		/*
		 * Region i is state i's own, and the select list's entry for it is
		 * the one rt_regions names; a repeated bare stream name has none
		 * (it means the first state of that name, whose attributes then
		 * clash with its own below).
		 */
		foreach(lr, plan->rt_regions)
			if (lfirst_int(lr) == i)
				varno = foreach_current_index(lr) + 1;
		r = table_open(rel->relid, AccessShareLock);
		desc = RelationGetDescr(r);
		for (int k = 0; k < desc->natts; k++)
		{
			Form_pg_attribute att = TupleDescAttr(desc, k);
			ListCell *lc;

			if (att->attisdropped)
				continue;
			foreach(lc, *names)
				if (strcmp(strVal(lfirst(lc)), NameStr(att->attname)) == 0)
					ereport(
						ERROR,
						(errcode(ERRCODE_DUPLICATE_COLUMN),
						 errmsg("select * of this pattern gives two "
								"attributes named \"%s\"",
								NameStr(att->attname)),
						 errdetail("Its states' streams have attributes "
								   "of the same name, as Siddhi refuses "
								   "too."),
						 errhint("Name the attributes in the select list: "
								 "select e1.%s as %s1, e2.%s as %s2.",
								 NameStr(att->attname), NameStr(att->attname),
								 NameStr(att->attname), NameStr(att->attname)),
						 siddhi_errposition(st->app->source, location)));
			*exprs =
				lappend(*exprs, makeVar(varno, k + 1, att->atttypid,
										att->atttypmod, att->attcollation, 0));
			*names =
				lappend(*names, makeString(pstrdup(NameStr(att->attname))));
			*locations = lappend_int(*locations, location);
		}
		table_close(r, AccessShareLock);
	}
}
