/*-------------------------------------------------------------------------
 *
 * metrics_text.c
 *	  Every metric of the engine as one text in the Prometheus exposition
 *	  format (version 0.0.4): siddhi.metrics() and the /metrics endpoint
 *	  (metrics_http.c) serve the same text, built here.
 *
 * The text is built from shared memory only (the counters of stats.c and
 * metrics.c in src/ipc, of source_stats.c and sink_stats.c in
 * src/connectors, and the database slots), so a background worker with
 * no database connection can build it: the database label is the name
 * each engine wrote when it started.  It lives in the worker layer
 * because it reads the connectors' counters too.
 *
 * All entries are copied first, then written family by family (HELP and
 * TYPE once, then one line per labelled series), so that every family
 * shows the same moment.  No locks: each counter is read whole.
 *
 * Who sees what: siddhi.metrics() passes the rule of siddhi.queries (the
 * entries of apps whose owner role the caller is a member of, in the
 * caller's database; everything to pg_read_all_stats); the endpoint,
 * which has no user, shows everything (it listens on 127.0.0.1 unless
 * told otherwise).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_authid.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "siddhi/metrics.h"
#include "siddhi/shmem.h"
#include "utils/acl.h"
#include "utils/builtins.h"

/* One label set, written as {k="v",...} with Prometheus' escapes. */
static void
labels(StringInfo buf, const char *const *kv, int n, const char *extra_k,
	   const char *extra_v)
{
	appendStringInfoChar(buf, '{');
	for (int i = 0; i < n + (extra_k ? 1 : 0); i++)
	{
		const char *k = i < n ? kv[2 * i] : extra_k;
		const char *v = i < n ? kv[2 * i + 1] : extra_v;

		if (i > 0)
			appendStringInfoChar(buf, ',');
		appendStringInfo(buf, "%s=\"", k);
		for (const char *p = v; *p; p++)
		{
			if (*p == '\\')
				appendStringInfoString(buf, "\\\\");
			else if (*p == '"')
				appendStringInfoString(buf, "\\\"");
			else if (*p == '\n')
				appendStringInfoString(buf, "\\n");
			else
				appendStringInfoChar(buf, *p);
		}
		appendStringInfoChar(buf, '"');
	}
	appendStringInfoChar(buf, '}');
}

static void
family(StringInfo buf, const char *name, const char *type, const char *help)
{
	appendStringInfo(buf, "# HELP %s %s\n# TYPE %s %s\n", name, help, name,
					 type);
}

static void
sample_int(StringInfo buf, const char *name, const char *const *kv, int n,
		   int64 v)
{
	appendStringInfoString(buf, name);
	labels(buf, kv, n, NULL, NULL);
	appendStringInfo(buf, " " INT64_FORMAT "\n", v);
}

static void
sample_float(StringInfo buf, const char *name, const char *const *kv, int n,
			 double v)
{
	appendStringInfoString(buf, name);
	labels(buf, kv, n, NULL, NULL);
	appendStringInfo(buf, " %.9g\n", v);
}

/* _bucket (cumulative, le in seconds), _sum (seconds) and _count */
static void
sample_hist(StringInfo buf, const char *name, const char *const *kv, int n,
			const uint64 *hist, uint64 sum_ns)
{
	uint64 cum = 0;
	char le[32];

	for (int b = 0; b <= SIDDHI_HIST_BOUNDS; b++)
	{
		cum += hist[b];
		if (b < SIDDHI_HIST_BOUNDS)
			snprintf(le, sizeof(le), "%g",
					 (double) siddhi_hist_bound_ns(b) / 1e9);
		else
			strlcpy(le, "+Inf", sizeof(le));
		appendStringInfo(buf, "%s_bucket", name);
		labels(buf, kv, n, "le", le);
		appendStringInfo(buf, " " UINT64_FORMAT "\n", cum);
	}
	appendStringInfo(buf, "%s_sum", name);
	labels(buf, kv, n, NULL, NULL);
	appendStringInfo(buf, " %.9g\n", (double) sum_ns / 1e9);
	appendStringInfo(buf, "%s_count", name);
	labels(buf, kv, n, NULL, NULL);
	appendStringInfo(buf, " " UINT64_FORMAT "\n", cum);
}

typedef struct Snap
{
	int ndb, nq, nst, napp, nsrc, nsink;
	SiddhiDbSnap *db;
	SiddhiQuerySnap *q;
	SiddhiStreamSnap *st;
	SiddhiAppSnap *app;
	SiddhiSourceSnap *src;
	SiddhiSinkSnap *sink;
} Snap;

/* The database's name as its engine wrote it, or its oid. */
static const char *
dbname(Snap *s, Oid dboid)
{
	for (int i = 0; i < s->ndb; i++)
		if (s->db[i].dboid == dboid && s->db[i].name[0])
			return s->db[i].name;
	return psprintf("%u", dboid);
}

/* Copy what visible lets through, entry by entry. */
#define TAKE(fn, arr, cnt, type, cond)                              \
	do                                                              \
	{                                                               \
		type one;                                                   \
		bool used;                                                  \
		int cap = 16;                                               \
		(arr) = palloc(sizeof(type) * cap);                         \
		(cnt) = 0;                                                  \
		for (int i_ = 0; fn(i_, &used, &one); i_++)                 \
		{                                                           \
			if (!used || !(cond))                                   \
				continue;                                           \
			if ((cnt) == cap)                                       \
				(arr) = repalloc((arr), sizeof(type) * (cap *= 2)); \
			(arr)[(cnt)++] = one;                                   \
		}                                                           \
	} while (0)

static bool
db_visible(SiddhiMetricsVisible visible, Oid dboid)
{
	if (visible == NULL)
		return true;
	return dboid == MyDatabaseId ||
		   has_privs_of_role(GetUserId(), ROLE_PG_READ_ALL_STATS);
}

void
siddhi_metrics_text(StringInfo buf, SiddhiMetricsVisible visible)
{
	Snap s;

#define VIS(o) (visible == NULL || visible(one.dboid, (o)))
	TAKE(siddhi_metrics_snap_db, s.db, s.ndb, SiddhiDbSnap,
		 db_visible(visible, one.dboid));
	TAKE(siddhi_stats_snap_query, s.q, s.nq, SiddhiQuerySnap, VIS(one.owner));
	TAKE(siddhi_metrics_snap_stream, s.st, s.nst, SiddhiStreamSnap,
		 VIS(one.owner));
	TAKE(siddhi_metrics_snap_app, s.app, s.napp, SiddhiAppSnap,
		 VIS(one.owner));
	TAKE(siddhi_source_stats_snap, s.src, s.nsrc, SiddhiSourceSnap,
		 VIS(one.owner));
	TAKE(siddhi_sink_stats_snap, s.sink, s.nsink, SiddhiSinkSnap,
		 VIS(one.owner));
#undef VIS

	/* databases */
#define EACH_DB(mname_, mtype_, mhelp_, sample_)               \
	do                                                         \
	{                                                          \
		family(buf, mname_, mtype_, mhelp_);                   \
		for (int i = 0; i < s.ndb; i++)                        \
		{                                                      \
			SiddhiDbSnap *d = &s.db[i];                        \
			const char *kv[] = { "db", dbname(&s, d->dboid) }; \
			sample_;                                           \
		}                                                      \
	} while (0)
	EACH_DB("siddhi_engine_up", "gauge",
			"Whether the engine worker of the database runs (1) or not (0).",
			sample_int(buf, "siddhi_engine_up", kv, 1, d->running ? 1 : 0));
	EACH_DB("siddhi_engine_events_total", "counter",
			"Events the engine fed to its apps.",
			sample_int(buf, "siddhi_engine_events_total", kv, 1, d->events));
	EACH_DB("siddhi_engine_batches_total", "counter",
			"Batches the engine committed.",
			sample_int(buf, "siddhi_engine_batches_total", kv, 1, d->batches));
	EACH_DB("siddhi_engine_busy_seconds_total", "counter",
			"Time the engine spent in batches, in seconds.",
			sample_float(buf, "siddhi_engine_busy_seconds_total", kv, 1,
						 (double) d->busy_us / 1e6));
	EACH_DB("siddhi_ring_size_bytes", "gauge",
			"Size of the database's event ring, in bytes.",
			sample_int(buf, "siddhi_ring_size_bytes", kv, 1, d->ring_size));
	EACH_DB("siddhi_ring_used_bytes", "gauge",
			"Bytes of the event ring not yet consumed by the engine.",
			sample_int(buf, "siddhi_ring_used_bytes", kv, 1, d->ring_used));
	EACH_DB("siddhi_ring_wait_seconds_total", "counter",
			"Time producers waited for room in the event ring, in seconds.",
			sample_float(buf, "siddhi_ring_wait_seconds_total", kv, 1,
						 (double) d->wait_ns / 1e9));
	EACH_DB("siddhi_pending_bytes", "gauge",
			"Bytes of open transactions' events the engine holds.",
			sample_int(buf, "siddhi_pending_bytes", kv, 1, d->pending_bytes));
#undef EACH_DB

	/* streams */
#define EACH_ST(mname_, mtype_, mhelp_, sample_)                       \
	do                                                                 \
	{                                                                  \
		family(buf, mname_, mtype_, mhelp_);                           \
		for (int i = 0; i < s.nst; i++)                                \
		{                                                              \
			SiddhiStreamSnap *t = &s.st[i];                            \
			const char *kv[] = { "db", dbname(&s, t->dboid), "stream", \
								 t->name };                            \
			sample_;                                                   \
		}                                                              \
	} while (0)
	EACH_ST("siddhi_stream_events_total", "counter",
			"Events of the stream the engine read from the ring.",
			sample_int(buf, "siddhi_stream_events_total", kv, 2, t->events));
	EACH_ST("siddhi_stream_bytes_total", "counter",
			"Bytes of the stream's chunks the engine read from the ring.",
			sample_int(buf, "siddhi_stream_bytes_total", kv, 2, t->bytes));
	EACH_ST("siddhi_stream_ring_wait_seconds_total", "counter",
			"Time writers of the stream waited for ring room, in seconds.",
			sample_float(buf, "siddhi_stream_ring_wait_seconds_total", kv, 2,
						 (double) t->wait_ns / 1e9));
#undef EACH_ST

	/* apps */
#define EACH_APP(mname_, mtype_, mhelp_, sample_)                   \
	do                                                              \
	{                                                               \
		family(buf, mname_, mtype_, mhelp_);                        \
		for (int i = 0; i < s.napp; i++)                            \
		{                                                           \
			SiddhiAppSnap *a = &s.app[i];                           \
			const char *kv[] = { "db", dbname(&s, a->dboid), "app", \
								 a->name };                         \
			sample_;                                                \
		}                                                           \
	} while (0)
	EACH_APP("siddhi_app_batches_total", "counter",
			 "Batches that fed the app events.",
			 sample_int(buf, "siddhi_app_batches_total", kv, 2, a->batches));
	EACH_APP("siddhi_app_batch_commit_seconds", "histogram",
			 "Time from the start of a batch that fed the app events to its "
			 "commit, in seconds.",
			 sample_hist(buf, "siddhi_app_batch_commit_seconds", kv, 2,
						 a->hist, a->hist_sum_ns));
	EACH_APP("siddhi_app_event_time_lag_seconds", "gauge",
			 "Clock minus the latest event time the app saw, at its last "
			 "batch, in seconds.",
			 if (a->lag_ms >= 0)
				 sample_float(buf, "siddhi_app_event_time_lag_seconds", kv, 2,
							  (double) a->lag_ms / 1000.0));
#undef EACH_APP

	/* queries */
#define EACH_Q(mname_, mtype_, mhelp_, sample_)                 \
	do                                                          \
	{                                                           \
		family(buf, mname_, mtype_, mhelp_);                    \
		for (int i = 0; i < s.nq; i++)                          \
		{                                                       \
			SiddhiQuerySnap *q = &s.q[i];                       \
			const char *kv[] = { "db",	  dbname(&s, q->dboid), \
								 "app",	  q->app,               \
								 "query", q->query,             \
								 "kind",  "index" };            \
			sample_;                                            \
		}                                                       \
	} while (0)
	EACH_Q(
		"siddhi_query_events_in_total", "counter",
		"Events that reached the query.",
		sample_int(buf, "siddhi_query_events_in_total", kv, 3, q->events_in));
	EACH_Q("siddhi_query_events_out_total", "counter",
		   "Events the query sent on or wrote.",
		   sample_int(buf, "siddhi_query_events_out_total", kv, 3,
					  q->events_out));
	EACH_Q("siddhi_query_errors_total", "counter",
		   "Events the query failed on.",
		   sample_int(buf, "siddhi_query_errors_total", kv, 3, q->errors));
	EACH_Q("siddhi_query_event_seconds", "histogram",
		   "Processing time of one event in the query, in seconds, sampled "
		   "(one event in 256 is timed).",
		   sample_hist(buf, "siddhi_query_event_seconds", kv, 3, q->hist,
					   q->hist_sum_ns));
	EACH_Q("siddhi_query_events_held", "gauge",
		   "Events the query's window holds, at the end of the last batch.",
		   if (q->events_held >= 0) sample_int(buf, "siddhi_query_events_held",
											   kv, 3, q->events_held));
	EACH_Q("siddhi_query_groups", "gauge",
		   "Groups the query's aggregation holds, at the end of the last "
		   "batch.",
		   if (q->groups >= 0)
			   sample_int(buf, "siddhi_query_groups", kv, 3, q->groups));
	EACH_Q("siddhi_query_keys", "gauge",
		   "Partition keys the query's partition holds, at the end of the "
		   "last batch.",
		   if (q->keys >= 0)
			   sample_int(buf, "siddhi_query_keys", kv, 3, q->keys));
	EACH_Q("siddhi_query_state_bytes", "gauge",
		   "Memory of the query's window, aggregation and pattern, in bytes.",
		   if (q->state_bytes >= 0) sample_int(buf, "siddhi_query_state_bytes",
											   kv, 3, q->state_bytes));
	EACH_Q("siddhi_query_partial_matches", "gauge",
		   "Partial matches the pattern query holds.",
		   sample_int(buf, "siddhi_query_partial_matches", kv, 3,
					  q->partial_matches));
	EACH_Q("siddhi_query_partial_matches_dropped_total", "counter",
		   "Partial matches dropped by siddhi.max_partial_matches.",
		   sample_int(buf, "siddhi_query_partial_matches_dropped_total", kv, 3,
					  q->partial_dropped));
	EACH_Q("siddhi_query_table_lookups_total", "counter",
		   "Table lookups of the query's join, by index or by scan.", {
			   sample_int(buf, "siddhi_query_table_lookups_total", kv, 4,
						  q->index_lookups);
			   kv[7] = "scan";
			   sample_int(buf, "siddhi_query_table_lookups_total", kv, 4,
						  q->scan_lookups);
		   });
#undef EACH_Q

	/* sources and sinks */
#define EACH_SRC(mname_, mtype_, mhelp_, sample_)                \
	do                                                           \
	{                                                            \
		family(buf, mname_, mtype_, mhelp_);                     \
		for (int i = 0; i < s.nsrc; i++)                         \
		{                                                        \
			SiddhiSourceSnap *c = &s.src[i];                     \
			const char *kv[] = { "db",	   dbname(&s, c->dboid), \
								 "app",	   c->app,               \
								 "stream", c->stream,            \
								 "source", c->name,              \
								 "type",   c->type };            \
			sample_;                                             \
		}                                                        \
	} while (0)
	EACH_SRC(
		"siddhi_source_records_total", "counter", "Records the source read.",
		sample_int(buf, "siddhi_source_records_total", kv, 5, c->records_in));
	EACH_SRC(
		"siddhi_source_events_total", "counter",
		"Events the source's records mapped to.",
		sample_int(buf, "siddhi_source_events_total", kv, 5, c->events_out));
	EACH_SRC("siddhi_source_errors_total", "counter",
			 "Records the source could not map or read.",
			 sample_int(buf, "siddhi_source_errors_total", kv, 5, c->errors));
	EACH_SRC("siddhi_source_connected", "gauge",
			 "Whether the source is connected (1) or not (0).",
			 sample_int(buf, "siddhi_source_connected", kv, 5,
						c->connected ? 1 : 0));
	EACH_SRC("siddhi_source_lag", "gauge",
			 "How far the source is behind its input (records, or bytes "
			 "of WAL for cdc).",
			 if (c->lag >= 0)
				 sample_int(buf, "siddhi_source_lag", kv, 5, c->lag));
#undef EACH_SRC

#define EACH_SINK(mname_, mtype_, mhelp_, sample_)               \
	do                                                           \
	{                                                            \
		family(buf, mname_, mtype_, mhelp_);                     \
		for (int i = 0; i < s.nsink; i++)                        \
		{                                                        \
			SiddhiSinkSnap *c = &s.sink[i];                      \
			const char *kv[] = { "db",	   dbname(&s, c->dboid), \
								 "app",	   c->app,               \
								 "stream", c->stream,            \
								 "sink",   c->name,              \
								 "type",   c->type };            \
			sample_;                                             \
		}                                                        \
	} while (0)
	EACH_SINK("siddhi_sink_sent_total", "counter",
			  "Events the sink delivered.",
			  sample_int(buf, "siddhi_sink_sent_total", kv, 5, c->sent));
	EACH_SINK("siddhi_sink_failed_total", "counter",
			  "Deliveries of the sink that failed (and were retried or "
			  "dropped).",
			  sample_int(buf, "siddhi_sink_failed_total", kv, 5, c->failed));
	EACH_SINK("siddhi_sink_dropped_total", "counter",
			  "Events the sink dropped.",
			  sample_int(buf, "siddhi_sink_dropped_total", kv, 5, c->dropped));
	EACH_SINK("siddhi_sink_queued", "gauge",
			  "Events waiting in the sink's outbox.",
			  sample_int(buf, "siddhi_sink_queued", kv, 5, c->queued));
	EACH_SINK("siddhi_sink_in_flight", "gauge",
			  "Events the sink sent and awaits an answer for.",
			  sample_int(buf, "siddhi_sink_in_flight", kv, 5, c->in_flight));
#undef EACH_SINK
}

PG_FUNCTION_INFO_V1(siddhi_metrics);

/* siddhi.metrics(): the text the /metrics endpoint serves, as the caller */
Datum
siddhi_metrics(PG_FUNCTION_ARGS)
{
	StringInfoData buf;

	initStringInfo(&buf);
	siddhi_metrics_text(&buf, siddhi_metrics_visible_to_caller);
	PG_RETURN_TEXT_P(cstring_to_text_with_len(buf.data, buf.len));
}
