/*-------------------------------------------------------------------------
 *
 * siddhi.c
 *	  Module entry: _PG_init defines the GUCs and wires the subsystems
 *	  together, nothing more.
 *
 * Loaded through shared_preload_libraries, the library reserves shared
 * memory, registers the launcher and the transaction hooks.  Loaded any
 * other way (CREATE EXTENSION in a server that did not preload it), it
 * does nothing, and the extension script refuses to install with a hint
 * saying what to set.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "fmgr.h"
#include "miscadmin.h"
#include "siddhi/batch.h"
#include "siddhi/catalog.h"
#include "siddhi/errors.h"
#include "siddhi/ipc.h"
#include "siddhi/metrics.h"
#include "siddhi/kafka_source.h"
#include "siddhi/join.h"
#include "siddhi/partition.h"
#include "siddhi/http.h"
#include "siddhi/incremental.h"
#include "siddhi/shmem.h"
#include "siddhi/sink.h"
#include "siddhi/state.h"
#include "siddhi/source_runtime.h"
#include "siddhi/usercode.h"
#include "siddhi/worker.h"
#include "utils/guc.h"

PG_MODULE_MAGIC;

int siddhi_max_databases = 8;
int siddhi_ring_size_kb = 8192;
int siddhi_max_queries = 1024;
int siddhi_max_subscriptions = 64;
int siddhi_subscription_buffer_kb = 256;
int siddhi_naptime_ms = 1000;
int siddhi_max_groups = 1000000;
int siddhi_over_history_rows = 1000;
int siddhi_over_max_partitions = 100000;
int siddhi_max_partial_matches = 100000;
bool siddhi_dispatch_index = true;
bool siddhi_common_subexpressions = true;
int siddhi_pending_memory_kb = 65536;
bool siddhi_durable_streams = false;
bool siddhi_synchronous_commit = false;
bool siddhi_save_state = true;
int siddhi_max_state_size_kb = 4096;
int siddhi_state_interval_ms = 1000;
int siddhi_state_interval_events = 0;
int siddhi_state_budget = 5;
bool siddhi_state_roundtrip = false;
int siddhi_sync_commit_timeout_ms = 10000;
bool siddhi_preloaded = false;
bool siddhi_in_engine = false;
char *siddhi_event_time_setting = NULL;

void _PG_init(void);

/* siddhi.event_time: empty, or milliseconds since 1970-01-01 UTC */
static bool
siddhi_check_event_time(char **newval, void **extra, GucSource source)
{
	char *end;

	if (**newval == '\0')
		return true;
	errno = 0;
	(void) strtoll(*newval, &end, 10);
	if (errno != 0 || *end != '\0')
	{
		GUC_check_errdetail("Give milliseconds since 1970-01-01 UTC, or an "
							"empty string for the arrival time.");
		return false;
	}
	return true;
}

static void
define_gucs(void)
{
	DefineCustomIntVariable(
		"siddhi.max_databases", "Databases that can run siddhi apps at once.",
		"Each has an engine worker and an event ring.", &siddhi_max_databases,
		8, 1, 1024, PGC_POSTMASTER, 0, NULL, NULL, NULL);
	DefineCustomIntVariable(
		"siddhi.ring_size", "Size of each database's event ring.",
		"Producers wait when it is full; one event must fit in it.",
		&siddhi_ring_size_kb, 8192, 64, 1024 * 1024, PGC_POSTMASTER,
		GUC_UNIT_KB, NULL, NULL, NULL);
	DefineCustomIntVariable("siddhi.max_queries",
							"Queries whose counters siddhi.queries can show.",
							NULL, &siddhi_max_queries, 1024, 16, 1000000,
							PGC_POSTMASTER, 0, NULL, NULL, NULL);
	DefineCustomIntVariable(
		"siddhi.max_subscriptions",
		"Stream subscriptions (siddhi.subscribe) at once, server-wide.", NULL,
		&siddhi_max_subscriptions, 64, 1, 10000, PGC_POSTMASTER, 0, NULL, NULL,
		NULL);
	DefineCustomIntVariable("siddhi.subscription_buffer",
							"Buffer of each subscription; events beyond it "
							"are counted as overflowed.",
							NULL, &siddhi_subscription_buffer_kb, 256, 8,
							1024 * 1024, PGC_POSTMASTER, GUC_UNIT_KB, NULL,
							NULL, NULL);
	DefineCustomIntVariable(
		"siddhi.aggregation_max_buckets",
		"Buckets one incremental aggregation holds in memory at once.",
		"Beyond it, closed buckets are written (or dropped when past "
		"retention) before the end of the batch.",
		&siddhi_aggregation_max_buckets, 400000, 100, 100000000, PGC_SIGHUP, 0,
		NULL, NULL, NULL);
	DefineCustomIntVariable(
		"siddhi.naptime", "How long idle workers sleep between checks.",
		"The launcher rescans databases and workers check their extension "
		"this often; events wake them at once.",
		&siddhi_naptime_ms, 1000, 10, 3600 * 1000, PGC_SIGHUP, GUC_UNIT_MS,
		NULL, NULL, NULL);
	DefineCustomBoolVariable(
		"siddhi.durable_streams",
		"Whether a stream without a durable option is durable.",
		"A durable stream's events are also written to "
		"siddhi.stream_staging in the inserting transaction, so that a "
		"crash loses none; a stream's own WITH (durable = ..) or @durable "
		"wins.  Read by the inserting session: ALTER DATABASE .. SET makes "
		"it the database's default.",
		&siddhi_durable_streams, false, PGC_USERSET, 0, NULL, NULL, NULL);
	DefineCustomBoolVariable(
		"siddhi.save_state", "Whether the engine saves the state of queries.",
		"On: at the end of each batch the engine writes the state of every "
		"query that changed (windows, groups, ...) into siddhi.query_state, "
		"in the batch's transaction, and an app restores it when it starts "
		"again (after a restart, a crash or a redeploy that left the "
		"query alone).  Off: queries start empty.",
		&siddhi_save_state, true, PGC_SIGHUP, 0, NULL, NULL, NULL);
	DefineCustomIntVariable(
		"siddhi.max_state_size",
		"The largest state of one query that is saved.",
		"A query whose state (its window's events, its groups, ...) is "
		"larger is not saved, and starts empty after a restart: each batch "
		"that changes a query rewrites its whole state.",
		&siddhi_max_state_size_kb, 4096, 1, MAX_KILOBYTES, PGC_SIGHUP,
		GUC_UNIT_KB, NULL, NULL, NULL);
	DefineCustomIntVariable(
		"siddhi.state_interval",
		"How often state is saved when no durable input needs it.",
		"A batch that consumed events of a durable stream or records of a "
		"source always saves the state it changed (exactly once); other "
		"batches save it at most this often, so a crash can also lose up to "
		"this much of the state the events of ordinary streams built.  0: "
		"every batch.",
		&siddhi_state_interval_ms, 1000, 0, 3600 * 1000, PGC_SIGHUP,
		GUC_UNIT_MS, NULL, NULL, NULL);
	DefineCustomIntVariable(
		"siddhi.state_interval_events",
		"How many events between two saves of state when no durable input "
		"needs it.",
		"Besides siddhi.state_interval, a batch saves the state it changed "
		"once the engine has processed this many events since the last "
		"save.  0: time alone decides.",
		&siddhi_state_interval_events, 0, 0, INT_MAX, PGC_SIGHUP, 0, NULL,
		NULL, NULL);
	DefineCustomIntVariable(
		"siddhi.state_budget",
		"The most of the engine's busy time, in percent, that saves no "
		"durable input needs may take.",
		"Under load the time between two such saves stretches beyond "
		"siddhi.state_interval (up to a minute; not for saves under 5 ms) "
		"so that saving takes at most this share of the engine's busy "
		"time.  0: siddhi.state_interval alone.  Batches that consumed a "
		"durable stream's events or a source's records always save.",
		&siddhi_state_budget, 5, 0, 100, PGC_SIGHUP, 0, NULL, NULL, NULL);
	DefineCustomBoolVariable(
		"siddhi.state_roundtrip",
		"Developer option: round-trip every query's state at each batch's "
		"end.",
		"Each query's state is saved to bytes and restored into new "
		"operators at the end of every batch; the test suites run so show "
		"that the saved state is all that matters.",
		&siddhi_state_roundtrip, false, PGC_SIGHUP, GUC_NOT_IN_SAMPLE, NULL,
		NULL, NULL);
	DefineCustomBoolVariable(
		"siddhi.synchronous_commit",
		"Whether COMMIT waits for the engine to process the transaction's "
		"events.",
		"On: a SELECT after COMMIT sees the results of the events the "
		"transaction inserted, as after siddhi.flush().  A stream's WITH "
		"(synchronous_commit = on) makes it so for the transactions that "
		"insert into it.",
		&siddhi_synchronous_commit, false, PGC_USERSET, 0, NULL, NULL, NULL);
	DefineCustomIntVariable(
		"siddhi.synchronous_commit_timeout",
		"How long a synchronous COMMIT waits for the engine at most.",
		"After it, COMMIT returns with a warning (the transaction has "
		"committed; its results follow).",
		&siddhi_sync_commit_timeout_ms, 10000, 0, INT_MAX, PGC_USERSET,
		GUC_UNIT_MS, NULL, NULL, NULL);
	DefineCustomIntVariable(
		"siddhi.pending_memory",
		"Engine memory for events of transactions not yet fed.",
		"Events reach the engine before their transaction commits and wait "
		"for it; beyond this much, those of the largest transactions go to "
		"temporary files.",
		&siddhi_pending_memory_kb, 65536, 1024, MAX_KILOBYTES, PGC_SIGHUP,
		GUC_UNIT_KB, NULL, NULL, NULL);
	DefineCustomIntVariable(
		"siddhi.max_groups", "Groups one aggregating query may keep.",
		"A group is released when its last event leaves the window; an "
		"event that would make a new group beyond this is skipped and "
		"counted as an error of the query.",
		&siddhi_max_groups, 1000000, 1, INT_MAX, PGC_SIGHUP, 0, NULL, NULL,
		NULL);
	DefineCustomIntVariable(
		"siddhi.over_history_rows",
		"Rows of a partition a window function over a stream keeps.",
		"Over a stream without a window, a window function ordered by "
		"something other than the arrival order is computed over the last "
		"this many rows of the row's partition.",
		&siddhi_over_history_rows, 1000, 1, 1000000, PGC_SIGHUP, 0, NULL, NULL,
		NULL);
	DefineCustomIntVariable(
		"siddhi.over_max_partitions",
		"Partitions a window function over a stream keeps.",
		"Beyond this, the partition used least recently is forgotten: its "
		"next row starts it afresh.",
		&siddhi_over_max_partitions, 100000, 1, INT_MAX, PGC_SIGHUP, 0, NULL,
		NULL, NULL);
	DefineCustomIntVariable(
		"siddhi.max_partition_keys", "Keys one partition may keep at once.",
		"Each key holds its own state of every query in the partition; an "
		"event of a new key beyond this is skipped and counted as an error "
		"of the query.  @purge releases idle keys.",
		&siddhi_max_partition_keys, 1000000, 1, INT_MAX, PGC_SIGHUP, 0, NULL,
		NULL, NULL);
	DefineCustomIntVariable(
		"siddhi.join_lookup_cache",
		"Keys whose row a join with a table remembers the place of.",
		"A join through a table's primary key (or another unique index) "
		"remembers where it found each key's row, checks the row is still "
		"there and still matches on the next lookup, and descends the "
		"index only when it is not; 16 bytes per key.  0 turns it off for "
		"apps started after.",
		&siddhi_join_lookup_cache, 1000000, 0, INT_MAX / 2, PGC_SIGHUP, 0,
		NULL, NULL, NULL);
	DefineCustomIntVariable(
		"siddhi.error_log_interval",
		"Least time between two log lines about errors of one query.",
		"Every error of a query is counted in siddhi.queries; the server "
		"log gets its first error, then at most one line per interval, "
		"saying how many errors went unlogged since.  0 logs every error.",
		&siddhi_error_log_interval_ms, 10000, 0, INT_MAX, PGC_SIGHUP,
		GUC_UNIT_MS, NULL, NULL, NULL);
	DefineCustomIntVariable(
		"siddhi.max_partial_matches",
		"Partial matches one pattern or sequence query may keep.",
		"When a new partial match would pass this, the oldest are dropped "
		"and counted in siddhi.queries; @info(max.partial.matches='n') "
		"sets it for one query.",
		&siddhi_max_partial_matches, 100000, 1, INT_MAX, PGC_SIGHUP, 0, NULL,
		NULL, NULL);
	DefineCustomBoolVariable(
		"siddhi.dispatch_index",
		"Hands a stream's events only to the queries that want their value.",
		"Queries whose filter or pattern pins one attribute to a constant, "
		"or whose filter bounds it by one (EXPLAIN shows their Dispatch "
		"Key), are indexed by that value in their stream; off hands every "
		"event to every query, as before.",
		&siddhi_dispatch_index, true, PGC_SIGHUP, 0, NULL, NULL, NULL);
	DefineCustomBoolVariable(
		"siddhi.common_subexpressions",
		"Computes what several queries of an app compute from one event once.",
		"Conditions and subexpressions that queries of an app on one "
		"stream share (EXPLAIN shows each Shared Condition and Shared "
		"Expression) are computed once per event; off computes each where "
		"it is written.  Read when an app is deployed or loaded.",
		&siddhi_common_subexpressions, true, PGC_SIGHUP, 0, NULL, NULL, NULL);
	DefineCustomIntVariable(
		"siddhi.kafka_source_memory",
		"Memory for records each Kafka source fetches ahead.",
		"7/16 bound the payloads of librdkafka's queue of pre-fetched "
		"records, as much their overhead, an eighth one fetch response; a "
		"topic's backlog waits at the broker.",
		&siddhi_kafka_source_memory_kb, 131072, 4096, 1024 * 1024, PGC_SIGHUP,
		GUC_UNIT_KB, NULL, NULL, NULL);
	DefineCustomStringVariable(
		"siddhi.event_time",
		"Timestamp given to events inserted by this session (replay).",
		"Milliseconds since 1970-01-01 UTC; empty means the arrival "
		"time.  A stream's own event-time attribute wins.",
		&siddhi_event_time_setting, "", PGC_USERSET, 0,
		siddhi_check_event_time, NULL, NULL);
	DefineCustomStringVariable(
		"siddhi.metrics_address",
		"Address and port of the Prometheus endpoint (/metrics, /health, "
		"/ready).",
		"Empty (the default) runs no endpoint; '127.0.0.1:9464' serves "
		"the text of siddhi.metrics() there, every database's, to anyone "
		"who can connect.",
		&siddhi_metrics_address, "", PGC_POSTMASTER, 0,
		siddhi_metrics_check_address, NULL, NULL);
	siddhi_sources_define_gucs();
	siddhi_sink_guc_init();
	siddhi_http_source_gucs();
	/* every siddhi.* setting is defined above: the rest are typos */
	MarkGUCPrefixReserved("siddhi");
}

void
_PG_init(void)
{
	if (!process_shared_preload_libraries_in_progress)
		return;
	siddhi_preloaded = true;
	define_gucs();
	siddhi_shmem_init_hooks();
	siddhi_register_launcher();
	siddhi_register_http_listener();
	siddhi_metrics_register_worker();
	siddhi_utility_init();
	siddhi_stream_xact_init();
	siddhi_catalog_xact_init();
	siddhi_usercode_init();
}

void
siddhi_require_preload(void)
{
	if (!siddhi_preloaded)
		ereport(ERROR,
				(errcode(ERRCODE_SIDDHI_NOT_PRELOADED),
				 errmsg("siddhi must be loaded via shared_preload_libraries"),
				 errhint("Add 'siddhi' to shared_preload_libraries in "
						 "postgresql.conf and restart the server.")));
}

PG_FUNCTION_INFO_V1(siddhi_check_preload);

Datum
siddhi_check_preload(PG_FUNCTION_ARGS)
{
	siddhi_require_preload();
	PG_RETURN_VOID();
}
