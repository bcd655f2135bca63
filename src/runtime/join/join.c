/*-------------------------------------------------------------------------
 *
 * join.c
 *	  The join processor: an event of one side probes the other side.
 *
 * Semantics (Siddhi 5.1's JoinProcessor): every event a side's window
 * hands out, current or expired, is joined with the other side's window
 * contents as they are at that moment (oldest first), and goes out with
 * its own kind and timestamp, one row per match of `on`; a side without a
 * window is an empty one (its events still probe the other side).  An
 * arrival on an outer side (left outer: the left; right outer: the right;
 * full: both) that matches nothing goes out once, the other side null.
 * A side is not triggering when the other side is unidirectional, nor
 * when it is a table.  Whether expired rows reach the output is the
 * query's business (insert expired/all events, or aggregators that take
 * them back): the driver (query.c) decides after the join.
 *
 * Tables (and aggregations, read through their view: src/analyzer/
 * analyze_join.c adds within and per to on): the analyzer made `on` a
 * SELECT over the table whose $k are the
 * primary side's attributes; we plan it once, when the app starts, so an
 * equality of an indexed column with a stream expression is an index
 * scan, and run it for each arrival with a fresh snapshot after
 * CommandCounterIncrement (the driver first writes rows buffered for the
 * table), so the probe sees the table as it is at that moment, including
 * what earlier events of the batch did and what other sessions committed.
 *
 * Index lookups skip the executor: join_lookup.c.
 *
 * Windows probed by an equality key: when the analyzer found a conjunct
 * a.x == b.y it could hash (plan->key_attno), an arrival hashes its key
 * and reads only the other window's events of that hash, oldest first
 * (siddhi_window_probe, window_index.c), checking all of on on each as a
 * scan would; a window that keeps no usable index is scanned.
 *
 * Memory: the rows matched for one arrival are copied into the query's
 * per-tuple memory, reset after each step; the join itself keeps nothing
 * but its slots.  A join holds what its two windows hold (their bounds;
 * a window's key index is bounded by the events it holds).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/nbtree.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "catalog/pg_am_d.h"
#include "catalog/pg_index.h"
#include "executor/executor.h"
#include "executor/nodeIndexscan.h"
#include "executor/tstoreReceiver.h"
#include "join_int.h"
#include "lookup_cache.h"
#include "miscadmin.h"
#include "nodes/params.h"
#include "optimizer/optimizer.h"
#include "rewrite/rewriteHandler.h"
#include "siddhi/minslot.h"
#include "siddhi/key_hash.h"
#include "siddhi/errors.h"
#include "siddhi/join.h"
#include "storage/lmgr.h"
#include "storage/proc.h"
#include "tcop/tcopprot.h"
#include "utils/inval.h"
#include "utils/rel.h"
#include "utils/relcache.h"
#include "utils/resowner.h"
#include "utils/snapmgr.h"
#include "utils/tuplestore.h"


/* relcache invalidations seen (any relation): a join then compares its
 * table's indexes with those its probe was planned with */
static uint64 relcache_gen = 1;
static bool relcache_callback_registered = false;

static List *table_indexes(Oid relid);

static void
join_relcache_callback(Datum arg, Oid relid)
{
	relcache_gen++;
}

/* A descriptor of attributes [from, from + n) of desc. */
static TupleDesc
side_desc(TupleDesc desc, int from, int n)
{
	TupleDesc d = CreateTemplateTupleDesc(n);

	for (int i = 0; i < n; i++)
		TupleDescCopyEntry(d, i + 1, desc, from + i + 1);
	return d;
}

/* Whether a plan reads its table through an index. */
static bool
plan_uses_index(Plan *plan)
{
	if (plan == NULL)
		return false;
	switch (nodeTag(plan))
	{
		case T_IndexScan:
		case T_IndexOnlyScan:
		case T_BitmapHeapScan:
		case T_BitmapIndexScan:
			return true;
		default:
			return plan_uses_index(plan->lefttree) ||
				   plan_uses_index(plan->righttree);
	}
}

SiddhiJoin *
siddhi_join_create(SiddhiJoinPlan *plan, ExprContext *econtext,
				   MemoryContext cxt)
{
	MemoryContext old = MemoryContextSwitchTo(cxt);
	SiddhiJoin *j = palloc0(sizeof(SiddhiJoin));

	j->cxt = cxt;
	j->nprimary = plan->nprimary;
	j->ts_at = plan->ts_at;
	j->nother =
		plan->desc->natts - plan->nprimary - (plan->ts_at >= 0 ? 2 : 0);
	j->row = MakeSingleTupleTableSlot(plan->desc, &TTSOpsVirtual);
	j->side_slot[0] = MakeSingleTupleTableSlot(
		side_desc(plan->desc, 0, j->nprimary), &TTSOpsMinimalTuple);
	j->side_slot[1] = MakeSingleTupleTableSlot(
		side_desc(plan->desc, j->nprimary, j->nother), &TTSOpsMinimalTuple);
	j->econtext = econtext;
	if (plan->on && plan->probe == NULL)
		j->on = ExecInitQual(list_make1(plan->on), NULL);
	memcpy(j->triggers, plan->triggers, sizeof(j->triggers));
	memcpy(j->outer, plan->outer, sizeof(j->outer));
	for (int side = 0; side < 2; side++)
		if (j->on && plan->key_attno[side] > 0 &&
			OidIsValid(plan->key_hash[side]))
		{
			j->key_attno[side] = plan->key_attno[side];
			siddhi_key_hash_init(&j->key_hash[side], plan->key_hash[side],
								 plan->key_collation, cxt);
		}
	if (plan->probe)
	{
		List *rewritten = QueryRewrite(copyObject(plan->probe));
		ListCell *lc;
		int i = 0;

		if (list_length(rewritten) != 1)
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("rules on table \"%s\" make a join's lookup %d "
							"statements",
							plan->other->name, list_length(rewritten))));
		j->table = plan->other->relid;
		j->aggregation = plan->other->kind == SIDDHI_REL_AGGREGATION_VIEW;
		j->probe_query = copyObject(plan->probe);
		j->probe_indexes = table_indexes(j->table);
		j->probe_gen = relcache_gen;
		if (!relcache_callback_registered)
		{
			CacheRegisterRelcacheCallback(join_relcache_callback, (Datum) 0);
			relcache_callback_registered = true;
		}
		j->probe = pg_plan_query(linitial(rewritten), NULL, 0, NULL);
		j->probe_uses_index = plan_uses_index(j->probe->planTree);
		j->params = makeParamList(list_length(plan->param_types));
		foreach(lc, plan->param_types)
		{
			ParamExternData *p = &j->params->params[i++];

			p->ptype = lfirst_oid(lc);
			p->pflags = PARAM_FLAG_CONST;
			p->isnull = true;
		}
		join_index_lookup_prepare(j);
	}
	MemoryContextSwitchTo(old);
	return j;
}

Oid
siddhi_join_table(SiddhiJoin *j)
{
	return j->table;
}

bool
siddhi_join_reads_aggregation(SiddhiJoin *j)
{
	return j->aggregation;
}

bool
siddhi_join_uses_index(SiddhiJoin *j)
{
	return j->probe_uses_index;
}

/* The sides' event timestamps, when the row has them (stream sides). */
static inline void
set_times(SiddhiJoin *j, int side, int64 ts, const JoinMatch *other)
{
	TupleTableSlot *row = j->row;

	if (j->ts_at < 0)
		return;
	row->tts_values[j->ts_at + side] = Int64GetDatum(ts);
	row->tts_isnull[j->ts_at + side] = false;
	row->tts_values[j->ts_at + 1 - side] =
		Int64GetDatum(other ? other->ts : 0);
	row->tts_isnull[j->ts_at + 1 - side] = other == NULL;
}

/*
 * Make the combined row from the arrival (slot, on side, at ts) and a
 * tuple of the other side (NULL: nulls).
 */
static void
build_row(SiddhiJoin *j, int side, TupleTableSlot *slot, int64 ts,
		  const JoinMatch *match)
{
	MinimalTuple other = match ? match->tuple : NULL;
	TupleTableSlot *row = j->row;
	int pbase = side == 0 ? 0 : j->nprimary;
	int obase = side == 0 ? j->nprimary : 0;
	int on = side == 0 ? j->nother : j->nprimary;

	siddhi_slot_empty(row);
	slot_getallattrs(slot);
	memcpy(row->tts_values + pbase, slot->tts_values,
		   sizeof(Datum) * slot->tts_tupleDescriptor->natts);
	memcpy(row->tts_isnull + pbase, slot->tts_isnull,
		   sizeof(bool) * slot->tts_tupleDescriptor->natts);
	if (other)
	{
		TupleTableSlot *os = j->side_slot[1 - side];

		siddhi_slot_put_minimal(os, other);
		slot_getallattrs(os);
		memcpy(row->tts_values + obase, os->tts_values, sizeof(Datum) * on);
		memcpy(row->tts_isnull + obase, os->tts_isnull, sizeof(bool) * on);
	}
	else
	{
		memset(row->tts_values + obase, 0, sizeof(Datum) * on);
		memset(row->tts_isnull + obase, true, sizeof(bool) * on);
	}
	set_times(j, side, ts, match);
	ExecStoreVirtualTuple(row);
}

/*
 * Put a tuple of the other side into the combined row, whose arrival part
 * build_row already made: what a scan does for each candidate.  The
 * clear keeps a virtual slot's values (nothing materializes the row
 * during a scan), so the arrival's stay.
 */
static void
set_other(SiddhiJoin *j, int side, MinimalTuple other, int64 other_ts)
{
	TupleTableSlot *row = j->row;
	TupleTableSlot *os = j->side_slot[1 - side];
	int obase = side == 0 ? j->nprimary : 0;
	int on = side == 0 ? j->nother : j->nprimary;

	siddhi_slot_empty(row);
	siddhi_slot_put_minimal(os, other);
	slot_getallattrs(os);
	for (int i = 0; i < on; i++)
	{
		row->tts_values[obase + i] = os->tts_values[i];
		row->tts_isnull[obase + i] = os->tts_isnull[i];
	}
	if (j->ts_at >= 0)
	{
		row->tts_values[j->ts_at + 1 - side] = Int64GetDatum(other_ts);
		row->tts_isnull[j->ts_at + 1 - side] = false;
	}
	ExecStoreVirtualTuple(row);
}

/* State of one probe of a window. */
typedef struct ScanArg
{
	SiddhiJoin *j;
	int side; /* of the arrival */
	TupleTableSlot *slot;
	int64 ts;
	bool row_built; /* the arrival's part of j->row is made */
} ScanArg;

/* The next match of an arrival, in j->matches. */
static JoinMatch *
next_match(SiddhiJoin *j)
{
	if (j->nmatches == j->matches_cap)
	{
		int cap = Max(16, j->matches_cap * 2);

		j->matches = j->matches
						 ? repalloc(j->matches, sizeof(JoinMatch) * cap)
						 : MemoryContextAlloc(j->cxt, sizeof(JoinMatch) * cap);
		j->matches_cap = cap;
	}
	return &j->matches[j->nmatches++];
}

/*
 * The most room for copies a join keeps between arrivals; an arrival that
 * needed more gives it back after it (matches are a few per arrival when
 * a join is probed by its key).
 */
#define JOIN_COPIES_KEPT (256 * 1024)

/* Copy a window's tuple into j->copies; its offset there. */
static Size
copy_match(SiddhiJoin *j, MinimalTuple tuple)
{
	Size off = j->copies_used;
	Size need = off + MAXALIGN(tuple->t_len);

	if (need > j->copies_cap)
	{
		Size cap = Max(Max(need, 4096), j->copies_cap * 2);

		j->copies = j->copies ? repalloc_huge(j->copies, cap)
							  : MemoryContextAllocHuge(j->cxt, cap);
		j->copies_cap = cap;
	}
	memcpy(j->copies + off, tuple, tuple->t_len);
	j->copies_used = need;
	return off;
}

/* Callback of siddhi_window_scan: keep the contents that satisfy on. */
static void
scan_event(void *arg, SiddhiEventKind kind, MinimalTuple tuple, int64 ts)
{
	ScanArg *sa = arg;
	SiddhiJoin *j = sa->j;
	JoinMatch *m;

	if (kind == SIDDHI_EVENT_CHUNK_END)
		return;
	if (j->on)
	{
		/* the arrival's part of the row, once, at the first candidate
		 * (a probe by key usually has none) */
		if (!sa->row_built)
		{
			build_row(j, sa->side, sa->slot, sa->ts, NULL);
			sa->row_built = true;
		}
		set_other(j, sa->side, tuple, ts);
		j->econtext->ecxt_scantuple = j->row;
		if (!ExecQual(j->on, j->econtext))
			return;
	}
	m = next_match(j);
	m->tuple = NULL;
	m->off = copy_match(j, tuple);
	m->ts = ts;
}

/*
 * Probe the other side's window by the arrival's join key: only the
 * events of its hash are candidates for on.  A NULL key matches nothing
 * (the key's operator is strict and on is a conjunction).  False when the
 * window keeps no usable index: the caller scans it.
 */
static bool
probe_by_key(SiddhiJoin *j, int side, TupleTableSlot *slot,
			 SiddhiWindow *own_window, SiddhiWindow *other_window, ScanArg *sa)
{
	bool isnull;
	Datum key;
	uint32 hash;

	/* the arrival's own window hashed its key as it took the event in */
	if (slot->tts_ops == &TTSOpsMinimalTuple &&
		siddhi_window_newest_hash(
			own_window, ((MinimalTupleTableSlot *) slot)->mintuple,
			j->key_attno[side], &j->key_hash[side], &hash))
		return siddhi_window_probe(other_window, hash, scan_event, sa);
	key = slot_getattr(slot, j->key_attno[side], &isnull);
	if (isnull)
		return true;
	hash = siddhi_key_hash(&j->key_hash[side], key);
	return siddhi_window_probe(other_window, hash, scan_event, sa);
}

/* The OIDs of a table's indexes, in the current memory context. */
static List *
table_indexes(Oid relid)
{
	Relation rel = table_open(relid, AccessShareLock);
	List *idx = list_copy(RelationGetIndexList(rel));

	table_close(rel, NoLock);
	return idx;
}

/*
 * Plan the probe again when the table's indexes changed since it was
 * planned (DROP INDEX, REINDEX CONCURRENTLY, CREATE INDEX): a plan, or a
 * bare index scan, on an index that is gone fails every event, and a new
 * index may serve the lookup.  The app runs on with its state.
 */
static void
probe_replan_if_needed(SiddhiJoin *j)
{
	MemoryContext old;
	List *now;
	List *rewritten;

	if (j->probe_gen == relcache_gen)
		return;
	j->probe_gen = relcache_gen;
	old = MemoryContextSwitchTo(j->cxt);
	now = table_indexes(j->table);
	if (equal(now, j->probe_indexes))
	{
		list_free(now);
		MemoryContextSwitchTo(old);
		return;
	}
	list_free(j->probe_indexes);
	j->probe_indexes = now;
	rewritten = QueryRewrite(copyObject(j->probe_query));
	if (list_length(rewritten) != 1)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("rules on the joined table make a join's lookup %d "
						"statements",
						list_length(rewritten))));
	j->probe = pg_plan_query(linitial(rewritten), NULL, 0, NULL);
	j->probe_uses_index = plan_uses_index(j->probe->planTree);
	/* the bare index scan of the old plan, if any, goes */
	j->indexid = InvalidOid;
	j->keys = NULL;
	j->nkeys = 0;
	j->runtime_keys = NULL;
	j->nruntime_keys = 0;
	j->lookup_qual = NULL;
	j->lookup_recheck = NULL;
	j->lookup = NULL;
	siddhi_lookup_cache_free(j->cache);
	j->cache = NULL;
	join_index_lookup_prepare(j);
	MemoryContextSwitchTo(old);
}

/* The table's rows that satisfy on for the arrival in slot. */
static List *
probe_table(SiddhiJoin *j, TupleTableSlot *slot)
{
	MemoryContext old;
	Tuplestorestate *store;
	DestReceiver *dest;
	TupleTableSlot *ts;
	QueryDesc *qd;
	List *rows = NIL;
	ListCell *lc;

	probe_replan_if_needed(j);
	slot_getallattrs(slot);
	for (int i = 0; i < j->params->numParams; i++)
	{
		j->params->params[i].value = slot->tts_values[i];
		j->params->params[i].isnull = slot->tts_isnull[i];
	}
	if (OidIsValid(j->indexid))
		return join_index_lookup(j);

	/* any other plan: through the executor */
	old = MemoryContextSwitchTo(j->econtext->ecxt_per_tuple_memory);
	store = tuplestore_begin_heap(false, false, work_mem);
	dest = CreateDestReceiver(DestTuplestore);
	SetTuplestoreDestReceiverParams(dest, store, CurrentMemoryContext, false,
									NULL, NULL);
	foreach(lc, j->probe->rtable)
	{
		RangeTblEntry *rte = lfirst(lc);

		if (rte->rtekind == RTE_RELATION)
			LockRelationOid(rte->relid, rte->rellockmode);
	}
	CommandCounterIncrement();
	PushActiveSnapshot(GetTransactionSnapshot());
	qd = CreateQueryDesc(j->probe, "siddhi join lookup", GetActiveSnapshot(),
						 InvalidSnapshot, dest, j->params, NULL, 0);
	ExecutorStart(qd, 0);
	ExecutorRun(qd, ForwardScanDirection, 0, true);
	ExecutorFinish(qd);
	ExecutorEnd(qd);
	FreeQueryDesc(qd);
	PopActiveSnapshot();
	dest->rDestroy(dest);

	ts = MakeSingleTupleTableSlot(j->side_slot[1]->tts_tupleDescriptor,
								  &TTSOpsMinimalTuple);
	while (tuplestore_gettupleslot(store, true, true, ts))
		rows = lappend(rows, ExecCopySlotMinimalTuple(ts));
	ExecDropSingleTupleTableSlot(ts);
	tuplestore_end(store);
	MemoryContextSwitchTo(old);
	return rows;
}

void
siddhi_join_arrive(SiddhiJoin *j, int side, TupleTableSlot *slot, int64 ts,
				   SiddhiEventKind kind, SiddhiWindow *own_window,
				   SiddhiWindow *other_window, SiddhiJoinRowFn fn, void *arg)
{
	ScanArg sa = { j, side, slot, ts, false };
	ListCell *lc;
	int nmatches;

	if (!j->triggers[side])
		return;
	/* (what an arrival that failed left goes) */
	j->nmatches = 0;
	j->copies_used = 0;
	if (OidIsValid(j->table))
	{
		MemoryContext old =
			MemoryContextSwitchTo(j->econtext->ecxt_per_tuple_memory);
		List *rows = probe_table(j, slot);

		MemoryContextSwitchTo(old);
		Assert(side == 0);
		foreach(lc, rows)
		{
			JoinMatch *m = next_match(j);

			m->tuple = lfirst(lc);
			m->ts = 0; /* a table's row has no time (ts_at is -1) */
		}
	}
	else if (other_window)
	{
		if (j->key_attno[side] == 0 ||
			!probe_by_key(j, side, slot, own_window, other_window, &sa))
			siddhi_window_scan(other_window, scan_event, &sa);
		/* the copies are where they stay now */
		for (int i = 0; i < j->nmatches; i++)
			j->matches[i].tuple =
				(MinimalTuple) (j->copies + j->matches[i].off);
	}
	nmatches = j->nmatches;
	for (int i = 0; i < nmatches; i++)
	{
		build_row(j, side, slot, ts, &j->matches[i]);
		fn(arg, j->row, ts, kind);
	}
	j->nmatches = 0;
	j->copies_used = 0;
	if (j->copies_cap > JOIN_COPIES_KEPT)
	{
		/* a probe that matched much: its room is not kept */
		pfree(j->copies);
		j->copies = NULL;
		j->copies_cap = 0;
	}
	if (nmatches == 0 && j->outer[side])
	{
		build_row(j, side, slot, ts, NULL);
		fn(arg, j->row, ts, kind);
	}
}
