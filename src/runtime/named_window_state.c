/*-------------------------------------------------------------------------
 *
 * named_window_state.c
 *	  Epochs (issue 15): the contents of each named window, saved under the
 *	  key "#window W" of its app and restored when the app starts.
 *
 * A named window is app-level state: the queries reading it (from W, a
 * join with W) hold nothing of it.  Its state is the window's, in the
 * window section of a query's (query_state.c: the whole window, or for a
 * first-in-first-out window its head in the row and its events in parts,
 * incrementally); nothing else: which events it passes on (output all /
 * current / expired events) is its definition, and it has no rate limit
 * or aggregators of its own.
 *
 * Its fingerprint covers its definition (the window's kind, sizes, flags,
 * expressions, keys and the events it passes on), its row type and the
 * app's clock, so a changed definition starts it empty.  A step of the
 * window (an event in, time passing, the end of a chunk) marks it dirty.
 *
 * After a restore its table (output/window_mirror.c) is rebuilt from the
 * window at the end of the next batch: its rows were emptied when the app
 * started.  siddhi.state_roundtrip leaves the table alone: the mirror
 * knows its rows by the window's tuples, and takes the new window's
 * tuples, in the same scan order, for the old ones.
 *
 *-------------------------------------------------------------------------
 */
#include "runtime_int.h"

#include "siddhi/window_mirror.h"

static char *
named_window_key(NamedWindow *nw)
{
	return psprintf("%s%s", NAMED_WINDOW_KEY, nw->junction->name);
}

static void
append_node(StringInfo b, const void *node)
{
	char *s = node ? nodeToString(node) : pstrdup("-");

	appendStringInfo(b, "|%s", s);
	pfree(s);
}

/* Its definition, row type and the app's clock, hashed. */
static char *
named_window_fingerprint(NamedWindow *nw)
{
	const SiddhiWindowPlan *p = nw->plan->window;
	StringInfoData b;
	ListCell *lc;

	initStringInfo(&b);
	appendStringInfo(&b,
					 "%d|window|%d|%u|%d|%d|%s|" INT64_FORMAT "|" INT64_FORMAT
					 "|" INT64_FORMAT "|" INT64_FORMAT "|%d|%d|%g|%g|%s|%d",
					 SIDDHI_STATE_FORMAT, (int) nw->app->playback,
					 nw->junction->desc_sig, (int) nw->plan->output,
					 (int) p->kind, p->name ? p->name : "", p->length,
					 p->count, p->start, p->timeout, (int) p->current_event,
					 (int) p->replace_time, p->support, p->error,
					 p->text ? p->text : "", (int) p->index_attno);
	append_node(&b, p->time_expr);
	append_node(&b, p->start_expr);
	append_node(&b, p->keys);
	append_node(&b, p->condition);
	foreach(lc, p->cond_aggs)
	{
		SiddhiAggPlan *ap = lfirst(lc);

		appendStringInfo(&b, "|agg %d:%u", (int) ap->kind, ap->argtype);
		append_node(&b, ap->arg);
	}
	return state_fingerprint_text(&b);
}

static void
named_window_ids(NamedWindow *nw)
{
	if (nw->st.key == NULL)
	{
		MemoryContext old = MemoryContextSwitchTo(nw->app->cxt);

		nw->st.key = named_window_key(nw);
		nw->st.fp = named_window_fingerprint(nw);
		MemoryContextSwitchTo(old);
	}
}

static void
named_window_serialize(void *obj, StringInfo buf, QueryStateParts *parts)
{
	window_section_serialize(((NamedWindow *) obj)->window, buf, parts);
}

static void
named_window_restore(NamedWindow *nw, SiddhiStateReader *r,
					 SiddhiStateReader *parts, int nparts)
{
	window_section_restore(nw->window, nw->junction->desc, r, parts, nparts,
						   false);
	siddhi_state_expect_end(r);
}

/* The tuples a window holds, in its scan's order. */
typedef struct ScanList
{
	MinimalTuple *tuples;
	int n;
	int cap;
} ScanList;

static void
scan_collect(void *arg, SiddhiEventKind kind, MinimalTuple tuple, int64 ts)
{
	ScanList *l = arg;

	if (kind != SIDDHI_EVENT_CURRENT)
		return;
	if (l->n == l->cap)
	{
		l->cap = Max(l->cap * 2, 64);
		l->tuples = l->tuples
						? repalloc(l->tuples, sizeof(MinimalTuple) * l->cap)
						: palloc(sizeof(MinimalTuple) * l->cap);
	}
	l->tuples[l->n++] = tuple;
}

void
named_window_collect_state(SiddhiAppRuntime *app, SiddhiStateFn fn, void *arg,
						   StringInfo buf, StringInfo events)
{
	ListCell *lc;

	foreach(lc, app->windows)
	{
		NamedWindow *nw = lfirst(lc);

		if (!nw->st.dirty)
			continue;
		named_window_ids(nw);
		if (!siddhi_window_can_save(nw->window))
		{
			if (!nw->st.unsaveable_told)
				fn(arg, nw->st.key, nw->st.fp, NULL, 0, nw->plan->window->name,
				   0, NULL);
			nw->st.unsaveable_told = true;
			continue;
		}
		state_track_save(&nw->st, nw->window, named_window_serialize, nw, fn,
						 arg, buf, events);
	}
}

bool
named_window_restore_state(SiddhiAppRuntime *app, const char *key,
						   const char *fingerprint, const char *data, int len,
						   const SiddhiStatePart *parts, int nparts)
{
	ListCell *lc;

	foreach(lc, app->windows)
	{
		NamedWindow *nw = lfirst(lc);
		SiddhiStateReader r;
		SiddhiStateReader *pr;
		char *what;

		named_window_ids(nw);
		if (strcmp(nw->st.key, key) != 0)
			continue;
		if (strcmp(nw->st.fp, fingerprint) != 0 ||
			!siddhi_window_can_save(nw->window))
			return false;
		what = psprintf("window \"%s\" of app \"%s\"", nw->junction->name,
						app->name);
		pr = palloc(sizeof(SiddhiStateReader) * Max(nparts, 1));
		for (int i = 0; i < nparts; i++)
			siddhi_state_reader_init(&pr[i], parts[i].data, parts[i].len,
									 what);
		siddhi_state_reader_init(&r, data, len, what);
		named_window_restore(nw, &r, pr, nparts);
		/* its table was emptied as the app started: shown afresh */
		siddhi_mirror_invalidate(nw->mirror);
		pfree(pr);
		state_track_restored(&nw->st, nw->window, parts, nparts);
		return true;
	}
	return false;
}

/*
 * siddhi.state_roundtrip: the window goes to bytes (its events in a part
 * when it can, as a restart reads them) and back into a new window, which
 * takes the old one's place.
 */
void
named_window_roundtrip(NamedWindow *nw)
{
	StringInfoData buf;
	StringInfoData events;
	QueryStateParts parts = { 0 };
	SiddhiStateReader r;
	SiddhiStateReader pr;
	SiddhiWindow *old_window = nw->window;
	MemoryContext old = MemoryContextSwitchTo(nw->app->cxt);
	ScanList olds = { 0 };
	ScanList news = { 0 };
	char *key;

	if (!siddhi_window_can_save(old_window))
	{
		MemoryContextSwitchTo(old);
		return;
	}
	key = named_window_key(nw);
	initStringInfo(&buf);
	initStringInfo(&events);
	parts.want = true;
	parts.since = 0;
	parts.events = &events;
	named_window_serialize(nw, &buf, &parts);
	nw->window = siddhi_window_create(nw->plan->window, nw->app->cxt);
	siddhi_state_reader_init(&r, buf.data, buf.len, key);
	siddhi_state_reader_init(&pr, events.data, events.len, key);
	named_window_restore(nw, &r, &pr, parts.used ? 1 : 0);
	/* its table's rows are the same events, now the new window's tuples */
	siddhi_window_scan(old_window, scan_collect, &olds);
	siddhi_window_scan(nw->window, scan_collect, &news);
	if (olds.n == news.n)
		siddhi_mirror_rekey(nw->mirror, olds.tuples, news.tuples, olds.n);
	else
		siddhi_mirror_invalidate(nw->mirror);
	if (olds.tuples)
		pfree(olds.tuples);
	if (news.tuples)
		pfree(news.tuples);
	MemoryContextDelete(old_window->cxt);
	pfree(buf.data);
	pfree(events.data);
	pfree(key);
	MemoryContextSwitchTo(old);
}
