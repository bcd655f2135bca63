/*-------------------------------------------------------------------------
 *
 * analyze.c
 *	  Resolve an app's names and types through PostgreSQL's analyzer and
 *	  build its plan.
 *
 * Every expression is a raw parse node whose location points into the
 * app source; transformExpr() runs with the input stream as the only
 * range-table entry, so an unknown attribute, an unknown function or a
 * type mismatch is reported exactly as PostgreSQL would, at the right
 * line and column.  Streams and tables are relations; in DEPLOY mode the
 * analyzer creates those that are missing (streams as foreign tables of
 * siddhi_stream, tables as heap tables), in the order the app needs them,
 * so a stream inferred from a query's output exists before the next query
 * reads it.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "analyze_int.h"
#include "access/table.h"
#include "catalog/namespace.h"
#include "catalog/pg_foreign_table.h"
#include "catalog/pg_type.h"
#include "commands/defrem.h"
#include "executor/executor.h"
#include "executor/spi.h"
#include "foreign/foreign.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "optimizer/optimizer.h"
#include "parser/parse_coerce.h"
#include "parser/parse_collate.h"
#include "parser/parse_expr.h"
#include "parser/parse_node.h"
#include "parser/parse_relation.h"
#include "parser/parse_target.h"
#include "parser/parse_type.h"
#include "parser/scansup.h"
#include "siddhi/analyzer.h"
#include "siddhi/catalog.h"
#include "siddhi/cron.h"
#include "siddhi/depend.h"
#include "siddhi/errors.h"
#include "siddhi/parser.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/syscache.h"
#include "utils/typcache.h"

TypeName *
siddhi_type_name(const char *t)
{
	static const char *const map[][2] = {
		{ "string", "text" },  { "int", "int4" },	   { "long", "int8" },
		{ "float", "float4" }, { "double", "float8" }, { "bool", "bool" },
		{ "object", "jsonb" },
	};

	for (int i = 0; i < lengthof(map); i++)
		if (pg_strcasecmp(t, map[i][0]) == 0)
			return SystemTypeName(unconstify(char *, map[i][1]));
	return NULL;
}

const char *
siddhi_annotation_value(List *annotations, const char *name, const char *key)
{
	ListCell *lc;

	foreach(lc, annotations)
	{
		SiddhiAnnotation *a = lfirst(lc);
		SiddhiAnnotationElement *e;

		if (pg_strcasecmp(a->name, name) != 0)
			continue;
		e = key ? siddhi_annotation_element(a, key) : NULL;
		if (e == NULL)
			e = siddhi_annotation_element(a, NULL);
		return e ? e->value : "";
	}
	return NULL;
}

/*
 * The event-time attribute a stream declares, checked: SiddhiQL
 * @eventTime('ts') (or attribute = 'ts'), SQL WITH (event_time = 'ts').
 * It must be a long (epoch milliseconds) or a timestamp.
 */
static char *
definition_event_time(AnalyzeState *st, SiddhiDefinition *d)
{
	const char *v =
		siddhi_annotation_value(d->annotations, "eventTime", "attribute");
	ListCell *lc;

	if (v == NULL)
		v = siddhi_annotation_value(d->annotations, "with", "event_time");
	if (v == NULL)
		return NULL;
	foreach(lc, d->attributes)
	{
		SiddhiAttribute *a = lfirst(lc);
		Oid typid;
		int32 typmod;

		if (pg_strcasecmp(a->name, v) != 0)
			continue;
		typenameTypeIdAndMod(NULL, a->type, &typid, &typmod);
		if (typid != INT8OID && typid != INT4OID && typid != TIMESTAMPTZOID &&
			typid != TIMESTAMPOID)
			ereport(
				ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("event-time attribute \"%s\" must be a long or a "
						"timestamp, not %s",
						a->name, format_type_be(typid)),
				 siddhi_errposition(st->app->source, a->location),
				 errhint("A long holds milliseconds since 1970-01-01 UTC.")));
		return pstrdup(a->name);
	}
	ereport(
		ERROR,
		(errcode(ERRCODE_UNDEFINED_COLUMN),
		 errmsg("event-time attribute \"%s\" is not an attribute of \"%s\"", v,
				d->name),
		 siddhi_errposition(st->app->source, d->location)));
	return NULL;
}

/* The event_time option of a stream relation, or NULL. */
static char *
relation_event_time(Oid relid)
{
	ListCell *lc;

	foreach(lc, GetForeignTable(relid)->options)
	{
		DefElem *def = lfirst(lc);

		if (strcmp(def->defname, "event_time") == 0)
			return defGetString(def);
	}
	return NULL;
}

static SiddhiDefinition *
find_definition(SiddhiApp *app, const char *name)
{
	ListCell *lc;

	foreach(lc, app->definitions)
	{
		SiddhiDefinition *d = lfirst(lc);

		if (strcmp(d->name, name) == 0)
			return d;
	}
	return NULL;
}

static SiddhiRelation *
find_relation(AnalyzeState *st, const char *name)
{
	ListCell *lc;

	foreach(lc, st->plan->relations)
	{
		SiddhiRelation *r = lfirst(lc);

		if (strcmp(r->name, name) == 0)
			return r;
	}
	return NULL;
}

/*
 * LOAD mode: the relation the catalog recorded for name and kind, into r
 * (relid stays InvalidOid when there is none).  It is looked up and locked
 * the way PostgreSQL does: the lock waits for a deploy that replaced it to
 * finish, and the lookup is redone once its invalidations are in (the
 * worker hears of a deploy before they are sent).
 */
void
siddhi_lookup_known(AnalyzeState *st, SiddhiRelation *r, const char *name,
					SiddhiRelKind kind)
{
	ListCell *lc;

	foreach(lc, st->known)
	{
		SiddhiRelation *k = lfirst(lc);

		if (strcmp(k->name, name) == 0 && k->kind == kind)
		{
			r->nspname = pstrdup(k->nspname);
			r->created = k->created;
			r->relid =
				RangeVarGetRelid(makeRangeVar(r->nspname, pstrdup(name), -1),
								 AccessShareLock, true);
			return;
		}
	}
}

static bool
is_siddhi_stream(Oid relid)
{
	ForeignTable *ft;
	ForeignServer *server;

	if (get_rel_relkind(relid) != RELKIND_FOREIGN_TABLE)
		return false;
	ft = GetForeignTable(relid);
	server = GetForeignServer(ft->serverid);
	return strcmp(server->servername, "siddhi_streams") == 0;
}

/* Column list "name type, ..." of attributes or of a tuple descriptor. */
static char *
column_list_sql(List *names, List *typids, List *typmods)
{
	StringInfoData buf;
	ListCell *n, *t, *m;

	initStringInfo(&buf);
	forthree(n, names, t, typids, m, typmods)
	{
		if (buf.len > 0)
			appendStringInfoString(&buf, ", ");
		appendStringInfo(
			&buf, "%s %s", quote_identifier(strVal(lfirst(n))),
			format_type_with_typemod(lfirst_oid(t), lfirst_int(m)));
	}
	return buf.data;
}

static void
run_sql(const char *sql)
{
	int rc;

	SPI_connect();
	rc = SPI_execute(sql, false, 0);
	if (rc < 0)
		elog(ERROR, "SPI_execute failed: %s", sql);
	SPI_finish();
}

/*
 * Check that an existing relation has the columns a definition asks for
 * (same names and types, in order).
 */
static void
check_columns(const char *source, Oid relid, const char *name, List *names,
			  List *typids, int location)
{
	Relation rel = table_open(relid, AccessShareLock);
	TupleDesc desc = RelationGetDescr(rel);
	ListCell *n, *t;
	int i = 0;
	int live = 0;

	for (int k = 0; k < desc->natts; k++)
		if (!TupleDescAttr(desc, k)->attisdropped)
			live++;
	forboth(n, names, t, typids)
	{
		Form_pg_attribute att;

		while (i < desc->natts && TupleDescAttr(desc, i)->attisdropped)
			i++;
		if (i >= desc->natts)
			break;
		att = TupleDescAttr(desc, i);
		if (strcmp(NameStr(att->attname), strVal(lfirst(n))) != 0 ||
			att->atttypid != lfirst_oid(t))
			ereport(
				ERROR,
				(errcode(ERRCODE_DUPLICATE_TABLE),
				 errmsg(
					 "relation \"%s\" already exists with different columns",
					 name),
				 errdetail(
					 "Column %d is \"%s\" %s; the app declares \"%s\" %s.",
					 i + 1, NameStr(att->attname),
					 format_type_be(att->atttypid), strVal(lfirst(n)),
					 format_type_be(lfirst_oid(t))),
				 siddhi_errposition(source, location),
				 errhint("Declare the columns as the existing relation has "
						 "them, or use another name.")));
		i++;
	}
	if (list_length(names) != live)
		ereport(ERROR, (errcode(ERRCODE_DUPLICATE_TABLE),
						errmsg("relation \"%s\" already exists with %d "
							   "columns, the app declares %d",
							   name, live, list_length(names)),
						siddhi_errposition(source, location),
						errhint("Declare the columns as the existing relation "
								"has them, or use another name.")));
	table_close(rel, AccessShareLock);
}

/* DEPLOY with replace: is relid a stream the replaced app created? */
static bool
replaced_stream(AnalyzeState *st, Oid relid)
{
	ListCell *lc;

	foreach(lc, st->known)
		if (((SiddhiRelation *) lfirst(lc))->relid == relid)
			return true;
	return false;
}

/*
 * Has stream relid exactly the columns (names, types, typmods) and the
 * event time a definition asks for?
 */
static bool
stream_is_alike(Oid relid, List *names, List *typids, List *typmods,
				const char *event_time)
{
	Relation rel = table_open(relid, AccessShareLock);
	TupleDesc desc = RelationGetDescr(rel);
	ListCell *n = list_head(names), *t = list_head(typids),
			 *m = list_head(typmods);
	char *existing = relation_event_time(relid);
	bool alike = (existing == NULL) == (event_time == NULL) &&
				 (existing == NULL || strcmp(existing, event_time) == 0);

	for (int i = 0; alike && i < desc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, i);

		if (att->attisdropped)
			continue;
		if (n == NULL ||
			strcmp(NameStr(att->attname), strVal(lfirst(n))) != 0 ||
			att->atttypid != lfirst_oid(t) || att->atttypmod != lfirst_int(m))
			alike = false;
		else
		{
			n = lnext(names, n);
			t = lnext(typids, t);
			m = lnext(typmods, m);
		}
	}
	table_close(rel, AccessShareLock);
	return alike && n == NULL;
}

/*
 * Bind a name to a relation: look it up, and in DEPLOY mode create it
 * when missing.  names/typids/typmods describe the columns wanted;
 * event_time names a stream's event-time attribute (or NULL).
 */
static SiddhiRelation *
bind_relation(AnalyzeState *st, const char *name, SiddhiRelKind kind,
			  List *names, List *typids, List *typmods, SiddhiDefinition *def,
			  const char *event_time, int location)
{
	SiddhiRelation *r = palloc0(sizeof(SiddhiRelation));
	const char *source = st->app->source;

	r->name = pstrdup(name);
	r->kind = kind;
	r->event_time = event_time ? pstrdup(event_time) : NULL;

	if (st->mode == SIDDHI_ANALYZE_LOAD)
	{
		siddhi_lookup_known(st, r, name, kind);
		if (!OidIsValid(r->relid))
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_TABLE),
					 errmsg("relation \"%s\" of %s \"%s\" does not exist",
							r->nspname ? r->nspname : name,
							kind == SIDDHI_REL_STREAM  ? "stream"
							: kind == SIDDHI_REL_TABLE ? "table"
													   : "window",
							name),
					 siddhi_errposition(source, location),
					 errhint("Redeploy the app to create it again.")));
	}
	else
	{
		Oid nsp;
		RangeVar *rv = makeRangeVar(NULL, pstrdup(name), location);

		r->relid = RangeVarGetRelid(rv, NoLock, true);
		if (OidIsValid(r->relid) && replaced_stream(st, r->relid))
		{
			/*
			 * A stream the app being replaced created: kept as it is when
			 * the new app declares it alike, so that sessions watching it
			 * and events already queued for it carry over; else dropped
			 * and created anew.
			 */
			if (kind == SIDDHI_REL_STREAM &&
				stream_is_alike(r->relid, names, typids, typmods, event_time))
			{
				r->created = true;
				r->nspname = get_namespace_name(get_rel_namespace(r->relid));
				st->plan->relations = lappend(st->plan->relations, r);
				return r;
			}
			run_sql(
				psprintf("DROP FOREIGN TABLE %s",
						 quote_qualified_identifier(
							 get_namespace_name(get_rel_namespace(r->relid)),
							 get_rel_name(r->relid))));
			CommandCounterIncrement();
			r->relid = InvalidOid;
		}
		if (OidIsValid(r->relid))
		{
			bool stream = is_siddhi_stream(r->relid);
			char relkind = get_rel_relkind(r->relid);

			if (kind == SIDDHI_REL_STREAM && !stream)
				ereport(
					ERROR,
					(errcode(ERRCODE_WRONG_OBJECT_TYPE),
					 errmsg("\"%s\" already exists and is not a stream", name),
					 siddhi_errposition(source, location),
					 errhint("Rename the stream, or drop the existing "
							 "relation.")));
			if (kind == SIDDHI_REL_WINDOW)
				ereport(ERROR,
						(errcode(ERRCODE_DUPLICATE_TABLE),
						 errmsg("relation \"%s\" already exists", name),
						 siddhi_errposition(source, location),
						 errhint("A named window creates the table that "
								 "shows its contents: use another name.")));
			if (kind == SIDDHI_REL_TABLE && relkind != RELKIND_RELATION &&
				relkind != RELKIND_PARTITIONED_TABLE)
				ereport(
					ERROR,
					(errcode(ERRCODE_WRONG_OBJECT_TYPE),
					 errmsg("\"%s\" already exists and is not a table", name),
					 siddhi_errposition(source, location)));
			if (names != NIL)
				check_columns(source, r->relid, name, names, typids, location);
			if (kind == SIDDHI_REL_STREAM)
			{
				char *existing = relation_event_time(r->relid);

				if ((existing == NULL) != (event_time == NULL) ||
					(existing && strcmp(existing, event_time) != 0))
					ereport(
						ERROR,
						(errcode(ERRCODE_DUPLICATE_TABLE),
						 errmsg("stream \"%s\" already exists with %s", name,
								existing
									? psprintf("event time \"%s\"", existing)
									: "no event-time attribute"),
						 siddhi_errposition(source, location),
						 errhint("Declare the event time as the existing "
								 "stream has it.")));
			}
			r->created = false;
		}
		else
		{
			StringInfoData sql;

			initStringInfo(&sql);
			if (kind == SIDDHI_REL_STREAM)
			{
				appendStringInfo(
					&sql, "CREATE FOREIGN TABLE %s (%s) SERVER siddhi_streams",
					quote_identifier(name),
					column_list_sql(names, typids, typmods));
				if (event_time)
					appendStringInfo(&sql, " OPTIONS (event_time %s)",
									 quote_literal_cstr(event_time));
			}
			else if (kind == SIDDHI_REL_WINDOW)
				appendStringInfo(&sql, "CREATE UNLOGGED TABLE %s (%s)",
								 quote_identifier(name),
								 column_list_sql(names, typids, typmods));
			else
			{
				appendStringInfo(&sql, "CREATE TABLE %s (%s",
								 quote_identifier(name),
								 column_list_sql(names, typids, typmods));
				if (def && def->primary_key)
				{
					ListCell *lc;
					bool first = true;

					appendStringInfoString(&sql, ", PRIMARY KEY (");
					foreach(lc, def->primary_key)
					{
						appendStringInfo(&sql, "%s%s", first ? "" : ", ",
										 quote_identifier(strVal(lfirst(lc))));
						first = false;
					}
					appendStringInfoChar(&sql, ')');
				}
				appendStringInfoChar(&sql, ')');
				if (def && def->indexes)
				{
					ListCell *lc;

					foreach(lc, def->indexes)
						appendStringInfo(&sql, "; CREATE INDEX ON %s (%s)",
										 quote_identifier(name),
										 quote_identifier(strVal(lfirst(lc))));
				}
			}
			run_sql(sql.data);
			r->relid = RangeVarGetRelid(rv, NoLock, false);
			r->created = true;
			if (kind == SIDDHI_REL_WINDOW)
				siddhi_protect_relation(r->relid);
		}
		nsp = get_rel_namespace(r->relid);
		r->nspname = get_namespace_name(nsp);
	}
	st->plan->relations = lappend(st->plan->relations, r);
	return r;
}

/* Columns of a definition as three parallel lists. */
static void
definition_columns(AnalyzeState *st, SiddhiDefinition *d, List **names,
				   List **typids, List **typmods)
{
	ListCell *lc;

	*names = *typids = *typmods = NIL;
	foreach(lc, d->attributes)
	{
		SiddhiAttribute *a = lfirst(lc);
		Oid typid;
		int32 typmod;
		ListCell *prev;

		foreach(prev, *names)
			if (strcmp(strVal(lfirst(prev)), a->name) == 0)
				ereport(ERROR,
						(errcode(ERRCODE_DUPLICATE_COLUMN),
						 errmsg("attribute \"%s\" is declared twice in \"%s\"",
								a->name, d->name),
						 siddhi_errposition(st->app->source, a->location)));
		typenameTypeIdAndMod(NULL, a->type, &typid, &typmod);
		*names = lappend(*names, makeString(a->name));
		*typids = lappend_oid(*typids, typid);
		*typmods = lappend_int(*typmods, typmod);
	}
}

/*
 * define window W (..) <window> [output .. events]: an unlogged table
 * mirrors its contents; the window's arguments name W's attributes.
 */
static void
analyze_named_window(AnalyzeState *st, SiddhiDefinition *d)
{
	SiddhiNamedWindowPlan *nw = palloc0(sizeof(SiddhiNamedWindowPlan));
	List *names, *typids, *typmods;
	ParseState *pstate;
	ParseNamespaceItem *nsitem;
	Relation rel;

	definition_columns(st, d, &names, &typids, &typmods);
	if (names == NIL)
		ereport(ERROR, (errcode(ERRCODE_SIDDHI_SEMANTIC_ERROR),
						errmsg("\"%s\" has no attributes", d->name),
						siddhi_errposition(st->app->source, d->location)));
	nw->relation = bind_relation(st, d->name, SIDDHI_REL_WINDOW, names, typids,
								 typmods, d, NULL, d->location);
	nw->output = d->window_output;
	pstate = make_parsestate(NULL);
	pstate->p_sourcetext = st->app->source;
	rel = table_open(nw->relation->relid, AccessShareLock);
	nsitem = addRangeTableEntryForRelation(pstate, rel, AccessShareLock, NULL,
										   false, true);
	addNSItemToQuery(pstate, nsitem, false, true, true);
	nw->window = siddhi_analyze_window(st, pstate, d->window);
	table_close(rel, NoLock);
	free_parsestate(pstate);
	st->plan->windows = lappend(st->plan->windows, nw);
}

/*
 * define trigger T at ..: a stream T (triggered_time long) that the
 * runtime feeds at the app's start, every t, or at the cron times.
 */
static void
analyze_trigger(AnalyzeState *st, SiddhiDefinition *d)
{
	SiddhiTriggerPlan *tp = palloc0(sizeof(SiddhiTriggerPlan));

	if (d->trigger_every_ms > 0)
		tp->every_ms = d->trigger_every_ms;
	else if (d->trigger_at && pg_strcasecmp(d->trigger_at, "start") == 0)
		tp->at_start = true;
	else
	{
		char *error = NULL;
		int offset = 0;

		if (d->trigger_at == NULL ||
			siddhi_cron_parse(d->trigger_at, &error, &offset) == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_SIDDHI_SEMANTIC_ERROR),
					 errmsg("trigger \"%s\": %s", d->name,
							error ? error : "no time given"),
					 siddhi_errposition(st->app->source, d->location),
					 errhint("Write at 'start', at every <time> or at a cron "
							 "expression such as '*/5 * * * * ?'.")));
		tp->cron = pstrdup(d->trigger_at);
	}
	tp->relation = bind_relation(st, d->name, SIDDHI_REL_STREAM,
								 list_make1(makeString("triggered_time")),
								 list_make1_oid(INT8OID), list_make1_int(-1),
								 NULL, NULL, d->location);
	st->plan->triggers = lappend(st->plan->triggers, tp);
}

static void
analyze_definitions(AnalyzeState *st)
{
	ListCell *lc;

	foreach(lc, st->app->definitions)
	{
		SiddhiDefinition *d = lfirst(lc);
		List *names, *typids, *typmods;
		ListCell *other;

		foreach(other, st->app->definitions)
		{
			SiddhiDefinition *o = lfirst(other);

			if (o == d)
				break;
			if (strcmp(o->name, d->name) == 0)
				ereport(ERROR,
						(errcode(ERRCODE_DUPLICATE_OBJECT),
						 errmsg("\"%s\" is defined twice", d->name),
						 siddhi_errposition(st->app->source, d->location)));
		}

		switch (d->kind)
		{
			case SIDDHI_DEF_STREAM:
			case SIDDHI_DEF_TABLE:
				definition_columns(st, d, &names, &typids, &typmods);
				if (names == NIL)
					ereport(
						ERROR,
						(errcode(ERRCODE_SIDDHI_SEMANTIC_ERROR),
						 errmsg("\"%s\" has no attributes", d->name),
						 siddhi_errposition(st->app->source, d->location)));
				bind_relation(st, d->name,
							  d->kind == SIDDHI_DEF_STREAM ? SIDDHI_REL_STREAM
														   : SIDDHI_REL_TABLE,
							  names, typids, typmods, d,
							  d->kind == SIDDHI_DEF_STREAM
								  ? definition_event_time(st, d)
								  : NULL,
							  d->location);
				break;
			case SIDDHI_DEF_WINDOW:
				analyze_named_window(st, d);
				break;
			case SIDDHI_DEF_TRIGGER:
				analyze_trigger(st, d);
				break;
			case SIDDHI_DEF_AGGREGATION:
				/* after all definitions: siddhi_analyze_aggregations */
				break;
			case SIDDHI_DEF_FUNCTION:
				ereport(ERROR,
						(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
						 errmsg("script functions are not supported yet"),
						 errhint("Create the function in SQL (CREATE "
								 "FUNCTION) and call it from the app."),
						 siddhi_errposition(st->app->source, d->location)));
				break;
		}
	}
}

SiddhiRelation *
siddhi_bind_stream(AnalyzeState *st, const char *name, List *names,
				   List *typids, List *typmods, int location)
{
	return bind_relation(st, name, SIDDHI_REL_STREAM, names, typids, typmods,
						 NULL, NULL, location);
}

static void
not_yet(AnalyzeState *st, const char *what, int location)
{
	ereport(ERROR, (errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					errmsg("%s are not supported yet", what),
					siddhi_errposition(st->app->source, location)));
}

/* For the other files of the analyzer (joins, aggregations). */
SiddhiRelation *
siddhi_find_relation(AnalyzeState *st, const char *name)
{
	return find_relation(st, name);
}

void
siddhi_not_yet(AnalyzeState *st, const char *what, int location)
{
	not_yet(st, what, location);
}

/*
 * A table a join reads that the app does not define: an ordinary table
 * that exists already (DEPLOY: through the search_path; LOAD: as the
 * catalog recorded it).  NULL when there is none.
 */
SiddhiRelation *
siddhi_bind_existing_table(AnalyzeState *st, const char *name, int location)
{
	if (st->mode == SIDDHI_ANALYZE_DEPLOY)
	{
		Oid relid = RangeVarGetRelid(makeRangeVar(NULL, pstrdup(name), -1),
									 NoLock, true);
		char relkind;

		if (!OidIsValid(relid))
			return NULL;
		relkind = get_rel_relkind(relid);
		if (relkind != RELKIND_RELATION &&
			relkind != RELKIND_PARTITIONED_TABLE)
			return NULL;
	}
	else
	{
		ListCell *lc;
		bool known = false;

		foreach(lc, st->known)
		{
			SiddhiRelation *k = lfirst(lc);

			if (strcmp(k->name, name) == 0 && k->kind == SIDDHI_REL_TABLE)
				known = true;
		}
		if (!known)
			return NULL;
	}
	return bind_relation(st, name, SIDDHI_REL_TABLE, NIL, NIL, NIL, NULL, NULL,
						 location);
}

Expr *
siddhi_finish_expr(ParseState *pstate, Node *e)
{
	siddhi_refuse_unrunnable(pstate, e);
	assign_expr_collations(pstate, e);
	siddhi_depend_note(e); /* before the planner inlines SQL functions */
	return expression_planner((Expr *) e);
}

/* State of the aggregate replacement while a query is analyzed. */
typedef struct AggContext
{
	AnalyzeState *st;
	ParseState *pstate;
	List **aggregates; /* the query's, or an expression window's */
	bool timestamps;   /* eventTimestamp(first|last) are window params */
} AggContext;

static AggContext *current_aggs = NULL;

static bool
agg_kind_of(FuncCall *fc, SiddhiAggKind *kind)
{
	static const struct
	{
		const char *name;
		SiddhiAggKind kind;
	} names[] = {
		{ "sum", SIDDHI_AGG_SUM },
		{ "count", SIDDHI_AGG_COUNT },
		{ "avg", SIDDHI_AGG_AVG },
		{ "min", SIDDHI_AGG_MIN },
		{ "max", SIDDHI_AGG_MAX },
		{ "minforever", SIDDHI_AGG_MIN_FOREVER },
		{ "maxforever", SIDDHI_AGG_MAX_FOREVER },
		{ "distinctcount", SIDDHI_AGG_DISTINCT_COUNT },
		{ "stddev", SIDDHI_AGG_STDDEV },
		{ "and", SIDDHI_AGG_AND },
		{ "or", SIDDHI_AGG_OR },
		{ "unionset", SIDDHI_AGG_UNION_SET },
	};
	const char *name;

	if (list_length(fc->funcname) != 1 || fc->over)
		return false;
	name = strVal(linitial(fc->funcname));
	for (int i = 0; i < lengthof(names); i++)
		if (pg_strcasecmp(name, names[i].name) == 0)
		{
			*kind = names[i].kind;
			return true;
		}
	return false;
}

/*
 * An aggregator call becomes a parameter: analyze its argument, pick
 * Siddhi's result type, and return a raw ParamRef that the paramref hook
 * below turns into a PARAM_EXEC Param of that type.
 */
static Node *
make_aggregate(AggContext *ac, FuncCall *fc, SiddhiAggKind kind)
{
	SiddhiAggPlan *agg = palloc0(sizeof(SiddhiAggPlan));
	const char *source = ac->st->app->source;
	ParamRef *ref = makeNode(ParamRef);

	siddhi_refuse_aggregate_modifiers(source, fc);
	agg->kind = kind;
	if (kind == SIDDHI_AGG_COUNT)
	{
		if (list_length(fc->args) > 1)
			ereport(ERROR, (errcode(ERRCODE_SIDDHI_SEMANTIC_ERROR),
							errmsg("count() takes no argument"),
							siddhi_errposition(source, fc->location)));
		/*
		 * count(x) counts events whatever x is, but x must still name
		 * something: resolve it (and drop it)
		 */
		if (fc->args != NIL)
			(void) transformExpr(ac->pstate, linitial(fc->args),
								 EXPR_KIND_SELECT_TARGET);
		agg->resulttype = INT8OID;
	}
	else
	{
		Oid t;

		if (list_length(fc->args) != 1 || fc->agg_star)
			ereport(ERROR, (errcode(ERRCODE_SIDDHI_SEMANTIC_ERROR),
							errmsg("%s() takes one argument",
								   strVal(linitial(fc->funcname))),
							siddhi_errposition(source, fc->location)));
		agg->arg = siddhi_finish_expr(
			ac->pstate, transformExpr(ac->pstate, linitial(fc->args),
									  EXPR_KIND_SELECT_TARGET));
		t = agg->argtype = exprType((Node *) agg->arg);
		if ((kind == SIDDHI_AGG_AND || kind == SIDDHI_AGG_OR) && t != BOOLOID)
			ereport(ERROR,
					(errcode(ERRCODE_DATATYPE_MISMATCH),
					 errmsg("%s() needs a bool, not %s",
							strVal(linitial(fc->funcname)), format_type_be(t)),
					 siddhi_errposition(source,
										exprLocation(linitial(fc->args)))));
		if (kind == SIDDHI_AGG_UNION_SET && !OidIsValid(get_element_type(t)))
			ereport(ERROR,
					(errcode(ERRCODE_DATATYPE_MISMATCH),
					 errmsg("unionSet() needs a set (an array), not %s",
							format_type_be(t)),
					 errhint("Make a set of one value with createSet(x), or "
							 "ARRAY[x] in SQL."),
					 siddhi_errposition(source,
										exprLocation(linitial(fc->args)))));
		if (kind != SIDDHI_AGG_DISTINCT_COUNT && kind != SIDDHI_AGG_AND &&
			kind != SIDDHI_AGG_UNION_SET && kind != SIDDHI_AGG_OR &&
			t != INT2OID && t != INT4OID && t != INT8OID && t != FLOAT4OID &&
			t != FLOAT8OID)
			ereport(ERROR,
					(errcode(ERRCODE_DATATYPE_MISMATCH),
					 errmsg("%s() needs a number, not %s",
							strVal(linitial(fc->funcname)), format_type_be(t)),
					 siddhi_errposition(source,
										exprLocation(linitial(fc->args)))));
		switch (kind)
		{
			case SIDDHI_AGG_SUM:
				agg->resulttype =
					(t == FLOAT4OID || t == FLOAT8OID) ? FLOAT8OID : INT8OID;
				break;
			case SIDDHI_AGG_AVG:
			case SIDDHI_AGG_STDDEV:
				agg->resulttype = FLOAT8OID;
				break;
			case SIDDHI_AGG_DISTINCT_COUNT:
				agg->resulttype = INT8OID;
				break;
			case SIDDHI_AGG_AND:
			case SIDDHI_AGG_OR:
				agg->resulttype = BOOLOID;
				break;
			case SIDDHI_AGG_UNION_SET:
				agg->resulttype = t;
				break;
			default:
				agg->resulttype = t == INT2OID ? INT4OID : t;
				break;
		}
	}
	*ac->aggregates = lappend(*ac->aggregates, agg);
	ref->number = list_length(*ac->aggregates);
	ref->location = fc->location;
	return (Node *) ref;
}

/*
 * In an expression window's condition, eventTimestamp() is the event's
 * time, eventTimestamp(first) and eventTimestamp(last) those of the
 * window's first and last events: the PARAM_EXTERN params 1, 2 and 3.
 */
static Node *
window_timestamp(AggContext *ac, FuncCall *fc)
{
	ParamRef *ref = makeNode(ParamRef);
	ColumnRef *arg = fc->args ? linitial(fc->args) : NULL;
	const char *name = NULL;

	if (arg && IsA(arg, ColumnRef) && list_length(arg->fields) == 1 &&
		IsA(linitial(arg->fields), String))
		name = strVal(linitial(arg->fields));
	if (arg == NULL)
		ref->number = SIDDHI_WINDOW_PARAM_BASE + 1;
	else if (list_length(fc->args) == 1 && name && strcmp(name, "first") == 0)
		ref->number = SIDDHI_WINDOW_PARAM_BASE + 2;
	else if (list_length(fc->args) == 1 && name && strcmp(name, "last") == 0)
		ref->number = SIDDHI_WINDOW_PARAM_BASE + 3;
	else
		ereport(ERROR,
				(errcode(ERRCODE_SIDDHI_SEMANTIC_ERROR),
				 errmsg("eventTimestamp() in a window's expression takes "
						"first, last or no argument"),
				 siddhi_errposition(ac->st->app->source, fc->location)));
	ref->location = fc->location;
	return (Node *) ref;
}

static Node *replace_aggregates(AggContext *ac, Node *n);

/*
 * A shallow copy of a raw node: the fields are copied, not the subtrees,
 * so that rebuilding an expression level by level stays linear in its size.
 */
#define SHALLOW_COPY(type, n) \
	((type *) memcpy(palloc(sizeof(type)), (n), sizeof(type)))

/* Replace the aggregator calls of each element of a list (a new list). */
static List *
replace_aggregates_list(AggContext *ac, List *l)
{
	ListCell *lc;

	l = list_copy(l);
	foreach(lc, l)
		lfirst(lc) = replace_aggregates(ac, lfirst(lc));
	return l;
}

/*
 * Replace aggregator calls in a raw expression.  The nodes on the way down
 * are copied shallowly (the raw tree is left as it was), so the work is
 * linear in the size of the expression however deep it is.
 */
static Node *
replace_aggregates(AggContext *ac, Node *n)
{
	SiddhiAggKind kind;

	if (n == NULL)
		return NULL;
	check_stack_depth();
	CHECK_FOR_INTERRUPTS();
	switch (nodeTag(n))
	{
		case T_FuncCall:
		{
			FuncCall *fc = (FuncCall *) n;

			if (ac->timestamps && list_length(fc->funcname) == 2 &&
				strcmp(strVal(linitial(fc->funcname)), "siddhi") == 0 &&
				strcmp(strVal(lsecond(fc->funcname)), "event_timestamp") == 0)
				return window_timestamp(ac, fc);
			if (agg_kind_of(fc, &kind))
				return make_aggregate(ac, fc, kind);
			fc = SHALLOW_COPY(FuncCall, fc);
			fc->args = replace_aggregates_list(ac, fc->args);
			return (Node *) fc;
		}
		case T_A_Expr:
		{
			A_Expr *e = SHALLOW_COPY(A_Expr, n);

			e->lexpr = replace_aggregates(ac, e->lexpr);
			if (e->rexpr && IsA(e->rexpr, List))
				e->rexpr =
					(Node *) replace_aggregates_list(ac, (List *) e->rexpr);
			else
				e->rexpr = replace_aggregates(ac, e->rexpr);
			return (Node *) e;
		}
		case T_BoolExpr:
		{
			BoolExpr *b = SHALLOW_COPY(BoolExpr, n);

			b->args = replace_aggregates_list(ac, b->args);
			return (Node *) b;
		}
		case T_TypeCast:
		{
			TypeCast *c = SHALLOW_COPY(TypeCast, n);

			c->arg = replace_aggregates(ac, c->arg);
			return (Node *) c;
		}
		case T_NullTest:
		{
			NullTest *t = SHALLOW_COPY(NullTest, n);

			t->arg = (Expr *) replace_aggregates(ac, (Node *) t->arg);
			return (Node *) t;
		}
		case T_CoalesceExpr:
		{
			CoalesceExpr *c = SHALLOW_COPY(CoalesceExpr, n);

			c->args = replace_aggregates_list(ac, c->args);
			return (Node *) c;
		}
		case T_MinMaxExpr:
		{
			MinMaxExpr *m = SHALLOW_COPY(MinMaxExpr, n);

			m->args = replace_aggregates_list(ac, m->args);
			return (Node *) m;
		}
		case T_CaseExpr:
		{
			CaseExpr *c = SHALLOW_COPY(CaseExpr, n);
			ListCell *lc;

			c->arg = (Expr *) replace_aggregates(ac, (Node *) c->arg);
			c->args = list_copy(c->args);
			foreach(lc, c->args)
			{
				CaseWhen *w = SHALLOW_COPY(CaseWhen, lfirst(lc));

				w->expr = (Expr *) replace_aggregates(ac, (Node *) w->expr);
				w->result =
					(Expr *) replace_aggregates(ac, (Node *) w->result);
				lfirst(lc) = w;
			}
			c->defresult =
				(Expr *) replace_aggregates(ac, (Node *) c->defresult);
			return (Node *) c;
		}
		default:
			return n;
	}
}

/* p_paramref_hook: $k is the value of aggregate k. */
static Node *
aggregate_paramref(ParseState *pstate, ParamRef *ref)
{
	SiddhiAggPlan *agg;
	Param *p;

	if (current_aggs && ref->number > SIDDHI_WINDOW_PARAM_BASE &&
		ref->number <= SIDDHI_WINDOW_PARAM_BASE + SIDDHI_WINDOW_NPARAMS)
	{
		/* an expression window's event timestamp */
		p = makeNode(Param);
		p->paramkind = PARAM_EXTERN;
		p->paramid = ref->number - SIDDHI_WINDOW_PARAM_BASE;
		p->paramtype = INT8OID;
		p->paramtypmod = -1;
		p->paramcollid = InvalidOid;
		p->location = ref->location;
		return (Node *) p;
	}
	if (current_aggs == NULL || ref->number < 1 ||
		ref->number > list_length(*current_aggs->aggregates))
		return NULL;
	agg = list_nth(*current_aggs->aggregates, ref->number - 1);
	p = makeNode(Param);
	p->paramkind = PARAM_EXEC;
	p->paramid = ref->number - 1;
	p->paramtype = agg->resulttype;
	p->paramtypmod = -1;
	p->paramcollid = InvalidOid;
	p->location = ref->location;
	return (Node *) p;
}

Node *
siddhi_transform_aggregating(AnalyzeState *st, ParseState *pstate, Node *raw,
							 ParseExprKind kind, List **aggregates,
							 bool window_timestamps)
{
	AggContext ac;
	AggContext *save = current_aggs;
	ParseParamRefHook save_hook = pstate->p_paramref_hook;
	Node *e;

	ac.st = st;
	ac.pstate = pstate;
	ac.aggregates = aggregates;
	ac.timestamps = window_timestamps;
	current_aggs = &ac;
	pstate->p_paramref_hook = aggregate_paramref;
	PG_TRY();
	{
		e = transformExpr(pstate, replace_aggregates(&ac, raw), kind);
	}
	PG_FINALLY();
	{
		current_aggs = save;
		pstate->p_paramref_hook = save_hook;
	}
	PG_END_TRY();
	return e;
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
 * output [all|first|last] every <n> events | <t>, output snapshot every <t>.
 * A snapshot shows the query's state, kept as Siddhi keeps it for the
 * query's shape: with a window, its events (one per group with group by);
 * when every output attribute is an aggregate, the latest row; without a
 * window, the latest row (per group).
 */
static void
analyze_output_rate(AnalyzeState *st, SiddhiQuery *q, SiddhiQueryPlan *qp)
{
	SiddhiOutputRate *r = q->rate;
	bool all_aggregates =
		q->selector && !q->selector->select_all && q->selector->targets != NIL;
	ListCell *lc;

	if (r->value <= 0)
		ereport(ERROR, (errcode(ERRCODE_SIDDHI_SEMANTIC_ERROR),
						errmsg("output rate must be positive"),
						siddhi_errposition(st->app->source, r->location)));
	qp->rate_kind = r->kind;
	qp->rate_type = r->type;
	qp->rate_value = r->value;
	if (r->kind != SIDDHI_RATE_SNAPSHOT)
		return;
	if (qp->events == SIDDHI_EVENTS_EXPIRED)
		ereport(ERROR,
				(errcode(ERRCODE_SIDDHI_SEMANTIC_ERROR),
				 errmsg("a query with output snapshot cannot insert expired "
						"events"),
				 siddhi_errposition(st->app->source, q->output->location),
				 errhint("A snapshot shows the current state: write insert "
						 "into, or insert all events into.")));
	foreach(lc, all_aggregates ? q->selector->targets : NIL)
	{
		ResTarget *rt = lfirst(lc);
		SiddhiAggKind kind;

		if (!IsA(rt->val, FuncCall) ||
			!agg_kind_of((FuncCall *) rt->val, &kind))
			all_aggregates = false;
	}
	if (qp->window == NULL)
		qp->rate_snapshot = SIDDHI_SNAPSHOT_LAST;
	else if (qp->aggregates != NIL && qp->group_by != NIL)
		qp->rate_snapshot = SIDDHI_SNAPSHOT_WINDOW_GROUPS;
	else if (qp->aggregates != NIL && all_aggregates)
		qp->rate_snapshot = SIDDHI_SNAPSHOT_LAST;
	else
		qp->rate_snapshot = SIDDHI_SNAPSHOT_WINDOW;
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

static SiddhiQueryPlan *
analyze_query(AnalyzeState *st, SiddhiQuery *q, int index)
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
	qp->name = q->name ? pstrdup(q->name) : psprintf("query%d", index);

	if (q->input == NULL)
		not_yet(st, "queries without FROM", q->location);
	if (q->input->kind == SIDDHI_INPUT_PATTERN ||
		q->input->kind == SIDDHI_INPUT_SEQUENCE)
	{
		/* several streams read as one row of them (analyze_pattern.c) */
		pstate = siddhi_analyze_pattern(st, q, qp);
		pstate->p_paramref_hook = aggregate_paramref;
		ac.st = st;
		ac.pstate = pstate;
		ac.aggregates = &qp->aggregates;
		ac.timestamps = false;
		current_aggs = &ac;
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
	if (q->input->kind == SIDDHI_INPUT_JOIN &&
		(q->input->stream->inner || q->input->right->inner))
		not_yet(st, "joins of inner streams", in->location);

	if (in->inner)
	{
		if (st->partition == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_SIDDHI_SEMANTIC_ERROR),
					 errmsg("inner stream #%s is read outside a partition",
							in->stream),
					 siddhi_errposition(source, in->location),
					 errhint("Inner streams (#name) live inside "
							 "partition .. begin .. end.")));
		input = find_relation(st, siddhi_inner_stream_name(st, in->stream));
		if (input == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_TABLE),
					 errmsg("inner stream #%s is not defined", in->stream),
					 siddhi_errposition(source, in->location),
					 errhint("Insert into #%s from an earlier query of the "
							 "partition.",
							 in->stream)));
		/* the query names it as written, not as the stream it is */
		if (in->alias == NULL)
			in->alias = in->stream;
		qp->inner_input = true;
	}
	else if (in->fault)
	{
		/* !S: made by @OnError(action = 'STREAM') on S (analyze_connector.c) */
		input = find_relation(st, psprintf("!%s", in->stream));
		if (input == NULL)
			ereport(
				ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("fault stream !%s is not defined", in->stream),
				 siddhi_errposition(source, in->location),
				 errhint("Give %s @OnError(action = 'STREAM').", in->stream)));
		if (in->alias == NULL)
			in->alias = in->stream;
	}
	else
		input = find_relation(st, in->stream);
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
	if (input->kind == SIDDHI_REL_WINDOW && st->partition)
		not_yet(st, "named windows read inside a partition", in->location);
	qp->input = input;
	qp->partition = st->partition;

	pstate = make_parsestate(NULL);
	pstate->p_sourcetext = source;
	pstate->p_paramref_hook = aggregate_paramref;
	ac.st = st;
	ac.pstate = pstate;
	ac.aggregates = &qp->aggregates;
	ac.timestamps = false;
	current_aggs = &ac;
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
		if (h->kind == SIDDHI_HANDLER_FUNCTION)
		{
			/* only #unique:deduplicate so far, once, before the window */
			if (h->call->ns == NULL ||
				pg_strcasecmp(h->call->ns, "unique") != 0 ||
				pg_strcasecmp(h->call->name, "deduplicate") != 0 ||
				qp->window || qp->dedup_key)
				not_yet(st, "stream functions", h->location);
			siddhi_analyze_deduplicate(st, pstate, h->call, &qp->dedup_key,
									   &qp->dedup_interval);
			continue;
		}
		e = siddhi_transform_filter(
			st, pstate, qp, rel,
			in->alias ? in->alias : RelationGetRelationName(rel), h->filter);
		e = coerce_to_boolean(pstate, e, "a filter");
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
			Node *e = transformExpr(pstate, lfirst(lc), EXPR_KIND_GROUP_BY);

			qp->group_by =
				lappend(qp->group_by, siddhi_finish_expr(pstate, e));
		}
	}
	qp->limit = -1;

	/* projection */
	if ((q->selector == NULL || q->selector->select_all) && qp->join)
		siddhi_join_select_all(st, pstate, q, &exprs, &names, &locations);
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
	}
	else
	{
		foreach(lc, q->selector->targets)
		{
			ResTarget *rt = lfirst(lc);
			Node *e;
			char *name = rt->name;
			ListCell *prev;

			e = transformExpr(pstate, replace_aggregates(&ac, rt->val),
							  EXPR_KIND_SELECT_TARGET);
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
				if (strcmp(name, "?column?") == 0)
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
		not_yet(st, "queries without an output", q->location);
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
		if (qp->group_by && qp->aggregates == NIL)
			ereport(ERROR,
					(errcode(ERRCODE_SIDDHI_SEMANTIC_ERROR),
					 errmsg("group by needs an aggregate function in the "
							"select"),
					 siddhi_errposition(source, exprLocation(linitial(
													q->selector->group_by)))));
		current_aggs = NULL;
		if (q->rate)
			analyze_output_rate(st, q, qp);
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

	output = find_relation(st, q->output->target);
	outdef = find_definition(st->app, q->output->target);
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
		output =
			bind_relation(st, q->output->target, SIDDHI_REL_STREAM, names,
						  typids, typmods, NULL, NULL, q->output->location);
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

			while (TupleDescAttr(odesc, resno)->attisdropped)
				resno++;
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
		}
		table_close(orel, AccessShareLock);
	}

	/* the owner must be allowed to read the input; writes checked below */
	/* having, order by: over the output row, whose attributes they name */
	if (q->selector && (q->selector->having || q->selector->order_by ||
						q->selector->limit || q->selector->offset))
	{
		ParseState *opstate = make_parsestate(NULL);
		Relation orel = table_open(output->relid, AccessShareLock);
		SiddhiSelector *sel = q->selector;

		opstate->p_sourcetext = source;
		opstate->p_paramref_hook = aggregate_paramref;
		addNSItemToQuery(opstate,
						 addRangeTableEntryForRelation(opstate, orel,
													   AccessShareLock, NULL,
													   false, true),
						 false, true, true);
		if (sel->having)
		{
			Node *e =
				transformExpr(opstate, replace_aggregates(&ac, sel->having),
							  EXPR_KIND_HAVING);

			e = coerce_to_boolean(opstate, e, "HAVING");
			qp->having = list_make1(siddhi_finish_expr(opstate, e));
		}
		foreach(lc, sel->order_by)
		{
			SortBy *sb = lfirst(lc);
			Node *e = transformExpr(opstate, replace_aggregates(&ac, sb->node),
									EXPR_KIND_ORDER_BY);
			TypeCacheEntry *tc = lookup_type_cache(
				exprType(e), TYPECACHE_LT_OPR | TYPECACHE_GT_OPR);
			bool desc = sb->sortby_dir == SORTBY_DESC;
			Oid op = desc ? tc->gt_opr : tc->lt_opr;

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
	if (qp->group_by && qp->aggregates == NIL)
		ereport(ERROR,
				(errcode(ERRCODE_SIDDHI_SEMANTIC_ERROR),
				 errmsg("group by needs an aggregate function in the select"),
				 siddhi_errposition(
					 source, exprLocation(linitial(q->selector->group_by)))));
	current_aggs = NULL;
	if (q->rate)
		analyze_output_rate(st, q, qp);

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

/* Analyze a query and add it to the plan; its name must be new. */
static void
add_query(AnalyzeState *st, SiddhiQuery *q, int index)
{
	SiddhiQueryPlan *qp = analyze_query(st, q, index);
	ListCell *prev;

	if (qp->join)
		siddhi_join_finish(qp);
	if (qp->pattern)
		siddhi_pattern_finish(qp);
	if (st->partition && qp->join &&
		qp->join->other->kind == SIDDHI_REL_WINDOW)
		not_yet(st, "joins with a named window inside a partition",
				q->input->location);

	foreach(prev, st->plan->queries)
		if (strcmp(((SiddhiQueryPlan *) lfirst(prev))->name, qp->name) == 0)
			ereport(ERROR, (errcode(ERRCODE_DUPLICATE_OBJECT),
							errmsg("two queries are named \"%s\"", qp->name),
							siddhi_errposition(st->app->source, q->location)));
	st->plan->queries = lappend(st->plan->queries, qp);
}

SiddhiAppPlan *
siddhi_analyze_app(SiddhiApp *app, const char *name, SiddhiAnalyzeMode mode,
				   List *known_relations)
{
	AnalyzeState st;
	ListCell *lc;
	int index = 0;

	st.app = app;
	st.mode = mode;
	st.known = known_relations;
	st.plan = palloc0(sizeof(SiddhiAppPlan));
	st.plan->name = pstrdup(name);
	st.plan->ast = app;
	st.plan->owner = GetUserId();
	st.plan->playback = siddhi_annotation_value(app->annotations,
												"app:playback", NULL) != NULL;

	st.partition = NULL;
	siddhi_depend_begin();

	/*
	 * An app with nothing in it (empty, blanks, comments, @app:
	 * annotations only) would never do anything: refuse it
	 */
	if (app->definitions == NIL && app->queries == NIL &&
		app->partitions == NIL)
		ereport(ERROR,
				(errcode(ERRCODE_SIDDHI_SEMANTIC_ERROR),
				 errmsg("app \"%s\" defines no stream, table, window, "
						"trigger, function, aggregation or query",
						name),
				 errhint("An app needs at least one definition or query.")));

	siddhi_check_annotations(&st);

	analyze_definitions(&st);
	siddhi_analyze_sources(&st);
	siddhi_analyze_aggregations(&st);

	/*
	 * Queries and partitions in the order they are written: a query may
	 * read a stream that an earlier one (inside a partition or not)
	 * inferred.
	 */
	{
		ListCell *lq = list_head(app->queries);
		ListCell *lp = list_head(app->partitions);
		int npart = 0;

		while (lq || lp)
		{
			SiddhiQuery *q = lq ? lfirst(lq) : NULL;
			SiddhiPartition *part = lp ? lfirst(lp) : NULL;

			if (q && (part == NULL || q->location < part->location))
			{
				add_query(&st, q, ++index);
				lq = lnext(app->queries, lq);
				continue;
			}
			st.partition = siddhi_analyze_partition(&st, part, ++npart);
			st.plan->partitions = lappend(st.plan->partitions, st.partition);
			foreach(lc, part->queries)
				add_query(&st, lfirst(lc), ++index);
			st.partition = NULL;
			lp = lnext(app->partitions, lp);
		}
	}
	siddhi_analyze_sinks(&st);
	/* deploy: the deploying user; load: the owner (analyze_privileges.c) */
	siddhi_check_app_privileges(&st);
	return st.plan;
}
