/*-------------------------------------------------------------------------
 *
 * metrics_http.c
 *	  The Prometheus endpoint: a background worker, registered only when
 *	  siddhi.metrics_address is set, that serves
 *
 *	   GET /metrics  the text of siddhi.metrics() (metrics_text.c), every
 *					 database's, to anyone who can reach the address
 *	   GET /health   200 "ok" while this worker (hence the postmaster) runs
 *	   GET /ready    200 "ready" when the launcher runs and every database
 *					 that wants an engine has one; else 503 saying which
 *
 *	  anything else 404, a method other than GET or HEAD 405.
 *
 * Why a worker of its own rather than the connectors' webhook listener
 * (http_listener.c): the text is built by the worker layer (it reads the
 * connectors' counters too), which the listener, a connector, may not
 * call; the listener opens ports only for the routes of loaded http
 * sources, with their own address setting, and hands bodies to engines;
 * and a scrape must not compete with webhook traffic for one loop.  Off
 * by default, it then costs no process at all.
 *
 * It connects to no database and runs no SQL: the text comes from shared
 * memory.  libmicrohttpd runs in this process's one thread, in external
 * epoll mode: its callbacks run inside MHD_run, called by the loop below.
 * The answer is built in the callback inside a PG_TRY in a memory context
 * reset after each request; an error becomes a 500 (and a LOG line), it
 * never unwinds through libmicrohttpd.
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
#include "siddhi/metrics.h"
#include "siddhi/shmem.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "utils/guc.h"
#include "utils/memutils.h"

PGDLLEXPORT void siddhi_metrics_http_main(Datum arg);

char *siddhi_metrics_address = NULL;

static MemoryContext request_cxt = NULL;

void
siddhi_metrics_register_worker(void)
{
	BackgroundWorker w;

	if (siddhi_metrics_address == NULL || siddhi_metrics_address[0] == '\0')
		return;
	memset(&w, 0, sizeof(w));
	w.bgw_flags = BGWORKER_SHMEM_ACCESS;
	w.bgw_start_time = BgWorkerStart_RecoveryFinished;
	w.bgw_restart_time = 5;
	snprintf(w.bgw_library_name, BGW_MAXLEN, "siddhi");
	snprintf(w.bgw_function_name, BGW_MAXLEN, "siddhi_metrics_http_main");
	snprintf(w.bgw_name, BGW_MAXLEN, "siddhi metrics endpoint");
	snprintf(w.bgw_type, BGW_MAXLEN, "siddhi metrics endpoint");
	RegisterBackgroundWorker(&w);
}

/*
 * Split "host:port" ("[v6]:port"; host "*" for every address) into an
 * address and a port.  Also the GUC's check.
 */
static bool
parse_address(const char *value, char *host, size_t hostlen, int *port)
{
	const char *colon = strrchr(value, ':');
	const char *h = value;
	size_t len;
	char *end;
	long p;

	if (colon == NULL || colon == value)
		return false;
	len = colon - value;
	if (*h == '[')
	{
		if (len < 2 || h[len - 1] != ']')
			return false;
		h++;
		len -= 2;
	}
	if (len == 0 || len >= hostlen)
		return false;
	memcpy(host, h, len);
	host[len] = '\0';
	p = strtol(colon + 1, &end, 10);
	if (*end != '\0' || end == colon + 1 || p < 1 || p > 65535)
		return false;
	*port = (int) p;
	return true;
}

bool
siddhi_metrics_check_address(char **newval, void **extra, GucSource source)
{
	char host[128];
	int port;
	struct in_addr a4;
	struct in6_addr a6;

	if (*newval == NULL || (*newval)[0] == '\0')
		return true;
	if (!parse_address(*newval, host, sizeof(host), &port) ||
		!(strcmp(host, "*") == 0 || inet_pton(AF_INET, host, &a4) == 1 ||
		  inet_pton(AF_INET6, host, &a6) == 1))
	{
		GUC_check_errdetail("Write an IP address and a port, as "
							"'127.0.0.1:9464', '[::1]:9464' or '*:9464'.");
		return false;
	}
	return true;
}

/* Is every engine that should run running?  why says which is not. */
static bool
ready(char *why, size_t len)
{
	bool ok = true;

	why[0] = '\0';
	if (siddhi_shared == NULL || siddhi_shared->launcher_pid == 0)
	{
		strlcpy(why, "the siddhi launcher is not running\n", len);
		return false;
	}
	for (int i = 0; i < siddhi_shared->max_databases; i++)
	{
		SiddhiDbSlot *d = &siddhi_shared->dbs[i];

		if (OidIsValid(d->dboid) && d->wanted && !d->paused &&
			d->worker_pid == 0)
		{
			size_t used = strlen(why);

			snprintf(why + used, len - used,
					 "the engine of database %u is not running\n", d->dboid);
			ok = false;
		}
	}
	return ok;
}

static enum MHD_Result
answer(struct MHD_Connection *con, int status, const char *type,
	   const char *body, size_t len)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(
		len, (void *) body, MHD_RESPMEM_MUST_COPY);
	enum MHD_Result ret;

	if (r == NULL)
		return MHD_NO;
	MHD_add_response_header(r, "Content-Type", type);
	MHD_add_response_header(r, "Cache-Control", "no-store");
	ret = MHD_queue_response(con, status, r);
	MHD_destroy_response(r);
	return ret;
}

#define TEXT_PLAIN "text/plain; charset=utf-8"

static enum MHD_Result
handle(void *cls, struct MHD_Connection *con, const char *url,
	   const char *method, const char *version, const char *upload_data,
	   size_t *upload_data_size, void **con_cls)
{
	enum MHD_Result ret = MHD_NO;

	if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
		return answer(con, MHD_HTTP_METHOD_NOT_ALLOWED, TEXT_PLAIN,
					  "only GET and HEAD\n", 18);
	if (strcmp(url, "/health") == 0)
		return answer(con, MHD_HTTP_OK, TEXT_PLAIN, "ok\n", 3);
	if (strcmp(url, "/ready") == 0)
	{
		char why[1024];

		if (ready(why, sizeof(why)))
			return answer(con, MHD_HTTP_OK, TEXT_PLAIN, "ready\n", 6);
		return answer(con, MHD_HTTP_SERVICE_UNAVAILABLE, TEXT_PLAIN, why,
					  strlen(why));
	}
	if (strcmp(url, "/metrics") != 0)
		return answer(con, MHD_HTTP_NOT_FOUND, TEXT_PLAIN,
					  "not found: try /metrics, /health or /ready\n", 43);

	/* the text, in our context; an error is a 500, never a longjmp out */
	{
		MemoryContext old = MemoryContextSwitchTo(request_cxt);

		PG_TRY();
		{
			StringInfoData buf;

			initStringInfo(&buf);
			siddhi_metrics_text(&buf, NULL);
			ret = answer(con, MHD_HTTP_OK,
						 "text/plain; version=0.0.4; charset=utf-8", buf.data,
						 buf.len);
		}
		PG_CATCH();
		{
			MemoryContextSwitchTo(request_cxt);
			EmitErrorReport();
			FlushErrorState();
			ret = answer(con, MHD_HTTP_INTERNAL_SERVER_ERROR, TEXT_PLAIN,
						 "error\n", 6);
		}
		PG_END_TRY();
		MemoryContextSwitchTo(old);
		MemoryContextReset(request_cxt);
	}
	return ret;
}

void
siddhi_metrics_http_main(Datum arg)
{
	struct MHD_Daemon *d = NULL;
	char host[128];
	int port;
	struct sockaddr_in sin;
	struct sockaddr_in6 sin6;
	struct sockaddr *sa = NULL;
	unsigned int flags = MHD_USE_EPOLL;
	WaitEventSet *set;

	pqsignal(SIGTERM, SignalHandlerForShutdownRequest);
	pqsignal(SIGHUP, SignalHandlerForConfigReload);
	BackgroundWorkerUnblockSignals();
	pgstat_report_appname("siddhi metrics endpoint");
	request_cxt = AllocSetContextCreate(
		TopMemoryContext, "siddhi metrics request", ALLOCSET_DEFAULT_SIZES);

	if (!parse_address(siddhi_metrics_address, host, sizeof(host), &port))
		proc_exit(0); /* the GUC's check refused it already */
	memset(&sin, 0, sizeof(sin));
	memset(&sin6, 0, sizeof(sin6));
	if (strcmp(host, "*") == 0)
		flags |= MHD_USE_DUAL_STACK;
	else if (inet_pton(AF_INET, host, &sin.sin_addr) == 1)
	{
		sin.sin_family = AF_INET;
		sin.sin_port = htons(port);
		sa = (struct sockaddr *) &sin;
	}
	else
	{
		(void) inet_pton(AF_INET6, host, &sin6.sin6_addr);
		sin6.sin6_family = AF_INET6;
		sin6.sin6_port = htons(port);
		sa = (struct sockaddr *) &sin6;
		flags |= MHD_USE_IPv6;
	}
	while (d == NULL && !ShutdownRequestPending)
	{
		if (sa)
			d = MHD_start_daemon(
				flags, port, NULL, NULL, handle, NULL, MHD_OPTION_SOCK_ADDR,
				sa, MHD_OPTION_CONNECTION_TIMEOUT, 10,
				MHD_OPTION_CONNECTION_LIMIT, 64,
				MHD_OPTION_LISTENING_ADDRESS_REUSE, 1, MHD_OPTION_END);
		else
			d = MHD_start_daemon(
				flags, port, NULL, NULL, handle, NULL,
				MHD_OPTION_CONNECTION_TIMEOUT, 10, MHD_OPTION_CONNECTION_LIMIT,
				64, MHD_OPTION_LISTENING_ADDRESS_REUSE, 1, MHD_OPTION_END);
		if (d == NULL)
		{
			/* a port taken by someone else: say so, try again later */
			ereport(LOG,
					(errmsg("siddhi metrics endpoint: cannot listen on %s: %m",
							siddhi_metrics_address),
					 errhint("Free the port or change siddhi.metrics_address "
							 "(a restart applies it).")));
			(void) WaitLatch(MyLatch,
							 WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
							 5000, PG_WAIT_EXTENSION);
			ResetLatch(MyLatch);
		}
	}
	if (d == NULL)
		proc_exit(0);
	ereport(LOG, (errmsg("siddhi metrics endpoint listening on %s",
						 siddhi_metrics_address)));

	set = CreateWaitEventSet(TopMemoryContext, 3);
	AddWaitEventToSet(set, WL_LATCH_SET, PGINVALID_SOCKET, MyLatch, NULL);
	AddWaitEventToSet(set, WL_EXIT_ON_PM_DEATH, PGINVALID_SOCKET, NULL, NULL);
	AddWaitEventToSet(
		set, WL_SOCKET_READABLE,
		MHD_get_daemon_info(d, MHD_DAEMON_INFO_EPOLL_FD)->epoll_fd, NULL,
		NULL);
	while (!ShutdownRequestPending)
	{
		long timeout = 1000;
		MHD_UNSIGNED_LONG_LONG t;
		WaitEvent ev[4];

		if (ConfigReloadPending)
		{
			ConfigReloadPending = false;
			ProcessConfigFile(PGC_SIGHUP);
		}
		if (MHD_get_timeout(d, &t) == MHD_YES)
			timeout = Min(timeout, (long) t);
		(void) WaitEventSetWait(set, timeout, ev, lengthof(ev),
								PG_WAIT_EXTENSION);
		ResetLatch(MyLatch);
		MHD_run(d);
	}
	MHD_stop_daemon(d);
	proc_exit(0);
}
