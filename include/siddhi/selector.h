/*-------------------------------------------------------------------------
 *
 * selector.h
 *	  The selector of a query (src/runtime/select/selector.c): projection,
 *	  group by and aggregates, having, order by / limit / offset, window
 *	  functions and SQL's contents.  The driver hands it each row that
 *	  leaves the query's window (or join, or pattern) and the end of each
 *	  chunk; what it outputs goes back through the callback the driver
 *	  gives (the query's rate limiter or output), never by a call into the
 *	  driver.
 *
 *-------------------------------------------------------------------------
 */
#ifndef SIDDHI_SELECTOR_H
#define SIDDHI_SELECTOR_H

#include "executor/executor.h"
#include "lib/stringinfo.h"
#include "siddhi/state.h"
#include "siddhi/aggregate.h"
#include "siddhi/analyzer.h"
#include "siddhi/window.h"

typedef struct SiddhiSelect SiddhiSelect;

/*
 * Where an output row goes: the query's rate limiter or output.  key is
 * the row's group key (rate limits and contents per group), or NULL.
 */
typedef void (*SiddhiSelectEmit)(void *arg, TupleTableSlot *row, int64 ts,
								 SiddhiEventKind kind, const char *key,
								 Size keylen);

/*
 * The selector of query plan qp over rows of rowdesc, projecting into
 * out_slot with econtext (the query's; its per-tuple memory holds a
 * chunk's pending rows until the chunk ends).  keyed_state: the
 * aggregators belong to a partition's keys (siddhi_selector_set_aggs);
 * rate: the query has an output rate limiter (its rows need their group).
 */
extern SiddhiSelect *siddhi_selector_create(
	SiddhiQueryPlan *qp, TupleDesc rowdesc, TupleTableSlot *out_slot,
	ExprContext *econtext, bool keyed_state, bool rate, MemoryContext cxt);

/* A row of kind leaving the query's window (the filters after it held). */
extern void siddhi_selector_row(SiddhiSelect *s, TupleTableSlot *slot,
								int64 ts, SiddhiEventKind kind,
								SiddhiSelectEmit emit, void *arg);

/* The chunk has ended: aggregates, order by and limit make their rows. */
extern void siddhi_selector_chunk_end(SiddhiSelect *s, SiddhiSelectEmit emit,
									  void *arg);

/*
 * A join's arrival has made its rows: its groups' rows go out (into the
 * order by's buffer, if any), as Siddhi's join hands its selector one
 * chunk per arriving event; order by and limit still wait for the chunk.
 */
extern void siddhi_selector_group_end(SiddhiSelect *s, SiddhiSelectEmit emit,
									  void *arg);

/* After an error: forget the chunk it was in the middle of. */
extern void siddhi_selector_abandon(SiddhiSelect *s);

/*
 * A snapshot limiter's row: the input event in slot projected with the
 * aggregates its group has now; having applies.  emit gets it as current.
 */
extern void siddhi_selector_snapshot(SiddhiSelect *s, TupleTableSlot *slot,
									 int64 ts, SiddhiSelectEmit emit,
									 void *arg);

/* The group key of the event in the scan tuple; NULL without group by. */
extern const char *siddhi_selector_group_key(SiddhiSelect *s, Size *keylen);

/* Whether the query aggregates (its selector keeps groups). */
extern bool siddhi_selector_aggregates(SiddhiSelect *s);
/*
 * Nothing of the chunk under way waits in s (pending rows but a folding
 * batch's, rows out, a reset or flush due; groups it emptied are released
 * by siddhi_selector_abandon as by its end), and s has no window
 * functions, top-n or ordering: what siddhi_selector_abandon would forget
 * is only what comes next.
 */
extern bool siddhi_selector_chunk_clean(SiddhiSelect *s);
extern bool siddhi_selector_reads_expired(SiddhiSelect *s);

/*
 * Whether each current row s takes goes out at once as its projection and
 * nothing else happens in s: no aggregate, window function, having, order
 * by, limit or fold, no group key wanted, and current rows go out.  Its
 * rows may then skip siddhi_selector_row and the chunk's end, which would
 * do just that: siddhi_selector_project makes the row.
 */
extern bool siddhi_selector_plain(SiddhiSelect *s);
extern TupleTableSlot *siddhi_selector_project(SiddhiSelect *s,
											   TupleTableSlot *slot);
/* how many attributes of an input row s's expressions read */
extern int siddhi_selector_scan_attrs(SiddhiSelect *s);
extern bool siddhi_selector_expiry_silent(SiddhiSelect *s);

/* The aggregators start again at the chunk's end (Siddhi's RESET). */
extern void siddhi_selector_reset_at_end(SiddhiSelect *s);

/*
 * The driver knows that the next current event to reach s, if any, is the
 * last the selector sees before its chunk ends (on: an arrival that ends
 * its chunk, with no window or one that hands the arrival out last,
 * siddhi_window_kind_current_last); off again once that arrival is
 * through.  An aggregating selector
 * then outputs that event's row at once, rather than copying it to output
 * at the chunk's end, when no other group waits to go before it.
 */
extern void siddhi_selector_last(SiddhiSelect *s, bool on);

/* A partition's query: what each key's aggregators are made like. */
extern SiddhiAggregates *siddhi_selector_agg_proto(SiddhiSelect *s);
/* A batch window's RESET: every group starts again now, between chunks. */
extern void siddhi_selector_reset(SiddhiSelect *s);

/*
 * selector_fold.c: the query's batch window folds (siddhi_window_plan_folds).
 * An aggregating selector then keeps each group's row across chunks until
 * the window closes the batch (siddhi_selector_close_batch: the rows go
 * out, then every group starts again).  Its pending rows are saved after
 * its groups, and restored after them.
 */
extern void siddhi_selector_fold_batches(SiddhiSelect *s);
extern bool siddhi_selector_folds(SiddhiSelect *s);
extern void siddhi_selector_close_batch(SiddhiSelect *s, SiddhiSelectEmit emit,
										void *arg);
extern void siddhi_selector_serialize_folded(SiddhiSelect *s, StringInfo buf);
extern void siddhi_selector_restore_folded(SiddhiSelect *s,
										   SiddhiStateReader *r);

/* The partition wrapper: the aggregators of the key being processed. */
extern void siddhi_selector_set_aggs(SiddhiSelect *s, SiddhiAggregates *aggs);

/* The aggregators the selector holds now (metrics), or NULL. */
extern SiddhiAggregates *siddhi_selector_current_aggs(SiddhiSelect *s);

/*
 * The key of an event for group by or a window: the text of each value,
 * each ended by a NUL (a null value is \x01).  The values are also left
 * in values/nulls when those are given.
 */
extern void siddhi_build_key(ExprContext *econtext, ExprState **exprs,
							 FmgrInfo *out, int n, Datum *values, bool *nulls,
							 StringInfo buf);

/*
 * Epochs (include/siddhi/state.h): whether a selector (its groups, window
 * functions and SQL's contents) can be saved, its state appended to buf,
 * and read back into one just created or cleared (restore emits nothing).
 * holds_state: whether it has anything to save (groups, window functions
 * or contents); a query whose selector holds state needs its selector
 * saved even when it does not aggregate.
 */
extern bool siddhi_selector_can_save(SiddhiSelect *x);
extern bool siddhi_selector_holds_state(SiddhiSelect *s);
extern void siddhi_selector_serialize(SiddhiSelect *x, StringInfo buf,
									  bool groups_elsewhere);
extern void siddhi_selector_restore(SiddhiSelect *x, SiddhiStateReader *r,
									bool *groups_elsewhere);
/* its group map (saved incrementally by the query), or NULL */
extern SiddhiAggregates *siddhi_selector_aggs(SiddhiSelect *x);

/* Epochs: forget every group, row and entry (a selector about to be
 * restored). */
extern void siddhi_selector_clear(SiddhiSelect *s);

#endif /* SIDDHI_SELECTOR_H */
