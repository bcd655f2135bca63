/*-------------------------------------------------------------------------
 *
 * http_int.h
 *	  What the webhook listener (http_listener.c) and the engine side of
 *	  the http source (http_source.c) share: routes and request slots in
 *	  shared memory (http_shmem.c), and the allow-list both clients use.
 *
 * A route is (port, path) -> (database, app, source), registered by the
 * engine worker when the source starts.  A request slot holds one request
 * body and its answer; it moves
 *
 *	 FREE ─► FILLING (listener copies the body) ─► QUEUED ─► TAKEN (the
 *	 engine polled it) ─► DONE (status and body set, after the batch's
 *	 commit) ─► FREE (listener answered)
 *
 * and QUEUED ─► FREE when it waited longer than siddhi.http_queue_timeout
 * (the listener answers 503).  Each state has one owner; the spinlock only
 * guards the transitions, never a copy of a body.
 *
 *-------------------------------------------------------------------------
 */
#ifndef SIDDHI_HTTP_INT_H
#define SIDDHI_HTTP_INT_H

#include <curl/curl.h>

#include "datatype/timestamp.h"
#include "port/atomics.h"
#include "storage/spin.h"

#define HTTP_MAX_ROUTES 64
#define HTTP_PATH_LEN 128
#define HTTP_AUTH_LEN 512
#define HTTP_ANSWER_LEN 512
#define HTTP_ERROR_LEN 128

typedef enum HttpSlotState
{
	HTTP_SLOT_FREE = 0,
	HTTP_SLOT_FILLING,
	HTTP_SLOT_QUEUED,
	HTTP_SLOT_TAKEN,
	HTTP_SLOT_DONE
} HttpSlotState;

typedef struct HttpRoute
{
	bool used;
	bool active; /* false: its engine is gone for now (503) */
	bool tls;	 /* https: the port listens with TLS */
	uint32 id;	 /* unique while shared memory lives */
	Oid dboid;
	int port;
	char path[HTTP_PATH_LEN];
	int engine_procno;				 /* whose latch a request sets */
	char bind_error[HTTP_ERROR_LEN]; /* the listener's, or "" */
} HttpRoute;

typedef struct HttpSlot
{
	HttpSlotState state;
	bool abandoned;	 /* the client went away: free when DONE */
	uint32 route_id; /* QUEUED and later */
	uint64 seq;		 /* arrival order */
	TimestampTz queued_at;
	int status; /* DONE: the answer */
	char answer[HTTP_ANSWER_LEN];
	char auth[HTTP_AUTH_LEN];	   /* Authorization header, or "" */
	char signature[HTTP_AUTH_LEN]; /* X-Siddhi-Signature header, or "" */
	int len;
	/* siddhi_http_max_body bytes of body follow */
} HttpSlot;

typedef struct HttpShared
{
	slock_t mutex;
	int listener_procno; /* -1: no listener */
	uint32 next_route_id;
	uint64 next_seq;
	pg_atomic_uint32 routes_gen; /* bumped when routes change */
	int nslots;
	int used_hi; /* slots from here on were never filled (FREE) */
	Size slot_size;
	HttpRoute routes[HTTP_MAX_ROUTES];
	/* nslots HttpSlot follow, each slot_size bytes */
} HttpShared;

extern HttpShared *siddhi_http_shared;

static inline HttpSlot *
http_slot(int i)
{
	char *base = (char *) siddhi_http_shared + MAXALIGN(sizeof(HttpShared));

	return (HttpSlot *) (base + (Size) i * siddhi_http_shared->slot_size);
}

static inline char *
http_slot_body(HttpSlot *s)
{
	return (char *) s + MAXALIGN(sizeof(HttpSlot));
}

/* Set the latch of a process by its PGPROC number (-1: nobody). */
extern void siddhi_http_wake(int procno);

/* http_common.c: siddhi.http_allowed_hosts, shared by sink and poller */
extern bool siddhi_http_address_allowed(int family, const unsigned char *a);
/* curl's CURLOPT_OPENSOCKETFUNCTION; clientp: a bool * set when refused */
extern curl_socket_t siddhi_http_open_socket(void *clientp,
											 curlsocktype purpose,
											 struct curl_sockaddr *address);

/* Answer bodies: {"error":"..."} with the message JSON-escaped. */
extern void siddhi_http_error_json(char *buf, int buflen, const char *msg);

#endif /* SIDDHI_HTTP_INT_H */
