/*-------------------------------------------------------------------------
 *
 * minslot.c
 *	  Every attribute of a narrow event, read out of its minimal tuple at
 *	  once (include/siddhi/minslot.h).
 *
 * The executor reads a slot's attributes lazily, as far as the expression
 * needs, keeping where it stopped, and caching offsets only for the fixed-
 * width attributes before the first variable-width one.  A stream's event
 * is narrow and usually starts with a string, so each expression that
 * reads past it walks the attributes again through two calls and the
 * general loop: about a quarter of a filter query's instructions
 * (callgrind, bench/RESULTS.md).  Here the engine reads, in one pass,
 * the attributes it knows its expressions will read (a plain query's
 * filter and projection: siddhi_expr_scan_attrs of each); the executor
 * then reads none of them.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/tupmacs.h"
#include "executor/execExpr.h"
#include "executor/tuptable.h"
#include "siddhi/minslot.h"

int
siddhi_expr_scan_attrs(ExprState *state)
{
	int n = 0;

	if (state == NULL)
		return 0;
	for (int i = 0; i < state->steps_len; i++)
	{
		ExprEvalStep *op = &state->steps[i];

		if (ExecEvalStepOp(state, op) == EEOP_SCAN_FETCHSOME)
			n = Max(n, op->d.fetch.last_var);
	}
	return n;
}

void
siddhi_slot_read_all(TupleTableSlot *slot, int natts)
{
	MinimalTupleTableSlot *mslot = (MinimalTupleTableSlot *) slot;
	TupleDesc desc = slot->tts_tupleDescriptor;
	HeapTupleHeader tup;
	bool hasnulls;
	bits8 *bits;
	char *tp;
	uint32 off = 0;

	if (natts <= 0 || slot->tts_ops != &TTSOpsMinimalTuple ||
		TTS_EMPTY(slot) || slot->tts_nvalid != 0 || mslot->mintuple == NULL)
		return;
	tup = mslot->tuple->t_data;
	/* attributes added since the tuple was made: the executor fills them */
	if (natts > HeapTupleHeaderGetNatts(tup) || natts > desc->natts)
		return;
	hasnulls = HeapTupleHasNulls(mslot->tuple);
	bits = tup->t_bits;
	tp = (char *) tup + tup->t_hoff;
	for (int i = 0; i < natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, i);
		char *p;

		if (hasnulls && att_isnull(i, bits))
		{
			slot->tts_values[i] = (Datum) 0;
			slot->tts_isnull[i] = true;
			continue;
		}
		slot->tts_isnull[i] = false;
		if (att->attlen == -1)
		{
			/* a string: a one-byte header needs no alignment */
			if (!VARATT_NOT_PAD_BYTE(tp + off))
				off = att_align_nominal(off, att->attalign);
			p = tp + off;
			slot->tts_values[i] = PointerGetDatum(p);
			off += VARSIZE_ANY(p);
		}
		else if (att->attlen == sizeof(Datum) && att->attbyval)
		{
			/* a double or a long */
			off = att_align_nominal(off, att->attalign);
			slot->tts_values[i] = *(Datum *) (tp + off);
			off += sizeof(Datum);
		}
		else
		{
			if (att->attlen > 0)
				off = att_align_nominal(off, att->attalign);
			p = tp + off;
			slot->tts_values[i] = fetchatt(att, p);
			off = att_addlength_pointer(off, att->attlen, p);
		}
	}
	/* as the executor leaves a slot it read so far, offsets not cached:
	 * it reads any further attribute from there */
	slot->tts_nvalid = natts;
	mslot->off = off;
	slot->tts_flags |= TTS_FLAG_SLOW;
}
