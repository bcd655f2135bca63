/*-------------------------------------------------------------------------
 *
 * deploy.c
 *	  siddhi.deploy() and siddhi.undeploy().
 *
 * deploy is all or nothing because it is one transaction: it parses and
 * analyzes the app as the calling user (creating the streams and tables
 * the app needs in the current schema), records the app and its relations
 * in siddhi.app and siddhi.app_relation, and asks for an engine worker.
 * Only when the transaction commits does the worker hear of it (the app
 * generation of the database is bumped in the commit hook), so a deploy
 * that fails or is rolled back leaves nothing behind.
 *
 * The catalog tables are writable only by the extension's owner; the
 * rows are written under the bootstrap superuser's id, after the checks
 * that the caller may do what is asked, with search_path pinned to
 * pg_catalog, pg_temp and every operator schema-qualified (catalog_spi.c),
 * so nothing of the caller's runs in them.  The caller's search_path is
 * recorded with the app: the engine analyses the app under it at load.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_authid.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "siddhi/analyzer.h"
#include "siddhi/catalog.h"
#include "siddhi/connector.h"
#include "siddhi/depend.h"
#include "siddhi/errors.h"
#include "siddhi/ipc.h"
#include "siddhi/parser.h"
#include "siddhi/shmem.h"
#include "siddhi/sink.h"
#include "siddhi/source_runtime.h"
#include "storage/lmgr.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/syscache.h"

/* set by deploy/undeploy, acted on at commit */
static bool apps_changed = false;

/*
 * Streams a replace dropped and created anew (other columns): pairs of
 * old and new relid, in TopTransactionContext; their watchers move over
 * at commit.
 */
static List *moved_from = NIL;
static List *moved_to = NIL;

static void
catalog_xact_callback(XactEvent event, void *arg)
{
	switch (event)
	{
		case XACT_EVENT_PRE_COMMIT:
		{
			/*
			 * Only the moves that still hold (a rolled-back subtransaction
			 * may have undone one): the new stream exists, the old is gone.
			 */
			List *from = NIL, *to = NIL;
			ListCell *f, *t;
			MemoryContext old;

			if (moved_from == NIL)
				break;
			old = MemoryContextSwitchTo(TopTransactionContext);
			forboth(f, moved_from, t, moved_to)
			{
				if (SearchSysCacheExists1(RELOID,
										  ObjectIdGetDatum(lfirst_oid(t))) &&
					!SearchSysCacheExists1(RELOID,
										   ObjectIdGetDatum(lfirst_oid(f))))
				{
					from = lappend_oid(from, lfirst_oid(f));
					to = lappend_oid(to, lfirst_oid(t));
				}
			}
			MemoryContextSwitchTo(old);
			moved_from = from;
			moved_to = to;
		}
		break;
		case XACT_EVENT_COMMIT:
		case XACT_EVENT_PARALLEL_COMMIT:
		{
			ListCell *f, *t;

			/* before the worker hears of the new app */
			forboth(f, moved_from, t, moved_to)
				siddhi_subscriptions_move(MyDatabaseId, lfirst_oid(f),
										  lfirst_oid(t));
		}
			moved_from = moved_to = NIL;
			if (apps_changed)
				siddhi_apps_changed(MyDatabaseId);
			apps_changed = false;
			break;
		case XACT_EVENT_ABORT:
		case XACT_EVENT_PARALLEL_ABORT:
			moved_from = moved_to = NIL;
			apps_changed = false;
			break;
		default:
			break;
	}
}

void
siddhi_catalog_xact_init(void)
{
	RegisterXactCallback(catalog_xact_callback, NULL);
}

/*
 * Run catalog SQL as the bootstrap superuser, with search_path pinned and
 * restricted (catalog_spi.c): no operator or function of the caller's
 * search_path can run in it.
 */
static void
catalog_exec(const char *sql, int nargs, Oid *argtypes, Datum *values,
			 const char *nulls)
{
	siddhi_catalog_spi(sql, nargs, argtypes, values, nulls, false, true);
}

static void
check_app_name(const char *name)
{
	if (name[0] == '\0' || strlen(name) >= NAMEDATALEN)
		ereport(ERROR, (errcode(ERRCODE_INVALID_NAME),
						errmsg("app name must be 1 to %d characters long",
							   NAMEDATALEN - 1)));
}

/*
 * Take AccessExclusiveLock on all of relids, or wait and try again: the
 * engine worker locks an app's relations in its own order (loading the
 * app, writing a batch), so taking them one DROP at a time could deadlock
 * with it.  Holding none while waiting for the one it has breaks that.
 */
static void
lock_all_or_wait(List *relids)
{
	for (;;)
	{
		List *held = NIL;
		Oid blocked = InvalidOid;
		ListCell *lc;

		foreach(lc, relids)
		{
			Oid r = lfirst_oid(lc);

			if (!ConditionalLockRelationOid(r, AccessExclusiveLock))
			{
				blocked = r;
				break;
			}
			held = lappend_oid(held, r);
		}
		if (!OidIsValid(blocked))
			return;
		foreach(lc, held)
			UnlockRelationOid(lfirst_oid(lc), AccessExclusiveLock);
		list_free(held);
		LockRelationOid(blocked, AccessExclusiveLock);
		UnlockRelationOid(blocked, AccessExclusiveLock);
		CHECK_FOR_INTERRUPTS();
	}
}

/*
 * Remove an app's catalog rows and the streams it created (tables too
 * when drop_tables).  A relation another app still uses stays.  With
 * kept (a replace), the streams are locked but not dropped: they are
 * returned in *kept, for the new app to keep those it declares alike
 * (sessions watching them, and events queued for them, carry over) and
 * for siddhi_deploy to drop the others.
 */
static void
undeploy_internal(const char *name, bool drop_tables, List **kept)
{
	Oid argtypes[1] = { TEXTOID };
	Datum values[1] = { CStringGetTextDatum(name) };
	List *drops = NIL;
	List *relids = NIL;
	ListCell *lc;

	catalog_exec("SELECT r.kind, r.nspname::pg_catalog.text, "
				 "r.relname::pg_catalog.text "
				 "FROM siddhi.app_relation r "
				 "WHERE r.app OPERATOR(pg_catalog.=) $1 AND r.created "
				 "AND NOT EXISTS (SELECT 1 FROM siddhi.app_relation o "
				 "  WHERE o.app OPERATOR(pg_catalog.<>) r.app "
				 "  AND o.nspname OPERATOR(pg_catalog.=) r.nspname "
				 "  AND o.relname OPERATOR(pg_catalog.=) r.relname)",
				 1, argtypes, values, NULL);
	for (uint64 i = 0; i < SPI_processed; i++)
	{
		HeapTuple t = SPI_tuptable->vals[i];
		TupleDesc d = SPI_tuptable->tupdesc;
		char *kind = SPI_getvalue(t, d, 1);
		char *rel = quote_qualified_identifier(SPI_getvalue(t, d, 2),
											   SPI_getvalue(t, d, 3));
		Oid relid = RangeVarGetRelid(
			makeRangeVar(SPI_getvalue(t, d, 2), SPI_getvalue(t, d, 3), -1),
			NoLock, true);
		bool dropped = true;

		if (strcmp(kind, "stream") == 0 && kept && OidIsValid(relid))
		{
			SiddhiRelation *k = palloc0(sizeof(SiddhiRelation));

			k->name = SPI_getvalue(t, d, 3);
			k->nspname = SPI_getvalue(t, d, 2);
			k->relid = relid;
			k->kind = SIDDHI_REL_STREAM;
			k->created = true;
			*kept = lappend(*kept, k);
		}
		else if (strcmp(kind, "stream") == 0)
			drops = lappend(drops,
							psprintf("DROP FOREIGN TABLE IF EXISTS %s", rel));
		else if (strcmp(kind, "window") == 0)
			drops = lappend(drops, psprintf("DROP TABLE IF EXISTS %s", rel));
		else if (strcmp(kind, "aggregation view") == 0)
		{
			/* the view goes with its tables; kept while they are */
			if (drop_tables)
				drops = lcons(psprintf("DROP VIEW IF EXISTS %s", rel), drops);
			else
				dropped = false;
		}
		else if (drop_tables)
			drops = lappend(drops, psprintf("DROP TABLE IF EXISTS %s", rel));
		else
			dropped = false;
		if (dropped && OidIsValid(relid))
			relids = lappend_oid(relids, relid);
	}
	/* sinks' outboxes: a replace keeps those of its sinks (outbox.c) */
	if (kept == NULL)
		relids = list_concat(relids, siddhi_outbox_relids(name));
	lock_all_or_wait(relids);
	/* whose its positions and stored records are, for the next app of
	 * its name (take_leftovers) */
	if (kept == NULL)
		catalog_exec(
			"INSERT INTO siddhi.app_leftovers AS l (name, owner) "
			"SELECT a.name, a.owner::pg_catalog.oid FROM siddhi.app a "
			"WHERE a.name OPERATOR(pg_catalog.=) $1 "
			"ON CONFLICT (name) DO UPDATE SET owner = EXCLUDED.owner",
			1, argtypes, values, NULL);
	catalog_exec("DELETE FROM siddhi.app WHERE name OPERATOR(pg_catalog.=) $1",
				 1, argtypes, values, NULL);
	/* its saved state: a replace keeps it (siddhi_deploy decides) */
	if (kept == NULL)
	{
		catalog_exec("DELETE FROM siddhi.query_state "
					 "WHERE app OPERATOR(pg_catalog.=) $1",
					 1, argtypes, values, NULL);
		catalog_exec("DELETE FROM siddhi.query_state_part "
					 "WHERE app OPERATOR(pg_catalog.=) $1",
					 1, argtypes, values, NULL);
	}
	/* its pg_depend entries go with its placeholder view, before the drops */
	siddhi_depend_drop(name);
	/* drops run as the caller: they need to own what they drop */
	foreach(lc, drops)
		siddhi_catalog_spi(lfirst(lc), 0, NULL, NULL, NULL, false, false);
	if (kept == NULL)
		siddhi_outbox_sync(name, NULL);
	apps_changed = true;
}

/*
 * After a replace: drop the streams of the replaced app that the new app
 * neither kept nor created anew (as the caller, who must own them).
 */
static void
drop_unused_streams(List *kept, SiddhiAppPlan *plan)
{
	ListCell *lc;

	foreach(lc, kept)
	{
		SiddhiRelation *k = lfirst(lc);
		bool used = false;
		ListCell *r;
		char *sql;

		foreach(r, plan->relations)
		{
			SiddhiRelation *n = lfirst(r);

			if (n->relid == k->relid)
				used = true;
			else if (n->kind == SIDDHI_REL_STREAM &&
					 strcmp(n->name, k->name) == 0 &&
					 strcmp(n->nspname, k->nspname) == 0)
			{
				/* created anew by the new app: its watchers follow */
				MemoryContext old =
					MemoryContextSwitchTo(TopTransactionContext);

				moved_from = lappend_oid(moved_from, k->relid);
				moved_to = lappend_oid(moved_to, n->relid);
				MemoryContextSwitchTo(old);
				used = true;
			}
		}
		if (used || !SearchSysCacheExists1(RELOID, ObjectIdGetDatum(k->relid)))
			continue;
		sql = psprintf("DROP FOREIGN TABLE IF EXISTS %s",
					   quote_qualified_identifier(k->nspname, k->name));
		/* as the caller, pinned (catalog_spi.c) */
		siddhi_catalog_spi(sql, 0, NULL, NULL, NULL, false, false);
	}
}

PG_FUNCTION_INFO_V1(siddhi_apps_changed_trigger);

/*
 * Row trigger on siddhi.app: the engine worker must look at the apps
 * again once this transaction commits.  The worker's own state updates
 * do not count.
 */
Datum
siddhi_apps_changed_trigger(PG_FUNCTION_ARGS)
{
	if (!CALLED_AS_TRIGGER(fcinfo))
		ereport(
			ERROR,
			(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
			 errmsg("siddhi._apps_changed() must be called as a trigger")));
	if (siddhi_preloaded && !siddhi_in_engine)
	{
		siddhi_request_worker(MyDatabaseId);
		apps_changed = true;
	}
	return PointerGetDatum(NULL);
}

/* One row of siddhi.deploy()'s result; relid InvalidOid shows as NULL. */
static void
deploy_result_row(ReturnSetInfo *rsinfo, const char *kind, const char *name,
				  Oid relid)
{
	Datum values[3];
	bool nulls[3] = { false, false, !OidIsValid(relid) };

	values[0] = CStringGetTextDatum(kind);
	values[1] = CStringGetTextDatum(name);
	values[2] = ObjectIdGetDatum(relid);
	tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
}

/*
 * What siddhi.deploy() returns: the app's objects, so that a psql user
 * sees at once the names to INSERT into and SELECT from.  First every
 * relation it uses, in the order the analyzer bound them (streams, tables,
 * named windows, triggers, inferred and inner streams; an aggregation once,
 * as its view: its granularity tables are listed in siddhi.aggregations),
 * created now or already there; then its sources and sinks under the
 * names siddhi.sources and siddhi.sinks show; then its queries, each with
 * the relation it writes.
 */
static void
deploy_result(ReturnSetInfo *rsinfo, SiddhiAppPlan *plan)
{
	ListCell *lc;

	foreach(lc, plan->relations)
	{
		SiddhiRelation *r = lfirst(lc);
		const char *kind = siddhi_relation_kind_name(r->kind);
		ListCell *t;

		if (r->kind == SIDDHI_REL_AGGREGATION)
			continue;
		if (r->kind == SIDDHI_REL_AGGREGATION_VIEW)
			kind = "aggregation";
		foreach(t, plan->triggers)
			if (((SiddhiTriggerPlan *) lfirst(t))->relation == r)
				kind = "trigger";
		deploy_result_row(rsinfo, kind, r->name, r->relid);
	}
	foreach(lc, plan->sources)
	{
		SiddhiSourcePlan *s = lfirst(lc);

		deploy_result_row(rsinfo, "source", s->name, s->stream->relid);
	}
	foreach(lc, plan->sinks)
	{
		SiddhiSinkPlan *s = lfirst(lc);

		deploy_result_row(rsinfo, "sink", s->name, s->stream->relid);
	}
	foreach(lc, plan->queries)
	{
		SiddhiQueryPlan *q = lfirst(lc);

		deploy_result_row(rsinfo, "query", q->name,
						  q->output ? q->output->relid : InvalidOid);
	}
}

/*
 * Streaming SQL's EXPLAIN <query> shows a plan: siddhi.explain_text()
 * takes such a text; deploying it would run a query its author only
 * meant to look at.
 */
static void
refuse_explain(SiddhiApp *ast)
{
	List *queries = list_copy(ast->queries);
	ListCell *lc;

	foreach(lc, ast->partitions)
		queries =
			list_concat(queries, ((SiddhiPartition *) lfirst(lc))->queries);
	foreach(lc, queries)
	{
		SiddhiQuery *q = lfirst(lc);

		if (q->explain)
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("EXPLAIN cannot be deployed"),
					 errdetail("EXPLAIN shows the plan of a query and runs "
							   "nothing."),
					 errhint("Call siddhi.explain_text(app) to see the plan "
							 "of the app's text, or remove EXPLAIN to deploy "
							 "the query."),
					 siddhi_errposition(ast->source, q->location)));
	}
}

/*
 * A new app of name: what an app of that name left when it was undeployed
 * (its sources' positions, its stored records, siddhi.errors) is the new
 * one's only if its owner, the caller, has the privileges of the old one's
 * (a redeploy resumes); else it goes, so that nobody reads another role's
 * records, or positions that may name a secret's topic, by taking a name.
 * Left without a record of their owner, only a superuser keeps them.
 */
static void
take_leftovers(const char *name)
{
	Oid argtypes[1] = { TEXTOID };
	Datum values[1] = { CStringGetTextDatum(name) };
	Oid old = InvalidOid;
	bool keep;

	catalog_exec("SELECT owner FROM siddhi.app_leftovers "
				 "WHERE name OPERATOR(pg_catalog.=) $1",
				 1, argtypes, values, NULL);
	if (SPI_processed == 1)
	{
		bool isnull;

		old = DatumGetObjectId(SPI_getbinval(
			SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	}
	keep = superuser() ||
		   (OidIsValid(old) && has_privs_of_role(GetUserId(), old));
	if (!keep)
	{
		catalog_exec("DELETE FROM siddhi.source_offsets "
					 "WHERE app OPERATOR(pg_catalog.=) $1",
					 1, argtypes, values, NULL);
		catalog_exec("DELETE FROM siddhi.errors "
					 "WHERE app OPERATOR(pg_catalog.=) $1",
					 1, argtypes, values, NULL);
	}
	catalog_exec("DELETE FROM siddhi.app_leftovers "
				 "WHERE name OPERATOR(pg_catalog.=) $1",
				 1, argtypes, values, NULL);
}

PG_FUNCTION_INFO_V1(siddhi_deploy);

Datum
siddhi_deploy(PG_FUNCTION_ARGS)
{
	char *name;
	char *source;
	bool replace;
	bool keep_state;
	Oid owner;
	SiddhiSourceContext sctx;
	SiddhiApp *ast;
	SiddhiAppPlan *plan;
	ListCell *lc;
	List *kept = NIL;

	siddhi_require_preload();
	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
						errmsg("app name and app text must not be null")));
	name = text_to_cstring(PG_GETARG_TEXT_PP(0));
	source = text_to_cstring(PG_GETARG_TEXT_PP(1));
	replace = PG_ARGISNULL(2) ? false : PG_GETARG_BOOL(2);
	keep_state = PG_NARGS() < 4 || PG_ARGISNULL(3) ? true : PG_GETARG_BOOL(3);
	check_app_name(name);
	InitMaterializedSRF(fcinfo, 0);

	SPI_connect();
	owner = siddhi_app_owner_of(name);
	if (OidIsValid(owner))
	{
		if (!replace)
			ereport(ERROR, (errcode(ERRCODE_DUPLICATE_OBJECT),
							errmsg("app \"%s\" is already deployed", name),
							errhint("Pass replace => true to replace it, or "
									"call siddhi.undeploy('%s') first.",
									name)));
		siddhi_check_may_manage_owner(name, owner);
		undeploy_internal(name, false, &kept);
		{
			Oid argtypes[1] = { TEXTOID };
			Datum values[1] = { CStringGetTextDatum(name) };

			/*
			 * The saved state goes on to the new app (now() is its
			 * deployed_at: the INSERT below) unless keep_state is off;
			 * each query takes back its own only if its fingerprint (text
			 * and inputs) is the same.
			 */
			catalog_exec(keep_state
							 ? "UPDATE siddhi.query_state SET deployed_at = "
							   "pg_catalog.now() "
							   "WHERE app OPERATOR(pg_catalog.=) $1"
							 : "DELETE FROM siddhi.query_state "
							   "WHERE app OPERATOR(pg_catalog.=) $1",
						 1, argtypes, values, NULL);
			if (!keep_state)
				catalog_exec("DELETE FROM siddhi.query_state_part "
							 "WHERE app OPERATOR(pg_catalog.=) $1",
							 1, argtypes, values, NULL);
		}
		CommandCounterIncrement();
	}
	else
		take_leftovers(name);

	siddhi_source_context_push(&sctx, source, name);
	ast = siddhi_parse_app(source);
	refuse_explain(ast);
	plan = siddhi_analyze_app(ast, name, SIDDHI_ANALYZE_DEPLOY, kept);
	/* a secret it cannot use fails the deploy, not only the load */
	foreach(lc, plan->sources)
		siddhi_secrets_check(((SiddhiSourcePlan *) lfirst(lc))->options,
							 source, name, GetUserId());
	foreach(lc, plan->sinks)
		siddhi_secrets_check(((SiddhiSinkPlan *) lfirst(lc))->options, source,
							 name, GetUserId());
	siddhi_source_context_pop(&sctx);
	drop_unused_streams(kept, plan);

	{
		Oid argtypes[5] = { TEXTOID, OIDOID, TEXTOID, TEXTOID, TEXTOID };
		Datum values[5];

		values[0] = CStringGetTextDatum(name);
		values[1] = ObjectIdGetDatum(GetUserId());
		values[2] = CStringGetTextDatum(
			ast->dialect == SIDDHI_DIALECT_SQL ? "sql" : "siddhiql");
		values[3] = CStringGetTextDatum(source);
		/* the engine analyses the app under it again at every load */
		values[4] = CStringGetTextDatum(namespace_search_path);
		catalog_exec("INSERT INTO siddhi.app "
					 "(name, owner, dialect, source, search_path) "
					 "VALUES ($1, $2::pg_catalog.regrole, $3, $4, $5)",
					 5, argtypes, values, NULL);
	}
	foreach(lc, plan->relations)
	{
		SiddhiRelation *r = lfirst(lc);
		Oid argtypes[5] = { TEXTOID, TEXTOID, TEXTOID, TEXTOID, BOOLOID };
		Datum values[5];

		values[0] = CStringGetTextDatum(name);
		values[1] = CStringGetTextDatum(siddhi_relation_kind_name(r->kind));
		values[2] = CStringGetTextDatum(r->nspname);
		values[3] = CStringGetTextDatum(get_rel_name(r->relid));
		values[4] = BoolGetDatum(r->created);
		catalog_exec("INSERT INTO siddhi.app_relation "
					 "(app, kind, nspname, relname, created) "
					 "VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
					 5, argtypes, values, NULL);
	}
	/* the outboxes of its sinks (and none of sinks it no longer has) */
	siddhi_outbox_sync(name, plan);
	/* before SPI_finish: the plan lives in the SPI procedure's memory */
	siddhi_depend_record(name, plan);
	deploy_result((ReturnSetInfo *) fcinfo->resultinfo, plan);
	SPI_finish();

	siddhi_request_worker(MyDatabaseId);
	apps_changed = true;
	return (Datum) 0;
}

PG_FUNCTION_INFO_V1(siddhi_undeploy);

Datum
siddhi_undeploy(PG_FUNCTION_ARGS)
{
	char *name = text_to_cstring(PG_GETARG_TEXT_PP(0));
	bool drop_tables = PG_GETARG_BOOL(1);

	siddhi_require_preload();
	SPI_connect();
	siddhi_check_may_manage_app(name);
	undeploy_internal(name, drop_tables, NULL);
	SPI_finish();
	PG_RETURN_VOID();
}
