/*-------------------------------------------------------------------------
 *
 * depend.c
 *	  pg_depend entries from an app to everything it uses.
 *
 * PostgreSQL can only refuse `DROP TABLE t` (or ALTER .. TYPE, DROP
 * FUNCTION, ..) because of a dependent object it knows how to describe and
 * drop.  An app is a row of siddhi.app, which pg_depend cannot point at, so
 * each app gets a placeholder that PostgreSQL knows: a view
 * siddhi_app.<app name> defined as `SELECT` (no columns, no tables).  Its
 * _RETURN rule carries our pg_depend entries (DEPENDENCY_NORMAL, as a
 * view's rule carries those of its query):
 *
 *	- every relation of the app (streams, tables, named-window and
 *	  aggregation tables, tables read by joins) and each of its columns:
 *	  the engine keeps rows of the whole row type, so every column matters;
 *	- the functions, operators, types and collations of every expression
 *	  of the plan (through recordDependencyOnExpr, the Vars replaced by
 *	  typed NULLs since they read events, not a range table), and the
 *	  relations and columns of the statements the plan runs on tables.
 *
 * Why a view's rule (OCLASS_REWRITE): ALTER TABLE .. ALTER COLUMN .. TYPE
 * (ATExecAlterColumnType in PG15 tablecmds.c) refuses a column a rule
 * depends on with a clean "cannot alter type of a column used by a view or
 * rule", while it stops with an internal "unexpected object depending on
 * column" for most other classes (functions, types, ..).  DROP reports the
 * rule as its view: "view siddhi_app.myapp depends on table t".
 *
 * The views are not members of the extension: findDependentObjects turns
 * a cascaded drop of an extension member into a drop of the whole
 * extension.  They live in schema siddhi_app (a member; nothing else goes
 * there, so app names cannot clash with the extension's own objects), are
 * created by the bootstrap superuser and owned by the app's owner (its
 * pg_shdepend entry on the role: set_placeholder_owner), and pg_dump
 * writes them as the empty views they are.  The engine worker records the entries again whenever
 * it loads an app, so a restored database (or one whose view was dropped)
 * gets them back.
 *
 * With CASCADE the view goes; the engine worker notices (invalidation of
 * the view and of the dropped object, src/worker/invalidate.c) and marks
 * the app failed with the reason.
 *
 * Locks: deploy and the worker's load hold AccessShareLock on every
 * relation of the app while the entries are written (the analyser opened
 * them), so a concurrent DROP waits and then sees the entries; and
 * AccessShareLock on the view itself, so that an undeploy dropping it and
 * the worker rewriting its entries take turns (the worker then writes
 * nothing for an app that is no longer deployed).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/relation.h"
#include "access/xact.h"
#include "access/table.h"
#include "catalog/dependency.h"
#include "catalog/indexing.h"
#include "catalog/namespace.h"
#include "catalog/pg_authid.h"
#include "catalog/pg_class.h"
#include "catalog/pg_depend.h"
#include "catalog/pg_operator.h"
#include "catalog/pg_rewrite.h"
#include "catalog/pg_type.h"
#include "commands/tablecmds.h"
#include "commands/view.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "rewrite/rewriteSupport.h"
#include "siddhi/catalog.h"
#include "siddhi/connector.h"
#include "siddhi/depend.h"
#include "siddhi/shmem.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/syscache.h"
#include "utils/inval.h"

/* Where the plan's expressions and statements are gathered. */
typedef struct DependCollect
{
	List *items;			/* of Node *: expressions and Query trees */
	ObjectAddresses *addrs; /* relations, columns, operators */
} DependCollect;

/* A Var reads an event, not a range table: keep only its type. */
static Node *
var_to_null(Node *node, void *context)
{
	if (node == NULL)
		return NULL;
	if (IsA(node, Var))
	{
		Var *v = (Var *) node;

		return (Node *) makeNullConst(v->vartype, v->vartypmod, v->varcollid);
	}
	if (IsA(node, Query))
		return node; /* self-contained: its Vars read its range table */
	return expression_tree_mutator(node, var_to_null, context);
}

static void
collect_expr(DependCollect *dc, void *node)
{
	if (node == NULL)
		return;
	if (IsA(node, Query))
		dc->items = lappend(dc->items, node);
	else
		dc->items = lappend(dc->items, var_to_null(copyObject(node), NULL));
}

static void
collect_operators(DependCollect *dc, List *ops)
{
	ListCell *lc;

	foreach(lc, ops)
	{
		ObjectAddress a;

		if (!OidIsValid(lfirst_oid(lc)))
			continue;
		ObjectAddressSet(a, OperatorRelationId, lfirst_oid(lc));
		add_exact_object_address(&a, dc->addrs);
	}
}

static void
collect_window(DependCollect *dc, SiddhiWindowPlan *wp)
{
	ListCell *lc;

	if (wp == NULL)
		return;
	collect_expr(dc, wp->time_expr);
	collect_expr(dc, wp->start_expr);
	collect_expr(dc, wp->keys);
	collect_expr(dc, wp->condition);
	collect_operators(dc, wp->sort_ops);
	foreach(lc, wp->cond_aggs)
		collect_expr(dc, ((SiddhiAggPlan *) lfirst(lc))->arg);
}

static void
collect_query(DependCollect *dc, SiddhiQueryPlan *qp)
{
	ListCell *lc;

	collect_expr(dc, qp->qual);
	collect_expr(dc, qp->dedup_key);
	collect_expr(dc, qp->dedup_qual);
	collect_window(dc, qp->window);
	collect_expr(dc, qp->window_qual);
	foreach(lc, qp->aggregates)
		collect_expr(dc, ((SiddhiAggPlan *) lfirst(lc))->arg);
	collect_expr(dc, qp->group_by);
	collect_expr(dc, qp->having);
	collect_expr(dc, qp->order_by);
	collect_operators(dc, qp->order_ops);
	collect_expr(dc, qp->targetlist);
	if (qp->table_op)
	{
		collect_expr(dc, qp->table_op->modify);
		collect_expr(dc, qp->table_op->insert);
	}
	foreach(lc, qp->memberships)
		collect_expr(dc, ((SiddhiMembershipPlan *) lfirst(lc))->probe);
	if (qp->join)
	{
		collect_expr(dc, qp->join->other_qual);
		collect_window(dc, qp->join->other_window);
		collect_expr(dc, qp->join->other_window_qual);
		collect_expr(dc, qp->join->on);
		collect_expr(dc, qp->join->probe);
	}
	if (qp->pattern)
	{
		foreach(lc, qp->pattern->states)
			collect_expr(dc, ((SiddhiPatternStatePlan *) lfirst(lc))->filter);
	}
}

/* A relation and each of its live columns. */
static void
collect_relation(DependCollect *dc, Oid relid)
{
	Relation rel;
	TupleDesc desc;
	ObjectAddress a;

	if (!OidIsValid(relid))
		return;
	rel = relation_open(relid, AccessShareLock);
	desc = RelationGetDescr(rel);
	ObjectAddressSet(a, RelationRelationId, relid);
	add_exact_object_address(&a, dc->addrs);
	for (int i = 0; i < desc->natts; i++)
	{
		if (TupleDescAttr(desc, i)->attisdropped)
			continue;
		ObjectAddressSubSet(a, RelationRelationId, relid, i + 1);
		add_exact_object_address(&a, dc->addrs);
	}
	relation_close(rel, NoLock);
}

static void
collect_plan(DependCollect *dc, SiddhiAppPlan *plan)
{
	ListCell *lc;

	foreach(lc, plan->relations)
		collect_relation(dc, ((SiddhiRelation *) lfirst(lc))->relid);
	/* a cdc source's table: ALTER TABLE reloads the app */
	foreach(lc, plan->sources)
		collect_relation(dc, ((SiddhiSourcePlan *) lfirst(lc))->table_relid);
	foreach(lc, plan->queries)
	{
		SiddhiQueryPlan *qp = lfirst(lc);

		collect_query(dc, qp);
		if (qp->join && qp->join->other)
			collect_relation(dc, qp->join->other->relid);
	}
	foreach(lc, plan->windows)
		collect_window(dc, ((SiddhiNamedWindowPlan *) lfirst(lc))->window);
	foreach(lc, plan->aggregations)
	{
		SiddhiAggregationPlan *ap = lfirst(lc);
		ListCell *lcol;

		collect_expr(dc, ap->qual);
		collect_expr(dc, ap->time_expr);
		foreach(lcol, ap->columns)
			collect_expr(dc, ((SiddhiIncColumn *) lfirst(lcol))->expr);
	}
	foreach(lc, plan->partitions)
	{
		SiddhiPartitionPlan *pp = lfirst(lc);
		ListCell *ls;

		foreach(ls, pp->streams)
		{
			SiddhiPartitionStreamPlan *sp = lfirst(ls);

			collect_expr(dc, sp->value);
			collect_expr(dc, sp->ranges);
		}
	}
}

/*
 * Expressions the analyser resolved since siddhi_depend_begin(), in a
 * context of their own: an analysis that fails leaves nothing dangling.
 */
static MemoryContext note_cxt = NULL;
static List *noted = NIL;
static bool noting = false;

void
siddhi_depend_begin(void)
{
	if (note_cxt == NULL)
		note_cxt = AllocSetContextCreate(TopMemoryContext, "siddhi depend",
										 ALLOCSET_DEFAULT_SIZES);
	else
		MemoryContextReset(note_cxt);
	noted = NIL;
	noting = true;
}

void
siddhi_depend_note(Node *expr)
{
	MemoryContext old;

	if (!noting || expr == NULL)
		return;
	old = MemoryContextSwitchTo(note_cxt);
	noted = lappend(noted, var_to_null(copyObject(expr), NULL));
	MemoryContextSwitchTo(old);
}

static Oid
app_schema(bool missing_ok)
{
	return get_namespace_oid(SIDDHI_APP_SCHEMA, missing_ok);
}

/* The placeholder view of app name, or InvalidOid. */
static Oid
placeholder_view(const char *name)
{
	Oid nsp = app_schema(true);

	if (!OidIsValid(nsp))
		return InvalidOid;
	return get_relname_relid(name, nsp);
}

Oid
siddhi_depend_rule(const char *name, Oid *view)
{
	*view = placeholder_view(name);
	if (!OidIsValid(*view))
		return InvalidOid;
	return get_rewrite_oid(*view, ViewSelectRuleName, true);
}

/* CREATE VIEW siddhi_app.<name> AS SELECT, without a utility statement. */
static Oid
create_placeholder(const char *name)
{
	ViewStmt *vs = makeNode(ViewStmt);
	SelectStmt *sel = makeNode(SelectStmt);
	ObjectAddress addr;

	vs->view = makeRangeVar(SIDDHI_APP_SCHEMA, pstrdup(name), -1);
	vs->query = (Node *) sel;
	vs->replace = false;
	vs->options = NIL;
	vs->withCheckOption = NO_CHECK_OPTION;
	addr = DefineView(vs, "SELECT", -1, 0);
	CommandCounterIncrement();
	return addr.objectId;
}

/*
 * The view is owned by the app's owner: its pg_shdepend entry is the app's
 * on its owner, so that DROP ROLE refuses while the role owns apps, and
 * DROP OWNED BY / REASSIGN OWNED BY find them (src/worker/app_owner.c
 * does the rest).  Nobody but superusers may use schema siddhi_app, so
 * owning the empty view lets its owner do nothing with it by name.  The
 * caller is the bootstrap superuser; recursing skips the checks of ALTER
 * VIEW .. OWNER TO (CREATE on the schema), as REASSIGN OWNED does.
 */
static void
set_placeholder_owner(Oid view, Oid owner)
{
	HeapTuple tup = SearchSysCache1(RELOID, ObjectIdGetDatum(view));
	Oid current;

	if (!HeapTupleIsValid(tup))
		elog(ERROR, "cache lookup failed for relation %u", view);
	current = ((Form_pg_class) GETSTRUCT(tup))->relowner;
	ReleaseSysCache(tup);
	if (current == owner)
		return;
	ATExecChangeOwner(view, owner, true, AccessExclusiveLock);
	CommandCounterIncrement();
}

/* Remove the NORMAL entries of the rule: those we recorded. */
static void
forget_dependencies(Oid rule)
{
	Relation dep = table_open(DependRelationId, RowExclusiveLock);
	ScanKeyData key[2];
	SysScanDesc scan;
	HeapTuple tup;

	ScanKeyInit(&key[0], Anum_pg_depend_classid, BTEqualStrategyNumber,
				F_OIDEQ, ObjectIdGetDatum(RewriteRelationId));
	ScanKeyInit(&key[1], Anum_pg_depend_objid, BTEqualStrategyNumber, F_OIDEQ,
				ObjectIdGetDatum(rule));
	scan = systable_beginscan(dep, DependDependerIndexId, true, NULL, 2, key);
	while (HeapTupleIsValid(tup = systable_getnext(scan)))
	{
		if (((Form_pg_depend) GETSTRUCT(tup))->deptype == DEPENDENCY_NORMAL)
			CatalogTupleDelete(dep, &tup->t_self);
	}
	systable_endscan(scan);
	table_close(dep, RowExclusiveLock);
	CommandCounterIncrement();
}

/* Is app name in siddhi.app, as of now (not the caller's snapshot)? */
static bool
app_still_deployed(const char *name)
{
	Oid argtypes[1] = { TEXTOID };
	Datum values[1] = { CStringGetTextDatum(name) };
	bool found;

	SPI_connect();
	/* pinned (catalog_spi.c); not read-only: a snapshot of now */
	siddhi_catalog_spi("SELECT 1 FROM siddhi.app "
					   "WHERE name OPERATOR(pg_catalog.=) $1",
					   1, argtypes, values, NULL, false, false);
	found = SPI_processed > 0;
	SPI_finish();
	return found;
}

void
siddhi_depend_record(const char *name, SiddhiAppPlan *plan)
{
	Oid save_user;
	int save_sec;
	Oid view;
	Oid rule;
	ObjectAddress depender;
	DependCollect dc;

	GetUserIdAndSecContext(&save_user, &save_sec);
	SetUserIdAndSecContext(BOOTSTRAP_SUPERUSERID,
						   save_sec | SECURITY_LOCAL_USERID_CHANGE);

	/*
	 * Lock the view while its entries are rewritten: an undeploy (which
	 * drops it) waits for us, or we for it.  The engine loads apps from a
	 * snapshot: after waiting, the app may be gone, and must not get a view
	 * again.
	 */
	view = RangeVarGetRelid(makeRangeVar(SIDDHI_APP_SCHEMA, pstrdup(name), -1),
							AccessShareLock, true);
	if (siddhi_in_engine && !app_still_deployed(name))
	{
		SetUserIdAndSecContext(save_user, save_sec);
		return;
	}
	if (!OidIsValid(view))
		view = create_placeholder(name);
	set_placeholder_owner(view, plan->owner);
	rule = get_rewrite_oid(view, ViewSelectRuleName, false);
	forget_dependencies(rule);

	memset(&dc, 0, sizeof(dc));
	dc.addrs = new_object_addresses();
	collect_plan(&dc, plan);
	dc.items = list_concat(dc.items, noted);
	noted = NIL;
	ObjectAddressSet(depender, RewriteRelationId, rule);
	record_object_address_dependencies(&depender, dc.addrs, DEPENDENCY_NORMAL);
	if (dc.items != NIL)
		recordDependencyOnExpr(&depender, (Node *) dc.items, NIL,
							   DEPENDENCY_NORMAL);
	free_object_addresses(dc.addrs);
	if (note_cxt != NULL)
		MemoryContextReset(note_cxt);
	noted = NIL;
	noting = false;
	CommandCounterIncrement();
	SetUserIdAndSecContext(save_user, save_sec);
}

void
siddhi_depend_drop(const char *name)
{
	Oid view = placeholder_view(name);
	ObjectAddress addr;

	if (!OidIsValid(view))
		return;
	ObjectAddressSet(addr, RelationRelationId, view);
	performDeletion(&addr, DROP_RESTRICT, PERFORM_DELETION_INTERNAL);
	CommandCounterIncrement();
}

/* Local cache flush ------------------------------------------------------ */

static bool local_flush = false;

void
siddhi_local_cache_flush(void)
{
	local_flush = true;
	PG_TRY();
	{
		InvalidateSystemCaches();
	}
	PG_FINALLY();
	{
		local_flush = false;
	}
	PG_END_TRY();
}

bool
siddhi_local_cache_flushing(void)
{
	return local_flush;
}
