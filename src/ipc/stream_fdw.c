/*-------------------------------------------------------------------------
 *
 * stream_fdw.c
 *	  Streams are foreign tables of the siddhi_stream wrapper: INSERT and
 *	  COPY FROM append events, nothing is stored.
 *
 * Each row becomes a MinimalTuple (external TOAST values detoasted, as the
 * worker cannot follow pointers into another transaction's data) plus a
 * timestamp, appended to a chunk in backend-local memory.  A chunk holds
 * the rows of one stream and one (sub)transaction id; it goes to the ring
 * of this database when it is full, when the stream or the xid changes,
 * and at pre-commit.  The engine worker then processes a chunk only once
 * its transaction has committed (see ipc.h), so pushing before commit is
 * safe and keeps the memory of a large COPY bounded.
 *
 * A transaction that pushed anything ends with markers: PRECOMMIT (with
 * its last chunk, in one push, reserving room for one more marker), then
 * COMMIT carrying the end of its commit record, ABORT or PREPARED, pushed
 * from the xact callback into the reserved room: after the commit record
 * nothing may wait or fail.  src/worker/pending.c explains how the engine
 * turns these into commit order.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/detoast.h"
#include "access/reloptions.h"
#include "access/xact.h"
#include "access/xlog.h"
#include "commands/defrem.h"
#include "executor/executor.h"
#include "foreign/fdwapi.h"
#include "foreign/foreign.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "optimizer/pathnode.h"
#include "optimizer/planmain.h"
#include "siddhi/catalog.h"
#include "siddhi/depend.h"
#include "siddhi/errors.h"
#include "siddhi/ipc.h"
#include "siddhi/clock.h"
#include "siddhi/shmem.h"
#include "parser/parse_relation.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/timestamp.h"
#include "catalog/pg_type.h"
#include "utils/memutils.h"
#include "utils/rel.h"

/* The chunk being filled in this backend. */
static char *chunk_buf = NULL;
static Size chunk_cap = 0;
static Size chunk_len = 0;
static int chunk_slot = -1;
static bool pushed_in_xact = false;
static bool marker_reserved = false; /* PRECOMMIT pushed, room kept */
static bool engine_markers = false;	 /* the engine's: room kept for both */
static bool sync_in_xact = false;	 /* a synchronous_commit stream written */
static int chunk_nest = 0;			 /* transaction nest level of its rows */
static TransactionId xact_topxid = InvalidTransactionId;

typedef struct StreamModifyState
{
	Oid relid;
	AttrNumber event_time_att; /* 0: events are stamped on arrival */
	Oid event_time_type;
	TupleDesc tupdesc;
	uint32 desc_sig; /* stamped on its chunks */
	uint32 flags;	 /* SIDDHI_CHUNK_DURABLE */
	bool sync;		 /* WITH (synchronous_commit = on) */
	MemoryContext rowcxt;
	Datum *values;
	bool *nulls;
} StreamModifyState;

/*
 * The database slot of this backend's database.  Cached, but checked: a
 * slot is freed when the extension is dropped and may then go to another
 * database.
 */
static int
stream_slot(void)
{
	if (chunk_slot < 0 || siddhi_shared->dbs[chunk_slot].dboid != MyDatabaseId)
		chunk_slot = siddhi_db_slot(MyDatabaseId, true);
	return chunk_slot;
}

/*
 * Push a chunk of this transaction into the database's ring.  The engine
 * (a function or trigger it runs) pushes its rows as each statement ends
 * and may neither wait nor fail at its commit: its first push keeps the
 * room for its PRECOMMIT and end markers (push_precommit, push_end).
 */
static void
ring_push_chunk(const char *buf, Size len)
{
	SiddhiRing *ring = siddhi_ring_for_slot(chunk_slot);

	if (siddhi_in_engine && !engine_markers)
	{
		siddhi_ring_push_reserve(ring, buf, len, 2 * SIDDHI_MARKER_SIZE);
		engine_markers = true;
	}
	else
		siddhi_ring_push(ring, buf, len);
	pushed_in_xact = true;
}

static void
chunk_flush(void)
{
	SiddhiChunkHeader *hdr = (SiddhiChunkHeader *) chunk_buf;

	if (chunk_len == 0)
		return;
	hdr->length = chunk_len;
	if (hdr->flags & SIDDHI_CHUNK_DURABLE)
	{
		/*
		 * Staged rows belong to the subtransaction that writes them: rows
		 * of an enclosing level (a statement still running while a
		 * function it calls inserts in a subtransaction of its own) would
		 * vanish if that subtransaction rolled back.  Every statement
		 * stages its durable rows when it ends, so only that nesting is
		 * left, and it is refused.
		 */
		if (GetCurrentTransactionNestLevel() > chunk_nest)
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("cannot insert into a stream in a "
							"subtransaction while a statement of the "
							"enclosing transaction inserts into durable "
							"stream \"%s\"",
							get_rel_name(hdr->relid)),
					 errhint("Insert into the streams in separate "
							 "statements, or without an exception block in "
							 "between.")));
		siddhi_stage_chunk(chunk_buf, chunk_len);
	}
	ring_push_chunk(chunk_buf, chunk_len);
	chunk_len = 0;
}

/*
 * Room for need bytes in the session's chunk buffer.  The buffer and its
 * size change only once the allocation succeeded: they outlive the
 * statement, and a size recorded for a buffer that failed to grow would
 * let the next row write past the end of the old one.
 */
static void
chunk_reserve(Size need)
{
	Size cap;

	if (chunk_cap >= need)
		return;
	if (need > MaxAllocSize)
		ereport(ERROR, (errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
						errmsg("an event of %zu bytes is too large",
							   need - MAXALIGN(sizeof(SiddhiChunkHeader)))));
	if (chunk_buf == NULL)
	{
		cap = Max(need, SIDDHI_CHUNK_TARGET + 1024);
		chunk_buf = MemoryContextAlloc(TopMemoryContext, cap);
	}
	else
	{
		cap = Min(Max(need, chunk_cap * 2), MaxAllocSize);
		chunk_buf = repalloc(chunk_buf, cap);
	}
	chunk_cap = cap;
}

/*
 * The arrival time of an event, in ms.  Reading the clock for every row
 * of a large COPY is measurable, and rows that arrive within the same
 * millisecond share a timestamp anyway: read it at the start of every
 * statement and then every 64 rows.
 */
static int64 cached_time = 0; /* 0: read the clock; reset per statement */
static int cached_time_uses = 0;

static int64
event_time_now(void)
{
	if (siddhi_event_time_setting && siddhi_event_time_setting[0])
		return strtoll(siddhi_event_time_setting, NULL, 10);
	if (cached_time == 0 || ++cached_time_uses >= 64)
	{
		cached_time = siddhi_now_ms();
		cached_time_uses = 0;
	}
	return cached_time;
}

/*
 * An event's time: its event-time attribute when the stream declares one
 * (a long in ms, or a timestamp), else its arrival time.  An event whose
 * event-time attribute is null is stamped on arrival.
 */
static int64
event_time_of(StreamModifyState *st, TupleTableSlot *slot)
{
	int i = st->event_time_att - 1;
	int64 us;

	if (st->event_time_att <= 0 || slot->tts_isnull[i])
		return event_time_now();
	switch (st->event_time_type)
	{
		case INT8OID:
			return DatumGetInt64(slot->tts_values[i]);
		case INT4OID:
			return DatumGetInt32(slot->tts_values[i]);
		default:
			/* timestamp and timestamptz: microseconds since 2000-01-01 */
			us = DatumGetTimestamp(slot->tts_values[i]);
			return us / 1000 +
				   (int64) (POSTGRES_EPOCH_JDATE - UNIX_EPOCH_JDATE) *
					   SECS_PER_DAY * 1000;
	}
}

/* Append one row; starts a new chunk when stream or xid change. */
static void
chunk_append(Oid relid, uint32 desc_sig, uint32 flags, int64 timestamp,
			 TupleDesc desc, Datum *values, bool *nulls)
{
	TransactionId xid = GetCurrentTransactionId();
	SiddhiRowLayout layout;
	Size rowlen;
	SiddhiChunkHeader *hdr;

	/* the row is made in place in the chunk (row.c) */
	siddhi_row_layout(desc, values, nulls, &layout);
	rowlen = layout.row_len;
	if (chunk_len > 0)
	{
		hdr = (SiddhiChunkHeader *) chunk_buf;
		if (hdr->relid != relid || hdr->xid != xid ||
			hdr->desc_sig != desc_sig || hdr->flags != flags ||
			chunk_len + rowlen > SIDDHI_CHUNK_TARGET)
			chunk_flush();
	}
	if (chunk_len == 0)
	{
		chunk_slot = stream_slot();
		chunk_reserve(MAXALIGN(sizeof(SiddhiChunkHeader)) + rowlen);
		hdr = (SiddhiChunkHeader *) chunk_buf;
		memset(hdr, 0, sizeof(SiddhiChunkHeader));
		hdr->kind = SIDDHI_CHUNK_ROWS;
		hdr->nrows = 0;
		hdr->xid = xid;
		hdr->topxid = xact_topxid = GetTopTransactionId();
		hdr->relid = relid;
		hdr->desc_sig = desc_sig;
		hdr->flags = flags;
		chunk_nest = GetCurrentTransactionNestLevel();
		chunk_len = MAXALIGN(sizeof(SiddhiChunkHeader));
	}
	chunk_reserve(chunk_len + rowlen);
	hdr = (SiddhiChunkHeader *) chunk_buf;
	/*
	 * the alignment padding is zeroed: a durable stream's chunk is written
	 * to disk as it is (durable_stage.c), and no byte of it may be left
	 * over from whatever the buffer held before
	 */
	siddhi_row_write(chunk_buf + chunk_len, desc, values, nulls, timestamp,
					 &layout);
	chunk_len += rowlen;
	hdr->nrows++;
}

static void
fill_marker(SiddhiChunkHeader *m, SiddhiChunkKind kind)
{
	memset(m, 0, SIDDHI_MARKER_SIZE);
	m->length = SIDDHI_MARKER_SIZE;
	m->kind = kind;
	m->xid = m->topxid = xact_topxid;
	m->relid = InvalidOid;
}

/*
 * Pre-commit (or pre-prepare): the last chunk and the PRECOMMIT marker in
 * one push, keeping room for the marker that ends the transaction.
 */
static void
push_precommit(void)
{
	SiddhiChunkHeader *hdr;

	if (!pushed_in_xact && chunk_len == 0)
		return; /* no event in this transaction: nothing to say */
	if (siddhi_in_engine)
	{
		union
		{
			SiddhiChunkHeader hdr;
			char bytes[SIDDHI_MARKER_SIZE];
		} m;

		/*
		 * Every statement of the engine pushed its rows as it ended: rows
		 * still here are an aborted subtransaction's, and are dropped.
		 */
		chunk_len = 0;
		if (!pushed_in_xact)
			return;
		Assert(engine_markers);
		fill_marker(&m.hdr, SIDDHI_CHUNK_PRECOMMIT);
		(void) siddhi_ring_push_reserved(siddhi_ring_for_slot(chunk_slot),
										 m.bytes, SIDDHI_MARKER_SIZE);
		marker_reserved = true;
		return;
	}
	if (chunk_len > 0)
	{
		hdr = (SiddhiChunkHeader *) chunk_buf;
		hdr->length = chunk_len;
		if (hdr->flags & SIDDHI_CHUNK_DURABLE)
			siddhi_stage_chunk(chunk_buf, chunk_len);
	}
	chunk_reserve(chunk_len + SIDDHI_MARKER_SIZE);
	fill_marker((SiddhiChunkHeader *) (chunk_buf + chunk_len),
				SIDDHI_CHUNK_PRECOMMIT);
	siddhi_ring_push_reserve(siddhi_ring_for_slot(chunk_slot), chunk_buf,
							 chunk_len + SIDDHI_MARKER_SIZE,
							 SIDDHI_MARKER_SIZE);
	chunk_len = 0;
	pushed_in_xact = true;
	marker_reserved = true;
}

/*
 * The transaction ended.  Runs after the commit record: must not wait or
 * fail, hence the reserved room.  An abort before PRECOMMIT has no room
 * kept: its marker is pushed if there is room now, else the engine learns
 * of the abort from the commit log.
 */
static void
push_end(SiddhiChunkKind kind)
{
	union
	{
		SiddhiChunkHeader hdr;
		char bytes[SIDDHI_MARKER_SIZE];
	} m;

	/* the engine's room for both markers, PRECOMMIT never pushed */
	if (engine_markers && !marker_reserved)
		siddhi_ring_unreserve(siddhi_ring_for_slot(chunk_slot),
							  2 * SIDDHI_MARKER_SIZE);
	if (chunk_slot >= 0 && (marker_reserved || pushed_in_xact))
	{
		uint64 pos = 0;

		fill_marker(&m.hdr, kind);
		if (kind == SIDDHI_CHUNK_COMMIT)
			m.hdr.commit_lsn = XactLastCommitEnd;
		if (marker_reserved)
			pos = siddhi_ring_push_reserved(siddhi_ring_for_slot(chunk_slot),
											m.bytes, SIDDHI_MARKER_SIZE);
		else
			(void) siddhi_ring_try_push(siddhi_ring_for_slot(chunk_slot),
										m.bytes, SIDDHI_MARKER_SIZE);
		siddhi_wake_worker(chunk_slot);
		/* synchronous commit: until the engine has committed our results */
		if (kind == SIDDHI_CHUNK_COMMIT && marker_reserved &&
			(sync_in_xact || siddhi_synchronous_commit) && !siddhi_in_engine)
			siddhi_sync_commit_wait(chunk_slot, pos);
	}
	sync_in_xact = false;
	/* rows not yet pushed die with the transaction */
	chunk_len = 0;
	pushed_in_xact = false;
	marker_reserved = false;
	engine_markers = false;
	xact_topxid = InvalidTransactionId;
}

static void
stream_xact_callback(XactEvent event, void *arg)
{
	switch (event)
	{
		case XACT_EVENT_PRE_COMMIT:
		case XACT_EVENT_PARALLEL_PRE_COMMIT:
		case XACT_EVENT_PRE_PREPARE:
			push_precommit();
			break;
		case XACT_EVENT_COMMIT:
		case XACT_EVENT_PARALLEL_COMMIT:
			push_end(SIDDHI_CHUNK_COMMIT);
			break;
		case XACT_EVENT_PREPARE:
			push_end(SIDDHI_CHUNK_PREPARED);
			break;
		case XACT_EVENT_ABORT:
		case XACT_EVENT_PARALLEL_ABORT:
			push_end(SIDDHI_CHUNK_ABORT);
			break;
	}
}

void
siddhi_stream_xact_init(void)
{
	RegisterXactCallback(stream_xact_callback, NULL);
}

/* Planning: streams can be written, never read. */

static void
reject_read(Oid relid)
{
	char *name = get_rel_name(relid);

	ereport(ERROR, (errcode(ERRCODE_WRONG_OBJECT_TYPE),
					errmsg("cannot read from stream \"%s\"", name),
					errdetail("A stream holds no rows: its events flow to the "
							  "queries that read it."),
					errhint("To watch it, call siddhi.subscribe('%s') and "
							"then siddhi.poll('%s').",
							name, name)));
}

static void
stream_get_rel_size(PlannerInfo *root, RelOptInfo *baserel, Oid relid)
{
	CmdType cmd = root->parse->commandType;

	if ((cmd == CMD_UPDATE || cmd == CMD_DELETE || cmd == CMD_MERGE) &&
		root->parse->resultRelation == baserel->relid)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("streams accept only INSERT and COPY FROM"),
				 errdetail("\"%s\" is a stream: its events are not stored, so "
						   "they cannot be updated or deleted.",
						   get_rel_name(relid))));
	reject_read(relid);
}

static void
stream_get_paths(PlannerInfo *root, RelOptInfo *baserel, Oid relid)
{
	reject_read(relid);
}

static ForeignScan *
stream_get_plan(PlannerInfo *root, RelOptInfo *baserel, Oid relid,
				ForeignPath *best_path, List *tlist, List *scan_clauses,
				Plan *outer_plan)
{
	reject_read(relid);
	return NULL;
}

static void
stream_begin_scan(ForeignScanState *node, int eflags)
{
	reject_read(RelationGetRelid(node->ss.ss_currentRelation));
}

static TupleTableSlot *
stream_iterate(ForeignScanState *node)
{
	return NULL;
}

static void
stream_rescan(ForeignScanState *node)
{
}

static void
stream_end_scan(ForeignScanState *node)
{
}

static int
stream_updatable(Relation rel)
{
	return (1 << CMD_INSERT);
}

static List *
stream_plan_modify(PlannerInfo *root, ModifyTable *plan, Index resultRelation,
				   int subplan_index)
{
	if (plan->operation != CMD_INSERT)
		ereport(ERROR, (errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
						errmsg("streams accept only INSERT and COPY FROM")));
	if (plan->onConflictAction != ONCONFLICT_NONE)
		ereport(ERROR, (errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
						errmsg("ON CONFLICT is not supported for streams")));
	return NIL;
}

/*
 * A stream's own durable and synchronous_commit options (set by deploy
 * from WITH (..) or @durable), else the session's settings.
 */
static void
stream_durability(StreamModifyState *st, List *options)
{
	bool durable = siddhi_durable_streams;
	ListCell *lc;

	st->sync = false;
	foreach(lc, options)
	{
		DefElem *def = lfirst(lc);

		if (strcmp(def->defname, "durable") == 0)
			durable = defGetBoolean(def);
		else if (strcmp(def->defname, "synchronous_commit") == 0)
			st->sync = defGetBoolean(def);
	}
	st->flags = durable ? SIDDHI_CHUNK_DURABLE : 0;
}

static void
stream_begin(ResultRelInfo *rinfo)
{
	Relation rel = rinfo->ri_RelationDesc;
	StreamModifyState *st = palloc0(sizeof(StreamModifyState));
	int natts = RelationGetDescr(rel)->natts;

	siddhi_require_preload();
	cached_time = 0;
	st->relid = RelationGetRelid(rel);
	{
		ListCell *lc;

		foreach(lc, GetForeignTable(st->relid)->options)
		{
			DefElem *def = lfirst(lc);

			if (strcmp(def->defname, "event_time") == 0)
			{
				st->event_time_att =
					attnameAttNum(rel, defGetString(def), false);
				if (st->event_time_att <= 0)
					ereport(ERROR, (errcode(ERRCODE_UNDEFINED_COLUMN),
									errmsg("event-time attribute \"%s\" of "
										   "stream \"%s\" does not exist",
										   defGetString(def),
										   RelationGetRelationName(rel))));
				st->event_time_type = TupleDescAttr(RelationGetDescr(rel),
													st->event_time_att - 1)
										  ->atttypid;
			}
		}
	}
	stream_durability(st, GetForeignTable(st->relid)->options);
	st->tupdesc = RelationGetDescr(rel);
	st->desc_sig = siddhi_desc_signature(st->tupdesc);
	st->rowcxt = AllocSetContextCreate(
		CurrentMemoryContext, "siddhi stream row", ALLOCSET_SMALL_SIZES);
	st->values = palloc(sizeof(Datum) * natts);
	st->nulls = palloc(sizeof(bool) * natts);
	rinfo->ri_FdwState = st;
}

static void
stream_begin_modify(ModifyTableState *mtstate, ResultRelInfo *rinfo,
					List *fdw_private, int subplan_index, int eflags)
{
	if (eflags & EXEC_FLAG_EXPLAIN_ONLY)
		return;
	stream_begin(rinfo);
}

static void
stream_begin_insert(ModifyTableState *mtstate, ResultRelInfo *rinfo)
{
	stream_begin(rinfo);
}

static TupleTableSlot *
stream_exec_insert(EState *estate, ResultRelInfo *rinfo, TupleTableSlot *slot,
				   TupleTableSlot *planSlot)
{
	StreamModifyState *st = rinfo->ri_FdwState;
	MemoryContext old;
	int natts = st->tupdesc->natts;

	old = MemoryContextSwitchTo(st->rowcxt);
	slot_getallattrs(slot);
	for (int i = 0; i < natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(st->tupdesc, i);
		Datum v = slot->tts_values[i];

		st->nulls[i] = slot->tts_isnull[i];
		if (!st->nulls[i] && att->attlen == -1 &&
			VARATT_IS_EXTERNAL(DatumGetPointer(v)))
			v = PointerGetDatum(
				detoast_external_attr((struct varlena *) DatumGetPointer(v)));
		st->values[i] = v;
	}
	chunk_append(st->relid, st->desc_sig, st->flags, event_time_of(st, slot),
				 st->tupdesc, st->values, st->nulls);
	if (st->sync)
		sync_in_xact = true;
	MemoryContextSwitchTo(old);
	MemoryContextReset(st->rowcxt);
	return slot;
}

static void
stream_end_modify(EState *estate, ResultRelInfo *rinfo)
{
	/*
	 * A durable stream's rows are staged when the statement that inserted
	 * them ends, in its (sub)transaction: a SAVEPOINT or an exception
	 * block after it must not be where they are written.  The engine's
	 * rows go into the ring then too: no room is an error of the statement
	 * (of the query step that ran it), never of the batch's commit.
	 */
	if (chunk_len > 0 &&
		((((SiddhiChunkHeader *) chunk_buf)->flags & SIDDHI_CHUNK_DURABLE) ||
		 siddhi_in_engine))
		chunk_flush();
}

PG_FUNCTION_INFO_V1(siddhi_stream_fdw_handler);

Datum
siddhi_stream_fdw_handler(PG_FUNCTION_ARGS)
{
	FdwRoutine *r = makeNode(FdwRoutine);

	r->GetForeignRelSize = stream_get_rel_size;
	r->GetForeignPaths = stream_get_paths;
	r->GetForeignPlan = stream_get_plan;
	r->BeginForeignScan = stream_begin_scan;
	r->IterateForeignScan = stream_iterate;
	r->ReScanForeignScan = stream_rescan;
	r->EndForeignScan = stream_end_scan;
	r->IsForeignRelUpdatable = stream_updatable;
	r->PlanForeignModify = stream_plan_modify;
	r->BeginForeignModify = stream_begin_modify;
	r->ExecForeignInsert = stream_exec_insert;
	r->EndForeignModify = stream_end_modify;
	r->BeginForeignInsert = stream_begin_insert;
	r->EndForeignInsert = stream_end_modify;
	PG_RETURN_POINTER(r);
}

PG_FUNCTION_INFO_V1(siddhi_stream_fdw_validator);

Datum
siddhi_stream_fdw_validator(PG_FUNCTION_ARGS)
{
	List *options = untransformRelOptions(PG_GETARG_DATUM(0));
	ListCell *lc;

	foreach(lc, options)
	{
		DefElem *def = lfirst(lc);

		if (strcmp(def->defname, "durable") == 0 ||
			strcmp(def->defname, "synchronous_commit") == 0)
			(void) defGetBoolean(def); /* errors on a value not boolean */
		else if (strcmp(def->defname, "event_time") != 0)
			ereport(ERROR,
					(errcode(ERRCODE_FDW_INVALID_OPTION_NAME),
					 errmsg("invalid option \"%s\" for a siddhi stream",
							def->defname),
					 errhint("The options are \"event_time\", \"durable\" "
							 "and \"synchronous_commit\", set by "
							 "siddhi.deploy() from the app's declarations.")));
	}
	PG_RETURN_VOID();
}

PG_FUNCTION_INFO_V1(siddhi_advance_clock);

/*
 * siddhi.advance_clock(ms [, app]): move the clock of the playback apps of
 * this database that the caller may manage (of the one named app, which
 * the caller must be able to manage) to ms (never back), as if an event
 * of that time had arrived: time windows expire and flush what is due.
 * Travels through the ring like an event, so it keeps its place among the
 * events around it, and counts only if the transaction commits; the
 * worker moves only the apps the caller's role may manage.
 */
Datum
siddhi_advance_clock(PG_FUNCTION_ARGS)
{
	int64 ms;
	char buf[MAXALIGN(sizeof(SiddhiChunkHeader)) +
			 MAXALIGN(sizeof(SiddhiRowHeader)) +
			 MAXALIGN(sizeof(SiddhiClockRequest))];
	SiddhiChunkHeader *hdr = (SiddhiChunkHeader *) buf;
	SiddhiRowHeader *row =
		(SiddhiRowHeader *) (buf + MAXALIGN(sizeof(SiddhiChunkHeader)));
	SiddhiClockRequest *req =
		(SiddhiClockRequest *) ((char *) row +
								MAXALIGN(sizeof(SiddhiRowHeader)));

	siddhi_require_preload();
	if (PG_ARGISNULL(0))
		ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
						errmsg("the new time must not be null")));
	ms = PG_GETARG_INT64(0);
	/* the header's padding too: the chunk is copied whole into the ring */
	memset(buf, 0, sizeof(buf));
	req->userid = GetUserId();
	if (PG_NARGS() > 1 && !PG_ARGISNULL(1))
	{
		char *app = text_to_cstring(PG_GETARG_TEXT_PP(1));

		siddhi_check_may_manage_app(app);
		strlcpy(req->app, app, NAMEDATALEN);
	}
	chunk_flush();
	chunk_slot = stream_slot();
	hdr->length = sizeof(buf);
	hdr->kind = SIDDHI_CHUNK_ROWS;
	hdr->nrows = 1;
	hdr->xid = GetCurrentTransactionId();
	hdr->topxid = xact_topxid = GetTopTransactionId();
	hdr->relid = InvalidOid;
	hdr->desc_sig = 0;
	row->timestamp = ms;
	row->length = sizeof(SiddhiClockRequest);
	ring_push_chunk(buf, sizeof(buf));
	PG_RETURN_VOID();
}
