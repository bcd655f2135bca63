/*-------------------------------------------------------------------------
 *
 * topn.c
 *	  Streaming SQL's ORDER BY / LIMIT / OFFSET and DISTINCT over a
 *	  query's current contents.
 *
 * In SQL, ORDER BY .. LIMIT n asks for the top n rows of a relation; over
 * a window, that relation is what the window holds now.  The contents
 * are a multiset of output rows, keyed by their text (the output function
 * of each column): a current row adds one copy, an expired row removes
 * one.  An aggregating query keeps one row per group instead, keyed by
 * the group-by values, replaced by each newer row of the group and
 * removed when the group empties or its row fails HAVING.
 *
 * At the end of each step of the window (one arrival, one expiry, one
 * batch: the runtime's chunk end), when the contents changed:
 *   ORDER BY / LIMIT / OFFSET  the rows sorted (ties in the order the
 *          rows, or groups, first came), OFFSET skipped, LIMIT kept; they
 *          go out as one chunk of current events, stamped with the step's
 *          time, unless they are the same rows, in the same order, as the
 *          last time;
 *   DISTINCT alone  each row that is in the contents now and was not at
 *          the step's start goes out, once, in the order it came (a batch
 *          window: each distinct row of the new batch, the old batch
 *          having left first).
 * With DISTINCT and ORDER BY / LIMIT, each distinct row counts once.
 *
 * Memory: the contents hold what the window holds (one key per distinct
 * row, with its count), or one row per group (at most siddhi.max_groups).
 * Without a window the contents keep only OFFSET + LIMIT rows: a row
 * enters when it sorts before the last one held, which it evicts (the
 * analyzer refuses ORDER BY without LIMIT, and DISTINCT alone, without a
 * window).  Every sort key is computed once, when its row enters, so a
 * step costs O(k log k) for k rows held, and an arrival without a window
 * O(OFFSET + LIMIT).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "common/hashfn.h"
#include "executor/executor.h"
#include "nodes/nodeFuncs.h"
#include "siddhi/state.h"
#include "siddhi/topn.h"
#include "utils/datum.h"
#include "utils/hsearch.h"
#include "utils/lsyscache.h"
#include "utils/sortsupport.h"

typedef struct TopNKey
{
	const char *data;
	Size len;
} TopNKey;

typedef struct TopNEntry
{
	TopNKey key;   /* hash key: the row's text, or its group's key */
	char *rowtext; /* the row's text (grouped: its own copy) */
	Size rowlen;
	MinimalTuple row; /* the row (grouped: the group's newest) */
	Datum *sortkeys;  /* ORDER BY values of row */
	bool *sortnulls;
	int64 count;	  /* copies held (grouped: 1) */
	int64 prev_count; /* count at the step's start, when touched */
	bool touched;	  /* changed in this step */
	bool added;		  /* a batch window: a copy came in this step */
	uint64 seq;		  /* when it (or its group) first came */
	int64 ts;
} TopNEntry;

struct SiddhiTopN
{
	MemoryContext cxt;
	MemoryContext stepcxt; /* what one step's output needs, reset each step */
	bool emitting;		   /* inside chunk_end's emit calls */
	HTAB *entries;
	bool grouped;
	bool distinct;
	bool snapshot; /* ORDER BY, LIMIT or OFFSET: emit the top rows */
	bool batch;	   /* the window replaces its contents at each step */
	int64 limit;   /* -1: none */
	int64 offset;
	int64 bound; /* no window: rows kept (offset + limit), else -1 */
	int64 total; /* rows held (copies counted unless distinct) */
	int norder;
	ExprState **order_exprs;
	SortSupportData *order_ssup;
	int16 *order_typlen;
	bool *order_byval;
	Datum *tmp_keys; /* sort keys of the row being offered */
	bool *tmp_nulls;
	int natts;
	FmgrInfo *out; /* output function of each column */
	StringInfoData buf;
	TupleTableSlot *slot;
	uint64 next_seq;
	int64 step_ts;		 /* latest time offered in this step */
	TopNEntry **touched; /* entries changed in this step, in order */
	int ntouched;
	int touched_cap;
	char **last; /* text of the rows last emitted, in order */
	Size *lastlen;
	int nlast;
};

static uint32
topn_hash(const void *key, Size keysize)
{
	const TopNKey *k = key;

	return hash_bytes((const unsigned char *) k->data, (int) k->len);
}

static int
topn_match(const void *a, const void *b, Size keysize)
{
	const TopNKey *ka = a;
	const TopNKey *kb = b;

	if (ka->len != kb->len)
		return 1;
	return memcmp(ka->data, kb->data, ka->len);
}

/*
 * Whether window wp hands out a whole new contents at each step (its old
 * batch expired first, then the new one): DISTINCT then compares a row
 * with the rest of its batch only.
 */
static bool
topn_window_is_batch(SiddhiWindowPlan *wp)
{
	if (wp == NULL)
		return false;
	switch (wp->kind)
	{
		case SIDDHI_WINDOW_LENGTH_BATCH:
		case SIDDHI_WINDOW_TIME_BATCH:
		case SIDDHI_WINDOW_EXTERNAL_TIME_BATCH:
		case SIDDHI_WINDOW_BATCH:
		case SIDDHI_WINDOW_CRON:
		case SIDDHI_WINDOW_HOPPING:
		case SIDDHI_WINDOW_EXPRESSION_BATCH:
		case SIDDHI_WINDOW_UNIQUE_LENGTH_BATCH:
		case SIDDHI_WINDOW_UNIQUE_FIRST_LENGTH_BATCH:
		case SIDDHI_WINDOW_UNIQUE_TIME_BATCH:
		case SIDDHI_WINDOW_UNIQUE_FIRST_TIME_BATCH:
		case SIDDHI_WINDOW_UNIQUE_TIME_LENGTH_BATCH:
		case SIDDHI_WINDOW_UNIQUE_EXTERNAL_TIME_BATCH:
			return true;
		default:
			return false;
	}
}

SiddhiTopN *
siddhi_topn_create(SiddhiQueryPlan *qp, TupleDesc desc, bool grouped,
				   MemoryContext parent)
{
	MemoryContext cxt = AllocSetContextCreate(parent, "siddhi topn",
											  ALLOCSET_START_SMALL_SIZES);
	MemoryContext old = MemoryContextSwitchTo(cxt);
	SiddhiTopN *t = palloc0(sizeof(SiddhiTopN));
	HASHCTL ctl;
	ListCell *le, *lo, *ln;
	int k = 0;

	t->cxt = cxt;
	t->stepcxt =
		AllocSetContextCreate(cxt, "siddhi topn step", ALLOCSET_SMALL_SIZES);
	t->grouped = grouped;
	t->distinct = qp->distinct;
	t->snapshot = qp->order_by != NIL || qp->limit >= 0 || qp->offset > 0;
	t->batch = topn_window_is_batch(qp->window);
	t->limit = qp->limit;
	t->offset = Max(qp->offset, 0);
	/* no window of its own, and not reading a named one: the whole stream */
	t->bound = (qp->window == NULL && qp->input->kind != SIDDHI_REL_WINDOW &&
				!grouped && t->snapshot && t->limit >= 0)
				   ? t->offset + t->limit
				   : -1;
	memset(&ctl, 0, sizeof(ctl));
	ctl.keysize = sizeof(TopNKey);
	ctl.entrysize = sizeof(TopNEntry);
	ctl.hash = topn_hash;
	ctl.match = topn_match;
	ctl.hcxt = cxt;
	t->entries =
		hash_create("siddhi topn", 64, &ctl,
					HASH_ELEM | HASH_FUNCTION | HASH_COMPARE | HASH_CONTEXT);

	t->norder = list_length(qp->order_by);
	t->order_exprs = palloc0(sizeof(ExprState *) * Max(t->norder, 1));
	t->order_ssup = palloc0(sizeof(SortSupportData) * Max(t->norder, 1));
	t->order_typlen = palloc0(sizeof(int16) * Max(t->norder, 1));
	t->order_byval = palloc0(sizeof(bool) * Max(t->norder, 1));
	t->tmp_keys = palloc0(sizeof(Datum) * Max(t->norder, 1));
	t->tmp_nulls = palloc0(sizeof(bool) * Max(t->norder, 1));
	forthree(le, qp->order_by, lo, qp->order_ops, ln, qp->order_nulls_first)
	{
		SortSupport ss = &t->order_ssup[k];

		t->order_exprs[k] = ExecInitExpr(lfirst(le), NULL);
		get_typlenbyval(exprType(lfirst(le)), &t->order_typlen[k],
						&t->order_byval[k]);
		ss->ssup_cxt = cxt;
		ss->ssup_collation = exprCollation(lfirst(le));
		ss->ssup_nulls_first = lfirst_int(ln) != 0;
		PrepareSortSupportFromOrderingOp(lfirst_oid(lo), ss);
		k++;
	}
	t->natts = desc->natts;
	t->out = palloc0(sizeof(FmgrInfo) * Max(desc->natts, 1));
	for (int i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, i);
		Oid outfn;
		bool varlena;

		if (att->attisdropped)
			continue;
		getTypeOutputInfo(att->atttypid, &outfn, &varlena);
		fmgr_info_cxt(outfn, &t->out[i], cxt);
	}
	initStringInfo(&t->buf);
	t->slot = MakeSingleTupleTableSlot(CreateTupleDescCopy(desc),
									   &TTSOpsMinimalTuple);
	MemoryContextSwitchTo(old);
	return t;
}

/* The text of row (each column's text, NUL-ended; \x01 for null) in buf. */
static void
topn_row_text(SiddhiTopN *t, TupleTableSlot *row)
{
	resetStringInfo(&t->buf);
	slot_getallattrs(row);
	for (int i = 0; i < t->natts; i++)
	{
		if (TupleDescAttr(row->tts_tupleDescriptor, i)->attisdropped)
			continue;
		if (row->tts_isnull[i])
			appendStringInfoChar(&t->buf, '\x01');
		else
			appendStringInfoString(
				&t->buf, OutputFunctionCall(&t->out[i], row->tts_values[i]));
		appendStringInfoChar(&t->buf, '\0');
	}
}

/* Order of two rows by their sort keys, then by when they came. */
static int
topn_compare(SiddhiTopN *t, const Datum *ka, const bool *na, uint64 sa,
			 const Datum *kb, const bool *nb, uint64 sb)
{
	for (int k = 0; k < t->norder; k++)
	{
		int c =
			ApplySortComparator(ka[k], na[k], kb[k], nb[k], &t->order_ssup[k]);

		if (c != 0)
			return c;
	}
	return sa < sb ? -1 : sa > sb ? 1 : 0;
}

/* Note that e changes in this step (its count at the start kept). */
static void
topn_touch(SiddhiTopN *t, TopNEntry *e)
{
	if (e->touched)
		return;
	e->touched = true;
	e->prev_count = e->count;
	if (t->ntouched == t->touched_cap)
	{
		int cap = Max(16, t->touched_cap * 2);

		t->touched =
			t->touched ? repalloc(t->touched, sizeof(TopNEntry *) * cap)
					   : MemoryContextAlloc(t->cxt, sizeof(TopNEntry *) * cap);
		t->touched_cap = cap;
	}
	t->touched[t->ntouched++] = e;
}

/* Set e's row (and sort keys) to row, whose keys are in tmp_keys. */
static void
topn_set_row(SiddhiTopN *t, TopNEntry *e, TupleTableSlot *row)
{
	MemoryContext old = MemoryContextSwitchTo(t->cxt);

	if (e->row)
		pfree(e->row);
	e->row = ExecCopySlotMinimalTuple(row);
	if (e->sortkeys == NULL)
	{
		e->sortkeys = palloc0(sizeof(Datum) * Max(t->norder, 1));
		e->sortnulls = palloc0(sizeof(bool) * Max(t->norder, 1));
	}
	for (int k = 0; k < t->norder; k++)
	{
		if (!e->sortnulls[k] && !t->order_byval[k] && e->sortkeys[k])
			pfree(DatumGetPointer(e->sortkeys[k]));
		e->sortnulls[k] = t->tmp_nulls[k];
		e->sortkeys[k] = t->tmp_nulls[k]
							 ? (Datum) 0
							 : datumCopy(t->tmp_keys[k], t->order_byval[k],
										 t->order_typlen[k]);
	}
	if (t->grouped)
	{
		if (e->rowtext)
			pfree(e->rowtext);
		e->rowtext = palloc(t->buf.len);
		memcpy(e->rowtext, t->buf.data, t->buf.len);
		e->rowlen = t->buf.len;
	}
	MemoryContextSwitchTo(old);
}

/* The entry of key, made (count 0) when new. */
static TopNEntry *
topn_entry(SiddhiTopN *t, const char *data, Size len)
{
	TopNKey key = { data, len };
	bool found;
	TopNEntry *e = hash_search(t->entries, &key, HASH_ENTER, &found);

	if (!found)
	{
		char *copy = MemoryContextAlloc(t->cxt, Max(len, 1));

		memcpy(copy, data, len);
		e->key.data = copy;
		e->key.len = len;
		e->rowtext = t->grouped ? NULL : copy;
		e->rowlen = t->grouped ? 0 : len;
		e->row = NULL;
		e->sortkeys = NULL;
		e->sortnulls = NULL;
		e->count = 0;
		e->prev_count = 0;
		e->touched = false;
		e->added = false;
		e->seq = t->next_seq++;
		e->ts = 0;
	}
	return e;
}

/* Free e and remove it. */
static void
topn_remove(SiddhiTopN *t, TopNEntry *e)
{
	TopNKey key = e->key;

	if (e->row)
		pfree(e->row);
	if (e->sortkeys)
	{
		for (int k = 0; k < t->norder; k++)
			if (!e->sortnulls[k] && !t->order_byval[k])
				pfree(DatumGetPointer(e->sortkeys[k]));
		pfree(e->sortkeys);
		pfree(e->sortnulls);
	}
	if (t->grouped && e->rowtext)
		pfree(e->rowtext);
	hash_search(t->entries, &key, HASH_REMOVE, NULL);
	pfree((char *) key.data);
}

/* Without a window: the row held that sorts last, or NULL. */
static TopNEntry *
topn_worst(SiddhiTopN *t)
{
	HASH_SEQ_STATUS hs;
	TopNEntry *e = NULL;
	TopNEntry *worst = NULL;

	hash_seq_init(&hs, t->entries);
	while ((e = hash_seq_search(&hs)) != NULL)
	{
		if (e->count <= 0)
			continue;
		if (worst == NULL ||
			topn_compare(t, e->sortkeys, e->sortnulls, e->seq, worst->sortkeys,
						 worst->sortnulls, worst->seq) > 0)
			worst = e;
	}
	return worst;
}

static void
topn_offer(SiddhiTopN *t, ExprContext *econtext, TupleTableSlot *row, int64 ts,
		   SiddhiEventKind kind, const char *key, Size keylen, bool gone)
{
	TopNEntry *e = NULL;

	t->step_ts = ts;
	if (t->grouped)
	{
		e = topn_entry(t, key, keylen);
		topn_touch(t, e);
		if (row == NULL || gone)
		{
			if (e->count > 0)
				t->total--;
			e->count = 0;
			return;
		}
	}
	else
	{
		topn_row_text(t, row);
		if (kind == SIDDHI_EVENT_EXPIRED)
		{
			TopNKey k = { t->buf.data, t->buf.len };

			e = hash_search(t->entries, &k, HASH_FIND, NULL);
			if (e == NULL || e->count == 0)
				return; /* never held: it did not enter, or was evicted */
			topn_touch(t, e);
			e->count--;
			if (!t->distinct || e->count == 0)
				t->total--;
			return;
		}
	}

	/* a current row: its sort keys, as of now */
	econtext->ecxt_scantuple = row;
	for (int k = 0; k < t->norder; k++)
		t->tmp_keys[k] =
			ExecEvalExpr(t->order_exprs[k], econtext, &t->tmp_nulls[k]);

	if (t->grouped)
	{
		topn_row_text(t, row); /* what says whether the row changed */
		if (e->count == 0)
			t->total++;
		e->count = 1;
		e->ts = ts;
		topn_set_row(t, e, row);
		return;
	}

	if (t->bound >= 0)
	{
		TopNKey k = { t->buf.data, t->buf.len };
		TopNEntry *have = hash_search(t->entries, &k, HASH_FIND, NULL);

		if (t->distinct && have && have->count > 0)
			return; /* held already: nothing changes */
		if (t->total >= t->bound)
		{
			/* it enters only if it sorts before the last row held */
			TopNEntry *worst = topn_worst(t);

			if (worst == NULL ||
				topn_compare(t, t->tmp_keys, t->tmp_nulls, t->next_seq,
							 worst->sortkeys, worst->sortnulls,
							 worst->seq) >= 0)
				return;
			topn_touch(t, worst);
			worst->count--;
			if (!t->distinct || worst->count == 0)
				t->total--;
		}
	}
	e = topn_entry(t, t->buf.data, t->buf.len);
	topn_touch(t, e);
	if (t->batch && !e->added)
	{
		/* DISTINCT per batch: the old batch (expired first) counts not */
		e->prev_count = e->count;
		e->added = true;
	}
	if (!t->distinct || e->count == 0)
		t->total++;
	if (e->count == 0)
		e->ts = ts; /* DISTINCT stamps a row with its first copy's time */
	e->count++;
	if (e->row == NULL)
		topn_set_row(t, e, row);
}

/*
 * The text and sort keys of a row are made in the step's context, which
 * the step's end resets: what a step offers costs memory until then only.
 */
void
siddhi_topn_offer(SiddhiTopN *t, ExprContext *econtext, TupleTableSlot *row,
				  int64 ts, SiddhiEventKind kind, const char *key, Size keylen,
				  bool gone)
{
	MemoryContext old = MemoryContextSwitchTo(t->stepcxt);

	topn_offer(t, econtext, row, ts, kind, key, keylen, gone);
	MemoryContextSwitchTo(old);
}

static int
topn_entry_cmp(const void *a, const void *b, void *arg)
{
	SiddhiTopN *t = arg;
	const TopNEntry *ea = *(TopNEntry *const *) a;
	const TopNEntry *eb = *(TopNEntry *const *) b;

	return topn_compare(t, ea->sortkeys, ea->sortnulls, ea->seq, eb->sortkeys,
						eb->sortnulls, eb->seq);
}

void
siddhi_topn_chunk_end(SiddhiTopN *t, SiddhiTopNEmit emit, void *arg)
{
	TopNEntry **out = NULL;
	int64 *outts = NULL;
	int nout = 0;
	bool changed = false;
	MemoryContext old;

	if (t->ntouched == 0)
		return;
	/* a loop of queries back into this one must not free what goes out */
	if (!t->emitting)
		MemoryContextReset(t->stepcxt);
	old = MemoryContextSwitchTo(t->stepcxt);

	if (!t->snapshot)
	{
		/* DISTINCT: the rows that were not held at the step's start */
		out = palloc(sizeof(TopNEntry *) * t->ntouched);
		for (int i = 0; i < t->ntouched; i++)
		{
			TopNEntry *e = t->touched[i];

			if (e->prev_count == 0 && e->count > 0)
				out[nout++] = e;
		}
		changed = nout > 0;
	}
	else
	{
		HASH_SEQ_STATUS hs;
		TopNEntry *e;
		TopNEntry **all = palloc(sizeof(TopNEntry *) *
								 Max(hash_get_num_entries(t->entries), 1));
		int nall = 0;
		int64 first = t->offset;
		int64 rows = 0;

		hash_seq_init(&hs, t->entries);
		while ((e = hash_seq_search(&hs)) != NULL)
			if (e->count > 0)
				all[nall++] = e;
		qsort_arg(all, nall, sizeof(TopNEntry *), topn_entry_cmp, t);
		/* the slice [offset, offset + limit) of the sorted rows */
		for (int i = 0; i < nall; i++)
			rows += t->distinct ? 1 : all[i]->count;
		rows = Max(rows - first, 0);
		if (t->limit >= 0)
			rows = Min(rows, t->limit);
		out = palloc(sizeof(TopNEntry *) * Max(rows, 1));
		for (int i = 0, skip = 0; i < nall && nout < rows; i++)
		{
			int64 copies = t->distinct ? 1 : all[i]->count;

			for (int64 c = 0; c < copies && nout < rows; c++)
			{
				if (skip < first)
				{
					skip++;
					continue;
				}
				out[nout++] = all[i];
			}
		}
		pfree(all);
		/* out only when the rows differ from the last ones sent */
		changed = nout != t->nlast;
		for (int i = 0; !changed && i < nout; i++)
			changed = out[i]->rowlen != t->lastlen[i] ||
					  memcmp(out[i]->rowtext, t->last[i], t->lastlen[i]) != 0;
		if (changed)
		{
			MemoryContextSwitchTo(t->cxt);

			for (int i = 0; i < t->nlast; i++)
				pfree(t->last[i]);
			if (t->last)
			{
				pfree(t->last);
				pfree(t->lastlen);
			}
			t->last = palloc(sizeof(char *) * Max(nout, 1));
			t->lastlen = palloc(sizeof(Size) * Max(nout, 1));
			for (int i = 0; i < nout; i++)
			{
				t->last[i] = palloc(Max(out[i]->rowlen, 1));
				memcpy(t->last[i], out[i]->rowtext, out[i]->rowlen);
				t->lastlen[i] = out[i]->rowlen;
			}
			t->nlast = nout;
			MemoryContextSwitchTo(t->stepcxt);
		}
	}

	/*
	 * Copy what goes out, then forget the step (emitting runs other
	 * queries, which may fail): entries that hold nothing are released.
	 */
	{
		MinimalTuple *rows = palloc(sizeof(MinimalTuple) * Max(nout, 1));

		outts = palloc(sizeof(int64) * Max(nout, 1));
		for (int i = 0; i < nout; i++)
		{
			rows[i] = heap_copy_minimal_tuple(out[i]->row);
			outts[i] = t->snapshot ? t->step_ts : out[i]->ts;
		}
		for (int i = 0; i < t->ntouched; i++)
		{
			TopNEntry *e = t->touched[i];

			e->touched = false;
			e->added = false;
			if (e->count <= 0)
				topn_remove(t, e);
		}
		t->ntouched = 0;
		MemoryContextSwitchTo(old);
		if (!changed)
			return;
		t->emitting = true;
		PG_TRY();
		{
			for (int i = 0; i < nout; i++)
			{
				ExecStoreMinimalTuple(rows[i], t->slot, false);
				emit(arg, t->slot, outts[i]);
				ExecClearTuple(t->slot);
			}
		}
		PG_FINALLY();
		{
			t->emitting = false;
		}
		PG_END_TRY();
	}
}

/*
 * Epochs.  Between steps nothing is touched; what lasts is each entry (its
 * key, row text when grouped, row, sort keys, copies, arrival number and
 * time), the next arrival number, the step's time, the rows held and the
 * rows last sent (a snapshot goes out only when they change).  The
 * entries' order in the table matters not: rows sort by their keys, then
 * by arrival number.
 */
void
siddhi_topn_serialize(SiddhiTopN *t, StringInfo buf)
{
	HASH_SEQ_STATUS hs;
	TopNEntry *e;

	Assert(t->ntouched == 0);
	siddhi_state_put_int64(buf, (int64) t->next_seq);
	siddhi_state_put_int64(buf, t->step_ts);
	siddhi_state_put_int64(buf, t->total);
	siddhi_state_put_int64(buf, hash_get_num_entries(t->entries));
	hash_seq_init(&hs, t->entries);
	while ((e = hash_seq_search(&hs)) != NULL)
	{
		siddhi_state_put_bytes(buf, e->key.data, (int) e->key.len);
		if (t->grouped)
			siddhi_state_put_bytes(buf, e->rowtext, (int) e->rowlen);
		siddhi_state_put_bool(buf, e->row != NULL);
		if (e->row)
		{
			siddhi_state_put_tuple(buf, e->row);
			for (int k = 0; k < t->norder; k++)
				siddhi_state_put_datum(buf, e->sortkeys[k], e->sortnulls[k],
									   t->order_typlen[k], t->order_byval[k]);
		}
		siddhi_state_put_int64(buf, e->count);
		siddhi_state_put_int64(buf, (int64) e->seq);
		siddhi_state_put_int64(buf, e->ts);
	}
	siddhi_state_put_int64(buf, t->nlast);
	for (int i = 0; i < t->nlast; i++)
		siddhi_state_put_bytes(buf, t->last[i], (int) t->lastlen[i]);
}

/* A saved entry: at least its key's length, a flag and three numbers. */
#define SAVED_ENTRY_MIN ((int) sizeof(int32) + 1 + 3 * (int) sizeof(int64))

void
siddhi_topn_restore(SiddhiTopN *t, SiddhiStateReader *r)
{
	MemoryContext old;
	int64 n;
	uint64 next_seq;

	Assert(hash_get_num_entries(t->entries) == 0 && t->nlast == 0);
	next_seq = (uint64) siddhi_state_get_int64(r);
	t->step_ts = siddhi_state_get_int64(r);
	t->total = siddhi_state_get_int64(r);
	n = siddhi_state_get_count(r, SAVED_ENTRY_MIN);
	for (int64 i = 0; i < n; i++)
	{
		int len;
		const char *key = siddhi_state_get_bytes(r, &len);
		long before = hash_get_num_entries(t->entries);
		TopNEntry *e = topn_entry(t, key, len);

		if (hash_get_num_entries(t->entries) == before)
			siddhi_state_corrupt(r, "A row of the contents is there twice");
		old = MemoryContextSwitchTo(t->cxt);
		if (t->grouped)
		{
			const char *text = siddhi_state_get_bytes(r, &len);

			e->rowtext = palloc(Max(len, 1));
			memcpy(e->rowtext, text, len);
			e->rowlen = len;
		}
		if (siddhi_state_get_bool(r))
		{
			e->row = siddhi_state_get_tuple(r, t->cxt);
			e->sortkeys = palloc0(sizeof(Datum) * Max(t->norder, 1));
			e->sortnulls = palloc(sizeof(bool) * Max(t->norder, 1));
			/* nulls until read: a damaged state frees no key it lacks */
			memset(e->sortnulls, true, sizeof(bool) * Max(t->norder, 1));
			for (int k = 0; k < t->norder; k++)
			{
				bool isnull;
				Datum d = siddhi_state_get_datum(
					r, &isnull, t->order_typlen[k], t->order_byval[k], t->cxt);

				e->sortkeys[k] = d;
				e->sortnulls[k] = isnull;
			}
		}
		MemoryContextSwitchTo(old);
		e->count = siddhi_state_get_int64(r);
		e->seq = (uint64) siddhi_state_get_int64(r);
		e->ts = siddhi_state_get_int64(r);
		if (e->count < 0 || (e->count > 0 && e->row == NULL) ||
			e->seq >= next_seq)
			siddhi_state_corrupt(r, "A row of the contents is out of range");
	}
	t->next_seq = next_seq; /* topn_entry counted the entries made */
	n = siddhi_state_get_count(r, (int) sizeof(int32));
	old = MemoryContextSwitchTo(t->cxt);
	t->last = palloc(sizeof(char *) * Max(n, 1));
	t->lastlen = palloc(sizeof(Size) * Max(n, 1));
	for (int64 i = 0; i < n; i++)
	{
		int len;
		const char *text = siddhi_state_get_bytes(r, &len);

		t->last[i] = palloc(Max(len, 1));
		memcpy(t->last[i], text, len);
		t->lastlen[i] = len;
		t->nlast++;
	}
	MemoryContextSwitchTo(old);
}

void
siddhi_topn_clear(SiddhiTopN *t)
{
	HASH_SEQ_STATUS hs;
	TopNEntry *e;
	List *all = NIL;
	ListCell *lc;

	hash_seq_init(&hs, t->entries);
	while ((e = hash_seq_search(&hs)) != NULL)
		all = lappend(all, e);
	foreach(lc, all)
		topn_remove(t, lfirst(lc));
	list_free(all);
	for (int i = 0; i < t->nlast; i++)
		pfree(t->last[i]);
	if (t->last)
	{
		pfree(t->last);
		pfree(t->lastlen);
	}
	t->last = NULL;
	t->lastlen = NULL;
	t->nlast = 0;
	t->ntouched = 0;
	t->next_seq = 0;
	t->step_ts = 0;
	t->total = 0;
	MemoryContextReset(t->stepcxt);
}
