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
#include "lib/ilist.h"
#include "lib/stringinfo.h"
#include "pgtime.h"
#include "siddhi/batch.h"
#include "siddhi/incremental.h"
#include "utils/hsearch.h"

#define UNIX_EPOCH_USECS \
	((int64) (POSTGRES_EPOCH_JDATE - UNIX_EPOCH_JDATE) * USECS_PER_DAY)

typedef struct IncGroup IncGroup;

/* One (granularity, bucket, group)'s partial states held. */
typedef struct IncDelta
{
	IncGroup *group;  /* its group */
	int gran;		  /* index into the plan's grans / plans */
	bool fresh;		  /* no row of its bucket written when it was made */
	int64 bucket;	  /* the bucket's start (ms), as values[0] */
	dlist_node gnode; /* unless its group's latest: in group->older[gran] */
	dlist_node onode; /* in inc->bygran[gran], oldest made first */
	Datum *values;	  /* physical columns; 0 is agg_timestamp */
	bool *nulls;
} IncDelta;

/*
 * One group's deltas: the latest bucket of each granularity (where nearly
 * every event goes: one lookup of the group per event, not one per
 * granularity), and per granularity a list of the older ones held, the
 * latest first (a bucket moves there when a later one opens, at the head;
 * an out-of-order event walks it from the head, usually a step or two).
 * Freed with its last delta.
 */
struct IncGroup
{
	IncGroup *next;	   /* in its IncSlot's chain */
	uint32 hash;	   /* of key */
	int nheld;		   /* its deltas held */
	IncDelta **latest; /* per granularity, or NULL */
	dlist_head *older; /* per granularity: older deltas, latest first */
	int64 *wrote_lo;   /* per granularity: its buckets this runtime may */
	int64 *wrote_hi;   /* have written lie in [lo, hi] ("New buckets") */
	Datum *values;	   /* per column: the group-by values (others unset), */
	bool *nulls;	   /* which its deltas point to */
	int keylen;
	char key[FLEXIBLE_ARRAY_MEMBER]; /* group values (key_append) */
};

/* inc->groups: the groups of one hash of their key */
typedef struct IncSlot
{
	uint32 hash;
	IncGroup *first;
} IncSlot;

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
	SPIPlanPtr *bulk_plans;	  /* per granularity, when bulk upserts apply */
	SPIPlanPtr *insert_plans; /* per granularity: bulk_inserts, prepared */
	/*
	 * Per granularity: no row of its table has a later bucket than this,
	 * as far as this runtime knows (incremental_flush.c, "New buckets");
	 * PG_INT64_MAX when it cannot know.
	 */
	int64 *written_max;
	int64 *written_min; /* and none an earlier bucket than this */
	int *conflicts;		/* per granularity: plain inserts that met a row */
	FmgrInfo *out;		/* per column: output function (GROUP; the argument's
					* for distinctCount) */
	int ngrans;
	int *grans;
	SPIPlanPtr *plans;
	SPIPlanPtr *purges;	   /* DELETE .. WHERE agg_timestamp < $1, or NULL */
	int64 next_purge;	   /* when to purge next (ms); 0: playback, no
							* event seen yet */
	bool purged;		   /* a purge has run */
	int64 latest;		   /* playback: the latest event time seen */
	int64 max_time;		   /* the latest aggregate-by time seen: the
							* buckets before its own are closed */
	pg_tz *tz;			   /* hour .. year buckets' zone; NULL: UTC */
	int64 *cache_start;	   /* per granularity: the last bucket found, */
	int64 *cache_lo;	   /* and a span [lo, hi) of times all in it */
	int64 *cache_hi;	   /* (empty at first) */
	SiddhiErrorLog errlog; /* its errors' log lines, rate limited */
	MemoryContext delta_cxt;
	void *free_deltas;	   /* freed deltas, the last freed first */
	Size delta_size;	   /* a delta with its values and nulls */
	HTAB *groups;		   /* IncSlot by the hash of the group's key */
	dlist_head *bygran;	   /* per granularity: its deltas, in creation order */
	int ndeltas;		   /* deltas held, all granularities */
	int *held;			   /* deltas held, per granularity */
	int *by_retention;	   /* the granularities, the longest kept first */
	StringInfoData keybuf; /* the event's group key */
	Datum *ev_values;	   /* per column: the event's values */
	bool *ev_nulls;
};

/* every running aggregation of the worker, in TopMemoryContext */
extern List *inc_all_incrementals;

/* incremental.c */
extern void inc_reset_deltas(SiddhiIncremental *inc);
extern void inc_delta_free(SiddhiIncremental *inc, IncDelta *d);

/* incremental_bucket.c: the bucket of the i-th granularity holding ts */
extern int64 inc_bucket(SiddhiIncremental *inc, int i, int64 ts);

/*
 * incremental_flush.c: write one aggregation's deltas (and purge when due
 * and allowed).  closed_only: make room (a tenth of the limit) rather
 * than write everything: drop the deltas of closed buckets past
 * retention, write closed ones coarsest granularity first, and only if
 * that is not enough the open ones too (the open bucket of each
 * granularity is the one holding max_time).
 */
extern void inc_flush_one(SiddhiIncremental *inc, bool allow_purge,
						  bool closed_only);

/*
 * incremental_write.c: the n deltas of new buckets of granularity g put
 * straight into its table (a unique violation raised as the INSERT would);
 * false, having written nothing, when the table is not one it can write
 * so (the caller runs the INSERT).
 */
extern bool inc_direct_insert(SiddhiIncremental *inc, int g, IncDelta **deltas,
							  int n);

/*
 * Deltas kept before they are written, even within a batch
 * (siddhi.aggregation_max_buckets, 400,000 by default): a COPY of
 * millions of events is one batch, and its deltas would otherwise all be
 * in memory at once.  When an aggregation holds this many, the deltas of
 * closed buckets are written and dropped (and due purges run); the open
 * ones stay, so that a bucket is written once per batch however many
 * events of the batch it gets.  Writing early is as safe as at the end
 * (the same transaction).
 */
#define SIDDHI_INC_MAX_DELTAS siddhi_aggregation_max_buckets


/*
 * Whether this runtime may have written grp's bucket of granularity g
 * (incremental_flush.c, "New buckets"): a bucket after every one written
 * to the table, or outside the group's span of written buckets, was not.
 */
static inline bool
inc_maybe_written(SiddhiIncremental *inc, IncGroup *grp, int g, int64 bucket)
{
	if (inc->conflicts[g] > 1)
		return true; /* plain inserts are off */
	if (bucket > inc->written_max[g])
		return false;
	return bucket <= grp->wrote_hi[g] && bucket >= grp->wrote_lo[g];
}

#endif /* SIDDHI_INCREMENTAL_INT_H */
