/*-------------------------------------------------------------------------
 *
 * subscription.c
 *	  siddhi.subscribe() / siddhi.poll(): sessions watching a stream.
 *
 * siddhi.max_subscriptions slots in shared memory, each with a byte ring
 * of siddhi.subscription_buffer kB owned by one backend and one stream.
 * The engine worker writes events as JSON text records; the session reads
 * them with siddhi.poll().  The worker never waits: when a buffer is full
 * the event is counted in "overflowed" (siddhi.subscriptions()) and
 * dropped for that session only.  Each slot has an LWLock of its own
 * guarding its positions, counters and buffer: the worker holds it while
 * it copies one record in, the session while it copies one record out
 * (never while allocating), so neither spins on the other's copy.  The
 * slot array's lock guards claiming and releasing slots.  A backend's
 * slots are released when it exits.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "catalog/pg_type.h"
#include "common/int.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "pgstat.h"
#include "port/atomics.h"
#include "siddhi/catalog.h"
#include "siddhi/errors.h"
#include "siddhi/ipc.h"
#include "siddhi/shmem.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "storage/proc.h"
#include "storage/shmem.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/timestamp.h"
#include "utils/varlena.h"

typedef struct SubRecord
{
	int64 seq;
	int64 timestamp;
	uint32 length; /* of the JSON text that follows */
	bool expired;
} SubRecord;

typedef struct SubSlot
{
	LWLock lock; /* positions, counters, buffer; in_use when set */
	bool in_use;
	Oid dboid;
	Oid relid;
	int pid;
	Latch *latch;
	uint64 head;
	uint64 tail;
	uint64 delivered;
	uint64 overflowed;
} SubSlot;

typedef struct SubShared
{
	LWLock *lock;
	int tranche;			 /* of the slots' own locks */
	pg_atomic_uint32 active; /* slots in use, for a fast "nobody" */
	int n;
	Size bufsize;
} SubShared;

static SubShared *subs = NULL;
static bool exit_hook_set = false;
static bool tranche_named = false;

/* Name the slots' tranche in this process (for pg_stat_activity). */
static void
name_tranche(void)
{
	if (!tranche_named)
	{
		LWLockRegisterTranche(subs->tranche, "siddhi subscription");
		tranche_named = true;
	}
}

static Size
slot_stride(void)
{
	return MAXALIGN(sizeof(SubSlot)) +
		   MAXALIGN((Size) siddhi_subscription_buffer_kb * 1024);
}

static SubSlot *
sub_slot(int i)
{
	return (SubSlot *) ((char *) subs + MAXALIGN(sizeof(SubShared)) +
						i * slot_stride());
}

static char *
sub_data(SubSlot *s)
{
	return (char *) s + MAXALIGN(sizeof(SubSlot));
}

Size
siddhi_subscription_shmem_size(void)
{
	return add_size(MAXALIGN(sizeof(SubShared)),
					mul_size(slot_stride(), siddhi_max_subscriptions));
}

void
siddhi_subscription_shmem_init(void)
{
	bool found;

	subs = ShmemInitStruct("siddhi subscriptions",
						   siddhi_subscription_shmem_size(), &found);
	if (found)
		return;
	subs->lock =
		&(GetNamedLWLockTranche("siddhi"))[1 + siddhi_max_databases].lock;
	pg_atomic_init_u32(&subs->active, 0);
	subs->n = siddhi_max_subscriptions;
	subs->bufsize = (Size) siddhi_subscription_buffer_kb * 1024;
	subs->tranche = LWLockNewTrancheId();
	for (int i = 0; i < subs->n; i++)
	{
		SubSlot *s = sub_slot(i);

		LWLockInitialize(&s->lock, subs->tranche);
		s->in_use = false;
	}
}

bool
siddhi_stream_watched(Oid dboid, Oid relid)
{
	if (subs == NULL || pg_atomic_read_u32(&subs->active) == 0)
		return false;
	for (int i = 0; i < subs->n; i++)
	{
		SubSlot *s = sub_slot(i);

		if (s->in_use && s->relid == relid && s->dboid == dboid)
			return true;
	}
	return false;
}

static void
buf_write(SubSlot *s, const char *src, Size len)
{
	Size pos = s->head % subs->bufsize;
	Size first = Min(len, subs->bufsize - pos);

	memcpy(sub_data(s) + pos, src, first);
	if (first < len)
		memcpy(sub_data(s), src + first, len - first);
	s->head += len;
}

/* Copy len bytes from the read position without consuming them. */
static void
buf_peek(SubSlot *s, char *dst, Size len)
{
	Size pos = s->tail % subs->bufsize;
	Size first = Min(len, subs->bufsize - pos);

	memcpy(dst, sub_data(s) + pos, first);
	if (first < len)
		memcpy(dst + first, sub_data(s), len - first);
}

static void
buf_read(SubSlot *s, char *dst, Size len)
{
	Size pos = s->tail % subs->bufsize;
	Size first = Min(len, subs->bufsize - pos);

	memcpy(dst, sub_data(s) + pos, first);
	if (first < len)
		memcpy(dst + first, sub_data(s), len - first);
	s->tail += len;
}

/*
 * Sequence numbers: one counter per engine worker, so the numbers a
 * session sees increase in delivery order across all the streams it
 * watches (polls of several streams merge by seq).  Starts again from 1
 * when the worker restarts; subscriptions do not survive that anyway.
 */
static int64 delivery_seq = 0;

void
siddhi_subscription_deliver(Oid dboid, Oid relid, bool expired,
							int64 timestamp, const char *json, Size len)
{
	int64 seq = ++delivery_seq;

	name_tranche();
	for (int i = 0; i < subs->n; i++)
	{
		SubSlot *s = sub_slot(i);
		Latch *latch = NULL;
		SubRecord rec;

		if (!s->in_use || s->relid != relid || s->dboid != dboid)
			continue;
		LWLockAcquire(&s->lock, LW_EXCLUSIVE);
		if (s->in_use && s->relid == relid && s->dboid == dboid)
		{
			rec.seq = seq;
			rec.timestamp = timestamp;
			rec.length = len;
			rec.expired = expired;
			/* no JSON: the event could not be made (counted as lost) */
			if (json != NULL &&
				subs->bufsize - (s->head - s->tail) >= sizeof(rec) + len)
			{
				buf_write(s, (char *) &rec, sizeof(rec));
				buf_write(s, json, len);
				s->delivered++;
			}
			else
				s->overflowed++;
			latch = s->latch;
		}
		LWLockRelease(&s->lock);
		if (latch)
			SetLatch(latch);
	}
}

/*
 * An event's time (ms since 1970) as a timestamptz; false when it has
 * none that timestamptz can show: a time outside its range, such as the
 * int8 extremes an event-time attribute may hold (which wrapped around
 * to 1969 before), or 'infinity' given as a timestamp event time.
 */
static bool
event_time_datum(int64 ms, Datum *result)
{
	int64 us;

	if (pg_sub_s64_overflow(ms,
							(int64) (POSTGRES_EPOCH_JDATE - UNIX_EPOCH_JDATE) *
								SECS_PER_DAY * 1000,
							&us) ||
		pg_mul_s64_overflow(us, 1000, &us) || !IS_VALID_TIMESTAMP(us))
		return false;
	*result = TimestampTzGetDatum(us);
	return true;
}

void
siddhi_subscriptions_move(Oid dboid, Oid from, Oid to)
{
	if (subs == NULL || pg_atomic_read_u32(&subs->active) == 0)
		return;
	LWLockAcquire(subs->lock, LW_EXCLUSIVE);
	for (int i = 0; i < subs->n; i++)
	{
		SubSlot *s = sub_slot(i);

		LWLockAcquire(&s->lock, LW_EXCLUSIVE);
		if (s->in_use && s->dboid == dboid && s->relid == from)
			s->relid = to;
		LWLockRelease(&s->lock);
	}
	LWLockRelease(subs->lock);
}

static void
release_my_slots(int code, Datum arg)
{
	if (subs == NULL)
		return;
	LWLockAcquire(subs->lock, LW_EXCLUSIVE);
	for (int i = 0; i < subs->n; i++)
	{
		SubSlot *s = sub_slot(i);

		if (s->in_use && s->pid == MyProcPid)
		{
			LWLockAcquire(&s->lock, LW_EXCLUSIVE);
			s->in_use = false;
			LWLockRelease(&s->lock);
			pg_atomic_fetch_sub_u32(&subs->active, 1);
		}
	}
	LWLockRelease(subs->lock);
}

/* Is relid the table of an app's named window (siddhi.app_relation)? */
static bool
is_named_window(Oid relid)
{
	Oid argtypes[2] = { TEXTOID, TEXTOID };
	Datum values[2];
	bool found;

	values[0] =
		CStringGetTextDatum(get_namespace_name(get_rel_namespace(relid)));
	values[1] = CStringGetTextDatum(get_rel_name(relid));
	SPI_connect();
	siddhi_catalog_spi(
		"SELECT 1 FROM siddhi.app_relation "
		"WHERE kind OPERATOR(pg_catalog.=) 'window' "
		"AND nspname OPERATOR(pg_catalog.=) $1::pg_catalog.name "
		"AND relname OPERATOR(pg_catalog.=) $2::pg_catalog.name "
		"LIMIT 1",
		2, argtypes, values, NULL, true, false);
	found = SPI_processed > 0;
	SPI_finish();
	return found;
}

/*
 * The stream (or named window) name names.  Watching it and reading what
 * it delivers needs SELECT on it (need_select), checked at every call so
 * that a revoked privilege stops the next poll; ending a watch does not.
 */
static Oid
stream_relid(text *name, bool need_select)
{
	List *names = textToQualifiedNameList(name);
	Oid relid =
		RangeVarGetRelid(makeRangeVarFromNameList(names), NoLock, false);

	if (get_rel_relkind(relid) != RELKIND_FOREIGN_TABLE &&
		!is_named_window(relid))
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("\"%s\" is not a stream", text_to_cstring(name)),
				 errhint("Only streams and named windows can be watched; "
						 "tables can be read with SELECT.")));
	if (need_select &&
		pg_class_aclcheck(relid, GetUserId(), ACL_SELECT) != ACLCHECK_OK)
		ereport(
			ERROR,
			(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
			 errmsg("permission denied for stream %s", get_rel_name(relid)),
			 errhint("Watching a stream needs the SELECT privilege on it.")));
	return relid;
}

static SubSlot *
my_slot(Oid relid)
{
	for (int i = 0; i < subs->n; i++)
	{
		SubSlot *s = sub_slot(i);

		if (s->in_use && s->pid == MyProcPid && s->relid == relid)
			return s;
	}
	return NULL;
}

PG_FUNCTION_INFO_V1(siddhi_subscribe);

Datum
siddhi_subscribe(PG_FUNCTION_ARGS)
{
	Oid relid;
	SubSlot *s = NULL;

	siddhi_require_preload();
	relid = stream_relid(PG_GETARG_TEXT_PP(0), true);
	name_tranche();
	if (!exit_hook_set)
	{
		before_shmem_exit(release_my_slots, 0);
		exit_hook_set = true;
	}
	LWLockAcquire(subs->lock, LW_EXCLUSIVE);
	if (my_slot(relid) != NULL)
	{
		LWLockRelease(subs->lock);
		PG_RETURN_VOID(); /* already watching: keep the buffer */
	}
	for (int i = 0; i < subs->n; i++)
	{
		if (!sub_slot(i)->in_use)
		{
			s = sub_slot(i);
			break;
		}
	}
	if (s == NULL)
	{
		LWLockRelease(subs->lock);
		ereport(
			ERROR,
			(errcode(ERRCODE_CONFIGURATION_LIMIT_EXCEEDED),
			 errmsg("too many stream subscriptions"),
			 errdetail("All %d subscription slots are in use.",
					   siddhi_max_subscriptions),
			 errhint(
				 "Raise siddhi.max_subscriptions, or call "
				 "siddhi.unsubscribe() in sessions that no longer watch.")));
	}
	LWLockAcquire(&s->lock, LW_EXCLUSIVE);
	s->dboid = MyDatabaseId;
	s->relid = relid;
	s->pid = MyProcPid;
	s->latch = MyLatch;
	s->head = s->tail = 0;
	s->delivered = s->overflowed = 0;
	s->in_use = true;
	LWLockRelease(&s->lock);
	pg_atomic_fetch_add_u32(&subs->active, 1);
	LWLockRelease(subs->lock);
	PG_RETURN_VOID();
}

PG_FUNCTION_INFO_V1(siddhi_unsubscribe);

Datum
siddhi_unsubscribe(PG_FUNCTION_ARGS)
{
	Oid relid;
	SubSlot *s;

	siddhi_require_preload();
	relid = stream_relid(PG_GETARG_TEXT_PP(0), false);
	LWLockAcquire(subs->lock, LW_EXCLUSIVE);
	s = my_slot(relid);
	if (s)
	{
		LWLockAcquire(&s->lock, LW_EXCLUSIVE);
		s->in_use = false;
		LWLockRelease(&s->lock);
		pg_atomic_fetch_sub_u32(&subs->active, 1);
	}
	LWLockRelease(subs->lock);
	PG_RETURN_VOID();
}

PG_FUNCTION_INFO_V1(siddhi_poll);

Datum
siddhi_poll(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	Oid relid;
	int max_events = PG_GETARG_INT32(1);
	int timeout_ms = PG_GETARG_INT32(2);
	TimestampTz deadline;
	SubSlot *s;
	int got = 0;
	char *json = NULL;
	Size json_cap = 0;

	siddhi_require_preload();
	relid = stream_relid(PG_GETARG_TEXT_PP(0), true);
	if (max_events <= 0)
		ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						errmsg("max_events must be positive")));
	InitMaterializedSRF(fcinfo, 0);
	name_tranche();

	s = my_slot(relid);
	if (s == NULL)
		ereport(ERROR, (errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
						errmsg("this session does not watch stream \"%s\"",
							   get_rel_name(relid)),
						errhint("Call siddhi.subscribe('%s') first.",
								get_rel_name(relid))));

	deadline =
		TimestampTzPlusMilliseconds(GetCurrentTimestamp(), Max(timeout_ms, 0));
	for (;;)
	{
		while (got < max_events)
		{
			SubRecord rec;
			Datum values[4];
			bool nulls[4] = { 0 };

			/* the header first; the buffer for the text outside the lock */
			LWLockAcquire(&s->lock, LW_EXCLUSIVE);
			if (s->head == s->tail)
			{
				LWLockRelease(&s->lock);
				break;
			}
			buf_peek(s, (char *) &rec, sizeof(rec));
			LWLockRelease(&s->lock);
			if (json_cap < rec.length + 1)
			{
				json_cap = Max(rec.length + 1, 1024);
				json = json ? repalloc(json, json_cap) : palloc(json_cap);
			}
			/* only this backend consumes: the record is still there */
			LWLockAcquire(&s->lock, LW_EXCLUSIVE);
			s->tail += sizeof(rec);
			buf_read(s, json, rec.length);
			LWLockRelease(&s->lock);
			json[rec.length] = '\0';

			values[0] = Int64GetDatum(rec.seq);
			values[1] = BoolGetDatum(rec.expired);
			if (!event_time_datum(rec.timestamp, &values[2]))
				nulls[2] = true;
			values[3] = DirectFunctionCall1(jsonb_in, CStringGetDatum(json));
			tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values,
								 nulls);
			got++;
		}
		if (got > 0 || GetCurrentTimestamp() >= deadline)
			break;
		{
			long wait = TimestampDifferenceMilliseconds(GetCurrentTimestamp(),
														deadline);

			(void) WaitLatch(MyLatch,
							 WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
							 Max(wait, 1), PG_WAIT_EXTENSION);
			ResetLatch(MyLatch);
			CHECK_FOR_INTERRUPTS();
		}
	}
	PG_RETURN_VOID();
}

PG_FUNCTION_INFO_V1(siddhi_subscriptions);

Datum
siddhi_subscriptions(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;

	siddhi_require_preload();
	InitMaterializedSRF(fcinfo, 0);
	for (int i = 0; i < subs->n; i++)
	{
		SubSlot *s = sub_slot(i);
		Datum values[4];
		bool nulls[4] = { 0 };
		uint64 buffered, delivered, overflowed;
		Oid relid;

		if (!s->in_use || s->pid != MyProcPid)
			continue;
		LWLockAcquire(&s->lock, LW_EXCLUSIVE);
		relid = s->relid;
		buffered = s->head - s->tail;
		delivered = s->delivered;
		overflowed = s->overflowed;
		LWLockRelease(&s->lock);
		values[0] = CStringGetTextDatum(
			get_rel_name(relid) ? get_rel_name(relid) : "?");
		values[1] = Int64GetDatum(buffered);
		values[2] = Int64GetDatum(delivered);
		values[3] = Int64GetDatum(overflowed);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values,
							 nulls);
	}
	PG_RETURN_VOID();
}
