/*-------------------------------------------------------------------------
 *
 * sink_local.c
 *	  Sinks that stay inside the server: log (the server log) and notify
 *	  (pg_notify to LISTEN clients).
 *
 * Both are clients of the delivery loop (sink.c) like Kafka's: events reach
 * them from the sink's outbox, after the batch that made them committed,
 * so a batch that rolls back never logs or notifies anything.
 *
 * notify: send() queues the row's payload with Async_Notify() in the
 * delivery loop's own transaction; the notifications go out when that
 * transaction commits, and only then are the rows acknowledged (a
 * transaction callback sees the commit or the abort).  An abort (the
 * notification queue full, say) reports the rows failed: the delivery loop
 * backs off and sends them again.  A payload PostgreSQL cannot carry (8000
 * bytes and more) is logged and counted, never retried for ever.
 *
 * log: send() writes one line to the server log at once and acknowledges
 * the row; a crash before the outbox delete logs it again (at least once).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "commands/async.h"
#include "siddhi/sink.h"

/* PostgreSQL's own bound on a notification payload (async.c) */
#define NOTIFY_MAX_PAYLOAD (BLCKSZ - NAMEDATALEN - 128)

/* at most this many rows in flight per sink (sink.c keeps to it) */
#define LOCAL_MAX_ROWS 10000

typedef struct LocalSink
{
	bool notify;
	char *channel; /* notify */
	char *prefix;  /* log */
	int elevel;	   /* log; 0: priority OFF */
	/* rows sent in the open transaction (notify), and their fate */
	int64 *pending;
	int npending;
	int64 *acked;
	int nacked;
	int64 *failed;
	int nfailed;
	/* acknowledged rows that were dropped (too long to notify) */
	int64 *dropseq;
	int ndrop;
	int dropped_last; /* of them, in the last poll */
	char last_error[256];
} LocalSink;

static void
local_xact_callback(XactEvent event, void *arg)
{
	LocalSink *ls = arg;

	if (ls->npending == 0)
		return;
	if (event == XACT_EVENT_COMMIT)
	{
		memcpy(ls->acked + ls->nacked, ls->pending,
			   sizeof(int64) * ls->npending);
		ls->nacked += ls->npending;
		ls->npending = 0;
	}
	else if (event == XACT_EVENT_ABORT)
	{
		memcpy(ls->failed + ls->nfailed, ls->pending,
			   sizeof(int64) * ls->npending);
		ls->nfailed += ls->npending;
		ls->npending = 0;
		strlcpy(ls->last_error,
				"the transaction that notified aborted; sending again",
				sizeof(ls->last_error));
	}
}

static void *
local_start(const SiddhiSinkPlan *plan, const char *app, int wake_fd,
			char **error)
{
	LocalSink *ls = palloc0(sizeof(LocalSink));

	*error = NULL;
	ls->notify = pg_strcasecmp(plan->type, "notify") == 0;
	ls->pending = palloc(sizeof(int64) * LOCAL_MAX_ROWS);
	ls->acked = palloc(sizeof(int64) * LOCAL_MAX_ROWS);
	ls->failed = palloc(sizeof(int64) * LOCAL_MAX_ROWS);
	ls->dropseq = palloc(sizeof(int64) * LOCAL_MAX_ROWS);
	if (ls->notify)
	{
		ls->channel =
			pstrdup(siddhi_conn_option(plan->options, "channel", ""));
		RegisterXactCallback(local_xact_callback, ls);
	}
	else
	{
		const char *prefix = siddhi_conn_option(plan->options, "prefix", NULL);

		/* checked at deploy; INFO if not */
		if (!siddhi_log_priority_level(
				siddhi_conn_option(plan->options, "priority", "INFO"),
				&ls->elevel))
			ls->elevel = LOG;
		ls->prefix = prefix ? pstrdup(prefix)
							: psprintf("%s : %s", app, plan->stream->name);
	}
	return ls;
}

static bool
local_send(void *state, const SiddhiOutboxRow *row, char **error)
{
	LocalSink *ls = state;
	char *payload;

	*error = NULL;
	if (ls->npending + ls->nacked + ls->nfailed >= LOCAL_MAX_ROWS ||
		ls->ndrop >= LOCAL_MAX_ROWS)
		return false;
	payload = pnstrdup(row->payload, row->len);
	if (!ls->notify)
	{
		if (ls->elevel != 0)
			ereport(ls->elevel, (errmsg("%s : %s", ls->prefix, payload),
								 errhidestmt(true), errhidecontext(true)));
		ls->acked[ls->nacked++] = row->seq;
	}
	else if (row->len >= NOTIFY_MAX_PAYLOAD || strlen(payload) != row->len)
	{
		/* PostgreSQL cannot carry it: say so, and do not retry for ever */
		ereport(LOG, (errmsg("notify sink on channel \"%s\" dropped an "
							 "event: its payload is %d bytes",
							 ls->channel, row->len),
					  errdetail("A notification payload must be shorter "
								"than %d bytes and contain no zero byte.",
								NOTIFY_MAX_PAYLOAD)));
		snprintf(ls->last_error, sizeof(ls->last_error),
				 "dropped an event of %d bytes (too long to notify)",
				 row->len);
		ls->dropseq[ls->ndrop++] = row->seq;
		ls->acked[ls->nacked++] = row->seq;
	}
	else
	{
		Async_Notify(ls->channel, payload);
		ls->pending[ls->npending++] = row->seq;
	}
	pfree(payload);
	return true;
}

static void
local_poll(void *state, int64 *acked, int *nacked, int64 *failed, int *nfailed,
		   int max)
{
	LocalSink *ls = state;
	int n;

	n = Min(ls->nacked, max);
	memcpy(acked, ls->acked, sizeof(int64) * n);
	/* which of them were dropped (rare: a short list) */
	ls->dropped_last = 0;
	for (int i = 0; i < n && ls->ndrop > 0; i++)
		for (int j = 0; j < ls->ndrop; j++)
			if (ls->dropseq[j] == acked[i])
			{
				ls->dropseq[j] = ls->dropseq[--ls->ndrop];
				ls->dropped_last++;
				break;
			}
	memmove(ls->acked, ls->acked + n, sizeof(int64) * (ls->nacked - n));
	ls->nacked -= n;
	*nacked = n;
	n = Min(ls->nfailed, max - *nacked);
	memcpy(failed, ls->failed, sizeof(int64) * n);
	memmove(ls->failed, ls->failed + n, sizeof(int64) * (ls->nfailed - n));
	ls->nfailed -= n;
	*nfailed = n;
}

static void
local_status(void *state, char *error, int errlen, bool *connected,
			 bool *broken)
{
	LocalSink *ls = state;

	strlcpy(error, ls->last_error, errlen);
	ls->last_error[0] = '\0';
	*connected = true;
	*broken = false;
}

static void
local_stop(void *state)
{
	LocalSink *ls = state;

	if (ls->notify)
		UnregisterXactCallback(local_xact_callback, ls);
}

static int
local_dropped(void *state)
{
	return ((LocalSink *) state)->dropped_last;
}

const SiddhiSinkOps siddhi_log_sink_ops = {
	.type = "log",
	.start = local_start,
	.send = local_send,
	.poll = local_poll,
	.status = local_status,
	.stop = local_stop,
	.dropped = local_dropped,
};

const SiddhiSinkOps siddhi_notify_sink_ops = {
	.type = "notify",
	.start = local_start,
	.send = local_send,
	.poll = local_poll,
	.status = local_status,
	.stop = local_stop,
	.dropped = local_dropped,
};
