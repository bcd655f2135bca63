/*-------------------------------------------------------------------------
 *
 * stats.c
 *	  Per-query counters in shared memory, shown by siddhi.queries.
 *
 * A fixed array of siddhi.max_queries entries.  The engine worker of a
 * database claims entries when it starts an app and frees them when it
 * stops it (under the stats lock); counters are atomics written only by
 * that worker, read by anyone.  When the array is full a query runs
 * without counters and the worker logs it once.
 *
 * Metrics (issue 16): one event in SIDDHI_SAMPLE_EVERY of each query is
 * timed (two clock reads) into its histogram; the others cost a counter
 * and a comparison.  The state a query holds is written at the end of
 * each batch (runtime/metrics_probe.c).  Each entry names its app's entry
 * of metrics.c, where the batch's commit latency and event time lag go.
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
#include "siddhi/ipc.h"
#include "siddhi/metrics.h"
#include "siddhi/shmem.h"
#include "storage/shmem.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/timestamp.h"

#include "stats_int.h"

#define STATS_NAME_LEN 64
#define STATS_ERROR_LEN 256

struct SiddhiQueryStats
{
	Oid dboid; /* InvalidOid: entry free */
	Oid owner; /* the app's: who may see the entry */
	char app[STATS_NAME_LEN];
	char query[STATS_NAME_LEN];
	pg_atomic_uint64 events_in;
	pg_atomic_uint64 events_out;
	pg_atomic_uint64 errors;
	pg_atomic_uint64 index_lookups;	  /* join lookups of a table by index */
	pg_atomic_uint64 scan_lookups;	  /* ... by reading the whole table */
	pg_atomic_uint64 partial_matches; /* patterns: partial matches held */
	pg_atomic_uint64 partial_dropped; /* ... dropped by the bound */
	slock_t mutex;					  /* guards last_error */
	char last_error[STATS_ERROR_LEN];
	TimestampTz last_error_at;
	/* issue 16's metrics */
	pg_atomic_uint64 events_held; /* the rest as int64; -1: unknown */
	pg_atomic_uint64 groups;
	pg_atomic_uint64 keys;
	pg_atomic_uint64 state_bytes;
	SiddhiHistogram time; /* sampled events' processing time */
	/* per operator of the chain (metrics.h, SiddhiOp) */
	pg_atomic_uint64 ops[SIDDHI_OPS][SIDDHI_OP_OUT_EXPIRED + 1];
	/* the engine's own, not read by others */
	int app_index;		/* in metrics.c's apps; -1: none */
	int sample_left;	/* events before the next timed one */
	uint64 in_at_batch; /* events_in at the end of the last batch */
	int64 batch_max_ts; /* latest event time since the last batch end */
};

typedef struct StatsShared
{
	LWLock *lock;
	int n;
	SiddhiQueryStats entries[FLEXIBLE_ARRAY_MEMBER];
} StatsShared;

static StatsShared *stats = NULL;

Size
siddhi_stats_shmem_size(void)
{
	return add_size(offsetof(StatsShared, entries),
					mul_size(sizeof(SiddhiQueryStats), siddhi_max_queries));
}

void
siddhi_stats_shmem_init(void)
{
	bool found;

	stats = ShmemInitStruct("siddhi query stats", siddhi_stats_shmem_size(),
							&found);
	if (found)
		return;
	stats->lock =
		&(GetNamedLWLockTranche("siddhi"))[1 + siddhi_max_databases + 1].lock;
	stats->n = siddhi_max_queries;
	for (int i = 0; i < stats->n; i++)
	{
		SiddhiQueryStats *e = &stats->entries[i];

		e->dboid = InvalidOid;
		pg_atomic_init_u64(&e->events_in, 0);
		pg_atomic_init_u64(&e->events_out, 0);
		pg_atomic_init_u64(&e->errors, 0);
		pg_atomic_init_u64(&e->index_lookups, 0);
		pg_atomic_init_u64(&e->scan_lookups, 0);
		pg_atomic_init_u64(&e->partial_matches, 0);
		pg_atomic_init_u64(&e->partial_dropped, 0);
		pg_atomic_init_u64(&e->events_held, (uint64) -1);
		pg_atomic_init_u64(&e->groups, (uint64) -1);
		pg_atomic_init_u64(&e->keys, (uint64) -1);
		pg_atomic_init_u64(&e->state_bytes, (uint64) -1);
		siddhi_hist_init(&e->time);
		for (int o = 0; o < SIDDHI_OPS; o++)
			for (int w = 0; w <= SIDDHI_OP_OUT_EXPIRED; w++)
				pg_atomic_init_u64(&e->ops[o][w], 0);
		SpinLockInit(&e->mutex);
	}
}

LWLock *
siddhi_stats_lock(void)
{
	return stats->lock;
}

SiddhiQueryStats *
siddhi_stats_alloc(Oid dboid, const char *app, const char *query, Oid owner)
{
	SiddhiQueryStats *found = NULL;

	LWLockAcquire(stats->lock, LW_EXCLUSIVE);
	for (int i = 0; i < stats->n; i++)
	{
		SiddhiQueryStats *e = &stats->entries[i];

		if (e->dboid == InvalidOid)
		{
			e->dboid = dboid;
			e->owner = owner;
			strlcpy(e->app, app, STATS_NAME_LEN);
			strlcpy(e->query, query, STATS_NAME_LEN);
			pg_atomic_write_u64(&e->events_in, 0);
			pg_atomic_write_u64(&e->events_out, 0);
			pg_atomic_write_u64(&e->errors, 0);
			pg_atomic_write_u64(&e->index_lookups, 0);
			pg_atomic_write_u64(&e->scan_lookups, 0);
			pg_atomic_write_u64(&e->partial_matches, 0);
			pg_atomic_write_u64(&e->partial_dropped, 0);
			e->last_error[0] = '\0';
			e->last_error_at = 0;
			pg_atomic_write_u64(&e->events_held, (uint64) -1);
			pg_atomic_write_u64(&e->groups, (uint64) -1);
			pg_atomic_write_u64(&e->keys, (uint64) -1);
			pg_atomic_write_u64(&e->state_bytes, (uint64) -1);
			siddhi_hist_init(&e->time);
			for (int o = 0; o < SIDDHI_OPS; o++)
				for (int w = 0; w <= SIDDHI_OP_OUT_EXPIRED; w++)
					pg_atomic_write_u64(&e->ops[o][w], 0);
			e->sample_left = 1; /* the first event is timed */
			e->in_at_batch = 0;
			e->batch_max_ts = 0;
			e->app_index = siddhi_metrics_app_claim(dboid, app, owner);
			found = e;
			break;
		}
	}
	LWLockRelease(stats->lock);
	if (found == NULL)
		ereport(LOG, (errmsg("siddhi: no room for the counters of query "
							 "\"%s\" of app \"%s\"",
							 query, app),
					  errhint("Raise siddhi.max_queries (now %d).",
							  siddhi_max_queries)));
	return found;
}

void
siddhi_stats_free_app(Oid dboid, const char *app)
{
	LWLockAcquire(stats->lock, LW_EXCLUSIVE);
	for (int i = 0; i < stats->n; i++)
	{
		SiddhiQueryStats *e = &stats->entries[i];

		if (e->dboid == dboid && strncmp(e->app, app, STATS_NAME_LEN - 1) == 0)
			e->dboid = InvalidOid;
	}
	siddhi_metrics_app_release(dboid, app);
	LWLockRelease(stats->lock);
	/* streams dropped with the app leave the metrics (needs the catalog) */
	if (IsTransactionState())
		siddhi_metrics_prune_streams();
}

/* Free every entry of a database (its worker starts afresh). */
void siddhi_stats_free_db(Oid dboid);

void
siddhi_stats_free_db(Oid dboid)
{
	LWLockAcquire(stats->lock, LW_EXCLUSIVE);
	for (int i = 0; i < stats->n; i++)
		if (stats->entries[i].dboid == dboid)
			stats->entries[i].dboid = InvalidOid;
	siddhi_metrics_app_release(dboid, NULL);
	LWLockRelease(stats->lock);
}

void
siddhi_stats_count(SiddhiQueryStats *e, int64 in, int64 out)
{
	if (e == NULL)
		return;
	/* single writer: plain read-add-write avoids locked instructions */
	if (in)
		pg_atomic_write_u64(&e->events_in,
							pg_atomic_read_u64(&e->events_in) + in);
	if (out)
		pg_atomic_write_u64(&e->events_out,
							pg_atomic_read_u64(&e->events_out) + out);
}

pg_atomic_uint64 *
siddhi_stats_op_counters(SiddhiQueryStats *e)
{
	return e ? &e->ops[0][0] : NULL;
}

void
siddhi_stats_error(SiddhiQueryStats *e, const char *message)
{
	if (e == NULL)
		return;
	pg_atomic_fetch_add_u64(&e->errors, 1);
	SpinLockAcquire(&e->mutex);
	strlcpy(e->last_error, message, STATS_ERROR_LEN);
	e->last_error_at = GetCurrentTimestamp();
	SpinLockRelease(&e->mutex);
}

/* A join looked its table up, through an index or not. */
void
siddhi_stats_lookup(SiddhiQueryStats *e, bool index)
{
	pg_atomic_uint64 *c;

	if (e == NULL)
		return;
	c = index ? &e->index_lookups : &e->scan_lookups;
	pg_atomic_write_u64(c, pg_atomic_read_u64(c) + 1);
}

/* A pattern query's partial matches: held now, dropped so far. */
void
siddhi_stats_partial(SiddhiQueryStats *e, int64 held, int64 dropped)
{
	if (e == NULL)
		return;
	pg_atomic_write_u64(&e->partial_matches, held);
	pg_atomic_write_u64(&e->partial_dropped, dropped);
}

/* An event reaches the query: see metrics.h. */
uint64
siddhi_stats_event(SiddhiQueryStats *e, int64 ts)
{
	if (e == NULL)
		return 0;
	pg_atomic_write_u64(&e->events_in, pg_atomic_read_u64(&e->events_in) + 1);
#ifdef SIDDHI_NO_METRICS
	return 0; /* bench/metrics_cost.sh's baseline: the count only */
#endif
	if (ts > e->batch_max_ts)
		e->batch_max_ts = ts;
	if (--e->sample_left > 0)
		return 0;
	e->sample_left = SIDDHI_SAMPLE_EVERY;
	return siddhi_metrics_clock_ns();
}

void
siddhi_stats_event_done(SiddhiQueryStats *e, uint64 start)
{
	if (e == NULL || start == 0)
		return;
	siddhi_hist_observe(&e->time, siddhi_metrics_clock_ns() - start);
}

void
siddhi_stats_state(SiddhiQueryStats *e, int64 events, int64 groups, int64 keys,
				   int64 bytes)
{
	if (e == NULL)
		return;
	pg_atomic_write_u64(&e->events_held, (uint64) events);
	pg_atomic_write_u64(&e->groups, (uint64) groups);
	pg_atomic_write_u64(&e->keys, (uint64) keys);
	pg_atomic_write_u64(&e->state_bytes, (uint64) bytes);
}

/*
 * The end of a batch of the engine of dboid, for metrics.c: each query
 * that had events since the last one tells its app (with the latest
 * event time it saw).  Caller is that engine.
 */
void
siddhi_stats_batch_end(Oid dboid, void (*app_fn)(int app_index, int64 max_ts))
{
	for (int i = 0; i < stats->n; i++)
	{
		SiddhiQueryStats *e = &stats->entries[i];
		uint64 in;

		if (e->dboid != dboid)
			continue;
		in = pg_atomic_read_u64(&e->events_in);
		if (in == e->in_at_batch)
			continue;
		e->in_at_batch = in;
		if (e->app_index >= 0)
			app_fn(e->app_index, e->batch_max_ts);
		e->batch_max_ts = 0;
	}
}

static int64
read_signed(pg_atomic_uint64 *c)
{
	return (int64) pg_atomic_read_u64(c);
}

/* A copy of entry i, for the text and the views (no lock: counters). */
bool
siddhi_stats_snap_query(int i, bool *used, SiddhiQuerySnap *s)
{
	SiddhiQueryStats *e;

	if (stats == NULL || i >= stats->n)
		return false;
	e = &stats->entries[i];
	s->dboid = e->dboid;
	*used = OidIsValid(s->dboid);
	if (!*used)
		return true;
	s->owner = e->owner;
	strlcpy(s->app, e->app, sizeof(s->app));
	strlcpy(s->query, e->query, sizeof(s->query));
	s->events_in = read_signed(&e->events_in);
	s->events_out = read_signed(&e->events_out);
	s->errors = read_signed(&e->errors);
	s->index_lookups = read_signed(&e->index_lookups);
	s->scan_lookups = read_signed(&e->scan_lookups);
	s->partial_matches = read_signed(&e->partial_matches);
	s->partial_dropped = read_signed(&e->partial_dropped);
	s->events_held = read_signed(&e->events_held);
	s->groups = read_signed(&e->groups);
	s->keys = read_signed(&e->keys);
	s->state_bytes = read_signed(&e->state_bytes);
	for (int b = 0; b <= SIDDHI_HIST_BOUNDS; b++)
		s->hist[b] = pg_atomic_read_u64(&e->time.count[b]);
	s->hist_sum_ns = pg_atomic_read_u64(&e->time.sum_ns);
	for (int o = 0; o < SIDDHI_OPS; o++)
	{
		s->op_in[o] = read_signed(&e->ops[o][SIDDHI_OP_IN]);
		s->op_out[o] = read_signed(&e->ops[o][SIDDHI_OP_OUT]);
		s->op_expired[o] = read_signed(&e->ops[o][SIDDHI_OP_OUT_EXPIRED]);
	}
	return true;
}

/*
 * May the current user see an entry?  Counters, and above all last_error
 * (which can quote an event's values), are the app's owner's: members of
 * the owner role see them, in their own database; members of
 * pg_read_all_stats see every entry, as in pg_stat_statements.
 */
static bool
stats_visible(Oid dboid, Oid owner, bool read_all)
{
	if (read_all)
		return true;
	return dboid == MyDatabaseId && has_privs_of_role(GetUserId(), owner);
}

/* The same rule for the metrics' views and siddhi.metrics(). */
bool
siddhi_metrics_visible_to_caller(Oid dboid, Oid owner)
{
	return stats_visible(
		dboid, owner, has_privs_of_role(GetUserId(), ROLE_PG_READ_ALL_STATS));
}

PG_FUNCTION_INFO_V1(siddhi_query_stats);

Datum
siddhi_query_stats(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	bool read_all = has_privs_of_role(GetUserId(), ROLE_PG_READ_ALL_STATS);

	InitMaterializedSRF(fcinfo, 0);
	if (stats == NULL)
		PG_RETURN_VOID();
	for (int i = 0; i < stats->n; i++)
	{
		SiddhiQueryStats *e = &stats->entries[i];
		Datum values[12];
		bool nulls[12] = { 0 };
		char err[STATS_ERROR_LEN];
		TimestampTz at;

		if (e->dboid == InvalidOid ||
			!stats_visible(e->dboid, e->owner, read_all))
			continue;
		SpinLockAcquire(&e->mutex);
		strlcpy(err, e->last_error, STATS_ERROR_LEN);
		at = e->last_error_at;
		SpinLockRelease(&e->mutex);

		values[0] = ObjectIdGetDatum(e->dboid);
		values[1] = CStringGetTextDatum(e->app);
		values[2] = CStringGetTextDatum(e->query);
		values[3] = Int64GetDatum(pg_atomic_read_u64(&e->events_in));
		values[4] = Int64GetDatum(pg_atomic_read_u64(&e->events_out));
		values[5] = Int64GetDatum(pg_atomic_read_u64(&e->errors));
		if (err[0])
			values[6] = CStringGetTextDatum(err);
		else
			nulls[6] = true;
		if (at)
			values[7] = TimestampTzGetDatum(at);
		else
			nulls[7] = true;
		values[8] = Int64GetDatum(pg_atomic_read_u64(&e->index_lookups));
		values[9] = Int64GetDatum(pg_atomic_read_u64(&e->scan_lookups));
		values[10] = Int64GetDatum(pg_atomic_read_u64(&e->partial_matches));
		values[11] = Int64GetDatum(pg_atomic_read_u64(&e->partial_dropped));
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values,
							 nulls);
	}
	PG_RETURN_VOID();
}
