/*-------------------------------------------------------------------------
 *
 * aggregate_sql.c
 *	  The aggregators the SQL dialect adds to Siddhi's: STDDEV_SAMP,
 *	  STDDEV_POP, VAR_SAMP, VAR_POP (and SiddhiQL's variance), COUNT(x),
 *	  SUM(DISTINCT x), AVG(DISTINCT x), and the set aggregator intersectSet.
 *
 * Each runs per group and aggregator with add and remove, like the others
 * of aggregate.c, so that it follows a sliding window's expiry as well as
 * a batch window's.  Null values never reach it (aggregate.c skips them,
 * as SQL's aggregates do); FILTER (WHERE c) arrives as the argument CASE
 * WHEN c THEN x END, so a filtered-out event is a null.
 *
 * Statistics keep Welford's running mean and sum of squared deviations,
 * with its inverse for a removal (more stable than a sum of squares when
 * values are large and close).  Infinities and NaN are counted aside, so
 * that one leaving the window does not leave NaN behind; while one is in,
 * the result is NaN.  When the last value leaves, everything restarts at
 * zero, so rounding errors do not outlive a window's contents.  Results
 * are double precision, whatever the argument type (PostgreSQL gives
 * numeric for integer arguments).
 *
 * COUNT(DISTINCT x) counts the events of each value by the 64-bit
 * extended hash of x's type (its default hash opclass, so equal values by
 * the type's equality are one: 0 and -0, 1.0 and 1.00; a type without
 * one is told apart by its text; two values sharing a 64-bit hash are not
 * expected in practice).  SUM/AVG(DISTINCT x) count the events of each value (a hash table keyed
 * by the value's bits: int64 for integers, the double for floats, with
 * -0 and 0 one value and every NaN one value, as float equality has it);
 * a value joins the sum when its first event arrives and leaves with its
 * last.  intersectSet counts, per element (told apart by its text, as
 * unionSet does), the sets that hold it, and the number of non-null sets:
 * the intersection is the elements every set holds, in the order of the
 * hashes of their text (as unionSet's), and NULL when no set is in the
 * group.  Memory: one entry per
 * distinct value or element in the group's window.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "aggregate_sql.h"
#include "catalog/pg_type.h"
#include "common/hashfn.h"
#include "nodes/nodeFuncs.h"
#include "siddhi/datum_num.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/hsearch.h"
#include "utils/lsyscache.h"
#include "utils/float.h"
#include "utils/memutils.h"
#include "utils/typcache.h"

struct SiddhiAggExtra
{
	int64 n;		 /* values (statistics, count) or non-null sets */
	int64 nonfinite; /* statistics: infinities and NaN, kept out */
	double mean;	 /* statistics: Welford's mean */
	double m2;		 /* and sum of squared deviations from it */
	uint64 isum;	 /* SUM/AVG(DISTINCT) of integers, wrapping */
	double dsum;	 /* and of floats (finite ones) */
	HTAB *values;	 /* DISTINCT: value -> events; intersectSet: element
					  * -> sets */
};

typedef struct ValueCount
{
	int64 key;
	int64 events;
	Datum value; /* intersectSet: the element */
} ValueCount;

static HTAB *values_table(SiddhiAggExtra *x, MemoryContext cxt);

bool
siddhi_aggx_handles(SiddhiAggKind kind)
{
	switch (kind)
	{
		case SIDDHI_AGG_STDDEV_SAMP:
		case SIDDHI_AGG_STDDEV_POP:
		case SIDDHI_AGG_VAR_SAMP:
		case SIDDHI_AGG_VAR_POP:
		case SIDDHI_AGG_COUNT_VALUES:
		case SIDDHI_AGG_COUNT_DISTINCT:
		case SIDDHI_AGG_SUM_DISTINCT:
		case SIDDHI_AGG_AVG_DISTINCT:
		case SIDDHI_AGG_INTERSECT_SET:
			return true;
		default:
			return false;
	}
}

void
siddhi_aggx_prepare(SiddhiSetType *st, const SiddhiAggPlan *p,
					MemoryContext cxt)
{
	if (p->kind == SIDDHI_AGG_INTERSECT_SET)
	{
		Oid outfn;
		bool varlena;

		st->elemtype = get_element_type(p->argtype);
		get_typlenbyvalalign(st->elemtype, &st->typlen, &st->byval,
							 &st->align);
		getTypeOutputInfo(st->elemtype, &outfn, &varlena);
		fmgr_info_cxt(outfn, &st->out, cxt);
	}
	else if (p->kind == SIDDHI_AGG_COUNT_DISTINCT)
	{
		TypeCacheEntry *tc =
			lookup_type_cache(p->argtype, TYPECACHE_HASH_EXTENDED_PROC);

		/* without a hash function, values are told apart by their text */
		if (OidIsValid(tc->hash_extended_proc))
			fmgr_info_cxt(tc->hash_extended_proc, &st->hash, cxt);
		else
		{
			Oid outfn;
			bool varlena;

			getTypeOutputInfo(p->argtype, &outfn, &varlena);
			fmgr_info_cxt(outfn, &st->out, cxt);
		}
		st->collation = exprCollation((Node *) p->arg);
	}
}

/* COUNT(DISTINCT x): one more (or one fewer) event of the value. */
static void
count_distinct_update(SiddhiAggExtra *x, const SiddhiSetType *st, Datum value,
					  bool add, MemoryContext cxt)
{
	HTAB *h = values_table(x, cxt);
	int64 key;
	bool found;
	ValueCount *e;

	if (OidIsValid(st->hash.fn_oid))
		key = DatumGetInt64(FunctionCall2Coll(
			(FmgrInfo *) &st->hash, st->collation, value, Int64GetDatum(0)));
	else
	{
		char *text = OutputFunctionCall((FmgrInfo *) &st->out, value);

		key = (int64) hash_bytes_extended((const unsigned char *) text,
										  strlen(text), 0);
		pfree(text);
	}
	e = hash_search(h, &key, add ? HASH_ENTER : HASH_FIND, &found);
	if (add)
	{
		e->events = found ? e->events + 1 : 1;
		if (!found)
			e->value = (Datum) 0;
	}
	else if (e && --e->events == 0)
		hash_search(h, &key, HASH_REMOVE, NULL);
}

static bool
is_float(Oid t)
{
	return t == FLOAT4OID || t == FLOAT8OID;
}

/* The key of a float: equal floats (-0 and 0, NaN and NaN) share it. */
static int64
float_key(double x)
{
	int64 k;

	if (isnan(x))
		x = get_float8_nan();
	else if (x == 0)
		x = 0.0;
	memcpy(&k, &x, sizeof(k));
	return k;
}

static HTAB *
values_table(SiddhiAggExtra *x, MemoryContext cxt)
{
	if (x->values == NULL)
	{
		HASHCTL ctl;

		memset(&ctl, 0, sizeof(ctl));
		ctl.keysize = sizeof(int64);
		ctl.entrysize = sizeof(ValueCount);
		ctl.hcxt = cxt;
		x->values = hash_create("siddhi distinct values", 16, &ctl,
								HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
	}
	return x->values;
}

/* Welford's step, or its inverse for a removal. */
static void
moments_update(SiddhiAggExtra *x, double v, bool add)
{
	if (!isfinite(v))
	{
		x->nonfinite += add ? 1 : -1;
		return;
	}
	if (add)
	{
		double d = v - x->mean;

		x->n++;
		x->mean += d / x->n;
		x->m2 += d * (v - x->mean);
	}
	else if (x->n <= 1)
	{
		x->n = 0;
		x->mean = 0;
		x->m2 = 0;
	}
	else
	{
		double d = v - x->mean;
		double mean = x->mean - d / (x->n - 1);

		x->m2 -= d * (v - mean);
		x->mean = mean;
		x->n--;
		if (x->m2 < 0)
			x->m2 = 0;
	}
}

/* SUM/AVG(DISTINCT): one more (or one fewer) event of the value. */
static void
distinct_update(SiddhiAggExtra *x, const SiddhiAggPlan *p, Datum value,
				bool add, MemoryContext cxt)
{
	bool f = is_float(p->argtype);
	double d = f ? siddhi_datum_double(value, p->argtype) : 0;
	int64 i = f ? 0 : siddhi_datum_int64(value, p->argtype);
	int64 key = f ? float_key(d) : i;
	HTAB *h = values_table(x, cxt);
	bool found;
	ValueCount *e = hash_search(h, &key, add ? HASH_ENTER : HASH_FIND, &found);

	if (add)
	{
		if (found)
		{
			e->events++;
			return;
		}
		e->events = 1;
		e->value = (Datum) 0;
	}
	else if (e == NULL || --e->events > 0)
		return;
	else
		hash_search(h, &key, HASH_REMOVE, NULL);

	/* the value joins or leaves the sum */
	if (f && isfinite(d))
		x->dsum += add ? d : -d;
	else if (!f)
		x->isum += add ? (uint64) i : -(uint64) i;
	if (hash_get_num_entries(h) == 0)
	{
		x->dsum = 0;
		x->isum = 0;
	}
}

/* The sum of the distinct floats, infinities and NaN included. */
static double
distinct_float_sum(const SiddhiAggExtra *x)
{
	double special[] = { get_float8_nan(), get_float8_infinity(),
						 -get_float8_infinity() };
	bool has[3];

	for (int i = 0; i < 3; i++)
	{
		int64 key = float_key(special[i]);

		has[i] = hash_search(x->values, &key, HASH_FIND, NULL) != NULL;
	}
	if (has[0] || (has[1] && has[2]))
		return get_float8_nan();
	if (has[1])
		return get_float8_infinity();
	if (has[2])
		return -get_float8_infinity();
	return x->dsum;
}

static int
cmp_int64(const void *a, const void *b)
{
	int64 x = *(const int64 *) a;
	int64 y = *(const int64 *) b;

	return x < y ? -1 : x > y ? 1 : 0;
}

/*
 * intersectSet: one more (or one fewer) set; each of its elements (once,
 * however often the array repeats it) counts one set more or less.
 */
static void
intersect_update(SiddhiAggExtra *x, const SiddhiSetType *st, Datum set,
				 bool add, MemoryContext cxt)
{
	ArrayType *arr = DatumGetArrayTypeP(set);
	HTAB *h = values_table(x, cxt);
	Datum *elems;
	bool *nulls;
	int64 *keys;
	int *order;
	int n;

	deconstruct_array(arr, st->elemtype, st->typlen, st->byval, st->align,
					  &elems, &nulls, &n);
	x->n += add ? 1 : -1;
	keys = palloc(sizeof(int64) * Max(n, 1) * 2);
	order = palloc(sizeof(int) * Max(n, 1));
	for (int i = 0; i < n; i++)
	{
		char *text;

		if (nulls[i])
		{
			keys[i] = 0;
			continue;
		}
		text = OutputFunctionCall((FmgrInfo *) &st->out, elems[i]);
		keys[i] = (int64) hash_bytes_extended((const unsigned char *) text,
											  strlen(text), 0);
		pfree(text);
	}
	/* each element once: sort (key, index) pairs by key */
	{
		int m = 0;
		int64 *pairs = keys + Max(n, 1);

		for (int i = 0; i < n; i++)
			if (!nulls[i])
				order[m++] = i;
		for (int i = 0; i < m; i++)
			pairs[i] = keys[order[i]];
		qsort(pairs, m, sizeof(int64), cmp_int64);
		for (int i = 0; i < m; i++)
		{
			int64 key = pairs[i];
			bool found;
			ValueCount *e;

			if (i > 0 && pairs[i - 1] == key)
				continue;
			e = hash_search(h, &key, add ? HASH_ENTER : HASH_FIND, &found);
			if (add && !found)
			{
				MemoryContext old = MemoryContextSwitchTo(cxt);
				int at = 0;

				for (int j = 0; j < n; j++)
					if (!nulls[j] && keys[j] == key)
					{
						at = j;
						break;
					}
				e->events = 1;
				e->value = datumCopy(elems[at], st->byval, st->typlen);
				MemoryContextSwitchTo(old);
			}
			else if (add)
				e->events++;
			else if (e && --e->events == 0)
			{
				if (!st->byval)
					pfree(DatumGetPointer(e->value));
				hash_search(h, &key, HASH_REMOVE, NULL);
			}
		}
	}
	pfree(keys);
	pfree(order);
}

void
siddhi_aggx_update(SiddhiAggExtra **xp, const SiddhiAggPlan *p,
				   const SiddhiSetType *st, Datum value, bool add,
				   MemoryContext cxt)
{
	SiddhiAggExtra *x = *xp;

	if (x == NULL)
	{
		if (!add)
			return; /* never added: nothing to remove */
		x = *xp = MemoryContextAllocZero(cxt, sizeof(SiddhiAggExtra));
	}
	switch (p->kind)
	{
		case SIDDHI_AGG_STDDEV_SAMP:
		case SIDDHI_AGG_STDDEV_POP:
		case SIDDHI_AGG_VAR_SAMP:
		case SIDDHI_AGG_VAR_POP:
			moments_update(x, siddhi_datum_double(value, p->argtype), add);
			break;
		case SIDDHI_AGG_COUNT_VALUES:
			x->n += add ? 1 : -1;
			break;
		case SIDDHI_AGG_COUNT_DISTINCT:
			count_distinct_update(x, st, value, add, cxt);
			break;
		case SIDDHI_AGG_SUM_DISTINCT:
		case SIDDHI_AGG_AVG_DISTINCT:
			distinct_update(x, p, value, add, cxt);
			break;
		case SIDDHI_AGG_INTERSECT_SET:
			intersect_update(x, st, value, add, cxt);
			break;
		default:
			elog(ERROR, "aggregator kind %d is not one of aggregate_sql.c",
				 (int) p->kind);
	}
}

static int
cmp_entry_key(const void *a, const void *b)
{
	int64 x = (*(ValueCount *const *) a)->key;
	int64 y = (*(ValueCount *const *) b)->key;

	return x < y ? -1 : x > y ? 1 : 0;
}

/* A variance from the moments; false when it is NULL. */
static bool
variance(const SiddhiAggExtra *x, bool sample, double *var)
{
	int64 n = x ? x->n + x->nonfinite : 0;

	if (n < (sample ? 2 : 1))
		return false;
	if (x->nonfinite > 0)
		*var = get_float8_nan();
	else
		*var = Max(x->m2, 0) / (sample ? x->n - 1 : x->n);
	return true;
}

void
siddhi_aggx_value(const SiddhiAggExtra *x, const SiddhiAggPlan *p,
				  const SiddhiSetType *st, ParamExecData *out)
{
	double var;
	int64 ndistinct;

	out->isnull = false;
	switch (p->kind)
	{
		case SIDDHI_AGG_STDDEV_SAMP:
		case SIDDHI_AGG_STDDEV_POP:
			if (!variance(x, p->kind == SIDDHI_AGG_STDDEV_SAMP, &var))
				out->isnull = true;
			else
				out->value = Float8GetDatum(sqrt(var));
			break;
		case SIDDHI_AGG_VAR_SAMP:
		case SIDDHI_AGG_VAR_POP:
			if (!variance(x, p->kind == SIDDHI_AGG_VAR_SAMP, &var))
				out->isnull = true;
			else
				out->value = Float8GetDatum(var);
			break;
		case SIDDHI_AGG_COUNT_VALUES:
			out->value = Int64GetDatum(x ? x->n : 0);
			break;
		case SIDDHI_AGG_COUNT_DISTINCT:
			out->value = Int64GetDatum(
				x && x->values ? hash_get_num_entries(x->values) : 0);
			break;
		case SIDDHI_AGG_SUM_DISTINCT:
		case SIDDHI_AGG_AVG_DISTINCT:
		{
			bool f = is_float(p->argtype);
			double sum;

			ndistinct = x && x->values ? hash_get_num_entries(x->values) : 0;
			if (ndistinct == 0)
			{
				out->isnull = true;
				break;
			}
			sum = f ? distinct_float_sum(x) : (double) (int64) x->isum;
			if (p->kind == SIDDHI_AGG_AVG_DISTINCT)
				out->value = Float8GetDatum(sum / ndistinct);
			else if (f)
				out->value = Float8GetDatum(sum);
			else
				out->value = Int64GetDatum((int64) x->isum);
		}
		break;
		case SIDDHI_AGG_INTERSECT_SET:
		{
			HASH_SEQ_STATUS seq;
			ValueCount *e;
			Datum *elems;
			ValueCount **es;
			int n;
			int i = 0;

			if (x == NULL || x->n == 0)
			{
				out->isnull = true;
				break;
			}
			n = x->values ? hash_get_num_entries(x->values) : 0;
			es = palloc(sizeof(ValueCount *) * Max(n, 1));
			elems = palloc(sizeof(Datum) * Max(n, 1));
			if (x->values)
			{
				hash_seq_init(&seq, x->values);
				while ((e = hash_seq_search(&seq)) != NULL)
					if (e->events == x->n)
						es[i++] = e;
			}
			/* by the hashes of their text, as unionSet (aggregate.c) */
			qsort(es, i, sizeof(ValueCount *), cmp_entry_key);
			for (int j = 0; j < i; j++)
				elems[j] = es[j]->value;
			pfree(es);
			out->value = PointerGetDatum(construct_array(
				elems, i, st->elemtype, st->typlen, st->byval, st->align));
		}
		break;
		default:
			elog(ERROR, "aggregator kind %d is not one of aggregate_sql.c",
				 (int) p->kind);
	}
}

void
siddhi_aggx_free(SiddhiAggExtra *x, const SiddhiSetType *st)
{
	if (x == NULL)
		return;
	if (x->values)
	{
		if (st && !st->byval)
		{
			HASH_SEQ_STATUS seq;
			ValueCount *e;

			hash_seq_init(&seq, x->values);
			while ((e = hash_seq_search(&seq)) != NULL)
				if (e->value != (Datum) 0)
					pfree(DatumGetPointer(e->value));
		}
		hash_destroy(x->values);
	}
	pfree(x);
}

/*
 * Epochs: every field (a kind leaves the others zero), then the value
 * table's entries: the key, the events and, for intersectSet, the element.
 * Doubles and the wrapping integer sum come back bit for bit.
 */
void
siddhi_aggx_serialize(const SiddhiAggExtra *x, const SiddhiAggPlan *p,
					  const SiddhiSetType *st, StringInfo buf)
{
	bool with_value = p->kind == SIDDHI_AGG_INTERSECT_SET;

	siddhi_state_put_int64(buf, x->n);
	siddhi_state_put_int64(buf, x->nonfinite);
	siddhi_state_put_double(buf, x->mean);
	siddhi_state_put_double(buf, x->m2);
	siddhi_state_put_int64(buf, (int64) x->isum);
	siddhi_state_put_double(buf, x->dsum);
	if (x->values == NULL)
		siddhi_state_put_int64(buf, 0);
	else
	{
		HASH_SEQ_STATUS seq;
		ValueCount *e;

		siddhi_state_put_int64(buf, hash_get_num_entries(x->values));
		hash_seq_init(&seq, x->values);
		while ((e = hash_seq_search(&seq)) != NULL)
		{
			siddhi_state_put_int64(buf, e->key);
			siddhi_state_put_int64(buf, e->events);
			if (with_value)
				siddhi_state_put_datum(buf, e->value, false, st->typlen,
									   st->byval);
		}
	}
}

SiddhiAggExtra *
siddhi_aggx_restore(const SiddhiAggPlan *p, const SiddhiSetType *st,
					SiddhiStateReader *r, MemoryContext cxt)
{
	SiddhiAggExtra *x = MemoryContextAllocZero(cxt, sizeof(SiddhiAggExtra));
	bool with_value = p->kind == SIDDHI_AGG_INTERSECT_SET;
	int64 n;

	x->n = siddhi_state_get_int64(r);
	x->nonfinite = siddhi_state_get_int64(r);
	x->mean = siddhi_state_get_double(r);
	x->m2 = siddhi_state_get_double(r);
	x->isum = (uint64) siddhi_state_get_int64(r);
	x->dsum = siddhi_state_get_double(r);
	n = siddhi_state_get_count(r, 2 * (int) sizeof(int64));
	for (int64 i = 0; i < n; i++)
	{
		int64 key = siddhi_state_get_int64(r);
		int64 events = siddhi_state_get_int64(r);
		bool found;
		ValueCount *e;

		if (events <= 0)
			siddhi_state_corrupt(r, "A distinct value has no events");
		e = hash_search(values_table(x, cxt), &key, HASH_ENTER, &found);
		if (found)
			siddhi_state_corrupt(r, "A distinct value is there twice");
		e->events = events;
		e->value = (Datum) 0;
		if (with_value)
		{
			bool isnull;

			e->value =
				siddhi_state_get_datum(r, &isnull, st->typlen, st->byval, cxt);
			if (isnull)
				siddhi_state_corrupt(r, "An element of a set is null");
		}
	}
	return x;
}
