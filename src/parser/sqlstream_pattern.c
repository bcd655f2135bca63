/*-------------------------------------------------------------------------
 *
 * sqlstream_pattern.c
 *	  FROM PATTERN ( .. ) and FROM SEQUENCE ( .. ) of the streaming SQL
 *	  dialect: the same state tree SiddhiQL's patterns build (ast.h).
 *
 *		body   := chain [WITHIN duration]
 *		chain  := unit ( -> unit )*			(, in a SEQUENCE)
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

static SiddhiPatternNode *
parse_chain(PatParser *pp)
{
	SiddhiPatternNode *left = parse_unit(pp);

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
		n->right = parse_unit(pp);
		left = n;
	}
	return left;
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

	in->kind = sequence ? SIDDHI_INPUT_SEQUENCE : SIDDHI_INPUT_PATTERN;
	in->location = p->tokens[open].start;
	if (close == open + 1)
		pat_error(&pp, close, "Write the states of the pattern inside.");
	in->pattern = parse_chain(&pp);
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
}
