/*-------------------------------------------------------------------------
 *
 * join_lookup.c
 *	  A table join's lookup as a bare index scan, and its cache of rows.
 *
 * Index lookups skip the executor: starting and ending a plan for every
 * event cost as much as the index descent itself.  When the plan is a
 * plain index scan, we keep its scan keys, open the table and index once
 * per transaction (the first lookup of a batch) and, per arrival, only
 * evaluate the keys, rescan the index and check the plan's remaining
 * quals; by a unique key, lookup_cache.c remembers where each key's row
 * was, and the row is read there when it still is (cached_row).  Ownership: the relations, their locks and the scan belong to the
 * top transaction's resource owner and are closed just before commit (a
 * transaction callback); buffer pins are taken by the current
 * subtransaction and all dropped before a lookup returns.  An error in
 * the middle of a lookup aborts the subtransaction, which releases the
 * pins the scan still points to: the subtransaction callback then marks
 * the scan unusable, and the next lookup opens a new one.
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
#include "join_int.h"
#include "lookup_cache.h"
#include "miscadmin.h"
#include "nodes/params.h"
#include "siddhi/join.h"
#include "storage/proc.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/resowner.h"
#include "utils/snapmgr.h"
#include "utils/tuplestore.h"

/*
 * The index scan of one join's table, open for one transaction (see the
 * banner).  Lives in TopTransactionContext.
 */
struct LookupScan
{
	Relation heap;
	Relation index;
	IndexScanDesc scan;
	TupleTableSlot *slot;
	bool busy;	 /* a lookup is running: pins may be held */
	bool broken; /* a subtransaction aborted during a lookup */
	/* the heap's blocks when opened: no TID of the cache past them */
	BlockNumber nblocks;
};

/* The lookups open in this transaction, closed at pre-commit. */
static List *open_lookups = NIL;
static bool lookup_callbacks_registered = false;

/*
 * Transaction callback: close the lookups of the transaction before it
 * commits (under the top resource owner, which holds them), forget them
 * when it aborts (the abort releases them).
 */
static void
lookup_xact_callback(XactEvent event, void *arg)
{
	ListCell *lc;

	switch (event)
	{
		case XACT_EVENT_PRE_COMMIT:
		case XACT_EVENT_PARALLEL_PRE_COMMIT:
		case XACT_EVENT_PRE_PREPARE:
		{
			ResourceOwner save = CurrentResourceOwner;

			CurrentResourceOwner = TopTransactionResourceOwner;
			foreach(lc, open_lookups)
			{
				LookupScan *ls = lfirst(lc);

				/* (a broken scan's pins are the top owner's too) */
				ExecDropSingleTupleTableSlot(ls->slot);
				index_endscan(ls->scan);
				index_close(ls->index, NoLock);
				table_close(ls->heap, NoLock);
			}
			CurrentResourceOwner = save;
			open_lookups = NIL;
		}
		break;
		case XACT_EVENT_ABORT:
		case XACT_EVENT_PARALLEL_ABORT:
			open_lookups = NIL;
			break;
		default:
			break;
	}
}

/*
 * A subtransaction aborted: a lookup it interrupted may have left its scan
 * half way, not to be stepped again (its pins are the top owner's: they
 * stay valid until the scan is closed at pre-commit).
 */
static void
lookup_subxact_callback(SubXactEvent event, SubTransactionId sub,
						SubTransactionId parent, void *arg)
{
	ListCell *lc;

	if (event != SUBXACT_EVENT_ABORT_SUB)
		return;
	foreach(lc, open_lookups)
	{
		LookupScan *ls = lfirst(lc);

		if (ls->busy)
		{
			ls->broken = true;
			ls->busy = false;
		}
	}
}

/*
 * Each scan key's column of the table, so that the rows the engine writes
 * into it can be noted in the cache (siddhi_join_note_row); none when a
 * key is an expression's, or of another type than its column (the bytes
 * hashed would not be the arrival's).
 */
static void
lookup_seed_prepare(SiddhiJoin *j, Relation index, const Oid *argtypes)
{
	AttrNumber *attnos = palloc(sizeof(AttrNumber) * j->nkeys);

	j->seed_attno = NULL;
	for (int k = 0; k < j->nkeys; k++)
	{
		AttrNumber attno =
			index->rd_index->indkey.values[j->keys[k].sk_attno - 1];

		if (attno <= 0 || get_atttype(j->table, attno) != argtypes[k])
		{
			pfree(attnos);
			return;
		}
		attnos[k] = attno;
	}
	j->seed_attno = attnos;
	j->seed_values = palloc(sizeof(Datum) * j->nkeys);
	j->seed_nulls = palloc(sizeof(bool) * j->nkeys);
}

/*
 * A cache of where each key's row is (lookup_cache.c), when the scan's
 * keys fix every column of a unique btree index by equality, a row at
 * most matching them: the index is immediate (a deferred one may hold
 * duplicates until commit) and not partial (a row's version off the
 * index could satisfy the keys).  NULL otherwise.  It is also told where
 * the rows the engine writes into the table go (lookup_seed_prepare).
 */
static SiddhiLookupCache *
lookup_cache_for(SiddhiJoin *j, Relation index)
{
	int natts = IndexRelationGetNumberOfKeyAttributes(index);
	Form_pg_index ix = index->rd_index;
	Oid *argtypes;
	bool *fixed;

	if (!ix->indisunique || !ix->indimmediate ||
		index->rd_rel->relam != BTREE_AM_OID ||
		!heap_attisnull(index->rd_indextuple, Anum_pg_index_indpred, NULL) ||
		j->nkeys != natts)
		return NULL;
	argtypes = palloc(sizeof(Oid) * natts);
	fixed = palloc0(sizeof(bool) * natts);
	for (int k = 0; k < j->nkeys; k++)
	{
		ScanKey key = &j->keys[k];
		int col = key->sk_attno - 1;

		if (key->sk_strategy != BTEqualStrategyNumber ||
			(key->sk_flags & (SK_ROW_HEADER | SK_SEARCHARRAY | SK_SEARCHNULL |
							  SK_SEARCHNOTNULL | SK_ORDER_BY)) ||
			col < 0 || col >= natts || fixed[col])
			return NULL;
		fixed[col] = true;
		argtypes[k] = OidIsValid(key->sk_subtype) ? key->sk_subtype
												  : index->rd_opcintype[col];
	}
	lookup_seed_prepare(j, index, argtypes);
	return siddhi_lookup_cache_create(argtypes, j->nkeys, j->cxt);
}

/*
 * When the probe's plan is a plain index scan of the table, keep what a
 * lookup needs without the executor: the scan keys (their stream-side
 * values evaluated per arrival), the plan's other quals, and the index
 * quals themselves for an index whose matches need a recheck.
 */
/*
 * When every scan key is an attribute of the arrival (a parameter, maybe
 * relabelled) or a constant, the keys a later arrival will look up can be
 * read off its row: siddhi_join_prefetch_key.
 */
static void
lookup_ahead_prepare(SiddhiJoin *j)
{
	AttrNumber *attnos = palloc0(sizeof(AttrNumber) * j->nkeys);

	for (int r = 0; r < j->nruntime_keys; r++)
	{
		IndexRuntimeKeyInfo *rk = &j->runtime_keys[r];
		Expr *e = rk->key_expr->expr;
		int k = rk->scan_key - j->keys;

		while (IsA(e, RelabelType))
			e = ((RelabelType *) e)->arg;
		if (k < 0 || k >= j->nkeys || !IsA(e, Param) ||
			((Param *) e)->paramkind != PARAM_EXTERN ||
			((Param *) e)->paramid < 1 ||
			((Param *) e)->paramid > j->params->numParams)
		{
			pfree(attnos);
			return;
		}
		attnos[k] = ((Param *) e)->paramid;
	}
	j->ahead_attno = attnos;
	j->ahead_values = palloc(sizeof(Datum) * j->nkeys);
	j->ahead_nulls = palloc(sizeof(bool) * j->nkeys);
}

bool
siddhi_join_prefetches(SiddhiJoin *j)
{
	return j->ahead_attno != NULL;
}

void
siddhi_join_prefetch_key(SiddhiJoin *j, TupleTableSlot *slot)
{
	if (j->ahead_attno == NULL || j->cache == NULL)
		return;
	for (int k = 0; k < j->nkeys; k++)
	{
		/* an attribute the arrival gets later (a stream function's) */
		if (j->ahead_attno[k] > slot->tts_tupleDescriptor->natts)
			return;
		if (j->ahead_attno[k] > 0)
			j->ahead_values[k] =
				slot_getattr(slot, j->ahead_attno[k], &j->ahead_nulls[k]);
		else
		{
			j->ahead_values[k] = j->keys[k].sk_argument;
			j->ahead_nulls[k] = (j->keys[k].sk_flags & SK_ISNULL) != 0;
		}
	}
	siddhi_lookup_cache_prefetch(j->cache, j->ahead_values, j->ahead_nulls);
}

void
join_index_lookup_prepare(SiddhiJoin *j)
{
	IndexScan *is;
	Relation index;
	IndexArrayKeyInfo *array_keys;
	int narray_keys;

	if (!IsA(j->probe->planTree, IndexScan) || j->probe->subplans != NIL ||
		j->probe->planTree->initPlan != NIL)
		return;
	is = (IndexScan *) j->probe->planTree;
	if (is->indexorderby != NIL || is->scan.scanrelid != 1)
		return;
	index = index_open(is->indexid, AccessShareLock);
	ExecIndexBuildScanKeys(NULL, index, is->indexqual, false, &j->keys,
						   &j->nkeys, &j->runtime_keys, &j->nruntime_keys,
						   &array_keys, &narray_keys);
	if (narray_keys == 0)
		j->cache = lookup_cache_for(j, index);
	index_close(index, AccessShareLock);
	if (narray_keys > 0)
		return;
	j->ahead_attno = NULL;
	if (j->cache)
		lookup_ahead_prepare(j);
	j->lookup_qual = ExecInitQual(is->scan.plan.qual, NULL);
	j->lookup_recheck = ExecInitQual(is->indexqualorig, NULL);
	j->lookup_econtext = CreateStandaloneExprContext();
	j->lookup_econtext->ecxt_param_list_info = j->params;
	j->indexid = is->indexid;
	if (!lookup_callbacks_registered)
	{
		RegisterXactCallback(lookup_xact_callback, NULL);
		RegisterSubXactCallback(lookup_subxact_callback, NULL);
		lookup_callbacks_registered = true;
	}
}

bool
siddhi_join_notes_rows(SiddhiJoin *j, Oid relid)
{
	return j->cache != NULL && j->seed_attno != NULL && j->table == relid;
}

void
siddhi_join_note_row(SiddhiJoin *j, Relation rel, TupleTableSlot *slot)
{
	uint64 hash;

	if (!siddhi_join_notes_rows(j, RelationGetRelid(rel)) ||
		!ItemPointerIsValid(&slot->tts_tid))
		return;
	/* TIDs of another storage than the cache's: the cache's are stale */
	if (!RelFileNodeEquals(j->cache_node, rel->rd_node))
	{
		siddhi_lookup_cache_clear(j->cache);
		j->cache_node = rel->rd_node;
	}
	for (int k = 0; k < j->nkeys; k++)
		j->seed_values[k] =
			slot_getattr(slot, j->seed_attno[k], &j->seed_nulls[k]);
	if (siddhi_lookup_cache_hash_values(j->cache, j->seed_values,
										j->seed_nulls, &hash))
		siddhi_lookup_cache_put(j->cache, hash, &slot->tts_tid);
}

/*
 * The join's open scan in this transaction: opened on the first lookup,
 * with the probe's privileges checked as the current user.
 */
static LookupScan *
index_lookup_open(SiddhiJoin *j)
{
	MemoryContext old;
	ResourceOwner save;
	LookupScan *ls;

	if (j->lookup && j->lookup_lxid == MyProc->lxid && !j->lookup->broken)
		return j->lookup;
	ExecCheckRTPerms(j->probe->rtable, true);
	old = MemoryContextSwitchTo(TopTransactionContext);
	save = CurrentResourceOwner;
	CurrentResourceOwner = TopTransactionResourceOwner;
	ls = palloc0(sizeof(LookupScan));
	ls->heap = table_open(j->table, AccessShareLock);
	ls->index = index_open(j->indexid, AccessShareLock);
	/* a descriptor of its own: no pin for an abort to leave dangling */
	ls->slot = MakeSingleTupleTableSlot(
		CreateTupleDescCopy(RelationGetDescr(ls->heap)),
		table_slot_callbacks(ls->heap));
	/* each lookup sets the scan's snapshot (join_index_lookup) */
	ls->scan =
		index_beginscan(ls->heap, ls->index, InvalidSnapshot, j->nkeys, 0);
	/*
	 * The cache's TIDs are of the heap's storage; the heap cannot shrink
	 * while we hold our lock (truncation takes an exclusive one).
	 */
	if (j->cache)
	{
		ls->nblocks = RelationGetNumberOfBlocks(ls->heap);
		if (!RelFileNodeEquals(j->cache_node, ls->heap->rd_node))
		{
			siddhi_lookup_cache_clear(j->cache);
			j->cache_node = ls->heap->rd_node;
		}
	}
	open_lookups = lappend(open_lookups, ls);
	CurrentResourceOwner = save;
	MemoryContextSwitchTo(old);
	j->lookup = ls;
	j->lookup_lxid = MyProc->lxid;
	return ls;
}

/*
 * The scan's next index entry whose heap tuple is visible, in ls->slot.
 * The index AM allocates for the scan's lifetime while it scans (btree's
 * list of the entries it found dead, freed by index_endscan at
 * pre-commit): in the scan's own memory, where index_beginscan put it,
 * not in the query's per-event memory, which is reset under the scan.
 */
static bool
lookup_next(LookupScan *ls)
{
	MemoryContext old = MemoryContextSwitchTo(TopTransactionContext);
	ResourceOwner save = CurrentResourceOwner;
	bool found;

	CurrentResourceOwner = TopTransactionResourceOwner;
	found = index_getnext_slot(ls->scan, ForwardScanDirection, ls->slot);
	CurrentResourceOwner = save;
	MemoryContextSwitchTo(old);
	return found;
}

/*
 * The row the cache says the key's lookup found last time, if it still
 * does: visible to the lookup's snapshot (the fetch follows the HOT chain
 * from its root, as an index scan's does) and satisfying the index's
 * conditions for this arrival; in ls->slot.  A TID that does not is
 * forgotten.
 */
static bool
cached_row(SiddhiJoin *j, LookupScan *ls, uint64 hash)
{
	ItemPointerData tid;
	bool call_again = false;
	bool all_dead = false;
	bool found;
	MemoryContext old;

	if (!siddhi_lookup_cache_get(j->cache, hash, &tid))
		return false;
	if (ItemPointerGetBlockNumber(&tid) < ls->nblocks)
	{
		ResourceOwner save = CurrentResourceOwner;

		old = MemoryContextSwitchTo(TopTransactionContext);
		CurrentResourceOwner = TopTransactionResourceOwner;
		found = table_index_fetch_tuple(ls->scan->xs_heapfetch, &tid,
										ls->scan->xs_snapshot, ls->slot,
										&call_again, &all_dead);
		CurrentResourceOwner = save;
		MemoryContextSwitchTo(old);
		if (found)
		{
			j->lookup_econtext->ecxt_scantuple = ls->slot;
			if (ExecQual(j->lookup_recheck, j->lookup_econtext))
				return true;
		}
	}
	siddhi_lookup_cache_forget(j->cache, hash);
	return false;
}

/*
 * The table's rows that satisfy on for the arrival (its attributes are in
 * j->params), through the index; copies in the query's per-tuple memory.
 */
List *
join_index_lookup(SiddhiJoin *j)
{
	LookupScan *ls = index_lookup_open(j);
	ExprContext *ec = j->lookup_econtext;
	MemoryContext tuple_cxt = j->econtext->ecxt_per_tuple_memory;
	MemoryContext old;
	List *rows = NIL;
	uint64 hash = 0;
	bool cached;
	ResourceOwner save;

	/* a snapshot of its own, as the executor's probe had: functions in
	 * the quals see it too */
	CommandCounterIncrement();
	PushActiveSnapshot(GetTransactionSnapshot());
	ls->scan->xs_snapshot = GetActiveSnapshot();
	ResetExprContext(ec);
	ExecIndexEvalRuntimeKeys(ec, j->runtime_keys, j->nruntime_keys);
	ls->busy = true;
	cached = j->cache && siddhi_lookup_cache_hash(j->cache, j->keys, &hash);
	if (cached && cached_row(j, ls, hash))
	{
		/* the key's row, where it was: the index would find it alone */
		if (!j->lookup_qual || ExecQual(j->lookup_qual, ec))
		{
			old = MemoryContextSwitchTo(tuple_cxt);
			rows = lappend(rows, ExecCopySlotMinimalTuple(ls->slot));
			MemoryContextSwitchTo(old);
		}
		goto done;
	}
	old = MemoryContextSwitchTo(TopTransactionContext);
	save = CurrentResourceOwner;
	CurrentResourceOwner = TopTransactionResourceOwner;
	index_rescan(ls->scan, j->keys, j->nkeys, NULL, 0);
	CurrentResourceOwner = save;
	MemoryContextSwitchTo(old);
	while (lookup_next(ls))
	{
		ec->ecxt_scantuple = ls->slot;
		if (ls->scan->xs_recheck && !ExecQual(j->lookup_recheck, ec))
			continue;
		if (cached)
		{
			/* the root of its HOT chain, as the index has it */
			BlockNumber blk = ItemPointerGetBlockNumber(&ls->scan->xs_heaptid);

			siddhi_lookup_cache_put(j->cache, hash, &ls->scan->xs_heaptid);
			ls->nblocks = Max(ls->nblocks, blk + 1);
			cached = false;
		}
		if (j->lookup_qual && !ExecQual(j->lookup_qual, ec))
			continue;
		old = MemoryContextSwitchTo(tuple_cxt);
		rows = lappend(rows, ExecCopySlotMinimalTuple(ls->slot));
		MemoryContextSwitchTo(old);
	}
done:
	/*
	 * The slot's pin goes; the heap fetch keeps its page pinned for the
	 * next lookup, which reads the same page without finding it again
	 * when the key's row is there too (keys looked up in the order their
	 * rows were written).  Every pin of the scan is the top owner's, so a
	 * subtransaction's abort leaves them valid; pre-commit drops them.
	 */
	save = CurrentResourceOwner;
	CurrentResourceOwner = TopTransactionResourceOwner;
	ExecClearTuple(ls->slot);
	CurrentResourceOwner = save;
	ls->busy = false;
	ls->scan->xs_snapshot = InvalidSnapshot;
	PopActiveSnapshot();
	return rows;
}
