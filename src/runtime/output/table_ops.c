/*-------------------------------------------------------------------------
 *
 * table_ops.c
 *	  delete / update / update or insert into a table from a query, and
 *	  `cond in T` membership filters.
 *
 * The analyzer (src/analyzer/analyze_table.c) hands us Query trees over
 * the table whose PARAM_EXTERN $k is the event's attribute k.  We rewrite
 * (rules, row security) and plan each once, when the app starts, and run
 * the plan through the executor for every event, so the `on` condition is
 * an index scan when T has an index that fits and T's constraints,
 * indexes and triggers work as for any DELETE or UPDATE.
 *
 * Order and visibility: an operation runs at once, with a fresh snapshot
 * after CommandCounterIncrement, so a later event of the same batch (and a
 * later `in T` probe) sees what an earlier one did, in Siddhi's order.
 * The caller (query.c) first writes the rows buffered for the table, so
 * an earlier insert into T is seen too.  Everything stays in the batch's
 * transaction: readers see all of a batch's effects or none.
 *
 * Privileges: the executor checks those recorded in the range table
 * (DELETE / UPDATE / INSERT, SELECT on the columns read) as the current
 * user: the app's owner, in the frame of user code the query's step runs
 * in (usercode.c: restricted, settings rolled back after the step), so the
 * table's triggers run as the owner too.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "catalog/pg_type.h"
#include "executor/executor.h"
#include "executor/tstoreReceiver.h"
#include "miscadmin.h"
#include "nodes/params.h"
#include "optimizer/optimizer.h"
#include "rewrite/rewriteHandler.h"
#include "siddhi/errors.h"
#include "siddhi/table_ops.h"
#include "storage/lmgr.h"
#include "tcop/tcopprot.h"
#include "utils/datum.h"
#include "utils/lsyscache.h"
#include "utils/snapmgr.h"
#include "utils/tuplestore.h"

struct SiddhiTableOp
{
	SiddhiOutputKind kind;
	PlannedStmt *modify;
	PlannedStmt *insert; /* upsert */
	ParamListInfo params;
};

typedef struct Membership
{
	Oid table; /* the table it reads */
	PlannedStmt *probe;
	ParamListInfo params; /* the event's attributes, or args' values */
	List *args;			  /* of ExprState *: over the combined row of a
						   * join or pattern (SiddhiMembershipPlan.args) */
	Oid result_type;	  /* a scalar subquery's, or invalid: bool */
	int16 result_typlen;
	bool result_byval;
} Membership;

struct SiddhiMemberships
{
	int n;
	Membership *m;
	ExprContext *econtext; /* its scan tuple is the event */
	SiddhiTableFlush flush;
	ParamExternData result;
};

/* Rewrite and plan a statement (in the current memory context). */
static PlannedStmt *
plan_statement(Query *query)
{
	List *rewritten = QueryRewrite(copyObject(query));

	if (list_length(rewritten) != 1)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("rules on the table make its statement %d statements",
						list_length(rewritten)),
				 errhint("A table an app changes may not have rules that "
						 "add or replace statements.")));
	return pg_plan_query(linitial(rewritten), NULL, 0, NULL);
}

static ParamListInfo
make_params(List *types)
{
	ParamListInfo params = makeParamList(list_length(types));
	ListCell *lc;

	foreach(lc, types)
	{
		ParamExternData *p = &params->params[foreach_current_index(lc)];

		p->ptype = lfirst_oid(lc);
		p->pflags = PARAM_FLAG_CONST;
		p->isnull = true;
	}
	return params;
}

/* Copy a slot's values into params (the slot has as many attributes). */
static void
fill_params(ParamListInfo params, TupleTableSlot *slot)
{
	slot_getallattrs(slot);
	for (int i = 0; i < params->numParams; i++)
	{
		params->params[i].value = slot->tts_values[i];
		params->params[i].isnull = slot->tts_isnull[i];
	}
}

/*
 * Run a planned statement with params, seeing everything done so far in
 * the transaction; returns the rows it processed.
 */
static uint64
run_statement(PlannedStmt *stmt, ParamListInfo params)
{
	QueryDesc *qd;
	uint64 processed;
	ListCell *lc;

	/* the executor expects the plan's relations locked, as plancache does */
	foreach(lc, stmt->rtable)
	{
		RangeTblEntry *rte = lfirst(lc);

		if (rte->rtekind == RTE_RELATION)
			LockRelationOid(rte->relid, rte->rellockmode);
	}
	CommandCounterIncrement();
	PushActiveSnapshot(GetTransactionSnapshot());
	qd = CreateQueryDesc(stmt, "siddhi table operation", GetActiveSnapshot(),
						 InvalidSnapshot, None_Receiver, params, NULL, 0);
	ExecutorStart(qd, 0);
	ExecutorRun(qd, ForwardScanDirection, 0, true);
	processed = qd->estate->es_processed;
	ExecutorFinish(qd);
	ExecutorEnd(qd);
	FreeQueryDesc(qd);
	PopActiveSnapshot();
	CommandCounterIncrement();
	return processed;
}

SiddhiTableOp *
siddhi_table_op_create(SiddhiTableOpPlan *plan, MemoryContext cxt)
{
	MemoryContext old = MemoryContextSwitchTo(cxt);
	SiddhiTableOp *op = palloc0(sizeof(SiddhiTableOp));

	op->kind = plan->kind;
	op->modify = plan_statement(plan->modify);
	if (plan->insert)
		op->insert = plan_statement(plan->insert);
	op->params = make_params(plan->param_types);
	MemoryContextSwitchTo(old);
	return op;
}

void
siddhi_table_op_apply(SiddhiTableOp *op, TupleTableSlot *out)
{
	uint64 n;

	fill_params(op->params, out);
	n = run_statement(op->modify, op->params);
	/* update or insert: the event goes in when no row matched */
	if (op->kind == SIDDHI_OUT_UPSERT && n == 0)
		run_statement(op->insert, op->params);
}

/*
 * A scalar subquery's value for the event: its probe's only row's value,
 * null without a row, an error with two (as SQL says), copied into the
 * query's per-tuple memory.
 */
static ParamExternData *
scalar_fetch(SiddhiMemberships *ms, Membership *m, ParamExternData *workspace)
{
	MemoryContext tuple_cxt = ms->econtext->ecxt_per_tuple_memory;
	MemoryContext old = MemoryContextSwitchTo(tuple_cxt);
	Tuplestorestate *store = tuplestore_begin_heap(false, false, work_mem);
	DestReceiver *dest = CreateDestReceiver(DestTuplestore);
	TupleTableSlot *slot;
	QueryDesc *qd;
	ListCell *lc;

	SetTuplestoreDestReceiverParams(dest, store, tuple_cxt, false, NULL, NULL);
	foreach(lc, m->probe->rtable)
	{
		RangeTblEntry *rte = lfirst(lc);

		if (rte->rtekind == RTE_RELATION)
			LockRelationOid(rte->relid, rte->rellockmode);
	}
	CommandCounterIncrement();
	PushActiveSnapshot(GetTransactionSnapshot());
	qd = CreateQueryDesc(m->probe, "siddhi scalar subquery",
						 GetActiveSnapshot(), InvalidSnapshot, dest, m->params,
						 NULL, 0);
	ExecutorStart(qd, 0);
	/*
	 * The slot reads the rows after ExecutorEnd, which frees the
	 * executor's memory and the result type with it: a copy of it.
	 */
	slot = MakeSingleTupleTableSlot(CreateTupleDescCopy(qd->tupDesc),
									&TTSOpsMinimalTuple);
	ExecutorRun(qd, ForwardScanDirection, 0, true);
	ExecutorFinish(qd);
	ExecutorEnd(qd);
	FreeQueryDesc(qd);
	PopActiveSnapshot();
	dest->rDestroy(dest);
	if (tuplestore_tuple_count(store) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_CARDINALITY_VIOLATION),
				 errmsg("more than one row returned by a subquery used as an "
						"expression")));
	workspace->ptype = m->result_type;
	workspace->pflags = 0;
	workspace->isnull = true;
	workspace->value = (Datum) 0;
	if (tuplestore_gettupleslot(store, true, false, slot))
	{
		Datum v = slot_getattr(slot, 1, &workspace->isnull);

		if (!workspace->isnull)
			workspace->value = datumCopy(v, m->result_byval, m->result_typlen);
	}
	ExecDropSingleTupleTableSlot(slot);
	tuplestore_end(store);
	MemoryContextSwitchTo(old);
	return workspace;
}

/*
 * paramFetch hook of a query's membership params: param k is whether the
 * event (the scan tuple) has a row of its table matching membership k.
 */
static ParamExternData *
membership_fetch(ParamListInfo params, int paramid, bool speculative,
				 ParamExternData *workspace)
{
	SiddhiMemberships *ms = params->paramFetchArg;
	Membership *m;

	if (speculative || paramid < 1 || paramid > ms->n)
	{
		workspace->ptype = InvalidOid;
		workspace->isnull = true;
		return workspace;
	}
	m = &ms->m[paramid - 1];
	/* rows queries inserted into the table earlier in the batch count */
	ms->flush(m->table);
	if (m->args != NIL)
	{
		ListCell *la;

		/* in the query's per-tuple memory, as the projection is */
		foreach(la, m->args)
		{
			ParamExternData *p = &m->params->params[foreach_current_index(la)];

			p->value = ExecEvalExprSwitchContext(lfirst(la), ms->econtext,
												 &p->isnull);
		}
	}
	else
		fill_params(m->params, ms->econtext->ecxt_scantuple);
	if (OidIsValid(m->result_type))
		return scalar_fetch(ms, m, workspace);
	workspace->ptype = BOOLOID;
	workspace->pflags = 0;
	workspace->isnull = false;
	workspace->value = BoolGetDatum(run_statement(m->probe, m->params) > 0);
	return workspace;
}

ParamListInfo
siddhi_memberships_create(List *plans, ExprContext *econtext,
						  SiddhiTableFlush flush, MemoryContext cxt)
{
	MemoryContext old = MemoryContextSwitchTo(cxt);
	SiddhiMemberships *ms = palloc0(sizeof(SiddhiMemberships));
	ParamListInfo params;
	ListCell *lc;

	ms->n = list_length(plans);
	ms->m = palloc0(sizeof(Membership) * ms->n);
	ms->econtext = econtext;
	ms->flush = flush;
	foreach(lc, plans)
	{
		SiddhiMembershipPlan *mp = lfirst(lc);
		Membership *m = &ms->m[foreach_current_index(lc)];

		ListCell *lr;

		foreach(lr, mp->probe->rtable)
			if (((RangeTblEntry *) lfirst(lr))->rtekind == RTE_RELATION)
			{
				m->table = ((RangeTblEntry *) lfirst(lr))->relid;
				break;
			}
		m->probe = plan_statement(mp->probe);
		m->params = make_params(mp->param_types);
		m->args = ExecInitExprList(mp->args, NULL);
		m->result_type = mp->result_type;
		if (OidIsValid(m->result_type))
			get_typlenbyval(m->result_type, &m->result_typlen,
							&m->result_byval);
	}
	params = makeParamList(ms->n);
	params->paramFetch = membership_fetch;
	params->paramFetchArg = ms;
	MemoryContextSwitchTo(old);
	return params;
}
