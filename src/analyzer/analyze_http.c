/*-------------------------------------------------------------------------
 *
 * analyze_http.c
 *	  Deploy-time checks of an http source's options: a webhook
 *	  (receiver.url) or a polling source (url), never both, and the
 *	  values each takes.  The engine (src/connectors/http_source.c)
 *	  reads the same options and parses receiver.url with the function
 *	  below.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "siddhi/connector.h"
#include "siddhi/errors.h"
#include "siddhi/http.h"
#include "siddhi/parser.h"

#include "analyze_int.h"

/* Parse http[s]://host:port/path: port, path, https; false if not. */
bool
siddhi_http_receiver_url(const char *url, int *port, char *path, int pathlen,
						 bool *tls)
{
	const char *p;
	const char *slash;
	const char *colon;
	long n;
	char *end;

	if (pg_strncasecmp(url, "http://", 7) == 0)
	{
		*tls = false;
		p = url + 7;
	}
	else if (pg_strncasecmp(url, "https://", 8) == 0)
	{
		*tls = true;
		p = url + 8;
	}
	else
		return false;
	slash = strchr(p, '/');
	if (slash == NULL)
		slash = p + strlen(p);
	colon = memrchr(p, ':', slash - p);
	if (colon == NULL || colon == p)
		return false;
	n = strtol(colon + 1, &end, 10);
	if (end != slash || n < 1 || n > 65535)
		return false;
	*port = (int) n;
	if (*slash == '\0')
		strlcpy(path, "/", pathlen);
	else if ((int) strlen(slash) >= pathlen || strpbrk(slash, "?# "))
		return false;
	else
		strlcpy(path, slash, pathlen);
	return true;
}

/* An option that only one kind takes, given to the other. */
static void
not_for(AnalyzeState *st, List *options, const char *key, const char *kind,
		const char *hint)
{
	SiddhiConnOption *o = siddhi_conn_option_find(options, key);

	if (o)
		ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						errmsg("option \"%s\" is not for %s", key, kind),
						errhint("%s", hint),
						siddhi_errposition(st->app->source, o->location)));
}

static void
int_option(AnalyzeState *st, List *options, const char *key, int min, int max)
{
	SiddhiConnOption *o = siddhi_conn_option_find(options, key);
	char *end;
	long v;

	if (o == NULL)
		return;
	errno = 0;
	v = strtol(o->value, &end, 10);
	if (errno != 0 || end == o->value || *end != '\0' || v < min || v > max)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must be an integer from %d to %d", key, min, max),
				 siddhi_errposition(st->app->source, o->location)));
}

void
siddhi_analyze_http_source(AnalyzeState *st, SiddhiSourcePlan *sp)
{
	List *o = sp->options;
	SiddhiConnOption *recv = siddhi_conn_option_find(o, "receiver.url");
	SiddhiConnOption *url = siddhi_conn_option_find(o, "url");
	SiddhiConnOption *x;

	if (recv == NULL && url == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("an http source needs receiver.url or url"),
				 errhint("Write receiver.url = 'http://127.0.0.1:8280/path' "
						 "to take POSTs, or url = 'https://..' and interval "
						 "= 'ms' to poll a server."),
				 siddhi_errposition(st->app->source, sp->location)));
	if (recv && url)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("an http source takes receiver.url or url, not both"),
				 errhint("receiver.url takes POSTs; url polls a server."),
				 siddhi_errposition(st->app->source, url->location)));
	if (recv)
	{
		int port;
		char path[128];
		bool tls;
		const char *hint = "Options of a polling source (url = ..) are "
						   "method, interval, timeout, auth.type, "
						   "auth.token, headers, body, max.body.bytes.";

		if (!siddhi_http_receiver_url(recv->value, &port, path, sizeof(path),
									  &tls))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("receiver.url \"%s\" is not "
							"http[s]://host:port/path",
							recv->value),
					 errhint("Write e.g. 'http://127.0.0.1:8280/orders': a "
							 "port, and a path of at most 127 bytes without "
							 "'?' or '#'."),
					 siddhi_errposition(st->app->source, recv->location)));
		x = siddhi_conn_option_find(o, "basic.auth.enabled");
		if (x && pg_strcasecmp(x->value, "true") != 0 &&
			pg_strcasecmp(x->value, "false") != 0)
			ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
							errmsg("basic.auth.enabled must be 'true' or "
								   "'false'"),
							siddhi_errposition(st->app->source, x->location)));
		if (x && pg_strcasecmp(x->value, "true") == 0 &&
			(siddhi_conn_option_find(o, "basic.auth.username") == NULL ||
			 siddhi_conn_option_find(o, "basic.auth.password") == NULL))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("basic.auth.enabled needs basic.auth.username "
							"and basic.auth.password"),
					 errhint("Add basic.auth.username = 'user', "
							 "basic.auth.password = '${NAME}', the password "
							 "in siddhi.secrets."),
					 siddhi_errposition(st->app->source, x->location)));
		not_for(st, o, "method", "a webhook (receiver.url)", hint);
		not_for(st, o, "interval", "a webhook (receiver.url)", hint);
		not_for(st, o, "auth.type", "a webhook (receiver.url)", hint);
		not_for(st, o, "auth.token", "a webhook (receiver.url)", hint);
		not_for(st, o, "body", "a webhook (receiver.url)", hint);
		not_for(st, o, "headers", "a webhook (receiver.url)", hint);
		not_for(st, o, "max.body.bytes", "a webhook (receiver.url)", hint);
		not_for(st, o, "timeout", "a webhook (receiver.url)", hint);
		return;
	}
	{
		const char *hint = "Options of a webhook (receiver.url = ..) are "
						   "basic.auth.enabled, hmac.secret, worker.count, "
						   "socket.idle.timeout.";

		not_for(st, o, "basic.auth.enabled", "a polling source (url)", hint);
		not_for(st, o, "hmac.secret", "a polling source (url)", hint);
		not_for(st, o, "worker.count", "a polling source (url)", hint);
		not_for(st, o, "socket.idle.timeout", "a polling source (url)", hint);
	}
	if (pg_strncasecmp(url->value, "http://", 7) != 0 &&
		pg_strncasecmp(url->value, "https://", 8) != 0)
		ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						errmsg("url must start with http:// or https://"),
						siddhi_errposition(st->app->source, url->location)));
	x = siddhi_conn_option_find(o, "method");
	if (x && pg_strcasecmp(x->value, "GET") != 0 &&
		pg_strcasecmp(x->value, "POST") != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("a polling http source's method is GET or POST"),
				 errhint("Write method = 'GET' (the default) or "
						 "'POST' with body = '..'."),
				 siddhi_errposition(st->app->source, x->location)));
	x = siddhi_conn_option_find(o, "auth.type");
	if (x && pg_strcasecmp(x->value, "bearer") != 0 &&
		pg_strcasecmp(x->value, "basic") != 0 &&
		pg_strcasecmp(x->value, "none") != 0)
		ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						errmsg("unknown auth.type \"%s\"", x->value),
						errhint("auth.type is 'none' (the default), 'bearer' "
								"with auth.token, or 'basic' with "
								"basic.auth.username and "
								"basic.auth.password."),
						siddhi_errposition(st->app->source, x->location)));
	if (x && pg_strcasecmp(x->value, "bearer") == 0 &&
		siddhi_conn_option_find(o, "auth.token") == NULL)
		ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						errmsg("auth.type 'bearer' needs auth.token"),
						errhint("Add auth.token = '${NAME}', the token in "
								"siddhi.secrets."),
						siddhi_errposition(st->app->source, x->location)));
	int_option(st, o, "interval", 10, 86400 * 1000);
	int_option(st, o, "timeout", 1, 3600 * 1000);
	int_option(st, o, "max.body.bytes", 1, 1024 * 1024 * 1024);
}
