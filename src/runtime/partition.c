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
 * aggregators, rate limiter), which runtime.c makes on demand.
 *
 * Memory: at most siddhi.max_partition_keys instances per partition; an
 * event of a new key beyond that fails (the query counts the error and
 * skips the event).  With @purge(enable = 'true', interval, idle.period)
 * keys that saw no event for idle.period are released every interval;
 * their state is gone, and a later event of the key starts afresh.
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
#include "utils/hsearch.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"

int siddhi_max_partition_keys = 1000000;

typedef struct PartKey
{
	const char *data;
	int len;
} PartKey;

typedef struct PartEntry
{
	PartKey key; /* points into the instance once made */
	SiddhiPartInstance *inst;
} PartEntry;

/* How the events of one divided stream find their keys. */
typedef struct PartStream
{
	Oid relid;
	ExprState *value; /* value partition */
	FmgrInfo value_out;
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
	HTAB *keys;
	dlist_head instances; /* oldest first */
	int64 count;
	int64 next_purge; /* -1: not yet (no key yet) or no purge */
};

static uint32
partkey_hash(const void *key, Size keysize)
{
	const PartKey *k = key;

	return hash_bytes((const unsigned char *) k->data, k->len);
}

static int
partkey_match(const void *a, const void *b, Size keysize)
{
	const PartKey *x = a;
	const PartKey *y = b;

	if (x->len != y->len)
		return 1;
	return memcmp(x->data, y->data, x->len);
}

SiddhiPartitionRuntime *
siddhi_partition_create(SiddhiPartitionPlan *plan, int nqueries,
						SiddhiPartStateFn make, void *arg,
						MemoryContext parent)
{
	MemoryContext old = MemoryContextSwitchTo(parent);
	SiddhiPartitionRuntime *p = palloc0(sizeof(SiddhiPartitionRuntime));
	HASHCTL ctl;
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
	memset(&ctl, 0, sizeof(ctl));
	ctl.keysize = sizeof(PartKey);
	ctl.entrysize = sizeof(PartEntry);
	ctl.hash = partkey_hash;
	ctl.match = partkey_match;
	ctl.hcxt = parent;
	p->keys =
		hash_create("siddhi partition keys", 256, &ctl,
					HASH_ELEM | HASH_FUNCTION | HASH_COMPARE | HASH_CONTEXT);
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

/* The instance of a key, made when new. */
static SiddhiPartInstance *
instance_for(SiddhiPartitionRuntime *p, const char *key, int len, int64 now)
{
	PartKey k = { key, len };
	PartEntry *e;
	bool found;
	SiddhiPartInstance *inst;
	MemoryContext cxt;

	e = hash_search(p->keys, &k, HASH_FIND, NULL);
	if (e)
	{
		e->inst->last_used = now;
		return e->inst;
	}
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
	inst = MemoryContextAllocZero(cxt, sizeof(SiddhiPartInstance));
	inst->cxt = cxt;
	inst->key = MemoryContextAlloc(cxt, len + 1);
	memcpy(inst->key, key, len);
	inst->key[len] = '\0';
	inst->keylen = len;
	inst->last_used = now;
	inst->states =
		MemoryContextAllocZero(cxt, sizeof(void *) * Max(p->nqueries, 1));
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

	k.data = inst->key;
	e = hash_search(p->keys, &k, HASH_ENTER, &found);
	Assert(!found);
	e->key = k;
	e->inst = inst;
	dlist_push_tail(&p->instances, &inst->node);
	p->count++;
	if (p->plan->purge && p->next_purge < 0)
		p->next_purge = now + p->plan->purge_interval;
	return inst;
}

int
siddhi_partition_route(SiddhiPartitionRuntime *p, Oid relid,
					   ExprContext *econtext, int64 now,
					   SiddhiPartInstance **out)
{
	PartStream *ps = NULL;
	int n = 0;

	for (int i = 0; i < p->nstreams; i++)
		if (p->streams[i].relid == relid)
			ps = &p->streams[i];
	if (ps == NULL)
		return -1;
	if (ps->value)
	{
		bool isnull;
		Datum v = ExecEvalExpr(ps->value, econtext, &isnull);
		char *text;

		if (isnull)
			return 0;
		text = OutputFunctionCall(&ps->value_out, v);
		out[n++] = instance_for(p, text, strlen(text), now);
		pfree(text);
		return n;
	}
	for (int k = 0; k < ps->nranges && n < SIDDHI_MAX_RANGES; k++)
		if (ExecQual(ps->ranges[k], econtext))
			out[n++] =
				instance_for(p, ps->labels[k], strlen(ps->labels[k]), now);
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
		PartKey k = { inst->key, inst->keylen };

		if (inst->last_used + p->plan->purge_idle >= now)
			continue;
		if (done)
			done(arg, inst);
		dlist_delete(&inst->node);
		hash_search(p->keys, &k, HASH_REMOVE, NULL);
		p->count--;
		MemoryContextDelete(inst->cxt);
	}
}
