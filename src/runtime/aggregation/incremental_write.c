/*-------------------------------------------------------------------------
 *
 * incremental_write.c
 *	  New buckets' rows put straight into their granularity table, as COPY
 *	  puts rows: a thousand at a time into the heap, then each one's index
 *	  entries.
 *
 * The rows of buckets no row of the table can have (incremental_flush.c,
 * "New buckets") went through INSERT .. SELECT * FROM unnest($1, ..): per
 * row, the executor's projection of the unnested arrays, a tuple formed,
 * inserted alone and WAL-logged alone.  Here they are formed from the
 * deltas' values and go in with table_multi_insert (one WAL record per
 * page), each then entered in the table's indexes, which still refuse a
 * key already there (the caller rolls the statement back and upserts the
 * same rows, as before).
 *
 * Only into a table that such an INSERT would write the same way: a plain
 * heap, not a partition (whose constraint the INSERT checks), with no
 * trigger on insert but the engine's guard (which lets the engine's writes
 * through), no row security, no generated columns, indexes checked at
 * once (no deferred or exclusion constraint), its columns those the
 * aggregation made (one per physical column, of its type), and the
 * current user (the app's owner, in the flush's frame) allowed to insert.
 * Otherwise inc_direct_insert says no and the caller runs the statement.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/heapam.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "catalog/pg_trigger.h"
#include "commands/trigger.h"
#include "executor/executor.h"
#include "incremental_int.h"
#include "miscadmin.h"
#include "nodes/parsenodes.h"
#include "utils/acl.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"

/* Rows per table_multi_insert, as COPY buffers them. */
#define WRITE_BATCH 1000

/*
 * Whether an INSERT into rel fires a trigger besides the engine's own
 * guard (src/catalog/readonly.c: internal, BEFORE, for each statement,
 * and letting the engine's writes through), which these writes need not
 * pass.
 */
static bool
fires_on_insert(Relation rel)
{
	TriggerDesc *td = rel->trigdesc;

	if (td == NULL)
		return false;
	for (int i = 0; i < td->numtriggers; i++)
	{
		Trigger *t = &td->triggers[i];

		if (!TRIGGER_FOR_INSERT(t->tgtype))
			continue;
		if (!t->tgisinternal || !TRIGGER_FOR_BEFORE(t->tgtype) ||
			TRIGGER_FOR_ROW(t->tgtype) ||
			strncmp(t->tgname, "siddhi_engine_only_", 19) != 0)
			return true;
	}
	return false;
}

/* Whether rows can go into rel here as the INSERT would put them. */
static bool
table_takes_rows(SiddhiIncremental *inc, Relation rel, ResultRelInfo *rri)
{
	TupleDesc desc = RelationGetDescr(rel);
	int p = 0;

	if (rel->rd_rel->relkind != RELKIND_RELATION ||
		rel->rd_rel->relispartition || fires_on_insert(rel) ||
		rel->rd_rel->relrowsecurity ||
		(desc->constr && desc->constr->has_generated_stored) ||
		pg_class_aclcheck(RelationGetRelid(rel), GetUserId(), ACL_INSERT) !=
			ACLCHECK_OK)
		return false;
	for (int i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, i);

		if (att->attisdropped)
			continue;
		if (p >= inc->nphys ||
			att->atttypid != list_nth_oid(inc->plan->param_types, p))
			return false;
		p++;
	}
	if (p != inc->nphys)
		return false;
	for (int i = 0; i < rri->ri_NumIndices; i++)
	{
		Form_pg_index ix = rri->ri_IndexRelationDescs[i]->rd_index;

		if (!ix->indimmediate || ix->indisexclusion)
			return false;
	}
	return true;
}

/* The delta's values as a row of the table, in slot. */
static void
fill_row(SiddhiIncremental *inc, TupleTableSlot *slot, IncDelta *d)
{
	TupleDesc desc = slot->tts_tupleDescriptor;
	int p = 0;

	ExecClearTuple(slot);
	for (int i = 0; i < desc->natts; i++)
	{
		if (TupleDescAttr(desc, i)->attisdropped)
		{
			slot->tts_values[i] = (Datum) 0;
			slot->tts_isnull[i] = true;
			continue;
		}
		slot->tts_values[i] = d->values[p];
		slot->tts_isnull[i] = d->nulls[p];
		p++;
	}
	ExecStoreVirtualTuple(slot);
}

bool
inc_direct_insert(SiddhiIncremental *inc, int g, IncDelta **deltas, int n)
{
	SiddhiRelation *r = list_nth(inc->plan->tables, g);
	Relation rel = table_open(r->relid, RowExclusiveLock);
	EState *estate = CreateExecutorState();
	RangeTblEntry *rte = makeNode(RangeTblEntry);
	ResultRelInfo *rri = makeNode(ResultRelInfo);
	TupleTableSlot **slots;
	TupleDesc desc;
	BulkInsertState bistate;
	CommandId cid;
	int nslots = Min(n, WRITE_BATCH);

	rte->rtekind = RTE_RELATION;
	rte->relid = r->relid;
	rte->relkind = rel->rd_rel->relkind;
	rte->rellockmode = RowExclusiveLock;
	ExecInitRangeTable(estate, list_make1(rte));
	InitResultRelInfo(rri, rel, 1, NULL, 0);
	ExecOpenIndices(rri, false);
	if (!table_takes_rows(inc, rel, rri))
	{
		ExecCloseIndices(rri);
		FreeExecutorState(estate);
		table_close(rel, NoLock);
		return false;
	}
	estate->es_output_cid = cid = GetCurrentCommandId(true);
	bistate = GetBulkInsertState();
	/* a descriptor of the slots' own: not a pin on the relation's each */
	desc = CreateTupleDescCopy(RelationGetDescr(rel));
	slots = palloc(sizeof(TupleTableSlot *) * nslots);
	for (int i = 0; i < nslots; i++)
		slots[i] = MakeSingleTupleTableSlot(desc, table_slot_callbacks(rel));

	for (int from = 0; from < n; from += nslots)
	{
		int k = Min(nslots, n - from);

		for (int i = 0; i < k; i++)
		{
			fill_row(inc, slots[i], deltas[from + i]);
			if (rel->rd_att->constr)
				ExecConstraints(rri, slots[i], estate);
		}
		table_multi_insert(rel, slots, k, cid, 0, bistate);
		for (int i = 0; i < k; i++)
		{
			if (rri->ri_NumIndices > 0)
				list_free(ExecInsertIndexTuples(rri, slots[i], estate, false,
												false, NULL, NIL));
			ResetPerTupleExprContext(estate);
		}
	}

	FreeBulkInsertState(bistate);
	for (int i = 0; i < nslots; i++)
		ExecDropSingleTupleTableSlot(slots[i]);
	pfree(slots);
	FreeTupleDesc(desc);
	ExecCloseIndices(rri);
	FreeExecutorState(estate);
	table_close(rel, NoLock);
	/* the statements after (an upsert, a purge) see these rows */
	CommandCounterIncrement();
	return true;
}
