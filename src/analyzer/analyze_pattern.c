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
#include "analyze_pattern_int.h"
#include "catalog/pg_type.h"
#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "parser/parse_coerce.h"
#include "parser/parse_expr.h"
#include "parser/parse_func.h"
#include "parser/parse_relation.h"
#include "siddhi/errors.h"
#include "siddhi/parser.h"
#include "siddhi/shmem.h"
#include "utils/builtins.h"
#include "utils/hsearch.h"
#include "utils/rel.h"

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

/*
 * The relation of a state's stream: a stream of the app, a #inner stream
 * of the partition or a fault stream !S, nothing else.
 */
int
pattern_stream(PatternBuild *b, SiddhiStreamInput *in)
{
	SiddhiRelation *r;
	ListCell *lc;
	int i = 0;

	if (in->fault)
		r = siddhi_fault_stream(b->st, in);
	else if (in->inner)
		r = siddhi_inner_stream(b->st, in);
	else
		r = siddhi_find_relation(b->st, in->stream);
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
	b->plan->stream_inner = lappend_int(b->plan->stream_inner, in->inner);
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
			SiddhiPatternNode *left = n->left;
			SiddhiPatternNode *right = n->right;

			if (n->left->kind != SIDDHI_PAT_STREAM &&
				n->left->kind != SIDDHI_PAT_NOT)
				ereport(ERROR, (errcode(ERRCODE_SIDDHI_SEMANTIC_ERROR),
								errmsg("and/or combines two stream states"),
								siddhi_errposition(source, n->location)));
			/*
			 * e=A or not B for t: as not B for t or e=A, which Siddhi
			 * answers alike (conformance pattern_or_not_for and
			 * pattern_or_not_for_right); the absence must be the side a
			 * match enters by, to wait from when it comes
			 */
			if (n->kind == SIDDHI_PAT_OR && right->kind == SIDDHI_PAT_NOT &&
				left->kind == SIDDHI_PAT_STREAM && right->for_ms >= 0)
			{
				left = n->right;
				right = n->left;
			}
			/* Siddhi numbers the right side first */
			s2 = new_state(b, right, start);
			s1 = new_state(b, left, start);
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
			CombineContext cc;
			Expr *e = list_length(quals) == 1 ? linitial(quals)
											  : make_andclause(quals);

			combine_init(&cc, plan, rt_regions, b.st->app->source);
			s->filter = (Expr *) combine_mutator((Node *) e, &cc);
			s->regions = bms_to_list(cc.used);
		}
		ExecCheckRTPerms(ps->p_rtable, true);
		free_parsestate(ps);
	}

	pstate = region_pstate(&b, -1, NIL, &plan->rt_regions);
	qp->pattern = plan;
	qp->input = linitial(plan->streams);
	qp->inner_input = linitial_int(plan->stream_inner);
	return pstate;
}

/* After the select list is made: its Vars onto the combined row. */
void
siddhi_pattern_finish(AnalyzeState *st, SiddhiQueryPlan *qp)
{
	SiddhiPatternPlan *plan = qp->pattern;
	CombineContext cc;
	ListCell *lc;

	combine_init(&cc, plan, plan->rt_regions, st->app->source);
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
