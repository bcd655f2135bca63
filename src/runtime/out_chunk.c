/*-------------------------------------------------------------------------
 *
 * out_chunk.c
 *	  A query's output chunk: the rows one step of a query sends to its
 *	  output stream wait for the step's end and then go to the stream's
 *	  junction together, so that each reader of the stream takes the
 *	  whole chunk before the next reader sees any of it (Siddhi's junction
 *	  hands a query's output chunk to its receivers the same way).
 *
 *	  A step that fails loses the rows it sent (as its other work); the
 *	  rows of the steps before it in the same chunk (a named window's
 *	  multi-event chunk) are kept.
 *
 *-------------------------------------------------------------------------
 */
#include "runtime_int.h"

#include "utils/datum.h"

/*
 * One more row in chunk oc (its memory under parent, made at the first
 * row, with a slot of desc): out's values, the by-reference ones copied,
 * stamped ts.  Readers take it as a virtual row.
 */
void
out_chunk_push(OutChunk *oc, MemoryContext parent, TupleDesc desc,
			   TupleTableSlot *out, int64 ts, bool expired)
{
	MemoryContext old;
	PendingOut *row;
	int natts;
	Size size;
	char *data;

	if (unlikely(oc->cxt == NULL))
	{
		oc->cxt = AllocSetContextCreate(parent, "siddhi output chunk",
										ALLOCSET_SMALL_SIZES);
		old = MemoryContextSwitchTo(parent);
		oc->slot = MakeSingleTupleTableSlot(desc, &TTSOpsVirtual);
		oc->max = 8;
		oc->rows = palloc(sizeof(PendingOut) * oc->max);
		MemoryContextSwitchTo(old);
	}
	if (oc->n == oc->max)
	{
		oc->max *= 2;
		oc->rows = repalloc(oc->rows, sizeof(PendingOut) * oc->max);
	}
	row = &oc->rows[oc->n++];
	slot_getallattrs(out);
	natts = out->tts_tupleDescriptor->natts;

	/* one piece: values, nulls, then the by-reference values' bytes */
	size = MAXALIGN((sizeof(Datum) + sizeof(bool)) * natts);
	for (int a = 0; a < natts; a++)
	{
		Form_pg_attribute att = TupleDescAttr(out->tts_tupleDescriptor, a);
		Pointer p = DatumGetPointer(out->tts_values[a]);

		if (att->attbyval || out->tts_isnull[a])
			continue;
		if (att->attlen == -1 && VARATT_IS_EXTERNAL_EXPANDED(p))
			continue; /* flattened by datumCopy, below */
		size += MAXALIGN(att->attlen == -1	 ? VARSIZE_ANY(p)
						 : att->attlen == -2 ? strlen(p) + 1
											 : att->attlen);
	}
	row->values = MemoryContextAlloc(oc->cxt, size);
	row->isnull = (bool *) (row->values + natts);
	memcpy(row->isnull, out->tts_isnull, sizeof(bool) * natts);
	data = (char *) row->values +
		   MAXALIGN((sizeof(Datum) + sizeof(bool)) * natts);
	for (int a = 0; a < natts; a++)
	{
		Form_pg_attribute att = TupleDescAttr(out->tts_tupleDescriptor, a);
		Pointer p = DatumGetPointer(out->tts_values[a]);
		Size len;

		if (att->attbyval || out->tts_isnull[a])
		{
			row->values[a] = out->tts_values[a];
			continue;
		}
		if (att->attlen == -1 && VARATT_IS_EXTERNAL_EXPANDED(p))
		{
			old = MemoryContextSwitchTo(oc->cxt);
			row->values[a] = datumCopy(out->tts_values[a], false, -1);
			MemoryContextSwitchTo(old);
			continue;
		}
		len = att->attlen == -1	  ? VARSIZE_ANY(p)
			  : att->attlen == -2 ? strlen(p) + 1
								  : att->attlen;
		memcpy(data, p, len);
		row->values[a] = PointerGetDatum(data);
		data += MAXALIGN(len);
	}
	row->ts = ts;
	row->expired = expired;
}

/* The rows of oc went out: their memory goes every few hundred rows. */
void
out_chunk_reset(OutChunk *oc)
{
	oc->flushing = false;
	oc->held += oc->n;
	if (oc->held >= 256)
	{
		MemoryContextReset(oc->cxt);
		oc->held = 0;
	}
	oc->n = 0;
	oc->kept = 0;
}

/*
 * One more row q sends to its output stream (out, stamped ts): a copy
 * waits in q's chunk.  depth is the sending step's.
 */
void
out_chunk_add(QueryRuntime *q, TupleTableSlot *out, int64 ts, int depth,
			  bool expired)
{
	OutChunk *oc = &q->outc;

	/*
	 * A stream nothing reads but its watchers: they see the rows in the
	 * same order now as at the step's end, so nothing waits.
	 */
	if (q->output->consumers == NIL && q->output->hooks == NIL &&
		q->output->aggregations == NIL && q->output->named == NULL)
	{
		junction_emit(q->output, out, ts, depth + 1, expired);
		return;
	}
	if (unlikely(oc->flushing))
	{
		/* not reached: a query sends nothing while its chunk goes out
		 * (it is busy, and what loops back to it waits); go on anyway */
		junction_emit(q->output, out, ts, depth + 1, expired);
		return;
	}
	if (oc->n == 0)
	{
		oc->depth = depth;
		oc->key = q->apart ? q->apart->current : NULL;
	}
	out_chunk_push(oc, q->app->cxt, q->output->desc, out, ts, expired);
}

/*
 * q's chunk goes to its output stream (called inside q's step, in its
 * user frame: the stream's watchers and readers run from here).
 */
void
out_chunk_flush(QueryRuntime *q)
{
	OutChunk *oc = &q->outc;

	if (oc->n == 0 || oc->flushing)
		return;
	/*
	 * No error boundary of its own: an error that escapes (a watcher's)
	 * ends the step that flushes, whose failure forgets the chunk
	 * (out_chunk_step_failed).
	 */
	oc->flushing = true;
	junction_emit_chunk(q->output, oc->rows, oc->n, oc->slot, oc->depth + 1);
	out_chunk_reset(oc);
}

/* A step of q that does not end its chunk went well: its rows stay. */
void
out_chunk_step_done(QueryRuntime *q)
{
	q->outc.kept = q->outc.n;
}

/*
 * A step of q failed: the rows it sent are forgotten with the rest of its
 * work; those of the steps before it in the chunk stay.
 */
void
out_chunk_step_failed(QueryRuntime *q)
{
	OutChunk *oc = &q->outc;

	oc->n = oc->flushing ? 0 : oc->kept;
	oc->kept = oc->n;
	oc->flushing = false;
	if (oc->n == 0 && oc->cxt)
	{
		MemoryContextReset(oc->cxt);
		oc->held = 0;
	}
}

/*
 * After a failed step that was to end q's chunk: the rows kept from the
 * steps before it go out in a unit of their own (for a partition's query,
 * as the key that sent them).
 */
void
out_chunk_flush_alone(QueryRuntime *q)
{
	MemoryContext mcxt = CurrentMemoryContext;
	SiddhiPartInstance *prev = q->apart ? q->apart->current : NULL;
	Oid save_user;
	int save_sec;
	int frame;

	if (q->outc.n == 0)
		return;
	siddhi_batch_isolate();
	GetUserIdAndSecContext(&save_user, &save_sec);
	frame = siddhi_usercode_enter(q->owner);
	PG_TRY();
	{
		if (q->apart)
			partition_enter(q->apart, q->outc.key);
		out_chunk_flush(q);
		if (q->apart)
			partition_enter(q->apart, prev);
		siddhi_usercode_leave(frame, true);
		siddhi_batch_isolate();
	}
	PG_CATCH();
	{
		siddhi_usercode_leave(frame, false);
		query_failed(q, mcxt, save_user, save_sec);
		out_chunk_step_failed(q);
		if (q->apart)
			partition_enter(q->apart, prev);
	}
	PG_END_TRY();
}
