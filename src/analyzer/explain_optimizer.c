/*-------------------------------------------------------------------------
 *
 * explain_optimizer.c
 *	  What EXPLAIN shows of the optimizer's decisions on a query's input:
 *	  its dispatch key (analyze_dispatch.c) and the conditions it shares
 *	  with other queries of its app (analyze_shared.c).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "siddhi/explain.h"
#include "siddhi/shmem.h"
#include "utils/builtins.h"
#include "explain_int.h"

/*
 * The query's dispatch key, on the node whose condition it comes from:
 * the attribute, its comparison (= or a range's < <= >= >, the attribute
 * on the left) and its value, and how many queries of the app the
 * stream's index holds on that attribute.
 */
void
siddhi_explain_dispatch(SiddhiAppPlan *app, SiddhiQueryPlan *q,
						SiddhiExplainNode *n)
{
	SiddhiDispatchKey *k = q->dispatch;
	static const char *const ops[] = { "?", "<", "<=", "=", ">=", ">" };

	if (k == NULL || n == NULL)
		return;
	siddhi_explain_prop(
		n, "Dispatch Key",
		psprintf("%s %s %s", quote_identifier(k->attname),
				 ops[k->strategy >= 1 && k->strategy <= 5 ? k->strategy : 0],
				 siddhi_explain_expr(siddhi_explain_cols_new(),
									 (Node *) k->value)));
	siddhi_explain_prop(
		n, "Dispatch Index",
		psprintf("%s.%s, %d %s of the app%s", q->input->name,
				 quote_identifier(k->attname), siddhi_dispatch_sharing(app, q),
				 siddhi_dispatch_sharing(app, q) == 1 ? "query" : "queries",
				 siddhi_dispatch_index ? "" : " (siddhi.dispatch_index off)"));
}

/*
 * Each conjunct of the query's filter that other queries of the app on
 * the same stream have too, evaluated once per event for all of them, and
 * how many queries share it; before them, each subexpression of its
 * filter or select that is one of the app's shared expressions.
 */
void
siddhi_explain_shared(SiddhiAppPlan *app, SiddhiQueryPlan *q,
					  SiddhiExplainNode *n, SiddhiExplainCols *c)
{
	ListCell *lc;
	ListCell *li;

	if (n == NULL)
		return;
	/* the subexpressions it shares (analyze_shared_expr.c) */
	foreach(lc, q->shared_exprs)
	{
		SiddhiSharedExpr *se = list_nth(app->shared_exprs, lfirst_int(lc));

		siddhi_explain_prop_append(
			n, "Shared Expression",
			psprintf("%s, once per event for %d %s of the app",
					 siddhi_explain_expr(c, (Node *) se->expr), se->users,
					 se->users == 1 ? "query" : "queries"));
	}
	forboth(lc, q->qual_conds, li, q->qual_shared)
	{
		int users;

		if (lfirst_int(li) < 0)
			continue;
		users = siddhi_shared_condition_users(app, lfirst_int(li));
		siddhi_explain_prop_append(
			n, "Shared Condition",
			psprintf("%s, once per event for %d queries of the app",
					 siddhi_explain_expr(c, lfirst(lc)), users));
	}
}
