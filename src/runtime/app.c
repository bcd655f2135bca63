/*-------------------------------------------------------------------------
 *
 * app.c
 *	  Starting and stopping apps: the runtimes of junctions, named
 *	  windows, triggers, partitions, queries and aggregations built from
 *	  the analyzer's plan.
 *
 *-------------------------------------------------------------------------
 */
#include "runtime_int.h"
#include "siddhi/minslot.h"
#include "dispatch.h"

HTAB *junctions = NULL;
List *all_apps = NIL; /* of SiddhiAppRuntime *, for timers */
MemoryContext batch_cxt = NULL;
MemoryContext runtime_cxt = NULL;

static Junction *junction_get(Oid relid);
static void window_args_init(WindowArgs *wa, SiddhiWindowPlan *wp,
							 MemoryContext cxt);
static NamedWindow *named_window_start(SiddhiAppRuntime *app,
									   SiddhiNamedWindowPlan *wp,
									   MemoryContext cxt);
static void query_join_start(QueryRuntime *q, SiddhiJoinPlan *jp,
							 MemoryContext cxt);
static void query_pattern_start(QueryRuntime *q, SiddhiPatternPlan *pp,
								MemoryContext cxt);

void
runtime_init(void)
{
	HASHCTL ctl;

	if (junctions)
		return;
	runtime_cxt = AllocSetContextCreate(TopMemoryContext, "siddhi runtime",
										ALLOCSET_DEFAULT_SIZES);
	batch_cxt = AllocSetContextCreate(TopMemoryContext, "siddhi batch",
									  ALLOCSET_DEFAULT_SIZES);
	memset(&ctl, 0, sizeof(ctl));
	ctl.keysize = sizeof(Oid);
	ctl.entrysize = sizeof(Junction);
	ctl.hcxt = runtime_cxt;
	junctions = hash_create("siddhi junctions", 64, &ctl,
							HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
	ctl.entrysize = sizeof(TableSink);
	sinks = hash_create("siddhi table sinks", 64, &ctl,
						HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
}

static Junction *
junction_get(Oid relid)
{
	Junction *j;
	bool found;

	j = hash_search(junctions, &relid, HASH_ENTER, &found);
	if (!found)
	{
		j->consumers = NIL;
		j->aggregations = NIL;
		j->hooks = NIL;
		j->named = NULL;
		j->desc_sig = 0;
		j->dispatch = NULL;
		j->event = 0;
		j->events = 0;
		memset(&j->watch_log, 0, sizeof(j->watch_log));
	}
	{
		/*
		 * Junctions outlive the apps that use them: take the relation's row
		 * type as it is now (an app loaded after an ALTER must not read
		 * events with the old one).  Apps still loaded with the old one are
		 * reloaded before the next batch (src/worker/invalidate.c); the old
		 * descriptor stays allocated, as their slots point at it.
		 */
		MemoryContext old = MemoryContextSwitchTo(runtime_cxt);
		Relation rel = table_open(relid, AccessShareLock);
		uint32 sig = siddhi_desc_signature(RelationGetDescr(rel));

		if (sig != j->desc_sig)
		{
			j->name = pstrdup(RelationGetRelationName(rel));
			j->desc = CreateTupleDescCopy(RelationGetDescr(rel));
			BlessTupleDesc(j->desc);
			j->slot = MakeSingleTupleTableSlot(j->desc, &TTSOpsMinimalTuple);
			j->ahead = MakeSingleTupleTableSlot(j->desc, &TTSOpsMinimalTuple);
			j->desc_sig = sig;
		}
		table_close(rel, AccessShareLock);
		MemoryContextSwitchTo(old);
	}
	return j;
}

/* Set up the per-event values of a window's plan. */
static void
window_args_init(WindowArgs *wa, SiddhiWindowPlan *wp, MemoryContext cxt)
{
	MemoryContext old = MemoryContextSwitchTo(cxt);
	int k = 0;
	ListCell *lk;

	memset(wa, 0, sizeof(WindowArgs));
	wa->name = wp->name;
	if (wp->time_expr)
		wa->time = ExecInitExpr(wp->time_expr, NULL);
	if (wp->start_expr)
		wa->start = ExecInitExpr(wp->start_expr, NULL);
	wa->nkeys = list_length(wp->keys);
	if (wa->nkeys > 0)
	{
		wa->keys = palloc(sizeof(ExprState *) * wa->nkeys);
		wa->key_out = palloc0(sizeof(FmgrInfo) * wa->nkeys);
		wa->values = palloc(sizeof(Datum) * wa->nkeys);
		wa->nulls = palloc(sizeof(bool) * wa->nkeys);
		foreach(lk, wp->keys)
		{
			Oid outfn;
			bool varlena;

			wa->keys[k] = ExecInitExpr(lfirst(lk), NULL);
			getTypeOutputInfo(exprType(lfirst(lk)), &outfn, &varlena);
			fmgr_info_cxt(outfn, &wa->key_out[k], cxt);
			k++;
		}
		initStringInfo(&wa->keybuf);
	}
	MemoryContextSwitchTo(old);
}

/* A named window of an app, put in front of its junction. */
static NamedWindow *
named_window_start(SiddhiAppRuntime *app, SiddhiNamedWindowPlan *wp,
				   MemoryContext cxt)
{
	NamedWindow *nw = palloc0(sizeof(NamedWindow));
	Junction *j = junction_get(wp->relation->relid);

	if (j->named)
		ereport(ERROR,
				(errcode(ERRCODE_SIDDHI_SEMANTIC_ERROR),
				 errmsg("window \"%s\" is already running in another app",
						wp->relation->name)));
	nw->app = app;
	nw->junction = j;
	nw->plan = wp;
	nw->window = siddhi_window_create(wp->window, cxt);
	window_args_init(&nw->args, wp->window, cxt);
	nw->econtext = CreateStandaloneExprContext();
	nw->output = wp->output;
	nw->out_slot = MakeSingleTupleTableSlot(j->desc, &TTSOpsMinimalTuple);
	nw->mirror = siddhi_mirror_create(wp->relation->relid, cxt);
	return nw;
}

/*
 * The query's output rate limiter.  On the wall clock its first period
 * starts now; in playback, at the app clock's first value.
 */
void
query_rate_create(QueryRuntime *q, SiddhiQueryPlan *qp)
{
	q->rate = siddhi_rate_create(qp->rate_kind, qp->rate_type, qp->rate_value,
								 qp->rate_snapshot, qp->group_by != NIL,
								 CurrentMemoryContext);
	if (!q->app->playback)
		siddhi_rate_advance(q->rate, siddhi_now_ms(), NULL, NULL);
}

/*
 * A join query: its join processor and, for a stream or named window on
 * the other side, the runtime of that side (filters, window), which feeds
 * q and runs after it in the app's queries (time passes for both).
 */
static void
query_join_start(QueryRuntime *q, SiddhiJoinPlan *jp, MemoryContext cxt)
{
	QueryRuntime *o;

	q->join = siddhi_join_create(jp, q->econtext, cxt);
	if (jp->other->kind == SIDDHI_REL_TABLE ||
		jp->other->kind == SIDDHI_REL_AGGREGATION_VIEW)
		return;
	o = palloc0(sizeof(QueryRuntime));
	o->app = q->app;
	o->name = q->name;
	o->owner = q->owner;
	o->stats = q->stats;
	o->opc = q->opc;
	o->input = junction_get(jp->other->relid);
	o->econtext = CreateStandaloneExprContext();
	o->qual = ExecInitQual(jp->other_qual, NULL);
	o->events = q->events;
	o->apart = q->apart;
	if (jp->other_window)
	{
		o->window_plan = jp->other_window;
		if (o->apart == NULL)
			o->window = siddhi_window_create(jp->other_window, cxt);
		window_args_init(&o->window_args, jp->other_window, cxt);
		o->window_slot =
			MakeSingleTupleTableSlot(o->input->desc, &TTSOpsMinimalTuple);
		o->window_qual = ExecInitQual(jp->other_window_qual, NULL);
	}
	o->inner_input = jp->other_inner;
	o->join_main = q;
	q->join_other = o;
	q->app->queries = lappend(q->app->queries, o);
}

/*
 * A pattern query: its program and state, and a runtime for each of its
 * other input streams, which feeds q and is listed after it in the app.
 */
static void
query_pattern_start(QueryRuntime *q, SiddhiPatternPlan *pp, MemoryContext cxt)
{
	int i = 0;
	ListCell *lc;

	q->pattern_prog = siddhi_pattern_compile(pp, q->econtext, cxt);
	q->window_qual = ExecInitQual(q->plan->window_qual, NULL);
	/* in a partition each key makes its own, when it first appears */
	if (q->apart == NULL)
		q->pattern = siddhi_pattern_create(
			q->pattern_prog, cxt, q->app->playback ? 0 : siddhi_now_ms());
	foreach(lc, pp->streams)
	{
		QueryRuntime *o;

		if (i++ == 0)
			continue; /* q itself reads the first */
		o = palloc0(sizeof(QueryRuntime));
		o->app = q->app;
		o->name = q->name;
		o->owner = q->owner;
		o->stats = q->stats;
		o->opc = q->opc;
		o->input = junction_get(((SiddhiRelation *) lfirst(lc))->relid);
		o->econtext = q->econtext;
		o->events = q->events;
		o->pattern_main = q;
		o->pattern_stream = i - 1;
		o->inner_input = list_nth_int(pp->stream_inner, i - 1);
		o->apart = q->apart;
		q->app->queries = lappend(q->app->queries, o);
	}
}

/*
 * The filter of a query that shares conjuncts with other queries of its
 * app (analyze_shared.c), as its conjuncts: query.c evaluates a shared one
 * once per event for all of them.
 */
static void
shared_conditions_init(QueryRuntime *q, SiddhiQueryPlan *qp)
{
	ListCell *lc;
	ListCell *li;
	int k = 0;

	q->nconds = list_length(qp->qual_conds);
	q->conds = palloc(sizeof(ExprState *) * q->nconds);
	q->cond_shared = palloc(sizeof(int) * q->nconds);
	forboth(lc, qp->exec_conds ? qp->exec_conds : qp->qual_conds, li,
			qp->qual_shared)
	{
		q->conds[k] = ExecInitExpr(lfirst(lc), NULL);
		q->cond_shared[k] = lfirst_int(li);
		k++;
	}
}

SiddhiAppRuntime *
siddhi_runtime_start_app(SiddhiAppPlan *plan)
{
	SiddhiAppRuntime *app;
	MemoryContext cxt;
	MemoryContext old;
	ListCell *lc;

	runtime_init();
	cxt = AllocSetContextCreate(CurrentMemoryContext, "siddhi app runtime",
								ALLOCSET_DEFAULT_SIZES);
	old = MemoryContextSwitchTo(cxt);
	app = palloc0(sizeof(SiddhiAppRuntime));
	app->name = pstrdup(plan->name);
	app->source =
		plan->ast && plan->ast->source ? pstrdup(plan->ast->source) : NULL;
	app->owner = plan->owner;
	app->playback = plan->playback;
	app->cxt = cxt;
	app->shared = palloc0(sizeof(SharedCondition) * Max(plan->nshared, 1));
	/* built once the queries are (shared_exprs_start), counted before */
	app->nsexprs = list_length(plan->shared_exprs);

	foreach(lc, plan->windows)
		app->windows =
			lappend(app->windows, named_window_start(app, lfirst(lc), cxt));
	foreach(lc, plan->triggers)
	{
		SiddhiTriggerPlan *tp = lfirst(lc);
		AppTrigger *t = palloc0(sizeof(AppTrigger));

		t->junction = junction_get(tp->relation->relid);
		t->at_start = tp->at_start;
		t->every_ms = tp->every_ms;
		if (tp->cron)
		{
			char *error;
			int offset;

			t->cron = siddhi_cron_parse(tp->cron, &error, &offset);
		}
		t->slot = MakeSingleTupleTableSlot(t->junction->desc, &TTSOpsVirtual);
		t->next = -1;
		if (!app->playback)
			trigger_schedule(t, siddhi_now_ms(), true);
		app->triggers = lappend(app->triggers, t);
	}
	foreach(lc, plan->partitions)
	{
		AppPartition *ap = palloc0(sizeof(AppPartition));

		ap->app = app;
		ap->gen = 1; /* above a new key's stamp, 0 (partition_state.c) */
		ap->rt = siddhi_partition_create(lfirst(lc), 0, partition_make_state,
										 ap, cxt);
		app->partitions = lappend(app->partitions, ap);
	}
	foreach(lc, plan->queries)
	{
		SiddhiQueryPlan *qp = lfirst(lc);
		QueryRuntime *q = palloc0(sizeof(QueryRuntime));
		Relation orel;
		TupleDesc rowdesc; /* what the projection reads */
		ListCell *lp;

		q->app = app;
		q->name = pstrdup(qp->name);
		q->owner = plan->owner;
		q->plan = qp;
		q->window_plan = qp->window;
		q->inner_input = qp->inner_input;
		if (qp->partition)
		{
			foreach(lp, app->partitions)
				if (siddhi_partition_plan(((AppPartition *) lfirst(lp))->rt) ==
					qp->partition)
					q->apart = lfirst(lp);
			Assert(q->apart != NULL);
		}
		q->stats =
			siddhi_stats_alloc(MyDatabaseId, app->name, q->name, app->owner);
		q->opc = siddhi_stats_op_counters(q->stats);
		siddhi_metrics_probe_add(app, q->stats, q->opers, QOP_COUNT,
								 q->apart ? q->apart->rt : NULL);
		q->input = junction_get(qp->input->relid);
		rowdesc = qp->join		? qp->join->desc
				  : qp->pattern ? qp->pattern->desc
								: q->input->desc;
		q->econtext = CreateStandaloneExprContext();
		/* the filter whole, or as conjuncts when some are shared */
		if (qp->qual_shared != NIL)
			shared_conditions_init(q, qp);
		else
			q->qual = ExecInitQual(qp->qual, NULL);
		if (qp->dedup_key)
		{
			Oid outfn;
			bool varlena;

			if (q->apart == NULL)
				q->dedup = siddhi_dedup_create(qp->dedup_interval, cxt);
			q->dedup_key = ExecInitExpr(qp->dedup_key, NULL);
			getTypeOutputInfo(exprType((Node *) qp->dedup_key), &outfn,
							  &varlena);
			fmgr_info_cxt(outfn, &q->dedup_key_out, cxt);
			initStringInfo(&q->dedup_keybuf);
			q->dedup_qual = ExecInitQual(qp->dedup_qual, NULL);
		}
		q->events = qp->events;
		if (qp->contents)
			q->events = SIDDHI_EVENTS_ALL; /* expiries leave the contents */
		if (qp->window)
		{
			SiddhiWindowPlan *wp = qp->window;

			if (q->apart == NULL)
				q->window = query_window_create(q, cxt);
			window_args_init(&q->window_args, wp, cxt);
			q->window_slot =
				MakeSingleTupleTableSlot(q->input->desc, &TTSOpsMinimalTuple);
			q->window_qual = ExecInitQual(qp->window_qual, NULL);
		}

		if (qp->rate_kind != SIDDHI_RATE_NONE && q->apart == NULL)
			query_rate_create(q, qp);

		orel = table_open(qp->output->relid, AccessShareLock);
		q->out_slot = MakeSingleTupleTableSlot(
			qp->table_op ? ExecTypeFromTL(qp->targetlist)
						 : CreateTupleDescCopy(RelationGetDescr(orel)),
			&TTSOpsVirtual);
		if (qp->table_op)
			q->table_op = siddhi_table_op_create(qp->table_op, cxt);
		if (qp->memberships)
			q->econtext->ecxt_param_list_info = siddhi_memberships_create(
				qp->memberships, q->econtext, siddhi_runtime_flush_table, cxt);
		/* shared expressions: params numbered after the memberships' */
		if (qp->shared_exprs != NIL)
			q->econtext->ecxt_param_list_info =
				shared_exprs_params(q, q->econtext->ecxt_param_list_info,
									list_length(qp->memberships));
		q->sel = siddhi_selector_create(
			qp, rowdesc, q->out_slot, q->econtext, q->apart != NULL,
			qp->rate_kind != SIDDHI_RATE_NONE, cxt);
		/* its window folds: the selector keeps the batch's rows */
		if (q->window && q->window->folds_batches)
			siddhi_selector_fold_batches(q->sel);
		query_plain_init(q);
		/* what the selector reads of each event the window hands out (a
		 * join reads all of its sides' events itself); a partition's
		 * keys' windows hand theirs out through the same slot */
		if (qp->window && qp->join == NULL)
			q->window_reads = Max(siddhi_selector_scan_attrs(q->sel),
								  siddhi_expr_scan_attrs(q->window_qual));
		if (qp->rate_kind != SIDDHI_RATE_NONE)
			q->rate_slot = MakeSingleTupleTableSlot(
				qp->rate_kind == SIDDHI_RATE_SNAPSHOT
					? rowdesc
					: q->out_slot->tts_tupleDescriptor,
				&TTSOpsMinimalTuple);
		table_close(orel, AccessShareLock);
		if (qp->output->kind == SIDDHI_REL_TABLE)
			q->table_relid = qp->output->relid;
		else
			q->output = junction_get(qp->output->relid);

		app->queries = lappend(app->queries, q);
		if (qp->join)
			query_join_start(q, qp->join, cxt);
		if (qp->pattern)
			query_pattern_start(q, qp->pattern, cxt);
	}
	/*
	 * The incremental aggregations are built here too (their start reads
	 * the catalog and may fail): an error after a query was hooked onto
	 * its stream would leave it there with the app's memory gone.
	 */
	foreach(lc, plan->aggregations)
	{
		SiddhiAggregationPlan *ap = lfirst(lc);
		AppAggregation *aa = palloc0(sizeof(AppAggregation));

		aa->junction = junction_get(ap->input->relid);
		aa->inc = siddhi_incremental_start(ap, app->owner, cxt);
		app->aggregations = lappend(app->aggregations, aa);
	}
	/* the expressions its queries share, which read their junctions */
	shared_exprs_start(app, plan->shared_exprs, cxt);
	/* hook the windows and queries up only once all could be built */
	foreach(lc, app->windows)
	{
		NamedWindow *nw = lfirst(lc);

		nw->junction->named = nw;
	}
	foreach(lc, app->queries)
	{
		QueryRuntime *q = lfirst(lc);
		MemoryContext o2 = MemoryContextSwitchTo(runtime_cxt);

		query_opers_init(q);
		q->input->consumers = lappend(q->input->consumers, q);
		dispatch_invalidate(q->input);
		MemoryContextSwitchTo(o2);
		if (q->apart)
		{
			q->part_index = list_length(q->apart->queries);
			q->apart->queries = lappend(q->apart->queries, q);
			if ((q->window_plan &&
				 siddhi_window_kind_timed(q->window_plan->kind)) ||
				q->pattern_prog ||
				(q->plan && q->plan->rate_kind != SIDDHI_RATE_NONE))
				q->apart->timed = true;
		}
	}
	foreach(lc, app->partitions)
	{
		AppPartition *ap = lfirst(lc);

		siddhi_partition_set_queries(ap->rt, list_length(ap->queries));
		partition_schedule_init(ap);
	}
	foreach(lc, app->aggregations)
	{
		AppAggregation *aa = lfirst(lc);
		MemoryContext o2 = MemoryContextSwitchTo(runtime_cxt);

		aa->junction->aggregations =
			lappend(aa->junction->aggregations, aa->inc);
		MemoryContextSwitchTo(o2);
	}
	{
		MemoryContext o3 = MemoryContextSwitchTo(runtime_cxt);

		all_apps = lappend(all_apps, app);
		MemoryContextSwitchTo(o3);
	}
	MemoryContextSwitchTo(old);
	return app;
}

void
siddhi_runtime_stop_app(SiddhiAppRuntime *app)
{
	HASH_SEQ_STATUS seq;
	Junction *j;
	ListCell *lc2;

	hash_seq_init(&seq, junctions);
	while ((j = hash_seq_search(&seq)) != NULL)
	{
		ListCell *lc;

		if (j->named && j->named->app == app)
			j->named = NULL;
		dispatch_invalidate(j);
		foreach(lc, j->consumers)
		{
			QueryRuntime *q = lfirst(lc);

			if (q->app == app)
				j->consumers = foreach_delete_current(j->consumers, lc);
		}
		foreach(lc, j->hooks)
		{
			StreamHook *h = lfirst(lc);

			if (h->app == app)
				j->hooks = foreach_delete_current(j->hooks, lc);
		}
	}
	foreach(lc2, app->aggregations)
	{
		AppAggregation *aa = lfirst(lc2);

		aa->junction->aggregations =
			list_delete_ptr(aa->junction->aggregations, aa->inc);
		siddhi_incremental_stop(aa->inc);
	}
	all_apps = list_delete_ptr(all_apps, app);
	siddhi_stats_free_app(MyDatabaseId, app->name);
	siddhi_metrics_probe_drop(app);
	MemoryContextDelete(app->cxt);
}

Oid
siddhi_runtime_app_owner(SiddhiAppRuntime *app)
{
	return app->owner;
}

void
siddhi_runtime_add_stream_hook(SiddhiAppRuntime *app, Oid relid,
							   SiddhiStreamHookFn fn, void *arg)
{
	Junction *j = junction_get(relid);
	StreamHook *h = MemoryContextAllocZero(app->cxt, sizeof(StreamHook));
	MemoryContext old = MemoryContextSwitchTo(runtime_cxt);

	h->app = app;
	h->fn = fn;
	h->arg = arg;
	j->hooks = lappend(j->hooks, h);
	MemoryContextSwitchTo(old);
}
