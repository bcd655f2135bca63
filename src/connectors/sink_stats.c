/*-------------------------------------------------------------------------
 *
 * sink_stats.c
 *	  Per-sink state and counters in shared memory, shown by siddhi.sinks.
 *
 * A fixed array of siddhi.max_sinks entries.  The engine worker of a
 * database claims an entry when it starts a sink and frees it when it
 * stops the sink; the worker alone writes an entry (counters are atomics,
 * the texts are guarded by the entry's spinlock), anyone reads.  When the
 * array is full a sink runs without an entry and the worker logs it.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_authid.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "port/atomics.h"
#include "siddhi/metrics.h"
#include "siddhi/sink.h"
#include "siddhi/source_runtime.h"
#include "storage/shmem.h"
#include "storage/spin.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/timestamp.h"

#define SINK_NAME_LEN 64
#define SINK_ERROR_LEN 256

int siddhi_max_sinks = 256;

struct SiddhiSinkStats
{
	Oid dboid; /* InvalidOid: free */
	Oid owner; /* the app's: who may see the entry */
	char app[SINK_NAME_LEN];
	char sink[SINK_NAME_LEN];
	char stream[SINK_NAME_LEN];
	char type[16];
	pg_atomic_uint64 queued; /* rows in the outbox, committed */
	pg_atomic_uint64 in_flight;
	pg_atomic_uint64 sent;
	pg_atomic_uint64 failed;
	pg_atomic_uint64 dropped;
	slock_t mutex; /* guards state, last_error, last_error_at */
	char state[16];
	char last_error[SINK_ERROR_LEN];
	TimestampTz last_error_at;
};

typedef struct SinkStatsShared
{
	slock_t mutex; /* guards claiming and freeing entries */
	int n;
	SiddhiSinkStats entries[FLEXIBLE_ARRAY_MEMBER];
} SinkStatsShared;

static SinkStatsShared *sstats = NULL;

void
siddhi_sink_guc_init(void)
{
	DefineCustomIntVariable(
		"siddhi.max_sinks",
		"Sinks whose state siddhi.sinks can show, in all databases.", NULL,
		&siddhi_max_sinks, 256, 16, 65536, PGC_POSTMASTER, 0, NULL, NULL,
		NULL);
	siddhi_http_guc_init();
	siddhi_file_guc_init();
}

Size
siddhi_sink_stats_shmem_size(void)
{
	return add_size(offsetof(SinkStatsShared, entries),
					mul_size(sizeof(SiddhiSinkStats), siddhi_max_sinks));
}

void
siddhi_sink_stats_shmem_init(void)
{
	bool found;

	sstats = ShmemInitStruct("siddhi sink stats",
							 siddhi_sink_stats_shmem_size(), &found);
	if (found)
		return;
	SpinLockInit(&sstats->mutex);
	sstats->n = siddhi_max_sinks;
	for (int i = 0; i < sstats->n; i++)
	{
		SiddhiSinkStats *e = &sstats->entries[i];

		e->dboid = InvalidOid;
		pg_atomic_init_u64(&e->queued, 0);
		pg_atomic_init_u64(&e->in_flight, 0);
		pg_atomic_init_u64(&e->sent, 0);
		pg_atomic_init_u64(&e->failed, 0);
		pg_atomic_init_u64(&e->dropped, 0);
		SpinLockInit(&e->mutex);
	}
}

SiddhiSinkStats *
siddhi_sink_stats_alloc(const char *app, const SiddhiSinkPlan *plan, Oid owner)
{
	SiddhiSinkStats *found = NULL;

	if (sstats == NULL)
		return NULL;
	SpinLockAcquire(&sstats->mutex);
	for (int i = 0; i < sstats->n; i++)
	{
		if (sstats->entries[i].dboid == InvalidOid)
		{
			found = &sstats->entries[i];
			found->dboid = MyDatabaseId;
			break;
		}
	}
	SpinLockRelease(&sstats->mutex);
	if (found == NULL)
	{
		ereport(LOG, (errmsg("siddhi: no room for the state of sink \"%s\" "
							 "of app \"%s\"",
							 plan->name, app),
					  errhint("Raise siddhi.max_sinks (now %d).",
							  siddhi_max_sinks)));
		return NULL;
	}
	found->owner = owner;
	strlcpy(found->app, app, SINK_NAME_LEN);
	strlcpy(found->sink, plan->name, SINK_NAME_LEN);
	strlcpy(found->stream, plan->stream ? plan->stream->name : "",
			SINK_NAME_LEN);
	strlcpy(found->type, plan->type, sizeof(found->type));
	pg_atomic_write_u64(&found->queued, 0);
	pg_atomic_write_u64(&found->in_flight, 0);
	pg_atomic_write_u64(&found->sent, 0);
	pg_atomic_write_u64(&found->failed, 0);
	pg_atomic_write_u64(&found->dropped, 0);
	SpinLockAcquire(&found->mutex);
	strlcpy(found->state, "starting", sizeof(found->state));
	found->last_error[0] = '\0';
	found->last_error_at = 0;
	SpinLockRelease(&found->mutex);
	return found;
}

void
siddhi_sink_stats_free(SiddhiSinkStats *e)
{
	if (e == NULL)
		return;
	SpinLockAcquire(&sstats->mutex);
	e->dboid = InvalidOid;
	SpinLockRelease(&sstats->mutex);
}

/* Free every entry of this database (a new worker starts afresh). */
void siddhi_sink_stats_free_db(Oid dboid);

void
siddhi_sink_stats_free_db(Oid dboid)
{
	if (sstats == NULL)
		return;
	SpinLockAcquire(&sstats->mutex);
	for (int i = 0; i < sstats->n; i++)
		if (sstats->entries[i].dboid == dboid)
			sstats->entries[i].dboid = InvalidOid;
	SpinLockRelease(&sstats->mutex);
}

void
siddhi_sink_stats_state(SiddhiSinkStats *e, const char *state)
{
	if (e == NULL)
		return;
	SpinLockAcquire(&e->mutex);
	strlcpy(e->state, state, sizeof(e->state));
	SpinLockRelease(&e->mutex);
}

void
siddhi_sink_stats_set(SiddhiSinkStats *e, int64 queued, int64 in_flight)
{
	if (e == NULL)
		return;
	pg_atomic_write_u64(&e->queued, Max(queued, 0));
	pg_atomic_write_u64(&e->in_flight, Max(in_flight, 0));
}

void
siddhi_sink_stats_add(SiddhiSinkStats *e, int64 sent, int64 failed,
					  int64 dropped)
{
	if (e == NULL)
		return;
	/* single writer: no locked instructions */
	if (sent)
		pg_atomic_write_u64(&e->sent, pg_atomic_read_u64(&e->sent) + sent);
	if (failed)
		pg_atomic_write_u64(&e->failed,
							pg_atomic_read_u64(&e->failed) + failed);
	if (dropped)
		pg_atomic_write_u64(&e->dropped,
							pg_atomic_read_u64(&e->dropped) + dropped);
}

void
siddhi_sink_stats_error(SiddhiSinkStats *e, const char *error)
{
	const char *shown;

	if (e == NULL)
		return;
	shown = siddhi_secrets_redact(error);
	SpinLockAcquire(&e->mutex);
	strlcpy(e->last_error, shown, SINK_ERROR_LEN);
	e->last_error_at = GetCurrentTimestamp();
	SpinLockRelease(&e->mutex);
	if (shown != error)
		pfree((char *) shown);
}

PG_FUNCTION_INFO_V1(siddhi_sink_stats);

/*
 * The entries the caller may see: members of the app owner's role see
 * their database's, members of pg_read_all_stats (pg_monitor) all, as for
 * siddhi.queries (last_error can quote an event's values).
 */
Datum
siddhi_sink_stats(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	bool read_all = has_privs_of_role(GetUserId(), ROLE_PG_READ_ALL_STATS);

	InitMaterializedSRF(fcinfo, 0);
	if (sstats == NULL)
		PG_RETURN_VOID();
	for (int i = 0; i < sstats->n; i++)
	{
		SiddhiSinkStats *e = &sstats->entries[i];
		Datum values[13];
		bool nulls[13] = { 0 };
		char err[SINK_ERROR_LEN];
		char state[16];
		TimestampTz at;

		if (e->dboid == InvalidOid)
			continue;
		if (!read_all && (e->dboid != MyDatabaseId ||
						  !has_privs_of_role(GetUserId(), e->owner)))
			continue;
		SpinLockAcquire(&e->mutex);
		strlcpy(err, e->last_error, SINK_ERROR_LEN);
		strlcpy(state, e->state, sizeof(state));
		at = e->last_error_at;
		SpinLockRelease(&e->mutex);

		values[0] = ObjectIdGetDatum(e->dboid);
		values[1] = CStringGetTextDatum(e->app);
		values[2] = CStringGetTextDatum(e->stream);
		values[3] = CStringGetTextDatum(e->sink);
		values[4] = CStringGetTextDatum(e->type);
		values[5] = CStringGetTextDatum(state);
		values[6] = Int64GetDatum(pg_atomic_read_u64(&e->queued));
		values[7] = Int64GetDatum(pg_atomic_read_u64(&e->in_flight));
		values[8] = Int64GetDatum(pg_atomic_read_u64(&e->sent));
		values[9] = Int64GetDatum(pg_atomic_read_u64(&e->failed));
		values[10] = Int64GetDatum(pg_atomic_read_u64(&e->dropped));
		if (err[0])
			values[11] = CStringGetTextDatum(err);
		else
			nulls[11] = true;
		if (at)
			values[12] = TimestampTzGetDatum(at);
		else
			nulls[12] = true;
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values,
							 nulls);
	}
	PG_RETURN_VOID();
}

/* A copy of entry i, for the metrics' text (siddhi/metrics.h). */
bool
siddhi_sink_stats_snap(int i, bool *used, SiddhiSinkSnap *s)
{
	SiddhiSinkStats *e;

	if (sstats == NULL || i >= sstats->n)
		return false;
	e = &sstats->entries[i];
	s->dboid = e->dboid;
	*used = OidIsValid(s->dboid);
	if (!*used)
		return true;
	s->owner = e->owner;
	strlcpy(s->app, e->app, sizeof(s->app));
	strlcpy(s->stream, e->stream, sizeof(s->stream));
	strlcpy(s->name, e->sink, sizeof(s->name));
	strlcpy(s->type, e->type, sizeof(s->type));
	s->queued = (int64) pg_atomic_read_u64(&e->queued);
	s->in_flight = (int64) pg_atomic_read_u64(&e->in_flight);
	s->sent = (int64) pg_atomic_read_u64(&e->sent);
	s->failed = (int64) pg_atomic_read_u64(&e->failed);
	s->dropped = (int64) pg_atomic_read_u64(&e->dropped);
	return true;
}
