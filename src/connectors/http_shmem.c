/*-------------------------------------------------------------------------
 *
 * http_shmem.c
 *	  The webhook's shared memory (routes and request slots, see
 *	  http_int.h) and its settings.
 *
 * Size: siddhi.http_max_requests slots of siddhi.http_max_body bytes each
 * (plus about 1.5 kB of headers and answer), allocated at server start;
 * 64 routes.  Both bound what the listener holds: a request beyond them is
 * answered 503 (no slot free) or 413 (body too large) at once.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "miscadmin.h"
#include "siddhi/http.h"
#include "storage/latch.h"
#include "storage/proc.h"
#include "storage/shmem.h"
#include "utils/guc.h"

#include "http_int.h"

char *siddhi_http_listen_address = NULL;
int siddhi_http_max_body = 65536;
int siddhi_http_max_requests = 128;
int siddhi_http_queue_timeout_ms = 5000;
char *siddhi_http_tls_cert_file = NULL;
char *siddhi_http_tls_key_file = NULL;

HttpShared *siddhi_http_shared = NULL;

void
siddhi_http_source_gucs(void)
{
	DefineCustomStringVariable(
		"siddhi.http_listen_address",
		"Address the webhook listener binds its ports to.",
		"An IPv4 or IPv6 address, or '*' for every address.  The default, "
		"127.0.0.1, takes requests from this machine only.",
		&siddhi_http_listen_address, "127.0.0.1", PGC_POSTMASTER, 0, NULL,
		NULL, NULL);
	DefineCustomIntVariable(
		"siddhi.http_max_body", "Largest request body an http source takes.",
		"A larger one is answered 413.  Each of siddhi.http_max_requests "
		"slots of shared memory holds this much.",
		&siddhi_http_max_body, 65536, 1024, 16 * 1024 * 1024, PGC_POSTMASTER,
		GUC_UNIT_BYTE, NULL, NULL, NULL);
	DefineCustomIntVariable(
		"siddhi.http_max_requests",
		"Requests the webhook listener holds at once, server-wide.",
		"Requests waiting for their engine or their commit; beyond it a "
		"request is answered 503 with Retry-After.",
		&siddhi_http_max_requests, 128, 1, 65536, PGC_POSTMASTER, 0, NULL,
		NULL, NULL);
	DefineCustomIntVariable(
		"siddhi.http_queue_timeout",
		"How long a request waits for its engine to take it.",
		"A request its engine has not taken by then (engine stopped or "
		"behind) is answered 503 with Retry-After; one taken is answered "
		"after its batch commits.",
		&siddhi_http_queue_timeout_ms, 5000, 10, 3600 * 1000, PGC_SIGHUP,
		GUC_UNIT_MS, NULL, NULL, NULL);
	DefineCustomStringVariable(
		"siddhi.http_tls_cert_file",
		"Certificate (PEM) of the webhook listener's https ports.",
		"Read when a port of an https:// receiver.url opens; relative to "
		"the data directory.",
		&siddhi_http_tls_cert_file, "", PGC_SIGHUP, 0, NULL, NULL, NULL);
	DefineCustomStringVariable(
		"siddhi.http_tls_key_file",
		"Private key (PEM, unencrypted) of the webhook listener's https "
		"ports.",
		"Read when a port of an https:// receiver.url opens; relative to "
		"the data directory.",
		&siddhi_http_tls_key_file, "", PGC_SIGHUP, 0, NULL, NULL, NULL);
}

static Size
slot_size(void)
{
	return MAXALIGN(MAXALIGN(sizeof(HttpSlot)) + siddhi_http_max_body);
}

Size
siddhi_http_shmem_size(void)
{
	return add_size(MAXALIGN(sizeof(HttpShared)),
					mul_size(slot_size(), siddhi_http_max_requests));
}

void
siddhi_http_shmem_init(void)
{
	bool found;

	siddhi_http_shared =
		ShmemInitStruct("siddhi http", siddhi_http_shmem_size(), &found);
	if (found)
		return;
	memset(siddhi_http_shared, 0, MAXALIGN(sizeof(HttpShared)));
	SpinLockInit(&siddhi_http_shared->mutex);
	siddhi_http_shared->listener_procno = -1;
	siddhi_http_shared->next_route_id = 1;
	siddhi_http_shared->next_seq = 1;
	pg_atomic_init_u32(&siddhi_http_shared->routes_gen, 0);
	siddhi_http_shared->nslots = siddhi_http_max_requests;
	siddhi_http_shared->slot_size = slot_size();
	for (int i = 0; i < siddhi_http_max_requests; i++)
	{
		HttpSlot *s = http_slot(i);

		s->state = HTTP_SLOT_FREE;
		s->abandoned = false;
	}
}

void
siddhi_http_wake(int procno)
{
	if (procno >= 0 && procno < (int) ProcGlobal->allProcCount)
		SetLatch(&ProcGlobal->allProcs[procno].procLatch);
}

/* {"error":"msg"}, truncated to fit, without palloc (the listener's too). */
void
siddhi_http_error_json(char *buf, int buflen, const char *msg)
{
	int n = 0;

	n += snprintf(buf, buflen, "{\"error\":\"");
	for (const char *p = msg; *p && n < buflen - 8; p++)
	{
		unsigned char c = (unsigned char) *p;

		if (c == '"' || c == '\\')
		{
			buf[n++] = '\\';
			buf[n++] = c;
		}
		else if (c < 0x20)
			n += snprintf(buf + n, buflen - n, "\\u%04x", c);
		else
			buf[n++] = c;
	}
	snprintf(buf + n, buflen - n, "\"}");
}
