/*-------------------------------------------------------------------------
 *
 * join_int.h
 *	  What join.c and join_lookup.c share: the join's state (private to
 *	  src/runtime/join).
 *
 *-------------------------------------------------------------------------
 */
#ifndef SIDDHI_JOIN_INT_H
#define SIDDHI_JOIN_INT_H

#include "access/skey.h"
#include "executor/execdesc.h"
#include "nodes/execnodes.h"
#include "nodes/params.h"
#include "nodes/plannodes.h"
#include "lookup_cache.h"
#include "siddhi/join.h"
#include "siddhi/key_hash.h"
#include "storage/relfilenode.h"

/* join_lookup.c's scan of the table, open for one transaction */
typedef struct LookupScan LookupScan;

/*
 * A tuple of the other side that satisfies on, and its event's time.  A
 * window's is copied into the join's copies (at offset off) while the
 * window is probed, and tuple set once the probe is over.
 */
typedef struct JoinMatch
{
	MinimalTuple tuple;
	Size off;
	int64 ts;
} JoinMatch;

struct SiddhiJoin
{
	int nprimary;
	int nother;
	int ts_at; /* the sides' event timestamps in row (plan->ts_at), or -1 */
	TupleTableSlot *row;		  /* the combined row, virtual */
	TupleTableSlot *side_slot[2]; /* a side's tuple, to deform */
	ExprState *on;				  /* over row, or NULL */
	ExprContext *econtext;
	bool triggers[2];
	bool outer[2];
	/* the join key (plan->key_attno): an arrival probes the other window's
	 * index by it; key_attno[side] 0 when that side scans */
	AttrNumber key_attno[2];
	SiddhiKeyHash key_hash[2];
	/* other side a table */
	Oid table;
	PlannedStmt *probe;
	ParamListInfo params;
	bool probe_uses_index;
	bool aggregation; /* the table is an aggregation's view */
	/* the probe as a bare index scan (join_index_lookup), or indexid invalid */
	Oid indexid;
	ScanKey keys;
	int nkeys;
	IndexRuntimeKeyInfo *runtime_keys;
	int nruntime_keys;
	ExprState *lookup_qual;		  /* the plan's other quals, or NULL */
	ExprState *lookup_recheck;	  /* its index quals, for a lossy index */
	ExprContext *lookup_econtext; /* params are the arrival's attributes */
	LookupScan *lookup;			  /* open in transaction lookup_lxid */
	LocalTransactionId lookup_lxid;
	/* by a unique key: where each key's row was (lookup_cache.c), and
	 * the storage those TIDs are of */
	SiddhiLookupCache *cache;
	RelFileNode cache_node;
	/* each scan key's column of the table, to note where the rows the
	 * engine writes into it went (siddhi_join_note_row); NULL when a key's
	 * type is not its column's */
	AttrNumber *seed_attno;
	Datum *seed_values;
	bool *seed_nulls;
	/* each scan key as the arrival's attribute it is (0: a constant), to
	 * prefetch a later arrival's cache slot; NULL when one is neither */
	AttrNumber *ahead_attno;
	Datum *ahead_values;
	bool *ahead_nulls;
	/* the probe as planned: re-planned when the table's indexes change */
	Query *probe_query;
	List *probe_indexes; /* the table's index OIDs it was planned with */
	uint64 probe_gen;	 /* relcache_gen when they were last compared */
	MemoryContext cxt;
	/*
	 * An arrival's matches, and the copies of a window's matched tuples:
	 * kept from one arrival to the next (in cxt), so that a probe
	 * allocates nothing once they are large enough.  An arrival never
	 * starts inside another of the same join: both sides' queries have
	 * the join's main query as their owner, and an event that reaches
	 * either while it steps waits in the owner's queue (reentry.c).
	 */
	JoinMatch *matches;
	int nmatches;
	int matches_cap;
	char *copies;
	Size copies_used;
	Size copies_cap;
};

/* join_lookup.c: the probe as a bare index scan, when its plan is one */
extern void join_index_lookup_prepare(SiddhiJoin *j);
extern List *join_index_lookup(SiddhiJoin *j);

#endif
