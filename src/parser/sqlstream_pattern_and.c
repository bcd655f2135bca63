/*-------------------------------------------------------------------------
 *
 * sqlstream_pattern_and.c
 *	  FROM PATTERN ((P1) AND (P2)): both sub-patterns have matched, in
 *	  either order.
 *
 * Siddhi's `and` joins two single states; between sub-patterns it is
 * compiled into what Siddhi runs (sqlstream_pattern.c has read the two
 * sides into SqlParser.pattern_and):
 *
 * - each side becomes a generated query (before the query itself, marked
 *   `generated`, named and streamed `pattern_and`, `pattern_and_2`, ..):
 *	   from <Pi> within W
 *	   select <what the query reads of Pi's states>, start, end
 *	   insert into <Gi>
 *   where start is siddhi.pattern_match_start() (the first event of the
 *   side's match) and end siddhi.event_timestamp() (its last);
 * - the query becomes two, one per order, into the same target (as
 *   (P1) OR (P2) does; the second is named <name>_2):
 *	   from (not G2 and x1=G1) -> x2=G2[span] within W
 *	   from (not G1 and x2=G2) -> x1=G1[span] within W
 *   `not Gj and xi=Gi` takes Gi's first match only while Gj has had none,
 *   so exactly one of the two goes out, once (a pattern without every
 *   matches once).  Siddhi's own `x1=G1 and x2=G2` would not do: at the
 *   start of a pattern it never matches when G2 comes first (Siddhi 5.1
 *   and we both: conformance cases pattern_and_first_alone and
 *   pattern_and_first_alone_every).
 *   Every reference to a side's state in the select list, WHERE, GROUP
 *   BY, HAVING and ORDER BY (a.x, f[0].x, f[last].x) is rewritten to the
 *   generated column (x1.a_x), each distinct reference one column.
 * - WITHIN bounds the whole: each side's own match within W, and the
 *   second state's condition `greatest(end, xo.end) - least(start,
 *   xo.start) <= W`, so the pair is taken only if all its events lie
 *   within W of the first.
 *
 * `every` around the AND is refused (the two match together once);
 * `every` inside a side's parentheses applies to that side, which is then
 * looked for again once WITHIN dropped its partial match.  A bare column
 * is refused: which side it belongs to is known only once the streams
 * are, after parsing.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "siddhi/errors.h"
#include "siddhi/parser.h"
#include "sqlstream_int.h"

typedef struct AndSide
{
	SiddhiPatternNode *pattern;
	List *states; /* the names of its states (char *) */
	char *stream; /* the generated stream (and query) */
	char *alias;  /* the outer state reading it */
	List *refs;	  /* distinct references, copies of the raw nodes */
	List *cols;	  /* the generated column of each (char *) */
	char *start;  /* the columns of its first and last event times */
	char *end;
} AndSide;

typedef struct AndSplit
{
	SqlParser *p;
	AndSide side[2];
	bool bare_ok;	/* a bare name may be an output column here */
	int in_sublink; /* inside a subquery: bare names are the table's */
} AndSplit;

/* The names of the states of a sub-pattern (alias, else stream). */
static List *
state_names(SiddhiPatternNode *n, List *acc)
{
	if (n == NULL)
		return acc;
	check_stack_depth();
	if (n->stream && n->kind != SIDDHI_PAT_NOT)
		acc = lappend(acc,
					  n->stream->alias ? n->stream->alias : n->stream->stream);
	acc = state_names(n->left, acc);
	return state_names(n->right, acc);
}

static int
side_of(AndSplit *s, const char *name)
{
	for (int i = 0; i < 2; i++)
		if (sqlstream_name_in(s->side[i].states, name))
			return i;
	return -1;
}

/* A column name for a reference: state_col, state_0_col, state_last_col. */
static char *
column_name(AndSide *side, Node *ref)
{
	StringInfoData buf;
	char *name;

	initStringInfo(&buf);
	if (IsA(ref, ColumnRef))
	{
		ListCell *lc;

		foreach(lc, ((ColumnRef *) ref)->fields)
			appendStringInfo(&buf, "%s%s", buf.len ? "_" : "",
							 IsA(lfirst(lc), String) ? strVal(lfirst(lc))
													 : "x");
	}
	else
	{
		A_Indirection *ai = (A_Indirection *) ref;
		ListCell *lc;

		appendStringInfoString(
			&buf, strVal(linitial(((ColumnRef *) ai->arg)->fields)));
		foreach(lc, ai->indirection)
		{
			Node *n = lfirst(lc);

			if (IsA(n, String))
				appendStringInfo(&buf, "_%s", strVal(n));
			else if (IsA(n, A_Indices) && ((A_Indices *) n)->uidx &&
					 IsA(((A_Indices *) n)->uidx, A_Const) &&
					 IsA(&((A_Const *) ((A_Indices *) n)->uidx)->val, Integer))
				appendStringInfo(
					&buf, "_%d",
					intVal(&((A_Const *) ((A_Indices *) n)->uidx)->val));
			else
				appendStringInfoString(&buf, "_last");
		}
	}
	if (buf.len > NAMEDATALEN - 8)
		buf.data[NAMEDATALEN - 8] = '\0';
	name = buf.data;
	for (int k = 2; sqlstream_name_in(side->cols, name); k++)
		name = psprintf("%s_%d", buf.data, k);
	return name;
}

/* base, or base_2, base_3 ..: a name none of side's columns has */
static char *
column_ref_name_free(AndSide *side, const char *base)
{
	char *name = pstrdup(base);

	for (int k = 2; sqlstream_name_in(side->cols, name); k++)
		name = psprintf("%s_%d", base, k);
	return name;
}

/*
 * A reference to a state of side i: its column (one per distinct
 * reference), and the node overwritten in place by x<i>.column.  An
 * A_Indirection (f[0].x) becomes a ColumnRef in its own memory: the raw
 * tree has no mutator, and ColumnRef is the smaller node.
 */
static void
rewrite_ref(AndSplit *s, int i, Node *node)
{
	AndSide *side = &s->side[i];
	int loc = exprLocation(node);
	ListCell *lr;
	ListCell *lcol;
	char *col = NULL;
	ColumnRef *cr;

	forboth(lr, side->refs, lcol, side->cols)
	{
		if (equal(lfirst(lr), node))
		{
			col = lfirst(lcol);
			break;
		}
	}
	if (col == NULL)
	{
		col = column_name(side, node);
		side->refs = lappend(side->refs, copyObject(node));
		side->cols = lappend(side->cols, col);
	}
	StaticAssertStmt(sizeof(ColumnRef) <= sizeof(A_Indirection),
					 "a ColumnRef fits where an A_Indirection was");
	cr = (ColumnRef *) node;
	NodeSetTag(cr, T_ColumnRef);
	cr->fields = list_make2(makeString(side->alias), makeString(col));
	cr->location = loc;
}

static bool
rewrite_walker(Node *node, AndSplit *s)
{
	if (node == NULL)
		return false;
	check_stack_depth();
	if (IsA(node, ColumnRef))
	{
		ColumnRef *cr = (ColumnRef *) node;
		Node *head = linitial(cr->fields);
		int i = IsA(head, String) ? side_of(s, strVal(head)) : -1;

		if (list_length(cr->fields) >= 2 && i >= 0)
		{
			if (IsA(llast(cr->fields), A_Star))
				sqlstream_not_supported(
					s->p, cr->location,
					"state.* is not supported in a pattern",
					"Name the columns: a.userId, a.amount.");
			rewrite_ref(s, i, node);
		}
		else if (list_length(cr->fields) == 1 && IsA(head, String) && i < 0 &&
				 !s->bare_ok && s->in_sublink == 0)
			sqlstream_syntax_error_at(
				s->p, cr->location,
				psprintf("column \"%s\" must name its state", strVal(head)),
				"With AND between sub-patterns, write state.column "
				"(a.userId): a bare column cannot be placed on a side.");
		return false;
	}
	if (IsA(node, A_Indirection))
	{
		A_Indirection *ai = (A_Indirection *) node;

		if (IsA(ai->arg, ColumnRef) &&
			list_length(((ColumnRef *) ai->arg)->fields) == 1 &&
			IsA(linitial(((ColumnRef *) ai->arg)->fields), String))
		{
			int i =
				side_of(s, strVal(linitial(((ColumnRef *) ai->arg)->fields)));

			if (i >= 0)
			{
				rewrite_ref(s, i, node);
				return false;
			}
		}
	}
	if (IsA(node, SubLink))
	{
		bool r;

		s->in_sublink++;
		r = raw_expression_tree_walker(node, rewrite_walker, s);
		s->in_sublink--;
		return r;
	}
	return raw_expression_tree_walker(node, rewrite_walker, s);
}

static ColumnRef *
column_ref(const char *state, const char *col, int loc)
{
	ColumnRef *cr = makeNode(ColumnRef);

	cr->fields = state ? list_make2(makeString(pstrdup(state)),
									makeString(pstrdup(col)))
					   : list_make1(makeString(pstrdup(col)));
	cr->location = loc;
	return cr;
}

static Node *
min_max(MinMaxOp op, Node *a, Node *b, int loc)
{
	MinMaxExpr *m = makeNode(MinMaxExpr);

	m->op = op;
	m->args = list_make2(a, b);
	m->location = loc;
	return (Node *) m;
}

/*
 * The condition of the outer state reading side i: the pair's events all
 * within W, greatest(end, xo.end) - least(start, xo.start) <= W.
 */
static SiddhiStreamHandler *
span_filter(AndSplit *s, int i, Node *within, int loc)
{
	AndSide *me = &s->side[i];
	AndSide *other = &s->side[1 - i];
	SiddhiStreamHandler *h = palloc0(sizeof(SiddhiStreamHandler));
	Node *end =
		min_max(IS_GREATEST, (Node *) column_ref(NULL, me->end, loc),
				(Node *) column_ref(other->alias, other->end, loc), loc);
	Node *start =
		min_max(IS_LEAST, (Node *) column_ref(NULL, me->start, loc),
				(Node *) column_ref(other->alias, other->start, loc), loc);

	h->kind = SIDDHI_HANDLER_FILTER;
	h->location = loc;
	h->filter = (Node *) makeSimpleA_Expr(
		AEXPR_OP,
		"<=", (Node *) makeSimpleA_Expr(AEXPR_OP, "-", end, start, loc),
		copyObject(within), loc);
	return h;
}

static ResTarget *
target(const char *name, Node *val, int loc)
{
	ResTarget *rt = makeNode(ResTarget);

	rt->name = pstrdup(name);
	rt->val = val;
	rt->location = loc;
	return rt;
}

static Node *
siddhi_call(const char *fn, int loc)
{
	return (Node *) makeFuncCall(
		list_make2(makeString("siddhi"), makeString(pstrdup(fn))), NIL,
		COERCE_EXPLICIT_CALL, loc);
}

/* The generated query of one side, added to the app before q. */
static void
side_query(AndSplit *s, AndSide *side, SiddhiQuery *q)
{
	SiddhiQuery *iq = palloc0(sizeof(SiddhiQuery));
	SiddhiInput *in = palloc0(sizeof(SiddhiInput));
	SiddhiSelector *sel = palloc0(sizeof(SiddhiSelector));
	SiddhiOutput *out = palloc0(sizeof(SiddhiOutput));
	int loc = side->pattern->location;
	ListCell *lr;
	ListCell *lcol;

	in->kind = SIDDHI_INPUT_PATTERN;
	in->pattern = side->pattern;
	in->within = copyObject(q->input->within);
	in->location = loc;
	forboth(lr, side->refs, lcol, side->cols)
		sel->targets =
			lappend(sel->targets, target(lfirst(lcol), copyObject(lfirst(lr)),
										 exprLocation(lfirst(lr))));
	sel->targets = lappend(
		sel->targets,
		target(side->start, siddhi_call("pattern_match_start", loc), loc));
	sel->targets =
		lappend(sel->targets,
				target(side->end, siddhi_call("event_timestamp", loc), loc));
	sel->location = loc;
	out->kind = SIDDHI_OUT_INSERT;
	out->target = side->stream;
	out->events = SIDDHI_EVENTS_CURRENT;
	out->location = loc;
	iq->name = side->stream;
	iq->generated = true;
	iq->input = in;
	iq->selector = sel;
	iq->output = out;
	iq->location = q->location;
	iq->end_location = q->end_location;
	s->p->app->queries = lappend(s->p->app->queries, iq);
}

static SiddhiPatternNode *
pattern_node(SiddhiPatternKind kind, int loc)
{
	SiddhiPatternNode *n = palloc0(sizeof(SiddhiPatternNode));

	n->kind = kind;
	n->min_count = n->max_count = 1;
	n->for_ms = -1;
	n->location = loc;
	return n;
}

static SiddhiStreamInput *
side_input(AndSide *side, bool named, int loc)
{
	SiddhiStreamInput *in = palloc0(sizeof(SiddhiStreamInput));

	in->stream = side->stream;
	in->alias = named ? side->alias : NULL;
	in->location = loc;
	return in;
}

/*
 * The pattern of the outer query in which side i's match comes first:
 * (not <other> and xi=<side i>) -> xo=<other>[span].
 */
static SiddhiPatternNode *
outer_pattern(AndSplit *s, int i, Node *within, int loc)
{
	SiddhiPatternNode *not = pattern_node(SIDDHI_PAT_NOT, loc);
	SiddhiPatternNode *first = pattern_node(SIDDHI_PAT_STREAM, loc);
	SiddhiPatternNode *second = pattern_node(SIDDHI_PAT_STREAM, loc);
	SiddhiPatternNode *and = pattern_node(SIDDHI_PAT_AND, loc);
	SiddhiPatternNode *next = pattern_node(SIDDHI_PAT_NEXT, loc);

	not ->stream = side_input(&s->side[1 - i], false, loc);
	first->stream = side_input(&s->side[i], true, loc);
	second->stream = side_input(&s->side[1 - i], true, loc);
	if (within)
		second->stream->handlers =
			list_make1(span_filter(s, 1 - i, within, loc));
	and->left = not ;
	and->right = first;
	next->left = and;
	next->right = second;
	return next;
}

/*
 * q reads FROM PATTERN ((P1) AND (P2)), its sides in p->pattern_and:
 * generate the two side queries (added to the app), make q match P1's
 * side first, and return its twin matching P2's first, for the caller to
 * add after q.
 */
SiddhiQuery *
sqlstream_pattern_and_split(SqlParser *p, SiddhiQuery *q)
{
	AndSplit s = { p };
	int loc = p->pattern_and_location;
	SiddhiSelector *sel = q->selector;
	SiddhiQuery *twin = palloc(sizeof(SiddhiQuery));
	ListCell *lc;

	for (int i = 0; i < 2; i++)
	{
		AndSide *side = &s.side[i];

		side->pattern = p->pattern_and[i];
		side->states = state_names(side->pattern, NIL);
		side->stream = sqlstream_generated_name(p, "pattern_and");
		side->alias = sqlstream_generated_name(p, i == 0 ? "and_1" : "and_2");
	}
	p->pattern_and[0] = p->pattern_and[1] = NULL;
	foreach(lc, s.side[0].states)
		if (sqlstream_name_in(s.side[1].states, lfirst(lc)))
			sqlstream_syntax_error_at(
				p, loc,
				psprintf("state \"%s\" is named on both sides of AND",
						 (char *) lfirst(lc)),
				"Name the states apart: a=S on one side, b=S on the other.");

	foreach(lc, sel->targets)
	{
		ResTarget *rt = lfirst(lc);
		Node *last = NULL;

		/* the name SQL gives a.x or f[0].x, which the rewrite would lose */
		if (rt->name == NULL && IsA(rt->val, ColumnRef))
			last = llast(((ColumnRef *) rt->val)->fields);
		else if (rt->name == NULL && IsA(rt->val, A_Indirection))
			last = llast(((A_Indirection *) rt->val)->indirection);
		if (last && IsA(last, String))
			rt->name = pstrdup(strVal(last));
		rewrite_walker(rt->val, &s);
	}
	rewrite_walker(q->input->on, &s);
	s.bare_ok = true; /* output columns may be named there */
	rewrite_walker((Node *) sel->group_by, &s);
	rewrite_walker(sel->having, &s);
	rewrite_walker((Node *) sel->order_by, &s);

	for (int i = 0; i < 2; i++)
	{
		AndSide *side = &s.side[i];

		side->start = column_ref_name_free(side, "match_start");
		side->end = column_ref_name_free(side, "match_end");
		side_query(&s, side, q);
	}

	/* the twin: the same select over the other order */
	*twin = *q;
	twin->input = palloc(sizeof(SiddhiInput));
	*twin->input = *q->input;
	twin->input->on = copyObject(q->input->on);
	twin->selector = palloc(sizeof(SiddhiSelector));
	*twin->selector = *sel;
	twin->selector->targets = copyObject(sel->targets);
	twin->selector->group_by = copyObject(sel->group_by);
	twin->selector->having = copyObject(sel->having);
	twin->selector->order_by = copyObject(sel->order_by);
	twin->name = q->name ? psprintf("%s_2", q->name) : NULL;
	q->input->pattern = outer_pattern(&s, 0, q->input->within, loc);
	twin->input->pattern = outer_pattern(&s, 1, q->input->within, loc);
	return twin;
}
