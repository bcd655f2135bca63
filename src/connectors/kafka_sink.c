/*-------------------------------------------------------------------------
 *
 * kafka_sink.c
 *	  The Kafka sink's client: librdkafka's idempotent producer.
 *
 * The delivery loop (sink.c) hands it outbox rows; librdkafka sends them
 * from its own threads and reports each message's fate on its main queue.
 * Nothing here runs on those threads: the delivery report callback and
 * the error callback run inside rd_kafka_poll(), called by the engine's
 * own thread, and they only copy numbers and text into preallocated
 * memory (no palloc, no ereport: an ERROR must never unwind through
 * librdkafka's stack).  The main queue writes a byte to the engine's wake
 * pipe when reports arrive, so the engine does not sleep through them.
 *
 * Settings: enable.idempotence = true and acks = all (a message the broker
 * acknowledged is on all in-sync replicas, and librdkafka's own retries
 * never duplicate or reorder within a partition); linger.ms = 5;
 * optional.configuration may set any other librdkafka property (and
 * override these, at the user's risk).  librdkafka keeps retrying a
 * message until message.timeout.ms (default 300 s); only then does it
 * report a failure, and the delivery loop sends the row again later.
 *
 * Its threads are created with every signal blocked, so PostgreSQL's
 * handlers (SIGTERM, SIGUSR1, SIGURG of the latch) always run on the
 * engine's thread.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <fcntl.h>
#include <pthread.h>
#include <signal.h>

#include <librdkafka/rdkafka.h>

#include "siddhi/sink.h"

/* at most this many messages in flight per sink (sink.c keeps to it) */
#define KAFKA_MAX_REPORTS 10000

typedef struct KafkaSink
{
	rd_kafka_t *rk;
	char *topic;
	/* filled by the delivery report callback during one poll */
	int64 *acked;
	int nacked;
	int64 *failed;
	int nfailed;
	int max;
	bool connected;
	bool fatal;
	char last_error[256];
} KafkaSink;

static void
kafka_dr_cb(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque)
{
	KafkaSink *ks = opaque;
	int64 seq = (int64) (intptr_t) m->_private;

	if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR)
	{
		ks->connected = true;
		if (ks->nacked < ks->max)
			ks->acked[ks->nacked++] = seq;
	}
	else
	{
		snprintf(ks->last_error, sizeof(ks->last_error), "%s",
				 rd_kafka_err2str(m->err));
		if (ks->nfailed < ks->max)
			ks->failed[ks->nfailed++] = seq;
	}
}

static void
kafka_error_cb(rd_kafka_t *rk, int err, const char *reason, void *opaque)
{
	KafkaSink *ks = opaque;

	snprintf(ks->last_error, sizeof(ks->last_error), "%s", reason);
	if (err == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN ||
		err == RD_KAFKA_RESP_ERR__TRANSPORT ||
		err == RD_KAFKA_RESP_ERR__RESOLVE)
		ks->connected = false;
	if (err == RD_KAFKA_RESP_ERR__FATAL)
	{
		char buf[256];

		ks->fatal = true;
		if (rd_kafka_fatal_error(rk, buf, sizeof(buf)))
			snprintf(ks->last_error, sizeof(ks->last_error), "fatal: %s", buf);
	}
}

/* librdkafka logs through PostgreSQL's log?  Never: its threads log. */
static void
kafka_log_cb(const rd_kafka_t *rk, int level, const char *fac, const char *buf)
{
}

static bool
conf_set(rd_kafka_conf_t *conf, const char *key, const char *value,
		 char **error)
{
	char errstr[512];

	if (rd_kafka_conf_set(conf, key, value, errstr, sizeof(errstr)) !=
		RD_KAFKA_CONF_OK)
	{
		*error = psprintf("kafka setting \"%s\": %s", key, errstr);
		return false;
	}
	return true;
}

static void *
kafka_start(const SiddhiSinkPlan *plan, const char *app, int wake_fd,
			char **error)
{
	KafkaSink *ks = palloc0(sizeof(KafkaSink));
	rd_kafka_conf_t *conf = rd_kafka_conf_new();
	const char *opt;
	char errstr[512];
	sigset_t all, old;
	rd_kafka_queue_t *q;

	*error = NULL;
	ks->topic = pstrdup(siddhi_conn_option(plan->options, "topic", ""));
	ks->max = 0; /* kafka_poll gives the arrays */
	ks->connected = false;

	if (!conf_set(conf, "bootstrap.servers",
				  siddhi_conn_option(plan->options, "bootstrap.servers", ""),
				  error) ||
		!conf_set(conf, "enable.idempotence", "true", error) ||
		!conf_set(conf, "acks", "all", error) ||
		!conf_set(conf, "linger.ms", "5", error) ||
		!conf_set(conf, "client.id", psprintf("siddhi-%s", app), error))
		goto fail;
	opt = siddhi_conn_option(plan->options, "optional.configuration", NULL);
	if (opt)
	{
		char *copy = pstrdup(opt);
		char *save = NULL;

		for (char *item = strtok_r(copy, ",", &save); item;
			 item = strtok_r(NULL, ",", &save))
		{
			char *colon = strchr(item, ':');

			if (colon == NULL)
				continue; /* refused at deploy */
			*colon = '\0';
			while (*item == ' ')
				item++;
			if (!conf_set(conf, item, colon + 1, error))
				goto fail;
		}
	}
	rd_kafka_conf_set_opaque(conf, ks);
	rd_kafka_conf_set_dr_msg_cb(conf, kafka_dr_cb);
	rd_kafka_conf_set_error_cb(conf, kafka_error_cb);
	rd_kafka_conf_set_log_cb(conf, kafka_log_cb);

	/* its threads inherit this mask: no PostgreSQL handler runs on them */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	ks->rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr));
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (ks->rk == NULL)
	{
		*error = psprintf("could not create a kafka producer: %s", errstr);
		return NULL; /* rd_kafka_new failed: conf is still ours */
	}
	if (wake_fd >= 0)
	{
		q = rd_kafka_queue_get_main(ks->rk);
		rd_kafka_queue_io_event_enable(q, wake_fd, "1", 1);
		rd_kafka_queue_destroy(q);
	}
	return ks;

fail:
	rd_kafka_conf_destroy(conf);
	return NULL;
}

static bool
kafka_send(void *state, const SiddhiOutboxRow *row, char **error)
{
	KafkaSink *ks = state;
	rd_kafka_resp_err_t err;

	*error = NULL;
	err = rd_kafka_producev(
		ks->rk, RD_KAFKA_V_TOPIC(row->topic ? row->topic : ks->topic),
		RD_KAFKA_V_PARTITION(row->partition >= 0 ? row->partition
												 : RD_KAFKA_PARTITION_UA),
		RD_KAFKA_V_KEY((void *) row->key, (size_t) row->keylen),
		RD_KAFKA_V_VALUE((void *) row->payload, (size_t) row->len),
		RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
		RD_KAFKA_V_OPAQUE((void *) (intptr_t) row->seq), RD_KAFKA_V_END);
	if (err == RD_KAFKA_RESP_ERR_NO_ERROR)
		return true;
	if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL)
		*error = pstrdup(rd_kafka_err2str(err));
	return false;
}

static void
kafka_poll(void *state, int64 *acked, int *nacked, int64 *failed, int *nfailed,
		   int max)
{
	KafkaSink *ks = state;

	ks->nacked = ks->nfailed = 0;
	ks->max = Min(max, KAFKA_MAX_REPORTS);
	ks->acked = acked;
	ks->failed = failed;
	rd_kafka_poll(ks->rk, 0);
	*nacked = ks->nacked;
	*nfailed = ks->nfailed;
}

static void
kafka_status(void *state, char *error, int errlen, bool *connected,
			 bool *broken)
{
	KafkaSink *ks = state;

	strlcpy(error, ks->last_error, errlen);
	*connected = ks->connected;
	*broken = ks->fatal;
}

static void
kafka_stop(void *state)
{
	KafkaSink *ks = state;
	rd_kafka_queue_t *q;

	if (ks->rk == NULL)
		return;
	/* what is in flight stays in the outbox: sent again by the next start */
	rd_kafka_purge(ks->rk, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT |
							   RD_KAFKA_PURGE_F_NON_BLOCKING);
	q = rd_kafka_queue_get_main(ks->rk);
	rd_kafka_queue_io_event_enable(q, -1, NULL, 0);
	rd_kafka_queue_destroy(q);
	ks->max = 0; /* reports of purged messages are dropped */
	rd_kafka_poll(ks->rk, 0);
	rd_kafka_destroy(ks->rk);
	ks->rk = NULL;
}

const SiddhiSinkOps siddhi_kafka_sink_ops = {
	.type = "kafka",
	.start = kafka_start,
	.send = kafka_send,
	.poll = kafka_poll,
	.status = kafka_status,
	.stop = kafka_stop,
};
