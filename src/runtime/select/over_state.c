/*-------------------------------------------------------------------------
 *
 * over_state.c
 *	  Epochs (issue 15): the state of a query's window functions (over.c)
 *	  as bytes (include/siddhi/state.h), and back.
 *
 * Between steps no row is pending and the mirror of a window holds no
 * dead row (each step's end compacts it).  Saved: the next arrival number;
 * over a window, the mirror's rows in order (arrival number and the value
 * of every OVER expression); over a stream, per function, its partitions
 * from the least recently used, each with its key (the partition values'
 * text), its running values (rows, rank, dense rank, count, sums, min or
 * max, first value) and its rows (the last one, and the ring of LAG's or
 * the history's rows, oldest first).  Restore finds each partition by its
 * key (the hash is computed again) and rebuilds the least-recently-used
 * order by making them in that order; a ring longer than the restored
 * one's room (siddhi.over_history_rows lowered) keeps its newest rows.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "siddhi/state.h"
#include "utils/memutils.h"

#include "over_int.h"

static void
put_row(SiddhiOver *o, StringInfo buf, OverRow *r)
{
	siddhi_state_put_int64(buf, r->seq);
	for (int i = 0; i < o->nexprs; i++)
		siddhi_state_put_datum(buf, r->values[i], r->nulls[i], o->typlen[i],
							   o->typbyval[i]);
}

static OverRow *
get_row(SiddhiOver *o, SiddhiStateReader *r, Datum *values, bool *nulls)
{
	int64 seq = siddhi_state_get_int64(r);
	OverRow *row;

	if (seq < 0 || seq >= o->seq)
		siddhi_state_corrupt(r, "A row's number is out of range");
	for (int i = 0; i < o->nexprs; i++)
		values[i] = siddhi_state_get_datum(
			r, &nulls[i], o->typlen[i], o->typbyval[i], CurrentMemoryContext);
	row = siddhi_over_row_make(o, values, nulls, seq);
	for (int i = 0; i < o->nexprs; i++)
		if (!nulls[i] && !o->typbyval[i])
			pfree(DatumGetPointer(values[i]));
	return row;
}

static void
put_partition(SiddhiOver *o, OverFn *fn, StringInfo buf, OverPartition *p)
{
	siddhi_state_put_bytes(buf, p->key, p->keylen);
	siddhi_state_put_int64(buf, p->n);
	siddhi_state_put_int64(buf, p->rank);
	siddhi_state_put_int64(buf, p->dense);
	siddhi_state_put_bool(buf, p->last != NULL);
	if (p->last)
		put_row(o, buf, p->last);
	siddhi_state_put_int64(buf, p->acc.count);
	siddhi_state_put_int64(buf, p->acc.isum);
	siddhi_state_put_double(buf, p->acc.fsum);
	siddhi_state_put_bool(buf, p->acc.has_mm);
	if (p->acc.has_mm)
		siddhi_state_put_datum(buf, p->acc.mm, false, fn->arglen,
							   fn->argbyval);
	siddhi_state_put_bool(buf, p->has_first);
	if (p->has_first)
		siddhi_state_put_datum(buf, p->first, p->first_null, fn->arglen,
							   fn->argbyval);
	siddhi_state_put_int64(buf, p->len);
	for (int i = 0; i < p->len; i++)
		put_row(o, buf, p->ring[(p->head + i) % p->cap]);
}

void
siddhi_over_serialize(SiddhiOver *o, StringInfo buf)
{
	Assert(o->npending == 0);
	siddhi_state_put_int64(buf, o->seq);
	siddhi_state_put_int32(buf, o->nfuncs);
	siddhi_state_put_int32(buf, o->nexprs);
	if (o->plan->over_window)
	{
		siddhi_state_put_int64(buf, o->nrows);
		for (int i = 0; i < o->nrows; i++)
		{
			Assert(!o->rows[i]->dead);
			put_row(o, buf, o->rows[i]);
		}
		return;
	}
	for (int k = 0; k < o->nfuncs; k++)
	{
		OverFn *fn = &o->fns[k];
		dlist_iter it;

		siddhi_state_put_int64(buf, fn->nparts);
		dlist_foreach(it, &fn->lru) put_partition(
			o, fn, buf, dlist_container(OverPartition, lru, it.cur));
	}
}

/* A saved row: its number and a length for each value. */
static int
saved_row_min(SiddhiOver *o)
{
	return (int) sizeof(int64) + o->nexprs * (int) sizeof(int32);
}

static void
get_partition(SiddhiOver *o, OverFn *fn, SiddhiStateReader *r, Datum *values,
			  bool *nulls)
{
	int keylen;
	const char *key = siddhi_state_get_bytes(r, &keylen);
	int before = fn->nparts;
	OverPartition *p = siddhi_over_partition_by_key(o, fn, key, keylen);
	int64 n;

	if (fn->nparts == before && before < o->max_parts)
		siddhi_state_corrupt(r, "A partition is there twice");
	p->n = siddhi_state_get_int64(r);
	p->rank = siddhi_state_get_int64(r);
	p->dense = siddhi_state_get_int64(r);
	if (siddhi_state_get_bool(r))
		p->last = get_row(o, r, values, nulls);
	p->acc.count = siddhi_state_get_int64(r);
	p->acc.isum = siddhi_state_get_int64(r);
	p->acc.fsum = siddhi_state_get_double(r);
	/* each value is read before its flag is set: a damaged state fails
	 * with the partition whole, as siddhi_over_clear frees it */
	if (siddhi_state_get_bool(r))
	{
		bool isnull;
		Datum mm = siddhi_state_get_datum(r, &isnull, fn->arglen, fn->argbyval,
										  o->cxt);

		if (isnull || fn->plan->arg < 0)
			siddhi_state_corrupt(r, "A partition's min or max is invalid");
		p->acc.mm = mm;
		p->acc.has_mm = true;
	}
	if (siddhi_state_get_bool(r))
	{
		bool isnull;
		Datum first = siddhi_state_get_datum(r, &isnull, fn->arglen,
											 fn->argbyval, o->cxt);

		if (fn->plan->arg < 0)
			siddhi_state_corrupt(r, "A partition's first value is invalid");
		p->first = first;
		p->first_null = isnull;
		p->has_first = true;
	}
	n = siddhi_state_get_count(r, saved_row_min(o));
	for (int64 i = 0; i < n; i++)
		siddhi_over_ring_push(o, p, get_row(o, r, values, nulls));
}

void
siddhi_over_restore(SiddhiOver *o, SiddhiStateReader *r)
{
	Datum *values = palloc(sizeof(Datum) * Max(o->nexprs, 1));
	bool *nulls = palloc(sizeof(bool) * Max(o->nexprs, 1));
	int64 n;

	Assert(o->nrows == 0 && o->npending == 0);
	o->seq = siddhi_state_get_int64(r);
	if (siddhi_state_get_int32(r) != o->nfuncs ||
		siddhi_state_get_int32(r) != o->nexprs)
		siddhi_state_corrupt(r, "The window functions have another shape");
	if (o->plan->over_window)
	{
		/* no siddhi.max_groups check: these rows were in the window */
		n = siddhi_state_get_count(r, saved_row_min(o));
		if (n > 0)
		{
			o->cap = (int) n;
			o->rows = MemoryContextAlloc(o->cxt, sizeof(OverRow *) * o->cap);
		}
		for (int64 i = 0; i < n; i++)
		{
			OverRow *row = get_row(o, r, values, nulls);

			if (i > 0 && row->seq <= o->rows[i - 1]->seq)
				siddhi_state_corrupt(r, "A window's rows are out of order");
			o->rows[o->nrows++] = row;
		}
	}
	else
		for (int k = 0; k < o->nfuncs; k++)
		{
			OverFn *fn = &o->fns[k];

			n = siddhi_state_get_count(r, (int) sizeof(int32));
			for (int64 i = 0; i < n; i++)
				get_partition(o, fn, r, values, nulls);
		}
	pfree(values);
	pfree(nulls);
}

static void
free_partition(SiddhiOver *o, OverFn *fn, OverPartition *p)
{
	for (int i = 0; i < p->len; i++)
		siddhi_over_row_free(o, p->ring[(p->head + i) % p->cap]);
	siddhi_over_row_free(o, p->last);
	if (p->has_first && !p->first_null && !fn->argbyval)
		pfree(DatumGetPointer(p->first));
	if (p->acc.has_mm && !fn->argbyval)
		pfree(DatumGetPointer(p->acc.mm));
	if (p->ring)
		pfree(p->ring);
	pfree(p->key);
	pfree(p);
}

void
siddhi_over_clear(SiddhiOver *o)
{
	siddhi_over_abandon(o);
	for (int i = 0; i < o->nrows; i++)
		siddhi_over_row_free(o, o->rows[i]);
	o->nrows = 0;
	o->seq = 0;
	if (o->plan->over_window)
		return;
	for (int k = 0; k < o->nfuncs; k++)
	{
		OverFn *fn = &o->fns[k];
		HASH_SEQ_STATUS hs;
		HashEntry *he;

		while (!dlist_is_empty(&fn->lru))
			free_partition(o, fn,
						   dlist_container(OverPartition, lru,
										   dlist_pop_head_node(&fn->lru)));
		hash_seq_init(&hs, fn->parts);
		while ((he = hash_seq_search(&hs)) != NULL)
			hash_search(fn->parts, &he->hash, HASH_REMOVE, NULL);
		fn->nparts = 0;
	}
}
