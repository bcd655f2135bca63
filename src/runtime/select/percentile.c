/*-------------------------------------------------------------------------
 *
 * percentile.c
 *	  Percentiles per group: exact over a window, approximate without one.
 *
 * A query over a window (one that expires its events: length, time,
 * batches, externalTime, sort, session, ...) keeps every value of the
 * group's window in an order-statistics structure: sorted blocks of at
 * most BLOCK_CAP doubles, found by binary search over the blocks' last
 * values.  An arrival or an expiry costs a binary search and a memmove
 * within one block, O(log n + BLOCK_CAP); reading the value of rank k
 * walks the blocks' sizes, O(n / BLOCK_CAP), so an emission never sorts.
 * The result is PostgreSQL's: percentile_cont interpolates linearly
 * between the values of ranks floor and ceil of p (n - 1), percentile_disc
 * is the value of rank ceil(p n) (1-based), nulls are ignored, NaN sorts
 * above every number.  Memory: 8 bytes a value held, plus a block header
 * per block; the window bounds it (it holds the events anyway).
 *
 * A query without a window never sees its events leave: its groups keep
 * a DDSketch instead (src/common/ddsketch.c): relative error at most 1 %,
 * at most 32 KB a group.
 *
 * Values are doubles: integers beyond 2^53 lose their last bits.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "catalog/pg_type.h"
#include "siddhi/datum_num.h"
#include "siddhi/ddsketch.h"
#include "siddhi/percentile.h"
#include "utils/memutils.h"

#define BLOCK_CAP 512
#define BLOCK_HALF (BLOCK_CAP / 2)

typedef struct OsBlock
{
	int n;
	int cap;						 /* grows by doubling up to BLOCK_CAP */
	double v[FLEXIBLE_ARRAY_MEMBER]; /* ascending */
} OsBlock;

#define BLOCK_SIZE(cap) (offsetof(OsBlock, v) + sizeof(double) * (cap))

/* The values of a window, in order: blocks none of which is empty. */
typedef struct OrderStat
{
	MemoryContext cxt;
	int nblocks;
	int capblocks;
	OsBlock **blocks;
	int64 count;
} OrderStat;

/* Compare as PostgreSQL sorts float8: NaN above everything, NaN = NaN. */
static inline int
cmp_double(double a, double b)
{
	if (isnan(a))
		return isnan(b) ? 0 : 1;
	if (isnan(b))
		return -1;
	return a < b ? -1 : a > b ? 1 : 0;
}

/* The first block whose last value is >= x, else the last block. */
static int
os_find_block(OrderStat *o, double x)
{
	int lo = 0, hi = o->nblocks - 1;

	while (lo < hi)
	{
		int mid = (lo + hi) / 2;
		OsBlock *b = o->blocks[mid];

		if (cmp_double(b->v[b->n - 1], x) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* First index in b whose value is > x (upper) or >= x (!upper). */
static int
os_bound(OsBlock *b, double x, bool upper)
{
	int lo = 0, hi = b->n;

	while (lo < hi)
	{
		int mid = (lo + hi) / 2;
		int c = cmp_double(b->v[mid], x);

		if (c < 0 || (upper && c == 0))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Put block nb at index i of the block list. */
static void
os_insert_block(OrderStat *o, int i, OsBlock *nb)
{
	if (o->nblocks == o->capblocks)
	{
		o->capblocks = Max(8, o->capblocks * 2);
		o->blocks =
			o->blocks
				? repalloc(o->blocks, sizeof(OsBlock *) * o->capblocks)
				: MemoryContextAlloc(o->cxt, sizeof(OsBlock *) * o->capblocks);
	}
	memmove(&o->blocks[i + 1], &o->blocks[i],
			sizeof(OsBlock *) * (o->nblocks - i));
	o->blocks[i] = nb;
	o->nblocks++;
}

static void
os_delete_block(OrderStat *o, int i)
{
	pfree(o->blocks[i]);
	memmove(&o->blocks[i], &o->blocks[i + 1],
			sizeof(OsBlock *) * (o->nblocks - i - 1));
	o->nblocks--;
}

/* Block i with room for need values (need <= BLOCK_CAP). */
static OsBlock *
os_reserve(OrderStat *o, int i, int need)
{
	OsBlock *b = o->blocks[i];

	if (b->cap < need)
	{
		while (b->cap < need)
			b->cap = Min(b->cap * 2, BLOCK_CAP);
		b = o->blocks[i] = repalloc(b, BLOCK_SIZE(b->cap));
	}
	return b;
}

static void
os_insert(OrderStat *o, double x)
{
	OsBlock *b;
	int i, pos;

	if (o->nblocks == 0)
	{
		b = MemoryContextAlloc(o->cxt, BLOCK_SIZE(8));
		b->n = 0;
		b->cap = 8;
		os_insert_block(o, 0, b);
	}
	i = os_find_block(o, x);
	b = o->blocks[i];
	pos = os_bound(b, x, true);
	/* a small group's block starts small */
	if (b->n < BLOCK_CAP)
		b = os_reserve(o, i, b->n + 1);
	if (b->n == BLOCK_CAP)
	{
		/* split: the upper half moves to a new block after this one */
		OsBlock *nb = MemoryContextAlloc(o->cxt, BLOCK_SIZE(BLOCK_CAP));

		nb->cap = BLOCK_CAP;
		nb->n = BLOCK_CAP - BLOCK_HALF;
		memcpy(nb->v, &b->v[BLOCK_HALF], sizeof(double) * nb->n);
		b->n = BLOCK_HALF;
		os_insert_block(o, i + 1, nb);
		if (pos > BLOCK_HALF)
		{
			b = nb;
			pos -= BLOCK_HALF;
		}
	}
	memmove(&b->v[pos + 1], &b->v[pos], sizeof(double) * (b->n - pos));
	b->v[pos] = x;
	b->n++;
	o->count++;
}

static void
os_remove(OrderStat *o, double x)
{
	OsBlock *b;
	int i, pos;

	if (o->nblocks == 0)
		return;
	i = os_find_block(o, x);
	b = o->blocks[i];
	pos = os_bound(b, x, false);
	if (pos >= b->n || cmp_double(b->v[pos], x) != 0)
	{
		Assert(false); /* every removal was an addition */
		return;
	}
	memmove(&b->v[pos], &b->v[pos + 1], sizeof(double) * (b->n - pos - 1));
	b->n--;
	o->count--;
	/* keep blocks at least a quarter full (so the walk stays short) */
	if (b->n == 0)
		os_delete_block(o, i);
	else if (i + 1 < o->nblocks && b->n + o->blocks[i + 1]->n <= BLOCK_HALF)
	{
		OsBlock *next = o->blocks[i + 1];

		b = os_reserve(o, i, b->n + next->n);
		memcpy(&b->v[b->n], next->v, sizeof(double) * next->n);
		b->n += next->n;
		os_delete_block(o, i + 1);
	}
	else if (i > 0 && o->blocks[i - 1]->n + b->n <= BLOCK_HALF)
	{
		OsBlock *prev = os_reserve(o, i - 1, o->blocks[i - 1]->n + b->n);

		memcpy(&prev->v[prev->n], b->v, sizeof(double) * b->n);
		prev->n += b->n;
		os_delete_block(o, i);
	}
}

/* The value of rank k (0-based), k < count. */
static double
os_kth(OrderStat *o, int64 k)
{
	for (int i = 0; i < o->nblocks; i++)
	{
		if (k < o->blocks[i]->n)
			return o->blocks[i]->v[k];
		k -= o->blocks[i]->n;
	}
	elog(ERROR, "percentile rank out of range");
	return 0;
}

/* percentile_disc's value: back in the argument's type. */
static Datum
double_datum(double v, Oid type)
{
	switch (type)
	{
		case INT2OID:
			return Int16GetDatum((int16) v);
		case INT4OID:
			return Int32GetDatum((int32) v);
		case INT8OID:
			return Int64GetDatum((int64) v);
		case FLOAT4OID:
			return Float4GetDatum((float4) v);
		default:
			return Float8GetDatum(v);
	}
}

void
siddhi_percentile_update(MemoryContext cxt, void **state,
						 const SiddhiAggPlan *p, Datum value, bool add)
{
	double x = siddhi_datum_double(value, p->argtype);

	if (p->approximate)
	{
		if (*state == NULL)
		{
			MemoryContext old = MemoryContextSwitchTo(cxt);

			*state = siddhi_ddsketch_create();
			MemoryContextSwitchTo(old);
		}
		if (add)
		{
			/* the sketch may grow its buckets: in the group's context */
			MemoryContext old = MemoryContextSwitchTo(cxt);

			siddhi_ddsketch_add(*state, x);
			MemoryContextSwitchTo(old);
		}
		else
			siddhi_ddsketch_remove(*state, x);
		return;
	}
	if (*state == NULL)
	{
		OrderStat *o = MemoryContextAllocZero(cxt, sizeof(OrderStat));

		o->cxt = cxt;
		*state = o;
	}
	if (add)
		os_insert(*state, x);
	else
		os_remove(*state, x);
}

bool
siddhi_percentile_value(void *state, const SiddhiAggPlan *p, Datum *result)
{
	bool disc = p->kind == SIDDHI_AGG_PERCENTILE_DISC;
	OrderStat *o = state;
	int64 n;
	double v;

	if (state == NULL)
		return false;
	if (p->approximate)
	{
		SiddhiDDSketch *s = state;

		if (s->count == 0)
			return false;
		v = siddhi_ddsketch_quantile(
			s, p->descending ? 1 - p->fraction : p->fraction, disc);
		*result = disc ? double_datum(v, p->resulttype) : Float8GetDatum(v);
		return true;
	}
	n = o->count;
	if (n == 0)
		return false;
	if (disc)
	{
		int64 rownum = (int64) ceil(p->fraction * (double) n);

		rownum = Max(1, Min(rownum, n));
		v = os_kth(o, p->descending ? n - rownum : rownum - 1);
		*result = double_datum(v, p->resulttype);
	}
	else
	{
		double pos = p->fraction * (double) (n - 1);
		int64 lo = (int64) floor(pos);
		int64 hi = (int64) ceil(pos);

		v = os_kth(o, lo);
		if (hi != lo && pos != (double) lo)
		{
			double w = os_kth(o, hi);

			v = v + (w - v) * (pos - (double) lo);
		}
		*result = Float8GetDatum(v);
	}
	return true;
}

void
siddhi_percentile_free(void *state, const SiddhiAggPlan *p)
{
	OrderStat *o = state;

	if (state == NULL)
		return;
	if (p->approximate)
	{
		siddhi_ddsketch_free(state);
		return;
	}
	for (int i = 0; i < o->nblocks; i++)
		pfree(o->blocks[i]);
	if (o->blocks)
		pfree(o->blocks);
	pfree(o);
}

/*
 * Epochs.  Exact: the count, then every value in ascending order (the
 * blocks are rebuilt half full; their layout changes nothing but speed).
 * A sketch: every field and each store's whole bucket range with its
 * empty buckets, so that later growth and collapsing go exactly as they
 * would have (ddsketch.c's compact form keeps only non-empty buckets).
 */
#define SAVED_KEY_LIMIT (1 << 21)

static void
put_store(StringInfo buf, const SiddhiDDStore *s)
{
	siddhi_state_put_int32(buf, s->offset);
	siddhi_state_put_bool(buf, s->collapsed);
	siddhi_state_put_bytes(buf, s->counts, (int) (sizeof(uint64) * s->n));
}

static uint64
get_store(SiddhiStateReader *r, SiddhiDDStore *s, uint64 total)
{
	int len;
	const char *p;

	s->offset = siddhi_state_get_int32(r);
	s->collapsed = siddhi_state_get_bool(r);
	p = siddhi_state_get_bytes(r, &len);
	/* keys of doubles lie within about +-37,300 (ddsketch.c) */
	if (len % sizeof(uint64) != 0 ||
		len / (int) sizeof(uint64) > SIDDHI_DDSKETCH_MAX_BUCKETS ||
		s->offset > SAVED_KEY_LIMIT || s->offset < -SAVED_KEY_LIMIT)
		siddhi_state_corrupt(r, "A sketch's buckets are out of range");
	s->n = s->cap = len / sizeof(uint64);
	if (s->n > 0)
	{
		s->counts = palloc(len);
		memcpy(s->counts, p, len);
	}
	for (int i = 0; i < s->n; i++)
	{
		if (total + s->counts[i] < total)
			siddhi_state_corrupt(r, "A sketch's counts overflow");
		total += s->counts[i];
	}
	return total;
}

void
siddhi_percentile_serialize(void *state, const SiddhiAggPlan *p,
							StringInfo buf)
{
	if (p->approximate)
	{
		SiddhiDDSketch *s = state;

		siddhi_state_put_int64(buf, (int64) s->zeros);
		siddhi_state_put_int64(buf, (int64) s->pos_inf);
		siddhi_state_put_int64(buf, (int64) s->neg_inf);
		siddhi_state_put_int64(buf, (int64) s->nans);
		siddhi_state_put_int64(buf, (int64) s->count);
		siddhi_state_put_double(buf, s->min);
		siddhi_state_put_double(buf, s->max);
		put_store(buf, &s->pos);
		put_store(buf, &s->neg);
	}
	else
	{
		OrderStat *o = state;

		siddhi_state_put_int64(buf, o->count);
		for (int i = 0; i < o->nblocks; i++)
			for (int j = 0; j < o->blocks[i]->n; j++)
				siddhi_state_put_double(buf, o->blocks[i]->v[j]);
	}
}

void *
siddhi_percentile_restore(MemoryContext cxt, const SiddhiAggPlan *p,
						  SiddhiStateReader *r)
{
	MemoryContext old = MemoryContextSwitchTo(cxt);

	if (p->approximate)
	{
		SiddhiDDSketch *s = siddhi_ddsketch_create();
		uint64 total;

		s->zeros = (uint64) siddhi_state_get_int64(r);
		s->pos_inf = (uint64) siddhi_state_get_int64(r);
		s->neg_inf = (uint64) siddhi_state_get_int64(r);
		s->nans = (uint64) siddhi_state_get_int64(r);
		s->count = (uint64) siddhi_state_get_int64(r);
		s->min = siddhi_state_get_double(r);
		s->max = siddhi_state_get_double(r);
		total = get_store(r, &s->pos, 0);
		total = get_store(r, &s->neg, total);
		total += s->zeros + s->pos_inf + s->neg_inf + s->nans;
		if (total != s->count || s->zeros > s->count ||
			s->pos_inf > s->count || s->neg_inf > s->count ||
			s->nans > s->count)
			siddhi_state_corrupt(r, "A sketch's counts do not add up");
		MemoryContextSwitchTo(old);
		return s;
	}
	else
	{
		OrderStat *o = palloc0(sizeof(OrderStat));
		int64 n = siddhi_state_get_count(r, sizeof(double));
		double prev = 0;

		o->cxt = cxt;
		for (int64 i = 0; i < n; i++)
		{
			double x = siddhi_state_get_double(r);
			OsBlock *b;

			if (i > 0 && cmp_double(prev, x) > 0)
				siddhi_state_corrupt(r, "A group's values are out of order");
			prev = x;
			if (o->nblocks == 0 || o->blocks[o->nblocks - 1]->n == BLOCK_HALF)
			{
				b = palloc(BLOCK_SIZE(BLOCK_CAP));
				b->n = 0;
				b->cap = BLOCK_CAP;
				os_insert_block(o, o->nblocks, b);
			}
			b = o->blocks[o->nblocks - 1];
			b->v[b->n++] = x;
			o->count++;
		}
		MemoryContextSwitchTo(old);
		return o;
	}
}
