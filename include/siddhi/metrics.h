/*-------------------------------------------------------------------------
 *
 * metrics.h
 *	  The engine's metrics in shared memory (src/ipc/stats.c, metrics.c),
 *	  the sampling of operator state (src/runtime/metrics_probe.c), and
 *	  their Prometheus text (src/worker/metrics_text.c) served by
 *	  siddhi.metrics() and the /metrics endpoint (metrics_http.c).
 *
 * Every counter has one writer, the engine worker of its database
 * (producers add their ring wait atomically); anyone reads.  Times are
 * kept in nanoseconds and shown in seconds.
 *
 *-------------------------------------------------------------------------
 */
#ifndef SIDDHI_METRICS_H
#define SIDDHI_METRICS_H

#include "lib/stringinfo.h"
#include "port/atomics.h"
#include "siddhi/ipc.h"
#include "utils/guc.h"

/*
 * A histogram of durations: the upper bounds are 1, 2.5 and 5 times each
 * power of ten from 1 us to 1 s, then 10 s (22 bounds), plus +Inf.
 * Counts are per bucket (not cumulative) in shared memory; the views and
 * the text make them cumulative, as Prometheus wants.
 */
#define SIDDHI_HIST_BOUNDS 22
typedef struct SiddhiHistogram
{
	pg_atomic_uint64 count[SIDDHI_HIST_BOUNDS + 1]; /* last: above 10 s */
	pg_atomic_uint64 sum_ns;
} SiddhiHistogram;

/* the bound of bucket i in nanoseconds (i < SIDDHI_HIST_BOUNDS) */
extern uint64 siddhi_hist_bound_ns(int i);
extern void siddhi_hist_init(SiddhiHistogram *h);
/* single writer: no locked instructions */
extern void siddhi_hist_observe(SiddhiHistogram *h, uint64 ns);

/* a monotonic clock in nanoseconds */
extern uint64 siddhi_metrics_clock_ns(void);

/* One query event in every SIDDHI_SAMPLE_EVERY is timed. */
#define SIDDHI_SAMPLE_EVERY 256

/*
 * The hot path (runtime.c's query_step): an event reaches a query.  It is
 * counted; one in SIDDHI_SAMPLE_EVERY returns a start time (else 0) that
 * siddhi_stats_event_done() turns into the query's time histogram.
 */
extern uint64 siddhi_stats_event(SiddhiQueryStats *e, int64 ts);
extern void siddhi_stats_event_done(SiddhiQueryStats *e, uint64 start);

/*
 * Per-operator counters (EXPLAIN ANALYZE): each stage of a query's chain
 * has a slot, in the order the chain runs them; the engine counts the
 * events that enter it (SIDDHI_OP_IN) and leave it, current or expired.
 * The selector's slot counts rows into the selector and the rows it makes
 * after having, order by and limit (they run inside it).
 */
typedef enum SiddhiOp
{
	SIDDHI_OP_FILTER,		 /* the filters before the window */
	SIDDHI_OP_WINDOW,		 /* the window */
	SIDDHI_OP_WINDOW_FILTER, /* the filters after it */
	SIDDHI_OP_JOIN,			 /* a join: arrivals of both sides, rows */
	SIDDHI_OP_PATTERN,		 /* a pattern or sequence: events, matches */
	SIDDHI_OP_SELECT,		 /* aggregation, having, order by, limit */
	SIDDHI_OP_RATE,			 /* the output rate limiter */
	SIDDHI_OP_OUTPUT,		 /* the output: rows to it, rows delivered */
	SIDDHI_OPS
} SiddhiOp;

typedef enum SiddhiOpCount
{
	SIDDHI_OP_IN,
	SIDDHI_OP_OUT,
	SIDDHI_OP_OUT_EXPIRED
} SiddhiOpCount;

/* one more of what at op (single writer, no locked instruction) */
/*
 * e's per-operator counters (SIDDHI_OPS rows of SIDDHI_OP_OUT_EXPIRED + 1),
 * or NULL: the engine counts through siddhi_stats_op_count, inlined,
 * several times per event.
 */
extern pg_atomic_uint64 *siddhi_stats_op_counters(SiddhiQueryStats *e);

static inline void
siddhi_stats_op_count(pg_atomic_uint64 *ops, SiddhiOp op, SiddhiOpCount what)
{
	if (ops != NULL)
	{
		pg_atomic_uint64 *c = &ops[op * (SIDDHI_OP_OUT_EXPIRED + 1) + what];

		/* single writer: plain read-add-write avoids locked instructions */
		pg_atomic_write_u64(c, pg_atomic_read_u64(c) + 1);
	}
}

/* State sampled at the end of a batch; -1: not known */
extern void siddhi_stats_state(SiddhiQueryStats *e, int64 events, int64 groups,
							   int64 keys, int64 bytes);

/* metrics.c: streams, apps and databases */
extern Size siddhi_metrics_shmem_size(void);
extern void siddhi_metrics_shmem_init(void);

/* The engine of slot started: its database's name, its counters anew. */
extern void siddhi_metrics_engine_start(int slot, const char *dbname);
/* The engine fed a chunk of a stream (in a transaction: names are read). */
extern void siddhi_metrics_stream_fed(Oid relid, uint32 nrows, uint32 bytes);
/* A producer waited for ring room: ns, for the stream of relid. */
extern void siddhi_metrics_ring_wait(int slot, Oid relid, uint64 ns);
/*
 * A batch of the engine of slot committed after ns: each app whose queries
 * had events in it observes ns, and its event time lag (now_ms minus the
 * latest event time of those events); pending: bytes of open
 * transactions the engine holds.
 */
extern void siddhi_metrics_batch_end(int slot, uint64 ns, int64 now_ms,
									 int64 pending);
/*
 * An app stopped: free the entries of streams dropped since (in a
 * transaction).
 */
extern void siddhi_metrics_prune_streams(void);
/* The engine of dboid starts afresh: free its streams' entries. */
extern void siddhi_metrics_free_db(Oid dboid);

/*
 * Visibility: may the caller see an entry of dboid owned by owner?  NULL
 * filters see everything (the /metrics endpoint, which has no user).
 */
typedef bool (*SiddhiMetricsVisible)(Oid dboid, Oid owner);
extern bool siddhi_metrics_visible_to_caller(Oid dboid, Oid owner);

/*
 * Snapshots for the text and the views, one entry at a time: return false
 * past the last index; *used false for a free entry.
 */
typedef struct SiddhiQuerySnap
{
	Oid dboid;
	Oid owner;
	char app[64];
	char query[64];
	int64 events_in, events_out, errors;
	int64 index_lookups, scan_lookups;
	int64 partial_matches, partial_dropped;
	int64 events_held, groups, keys, state_bytes; /* -1: unknown */
	uint64 hist[SIDDHI_HIST_BOUNDS + 1];
	uint64 hist_sum_ns;
	int64 op_in[SIDDHI_OPS], op_out[SIDDHI_OPS], op_expired[SIDDHI_OPS];
} SiddhiQuerySnap;
extern bool siddhi_stats_snap_query(int i, bool *used, SiddhiQuerySnap *s);

typedef struct SiddhiStreamSnap
{
	Oid dboid;
	Oid owner;
	Oid relid;
	char name[128]; /* schema.relation */
	int64 events, bytes, wait_ns;
} SiddhiStreamSnap;
extern bool siddhi_metrics_snap_stream(int i, bool *used, SiddhiStreamSnap *s);

typedef struct SiddhiAppSnap
{
	Oid dboid;
	Oid owner;
	char name[64];
	int64 batches;
	int64 lag_ms; /* -1: no event yet */
	uint64 hist[SIDDHI_HIST_BOUNDS + 1];
	uint64 hist_sum_ns;
} SiddhiAppSnap;
extern bool siddhi_metrics_snap_app(int i, bool *used, SiddhiAppSnap *s);

typedef struct SiddhiDbSnap
{
	Oid dboid;
	char name[64];
	bool running;
	int64 events, batches, busy_us;
	int64 ring_size, ring_used, pending_bytes, wait_ns;
} SiddhiDbSnap;
extern bool siddhi_metrics_snap_db(int i, bool *used, SiddhiDbSnap *s);

/* connectors (source_stats.c, sink_stats.c) */
typedef struct SiddhiSourceSnap
{
	Oid dboid;
	Oid owner;
	char app[64], stream[64], name[64], type[64];
	bool connected;
	int64 records_in, events_out, errors, lag; /* lag -1: unknown */
} SiddhiSourceSnap;
extern bool siddhi_source_stats_snap(int i, bool *used, SiddhiSourceSnap *s);

typedef struct SiddhiSinkSnap
{
	Oid dboid;
	Oid owner;
	char app[64], stream[64], name[64], type[64];
	int64 queued, in_flight, sent, failed, dropped;
} SiddhiSinkSnap;
extern bool siddhi_sink_stats_snap(int i, bool *used, SiddhiSinkSnap *s);

/*
 * runtime/metrics_probe.c: what a query holds, read at the end of each
 * batch from its operators (include/siddhi/operator.h; a partition's query
 * reports its keys only: its per-key state is not summed).
 */
struct SiddhiOperator;
struct SiddhiPartitionRuntime;
extern void siddhi_metrics_probe_add(void *app, SiddhiQueryStats *stats,
									 struct SiddhiOperator *opers, int nopers,
									 struct SiddhiPartitionRuntime *part);
extern void siddhi_metrics_probe_drop(void *app);
/* the engine: the app being started did start, or failed */
extern void siddhi_metrics_probe_commit(void);
extern void siddhi_metrics_probe_abort(void);
extern void siddhi_metrics_probe_sample(void);

/* worker/metrics_text.c: every metric, Prometheus text format 0.0.4 */
extern void siddhi_metrics_text(StringInfo buf, SiddhiMetricsVisible visible);

/* worker/metrics_http.c: the /metrics endpoint's worker */
extern char *siddhi_metrics_address;
extern bool siddhi_metrics_check_address(char **newval, void **extra,
										 GucSource source);
extern void siddhi_metrics_register_worker(void);

#endif /* SIDDHI_METRICS_H */
