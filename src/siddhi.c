/*-------------------------------------------------------------------------
 *
 * siddhi.c
 *	  Module entry: _PG_init wires the subsystems together, nothing more.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "fmgr.h"
#include "miscadmin.h"
#include "siddhi/errors.h"

PG_MODULE_MAGIC;

/* true when this library was loaded by shared_preload_libraries */
static bool siddhi_preloaded = false;

void		_PG_init(void);

void
_PG_init(void)
{
	if (!process_shared_preload_libraries_in_progress)
		return;
	siddhi_preloaded = true;
}

PG_FUNCTION_INFO_V1(siddhi_check_preload);

Datum
siddhi_check_preload(PG_FUNCTION_ARGS)
{
	if (!siddhi_preloaded)
		ereport(ERROR,
				(errcode(ERRCODE_SIDDHI_NOT_PRELOADED),
				 errmsg("siddhi must be loaded via shared_preload_libraries"),
				 errhint("Add 'siddhi' to shared_preload_libraries in postgresql.conf and restart the server.")));
	PG_RETURN_VOID();
}
