/*-------------------------------------------------------------------------
 *
 * analyze_join.c
 *	  Joins: `from A[..]#window.. as a [left|right|full outer] join B .. on
 *	  cond` and FROM a WINDOW .. JOIN b WINDOW .. ON cond.
 *
 * analyze_query() reads the join's primary side as it reads any input:
 * its relation, filters and window become the query's own.  The primary
 * side is the left one, unless the left is a table (a table never
 * triggers, so the runtime needs a stream on the primary side).  Here we
 * add the other side: a stream or named window with its own filters and
 * window, analyzed in a parse state of its own (so a filter of one side
 * cannot see the other), or a table, defined in the app or already in
 * the database.  The `on` condition, the projection and the aggregators
 * are transformed with both sides as range-table entries (the primary is
 * varno 1, the other varno 2); siddhi_join_finish() then renumbers them
 * onto one combined row, primary attributes first, which is what the
 * runtime (src/runtime/join/join.c) builds for each pair.
 *
 * A table side is read with a SELECT of its columns WHERE <on>, the
 * primary side's attributes as PARAM_EXTERN $k: the planner turns an
 * equality of an indexed column with a stream expression into an index
 * scan, and anything else into a sequential scan.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/table.h"
#include "analyze_int.h"
#include "catalog/pg_type.h"
#include "executor/executor.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "parser/parse_coerce.h"
#include "parser/parse_collate.h"
#include "parser/parse_expr.h"
#include "parser/parse_func.h"
#include "parser/parse_oper.h"
#include "parser/parse_relation.h"
#include "parser/parser.h"
#include "siddhi/errors.h"
#include "siddhi/parser.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"

/* A side read by lookups, not by its events: a table or an aggregation. */
static bool
is_lookup(SiddhiRelation *r)
{
	return r->kind == SIDDHI_REL_TABLE ||
		   r->kind == SIDDHI_REL_AGGREGATION_VIEW;
}

/*
 * The relation a join side names: the app's, a #inner stream of the
 * partition, a fault stream !S, or an existing table.
 */
static SiddhiRelation *
side_relation(AnalyzeState *st, SiddhiStreamInput *in)
{
	SiddhiRelation *r;

	if (in->inner)
		return siddhi_inner_stream(st, in);
	if (in->fault)
		return siddhi_fault_stream(st, in);
	r = siddhi_find_relation(st, in->stream);
	if (r == NULL)
		r = siddhi_bind_existing_table(st, in->stream, in->location);
	if (r == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("stream or table \"%s\" is not defined", in->stream),
				 siddhi_errposition(st->app->source, in->location),
				 errhint("Define it with \"define stream %s (...)\", "
						 "\"define table %s (...)\" or CREATE STREAM.",
						 in->stream, in->stream)));
	return r;
}

/* Whether a join side has a window of its own. */
static bool
has_window(SiddhiStreamInput *in)
{
	ListCell *lc;

	foreach(lc, in->handlers)
		if (((SiddhiStreamHandler *) lfirst(lc))->kind ==
			SIDDHI_HANDLER_WINDOW)
			return true;
	return false;
}

/* The name a side's columns are qualified with in the query. */
static const char *
side_refname(SiddhiStreamInput *in)
{
	return in->alias ? in->alias : in->stream;
}

/* ref.col, as a ColumnRef; its ref or NULL. */
static const char *
column_ref_qualifier(Node *n)
{
	ColumnRef *cr = (ColumnRef *) n;

	if (n == NULL || !IsA(n, ColumnRef) || list_length(cr->fields) != 2 ||
		!IsA(linitial(cr->fields), String) ||
		!IsA(lsecond(cr->fields), String))
		return NULL;
	return strVal(linitial(cr->fields));
}

/* An integer constant (a duration is one, in ms), or -1. */
static int64
constant_ms(Node *n)
{
	if (n && IsA(n, TypeCast))
		n = ((TypeCast *) n)->arg;
	if (n == NULL || !IsA(n, A_Const) || ((A_Const *) n)->isnull)
		return -1;
	if (IsA(&((A_Const *) n)->val, Integer))
		return intVal(&((A_Const *) n)->val);
	if (IsA(&((A_Const *) n)->val, Float))
	{
		char *end;
		int64 v =
			strtoi64(castNode(Float, &((A_Const *) n)->val)->fval, &end, 10);

		return *end == '\0' ? v : -1;
	}
	return -1;
}

/* A raw int8 constant. */
static Node *
int8_const(int64 v, int location)
{
	A_Const *c = makeNode(A_Const);
	TypeCast *tc = makeNode(TypeCast);

	if (v <= PG_INT32_MAX)
	{
		c->val.ival.type = T_Integer;
		c->val.ival.ival = (int) v;
	}
	else
	{
		c->val.fval.type = T_Float;
		c->val.fval.fval = psprintf(INT64_FORMAT, v);
	}
	c->location = location;
	tc->arg = (Node *) c;
	tc->typeName = SystemTypeName("int8");
	tc->location = location;
	return (Node *) tc;
}

/*
 * A temporal join in SQL: a conjunct of on (ANDs at its top) of the form
 * x.t BETWEEN y.u - <duration> AND <expr>, where x and y are the two
 * sides and x is a stream without a window, makes x keep the events of
 * that duration: #window.externalTime(t, duration + 1 ms), so that an
 * event of y finds every event of x whose t is within the duration of the
 * latest t seen (BETWEEN includes its bounds; externalTime keeps what is
 * strictly newer than the latest t minus its length).
 */
static void
derive_temporal_window(AnalyzeState *st, SiddhiInput *in, Node *n)
{
	A_Expr *b = (A_Expr *) n;
	A_Expr *lower;
	const char *x;
	const char *y;
	SiddhiStreamInput *side;
	SiddhiStreamHandler *h;
	SiddhiCall *call;
	int64 ms;

	if (n == NULL)
		return;
	check_stack_depth();
	if (IsA(n, BoolExpr) && ((BoolExpr *) n)->boolop == AND_EXPR)
	{
		ListCell *lc;

		foreach(lc, ((BoolExpr *) n)->args)
			derive_temporal_window(st, in, lfirst(lc));
		return;
	}
	if (!IsA(n, A_Expr) || b->kind != AEXPR_BETWEEN ||
		(x = column_ref_qualifier(b->lexpr)) == NULL || !IsA(b->rexpr, List) ||
		list_length((List *) b->rexpr) != 2)
		return;
	lower = linitial((List *) b->rexpr);
	if (!IsA(lower, A_Expr) || lower->kind != AEXPR_OP ||
		list_length(lower->name) != 1 ||
		strcmp(strVal(linitial(lower->name)), "-") != 0 ||
		(y = column_ref_qualifier(lower->lexpr)) == NULL ||
		(ms = constant_ms(lower->rexpr)) < 0 || ms >= PG_INT64_MAX)
		return;
	if (strcmp(x, side_refname(in->stream)) == 0 &&
		strcmp(y, side_refname(in->right)) == 0)
		side = in->stream;
	else if (strcmp(x, side_refname(in->right)) == 0 &&
			 strcmp(y, side_refname(in->stream)) == 0)
		side = in->right;
	else
		return;
	if (has_window(side) || side_relation(st, side)->kind != SIDDHI_REL_STREAM)
		return;
	call = palloc0(sizeof(SiddhiCall));
	call->name = "externalTime";
	call->args =
		list_make2(copyObject(b->lexpr), int8_const(ms + 1, b->location));
	call->location = b->location;
	h = palloc0(sizeof(SiddhiStreamHandler));
	h->kind = SIDDHI_HANDLER_WINDOW;
	h->call = call;
	h->location = b->location;
	side->handlers = lappend(side->handlers, h);
}

/*
 * In streaming SQL, a join of two streams neither of which has a window
 * would never match (a stream without a window holds nothing in a join,
 * as in Siddhi): give a side the window a time range in on implies, or
 * refuse with the window to write.  SiddhiQL keeps Siddhi's meaning.
 */
static void
sql_join_windows(AnalyzeState *st, SiddhiInput *in, SiddhiRelation *left,
				 SiddhiRelation *right)
{
	if (st->app->dialect != SIDDHI_DIALECT_SQL ||
		left->kind != SIDDHI_REL_STREAM || right->kind != SIDDHI_REL_STREAM ||
		has_window(in->stream) || has_window(in->right))
		return;
	derive_temporal_window(st, in, in->on);
	if (has_window(in->stream) || has_window(in->right))
		return;
	ereport(ERROR,
			(errcode(ERRCODE_SIDDHI_SEMANTIC_ERROR),
			 errmsg("neither stream of this join has a window"),
			 errdetail("A stream without a window holds no events in a join: "
					   "an event of one stream would never find one of the "
					   "other."),
			 siddhi_errposition(st->app->source, in->right->location),
			 errhint("Give the stream to remember a window, e.g. JOIN %s "
					 "WINDOW LENGTH(1) (its latest event) or WINDOW "
					 "SLIDING(5 minutes), or bound the join in time: ON "
					 "... AND %s.ts BETWEEN %s.ts - 5 minutes AND %s.ts.",
					 in->right->stream, side_refname(in->right),
					 side_refname(in->stream), side_refname(in->stream))));
}

/*
 * The columns of side that on (its ANDs at the top) equates with
 * something, as raw ColumnRefs: the key a versioned stream is read by.
 */
static List *
equated_columns(SiddhiStreamInput *side, Node *n, List *keys)
{
	A_Expr *e = (A_Expr *) n;

	if (n == NULL)
		return keys;
	check_stack_depth();
	if (IsA(n, BoolExpr) && ((BoolExpr *) n)->boolop == AND_EXPR)
	{
		ListCell *lc;

		foreach(lc, ((BoolExpr *) n)->args)
			keys = equated_columns(side, lfirst(lc), keys);
		return keys;
	}
	if (!IsA(n, A_Expr) || e->kind != AEXPR_OP || list_length(e->name) != 1 ||
		strcmp(strVal(linitial(e->name)), "=") != 0)
		return keys;
	for (int k = 0; k < 2; k++)
	{
		Node *operand = k == 0 ? e->lexpr : e->rexpr;
		const char *q = column_ref_qualifier(operand);

		if (q && strcmp(q, side_refname(side)) == 0)
			keys = lappend(keys, copyObject(operand));
	}
	return keys;
}

/*
 * FOR SYSTEM_TIME AS OF other.t on a join side reads the side's latest
 * version at or before the event of the other side, as events come in
 * time order:
 *  - a table: the lookup reads the table as it is when the event is
 *	  processed (a table keeps no older versions);
 *  - a stream without a window (a versioned stream): its latest event per
 *	  key, the key being the columns of the stream that ON equates with
 *	  the other side; the stream gets #window.unique:ever(key), which keeps
 *	  exactly that (one event per key, bounded by siddhi.max_groups).
 */
static void
check_as_of(AnalyzeState *st, SiddhiInput *in, SiddhiStreamInput *side,
			SiddhiRelation *r, SiddhiStreamInput *other)
{
	const char *q;

	if (side->as_of == NULL)
		return;
	q = column_ref_qualifier(side->as_of);
	if (q == NULL || strcmp(q, side_refname(other)) != 0)
		ereport(
			ERROR,
			(errcode(ERRCODE_SIDDHI_SEMANTIC_ERROR),
			 errmsg("FOR SYSTEM_TIME AS OF takes a column of the other "
					"side of the join"),
			 siddhi_errposition(st->app->source, exprLocation(side->as_of)),
			 errhint("Write FOR SYSTEM_TIME AS OF %s.<time column>.",
					 side_refname(other))));
	if (r->kind == SIDDHI_REL_TABLE)
		return;
	if (r->kind != SIDDHI_REL_STREAM || has_window(side))
		ereport(
			ERROR,
			(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
			 errmsg("FOR SYSTEM_TIME AS OF is supported on a table or a "
					"stream without a window"),
			 errdetail("\"%s\" %s.", side->stream,
					   r->kind == SIDDHI_REL_STREAM
						   ? "has a window, which already says which of its "
							 "events the join sees"
						   : "is a named window or an aggregation"),
			 siddhi_errposition(st->app->source, exprLocation(side->as_of)),
			 errhint("Drop the window, or drop FOR SYSTEM_TIME AS OF.")));
	{
		List *keys = equated_columns(side, in->on, NIL);
		SiddhiStreamHandler *h;
		SiddhiCall *call;

		if (keys == NIL)
			ereport(
				ERROR,
				(errcode(ERRCODE_SIDDHI_SEMANTIC_ERROR),
				 errmsg("a versioned stream needs its key in the join's ON"),
				 errdetail("FOR SYSTEM_TIME AS OF reads the latest event of "
						   "\"%s\" for each key; the key is what ON "
						   "equates.",
						   side->stream),
				 siddhi_errposition(st->app->source,
									exprLocation(side->as_of)),
				 errhint("Write ON %s.<key> = %s.<key>.", side_refname(side),
						 side_refname(other))));
		call = palloc0(sizeof(SiddhiCall));
		call->ns = "unique";
		call->name = "ever";
		call->args = keys;
		call->location = exprLocation(side->as_of);
		h = palloc0(sizeof(SiddhiStreamHandler));
		h->kind = SIDDHI_HANDLER_WINDOW;
		h->call = call;
		h->location = call->location;
		side->handlers = lappend(side->handlers, h);
		/* said by the window now (the join is analyzed more than once) */
		side->as_of = NULL;
	}
}

SiddhiStreamInput *
siddhi_join_primary(AnalyzeState *st, SiddhiInput *in)
{
	SiddhiRelation *left = side_relation(st, in->stream);
	SiddhiRelation *right = side_relation(st, in->right);

	check_as_of(st, in, in->stream, left, in->right);
	check_as_of(st, in, in->right, right, in->stream);
	sql_join_windows(st, in, left, right);

	if (is_lookup(left) && is_lookup(right))
		ereport(ERROR,
				(errcode(ERRCODE_SIDDHI_SEMANTIC_ERROR),
				 errmsg(left->kind == SIDDHI_REL_TABLE &&
								right->kind == SIDDHI_REL_TABLE
							? "a join of two tables has no events to trigger "
							  "it"
							: "a join of two tables or aggregations has no "
							  "events to trigger it"),
				 siddhi_errposition(st->app->source, in->location),
				 errhint("Join a table with a stream or a window; read two "
						 "tables together with plain SQL.")));
	if (in->left_unidirectional && in->right_unidirectional)
		ereport(ERROR,
				(errcode(ERRCODE_SIDDHI_SEMANTIC_ERROR),
				 errmsg("only one side of a join can be unidirectional"),
				 siddhi_errposition(st->app->source, in->location)));
	if ((is_lookup(left) && in->left_unidirectional) ||
		(is_lookup(right) && in->right_unidirectional))
		ereport(ERROR,
				(errcode(ERRCODE_SIDDHI_SEMANTIC_ERROR),
				 errmsg("a%s cannot be unidirectional",
						(in->left_unidirectional ? left : right)->kind ==
								SIDDHI_REL_TABLE
							? " table"
							: "n aggregation"),
				 siddhi_errposition(st->app->source,
									is_lookup(left) ? in->stream->location
													: in->right->location),
				 errhint("Only events trigger a join: mark the stream side "
						 "unidirectional, or nothing.")));
	return is_lookup(left) ? in->right : in->stream;
}

/* The other side's filters and window, in a parse state of their own. */
static void
analyze_other_side(AnalyzeState *st, SiddhiJoinPlan *jp, Relation rel,
				   SiddhiStreamInput *in)
{
	ParseState *pstate = make_parsestate(NULL);
	SiddhiQueryPlan tmp = { 0 };
	ListCell *lc;
	ParseNamespaceItem *nsitem;

	pstate->p_sourcetext = st->app->source;
	nsitem = addRangeTableEntryForRelation(
		pstate, rel, AccessShareLock,
		in->alias ? makeAlias(in->alias, NIL) : NULL, false, true);
	addNSItemToQuery(pstate, nsitem, false, true, true);
	foreach(lc, in->handlers)
	{
		SiddhiStreamHandler *h = lfirst(lc);
		Node *e;

		if (is_lookup(jp->other))
			ereport(
				ERROR,
				(errcode(ERRCODE_SIDDHI_SEMANTIC_ERROR),
				 errmsg("%s \"%s\" in a join cannot have a filter or "
						"a window",
						jp->other->kind == SIDDHI_REL_TABLE ? "table"
															: "aggregation",
						in->stream),
				 siddhi_errposition(st->app->source, h->location),
				 errhint("Put the condition on the %s in the join's "
						 "on condition.",
						 jp->other->kind == SIDDHI_REL_TABLE
							 ? "table"
							 : "aggregation")));
		if (h->kind == SIDDHI_HANDLER_WINDOW)
		{
			if (jp->other_window)
				ereport(ERROR,
						(errcode(ERRCODE_SIDDHI_SEMANTIC_ERROR),
						 errmsg("a join side can have only one window"),
						 siddhi_errposition(st->app->source, h->location)));
			if (jp->other->kind == SIDDHI_REL_WINDOW)
				ereport(ERROR,
						(errcode(ERRCODE_SIDDHI_SEMANTIC_ERROR),
						 errmsg("\"%s\" is a window, and a window cannot "
								"have another window",
								in->stream),
						 siddhi_errposition(st->app->source, h->location)));
			jp->other_window = siddhi_analyze_window(st, pstate, h->call);
			continue;
		}
		if (h->kind == SIDDHI_HANDLER_FUNCTION)
		{
			/* #log: a conjunct of the side's filters, as on the left */
			if (h->call->ns != NULL ||
				pg_strcasecmp(h->call->name, "log") != 0)
				siddhi_not_yet(st,
							   "stream functions other than log on the "
							   "right side of a join",
							   h->location);
			(void) siddhi_analyze_stream_function(
				st, pstate, h->call, rel, nsitem,
				in->alias ? in->alias : RelationGetRelationName(rel),
				(Expr **) &e);
		}
		else
		{
			e = siddhi_transform_filter(
				st, pstate, &tmp, rel,
				in->alias ? in->alias : RelationGetRelationName(rel),
				h->filter);
			if (tmp.memberships)
				siddhi_not_yet(st,
							   "in-table conditions on the right side of a "
							   "join",
							   h->location);
			e = coerce_to_boolean(pstate, e, "a filter");
		}
		if (jp->other_window == NULL)
			jp->other_qual =
				lappend(jp->other_qual, siddhi_finish_expr(pstate, e));
		else
			jp->other_window_qual =
				lappend(jp->other_window_qual, siddhi_finish_expr(pstate, e));
	}
	free_parsestate(pstate);
}

/* on, made a probe of the table: primary Vars become $k, table's varno 1 */
static Node *
probe_mutator(Node *node, void *context)
{
	if (node == NULL)
		return NULL;
	CHECK_FOR_INTERRUPTS();
	if (IsA(node, Var) && ((Var *) node)->varlevelsup == 0)
	{
		Var *v = (Var *) node;

		if (v->varno == 1)
		{
			Param *p = makeNode(Param);

			p->paramkind = PARAM_EXTERN;
			p->paramid = v->varattno;
			p->paramtype = v->vartype;
			p->paramtypmod = v->vartypmod;
			p->paramcollid = v->varcollid;
			p->location = v->location;
			return (Node *) p;
		}
		v = copyObject(v);
		v->varno = 1;
		v->varnosyn = 1;
		return (Node *) v;
	}
	return expression_tree_mutator(node, probe_mutator, context);
}

/* SELECT every column of the table (NULL for dropped ones) WHERE on. */
static Query *
table_probe(AnalyzeState *st, ParseState *pstate, Relation table, Expr *on,
			int location)
{
	Query *qry = makeNode(Query);
	RangeTblEntry *rte = copyObject(list_nth(pstate->p_rtable, 1));
	TupleDesc desc = RelationGetDescr(table);
	List *tlist = NIL;

	for (int i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, i);
		Expr *e;

		if (att->attisdropped)
			e = (Expr *) makeNullConst(INT4OID, -1, InvalidOid);
		else
		{
			e = (Expr *) makeVar(1, i + 1, att->atttypid, att->atttypmod,
								 att->attcollation, 0);
			rte->selectedCols = bms_add_member(
				rte->selectedCols, i + 1 - FirstLowInvalidHeapAttributeNumber);
		}
		tlist = lappend(
			tlist,
			makeTargetEntry(e, i + 1, pstrdup(NameStr(att->attname)), false));
	}
	rte->requiredPerms = ACL_SELECT;
	qry->commandType = CMD_SELECT;
	qry->querySource = QSRC_ORIGINAL;
	qry->canSetTag = true;
	qry->rtable = list_make1(rte);
	qry->jointree = makeFromExpr(list_make1(makeNode(RangeTblRef)),
								 on ? probe_mutator((Node *) on, NULL) : NULL);
	((RangeTblRef *) linitial(qry->jointree->fromlist))->rtindex = 1;
	qry->targetList = tlist;
	if (!ExecCheckRTPerms(qry->rtable, false))
		ereport(ERROR, (errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
						errmsg("permission denied to read \"%s\"",
							   RelationGetRelationName(table)),
						siddhi_errposition(st->app->source, location)));
	return qry;
}

static Node *
agg_column(const char *ref, const char *column, int location)
{
	ColumnRef *cr = makeNode(ColumnRef);

	cr->fields =
		list_make2(makeString(pstrdup(ref)), makeString(pstrdup(column)));
	cr->location = location;
	return (Node *) cr;
}

static Node *
siddhi_call(const char *fn, Node *arg, int location)
{
	return (Node *) makeFuncCall(
		list_make2(makeString("siddhi"), makeString(pstrdup(fn))),
		list_make1(copyObject(arg)), COERCE_EXPLICIT_CALL, location);
}

/*
 * Reading an aggregation (Siddhi's `join A on .. within a, b per p`, and
 * on-demand `from A on .. within .. per ..`) is reading its view, ref:
 * on AND agg_granularity = siddhi.granularity(p) AND agg_timestamp >=
 * siddhi.within_start(a) AND agg_timestamp < siddhi.within_start(b) (or
 * siddhi.within_end(a) for a single pattern such as '2017-06-** **:**:**').
 * A raw condition, to transform with the rest.
 */
Node *
siddhi_aggregation_condition(Node *on, Node *within, Node *per,
							 const char *ref)
{
	int loc = exprLocation(per);
	List *args = NIL;

	if (on)
		args = lappend(args, on);
	args = lappend(
		args, makeSimpleA_Expr(AEXPR_OP, "=",
							   agg_column(ref, "agg_granularity", loc),
							   siddhi_call("granularity", per, loc), loc));
	if (within)
	{
		Node *start, *end;

		if (IsA(within, List))
		{
			start = linitial((List *) within);
			end = siddhi_call("within_start", lsecond((List *) within),
							  exprLocation(lsecond((List *) within)));
		}
		else
		{
			start = within;
			end = siddhi_call("within_end", start, exprLocation(start));
		}
		loc = exprLocation(start);
		args = lappend(
			args, makeSimpleA_Expr(
					  AEXPR_OP, ">=", agg_column(ref, "agg_timestamp", loc),
					  siddhi_call("within_start", start, loc), loc));
		args = lappend(args,
					   makeSimpleA_Expr(AEXPR_OP, "<",
										agg_column(ref, "agg_timestamp", loc),
										end, loc));
	}
	return (Node *) makeBoolExpr(AND_EXPR, args, loc);
}

/* An aggregation's rows go out in time order, as Siddhi's do. */
static void
sort_by_bucket(Query *qry)
{
	ListCell *lc;

	foreach(lc, qry->targetList)
	{
		TargetEntry *te = lfirst(lc);
		SortGroupClause *sgc;
		Oid lt, eq;
		bool hashable;

		if (te->resname == NULL || strcmp(te->resname, "agg_timestamp") != 0)
			continue;
		get_sort_group_operators(exprType((Node *) te->expr), true, true,
								 false, &lt, &eq, NULL, &hashable);
		sgc = makeNode(SortGroupClause);
		te->ressortgroupref = 1;
		sgc->tleSortGroupRef = 1;
		sgc->sortop = lt;
		sgc->eqop = eq;
		sgc->hashable = hashable;
		qry->sortClause = list_make1(sgc);
	}
}

/*
 * The other side and the on condition of a join, after analyze_query()
 * has read the primary side into qp with pstate (varno 1).
 */
void
siddhi_analyze_join(AnalyzeState *st, ParseState *pstate, SiddhiQuery *q,
					SiddhiQueryPlan *qp)
{
	SiddhiInput *in = q->input;
	SiddhiJoinPlan *jp = palloc0(sizeof(SiddhiJoinPlan));
	SiddhiStreamInput *other_in;
	Relation prel = table_open(qp->input->relid, AccessShareLock);
	Relation orel;
	TupleDesc pdesc = RelationGetDescr(prel);
	TupleDesc odesc;
	bool left_unidir;
	bool right_unidir;

	jp->type = in->join_type;
	jp->primary_is_left = in->stream == siddhi_join_primary(st, in);
	other_in = jp->primary_is_left ? in->right : in->stream;
	jp->other = side_relation(st, other_in);
	jp->other_inner = other_in->inner;
	/*
	 * Siddhi 5.1 deploys `from Agg join S`, then fails on every event of S
	 * (its lookup reads S's attributes from the aggregation's side) and
	 * outputs nothing: refuse it rather than give it another meaning
	 */
	if (jp->other->kind == SIDDHI_REL_AGGREGATION_VIEW && !jp->primary_is_left)
		ereport(ERROR,
				(errcode(ERRCODE_SIDDHI_SEMANTIC_ERROR),
				 errmsg("aggregation \"%s\" cannot be the left side of a "
						"join",
						other_in->stream),
				 errdetail("Siddhi reads an aggregation only from a stream "
						   "on the left: with the aggregation on the left it "
						   "fails on every event and outputs nothing."),
				 siddhi_errposition(st->app->source, other_in->location),
				 errhint("Put the stream on the left: from S join %s on .. "
						 "within .. per .. (SQL: FROM s JOIN %s ON .. WITHIN "
						 ".. PER ..).",
						 other_in->stream, other_in->stream)));
	if (jp->other->kind == SIDDHI_REL_AGGREGATION_VIEW && in->per == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_SIDDHI_SEMANTIC_ERROR),
				 errmsg("a join with aggregation \"%s\" needs per",
						other_in->stream),
				 siddhi_errposition(st->app->source, in->location),
				 errhint("Write within <start>, <end> per 'hours' after the "
						 "on condition.")));
	if (jp->other->kind != SIDDHI_REL_AGGREGATION_VIEW &&
		(in->within || in->per))
		ereport(ERROR,
				(errcode(ERRCODE_SIDDHI_SEMANTIC_ERROR),
				 errmsg("within and per apply to a join with an aggregation"),
				 siddhi_errposition(
					 st->app->source,
					 exprLocation(in->within ? in->within : in->per)),
				 errhint("\"%s\" is not an aggregation.", other_in->stream)));
	orel = table_open(jp->other->relid, AccessShareLock);
	odesc = RelationGetDescr(orel);
	analyze_other_side(st, jp, orel, other_in);

	/* which arrivals trigger, and which go out alone when nothing matches */
	left_unidir = in->left_unidirectional;
	right_unidir = in->right_unidirectional;
	{
		bool trig_left = !right_unidir;
		bool trig_right = !left_unidir;
		bool outer_left =
			jp->type == SIDDHI_JOIN_LEFT || jp->type == SIDDHI_JOIN_FULL;
		bool outer_right =
			jp->type == SIDDHI_JOIN_RIGHT || jp->type == SIDDHI_JOIN_FULL;

		jp->triggers[0] = jp->primary_is_left ? trig_left : trig_right;
		jp->triggers[1] = jp->primary_is_left ? trig_right : trig_left;
		jp->outer[0] = jp->primary_is_left ? outer_left : outer_right;
		jp->outer[1] = jp->primary_is_left ? outer_right : outer_left;
		if (is_lookup(jp->other))
			jp->triggers[1] = false;
	}

	/* both sides visible from here on: on, select, group by */
	addNSItemToQuery(
		pstate,
		addRangeTableEntryForRelation(
			pstate, orel, AccessShareLock,
			other_in->alias ? makeAlias(other_in->alias, NIL) : NULL, false,
			true),
		false, true, true);
	if (jp->other->kind == SIDDHI_REL_AGGREGATION_VIEW)
		in->on = siddhi_aggregation_condition(
			in->on, in->within, in->per,
			other_in->alias ? other_in->alias : other_in->stream);
	if (in->on)
	{
		Node *e = transformExpr(pstate, in->on, EXPR_KIND_JOIN_ON);

		e = coerce_to_boolean(pstate, e, "JOIN/ON");
		jp->on = siddhi_finish_expr(pstate, e);
	}

	/* the combined row: the primary's attributes, then the other's */
	jp->nprimary = pdesc->natts;
	jp->ts_at = is_lookup(jp->other) ? -1 : pdesc->natts + odesc->natts;
	jp->desc = CreateTemplateTupleDesc(pdesc->natts + odesc->natts +
									   (jp->ts_at >= 0 ? 2 : 0));
	for (int i = 0; i < pdesc->natts; i++)
		TupleDescCopyEntry(jp->desc, i + 1, pdesc, i + 1);
	for (int i = 0; i < odesc->natts; i++)
		TupleDescCopyEntry(jp->desc, pdesc->natts + i + 1, odesc, i + 1);
	/* then each side's event timestamp, for eventTimestamp(side) */
	for (int i = 0; jp->ts_at >= 0 && i < 2; i++)
		TupleDescInitEntry(jp->desc, jp->ts_at + i + 1, "event_timestamp",
						   INT8OID, -1, 0);
	for (int i = 0; i < jp->desc->natts; i++)
		TupleDescAttr(jp->desc, i)->attnotnull = false;

	if (is_lookup(jp->other))
	{
		jp->probe = table_probe(st, pstate, orel, jp->on, other_in->location);
		if (jp->other->kind == SIDDHI_REL_AGGREGATION_VIEW)
			sort_by_bucket(jp->probe);
		for (int i = 0; i < pdesc->natts; i++)
		{
			Form_pg_attribute att = TupleDescAttr(pdesc, i);

			jp->param_types = lappend_oid(
				jp->param_types, att->attisdropped ? INT4OID : att->atttypid);
		}
	}
	table_close(orel, AccessShareLock);
	table_close(prel, AccessShareLock);
	qp->join = jp;
}
