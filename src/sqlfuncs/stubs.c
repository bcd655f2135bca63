/* Temporary: SQL entry points not written yet. */
#include "postgres.h"

#include "fmgr.h"

#define STUB(name)                                    \
	PG_FUNCTION_INFO_V1(name);                        \
	Datum name(PG_FUNCTION_ARGS)                      \
	{                                                 \
		elog(ERROR, #name " is not implemented yet"); \
		PG_RETURN_NULL();                             \
	}
