/*-------------------------------------------------------------------------
 *
 * analyze_ondemand.c
 *	  Siddhi's on-demand (store) queries, for siddhi.query(app, text):
 *	  the query becomes PostgreSQL statements over the relations the app
 *	  created, which src/sqlfuncs/query.c runs as the calling user.
 *
 *	  from T [as t] [on c] select ..	  SELECT .. FROM T WHERE c [GROUP BY ..]
 *										  [ORDER BY .. LIMIT ..]; with having,
 *										  SELECT * FROM (that) _q WHERE having
 *										  (over the output attributes, as in
 *										  Siddhi) ORDER BY .. LIMIT ..
 *	  from A [on c] within .. per p ..	  the same over A's view, with the
 *										  bucket conditions of joins
 *	  select e.. insert into T			  INSERT INTO T SELECT e.. RETURNING T.*
 *	  [select e..] delete T [on c]		  DELETE FROM T [USING (SELECT e..)
 *										  _event] [WHERE c] RETURNING T.*
 *	  [select e..] update T set .. on c	  UPDATE T SET .. [FROM (SELECT e..)
 *										  _event] WHERE c RETURNING T.*
 *	  select e.. update or insert into T  the UPDATE, then, when it changed
 *		set .. on c						  nothing, the INSERT
 *
 * We build raw parse trees (the SiddhiQL parser's expressions are raw
 * PostgreSQL nodes already) and let PostgreSQL's analyzer resolve them:
 * its errors carry the query's positions.  The select items of a query
 * without from are the columns of the one-row subquery _event, which set
 * and on read by name (as Siddhi reads the selected attributes).  Update
 * without set sets every column the select names.
 *
 * Siddhi's aggregator names become PostgreSQL's: count() is count(*),
 * distinctCount(x) count(DISTINCT x), stdDev stddev_pop, variance
 * var_pop, avg of any number a double, minForever/maxForever min/max,
 * percentile(x, pct) percentile_cont(pct / 100.0) WITHIN GROUP (ORDER BY
 * x) (exact).
 *
 * Every statement yields one jsonb per row: to_jsonb(_r) over the select,
 * RETURNING to_jsonb(T) for changes.
 *
 * Tables can be changed; named windows (their mirror tables) and
 * aggregations only read.  Streams hold no events to query.
 *
 * Text in streaming SQL goes to analyze_ondemand_sql.c instead.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/relation.h"
#include "analyze_int.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "siddhi/catalog.h"
#include "siddhi/errors.h"
#include "siddhi/parser.h"
#include "utils/builtins.h"
#include "utils/rel.h"

/* A relation of the app by the name the query uses. */
OdRelation *
siddhi_od_lookup_relation(const char *app, const char *text, const char *name,
						  int location)
{
	Oid types[2] = { TEXTOID, TEXTOID };
	Datum args[2];
	OdRelation *r = NULL;
	bool app_exists;
	MemoryContext cxt = CurrentMemoryContext;

	args[0] = CStringGetTextDatum(app);
	args[1] = CStringGetTextDatum(name);
	SPI_connect();
	/* our own statements: pinned, qualified (catalog_spi.c) */
	siddhi_catalog_spi("SELECT 1 FROM siddhi.app "
					   "WHERE name OPERATOR(pg_catalog.=) $1",
					   1, types, args, NULL, true, false);
	app_exists = SPI_processed > 0;
	if (app_exists &&
		siddhi_catalog_spi(
			"SELECT nspname::pg_catalog.text, kind FROM siddhi.app_relation "
			"WHERE app OPERATOR(pg_catalog.=) $1 "
			"AND relname OPERATOR(pg_catalog.=) $2::pg_catalog.name "
			"AND kind OPERATOR(pg_catalog.<>) 'aggregation' "
			"ORDER BY kind OPERATOR(pg_catalog.=) 'stream' LIMIT 1",
			2, types, args, NULL, true, false) == SPI_OK_SELECT &&
		SPI_processed > 0)
	{
		MemoryContext old = MemoryContextSwitchTo(cxt);

		r = palloc0(sizeof(OdRelation));
		r->nspname =
			SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);
		r->kind = siddhi_relation_kind_parse(
			SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2));
		r->relname = pstrdup(name);
		MemoryContextSwitchTo(old);
	}
	SPI_finish();
	if (!app_exists)
		ereport(ERROR, (errcode(ERRCODE_UNDEFINED_OBJECT),
						errmsg("app \"%s\" does not exist", app),
						errhint("The deployed apps are listed in "
								"siddhi.apps.")));
	if (r == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("app \"%s\" has no table, window or aggregation "
						"\"%s\"",
						app, name),
				 siddhi_errposition(text, location)));
	if (r->kind == SIDDHI_REL_STREAM)
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("\"%s\" is a stream, and a stream keeps no events "
						"to query",
						name),
				 siddhi_errposition(text, location),
				 errhint("Query a table, a named window or an "
						 "aggregation.")));
	return r;
}

static RangeVar *
od_rangevar(OdRelation *r, const char *alias, int location)
{
	RangeVar *rv =
		makeRangeVar(pstrdup(r->nspname), pstrdup(r->relname), location);

	if (alias)
		rv->alias = makeAlias(alias, NIL);
	return rv;
}

static bool
name_is(FuncCall *fc, const char *name)
{
	return list_length(fc->funcname) == 1 &&
		   pg_strcasecmp(strVal(linitial(fc->funcname)), name) == 0;
}

/* Siddhi's aggregators as PostgreSQL's, in place; notes whether any. */
static bool
map_aggregators(Node *node, void *context)
{
	if (node == NULL)
		return false;
	CHECK_FOR_INTERRUPTS();
	if (IsA(node, FuncCall))
	{
		FuncCall *fc = (FuncCall *) node;
		static const char *const aggs[] = {
			"sum",		  "count",		   "avg",		"min",
			"max",		  "distinctcount", "stddev",	"minforever",
			"maxforever", "variance",	   "percentile"
		};

		for (int i = 0; i < lengthof(aggs); i++)
			if (name_is(fc, aggs[i]))
				*(bool *) context = true;
		if (name_is(fc, "count") && fc->args == NIL)
			fc->agg_star = true;
		else if (name_is(fc, "distinctCount"))
		{
			fc->funcname = list_make1(makeString("count"));
			fc->agg_distinct = true;
		}
		else if (name_is(fc, "stdDev"))
			fc->funcname = list_make1(makeString("stddev_pop"));
		else if (name_is(fc, "variance"))
			fc->funcname = list_make1(makeString("var_pop"));
		else if (name_is(fc, "minForever"))
			fc->funcname = list_make1(makeString("min"));
		else if (name_is(fc, "maxForever"))
			fc->funcname = list_make1(makeString("max"));
		else if (name_is(fc, "avg") && list_length(fc->args) == 1)
		{
			TypeCast *tc = makeNode(TypeCast);

			tc->arg = linitial(fc->args);
			tc->typeName = SystemTypeName("float8");
			tc->location = -1;
			linitial(fc->args) = tc;
		}
		else if (name_is(fc, "percentile") && list_length(fc->args) == 2)
		{
			/* percentile(x, pct): PostgreSQL's exact percentile_cont */
			SortBy *sb = makeNode(SortBy);
			A_Const *hundred = makeNode(A_Const);

			sb->node = linitial(fc->args);
			sb->sortby_dir = SORTBY_DEFAULT;
			sb->sortby_nulls = SORTBY_NULLS_DEFAULT;
			sb->location = -1;
			hundred->val.fval = *makeFloat(pstrdup("100.0"));
			hundred->location = -1;
			fc->funcname = list_make1(makeString("percentile_cont"));
			fc->args = list_make1(makeSimpleA_Expr(
				AEXPR_OP, "/", lsecond(fc->args), (Node *) hundred, -1));
			fc->agg_order = list_make1(sb);
			fc->agg_within_group = true;
		}
	}
	return raw_expression_tree_walker(node, map_aggregators, context);
}

static ColumnRef *
column_ref(const char *qualifier, Node *last, int location)
{
	ColumnRef *cr = makeNode(ColumnRef);

	cr->fields = qualifier ? list_make2(makeString(pstrdup(qualifier)), last)
						   : list_make1(last);
	cr->location = location;
	return cr;
}

/* to_jsonb(<whole row of name>): each row goes out as one jsonb */
List *
siddhi_od_jsonb_row(const char *name)
{
	ResTarget *rt = makeNode(ResTarget);

	rt->val = (Node *) makeFuncCall(
		list_make2(makeString("pg_catalog"), makeString("to_jsonb")),
		list_make1(column_ref(NULL, (Node *) makeString(pstrdup(name)), -1)),
		COERCE_EXPLICIT_CALL, -1);
	rt->name = "event";
	rt->location = -1;
	return list_make1(rt);
}

/* RETURNING to_jsonb(T): the changed rows */
static List *
returning_all(OdRelation *r)
{
	return siddhi_od_jsonb_row(r->relname);
}

/* SELECT to_jsonb(_r) FROM (s) _r */
Node *
siddhi_od_select_as_jsonb(Node *s)
{
	SelectStmt *outer = makeNode(SelectStmt);
	RangeSubselect *rs = makeNode(RangeSubselect);

	rs->subquery = s;
	rs->alias = makeAlias("_r", NIL);
	outer->targetList = siddhi_od_jsonb_row("_r");
	outer->fromClause = list_make1(rs);
	return (Node *) outer;
}

/* A select item's name: its alias, or the attribute it names. */
static char *
item_name(const char *text, ResTarget *rt)
{
	if (rt->name)
		return rt->name;
	if (IsA(rt->val, ColumnRef))
	{
		Node *last = llast(((ColumnRef *) rt->val)->fields);

		if (IsA(last, String))
			return strVal(last);
	}
	ereport(ERROR, (errcode(ERRCODE_SIDDHI_SEMANTIC_ERROR),
					errmsg("this select item needs a name"),
					siddhi_errposition(text, rt->location),
					errhint("Write \"expression as name\".")));
	return NULL;
}

/* SELECT <items> (no FROM), with each item named. */
static SelectStmt *
event_select(const char *text, SiddhiSelector *sel)
{
	SelectStmt *s = makeNode(SelectStmt);
	ListCell *lc;

	if (sel->select_all || sel->group_by || sel->having || sel->order_by ||
		sel->limit || sel->offset)
		ereport(ERROR,
				(errcode(ERRCODE_SIDDHI_SEMANTIC_ERROR),
				 errmsg("a select without from takes named values only"),
				 siddhi_errposition(text, sel->location),
				 errhint("Write select 'IBM' as symbol, 100.0 as price "
						 "insert into T.")));
	foreach(lc, sel->targets)
	{
		ResTarget *rt = copyObject(lfirst(lc));

		rt->name = item_name(text, rt);
		s->targetList = lappend(s->targetList, rt);
	}
	return s;
}

static RangeSubselect *
event_subselect(SelectStmt *s)
{
	RangeSubselect *rs = makeNode(RangeSubselect);

	rs->subquery = (Node *) s;
	rs->alias = makeAlias("_event", NIL);
	return rs;
}

RawStmt *
siddhi_od_raw(Node *stmt)
{
	RawStmt *r = makeNode(RawStmt);

	r->stmt = stmt;
	r->stmt_location = 0;
	r->stmt_len = 0;
	return r;
}

/* from T [on ..] [within .. per ..] select .. */
static Node *
translate_from(const char *app, const char *text, SiddhiQuery *q)
{
	SiddhiInput *in = q->input;
	SiddhiStreamInput *si = in->stream;
	SiddhiSelector *sel = q->selector;
	OdRelation *r =
		siddhi_od_lookup_relation(app, text, si->stream, si->location);
	const char *ref = si->alias ? si->alias : si->stream;
	SelectStmt *s = makeNode(SelectStmt);
	bool aggregates = false;
	bool aggregation = r->kind == SIDDHI_REL_AGGREGATION_VIEW;

	if (aggregation && in->per == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_SIDDHI_SEMANTIC_ERROR),
				 errmsg("a query of aggregation \"%s\" needs per", si->stream),
				 siddhi_errposition(text, si->location),
				 errhint("Write from A within '2017-06-** **:**:**' per "
						 "'days' select ...")));
	if (!aggregation && (in->within || in->per))
		ereport(ERROR,
				(errcode(ERRCODE_SIDDHI_SEMANTIC_ERROR),
				 errmsg("within and per apply to aggregations"),
				 siddhi_errposition(
					 text, exprLocation(in->within ? in->within : in->per)),
				 errhint("\"%s\" is not an aggregation.", si->stream)));
	s->fromClause = list_make1(od_rangevar(r, si->alias, si->location));
	if (sel->select_all)
	{
		ResTarget *rt = makeNode(ResTarget);

		rt->location = sel->location;
		if (aggregation)
		{
			/* every column but agg_granularity, which per fixes */
			Relation rel = relation_openrv(
				makeRangeVar(r->nspname, r->relname, -1), AccessShareLock);
			TupleDesc desc = RelationGetDescr(rel);

			for (int i = 0; i < desc->natts; i++)
			{
				Form_pg_attribute att = TupleDescAttr(desc, i);
				ResTarget *c;

				if (att->attisdropped ||
					strcmp(NameStr(att->attname), "agg_granularity") == 0)
					continue;
				c = makeNode(ResTarget);
				c->location = sel->location;
				c->val = (Node *) column_ref(
					ref, (Node *) makeString(pstrdup(NameStr(att->attname))),
					sel->location);
				s->targetList = lappend(s->targetList, c);
			}
			relation_close(rel, AccessShareLock);
		}
		else
		{
			rt->val = (Node *) column_ref(NULL, (Node *) makeNode(A_Star),
										  sel->location);
			s->targetList = list_make1(rt);
		}
	}
	else
		s->targetList = sel->targets;
	s->whereClause =
		aggregation
			? siddhi_aggregation_condition(in->on, in->within, in->per, ref)
			: in->on;
	s->groupClause = sel->group_by;
	s->havingClause = sel->having;
	s->sortClause = sel->order_by;
	s->limitCount = sel->limit;
	s->limitOffset = sel->offset;
	s->limitOption = LIMIT_OPTION_COUNT;
	map_aggregators((Node *) s->targetList, &aggregates);
	map_aggregators(s->havingClause, &aggregates);
	map_aggregators((Node *) s->sortClause, &aggregates);
	/*
	 * Siddhi's having reads the output attributes (totalVolume > 150):
	 * filter the grouped rows in an outer query, which also orders and
	 * limits them.
	 */
	if (s->havingClause)
	{
		SelectStmt *outer = makeNode(SelectStmt);
		RangeSubselect *rs = makeNode(RangeSubselect);
		ResTarget *all = makeNode(ResTarget);

		all->val = (Node *) column_ref(NULL, (Node *) makeNode(A_Star), -1);
		all->location = -1;
		rs->subquery = (Node *) s;
		rs->alias = makeAlias("_q", NIL);
		outer->targetList = list_make1(all);
		outer->fromClause = list_make1(rs);
		outer->whereClause = s->havingClause;
		outer->sortClause = s->sortClause;
		outer->limitCount = s->limitCount;
		outer->limitOffset = s->limitOffset;
		outer->limitOption = LIMIT_OPTION_COUNT;
		s->havingClause = NULL;
		s->sortClause = NIL;
		s->limitCount = s->limitOffset = NULL;
		return (Node *) outer;
	}
	/* an aggregation's buckets in time order, unless told otherwise */
	if (aggregation && s->sortClause == NIL && s->groupClause == NIL &&
		!aggregates)
	{
		SortBy *sb = makeNode(SortBy);

		sb->node =
			(Node *) column_ref(ref, (Node *) makeString("agg_timestamp"), -1);
		sb->location = -1;
		s->sortClause = list_make1(sb);
	}
	return (Node *) s;
}

/* SET columns: as written, or each item the select names. */
static List *
set_list(const char *text, SiddhiQuery *q)
{
	List *set = NIL;
	ListCell *lc;

	if (q->output->set)
		return q->output->set;
	if (q->selector == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_SIDDHI_SEMANTIC_ERROR),
				 errmsg("an update needs set, or a select naming the "
						"columns"),
				 siddhi_errposition(text, q->output->location),
				 errhint("Write update T set T.price = 10.0 on T.symbol == "
						 "'IBM'.")));
	foreach(lc, q->selector->targets)
	{
		ResTarget *rt = makeNode(ResTarget);
		char *name = item_name(text, lfirst(lc));

		rt->name = name;
		rt->val = (Node *) column_ref("_event", (Node *) makeString(name), -1);
		rt->location = ((ResTarget *) lfirst(lc))->location;
		set = lappend(set, rt);
	}
	return set;
}

/*
 * In on and set, a bare name that the select names is that item (the
 * event's attribute, as in Siddhi), not a column of the table: qualify
 * it with _event.
 */
static bool
qualify_event_names(Node *node, void *context)
{
	List *names = context;

	if (node == NULL)
		return false;
	CHECK_FOR_INTERRUPTS();
	if (IsA(node, ColumnRef))
	{
		ColumnRef *cr = (ColumnRef *) node;
		ListCell *lc;

		if (list_length(cr->fields) == 1 && IsA(linitial(cr->fields), String))
			foreach(lc, names)
				if (strcmp(strVal(linitial(cr->fields)), lfirst(lc)) == 0)
				{
					cr->fields = lcons(makeString("_event"), cr->fields);
					break;
				}
		return false;
	}
	return raw_expression_tree_walker(node, qualify_event_names, context);
}

static void
qualify_event_refs(const char *text, SiddhiQuery *q)
{
	List *names = NIL;
	ListCell *lc;

	if (q->selector == NULL)
		return;
	foreach(lc, q->selector->targets)
		names = lappend(names, item_name(text, lfirst(lc)));
	qualify_event_names(q->output->on, names);
	foreach(lc, q->output->set)
		qualify_event_names(((ResTarget *) lfirst(lc))->val, names);
}

SiddhiOnDemand *
siddhi_ondemand_translate(const char *app, const char *text)
{
	SiddhiOnDemand *od;
	SiddhiQuery *q;
	SiddhiOutput *o;
	OdRelation *r;
	RangeVar *rv;

	/* streaming SQL: analyze_ondemand_sql.c */
	if (siddhi_ondemand_is_sql(text))
		return siddhi_ondemand_translate_sql(app, text);
	od = palloc0(sizeof(SiddhiOnDemand));
	q = siddhiql_parse_on_demand(text);
	o = q->output;

	if (o == NULL)
	{
		od->stmts = list_make1(siddhi_od_raw(
			siddhi_od_select_as_jsonb(translate_from(app, text, q))));
		return od;
	}
	r = siddhi_od_lookup_relation(app, text, o->target, o->location);
	if (r->kind != SIDDHI_REL_TABLE)
		ereport(
			ERROR,
			(errcode(ERRCODE_WRONG_OBJECT_TYPE),
			 errmsg("\"%s\" is %s, and only tables can be changed", o->target,
					r->kind == SIDDHI_REL_WINDOW ? "a named window"
												 : "an aggregation"),
			 siddhi_errposition(text, o->location)));
	rv = od_rangevar(r, NULL, o->location);
	if (o->kind != SIDDHI_OUT_INSERT)
		qualify_event_refs(text, q);
	switch (o->kind)
	{
		case SIDDHI_OUT_INSERT:
		{
			InsertStmt *ins = makeNode(InsertStmt);

			ins->relation = rv;
			ins->selectStmt = (Node *) event_select(text, q->selector);
			ins->returningList = returning_all(r);
			od->stmts = list_make1(siddhi_od_raw((Node *) ins));
			break;
		}
		case SIDDHI_OUT_DELETE:
		{
			DeleteStmt *del = makeNode(DeleteStmt);

			del->relation = rv;
			if (q->selector)
				del->usingClause = list_make1(
					event_subselect(event_select(text, q->selector)));
			del->whereClause = o->on;
			del->returningList = returning_all(r);
			od->stmts = list_make1(siddhi_od_raw((Node *) del));
			break;
		}
		case SIDDHI_OUT_UPDATE:
		case SIDDHI_OUT_UPSERT:
		{
			UpdateStmt *upd = makeNode(UpdateStmt);

			upd->relation = rv;
			upd->targetList = set_list(text, q);
			if (q->selector)
				upd->fromClause = list_make1(
					event_subselect(event_select(text, q->selector)));
			upd->whereClause = o->on;
			upd->returningList = returning_all(r);
			od->stmts = list_make1(siddhi_od_raw((Node *) upd));
			if (o->kind == SIDDHI_OUT_UPSERT)
			{
				InsertStmt *ins = makeNode(InsertStmt);

				ins->relation = od_rangevar(r, NULL, o->location);
				ins->selectStmt = (Node *) event_select(text, q->selector);
				ins->returningList = returning_all(r);
				od->stmts = lappend(od->stmts, siddhi_od_raw((Node *) ins));
				od->upsert = true;
			}
			break;
		}
		default:
			elog(ERROR, "unexpected on-demand output %d", (int) o->kind);
	}
	return od;
}
