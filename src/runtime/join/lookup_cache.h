/*-------------------------------------------------------------------------
 *
 * lookup_cache.h
 *	  Where a table join's lookup found each key's row last time: a hint
 *	  that saves the index descent, checked against the heap on use.
 *
 *-------------------------------------------------------------------------
 */
#ifndef SIDDHI_LOOKUP_CACHE_H
#define SIDDHI_LOOKUP_CACHE_H

#include "access/skey.h"
#include "storage/itemptr.h"

typedef struct SiddhiLookupCache SiddhiLookupCache;

/*
 * A cache for lookups by nkeys equality keys of a unique index, whose
 * arguments have the given types; NULL when the keys are not of a kind
 * it can hash (or the cache is off).
 */
extern SiddhiLookupCache *siddhi_lookup_cache_create(const Oid *argtypes,
													 int nkeys,
													 MemoryContext cxt);

/* The hash of the keys' current arguments; false when one is null. */
extern bool siddhi_lookup_cache_hash(SiddhiLookupCache *c, ScanKey keys,
									 uint64 *hash);

/*
 * The hash of key values given in the keys' order (a row written into the
 * table, its index columns); false when one is null or not hashed.
 */
extern bool siddhi_lookup_cache_hash_values(SiddhiLookupCache *c,
											const Datum *values,
											const bool *isnull, uint64 *hash);

/*
 * Fetch into the cache the slot of the keys' values given (a later
 * arrival's), so that its lookup finds it there: a hint, nothing more.
 */
extern void siddhi_lookup_cache_prefetch(SiddhiLookupCache *c,
										 const Datum *values,
										 const bool *isnull);

/* The heap TID last seen for hash, if any. */
extern bool siddhi_lookup_cache_get(SiddhiLookupCache *c, uint64 hash,
									ItemPointer tid);

/* Remember tid for hash (nothing when full); forget it. */
extern void siddhi_lookup_cache_put(SiddhiLookupCache *c, uint64 hash,
									ItemPointer tid);
extern void siddhi_lookup_cache_forget(SiddhiLookupCache *c, uint64 hash);

/* Forget everything (the table's storage was replaced). */
extern void siddhi_lookup_cache_clear(SiddhiLookupCache *c);

extern void siddhi_lookup_cache_free(SiddhiLookupCache *c);

#endif
