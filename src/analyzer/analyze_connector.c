/*-------------------------------------------------------------------------
 *
 * analyze_connector.c
 *	  @source, @sink, @map and @OnError on stream definitions: the plans
 *	  of an app's connectors (include/siddhi/connector.h).
 *
 * Each @source(type = .., options.., @map(..)) of a stream becomes a
 * SiddhiSourcePlan, each @sink a SiddhiSinkPlan; every option is checked
 * against its type's spec (src/connectors/spec.c) and every @map against
 * its mapper's (src/connectors/map_spec.c), with errors at the position
 * of the culprit.  Two rules of trust are enforced here, at deploy and at
 * every load:
 *
 *	 - a connector that reaches the network (all but inMemory) may be
 *	   deployed only by members of the role siddhi_connector (and
 *	   superusers): an app with a source or sink opens connections from
 *	   the server, with the server's network reach;
 *	 - a secret (an option whose name says password, secret, token or key
 *	   material, including those inside optional.configuration) is never
 *	   written in clear: its value must be a ${NAME} reference, resolved
 *	   by the engine from siddhi.secrets, which only superusers can read.
 *
 * Sources are analyzed with the definitions (a @OnError(action =
 * 'STREAM') stream makes its fault stream !S, which queries may read);
 * sinks after the queries, which may infer the streams they send.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/relation.h"
#include "miscadmin.h"
#include "nodes/value.h"
#include "catalog/pg_authid.h"
#include "catalog/pg_type.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/formatting.h"
#include "utils/rel.h"
#include "siddhi/connector.h"
#include "siddhi/errors.h"
#include "siddhi/parser.h"

#include "analyze_int.h"

static bool sink_on_error_stream(SiddhiAnnotation *a);

static bool
is_annotation(SiddhiAnnotation *a, const char *name)
{
	return pg_strcasecmp(a->name, name) == 0;
}

static List *
options_of(List *elements)
{
	List *result = NIL;
	ListCell *lc;

	foreach(lc, elements)
	{
		SiddhiAnnotationElement *e = lfirst(lc);
		SiddhiConnOption *o = palloc(sizeof(SiddhiConnOption));

		o->key = e->key ? pstrdup(e->key) : NULL;
		o->value = pstrdup(e->value ? e->value : "");
		o->location = e->location;
		result = lappend(result, o);
	}
	return result;
}

/* Does a key name secret material? */
static bool
secret_key(const char *key)
{
	char *k = asc_tolower(key, strlen(key));

	return strstr(k, "password") != NULL || strstr(k, "secret") != NULL ||
		   strstr(k, "token") != NULL || strstr(k, "jaas") != NULL ||
		   strstr(k, "ssl.key") != NULL || strstr(k, "credential") != NULL ||
		   strstr(k, "api.key") != NULL;
}

static void
secret_error(AnalyzeState *st, const char *key, int location)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("option \"%s\" holds a secret written in clear", key),
			 errdetail("App text is stored in siddhi.apps, which members of "
					   "the owner's role can read."),
			 errhint("Write '${NAME}' and have a superuser store the value: "
					 "INSERT INTO siddhi.secrets VALUES ('NAME', '..')."),
			 siddhi_errposition(st->app->source, location)));
}

/*
 * optional.configuration = 'k1:v1,k2:v2' passes librdkafka settings
 * through; those that carry secrets must be ${NAME} references too.
 */
static void
check_optional_configuration(AnalyzeState *st, SiddhiConnOption *o)
{
	char *copy = pstrdup(o->value);
	char *save = NULL;

	for (char *item = strtok_r(copy, ",", &save); item;
		 item = strtok_r(NULL, ",", &save))
	{
		char *colon = strchr(item, ':');
		char *key;

		if (colon == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("optional.configuration item \"%s\" has no value",
							item),
					 errhint("Write 'key:value,key:value'."),
					 siddhi_errposition(st->app->source, o->location)));
		*colon = '\0';
		key = item;
		while (*key == ' ')
			key++;
		if (secret_key(key) && siddhi_option_value_secret_in_clear(colon + 1))
			secret_error(st, key, o->location);
	}
}

static void
check_options(AnalyzeState *st, const SiddhiConnectorSpec *spec, List *options,
			  const char *what, int location)
{
	ListCell *lc;

	foreach(lc, options)
	{
		SiddhiConnOption *o = lfirst(lc);
		const SiddhiOptionSpec *os;
		ListCell *other;

		if (o->key == NULL)
			ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
							errmsg("@%s takes no value without a key", what),
							siddhi_errposition(st->app->source, o->location)));
		os = siddhi_option_spec(spec, o->key);
		if (os == NULL)
		{
			StringInfoData keys;

			initStringInfo(&keys);
			for (int i = 0; spec->options[i].key; i++)
				appendStringInfo(&keys, "%s%s", i ? ", " : "",
								 spec->options[i].key);
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("unknown option \"%s\" for a %s %s", o->key,
							spec->type, what),
					 errhint("A %s %s takes %s.", spec->type, what, keys.data),
					 siddhi_errposition(st->app->source, o->location)));
		}
		foreach(other, options)
		{
			SiddhiConnOption *p = lfirst(other);

			if (p == o)
				break;
			if (p->key && pg_strcasecmp(p->key, o->key) == 0)
				ereport(ERROR,
						(errcode(ERRCODE_DUPLICATE_OBJECT),
						 errmsg("option \"%s\" is given twice", o->key),
						 siddhi_errposition(st->app->source, o->location)));
		}
		if ((os->secret || secret_key(o->key)) &&
			siddhi_option_value_secret_in_clear(o->value))
			secret_error(st, o->key, o->location);
		if (pg_strcasecmp(o->key, "optional.configuration") == 0)
			check_optional_configuration(st, o);
	}
	for (int i = 0; spec->options[i].key; i++)
		if (spec->options[i].required &&
			siddhi_conn_option(options, spec->options[i].key, NULL) == NULL)
			ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
							errmsg("a %s %s needs option \"%s\"", spec->type,
								   what, spec->options[i].key),
							siddhi_errposition(st->app->source, location)));
}

SiddhiMapPlan *
siddhi_map_plan(SiddhiAnnotation *conn, const char *source)
{
	SiddhiMapPlan *map = palloc0(sizeof(SiddhiMapPlan));
	SiddhiAnnotation *m = NULL;
	ListCell *lc;

	foreach(lc, conn->annotations)
	{
		SiddhiAnnotation *n = lfirst(lc);

		if (!is_annotation(n, "map"))
			ereport(ERROR, (errcode(ERRCODE_SIDDHI_SEMANTIC_ERROR),
							errmsg("unknown annotation @%s in @%s", n->name,
								   conn->name),
							errhint("@%s takes one @map(..).", conn->name),
							siddhi_errposition(source, n->location)));
		if (m != NULL)
			ereport(ERROR, (errcode(ERRCODE_SIDDHI_SEMANTIC_ERROR),
							errmsg("@%s has more than one @map", conn->name),
							siddhi_errposition(source, n->location)));
		m = n;
	}
	map->location = conn->location;
	map->type = "passThrough";
	if (m == NULL)
		return map;
	map->location = m->location;
	map->type = NULL;
	foreach(lc, m->elements)
	{
		SiddhiAnnotationElement *e = lfirst(lc);

		if (e->key && pg_strcasecmp(e->key, "type") == 0)
			map->type = pstrdup(e->value);
		else
			map->options =
				list_concat(map->options, options_of(list_make1(e)));
	}
	if (map->type == NULL)
		ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						errmsg("@map needs a type"),
						errhint("Write @map(type = 'json'), or 'csv', 'text', "
								"'keyvalue', 'avro'."),
						siddhi_errposition(source, m->location)));
	foreach(lc, m->annotations)
	{
		SiddhiAnnotation *n = lfirst(lc);

		if (is_annotation(n, "attributes") && map->attributes == NIL)
			map->attributes = options_of(n->elements);
		else if (is_annotation(n, "payload") && map->payload == NULL &&
				 list_length(n->elements) == 1)
		{
			SiddhiAnnotationElement *e = linitial(n->elements);

			map->payload = pstrdup(e->value);
			map->payload_location = e->location;
		}
		else
			ereport(ERROR,
					(errcode(ERRCODE_SIDDHI_SEMANTIC_ERROR),
					 errmsg("unexpected @%s in @map", n->name),
					 errhint("@map takes one @attributes(..) (sources) or "
							 "one @payload('..') (sinks)."),
					 siddhi_errposition(source, n->location)));
	}
	return map;
}

static SiddhiOnErrorAction
on_error_of(AnalyzeState *st, SiddhiDefinition *d, int *location)
{
	ListCell *lc;

	*location = -1;
	foreach(lc, d->annotations)
	{
		SiddhiAnnotation *a = lfirst(lc);
		SiddhiAnnotationElement *e;

		if (!is_annotation(a, "OnError"))
			continue;
		*location = a->location;
		if (list_length(a->elements) != 1)
			break;
		e = linitial(a->elements);
		if (e->key && pg_strcasecmp(e->key, "action") != 0)
			break;
		if (pg_strcasecmp(e->value, "log") == 0)
			return SIDDHI_ON_ERROR_LOG;
		if (pg_strcasecmp(e->value, "stream") == 0)
			return SIDDHI_ON_ERROR_STREAM;
		if (pg_strcasecmp(e->value, "store") == 0)
			return SIDDHI_ON_ERROR_STORE;
		if (pg_strcasecmp(e->value, "drop") == 0)
			return SIDDHI_ON_ERROR_DROP;
		ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						errmsg("unknown @OnError action \"%s\"", e->value),
						errhint("@OnError(action = ..) takes 'LOG', 'STREAM', "
								"'STORE' or 'DROP'."),
						siddhi_errposition(st->app->source, e->location)));
	}
	if (*location >= 0)
		ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						errmsg("@OnError takes one option, action"),
						errhint("Write @OnError(action = 'STORE')."),
						siddhi_errposition(st->app->source, *location)));
	return SIDDHI_ON_ERROR_LOG;
}

static TupleDesc
relation_desc(Oid relid)
{
	Relation rel = relation_open(relid, AccessShareLock);
	TupleDesc desc = CreateTupleDescCopy(RelationGetDescr(rel));

	relation_close(rel, AccessShareLock);
	return desc;
}

/* The relation of a stream definition, and its row type. */
static SiddhiRelation *
stream_of(AnalyzeState *st, SiddhiDefinition *d, TupleDesc *desc)
{
	SiddhiRelation *rel = siddhi_find_relation(st, d->name);

	if (rel == NULL || !OidIsValid(rel->relid))
		ereport(ERROR,
				(errcode(ERRCODE_SIDDHI_SEMANTIC_ERROR),
				 errmsg("stream \"%s\" of a connector is neither defined "
						"nor written by a query",
						d->name),
				 siddhi_errposition(st->app->source, d->location)));
	*desc = relation_desc(rel->relid);
	return rel;
}

/* The common part of a @source or @sink. */
static void
connector_common(AnalyzeState *st, SiddhiAnnotation *a, bool source,
				 char **type, List **options, SiddhiMapPlan **map,
				 const SiddhiConnectorSpec **spec)
{
	const char *what = source ? "source" : "sink";
	ListCell *lc;

	*type = NULL;
	*options = NIL;
	foreach(lc, a->elements)
	{
		SiddhiAnnotationElement *e = lfirst(lc);

		if (e->key && pg_strcasecmp(e->key, "type") == 0)
			*type = e->value;
		else
			*options = list_concat(*options, options_of(list_make1(e)));
	}
	if (*type == NULL)
		ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						errmsg("@%s needs a type", what),
						errhint("The %s types are %s.", what,
								siddhi_connector_types(source)),
						siddhi_errposition(st->app->source, a->location)));
	*spec = siddhi_connector_spec(*type, source);
	if (*spec == NULL)
		ereport(ERROR, (errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
						errmsg("unknown %s type \"%s\"", what, *type),
						errhint("The %s types are %s.", what,
								siddhi_connector_types(source)),
						siddhi_errposition(st->app->source, a->location)));
	*type = pstrdup((*spec)->type);
	check_options(st, *spec, *options, what, a->location);
	*map = siddhi_map_plan(a, st->app->source);
	/* log and notify carry text: without @map, Siddhi's default JSON */
	if ((*spec)->default_map && a->annotations == NIL)
		(*map)->type = pstrdup((*spec)->default_map);
	if ((*spec)->bytes && strcmp((*map)->type, "passThrough") == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("a %s %s needs a mapper", (*spec)->type, what),
				 errdetail("passThrough carries events as they are; a %s "
						   "%s carries bytes or text.",
						   (*spec)->type, what),
				 errhint("Add @map(type = 'json'), or 'csv', 'text', "
						 "'keyvalue', 'avro'."),
				 siddhi_errposition(st->app->source, a->location)));
}

/*
 * Only members of siddhi_connector (and superusers) may run connectors
 * that reach the network.
 */
static void
check_connector_role(AnalyzeState *st, const SiddhiConnectorSpec *spec,
					 int location)
{
	Oid role;

	if (!spec->network || superuser())
		return;
	role = get_role_oid("siddhi_connector", true);
	if (!OidIsValid(role) || !has_privs_of_role(GetUserId(), role))
		ereport(
			ERROR,
			(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
			 errmsg("permission denied to deploy a %s connector", spec->type),
			 errdetail("Sources and sinks other than inMemory open "
					   "connections from the database server."),
			 errhint("A superuser can GRANT siddhi_connector TO %s.",
					 GetUserNameFromId(GetUserId(), false)),
			 siddhi_errposition(st->app->source, location)));
}

/* The fault stream !S of a stream S: S's attributes, then _error. */
static SiddhiRelation *
fault_stream(AnalyzeState *st, SiddhiDefinition *d, TupleDesc desc,
			 int location)
{
	List *names = NIL, *typids = NIL, *typmods = NIL;

	for (int i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, i);

		names = lappend(names, makeString(pstrdup(NameStr(att->attname))));
		typids = lappend_oid(typids, att->atttypid);
		typmods = lappend_int(typmods, att->atttypmod);
	}
	names = lappend(names, makeString(pstrdup("_error")));
	typids = lappend_oid(typids, TEXTOID);
	typmods = lappend_int(typmods, -1);
	return siddhi_bind_stream(st, psprintf("!%s", d->name), names, typids,
							  typmods, location);
}

void
siddhi_analyze_sources(AnalyzeState *st)
{
	ListCell *ld;

	foreach(ld, st->app->definitions)
	{
		SiddhiDefinition *d = lfirst(ld);
		SiddhiRelation *rel = NULL;
		SiddhiRelation *fault = NULL;
		SiddhiOnErrorAction on_error;
		TupleDesc desc = NULL;
		int on_error_location;
		int k = 0;
		ListCell *la;

		if (d->kind != SIDDHI_DEF_STREAM)
			continue;
		on_error = on_error_of(st, d, &on_error_location);
		foreach(la, d->annotations)
		{
			SiddhiAnnotation *a = lfirst(la);

			if (!is_annotation(a, "source") && !is_annotation(a, "sink"))
				continue;
			/* a SQL sink's inferred target: its query makes the stream */
			if (d->inferred)
				continue;
			if (rel == NULL)
				rel = stream_of(st, d, &desc);
			if (is_annotation(a, "source"))
			{
				SiddhiSourcePlan *sp = palloc0(sizeof(SiddhiSourcePlan));
				const SiddhiConnectorSpec *spec;

				connector_common(st, a, true, &sp->type, &sp->options,
								 &sp->map, &spec);
				siddhi_mapper_validate(sp->map, desc, false, st->app->source);
				check_connector_role(st, spec, a->location);
				sp->name = psprintf("%s.source%d", d->name, ++k);
				sp->stream = rel;
				sp->desc = desc;
				sp->on_error = on_error;
				sp->location = a->location;
				if (pg_strcasecmp(sp->type, "http") == 0)
					siddhi_analyze_http_source(st, sp);
				if (strcmp(sp->type, "file") == 0)
					siddhi_check_file_source(st, sp);
				if (strcmp(sp->type, "cdc") == 0)
					siddhi_analyze_cdc_source(st, sp, d->location);
				if (on_error == SIDDHI_ON_ERROR_STREAM && fault == NULL)
					fault = fault_stream(st, d, desc, on_error_location);
				sp->fault = fault;
				st->plan->sources = lappend(st->plan->sources, sp);
			}
			else if (on_error == SIDDHI_ON_ERROR_STREAM && fault == NULL &&
					 sink_on_error_stream(a))
				/* a sink's on.error = 'STREAM' sends to !S too */
				fault = fault_stream(st, d, desc, on_error_location);
		}
	}
}

/* Does a @sink say on.error = 'STREAM'? */
static bool
sink_on_error_stream(SiddhiAnnotation *a)
{
	ListCell *lc;

	foreach(lc, a->elements)
	{
		SiddhiAnnotationElement *e = lfirst(lc);

		if (e->key && pg_strcasecmp(e->key, "on.error") == 0 && e->value &&
			pg_strcasecmp(e->value, "stream") == 0)
			return true;
	}
	return false;
}

static void
check_template_option(AnalyzeState *st, SiddhiSinkPlan *sp, const char *key)
{
	SiddhiConnOption *o = siddhi_conn_option_find(sp->options, key);
	char *bad;

	if (o == NULL)
		return;
	if (siddhi_template_parse(o->value, sp->desc, &bad) == NULL)
		ereport(ERROR, (errcode(ERRCODE_UNDEFINED_COLUMN),
						errmsg("option \"%s\" names \"%s\", which is not an "
							   "attribute of stream \"%s\"",
							   key, bad, sp->stream->name),
						siddhi_errposition(st->app->source, o->location)));
}

static void
check_int_option(AnalyzeState *st, SiddhiSinkPlan *sp, const char *key,
				 long min, long max)
{
	SiddhiConnOption *o = siddhi_conn_option_find(sp->options, key);
	char *end = NULL;
	long v;

	if (o == NULL)
		return;
	errno = 0;
	v = strtol(o->value, &end, 10);
	if (errno != 0 || end == o->value || *end != '\0' || v < min || v > max)
		ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						errmsg("%s must be an integer from %ld to %ld", key,
							   min, max),
						siddhi_errposition(st->app->source, o->location)));
}

/* A Redis sink's mode, and the key or channel it needs. */
static void
check_redis_options(AnalyzeState *st, SiddhiSinkPlan *sp)
{
	SiddhiConnOption *o = siddhi_conn_option_find(sp->options, "mode");
	const char *mode = o ? o->value : "publish";
	bool publish = pg_strcasecmp(mode, "publish") == 0;

	if (!siddhi_redis_mode_ok(mode))
		ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						errmsg("unknown redis mode \"%s\"", mode),
						errhint("A redis sink's mode is 'publish' (the "
								"default), 'set', 'hset', 'xadd', 'lpush' or "
								"'rpush'."),
						siddhi_errposition(st->app->source, o->location)));
	if (siddhi_conn_option_find(sp->options, publish ? "channel" : "key") ==
		NULL)
		ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						errmsg("a redis sink in mode '%s' needs option \"%s\"",
							   mode, publish ? "channel" : "key"),
						siddhi_errposition(st->app->source, sp->location)));
}

/*
 * A file sink: the owner may write server files (the rule COPY TO a file
 * follows), and file.uri is under siddhi.file_directory.
 */
static void
check_file_options(AnalyzeState *st, SiddhiSinkPlan *sp)
{
	SiddhiConnOption *o = siddhi_conn_option_find(sp->options, "file.uri");
	char *why = NULL;

	if (!has_privs_of_role(GetUserId(), ROLE_PG_WRITE_SERVER_FILES))
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("permission denied to deploy a file sink"),
				 errdetail("A file sink writes files on the database server."),
				 errhint("Members of pg_write_server_files may, as for COPY "
						 "TO a file."),
				 siddhi_errposition(st->app->source, sp->location)));
	if (o && siddhi_file_path(o->value, &why) == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE), errmsg("%s", why),
				 errhint("A superuser sets siddhi.file_directory in "
						 "postgresql.conf; file.uri names a file "
						 "under it."),
				 siddhi_errposition(st->app->source, o->location)));
	o = siddhi_conn_option_find(sp->options, "compress");
	if (o && pg_strcasecmp(o->value, "gzip") != 0 &&
		pg_strcasecmp(o->value, "none") != 0)
		ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						errmsg("compress must be 'gzip' or 'none'"),
						siddhi_errposition(st->app->source, o->location)));
	o = siddhi_conn_option_find(sp->options, "fsync");
	if (o && pg_strcasecmp(o->value, "batch") != 0 &&
		pg_strcasecmp(o->value, "none") != 0)
		ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						errmsg("fsync must be 'batch' or 'none'"),
						siddhi_errposition(st->app->source, o->location)));
	o = siddhi_conn_option_find(sp->options, "append");
	if (o && pg_strcasecmp(o->value, "true") != 0)
		ereport(ERROR, (errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
						errmsg("a file sink only appends"),
						errhint("Remove append, or rotate the file with "
								"rotate.size or rotate.interval."),
						siddhi_errposition(st->app->source, o->location)));
	check_int_option(st, sp, "rotate.interval", 1000, PG_INT32_MAX);
}

static void
check_sink_options(AnalyzeState *st, SiddhiSinkPlan *sp,
				   SiddhiOnErrorAction stream_on_error)
{
	SiddhiConnOption *o;
	int level;

	o = siddhi_conn_option_find(sp->options, "on.error");
	if (o && pg_strcasecmp(o->value, "log") != 0 &&
		pg_strcasecmp(o->value, "wait") != 0 &&
		pg_strcasecmp(o->value, "stream") != 0)
		ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						errmsg("unknown on.error action \"%s\"", o->value),
						errhint("A sink's on.error takes 'LOG', 'WAIT' or "
								"'STREAM'."),
						siddhi_errposition(st->app->source, o->location)));
	if (o && pg_strcasecmp(o->value, "stream") == 0)
	{
		if (stream_on_error != SIDDHI_ON_ERROR_STREAM)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("on.error = 'STREAM' needs a fault stream"),
					 errhint("Add @OnError(action = 'STREAM') to stream "
							 "\"%s\".",
							 sp->stream->name),
					 siddhi_errposition(st->app->source, o->location)));
		sp->fault =
			siddhi_find_relation(st, psprintf("!%s", sp->stream->name));
	}
	o = siddhi_conn_option_find(sp->options, "outbox.max.events");
	if (o)
	{
		int64 v = 0;
		char *end = NULL;

		errno = 0;
		v = strtoll(o->value, &end, 10);
		if (errno != 0 || end == o->value || *end != '\0' || v < 1)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("outbox.max.events must be a positive integer"),
					 siddhi_errposition(st->app->source, o->location)));
	}
	o = siddhi_conn_option_find(sp->options, "partition.no");
	if (o && strstr(o->value, "{{") == NULL)
	{
		char *end = NULL;
		long v;

		errno = 0;
		v = strtol(o->value, &end, 10);
		if (errno != 0 || end == o->value || *end != '\0' || v < 0 ||
			v > PG_INT32_MAX)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("partition.no must be a partition number or a "
							"'{{attribute}}' template"),
					 siddhi_errposition(st->app->source, o->location)));
	}
	o = siddhi_conn_option_find(sp->options, "priority");
	if (o && !siddhi_log_priority_level(o->value, &level))
		ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						errmsg("unknown log priority \"%s\"", o->value),
						errhint("A log sink's priority is 'TRACE', 'DEBUG', "
								"'INFO', 'WARN', 'ERROR', 'FATAL' or 'OFF'."),
						siddhi_errposition(st->app->source, o->location)));
	o = siddhi_conn_option_find(sp->options, "publisher.url");
	if (o && pg_strncasecmp(o->value, "http://", 7) != 0 &&
		pg_strncasecmp(o->value, "https://", 8) != 0)
		ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						errmsg("publisher.url must start with http:// or "
							   "https://"),
						siddhi_errposition(st->app->source, o->location)));
	o = siddhi_conn_option_find(sp->options, "method");
	if (o && pg_strcasecmp(o->value, "POST") != 0 &&
		pg_strcasecmp(o->value, "PUT") != 0 &&
		pg_strcasecmp(o->value, "PATCH") != 0 &&
		pg_strcasecmp(o->value, "GET") != 0 &&
		pg_strcasecmp(o->value, "DELETE") != 0)
		ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						errmsg("unknown http method \"%s\"", o->value),
						errhint("An http sink's method is 'POST' (the "
								"default), 'PUT', 'PATCH', 'GET' or "
								"'DELETE'."),
						siddhi_errposition(st->app->source, o->location)));
	check_int_option(st, sp, "max.connections", 1, 64);
	check_int_option(st, sp, "batch.size", 1, 1000);
	check_int_option(st, sp, "port", 1, 65535);
	check_int_option(st, sp, "db", 0, 1000000);
	check_int_option(st, sp, "ttl", 1, PG_INT32_MAX);
	check_int_option(st, sp, "maxlen", 1, PG_INT32_MAX);
	if (pg_strcasecmp(sp->type, "redis") == 0)
		check_redis_options(st, sp);
	if (pg_strcasecmp(sp->type, "file") == 0)
		check_file_options(st, sp);
	check_int_option(st, sp, "socket.idle.timeout", 1, 3600 * 1000);
	o = siddhi_conn_option_find(sp->options, "channel");
	if (o && (o->value[0] == '\0' || strlen(o->value) >= NAMEDATALEN))
		ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						errmsg("a notify channel must be 1 to %d bytes long",
							   NAMEDATALEN - 1),
						siddhi_errposition(st->app->source, o->location)));
	check_template_option(st, sp, "key");
	check_template_option(st, sp, "topic");
	check_template_option(st, sp, "partition.no");
}

void
siddhi_analyze_sinks(AnalyzeState *st)
{
	ListCell *ld;

	foreach(ld, st->app->definitions)
	{
		SiddhiDefinition *d = lfirst(ld);
		SiddhiRelation *rel = NULL;
		TupleDesc desc = NULL;
		int k = 0;
		ListCell *la;
		SiddhiOnErrorAction on_error;
		int on_error_location;

		if (d->kind != SIDDHI_DEF_STREAM)
			continue;
		on_error = on_error_of(st, d, &on_error_location);
		foreach(la, d->annotations)
		{
			SiddhiAnnotation *a = lfirst(la);
			SiddhiSinkPlan *sp;
			const SiddhiConnectorSpec *spec;

			if (!is_annotation(a, "sink"))
				continue;
			if (rel == NULL)
				rel = stream_of(st, d, &desc);
			sp = palloc0(sizeof(SiddhiSinkPlan));
			connector_common(st, a, false, &sp->type, &sp->options, &sp->map,
							 &spec);
			siddhi_mapper_validate(sp->map, desc, true, st->app->source);
			check_connector_role(st, spec, a->location);
			sp->name = psprintf("%s.sink%d", d->name, ++k);
			sp->stream = rel;
			sp->desc = desc;
			sp->location = a->location;
			check_sink_options(st, sp, on_error);
			st->plan->sinks = lappend(st->plan->sinks, sp);
		}
	}
}
