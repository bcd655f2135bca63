/*-------------------------------------------------------------------------
 *
 * siddhiql_define.c
 *	  SiddhiQL definitions: define stream, table, window, trigger,
 *	  function and aggregation.
 *
 * A definition is the statement after its annotations (siddhiql.c reads
 * those): `define <kind> <name> (<attributes>)` and what each kind adds
 * (a window's call and output event type, a trigger's schedule, a
 * function's language and body, an aggregation's query and granularities;
 * the aggregation's query is read by siddhiql_query.c).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "siddhi/parser.h"
#include "siddhiql_lexer.h"

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
SiddhiCall *
sq_parse_call(SiddhiqlParser *p)
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
			c->args = lappend(c->args, siddhiql_parse_value(p));
		} while (sq_accept(p, TOK_COMMA));
		sq_expect(p, TOK_RPAREN, NULL);
	}
	return c;
}

/* [current|expired|all] [raw] events; false when no event type is there */
bool
sq_parse_event_type(SiddhiqlParser *p, SiddhiEventType *type)
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
	d->aggregation = sq_parse_query(p, NIL, true);

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

SiddhiDefinition *
sq_parse_definition(SiddhiqlParser *p, List *annotations)
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
			d->window = sq_parse_call(p);
			d->window_output = SIDDHI_EVENTS_ALL; /* Siddhi's default */
			if (sq_accept_kw(p, "output") &&
				!sq_parse_event_type(p, &d->window_output))
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
