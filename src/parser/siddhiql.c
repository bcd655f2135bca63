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
 * This file owns the structure (annotations, definitions, queries, inputs,
 * outputs, partitions); siddhiql_expr.c owns expressions and
 * siddhiql_lexer.c the tokens.  Names fold to lower case like unquoted
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
#include "nodes/makefuncs.h"
#include "siddhi/errors.h"
#include "siddhi/parser.h"
#include "siddhiql_lexer.h"

#define HINT_SEMICOLON "Statements end with a semicolon."
#define HINT_OUTPUT                                                          \
	"A query ends with insert into, delete, update, update or insert into, " \
	"or return."

static SiddhiQuery *parse_query(SiddhiqlParser *p, List *annotations,
								bool aggregation);

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
static int
prev_end(SiddhiqlParser *p)
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
static List *
parse_statement_annotations(SiddhiqlParser *p, SiddhiApp *app)
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
 * Definitions
 * ---------------------------------------------------------------------
 */

static TypeName *
parse_type(SiddhiqlParser *p)
{
	SiddhiqlToken *t = sq_expect(p, TOK_IDENT, NULL);
	TypeName *tn = t->quoted ? NULL : siddhiql_type_name(t->str);

	if (tn == NULL)
		sq_error_at(
			p, t->loc,
			"The types are string, int, long, float, double, bool and object.",
			"unknown type \"%s\"", t->str);
	tn->location = t->loc;
	return tn;
}

/* ( name type, ... ) */
static List *
parse_attributes(SiddhiqlParser *p)
{
	List *attrs = NIL;

	sq_expect(p, TOK_LPAREN,
			  "Write the attributes in parentheses: (name type, ...).");
	do
	{
		SiddhiAttribute *a = palloc0(sizeof(SiddhiAttribute));

		a->name = sq_expect_name(p, &a->location);
		a->type = parse_type(p);
		attrs = lappend(attrs, a);
	} while (sq_accept(p, TOK_COMMA));
	sq_expect(p, TOK_RPAREN, NULL);
	return attrs;
}

/* name(args) or ns:name(args); the name keeps its case */
static SiddhiCall *
parse_call(SiddhiqlParser *p)
{
	SiddhiCall *c = palloc0(sizeof(SiddhiCall));
	SiddhiqlToken *t = sq_expect(p, TOK_IDENT, NULL);

	c->location = t->loc;
	c->name = pstrdup(t->str);
	if (sq_accept(p, TOK_COLON))
	{
		c->ns = c->name;
		c->name = pstrdup(sq_expect(p, TOK_IDENT, NULL)->str);
	}
	sq_expect(p, TOK_LPAREN, NULL);
	if (!sq_accept(p, TOK_RPAREN))
	{
		do
		{
			c->args = lappend(c->args, siddhiql_parse_expr(p));
		} while (sq_accept(p, TOK_COMMA));
		sq_expect(p, TOK_RPAREN, NULL);
	}
	return c;
}

/* [current|expired|all] [raw] events; false when no event type is there */
static bool
parse_event_type(SiddhiqlParser *p, SiddhiEventType *type)
{
	SiddhiqlToken *t = sq_peek(p);

	if (sq_is_kw(t, "current"))
		*type = SIDDHI_EVENTS_CURRENT;
	else if (sq_is_kw(t, "expired"))
		*type = SIDDHI_EVENTS_EXPIRED;
	else if (sq_is_kw(t, "all"))
		*type = SIDDHI_EVENTS_ALL;
	else
		return false;
	sq_next(p);
	sq_accept_kw(p, "raw");
	sq_expect_kw(p, "events", NULL);
	return true;
}

static void
fill_table_keys(SiddhiqlParser *p, SiddhiDefinition *d)
{
	ListCell *lc;

	foreach(lc, d->annotations)
	{
		SiddhiAnnotation *a = lfirst(lc);
		bool pk = pg_strcasecmp(a->name, "PrimaryKey") == 0;
		ListCell *le;

		if (!pk && pg_strcasecmp(a->name, "Index") != 0)
			continue;
		if (pk && d->primary_key != NIL)
			sq_error_at(p, a->location, NULL,
						"a table can have only one @PrimaryKey annotation");
		if (a->elements == NIL)
			sq_error_at(p, a->location, "Name the columns: @%s('a', 'b').",
						"@%s needs at least one column", a->name);
		foreach(le, a->elements)
		{
			SiddhiAnnotationElement *e = lfirst(le);
			char *col = pstrdup(e->value);

			for (char *c = col; *c; c++)
				if (*c >= 'A' && *c <= 'Z')
					*c += 'a' - 'A';
			if (pk)
				d->primary_key = lappend(d->primary_key, makeString(col));
			else
				d->indexes = lappend(d->indexes, makeString(col));
		}
	}
}

/* sec, min, hour, day, month, year (and their long forms) */
static int
parse_granularity(SiddhiqlParser *p)
{
	static const char *const names[][4] = {
		{ "sec", "second", "seconds", "sec" },
		{ "min", "minute", "minutes", "min" },
		{ "hour", "hours", "hour", "hour" },
		{ "day", "days", "day", "day" },
		{ "month", "months", "month", "month" },
		{ "year", "years", "year", "year" },
	};
	SiddhiqlToken *t = sq_peek(p);

	for (int i = 0; i < lengthof(names); i++)
		for (int j = 0; j < 3; j++)
			if (sq_is_kw(t, names[i][j]))
			{
				sq_next(p);
				return i;
			}
	sq_syntax_error(
		p, t,
		"Aggregation granularities are sec, min, hour, day, month and year.");
	return 0; /* keep compiler quiet */
}

static void
parse_aggregation(SiddhiqlParser *p, SiddhiDefinition *d)
{
	static const char *const gran[] = { "sec", "min",	"hour",
										"day", "month", "year" };
	int first;

	if (!sq_is_kw(sq_peek(p), "from"))
		sq_syntax_error(p, sq_peek(p),
						"Write define aggregation A from S select ...");
	d->aggregation = parse_query(p, NIL, true);

	if (sq_accept_kw(p, "by"))
	{
		int loc;

		d->aggregate_by = sq_expect_name(p, &loc);
		/* S.ts: keep the attribute */
		if (sq_accept(p, TOK_DOT))
			d->aggregate_by = sq_expect_name(p, &loc);
	}
	sq_expect_kw(p, "every", "Write aggregate every sec ... year.");
	first = parse_granularity(p);
	if (sq_accept(p, TOK_ELLIPSIS))
	{
		SiddhiqlToken *t = sq_peek(p);
		int last = parse_granularity(p);

		if (last < first)
			sq_error_at(p, t->loc, NULL,
						"aggregation range ends before it starts");
		for (int i = first; i <= last; i++)
			d->granularities =
				lappend(d->granularities, makeString(pstrdup(gran[i])));
	}
	else
	{
		d->granularities = list_make1(makeString(pstrdup(gran[first])));
		while (sq_accept(p, TOK_COMMA))
			d->granularities =
				lappend(d->granularities,
						makeString(pstrdup(gran[parse_granularity(p)])));
	}
}

static SiddhiDefinition *
parse_definition(SiddhiqlParser *p, List *annotations)
{
	SiddhiDefinition *d = palloc0(sizeof(SiddhiDefinition));
	SiddhiqlToken *kind;

	sq_expect_kw(p, "define", NULL);
	kind = sq_next(p);
	if (sq_is_kw(kind, "stream"))
		d->kind = SIDDHI_DEF_STREAM;
	else if (sq_is_kw(kind, "table"))
		d->kind = SIDDHI_DEF_TABLE;
	else if (sq_is_kw(kind, "window"))
		d->kind = SIDDHI_DEF_WINDOW;
	else if (sq_is_kw(kind, "trigger"))
		d->kind = SIDDHI_DEF_TRIGGER;
	else if (sq_is_kw(kind, "aggregation"))
		d->kind = SIDDHI_DEF_AGGREGATION;
	else if (sq_is_kw(kind, "function"))
		d->kind = SIDDHI_DEF_FUNCTION;
	else
		sq_syntax_error(p, kind,
						"Define a stream, table, window, trigger, aggregation "
						"or function.");

	d->annotations = annotations;
	d->name = sq_expect_name(p, &d->location);

	switch (d->kind)
	{
		case SIDDHI_DEF_STREAM:
			d->attributes = parse_attributes(p);
			break;
		case SIDDHI_DEF_TABLE:
			d->attributes = parse_attributes(p);
			fill_table_keys(p, d);
			break;
		case SIDDHI_DEF_WINDOW:
			d->attributes = parse_attributes(p);
			if (sq_peek(p)->kind != TOK_IDENT ||
				sq_is_kw(sq_peek(p), "output"))
				sq_syntax_error(
					p, sq_peek(p),
					"A window definition names its window, e.g. length(10).");
			d->window = parse_call(p);
			d->window_output = SIDDHI_EVENTS_ALL; /* Siddhi's default */
			if (sq_accept_kw(p, "output") &&
				!parse_event_type(p, &d->window_output))
				sq_syntax_error(p, sq_peek(p),
								"Write output current events, output expired "
								"events or output all events.");
			break;
		case SIDDHI_DEF_TRIGGER:
			sq_expect_kw(p, "at",
						 "Write at 'start', at every <time> or at '<cron>'.");
			if (sq_accept_kw(p, "every"))
			{
				int loc;

				if (!siddhiql_at_time_value(p))
					sq_syntax_error(p, sq_peek(p),
									"Write a time such as 5 sec.");
				d->trigger_every_ms = siddhiql_parse_time_ms(p, &loc);
				if (d->trigger_every_ms <= 0)
					sq_error_at(p, loc, NULL,
								"trigger interval must be positive");
			}
			else
				d->trigger_at = pstrdup(
					sq_expect(
						p, TOK_STRING,
						"Write at 'start', at every <time> or at '<cron>'.")
						->str);
			break;
		case SIDDHI_DEF_AGGREGATION:
			parse_aggregation(p, d);
			break;
		case SIDDHI_DEF_FUNCTION:
			sq_expect(
				p, TOK_LBRACKET,
				"Write define function f[language] return type { body }.");
			d->function_language = pstrdup(sq_expect(p, TOK_IDENT, NULL)->str);
			sq_expect(p, TOK_RBRACKET, NULL);
			sq_expect_kw(
				p, "return",
				"Write define function f[language] return type { body }.");
			d->function_return = parse_type(p);
			d->function_body =
				sq_expect(p, TOK_SCRIPT,
						  "The body of a function is written in braces.")
					->str;
			break;
	}
	return d;
}

/* ---------------------------------------------------------------------
 * Query inputs
 * ---------------------------------------------------------------------
 */

/* [#][!]name followed by [filter], #fn(..) and #window.fn(..) handlers */
static SiddhiStreamInput *
parse_stream_input(SiddhiqlParser *p)
{
	SiddhiStreamInput *in = palloc0(sizeof(SiddhiStreamInput));

	in->location = sq_peek(p)->loc;
	in->inner = sq_accept(p, TOK_HASH);
	in->fault = sq_accept(p, TOK_BANG);
	if (sq_peek(p)->kind != TOK_IDENT)
		sq_syntax_error(p, sq_peek(p), "Name the stream to read from.");
	{
		int loc;

		in->stream = sq_expect_name(p, &loc);
	}

	for (;;)
	{
		SiddhiqlToken *t = sq_peek(p);
		SiddhiStreamHandler *h;

		if (t->kind != TOK_LBRACKET && t->kind != TOK_HASH)
			break;
		h = palloc0(sizeof(SiddhiStreamHandler));
		h->location = t->loc;
		sq_next(p);
		if (t->kind == TOK_LBRACKET)
		{
			h->kind = SIDDHI_HANDLER_FILTER;
			h->filter = siddhiql_parse_expr(p);
			sq_expect(p, TOK_RBRACKET, "Close the filter with ].");
		}
		else if (sq_is_kw(sq_peek(p), "window") &&
				 sq_peek_at(p, 1)->kind == TOK_DOT)
		{
			sq_next(p);
			sq_next(p);
			h->kind = SIDDHI_HANDLER_WINDOW;
			h->call = parse_call(p);
		}
		else
		{
			h->kind = SIDDHI_HANDLER_FUNCTION;
			h->call = parse_call(p);
		}
		in->handlers = lappend(in->handlers, h);
	}
	return in;
}

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
		n->stream = parse_stream_input(p);
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
		n->stream = parse_stream_input(p);
		n->stream->alias = alias;
	}
	else
		n->stream = parse_stream_input(p);

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
			sq_expect(p, TOK_RPAREN, NULL);
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
		sq_expect(p, TOK_RPAREN, NULL);
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
static int
pattern_input_kind(SiddhiqlParser *p)
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
static void
parse_pattern_input(SiddhiqlParser *p, SiddhiInput *in, int kind)
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

/* After a join side: [unidirectional] [as alias] [unidirectional] */
static bool
parse_side_options(SiddhiqlParser *p, SiddhiStreamInput *in,
				   SiddhiqlToken **unidirectional)
{
	bool uni = false;

	*unidirectional = NULL;
	for (int i = 0; i < 2; i++)
	{
		if (sq_is_kw(sq_peek(p), "unidirectional"))
		{
			if (uni)
				sq_syntax_error(p, sq_peek(p), NULL);
			*unidirectional = sq_next(p);
			uni = true;
		}
		if (i == 0 && sq_accept_kw(p, "as"))
		{
			int loc;

			in->alias = sq_expect_name(p, &loc);
		}
	}
	return uni;
}

/* join | inner join | [left|right|full] outer join; false if none here */
static bool
parse_join_type(SiddhiqlParser *p, SiddhiJoinType *type)
{
	SiddhiqlToken *t = sq_peek(p);

	if (sq_is_kw(t, "join"))
		*type = SIDDHI_JOIN_INNER;
	else if (sq_is_kw(t, "inner"))
		*type = SIDDHI_JOIN_INNER;
	else if (sq_is_kw(t, "left"))
		*type = SIDDHI_JOIN_LEFT;
	else if (sq_is_kw(t, "right"))
		*type = SIDDHI_JOIN_RIGHT;
	else if (sq_is_kw(t, "full") || sq_is_kw(t, "outer"))
		*type = SIDDHI_JOIN_FULL;
	else
		return false;
	if (!sq_is_kw(t, "join"))
	{
		sq_next(p);
		if (!sq_is_kw(t, "inner") && !sq_is_kw(t, "outer"))
			sq_expect_kw(
				p, "outer",
				"Write left outer join, right outer join or full outer join.");
	}
	sq_expect_kw(p, "join", NULL);
	return true;
}

static SiddhiInput *
parse_query_input(SiddhiqlParser *p)
{
	SiddhiInput *in = palloc0(sizeof(SiddhiInput));
	SiddhiqlToken *t = sq_peek(p);
	SiddhiqlToken *uni;
	bool left_uni;

	in->location = t->loc;
	{
		int kind = pattern_input_kind(p);

		if (kind != 0)
		{
			parse_pattern_input(p, in, kind);
			return in;
		}
	}

	in->kind = SIDDHI_INPUT_STREAM;
	in->stream = parse_stream_input(p);
	left_uni = parse_side_options(p, in->stream, &uni);

	if (!parse_join_type(p, &in->join_type))
	{
		if (uni)
			sq_error_at(p, uni->loc, NULL,
						"unidirectional is only allowed in a join");
		return in;
	}

	in->kind = SIDDHI_INPUT_JOIN;
	in->left_unidirectional = left_uni;
	in->right = parse_stream_input(p);
	in->right_unidirectional = parse_side_options(p, in->right, &uni);
	if (in->left_unidirectional && in->right_unidirectional)
		sq_error_at(p, uni->loc, NULL,
					"only one side of a join can be unidirectional");
	if (sq_accept_kw(p, "on"))
		in->on = siddhiql_parse_expr(p);
	if (sq_accept_kw(p, "within"))
	{
		Node *start = siddhiql_parse_expr(p);

		if (sq_accept(p, TOK_COMMA))
			in->within = (Node *) list_make2(start, siddhiql_parse_expr(p));
		else
			in->within = start;
	}
	if (sq_accept_kw(p, "per"))
		in->per = siddhiql_parse_expr(p);
	return in;
}

/* ---------------------------------------------------------------------
 * Selector, output rate, output action
 * ---------------------------------------------------------------------
 */

static List *
parse_expr_list(SiddhiqlParser *p)
{
	List *l = NIL;

	do
	{
		l = lappend(l, siddhiql_parse_expr(p));
	} while (sq_accept(p, TOK_COMMA));
	return l;
}

static SiddhiSelector *
parse_selector(SiddhiqlParser *p)
{
	SiddhiSelector *s = palloc0(sizeof(SiddhiSelector));

	s->location = sq_peek(p)->loc;
	if (!sq_accept_kw(p, "select"))
	{
		/* no select clause: every attribute */
		s->select_all = true;
		return s;
	}
	if (sq_accept(p, TOK_STAR))
		s->select_all = true;
	else
	{
		do
		{
			ResTarget *rt = makeNode(ResTarget);

			rt->location = sq_peek(p)->loc;
			rt->val = siddhiql_parse_expr(p);
			if (sq_accept_kw(p, "as"))
			{
				int loc;

				rt->name = sq_expect_name(p, &loc);
			}
			s->targets = lappend(s->targets, rt);
		} while (sq_accept(p, TOK_COMMA));
	}
	if (sq_accept_kw(p, "group"))
	{
		sq_expect_kw(p, "by", NULL);
		s->group_by = parse_expr_list(p);
	}
	if (sq_accept_kw(p, "having"))
		s->having = siddhiql_parse_expr(p);
	if (sq_accept_kw(p, "order"))
	{
		sq_expect_kw(p, "by", NULL);
		do
		{
			SortBy *sb = makeNode(SortBy);

			sb->location = sq_peek(p)->loc;
			sb->node = siddhiql_parse_expr(p);
			if (sq_accept_kw(p, "asc"))
				sb->sortby_dir = SORTBY_ASC;
			else if (sq_accept_kw(p, "desc"))
				sb->sortby_dir = SORTBY_DESC;
			else
				sb->sortby_dir = SORTBY_DEFAULT;
			sb->sortby_nulls = SORTBY_NULLS_DEFAULT;
			s->order_by = lappend(s->order_by, sb);
		} while (sq_accept(p, TOK_COMMA));
	}
	if (sq_accept_kw(p, "limit"))
		s->limit = siddhiql_parse_expr(p);
	if (sq_accept_kw(p, "offset"))
		s->offset = siddhiql_parse_expr(p);
	return s;
}

/* output [all|first|last] every <n> events | <time>; output snapshot ... */
static SiddhiOutputRate *
parse_output_rate(SiddhiqlParser *p)
{
	SiddhiOutputRate *r = palloc0(sizeof(SiddhiOutputRate));
	SiddhiqlToken *t;
	int loc;

	r->location = sq_next(p)->loc; /* output */
	r->type = SIDDHI_RATE_ALL;
	if (sq_accept_kw(p, "snapshot"))
	{
		sq_expect_kw(p, "every", "Write output snapshot every <time>.");
		if (!siddhiql_at_time_value(p))
			sq_syntax_error(
				p, sq_peek(p),
				"Snapshots are taken every <time>, e.g. every 1 sec.");
		r->kind = SIDDHI_RATE_SNAPSHOT;
		r->value = siddhiql_parse_time_ms(p, &loc);
		return r;
	}
	if (sq_accept_kw(p, "first"))
		r->type = SIDDHI_RATE_FIRST;
	else if (sq_accept_kw(p, "last"))
		r->type = SIDDHI_RATE_LAST;
	else
		sq_accept_kw(p, "all");
	sq_expect_kw(
		p, "every",
		"Write output [all|first|last] every <n> events or every <time>.");
	t = sq_peek(p);
	if (siddhiql_at_time_value(p))
	{
		r->kind = SIDDHI_RATE_TIME;
		r->value = siddhiql_parse_time_ms(p, &loc);
	}
	else if (t->kind == TOK_INT && t->suffix == 0 &&
			 sq_is_kw(sq_peek_at(p, 1), "events"))
	{
		r->kind = SIDDHI_RATE_EVENTS;
		r->value = 0;
		for (const char *c = t->str; *c; c++)
		{
			if (r->value > (PG_INT64_MAX - 9) / 10)
				sq_error_at(p, t->loc, NULL, "event count out of range");
			r->value = r->value * 10 + (*c - '0');
		}
		sq_next(p);
		sq_next(p);
	}
	else
		sq_syntax_error(
			p, t, "Write every <n> events or every <time>, e.g. every 5 sec.");
	if (r->value <= 0)
		sq_error_at(p, t->loc, NULL, "output rate must be positive");
	return r;
}

/* set [T.]a = expr, ...: the qualifier (always the target table) is dropped */
static List *
parse_set_clause(SiddhiqlParser *p)
{
	List *set = NIL;

	do
	{
		ResTarget *rt = makeNode(ResTarget);
		int loc;

		rt->name = sq_expect_name(p, &rt->location);
		if (sq_accept(p, TOK_DOT))
			rt->name = sq_expect_name(p, &loc);
		sq_expect(p, TOK_ASSIGN, "Write set T.column = value.");
		rt->val = siddhiql_parse_expr(p);
		set = lappend(set, rt);
	} while (sq_accept(p, TOK_COMMA));
	return set;
}

static SiddhiOutput *
parse_output(SiddhiqlParser *p)
{
	SiddhiOutput *o = palloc0(sizeof(SiddhiOutput));
	SiddhiqlToken *t = sq_peek(p);
	int loc;

	o->location = t->loc;
	o->events = SIDDHI_EVENTS_CURRENT;
	if (sq_accept_kw(p, "insert"))
	{
		o->kind = SIDDHI_OUT_INSERT;
		parse_event_type(p, &o->events);
		sq_expect_kw(p, "into", "Write insert into <stream>.");
		o->target_inner = sq_accept(p, TOK_HASH);
		o->target = sq_expect_name(p, &loc);
		return o;
	}
	if (sq_accept_kw(p, "return"))
	{
		o->kind = SIDDHI_OUT_RETURN;
		parse_event_type(p, &o->events);
		return o;
	}
	if (sq_accept_kw(p, "delete"))
		o->kind = SIDDHI_OUT_DELETE;
	else if (sq_accept_kw(p, "update"))
	{
		o->kind = SIDDHI_OUT_UPDATE;
		if (sq_accept_kw(p, "or"))
		{
			sq_expect_kw(p, "insert", "Write update or insert into <table>.");
			sq_expect_kw(p, "into", "Write update or insert into <table>.");
			o->kind = SIDDHI_OUT_UPSERT;
		}
	}
	else
		sq_syntax_error(p, t, HINT_OUTPUT);

	o->target = sq_expect_name(p, &loc);
	if (sq_accept_kw(p, "for") && !parse_event_type(p, &o->events))
		sq_syntax_error(
			p, sq_peek(p),
			"Write for current events, for expired events or for all events.");
	if (o->kind != SIDDHI_OUT_DELETE && sq_accept_kw(p, "set"))
		o->set = parse_set_clause(p);
	sq_expect_kw(p, "on",
				 "Table operations need a condition: on T.key == key.");
	o->on = siddhiql_parse_expr(p);
	return o;
}

/* ---------------------------------------------------------------------
 * Queries and partitions
 * ---------------------------------------------------------------------
 */

/*
 * [annotations] from <input> [select ...] [output <rate>] <output action>
 *
 * location is the start of the query including its annotations, so the
 * text from location to end_location is the query as written.  The body
 * of "define aggregation" (aggregation = true) has no output action: it
 * ends at "aggregate", which is consumed.
 */
static SiddhiQuery *
parse_query(SiddhiqlParser *p, List *annotations, bool aggregation)
{
	SiddhiQuery *q = palloc0(sizeof(SiddhiQuery));
	ListCell *lc;

	check_stack_depth();
	q->location = annotations
					  ? ((SiddhiAnnotation *) linitial(annotations))->location
					  : sq_peek(p)->loc;
	q->annotations = annotations;
	q->emit = SIDDHI_EMIT_CHANGES;
	foreach(lc, annotations)
	{
		SiddhiAnnotation *a = lfirst(lc);
		SiddhiAnnotationElement *e;

		if (pg_strcasecmp(a->name, "info") != 0)
			continue;
		e = siddhi_annotation_element(a, "name");
		if (e)
			q->name = e->value;
	}

	sq_expect_kw(p, "from", NULL);
	q->input = parse_query_input(p);
	q->selector = parse_selector(p);

	if (aggregation)
	{
		if (q->input->kind != SIDDHI_INPUT_STREAM)
			sq_error_at(p, q->input->location, NULL,
						"an aggregation reads a single stream");
		sq_expect_kw(p, "aggregate",
					 "Write define aggregation A from S select ... aggregate "
					 "every sec ... year.");
	}
	else
	{
		if (sq_is_kw(sq_peek(p), "output"))
			q->rate = parse_output_rate(p);
		q->output = parse_output(p);
	}
	q->end_location = prev_end(p);
	if (sq_peek(p)->kind == TOK_SEMICOLON)
		q->end_location = sq_peek(p)->loc + 1;
	return q;
}

/* expr of S  |  cond as 'label' [or cond as 'label' ...] of S */
static SiddhiPartitionKey *
parse_partition_key(SiddhiqlParser *p)
{
	SiddhiPartitionKey *k = palloc0(sizeof(SiddhiPartitionKey));
	Node *e;
	int loc;

	k->location = sq_peek(p)->loc;
	e = siddhiql_parse_expr(p);
	if (sq_is_kw(sq_peek(p), "as"))
	{
		for (;;)
		{
			SiddhiPartitionRange *r = palloc0(sizeof(SiddhiPartitionRange));

			sq_expect_kw(p, "as", NULL);
			r->condition = e;
			r->label = pstrdup(
				sq_expect(
					p, TOK_STRING,
					"Label each range with a string: price < 100 as 'small'.")
					->str);
			k->ranges = lappend(k->ranges, r);
			if (!sq_accept_kw(p, "or"))
				break;
			e = siddhiql_parse_expr(p);
		}
	}
	else
		k->expr = e;
	sq_expect_kw(p, "of", "Write partition with (<attribute> of <stream>).");
	k->stream = sq_expect_name(p, &loc);
	return k;
}

static SiddhiPartition *
parse_partition(SiddhiqlParser *p, List *annotations)
{
	SiddhiPartition *part = palloc0(sizeof(SiddhiPartition));

	part->annotations = annotations;
	part->location = sq_next(p)->loc; /* partition */
	sq_expect_kw(p, "with", "Write partition with (...) begin ... end.");
	sq_expect(p, TOK_LPAREN, NULL);
	do
	{
		part->keys = lappend(part->keys, parse_partition_key(p));
	} while (sq_accept(p, TOK_COMMA));
	sq_expect(p, TOK_RPAREN, NULL);
	sq_expect_kw(p, "begin", "Write partition with (...) begin ... end.");

	for (;;)
	{
		List *anns;

		CHECK_FOR_INTERRUPTS();
		while (sq_accept(p, TOK_SEMICOLON))
			;
		if (sq_is_kw(sq_peek(p), "end"))
			break;
		anns = parse_statement_annotations(p, NULL);
		if (!sq_is_kw(sq_peek(p), "from"))
			sq_syntax_error(p, sq_peek(p),
							"A partition holds queries, from begin to end.");
		part->queries = lappend(part->queries, parse_query(p, anns, false));
		if (!sq_accept(p, TOK_SEMICOLON) && !sq_is_kw(sq_peek(p), "end"))
			sq_syntax_error(p, sq_peek(p), HINT_SEMICOLON);
	}
	if (part->queries == NIL)
		sq_error_at(p, sq_peek(p)->loc, NULL,
					"a partition needs at least one query");
	sq_next(p); /* end */
	return part;
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
		anns = parse_statement_annotations(p, app);
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
				lappend(app->definitions, parse_definition(p, anns));
		else if (sq_is_kw(t, "from"))
			app->queries = lappend(app->queries, parse_query(p, anns, false));
		else if (sq_is_kw(t, "partition"))
			app->partitions =
				lappend(app->partitions, parse_partition(p, anns));
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
		o->set = parse_set_clause(p);
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
		q->selector = parse_selector(p);
	}
	else if (sq_is_kw(t, "select") || sq_is_kw(t, "delete") ||
			 sq_is_kw(t, "update"))
	{
		if (sq_is_kw(t, "select"))
			q->selector = parse_selector(p);
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
