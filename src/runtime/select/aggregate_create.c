/*-------------------------------------------------------------------------
 *
 * aggregate_create.c
 *	  Making a query's aggregators: what describes them (the plans, the
 *	  group-by columns' hashing, equality and output functions, the set
 *	  aggregators' element types), and, for a partition's keys, more
 *	  aggregators sharing one such description.  Running them is
 *	  aggregate.c's.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_collation.h"
#include "catalog/pg_type.h"
#include "nodes/nodeFuncs.h"
#include "siddhi/aggregate.h"
#include "utils/fmgroids.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/typcache.h"

#include "aggregate_int.h"

static bool
type_is_float(Oid t)
{
	return t == FLOAT4OID || t == FLOAT8OID;
}

/* Prepare hashing and equality for a group-by column of the given type. */
static void
keycol_init(GroupKeyColumn *kc, Oid type, Oid collation, MemoryContext cxt)
{
	TypeCacheEntry *tc = lookup_type_cache(type, TYPECACHE_HASH_EXTENDED_PROC |
													 TYPECACHE_EQ_OPR_FINFO);

	kc->collation = collation;
	if (!OidIsValid(tc->hash_extended_proc) ||
		!OidIsValid(tc->eq_opr_finfo.fn_oid))
	{
		Oid outfn;
		bool varlena;

		getTypeOutputInfo(type, &outfn, &varlena);
		fmgr_info_cxt(outfn, &kc->out, cxt);
		kc->as_text = true;
		kc->collation = C_COLLATION_OID;
		tc = lookup_type_cache(TEXTOID, TYPECACHE_HASH_EXTENDED_PROC |
											TYPECACHE_EQ_OPR_FINFO);
	}
	fmgr_info_cxt(tc->hash_extended_proc, &kc->hash, cxt);
	fmgr_info_copy(&kc->eq, &tc->eq_opr_finfo, cxt);
	kc->bytes = kc->hash.fn_oid == F_HASHTEXTEXTENDED &&
				kc->eq.fn_oid == F_TEXTEQ && OidIsValid(kc->collation) &&
				(kc->collation == C_COLLATION_OID ||
				 get_collation_isdeterministic(kc->collation));
	kc->typlen = tc->typlen;
	kc->typbyval = tc->typbyval;
}

/*
 * Events may leave these aggregates in another order than they came;
 * before any group is made.
 */
void
siddhi_aggs_set_unordered(SiddhiAggregates *a)
{
	Assert(a->groups == NULL || a->groups->members == 0);
	a->unordered = true;
}

SiddhiAggregates *
siddhi_aggs_create(List *plans, List *group_by, MemoryContext parent)
{
	MemoryContext cxt = AllocSetContextCreate(parent, "siddhi aggregates",
											  ALLOCSET_START_SMALL_SIZES);
	SiddhiAggregates *a =
		MemoryContextAllocZero(cxt, sizeof(SiddhiAggregates));
	ListCell *lc;
	int i = 0;

	a->cxt = cxt;
	a->n = list_length(plans);
	a->plans = MemoryContextAlloc(cxt, sizeof(SiddhiAggPlan *) * Max(a->n, 1));
	a->is_float = MemoryContextAlloc(cxt, sizeof(bool) * Max(a->n, 1));
	a->sets = MemoryContextAllocZero(cxt, sizeof(SetType) * Max(a->n, 1));
	foreach(lc, plans)
	{
		a->plans[i] = lfirst(lc);
		a->is_float[i] = type_is_float(a->plans[i]->argtype);
		if (siddhi_aggx_handles(a->plans[i]->kind))
			siddhi_aggx_prepare(&a->sets[i], a->plans[i], cxt);
		else if (a->plans[i]->kind == SIDDHI_AGG_UNION_SET)
		{
			SetType *st = &a->sets[i];
			Oid outfn;
			bool varlena;

			st->elemtype = get_element_type(a->plans[i]->argtype);
			get_typlenbyvalalign(st->elemtype, &st->typlen, &st->byval,
								 &st->align);
			getTypeOutputInfo(st->elemtype, &outfn, &varlena);
			fmgr_info_cxt(outfn, &st->out, cxt);
		}
		i++;
	}
	a->sums_only = true;
	for (i = 0; i < a->n; i++)
		if (a->plans[i]->kind != SIDDHI_AGG_COUNT &&
			a->plans[i]->kind != SIDDHI_AGG_SUM &&
			a->plans[i]->kind != SIDDHI_AGG_AVG)
			a->sums_only = false;
	a->nkeys = list_length(group_by);
	a->keycols =
		MemoryContextAllocZero(cxt, sizeof(GroupKeyColumn) * Max(a->nkeys, 1));
	i = 0;
	foreach(lc, group_by)
	{
		keycol_init(&a->keycols[i], exprType(lfirst(lc)),
					exprCollation(lfirst(lc)), cxt);
		i++;
	}
	/* without group by there is one group: keep the map small (a partition
	 * has one of these per key) */
	a->groups = groupmap_create(cxt, a->nkeys > 0 ? 64 : 2, NULL);
	/* a group's piece: its states, then its key values and nulls */
	a->keys_at =
		MAXALIGN(offsetof(SiddhiAggGroup, states) + sizeof(AggState) * a->n);
	a->knulls_at = a->keys_at + MAXALIGN(sizeof(Datum) * a->nkeys);
	a->group_size = a->knulls_at + sizeof(bool) * a->nkeys;
	return a;
}

/*
 * Aggregators like proto's, with groups of their own, in cxt itself
 * rather than in a context of their own: a partition key's (query_ops.c),
 * whose context holds the key's every state, so that they lie in the same
 * few lines of memory as the key.  What describes them (the plans, the
 * key columns' and set aggregators' functions) is proto's, read only and
 * shared by every key: proto lives as long as the query.
 */
SiddhiAggregates *
siddhi_aggs_create_like(const SiddhiAggregates *proto, MemoryContext cxt)
{
	SiddhiAggregates *a =
		MemoryContextAllocZero(cxt, sizeof(SiddhiAggregates));

	a->cxt = cxt;
	a->n = proto->n;
	a->plans = proto->plans;
	a->is_float = proto->is_float;
	a->nkeys = proto->nkeys;
	a->keycols = proto->keycols;
	a->sets = proto->sets;
	a->keys_at = proto->keys_at;
	a->knulls_at = proto->knulls_at;
	a->group_size = proto->group_size;
	a->unordered = proto->unordered;
	a->sums_only = proto->sums_only;
	a->groups = groupmap_create(cxt, a->nkeys > 0 ? 64 : 2, NULL);
	return a;
}
