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
#include "catalog/pg_type.h"
#include "commands/defrem.h"
#include "executor/spi.h"
#include "foreign/foreign.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "optimizer/optimizer.h"
#include "parser/parse_collate.h"
#include "parser/parse_func.h"
#include "parser/parse_relation.h"
#include "parser/parse_type.h"
#include "siddhi/catalog.h"
#include "siddhi/cron.h"
#include "siddhi/depend.h"
#include "siddhi/errors.h"
#include "siddhi/parser.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"

/* The kind of a relation as siddhi.app_relation spells it. */
const char *
siddhi_relation_kind_name(SiddhiRelKind kind)
{
	switch (kind)
	{
		case SIDDHI_REL_STREAM:
			return "stream";
		case SIDDHI_REL_WINDOW:
			return "window";
		case SIDDHI_REL_AGGREGATION:
			return "aggregation";
		case SIDDHI_REL_AGGREGATION_VIEW:
			return "aggregation view";
		case SIDDHI_REL_TABLE:
			break;
	}
	return "table";
}

/* The inverse of siddhi_relation_kind_name. */
SiddhiRelKind
siddhi_relation_kind_parse(const char *kind)
{
	for (int k = SIDDHI_REL_STREAM; k <= SIDDHI_REL_AGGREGATION_VIEW; k++)
		if (strcmp(kind, siddhi_relation_kind_name(k)) == 0)
			return k;
	return SIDDHI_REL_TABLE;
}

List *
siddhi_app_relations(const char *app)
{
	Oid argtypes[1] = { TEXTOID };
	Datum values[1];
	List *result = NIL;

	values[0] = CStringGetTextDatum(app);
	siddhi_catalog_spi("SELECT kind, nspname::pg_catalog.text, "
					   "relname::pg_catalog.text, created "
					   "FROM siddhi.app_relation "
					   "WHERE app OPERATOR(pg_catalog.=) $1",
					   1, argtypes, values, NULL, true, false);
	for (uint64 i = 0; i < SPI_processed; i++)
	{
		HeapTuple t = SPI_tuptable->vals[i];
		TupleDesc d = SPI_tuptable->tupdesc;
		SiddhiRelation *r = palloc0(sizeof(SiddhiRelation));
		bool isnull;

		r->kind = siddhi_relation_kind_parse(SPI_getvalue(t, d, 1));
		r->nspname = SPI_getvalue(t, d, 2);
		r->name = SPI_getvalue(t, d, 3);
		r->created = DatumGetBool(SPI_getbinval(t, d, 4, &isnull));
		result = lappend(result, r);
	}
	return result;
}

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
	{
		/* WITH (event_time = ..): a WITH without it declares none */
		foreach(lc, d->annotations)
		{
			SiddhiAnnotation *a = lfirst(lc);
			SiddhiAnnotationElement *e;

			if (pg_strcasecmp(a->name, "with") == 0 &&
				(e = siddhi_annotation_element(a, "event_time")) != NULL &&
				e->key != NULL)
				v = e->value;
		}
	}
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

/* The definition of name in the app, or NULL. */
SiddhiDefinition *
siddhi_find_definition(SiddhiApp *app, const char *name)
{
	ListCell *lc;

	foreach(lc, app->definitions)
	{
		SiddhiDefinition *d = lfirst(lc);

		/* a SQL sink's target is inferred from its query all the same */
		if (strcmp(d->name, name) == 0 && !d->inferred)
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
SiddhiRelation *
siddhi_bind_relation(AnalyzeState *st, const char *name, SiddhiRelKind kind,
					 List *names, List *typids, List *typmods,
					 SiddhiDefinition *def, const char *event_time,
					 int location)
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
			if (kind == SIDDHI_REL_TABLE &&
				relkind == RELKIND_PARTITIONED_TABLE)
				ereport(
					ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("\"%s\" is a partitioned table", name),
					 errdetail("An app's table must be a plain table: the "
							   "engine writes and looks up its rows as one."),
					 siddhi_errposition(source, location)));
			if (kind == SIDDHI_REL_TABLE && relkind != RELKIND_RELATION)
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
	nw->relation = siddhi_bind_relation(st, d->name, SIDDHI_REL_WINDOW, names,
										typids, typmods, d, NULL, d->location);
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
	tp->relation = siddhi_bind_relation(
		st, d->name, SIDDHI_REL_STREAM,
		list_make1(makeString("triggered_time")), list_make1_oid(INT8OID),
		list_make1_int(-1), NULL, NULL, d->location);
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

		if (d->inferred)
			continue; /* its query makes it (analyze_query) */
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
				/* SQL's CREATE STREAM s FROM TABLE t: t's columns */
				if (d->kind == SIDDHI_DEF_STREAM && d->attributes == NIL)
					siddhi_cdc_stream_columns(st, d);
				definition_columns(st, d, &names, &typids, &typmods);
				if (names == NIL)
					ereport(
						ERROR,
						(errcode(ERRCODE_SIDDHI_SEMANTIC_ERROR),
						 errmsg("\"%s\" has no attributes", d->name),
						 siddhi_errposition(st->app->source, d->location)));
				{
					SiddhiRelation *r = siddhi_bind_relation(
						st, d->name,
						d->kind == SIDDHI_DEF_STREAM ? SIDDHI_REL_STREAM
													 : SIDDHI_REL_TABLE,
						names, typids, typmods, d,
						d->kind == SIDDHI_DEF_STREAM
							? definition_event_time(st, d)
							: NULL,
						d->location);

					/* durable, synchronous_commit (analyze_durable.c) */
					if (d->kind == SIDDHI_DEF_STREAM)
						siddhi_analyze_durability(st, d, r);
				}
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
	return siddhi_bind_relation(st, name, SIDDHI_REL_STREAM, names, typids,
								typmods, NULL, NULL, location);
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
	return siddhi_bind_relation(st, name, SIDDHI_REL_TABLE, NIL, NIL, NIL,
								NULL, NULL, location);
}

/*
 * siddhi.event_timestamp(record), what eventTimestamp(e) calls with an
 * event's reference (InvalidOid if the extension has none), and the
 * whole-row Var its argument transformed to, or an error at f saying
 * which events the query's kind takes (what).
 */
Oid
siddhi_event_timestamp_oid(void)
{
	Oid argtype = RECORDOID;

	return LookupFuncName(
		list_make2(makeString("siddhi"), makeString("event_timestamp")), 1,
		&argtype, true);
}

Var *
siddhi_event_timestamp_arg(FuncExpr *f, const char *source, const char *what)
{
	Node *arg = linitial(f->args);

	while (arg && IsA(arg, RelabelType))
		arg = (Node *) ((RelabelType *) arg)->arg;
	if (arg == NULL || !IsA(arg, Var) || ((Var *) arg)->varattno != 0 ||
		((Var *) arg)->varlevelsup != 0)
		ereport(ERROR,
				(errcode(ERRCODE_SIDDHI_SEMANTIC_ERROR),
				 errmsg("eventTimestamp() takes %s or no argument", what),
				 siddhi_errposition(source, f->location)));
	return (Var *) arg;
}

Expr *
siddhi_finish_expr(ParseState *pstate, Node *e)
{
	siddhi_refuse_unrunnable(pstate, e);
	assign_expr_collations(pstate, e);
	siddhi_depend_note(e); /* before the planner inlines SQL functions */
	/* what inlining siddhi's arithmetic gives, without its n squared */
	e = siddhi_arith_as_catalog(e);
	return expression_planner((Expr *) e);
}

/* Analyze a query and add it to the plan; its name must be new. */
static void
add_query(AnalyzeState *st, SiddhiQuery *q, int index)
{
	SiddhiQueryPlan *qp = siddhi_analyze_query(st, q, index);
	ListCell *prev;

	if (qp->join)
		siddhi_join_finish(st, qp);
	if (qp->pattern)
		siddhi_pattern_finish(st, qp);
	qp->agg_unordered = siddhi_aggregates_unordered(st, qp);

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
	siddhi_name_generated_streams(&st, name);

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
				add_query(&st, q, q->generated ? 0 : ++index);
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
	siddhi_derive_dispatch_keys(st.plan);
	siddhi_derive_shared_conditions(st.plan);
	siddhi_derive_shared_exprs(st.plan);
	/* deploy: the deploying user; load: the owner (analyze_privileges.c) */
	siddhi_check_app_privileges(&st);
	return st.plan;
}
