/*-------------------------------------------------------------------------
 *
 * source.h
 *	  The interface every source type implements, and the in-memory broker
 *	  (src/connectors/).
 *
 * The engine worker drives sources (src/connectors/source.c): it starts
 * one per SiddhiSourcePlan when an app loads, giving it the positions its
 * stream committed last; each turn of its loop it polls every source for
 * the records available now (never waiting), maps them into events, feeds
 * them to the stream in the batch's transaction, and writes the position
 * after the last record of each part (a Kafka topic partition, ...) into
 * siddhi.source_offsets in that same transaction.  After the commit it
 * tells the source (committed), which may then let its library go on (or
 * report progress to the broker, never the source of truth).
 *
 * Rules for implementations: a library's own threads never call a
 * PostgreSQL function; poll returns at once; start does not wait for the
 * far side (a broker that is down is a status, not an error: the library
 * retries, poll returns nothing meanwhile); an ERROR from any callback
 * fails that source only (the framework logs it, shows it in
 * siddhi.sources, and starts it again after a backoff).
 *
 *-------------------------------------------------------------------------
 */
#ifndef SIDDHI_SOURCE_H
#define SIDDHI_SOURCE_H

#include "siddhi/connector.h"

/* A committed position: part (e.g. "orders/3"), and where to go on. */
typedef struct SiddhiSourcePosition
{
	char *part;
	int64 next; /* the position of the next record to read */
} SiddhiSourcePosition;

/* One record, valid until the next poll of its source. */
typedef struct SiddhiSourceRecord
{
	const char *data; /* payload; NULL: no payload (skipped) */
	int len;
	const char *key; /* or NULL */
	int keylen;
	int64 timestamp;  /* ms since the epoch from the broker, or -1 */
	const char *part; /* which part it came from ("orders/3") */
	int64 next;		  /* the position after this record */
	const char *fail; /* not NULL: the record fails with this (@OnError) */
} SiddhiSourceRecord;

/* What siddhi.sources shows of a source, besides the framework's counts. */
typedef struct SiddhiSourceStatus
{
	bool connected;
	int64 lag;			  /* records behind the far end (sum), or -1 */
	char detail[256];	  /* e.g. "3 partitions assigned" */
	char last_error[256]; /* the library's latest error, or "" */
} SiddhiSourceStatus;

typedef struct SiddhiSourceOps
{
	const char *type; /* as in spec.c: "kafka", "inmemory" */

	/*
	 * Connect (without waiting for the far side).  positions: List of
	 * SiddhiSourcePosition *, the committed ones (NIL on first start).
	 * Options' ${NAME} references are already resolved in plan->options.
	 * Allocate in the current memory context (the source's own).
	 */
	void *(*start)(const SiddhiSourcePlan *plan, const char *app,
				   List *positions);

	/* Up to max records available now, into records[]; never waits. */
	int (*poll)(void *state, SiddhiSourceRecord *records, int max);

	/* Everything polled so far is committed (may be NULL). */
	void (*committed)(void *state);

	/* A descriptor readable when records may be there, or -1 (may be NULL). */
	int (*wait_fd)(void *state);

	void (*status)(void *state, SiddhiSourceStatus *status);

	/* Disconnect and free what is not in the memory context. */
	void (*stop)(void *state);

	/*
	 * Record index of the last poll did not map and went to @OnError with
	 * message (may be NULL; called in the batch, before committed).
	 */
	void (*rejected)(void *state, int index, const char *message);
	/* events take their record's timestamp as time (cdc: commit time) */
	bool record_time;
} SiddhiSourceOps;

/* The ops of a source type (source.c keeps the list), or NULL. */
extern const SiddhiSourceOps *siddhi_source_ops(const char *type);

extern const SiddhiSourceOps siddhi_kafka_source_ops;	 /* kafka_source.c */
extern const SiddhiSourceOps siddhi_inmemory_source_ops; /* inmemory.c */
extern const SiddhiSourceOps siddhi_http_source_ops;	 /* http_source.c */
extern const SiddhiSourceOps siddhi_file_source_ops;	 /* file_source.c */
extern const SiddhiSourceOps siddhi_cdc_source_ops;		 /* cdc_source.c */

/*
 * The in-memory broker (inmemory.c), per engine worker: an inMemory sink
 * publishes a payload to a topic; every inMemory source of that topic in
 * the database receives a copy at its next poll.  passThrough carries the
 * event itself (its mapper's bytes are the row type's signature and a
 * MinimalTuple; a source of another row type refuses them, and a
 * passThrough source takes only what passThrough sinks published: bytes of
 * another mapper are no event to trust).  Bounded
 * (siddhi.inmemory_queue_events per topic and source; beyond it the
 * oldest are dropped and counted).  Lost with the worker, as Siddhi's.
 */
extern void siddhi_inmemory_publish(const char *topic, const char *data,
									int len, int64 timestamp,
									bool passthrough);

#endif /* SIDDHI_SOURCE_H */
