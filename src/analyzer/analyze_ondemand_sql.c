/*-------------------------------------------------------------------------
 *
 * analyze_ondemand_sql.c
 *	  On-demand queries written in streaming SQL, for siddhi.query().
 *
 * The query is PostgreSQL's own statement (parsed by
 * src/parser/sqlstream_ondemand.c), so it keeps its SQL meaning whole:
 * WHERE, GROUP BY, HAVING over aggregates, ORDER BY, LIMIT, joins of the
 * app's relations, subqueries, WITH.  What we change is only what the
 * names in it stand for:
 *
 *	  a table or named window of the app	  that relation, schema-qualified
 *	  an aggregation A [WITHIN ..] PER p	  (SELECT <A's columns> FROM A's
 *											  view WHERE agg_granularity = p
 *											  AND agg_timestamp in the range)
 *											  AS A: its buckets of p
 *	  A.current() [PER p]					  the same, keeping the latest
 *											  bucket of each group (rank() over
 *											  A's group-by columns); p defaults
 *											  to A's finest granularity
 *	  A.range(from: a, to: b) [PER p]		  A WITHIN a, b PER p (p as above)
 *	  W.find(cond)							  W, cond ANDed into WHERE (the
 *											  parser does it)
 *
 * A select of an aggregation with neither ORDER BY nor GROUP BY nor an
 * aggregate gives its buckets in time order, as Siddhi's does (ties in
 * the order of the group-by columns: the output is repeatable); one with
 * aggregates and no GROUP BY is grouped by its other items
 * (implicit_group_by), as the roadmap's queries of aggregations read.  A SELECT
 * returns each row as one jsonb (to_jsonb(_r)); INSERT, UPDATE and DELETE,
 * allowed on tables only, return the rows they changed (RETURNING
 * to_jsonb(T)).  src/sqlfuncs/query.c runs the statements as the caller.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/relation.h"
#include "analyze_int.h"
#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "siddhi/catalog.h"
#include "siddhi/errors.h"
#include "siddhi/parser.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"

typedef struct OdSqlContext
{
	const char *app;
	const char *text;
	SiddhiSqlOnDemand *od;
	List *ctes;		  /* names of the statement's WITH queries */
	bool time_used;	  /* WITHIN / PER went to an aggregation */
	bool aggregation; /* a FROM item of the top select is an aggregation */
	char *agg_alias;  /* ... under this name */
	List *agg_cols;	  /* ... its key: agg_timestamp, group columns */
} OdSqlContext;

static bool rewrite_walker(Node *node, OdSqlContext *cx);

static ColumnRef *
colref(const char *qualifier, const char *name, int location)
{
	ColumnRef *cr = makeNode(ColumnRef);

	cr->fields = qualifier ? list_make2(makeString(pstrdup(qualifier)),
										makeString(pstrdup(name)))
						   : list_make1(makeString(pstrdup(name)));
	cr->location = location;
	return cr;
}

static ResTarget *
target(Node *val, const char *name)
{
	ResTarget *rt = makeNode(ResTarget);

	rt->val = val;
	rt->name = name ? pstrdup(name) : NULL;
	rt->location = -1;
	return rt;
}

static Node *
string_const(const char *s, int location)
{
	A_Const *c = makeNode(A_Const);

	c->val.sval.type = T_String;
	c->val.sval.sval = pstrdup(s);
	c->location = location;
	return (Node *) c;
}

/*
 * The finest granularity of aggregation r ('sec', 'min', ..) and its
 * group-by columns (those of its tables' unique key, but agg_timestamp).
 */
static char *
aggregation_groups(OdSqlContext *cx, OdRelation *r, List **groups)
{
	Oid types[2] = { TEXTOID, TEXTOID };
	Datum args[2];
	MemoryContext cxt = CurrentMemoryContext;
	char *finest = NULL;

	args[0] = CStringGetTextDatum(cx->app);
	args[1] = CStringGetTextDatum(r->relname);
	*groups = NIL;
	SPI_connect();
	/* our own statement: pinned, qualified (catalog_spi.c) */
	siddhi_catalog_spi(
		"SELECT pg_catalog.substr(g.tables[1], "
		"pg_catalog.length(g.aggregation::pg_catalog.text) "
		"OPERATOR(pg_catalog.+) 2), a.attname::pg_catalog.text "
		"FROM siddhi.aggregations g "
		"JOIN pg_catalog.pg_class c ON c.relname OPERATOR(pg_catalog.=) "
		"g.tables[1]::pg_catalog.name "
		"JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) "
		"c.relnamespace AND n.nspname OPERATOR(pg_catalog.=) g.schema "
		"LEFT JOIN pg_catalog.pg_index i ON i.indrelid "
		"OPERATOR(pg_catalog.=) c.oid AND i.indisunique "
		"LEFT JOIN pg_catalog.pg_attribute a ON a.attrelid "
		"OPERATOR(pg_catalog.=) c.oid AND a.attnum OPERATOR(pg_catalog.=) "
		"ANY (i.indkey) AND a.attname OPERATOR(pg_catalog.<>) "
		"'agg_timestamp' "
		"WHERE g.app OPERATOR(pg_catalog.=) $1 "
		"AND g.aggregation OPERATOR(pg_catalog.=) $2::pg_catalog.name "
		"ORDER BY a.attnum",
		2, types, args, NULL, true, false);
	for (uint64 i = 0; i < SPI_processed; i++)
	{
		MemoryContext old = MemoryContextSwitchTo(cxt);
		char *col =
			SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 2);

		finest = SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1);
		if (col)
			*groups = lappend(*groups, col);
		MemoryContextSwitchTo(old);
	}
	SPI_finish();
	if (finest == NULL)
		elog(ERROR, "aggregation \"%s\" has no tables", r->relname);
	return finest;
}

/* Does the statement name column `name` anywhere (a ColumnRef's last field)? */
static bool
names_column(Node *node, void *context)
{
	if (node == NULL)
		return false;
	if (IsA(node, ColumnRef))
	{
		Node *last = llast(((ColumnRef *) node)->fields);

		return IsA(last, String) && strcmp(strVal(last), context) == 0;
	}
	return raw_expression_tree_walker(node, names_column, context);
}

static bool
str_member(List *names, const char *name)
{
	ListCell *lc;

	foreach(lc, names)
		if (strcmp(lfirst(lc), name) == 0)
			return true;
	return false;
}

/* Does the statement name a column that is not one of names? */
static bool
names_other_column(Node *node, List *names)
{
	if (node == NULL)
		return false;
	if (IsA(node, ColumnRef))
	{
		Node *last = llast(((ColumnRef *) node)->fields);

		return IsA(last, String) && !str_member(names, strVal(last));
	}
	return raw_expression_tree_walker(node, names_other_column, names);
}

/*
 * The attribute aggregation r is aggregated by (its "aggregate by" or
 * WITH (by = ..)), and its type, from the app's text and the stream's
 * relation; NULL when it has none (arrival time) or it cannot be found.
 */
static char *
aggregation_by(OdSqlContext *cx, OdRelation *r, Oid *type)
{
	Oid types[1] = { TEXTOID };
	Datum args[1] = { CStringGetTextDatum(cx->app) };
	MemoryContext cxt = CurrentMemoryContext;
	char *source = NULL;
	char *by = NULL;
	SiddhiApp *ast;
	ListCell *lc;

	SPI_connect();
	siddhi_catalog_spi("SELECT source FROM siddhi.app "
					   "WHERE name OPERATOR(pg_catalog.=) $1",
					   1, types, args, NULL, true, false);
	if (SPI_processed == 1)
	{
		MemoryContext old = MemoryContextSwitchTo(cxt);

		source = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);
		MemoryContextSwitchTo(old);
	}
	SPI_finish();
	if (source == NULL)
		return NULL;
	ast = siddhi_parse_app(source);
	foreach(lc, ast->definitions)
	{
		SiddhiDefinition *d = lfirst(lc);
		SiddhiInput *in;
		Oid relid;
		AttrNumber att;

		if (d->kind != SIDDHI_DEF_AGGREGATION || d->aggregate_by == NULL ||
			pg_strcasecmp(d->name, r->relname) != 0 || d->aggregation == NULL)
			continue;
		in = d->aggregation->input;
		if (in == NULL || in->stream == NULL)
			return NULL;
		relid = get_relname_relid(in->stream->stream,
								  get_namespace_oid(r->nspname, false));
		att = OidIsValid(relid) ? get_attnum(relid, d->aggregate_by)
								: InvalidAttrNumber;
		if (att == InvalidAttrNumber)
			return NULL;
		*type = get_atttype(relid, att);
		by = d->aggregate_by;
		break;
	}
	return by;
}

/*
 * The aggregation r as the FROM item rv stands for it: a subselect of its
 * view over one granularity and the WITHIN range, named as rv.
 */
static Node *
aggregation_item(OdSqlContext *cx, RangeVar *rv, OdRelation *r)
{
	SiddhiSqlOnDemand *od = cx->od;
	bool form =
		od->form_relation && strcmp(od->form_relation, rv->relname) == 0;
	SelectStmt *s = makeNode(SelectStmt);
	RangeSubselect *rs = makeNode(RangeSubselect);
	Node *per = od->time.per;
	List *groups = NIL;
	char *finest = NULL;
	Relation rel;
	TupleDesc desc;
	List *cols = NIL;
	ListCell *lc;

	if (form && od->form == SIDDHI_OD_FIND)
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("find() reads a named window or a table, and \"%s\" "
						"is an aggregation",
						rv->relname),
				 siddhi_errposition(cx->text, od->form_location),
				 errhint("Write SELECT * FROM %s WITHIN last '1 day' PER "
						 "'hour' WHERE <condition>.",
						 rv->relname)));
	if (cx->time_used)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("a query reads one aggregation"),
				 siddhi_errposition(cx->text, rv->location),
				 errhint("Read each aggregation in a query of its own.")));
	cx->time_used = true;
	finest = aggregation_groups(cx, r, &groups);
	if (per == NULL)
	{
		if (!form)
			ereport(ERROR,
					(errcode(ERRCODE_SIDDHI_SEMANTIC_ERROR),
					 errmsg("a query of aggregation \"%s\" needs PER",
							rv->relname),
					 siddhi_errposition(cx->text, rv->location),
					 errhint("Write SELECT ... FROM %s WITHIN last '30 days' "
							 "PER 'hour'.",
							 rv->relname)));
		per = string_const(finest, od->form_location);
	}

	/* every column of the view but agg_granularity, which PER fixes */
	rel = relation_openrv(makeRangeVar(r->nspname, r->relname, -1),
						  AccessShareLock);
	desc = RelationGetDescr(rel);
	for (int i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, i);

		if (att->attisdropped ||
			strcmp(NameStr(att->attname), "agg_granularity") == 0)
			continue;
		cols = lappend(cols, pstrdup(NameStr(att->attname)));
	}
	relation_close(rel, AccessShareLock);
	foreach(lc, cols)
		s->targetList =
			lappend(s->targetList,
					target((Node *) colref("_v", lfirst(lc), -1), NULL));
	/*
	 * The attribute it is aggregated by, when the statement names it
	 * (DATE(timestamp) in the roadmap): the bucket's start, of that
	 * attribute's type (a timestamp, or milliseconds).  Only then, so that
	 * * keeps the view's columns.
	 */
	if (names_other_column(cx->od->stmt, cols))
	{
		Oid bytype = InvalidOid;
		char *by = aggregation_by(cx, r, &bytype);

		if (by != NULL && !str_member(cols, by) &&
			names_column(cx->od->stmt, by))
		{
			Node *ts = (Node *) colref("_v", "agg_timestamp", -1);

			if (bytype == TIMESTAMPTZOID || bytype == TIMESTAMPOID)
			{
				A_Const *k = makeNode(A_Const);

				k->val.fval.type = T_Float;
				k->val.fval.fval = "1000.0";
				k->location = -1;
				ts = (Node *) makeFuncCall(
					list_make2(makeString("pg_catalog"),
							   makeString("to_timestamp")),
					list_make1(
						makeSimpleA_Expr(AEXPR_OP, "/", ts, (Node *) k, -1)),
					COERCE_EXPLICIT_CALL, -1);
				/* a timestamp's milliseconds are counted in UTC */
				if (bytype == TIMESTAMPOID)
					ts = (Node *) makeFuncCall(
						list_make2(makeString("pg_catalog"),
								   makeString("timezone")),
						list_make2(string_const("UTC", -1), ts),
						COERCE_EXPLICIT_CALL, -1);
			}
			s->targetList = lappend(s->targetList, target(ts, by));
			cols = lappend(cols, by);
		}
	}
	s->fromClause = list_make1(
		makeRangeVar(pstrdup(r->nspname), pstrdup(r->relname), rv->location));
	((RangeVar *) linitial(s->fromClause))->alias = makeAlias("_v", NIL);
	s->whereClause =
		siddhi_aggregation_condition(NULL, od->time.within, per, "_v");
	if (form && od->form == SIDDHI_OD_CURRENT)
	{
		/* the latest bucket of each group: rank() over the groups */
		SelectStmt *outer = makeNode(SelectStmt);
		RangeSubselect *inner = makeNode(RangeSubselect);
		WindowDef *w = makeNode(WindowDef);
		SortBy *sb = makeNode(SortBy);
		FuncCall *rank = makeFuncCall(list_make1(makeString("rank")), NIL,
									  COERCE_EXPLICIT_CALL, -1);

		foreach(lc, groups)
			w->partitionClause =
				lappend(w->partitionClause, colref("_v", lfirst(lc), -1));
		sb->node = (Node *) colref("_v", "agg_timestamp", -1);
		sb->sortby_dir = SORTBY_DESC;
		sb->location = -1;
		w->orderClause = list_make1(sb);
		w->frameOptions = FRAMEOPTION_DEFAULTS;
		w->location = -1;
		rank->over = w;
		s->targetList = lappend(s->targetList, target((Node *) rank, "_rank"));
		inner->subquery = (Node *) s;
		inner->alias = makeAlias("_c", NIL);
		foreach(lc, cols)
			outer->targetList =
				lappend(outer->targetList,
						target((Node *) colref("_c", lfirst(lc), -1), NULL));
		outer->fromClause = list_make1(inner);
		outer->whereClause = (Node *) makeSimpleA_Expr(
			AEXPR_OP, "=", (Node *) colref("_c", "_rank", -1),
			string_const("1", -1), -1);
		s = outer;
	}
	rs->subquery = (Node *) s;
	rs->alias = rv->alias ? rv->alias : makeAlias(pstrdup(rv->relname), NIL);
	cx->aggregation = true;
	cx->agg_alias = rs->alias->aliasname;
	cx->agg_cols = lcons(pstrdup("agg_timestamp"), groups);
	return (Node *) rs;
}

/* A name in FROM: the app's relation it stands for. */
static Node *
rewrite_rangevar(OdSqlContext *cx, RangeVar *rv)
{
	SiddhiSqlOnDemand *od = cx->od;
	OdRelation *r;
	ListCell *lc;

	if (rv->schemaname == NULL)
		foreach(lc, cx->ctes)
			if (strcmp(lfirst(lc), rv->relname) == 0)
				return (Node *) rv;
	if (rv->schemaname || rv->catalogname)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("a name in siddhi.query() cannot be qualified"),
				 siddhi_errposition(cx->text, rv->location),
				 errhint("Name the app's table, window or aggregation alone: "
						 "siddhi.query() finds it in the app's schema.")));
	r = siddhi_od_lookup_relation(cx->app, cx->text, rv->relname,
								  rv->location);
	if (r->kind == SIDDHI_REL_AGGREGATION_VIEW)
		return aggregation_item(cx, rv, r);
	if (od->form_relation && strcmp(od->form_relation, rv->relname) == 0 &&
		od->form != SIDDHI_OD_FIND)
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("%s() reads an aggregation, and \"%s\" is not one",
						od->form == SIDDHI_OD_CURRENT ? "current" : "range",
						rv->relname),
				 siddhi_errposition(cx->text, od->form_location),
				 errhint("Write SELECT * FROM %s [WHERE <condition>].",
						 rv->relname)));
	rv->schemaname = pstrdup(r->nspname);
	return (Node *) rv;
}

static Node *
rewrite_from_item(OdSqlContext *cx, Node *item)
{
	CHECK_FOR_INTERRUPTS();
	check_stack_depth();
	if (IsA(item, RangeVar))
		return rewrite_rangevar(cx, (RangeVar *) item);
	if (IsA(item, JoinExpr))
	{
		JoinExpr *j = (JoinExpr *) item;

		j->larg = rewrite_from_item(cx, j->larg);
		j->rarg = rewrite_from_item(cx, j->rarg);
		rewrite_walker(j->quals, cx);
		return item;
	}
	rewrite_walker(item, cx);
	return item;
}

static void
rewrite_from_list(OdSqlContext *cx, List *items)
{
	ListCell *lc;

	foreach(lc, items)
		lfirst(lc) = rewrite_from_item(cx, lfirst(lc));
}

static void
note_ctes(OdSqlContext *cx, WithClause *with)
{
	ListCell *lc;

	if (with == NULL)
		return;
	foreach(lc, with->ctes)
		cx->ctes =
			lappend(cx->ctes, ((CommonTableExpr *) lfirst(lc))->ctename);
	foreach(lc, with->ctes)
		rewrite_walker(((CommonTableExpr *) lfirst(lc))->ctequery, cx);
}

/* Every FROM list in the tree, subqueries and WITH queries included. */
static bool
rewrite_walker(Node *node, OdSqlContext *cx)
{
	if (node == NULL)
		return false;
	CHECK_FOR_INTERRUPTS();
	check_stack_depth();
	if (IsA(node, SelectStmt))
	{
		SelectStmt *s = (SelectStmt *) node;

		note_ctes(cx, s->withClause);
		rewrite_from_list(cx, s->fromClause);
		rewrite_walker((Node *) s->targetList, cx);
		rewrite_walker(s->whereClause, cx);
		rewrite_walker((Node *) s->groupClause, cx);
		rewrite_walker(s->havingClause, cx);
		rewrite_walker((Node *) s->sortClause, cx);
		rewrite_walker(s->limitCount, cx);
		rewrite_walker(s->limitOffset, cx);
		rewrite_walker((Node *) s->valuesLists, cx);
		rewrite_walker((Node *) s->larg, cx);
		rewrite_walker((Node *) s->rarg, cx);
		return false;
	}
	if (IsA(node, RangeVar))
		return false;
	return raw_expression_tree_walker(node, rewrite_walker, cx);
}

/* Does the list hold an aggregate or window call (an SQL one, by name)? */
static bool
has_aggregate(Node *node, void *context)
{
	static const char *const aggs[] = { "sum",
										"count",
										"avg",
										"min",
										"max",
										"stddev",
										"stddev_samp",
										"stddev_pop",
										"variance",
										"var_samp",
										"var_pop",
										"bool_and",
										"bool_or",
										"every",
										"string_agg",
										"array_agg",
										"json_agg",
										"jsonb_agg",
										"percentile_cont",
										"percentile_disc",
										"mode" };

	if (node == NULL)
		return false;
	if (IsA(node, FuncCall))
	{
		FuncCall *fc = (FuncCall *) node;
		const char *name = strVal(llast(fc->funcname));

		if (fc->agg_star || fc->agg_distinct || fc->agg_filter || fc->over ||
			fc->agg_within_group)
			return true;
		for (int i = 0; i < lengthof(aggs); i++)
			if (pg_strcasecmp(name, aggs[i]) == 0)
				return true;
	}
	if (IsA(node, SelectStmt))
		return false;
	return raw_expression_tree_walker(node, has_aggregate, context);
}

/* Does the expression call a window function? */
static bool
has_window_call(Node *node, void *context)
{
	if (node == NULL)
		return false;
	if (IsA(node, FuncCall) && ((FuncCall *) node)->over)
		return true;
	if (IsA(node, SelectStmt))
		return false;
	return raw_expression_tree_walker(node, has_window_call, context);
}

/*
 * A select of an aggregation with aggregates and no GROUP BY, as the
 * roadmap writes them (SELECT endpoint, SUM(request_count) FROM A WITHIN
 * .. PER 'hour'): grouped by its items that are not aggregates, as if
 * GROUP BY named them, where plain SQL would refuse the statement.
 * Nothing changes with a star, a window function or no plain item.
 */
static void
implicit_group_by(SelectStmt *s)
{
	List *groups = NIL;
	int i = 0;
	ListCell *lc;

	foreach(lc, s->targetList)
	{
		ResTarget *rt = lfirst(lc);

		i++;
		if (has_window_call(rt->val, NULL) ||
			(IsA(rt->val, ColumnRef) &&
			 IsA(llast(((ColumnRef *) rt->val)->fields), A_Star)))
			return;
		if (!has_aggregate(rt->val, NULL))
		{
			A_Const *c = makeNode(A_Const);

			c->val.ival.type = T_Integer;
			c->val.ival.ival = i;
			c->location = -1;
			groups = lappend(groups, c);
		}
	}
	if (groups != NIL && list_length(groups) < i)
		s->groupClause = groups;
}

/* The target of a change: a table of the app, schema-qualified. */
static void
change_target(OdSqlContext *cx, RangeVar *rv, List *returning,
			  List **returning_out)
{
	OdRelation *r;

	if (rv->schemaname || rv->catalogname)
		rewrite_rangevar(cx, rv); /* the error */
	r = siddhi_od_lookup_relation(cx->app, cx->text, rv->relname,
								  rv->location);
	if (r->kind != SIDDHI_REL_TABLE)
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("\"%s\" is %s, and only tables can be changed",
						rv->relname,
						r->kind == SIDDHI_REL_WINDOW ? "a named window"
													 : "an aggregation"),
				 siddhi_errposition(cx->text, rv->location)));
	if (returning != NIL)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("RETURNING is not allowed in siddhi.query()"),
				 siddhi_errposition(
					 cx->text, ((ResTarget *) linitial(returning))->location),
				 errhint("siddhi.query() returns the rows a change made, "
						 "whole: leave RETURNING out.")));
	rv->schemaname = pstrdup(r->nspname);
	*returning_out =
		siddhi_od_jsonb_row(rv->alias ? rv->alias->aliasname : rv->relname);
}

SiddhiOnDemand *
siddhi_ondemand_translate_sql(const char *app, const char *text)
{
	SiddhiOnDemand *res = palloc0(sizeof(SiddhiOnDemand));
	SiddhiSqlOnDemand *od = sqlstream_parse_on_demand(text);
	OdSqlContext cx;
	Node *stmt = od->stmt;

	memset(&cx, 0, sizeof(cx));
	cx.app = app;
	cx.text = text;
	cx.od = od;
	if (IsA(stmt, SelectStmt))
	{
		SelectStmt *s = (SelectStmt *) stmt;

		if (s->intoClause)
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("SELECT INTO is not allowed in siddhi.query()"),
					 siddhi_errposition(text, s->intoClause->rel->location),
					 errhint("Write INSERT INTO table SELECT ...")));
		rewrite_walker(stmt, &cx);
		/* an aggregation's buckets in time order, unless told otherwise */
		if (cx.aggregation && list_length(s->fromClause) == 1 &&
			s->sortClause == NIL && s->groupClause == NIL &&
			s->distinctClause == NIL && s->op == SETOP_NONE &&
			!has_aggregate((Node *) s->targetList, NULL))
		{
			ListCell *lc;

			/* then by the groups: one row per key, in a repeatable order */
			foreach(lc, cx.agg_cols)
			{
				SortBy *sb = makeNode(SortBy);

				sb->node = (Node *) colref(cx.agg_alias, lfirst(lc), -1);
				sb->location = -1;
				s->sortClause = lappend(s->sortClause, sb);
			}
		}
		else if (cx.aggregation && s->groupClause == NIL &&
				 s->op == SETOP_NONE &&
				 has_aggregate((Node *) s->targetList, NULL))
			implicit_group_by(s);
		stmt = siddhi_od_select_as_jsonb(stmt);
	}
	else if (IsA(stmt, InsertStmt))
	{
		InsertStmt *ins = (InsertStmt *) stmt;

		note_ctes(&cx, ins->withClause);
		change_target(&cx, ins->relation, ins->returningList,
					  &ins->returningList);
		rewrite_walker(ins->selectStmt, &cx);
		rewrite_walker((Node *) ins->onConflictClause, &cx);
	}
	else if (IsA(stmt, UpdateStmt))
	{
		UpdateStmt *upd = (UpdateStmt *) stmt;

		note_ctes(&cx, upd->withClause);
		change_target(&cx, upd->relation, upd->returningList,
					  &upd->returningList);
		rewrite_from_list(&cx, upd->fromClause);
		rewrite_walker((Node *) upd->targetList, &cx);
		rewrite_walker(upd->whereClause, &cx);
	}
	else
	{
		DeleteStmt *del = castNode(DeleteStmt, stmt);

		note_ctes(&cx, del->withClause);
		change_target(&cx, del->relation, del->returningList,
					  &del->returningList);
		rewrite_from_list(&cx, del->usingClause);
		rewrite_walker(del->whereClause, &cx);
	}
	if ((od->time.within || od->time.per) && !cx.time_used)
		ereport(ERROR, (errcode(ERRCODE_SIDDHI_SEMANTIC_ERROR),
						errmsg("WITHIN and PER apply to aggregations"),
						siddhi_errposition(text, od->time.within
													 ? od->time.within_location
													 : od->time.per_location),
						errhint("Leave them out to read a table or a window; "
								"filter its rows with WHERE.")));
	res->stmts = list_make1(siddhi_od_raw(stmt));
	return res;
}
