/*-------------------------------------------------------------------------
 *
 * http_sink.c
 *	  The HTTP sink's client: libcurl's multi interface.
 *
 * The delivery loop (sink.c) hands it outbox rows; each becomes one request
 * (method, publisher.url, headers, the row's payload as the body) added to a
 * curl multi handle, which keeps connections to the server open and reuses
 * them.  poll() drives the transfers without blocking (curl_multi_perform;
 * when requests are in flight and none finished, it waits at most 2 ms for
 * one) and sorts finished requests:
 *
 *	 2xx					   acknowledged (the row leaves the outbox)
 *	 400, 413, 415, 422		   the request itself is bad and never will be
 *							   good: dropped, logged, counted in dropped
 *	 anything else (5xx, 408,  failed: the delivery loop sends the rows
 *	 429, 401, 403, 404, a	   again from the lowest failed one, after a
 *	 connection or timeout	   backoff doubling from 100 ms to 30 s
 *	 error)
 *
 * Where it may connect: siddhi.http_allowed_hosts, checked on the address
 * curl is about to connect to (after name resolution, so a name that
 * resolves to a forbidden address is caught too).  Its default, '*', is any
 * address but the loopback, link-local (169.254.0.0/16, which holds cloud
 * metadata services, and fe80::/10) and unspecified ones; those must be
 * listed explicitly.  Redirects are not followed and proxies from the
 * environment are not used.
 *
 * No curl callback calls a PostgreSQL function that can raise an error:
 * they copy bytes into preallocated memory.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <curl/curl.h>

#include "lib/ilist.h"
#include "siddhi/sink.h"
#include "utils/guc.h"
#include "utils/memutils.h"
#include "utils/varlena.h"

#include "http_int.h"

/* at most this many requests in flight per sink */
#define HTTP_MAX_IN_FLIGHT 1000

typedef struct HttpSink HttpSink;

typedef struct HttpReq
{
	dlist_node node; /* in HttpSink.reqs */
	CURL *easy;
	HttpSink *hs;
	int64 seq;	 /* batch.size 1: the row's */
	int64 *seqs; /* batch.size > 1: the rows' of the array, or NULL */
	int nseqs;
	bool denied; /* the address was not allowed */
	char errbuf[CURL_ERROR_SIZE];
} HttpReq;

struct HttpSink
{
	CURLM *multi;
	char *url;
	char *method;
	char *userpwd; /* or NULL */
	struct curl_slist *headers;
	long timeout_ms;
	int batch_size;		  /* rows per request (one JSON array when > 1) */
	StringInfoData batch; /* the array being filled */
	int64 *batch_seqs;	  /* its rows' seqs */
	int nbatch;
	int active;		 /* rows in flight */
	dlist_head reqs; /* of HttpReq, in flight */
	int64 *acked;
	int nacked;
	int64 *failed;
	int nfailed;
	int dropped_last;
	bool connected;
	char last_error[256];
};

static bool curl_ready = false;

static size_t
discard_body(char *ptr, size_t size, size_t nmemb, void *userdata)
{
	return size * nmemb;
}

/* The client ---------------------------------------------------------------- */

/* 'Name: value','Name2: value2' (Siddhi's headers option) into a list */
static struct curl_slist *
parse_headers(const char *spec, char **error)
{
	struct curl_slist *list = NULL;
	const char *p = spec;

	while (*p)
	{
		const char *end;
		char *h;

		while (*p == ' ' || *p == ',')
			p++;
		if (*p == '\0')
			break;
		if (*p != '\'' && *p != '"')
		{
			*error = psprintf("headers must be written 'Name:value','Name2:"
							  "value2', at \"%s\"",
							  p);
			curl_slist_free_all(list);
			return NULL;
		}
		end = strchr(p + 1, *p);
		if (end == NULL || memchr(p + 1, ':', end - p - 1) == NULL)
		{
			*error = psprintf("header %s has no closing quote or no ':'", p);
			curl_slist_free_all(list);
			return NULL;
		}
		h = pnstrdup(p + 1, end - p - 1);
		list = curl_slist_append(list, h);
		pfree(h);
		p = end + 1;
	}
	return list;
}

static void *
http_start(const SiddhiSinkPlan *plan, const char *app, int wake_fd,
		   char **error)
{
	HttpSink *hs = palloc0(sizeof(HttpSink));
	const char *user, *pass, *hdrs, *timeout;

	*error = NULL;
	if (!curl_ready)
	{
		if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		{
			*error = pstrdup("could not initialize libcurl");
			return NULL;
		}
		curl_ready = true;
	}
	hs->url = pstrdup(siddhi_conn_option(plan->options, "publisher.url", ""));
	hs->method = pstrdup(siddhi_conn_option(plan->options, "method", "POST"));
	user = siddhi_conn_option(plan->options, "basic.auth.username", NULL);
	pass = siddhi_conn_option(plan->options, "basic.auth.password", "");
	if (user)
		hs->userpwd = psprintf("%s:%s", user, pass);
	hdrs = siddhi_conn_option(plan->options, "headers", NULL);
	hs->headers = curl_slist_append(
		NULL, plan->map && pg_strcasecmp(plan->map->type, "json") == 0
				  ? "Content-Type: application/json"
				  : "Content-Type: text/plain");
	if (hdrs)
	{
		struct curl_slist *more = parse_headers(hdrs, error);

		if (*error)
		{
			curl_slist_free_all(hs->headers);
			return NULL;
		}
		for (struct curl_slist *h = more; h; h = h->next)
			hs->headers = curl_slist_append(hs->headers, h->data);
		curl_slist_free_all(more);
	}
	hs->headers = curl_slist_append(hs->headers, "Expect:");
	timeout =
		siddhi_conn_option(plan->options, "socket.idle.timeout", "30000");
	hs->timeout_ms = strtol(timeout, NULL, 10);
	if (hs->timeout_ms <= 0)
		hs->timeout_ms = 30000;
	hs->multi = curl_multi_init();
	if (hs->multi == NULL)
	{
		curl_slist_free_all(hs->headers);
		*error = pstrdup("could not create a curl multi handle");
		return NULL;
	}
	curl_multi_setopt(
		hs->multi, CURLMOPT_MAX_HOST_CONNECTIONS,
		strtol(siddhi_conn_option(plan->options, "max.connections", "4"), NULL,
			   10));
	hs->batch_size =
		strtol(siddhi_conn_option(plan->options, "batch.size", "1"), NULL, 10);
	if (hs->batch_size < 1)
		hs->batch_size = 1;
	if (hs->batch_size > 1 &&
		(plan->map == NULL || pg_strcasecmp(plan->map->type, "json") != 0))
	{
		curl_multi_cleanup(hs->multi);
		curl_slist_free_all(hs->headers);
		*error = pstrdup("batch.size needs @map(type = 'json'): a batch is "
						 "one JSON array");
		return NULL;
	}
	if (hs->batch_size > 1)
	{
		initStringInfo(&hs->batch);
		hs->batch_seqs = palloc(sizeof(int64) * hs->batch_size);
	}
	hs->acked = palloc(sizeof(int64) * HTTP_MAX_IN_FLIGHT);
	hs->failed = palloc(sizeof(int64) * HTTP_MAX_IN_FLIGHT);
	dlist_init(&hs->reqs);
	return hs;
}

/* One request with body payload for the rows seqs (or seq). */
static bool
submit(HttpSink *hs, const char *payload, int len, int64 seq,
	   const int64 *seqs, int nseqs)
{
	CURL *easy;
	HttpReq *r;

	easy = curl_easy_init();
	if (easy == NULL)
		return false;
	r = MemoryContextAllocZero(GetMemoryChunkContext(hs), sizeof(HttpReq));
	r->hs = hs;
	r->easy = easy;
	r->seq = seq;
	if (seqs)
	{
		r->seqs = MemoryContextAlloc(GetMemoryChunkContext(hs),
									 sizeof(int64) * nseqs);
		memcpy(r->seqs, seqs, sizeof(int64) * nseqs);
		r->nseqs = nseqs;
	}
	curl_easy_setopt(easy, CURLOPT_URL, hs->url);
	curl_easy_setopt(easy, CURLOPT_PRIVATE, r);
	curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, r->errbuf);
	curl_easy_setopt(easy, CURLOPT_HTTPHEADER, hs->headers);
	curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, hs->method);
	curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE, (long) len);
	curl_easy_setopt(easy, CURLOPT_COPYPOSTFIELDS, payload);
	curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, discard_body);
	curl_easy_setopt(easy, CURLOPT_OPENSOCKETFUNCTION,
					 siddhi_http_open_socket);
	curl_easy_setopt(easy, CURLOPT_OPENSOCKETDATA, &r->denied);
	curl_easy_setopt(easy, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(easy, CURLOPT_PROXY, "");
	curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, hs->timeout_ms);
	curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS,
					 Min(hs->timeout_ms, 10000L));
	if (hs->userpwd)
	{
		curl_easy_setopt(easy, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
		curl_easy_setopt(easy, CURLOPT_USERPWD, hs->userpwd);
	}
	if (curl_multi_add_handle(hs->multi, easy) != CURLM_OK)
	{
		curl_easy_cleanup(easy);
		if (r->seqs)
			pfree(r->seqs);
		pfree(r);
		return false;
	}
	dlist_push_tail(&hs->reqs, &r->node);
	hs->active += seqs ? nseqs : 1;
	return true;
}

/* Send the array being filled, if any ("[" + payloads joined by ","). */
static void
flush_batch(HttpSink *hs)
{
	if (hs->nbatch == 0)
		return;
	appendStringInfoChar(&hs->batch, ']');
	if (submit(hs, hs->batch.data, hs->batch.len, 0, hs->batch_seqs,
			   hs->nbatch))
	{
		resetStringInfo(&hs->batch);
		hs->nbatch = 0;
	}
	else
		hs->batch.data[--hs->batch.len] = '\0'; /* again at the next poll */
}

static bool
http_send(void *state, const SiddhiOutboxRow *row, char **error)
{
	HttpSink *hs = state;

	*error = NULL;
	if (hs->active + hs->nbatch + hs->nacked + hs->nfailed >=
		HTTP_MAX_IN_FLIGHT)
		return false;
	if (hs->batch_size == 1)
		return submit(hs, row->payload, row->len, row->seq, NULL, 0);
	if (hs->nbatch == hs->batch_size)
	{
		flush_batch(hs);
		if (hs->nbatch > 0)
			return false;
	}
	appendStringInfoChar(&hs->batch, hs->nbatch == 0 ? '[' : ',');
	appendBinaryStringInfo(&hs->batch, row->payload, row->len);
	hs->batch_seqs[hs->nbatch++] = row->seq;
	if (hs->nbatch == hs->batch_size)
		flush_batch(hs);
	return true;
}

/* Sort one finished request. */
static void
http_done(HttpSink *hs, CURL *easy, CURLcode result)
{
	HttpReq *r = NULL;
	long code = 0;

	int nrows;
	const int64 *seqs;

	curl_easy_getinfo(easy, CURLINFO_PRIVATE, (char **) &r);
	curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &code);
	nrows = r->seqs ? r->nseqs : 1;
	seqs = r->seqs ? r->seqs : &r->seq;
	if (result == CURLE_OK && code >= 200 && code < 300)
	{
		for (int i = 0; i < nrows; i++)
			hs->acked[hs->nacked++] = seqs[i];
		hs->connected = true;
	}
	else if (result == CURLE_OK &&
			 (code == 400 || code == 413 || code == 415 || code == 422))
	{
		ereport(LOG, (errmsg("http sink to \"%s\" dropped %d event(s): the "
							 "server answered %ld",
							 hs->url, nrows, code),
					  errdetail("The server refused the request itself; "
								"sending it again cannot help.")));
		snprintf(hs->last_error, sizeof(hs->last_error),
				 "dropped an event: the server answered %ld", code);
		for (int i = 0; i < nrows; i++)
			hs->acked[hs->nacked++] = seqs[i];
		hs->dropped_last += nrows;
		hs->connected = true;
	}
	else
	{
		for (int i = 0; i < nrows; i++)
			hs->failed[hs->nfailed++] = seqs[i];
		if (r->denied)
			snprintf(hs->last_error, sizeof(hs->last_error),
					 "the address of %s is not allowed by "
					 "siddhi.http_allowed_hosts",
					 hs->url);
		else if (result != CURLE_OK)
			snprintf(hs->last_error, sizeof(hs->last_error), "%s",
					 r->errbuf[0] ? r->errbuf : curl_easy_strerror(result));
		else
			snprintf(hs->last_error, sizeof(hs->last_error),
					 "the server answered %ld", code);
		hs->connected = result == CURLE_OK;
	}
	curl_multi_remove_handle(hs->multi, easy);
	curl_easy_cleanup(easy);
	dlist_delete(&r->node);
	if (r->seqs)
		pfree(r->seqs);
	pfree(r);
	hs->active -= nrows;
}

static void
http_poll(void *state, int64 *acked, int *nacked, int64 *failed, int *nfailed,
		  int max)
{
	HttpSink *hs = state;
	int running = 0;
	int left;
	CURLMsg *msg;

	hs->nacked = hs->nfailed = hs->dropped_last = 0;
	/* a partial array: what the delivery loop had is all there is now */
	if (hs->batch_size > 1)
		flush_batch(hs);
	curl_multi_perform(hs->multi, &running);
	if (hs->active > 0 && running == hs->active)
	{
		/* nothing finished yet: give the transfers a moment */
		curl_multi_poll(hs->multi, NULL, 0, 2, NULL);
		curl_multi_perform(hs->multi, &running);
	}
	while (hs->nacked + hs->nfailed < max &&
		   (msg = curl_multi_info_read(hs->multi, &left)) != NULL)
		if (msg->msg == CURLMSG_DONE)
			http_done(hs, msg->easy_handle, msg->data.result);
	memcpy(acked, hs->acked, sizeof(int64) * hs->nacked);
	memcpy(failed, hs->failed, sizeof(int64) * hs->nfailed);
	*nacked = hs->nacked;
	*nfailed = hs->nfailed;
}

static int
http_dropped(void *state)
{
	return ((HttpSink *) state)->dropped_last;
}

static void
http_status(void *state, char *error, int errlen, bool *connected,
			bool *broken)
{
	HttpSink *hs = state;

	strlcpy(error, hs->last_error, errlen);
	hs->last_error[0] = '\0';
	*connected = hs->connected;
	*broken = false;
}

static void
http_stop(void *state)
{
	HttpSink *hs = state;
	dlist_mutable_iter it;

	/* what is in flight stays in the outbox and is sent by the next start */
	dlist_foreach_modify(it, &hs->reqs)
	{
		HttpReq *r = dlist_container(HttpReq, node, it.cur);

		curl_multi_remove_handle(hs->multi, r->easy);
		curl_easy_cleanup(r->easy);
		dlist_delete(&r->node);
		if (r->seqs)
			pfree(r->seqs);
		pfree(r);
	}
	/* rows of an array not sent stay in the outbox as well */
	hs->nbatch = 0;
	curl_multi_cleanup(hs->multi);
	curl_slist_free_all(hs->headers);
}

const SiddhiSinkOps siddhi_http_sink_ops = {
	.type = "http",
	.start = http_start,
	.send = http_send,
	.poll = http_poll,
	.status = http_status,
	.stop = http_stop,
	.dropped = http_dropped,
};
