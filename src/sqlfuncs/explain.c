/*-------------------------------------------------------------------------
 *
 * explain.c
 *	  siddhi.explain(app, query, analyze, format): the plan of each query
 *	  of a deployed app; siddhi.explain_text(app, query, format): the plan
 *	  of an app's text, deploying nothing.
 *
 * The trees come from the analyzer (src/analyzer/explain.c): the app is
 * parsed and analysed again here, as the engine worker does when it
 * loads it, so what is shown is what the engine runs.
 *
 * siddhi.explain analyses a deployed app as its owner (LOAD mode, under
 * the search_path it was deployed with, in a frame of user code), for
 * the members of its owner role and of pg_read_all_stats, who may read
 * its source in siddhi.apps.  With analyze, each query's live counters
 * are read from siddhi.queries (as the caller: its visibility rules
 * apply) and put on the nodes they belong to; any column siddhi.queries
 * has beyond those known here is shown on the query too (see
 * add_other_counters: the metrics of issue 16, state sizes and time,
 * appear there as soon as the view has them).
 *
 * siddhi.explain_text analyses the text as siddhi.deploy would, as the
 * caller (DEPLOY mode: the streams and tables it needs are created), in
 * a subtransaction that is always rolled back, so nothing is left.  Its
 * queries marked EXPLAIN (streaming SQL's EXPLAIN SELECT ..) are shown,
 * or every query when none is.
 *
 * Text comes back one line per row, as PostgreSQL's EXPLAIN; JSON as
 * one row.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "catalog/pg_authid.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "siddhi/analyzer.h"
#include "siddhi/catalog.h"
#include "siddhi/explain.h"
#include "siddhi/parser.h"
#include "siddhi/usercode.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/memutils.h"
#include "utils/resowner.h"

#include "explain_analyze.h"

/* Every line of text (or the JSON) as rows of the function's result. */
static void
put_rows(ReturnSetInfo *rsinfo, const char *plan, SiddhiExplainFormat format)
{
	const char *p = plan;

	for (;;)
	{
		const char *nl =
			format == SIDDHI_EXPLAIN_TEXT ? strchr(p, '\n') : NULL;
		Datum value = PointerGetDatum(
			cstring_to_text_with_len(p, nl ? nl - p : strlen(p)));
		bool isnull = false;

		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, &value,
							 &isnull);
		if (nl == NULL)
			break;
		p = nl + 1;
	}
}

/* The names of an app's queries, for a hint. */
static char *
query_names(SiddhiAppPlan *plan)
{
	StringInfoData buf;
	ListCell *lc;

	initStringInfo(&buf);
	foreach(lc, plan->queries)
		appendStringInfo(&buf, "%s%s", buf.len ? ", " : "",
						 ((SiddhiQueryPlan *) lfirst(lc))->name);
	return buf.data;
}

/*
 * The trees of the queries of plan: the one named query, else those
 * marked EXPLAIN when only_marked and any is, else all.
 */
static List *
explain_trees(SiddhiAppPlan *plan, const char *app, const char *query,
			  bool only_marked)
{
	List *roots = NIL;
	bool any_marked = false;
	ListCell *lc;

	foreach(lc, plan->queries)
		if (((SiddhiQueryPlan *) lfirst(lc))->ast->explain)
			any_marked = true;
	foreach(lc, plan->queries)
	{
		SiddhiQueryPlan *q = lfirst(lc);

		if (query ? strcmp(q->name, query) != 0
				  : (only_marked && any_marked && !q->ast->explain))
			continue;
		roots = lappend(roots, siddhi_explain_query(plan, q));
	}
	/* the aggregations when every query is shown, or the one named */
	foreach(lc, plan->aggregations)
	{
		SiddhiAggregationPlan *ap = lfirst(lc);

		if (query ? strcmp(ap->name, query) == 0
				  : !(only_marked && any_marked))
			roots = lappend(roots, siddhi_explain_aggregation(plan, ap));
	}
	if (query && roots == NIL)
		ereport(ERROR, (errcode(ERRCODE_UNDEFINED_OBJECT),
						errmsg("app \"%s\" has no query \"%s\"", app, query),
						plan->queries ? errhint("Its queries are: %s.",
												query_names(plan))
									  : errhint("It has no queries.")));
	return roots;
}

/* "state_bytes" -> "State Bytes": a column of siddhi.queries as a key */
static char *
column_title(const char *name)
{
	char *t = pstrdup(name);
	bool start = true;

	for (char *c = t; *c; c++)
	{
		if (*c == '_')
		{
			*c = ' ';
			start = true;
		}
		else if (start)
		{
			*c = pg_toupper((unsigned char) *c);
			start = false;
		}
	}
	return t;
}

/* The columns of siddhi.queries placed on a node of their own below. */
static const char *const known_columns[] = {
	"app",
	"query",
	"events_in",
	"events_out",
	"errors",
	"last_error",
	"last_error_at",
	"index_lookups",
	"scan_lookups",
	"partial_matches",
	"partial_matches_dropped",
};

static bool
known_column(const char *name)
{
	for (int i = 0; i < lengthof(known_columns); i++)
		if (strcmp(known_columns[i], name) == 0)
			return true;
	return false;
}

/* Column name of siddhi.queries' row t as int8 (0 when null). */
static int64
counter(HeapTuple t, TupleDesc d, const char *name)
{
	int col = SPI_fnumber(d, name);
	bool isnull;
	Datum v;

	if (col <= 0)
		return 0;
	v = SPI_getbinval(t, d, col, &isnull);
	return isnull ? 0 : DatumGetInt64(v);
}

/*
 * The place for counters siddhi.queries has and this file does not know:
 * each non-null one goes on the query under its column's name.  The
 * metrics of issue 16 (state sizes, processing time) are meant to land
 * here by adding columns to siddhi.queries; give one a node of its own
 * by adding it to known_columns and placing it in add_counters.
 */
static void
add_other_counters(SiddhiExplainNode *root, HeapTuple t, TupleDesc d)
{
	for (int i = 1; i <= d->natts; i++)
	{
		char *v;

		if (TupleDescAttr(d, i - 1)->attisdropped ||
			known_column(NameStr(TupleDescAttr(d, i - 1)->attname)))
			continue;
		v = SPI_getvalue(t, d, i);
		if (v)
			siddhi_explain_prop(
				root, column_title(NameStr(TupleDescAttr(d, i - 1)->attname)),
				v);
	}
}

/* Hints go last, after the counters. */
static void
hints_last(SiddhiExplainNode *root)
{
	ListCell *lc;

	foreach(lc, root->props)
	{
		SiddhiExplainProp *p = lfirst(lc);

		if (strcmp(p->key, "Hint") == 0)
		{
			root->props = foreach_delete_current(root->props, lc);
			root->props = lappend(root->props, p);
			return;
		}
	}
}

static bool
has_prop(SiddhiExplainNode *n, const char *key)
{
	ListCell *lc;

	foreach(lc, n->props)
		if (strcmp(((SiddhiExplainProp *) lfirst(lc))->key, key) == 0)
			return true;
	return false;
}

/* ANALYZE: a query's live counters, on the nodes they belong to. */
static void
add_counters(SiddhiExplainNode *root, HeapTuple t, TupleDesc d)
{
	SiddhiExplainNode *pattern = siddhi_explain_find(root, "Pattern");
	SiddhiExplainNode *lookup = siddhi_explain_find(root, "Table Lookup");
	int64 errors = counter(t, d, "errors");
	int64 held = counter(t, d, "partial_matches");
	int64 dropped = counter(t, d, "partial_matches_dropped");
	int64 index = counter(t, d, "index_lookups");
	int64 scan = counter(t, d, "scan_lookups");

	if (pattern == NULL)
		pattern = siddhi_explain_find(root, "Sequence");
	if (lookup == NULL)
		lookup = siddhi_explain_find(root, "Aggregation Lookup");
	siddhi_explain_prop_int(root, "Events In", counter(t, d, "events_in"));
	siddhi_explain_prop_int(root, "Events Out", counter(t, d, "events_out"));
	siddhi_explain_prop_int(root, "Errors", errors);
	siddhi_explain_prop(root, "Last Error",
						SPI_getvalue(t, d, SPI_fnumber(d, "last_error")));
	if (pattern)
	{
		siddhi_explain_prop_int(pattern, "Partial Matches", held);
		siddhi_explain_prop_int(pattern, "Partial Matches Dropped", dropped);
		if (held > 0 && !has_prop(pattern, "Within"))
			siddhi_explain_prop_append(
				root, "Hint",
				psprintf(INT64_FORMAT " partial matches are held now, and "
									  "with no within each waits until it "
									  "completes or the bound drops it",
						 held));
		if (dropped > 0)
			siddhi_explain_prop_append(
				root, "Hint",
				psprintf("the bound on partial matches dropped " INT64_FORMAT
						 ": add or shorten within, or raise "
						 "@info(max.partial.matches)",
						 dropped));
	}
	if (lookup || index > 0 || scan > 0)
	{
		SiddhiExplainNode *on = lookup ? lookup : root;

		siddhi_explain_prop_int(on, "Index Lookups", index);
		siddhi_explain_prop_int(on, "Scan Lookups", scan);
	}
	if (errors > 0)
		siddhi_explain_prop_append(
			root, "Hint",
			psprintf(INT64_FORMAT " events failed in this query: see Last "
								  "Error, and siddhi.apps",
					 errors));
	add_other_counters(root, t, d);
}

/* ANALYZE of the trees of app's queries from siddhi.queries. */
static void
analyze_trees(List *roots, const char *app)
{
	Oid argtypes[1] = { TEXTOID };
	Datum values[1] = { CStringGetTextDatum(app) };
	ListCell *lc;

	siddhi_catalog_spi("SELECT * FROM siddhi.queries "
					   "WHERE app OPERATOR(pg_catalog.=) $1",
					   1, argtypes, values, NULL, true, false);
	foreach(lc, roots)
	{
		SiddhiExplainNode *root = lfirst(lc);
		bool found = false;

		if (strcmp(root->type, "Query") != 0)
			continue; /* an aggregation: no counters of its own yet */
		for (uint64 i = 0; i < SPI_processed && !found; i++)
		{
			HeapTuple t = SPI_tuptable->vals[i];
			TupleDesc d = SPI_tuptable->tupdesc;
			char *q = SPI_getvalue(t, d, SPI_fnumber(d, "query"));

			if (q && strcmp(q, root->detail) == 0)
			{
				add_counters(root, t, d);
				siddhi_explain_analyze_ops(root, app, q);
				found = true;
			}
		}
		if (!found)
			siddhi_explain_prop(root, "Counters",
								"none: the engine is not running the query "
								"(see the app's state in siddhi.apps)");
		hints_last(root);
	}
}

static SiddhiExplainFormat
format_arg(FunctionCallInfo fcinfo, int argno)
{
	if (PG_ARGISNULL(argno))
		return SIDDHI_EXPLAIN_TEXT;
	return siddhi_explain_format_parse(
		text_to_cstring(PG_GETARG_TEXT_PP(argno)));
}

PG_FUNCTION_INFO_V1(siddhi_explain);

Datum
siddhi_explain(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	char *app;
	char *query =
		PG_ARGISNULL(1) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(1));
	bool live = PG_ARGISNULL(2) ? false : PG_GETARG_BOOL(2);
	SiddhiExplainFormat format = format_arg(fcinfo, 3);
	Oid argtypes[1] = { TEXTOID };
	Datum values[1];
	bool isnull;
	Oid owner;
	char *source;
	char *search_path;
	List *rels = NIL;
	List *roots = NIL;
	char *out;
	int frame;

	if (PG_ARGISNULL(0))
		ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
						errmsg("app name must not be null")));
	app = text_to_cstring(PG_GETARG_TEXT_PP(0));
	InitMaterializedSRF(fcinfo, MAT_SRF_USE_EXPECTED_DESC);
	SPI_connect();
	values[0] = CStringGetTextDatum(app);
	/* the source is the owner's: read as the extension, shown as below */
	siddhi_catalog_spi("SELECT owner::pg_catalog.oid, source, search_path "
					   "FROM siddhi.app WHERE name OPERATOR(pg_catalog.=) $1",
					   1, argtypes, values, NULL, true, true);
	if (SPI_processed != 1)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("app \"%s\" is not deployed", app),
				 strchr(app, ' ') || strchr(app, '\n') || strchr(app, '(')
					 ? errhint("siddhi.explain takes the name of a deployed "
							   "app; to explain an app's text, call "
							   "siddhi.explain_text(app).")
					 : errhint("siddhi.apps lists the deployed apps.")));
	owner = DatumGetObjectId(SPI_getbinval(SPI_tuptable->vals[0],
										   SPI_tuptable->tupdesc, 1, &isnull));
	source = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2);
	search_path =
		SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 3);
	if (!has_privs_of_role(GetUserId(), owner) &&
		!has_privs_of_role(GetUserId(), ROLE_PG_READ_ALL_STATS))
		ereport(ERROR, (errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
						errmsg("permission denied to explain app \"%s\"", app),
						errdetail("Only members of the app's owner role and "
								  "of pg_read_all_stats may see its plan.")));
	rels = siddhi_app_relations(app);

	/* analysed as the engine loads it: as the owner, under its path */
	frame = siddhi_usercode_enter(owner);
	PG_TRY();
	{
		SiddhiSourceContext sctx;
		SiddhiAppPlan *plan;

		(void) set_config_option(
			"search_path", search_path ? search_path : "\"$user\", public",
			PGC_USERSET, PGC_S_SESSION, GUC_ACTION_SAVE, true, 0, false);
		siddhi_source_context_push(&sctx, source, app);
		plan = siddhi_analyze_app(siddhi_parse_app(source), app,
								  SIDDHI_ANALYZE_LOAD, rels);
		siddhi_source_context_pop(&sctx);
		roots = explain_trees(plan, app, query, false);
		siddhi_usercode_leave(frame, true);
	}
	PG_CATCH();
	{
		siddhi_usercode_leave(frame, false);
		PG_RE_THROW();
	}
	PG_END_TRY();

	if (live)
		analyze_trees(roots, app);
	out = siddhi_explain_render(roots, format);
	put_rows(rsinfo, out, format);
	SPI_finish();
	return (Datum) 0;
}

PG_FUNCTION_INFO_V1(siddhi_explain_text);

Datum
siddhi_explain_text(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	char *source;
	char *query =
		PG_ARGISNULL(1) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(1));
	SiddhiExplainFormat format = format_arg(fcinfo, 2);
	MemoryContext oldcxt;
	ResourceOwner oldowner = CurrentResourceOwner;
	char *out = NULL;

	if (PG_ARGISNULL(0))
		ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
						errmsg("app text must not be null")));
	source = text_to_cstring(PG_GETARG_TEXT_PP(0));
	InitMaterializedSRF(fcinfo, MAT_SRF_USE_EXPECTED_DESC);
	SPI_connect();
	oldcxt = CurrentMemoryContext;

	/* analysed as deploy would, then rolled back: nothing stays */
	BeginInternalSubTransaction(NULL);
	MemoryContextSwitchTo(oldcxt);
	PG_TRY();
	{
		SiddhiSourceContext sctx;
		SiddhiApp *ast;
		SiddhiAppPlan *plan;
		const char *name;

		siddhi_source_context_push(&sctx, source, NULL);
		ast = siddhi_parse_app(source);
		name = ast->name ? ast->name : "explain";
		plan = siddhi_analyze_app(ast, name, SIDDHI_ANALYZE_DEPLOY, NIL);
		siddhi_source_context_pop(&sctx);
		out = siddhi_explain_render(explain_trees(plan, name, query, true),
									format);
	}
	PG_CATCH();
	{
		ErrorData *edata;

		MemoryContextSwitchTo(oldcxt);
		edata = CopyErrorData();
		FlushErrorState();
		RollbackAndReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(oldcxt);
		CurrentResourceOwner = oldowner;
		ReThrowError(edata);
	}
	PG_END_TRY();
	RollbackAndReleaseCurrentSubTransaction();
	MemoryContextSwitchTo(oldcxt);
	CurrentResourceOwner = oldowner;

	put_rows(rsinfo, out, format);
	SPI_finish();
	return (Datum) 0;
}
