/*-------------------------------------------------------------------------
 *
 * catalog_spi.c
 *	  The extension's own SQL, pinned: search_path = pg_catalog, pg_temp.
 *
 * Every statement the extension runs on its own account (the catalog
 * reads and writes of deploy and undeploy, the engine worker's state
 * updates, the lookups of siddhi.query and siddhi.subscribe) goes
 * through here.  The search_path is set to pg_catalog, pg_temp in a GUC
 * nest level of its own, so no schema of a user's path can shadow an
 * operator or a function (and the statements name their operators as
 * OPERATOR(pg_catalog.=) all the same), and the level is rolled back
 * afterwards, error or not, leaving the caller's settings as they were.
 * A statement that runs as the bootstrap superuser also runs restricted
 * (SECURITY_RESTRICTED_OPERATION), as Postgres runs the index functions
 * of a maintenance command: it touches only the extension's catalog,
 * whose triggers are the extension's own.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_authid.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "siddhi/catalog.h"
#include "utils/guc.h"

#define SIDDHI_PINNED_PATH "pg_catalog, pg_temp"

/*
 * Open a GUC nest level with search_path pinned; the caller must call
 * siddhi_pin_end with the level returned, on every path.
 */
int
siddhi_pin_begin(void)
{
	int level = NewGUCNestLevel();

	if (set_config_option("search_path", SIDDHI_PINNED_PATH, PGC_USERSET,
						  PGC_S_SESSION, GUC_ACTION_SAVE, true, 0, false) <= 0)
	{
		AtEOXact_GUC(false, level);
		ereport(ERROR, (errcode(ERRCODE_INTERNAL_ERROR),
						errmsg("could not pin search_path")));
	}
	return level;
}

/* Close the level siddhi_pin_begin opened: every setting made in it goes. */
void
siddhi_pin_end(int level, bool ok)
{
	AtEOXact_GUC(ok, level);
}

int
siddhi_catalog_spi(const char *sql, int nargs, Oid *argtypes, Datum *values,
				   const char *nulls, bool read_only, bool as_superuser)
{
	Oid save_user;
	int save_sec;
	int level;
	int rc;

	GetUserIdAndSecContext(&save_user, &save_sec);
	level = siddhi_pin_begin();
	PG_TRY();
	{
		if (as_superuser)
			SetUserIdAndSecContext(BOOTSTRAP_SUPERUSERID,
								   save_sec | SECURITY_LOCAL_USERID_CHANGE |
									   SECURITY_RESTRICTED_OPERATION);
		rc = SPI_execute_with_args(sql, nargs, argtypes, values, nulls,
								   read_only, 0);
		if (rc < 0)
			ereport(ERROR, (errcode(ERRCODE_INTERNAL_ERROR),
							errmsg("siddhi catalog statement failed (%s): %s",
								   SPI_result_code_string(rc), sql)));
	}
	PG_CATCH();
	{
		SetUserIdAndSecContext(save_user, save_sec);
		siddhi_pin_end(level, false);
		PG_RE_THROW();
	}
	PG_END_TRY();
	SetUserIdAndSecContext(save_user, save_sec);
	siddhi_pin_end(level, true);
	return rc;
}
