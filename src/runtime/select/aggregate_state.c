/*-------------------------------------------------------------------------
 *
 * aggregate_state.c
 *	  Epochs (issue 15): the groups of a group map and the state of every
 *	  aggregator in them, as bytes (include/siddhi/state.h), and back.
 *
 * Saved: the number of groups, then each group in the map's order: its key
 * values (in the form the group keeps them: a column grouped by its text
 * as that text), its counters (events, adds, removes, varints: the last
 * two number the events a min/max queue refers to), and per aggregator a
 * flags byte saying which of its state's fields are not zero, then those
 * (F_* below): the running count, sum and sum of squares (their bits: a
 * double sum comes back bit for bit), the and/or counts,
 * minForever/maxForever's value, min/max's monotonic queue (sequence and
 * value of each item, oldest first), the distinct values of distinctCount
 * and unionSet (the 64-bit hash of each, its events, unionSet's element),
 * the state of the kinds of aggregate_sql.c and percentile.c (their own
 * formats).
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

/* A group saved is at least its three counters (a byte each). */
#define SAVED_GROUP_MIN 3
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

/*
 * Which of an aggregator's fields follow its flags byte (the others are
 * zero): most aggregators use two or three of them, and a save of 100,000
 * groups wrote every field of every one.
 */
#define F_NONNULL 0x01 /* its count, varint */
#define F_SUM 0x02	   /* its sum's bits */
#define F_SUMSQ 0x04   /* its sum of squares' bits */
#define F_ANDOR 0x08   /* its and/or counts, varints */
#define F_FOREVER 0x10 /* minForever/maxForever: the flag, the value */
#define F_QUEUE 0x20   /* min/max's queue: its length, its items */
#define F_REST 0x40	   /* the distinct values, SQL's and percentiles' */
#define F_ALL 0x7F

/* The fixed part of a state or group: at most this many bytes. */
#define SCALARS_MAX 64

static inline char *
scalars_begin(StringInfo buf)
{
	enlargeStringInfo(buf, SCALARS_MAX);
	return buf->data + buf->len;
}

static inline void
scalars_end(StringInfo buf, char *p)
{
	buf->len = p - buf->data;
	buf->data[buf->len] = '\0';
}

static void
put_state(SiddhiAggregates *a, int k, AggState *s, StringInfo buf)
{
	SiddhiAggPlan *p = a->plans[k];
	bool with_value = p->kind == SIDDHI_AGG_UNION_SET;
	uint8 flags = 0;
	char *w;

	AggPart part = agg_part(p->kind);
	HTAB *distinct = part == AGG_PART_DISTINCT ? s->distinct : NULL;
	SiddhiAggExtra *extra = part == AGG_PART_EXTRA ? s->extra : NULL;
	void *percentile = part == AGG_PART_PERCENTILE ? s->percentile : NULL;

	if (s->nonnull != 0)
		flags |= F_NONNULL;
	if (s->sum.i != 0)
		flags |= F_SUM;
	/* of the union, only the kind's own member */
	if (part == AGG_PART_SUMSQ &&
		memcmp(&s->sumsq, &(double){ 0 }, sizeof(double)) != 0)
		flags |= F_SUMSQ;
	if (part == AGG_PART_ANDOR && (s->ntrue != 0 || s->nfalse != 0))
		flags |= F_ANDOR;
	if (part == AGG_PART_FOREVER && (s->has_forever || s->forever.i != 0))
		flags |= F_FOREVER;
	if (part == AGG_PART_QUEUE && s->qlen > 0)
		flags |= F_QUEUE;
	if (distinct != NULL || extra != NULL || percentile != NULL)
		flags |= F_REST;

	w = scalars_begin(buf);
	*w++ = (char) flags;
	if (flags & F_NONNULL)
		w += siddhi_state_varint_at(w, s->nonnull);
	if (flags & F_SUM)
	{
		memcpy(w, &s->sum.i, sizeof(int64));
		w += sizeof(int64);
	}
	if (flags & F_SUMSQ)
	{
		memcpy(w, &s->sumsq, sizeof(double));
		w += sizeof(double);
	}
	if (flags & F_ANDOR)
	{
		w += siddhi_state_varint_at(w, s->ntrue);
		w += siddhi_state_varint_at(w, s->nfalse);
	}
	if (flags & F_FOREVER)
	{
		*w++ = s->has_forever ? 1 : 0;
		memcpy(w, &s->forever.i, sizeof(int64));
		w += sizeof(int64);
	}
	scalars_end(buf, w);

	if (flags & F_QUEUE)
	{
		siddhi_state_put_int64(buf, s->qlen);
		for (int i = 0; i < s->qlen; i++)
		{
			QueueItem *q = &s->queue[(s->qhead + i) % s->qcap];

			siddhi_state_put_int64(buf, q->seq);
			put_value(buf, q->v);
		}
	}
	if (!(flags & F_REST))
		return;
	if (distinct == NULL)
		siddhi_state_put_int64(buf, 0);
	else
	{
		HASH_SEQ_STATUS seq;
		DistinctEntry *e;

		siddhi_state_put_int64(buf, hash_get_num_entries(distinct));
		hash_seq_init(&seq, distinct);
		while ((e = hash_seq_search(&seq)) != NULL)
		{
			siddhi_state_put_int64(buf, e->hash);
			siddhi_state_put_int64(buf, e->events);
			if (with_value)
				siddhi_state_put_datum(buf, e->value, e->isnull,
									   a->sets[k].typlen, a->sets[k].byval);
		}
	}
	siddhi_state_put_bool(buf, extra != NULL);
	if (extra)
		siddhi_aggx_serialize(extra, p, &a->sets[k], buf);
	siddhi_state_put_bool(buf, percentile != NULL);
	if (percentile)
		siddhi_percentile_serialize(percentile, p, buf);
}

static void
get_state(SiddhiAggregates *a, int k, AggState *s, SiddhiStateReader *r)
{
	SiddhiAggPlan *p = a->plans[k];
	bool with_value = p->kind == SIDDHI_AGG_UNION_SET;
	uint8 flags = siddhi_state_get_byte(r);
	int64 n = 0;

	AggPart part = agg_part(p->kind);

	if (flags & ~F_ALL)
		siddhi_state_corrupt(r, "An aggregator's flags are unknown");
	/* the fields of the union are the kind's own (saves before the union
	 * wrote only those: the others were zero) */
	if (((flags & F_SUMSQ) && part != AGG_PART_SUMSQ) ||
		((flags & F_ANDOR) && part != AGG_PART_ANDOR) ||
		((flags & F_FOREVER) && part != AGG_PART_FOREVER) ||
		((flags & F_QUEUE) && part != AGG_PART_QUEUE))
		siddhi_state_corrupt(r, "An aggregator has state of another kind");
	if (flags & F_NONNULL)
		s->nonnull = siddhi_state_get_varint(r);
	if (flags & F_SUM)
		s->sum = get_value(r);
	if (flags & F_SUMSQ)
		s->sumsq = siddhi_state_get_double(r);
	if (flags & F_ANDOR)
	{
		s->ntrue = siddhi_state_get_varint(r);
		s->nfalse = siddhi_state_get_varint(r);
	}
	if (flags & F_FOREVER)
	{
		s->has_forever = siddhi_state_get_bool(r);
		s->forever = get_value(r);
	}
	if (flags & F_QUEUE)
	{
		n = siddhi_state_get_count(r, SAVED_ITEM_MIN);
		if (n == 0)
			siddhi_state_corrupt(r, "A min/max queue is empty");
	}
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
	if (!(flags & F_REST))
		return;
	n = siddhi_state_get_count(r, SAVED_DISTINCT_MIN);
	for (int64 i = 0; i < n; i++)
	{
		int64 h = siddhi_state_get_int64(r);
		int64 events = siddhi_state_get_int64(r);
		DistinctEntry *e;
		bool found;

		if (events <= 0)
			siddhi_state_corrupt(r, "A distinct value has no events");
		if (part != AGG_PART_DISTINCT)
			siddhi_state_corrupt(r, "An aggregator has state of another kind");
		e = hash_search(siddhi_aggs_distinct_table(a, s), &h, HASH_ENTER,
						&found);
		if (found)
			siddhi_state_corrupt(r, "A distinct value is there twice");
		e->events = events;
		e->value = (Datum) 0;
		e->isnull = false;
		if (with_value)
			e->value = siddhi_state_get_datum(r, &e->isnull, a->sets[k].typlen,
											  a->sets[k].byval, a->cxt);
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
	char *w;

	for (int k = 0; k < a->nkeys; k++)
		siddhi_state_put_datum(buf, group_keys(a, g)[k], group_knulls(a, g)[k],
							   a->keycols[k].typlen, a->keycols[k].typbyval);
	w = scalars_begin(buf);
	w += siddhi_state_varint_at(w, g->events);
	w += siddhi_state_varint_at(w, g->adds);
	w += siddhi_state_varint_at(w, g->removes);
	scalars_end(buf, w);
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
		g->events = siddhi_state_get_varint(r);
		g->adds = siddhi_state_get_varint(r);
		g->removes = siddhi_state_get_varint(r);
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
	List *groups = siddhi_aggs_group_list(a);
	ListCell *lc;

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
		siddhi_state_put_datum(a->gone, group_keys(a, g)[k],
							   group_knulls(a, g)[k], a->keycols[k].typlen,
							   a->keycols[k].typbyval);
	a->ngone++;
	MemoryContextSwitchTo(old);
}

/*
 * A pass that reads every group (a save) waits on memory for nearly each
 * one: the map's entries are one array, but each group is a chunk of its
 * own, and on 100,000 groups those waits were most of a save.  So such a
 * pass takes the groups in the map's order into an array first, and asks
 * for each group's memory a few places before it reads it: its struct
 * AHEAD places on, then (the struct being there by then) its key arrays,
 * then its keys' values.
 */
#define AHEAD 16

#if defined(__GNUC__) || defined(__clang__)
#define prefetch(p) __builtin_prefetch(p)
#else
#define prefetch(p) ((void) (p))
#endif

static SiddhiAggGroup **
groups_in_order(SiddhiAggregates *a, int64 *n)
{
	SiddhiAggGroup **groups =
		palloc(sizeof(SiddhiAggGroup *) * Max(a->groups->members, 1));
	groupmap_iterator it;
	GroupEntry *e;
	int64 i = 0;

	groupmap_start_iterate(a->groups, &it);
	while ((e = groupmap_iterate(a->groups, &it)) != NULL)
		groups[i++] = e->group;
	*n = i;
	return groups;
}

static inline void
prefetch_ahead(SiddhiAggregates *a, SiddhiAggGroup **groups, int64 i, int64 n,
			   bool whole)
{
	if (i + AHEAD < n)
	{
		char *g = (char *) groups[i + AHEAD];
		/* (the whole piece holds the key's values and nulls too) */
		Size size = whole ? a->group_size : offsetof(SiddhiAggGroup, marks);

		for (Size off = 0; off < size; off += 64)
			prefetch(g + off);
	}
	if (whole && i + AHEAD / 4 < n)
	{
		SiddhiAggGroup *g = groups[i + AHEAD / 4];

		for (int k = 0; k < a->nkeys; k++)
			if (!a->keycols[k].typbyval && !group_knulls(a, g)[k])
				prefetch(DatumGetPointer(group_keys(a, g)[k]));
	}
}

void
siddhi_aggs_serialize_delta(SiddhiAggregates *a, bool all, StringInfo buf)
{
	SiddhiAggGroup **groups;
	int64 ngroups;
	int64 n = 0;
	int count_at;

	siddhi_state_put_int32(buf, a->nkeys);
	siddhi_state_put_int32(buf, a->n);
	siddhi_state_put_int64(buf, all ? 0 : a->ngone);
	if (!all && a->ngone > 0)
		appendBinaryStringInfo(buf, a->gone->data, a->gone->len);
	count_at = buf->len;
	siddhi_state_put_int64(buf, 0); /* the groups: counted below */
	groups = groups_in_order(a, &ngroups);
	for (int64 i = 0; i < ngroups; i++)
	{
		prefetch_ahead(a, groups, i, ngroups, true);
		if (!all && !groups[i]->dirty)
			continue;
		put_group(a, groups[i], buf);
		n++;
	}
	pfree(groups);
	memcpy(buf->data + count_at, &n, sizeof(n));
}

/* The save committed: every group is in a saved part, none changed since. */
void
siddhi_aggs_delta_saved(SiddhiAggregates *a)
{
	int64 n;
	SiddhiAggGroup **groups = groups_in_order(a, &n);

	for (int64 i = 0; i < n; i++)
	{
		prefetch_ahead(a, groups, i, n, false);
		groups[i]->dirty = false;
		groups[i]->saved = true;
	}
	pfree(groups);
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
		g->events = siddhi_state_get_varint(r);
		g->adds = siddhi_state_get_varint(r);
		g->removes = siddhi_state_get_varint(r);
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
