/*-------------------------------------------------------------------------
 *
 * ddsketch.c
 *	  Approximate percentiles: a DDSketch (Masson, Rim and Lee, "DDSketch:
 *	  a fast and fully-mergeable quantile sketch with relative-error
 *	  guarantees", VLDB 2019), written for this engine.
 *
 * A positive x falls in the bucket of key k = ceil(log_gamma(x)), with
 * gamma = (1 + alpha) / (1 - alpha): bucket k holds (gamma^(k-1),
 * gamma^k], and its representative 2 gamma^k / (gamma + 1) is within a
 * relative distance alpha of every value in it.  Negative values use a
 * second store keyed by -x; zeros, infinities and NaNs are counted apart.
 * A sketch is a histogram of counts, so two sketches merge by adding
 * counts, exactly, in any order: a merged sketch is the sketch of all the
 * values (which is what makes rollups of aggregations correct).  A removal
 * lowers its bucket's count.
 *
 * The guarantee: let v be the value of rank r (0-based, ascending) among
 * the values added.  The sketch's value for rank r is within alpha |v| of
 * v.  percentile_cont interpolates between the values of two neighbouring
 * ranks; when they have the same sign the interpolated estimate is within
 * alpha times the exact percentile_cont (the bound is a convex combination
 * of the two).  Estimates are also clamped to the least and greatest
 * value added.  The guarantee holds while no bucket was collapsed: each
 * store keeps at most SIDDHI_DDSKETCH_MAX_BUCKETS consecutive keys, and
 * when values span more (a magnitude ratio above gamma^MAX, about 6e17
 * for alpha = 1 %) the smallest magnitudes are folded into the lowest
 * kept bucket.  Memory: at most 2 * MAX_BUCKETS * 8 bytes (32 KB), in
 * practice a few hundred buckets; serialized, a few bytes a non-empty
 * bucket.
 *
 * Plain C over palloc: no catalog access.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "siddhi/ddsketch.h"
#include "utils/float.h"

/* slack added when a store grows, so that growth is amortized */
#define STORE_SLACK 32

/* keys of doubles lie within about +-37,300 for alpha = 1 % */
#define KEY_LIMIT (1 << 20)

#define FORMAT_VERSION 1

static double ln_gamma_cached = 0;

static double
ln_gamma(void)
{
	if (ln_gamma_cached == 0)
		ln_gamma_cached =
			log((1 + SIDDHI_DDSKETCH_ALPHA) / (1 - SIDDHI_DDSKETCH_ALPHA));
	return ln_gamma_cached;
}

/* The bucket of a finite x > 0. */
static int32
key_of(double x)
{
	return (int32) ceil(log(x) / ln_gamma());
}

/* The representative of bucket k. */
static double
value_of(int32 k)
{
	double g = exp(ln_gamma());

	return 2 * exp(k * ln_gamma()) / (g + 1);
}

SiddhiDDSketch *
siddhi_ddsketch_create(void)
{
	SiddhiDDSketch *s = palloc0(sizeof(SiddhiDDSketch));

	s->min = get_float8_infinity();
	s->max = -get_float8_infinity();
	return s;
}

void
siddhi_ddsketch_free(SiddhiDDSketch *s)
{
	if (s->pos.counts)
		pfree(s->pos.counts);
	if (s->neg.counts)
		pfree(s->neg.counts);
	pfree(s);
}

/*
 * Make the store cover key, growing it by some slack, and folding the
 * lowest keys into one when it would span more than MAX_BUCKETS keys.
 * Returns the index of key's bucket (of the lowest one when key was
 * folded).
 */
static int
store_cover(SiddhiDDStore *s, int32 key)
{
	int64 lo, hi, want_lo, want_hi;
	uint64 *counts;
	int n;

	if (s->n > 0 && key >= s->offset && key < s->offset + s->n)
		return key - s->offset;
	if (s->n == 0)
	{
		lo = hi = key;
		want_lo = key - STORE_SLACK;
		want_hi = key + STORE_SLACK;
	}
	else
	{
		lo = s->offset;
		hi = (int64) s->offset + s->n - 1;
		want_lo = Min(lo, key);
		want_hi = Max(hi, key);
		if (key < lo)
			want_lo = key - STORE_SLACK;
		else if (key > hi)
			want_hi = key + STORE_SLACK;
	}
	/* too wide: keep the highest keys, the slack first to go */
	if (want_hi - want_lo + 1 > SIDDHI_DDSKETCH_MAX_BUCKETS)
	{
		if (key > hi || s->n == 0)
			want_hi = Max(key, hi);
		if (want_hi - want_lo + 1 > SIDDHI_DDSKETCH_MAX_BUCKETS)
			want_lo = want_hi - SIDDHI_DDSKETCH_MAX_BUCKETS + 1;
	}
	n = (int) (want_hi - want_lo + 1);
	counts = palloc0(sizeof(uint64) * n);
	for (int i = 0; i < s->n; i++)
	{
		int64 k = (int64) s->offset + i;

		if (s->counts[i] == 0)
			continue;
		if (k < want_lo)
		{
			counts[0] += s->counts[i];
			s->collapsed = true;
		}
		else
			counts[k - want_lo] += s->counts[i];
	}
	if (s->counts)
		pfree(s->counts);
	s->counts = counts;
	s->offset = (int32) want_lo;
	s->n = s->cap = n;
	if (key < want_lo)
	{
		s->collapsed = true;
		return 0;
	}
	return key - s->offset;
}

static void
store_add(SiddhiDDStore *s, int32 key, uint64 count)
{
	int i = store_cover(s, key); /* may move counts: first */

	s->counts[i] += count;
}

/* Take one out of key's bucket; false when it holds none. */
static bool
store_remove(SiddhiDDStore *s, int32 key)
{
	int i;

	if (s->n == 0 || key >= s->offset + s->n)
		return false;
	i = key < s->offset ? 0 : key - s->offset;
	if (s->counts[i] == 0)
		return false;
	s->counts[i]--;
	return true;
}

void
siddhi_ddsketch_add(SiddhiDDSketch *s, double x)
{
	if (isnan(x))
	{
		s->nans++;
		s->count++;
		return;
	}
	if (x < s->min)
		s->min = x;
	if (x > s->max)
		s->max = x;
	if (isinf(x))
	{
		if (x > 0)
			s->pos_inf++;
		else
			s->neg_inf++;
	}
	else if (x > 0)
		store_add(&s->pos, key_of(x), 1);
	else if (x < 0)
		store_add(&s->neg, key_of(-x), 1);
	else
		s->zeros++;
	s->count++;
}

/* Take one from a counter; false when it is zero. */
static bool
take(uint64 *c)
{
	if (*c == 0)
		return false;
	(*c)--;
	return true;
}

void
siddhi_ddsketch_remove(SiddhiDDSketch *s, double x)
{
	bool found;

	if (isnan(x))
		found = take(&s->nans);
	else if (isinf(x) && x > 0)
		found = take(&s->pos_inf);
	else if (isinf(x))
		found = take(&s->neg_inf);
	else if (x > 0)
		found = store_remove(&s->pos, key_of(x));
	else if (x < 0)
		found = store_remove(&s->neg, key_of(-x));
	else
		found = take(&s->zeros);
	if (found)
		s->count--;
}

static void
store_merge(SiddhiDDStore *a, const SiddhiDDStore *b)
{
	for (int i = 0; i < b->n; i++)
		if (b->counts[i] > 0)
			store_add(a, b->offset + i, b->counts[i]);
	if (b->collapsed)
		a->collapsed = true;
}

void
siddhi_ddsketch_merge(SiddhiDDSketch *a, const SiddhiDDSketch *b)
{
	store_merge(&a->pos, &b->pos);
	store_merge(&a->neg, &b->neg);
	a->zeros += b->zeros;
	a->pos_inf += b->pos_inf;
	a->neg_inf += b->neg_inf;
	a->nans += b->nans;
	a->count += b->count;
	if (b->min < a->min)
		a->min = b->min;
	if (b->max > a->max)
		a->max = b->max;
}

/* The estimate of the value of rank r (0-based, ascending), r < count. */
static double
value_at_rank(const SiddhiDDSketch *s, uint64 r)
{
	double v;

	if (r < s->neg_inf)
		return -get_float8_infinity();
	r -= s->neg_inf;
	/* negative values: the largest magnitudes come first */
	for (int i = s->neg.n - 1; i >= 0; i--)
	{
		if (r < s->neg.counts[i])
		{
			v = -value_of(s->neg.offset + i);
			return Max(Min(v, s->max), s->min);
		}
		r -= s->neg.counts[i];
	}
	if (r < s->zeros)
		return 0.0;
	r -= s->zeros;
	for (int i = 0; i < s->pos.n; i++)
	{
		if (r < s->pos.counts[i])
		{
			v = value_of(s->pos.offset + i);
			return Max(Min(v, s->max), s->min);
		}
		r -= s->pos.counts[i];
	}
	if (r < s->pos_inf)
		return get_float8_infinity();
	return get_float8_nan();
}

double
siddhi_ddsketch_quantile(const SiddhiDDSketch *s, double p, bool disc)
{
	Assert(s->count > 0);
	if (disc)
	{
		int64 rownum = (int64) ceil(p * (double) s->count);

		if (rownum < 1)
			rownum = 1;
		if ((uint64) rownum > s->count)
			rownum = s->count;
		return value_at_rank(s, rownum - 1);
	}
	else
	{
		double pos = p * (double) (s->count - 1);
		uint64 lo = (uint64) floor(pos);
		uint64 hi = (uint64) ceil(pos);
		double a = value_at_rank(s, lo);

		if (hi == lo || pos == (double) lo)
			return a;
		return a + (value_at_rank(s, hi) - a) * (pos - (double) lo);
	}
}

/* Serialization: varints (7 bits a byte, low first), zigzag for signs. */

typedef struct Writer
{
	char *buf;
	int len;
	int cap;
} Writer;

static void
put_byte(Writer *w, uint8 b)
{
	if (w->len == w->cap)
	{
		w->cap *= 2;
		w->buf = repalloc(w->buf, w->cap);
	}
	w->buf[w->len++] = (char) b;
}

static void
put_varint(Writer *w, uint64 v)
{
	while (v >= 0x80)
	{
		put_byte(w, (uint8) (v | 0x80));
		v >>= 7;
	}
	put_byte(w, (uint8) v);
}

static void
put_double(Writer *w, double d)
{
	uint64 bits;

	memcpy(&bits, &d, sizeof(bits));
	for (int i = 0; i < 8; i++)
		put_byte(w, (uint8) (bits >> (8 * i)));
}

static void
put_store(Writer *w, const SiddhiDDStore *s)
{
	uint64 nonzero = 0;
	int64 prev = 0;

	for (int i = 0; i < s->n; i++)
		if (s->counts[i] > 0)
			nonzero++;
	put_varint(w, nonzero);
	for (int i = 0; i < s->n; i++)
		if (s->counts[i] > 0)
		{
			int64 delta = (int64) s->offset + i - prev;

			put_varint(w, (uint64) ((delta << 1) ^ (delta >> 63)));
			put_varint(w, s->counts[i]);
			prev = (int64) s->offset + i;
		}
}

char *
siddhi_ddsketch_serialize(const SiddhiDDSketch *s, int *len)
{
	Writer w;
	uint8 flags = (s->pos.collapsed ? 1 : 0) | (s->neg.collapsed ? 2 : 0) |
				  (s->count > s->nans ? 4 : 0);

	w.cap = 64;
	w.len = 0;
	w.buf = palloc(w.cap);
	put_byte(&w, FORMAT_VERSION);
	put_byte(&w, flags);
	put_varint(&w, s->zeros);
	put_varint(&w, s->neg_inf);
	put_varint(&w, s->pos_inf);
	put_varint(&w, s->nans);
	if (flags & 4)
	{
		put_double(&w, s->min);
		put_double(&w, s->max);
	}
	put_store(&w, &s->neg);
	put_store(&w, &s->pos);
	*len = w.len;
	return w.buf;
}

typedef struct Reader
{
	const uint8 *p;
	const uint8 *end;
} Reader;

static pg_attribute_noreturn() void bad_sketch(const char *why)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
			 errmsg("invalid percentile sketch"), errdetail("%s", why)));
	pg_unreachable();
}

static uint8
get_byte(Reader *r)
{
	if (r->p >= r->end)
		bad_sketch("The sketch ends too early.");
	return *r->p++;
}

static uint64
get_varint(Reader *r)
{
	uint64 v = 0;

	for (int shift = 0; shift < 64; shift += 7)
	{
		uint8 b = get_byte(r);

		v |= (uint64) (b & 0x7f) << shift;
		if ((b & 0x80) == 0)
			return v;
	}
	bad_sketch("A number in the sketch is too long.");
}

static double
get_double(Reader *r)
{
	uint64 bits = 0;
	double d;

	for (int i = 0; i < 8; i++)
		bits |= (uint64) get_byte(r) << (8 * i);
	memcpy(&d, &bits, sizeof(d));
	return d;
}

static uint64
add_count(uint64 total, uint64 c)
{
	if (total + c < total)
		bad_sketch("The sketch's counts overflow.");
	return total + c;
}

static uint64
get_store(Reader *r, SiddhiDDStore *s, uint64 total)
{
	uint64 nonzero = get_varint(r);
	int64 key = 0;

	if (nonzero > (uint64) (r->end - r->p))
		bad_sketch("The sketch ends too early.");
	for (uint64 i = 0; i < nonzero; i++)
	{
		uint64 z = get_varint(r);
		int64 delta = (int64) (z >> 1) ^ -(int64) (z & 1);
		uint64 c = get_varint(r);

		if (delta > 2 * KEY_LIMIT || delta < -2 * KEY_LIMIT)
			bad_sketch("A bucket of the sketch is out of range.");
		key += delta;
		if (key > KEY_LIMIT || key < -KEY_LIMIT || (i > 0 && delta <= 0))
			bad_sketch("A bucket of the sketch is out of range.");
		if (c == 0)
			bad_sketch("A bucket of the sketch is empty.");
		store_add(s, (int32) key, c);
		total = add_count(total, c);
	}
	return total;
}

SiddhiDDSketch *
siddhi_ddsketch_deserialize(const char *buf, int len)
{
	Reader r;
	SiddhiDDSketch *s = siddhi_ddsketch_create();
	uint8 flags;
	uint64 total;

	r.p = (const uint8 *) buf;
	r.end = r.p + len;
	if (get_byte(&r) != FORMAT_VERSION)
		bad_sketch("The sketch's format version is not 1.");
	flags = get_byte(&r);
	if (flags & ~7)
		bad_sketch("The sketch has unknown flags.");
	s->zeros = get_varint(&r);
	s->neg_inf = get_varint(&r);
	s->pos_inf = get_varint(&r);
	s->nans = get_varint(&r);
	total = add_count(add_count(s->zeros, s->neg_inf),
					  add_count(s->pos_inf, s->nans));
	if (flags & 4)
	{
		s->min = get_double(&r);
		s->max = get_double(&r);
		if (isnan(s->min) || isnan(s->max) || s->min > s->max)
			bad_sketch("The sketch's least and greatest values are invalid.");
	}
	total = get_store(&r, &s->neg, total);
	total = get_store(&r, &s->pos, total);
	if (r.p != r.end)
		bad_sketch("The sketch has bytes after its end.");
	if ((total > s->nans) != ((flags & 4) != 0))
		bad_sketch("The sketch's least and greatest values are missing.");
	s->pos.collapsed = s->pos.collapsed || (flags & 1) != 0;
	s->neg.collapsed = s->neg.collapsed || (flags & 2) != 0;
	s->count = total;
	return s;
}
