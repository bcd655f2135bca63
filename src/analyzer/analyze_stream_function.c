/*-------------------------------------------------------------------------
 *
 * analyze_stream_function.c
 *	  Siddhi's built-in stream functions on a query's input: #log(..) and
 *	  #pol2Cart(..).  (#unique:deduplicate is a window's kin, in
 *	  analyze_window.c.)
 *
 * #log([priority,] [message,] [is.event.logged]) logs each event that
 * reaches it and lets it pass.  It becomes a conjunct of the query's
 * filters, in its place among them: siddhi.log_event(..), which logs and
 * returns true.  The filters before it are evaluated first and stop the
 * event as they would stop it before Siddhi's log processor; the dispatch
 * index reads only the first conjunct, so it never skips an event the log
 * would have seen (analyze_dispatch.c).
 *
 * #pol2Cart(theta, rho [, z]) adds x = rho cos(theta degrees), y = rho
 * sin(theta degrees) (and z, the third argument) to each event.  Nothing
 * at run time: after the function, the query's parse state resolves a
 * name x, y or z (S.x too) the stream does not have to that expression
 * over the event's own attributes, so a filter, a window's argument, the
 * select list or group by read it as an attribute; select * lists them.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "analyze_int.h"
#include "catalog/pg_collation.h"
#include "catalog/pg_type.h"
#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "parser/parse_coerce.h"
#include "parser/parse_expr.h"
#include "parser/parse_func.h"
#include "parser/parse_relation.h"
#include "parser/parser.h"
#include "siddhi/errors.h"
#include "siddhi/parser.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"

/* What #pol2Cart adds to the input, as p_ref_hook_state. */
typedef struct Pol2CartCols
{
	const char *refname; /* the input's name in the query */
	int ncols;
	const char *names[3];
	Node *exprs[3]; /* transformed, over the input's attributes */
} Pol2CartCols;

static pg_attribute_noreturn() void function_error(AnalyzeState *st,
												   SiddhiCall *call,
												   const char *msg,
												   const char *hint)
{
	ereport(ERROR, (errcode(ERRCODE_SIDDHI_SEMANTIC_ERROR), errmsg("%s", msg),
					hint ? errhint("%s", hint) : 0,
					siddhi_errposition(st->app->source, call->location)));
	pg_unreachable();
}

/* A transformed argument of a stream function, and its type. */
static Node *
function_arg(ParseState *pstate, SiddhiCall *call, int i, Oid *type)
{
	Node *e = transformExpr(pstate, list_nth(call->args, i),
							EXPR_KIND_SELECT_TARGET);

	*type = exprType(e);
	return e;
}

static const char *const log_priorities[] = { "INFO",  "DEBUG", "WARN",
											  "ERROR", "FATAL", "TRACE",
											  "OFF" };

/* #log(..): the conjunct siddhi.log_event(priority, message, logged, row) */
static Expr *
analyze_log(AnalyzeState *st, ParseState *pstate, SiddhiCall *call,
			ParseNamespaceItem *input)
{
	int nargs = list_length(call->args);
	Node *args[3];
	Oid types[3];
	Node *priority = NULL;
	Node *message = NULL;
	Node *logged = NULL;
	Oid argtypes[5] = { TEXTOID, TEXTOID, BOOLOID, RECORDOID, TEXTOID };
	Oid fn;
	const char *usage =
		"Write log(), log(message), log(is.event.logged), log(message, "
		"is.event.logged), log(priority, message) or log(priority, "
		"message, is.event.logged).";

	if (nargs > 3)
		function_error(st, call, "log takes at most 3 arguments", usage);
	for (int i = 0; i < nargs; i++)
	{
		args[i] = function_arg(pstate, call, i, &types[i]);
		if (types[i] == UNKNOWNOID)
		{
			args[i] = coerce_to_specific_type(pstate, args[i], TEXTOID, "log");
			types[i] = TEXTOID;
		}
		if (types[i] != TEXTOID && types[i] != BOOLOID)
			function_error(st, call,
						   psprintf("argument %d of log is of type %s, not a "
									"string or a bool",
									i + 1, format_type_be(types[i])),
						   usage);
	}
	/* Siddhi's overloads, told apart by the arguments' types */
	if (nargs == 1 && types[0] == BOOLOID)
		logged = args[0];
	else if (nargs == 1)
		message = args[0];
	else if (nargs == 2 && types[0] == TEXTOID && types[1] == BOOLOID)
	{
		message = args[0];
		logged = args[1];
	}
	else if (nargs == 2 && types[0] == TEXTOID && types[1] == TEXTOID)
	{
		priority = args[0];
		message = args[1];
	}
	else if (nargs == 3 && types[0] == TEXTOID && types[1] == TEXTOID &&
			 types[2] == BOOLOID)
	{
		priority = args[0];
		message = args[1];
		logged = args[2];
	}
	else if (nargs > 0)
		function_error(st, call, "log's arguments are not one of its forms",
					   usage);
	if (priority && IsA(priority, Const))
	{
		Const *c = (Const *) priority;
		bool known = false;

		for (int i = 0; !c->constisnull && i < lengthof(log_priorities); i++)
			if (pg_strcasecmp(TextDatumGetCString(c->constvalue),
							  log_priorities[i]) == 0)
				known = true;
		if (!known)
			ereport(
				ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unknown log priority \"%s\"",
						TextDatumGetCString(c->constvalue)),
				 errhint("The priorities are INFO, DEBUG, WARN, ERROR, "
						 "FATAL, TRACE and OFF."),
				 siddhi_errposition(st->app->source, exprLocation(priority))));
	}
	fn = LookupFuncName(
		list_make2(makeString("siddhi"), makeString("log_event")), 5, argtypes,
		false);
	return (Expr *) makeFuncExpr(
		fn, BOOLOID,
		list_make5(
			priority ? priority
					 : (Node *) makeConst(TEXTOID, -1, DEFAULT_COLLATION_OID,
										  -1, CStringGetTextDatum("INFO"),
										  false, false),
			message
				? message
				: (Node *) makeNullConst(TEXTOID, -1, DEFAULT_COLLATION_OID),
			logged ? logged : (Node *) makeBoolConst(true, false),
			makeWholeRowVar(input->p_rte, input->p_rtindex, 0, false),
			makeConst(TEXTOID, -1, DEFAULT_COLLATION_OID, -1,
					  CStringGetTextDatum(st->plan->name), false, false)),
		InvalidOid, DEFAULT_COLLATION_OID, COERCE_EXPLICIT_CALL);
}

/* p_post_columnref_hook: x, y, z (or S.x ..) that #pol2Cart added. */
static Node *
pol2cart_hook(ParseState *pstate, ColumnRef *cref, Node *var)
{
	Pol2CartCols *pc = pstate->p_ref_hook_state;
	int n = list_length(cref->fields);
	const char *name;

	if (n > 2 || !IsA(llast(cref->fields), String))
		return NULL;
	if (var != NULL)
	{
		/* a join's other side has it too: as PostgreSQL's two ranges */
		name = strVal(llast(cref->fields));
		for (int i = 0; i < pc->ncols && n == 1; i++)
			if (strcmp(name, pc->names[i]) == 0)
				ereport(ERROR,
						(errcode(ERRCODE_AMBIGUOUS_COLUMN),
						 errmsg("column reference \"%s\" is ambiguous", name),
						 parser_errposition(pstate, cref->location)));
		return NULL;
	}
	if (n == 2 && (!IsA(linitial(cref->fields), String) ||
				   strcmp(strVal(linitial(cref->fields)), pc->refname) != 0))
		return NULL;
	name = strVal(llast(cref->fields));
	for (int i = 0; i < pc->ncols; i++)
		if (strcmp(name, pc->names[i]) == 0)
			return copyObject(pc->exprs[i]);
	return NULL;
}

/* rho * f(radians(theta)), f being cos or sin, as a raw expression */
static Node *
polar(Node *theta, Node *rho, const char *f, int location)
{
	Node *rad = (Node *) makeFuncCall(SystemFuncName("radians"),
									  list_make1(copyObject(theta)),
									  COERCE_EXPLICIT_CALL, location);
	Node *trig =
		(Node *) makeFuncCall(SystemFuncName(pstrdup(f)), list_make1(rad),
							  COERCE_EXPLICIT_CALL, location);

	return (Node *) makeSimpleA_Expr(AEXPR_OP, "*", copyObject(rho), trig,
									 location);
}

/* #pol2Cart(theta, rho [, z]): x, y (and z) become names of the input. */
static void
analyze_pol2cart(AnalyzeState *st, ParseState *pstate, SiddhiCall *call,
				 Relation rel, const char *refname)
{
	int nargs = list_length(call->args);
	Pol2CartCols *pc;
	Node *raw[3];
	TupleDesc desc = RelationGetDescr(rel);

	if (nargs != 2 && nargs != 3)
		function_error(
			st, call, "pol2Cart takes 2 or 3 arguments",
			"Write pol2Cart(theta, rho) or pol2Cart(theta, rho, z).");
	if (pstate->p_post_columnref_hook != NULL)
		function_error(st, call, "a query takes one pol2Cart", NULL);
	pc = palloc0(sizeof(Pol2CartCols));
	pc->refname = pstrdup(refname);
	pc->ncols = nargs;
	pc->names[0] = "x";
	pc->names[1] = "y";
	pc->names[2] = "z";
	for (int i = 0; i < desc->natts; i++)
		for (int k = 0; k < nargs; k++)
			if (!TupleDescAttr(desc, i)->attisdropped &&
				strcmp(NameStr(TupleDescAttr(desc, i)->attname),
					   pc->names[k]) == 0)
				function_error(
					st, call,
					psprintf("pol2Cart adds %s, which %s already has",
							 pc->names[k], refname),
					"Rename the attribute: pol2Cart adds x and y (and z).");
	/* each argument a double, as Siddhi requires */
	for (int i = 0; i < nargs; i++)
	{
		Node *e = transformExpr(pstate, list_nth(call->args, i),
								EXPR_KIND_SELECT_TARGET);

		(void) coerce_to_specific_type(pstate, e, FLOAT8OID, "pol2Cart");
		{
			TypeCast *tc = makeNode(TypeCast);

			tc->arg = list_nth(call->args, i);
			tc->typeName = SystemTypeName("float8");
			tc->location = call->location;
			raw[i] = (Node *) tc;
		}
	}
	pc->exprs[0] =
		transformExpr(pstate, polar(raw[0], raw[1], "cos", call->location),
					  EXPR_KIND_SELECT_TARGET);
	pc->exprs[1] =
		transformExpr(pstate, polar(raw[0], raw[1], "sin", call->location),
					  EXPR_KIND_SELECT_TARGET);
	if (nargs == 3)
		pc->exprs[2] = transformExpr(pstate, raw[2], EXPR_KIND_SELECT_TARGET);
	pstate->p_post_columnref_hook = pol2cart_hook;
	pstate->p_ref_hook_state = pc;
}

bool
siddhi_analyze_stream_function(AnalyzeState *st, ParseState *pstate,
							   SiddhiCall *call, Relation rel,
							   ParseNamespaceItem *input, const char *refname,
							   Expr **qual)
{
	*qual = NULL;
	if (call->ns != NULL)
		return false;
	if (pg_strcasecmp(call->name, "log") == 0)
	{
		*qual = analyze_log(st, pstate, call, input);
		return true;
	}
	if (pg_strcasecmp(call->name, "pol2Cart") == 0)
	{
		analyze_pol2cart(st, pstate, call, rel, refname);
		return true;
	}
	return false;
}

void
siddhi_stream_function_columns(ParseState *pstate, List **exprs, List **names,
							   List **locations, int location)
{
	Pol2CartCols *pc;

	if (pstate->p_post_columnref_hook != pol2cart_hook)
		return;
	pc = pstate->p_ref_hook_state;
	for (int i = 0; i < pc->ncols; i++)
	{
		*exprs = lappend(*exprs, copyObject(pc->exprs[i]));
		*names = lappend(*names, makeString(pstrdup(pc->names[i])));
		*locations = lappend_int(*locations, location);
	}
}
