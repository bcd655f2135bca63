/*-------------------------------------------------------------------------
 *
 * siddhiql_query.c
 *	  SiddhiQL queries and partitions: from .. select .. output ..
 *	  insert into, and partition with (..) begin .. end.
 *
 * A query is its input (a stream with its filters, stream functions and
 * window; a join of two; or a pattern or sequence, siddhiql_pattern.c),
 * then select, group by, having, order by, limit and offset, an output
 * rate, and an output action (insert into, delete, update, update or
 * insert into, return).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "miscadmin.h"
#include "siddhi/parser.h"
#include "siddhiql_lexer.h"

/* ---------------------------------------------------------------------
 * Query inputs
 * ---------------------------------------------------------------------
 */

/* [#][!]name followed by [filter], #fn(..) and #window.fn(..) handlers */
SiddhiStreamInput *
sq_parse_stream_input(SiddhiqlParser *p)
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
			h->call = sq_parse_call(p);
		}
		else
		{
			h->kind = SIDDHI_HANDLER_FUNCTION;
			h->call = sq_parse_call(p);
		}
		in->handlers = lappend(in->handlers, h);
	}
	return in;
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
		int kind = sq_pattern_input_kind(p);

		if (kind != 0)
		{
			sq_parse_pattern_input(p, in, kind);
			return in;
		}
	}

	in->kind = SIDDHI_INPUT_STREAM;
	in->stream = sq_parse_stream_input(p);
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
	in->right = sq_parse_stream_input(p);
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
		l = lappend(l, siddhiql_parse_value(p));
	} while (sq_accept(p, TOK_COMMA));
	return l;
}

SiddhiSelector *
sq_parse_selector(SiddhiqlParser *p)
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
			rt->val = siddhiql_parse_value(p);
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
			sb->node = siddhiql_parse_value(p);
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
List *
sq_parse_set_clause(SiddhiqlParser *p)
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
		rt->val = siddhiql_parse_value(p);
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
		sq_parse_event_type(p, &o->events);
		sq_expect_kw(p, "into", "Write insert into <stream>.");
		o->target_inner = sq_accept(p, TOK_HASH);
		o->target = sq_expect_name(p, &loc);
		return o;
	}
	if (sq_accept_kw(p, "return"))
	{
		o->kind = SIDDHI_OUT_RETURN;
		sq_parse_event_type(p, &o->events);
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
	if (sq_accept_kw(p, "for") && !sq_parse_event_type(p, &o->events))
		sq_syntax_error(
			p, sq_peek(p),
			"Write for current events, for expired events or for all events.");
	if (o->kind != SIDDHI_OUT_DELETE && sq_accept_kw(p, "set"))
		o->set = sq_parse_set_clause(p);
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
SiddhiQuery *
sq_parse_query(SiddhiqlParser *p, List *annotations, bool aggregation)
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
	q->selector = sq_parse_selector(p);

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
	q->end_location = sq_prev_end(p);
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
		k->expr = siddhiql_as_value(e);
	sq_expect_kw(p, "of", "Write partition with (<attribute> of <stream>).");
	k->stream = sq_expect_name(p, &loc);
	return k;
}

SiddhiPartition *
sq_parse_partition(SiddhiqlParser *p, List *annotations)
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
		anns = sq_parse_statement_annotations(p, NULL);
		if (!sq_is_kw(sq_peek(p), "from"))
			sq_syntax_error(p, sq_peek(p),
							"A partition holds queries, from begin to end.");
		part->queries = lappend(part->queries, sq_parse_query(p, anns, false));
		if (!sq_accept(p, TOK_SEMICOLON) && !sq_is_kw(sq_peek(p), "end"))
			sq_syntax_error(p, sq_peek(p), HINT_SEMICOLON);
	}
	if (part->queries == NIL)
		sq_error_at(p, sq_peek(p)->loc, NULL,
					"a partition needs at least one query");
	sq_next(p); /* end */
	return part;
}
