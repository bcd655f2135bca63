/*-------------------------------------------------------------------------
 *
 * table_sink.c
 *	  The batch and the table sinks: rows bound for tables, written at the
 *	  end of the batch (or before a table is read) as units of work; the
 *	  named windows' mirrors.
 *
 *-------------------------------------------------------------------------
 */
#include "runtime_int.h"

/* Batches since the worker started: privilege checks are made once each. */
uint64 batch_seq = 0;

/* Aggregations whose owner may not read their input, this batch. */
List *agg_read_denied = NIL;
List *agg_read_checked = NIL;

HTAB *sinks = NULL;
static List *dirty_sinks = NIL;

#define SINK_MULTI_INSERT 1000

static void (*batch_end_hook)(void) = NULL;

static bool sink_can_multi_insert(Relation rel, List *rows, int from);
static void sink_insert(Oid relid, List *rows, int from);
static void mirror_windows(void);
static void sink_count_out(List *rows);

void
siddhi_runtime_begin_batch(void)
{
	runtime_init();
	batch_seq++;
	agg_read_denied = agg_read_checked = NIL; /* were in batch_cxt */
	siddhi_batch_start();
	MemoryContextReset(batch_cxt);
	dirty_sinks = NIL;
}

/* An output row of q for its table: kept in the batch context until the
 * table is flushed (the batch's end, or before the table is read). */
void
sink_buffer(QueryRuntime *q, TupleTableSlot *out)
{
	TableSink *sink;
	bool found;
	TableRow *row;
	MemoryContext old = MemoryContextSwitchTo(batch_cxt);

	sink = hash_search(sinks, &q->table_relid, HASH_ENTER, &found);
	if (!found || sink->rows == NIL)
	{
		sink->rows = NIL;
		dirty_sinks = lappend_oid(dirty_sinks, q->table_relid);
	}
	row = palloc(sizeof(TableRow));
	row->query = q;
	row->tuple = ExecCopySlotMinimalTuple(out);
	sink->rows = lappend(sink->rows, row);
	MemoryContextSwitchTo(old);
}

/*
 * Can rows go in with table_multi_insert, as COPY does?  Not when BEFORE
 * ROW triggers or stored generated columns must see each row, nor into a
 * partitioned table, nor when rows come from apps of different owners.
 */
static bool
sink_can_multi_insert(Relation rel, List *rows, int from)
{
	Oid owner = InvalidOid;
	int i = 0;
	ListCell *lc;

	if (list_length(rows) - from < 2 ||
		rel->rd_rel->relkind != RELKIND_RELATION ||
		(rel->trigdesc && rel->trigdesc->trig_insert_before_row) ||
		(rel->rd_att->constr && rel->rd_att->constr->has_generated_stored))
		return false;
	foreach(lc, rows)
	{
		TableRow *row = lfirst(lc);

		if (i++ < from)
			continue;
		if (OidIsValid(owner) && row->query->owner != owner)
			return false;
		owner = row->query->owner;
	}
	return true;
}

static void
note_joins_of(List *queries, Oid relid, List **joins)
{
	ListCell *lc;

	foreach(lc, queries)
	{
		QueryRuntime *q = lfirst(lc);

		if (q->join && siddhi_join_notes_rows(q->join, relid))
			*joins = list_append_unique_ptr(*joins, q->join);
	}
}

/*
 * The joins that look rows of relid up through a cache of where each key's
 * row is: they are told where the rows written go (join/README.md).
 */
static List *
sink_noting_joins(Oid relid)
{
	List *joins = NIL;
	ListCell *la;
	ListCell *lp;

	foreach(la, all_apps)
	{
		SiddhiAppRuntime *app = lfirst(la);

		note_joins_of(app->queries, relid, &joins);
		foreach(lp, app->partitions)
			note_joins_of(((AppPartition *) lfirst(lp))->queries, relid,
						  &joins);
	}
	return joins;
}

static inline void
sink_note_row(List *joins, Relation rel, TupleTableSlot *slot)
{
	ListCell *lc;

	foreach(lc, joins)
		siddhi_join_note_row(lfirst(lc), rel, slot);
}

/*
 * Insert rows[from..] into a table, each as its query's owner: the rows
 * of one owner in a row form one trigger query, run in a frame of that
 * owner (usercode.c), so the triggers they fire run as the owner too.
 */
static void
sink_insert(Oid relid, List *rows, int from)
{
	Relation rel = table_open(relid, RowExclusiveLock);
	EState *estate = CreateExecutorState();
	RangeTblEntry *rte = makeNode(RangeTblEntry);
	ResultRelInfo *rri = makeNode(ResultRelInfo);
	int i = 0;
	ListCell *lc;
	int frame = -1;
	Oid checked_owner = InvalidOid;
	QueryRuntime *checked_query = NULL;
	bool multi = sink_can_multi_insert(rel, rows, from);
	TupleTableSlot *slots[SINK_MULTI_INSERT];
	int nslots = 0;
	int filled = 0;
	BulkInsertState bistate = multi ? GetBulkInsertState() : NULL;
	CommandId cid;
	TupleDesc slot_desc;
	List *joins = sink_noting_joins(relid);

	/*
	 * Rows go in as into a plain heap table: a partitioned table (one that
	 * existed before the deploy) would need them routed to its partitions,
	 * which this writer does not do; it fails the flush, not the engine.
	 */
	if (rel->rd_rel->relkind != RELKIND_RELATION)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("cannot insert into \"%s\": siddhi writes rows into "
						"plain tables only",
						RelationGetRelationName(rel)),
				 errdetail("It is a partitioned table."),
				 errhint("Write into one of its partitions, or into a plain "
						 "table.")));

	/*
	 * The slots use a copy of the table's descriptor, which is not
	 * reference-counted: slots on the relation's own would each pin it in
	 * the resource owner, whose list of pins is searched linearly as each
	 * is released (a tenth of the engine's time at 1,000 slots a flush).
	 */
	slot_desc = CreateTupleDescCopy(RelationGetDescr(rel));

	rte->rtekind = RTE_RELATION;
	rte->relid = relid;
	rte->relkind = rel->rd_rel->relkind;
	rte->rellockmode = RowExclusiveLock;
	ExecInitRangeTable(estate, list_make1(rte));
	InitResultRelInfo(rri, rel, 1, NULL, 0);
	estate->es_output_cid = cid = GetCurrentCommandId(true);
	ExecOpenIndices(rri, false);

	foreach(lc, rows)
	{
		TableRow *row = lfirst(lc);
		TupleTableSlot *slot;

		if (i++ < from)
			continue;
		/* privileges can change after deploy: check them as we write */
		if (row->query->owner != checked_owner)
		{
			if (pg_class_aclcheck(relid, row->query->owner, ACL_INSERT) !=
				ACLCHECK_OK)
				ereport(ERROR,
						(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
						 errmsg("permission denied to insert into \"%s\"",
								RelationGetRelationName(rel)),
						 errdetail("The app's owner no longer has the INSERT "
								   "privilege on it.")));
			checked_owner = row->query->owner;
			if (frame >= 0)
			{
				AfterTriggerEndQuery(estate);
				siddhi_usercode_leave(frame, true);
			}
			frame = siddhi_usercode_enter(checked_owner);
			AfterTriggerBeginQuery();
		}
		/* rows of the table's row type as the query was built for it */
		if (row->query != checked_query)
		{
			siddhi_check_sink_desc(rel,
								   row->query->out_slot->tts_tupleDescriptor);
			checked_query = row->query;
		}
		if (filled == nslots)
			slots[nslots++] = ExecAllocTableSlot(
				&estate->es_tupleTable, slot_desc, table_slot_callbacks(rel));
		slot = slots[filled++];
		ExecForceStoreMinimalTuple(row->tuple, slot, false);
		if (!multi)
		{
			/* a row a trigger skips has no place to note */
			ItemPointerSetInvalid(&slot->tts_tid);
			ExecSimpleRelationInsert(rri, estate, slot);
			sink_note_row(joins, rel, slot);
			filled = 0;
		}
		else
		{
			if (rel->rd_att->constr)
				ExecConstraints(rri, slot, estate);
			if (filled == SINK_MULTI_INSERT || lnext(rows, lc) == NULL)
			{
				table_multi_insert(rel, slots, filled, cid, 0, bistate);
				for (int k = 0; k < filled; k++)
				{
					List *recheck = NIL;

					if (rri->ri_NumIndices > 0)
						recheck = ExecInsertIndexTuples(
							rri, slots[k], estate, false, false, NULL, NIL);
					ExecARInsertTriggers(estate, rri, slots[k], recheck, NULL);
					list_free(recheck);
					sink_note_row(joins, rel, slots[k]);
				}
				filled = 0;
			}
		}
	}
	if (bistate)
		FreeBulkInsertState(bistate);
	if (frame >= 0)
	{
		AfterTriggerEndQuery(estate);
		siddhi_usercode_leave(frame, true);
	}
	list_free(joins);
	ExecCloseIndices(rri);
	ExecCloseResultRelations(estate); /* those the triggers opened */
	ExecResetTupleTable(estate->es_tupleTable, false);
	FreeExecutorState(estate);
	table_close(rel, NoLock);
}

/* Show what the named windows hold now in their tables. */
/* A named window's table catches up with it (siddhi_batch_run_unit's fn). */
static void
mirror_flush(void *arg)
{
	NamedWindow *nw = arg;

	siddhi_mirror_flush(nw->mirror, nw->window);
}

static void
mirror_windows(void)
{
	ListCell *la;

	foreach(la, all_apps)
	{
		SiddhiAppRuntime *app = lfirst(la);
		ListCell *lw;

		foreach(lw, app->windows)
		{
			NamedWindow *nw = lfirst(lw);
			ErrorData *edata;
			int64 unlogged;

			/* a unit of its own: a failure loses this mirror's writes */
			edata =
				siddhi_batch_run_unit(app->owner, mirror_flush, nw, batch_cxt);
			if (edata == NULL)
				continue;
			if (siddhi_error_log_due(&nw->errlog, &unlogged))
				ereport(LOG,
						(errcode(ERRCODE_SIDDHI_RUNTIME_ERROR),
						 errmsg("siddhi app \"%s\": could not show window "
								"\"%s\" in its table: %s",
								app->name, nw->junction->name, edata->message),
						 siddhi_errdetail_unlogged(unlogged)));
			FreeErrorData(edata);
			/* the mirror rebuilds itself at the next batch */
			siddhi_mirror_invalidate(nw->mirror);
		}
	}
}

/* Rows of a table's flush are written: count each as its query's out. */
static void
sink_count_out(List *rows)
{
	QueryRuntime *q = NULL;
	int64 n = 0;
	ListCell *lc;

	foreach(lc, rows)
	{
		TableRow *row = lfirst(lc);

		if (row->query != q)
		{
			if (q)
				siddhi_stats_count(q->stats, 0, n);
			q = row->query;
			n = 0;
		}
		n++;
	}
	if (q)
		siddhi_stats_count(q->stats, 0, n);
}

/*
 * Write the rows buffered for one table, as a unit of work of its own
 * (batch.c): a failure rolls back this table's rows only.  The rows are
 * then retried one by one, each its own unit, so only the failing rows are
 * skipped (and counted as errors of their queries).  A row counts as its
 * query's out once written.
 */
void
sink_flush(Oid relid)
{
	TableSink *sink;
	List *rows;
	MemoryContext mcxt = CurrentMemoryContext;
	Oid save_user;
	int save_sec;
	volatile bool done = false;
	ListCell *lc;
	int mark = siddhi_usercode_depth();

	if (sinks == NULL)
		return;
	sink = hash_search(sinks, &relid, HASH_FIND, NULL);
	if (sink == NULL || sink->rows == NIL)
		return;
	rows = sink->rows;
	sink->rows = NIL;

	GetUserIdAndSecContext(&save_user, &save_sec);
	siddhi_batch_isolate();
	PG_TRY();
	{
		sink_insert(relid, rows, 0);
		siddhi_batch_isolate();
		done = true;
	}
	PG_CATCH();
	{
		ErrorData *edata;

		siddhi_usercode_unwind(mark);
		edata = siddhi_batch_unit_failed(batch_cxt);
		SetUserIdAndSecContext(save_user, save_sec);
		MemoryContextSwitchTo(mcxt);
		FreeErrorData(edata); /* the rows' own errors are counted below */
	}
	PG_END_TRY();
	if (done)
	{
		sink_count_out(rows);
		return;
	}

	/* find the failing rows: one unit per row */
	foreach(lc, rows)
	{
		TableRow *row = lfirst(lc);
		volatile bool written = false;

		PG_TRY();
		{
			sink_insert(relid, list_make1(row), 0);
			siddhi_batch_isolate();
			written = true;
		}
		PG_CATCH();
		{
			siddhi_usercode_unwind(mark);
			query_failed(row->query, mcxt, save_user, save_sec);
		}
		PG_END_TRY();
		if (written)
			siddhi_stats_count(row->query->stats, 0, 1);
	}
}

/*
 * Write the rows queries buffered for a table before something reads it
 * (a join's lookup, an `in T` filter).
 */
void
siddhi_runtime_flush_table(Oid relid)
{
	if (OidIsValid(relid))
		sink_flush(relid);
}

void
siddhi_runtime_set_batch_end_hook(void (*fn)(void))
{
	batch_end_hook = fn;
}

void
siddhi_runtime_end_batch(void)
{
	ListCell *lc;

	if (batch_end_hook)
		batch_end_hook();
	foreach(lc, dirty_sinks)
		sink_flush(lfirst_oid(lc));
	dirty_sinks = NIL;
	mirror_windows();
	siddhi_incremental_flush_all();
	if (siddhi_state_roundtrip)
		query_state_roundtrip_all();
	siddhi_batch_end();
	MemoryContextReset(batch_cxt);
	agg_read_denied = agg_read_checked = NIL;
}
