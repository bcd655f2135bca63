/*-------------------------------------------------------------------------
 *
 * sink.h
 *	  Sinks: a stream's events out through an outbox (src/connectors/).
 *
 * An app's sinks start with it (siddhi_sinks_start): each hooks its
 * stream, copies the stream's current events during the batch, encodes
 * them with its mapper at the end of the batch (as the app's owner) and
 * writes them to its outbox, a heap table of its own in schema
 * siddhi_outbox, in the batch's transaction.  After the commit the engine
 * loop calls siddhi_sinks_deliver(), which hands the outbox's oldest rows
 * to the sink's client library and deletes them once acknowledged.  The
 * library's threads never call PostgreSQL: acknowledgements wait in the
 * library's queue until deliver polls it, and its queues write a byte to
 * siddhi_sinks_wait_fd() so the engine wakes up.
 *
 * Every sink type but inMemory works this way; inMemory sinks hand their
 * events to the in-memory broker at once (inmemory.c).
 *
 *-------------------------------------------------------------------------
 */
#ifndef SIDDHI_SINK_H
#define SIDDHI_SINK_H

#include "siddhi/connector.h"
#include "siddhi/runtime.h"

/* siddhi.max_sinks: entries of siddhi.sinks in shared memory */
extern int siddhi_max_sinks;

/* One row of an outbox, as the delivery loop hands it to a sink type. */
typedef struct SiddhiOutboxRow
{
	int64 seq;
	const char *key; /* NULL: no key */
	int keylen;
	const char *payload;
	int len;
	int partition;	   /* -1: the library's partitioner */
	const char *topic; /* NULL: the sink's static topic */
} SiddhiOutboxRow;

/* A sink type's client (kafka_sink.c, http_sink.c, redis_sink.c,
 * file_sink.c, sink_local.c). */
typedef struct SiddhiSinkOps
{
	const char *type;

	/*
	 * Create the client (without waiting for the far side); NULL with
	 * *error set when the options are wrong.  Allocate in the current
	 * memory context; wake_fd is the write end the library's queue writes
	 * a byte to when it has acknowledgements.
	 */
	void *(*start)(const SiddhiSinkPlan *plan, const char *app, int wake_fd,
				   char **error);

	/*
	 * Hand one row over (the library copies it).  false when the library
	 * cannot take more now (its queue is full); *error set when the row
	 * was refused for good (unknown partition, message too large).
	 */
	bool (*send)(void *state, const SiddhiOutboxRow *row, char **error);

	/*
	 * Serve the library's events: acknowledged rows' seqs into acked[],
	 * failed ones into failed[] (each at most max, the number in flight).
	 * Never waits.
	 */
	void (*poll)(void *state, int64 *acked, int *nacked, int64 *failed,
				 int *nfailed, int max);

	/*
	 * The library's latest error ("" if none), whether it is connected,
	 * and whether the client is broken for good (then it is stopped and
	 * started again after a backoff; what it had in flight is sent again).
	 */
	void (*status)(void *state, char *error, int errlen, bool *connected,
				   bool *broken);

	void (*stop)(void *state);

	/*
	 * Optional: how many of the rows the last poll acknowledged were not
	 * delivered but dropped for good (a payload the far side can never
	 * take); they count as dropped in siddhi.sinks, not as sent.
	 */
	int (*dropped)(void *state);
} SiddhiSinkOps;

extern const SiddhiSinkOps siddhi_kafka_sink_ops;
extern const SiddhiSinkOps siddhi_http_sink_ops;
extern const SiddhiSinkOps siddhi_redis_sink_ops;
extern const SiddhiSinkOps siddhi_file_sink_ops;
extern const SiddhiSinkOps siddhi_log_sink_ops;
extern const SiddhiSinkOps siddhi_notify_sink_ops;

/* siddhi.http_allowed_hosts (http_sink.c) */
extern char *siddhi_http_allowed_hosts;
extern void siddhi_http_guc_init(void);

/* The client of a sink type (sink.c). */
extern const SiddhiSinkOps *siddhi_sink_ops_of(const char *type);

/*
 * Start the sinks of an app that has just started (engine worker, as the
 * worker's user, in a transaction, in the app's memory context), and stop
 * them before the app's runtime stops.
 */
extern void siddhi_sinks_start(SiddhiAppRuntime *rt, SiddhiAppPlan *plan,
							   const char *app);
extern void siddhi_sinks_stop(SiddhiAppRuntime *rt);

/*
 * The delivery loop: one turn (outside any transaction).  Returns whether
 * it did something (the engine then does not sleep); *timeout_ms is
 * lowered to when it next needs a turn (a backoff ending).
 */
extern bool siddhi_sinks_deliver(long *timeout_ms);

/* The descriptor that becomes readable when a delivery completed, or -1. */
extern int siddhi_sinks_wait_fd(void);

/*
 * Is a sink with on.error = 'WAIT' at its outbox's bound?  The engine then
 * takes no new input (events wait in the ring) until deliveries free room.
 */
extern bool siddhi_sinks_blocked(void);

/* Outboxes (outbox.c), at deploy and undeploy. */
extern bool siddhi_sink_uses_outbox(const SiddhiSinkPlan *plan);
extern void siddhi_outbox_sync(const char *app, SiddhiAppPlan *plan);
extern List *siddhi_outbox_relids(const char *app);
/* The outbox table of a sink, schema-qualified and quoted, or NULL. */
extern char *siddhi_outbox_table(const char *app, const char *sink);

/* Shared-memory counters (sink_stats.c). */
typedef struct SiddhiSinkStats SiddhiSinkStats;
extern Size siddhi_sink_stats_shmem_size(void);
extern void siddhi_sink_stats_shmem_init(void);
extern SiddhiSinkStats *siddhi_sink_stats_alloc(const char *app,
												const SiddhiSinkPlan *plan,
												Oid owner);
extern void siddhi_sink_stats_free(SiddhiSinkStats *e);
extern void siddhi_sink_stats_state(SiddhiSinkStats *e, const char *state);
extern void siddhi_sink_stats_set(SiddhiSinkStats *e, int64 queued,
								  int64 in_flight);
extern void siddhi_sink_stats_add(SiddhiSinkStats *e, int64 sent, int64 failed,
								  int64 dropped);
extern void siddhi_sink_stats_error(SiddhiSinkStats *e, const char *error);
extern void siddhi_sink_guc_init(void);

#endif /* SIDDHI_SINK_H */
