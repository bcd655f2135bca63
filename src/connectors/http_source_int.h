/*-------------------------------------------------------------------------
 *
 * http_source_int.h
 *	  The polling http source (http_poll.c), as http_source.c's ops call
 *	  it.  Its state's first field is a bool that is true (a webhook's is
 *	  false).
 *
 *-------------------------------------------------------------------------
 */
#ifndef SIDDHI_HTTP_SOURCE_INT_H
#define SIDDHI_HTTP_SOURCE_INT_H

#include "siddhi/http.h"
#include "siddhi/source.h"

extern void *siddhi_http_poll_start(const SiddhiSourcePlan *plan,
									const char *app);
extern int siddhi_http_poll_poll(void *state, SiddhiSourceRecord *records,
								 int max);
extern void siddhi_http_poll_status(void *state, SiddhiSourceStatus *st);
extern void siddhi_http_poll_stop(void *state);

#endif /* SIDDHI_HTTP_SOURCE_INT_H */
