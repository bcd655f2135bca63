/*-------------------------------------------------------------------------
 *
 * siddhiql_expr.c
 *	  SiddhiQL expressions, parsed into PostgreSQL raw parse nodes.
 *
 * Precedence climbing, one function per level, lowest first:
 *
 *		or  <  and  <  not  <  "x in T"  <  == !=  <  < <= > >=
 *			<  + -  <  * / %  <  unary -  <  "x is null"  <  primary
 *
 * ("in" sits between "not" and the comparisons as in Siddhi's grammar, so
 * "T.k == k in T" reads as "(T.k == k) in T".)  The nodes are what
 * PostgreSQL's own grammar would build, with every location a byte offset
 * into the app source, so that the analyzer can hand them to
 * transformExpr() and its errors point at the right place.  The Siddhi
 * core functions that have a PostgreSQL construct (ifThenElse, coalesce,
 * cast, maximum, ...) become that construct here; every other call is a
 * plain FuncCall that the analyzer resolves.  src/parser/README.md has the
 * full mapping table.
 *
 * Siddhi's conditions are never null: a comparison with a null operand
 * is false, != with one is true, "not" of a null is true, and/or take a
 * null as false.  PostgreSQL's NULL already acts as false where a boolean
 * decides something (a filter, on, having, a pattern's condition,
 * ifThenElse's condition), and a tree of AND/OR over comparisons is NULL
 * exactly where Siddhi's answer is false; only a NOT above a null, and a
 * condition used as a value, tell the two apart.  So ==, <, <=, >, >=,
 * and, or stay PostgreSQL's own operators (the plain shapes the analyzer
 * recognises: dispatch keys, shared conditions, join and table keys),
 * and only these differ:
 *
 *		not x		x IS NOT TRUE
 *		a != b		(a = b) IS NOT TRUE
 *		a condition used as a value (a select item, a function's argument,
 *		an operand of a comparison or of "is null", a set value, a group
 *		or order key): x IS TRUE
 *
 * (siddhiql_nulls.c builds them and knows which conditions are never null.)
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "common/int.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "parser/parser.h"
#include "siddhi/duration.h"
#include "siddhi/errors.h"
#include "siddhi/parser.h"
#include "siddhiql_lexer.h"

static Node *parse_or(SiddhiqlParser *p);

/* ---------------------------------------------------------------------
 * Constants
 * ---------------------------------------------------------------------
 */

static Node *
make_int_const(int value, int location)
{
	A_Const *n = makeNode(A_Const);

	n->val.ival.type = T_Integer;
	n->val.ival.ival = value;
	n->location = location;
	return (Node *) n;
}

static Node *
make_float_const(char *text, int location)
{
	A_Const *n = makeNode(A_Const);

	n->val.fval.type = T_Float;
	n->val.fval.fval = text;
	n->location = location;
	return (Node *) n;
}

static Node *
make_string_const(char *text, int location)
{
	A_Const *n = makeNode(A_Const);

	n->val.sval.type = T_String;
	n->val.sval.sval = text;
	n->location = location;
	return (Node *) n;
}

static Node *
make_null_const(int location)
{
	A_Const *n = makeNode(A_Const);

	n->isnull = true;
	n->location = location;
	return (Node *) n;
}

static Node *
make_typecast(Node *arg, char *typname, int location)
{
	TypeCast *tc = makeNode(TypeCast);

	tc->arg = arg;
	tc->typeName = SystemTypeName(typname);
	tc->typeName->location = location;
	tc->location = location;
	return (Node *) tc;
}

/*
 * A bigint constant: an Integer A_Const when it fits in int4 (as
 * PostgreSQL's own grammar does, bigger values are Float A_Consts holding
 * the digits), cast to int8 so the type is long whatever the value.
 */
Node *
siddhiql_make_int8_const(int64 value, int location)
{
	Node *c;

	if (value >= PG_INT32_MIN && value <= PG_INT32_MAX)
		c = make_int_const((int) value, location);
	else
		c = make_float_const(psprintf(INT64_FORMAT, value), location);
	return make_typecast(c, "int8", location);
}

/* Digits to int64; false when they do not fit. */
static bool
digits_to_int64(const char *s, int64 *result)
{
	int64 v = 0;

	for (; *s; s++)
	{
		if (pg_mul_s64_overflow(v, 10, &v) ||
			pg_add_s64_overflow(v, *s - '0', &v))
			return false;
	}
	*result = v;
	return true;
}

/*
 * SiddhiQL attribute type to PostgreSQL type, or NULL when the name is
 * not a SiddhiQL type.
 */
TypeName *
siddhiql_type_name(const char *siddhi_type)
{
	static const struct
	{
		const char *siddhi;
		const char *pg;
	} map[] = {
		{ "string", "text" },  { "int", "int4" },	   { "long", "int8" },
		{ "float", "float4" }, { "double", "float8" }, { "bool", "bool" },
		{ "object", "jsonb" },
	};

	for (int i = 0; i < lengthof(map); i++)
		if (pg_strcasecmp(siddhi_type, map[i].siddhi) == 0)
			return SystemTypeName(pstrdup(map[i].pg));
	return NULL;
}

/* ---------------------------------------------------------------------
 * Time values: 5 sec, 1 min and 30 sec
 * ---------------------------------------------------------------------
 */

/*
 * If t is a time unit, set *ms to its length and return true.  Months are
 * 30 days and years 365 days, as in Siddhi's Expression.Time.
 */
bool
siddhiql_time_unit_ms(SiddhiqlToken *t, int64 *ms)
{
	static const struct
	{
		const char *name;
		int64 ms;
	} units[] = {
		{ "year", SIDDHI_MS_PER_YEAR },
		{ "years", SIDDHI_MS_PER_YEAR },
		{ "month", SIDDHI_MS_PER_MONTH },
		{ "months", SIDDHI_MS_PER_MONTH },
		{ "week", SIDDHI_MS_PER_WEEK },
		{ "weeks", SIDDHI_MS_PER_WEEK },
		{ "day", INT64CONST(24) * 3600 * 1000 },
		{ "days", INT64CONST(24) * 3600 * 1000 },
		{ "hour", INT64CONST(3600) * 1000 },
		{ "hours", INT64CONST(3600) * 1000 },
		{ "min", 60 * 1000 },
		{ "minute", 60 * 1000 },
		{ "minutes", 60 * 1000 },
		{ "sec", 1000 },
		{ "second", 1000 },
		{ "seconds", 1000 },
		{ "millisec", 1 },
		{ "millisecond", 1 },
		{ "milliseconds", 1 },
	};

	if (t->kind != TOK_IDENT || t->quoted)
		return false;
	for (int i = 0; i < lengthof(units); i++)
		if (pg_strcasecmp(t->str, units[i].name) == 0)
		{
			*ms = units[i].ms;
			return true;
		}
	return false;
}

/* Does a time value ("5 sec") start at the current token? */
bool
siddhiql_at_time_value(SiddhiqlParser *p)
{
	int64 ms;

	return sq_peek(p)->kind == TOK_INT && sq_peek(p)->suffix == 0 &&
		   siddhiql_time_unit_ms(sq_peek_at(p, 1), &ms);
}

/*
 * <int> <unit> [and <int> <unit> ...] in milliseconds.  The caller has
 * checked siddhiql_at_time_value().
 */
int64
siddhiql_parse_time_ms(SiddhiqlParser *p, int *location)
{
	int64 total = 0;

	*location = sq_peek(p)->loc;
	for (;;)
	{
		SiddhiqlToken *num = sq_next(p);
		int64 n;
		int64 unit;

		siddhiql_time_unit_ms(sq_next(p), &unit);
		if (!digits_to_int64(num->str, &n) ||
			pg_mul_s64_overflow(n, unit, &n) ||
			pg_add_s64_overflow(total, n, &total))
			sq_error_at(p, *location, NULL, "time value out of range");

		/* "and" continues the value only when another <int> <unit> follows */
		if (sq_is_kw(sq_peek(p), "and") && sq_peek_at(p, 1)->kind == TOK_INT &&
			sq_peek_at(p, 1)->suffix == 0 &&
			siddhiql_time_unit_ms(sq_peek_at(p, 2), &unit))
			sq_next(p);
		else
			break;
	}
	return total;
}

/* ---------------------------------------------------------------------
 * Function calls
 * ---------------------------------------------------------------------
 */

static void
check_nargs(SiddhiqlParser *p, const char *fname, List *args, int min, int max,
			int location)
{
	int n = list_length(args);

	if (n >= min && n <= max)
		return;
	if (min == max)
		sq_error_at(p, location, NULL,
					"function %s takes %d argument%s, not %d", fname, min,
					min == 1 ? "" : "s", n);
	sq_error_at(p, location, NULL,
				"function %s takes at least %d argument%s, not %d", fname, min,
				min == 1 ? "" : "s", n);
}

/* The text of a string literal argument, or NULL. */
static char *
string_literal_value(Node *n)
{
	if (IsA(n, TypeCast))
		n = ((TypeCast *) n)->arg;
	if (IsA(n, A_Const) && !((A_Const *) n)->isnull &&
		nodeTag(&((A_Const *) n)->val) == T_String)
		return strVal(&((A_Const *) n)->val);
	return NULL;
}

/*
 * Build the node for a call of name (namespace ns, or NULL) with args.
 * Siddhi's core functions that PostgreSQL has a construct for become that
 * construct; everything else is a FuncCall with lower-cased names.
 */
static Node *
make_call(SiddhiqlParser *p, SiddhiqlToken *ns, SiddhiqlToken *name,
		  List *args, int location)
{
	const char *f = name->str;
	FuncCall *fc;
	NullTest *nt;
	ListCell *lc;

	/* arguments are values, but for ifThenElse's condition */
	foreach(lc, args)
		if (foreach_current_index(lc) > 0 || ns != NULL || name->quoted ||
			pg_strcasecmp(f, "ifThenElse") != 0)
			lfirst(lc) = siddhiql_as_value(lfirst(lc));

	if (ns == NULL && !name->quoted)
	{
		if (pg_strcasecmp(f, "ifThenElse") == 0)
		{
			CaseExpr *c = makeNode(CaseExpr);
			CaseWhen *w = makeNode(CaseWhen);

			check_nargs(p, f, args, 3, 3, location);
			w->expr = (Expr *) linitial(args);
			w->result = (Expr *) lsecond(args);
			w->location = location;
			c->args = list_make1(w);
			c->defresult = (Expr *) lthird(args);
			c->location = location;
			return (Node *) c;
		}
		if (pg_strcasecmp(f, "coalesce") == 0 ||
			pg_strcasecmp(f, "default") == 0)
		{
			CoalesceExpr *c = makeNode(CoalesceExpr);

			if (pg_strcasecmp(f, "default") == 0)
				check_nargs(p, f, args, 2, 2, location);
			else
				check_nargs(p, f, args, 1, INT_MAX, location);
			c->args = args;
			c->location = location;
			return (Node *) c;
		}
		if (pg_strcasecmp(f, "convert") == 0 || pg_strcasecmp(f, "cast") == 0)
		{
			char *type;
			TypeName *tn;
			TypeCast *tc;

			check_nargs(p, f, args, 2, 2, location);
			type = string_literal_value(lsecond(args));
			if (type == NULL)
				sq_error_at(
					p, exprLocation(lsecond(args)),
					"Write the type as a string, e.g. 'long'.",
					"the second argument of %s must be a type name in quotes",
					f);
			tn = siddhiql_type_name(type);
			if (tn == NULL || pg_strcasecmp(type, "object") == 0)
				sq_error_at(
					p, exprLocation(lsecond(args)),
					"The types are string, int, long, float, double and bool.",
					"cannot %s to unknown type \"%s\"", f, type);
			tn->location = exprLocation(lsecond(args));
			/*
			 * Siddhi truncates a fraction going to int or long where a
			 * PostgreSQL cast rounds, and convert() parses and prints the
			 * way Java does (unparsable text is null, a null bool false,
			 * 1.0 is "1.0"): use siddhi.to_<type>, overloaded per source
			 * type.  cast() keeps a plain cast but for int and long.
			 */
			if (pg_strcasecmp(type, "int") == 0 ||
				pg_strcasecmp(type, "long") == 0 ||
				pg_strcasecmp(f, "convert") == 0)
			{
				const char *fn =
					pg_strcasecmp(type, "int") == 0		 ? "to_int"
					: pg_strcasecmp(type, "long") == 0	 ? "to_long"
					: pg_strcasecmp(type, "double") == 0 ? "to_double"
					: pg_strcasecmp(type, "float") == 0	 ? "to_float"
					: pg_strcasecmp(type, "bool") == 0	 ? "to_bool"
														 : "to_text";

				return (Node *) makeFuncCall(
					list_make2(makeString("siddhi"), makeString(pstrdup(fn))),
					list_make1(linitial(args)), COERCE_EXPLICIT_CALL,
					location);
			}
			tc = makeNode(TypeCast);
			tc->arg = linitial(args);
			tc->typeName = tn;
			tc->location = location;
			return (Node *) tc;
		}
		if (pg_strcasecmp(f, "maximum") == 0 ||
			pg_strcasecmp(f, "minimum") == 0)
		{
			MinMaxExpr *m = makeNode(MinMaxExpr);

			check_nargs(p, f, args, 1, INT_MAX, location);
			m->op = pg_strcasecmp(f, "maximum") == 0 ? IS_GREATEST : IS_LEAST;
			m->args = args;
			m->location = location;
			return (Node *) m;
		}
		if (pg_strncasecmp(f, "instanceOf", 10) == 0)
		{
			static const char *const types[][2] = {
				{ "Boolean", "bool" }, { "Double", "float8" },
				{ "Float", "float4" }, { "Integer", "int4" },
				{ "Long", "int8" },	   { "String", "text" },
			};

			for (int i = 0; i < lengthof(types); i++)
			{
				if (pg_strcasecmp(f + 10, types[i][0]) != 0)
					continue;
				check_nargs(p, f, args, 1, 1, location);
				/* Siddhi: null is an instance of nothing */
				nt = makeNode(NullTest);
				nt->arg = (Expr *) copyObject(linitial(args));
				nt->nulltesttype = IS_NOT_NULL;
				nt->location = location;
				fc = makeFuncCall(SystemFuncName("pg_typeof"), args,
								  COERCE_EXPLICIT_CALL, location);
				return (Node *) makeBoolExpr(
					AND_EXPR,
					list_make2(nt, makeSimpleA_Expr(
									   AEXPR_OP, "=", (Node *) fc,
									   make_typecast(
										   make_string_const(
											   pstrdup(types[i][1]), location),
										   "regtype", location),
									   location)),
					location);
			}
		}
		if (pg_strcasecmp(f, "createSet") == 0)
		{
			/* a set is an array of distinct values: here, of one */
			A_ArrayExpr *arr = makeNode(A_ArrayExpr);

			check_nargs(p, f, args, 1, 1, location);
			arr->elements = args;
			arr->location = location;
			return (Node *) arr;
		}
		if (pg_strcasecmp(f, "sizeOfSet") == 0)
		{
			check_nargs(p, f, args, 1, 1, location);
			return (Node *) makeFuncCall(SystemFuncName("cardinality"), args,
										 COERCE_EXPLICIT_CALL, location);
		}
		if (pg_strcasecmp(f, "UUID") == 0)
		{
			check_nargs(p, f, args, 0, 0, location);
			fc = makeFuncCall(SystemFuncName("gen_random_uuid"), NIL,
							  COERCE_EXPLICIT_CALL, location);
			return make_typecast((Node *) fc, "text", location);
		}
		if (pg_strcasecmp(f, "currentTimeMillis") == 0)
		{
			check_nargs(p, f, args, 0, 0, location);
			return (Node *) makeFuncCall(
				list_make2(makeString("siddhi"),
						   makeString("current_time_millis")),
				NIL, COERCE_EXPLICIT_CALL, location);
		}
		if (pg_strcasecmp(f, "eventTimestamp") == 0)
			return (Node *) makeFuncCall(
				list_make2(makeString("siddhi"),
						   makeString("event_timestamp")),
				args, COERCE_EXPLICIT_CALL, location);
		if (pg_strcasecmp(f, "count") == 0 && args == NIL)
		{
			fc = makeFuncCall(list_make1(makeString("count")), NIL,
							  COERCE_EXPLICIT_CALL, location);
			fc->agg_star = true;
			return (Node *) fc;
		}
	}

	if (ns)
		return (Node *) makeFuncCall(
			list_make2(makeString(sq_fold(ns)), makeString(sq_fold(name))),
			args, COERCE_EXPLICIT_CALL, location);
	return (Node *) makeFuncCall(list_make1(makeString(sq_fold(name))), args,
								 COERCE_EXPLICIT_CALL, location);
}

/* ( [expr [, expr ...]] ) */
static List *
parse_call_args(SiddhiqlParser *p)
{
	List *args = NIL;

	sq_expect(p, TOK_LPAREN, NULL);
	if (sq_accept(p, TOK_RPAREN))
		return NIL;
	do
	{
		args = lappend(args, parse_or(p));
	} while (sq_accept(p, TOK_COMMA));
	sq_expect(p, TOK_RPAREN, NULL);
	return args;
}

/* ---------------------------------------------------------------------
 * Attribute references
 * ---------------------------------------------------------------------
 */

/*
 * a, S.a (also #S.a, after the #), and the pattern forms e1[0].a,
 * e1[last].a, e1[last-1].a.  An index becomes A_Indices on the event
 * reference: 0, 1, .. count from the first event, -1 is the last, -2 the
 * one before it.
 */
static Node *
parse_attribute_ref(SiddhiqlParser *p)
{
	SiddhiqlToken *first = sq_next(p);
	ColumnRef *cref = makeNode(ColumnRef);

	cref->fields = list_make1(makeString(sq_fold(first)));
	cref->location = first->loc;

	if (sq_peek(p)->kind == TOK_LBRACKET)
	{
		A_Indirection *ind = makeNode(A_Indirection);
		A_Indices *idx = makeNode(A_Indices);
		SiddhiqlToken *t;
		SiddhiqlToken *start;
		int64 index;

		sq_next(p);
		t = start = sq_peek(p);
		if (t->kind == TOK_INT && t->suffix == 0)
		{
			sq_next(p);
			if (!digits_to_int64(t->str, &index) || index > PG_INT32_MAX)
				sq_error_at(p, t->loc, NULL, "event index out of range");
		}
		else if (sq_accept_kw(p, "last"))
		{
			index = -1;
			if (sq_accept(p, TOK_MINUS))
			{
				t = sq_expect(p, TOK_INT,
							  "Write e[last - n] with a whole number n.");
				if (!digits_to_int64(t->str, &index) ||
					index > PG_INT32_MAX - 1)
					sq_error_at(p, t->loc, NULL, "event index out of range");
				index = -1 - index;
			}
		}
		else
			sq_syntax_error(p, t,
							"An event index is a number, last, or last - n.");
		sq_expect(p, TOK_RBRACKET, NULL);
		idx->uidx = make_int_const((int) index, start->loc);
		ind->arg = (Node *) cref;
		ind->indirection = list_make1(idx);
		if (sq_accept(p, TOK_DOT))
		{
			int loc;
			char *attr = sq_expect_name(p, &loc);

			ind->indirection = lappend(ind->indirection, makeString(attr));
		}
		return (Node *) ind;
	}
	if (sq_peek(p)->kind == TOK_DOT)
	{
		int loc;

		sq_next(p);
		cref->fields =
			lappend(cref->fields, makeString(sq_expect_name(p, &loc)));
	}
	return (Node *) cref;
}

/* ---------------------------------------------------------------------
 * The precedence levels
 * ---------------------------------------------------------------------
 */

/* Words that end an expression; never the start of an operand. */
static bool
is_clause_word(SiddhiqlToken *t)
{
	static const char *const words[] = {
		"and",		 "or",	   "in",		"is",
		"as",		 "select", "from",		"insert",
		"delete",	 "update", "return",	"output",
		"group",	 "having", "order",		"limit",
		"offset",	 "on",	   "within",	"per",
		"join",		 "begin",  "end",		"define",
		"partition", "of",	   "aggregate", "unidirectional",
	};

	if (t->kind != TOK_IDENT || t->quoted)
		return false;
	for (int i = 0; i < lengthof(words); i++)
		if (pg_strcasecmp(t->str, words[i]) == 0)
			return true;
	return false;
}

static Node *
parse_primary(SiddhiqlParser *p)
{
	SiddhiqlToken *t = sq_peek(p);
	Node *e;

	check_stack_depth();

	switch (t->kind)
	{
		case TOK_LPAREN:
			sq_next(p);
			e = parse_or(p);
			sq_expect(p, TOK_RPAREN, NULL);
			return e;

		case TOK_INT:
		{
			int64 v;

			if (siddhiql_at_time_value(p))
			{
				int loc;
				int64 ms = siddhiql_parse_time_ms(p, &loc);

				return siddhiql_make_int8_const(ms, loc);
			}
			sq_next(p);
			if (!digits_to_int64(t->str, &v))
				sq_error_at(p, t->loc, NULL,
							"integer literal %s is out of range for type long",
							t->str);
			if (t->suffix == 'l')
				return siddhiql_make_int8_const(v, t->loc);
			if (v <= PG_INT32_MAX)
				return make_int_const((int) v, t->loc);
			return make_typecast(make_float_const(t->str, t->loc), "int8",
								 t->loc);
		}

		case TOK_FLOAT:
			sq_next(p);
			return make_typecast(make_float_const(t->str, t->loc),
								 t->suffix == 'f' ? "float4" : "float8",
								 t->loc);

		case TOK_STRING:
			sq_next(p);
			return make_typecast(make_string_const(t->str, t->loc), "text",
								 t->loc);

		case TOK_IDENT:
			if (!t->quoted)
			{
				if (pg_strcasecmp(t->str, "true") == 0 ||
					pg_strcasecmp(t->str, "false") == 0)
				{
					sq_next(p);
					return make_typecast(
						make_string_const(
							pstrdup(t->str[0] == 't' || t->str[0] == 'T'
										? "t"
										: "f"),
							t->loc),
						"bool", t->loc);
				}
				if (pg_strcasecmp(t->str, "null") == 0)
				{
					sq_next(p);
					return make_null_const(t->loc);
				}
			}
			if (sq_peek_at(p, 1)->kind == TOK_LPAREN)
			{
				sq_next(p);
				return make_call(p, NULL, t, parse_call_args(p), t->loc);
			}
			if (sq_peek_at(p, 1)->kind == TOK_COLON &&
				sq_peek_at(p, 2)->kind == TOK_IDENT &&
				sq_peek_at(p, 3)->kind == TOK_LPAREN)
			{
				SiddhiqlToken *name;

				sq_next(p);
				sq_next(p);
				name = sq_next(p);
				return make_call(p, t, name, parse_call_args(p), t->loc);
			}
			if (is_clause_word(t))
				sq_syntax_error(p, t, NULL);
			return parse_attribute_ref(p);

		case TOK_HASH:
			/* #S.a: an attribute of a partition's inner stream #S */
			if (sq_peek_at(p, 1)->kind == TOK_IDENT &&
				sq_peek_at(p, 2)->kind == TOK_DOT)
			{
				sq_next(p);
				return parse_attribute_ref(p);
			}
			sq_syntax_error(p, t,
							"Write #S.attribute for an attribute of "
							"the inner stream #S.");
			break;

		default:
			sq_syntax_error(p, t, NULL);
	}
	return NULL; /* keep compiler quiet */
}

/* primary [is [not] null] */
static Node *
parse_postfix(SiddhiqlParser *p)
{
	Node *e = parse_primary(p);

	if (sq_is_kw(sq_peek(p), "is"))
	{
		NullTest *nt = makeNode(NullTest);
		int loc = sq_next(p)->loc;

		nt->nulltesttype = sq_accept_kw(p, "not") ? IS_NOT_NULL : IS_NULL;
		if (!sq_accept_kw(p, "null"))
			sq_syntax_error(p, sq_peek(p), "Write \"is null\".");
		nt->arg = (Expr *) siddhiql_as_value(e);
		nt->location = loc;
		return (Node *) nt;
	}
	return e;
}

/*
 * Negate a numeric literal in place (so "-5" is the constant -5, as in
 * PostgreSQL); false when e is not one.
 */
static bool
negate_literal(Node *e)
{
	A_Const *c;

	if (IsA(e, TypeCast))
		e = ((TypeCast *) e)->arg;
	if (!IsA(e, A_Const) || ((A_Const *) e)->isnull)
		return false;
	c = (A_Const *) e;
	if (nodeTag(&c->val) == T_Integer)
	{
		if (c->val.ival.ival == PG_INT32_MIN)
			return false;
		c->val.ival.ival = -c->val.ival.ival;
		return true;
	}
	if (nodeTag(&c->val) == T_Float)
	{
		char *s = c->val.fval.fval;

		c->val.fval.fval = s[0] == '-' ? pstrdup(s + 1) : psprintf("-%s", s);
		return true;
	}
	return false;
}

static Node *
parse_unary(SiddhiqlParser *p)
{
	SiddhiqlToken *t = sq_peek(p);

	check_stack_depth();
	if (t->kind == TOK_MINUS || t->kind == TOK_PLUS)
	{
		Node *e;

		sq_next(p);
		e = parse_unary(p);
		if (t->kind == TOK_MINUS && negate_literal(e))
		{
			/* the constant now starts at the sign */
			if (IsA(e, TypeCast))
			{
				((TypeCast *) e)->location = t->loc;
				((A_Const *) ((TypeCast *) e)->arg)->location = t->loc;
			}
			else
				((A_Const *) e)->location = t->loc;
			return e;
		}
		return (Node *) makeSimpleA_Expr(
			AEXPR_OP, t->kind == TOK_MINUS ? "-" : "+", NULL, e, t->loc);
	}
	return parse_postfix(p);
}

/* One level of left-associative binary operators. */
typedef Node *(*LevelParser)(SiddhiqlParser *p);

static const char *
binary_op_name(SiddhiqlTokKind kind, int level)
{
	switch (level)
	{
		case 0: /* multiplicative */
			return kind == TOK_STAR		 ? "*"
				   : kind == TOK_SLASH	 ? "/"
				   : kind == TOK_PERCENT ? "%"
										 : NULL;
		case 1: /* additive */
			return kind == TOK_PLUS ? "+" : kind == TOK_MINUS ? "-" : NULL;
		case 2: /* comparison */
			return kind == TOK_LT	? "<"
				   : kind == TOK_LE ? "<="
				   : kind == TOK_GT ? ">"
				   : kind == TOK_GE ? ">="
									: NULL;
		case 3: /* equality */
			/* != is built as (a = b) IS NOT TRUE */
			return kind == TOK_EQ ? "=" : kind == TOK_NE ? "<>" : NULL;
	}
	return NULL;
}

static Node *
parse_binary_level(SiddhiqlParser *p, int level)
{
	Node *left;

	left = level == 0 ? parse_unary(p) : parse_binary_level(p, level - 1);
	for (;;)
	{
		SiddhiqlToken *t = sq_peek(p);
		const char *op = binary_op_name(t->kind, level);
		Node *right;

		if (op == NULL)
		{
			if (level == 3 && t->kind == TOK_ASSIGN)
				sq_syntax_error(p, t, "Use == to compare.");
			return left;
		}
		sq_next(p);
		right = level == 0 ? parse_unary(p) : parse_binary_level(p, level - 1);
		if (level == 2 || level == 3)
		{
			/* a condition compared is a value (never null) */
			left = siddhiql_as_value(left);
			right = siddhiql_as_value(right);
		}
		if (t->kind == TOK_NE)
			/* Siddhi's != is true when an operand is null */
			left = siddhiql_make_bool_test(
				(Node *) makeSimpleA_Expr(AEXPR_OP, "=", left, right, t->loc),
				IS_NOT_TRUE, t->loc);
		else if (level == 0 || level == 1)
			/*
			 * Arithmetic as Java does it: the operators of schema siddhi
			 * (over siddhi.add/sub/mul/div/mod), overloaded per type,
			 * promote as Java does (a float with an int or long stays a
			 * float, where PostgreSQL makes a double) and % also takes
			 * floats and doubles (the remainder keeps the dividend's
			 * sign).  Their functions are SQL functions the analyser's
			 * expression_planner inlines back into PostgreSQL's operators.
			 */
			left = (Node *) makeA_Expr(
				AEXPR_OP,
				list_make2(makeString("siddhi"), makeString((char *) op)),
				left, right, t->loc);
		else
			left = (Node *) makeSimpleA_Expr(AEXPR_OP, (char *) op, left,
											 right, t->loc);
	}
}

/* x in T: membership of the event in table T */
static Node *
parse_in(SiddhiqlParser *p)
{
	Node *left = parse_binary_level(p, 3);

	while (sq_is_kw(sq_peek(p), "in"))
	{
		int loc = sq_next(p)->loc;
		int tloc;
		char *table = sq_expect_name(p, &tloc);

		left = (Node *) makeFuncCall(
			list_make2(makeString("siddhi"), makeString("in_table")),
			list_make2(left, make_typecast(make_string_const(table, tloc),
										   "text", tloc)),
			COERCE_EXPLICIT_CALL, loc);
	}
	return left;
}

static Node *
parse_not(SiddhiqlParser *p)
{
	SiddhiqlToken *t = sq_peek(p);

	check_stack_depth();
	if (sq_is_kw(t, "not"))
	{
		Node *arg;

		sq_next(p);
		arg = parse_not(p);
		/*
		 * Siddhi's not takes a null as false: x IS NOT TRUE, but a plain
		 * NOT over what is never null (the planner turns NOT (x IS NULL)
		 * into x IS NOT NULL, NOT (x IS NOT TRUE) into x IS TRUE).
		 */
		if (siddhiql_never_null(arg))
			return (Node *) makeBoolExpr(NOT_EXPR, list_make1(arg), t->loc);
		return siddhiql_make_bool_test(arg, IS_NOT_TRUE, t->loc);
	}
	return parse_in(p);
}

/* and/or chains, flattened into one BoolExpr as PostgreSQL does */
static Node *
parse_bool_level(SiddhiqlParser *p, BoolExprType op)
{
	const char *kw = op == AND_EXPR ? "and" : "or";
	Node *left = op == AND_EXPR ? parse_not(p) : parse_bool_level(p, AND_EXPR);

	while (sq_is_kw(sq_peek(p), kw))
	{
		int loc = sq_next(p)->loc;
		Node *right =
			op == AND_EXPR ? parse_not(p) : parse_bool_level(p, AND_EXPR);

		if (IsA(left, BoolExpr) && ((BoolExpr *) left)->boolop == op)
			((BoolExpr *) left)->args =
				lappend(((BoolExpr *) left)->args, right);
		else
			left = (Node *) makeBoolExpr(op, list_make2(left, right), loc);
	}
	return left;
}

static Node *
parse_or(SiddhiqlParser *p)
{
	check_stack_depth();
	return parse_bool_level(p, OR_EXPR);
}

/*
 * Parse one expression at the current token: a condition (a filter, on,
 * having), or a value that is not a bool (within, per, limit).
 */
Node *
siddhiql_parse_expr(SiddhiqlParser *p)
{
	return parse_or(p);
}

/*
 * Parse one expression used as a value (a select item, a set value, a
 * group or order key, an argument of a window or stream function): a
 * condition at its top is never null (siddhiql_as_value).
 */
Node *
siddhiql_parse_value(SiddhiqlParser *p)
{
	return siddhiql_as_value(parse_or(p));
}
