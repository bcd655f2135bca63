/*-------------------------------------------------------------------------
 *
 * siddhiql_nulls.c
 *	  Siddhi's conditions are never null: the nodes that make SiddhiQL's
 *	  conditions two-valued where PostgreSQL's three values would differ
 *	  (siddhiql_expr.c, at its top, says which), and which conditions are
 *	  never null already and need none.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "siddhiql_lexer.h"

Node *
siddhiql_make_bool_test(Node *arg, BoolTestType type, int location)
{
	BooleanTest *b = makeNode(BooleanTest);

	b->arg = (Expr *) arg;
	b->booltesttype = type;
	b->location = location;
	return (Node *) b;
}

/* A comparison as the parser builds it: =, <, <=, >, >= unqualified. */
static bool
is_comparison(Node *n)
{
	A_Expr *e = (A_Expr *) n;
	const char *op;

	if (!IsA(n, A_Expr) || e->kind != AEXPR_OP || e->lexpr == NULL ||
		list_length(e->name) != 1)
		return false;
	op = strVal(linitial(e->name));
	return strcmp(op, "=") == 0 || strcmp(op, "<") == 0 ||
		   strcmp(op, "<=") == 0 || strcmp(op, ">") == 0 ||
		   strcmp(op, ">=") == 0;
}

/*
 * Whether the bool n is never null by its own node: a null or bool test
 * (is null, not x, a != b), a not (built only over what is never null),
 * a literal, pg_typeof(x) = 'type' (instanceOf..).
 */
static bool
never_null_node(Node *n)
{
	if (IsA(n, NullTest) || IsA(n, BooleanTest))
		return true;
	if (IsA(n, BoolExpr))
		return ((BoolExpr *) n)->boolop == NOT_EXPR;
	if (IsA(n, TypeCast))
		n = ((TypeCast *) n)->arg;
	if (IsA(n, A_Const))
		return !((A_Const *) n)->isnull;
	if (is_comparison(n))
	{
		A_Expr *e = (A_Expr *) n;
		FuncCall *fc = (FuncCall *) e->lexpr;
		Node *r = e->rexpr;

		if (IsA(r, TypeCast))
			r = ((TypeCast *) r)->arg;
		return strcmp(strVal(linitial(e->name)), "=") == 0 &&
			   IsA(fc, FuncCall) && list_length(fc->funcname) == 2 &&
			   strcmp(strVal(linitial(fc->funcname)), "pg_catalog") == 0 &&
			   strcmp(strVal(lsecond(fc->funcname)), "pg_typeof") == 0 &&
			   IsA(r, A_Const) && !((A_Const *) r)->isnull;
	}
	return false;
}

/*
 * Whether the bool n is never null: never_null_node(), or an and/or of
 * such (one level only, so that the parse stays linear; a deeper one is
 * taken as maybe null, which costs an IS TRUE and nothing else).
 */
bool
siddhiql_never_null(Node *n)
{
	ListCell *lc;

	if (!IsA(n, BoolExpr) || ((BoolExpr *) n)->boolop == NOT_EXPR)
		return never_null_node(n);
	foreach(lc, ((BoolExpr *) n)->args)
		if (!never_null_node(lfirst(lc)))
			return false;
	return true;
}

/*
 * Whether n is a condition that PostgreSQL may make null where Siddhi
 * says false: a comparison, an and/or, that may be null.
 */
static bool
may_be_null_condition(Node *n)
{
	return (is_comparison(n) || IsA(n, BoolExpr)) && !siddhiql_never_null(n);
}

/*
 * An expression used as a value: a condition that may be null is false
 * instead (x IS TRUE), as Siddhi has it; anything else as it is.
 */
Node *
siddhiql_as_value(Node *n)
{
	if (n != NULL && may_be_null_condition(n))
		return siddhiql_make_bool_test(n, IS_TRUE, exprLocation(n));
	return n;
}
