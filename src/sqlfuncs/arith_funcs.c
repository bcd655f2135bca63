/*-------------------------------------------------------------------------
 *
 * arith_funcs.c
 *	  SiddhiQL's arithmetic as Siddhi computes it, which is Java's: ints
 *	  and longs wrap around when they overflow, floats and doubles go to
 *	  infinity (never an error), a zero divisor gives null (Siddhi's
 *	  divide and mod executors return null for it, of every type), and %
 *	  of floats and doubles is Java's remainder (C's fmod, the sign of the
 *	  dividend).  The SQL dialect keeps SQL's operators, which raise
 *	  numeric_value_out_of_range and division_by_zero.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"
#include "utils/numeric.h"

/* two's complement wrap-around, as Java's int and long arithmetic */
#define WRAP32(expr) ((int32) (uint32) (expr))
#define WRAP64(expr) ((int64) (uint64) (expr))

/*
 * a op b of ints or longs, wrapping around (done in the unsigned type, where
 * overflow is defined), or of floats or doubles, IEEE's (no overflow error)
 */
#define JAVA_INT_OP(name, op, getarg, ret, utype, wrap)   \
	PG_FUNCTION_INFO_V1(name);                            \
	Datum name(PG_FUNCTION_ARGS)                          \
	{                                                     \
		ret(wrap((utype) getarg(0) op(utype) getarg(1))); \
	}
#define JAVA_FLOAT_OP(name, op, getarg, ret) \
	PG_FUNCTION_INFO_V1(name);               \
	Datum name(PG_FUNCTION_ARGS)             \
	{                                        \
		ret(getarg(0) op getarg(1));         \
	}

JAVA_INT_OP(siddhi_add_int4, +, PG_GETARG_INT32, PG_RETURN_INT32, uint32,
			WRAP32)
JAVA_INT_OP(siddhi_sub_int4, -, PG_GETARG_INT32, PG_RETURN_INT32, uint32,
			WRAP32)
JAVA_INT_OP(siddhi_mul_int4, *, PG_GETARG_INT32, PG_RETURN_INT32, uint32,
			WRAP32)
JAVA_INT_OP(siddhi_add_int8, +, PG_GETARG_INT64, PG_RETURN_INT64, uint64,
			WRAP64)
JAVA_INT_OP(siddhi_sub_int8, -, PG_GETARG_INT64, PG_RETURN_INT64, uint64,
			WRAP64)
JAVA_INT_OP(siddhi_mul_int8, *, PG_GETARG_INT64, PG_RETURN_INT64, uint64,
			WRAP64)
JAVA_FLOAT_OP(siddhi_add_float4, +, PG_GETARG_FLOAT4, PG_RETURN_FLOAT4)
JAVA_FLOAT_OP(siddhi_sub_float4, -, PG_GETARG_FLOAT4, PG_RETURN_FLOAT4)
JAVA_FLOAT_OP(siddhi_mul_float4, *, PG_GETARG_FLOAT4, PG_RETURN_FLOAT4)
JAVA_FLOAT_OP(siddhi_add_float8, +, PG_GETARG_FLOAT8, PG_RETURN_FLOAT8)
JAVA_FLOAT_OP(siddhi_sub_float8, -, PG_GETARG_FLOAT8, PG_RETURN_FLOAT8)
JAVA_FLOAT_OP(siddhi_mul_float8, *, PG_GETARG_FLOAT8, PG_RETURN_FLOAT8)

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
	int32 a = PG_GETARG_INT32(0);
	int32 b = PG_GETARG_INT32(1);

	if (b == 0)
		PG_RETURN_NULL();
	/* the one quotient that overflows: Java's wraps (MIN / -1 = MIN) */
	if (b == -1)
		PG_RETURN_INT32(WRAP32(0U - (uint32) a));
	PG_RETURN_INT32(a / b);
}

Datum
siddhi_div_int8(PG_FUNCTION_ARGS)
{
	int64 a = PG_GETARG_INT64(0);
	int64 b = PG_GETARG_INT64(1);

	if (b == 0)
		PG_RETURN_NULL();
	if (b == -1)
		PG_RETURN_INT64(WRAP64(UINT64CONST(0) - (uint64) a));
	PG_RETURN_INT64(a / b);
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
	int32 b = PG_GETARG_INT32(1);

	if (b == 0)
		PG_RETURN_NULL();
	if (b == -1)
		PG_RETURN_INT32(0); /* (MIN % -1 traps in C) */
	PG_RETURN_INT32(PG_GETARG_INT32(0) % b);
}

Datum
siddhi_mod_int8(PG_FUNCTION_ARGS)
{
	int64 b = PG_GETARG_INT64(1);

	if (b == 0)
		PG_RETURN_NULL();
	if (b == -1)
		PG_RETURN_INT64(0);
	PG_RETURN_INT64(PG_GETARG_INT64(0) % b);
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
