/*-------------------------------------------------------------------------
 *
 * metrics.c
 *	  The metrics of streams, apps and databases in shared memory, the
 *	  histograms, and the SQL functions behind the views
 *	  siddhi.query_metrics, stream_metrics, app_metrics, database_metrics
 *	  and histogram_buckets (issue 16).
 *
 * Entries: siddhi.max_queries app entries, as many stream entries, one
 * database entry per database slot.  App entries are claimed with their
 * queries' entries (stats.c) under the stats lock and freed with them;
 * stream entries are claimed by the engine when it first feeds a chunk of
 * the stream, under the same lock, and freed when its worker starts
 * afresh (or, when all are taken, those of dropped relations).  Counters
 * are atomics with one writer, the engine worker of the database, except
 * the ring wait, which producers add atomically.  Readers take no lock: a
 * counter is read whole; a name read while its entry is being claimed may
 * be mixed, as in pg_stat_activity.
 *
 * Cost: nothing per event here.  The engine calls in once per chunk
 * (siddhi_metrics_stream_fed: a hash lookup and two adds) and once per
 * batch (siddhi_metrics_batch_end: a pass over the query entries).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <time.h>

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/stratnum.h"
#include "access/table.h"
#include "catalog/pg_authid.h"
#include "catalog/pg_class.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "siddhi/metrics.h"
#include "siddhi/shmem.h"
#include "storage/shmem.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/float.h"
#include "utils/hsearch.h"
#include "utils/lsyscache.h"
#include "utils/fmgroids.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"

#include "stats_int.h"

#define NAME_LEN 64

typedef struct AppMetrics
{
	Oid dboid; /* InvalidOid: free */
	Oid owner;
	char name[NAME_LEN];
	int refs; /* query entries naming it */
	pg_atomic_uint64 batches;
	pg_atomic_uint64 lag_ms; /* as int64; -1: no event yet */
	SiddhiHistogram commit;
	/* the engine's own */
	bool touched;
	int64 max_ts;
} AppMetrics;

typedef struct StreamMetrics
{
	Oid dboid; /* InvalidOid: free */
	Oid owner;
	Oid relid;
	char name[2 * NAMEDATALEN]; /* schema.relation */
	pg_atomic_uint64 events;
	pg_atomic_uint64 bytes;
	pg_atomic_uint64 wait_ns;
} StreamMetrics;

typedef struct DbMetrics
{
	char name[NAME_LEN];
	pg_atomic_uint64 pending;
	pg_atomic_uint64 wait_ns;
} DbMetrics;

typedef struct MetricsShared
{
	int napps;
	int nstreams;
	int ndbs;
	AppMetrics *apps;
	StreamMetrics *streams;
	DbMetrics *dbs;
} MetricsShared;

static MetricsShared *ms = NULL;

/* the engine's: relid -> index in ms->streams */
typedef struct StreamCacheEntry
{
	Oid relid;
	int index;
} StreamCacheEntry;
static HTAB *stream_cache = NULL;

/* 1, 2.5, 5 us ... 1, 2.5, 5 s, 10 s */
uint64
siddhi_hist_bound_ns(int i)
{
	static const uint64 mant[3] = { 1000, 2500, 5000 };
	uint64 p = 1;

	for (int k = 0; k < i / 3; k++)
		p *= 10;
	return mant[i % 3] * p;
}

void
siddhi_hist_init(SiddhiHistogram *h)
{
	for (int b = 0; b <= SIDDHI_HIST_BOUNDS; b++)
		pg_atomic_init_u64(&h->count[b], 0);
	pg_atomic_init_u64(&h->sum_ns, 0);
}

void
siddhi_hist_observe(SiddhiHistogram *h, uint64 ns)
{
	int b = 0;

	while (b < SIDDHI_HIST_BOUNDS && ns > siddhi_hist_bound_ns(b))
		b++;
	pg_atomic_write_u64(&h->count[b], pg_atomic_read_u64(&h->count[b]) + 1);
	pg_atomic_write_u64(&h->sum_ns, pg_atomic_read_u64(&h->sum_ns) + ns);
}

uint64
siddhi_metrics_clock_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64) ts.tv_sec * 1000000000 + ts.tv_nsec;
}

Size
siddhi_metrics_shmem_size(void)
{
	Size s = MAXALIGN(sizeof(MetricsShared));

	s = add_size(s, mul_size(sizeof(AppMetrics), siddhi_max_queries));
	s = add_size(s, mul_size(sizeof(StreamMetrics), siddhi_max_queries));
	return add_size(s, mul_size(sizeof(DbMetrics), siddhi_max_databases));
}

void
siddhi_metrics_shmem_init(void)
{
	bool found;
	char *p;

	ms =
		ShmemInitStruct("siddhi metrics", siddhi_metrics_shmem_size(), &found);
	if (found)
		return;
	p = (char *) ms + MAXALIGN(sizeof(MetricsShared));
	ms->napps = ms->nstreams = siddhi_max_queries;
	ms->ndbs = siddhi_max_databases;
	ms->apps = (AppMetrics *) p;
	p += sizeof(AppMetrics) * ms->napps;
	ms->streams = (StreamMetrics *) p;
	p += sizeof(StreamMetrics) * ms->nstreams;
	ms->dbs = (DbMetrics *) p;
	for (int i = 0; i < ms->napps; i++)
	{
		ms->apps[i].dboid = InvalidOid;
		pg_atomic_init_u64(&ms->apps[i].batches, 0);
		pg_atomic_init_u64(&ms->apps[i].lag_ms, (uint64) -1);
		siddhi_hist_init(&ms->apps[i].commit);
	}
	for (int i = 0; i < ms->nstreams; i++)
	{
		ms->streams[i].dboid = InvalidOid;
		pg_atomic_init_u64(&ms->streams[i].events, 0);
		pg_atomic_init_u64(&ms->streams[i].bytes, 0);
		pg_atomic_init_u64(&ms->streams[i].wait_ns, 0);
	}
	for (int i = 0; i < ms->ndbs; i++)
	{
		ms->dbs[i].name[0] = '\0';
		pg_atomic_init_u64(&ms->dbs[i].pending, 0);
		pg_atomic_init_u64(&ms->dbs[i].wait_ns, 0);
	}
}

int
siddhi_metrics_app_claim(Oid dboid, const char *app, Oid owner)
{
	int free_at = -1;

	for (int i = 0; i < ms->napps; i++)
	{
		AppMetrics *a = &ms->apps[i];

		if (a->dboid == dboid && strncmp(a->name, app, NAME_LEN - 1) == 0)
		{
			a->refs++;
			return i;
		}
		if (a->dboid == InvalidOid && free_at < 0)
			free_at = i;
	}
	if (free_at >= 0)
	{
		AppMetrics *a = &ms->apps[free_at];

		a->dboid = dboid;
		a->owner = owner;
		strlcpy(a->name, app, NAME_LEN);
		a->refs = 1;
		a->touched = false;
		a->max_ts = 0;
		pg_atomic_write_u64(&a->batches, 0);
		pg_atomic_write_u64(&a->lag_ms, (uint64) -1);
		siddhi_hist_init(&a->commit);
	}
	return free_at;
}

void
siddhi_metrics_app_release(Oid dboid, const char *app)
{
	for (int i = 0; i < ms->napps; i++)
	{
		AppMetrics *a = &ms->apps[i];

		if (a->dboid == dboid &&
			(app == NULL || strncmp(a->name, app, NAME_LEN - 1) == 0))
			a->dboid = InvalidOid;
	}
}

void
siddhi_metrics_engine_start(int slot, const char *dbname)
{
	if (ms == NULL || slot < 0 || slot >= ms->ndbs)
		return;
	strlcpy(ms->dbs[slot].name, dbname, NAME_LEN);
	pg_atomic_write_u64(&ms->dbs[slot].pending, 0);
	if (stream_cache)
		hash_destroy(stream_cache);
	stream_cache = NULL;
}

void
siddhi_metrics_free_db(Oid dboid)
{
	LWLockAcquire(siddhi_stats_lock(), LW_EXCLUSIVE);
	for (int i = 0; i < ms->nstreams; i++)
		if (ms->streams[i].dboid == dboid)
			ms->streams[i].dboid = InvalidOid;
	LWLockRelease(siddhi_stats_lock());
}

/*
 * Does relid exist, as of now?  Read from pg_class with a new catalog
 * snapshot, not the syscache: an app stops as soon as its undeploy is
 * seen committed, which can be before the invalidations of the drops it
 * made reach this process.
 */
static bool
relation_exists_now(Oid relid)
{
	Relation rel;
	SysScanDesc scan;
	ScanKeyData key;
	bool found;

	InvalidateCatalogSnapshot();
	rel = table_open(RelationRelationId, AccessShareLock);
	ScanKeyInit(&key, Anum_pg_class_oid, BTEqualStrategyNumber, F_OIDEQ,
				ObjectIdGetDatum(relid));
	scan = systable_beginscan(rel, ClassOidIndexId, true, NULL, 1, &key);
	found = HeapTupleIsValid(systable_getnext(scan));
	systable_endscan(scan);
	table_close(rel, AccessShareLock);
	return found;
}

/*
 * Free this database's entries of dropped relations.  Only this
 * database's engine claims and frees them (the caller is it), so an entry
 * read unlocked stays what it was until freed here under the lock.
 */
void
siddhi_metrics_prune_streams(void)
{
	if (ms == NULL)
		return;
	for (int i = 0; i < ms->nstreams; i++)
	{
		StreamMetrics *s = &ms->streams[i];

		if (s->dboid != MyDatabaseId || relation_exists_now(s->relid))
			continue;
		LWLockAcquire(siddhi_stats_lock(), LW_EXCLUSIVE);
		s->dboid = InvalidOid;
		LWLockRelease(siddhi_stats_lock());
	}
	/* the engine's cache may name a freed entry */
	if (stream_cache)
		hash_destroy(stream_cache);
	stream_cache = NULL;
}

/* A free stream entry claimed for relid, or -1. */
static int
stream_claim_free(Oid relid, Oid owner, const char *name)
{
	int found = -1;

	LWLockAcquire(siddhi_stats_lock(), LW_EXCLUSIVE);
	for (int i = 0; i < ms->nstreams && found < 0; i++)
	{
		StreamMetrics *s = &ms->streams[i];

		if (s->dboid != InvalidOid)
			continue;
		s->owner = owner;
		s->relid = relid;
		strlcpy(s->name, name, sizeof(s->name));
		pg_atomic_write_u64(&s->events, 0);
		pg_atomic_write_u64(&s->bytes, 0);
		pg_atomic_write_u64(&s->wait_ns, 0);
		pg_write_barrier();
		s->dboid = MyDatabaseId;
		found = i;
	}
	LWLockRelease(siddhi_stats_lock());
	return found;
}

/*
 * Claim a stream entry for relid (the caller's database); when all are
 * taken, free first those of relations dropped since.  -1: none free.
 */
static int
stream_claim(Oid relid)
{
	HeapTuple tup = SearchSysCache1(RELOID, ObjectIdGetDatum(relid));
	Oid owner;
	char name[2 * NAMEDATALEN];
	int found;

	if (!HeapTupleIsValid(tup))
		return -1;
	owner = ((Form_pg_class) GETSTRUCT(tup))->relowner;
	/* schema-qualified: streams of two schemas are two series */
	{
		char *nsp =
			get_namespace_name(((Form_pg_class) GETSTRUCT(tup))->relnamespace);

		snprintf(name, sizeof(name), "%s.%s", nsp ? nsp : "?",
				 NameStr(((Form_pg_class) GETSTRUCT(tup))->relname));
	}
	ReleaseSysCache(tup);
	found = stream_claim_free(relid, owner, name);
	if (found < 0)
	{
		siddhi_metrics_prune_streams();
		found = stream_claim_free(relid, owner, name);
	}
	return found;
}

static void
stream_cache_make(void)
{
	HASHCTL ctl;

	ctl.keysize = sizeof(Oid);
	ctl.entrysize = sizeof(StreamCacheEntry);
	ctl.hcxt = TopMemoryContext;
	stream_cache = hash_create("siddhi stream metrics", 64, &ctl,
							   HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
}

void
siddhi_metrics_stream_fed(Oid relid, uint32 nrows, uint32 bytes)
{
	StreamCacheEntry *ce = NULL;
	StreamMetrics *s;

#ifdef SIDDHI_NO_METRICS
	return; /* bench/metrics_cost.sh's baseline */
#endif
	if (ms == NULL || !OidIsValid(relid))
		return;
	if (stream_cache)
		ce = hash_search(stream_cache, &relid, HASH_FIND, NULL);
	if (ce == NULL)
	{
		int index = stream_claim(relid); /* may forget the cache */

		if (stream_cache == NULL)
			stream_cache_make();
		ce = hash_search(stream_cache, &relid, HASH_ENTER, NULL);
		ce->index = index; /* -1: none free, not asked again */
	}
	if (ce->index < 0)
		return;
	s = &ms->streams[ce->index];
	pg_atomic_write_u64(&s->events, pg_atomic_read_u64(&s->events) + nrows);
	pg_atomic_write_u64(&s->bytes, pg_atomic_read_u64(&s->bytes) + bytes);
}

void
siddhi_metrics_ring_wait(int slot, Oid relid, uint64 ns)
{
	if (ms == NULL || slot < 0 || slot >= ms->ndbs)
		return;
	pg_atomic_fetch_add_u64(&ms->dbs[slot].wait_ns, ns);
	for (int i = 0; i < ms->nstreams; i++)
	{
		StreamMetrics *s = &ms->streams[i];

		if (s->dboid == MyDatabaseId && s->relid == relid)
		{
			pg_atomic_fetch_add_u64(&s->wait_ns, ns);
			break;
		}
	}
}

static void
app_touch(int app_index, int64 max_ts)
{
	AppMetrics *a = &ms->apps[app_index];

	a->touched = true;
	if (max_ts > a->max_ts)
		a->max_ts = max_ts;
}

void
siddhi_metrics_batch_end(int slot, uint64 ns, int64 now_ms, int64 pending)
{
#ifdef SIDDHI_NO_METRICS
	return; /* bench/metrics_cost.sh's baseline */
#endif
	if (ms == NULL || slot < 0 || slot >= ms->ndbs)
		return;
	pg_atomic_write_u64(&ms->dbs[slot].pending, (uint64) pending);
	siddhi_stats_batch_end(MyDatabaseId, app_touch);
	for (int i = 0; i < ms->napps; i++)
	{
		AppMetrics *a = &ms->apps[i];

		if (a->dboid != MyDatabaseId || !a->touched)
			continue;
		a->touched = false;
		siddhi_hist_observe(&a->commit, ns);
		pg_atomic_write_u64(&a->batches, pg_atomic_read_u64(&a->batches) + 1);
		if (a->max_ts > 0)
			pg_atomic_write_u64(&a->lag_ms, (uint64) (now_ms - a->max_ts));
		a->max_ts = 0;
	}
}

bool
siddhi_metrics_snap_stream(int i, bool *used, SiddhiStreamSnap *s)
{
	StreamMetrics *e;

	if (ms == NULL || i >= ms->nstreams)
		return false;
	e = &ms->streams[i];
	s->dboid = e->dboid;
	*used = OidIsValid(s->dboid);
	if (!*used)
		return true;
	pg_read_barrier();
	s->owner = e->owner;
	s->relid = e->relid;
	strlcpy(s->name, e->name, sizeof(s->name));
	s->events = (int64) pg_atomic_read_u64(&e->events);
	s->bytes = (int64) pg_atomic_read_u64(&e->bytes);
	s->wait_ns = (int64) pg_atomic_read_u64(&e->wait_ns);
	return true;
}

bool
siddhi_metrics_snap_app(int i, bool *used, SiddhiAppSnap *s)
{
	AppMetrics *e;

	if (ms == NULL || i >= ms->napps)
		return false;
	e = &ms->apps[i];
	s->dboid = e->dboid;
	*used = OidIsValid(s->dboid);
	if (!*used)
		return true;
	s->owner = e->owner;
	strlcpy(s->name, e->name, sizeof(s->name));
	s->batches = (int64) pg_atomic_read_u64(&e->batches);
	s->lag_ms = (int64) pg_atomic_read_u64(&e->lag_ms);
	for (int b = 0; b <= SIDDHI_HIST_BOUNDS; b++)
		s->hist[b] = pg_atomic_read_u64(&e->commit.count[b]);
	s->hist_sum_ns = pg_atomic_read_u64(&e->commit.sum_ns);
	return true;
}

bool
siddhi_metrics_snap_db(int i, bool *used, SiddhiDbSnap *s)
{
	SiddhiDbSlot *d;
	SiddhiRing *ring;

	if (ms == NULL || siddhi_shared == NULL || i >= ms->ndbs)
		return false;
	d = &siddhi_shared->dbs[i];
	s->dboid = d->dboid;
	*used = OidIsValid(s->dboid);
	if (!*used)
		return true;
	strlcpy(s->name, ms->dbs[i].name, sizeof(s->name));
	s->running = d->worker_pid != 0;
	s->events = (int64) pg_atomic_read_u64(&d->events);
	s->batches = (int64) pg_atomic_read_u64(&d->batches);
	s->busy_us = (int64) pg_atomic_read_u64(&d->busy_us);
	ring = siddhi_ring_for_slot(i);
	s->ring_size = (int64) ring->size;
	/* unlocked: a moment's view, each position read whole */
	s->ring_used = (int64) (ring->head - ring->consumed);
	if (s->ring_used < 0 || s->ring_used > s->ring_size)
		s->ring_used = 0;
	s->pending_bytes = (int64) pg_atomic_read_u64(&ms->dbs[i].pending);
	s->wait_ns = (int64) pg_atomic_read_u64(&ms->dbs[i].wait_ns);
	return true;
}

/* SQL ------------------------------------------------------------------ */

static Datum
seconds(int64 ns)
{
	return Float8GetDatum((double) ns / 1e9);
}

static Datum
maybe_null(int64 v, bool *isnull)
{
	*isnull = v < 0;
	return Int64GetDatum(v);
}

PG_FUNCTION_INFO_V1(siddhi_query_metrics);

/* behind siddhi.query_metrics: the entries the caller may see */
Datum
siddhi_query_metrics(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	SiddhiQuerySnap s;
	bool used;

	InitMaterializedSRF(fcinfo, 0);
	for (int i = 0; siddhi_stats_snap_query(i, &used, &s); i++)
	{
		Datum v[14];
		bool n[14] = { 0 };
		uint64 timed = 0;

		if (!used || !siddhi_metrics_visible_to_caller(s.dboid, s.owner))
			continue;
		for (int b = 0; b <= SIDDHI_HIST_BOUNDS; b++)
			timed += s.hist[b];
		v[0] = ObjectIdGetDatum(s.dboid);
		v[1] = CStringGetTextDatum(s.app);
		v[2] = CStringGetTextDatum(s.query);
		v[3] = Int64GetDatum(s.events_in);
		v[4] = Int64GetDatum(s.events_out);
		v[5] = Int64GetDatum(s.errors);
		v[6] = maybe_null(s.events_held, &n[6]);
		v[7] = maybe_null(s.groups, &n[7]);
		v[8] = Int64GetDatum(s.partial_matches);
		v[9] = maybe_null(s.keys, &n[9]);
		v[10] = maybe_null(s.state_bytes, &n[10]);
		v[11] = Int64GetDatum((int64) timed);
		v[12] = seconds((int64) s.hist_sum_ns);
		v[13] = Int64GetDatum(s.partial_dropped);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, v, n);
	}
	PG_RETURN_VOID();
}

PG_FUNCTION_INFO_V1(siddhi_stream_metrics);

Datum
siddhi_stream_metrics(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	SiddhiStreamSnap s;
	bool used;

	InitMaterializedSRF(fcinfo, 0);
	for (int i = 0; siddhi_metrics_snap_stream(i, &used, &s); i++)
	{
		Datum v[6];
		bool n[6] = { 0 };

		if (!used || !siddhi_metrics_visible_to_caller(s.dboid, s.owner))
			continue;
		v[0] = ObjectIdGetDatum(s.dboid);
		v[1] = CStringGetTextDatum(s.name);
		v[2] = ObjectIdGetDatum(s.relid);
		v[3] = Int64GetDatum(s.events);
		v[4] = Int64GetDatum(s.bytes);
		v[5] = seconds(s.wait_ns);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, v, n);
	}
	PG_RETURN_VOID();
}

PG_FUNCTION_INFO_V1(siddhi_app_metrics);

Datum
siddhi_app_metrics(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	SiddhiAppSnap s;
	bool used;

	InitMaterializedSRF(fcinfo, 0);
	for (int i = 0; siddhi_metrics_snap_app(i, &used, &s); i++)
	{
		Datum v[5];
		bool n[5] = { 0 };

		if (!used || !siddhi_metrics_visible_to_caller(s.dboid, s.owner))
			continue;
		v[0] = ObjectIdGetDatum(s.dboid);
		v[1] = CStringGetTextDatum(s.name);
		v[2] = Int64GetDatum(s.batches);
		v[3] = seconds((int64) s.hist_sum_ns);
		n[4] = s.lag_ms < 0;
		v[4] = Float8GetDatum((double) s.lag_ms / 1000.0);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, v, n);
	}
	PG_RETURN_VOID();
}

PG_FUNCTION_INFO_V1(siddhi_database_metrics);

/*
 * One row per database running apps: to everyone for the caller's own,
 * to pg_read_all_stats for all (no event data in them).
 */
Datum
siddhi_database_metrics(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	SiddhiDbSnap s;
	bool used;
	bool read_all = has_privs_of_role(GetUserId(), ROLE_PG_READ_ALL_STATS);

	InitMaterializedSRF(fcinfo, 0);
	for (int i = 0; siddhi_metrics_snap_db(i, &used, &s); i++)
	{
		Datum v[10];
		bool n[10] = { 0 };

		if (!used || !(read_all || s.dboid == MyDatabaseId))
			continue;
		v[0] = ObjectIdGetDatum(s.dboid);
		v[1] = BoolGetDatum(s.running);
		v[2] = Int64GetDatum(s.events);
		v[3] = Int64GetDatum(s.batches);
		v[4] = Float8GetDatum((double) s.busy_us / 1e6);
		v[5] = Int64GetDatum(s.ring_size);
		v[6] = Int64GetDatum(s.ring_used);
		v[7] = Int64GetDatum(s.pending_bytes);
		v[8] = seconds(s.wait_ns);
		v[9] = Float8GetDatum(s.ring_size ? (double) s.ring_used / s.ring_size
										  : 0.0);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, v, n);
	}
	PG_RETURN_VOID();
}

/* Cumulative rows of one histogram, +Inf last. */
static void
put_buckets(ReturnSetInfo *rsinfo, Oid dboid, const char *metric,
			const char *app, const char *query, const uint64 *hist)
{
	uint64 cum = 0;

	for (int b = 0; b <= SIDDHI_HIST_BOUNDS; b++)
	{
		Datum v[6];
		bool n[6] = { 0 };

		cum += hist[b];
		v[0] = ObjectIdGetDatum(dboid);
		v[1] = CStringGetTextDatum(metric);
		v[2] = CStringGetTextDatum(app);
		n[3] = query == NULL;
		v[3] = query ? CStringGetTextDatum(query) : (Datum) 0;
		v[4] = Float8GetDatum(b < SIDDHI_HIST_BOUNDS
								  ? (double) siddhi_hist_bound_ns(b) / 1e9
								  : get_float8_infinity());
		v[5] = Int64GetDatum((int64) cum);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, v, n);
	}
}

PG_FUNCTION_INFO_V1(siddhi_histogram_buckets);

/* behind siddhi.histogram_buckets: (le, count) rows, as Prometheus */
Datum
siddhi_histogram_buckets(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	bool used;
	SiddhiQuerySnap q;
	SiddhiAppSnap a;

	InitMaterializedSRF(fcinfo, 0);
	for (int i = 0; siddhi_stats_snap_query(i, &used, &q); i++)
		if (used && siddhi_metrics_visible_to_caller(q.dboid, q.owner))
			put_buckets(rsinfo, q.dboid, "query_event_seconds", q.app, q.query,
						q.hist);
	for (int i = 0; siddhi_metrics_snap_app(i, &used, &a); i++)
		if (used && siddhi_metrics_visible_to_caller(a.dboid, a.owner))
			put_buckets(rsinfo, a.dboid, "app_batch_commit_seconds", a.name,
						NULL, a.hist);
	PG_RETURN_VOID();
}
