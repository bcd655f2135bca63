/*-------------------------------------------------------------------------
 *
 * sink.c
 *	  The sink framework: stream hook, outbox writes, the delivery loop.
 *
 * A sink's life in the engine worker:
 *
 *	 app load ─► siddhi_sinks_start: mapper, templates, outbox count, client
 *	 batch	   ─► hook: each current event of the stream is copied (expired
 *				  events are not sent: Siddhi's sinks get current events)
 *			   ─► batch end: encoded as the app's owner (mapper, key/topic
 *				  templates) and written to the outbox in one statement,
 *				  in the batch's transaction
 *	 commit	   ─► the rows count as queued
 *	 each turn ─► siddhi_sinks_deliver: reports served (client poll), the
 *				  acknowledged rows deleted and the next rows read in one
 *				  short transaction, handed to the client
 *	 app stop  ─► client stopped; what it had in flight stays in the outbox
 *
 * Bound: outbox.max.events rows per sink (queued plus this batch's).  An
 * event beyond it takes the sink's on.error: LOG (Siddhi's default: drop
 * it, counted, a log line per siddhi.error_log_interval), WAIT (keep it;
 * the engine takes no new input while the outbox is full, see
 * siddhi_sinks_blocked), STREAM (to the stream's fault stream !S, with
 * _error).
 *
 * Failures: a client that cannot start, a row the client refuses, a
 * delivery the library gave up on, an error in the delivery transaction:
 * logged (rate limited), shown in siddhi.sinks, retried after a backoff
 * doubling from 100 ms up to 30 s.  The rows stay in the outbox until
 * acknowledged, whatever happens to the worker.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <fcntl.h>
#include <unistd.h>

#include "access/htup_details.h"
#include "access/relation.h"
#include "access/xact.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "executor/tuptable.h"
#include "miscadmin.h"
#include "common/pg_prng.h"
#include "siddhi/batch.h"
#include "siddhi/depend.h"
#include "siddhi/errors.h"
#include "siddhi/ipc.h"
#include "siddhi/sink.h"
#include "siddhi/source_runtime.h"
#include "siddhi/usercode.h"
#include "utils/builtins.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"

#include "outbox.h"

/* messages in flight per sink, and rows read per delivery transaction */
#define SINK_MAX_IN_FLIGHT 10000
#define SINK_READ_ROWS 5000
#define SINK_DELETE_ROWS 1000
#define SINK_BACKOFF_MIN_MS 100
#define SINK_BACKOFF_MAX_MS 30000
#define SINK_DEFAULT_MAX_EVENTS 1000000

typedef enum SinkOnError
{
	SINK_ON_ERROR_LOG,
	SINK_ON_ERROR_WAIT,
	SINK_ON_ERROR_STREAM
} SinkOnError;

typedef struct Sink
{
	SiddhiSinkPlan *plan;
	SiddhiAppRuntime *rt;
	char *app;
	Oid owner;
	char *qname; /* the outbox table, qualified */
	MemoryContext cxt;

	/* encoding */
	SiddhiMapper *mapper;
	SiddhiTemplate *key;	   /* or NULL */
	SiddhiTemplate *topic;	   /* dynamic topics only, else NULL */
	SiddhiTemplate *partition; /* or NULL */
	TupleTableSlot *slot;
	StringInfoData encbuf; /* one event's bytes, reused */

	SinkOnError on_error;
	int64 max_events;
	Oid fault_relid; /* on.error STREAM */
	TupleDesc fault_desc;
	uint32 fault_sig;

	/* this batch: events copied by the hook, fault events to feed */
	MemoryContext buf_cxt;
	MinimalTuple *events;
	int nevents;
	int cap;
	List *faults; /* of char * chunks (one row each) */
	bool dirty;

	/* the outbox */
	int64 queued;		 /* committed rows */
	int64 batch_rows;	 /* written by the open transaction */
	int64 committed_seq; /* the highest committed seq */
	int64 next_seq;		 /* the last seq given out */
	int64 read_upto;	 /* the highest seq handed to the client */

	/* delivery */
	const SiddhiSinkOps *ops;
	void *client;
	int in_flight;
	int64 *acked; /* waiting to be deleted */
	int nacked;
	int64 *reports; /* scratch for poll */
	int64 *fails;
	int64 rewind_to; /* the lowest failed seq since the last rewind, or 0 */
	TimestampTz retry_at;
	int backoff_ms;
	SiddhiSinkStats *stats;
	SiddhiErrorLog errlog;
} Sink;

static List *sinks = NIL; /* of Sink *, in TopMemoryContext */
static bool callbacks_done = false;
static int wake_pipe[2] = { -1, -1 };

static void sinks_batch_end(void);

/* Log a sink's error, at most once per siddhi.error_log_interval. */
static void
sink_log(Sink *s, const char *what, const char *error)
{
	int64 unlogged;

	siddhi_sink_stats_error(s->stats, error);
	if (siddhi_error_log_due(&s->errlog, &unlogged))
		ereport(LOG, (errcode(ERRCODE_SIDDHI_RUNTIME_ERROR),
					  errmsg("siddhi app \"%s\", sink \"%s\": %s: %s", s->app,
							 s->plan->name, what, error),
					  siddhi_errdetail_unlogged(unlogged)));
}

static void
sink_backoff(Sink *s)
{
	s->backoff_ms = s->backoff_ms == 0
						? SINK_BACKOFF_MIN_MS
						: Min(s->backoff_ms * 2, SINK_BACKOFF_MAX_MS);
	/* full jitter over the upper half: sinks that failed together spread */
	s->retry_at = TimestampTzPlusMilliseconds(
		GetCurrentTimestamp(),
		s->backoff_ms / 2 + (int) pg_prng_uint64_range(&pg_global_prng_state,
													   0, s->backoff_ms / 2));
}

static void
sinks_xact_callback(XactEvent event, void *arg)
{
	ListCell *lc;

	if (event != XACT_EVENT_COMMIT && event != XACT_EVENT_ABORT)
		return;
	foreach(lc, sinks)
	{
		Sink *s = lfirst(lc);

		if (event == XACT_EVENT_COMMIT)
		{
			s->queued += s->batch_rows;
			s->committed_seq = s->next_seq;
		}
		else
			s->next_seq = s->committed_seq;
		s->batch_rows = 0;
		if (s->dirty)
		{
			/* a batch that failed before its end: its events go with it */
			MemoryContextReset(s->buf_cxt);
			s->events = NULL;
			s->nevents = s->cap = 0;
			s->faults = NIL;
			s->dirty = false;
		}
		siddhi_sink_stats_set(s->stats, s->queued, s->in_flight);
	}
}

static void
wake_pipe_init(void)
{
	if (wake_pipe[0] >= 0)
		return;
	if (pipe(wake_pipe) != 0)
	{
		wake_pipe[0] = wake_pipe[1] = -1;
		return;
	}
	for (int i = 0; i < 2; i++)
	{
		fcntl(wake_pipe[i], F_SETFL, O_NONBLOCK);
		fcntl(wake_pipe[i], F_SETFD, FD_CLOEXEC);
	}
}

int
siddhi_sinks_wait_fd(void)
{
	return sinks != NIL ? wake_pipe[0] : -1;
}

static int64
option_int(Sink *s, const char *key, int64 def)
{
	const char *v = siddhi_conn_option(s->plan->options, key, NULL);

	return v ? pg_strtoint64(v) : def;
}

/* The hook: every event the stream gets, in the batch. */
static void
sink_hook(void *arg, TupleTableSlot *slot, int64 ts, bool expired)
{
	Sink *s = arg;
	MemoryContext old;

	if (expired)
		return;
	if (s->queued + s->batch_rows + s->nevents >= s->max_events &&
		s->on_error != SINK_ON_ERROR_WAIT)
	{
		char *why = psprintf("the outbox holds %lld events, its bound "
							 "(outbox.max.events)",
							 (long long) s->max_events);

		if (s->on_error == SINK_ON_ERROR_LOG || s->fault_desc == NULL)
		{
			siddhi_sink_stats_add(s->stats, 0, 0, 1);
			sink_log(s, "event dropped", why);
			return;
		}
		/* STREAM: to !S, with _error, fed at the end of the batch */
		{
			int natts = s->fault_desc->natts;
			Datum *values = palloc(sizeof(Datum) * natts);
			bool *nulls = palloc(sizeof(bool) * natts);
			MinimalTuple mt;
			SiddhiRowHeader *rh;
			char *chunk;

			slot_getallattrs(slot);
			for (int i = 0; i < natts - 1; i++)
			{
				values[i] = slot->tts_values[i];
				nulls[i] = slot->tts_isnull[i];
			}
			values[natts - 1] = CStringGetTextDatum(why);
			nulls[natts - 1] = false;
			old = MemoryContextSwitchTo(s->buf_cxt);
			mt = heap_form_minimal_tuple(s->fault_desc, values, nulls);
			chunk = palloc0(MAXALIGN(sizeof(SiddhiRowHeader)) + mt->t_len);
			rh = (SiddhiRowHeader *) chunk;
			rh->timestamp = ts;
			rh->length = mt->t_len;
			memcpy(chunk + MAXALIGN(sizeof(SiddhiRowHeader)), mt, mt->t_len);
			s->faults = lappend(s->faults, chunk);
			s->dirty = true;
			MemoryContextSwitchTo(old);
			siddhi_sink_stats_add(s->stats, 0, 0, 1);
			return;
		}
	}
	old = MemoryContextSwitchTo(s->buf_cxt);
	if (s->nevents == s->cap)
	{
		s->cap = s->cap ? s->cap * 2 : 64;
		s->events =
			s->events ? repalloc_huge(s->events, sizeof(MinimalTuple) * s->cap)
					  : palloc(sizeof(MinimalTuple) * s->cap);
	}
	s->events[s->nevents++] = ExecCopySlotMinimalTuple(slot);
	s->dirty = true;
	MemoryContextSwitchTo(old);
}

/* Encoded rows of a batch, column by column. */
typedef struct Encoded
{
	int n;
	Datum *seqs, *keys, *payloads, *partitions, *topics;
	bool *key_nulls, *partition_nulls, *topic_nulls;
} Encoded;

/* Encode event i into row e->n (user code: output functions). */
static void
encode_one(Sink *s, int i, Encoded *e)
{
	TupleTableSlot *slot = s->slot;
	StringInfo bufp = &s->encbuf;
	int k = e->n;
#define buf (*bufp)

	ExecStoreMinimalTuple(s->events[i], slot, false);
	slot_getallattrs(slot);
	resetStringInfo(&buf);
	siddhi_mapper_encode(s->mapper, slot->tts_values, slot->tts_isnull, &buf);
	e->payloads[k] =
		PointerGetDatum(cstring_to_text_with_len(buf.data, buf.len));
	e->key_nulls[k] = s->key == NULL;
	if (s->key)
	{
		resetStringInfo(&buf);
		siddhi_template_render(s->key, slot->tts_values, slot->tts_isnull,
							   &buf);
		e->keys[k] =
			PointerGetDatum(cstring_to_text_with_len(buf.data, buf.len));
	}
	e->topic_nulls[k] = s->topic == NULL;
	if (s->topic)
	{
		resetStringInfo(&buf);
		siddhi_template_render(s->topic, slot->tts_values, slot->tts_isnull,
							   &buf);
		e->topics[k] =
			PointerGetDatum(cstring_to_text_with_len(buf.data, buf.len));
	}
	e->partition_nulls[k] = s->partition == NULL;
	if (s->partition)
	{
		resetStringInfo(&buf);
		siddhi_template_render(s->partition, slot->tts_values,
							   slot->tts_isnull, &buf);
		e->partitions[k] = Int32GetDatum(pg_strtoint32(buf.data));
	}
	ExecClearTuple(slot);
	e->n++;
#undef buf
}

/* Encode events from..to-1 as the owner, in one unit; false on error. */
static bool
encode_range(Sink *s, int from, int to, Encoded *e, bool log)
{
	MemoryContext mcxt = CurrentMemoryContext;
	Oid save_user;
	int save_sec;
	int frame;
	int mark = siddhi_usercode_depth();
	int save_n = e->n;
	volatile bool ok = false;

	GetUserIdAndSecContext(&save_user, &save_sec);
	siddhi_batch_isolate();
	frame = siddhi_usercode_enter(s->owner);
	PG_TRY();
	{
		for (int i = from; i < to; i++)
			encode_one(s, i, e);
		siddhi_usercode_leave(frame, true);
		ok = true;
	}
	PG_CATCH();
	{
		ErrorData *edata;

		siddhi_usercode_unwind(mark);
		edata = siddhi_batch_unit_failed(mcxt);
		SetUserIdAndSecContext(save_user, save_sec);
		ExecClearTuple(s->slot);
		e->n = save_n;
		if (log)
		{
			siddhi_sink_stats_add(s->stats, 0, 1, 0);
			sink_log(s, "event not sent, it could not be mapped",
					 edata->message);
		}
		FreeErrorData(edata);
	}
	PG_END_TRY();
	return ok;
}

static void
sink_flush(Sink *s)
{
	MemoryContext old = MemoryContextSwitchTo(s->buf_cxt);
	Encoded e = { 0 };
	int n;
	List *faults = s->faults;
	ListCell *lc;

	/* on.error STREAM: the events beyond the bound go to !S */
	s->faults = NIL;
	foreach(lc, faults)
	{
		char *chunk = lfirst(lc);

		siddhi_runtime_feed_chunk(s->fault_relid, s->fault_sig, chunk, 1);
	}
	n = s->nevents;
	if (n > 0)
	{
		e.seqs = palloc(sizeof(Datum) * n);
		e.keys = palloc(sizeof(Datum) * n);
		e.payloads = palloc(sizeof(Datum) * n);
		e.partitions = palloc(sizeof(Datum) * n);
		e.topics = palloc(sizeof(Datum) * n);
		e.key_nulls = palloc(sizeof(bool) * n);
		e.partition_nulls = palloc(sizeof(bool) * n);
		e.topic_nulls = palloc(sizeof(bool) * n);
		if (!encode_range(s, 0, n, &e, false))
		{
			/* find the events that cannot be mapped: one unit each */
			for (int i = 0; i < n; i++)
				(void) encode_range(s, i, i + 1, &e, true);
		}
		MemoryContextSwitchTo(s->buf_cxt);
		for (int i = 0; i < e.n; i++)
			e.seqs[i] = Int64GetDatum(++s->next_seq);
		if (e.n > 0)
		{
			/*
			 * The worker's own statement: an error here (the disk is full)
			 * fails the batch, which the next worker reads again.
			 */
			siddhi_outbox_insert(s->qname, e.n, e.seqs, e.keys, e.key_nulls,
								 e.payloads, e.partitions, e.partition_nulls,
								 e.topics, e.topic_nulls);
			/* no later unit's rollback may take the rows back */
			siddhi_batch_isolate();
			s->batch_rows += e.n;
		}
	}
	MemoryContextSwitchTo(old);
	MemoryContextReset(s->buf_cxt);
	s->events = NULL;
	s->nevents = s->cap = 0;
	s->dirty = false;
}

/* At the end of every batch, in its transaction (runtime's batch end). */
static void
sinks_batch_end(void)
{
	bool again = true;

	/* fault events may make events for other sinks: until none is left */
	while (again)
	{
		ListCell *lc;

		again = false;
		foreach(lc, sinks)
		{
			Sink *s = lfirst(lc);

			if (!s->dirty)
				continue;
			sink_flush(s);
			again = true;
		}
	}
}

static void
fault_noop(void *arg, TupleTableSlot *slot, int64 ts, bool expired)
{
}

static SinkOnError
on_error_of(const SiddhiSinkPlan *plan)
{
	const char *v = siddhi_conn_option(plan->options, "on.error", "LOG");

	if (pg_strcasecmp(v, "WAIT") == 0)
		return SINK_ON_ERROR_WAIT;
	if (pg_strcasecmp(v, "STREAM") == 0)
		return SINK_ON_ERROR_STREAM;
	return SINK_ON_ERROR_LOG;
}

/* The client of a sink type (the analyzer admitted only these). */
const SiddhiSinkOps *
siddhi_sink_ops_of(const char *type)
{
	static const SiddhiSinkOps *const all[] = {
		&siddhi_kafka_sink_ops, &siddhi_http_sink_ops, &siddhi_redis_sink_ops,
		&siddhi_file_sink_ops,	&siddhi_log_sink_ops,  &siddhi_notify_sink_ops
	};

	for (int i = 0; i < lengthof(all); i++)
		if (pg_strcasecmp(all[i]->type, type) == 0)
			return all[i];
	elog(ERROR, "no client for sink type \"%s\"", type);
	return NULL; /* keep the compiler quiet */
}

static SiddhiTemplate *
option_template(Sink *s, const char *key, bool only_dynamic)
{
	const char *v = siddhi_conn_option(s->plan->options, key, NULL);
	SiddhiTemplate *t;
	char *bad;

	if (v == NULL)
		return NULL;
	t = siddhi_template_parse(v, s->plan->desc, &bad);
	if (t == NULL)
		ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						errmsg("option \"%s\" names \"%s\", which is not an "
							   "attribute of the stream",
							   key, bad)));
	if (only_dynamic && !siddhi_template_dynamic(t))
		return NULL;
	siddhi_template_prepare(t, s->plan->desc);
	return t;
}

static void
client_start(Sink *s)
{
	char *error = NULL;

	s->client = s->ops->start(s->plan, s->app, wake_pipe[1], &error);
	if (s->client == NULL)
	{
		sink_log(s, "could not start", error ? error : "unknown error");
		siddhi_sink_stats_state(s->stats, "failed");
		sink_backoff(s);
	}
	else
		siddhi_sink_stats_state(s->stats, "connecting");
}

/*
 * Start an app's sinks: called by the engine after the app's runtime
 * started, in the app's frame of user code and memory context.
 */
void
siddhi_sinks_start(SiddhiAppRuntime *rt, SiddhiAppPlan *plan, const char *app)
{
	ListCell *lc;

	if (!callbacks_done)
	{
		RegisterXactCallback(sinks_xact_callback, NULL);
		siddhi_runtime_set_batch_end_hook(sinks_batch_end);
		callbacks_done = true;
	}
	foreach(lc, plan->sinks)
	{
		SiddhiSinkPlan *sp = lfirst(lc);
		Sink *s;
		int64 count, maxseq;

		MemoryContext cxt, old;

		if (!siddhi_sink_uses_outbox(sp))
		{
			/* inMemory: the in-memory broker's sink hooks the stream */
			sp->options =
				siddhi_secrets_resolve(sp->options, app, plan->owner);
			siddhi_inmemory_sink_start(rt, sp);
			continue;
		}
		/* the sink's own context, for as long as it runs */
		cxt = AllocSetContextCreate(CurrentMemoryContext, "siddhi sink",
									ALLOCSET_DEFAULT_SIZES);
		old = MemoryContextSwitchTo(cxt);
		s = palloc0(sizeof(Sink));
		/*
		 * ${NAME} in options, from siddhi.secrets (a missing one, or one
		 * the app's owner may not use, fails the load)
		 */
		sp->options = siddhi_secrets_resolve(sp->options, app, plan->owner);
		s->plan = sp;
		s->rt = rt;
		s->app = pstrdup(app);
		s->owner = plan->owner;
		s->cxt = cxt;
		s->ops = siddhi_sink_ops_of(sp->type);
		s->qname = siddhi_outbox_table(app, sp->name);
		if (s->qname == NULL)
			ereport(ERROR, (errcode(ERRCODE_UNDEFINED_TABLE),
							errmsg("sink \"%s\" has no outbox", sp->name),
							errhint("Deploy the app again: siddhi.deploy(.., "
									"replace => true).")));
		s->qname = pstrdup(s->qname);
		s->mapper = siddhi_mapper_create(sp->map, sp->desc, true);
		s->key = option_template(s, "key", false);
		s->topic = option_template(s, "topic", true);
		s->partition = option_template(s, "partition.no", false);
		s->slot = MakeSingleTupleTableSlot(sp->desc, &TTSOpsMinimalTuple);
		initStringInfo(&s->encbuf);
		s->on_error = on_error_of(sp);
		s->max_events =
			option_int(s, "outbox.max.events", SINK_DEFAULT_MAX_EVENTS);
		if (s->on_error == SINK_ON_ERROR_STREAM && sp->fault)
		{
			Relation r = relation_open(sp->fault->relid, AccessShareLock);

			s->fault_relid = sp->fault->relid;
			s->fault_desc = CreateTupleDescCopy(RelationGetDescr(r));
			s->fault_sig = siddhi_desc_signature(s->fault_desc);
			relation_close(r, AccessShareLock);
		}
		s->buf_cxt = AllocSetContextCreate(s->cxt, "siddhi sink batch",
										   ALLOCSET_DEFAULT_SIZES);
		s->acked = palloc(sizeof(int64) * SINK_MAX_IN_FLIGHT);
		s->reports = palloc(sizeof(int64) * SINK_MAX_IN_FLIGHT);
		s->fails = palloc(sizeof(int64) * SINK_MAX_IN_FLIGHT);
		siddhi_outbox_count(s->qname, &count, &maxseq);
		s->queued = count;
		s->committed_seq = s->next_seq = maxseq;
		s->read_upto = 0;
		/* nothing below fails: the app's stop finds what was started */
		MemoryContextSetParent(cxt, TopMemoryContext);
		MemoryContextSwitchTo(TopMemoryContext);
		sinks = lappend(sinks, s);
		MemoryContextSwitchTo(cxt);
		s->stats = siddhi_sink_stats_alloc(app, sp, plan->owner);
		siddhi_sink_stats_set(s->stats, s->queued, 0);
		siddhi_runtime_add_stream_hook(rt, sp->stream->relid, sink_hook, s);
		/* !S gets its junction even when no query reads it: watchers do */
		if (s->fault_desc)
			siddhi_runtime_add_stream_hook(rt, s->fault_relid, fault_noop,
										   NULL);
		wake_pipe_init();
		client_start(s);
		MemoryContextSwitchTo(old);
	}
}

void
siddhi_sinks_stop(SiddhiAppRuntime *rt)
{
	ListCell *lc;

	foreach(lc, sinks)
	{
		Sink *s = lfirst(lc);

		if (s->rt != rt)
			continue;
		if (s->client)
			s->ops->stop(s->client);
		s->client = NULL;
		siddhi_sink_stats_free(s->stats);
		s->stats = NULL;
		sinks = foreach_delete_current(sinks, lc);
		MemoryContextDelete(s->cxt);
	}
}

bool
siddhi_sinks_blocked(void)
{
	ListCell *lc;

	foreach(lc, sinks)
	{
		Sink *s = lfirst(lc);

		if (s->on_error == SINK_ON_ERROR_WAIT &&
			s->queued + s->batch_rows >= s->max_events)
			return true;
	}
	return false;
}

typedef struct SendState
{
	Sink *s;
	bool stop;
	int sent;
} SendState;

static void
send_row(void *arg, const SiddhiOutboxRow *row)
{
	SendState *st = arg;
	Sink *s = st->s;
	char *error = NULL;

	if (st->stop)
		return;
	if (!s->ops->send(s->client, row, &error))
	{
		st->stop = true;
		if (error)
		{
			sink_log(s, "could not send", error);
			sink_backoff(s);
		}
		return;
	}
	s->read_upto = row->seq;
	s->in_flight++;
	st->sent++;
}

/* One sink's turn; true when it did something. */
static bool
sink_deliver(Sink *s, TimestampTz now, long *timeout_ms)
{
	int nreports = 0, nfails = 0;
	bool need_read;
	bool connected, broken;
	char error[256];
	MemoryContext mcxt = CurrentMemoryContext;
	bool did = false;

	if (s->client == NULL)
	{
		if (now < s->retry_at)
		{
			long ms = (long) ((s->retry_at - now) / 1000) + 1;

			*timeout_ms = Min(*timeout_ms, ms);
			return false;
		}
		client_start(s);
		if (s->client == NULL)
			return false;
	}
	if (s->in_flight > 0)
	{
		int dropped;

		/* room for every report: in_flight + nacked <= the bound */
		s->ops->poll(s->client, s->reports, &nreports, s->fails, &nfails,
					 SINK_MAX_IN_FLIGHT - s->nacked);
		dropped = s->ops->dropped ? s->ops->dropped(s->client) : 0;

		for (int i = 0; i < nreports; i++)
			s->acked[s->nacked++] = s->reports[i];
		for (int i = 0; i < nfails; i++)
			if (s->rewind_to == 0 || s->fails[i] < s->rewind_to)
				s->rewind_to = s->fails[i];
		s->in_flight -= nreports + nfails;
		siddhi_sink_stats_add(s->stats, nreports - dropped, nfails, dropped);
		if (nreports > 0)
			s->backoff_ms = 0;
		if (nfails > 0)
			sink_backoff(s);
		did = nreports + nfails > 0;
	}
	s->ops->status(s->client, error, sizeof(error), &connected, &broken);
	if (error[0])
		siddhi_sink_stats_error(s->stats, error);
	siddhi_sink_stats_state(s->stats, s->queued >= s->max_events ? "full"
									  : connected				 ? "running"
												  : "connecting");

	/* failed deliveries: once all reports are in, read again from there */
	if ((s->rewind_to > 0 || broken) && s->in_flight == 0 && s->nacked == 0)
	{
		if (broken)
		{
			sink_log(s, "client failed, starting it again", error);
			s->ops->stop(s->client);
			s->client = NULL;
			sink_backoff(s);
			s->rewind_to = 1;
		}
		s->read_upto = s->rewind_to - 1;
		s->rewind_to = 0;
	}
	need_read = s->client != NULL && s->rewind_to == 0 && !broken &&
				s->read_upto < s->committed_seq &&
				s->in_flight + s->nacked < SINK_MAX_IN_FLIGHT &&
				now >= s->retry_at;
	if (!need_read && s->read_upto < s->committed_seq && now < s->retry_at)
		*timeout_ms =
			Min(*timeout_ms, (long) ((s->retry_at - now) / 1000) + 1);
	/* deletes wait for a read, a thousand of them, or the last report */
	if (!need_read &&
		(s->nacked == 0 || (s->nacked < SINK_DELETE_ROWS && s->in_flight > 0)))
	{
		siddhi_sink_stats_set(s->stats, s->queued, s->in_flight);
		return did;
	}

	SetCurrentStatementStartTimestamp();
	StartTransactionCommand();
	PushActiveSnapshot(GetTransactionSnapshot());
	PG_TRY();
	{
		SendState st = { s, false, 0 };
		int deleted = s->nacked;

		SPI_connect();
		if (deleted > 0)
			siddhi_outbox_delete(s->qname, s->acked, deleted);
		if (need_read)
			(void) siddhi_outbox_read(
				s->qname, s->read_upto,
				Min(SINK_READ_ROWS,
					SINK_MAX_IN_FLIGHT - s->in_flight - deleted),
				send_row, &st);
		SPI_finish();
		PopActiveSnapshot();
		CommitTransactionCommand();
		/* gone for good only now (a failed commit deletes them next time) */
		s->queued -= deleted;
		s->nacked = 0;
	}
	PG_CATCH();
	{
		ErrorData *edata;

		MemoryContextSwitchTo(mcxt);
		edata = CopyErrorData();
		FlushErrorState();
		AbortCurrentTransaction();
		MemoryContextSwitchTo(mcxt);
		sink_log(s, "delivery failed", edata->message);
		FreeErrorData(edata);
		sink_backoff(s);
	}
	PG_END_TRY();
	siddhi_sink_stats_set(s->stats, s->queued, s->in_flight);
	return true;
}

bool
siddhi_sinks_deliver(long *timeout_ms)
{
	ListCell *lc;
	bool did = false;
	TimestampTz now;

	if (sinks == NIL)
		return false;
	if (wake_pipe[0] >= 0)
	{
		char buf[256];

		while (read(wake_pipe[0], buf, sizeof(buf)) > 0)
			;
	}
	now = GetCurrentTimestamp();
	foreach(lc, sinks)
	{
		if (sink_deliver(lfirst(lc), now, timeout_ms))
			did = true;
	}
	return did;
}
