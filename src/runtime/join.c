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
 * them back): runtime.c decides after the join.
 *
 * Tables (and aggregations, read through their view: src/analyzer/
 * analyze_join.c adds within and per to on): the analyzer made `on` a
 * SELECT over the table whose $k are the
 * primary side's attributes; we plan it once, when the app starts, so an
 * equality of an indexed column with a stream expression is an index
 * scan, and run it for each arrival with a fresh snapshot after
 * CommandCounterIncrement (runtime.c first writes rows buffered for the
 * table), so the probe sees the table as it is at that moment, including
 * what earlier events of the batch did.
 *
 * Memory: the rows matched for one arrival are copied into the query's
 * per-tuple memory, reset after each step; the join itself keeps nothing
 * but its slots.  A join holds what its two windows hold (their bounds).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "executor/executor.h"
#include "executor/tstoreReceiver.h"
#include "miscadmin.h"
#include "nodes/params.h"
#include "optimizer/optimizer.h"
#include "rewrite/rewriteHandler.h"
#include "siddhi/errors.h"
#include "siddhi/join.h"
#include "storage/lmgr.h"
#include "tcop/tcopprot.h"
#include "utils/snapmgr.h"
#include "utils/tuplestore.h"

struct SiddhiJoin
{
	int nprimary;
	int nother;
	TupleTableSlot *row;		  /* the combined row, virtual */
	TupleTableSlot *side_slot[2]; /* a side's tuple, to deform */
	ExprState *on;				  /* over row, or NULL */
	ExprContext *econtext;
	bool triggers[2];
	bool outer[2];
	/* other side a table */
	Oid table;
	PlannedStmt *probe;
	ParamListInfo params;
	bool probe_uses_index;
	bool aggregation; /* the table is an aggregation's view */
};

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

	j->nprimary = plan->nprimary;
	j->nother = plan->desc->natts - plan->nprimary;
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

/*
 * Make the combined row from the arrival (slot, on side) and a tuple of
 * the other side (NULL: nulls).
 */
static void
build_row(SiddhiJoin *j, int side, TupleTableSlot *slot, MinimalTuple other)
{
	TupleTableSlot *row = j->row;
	int pbase = side == 0 ? 0 : j->nprimary;
	int obase = side == 0 ? j->nprimary : 0;
	int on = side == 0 ? j->nother : j->nprimary;

	ExecClearTuple(row);
	slot_getallattrs(slot);
	memcpy(row->tts_values + pbase, slot->tts_values,
		   sizeof(Datum) * slot->tts_tupleDescriptor->natts);
	memcpy(row->tts_isnull + pbase, slot->tts_isnull,
		   sizeof(bool) * slot->tts_tupleDescriptor->natts);
	if (other)
	{
		TupleTableSlot *os = j->side_slot[1 - side];

		ExecStoreMinimalTuple(other, os, false);
		slot_getallattrs(os);
		memcpy(row->tts_values + obase, os->tts_values, sizeof(Datum) * on);
		memcpy(row->tts_isnull + obase, os->tts_isnull, sizeof(bool) * on);
	}
	else
	{
		memset(row->tts_values + obase, 0, sizeof(Datum) * on);
		memset(row->tts_isnull + obase, true, sizeof(bool) * on);
	}
	ExecStoreVirtualTuple(row);
}

/* State of one probe of a window. */
typedef struct ScanArg
{
	SiddhiJoin *j;
	int side; /* of the arrival */
	TupleTableSlot *slot;
	List *matches; /* of MinimalTuple, copies in per-tuple memory */
} ScanArg;

/* Callback of siddhi_window_scan: keep the contents that satisfy on. */
static void
scan_event(void *arg, SiddhiEventKind kind, MinimalTuple tuple, int64 ts)
{
	ScanArg *sa = arg;
	SiddhiJoin *j = sa->j;
	MemoryContext old;

	if (kind == SIDDHI_EVENT_CHUNK_END)
		return;
	if (j->on)
	{
		build_row(j, sa->side, sa->slot, tuple);
		j->econtext->ecxt_scantuple = j->row;
		if (!ExecQual(j->on, j->econtext))
			return;
	}
	old = MemoryContextSwitchTo(j->econtext->ecxt_per_tuple_memory);
	sa->matches = lappend(sa->matches, heap_copy_minimal_tuple(tuple));
	MemoryContextSwitchTo(old);
}

/* The table's rows that satisfy on for the arrival in slot. */
static List *
probe_table(SiddhiJoin *j, TupleTableSlot *slot)
{
	MemoryContext old =
		MemoryContextSwitchTo(j->econtext->ecxt_per_tuple_memory);
	Tuplestorestate *store = tuplestore_begin_heap(false, false, work_mem);
	DestReceiver *dest = CreateDestReceiver(DestTuplestore);
	TupleTableSlot *ts;
	QueryDesc *qd;
	List *rows = NIL;
	ListCell *lc;

	slot_getallattrs(slot);
	for (int i = 0; i < j->params->numParams; i++)
	{
		j->params->params[i].value = slot->tts_values[i];
		j->params->params[i].isnull = slot->tts_isnull[i];
	}
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
				   SiddhiEventKind kind, SiddhiWindow *other_window,
				   SiddhiJoinRowFn fn, void *arg)
{
	ScanArg sa = { j, side, slot, NIL };
	ListCell *lc;

	if (!j->triggers[side])
		return;
	if (OidIsValid(j->table))
	{
		Assert(side == 0);
		sa.matches = probe_table(j, slot);
	}
	else if (other_window)
		siddhi_window_scan(other_window, scan_event, &sa);
	foreach(lc, sa.matches)
	{
		build_row(j, side, slot, lfirst(lc));
		fn(arg, j->row, ts, kind);
	}
	if (sa.matches == NIL && j->outer[side])
	{
		build_row(j, side, slot, NULL);
		fn(arg, j->row, ts, kind);
	}
}
