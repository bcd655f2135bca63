/*-------------------------------------------------------------------------
 *
 * window_mirror.c
 *	  The table that shows a named window's contents to plain SQL.
 *
 * A named window W is mirrored into an unlogged heap table W: an event
 * the window emits as current gets a row, the same event emitted as
 * expired (the same tuple pointer, see window.h) loses it.  Changes are
 * collected during a batch and written at its end, in the batch's
 * transaction, so a reader sees the window as it was at the end of some
 * batch: never older than the last batch the worker finished, which is at
 * most siddhi.naptime behind when events keep arriving.  An event that
 * arrives and leaves within one batch never touches the table.
 *
 * Every write runs as the app's owner, restricted, in the frame the
 * caller opened (usercode.c): a trigger the owner put on the table runs
 * as the owner, never as the worker's superuser.
 *
 * The table is emptied when the app starts, since a window starts empty.
 * Rows are deleted by their TID, so the table must not be written by
 * anyone else: a row someone else changed is skipped (and the mirror is
 * rebuilt from the window at the next batch), never an error.
 *
 * Memory: one TID per event in the window, and the batch's changes.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/heapam.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "executor/executor.h"
#include "executor/spi.h"
#include "siddhi/catalog.h"
#include "siddhi/window_mirror.h"
#include "utils/builtins.h"
#include "utils/hsearch.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"

typedef struct MirrorRow
{
	MinimalTuple key; /* the window's tuple pointer (hash key) */
	ItemPointerData tid;
} MirrorRow;

typedef struct MirrorChange
{
	MinimalTuple key;
	MinimalTuple copy;	 /* arrivals: the row to insert; NULL: a removal */
	ItemPointerData tid; /* removals: the row to delete */
	bool cancelled;		 /* an arrival that left in the same batch */
} MirrorChange;

struct SiddhiWindowMirror
{
	Oid relid;
	char *name;
	HTAB *rows;			/* rows in the table, by the window's pointer */
	HTAB *pending;		/* arrivals of this batch, by pointer */
	MemoryContext cxt;	/* the mirror's own */
	MemoryContext bcxt; /* changes of this batch */
	List *changes;		/* of MirrorChange *, in order */
	bool broken;		/* a write failed: rebuild at the next flush */
};

typedef struct PendingEntry
{
	MinimalTuple key;
	MirrorChange *change;
} PendingEntry;

static void
run_sql(const char *sql)
{
	bool pushed = false;

	if (!ActiveSnapshotSet())
	{
		PushActiveSnapshot(GetTransactionSnapshot());
		pushed = true;
	}
	/* as the window's owner (the caller's frame), pinned (catalog_spi.c) */
	SPI_connect();
	siddhi_catalog_spi(sql, 0, NULL, NULL, NULL, false, false);
	SPI_finish();
	if (pushed)
		PopActiveSnapshot();
}

/* A fresh table of the rows shown, by the window's tuple pointer. */
static HTAB *
new_rows_table(MemoryContext cxt)
{
	HASHCTL ctl;

	memset(&ctl, 0, sizeof(ctl));
	ctl.keysize = sizeof(MinimalTuple);
	ctl.entrysize = sizeof(MirrorRow);
	ctl.hcxt = cxt;
	return hash_create("siddhi window mirror rows", 256, &ctl,
					   HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
}

static void
clear_table(SiddhiWindowMirror *m)
{
	/* the engine's own write of a protected table (catalog/readonly.c) */
	siddhi_engine_writes_begin();
	PG_TRY();
	{
		run_sql(psprintf("DELETE FROM ONLY %s", m->name));
	}
	PG_FINALLY();
	{
		siddhi_engine_writes_end();
	}
	PG_END_TRY();
	hash_destroy(m->rows);
	m->rows = new_rows_table(m->cxt);
}

SiddhiWindowMirror *
siddhi_mirror_create(Oid relid, MemoryContext parent)
{
	MemoryContext cxt = AllocSetContextCreate(parent, "siddhi window mirror",
											  ALLOCSET_DEFAULT_SIZES);
	SiddhiWindowMirror *m = MemoryContextAllocZero(cxt, sizeof(*m));
	MemoryContext old = MemoryContextSwitchTo(cxt);

	m->relid = relid;
	m->cxt = cxt;
	m->bcxt = AllocSetContextCreate(cxt, "siddhi window mirror batch",
									ALLOCSET_DEFAULT_SIZES);
	m->name = quote_qualified_identifier(
		get_namespace_name(get_rel_namespace(relid)), get_rel_name(relid));
	m->rows = new_rows_table(cxt);
	siddhi_mirror_reset_pending(m);
	MemoryContextSwitchTo(old);
	clear_table(m);
	return m;
}

void
siddhi_mirror_arrive(SiddhiWindowMirror *m, MinimalTuple tuple)
{
	MemoryContext old = MemoryContextSwitchTo(m->bcxt);
	MirrorChange *c = palloc0(sizeof(MirrorChange));
	PendingEntry *pe;

	c->key = tuple;
	c->copy = heap_copy_minimal_tuple(tuple);
	m->changes = lappend(m->changes, c);
	pe = hash_search(m->pending, &tuple, HASH_ENTER, NULL);
	pe->change = c;
	MemoryContextSwitchTo(old);
}

void
siddhi_mirror_leave(SiddhiWindowMirror *m, MinimalTuple tuple)
{
	PendingEntry *pe = hash_search(m->pending, &tuple, HASH_FIND, NULL);
	MirrorRow *row;
	MemoryContext old;
	MirrorChange *c;

	if (pe)
	{
		/* arrived in this batch: it never reaches the table */
		pe->change->cancelled = true;
		hash_search(m->pending, &tuple, HASH_REMOVE, NULL);
		return;
	}
	row = hash_search(m->rows, &tuple, HASH_FIND, NULL);
	if (row == NULL)
		return; /* never shown (a batch not yet emitted) */
	old = MemoryContextSwitchTo(m->bcxt);
	c = palloc0(sizeof(MirrorChange));
	c->key = tuple;
	c->tid = row->tid;
	m->changes = lappend(m->changes, c);
	MemoryContextSwitchTo(old);
	hash_search(m->rows, &tuple, HASH_REMOVE, NULL);
}

static void
write_changes(SiddhiWindowMirror *m)
{
	Relation rel = table_open(m->relid, RowExclusiveLock);
	EState *estate = CreateExecutorState();
	ResultRelInfo *rri = makeNode(ResultRelInfo);
	TupleTableSlot *slot = table_slot_create(rel, NULL);
	CommandId cid = GetCurrentCommandId(true);
	ListCell *lc;

	InitResultRelInfo(rri, rel, 1, NULL, 0);
	ExecOpenIndices(rri, false);
	estate->es_output_cid = cid;

	/* removals first: their rows were written by earlier commands */
	foreach(lc, m->changes)
	{
		MirrorChange *c = lfirst(lc);
		TM_FailureData tmfd;

		if (c->copy != NULL)
			continue;
		if (heap_delete(rel, &c->tid, cid, InvalidSnapshot, true, &tmfd,
						false) != TM_Ok)
			m->broken = true;
	}
	foreach(lc, m->changes)
	{
		MirrorChange *c = lfirst(lc);
		MirrorRow *row;

		if (c->copy == NULL || c->cancelled)
			continue;
		ExecForceStoreMinimalTuple(c->copy, slot, false);
		table_tuple_insert(rel, slot, cid, 0, NULL);
		if (rri->ri_NumIndices > 0)
			list_free(ExecInsertIndexTuples(rri, slot, estate, false, false,
											NULL, NIL));
		row = hash_search(m->rows, &c->key, HASH_ENTER, NULL);
		row->tid = slot->tts_tid;
		ExecClearTuple(slot);
	}
	CommandCounterIncrement();
	ExecCloseIndices(rri);
	ExecDropSingleTupleTableSlot(slot);
	FreeExecutorState(estate);
	table_close(rel, NoLock);
}

void
siddhi_mirror_flush(SiddhiWindowMirror *m, SiddhiWindow *window)
{
	if (m->changes != NIL || m->broken)
	{
		if (m->broken)
		{
			/* someone else wrote the table: show the window afresh */
			m->broken = false;
			list_free(m->changes);
			m->changes = NIL;
			MemoryContextReset(m->bcxt);
			clear_table(m);
			siddhi_mirror_reset_pending(m);
			siddhi_window_scan(window, siddhi_mirror_scan_event, m);
		}
		write_changes(m);
	}
	m->changes = NIL;
	MemoryContextReset(m->bcxt);
	siddhi_mirror_reset_pending(m);
}

/* A write failed: show the window afresh at the next flush. */
void
siddhi_mirror_invalidate(SiddhiWindowMirror *m)
{
	m->broken = true;
	m->changes = NIL;
	MemoryContextReset(m->bcxt);
	siddhi_mirror_reset_pending(m);
}

void
siddhi_mirror_rekey(SiddhiWindowMirror *m, MinimalTuple *olds,
					MinimalTuple *news, int n)
{
	HTAB *rows = new_rows_table(m->cxt);

	for (int i = 0; i < n; i++)
	{
		MirrorRow *row = hash_search(m->rows, &olds[i], HASH_FIND, NULL);
		MirrorRow *moved;

		if (row == NULL)
			continue;
		moved = hash_search(rows, &news[i], HASH_ENTER, NULL);
		moved->tid = row->tid;
	}
	if (m->changes != NIL ||
		hash_get_num_entries(rows) != hash_get_num_entries(m->rows))
	{
		hash_destroy(rows);
		siddhi_mirror_invalidate(m);
		return;
	}
	hash_destroy(m->rows);
	m->rows = rows;
}

/* The pending arrivals live in the batch context: start a new table. */
void
siddhi_mirror_reset_pending(SiddhiWindowMirror *m)
{
	HASHCTL ctl;

	memset(&ctl, 0, sizeof(ctl));
	ctl.keysize = sizeof(MinimalTuple);
	ctl.entrysize = sizeof(PendingEntry);
	ctl.hcxt = m->bcxt;
	m->pending = hash_create("siddhi window mirror pending", 64, &ctl,
							 HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
}

/* siddhi_window_scan callback: every event held arrives afresh. */
void
siddhi_mirror_scan_event(void *arg, SiddhiEventKind kind, MinimalTuple tuple,
						 int64 timestamp)
{
	if (kind == SIDDHI_EVENT_CURRENT)
		siddhi_mirror_arrive((SiddhiWindowMirror *) arg, tuple);
}
