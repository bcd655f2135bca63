/*-------------------------------------------------------------------------
 *
 * distinct_sketch.h
 *	  distinctCount in incremental aggregations: a bounded, mergeable set
 *	  of value hashes (src/runtime/aggregation/distinct_sketch.c).
 *
 *-------------------------------------------------------------------------
 */
#ifndef SIDDHI_DISTINCT_SKETCH_H
#define SIDDHI_DISTINCT_SKETCH_H

#include "c.h"

/*
 * The sketch keeps at most this many hashes: the smallest ones.  Below it
 * the count is exact; at it, the count is an estimate with a relative
 * standard error of about 1/sqrt(K - 2), 3.1 %.  A stored sketch is at
 * most K * 8 bytes (8 KB) per bucket, group and distinctCount column.
 */
#define SIDDHI_DISTINCT_K 1024

/* Hashes, ascending (as unsigned), distinct; n <= SIDDHI_DISTINCT_K. */
typedef struct SiddhiDistinctSketch
{
	int n;
	int cap;
	uint64 *h;
} SiddhiDistinctSketch;

/* The 64-bit hash of a value's text: what the sketches hold. */
extern uint64 siddhi_distinct_hash(const char *text, int len);

/* Add one hash; grows h with repalloc in the current context. */
extern void siddhi_distinct_add(SiddhiDistinctSketch *s, uint64 h);

/*
 * Merge two sorted hash arrays into out (room for SIDDHI_DISTINCT_K):
 * their union's smallest K.  Returns how many were written.
 */
extern int siddhi_distinct_merge(const uint64 *a, int na, const uint64 *b,
								 int nb, uint64 *out);

/* The count a sketch of n hashes, the largest being max, stands for. */
extern int64 siddhi_distinct_estimate(int n, uint64 max);

/*
 * Stored as int8[]: a hash h is kept as h ^ 2^63, so that the signed order
 * of the stored values is the unsigned order of the hashes.
 */
#define SIDDHI_DISTINCT_TO_STORED(h) ((int64) ((h) ^ (UINT64CONST(1) << 63)))
#define SIDDHI_DISTINCT_FROM_STORED(v) \
	(((uint64) (v)) ^ (UINT64CONST(1) << 63))

#endif /* SIDDHI_DISTINCT_SKETCH_H */
