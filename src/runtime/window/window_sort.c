/*-------------------------------------------------------------------------
 *
 * window_sort.c
 *	  sort(n, attr [, 'asc'|'desc'], ...): the n events that come first in
 *	  the given order.
 *
 * The window keeps its events in order in an array, with the sort values
 * of each (copied into the window's context), and compares them with the
 * SortSupport of each attribute's ordering operator (analyze_window.c
 * chose '<' for asc, '>' for desc; nulls sort last ascending and first
 * descending, as in ORDER BY).  An arrival is inserted after the events
 * equal to it and emitted as current; when the window then holds n + 1
 * events, the last in the order leaves as expired, stamped with the
 * arrival's time, right after the arrival: so an arrival that sorts last
 * comes out as current and at once as expired, as in Siddhi.  Among equal
 * events the newest sorts last (Siddhi's stable sort does the same).
 *
 * Memory: n + 1 events and their sort values.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/stratnum.h"
#include "nodes/nodeFuncs.h"
#include "siddhi/window.h"
#include "utils/datum.h"
#include "utils/lsyscache.h"
#include "utils/sortsupport.h"
#include "window_int.h"

typedef struct SortEntry
{
	MinimalTuple tuple;
	int64 timestamp;
	int64 seq; /* arrival order, for scans */
	Datum *values;
	bool *isnull;
} SortEntry;

typedef struct SortWindow
{
	SiddhiWindow base;
	int64 length;
	int nkeys;
	SortSupportData *ssup;
	int16 *typlen;
	bool *typbyval;
	SortEntry *items; /* length + 1, in order */
	int64 count;
	int64 seq;
} SortWindow;

static SiddhiWindow *
sort_create(const SiddhiWindowPlan *plan, MemoryContext cxt)
{
	SortWindow *w = MemoryContextAllocZero(cxt, sizeof(SortWindow));
	ListCell *lk;
	ListCell *lt;
	ListCell *lo;
	int k = 0;

	w->base.cxt = cxt;
	w->length = plan->length;
	w->nkeys = list_length(plan->keys);
	Assert(w->nkeys > 0 && list_length(plan->sort_ops) == w->nkeys);
	w->ssup = MemoryContextAllocZero(cxt, sizeof(SortSupportData) * w->nkeys);
	w->typlen = MemoryContextAlloc(cxt, sizeof(int16) * w->nkeys);
	w->typbyval = MemoryContextAlloc(cxt, sizeof(bool) * w->nkeys);
	forthree(lk, plan->keys, lt, plan->key_types, lo, plan->sort_ops)
	{
		SortSupport ssup = &w->ssup[k];
		Oid sortop = lfirst_oid(lo);
		Oid opfamily;
		Oid opcintype;
		int16 strategy;

		ssup->ssup_cxt = cxt;
		ssup->ssup_collation = exprCollation(lfirst(lk));
		if (!get_ordering_op_properties(sortop, &opfamily, &opcintype,
										&strategy))
			elog(ERROR, "operator %u is not a valid ordering operator",
				 sortop);
		ssup->ssup_nulls_first = strategy == BTGreaterStrategyNumber;
		PrepareSortSupportFromOrderingOp(sortop, ssup);
		get_typlenbyval(lfirst_oid(lt), &w->typlen[k], &w->typbyval[k]);
		k++;
	}
	w->items =
		MemoryContextAllocHuge(cxt, sizeof(SortEntry) * (w->length + 1));
	return &w->base;
}

static int
sort_compare(SortWindow *w, const Datum *values, const bool *isnull,
			 const SortEntry *e)
{
	for (int k = 0; k < w->nkeys; k++)
	{
		int c = ApplySortComparator(values[k], isnull[k], e->values[k],
									e->isnull[k], &w->ssup[k]);

		if (c != 0)
			return c;
	}
	return 0;
}

static void
sort_free_entry(SortWindow *w, SortEntry *e)
{
	for (int k = 0; k < w->nkeys; k++)
		if (!e->isnull[k] && !w->typbyval[k])
			pfree(DatumGetPointer(e->values[k]));
	pfree(e->values);
	pfree(e->isnull);
	pfree(e->tuple);
}

static void
sort_add(SiddhiWindow *base, const SiddhiWindowEvent *ev, SiddhiEventFn fn,
		 void *arg)
{
	SortWindow *w = (SortWindow *) base;
	int64 lo = 0;
	int64 hi = w->count;
	SortEntry *e;
	MemoryContext old;

	/* the first position whose event sorts after the arrival */
	while (lo < hi)
	{
		int64 mid = lo + (hi - lo) / 2;

		if (sort_compare(w, ev->values, ev->isnull, &w->items[mid]) < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	memmove(&w->items[lo + 1], &w->items[lo],
			sizeof(SortEntry) * (w->count - lo));
	e = &w->items[lo];
	w->count++;
	old = MemoryContextSwitchTo(base->cxt);
	e->tuple = siddhi_window_keep(base, ev->tuple);
	e->timestamp = ev->timestamp;
	e->seq = w->seq++;
	e->values = palloc(sizeof(Datum) * w->nkeys);
	e->isnull = palloc(sizeof(bool) * w->nkeys);
	for (int k = 0; k < w->nkeys; k++)
	{
		e->isnull[k] = ev->isnull[k];
		e->values[k] = ev->isnull[k] ? (Datum) 0
									 : datumCopy(ev->values[k], w->typbyval[k],
												 w->typlen[k]);
	}
	MemoryContextSwitchTo(old);

	fn(arg, SIDDHI_EVENT_CURRENT, e->tuple, ev->timestamp);
	if (w->count > w->length)
	{
		SortEntry *last = &w->items[w->count - 1];

		w->count--;
		fn(arg, SIDDHI_EVENT_EXPIRED, last->tuple, WINDOW_EVENT_NOW(ev));
		sort_free_entry(w, last);
	}
}

static int
compare_seq(const void *a, const void *b)
{
	int64 x = (*(SortEntry *const *) a)->seq;
	int64 y = (*(SortEntry *const *) b)->seq;

	return x < y ? -1 : x > y;
}

/* The events held, oldest first. */
static void
sort_scan(SiddhiWindow *base, SiddhiEventFn fn, void *arg)
{
	SortWindow *w = (SortWindow *) base;
	SortEntry **byage;

	if (w->count == 0)
		return;
	byage = palloc(sizeof(SortEntry *) * w->count);
	for (int64 i = 0; i < w->count; i++)
		byage[i] = &w->items[i];
	qsort(byage, w->count, sizeof(SortEntry *), compare_seq);
	for (int64 i = 0; i < w->count; i++)
		fn(arg, SIDDHI_EVENT_CURRENT, byage[i]->tuple, byage[i]->timestamp);
	pfree(byage);
}

static int64
sort_size(SiddhiWindow *base)
{
	return ((SortWindow *) base)->count;
}

/*
 * Saved: the arrival counter, then the events in the window's order, each
 * with its time, its arrival number, its tuple and its sort values (kept
 * as computed at its arrival, so they are not evaluated again).
 */
static void
sort_serialize(SiddhiWindow *base, StringInfo buf)
{
	SortWindow *w = (SortWindow *) base;

	siddhi_state_put_int64(buf, w->seq);
	siddhi_state_put_int64(buf, w->count);
	for (int64 i = 0; i < w->count; i++)
	{
		SortEntry *e = &w->items[i];

		siddhi_state_put_int64(buf, e->timestamp);
		siddhi_state_put_int64(buf, e->seq);
		siddhi_state_put_tuple(buf, e->tuple);
		for (int k = 0; k < w->nkeys; k++)
			siddhi_state_put_datum(buf, e->values[k], e->isnull[k],
								   w->typlen[k], w->typbyval[k]);
	}
}

static void
sort_restore(SiddhiWindow *base, SiddhiStateReader *r)
{
	SortWindow *w = (SortWindow *) base;
	int64 n;

	w->seq = siddhi_state_get_int64(r);
	n = siddhi_state_get_count(r, 2 * sizeof(int64) + sizeof(int32) +
									  w->nkeys * sizeof(int32));
	if (n > w->length)
		siddhi_state_corrupt(r, "A window holds more events than its length");
	for (int64 i = 0; i < n; i++)
	{
		SortEntry *e = &w->items[i];

		e->timestamp = siddhi_state_get_int64(r);
		e->seq = siddhi_state_get_int64(r);
		if (e->seq < 0 || e->seq >= w->seq)
			siddhi_state_corrupt(r, "An event's arrival number is too high");
		e->tuple = siddhi_state_get_tuple(r, base->cxt);
		e->values = MemoryContextAlloc(base->cxt, sizeof(Datum) * w->nkeys);
		e->isnull = MemoryContextAlloc(base->cxt, sizeof(bool) * w->nkeys);
		w->count++;
		for (int k = 0; k < w->nkeys; k++)
			e->values[k] = siddhi_state_get_datum(
				r, &e->isnull[k], w->typlen[k], w->typbyval[k], base->cxt);
	}
}

const SiddhiWindowOps siddhi_sort_window_ops = {
	.create = sort_create,
	.add = sort_add,
	.scan = sort_scan,
	.size = sort_size,
	.serialize = sort_serialize,
	.restore = sort_restore,
};
