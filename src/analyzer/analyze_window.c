/*-------------------------------------------------------------------------
 *
 * analyze_window.c
 *	  A window call, #window.name(..) or WINDOW ..(..), checked against the
 *	  window's signatures and turned into a SiddhiWindowPlan.
 *
 * Each window has a table entry: its name (and namespace), its kind, its
 * argument counts and the signature printed in errors.  Constant
 * arguments (sizes, times, flags, strings) are folded here, so a window
 * never evaluates them at run time; per-event arguments (a key, a time
 * attribute, sort attributes) become expressions over the input stream.
 *
 * Sizes are bounded so that a window's memory is: a count at most 1e8
 * events, a time at most ten years.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/relation.h"
#include "common/int.h"
#include "analyze_int.h"
#include "catalog/pg_type.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "access/table.h"
#include "parser/parse_coerce.h"
#include "parser/parse_expr.h"
#include "parser/parse_oper.h"
#include "siddhi/cron.h"
#include "siddhi/duration.h"
#include "parser/parse_relation.h"
#include "parser/parsetree.h"
#include "rewrite/rewriteManip.h"
#include "siddhi/errors.h"
#include "siddhi/parser.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/timestamp.h"
#include "utils/typcache.h"

#define MAX_WINDOW_COUNT 100000000
#define MAX_WINDOW_TIME INT64CONST(315360000000) /* ten years in ms */

typedef struct WindowSig
{
	const char *ns; /* "unique", or NULL */
	const char *name;
	SiddhiWindowKind kind;
	int min_args;
	int max_args; /* -1: any number */
	const char *signature;
} WindowSig;

static const WindowSig window_sigs[] = {
	{ NULL, "length", SIDDHI_WINDOW_LENGTH, 1, 1, "length(window.length)" },
	{ NULL, "lengthBatch", SIDDHI_WINDOW_LENGTH_BATCH, 1, 2,
	  "lengthBatch(window.length [, stream.current.event])" },
	{ NULL, "time", SIDDHI_WINDOW_TIME, 1, 1, "time(window.time)" },
	{ NULL, "timeBatch", SIDDHI_WINDOW_TIME_BATCH, 1, 3,
	  "timeBatch(window.time [, start.time] [, stream.current.event])" },
	{ NULL, "timeLength", SIDDHI_WINDOW_TIME_LENGTH, 2, 2,
	  "timeLength(window.time, window.length)" },
	{ NULL, "externalTime", SIDDHI_WINDOW_EXTERNAL_TIME, 2, 2,
	  "externalTime(timestamp, window.time)" },
	{ NULL, "externalTimeBatch", SIDDHI_WINDOW_EXTERNAL_TIME_BATCH, 2, 5,
	  "externalTimeBatch(timestamp, window.time [, start.time [, timeout "
	  "[, replace.with.batchtime]]])" },
	{ NULL, "batch", SIDDHI_WINDOW_BATCH, 0, 1, "batch([window.length])" },
	{ NULL, "sort", SIDDHI_WINDOW_SORT, 2, -1,
	  "sort(window.length, attribute [, 'asc'|'desc'] [, attribute [, "
	  "'asc'|'desc']] ...)" },
	{ NULL, "delay", SIDDHI_WINDOW_DELAY, 1, 1, "delay(window.delay)" },
	{ NULL, "cron", SIDDHI_WINDOW_CRON, 1, 1, "cron('cron expression')" },
	{ NULL, "session", SIDDHI_WINDOW_SESSION, 1, 3,
	  "session(session.gap [, session.key [, allowed.latency]])" },
	{ NULL, "hopping", SIDDHI_WINDOW_HOPPING, 2, 2,
	  "hopping(window.size, window.advance)" },
	{ NULL, "expression", SIDDHI_WINDOW_EXPRESSION, 1, 1,
	  "expression('expression')" },
	{ NULL, "expressionBatch", SIDDHI_WINDOW_EXPRESSION_BATCH, 1, 3,
	  "expressionBatch('expression' [, include.triggering.event [, "
	  "stream.current.event]])" },
	{ NULL, "frequent", SIDDHI_WINDOW_FREQUENT, 1, -1,
	  "frequent(event.count [, attribute ...])" },
	{ NULL, "lossyFrequent", SIDDHI_WINDOW_LOSSY_FREQUENT, 1, -1,
	  "lossyFrequent(support.threshold [, error.bound [, attribute ...]])" },
	{ "unique", "ever", SIDDHI_WINDOW_UNIQUE_EVER, 1, -1,
	  "unique:ever(attribute [, attribute ...])" },
	{ "unique", "first", SIDDHI_WINDOW_UNIQUE_FIRST, 1, -1,
	  "unique:first(attribute [, attribute ...])" },
	{ "unique", "length", SIDDHI_WINDOW_UNIQUE_LENGTH, 2, 2,
	  "unique:length(attribute, window.length)" },
	{ "unique", "lengthBatch", SIDDHI_WINDOW_UNIQUE_LENGTH_BATCH, 2, 2,
	  "unique:lengthBatch(attribute, window.length)" },
	{ "unique", "firstLengthBatch", SIDDHI_WINDOW_UNIQUE_FIRST_LENGTH_BATCH, 2,
	  2, "unique:firstLengthBatch(attribute, window.length)" },
	{ "unique", "time", SIDDHI_WINDOW_UNIQUE_TIME, 2, 2,
	  "unique:time(attribute, window.time)" },
	{ "unique", "timeBatch", SIDDHI_WINDOW_UNIQUE_TIME_BATCH, 2, 3,
	  "unique:timeBatch(attribute, window.time [, start.time])" },
	{ "unique", "firstTimeBatch", SIDDHI_WINDOW_UNIQUE_FIRST_TIME_BATCH, 2, 3,
	  "unique:firstTimeBatch(attribute, window.time [, start.time])" },
	{ "unique", "timeLengthBatch", SIDDHI_WINDOW_UNIQUE_TIME_LENGTH_BATCH, 3,
	  4,
	  "unique:timeLengthBatch(attribute, window.time, window.length [, "
	  "start.time])" },
	{ "unique", "externalTimeBatch", SIDDHI_WINDOW_UNIQUE_EXTERNAL_TIME_BATCH,
	  3, 6,
	  "unique:externalTimeBatch(attribute, timestamp, window.time [, "
	  "start.time [, timeout [, replace.with.batchtime]]])" },
};

/* The call being analyzed. */
typedef struct WindowCall
{
	AnalyzeState *st;
	ParseState *pstate;
	SiddhiCall *call;
	const WindowSig *def;
	SiddhiWindowPlan *wp;
	int nargs;
	const char *shown;	   /* its name as written (TUMBLING, timeBatch) */
	const char *signature; /* and its signature under that name */
} WindowCall;

static Node *
raw_arg(WindowCall *wc, int i)
{
	return list_nth(wc->call->args, i);
}

static int
arg_location(WindowCall *wc, int i)
{
	int loc = exprLocation(raw_arg(wc, i));

	return loc >= 0 ? loc : wc->call->location;
}

static void bad_arg(WindowCall *wc, int i, const char *what)
	pg_attribute_noreturn();

static void
bad_arg(WindowCall *wc, int i, const char *what)
{
	ereport(
		ERROR,
		(errcode(ERRCODE_SIDDHI_SEMANTIC_ERROR),
		 errmsg("argument %d of window %s must be %s", i + 1, wc->shown, what),
		 errhint("The window is %s.", wc->signature),
		 siddhi_errposition(wc->st->app->source, arg_location(wc, i))));
}

/* Argument i analyzed and folded (a constant when it can be one). */
static Expr *
arg_expr(WindowCall *wc, int i)
{
	return siddhi_finish_expr(
		wc->pstate,
		transformExpr(wc->pstate, raw_arg(wc, i), EXPR_KIND_SELECT_TARGET));
}

/* The constant argument i, or NULL when it is not a constant. */
static Const *
arg_const(WindowCall *wc, int i)
{
	Expr *e = arg_expr(wc, i);

	if (IsA(e, Const) && !((Const *) e)->constisnull)
		return (Const *) e;
	return NULL;
}

static bool
arg_is_bool(WindowCall *wc, int i)
{
	Const *c = arg_const(wc, i);

	return c && c->consttype == BOOLOID;
}

static bool
arg_bool(WindowCall *wc, int i)
{
	Const *c = arg_const(wc, i);

	if (c == NULL || c->consttype != BOOLOID)
		bad_arg(wc, i, "a constant bool");
	return DatumGetBool(c->constvalue);
}

/* v, argument i, must be in [1, max] (min 0 when zero_ok). */
static void
check_range(WindowCall *wc, int i, int64 v, int64 max, bool zero_ok)
{
	if (v < (zero_ok ? 0 : 1) || v > max)
		ereport(ERROR, (errcode(ERRCODE_SIDDHI_SEMANTIC_ERROR),
						errmsg("argument %d of window %s must be between %d "
							   "and " INT64_FORMAT,
							   i + 1, wc->shown, zero_ok ? 0 : 1, max),
						errhint("The window is %s.", wc->signature),
						siddhi_errposition(wc->st->app->source,
										   arg_location(wc, i))));
}

/* A constant integer in [1, max] (min 0 when zero_ok). */
static int64
arg_int(WindowCall *wc, int i, int64 max, bool zero_ok, const char *what)
{
	Const *c = arg_const(wc, i);
	int64 v;

	if (c == NULL || (c->consttype != INT4OID && c->consttype != INT8OID &&
					  c->consttype != INT2OID))
		bad_arg(wc, i, what);
	v = c->consttype == INT8OID	  ? DatumGetInt64(c->constvalue)
		: c->consttype == INT4OID ? DatumGetInt32(c->constvalue)
								  : DatumGetInt16(c->constvalue);
	check_range(wc, i, v, max, zero_ok);
	return v;
}

static int64
arg_count(WindowCall *wc, int i)
{
	return arg_int(wc, i, MAX_WINDOW_COUNT, false,
				   "a constant number of events");
}

/*
 * Argument i when it is a duration that is not milliseconds already (the
 * parser folds 5 minutes and INTERVAL '5' MINUTE to those): an interval
 * constant (INTERVAL '1' HOUR TO MINUTE) or, in the SQL dialect, a string
 * literal that is a valid interval ('5 minutes').  *ms is in
 * milliseconds, a month 30 days and a year 365 as the parser counts them
 * (duration.c); PG_INT64_MAX when it overflows.
 */
static bool
arg_duration(WindowCall *wc, int i, int64 *ms)
{
	Const *c = arg_const(wc, i);
	bool negative;

	if (c == NULL)
		return false;
	if (c->consttype == INTERVALOID)
	{
		if (!siddhi_duration_of_interval(DatumGetIntervalP(c->constvalue), ms))
			*ms = PG_INT64_MAX;
		return true;
	}
	return wc->st->app->dialect == SIDDHI_DIALECT_SQL &&
		   (c->consttype == UNKNOWNOID || c->consttype == TEXTOID) &&
		   siddhi_duration_parse(c->consttype == UNKNOWNOID
									 ? DatumGetCString(c->constvalue)
									 : TextDatumGetCString(c->constvalue),
								 INTERVAL_FULL_RANGE, ms, &negative);
}

/* A constant time in [1, max] ms (min 0 when zero_ok), however written. */
static int64
arg_time_in(WindowCall *wc, int i, int64 max, bool zero_ok, const char *what)
{
	int64 ms;

	if (!arg_duration(wc, i, &ms))
		return arg_int(wc, i, max, zero_ok,
					   wc->st->app->dialect == SIDDHI_DIALECT_SQL
						   ? "a constant duration such as 5 minutes, "
							 "INTERVAL '5' MINUTE or '5 minutes'"
						   : what);
	check_range(wc, i, ms, max, zero_ok);
	return ms;
}

static int64
arg_time(WindowCall *wc, int i)
{
	return arg_time_in(wc, i, MAX_WINDOW_TIME, false,
					   "a constant time such as 1 sec (or milliseconds)");
}

static bool
arg_is_int(WindowCall *wc, int i)
{
	Const *c = arg_const(wc, i);

	return c && (c->consttype == INT4OID || c->consttype == INT8OID ||
				 c->consttype == INT2OID);
}

/* A constant time, in milliseconds or as a duration. */
static bool
arg_is_time(WindowCall *wc, int i)
{
	int64 ms;

	return arg_is_int(wc, i) || arg_duration(wc, i, &ms);
}

static char *
arg_string(WindowCall *wc, int i)
{
	Const *c = arg_const(wc, i);

	if (c == NULL)
		bad_arg(wc, i, "a constant string");
	if (c->consttype == UNKNOWNOID)
		return pstrdup(DatumGetCString(c->constvalue));
	if (c->consttype == TEXTOID || c->consttype == VARCHAROID ||
		c->consttype == BPCHAROID)
		return TextDatumGetCString(c->constvalue);
	bad_arg(wc, i, "a constant string");
}

static double
arg_double(WindowCall *wc, int i)
{
	Const *c = arg_const(wc, i);
	double v;

	if (c == NULL)
		bad_arg(wc, i, "a constant number");
	switch (c->consttype)
	{
		case FLOAT8OID:
			v = DatumGetFloat8(c->constvalue);
			break;
		case FLOAT4OID:
			v = DatumGetFloat4(c->constvalue);
			break;
		case INT4OID:
			v = DatumGetInt32(c->constvalue);
			break;
		case INT8OID:
			v = (double) DatumGetInt64(c->constvalue);
			break;
		case NUMERICOID:
			v = DatumGetFloat8(
				DirectFunctionCall1(numeric_float8, c->constvalue));
			break;
		default:
			bad_arg(wc, i, "a constant number");
	}
	if (!(v > 0 && v < 1))
		bad_arg(wc, i, "a number between 0 and 1");
	return v;
}

/* A per-event argument: an expression over the input, kept as a key. */
static void
arg_key(WindowCall *wc, int i)
{
	Expr *e = arg_expr(wc, i);

	wc->wp->keys = lappend(wc->wp->keys, e);
	wc->wp->key_types = lappend_oid(wc->wp->key_types, exprType((Node *) e));
}

/* A per-event time: a long attribute (epoch milliseconds). */
static Expr *
arg_long_attr(WindowCall *wc, int i, const char *what)
{
	Node *e =
		transformExpr(wc->pstate, raw_arg(wc, i), EXPR_KIND_SELECT_TARGET);
	Oid t = exprType(e);

	if (t != INT8OID && t != INT4OID)
		ereport(ERROR, (errcode(ERRCODE_DATATYPE_MISMATCH),
						errmsg("the %s of window %s must be a long, not %s",
							   what, wc->shown, format_type_be(t)),
						errhint("The window is %s.", wc->signature),
						siddhi_errposition(wc->st->app->source,
										   arg_location(wc, i))));
	e = coerce_to_target_type(wc->pstate, e, t, INT8OID, -1, COERCION_IMPLICIT,
							  COERCE_IMPLICIT_CAST, -1);
	return siddhi_finish_expr(wc->pstate, e);
}

/*
 * frequent and lossyFrequent without attributes count whole events: every
 * attribute of the input is part of the key.
 */
static void
all_attributes_key(WindowCall *wc)
{
	RangeTblEntry *rte = linitial(wc->pstate->p_rtable);
	Relation rel = relation_open(rte->relid, NoLock);
	TupleDesc desc = RelationGetDescr(rel);

	for (int i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, i);

		if (att->attisdropped)
			continue;
		wc->wp->keys = lappend(wc->wp->keys,
							   makeVar(1, i + 1, att->atttypid, att->atttypmod,
									   att->attcollation, 0));
		wc->wp->key_types = lappend_oid(wc->wp->key_types, att->atttypid);
	}
	relation_close(rel, NoLock);
}

/* sort(n, attr [, order], attr [, order] ...) */
static void
sort_args(WindowCall *wc)
{
	SiddhiWindowPlan *wp = wc->wp;
	int i = 1;

	wp->length = arg_count(wc, 0);
	while (i < wc->nargs)
	{
		Expr *e = arg_expr(wc, i);
		Oid type = exprType((Node *) e);
		bool desc = false;
		Oid sortop;
		Oid eqop;
		bool hashable;

		if (IsA(e, Const))
			bad_arg(wc, i, "an attribute to sort by");
		if (i + 1 < wc->nargs)
		{
			Const *c = arg_const(wc, i + 1);

			if (c && (c->consttype == UNKNOWNOID || c->consttype == TEXTOID))
			{
				char *order = arg_string(wc, i + 1);

				if (pg_strcasecmp(order, "desc") == 0)
					desc = true;
				else if (pg_strcasecmp(order, "asc") != 0)
					bad_arg(wc, i + 1, "'asc' or 'desc'");
				i++;
			}
		}
		get_sort_group_operators(type, !desc, true, desc,
								 desc ? NULL : &sortop, &eqop,
								 desc ? &sortop : NULL, &hashable);
		wp->keys = lappend(wp->keys, e);
		wp->key_types = lappend_oid(wp->key_types, type);
		wp->sort_ops = lappend_oid(wp->sort_ops, sortop);
		i++;
	}
}

static void check_cron(WindowCall *wc, int i);
/*
 * session(gap [, key [, latency]]): with two arguments the second is the
 * latency when it is a constant number, else the key (as Siddhi reads
 * it).  The latency may not exceed the gap.
 */
static void
session_args(WindowCall *wc)
{
	SiddhiWindowPlan *wp = wc->wp;
	int latency = -1;

	wp->length = arg_time(wc, 0);
	if (wc->nargs == 2 && arg_is_time(wc, 1))
		latency = 1;
	else if (wc->nargs > 1)
	{
		if (arg_const(wc, 1) != NULL)
			bad_arg(wc, 1,
					"an attribute (the session key) or a constant time");
		arg_key(wc, 1);
		if (wc->nargs > 2)
			latency = 2;
	}
	if (latency > 0)
	{
		wp->timeout = arg_time_in(wc, latency, MAX_WINDOW_TIME, true,
								  "a constant time such as 1 sec");
		if (wp->timeout > wp->length)
			bad_arg(wc, latency, "at most the session gap");
	}
}

/* [start.time [, timeout [, replace.with.batchtime]]] from argument i on */
static void
external_batch_args(WindowCall *wc, int i)
{
	SiddhiWindowPlan *wp = wc->wp;

	if (wc->nargs > i)
	{
		if (arg_is_int(wc, i))
			wp->start = arg_int(wc, i, PG_INT64_MAX, true,
								"a start time or a long attribute");
		else
			wp->start_expr = arg_long_attr(wc, i, "start time");
	}
	if (wc->nargs > i + 1)
		wp->timeout = arg_time_in(wc, i + 1, MAX_WINDOW_TIME, true,
								  "a constant time such as 1 sec (0: none)");
	if (wc->nargs > i + 2)
		wp->replace_time = arg_bool(wc, i + 2);
	if (wp->replace_time && !(IsA(wp->time_expr, Var) &&
							  exprType((Node *) wp->time_expr) == INT8OID))
		bad_arg(wc, i - 2,
				"a long attribute when replace.with.batchtime is true");
}

/* A cron expression must parse; the error points into the string. */
static void
check_cron(WindowCall *wc, int i)
{
	char *error;
	int offset;

	if (siddhi_cron_parse(wc->wp->text, &error, &offset) == NULL)
		ereport(
			ERROR,
			(errcode(ERRCODE_SIDDHI_SYNTAX_ERROR),
			 errmsg("invalid cron expression \"%s\": %s", wc->wp->text, error),
			 errhint("Write six or seven Quartz fields (second minute "
					 "hour day-of-month month day-of-week [year]) or "
					 "five Unix ones; see docs/reference.md."),
			 siddhi_errposition(wc->st->app->source,
								arg_location(wc, i) + 1 + offset)));
}

/* Vars of the range-table entries of first and last read inner and outer. */
static bool
window_vars(Node *n, void *context)
{
	if (n == NULL)
		return false;
	CHECK_FOR_INTERRUPTS();
	if (IsA(n, Var))
	{
		Var *v = (Var *) n;

		if (v->varno == 2)
			v->varno = INNER_VAR;
		else if (v->varno == 3)
			v->varno = OUTER_VAR;
		return false;
	}
	return expression_tree_walker(n, window_vars, context);
}

/*
 * expression('<condition>') and expressionBatch: the condition, a SiddhiQL
 * expression in a string, over the event at hand (its attributes by
 * name), the window's first and last events (first.attr, last.attr,
 * eventTimestamp(first), eventTimestamp(last)) and aggregators over the
 * window's events (count(), sum(attr), ...).  Errors point into the
 * string, at its place in the app.
 */
static void
window_condition(WindowCall *wc)
{
	SiddhiWindowPlan *wp = wc->wp;
	const char *source = wc->st->app->source;
	int loc = arg_location(wc, 0);
	int offset = loc + 1;
	RangeTblEntry *input = rt_fetch(1, wc->pstate->p_rtable);
	ParseState *pstate = make_parsestate(NULL);
	Relation rel;
	Node *raw;
	Node *e;
	ListCell *lc;

	/* the text starts after the opening quote (or three) */
	if (strncmp(source + loc, "\"\"\"", 3) == 0)
		offset = loc + 3;
	raw = siddhiql_parse_expression(source, wp->text, offset);

	pstate->p_sourcetext = source;
	rel = table_open(input->relid, AccessShareLock);
	addNSItemToQuery(pstate,
					 addRangeTableEntryForRelation(
						 pstate, rel, AccessShareLock, NULL, false, true),
					 false, true, true);
	addNSItemToQuery(
		pstate,
		addRangeTableEntryForRelation(pstate, rel, AccessShareLock,
									  makeAlias("first", NIL), false, true),
		false, true, false);
	addNSItemToQuery(
		pstate,
		addRangeTableEntryForRelation(pstate, rel, AccessShareLock,
									  makeAlias("last", NIL), false, true),
		false, true, false);
	e = siddhi_transform_aggregating(wc->st, pstate, raw, EXPR_KIND_WHERE,
									 &wp->cond_aggs, true);
	if (exprType(e) != BOOLOID)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("the expression of window %s must be a bool, not %s",
						wc->shown, format_type_be(exprType(e))),
				 errhint("The window keeps events while the expression is "
						 "true, for example 'count() <= 10'."),
				 siddhi_errposition(source, exprLocation(raw))));
	wp->condition = siddhi_finish_expr(pstate, e);
	window_vars((Node *) wp->condition, NULL);
	foreach(lc, wp->cond_aggs)
	{
		SiddhiAggPlan *agg = lfirst(lc);

		window_vars((Node *) agg->arg, NULL);
	}
	wp->desc = CreateTupleDescCopy(RelationGetDescr(rel));
	table_close(rel, AccessShareLock);
}

static void
read_args(WindowCall *wc)
{
	SiddhiWindowPlan *wp = wc->wp;
	int n = wc->nargs;

	switch (wp->kind)
	{
		case SIDDHI_WINDOW_NONE:
			break;
		case SIDDHI_WINDOW_LENGTH:
			wp->length = arg_count(wc, 0);
			break;
		case SIDDHI_WINDOW_LENGTH_BATCH:
			wp->length = arg_count(wc, 0);
			if (n > 1)
				wp->current_event = arg_bool(wc, 1);
			break;
		case SIDDHI_WINDOW_TIME:
		case SIDDHI_WINDOW_DELAY:
			wp->length = arg_time(wc, 0);
			break;
		case SIDDHI_WINDOW_TIME_BATCH:
			wp->length = arg_time(wc, 0);
			if (n == 2 && arg_is_bool(wc, 1))
				wp->current_event = arg_bool(wc, 1);
			else if (n >= 2)
				wp->start = arg_int(wc, 1, PG_INT64_MAX, true,
									"a constant start time (milliseconds)");
			if (n == 3)
				wp->current_event = arg_bool(wc, 2);
			break;
		case SIDDHI_WINDOW_TIME_LENGTH:
			wp->length = arg_time(wc, 0);
			wp->count = arg_count(wc, 1);
			break;
		case SIDDHI_WINDOW_EXTERNAL_TIME:
			wp->time_expr = arg_long_attr(wc, 0, "timestamp");
			wp->length = arg_time(wc, 1);
			break;
		case SIDDHI_WINDOW_EXTERNAL_TIME_BATCH:
			wp->time_expr = arg_long_attr(wc, 0, "timestamp");
			wp->length = arg_time(wc, 1);
			external_batch_args(wc, 2);
			break;
		case SIDDHI_WINDOW_BATCH:
			if (n > 0)
				wp->count = arg_count(wc, 0);
			break;
		case SIDDHI_WINDOW_SORT:
			sort_args(wc);
			break;
		case SIDDHI_WINDOW_CRON:
			wp->text = arg_string(wc, 0);
			check_cron(wc, 0);
			break;
		case SIDDHI_WINDOW_SESSION:
			session_args(wc);
			break;
		case SIDDHI_WINDOW_HOPPING:
			wp->length = arg_time(wc, 0);
			wp->count = arg_time(wc, 1);
			break;
		case SIDDHI_WINDOW_EXPRESSION:
			wp->text = arg_string(wc, 0);
			window_condition(wc);
			break;
		case SIDDHI_WINDOW_EXPRESSION_BATCH:
			wp->text = arg_string(wc, 0);
			window_condition(wc);
			if (n > 1)
				wp->replace_time = arg_bool(wc, 1);
			if (n > 2)
				wp->current_event = arg_bool(wc, 2);
			break;
		case SIDDHI_WINDOW_FREQUENT:
			wp->length = arg_count(wc, 0);
			for (int i = 1; i < n; i++)
				arg_key(wc, i);
			if (n == 1)
				all_attributes_key(wc);
			break;
		case SIDDHI_WINDOW_LOSSY_FREQUENT:
		{
			int first_key = 1;

			wp->support = arg_double(wc, 0);
			wp->error = wp->support / 10;
			if (n > 1 && arg_const(wc, 1) != NULL)
			{
				wp->error = arg_double(wc, 1);
				first_key = 2;
			}
			for (int i = first_key; i < n; i++)
				arg_key(wc, i);
			if (first_key >= n)
				all_attributes_key(wc);
		}
		break;
		case SIDDHI_WINDOW_UNIQUE_EVER:
		case SIDDHI_WINDOW_UNIQUE_FIRST:
			for (int i = 0; i < n; i++)
				arg_key(wc, i);
			break;
		case SIDDHI_WINDOW_UNIQUE_LENGTH:
		case SIDDHI_WINDOW_UNIQUE_LENGTH_BATCH:
		case SIDDHI_WINDOW_UNIQUE_FIRST_LENGTH_BATCH:
			arg_key(wc, 0);
			wp->length = arg_count(wc, 1);
			break;
		case SIDDHI_WINDOW_UNIQUE_TIME:
			arg_key(wc, 0);
			wp->length = arg_time(wc, 1);
			break;
		case SIDDHI_WINDOW_UNIQUE_TIME_BATCH:
		case SIDDHI_WINDOW_UNIQUE_FIRST_TIME_BATCH:
			arg_key(wc, 0);
			wp->length = arg_time(wc, 1);
			if (n > 2)
				wp->start = arg_int(wc, 2, PG_INT64_MAX, true,
									"a constant start time (milliseconds)");
			break;
		case SIDDHI_WINDOW_UNIQUE_TIME_LENGTH_BATCH:
			arg_key(wc, 0);
			wp->length = arg_time(wc, 1);
			wp->count = arg_count(wc, 2);
			if (n > 3)
				wp->start = arg_int(wc, 3, PG_INT64_MAX, true,
									"a constant start time (milliseconds)");
			break;
		case SIDDHI_WINDOW_UNIQUE_EXTERNAL_TIME_BATCH:
			arg_key(wc, 0);
			wp->time_expr = arg_long_attr(wc, 1, "timestamp");
			wp->length = arg_time(wc, 2);
			external_batch_args(wc, 3);
			/* Siddhi's unique variant takes a constant start only */
			if (wp->start_expr)
				bad_arg(wc, 3, "a constant start time (milliseconds)");
			if (wp->replace_time)
				ereport(ERROR,
						(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
						 errmsg("replace.with.batchtime of window %s is not "
								"supported yet",
								wp->name),
						 siddhi_errposition(wc->st->app->source,
											arg_location(wc, 5))));
			break;
	}
}

SiddhiWindowPlan *
siddhi_analyze_window(AnalyzeState *st, ParseState *pstate, SiddhiCall *call)
{
	const char *source = st->app->source;
	const WindowSig *def = NULL;
	SiddhiWindowPlan *wp;
	WindowCall wc;

	for (int i = 0; i < lengthof(window_sigs); i++)
	{
		const WindowSig *d = &window_sigs[i];

		if ((d->ns == NULL) != (call->ns == NULL))
			continue;
		if (d->ns && pg_strcasecmp(d->ns, call->ns) != 0)
			continue;
		if (pg_strcasecmp(d->name, call->name) == 0)
			def = d;
	}
	if (def == NULL)
		ereport(
			ERROR,
			(errcode(ERRCODE_UNDEFINED_FUNCTION),
			 errmsg("window %s%s%s does not exist", call->ns ? call->ns : "",
					call->ns ? ":" : "", call->name),
			 errhint("See docs/reference.md for the windows siddhi has."),
			 siddhi_errposition(source, call->location)));

	wp = palloc0(sizeof(SiddhiWindowPlan));
	wp->kind = def->kind;
	wp->name =
		def->ns ? psprintf("%s:%s", def->ns, def->name) : pstrdup(def->name);
	wp->start = -1;
	wp->timeout = -1;

	wc.st = st;
	wc.pstate = pstate;
	wc.call = call;
	wc.def = def;
	wc.wp = wp;
	wc.nargs = list_length(call->args);
	/* the SQL dialect's TUMBLING is timeBatch: errors say TUMBLING */
	wc.shown = call->written ? call->written : wp->name;
	wc.signature = call->written ? psprintf("%s%s", call->written,
											strchr(def->signature, '('))
								 : def->signature;
	if (wc.nargs < def->min_args ||
		(def->max_args >= 0 && wc.nargs > def->max_args))
		ereport(ERROR, (errcode(ERRCODE_SIDDHI_SEMANTIC_ERROR),
						errmsg("window %s does not take %d argument%s",
							   wc.shown, wc.nargs, wc.nargs == 1 ? "" : "s"),
						errhint("The window is %s.", wc.signature),
						siddhi_errposition(source, call->location)));
	read_args(&wc);
	return wp;
}

/*
 * #unique:deduplicate(key, time.interval): a stateful filter, analyzed
 * here because its arguments are a window's (a per-event key, a constant
 * time).  Sets *key and *interval.
 */
void
siddhi_analyze_deduplicate(AnalyzeState *st, ParseState *pstate,
						   SiddhiCall *call, Expr **key, int64 *interval)
{
	static const WindowSig def = {
		"unique",
		"deduplicate",
		SIDDHI_WINDOW_NONE,
		2,
		2,
		"unique:deduplicate(attribute, time.interval)"
	};
	SiddhiWindowPlan wp = { 0 };
	WindowCall wc;

	wp.name = "unique:deduplicate";
	wc.st = st;
	wc.pstate = pstate;
	wc.call = call;
	wc.def = &def;
	wc.wp = &wp;
	wc.nargs = list_length(call->args);
	wc.shown = wp.name;
	wc.signature = def.signature;
	if (wc.nargs != 2)
		ereport(ERROR, (errcode(ERRCODE_SIDDHI_SEMANTIC_ERROR),
						errmsg("stream function %s does not take %d "
							   "argument%s",
							   wp.name, wc.nargs, wc.nargs == 1 ? "" : "s"),
						errhint("The stream function is %s.", def.signature),
						siddhi_errposition(st->app->source, call->location)));
	arg_key(&wc, 0);
	*key = linitial(wp.keys);
	*interval = arg_time(&wc, 1);
}

/*
 * A tumbling timeBatch or lengthBatch (not stream.current.event) of a
 * query that outputs current events only, with no join, pattern, window
 * function, SQL contents or snapshot limiter: nothing would ever see the
 * batch it emitted expire, so the runtime keeps none and resets the
 * query's aggregators at each batch instead, as Siddhi does when a batch
 * window's output expects no expired events.  EXPLAIN says so.
 */
bool
siddhi_window_plan_resets(const SiddhiQueryPlan *qp)
{
	const SiddhiWindowPlan *w = qp->window;

	return w != NULL &&
		   (w->kind == SIDDHI_WINDOW_TIME_BATCH ||
			w->kind == SIDDHI_WINDOW_LENGTH_BATCH) &&
		   !w->current_event && qp->events == SIDDHI_EVENTS_CURRENT &&
		   qp->join == NULL && qp->pattern == NULL && qp->over == NULL &&
		   !qp->contents && qp->rate_kind != SIDDHI_RATE_SNAPSHOT;
}

/*
 * And the query aggregates (or groups), outside a partition: each event
 * can go into its group as it arrives instead of waiting in the window for
 * the close, since the rows of a batch are made one event after another
 * in arrival order either way.  The window then holds no event, only the
 * groups hold state, and the close outputs what they folded.
 */
bool
siddhi_window_plan_folds(const SiddhiQueryPlan *qp)
{
	return siddhi_window_plan_resets(qp) &&
		   (qp->aggregates != NIL || qp->group_by != NIL) &&
		   qp->partition == NULL;
}
