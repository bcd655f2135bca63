/*-------------------------------------------------------------------------
 *
 * sqlstream_pattern.c
 *	  FROM PATTERN ( .. ) and FROM SEQUENCE ( .. ) of the streaming SQL
 *	  dialect: the same state tree SiddhiQL's patterns build (ast.h).
 *
 *		body   := alts [AFTER chain] [WITHIN duration]
 *		alts   := chain | group ( OR group )+		(a PATTERN only)
 *				| group AND group				(a PATTERN only)
 *		group  := [EVERY] '(' chain ')'
 *		chain  := step ( -> step )*			(, in a SEQUENCE)
 *		step   := NOT stream ['[' cond ']'] -> state	(= not S and state)
 *				| unit
 *		unit   := EVERY ( '(' chain ')' | source ) | '(' chain ')' | source
 *		source := state [ (AND | OR) state ]
 *		state  := NOT stream ['[' cond ']'] [FOR duration]
 *				| [e =] stream [count] ['[' cond ']'] [count] [AS e]
 *		count  := '<' n ':' m '>' | '<' n ':' '>' | '<' ':' m '>' | '<' n '>'
 *				| + | * | ?		(the last three in sequences)
 *
 * Keywords are case-insensitive; conditions are SQL expressions, where
 * `==` is accepted for `=` (the roadmap's examples use it) and e[0].col,
 * e[last].col index the events a counted state collected.
 *
 * Three forms are SQL's own, each compiled into what SiddhiQL writes:
 * `NOT A -> e=B` (an absence without FOR) is Siddhi's `not A and e=B`,
 * B with no A before it; `X AFTER Y` is `Y -> X`; and `(P1) OR (P2)`,
 * either pattern, is one query per alternative inserting into the same
 * target (sqlstream_parse_query reads the query once per alternative;
 * SiddhiInput.other_states names the states of the others, which read
 * NULL there: analyze_pattern.c).  `(P1) AND (P2)`, both, is parsed here
 * into SqlParser.pattern_and and compiled by sqlstream_pattern_and.c.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "parser/parser.h"
#include "parser/scanner.h"
#include "parser/gram.h"
#include "siddhi/errors.h"
#include "siddhi/parser.h"
#include "sqlstream_int.h"

typedef struct PatParser
{
	SqlParser *p;
	int pos;
	int end; /* exclusive */
	bool sequence;
} PatParser;

static SiddhiPatternNode *parse_chain(PatParser *pp);

static pg_attribute_noreturn() void pat_error(PatParser *pp, int tok,
											  const char *hint)
{
	sqlstream_syntax_error(pp->p, Min(tok, pp->end), hint);
}

static bool
at_word(PatParser *pp, const char *w)
{
	return pp->pos < pp->end && sqlstream_is_word(pp->p, pp->pos, w);
}

static bool
at_char(PatParser *pp, char c)
{
	return pp->pos < pp->end && sqlstream_is_char(pp->p, pp->pos, c);
}

static bool
at_op(PatParser *pp, const char *op)
{
	SqlToken *t;

	if (pp->pos >= pp->end)
		return false;
	t = &pp->p->tokens[pp->pos];
	if (strlen(op) == 1 && t->code == (unsigned char) op[0])
		return true;
	return t->code == Op && t->str && strcmp(t->str, op) == 0;
}

static SiddhiPatternNode *
new_node(SiddhiPatternKind kind, int location)
{
	SiddhiPatternNode *n = palloc0(sizeof(SiddhiPatternNode));

	n->kind = kind;
	n->min_count = n->max_count = 1;
	n->for_ms = -1;
	n->location = location;
	return n;
}

static int64
duration(PatParser *pp, const char *what)
{
	int64 ms = 0;
	int next = sqlstream_duration_run(pp->p, pp->pos, pp->end, &ms);

	if (next == pp->pos)
		pat_error(pp, pp->pos,
				  psprintf("Write %s <duration>, such as %s 5 minutes.", what,
						   what));
	pp->pos = next;
	return ms;
}

/* `==` as `=`, in place, so conditions may be written either way. */
static bool
equals_walker(Node *node, void *context)
{
	if (node == NULL)
		return false;
	CHECK_FOR_INTERRUPTS();
	if (IsA(node, A_Expr) && ((A_Expr *) node)->kind == AEXPR_OP &&
		list_length(((A_Expr *) node)->name) == 1 &&
		strcmp(strVal(linitial(((A_Expr *) node)->name)), "==") == 0)
		((A_Expr *) node)->name = list_make1(makeString("="));
	return raw_expression_tree_walker(node, equals_walker, context);
}

static SiddhiStreamHandler *
parse_filter(PatParser *pp)
{
	int close = sqlstream_match_close(pp->p, pp->pos, pp->end);
	SiddhiStreamHandler *h = palloc0(sizeof(SiddhiStreamHandler));

	h->kind = SIDDHI_HANDLER_FILTER;
	h->location = pp->p->tokens[pp->pos].start;
	h->filter = sqlstream_parse_expr(pp->p, pp->pos + 1, close);
	equals_walker(h->filter, NULL);
	pp->pos = close + 1;
	return h;
}

static int
count_bound(PatParser *pp)
{
	SqlToken *t = &pp->p->tokens[pp->pos];

	if (pp->pos >= pp->end || t->code != ICONST || t->ival < 0)
		pat_error(pp, pp->pos, "A count is <n:m>, <n:>, <:m> or <n>.");
	pp->pos++;
	return t->ival;
}

/* <n:m> and friends; false when none is here */
static bool
parse_count(PatParser *pp, SiddhiPatternNode *n)
{
	int loc;

	if (at_op(pp, "<"))
	{
		loc = pp->p->tokens[pp->pos].start;
		pp->pos++;
		if (at_char(pp, ':'))
		{
			pp->pos++;
			n->min_count = 0;
			n->max_count = count_bound(pp);
		}
		else
		{
			n->min_count = count_bound(pp);
			if (at_char(pp, ':'))
			{
				pp->pos++;
				n->max_count = at_op(pp, ">") ? -1 : count_bound(pp);
			}
			else
				n->max_count = n->min_count;
		}
		if (!at_op(pp, ">"))
			pat_error(pp, pp->pos, "Close the count with >.");
		pp->pos++;
		if ((n->max_count >= 0 && n->max_count < n->min_count) ||
			n->max_count == 0)
			ereport(ERROR, (errcode(ERRCODE_SIDDHI_SYNTAX_ERROR),
							errmsg("count <%d:%d> allows no event",
								   n->min_count, n->max_count),
							siddhi_errposition(pp->p->source, loc)));
		n->counted = true;
		return true;
	}
	if (pp->sequence && (at_op(pp, "+") || at_op(pp, "*") || at_op(pp, "?")))
	{
		n->min_count = at_op(pp, "+") ? 1 : 0;
		n->max_count = at_op(pp, "?") ? 1 : -1;
		n->counted = true;
		pp->pos++;
		return true;
	}
	return false;
}

static SiddhiStreamInput *
stream_name(PatParser *pp)
{
	SiddhiStreamInput *in = palloc0(sizeof(SiddhiStreamInput));

	if (pp->pos >= pp->end || !sqlstream_is_name(pp->p, pp->pos))
		pat_error(pp, pp->pos, "Name the stream of this state.");
	in->stream = pstrdup(pp->p->tokens[pp->pos].str);
	in->location = pp->p->tokens[pp->pos].start;
	pp->pos++;
	return in;
}

static SiddhiPatternNode *
parse_state(PatParser *pp)
{
	SiddhiPatternNode *n;
	int loc = pp->p->tokens[Min(pp->pos, pp->end)].start;

	if (at_word(pp, "not"))
	{
		pp->pos++;
		n = new_node(SIDDHI_PAT_NOT, loc);
		n->stream = stream_name(pp);
		if (at_char(pp, '['))
			n->stream->handlers =
				lappend(n->stream->handlers, parse_filter(pp));
		if (at_word(pp, "for"))
		{
			pp->pos++;
			n->for_ms = duration(pp, "FOR");
		}
		return n;
	}
	n = new_node(SIDDHI_PAT_STREAM, loc);
	if (pp->pos + 1 < pp->end && sqlstream_is_name(pp->p, pp->pos) &&
		sqlstream_is_char(pp->p, pp->pos + 1, '='))
	{
		char *alias = pstrdup(pp->p->tokens[pp->pos].str);

		pp->pos += 2;
		n->stream = stream_name(pp);
		n->stream->alias = alias;
	}
	else
		n->stream = stream_name(pp);
	parse_count(pp, n);
	if (at_char(pp, '['))
		n->stream->handlers = lappend(n->stream->handlers, parse_filter(pp));
	if (!n->counted)
		parse_count(pp, n);
	if (at_word(pp, "as"))
	{
		pp->pos++;
		if (pp->pos >= pp->end || !sqlstream_is_name(pp->p, pp->pos))
			pat_error(pp, pp->pos, "Name the event after AS.");
		if (n->stream->alias)
			pat_error(pp, pp->pos,
					  "Name the event once: e = stream or "
					  "stream AS e.");
		n->stream->alias = pstrdup(pp->p->tokens[pp->pos].str);
		pp->pos++;
		/* login AS a[cond]: the roadmap's order */
		if (at_char(pp, '['))
			n->stream->handlers =
				lappend(n->stream->handlers, parse_filter(pp));
	}
	return n;
}

static SiddhiPatternNode *
parse_source(PatParser *pp)
{
	SiddhiPatternNode *left = parse_state(pp);
	SiddhiPatternNode *n;
	int loc;

	if (!at_word(pp, "and") && !at_word(pp, "or"))
		return left;
	loc = pp->p->tokens[pp->pos].start;
	n = new_node(at_word(pp, "and") ? SIDDHI_PAT_AND : SIDDHI_PAT_OR, loc);
	pp->pos++;
	n->left = left;
	n->right = parse_state(pp);
	if (left->counted || n->right->counted)
		ereport(ERROR, (errcode(ERRCODE_SIDDHI_SYNTAX_ERROR),
						errmsg("a counted state cannot be part of %s",
							   n->kind == SIDDHI_PAT_AND ? "AND" : "OR"),
						siddhi_errposition(pp->p->source, loc)));
	if (at_word(pp, "and") || at_word(pp, "or"))
		ereport(ERROR, (errcode(ERRCODE_SIDDHI_SYNTAX_ERROR),
						errmsg("a logical pattern combines only two states"),
						siddhi_errposition(pp->p->source,
										   pp->p->tokens[pp->pos].start)));
	return n;
}

static SiddhiPatternNode *
parse_group(PatParser *pp)
{
	int close = sqlstream_match_close(pp->p, pp->pos, pp->end);
	PatParser inner = *pp;
	SiddhiPatternNode *n;

	inner.pos = pp->pos + 1;
	inner.end = close;
	n = parse_chain(&inner);
	if (inner.pos < close && (at_word(&inner, "or") || at_word(&inner, "and")))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("%s between sub-patterns is only supported at the top "
						"of the pattern",
						at_word(&inner, "or") ? "OR" : "AND"),
				 at_word(&inner, "or")
					 ? errhint("Write FROM PATTERN ((A -> B) OR (C -> D)); "
							   "inside parentheses, AND and OR join two "
							   "single states.")
					 : errhint("Write FROM PATTERN ((A -> B) AND (C -> D)): "
							   "the two match together once; every may "
							   "stand inside each pair of parentheses."),
				 siddhi_errposition(pp->p->source,
									pp->p->tokens[inner.pos].start)));
	if (inner.pos < close)
		pat_error(&inner, inner.pos,
				  at_word(&inner, "within")
					  ? "Write one WITHIN at the end of the pattern."
					  : NULL);
	pp->pos = close + 1;
	return n;
}

static SiddhiPatternNode *
parse_unit(PatParser *pp)
{
	SiddhiPatternNode *n;

	check_stack_depth();
	if (at_word(pp, "every"))
	{
		n = new_node(SIDDHI_PAT_EVERY, pp->p->tokens[pp->pos].start);
		pp->pos++;
		n->left = at_char(pp, '(') ? parse_group(pp) : parse_source(pp);
		return n;
	}
	if (at_char(pp, '('))
		return parse_group(pp);
	return parse_source(pp);
}

/*
 * A unit, or `NOT A -> state`: an absence without FOR followed by one
 * state is Siddhi's `not A and state`, the state's event with no A
 * before it (since the previous state, or the start).
 */
static SiddhiPatternNode *
parse_step(PatParser *pp)
{
	SiddhiPatternNode *u = parse_unit(pp);
	SiddhiPatternNode *n;
	int loc;

	if (u->kind != SIDDHI_PAT_NOT || u->for_ms >= 0 || pp->sequence ||
		!at_op(pp, "->"))
		return u;
	loc = pp->p->tokens[pp->pos].start;
	pp->pos++;
	n = new_node(SIDDHI_PAT_AND, loc);
	n->left = u;
	n->right = parse_unit(pp);
	if (n->right->kind != SIDDHI_PAT_STREAM || n->right->counted)
		ereport(ERROR,
				(errcode(ERRCODE_SIDDHI_SYNTAX_ERROR),
				 errmsg("NOT without FOR must be followed by a single state"),
				 errdetail("NOT A -> e=B means B with no A before it, as "
						   "SiddhiQL's not A and e=B."),
				 errhint("Write NOT A -> e=B, or give the absence a time: "
						 "NOT A FOR 5 minutes -> ..."),
				 siddhi_errposition(pp->p->source, n->right->location)));
	return n;
}

static SiddhiPatternNode *
parse_chain(PatParser *pp)
{
	SiddhiPatternNode *left = parse_step(pp);

	for (;;)
	{
		SiddhiPatternNode *n;
		int loc;

		if (pp->sequence ? at_char(pp, ',') : at_op(pp, "->"))
		{
			loc = pp->p->tokens[pp->pos].start;
			pp->pos++;
		}
		else if (pp->sequence ? at_op(pp, "->") : at_char(pp, ','))
			ereport(
				ERROR,
				(errcode(ERRCODE_SIDDHI_SYNTAX_ERROR),
				 errmsg("%s", pp->sequence ? "a SEQUENCE separates its states "
											 "with ,"
										   : "a PATTERN separates its states "
											 "with ->"),
				 siddhi_errposition(pp->p->source,
									pp->p->tokens[pp->pos].start)));
		else
			break;
		n = new_node(SIDDHI_PAT_NEXT, loc);
		n->left = left;
		n->right = parse_step(pp);
		left = n;
	}
	return left;
}

/*
 * The states of a subtree, into acc: their names (alias, else stream), or
 * their inputs when inputs.
 */
static List *
state_names(SiddhiPatternNode *n, List *acc, bool inputs)
{
	if (n == NULL)
		return acc;
	check_stack_depth();
	if (n->stream && inputs)
		acc = lappend(acc, n->stream);
	else if (n->stream)
		acc = lappend(acc,
					  n->stream->alias ? n->stream->alias : n->stream->stream);
	acc = state_names(n->left, acc, inputs);
	return state_names(n->right, acc, inputs);
}

/* Is name (a string) in the list of strings names? */
bool
sqlstream_name_in(List *names, const char *name)
{
	ListCell *lc;

	foreach(lc, names)
		if (strcmp(lfirst(lc), name) == 0)
			return true;
	return false;
}

/* Were the tokens [start, pp->pos) one group, [EVERY] ( .. )? */
static bool
one_group(PatParser *pp, int start)
{
	int open = start;

	if (sqlstream_is_word(pp->p, open, "every"))
		open++;
	return open < pp->pos && sqlstream_is_char(pp->p, open, '(') &&
		   sqlstream_match_close(pp->p, open, pp->end) == pp->pos - 1;
}

static pg_attribute_noreturn() void and_between_groups(PatParser *pp)
{
	sqlstream_not_supported(
		pp->p, pp->p->tokens[pp->pos].start,
		"AND and OR cannot be mixed between sub-patterns",
		"Write one query per alternative, inserting into the same stream: "
		"FROM PATTERN ((A -> B) AND (C -> D)) in one, (E -> F) in another.");
}

/*
 * (P1) AND (P2): the second side (the first already read from start),
 * both kept in the parser for sqlstream_pattern_and_split.
 */
static void
parse_and_sides(PatParser *pp, SiddhiPatternNode *first, int start)
{
	SqlParser *p = pp->p;
	int loc = p->tokens[pp->pos].start;
	SiddhiPatternNode *second;

	if (!one_group(pp, start))
		sqlstream_syntax_error_at(
			p, p->tokens[start].start,
			"each side of AND between sub-patterns needs parentheses",
			"Write FROM PATTERN ((A -> B) AND (C -> D)); AND without "
			"parentheses joins two single states (e1=A and e2=B).");
	if (pp->sequence)
		sqlstream_not_supported(
			p, loc, "AND between sub-sequences is not supported",
			"Write each sequence as a query inserting into a stream of its "
			"own, and match FROM PATTERN (e1=S1 and e2=S2) over those.");
	if (!p->pattern_alts_ok)
		sqlstream_not_supported(
			p, loc, "AND between sub-patterns is only supported in a query",
			"Write INSERT INTO target SELECT ... FROM PATTERN ((A -> B) AND "
			"(C -> D)), and change the table from that stream.");
	/* it makes several queries; a WITH query or subquery must be one */
	if (p->subquery_depth > 0)
		sqlstream_not_supported(
			p, loc,
			"AND between sub-patterns is not supported in a WITH query or "
			"a subquery",
			"Write INSERT INTO s SELECT ... FROM PATTERN ((A -> B) AND "
			"(C -> D)) as a query of its own, and read s.");
	pp->pos++;
	start = pp->pos;
	second = parse_chain(pp);
	if (!one_group(pp, start))
		sqlstream_syntax_error_at(
			p, p->tokens[start].start,
			"each side of AND between sub-patterns needs parentheses",
			"Write FROM PATTERN ((A -> B) AND (C -> D)).");
	if (at_word(pp, "or"))
		and_between_groups(pp);
	if (at_word(pp, "and"))
		sqlstream_not_supported(
			p, p->tokens[pp->pos].start, "AND joins only two sub-patterns",
			"Insert the matches of (P1) AND (P2) into a stream, and match "
			"FROM PATTERN ((e=Both) AND (P3)) in another query.");
	p->pattern_and[0] = first;
	p->pattern_and[1] = second;
	p->pattern_and_location = loc;
}

/*
 * (P1) OR (P2) ..: the alternatives after the first (already read from
 * start), each a group of its own.
 */
static List *
parse_alternatives(PatParser *pp, SiddhiPatternNode *first, int start)
{
	List *alts = list_make1(first);

	if (!pp->p->pattern_alts_ok)
		sqlstream_not_supported(
			pp->p, pp->p->tokens[pp->pos].start,
			"OR between sub-patterns is only supported in a query",
			"Write one statement per pattern.");
	/* one query per alternative; a WITH query or subquery must be one */
	if (pp->p->subquery_depth > 0)
		sqlstream_not_supported(
			pp->p, pp->p->tokens[pp->pos].start,
			"OR between sub-patterns is not supported in a WITH query or a "
			"subquery",
			"Write INSERT INTO s SELECT ... FROM PATTERN ((A -> B) OR "
			"(C -> D)) as a query of its own, and read s.");
	if (pp->sequence)
		sqlstream_not_supported(
			pp->p, pp->p->tokens[pp->pos].start,
			"OR between sub-sequences is not supported",
			"Write one query per sequence, inserting into the same stream.");
	for (;;)
	{
		if (!one_group(pp, start))
			sqlstream_syntax_error_at(
				pp->p, pp->p->tokens[start].start,
				"each side of OR between sub-patterns needs parentheses",
				"Write FROM PATTERN ((A -> B) OR (C -> D)).");
		if (at_word(pp, "and"))
			and_between_groups(pp);
		if (!at_word(pp, "or"))
			break;
		pp->pos++;
		start = pp->pos;
		alts = lappend(alts, parse_chain(pp));
	}
	return alts;
}

/*
 * The body of PATTERN ( .. ) or SEQUENCE ( .. ): tokens (open, close),
 * into in (kind, pattern, within).
 */
void
sqlstream_parse_pattern(SqlParser *p, int open, int close, bool sequence,
						SiddhiInput *in)
{
	PatParser pp = { p, open + 1, close, sequence };
	List *alts = NIL;

	in->kind = sequence ? SIDDHI_INPUT_SEQUENCE : SIDDHI_INPUT_PATTERN;
	in->location = p->tokens[open].start;
	if (close == open + 1)
		pat_error(&pp, close, "Write the states of the pattern inside.");
	in->pattern = parse_chain(&pp);
	p->pattern_and[0] = p->pattern_and[1] = NULL;
	if (at_word(&pp, "and"))
		parse_and_sides(&pp, in->pattern, open + 1);
	else if (at_word(&pp, "or"))
		alts = parse_alternatives(&pp, in->pattern, open + 1);
	if (at_word(&pp, "after"))
	{
		/* X AFTER Y: Y -> X */
		SiddhiPatternNode *n =
			new_node(SIDDHI_PAT_NEXT, p->tokens[pp.pos].start);

		if (alts != NIL || p->pattern_and[0] != NULL)
			sqlstream_syntax_error_at(
				p, p->tokens[pp.pos].start,
				psprintf("AFTER cannot follow sub-patterns joined by %s",
						 alts != NIL ? "OR" : "AND"),
				alts != NIL ? "Write the common start in each: (Y -> P1) "
							  "OR (Y -> P2)."
							: "Write the common start in each: (Y -> P1) "
							  "AND (Y -> P2).");
		pp.pos++;
		n->right = in->pattern;
		n->left = parse_chain(&pp);
		in->pattern = n;
	}
	if (at_word(&pp, "within"))
	{
		int loc = p->tokens[pp.pos].start;
		int64 ms;

		pp.pos++;
		ms = duration(&pp, "WITHIN");
		{
			A_Const *c = makeNode(A_Const);
			TypeCast *tc = makeNode(TypeCast);

			sqlstream_set_integer_const(c, ms);
			c->location = loc;
			tc->arg = (Node *) c;
			tc->typeName = SystemTypeName("int8");
			tc->location = loc;
			in->within = (Node *) tc;
		}
	}
	if (pp.pos < close)
		pat_error(&pp, pp.pos,
				  sequence ? "Separate the states of a SEQUENCE with ,."
						   : "Separate the states of a PATTERN with ->.");
	if (alts != NIL)
	{
		List *mine;
		List *seen = NIL;
		ListCell *lc;

		p->pattern_nalts = list_length(alts);
		in->pattern =
			list_nth(alts, Min(p->pattern_alt, p->pattern_nalts - 1));
		mine = state_names(in->pattern, NIL, false);
		foreach(lc, alts)
		{
			List *theirs = state_names(lfirst(lc), NIL, true);
			ListCell *ln;

			foreach(ln, theirs)
			{
				SiddhiStreamInput *st = lfirst(ln);
				char *name = st->alias ? st->alias : st->stream;

				if (sqlstream_name_in(mine, name) ||
					sqlstream_name_in(seen, name))
					continue;
				seen = lappend(seen, name);
				in->other_states = lappend(in->other_states, st);
			}
		}
	}
}
