/*-------------------------------------------------------------------------
 *
 * analyze_cdc.c
 *	  Deploy checks of a Postgres CDC source (@source(type = 'cdc',
 *	  table.name = .., operation = ..)): the server can decode (wal_level,
 *	  max_replication_slots), the table exists and the owner may read it,
 *	  every attribute of the stream takes something of a change with the
 *	  column's type, and old rows are logged when before_ attributes want
 *	  them.  Errors at the option's or the stream's position.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/relation.h"
#include "access/xlog.h"
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "catalog/pg_type.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "parser/parse_coerce.h"
#include "replication/slot.h"
#include "siddhi/cdc.h"
#include "siddhi/connector.h"
#include "siddhi/errors.h"
#include "siddhi/parser.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/guc.h"
#include "utils/regproc.h"
#include "utils/rls.h"
#include "utils/varlena.h"

#include "analyze_int.h"

int
siddhi_cdc_ops_mask(const char *operation, bool *ok)
{
	int mask = 0;
	char *s = pstrdup(operation);
	char *tok;
	char *save = NULL;

	*ok = true;
	for (tok = strtok_r(s, ", ", &save); tok;
		 tok = strtok_r(NULL, ", ", &save))
	{
		if (pg_strcasecmp(tok, "insert") == 0)
			mask |= CDC_OP_INSERT;
		else if (pg_strcasecmp(tok, "update") == 0)
			mask |= CDC_OP_UPDATE;
		else if (pg_strcasecmp(tok, "delete") == 0)
			mask |= CDC_OP_DELETE;
		else if (pg_strcasecmp(tok, "truncate") == 0)
			mask |= CDC_OP_TRUNCATE;
		else if (pg_strcasecmp(tok, "all") == 0)
			mask |= CDC_OP_INSERT | CDC_OP_UPDATE | CDC_OP_DELETE;
		else
			*ok = false;
	}
	if (mask == 0)
		*ok = false;
	pfree(s);
	return mask;
}

static int
column_index(TupleDesc tdesc, const char *name)
{
	for (int i = 0; i < tdesc->natts; i++)
	{
		Form_pg_attribute a = TupleDescAttr(tdesc, i);

		if (!a->attisdropped && strcmp(NameStr(a->attname), name) == 0)
			return i;
	}
	return -1;
}

int
siddhi_cdc_attribute_kind(TupleDesc tdesc, const char *name, int *col)
{
	*col = column_index(tdesc, name);
	if (*col >= 0)
		return CDC_ATT_NEW;
	if (strncmp(name, "before_", 7) == 0)
	{
		*col = column_index(tdesc, name + 7);
		if (*col >= 0)
			return CDC_ATT_OLD;
	}
	if (strcmp(name, "op") == 0 || strcmp(name, "operation") == 0)
		return CDC_ATT_OP;
	if (strcmp(name, "commit_time") == 0)
		return CDC_ATT_COMMIT;
	return -1;
}

static char *
column_list(TupleDesc tdesc)
{
	StringInfoData b;

	initStringInfo(&b);
	for (int i = 0; i < tdesc->natts; i++)
		if (!TupleDescAttr(tdesc, i)->attisdropped)
			appendStringInfo(&b, "%s%s", b.len ? ", " : "",
							 NameStr(TupleDescAttr(tdesc, i)->attname));
	return b.data;
}

/* The stream's attributes against the table's columns. */
static void
check_attributes(AnalyzeState *st, SiddhiSourcePlan *sp, Relation rel,
				 int deflocation, bool *old, bool *toasted)
{
	TupleDesc tdesc = RelationGetDescr(rel);
	const char *src = st->app->source;
	char *tname = quote_qualified_identifier(
		get_namespace_name(RelationGetNamespace(rel)),
		RelationGetRelationName(rel));

	*old = *toasted = false;
	for (int i = 0; i < sp->desc->natts; i++)
	{
		Form_pg_attribute sa = TupleDescAttr(sp->desc, i);
		int col;
		int kind =
			siddhi_cdc_attribute_kind(tdesc, NameStr(sa->attname), &col);

		if (kind < 0)
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_COLUMN),
					 errmsg("attribute \"%s\" of stream \"%s\" is no column "
							"of table %s",
							NameStr(sa->attname), sp->stream->name, tname),
					 errhint("A cdc stream's attributes are the table's "
							 "columns (%s), before_<column> for the old "
							 "row, op and commit_time.",
							 column_list(tdesc)),
					 siddhi_errposition(src, deflocation)));
		if (kind == CDC_ATT_OP && sa->atttypid != TEXTOID &&
			sa->atttypid != VARCHAROID)
			ereport(ERROR,
					(errcode(ERRCODE_DATATYPE_MISMATCH),
					 errmsg("attribute \"%s\" of a cdc stream is a string",
							NameStr(sa->attname)),
					 errhint("Declare it %s string.", NameStr(sa->attname)),
					 siddhi_errposition(src, deflocation)));
		if (kind == CDC_ATT_COMMIT && sa->atttypid != TIMESTAMPTZOID &&
			sa->atttypid != INT8OID)
			ereport(ERROR,
					(errcode(ERRCODE_DATATYPE_MISMATCH),
					 errmsg("attribute commit_time of a cdc stream is a long "
							"or a timestamptz"),
					 errhint("Declare it commit_time long (milliseconds "
							 "since the epoch)."),
					 siddhi_errposition(src, deflocation)));
		if (col < 0)
			continue;
		{
			Form_pg_attribute ca = TupleDescAttr(tdesc, col);

			if (ca->atttypid != sa->atttypid &&
				!IsBinaryCoercible(ca->atttypid, sa->atttypid))
				ereport(
					ERROR,
					(errcode(ERRCODE_DATATYPE_MISMATCH),
					 errmsg("attribute \"%s\" of stream \"%s\" is of type "
							"%s, column \"%s\" of table %s is %s",
							NameStr(sa->attname), sp->stream->name,
							format_type_be(sa->atttypid), NameStr(ca->attname),
							tname, format_type_be(ca->atttypid)),
					 errhint("Declare the attribute with the column's "
							 "type; convert in a query."),
					 siddhi_errposition(src, deflocation)));
			if (kind == CDC_ATT_OLD)
				*old = true;
			else if (ca->attlen == -1 && ca->attstorage != TYPSTORAGE_PLAIN)
				*toasted = true;
		}
	}
}

/*
 * SQL's CREATE STREAM s FROM TABLE t [WITH (operations = ..)]: the
 * stream's attributes from the table: op, every column, and before_X for
 * each column when updates or deletes are read.  Nothing for a stream
 * without a cdc @source (its "no attributes" error follows).
 */
void
siddhi_cdc_stream_columns(AnalyzeState *st, SiddhiDefinition *d)
{
	SiddhiAnnotationElement *table = NULL;
	const char *operation = "all";
	ListCell *lc;
	Oid relid;
	Relation rel;
	TupleDesc tdesc;
	bool ok;
	int ops;

	foreach(lc, d->annotations)
	{
		SiddhiAnnotation *a = lfirst(lc);
		bool cdc = false;
		SiddhiAnnotationElement *t = NULL;
		ListCell *le;

		if (pg_strcasecmp(a->name, "source") != 0)
			continue;
		foreach(le, a->elements)
		{
			SiddhiAnnotationElement *e = lfirst(le);

			if (e->key == NULL)
				continue;
			if (pg_strcasecmp(e->key, "type") == 0 &&
				pg_strcasecmp(e->value, "cdc") == 0)
				cdc = true;
			else if (pg_strcasecmp(e->key, "table.name") == 0)
				t = e;
			else if (pg_strcasecmp(e->key, "operation") == 0)
				operation = e->value;
		}
		if (cdc && t)
			table = t;
	}
	if (table == NULL)
		return;
	ops = siddhi_cdc_ops_mask(operation, &ok);
	relid = RangeVarGetRelid(
		makeRangeVarFromNameList(stringToQualifiedNameList(table->value)),
		AccessShareLock, true);
	if (!OidIsValid(relid))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("table \"%s\" of a cdc source does not exist",
						table->value),
				 errhint("Name a table of this database, as schema.table "
						 "or a name on the search_path."),
				 siddhi_errposition(st->app->source, table->location)));
	rel = relation_open(relid, NoLock);
	tdesc = RelationGetDescr(rel);
	for (int pass = 0; pass < 3; pass++)
	{
		if (pass == 0)
		{
			SiddhiAttribute *a = palloc0(sizeof(SiddhiAttribute));

			a->name = pstrdup("op");
			a->type = makeTypeNameFromOid(TEXTOID, -1);
			a->location = d->location;
			d->attributes = lappend(d->attributes, a);
			continue;
		}
		if (pass == 2 && !(ok && (ops & (CDC_OP_UPDATE | CDC_OP_DELETE))))
			break;
		for (int i = 0; i < tdesc->natts; i++)
		{
			Form_pg_attribute c = TupleDescAttr(tdesc, i);
			SiddhiAttribute *a;

			if (c->attisdropped)
				continue;
			a = palloc0(sizeof(SiddhiAttribute));
			a->name = pass == 1 ? pstrdup(NameStr(c->attname))
								: psprintf("before_%s", NameStr(c->attname));
			a->type = makeTypeNameFromOid(c->atttypid, c->atttypmod);
			a->location = d->location;
			d->attributes = lappend(d->attributes, a);
		}
	}
	relation_close(rel, NoLock);
}

void
siddhi_analyze_cdc_source(AnalyzeState *st, SiddhiSourcePlan *sp,
						  int deflocation)
{
	const char *src = st->app->source;
	SiddhiConnOption *t = siddhi_conn_option_find(sp->options, "table.name");
	SiddhiConnOption *o = siddhi_conn_option_find(sp->options, "operation");
	SiddhiConnOption *w =
		siddhi_conn_option_find(sp->options, "include.engine.writes");
	List *names;
	Oid relid;
	Relation rel;
	int ops = CDC_OP_INSERT | CDC_OP_UPDATE | CDC_OP_DELETE;
	bool ok;
	bool old, toasted;
	char *tname;

	if (wal_level < WAL_LEVEL_LOGICAL)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("a cdc source needs wal_level = logical"),
				 errdetail("The server runs with wal_level = %s, which logs "
						   "too little to decode changes.",
						   GetConfigOption("wal_level", false, false)),
				 errhint("Set wal_level = logical in postgresql.conf and "
						 "restart the server."),
				 siddhi_errposition(src, sp->location)));
	if (max_replication_slots <= 0)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("a cdc source needs a replication slot"),
				 errdetail("max_replication_slots is 0."),
				 errhint("Set max_replication_slots in postgresql.conf to "
						 "at least the number of cdc sources (and other "
						 "slots), and restart the server."),
				 siddhi_errposition(src, sp->location)));
	if (o)
	{
		ops = siddhi_cdc_ops_mask(o->value, &ok);
		if (!ok)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("unknown cdc operation \"%s\"", o->value),
					 errhint("Write operation = 'insert', 'update', 'delete', "
							 "'all', or a list such as 'insert,update' "
							 "(and 'truncate' for TRUNCATE events)."),
					 siddhi_errposition(src, o->location)));
	}
	if (w && pg_strcasecmp(w->value, "true") != 0 &&
		pg_strcasecmp(w->value, "false") != 0)
		ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						errmsg("include.engine.writes is 'true' or 'false'"),
						siddhi_errposition(src, w->location)));
	if (sp->map->attributes != NIL ||
		(pg_strcasecmp(sp->map->type, "keyvalue") != 0 &&
		 pg_strcasecmp(sp->map->type, "passThrough") != 0))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("a cdc source maps changes by attribute name"),
				 errdetail("Each attribute takes the column of its name, "
						   "before_<column> the old row's."),
				 errhint("Write @map(type = 'keyvalue') without "
						 "@attributes, or no @map."),
				 siddhi_errposition(src, sp->map->location)));
	/* rows are formed as the stream's, no text in between */
	sp->map->type = "passThrough";

	names = stringToQualifiedNameList(t->value);
	relid = RangeVarGetRelid(makeRangeVarFromNameList(names), AccessShareLock,
							 true);
	if (!OidIsValid(relid))
		ereport(
			ERROR,
			(errcode(ERRCODE_UNDEFINED_TABLE),
			 errmsg("table \"%s\" of a cdc source does not exist", t->value),
			 errhint("table.name names a table of this database, as "
					 "'schema.table' or a name on the search_path."),
			 siddhi_errposition(src, t->location)));
	rel = relation_open(relid, NoLock);
	tname = quote_qualified_identifier(
		get_namespace_name(RelationGetNamespace(rel)),
		RelationGetRelationName(rel));
	if (rel->rd_rel->relkind != RELKIND_RELATION)
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("%s is not an ordinary table", tname),
				 errdetail("A cdc source decodes the changes of one table."),
				 errhint("Name a table (each partition of a partitioned "
						 "table is one)."),
				 siddhi_errposition(src, t->location)));
	if (pg_class_aclcheck(relid, GetUserId(), ACL_SELECT) != ACLCHECK_OK)
		ereport(
			ERROR,
			(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
			 errmsg("permission denied for table %s", tname),
			 errdetail("A cdc source reads every change of the table, "
					   "as the app's owner."),
			 errhint("GRANT SELECT ON %s TO %s;", tname,
					 quote_identifier(GetUserNameFromId(GetUserId(), false))),
			 siddhi_errposition(src, t->location)));
	/* decoding sees every row: no policy of the table could apply */
	if (check_enable_rls(relid, InvalidOid, true) == RLS_ENABLED)
		ereport(
			ERROR,
			(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
			 errmsg("table %s has row-level security for %s", tname,
					GetUserNameFromId(GetUserId(), false)),
			 errdetail("A cdc source decodes every change of the table from "
					   "the WAL, where no policy applies."),
			 errhint("Deploy the app as a role that bypasses the table's "
					 "policies (its owner, or a role with BYPASSRLS)."),
			 siddhi_errposition(src, t->location)));
	/* a replication slot keeps WAL: PostgreSQL's rule for making one */
	if (!superuser() && !has_rolreplication(GetUserId()) &&
		!has_privs_of_role(GetUserId(),
						   get_role_oid("siddhi_connector", true)))
		ereport(
			ERROR,
			(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
			 errmsg("permission denied to deploy a cdc source"),
			 errdetail("A cdc source holds a replication slot, which keeps "
					   "WAL on the server until the app has processed it; "
					   "making one needs the REPLICATION attribute."),
			 errhint("A superuser can ALTER ROLE %s REPLICATION, or GRANT "
					 "siddhi_connector TO %s.",
					 quote_identifier(GetUserNameFromId(GetUserId(), false)),
					 quote_identifier(GetUserNameFromId(GetUserId(), false))),
			 siddhi_errposition(src, sp->location)));
	check_attributes(st, sp, rel, deflocation, &old, &toasted);
	if (old && (ops & (CDC_OP_UPDATE | CDC_OP_DELETE)) &&
		rel->rd_rel->relreplident != REPLICA_IDENTITY_FULL)
		ereport(
			ERROR,
			(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
			 errmsg("before_ attributes need the old rows of table %s", tname),
			 errdetail("PostgreSQL logs the whole old row of an update or "
					   "delete only with REPLICA IDENTITY FULL."),
			 errhint("Run ALTER TABLE %s REPLICA IDENTITY FULL;", tname),
			 siddhi_errposition(src, deflocation)));
	if (toasted && (ops & CDC_OP_UPDATE) &&
		rel->rd_rel->relreplident != REPLICA_IDENTITY_FULL &&
		st->mode != SIDDHI_ANALYZE_LOAD)
		ereport(WARNING,
				(errmsg("an update that leaves a TOASTed value of table %s "
						"unchanged fails the cdc source",
						tname),
				 errdetail("PostgreSQL does not log such a value; it is "
						   "logged with the old row under REPLICA IDENTITY "
						   "FULL."),
				 errhint("Run ALTER TABLE %s REPLICA IDENTITY FULL;", tname)));
	sp->table_relid = relid;
	relation_close(rel, NoLock);
}
