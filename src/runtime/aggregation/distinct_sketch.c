/*-------------------------------------------------------------------------
 *
 * distinct_sketch.c
 *	  distinctCount in incremental aggregations: a "k minimum values"
 *	  sketch of the values' hashes.
 *
 * Siddhi keeps, in every bucket, the set of the distinct values and
 * merges buckets by set union: exact, and as large as the data.  We keep
 * the 64-bit hashes of the values' text instead, and of them only the K
 * smallest (SIDDHI_DISTINCT_K).  The union of two sketches, cut to its K
 * smallest, is the sketch of the union of their values, so buckets merge
 * exactly as Siddhi's sets do (in any order, any number of times: the
 * merge is associative, commutative and idempotent).  While a bucket has
 * fewer than K distinct values its sketch holds all of them and the count
 * is exact (up to a 64-bit hash collision, about n^2 / 2^65); beyond, the
 * K-th smallest hash tells the density of the hashes, and (K - 1) / its
 * fraction of the hash space estimates the count, with a relative
 * standard error of about 1 / sqrt(K - 2).
 *
 * Memory: at most K hashes (8 KB) per sketch.  Plain C: no catalog
 * access, palloc only.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "common/hashfn.h"
#include "siddhi/distinct_sketch.h"

uint64
siddhi_distinct_hash(const char *text, int len)
{
	return hash_bytes_extended((const unsigned char *) text, len, 0);
}

void
siddhi_distinct_add(SiddhiDistinctSketch *s, uint64 h)
{
	int lo = 0, hi = s->n;

	/* full, and h is above every kept hash: it changes nothing */
	if (s->n == SIDDHI_DISTINCT_K && h > s->h[s->n - 1])
		return;
	while (lo < hi)
	{
		int mid = (lo + hi) / 2;

		if (s->h[mid] < h)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < s->n && s->h[lo] == h)
		return;
	if (s->n == s->cap && s->n < SIDDHI_DISTINCT_K)
	{
		s->cap = s->cap == 0 ? 8 : Min(s->cap * 2, SIDDHI_DISTINCT_K);
		s->h = s->h ? repalloc(s->h, sizeof(uint64) * s->cap)
					: palloc(sizeof(uint64) * s->cap);
	}
	if (s->n == SIDDHI_DISTINCT_K)
		s->n--; /* the largest goes */
	memmove(&s->h[lo + 1], &s->h[lo], sizeof(uint64) * (s->n - lo));
	s->h[lo] = h;
	s->n++;
}

int
siddhi_distinct_merge(const uint64 *a, int na, const uint64 *b, int nb,
					  uint64 *out)
{
	int i = 0, j = 0, n = 0;

	while (n < SIDDHI_DISTINCT_K && (i < na || j < nb))
	{
		uint64 v;

		if (j >= nb || (i < na && a[i] < b[j]))
			v = a[i++];
		else if (i >= na || b[j] < a[i])
			v = b[j++];
		else
		{
			v = a[i++];
			j++;
		}
		out[n++] = v;
	}
	return n;
}

int64
siddhi_distinct_estimate(int n, uint64 max)
{
	double fraction;

	if (n < SIDDHI_DISTINCT_K)
		return n;
	/* the K-th smallest of N uniform hashes lies near K / N of the space */
	fraction = ((double) max + 1.0) / 18446744073709551616.0;
	return (int64) ((SIDDHI_DISTINCT_K - 1) / fraction + 0.5);
}
