/*-------------------------------------------------------------------------
 *
 * lookup_cache.c
 *	  Where a table join's lookup by a unique key found its row last time.
 *
 * A join of a stream with a table through the table's primary key (or
 * another unique, immediate, non-partial btree index whose every column
 * the lookup fixes by equality) finds at most one row per arrival.  The
 * index descent that finds it is most of an enrichment join's cost: a
 * comparison under the column's collation at each of some twenty steps.
 * This cache maps a 64-bit hash of the arrival's key values to the heap
 * TID the index gave for them last time (the root of the row's HOT
 * chain), so that the next arrival with those values can fetch that TID
 * directly.
 *
 * Nothing here is trusted: the caller (join.c) fetches the TID under the
 * lookup's own snapshot, following the HOT chain as an index scan would,
 * and keeps the row only if it is visible and satisfies the index's
 * conditions (the plan's indexqualorig) for this arrival.  A unique index
 * holds at most one visible row satisfying them, so that row is the one
 * the index would have found.  Anything else (a hash collision, the row
 * deleted or updated off its chain, its line pointer reused, a block past
 * the table's end) falls back to the index scan, which then records its
 * answer here.  The cache holds no key bytes, only hashes and TIDs.
 *
 * Memory: at most siddhi.join_lookup_cache entries per join (16 bytes
 * each, in a table of a power of two entries at most nine tenths full);
 * once full, keys not yet in it are looked up through the index only.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "common/hashfn.h"
#include "lookup_cache.h"
#include "siddhi/join.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"

int siddhi_join_lookup_cache = 1000000;

typedef struct CacheEntry
{
	uint64 hash;
	ItemPointerData tid;
	char status; /* simplehash's */
} CacheEntry;

#define SH_PREFIX tidcache
#define SH_ELEMENT_TYPE CacheEntry
#define SH_KEY_TYPE uint64
#define SH_KEY hash
#define SH_HASH_KEY(tb, key) ((uint32) ((key) ^ ((key) >> 32)))
#define SH_EQUAL(tb, a, b) ((a) == (b))
#define SH_SCOPE static inline
#define SH_DECLARE
#define SH_DEFINE
#include "lib/simplehash.h"

struct SiddhiLookupCache
{
	tidcache_hash *map;
	MemoryContext cxt;
	int nkeys;
	int16 *typlen;
	bool *byval;
};

SiddhiLookupCache *
siddhi_lookup_cache_create(const Oid *argtypes, int nkeys, MemoryContext cxt)
{
	SiddhiLookupCache *c;

	if (siddhi_join_lookup_cache <= 0 || nkeys <= 0)
		return NULL;
	for (int k = 0; k < nkeys; k++)
		if (!OidIsValid(argtypes[k]))
			return NULL;
	c = MemoryContextAllocZero(cxt, sizeof(SiddhiLookupCache));
	c->cxt = cxt;
	c->nkeys = nkeys;
	c->typlen = MemoryContextAlloc(cxt, sizeof(int16) * nkeys);
	c->byval = MemoryContextAlloc(cxt, sizeof(bool) * nkeys);
	for (int k = 0; k < nkeys; k++)
		get_typlenbyval(argtypes[k], &c->typlen[k], &c->byval[k]);
	c->map = tidcache_create(cxt, 256, NULL);
	return c;
}

/* Key k's value d into h; false when it is not worth hashing. */
static inline bool
hash_key(SiddhiLookupCache *c, int k, Datum d, uint64 *h)
{
	const unsigned char *bytes;
	Size len;

	if (c->byval[k])
	{
		bytes = (const unsigned char *) &d;
		len = sizeof(Datum);
	}
	else if (c->typlen[k] == -1)
	{
		struct varlena *v = (struct varlena *) DatumGetPointer(d);

		/* a compressed or out-of-line value: not worth a detoast */
		if (VARATT_IS_EXTENDED(v) && !VARATT_IS_SHORT(v))
			return false;
		bytes = (const unsigned char *) VARDATA_ANY(v);
		len = VARSIZE_ANY_EXHDR(v);
	}
	else if (c->typlen[k] == -2)
	{
		bytes = (const unsigned char *) DatumGetCString(d);
		len = strlen((const char *) bytes);
	}
	else
	{
		bytes = (const unsigned char *) DatumGetPointer(d);
		len = c->typlen[k];
	}
	*h = hash_combine64(*h, hash_bytes_extended(bytes, len, k));
	return true;
}

bool
siddhi_lookup_cache_hash(SiddhiLookupCache *c, ScanKey keys, uint64 *hash)
{
	uint64 h = 0;

	for (int k = 0; k < c->nkeys; k++)
	{
		if ((keys[k].sk_flags & SK_ISNULL) ||
			!hash_key(c, k, keys[k].sk_argument, &h))
			return false;
	}
	*hash = h;
	return true;
}

bool
siddhi_lookup_cache_hash_values(SiddhiLookupCache *c, const Datum *values,
								const bool *isnull, uint64 *hash)
{
	uint64 h = 0;

	for (int k = 0; k < c->nkeys; k++)
		if (isnull[k] || !hash_key(c, k, values[k], &h))
			return false;
	*hash = h;
	return true;
}

void
siddhi_lookup_cache_prefetch(SiddhiLookupCache *c, const Datum *values,
							 const bool *isnull)
{
	uint64 h;

	if (!siddhi_lookup_cache_hash_values(c, values, isnull, &h))
		return;
#ifdef __GNUC__
	__builtin_prefetch(&c->map->data[tidcache_initial_bucket(
		c->map, (uint32) (h ^ (h >> 32)))]);
#endif
}

bool
siddhi_lookup_cache_get(SiddhiLookupCache *c, uint64 hash, ItemPointer tid)
{
	CacheEntry *e = tidcache_lookup(c->map, hash);

	if (e == NULL)
		return false;
	ItemPointerCopy(&e->tid, tid);
	return true;
}

void
siddhi_lookup_cache_put(SiddhiLookupCache *c, uint64 hash, ItemPointer tid)
{
	CacheEntry *e;
	bool found;

	e = tidcache_lookup(c->map, hash);
	if (e == NULL)
	{
		if (c->map->members >= (uint32) siddhi_join_lookup_cache)
			return;
		e = tidcache_insert(c->map, hash, &found);
	}
	ItemPointerCopy(tid, &e->tid);
}

void
siddhi_lookup_cache_forget(SiddhiLookupCache *c, uint64 hash)
{
	tidcache_delete(c->map, hash);
}

void
siddhi_lookup_cache_clear(SiddhiLookupCache *c)
{
	tidcache_reset(c->map);
}

void
siddhi_lookup_cache_free(SiddhiLookupCache *c)
{
	if (c == NULL)
		return;
	tidcache_destroy(c->map);
	pfree(c->typlen);
	pfree(c->byval);
	pfree(c);
}
