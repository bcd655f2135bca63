/*-------------------------------------------------------------------------
 *
 * datum_num.c
 *	  A number Datum of one of the engine's numeric attribute types
 *	  (int2, int4, int8, float4, float8) as a double or an int64: what the
 *	  aggregators (src/runtime/select/) and incremental aggregations
 *	  (src/runtime/aggregation/) compute on.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "siddhi/datum_num.h"

double
siddhi_datum_double(Datum d, Oid type)
{
	switch (type)
	{
		case INT2OID:
			return DatumGetInt16(d);
		case INT4OID:
			return DatumGetInt32(d);
		case INT8OID:
			return (double) DatumGetInt64(d);
		case FLOAT4OID:
			return DatumGetFloat4(d);
		default:
			return DatumGetFloat8(d);
	}
}

int64
siddhi_datum_int64(Datum d, Oid type)
{
	switch (type)
	{
		case INT2OID:
			return DatumGetInt16(d);
		case INT4OID:
			return DatumGetInt32(d);
		default:
			return DatumGetInt64(d);
	}
}
