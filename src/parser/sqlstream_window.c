/*-------------------------------------------------------------------------
 *
 * sqlstream_window.c
 *	  WINDOW specs of the streaming SQL dialect, mapped to Siddhi windows.
 *
 * The SQL spellings (TUMBLING, SLIDING, HOPPING, SESSION, CRON, FREQUENT,
 * UNIQUE) and Siddhi's own window names, written in any case, become a
 * SiddhiCall with Siddhi's canonical camelCase name, so that the analyzer
 * sees one vocabulary for both dialects.  docs/sql-dialect.md lists them.
 *
 * An argument that is only a duration ("5 minutes", "1 hour 30 min",
 * INTERVAL '5 minutes') becomes int8 milliseconds: TypeCast(A_Const, int8).
 * Any other argument is a raw expression parsed by raw_parser().
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "common/int.h"
#include "datatype/timestamp.h"
#include "lib/stringinfo.h"
#include "nodes/makefuncs.h"
#include "parser/parser.h"
#include "parser/scanner.h"
#include "parser/gram.h"
#include "siddhi/duration.h"
#include "siddhi/errors.h"
#include "siddhi/parser.h"
#include "sqlstream_int.h"
#include "utils/builtins.h"
#include "utils/datetime.h"
#include "utils/timestamp.h"

typedef struct WindowName
{
	const char *written; /* lower case */
	const char *ns;
	const char *name;
} WindowName;

static const WindowName window_names[] = {
	/* the streaming SQL spellings */
	{ "tumbling", NULL, "timeBatch" },
	{ "sliding", NULL, "time" },
	{ "hopping", NULL, "hopping" },
	{ "unique", "unique", "ever" },
	/* Siddhi's own */
	{ "length", NULL, "length" },
	{ "lengthbatch", NULL, "lengthBatch" },
	{ "time", NULL, "time" },
	{ "timebatch", NULL, "timeBatch" },
	{ "timelength", NULL, "timeLength" },
	{ "externaltime", NULL, "externalTime" },
	{ "externaltimebatch", NULL, "externalTimeBatch" },
	{ "session", NULL, "session" },
	{ "sort", NULL, "sort" },
	{ "batch", NULL, "batch" },
	{ "cron", NULL, "cron" },
	{ "delay", NULL, "delay" },
	{ "expression", NULL, "expression" },
	{ "expressionbatch", NULL, "expressionBatch" },
	{ "frequent", NULL, "frequent" },
	{ "lossyfrequent", NULL, "lossyFrequent" },
};

static const char *const unique_windows[] = {
	"ever",
	"first",
	"length",
	"lengthBatch",
	"firstLengthBatch",
	"time",
	"timeBatch",
	"firstTimeBatch",
	"timeLengthBatch",
	"externalTimeBatch",
};

#define WINDOW_HINT                                                        \
	"Windows are TUMBLING, SLIDING, HOPPING, SESSION, CRON, FREQUENT, "    \
	"UNIQUE, length, lengthBatch, time, timeBatch, timeLength, "           \
	"externalTime, externalTimeBatch, session, sort, batch, cron, delay, " \
	"expression, expressionBatch, frequent, lossyFrequent, and "           \
	"unique:ever, unique:first, unique:length, unique:lengthBatch, "       \
	"unique:firstLengthBatch, unique:time, unique:timeBatch, "             \
	"unique:firstTimeBatch, unique:timeLengthBatch, "                      \
	"unique:externalTimeBatch."

#define WINDOW_SYNTAX_HINT                                   \
	"Write a window as WINDOW name(arguments), for example " \
	"WINDOW TUMBLING(5 minutes)."

/* A duration as TypeCast(A_Const, int8) in milliseconds. */
static Node *
make_ms_const(int64 ms, int location)
{
	A_Const *con = makeNode(A_Const);
	TypeCast *cast = makeNode(TypeCast);

	sqlstream_set_integer_const(con, ms);
	con->location = location;
	cast->arg = (Node *) con;
	cast->typeName = SystemTypeName("int8");
	cast->location = location;
	return (Node *) cast;
}

typedef struct IntervalErrorContext
{
	SqlParser *p;
	int location;
} IntervalErrorContext;

/* interval_in() knows no position: give it the literal's. */
static void
interval_error_callback(void *arg)
{
	IntervalErrorContext *ctx = arg;

	if (geterrposition() <= 0)
		siddhi_errposition(ctx->p->source, ctx->location);
}

/*
 * INTERVAL 'text' [unit] in milliseconds, a month 30 days and a year 365
 * as Siddhi counts them (duration.c): INTERVAL '1 year' is 1 year.
 * typmod is the unit's, as PostgreSQL's INTERVAL '5' MINUTE reads '5' as
 * minutes (and drops what is finer than the unit), or -1.
 */
static int64
interval_ms(SqlParser *p, int tok, int32 typmod)
{
	IntervalErrorContext ectx;
	ErrorContextCallback cb;
	Interval *iv;
	int64 ms;
	bool negative;
	bool fits;

	/* interval_in's errors, at the literal */
	ectx.p = p;
	ectx.location = p->tokens[tok].start;
	cb.callback = interval_error_callback;
	cb.arg = &ectx;
	cb.previous = error_context_stack;
	error_context_stack = &cb;
	iv = DatumGetIntervalP(DirectFunctionCall3(
		interval_in, CStringGetDatum(p->tokens[tok].str),
		ObjectIdGetDatum(InvalidOid), Int32GetDatum(typmod)));
	error_context_stack = cb.previous;

	/* the text tells a year from 12 months; the value no longer does */
	if (typmod < 0)
		fits = siddhi_duration_parse(p->tokens[tok].str, INTERVAL_FULL_RANGE,
									 &ms, &negative) &&
			   ms != PG_INT64_MAX && ms != PG_INT64_MIN;
	else if (INTERVAL_RANGE(typmod) == INTERVAL_MASK(MONTH))
		/* INTERVAL '13' MONTH: 13 months, not a year and a month */
		fits = !pg_mul_s64_overflow(iv->month, SIDDHI_MS_PER_MONTH, &ms);
	else
		fits = siddhi_duration_of_interval(iv, &ms);
	if (!fits)
		ereport(ERROR, errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				errmsg("duration is out of range"),
				siddhi_errposition(p->source, p->tokens[tok].start));
	return ms;
}

/*
 * The interval typmod of the unit at token tok of INTERVAL 'n' unit (SQL's
 * SECOND, MINUTE, HOUR, DAY, MONTH, YEAR, and their plurals, which
 * PostgreSQL refuses but the dialect's 5 minutes has), or -1 when it is
 * none of them.
 */
static int32
interval_unit_typmod(SqlParser *p, int tok)
{
	static const struct
	{
		const char *word;
		int field;
	} units[] = {
		{ "second", SECOND },  { "seconds", SECOND }, { "minute", MINUTE },
		{ "minutes", MINUTE }, { "hour", HOUR },	  { "hours", HOUR },
		{ "day", DAY },		   { "days", DAY },		  { "month", MONTH },
		{ "months", MONTH },   { "year", YEAR },	  { "years", YEAR },
	};

	for (int i = 0; i < lengthof(units); i++)
		if (sqlstream_is_word(p, tok, units[i].word))
			return INTERVAL_TYPMOD(INTERVAL_FULL_PRECISION,
								   INTERVAL_MASK(units[i].field));
	return -1;
}

/* One argument, tokens [first, last). */
static Node *
parse_window_arg(SqlParser *p, int first, int last)
{
	int64 ms;

	if (sqlstream_duration_run(p, first, last, &ms) == last && last > first)
		return make_ms_const(ms, p->tokens[first].start);
	if (last == first + 2 && sqlstream_is_word(p, first, "interval") &&
		p->tokens[first + 1].code == SCONST)
		return make_ms_const(interval_ms(p, first + 1, -1),
							 p->tokens[first].start);
	/* SQL's INTERVAL '5' MINUTE */
	if (last == first + 3 && sqlstream_is_word(p, first, "interval") &&
		p->tokens[first + 1].code == SCONST &&
		interval_unit_typmod(p, first + 2) >= 0)
		return make_ms_const(
			interval_ms(p, first + 1, interval_unit_typmod(p, first + 2)),
			p->tokens[first].start);
	return sqlstream_parse_expr(p, first, last);
}

static void
unknown_window(SqlParser *p, const char *ns, const char *name, int location)
{
	ereport(ERROR, errcode(ERRCODE_SIDDHI_SEMANTIC_ERROR),
			ns ? errmsg("unknown window \"%s:%s\"", ns, name)
			   : errmsg("unknown window \"%s\"", name),
			errhint(WINDOW_HINT), siddhi_errposition(p->source, location));
}

/*
 * HOPPING(SIZE d1, ADVANCE d2) or HOPPING(d1, d2): the size first.
 * 'bounds' holds the token range of each of the two arguments.
 */
static List *
parse_hopping_args(SqlParser *p, int nargs, int *bounds, int close)
{
	Node *size = NULL;
	Node *advance = NULL;

	if (nargs != 2)
		ereport(ERROR, errcode(ERRCODE_SIDDHI_SYNTAX_ERROR),
				errmsg("HOPPING takes two arguments, the window size and the "
					   "advance"),
				errhint("Write HOPPING(SIZE 5 minutes, ADVANCE 1 minute)."),
				siddhi_errposition(p->source, p->tokens[close].start));
	for (int i = 0; i < 2; i++)
	{
		int first = bounds[2 * i];
		int last = bounds[2 * i + 1];
		Node **slot;

		if (sqlstream_is_word(p, first, "size") && last > first + 1)
		{
			slot = &size;
			first++;
		}
		else if (sqlstream_is_word(p, first, "advance") && last > first + 1)
		{
			slot = &advance;
			first++;
		}
		else
			slot = (i == 0) ? &size : &advance;
		if (*slot != NULL)
			sqlstream_syntax_error(
				p, bounds[2 * i],
				"Write HOPPING(SIZE 5 minutes, ADVANCE 1 minute).");
		*slot = parse_window_arg(p, first, last);
	}
	return list_make2(size, advance);
}

/*
 * Parse a window spec whose name is at token 'name_tok': name(args) or
 * unique:name(args), before token 'limit'.  Sets *next to the token
 * after the closing parenthesis.
 */
SiddhiCall *
sqlstream_parse_window(SqlParser *p, int name_tok, int limit, int *next)
{
	SiddhiCall *call = palloc0(sizeof(SiddhiCall));
	const char *ns = NULL;
	int tok = name_tok;
	int open;
	int close;
	int nargs = 0;
	int *bounds;
	int depth = 0;
	int argstart;

	if (tok >= limit || !sqlstream_is_name(p, tok))
		sqlstream_syntax_error(p, Min(tok, limit), WINDOW_SYNTAX_HINT);
	if (sqlstream_is_char(p, tok + 1, ':') && tok + 2 < limit)
	{
		ns = p->tokens[tok].str;
		tok += 2;
		if (!sqlstream_is_name(p, tok))
			sqlstream_syntax_error(p, tok, WINDOW_SYNTAX_HINT);
	}
	open = tok + 1;
	if (open >= limit || !sqlstream_is_char(p, open, '('))
		sqlstream_syntax_error(p, Min(open, limit), WINDOW_SYNTAX_HINT);
	close = sqlstream_match_close(p, open, limit);

	/* the canonical name */
	call->location = p->tokens[name_tok].start;
	if (ns == NULL)
	{
		for (int i = 0; i < lengthof(window_names); i++)
			if (pg_strcasecmp(p->tokens[tok].str, window_names[i].written) ==
				0)
			{
				call->ns =
					window_names[i].ns ? pstrdup(window_names[i].ns) : NULL;
				call->name = pstrdup(window_names[i].name);
				break;
			}
	}
	else if (pg_strcasecmp(ns, "unique") == 0)
	{
		for (int i = 0; i < lengthof(unique_windows); i++)
			if (pg_strcasecmp(p->tokens[tok].str, unique_windows[i]) == 0)
			{
				call->ns = pstrdup("unique");
				call->name = pstrdup(unique_windows[i]);
				break;
			}
	}
	if (call->name == NULL)
		unknown_window(p, ns, p->tokens[tok].str, call->location);
	if (pg_strcasecmp(p->tokens[tok].str, call->name) != 0)
		call->written = pnstrdup(p->source + p->tokens[tok].start,
								 p->tokens[tok].end - p->tokens[tok].start);

	/* arguments: split at commas outside brackets */
	bounds = palloc(sizeof(int) * 2 * (close - open + 1));
	argstart = open + 1;
	for (int i = open + 1; i <= close; i++)
	{
		int code = p->tokens[i].code;

		if (i == close || (depth == 0 && code == ','))
		{
			if (i == argstart && !(i == close && nargs == 0))
				sqlstream_syntax_error(p, i, NULL);
			if (i > argstart)
			{
				bounds[2 * nargs] = argstart;
				bounds[2 * nargs + 1] = i;
				nargs++;
			}
			argstart = i + 1;
		}
		else if (code == '(' || code == '[')
			depth++;
		else if (code == ')' || code == ']')
			depth--;
	}

	if (strcmp(call->name, "hopping") == 0)
		call->args = parse_hopping_args(p, nargs, bounds, close);
	else
		for (int i = 0; i < nargs; i++)
			call->args =
				lappend(call->args,
						parse_window_arg(p, bounds[2 * i], bounds[2 * i + 1]));
	*next = close + 1;
	return call;
}
