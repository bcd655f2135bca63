/*-------------------------------------------------------------------------
 *
 * readonly.c
 *	  Named-window and aggregation tables: written by the engine only.
 *
 * The engine owns the contents of a named window's table (a mirror of the
 * window) and of an aggregation's tables (its buckets).  A row a user
 * inserted would survive until the engine happened to rewrite it, and a
 * row a user deleted would be missing from every on-demand read, so
 * INSERT, UPDATE, DELETE, TRUNCATE, COPY FROM and MERGE by anyone, the
 * table's owner included, are refused; SELECT is not affected.
 *
 * The guard is an internal statement trigger, BEFORE INSERT OR UPDATE OR
 * DELETE OR TRUNCATE, created at deploy (siddhi_protect_relation), whose
 * function (siddhi._engine_writes_only, owned by the extension) raises an
 * error unless the engine is writing that table right now:
 *
 *	- the engine sets a flag of its own process around its writes
 *	  (siddhi_engine_writes_begin/end), never while it evaluates a user's
 *	  expression, and the write must come from the engine's statement
 *	  itself, not from a trigger a user put on another table it writes
 *	  (pg_trigger_depth() is 1);
 *	- an internal trigger cannot be dropped alone (it depends internally
 *	  on its table), nor disabled by anyone but a superuser; turning all
 *	  triggers off (session_replication_role) needs a superuser too;
 *	- its function runs no user code: it only raises or returns, so the
 *	  guard lets no one attach code that runs with the engine's rights.
 *
 * The engine's own writes that bypass the executor (the window mirror's
 * row inserts and deletes by TID) fire no trigger at all.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "catalog/dependency.h"
#include "catalog/indexing.h"
#include "catalog/namespace.h"
#include "catalog/pg_trigger.h"
#include "commands/trigger.h"
#include "fmgr.h"
#include "nodes/makefuncs.h"
#include "parser/parse_func.h"
#include "siddhi/catalog.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"

/* nesting of the engine's own writes of protected tables */
static int engine_writing = 0;

void
siddhi_engine_writes_begin(void)
{
	engine_writing++;
}

void
siddhi_engine_writes_end(void)
{
	if (engine_writing > 0)
		engine_writing--;
}

void
siddhi_engine_writes_reset(void)
{
	engine_writing = 0;
}

PG_FUNCTION_INFO_V1(siddhi_engine_writes_only);

/*
 * Statement trigger of every protected table: only the engine's own
 * statement may change it.
 */
Datum
siddhi_engine_writes_only(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;
	int depth;
	const char *op;
	Relation rel;

	if (!CALLED_AS_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("siddhi._engine_writes_only() must be called as a "
						"trigger")));
	rel = trigdata->tg_relation;
	depth = DatumGetInt32(DirectFunctionCall1(pg_trigger_depth, (Datum) 0));
	if (engine_writing > 0 && depth == 1)
		return PointerGetDatum(NULL);

	if (TRIGGER_FIRED_BY_INSERT(trigdata->tg_event))
		op = "insert into";
	else if (TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event))
		op = "update";
	else if (TRIGGER_FIRED_BY_DELETE(trigdata->tg_event))
		op = "delete from";
	else
		op = "truncate";
	ereport(ERROR,
			(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
			 errmsg("cannot %s \"%s\": it is maintained by its siddhi app", op,
					RelationGetRelationName(rel)),
			 errdetail("Named-window and aggregation tables are written by "
					   "the engine only; anyone may read them."),
			 errhint("Insert into the app's streams instead.")));
	PG_RETURN_NULL();
}

/* Has relid our trigger already? */
static bool
protected_already(Oid relid, Oid funcoid)
{
	Relation tgrel = table_open(TriggerRelationId, AccessShareLock);
	ScanKeyData key;
	SysScanDesc scan;
	HeapTuple tup;
	bool found = false;

	ScanKeyInit(&key, Anum_pg_trigger_tgrelid, BTEqualStrategyNumber, F_OIDEQ,
				ObjectIdGetDatum(relid));
	scan = systable_beginscan(tgrel, TriggerRelidNameIndexId, true, NULL, 1,
							  &key);
	while (!found && HeapTupleIsValid(tup = systable_getnext(scan)))
		found = ((Form_pg_trigger) GETSTRUCT(tup))->tgfoid == funcoid;
	systable_endscan(scan);
	table_close(tgrel, AccessShareLock);
	return found;
}

/*
 * Give relid (a named window's or an aggregation's table) the internal
 * trigger that keeps it read-only to everyone but the engine.
 */
void
siddhi_protect_relation(Oid relid)
{
	List *funcname =
		list_make2(makeString("siddhi"), makeString("_engine_writes_only"));
	Oid funcoid = LookupFuncName(funcname, 0, NULL, false);
	CreateTrigStmt *stmt;
	ObjectAddress trigger;
	ObjectAddress table;

	if (protected_already(relid, funcoid))
		return;
	stmt = makeNode(CreateTrigStmt);
	stmt->trigname = "siddhi_engine_only";
	stmt->relation = makeRangeVar(get_namespace_name(get_rel_namespace(relid)),
								  get_rel_name(relid), -1);
	stmt->funcname = funcname;
	stmt->row = false;
	stmt->timing = TRIGGER_TYPE_BEFORE;
	stmt->events = TRIGGER_TYPE_INSERT | TRIGGER_TYPE_UPDATE |
				   TRIGGER_TYPE_DELETE | TRIGGER_TYPE_TRUNCATE;
	trigger =
		CreateTrigger(stmt, NULL, relid, InvalidOid, InvalidOid, InvalidOid,
					  funcoid, InvalidOid, NULL, true, false);
	/* dropped with its table, never alone */
	ObjectAddressSet(table, RelationRelationId, relid);
	recordDependencyOn(&trigger, &table, DEPENDENCY_INTERNAL);
	CommandCounterIncrement();
}
