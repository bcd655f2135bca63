/*-------------------------------------------------------------------------
 *
 * inmemory.c
 *	  The in-memory broker of an engine worker, and Siddhi's inMemory
 *	  source and sink on it.
 *
 * As Siddhi's InMemoryBroker: an inMemory sink publishes each current
 * event of its stream to a topic; every inMemory source subscribed to the
 * topic (any app of the same database: one engine worker runs them all)
 * gets a copy at its next poll.  Each subscriber has its own queue, bounded
 * by siddhi.inmemory_queue_events: beyond it the oldest record is dropped
 * and counted (siddhi.sources.last_error says how many).  Memory:
 * at most that many records per subscriber, each its payload's size.
 *
 * Not durable and not transactional, as in Siddhi: a record is queued
 * when the sink's stream gets the event, in the publishing batch; the
 * source feeds it in a later batch.  Records queued are lost with the
 * worker (kill -9, restart), and a batch that fails as a whole (the worker
 * dies before its commit) has published already.  Positions: part is
 * "topic" (not its name, which may be a secret's value), next counts the
 * records the source consumed, carried across
 * restarts from siddhi.source_offsets (a count, not a way to re-read).
 *
 * Everything runs in the engine process, so a source has no descriptor to
 * wait on (wait_fd NULL): a publish happens in a batch, after which the
 * engine polls again before it sleeps.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "executor/tuptable.h"
#include "siddhi/runtime.h"
#include "siddhi/source_runtime.h"
#include "siddhi/usercode.h"
#include "utils/memutils.h"

#include "source_int.h"

typedef struct InMemRecord
{
	int len;
	int64 timestamp;
	bool passthrough; /* made by a passThrough sink's encoder */
	char data[FLEXIBLE_ARRAY_MEMBER];
} InMemRecord;

typedef struct InMemSub
{
	char *topic;
	InMemRecord **queue; /* ring of cap */
	int cap;
	int head; /* oldest */
	int count;
	int64 dropped;		 /* overflowed, not yet reported by a poll */
	InMemRecord **taken; /* handed out by the last poll, freed at the next */
	int ntaken;
	int64 next; /* records consumed, for positions */
	char *part;
	bool passthrough; /* its mapper is passThrough */
} InMemSub;

static List *subscribers = NIL; /* of InMemSub *, in TopMemoryContext */

void
siddhi_inmemory_publish(const char *topic, const char *data, int len,
						int64 timestamp, bool passthrough)
{
	ListCell *lc;

	foreach(lc, subscribers)
	{
		InMemSub *s = lfirst(lc);
		InMemRecord *r;

		if (strcmp(s->topic, topic) != 0)
			continue;
		r = MemoryContextAlloc(TopMemoryContext,
							   offsetof(InMemRecord, data) + Max(len, 1));
		r->len = len;
		r->timestamp = timestamp;
		r->passthrough = passthrough;
		memcpy(r->data, data, len);
		if (s->count == s->cap)
		{
			/* full: the oldest goes */
			pfree(s->queue[s->head]);
			s->head = (s->head + 1) % s->cap;
			s->count--;
			s->dropped++;
		}
		s->queue[(s->head + s->count) % s->cap] = r;
		s->count++;
	}
}

static void *
inmem_start(const SiddhiSourcePlan *plan, const char *app, List *positions)
{
	const char *topic = siddhi_conn_option(plan->options, "topic", "");
	InMemSub *s;
	ListCell *lc;

	/* a ${NAME} may resolve to nothing, which only shows here */
	if (topic[0] == '\0')
		ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						errmsg("the topic of inMemory source \"%s\" is empty",
							   plan->name)));
	s = MemoryContextAllocZero(TopMemoryContext, sizeof(InMemSub));

	s->topic = MemoryContextStrdup(TopMemoryContext, topic);
	/* not the topic, which may come from a secret: one part per source */
	s->part = "topic";
	s->passthrough = pg_strcasecmp(plan->map->type, "passThrough") == 0;
	s->cap = Max(siddhi_inmemory_queue_events, 1);
	s->queue = MemoryContextAllocZero(TopMemoryContext,
									  sizeof(InMemRecord *) * s->cap);
	s->taken = MemoryContextAllocZero(TopMemoryContext,
									  sizeof(InMemRecord *) *
										  Max(siddhi_source_batch_events, 1));
	foreach(lc, positions)
	{
		SiddhiSourcePosition *p = lfirst(lc);

		if (strcmp(p->part, s->part) == 0)
			s->next = p->next;
	}
	{
		MemoryContext old = MemoryContextSwitchTo(TopMemoryContext);

		subscribers = lappend(subscribers, s);
		MemoryContextSwitchTo(old);
	}
	return s;
}

static void
free_taken(InMemSub *s)
{
	for (int i = 0; i < s->ntaken; i++)
		pfree(s->taken[i]);
	s->ntaken = 0;
}

static int
inmem_poll(void *state, SiddhiSourceRecord *records, int max)
{
	InMemSub *s = state;
	int n = 0;

	free_taken(s);
	max = Min(max, Max(siddhi_source_batch_events, 1));
	while (n < max && s->count > 0)
	{
		InMemRecord *r = s->queue[s->head];

		s->queue[s->head] = NULL;
		s->head = (s->head + 1) % s->cap;
		s->count--;
		s->taken[s->ntaken++] = r;
		s->next++;
		records[n].data = r->data;
		records[n].len = r->len;
		records[n].key = NULL;
		records[n].keylen = 0;
		records[n].timestamp = r->timestamp;
		records[n].part = s->part;
		records[n].next = s->next;
		/*
		 * passThrough bytes are an event as it lies in memory, trusted as
		 * such: only what a passThrough sink encoded may be read as one,
		 * never bytes another mapper made (any role could forge values
		 * that crash their output functions)
		 */
		records[n].fail = s->passthrough && !r->passthrough
							  ? "a passThrough source reads only what "
								"passThrough sinks publish"
							  : NULL;
		n++;
	}
	return n;
}

static void
inmem_status(void *state, SiddhiSourceStatus *status)
{
	InMemSub *s = state;

	status->connected = true;
	status->lag = s->count;
	/* no topic: it may come from a secret, and the view is no place for one */
	snprintf(status->detail, sizeof(status->detail), "consumed: %lld",
			 (long long) s->next);
	if (s->dropped > 0)
		snprintf(status->last_error, sizeof(status->last_error),
				 "%lld records dropped: the queue was full "
				 "(siddhi.inmemory_queue_events)",
				 (long long) s->dropped);
	else
		status->last_error[0] = '\0';
}

static void
inmem_stop(void *state)
{
	InMemSub *s = state;

	subscribers = list_delete_ptr(subscribers, s);
	free_taken(s);
	while (s->count > 0)
	{
		pfree(s->queue[s->head]);
		s->head = (s->head + 1) % s->cap;
		s->count--;
	}
	pfree(s->queue);
	pfree(s->taken);
	pfree(s->topic);
	pfree(s);
}

const SiddhiSourceOps siddhi_inmemory_source_ops = {
	.type = "inmemory",
	.start = inmem_start,
	.poll = inmem_poll,
	.committed = NULL,
	.wait_fd = NULL,
	.status = inmem_status,
	.stop = inmem_stop,
};

/* Does any inMemory source have records waiting? */
bool
siddhi_inmemory_pending(void)
{
	ListCell *lc;

	foreach(lc, subscribers)
		if (((InMemSub *) lfirst(lc))->count > 0)
			return true;
	return false;
}

/* ---------------------------------------------------------------------
 * The inMemory sink: a stream hook that encodes and publishes.
 * ---------------------------------------------------------------------
 */
typedef struct InMemSink
{
	Oid owner; /* output functions are user code: run as the app's owner */
	char *topic;
	SiddhiMapper *mapper;
	bool passthrough; /* its mapper is passThrough */
	StringInfoData buf;
} InMemSink;

static void
inmem_sink_event(void *arg, TupleTableSlot *slot, int64 ts, bool expired)
{
	InMemSink *k = arg;
	int frame;

	if (expired)
		return; /* Siddhi's sinks get current events */
	slot_getallattrs(slot);
	resetStringInfo(&k->buf);
	frame = siddhi_usercode_enter(k->owner);
	PG_TRY();
	{
		siddhi_mapper_encode(k->mapper, slot->tts_values, slot->tts_isnull,
							 &k->buf);
		siddhi_usercode_leave(frame, true);
	}
	PG_CATCH();
	{
		siddhi_usercode_leave(frame, false);
		PG_RE_THROW();
	}
	PG_END_TRY();
	siddhi_inmemory_publish(k->topic, k->buf.data, k->buf.len, ts,
							k->passthrough);
}

/*
 * Start an inMemory sink of a loaded app (in the app's memory context,
 * inside its load).  The sink framework calls this for type inmemory.
 */
void
siddhi_inmemory_sink_start(SiddhiAppRuntime *app, SiddhiSinkPlan *plan)
{
	InMemSink *k = palloc0(sizeof(InMemSink));

	k->owner = siddhi_runtime_app_owner(app);
	k->topic = pstrdup(siddhi_conn_option(plan->options, "topic", ""));
	k->mapper = siddhi_mapper_create(plan->map, plan->desc, true);
	k->passthrough = pg_strcasecmp(plan->map->type, "passThrough") == 0;
	initStringInfo(&k->buf);
	siddhi_runtime_add_stream_hook(app, plan->stream->relid, inmem_sink_event,
								   k);
}
