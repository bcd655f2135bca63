/*-------------------------------------------------------------------------
 *
 * kafka_source.c
 *	  The Kafka source: a librdkafka consumer per @source(type = 'kafka').
 *
 * Positions live in Postgres, never in the broker.  The framework
 * (source.c) hands start() the positions its stream committed last
 * (parts "topic/partition", next offset to read); the consumer is
 * assigned exactly those offsets, and every record it hands out carries
 * the offset after it, which the framework writes in the same transaction
 * as the batch's results.  So librdkafka's own offset machinery is off
 * (enable.auto.commit, enable.auto.offset.store = false); the broker's
 * group offsets are only written, after our commit, when the app asks for
 * them (enable.offsets.commit, for lag monitoring), and never read.
 *
 * With partition.no.list the partitions are assigned explicitly (no group
 * membership); without it the consumer subscribes with group.id and, on
 * each assignment, assigns the offsets we know: after what we have handed
 * out (committed or in the batch being committed), else the committed
 * position, else topic.offsets.map, else auto.offset.reset (from
 * optional.configuration; Kafka's default, latest, when not given).
 *
 * Threads: librdkafka runs its own threads, which never reach our code:
 * logs, errors, statistics and rebalances travel as ops through the
 * consumer queue (rd_kafka_poll_set_consumer, log.queue) and their
 * callbacks run inside rd_kafka_consume_batch_queue() on the engine's
 * thread, during poll.  Even there they call no PostgreSQL function (an
 * ERROR would longjmp through librdkafka's frames): they write into plain
 * fields of the state.  The queue's io event (a pipe) is the descriptor the
 * engine waits on.
 *
 * Memory: librdkafka's pre-fetch queue is bounded by
 * siddhi.kafka_source_memory (7/16 for queued payloads, as much for
 * librdkafka's overhead of as many records as that allows, an eighth for
 * one fetch response); the records of one poll stay alive until the next
 * poll.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <fcntl.h>
#include <limits.h>
#include <unistd.h>

#include <librdkafka/rdkafka.h>

#include "siddhi/errors.h"
#include "siddhi/kafka_source.h"
#include "siddhi/source.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"

/* siddhi.kafka_source_memory: kB of pre-fetched records per Kafka source */
int siddhi_kafka_source_memory_kb = 131072;

/*
 * What a queued record costs librdkafka besides its payload, about (its
 * rd_kafka_op_t): the queue holds at most one record per this many bytes
 * of its share of siddhi.kafka_source_memory.
 */
#define KAFKA_RECORD_COST 256

/* Broker commits (enable.offsets.commit) at most this often. */
#define KAFKA_BROKER_COMMIT_MS 1000

/*
 * A fetcher nudge (kafka_nudge) at most this often, and how long it may
 * wait for the leader's answer.
 */
#define KAFKA_NUDGE_MS 20
#define KAFKA_NUDGE_WAIT_MS 100
/* ... and after one that failed (a leader down, a timeout) */
#define KAFKA_NUDGE_FAILED_MS 2000

/* One topic partition the source has seen, assigned or known. */
typedef struct KafkaPart
{
	char *topic; /* palloc'd */
	int32 partition;
	char *part;	  /* "topic/partition" */
	int64 next;	  /* offset to read next; -1: not known */
	int64 broker; /* last offset committed to the broker, or -1 */
	bool assigned;
} KafkaPart;

typedef struct KafkaSource
{
	MemoryContext cxt;
	char *name; /* plan name, for messages */
	rd_kafka_t *rk;
	rd_kafka_queue_t *queue;
	int pipe_rd;
	int pipe_wr;
	bool subscribed; /* group mode (no partition.no.list) */
	bool broker_commit;
	TimestampTz last_broker_commit;
	int64 default_offset; /* RD_KAFKA_OFFSET_BEGINNING/END/INVALID */
	List *topics;		  /* of char * */
	List *offsets_map;	  /* of KafkaPart *: topic.offsets.map, partition -1 */

	KafkaPart *parts;
	int nparts;
	int maxparts;
	int last_hit; /* index of the part of the previous record */

	/* librdkafka 2.0's fetcher, kept awake (kafka_nudge) */
	bool nudge;				/* no fetch.queue.backoff.ms in this librdkafka */
	int queued_min;			/* the queue's record count bound */
	int nudge_next;			/* the part to nudge through next */
	TimestampTz next_nudge; /* not before */

	rd_kafka_message_t **held; /* records of the last poll */
	int nheld;
	int maxheld;

	/* written by callbacks (on our thread, inside librdkafka calls) */
	bool connected;
	bool rebalanced; /* an assignment changed: refresh parts' flags */
	rd_kafka_topic_partition_list_t *pending_assign;
	int pending_kind; /* 1 assign, 2 revoke */
	char last_error[256];
	char detail[256];
} KafkaSource;

static void kafka_stop(void *state);

/* Hand out a palloc'd copy of s with surrounding blanks removed. */
static char *
kafka_trim(const char *s, int len)
{
	while (len > 0 && isspace((unsigned char) *s))
		s++, len--;
	while (len > 0 && isspace((unsigned char) s[len - 1]))
		len--;
	return pnstrdup(s, len);
}

/* Split "a,b , c" into a List of trimmed, non-empty strings. */
static List *
kafka_split(const char *s)
{
	List *out = NIL;

	while (s && *s)
	{
		const char *comma = strchr(s, ',');
		int len = comma ? (int) (comma - s) : (int) strlen(s);
		char *item = kafka_trim(s, len);

		if (*item)
			out = lappend(out, item);
		s = comma ? comma + 1 : NULL;
	}
	return out;
}

static bool
kafka_bool_option(const SiddhiSourcePlan *plan, const char *key, bool def)
{
	const char *v = siddhi_conn_option(plan->options, key, NULL);
	bool result;

	if (v == NULL)
		return def;
	if (!parse_bool(v, &result))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("option \"%s\" of source %s must be true or false",
						key, plan->name)));
	return result;
}

/*
 * The part of (topic, partition), created when new.  Called on our thread
 * outside librdkafka calls only (it may allocate).
 */
static KafkaPart *
kafka_part(KafkaSource *ks, const char *topic, int32 partition, bool create)
{
	MemoryContext old;
	KafkaPart *p;

	if (ks->last_hit < ks->nparts &&
		ks->parts[ks->last_hit].partition == partition &&
		strcmp(ks->parts[ks->last_hit].topic, topic) == 0)
		return &ks->parts[ks->last_hit];
	for (int i = 0; i < ks->nparts; i++)
		if (ks->parts[i].partition == partition &&
			strcmp(ks->parts[i].topic, topic) == 0)
		{
			ks->last_hit = i;
			return &ks->parts[i];
		}
	if (!create)
		return NULL;
	old = MemoryContextSwitchTo(ks->cxt);
	if (ks->nparts == ks->maxparts)
	{
		ks->maxparts = Max(8, ks->maxparts * 2);
		ks->parts = ks->parts
						? repalloc(ks->parts, sizeof(KafkaPart) * ks->maxparts)
						: palloc(sizeof(KafkaPart) * ks->maxparts);
	}
	p = &ks->parts[ks->nparts];
	p->topic = pstrdup(topic);
	p->partition = partition;
	p->part = psprintf("%s/%d", topic, partition);
	p->next = -1;
	p->broker = -1;
	p->assigned = false;
	MemoryContextSwitchTo(old);
	ks->last_hit = ks->nparts++;
	return p;
}

/* Where a partition without a known position starts. */
static int64
kafka_start_offset(KafkaSource *ks, const char *topic, int32 partition)
{
	KafkaPart *p = kafka_part(ks, topic, partition, false);
	ListCell *lc;

	if (p && p->next >= 0)
		return p->next;
	foreach(lc, ks->offsets_map)
	{
		KafkaPart *m = lfirst(lc);

		if (strcmp(m->topic, topic) == 0)
			return m->next;
	}
	return ks->default_offset;
}

/*
 * Rebalance callback: runs on our thread inside consume_batch_queue.  It
 * only sets the offsets we know into librdkafka's list (reading the parts
 * array, never growing it) and assigns; poll() notes the assignment
 * afterwards.
 */
static void
kafka_rebalance_cb(rd_kafka_t *rk, rd_kafka_resp_err_t err,
				   rd_kafka_topic_partition_list_t *list, void *opaque)
{
	KafkaSource *ks = opaque;
	bool cooperative =
		strcmp(rd_kafka_rebalance_protocol(rk), "COOPERATIVE") == 0;

	if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS)
	{
		for (int i = 0; i < list->cnt; i++)
			list->elems[i].offset = kafka_start_offset(
				ks, list->elems[i].topic, list->elems[i].partition);
		if (cooperative)
		{
			rd_kafka_error_t *e = rd_kafka_incremental_assign(rk, list);

			if (e)
				rd_kafka_error_destroy(e);
		}
		else
			rd_kafka_assign(rk, list);
		if (ks->pending_assign)
			rd_kafka_topic_partition_list_destroy(ks->pending_assign);
		ks->pending_assign = rd_kafka_topic_partition_list_copy(list);
		ks->pending_kind = 1;
	}
	else
	{
		if (cooperative)
		{
			rd_kafka_error_t *e = rd_kafka_incremental_unassign(rk, list);

			if (e)
				rd_kafka_error_destroy(e);
		}
		else
			rd_kafka_assign(rk, NULL);
		if (ks->pending_assign)
			rd_kafka_topic_partition_list_destroy(ks->pending_assign);
		ks->pending_assign = rd_kafka_topic_partition_list_copy(list);
		ks->pending_kind = cooperative ? 2 : 3; /* 3: all revoked */
	}
	ks->rebalanced = true;
}

/* Errors: kept for siddhi.sources; librdkafka retries on its own. */
static void
kafka_error_cb(rd_kafka_t *rk, int err, const char *reason, void *opaque)
{
	KafkaSource *ks = opaque;

	snprintf(ks->last_error, sizeof(ks->last_error), "%s", reason);
	if (err == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN ||
		err == RD_KAFKA_RESP_ERR__TRANSPORT ||
		err == RD_KAFKA_RESP_ERR__RESOLVE)
		ks->connected = false;
}

/*
 * Statistics (every second): connected when some broker's state is UP.
 * Returning 0 lets librdkafka free the JSON.
 */
static int
kafka_stats_cb(rd_kafka_t *rk, char *json, size_t len, void *opaque)
{
	KafkaSource *ks = opaque;

	ks->connected = strstr(json, "\"state\":\"UP\"") != NULL;
	return 0;
}

/* Logs: warnings and worse become the last error; nothing is printed. */
static void
kafka_log_cb(const rd_kafka_t *rk, int level, const char *fac, const char *buf)
{
	KafkaSource *ks = rd_kafka_opaque(rk);

	if (ks && level <= 4)
		snprintf(ks->last_error, sizeof(ks->last_error), "%s: %s", fac, buf);
}

static void
kafka_conf_set(rd_kafka_conf_t *conf, const char *key, const char *value,
			   const char *name)
{
	char errstr[512];

	if (rd_kafka_conf_set(conf, key, value, errstr, sizeof(errstr)) !=
		RD_KAFKA_CONF_OK)
	{
		rd_kafka_conf_destroy(conf);
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("source %s: invalid Kafka setting \"%s\"", name, key),
				 errdetail("librdkafka: %s", errstr)));
	}
}

/* Destroys the consumer if the source's context goes without stop(). */
static void
kafka_reset_cb(void *arg)
{
	KafkaSource *ks = arg;

	if (ks->rk)
		kafka_stop(ks);
}

/*
 * optional.configuration: 'key:value,key:value' straight to librdkafka,
 * but for the keys we own (positions are ours).  Returns what the
 * overridden keys asked for in *auto_commit and *reset.
 */
static void
kafka_optional_conf(KafkaSource *ks, rd_kafka_conf_t *conf, const char *opt,
					bool *auto_commit, const char **reset)
{
	ListCell *lc;

	foreach(lc, kafka_split(opt))
	{
		char *kv = lfirst(lc);
		char *colon = strchr(kv, ':');
		char *key;
		char *value;

		if (colon == NULL)
		{
			rd_kafka_conf_destroy(conf);
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("source %s: optional.configuration entry \"%s\" "
							"has no value",
							ks->name, kv),
					 errhint("Write entries as key:value, separated by "
							 "commas.")));
		}
		key = kafka_trim(kv, colon - kv);
		value = kafka_trim(colon + 1, strlen(colon + 1));
		if (strcmp(key, "enable.auto.commit") == 0)
		{
			parse_bool(value, auto_commit);
			continue;
		}
		if (strcmp(key, "enable.auto.offset.store") == 0 ||
			strcmp(key, "enable.partition.eof") == 0 ||
			strcmp(key, "group.id") == 0 ||
			strcmp(key, "bootstrap.servers") == 0)
			continue; /* ours */
		if (strcmp(key, "auto.offset.reset") == 0)
			*reset = value;
		kafka_conf_set(conf, key, value, ks->name);
	}
}

static int64
kafka_reset_offset(const char *reset)
{
	if (strcmp(reset, "earliest") == 0 || strcmp(reset, "smallest") == 0 ||
		strcmp(reset, "beginning") == 0)
		return RD_KAFKA_OFFSET_BEGINNING;
	if (strcmp(reset, "error") == 0)
		return RD_KAFKA_OFFSET_INVALID;
	return RD_KAFKA_OFFSET_END;
}

/* Assign partition.no.list's partitions of every topic explicitly. */
static void
kafka_assign_explicit(KafkaSource *ks, List *partitions)
{
	rd_kafka_topic_partition_list_t *list;
	rd_kafka_resp_err_t err;
	ListCell *lt;
	ListCell *lp;

	list = rd_kafka_topic_partition_list_new(list_length(ks->topics) *
											 list_length(partitions));
	foreach(lt, ks->topics)
		foreach(lp, partitions)
		{
			char *end;
			long n = strtol(lfirst(lp), &end, 10);

			if (*end != '\0' || n < 0 || n > INT_MAX)
			{
				rd_kafka_topic_partition_list_destroy(list);
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("source %s: partition.no.list entry \"%s\" is "
								"not a partition number",
								ks->name, (char *) lfirst(lp))));
			}
			rd_kafka_topic_partition_list_add(list, lfirst(lt), (int32) n)
				->offset = kafka_start_offset(ks, lfirst(lt), (int32) n);
			kafka_part(ks, lfirst(lt), (int32) n, true)->assigned = true;
		}
	err = rd_kafka_assign(ks->rk, list);
	rd_kafka_topic_partition_list_destroy(list);
	if (err)
		ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						errmsg("source %s: cannot assign partitions: %s",
							   ks->name, rd_kafka_err2str(err))));
}

static void *
kafka_start(const SiddhiSourcePlan *plan, const char *app, List *positions)
{
	KafkaSource *ks = palloc0(sizeof(KafkaSource));
	rd_kafka_conf_t *conf;
	char errstr[512];
	char buf[64];
	const char *reset = "latest";
	bool auto_commit = false;
	const char *plist;
	int mem_kb = siddhi_kafka_source_memory_kb;
	int fetch_bytes;
	int queue_kb;
	int fds[2];
	ListCell *lc;
	MemoryContextCallback *cb;

	ks->cxt = CurrentMemoryContext;
	ks->name = pstrdup(plan->name);
	ks->pipe_rd = ks->pipe_wr = -1;
	ks->topics =
		kafka_split(siddhi_conn_option(plan->options, "topic.list", ""));
	if (ks->topics == NIL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("source %s: topic.list names no topic", plan->name)));

	/* the committed positions come first */
	foreach(lc, positions)
	{
		SiddhiSourcePosition *pos = lfirst(lc);
		char *slash = strrchr(pos->part, '/');
		char *topic;

		if (slash == NULL)
			continue; /* not ours: ignore */
		topic = pnstrdup(pos->part, slash - pos->part);
		kafka_part(ks, topic, (int32) atoi(slash + 1), true)->next = pos->next;
	}
	/* topic.offsets.map: topic=offset, where a topic without position starts */
	foreach(lc, kafka_split(siddhi_conn_option(plan->options,
											   "topic.offsets.map", NULL)))
	{
		char *eq = strchr(lfirst(lc), '=');
		KafkaPart *m = palloc0(sizeof(KafkaPart));

		if (eq == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("source %s: topic.offsets.map entry \"%s\" is "
							"not topic=offset",
							plan->name, (char *) lfirst(lc))));
		m->topic = kafka_trim(lfirst(lc), eq - (char *) lfirst(lc));
		m->next = strtoll(eq + 1, NULL, 10);
		ks->offsets_map = lappend(ks->offsets_map, m);
	}
	/* Siddhi's options: accepted, documented (docs/connectors.md) */
	(void) kafka_bool_option(plan, "seq.enabled", false);
	(void) kafka_bool_option(plan, "is.binary.message", false);
	(void) kafka_bool_option(plan, "enable.async.commit", true);
	ks->broker_commit =
		kafka_bool_option(plan, "enable.offsets.commit", true) ||
		kafka_bool_option(plan, "enable.auto.commit", false);

	conf = rd_kafka_conf_new();
	kafka_conf_set(conf, "bootstrap.servers",
				   siddhi_conn_option(plan->options, "bootstrap.servers", ""),
				   plan->name);
	kafka_conf_set(conf, "group.id",
				   siddhi_conn_option(plan->options, "group.id", ""),
				   plan->name);
	snprintf(buf, sizeof(buf), "siddhi-%s", app);
	kafka_conf_set(conf, "client.id", buf, plan->name);
	/* a restarted engine joins the group again quickly */
	kafka_conf_set(conf, "session.timeout.ms", "10000", plan->name);
	kafka_conf_set(conf, "statistics.interval.ms", "1000", plan->name);
	kafka_conf_set(conf, "log.connection.close", "false", plan->name);
	/*
	 * The memory bound: queued records, one fetch response.  The queue's
	 * payloads get 7/16 of siddhi.kafka_source_memory, and it holds at most
	 * one record per KAFKA_RECORD_COST bytes of that, so that librdkafka's
	 * overhead per record (its op, about that size) fits in another 7/16;
	 * one fetch response gets the last eighth.  Once the queue is full,
	 * librdkafka 2.0 looks at it again only when its broker thread next
	 * wakes, up to a second later: a queue that holds over a second of
	 * the engine's intake keeps the engine fed meanwhile.  librdkafka's
	 * default count, 100,000 records (15 MB of bench/kafka.sh's), was the
	 * limit before: the engine then waited for records a tenth of the time.
	 */
	queue_kb = Max(mem_kb / 16 * 7, 1024);
	snprintf(buf, sizeof(buf), "%d", queue_kb);
	kafka_conf_set(conf, "queued.max.messages.kbytes", buf, plan->name);
	ks->queued_min =
		(int) Min((int64) queue_kb * 1024 / KAFKA_RECORD_COST, 10000000);
	snprintf(buf, sizeof(buf), "%d", ks->queued_min);
	kafka_conf_set(conf, "queued.min.messages", buf, plan->name);
	/*
	 * Once the queue is over those bounds, the fetcher looks at it again
	 * after fetch.queue.backoff.ms (librdkafka 2.1 and later), else when
	 * its broker thread next wakes, up to a second later: kafka_nudge.
	 */
	ks->nudge = rd_kafka_conf_set(conf, "fetch.queue.backoff.ms", "10", errstr,
								  sizeof(errstr)) != RD_KAFKA_CONF_OK;
	fetch_bytes = Max(mem_kb / 8, 1024) * 1024;
	snprintf(buf, sizeof(buf), "%d", fetch_bytes);
	kafka_conf_set(conf, "fetch.max.bytes", buf, plan->name);
	snprintf(buf, sizeof(buf), "%d", fetch_bytes + 65536);
	kafka_conf_set(conf, "receive.message.max.bytes", buf, plan->name);

	kafka_optional_conf(
		ks, conf,
		siddhi_conn_option(plan->options, "optional.configuration", ""),
		&auto_commit, &reset);
	ks->broker_commit = ks->broker_commit || auto_commit;
	ks->default_offset = kafka_reset_offset(reset);

	/* positions are ours */
	kafka_conf_set(conf, "enable.auto.commit", "false", plan->name);
	kafka_conf_set(conf, "enable.auto.offset.store", "false", plan->name);
	kafka_conf_set(conf, "enable.partition.eof", "false", plan->name);
	/* logs through the queue, to our thread */
	kafka_conf_set(conf, "log.queue", "true", plan->name);
	rd_kafka_conf_set_log_cb(conf, kafka_log_cb);
	rd_kafka_conf_set_error_cb(conf, kafka_error_cb);
	rd_kafka_conf_set_stats_cb(conf, kafka_stats_cb);
	rd_kafka_conf_set_rebalance_cb(conf, kafka_rebalance_cb);
	rd_kafka_conf_set_opaque(conf, ks);

	ks->rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, errstr, sizeof(errstr));
	if (ks->rk == NULL)
	{
		rd_kafka_conf_destroy(conf);
		ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						errmsg("source %s: cannot create a Kafka consumer",
							   plan->name),
						errdetail("librdkafka: %s", errstr)));
	}
	cb = palloc0(sizeof(MemoryContextCallback));
	cb->func = kafka_reset_cb;
	cb->arg = ks;
	MemoryContextRegisterResetCallback(ks->cxt, cb);

	rd_kafka_set_log_queue(ks->rk, NULL);
	rd_kafka_poll_set_consumer(ks->rk);
	ks->queue = rd_kafka_queue_get_consumer(ks->rk);
	if (pipe(fds) != 0)
		ereport(ERROR, (errcode_for_file_access(),
						errmsg("source %s: could not create a pipe: %m",
							   plan->name)));
	ks->pipe_rd = fds[0];
	ks->pipe_wr = fds[1];
	fcntl(fds[0], F_SETFL, O_NONBLOCK);
	fcntl(fds[1], F_SETFL, O_NONBLOCK);
	fcntl(fds[0], F_SETFD, FD_CLOEXEC);
	fcntl(fds[1], F_SETFD, FD_CLOEXEC);
	rd_kafka_queue_io_event_enable(ks->queue, ks->pipe_wr, "1", 1);

	plist = siddhi_conn_option(plan->options, "partition.no.list", NULL);
	if (plist && kafka_split(plist) != NIL)
		kafka_assign_explicit(ks, kafka_split(plist));
	else
	{
		rd_kafka_topic_partition_list_t *subs;
		rd_kafka_resp_err_t err;

		subs = rd_kafka_topic_partition_list_new(list_length(ks->topics));
		foreach(lc, ks->topics)
			rd_kafka_topic_partition_list_add(subs, lfirst(lc),
											  RD_KAFKA_PARTITION_UA);
		err = rd_kafka_subscribe(ks->rk, subs);
		rd_kafka_topic_partition_list_destroy(subs);
		if (err)
			ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
							errmsg("source %s: cannot subscribe: %s",
								   plan->name, rd_kafka_err2str(err))));
		ks->subscribed = true;
	}
	return ks;
}

/* What a rebalance callback left: mark the parts assigned or not. */
static void
kafka_note_assignment(KafkaSource *ks)
{
	rd_kafka_topic_partition_list_t *list = ks->pending_assign;

	ks->rebalanced = false;
	ks->pending_assign = NULL;
	if (ks->pending_kind == 3)
		for (int i = 0; i < ks->nparts; i++)
			ks->parts[i].assigned = false;
	for (int i = 0; list && i < list->cnt; i++)
		kafka_part(ks, list->elems[i].topic, list->elems[i].partition, true)
			->assigned = ks->pending_kind == 1;
	if (list)
		rd_kafka_topic_partition_list_destroy(list);
}

static void
kafka_release_held(KafkaSource *ks)
{
	for (int i = 0; i < ks->nheld; i++)
		rd_kafka_message_destroy(ks->held[i]);
	ks->nheld = 0;
}

/*
 * librdkafka 2.0 stops fetching a partition while the consumer queue is
 * over queued.min.messages or queued.max.messages.kbytes, and decides
 * again only when the partition's broker thread wakes: a response, an op,
 * or its one-second tick.  A consumer slower than the broker, which is
 * what a backlog makes of every consumer, then drains the queue and waits
 * for the rest of that second: the engine sat idle half the time in
 * bench/kafka.sh.  When the queue is below a quarter of its bound, a
 * request for one assigned partition's watermarks (round robin, at most
 * every KAFKA_NUDGE_MS) wakes the broker thread that leads it, which
 * fetches again at once.  The answer is waited for (a round trip to the
 * leader, at most KAFKA_NUDGE_WAIT_MS; after a failure the next waits
 * KAFKA_NUDGE_FAILED_MS, so a leader that is down does not hold the
 * engine), and only while the source is connected.
 * With fetch.queue.backoff.ms (librdkafka 2.1 and later) nothing of this
 * runs.
 */
static void
kafka_nudge(KafkaSource *ks)
{
	TimestampTz now;
	int64 lo;
	int64 hi;

	if (!ks->nudge || !ks->connected || ks->nparts == 0 ||
		rd_kafka_queue_length(ks->queue) >= (size_t) ks->queued_min / 4)
		return;
	now = GetCurrentTimestamp();
	if (now < ks->next_nudge)
		return;
	/*
	 * Nothing to wake when the queue already holds what the broker had at
	 * its last answer: the fetcher is caught up, its fetch waits on the
	 * broker (fetch.wait.max.ms) and the request would wait behind it, a
	 * half second for each poll of a backlog that is all fetched (a
	 * restarted engine catching up 200 records a batch spent 0.5 s each).
	 */
	{
		int64 backlog = 0;

		for (int i = 0; i < ks->nparts; i++)
		{
			KafkaPart *p = &ks->parts[i];

			if (p->assigned && p->next >= 0 &&
				rd_kafka_get_watermark_offsets(ks->rk, p->topic, p->partition,
											   &lo, &hi) ==
					RD_KAFKA_RESP_ERR_NO_ERROR &&
				hi > p->next)
				backlog += hi - p->next;
		}
		if (backlog <= (int64) rd_kafka_queue_length(ks->queue))
			return;
	}
	for (int i = 0; i < ks->nparts; i++)
	{
		KafkaPart *p = &ks->parts[(ks->nudge_next + i) % ks->nparts];

		/*
		 * only a partition the broker has more of, by the watermark of the
		 * last fetch: a caught-up source sends nothing
		 */
		if (!p->assigned || p->next < 0 ||
			rd_kafka_get_watermark_offsets(ks->rk, p->topic, p->partition, &lo,
										   &hi) !=
				RD_KAFKA_RESP_ERR_NO_ERROR ||
			hi <= p->next)
			continue;
		ks->nudge_next = (ks->nudge_next + i + 1) % ks->nparts;
		if (rd_kafka_query_watermark_offsets(ks->rk, p->topic, p->partition,
											 &lo, &hi, KAFKA_NUDGE_WAIT_MS) ==
			RD_KAFKA_RESP_ERR_NO_ERROR)
			ks->next_nudge = TimestampTzPlusMilliseconds(now, KAFKA_NUDGE_MS);
		else
			ks->next_nudge =
				TimestampTzPlusMilliseconds(now, KAFKA_NUDGE_FAILED_MS);
		return;
	}
}

static int
kafka_poll(void *state, SiddhiSourceRecord *records, int max)
{
	KafkaSource *ks = state;
	char drain[64];
	ssize_t got;
	int n = 0;

	kafka_release_held(ks);
	if (max > ks->maxheld)
	{
		ks->held = ks->held
					   ? repalloc(ks->held, sizeof(void *) * max)
					   : MemoryContextAlloc(ks->cxt, sizeof(void *) * max);
		ks->maxheld = max;
	}
	/* the io event fires on empty -> non-empty; read it before consuming */
	while (read(ks->pipe_rd, drain, sizeof(drain)) > 0)
		;
	got = rd_kafka_consume_batch_queue(ks->queue, 0, ks->held, max);
	if (ks->rebalanced)
		kafka_note_assignment(ks);
	if (got < 0)
	{
		snprintf(ks->last_error, sizeof(ks->last_error), "%s",
				 rd_kafka_err2str(rd_kafka_last_error()));
		return 0;
	}
	ks->nheld = (int) got;
	for (int i = 0; i < ks->nheld; i++)
	{
		rd_kafka_message_t *m = ks->held[i];
		KafkaPart *p;
		SiddhiSourceRecord *r;

		if (m->err)
		{
			/* topic missing, partition EOF, fetch errors: a status */
			snprintf(ks->last_error, sizeof(ks->last_error), "%s%s%s",
					 m->rkt ? rd_kafka_topic_name(m->rkt) : "",
					 m->rkt ? ": " : "", rd_kafka_message_errstr(m));
			continue;
		}
		ks->connected = true;
		p = kafka_part(ks, rd_kafka_topic_name(m->rkt), m->partition, true);
		p->next = m->offset + 1;
		r = &records[n++];
		r->data = m->payload;
		r->len = (int) m->len;
		r->key = m->key;
		r->keylen = (int) m->key_len;
		r->timestamp = rd_kafka_message_timestamp(m, NULL);
		r->part = p->part;
		r->next = p->next;
	}
	/* records left behind: keep the descriptor readable */
	if (rd_kafka_queue_length(ks->queue) > 0 && write(ks->pipe_wr, "1", 1) < 0)
		; /* full: readable anyway */
	kafka_nudge(ks);
	return n;
}

/*
 * Everything handed out is committed in Postgres.  Tell the broker's group
 * too when asked (monitoring only, asynchronous, at most once a second).
 */
static void
kafka_committed(void *state)
{
	KafkaSource *ks = state;
	rd_kafka_topic_partition_list_t *list;
	TimestampTz now;

	if (!ks->broker_commit)
		return;
	now = GetCurrentTimestamp();
	if (!TimestampDifferenceExceeds(ks->last_broker_commit, now,
									KAFKA_BROKER_COMMIT_MS))
		return;
	ks->last_broker_commit = now;
	list = rd_kafka_topic_partition_list_new(ks->nparts);
	for (int i = 0; i < ks->nparts; i++)
	{
		KafkaPart *p = &ks->parts[i];

		if (p->next >= 0 && p->next != p->broker)
		{
			rd_kafka_topic_partition_list_add(list, p->topic, p->partition)
				->offset = p->next;
			p->broker = p->next;
		}
	}
	if (list->cnt > 0)
		(void) rd_kafka_commit(ks->rk, list, 1);
	rd_kafka_topic_partition_list_destroy(list);
}

static int
kafka_wait_fd(void *state)
{
	return ((KafkaSource *) state)->pipe_rd;
}

static void
kafka_status(void *state, SiddhiSourceStatus *status)
{
	KafkaSource *ks = state;
	int assigned = 0;
	int64 lag = 0;
	bool lag_known = false;

	for (int i = 0; i < ks->nparts; i++)
	{
		KafkaPart *p = &ks->parts[i];
		int64 lo;
		int64 hi;

		if (!p->assigned)
			continue;
		assigned++;
		/* nothing read yet: where it is depends on auto.offset.reset */
		if (p->next < 0)
			continue;
		if (rd_kafka_get_watermark_offsets(ks->rk, p->topic, p->partition, &lo,
										   &hi) ==
				RD_KAFKA_RESP_ERR_NO_ERROR &&
			hi >= 0)
		{
			lag += Max(hi - p->next, 0);
			lag_known = true;
		}
	}
	status->connected = ks->connected;
	status->lag = lag_known ? lag : -1;
	snprintf(status->detail, sizeof(status->detail),
			 "%d partition%s assigned%s", assigned, assigned == 1 ? "" : "s",
			 ks->subscribed ? " by the group" : "");
	snprintf(status->last_error, sizeof(status->last_error), "%s",
			 ks->last_error);
}

/*
 * Disconnect.  A subscribed consumer leaves its group (bounded: a broker
 * that is down does not hold the engine); then librdkafka's threads end.
 */
static void
kafka_stop(void *state)
{
	KafkaSource *ks = state;
	rd_kafka_t *rk = ks->rk;

	if (rk == NULL)
		return;
	ks->rk = NULL;
	kafka_release_held(ks);
	if (ks->pending_assign)
		rd_kafka_topic_partition_list_destroy(ks->pending_assign);
	ks->pending_assign = NULL;
	if (ks->subscribed && ks->connected)
	{
		rd_kafka_queue_t *q = rd_kafka_queue_new(rk);
		rd_kafka_error_t *e = rd_kafka_consumer_close_queue(rk, q);

		if (e)
			rd_kafka_error_destroy(e);
		else
		{
			/* serve the close's rebalance until done, at most ~3 s */
			for (int i = 0; i < 30 && !rd_kafka_consumer_closed(rk); i++)
			{
				rd_kafka_event_t *ev = rd_kafka_queue_poll(q, 100);

				if (ev == NULL)
					continue;
				if (rd_kafka_event_type(ev) == RD_KAFKA_EVENT_REBALANCE)
					rd_kafka_assign(rk, NULL);
				rd_kafka_event_destroy(ev);
			}
		}
		rd_kafka_queue_destroy(q);
	}
	rd_kafka_queue_io_event_enable(ks->queue, -1, NULL, 0);
	rd_kafka_queue_destroy(ks->queue);
	rd_kafka_destroy_flags(rk, RD_KAFKA_DESTROY_F_NO_CONSUMER_CLOSE);
	if (ks->pipe_rd >= 0)
		close(ks->pipe_rd);
	if (ks->pipe_wr >= 0)
		close(ks->pipe_wr);
	ks->pipe_rd = ks->pipe_wr = -1;
}

const SiddhiSourceOps siddhi_kafka_source_ops = {
	.type = "kafka",
	.start = kafka_start,
	.poll = kafka_poll,
	.committed = kafka_committed,
	.wait_fd = kafka_wait_fd,
	.status = kafka_status,
	.stop = kafka_stop,
};
