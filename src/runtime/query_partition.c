/*-------------------------------------------------------------------------
 *
 * query_partition.c
 *	  The partition wrapper: the per-key state of a partition's
 *	  queries, swapped in before each key's step; time and deadlines for
 *	  every key.
 *
 *-------------------------------------------------------------------------
 */
#include "runtime_int.h"

static void partition_key_done(QueryRuntime *q, int64 now, int depth);

/*
 * Partitions.  A query of a partition has one QueryKeyState per key; to
 * process for a key, the state pointers of all the partition's queries
 * are set to the key's (a join's two sides, and the queries reading an
 * inner stream, then work on the same key), and set back afterwards to
 * those of the key that was being processed before (NULL when none): an
 * event of one key may cause, through an outer stream, the processing of
 * another.
 */

/* partition.c's make callback: query k's state for a new key. */
void *
partition_make_state(void *arg, int k, SiddhiPartInstance *inst)
{
	AppPartition *ap = arg;
	QueryRuntime *q = list_nth(ap->queries, k);
	QueryKeyState *ks;
	MemoryContext old = MemoryContextSwitchTo(inst->cxt);

	ks = palloc0(sizeof(QueryKeyState));
	for (int i = 0; i < QOP_COUNT; i++)
	{
		SiddhiOperator *op = &q->opers[i];

		if (op->ops)
			ks->states[i] = op->ops->state_create(op, inst->cxt);
	}
	MemoryContextSwitchTo(old);
	return ks;
}

/*
 * The epochs' mark (partition_state.c): q's state for the key changed, and
 * so did that of the runtimes sharing its work, a join's other side and
 * its main query (a side's event moves the main query's aggregators), a
 * pattern's main query (which holds the pattern its sides feed).
 */
void
partition_touch(QueryRuntime *q, SiddhiPartInstance *inst)
{
	uint64 gen = q->apart->gen;
	QueryRuntime *main = q->join_main	   ? q->join_main
						 : q->pattern_main ? q->pattern_main
										   : q;

	((QueryKeyState *) inst->states[q->part_index])->changed = gen;
	((QueryKeyState *) inst->states[main->part_index])->changed = gen;
	if (main->join_other)
		((QueryKeyState *) inst->states[main->join_other->part_index])
			->changed = gen;
}

/* Every query's state for the key changed (time passed with one due). */
void
partition_touch_all(AppPartition *ap, SiddhiPartInstance *inst)
{
	ListCell *lc;

	foreach(lc, ap->queries)
		((QueryKeyState *)
			 inst->states[((QueryRuntime *) lfirst(lc))->part_index])
			->changed = ap->gen;
}

void
partition_enter(AppPartition *ap, SiddhiPartInstance *inst)
{
	ListCell *lc;

	/* whatever it does next may move its deadlines */
	if (inst != NULL)
		partition_schedule_mark(ap, inst);
	if (ap->current == inst)
		return;
	foreach(lc, ap->queries)
	{
		QueryRuntime *q = lfirst(lc);
		QueryKeyState *ks = inst ? inst->states[q->part_index] : NULL;

		for (int i = 0; i < QOP_COUNT; i++)
		{
			SiddhiOperator *op = &q->opers[i];
			void *state = ks ? ks->states[i] : NULL;

			if (op->ops == NULL)
				continue;
			if (op->ops->state_set)
				op->ops->state_set(op, state);
			else
				*op->slot = state;
		}
	}
	ap->current = inst;
}

/*
 * After a query of a partition has run for one key, the end of its chunk;
 * what it sent goes out as the key's (an inner stream's readers run for
 * it).
 */
static void
partition_key_done(QueryRuntime *q, int64 now, int depth)
{
	if (q->window && siddhi_window_wants_input_end(q->window))
	{
		WindowEventArg wa = { q, depth };

		siddhi_window_input_end(q->window, now, window_event, &wa);
	}
	out_chunk_flush(query_owner(q));
}

/*
 * The end of the chunk a key of q has open (partition_event), if any:
 * what its selector waits for goes out.
 */
void
partition_chunk_end(QueryRuntime *q, int depth)
{
	SiddhiPartInstance *prev = q->apart->current;

	if (q->chunk_key == NULL)
		return;
	partition_enter(q->apart, q->chunk_key);
	q->chunk_key = NULL;
	query_chunk_end(q, depth);
	/* a batch() window emits what the key's chunk brought */
	partition_key_done(q, q->app->playback ? q->app->clock : siddhi_now_ms(),
					   depth);
	partition_enter(q->apart, prev);
}

/*
 * An event reaches a query of a partition: it is processed for each key
 * it has (partition.c), or, when it comes from a stream the partition
 * does not divide, for every key there is; from an inner stream, for the
 * key that sent it.  Each key's processing is a chunk of its own, but
 * for the events of a multi-event chunk (a named window's, or a query's
 * output chunk, out_chunk.c): there the events of one key that follow each
 * other make one chunk, the way Siddhi's partition receiver sends a key
 * its part of a chunk, so that an aggregating selector outputs once per
 * key; an inner stream's chunk is the key's.
 */
void
partition_event(QueryRuntime *q, TupleTableSlot *slot, int64 ts, int depth,
				SiddhiEventKind kind, bool end_chunk)
{
	AppPartition *ap = q->apart;
	SiddhiPartInstance *prev = ap->current;
	SiddhiPartInstance *keys[SIDDHI_MAX_RANGES];
	int64 now = q->app->playback ? q->app->clock : ts;
	uint64 ahead_hash = ap->ahead_hash;
	bool ahead = ap->ahead_valid;
	int n;

	ap->ahead_valid = false; /* this event's, whatever the way it goes */
	if (q->inner_input)
	{
		/* inserted into the inner stream from outside: it has no key */
		if (prev == NULL)
			return;
		partition_touch(q, prev);
		if (q->chunk_key != NULL && (end_chunk || q->chunk_key != prev))
			partition_chunk_end(q, depth);
		if (!end_chunk)
		{
			/* a chunk of the key's own query: it goes on */
			query_event(q, slot, ts, depth, kind, false);
			q->chunk_key = prev;
			return;
		}
		query_event(q, slot, ts, depth, kind, true);
		partition_key_done(q, now, depth);
		return;
	}
	/* one key's turn at a chunk of a stream not divided (below) */
	if (ap->only != NULL && ap->only_relid == q->input->relid)
	{
		if (q->chunk_key != NULL && q->chunk_key != ap->only)
			partition_chunk_end(q, depth);
		partition_touch(q, ap->only);
		partition_enter(ap, ap->only);
		query_event(q, slot, ts, depth, kind, false);
		q->chunk_key = ap->only;
		partition_enter(ap, prev);
		return;
	}
	q->econtext->ecxt_scantuple = slot;
	n = siddhi_partition_route(ap->rt, q->input->relid, q->econtext, now, keys,
							   ahead ? &ahead_hash : NULL);
	/* a key's run of a multi-event chunk: one chunk for it */
	if (q->chunk_key != NULL &&
		(n != 1 || end_chunk || q->chunk_key != keys[0]))
		partition_chunk_end(q, depth);
	if (n == 1 && !end_chunk)
	{
		partition_touch(q, keys[0]);
		partition_enter(ap, keys[0]);
		query_event(q, slot, ts, depth, kind, false);
		q->chunk_key = keys[0];
		partition_enter(ap, prev);
		return;
	}
	if (n < 0)
	{
		dlist_iter it;

		dlist_foreach(it, siddhi_partition_instances(ap->rt))
		{
			SiddhiPartInstance *inst =
				dlist_container(SiddhiPartInstance, node, it.cur);

			partition_touch(q, inst);
			partition_enter(ap, inst);
			query_event(q, slot, ts, depth, kind, true);
			partition_key_done(q, now, depth);
		}
	}
	for (int i = 0; i < n; i++)
	{
		partition_touch(q, keys[i]);
		partition_enter(ap, keys[i]);
		query_event(q, slot, ts, depth, kind, true);
		partition_key_done(q, now, depth);
	}
	partition_enter(ap, prev);
}

/*
 * A multi-event chunk of stream j, which the partition of qs[0..nq) does
 * not divide, for those of its queries that read j side by side: each
 * key there is takes the whole chunk in turn, row by row through the
 * queries, and then ends it for each (Siddhi's partition sends the chunk
 * to every key's instance).  Rows are numbered from base + 1; with kinds
 * each keeps its kind (a named window's).
 */
void
partition_chunk_every_key(QueryRuntime **qs, int nq, Junction *j,
						  PendingOut *rows, int n, TupleTableSlot *slot,
						  int depth, uint64 base, bool kinds)
{
	AppPartition *ap = qs[0]->apart;
	SiddhiPartInstance *save_only = ap->only;
	Oid save_relid = ap->only_relid;
	SiddhiPartInstance **keys;
	int nkeys = 0;
	dlist_iter it;

	/* the keys there are now (a key the chunk makes, through a loop, waits
	 * for the next chunk) */
	dlist_foreach(it, siddhi_partition_instances(ap->rt))
	{
		nkeys++;
	}
	/* (not in the subtransaction's memory: a step's failure frees it) */
	keys = MemoryContextAlloc(batch_cxt,
							  sizeof(SiddhiPartInstance *) * Max(nkeys, 1));
	nkeys = 0;
	dlist_foreach(it, siddhi_partition_instances(ap->rt))
	{
		keys[nkeys++] = dlist_container(SiddhiPartInstance, node, it.cur);
	}
	for (int k = 0; k < nkeys; k++)
	{
		ap->only = keys[k];
		ap->only_relid = j->relid;
		for (int i = 0; i < n; i++)
			for (int p = 0; p < nq; p++)
			{
				out_row_store(&rows[i], slot);
				siddhi_current_event_ts = rows[i].ts;
				j->event = base + i + 1;
				query_step(qs[p], STEP_EVENT, slot, rows[i].ts, depth,
						   ROW_KIND(rows[i], kinds), false);
			}
		ap->only = save_only;
		ap->only_relid = save_relid;
		for (int p = 0; p < nq; p++)
			query_step(qs[p], STEP_CHUNK_END, NULL, 0, depth,
					   SIDDHI_EVENT_CHUNK_END, false);
	}
	pfree(keys);
	/* each step counted its row in: a row reached each query once */
	for (int p = 0; p < nq; p++)
		siddhi_stats_count(qs[p]->stats, (int64) n - (int64) n * nkeys, 0);
}

/*
 * A key is released (@purge): its patterns go first, through
 * siddhi_pattern_free, so that the pattern program the keys share forgets
 * the events it points at (a later key's events may take their addresses);
 * each query's next save says it is gone (a tombstone, partition_state.c).
 */
static void
partition_key_released(void *arg, SiddhiPartInstance *inst)
{
	AppPartition *ap = arg;
	ListCell *lc;

	partition_schedule_forget(ap, inst);
	foreach(lc, ap->queries)
	{
		QueryRuntime *q = lfirst(lc);
		QueryKeyState *ks = inst->states[q->part_index];

		if (q->chunk_key == inst)
			q->chunk_key = NULL;
		partition_state_released(q, inst);
		for (int i = 0; ks && i < QOP_COUNT; i++)
		{
			SiddhiOperator *op = &q->opers[i];

			if (op->ops && op->ops->state_free && ks->states[i])
			{
				op->ops->state_free(op, ks->states[i]);
				ks->states[i] = NULL;
			}
		}
	}
}

/* Time passes for one key of a partition. */
static void
key_advance(AppPartition *ap, SiddhiPartInstance *inst, int64 now)
{
	uint64 before;
	uint64 after;
	int64 due = partition_key_deadline(ap, inst, &before);
	ListCell *lc;

	foreach(lc, ap->queries)
	{
		partition_enter(ap, inst);
		query_advance(lfirst(lc), now);
	}
	(void) partition_key_deadline(ap, inst, &after);
	if ((due >= 0 && due <= now) || after != before)
		partition_touch_all(ap, inst);
}

/*
 * Time passes for every key of a partition that has something due (for
 * every key, when a limiter may start); idle keys may go.  The epochs'
 * mark: a key with something due changed, and so did one whose deadlines
 * moved (a rate limiter starts its first period when time first passes);
 * one with nothing due and the same deadlines did not: its windows,
 * limiters and patterns act only at their deadlines.
 */
void
partition_advance(AppPartition *ap, int64 now)
{
	SiddhiPartInstance *prev = ap->current;

	if (ap->schedule)
	{
		/* the keys with something due (partition_schedule.c) */
		SiddhiPartInstance **keys;
		int n = partition_schedule_due(ap, now, &keys);

		for (int k = 0; k < n; k++)
			key_advance(ap, keys[k], now);
		pfree(keys);
		partition_enter(ap, prev);
	}
	else if (ap->timed)
	{
		dlist_iter it;

		dlist_foreach(it, siddhi_partition_instances(ap->rt))
		{
			key_advance(ap, dlist_container(SiddhiPartInstance, node, it.cur),
						now);
		}
		partition_enter(ap, prev);
	}
	if (prev == NULL)
		siddhi_partition_purge(ap->rt, now, partition_key_released, ap);
}

/* The earliest due time of a partition's keys' windows and limiters. */
int64
partition_deadline(AppPartition *ap)
{
	int64 next = siddhi_partition_purge_deadline(ap->rt);
	dlist_iter it;

	if (!ap->timed)
		return next;
	if (ap->schedule)
	{
		int64 due = partition_schedule_next(ap);

		if (due >= 0 && (next < 0 || due < next))
			next = due;
		return next;
	}
	dlist_foreach(it, siddhi_partition_instances(ap->rt))
	{
		int64 due = partition_key_deadline(
			ap, dlist_container(SiddhiPartInstance, node, it.cur), NULL);

		if (due >= 0 && (next < 0 || due < next))
			next = due;
	}
	return next;
}
