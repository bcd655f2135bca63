/*-------------------------------------------------------------------------
 *
 * ddsketch.h
 *	  A bounded, mergeable quantile sketch with a relative-error guarantee
 *	  (DDSketch), for approximate percentiles (src/common/ddsketch.c).
 *
 *-------------------------------------------------------------------------
 */
#ifndef SIDDHI_DDSKETCH_H
#define SIDDHI_DDSKETCH_H

#include "c.h"

/*
 * Relative accuracy: a quantile the sketch returns is within this
 * fraction of the value of that rank (see ddsketch.c for the precise
 * statement), as long as no bucket was collapsed.
 */
#define SIDDHI_DDSKETCH_ALPHA 0.01

/*
 * At most this many buckets for positive values, and as many for negative
 * ones: 16 KB each in memory.  With ALPHA = 1 % they cover values whose
 * magnitudes span a ratio of about 6e17 (for example 1 ns to 20 years in
 * seconds); beyond that the smallest magnitudes share one bucket.
 */
#define SIDDHI_DDSKETCH_MAX_BUCKETS 2048

/* Counts of consecutive bucket keys offset .. offset + n - 1. */
typedef struct SiddhiDDStore
{
	int32 offset;
	int32 n;
	int32 cap;
	uint64 *counts;
	bool collapsed; /* keys below offset were folded into offset */
} SiddhiDDStore;

typedef struct SiddhiDDSketch
{
	SiddhiDDStore pos; /* x > 0, by the key of x */
	SiddhiDDStore neg; /* x < 0, by the key of -x */
	uint64 zeros;
	uint64 pos_inf;
	uint64 neg_inf;
	uint64 nans; /* NaN sorts above every number, as in PostgreSQL */
	uint64 count;
	double min; /* of every value added (removals leave them as they are) */
	double max;
} SiddhiDDSketch;

/* An empty sketch in the current memory context. */
extern SiddhiDDSketch *siddhi_ddsketch_create(void);
extern void siddhi_ddsketch_free(SiddhiDDSketch *s);

extern void siddhi_ddsketch_add(SiddhiDDSketch *s, double x);

/*
 * Take one x that was added back out (its bucket's count goes down);
 * exact unless the bucket was collapsed.
 */
extern void siddhi_ddsketch_remove(SiddhiDDSketch *s, double x);

/* Add every value of b to a. */
extern void siddhi_ddsketch_merge(SiddhiDDSketch *a, const SiddhiDDSketch *b);

/*
 * The p-quantile (0 <= p <= 1) as PostgreSQL's percentile_cont (linear
 * interpolation between the values of ranks floor and ceil of p (n - 1))
 * or, when disc, percentile_disc (the value of rank ceil(p n)); the sketch
 * must not be empty.
 */
extern double siddhi_ddsketch_quantile(const SiddhiDDSketch *s, double p,
									   bool disc);

/*
 * The compact form (a few bytes a non-empty bucket): a palloc'd buffer of
 * *len bytes.  siddhi_ddsketch_deserialize reads one back, or errors out
 * on bytes that are not a sketch.
 */
extern char *siddhi_ddsketch_serialize(const SiddhiDDSketch *s, int *len);
extern SiddhiDDSketch *siddhi_ddsketch_deserialize(const char *buf, int len);

#endif /* SIDDHI_DDSKETCH_H */
