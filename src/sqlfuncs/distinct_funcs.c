/*-------------------------------------------------------------------------
 *
 * distinct_funcs.c
 *	  The SQL face of distinctCount's sketches (src/runtime/aggregation/distinct_sketch.c):
 *	  siddhi.distinct_union(a int8[], b int8[]), which the aggregation
 *	  upserts merge buckets with, and siddhi.distinct_count(s int8[]),
 *	  which the aggregation views read counts with.
 *
 * A sketch reaches SQL as an int8[] of stored hashes (ascending, at most
 * SIDDHI_DISTINCT_K).  Arrays written by hand are accepted in any order,
 * with duplicates: they are sorted first.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "fmgr.h"
#include "siddhi/distinct_sketch.h"
#include "utils/array.h"

PG_FUNCTION_INFO_V1(siddhi_distinct_union_sql);
PG_FUNCTION_INFO_V1(siddhi_distinct_count_sql);

static int
cmp_uint64(const void *a, const void *b)
{
	uint64 x = *(const uint64 *) a, y = *(const uint64 *) b;

	return x < y ? -1 : x > y ? 1 : 0;
}

/* The hashes of a stored sketch, ascending and distinct; *n their number. */
static uint64 *
sketch_hashes(ArrayType *arr, int *n)
{
	Datum *elems;
	bool *nulls;
	int count, k = 0;
	uint64 *h;
	bool sorted = true;

	if (ARR_ELEMTYPE(arr) != INT8OID)
		ereport(ERROR, (errcode(ERRCODE_DATATYPE_MISMATCH),
						errmsg("a distinctCount sketch is an int8[]")));
	deconstruct_array(arr, INT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE,
					  &elems, &nulls, &count);
	h = palloc(sizeof(uint64) * Max(count, 1));
	for (int i = 0; i < count; i++)
	{
		if (nulls[i])
			continue;
		h[k] = SIDDHI_DISTINCT_FROM_STORED(DatumGetInt64(elems[i]));
		if (k > 0 && h[k] <= h[k - 1])
			sorted = false;
		k++;
	}
	if (!sorted)
	{
		int m = 0;

		qsort(h, k, sizeof(uint64), cmp_uint64);
		for (int i = 0; i < k; i++)
			if (m == 0 || h[i] != h[m - 1])
				h[m++] = h[i];
		k = m;
	}
	*n = Min(k, SIDDHI_DISTINCT_K);
	return h;
}

static ArrayType *
sketch_array(const uint64 *h, int n)
{
	Datum *d = palloc(sizeof(Datum) * Max(n, 1));

	for (int i = 0; i < n; i++)
		d[i] = Int64GetDatum(SIDDHI_DISTINCT_TO_STORED(h[i]));
	return construct_array(d, n, INT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE);
}

/* siddhi.distinct_union(a, b): the sketch of the union; NULL is empty. */
Datum
siddhi_distinct_union_sql(PG_FUNCTION_ARGS)
{
	uint64 *a = NULL, *b = NULL, *out;
	int na = 0, nb = 0, n;

	if (PG_ARGISNULL(0) && PG_ARGISNULL(1))
		PG_RETURN_NULL();
	if (!PG_ARGISNULL(0))
		a = sketch_hashes(PG_GETARG_ARRAYTYPE_P(0), &na);
	if (!PG_ARGISNULL(1))
		b = sketch_hashes(PG_GETARG_ARRAYTYPE_P(1), &nb);
	out = palloc(sizeof(uint64) * SIDDHI_DISTINCT_K);
	n = siddhi_distinct_merge(a, na, b, nb, out);
	PG_RETURN_ARRAYTYPE_P(sketch_array(out, n));
}

/* siddhi.distinct_count(s): exact below SIDDHI_DISTINCT_K, else estimated. */
Datum
siddhi_distinct_count_sql(PG_FUNCTION_ARGS)
{
	int n;
	uint64 *h;

	if (PG_ARGISNULL(0))
		PG_RETURN_INT64(0);
	h = sketch_hashes(PG_GETARG_ARRAYTYPE_P(0), &n);
	PG_RETURN_INT64(siddhi_distinct_estimate(n, n > 0 ? h[n - 1] : 0));
}
