/*-------------------------------------------------------------------------
 *
 * partition.h
 *	  The keys of a partition and the state each keeps
 *	  (src/runtime/partition.c).
 *
 * A partition runtime maps each key to an instance: one memory context
 * and, for each query of the partition, an opaque pointer to that query's
 * state for the key (query_partition.c makes it, through the make callback, in
 * the instance's context).  Instances are kept in the order they were
 * made (each numbered by its creation sequence); releasing one deletes its
 * context.
 *
 *-------------------------------------------------------------------------
 */
#ifndef SIDDHI_PARTITION_H
#define SIDDHI_PARTITION_H

#include "nodes/execnodes.h"
#include "lib/ilist.h"
#include "lib/pairingheap.h"
#include "siddhi/analyzer.h"

typedef struct SiddhiPartInstance
{
	char *key; /* text of the value, or the range's label */
	int keylen;
	int64 last_used; /* app time of its last event (purge) */
	MemoryContext cxt;
	void **states; /* one per query of the partition */
	dlist_node node;
	uint64 hash;						  /* of key */
	struct SiddhiPartInstance *next_same; /* another key of the same hash */
	/* epochs (src/runtime/partition_state.c) */
	int64 seq;			/* its place in creation order, never reused */
	uint64 restore_gen; /* the last restore that read it */
	/* when time is next due for it (src/runtime/partition_schedule.c) */
	pairingheap_node due_node; /* in the schedule's heap when due >= 0 */
	int64 due;
	dlist_node dirty_node; /* in its list of keys to look at again */
	bool dirty;
} SiddhiPartInstance;

typedef struct SiddhiPartitionRuntime SiddhiPartitionRuntime;

/* Make query k's state for a new instance, in the instance's context. */
typedef void *(*SiddhiPartStateFn)(void *arg, int k, SiddhiPartInstance *inst);

/* siddhi.max_partition_keys */
extern int siddhi_max_partition_keys;

extern SiddhiPartitionRuntime *siddhi_partition_create(
	SiddhiPartitionPlan *plan, int nqueries, SiddhiPartStateFn make, void *arg,
	MemoryContext parent);
extern SiddhiPartitionPlan *siddhi_partition_plan(SiddhiPartitionRuntime *p);
/* How many queries the partition has (before its first key). */
extern void siddhi_partition_set_queries(SiddhiPartitionRuntime *p, int n);

/* Whether the partition divides stream relid (by value or by range). */
extern bool siddhi_partition_divides(SiddhiPartitionRuntime *p, Oid relid);

/*
 * The instances an event of stream relid goes to (made when new, at app
 * time now), at most SIDDHI_MAX_RANGES: one for a value partition (none
 * when the value is null), one per range that holds.  The event is the
 * scan tuple of econtext.  A stream the partition does not divide
 * returns -1: its events go to every instance.
 */
#define SIDDHI_MAX_RANGES 64
extern int siddhi_partition_route(SiddhiPartitionRuntime *p, Oid relid,
								  ExprContext *econtext, int64 now,
								  SiddhiPartInstance **out,
								  const uint64 *ahead);
/* A key hashed ahead of its event, and its instance fetched: see there. */
extern bool siddhi_partition_keys_ahead(SiddhiPartitionRuntime *p, Oid relid);
extern bool siddhi_partition_key_ahead(SiddhiPartitionRuntime *p, Oid relid,
									   TupleTableSlot *slot, uint64 *hash);
extern void siddhi_partition_prefetch_key(SiddhiPartitionRuntime *p,
										  uint64 hash);

/* The instances, oldest first (dlist of SiddhiPartInstance.node). */
extern dlist_head *siddhi_partition_instances(SiddhiPartitionRuntime *p);
extern int64 siddhi_partition_count(SiddhiPartitionRuntime *p);

/*
 * Purge: when @purge is on, the next time idle keys are looked for (-1:
 * never), and release those idle since before now - idle.period; done
 * (may be NULL) hears of each before it goes.
 */
extern int64 siddhi_partition_purge_deadline(SiddhiPartitionRuntime *p);
extern void siddhi_partition_purge(SiddhiPartitionRuntime *p, int64 now,
								   void (*done)(void *arg,
												SiddhiPartInstance *inst),
								   void *arg);

/*
 * Epochs (src/runtime/partition_state.c saves the keys with each query of
 * the partition): the instance of a saved key, found (its last use the
 * later of the two) or made (with fresh states, its saved sequence number,
 * in sequence order among the others); the next purge time and the next
 * sequence number, read and set; and releasing every key at once
 * (siddhi.state_roundtrip).
 */
extern SiddhiPartInstance *siddhi_partition_restore_key(
	SiddhiPartitionRuntime *p, const char *key, int len, int64 last_used,
	int64 seq);
extern int64 siddhi_partition_next_purge(SiddhiPartitionRuntime *p);
extern void siddhi_partition_set_next_purge(SiddhiPartitionRuntime *p,
											int64 at);
extern int64 siddhi_partition_next_seq(SiddhiPartitionRuntime *p);
extern void siddhi_partition_set_next_seq(SiddhiPartitionRuntime *p,
										  int64 seq);
extern void siddhi_partition_clear(SiddhiPartitionRuntime *p);

#endif /* SIDDHI_PARTITION_H */
