/*-------------------------------------------------------------------------
 *
 * arith_funcs.c
 *	  SiddhiQL's / and %, as Siddhi computes them: a zero divisor gives
 *	  null (Siddhi's divide and mod executors return null for it, of every
 *	  type), and % of floats and doubles is Java's remainder (C's fmod,
 *	  the sign of the dividend).  The SQL dialect keeps SQL's operators,
 *	  which raise division_by_zero.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"
#include "utils/numeric.h"

PG_FUNCTION_INFO_V1(siddhi_div_int4);
PG_FUNCTION_INFO_V1(siddhi_div_int8);
PG_FUNCTION_INFO_V1(siddhi_div_float4);
PG_FUNCTION_INFO_V1(siddhi_div_float8);
PG_FUNCTION_INFO_V1(siddhi_div_numeric);
PG_FUNCTION_INFO_V1(siddhi_mod_int4);
PG_FUNCTION_INFO_V1(siddhi_mod_int8);
PG_FUNCTION_INFO_V1(siddhi_mod_float4);
PG_FUNCTION_INFO_V1(siddhi_mod_float8);
PG_FUNCTION_INFO_V1(siddhi_mod_numeric);

Datum
siddhi_div_int4(PG_FUNCTION_ARGS)
{
	if (PG_GETARG_INT32(1) == 0)
		PG_RETURN_NULL();
	return DirectFunctionCall2(int4div, PG_GETARG_DATUM(0),
							   PG_GETARG_DATUM(1));
}

Datum
siddhi_div_int8(PG_FUNCTION_ARGS)
{
	if (PG_GETARG_INT64(1) == 0)
		PG_RETURN_NULL();
	return DirectFunctionCall2(int8div, PG_GETARG_DATUM(0),
							   PG_GETARG_DATUM(1));
}

Datum
siddhi_div_float4(PG_FUNCTION_ARGS)
{
	float4 b = PG_GETARG_FLOAT4(1);

	if (b == 0.0f)
		PG_RETURN_NULL();
	/* Java's: infinities and NaN as IEEE gives them, never an error */
	PG_RETURN_FLOAT4(PG_GETARG_FLOAT4(0) / b);
}

Datum
siddhi_div_float8(PG_FUNCTION_ARGS)
{
	float8 b = PG_GETARG_FLOAT8(1);

	if (b == 0.0)
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(PG_GETARG_FLOAT8(0) / b);
}

/* Whether a numeric is zero. */
static bool
numeric_zero(Datum n)
{
	return DatumGetInt32(DirectFunctionCall2(
			   numeric_cmp, n, NumericGetDatum(int64_to_numeric(0)))) == 0;
}

Datum
siddhi_div_numeric(PG_FUNCTION_ARGS)
{
	if (numeric_zero(PG_GETARG_DATUM(1)))
		PG_RETURN_NULL();
	return DirectFunctionCall2(numeric_div, PG_GETARG_DATUM(0),
							   PG_GETARG_DATUM(1));
}

Datum
siddhi_mod_int4(PG_FUNCTION_ARGS)
{
	if (PG_GETARG_INT32(1) == 0)
		PG_RETURN_NULL();
	return DirectFunctionCall2(int4mod, PG_GETARG_DATUM(0),
							   PG_GETARG_DATUM(1));
}

Datum
siddhi_mod_int8(PG_FUNCTION_ARGS)
{
	if (PG_GETARG_INT64(1) == 0)
		PG_RETURN_NULL();
	return DirectFunctionCall2(int8mod, PG_GETARG_DATUM(0),
							   PG_GETARG_DATUM(1));
}

Datum
siddhi_mod_float4(PG_FUNCTION_ARGS)
{
	float4 b = PG_GETARG_FLOAT4(1);

	if (b == 0.0f)
		PG_RETURN_NULL();
	PG_RETURN_FLOAT4(fmodf(PG_GETARG_FLOAT4(0), b));
}

Datum
siddhi_mod_float8(PG_FUNCTION_ARGS)
{
	float8 b = PG_GETARG_FLOAT8(1);

	if (b == 0.0)
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(fmod(PG_GETARG_FLOAT8(0), b));
}

Datum
siddhi_mod_numeric(PG_FUNCTION_ARGS)
{
	if (numeric_zero(PG_GETARG_DATUM(1)))
		PG_RETURN_NULL();
	return DirectFunctionCall2(numeric_mod, PG_GETARG_DATUM(0),
							   PG_GETARG_DATUM(1));
}
