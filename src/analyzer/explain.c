/*-------------------------------------------------------------------------
 *
 * explain.c
 *	  EXPLAIN of a continuous query: its plan as a tree of operators.
 *
 * The tree reads top down as PostgreSQL's does: the query's output at
 * the top, the input stream(s) at the leaves, each node an operator the
 * events pass through on their way up: input, filter, deduplicate,
 * window, join or pattern, aggregate, having, order by / limit, the rate
 * limiter, the output (a stream, a table change, a named window, with the
 * stream's sinks).  A partitioned query sits under a Partition node: all
 * below it is kept per key.
 *
 * Conditions and keys print as PostgreSQL deparses the analysed
 * expressions (explain_expr.c).  A table a query looks up or changes is
 * planned here exactly as the runtime plans it (QueryRewrite, then
 * pg_plan_query with the event's values as parameters: a generic plan),
 * so the index shown is the one the engine takes when it plans the
 * statement under the same statistics (it does so when it loads the app).
 *
 * Hints are computed from the plan alone: state that only a global limit
 * bounds (a pattern without within, groups without a window, partition
 * keys without @purge) and lookups or changes of a table that read it
 * whole.  The SQL functions add those that need the live counters.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/relation.h"
#include "executor/executor.h"
#include "nodes/makefuncs.h"
#include "nodes/plannodes.h"
#include "optimizer/optimizer.h"
#include "rewrite/rewriteHandler.h"
#include "siddhi/connector.h"
#include "siddhi/explain.h"
#include "siddhi/metrics.h"
#include "explain_int.h"
#include "siddhi/over.h"
#include "siddhi/shmem.h"
#include "tcop/tcopprot.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/ruleutils.h"

static char *
and_text(SiddhiExplainCols *c, List *quals)
{
	if (quals == NIL)
		return NULL;
	return siddhi_explain_expr(c, (Node *) make_ands_explicit(quals));
}

/* Put node on top of child (NULL: node is a leaf). */
static SiddhiExplainNode *
stack(SiddhiExplainNode *node, SiddhiExplainNode *child)
{
	if (child)
		node->children = lappend(node->children, child);
	return node;
}

/*
 * How the planner reads table relid in plan: "Index Scan using i", or
 * "Seq Scan" (*seq set).  Looks through the plan's nodes for the first
 * scan of the table.
 */
static char *
scan_text(Plan *plan, List *rtable, bool *seq)
{
	char *s = NULL;

	if (plan == NULL)
		return NULL;
	switch (nodeTag(plan))
	{
		case T_IndexScan:
			return psprintf("Index Scan using %s",
							get_rel_name(((IndexScan *) plan)->indexid));
		case T_IndexOnlyScan:
			return psprintf("Index Only Scan using %s",
							get_rel_name(((IndexOnlyScan *) plan)->indexid));
		case T_BitmapIndexScan:
			return psprintf("Bitmap Index Scan using %s",
							get_rel_name(((BitmapIndexScan *) plan)->indexid));
		case T_SeqScan:
			*seq = true;
			return pstrdup("Seq Scan");
		default:
			break;
	}
	s = scan_text(plan->lefttree, rtable, seq);
	if (s == NULL)
		s = scan_text(plan->righttree, rtable, seq);
	return s;
}

/*
 * Plan a lookup or change of a table as the runtime does, and say how it
 * reads the table; NULL when it cannot be planned here.
 */
static char *
table_access(Query *query, bool *seq)
{
	List *rewritten;
	PlannedStmt *ps;

	*seq = false;
	if (query == NULL)
		return NULL;
	rewritten = QueryRewrite(copyObject(query));
	if (list_length(rewritten) != 1)
		return pstrdup("rules make it several statements");
	ps = pg_plan_query(linitial(rewritten), NULL, 0, NULL);
	return scan_text(ps->planTree, ps->rtable, seq);
}

/*
 * The hint for a lookup or change (what) that reads table relid whole for
 * each event: index it, or, when it has indexes already, why the planner
 * may still scan it.
 */
static void
scan_hint(List **hints, const char *what, Oid relid)
{
	Relation rel = relation_open(relid, AccessShareLock);
	bool indexed = rel->rd_rel->relhasindex;
	char *name = pstrdup(RelationGetRelationName(rel));

	relation_close(rel, AccessShareLock);
	if (indexed)
		*hints = lappend(
			*hints,
			psprintf("%s reads the whole table %s for each event although "
					 "it has indexes: none fits the condition, or the table "
					 "is small enough for a scan to cost less (ANALYZE it "
					 "once it grows)",
					 what, name));
	else
		*hints = lappend(
			*hints,
			psprintf("%s reads the whole table %s for each event: index the "
					 "columns its condition compares (@PrimaryKey, @Index "
					 "or CREATE INDEX)",
					 what, name));
}

/* ruleutils' statement text on one line: each run of blanks one space */
static char *
one_line(const char *s)
{
	StringInfoData buf;

	initStringInfo(&buf);
	for (; *s; s++)
	{
		bool blank = *s == ' ' || *s == '\n' || *s == '\t';

		if (blank && (buf.len == 0 || buf.data[buf.len - 1] == ' '))
			continue;
		appendStringInfoChar(&buf, blank ? ' ' : *s);
	}
	return buf.data;
}

static const char *
events_name(SiddhiEventType e)
{
	switch (e)
	{
		case SIDDHI_EVENTS_EXPIRED:
			return "expired";
		case SIDDHI_EVENTS_ALL:
			return "all";
		case SIDDHI_EVENTS_CURRENT:
			break;
	}
	return "current";
}

static SiddhiExplainNode *
filter_node(SiddhiExplainCols *c, List *quals, SiddhiExplainNode *child)
{
	SiddhiExplainNode *n;

	if (quals == NIL)
		return child;
	n = siddhi_explain_node("Filter", NULL, NULL, NULL);
	siddhi_explain_prop(n, "Condition", and_text(c, quals));
	return stack(n, child);
}

/* Which sources feed a stream, which sinks send its events. */
static void
connector_props(SiddhiExplainNode *n, SiddhiAppPlan *app, Oid relid)
{
	ListCell *lc;

	foreach(lc, app->sources)
	{
		SiddhiSourcePlan *s = lfirst(lc);

		if (s->stream->relid == relid)
			siddhi_explain_prop_append(n, "Source",
									   psprintf("%s (%s)", s->type, s->name));
	}
	foreach(lc, app->sinks)
	{
		SiddhiSinkPlan *s = lfirst(lc);

		if (s->stream->relid == relid)
			siddhi_explain_prop_append(n, "Sink",
									   psprintf("%s (%s)", s->type, s->name));
	}
}

static const char *
input_type(SiddhiRelation *r)
{
	switch (r->kind)
	{
		case SIDDHI_REL_WINDOW:
			return "Named Window Input";
		case SIDDHI_REL_TABLE:
			return "Table Input";
		case SIDDHI_REL_AGGREGATION:
		case SIDDHI_REL_AGGREGATION_VIEW:
			return "Aggregation Input";
		case SIDDHI_REL_STREAM:
			break;
	}
	return "Stream Input";
}

/* A stream read by a query: the leaf of its tree. */
static SiddhiExplainNode *
input_node(SiddhiAppPlan *app, SiddhiRelation *r, const char *alias)
{
	SiddhiExplainNode *n =
		siddhi_explain_node(input_type(r), "on", "Relation Name", r->name);
	ListCell *lc;

	foreach(lc, app->triggers)
	{
		SiddhiTriggerPlan *t = lfirst(lc);

		if (t->relation->relid != r->relid)
			continue;
		n->type = pstrdup("Trigger Input");
		siddhi_explain_prop(
			n, "Fires",
			t->cron ? psprintf("at '%s'", t->cron)
			: t->every_ms
				? psprintf("every %s", siddhi_explain_ms(t->every_ms))
				: pstrdup("at start"));
	}
	if (alias && strcmp(alias, r->name) != 0)
		siddhi_explain_prop(n, "Alias", alias);
	if (r->event_time)
		siddhi_explain_prop(n, "Event Time", r->event_time);
	if (r->kind != SIDDHI_REL_TABLE && r->kind != SIDDHI_REL_AGGREGATION_VIEW)
		connector_props(n, app, r->relid);
	return n;
}

/* A query's `in T` probes: how each reads its table. */
static void
membership_props(SiddhiExplainNode *n, SiddhiQueryPlan *q, List **hints)
{
	ListCell *lc;

	foreach(lc, q->memberships)
	{
		SiddhiMembershipPlan *m = lfirst(lc);
		bool seq;
		char *how = table_access(m->probe, &seq);
		RangeTblEntry *rte =
			m->probe->rtable ? linitial(m->probe->rtable) : NULL;
		char *rel = rte && OidIsValid(rte->relid) ? get_rel_name(rte->relid)
												  : pstrdup("?");

		siddhi_explain_prop_append(n, "Table Probe",
								   psprintf("$%d: %s on %s",
											foreach_current_index(lc) + 1, how,
											rel));
		if (seq && rte)
			scan_hint(hints,
					  psprintf("the probe $%d of an `in` condition",
							   foreach_current_index(lc) + 1),
					  rte->relid);
	}
}

/* The input, its filters, deduplication and window (a join's sides too). */
static SiddhiExplainNode *
side_node(SiddhiAppPlan *app, SiddhiRelation *r, const char *alias, List *qual,
		  SiddhiWindowPlan *w, List *window_qual)
{
	SiddhiExplainCols *c =
		siddhi_explain_cols_rel(alias ? alias : r->name, r->relid);
	SiddhiExplainNode *n = input_node(app, r, alias);

	n = filter_node(c, qual, n);
	if (w)
		n = stack(siddhi_explain_window(w, c, alias ? alias : r->name, false),
				  n);
	return filter_node(c, window_qual, n);
}

static const char *
join_type_name(SiddhiJoinType t)
{
	switch (t)
	{
		case SIDDHI_JOIN_LEFT:
			return "Left Outer";
		case SIDDHI_JOIN_RIGHT:
			return "Right Outer";
		case SIDDHI_JOIN_FULL:
			return "Full Outer";
		case SIDDHI_JOIN_INNER:
			break;
	}
	return "Inner";
}

static SiddhiExplainNode *
join_node(SiddhiAppPlan *app, SiddhiQueryPlan *q, SiddhiExplainCols *c,
		  SiddhiExplainNode *primary, List **hints)
{
	SiddhiJoinPlan *jp = q->join;
	SiddhiInput *in = q->ast->input;
	SiddhiStreamInput *other_in = jp->primary_is_left ? in->right : in->stream;
	const char *alias = other_in->alias ? other_in->alias : other_in->stream;
	SiddhiExplainNode *n = siddhi_explain_node("Join", NULL, "Join Type",
											   join_type_name(jp->type));
	SiddhiExplainNode *other;

	n->line = psprintf("%s Join", join_type_name(jp->type));
	siddhi_explain_prop(n, "Join Condition",
						jp->on ? siddhi_explain_expr(c, (Node *) jp->on)
							   : NULL);
	if (jp->probe)
	{
		bool seq;
		char *how = table_access(jp->probe, &seq);

		other = siddhi_explain_node(jp->other->kind == SIDDHI_REL_TABLE
										? "Table Lookup"
										: "Aggregation Lookup",
									"on", "Relation Name", jp->other->name);
		if (strcmp(alias, jp->other->name) != 0)
			siddhi_explain_prop(other, "Alias", alias);
		siddhi_explain_prop(other, "Access", how);
		/* the condition pushed into the lookup, $k the primary's attrs */
		siddhi_explain_prop(
			other, "Lookup",
			one_line(pg_get_querydef(copyObject(jp->probe), false)));
		if (seq && jp->other->kind == SIDDHI_REL_TABLE)
			scan_hint(hints, "the join", jp->other->relid);
	}
	else
		other = side_node(app, jp->other, alias, jp->other_qual,
						  jp->other_window, jp->other_window_qual);
	/* the windows kept hashed by the join key (analyze_join.c) */
	{
		SiddhiStreamInput *p_in = jp->primary_is_left ? in->stream : in->right;
		const char *palias = p_in->alias ? p_in->alias : p_in->stream;
		StringInfoData keys;

		initStringInfo(&keys);
		if (q->window && q->window->index_attno > 0)
			appendStringInfo(
				&keys, "%s.%s", palias,
				NameStr(
					TupleDescAttr(jp->desc, jp->key_attno[0] - 1)->attname));
		if (jp->other_window && jp->other_window->index_attno > 0)
			appendStringInfo(
				&keys, "%s%s.%s", keys.len ? ", " : "", alias,
				NameStr(TupleDescAttr(jp->desc,
									  jp->nprimary + jp->key_attno[1] - 1)
							->attname));
		if (keys.len)
			siddhi_explain_prop(n, "Window Key", keys.data);
	}
	if (jp->triggers[0] != jp->triggers[1])
		siddhi_explain_prop(n, "Triggered By",
							jp->triggers[0] ? "the primary side only"
											: "the other side only");
	if (jp->primary_is_left)
		n->children = list_make2(primary, other);
	else
		n->children = list_make2(other, primary);
	return n;
}

static char *
state_name(SiddhiPatternStatePlan *s)
{
	return s->ref ? s->ref : psprintf("state %d", s->id);
}

/* The name of a region of the combined row, as analyze_pattern.c's. */
static char *
region_name(SiddhiPatternPlan *pp, SiddhiPatternRegion *r)
{
	SiddhiPatternStatePlan *s = list_nth(pp->states, r->state);
	char *name = state_name(s);

	if (r->index == -1 && !r->self)
		return name;
	if (r->index >= 0)
		return psprintf("%s[%d]", name, r->index);
	return psprintf("%s[last-%d]", name, -1 - r->index);
}

static char *
state_link(SiddhiPatternPlan *pp, int id)
{
	return id < 0 ? NULL : state_name(list_nth(pp->states, id));
}

static SiddhiExplainNode *
pattern_node(SiddhiQueryPlan *q, SiddhiExplainCols *c, List **hints)
{
	SiddhiPatternPlan *pp = q->pattern;
	SiddhiExplainNode *n = siddhi_explain_node(
		pp->sequence ? "Sequence" : "Pattern", NULL, NULL, NULL);
	ListCell *lc;

	if (pp->within >= 0)
		siddhi_explain_prop(n, "Within", siddhi_explain_ms(pp->within));
	siddhi_explain_prop_int(n, "Max Partial Matches", pp->max_partial);
	siddhi_explain_prop_int(n, "States", list_length(pp->states));
	if (pp->within < 0)
		*hints = lappend(
			*hints,
			psprintf("the %s has no within: a partial match waits for ever, "
					 "up to " INT64_FORMAT " held (max.partial.matches); "
					 "add within <time>",
					 pp->sequence ? "sequence" : "pattern", pp->max_partial));
	foreach(lc, pp->states)
	{
		SiddhiPatternStatePlan *s = lfirst(lc);
		SiddhiRelation *r = list_nth(pp->streams, s->stream);
		SiddhiExplainNode *sn =
			siddhi_explain_node(s->absent ? "Absent State" : "State", NULL,
								"State", state_name(s));

		siddhi_explain_prop(sn, "Stream", r->name);
		if (s->filter)
			siddhi_explain_prop(sn, "Condition",
								siddhi_explain_expr(c, (Node *) s->filter));
		if (s->count)
			siddhi_explain_prop(
				sn, "Count",
				s->max_count == PG_INT32_MAX
					? psprintf("%d or more", s->min_count)
					: psprintf("%d to %d", s->min_count, s->max_count));
		if (s->logical)
			siddhi_explain_prop(sn,
								s->logical == SIDDHI_PAT_AND ? "And" : "Or",
								state_link(pp, s->partner));
		if (s->absent && s->waiting >= 0)
			siddhi_explain_prop(sn, "For", siddhi_explain_ms(s->waiting));
		if (s->start)
			siddhi_explain_prop(sn, "Start", "true");
		siddhi_explain_prop(sn, "Next", state_link(pp, s->next));
		siddhi_explain_prop(sn, "Every", state_link(pp, s->next_every));
		if (s->emits)
			siddhi_explain_prop(sn, "Emits", "true");
		n->children = lappend(n->children, sn);
	}
	return n;
}

/*
 * What the select list, group by and aggregators read: the input, a
 * join's combined row (primary side, then the other) or a pattern's
 * regions side by side.
 */
static SiddhiExplainCols *
row_cols(SiddhiQueryPlan *q)
{
	SiddhiInput *in = q->ast->input;
	SiddhiExplainCols *c;
	ListCell *lc;

	if (q->join)
	{
		SiddhiJoinPlan *jp = q->join;
		SiddhiStreamInput *p = jp->primary_is_left ? in->stream : in->right;
		SiddhiStreamInput *o = jp->primary_is_left ? in->right : in->stream;

		c = siddhi_explain_cols_new();
		siddhi_explain_cols_add(c, 1, p->alias ? p->alias : p->stream,
								jp->desc, 0, jp->nprimary);
		siddhi_explain_cols_add(
			c, 1, o->alias ? o->alias : o->stream, jp->desc, jp->nprimary,
			jp->desc->natts - jp->nprimary - (jp->ts_at >= 0 ? 2 : 0));
		/* eventTimestamp(side) reads side.event_timestamp */
		if (jp->ts_at >= 0)
		{
			siddhi_explain_cols_add(c, 1, p->alias ? p->alias : p->stream,
									jp->desc, jp->ts_at, 1);
			siddhi_explain_cols_add(c, 1, o->alias ? o->alias : o->stream,
									jp->desc, jp->ts_at + 1, 1);
		}
		return c;
	}
	if (q->pattern)
	{
		c = siddhi_explain_cols_new();
		foreach(lc, q->pattern->regions)
		{
			SiddhiPatternRegion *r = lfirst(lc);

			siddhi_explain_cols_add(c, 1, region_name(q->pattern, r),
									q->pattern->desc, r->offset, r->natts);
			/* eventTimestamp(e1) reads e1.event_timestamp */
			siddhi_explain_cols_add(c, 1, region_name(q->pattern, r),
									q->pattern->desc, r->ts_at, 1);
		}
		return c;
	}
	return siddhi_explain_cols_rel(in->stream->alias ? in->stream->alias
													 : q->input->name,
								   q->input->relid);
}

/* The output row (having and order by read it): the select list's names */
static SiddhiExplainCols *
output_cols(SiddhiQueryPlan *q)
{
	TupleDesc desc = ExecTypeFromTL(q->targetlist);

	return siddhi_explain_cols_desc(q->output ? q->output->name : "output",
									desc);
}

/* "symbol, $1 AS avg_price": the select list over the row it reads. */
static char *
select_text(SiddhiExplainCols *c, List *targetlist)
{
	StringInfoData buf;
	ListCell *lc;

	initStringInfo(&buf);
	foreach(lc, targetlist)
	{
		TargetEntry *te = lfirst(lc);
		char *e;

		if (te->resjunk)
			continue;
		e = siddhi_explain_expr(c, (Node *) te->expr);
		if (buf.len > 0)
			appendStringInfoString(&buf, ", ");
		appendStringInfoString(&buf, e);
		if (te->resname && strcmp(te->resname, e) != 0)
			appendStringInfo(&buf, " AS %s", te->resname);
	}
	return buf.data;
}

static const char *
over_name(SiddhiOverKind k)
{
	static const char *const names[] = {
		[SIDDHI_OVER_ROW_NUMBER] = "row_number",
		[SIDDHI_OVER_RANK] = "rank",
		[SIDDHI_OVER_DENSE_RANK] = "dense_rank",
		[SIDDHI_OVER_LAG] = "lag",
		[SIDDHI_OVER_LEAD] = "lead",
		[SIDDHI_OVER_FIRST_VALUE] = "first_value",
		[SIDDHI_OVER_LAST_VALUE] = "last_value",
		[SIDDHI_OVER_SUM] = "sum",
		[SIDDHI_OVER_AVG] = "avg",
		[SIDDHI_OVER_COUNT] = "count",
		[SIDDHI_OVER_MIN] = "min",
		[SIDDHI_OVER_MAX] = "max",
	};

	if (k >= 0 && k < lengthof(names) && names[k])
		return names[k];
	return "function";
}

static SiddhiExplainNode *
over_node(SiddhiQueryPlan *q, SiddhiExplainCols *c)
{
	SiddhiExplainNode *n =
		siddhi_explain_node("Window Functions", NULL, NULL, NULL);
	ListCell *lc;

	foreach(lc, q->over->funcs)
	{
		SiddhiOverFunc *f = lfirst(lc);
		StringInfoData buf;

		initStringInfo(&buf);
		appendStringInfo(&buf, "%s() over (", over_name(f->kind));
		if (f->npart > 0)
			appendStringInfo(&buf, "partition by %s",
							 siddhi_explain_exprs(
								 c,
								 list_copy_head(list_copy_tail(q->over->exprs,
															   f->part_first),
												f->npart),
								 ", "));
		if (f->norder > 0)
			appendStringInfo(&buf, "%sorder by %s", f->npart > 0 ? " " : "",
							 siddhi_explain_sort_keys(
								 c,
								 list_copy_head(list_copy_tail(q->over->exprs,
															   f->order_first),
												f->norder),
								 f->order_ops));
		appendStringInfoChar(&buf, ')');
		siddhi_explain_prop_append(n, "Function", buf.data);
	}
	siddhi_explain_prop(n, "Over",
						q->over->over_window ? "the window's contents"
											 : "every event so far");
	return n;
}

static SiddhiExplainNode *
aggregate_node(SiddhiQueryPlan *q, SiddhiExplainCols *c, List **hints)
{
	SiddhiExplainNode *n;

	if (q->aggregates == NIL && q->group_by == NIL)
		return NULL;
	n = siddhi_explain_node(q->group_by ? "Group Aggregate" : "Aggregate",
							NULL, NULL, NULL);
	siddhi_explain_prop(n, "Group Key",
						siddhi_explain_exprs(c, q->group_by, ", "));
	siddhi_explain_prop_list(n, "Aggregator",
							 siddhi_explain_agg_items(c, q->aggregates));
	if (q->group_by)
	{
		bool released =
			q->window != NULL || (q->join && q->join->other_window != NULL);

		siddhi_explain_prop(
			n, "Groups",
			psprintf("%s, at most siddhi.max_groups (%d)",
					 siddhi_window_plan_resets(q)
						 ? "started again at each batch, released when "
						   "the next has no event of theirs"
					 : released ? "released when their last event leaves the "
								  "window"
								: "kept for ever",
					 siddhi_max_groups));
		if (!released && !q->pattern)
			*hints = lappend(
				*hints,
				psprintf("group by without a window keeps every group for "
						 "ever, up to siddhi.max_groups (%d): add a window, "
						 "or partition by the key with @purge",
						 siddhi_max_groups));
	}
	return n;
}

static SiddhiExplainNode *
topn_node(SiddhiQueryPlan *q, SiddhiExplainCols *oc)
{
	SiddhiExplainNode *n;

	if (q->order_by == NIL && q->limit < 0 && q->offset <= 0 && !q->distinct)
		return NULL;
	n = siddhi_explain_node(q->order_by ? "Sort" : "Limit", NULL, NULL, NULL);
	if (q->order_by)
		siddhi_explain_prop(
			n, "Sort Key",
			siddhi_explain_sort_keys(oc, q->order_by, q->order_ops));
	if (q->distinct)
		siddhi_explain_prop(n, "Distinct", "true");
	if (q->limit >= 0)
		siddhi_explain_prop_int(n, "Limit", q->limit);
	if (q->offset > 0)
		siddhi_explain_prop_int(n, "Offset", q->offset);
	siddhi_explain_prop(n, "Over",
						q->contents ? "the window's contents, at each change"
									: "each output chunk");
	return n;
}

static SiddhiExplainNode *
rate_node(SiddhiQueryPlan *q)
{
	static const char *const types[] = { "all", "first", "last" };
	SiddhiExplainNode *n;

	if (q->rate_kind == SIDDHI_RATE_NONE)
		return NULL;
	n = siddhi_explain_node("Output Rate Limit", NULL, NULL, NULL);
	if (q->rate_kind == SIDDHI_RATE_SNAPSHOT)
		siddhi_explain_prop(
			n, "Rate",
			psprintf("snapshot every %s (%s)",
					 siddhi_explain_ms(q->rate_value),
					 q->rate_snapshot == SIDDHI_SNAPSHOT_LAST ? "the latest "
																"event"
					 : q->rate_snapshot == SIDDHI_SNAPSHOT_WINDOW
						 ? "every event in the window"
						 : "the oldest event of each group in the window"));
	else if (q->rate_kind == SIDDHI_RATE_EVENTS)
		siddhi_explain_prop(n, "Rate",
							psprintf("%s every " INT64_FORMAT " events",
									 types[q->rate_type], q->rate_value));
	else
		siddhi_explain_prop(n, "Rate",
							psprintf("%s every %s", types[q->rate_type],
									 siddhi_explain_ms(q->rate_value)));
	return n;
}

static SiddhiExplainNode *
output_node(SiddhiAppPlan *app, SiddhiQueryPlan *q, SiddhiExplainCols *c,
			List **hints)
{
	SiddhiOutputKind kind =
		q->ast->output ? q->ast->output->kind : SIDDHI_OUT_INSERT;
	const char *type = "Insert";
	SiddhiExplainNode *n;
	SiddhiRelation *r = q->output;

	if (q->table_op)
		kind = q->table_op->kind;
	switch (kind)
	{
		case SIDDHI_OUT_DELETE:
			type = "Delete";
			break;
		case SIDDHI_OUT_UPDATE:
			type = "Update";
			break;
		case SIDDHI_OUT_UPSERT:
			type = "Update or Insert";
			break;
		case SIDDHI_OUT_RETURN:
			type = "Return";
			break;
		case SIDDHI_OUT_INSERT:
			break;
	}
	n = siddhi_explain_node(type,
							kind == SIDDHI_OUT_INSERT ||
									kind == SIDDHI_OUT_UPSERT ||
									kind == SIDDHI_OUT_RETURN
								? "into"
								: "on",
							"Relation Name", r ? r->name : NULL);
	if (r)
		siddhi_explain_prop(n, "Relation Kind",
							siddhi_relation_kind_name(r->kind));
	siddhi_explain_prop(n, "Output", select_text(c, q->targetlist));
	siddhi_explain_prop(n, "Events", events_name(q->events));
	if (q->table_op)
	{
		bool seq;
		char *how = table_access(q->table_op->modify, &seq);

		siddhi_explain_prop(n, "Access", how);
		if (seq && r)
			scan_hint(hints,
					  kind == SIDDHI_OUT_DELETE ? "the delete" : "the update",
					  r->relid);
	}
	if (r)
		connector_props(n, app, r->relid);
	return n;
}

static SiddhiExplainNode *
partition_node(SiddhiPartitionPlan *pp, List **hints)
{
	SiddhiExplainNode *n =
		siddhi_explain_node("Partition", NULL, "Partition Name", pp->name);
	ListCell *lc;

	foreach(lc, pp->streams)
	{
		SiddhiPartitionStreamPlan *s = lfirst(lc);
		SiddhiExplainCols *c = siddhi_explain_cols_rel(s->name, s->relid);

		if (s->value)
			siddhi_explain_prop_append(
				n, "Key",
				psprintf("%s of %s", siddhi_explain_expr(c, (Node *) s->value),
						 s->name));
		else
		{
			ListCell *r, *l;

			forboth(r, s->ranges, l, s->labels)
				siddhi_explain_prop_append(
					n, "Range",
					psprintf("%s as '%s' of %s",
							 siddhi_explain_expr(c, lfirst(r)),
							 (char *) lfirst(l), s->name));
		}
	}
	if (pp->purge)
		siddhi_explain_prop(n, "Purge",
							psprintf("keys idle %s, checked every %s",
									 siddhi_explain_ms(pp->purge_idle),
									 siddhi_explain_ms(pp->purge_interval)));
	else
		*hints = lappend(
			*hints,
			psprintf("partition %s keeps every key for ever, up to "
					 "siddhi.max_partition_keys: add @purge(enable = 'true', "
					 "interval = '..', idle.period = '..')",
					 pp->name));
	return n;
}

SiddhiExplainNode *
siddhi_explain_query(SiddhiAppPlan *app, SiddhiQueryPlan *q)
{
	SiddhiExplainNode *root =
		siddhi_explain_node("Query", NULL, "Query Name", q->name);
	SiddhiExplainCols *c = row_cols(q);
	SiddhiExplainNode *n;
	SiddhiExplainNode *f;
	List *hints = NIL;

	/* the input side up to the window: a pattern, or the (primary) input */
	if (q->pattern)
	{
		(n = pattern_node(q, c, &hints))->op = 1 + SIDDHI_OP_PATTERN;
		siddhi_explain_dispatch(app, q, n);
	}
	else
	{
		SiddhiInput *in = q->ast->input;
		SiddhiStreamInput *p =
			q->join && !q->join->primary_is_left ? in->right : in->stream;
		SiddhiExplainCols *ic = siddhi_explain_cols_rel(
			p->alias ? p->alias : q->input->name, q->input->relid);

		n = input_node(app, q->input, p->alias);
		n = filter_node(ic, q->qual, n);
		if (q->qual)
			n->op = 1 + SIDDHI_OP_FILTER;
		siddhi_explain_dispatch(app, q, n);
		siddhi_explain_shared(app, q, n, ic);
		if (q->memberships)
		{
			/* the probes belong to the filter that reads them */
			if (q->qual == NIL)
				n = stack(siddhi_explain_node("Filter", NULL, NULL, NULL), n);
			membership_props(n, q, &hints);
		}
		if (q->dedup_key)
		{
			f = siddhi_explain_node("Deduplicate", NULL, NULL, NULL);
			siddhi_explain_prop(
				f, "Key", siddhi_explain_expr(ic, (Node *) q->dedup_key));
			siddhi_explain_prop(f, "Interval",
								siddhi_explain_ms(q->dedup_interval));
			n = filter_node(ic, q->dedup_qual, stack(f, n));
		}
		if (q->window)
			(n = stack(siddhi_explain_window(
						   q->window, ic, p->alias ? p->alias : q->input->name,
						   siddhi_window_plan_folds(q)),
					   n))
				->op = 1 + SIDDHI_OP_WINDOW;
		if (q->window && (q->window->kind == SIDDHI_WINDOW_UNIQUE_EVER ||
						  q->window->kind == SIDDHI_WINDOW_UNIQUE_FIRST))
			hints = lappend(
				hints,
				psprintf("window %s keeps a key for ever, up to "
						 "siddhi.max_groups (%d): unique:time(key, t) or "
						 "unique:length(key, n) release old keys",
						 q->window->name, siddhi_max_groups));
		if (q->window_qual)
			(n = filter_node(ic, q->window_qual, n))->op =
				1 + SIDDHI_OP_WINDOW_FILTER;
		if (q->join)
			(n = join_node(app, q, c, n, &hints))->op = 1 + SIDDHI_OP_JOIN;
	}
	/* the selector's nodes share its counters (explain_analyze.c) */
	if (q->over)
		(n = stack(over_node(q, c), n))->op = 1 + SIDDHI_OP_SELECT;
	if ((f = aggregate_node(q, c, &hints)) != NULL)
		(n = stack(f, n))->op = 1 + SIDDHI_OP_SELECT;
	if (q->having || q->order_by || q->limit >= 0 || q->distinct)
	{
		SiddhiExplainCols *oc = output_cols(q);

		if (q->having)
		{
			f = siddhi_explain_node("Having", NULL, NULL, NULL);
			siddhi_explain_prop(f, "Condition", and_text(oc, q->having));
			(n = stack(f, n))->op = 1 + SIDDHI_OP_SELECT;
		}
		if ((f = topn_node(q, oc)) != NULL)
			(n = stack(f, n))->op = 1 + SIDDHI_OP_SELECT;
	}
	if ((f = rate_node(q)) != NULL)
		(n = stack(f, n))->op = 1 + SIDDHI_OP_RATE;
	(n = stack(output_node(app, q, c, &hints), n))->op = 1 + SIDDHI_OP_OUTPUT;
	if (q->partition)
		n = stack(partition_node(q->partition, &hints), n);
	root->children = list_make1(n);
	siddhi_explain_prop_list(root, "Hint", hints);
	return root;
}

/*
 * An incremental aggregation (define aggregation / CREATE AGGREGATION):
 * its input and filters, what each event adds to its buckets, and the
 * granularity tables it keeps.
 */
SiddhiExplainNode *
siddhi_explain_aggregation(SiddhiAppPlan *app, SiddhiAggregationPlan *ap)
{
	SiddhiExplainNode *root =
		siddhi_explain_node("Aggregation", NULL, "Aggregation Name", ap->name);
	SiddhiExplainCols *c =
		siddhi_explain_cols_rel(ap->input->name, ap->input->relid);
	SiddhiExplainNode *n = siddhi_explain_node(
		"Incremental Aggregate", "into", "Relation Name", ap->view->name);
	StringInfoData grans;
	ListCell *lc;

	foreach(lc, ap->columns)
	{
		SiddhiIncColumn *col = lfirst(lc);
		char *e = col->expr ? siddhi_explain_expr(c, (Node *) col->expr) : "";

		if (col->kind == SIDDHI_INC_GROUP)
			siddhi_explain_prop_append(n, "Group Key", e);
		else if (col->kind == SIDDHI_INC_AGG)
			siddhi_explain_prop_append(
				n, "Aggregator",
				psprintf("%s = %s(%s)", col->name,
						 siddhi_explain_agg_name(col->agg), e));
		else
			siddhi_explain_prop_append(n, "Last Value",
									   psprintf("%s = %s", col->name, e));
	}
	siddhi_explain_prop(n, "Aggregate By",
						ap->time_expr
							? siddhi_explain_expr(c, (Node *) ap->time_expr)
							: "the event's arrival time");
	initStringInfo(&grans);
	foreach(lc, ap->grans)
	{
		int g = lfirst_int(lc);
		int64 keep = ap->retention[g];

		appendStringInfo(&grans, "%s%s%s", grans.len ? ", " : "",
						 siddhi_granularity_names[g],
						 ap->purge && keep >= 0
							 ? psprintf(" (kept %s)", siddhi_explain_ms(keep))
							 : "");
	}
	siddhi_explain_prop(n, "Granularities", grans.data);
	foreach(lc, ap->tables)
		siddhi_explain_prop_append(n, "Table",
								   ((SiddhiRelation *) lfirst(lc))->name);
	if (ap->timezone)
		siddhi_explain_prop(n, "Time Zone", ap->timezone);
	n->children =
		list_make1(filter_node(c, ap->qual, input_node(app, ap->input, NULL)));
	root->children = list_make1(n);
	return root;
}
