/*-------------------------------------------------------------------------
 *
 * aggregate_state.c
 *	  Epochs (issue 15): the groups of a group map and the state of every
 *	  aggregator in them, as bytes (include/siddhi/state.h), and back.
 *
 * Saved: the number of groups, then each group in the map's order: its key
 * values (in the form the group keeps them: a column grouped by its text
 * as that text), its counters (events, adds, removes: the last two number
 * the events a min/max queue refers to), and per aggregator everything
 * its state holds, whatever the kind (a field a kind does not use is zero):
 * the running count, sum and sum of squares (their bits: a double sum
 * comes back bit for bit), the and/or counts, minForever/maxForever's
 * value, min/max's monotonic queue (sequence and value of each item,
 * oldest first), the distinct values of distinctCount and unionSet (the
 * 64-bit hash of each, its events, unionSet's element), the state of the
 * kinds of aggregate_sql.c and percentile.c (their own formats).
 *
 * Restore rebuilds each group through the map's own lookup, so the hash
 * is computed again by the key columns' hash functions (a saved hash is
 * never trusted), and a key met twice is damage.  No output depends on the
 * map's order (the selector outputs a chunk's groups in the order the
 * chunk met them, and nothing is pending between batches), so the order
 * is kept only to make the bytes of two saves of one state the same.
 *
 * Nothing here emits: restore only fills groups.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "siddhi/percentile.h"
#include "siddhi/state.h"
#include "utils/memutils.h"

#include "aggregate_int.h"

/* A group saved is at least its three counters. */
#define SAVED_GROUP_MIN (3 * (int) sizeof(int64))
/* A queue item: its sequence and value. */
#define SAVED_ITEM_MIN (2 * (int) sizeof(int64))
/* A distinct value: its hash and events. */
#define SAVED_DISTINCT_MIN (2 * (int) sizeof(int64))

bool
siddhi_aggs_can_save(SiddhiAggregates *a)
{
	/* every kind of aggregate.c, aggregate_sql.c and percentile.c can */
	return a != NULL;
}

/* An AggValue's bits, whichever member is in use (stdDev sums doubles of
 * integer arguments). */
static void
put_value(StringInfo buf, AggValue v)
{
	siddhi_state_put_int64(buf, v.i);
}

static AggValue
get_value(SiddhiStateReader *r)
{
	AggValue v;

	v.i = siddhi_state_get_int64(r);
	return v;
}

static void
put_state(SiddhiAggregates *a, int k, AggState *s, StringInfo buf)
{
	SiddhiAggPlan *p = a->plans[k];
	bool with_value = p->kind == SIDDHI_AGG_UNION_SET;

	siddhi_state_put_int64(buf, s->nonnull);
	put_value(buf, s->sum);
	siddhi_state_put_double(buf, s->sumsq);
	siddhi_state_put_int64(buf, s->ntrue);
	siddhi_state_put_int64(buf, s->nfalse);
	siddhi_state_put_bool(buf, s->has_forever);
	put_value(buf, s->forever);
	siddhi_state_put_int64(buf, s->qlen);
	for (int i = 0; i < s->qlen; i++)
	{
		QueueItem *q = &s->queue[(s->qhead + i) % s->qcap];

		siddhi_state_put_int64(buf, q->seq);
		put_value(buf, q->v);
	}
	if (s->distinct == NULL)
		siddhi_state_put_int64(buf, 0);
	else
	{
		HASH_SEQ_STATUS seq;
		DistinctEntry *e;

		siddhi_state_put_int64(buf, hash_get_num_entries(s->distinct));
		hash_seq_init(&seq, s->distinct);
		while ((e = hash_seq_search(&seq)) != NULL)
		{
			siddhi_state_put_int64(buf, e->hash);
			siddhi_state_put_int64(buf, e->events);
			if (with_value)
				siddhi_state_put_datum(buf, e->value, false, a->sets[k].typlen,
									   a->sets[k].byval);
		}
	}
	siddhi_state_put_bool(buf, s->extra != NULL);
	if (s->extra)
		siddhi_aggx_serialize(s->extra, p, &a->sets[k], buf);
	siddhi_state_put_bool(buf, s->percentile != NULL);
	if (s->percentile)
		siddhi_percentile_serialize(s->percentile, p, buf);
}

static void
get_state(SiddhiAggregates *a, int k, AggState *s, SiddhiStateReader *r)
{
	SiddhiAggPlan *p = a->plans[k];
	bool with_value = p->kind == SIDDHI_AGG_UNION_SET;
	int64 n;

	s->nonnull = siddhi_state_get_int64(r);
	s->sum = get_value(r);
	s->sumsq = siddhi_state_get_double(r);
	s->ntrue = siddhi_state_get_int64(r);
	s->nfalse = siddhi_state_get_int64(r);
	s->has_forever = siddhi_state_get_bool(r);
	s->forever = get_value(r);
	n = siddhi_state_get_count(r, SAVED_ITEM_MIN);
	if (n > 0)
	{
		if (n > PG_INT32_MAX / 2)
			siddhi_state_corrupt(r, "A min/max queue is too long");
		s->qcap = Max(8, (int) n);
		s->queue = MemoryContextAlloc(a->cxt, sizeof(QueueItem) * s->qcap);
		s->qhead = 0;
		for (int i = 0; i < n; i++)
		{
			s->queue[i].seq = siddhi_state_get_int64(r);
			s->queue[i].v = get_value(r);
			if (i > 0 && s->queue[i].seq <= s->queue[i - 1].seq)
				siddhi_state_corrupt(r, "A min/max queue is out of order");
			s->qlen++;
		}
	}
	n = siddhi_state_get_count(r, SAVED_DISTINCT_MIN);
	for (int64 i = 0; i < n; i++)
	{
		int64 h = siddhi_state_get_int64(r);
		int64 events = siddhi_state_get_int64(r);
		DistinctEntry *e;
		bool found;

		if (events <= 0)
			siddhi_state_corrupt(r, "A distinct value has no events");
		e = hash_search(siddhi_aggs_distinct_table(a, s), &h, HASH_ENTER,
						&found);
		if (found)
			siddhi_state_corrupt(r, "A distinct value is there twice");
		e->events = events;
		e->value = (Datum) 0;
		if (with_value)
		{
			bool isnull;

			e->value = siddhi_state_get_datum(r, &isnull, a->sets[k].typlen,
											  a->sets[k].byval, a->cxt);
			if (isnull)
				siddhi_state_corrupt(r, "An element of a set is null");
		}
	}
	if (siddhi_state_get_bool(r))
	{
		if (!siddhi_aggx_handles(p->kind))
			siddhi_state_corrupt(r, "An aggregator has state of another kind");
		s->extra = siddhi_aggx_restore(p, &a->sets[k], r, a->cxt);
	}
	if (siddhi_state_get_bool(r))
	{
		if (!SIDDHI_AGG_IS_PERCENTILE(p->kind))
			siddhi_state_corrupt(r, "An aggregator has state of another kind");
		s->percentile = siddhi_percentile_restore(a->cxt, p, r);
	}
}

static void
put_group(SiddhiAggregates *a, SiddhiAggGroup *g, StringInfo buf)
{
	for (int k = 0; k < a->nkeys; k++)
		siddhi_state_put_datum(buf, g->keys[k], g->knulls[k],
							   a->keycols[k].typlen, a->keycols[k].typbyval);
	siddhi_state_put_int64(buf, g->events);
	siddhi_state_put_int64(buf, g->adds);
	siddhi_state_put_int64(buf, g->removes);
	for (int k = 0; k < a->n; k++)
		put_state(a, k, &g->states[k], buf);
}

void
siddhi_aggs_serialize(SiddhiAggregates *a, StringInfo buf)
{
	groupmap_iterator it;
	GroupEntry *e;

	siddhi_state_put_int32(buf, a->nkeys);
	siddhi_state_put_int32(buf, a->n);
	siddhi_state_put_int64(buf, a->groups->members);
	groupmap_start_iterate(a->groups, &it);
	while ((e = groupmap_iterate(a->groups, &it)) != NULL)
		put_group(a, e->group, buf);
}

void
siddhi_aggs_restore(SiddhiAggregates *a, SiddhiStateReader *r)
{
	MemoryContext tmp = AllocSetContextCreate(CurrentMemoryContext,
											  "siddhi aggregates restore",
											  ALLOCSET_SMALL_SIZES);
	Datum *keys = MemoryContextAlloc(tmp, sizeof(Datum) * Max(a->nkeys, 1));
	bool *nulls = MemoryContextAlloc(tmp, sizeof(bool) * Max(a->nkeys, 1));
	int64 n;

	Assert(a->groups->members == 0);
	if (siddhi_state_get_int32(r) != a->nkeys ||
		siddhi_state_get_int32(r) != a->n)
		siddhi_state_corrupt(r, "The groups have another shape");
	n = siddhi_state_get_count(r, SAVED_GROUP_MIN);
	for (int64 i = 0; i < n; i++)
	{
		SiddhiAggGroup *g;
		uint32 before = a->groups->members;

		for (int k = 0; k < a->nkeys; k++)
			keys[k] =
				siddhi_state_get_datum(r, &nulls[k], a->keycols[k].typlen,
									   a->keycols[k].typbyval, tmp);
		/* the map hashes the key again; no limit: the groups were there */
		g = siddhi_aggs_group_kept(a, keys, nulls, true, false);
		if (a->groups->members == before)
			siddhi_state_corrupt(r, "A group is there twice");
		g->events = siddhi_state_get_int64(r);
		g->adds = siddhi_state_get_int64(r);
		g->removes = siddhi_state_get_int64(r);
		for (int k = 0; k < a->n; k++)
			get_state(a, k, &g->states[k], r);
		MemoryContextReset(tmp);
		keys = MemoryContextAlloc(tmp, sizeof(Datum) * Max(a->nkeys, 1));
		nulls = MemoryContextAlloc(tmp, sizeof(bool) * Max(a->nkeys, 1));
	}
	MemoryContextDelete(tmp);
}

void
siddhi_aggs_clear(SiddhiAggregates *a)
{
	groupmap_iterator it;
	GroupEntry *e;
	List *groups = NIL;
	ListCell *lc;

	groupmap_start_iterate(a->groups, &it);
	while ((e = groupmap_iterate(a->groups, &it)) != NULL)
		groups = lappend(groups, e->group);
	foreach(lc, groups)
	{
		SiddhiAggGroup *g = lfirst(lc);

		g->saved = false; /* forgotten, not gone */
		groupmap_delete(a->groups, g->hash);
		siddhi_aggs_group_free(a, g);
	}
	list_free(groups);
	Assert(a->groups->members == 0);
	/* tombstones not saved yet stay: the groups were saved, then went */
}

/*
 * Incremental saves.  A delta is the shape, the keys of the saved groups
 * gone since the last committed save (tombstones), then the groups that
 * changed since (each as siddhi_aggs_serialize writes one).  Restored in
 * order, tombstones first: a group gone and made again is in both.
 */
void
siddhi_aggs_tombstone(SiddhiAggregates *a, SiddhiAggGroup *g)
{
	MemoryContext old = MemoryContextSwitchTo(a->cxt);

	if (a->gone == NULL)
		a->gone = makeStringInfo();
	for (int k = 0; k < a->nkeys; k++)
		siddhi_state_put_datum(a->gone, g->keys[k], g->knulls[k],
							   a->keycols[k].typlen, a->keycols[k].typbyval);
	a->ngone++;
	MemoryContextSwitchTo(old);
}

void
siddhi_aggs_serialize_delta(SiddhiAggregates *a, bool all, StringInfo buf)
{
	groupmap_iterator it;
	GroupEntry *e;
	int64 n = 0;
	int count_at;

	siddhi_state_put_int32(buf, a->nkeys);
	siddhi_state_put_int32(buf, a->n);
	siddhi_state_put_int64(buf, all ? 0 : a->ngone);
	if (!all && a->ngone > 0)
		appendBinaryStringInfo(buf, a->gone->data, a->gone->len);
	count_at = buf->len;
	siddhi_state_put_int64(buf, 0); /* the groups: counted below */
	groupmap_start_iterate(a->groups, &it);
	while ((e = groupmap_iterate(a->groups, &it)) != NULL)
	{
		if (!all && !e->group->dirty)
			continue;
		put_group(a, e->group, buf);
		n++;
	}
	memcpy(buf->data + count_at, &n, sizeof(n));
}

/* The save committed: every group is in a saved part, none changed since. */
void
siddhi_aggs_delta_saved(SiddhiAggregates *a)
{
	groupmap_iterator it;
	GroupEntry *e;

	groupmap_start_iterate(a->groups, &it);
	while ((e = groupmap_iterate(a->groups, &it)) != NULL)
	{
		e->group->dirty = false;
		e->group->saved = true;
	}
	if (a->gone)
		resetStringInfo(a->gone);
	a->ngone = 0;
}

/*
 * Read a saved key into keys/nulls (values in tmp) and drop the group of
 * that key, if there is one (restoring it: no tombstone).
 */
static void
drop_saved_key(SiddhiAggregates *a, SiddhiStateReader *r, Datum *keys,
			   bool *nulls, MemoryContext tmp)
{
	SiddhiAggGroup *g;

	for (int k = 0; k < a->nkeys; k++)
		keys[k] = siddhi_state_get_datum(r, &nulls[k], a->keycols[k].typlen,
										 a->keycols[k].typbyval, tmp);
	g = siddhi_aggs_group_kept(a, keys, nulls, false, false);
	if (g)
	{
		g->saved = false;
		groupmap_delete(a->groups, g->hash);
		siddhi_aggs_group_free(a, g);
	}
}

void
siddhi_aggs_restore_delta(SiddhiAggregates *a, SiddhiStateReader *r)
{
	MemoryContext tmp = AllocSetContextCreate(CurrentMemoryContext,
											  "siddhi aggregates restore",
											  ALLOCSET_SMALL_SIZES);
	Datum *keys = palloc(sizeof(Datum) * Max(a->nkeys, 1));
	bool *nulls = palloc(sizeof(bool) * Max(a->nkeys, 1));
	int64 n;

	if (siddhi_state_get_int32(r) != a->nkeys ||
		siddhi_state_get_int32(r) != a->n)
		siddhi_state_corrupt(r, "The groups have another shape");
	/* tombstones: a saved group gone (one already gone is no damage) */
	n = siddhi_state_get_count(r, (int) sizeof(int32));
	for (int64 i = 0; i < n; i++)
	{
		drop_saved_key(a, r, keys, nulls, tmp);
		MemoryContextReset(tmp);
	}
	/* the groups that changed: each replaces the one saved before */
	n = siddhi_state_get_count(r, SAVED_GROUP_MIN);
	for (int64 i = 0; i < n; i++)
	{
		SiddhiAggGroup *g;

		drop_saved_key(a, r, keys, nulls, tmp);
		g = siddhi_aggs_group_kept(a, keys, nulls, true, false);
		g->events = siddhi_state_get_int64(r);
		g->adds = siddhi_state_get_int64(r);
		g->removes = siddhi_state_get_int64(r);
		for (int k = 0; k < a->n; k++)
			get_state(a, k, &g->states[k], r);
		g->dirty = false;
		g->saved = true;
		MemoryContextReset(tmp);
	}
	MemoryContextDelete(tmp);
	pfree(keys);
	pfree(nulls);
}

/* Every group changed since the last save, and in a saved part or not. */
void
siddhi_aggs_mark_all(SiddhiAggregates *a, bool saved)
{
	groupmap_iterator it;
	GroupEntry *e;

	groupmap_start_iterate(a->groups, &it);
	while ((e = groupmap_iterate(a->groups, &it)) != NULL)
	{
		e->group->dirty = true;
		e->group->saved = saved;
	}
}

Size
siddhi_aggs_memory(SiddhiAggregates *a)
{
	return MemoryContextMemAllocated(a->cxt, true);
}
