/*-------------------------------------------------------------------------
 *
 * query_state.c
 *	  Epochs (issue 15): the state of each query runtime as bytes, saved
 *	  by the worker in the batch's transaction and restored when its app
 *	  starts again.
 *
 * A query runtime's state is the state of its operators, each a section
 * of its own in this order: the deduplicate, the window, the selector
 * (groups and their aggregators), the rate limiter and the pattern.  Each
 * section starts with a flag saying whether the operator is there.  A
 * query is saved only when every operator it holds can be
 * (query_state_can_save names the first that cannot); a query of a
 * partition is not saved yet.
 *
 * A saved state is restored only into a query of the same fingerprint: a
 * hash of the query's text, the row types of its inputs and output and
 * the app's clock (playback or wall clock).  So a redeployed app keeps the
 * state of each query whose text and inputs did not change
 * (docs/reference.md, "Epochs").
 *
 * Which queries changed: every step of a query (query_step,
 * query_step_chunk) marks it dirty; the worker saves the dirty ones at
 * the end of each batch and clears the marks once the batch committed.
 *
 *-------------------------------------------------------------------------
 */
#include "runtime_int.h"

#include "common/hashfn.h"
#include "siddhi/state.h"

/* The part of the key after the query's name, for a query's side runtimes. */
static const char *
runtime_role(QueryRuntime *q)
{
	if (q->join_main)
		return "#join";
	if (q->pattern_main)
		return "#pattern";
	return "";
}

char *
query_state_key(QueryRuntime *q)
{
	return psprintf("%s%s", q->name, runtime_role(q));
}

/* Whether the runtime holds anything at all (a pattern's side: nothing). */
bool
query_state_holds(QueryRuntime *q)
{
	SiddhiSelect *sel = q->sel;

	return q->window || q->dedup || q->rate || q->pattern || q->apart ||
		   (sel && siddhi_selector_aggregates(sel));
}

bool
query_state_can_save(QueryRuntime *q, const char **why)
{
	if (q->apart)
	{
		*why = "a partition";
		return false;
	}
	if (q->dedup && !siddhi_dedup_can_save(q->dedup))
	{
		*why = "a deduplicate";
		return false;
	}
	if (q->window && !siddhi_window_can_save(q->window))
	{
		*why = q->window_args.name ? q->window_args.name : "a window";
		return false;
	}
	if (q->sel && siddhi_selector_aggregates(q->sel) &&
		!siddhi_selector_can_save(q->sel))
	{
		*why = "an aggregation, a window function or SQL contents";
		return false;
	}
	if (q->rate && !siddhi_rate_can_save(q->rate))
	{
		*why = "an output rate limit";
		return false;
	}
	if (q->pattern && !siddhi_pattern_can_save(q->pattern))
	{
		*why = "a pattern";
		return false;
	}
	*why = NULL;
	return true;
}

/*
 * The fingerprint: the query's text, the row types it reads and writes, the
 * clock, and the state format.
 */
char *
query_state_fingerprint(QueryRuntime *q)
{
	QueryRuntime *main = q->join_main	   ? q->join_main
						 : q->pattern_main ? q->pattern_main
										   : q;
	SiddhiQueryPlan *qp = main->plan;
	StringInfoData b;
	uint64 h;

	initStringInfo(&b);
	appendStringInfo(&b, "%d|%s|%d|", SIDDHI_STATE_FORMAT, runtime_role(q),
					 (int) q->app->playback);
	if (qp && qp->ast && qp->ast->location >= 0 &&
		qp->ast->end_location > qp->ast->location && q->app->source)
		appendBinaryStringInfo(&b, q->app->source + qp->ast->location,
							   qp->ast->end_location - qp->ast->location);
	else
		appendStringInfoString(&b, q->name);
	if (q->input)
		appendStringInfo(&b, "|%u", q->input->desc_sig);
	if (main->output)
		appendStringInfo(&b, "|%u", main->output->desc_sig);
	if (main->out_slot)
		appendStringInfo(
			&b, "|%u",
			siddhi_desc_signature(main->out_slot->tts_tupleDescriptor));
	h = hash_bytes_extended((const unsigned char *) b.data, b.len, 0);
	pfree(b.data);
	return psprintf("%016llx", (unsigned long long) h);
}

static void
put_section(StringInfo buf, bool present)
{
	siddhi_state_put_bool(buf, present);
}

static bool
get_section(SiddhiStateReader *r, bool present)
{
	if (siddhi_state_get_bool(r) != present)
		siddhi_state_corrupt(r, "An operator is missing or extra");
	return present;
}

void
query_state_serialize(QueryRuntime *q, StringInfo buf)
{
	bool aggs = q->sel && siddhi_selector_aggregates(q->sel);

	put_section(buf, q->dedup != NULL);
	if (q->dedup)
		siddhi_dedup_serialize(q->dedup, buf);
	put_section(buf, q->window != NULL);
	if (q->window)
		siddhi_window_serialize(q->window, buf);
	put_section(buf, aggs);
	if (aggs)
		siddhi_selector_serialize(q->sel, buf);
	put_section(buf, q->rate != NULL);
	if (q->rate)
		siddhi_rate_serialize(q->rate, buf);
	put_section(buf, q->pattern != NULL);
	if (q->pattern)
		siddhi_pattern_serialize(q->pattern, buf);
}

/* Into a query whose operators were just created (nothing fed yet). */
void
query_state_restore(QueryRuntime *q, SiddhiStateReader *r)
{
	bool aggs = q->sel && siddhi_selector_aggregates(q->sel);

	if (get_section(r, q->dedup != NULL))
		siddhi_dedup_restore(q->dedup, r);
	if (get_section(r, q->window != NULL))
		siddhi_window_restore(q->window, r, q->input->desc);
	if (get_section(r, aggs))
		siddhi_selector_restore(q->sel, r);
	if (get_section(r, q->rate != NULL))
		siddhi_rate_restore(q->rate, r);
	if (get_section(r, q->pattern != NULL))
		siddhi_pattern_restore(q->pattern, r);
	siddhi_state_expect_end(r);
}

/*
 * siddhi.state_roundtrip (a developer setting, for the test suites): the
 * state of each query that can be saved goes to bytes and back into new
 * operators, which take the old ones' place, at the end of every batch.
 * Running the suites so shows that what is saved is all that matters.
 */
static void
roundtrip_one(QueryRuntime *q)
{
	StringInfoData buf;
	SiddhiStateReader r;
	SiddhiWindow *old_window = q->window;
	SiddhiPattern *old_pattern = q->pattern;
	SiddhiRateLimiter *old_rate = q->rate;
	SiddhiDedup *old_dedup = q->dedup;
	MemoryContext cxt = q->app->cxt;
	MemoryContext old = MemoryContextSwitchTo(cxt);
	char *key = query_state_key(q);

	initStringInfo(&buf);
	query_state_serialize(q, &buf);
	if (old_window)
		q->window = siddhi_window_create(q->window_plan, cxt);
	if (old_pattern)
		q->pattern = siddhi_pattern_create(q->pattern_prog, cxt, 0);
	if (old_rate)
		q->rate = siddhi_rate_create(
			q->plan->rate_kind, q->plan->rate_type, q->plan->rate_value,
			q->plan->rate_snapshot, q->plan->group_by != NIL, cxt);
	if (old_dedup)
		q->dedup = siddhi_dedup_create(q->plan->dedup_interval, cxt);
	if (q->sel && siddhi_selector_aggregates(q->sel))
		siddhi_selector_clear(q->sel);
	siddhi_state_reader_init(&r, buf.data, buf.len, key);
	query_state_restore(q, &r);
	if (old_window)
		MemoryContextDelete(old_window->cxt);
	if (old_pattern)
		siddhi_pattern_free(old_pattern);
	if (old_rate)
		siddhi_rate_free(old_rate);
	if (old_dedup) /* in a context of its own (siddhi_dedup_create) */
		MemoryContextDelete(GetMemoryChunkContext(old_dedup));
	pfree(buf.data);
	pfree(key);
	MemoryContextSwitchTo(old);
}

void
query_state_roundtrip_all(void)
{
	ListCell *la;

	foreach(la, all_apps)
	{
		SiddhiAppRuntime *app = lfirst(la);
		ListCell *lq;

		foreach(lq, app->queries)
		{
			QueryRuntime *q = lfirst(lq);
			const char *why;

			if (query_state_holds(q) && query_state_can_save(q, &why))
				roundtrip_one(q);
		}
	}
}
