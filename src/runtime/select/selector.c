/*-------------------------------------------------------------------------
 *
 * selector.c
 *	  The selector of a query: projection, group by and aggregates,
 *	  having, order by / limit / offset, window functions (over.c) and
 *	  SQL's contents (topn.c).
 *
 * A row that leaves the query's window (or join, or pattern) comes in
 * through siddhi_selector_row; at the end of the chunk
 * (siddhi_selector_chunk_end) an aggregating query outputs one row per
 * group that got one, order by / offset / limit apply to the chunk's rows,
 * and window functions and the contents make theirs.  Rows go out through
 * the caller's callback (the query's rate limiter or output).
 *
 * Aggregate arguments and group-by values are evaluated once per event;
 * the pending rows of a chunk live in the query's per-tuple memory, which
 * the driver resets once the chunk has ended.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "common/hashfn.h"
#include "nodes/nodeFuncs.h"
#include "siddhi/minslot.h"
#include "siddhi/over.h"
#include "siddhi/runtime.h"
#include "siddhi/selector.h"
#include "siddhi/topn.h"
#include "utils/datum.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/sortsupport.h"
#include "siddhi/state.h"

#include "selector_int.h"


/* Whether a row of kind goes out of a query that outputs events. */
static inline bool
kind_goes_out(SiddhiEventType events, SiddhiEventKind kind)
{
	return !(
		(kind == SIDDHI_EVENT_EXPIRED && events == SIDDHI_EVENTS_CURRENT) ||
		(kind == SIDDHI_EVENT_CURRENT && events == SIDDHI_EVENTS_EXPIRED));
}

SiddhiSelect *
siddhi_selector_create(SiddhiQueryPlan *qp, TupleDesc rowdesc,
					   TupleTableSlot *out_slot, ExprContext *econtext,
					   bool keyed_state, bool rate, MemoryContext cxt)
{
	MemoryContext old = MemoryContextSwitchTo(cxt);
	SiddhiSelect *s = palloc0(sizeof(SiddhiSelect));

	s->econtext = econtext;
	s->events = qp->events;
	/* group by without an aggregate: groups of no aggregator, as Siddhi */
	if (qp->aggregates != NIL || qp->group_by != NIL)
	{
		ListCell *la;
		int k = 0;

		s->naggs = list_length(qp->aggregates);
		if (!keyed_state)
		{
			s->aggs = siddhi_aggs_create(qp->aggregates, qp->group_by, cxt);
			if (qp->agg_unordered)
				siddhi_aggs_set_unordered(s->aggs);
		}
		else
		{
			/* each key's are made like these (siddhi_aggs_create_like) */
			s->agg_proto =
				siddhi_aggs_create(qp->aggregates, qp->group_by, cxt);
			if (qp->agg_unordered)
				siddhi_aggs_set_unordered(s->agg_proto);
		}
		s->agg_args = palloc0(sizeof(ExprState *) * s->naggs);
		s->agg_values = palloc0(sizeof(Datum) * s->naggs);
		s->agg_nulls = palloc0(sizeof(bool) * s->naggs);
		s->agg_out = palloc0(sizeof(FmgrInfo) * s->naggs);
		s->agg_typlen = palloc(sizeof(int16) * s->naggs);
		s->agg_byval = palloc(sizeof(bool) * s->naggs);
		s->scratch_params = palloc(sizeof(ParamExecData) * Max(s->naggs, 1));
		foreach(la, qp->aggregates)
		{
			SiddhiAggPlan *ap = lfirst(la);

			if (ap->arg)
				s->agg_args[k] = ExecInitExpr(ap->arg, NULL);
			if (ap->kind == SIDDHI_AGG_DISTINCT_COUNT)
			{
				Oid outfn;
				bool varlena;

				getTypeOutputInfo(ap->argtype, &outfn, &varlena);
				fmgr_info_cxt(outfn, &s->agg_out[k], cxt);
			}
			get_typlenbyval(ap->resulttype, &s->agg_typlen[k],
							&s->agg_byval[k]);
			k++;
		}
		econtext->ecxt_param_exec_vals =
			palloc0(sizeof(ParamExecData) * s->naggs);
		s->ngroup = list_length(qp->group_by);
		s->group_exprs = palloc0(sizeof(ExprState *) * Max(s->ngroup, 1));
		s->group_values = palloc0(sizeof(Datum) * Max(s->ngroup, 1));
		s->group_nulls = palloc0(sizeof(bool) * Max(s->ngroup, 1));
		s->group_out = palloc0(sizeof(FmgrInfo) * Max(s->ngroup, 1));
		k = 0;
		foreach(la, qp->group_by)
		{
			Oid outfn;
			bool varlena;

			s->group_exprs[k] = ExecInitExpr(lfirst(la), NULL);
			getTypeOutputInfo(exprType(lfirst(la)), &outfn, &varlena);
			fmgr_info_cxt(outfn, &s->group_out[k], cxt);
			k++;
		}
		initStringInfo(&s->keybuf);
		s->agg_slot = MakeSingleTupleTableSlot(rowdesc, &TTSOpsMinimalTuple);
	}
	if (qp->over)
		s->over = siddhi_over_create(qp->over, rowdesc, cxt);
	if (qp->having)
		s->having = ExecInitQual(qp->having, NULL);
	if (qp->contents)
		s->events = SIDDHI_EVENTS_ALL; /* expiries leave the contents */
	else if (qp->order_by || qp->limit >= 0 || qp->offset > 0)
	{
		ListCell *le, *lo, *ln;
		int k = 0;

		s->buffered = true;
		s->limit = qp->limit;
		s->offset = qp->offset;
		s->norder = list_length(qp->order_by);
		s->order_exprs = palloc0(sizeof(ExprState *) * Max(s->norder, 1));
		s->order_ssup = palloc0(sizeof(SortSupportData) * Max(s->norder, 1));
		forthree(le, qp->order_by, lo, qp->order_ops, ln,
				 qp->order_nulls_first)
		{
			SortSupport ss = &s->order_ssup[k];

			s->order_exprs[k] = ExecInitExpr(lfirst(le), NULL);
			ss->ssup_cxt = cxt;
			ss->ssup_collation = exprCollation(lfirst(le));
			ss->ssup_nulls_first = lfirst_int(ln) != 0;
			PrepareSortSupportFromOrderingOp(lfirst_oid(lo), ss);
			k++;
		}
		s->sorted_slot = MakeSingleTupleTableSlot(
			out_slot->tts_tupleDescriptor, &TTSOpsMinimalTuple);
	}
	if (qp->contents)
		s->topn = siddhi_topn_create(qp, out_slot->tts_tupleDescriptor,
									 s->aggs != NULL, cxt);
	s->want_key = (rate || s->topn) && s->ngroup > 0;
	/* the select as it runs: shared expressions read as params */
	s->proj = ExecBuildProjectionInfo(qp->exec_targetlist ? qp->exec_targetlist
														  : qp->targetlist,
									  econtext, out_slot, NULL, rowdesc);
	MemoryContextSwitchTo(old);
	return s;
}

void
siddhi_build_key(ExprContext *econtext, ExprState **exprs, FmgrInfo *out,
				 int n, Datum *values, bool *nulls, StringInfo buf)
{
	resetStringInfo(buf);
	for (int k = 0; k < n; k++)
	{
		bool isnull;
		Datum v = ExecEvalExpr(exprs[k], econtext, &isnull);

		if (values)
		{
			values[k] = v;
			nulls[k] = isnull;
		}
		if (isnull)
			appendStringInfoChar(buf, '\x01');
		else
			appendStringInfoString(buf, OutputFunctionCall(&out[k], v));
		appendStringInfoChar(buf, '\0');
	}
}

const char *
siddhi_selector_group_key(SiddhiSelect *s, Size *keylen)
{
	MemoryContext old;

	if (s->ngroup == 0)
	{
		*keylen = 0;
		return NULL;
	}
	old = MemoryContextSwitchTo(s->econtext->ecxt_per_tuple_memory);
	siddhi_build_key(s->econtext, s->group_exprs, s->group_out, s->ngroup,
					 NULL, NULL, &s->keybuf);
	MemoryContextSwitchTo(old);
	*keylen = s->keybuf.len;
	return s->keybuf.data;
}

/*
 * The group-by values of the event in the scan tuple, into group_values
 * and group_nulls, in the current memory context.
 */
void
selector_group_values(SiddhiSelect *s)
{
	for (int k = 0; k < s->ngroup; k++)
		s->group_values[k] =
			ExecEvalExpr(s->group_exprs[k], s->econtext, &s->group_nulls[k]);
}

/*
 * Make the output row of an input event (aggregate values already in the
 * params), check having, and send it on (or keep it for order by/limit).
 */
static void output_row(SiddhiSelect *s, TupleTableSlot *slot, int64 ts,
					   SiddhiEventKind kind, SiddhiSelectEmit emit, void *arg);

/*
 * The row of an event goes out: eventTimestamp() in the select list is
 * that event's time, also when the row is made later than the event came
 * (a group's last row at the chunk's end, a folded batch's close).
 */
void
selector_output(SiddhiSelect *s, TupleTableSlot *slot, int64 ts,
				SiddhiEventKind kind, SiddhiSelectEmit emit, void *arg)
{
	int64 save_ts = siddhi_current_event_ts;

	siddhi_current_event_ts = ts;
	output_row(s, slot, ts, kind, emit, arg);
	siddhi_current_event_ts = save_ts;
}

static void
output_row(SiddhiSelect *s, TupleTableSlot *slot, int64 ts,
		   SiddhiEventKind kind, SiddhiSelectEmit emit, void *arg)
{
	ExprContext *econtext = s->econtext;
	TupleTableSlot *out;
	const char *key = NULL;
	Size keylen = 0;

	econtext->ecxt_scantuple = slot;
	out = ExecProject(s->proj);
	/* first/last per group: the limiter needs the row's group */
	if (s->want_key)
		key = siddhi_selector_group_key(s, &keylen);
	if (s->having)
	{
		econtext->ecxt_scantuple = out;
		if (!ExecQual(s->having, econtext))
		{
			if (s->topn && s->aggs) /* the group leaves the contents */
				siddhi_topn_offer(s->topn, econtext, NULL, ts, kind,
								  key ? key : "", keylen, true);
			return;
		}
	}
	if (s->topn)
	{
		siddhi_topn_offer(
			s->topn, econtext, out, ts, kind, key ? key : "", keylen,
			s->flush_group && siddhi_aggs_group_empty(s->flush_group));
		return;
	}
	if (s->buffered)
	{
		MemoryContext old =
			MemoryContextSwitchTo(econtext->ecxt_per_tuple_memory);

		if (s->nout == s->out_cap)
		{
			/* the arrays live as long as the query; the rows per chunk */
			MemoryContext qcxt = GetMemoryChunkContext(s);
			int cap = Max(16, s->out_cap * 2);

#define GROW(arr, type)                          \
	((arr) ? repalloc((arr), sizeof(type) * cap) \
		   : MemoryContextAlloc(qcxt, sizeof(type) * cap))
			s->out_tuples = GROW(s->out_tuples, MinimalTuple);
			s->out_ts = GROW(s->out_ts, int64);
			s->out_kind = GROW(s->out_kind, SiddhiEventKind);
			s->out_keys = GROW(s->out_keys, char *);
			s->out_keylens = GROW(s->out_keylens, Size);
#undef GROW
			s->out_cap = cap;
		}
		s->out_tuples[s->nout] = ExecCopySlotMinimalTuple(out);
		s->out_ts[s->nout] = ts;
		s->out_kind[s->nout] = kind;
		s->out_keys[s->nout] = key ? pnstrdup(key, keylen) : NULL;
		s->out_keylens[s->nout] = keylen;
		s->nout++;
		MemoryContextSwitchTo(old);
		return;
	}
	emit(arg, out, ts, kind, key, keylen);
}

/*
 * An event that reached an aggregating query: update its group, and if it
 * is current, remember it as the group's latest for the chunk's output.
 */
static void
aggregate_event(SiddhiSelect *s, TupleTableSlot *slot, int64 ts,
				SiddhiEventKind kind, SiddhiSelectEmit emit, void *arg)
{
	ExprContext *econtext = s->econtext;
	MemoryContext old = MemoryContextSwitchTo(econtext->ecxt_per_tuple_memory);
	SiddhiAggGroup *g;
	MinimalTuple tuple;
	ParamExecData *params;
	int i;

	selector_group_values(s);
	for (int k = 0; k < s->naggs; k++)
	{
		s->agg_nulls[k] = false;
		if (s->agg_args[k])
			s->agg_values[k] =
				ExecEvalExpr(s->agg_args[k], econtext, &s->agg_nulls[k]);
		if (s->agg_out[k].fn_oid != InvalidOid && !s->agg_nulls[k])
		{
			/* distinctCount counts values by a 64-bit hash of their text */
			char *text = OutputFunctionCall(&s->agg_out[k], s->agg_values[k]);

			s->agg_values[k] = Int64GetDatum((int64) hash_bytes_extended(
				(const unsigned char *) text, strlen(text), 0));
		}
	}

	/*
	 * An expired event whose group is gone never counted in one: its
	 * current event was skipped (past siddhi.max_groups).  It leaves
	 * nothing, rather than making a group (or failing) as it goes.
	 */
	g = siddhi_aggs_group(s->aggs, s->group_values, s->group_nulls,
						  kind != SIDDHI_EVENT_EXPIRED);
	MemoryContextSwitchTo(old);
	if (g == NULL)
		return;

	siddhi_aggs_update(s->aggs, g, kind == SIDDHI_EVENT_CURRENT, s->agg_values,
					   s->agg_nulls);
	if (kind == SIDDHI_EVENT_EXPIRED)
		selector_touch(s, g);

	/*
	 * As Siddhi's selector: each event the query outputs (by its kind)
	 * makes its row with the aggregates as they are now, and the chunk
	 * outputs, per group in the order groups first got one, the last such
	 * row that passed having.
	 */
	if (!kind_goes_out(s->events, kind))
		return;
	/* a folding selector without having keeps the event alone */
	if (s->fold_defers)
	{
		selector_fold_keep(s, g, slot, ts, kind);
		return;
	}
	old = MemoryContextSwitchTo(econtext->ecxt_per_tuple_memory);
	siddhi_aggs_values(s->aggs, g, econtext->ecxt_param_exec_vals);
	MemoryContextSwitchTo(old);
	/* the contents judge a group by its last row of the chunk */
	if (s->having && s->topn == NULL)
	{
		TupleTableSlot *out;
		bool pass;

		econtext->ecxt_scantuple = slot;
		out = ExecProject(s->proj);
		econtext->ecxt_scantuple = out;
		pass = ExecQual(s->having, econtext);
		econtext->ecxt_scantuple = slot;
		if (!pass)
			return;
	}
	/*
	 * The chunk's last event, with no other group's row waiting: its row
	 * is the one the chunk's end would output, and nothing comes before
	 * it, so it goes now, without the copies.
	 */
	if (s->last_current && kind == SIDDHI_EVENT_CURRENT && s->npending == 0 &&
		!s->having && !s->topn && !s->folds && !s->buffered && !s->over)
	{
		s->last_current = false;
		selector_output(s, slot, ts, kind, emit, arg);
		return;
	}
	/*
	 * The row's copies go first, so that an error leaves the group's
	 * earlier row: in the chunk's memory, or, when the selector folds, in
	 * the batch's.
	 */
	old = MemoryContextSwitchTo(s->folds ? s->fold_cxt
										 : econtext->ecxt_per_tuple_memory);
	tuple = ExecCopySlotMinimalTuple(slot);
	params = s->scratch_params;
	for (int k = 0; k < s->naggs; k++)
	{
		ParamExecData *from = &econtext->ecxt_param_exec_vals[k];

		params[k] = *from;
		if (!from->isnull)
			params[k].value =
				datumCopy(from->value, s->agg_byval[k], s->agg_typlen[k]);
	}
	MemoryContextSwitchTo(old);
	/* a later event of the group replaces the earlier one */
	i = selector_pending_slot(s, g);
	if (s->pending_tuples[i] != NULL)
	{
		pfree(s->pending_tuples[i]);
		for (int k = 0; k < s->naggs && s->folds; k++)
		{
			ParamExecData *was = &s->pending_params[i * s->naggs + k];

			if (!was->isnull && !s->agg_byval[k])
				pfree(DatumGetPointer(was->value));
		}
	}
	s->pending_tuples[i] = tuple;
	memcpy(&s->pending_params[i * s->naggs], params,
		   sizeof(ParamExecData) * s->naggs);
	s->pending_ts[i] = ts;
	s->pending_kind[i] = kind;
}

int
selector_pending_slot(SiddhiSelect *s, SiddhiAggGroup *g)
{
	SiddhiAggMarks *marks = siddhi_aggs_marks(g);
	int i;

	if (marks->pending > 0)
		return marks->pending - 1;
	if (s->npending == s->pending_cap)
	{
		MemoryContext acx = GetMemoryChunkContext(s);
		int cap = Max(8, s->pending_cap * 2);

#define GROW(arr, type)                          \
	((arr) ? repalloc((arr), sizeof(type) * cap) \
		   : MemoryContextAlloc(acx, sizeof(type) * cap))
		s->pending_groups = GROW(s->pending_groups, SiddhiAggGroup *);
		s->pending_tuples = GROW(s->pending_tuples, MinimalTuple);
		s->pending_ts = GROW(s->pending_ts, int64);
		s->pending_kind = GROW(s->pending_kind, SiddhiEventKind);
		s->pending_params =
			s->pending_params
				? repalloc(s->pending_params,
						   sizeof(ParamExecData) * Max(s->naggs, 1) * cap)
				: MemoryContextAlloc(acx, sizeof(ParamExecData) *
											  Max(s->naggs, 1) * cap);
#undef GROW
		s->pending_cap = cap;
	}
	i = s->npending++;
	s->pending_groups[i] = g;
	s->pending_tuples[i] = NULL;
	marks->pending = i + 1;
	return i;
}

void
siddhi_selector_row(SiddhiSelect *s, TupleTableSlot *slot, int64 ts,
					SiddhiEventKind kind, SiddhiSelectEmit emit, void *arg)
{
	if (s->aggs)
	{
		aggregate_event(s, slot, ts, kind, emit, arg);
		return;
	}
	/* window functions: now over a stream, at the step's end over a window */
	if (s->over && !siddhi_over_row(s->over, s->econtext, slot, ts,
									kind == SIDDHI_EVENT_CURRENT))
		return;
	if (!kind_goes_out(s->events, kind))
		return;
	selector_output(s, slot, ts, kind, emit, arg);
}

void
siddhi_selector_snapshot(SiddhiSelect *s, TupleTableSlot *slot, int64 ts,
						 SiddhiSelectEmit emit, void *arg)
{
	ExprContext *econtext = s->econtext;
	TupleTableSlot *out;

	econtext->ecxt_scantuple = slot;
	if (s->aggs)
	{
		MemoryContext old =
			MemoryContextSwitchTo(econtext->ecxt_per_tuple_memory);

		selector_group_values(s);
		siddhi_aggs_values(
			s->aggs,
			siddhi_aggs_group(s->aggs, s->group_values, s->group_nulls, true),
			econtext->ecxt_param_exec_vals);
		MemoryContextSwitchTo(old);
	}
	out = ExecProject(s->proj);
	if (s->having)
	{
		econtext->ecxt_scantuple = out;
		if (!ExecQual(s->having, econtext))
			return;
	}
	emit(arg, out, ts, SIDDHI_EVENT_CURRENT, NULL, 0);
}

/*
 * End of a chunk (the events one arrival caused): one output row per group
 * that received a current event, as Siddhi's aggregating selector does,
 * made from the group's latest event; then release emptied groups.
 */
static void
aggregate_flush(SiddhiSelect *s, SiddhiSelectEmit emit, void *arg)
{
	for (int i = 0; i < s->npending; i++)
	{
		memcpy(s->econtext->ecxt_param_exec_vals,
			   &s->pending_params[i * s->naggs],
			   sizeof(ParamExecData) * s->naggs);
		siddhi_slot_put_minimal(s->agg_slot, s->pending_tuples[i]);
		s->flush_group = s->pending_groups[i];
		selector_output(s, s->agg_slot, s->pending_ts[i], s->pending_kind[i],
						emit, arg);
		s->flush_group = NULL;
		siddhi_slot_empty(s->agg_slot);
	}
	for (int i = 0; i < s->npending; i++)
		siddhi_aggs_marks(s->pending_groups[i])->pending = 0;
	s->npending = 0;
	selector_release_touched(s);
}

SiddhiAggregates *
siddhi_selector_agg_proto(SiddhiSelect *s)
{
	return s->agg_proto;
}

void
siddhi_selector_last(SiddhiSelect *s, bool on)
{
	s->last_current = on && s->aggs != NULL;
}

void
selector_touch(SiddhiSelect *s, SiddhiAggGroup *g)
{
	SiddhiAggMarks *marks = siddhi_aggs_marks(g);

	if (marks->touched)
		return;
	if (s->ntouched == s->touched_cap)
	{
		int cap = Max(8, s->touched_cap * 2);

		s->touched = s->touched
						 ? repalloc(s->touched, sizeof(SiddhiAggGroup *) * cap)
						 : MemoryContextAlloc(GetMemoryChunkContext(s),
											  sizeof(SiddhiAggGroup *) * cap);
		s->touched_cap = cap;
	}
	s->touched[s->ntouched++] = g;
	marks->touched = true;
}

void
selector_release_touched(SiddhiSelect *s)
{
	int n = s->ntouched;

	s->ntouched = 0;
	for (int i = 0; i < n; i++)
	{
		siddhi_aggs_marks(s->touched[i])->touched = false;
		siddhi_aggs_release_if_empty(s->aggs, s->touched[i]);
	}
}

typedef struct OverEmitArg
{
	SiddhiSelect *s;
	SiddhiSelectEmit emit;
	void *arg;
} OverEmitArg;

/* siddhi_over_flush's callback: a row with its window functions' values. */
static void
over_emit(void *arg, TupleTableSlot *slot, int64 ts)
{
	OverEmitArg *oa = arg;

	selector_output(oa->s, slot, ts, SIDDHI_EVENT_CURRENT, oa->emit, oa->arg);
}

/* Callback of siddhi_topn_chunk_end: a row of the contents goes out. */
static void
topn_emit(void *arg, TupleTableSlot *row, int64 ts)
{
	OverEmitArg *oa = arg;

	oa->emit(oa->arg, row, ts, SIDDHI_EVENT_CURRENT, NULL, 0);
}

/* qsort_arg comparator over the order-by keys of buffered outputs */
typedef struct OutputSortState
{
	SiddhiSelect *s;
	Datum *keys;
	bool *nulls;
} OutputSortState;

static int
compare_outputs(const void *a, const void *b, void *arg)
{
	OutputSortState *st = arg;
	int i = *(const int *) a;
	int j = *(const int *) b;
	int n = st->s->norder;

	for (int k = 0; k < n; k++)
	{
		int c = ApplySortComparator(st->keys[i * n + k], st->nulls[i * n + k],
									st->keys[j * n + k], st->nulls[j * n + k],
									&st->s->order_ssup[k]);

		if (c != 0)
			return c;
	}
	return i - j; /* stable */
}

/*
 * End of a chunk: aggregates make their rows, then order by, offset and
 * limit apply to the chunk's outputs, as Siddhi applies them per chunk
 * (SQL's over the contents instead: topn.c).
 */
void
siddhi_selector_group_end(SiddhiSelect *s, SiddhiSelectEmit emit, void *arg)
{
	if (s->aggs && !s->folds)
		aggregate_flush(s, emit, arg);
}

void
siddhi_selector_chunk_end(SiddhiSelect *s, SiddhiSelectEmit emit, void *arg)
{
	OverEmitArg oa = { s, emit, arg };
	ExprContext *econtext = s->econtext;
	OutputSortState st;
	int *order;
	int64 first;
	int64 last;
	MemoryContext old;

	s->last_current = false;
	/* a folding selector's rows wait for the batch's close */
	if (s->aggs && s->folds)
		selector_release_touched(s);
	else if (s->aggs)
		aggregate_flush(s, emit, arg);
	if (s->over)
		siddhi_over_flush(s->over, econtext, over_emit, &oa);
	if (s->reset)
	{
		s->reset = false;
		siddhi_aggs_reset(s->aggs);
	}
	if (s->topn)
	{
		siddhi_topn_chunk_end(s->topn, topn_emit, &oa);
		return;
	}
	if (!s->buffered || s->nout == 0)
		return;
	old = MemoryContextSwitchTo(econtext->ecxt_per_tuple_memory);
	order = palloc(sizeof(int) * s->nout);
	st.s = s;
	st.keys = palloc(sizeof(Datum) * s->nout * Max(s->norder, 1));
	st.nulls = palloc(sizeof(bool) * s->nout * Max(s->norder, 1));
	for (int i = 0; i < s->nout; i++)
	{
		order[i] = i;
		if (s->norder == 0)
			continue;
		ExecStoreMinimalTuple(s->out_tuples[i], s->sorted_slot, false);
		econtext->ecxt_scantuple = s->sorted_slot;
		for (int k = 0; k < s->norder; k++)
			st.keys[i * s->norder + k] = ExecEvalExpr(
				s->order_exprs[k], econtext, &st.nulls[i * s->norder + k]);
		ExecClearTuple(s->sorted_slot);
	}
	if (s->norder > 0)
		qsort_arg(order, s->nout, sizeof(int), compare_outputs, &st);
	MemoryContextSwitchTo(old);

	first = s->offset;
	last = s->limit >= 0 ? Min(s->nout, first + s->limit) : s->nout;
	s->nout = 0; /* before sending: sending may recurse */
	for (int64 r = first; r < last; r++)
	{
		int i = order[r];

		ExecStoreMinimalTuple(s->out_tuples[i], s->sorted_slot, false);
		emit(arg, s->sorted_slot, s->out_ts[i], s->out_kind[i], s->out_keys[i],
			 s->out_keylens[i]);
		ExecClearTuple(s->sorted_slot);
	}
}

void
siddhi_selector_abandon(SiddhiSelect *s)
{
	/* the rows a selector folded stay: they are the batch's, not the chunk's */
	for (int i = 0; i < s->npending && !s->folds; i++)
		siddhi_aggs_marks(s->pending_groups[i])->pending = 0;
	if (!s->folds)
		s->npending = 0;
	/* groups the chunk emptied go, as at its end (those of the aggregators
	 * in place: a partition's key may have changed since) */
	for (int i = 0; i < s->ntouched; i++)
	{
		siddhi_aggs_marks(s->touched[i])->touched = false;
		if (s->aggs && siddhi_aggs_holds(s->aggs, s->touched[i]))
			siddhi_aggs_release_if_empty(s->aggs, s->touched[i]);
	}
	s->ntouched = 0;
	s->nout = 0;
	s->reset = false;
	s->flush_group = NULL;
	s->last_current = false;
	if (s->over)
		siddhi_over_abandon(s->over);
}

bool
siddhi_selector_chunk_clean(SiddhiSelect *s)
{
	return s->npending == (s->folds ? s->npending : 0) && s->nout == 0 &&
		   !s->reset && s->flush_group == NULL && s->over == NULL &&
		   s->topn == NULL && !s->buffered;
}

bool
siddhi_selector_aggregates(SiddhiSelect *s)
{
	return s->aggs != NULL;
}

/*
 * Whether the rows a chunk makes depend only on its rows, each group's
 * last (or each row) going out by its own kind: no order by, limit or
 * offset, window function, batch fold or contents.  Expired rows that
 * join a chunk of current ones then change nothing that goes out of a
 * query of current events (query_expiry_in_step).
 */
bool
siddhi_selector_expiry_silent(SiddhiSelect *s)
{
	return s->over == NULL && s->topn == NULL && !s->folds && !s->buffered &&
		   s->events != SIDDHI_EVENTS_ALL;
}

bool
siddhi_selector_plain(SiddhiSelect *s)
{
	return s->aggs == NULL && s->over == NULL && s->having == NULL &&
		   s->topn == NULL && !s->folds && !s->buffered && !s->want_key &&
		   kind_goes_out(s->events, SIDDHI_EVENT_CURRENT);
}

TupleTableSlot *
siddhi_selector_project(SiddhiSelect *s, TupleTableSlot *slot)
{
	Assert(siddhi_selector_plain(s));
	s->econtext->ecxt_scantuple = slot;
	return ExecProject(s->proj);
}

int
siddhi_selector_scan_attrs(SiddhiSelect *s)
{
	int n = siddhi_expr_scan_attrs(&s->proj->pi_state);

	for (int k = 0; k < s->ngroup; k++)
		n = Max(n, siddhi_expr_scan_attrs(s->group_exprs[k]));
	for (int k = 0; k < s->naggs; k++)
		n = Max(n, siddhi_expr_scan_attrs(s->agg_args[k]));
	return n;
}

/* Whether an expired row does something here besides going out. */
bool
siddhi_selector_reads_expired(SiddhiSelect *s)
{
	return s->aggs != NULL || s->over != NULL;
}

void
siddhi_selector_reset_at_end(SiddhiSelect *s)
{
	if (s->aggs)
		s->reset = true;
}

/* siddhi_aggs_restart's: the group goes at the chunk's end if still empty */
static void
touch_group(void *arg, SiddhiAggGroup *g)
{
	selector_touch(arg, g);
}

void
siddhi_selector_reset(SiddhiSelect *s)
{
	if (s->aggs == NULL)
		return;
	/* a batch closes between chunks: no row of one is held */
	if (s->npending > 0)
		ereport(ERROR, (errcode(ERRCODE_INTERNAL_ERROR),
						errmsg("a batch window reset its query's "
							   "aggregators in the middle of a chunk")));
	siddhi_aggs_restart(s->aggs, touch_group, s);
}

void
siddhi_selector_set_aggs(SiddhiSelect *s, SiddhiAggregates *aggs)
{
	s->aggs = aggs;
}

SiddhiAggregates *
siddhi_selector_current_aggs(SiddhiSelect *s)
{
	return s->aggs;
}

/*
 * Epochs.  Between batches a selector holds nothing of a chunk (its
 * pending rows, touched groups and buffered outputs are gone at each
 * chunk's end): what lasts is its groups and their aggregators
 * (aggregate_state.c), its window functions' state (over_state.c) and
 * SQL's contents (topn.c); a folding selector's pending rows last too, and
 * are saved after the groups (selector_fold.c).
 */
bool
siddhi_selector_can_save(SiddhiSelect *s)
{
	return s->aggs == NULL || siddhi_aggs_can_save(s->aggs);
}

bool
siddhi_selector_holds_state(SiddhiSelect *s)
{
	return s->aggs != NULL || s->over != NULL || s->topn != NULL;
}

SiddhiAggregates *
siddhi_selector_aggs(SiddhiSelect *s)
{
	return s->aggs;
}

/*
 * groups_elsewhere: the groups are saved incrementally, in the query's
 * parts (src/runtime/query_state.c), not here.
 */
void
siddhi_selector_serialize(SiddhiSelect *s, StringInfo buf,
						  bool groups_elsewhere)
{
	Assert(siddhi_selector_can_save(s));
	/* (a folding selector's pending rows: siddhi_selector_serialize_folded) */
	Assert((s->npending == 0 || s->folds) && s->ntouched == 0 && s->nout == 0);
	siddhi_state_put_bool(buf, s->aggs != NULL);
	if (s->aggs)
		siddhi_state_put_bool(buf, groups_elsewhere);
	if (s->aggs && !groups_elsewhere)
		siddhi_aggs_serialize(s->aggs, buf);
	siddhi_state_put_bool(buf, s->over != NULL);
	if (s->over)
		siddhi_over_serialize(s->over, buf);
	siddhi_state_put_bool(buf, s->topn != NULL);
	if (s->topn)
		siddhi_topn_serialize(s->topn, buf);
}

/* Into a selector just created or cleared: it emits nothing. */
void
siddhi_selector_restore(SiddhiSelect *s, SiddhiStateReader *r,
						bool *groups_elsewhere)
{
	*groups_elsewhere = false;
	if (siddhi_state_get_bool(r) != (s->aggs != NULL))
		siddhi_state_corrupt(r, "The selector's groups are missing or extra");
	if (s->aggs)
		*groups_elsewhere = siddhi_state_get_bool(r);
	if (s->aggs && !*groups_elsewhere)
		siddhi_aggs_restore(s->aggs, r);
	if (siddhi_state_get_bool(r) != (s->over != NULL))
		siddhi_state_corrupt(r,
							 "The selector's window functions are missing or "
							 "extra");
	if (s->over)
		siddhi_over_restore(s->over, r);
	if (siddhi_state_get_bool(r) != (s->topn != NULL))
		siddhi_state_corrupt(r,
							 "The selector's contents are missing or extra");
	if (s->topn)
		siddhi_topn_restore(s->topn, r);
}

/*
 * Forget every group, the window functions' rows and the contents: the
 * selector is as just created.  A partition's selector between keys (aggs
 * NULL) holds no group.
 */
void
siddhi_selector_clear(SiddhiSelect *s)
{
	if (s->folds)
		selector_drop_folded(s);
	siddhi_selector_abandon(s);
	if (s->aggs)
		siddhi_aggs_clear(s->aggs);
	if (s->over)
		siddhi_over_clear(s->over);
	if (s->topn)
		siddhi_topn_clear(s->topn);
}
