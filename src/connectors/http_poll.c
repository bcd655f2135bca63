/*-------------------------------------------------------------------------
 *
 * http_poll.c
 *	  The polling http source: @source(type = 'http', url = '..',
 *	  interval = '..') (SQL: CREATE SOURCE .. WITH (type = 'http', url =
 *	  ..)), in the engine worker, with libcurl's multi interface.
 *
 * Every interval ms (from the end of the previous request) one request,
 * method GET (or POST with body), with If-None-Match / If-Modified-Since
 * from the last 2xx answer's ETag / Last-Modified.  The source's poll
 * drives the transfer without blocking (curl_multi_perform); when it is
 * over:
 *
 *	 2xx with a body  one record (the mapper makes one event of an object,
 *					  many of a JSON array)
 *	 304			  nothing new
 *	 other status, a  nothing; the error shows in siddhi.sources
 *	 connection error (last_error), and the next request goes at the
 *					  next interval
 *
 * Where it may connect: siddhi.http_allowed_hosts, checked on the address
 * curl connects to (http_common.c), as for the HTTP sink.  Redirects are
 * not followed, proxies from the environment are not used.  A body over
 * max.body.bytes (default 16 MB) fails the request.  Memory: one body.
 *
 * Guarantee: at least once.  The ETag is kept in the worker's memory only,
 * so after a restart the first request is unconditional and may bring
 * events again that were committed before.
 *
 * No curl callback calls a PostgreSQL function: they copy bytes into
 * malloc'd or fixed buffers.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <curl/curl.h>

#include "siddhi/source.h"
#include "utils/builtins.h"
#include "utils/timestamp.h"

#include "http_int.h"
#include "http_source_int.h"

#define DEFAULT_MAX_BODY (16 * 1024 * 1024)

typedef struct HttpPoll
{
	bool is_poll; /* true */
	CURLM *multi;
	CURL *easy; /* in flight, or NULL */
	char *url;
	char *method;
	char *body; /* POST body, or NULL */
	char *userpwd;
	char *bearer; /* "Authorization: Bearer .." */
	char *extra_headers;
	long timeout_ms;
	int interval_ms;
	size_t max_body;
	int64 due; /* ms since the epoch */
	/* the answer being received */
	char *buf; /* malloc'd */
	size_t len;
	size_t cap;
	bool too_big;
	char new_etag[256];
	char new_lastmod[128];
	/* kept from the last 2xx */
	char etag[256];
	char lastmod[128];
	/* the record returned, valid until the next poll */
	char *record; /* malloc'd */
	size_t reclen;
	bool denied;
	bool connected;
	int64 requests;
	int64 not_modified;
	long last_status;
	char errbuf[CURL_ERROR_SIZE];
	char last_error[256];
} HttpPoll;

static bool curl_ready = false;

static int64
now_ms(void)
{
	return (int64) (GetCurrentTimestamp() / 1000) +
		   (int64) (POSTGRES_EPOCH_JDATE - UNIX_EPOCH_JDATE) * SECS_PER_DAY *
			   1000;
}

static size_t
on_body(char *ptr, size_t size, size_t nmemb, void *userdata)
{
	HttpPoll *p = userdata;
	size_t n = size * nmemb;

	if (p->len + n > p->max_body)
	{
		p->too_big = true;
		return 0; /* curl fails the transfer */
	}
	if (p->len + n > p->cap)
	{
		size_t cap = Max(p->cap * 2, p->len + n);
		char *b;

		cap = Min(cap, p->max_body);
		b = realloc(p->buf, cap);
		if (b == NULL)
			return 0;
		p->buf = b;
		p->cap = cap;
	}
	memcpy(p->buf + p->len, ptr, n);
	p->len += n;
	return n;
}

/* "Name: value\r\n": keep ETag and Last-Modified (fixed buffers). */
static size_t
on_header(char *ptr, size_t size, size_t nitems, void *userdata)
{
	HttpPoll *p = userdata;
	size_t n = size * nitems;
	char *dst = NULL;
	size_t cap = 0;
	size_t skip = 0;

	if (n > 5 && pg_strncasecmp(ptr, "ETag:", 5) == 0)
		dst = p->new_etag, cap = sizeof(p->new_etag), skip = 5;
	else if (n > 14 && pg_strncasecmp(ptr, "Last-Modified:", 14) == 0)
		dst = p->new_lastmod, cap = sizeof(p->new_lastmod), skip = 14;
	if (dst)
	{
		size_t start = skip, end = n;

		while (start < end && (ptr[start] == ' ' || ptr[start] == '\t'))
			start++;
		while (end > start && (ptr[end - 1] == '\r' || ptr[end - 1] == '\n' ||
							   ptr[end - 1] == ' '))
			end--;
		if (end - start < cap)
		{
			memcpy(dst, ptr + start, end - start);
			dst[end - start] = '\0';
		}
	}
	return n;
}

void *
siddhi_http_poll_start(const SiddhiSourcePlan *plan, const char *app)
{
	HttpPoll *p = palloc0(sizeof(HttpPoll));
	List *o = plan->options;
	const char *auth = siddhi_conn_option(o, "auth.type", "none");
	const char *user = siddhi_conn_option(o, "basic.auth.username", NULL);

	if (!curl_ready)
	{
		if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
			elog(ERROR, "libcurl could not be initialized");
		curl_ready = true;
	}
	p->is_poll = true;
	p->url = pstrdup(siddhi_conn_option(o, "url", ""));
	p->method = pstrdup(siddhi_conn_option(o, "method", "GET"));
	p->body = (char *) siddhi_conn_option(o, "body", NULL);
	p->interval_ms = pg_strtoint32(siddhi_conn_option(o, "interval", "1000"));
	p->timeout_ms = pg_strtoint32(siddhi_conn_option(o, "timeout", "10000"));
	p->max_body = DEFAULT_MAX_BODY;
	if (siddhi_conn_option(o, "max.body.bytes", NULL))
		p->max_body =
			pg_strtoint32(siddhi_conn_option(o, "max.body.bytes", NULL));
	if (pg_strcasecmp(auth, "bearer") == 0)
		p->bearer = psprintf("Authorization: Bearer %s",
							 siddhi_conn_option(o, "auth.token", ""));
	if (pg_strcasecmp(auth, "basic") == 0 || user)
		p->userpwd =
			psprintf("%s:%s", user ? user : "",
					 siddhi_conn_option(o, "basic.auth.password", ""));
	p->extra_headers = (char *) siddhi_conn_option(o, "headers", NULL);
	p->multi = curl_multi_init();
	if (p->multi == NULL)
		elog(ERROR, "libcurl could not make a multi handle");
	p->due = 0; /* at once */
	return p;
}

/* 'Name: value','Name2: value2' into a curl list (NULL on a bad spec). */
static struct curl_slist *
add_headers(struct curl_slist *list, const char *spec)
{
	const char *q = spec;

	while (q && *q)
	{
		const char *end;
		char h[1024];

		while (*q == ' ' || *q == ',')
			q++;
		if (*q == '\0')
			break;
		if (*q != '\'' && *q != '"')
			break;
		end = strchr(q + 1, *q);
		if (end == NULL || end - q - 1 >= (int) sizeof(h))
			break;
		memcpy(h, q + 1, end - q - 1);
		h[end - q - 1] = '\0';
		list = curl_slist_append(list, h);
		q = end + 1;
	}
	return list;
}

static void
begin_request(HttpPoll *p)
{
	CURL *e = curl_easy_init();
	struct curl_slist *h = NULL;
	char line[512];

	if (e == NULL)
		elog(ERROR, "libcurl could not make a request");
	p->len = 0;
	p->too_big = false;
	p->denied = false;
	p->new_etag[0] = p->new_lastmod[0] = '\0';
	p->errbuf[0] = '\0';
	curl_easy_setopt(e, CURLOPT_URL, p->url);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(e, CURLOPT_NOPROXY, "*");
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, p->timeout_ms);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, p->errbuf);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, p);
	curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(e, CURLOPT_HEADERDATA, p);
	curl_easy_setopt(e, CURLOPT_OPENSOCKETFUNCTION, siddhi_http_open_socket);
	curl_easy_setopt(e, CURLOPT_OPENSOCKETDATA, &p->denied);
	if (pg_strcasecmp(p->method, "POST") == 0)
	{
		curl_easy_setopt(e, CURLOPT_POST, 1L);
		curl_easy_setopt(e, CURLOPT_POSTFIELDS, p->body ? p->body : "");
		h = curl_slist_append(h, "Content-Type: application/json");
	}
	if (p->etag[0])
	{
		snprintf(line, sizeof(line), "If-None-Match: %s", p->etag);
		h = curl_slist_append(h, line);
	}
	if (p->lastmod[0])
	{
		snprintf(line, sizeof(line), "If-Modified-Since: %s", p->lastmod);
		h = curl_slist_append(h, line);
	}
	if (p->bearer)
		h = curl_slist_append(h, p->bearer);
	h = add_headers(h, p->extra_headers);
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(e, CURLOPT_PRIVATE, h);
	if (p->userpwd)
	{
		curl_easy_setopt(e, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
		curl_easy_setopt(e, CURLOPT_USERPWD, p->userpwd);
	}
	if (curl_multi_add_handle(p->multi, e) != CURLM_OK)
	{
		curl_slist_free_all(h);
		curl_easy_cleanup(e);
		elog(ERROR, "libcurl could not start a request");
	}
	p->easy = e;
	p->requests++;
}

static void
end_request(HttpPoll *p)
{
	struct curl_slist *h = NULL;

	curl_easy_getinfo(p->easy, CURLINFO_PRIVATE, (char **) &h);
	curl_multi_remove_handle(p->multi, p->easy);
	curl_easy_cleanup(p->easy);
	curl_slist_free_all(h);
	p->easy = NULL;
	p->due = now_ms() + p->interval_ms;
}

int
siddhi_http_poll_poll(void *state, SiddhiSourceRecord *records, int max)
{
	HttpPoll *p = state;
	int running = 0;
	int left = 0;
	CURLMsg *msg;
	int n = 0;

	if (p->record)
	{
		free(p->record);
		p->record = NULL;
	}
	if (p->easy == NULL)
	{
		if (now_ms() < p->due)
			return 0;
		begin_request(p);
	}
	curl_multi_perform(p->multi, &running);
	while ((msg = curl_multi_info_read(p->multi, &left)) != NULL)
	{
		long status = 0;

		if (msg->msg != CURLMSG_DONE || msg->easy_handle != p->easy)
			continue;
		curl_easy_getinfo(p->easy, CURLINFO_RESPONSE_CODE, &status);
		p->last_status = status;
		if (msg->data.result != CURLE_OK)
		{
			p->connected = false;
			if (p->denied)
				snprintf(p->last_error, sizeof(p->last_error),
						 "the address of %s is not in "
						 "siddhi.http_allowed_hosts",
						 p->url);
			else if (p->too_big)
				snprintf(p->last_error, sizeof(p->last_error),
						 "the answer is larger than max.body.bytes (%zu)",
						 p->max_body);
			else
				snprintf(p->last_error, sizeof(p->last_error), "%s",
						 p->errbuf[0] ? p->errbuf
									  : curl_easy_strerror(msg->data.result));
		}
		else if (status == 304)
		{
			p->connected = true;
			p->not_modified++;
		}
		else if (status >= 200 && status < 300)
		{
			p->connected = true;
			p->last_error[0] = '\0';
			strlcpy(p->etag, p->new_etag, sizeof(p->etag));
			strlcpy(p->lastmod, p->new_lastmod, sizeof(p->lastmod));
			if (p->len > 0 && max > 0)
			{
				/* hand the buffer over; a new one for the next answer */
				p->record = p->buf;
				p->reclen = p->len;
				p->buf = NULL;
				p->cap = 0;
				p->len = 0;
				memset(&records[0], 0, sizeof(SiddhiSourceRecord));
				records[0].data = p->record;
				records[0].len = (int) p->reclen;
				records[0].timestamp = -1;
				n = 1;
			}
		}
		else
		{
			p->connected = true;
			snprintf(p->last_error, sizeof(p->last_error),
					 "%s answered HTTP %ld", p->url, status);
		}
		end_request(p);
		break;
	}
	return n;
}

void
siddhi_http_poll_status(void *state, SiddhiSourceStatus *st)
{
	HttpPoll *p = state;

	st->connected = p->connected;
	strlcpy(st->last_error, p->last_error, sizeof(st->last_error));
	snprintf(st->detail, sizeof(st->detail),
			 "%lld requests, %lld not modified, last status %ld",
			 (long long) p->requests, (long long) p->not_modified,
			 p->last_status);
}

void
siddhi_http_poll_stop(void *state)
{
	HttpPoll *p = state;

	if (p->easy)
	{
		struct curl_slist *h = NULL;

		curl_easy_getinfo(p->easy, CURLINFO_PRIVATE, (char **) &h);
		curl_multi_remove_handle(p->multi, p->easy);
		curl_easy_cleanup(p->easy);
		curl_slist_free_all(h);
		p->easy = NULL;
	}
	if (p->multi)
		curl_multi_cleanup(p->multi);
	p->multi = NULL;
	free(p->buf);
	free(p->record);
	p->buf = p->record = NULL;
}
