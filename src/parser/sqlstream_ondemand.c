/*-------------------------------------------------------------------------
 *
 * sqlstream_ondemand.c
 *	  Reading aggregations and on-demand queries in streaming SQL.
 *
 * Two things that SQL does not have, found on the token array and blanked
 * before raw_parser() sees the rest, as sqlstream_scan.c does for WINDOW:
 *
 *	  WITHIN last '30 days' | WITHIN a [, b]	  Siddhi's `within`: the buckets
 *	  PER 'hour'								  whose start lies in the range,
 *												  of one granularity
 *
 * after an aggregation in FROM (the on-demand query's, or the side of a
 * join that an app's query reads: SiddhiQL's `join A within .. per ..`);
 * and, for siddhi.query(), the roadmap's forms on a FROM item:
 *
 *	  W.find(cond)					  FROM W WHERE cond (cond ANDed to WHERE)
 *	  A.current()					  the latest bucket of each group of A
 *	  A.range(from: a, to: b)		  FROM A WITHIN a, b
 *
 * `last 'd'` is [now - d, now] on the app's clock
 * (siddhi.current_time_millis()); `now() - 7 days` in a time value is
 * siddhi.within_start(now()) - 604800000, so that a timestamp minus a
 * duration (which this dialect reads as milliseconds) is a time in ms.
 * What the forms read is the analyzer's business
 * (analyze_ondemand_sql.c); here they are only parsed.
 *
 * siddhi_ondemand_is_sql() tells the two dialects of an on-demand query
 * apart (both may start with SELECT, UPDATE or DELETE).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <ctype.h>

#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "parser/parser.h"
#include "parser/scanner.h"
#include "parser/gram.h"
#include "siddhi/errors.h"
#include "siddhi/parser.h"
#include "sqlstream_int.h"

#define WITHIN_HINT                                                    \
	"Write WITHIN last '30 days', WITHIN '2024-01-01 00:00:00', "      \
	"'2024-02-01 00:00:00' or WITHIN '2024-01-** **:**:**', then PER " \
	"'hour'."

/* Words that end a WITHIN or PER clause (at bracket depth 0). */
static bool
ends_time_clause(SqlParser *p, int tok)
{
	static const char *const words[] = {
		"where", "group",  "having",   "order",	  "limit",	   "offset",
		"fetch", "for",	   "window",   "union",	  "intersect", "except",
		"emit",	 "sink",   "on",	   "join",	  "inner",	   "left",
		"right", "full",   "cross",	   "natural", "within",	   "per",
		"using", "output", "partition"
	};

	if (p->tokens[tok].code == 0 || sqlstream_is_char(p, tok, ';') ||
		sqlstream_is_char(p, tok, ','))
		return true;
	if (sqlstream_is_char(p, tok - 1, '.'))
		return false; /* r.per: a column */
	for (int i = 0; i < lengthof(words); i++)
		if (sqlstream_is_word(p, tok, words[i]))
			return true;
	return false;
}

/* The first token at or after tok, before end, that ends the clause. */
static int
clause_end(SqlParser *p, int tok, int end, bool commas)
{
	int depth = 0;

	for (; tok < end; tok++)
	{
		int code = p->tokens[tok].code;

		if (depth == 0 && ends_time_clause(p, tok) && !(commas && code == ','))
			break;
		if (code == '(' || code == '[')
			depth++;
		else if ((code == ')' || code == ']') && depth > 0)
			depth--;
	}
	return tok;
}

static FuncCall *
siddhi_fn(const char *name, List *args, int location)
{
	return makeFuncCall(
		list_make2(makeString("siddhi"), makeString(pstrdup(name))), args,
		COERCE_EXPLICIT_CALL, location);
}

static Node *
int8_const(int64 v, int location)
{
	A_Const *c = makeNode(A_Const);
	TypeCast *tc = makeNode(TypeCast);

	sqlstream_set_integer_const(c, v);
	c->location = location;
	tc->arg = (Node *) c;
	tc->typeName = SystemTypeName("int8");
	tc->location = location;
	return (Node *) tc;
}

static bool
is_number(Node *n)
{
	if (IsA(n, TypeCast))
		n = ((TypeCast *) n)->arg;
	return IsA(n, A_Const) && (IsA(&((A_Const *) n)->val, Integer) ||
							   IsA(&((A_Const *) n)->val, Float));
}

/*
 * A time value: `t - 7 days` (durations are milliseconds here) becomes
 * siddhi.within_start(t) - 604800000, so a timestamp (or a Siddhi time
 * string) minus a duration is a time in ms; anything else stays.
 */
static Node *
time_value(Node *n)
{
	if (IsA(n, A_Expr) && ((A_Expr *) n)->kind == AEXPR_OP &&
		((A_Expr *) n)->lexpr && list_length(((A_Expr *) n)->name) == 1 &&
		(strcmp(strVal(linitial(((A_Expr *) n)->name)), "-") == 0 ||
		 strcmp(strVal(linitial(((A_Expr *) n)->name)), "+") == 0) &&
		is_number(((A_Expr *) n)->rexpr))
	{
		A_Expr *e = (A_Expr *) n;
		Node *l = time_value(e->lexpr);

		if (l == e->lexpr)
			l = (Node *) siddhi_fn("within_start", list_make1(l),
								   exprLocation(l));
		e->lexpr = l;
	}
	return n;
}

/* A duration written inside a string: '30 days', '1 hour 30 minutes'. */
static int64
string_duration(SqlParser *p, int tok)
{
	SqlParser sub;
	int64 ms = 0;

	memset(&sub, 0, sizeof(sub));
	sub.source = p->tokens[tok].str;
	sub.srclen = strlen(sub.source);
	sqlstream_tokenize(&sub);
	if (sub.ntokens == 0 ||
		sqlstream_duration_run(&sub, 0, sub.ntokens, &ms) != sub.ntokens ||
		ms <= 0)
		ereport(ERROR, errcode(ERRCODE_SIDDHI_SYNTAX_ERROR),
				errmsg("invalid duration \"%s\"", p->tokens[tok].str),
				errhint("Write a duration such as '30 days' or '1 hour'."),
				siddhi_errposition(p->source, p->tokens[tok].start));
	return ms;
}

/* A constant PER names a granularity (siddhi.granularity() reads it). */
static void
check_granularity(SqlParser *p, Node *per)
{
	static const char *const names[] = {
		"sec",	 "second", "seconds", "min",   "minute", "minutes", "hour",
		"hours", "day",	   "days",	  "month", "months", "year",	"years"
	};
	Node *n = IsA(per, TypeCast) ? ((TypeCast *) per)->arg : per;
	if (!IsA(n, A_Const) || !IsA(&((A_Const *) n)->val, String))
		return;
	for (int i = 0; i < lengthof(names); i++)
		if (pg_strcasecmp(strVal(&((A_Const *) n)->val), names[i]) == 0)
			return;
	ereport(
		ERROR, errcode(ERRCODE_INVALID_PARAMETER_VALUE),
		errmsg("unknown granularity \"%s\"", strVal(&((A_Const *) n)->val)),
		errhint("Granularities are sec, min, hour, day, month and year."),
		siddhi_errposition(p->source, exprLocation(per)));
}

/*
 * WITHIN .. / PER .. at token tok (the keyword), before end: parsed into
 * *within / *per and blanked out of pc.  Returns the token after the
 * clause, or tok when there is none.
 */
int
sqlstream_scan_time_clause(SqlParser *p, int tok, int end, SqlPiece *pc,
						   SiddhiTimeClause *tc)
{
	int stop;
	int loc = p->tokens[tok].start;

	if (sqlstream_is_char(p, tok - 1, '.'))
		return tok; /* r.per: a column */
	if (sqlstream_is_word(p, tok, "per"))
	{
		if (tc->per)
			sqlstream_syntax_error_at(p, loc, "PER is given twice", NULL);
		stop = clause_end(p, tok + 1, end, false);
		if (stop == tok + 1)
			sqlstream_syntax_error(p, stop, "Write PER 'hour'.");
		tc->per = sqlstream_parse_expr(p, tok + 1, stop);
		tc->per_location = loc;
		check_granularity(p, tc->per);
		sqlstream_piece_kill(pc, tok, stop);
		return stop;
	}
	if (!sqlstream_is_word(p, tok, "within") ||
		sqlstream_is_word(p, tok + 1, "group"))
		return tok;
	if (tc->within)
		sqlstream_syntax_error_at(p, loc, "WITHIN is given twice", NULL);
	tc->within_location = loc;
	if (sqlstream_is_word(p, tok + 1, "last"))
	{
		/* [now - d, now]: the bucket that starts now included */
		int64 ms = 0;
		int at = tok + 2;
		Node *now;

		if (p->tokens[at].code == SCONST)
		{
			ms = string_duration(p, at);
			stop = at + 1;
		}
		else
			stop = sqlstream_duration_run(p, at, end, &ms);
		if (stop == at)
			sqlstream_syntax_error(p, at, WITHIN_HINT);
		now = (Node *) siddhi_fn("current_time_millis", NIL,
								 p->tokens[tok + 1].start);
		tc->within = (Node *) list_make2(
			makeSimpleA_Expr(AEXPR_OP, "-", now,
							 int8_const(ms, p->tokens[at].start),
							 p->tokens[at].start),
			makeSimpleA_Expr(AEXPR_OP, "+", copyObject(now), int8_const(1, -1),
							 p->tokens[at].start));
	}
	else
	{
		int comma;

		stop = clause_end(p, tok + 1, end, true);
		comma = clause_end(p, tok + 1, stop, false);
		if (comma == tok + 1 || (comma < stop && comma + 1 == stop))
			sqlstream_syntax_error(p, comma, WITHIN_HINT);
		if (comma < stop)
			tc->within = (Node *) list_make2(
				time_value(sqlstream_parse_expr(p, tok + 1, comma)),
				time_value(sqlstream_parse_expr(p, comma + 1, stop)));
		else
			tc->within = time_value(sqlstream_parse_expr(p, tok + 1, stop));
	}
	sqlstream_piece_kill(pc, tok, stop);
	return stop;
}

/* Words after which a FROM clause is over (at depth 0). */
static bool
ends_from(SqlParser *p, int tok)
{
	static const char *const words[] = { "where",	  "group",	"having",
										 "order",	  "limit",	"offset",
										 "fetch",	  "window", "union",
										 "intersect", "except", "returning",
										 "set",		  "emit",	"partition" };

	for (int i = 0; i < lengthof(words); i++)
		if (sqlstream_is_word(p, tok, words[i]))
			return true;
	return false;
}

/* Is n now(), CURRENT_TIMESTAMP or LOCALTIMESTAMP? */
static bool
is_now(Node *n)
{
	if (IsA(n, FuncCall))
	{
		FuncCall *fc = (FuncCall *) n;

		return fc->args == NIL &&
			   strcmp(strVal(llast(fc->funcname)), "now") == 0 &&
			   (list_length(fc->funcname) == 1 ||
				strcmp(strVal(linitial(fc->funcname)), "pg_catalog") == 0);
	}
	return IsA(n, SQLValueFunction) &&
		   (((SQLValueFunction *) n)->op == SVFOP_CURRENT_TIMESTAMP ||
			((SQLValueFunction *) n)->op == SVFOP_LOCALTIMESTAMP);
}

/*
 * `==` as `=`, in place (the roadmap writes it); and `now() - 30 minutes`
 * (durations are ms here, and SQL has no timestamp minus a number) as
 * siddhi.within_start(now()) - 1800000: ms since the epoch, to compare
 * with a BIGINT time column (the roadmap's `timestamp > now() - 30
 * minutes`).
 */
static bool
equals_walker(Node *node, void *context)
{
	if (node == NULL)
		return false;
	CHECK_FOR_INTERRUPTS();
	if (IsA(node, A_Expr) && ((A_Expr *) node)->kind == AEXPR_OP &&
		((A_Expr *) node)->lexpr && is_now(((A_Expr *) node)->lexpr))
		time_value(node);
	if (IsA(node, A_Expr) && ((A_Expr *) node)->kind == AEXPR_OP &&
		list_length(((A_Expr *) node)->name) == 1 &&
		strcmp(strVal(linitial(((A_Expr *) node)->name)), "==") == 0)
		((A_Expr *) node)->name = list_make1(makeString("="));
	return raw_expression_tree_walker(node, equals_walker, context);
}

/*
 * name.find(cond) / .current() / .range(from: a, to: b) at token tok (the
 * name, followed by '.'): parsed into od and blanked, leaving the name.
 * Returns the token after the form, or tok when there is none.
 */
static int
scan_form(SqlParser *p, int tok, int end, SqlPiece *pc, SiddhiSqlOnDemand *od)
{
	int open = tok + 3;
	int close;
	const char *what;

	if (!sqlstream_is_name(p, tok) || !sqlstream_is_char(p, tok + 1, '.') ||
		!sqlstream_is_char(p, open, '('))
		return tok;
	if (sqlstream_is_word(p, tok + 2, "find"))
		od->form = SIDDHI_OD_FIND;
	else if (sqlstream_is_word(p, tok + 2, "current"))
		od->form = SIDDHI_OD_CURRENT;
	else if (sqlstream_is_word(p, tok + 2, "range"))
		od->form = SIDDHI_OD_RANGE;
	else
		return tok;
	what = p->tokens[tok + 2].str;
	if (od->form_relation)
		sqlstream_not_supported(
			p, p->tokens[tok + 2].start,
			psprintf("only one FROM item can use .%s()", what), NULL);
	close = sqlstream_match_close(p, open, end);
	od->form_relation = p->tokens[tok].str;
	od->form_location = p->tokens[tok + 2].start;
	if (od->form == SIDDHI_OD_FIND)
	{
		if (close == open + 1)
			sqlstream_syntax_error(p, close,
								   "Write W.find(condition), or FROM W.");
		od->find = sqlstream_parse_expr(p, open + 1, close);
	}
	else if (od->form == SIDDHI_OD_CURRENT)
	{
		if (close != open + 1)
			sqlstream_syntax_error(p, open + 1,
								   "current() takes no arguments.");
	}
	else
	{
		/* range(from: a, to: b), or range(a, b) */
		int a = open + 1;
		int comma = clause_end(p, a, close, false);
		int b = comma + 1;

		if (sqlstream_is_word(p, a, "from") &&
			sqlstream_is_char(p, a + 1, ':'))
			a += 2;
		if (sqlstream_is_word(p, b, "to") && sqlstream_is_char(p, b + 1, ':'))
			b += 2;
		if (!sqlstream_is_char(p, comma, ',') || a >= comma || b >= close)
			sqlstream_syntax_error(p, Min(comma, close),
								   "Write A.range(from: start, to: end).");
		od->time.within =
			(Node *) list_make2(time_value(sqlstream_parse_expr(p, a, comma)),
								time_value(sqlstream_parse_expr(p, b, close)));
		od->time.within_location = od->form_location;
	}
	sqlstream_piece_kill(pc, tok + 1, close + 1);
	return close + 1;
}

/* The WHERE clause of a raw statement, to AND a condition into. */
static Node **
where_of(Node *stmt)
{
	if (IsA(stmt, SelectStmt))
		return &((SelectStmt *) stmt)->whereClause;
	if (IsA(stmt, DeleteStmt))
		return &((DeleteStmt *) stmt)->whereClause;
	if (IsA(stmt, UpdateStmt))
		return &((UpdateStmt *) stmt)->whereClause;
	return NULL;
}

/*
 * An on-demand query in streaming SQL: one SELECT, INSERT, UPDATE or
 * DELETE, with WITHIN / PER and the roadmap's forms taken out (see the
 * banner).  Errors carry positions into text.
 */
SiddhiSqlOnDemand *
sqlstream_parse_on_demand(const char *text)
{
	SqlParser p;
	SqlPiece pc;
	SiddhiSqlOnDemand *od = palloc0(sizeof(SiddhiSqlOnDemand));
	int end;
	int depth = 0;
	bool after_from = false;
	List *stmts;

	memset(&p, 0, sizeof(p));
	p.source = text;
	p.srclen = strlen(text);
	p.app = palloc0(sizeof(SiddhiApp));
	sqlstream_tokenize(&p);
	end = p.ntokens;
	if (end > 0 && sqlstream_is_char(&p, end - 1, ';'))
		end--;
	for (int i = 0; i < end; i++)
		if (sqlstream_is_char(&p, i, ';'))
			sqlstream_syntax_error_at(
				&p, p.tokens[i].start,
				"siddhi.query() runs one statement at a time",
				"Call siddhi.query() once per statement.");
	if (end == 0)
		sqlstream_syntax_error(&p, 0, "Write SELECT ... FROM table.");
	od->time.within_location = od->time.per_location = -1;
	od->form_location = -1;
	sqlstream_piece_init(&pc, &p, 0, end, true);
	for (int i = 0; i < end; i++)
	{
		int code = p.tokens[i].code;

		if (depth == 0)
		{
			int next;

			/* the forms and WITHIN / PER belong to a FROM clause */
			if (sqlstream_is_word(&p, i, "from") ||
				sqlstream_is_word(&p, i, "using"))
				after_from = true;
			else if (ends_from(&p, i))
				after_from = false;
			if (after_from && (next = scan_form(&p, i, end, &pc, od)) != i)
			{
				i = next - 1;
				continue;
			}
			if (after_from && (next = sqlstream_scan_time_clause(
								   &p, i, end, &pc, &od->time)) != i)
			{
				i = next - 1;
				continue;
			}
		}
		if (code == '(' || code == '[')
			depth++;
		else if ((code == ')' || code == ']') && depth > 0)
			depth--;
	}
	stmts = sqlstream_piece_parse(&pc);
	if (list_length(stmts) != 1)
		sqlstream_syntax_error(&p, 0, "Write SELECT ... FROM table.");
	od->stmt = linitial_node(RawStmt, stmts)->stmt;
	if (!IsA(od->stmt, SelectStmt) && !IsA(od->stmt, InsertStmt) &&
		!IsA(od->stmt, UpdateStmt) && !IsA(od->stmt, DeleteStmt))
		sqlstream_syntax_error_at(
			&p, 0, "siddhi.query() runs SELECT, INSERT, UPDATE or DELETE",
			"Write SELECT ... FROM table, or a change of a table.");
	if (od->form == SIDDHI_OD_FIND)
	{
		Node **where = where_of(od->stmt);

		if (where == NULL)
			sqlstream_not_supported(&p, od->form_location,
									"find() is not allowed here",
									"Write SELECT ... FROM W.find(cond).");
		/* W.find(c) WHERE w: the rows of W where c AND w */
		*where = *where ? (Node *) makeBoolExpr(AND_EXPR,
												list_make2(od->find, *where),
												od->form_location)
						: od->find;
	}
	equals_walker(od->stmt, NULL);
	if (od->time.within)
		equals_walker(od->time.within, NULL);
	return od;
}

/* Next word of s at p (letters, digits, _), skipping quotes and brackets
 * when top is set; returns its length, 0 at the end. */
static int
next_word(const char **pp, int *depth, bool *top)
{
	const char *p = *pp;

	for (;;)
	{
		const char *start;

		while (*p && !isalpha((unsigned char) *p) && *p != '_')
		{
			if (*p == '\'' || *p == '"' || *p == '`')
			{
				char q = *p++;

				while (*p && *p != q)
					p++;
				if (*p)
					p++;
				continue;
			}
			if (p[0] == '-' && p[1] == '-')
			{
				while (*p && *p != '\n')
					p++;
				continue;
			}
			if (*p == '(' || *p == '[')
				(*depth)++;
			else if ((*p == ')' || *p == ']') && *depth > 0)
				(*depth)--;
			p++;
		}
		if (!*p)
		{
			*pp = p;
			return 0;
		}
		start = p;
		while (isalnum((unsigned char) *p) || *p == '_')
			p++;
		*top = *depth == 0;
		*pp = start;
		return p - start;
	}
}

/* Does text have the word, outside brackets and quotes? */
static bool
has_top_word(const char *text, const char *word)
{
	const char *p = text;
	int depth = 0;
	int len;
	bool top;

	while ((len = next_word(&p, &depth, &top)) > 0)
	{
		if (top && len == strlen(word) && pg_strncasecmp(p, word, len) == 0)
			return true;
		p += len;
	}
	return false;
}

/*
 * Is an on-demand query streaming SQL?  As deploy tells apps apart, by
 * the first keyword, with the forms both dialects start alike told apart
 * by what follows: SiddhiQL's select comes without from (`select .. insert
 * into T`), its delete without from (`delete T on ..`), its update is
 * `update or insert` or `update T set .. on ..` without where.
 */
bool
siddhi_ondemand_is_sql(const char *text)
{
	const char *p = text;
	int depth = 0;
	bool top;
	int len = next_word(&p, &depth, &top);
	char first[8];

	if (len == 0 || len >= (int) sizeof(first))
		return false;
	memcpy(first, p, len);
	first[len] = '\0';
	p += len;
	if (pg_strcasecmp(first, "insert") == 0 ||
		pg_strcasecmp(first, "with") == 0)
		return true;
	if (pg_strcasecmp(first, "select") == 0)
		return has_top_word(p, "from");
	if (pg_strcasecmp(first, "delete") == 0)
	{
		len = next_word(&p, &depth, &top);
		return len == 4 && pg_strncasecmp(p, "from", 4) == 0;
	}
	if (pg_strcasecmp(first, "update") == 0)
	{
		const char *q = p;

		len = next_word(&q, &depth, &top);
		if (len == 2 && pg_strncasecmp(q, "or", 2) == 0)
			return false;
		return has_top_word(p, "where") || !has_top_word(p, "on");
	}
	return false;
}

/*
 * CREATE WINDOW w TUMBLING(1 hour) (the roadmap's block 19): a window
 * written without columns takes those of the stream that
 * `INSERT INTO w SELECT * FROM s` fills it from, once the app is read
 * (sqlstream_window_columns).  name_tok is w.
 */
void
sqlstream_columnless_window(SqlParser *p, int name_tok, SiddhiDefinition *def)
{
	def->name = p->tokens[name_tok].str;
	def->location = p->tokens[name_tok].start;
	p->columnless_windows = lappend(p->columnless_windows, def);
}

/* The columns of the windows written without them (see above). */
void
sqlstream_window_columns(SqlParser *p)
{
	ListCell *lc;

	foreach(lc, p->columnless_windows)
	{
		SiddhiDefinition *w = lfirst(lc);
		SiddhiDefinition *from = NULL;
		ListCell *q;

		foreach(q, p->app->queries)
		{
			SiddhiQuery *query = lfirst(q);
			ListCell *d;

			if (query->output == NULL || query->output->target == NULL ||
				strcmp(query->output->target, w->name) != 0 ||
				!query->selector->select_all ||
				query->input->kind != SIDDHI_INPUT_STREAM)
				continue;
			foreach(d, p->app->definitions)
			{
				SiddhiDefinition *s = lfirst(d);

				if (s->kind == SIDDHI_DEF_STREAM && s->attributes != NIL &&
					strcmp(s->name, query->input->stream->stream) == 0)
					from = s;
			}
			if (from)
				break;
		}
		if (from == NULL)
			sqlstream_syntax_error_at(
				p, w->location,
				psprintf("window \"%s\" needs its columns", w->name),
				psprintf(
					"Write CREATE WINDOW %s (column type, ...) "
					"TUMBLING(1 hour), or fill it with INSERT INTO %s "
					"SELECT * FROM <stream>, whose columns it then takes.",
					w->name, w->name));
		w->attributes = list_copy(from->attributes);
	}
}

/*
 * WITH (queryable = true) on a window (the roadmap's "findable window"):
 * every named window is queryable (siddhi.query(), and its mirror table),
 * so the option is taken out; false is refused.
 */
void
sqlstream_window_queryable(SqlParser *p, SiddhiDefinition *def)
{
	ListCell *lc;

	foreach(lc, def->annotations)
	{
		SiddhiAnnotation *a = lfirst(lc);
		ListCell *e;

		if (strcmp(a->name, "with") != 0)
			continue;
		foreach(e, a->elements)
		{
			SiddhiAnnotationElement *el = lfirst(e);

			if (el->key == NULL || pg_strcasecmp(el->key, "queryable") != 0)
				continue;
			if (pg_strcasecmp(el->value, "true") != 0)
				sqlstream_syntax_error_at(
					p, el->location,
					psprintf("a window is always queryable: queryable = %s "
							 "cannot be had",
							 el->value),
					"Leave queryable out, or write queryable = true.");
			a->elements = foreach_delete_current(a->elements, e);
		}
		if (a->elements == NIL)
			def->annotations = foreach_delete_current(def->annotations, lc);
	}
}
