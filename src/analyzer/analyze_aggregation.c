/*-------------------------------------------------------------------------
 *
 * analyze_aggregation.c
 *	  Incremental aggregations: define aggregation A from S select ..
 *	  group by .. aggregate [by ts] every sec ... year, and the SQL
 *	  dialect's CREATE AGGREGATION.
 *
 * An aggregation becomes one heap table per granularity, named
 * <a>_sec, <a>_min, <a>_hour, <a>_day, <a>_month, <a>_year, in the app's
 * schema, holding agg_timestamp (the bucket's start, ms since the Unix
 * epoch, UTC), the group-by columns, the last value of every other plain
 * expression, and the partial states of the aggregators: sum, count, min,
 * max as one column each, avg as <name>_sum and <name>_count,
 * distinctCount as <name>_set (a bounded sketch of the values' hashes,
 * src/runtime/aggregation/distinct_sketch.c).  A unique
 * constraint (NULLS NOT DISTINCT, as a group may be null) on the group
 * columns and agg_timestamp is what the runtime's upserts merge on.  A view
 * <a> shows all granularities with the finished values (avg computed) and
 * agg_granularity ('sec', ...).
 *
 * Here we resolve the select list against the input stream through
 * PostgreSQL's transformExpr (aggregators become PARAM_EXEC params, as in
 * queries), create or look up the relations, and write the upsert of each
 * table; src/runtime/aggregation/incremental.c runs them.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/table.h"
#include "access/xact.h"
#include "analyze_int.h"
#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "parser/parse_coerce.h"
#include "parser/parse_expr.h"
#include "parser/parse_relation.h"
#include "pgtime.h"
#include "siddhi/catalog.h"
#include "siddhi/errors.h"
#include "siddhi/parser.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/timestamp.h"

const char *const siddhi_granularity_names[SIDDHI_INC_NGRAN] = {
	"sec", "min", "hour", "day", "month", "year"
};

static void
agg_error(AnalyzeState *st, int location, int code, const char *msg,
		  const char *hint)
{
	ereport(ERROR,
			(errcode(code), errmsg("%s", msg), hint ? errhint("%s", hint) : 0,
			 siddhi_errposition(st->app->source, location)));
}

static int
granularity_index(const char *name)
{
	for (int i = 0; i < SIDDHI_INC_NGRAN; i++)
		if (pg_strcasecmp(name, siddhi_granularity_names[i]) == 0)
			return i;
	return -1;
}

/* A select item's name: its alias, or the attribute it names. */
static char *
target_name(AnalyzeState *st, ResTarget *rt)
{
	if (rt->name)
		return rt->name;
	if (IsA(rt->val, ColumnRef))
	{
		ColumnRef *cr = (ColumnRef *) rt->val;
		Node *last = llast(cr->fields);

		if (IsA(last, String))
			return strVal(last);
	}
	agg_error(st, rt->location, ERRCODE_SIDDHI_SEMANTIC_ERROR,
			  "an aggregation's select item needs a name",
			  "Write \"expression as name\".");
	return NULL;
}

static bool
is_param(Node *node, void *context)
{
	if (node == NULL)
		return false;
	CHECK_FOR_INTERRUPTS();
	if (IsA(node, Param))
		return true;
	return expression_tree_walker(node, is_param, context);
}

/* The physical columns "name type" of a table, after agg_timestamp. */
static void
physical_columns(List *columns, List **names, List **types)
{
	ListCell *lc;

	foreach(lc, columns)
	{
		SiddhiIncColumn *c = lfirst(lc);

		if (c->kind == SIDDHI_INC_AGG && c->agg == SIDDHI_AGG_AVG)
		{
			*names = lappend(*names, psprintf("%s_sum", c->name));
			*types = lappend_oid(*types, FLOAT8OID);
			*names = lappend(*names, psprintf("%s_count", c->name));
			*types = lappend_oid(*types, INT8OID);
		}
		else if (c->kind == SIDDHI_INC_AGG &&
				 c->agg == SIDDHI_AGG_DISTINCT_COUNT)
		{
			*names = lappend(*names, psprintf("%s_set", c->name));
			*types = lappend_oid(*types, INT8ARRAYOID);
		}
		else if (c->kind == SIDDHI_INC_AGG && SIDDHI_AGG_IS_PERCENTILE(c->agg))
		{
			*names = lappend(*names, psprintf("%s_sketch", c->name));
			*types = lappend_oid(*types, BYTEAOID);
		}
		else
		{
			*names = lappend(*names, c->name);
			*types = lappend_oid(*types, c->type);
		}
	}
}

static void
run_sql(const char *sql)
{
	SPI_connect();
	if (SPI_execute(sql, false, 0) < 0)
		elog(ERROR, "SPI_execute failed: %s", sql);
	SPI_finish();
}

/* Bind (LOAD: look up; DEPLOY: create when missing) one relation. */
static SiddhiRelation *
bind_aggregation_relation(AnalyzeState *st, const char *relname,
						  SiddhiRelKind kind, const char *create_sql,
						  int location)
{
	SiddhiRelation *r = palloc0(sizeof(SiddhiRelation));

	r->name = pstrdup(relname);
	r->kind = kind;
	if (st->mode == SIDDHI_ANALYZE_LOAD)
	{
		siddhi_lookup_known(st, r, relname, kind);
		if (!OidIsValid(r->relid))
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_TABLE),
					 errmsg("relation \"%s\" of an aggregation does not exist",
							relname),
					 siddhi_errposition(st->app->source, location),
					 errhint("Redeploy the app to create it again.")));
		return r;
	}

	r->relid = RangeVarGetRelid(makeRangeVar(NULL, pstrdup(relname), -1),
								NoLock, true);
	if (OidIsValid(r->relid))
	{
		char want =
			kind == SIDDHI_REL_AGGREGATION ? RELKIND_RELATION : RELKIND_VIEW;

		/* kept from an earlier deploy (undeploy keeps them): reuse */
		if (get_rel_relkind(r->relid) != want)
			ereport(ERROR,
					(errcode(ERRCODE_DUPLICATE_TABLE),
					 errmsg("relation \"%s\" already exists", relname),
					 siddhi_errposition(st->app->source, location),
					 errhint("An aggregation creates its tables and view: "
							 "use another name, or drop the relation.")));
		if (kind == SIDDHI_REL_AGGREGATION_VIEW)
			run_sql(create_sql); /* CREATE OR REPLACE VIEW */
		r->created = true;
	}
	else
	{
		run_sql(create_sql);
		r->relid = RangeVarGetRelid(makeRangeVar(NULL, pstrdup(relname), -1),
									NoLock, false);
		r->created = true;
	}
	if (kind == SIDDHI_REL_AGGREGATION)
		siddhi_protect_relation(r->relid);
	r->nspname = get_namespace_name(get_rel_namespace(r->relid));
	return r;
}

/*
 * Prepare an upsert once at deploy: a table kept from an earlier deploy
 * whose columns no longer fit fails here, not in the engine.
 */
static void
check_upsert(AnalyzeState *st, SiddhiAggregationPlan *ap, const char *table,
			 const char *sql, int location)
{
	MemoryContext mcxt = CurrentMemoryContext;
	int n = list_length(ap->param_types);
	Oid *types = palloc(sizeof(Oid) * n);
	ListCell *lc;
	int i = 0;
	bool ok = true;

	foreach(lc, ap->param_types)
		types[i++] = lfirst_oid(lc);
	SPI_connect();
	BeginInternalSubTransaction(NULL);
	PG_TRY();
	{
		ok = SPI_prepare(sql, n, types) != NULL;
		ReleaseCurrentSubTransaction();
	}
	PG_CATCH();
	{
		MemoryContextSwitchTo(mcxt);
		FlushErrorState();
		RollbackAndReleaseCurrentSubTransaction();
		ok = false;
	}
	PG_END_TRY();
	MemoryContextSwitchTo(mcxt);
	SPI_finish();
	if (!ok)
		agg_error(
			st, location, ERRCODE_DUPLICATE_TABLE,
			psprintf("table \"%s\" already exists with other columns", table),
			"Drop the aggregation's tables (siddhi.undeploy(.., "
			"drop_tables => true)) or use another name.");
}

/* The SQL of each granularity's table, its upsert, and the view. */
static void
build_relations(AnalyzeState *st, SiddhiDefinition *d,
				SiddhiAggregationPlan *ap)
{
	List *names = NIL, *types = NIL;
	StringInfoData view;
	ListCell *lc;
	bool first_gran = true;

	physical_columns(ap->columns, &names, &types);
	ap->param_types = lcons_oid(INT8OID, list_copy(types));
	/*
	 * Bulk upserts take one array per column: every type needs an array
	 * type, and a distinctCount sketch (itself an array) cannot be one
	 * element of an array of rows of different lengths.
	 */
	foreach(lc, ap->columns)
	{
		SiddhiIncColumn *c = lfirst(lc);

		/* a percentile's sketch is built at flush time, row by row */
		if (c->kind == SIDDHI_INC_AGG && SIDDHI_AGG_IS_PERCENTILE(c->agg))
			goto no_bulk;
	}
	foreach(lc, ap->param_types)
	{
		Oid at = get_array_type(lfirst_oid(lc));

		if (!OidIsValid(at) || lfirst_oid(lc) == INT8ARRAYOID)
		{
			list_free(ap->bulk_param_types);
			ap->bulk_param_types = NIL;
			break;
		}
		ap->bulk_param_types = lappend_oid(ap->bulk_param_types, at);
	}
no_bulk:

	initStringInfo(&view);
	appendStringInfo(&view, "CREATE OR REPLACE VIEW %s AS ",
					 quote_identifier(ap->name));
	foreach(lc, ap->grans)
	{
		int g = lfirst_int(lc);
		char *table = psprintf("%s_%s", ap->name, siddhi_granularity_names[g]);
		StringInfoData sql, key, ins, set;
		ListCell *n, *t, *c;
		int param = 1;
		SiddhiRelation *r;

		if (strlen(table) >= NAMEDATALEN)
			agg_error(
				st, d->location, ERRCODE_NAME_TOO_LONG,
				psprintf("aggregation table name \"%s\" is too long", table),
				"Use a shorter aggregation name.");
		initStringInfo(&sql);
		initStringInfo(&key);
		initStringInfo(&ins);
		initStringInfo(&set);
		appendStringInfo(&sql,
						 "CREATE TABLE %s (agg_timestamp bigint NOT NULL",
						 quote_identifier(table));
		appendStringInfoString(&ins, "agg_timestamp");
		forboth(n, names, t, types)
		{
			appendStringInfo(&sql, ", %s %s", quote_identifier(lfirst(n)),
							 format_type_be(lfirst_oid(t)));
			appendStringInfo(&ins, ", %s", quote_identifier(lfirst(n)));
		}
		foreach(c, ap->columns)
		{
			SiddhiIncColumn *col = lfirst(c);
			const char *q = quote_identifier(col->name);

			if (col->kind == SIDDHI_INC_GROUP)
				appendStringInfo(&key, "%s, ", q);
			else
			{
				if (set.len > 0)
					appendStringInfoString(&set, ", ");
				if (col->kind == SIDDHI_INC_LAST)
					appendStringInfo(&set, "%s = excluded.%s", q, q);
				else if (col->agg == SIDDHI_AGG_MIN)
					appendStringInfo(&set, "%s = least(t.%s, excluded.%s)", q,
									 q, q);
				else if (col->agg == SIDDHI_AGG_MAX)
					appendStringInfo(&set, "%s = greatest(t.%s, excluded.%s)",
									 q, q, q);
				else if (col->agg == SIDDHI_AGG_AVG)
				{
					const char *s =
						quote_identifier(psprintf("%s_sum", col->name));
					const char *k =
						quote_identifier(psprintf("%s_count", col->name));

					appendStringInfo(&set,
									 "%s = coalesce(t.%s + excluded.%s, t.%s, "
									 "excluded.%s), %s = t.%s + excluded.%s",
									 s, s, s, s, s, k, k, k);
				}
				else if (col->agg == SIDDHI_AGG_COUNT)
					appendStringInfo(&set, "%s = t.%s + excluded.%s", q, q, q);
				else if (col->agg == SIDDHI_AGG_DISTINCT_COUNT)
				{
					const char *k =
						quote_identifier(psprintf("%s_set", col->name));

					appendStringInfo(&set,
									 "%s = siddhi.distinct_union(t.%s, "
									 "excluded.%s)",
									 k, k, k);
				}
				else if (SIDDHI_AGG_IS_PERCENTILE(col->agg))
				{
					const char *k =
						quote_identifier(psprintf("%s_sketch", col->name));

					appendStringInfo(&set,
									 "%s = siddhi.percentile_union(t.%s, "
									 "excluded.%s)",
									 k, k, k);
				}
				else
					appendStringInfo(&set,
									 "%s = coalesce(t.%s + excluded.%s, t.%s, "
									 "excluded.%s)",
									 q, q, q, q, q);
			}
		}
		/* group first: one group's buckets over time is an index range */
		appendStringInfoString(&key, "agg_timestamp");
		/*
		 * A bucket is updated many times: room on its page lets the update
		 * be HOT, without new index entries.
		 */
		appendStringInfo(
			&sql, ", UNIQUE NULLS NOT DISTINCT (%s)) WITH (fillfactor = 70)",
			key.data);
		/*
		 * Retention deletes by time, and buckets arrive roughly in time
		 * order: a BRIN index finds old rows for little write cost.
		 */
		appendStringInfo(&sql,
						 "; CREATE INDEX ON %s USING brin (agg_timestamp)",
						 quote_identifier(table));
		r = bind_aggregation_relation(st, table, SIDDHI_REL_AGGREGATION,
									  sql.data, d->location);
		ap->tables = lappend(ap->tables, r);
		st->plan->relations = lappend(st->plan->relations, r);

		resetStringInfo(&sql);
		appendStringInfo(&sql, "INSERT INTO %s AS t (%s) VALUES (",
						 quote_qualified_identifier(r->nspname, table),
						 ins.data);
		for (param = 1; param <= list_length(ap->param_types); param++)
			appendStringInfo(&sql, "%s$%d", param > 1 ? ", " : "", param);
		appendStringInfo(&sql, ") ON CONFLICT (%s) DO ", key.data);
		if (set.len > 0)
			appendStringInfo(&sql, "UPDATE SET %s", set.data);
		else
			appendStringInfoString(&sql, "NOTHING");
		ap->upserts = lappend(ap->upserts, sql.data);

		/* the same for many rows at once, from one array per column */
		if (ap->bulk_param_types != NIL)
		{
			StringInfoData bulk;

			initStringInfo(&bulk);
			appendStringInfo(
				&bulk, "INSERT INTO %s AS t (%s) SELECT * FROM unnest(",
				quote_qualified_identifier(r->nspname, table), ins.data);
			for (param = 1; param <= list_length(ap->param_types); param++)
				appendStringInfo(&bulk, "%s$%d", param > 1 ? ", " : "", param);
			appendStringInfoChar(&bulk, ')');
			ap->bulk_inserts = lappend(ap->bulk_inserts, pstrdup(bulk.data));
			appendStringInfo(&bulk, " ON CONFLICT (%s) DO ", key.data);
			if (set.len > 0)
				appendStringInfo(&bulk, "UPDATE SET %s", set.data);
			else
				appendStringInfoString(&bulk, "NOTHING");
			ap->bulk_upserts = lappend(ap->bulk_upserts, bulk.data);
		}
		if (st->mode == SIDDHI_ANALYZE_DEPLOY)
			check_upsert(st, ap, table, sql.data, d->location);

		/* the view: finished values of every granularity */
		if (!first_gran)
			appendStringInfoString(&view, " UNION ALL ");
		first_gran = false;
		appendStringInfo(&view,
						 "SELECT %s::text AS agg_granularity, "
						 "agg_timestamp",
						 quote_literal_cstr(siddhi_granularity_names[g]));
		foreach(c, ap->columns)
		{
			SiddhiIncColumn *col = lfirst(c);
			const char *q = quote_identifier(col->name);

			if (col->kind == SIDDHI_INC_AGG && col->agg == SIDDHI_AGG_AVG)
				appendStringInfo(
					&view, ", %s / nullif(%s, 0) AS %s",
					quote_identifier(psprintf("%s_sum", col->name)),
					quote_identifier(psprintf("%s_count", col->name)), q);
			else if (col->kind == SIDDHI_INC_AGG &&
					 col->agg == SIDDHI_AGG_DISTINCT_COUNT)
				appendStringInfo(
					&view, ", siddhi.distinct_count(%s) AS %s",
					quote_identifier(psprintf("%s_set", col->name)), q);
			else if (col->kind == SIDDHI_INC_AGG &&
					 SIDDHI_AGG_IS_PERCENTILE(col->agg))
				appendStringInfo(
					&view, ", siddhi.percentile_value(%s, %.17g, %s) AS %s",
					quote_identifier(psprintf("%s_sketch", col->name)),
					col->fraction,
					col->agg == SIDDHI_AGG_PERCENTILE_DISC ? "true" : "false",
					q);
			else
				appendStringInfo(&view, ", %s", q);
		}
		appendStringInfo(&view, " FROM %s", quote_identifier(table));
	}
	ap->view = bind_aggregation_relation(
		st, ap->name, SIDDHI_REL_AGGREGATION_VIEW, view.data, d->location);
	st->plan->relations = lappend(st->plan->relations, ap->view);
}

/* A duration such as '120 sec' or '1 year', in ms (analyze_partition.c). */
static int64
duration_ms(AnalyzeState *st, const char *text, int location)
{
	return siddhi_duration_ms(st, text, location, "duration",
							  "Write a duration such as '120 sec', '30 days' "
							  "or '1 year', or 'all'.");
}

/*
 * Retention, as Siddhi's @purge(enable = 'true', interval = '15 min',
 * @retentionPeriod(sec = '120 sec', min = '24 hours', hour = '30 days',
 * day = '1 year', month = 'all', year = 'all')), those being the defaults.
 * The SQL dialect's WITH options arrive here as such an annotation.
 */
static void
analyze_purge(AnalyzeState *st, SiddhiDefinition *d, SiddhiAggregationPlan *ap)
{
	static const int64 defaults[SIDDHI_INC_NGRAN] = {
		120000, 86400000, 30 * 86400000LL, 31536000000LL, -1, -1
	};
	ListCell *lc;

	ap->purge = true;
	ap->purge_interval = 15 * 60000;
	memcpy(ap->retention, defaults, sizeof(defaults));
	ap->playback = st->plan->playback;
	foreach(lc, d->annotations)
	{
		SiddhiAnnotation *a = lfirst(lc);
		ListCell *e;

		if (pg_strcasecmp(a->name, "purge") != 0)
			continue;
		foreach(e, a->elements)
		{
			SiddhiAnnotationElement *el = lfirst(e);

			if (el->key && pg_strcasecmp(el->key, "enable") == 0)
			{
				if (pg_strcasecmp(el->value, "true") != 0 &&
					pg_strcasecmp(el->value, "false") != 0)
					agg_error(st, el->location,
							  ERRCODE_INVALID_PARAMETER_VALUE,
							  psprintf("invalid value for enable: \"%s\"",
									   el->value),
							  "Write enable = 'true' or 'false'.");
				ap->purge = pg_strcasecmp(el->value, "true") == 0;
			}
			else if (el->key && pg_strcasecmp(el->key, "interval") == 0)
			{
				ap->purge_interval = duration_ms(st, el->value, el->location);
				if (ap->purge_interval <= 0)
					agg_error(st, el->location,
							  ERRCODE_INVALID_PARAMETER_VALUE,
							  "the purge interval must be positive", NULL);
			}
			else
				agg_error(st, el->location, ERRCODE_SIDDHI_SEMANTIC_ERROR,
						  psprintf("unknown @purge element \"%s\"",
								   el->key ? el->key : el->value),
						  "@purge takes enable, interval and "
						  "@retentionPeriod(sec = .., ..).");
		}
		foreach(e, a->annotations)
		{
			SiddhiAnnotation *r = lfirst(e);
			ListCell *x;

			if (pg_strcasecmp(r->name, "retentionPeriod") != 0)
				agg_error(
					st, r->location, ERRCODE_SIDDHI_SEMANTIC_ERROR,
					psprintf("unknown annotation @%s in @purge", r->name),
					"Write @retentionPeriod(sec = '120 sec', ..).");
			foreach(x, r->elements)
			{
				SiddhiAnnotationElement *el = lfirst(x);
				int g = el->key ? granularity_index(el->key) : -1;

				if (g < 0 && el->key)
				{
					static const char *const longer[] = { "second", "minute",
														  "hour",	"day",
														  "month",	"year" };

					for (int k = 0; k < SIDDHI_INC_NGRAN; k++)
						if (pg_strncasecmp(el->key, longer[k],
										   strlen(longer[k])) == 0)
							g = k;
				}
				if (g < 0)
					agg_error(st, el->location, ERRCODE_SIDDHI_SEMANTIC_ERROR,
							  psprintf("unknown granularity \"%s\"",
									   el->key ? el->key : el->value),
							  "Granularities are sec, min, hour, day, "
							  "month and year.");
				ap->retention[g] =
					pg_strcasecmp(el->value, "all") == 0
						? -1
						: duration_ms(st, el->value, el->location);
			}
		}
	}
}

/*
 * The time zone of the buckets: @aggTimeZone('Asia/Kolkata') on the
 * aggregation, else @app:aggTimeZone(..) on the app (Siddhi's aggTimeZone
 * property), else UTC.  The SQL dialect's WITH (timezone = ..) arrives as
 * the former.
 */
static void
analyze_timezone(AnalyzeState *st, SiddhiDefinition *d,
				 SiddhiAggregationPlan *ap)
{
	const char *tz =
		siddhi_annotation_value(d->annotations, "aggTimeZone", NULL);
	int location = d->location;
	ListCell *lc;

	foreach(lc, d->annotations)
	{
		SiddhiAnnotation *a = lfirst(lc);

		if (pg_strcasecmp(a->name, "aggTimeZone") == 0)
			location = a->location;
	}
	if (tz == NULL)
		tz = siddhi_annotation_value(st->app->annotations, "app:aggTimeZone",
									 NULL);
	if (tz == NULL || pg_strcasecmp(tz, "UTC") == 0 ||
		pg_strcasecmp(tz, "GMT") == 0)
		return;
	if (*tz == '\0' || pg_tzset(tz) == NULL)
		agg_error(st, location, ERRCODE_INVALID_PARAMETER_VALUE,
				  psprintf("time zone \"%s\" is not recognized", tz),
				  "Name a zone of pg_timezone_names, such as 'Asia/Kolkata' "
				  "or 'America/New_York'.");
	ap->timezone = pstrdup(tz);
}

static SiddhiAggregationPlan *
analyze_aggregation(AnalyzeState *st, SiddhiDefinition *d)
{
	SiddhiAggregationPlan *ap = palloc0(sizeof(SiddhiAggregationPlan));
	SiddhiQuery *q = d->aggregation;
	SiddhiStreamInput *in;
	ParseState *pstate;
	ParseNamespaceItem *nsitem;
	Relation rel;
	List *aggs = NIL;
	List *group = NIL;
	ListCell *lc;
	bool seen[SIDDHI_INC_NGRAN] = { false };

	ap->name = pstrdup(d->name);
	if (q == NULL || q->input == NULL || q->input->kind != SIDDHI_INPUT_STREAM)
		agg_error(st, d->location, ERRCODE_SIDDHI_SEMANTIC_ERROR,
				  "an aggregation reads a single stream", NULL);
	in = q->input->stream;
	ap->input = siddhi_find_relation(st, in->stream);
	if (ap->input == NULL || ap->input->kind != SIDDHI_REL_STREAM)
		agg_error(st, in->location, ERRCODE_UNDEFINED_TABLE,
				  psprintf("stream \"%s\" is not defined", in->stream),
				  "Define the stream the aggregation reads.");
	if (q->selector == NULL || q->selector->select_all)
		agg_error(st, q->location, ERRCODE_SIDDHI_SEMANTIC_ERROR,
				  "an aggregation needs a select list",
				  "Write select g, sum(x) as total ... group by g.");

	pstate = make_parsestate(NULL);
	pstate->p_sourcetext = st->app->source;
	rel = table_open(ap->input->relid, AccessShareLock);
	nsitem = addRangeTableEntryForRelation(
		pstate, rel, AccessShareLock,
		in->alias ? makeAlias(in->alias, NIL) : NULL, false, true);
	addNSItemToQuery(pstate, nsitem, false, true, true);

	foreach(lc, in->handlers)
	{
		SiddhiStreamHandler *h = lfirst(lc);
		Node *e;

		if (h->kind != SIDDHI_HANDLER_FILTER)
			agg_error(st, h->location, ERRCODE_FEATURE_NOT_SUPPORTED,
					  "an aggregation's input takes filters only",
					  "Aggregate a stream, or filter it in a query first.");
		e = transformExpr(pstate, h->filter, EXPR_KIND_WHERE);
		e = coerce_to_boolean(pstate, e, "a filter");
		ap->qual = lappend(ap->qual, siddhi_finish_expr(pstate, e));
	}

	foreach(lc, q->selector->group_by)
	{
		Node *e = transformExpr(
			pstate, siddhi_group_by_alias(st, pstate, q->selector, lfirst(lc)),
			EXPR_KIND_GROUP_BY);

		group = lappend(group, siddhi_finish_expr(pstate, e));
	}

	foreach(lc, q->selector->targets)
	{
		ResTarget *rt = lfirst(lc);
		SiddhiIncColumn *c = palloc0(sizeof(SiddhiIncColumn));
		int before = list_length(aggs);
		Node *e;
		ListCell *o;

		c->name = pstrdup(target_name(st, rt));
		if (strcmp(c->name, "agg_timestamp") == 0 ||
			strcmp(c->name, "agg_granularity") == 0)
			agg_error(
				st, rt->location, ERRCODE_DUPLICATE_COLUMN,
				psprintf("\"%s\" is a column every aggregation has", c->name),
				"Name the item otherwise.");
		foreach(o, ap->columns)
			if (strcmp(((SiddhiIncColumn *) lfirst(o))->name, c->name) == 0)
				agg_error(
					st, rt->location, ERRCODE_DUPLICATE_COLUMN,
					psprintf("two select items are named \"%s\"", c->name),
					NULL);
		e = siddhi_transform_aggregating(
			st, pstate, rt->val, EXPR_KIND_SELECT_TARGET, &aggs, false);
		if (list_length(aggs) > before)
		{
			SiddhiAggPlan *agg = llast(aggs);
			Oid at = agg->argtype;

			if (!IsA(e, Param) || list_length(aggs) > before + 1)
				agg_error(st, rt->location, ERRCODE_FEATURE_NOT_SUPPORTED,
						  "expressions over aggregators are not supported in "
						  "aggregations",
						  "Select the aggregator alone, and compute over the "
						  "aggregation's view.");
			if (agg->kind == SIDDHI_AGG_COUNT_VALUES)
			{
				/* SQL's COUNT(x) (or FILTER): the buckets count non-nulls */
				agg->kind = SIDDHI_AGG_COUNT;
				at = INT8OID;
			}
			else if (agg->kind == SIDDHI_AGG_COUNT_DISTINCT)
				agg->kind = SIDDHI_AGG_DISTINCT_COUNT; /* its sketch */
			if (agg->kind != SIDDHI_AGG_SUM && agg->kind != SIDDHI_AGG_COUNT &&
				agg->kind != SIDDHI_AGG_AVG && agg->kind != SIDDHI_AGG_MIN &&
				agg->kind != SIDDHI_AGG_MAX &&
				agg->kind != SIDDHI_AGG_DISTINCT_COUNT &&
				!SIDDHI_AGG_IS_PERCENTILE(agg->kind))
				agg_error(st, rt->location, ERRCODE_FEATURE_NOT_SUPPORTED,
						  "aggregations support sum, count, avg, min, max, "
						  "distinctCount and percentiles only",
						  "Compute standard deviations, variances, "
						  "SUM(DISTINCT ..) and the set aggregators in a "
						  "query over a window: WINDOW TUMBLING(1 hour) in "
						  "SQL, #window.timeBatch(1 hour) in SiddhiQL.");
			if (agg->kind != SIDDHI_AGG_COUNT &&
				agg->kind != SIDDHI_AGG_DISTINCT_COUNT && at != INT2OID &&
				at != INT4OID && at != INT8OID && at != FLOAT4OID &&
				at != FLOAT8OID)
				agg_error(st, rt->location, ERRCODE_DATATYPE_MISMATCH,
						  psprintf("an aggregation cannot aggregate type %s",
								   format_type_be(at)),
						  "Aggregate int, long, float or double values.");
			c->kind = SIDDHI_INC_AGG;
			c->agg = agg->kind;
			c->expr = agg->arg;
			c->is_float = agg->kind == SIDDHI_AGG_AVG || at == FLOAT4OID ||
						  at == FLOAT8OID;
			c->type = (agg->kind == SIDDHI_AGG_COUNT ||
					   agg->kind == SIDDHI_AGG_DISTINCT_COUNT)
						  ? INT8OID
					  : c->is_float ? FLOAT8OID
									: INT8OID;
			if (SIDDHI_AGG_IS_PERCENTILE(agg->kind))
			{
				/* a sketch (src/common/ddsketch.c); the view reads it */
				c->type = BYTEAOID;
				c->fraction =
					agg->descending ? 1 - agg->fraction : agg->fraction;
			}
		}
		else
		{
			ListCell *g;

			c->expr = siddhi_finish_expr(pstate, e);
			c->type = exprType((Node *) c->expr);
			c->kind = SIDDHI_INC_LAST;
			foreach(g, group)
				if (equal(lfirst(g), c->expr))
					c->kind = SIDDHI_INC_GROUP;
			if (is_param((Node *) c->expr, NULL))
				agg_error(st, rt->location, ERRCODE_FEATURE_NOT_SUPPORTED,
						  "this function is not supported in aggregations",
						  NULL);
		}
		ap->columns = lappend(ap->columns, c);
	}
	foreach(lc, group)
	{
		ListCell *c;
		bool found = false;

		foreach(c, ap->columns)
		{
			SiddhiIncColumn *col = lfirst(c);

			if (col->kind == SIDDHI_INC_GROUP && equal(col->expr, lfirst(lc)))
				found = true;
		}
		if (!found)
			agg_error(st, exprLocation(lfirst(lc)),
					  ERRCODE_SIDDHI_SEMANTIC_ERROR,
					  "an aggregation's group-by expression must be selected",
					  "Add it to the select list.");
	}

	if (d->aggregate_by)
	{
		ColumnRef *cr = makeNode(ColumnRef);
		Node *e;

		cr->fields = list_make1(makeString(d->aggregate_by));
		cr->location = d->location;
		e = transformExpr(pstate, copyObject((Node *) cr),
						  EXPR_KIND_SELECT_TARGET);
		ap->time_type = exprType(e);
		if (ap->time_type == TEXTOID)
		{
			/*
			 * Siddhi also takes a string time, 'yyyy-MM-dd HH:mm:ss' with
			 * an optional offset (UTC without one): read it as a within
			 * string without stars, whose start is that instant.
			 */
			e = transformExpr(
				pstate,
				(Node *) makeFuncCall(list_make2(makeString("siddhi"),
												 makeString("within_start")),
									  list_make1(cr), COERCE_EXPLICIT_CALL,
									  d->location),
				EXPR_KIND_SELECT_TARGET);
			ap->time_type = exprType(e);
		}
		if (ap->time_type != INT8OID && ap->time_type != INT4OID &&
			ap->time_type != TIMESTAMPOID && ap->time_type != TIMESTAMPTZOID)
			agg_error(
				st, d->location, ERRCODE_DATATYPE_MISMATCH,
				psprintf("aggregate by \"%s\" must be a long (epoch "
						 "milliseconds), a timestamp or a string, not %s",
						 d->aggregate_by, format_type_be(ap->time_type)),
				NULL);
		ap->time_expr = siddhi_finish_expr(pstate, e);
	}
	table_close(rel, AccessShareLock);

	foreach(lc, d->granularities)
	{
		int g = granularity_index(strVal(lfirst(lc)));

		if (g < 0)
			agg_error(
				st, d->location, ERRCODE_SIDDHI_SEMANTIC_ERROR,
				psprintf("unknown granularity \"%s\"", strVal(lfirst(lc))),
				"Granularities are sec, min, hour, day, month and "
				"year.");
		seen[g] = true;
	}
	for (int g = 0; g < SIDDHI_INC_NGRAN; g++)
		if (seen[g])
			ap->grans = lappend_int(ap->grans, g);
	if (ap->grans == NIL)
		agg_error(st, d->location, ERRCODE_SIDDHI_SEMANTIC_ERROR,
				  "an aggregation needs a granularity", NULL);

	analyze_purge(st, d, ap);
	analyze_timezone(st, d, ap);
	build_relations(st, d, ap);
	return ap;
}

void
siddhi_analyze_aggregations(AnalyzeState *st)
{
	ListCell *lc;

	foreach(lc, st->app->definitions)
	{
		SiddhiDefinition *d = lfirst(lc);

		if (d->kind == SIDDHI_DEF_AGGREGATION)
			st->plan->aggregations =
				lappend(st->plan->aggregations, analyze_aggregation(st, d));
	}
}
