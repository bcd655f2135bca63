/*-------------------------------------------------------------------------
 *
 * analyze_query.c
 *	  One query: its input (a stream, a join's primary side or a pattern),
 *	  filters, window, projection, group by, having, order by and limit,
 *	  and its output (a stream, inferred when the app does not define it,
 *	  a table, or a table operation).
 *
 * The input relation is the only range-table entry of the query's parse
 * state (a join adds its other side, analyze_join.c; a pattern builds its
 * own, analyze_pattern.c), so transformExpr reports every name and type
 * error at the app's line and column.  Aggregator calls are replaced as
 * the select list is transformed (analyze_aggregator.c); having and order
 * by are transformed over the output row, whose attributes they name (in
 * SQL, an input column a select item outputs names that item's column).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "analyze_int.h"
#include "access/table.h"
#include "catalog/namespace.h"
#include "executor/executor.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "parser/parse_coerce.h"
#include "parser/parse_expr.h"
#include "parser/parse_relation.h"
#include "parser/parse_target.h"
#include "parser/scansup.h"
#include "siddhi/errors.h"
#include "siddhi/parser.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/typcache.h"


/*
 * Is n the parser's call for a SiddhiQL arithmetic operator
 * (siddhi.add/sub/mul/div/mod, made in parse_binary_level)? Such
 * an output has no name of its own.
 */
static bool
siddhi_is_arithmetic_call(Node *n)
{
	FuncCall *fc = (FuncCall *) n;
	const char *f;

	if (!IsA(n, FuncCall) || list_length(fc->funcname) != 2 ||
		strcmp(strVal(linitial(fc->funcname)), "siddhi") != 0)
		return false;
	f = strVal(lsecond(fc->funcname));
	return strcmp(f, "add") == 0 || strcmp(f, "sub") == 0 ||
		   strcmp(f, "mul") == 0 || strcmp(f, "div") == 0 ||
		   strcmp(f, "mod") == 0;
}

/* A limit or offset: a constant, non-negative integer; -1 when absent. */
static int64
constant_count(AnalyzeState *st, ParseState *pstate, Node *raw,
			   const char *what)
{
	Expr *e;
	Const *c;

	if (raw == NULL)
		return -1;
	e = siddhi_finish_expr(pstate,
						   transformExpr(pstate, raw, EXPR_KIND_LIMIT));
	c = (Const *) e;
	if (!IsA(e, Const) || c->constisnull ||
		(c->consttype != INT4OID && c->consttype != INT8OID) ||
		(c->consttype == INT4OID ? DatumGetInt32(c->constvalue) < 0
								 : DatumGetInt64(c->constvalue) < 0))
		ereport(ERROR,
				(errcode(ERRCODE_SIDDHI_SEMANTIC_ERROR),
				 errmsg("%s must be a constant, non-negative integer", what),
				 siddhi_errposition(st->app->source, exprLocation(raw))));
	return c->consttype == INT4OID ? DatumGetInt32(c->constvalue)
								   : DatumGetInt64(c->constvalue);
}

/*
 * SQL's HAVING and ORDER BY may name the query's input columns, qualified
 * (s.price, S.price) or not, where PostgreSQL lets them.  A continuous
 * query evaluates them over its output rows (its contents, analyze_topn.c,
 * hold those rows and nothing else), so an input column is read where a
 * select item outputs it: the reference becomes one to that output column.
 */
typedef struct OutputRefs
{
	AnalyzeState *st;
	ParseState *pstate; /* the input's: the FROM clause's names */
	List *exprs;		/* each select item, transformed */
	List *outnames;		/* each one's output column, as String */
	ParseExprKind kind;
	const char *clause; /* "ORDER BY", "HAVING" */
} OutputRefs;

static bool
is_output_name(OutputRefs *o, const char *name)
{
	ListCell *ln;

	foreach(ln, o->outnames)
		if (strcmp(strVal(lfirst(ln)), name) == 0)
			return true;
	return false;
}

/*
 * s.* in HAVING or ORDER BY: PostgreSQL would compare whole rows of s, but
 * the clause is evaluated over the output row, which holds only the
 * selected columns.  A name that is no range of the FROM clause gets
 * PostgreSQL's own error for it (42P01).
 */
static void
output_star(OutputRefs *o, ColumnRef *cref)
{
	char *name = NameListToString(
		list_truncate(list_copy(cref->fields), list_length(cref->fields) - 1));
	int levels;

	if (list_length(cref->fields) == 2 &&
		refnameNamespaceItem(o->pstate, NULL, strVal(linitial(cref->fields)),
							 cref->location, &levels) == NULL)
		(void) transformExpr(o->pstate, (Node *) copyObject(cref), o->kind);
	ereport(ERROR,
			(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
			 errmsg("%s.* is not supported in %s", name, o->clause),
			 errdetail("A continuous query %s its output rows, which hold "
					   "only the columns it selects.",
					   strcmp(o->clause, "HAVING") == 0 ? "filters" : "sorts"),
			 errhint("Name the columns in %s.", o->clause),
			 siddhi_errposition(o->st->app->source, cref->location)));
}

/* Rewrite cref in place when it names an input column: see OutputRefs. */
static void
output_ref(OutputRefs *o, ColumnRef *cref)
{
	int nfields = list_length(cref->fields);
	ListCell *le;
	ListCell *ln;
	Node *e;
	int levels;
	char *name;

	if (IsA(llast(cref->fields), A_Star))
	{
		output_star(o, cref);
		return;
	}
	if (nfields > 2)
		return;
	/* an output column's name first, as PostgreSQL's ORDER BY reads it */
	if (nfields == 1 && is_output_name(o, strVal(linitial(cref->fields))))
		return;
	/* not a range of the FROM clause: left to the output row's names */
	if (nfields == 2 &&
		refnameNamespaceItem(o->pstate, NULL, strVal(linitial(cref->fields)),
							 cref->location, &levels) == NULL)
		return;
	/* what it is in the FROM clause; PostgreSQL's error if nothing */
	e = transformExpr(o->pstate, (Node *) copyObject(cref), o->kind);
	forboth(le, o->exprs, ln, o->outnames)
		if (equal(e, lfirst(le)))
		{
			cref->fields = list_make1(makeString(strVal(lfirst(ln))));
			return;
		}
	/* as PostgreSQL's 42P10 for ORDER BY under SELECT DISTINCT */
	name = NameListToString(cref->fields);
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_COLUMN_REFERENCE),
			 nfields == 1
				 ? errmsg("column \"%s\" in %s must appear in the select list",
						  name, o->clause)
				 : errmsg("column %s in %s must appear in the select list",
						  name, o->clause),
			 errdetail("A continuous query %s its output rows, which hold "
					   "only the columns it selects.",
					   strcmp(o->clause, "HAVING") == 0 ? "filters" : "sorts"),
			 errhint("Add %s to the select list.", name),
			 siddhi_errposition(o->st->app->source, cref->location)));
}

/* raw_expression_tree_walker: each column reference, not in subqueries */
static bool
output_refs_walker(Node *n, OutputRefs *o)
{
	if (n == NULL)
		return false;
	check_stack_depth();
	if (IsA(n, ColumnRef))
	{
		output_ref(o, (ColumnRef *) n);
		return false;
	}
	if (IsA(n, SubLink))
		return output_refs_walker(((SubLink *) n)->testexpr, o);
	return raw_expression_tree_walker(n, output_refs_walker, (void *) o);
}

/* A copy of raw HAVING or ORDER BY expression n, its refs rewritten. */
static Node *
output_refs(OutputRefs *o, Node *n, ParseExprKind kind, const char *clause)
{
	n = copyObject(n);
	o->kind = kind;
	o->clause = clause;
	output_refs_walker(n, o);
	return n;
}

/*
 * SQL's ORDER BY 2: an integer constant alone is the position of an output
 * column, as in PostgreSQL (findTargetlistEntrySQL92), with its errors.
 */
static Node *
order_by_position(OutputRefs *o, Node *n)
{
	A_Const *c = (A_Const *) n;
	ColumnRef *cref;
	int pos;

	if (!IsA(n, A_Const) || c->isnull)
		return n;
	if (!IsA(&c->val, Integer))
		ereport(ERROR, (errcode(ERRCODE_SYNTAX_ERROR),
						errmsg("non-integer constant in ORDER BY"),
						siddhi_errposition(o->st->app->source, c->location)));
	pos = intVal(&c->val);
	if (pos < 1 || pos > list_length(o->outnames))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_COLUMN_REFERENCE),
				 errmsg("ORDER BY position %d is not in select list", pos),
				 siddhi_errposition(o->st->app->source, c->location)));
	cref = makeNode(ColumnRef);
	cref->fields =
		list_make1(makeString(strVal(list_nth(o->outnames, pos - 1))));
	cref->location = c->location;
	return (Node *) cref;
}

/*
 * SQL's GROUP BY name, where name is no column of the FROM clause but the
 * alias of a select item: PostgreSQL (findTargetlistEntrySQL92) groups by
 * that item's expression, an input column of the name winning over the
 * alias.  SiddhiQL groups by input attributes only, as Siddhi does.
 */
Node *
siddhi_group_by_alias(AnalyzeState *st, ParseState *pstate, SiddhiSelector *s,
					  Node *n)
{
	ColumnRef *cref = (ColumnRef *) n;
	const char *name;
	Node *found = NULL;
	ListCell *lc;

	if (st->app->dialect != SIDDHI_DIALECT_SQL || !IsA(n, ColumnRef) ||
		list_length(cref->fields) != 1 || !IsA(linitial(cref->fields), String))
		return n;
	name = strVal(linitial(cref->fields));
	if (colNameToVar(pstate, name, false, cref->location) != NULL)
		return n;
	if (pstate->p_post_columnref_hook != NULL &&
		pstate->p_post_columnref_hook(pstate, cref, NULL) != NULL)
		return n;
	foreach(lc, s->targets)
	{
		ResTarget *rt = lfirst_node(ResTarget, lc);

		if (rt->name == NULL || strcmp(rt->name, name) != 0)
			continue;
		if (found != NULL && !equal(found, rt->val))
			ereport(ERROR,
					(errcode(ERRCODE_AMBIGUOUS_COLUMN),
					 errmsg("GROUP BY \"%s\" is ambiguous", name),
					 siddhi_errposition(st->app->source, cref->location)));
		found = rt->val;
	}
	return found ? copyObject(found) : n;
}

/*
 * EMIT FINAL: output once when the window closes.  The windows that emit
 * their current events only when a batch closes do exactly that already.
 */
static bool
window_emits_final(SiddhiWindowPlan *wp)
{
	if (wp == NULL)
		return false;
	switch (wp->kind)
	{
		case SIDDHI_WINDOW_LENGTH_BATCH:
		case SIDDHI_WINDOW_TIME_BATCH:
		case SIDDHI_WINDOW_EXPRESSION_BATCH:
			return !wp->current_event;
		case SIDDHI_WINDOW_EXTERNAL_TIME_BATCH:
		case SIDDHI_WINDOW_BATCH:
		case SIDDHI_WINDOW_HOPPING:
		case SIDDHI_WINDOW_UNIQUE_LENGTH_BATCH:
		case SIDDHI_WINDOW_UNIQUE_FIRST_LENGTH_BATCH:
		case SIDDHI_WINDOW_UNIQUE_TIME_BATCH:
		case SIDDHI_WINDOW_UNIQUE_FIRST_TIME_BATCH:
		case SIDDHI_WINDOW_UNIQUE_TIME_LENGTH_BATCH:
		case SIDDHI_WINDOW_UNIQUE_EXTERNAL_TIME_BATCH:
			return true;
		default:
			return false;
	}
}

/*
 * Analyze query q, the index-th of the app (its default name is
 * query<index>, see analyze_names.c), into its plan.
 */
SiddhiQueryPlan *
siddhi_analyze_query(AnalyzeState *st, SiddhiQuery *q, int index)
{
	SiddhiQueryPlan *qp = palloc0(sizeof(SiddhiQueryPlan));
	const char *source = st->app->source;
	SiddhiStreamInput *in = NULL;
	SiddhiRelation *input;
	ParseState *pstate;
	ParseNamespaceItem *nsitem;
	Relation rel = NULL;
	ListCell *lc;
	List *exprs = NIL;
	List *names = NIL;
	List *typids = NIL;
	List *typmods = NIL;
	List *locations = NIL;
	SiddhiRelation *output;
	SiddhiDefinition *outdef;
	int resno;
	AggContext ac;

	qp->ast = q;
	qp->name =
		q->name ? pstrdup(q->name)
				: siddhi_default_query_name(st, index); /* analyze_names.c */

	if (q->input == NULL)
		siddhi_not_yet(st, "queries without FROM", q->location);
	if (q->input->kind == SIDDHI_INPUT_PATTERN ||
		q->input->kind == SIDDHI_INPUT_SEQUENCE)
	{
		/* several streams read as one row of them (analyze_pattern.c) */
		pstate = siddhi_analyze_pattern(st, q, qp);
		siddhi_aggregators_begin(&ac, st, pstate, &qp->aggregates);
		input = qp->input;
		qp->partition = st->partition;
		/* SQL's WHERE after FROM PATTERN (..): a filter on each match */
		if (q->input->on)
		{
			Node *e = transformExpr(pstate, q->input->on, EXPR_KIND_WHERE);

			e = coerce_to_boolean(pstate, e, "WHERE");
			qp->window_qual = list_make1(siddhi_finish_expr(pstate, e));
		}
		goto input_done;
	}
	/* a join: the existing code reads its primary side (analyze_join.c) */
	in = q->input->kind == SIDDHI_INPUT_JOIN
			 ? siddhi_join_primary(st, q->input)
			 : q->input->stream;
	if (in->inner)
	{
		input = siddhi_inner_stream(st, in);
		qp->inner_input = true;
	}
	else if (in->fault)
		input = siddhi_fault_stream(st, in);
	else
		input = siddhi_find_relation(st, in->stream);
	if (input == NULL)
		ereport(
			ERROR,
			(errcode(ERRCODE_UNDEFINED_TABLE),
			 errmsg("stream \"%s\" is not defined", in->stream),
			 siddhi_errposition(source, in->location),
			 errhint(
				 "Define it with \"define stream %s (...)\" or CREATE STREAM.",
				 in->stream)));
	if (input->kind == SIDDHI_REL_TABLE)
		ereport(
			ERROR,
			(errcode(ERRCODE_WRONG_OBJECT_TYPE),
			 errmsg("\"%s\" is a table, and a query can only read a stream",
					in->stream),
			 siddhi_errposition(source, in->location),
			 errhint("Join the table with a stream instead.")));
	qp->input = input;
	qp->partition = st->partition;

	pstate = make_parsestate(NULL);
	pstate->p_sourcetext = source;
	siddhi_aggregators_begin(&ac, st, pstate, &qp->aggregates);
	rel = table_open(input->relid, AccessShareLock);
	nsitem = addRangeTableEntryForRelation(
		pstate, rel, AccessShareLock,
		in->alias ? makeAlias(in->alias, NIL) : NULL, false, true);
	addNSItemToQuery(pstate, nsitem, false, true, true);

	/* the stream's handlers: filters, then at most one window, then filters */
	foreach(lc, in->handlers)
	{
		SiddhiStreamHandler *h = lfirst(lc);
		Node *e;

		if (h->kind == SIDDHI_HANDLER_WINDOW)
		{
			if (qp->window)
				ereport(ERROR, (errcode(ERRCODE_SIDDHI_SEMANTIC_ERROR),
								errmsg("a query can have only one window"),
								siddhi_errposition(source, h->location)));
			if (input->kind == SIDDHI_REL_WINDOW)
				ereport(ERROR,
						(errcode(ERRCODE_SIDDHI_SEMANTIC_ERROR),
						 errmsg("\"%s\" is a window, and a window cannot "
								"have another window",
								in->stream),
						 siddhi_errposition(source, h->location)));
			qp->window = siddhi_analyze_window(st, pstate, h->call);
			continue;
		}
		if (h->kind == SIDDHI_HANDLER_FUNCTION &&
			siddhi_analyze_stream_function(
				st, pstate, h->call, rel, nsitem,
				in->alias ? in->alias : RelationGetRelationName(rel),
				(Expr **) &e))
		{
			/* #log: a conjunct in its place among the filters */
			if (e == NULL)
				continue;
		}
		else if (h->kind == SIDDHI_HANDLER_FUNCTION)
		{
			/* and #unique:deduplicate, once, before the window */
			if (h->call->ns == NULL ||
				pg_strcasecmp(h->call->ns, "unique") != 0 ||
				pg_strcasecmp(h->call->name, "deduplicate") != 0 ||
				qp->window || qp->dedup_key)
				siddhi_not_yet(st, "stream functions", h->location);
			siddhi_analyze_deduplicate(st, pstate, h->call, &qp->dedup_key,
									   &qp->dedup_interval);
			continue;
		}
		else
		{
			e = siddhi_transform_filter(
				st, pstate, qp, rel,
				in->alias ? in->alias : RelationGetRelationName(rel),
				h->filter);
			e = coerce_to_boolean(pstate, e, "a filter");
		}
		if (qp->window == NULL && qp->dedup_key)
			qp->dedup_qual =
				lappend(qp->dedup_qual, siddhi_finish_expr(pstate, e));
		else if (qp->window == NULL)
			qp->qual = lappend(qp->qual, siddhi_finish_expr(pstate, e));
		else
			qp->window_qual =
				lappend(qp->window_qual, siddhi_finish_expr(pstate, e));
	}

input_done:
	if (q->input->kind == SIDDHI_INPUT_JOIN)
		siddhi_analyze_join(st, pstate, q, qp);

	if (q->emit == SIDDHI_EMIT_FINAL && !window_emits_final(qp->window))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("EMIT FINAL needs a window that closes, such as "
						"TUMBLING or HOPPING"),
				 errhint("Windows that slide output on every change: use "
						 "EMIT CHANGES."),
				 siddhi_errposition(source, q->location)));

	if (q->selector)
	{
		SiddhiSelector *s = q->selector;

		foreach(lc, s->group_by)
		{
			Node *e = transformExpr(
				pstate, siddhi_group_by_alias(st, pstate, s, lfirst(lc)),
				EXPR_KIND_GROUP_BY);

			qp->group_by =
				lappend(qp->group_by, siddhi_finish_expr(pstate, e));
		}
	}
	qp->limit = -1;

	/* projection */
	if ((q->selector == NULL || q->selector->select_all) && qp->join)
		siddhi_join_select_all(st, pstate, q, &exprs, &names, &locations);
	else if ((q->selector == NULL || q->selector->select_all) && qp->pattern)
		siddhi_pattern_select_all(
			st, qp, q->selector ? q->selector->location : q->input->location,
			&exprs, &names, &locations);
	else if (q->selector == NULL || q->selector->select_all)
	{
		TupleDesc desc = RelationGetDescr(rel);

		for (int i = 0; i < desc->natts; i++)
		{
			Form_pg_attribute att = TupleDescAttr(desc, i);

			if (att->attisdropped)
				continue;
			exprs =
				lappend(exprs, makeVar(1, i + 1, att->atttypid, att->atttypmod,
									   att->attcollation, 0));
			names = lappend(names, makeString(pstrdup(NameStr(att->attname))));
			locations = lappend_int(locations, in->location);
		}
		/* and what #pol2Cart added */
		siddhi_stream_function_columns(pstate, &exprs, &names, &locations,
									   in->location);
	}
	else
	{
		foreach(lc, q->selector->targets)
		{
			ResTarget *rt = lfirst(lc);
			Node *e;
			char *name = rt->name;
			ListCell *prev;

			if (q->input->kind == SIDDHI_INPUT_STREAM)
				/* scalar subqueries over a table read the event's row */
				e = siddhi_transform_with_tables(
					st, pstate, qp, rel,
					in->alias ? in->alias : RelationGetRelationName(rel),
					siddhi_replace_aggregates(&ac, rt->val),
					EXPR_KIND_SELECT_TARGET);
			else if (qp->join || qp->pattern)
				/* ... or the join's or pattern's combined row */
				e = siddhi_transform_with_outer_tables(
					st, pstate, qp, siddhi_replace_aggregates(&ac, rt->val),
					EXPR_KIND_SELECT_TARGET);
			else
				e = transformExpr(pstate,
								  siddhi_replace_aggregates(&ac, rt->val),
								  EXPR_KIND_SELECT_TARGET);
			e = siddhi_over_transform(st, pstate, qp, e);
			if (pstate->p_hasAggs)
				ereport(
					ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("this aggregate function is not supported yet"),
					 errhint("The aggregators built so far are sum, count, "
							 "avg, min, max, minForever and maxForever."),
					 siddhi_errposition(source, exprLocation(rt->val))));
			if (name == NULL)
			{
				name = FigureColname(rt->val);
				if (strcmp(name, "?column?") == 0 ||
					siddhi_is_arithmetic_call(rt->val))
					ereport(ERROR,
							(errcode(ERRCODE_SIDDHI_SEMANTIC_ERROR),
							 errmsg("output attribute needs a name"),
							 siddhi_errposition(source, exprLocation(rt->val)),
							 errhint("Name it with AS, for example \"price * "
									 "2 as doubled\".")));
			}
			foreach(prev, names)
				if (strcmp(strVal(lfirst(prev)), name) == 0)
					ereport(
						ERROR,
						(errcode(ERRCODE_DUPLICATE_COLUMN),
						 errmsg("output attribute \"%s\" is selected twice",
								name),
						 siddhi_errposition(source,
											rt->location >= 0
												? rt->location
												: exprLocation(rt->val)),
						 errhint("Give one of them another name with AS.")));
			exprs = lappend(exprs, e);
			names = lappend(names, makeString(pstrdup(name)));
			locations = lappend_int(locations, exprLocation(rt->val));
		}
	}

	/* output */
	if (q->output == NULL)
		siddhi_not_yet(st, "queries without an output", q->location);
	siddhi_over_check(st, q, qp);
	if (q->output->kind == SIDDHI_OUT_RETURN)
	{
		/*
		 * return, or a bare SQL SELECT: the events go to a stream named
		 * after the app and the query, which siddhi.subscribe() watches
		 */
		char *target = psprintf("%s_%s", st->plan->name, qp->name);

		target = downcase_truncate_identifier(target, strlen(target), false);
		q->output->target = target;
		q->output->kind = SIDDHI_OUT_INSERT;
	}
	if (q->output->kind != SIDDHI_OUT_INSERT)
	{
		/* delete, update, update or insert: analyze_table.c */
		siddhi_analyze_table_op(st, pstate, q, qp, exprs, names, locations);
		siddhi_percentile_mark_approximate(qp);
		siddhi_aggregators_end();
		if (q->rate)
			siddhi_analyze_output_rate(st, q, qp);
		siddhi_analyze_contents(st, q, qp);
		ExecCheckRTPerms(pstate->p_rtable, true);
		if (rel)
			table_close(rel, AccessShareLock);
		free_parsestate(pstate);
		return qp;
	}
	if (q->output->target_inner)
	{
		if (st->partition == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_SIDDHI_SEMANTIC_ERROR),
					 errmsg("inner stream #%s is written outside a partition",
							q->output->target),
					 siddhi_errposition(source, q->output->location),
					 errhint("Inner streams (#name) live inside "
							 "partition .. begin .. end.")));
		q->output->target = siddhi_inner_stream_name(st, q->output->target);
		q->output->target_inner = false;
	}
	qp->events = q->output->events;

	output = siddhi_find_relation(st, q->output->target);
	outdef = siddhi_find_definition(st->app, q->output->target);
	if (output == NULL && outdef == NULL)
	{
		/* an inferred stream: columns as the query produces them */
		ListCell *e;

		foreach(e, exprs)
		{
			Oid t = exprType(lfirst(e));

			if (t == UNKNOWNOID)
				t = TEXTOID;
			typids = lappend_oid(typids, t);
			typmods = lappend_int(typmods, exprTypmod(lfirst(e)));
		}
		output = siddhi_bind_relation(st, q->output->target, SIDDHI_REL_STREAM,
									  names, typids, typmods, NULL, NULL,
									  q->output->location);
	}
	if (output->relid == input->relid)
		ereport(ERROR, (errcode(ERRCODE_SIDDHI_SEMANTIC_ERROR),
						errmsg("query \"%s\" inserts into the stream it reads",
							   qp->name),
						siddhi_errposition(source, q->output->location)));
	qp->output = output;

	/* coerce the projection to the output's columns, by position */
	{
		Relation orel = table_open(output->relid, AccessShareLock);
		TupleDesc odesc = RelationGetDescr(orel);
		ListCell *e, *n, *l;
		int live = 0;

		for (int i = 0; i < odesc->natts; i++)
			if (!TupleDescAttr(odesc, i)->attisdropped)
				live++;
		if (live != list_length(exprs))
			ereport(
				ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("query \"%s\" selects %d attributes but \"%s\" has %d",
						qp->name, list_length(exprs), output->name, live),
				 siddhi_errposition(source, q->output->location),
				 errhint("Select one expression for each attribute of \"%s\", "
						 "in order.",
						 output->name)));
		resno = 0;
		forthree(e, exprs, n, names, l, locations)
		{
			Form_pg_attribute att;
			Node *expr = lfirst(e);
			Node *coerced;

			/* a dropped column before it: a null in its place */
			while (TupleDescAttr(odesc, resno)->attisdropped)
			{
				resno++;
				qp->targetlist =
					lappend(qp->targetlist,
							makeTargetEntry((Expr *) makeNullConst(INT4OID, -1,
																   InvalidOid),
											resno, NULL, true));
			}
			att = TupleDescAttr(odesc, resno);
			coerced = coerce_to_target_type(
				pstate, expr, exprType(expr), att->atttypid, att->atttypmod,
				COERCION_ASSIGNMENT, COERCE_IMPLICIT_CAST, lfirst_int(l));
			if (coerced == NULL)
				ereport(ERROR, (errcode(ERRCODE_DATATYPE_MISMATCH),
								errmsg("attribute \"%s\" of \"%s\" is of type "
									   "%s but expression is of type %s",
									   NameStr(att->attname), output->name,
									   format_type_be(att->atttypid),
									   format_type_be(exprType(expr))),
								siddhi_errposition(source, lfirst_int(l)),
								errhint("Convert the value, for example with "
										"convert(x, 'string') or a cast.")));
			resno++;
			qp->targetlist =
				lappend(qp->targetlist,
						makeTargetEntry(siddhi_finish_expr(pstate, coerced),
										resno, NameStr(att->attname), false));
			/*
			 * A dropped column after it gets a null (junk: no expression of
			 * the query's): the output row is the relation's, every column
			 * in place, as PostgreSQL's own INSERT makes it.
			 */
			while (resno < odesc->natts &&
				   TupleDescAttr(odesc, resno)->attisdropped)
			{
				resno++;
				qp->targetlist =
					lappend(qp->targetlist,
							makeTargetEntry((Expr *) makeNullConst(INT4OID, -1,
																   InvalidOid),
											resno, NULL, true));
			}
		}
		table_close(orel, AccessShareLock);
	}

	/* the owner must be allowed to read the input; writes checked below */
	/* having, order by: over the output row, whose attributes they name */
	if (q->selector && (q->selector->having || q->selector->order_by ||
						q->selector->limit || q->selector->offset))
	{
		ParseState *opstate;
		Relation orel;
		SiddhiSelector *sel = q->selector;
		OutputRefs oref = { st, pstate, exprs, NIL };
		bool sql = st->app->dialect == SIDDHI_DIALECT_SQL;

		/* a join's ORDER BY: refused before its names are looked at */
		siddhi_analyze_contents_input(st, q, qp);
		/* the output columns, for SQL's input columns (SiddhiQL's having
		 * and order by name output attributes only, as in Siddhi) */
		foreach(lc, qp->targetlist)
		{
			TargetEntry *te = lfirst(lc);

			if (!te->resjunk)
				oref.outnames =
					lappend(oref.outnames, makeString(te->resname));
		}
		opstate = make_parsestate(NULL);
		orel = table_open(output->relid, AccessShareLock);

		opstate->p_sourcetext = source;
		opstate->p_paramref_hook = siddhi_aggregate_paramref;
		addNSItemToQuery(opstate,
						 addRangeTableEntryForRelation(opstate, orel,
													   AccessShareLock, NULL,
													   false, true),
						 false, true, true);
		if (sel->having)
		{
			Node *e = siddhi_replace_aggregates(&ac, sel->having);

			if (sql)
				e = output_refs(&oref, e, EXPR_KIND_HAVING, "HAVING");
			e = transformExpr(opstate, e, EXPR_KIND_HAVING);

			e = coerce_to_boolean(opstate, e, "HAVING");
			qp->having = list_make1(siddhi_finish_expr(opstate, e));
		}
		foreach(lc, sel->order_by)
		{
			SortBy *sb = lfirst(lc);
			Node *e = siddhi_replace_aggregates(&ac, sb->node);
			TypeCacheEntry *tc;
			bool desc = sb->sortby_dir == SORTBY_DESC;
			Oid op;

			if (sql)
				e = output_refs(&oref, order_by_position(&oref, e),
								EXPR_KIND_ORDER_BY, "ORDER BY");
			e = transformExpr(opstate, e, EXPR_KIND_ORDER_BY);
			/* ORDER BY NULL, or 'x': text, as PostgreSQL sorts them */
			if (exprType(e) == UNKNOWNOID)
				e = coerce_type(opstate, e, UNKNOWNOID, TEXTOID, -1,
								COERCION_IMPLICIT, COERCE_IMPLICIT_CAST, -1);
			tc = lookup_type_cache(exprType(e),
								   TYPECACHE_LT_OPR | TYPECACHE_GT_OPR);
			op = desc ? tc->gt_opr : tc->lt_opr;

			if (!OidIsValid(op))
				ereport(ERROR,
						(errcode(ERRCODE_UNDEFINED_FUNCTION),
						 errmsg("values of type %s cannot be ordered",
								format_type_be(exprType(e))),
						 siddhi_errposition(source, exprLocation(sb->node))));
			qp->order_by =
				lappend(qp->order_by, siddhi_finish_expr(opstate, e));
			qp->order_ops = lappend_oid(qp->order_ops, op);
			qp->order_nulls_first =
				lappend_int(qp->order_nulls_first,
							sb->sortby_nulls == SORTBY_NULLS_DEFAULT
								? desc
								: sb->sortby_nulls == SORTBY_NULLS_FIRST);
		}
		qp->limit = constant_count(st, opstate, sel->limit, "limit");
		qp->offset = constant_count(st, opstate, sel->offset, "offset");
		if (qp->offset < 0)
			qp->offset = 0;
		table_close(orel, AccessShareLock);
		free_parsestate(opstate);
	}
	siddhi_percentile_mark_approximate(qp);
	siddhi_aggregators_end();
	if (q->rate)
		siddhi_analyze_output_rate(st, q, qp);
	siddhi_analyze_contents(st, q, qp);

	ExecCheckRTPerms(pstate->p_rtable, true);
	if (pg_class_aclcheck(output->relid, GetUserId(), ACL_INSERT) !=
		ACLCHECK_OK)
		ereport(ERROR, (errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
						errmsg("permission denied to insert into \"%s\"",
							   output->name),
						siddhi_errposition(source, q->output->location)));

	if (rel)
		table_close(rel, AccessShareLock);
	free_parsestate(pstate);
	return qp;
}
