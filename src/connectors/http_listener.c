/*-------------------------------------------------------------------------
 *
 * http_listener.c
 *	  The webhook listener: one background worker per cluster, with
 *	  libmicrohttpd, that takes POSTs for the http sources of every
 *	  database and hands their bodies to each database's engine worker.
 *
 * It is registered at _PG_init (siddhi in shared_preload_libraries) and
 * runs always, idle while no http source is loaded: it listens on no port
 * until an engine registers a route (port, path) for a source it started,
 * and closes a port once no route uses it.  It binds each port to
 * siddhi.http_listen_address (127.0.0.1 unless configured).  It connects
 * to no database and runs no user code and no SQL: a request's body goes
 * into a shared-memory slot (http_int.h), the engine of the route's
 * database is woken through its latch, and the connection is suspended
 * until the engine writes the answer into the slot, after its batch
 * commits (http_source.c).  Answers made here, without an engine:
 *
 *	 404  no route at this port and path
 *	 405  not a POST
 *	 413  body over siddhi.http_max_body (from Content-Length, or counted)
 *	 503  (Retry-After: 1) the route's engine is not running, no slot is
 *		  free (siddhi.http_max_requests), or the engine did not take the
 *		  request within siddhi.http_queue_timeout
 *
 * Memory: at most 1,024 connections per port, each with a body buffer
 * grown as the body comes, up to siddhi.http_max_body.
 *
 * libmicrohttpd runs in this process's one thread (external epoll mode):
 * its callbacks run inside MHD_run, called by this loop, and use malloc,
 * never palloc or ereport.  A port that cannot be bound is retried every
 * 5 s; the error shows in siddhi.sources of its sources.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "miscadmin.h"
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "postmaster/interrupt.h"
#include "siddhi/http.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "storage/proc.h"
#include "utils/guc.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"

#include "http_int.h"

#define BIND_RETRY_MS 5000
#define MAX_DAEMONS HTTP_MAX_ROUTES
/* per port; each holds at most siddhi.http_max_body of body */
#define MAX_CONNECTIONS 1024

PGDLLEXPORT void siddhi_http_listener_main(Datum arg);

typedef struct Daemon
{
	int port;
	struct MHD_Daemon *d; /* NULL: not bound (yet) */
	int nconns;			  /* connections with a Conn */
	TimestampTz retry_at;
	bool wanted; /* a route uses the port */
	bool tls;	 /* its routes are https */
	char *key;	 /* TLS: the PEM files' contents, malloc'd */
	char *cert;
} Daemon;

typedef struct Conn
{
	struct Conn *next; /* in suspended */
	struct MHD_Connection *con;
	Daemon *dm;
	int slot; /* -1: none */
	bool in_queue;
	int status; /* an answer made here, or 0 */
	char answer[HTTP_ANSWER_LEN];
	size_t len;
	size_t cap;
	char *buf;
} Conn;

static Daemon daemons[MAX_DAEMONS];
static int ndaemons = 0;
static Conn *suspended = NULL;
static bool sets_changed = true;

void
siddhi_register_http_listener(void)
{
	BackgroundWorker w;

	memset(&w, 0, sizeof(w));
	w.bgw_flags = BGWORKER_SHMEM_ACCESS;
	w.bgw_start_time = BgWorkerStart_RecoveryFinished;
	w.bgw_restart_time = 5;
	snprintf(w.bgw_library_name, BGW_MAXLEN, "siddhi");
	snprintf(w.bgw_function_name, BGW_MAXLEN, "siddhi_http_listener_main");
	snprintf(w.bgw_name, BGW_MAXLEN, "siddhi http listener");
	snprintf(w.bgw_type, BGW_MAXLEN, "siddhi http listener");
	RegisterBackgroundWorker(&w);
}

/* The route at port and path: its id, and whether its engine runs. */
static bool
find_route(int port, const char *path, uint32 *id, bool *active, int *procno)
{
	bool found = false;

	SpinLockAcquire(&siddhi_http_shared->mutex);
	for (int i = 0; i < HTTP_MAX_ROUTES; i++)
	{
		HttpRoute *r = &siddhi_http_shared->routes[i];

		if (r->used && r->port == port && strcmp(r->path, path) == 0)
		{
			*id = r->id;
			*active = r->active;
			*procno = r->engine_procno;
			found = true;
			break;
		}
	}
	SpinLockRelease(&siddhi_http_shared->mutex);
	return found;
}

static void
set_answer(Conn *c, int status, const char *msg)
{
	c->status = status;
	siddhi_http_error_json(c->answer, sizeof(c->answer), msg);
}

static enum MHD_Result
send_answer(struct MHD_Connection *con, int status, const char *body)
{
	struct MHD_Response *resp;
	enum MHD_Result ret;

	resp = MHD_create_response_from_buffer(strlen(body), (void *) body,
										   MHD_RESPMEM_MUST_COPY);
	if (resp == NULL)
		return MHD_NO;
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
							"application/json");
	if (status == 503)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_RETRY_AFTER, "1");
	if (status == 401)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_WWW_AUTHENTICATE,
								"Basic realm=\"siddhi\"");
	ret = MHD_queue_response(con, status, resp);
	MHD_destroy_response(resp);
	return ret;
}

static void
copy_header(struct MHD_Connection *con, const char *name, char *dst, int len)
{
	const char *v = MHD_lookup_connection_value(con, MHD_HEADER_KIND, name);

	dst[0] = '\0';
	if (v)
		strlcpy(dst, v, len);
}

/* Put a complete request into a free slot and wake its engine. */
static void
enqueue(Conn *c, const char *url)
{
	uint32 id = 0;
	bool active = false;
	int procno = -1;
	int found = -1;
	HttpSlot *s;

	SpinLockAcquire(&siddhi_http_shared->mutex);
	for (int i = 0; i < siddhi_http_shared->nslots; i++)
		if (http_slot(i)->state == HTTP_SLOT_FREE)
		{
			found = i;
			http_slot(i)->state = HTTP_SLOT_FILLING;
			http_slot(i)->abandoned = false;
			if (i >= siddhi_http_shared->used_hi)
				siddhi_http_shared->used_hi = i + 1;
			break;
		}
	SpinLockRelease(&siddhi_http_shared->mutex);
	if (found < 0)
	{
		set_answer(c, 503, "too many requests are waiting; retry later");
		return;
	}
	s = http_slot(found);
	if (c->len > 0)
		memcpy(http_slot_body(s), c->buf, c->len);
	s->len = (int) c->len;
	copy_header(c->con, MHD_HTTP_HEADER_AUTHORIZATION, s->auth,
				sizeof(s->auth));
	copy_header(c->con, "X-Siddhi-Signature", s->signature,
				sizeof(s->signature));
	c->slot = found;
	/* the route again: it may have gone while the body came */
	if (!find_route(c->dm->port, url, &id, &active, &procno) || !active)
	{
		SpinLockAcquire(&siddhi_http_shared->mutex);
		s->state = HTTP_SLOT_FREE;
		SpinLockRelease(&siddhi_http_shared->mutex);
		c->slot = -1;
		set_answer(c, 503, "the engine of this source is not running");
		return;
	}
	SpinLockAcquire(&siddhi_http_shared->mutex);
	s->route_id = id;
	s->seq = siddhi_http_shared->next_seq++;
	s->queued_at = GetCurrentTimestamp();
	s->state = HTTP_SLOT_QUEUED;
	SpinLockRelease(&siddhi_http_shared->mutex);
	siddhi_http_wake(procno);
	MHD_suspend_connection(c->con);
	c->in_queue = true;
	c->next = suspended;
	suspended = c;
}

static enum MHD_Result
handle(void *cls, struct MHD_Connection *con, const char *url,
	   const char *method, const char *version, const char *upload_data,
	   size_t *upload_data_size, void **con_cls)
{
	Daemon *dm = cls;
	Conn *c = *con_cls;

	if (c == NULL)
	{
		uint32 id;
		bool active;
		int procno;
		const char *cl;

		c = calloc(1, sizeof(Conn));
		if (c == NULL)
			return MHD_NO;
		c->con = con;
		c->dm = dm;
		c->slot = -1;
		dm->nconns++;
		*con_cls = c;
		if (!find_route(dm->port, url, &id, &active, &procno))
			set_answer(c, 404, "no http source listens at this path");
		else if (strcmp(method, MHD_HTTP_METHOD_POST) != 0)
			set_answer(c, 405, "an http source takes POST requests");
		else if (!active)
			set_answer(c, 503, "the engine of this source is not running");
		else if ((cl = MHD_lookup_connection_value(
					  con, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH)) !=
					 NULL &&
				 strtoll(cl, NULL, 10) > siddhi_http_max_body)
			set_answer(c, 413, "the body is larger than siddhi.http_max_body");
		/* answered before the body: it is not read at all */
		if (c->status != 0)
			return send_answer(con, c->status, c->answer);
		return MHD_YES;
	}
	if (*upload_data_size > 0)
	{
		if (c->status == 0)
		{
			if (c->len + *upload_data_size > (size_t) siddhi_http_max_body)
				set_answer(c, 413,
						   "the body is larger than siddhi.http_max_body");
			else
			{
				/* grown as the body comes, up to siddhi.http_max_body */
				size_t need = c->len + *upload_data_size;

				if (need > c->cap)
				{
					size_t cap = Min(Max(need, c->cap * 2),
									 (size_t) siddhi_http_max_body);
					char *b = realloc(c->buf, cap);

					if (b == NULL)
					{
						set_answer(c, 503, "out of memory; retry later");
						*upload_data_size = 0;
						return MHD_YES;
					}
					c->buf = b;
					c->cap = cap;
				}
				memcpy(c->buf + c->len, upload_data, *upload_data_size);
				c->len = need;
			}
		}
		*upload_data_size = 0;
		return MHD_YES;
	}
	/* the whole request is here (or we were resumed with the answer) */
	if (c->status == 0 && c->slot < 0)
	{
		enqueue(c, url);
		if (c->status == 0)
			return MHD_YES; /* suspended until the engine answers */
	}
	if (c->status == 0)
		return MHD_NO; /* cannot happen: resumed without an answer */
	return send_answer(con, c->status, c->answer);
}

/* The request is over (answered, or the client went away). */
static void
completed(void *cls, struct MHD_Connection *con, void **con_cls,
		  enum MHD_RequestTerminationCode toe)
{
	Conn *c = *con_cls;

	if (c == NULL)
		return;
	if (c->slot >= 0)
	{
		HttpSlot *s = http_slot(c->slot);

		SpinLockAcquire(&siddhi_http_shared->mutex);
		if (s->state == HTTP_SLOT_TAKEN)
			s->abandoned = true; /* the engine frees it when done */
		else
			s->state = HTTP_SLOT_FREE;
		SpinLockRelease(&siddhi_http_shared->mutex);
	}
	if (c->in_queue)
	{
		for (Conn **p = &suspended; *p; p = &(*p)->next)
			if (*p == c)
			{
				*p = c->next;
				break;
			}
	}
	c->dm->nconns--;
	free(c->buf);
	free(c);
	*con_cls = NULL;
}

/* Resume the connections whose answer is there or whose wait is over. */
static bool
resume_answered(void)
{
	TimestampTz now = GetCurrentTimestamp();
	bool any = false;
	Conn **p = &suspended;

	while (*p)
	{
		Conn *c = *p;
		HttpSlot *s = http_slot(c->slot);
		bool ready = false;

		SpinLockAcquire(&siddhi_http_shared->mutex);
		if (s->state == HTTP_SLOT_DONE)
		{
			c->status = s->status;
			memcpy(c->answer, s->answer, sizeof(c->answer));
			s->state = HTTP_SLOT_FREE;
			ready = true;
		}
		else if (s->state == HTTP_SLOT_QUEUED &&
				 TimestampDifferenceExceeds(s->queued_at, now,
											siddhi_http_queue_timeout_ms))
		{
			s->state = HTTP_SLOT_FREE;
			ready = true;
		}
		SpinLockRelease(&siddhi_http_shared->mutex);
		if (!ready)
		{
			p = &c->next;
			continue;
		}
		if (c->status == 0)
			set_answer(c, 503, "the engine did not take the request in time");
		c->slot = -1;
		c->in_queue = false;
		*p = c->next;
		MHD_resume_connection(c->con);
		any = true;
	}
	return any;
}

/*
 * Shutting down: every connection still waiting is answered (503, or the
 * engine's answer if it came) and resumed, because libmicrohttpd may not
 * stop a daemon with suspended connections (it aborts the process, and a
 * fast shutdown became a crash).
 */
static void
resume_all(void)
{
	while (suspended)
	{
		Conn *c = suspended;
		HttpSlot *s = http_slot(c->slot);

		SpinLockAcquire(&siddhi_http_shared->mutex);
		if (s->state == HTTP_SLOT_DONE)
		{
			c->status = s->status;
			memcpy(c->answer, s->answer, sizeof(c->answer));
			s->state = HTTP_SLOT_FREE;
		}
		else if (s->state == HTTP_SLOT_TAKEN)
			s->abandoned = true; /* the engine frees it when done */
		else
			s->state = HTTP_SLOT_FREE;
		SpinLockRelease(&siddhi_http_shared->mutex);
		if (c->status == 0)
			set_answer(c, 503, "the server is shutting down");
		c->slot = -1;
		c->in_queue = false;
		suspended = c->next;
		MHD_resume_connection(c->con);
	}
}

static void
note_bind_error(int port, const char *msg)
{
	SpinLockAcquire(&siddhi_http_shared->mutex);
	for (int i = 0; i < HTTP_MAX_ROUTES; i++)
	{
		HttpRoute *r = &siddhi_http_shared->routes[i];

		if (r->used && r->port == port)
			strlcpy(r->bind_error, msg, sizeof(r->bind_error));
	}
	SpinLockRelease(&siddhi_http_shared->mutex);
}

/* A whole file into malloc'd memory (NUL-terminated), or NULL. */
static char *
read_file(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf;
	long len;

	if (f == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) != 0 || (len = ftell(f)) < 0 ||
		len > 1024 * 1024 || fseek(f, 0, SEEK_SET) != 0 ||
		(buf = malloc(len + 1)) == NULL)
	{
		fclose(f);
		return NULL;
	}
	if (fread(buf, 1, len, f) != (size_t) len)
	{
		free(buf);
		fclose(f);
		return NULL;
	}
	buf[len] = '\0';
	fclose(f);
	return buf;
}

static void
free_tls(Daemon *dm)
{
	free(dm->key);
	free(dm->cert);
	dm->key = dm->cert = NULL;
}

/* siddhi.http_tls_key_file and _cert_file, read for an https port. */
static bool
load_tls(Daemon *dm)
{
	char msg[HTTP_ERROR_LEN];

	free_tls(dm);
	if (!MHD_is_feature_supported(MHD_FEATURE_TLS))
		snprintf(msg, sizeof(msg), "this libmicrohttpd has no TLS");
	else if ((dm->cert = read_file(siddhi_http_tls_cert_file)) == NULL)
		snprintf(msg, sizeof(msg),
				 "cannot read siddhi.http_tls_cert_file "
				 "\"%s\": %m",
				 siddhi_http_tls_cert_file);
	else if ((dm->key = read_file(siddhi_http_tls_key_file)) == NULL)
		snprintf(msg, sizeof(msg),
				 "cannot read siddhi.http_tls_key_file "
				 "\"%s\": %m",
				 siddhi_http_tls_key_file);
	else
		return true;
	free_tls(dm);
	note_bind_error(dm->port, msg);
	ereport(LOG, (errmsg("siddhi http listener: %s", msg)));
	dm->retry_at = GetCurrentTimestamp() + BIND_RETRY_MS * 1000L;
	return false;
}

static void
bind_daemon(Daemon *dm)
{
	const char *addr = siddhi_http_listen_address;
	struct sockaddr_in sin;
	struct sockaddr_in6 sin6;
	unsigned int flags = MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME;
	struct sockaddr *sa = NULL;

	memset(&sin, 0, sizeof(sin));
	memset(&sin6, 0, sizeof(sin6));
	if (addr == NULL || *addr == '\0')
		addr = "127.0.0.1";
	if (strcmp(addr, "*") == 0)
		flags |= MHD_USE_DUAL_STACK;
	else if (inet_pton(AF_INET, addr, &sin.sin_addr) == 1)
	{
		sin.sin_family = AF_INET;
		sin.sin_port = htons(dm->port);
		sa = (struct sockaddr *) &sin;
	}
	else if (inet_pton(AF_INET6, addr, &sin6.sin6_addr) == 1)
	{
		sin6.sin6_family = AF_INET6;
		sin6.sin6_port = htons(dm->port);
		sa = (struct sockaddr *) &sin6;
		flags |= MHD_USE_IPv6;
	}
	else
	{
		note_bind_error(dm->port, "siddhi.http_listen_address is not an "
								  "IP address or '*'");
		dm->retry_at = GetCurrentTimestamp() + BIND_RETRY_MS * 1000L;
		return;
	}
	{
		struct MHD_OptionItem opts[8];
		int n = 0;

		opts[n++] = (struct MHD_OptionItem){ MHD_OPTION_NOTIFY_COMPLETED,
											 (intptr_t) completed, NULL };
		opts[n++] =
			(struct MHD_OptionItem){ MHD_OPTION_CONNECTION_TIMEOUT, 60, NULL };
		opts[n++] = (struct MHD_OptionItem){ MHD_OPTION_CONNECTION_LIMIT,
											 MAX_CONNECTIONS, NULL };
		opts[n++] =
			(struct MHD_OptionItem){ MHD_OPTION_LISTENING_ADDRESS_REUSE, 1,
									 NULL };
		if (sa)
			opts[n++] = (struct MHD_OptionItem){ MHD_OPTION_SOCK_ADDR, 0,
												 (void *) sa };
		if (dm->tls)
		{
			if (!load_tls(dm))
				return;
			flags |= MHD_USE_TLS;
			opts[n++] = (struct MHD_OptionItem){ MHD_OPTION_HTTPS_MEM_KEY, 0,
												 dm->key };
			opts[n++] = (struct MHD_OptionItem){ MHD_OPTION_HTTPS_MEM_CERT, 0,
												 dm->cert };
		}
		opts[n++] = (struct MHD_OptionItem){ MHD_OPTION_END, 0, NULL };
		dm->d = MHD_start_daemon(flags, dm->port, NULL, NULL, handle, dm,
								 MHD_OPTION_ARRAY, opts, MHD_OPTION_END);
	}
	if (dm->d == NULL)
	{
		char msg[HTTP_ERROR_LEN];

		free_tls(dm);
		snprintf(msg, sizeof(msg), "cannot listen on %s port %d: %m", addr,
				 dm->port);
		note_bind_error(dm->port, msg);
		ereport(LOG, (errmsg("siddhi http listener: %s", msg)));
		dm->retry_at = GetCurrentTimestamp() + BIND_RETRY_MS * 1000L;
		return;
	}
	note_bind_error(dm->port, "");
	ereport(DEBUG1, (errmsg("siddhi http listener: listening on %s port %d",
							addr, dm->port)));
	sets_changed = true;
}

/* Open the ports routes use, close those none uses. */
static void
sync_daemons(void)
{
	int ports[HTTP_MAX_ROUTES];
	bool tls[HTTP_MAX_ROUTES];
	int nports = 0;

	SpinLockAcquire(&siddhi_http_shared->mutex);
	for (int i = 0; i < HTTP_MAX_ROUTES; i++)
	{
		HttpRoute *r = &siddhi_http_shared->routes[i];
		bool seen = false;

		if (!r->used)
			continue;
		for (int j = 0; j < nports; j++)
			seen |= ports[j] == r->port;
		if (!seen)
		{
			tls[nports] = r->tls;
			ports[nports++] = r->port;
		}
	}
	SpinLockRelease(&siddhi_http_shared->mutex);

	for (int i = 0; i < ndaemons; i++)
		daemons[i].wanted = false;
	for (int j = 0; j < nports; j++)
	{
		Daemon *dm = NULL;

		for (int i = 0; i < ndaemons; i++)
			if (daemons[i].port == ports[j])
				dm = &daemons[i];
		if (dm == NULL)
		{
			/* a free entry (an old port's, closed) or a new one */
			for (int i = 0; i < ndaemons && dm == NULL; i++)
				if (daemons[i].d == NULL && daemons[i].nconns == 0 &&
					daemons[i].port == 0)
					dm = &daemons[i];
			if (dm == NULL && ndaemons < MAX_DAEMONS)
				dm = &daemons[ndaemons++];
			if (dm == NULL)
				continue;
			memset(dm, 0, sizeof(Daemon));
			dm->port = ports[j];
			dm->tls = tls[j];
		}
		/* the scheme changed (all routes went, others came): reopen */
		if (dm->tls != tls[j] && dm->nconns == 0)
		{
			if (dm->d)
				MHD_stop_daemon(dm->d);
			dm->d = NULL;
			free_tls(dm);
			dm->tls = tls[j];
			dm->retry_at = 0;
			sets_changed = true;
		}
		dm->wanted = true;
	}
	for (int i = 0; i < ndaemons; i++)
	{
		Daemon *dm = &daemons[i];

		if (dm->port == 0)
			continue;
		if (!dm->wanted && dm->nconns == 0)
		{
			if (dm->d)
			{
				MHD_stop_daemon(dm->d);
				ereport(DEBUG1, (errmsg("siddhi http listener: closed port %d",
										dm->port)));
			}
			free_tls(dm);
			dm->d = NULL;
			dm->port = 0;
			sets_changed = true;
		}
		else if (dm->wanted && dm->d == NULL &&
				 GetCurrentTimestamp() >= dm->retry_at)
			bind_daemon(dm);
	}
}

static void
listener_exit(int code, Datum arg)
{
	SpinLockAcquire(&siddhi_http_shared->mutex);
	if (siddhi_http_shared->listener_procno == MyProc->pgprocno)
		siddhi_http_shared->listener_procno = -1;
	SpinLockRelease(&siddhi_http_shared->mutex);
}

void
siddhi_http_listener_main(Datum arg)
{
	WaitEventSet *set = NULL;
	uint32 seen_gen = 0;
	bool first = true;

	pqsignal(SIGTERM, SignalHandlerForShutdownRequest);
	pqsignal(SIGHUP, SignalHandlerForConfigReload);
	BackgroundWorkerUnblockSignals();

	SpinLockAcquire(&siddhi_http_shared->mutex);
	siddhi_http_shared->listener_procno = MyProc->pgprocno;
	/* requests of a listener before us are gone with its connections */
	for (int i = 0; i < siddhi_http_shared->nslots; i++)
	{
		HttpSlot *s = http_slot(i);

		if (s->state == HTTP_SLOT_TAKEN)
			s->abandoned = true;
		else if (s->state != HTTP_SLOT_FREE)
			s->state = HTTP_SLOT_FREE;
	}
	SpinLockRelease(&siddhi_http_shared->mutex);
	before_shmem_exit(listener_exit, 0);

	while (!ShutdownRequestPending)
	{
		uint32 gen = pg_atomic_read_u32(&siddhi_http_shared->routes_gen);
		long timeout = 1000;
		bool retrying = false;

		if (ConfigReloadPending)
		{
			ConfigReloadPending = false;
			ProcessConfigFile(PGC_SIGHUP);
		}
		if (first || gen != seen_gen)
		{
			first = false;
			seen_gen = gen;
			sync_daemons();
		}
		for (int i = 0; i < ndaemons; i++)
			if (daemons[i].wanted && daemons[i].d == NULL)
				retrying = true;
		if (retrying)
			sync_daemons();
		if (sets_changed)
		{
			if (set)
				FreeWaitEventSet(set);
			set = CreateWaitEventSet(TopMemoryContext, ndaemons + 2);
			AddWaitEventToSet(set, WL_LATCH_SET, PGINVALID_SOCKET, MyLatch,
							  NULL);
			AddWaitEventToSet(set, WL_EXIT_ON_PM_DEATH, PGINVALID_SOCKET, NULL,
							  NULL);
			for (int i = 0; i < ndaemons; i++)
				if (daemons[i].d)
				{
					const union MHD_DaemonInfo *info = MHD_get_daemon_info(
						daemons[i].d, MHD_DAEMON_INFO_EPOLL_FD);

					AddWaitEventToSet(set, WL_SOCKET_READABLE, info->epoll_fd,
									  NULL, NULL);
				}
			sets_changed = false;
		}
		for (int i = 0; i < ndaemons; i++)
		{
			MHD_UNSIGNED_LONG_LONG t;

			if (daemons[i].d && MHD_get_timeout(daemons[i].d, &t) == MHD_YES)
				timeout = Min(timeout, (long) t);
		}
		if (suspended)
			timeout = Min(timeout, 50);
		if (retrying)
			timeout = Min(timeout, 500);
		{
			WaitEvent ev[8];

			(void) WaitEventSetWait(set, timeout, ev, lengthof(ev),
									PG_WAIT_EXTENSION);
		}
		ResetLatch(MyLatch);
		for (int i = 0; i < ndaemons; i++)
			if (daemons[i].d)
				MHD_run(daemons[i].d);
		if (suspended && resume_answered())
			for (int i = 0; i < ndaemons; i++)
				if (daemons[i].d)
					MHD_run(daemons[i].d);
	}
	resume_all();
	for (int i = 0; i < ndaemons; i++)
		if (daemons[i].d)
			MHD_run(daemons[i].d); /* the answers go out */
	for (int i = 0; i < ndaemons; i++)
		if (daemons[i].d)
			MHD_stop_daemon(daemons[i].d);
	proc_exit(0);
}
