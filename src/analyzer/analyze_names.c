/*-------------------------------------------------------------------------
 *
 * analyze_names.c
 *	  The names the analyzer gives queries that have no @info(name=..).
 *
 * An unnamed query is called query<n>, n its place among the app's
 * queries (those inside partitions counted in the order written), as
 * it always was; the name shows in siddhi.queries and in error messages.
 * The user may however have taken that name for another query
 * (@info(name='query1') on the second query): the explicit name wins, and
 * the unnamed query becomes query<n>_2, query<n>_3, .. the first that no
 * query of the app names and no earlier unnamed query was given.  So a
 * generated name never clashes, the same app text always gets the same
 * names, and an app whose names did not clash keeps the names it had.
 *
 * Siddhi 5.1 (QueryParser) names an unnamed query "query_<n>_<random
 * UUID>": never clashing either, but a new name at every deploy; ours
 * are deterministic so that siddhi.queries and the tests can name them.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "analyze_int.h"

/* Does some query of the app carry this name in @info(name=..)? */
static bool
name_given(SiddhiApp *app, const char *name)
{
	ListCell *lc;

	foreach(lc, app->queries)
	{
		SiddhiQuery *q = lfirst(lc);

		if (q->name && strcmp(q->name, name) == 0)
			return true;
	}
	foreach(lc, app->partitions)
	{
		SiddhiPartition *part = lfirst(lc);
		ListCell *lq;

		foreach(lq, part->queries)
		{
			SiddhiQuery *q = lfirst(lq);

			if (q->name && strcmp(q->name, name) == 0)
				return true;
		}
	}
	return false;
}

/* Has an earlier query of the plan been given this name? */
static bool
name_assigned(AnalyzeState *st, const char *name)
{
	ListCell *lc;

	foreach(lc, st->plan->queries)
		if (strcmp(((SiddhiQueryPlan *) lfirst(lc))->name, name) == 0)
			return true;
	return false;
}

/*
 * The name of the index-th query (from 1) of the app, which has no name
 * of its own: query<index>, or the first free query<index>_<k>, k >= 2.
 */
char *
siddhi_default_query_name(AnalyzeState *st, int index)
{
	char *name = psprintf("query%d", index);
	int k = 2;

	while (name_given(st->app, name) || name_assigned(st, name))
	{
		pfree(name);
		name = psprintf("query%d_%d", index, k++);
	}
	return name;
}
