/*-------------------------------------------------------------------------
 *
 * ratelimit.c
 *	  Output rate limiting: output [all|first|last] every <n> events or
 *	  every <t>, and output snapshot every <t>, with Siddhi's semantics.
 *
 * Per events, the limiter counts the rows the query outputs (current and,
 * when the query outputs them, expired):
 *   all    holds rows and lets them all go with every n-th;
 *   first  lets the 1st of every n go (with group by: per group, counting
 *          that group's rows);
 *   last   lets every n-th go (with group by: every n-th row of any group
 *          lets out the latest row of each group seen since, in the order
 *          the groups first came).
 * Per time, periods of t ms follow each other from the limiter's start:
 *   all, last  as above, but released when a period ends, even when no
 *          row arrives then;
 *   first  lets a row go when none went in the last t ms (with group by:
 *          per group); it needs no timer.
 * A snapshot re-emits, at the end of every period, the query's current
 * state, as Siddhi decides from the query's shape (SiddhiSnapshotKind):
 * the latest event (per group), every event in the window, or one row per
 * group in the window.  Snapshot rows are current events; their caller
 * projects them with the aggregate values of that moment.
 *
 * Time: the limiter knows only the times it is given.  The runtime starts
 * it at the app's start on the wall clock, or, in playback, at the app
 * clock's first value (the first event's time), and advances it after the
 * query's window, so a window flush due at the same time is seen first
 * (Siddhi's schedulers fire in the order they were made, the window's
 * before the limiter's, each all it has due).  A snapshot also ends a
 * period before an event it takes in that is stamped at or after the
 * period's end (siddhi_rate_before_event): an expiry the window lets go
 * when the clock jumps is stamped with the clock, and shows the state
 * before it in that period's snapshot.
 *
 * Emitting may run other queries (depth first), so the limiter updates
 * its state before it calls back; rows released are detached first and
 * freed after.  If a callback fails, the rows of that release not yet
 * emitted are lost, as an event that fails in a query is.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "common/hashfn.h"
#include "lib/ilist.h"
#include "miscadmin.h"
#include "siddhi/ratelimit.h"
#include "siddhi/shmem.h"
#include "utils/hsearch.h"
#include "utils/memutils.h"
#include "siddhi/state.h"

/* a clock jumping over more periods than this repeats a snapshot no more */
#define MAX_SNAPSHOT_REPEATS 1000

typedef struct RateGroup RateGroup;

/* A row the limiter holds: an output row, or for snapshots an input event */
typedef struct RateRow
{
	dlist_node node;
	MinimalTuple tuple;
	int64 ts;
	SiddhiEventKind kind;
	RateGroup *group; /* window snapshots with group by */
} RateRow;

struct RateGroup
{
	uint64 hash; /* of the key */
	char *key;
	Size keylen;
	dlist_node node;   /* in group_order: first seen first */
	RateRow *row;	   /* last, snapshot LAST: the group's latest row */
	int64 count;	   /* first per events: the group's rows since output;
						* window groups: its events in the window */
	int64 output_time; /* first per time: when it last let a row go */
	bool done;		   /* scratch: emitted in this snapshot */
	int64 place;	   /* scratch: its place in group_order, when saved */
};

typedef struct GroupEntry
{
	uint64 hash; /* hash key */
	RateGroup *group;
} GroupEntry;

struct SiddhiRateLimiter
{
	SiddhiRateKind kind;
	SiddhiRateType type;
	int64 value; /* events, or milliseconds */
	SiddhiSnapshotKind snapshot;
	bool grouped;
	MemoryContext cxt;
	int64 counter; /* per events: rows since the last release */
	int64 next;	   /* per time, snapshot: end of the period; -1 unstarted */
	int64 output_time; /* first per time: last output, -1 for none yet */
	dlist_head rows;   /* all: held rows; window snapshots: the window */
	RateRow *last;	   /* last, snapshot LAST without group by */
	HTAB *groups;	   /* of GroupEntry, when grouped */
	dlist_head group_order;
};

SiddhiRateLimiter *
siddhi_rate_create(SiddhiRateKind kind, SiddhiRateType type, int64 value,
				   SiddhiSnapshotKind snapshot, bool grouped,
				   MemoryContext parent)
{
	MemoryContext cxt = AllocSetContextCreate(parent, "siddhi rate limiter",
											  ALLOCSET_DEFAULT_SIZES);
	SiddhiRateLimiter *r =
		MemoryContextAllocZero(cxt, sizeof(SiddhiRateLimiter));
	HASHCTL ctl;

	Assert(value > 0 && kind != SIDDHI_RATE_NONE);
	r->kind = kind;
	r->type = type;
	r->value = value;
	r->snapshot = snapshot;
	r->grouped = grouped;
	r->cxt = cxt;
	r->next = -1;
	r->output_time = -1;
	dlist_init(&r->rows);
	dlist_init(&r->group_order);
	memset(&ctl, 0, sizeof(ctl));
	ctl.keysize = sizeof(uint64);
	ctl.entrysize = sizeof(GroupEntry);
	ctl.hcxt = cxt;
	r->groups = hash_create("siddhi rate groups", 64, &ctl,
							HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
	return r;
}

bool
siddhi_rate_is_snapshot(SiddhiRateLimiter *r)
{
	return r->kind == SIDDHI_RATE_SNAPSHOT;
}

static RateRow *
row_make(SiddhiRateLimiter *r, MinimalTuple tuple, int64 ts,
		 SiddhiEventKind kind)
{
	RateRow *row = MemoryContextAlloc(r->cxt, sizeof(RateRow));

	row->tuple = MemoryContextAlloc(r->cxt, tuple->t_len);
	memcpy(row->tuple, tuple, tuple->t_len);
	row->ts = ts;
	row->kind = kind;
	row->group = NULL;
	return row;
}

static void
row_free(RateRow *row)
{
	if (row == NULL)
		return;
	pfree(row->tuple);
	pfree(row);
}

/* The group of a key; NULL when absent and !create. */
static RateGroup *
group_get(SiddhiRateLimiter *r, const char *key, Size keylen, bool create)
{
	uint64 hash = hash_bytes_extended((const unsigned char *) key, keylen, 0);
	GroupEntry *e;
	bool found;
	RateGroup *g;

	e = hash_search(r->groups, &hash, create ? HASH_ENTER : HASH_FIND, &found);
	if (e == NULL)
		return NULL;
	if (found)
	{
		g = e->group;
		if (g->keylen != keylen || memcmp(g->key, key, keylen) != 0)
			ereport(ERROR, errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					errmsg("siddhi: two group-by keys share a 64-bit hash"));
		return g;
	}
	if (hash_get_num_entries(r->groups) > siddhi_max_groups)
	{
		hash_search(r->groups, &hash, HASH_REMOVE, NULL);
		ereport(ERROR, (errcode(ERRCODE_CONFIGURATION_LIMIT_EXCEEDED),
						errmsg("output rate limit holds more than %d groups",
							   siddhi_max_groups),
						errdetail("The row of a new group is skipped."),
						errhint("Raise siddhi.max_groups, or use a shorter "
								"period.")));
	}
	g = MemoryContextAllocZero(r->cxt, sizeof(RateGroup));
	g->hash = hash;
	g->key = MemoryContextAlloc(r->cxt, Max(keylen, 1));
	memcpy(g->key, key, keylen);
	g->keylen = keylen;
	g->output_time = -1;
	dlist_push_tail(&r->group_order, &g->node);
	e->group = g;
	return g;
}

static void
group_drop(SiddhiRateLimiter *r, RateGroup *g)
{
	hash_search(r->groups, &g->hash, HASH_REMOVE, NULL);
	dlist_delete(&g->node);
	row_free(g->row);
	pfree(g->key);
	pfree(g);
}

/* Let every held row go (all), in arrival order. */
static void
release_all(SiddhiRateLimiter *r, SiddhiRateEmitFn fn, void *arg)
{
	dlist_head out;
	dlist_mutable_iter it;

	if (dlist_is_empty(&r->rows))
		return;
	/* detach first: emitting may bring rows back here */
	dlist_init(&out);
	while (!dlist_is_empty(&r->rows))
		dlist_push_tail(&out, dlist_pop_head_node(&r->rows));
	dlist_foreach_modify(it, &out)
	{
		RateRow *row = dlist_container(RateRow, node, it.cur);

		fn(arg, row->tuple, row->ts, row->kind, NULL, 0);
		dlist_delete(&row->node);
		row_free(row);
	}
}

/* Let the latest row of each group go, groups in the order first seen. */
static void
release_groups(SiddhiRateLimiter *r, SiddhiRateEmitFn fn, void *arg)
{
	int n = 0;
	int i = 0;
	RateRow **rows;
	dlist_iter cnt;
	dlist_mutable_iter it;

	dlist_foreach(cnt, &r->group_order) n++;
	if (n == 0)
		return;
	rows = palloc(sizeof(RateRow *) * n);
	dlist_foreach_modify(it, &r->group_order)
	{
		RateGroup *g = dlist_container(RateGroup, node, it.cur);

		rows[i++] = g->row;
		g->row = NULL;
		group_drop(r, g);
	}
	for (i = 0; i < n; i++)
		fn(arg, rows[i]->tuple, rows[i]->ts, rows[i]->kind, NULL, 0);
	for (i = 0; i < n; i++)
		row_free(rows[i]);
	pfree(rows);
}

/* Let the latest row go (last, without group by). */
static void
release_last(SiddhiRateLimiter *r, SiddhiRateEmitFn fn, void *arg)
{
	RateRow *row = r->last;

	if (row == NULL)
		return;
	r->last = NULL;
	fn(arg, row->tuple, row->ts, row->kind, NULL, 0);
	row_free(row);
}

void
siddhi_rate_offer(SiddhiRateLimiter *r, MinimalTuple tuple, int64 ts,
				  SiddhiEventKind kind, const char *key, Size keylen,
				  int64 now, SiddhiRateEmitFn fn, void *arg)
{
	RateGroup *g;

	Assert(r->kind != SIDDHI_RATE_SNAPSHOT);
	if (r->type == SIDDHI_RATE_ALL)
	{
		dlist_push_tail(&r->rows, &row_make(r, tuple, ts, kind)->node);
		if (r->kind == SIDDHI_RATE_EVENTS && ++r->counter == r->value)
		{
			r->counter = 0;
			release_all(r, fn, arg);
		}
		return;
	}
	if (r->type == SIDDHI_RATE_FIRST)
	{
		bool pass;

		if (r->kind == SIDDHI_RATE_EVENTS)
		{
			int64 *counter;

			g = r->grouped ? group_get(r, key, keylen, true) : NULL;
			counter = g ? &g->count : &r->counter;
			pass = ++*counter == 1;
			/* the n-th row closes the block (n = 1: every row passes) */
			if (*counter == r->value)
			{
				if (g)
					group_drop(r, g);
				else
					*counter = 0;
			}
		}
		else
		{
			int64 *output_time;

			g = r->grouped ? group_get(r, key, keylen, true) : NULL;
			output_time = g ? &g->output_time : &r->output_time;
			pass = *output_time < 0 || *output_time + r->value <= now;
			if (pass)
				*output_time = now;
		}
		if (pass)
			fn(arg, tuple, ts, kind, NULL, 0);
		return;
	}

	/* last */
	if (r->grouped)
	{
		g = group_get(r, key, keylen, true);
		row_free(g->row);
		g->row = row_make(r, tuple, ts, kind);
	}
	else
	{
		row_free(r->last);
		r->last = row_make(r, tuple, ts, kind);
	}
	if (r->kind == SIDDHI_RATE_EVENTS && ++r->counter == r->value)
	{
		r->counter = 0;
		if (r->grouped)
			release_groups(r, fn, arg);
		else
			release_last(r, fn, arg);
	}
}

/* Two events are the same when their tuples are byte for byte equal. */
static bool
tuple_equal(MinimalTuple a, MinimalTuple b)
{
	return a->t_len == b->t_len && memcmp(a, b, a->t_len) == 0;
}

void
siddhi_rate_remember(SiddhiRateLimiter *r, MinimalTuple tuple, int64 ts,
					 SiddhiEventKind kind, const char *key, Size keylen)
{
	RateGroup *g;
	dlist_iter it;

	Assert(r->kind == SIDDHI_RATE_SNAPSHOT);
	if (r->snapshot == SIDDHI_SNAPSHOT_LAST)
	{
		if (r->grouped)
		{
			if (kind != SIDDHI_EVENT_CURRENT)
				return;
			g = group_get(r, key, keylen, true);
			row_free(g->row);
			g->row = row_make(r, tuple, ts, kind);
			g->row->group = g;
			return;
		}
		/* an expiry leaves nothing to show, as in Siddhi */
		row_free(r->last);
		r->last =
			kind == SIDDHI_EVENT_CURRENT ? row_make(r, tuple, ts, kind) : NULL;
		return;
	}

	/* the window's events, in order */
	if (kind == SIDDHI_EVENT_CURRENT)
	{
		RateRow *row = row_make(r, tuple, ts, kind);

		if (r->snapshot == SIDDHI_SNAPSHOT_WINDOW_GROUPS)
		{
			row->group = group_get(r, key, keylen, true);
			row->group->count++;
		}
		dlist_push_tail(&r->rows, &row->node);
		return;
	}
	dlist_foreach(it, &r->rows)
	{
		RateRow *row = dlist_container(RateRow, node, it.cur);

		if (!tuple_equal(row->tuple, tuple))
			continue;
		dlist_delete(&row->node);
		if (row->group && --row->group->count == 0)
			group_drop(r, row->group);
		row_free(row);
		return;
	}
}

/* Does the snapshot have nothing to show? */
static bool
snapshot_empty(SiddhiRateLimiter *r)
{
	if (r->snapshot != SIDDHI_SNAPSHOT_LAST)
		return dlist_is_empty(&r->rows);
	return r->grouped ? dlist_is_empty(&r->group_order) : r->last == NULL;
}

/*
 * Emit the snapshot.  The rows are copied into a context of their own
 * first: what the callback runs may change the state.
 */
static void
emit_snapshot(SiddhiRateLimiter *r, SiddhiRateEmitFn fn, void *arg)
{
	MemoryContext cxt = AllocSetContextCreate(
		CurrentMemoryContext, "siddhi snapshot", ALLOCSET_DEFAULT_SIZES);
	MemoryContext old = MemoryContextSwitchTo(cxt);
	List *out = NIL;
	dlist_iter it;
	ListCell *lc;

	if (r->snapshot == SIDDHI_SNAPSHOT_LAST && !r->grouped)
	{
		if (r->last)
			out = lappend(out, r->last);
	}
	else if (r->snapshot == SIDDHI_SNAPSHOT_LAST)
	{
		dlist_foreach(it, &r->group_order)
		{
			RateGroup *g = dlist_container(RateGroup, node, it.cur);

			if (g->row)
				out = lappend(out, g->row);
		}
	}
	else
	{
		dlist_foreach(it, &r->rows)
		{
			RateRow *row = dlist_container(RateRow, node, it.cur);

			/* window groups: one row per group, from its oldest event */
			if (row->group && row->group->done)
				continue;
			if (row->group)
				row->group->done = true;
			out = lappend(out, row);
		}
		dlist_foreach(it, &r->group_order)
			dlist_container(RateGroup, node, it.cur)
				->done = false;
	}
	foreach(lc, out)
	{
		RateRow *row = lfirst(lc);
		RateRow *copy = palloc(sizeof(RateRow));

		*copy = *row;
		copy->tuple = palloc(row->tuple->t_len);
		memcpy(copy->tuple, row->tuple, row->tuple->t_len);
		if (row->group)
		{
			copy->group = palloc(sizeof(RateGroup));
			copy->group->key = pnstrdup(row->group->key, row->group->keylen);
			copy->group->keylen = row->group->keylen;
		}
		lfirst(lc) = copy;
	}
	MemoryContextSwitchTo(old);
	foreach(lc, out)
	{
		RateRow *row = lfirst(lc);

		fn(arg, row->tuple, row->ts, SIDDHI_EVENT_CURRENT,
		   row->group ? row->group->key : NULL,
		   row->group ? row->group->keylen : 0);
	}
	MemoryContextDelete(cxt);
}

/*
 * Siddhi's snapshot limiters (the *PerSnapshotOutputRateLimiter classes)
 * end a period when a timer event of theirs comes, and also when any
 * event they take in (current, expired, a batch's reset) is stamped at
 * or after the period's end: the snapshot of the state before that event
 * goes first, one period per event.  An expiry is stamped with the clock,
 * so when the clock jumps over period ends, each event the window lets
 * go then ends one period, before the limiter's own timers run.
 */
void
siddhi_rate_before_event(SiddhiRateLimiter *r, int64 ts, SiddhiRateEmitFn fn,
						 void *arg)
{
	if (r->kind != SIDDHI_RATE_SNAPSHOT || r->next < 0 || ts < r->next)
		return;
	r->next += r->value; /* before emitting: emitting may come back */
	if (!snapshot_empty(r))
		emit_snapshot(r, fn, arg);
}

void
siddhi_rate_advance(SiddhiRateLimiter *r, int64 now, SiddhiRateEmitFn fn,
					void *arg)
{
	int repeats = 0;

	if (r->kind == SIDDHI_RATE_EVENTS ||
		(r->kind == SIDDHI_RATE_TIME && r->type == SIDDHI_RATE_FIRST))
		return;
	if (r->next < 0)
	{
		/* the first period starts now */
		r->next = now + r->value;
		return;
	}
	while (r->next <= now)
	{
		CHECK_FOR_INTERRUPTS();
		r->next += r->value; /* before emitting: emitting may come back */
		if (r->kind == SIDDHI_RATE_SNAPSHOT)
		{
			if (snapshot_empty(r) || ++repeats > MAX_SNAPSHOT_REPEATS)
				break;
			emit_snapshot(r, fn, arg);
			/* each timer of Siddhi's limiter is a step of its own */
			fn(arg, NULL, r->next - r->value, SIDDHI_EVENT_CHUNK_END, NULL, 0);
		}
		else if (r->type == SIDDHI_RATE_ALL)
		{
			release_all(r, fn, arg);
			break;
		}
		else if (r->grouped)
		{
			release_groups(r, fn, arg);
			break;
		}
		else
		{
			release_last(r, fn, arg);
			break;
		}
	}
	/* nothing is held any more: skip the periods that have passed */
	if (r->next <= now)
		r->next += ((now - r->next) / r->value + 1) * r->value;
}

int64
siddhi_rate_deadline(SiddhiRateLimiter *r)
{
	if (r->kind == SIDDHI_RATE_EVENTS ||
		(r->kind == SIDDHI_RATE_TIME && r->type == SIDDHI_RATE_FIRST))
		return -1;
	return r->next;
}

void
siddhi_rate_free(SiddhiRateLimiter *r)
{
	MemoryContextDelete(r->cxt);
}

/*
 * Epochs.  Saved: the counter, the end of the period (next) and the last
 * output time; the groups in the order they were first seen, each with its
 * key, count, output time and latest row; the rows held (all, or the
 * window of a snapshot) in order, each naming its group by its place in
 * that order; and the latest row without group by.  A row is its tuple,
 * time and kind.  Restore finds each group again by its key (the hash is
 * computed again) and emits nothing; the period goes on from `next`, so
 * the next release comes when it would have.
 */
bool
siddhi_rate_can_save(SiddhiRateLimiter *r)
{
	return r != NULL;
}

/* A saved row: its tuple, time and kind. */
#define SAVED_ROW_MIN ((int) sizeof(int32) * 2 + (int) sizeof(int64))

static void
put_row(StringInfo buf, RateRow *row)
{
	siddhi_state_put_tuple(buf, row->tuple);
	siddhi_state_put_int64(buf, row->ts);
	siddhi_state_put_int32(buf, (int32) row->kind);
}

static RateRow *
get_row(SiddhiRateLimiter *r, SiddhiStateReader *rd)
{
	RateRow *row = MemoryContextAlloc(r->cxt, sizeof(RateRow));
	int32 kind;

	row->tuple = siddhi_state_get_tuple(rd, r->cxt);
	row->ts = siddhi_state_get_int64(rd);
	kind = siddhi_state_get_int32(rd);
	if (kind != SIDDHI_EVENT_CURRENT && kind != SIDDHI_EVENT_EXPIRED)
		siddhi_state_corrupt(rd, "A held row is of no kind");
	row->kind = (SiddhiEventKind) kind;
	row->group = NULL;
	return row;
}

void
siddhi_rate_serialize(SiddhiRateLimiter *r, StringInfo buf)
{
	dlist_iter it;
	int64 n = 0;

	siddhi_state_put_int64(buf, r->counter);
	siddhi_state_put_int64(buf, r->next);
	siddhi_state_put_int64(buf, r->output_time);
	dlist_foreach(it, &r->group_order) n++;
	siddhi_state_put_int64(buf, n);
	n = 0;
	dlist_foreach(it, &r->group_order)
	{
		RateGroup *g = dlist_container(RateGroup, node, it.cur);

		g->place = n++;
		siddhi_state_put_bytes(buf, g->key, (int) g->keylen);
		siddhi_state_put_int64(buf, g->count);
		siddhi_state_put_int64(buf, g->output_time);
		siddhi_state_put_bool(buf, g->row != NULL);
		if (g->row)
		{
			put_row(buf, g->row);
			siddhi_state_put_bool(buf, g->row->group == g);
		}
	}
	n = 0;
	dlist_foreach(it, &r->rows) n++;
	siddhi_state_put_int64(buf, n);
	dlist_foreach(it, &r->rows)
	{
		RateRow *row = dlist_container(RateRow, node, it.cur);

		put_row(buf, row);
		siddhi_state_put_int64(buf, row->group ? row->group->place : -1);
	}
	siddhi_state_put_bool(buf, r->last != NULL);
	if (r->last)
		put_row(buf, r->last);
}

void
siddhi_rate_restore(SiddhiRateLimiter *r, SiddhiStateReader *rd)
{
	int64 n;
	RateGroup **groups;

	Assert(dlist_is_empty(&r->rows) && dlist_is_empty(&r->group_order) &&
		   r->last == NULL);
	r->counter = siddhi_state_get_int64(rd);
	r->next = siddhi_state_get_int64(rd);
	r->output_time = siddhi_state_get_int64(rd);
	if (r->counter < 0 ||
		(r->kind == SIDDHI_RATE_EVENTS && r->counter >= r->value))
		siddhi_state_corrupt(rd, "A rate limiter's counter is out of range");
	n = siddhi_state_get_count(rd,
							   (int) sizeof(int32) + 2 * sizeof(int64) + 1);
	if (n > 0 && !r->grouped)
		siddhi_state_corrupt(rd, "A rate limiter without group by has groups");
	groups = palloc(sizeof(RateGroup *) * Max(n, 1));
	for (int64 i = 0; i < n; i++)
	{
		int keylen;
		const char *key = siddhi_state_get_bytes(rd, &keylen);
		long before = hash_get_num_entries(r->groups);
		RateGroup *g = group_get(r, key, keylen, true);

		if (hash_get_num_entries(r->groups) == before)
			siddhi_state_corrupt(rd, "A group is there twice");
		g->count = siddhi_state_get_int64(rd);
		g->output_time = siddhi_state_get_int64(rd);
		if (siddhi_state_get_bool(rd))
		{
			g->row = get_row(r, rd);
			if (siddhi_state_get_bool(rd))
				g->row->group = g;
		}
		groups[i] = g;
	}
	{
		int64 nrows = siddhi_state_get_count(rd, SAVED_ROW_MIN);

		for (int64 i = 0; i < nrows; i++)
		{
			RateRow *row = get_row(r, rd);
			int64 place = siddhi_state_get_int64(rd);

			if (place < -1 || place >= n)
				siddhi_state_corrupt(rd, "A held row names no group");
			if (place >= 0)
				row->group = groups[place];
			dlist_push_tail(&r->rows, &row->node);
		}
	}
	if (siddhi_state_get_bool(rd))
		r->last = get_row(r, rd);
	pfree(groups);
}
