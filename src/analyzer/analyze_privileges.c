/*-------------------------------------------------------------------------
 *
 * analyze_privileges.c
 *	  What an app may read and write: one pass over the finished plan.
 *
 * An app acts with its owner's rights, so the owner must hold SELECT on
 * every relation the app reads and INSERT, UPDATE or DELETE on every one
 * it changes, as a view's owner must for the view's relations.  Rather
 * than trusting each kind of query (filters, joins, `in T`, table
 * operations, patterns, partitions, aggregations, ..) to remember its own
 * check, siddhi_check_app_privileges walks the whole plan once analysis
 * is over and checks every relation it finds, together with the range
 * tables of every Query the plan holds (a join's or membership's lookup,
 * a table operation, a subquery inside any expression), and EXECUTE on
 * every function and operator its expressions call (the executor would
 * refuse them only when the app runs).  A new kind of
 * query that adds a relation to the plan is checked by adding it to the
 * walk below; nothing else.
 *
 * The checks are made as the current user: the deploying user in
 * siddhi.deploy(), the app's owner in the engine worker, which analyzes
 * every app again each time it loads it (src/worker/engine.c switches to
 * the owner first).  A privilege revoked since the deploy makes the load
 * fail with the same error.  While the app runs, PostgreSQL's executor
 * checks again each statement the runtime plans (table operations, join
 * and membership lookups, the aggregations' upserts) and the table sink
 * checks INSERT as it writes (src/runtime/table_sink.c).
 *
 * Named windows are the app's own memory: writing to one or reading it
 * needs no privilege (its mirror table belongs to the engine).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "analyze_int.h"
#include "executor/executor.h"
#include "miscadmin.h"
#include "nodes/nodeFuncs.h"
#include "parser/parsetree.h"
#include "siddhi/parser.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/regproc.h"
#include "utils/rls.h"

/* What the walk is checking for, for the error's detail and position. */
typedef struct PrivCheck
{
	AnalyzeState *st;
	const char *what; /* "query \"q\"", "aggregation \"a\"", .. */
	int location;	  /* in the app's source */
} PrivCheck;

static const struct
{
	AclMode mode;
	const char *privilege;
	const char *verb;
} privilege_names[] = {
	{ ACL_SELECT, "SELECT", "read" },
	{ ACL_INSERT, "INSERT", "insert into" },
	{ ACL_UPDATE, "UPDATE", "update" },
	{ ACL_DELETE, "DELETE", "delete from" },
};

static void
privilege_error(PrivCheck *pc, Oid relid, AclMode mode)
{
	const char *privilege = "SELECT";
	const char *verb = "read";
	char *nsp = get_namespace_name(get_rel_namespace(relid));
	char *rel = get_rel_name(relid);

	for (int i = 0; i < lengthof(privilege_names); i++)
		if (privilege_names[i].mode == mode)
		{
			privilege = privilege_names[i].privilege;
			verb = privilege_names[i].verb;
		}
	ereport(
		ERROR,
		(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
		 errmsg("permission denied to %s \"%s\"", verb,
				rel ? quote_qualified_identifier(nsp, rel)
					: psprintf("%u", relid)),
		 errdetail("The app's %s needs the %s privilege on it, which "
				   "role \"%s\" does not have.",
				   pc->what, privilege, GetUserNameFromId(GetUserId(), false)),
		 errhint("The app acts with its owner's rights: ask the "
				 "relation's owner to grant the privilege."),
		 siddhi_errposition(pc->st->app->source, pc->location)));
}

/*
 * Row-level security that applies to the current user: refused.  The
 * engine writes rows with ExecSimpleRelationInsert and probes tables by
 * index without the rewriter, so no policy would filter what the app
 * reads or check what it writes: the app would see and change rows its
 * owner may not.  A table whose owner (or a role with BYPASSRLS) owns the
 * app is not affected, as in PostgreSQL.
 */
static void
refuse_row_security(PrivCheck *pc, Oid relid)
{
	if (check_enable_rls(relid, InvalidOid, true) != RLS_ENABLED)
		return;
	ereport(ERROR,
			(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
			 errmsg("row-level security applies to \"%s\" for role \"%s\"",
					quote_qualified_identifier(
						get_namespace_name(get_rel_namespace(relid)),
						get_rel_name(relid)),
					GetUserNameFromId(GetUserId(), false)),
			 errdetail("The app's %s would read or write it without its "
					   "policies: the engine applies none.",
					   pc->what),
			 errhint("Use a table without row-level security for the app, "
					 "or deploy the app as a role that bypasses it (the "
					 "table's owner, or a role with BYPASSRLS)."),
			 siddhi_errposition(pc->st->app->source, pc->location)));
}

/* mode (one privilege) on a whole relation, as the current user. */
static void
require_relation(PrivCheck *pc, Oid relid, AclMode mode)
{
	if (!OidIsValid(relid))
		return;
	if (pg_class_aclcheck(relid, GetUserId(), mode) != ACLCHECK_OK)
		privilege_error(pc, relid, mode);
	refuse_row_security(pc, relid);
}

/* A relation of the plan the app reads (named windows excepted). */
static void
require_read(PrivCheck *pc, SiddhiRelation *r)
{
	if (r != NULL && r->kind != SIDDHI_REL_WINDOW)
		require_relation(pc, r->relid, ACL_SELECT);
}

/*
 * A range-table entry: each privilege it asks for, checked as PostgreSQL's
 * executor checks it (column privileges count), one at a time so that
 * the error says which.
 */
static void
require_rte(PrivCheck *pc, RangeTblEntry *rte)
{
	if (rte->rtekind != RTE_RELATION || rte->requiredPerms == 0)
		return;
	for (int i = 0; i < lengthof(privilege_names); i++)
	{
		RangeTblEntry one;

		if (!(rte->requiredPerms & privilege_names[i].mode))
			continue;
		one = *rte;
		one.requiredPerms = privilege_names[i].mode;
		if (!ExecCheckRTPerms(list_make1(&one), false))
			privilege_error(pc, rte->relid, privilege_names[i].mode);
	}
	refuse_row_security(pc, rte->relid);
}

/* EXECUTE on a function an expression calls, as the executor will check. */
static void
require_execute(PrivCheck *pc, Oid funcid, int location)
{
	if (!OidIsValid(funcid) ||
		pg_proc_aclcheck(funcid, GetUserId(), ACL_EXECUTE) == ACLCHECK_OK)
		return;
	ereport(ERROR, (errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
					errmsg("permission denied for function %s",
						   format_procedure(funcid)),
					errdetail("The app's %s calls it, which needs the EXECUTE "
							  "privilege, which role \"%s\" does not have.",
							  pc->what, GetUserNameFromId(GetUserId(), false)),
					siddhi_errposition(pc->st->app->source, pc->location)));
}

/*
 * Every Query below node (sublinks, lookups): its range table checked;
 * every function and operator: EXECUTE on it.
 */
static bool
check_walker(Node *node, PrivCheck *pc)
{
	if (node == NULL)
		return false;
	if (IsA(node, FuncExpr))
		require_execute(pc, ((FuncExpr *) node)->funcid, exprLocation(node));
	else if (IsA(node, OpExpr) || IsA(node, DistinctExpr) ||
			 IsA(node, NullIfExpr))
	{
		set_opfuncid((OpExpr *) node);
		require_execute(pc, ((OpExpr *) node)->opfuncid, exprLocation(node));
	}
	else if (IsA(node, ScalarArrayOpExpr))
	{
		set_sa_opfuncid((ScalarArrayOpExpr *) node);
		require_execute(pc, ((ScalarArrayOpExpr *) node)->opfuncid,
						exprLocation(node));
	}
	if (IsA(node, RangeTblEntry))
	{
		require_rte(pc, (RangeTblEntry *) node);
		return false;
	}
	if (IsA(node, Query))
		return query_tree_walker((Query *) node, check_walker, pc,
								 QTW_EXAMINE_RTES_BEFORE);
	return expression_tree_walker(node, check_walker, pc);
}

static void
check_node(PrivCheck *pc, void *node)
{
	(void) check_walker((Node *) node, pc);
}

/* The expressions of a window: its keys, times and condition. */
static void
check_window(PrivCheck *pc, SiddhiWindowPlan *wp)
{
	ListCell *lc;

	if (wp == NULL)
		return;
	check_node(pc, wp->time_expr);
	check_node(pc, wp->start_expr);
	check_node(pc, wp->keys);
	check_node(pc, wp->condition);
	foreach(lc, wp->cond_aggs)
		check_node(pc, ((SiddhiAggPlan *) lfirst(lc))->arg);
}

static void
check_query(PrivCheck *pc, SiddhiQueryPlan *qp)
{
	ListCell *lc;

	/* what it reads */
	require_read(pc, qp->input);
	if (qp->join)
	{
		require_read(pc, qp->join->other);
		check_node(pc, qp->join->probe);
		check_node(pc, qp->join->other_qual);
		check_node(pc, qp->join->other_window_qual);
		check_node(pc, qp->join->on);
	}
	if (qp->pattern)
	{
		foreach(lc, qp->pattern->streams)
			require_read(pc, lfirst(lc));
		foreach(lc, qp->pattern->states)
			check_node(pc, ((SiddhiPatternStatePlan *) lfirst(lc))->filter);
	}
	foreach(lc, qp->memberships)
		check_node(pc, ((SiddhiMembershipPlan *) lfirst(lc))->probe);
	check_node(pc, qp->qual);
	check_node(pc, qp->dedup_key);
	check_node(pc, qp->dedup_qual);
	check_window(pc, qp->window);
	check_node(pc, qp->window_qual);
	foreach(lc, qp->aggregates)
		check_node(pc, ((SiddhiAggPlan *) lfirst(lc))->arg);
	check_node(pc, qp->group_by);
	check_node(pc, qp->having);
	check_node(pc, qp->order_by);
	check_node(pc, qp->targetlist);
	if (qp->join)
		check_window(pc, qp->join->other_window);

	/* what it writes */
	if (qp->table_op)
	{
		check_node(pc, qp->table_op->modify);
		check_node(pc, qp->table_op->insert);
	}
	else if (qp->output && qp->output->kind != SIDDHI_REL_WINDOW)
		require_relation(pc, qp->output->relid, ACL_INSERT);
}

/* The definition of an aggregation, for its position in the source. */
static int
aggregation_location(AnalyzeState *st, const char *name)
{
	ListCell *lc;

	foreach(lc, st->app->definitions)
	{
		SiddhiDefinition *d = lfirst(lc);

		if (d->kind == SIDDHI_DEF_AGGREGATION && strcmp(d->name, name) == 0)
			return d->location;
	}
	return -1;
}

/*
 * Check that the current user may read and write everything the analyzed
 * app reads and writes; ERROR (42501, naming the relation) at the first
 * that it may not.
 */
void
siddhi_check_app_privileges(AnalyzeState *st)
{
	SiddhiAppPlan *plan = st->plan;
	PrivCheck pc = { st, NULL, -1 };
	ListCell *lc;

	foreach(lc, plan->aggregations)
	{
		SiddhiAggregationPlan *ap = lfirst(lc);
		ListCell *lcol;

		pc.what = psprintf("aggregation \"%s\"", ap->name);
		pc.location = aggregation_location(st, ap->name);
		require_read(&pc, ap->input);
		check_node(&pc, ap->qual);
		check_node(&pc, ap->time_expr);
		foreach(lcol, ap->columns)
			check_node(&pc, ((SiddhiIncColumn *) lfirst(lcol))->expr);
	}
	foreach(lc, plan->partitions)
	{
		SiddhiPartitionPlan *pp = lfirst(lc);
		SiddhiPartition *ast = list_nth(st->app->partitions, pp->index - 1);
		ListCell *ls;

		pc.what = psprintf("partition \"%s\"", pp->name);
		pc.location = ast->location;
		foreach(ls, pp->streams)
		{
			SiddhiPartitionStreamPlan *ps = lfirst(ls);

			require_relation(&pc, ps->relid, ACL_SELECT);
			check_node(&pc, ps->value);
			check_node(&pc, ps->ranges);
		}
	}
	foreach(lc, plan->windows)
	{
		SiddhiNamedWindowPlan *nw = lfirst(lc);

		pc.what = psprintf("window \"%s\"", nw->relation->name);
		pc.location = -1;
		check_window(&pc, nw->window);
	}
	foreach(lc, plan->queries)
	{
		SiddhiQueryPlan *qp = lfirst(lc);

		pc.what = psprintf("query \"%s\"", qp->name);
		pc.location = qp->ast ? qp->ast->location : -1;
		check_query(&pc, qp);
	}
}
