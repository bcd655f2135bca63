/*-------------------------------------------------------------------------
 *
 * pending.c
 *	  The engine's store of transactions whose rows reached it before they
 *	  ended: rows wait here, by top-level transaction, until the
 *	  transaction's COMMIT marker, and are then fed whole, transactions in
 *	  commit order and each transaction's rows in insert order.
 *
 * Commit order.  Backends push a transaction's rows before it commits,
 * then PRECOMMIT at XACT_EVENT_PRE_COMMIT (before the commit record is
 * written) and COMMIT at XACT_EVENT_COMMIT (after it), carrying the end
 * LSN of the commit record: the order logical decoding gives is the order
 * of these LSNs.  The ring's lock makes its contents one sequence, and
 * WAL insertion reserves LSNs in the order it is called, so if U's commit
 * record comes before T's, then
 *
 *	 U pushes PRECOMMIT < U's commit record < T's commit record < T pushes COMMIT
 *
 * and U's PRECOMMIT is in the ring before T's COMMIT.  A transaction that
 * has not pushed PRECOMMIT by then will commit after T.  So when the
 * engine has read T's COMMIT, every transaction that can still commit
 * before T is *committing*: its PRECOMMIT was read, its COMMIT or ABORT
 * not yet (it comes at once: the backend is between the two callbacks).
 * A committed T is fed once no committing transaction's PRECOMMIT lies
 * before T's COMMIT; committed transactions are fed in commit-LSN order
 * (any one of them with an LSN up to that of a T so released is safe
 * too: something committing before it would also come before T).  Open
 * transactions, however long, never hold back others.
 *
 * Prepared transactions commit in another session (COMMIT PREPARED),
 * which pushes nothing: the commit log is polled for them, and they are
 * ordered at the point the engine sees them committed.
 *
 * Memory.  Rows of a transaction live in three places, in this order:
 * a temporary file (BufFile) of spilled chunks, copies in memory, and
 * chunks popped this round, in the ring itself or the pop buffer
 * ("borrowed", fed without a copy when the transaction commits in the
 * same round: the fast path).  Before the round's room in the ring is
 * consumed, borrowed chunks are copied; when the copies of all
 * transactions would pass siddhi.pending_memory, the transaction
 * holding the most memory is written to its file (as logical decoding
 * does with logical_decoding_work_mem).  Files are temporary files of
 * the worker: removed when fed, dropped, or the worker exits.
 *
 * Subtransactions: each chunk carries the xid that inserted it; at feed
 * time a chunk of a subtransaction that aborted is skipped (the commit
 * log knows, as the top-level transaction committed).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/transam.h"
#include "access/xlog.h"
#include "miscadmin.h"
#include "siddhi/shmem.h"
#include "storage/buffile.h"
#include "storage/procarray.h"
#include "utils/hsearch.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"

#include "pending.h"

typedef enum XactState
{
	PX_OPEN,	   /* rows seen, no marker yet */
	PX_COMMITTING, /* PRECOMMIT seen */
	PX_PREPARED,   /* PREPARED seen: the commit log will tell */
	PX_COMMITTED   /* COMMIT seen (or commit log): in the ready list */
} XactState;

typedef struct PendingXact
{
	TransactionId xid; /* hash key: the top-level xid */
	XactState state;
	uint64 precommit_pos; /* ring position of PRECOMMIT */
	uint64 commit_pos;	  /* ring position of COMMIT */
	XLogRecPtr commit_lsn;
	TimestampTz committed_at; /* COMMITTING, commit log says committed */
	BufFile *file;			  /* spilled chunks, oldest */
	uint64 nspilled;
	List *owned;	/* copies in memory, after the file's */
	Size mem;		/* bytes of owned */
	List *borrowed; /* popped this round, in the ring or pop buffer */
} PendingXact;

static MemoryContext pending_cxt = NULL;
static HTAB *xacts = NULL;
static List *touched = NIL;	 /* PendingXact * with borrowed chunks */
static List *ready = NIL;	 /* committed PendingXact *, by commit_lsn */
static Size mem_total = 0;	 /* bytes of all owned copies */
static int n_prepared = 0;	 /* entries in PX_PREPARED */
static char *readbuf = NULL; /* reading spilled chunks back */
static Size readbuf_cap = 0;
static TimestampTz last_poll = 0;

void
siddhi_pending_init(void)
{
	HASHCTL ctl;

	pending_cxt = AllocSetContextCreate(TopMemoryContext, "siddhi pending",
										ALLOCSET_DEFAULT_SIZES);
	memset(&ctl, 0, sizeof(ctl));
	ctl.keysize = sizeof(TransactionId);
	ctl.entrysize = sizeof(PendingXact);
	ctl.hcxt = pending_cxt;
	xacts = hash_create("siddhi pending transactions", 64, &ctl,
						HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
}

static Size
budget(void)
{
	return (Size) siddhi_pending_memory_kb * 1024;
}

static PendingXact *
lookup(TransactionId xid, bool create)
{
	bool found;
	PendingXact *x;

	x = hash_search(xacts, &xid, create ? HASH_ENTER : HASH_FIND, &found);
	if (x != NULL && !found)
	{
		x->state = PX_OPEN;
		x->precommit_pos = x->commit_pos = 0;
		x->commit_lsn = InvalidXLogRecPtr;
		x->committed_at = 0;
		x->file = NULL;
		x->nspilled = 0;
		x->owned = NIL;
		x->mem = 0;
		x->borrowed = NIL;
	}
	return x;
}

/* Forget a transaction and everything it holds. */
static void
forget(PendingXact *x)
{
	ListCell *lc;
	TransactionId xid = x->xid;

	if (x->file)
		BufFileClose(x->file);
	foreach(lc, x->owned)
		pfree(lfirst(lc));
	list_free(x->owned);
	mem_total -= x->mem;
	if (x->borrowed != NIL)
	{
		list_free(x->borrowed);
		touched = list_delete_ptr(touched, x);
	}
	if (x->state == PX_PREPARED)
		n_prepared--;
	if (x->state == PX_COMMITTED)
		ready = list_delete_ptr(ready, x);
	hash_search(xacts, &xid, HASH_REMOVE, NULL);
}

/* Into the ready list, kept in commit-LSN order (markers come nearly so). */
static void
make_ready(PendingXact *x, XLogRecPtr lsn, uint64 pos)
{
	MemoryContext old = MemoryContextSwitchTo(pending_cxt);
	int i;

	if (x->state == PX_PREPARED)
		n_prepared--;
	x->state = PX_COMMITTED;
	x->commit_lsn = lsn;
	x->commit_pos = pos;
	for (i = list_length(ready); i > 0; i--)
	{
		PendingXact *o = list_nth(ready, i - 1);

		if (o->commit_lsn <= lsn)
			break;
	}
	ready = list_insert_nth(ready, i, x);
	MemoryContextSwitchTo(old);
}

void
siddhi_pending_absorb(char *buf, Size len, uint64 base)
{
	Size off = 0;
	MemoryContext old = MemoryContextSwitchTo(pending_cxt);

	while (off < len)
	{
		SiddhiChunkHeader *hdr = (SiddhiChunkHeader *) (buf + off);
		uint64 pos = base + off;
		PendingXact *x;

		switch ((SiddhiChunkKind) hdr->kind)
		{
			case SIDDHI_CHUNK_ROWS:
				x = lookup(hdr->topxid, true);
				if (x->borrowed == NIL)
					touched = lappend(touched, x);
				x->borrowed = lappend(x->borrowed, hdr);
				break;
			case SIDDHI_CHUNK_PRECOMMIT:
				x = lookup(hdr->topxid, true);
				if (x->state == PX_OPEN)
				{
					x->state = PX_COMMITTING;
					x->precommit_pos = pos;
				}
				break;
			case SIDDHI_CHUNK_COMMIT:
				/* none: its rows went to a worker that exited since */
				x = lookup(hdr->topxid, false);
				if (x != NULL && x->state != PX_COMMITTED)
					make_ready(x, hdr->commit_lsn, pos);
				break;
			case SIDDHI_CHUNK_ABORT:
				x = lookup(hdr->topxid, false);
				if (x != NULL)
					forget(x);
				break;
			case SIDDHI_CHUNK_PREPARED:
				x = lookup(hdr->topxid, false);
				if (x != NULL && x->state != PX_PREPARED &&
					x->state != PX_COMMITTED)
				{
					x->state = PX_PREPARED;
					n_prepared++;
				}
				break;
			case SIDDHI_CHUNK_NOP:
				break;
		}
		off += hdr->length;
	}
	MemoryContextSwitchTo(old);
}

void
siddhi_pending_poll(uint64 upto, bool popped)
{
	HASH_SEQ_STATUS seq;
	PendingXact *x;
	TimestampTz now = GetCurrentTimestamp();

	if (hash_get_num_entries(xacts) == 0)
		return;
	if (!(popped && n_prepared > 0) &&
		!TimestampDifferenceExceeds(last_poll, now, 200))
		return;
	last_poll = now;
	hash_seq_init(&seq, xacts);
	while ((x = hash_seq_search(&seq)) != NULL)
	{
		if (x->state == PX_COMMITTED || TransactionIdIsInProgress(x->xid))
			continue;
		if (!TransactionIdDidCommit(x->xid))
		{
			/* aborted, or its backend died: its rows never count */
			forget(x);
			continue;
		}
		if (x->state == PX_PREPARED)
		{
			/*
			 * COMMIT PREPARED, in some session: order it here, after
			 * every COMMIT read so far (its commit record is before the
			 * current insert position).
			 */
			make_ready(x, GetXLogInsertRecPtr(), upto > 0 ? upto - 1 : 0);
		}
		else if (x->state == PX_COMMITTING)
		{
			/*
			 * Its COMMIT marker is on its way (pushed right after the
			 * commit record).  Should it never come, do not wait forever.
			 */
			if (x->committed_at == 0)
				x->committed_at = now;
			else if (TimestampDifferenceExceeds(x->committed_at, now, 10000))
			{
				ereport(WARNING,
						(errmsg("siddhi: no commit marker from transaction "
								"%u, feeding its events now",
								x->xid)));
				make_ready(x, GetXLogInsertRecPtr(), upto > 0 ? upto - 1 : 0);
			}
		}
		/* PX_OPEN and committed: its markers are after upto, still to read */
	}
}

/*
 * The largest commit LSN that may be fed now: that of a committed
 * transaction whose COMMIT no committing transaction's PRECOMMIT
 * precedes.  InvalidXLogRecPtr if none.
 */
static XLogRecPtr
release_cutoff(void)
{
	uint64 min_committing = PG_UINT64_MAX;
	XLogRecPtr cutoff = InvalidXLogRecPtr;
	HASH_SEQ_STATUS seq;
	PendingXact *x;
	ListCell *lc;

	if (ready == NIL)
		return InvalidXLogRecPtr;
	hash_seq_init(&seq, xacts);
	while ((x = hash_seq_search(&seq)) != NULL)
		if (x->state == PX_COMMITTING)
			min_committing = Min(min_committing, x->precommit_pos);
	foreach(lc, ready)
	{
		x = lfirst(lc);
		if (x->commit_pos < min_committing)
			cutoff = Max(cutoff, x->commit_lsn);
	}
	return cutoff;
}

bool
siddhi_pending_releasable(void)
{
	return release_cutoff() != InvalidXLogRecPtr;
}

static void
feed_one(PendingXact *x, SiddhiChunkHeader *hdr, SiddhiFeedChunk feed,
		 TransactionId *last_sub, bool *last_sub_ok)
{
	if (hdr->kind != SIDDHI_CHUNK_ROWS)
		return;
	if (hdr->xid != x->xid)
	{
		/* a subtransaction's rows: only if it did not roll back */
		if (hdr->xid != *last_sub)
		{
			*last_sub = hdr->xid;
			*last_sub_ok = TransactionIdDidCommit(hdr->xid);
		}
		if (!*last_sub_ok)
			return;
	}
	feed(hdr);
}

static void
read_exact(BufFile *file, void *ptr, Size len)
{
	if (BufFileRead(file, ptr, len) != len)
		ereport(ERROR, (errcode_for_file_access(),
						errmsg("could not read events spilled to a "
							   "temporary file")));
}

static void
feed_xact(PendingXact *x, SiddhiFeedChunk feed)
{
	TransactionId last_sub = InvalidTransactionId;
	bool last_sub_ok = false;
	ListCell *lc;

	if (x->file)
	{
		if (BufFileSeek(x->file, 0, 0, SEEK_SET) != 0)
			ereport(ERROR,
					(errcode_for_file_access(),
					 errmsg("could not seek in a temporary file of events")));
		for (uint64 i = 0; i < x->nspilled; i++)
		{
			SiddhiChunkHeader h;

			CHECK_FOR_INTERRUPTS();
			read_exact(x->file, &h, sizeof(h));
			if (readbuf_cap < h.length)
			{
				if (readbuf)
					pfree(readbuf);
				readbuf_cap = Max(h.length, SIDDHI_CHUNK_TARGET + 1024);
				readbuf = MemoryContextAlloc(pending_cxt, readbuf_cap);
			}
			memcpy(readbuf, &h, sizeof(h));
			read_exact(x->file, readbuf + sizeof(h), h.length - sizeof(h));
			feed_one(x, (SiddhiChunkHeader *) readbuf, feed, &last_sub,
					 &last_sub_ok);
		}
	}
	foreach(lc, x->owned)
		feed_one(x, lfirst(lc), feed, &last_sub, &last_sub_ok);
	foreach(lc, x->borrowed)
		feed_one(x, lfirst(lc), feed, &last_sub, &last_sub_ok);
}

void
siddhi_pending_release(SiddhiFeedChunk feed)
{
	XLogRecPtr cutoff = release_cutoff();

	while (ready != NIL && cutoff != InvalidXLogRecPtr)
	{
		PendingXact *x = linitial(ready);

		if (x->commit_lsn > cutoff)
			break;
		feed_xact(x, feed);
		forget(x);
	}
}

/* Write a transaction's in-memory copies to its file (after earlier ones). */
static void
spill(PendingXact *x)
{
	ListCell *lc;

	if (x->owned == NIL)
		return;
	if (x->file == NULL)
	{
		MemoryContext old = MemoryContextSwitchTo(pending_cxt);

		/* outlives transactions; removed when closed or at exit */
		x->file = BufFileCreateTemp(true);
		MemoryContextSwitchTo(old);
	}
	foreach(lc, x->owned)
	{
		SiddhiChunkHeader *hdr = lfirst(lc);

		BufFileWrite(x->file, hdr, hdr->length);
		x->nspilled++;
		pfree(hdr);
	}
	list_free(x->owned);
	x->owned = NIL;
	mem_total -= x->mem;
	x->mem = 0;
}

static PendingXact *
largest(void)
{
	HASH_SEQ_STATUS seq;
	PendingXact *x;
	PendingXact *best = NULL;

	hash_seq_init(&seq, xacts);
	while ((x = hash_seq_search(&seq)) != NULL)
		if (x->mem > 0 && (best == NULL || x->mem > best->mem))
			best = x;
	return best;
}

void
siddhi_pending_keep(void)
{
	ListCell *lc;
	MemoryContext old = MemoryContextSwitchTo(pending_cxt);

	foreach(lc, touched)
	{
		PendingXact *x = lfirst(lc);
		ListCell *c;

		foreach(c, x->borrowed)
		{
			SiddhiChunkHeader *hdr = lfirst(c);
			SiddhiChunkHeader *copy;

			/* a transaction that spilled goes on to its file: one copy */
			if (x->file != NULL && x->owned == NIL)
			{
				BufFileWrite(x->file, hdr, hdr->length);
				x->nspilled++;
				continue;
			}
			/* make room: the largest holder goes to disk first */
			while (mem_total + hdr->length > budget())
			{
				PendingXact *victim = largest();

				if (victim == NULL)
					break;
				spill(victim);
				if (victim == x)
					break;
			}
			if (mem_total + hdr->length > budget() && x->owned == NIL)
			{
				/* alone over the budget: straight to the file */
				if (x->file == NULL)
					x->file = BufFileCreateTemp(true);
				BufFileWrite(x->file, hdr, hdr->length);
				x->nspilled++;
				continue;
			}
			copy = palloc(hdr->length);
			memcpy(copy, hdr, hdr->length);
			x->owned = lappend(x->owned, copy);
			x->mem += hdr->length;
			mem_total += hdr->length;
		}
		list_free(x->borrowed);
		x->borrowed = NIL;
	}
	list_free(touched);
	touched = NIL;
	MemoryContextSwitchTo(old);
}

uint64
siddhi_pending_done(uint64 upto)
{
	uint64 done = upto;
	ListCell *lc;

	/* committed but not fed yet: flush() must wait for them */
	foreach(lc, ready)
		done = Min(done, ((PendingXact *) lfirst(lc))->commit_pos);
	return done;
}

bool
siddhi_pending_wants_poll(void)
{
	return n_prepared > 0 || ready != NIL;
}

Size
siddhi_pending_memory(void)
{
	return mem_total;
}
