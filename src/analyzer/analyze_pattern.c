/*-------------------------------------------------------------------------
 *
 * analyze_pattern.c
 *	  Patterns (e1=A -> e2=B[..]) and sequences (e1=A, e2=B+): from the
 *	  state tree of the AST to the plan src/runtime/pattern/ runs.
 *
 * States.  Every stream state (e=S[..], each side of and/or, not S) gets
 * an id in the order Siddhi gives them, which is also the order its
 * receivers visit them: left to right, except that the right side of
 * and/or is numbered before its left.  The links between states mirror
 * Siddhi's pre- and post-state processors (StateInputStreamParser): where
 * a match goes when a state completes (next), where a fresh copy starts
 * again (every), which states arm at start, and, for sequences, the order
 * in which states are reset before each event.
 *
 * Names.  Conditions and the select list read several events at once.
 * They are transformed with PostgreSQL's transformExpr over one range-
 * table entry per *region*: a state's event (e1.price), or an indexed
 * event of a count state (e2[0].price, e2[last].price), written here as
 * the hidden reference "e2[0]".  A state's own condition sees its stream's
 * attributes unqualified; the others only qualified.  Afterwards every
 * Var is renumbered onto one combined row, the regions side by side,
 * which the runtime fills from a partial match before evaluating.  In a
 * query made for one alternative of SQL's (P1) OR (P2), the select also
 * sees the other alternatives' states (qualified only), whose Vars become
 * NULL constants of their type.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/table.h"
#include "executor/executor.h"
#include "miscadmin.h"
#include "analyze_int.h"
#include "catalog/pg_type.h"
#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "parser/parse_coerce.h"
#include "parser/parse_expr.h"
#include "parser/parse_relation.h"
#include "siddhi/errors.h"
#include "siddhi/parser.h"
#include "siddhi/shmem.h"
#include "utils/builtins.h"
#include "utils/hsearch.h"
#include "utils/rel.h"

/* What the tree walk keeps while it numbers and links the states. */
typedef struct PatternBuild
{
	AnalyzeState *st;
	SiddhiPatternPlan *plan;
	List *names;	 /* of char *: each state's reference (alias or stream) */
	List *inputs;	 /* of SiddhiStreamInput *, by state id */
	List *nodes;	 /* of SiddhiPatternNode *, by state id */
	List *update;	 /* of int: updateState() order, built as the walk goes */
	char **refnames; /* each region's hidden reference name */
	HTAB *regions;	 /* refname -> the first region of that name */
	List *others;	 /* of SiddhiStreamInput *: states of the other
					  * alternatives of SQL's (P1) OR (P2), NULL here */
} PatternBuild;

/*
 * The ids of the first and last state of a subtree, and what it arms.
 * The states of a subtree are the ones made while it is built, so they
 * are numbered consecutively; Siddhi's init() order is that numbering,
 * its updateState() order is PatternBuild.update (one entry per stream
 * state, and/or pair or every, left to right) and its resetState() order
 * the reverse of that.  Nothing is copied per level: linear in the size
 * of the pattern.
 */
typedef struct SubPattern
{
	int first;
	int last;
	List *emits; /* of int: states whose completion goes out */
} SubPattern;

static SiddhiPatternStatePlan *
state_of(PatternBuild *b, int id)
{
	return list_nth(b->plan->states, id);
}

/* The relation of a state's stream: a stream of the app, nothing else. */
static int
pattern_stream(PatternBuild *b, SiddhiStreamInput *in)
{
	SiddhiRelation *r = siddhi_find_relation(b->st, in->stream);
	ListCell *lc;
	int i = 0;

	if (in->inner || in->fault)
		siddhi_not_yet(b->st, "inner and fault streams in patterns",
					   in->location);
	if (r == NULL)
		ereport(ERROR, (errcode(ERRCODE_UNDEFINED_TABLE),
						errmsg("stream \"%s\" is not defined", in->stream),
						siddhi_errposition(b->st->app->source, in->location),
						errhint("Define it with \"define stream %s (...)\" or "
								"CREATE STREAM.",
								in->stream)));
	if (r->kind != SIDDHI_REL_STREAM)
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("a pattern can only read streams, and \"%s\" is not "
						"one",
						in->stream),
				 siddhi_errposition(b->st->app->source, in->location)));
	foreach(lc, b->plan->streams)
	{
		if (((SiddhiRelation *) lfirst(lc))->relid == r->relid)
			return i;
		i++;
	}
	b->plan->streams = lappend(b->plan->streams, r);
	return i;
}

/* A new state for a STREAM or NOT node. */
static SiddhiPatternStatePlan *
new_state(PatternBuild *b, SiddhiPatternNode *n, bool start)
{
	SiddhiPatternStatePlan *s = palloc0(sizeof(SiddhiPatternStatePlan));
	ListCell *lc;

	s->id = list_length(b->plan->states);
	s->stream = pattern_stream(b, n->stream);
	s->count = n->counted;
	s->min_count = n->min_count;
	s->max_count = n->max_count < 0 ? PG_INT32_MAX : n->max_count;
	s->absent = n->kind == SIDDHI_PAT_NOT;
	s->waiting = n->for_ms;
	s->start = start;
	s->next = s->next_every = s->within_every = s->callback = -1;
	s->partner = -1;
	s->last_post = s->id;
	foreach(lc, n->stream->handlers)
	{
		SiddhiStreamHandler *h = lfirst(lc);

		if (h->kind != SIDDHI_HANDLER_FILTER)
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("a state of a pattern takes filters only"),
					 errhint("Windows and stream functions cannot be used "
							 "inside a pattern or sequence."),
					 siddhi_errposition(b->st->app->source, h->location)));
	}
	b->plan->states = lappend(b->plan->states, s);
	b->names = lappend(b->names, n->stream->alias ? n->stream->alias
												  : n->stream->stream);
	s->ref = llast(b->names);
	b->inputs = lappend(b->inputs, n->stream);
	b->nodes = lappend(b->nodes, n);
	return s;
}

/* Siddhi's setNextStatePreProcessor: the and/or partner follows along. */
static void
link_next(PatternBuild *b, int from, int to)
{
	SiddhiPatternStatePlan *s = state_of(b, from);

	s->next = to;
	if (s->logical)
		state_of(b, s->partner)->next = to;
	/* a sequence's optional first count resets when the next state moves */
	if (b->plan->sequence && s->count && s->start && s->min_count == 0)
		state_of(b, to)->callback = from;
}

static void
link_every(PatternBuild *b, int from, int to)
{
	SiddhiPatternStatePlan *s = state_of(b, from);

	s->next_every = to;
	if (s->logical)
		state_of(b, s->partner)->next_every = to;
}

static SubPattern
build(PatternBuild *b, SiddhiPatternNode *n, bool start)
{
	SubPattern r = { 0 };
	const char *source = b->st->app->source;
	int first_state = list_length(b->plan->states);
	int first_update = list_length(b->update);

	check_stack_depth();
	CHECK_FOR_INTERRUPTS();
	switch (n->kind)
	{
		case SIDDHI_PAT_STREAM:
		case SIDDHI_PAT_NOT:
		{
			SiddhiPatternStatePlan *s;

			if (n->kind == SIDDHI_PAT_NOT && n->for_ms < 0)
				ereport(ERROR,
						(errcode(ERRCODE_SIDDHI_SEMANTIC_ERROR),
						 errmsg("not %s needs a waiting time here",
								n->stream->stream),
						 errhint("Write not %s for <time>, or combine it "
								 "with another state: not %s and e=B.",
								 n->stream->stream, n->stream->stream),
						 siddhi_errposition(source, n->location)));
			s = new_state(b, n, start);

			r.first = r.last = s->id;
			r.emits = list_make1_int(s->id);
			b->update = lappend_int(b->update, s->id);
			break;
		}
		case SIDDHI_PAT_NEXT:
		{
			SubPattern l = build(b, n->left, start);
			SubPattern rt = build(b, n->right, false);

			link_next(b, l.last, rt.first);
			r.first = l.first;
			r.last = rt.last;
			r.emits = rt.emits;
			break;
		}
		case SIDDHI_PAT_EVERY:
		{
			SubPattern c = build(b, n->left, start);

			link_every(b, c.last, c.first);
			for (int id = first_state; id < list_length(b->plan->states); id++)
			{
				SiddhiPatternStatePlan *s = state_of(b, id);

				/* the innermost every wins, as Siddhi sets it last */
				if (s->within_every < 0)
					s->within_every = c.first;
			}
			r = c;
			/* the subtree updates (and resets) as one, from its first */
			b->update = list_truncate(b->update, first_update);
			b->update = lappend_int(b->update, c.first);
			break;
		}
		case SIDDHI_PAT_AND:
		case SIDDHI_PAT_OR:
		{
			SiddhiPatternStatePlan *s2;
			SiddhiPatternStatePlan *s1;

			if (n->left->kind != SIDDHI_PAT_STREAM &&
				n->left->kind != SIDDHI_PAT_NOT)
				ereport(ERROR, (errcode(ERRCODE_SIDDHI_SEMANTIC_ERROR),
								errmsg("and/or combines two stream states"),
								siddhi_errposition(source, n->location)));
			/* Siddhi numbers the right side first */
			s2 = new_state(b, n->right, start);
			s1 = new_state(b, n->left, start);
			if ((s1->absent && s1->waiting < 0 &&
				 (s2->absent || n->kind == SIDDHI_PAT_OR)) ||
				(s2->absent && s2->waiting < 0 &&
				 (s1->absent || n->kind == SIDDHI_PAT_OR)))
				ereport(ERROR,
						(errcode(ERRCODE_SIDDHI_SEMANTIC_ERROR),
						 errmsg("not without a waiting time needs a present "
								"state beside it, joined by and"),
						 errhint("Write not A and e=B, or not A for <time> "
								 "with or."),
						 siddhi_errposition(source, n->location)));
			s1->logical = s2->logical = n->kind;
			s1->partner = s2->id;
			s2->partner = s1->id;
			r.first = s1->id;
			r.last = s2->id;
			r.emits = list_make2_int(s2->id, s1->id);
			b->update = lappend_int(b->update, s2->id);
			break;
		}
	}
	return r;
}

/* ---------------------------------------------------------------------
 * Regions and names
 * ---------------------------------------------------------------------
 */

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
static int
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

typedef struct IndexContext
{
	PatternBuild *b;
	int own; /* the state whose condition this is, or -1 */
} IndexContext;

/*
 * e[i].a in a raw expression: the A_Indirection becomes a plain reference
 * to the hidden name of its region (in place: an indirection without
 * subscripts transforms to its argument).
 */
static bool
index_walker(Node *node, IndexContext *cxt)
{
	if (node == NULL)
		return false;
	CHECK_FOR_INTERRUPTS();
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
static void
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
static ParseState *
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

typedef struct CombineContext
{
	SiddhiPatternPlan *plan;
	List *rt_regions;
	Bitmapset *used;
} CombineContext;

/* Vars of region entries onto the combined row. */
static Node *
combine_mutator(Node *node, CombineContext *cxt)
{
	if (node == NULL)
		return NULL;
	CHECK_FOR_INTERRUPTS();
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

static List *
bms_to_list(Bitmapset *set)
{
	List *l = NIL;
	int m = -1;

	while ((m = bms_next_member(set, m)) >= 0)
		l = lappend_int(l, m);
	return l;
}

/* The combined row: each region's attributes, in region order. */
static void
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
	plan->desc = CreateTemplateTupleDesc(Max(natts, 1));
	if (natts == 0)
		TupleDescInitEntry(plan->desc, 1, "none", INT4OID, -1, 0);
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
		table_close(relation, AccessShareLock);
		k++;
	}
}

/* The bound on partial matches: @info(max.partial.matches='n') or the GUC. */
static int64
pattern_max_partial(AnalyzeState *st, SiddhiQuery *q)
{
	const char *v = NULL;
	int64 n;
	char *end;
	ListCell *lc;

	foreach(lc, q->annotations)
	{
		SiddhiAnnotation *a = lfirst(lc);
		SiddhiAnnotationElement *e;

		if (pg_strcasecmp(a->name, "info") != 0)
			continue;
		e = siddhi_annotation_element(a, "max.partial.matches");
		if (e)
			v = e->value;
	}
	if (v == NULL)
		return siddhi_max_partial_matches;
	errno = 0;
	n = strtoll(v, &end, 10);
	if (errno != 0 || *end != '\0' || end == v || n < 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("max.partial.matches must be a positive whole number, "
						"not \"%s\"",
						v),
				 siddhi_errposition(st->app->source, q->location)));
	return n;
}

/*
 * Siddhi's grammar allows every in a sequence only on its first state:
 * `every e1=A, e2=B`, not on a group nor further on.
 */
static void
check_sequence_every(AnalyzeState *st, SiddhiPatternNode *n, bool first)
{
	if (n == NULL)
		return;
	if (n->kind == SIDDHI_PAT_EVERY &&
		(!first || n->left->kind == SIDDHI_PAT_NEXT))
		ereport(ERROR,
				(errcode(ERRCODE_SIDDHI_SEMANTIC_ERROR),
				 errmsg("every in a sequence applies only to its first state"),
				 errhint("Write every e1=A, e2=B, ...: each event may start "
						 "a new match."),
				 siddhi_errposition(st->app->source, n->location)));
	if (n->kind == SIDDHI_PAT_NEXT)
	{
		check_sequence_every(st, n->left, first);
		check_sequence_every(st, n->right, false);
	}
	else if (n->kind == SIDDHI_PAT_EVERY)
		check_sequence_every(st, n->left, false);
}

/*
 * Analyze the pattern or sequence input of q into qp->pattern, and return
 * the parse state the select list is transformed in (every state visible).
 * Call siddhi_pattern_finish() once the query's expressions are made.
 */
ParseState *
siddhi_analyze_pattern(AnalyzeState *st, SiddhiQuery *q, SiddhiQueryPlan *qp)
{
	PatternBuild b = { 0 };
	SiddhiPatternPlan *plan = palloc0(sizeof(SiddhiPatternPlan));
	SubPattern top;
	ListCell *lc;
	ParseState *pstate;
	int nstates;

	plan->sequence = q->input->kind == SIDDHI_INPUT_SEQUENCE;
	plan->within = -1;
	if (q->input->within)
	{
		ParseState *ps = make_parsestate(NULL);
		Node *e;

		ps->p_sourcetext = st->app->source;
		e = transformExpr(ps, q->input->within, EXPR_KIND_OTHER);
		e = coerce_to_specific_type(ps, e, INT8OID, "WITHIN");
		e = (Node *) siddhi_finish_expr(ps, e);
		if (!IsA(e, Const) || ((Const *) e)->constisnull ||
			DatumGetInt64(((Const *) e)->constvalue) < 0)
			ereport(ERROR,
					(errcode(ERRCODE_SIDDHI_SEMANTIC_ERROR),
					 errmsg("within needs a constant time"),
					 siddhi_errposition(st->app->source,
										exprLocation(q->input->within))));
		plan->within = DatumGetInt64(((Const *) e)->constvalue);
		free_parsestate(ps);
	}
	plan->max_partial = pattern_max_partial(st, q);
	b.st = st;
	b.plan = plan;
	b.others = q->input->other_states;
	if (plan->sequence)
		check_sequence_every(st, q->input->pattern, true);
	top = build(&b, q->input->pattern, true);
	nstates = list_length(plan->states);
	foreach(lc, top.emits)
		state_of(&b, lfirst_int(lc))->emits = true;
	state_of(&b, top.first)->last_post = top.last;
	plan->init_order = NIL;
	for (int i = 0; i < nstates; i++)
		plan->init_order = lappend_int(plan->init_order, i);
	plan->update_order = b.update;
	plan->reset_order = NIL;
	for (int i = list_length(b.update) - 1; i >= 0; i--)
		plan->reset_order =
			lappend_int(plan->reset_order, list_nth_int(b.update, i));

	if (nstates == 1 && !state_of(&b, 0)->count &&
		q->input->pattern->kind == SIDDHI_PAT_STREAM && plan->sequence)
		ereport(ERROR,
				(errcode(ERRCODE_SIDDHI_SEMANTIC_ERROR),
				 errmsg("a sequence needs two states or more"),
				 siddhi_errposition(st->app->source, q->input->location)));

	/* a plain region per state, then the indexed ones the text uses */
	for (int i = 0; i < nstates; i++)
		region_for(&b, i, -1, false);
	for (int i = 0; i < nstates; i++)
	{
		SiddhiStreamInput *in = list_nth(b.inputs, i);
		IndexContext ic = { &b, i };

		foreach(lc, in->handlers)
			index_walker(((SiddhiStreamHandler *) lfirst(lc))->filter, &ic);
	}
	if (q->selector)
	{
		IndexContext ic = { &b, -1 };

		foreach(lc, q->selector->targets)
			index_walker(((ResTarget *) lfirst(lc))->val, &ic);
		foreach(lc, q->selector->group_by)
			index_walker(lfirst(lc), &ic);
	}
	lay_out_regions(&b);
	index_region_names(&b);

	/* each state's condition, seeing its own attributes unqualified */
	for (int i = 0; i < nstates; i++)
	{
		SiddhiStreamInput *in = list_nth(b.inputs, i);
		SiddhiPatternStatePlan *s = state_of(&b, i);
		List *rt_regions;
		List *quals = NIL;
		List *filters = NIL;
		ParseState *ps;

		if (in->handlers == NIL)
			continue;
		foreach(lc, in->handlers)
			filters =
				lappend(filters, ((SiddhiStreamHandler *) lfirst(lc))->filter);
		ps = region_pstate(&b, i, filters, &rt_regions);
		foreach(lc, in->handlers)
		{
			SiddhiStreamHandler *h = lfirst(lc);
			Node *e = transformExpr(ps, h->filter, EXPR_KIND_WHERE);

			e = coerce_to_boolean(ps, e, "a filter");
			quals = lappend(quals, siddhi_finish_expr(ps, e));
		}
		{
			CombineContext cc = { plan, rt_regions, NULL };
			Expr *e = list_length(quals) == 1 ? linitial(quals)
											  : make_andclause(quals);

			s->filter = (Expr *) combine_mutator((Node *) e, &cc);
			s->regions = bms_to_list(cc.used);
		}
		ExecCheckRTPerms(ps->p_rtable, true);
		free_parsestate(ps);
	}

	if (q->selector == NULL || q->selector->select_all)
		siddhi_not_yet(st, "select * in patterns", q->input->location);
	pstate = region_pstate(&b, -1, NIL, &plan->rt_regions);
	qp->pattern = plan;
	qp->input = linitial(plan->streams);
	return pstate;
}

/* After the select list is made: its Vars onto the combined row. */
void
siddhi_pattern_finish(SiddhiQueryPlan *qp)
{
	SiddhiPatternPlan *plan = qp->pattern;
	CombineContext cc = { plan, plan->rt_regions, NULL };
	ListCell *lc;

	qp->targetlist = (List *) combine_mutator((Node *) qp->targetlist, &cc);
	qp->window_qual = (List *) combine_mutator((Node *) qp->window_qual, &cc);
	qp->group_by = (List *) combine_mutator((Node *) qp->group_by, &cc);
	siddhi_scalar_args_finish(
		qp, (Node * (*) (Node *, void *) ) combine_mutator, &cc);
	foreach(lc, qp->aggregates)
	{
		SiddhiAggPlan *ap = lfirst(lc);

		ap->arg = (Expr *) combine_mutator((Node *) ap->arg, &cc);
	}
	plan->out_regions = bms_to_list(cc.used);
	plan->rt_regions = NIL;
}
