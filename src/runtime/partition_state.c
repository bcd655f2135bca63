/*-------------------------------------------------------------------------
 *
 * partition_state.c
 *	  Epochs (issue 15): the state of a query of a partition, its keys
 *	  saved incrementally.
 *
 * A query of a partition holds its operators once per key (QueryKeyState,
 * query_partition.c).  Its row (siddhi.query_state) holds a head: the
 * partition's next purge time and next key number, and whether the keys
 * are in parts.  Each save then appends a part with only the keys whose
 * state changed since the query's last committed save, and a tombstone
 * for each saved key released (@purge) since; when the parts hold more
 * than 4 times what one part with every key would (plus 64 kB), such a
 * part replaces them (state_track_save, query_state.c), and a part that
 * has every key because every key changed replaces them at once.  What
 * one part with every key would hold is the sum of each key's last
 * record (QueryKeyState.saved_bytes, QueryRuntime.keys_bytes): the keys'
 * memory would not do, a key's contexts take kilobytes however little it
 * holds.  siddhi.max_state_size does not apply, as to the other states
 * saved in parts.  Without parts (no caller today) the head holds every
 * key itself.
 *
 * Why a key's last use is the later of the queries' (restore): each query
 * of a partition saves the keys' last use with its own records, written
 * when that query last changed; a pattern's side runtime, saved as a query
 * of its own, may hold a use long past, and taking the last query restored
 * made live keys look idle to the next purge.
 *
 * A key record: its text, its creation number (SiddhiPartInstance.seq),
 * its last use and, length-prefixed, the query's operators for it in the
 * usual sections (the aggregators on their own: the selector around them
 * is the query's, shared by the keys and holding nothing between chunks).
 * A tombstone: the text and number of a key released.
 *
 * Which keys changed: a save generation per partition (AppPartition.gen).
 * A query's state for a key (QueryKeyState.changed) is stamped with it
 * whenever the query works for the key (partition_touch, query_partition.c:
 * each key an event is processed for, every key for a stream the
 * partition does not divide, the key of an inner stream's event), and so
 * is that of the runtimes sharing the work (a join's two sides and main
 * query, a pattern's main query, which holds what its sides feed); when
 * time passes, every query's state for each key with something due
 * (partition_touch_all: a deadline reached is the only moment a window,
 * limiter or pattern acts on its own).  Each save of a query writes the
 * keys stamped after the generation its last committed save reached, and
 * moves the generation on.  A save that does not commit moves nothing
 * (pend_* in StateTrack): its keys are written again next time.
 *
 * Restoring applies the parts in order, a later record of a key (by text)
 * replacing an earlier one and a tombstone removing the records of its
 * key up to its number (so a key released and made again, which has a
 * higher number, survives its old tombstone); then makes the keys that
 * survive in the order of their numbers, which is the order they were
 * made in: a stream the partition does not divide visits the keys in that
 * order, so its outputs come out as before.  The first query of the
 * partition restored makes the instances (with fresh states for every
 * query); the others find them.
 *
 * The format: PARTITION_STATE_FORMAT is part of a partitioned query's
 * fingerprint (query_state_fingerprint), so a state saved whole by an
 * older build is refused as any changed query is: the query starts empty.
 *
 *-------------------------------------------------------------------------
 */
#include "runtime_int.h"

#include "siddhi/state.h"

/* The state one key of a partition holds for a query: can it be saved? */
static bool
key_state_can_save(QueryRuntime *q, QueryKeyState *ks, const char **why)
{
	for (int i = 0; i < QOP_COUNT; i++)
	{
		SiddhiOperator *op = &q->opers[i];

		if (op->ops && op->ops->can_save && ks->states[i] &&
			!op->ops->can_save(op, ks->states[i]))
		{
			*why = op->label;
			return false;
		}
	}
	return true;
}

bool
partition_can_save(QueryRuntime *q, const char **why)
{
	dlist_iter it;

	/* SQL's contents would be the query's, not the key's: never here */
	if (q->plan && q->plan->contents)
	{
		*why = "SQL contents in a partition";
		return false;
	}
	dlist_foreach(it, siddhi_partition_instances(q->apart->rt))
	{
		SiddhiPartInstance *inst =
			dlist_container(SiddhiPartInstance, node, it.cur);

		if (!key_state_can_save(q, inst->states[q->part_index], why))
			return false;
	}
	*why = NULL;
	return true;
}

/*
 * A partition's query: its operators for one key, a section each, in the
 * order of QueryOp.
 */
static void
key_state_serialize(QueryRuntime *q, QueryKeyState *ks, StringInfo buf)
{
	for (int i = 0; i < QOP_COUNT; i++)
	{
		SiddhiOperator *op = &q->opers[i];

		state_put_section(buf, ks->states[i] != NULL);
		if (ks->states[i])
			op->ops->serialize(op, ks->states[i], buf);
	}
}

/* Into a key's operators just made (partition_make_state). */
static void
key_state_restore(QueryRuntime *q, QueryKeyState *ks, SiddhiStateReader *r)
{
	for (int i = 0; i < QOP_COUNT; i++)
	{
		SiddhiOperator *op = &q->opers[i];

		if (state_get_section(r, ks->states[i] != NULL))
			op->ops->restore(op, ks->states[i], r);
	}
}

/*
 * One key's record: text, number, last use, its operators' bytes.  Its
 * length is kept: their sum is what a part with every key would hold.
 */
static void
put_key(QueryRuntime *q, SiddhiPartInstance *inst, StringInfo buf)
{
	QueryKeyState *ks = inst->states[q->part_index];
	int start = buf->len;
	int32 len;
	int len_at;

	siddhi_state_put_bytes(buf, inst->key, inst->keylen);
	siddhi_state_put_int64(buf, inst->seq);
	siddhi_state_put_int64(buf, inst->last_used);
	/* length-prefixed, so a restore can pass over records replaced later */
	len_at = buf->len;
	siddhi_state_put_int32(buf, 0);
	key_state_serialize(q, ks, buf);
	len = buf->len - len_at - (int) sizeof(int32);
	memcpy(buf->data + len_at, &len, sizeof(len));
	q->keys_bytes += (buf->len - start) - ks->saved_bytes;
	ks->saved_bytes = buf->len - start;
}

/*
 * The keys: tombstones of the saved keys released since the last committed
 * save, then the keys changed since (all: none, and every key).
 */
static void
put_keys(QueryRuntime *q, bool all, StringInfo buf, int64 *nwritten,
		 bool *every)
{
	dlist_iter it;
	int64 n = 0;
	int count_at;

	if (all || q->nkeys_gone == 0)
		siddhi_state_put_int64(buf, 0);
	else
	{
		siddhi_state_put_int64(buf, q->nkeys_gone);
		appendBinaryStringInfo(buf, q->keys_gone->data, q->keys_gone->len);
	}
	count_at = buf->len;
	siddhi_state_put_int64(buf, 0); /* the keys: counted below */
	dlist_foreach(it, siddhi_partition_instances(q->apart->rt))
	{
		SiddhiPartInstance *inst =
			dlist_container(SiddhiPartInstance, node, it.cur);

		if (!all && ((QueryKeyState *) inst->states[q->part_index])->changed <=
						q->st.keys_gen)
			continue;
		put_key(q, inst, buf);
		n++;
	}
	memcpy(buf->data + count_at, &n, sizeof(n));
	*nwritten = n + (all ? 0 : q->nkeys_gone);
	*every = n == siddhi_partition_count(q->apart->rt);
}

/*
 * The head: next purge, next key number, whether the keys are in the part;
 * with parts->want, the keys go into parts->events (all of them with
 * parts->groups_all, else those changed since the last committed save).
 */
void
partition_state_serialize(QueryRuntime *q, StringInfo buf,
						  QueryStateParts *parts)
{
	AppPartition *ap = q->apart;
	bool in_parts = parts && parts->want;
	bool all = !in_parts || parts->groups_all;
	int64 n;
	bool every;

	siddhi_state_put_int64(buf, siddhi_partition_next_purge(ap->rt));
	siddhi_state_put_int64(buf, siddhi_partition_next_seq(ap->rt));
	siddhi_state_put_bool(buf, in_parts);
	put_keys(q, all, in_parts ? parts->events : buf, &n, &every);
	if (!in_parts)
		return;
	parts->groups = true;
	parts->empty = n == 0 && !all;
	/* every key changed (a stream the partition does not divide, keys
	 * few and busy): this part is all there is, the older ones can go */
	parts->complete = every;

	/*
	 * What the keys hold, for the 4x rule: the bytes of every key's last
	 * record, which a part with all of them would hold.  (Their memory
	 * would not do: a key's contexts take a few kB however little it
	 * holds, ten times its bytes and more.)
	 */
	parts->live_extra = (Size) Max(q->keys_bytes, 0);
	/* what this save covers, once it commits; keys touched from now on
	 * are stamped later */
	parts->keys_gen = ap->gen++;
	parts->keys_seq = siddhi_partition_next_seq(ap->rt);
}

/* A key's latest record or a tombstone, found in a head or a part. */
typedef struct SavedKey
{
	const char *key;
	int len;
	int64 seq;
	int64 last_used;
	bool tomb;		  /* a tombstone: no last use, no data */
	const char *data; /* the query's operators for the key */
	int dlen;
	int64 order; /* where it was read: later replaces earlier */
	SiddhiStateReader *from;
} SavedKey;

/* A key record: text, number, last use, its operators' length, five flags. */
#define SAVED_KEY_MIN ((int) (2 * sizeof(int32) + 2 * sizeof(int64) + 5))
#define SAVED_TOMB_MIN ((int) (sizeof(int32) + sizeof(int64)))

static SavedKey *
next_saved(SavedKey **keys, int64 *n, int64 *cap, SiddhiStateReader *r)
{
	SavedKey *k;

	if (*n == *cap)
	{
		*cap *= 2;
		*keys = repalloc_huge(*keys, sizeof(SavedKey) * *cap);
	}
	k = &(*keys)[*n];
	k->key = siddhi_state_get_bytes(r, &k->len);
	k->seq = siddhi_state_get_int64(r);
	if (k->seq < 0)
		siddhi_state_corrupt(r, "A partition key's number is wrong");
	k->order = (*n)++;
	k->from = r;
	k->tomb = true;
	k->data = NULL;
	k->dlen = 0;
	k->last_used = 0;
	return k;
}

/* A head's or a part's tombstones and key records, added to keys. */
static void
read_keys(SiddhiStateReader *r, SavedKey **keys, int64 *n, int64 *cap)
{
	int64 count = siddhi_state_get_count(r, SAVED_TOMB_MIN);

	for (int64 i = 0; i < count; i++)
		(void) next_saved(keys, n, cap, r);
	count = siddhi_state_get_count(r, SAVED_KEY_MIN);
	for (int64 i = 0; i < count; i++)
	{
		SavedKey *k = next_saved(keys, n, cap, r);

		k->tomb = false;
		k->last_used = siddhi_state_get_int64(r);
		k->data = siddhi_state_get_bytes(r, &k->dlen);
	}
}

/* By text, then number, then where it was read. */
static int
saved_key_cmp(const void *a, const void *b)
{
	const SavedKey *x = a;
	const SavedKey *y = b;
	int c = memcmp(x->key, y->key, Min(x->len, y->len));

	if (c != 0)
		return c;
	if (x->len != y->len)
		return x->len < y->len ? -1 : 1;
	if (x->seq != y->seq)
		return x->seq < y->seq ? -1 : 1;
	return x->order < y->order ? -1 : (x->order > y->order ? 1 : 0);
}

static int
saved_key_seq_cmp(const void *a, const void *b)
{
	const SavedKey *x = a;
	const SavedKey *y = b;

	return x->seq < y->seq ? -1 : (x->seq > y->seq ? 1 : 0);
}

/*
 * Into a query whose partition has no key yet, or the keys another query
 * of the partition restored (their states for this query fresh).
 */
void
partition_state_restore(QueryRuntime *q, SiddhiStateReader *r,
						SiddhiStateReader *parts, int nparts)
{
	static uint64 restore_gen = 0;
	SiddhiPartitionRuntime *rt = q->apart->rt;
	int64 before = siddhi_partition_next_purge(rt);
	int64 next_purge = siddhi_state_get_int64(r);
	int64 next_seq = siddhi_state_get_int64(r);
	bool in_parts = siddhi_state_get_bool(r);
	int64 cap = 64;
	int64 n = 0;
	int64 live = 0;
	SavedKey *keys = palloc_extended(sizeof(SavedKey) * cap, 0);

	if (!in_parts && nparts > 0)
		siddhi_state_corrupt(r, "A partition's keys are there twice");
	if (in_parts)
		for (int i = 0; i < nparts; i++)
		{
			read_keys(&parts[i], &keys, &n, &cap);
			siddhi_state_expect_end(&parts[i]);
		}
	else
		read_keys(r, &keys, &n, &cap);

	/* per text: its record of the highest number, read last, unless a
	 * tombstone of that number or a higher one came too */
	if (n > 1)
		qsort(keys, n, sizeof(SavedKey), saved_key_cmp);
	for (int64 i = 0; i < n;)
	{
		int64 j = i;
		int64 tomb = -1;
		SavedKey *last = NULL;

		for (; j < n && keys[j].len == keys[i].len &&
			   memcmp(keys[j].key, keys[i].key, keys[i].len) == 0;
			 j++)
		{
			if (keys[j].tomb)
				tomb = Max(tomb, keys[j].seq);
			else
				last = &keys[j];
		}
		if (last && last->seq > tomb)
		{
			if (last->seq >= next_seq)
				siddhi_state_corrupt(last->from,
									 "A partition key's number is wrong");
			keys[live++] = *last;
		}
		i = j;
	}

	/* the keys in the order they were made */
	if (live > 1)
		qsort(keys, live, sizeof(SavedKey), saved_key_seq_cmp);
	restore_gen++;
	for (int64 i = 0; i < live; i++)
	{
		SiddhiPartInstance *inst = siddhi_partition_restore_key(
			rt, keys[i].key, keys[i].len, keys[i].last_used, keys[i].seq);
		SiddhiStateReader kr;

		if (inst->restore_gen == restore_gen)
			siddhi_state_corrupt(keys[i].from,
								 "A partition key is there twice");
		inst->restore_gen = restore_gen;
		siddhi_state_reader_init(&kr, keys[i].data, keys[i].dlen,
								 keys[i].from->what);
		key_state_restore(q, inst->states[q->part_index], &kr);
		siddhi_state_expect_end(&kr);
		/* its windows and patterns may have time due */
		partition_schedule_mark(q->apart, inst);
		/* its record's bytes, as put_key counts them */
		((QueryKeyState *) inst->states[q->part_index])->saved_bytes =
			keys[i].len + keys[i].dlen + 2 * sizeof(int32) + 2 * sizeof(int64);
		q->keys_bytes +=
			keys[i].len + keys[i].dlen + 2 * sizeof(int32) + 2 * sizeof(int64);
	}
	pfree(keys);
	/* the partition's: the latest any of its queries saved */
	siddhi_partition_set_next_purge(rt, Max(before, next_purge));
	siddhi_partition_set_next_seq(rt, next_seq);
	/* restored keys are clean (stamped 0): saved again when they change */
	q->st.groups_saved = in_parts;
	q->st.keys_gen = 0;
	q->st.keys_seq = next_seq;
}

/*
 * A key is released (@purge): a tombstone for the query's next save, when
 * a committed save of the query may hold the key; and the query changed.
 */
void
partition_state_released(QueryRuntime *q, SiddhiPartInstance *inst)
{
	q->st.dirty = true;
	q->keys_bytes -=
		((QueryKeyState *) inst->states[q->part_index])->saved_bytes;
	if (!q->st.groups_saved || inst->seq >= q->st.keys_seq)
		return;
	if (q->keys_gone == NULL)
	{
		MemoryContext old = MemoryContextSwitchTo(q->app->cxt);

		q->keys_gone = makeStringInfo();
		MemoryContextSwitchTo(old);
	}
	siddhi_state_put_bytes(q->keys_gone, inst->key, inst->keylen);
	siddhi_state_put_int64(q->keys_gone, inst->seq);
	q->nkeys_gone++;
}

/* The save committed: its tombstones are written (or replaced). */
void
partition_state_saved(QueryRuntime *q)
{
	if (q->st.pending && q->st.pend_groups)
		partition_state_forget(q);
}

/* The tombstones are of no use any more. */
void
partition_state_forget(QueryRuntime *q)
{
	if (q->keys_gone)
		resetStringInfo(q->keys_gone);
	q->nkeys_gone = 0;
}

/*
 * siddhi.state_roundtrip: a partition goes round as a restart reads it:
 * every query's head and a part with all its keys, every key released,
 * the queries restored in order (the first making the keys again).  The
 * real saves have not seen what this batch changed: each key gets its
 * stamp back (same order, same keys), and each query its StateTrack.
 * Only between keys, and only when every query of the partition can be
 * saved.
 */
void
partition_roundtrip(AppPartition *ap)
{
	int nq = list_length(ap->queries);
	int64 nkeys = siddhi_partition_count(ap->rt);
	MemoryContext old;
	StringInfoData *bufs;
	StringInfoData *events;
	StateTrack *tracks;
	uint64 *stamps;
	dlist_iter it;
	ListCell *lq;
	int i = 0;
	int64 k = 0;

	if (ap->current != NULL)
		return;
	foreach(lq, ap->queries)
	{
		const char *why;

		if (!query_state_can_save(lfirst(lq), &why))
			return;
	}
	old = MemoryContextSwitchTo(ap->app->cxt);
	bufs = palloc(sizeof(StringInfoData) * Max(nq, 1));
	events = palloc(sizeof(StringInfoData) * Max(nq, 1));
	tracks = palloc(sizeof(StateTrack) * Max(nq, 1));
	stamps =
		palloc_extended(sizeof(uint64) * Max(nkeys * nq, 1), MCXT_ALLOC_HUGE);
	dlist_foreach(it, siddhi_partition_instances(ap->rt))
	{
		SiddhiPartInstance *inst =
			dlist_container(SiddhiPartInstance, node, it.cur);

		for (int j = 0; j < nq; j++)
			stamps[k++] = ((QueryKeyState *) inst->states[j])->changed;
	}
	foreach(lq, ap->queries)
	{
		QueryStateParts parts = { 0 };

		initStringInfo(&bufs[i]);
		initStringInfo(&events[i]);
		parts.want = true;
		parts.groups_all = true;
		parts.events = &events[i];
		tracks[i] = ((QueryRuntime *) lfirst(lq))->st;
		query_state_serialize(lfirst(lq), &bufs[i], &parts);
		i++;
	}
	partition_schedule_reset(ap);
	siddhi_partition_clear(ap->rt);
	i = 0;
	foreach(lq, ap->queries)
	{
		QueryRuntime *q = lfirst(lq);
		SiddhiStateReader r;
		SiddhiStateReader pr;
		char *key = query_state_key(q);

		siddhi_state_reader_init(&r, bufs[i].data, bufs[i].len, key);
		siddhi_state_reader_init(&pr, events[i].data, events[i].len, key);
		q->keys_bytes = 0; /* counted again as the keys come back */
		query_state_restore(q, &r, &pr, 1);
		q->st = tracks[i];
		pfree(bufs[i].data);
		pfree(events[i].data);
		pfree(key);
		i++;
	}
	Assert(siddhi_partition_count(ap->rt) == nkeys);
	k = 0;
	dlist_foreach(it, siddhi_partition_instances(ap->rt))
	{
		SiddhiPartInstance *inst =
			dlist_container(SiddhiPartInstance, node, it.cur);

		for (int j = 0; j < nq && k < nkeys * nq; j++)
			((QueryKeyState *) inst->states[j])->changed = stamps[k++];
	}
	pfree(stamps);
	pfree(tracks);
	pfree(events);
	pfree(bufs);
	MemoryContextSwitchTo(old);
}
