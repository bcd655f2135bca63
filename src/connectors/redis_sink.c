/*-------------------------------------------------------------------------
 *
 * redis_sink.c
 *	  The Redis sink's client: hiredis, non-blocking, pipelined.
 *
 * The delivery loop (sink.c) hands it outbox rows; each becomes one
 * command appended to the connection's output buffer:
 *
 *	 mode = 'publish'  PUBLISH <channel> <payload>
 *	 mode = 'set'	   SET <key> <payload> [EX <ttl>]
 *	 mode = 'hset'	   HSET <key> <field> <payload>
 *	 mode = 'xadd'	   XADD <key> [MAXLEN ~ <maxlen>] * <field> <payload>
 *	 mode = 'lpush'/'rpush'  LPUSH/RPUSH <key> <payload>
 *
 * <key> is the sink's key template ('orders:{{id}}'), rendered per event.
 * poll() writes what the socket takes and reads what has arrived, without
 * blocking; Redis answers a connection's commands in order, so the n-th
 * reply belongs to the n-th command sent (a FIFO of seqs here).  A reply
 * that is not an error acknowledges its row; an error reply (WRONGTYPE, a
 * read-only replica) fails it and the delivery loop sends it again after a
 * backoff; a broken connection fails everything in flight and makes the
 * loop start a new client after its backoff (reconnect).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <poll.h>

#include <hiredis/hiredis.h>

#include "siddhi/sink.h"

/* at most this many commands in flight per sink */
#define REDIS_MAX_IN_FLIGHT 10000

typedef enum RedisMode
{
	REDIS_PUBLISH,
	REDIS_SET,
	REDIS_HSET,
	REDIS_XADD,
	REDIS_LPUSH,
	REDIS_RPUSH
} RedisMode;

typedef struct RedisSink
{
	redisContext *c;
	RedisMode mode;
	char *channel; /* publish */
	char *key;	   /* static key when the row has none */
	char *field;   /* hset, xadd */
	char *ttl;	   /* set: seconds, or NULL */
	char *maxlen;  /* xadd, or NULL */
	/* seqs of the commands sent, in order; -1 for our own (AUTH, SELECT) */
	int64 *fifo;
	int head, count;
	int64 *acked;
	int nacked;
	int64 *failed;
	int nfailed;
	bool connected;
	bool broken;
	char last_error[256];
} RedisSink;

static void
fifo_push(RedisSink *rs, int64 seq)
{
	rs->fifo[(rs->head + rs->count) % (REDIS_MAX_IN_FLIGHT + 2)] = seq;
	rs->count++;
}

static int64
fifo_pop(RedisSink *rs)
{
	int64 seq = rs->fifo[rs->head];

	rs->head = (rs->head + 1) % (REDIS_MAX_IN_FLIGHT + 2);
	rs->count--;
	return seq;
}

static void
append_own(RedisSink *rs, int argc, const char **argv)
{
	size_t lens[4];

	for (int i = 0; i < argc; i++)
		lens[i] = strlen(argv[i]);
	redisAppendCommandArgv(rs->c, argc, argv, lens);
	fifo_push(rs, -1);
}

static void *
redis_start(const SiddhiSinkPlan *plan, const char *app, int wake_fd,
			char **error)
{
	RedisSink *rs = palloc0(sizeof(RedisSink));
	const char *host = siddhi_conn_option(plan->options, "host", "127.0.0.1");
	int port = atoi(siddhi_conn_option(plan->options, "port", "6379"));
	const char *mode = siddhi_conn_option(plan->options, "mode", "publish");
	const char *password = siddhi_conn_option(plan->options, "password", NULL);
	const char *db = siddhi_conn_option(plan->options, "db", NULL);

	*error = NULL;
	rs->mode = pg_strcasecmp(mode, "set") == 0	   ? REDIS_SET
			   : pg_strcasecmp(mode, "hset") == 0  ? REDIS_HSET
			   : pg_strcasecmp(mode, "xadd") == 0  ? REDIS_XADD
			   : pg_strcasecmp(mode, "lpush") == 0 ? REDIS_LPUSH
			   : pg_strcasecmp(mode, "rpush") == 0 ? REDIS_RPUSH
												   : REDIS_PUBLISH;
	rs->channel = pstrdup(siddhi_conn_option(plan->options, "channel", ""));
	rs->key = pstrdup(siddhi_conn_option(plan->options, "key", ""));
	rs->field = pstrdup(siddhi_conn_option(plan->options, "field", "payload"));
	rs->ttl = (char *) siddhi_conn_option(plan->options, "ttl", NULL);
	rs->maxlen = (char *) siddhi_conn_option(plan->options, "maxlen", NULL);
	rs->fifo = palloc(sizeof(int64) * (REDIS_MAX_IN_FLIGHT + 2));
	rs->acked = palloc(sizeof(int64) * (REDIS_MAX_IN_FLIGHT + 2));
	rs->failed = palloc(sizeof(int64) * (REDIS_MAX_IN_FLIGHT + 2));
	rs->c = redisConnectNonBlock(host, port);
	if (rs->c == NULL || rs->c->err)
	{
		*error = psprintf("could not connect to redis at %s:%d: %s", host,
						  port, rs->c ? rs->c->errstr : "out of memory");
		if (rs->c)
			redisFree(rs->c);
		return NULL;
	}
	if (password)
		append_own(rs, 2, (const char *[]){ "AUTH", password });
	if (db)
		append_own(rs, 2, (const char *[]){ "SELECT", db });
	return rs;
}

static bool
redis_send(void *state, const SiddhiOutboxRow *row, char **error)
{
	RedisSink *rs = state;
	const char *argv[8];
	size_t lens[8];
	int argc = 0;
	char *key;

	*error = NULL;
	if (rs->broken ||
		rs->count + rs->nacked + rs->nfailed >= REDIS_MAX_IN_FLIGHT)
		return false;
	key = row->key ? pnstrdup(row->key, row->keylen) : rs->key;
#define ARG(s, l) (argv[argc] = (s), lens[argc++] = (l))
	switch (rs->mode)
	{
		case REDIS_PUBLISH:
			ARG("PUBLISH", 7);
			ARG(rs->channel, strlen(rs->channel));
			break;
		case REDIS_SET:
			ARG("SET", 3);
			ARG(key, strlen(key));
			break;
		case REDIS_HSET:
			ARG("HSET", 4);
			ARG(key, strlen(key));
			ARG(rs->field, strlen(rs->field));
			break;
		case REDIS_XADD:
			ARG("XADD", 4);
			ARG(key, strlen(key));
			if (rs->maxlen)
			{
				ARG("MAXLEN", 6);
				ARG("~", 1);
				ARG(rs->maxlen, strlen(rs->maxlen));
			}
			ARG("*", 1);
			ARG(rs->field, strlen(rs->field));
			break;
		case REDIS_LPUSH:
		case REDIS_RPUSH:
			ARG(rs->mode == REDIS_LPUSH ? "LPUSH" : "RPUSH", 5);
			ARG(key, strlen(key));
			break;
	}
	ARG(row->payload, (size_t) row->len);
	if (rs->mode == REDIS_SET && rs->ttl)
	{
		ARG("EX", 2);
		ARG(rs->ttl, strlen(rs->ttl));
	}
#undef ARG
	if (redisAppendCommandArgv(rs->c, argc, argv, lens) != REDIS_OK)
	{
		rs->broken = true;
		return false;
	}
	fifo_push(rs, row->seq);
	if (key != rs->key)
		pfree(key);
	return true;
}

/* The connection broke: everything in flight failed. */
static void
redis_broke(RedisSink *rs)
{
	snprintf(rs->last_error, sizeof(rs->last_error), "%s",
			 rs->c->errstr[0] ? rs->c->errstr : "connection lost");
	while (rs->count > 0)
	{
		int64 seq = fifo_pop(rs);

		if (seq >= 0)
			rs->failed[rs->nfailed++] = seq;
	}
	rs->broken = true;
	rs->connected = false;
}

static void
redis_poll(void *state, int64 *acked, int *nacked, int64 *failed, int *nfailed,
		   int max)
{
	RedisSink *rs = state;
	int done = 0;
	void *reply;

	rs->nacked = rs->nfailed = 0;
	if (!rs->broken && redisBufferWrite(rs->c, &done) != REDIS_OK)
		redis_broke(rs);
	if (!rs->broken && rs->count > 0)
	{
		/* give the replies a moment (2 ms at most) before reading */
		struct pollfd pfd = { rs->c->fd, POLLIN | (done ? 0 : POLLOUT), 0 };

		(void) poll(&pfd, 1, 2);
		if (!done && redisBufferWrite(rs->c, &done) != REDIS_OK)
			redis_broke(rs);
		else if (redisBufferRead(rs->c) != REDIS_OK)
			redis_broke(rs);
	}
	while (!rs->broken && rs->count > 0 && rs->nacked + rs->nfailed < max)
	{
		redisReply *r;
		int64 seq;

		if (redisGetReplyFromReader(rs->c, &reply) != REDIS_OK)
		{
			redis_broke(rs);
			break;
		}
		if (reply == NULL)
			break;
		r = reply;
		seq = fifo_pop(rs);
		if (r->type == REDIS_REPLY_ERROR)
		{
			snprintf(rs->last_error, sizeof(rs->last_error), "redis: %s",
					 r->str);
			if (seq >= 0)
				rs->failed[rs->nfailed++] = seq;
			else
				rs->broken = true; /* AUTH or SELECT refused */
		}
		else
		{
			rs->connected = true;
			if (seq >= 0)
				rs->acked[rs->nacked++] = seq;
		}
		freeReplyObject(reply);
	}
	memcpy(acked, rs->acked, sizeof(int64) * rs->nacked);
	memcpy(failed, rs->failed, sizeof(int64) * rs->nfailed);
	*nacked = rs->nacked;
	*nfailed = rs->nfailed;
}

static void
redis_status(void *state, char *error, int errlen, bool *connected,
			 bool *broken)
{
	RedisSink *rs = state;

	strlcpy(error, rs->last_error, errlen);
	rs->last_error[0] = '\0';
	*connected = rs->connected;
	*broken = rs->broken && rs->count == 0;
}

static void
redis_stop(void *state)
{
	RedisSink *rs = state;

	redisFree(rs->c);
	rs->c = NULL;
}

const SiddhiSinkOps siddhi_redis_sink_ops = {
	.type = "redis",
	.start = redis_start,
	.send = redis_send,
	.poll = redis_poll,
	.status = redis_status,
	.stop = redis_stop,
};
