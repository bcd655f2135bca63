/*-------------------------------------------------------------------------
 *
 * siddhiql.c
 *	  The SiddhiQL front end: a recursive-descent parser from app text to
 *	  a SiddhiApp (include/siddhi/ast.h).
 *
 * An app is a sequence of statements separated by semicolons:
 *
 *		app-annotation* ( [annotation*] define ... | from ... | partition ... )
 *
 * Annotations named "app:..." belong to the app wherever they appear;
 * every other annotation attaches to the statement that follows it.
 * This file owns the app, its statements' annotations, on-demand queries
 * and the helpers the other files share; siddhiql_define.c owns the
 * definitions, siddhiql_query.c the queries and partitions,
 * siddhiql_pattern.c their pattern and sequence inputs, siddhiql_expr.c
 * the expressions and siddhiql_lexer.c the tokens.  Names fold to lower case like unquoted
 * names in PostgreSQL; `backquoted` names keep their case.
 *
 * Every syntax error is raised with ERRCODE_SIDDHI_SYNTAX_ERROR and the
 * byte offset of the offending token; the caller's error context turns
 * that into line, column and a caret.  Nothing here allocates anything but
 * memory in the current context.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "lib/stringinfo.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "siddhi/errors.h"
#include "siddhi/parser.h"
#include "siddhiql_lexer.h"

/* ---------------------------------------------------------------------
 * Helpers shared with siddhiql_expr.c
 * ---------------------------------------------------------------------
 */

/* Is t the (unquoted) keyword kw? */
bool
sq_is_kw(SiddhiqlToken *t, const char *kw)
{
	return t->kind == TOK_IDENT && !t->quoted &&
		   pg_strcasecmp(t->str, kw) == 0;
}

bool
sq_accept_kw(SiddhiqlParser *p, const char *kw)
{
	if (!sq_is_kw(sq_peek(p), kw))
		return false;
	sq_next(p);
	return true;
}

bool
sq_accept(SiddhiqlParser *p, SiddhiqlTokKind kind)
{
	if (sq_peek(p)->kind != kind)
		return false;
	sq_next(p);
	return true;
}

SiddhiqlToken *
sq_expect(SiddhiqlParser *p, SiddhiqlTokKind kind, const char *hint)
{
	if (sq_peek(p)->kind != kind)
		sq_syntax_error(p, sq_peek(p), hint);
	return sq_next(p);
}

void
sq_expect_kw(SiddhiqlParser *p, const char *kw, const char *hint)
{
	if (!sq_accept_kw(p, kw))
		sq_syntax_error(p, sq_peek(p), hint);
}

/* A name folded to lower case (ASCII), unless it was `backquoted`. */
char *
sq_fold(SiddhiqlToken *t)
{
	char *s = pstrdup(t->str);

	if (!t->quoted)
		for (char *c = s; *c; c++)
			if (*c >= 'A' && *c <= 'Z')
				*c += 'a' - 'A';
	return s;
}

/* Expect a name; return it folded and set *location. */
char *
sq_expect_name(SiddhiqlParser *p, int *location)
{
	SiddhiqlToken *t = sq_expect(p, TOK_IDENT, NULL);

	*location = t->loc;
	return sq_fold(t);
}

void
sq_syntax_error(SiddhiqlParser *p, SiddhiqlToken *t, const char *hint)
{
	if (t->kind == TOK_EOF)
		ereport(ERROR, (errcode(ERRCODE_SIDDHI_SYNTAX_ERROR),
						errmsg("syntax error at end of input"),
						hint ? errhint("%s", hint) : 0,
						siddhi_errposition(p->source, t->loc)));
	else
	{
		/* long tokens (a """...""" string) are cut short in the message */
		int len = pg_mbcliplen(p->source + t->loc, t->len, 40);
		char *text = pnstrdup(p->source + t->loc, len);

		ereport(ERROR, (errcode(ERRCODE_SIDDHI_SYNTAX_ERROR),
						errmsg("syntax error at or near \"%s%s\"", text,
							   len < t->len ? "..." : ""),
						hint ? errhint("%s", hint) : 0,
						siddhi_errposition(p->source, t->loc)));
	}
	pg_unreachable();
}

void
sq_error_at(SiddhiqlParser *p, int location, const char *hint, const char *fmt,
			...)
{
	StringInfoData buf;

	initStringInfo(&buf);
	for (;;)
	{
		va_list args;
		int needed;

		va_start(args, fmt);
		needed = appendStringInfoVA(&buf, fmt, args);
		va_end(args);
		if (needed == 0)
			break;
		enlargeStringInfo(&buf, needed);
	}
	ereport(ERROR,
			(errcode(ERRCODE_SIDDHI_SYNTAX_ERROR),
			 errmsg_internal("%s", buf.data), hint ? errhint("%s", hint) : 0,
			 siddhi_errposition(p->source, location)));
	pg_unreachable();
}

/* Byte offset just past the previous token. */
int
sq_prev_end(SiddhiqlParser *p)
{
	SiddhiqlToken *t;

	if (p->pos == 0)
		return 0;
	t = &p->toks[p->pos - 1];
	return t->loc + t->len;
}

/* ---------------------------------------------------------------------
 * Annotations
 * ---------------------------------------------------------------------
 */

/* key = 'value', 'value', or a nested @annotation, inside (...) */
static SiddhiAnnotationElement *
parse_annotation_element(SiddhiqlParser *p)
{
	SiddhiAnnotationElement *e = palloc0(sizeof(SiddhiAnnotationElement));
	SiddhiqlToken *t = sq_peek(p);

	e->location = t->loc;
	if (t->kind == TOK_IDENT)
	{
		/* a key: name with . - : separators (idle.time, on.error) */
		StringInfoData key;

		initStringInfo(&key);
		appendStringInfoString(&key, sq_next(p)->str);
		while ((sq_peek(p)->kind == TOK_DOT || sq_peek(p)->kind == TOK_MINUS ||
				sq_peek(p)->kind == TOK_COLON) &&
			   sq_peek_at(p, 1)->kind == TOK_IDENT)
		{
			appendStringInfoChar(&key, p->source[sq_next(p)->loc]);
			appendStringInfoString(&key, sq_next(p)->str);
		}
		sq_expect(p, TOK_ASSIGN, "Write key='value'.");
		e->key = key.data;
		t = sq_peek(p);
	}
	switch (t->kind)
	{
		case TOK_STRING:
		case TOK_INT:
		case TOK_FLOAT:
			e->value = pstrdup(t->str);
			break;
		case TOK_IDENT:
			if (sq_is_kw(t, "true") || sq_is_kw(t, "false"))
			{
				e->value = sq_fold(t);
				break;
			}
			/* FALLTHROUGH */
		default:
			sq_syntax_error(p, t, "Annotation values are strings in quotes.");
	}
	sq_next(p);
	return e;
}

static SiddhiAnnotation *
parse_annotation(SiddhiqlParser *p)
{
	SiddhiAnnotation *a = palloc0(sizeof(SiddhiAnnotation));
	SiddhiqlToken *t;

	check_stack_depth();
	a->location = sq_expect(p, TOK_AT, NULL)->loc;
	t = sq_expect(p, TOK_IDENT, "Write @name(...).");
	a->name = pstrdup(t->str);
	if (sq_peek(p)->kind == TOK_COLON)
	{
		sq_next(p);
		a->name =
			psprintf("%s:%s", a->name, sq_expect(p, TOK_IDENT, NULL)->str);
	}
	if (!sq_accept(p, TOK_LPAREN))
		return a;
	if (sq_accept(p, TOK_RPAREN))
		return a;
	do
	{
		if (sq_peek(p)->kind == TOK_AT)
			a->annotations = lappend(a->annotations, parse_annotation(p));
		else
			a->elements = lappend(a->elements, parse_annotation_element(p));
	} while (sq_accept(p, TOK_COMMA));
	sq_expect(p, TOK_RPAREN, NULL);
	return a;
}

static bool
is_app_annotation(SiddhiAnnotation *a)
{
	return pg_strncasecmp(a->name, "app:", 4) == 0;
}

/*
 * Annotations before a statement: app-level ones go to the app (and
 * @app:name names it), the others are returned for the statement.
 */
List *
sq_parse_statement_annotations(SiddhiqlParser *p, SiddhiApp *app)
{
	List *result = NIL;

	while (sq_peek(p)->kind == TOK_AT)
	{
		SiddhiAnnotation *a = parse_annotation(p);

		if (!is_app_annotation(a))
		{
			result = lappend(result, a);
			continue;
		}
		if (app == NULL)
			sq_error_at(p, a->location,
						"Put @app annotations at the top of the app.",
						"@%s is not allowed inside a partition", a->name);
		if (pg_strcasecmp(a->name, "app:name") == 0)
		{
			SiddhiAnnotationElement *e = siddhi_annotation_element(a, NULL);

			if (e == NULL)
				e = siddhi_annotation_element(a, "name");
			if (e == NULL)
				sq_error_at(p, a->location, "Write @app:name('name').",
							"@app:name needs a name");
			app->name = e->value;
		}
		app->annotations = lappend(app->annotations, a);
	}
	return result;
}

/* ---------------------------------------------------------------------
 * The app
 * ---------------------------------------------------------------------
 */

SiddhiApp *
siddhiql_parse(const char *source)
{
	SiddhiqlParser parser;
	SiddhiqlParser *p = &parser;
	SiddhiApp *app = palloc0(sizeof(SiddhiApp));

	p->source = source;
	p->toks = siddhiql_tokenize(source, &p->ntoks);
	p->pos = 0;
	app->dialect = SIDDHI_DIALECT_SIDDHIQL;
	app->source = source;

	for (;;)
	{
		List *anns;
		SiddhiqlToken *t;

		CHECK_FOR_INTERRUPTS();
		while (sq_accept(p, TOK_SEMICOLON))
			;
		anns = sq_parse_statement_annotations(p, app);
		t = sq_peek(p);
		if (t->kind == TOK_EOF)
		{
			if (anns != NIL)
				sq_syntax_error(p, t,
								"An annotation must be followed by a "
								"definition, a query or a partition.");
			break;
		}
		if (sq_is_kw(t, "define"))
			app->definitions =
				lappend(app->definitions, sq_parse_definition(p, anns));
		else if (sq_is_kw(t, "from"))
			app->queries =
				lappend(app->queries, sq_parse_query(p, anns, false));
		else if (sq_is_kw(t, "partition"))
			app->partitions =
				lappend(app->partitions, sq_parse_partition(p, anns));
		else
			sq_syntax_error(
				p, t,
				"An app is made of define, from and partition statements.");

		if (!sq_accept(p, TOK_SEMICOLON) && sq_peek(p)->kind != TOK_EOF)
			sq_syntax_error(p, sq_peek(p), HINT_SEMICOLON);
	}
	return app;
}

/* ---------------------------------------------------------------------
 * A lone expression (the string argument of expression windows)
 * ---------------------------------------------------------------------
 */

typedef struct LoneExprContext
{
	const char *padded; /* what the parser saw */
	const char *source; /* the app */
} LoneExprContext;

/*
 * An error position counts characters of the padded text, which has one
 * byte per character before the expression: turn it into the same byte
 * offset's position in the app.
 */
static void
lone_expr_error_callback(void *arg)
{
	LoneExprContext *ctx = arg;
	int pos = geterrposition();
	const char *s = ctx->padded;

	if (pos <= 0)
		return;
	for (int i = 1; i < pos && *s; i++)
		s += pg_mblen(s);
	errposition(pg_mbstrlen_with_len(ctx->source, s - ctx->padded) + 1);
}

Node *
siddhiql_parse_expression(const char *source, const char *text, int offset)
{
	SiddhiqlParser parser;
	SiddhiqlParser *p = &parser;
	LoneExprContext ctx;
	ErrorContextCallback cb;
	size_t len = strlen(text);
	char *padded = palloc(offset + len + 1);
	Node *e;

	/*
	 * Blanks stand for the app before the expression, so that every
	 * location the parser records is a byte offset into the app.
	 */
	for (int i = 0; i < offset; i++)
		padded[i] = source[i] == '\n' ? '\n' : ' ';
	memcpy(padded + offset, text, len + 1);

	ctx.padded = padded;
	ctx.source = source;
	cb.callback = lone_expr_error_callback;
	cb.arg = &ctx;
	cb.previous = error_context_stack;
	error_context_stack = &cb;

	p->source = padded;
	p->toks = siddhiql_tokenize(padded, &p->ntoks);
	p->pos = 0;
	if (sq_peek(p)->kind == TOK_EOF)
		sq_syntax_error(p, sq_peek(p), "The expression is empty.");
	e = siddhiql_parse_expr(p);
	if (sq_peek(p)->kind != TOK_EOF)
		sq_syntax_error(p, sq_peek(p),
						"The string holds one expression and nothing else.");

	error_context_stack = cb.previous;
	return e;
}

/* ---------------------------------------------------------------------
 * On-demand queries (siddhi.query())
 * ---------------------------------------------------------------------
 */

#define HINT_ON_DEMAND                                                      \
	"An on-demand query is from T [on cond] [within .. per ..] select .., " \
	"select .. insert into T, [select ..] delete T [on cond], "             \
	"[select ..] update T set .. on cond, or select .. update or "          \
	"insert into T set .. on cond."

/* The action after an on-demand query's select, or without one. */
static SiddhiOutput *
parse_store_output(SiddhiqlParser *p, bool has_select)
{
	SiddhiOutput *o = palloc0(sizeof(SiddhiOutput));
	SiddhiqlToken *t = sq_peek(p);
	int loc;

	o->location = t->loc;
	o->events = SIDDHI_EVENTS_CURRENT;
	if (has_select && sq_accept_kw(p, "insert"))
	{
		o->kind = SIDDHI_OUT_INSERT;
		sq_expect_kw(p, "into", "Write insert into <table>.");
		o->target = sq_expect_name(p, &loc);
		return o;
	}
	if (sq_accept_kw(p, "delete"))
	{
		o->kind = SIDDHI_OUT_DELETE;
		o->target = sq_expect_name(p, &loc);
		if (sq_accept_kw(p, "on"))
			o->on = siddhiql_parse_expr(p);
		return o;
	}
	if (!sq_accept_kw(p, "update"))
		sq_syntax_error(p, t, HINT_ON_DEMAND);
	o->kind = SIDDHI_OUT_UPDATE;
	if (sq_accept_kw(p, "or"))
	{
		if (!has_select)
			sq_error_at(p, t->loc, HINT_ON_DEMAND,
						"update or insert needs a select");
		sq_expect_kw(p, "insert", "Write update or insert into <table>.");
		sq_expect_kw(p, "into", "Write update or insert into <table>.");
		o->kind = SIDDHI_OUT_UPSERT;
	}
	o->target = sq_expect_name(p, &loc);
	if (sq_accept_kw(p, "set"))
		o->set = sq_parse_set_clause(p);
	sq_expect_kw(p, "on",
				 "Table operations need a condition: on T.key == key.");
	o->on = siddhiql_parse_expr(p);
	return o;
}

SiddhiQuery *
siddhiql_parse_on_demand(const char *source)
{
	SiddhiqlParser parser;
	SiddhiqlParser *p = &parser;
	SiddhiQuery *q = palloc0(sizeof(SiddhiQuery));
	SiddhiqlToken *t;

	p->source = source;
	p->toks = siddhiql_tokenize(source, &p->ntoks);
	p->pos = 0;
	t = sq_peek(p);
	q->location = t->loc;
	if (sq_accept_kw(p, "from"))
	{
		SiddhiInput *in = palloc0(sizeof(SiddhiInput));
		SiddhiStreamInput *s = palloc0(sizeof(SiddhiStreamInput));

		in->kind = SIDDHI_INPUT_STREAM;
		in->location = t->loc;
		s->location = sq_peek(p)->loc;
		s->stream = sq_expect_name(p, &s->location);
		if (sq_accept_kw(p, "as"))
		{
			int loc;

			s->alias = sq_expect_name(p, &loc);
		}
		in->stream = s;
		if (sq_accept_kw(p, "on"))
			in->on = siddhiql_parse_expr(p);
		if (sq_accept_kw(p, "within"))
		{
			Node *start = siddhiql_parse_expr(p);

			if (sq_accept(p, TOK_COMMA))
				in->within =
					(Node *) list_make2(start, siddhiql_parse_expr(p));
			else
				in->within = start;
		}
		if (sq_accept_kw(p, "per"))
			in->per = siddhiql_parse_expr(p);
		q->input = in;
		q->selector = sq_parse_selector(p);
	}
	else if (sq_is_kw(t, "select") || sq_is_kw(t, "delete") ||
			 sq_is_kw(t, "update"))
	{
		if (sq_is_kw(t, "select"))
			q->selector = sq_parse_selector(p);
		q->output = parse_store_output(p, q->selector != NULL);
	}
	else
		sq_syntax_error(p, t, HINT_ON_DEMAND);
	sq_accept(p, TOK_SEMICOLON);
	if (sq_peek(p)->kind != TOK_EOF)
		sq_syntax_error(p, sq_peek(p), HINT_ON_DEMAND);
	q->end_location = strlen(source);
	return q;
}
