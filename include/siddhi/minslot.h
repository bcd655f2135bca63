/*-------------------------------------------------------------------------
 *
 * minslot.h
 *	  A minimal tuple the slot does not own, put in and taken out without
 *	  a call: the engine does both several times per event (the ring's
 *	  row, each event a window hands out, each group's row at a chunk's
 *	  end), and ExecStoreMinimalTuple and ExecClearTuple cost two calls,
 *	  one through the slot's table of operations, about 5 % of a window
 *	  query's engine time (bench/RESULTS.md).
 *
 *	  They set exactly what PostgreSQL 15's minimal slot sets when it is
 *	  cleared and when it is given a tuple it does not own; any other slot
 *	  (of another kind, or owning its tuple) goes through the executor's
 *	  own functions.
 *
 *-------------------------------------------------------------------------
 */
#ifndef SIDDHI_MINSLOT_H
#define SIDDHI_MINSLOT_H

#include "access/htup_details.h"
#include "executor/tuptable.h"
#include "nodes/execnodes.h"

/* As ExecStoreMinimalTuple(tuple, slot, false). */
static inline void
siddhi_slot_put_minimal(TupleTableSlot *slot, MinimalTuple tuple)
{
	MinimalTupleTableSlot *mslot = (MinimalTupleTableSlot *) slot;

	if (unlikely(slot->tts_ops != &TTSOpsMinimalTuple || TTS_SHOULDFREE(slot)))
	{
		ExecStoreMinimalTuple(tuple, slot, false);
		return;
	}
	Assert(mslot->tuple == &mslot->minhdr);
	slot->tts_flags &= ~TTS_FLAG_EMPTY;
	slot->tts_nvalid = 0;
	ItemPointerSetInvalid(&slot->tts_tid);
	mslot->off = 0;
	mslot->mintuple = tuple;
	mslot->minhdr.t_len = tuple->t_len + MINIMAL_TUPLE_OFFSET;
	mslot->minhdr.t_data =
		(HeapTupleHeader) ((char *) tuple - MINIMAL_TUPLE_OFFSET);
}

/* As ExecClearTuple(slot). */
static inline void
siddhi_slot_empty(TupleTableSlot *slot)
{
	MinimalTupleTableSlot *mslot = (MinimalTupleTableSlot *) slot;

	if (unlikely(slot->tts_ops != &TTSOpsMinimalTuple || TTS_SHOULDFREE(slot)))
	{
		ExecClearTuple(slot);
		return;
	}
	slot->tts_nvalid = 0;
	slot->tts_flags |= TTS_FLAG_EMPTY;
	ItemPointerSetInvalid(&slot->tts_tid);
	mslot->off = 0;
	mslot->mintuple = NULL;
}

/*
 * The first natts attributes of the minimal tuple in slot, read at once
 * into its values (src/common/minslot.c), where the engine knows they
 * will be read; a slot of another kind, or already read, is left to the
 * executor's lazy reading.  siddhi_expr_scan_attrs: how many attributes
 * of its scan tuple a compiled expression reads (0: none).
 */
extern void siddhi_slot_read_all(TupleTableSlot *slot, int natts);
extern int siddhi_expr_scan_attrs(ExprState *state);

/* a slot read already (the second reader of an event): nothing to do */
static inline void
siddhi_slot_read(TupleTableSlot *slot, int natts)
{
	if (natts > 0 && slot->tts_nvalid == 0)
		siddhi_slot_read_all(slot, natts);
}

#endif /* SIDDHI_MINSLOT_H */
