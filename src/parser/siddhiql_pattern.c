/*-------------------------------------------------------------------------
 *
 * siddhiql_pattern.c
 *	  SiddhiQL pattern and sequence inputs: `from every e1=S[..] -> e2=T[..]`
 *	  and `from e1=S, e2=T+`.
 *
 * siddhiql_query.c asks sq_pattern_input_kind() whether a query's input
 * is a pattern or a sequence, then sq_parse_pattern_input() reads it into
 * a tree of SiddhiPatternNode (include/siddhi/ast.h), whose states read
 * their streams as any input does (sq_parse_stream_input).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "miscadmin.h"
#include "siddhi/parser.h"
#include "siddhiql_lexer.h"

/*
 * Patterns and sequences (issue 6).  A query input is one when it starts
 * with every, (, not <stream>, or e=, or when -> or , follows its first
 * stream at the outer level.  -> chains states of a pattern, and , those of
 * a sequence; a query uses one or the other.
 *
 *		chain  := unit ( -> unit )*			(, in a sequence)
 *		unit   := every ( chain ) | every source | ( chain ) | source
 *		source := state [ (and | or) state ]
 *		state  := not S[..] [for <time>]
 *				| [e =] S[..] [ <n:m> | <n:> | <:m> | <n> ]  (+ * ? in sequences)
 */
static SiddhiPatternNode *parse_pattern_chain(SiddhiqlParser *p,
											  bool sequence);

/* within inside parentheses: one within bounds the whole match here */
static void
reject_inner_within(SiddhiqlParser *p)
{
	if (sq_is_kw(sq_peek(p), "within") && !sq_peek(p)->quoted)
		ereport(ERROR, (errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
						errmsg("within inside parentheses is not supported"),
						errhint("Write one within at the end of the pattern."),
						siddhi_errposition(p->source, sq_peek(p)->loc)));
}

static SiddhiPatternNode *
make_pattern_node(SiddhiPatternKind kind, int location)
{
	SiddhiPatternNode *n = palloc0(sizeof(SiddhiPatternNode));

	n->kind = kind;
	n->min_count = 1;
	n->max_count = 1;
	n->for_ms = -1;
	n->location = location;
	return n;
}

/* A whole number in a count, <n:m>. */
static int
parse_count_bound(SiddhiqlParser *p)
{
	SiddhiqlToken *t = sq_expect(p, TOK_INT,
								 "A count is <n:m>, <n:>, <:m> "
								 "or <n>, with whole numbers.");
	char *end;
	long v;

	errno = 0;
	v = strtol(t->str, &end, 10);
	if (t->suffix != 0 || errno != 0 || *end != '\0' || v > PG_INT32_MAX - 1)
		sq_error_at(p, t->loc, NULL, "count %s is out of range", t->str);
	return (int) v;
}

static SiddhiPatternNode *
parse_pattern_state(SiddhiqlParser *p, bool sequence)
{
	SiddhiqlToken *t = sq_peek(p);
	SiddhiPatternNode *n;

	if (sq_is_kw(t, "not") && sq_peek_at(p, 1)->kind == TOK_IDENT)
	{
		sq_next(p);
		n = make_pattern_node(SIDDHI_PAT_NOT, t->loc);
		n->stream = sq_parse_stream_input(p);
		if (sq_accept_kw(p, "for"))
		{
			int loc;

			if (!siddhiql_at_time_value(p))
				sq_syntax_error(p, sq_peek(p),
								"Write not S for <time>, such as for 5 sec.");
			n->for_ms = siddhiql_parse_time_ms(p, &loc);
		}
		return n;
	}
	n = make_pattern_node(SIDDHI_PAT_STREAM, t->loc);
	if (t->kind == TOK_IDENT && sq_peek_at(p, 1)->kind == TOK_ASSIGN)
	{
		int loc;
		char *alias = sq_expect_name(p, &loc);

		sq_next(p);
		n->stream = sq_parse_stream_input(p);
		n->stream->alias = alias;
	}
	else
		n->stream = sq_parse_stream_input(p);

	t = sq_peek(p);
	if (t->kind == TOK_LT)
	{
		sq_next(p);
		if (sq_accept(p, TOK_COLON))
		{
			n->min_count = 0;
			n->max_count = parse_count_bound(p);
		}
		else
		{
			n->min_count = parse_count_bound(p);
			if (sq_accept(p, TOK_COLON))
				n->max_count =
					sq_peek(p)->kind == TOK_GT ? -1 : parse_count_bound(p);
			else
				n->max_count = n->min_count;
		}
		sq_expect(p, TOK_GT, "Close the count with >.");
		if (n->max_count >= 0 && n->max_count < n->min_count)
			sq_error_at(p, t->loc, NULL,
						"the largest count %d is below the smallest, %d",
						n->max_count, n->min_count);
		if (n->max_count == 0)
			sq_error_at(p, t->loc, NULL, "a count must allow one event");
	}
	else if (sequence && (t->kind == TOK_PLUS || t->kind == TOK_STAR ||
						  t->kind == TOK_QUESTION))
	{
		sq_next(p);
		n->min_count = t->kind == TOK_PLUS ? 1 : 0;
		n->max_count = t->kind == TOK_QUESTION ? 1 : -1;
		if (t->kind == TOK_QUESTION)
			n->min_count = 0;
	}
	else
		n->min_count = n->max_count = 1;
	/* 1:1 with the <..> written is still a count state, as in Siddhi */
	if (t->kind == TOK_LT || t->kind == TOK_PLUS || t->kind == TOK_STAR ||
		t->kind == TOK_QUESTION)
		n->counted = true;
	return n;
}

/* state [ (and | or) state ] */
static SiddhiPatternNode *
parse_pattern_source(SiddhiqlParser *p, bool sequence)
{
	SiddhiPatternNode *left = parse_pattern_state(p, sequence);
	SiddhiqlToken *t = sq_peek(p);
	SiddhiPatternNode *n;

	if (!sq_is_kw(t, "and") && !sq_is_kw(t, "or"))
		return left;
	sq_next(p);
	n = make_pattern_node(sq_is_kw(t, "and") ? SIDDHI_PAT_AND : SIDDHI_PAT_OR,
						  t->loc);
	n->left = left;
	n->right = parse_pattern_state(p, sequence);
	if (left->counted || n->right->counted)
		sq_error_at(p, t->loc,
					"Count the events in a state of its own instead.",
					"a counted state cannot be part of %s",
					n->kind == SIDDHI_PAT_AND ? "and" : "or");
	if (sq_is_kw(sq_peek(p), "and") || sq_is_kw(sq_peek(p), "or"))
		sq_error_at(p, sq_peek(p)->loc, NULL,
					"a logical pattern combines only two states");
	return n;
}

/*
 * Siddhi's and/or join two single states; after a group of states they
 * are an error of their own, with the rewrite.
 */
static void
reject_logical_groups(SiddhiqlParser *p)
{
	SiddhiqlToken *t = sq_peek(p);

	if (!t->quoted && (sq_is_kw(t, "and") || sq_is_kw(t, "or")))
		sq_error_at(p, t->loc,
					"Write one query per pattern, inserting into the same "
					"stream (the SQL dialect's FROM PATTERN ((A -> B) OR "
					"(C -> D)) does that for or).",
					"%s joins two single states, not groups of states",
					sq_is_kw(t, "and") ? "and" : "or");
}

static SiddhiPatternNode *
parse_pattern_unit(SiddhiqlParser *p, bool sequence)
{
	SiddhiqlToken *t = sq_peek(p);
	SiddhiPatternNode *n;

	check_stack_depth();
	if (sq_is_kw(t, "every") && !t->quoted)
	{
		sq_next(p);
		n = make_pattern_node(SIDDHI_PAT_EVERY, t->loc);
		if (sq_peek(p)->kind == TOK_LPAREN)
		{
			sq_next(p);
			n->left = parse_pattern_chain(p, sequence);
			reject_inner_within(p);
			reject_logical_groups(p);
			sq_expect(p, TOK_RPAREN, NULL);
			reject_logical_groups(p);
		}
		else
			n->left = parse_pattern_source(p, sequence);
		return n;
	}
	if (t->kind == TOK_LPAREN)
	{
		sq_next(p);
		n = parse_pattern_chain(p, sequence);
		reject_inner_within(p);
		reject_logical_groups(p);
		sq_expect(p, TOK_RPAREN, NULL);
		reject_logical_groups(p);
		return n;
	}
	return parse_pattern_source(p, sequence);
}

static SiddhiPatternNode *
parse_pattern_chain(SiddhiqlParser *p, bool sequence)
{
	SiddhiPatternNode *left = parse_pattern_unit(p, sequence);

	for (;;)
	{
		SiddhiqlToken *t = sq_peek(p);
		SiddhiPatternNode *n;

		if (t->kind == (sequence ? TOK_COMMA : TOK_ARROW))
			sq_next(p);
		else if (t->kind == (sequence ? TOK_ARROW : TOK_COMMA))
			sq_error_at(p, t->loc,
						"Use -> between the states of a pattern, or , between "
						"those of a sequence.",
						"a query cannot mix -> and ,");
		else
			break;
		n = make_pattern_node(SIDDHI_PAT_NEXT, t->loc);
		n->left = left;
		n->right = parse_pattern_unit(p, sequence);
		left = n;
	}
	return left;
}

/* Does the ( at token i open a call's arguments (name(...))? */
static bool
is_call_paren(SiddhiqlParser *p, int i)
{
	SiddhiqlToken *prev;

	if (i == 0)
		return false;
	prev = &p->toks[i - 1];
	return prev->kind == TOK_IDENT &&
		   (prev->quoted ||
			(!sq_is_kw(prev, "every") && !sq_is_kw(prev, "and") &&
			 !sq_is_kw(prev, "or") && !sq_is_kw(prev, "from")));
}

/*
 * Is the input starting at the current token a pattern or a sequence?
 * Returns 0 for neither, else SIDDHI_INPUT_PATTERN or _SEQUENCE.
 */
int
sq_pattern_input_kind(SiddhiqlParser *p)
{
	SiddhiqlToken *t = sq_peek(p);
	bool stateful =
		sq_is_kw(t, "every") || t->kind == TOK_LPAREN ||
		(sq_is_kw(t, "not") && sq_peek_at(p, 1)->kind == TOK_IDENT) ||
		(t->kind == TOK_IDENT && sq_peek_at(p, 1)->kind == TOK_ASSIGN);
	int depth = 0;
	int calls = 0;

	for (int i = p->pos; i < p->ntoks; i++)
	{
		SiddhiqlToken *u = &p->toks[i];

		/*
		 * brackets hold conditions and calls their arguments; other
		 * parentheses group states, whose commas make a sequence
		 */
		if (u->kind == TOK_LBRACKET ||
			(u->kind == TOK_LPAREN && (calls > 0 || is_call_paren(p, i))))
		{
			depth++;
			if (u->kind == TOK_LPAREN)
				calls++;
		}
		else if (u->kind == TOK_RBRACKET ||
				 (u->kind == TOK_RPAREN && calls > 0))
		{
			depth--;
			if (u->kind == TOK_RPAREN)
				calls--;
		}
		else if (u->kind == TOK_EOF || u->kind == TOK_SEMICOLON ||
				 (!u->quoted &&
				  (sq_is_kw(u, "select") || sq_is_kw(u, "insert") ||
				   sq_is_kw(u, "output") || sq_is_kw(u, "within") ||
				   sq_is_kw(u, "delete") || sq_is_kw(u, "update") ||
				   sq_is_kw(u, "return"))))
			break;
		else if (u->kind == TOK_ARROW)
			return SIDDHI_INPUT_PATTERN;
		else if (depth <= 0 && u->kind == TOK_COMMA)
			return SIDDHI_INPUT_SEQUENCE;
	}
	return stateful ? SIDDHI_INPUT_PATTERN : 0;
}

/* pattern or sequence input, then [within <time>] */
void
sq_parse_pattern_input(SiddhiqlParser *p, SiddhiInput *in, int kind)
{
	in->kind = kind;
	in->pattern = parse_pattern_chain(p, kind == SIDDHI_INPUT_SEQUENCE);
	if (sq_accept_kw(p, "within"))
	{
		int loc;
		int64 ms;

		if (!siddhiql_at_time_value(p))
			sq_syntax_error(p, sq_peek(p),
							"Write within <time>, such as within 10 sec.");
		ms = siddhiql_parse_time_ms(p, &loc);
		in->within = siddhiql_make_int8_const(ms, loc);
	}
}
