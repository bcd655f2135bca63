/*-------------------------------------------------------------------------
 *
 * source_stats.c
 *	  Per-source counters in shared memory, shown by siddhi.sources; the
 *	  settings of the source framework.
 *
 * A fixed array of siddhi.max_sources entries.  The engine worker of a
 * database claims an entry for each source when it loads an app and frees
 * it when it unloads it (under the slots' lock, briefly); counters are
 * atomics written only by that worker, the strings are guarded by a
 * spinlock per entry.  When the array is full a source runs without
 * counters and the worker logs it.  Who sees an entry: as siddhi.queries,
 * members of the app owner's role and of pg_read_all_stats (pg_monitor),
 * in the entry's database.
 *
 * Also here: a per-database replay generation that siddhi.replay_errors()
 * bumps when its transaction commits, which tells the engine to re-feed
 * the stored records marked for replay.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "catalog/pg_authid.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "port/atomics.h"
#include "siddhi/shmem.h"
#include "siddhi/metrics.h"
#include "siddhi/source_runtime.h"
#include "storage/shmem.h"
#include "storage/spin.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/timestamp.h"

#include "source_int.h"

#define NAME_LEN 64
#define TEXT_LEN 256

int siddhi_source_batch_events = 50000;
int siddhi_inmemory_queue_events = 100000;
int siddhi_max_sources = 256;

struct SiddhiSourceStats
{
	Oid dboid; /* InvalidOid: free */
	Oid owner;
	char app[NAME_LEN];
	char stream[NAME_LEN];
	char name[NAME_LEN];
	char type[NAME_LEN];
	char on_error[8];
	pg_atomic_uint32 state;
	pg_atomic_uint32 connected;
	pg_atomic_uint64 records_in;
	pg_atomic_uint64 events_out;
	pg_atomic_uint64 errors;
	pg_atomic_uint64 lag; /* as int64; -1: unknown */
	slock_t mutex;		  /* guards the strings below */
	char last_error[TEXT_LEN];
	TimestampTz last_error_at;
	char detail[TEXT_LEN];
};

typedef struct SourceStatsShared
{
	int n;
	int ndbs;
	pg_atomic_uint32 *replay; /* per database slot */
	SiddhiSourceStats entries[FLEXIBLE_ARRAY_MEMBER];
} SourceStatsShared;

static SourceStatsShared *sst = NULL;

void
siddhi_sources_define_gucs(void)
{
	DefineCustomIntVariable(
		"siddhi.source_batch_events",
		"Records the engine takes from each source per batch.",
		"Bounds the engine's memory for source records: at most this many "
		"records of each source (and their events) are held at once.",
		&siddhi_source_batch_events, 50000, 1, 1000000, PGC_SIGHUP, 0, NULL,
		NULL, NULL);
	DefineCustomIntVariable(
		"siddhi.inmemory_queue_events",
		"Events each inMemory source may have waiting in its topic's queue.",
		"Beyond it the oldest are dropped and counted as errors of the "
		"source.",
		&siddhi_inmemory_queue_events, 100000, 1, INT_MAX, PGC_SIGHUP, 0, NULL,
		NULL, NULL);
	DefineCustomIntVariable("siddhi.max_sources",
							"Sources whose counters siddhi.sources can show.",
							NULL, &siddhi_max_sources, 256, 8, 100000,
							PGC_POSTMASTER, 0, NULL, NULL, NULL);
	siddhi_cdc_define_gucs();
}

Size
siddhi_source_stats_shmem_size(void)
{
	Size s = add_size(offsetof(SourceStatsShared, entries),
					  mul_size(sizeof(SiddhiSourceStats), siddhi_max_sources));

	return add_size(s,
					mul_size(sizeof(pg_atomic_uint32), siddhi_max_databases));
}

void
siddhi_source_stats_shmem_init(void)
{
	bool found;

	sst = ShmemInitStruct("siddhi source stats",
						  siddhi_source_stats_shmem_size(), &found);
	if (found)
		return;
	sst->n = siddhi_max_sources;
	sst->ndbs = siddhi_max_databases;
	sst->replay = (pg_atomic_uint32 *) &sst->entries[sst->n];
	for (int i = 0; i < sst->ndbs; i++)
		pg_atomic_init_u32(&sst->replay[i], 0);
	for (int i = 0; i < sst->n; i++)
	{
		SiddhiSourceStats *e = &sst->entries[i];

		e->dboid = InvalidOid;
		pg_atomic_init_u32(&e->state, 0);
		pg_atomic_init_u32(&e->connected, 0);
		pg_atomic_init_u64(&e->records_in, 0);
		pg_atomic_init_u64(&e->events_out, 0);
		pg_atomic_init_u64(&e->errors, 0);
		pg_atomic_init_u64(&e->lag, (uint64) -1);
		SpinLockInit(&e->mutex);
	}
}

SiddhiSourceStats *
siddhi_source_stats_alloc(const char *app, Oid owner,
						  const SiddhiSourcePlan *p)
{
	SiddhiSourceStats *found = NULL;

	if (sst == NULL)
		return NULL;
	LWLockAcquire(siddhi_shared->lock, LW_EXCLUSIVE);
	for (int i = 0; i < sst->n && found == NULL; i++)
	{
		SiddhiSourceStats *e = &sst->entries[i];

		if (e->dboid != InvalidOid)
			continue;
		e->dboid = MyDatabaseId;
		e->owner = owner;
		strlcpy(e->app, app, NAME_LEN);
		strlcpy(e->stream, p->stream->name, NAME_LEN);
		strlcpy(e->name, p->name, NAME_LEN);
		strlcpy(e->type,
				strcmp(p->type, "inmemory") == 0 ? "inMemory" : p->type,
				NAME_LEN);
		strlcpy(e->on_error, siddhi_on_error_name(p->on_error), 8);
		pg_atomic_write_u32(&e->state, SIDDHI_SOURCE_CONNECTING);
		pg_atomic_write_u32(&e->connected, 0);
		pg_atomic_write_u64(&e->records_in, 0);
		pg_atomic_write_u64(&e->events_out, 0);
		pg_atomic_write_u64(&e->errors, 0);
		pg_atomic_write_u64(&e->lag, (uint64) -1);
		e->last_error[0] = '\0';
		e->last_error_at = 0;
		e->detail[0] = '\0';
		found = e;
	}
	LWLockRelease(siddhi_shared->lock);
	if (found == NULL)
		ereport(LOG,
				(errmsg("siddhi: no room for the counters of source \"%s\" of "
						"app \"%s\"",
						p->name, app),
				 errhint("Raise siddhi.max_sources (now %d).",
						 siddhi_max_sources)));
	return found;
}

void
siddhi_source_stats_free(SiddhiSourceStats *e)
{
	if (e == NULL)
		return;
	LWLockAcquire(siddhi_shared->lock, LW_EXCLUSIVE);
	e->dboid = InvalidOid;
	LWLockRelease(siddhi_shared->lock);
}

/* A new engine of a database starts afresh. */
void
siddhi_source_stats_free_db(Oid dboid)
{
	if (sst == NULL)
		return;
	LWLockAcquire(siddhi_shared->lock, LW_EXCLUSIVE);
	for (int i = 0; i < sst->n; i++)
		if (sst->entries[i].dboid == dboid)
			sst->entries[i].dboid = InvalidOid;
	LWLockRelease(siddhi_shared->lock);
}

static void
add(pg_atomic_uint64 *c, int64 n)
{
	/* single writer */
	if (n)
		pg_atomic_write_u64(c, pg_atomic_read_u64(c) + n);
}

void
siddhi_source_stats_count(SiddhiSourceStats *e, int64 records, int64 events,
						  int64 errors)
{
	if (e == NULL)
		return;
	add(&e->records_in, records);
	add(&e->events_out, events);
	add(&e->errors, errors);
}

void
siddhi_source_stats_error(SiddhiSourceStats *e, const char *msg)
{
	const char *shown;

	if (e == NULL)
		return;
	shown = siddhi_secrets_redact(msg);
	SpinLockAcquire(&e->mutex);
	strlcpy(e->last_error, shown, TEXT_LEN);
	e->last_error_at = GetCurrentTimestamp();
	SpinLockRelease(&e->mutex);
	if (shown != msg)
		pfree((char *) shown);
}

void
siddhi_source_stats_state(SiddhiSourceStats *e, SiddhiSourceState state,
						  const SiddhiSourceStatus *status)
{
	const char *detail;
	const char *error;

	if (e == NULL)
		return;
	pg_atomic_write_u32(&e->state, state);
	if (status == NULL)
	{
		pg_atomic_write_u32(&e->connected, 0);
		return;
	}
	pg_atomic_write_u32(&e->connected, status->connected ? 1 : 0);
	pg_atomic_write_u64(&e->lag, (uint64) status->lag);
	detail = siddhi_secrets_redact(status->detail);
	error = siddhi_secrets_redact(status->last_error);
	SpinLockAcquire(&e->mutex);
	strlcpy(e->detail, detail, TEXT_LEN);
	if (error[0] != '\0' && strcmp(error, e->last_error) != 0)
	{
		strlcpy(e->last_error, error, TEXT_LEN);
		e->last_error_at = GetCurrentTimestamp();
	}
	SpinLockRelease(&e->mutex);
	if (detail != status->detail)
		pfree((char *) detail);
	if (error != status->last_error)
		pfree((char *) error);
}

/* ---------------------------------------------------------------------
 * Replays: siddhi.replay_errors() marks rows, and at its commit bumps its
 * database's generation and wakes the engine.
 * ---------------------------------------------------------------------
 */
static bool replay_asked = false;
static bool replay_callback = false;

static void
replay_xact_callback(XactEvent event, void *arg)
{
	if (!replay_asked)
		return;
	if (event == XACT_EVENT_COMMIT)
	{
		int slot = siddhi_db_slot(MyDatabaseId, false);

		replay_asked = false;
		if (slot >= 0 && sst != NULL && slot < sst->ndbs)
		{
			pg_atomic_fetch_add_u32(&sst->replay[slot], 1);
			siddhi_wake_worker(slot);
		}
	}
	else if (event == XACT_EVENT_ABORT)
		replay_asked = false;
}

/* Called by siddhi.replay_errors(): wake the engine at commit. */
void
siddhi_source_replay_ask(void)
{
	if (!replay_callback)
	{
		RegisterXactCallback(replay_xact_callback, NULL);
		replay_callback = true;
	}
	replay_asked = true;
}

uint32
siddhi_source_replay_generation(void)
{
	/* the engine asks every turn: its slot does not change */
	static int slot = -1;

	if (slot < 0)
		slot = siddhi_db_slot(MyDatabaseId, false);

	if (slot < 0 || sst == NULL || slot >= sst->ndbs)
		return 0;
	return pg_atomic_read_u32(&sst->replay[slot]);
}

/* ---------------------------------------------------------------------
 * siddhi.source_stats(), under the view siddhi.sources
 * ---------------------------------------------------------------------
 */
PG_FUNCTION_INFO_V1(siddhi_source_stats);

Datum
siddhi_source_stats(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	bool read_all = has_privs_of_role(GetUserId(), ROLE_PG_READ_ALL_STATS);
	static const char *const states[] = { "connecting", "running", "failed" };

	InitMaterializedSRF(fcinfo, 0);
	if (sst == NULL)
		PG_RETURN_VOID();
	for (int i = 0; i < sst->n; i++)
	{
		SiddhiSourceStats *e = &sst->entries[i];
		Datum values[15];
		bool nulls[15] = { 0 };
		char err[TEXT_LEN];
		char detail[TEXT_LEN];
		TimestampTz at;
		int64 lag;
		uint32 state;

		if (e->dboid == InvalidOid)
			continue;
		if (!read_all && (e->dboid != MyDatabaseId ||
						  !has_privs_of_role(GetUserId(), e->owner)))
			continue;
		SpinLockAcquire(&e->mutex);
		strlcpy(err, e->last_error, TEXT_LEN);
		strlcpy(detail, e->detail, TEXT_LEN);
		at = e->last_error_at;
		SpinLockRelease(&e->mutex);
		state = pg_atomic_read_u32(&e->state);
		lag = (int64) pg_atomic_read_u64(&e->lag);

		values[0] = ObjectIdGetDatum(e->dboid);
		values[1] = CStringGetTextDatum(e->app);
		values[2] = CStringGetTextDatum(e->stream);
		values[3] = CStringGetTextDatum(e->name);
		values[4] = CStringGetTextDatum(e->type);
		values[5] = CStringGetTextDatum(states[state > 2 ? 2 : state]);
		values[6] = BoolGetDatum(pg_atomic_read_u32(&e->connected) != 0);
		values[7] = Int64GetDatum(pg_atomic_read_u64(&e->records_in));
		values[8] = Int64GetDatum(pg_atomic_read_u64(&e->events_out));
		values[9] = Int64GetDatum(pg_atomic_read_u64(&e->errors));
		values[10] = CStringGetTextDatum(e->on_error);
		if (err[0])
		{
			values[11] = CStringGetTextDatum(err);
			values[12] = TimestampTzGetDatum(at);
		}
		else
			nulls[11] = nulls[12] = true;
		if (lag >= 0)
			values[13] = Int64GetDatum(lag);
		else
			nulls[13] = true;
		if (detail[0])
			values[14] = CStringGetTextDatum(detail);
		else
			nulls[14] = true;
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values,
							 nulls);
	}
	PG_RETURN_VOID();
}

/* A copy of entry i, for the metrics' text (siddhi/metrics.h). */
bool
siddhi_source_stats_snap(int i, bool *used, SiddhiSourceSnap *s)
{
	SiddhiSourceStats *e;

	if (sst == NULL || i >= sst->n)
		return false;
	e = &sst->entries[i];
	s->dboid = e->dboid;
	*used = OidIsValid(s->dboid);
	if (!*used)
		return true;
	s->owner = e->owner;
	strlcpy(s->app, e->app, sizeof(s->app));
	strlcpy(s->stream, e->stream, sizeof(s->stream));
	strlcpy(s->name, e->name, sizeof(s->name));
	strlcpy(s->type, e->type, sizeof(s->type));
	s->connected = pg_atomic_read_u32(&e->connected) != 0;
	s->records_in = (int64) pg_atomic_read_u64(&e->records_in);
	s->events_out = (int64) pg_atomic_read_u64(&e->events_out);
	s->errors = (int64) pg_atomic_read_u64(&e->errors);
	s->lag = (int64) pg_atomic_read_u64(&e->lag);
	return true;
}
