/*-------------------------------------------------------------------------
 *
 * incremental_int.h
 *	  What the files of incremental aggregations share: the runtime state
 *	  of one aggregation and its deltas.  Private to
 *	  src/runtime/aggregation/; the interface is include/siddhi/incremental.h.
 *
 *-------------------------------------------------------------------------
 */
#ifndef SIDDHI_INCREMENTAL_INT_H
#define SIDDHI_INCREMENTAL_INT_H

#include "executor/spi.h"
#include "lib/stringinfo.h"
#include "pgtime.h"
#include "siddhi/batch.h"
#include "siddhi/incremental.h"
#include "utils/hsearch.h"

#define UNIX_EPOCH_USECS \
	((int64) (POSTGRES_EPOCH_JDATE - UNIX_EPOCH_JDATE) * USECS_PER_DAY)

/* One (granularity, bucket, group)'s partial states in this batch. */
typedef struct IncDelta
{
	char *key;	   /* granularity, bucket, group values as text */
	int gran;	   /* index into the plan's grans / plans */
	Datum *values; /* physical columns; 0 is agg_timestamp */
	bool *nulls;
} IncDelta;

typedef struct IncBucket
{
	uint32 hash; /* hash key: of IncDelta.key */
	List *deltas;
} IncBucket;

struct SiddhiIncremental
{
	SiddhiAggregationPlan *plan;
	Oid owner;
	ExprContext *econtext;
	ExprState *qual;
	ExprState *time;
	int ncols;
	SiddhiIncColumn **cols;
	ExprState **states; /* per column; NULL for count() */
	Oid *argtypes;		/* per AGG column: its argument's type */
	int *phys;			/* per column: its first physical column */
	int nphys;			/* including agg_timestamp */
	int16 *typlen;
	bool *typbyval;
	char *typalign;
	SPIPlanPtr *bulk_plans; /* per granularity, when bulk upserts apply */
	FmgrInfo *out; /* per column: output function (GROUP; the argument's
					* for distinctCount) */
	int ngrans;
	int *grans;
	SPIPlanPtr *plans;
	SPIPlanPtr *purges;	   /* DELETE .. WHERE agg_timestamp < $1, or NULL */
	int64 next_purge;	   /* when to purge next (ms); 0: playback, no
							* event seen yet */
	bool purged;		   /* a purge has run */
	int64 latest;		   /* playback: the latest event time seen */
	pg_tz *tz;			   /* hour .. year buckets' zone; NULL: UTC */
	int64 *cache_start;	   /* per granularity: the last bucket found, */
	int64 *cache_lo;	   /* and a span [lo, hi) of times all in it */
	int64 *cache_hi;	   /* (empty at first) */
	SiddhiErrorLog errlog; /* its errors' log lines, rate limited */
	MemoryContext delta_cxt;
	HTAB *deltas;
	List *order; /* of IncDelta *, in creation order */
	int ndeltas; /* length of order */
	StringInfoData keybuf;
};

/* every running aggregation of the worker, in TopMemoryContext */
extern List *inc_all_incrementals;

/* incremental.c */
extern void inc_reset_deltas(SiddhiIncremental *inc);

/* incremental_bucket.c: the bucket of the i-th granularity holding ts */
extern int64 inc_bucket(SiddhiIncremental *inc, int i, int64 ts);

/* incremental_flush.c: write one aggregation's deltas (and purge) */
extern void inc_flush_one(SiddhiIncremental *inc, bool allow_purge);

/*
 * Deltas kept before they are written, even within a batch: a COPY of
 * millions of events is one batch, and its deltas would otherwise all be
 * in memory at once.  Writing early is as safe as at the end (the same
 * transaction); only fewer events merge into each delta.
 */
#define SIDDHI_INC_MAX_DELTAS 100000


#endif /* SIDDHI_INCREMENTAL_INT_H */
