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
 * (query_state_can_save names the first that cannot).
 *
 * A query of a partition holds its operators once per key (QueryKeyState,
 * query_partition.c): partition_state.c saves it, the keys incrementally
 * in parts as groups are (a part has the keys that changed since the last
 * committed save and tombstones of those released).
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
 * A query and a named window (named_window_state.c) are each a unit of
 * saved state with a StateTrack: key, fingerprint, dirty mark and where
 * its window's incremental saves stand (state_track_*, below).  The app's
 * own state is app_state.c's.
 *
 *-------------------------------------------------------------------------
 */
#include "runtime_int.h"

#include "common/hashfn.h"
#include "portability/instr_time.h"
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
		   (sel && siddhi_selector_holds_state(sel));
}

bool
query_state_can_save(QueryRuntime *q, const char **why)
{
	if (q->apart)
		return partition_can_save(q, why);
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
	if (q->sel && siddhi_selector_holds_state(q->sel) &&
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
 * A fingerprint: the hash of what b says (its text is freed), as 16 hex
 * digits.  The query's, a named window's, the app's own state's.
 */
char *
state_fingerprint_text(StringInfo b)
{
	uint64 h = hash_bytes_extended((const unsigned char *) b->data, b->len, 0);

	pfree(b->data);
	return psprintf("%016llx", (unsigned long long) h);
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

	initStringInfo(&b);
	appendStringInfo(&b, "%d|%s|%d|", SIDDHI_STATE_FORMAT, runtime_role(q),
					 (int) q->app->playback);
	if (qp && qp->ast && qp->ast->location >= 0 &&
		qp->ast->end_location > qp->ast->location && q->app->source)
		appendBinaryStringInfo(&b, q->app->source + qp->ast->location,
							   qp->ast->end_location - qp->ast->location);
	else
		appendStringInfoString(&b, q->name);
	/* a partition's keys: saved in parts since format 2 */
	if (q->apart)
		appendStringInfo(&b, "|keys %d", PARTITION_STATE_FORMAT);
	/* a batch window that folds saves no event, its query a row a group */
	if (q->window && q->window->folds_batches)
		appendStringInfoString(&b, "|folds");
	if (q->input)
		appendStringInfo(&b, "|%u", q->input->desc_sig);
	if (main->output)
		appendStringInfo(&b, "|%u", main->output->desc_sig);
	if (main->out_slot)
		appendStringInfo(
			&b, "|%u",
			siddhi_desc_signature(main->out_slot->tts_tupleDescriptor));
	return state_fingerprint_text(&b);
}

/* how the window section is saved */
#define WINDOW_NONE 0
#define WINDOW_WHOLE 1
#define WINDOW_PARTS 2 /* its head here, its events in parts */

void
state_put_section(StringInfo buf, bool present)
{
	siddhi_state_put_bool(buf, present);
}

bool
state_get_section(SiddhiStateReader *r, bool present)
{
	if (siddhi_state_get_bool(r) != present)
		siddhi_state_corrupt(r, "An operator is missing or extra");
	return present;
}

/*
 * The window section of a state: none, the whole window, or (parts->want
 * and the window can) its head here and its events from parts->since on
 * in parts->events.  A query's and a named window's (named_window_state.c).
 */
void
window_section_serialize(SiddhiWindow *w, StringInfo buf,
						 QueryStateParts *parts)
{
	if (w && parts && parts->want)
	{
		StringInfoData head;

		initStringInfo(&head);
		parts->used = siddhi_window_serialize_parts(
			w, parts->since, &head, parts->events, &parts->first,
			&parts->next);
		if (parts->used)
		{
			siddhi_state_put_int32(buf, WINDOW_PARTS);
			siddhi_state_put_bytes(buf, head.data, head.len);
		}
		pfree(head.data);
	}
	if (!parts || !parts->used)
	{
		siddhi_state_put_int32(buf, w ? WINDOW_WHOLE : WINDOW_NONE);
		if (w)
			siddhi_window_serialize(w, buf);
	}
}

/* Into a window just created; desc: the row type of its events. */
void
window_section_restore(SiddhiWindow *w, TupleDesc desc, SiddhiStateReader *r,
					   SiddhiStateReader *parts, int nparts, bool more)
{
	int32 window = siddhi_state_get_int32(r);

	if ((window == WINDOW_NONE) != (w == NULL) ||
		(window != WINDOW_PARTS && nparts > 0 && !more) ||
		(window != WINDOW_NONE && window != WINDOW_WHOLE &&
		 window != WINDOW_PARTS))
		siddhi_state_corrupt(r, "An operator is missing or extra");
	/* a window's tuples are its input's rows: checked as they are read */
	r->desc = desc;
	if (window == WINDOW_WHOLE)
		siddhi_window_restore(w, r, desc);
	else if (window == WINDOW_PARTS)
	{
		SiddhiStateReader head;
		int len;
		const char *data = siddhi_state_get_bytes(r, &len);

		siddhi_state_reader_init(&head, data, len, r->what);
		for (int i = 0; i < nparts; i++)
			parts[i].desc = desc;
		siddhi_window_restore_parts(w, &head, parts, nparts, desc);
		siddhi_state_expect_end(&head);
	}
	r->desc = NULL;
	/* more: the parts go on with another operator's (a query's groups) */
	for (int i = 0; i < nparts && !more; i++)
		siddhi_state_expect_end(&parts[i]);
}

/*
 * A query's state: whether its groups are in the parts, then its
 * operators' sections in order.  With parts->want, its groups go into the
 * part after its window's events (siddhi_aggs_serialize_delta: all of
 * them, or those changed since the last save), so a large group map is
 * not written again every epoch.
 */
void
query_state_serialize(QueryRuntime *q, StringInfo buf, QueryStateParts *parts)
{
	bool aggs = q->sel && siddhi_selector_holds_state(q->sel);
	SiddhiAggregates *groups = aggs ? siddhi_selector_aggs(q->sel) : NULL;
	bool groups_in_parts = groups && parts && parts->want;

	if (q->apart)
	{
		partition_state_serialize(q, buf, parts);
		return;
	}

	siddhi_state_put_bool(buf, groups_in_parts);
	state_put_section(buf, q->dedup != NULL);
	if (q->dedup)
		siddhi_dedup_serialize(q->dedup, buf);
	window_section_serialize(q->window, buf, parts);
	state_put_section(buf, aggs);
	if (aggs)
		siddhi_selector_serialize(q->sel, buf, groups_in_parts);
	if (groups_in_parts)
	{
		/* in the part, after the window's events if it is there too */
		siddhi_aggs_serialize_delta(groups, parts->groups_all, parts->events);
		parts->groups = true;
		parts->live_extra = siddhi_aggs_memory(groups);
	}
	/* a folding selector's rows name their groups: after them */
	if (aggs && siddhi_selector_folds(q->sel))
		siddhi_selector_serialize_folded(q->sel, buf);
	state_put_section(buf, q->rate != NULL);
	if (q->rate)
		siddhi_rate_serialize(q->rate, buf);
	state_put_section(buf, q->pattern != NULL);
	if (q->pattern)
		siddhi_pattern_serialize(q->pattern, buf);
}

/*
 * Into a query whose operators were just created (nothing fed yet); parts:
 * the window's event parts, in the order they were saved.
 */
void
query_state_restore(QueryRuntime *q, SiddhiStateReader *r,
					SiddhiStateReader *parts, int nparts)
{
	bool aggs = q->sel && siddhi_selector_holds_state(q->sel);
	bool groups_in_parts;
	bool elsewhere = false;

	if (q->apart)
	{
		partition_state_restore(q, r, parts, nparts);
		siddhi_state_expect_end(r);
		return;
	}

	groups_in_parts = siddhi_state_get_bool(r);
	if (groups_in_parts &&
		(!aggs || siddhi_selector_aggs(q->sel) == NULL || nparts == 0))
		siddhi_state_corrupt(r, "The query's groups are missing");
	if (state_get_section(r, q->dedup != NULL))
		siddhi_dedup_restore(q->dedup, r);
	window_section_restore(q->window, q->input ? q->input->desc : NULL, r,
						   parts, nparts, groups_in_parts);
	if (state_get_section(r, aggs))
		siddhi_selector_restore(q->sel, r, &elsewhere);
	if (elsewhere != groups_in_parts)
		siddhi_state_corrupt(r, "The query's groups are missing");
	for (int i = 0; i < nparts && groups_in_parts; i++)
	{
		siddhi_aggs_restore_delta(siddhi_selector_aggs(q->sel), &parts[i]);
		siddhi_state_expect_end(&parts[i]);
	}
	if (aggs && siddhi_selector_folds(q->sel))
		siddhi_selector_restore_folded(q->sel, r);
	q->st.groups_saved = groups_in_parts;
	if (state_get_section(r, q->rate != NULL))
		siddhi_rate_restore(q->rate, r);
	if (state_get_section(r, q->pattern != NULL))
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
	StringInfoData events;
	QueryStateParts parts = { 0 };
	SiddhiStateReader r;
	SiddhiStateReader pr;
	SiddhiWindow *old_window = q->window;
	SiddhiPattern *old_pattern = q->pattern;
	SiddhiRateLimiter *old_rate = q->rate;
	SiddhiDedup *old_dedup = q->dedup;
	bool groups_saved;
	MemoryContext cxt = q->app->cxt;
	MemoryContext old = MemoryContextSwitchTo(cxt);
	char *key = query_state_key(q);

	/* a window saved incrementally goes as a real restart reads it: its
	 * head here, its events in a part */
	initStringInfo(&buf);
	initStringInfo(&events);
	parts.want = true;
	parts.since = 0;
	parts.groups_all = true;
	parts.events = &events;
	query_state_serialize(q, &buf, &parts);
	if (old_window)
		q->window = query_window_create(q, cxt);
	if (old_pattern)
		q->pattern = siddhi_pattern_create(q->pattern_prog, cxt,
										   q->app->playback ? q->app->clock
															: siddhi_now_ms());
	if (old_rate)
		q->rate = siddhi_rate_create(
			q->plan->rate_kind, q->plan->rate_type, q->plan->rate_value,
			q->plan->rate_snapshot, q->plan->group_by != NIL, cxt);
	if (old_dedup)
		q->dedup = siddhi_dedup_create(q->plan->dedup_interval, cxt);
	if (q->sel && siddhi_selector_holds_state(q->sel))
		siddhi_selector_clear(q->sel);
	siddhi_state_reader_init(&r, buf.data, buf.len, key);
	siddhi_state_reader_init(&pr, events.data, events.len, key);
	groups_saved = q->st.groups_saved;
	query_state_restore(q, &r, &pr, parts.used || parts.groups ? 1 : 0);
	/*
	 * The groups came back as saved and clean, but the real saves have not
	 * seen what this batch changed: each goes into the next delta, and (if
	 * the real saves hold groups) a tombstone when it goes.
	 */
	q->st.groups_saved = groups_saved;
	if (parts.groups)
		siddhi_aggs_mark_all(siddhi_selector_aggs(q->sel), groups_saved);
	if (old_window)
		MemoryContextDelete(old_window->cxt);
	if (old_pattern)
		siddhi_pattern_free(old_pattern);
	if (old_rate)
		siddhi_rate_free(old_rate);
	if (old_dedup) /* in a context of its own (siddhi_dedup_create) */
		MemoryContextDelete(GetMemoryChunkContext(old_dedup));
	pfree(buf.data);
	pfree(events.data);
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

			if (q->apart == NULL && query_state_holds(q) &&
				query_state_can_save(q, &why))
				roundtrip_one(q);
		}
		foreach(lq, app->partitions)
			partition_roundtrip(lfirst(lq));
		foreach(lq, app->windows)
			named_window_roundtrip(lfirst(lq));
	}
}

/* parts may hold this much more than 4 times the window before a rewrite */
#define PARTS_SLACK (64 * 1024)

/*
 * Save one unit of state that changed (a query, a named window): ser
 * writes it, its window (NULL: none) incrementally when it can; fn gets
 * the bytes, or once the reason it is not saved any more (too large).
 */
void
state_track_save(StateTrack *t, SiddhiWindow *window, StateSerializeFn ser,
				 void *obj, SiddhiStateFn fn, void *arg, StringInfo buf,
				 StringInfo events)
{
	instr_time start;
	instr_time took;
	QueryStateParts parts = { 0 };
	Size live;
	bool in_parts;

	/*
	 * A window that can be saved incrementally writes only the events that
	 * entered since the last save, as a part; when the parts hold much
	 * more than the window (events that left since), they are replaced by
	 * one part of what it holds now.
	 */
	resetStringInfo(events);
	parts.want = true;
	parts.since = t->since;
	parts.groups_all = !t->groups_saved;
	parts.events = events;
	INSTR_TIME_SET_CURRENT(start);
	resetStringInfo(buf);
	ser(obj, buf, &parts);
	live = (window ? MemoryContextMemAllocated(window->cxt, true) : 0) +
		   parts.live_extra;
	in_parts = parts.used || parts.groups;
	if (in_parts && !parts.complete &&
		t->part_bytes > 4 * (int64) live + PARTS_SLACK)
	{
		/* compaction: everything held, in one new part */
		resetStringInfo(buf);
		resetStringInfo(events);
		parts.since = 0;
		parts.groups_all = true;
		parts.used = false;
		parts.groups = false;
		ser(obj, buf, &parts);
		parts.since = -1; /* says: replace the parts */
	}
	INSTR_TIME_SET_CURRENT(took);
	INSTR_TIME_SUBTRACT(took, start);
	if (in_parts)
	{
		SiddhiStatePart part;

		/* a part with everything replaces the others, compacted or not */
		part.replace = parts.since < 0 || parts.complete;
		part.number = t->part;
		/* a part with no event (8 bytes: its count) is not written; one
		 * with groups always is (it says which were saved) */
		part.data = events->len > (int) sizeof(int64) || part.replace ||
							(parts.groups && !parts.empty)
						? events->data
						: NULL;
		part.len = events->len;
		fn(arg, t->key, t->fp, buf->data, buf->len, NULL,
		   INSTR_TIME_GET_MILLISEC(took), &part);
		t->pending = true;
		t->pend_groups = parts.groups;
		t->pend_keys_gen = parts.keys_gen;
		t->pend_keys_seq = parts.keys_seq;
		t->pend_since = parts.next;
		t->pend_part = t->part + (part.data ? 1 : 0);
		t->pend_bytes =
			(part.replace ? 0 : t->part_bytes) + (part.data ? events->len : 0);
		t->oversize = false;
	}
	else if (live > (Size) siddhi_max_state_size_kb * 1024 ||
			 buf->len > siddhi_max_state_size_kb * 1024)
	{
		/* its saved state is stale from now on: forgotten, once */
		if (!t->oversize)
			fn(arg, t->key, t->fp, NULL, 0,
			   "larger than siddhi.max_state_size",
			   INSTR_TIME_GET_MILLISEC(took), NULL);
		t->oversize = true;
	}
	else
	{
		fn(arg, t->key, t->fp, buf->data, buf->len, NULL,
		   INSTR_TIME_GET_MILLISEC(took), NULL);
		t->oversize = false;
	}
}

/* The batch that saved the unit committed: it is clean. */
void
state_track_saved(StateTrack *t)
{
	t->dirty = false;
	if (t->pending)
	{
		t->groups_saved = t->pend_groups;
		t->keys_gen = t->pend_keys_gen;
		t->keys_seq = t->pend_keys_seq;
		t->since = t->pend_since;
		t->part = t->pend_part;
		t->part_bytes = t->pend_bytes;
		t->pending = false;
	}
}

/* Its saved state was deleted: saved anew, its window from the oldest. */
void
state_track_forget(StateTrack *t)
{
	t->dirty = true;
	t->since = 0;
	t->part_bytes = 0;
	t->pending = false;
	t->groups_saved = false;
	t->keys_gen = 0;
	t->keys_seq = 0;
	t->unsaveable_told = false;
	t->oversize = false;
}

/*
 * The unit was restored from its row and parts: the next incremental save
 * of its window appends what comes next.
 */
void
state_track_restored(StateTrack *t, SiddhiWindow *window,
					 const SiddhiStatePart *parts, int nparts)
{
	for (int i = 0; i < nparts; i++)
	{
		t->part_bytes += parts[i].len;
		t->part = parts[i].number + 1;
	}
	if (window)
	{
		StringInfoData head;
		StringInfoData none;
		int64 first;

		initStringInfo(&head);
		initStringInfo(&none);
		if (siddhi_window_serialize_parts(window, PG_INT64_MAX, &head, &none,
										  &first, &t->since))
		{
			pfree(head.data);
			pfree(none.data);
		}
	}
}

/* The query's key and fingerprint: they do not change while it runs. */
static void
query_state_ids(QueryRuntime *q)
{
	if (q->st.key == NULL)
	{
		MemoryContext old = MemoryContextSwitchTo(q->app->cxt);

		q->st.key = query_state_key(q);
		q->st.fp = query_state_fingerprint(q);
		MemoryContextSwitchTo(old);
	}
}

static void
query_serialize_fn(void *obj, StringInfo buf, QueryStateParts *parts)
{
	query_state_serialize((QueryRuntime *) obj, buf, parts);
}

/*
 * The worker's side (src/worker/state.c): the state of the app (app_state.c),
 * of each named window (named_window_state.c) and of each query of app
 * that changed since it was last saved, handed to fn one at a time (data
 * NULL and reason set when a query cannot be saved yet; such a query is
 * handed once, when it first changes).
 */
/*
 * The buffers a save serializes into, kept from one save to the next: a
 * large window's part is tens of MB, and growing fresh buffers to that by
 * doubling at each save (each step copied, each new page faulted in) was
 * a third of the save's time on bench/epochs.sh's tumbling_100k.  A
 * buffer past SAVE_BUFFER_KEEP is given back after the save, so what
 * stays between saves is bounded.
 */
#define SAVE_BUFFER_KEEP (64 * 1024 * 1024)
static StringInfoData save_buf;
static StringInfoData save_events;

static StringInfo
save_buffer(StringInfo b)
{
	if (b->data == NULL)
	{
		MemoryContext old = MemoryContextSwitchTo(TopMemoryContext);

		initStringInfo(b);
		MemoryContextSwitchTo(old);
	}
	else
		resetStringInfo(b);
	return b;
}

static void
save_buffer_trim(StringInfo b)
{
	if (b->data != NULL && b->maxlen > SAVE_BUFFER_KEEP)
	{
		pfree(b->data);
		b->data = NULL;
	}
}

void
siddhi_runtime_collect_state(SiddhiAppRuntime *app, SiddhiStateFn fn,
							 void *arg)
{
	ListCell *lq;
	StringInfo buf = save_buffer(&save_buf);
	StringInfo events = save_buffer(&save_events);

	app_state_collect(app, fn, arg, buf);
	named_window_collect_state(app, fn, arg, buf, events);
	foreach(lq, app->queries)
	{
		QueryRuntime *q = lfirst(lq);
		const char *why;

		if (!q->st.dirty || !query_state_holds(q))
			continue;
		query_state_ids(q);
		if (!query_state_can_save(q, &why))
		{
			if (!q->st.unsaveable_told)
				fn(arg, q->st.key, q->st.fp, NULL, 0, why, 0, NULL);
			q->st.unsaveable_told = true;
			continue;
		}
		state_track_save(&q->st, q->window, query_serialize_fn, q, fn, arg,
						 buf, events);
	}
	save_buffer_trim(buf);
	save_buffer_trim(events);
}

/* The batch that saved the states committed: nothing is dirty any more. */
void
siddhi_runtime_state_saved(SiddhiAppRuntime *app)
{
	ListCell *lq;

	foreach(lq, app->queries)
	{
		QueryRuntime *q = lfirst(lq);

		/* the groups in the part that committed are saved, and clean */
		if (q->apart)
			partition_state_saved(q);
		else if (q->st.pending && q->st.pend_groups)
			siddhi_aggs_delta_saved(siddhi_selector_aggs(q->sel));
		state_track_saved(&q->st);
	}
	foreach(lq, app->windows)
		state_track_saved(&((NamedWindow *) lfirst(lq))->st);
	app_state_saved(app);
}

/*
 * The app's saved state was deleted (saving turned off): when saving comes
 * back, everything is saved anew, windows from their oldest event.
 */
void
siddhi_runtime_state_forgotten(SiddhiAppRuntime *app)
{
	ListCell *lq;

	foreach(lq, app->queries)
	{
		QueryRuntime *q = lfirst(lq);

		state_track_forget(&q->st);
		if (q->apart)
			partition_state_forget(q);
	}
	foreach(lq, app->windows)
		state_track_forget(&((NamedWindow *) lfirst(lq))->st);
	app_state_forget(app);
}

/*
 * Restore the saved state under key of an app just started, when the
 * fingerprint is that of the query (or named window, or the app's own
 * state) of that key now.  Returns false (and restores nothing) when there
 * is no such thing, or it changed, or cannot be saved now; a damaged state
 * is an ERROR, after which the caller must not run the app (it may be half
 * restored).
 */
bool
siddhi_runtime_restore_state(SiddhiAppRuntime *app, const char *key,
							 const char *fingerprint, const char *data,
							 int len, const SiddhiStatePart *parts, int nparts)
{
	ListCell *lq;

	if (key[0] == '#' && strcmp(key, APP_STATE_KEY) == 0)
		return app_state_restore_key(app, fingerprint, data, len);
	if (key[0] == '#' &&
		strncmp(key, NAMED_WINDOW_KEY, strlen(NAMED_WINDOW_KEY)) == 0)
		return named_window_restore_state(app, key, fingerprint, data, len,
										  parts, nparts);
	foreach(lq, app->queries)
	{
		QueryRuntime *q = lfirst(lq);
		const char *why;

		query_state_ids(q);
		if (strcmp(q->st.key, key) != 0)
			continue;
		if (strcmp(q->st.fp, fingerprint) != 0 || !query_state_holds(q) ||
			!query_state_can_save(q, &why))
			return false;
		{
			SiddhiStateReader r;
			char *what =
				psprintf("query \"%s\" of app \"%s\"", key, app->name);
			SiddhiStateReader *pr =
				palloc(sizeof(SiddhiStateReader) * Max(nparts, 1));

			for (int i = 0; i < nparts; i++)
				siddhi_state_reader_init(&pr[i], parts[i].data, parts[i].len,
										 what);
			siddhi_state_reader_init(&r, data, len, what);
			query_state_restore(q, &r, pr, nparts);
			pfree(pr);
			state_track_restored(&q->st, q->window, parts, nparts);
		}
		/* restored, not changed: saved again only when it changes */
		return true;
	}
	return false;
}
