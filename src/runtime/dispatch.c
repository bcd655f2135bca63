/*-------------------------------------------------------------------------
 *
 * dispatch.c
 *	  A stream junction's dispatch index: the readers that can only be
 *	  affected by events whose attribute equals their constant, or lies
 *	  on one side of it (their dispatch key,
 *	  src/analyzer/analyze_dispatch.c), by that value, so that an event
 *	  visits only the readers that want its value and the readers without
 *	  a key.
 *
 * Built at the first event after the junction's readers changed, in the
 * runtime's memory, from the readers keyed on one attribute (the one
 * most of them are keyed on, with one equality operator and collation,
 * equalities and ranges together; readers keyed otherwise count as
 * unkeyed).  Equality readers go into a hash table from value to their
 * positions in j->consumers.  Range readers go into two arrays sorted by
 * the btree comparison of the attribute's type: lower bounds (> >=),
 * where the readers an event passes are a prefix (the bounds below its
 * value, and >= at it: at one value >= sorts first), and upper bounds
 * (< <=), a suffix; a binary search finds each.  An event whose value is
 * null passes none (its first conjunct would be null: false).
 *
 * Per event, the readers it visits are marked in a bitmap over the
 * positions (the unkeyed ones copied from a mask, then each match), and
 * visited in the order of the positions: the order they always ran in,
 * whatever the mix.  A bitmap costs n/64 words to copy and scan, which up
 * to a few thousand readers is less than sorting the range matches and
 * merging them (bench/RESULTS.md, "range conditions"); it lives
 * on the stack (or, past 4,096 readers, is allocated per event), never in
 * the index, since a reader's output may come back to this junction
 * before the loop is done.  Memory: one entry per keyed reader and a bit
 * per reader, rebuilt only when readers come or go.
 * siddhi.dispatch_index = off visits every reader.
 *
 * events_in.  A reader an event skips has still been offered it: each
 * keyed reader's count catches up at its next visit and at the end of
 * each chunk of the stream (dispatch_credit).
 *
 * Event time.  Skipping an event is exact for a filter; for a pattern the
 * event would also have expired partial matches by within, at its time
 * (|start - ts| > within, src/runtime/pattern/pattern_state.c).  When
 * event times never go back, a later event's expiry drops everything the
 * skipped ones would have, and nothing else (every match started no later
 * than the skipped events, and expiry restarts nothing: within_every is
 * refused a key), so skipping is exact.  An event earlier than one the
 * junction already had is not: it goes to every reader, and before it
 * each keyed pattern expires its matches at the latest time it may have
 * been spared (siddhi_pattern_expire), which is what the skipped events
 * would have done.
 *
 * Epochs.  The event time is state: after a restart, an event earlier
 * than the latest before it must still go to every reader, and a keyed
 * pattern must still first expire what the events it was spared would
 * have (any_ts, max_ts, spared, spared_max).  Forgetting them changes
 * results: a match started at 1000 within 10 sec, an event of another
 * key at 20000 spared it, then after a restart an event of its key at 5000
 * would pair with it, where without the restart it comes after the
 * catch-up that dropped it.  So each app whose keyed patterns read a
 * junction saves these four with its own state (app_state.c), and a
 * junction that has had no event since the worker started takes them back
 * (dispatch_time_restore); one that has lived through an app's restart
 * (a redeploy) keeps its own, which are newer.
 *
 *-------------------------------------------------------------------------
 */
#include "dispatch.h"

#include "access/hash.h"
#include "access/stratnum.h"
#include "catalog/pg_am.h"
#include "commands/defrem.h"
#include "port/pg_bitutils.h"
#include "siddhi/key_hash.h"
#include "siddhi/shmem.h"

typedef struct DispatchValue
{
	uint32 hash;
	Datum value;
	int n;
	int *readers; /* positions in j->consumers, ascending */
	struct DispatchValue *next;
} DispatchValue;

/* One range reader's bound: a lower (> >=) or an upper (< <=) one. */
typedef struct DispatchBound
{
	Datum value;
	int tie; /* at one value: lower >= before >, upper < before <= */
	bool inclusive;
	int pos;
} DispatchBound;

typedef struct DispatchReader
{
	QueryRuntime *q;
	bool keyed;	 /* on the index's attribute */
	uint64 seen; /* events of the index counted in its events_in */
} DispatchReader;

typedef struct DispatchIndex
{
	bool built;
	MemoryContext cxt; /* what a build makes */
	/* the attribute */
	AttrNumber attnum;
	Oid collation;
	int16 typlen;
	bool typbyval;
	FmgrInfo eq;
	SiddhiKeyHash hash;
	FmgrInfo cmp; /* btree order, when there are range readers */
	/* the readers, by position in j->consumers */
	int nreaders;
	DispatchReader *readers;
	int nkeyed;
	int *keyed; /* their positions */
	int nwords;
	uint64 *unkeyed_mask; /* a bit per position: the unkeyed readers */
	int nbuckets;		  /* a power of two, or 0: no equality readers */
	DispatchValue **buckets;
	int nlower;
	DispatchBound *lower; /* by value */
	int nupper;
	DispatchBound *upper; /* by value */
	int napps;
	SiddhiAppRuntime **apps; /* of the readers, in order of the first */
	uint64 events;			 /* events handed out through the index */
	uint64 credited;		 /* events at the last dispatch_credit */
	/* event time */
	bool any_ts;
	int64 max_ts;	  /* the latest of j's events so far */
	bool spared;	  /* a keyed reader may have skipped an event ... */
	int64 spared_max; /* ... until this time, since the last catch-up */
	bool live;		  /* an event came since the worker started */
} DispatchIndex;

/* Bitmaps of up to this many words live on the stack of dispatch_emit. */
#define DISPATCH_STACK_WORDS 64

static DispatchIndex *
index_of(Junction *j)
{
	if (j->dispatch == NULL)
	{
		DispatchIndex *idx =
			MemoryContextAllocZero(runtime_cxt, sizeof(DispatchIndex));

		idx->cxt = AllocSetContextCreate(runtime_cxt, "siddhi dispatch index",
										 ALLOCSET_SMALL_SIZES);
		j->dispatch = idx;
	}
	return j->dispatch;
}

void
dispatch_note_time(Junction *j, int64 ts)
{
	DispatchIndex *idx = index_of(j);

	if (!idx->any_ts || ts > idx->max_ts)
		idx->max_ts = ts;
	idx->any_ts = true;
	idx->live = true;
}

static bool
same_attribute(SiddhiDispatchKey *a, SiddhiDispatchKey *b)
{
	return a->attnum == b->attnum && a->eqop == b->eqop &&
		   a->collation == b->collation;
}

/* Whether reader q is keyed (on the junction's stream, out of a partition). */
static SiddhiDispatchKey *
reader_key(Junction *j, QueryRuntime *q)
{
	if (q->plan == NULL || q->plan->dispatch == NULL || q->apart ||
		q->join_main || q->pattern_main || q->input != j)
		return NULL;
	return q->plan->dispatch;
}

static uint32
value_hash(DispatchIndex *idx, Datum v)
{
	return siddhi_key_hash(&idx->hash, v);
}

static DispatchValue *
value_find(DispatchIndex *idx, Datum v, uint32 h)
{
	DispatchValue *e = idx->buckets[h & (idx->nbuckets - 1)];

	for (; e; e = e->next)
		if (e->hash == h && DatumGetBool(FunctionCall2Coll(
								&idx->eq, idx->collation, e->value, v)))
			return e;
	return NULL;
}

static int
value_cmp(DispatchIndex *idx, Datum a, Datum b)
{
	return DatumGetInt32(FunctionCall2Coll(&idx->cmp, idx->collation, a, b));
}

/* Bounds by value, then tie; equal ones keep their positions' order. */
static int
bound_cmp(const void *a, const void *b, void *arg)
{
	const DispatchBound *x = a;
	const DispatchBound *y = b;
	int c = value_cmp(arg, x->value, y->value);

	if (c != 0)
		return c;
	if (x->tie != y->tie)
		return x->tie - y->tie;
	return x->pos - y->pos;
}

/*
 * How many lower bounds v passes: those below v, and the inclusive ones
 * at v (sorted so, they are a prefix).
 */
static int
lower_matches(DispatchIndex *idx, Datum v)
{
	int lo = 0, hi = idx->nlower;

	while (lo < hi)
	{
		int mid = lo + (hi - lo) / 2;
		DispatchBound *b = &idx->lower[mid];
		int c = value_cmp(idx, b->value, v);

		if (c < 0 || (c == 0 && b->inclusive))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/*
 * The first upper bound v is under: those above v, and the inclusive ones
 * at v, are a suffix.
 */
static int
upper_first(DispatchIndex *idx, Datum v)
{
	int lo = 0, hi = idx->nupper;

	while (lo < hi)
	{
		int mid = lo + (hi - lo) / 2;
		DispatchBound *b = &idx->upper[mid];
		int c = value_cmp(idx, b->value, v);

		if (c > 0 || (c == 0 && b->inclusive))
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

/* The attribute most of j's readers are keyed on, and how many. */
static SiddhiDispatchKey *
best_attribute(Junction *j, int *nbest)
{
	SiddhiDispatchKey *best = NULL;
	ListCell *lc;

	*nbest = 0;
	foreach(lc, j->consumers)
	{
		SiddhiDispatchKey *k = reader_key(j, lfirst(lc));
		int c = 0;
		ListCell *lc2;

		if (k == NULL || (best && same_attribute(best, k)))
			continue;
		foreach(lc2, j->consumers)
		{
			SiddhiDispatchKey *k2 = reader_key(j, lfirst(lc2));

			if (k2 && same_attribute(k, k2))
				c++;
		}
		if (c > *nbest)
		{
			best = k;
			*nbest = c;
		}
	}
	return best;
}

/* The index's lookups for the attribute of key, in idx->cxt. */
static void
build_functions(Junction *j, DispatchIndex *idx, SiddhiDispatchKey *best)
{
	ListCell *lc;
	bool equality = false;
	Oid cmpproc = InvalidOid;

	foreach(lc, j->consumers)
	{
		SiddhiDispatchKey *k = reader_key(j, lfirst(lc));

		if (k == NULL || !same_attribute(k, best))
			continue;
		if (k->strategy == BTEqualStrategyNumber)
			equality = true;
		else
			cmpproc = k->cmpproc;
	}
	get_typlenbyval(best->type, &idx->typlen, &idx->typbyval);
	fmgr_info_cxt(get_opcode(best->eqop), &idx->eq, idx->cxt);
	if (equality)
	{
		Oid opclass = GetDefaultOpClass(best->type, HASH_AM_OID);
		Oid family = get_opclass_family(opclass);

		siddhi_key_hash_init(&idx->hash,
							 get_opfamily_proc(family, best->type, best->type,
											   HASHSTANDARD_PROC),
							 idx->collation, idx->cxt);
	}
	if (OidIsValid(cmpproc))
		fmgr_info_cxt(cmpproc, &idx->cmp, idx->cxt);
	idx->nbuckets = 0;
	if (equality)
		idx->nbuckets = 16;
}

/* The reader at pos wants the values of key k: into the hash or a bound. */
static void
add_keyed(DispatchIndex *idx, SiddhiDispatchKey *k, int pos, int nbest)
{
	Datum v = datumCopy(k->value->constvalue, idx->typbyval, idx->typlen);

	if (k->strategy == BTEqualStrategyNumber)
	{
		uint32 h = value_hash(idx, v);
		DispatchValue *e = value_find(idx, v, h);

		if (e == NULL)
		{
			e = palloc0(sizeof(DispatchValue));
			e->hash = h;
			e->value = v;
			e->readers = palloc(sizeof(int) * nbest);
			e->next = idx->buckets[h & (idx->nbuckets - 1)];
			idx->buckets[h & (idx->nbuckets - 1)] = e;
		}
		e->readers[e->n++] = pos;
	}
	else
	{
		bool lower = k->strategy == BTGreaterStrategyNumber ||
					 k->strategy == BTGreaterEqualStrategyNumber;
		bool inclusive = k->strategy == BTGreaterEqualStrategyNumber ||
						 k->strategy == BTLessEqualStrategyNumber;
		DispatchBound *b =
			lower ? &idx->lower[idx->nlower++] : &idx->upper[idx->nupper++];

		b->value = v;
		b->inclusive = inclusive;
		b->tie = lower ? (inclusive ? 0 : 1) : (inclusive ? 1 : 0);
		b->pos = pos;
	}
}

/* The index over j's readers as they are now. */
static void
dispatch_build(Junction *j, DispatchIndex *idx)
{
	SiddhiDispatchKey *best;
	int nbest = 0;
	int n = list_length(j->consumers);
	int pos;
	ListCell *lc;
	MemoryContext old;

	MemoryContextReset(idx->cxt);
	idx->built = true;
	idx->nreaders = idx->nkeyed = 0;
	idx->nlower = idx->nupper = 0;
	idx->readers = NULL;
	idx->buckets = NULL;
	idx->events = idx->credited = 0;

	/* the readers' apps, each once (playback_arrival) */
	idx->apps =
		MemoryContextAlloc(idx->cxt, sizeof(SiddhiAppRuntime *) * Max(n, 1));
	idx->napps = 0;
	foreach(lc, j->consumers)
	{
		SiddhiAppRuntime *app = ((QueryRuntime *) lfirst(lc))->app;
		int i;

		for (i = idx->napps - 1; i >= 0 && idx->apps[i] != app; i--)
			;
		if (i < 0)
			idx->apps[idx->napps++] = app;
	}

	best = best_attribute(j, &nbest);
	/* one reader takes the whole chunk, or none skips anything */
	if (best == NULL || n < 2)
		return;

	old = MemoryContextSwitchTo(idx->cxt);
	idx->attnum = best->attnum;
	idx->collation = best->collation; /* before the functions use it */
	build_functions(j, idx, best);
	idx->nreaders = n;
	idx->readers = palloc0(sizeof(DispatchReader) * n);
	idx->keyed = palloc(sizeof(int) * nbest);
	idx->nwords = (n + 63) / 64;
	idx->unkeyed_mask = palloc0(sizeof(uint64) * idx->nwords);
	while (idx->nbuckets > 0 && idx->nbuckets < nbest)
		idx->nbuckets *= 2;
	if (idx->nbuckets > 0)
		idx->buckets = palloc0(sizeof(DispatchValue *) * idx->nbuckets);
	idx->lower = palloc(sizeof(DispatchBound) * nbest);
	idx->upper = palloc(sizeof(DispatchBound) * nbest);
	pos = 0;
	foreach(lc, j->consumers)
	{
		QueryRuntime *q = lfirst(lc);
		SiddhiDispatchKey *k = reader_key(j, q);

		idx->readers[pos].q = q;
		if (k && same_attribute(k, best))
		{
			add_keyed(idx, k, pos, nbest);
			idx->readers[pos].keyed = true;
			idx->keyed[idx->nkeyed++] = pos;
		}
		else
			idx->unkeyed_mask[pos / 64] |= UINT64CONST(1) << (pos % 64);
		pos++;
	}
	qsort_arg(idx->lower, idx->nlower, sizeof(DispatchBound), bound_cmp, idx);
	qsort_arg(idx->upper, idx->nupper, sizeof(DispatchBound), bound_cmp, idx);
	MemoryContextSwitchTo(old);
}

int
dispatch_apps(Junction *j, SiddhiAppRuntime ***apps)
{
	DispatchIndex *idx = index_of(j);

	if (!idx->built)
		dispatch_build(j, idx);
	*apps = idx->apps;
	return idx->napps;
}

void
dispatch_credit(Junction *j)
{
	DispatchIndex *idx = j->dispatch;

	if (idx == NULL || !idx->built || idx->credited == idx->events)
		return;
	for (int i = 0; i < idx->nkeyed; i++)
	{
		DispatchReader *r = &idx->readers[idx->keyed[i]];

		siddhi_stats_count(r->q->stats, (int64) (idx->events - r->seen), 0);
		r->seen = idx->events;
	}
	idx->credited = idx->events;
}

void
dispatch_invalidate(Junction *j)
{
	if (j->dispatch == NULL)
		return;
	dispatch_credit(j);
	j->dispatch->built = false;
}

/*
 * An event earlier than the latest: the keyed patterns expire what the
 * events they were spared would have expired (see the header).
 */
static void
catch_up(DispatchIndex *idx)
{
	for (int i = 0; i < idx->nkeyed; i++)
	{
		QueryRuntime *q = idx->readers[idx->keyed[i]].q;

		if (q->pattern)
			siddhi_pattern_expire(q->pattern, idx->spared_max);
	}
	idx->spared = false;
}

/* Reader at pos takes the event numbered ev in the index's count. */
static inline void
count_visit(DispatchIndex *idx, int pos, uint64 ev)
{
	DispatchReader *r = &idx->readers[pos];

	if (r->keyed)
	{
		/* the events it skipped since its last visit were offered */
		if (ev - 1 > r->seen)
			siddhi_stats_count(r->q->stats, (int64) (ev - 1 - r->seen), 0);
		if (ev > r->seen)
			r->seen = ev;
	}
}

static inline void
visit_event(DispatchIndex *idx, int pos, uint64 ev, TupleTableSlot *slot,
			int64 ts, int depth, bool end_chunk)
{
	count_visit(idx, pos, ev);
	query_step(idx->readers[pos].q, STEP_EVENT, slot, ts, depth,
			   SIDDHI_EVENT_CURRENT, end_chunk);
}

#define SET_BIT(bits, pos) \
	((bits)[(pos) / 64] |= UINT64CONST(1) << ((pos) % 64))
#define TEST_BIT(bits, pos) \
	(((bits)[(pos) / 64] & (UINT64CONST(1) << ((pos) % 64))) != 0)

/*
 * The readers that want the event in slot, as a bit per position in bits
 * (nwords words): the unkeyed ones, and the keyed ones that want its
 * value; a null value is wanted by none.  Notes the keyed readers it
 * spares.
 */
static void
mark_readers(DispatchIndex *idx, TupleTableSlot *slot, int64 ts, uint64 *bits)
{
	bool isnull;
	Datum v;
	int matched = 0;

	memcpy(bits, idx->unkeyed_mask, sizeof(uint64) * idx->nwords);
	v = slot_getattr(slot, idx->attnum, &isnull);
	if (!isnull)
	{
		if (idx->nbuckets > 0)
		{
			DispatchValue *e = value_find(idx, v, value_hash(idx, v));

			for (int i = 0; e && i < e->n; i++)
				SET_BIT(bits, e->readers[i]);
			matched += e ? e->n : 0;
		}
		if (idx->nlower > 0)
		{
			int nl = lower_matches(idx, v);

			for (int i = 0; i < nl; i++)
				SET_BIT(bits, idx->lower[i].pos);
			matched += nl;
		}
		if (idx->nupper > 0)
		{
			int first = upper_first(idx, v);

			for (int i = first; i < idx->nupper; i++)
				SET_BIT(bits, idx->upper[i].pos);
			matched += idx->nupper - first;
		}
	}
	if (matched < idx->nkeyed)
	{
		/* some keyed reader skips it */
		if (!idx->spared || ts > idx->spared_max)
			idx->spared_max = ts;
		idx->spared = true;
	}
}

/*
 * The readers of j that take the event in slot, as their positions in
 * j->consumers, in that order, into pos (room for every reader); *ev is
 * the event's number for dispatch_reader.
 */
int
dispatch_choose(Junction *j, TupleTableSlot *slot, int64 ts, int *pos,
				uint64 *ev)
{
	DispatchIndex *idx = index_of(j);
	bool in_order = !idx->any_ts || ts >= idx->max_ts;
	uint64 stack_bits[DISPATCH_STACK_WORDS];
	uint64 *bits;
	int n = 0;

	if (!idx->built)
		dispatch_build(j, idx);
	dispatch_note_time(j, ts);
	*ev = 0;
	if (idx->nkeyed == 0)
	{
		int nall = list_length(j->consumers);

		for (int i = 0; i < nall; i++)
			pos[i] = i;
		return nall;
	}
	*ev = ++idx->events;
	if (!in_order || !siddhi_dispatch_index)
	{
		/* every reader, each keyed one counted at its visit */
		if (idx->spared)
			catch_up(idx);
		for (int i = 0; i < idx->nreaders; i++)
			pos[i] = i;
		return idx->nreaders;
	}

	/* the readers it visits, as a bit per position, in their order */
	bits = idx->nwords <= DISPATCH_STACK_WORDS
			   ? stack_bits
			   : MemoryContextAlloc(batch_cxt, sizeof(uint64) * idx->nwords);
	mark_readers(idx, slot, ts, bits);
	for (int w = 0; w < idx->nwords; w++)
	{
		uint64 word = bits[w];

		while (word != 0)
		{
			pos[n++] = w * 64 + pg_rightmost_one_pos64(word);
			word &= word - 1;
		}
	}
	if (bits != stack_bits)
		pfree(bits);
	return n;
}

/* The reader at pos, which takes event ev (dispatch_choose) now. */
QueryRuntime *
dispatch_reader(Junction *j, int pos, uint64 ev)
{
	DispatchIndex *idx;

	if (ev == 0)
		return list_nth(j->consumers, pos);
	idx = index_of(j);
	count_visit(idx, pos, ev);
	return idx->readers[pos].q;
}

#define DISPATCH_STACK_READERS 256

void
dispatch_emit(Junction *j, TupleTableSlot *slot, int64 ts, int depth)
{
	int stack_pos[DISPATCH_STACK_READERS];
	int nall = list_length(j->consumers);
	/* a list of its own: a reader's output may come back to j */
	int *pos = nall <= DISPATCH_STACK_READERS
				   ? stack_pos
				   : MemoryContextAlloc(batch_cxt, sizeof(int) * nall);
	uint64 ev;
	int n = dispatch_choose(j, slot, ts, pos, &ev);

	for (int i = 0; i < n; i++)
		query_step(dispatch_reader(j, pos[i], ev), STEP_EVENT, slot, ts, depth,
				   SIDDHI_EVENT_CURRENT, true);
	if (pos != stack_pos)
		pfree(pos);
}

/*
 * A reader has taken its rows of a chunk: its chunk ends (a batch()
 * window emits what the chunk brought).
 */
static void
reader_chunk_end(QueryRuntime *q, int depth)
{
	if (q->window && siddhi_window_wants_input_end(q->window))
		query_step(q, STEP_INPUT_END, NULL,
				   q->app->playback ? q->app->clock : siddhi_now_ms(), depth,
				   SIDDHI_EVENT_CHUNK_END, false);
	query_step(q, STEP_CHUNK_END, NULL, 0, depth, SIDDHI_EVENT_CHUNK_END,
			   false);
}

/* A chunk on its way to the readers of j. */
typedef struct ChunkDelivery
{
	Junction *j;
	PendingOut *rows;
	int n;
	TupleTableSlot *slot;
	int depth;
	uint64 base; /* the rows' numbers are base + 1 on */
	bool kinds;	 /* a row keeps its kind (a named window's) */
	/* the dispatch index's view, or NULL: every reader takes every row */
	DispatchIndex *idx;
	uint64 *bits; /* per row, the readers that want it */
	uint64 *evs;  /* per row, its number in the index's count */
} ChunkDelivery;

#define WANTS(d, i, p) \
	((d)->bits == NULL || TEST_BIT((d)->bits + (i) * (d)->idx->nwords, (p)))

/*
 * Each reader qs[pos] takes every row of the chunk it wants, as one chunk
 * of its own (an aggregating selector outputs once per chunk, as Siddhi's
 * does for every chunk), before the next reader takes any.  The queries
 * of a partition that read the stream, next to each other, take it row by
 * row instead: Siddhi's partition is one receiver, which hands each key's
 * run of rows to all its queries in turn (each query's output for the run
 * goes out as the run ends, query_partition.c).
 */
static void
readers_take(ChunkDelivery *d, QueryRuntime **qs, int nreaders)
{
	Junction *j = d->j;
	/*
	 * In the batch's memory, freed at the end: a reader's failure rolls
	 * back the subtransaction whose memory is current here.
	 */
	bool *took = MemoryContextAllocZero(batch_cxt, sizeof(bool) * nreaders);
	PendingOut *sub = MemoryContextAlloc(batch_cxt, sizeof(PendingOut) * d->n);
	uint64 *numbers = MemoryContextAlloc(batch_cxt, sizeof(uint64) * d->n);

	for (int pos = 0; pos < nreaders;)
	{
		int end = pos + 1;

		/* a partition's queries side by side take the rows together */
		if (qs[pos]->apart && !qs[pos]->inner_input)
			while (end < nreaders && qs[end]->apart == qs[pos]->apart &&
				   !qs[end]->inner_input)
				end++;
		/* a stream the partition does not divide: every key takes it */
		if (qs[pos]->apart && !qs[pos]->inner_input &&
			!siddhi_partition_divides(qs[pos]->apart->rt, j->relid))
		{
			partition_chunk_every_key(qs + pos, end - pos, j, d->rows, d->n,
									  d->slot, d->depth, d->base, d->kinds);
			pos = end;
			continue;
		}
		if (end == pos + 1 && qs[pos]->apart == NULL)
		{
			/* one reader: the rows it wants, in one step */
			int m = 0;

			if (d->idx == NULL)
			{
				/* no index: it wants them all */
				query_step_rows(qs[pos], j, d->rows, d->n, NULL, d->base,
								d->slot, d->depth, d->kinds);
				pos = end;
				continue;
			}
			for (int i = 0; i < d->n; i++)
			{
				if (!WANTS(d, i, pos))
					continue;
				if (d->idx)
					count_visit(d->idx, pos, d->evs[i]);
				sub[m] = d->rows[i];
				numbers[m++] = d->base + i + 1;
			}
			if (m > 0)
				query_step_rows(qs[pos], j, sub, m, numbers, 0, d->slot,
								d->depth, d->kinds);
			pos = end;
			continue;
		}
		for (int i = 0; i < d->n; i++)
			for (int p = pos; p < end; p++)
			{
				if (!WANTS(d, i, p))
					continue;
				out_row_store(&d->rows[i], d->slot);
				siddhi_current_event_ts = d->rows[i].ts;
				j->event = d->base + i + 1;
				if (d->idx)
					count_visit(d->idx, p, d->evs[i]);
				query_step(qs[p], STEP_EVENT, d->slot, d->rows[i].ts, d->depth,
						   ROW_KIND(d->rows[i], d->kinds), false);
				took[p] = true;
			}
		for (int p = pos; p < end; p++)
			if (took[p])
				reader_chunk_end(qs[p], d->depth);
		pos = end;
	}
	pfree(took);
	pfree(sub);
	pfree(numbers);
}

/* j's readers, in order, in the batch's memory (pfree when done). */
static QueryRuntime **
readers_of(Junction *j, int *nreaders)
{
	QueryRuntime **qs;
	int pos = 0;
	ListCell *lc;

	*nreaders = list_length(j->consumers);
	qs = MemoryContextAlloc(batch_cxt,
							sizeof(QueryRuntime *) * Max(*nreaders, 1));
	foreach(lc, j->consumers)
		qs[pos++] = lfirst(lc);
	return qs;
}

void
dispatch_chunk_all(Junction *j, PendingOut *rows, int n, TupleTableSlot *slot,
				   int depth, uint64 base, bool kinds)
{
	ChunkDelivery d = {
		j, rows, n, slot, depth, base, kinds, NULL, NULL, NULL
	};
	int nreaders;
	QueryRuntime **qs = readers_of(j, &nreaders);

	readers_take(&d, qs, nreaders);
	pfree(qs);
}

void
dispatch_emit_chunk(Junction *j, PendingOut *rows, int n, TupleTableSlot *slot,
					int depth, uint64 base)
{
	DispatchIndex *idx = index_of(j);
	ChunkDelivery d = {
		j, rows, n, slot, depth, base, false, NULL, NULL, NULL
	};
	bool keyed;
	bool any;
	int64 max;
	int nreaders;
	QueryRuntime **qs;

	if (!idx->built)
		dispatch_build(j, idx);
	/* one reader, out of a partition: all the rows in one step */
	if (list_length(j->consumers) == 1 &&
		((QueryRuntime *) linitial(j->consumers))->apart == NULL)
	{
		for (int i = 0; i < n; i++)
			dispatch_note_time(j, rows[i].ts);
		query_step_rows(linitial(j->consumers), j, rows, n, NULL, base, slot,
						depth, false);
		return;
	}
	any = idx->any_ts;
	max = idx->max_ts;

	/*
	 * Through the index only when there is one and every row comes in
	 * time order (as for one event); else every reader takes every row,
	 * the keyed patterns first caught up with what they were spared
	 * before the chunk.
	 */
	keyed = idx->nkeyed > 0 && siddhi_dispatch_index;
	for (int i = 0; i < n; i++)
	{
		if (any && rows[i].ts < max)
			keyed = false;
		if (!any || rows[i].ts > max)
			max = rows[i].ts;
		any = true;
	}
	if (idx->nkeyed > 0)
	{
		d.idx = idx;
		d.evs = MemoryContextAlloc(batch_cxt, sizeof(uint64) * n);
	}
	if (keyed)
		d.bits =
			MemoryContextAlloc(batch_cxt, sizeof(uint64) * idx->nwords * n);
	else if (idx->nkeyed > 0 && idx->spared)
		catch_up(idx);
	for (int i = 0; i < n; i++)
	{
		dispatch_note_time(j, rows[i].ts);
		if (d.evs)
			d.evs[i] = ++idx->events;
		if (keyed)
		{
			out_row_store(&rows[i], slot);
			mark_readers(idx, slot, rows[i].ts, d.bits + i * idx->nwords);
		}
	}
	qs = readers_of(j, &nreaders);
	readers_take(&d, qs, nreaders);
	pfree(qs);
	if (d.evs)
		pfree(d.evs);
	if (d.bits)
		pfree(d.bits);
}

bool
dispatch_keyed_pattern(QueryRuntime *q)
{
	return q->pattern && q->input && reader_key(q->input, q) != NULL;
}

void
dispatch_time_get(Junction *j, DispatchTime *t)
{
	DispatchIndex *idx = index_of(j);

	t->any_ts = idx->any_ts;
	t->max_ts = idx->any_ts ? idx->max_ts : 0;
	t->spared = idx->spared;
	t->spared_max = idx->spared ? idx->spared_max : 0;
}

void
dispatch_time_restore(Junction *j, const DispatchTime *t)
{
	DispatchIndex *idx = index_of(j);

	if (idx->live)
		return;
	/* several apps read it: each saved the same times, or older ones */
	if (t->any_ts && (!idx->any_ts || t->max_ts > idx->max_ts))
		idx->max_ts = t->max_ts;
	idx->any_ts |= t->any_ts;
	if (t->spared && (!idx->spared || t->spared_max > idx->spared_max))
		idx->spared_max = t->spared_max;
	idx->spared |= t->spared;
}
