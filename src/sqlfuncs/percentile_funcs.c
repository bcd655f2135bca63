/*-------------------------------------------------------------------------
 *
 * percentile_funcs.c
 *	  The SQL face of the percentile sketches (src/common/ddsketch.c):
 *	  siddhi.percentile_union(a, b), which the aggregation upserts merge
 *	  buckets with; siddhi.percentile_value(sketch, fraction, disc), which
 *	  the aggregation views read percentiles with; and the aggregates
 *	  siddhi.percentile_sketch(x) (a sketch of a column's values) and
 *	  siddhi.percentile_merge(sketch) (the sketch of several buckets, for a
 *	  percentile over a range of them).
 *
 * A sketch reaches SQL as a bytea in the compact form of
 * siddhi_ddsketch_serialize; NULL is the empty sketch.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "fmgr.h"
#include "siddhi/ddsketch.h"
#include "utils/builtins.h"

PG_FUNCTION_INFO_V1(siddhi_percentile_union_sql);
PG_FUNCTION_INFO_V1(siddhi_percentile_value_sql);
PG_FUNCTION_INFO_V1(siddhi_percentile_sketch_add_sql);
PG_FUNCTION_INFO_V1(siddhi_percentile_sketch_final_sql);

static SiddhiDDSketch *
sketch_of(bytea *b)
{
	return siddhi_ddsketch_deserialize(VARDATA_ANY(b), VARSIZE_ANY_EXHDR(b));
}

static bytea *
sketch_bytea(SiddhiDDSketch *s)
{
	int len;
	char *buf = siddhi_ddsketch_serialize(s, &len);
	bytea *b = palloc(VARHDRSZ + len);

	SET_VARSIZE(b, VARHDRSZ + len);
	memcpy(VARDATA(b), buf, len);
	pfree(buf);
	return b;
}

/* siddhi.percentile_union(a, b): the sketch of both; NULL is empty. */
Datum
siddhi_percentile_union_sql(PG_FUNCTION_ARGS)
{
	SiddhiDDSketch *a;

	if (PG_ARGISNULL(0) && PG_ARGISNULL(1))
		PG_RETURN_NULL();
	if (PG_ARGISNULL(0))
		PG_RETURN_BYTEA_P(sketch_bytea(sketch_of(PG_GETARG_BYTEA_PP(1))));
	a = sketch_of(PG_GETARG_BYTEA_PP(0));
	if (!PG_ARGISNULL(1))
		siddhi_ddsketch_merge(a, sketch_of(PG_GETARG_BYTEA_PP(1)));
	PG_RETURN_BYTEA_P(sketch_bytea(a));
}

/*
 * siddhi.percentile_value(sketch, fraction, disc): percentile_cont (or,
 * when disc, percentile_disc) at fraction; NULL for an empty sketch.
 */
Datum
siddhi_percentile_value_sql(PG_FUNCTION_ARGS)
{
	double p = PG_GETARG_FLOAT8(1);
	bool disc = PG_GETARG_BOOL(2);
	SiddhiDDSketch *s;

	if (!(p >= 0 && p <= 1))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("percentile value %g is not between 0 and 1", p)));
	s = sketch_of(PG_GETARG_BYTEA_PP(0));
	if (s->count == 0)
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(siddhi_ddsketch_quantile(s, p, disc));
}

/* siddhi.percentile_sketch(x): the transition, non-null x into the state */
Datum
siddhi_percentile_sketch_add_sql(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt, old;
	SiddhiDDSketch *s;

	if (!AggCheckCallContext(fcinfo, &aggcxt))
		elog(ERROR, "siddhi_percentile_sketch_add_sql called in "
					"non-aggregate context");
	old = MemoryContextSwitchTo(aggcxt);
	s = PG_ARGISNULL(0) ? siddhi_ddsketch_create()
						: (SiddhiDDSketch *) PG_GETARG_POINTER(0);
	if (!PG_ARGISNULL(1))
		siddhi_ddsketch_add(s, PG_GETARG_FLOAT8(1));
	MemoryContextSwitchTo(old);
	PG_RETURN_POINTER(s);
}

/* and the final function: the state in its stored form */
Datum
siddhi_percentile_sketch_final_sql(PG_FUNCTION_ARGS)
{
	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	PG_RETURN_BYTEA_P(sketch_bytea((SiddhiDDSketch *) PG_GETARG_POINTER(0)));
}
