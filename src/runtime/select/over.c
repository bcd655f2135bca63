/*-------------------------------------------------------------------------
 *
 * over.c
 *	  Window functions of streaming SQL at run time: the values of
 *	  f(..) OVER (PARTITION BY .. ORDER BY ..), as PARAM_EXEC params of the
 *	  query's projection (plan: analyze_over.c; meanings: over.h).
 *
 * Every row that takes part keeps the values of the plan's expressions
 * (partition keys, order keys, arguments) in an OverRow.
 *
 * Over a window, the query keeps a mirror of the window's contents: a
 * current row joins it, an expired row leaves it (the oldest row whose
 * values are the same: a window hands out the very event it took in).
 * The current rows of a step wait; at the step's end each function sorts
 * the mirror by (partition, order, arrival) once and computes, in one pass
 * per partition, what PostgreSQL's default frame gives each row (RANGE
 * UNBOUNDED PRECEDING to the current row and its peers with ORDER BY, the
 * whole partition without).  A row emitted and expired in the same step
 * still counts among the contents of that step.  Memory: the window's
 * rows' values; time: O(n log n) per function and step, n the window's
 * rows.
 *
 * Over a stream, each function keeps its partitions in a hash table (key:
 * the partition values' output text) with a least-recently-used list; at
 * siddhi.over_max_partitions the least recently used one is forgotten.
 * In arrival order a partition holds running values: the count, the rank
 * of the last peer group, sums, min/max, the first value, the last order
 * keys and, for LAG(x, k), the last k rows.  Otherwise it holds its last
 * siddhi.over_history_rows rows, and each arrival sorts them as above.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "common/hashfn.h"
#include "common/int.h"
#include "executor/executor.h"
#include "lib/ilist.h"
#include "nodes/nodeFuncs.h"
#include "siddhi/errors.h"
#include "siddhi/over.h"
#include "siddhi/shmem.h"
#include "utils/datum.h"
#include "utils/hsearch.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/sortsupport.h"
#include "utils/typcache.h"

#include "over_int.h"

static void
over_ssup(SortSupport s, Oid op, Oid coll, bool nulls_first)
{
	memset(s, 0, sizeof(SortSupportData));
	s->ssup_cxt = CurrentMemoryContext;
	s->ssup_collation = coll;
	s->ssup_nulls_first = nulls_first;
	PrepareSortSupportFromOrderingOp(op, s);
}

SiddhiOver *
siddhi_over_create(SiddhiOverPlan *plan, TupleDesc desc, MemoryContext parent)
{
	MemoryContext cxt =
		AllocSetContextCreate(parent, "siddhi over", ALLOCSET_DEFAULT_SIZES);
	MemoryContext old = MemoryContextSwitchTo(cxt);
	SiddhiOver *o = palloc0(sizeof(SiddhiOver));
	ListCell *lc;
	int k = 0;

	o->plan = plan;
	o->cxt = cxt;
	o->tmp = AllocSetContextCreate(cxt, "siddhi over results",
								   ALLOCSET_DEFAULT_SIZES);
	o->history = siddhi_over_history_rows;
	o->max_parts = siddhi_over_max_partitions;
	o->slot = MakeSingleTupleTableSlot(desc, &TTSOpsMinimalTuple);
	o->nexprs = list_length(plan->exprs);
	o->exprs = palloc0(sizeof(ExprState *) * Max(o->nexprs, 1));
	o->typlen = palloc0(sizeof(int16) * Max(o->nexprs, 1));
	o->typbyval = palloc0(sizeof(bool) * Max(o->nexprs, 1));
	o->part_out = palloc0(sizeof(FmgrInfo) * Max(o->nexprs, 1));
	foreach(lc, plan->exprs)
	{
		Oid t = exprType(lfirst(lc));
		Oid outfn;
		bool varlena;

		o->exprs[k] = ExecInitExpr(lfirst(lc), NULL);
		get_typlenbyval(t, &o->typlen[k], &o->typbyval[k]);
		getTypeOutputInfo(t, &outfn, &varlena);
		fmgr_info_cxt(outfn, &o->part_out[k], cxt);
		k++;
	}
	o->nfuncs = list_length(plan->funcs);
	o->fns = palloc0(sizeof(OverFn) * o->nfuncs);
	o->params = palloc0(sizeof(ParamExecData) * o->nfuncs);
	k = 0;
	foreach(lc, plan->funcs)
	{
		SiddhiOverFunc *f = lfirst(lc);
		OverFn *fn = &o->fns[k++];
		ListCell *l1, *l2;
		int i = 0;

		fn->plan = f;
		fn->part_ssup = palloc0(sizeof(SortSupportData) * Max(f->npart, 1));
		fn->order_ssup = palloc0(sizeof(SortSupportData) * Max(f->norder, 1));
		foreach(l1, f->part_ops)
		{
			Node *e = list_nth(plan->exprs, f->part_first + i);

			over_ssup(&fn->part_ssup[i++], lfirst_oid(l1), exprCollation(e),
					  false);
		}
		i = 0;
		forboth(l1, f->order_ops, l2, f->order_nulls_first)
		{
			Node *e = list_nth(plan->exprs, f->order_first + i);

			over_ssup(&fn->order_ssup[i++], lfirst_oid(l1), exprCollation(e),
					  lfirst_int(l2) != 0);
		}
		if (f->arg >= 0)
		{
			Node *e = list_nth(plan->exprs, f->arg);

			fn->arglen = o->typlen[f->arg];
			fn->argbyval = o->typbyval[f->arg];
			if (f->kind == SIDDHI_OVER_MIN || f->kind == SIDDHI_OVER_MAX)
			{
				TypeCacheEntry *tc =
					lookup_type_cache(exprType(e), TYPECACHE_LT_OPR);

				over_ssup(&fn->arg_ssup, tc->lt_opr, exprCollation(e), false);
			}
		}
		get_typlenbyval(f->resulttype, &fn->reslen, &fn->resbyval);
		if (!plan->over_window)
		{
			HASHCTL ctl;

			ctl.keysize = sizeof(uint64);
			ctl.entrysize = sizeof(HashEntry);
			ctl.hcxt = cxt;
			fn->parts = hash_create("siddhi over partitions", 64, &ctl,
									HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
			dlist_init(&fn->lru);
		}
	}
	MemoryContextSwitchTo(old);
	return o;
}

/* The row of the event in econtext's scan tuple, its values copied. */
static OverRow *
over_make_row(SiddhiOver *o, ExprContext *econtext)
{
	OverRow *r;
	MemoryContext old;
	Datum *v = palloc(sizeof(Datum) * Max(o->nexprs, 1));
	bool *n = palloc(sizeof(bool) * Max(o->nexprs, 1));

	for (int i = 0; i < o->nexprs; i++)
		v[i] = ExecEvalExpr(o->exprs[i], econtext, &n[i]);
	old = MemoryContextSwitchTo(o->cxt);
	r = palloc0(sizeof(OverRow));
	r->values = palloc(sizeof(Datum) * Max(o->nexprs, 1));
	r->nulls = palloc(sizeof(bool) * Max(o->nexprs, 1));
	for (int i = 0; i < o->nexprs; i++)
	{
		r->nulls[i] = n[i];
		r->values[i] =
			n[i] ? (Datum) 0 : datumCopy(v[i], o->typbyval[i], o->typlen[i]);
	}
	MemoryContextSwitchTo(old);
	r->seq = o->seq++;
	return r;
}

static void
over_free_row(SiddhiOver *o, OverRow *r)
{
	if (r == NULL)
		return;
	for (int i = 0; i < o->nexprs; i++)
		if (!r->nulls[i] && !o->typbyval[i])
			pfree(DatumGetPointer(r->values[i]));
	pfree(r->values);
	pfree(r->nulls);
	pfree(r);
}

OverRow *
siddhi_over_row_make(SiddhiOver *o, const Datum *values, const bool *nulls,
					 int64 seq)
{
	MemoryContext old = MemoryContextSwitchTo(o->cxt);
	OverRow *r = palloc0(sizeof(OverRow));

	r->values = palloc(sizeof(Datum) * Max(o->nexprs, 1));
	r->nulls = palloc(sizeof(bool) * Max(o->nexprs, 1));
	for (int i = 0; i < o->nexprs; i++)
	{
		r->nulls[i] = nulls[i];
		r->values[i] =
			nulls[i] ? (Datum) 0
					 : datumCopy(values[i], o->typbyval[i], o->typlen[i]);
	}
	MemoryContextSwitchTo(old);
	r->seq = seq;
	return r;
}

void
siddhi_over_row_free(SiddhiOver *o, OverRow *r)
{
	over_free_row(o, r);
}

/* Compare a and b on n keys from first, with ssup. */
static int
over_cmp_keys(OverRow *a, OverRow *b, int first, int n, SortSupport ssup)
{
	for (int i = 0; i < n; i++)
	{
		int c = ApplySortComparator(a->values[first + i], a->nulls[first + i],
									b->values[first + i], b->nulls[first + i],
									&ssup[i]);

		if (c != 0)
			return c;
	}
	return 0;
}

static int
over_cmp_rows(const void *pa, const void *pb, void *arg)
{
	OverFn *fn = arg;
	OverRow *a = *(OverRow *const *) pa;
	OverRow *b = *(OverRow *const *) pb;
	int c;

	c = over_cmp_keys(a, b, fn->plan->part_first, fn->plan->npart,
					  fn->part_ssup);
	if (c == 0)
		c = over_cmp_keys(a, b, fn->plan->order_first, fn->plan->norder,
						  fn->order_ssup);
	if (c == 0)
		c = a->seq < b->seq ? -1 : a->seq > b->seq;
	return c;
}

/* Add row r's argument to acc. */
static void
over_acc_add(OverFn *fn, OverAcc *acc, OverRow *r)
{
	SiddhiOverFunc *f = fn->plan;
	Datum v;

	if (f->star)
	{
		acc->count++;
		return;
	}
	if (f->arg < 0 || r->nulls[f->arg])
		return;
	v = r->values[f->arg];
	acc->count++;
	switch (f->kind)
	{
		case SIDDHI_OVER_SUM:
		case SIDDHI_OVER_AVG:
			if (!f->integer_arg)
				acc->fsum +=
					fn->arglen == 4 ? DatumGetFloat4(v) : DatumGetFloat8(v);
			else if (pg_add_s64_overflow(acc->isum,
										 fn->arglen == 2   ? DatumGetInt16(v)
										 : fn->arglen == 4 ? DatumGetInt32(v)
														   : DatumGetInt64(v),
										 &acc->isum))
				ereport(ERROR, (errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
								errmsg("bigint out of range in sum() OVER")));
			break;
		case SIDDHI_OVER_MIN:
		case SIDDHI_OVER_MAX:
		{
			int c = acc->has_mm ? ApplySortComparator(v, false, acc->mm, false,
													  &fn->arg_ssup)
								: 0;

			if (!acc->has_mm || (f->kind == SIDDHI_OVER_MIN ? c < 0 : c > 0))
			{
				acc->mm = v;
				acc->has_mm = true;
			}
			break;
		}
		default:
			break;
	}
}

/* The value of an aggregate from acc. */
static Datum
over_acc_value(OverFn *fn, OverAcc *acc, bool *isnull)
{
	SiddhiOverFunc *f = fn->plan;

	*isnull = false;
	switch (f->kind)
	{
		case SIDDHI_OVER_COUNT:
			return Int64GetDatum(acc->count);
		case SIDDHI_OVER_SUM:
			if (acc->count == 0)
				break;
			return f->integer_arg ? Int64GetDatum(acc->isum)
								  : Float8GetDatum(acc->fsum);
		case SIDDHI_OVER_AVG:
			if (acc->count == 0)
				break;
			return Float8GetDatum(
				(f->integer_arg ? (double) acc->isum : acc->fsum) /
				(double) acc->count);
		case SIDDHI_OVER_MIN:
		case SIDDHI_OVER_MAX:
			if (!acc->has_mm)
				break;
			return acc->mm;
		default:
			break;
	}
	*isnull = true;
	return (Datum) 0;
}

static Datum
over_arg_of(OverRow *r, int e, bool *isnull)
{
	if (e < 0)
	{
		*isnull = true;
		return (Datum) 0;
	}
	*isnull = r->nulls[e];
	return r->values[e];
}

/*
 * Compute function fn for every row of rows[0 .. n) (any order), into
 * res[r->pos] / resnull[r->pos]: what PostgreSQL gives each row over them.
 */
static void
over_compute_all(OverFn *fn, OverRow **rows, int n, Datum *res, bool *resnull)
{
	SiddhiOverFunc *f = fn->plan;
	OverRow **s = palloc(sizeof(OverRow *) * Max(n, 1));
	int ps = 0;

	memcpy(s, rows, sizeof(OverRow *) * n);
	qsort_arg(s, n, sizeof(OverRow *), over_cmp_rows, fn);
	while (ps < n)
	{
		int pe = ps + 1;
		int gs = ps;
		int64 group = 0;

		while (pe < n && over_cmp_keys(s[ps], s[pe], f->part_first, f->npart,
									   fn->part_ssup) == 0)
			pe++;
		while (gs < pe)
		{
			int ge = gs + 1;

			while (ge < pe && over_cmp_keys(s[gs], s[ge], f->order_first,
											f->norder, fn->order_ssup) == 0)
				ge++;
			group++;
			for (int j = gs; j < ge; j++)
			{
				int p = s[j]->pos;
				int64 k = f->offset;

				switch (f->kind)
				{
					case SIDDHI_OVER_ROW_NUMBER:
						res[p] = Int64GetDatum(j - ps + 1);
						resnull[p] = false;
						break;
					case SIDDHI_OVER_RANK:
						res[p] = Int64GetDatum(gs - ps + 1);
						resnull[p] = false;
						break;
					case SIDDHI_OVER_DENSE_RANK:
						res[p] = Int64GetDatum(group);
						resnull[p] = false;
						break;
					case SIDDHI_OVER_LAG:
					case SIDDHI_OVER_LEAD:
					{
						int64 t = f->kind == SIDDHI_OVER_LAG ? j - k : j + k;

						if (t >= ps && t < pe)
							res[p] = over_arg_of(s[t], f->arg, &resnull[p]);
						else
							res[p] = over_arg_of(s[j], f->def, &resnull[p]);
						break;
					}
					case SIDDHI_OVER_FIRST_VALUE:
						res[p] = over_arg_of(s[ps], f->arg, &resnull[p]);
						break;
					case SIDDHI_OVER_LAST_VALUE:
						res[p] =
							over_arg_of(s[f->norder > 0 ? ge - 1 : pe - 1],
										f->arg, &resnull[p]);
						break;
					default:
						break;
				}
			}
			gs = ge;
		}
		/* aggregates: running to each peer group's end, or the whole */
		if (f->kind >= SIDDHI_OVER_SUM)
		{
			OverAcc run = { 0 };

			gs = ps;
			while (gs < pe)
			{
				int ge = gs + 1;

				if (f->norder == 0)
					ge = pe;
				while (ge < pe &&
					   over_cmp_keys(s[gs], s[ge], f->order_first, f->norder,
									 fn->order_ssup) == 0)
					ge++;
				for (int j = gs; j < ge; j++)
					over_acc_add(fn, &run, s[j]);
				for (int j = gs; j < ge; j++)
					res[s[j]->pos] =
						over_acc_value(fn, &run, &resnull[s[j]->pos]);
				gs = ge;
			}
		}
		ps = pe;
	}
	pfree(s);
}

/*
 * Param k := value, copied into o->out_cxt (the query's per-tuple memory:
 * the row projected from it may be sent on after another row of the same
 * query went through here, in a chain of queries that loops).
 */
static void
over_set_param(SiddhiOver *o, int k, Datum value, bool isnull)
{
	OverFn *fn = &o->fns[k];
	MemoryContext old = MemoryContextSwitchTo(o->out_cxt);

	o->params[k].execPlan = NULL;
	o->params[k].isnull = isnull;
	o->params[k].value =
		isnull ? (Datum) 0 : datumCopy(value, fn->resbyval, fn->reslen);
	MemoryContextSwitchTo(old);
}

/* The partition of row r for fn over a stream, found or made. */
static OverPartition *
over_partition(SiddhiOver *o, OverFn *fn, OverRow *r)
{
	SiddhiOverFunc *f = fn->plan;
	StringInfoData key;
	OverPartition *part;

	initStringInfo(&key);
	for (int i = f->part_first; i < f->part_first + f->npart; i++)
	{
		char *text = r->nulls[i]
						 ? NULL
						 : OutputFunctionCall(&o->part_out[i], r->values[i]);
		int len = text ? (int) strlen(text) : -1;

		appendBinaryStringInfo(&key, (char *) &len, sizeof(len));
		if (text)
			appendBinaryStringInfo(&key, text, len);
	}
	part = siddhi_over_partition_by_key(o, fn, key.data, key.len);
	pfree(key.data);
	return part;
}

OverPartition *
siddhi_over_partition_by_key(SiddhiOver *o, OverFn *fn, const char *key,
							 int keylen)
{
	SiddhiOverFunc *f = fn->plan;
	uint64 h;
	HashEntry *he;
	bool found;
	OverPartition *part;

	h = hash_bytes_extended((const unsigned char *) key, keylen, 0);
	he = hash_search(fn->parts, &h, HASH_ENTER, &found);
	if (!found)
		he->parts = NULL;
	for (part = he->parts; part; part = part->next)
		if (part->keylen == keylen && memcmp(part->key, key, keylen) == 0)
		{
			dlist_move_tail(&fn->lru, &part->lru);
			return part;
		}
	if (fn->nparts >= o->max_parts)
	{
		/* forget the partition used least recently */
		OverPartition *old =
			dlist_container(OverPartition, lru, dlist_pop_head_node(&fn->lru));
		HashEntry *oe = hash_search(fn->parts, &old->hash, HASH_FIND, NULL);
		OverPartition **pp = &oe->parts;

		while (*pp != old)
			pp = &(*pp)->next;
		*pp = old->next;
		if (oe->parts == NULL && oe != he)
			hash_search(fn->parts, &old->hash, HASH_REMOVE, NULL);
		for (int i = 0; i < old->len; i++)
			over_free_row(o, old->ring[(old->head + i) % old->cap]);
		over_free_row(o, old->last);
		if (old->has_first && !old->first_null && !fn->argbyval)
			pfree(DatumGetPointer(old->first));
		if (old->acc.has_mm && !fn->argbyval)
			pfree(DatumGetPointer(old->acc.mm));
		if (old->ring)
			pfree(old->ring);
		pfree(old->key);
		pfree(old);
		fn->nparts--;
	}
	part = MemoryContextAllocZero(o->cxt, sizeof(OverPartition));
	part->key = MemoryContextAlloc(o->cxt, Max(keylen, 1));
	memcpy(part->key, key, keylen);
	part->keylen = keylen;
	part->hash = h;
	part->next = he->parts;
	he->parts = part;
	dlist_push_tail(&fn->lru, &part->lru);
	fn->nparts++;
	part->cap = f->arrival ? (int) f->offset : o->history;
	if (part->cap > 0)
		part->ring =
			MemoryContextAllocZero(o->cxt, sizeof(OverRow *) * part->cap);
	return part;
}

/* Push r into part's ring, forgetting its oldest row when full. */
void
siddhi_over_ring_push(SiddhiOver *o, OverPartition *part, OverRow *r)
{
	if (part->cap == 0)
	{
		over_free_row(o, r);
		return;
	}
	if (part->len == part->cap)
	{
		over_free_row(o, part->ring[part->head]);
		part->ring[part->head] = r;
		part->head = (part->head + 1) % part->cap;
		return;
	}
	part->ring[(part->head + part->len++) % part->cap] = r;
}

/* A copy of r in o->cxt. */
static OverRow *
over_copy_row(SiddhiOver *o, OverRow *r)
{
	MemoryContext old = MemoryContextSwitchTo(o->cxt);
	OverRow *c = palloc0(sizeof(OverRow));

	c->seq = r->seq;
	c->values = palloc(sizeof(Datum) * Max(o->nexprs, 1));
	c->nulls = palloc(sizeof(bool) * Max(o->nexprs, 1));
	for (int i = 0; i < o->nexprs; i++)
	{
		c->nulls[i] = r->nulls[i];
		c->values[i] = r->nulls[i] ? (Datum) 0
								   : datumCopy(r->values[i], o->typbyval[i],
											   o->typlen[i]);
	}
	MemoryContextSwitchTo(old);
	return c;
}

/* Function fn over a stream for arriving row r: param k. */
static void
over_stream_value(SiddhiOver *o, int k, OverRow *r)
{
	OverFn *fn = &o->fns[k];
	SiddhiOverFunc *f = fn->plan;
	OverPartition *part = over_partition(o, fn, r);
	Datum v = (Datum) 0;
	bool isnull = true;

	if (!f->arrival)
	{
		/* the partition's last rows, r the newest: sort and compute */
		int n;
		OverRow **rows;
		Datum *res;
		bool *resnull;
		MemoryContext old;

		siddhi_over_ring_push(o, part, over_copy_row(o, r));
		n = part->len;
		old = MemoryContextSwitchTo(o->tmp);
		rows = palloc(sizeof(OverRow *) * n);
		res = palloc0(sizeof(Datum) * n);
		resnull = palloc0(sizeof(bool) * n);
		for (int i = 0; i < n; i++)
		{
			rows[i] = part->ring[(part->head + i) % part->cap];
			rows[i]->pos = i;
		}
		over_compute_all(fn, rows, n, res, resnull);
		MemoryContextSwitchTo(old);
		over_set_param(o, k, res[n - 1], resnull[n - 1]);
		return;
	}

	/* arrival order: r is the last row of its partition's history */
	part->n++;
	if (part->n == 1 ||
		(f->norder > 0 && over_cmp_keys(part->last, r, f->order_first,
										f->norder, fn->order_ssup) != 0))
	{
		part->rank = part->n;
		part->dense++;
	}
	if (f->norder > 0)
	{
		over_free_row(o, part->last);
		part->last = over_copy_row(o, r);
	}
	switch (f->kind)
	{
		case SIDDHI_OVER_ROW_NUMBER:
			v = Int64GetDatum(part->n);
			isnull = false;
			break;
		case SIDDHI_OVER_RANK:
			v = Int64GetDatum(part->rank);
			isnull = false;
			break;
		case SIDDHI_OVER_DENSE_RANK:
			v = Int64GetDatum(part->dense);
			isnull = false;
			break;
		case SIDDHI_OVER_LAG:
			if (f->offset == 0)
				v = over_arg_of(r, f->arg, &isnull);
			else if (part->len >= f->offset)
				v = over_arg_of(
					part->ring[(part->head + part->len - f->offset) %
							   part->cap],
					f->arg, &isnull);
			else
				v = over_arg_of(r, f->def, &isnull);
			/* set before the ring forgets the row it reads */
			over_set_param(o, k, v, isnull);
			siddhi_over_ring_push(o, part, over_copy_row(o, r));
			return;
		case SIDDHI_OVER_FIRST_VALUE:
			if (!part->has_first)
			{
				part->has_first = true;
				part->first_null = r->nulls[f->arg];
				if (!part->first_null)
					part->first =
						datumCopy(r->values[f->arg], fn->argbyval, fn->arglen);
			}
			v = part->first;
			isnull = part->first_null;
			break;
		case SIDDHI_OVER_LAST_VALUE:
			v = over_arg_of(r, f->arg, &isnull);
			break;
		default:
		{
			/* running aggregates: min/max keep their own copy */
			Datum before = part->acc.mm;
			bool had = part->acc.has_mm;

			over_acc_add(fn, &part->acc, r);
			if (part->acc.has_mm && (!had || part->acc.mm != before))
			{
				part->acc.mm =
					datumCopy(part->acc.mm, fn->argbyval, fn->arglen);
				if (had && !fn->argbyval)
					pfree(DatumGetPointer(before));
			}
			v = over_acc_value(fn, &part->acc, &isnull);
			break;
		}
	}
	over_set_param(o, k, v, isnull);
}

bool
siddhi_over_row(SiddhiOver *o, ExprContext *econtext, TupleTableSlot *slot,
				int64 ts, bool current)
{
	MemoryContext old;
	OverRow *r;

	econtext->ecxt_scantuple = slot;
	if (!o->plan->over_window)
	{
		if (!current)
			return false;
		/* the temporaries of an earlier row are not needed any more */
		MemoryContextReset(o->tmp);
		o->out_cxt = econtext->ecxt_per_tuple_memory;
		old = MemoryContextSwitchTo(o->tmp);
		r = over_make_row(o, econtext);
		MemoryContextSwitchTo(old);
		for (int k = 0; k < o->nfuncs; k++)
			over_stream_value(o, k, r);
		over_free_row(o, r);
		econtext->ecxt_param_exec_vals = o->params;
		return true;
	}
	if (o->flushing)
		ereport(ERROR,
				(errcode(ERRCODE_SIDDHI_RUNTIME_ERROR),
				 errmsg("a query with window functions over a window reads "
						"a row it output itself"),
				 errhint("Break the loop between the queries.")));
	old = MemoryContextSwitchTo(o->tmp);
	r = over_make_row(o, econtext);
	MemoryContextSwitchTo(old);
	if (!current)
	{
		/* the oldest live row with the same values leaves */
		for (int i = 0; i < o->nrows; i++)
		{
			OverRow *w = o->rows[i];
			bool same = !w->dead;

			for (int e = 0; same && e < o->nexprs; e++)
				same = w->nulls[e] == r->nulls[e] &&
					   (w->nulls[e] ||
						datumIsEqual(w->values[e], r->values[e],
									 o->typbyval[e], o->typlen[e]));
			if (same)
			{
				w->dead = true;
				break;
			}
		}
		over_free_row(o, r);
		return false;
	}
	if (o->nrows >= siddhi_max_groups)
		ereport(
			ERROR,
			(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
			 errmsg("the window of a query with window functions holds "
					"more than %d rows",
					siddhi_max_groups),
			 errdetail("The row is skipped."),
			 errhint("Use a smaller window, or raise siddhi.max_groups.")));
	old = MemoryContextSwitchTo(o->cxt);
	if (o->nrows == o->cap)
	{
		o->cap = Max(16, o->cap * 2);
		o->rows = o->rows ? repalloc(o->rows, sizeof(OverRow *) * o->cap)
						  : palloc(sizeof(OverRow *) * o->cap);
	}
	o->rows[o->nrows++] = r;
	if (o->npending == o->pcap)
	{
		o->pcap = Max(16, o->pcap * 2);
		o->ptup = o->ptup ? repalloc(o->ptup, sizeof(MinimalTuple) * o->pcap)
						  : palloc(sizeof(MinimalTuple) * o->pcap);
		o->pts = o->pts ? repalloc(o->pts, sizeof(int64) * o->pcap)
						: palloc(sizeof(int64) * o->pcap);
		o->prow = o->prow ? repalloc(o->prow, sizeof(OverRow *) * o->pcap)
						  : palloc(sizeof(OverRow *) * o->pcap);
	}
	r->pending = true;
	o->ptup[o->npending] = ExecCopySlotMinimalTuple(slot);
	o->pts[o->npending] = ts;
	o->prow[o->npending++] = r;
	MemoryContextSwitchTo(old);
	return false;
}

/* Free the dead rows of the mirror; no row is pending any more. */
static void
over_compact(SiddhiOver *o)
{
	int n = 0;

	for (int i = 0; i < o->nrows; i++)
	{
		OverRow *r = o->rows[i];

		r->pending = false;
		if (r->dead)
			over_free_row(o, r);
		else
			o->rows[n++] = r;
	}
	o->nrows = n;
}

void
siddhi_over_abandon(SiddhiOver *o)
{
	for (int i = 0; i < o->npending; i++)
		pfree(o->ptup[i]);
	o->npending = 0;
	if (o->plan->over_window)
		over_compact(o);
}

void
siddhi_over_flush(SiddhiOver *o, ExprContext *econtext, SiddhiOverEmit emit,
				  void *arg)
{
	TupleTableSlot *slot = o->slot;
	OverRow **live;
	int n = 0;
	int npending = o->npending;
	Datum **res;
	bool **resnull;
	MemoryContext old;

	if (!o->plan->over_window)
		return;
	if (npending == 0)
	{
		over_compact(o);
		MemoryContextReset(o->tmp);
		return;
	}
	MemoryContextReset(o->tmp);
	old = MemoryContextSwitchTo(o->tmp);
	live = palloc(sizeof(OverRow *) * o->nrows);
	for (int i = 0; i < o->nrows; i++)
		if (!o->rows[i]->dead || o->rows[i]->pending)
		{
			o->rows[i]->pos = n;
			live[n++] = o->rows[i];
		}
	res = palloc(sizeof(Datum *) * o->nfuncs);
	resnull = palloc(sizeof(bool *) * o->nfuncs);
	for (int k = 0; k < o->nfuncs; k++)
	{
		res[k] = palloc0(sizeof(Datum) * Max(n, 1));
		resnull[k] = palloc0(sizeof(bool) * Max(n, 1));
		over_compute_all(&o->fns[k], live, n, res[k], resnull[k]);
	}
	MemoryContextSwitchTo(old);

	/* nothing pending while emitting: an error abandons what is left */
	o->npending = 0;
	o->flushing = true;
	PG_TRY();
	{
		for (int i = 0; i < npending; i++)
		{
			int p = o->prow[i]->pos;

			for (int k = 0; k < o->nfuncs; k++)
			{
				o->params[k].execPlan = NULL;
				o->params[k].value = res[k][p];
				o->params[k].isnull = resnull[k][p];
			}
			econtext->ecxt_param_exec_vals = o->params;
			ExecStoreMinimalTuple(o->ptup[i], slot, false);
			emit(arg, slot, o->pts[i]);
			ExecClearTuple(slot);
		}
	}
	PG_FINALLY();
	{
		o->flushing = false;
		for (int i = 0; i < npending; i++)
			pfree(o->ptup[i]);
		over_compact(o);
	}
	PG_END_TRY();
}
