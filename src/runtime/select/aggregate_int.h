/*-------------------------------------------------------------------------
 *
 * aggregate_int.h
 *	  The insides of the group map and its aggregators (aggregate.c), for
 *	  the files that save and restore them (aggregate_state.c).
 *
 * Private to src/runtime/select.
 *
 *-------------------------------------------------------------------------
 */
#ifndef SIDDHI_AGGREGATE_INT_H
#define SIDDHI_AGGREGATE_INT_H

#include "fmgr.h"
#include "siddhi/aggregate.h"
#include "utils/hsearch.h"

#include "aggregate_sql.h"

typedef union AggValue
{
	int64 i;
	double d;
} AggValue;

typedef struct QueueItem
{
	int64 seq;
	AggValue v;
} QueueItem;

/*
 * One aggregator's state in a group.  Every kind uses nonnull and sum or
 * neither, and at most one member of the union, the one agg_part names:
 * a group holds one of these per aggregator, and a grouped query may hold
 * millions of groups (bench/RESULTS.md, "memory per group key").  Code
 * that is not for one kind reads the union only through agg_part.
 */
typedef struct AggState
{
	int64 nonnull; /* values added and not removed */
	AggValue sum;
	union
	{
		/* min/max: a monotonic queue of (sequence, value) */
		struct
		{
			QueueItem *queue;
			int qhead;
			int qlen;
			int qcap;
		};
		/* minForever/maxForever */
		struct
		{
			bool has_forever;
			AggValue forever;
		};
		double sumsq; /* stdDev */
		/* and, or */
		struct
		{
			int64 ntrue;
			int64 nfalse;
		};
		HTAB *distinct;		   /* distinctCount, unionSet: hash -> events */
		SiddhiAggExtra *extra; /* the kinds of aggregate_sql.c */
		void *percentile;	   /* percentile.c's state */
	};
} AggState;

/* Which member of AggState's union a kind uses. */
typedef enum AggPart
{
	AGG_PART_NONE,
	AGG_PART_QUEUE,
	AGG_PART_FOREVER,
	AGG_PART_SUMSQ,
	AGG_PART_ANDOR,
	AGG_PART_DISTINCT,
	AGG_PART_EXTRA,
	AGG_PART_PERCENTILE
} AggPart;

static inline AggPart
agg_part(SiddhiAggKind kind)
{
	switch (kind)
	{
		case SIDDHI_AGG_MIN:
		case SIDDHI_AGG_MAX:
			return AGG_PART_QUEUE;
		case SIDDHI_AGG_MIN_FOREVER:
		case SIDDHI_AGG_MAX_FOREVER:
			return AGG_PART_FOREVER;
		case SIDDHI_AGG_STDDEV:
			return AGG_PART_SUMSQ;
		case SIDDHI_AGG_AND:
		case SIDDHI_AGG_OR:
			return AGG_PART_ANDOR;
		case SIDDHI_AGG_DISTINCT_COUNT:
		case SIDDHI_AGG_UNION_SET:
			return AGG_PART_DISTINCT;
		case SIDDHI_AGG_PERCENTILE_CONT:
		case SIDDHI_AGG_PERCENTILE_DISC:
			return AGG_PART_PERCENTILE;
		default:
			return siddhi_aggx_handles(kind) ? AGG_PART_EXTRA : AGG_PART_NONE;
	}
}

typedef struct DistinctEntry
{
	int64 hash;
	int64 events;
	Datum value; /* unionSet: the element */
	bool isnull; /* unionSet: the element is null (Siddhi's sets hold one) */
} DistinctEntry;

/* unionSet: how to take its sets apart and put them together */
typedef SiddhiSetType SetType;

struct SiddhiAggGroup
{
	uint64 hash;  /* of the key */
	int64 events; /* events added and not removed */
	int64 adds;
	int64 removes;
	bool dirty; /* changed since the last committed incremental save */
	bool saved; /* in a saved part: its end needs a tombstone */
	SiddhiAggMarks marks;
	AggState states[FLEXIBLE_ARRAY_MEMBER];
	/* then the group-by values (by reference: copied into the aggregates'
	 * cxt) and their nulls, at a->keys_at and a->knulls_at: group_keys() */
};

typedef struct GroupEntry
{
	uint64 hash;
	SiddhiAggGroup *group;
	char status; /* simplehash's */
} GroupEntry;

#define SH_PREFIX groupmap
#define SH_ELEMENT_TYPE GroupEntry
#define SH_KEY_TYPE uint64
#define SH_KEY hash
#define SH_HASH_KEY(tb, key) ((uint32) ((key) ^ ((key) >> 32)))
#define SH_EQUAL(tb, a, b) ((a) == (b))
#define SH_SCOPE static inline
#define SH_DECLARE
#define SH_DEFINE
#include "lib/simplehash.h"

/* How one group-by column is hashed and compared. */
typedef struct GroupKeyColumn
{
	FmgrInfo hash; /* extended hash: (value, seed) -> int64 */
	FmgrInfo eq;   /* equality */
	Oid collation; /* for both */
	bool as_text;  /* no hashing or equality: use the output text */
	bool bytes;	   /* text under a deterministic collation: hashed and
					* compared as its bytes, as hashtextextended and
					* texteq do, without their look-up of the collation */
	FmgrInfo out;  /* the type's output function, when as_text */
	int16 typlen;  /* of the value kept (text when as_text) */
	bool typbyval;
} GroupKeyColumn;

struct SiddhiAggregates
{
	int n;
	SiddhiAggPlan **plans;
	bool *is_float;
	int nkeys;
	GroupKeyColumn *keycols;
	SetType *sets; /* per aggregator; used by unionSet */
	MemoryContext cxt;
	groupmap_hash *groups;
	/* without group by: the one group (also in groups), found without a
	 * hash or the map (a partition has one of these per key, and each
	 * step of the map is a cache miss there) */
	SiddhiAggGroup *single;
	MemoryContext slab; /* the groups past the first few, or NULL */
	Size keys_at;		/* where a group's key values are in its piece */
	Size knulls_at;		/* and their nulls */
	Size group_size;	/* the whole piece */
	/* incremental saves: the keys of saved groups gone since the last */
	StringInfo gone;
	int64 ngone;
	/*
	 * events may leave in another order than they came (a sort, frequent,
	 * session or unique window, a join): a min/max removal takes the first
	 * queued equal value rather than the oldest, as Siddhi's does
	 */
	bool unordered;
	/* every aggregator a count, sum or avg: an update is a few additions
	 * (siddhi_aggs_update's first loop) */
	bool sums_only;
};

/*
 * The group of a key whose values are in the form groups keep (a column
 * grouped by its text holds the text): found, or made when create
 * (limit: whether siddhi.max_groups applies), else NULL.
 */
/* A group's key values and nulls (after its states, in its piece). */
static inline Datum *
group_keys(SiddhiAggregates *a, SiddhiAggGroup *g)
{
	return (Datum *) ((char *) g + a->keys_at);
}

static inline bool *
group_knulls(SiddhiAggregates *a, SiddhiAggGroup *g)
{
	return (bool *) ((char *) g + a->knulls_at);
}

extern SiddhiAggGroup *siddhi_aggs_group_kept(SiddhiAggregates *a, Datum *keys,
											  bool *nulls, bool create,
											  bool limit);

/* Every group, as a list (the map may not change under its iterator). */
extern List *siddhi_aggs_group_list(SiddhiAggregates *a);

/* Free a group's memory (it is out of the map already). */
extern void siddhi_aggs_group_free(SiddhiAggregates *a, SiddhiAggGroup *g);
extern void siddhi_aggs_tombstone(SiddhiAggregates *a, SiddhiAggGroup *g);

/* unionSet, distinctCount: the table of a state, made when absent. */
extern HTAB *siddhi_aggs_distinct_table(SiddhiAggregates *a, AggState *s);

#endif /* SIDDHI_AGGREGATE_INT_H */
