/*-------------------------------------------------------------------------
 *
 * spec.c
 *	  The connector types there are and the options each takes.
 *
 * Pure data and string checks: the analyzer reads these at deploy (an
 * unknown option is an error at its position, a missing required one an
 * error at the @source or @sink), and the runtime reads option values by
 * the same keys.  Option names are Siddhi's own (siddhi-io-kafka 5.x),
 * so an app written for Siddhi deploys here unchanged.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "lib/stringinfo.h"
#include "siddhi/connector.h"
#include "utils/guc.h"

/* Siddhi's generic sink option: what to do when a sink cannot send */
#define SINK_COMMON              \
	{                            \
		"on.error", false, false \
	}

static const SiddhiOptionSpec kafka_source_options[] = {
	{ "topic.list", true, false },
	{ "group.id", true, false },
	{ "bootstrap.servers", true, false },
	{ "threading.option", false, false },
	{ "partition.no.list", false, false },
	{ "seq.enabled", false, false },
	{ "is.binary.message", false, false },
	{ "topic.offsets.map", false, false },
	{ "enable.offsets.commit", false, false },
	{ "enable.async.commit", false, false },
	{ "enable.auto.commit", false, false },
	{ "optional.configuration", false, false },
	{ NULL }
};

static const SiddhiOptionSpec kafka_sink_options[] = {
	{ "topic", true, false },
	{ "bootstrap.servers", true, false },
	{ "partition.no", false, false },
	{ "key", false, false },
	{ "is.binary.message", false, false },
	{ "sequence.id", false, false },
	{ "is.synchronous", false, false },
	{ "optional.configuration", false, false },
	{ "outbox.max.events", false, false },
	SINK_COMMON,
	{ NULL }
};

static const SiddhiOptionSpec inmemory_options[] = { { "topic", true, false },
													 { NULL } };

static const SiddhiOptionSpec inmemory_sink_options[] = {
	{ "topic", true, false }, SINK_COMMON, { NULL }
};

/* the server log, as Siddhi's log sink */
static const SiddhiOptionSpec log_sink_options[] = {
	{ "priority", false, false },
	{ "prefix", false, false },
	{ "outbox.max.events", false, false },
	SINK_COMMON,
	{ NULL }
};

/* pg_notify(channel, payload) once the delivery commits */
static const SiddhiOptionSpec notify_sink_options[] = {
	{ "channel", true, false },
	{ "outbox.max.events", false, false },
	SINK_COMMON,
	{ NULL }
};

/* siddhi-io-http's sink options that mean something here */
static const SiddhiOptionSpec http_sink_options[] = {
	{ "publisher.url", true, false },
	{ "method", false, false },
	{ "headers", false, false },
	{ "basic.auth.username", false, false },
	{ "basic.auth.password", false, true },
	{ "socket.idle.timeout", false, false },
	{ "max.connections", false, false },
	{ "batch.size", false, false },
	{ "outbox.max.events", false, false },
	SINK_COMMON,
	{ NULL }
};

/*
 * siddhi-io-http's source options (receiver.url, basic.auth.enabled,
 * worker.count, socket.idle.timeout), ours for credentials and HMAC, and
 * the polling source's (url = ..): analyze_http.c checks which go together
 */
static const SiddhiOptionSpec http_source_options[] = {
	{ "receiver.url", false, false },
	{ "basic.auth.enabled", false, false },
	{ "basic.auth.username", false, false },
	{ "basic.auth.password", false, true },
	{ "hmac.secret", false, true },
	{ "worker.count", false, false },
	{ "socket.idle.timeout", false, false },
	{ "url", false, false },
	{ "method", false, false },
	{ "interval", false, false },
	{ "timeout", false, false },
	{ "auth.type", false, false },
	{ "auth.token", false, true },
	{ "headers", false, false },
	{ "body", false, false },
	{ "max.body.bytes", false, false },
	{ NULL }
};

/* Redis: one command per event (redis_sink.c) */
static const SiddhiOptionSpec redis_sink_options[] = {
	{ "host", false, false },
	{ "port", false, false },
	{ "password", false, true },
	{ "db", false, false },
	{ "mode", false, false },
	{ "channel", false, false },
	{ "key", false, false },
	{ "field", false, false },
	{ "ttl", false, false },
	{ "maxlen", false, false },
	{ "outbox.max.events", false, false },
	SINK_COMMON,
	{ NULL }
};

/* lines appended to a file under siddhi.file_directory (file_sink.c) */
static const SiddhiOptionSpec file_sink_options[] = {
	{ "file.uri", true, false },
	{ "append", false, false },
	{ "rotate.size", false, false },
	{ "rotate.interval", false, false },
	{ "compress", false, false },
	{ "fsync", false, false },
	{ "outbox.max.events", false, false },
	SINK_COMMON,
	{ NULL }
};

/* siddhi-io-file's source options (file_source.c), and max.line.length */
static const SiddhiOptionSpec file_source_options[] = {
	{ "file.uri", false, false },
	{ "dir.uri", false, false },
	{ "mode", false, false },
	{ "tailing", false, false },
	{ "action.after.process", false, false },
	{ "move.after.process", false, false },
	{ "action.after.failure", false, false },
	{ "move.after.failure", false, false },
	{ "begin.regex", false, false },
	{ "end.regex", false, false },
	{ "file.polling.interval", false, false },
	{ "dir.polling.interval", false, false },
	{ "timeout", false, false },
	{ "max.line.length", false, false },
	{ NULL }
};

/* Postgres CDC: changes of a table of this database (cdc_source.c) */
static const SiddhiOptionSpec cdc_source_options[] = {
	{ "table.name", true, false },
	{ "operation", false, false },
	{ "include.engine.writes", false, false },
	{ NULL }
};

static const SiddhiConnectorSpec specs[] = {
	{ "kafka", true, true, true, kafka_source_options },
	{ "kafka", false, true, true, kafka_sink_options },
	{ "inmemory", true, false, false, inmemory_options },
	{ "file", true, false, true, file_source_options },
	{ "cdc", true, false, false, cdc_source_options },
	{ "inmemory", false, false, false, inmemory_sink_options },
	{ "http", false, true, true, http_sink_options, "json" },
	{ "http", true, true, true, http_source_options, "json" },
	{ "file", false, false, true, file_sink_options, "json" },
	{ "log", false, false, true, log_sink_options, "json" },
	{ "redis", false, true, true, redis_sink_options, "json" },
	{ "notify", false, false, true, notify_sink_options, "json" },
	{ NULL }
};

const SiddhiConnectorSpec *
siddhi_connector_spec(const char *type, bool source)
{
	for (int i = 0; specs[i].type; i++)
		if (specs[i].source == source &&
			pg_strcasecmp(specs[i].type, type) == 0)
			return &specs[i];
	return NULL;
}

char *
siddhi_connector_types(bool source)
{
	StringInfoData buf;

	initStringInfo(&buf);
	for (int i = 0; specs[i].type; i++)
		if (specs[i].source == source)
			appendStringInfo(&buf, "%s'%s'", buf.len ? ", " : "",
							 strcmp(specs[i].type, "inmemory") == 0
								 ? "inMemory"
								 : specs[i].type);
	return buf.data;
}

const SiddhiOptionSpec *
siddhi_option_spec(const SiddhiConnectorSpec *spec, const char *key)
{
	for (int i = 0; spec->options[i].key; i++)
		if (pg_strcasecmp(spec->options[i].key, key) == 0)
			return &spec->options[i];
	return NULL;
}

bool
siddhi_redis_mode_ok(const char *mode)
{
	static const char *const modes[] = { "publish", "set",	 "hset", "xadd",
										 "lpush",	"rpush", NULL };

	for (int i = 0; modes[i]; i++)
		if (pg_strcasecmp(modes[i], mode) == 0)
			return true;
	return false;
}

bool
siddhi_log_priority_level(const char *priority, int *elevel)
{
	/* Siddhi's priorities; the server log has no ERROR that does not abort */
	static const struct
	{
		const char *name;
		int elevel;
	} levels[] = { { "TRACE", DEBUG2 },	 { "DEBUG", DEBUG1 },
				   { "INFO", LOG },		 { "WARN", WARNING },
				   { "ERROR", WARNING }, { "FATAL", WARNING },
				   { "OFF", 0 },		 { NULL, 0 } };

	for (int i = 0; levels[i].name; i++)
		if (pg_strcasecmp(levels[i].name, priority) == 0)
		{
			*elevel = levels[i].elevel;
			return true;
		}
	return false;
}

/*
 * A secret's value must be one ${NAME} reference and nothing else:
 * anything more would keep (part of) the secret in the app's text, which
 * siddhi.apps shows to every member of the owner's role.
 */
bool
siddhi_option_value_secret_in_clear(const char *value)
{
	size_t len = strlen(value);

	if (len < 4 || value[0] != '$' || value[1] != '{' || value[len - 1] != '}')
		return true;
	for (size_t i = 2; i < len - 1; i++)
		if (!(isalnum((unsigned char) value[i]) || value[i] == '_' ||
			  value[i] == '.'))
			return true;
	return false;
}

SiddhiConnOption *
siddhi_conn_option_find(List *options, const char *key)
{
	ListCell *lc;

	foreach(lc, options)
	{
		SiddhiConnOption *o = lfirst(lc);

		if (o->key && pg_strcasecmp(o->key, key) == 0)
			return o;
	}
	return NULL;
}

const char *
siddhi_conn_option(List *options, const char *key, const char *def)
{
	SiddhiConnOption *o = siddhi_conn_option_find(options, key);

	return o ? o->value : def;
}

const char *
siddhi_on_error_name(SiddhiOnErrorAction action)
{
	switch (action)
	{
		case SIDDHI_ON_ERROR_LOG:
			return "LOG";
		case SIDDHI_ON_ERROR_STREAM:
			return "STREAM";
		case SIDDHI_ON_ERROR_STORE:
			return "STORE";
		case SIDDHI_ON_ERROR_DROP:
			return "DROP";
	}
	return "LOG";
}

/* File connectors ----------------------------------------------------------- */

char *siddhi_file_directory = NULL;

void
siddhi_file_guc_init(void)
{
	DefineCustomStringVariable(
		"siddhi.file_directory",
		"The directory file sources and sinks may use; empty: none.",
		"An absolute path; file.uri must name a file under it.",
		&siddhi_file_directory, "", PGC_SIGHUP, 0, NULL, NULL, NULL);
}

/*
 * The absolute path a file.uri ('file:///dir/f.csv', '/dir/f.csv', or
 * 'f.csv' relative to siddhi.file_directory) names, or NULL with *why set
 * when file connectors are off or the path is outside the directory.
 */
char *
siddhi_file_path(const char *uri, char **why)
{
	const char *dir = siddhi_file_directory ? siddhi_file_directory : "";
	char *d, *path;
	size_t dlen;

	*why = NULL;
	if (dir[0] != '/')
	{
		*why = pstrdup("file connectors are off: siddhi.file_directory is "
					   "not set to an absolute path");
		return NULL;
	}
	if (pg_strncasecmp(uri, "file://", 7) == 0)
		uri += 7;
	if (uri[0] == '\0')
	{
		*why = pstrdup("file.uri names no file");
		return NULL;
	}
	path = uri[0] == '/' ? pstrdup(uri) : psprintf("%s/%s", dir, uri);
	if (path_contains_parent_reference(path))
	{
		*why = psprintf("file.uri \"%s\" contains \"..\"", uri);
		return NULL;
	}
	canonicalize_path(path);
	d = pstrdup(dir);
	canonicalize_path(d);
	dlen = strlen(d);
	if (strncmp(path, d, dlen) != 0 || path[dlen] != '/' ||
		path[dlen + 1] == '\0')
	{
		*why = psprintf("file.uri \"%s\" is not under siddhi.file_directory "
						"(\"%s\")",
						uri, d);
		return NULL;
	}
	return path;
}
