/*-------------------------------------------------------------------------
 *
 * query.c
 *	  siddhi.query(app text, query text) RETURNS TABLE (event jsonb):
 *	  Siddhi's on-demand queries of an app's tables, named windows and
 *	  aggregations.
 *
 * src/analyzer/analyze_ondemand.c turns the query into PostgreSQL
 * statements; here each is analyzed, planned and run in the caller's
 * transaction, as the caller (so privileges apply as to any SELECT,
 * INSERT, UPDATE or DELETE), and each row it returns (a select's rows; a
 * change's changed rows, through RETURNING) goes out as a jsonb object,
 * column name to value, in order.  jsonb because a query's columns depend
 * on its text: a record would need a column list at every call.
 *
 * Errors carry the query's line and column (siddhi_source_context) and
 * PostgreSQL's SQLSTATE.  Memory: the rows are materialized in the
 * function's tuplestore (work_mem, then disk).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "catalog/pg_type.h"
#include "executor/executor.h"
#include "executor/tstoreReceiver.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "siddhi/analyzer.h"
#include "siddhi/parser.h"
#include "tcop/tcopprot.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/snapmgr.h"
#include "utils/tuplestore.h"

PG_FUNCTION_INFO_V1(siddhi_query_sql);

/* Run one planned statement; its rows go to out as jsonb.  Rows counted. */
static uint64
run_statement(PlannedStmt *ps, const char *qtext, ReturnSetInfo *rsinfo)
{
	Tuplestorestate *store = tuplestore_begin_heap(false, false, work_mem);
	DestReceiver *dest = CreateDestReceiver(DestTuplestore);
	QueryDesc *qd;
	uint64 processed;

	SetTuplestoreDestReceiverParams(dest, store, CurrentMemoryContext, false,
									NULL, NULL);
	CommandCounterIncrement();
	PushActiveSnapshot(GetTransactionSnapshot());
	UpdateActiveSnapshotCommandId();
	qd = CreateQueryDesc(ps, qtext, GetActiveSnapshot(), InvalidSnapshot, dest,
						 NULL, NULL, 0);
	ExecutorStart(qd, 0);
	ExecutorRun(qd, ForwardScanDirection, 0, true);
	ExecutorFinish(qd);
	processed = qd->estate->es_processed;
	/* one jsonb per row (analyze_ondemand.c makes every statement so) */
	if (qd->tupDesc && qd->tupDesc->natts == 1 &&
		TupleDescAttr(qd->tupDesc, 0)->atttypid == JSONBOID)
	{
		TupleTableSlot *slot =
			MakeSingleTupleTableSlot(qd->tupDesc, &TTSOpsMinimalTuple);

		while (tuplestore_gettupleslot(store, true, false, slot))
		{
			bool isnull;
			Datum value = slot_getattr(slot, 1, &isnull);

			tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, &value,
								 &isnull);
		}
		ExecDropSingleTupleTableSlot(slot);
	}
	ExecutorEnd(qd);
	FreeQueryDesc(qd);
	PopActiveSnapshot();
	CommandCounterIncrement();
	dest->rDestroy(dest);
	tuplestore_end(store);
	return processed;
}

Datum
siddhi_query_sql(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	char *app;
	char *qtext;
	SiddhiSourceContext ctx;
	SiddhiOnDemand *od;
	ListCell *lc;
	bool first = true;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
						errmsg("siddhi.query() needs an app and a query")));
	app = text_to_cstring(PG_GETARG_TEXT_PP(0));
	qtext = text_to_cstring(PG_GETARG_TEXT_PP(1));
	InitMaterializedSRF(fcinfo, MAT_SRF_USE_EXPECTED_DESC);

	siddhi_source_context_push(&ctx, qtext, app);
	od = siddhi_ondemand_translate(app, qtext);
	foreach(lc, od->stmts)
	{
		List *queries = pg_analyze_and_rewrite_fixedparams(lfirst(lc), qtext,
														   NULL, 0, NULL);
		ListCell *q;
		uint64 changed = 0;

		foreach(q, queries)
		{
			PlannedStmt *ps = pg_plan_query(lfirst(q), qtext, 0, NULL);

			changed += run_statement(ps, qtext, rsinfo);
		}
		/* update or insert: the insert only when the update found none */
		if (od->upsert && first && changed > 0)
			break;
		first = false;
	}
	siddhi_source_context_pop(&ctx);
	return (Datum) 0;
}
