/*-------------------------------------------------------------------------
 *
 * secrets.c
 *	  ${NAME} references in connector options, resolved from
 *	  siddhi.secrets when the engine starts an app's sources and sinks.
 *
 * siddhi.secrets is readable by superusers only (REVOKE ALL FROM PUBLIC);
 * the engine reads it through siddhi_catalog_spi as the bootstrap
 * superuser, with search_path pinned.  A secret is for the apps of
 * superusers and of the roles with the privileges of its usable_by role
 * (has_privs_of_role, as Postgres checks a GRANT): any other app that
 * refers to it fails to load, so a role that may deploy connectors cannot
 * send somebody else's password to a server of its own.  A reference to a
 * name that is not there fails the app's load with an error that names
 * it; a value is never written into a message or the log.  Resolved
 * values live only in the engine's memory, in the copy of the options the
 * source is started with: siddhi.apps keeps showing the references.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "lib/stringinfo.h"
#include "siddhi/catalog.h"
#include "siddhi/errors.h"
#include "siddhi/source_runtime.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/builtins.h"

/*
 * The value of secret name for an app of owner; ERROR naming it when there
 * is none or when the owner may not use it.
 */
static char *
secret_value(const char *name, const char *app, Oid owner)
{
	Oid argtypes[1] = { TEXTOID };
	Datum values[1];
	MemoryContext cxt = CurrentMemoryContext;
	char *v;
	char *result;
	bool isnull;
	Datum usable_by;

	SPI_connect();
	values[0] = CStringGetTextDatum(name);
	siddhi_catalog_spi("SELECT value, usable_by::pg_catalog.oid "
					   "FROM siddhi.secrets "
					   "WHERE name OPERATOR(pg_catalog.=) $1",
					   1, argtypes, values, NULL, true, true);
	if (SPI_processed != 1)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("secret \"%s\" is not set", name),
				 errdetail("App \"%s\" refers to ${%s} in a connector option.",
						   app, name),
				 errhint("A superuser can store it: INSERT INTO "
						 "siddhi.secrets VALUES ('%s', '..'), then "
						 "redeploy the app.",
						 name)));
	usable_by = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2,
							  &isnull);
	if (!superuser_arg(owner) &&
		(isnull || !has_privs_of_role(owner, DatumGetObjectId(usable_by))))
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("permission denied for secret \"%s\"", name),
				 errdetail("App \"%s\" refers to ${%s} in a connector option; "
						   "its owner, role \"%s\", is neither a superuser "
						   "nor a member of the secret's usable_by role.",
						   app, name, GetUserNameFromId(owner, true)),
				 errhint("A superuser can allow it: UPDATE siddhi.secrets SET "
						 "usable_by = '<role>' WHERE name = '%s', then "
						 "redeploy the app.",
						 name)));
	v = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);
	/* out of SPI's memory, which SPI_finish frees */
	result = MemoryContextStrdup(cxt, v ? v : "");
	SPI_finish();
	return result;
}

/* value with every ${NAME} replaced (a copy; value itself if none). */
static char *
resolve_value(const char *value, const char *app, Oid owner)
{
	StringInfoData buf;
	const char *p = value;

	if (strstr(value, "${") == NULL)
		return pstrdup(value);
	initStringInfo(&buf);
	while (*p)
	{
		const char *end;

		if (p[0] == '$' && p[1] == '{' && (end = strchr(p + 2, '}')) != NULL)
		{
			char *name = pnstrdup(p + 2, end - p - 2);
			char *v = secret_value(name, app, owner);

			appendStringInfoString(&buf, v);
			pfree(v);
			pfree(name);
			p = end + 1;
		}
		else
			appendStringInfoChar(&buf, *p++);
	}
	return buf.data;
}

/*
 * A copy of options (SiddhiConnOption *) with the references resolved for
 * an app of owner, in the current memory context.  The caller is inside a
 * transaction.
 */
List *
siddhi_secrets_resolve(List *options, const char *app, Oid owner)
{
	List *result = NIL;
	ListCell *lc;

	foreach(lc, options)
	{
		SiddhiConnOption *o = lfirst(lc);
		SiddhiConnOption *c = palloc(sizeof(SiddhiConnOption));

		c->key = o->key ? pstrdup(o->key) : NULL;
		c->value = resolve_value(o->value, app, owner);
		c->location = o->location;
		result = lappend(result, c);
	}
	return result;
}
