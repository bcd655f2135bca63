/*-------------------------------------------------------------------------
 *
 * ratelimit.h
 *	  Output rate limiting of a query (src/runtime/select/ratelimit.c).
 *
 * A rate limiter sits between a query's selector and its output: the rows
 * the query would send go to siddhi_rate_offer(), and the limiter hands
 * back, through a callback, the rows that really leave, now or when a
 * period ends (siddhi_rate_advance()).  A snapshot limiter instead keeps
 * the query's state, fed the events that leave its window with
 * siddhi_rate_remember(), and at the end of every period hands back the
 * input events whose output rows make up the snapshot; the caller projects
 * them (with the aggregate values of their group at that moment).
 *
 * Memory: held rows are copies in the limiter's own context.  `all` holds
 * the rows of one period (n rows, or the rows of t ms); `first` and `last`
 * with group by hold one entry per group, at most siddhi.max_groups; a
 * windowed snapshot holds what the window holds.
 *
 *-------------------------------------------------------------------------
 */
#ifndef SIDDHI_RATELIMIT_H
#define SIDDHI_RATELIMIT_H

#include "lib/stringinfo.h"
#include "siddhi/state.h"
#include "access/htup_details.h"
#include "siddhi/analyzer.h"
#include "siddhi/window.h"

typedef struct SiddhiRateLimiter SiddhiRateLimiter;

/*
 * A row leaving the limiter: an output row (tuple of the output relation)
 * of the given kind, or for snapshots an input event to project, with the
 * key of its group (keylen 0 without group by).
 */
typedef void (*SiddhiRateEmitFn)(void *arg, MinimalTuple tuple, int64 ts,
								 SiddhiEventKind kind, const char *key,
								 Size keylen);

/* A limiter for the plan's output rate, in a context under parent. */
extern SiddhiRateLimiter *siddhi_rate_create(SiddhiRateKind kind,
											 SiddhiRateType type, int64 value,
											 SiddhiSnapshotKind snapshot,
											 bool grouped,
											 MemoryContext parent);

/* Is this a snapshot limiter (fed with siddhi_rate_remember)? */
extern bool siddhi_rate_is_snapshot(SiddhiRateLimiter *r);

/*
 * An output row of the query (not for snapshots), at clock time now: emit
 * through fn what leaves at once.  The tuple is copied when kept.
 */
extern void siddhi_rate_offer(SiddhiRateLimiter *r, MinimalTuple tuple,
							  int64 ts, SiddhiEventKind kind, const char *key,
							  Size keylen, int64 now, SiddhiRateEmitFn fn,
							  void *arg);

/*
 * Snapshots: an event at ts is about to be taken in (siddhi_rate_remember).
 * When the limiter's period has ended by ts, the snapshot of that one
 * period goes out through fn first, as the state was before the event:
 * Siddhi's snapshot limiters check every event they take in against the
 * end of their period (the later periods end at the limiter's own turn,
 * siddhi_rate_advance).
 */
extern void siddhi_rate_before_event(SiddhiRateLimiter *r, int64 ts,
									 SiddhiRateEmitFn fn, void *arg);

/* Snapshots: an event leaving the query's window (or input, without one). */
extern void siddhi_rate_remember(SiddhiRateLimiter *r, MinimalTuple tuple,
								 int64 ts, SiddhiEventKind kind,
								 const char *key, Size keylen);

/*
 * Time passes: the clock is now `now` (ms).  The first call starts the
 * first period of a time or snapshot limiter; every period that has ended
 * by now emits through fn, in order.  A snapshot's period ends with a
 * call of fn of kind SIDDHI_EVENT_CHUNK_END (no tuple): Siddhi's limiter
 * sends each period's snapshot as a chunk of its own.
 */
extern void siddhi_rate_advance(SiddhiRateLimiter *r, int64 now,
								SiddhiRateEmitFn fn, void *arg);

/* When the limiter next needs siddhi_rate_advance, or -1 for never. */
extern int64 siddhi_rate_deadline(SiddhiRateLimiter *r);

/*
 * Epochs (include/siddhi/state.h): whether a rate limiter (held rows, counters, its period) can be saved, its state
 * appended to buf, and read back into one just created (restore emits
 * nothing).
 */
extern bool siddhi_rate_can_save(SiddhiRateLimiter *x);
extern void siddhi_rate_serialize(SiddhiRateLimiter *x, StringInfo buf);
extern void siddhi_rate_restore(SiddhiRateLimiter *x, SiddhiStateReader *r);

/* Free a rate limiter and everything it holds. */
extern void siddhi_rate_free(SiddhiRateLimiter *r);

#endif /* SIDDHI_RATELIMIT_H */
