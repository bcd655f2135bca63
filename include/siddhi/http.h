/*-------------------------------------------------------------------------
 *
 * http.h
 *	  The HTTP sources: the webhook listener (one background worker per
 *	  cluster) and what _PG_init and the shared-memory hooks call
 *	  (src/connectors/http_listener.c, http_shmem.c, http_source.c).
 *
 *-------------------------------------------------------------------------
 */
#ifndef SIDDHI_HTTP_H
#define SIDDHI_HTTP_H

/* siddhi.http_listen_address, .http_max_body, .http_max_requests, .. */
extern char *siddhi_http_listen_address;
extern int siddhi_http_max_body;
extern int siddhi_http_max_requests;
extern int siddhi_http_queue_timeout_ms;
extern char *siddhi_http_tls_cert_file;
extern char *siddhi_http_tls_key_file;

/* _PG_init: the settings above, and the listener's registration */
extern void siddhi_http_source_gucs(void);
extern void siddhi_register_http_listener(void);

/*
 * receiver.url: http[s]://host:port/path into port, path and whether it is
 * https; false if not
 */
extern bool siddhi_http_receiver_url(const char *url, int *port, char *path,
									 int pathlen, bool *tls);

/* shared memory: routes and request slots */
extern Size siddhi_http_shmem_size(void);
extern void siddhi_http_shmem_init(void);

#endif /* SIDDHI_HTTP_H */
