/*-------------------------------------------------------------------------
 *
 * partition.c
 *	  The keys of a partition: which instance an event goes to, making
 *	  instances for new keys, bounding and purging them.
 *
 * Siddhi's semantics: a value partition keys an event by the text of
 * its expression (an event whose value is null goes nowhere); a range
 * partition by the label of every range whose condition holds, so an
 * event may go to several instances, in the order the ranges are
 * written.  A stream the partition does not divide reaches every
 * instance there is, and never makes one.  Each instance holds, for each
 * query of the partition, that query's state for the key (its window,
 * aggregators, rate limiter), which query_partition.c makes on demand.
 *
 * Memory: at most siddhi.max_partition_keys instances per partition; an
 * event of a new key beyond that fails (the query counts the error and
 * skips the event).  With @purge(enable = 'true', interval, idle.period)
 * keys that saw no event for idle.period are released every interval;
 * their state is gone, and a later event of the key starts afresh.
 *
 * Epochs: each instance has a creation sequence number (p->next_seq, never
 * reused), which is its place in the instance list.  The keys are saved
 * with each query of the partition (partition_state.c), incrementally,
 * each with its sequence number and last use; siddhi_partition_restore_key
 * makes them again at their place in that order, whatever order the
 * saved parts hand them in.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "common/hashfn.h"
#include "executor/executor.h"
#include "fmgr.h"
#include "nodes/nodeFuncs.h"
#include "siddhi/errors.h"
#include "siddhi/partition.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"

int siddhi_max_partition_keys = 1000000;

/*
 * Keys are found by a 64-bit hash of their text, kept in the map's own
 * array so that a lookup touches one entry, then the instance (whose
 * state the event needs anyway) to confirm the text.  Instances whose
 * texts share a hash are chained.
 */
typedef struct PartEntry
{
	uint64 hash;
	SiddhiPartInstance *inst; /* the first of those with this hash */
	char status;			  /* simplehash's */
} PartEntry;

#ifdef __GNUC__
#define key_prefetch(p) __builtin_prefetch(p)
#else
#define key_prefetch(p) ((void) (p))
#endif

/*
 * How much of a key's instance block siddhi_partition_prefetch_key fetches:
 * the instance, its key, and its queries' states made right after it in
 * the key's context (a running sum's whole state fits; 1 kB was no faster
 * on partition_100k_sum, bench/RESULTS.md).
 */
#define PREFETCH_SPAN 512

#define SH_PREFIX partmap
#define SH_ELEMENT_TYPE PartEntry
#define SH_KEY_TYPE uint64
#define SH_KEY hash
#define PARTMAP_HASH(key) ((uint32) ((key) ^ ((key) >> 32)))
#define SH_HASH_KEY(tb, key) PARTMAP_HASH(key)
#define SH_EQUAL(tb, a, b) ((a) == (b))
#define SH_SCOPE static inline
#define SH_DECLARE
#define SH_DEFINE
#include "lib/simplehash.h"

/* How the events of one divided stream find their keys. */
typedef struct PartStream
{
	Oid relid;
	ExprState *value; /* value partition */
	FmgrInfo value_out;
	bool value_is_text;	  /* of type text: keyed by its bytes */
	AttrNumber key_attno; /* the value is this text column: hashed ahead */
	int nranges;
	ExprState **ranges;
	char **labels;
} PartStream;

struct SiddhiPartitionRuntime
{
	SiddhiPartitionPlan *plan;
	MemoryContext cxt;
	int nqueries;
	SiddhiPartStateFn make;
	void *make_arg;
	int nstreams;
	PartStream *streams;
	partmap_hash *keys;
	dlist_head instances; /* oldest first */
	int64 count;
	int64 next_purge; /* -1: not yet (no key yet) or no purge */
	int64 next_seq;	  /* the next new instance's sequence number */
};

static uint64
key_hash(const char *key, int len)
{
	return hash_bytes_extended((const unsigned char *) key, len, 0);
}

SiddhiPartitionRuntime *
siddhi_partition_create(SiddhiPartitionPlan *plan, int nqueries,
						SiddhiPartStateFn make, void *arg,
						MemoryContext parent)
{
	MemoryContext old = MemoryContextSwitchTo(parent);
	SiddhiPartitionRuntime *p = palloc0(sizeof(SiddhiPartitionRuntime));
	ListCell *lc;
	int i = 0;

	p->plan = plan;
	p->cxt = parent;
	p->nqueries = nqueries;
	p->make = make;
	p->make_arg = arg;
	p->nstreams = list_length(plan->streams);
	p->streams = palloc0(sizeof(PartStream) * Max(p->nstreams, 1));
	foreach(lc, plan->streams)
	{
		SiddhiPartitionStreamPlan *sp = lfirst(lc);
		PartStream *ps = &p->streams[i++];
		ListCell *lr;
		int k = 0;

		ps->relid = sp->relid;
		if (sp->value)
		{
			Oid outfn;
			bool varlena;

			ps->value = ExecInitExpr(sp->value, NULL);
			getTypeOutputInfo(exprType((Node *) sp->value), &outfn, &varlena);
			fmgr_info(outfn, &ps->value_out);
			ps->value_is_text = exprType((Node *) sp->value) == TEXTOID;
			if (ps->value_is_text && IsA(sp->value, Var))
				ps->key_attno = ((Var *) sp->value)->varattno;
		}
		ps->nranges = list_length(sp->ranges);
		ps->ranges = palloc0(sizeof(ExprState *) * Max(ps->nranges, 1));
		ps->labels = palloc0(sizeof(char *) * Max(ps->nranges, 1));
		foreach(lr, sp->ranges)
		{
			ps->ranges[k] = ExecInitQual(list_make1(lfirst(lr)), NULL);
			ps->labels[k] = list_nth(sp->labels, k);
			k++;
		}
	}
	p->keys = partmap_create(parent, 256, NULL);
	dlist_init(&p->instances);
	p->next_purge = -1;
	MemoryContextSwitchTo(old);
	return p;
}

SiddhiPartitionPlan *
siddhi_partition_plan(SiddhiPartitionRuntime *p)
{
	return p->plan;
}

void
siddhi_partition_set_queries(SiddhiPartitionRuntime *p, int n)
{
	Assert(p->count == 0);
	p->nqueries = n;
}

static SiddhiPartInstance *
instance_find(SiddhiPartitionRuntime *p, const char *key, int len, uint64 hash)
{
	PartEntry *e = partmap_lookup(p->keys, hash);
	SiddhiPartInstance *inst;

	for (inst = e ? e->inst : NULL; inst; inst = inst->next_same)
		if (inst->keylen == len && memcmp(inst->key, key, len) == 0)
			return inst;
	return NULL;
}

/* A new key's instance, numbered seq (< 0: the next number), last. */
static SiddhiPartInstance *
instance_make(SiddhiPartitionRuntime *p, const char *key, int len, uint64 hash,
			  int64 now, int64 seq)
{
	PartEntry *e;
	bool found;
	SiddhiPartInstance *inst;
	MemoryContext cxt;

	if (p->count >= siddhi_max_partition_keys)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("partition \"%s\" has %lld keys, as many as "
						"siddhi.max_partition_keys allows",
						p->plan->name, (long long) p->count),
				 errhint("Release idle keys with @purge(enable = 'true', "
						 "interval = '..', idle.period = '..'), or raise "
						 "siddhi.max_partition_keys.")));

	/* everything the key holds lives in its context */
	cxt = AllocSetContextCreate(p->cxt, "siddhi partition key",
								ALLOCSET_SMALL_SIZES);
	/*
	 * The instance, its queries' states and its key in one piece: a
	 * lookup reads the key, and the event's step the states, right after.
	 */
	inst = MemoryContextAllocZero(
		cxt, MAXALIGN(sizeof(SiddhiPartInstance)) +
				 MAXALIGN(sizeof(void *) * Max(p->nqueries, 1)) + len + 1);
	inst->cxt = cxt;
	inst->states =
		(void **) ((char *) inst + MAXALIGN(sizeof(SiddhiPartInstance)));
	inst->key =
		(char *) inst->states + MAXALIGN(sizeof(void *) * Max(p->nqueries, 1));
	memcpy(inst->key, key, len);
	inst->key[len] = '\0';
	inst->keylen = len;
	inst->last_used = now;
	inst->due = -1; /* in no schedule yet (partition_schedule.c) */
	PG_TRY();
	{
		for (int i = 0; i < p->nqueries; i++)
			inst->states[i] = p->make(p->make_arg, i, inst);
	}
	PG_CATCH();
	{
		MemoryContextDelete(cxt);
		PG_RE_THROW();
	}
	PG_END_TRY();

	inst->hash = hash;
	e = partmap_insert(p->keys, hash, &found);
	inst->next_same = found ? e->inst : NULL;
	e->inst = inst;
	inst->seq = seq < 0 ? p->next_seq : seq;
	p->next_seq = Max(p->next_seq, inst->seq + 1);
	dlist_push_tail(&p->instances, &inst->node);
	p->count++;
	if (p->plan->purge && p->next_purge < 0)
		p->next_purge = now + p->plan->purge_interval;
	return inst;
}

/* The instance of a key, made when new; hash is key's, or NULL. */
static SiddhiPartInstance *
instance_for(SiddhiPartitionRuntime *p, const char *key, int len, int64 now,
			 const uint64 *ahead)
{
	uint64 hash = ahead ? *ahead : key_hash(key, len);
	SiddhiPartInstance *inst = instance_find(p, key, len, hash);

	if (inst)
	{
		inst->last_used = now;
		return inst;
	}
	return instance_make(p, key, len, hash, now, -1);
}

/* How the partition divides stream relid, or NULL when it does not. */
static PartStream *
part_stream(SiddhiPartitionRuntime *p, Oid relid)
{
	PartStream *ps = NULL;

	for (int i = 0; i < p->nstreams; i++)
		if (p->streams[i].relid == relid)
			ps = &p->streams[i];
	return ps;
}

bool
siddhi_partition_divides(SiddhiPartitionRuntime *p, Oid relid)
{
	return part_stream(p, relid) != NULL;
}

/*
 * Keys looked at ahead.  With many keys, routing an event waits on memory
 * three times, one after the other: the key map's slot, the key's
 * instance, its text.  A chunk's loop (query_chunk.c) therefore hashes the
 * key of an event a few rows before it routes it and has the map's slot
 * fetched (siddhi_partition_key_ahead), has the instance fetched a row
 * before (siddhi_partition_prefetch_key), and hands the hash to the
 * routing, so that the waits overlap the work on the rows between.  Only
 * a text column as the key is looked at ahead: reading it cannot fail.
 */
bool
siddhi_partition_keys_ahead(SiddhiPartitionRuntime *p, Oid relid)
{
	PartStream *ps = part_stream(p, relid);

	return ps != NULL && ps->key_attno > 0;
}

bool
siddhi_partition_key_ahead(SiddhiPartitionRuntime *p, Oid relid,
						   TupleTableSlot *slot, uint64 *hash)
{
	PartStream *ps = part_stream(p, relid);
	struct varlena *v;
	bool isnull;
	Datum d;

	if (ps == NULL || ps->key_attno <= 0)
		return false;
	d = slot_getattr(slot, ps->key_attno, &isnull);
	if (isnull)
		return false;
	v = (struct varlena *) DatumGetPointer(d);
	if (VARATT_IS_EXTENDED(v) && !VARATT_IS_SHORT(v))
		return false; /* compressed: routing detoasts it */
	*hash = key_hash(VARDATA_ANY(v), VARSIZE_ANY_EXHDR(v));
	key_prefetch(
		&p->keys->data[partmap_initial_bucket(p->keys, PARTMAP_HASH(*hash))]);
	return true;
}

void
siddhi_partition_prefetch_key(SiddhiPartitionRuntime *p, uint64 hash)
{
	PartEntry *e = partmap_lookup(p->keys, hash);
	char *inst;

	if (e == NULL)
		return;
	/* the instance, its key, and what its queries made next to it */
	inst = (char *) e->inst;
	for (int off = 0; off < PREFETCH_SPAN; off += 64)
		key_prefetch(inst + off);
}

/*
 * ahead: the hash siddhi_partition_key_ahead gave for this event's key,
 * or NULL.
 */
int
siddhi_partition_route(SiddhiPartitionRuntime *p, Oid relid,
					   ExprContext *econtext, int64 now,
					   SiddhiPartInstance **out, const uint64 *ahead)
{
	PartStream *ps = part_stream(p, relid);
	int n = 0;

	if (ps == NULL)
		return -1;
	if (ps->value)
	{
		bool isnull;
		Datum v = ExecEvalExpr(ps->value, econtext, &isnull);
		char *text;

		if (isnull)
			return 0;
		if (ps->value_is_text)
		{
			/* its text is its bytes (textout's): no copy */
			struct varlena *t = PG_DETOAST_DATUM_PACKED(v);

			out[n++] = instance_for(p, VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t),
									now, ps->key_attno ? ahead : NULL);
			return n;
		}
		text = OutputFunctionCall(&ps->value_out, v);
		out[n++] = instance_for(p, text, strlen(text), now, NULL);
		pfree(text);
		return n;
	}
	for (int k = 0; k < ps->nranges && n < SIDDHI_MAX_RANGES; k++)
		if (ExecQual(ps->ranges[k], econtext))
			out[n++] = instance_for(p, ps->labels[k], strlen(ps->labels[k]),
									now, NULL);
	return n;
}

dlist_head *
siddhi_partition_instances(SiddhiPartitionRuntime *p)
{
	return &p->instances;
}

int64
siddhi_partition_count(SiddhiPartitionRuntime *p)
{
	return p->count;
}

int64
siddhi_partition_purge_deadline(SiddhiPartitionRuntime *p)
{
	return p->plan->purge ? p->next_purge : -1;
}

void
siddhi_partition_purge(SiddhiPartitionRuntime *p, int64 now,
					   void (*done)(void *arg, SiddhiPartInstance *inst),
					   void *arg)
{
	dlist_mutable_iter it;

	if (!p->plan->purge || p->next_purge < 0 || now < p->next_purge)
		return;
	while (p->next_purge <= now)
		p->next_purge += p->plan->purge_interval;
	dlist_foreach_modify(it, &p->instances)
	{
		SiddhiPartInstance *inst =
			dlist_container(SiddhiPartInstance, node, it.cur);
		PartEntry *e;

		if (inst->last_used + p->plan->purge_idle >= now)
			continue;
		if (done)
			done(arg, inst);
		dlist_delete(&inst->node);
		e = partmap_lookup(p->keys, inst->hash);
		Assert(e != NULL);
		if (e->inst == inst)
		{
			if (inst->next_same)
				e->inst = inst->next_same;
			else
				partmap_delete_item(p->keys, e);
		}
		else
		{
			SiddhiPartInstance *prev = e->inst;

			while (prev->next_same != inst)
				prev = prev->next_same;
			prev->next_same = inst->next_same;
		}
		p->count--;
		MemoryContextDelete(inst->cxt);
	}
}

/*
 * Epochs: the keys are saved with the state of each query of the partition
 * (src/runtime/partition_state.c).  Restoring a query finds the key's
 * instance, or makes it (with fresh states for every query, as a new key's
 * first event does) at the place its sequence number gives it: the order
 * the keys were made in, whichever query's saved state makes them.
 */
SiddhiPartInstance *
siddhi_partition_restore_key(SiddhiPartitionRuntime *p, const char *key,
							 int len, int64 last_used, int64 seq)
{
	uint64 hash = key_hash(key, len);
	SiddhiPartInstance *inst = instance_find(p, key, len, hash);
	dlist_node *at;

	if (inst)
	{
		/* another query saved it after this one did: its use is later */
		inst->last_used = Max(inst->last_used, last_used);
		return inst;
	}
	inst = instance_make(p, key, len, hash, last_used, seq);
	/* after the last instance made before it (mostly: already there) */
	dlist_delete(&inst->node);
	for (at = p->instances.head.prev; at != &p->instances.head; at = at->prev)
		if (dlist_container(SiddhiPartInstance, node, at)->seq < seq)
			break;
	dlist_insert_after(at, &inst->node);
	return inst;
}

int64
siddhi_partition_next_seq(SiddhiPartitionRuntime *p)
{
	return p->next_seq;
}

void
siddhi_partition_set_next_seq(SiddhiPartitionRuntime *p, int64 seq)
{
	p->next_seq = Max(p->next_seq, seq);
}

int64
siddhi_partition_next_purge(SiddhiPartitionRuntime *p)
{
	return p->next_purge;
}

void
siddhi_partition_set_next_purge(SiddhiPartitionRuntime *p, int64 at)
{
	p->next_purge = at;
}

/* Release every key, as if none had come (siddhi.state_roundtrip). */
void
siddhi_partition_clear(SiddhiPartitionRuntime *p)
{
	dlist_mutable_iter it;

	dlist_foreach_modify(it, &p->instances)
	{
		SiddhiPartInstance *inst =
			dlist_container(SiddhiPartInstance, node, it.cur);

		dlist_delete(&inst->node);
		MemoryContextDelete(inst->cxt);
	}
	partmap_reset(p->keys);
	p->count = 0;
	p->next_purge = -1;
	p->next_seq = 0;
}
