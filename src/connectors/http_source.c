/*-------------------------------------------------------------------------
 *
 * http_source.c
 *	  The http source in the engine worker: the webhook side (requests the
 *	  listener, http_listener.c, put into shared memory) and, for a source
 *	  with url = '..' instead of receiver.url, the polling client
 *	  (http_poll.c).  One SiddhiSourceOps serves both.
 *
 * Webhook, per source:
 *
 *	 start	   ─► route (port, path) registered for this database (or the
 *				  one this database had before its engine restarted taken
 *				  back), the listener woken to open the port
 *	 poll	   ─► the route's QUEUED requests in arrival order, at most the
 *				  batch's; each checked (basic auth, HMAC signature): a
 *				  failing one answered 401 at once, the others returned as
 *				  records (the body, read in place in shared memory)
 *	 rejected  ─► a record @OnError took: its answer will be 400 with the
 *				  mapper's error
 *	 committed ─► every record of the batch answered, 200 or 400: the
 *				  events are in the stream's committed batch
 *	 stop / the worker exits
 *			   ─► requests taken and not answered: 503 (the client sends
 *				  again; nothing of them was committed); stop removes the
 *				  route (404 from then on), an exit only pauses it (503
 *				  until the next engine takes it back)
 *
 * Secrets stay in the database's worker: the listener hands over the
 * Authorization and X-Siddhi-Signature headers, and the checks run here.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "common/base64.h"
#include "common/hmac.h"
#include "miscadmin.h"
#include "siddhi/source_runtime.h"
#include "storage/ipc.h"
#include "storage/proc.h"
#include "utils/builtins.h"
#include "utils/memutils.h"
#include "utils/resowner.h"

#include "http_int.h"
#include "http_source_int.h"

typedef struct Webhook
{
	bool is_poll; /* false (HttpPoll's first field is true) */
	uint32 route_id;
	int port;
	bool tls;
	char path[HTTP_PATH_LEN];
	char *basic;	   /* "user:password", or NULL: no basic auth */
	char *hmac_secret; /* or NULL */
	int *rec_slot;	   /* the slot of each record of this batch */
	char **rejected;   /* per record: @OnError's message, or NULL */
	int *taken;		   /* poll's scratch: one per slot */
	int nrecords;
	int max;
	int64 answered;
	int64 unauthorized;
} Webhook;

static bool exit_hook_set = false;
static bool first_start = true;
static ResourceOwner hmac_owner = NULL;

/* Answer a slot (caller holds the mutex). */
static void
answer_locked(int i, int status, const char *body)
{
	HttpSlot *s = http_slot(i);

	if (s->abandoned)
	{
		s->state = HTTP_SLOT_FREE;
		s->abandoned = false;
		return;
	}
	s->status = status;
	strlcpy(s->answer, body, sizeof(s->answer));
	s->state = HTTP_SLOT_DONE;
}

/* The engine exits: its routes pause, its taken requests get 503. */
static void
engine_exit(int code, Datum arg)
{
	char body[HTTP_ANSWER_LEN];
	int listener;

	if (siddhi_http_shared == NULL || MyProc == NULL)
		return;
	siddhi_http_error_json(body, sizeof(body),
						   "the engine stopped before the events were "
						   "committed; send them again");
	SpinLockAcquire(&siddhi_http_shared->mutex);
	for (int r = 0; r < HTTP_MAX_ROUTES; r++)
	{
		HttpRoute *rt = &siddhi_http_shared->routes[r];

		if (!rt->used || rt->engine_procno != MyProc->pgprocno)
			continue;
		rt->active = false;
		rt->engine_procno = -1;
		for (int i = 0; i < siddhi_http_shared->used_hi; i++)
			if (http_slot(i)->state == HTTP_SLOT_TAKEN &&
				http_slot(i)->route_id == rt->id)
				answer_locked(i, 503, body);
	}
	listener = siddhi_http_shared->listener_procno;
	SpinLockRelease(&siddhi_http_shared->mutex);
	siddhi_http_wake(listener);
}

static void
register_route(Webhook *w, const char *app, const char *source)
{
	int free_at = -1;
	int mine = -1;
	bool conflict = false;
	bool scheme_conflict = false;
	int listener;

	SpinLockAcquire(&siddhi_http_shared->mutex);
	for (int r = 0; r < HTTP_MAX_ROUTES; r++)
	{
		HttpRoute *rt = &siddhi_http_shared->routes[r];

		/* routes this database's earlier engine left, now ours to drop */
		if (first_start && rt->used && rt->dboid == MyDatabaseId &&
			!rt->active)
			rt->used = false;
		if (!rt->used)
		{
			if (free_at < 0)
				free_at = r;
			continue;
		}
		if (rt->port == w->port && rt->tls != w->tls)
			scheme_conflict = true;
		if (rt->port != w->port || strcmp(rt->path, w->path) != 0)
			continue;
		if (rt->dboid == MyDatabaseId && !rt->active)
			mine = r;
		else
			conflict = true;
	}
	if (scheme_conflict)
		conflict = true;
	if (!conflict && mine < 0 && free_at >= 0)
	{
		HttpRoute *rt = &siddhi_http_shared->routes[free_at];

		memset(rt, 0, sizeof(HttpRoute));
		rt->used = true;
		rt->id = siddhi_http_shared->next_route_id++;
		rt->dboid = MyDatabaseId;
		rt->port = w->port;
		rt->tls = w->tls;
		strlcpy(rt->path, w->path, sizeof(rt->path));
		mine = free_at;
	}
	if (!conflict && mine >= 0)
	{
		HttpRoute *rt = &siddhi_http_shared->routes[mine];

		rt->active = true;
		rt->engine_procno = MyProc->pgprocno;
		w->route_id = rt->id;
	}
	listener = siddhi_http_shared->listener_procno;
	SpinLockRelease(&siddhi_http_shared->mutex);
	first_start = false;
	if (scheme_conflict)
		ereport(ERROR,
				(errcode(ERRCODE_DUPLICATE_OBJECT),
				 errmsg("port %d listens with %s already", w->port,
						w->tls ? "http" : "https"),
				 errhint("Give source \"%s\" of app \"%s\" another port, "
						 "or the same scheme as the others on it.",
						 source, app)));
	if (conflict)
		ereport(ERROR,
				(errcode(ERRCODE_DUPLICATE_OBJECT),
				 errmsg("another http source listens at port %d path \"%s\"",
						w->port, w->path),
				 errhint("Give source \"%s\" of app \"%s\" another "
						 "receiver.url.",
						 source, app)));
	if (mine < 0)
		ereport(ERROR,
				(errcode(ERRCODE_CONFIGURATION_LIMIT_EXCEEDED),
				 errmsg("too many http sources listen in this cluster"),
				 errdetail("The listener takes %d routes.", HTTP_MAX_ROUTES)));
	pg_atomic_fetch_add_u32(&siddhi_http_shared->routes_gen, 1);
	siddhi_http_wake(listener);
	if (listener < 0)
		ereport(WARNING,
				(errmsg("the siddhi http listener is not running"),
				 errdetail("Requests to %s are answered once it starts.",
						   w->path)));
}

static void *
webhook_start(const SiddhiSourcePlan *plan, const char *app, List *positions)
{
	Webhook *w = palloc0(sizeof(Webhook));
	const char *url = siddhi_conn_option(plan->options, "receiver.url", NULL);
	const char *basic =
		siddhi_conn_option(plan->options, "basic.auth.enabled", "false");
	const char *secret =
		siddhi_conn_option(plan->options, "hmac.secret", NULL);

	if (siddhi_http_shared == NULL)
		elog(ERROR, "the http listener's shared memory is not there");
	if (!siddhi_http_receiver_url(url, &w->port, w->path, sizeof(w->path),
								  &w->tls))
		elog(ERROR, "receiver.url \"%s\" is not http[s]://host:port/path",
			 url);
	if (w->tls && (siddhi_http_tls_cert_file == NULL ||
				   siddhi_http_tls_cert_file[0] == '\0' ||
				   siddhi_http_tls_key_file == NULL ||
				   siddhi_http_tls_key_file[0] == '\0'))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("receiver.url is https:// but the listener has no "
						"certificate"),
				 errhint("A superuser sets siddhi.http_tls_cert_file and "
						 "siddhi.http_tls_key_file, or the URL says "
						 "http://.")));
	if (pg_strcasecmp(basic, "true") == 0)
		w->basic = psprintf(
			"%s:%s",
			siddhi_conn_option(plan->options, "basic.auth.username", ""),
			siddhi_conn_option(plan->options, "basic.auth.password", ""));
	if (secret)
		w->hmac_secret = pstrdup(secret);
	w->max = Max(siddhi_source_batch_events, 1);
	w->rec_slot = palloc(sizeof(int) * w->max);
	w->rejected = palloc0(sizeof(char *) * w->max);
	w->taken = palloc(sizeof(int) * siddhi_http_shared->nslots);
	if (!exit_hook_set)
	{
		before_shmem_exit(engine_exit, 0);
		exit_hook_set = true;
	}
	register_route(w, app, plan->name);
	return w;
}

/* Constant-time comparison of two byte strings. */
static bool
same_bytes(const char *a, int alen, const char *b, int blen)
{
	unsigned char diff = alen != blen;

	for (int i = 0; i < Min(alen, blen); i++)
		diff |= (unsigned char) a[i] ^ (unsigned char) b[i];
	return diff == 0;
}

static bool
basic_ok(Webhook *w, const char *auth)
{
	char decoded[HTTP_AUTH_LEN];
	int len;

	if (pg_strncasecmp(auth, "Basic ", 6) != 0)
		return false;
	auth += 6;
	len = pg_b64_decode(auth, strlen(auth), decoded, sizeof(decoded) - 1);
	if (len < 0)
		return false;
	return same_bytes(decoded, len, w->basic, strlen(w->basic));
}

/* X-Siddhi-Signature: [sha256=]hex of HMAC-SHA256(secret, body). */
static bool
hmac_ok(Webhook *w, const char *sig, const char *body, int len)
{
	pg_hmac_ctx *ctx;
	uint8 mac[32];
	char hex[65];
	bool ok;
	ResourceOwner saved;

	if (pg_strncasecmp(sig, "sha256=", 7) == 0)
		sig += 7;
	/* poll runs outside any transaction: the hash needs a resource owner */
	if (hmac_owner == NULL)
		hmac_owner = ResourceOwnerCreate(NULL, "siddhi http hmac");
	saved = CurrentResourceOwner;
	CurrentResourceOwner = hmac_owner;
	ctx = pg_hmac_create(PG_SHA256);
	ok = ctx != NULL &&
		 pg_hmac_init(ctx, (const uint8 *) w->hmac_secret,
					  strlen(w->hmac_secret)) == 0 &&
		 pg_hmac_update(ctx, (const uint8 *) body, len) == 0 &&
		 pg_hmac_final(ctx, mac, sizeof(mac)) == 0;
	if (ctx)
		pg_hmac_free(ctx);
	CurrentResourceOwner = saved;
	if (!ok)
		return false;
	for (int i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", mac[i]);
	{
		char lower[HTTP_AUTH_LEN];
		int n = 0;

		for (; sig[n] && n < (int) sizeof(lower) - 1; n++)
			lower[n] = pg_tolower((unsigned char) sig[n]);
		return same_bytes(lower, n, hex, 64);
	}
}

static int
cmp_seq(const void *a, const void *b)
{
	uint64 x = http_slot(*(const int *) a)->seq;
	uint64 y = http_slot(*(const int *) b)->seq;

	return x < y ? -1 : x > y;
}

static int
webhook_poll(Webhook *w, SiddhiSourceRecord *records, int max)
{
	int *taken = w->taken;
	int ntaken = 0;
	int n = 0;
	int listener;
	char body[HTTP_ANSWER_LEN];
	bool any_answer = false;

	max = Min(max, w->max);
	w->nrecords = 0;
	SpinLockAcquire(&siddhi_http_shared->mutex);
	for (int i = 0; i < siddhi_http_shared->used_hi; i++)
	{
		HttpSlot *s = http_slot(i);

		if (s->state == HTTP_SLOT_QUEUED && s->route_id == w->route_id)
			taken[ntaken++] = i;
	}
	SpinLockRelease(&siddhi_http_shared->mutex);
	/* in arrival order, sorted outside the spinlock */
	if (ntaken > 1)
		qsort(taken, ntaken, sizeof(int), cmp_seq);
	{
		int kept = 0;

		SpinLockAcquire(&siddhi_http_shared->mutex);
		for (int k = 0; k < ntaken && kept < max; k++)
		{
			HttpSlot *s = http_slot(taken[k]);

			/* still ours: the listener may have timed it out meanwhile */
			if (s->state == HTTP_SLOT_QUEUED && s->route_id == w->route_id)
			{
				s->state = HTTP_SLOT_TAKEN;
				taken[kept++] = taken[k];
			}
		}
		SpinLockRelease(&siddhi_http_shared->mutex);
		ntaken = kept;
	}

	siddhi_http_error_json(body, sizeof(body),
						   "the credentials or the signature are not right");
	for (int k = 0; k < ntaken; k++)
	{
		HttpSlot *s = http_slot(taken[k]);
		const char *data = http_slot_body(s);

		if ((w->basic && !basic_ok(w, s->auth)) ||
			(w->hmac_secret && !hmac_ok(w, s->signature, data, s->len)))
		{
			SpinLockAcquire(&siddhi_http_shared->mutex);
			answer_locked(taken[k], 401, body);
			SpinLockRelease(&siddhi_http_shared->mutex);
			w->unauthorized++;
			any_answer = true;
			continue;
		}
		memset(&records[n], 0, sizeof(SiddhiSourceRecord));
		records[n].data = data;
		records[n].len = s->len;
		records[n].timestamp = -1;
		w->rec_slot[n] = taken[k];
		w->rejected[n] = NULL;
		n++;
	}
	w->nrecords = n;
	if (any_answer)
	{
		listener = siddhi_http_shared->listener_procno;
		siddhi_http_wake(listener);
	}
	return n;
}

static void
webhook_rejected(Webhook *w, int index, const char *message)
{
	if (index >= 0 && index < w->nrecords)
		w->rejected[index] = MemoryContextStrdup(GetMemoryChunkContext(w),
												 message ? message : "");
}

/* Answer every record of the batch; 503 when failing is true. */
static void
answer_batch(Webhook *w, bool failing)
{
	char ok[] = "{}";
	char body[HTTP_ANSWER_LEN];
	int listener;

	if (w->nrecords == 0)
		return;
	siddhi_http_error_json(body, sizeof(body),
						   "the source stopped before the events were "
						   "committed; send them again");
	for (int i = 0; i < w->nrecords; i++)
	{
		char *err = w->rejected[i];
		char bad[HTTP_ANSWER_LEN];

		if (err && !failing)
			siddhi_http_error_json(bad, sizeof(bad), err);
		SpinLockAcquire(&siddhi_http_shared->mutex);
		if (failing)
			answer_locked(w->rec_slot[i], 503, body);
		else if (err)
			answer_locked(w->rec_slot[i], 400, bad);
		else
			answer_locked(w->rec_slot[i], 200, ok);
		SpinLockRelease(&siddhi_http_shared->mutex);
		if (err)
			pfree(err);
		w->rejected[i] = NULL;
	}
	w->answered += w->nrecords;
	w->nrecords = 0;
	listener = siddhi_http_shared->listener_procno;
	siddhi_http_wake(listener);
}

static void
webhook_stop(Webhook *w)
{
	int listener;
	char body[HTTP_ANSWER_LEN];

	answer_batch(w, true);
	siddhi_http_error_json(body, sizeof(body),
						   "no http source listens at this path any more");
	SpinLockAcquire(&siddhi_http_shared->mutex);
	for (int r = 0; r < HTTP_MAX_ROUTES; r++)
	{
		HttpRoute *rt = &siddhi_http_shared->routes[r];

		if (rt->used && rt->id == w->route_id)
			rt->used = false;
	}
	for (int i = 0; i < siddhi_http_shared->used_hi; i++)
		if (http_slot(i)->state == HTTP_SLOT_QUEUED &&
			http_slot(i)->route_id == w->route_id)
			answer_locked(i, 404, body);
	listener = siddhi_http_shared->listener_procno;
	SpinLockRelease(&siddhi_http_shared->mutex);
	pg_atomic_fetch_add_u32(&siddhi_http_shared->routes_gen, 1);
	siddhi_http_wake(listener);
}

static void
webhook_status(Webhook *w, SiddhiSourceStatus *st)
{
	bool listening = false;

	SpinLockAcquire(&siddhi_http_shared->mutex);
	for (int r = 0; r < HTTP_MAX_ROUTES; r++)
	{
		HttpRoute *rt = &siddhi_http_shared->routes[r];

		if (rt->used && rt->id == w->route_id)
		{
			strlcpy(st->last_error, rt->bind_error, sizeof(st->last_error));
			listening = rt->bind_error[0] == '\0';
		}
	}
	if (siddhi_http_shared->listener_procno < 0)
	{
		strlcpy(st->last_error, "the http listener is not running",
				sizeof(st->last_error));
		listening = false;
	}
	SpinLockRelease(&siddhi_http_shared->mutex);
	st->connected = listening;
	snprintf(st->detail, sizeof(st->detail),
			 "port %d path %s: %lld answered, %lld unauthorized", w->port,
			 w->path, (long long) w->answered, (long long) w->unauthorized);
}

/* The ops: the first field of each state says which kind it is. */

static void *
http_start(const SiddhiSourcePlan *plan, const char *app, List *positions)
{
	if (siddhi_conn_option(plan->options, "url", NULL) != NULL)
		return siddhi_http_poll_start(plan, app);
	return webhook_start(plan, app, positions);
}

static int
http_poll(void *state, SiddhiSourceRecord *records, int max)
{
	if (*(bool *) state)
		return siddhi_http_poll_poll(state, records, max);
	return webhook_poll(state, records, max);
}

static void
http_committed(void *state)
{
	if (!*(bool *) state)
		answer_batch(state, false);
}

static void
http_rejected(void *state, int index, const char *message)
{
	if (!*(bool *) state)
		webhook_rejected(state, index, message);
}

static int
http_wait_fd(void *state)
{
	return -1; /* a webhook's engine is woken by its latch */
}

static void
http_status(void *state, SiddhiSourceStatus *st)
{
	if (*(bool *) state)
		siddhi_http_poll_status(state, st);
	else
		webhook_status(state, st);
}

static void
http_stop(void *state)
{
	if (*(bool *) state)
		siddhi_http_poll_stop(state);
	else
		webhook_stop(state);
}

const SiddhiSourceOps siddhi_http_source_ops = {
	.type = "http",
	.start = http_start,
	.poll = http_poll,
	.committed = http_committed,
	.wait_fd = http_wait_fd,
	.status = http_status,
	.stop = http_stop,
	.rejected = http_rejected,
};
