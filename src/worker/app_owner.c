/*-------------------------------------------------------------------------
 *
 * app_owner.c
 *	  Apps and the roles that own them: what DROP ROLE, DROP OWNED BY and
 *	  REASSIGN OWNED BY do to the apps of a role.
 *
 * An app is a row of siddhi.app, which pg_shdepend cannot point at; its
 * placeholder view siddhi_app.<app> is owned by the app's owner
 * (src/catalog/depend.c), and that view's pg_shdepend entry is how
 * PostgreSQL sees the app's ownership:
 *
 *	- DROP ROLE refuses while the role owns an app's view, in any database
 *	  ("owner of view siddhi_app.<app>").  Before that, in the current
 *	  database, the hook refuses with the names of the apps, which also
 *	  covers an app whose view a CASCADE dropped (failed, and with no
 *	  entry any more): an app never keeps the OID of a dropped role.
 *	- DROP OWNED BY drops the views with the role's other objects (its
 *	  streams and tables among them); afterwards the hook removes the
 *	  role's apps from the catalog, as undeploy does, dropping nothing
 *	  else: what the role owned is gone already, what others own stays.
 *	- REASSIGN OWNED BY gives the views to the new role; afterwards the
 *	  hook gives it the apps, as a replace by that role would: each app
 *	  is loaded again, as its new owner, its state handed over.
 *
 * PostgreSQL has checked that the caller may act for the roles (has the
 * privileges of each, and of the new owner) before the hook acts after
 * the command; those are roles that could undeploy or redeploy the apps
 * anyway, so nobody gains a right by it.  The catalog is written as the
 * bootstrap superuser with search_path pinned (catalog_spi.c).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "commands/dbcommands.h"
#include "commands/extension.h"
#include "executor/spi.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "siddhi/catalog.h"
#include "siddhi/depend.h"
#include "siddhi/sink.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "app_owner.h"

/* Is the extension in the current database (the hook runs in every one)? */
static bool
extension_here(void)
{
	return OidIsValid(get_extension_oid("siddhi", true));
}

/* The OIDs of the roles of a list of RoleSpec that exist, as oid[]. */
static Datum
role_array(List *roles)
{
	Datum *oids = palloc(sizeof(Datum) * Max(list_length(roles), 1));
	int n = 0;
	ListCell *lc;

	foreach(lc, roles)
	{
		Oid r = get_rolespec_oid(lfirst(lc), true);

		if (OidIsValid(r))
			oids[n++] = ObjectIdGetDatum(r);
	}
	return PointerGetDatum(
		construct_array(oids, n, OIDOID, sizeof(Oid), true, TYPALIGN_INT));
}

/* The names of the apps whose owner is one of roles (oid[]), in order. */
static List *
apps_of(Datum roles)
{
	Oid argtypes[1] = { OIDARRAYOID };
	Datum values[1] = { roles };
	List *names = NIL;
	MemoryContext cxt = CurrentMemoryContext;

	siddhi_catalog_spi("SELECT name FROM siddhi.app "
					   "WHERE owner::pg_catalog.oid OPERATOR(pg_catalog.=) "
					   "ANY ($1) ORDER BY name",
					   1, argtypes, values, NULL, true, true);
	/* SPI leaves its procedure's context current: the caller's again */
	MemoryContextSwitchTo(cxt);
	for (uint64 i = 0; i < SPI_processed; i++)
		names = lappend(names, SPI_getvalue(SPI_tuptable->vals[i],
											SPI_tuptable->tupdesc, 1));
	return names;
}

void
siddhi_app_owner_drop_role(DropRoleStmt *stmt)
{
	ListCell *lc;

	if (!extension_here())
		return;
	SPI_connect();
	foreach(lc, stmt->roles)
	{
		RoleSpec *rs = lfirst(lc);
		Oid role = get_rolespec_oid(rs, true);
		List *apps;
		StringInfoData names;
		ListCell *a;

		if (!OidIsValid(role))
			continue;
		apps = apps_of(role_array(list_make1(rs)));
		if (apps == NIL)
			continue;
		initStringInfo(&names);
		foreach(a, apps)
			appendStringInfo(&names, "%s\"%s\"", names.len ? ", " : "",
							 (char *) lfirst(a));
		ereport(ERROR,
				(errcode(ERRCODE_DEPENDENT_OBJECTS_STILL_EXIST),
				 errmsg("role \"%s\" cannot be dropped because it owns "
						"siddhi apps",
						get_rolespec_name(rs)),
				 errdetail("Owner of app%s %s in database \"%s\".",
						   list_length(apps) > 1 ? "s" : "", names.data,
						   get_database_name(MyDatabaseId)),
				 errhint("Undeploy them, give them to another role with "
						 "REASSIGN OWNED BY, or remove them with DROP OWNED "
						 "BY.")));
	}
	SPI_finish();
}

void
siddhi_app_owner_dropped(DropOwnedStmt *stmt)
{
	ListCell *lc;
	List *apps;

	if (!extension_here())
		return;
	SPI_connect();
	apps = apps_of(role_array(stmt->roles));
	foreach(lc, apps)
	{
		Oid argtypes[1] = { TEXTOID };
		Datum values[1] = { CStringGetTextDatum(lfirst(lc)) };
		static const char *const forget[] = {
			"DELETE FROM siddhi.query_state "
			"WHERE app OPERATOR(pg_catalog.=) $1",
			"DELETE FROM siddhi.query_state_part "
			"WHERE app OPERATOR(pg_catalog.=) $1",
			"DELETE FROM siddhi.source_offsets "
			"WHERE app OPERATOR(pg_catalog.=) $1",
			"DELETE FROM siddhi.errors WHERE app OPERATOR(pg_catalog.=) $1",
			"DELETE FROM siddhi.app WHERE name OPERATOR(pg_catalog.=) $1",
		};

		/* its view is the role's: dropped by the command, unless a
		 * CASCADE did before */
		siddhi_depend_drop(lfirst(lc));
		siddhi_outbox_sync(lfirst(lc), NULL);
		for (int i = 0; i < lengthof(forget); i++)
			siddhi_catalog_spi(forget[i], 1, argtypes, values, NULL, false,
							   true);
	}
	SPI_finish();
}

void
siddhi_app_owner_reassigned(ReassignOwnedStmt *stmt)
{
	Oid argtypes[2] = { OIDARRAYOID, OIDOID };
	Datum values[2];

	if (!extension_here())
		return;
	values[0] = role_array(stmt->roles);
	values[1] = ObjectIdGetDatum(get_rolespec_oid(stmt->newrole, false));
	SPI_connect();
	/* as a replace keeps the state: the saved state goes to the reload */
	siddhi_catalog_spi("UPDATE siddhi.query_state SET deployed_at = "
					   "pg_catalog.now() WHERE app IN (SELECT name "
					   "FROM siddhi.app WHERE owner::pg_catalog.oid "
					   "OPERATOR(pg_catalog.=) ANY ($1))",
					   1, argtypes, values, NULL, false, true);
	siddhi_catalog_spi("UPDATE siddhi.app SET owner = $2::pg_catalog.regrole, "
					   "deployed_at = pg_catalog.now() "
					   "WHERE owner::pg_catalog.oid "
					   "OPERATOR(pg_catalog.=) ANY ($1)",
					   2, argtypes, values, NULL, false, true);
	/* what undeployed apps left is the new owner's too (take_leftovers) */
	siddhi_catalog_spi("UPDATE siddhi.app_leftovers SET owner = $2 "
					   "WHERE owner OPERATOR(pg_catalog.=) ANY ($1)",
					   2, argtypes, values, NULL, false, true);
	SPI_finish();
}
