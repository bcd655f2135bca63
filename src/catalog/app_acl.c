/*-------------------------------------------------------------------------
 *
 * app_acl.c
 *	  Who may act on an app: the checks of the SQL functions that act on
 *	  one app by name (siddhi.advance_clock(ms, app), ..).
 *
 * An app is managed, like any object in PostgreSQL, by the members of
 * its owner role (has_privs_of_role: superusers too).  deploy.c keeps its
 * own check for deploy, replace and undeploy; this file serves the other
 * functions, so that they need no part of deploy.c.
 *
 * The owner is read from siddhi.app through SPI as the caller, who may
 * read its name and owner columns (siddhi--1.0.0.sql grants those, not
 * the source or the error, to PUBLIC); the statement names every object
 * with its schema, operators included, so the caller's search_path
 * cannot change what it runs.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "siddhi/catalog.h"
#include "utils/acl.h"
#include "utils/builtins.h"

Oid
siddhi_app_owner_of(const char *name)
{
	Oid argtypes[1] = { TEXTOID };
	Datum values[1] = { CStringGetTextDatum(name) };
	Oid owner = InvalidOid;

	SPI_connect();
	/* as the caller, with search_path pinned (catalog_spi.c) */
	siddhi_catalog_spi("SELECT owner::pg_catalog.oid FROM siddhi.app "
					   "WHERE name OPERATOR(pg_catalog.=) $1",
					   1, argtypes, values, NULL, true, false);
	if (SPI_processed > 0)
	{
		bool isnull;

		owner = DatumGetObjectId(SPI_getbinval(
			SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	}
	SPI_finish();
	return owner;
}

void
siddhi_check_may_manage_owner(const char *name, Oid owner)
{
	if (!has_privs_of_role(GetUserId(), owner))
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("must be owner of app \"%s\"", name),
				 errdetail("Only members of the app's owner role may do "
						   "this.")));
}

void
siddhi_check_may_manage_app(const char *name)
{
	Oid owner = siddhi_app_owner_of(name);

	if (!OidIsValid(owner))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("app \"%s\" is not deployed", name),
				 errhint("The deployed apps are listed in siddhi.apps.")));
	siddhi_check_may_manage_owner(name, owner);
}
