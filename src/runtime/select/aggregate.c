/*-------------------------------------------------------------------------
 *
 * aggregate.c
 *	  Siddhi's incremental aggregators: sum, count, avg, min, max,
 *	  minForever, maxForever, distinctCount, stdDev, and, or, unionSet,
 *	  per group (and, through aggregate_sql.c, SQL's statistics, COUNT(x),
 *	  SUM/AVG(DISTINCT x) and intersectSet).
 *
 * unionSet keeps each element of the sets it was given with the number of
 * events that brought it (a removal takes it out at zero); its value is an
 * array of those elements, in the order of the 64-bit hashes of their text
 * (a Java HashSet has no defined order either; this one does not depend on
 * the table's history, so a restored group gives the same).  Memory: one entry per distinct element in the group's window.
 *
 * percentile_cont and percentile_disc keep their state in percentile.c
 * (exact values over a window, a sketch without one).
 *
 * Values are kept as int64 for integer arguments and as double for
 * floating ones; results have Siddhi's types (sum of integers is a long,
 * of floats a double; avg a double; min and max the argument's type).
 * Nulls are ignored, as Siddhi ignores them.
 *
 * Groups are found by their key, the values of the group-by expressions,
 * in binary: a 64-bit hash combined from each value's extended hash
 * function (in its type's default hash opclass) indexes an open-addressing
 * table, and the type's equality confirms a hit.  A type without hashing
 * or equality is grouped by its output text instead.  (Siddhi compares
 * keys as text: it keeps -0.0 and 0.0 apart, which float equality joins.)
 * Two keys sharing a 64-bit hash are not expected in practice; should it
 * happen, the event is reported and skipped.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "catalog/pg_collation.h"
#include "catalog/pg_type.h"
#include "common/hashfn.h"
#include "nodes/nodeFuncs.h"
#include "utils/array.h"
#include "siddhi/aggregate.h"
#include "siddhi/percentile.h"
#include "siddhi/shmem.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/fmgroids.h"
#include "utils/hsearch.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/typcache.h"

#include "aggregate_int.h"

/* Do a group's key and the given values match? */
static bool
key_equal(SiddhiAggregates *a, SiddhiAggGroup *g, Datum *keys, bool *nulls)
{
	Datum *gkeys = group_keys(a, g);
	bool *gnulls = group_knulls(a, g);

	for (int k = 0; k < a->nkeys; k++)
	{
		GroupKeyColumn *kc = &a->keycols[k];

		if (gnulls[k] != nulls[k])
			return false;
		if (!nulls[k] && kc->bytes)
		{
			/* a compressed or external value: texteq detoasts it */
			struct varlena *x = (struct varlena *) DatumGetPointer(gkeys[k]);
			struct varlena *y = (struct varlena *) DatumGetPointer(keys[k]);

			if ((VARATT_IS_EXTENDED(x) && !VARATT_IS_SHORT(x)) ||
				(VARATT_IS_EXTENDED(y) && !VARATT_IS_SHORT(y)))
				return DatumGetBool(FunctionCall2Coll(&kc->eq, kc->collation,
													  gkeys[k], keys[k]));
			if (VARSIZE_ANY_EXHDR(x) != VARSIZE_ANY_EXHDR(y) ||
				memcmp(VARDATA_ANY(x), VARDATA_ANY(y), VARSIZE_ANY_EXHDR(x)) !=
					0)
				return false;
			continue;
		}
		if (!nulls[k] && !DatumGetBool(FunctionCall2Coll(
							 &kc->eq, kc->collation, gkeys[k], keys[k])))
			return false;
	}
	return true;
}

SiddhiAggGroup *
siddhi_aggs_group(SiddhiAggregates *a, Datum *keys, bool *nulls, bool create)
{
	/* a column without hashing or equality is grouped by its text */
	for (int k = 0; k < a->nkeys; k++)
		if (!nulls[k] && a->keycols[k].as_text)
			keys[k] = PointerGetDatum(cstring_to_text(
				OutputFunctionCall(&a->keycols[k].out, keys[k])));
	return siddhi_aggs_group_kept(a, keys, nulls, create, true);
}

/* A map of more groups than this takes them from a slab of its own. */
#define GROUPS_BEFORE_SLAB 16

/*
 * A new group, zeroed, its key arrays in the same piece.  Every group of a
 * has the same size, so that past the first few they come from a slab:
 * exactly their size and a chunk header each, where the general allocator
 * rounds each up to a power of two (a group of two aggregators and one key
 * would take 256 bytes for 160).  A map of few groups (a partition's key
 * has one, often) does not pay for a slab's block.
 */
static SiddhiAggGroup *
group_alloc(SiddhiAggregates *a)
{
	Size size = a->group_size;
	MemoryContext cxt = a->cxt;
	SiddhiAggGroup *g;

	if (a->groups->members >= GROUPS_BEFORE_SLAB)
	{
		if (a->slab == NULL)
		{
			Size block = SLAB_DEFAULT_BLOCK_SIZE;

			while (block < size * 16)
				block *= 2;
			a->slab = SlabContextCreate(a->cxt, "siddhi groups", block, size);
		}
		cxt = a->slab;
	}
	g = MemoryContextAllocZero(cxt, size);
	return g;
}

SiddhiAggGroup *
siddhi_aggs_group_kept(SiddhiAggregates *a, Datum *keys, bool *nulls,
					   bool create, bool limit)
{
	uint64 hash = 0;
	GroupEntry *e;
	bool found;
	SiddhiAggGroup *g;
	MemoryContext old;

	if (a->single)
		return a->single;
	for (int k = 0; k < a->nkeys; k++)
	{
		GroupKeyColumn *kc = &a->keycols[k];
		uint64 h = 0x9e3779b97f4a7c15; /* a null's */

		if (!nulls[k] && kc->bytes &&
			!(VARATT_IS_EXTENDED(DatumGetPointer(keys[k])) &&
			  !VARATT_IS_SHORT(DatumGetPointer(keys[k]))))
		{
			struct varlena *v = (struct varlena *) DatumGetPointer(keys[k]);

			h = hash_bytes_extended((const unsigned char *) VARDATA_ANY(v),
									VARSIZE_ANY_EXHDR(v), k);
		}
		else if (!nulls[k])
			h = DatumGetUInt64(FunctionCall2Coll(&kc->hash, kc->collation,
												 keys[k], UInt64GetDatum(k)));
		hash = hash_combine64(hash, h);
	}

	e = groupmap_lookup(a->groups, hash);
	if (e)
	{
		if (!key_equal(a, e->group, keys, nulls))
			ereport(ERROR,
					(errcode(ERRCODE_INTERNAL_ERROR),
					 errmsg("two group-by keys share a 64-bit hash"),
					 errdetail("The event of the second key is skipped.")));
		return e->group;
	}
	if (!create)
		return NULL;
	if (limit && a->groups->members >= siddhi_max_groups)
		ereport(
			ERROR,
			(errcode(ERRCODE_CONFIGURATION_LIMIT_EXCEEDED),
			 errmsg("query has more than %d groups", siddhi_max_groups),
			 errdetail("The event of a new group is skipped."),
			 errhint("Put the aggregation over a window, so that groups leave "
					 "with their events, or raise siddhi.max_groups.")));
	/* build the group first: an error leaves no half-made entry */
	g = group_alloc(a);
	g->hash = hash;
	old = MemoryContextSwitchTo(a->cxt);
	for (int k = 0; k < a->nkeys; k++)
	{
		GroupKeyColumn *kc = &a->keycols[k];

		group_knulls(a, g)[k] = nulls[k];
		group_keys(a, g)[k] =
			nulls[k] ? (Datum) 0
					 : datumCopy(keys[k], kc->typbyval, kc->typlen);
	}
	MemoryContextSwitchTo(old);
	e = groupmap_insert(a->groups, hash, &found);
	Assert(!found);
	e->group = g;
	g->dirty = true;
	if (a->nkeys == 0)
		a->single = g;
	return g;
}

SiddhiAggMarks *
siddhi_aggs_marks(SiddhiAggGroup *g)
{
	return &g->marks;
}

static AggValue
to_value(Datum d, Oid t)
{
	AggValue v;

	switch (t)
	{
		case INT2OID:
			v.i = DatumGetInt16(d);
			break;
		case INT4OID:
			v.i = DatumGetInt32(d);
			break;
		case INT8OID:
			v.i = DatumGetInt64(d);
			break;
		case FLOAT4OID:
			v.d = DatumGetFloat4(d);
			break;
		default:
			v.d = DatumGetFloat8(d);
			break;
	}
	return v;
}

static bool
less(AggValue x, AggValue y, bool is_float)
{
	return is_float ? x.d < y.d : x.i < y.i;
}

static void
queue_push(SiddhiAggregates *a, AggState *s, int64 seq, AggValue v,
		   bool is_float, bool keep_max)
{
	/*
	 * drop from the back what the new value makes irrelevant: an equal
	 * value too when events leave in order (the newer outlives it), only
	 * a smaller (larger) one when a removal looks its value up
	 */
	while (s->qlen > 0)
	{
		QueueItem *back = &s->queue[(s->qhead + s->qlen - 1) % s->qcap];
		bool dominated = a->unordered
							 ? (keep_max ? less(back->v, v, is_float)
										 : less(v, back->v, is_float))
							 : (keep_max ? !less(v, back->v, is_float)
										 : !less(back->v, v, is_float));

		if (!dominated)
			break;
		s->qlen--;
	}
	if (s->qlen == s->qcap)
	{
		int newcap = Max(8, s->qcap * 2);
		QueueItem *q = MemoryContextAlloc(a->cxt, sizeof(QueueItem) * newcap);

		for (int i = 0; i < s->qlen; i++)
			q[i] = s->queue[(s->qhead + i) % s->qcap];
		if (s->queue)
			pfree(s->queue);
		s->queue = q;
		s->qcap = newcap;
		s->qhead = 0;
	}
	s->queue[(s->qhead + s->qlen) % s->qcap].seq = seq;
	s->queue[(s->qhead + s->qlen) % s->qcap].v = v;
	s->qlen++;
}

/*
 * An event of value v left, in any order (SiddhiAggregates.unordered):
 * the first queued item of that value goes, as Siddhi's deque's
 * removeFirstOccurrence; a value the queue dropped changes nothing.
 */
static void
queue_remove_value(AggState *s, AggValue v, bool is_float)
{
	for (int i = 0; i < s->qlen; i++)
	{
		QueueItem *q = &s->queue[(s->qhead + i) % s->qcap];

		if (less(q->v, v, is_float) || less(v, q->v, is_float))
			continue;
		for (int j = i; j < s->qlen - 1; j++)
			s->queue[(s->qhead + j) % s->qcap] =
				s->queue[(s->qhead + j + 1) % s->qcap];
		s->qlen--;
		return;
	}
}

/* The event with this sequence number left: retire it and older ones. */
static void
queue_retire(AggState *s, int64 seq)
{
	while (s->qlen > 0 && s->queue[s->qhead].seq <= seq)
	{
		s->qhead = (s->qhead + 1) % s->qcap;
		s->qlen--;
	}
}

HTAB *
siddhi_aggs_distinct_table(SiddhiAggregates *a, AggState *s)
{
	if (s->distinct == NULL)
	{
		HASHCTL ctl;

		memset(&ctl, 0, sizeof(ctl));
		ctl.keysize = sizeof(int64);
		ctl.entrysize = sizeof(DistinctEntry);
		ctl.hcxt = a->cxt;
		s->distinct = hash_create("siddhi distinct values", 16, &ctl,
								  HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
	}
	return s->distinct;
}

/* distinctCount's stand-in for a null value: the hash of the empty text */
#define DISTINCT_NULL_HASH \
	((int64) hash_bytes_extended((const unsigned char *) "", 0, 1))

/*
 * Count one more (or one fewer) event with the value of hash h; a new
 * value keeps a copy of *value (unionSet), freed when its count is zero.
 * The value's entry when it has one left, else NULL.
 */
static DistinctEntry *
distinct_count(SiddhiAggregates *a, AggState *s, int64 h, bool add,
			   const SetType *st)
{
	DistinctEntry *e;
	bool found;

	e = hash_search(siddhi_aggs_distinct_table(a, s), &h,
					add ? HASH_ENTER : HASH_FIND, &found);
	if (add)
	{
		e->events = found ? e->events + 1 : 1;
		if (!found)
		{
			e->value = (Datum) 0;
			e->isnull = false;
		}
	}
	else if (e && --e->events == 0)
	{
		if (e->value != (Datum) 0 && st && !st->byval)
			pfree(DatumGetPointer(e->value));
		hash_search(s->distinct, &h, HASH_REMOVE, NULL);
		return NULL;
	}
	return e;
}

/* unionSet: each element of the set arrives (or leaves) once. */
static void
union_set_update(SiddhiAggregates *a, const SetType *st, AggState *s,
				 Datum set, bool add)
{
	ArrayType *arr = DatumGetArrayTypeP(set);
	Datum *elems;
	bool *nulls;
	int n;

	deconstruct_array(arr, st->elemtype, st->typlen, st->byval, st->align,
					  &elems, &nulls, &n);
	for (int i = 0; i < n; i++)
	{
		char *text;
		int64 h;

		if (nulls[i])
		{
			/* a null element is one more element, as in a Java HashSet */
			DistinctEntry *e =
				distinct_count(a, s, DISTINCT_NULL_HASH, add, st);

			if (e)
				e->isnull = true;
			continue;
		}
		text = OutputFunctionCall((FmgrInfo *) &st->out, elems[i]);
		h = (int64) hash_bytes_extended((const unsigned char *) text,
										strlen(text), 0);
		pfree(text);
		distinct_count(a, s, h, add, st);
		if (add)
		{
			DistinctEntry *e = hash_search(s->distinct, &h, HASH_FIND, NULL);

			if (e->events == 1)
			{
				MemoryContext old = MemoryContextSwitchTo(a->cxt);

				e->value = datumCopy(elems[i], st->byval, st->typlen);
				MemoryContextSwitchTo(old);
			}
		}
	}
}

void
siddhi_aggs_update(SiddhiAggregates *a, SiddhiAggGroup *g, bool add,
				   Datum *values, bool *nulls)
{
	int64 seq;

	g->dirty = true;
	if (add)
	{
		seq = ++g->adds;
		g->events++;
	}
	else
	{
		seq = ++g->removes;
		g->events--;
	}
	if (a->sums_only)
	{
		/* the cases of the switch below for count, sum and avg */
		for (int k = 0; k < a->n; k++)
		{
			AggState *s = &g->states[k];
			AggValue v;

			if (nulls[k] || a->plans[k]->kind == SIDDHI_AGG_COUNT)
				continue;
			v = to_value(values[k], a->plans[k]->argtype);
			if (a->is_float[k])
				s->sum.d += add ? v.d : -v.d;
			else
				s->sum.i += add ? v.i : -v.i;
			s->nonnull += add ? 1 : -1;
		}
		return;
	}
	for (int k = 0; k < a->n; k++)
	{
		SiddhiAggPlan *p = a->plans[k];
		AggState *s = &g->states[k];
		bool f = a->is_float[k];
		AggValue v;

		/*
		 * distinctCount counts null as one value of its own, as Siddhi's
		 * map of values does (a null key); the hash of no text stands for
		 * it.
		 */
		if (p->kind == SIDDHI_AGG_DISTINCT_COUNT && nulls[k])
		{
			distinct_count(a, s, DISTINCT_NULL_HASH, add, NULL);
			continue;
		}
		if (p->kind == SIDDHI_AGG_COUNT || nulls[k])
		{
			/* a removal may still have to retire a queued sequence */
			if (!add && !a->unordered &&
				(p->kind == SIDDHI_AGG_MIN || p->kind == SIDDHI_AGG_MAX))
				queue_retire(s, seq);
			continue;
		}
		if (p->kind == SIDDHI_AGG_DISTINCT_COUNT)
		{
			distinct_count(a, s, DatumGetInt64(values[k]), add, NULL);
			continue;
		}
		if (p->kind == SIDDHI_AGG_UNION_SET)
		{
			union_set_update(a, &a->sets[k], s, values[k], add);
			continue;
		}
		if (p->kind == SIDDHI_AGG_AND || p->kind == SIDDHI_AGG_OR)
		{
			int64 *n = DatumGetBool(values[k]) ? &s->ntrue : &s->nfalse;

			*n += add ? 1 : -1;
			continue;
		}
		if (siddhi_aggx_handles(p->kind))
		{
			siddhi_aggx_update(&s->extra, p, &a->sets[k], values[k], add,
							   a->cxt);
			continue;
		}
		if (SIDDHI_AGG_IS_PERCENTILE(p->kind))
		{
			siddhi_percentile_update(a->cxt, &s->percentile, p, values[k],
									 add);
			continue;
		}
		v = to_value(values[k], p->argtype);
		switch (p->kind)
		{
			case SIDDHI_AGG_STDDEV:
			{
				double x = f ? v.d : (double) v.i;

				s->nonnull += add ? 1 : -1;
				s->sum.d += add ? x : -x;
				s->sumsq += add ? x * x : -(x * x);
			}
			break;
			case SIDDHI_AGG_DISTINCT_COUNT:
			case SIDDHI_AGG_AND:
			case SIDDHI_AGG_OR:
			case SIDDHI_AGG_UNION_SET:
			case SIDDHI_AGG_PERCENTILE_CONT:
			case SIDDHI_AGG_PERCENTILE_DISC:
				break;
			case SIDDHI_AGG_SUM:
			case SIDDHI_AGG_AVG:
				if (f)
					s->sum.d += add ? v.d : -v.d;
				else
					s->sum.i += add ? v.i : -v.i;
				s->nonnull += add ? 1 : -1;
				break;
			case SIDDHI_AGG_MIN:
			case SIDDHI_AGG_MAX:
				s->nonnull += add ? 1 : -1;
				if (add)
					queue_push(a, s, seq, v, f, p->kind == SIDDHI_AGG_MAX);
				else if (a->unordered)
					queue_remove_value(s, v, f);
				else
					queue_retire(s, seq);
				break;
			case SIDDHI_AGG_MIN_FOREVER:
			case SIDDHI_AGG_MAX_FOREVER:
				if (add &&
					(!s->has_forever || (p->kind == SIDDHI_AGG_MAX_FOREVER
											 ? less(s->forever, v, f)
											 : less(v, s->forever, f))))
				{
					s->forever = v;
					s->has_forever = true;
				}
				break;
			case SIDDHI_AGG_COUNT:
			default:
				break;
		}
	}
}

/* unionSet: elements by the hash of their text */
static int
cmp_entry_hash(const void *a, const void *b)
{
	int64 x = (*(DistinctEntry *const *) a)->hash;
	int64 y = (*(DistinctEntry *const *) b)->hash;

	return x < y ? -1 : x > y ? 1 : 0;
}

static Datum
from_value(AggValue v, bool is_float, Oid resulttype)
{
	switch (resulttype)
	{
		case INT4OID:
			return Int32GetDatum((int32) v.i);
		case INT8OID:
			return Int64GetDatum(v.i);
		case FLOAT4OID:
			return Float4GetDatum((float4) (is_float ? v.d : v.i));
		default:
			return Float8GetDatum(is_float ? v.d : (double) v.i);
	}
}

void
siddhi_aggs_values(SiddhiAggregates *a, SiddhiAggGroup *g,
				   ParamExecData *params)
{
	for (int k = 0; k < a->n; k++)
	{
		SiddhiAggPlan *p = a->plans[k];
		AggState *s = &g->states[k];
		bool f = a->is_float[k];
		ParamExecData *out = &params[k];

		out->execPlan = NULL;
		out->isnull = false;
		if (siddhi_aggx_handles(p->kind))
		{
			siddhi_aggx_value(s->extra, p, &a->sets[k], out);
			continue;
		}
		switch (p->kind)
		{
			case SIDDHI_AGG_COUNT:
				out->value = Int64GetDatum(g->events);
				break;
			case SIDDHI_AGG_SUM:
				if (s->nonnull == 0)
					out->isnull = true;
				else
					out->value = from_value(s->sum, f, p->resulttype);
				break;
			case SIDDHI_AGG_AVG:
				if (s->nonnull == 0)
					out->isnull = true;
				else
					out->value = Float8GetDatum(
						(f ? s->sum.d : (double) s->sum.i) / s->nonnull);
				break;
			case SIDDHI_AGG_MIN:
			case SIDDHI_AGG_MAX:
				if (s->qlen == 0)
					out->isnull = true;
				else
					out->value =
						from_value(s->queue[s->qhead].v, f, p->resulttype);
				break;
			case SIDDHI_AGG_MIN_FOREVER:
			case SIDDHI_AGG_MAX_FOREVER:
				if (!s->has_forever)
					out->isnull = true;
				else
					out->value = from_value(s->forever, f, p->resulttype);
				break;
			case SIDDHI_AGG_DISTINCT_COUNT:
				out->value = Int64GetDatum(
					s->distinct ? hash_get_num_entries(s->distinct) : 0);
				break;
			case SIDDHI_AGG_STDDEV:
				if (s->nonnull == 0)
					out->isnull = true;
				else
				{
					double mean = s->sum.d / s->nonnull;
					double var = s->sumsq / s->nonnull - mean * mean;

					out->value = Float8GetDatum(var > 0 ? sqrt(var) : 0.0);
				}
				break;
			case SIDDHI_AGG_AND:
				out->value = BoolGetDatum(s->ntrue > 0 && s->nfalse == 0);
				break;
			case SIDDHI_AGG_OR:
				out->value = BoolGetDatum(s->ntrue > 0);
				break;
			case SIDDHI_AGG_UNION_SET:
			{
				const SetType *st = &a->sets[k];
				int n = s->distinct ? hash_get_num_entries(s->distinct) : 0;
				Datum *elems = palloc(sizeof(Datum) * Max(n, 1));
				bool *enulls = palloc(sizeof(bool) * Max(n, 1));
				int dims[1];
				int lbs[1] = { 1 };
				DistinctEntry **es =
					palloc(sizeof(DistinctEntry *) * Max(n, 1));
				HASH_SEQ_STATUS seq;
				DistinctEntry *e;
				int i = 0;

				if (s->distinct)
				{
					hash_seq_init(&seq, s->distinct);
					while ((e = hash_seq_search(&seq)) != NULL)
						es[i++] = e;
				}
				/* in the order of their hashes, not of the table's buckets:
				 * a restored table (aggregate_state.c) gives the same */
				qsort(es, i, sizeof(DistinctEntry *), cmp_entry_hash);
				for (int j = 0; j < i; j++)
				{
					elems[j] = es[j]->value;
					enulls[j] = es[j]->isnull;
				}
				pfree(es);
				dims[0] = i;
				out->value = PointerGetDatum(construct_md_array(
					elems, enulls, 1, dims, lbs, st->elemtype, st->typlen,
					st->byval, st->align));
			}
			break;
			case SIDDHI_AGG_PERCENTILE_CONT:
			case SIDDHI_AGG_PERCENTILE_DISC:
				out->isnull =
					!siddhi_percentile_value(s->percentile, p, &out->value);
				break;
			default:
				break;
		}
	}
}

bool
siddhi_aggs_group_empty(SiddhiAggGroup *g)
{
	return g->events <= 0;
}

bool
siddhi_aggs_holds(SiddhiAggregates *a, SiddhiAggGroup *g)
{
	GroupEntry *e;

	if (a->single)
		return a->single == g;
	e = groupmap_lookup(a->groups, g->hash);
	return e != NULL && e->group == g;
}

void
siddhi_aggs_release_if_empty(SiddhiAggregates *a, SiddhiAggGroup *g)
{
	bool forever = false;

	if (g->events > 0)
		return;
	/* minForever/maxForever outlive the window: keep such groups */
	for (int k = 0; k < a->n; k++)
		if (a->plans[k]->kind == SIDDHI_AGG_MIN_FOREVER ||
			a->plans[k]->kind == SIDDHI_AGG_MAX_FOREVER)
			forever = true;
	if (forever)
		return;
	groupmap_delete(a->groups, g->hash);
	siddhi_aggs_group_free(a, g);
}

/* What aggregator k's state holds beyond itself, freed. */
static void
state_release(SiddhiAggregates *a, int k, AggState *st)
{
	switch (agg_part(a->plans[k]->kind))
	{
		case AGG_PART_QUEUE:
			if (st->queue)
				pfree(st->queue);
			break;
		case AGG_PART_DISTINCT:
			if (st->distinct)
				hash_destroy(st->distinct);
			break;
		case AGG_PART_EXTRA:
			siddhi_aggx_free(st->extra, &a->sets[k]);
			break;
		case AGG_PART_PERCENTILE:
			if (st->percentile)
				siddhi_percentile_free(st->percentile, a->plans[k]);
			break;
		default:
			break;
	}
}

void
siddhi_aggs_group_free(SiddhiAggregates *a, SiddhiAggGroup *g)
{
	if (a->single == g)
		a->single = NULL;
	if (g->saved)
		siddhi_aggs_tombstone(a, g);
	for (int k = 0; k < a->nkeys; k++)
		if (!group_knulls(a, g)[k] && !a->keycols[k].typbyval)
			pfree(DatumGetPointer(group_keys(a, g)[k]));
	for (int k = 0; k < a->n; k++)
		state_release(a, k, &g->states[k]);
	pfree(g);
}

/*
 * A group's aggregators start again, as in a group just made;
 * minForever and maxForever keep theirs (Siddhi's RESET).
 */
static void
group_restart(SiddhiAggregates *a, SiddhiAggGroup *g)
{
	for (int k = 0; k < a->n; k++)
	{
		AggState *st = &g->states[k];

		if (a->plans[k]->kind == SIDDHI_AGG_MIN_FOREVER ||
			a->plans[k]->kind == SIDDHI_AGG_MAX_FOREVER)
			continue;
		state_release(a, k, st);
		memset(st, 0, sizeof(AggState));
	}
	g->events = 0;
	g->adds = 0;
	g->removes = 0;
	g->dirty = true;
}

/*
 * Every group of a, as a list: what frees or releases groups walks it, as
 * the map may not change under its iterator.
 */
List *
siddhi_aggs_group_list(SiddhiAggregates *a)
{
	groupmap_iterator it;
	GroupEntry *e;
	List *groups = NIL;

	groupmap_start_iterate(a->groups, &it);
	while ((e = groupmap_iterate(a->groups, &it)) != NULL)
		groups = lappend(groups, e->group);
	return groups;
}

/*
 * Siddhi's RESET (a join side without a window, after each arrival):
 * every group starts again, and goes unless minForever/maxForever keep
 * it.  The caller holds no group pointers (call it after the chunk's
 * output).
 */
void
siddhi_aggs_reset(SiddhiAggregates *a)
{
	List *groups = siddhi_aggs_group_list(a);
	ListCell *lc;

	foreach(lc, groups)
	{
		SiddhiAggGroup *g = lfirst(lc);

		group_restart(a, g);
		siddhi_aggs_release_if_empty(a, g);
	}
	list_free(groups);
}

/*
 * Siddhi's RESET of a batch window (siddhi_selector_reset): each group
 * starts again, but stays: the next batch usually has the same keys, and
 * making and freeing every group at each batch cost more than the batch's
 * aggregation itself on 100,000 groups.  The caller releases at the end
 * of its chunk the groups no event came to (touch).
 */
void
siddhi_aggs_restart(SiddhiAggregates *a,
					void (*touch)(void *arg, SiddhiAggGroup *g), void *arg)
{
	groupmap_iterator it;
	GroupEntry *e;

	groupmap_start_iterate(a->groups, &it);
	while ((e = groupmap_iterate(a->groups, &it)) != NULL)
	{
		group_restart(a, e->group);
		touch(arg, e->group);
	}
}

/*
 * The close of a folding batch (selector_fold.c): the groups no event came
 * to in the batch now closing go (unless minForever/maxForever keep
 * them), and the others start again and stay for the next batch, which
 * usually has the same keys.  (Releasing at the close's chunk end instead,
 * as siddhi_aggs_restart's callers do, would free every group but the
 * arrival's at each batch, since the batch's events came before.)
 */
void
siddhi_aggs_restart_batch(SiddhiAggregates *a)
{
	groupmap_iterator it;
	GroupEntry *e;
	List *idle = NIL;
	ListCell *lc;

	groupmap_start_iterate(a->groups, &it);
	while ((e = groupmap_iterate(a->groups, &it)) != NULL)
	{
		if (e->group->events <= 0)
			idle = lappend(idle, e->group);
		else
			group_restart(a, e->group);
	}
	foreach(lc, idle)
		siddhi_aggs_release_if_empty(a, lfirst(lc));
	list_free(idle);
}

int64
siddhi_aggs_ngroups(SiddhiAggregates *a)
{
	return a->groups->members;
}
