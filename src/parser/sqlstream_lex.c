/*-------------------------------------------------------------------------
 *
 * sqlstream_lex.c
 *	  Tokens and raw_parser() pieces for the streaming SQL front end.
 *
 * The app is scanned once with PostgreSQL's own scanner, so strings,
 * dollar quotes, comments and identifier folding behave exactly as in
 * Postgres.  Everything that is plain SQL is then parsed by raw_parser()
 * on a "piece": a copy of the source of the same length in which all
 * bytes outside the piece (and our own clauses inside it) are spaces.
 * Locations in the raw nodes are therefore byte offsets into the app
 * source, as the AST requires.
 *
 * Durations written Siddhi-style ("5 minutes", "1 hour 30 min") are not
 * SQL: before a piece is parsed the unit words are blanked, and once
 * raw_parser() is done the number's A_Const is rewritten in place into
 * milliseconds.
 *
 * Error positions raised by raw_parser() are character positions in the
 * copy; blanking a multibyte character changes the character count, so
 * an error context callback maps them back to positions in the source
 * before the caller's siddhi_source_context turns them into line/column.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "common/int.h"
#include "common/keywords.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "parser/parser.h"
#include "parser/scanner.h"
#include "parser/gram.h"
#include "siddhi/duration.h"
#include "siddhi/errors.h"
#include "siddhi/parser.h"
#include "sqlstream_int.h"

/* A "5 minutes" found in a piece, to be turned into milliseconds. */
typedef struct SqlDuration
{
	int location;		/* of the number */
	int minus_location; /* of a '-' just before it, or -1 */
	int64 ms;
	bool done;
} SqlDuration;

/*
 * Siddhi's time units (a month is 30 days and a year 365, as in Siddhi),
 * with their length in milliseconds.
 */
static const struct
{
	const char *name;
	int64 ms;
} duration_units[] = {
	{ "millisec", 1 },
	{ "millisecond", 1 },
	{ "milliseconds", 1 },
	{ "sec", 1000 },
	{ "second", 1000 },
	{ "seconds", 1000 },
	{ "min", 60 * 1000 },
	{ "minute", 60 * 1000 },
	{ "minutes", 60 * 1000 },
	{ "hour", INT64CONST(3600000) },
	{ "hours", INT64CONST(3600000) },
	{ "day", INT64CONST(86400000) },
	{ "days", INT64CONST(86400000) },
	{ "week", SIDDHI_MS_PER_WEEK },
	{ "weeks", SIDDHI_MS_PER_WEEK },
	{ "month", SIDDHI_MS_PER_MONTH },
	{ "months", SIDDHI_MS_PER_MONTH },
	{ "year", SIDDHI_MS_PER_YEAR },
	{ "years", SIDDHI_MS_PER_YEAR },
};

/*
 * Scan the whole app into p->tokens.  Scanner errors (an unterminated
 * string, say) carry a position into the source already.
 */
void
sqlstream_tokenize(SqlParser *p)
{
	core_yy_extra_type yyextra;
	core_yyscan_t scanner;
	int cap = 64;

	p->tokens = palloc(sizeof(SqlToken) * cap);
	p->ntokens = 0;
	scanner =
		scanner_init(p->source, &yyextra, &ScanKeywords, ScanKeywordTokens);
	/* raw_parser() scans every piece again; warn only once */
	yyextra.escape_string_warning = false;

	for (;;)
	{
		core_YYSTYPE lval;
		YYLTYPE loc;
		int code;
		SqlToken *t;

		CHECK_FOR_INTERRUPTS();
		code = core_yylex(&lval, &loc, scanner);

		if (p->ntokens >= cap)
		{
			cap *= 2;
			p->tokens = repalloc(p->tokens, sizeof(SqlToken) * cap);
		}
		t = &p->tokens[p->ntokens];
		memset(t, 0, sizeof(SqlToken));
		t->code = code;
		if (code == 0)
		{
			t->start = t->end = p->srclen;
			break;
		}
		t->start = loc;

		/*
		 * The scanner leaves the text of the token it returned
		 * NUL-terminated in its buffer, which starts at the token's first
		 * byte (PostgreSQL's own parser.c relies on the same thing).
		 */
		t->end = loc + strlen(yyextra.scanbuf + loc);
		switch (code)
		{
			case IDENT:
			case UIDENT:
				t->str = lval.str;
				t->quoted = (code == UIDENT || p->source[loc] == '"');
				break;
			case FCONST:
			case SCONST:
			case USCONST:
			case BCONST:
			case XCONST:
			case Op:
				t->str = lval.str;
				break;
			case ICONST:
			case PARAM:
				t->ival = lval.ival;
				break;
			default:
				if (code >= ABORT_P && code <= ZONE)
				{
					t->keyword = true;
					t->str = unconstify(char *, lval.keyword);
				}
				break;
		}
		p->ntokens++;
	}
	scanner_finish(scanner);
}

/* The token as written, for messages. */
char *
sqlstream_token_text(SqlParser *p, int tok)
{
	SqlToken *t = &p->tokens[tok];

	return pnstrdup(p->source + t->start, t->end - t->start);
}

/* Is the token the unquoted word (lower case)? */
bool
sqlstream_is_word(SqlParser *p, int tok, const char *word)
{
	SqlToken *t;

	if (tok < 0 || tok >= p->ntokens)
		return false;
	t = &p->tokens[tok];
	return (t->code == IDENT || t->keyword) && !t->quoted &&
		   strcmp(t->str, word) == 0;
}

/* An identifier or a keyword of any category. */
bool
sqlstream_is_name(SqlParser *p, int tok)
{
	SqlToken *t;

	if (tok < 0 || tok >= p->ntokens)
		return false;
	t = &p->tokens[tok];
	return t->code == IDENT || t->keyword;
}

bool
sqlstream_is_char(SqlParser *p, int tok, char c)
{
	if (tok < 0 || tok >= p->ntokens)
		return false;
	return p->tokens[tok].code == (unsigned char) c;
}

/*
 * The token that closes the bracket at 'open' ('(' or '['), which must
 * come before 'limit'.  Mismatched brackets are a syntax error.
 */
int
sqlstream_match_close(SqlParser *p, int open, int limit)
{
	char *stack = palloc(limit - open + 1);
	int depth = 0;

	for (int i = open; i < limit; i++)
	{
		int code = p->tokens[i].code;

		if (code == '(' || code == '[')
			stack[depth++] = (code == '(') ? ')' : ']';
		else if (code == ')' || code == ']')
		{
			if (depth == 0 || stack[depth - 1] != code)
				sqlstream_syntax_error(p, i, NULL);
			if (--depth == 0)
			{
				pfree(stack);
				return i;
			}
		}
	}
	sqlstream_syntax_error(p, limit, NULL);
}

void
sqlstream_syntax_error(SqlParser *p, int tok, const char *hint)
{
	SqlToken *t = &p->tokens[tok];

	if (t->code == 0)
		ereport(ERROR, errcode(ERRCODE_SIDDHI_SYNTAX_ERROR),
				errmsg("syntax error at end of input"),
				hint ? errhint("%s", hint) : 0,
				siddhi_errposition(p->source, t->start));
	ereport(
		ERROR, errcode(ERRCODE_SIDDHI_SYNTAX_ERROR),
		errmsg("syntax error at or near \"%s\"", sqlstream_token_text(p, tok)),
		hint ? errhint("%s", hint) : 0,
		siddhi_errposition(p->source, t->start));
	pg_unreachable();
}

static int64
unit_ms(SqlParser *p, int tok)
{
	SqlToken *t = &p->tokens[tok];

	if (t->code != IDENT && !t->keyword)
		return 0;
	if (t->quoted)
		return 0;
	for (int i = 0; i < lengthof(duration_units); i++)
		if (strcmp(t->str, duration_units[i].name) == 0)
			return duration_units[i].ms;
	return 0;
}

static void
duration_out_of_range(SqlParser *p, int tok)
{
	ereport(ERROR, errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
			errmsg("duration is out of range"),
			siddhi_errposition(p->source, p->tokens[tok].start));
}

/*
 * A duration starting at 'tok': one or more <number> <unit> pairs
 * ("1 hour 30 minutes").  Returns the token just past it and sets *ms, or
 * returns tok when there is none.  A unit word followed by '(' or '.' is
 * a function or a qualified name, not a unit.
 */
int
sqlstream_duration_run(SqlParser *p, int tok, int limit, int64 *ms)
{
	int i = tok;
	int64 total = 0;

	while (i + 1 < limit &&
		   (p->tokens[i].code == ICONST || p->tokens[i].code == FCONST) &&
		   unit_ms(p, i + 1) > 0 &&
		   !(i + 2 < limit && (sqlstream_is_char(p, i + 2, '(') ||
							   sqlstream_is_char(p, i + 2, '.'))))
	{
		int64 unit = unit_ms(p, i + 1);
		int64 part;

		if (p->tokens[i].code == ICONST)
		{
			if (pg_mul_s64_overflow((int64) p->tokens[i].ival, unit, &part))
				duration_out_of_range(p, i);
		}
		else
		{
			double d = strtod(p->tokens[i].str, NULL) * (double) unit;

			if (isnan(d) || d >= (double) PG_INT64_MAX)
				duration_out_of_range(p, i);
			part = (int64) rint(d);
		}
		if (pg_add_s64_overflow(total, part, &total))
			duration_out_of_range(p, i);
		i += 2;
	}
	*ms = total;
	return i;
}

/*
 * Start a piece covering tokens [first, last).  'durations' allows
 * "5 minutes" inside it.
 */
void
sqlstream_piece_init(SqlPiece *pc, SqlParser *p, int first, int last,
					 bool durations)
{
	int from = p->tokens[first].start;
	int to = (last > first) ? p->tokens[last - 1].end : from;

	pc->parser = p;
	/*
	 * room for a "SELECT (" or a "CREATE TABLE" before the piece, even at
	 * the start of the source (base may be negative); what is before that
	 * is not copied (sqlstream_locations.c puts the locations right)
	 */
	pc->base = from - 16;
	pc->buf = palloc(p->srclen - pc->base + 16);
	memset(pc->buf, ' ', p->srclen - pc->base + 15);
	memcpy(pc->buf + from - pc->base, p->source + from, to - from);
	pc->len = to - pc->base;
	pc->first = first;
	pc->last = last;
	pc->dead = palloc0(sizeof(bool) * (last - first + 1));
	pc->durations = durations;
}

/* Blank tokens [first, last) of the piece: they are ours, not SQL. */
void
sqlstream_piece_kill(SqlPiece *pc, int first, int last)
{
	SqlParser *p = pc->parser;

	Assert(first >= pc->first && last <= pc->last);
	if (last <= first)
		return;
	memset(pc->buf + p->tokens[first].start - pc->base, ' ',
		   p->tokens[last - 1].end - p->tokens[first].start);
	for (int i = first; i < last; i++)
		pc->dead[i - pc->first] = true;
}

/*
 * Write text into the copy at a byte offset: a prefix such as "SELECT "
 * into the blank area before the piece, or a suffix after it.
 */
void
sqlstream_piece_put(SqlPiece *pc, int offset, const char *text)
{
	int n = strlen(text);

	offset -= pc->base;
	if (offset < 0 || offset + n > pc->parser->srclen - pc->base + 15)
		elog(ERROR, "no room for \"%s\" in a statement piece", text);
	memcpy(pc->buf + offset, text, n);
	if (offset + n > pc->len)
		pc->len = offset + n;
}

typedef struct PieceErrorContext
{
	SqlPiece *pc;
} PieceErrorContext;

/* Map an error position in the copy to one in the source. */
static void
piece_error_callback(void *arg)
{
	SqlPiece *pc = ((PieceErrorContext *) arg)->pc;
	SqlParser *p = pc->parser;
	int pos = geterrposition();
	const char *c = pc->buf;
	int chars = 1;
	int byte;

	if (pos <= 0)
		return;
	while (*c && chars < pos)
	{
		c += pg_mblen(c);
		chars++;
	}
	byte = Max(Min(c - pc->buf + pc->base, p->srclen), 0);
	errposition(pg_mbstrlen_with_len(p->source, byte) + 1);
}

static bool
duration_walker(Node *node, List *durations)
{
	if (node == NULL)
		return false;
	CHECK_FOR_INTERRUPTS();
	if (IsA(node, A_Const))
	{
		A_Const *con = (A_Const *) node;
		ListCell *lc;

		foreach(lc, durations)
		{
			SqlDuration *d = lfirst(lc);
			bool negative;
			int64 ms;

			if (d->done || (con->location != d->location &&
							con->location != d->minus_location))
				continue;
			if (con->isnull)
				continue;
			if (IsA(&con->val, Integer))
				negative = intVal(&con->val) < 0;
			else if (IsA(&con->val, Float))
				negative = castNode(Float, &con->val)->fval[0] == '-';
			else
				continue;
			ms = negative ? -d->ms : d->ms;
			sqlstream_set_integer_const(con, ms);
			d->done = true;
		}
		return false;
	}
	return raw_expression_tree_walker(node, duration_walker,
									  (void *) durations);
}

/*
 * Run raw_parser() on the piece; returns its list of RawStmt.  Durations
 * are rewritten into milliseconds on the way.
 */
List *
sqlstream_piece_parse(SqlPiece *pc)
{
	SqlParser *p = pc->parser;
	List *durations = NIL;
	List *stmts;
	PieceErrorContext ectx;
	ErrorContextCallback cb;
	ListCell *lc;

	if (pc->durations)
	{
		for (int i = pc->first; i < pc->last; i++)
		{
			int64 ms;
			int next;
			SqlDuration *d;

			if (pc->dead[i - pc->first])
				continue;
			next = sqlstream_duration_run(p, i, pc->last, &ms);
			if (next == i)
				continue;
			for (int j = i + 1; j < next; j++)
				if (pc->dead[j - pc->first])
					sqlstream_syntax_error(p, j, NULL);
			d = palloc0(sizeof(SqlDuration));
			d->location = p->tokens[i].start;
			d->minus_location = -1;

			/*
			 * The grammar folds a unary minus into the constant and moves
			 * its location to the '-', even across parentheses: -(5 min).
			 */
			for (int j = i - 1; j >= pc->first && !pc->dead[j - pc->first];
				 j--)
			{
				if (sqlstream_is_char(p, j, '-'))
					d->minus_location = p->tokens[j].start;
				if (!sqlstream_is_char(p, j, '('))
					break;
			}
			d->ms = ms;
			durations = lappend(durations, d);
			/* keep the number, blank the units and the numbers after it */
			memset(pc->buf + p->tokens[i + 1].start - pc->base, ' ',
				   p->tokens[next - 1].end - p->tokens[i + 1].start);
			i = next - 1;
		}
	}

	pc->buf[pc->len] = '\0';
	ectx.pc = pc;
	cb.callback = piece_error_callback;
	cb.arg = &ectx;
	cb.previous = error_context_stack;
	error_context_stack = &cb;
	stmts = raw_parser(pc->buf, RAW_PARSE_DEFAULT);
	error_context_stack = cb.previous;
	pfree(pc->buf);
	pc->buf = NULL;
	foreach(lc, stmts)
		sqlstream_shift_locations(lfirst_node(RawStmt, lc)->stmt, pc->base);

	if (durations == NIL)
		return stmts;
	foreach(lc, stmts)
	{
		Node *stmt = lfirst_node(RawStmt, lc)->stmt;

		if (IsA(stmt, SelectStmt) || IsA(stmt, InsertStmt))
			duration_walker(stmt, durations);
	}
	foreach(lc, durations)
	{
		SqlDuration *d = lfirst(lc);

		if (!d->done)
			ereport(ERROR, errcode(ERRCODE_SIDDHI_SYNTAX_ERROR),
					errmsg("a duration is not allowed here"),
					errhint("Write a duration where a number could stand, as "
							"in \"ts - 5 minutes\"."),
					siddhi_errposition(p->source, d->location));
	}
	return stmts;
}

/*
 * Parse tokens [first, last) as one expression.  The piece is wrapped as
 * "SELECT (" <piece> ")", so anything that is not a single expression is
 * a syntax error at the offending token.
 */
Node *
sqlstream_parse_expr(SqlParser *p, int first, int last)
{
	SqlPiece pc;
	List *stmts;
	SelectStmt *sel;

	if (last <= first)
		sqlstream_syntax_error(p, last, NULL);
	if (p->tokens[first].start < 8)
		sqlstream_syntax_error(p, first, NULL);
	sqlstream_piece_init(&pc, p, first, last, true);
	sqlstream_piece_put(&pc, p->tokens[first].start - 8, "SELECT (");
	sqlstream_piece_put(&pc, p->tokens[last - 1].end, ")");
	stmts = sqlstream_piece_parse(&pc);

	/* the wrapping leaves no room for anything else */
	if (list_length(stmts) != 1)
		sqlstream_syntax_error(p, first, NULL);
	sel = (SelectStmt *) linitial_node(RawStmt, stmts)->stmt;
	if (!IsA(sel, SelectStmt) || list_length(sel->targetList) != 1)
		sqlstream_syntax_error(p, first, NULL);
	return linitial_node(ResTarget, sel->targetList)->val;
}

/*
 * Make con the integer constant v, spelled as PostgreSQL's scanner spells
 * it: an Integer within int4, else a Float holding the digits.
 */
void
sqlstream_set_integer_const(A_Const *con, int64 v)
{
	if (v >= PG_INT32_MIN && v <= PG_INT32_MAX)
	{
		con->val.ival.type = T_Integer;
		con->val.ival.ival = (int) v;
	}
	else
	{
		con->val.fval.type = T_Float;
		con->val.fval.fval = psprintf(INT64_FORMAT, v);
	}
}
