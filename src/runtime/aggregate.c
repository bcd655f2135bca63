/*-------------------------------------------------------------------------
 *
 * aggregate.c
 *	  Siddhi's incremental aggregators: sum, count, avg, min, max,
 *	  minForever, maxForever, per group.
 *
 * Values are kept as int64 for integer arguments and as double for
 * floating ones; results have Siddhi's types (sum of integers is a long,
 * of floats a double; avg a double; min and max the argument's type).
 * Nulls are ignored, as Siddhi ignores them.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "catalog/pg_type.h"
#include "common/hashfn.h"
#include "siddhi/aggregate.h"
#include "siddhi/shmem.h"
#include "utils/hsearch.h"
#include "utils/memutils.h"

typedef union AggValue
{
	int64 i;
	double d;
} AggValue;

typedef struct QueueItem
{
	int64 seq;
	AggValue v;
} QueueItem;

typedef struct AggState
{
	int64 nonnull; /* values added and not removed */
	AggValue sum;
	/* min/max: a monotonic queue of (sequence, value) */
	QueueItem *queue;
	int qhead;
	int qlen;
	int qcap;
	/* minForever/maxForever */
	bool has_forever;
	AggValue forever;
	double sumsq; /* stdDev */
	int64 ntrue;  /* and, or */
	int64 nfalse;
	HTAB *distinct; /* distinctCount: value hash -> events */
} AggState;

typedef struct DistinctEntry
{
	int64 hash;
	int64 events;
} DistinctEntry;

struct SiddhiAggGroup
{
	uint64 hash; /* hash key */
	char *key;
	Size keylen;
	int64 events; /* events added and not removed */
	int64 adds;
	int64 removes;
	SiddhiAggMarks marks;
	AggState states[FLEXIBLE_ARRAY_MEMBER];
};

typedef struct GroupEntry
{
	uint64 hash;
	SiddhiAggGroup *group;
} GroupEntry;

struct SiddhiAggregates
{
	int n;
	SiddhiAggPlan **plans;
	bool *is_float;
	MemoryContext cxt;
	HTAB *groups;
};

static bool
type_is_float(Oid t)
{
	return t == FLOAT4OID || t == FLOAT8OID;
}

SiddhiAggregates *
siddhi_aggs_create(List *plans, MemoryContext parent)
{
	MemoryContext cxt = AllocSetContextCreate(parent, "siddhi aggregates",
											  ALLOCSET_DEFAULT_SIZES);
	SiddhiAggregates *a =
		MemoryContextAllocZero(cxt, sizeof(SiddhiAggregates));
	HASHCTL ctl;
	ListCell *lc;
	int i = 0;

	a->cxt = cxt;
	a->n = list_length(plans);
	a->plans = MemoryContextAlloc(cxt, sizeof(SiddhiAggPlan *) * Max(a->n, 1));
	a->is_float = MemoryContextAlloc(cxt, sizeof(bool) * Max(a->n, 1));
	foreach(lc, plans)
	{
		a->plans[i] = lfirst(lc);
		a->is_float[i] = type_is_float(a->plans[i]->argtype);
		i++;
	}
	memset(&ctl, 0, sizeof(ctl));
	ctl.keysize = sizeof(uint64);
	ctl.entrysize = sizeof(GroupEntry);
	ctl.hcxt = cxt;
	a->groups = hash_create("siddhi groups", 64, &ctl,
							HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
	return a;
}

SiddhiAggGroup *
siddhi_aggs_group(SiddhiAggregates *a, const char *key, Size keylen)
{
	uint64 hash = hash_bytes_extended((const unsigned char *) key, keylen, 0);
	GroupEntry *e;
	bool found;
	SiddhiAggGroup *g;

	e = hash_search(a->groups, &hash, HASH_ENTER, &found);
	if (found)
	{
		g = e->group;
		if (g->keylen != keylen || memcmp(g->key, key, keylen) != 0)
			elog(ERROR, "siddhi: two group-by keys share a 64-bit hash");
		return g;
	}
	if (hash_get_num_entries(a->groups) > siddhi_max_groups)
	{
		hash_search(a->groups, &hash, HASH_REMOVE, NULL);
		ereport(
			ERROR,
			(errcode(ERRCODE_CONFIGURATION_LIMIT_EXCEEDED),
			 errmsg("query has more than %d groups", siddhi_max_groups),
			 errdetail("The event of a new group is skipped."),
			 errhint("Put the aggregation over a window, so that groups leave "
					 "with their events, or raise siddhi.max_groups.")));
	}
	g = MemoryContextAllocZero(a->cxt, offsetof(SiddhiAggGroup, states) +
										   sizeof(AggState) * a->n);
	g->hash = hash;
	g->key = MemoryContextAlloc(a->cxt, Max(keylen, 1));
	memcpy(g->key, key, keylen);
	g->keylen = keylen;
	e->group = g;
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
	/* drop from the back what the new value makes irrelevant */
	while (s->qlen > 0)
	{
		QueueItem *back = &s->queue[(s->qhead + s->qlen - 1) % s->qcap];
		bool dominated = keep_max ? !less(v, back->v, is_float)
								  : !less(back->v, v, is_float);

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

void
siddhi_aggs_update(SiddhiAggregates *a, SiddhiAggGroup *g, bool add,
				   Datum *values, bool *nulls)
{
	int64 seq;

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
	for (int k = 0; k < a->n; k++)
	{
		SiddhiAggPlan *p = a->plans[k];
		AggState *s = &g->states[k];
		bool f = a->is_float[k];
		AggValue v;

		if (p->kind == SIDDHI_AGG_COUNT || nulls[k])
		{
			/* a removal may still have to retire a queued sequence */
			if (!add)
				queue_retire(s, seq);
			continue;
		}
		if (p->kind == SIDDHI_AGG_DISTINCT_COUNT)
		{
			int64 h = DatumGetInt64(values[k]);
			DistinctEntry *e;
			bool found;

			if (s->distinct == NULL)
			{
				HASHCTL ctl;

				memset(&ctl, 0, sizeof(ctl));
				ctl.keysize = sizeof(int64);
				ctl.entrysize = sizeof(DistinctEntry);
				ctl.hcxt = a->cxt;
				s->distinct =
					hash_create("siddhi distinctCount", 16, &ctl,
								HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
			}
			e = hash_search(s->distinct, &h, add ? HASH_ENTER : HASH_FIND,
							&found);
			if (add)
				e->events = found ? e->events + 1 : 1;
			else if (e && --e->events == 0)
				hash_search(s->distinct, &h, HASH_REMOVE, NULL);
			continue;
		}
		if (p->kind == SIDDHI_AGG_AND || p->kind == SIDDHI_AGG_OR)
		{
			int64 *n = DatumGetBool(values[k]) ? &s->ntrue : &s->nfalse;

			*n += add ? 1 : -1;
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
				break;
		}
	}
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
		}
	}
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
	hash_search(a->groups, &g->hash, HASH_REMOVE, NULL);
	for (int k = 0; k < a->n; k++)
	{
		if (g->states[k].queue)
			pfree(g->states[k].queue);
		if (g->states[k].distinct)
			hash_destroy(g->states[k].distinct);
	}
	pfree(g->key);
	pfree(g);
}

int64
siddhi_aggs_ngroups(SiddhiAggregates *a)
{
	return hash_get_num_entries(a->groups);
}
