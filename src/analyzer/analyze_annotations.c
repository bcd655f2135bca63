/*-------------------------------------------------------------------------
 *
 * analyze_annotations.c
 *	  Refuse at deploy the annotations and WITH options the engine does
 *	  not implement.
 *
 * An annotation the engine does not read would deploy as "running" and do
 * nothing: a misspelt @info(nmae = 'q') would leave the query unnamed,
 * @store(type = 'rdbms') would keep a table somewhere it is not.  So every annotation of an app is checked against what the
 * analyzer and runtime read, by where it is written:
 *
 *	 app		 @app:name, @app:playback, @app:aggTimeZone, @app:description,
 *				 @app:statistics
 *	 stream		 @eventTime, WITH (event_time, durable, synchronous_commit),
 *				 @durable, @Async, @source, @sink, @OnError (their
 *				 contents: analyze_connector.c, analyze_durable.c)
 *	 table		 @PrimaryKey, @Index
 *	 aggregation @purge, @aggTimeZone (their contents: analyze_aggregation.c)
 *	 query		 @info(name, max.partial.matches), @Async
 *	 partition	 @info, @purge (their contents: analyze_partition.c)
 *
 * @app:statistics and @Async are accepted with any content: they tune how
 * Siddhi Java reports and threads, not what an app computes; here every
 * query's counters are always in siddhi.queries and a database's apps
 * run in one engine worker, so they change nothing (docs/reference.md).
 *
 * @store (a table kept outside PostgreSQL) is refused as not supported
 * (0A000), and so is a WITH (connector | type = ..) the SQL parser did
 * not turn into a @source; any other unknown annotation, element or
 * option is named in the error, at its position.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "lib/stringinfo.h"
#include "siddhi/errors.h"
#include "siddhi/parser.h"

#include "analyze_int.h"

typedef struct AnnotationRule
{
	const char *name;
	const char *const *keys; /* element keys it takes, NULL-terminated */
	bool positional;		 /* takes an element without a key */
	bool any_content;		 /* checked by the code that reads it */
} AnnotationRule;

static const char *const no_keys[] = { NULL };
static const char *const name_keys[] = { "name", NULL };
static const char *const event_time_keys[] = { "attribute", NULL };
static const char *const info_keys[] = { "name", "max.partial.matches", NULL };
static const char *const durable_keys[] = { "synchronous.commit", NULL };

static const AnnotationRule app_rules[] = {
	{ "app:name", name_keys, true, false },
	{ "app:playback", no_keys, false, false },
	{ "app:aggTimeZone", no_keys, true, false },
	{ "app:description", no_keys, true, false },
	{ "app:statistics", NULL, false, true },
	{ NULL },
};
static const AnnotationRule stream_rules[] = {
	{ "eventTime", event_time_keys, true, false },
	{ "Async", NULL, false, true },
	{ "source", NULL, false, true },
	{ "sink", NULL, false, true },
	{ "OnError", NULL, false, true },
	{ "durable", durable_keys, true, false },
	{ NULL },
};
static const AnnotationRule table_rules[] = {
	{ "PrimaryKey", no_keys, true, false },
	{ "Index", no_keys, true, false },
	{ NULL },
};
static const AnnotationRule aggregation_rules[] = {
	{ "purge", NULL, false, true },
	{ "aggTimeZone", no_keys, true, false },
	{ NULL },
};
static const AnnotationRule query_rules[] = {
	{ "info", info_keys, false, false },
	{ "Async", NULL, false, true },
	{ NULL },
};
static const AnnotationRule partition_rules[] = {
	{ "info", name_keys, false, false },
	{ "purge", NULL, false, true },
	{ NULL },
};
static const AnnotationRule no_rules[] = {
	{ NULL },
};

/* WITH (..) options of the SQL dialect, by kind of definition */
static const char *const stream_options[] = { "event_time", "durable",
											  "synchronous_commit", NULL };

static bool
is_connector(const char *name)
{
	return pg_strcasecmp(name, "store") == 0;
}

static pg_attribute_noreturn() void connector_error(AnalyzeState *st,
													const char *what,
													int location)
{
	ereport(ERROR, (errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					errmsg("%s is not supported", what),
					errdetail("An app's tables are PostgreSQL tables; @store "
							  "would keep one elsewhere."),
					errhint("Define the table without @store, or read another "
							"database through a foreign table."),
					siddhi_errposition(st->app->source, location)));
	pg_unreachable();
}

static bool
key_listed(const char *const *keys, const char *key)
{
	for (int i = 0; keys && keys[i]; i++)
		if (pg_strcasecmp(keys[i], key) == 0)
			return true;
	return false;
}

static char *
keys_text(const char *const *keys)
{
	StringInfoData buf;

	initStringInfo(&buf);
	for (int i = 0; keys[i]; i++)
		appendStringInfo(&buf, "%s%s", i == 0 ? "" : ", ", keys[i]);
	return buf.data;
}

static char *
rules_text(const AnnotationRule *rules)
{
	StringInfoData buf;

	initStringInfo(&buf);
	for (int i = 0; rules[i].name; i++)
		appendStringInfo(&buf, "%s@%s", i == 0 ? "" : ", ", rules[i].name);
	return buf.data;
}

/* The SQL dialect's WITH (key = value, ..) of a definition. */
static void
check_with(AnalyzeState *st, SiddhiDefinition *d, SiddhiAnnotation *a,
		   const char *kind, const char *const *options)
{
	ListCell *lc;

	foreach(lc, a->elements)
	{
		SiddhiAnnotationElement *e = lfirst(lc);
		const char *key = e->key ? e->key : "";

		if (key_listed(options, key))
			continue;
		if (pg_strcasecmp(key, "connector") == 0 ||
			pg_strcasecmp(key, "type") == 0)
			ereport(
				ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("WITH (%s = ..) is not supported on a %s", key, kind),
				 errhint("Sources are streams: CREATE STREAM .. WITH "
						 "(connector = ..) or CREATE SOURCE."),
				 siddhi_errposition(st->app->source, e->location)));
		ereport(
			ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("unknown option \"%s\" for %s \"%s\"", key, kind, d->name),
			 options[0]
				 ? errhint("A %s takes WITH (%s).", kind, keys_text(options))
				 : errhint("A %s takes no WITH options.", kind),
			 siddhi_errposition(st->app->source, e->location)));
	}
}

static void
check_annotation(AnalyzeState *st, SiddhiAnnotation *a,
				 const AnnotationRule *rules, const char *where)
{
	const AnnotationRule *rule = NULL;
	ListCell *lc;

	if (is_connector(a->name))
		connector_error(st, psprintf("@%s", a->name), a->location);
	for (int i = 0; rules[i].name; i++)
		if (pg_strcasecmp(rules[i].name, a->name) == 0)
			rule = &rules[i];
	if (rule == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_SIDDHI_SEMANTIC_ERROR),
				 errmsg("unknown annotation @%s on %s", a->name, where),
				 rules[0].name
					 ? errhint("Here the engine reads %s.", rules_text(rules))
					 : errhint("Here the engine reads no annotation."),
				 siddhi_errposition(st->app->source, a->location)));
	if (rule->any_content)
	{
		/* its reader checks the rest; connectors are refused anywhere */
		foreach(lc, a->annotations)
		{
			SiddhiAnnotation *n = lfirst(lc);

			if (is_connector(n->name))
				connector_error(st, psprintf("@%s", n->name), n->location);
		}
		return;
	}
	foreach(lc, a->elements)
	{
		SiddhiAnnotationElement *e = lfirst(lc);

		if (e->key == NULL ? rule->positional : key_listed(rule->keys, e->key))
			continue;
		if (e->key == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("@%s takes no value without a key", a->name),
					 rule->keys[0] ? errhint("@%s takes %s.", a->name,
											 keys_text(rule->keys))
								   : 0,
					 siddhi_errposition(st->app->source, e->location)));
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unknown option \"%s\" in @%s", e->key, a->name),
				 rule->keys[0]
					 ? errhint("@%s takes %s.", a->name, keys_text(rule->keys))
					 : errhint("@%s takes no options.", a->name),
				 siddhi_errposition(st->app->source, e->location)));
	}
	foreach(lc, a->annotations)
	{
		SiddhiAnnotation *n = lfirst(lc);

		if (is_connector(n->name))
			connector_error(st, psprintf("@%s", n->name), n->location);
		ereport(ERROR,
				(errcode(ERRCODE_SIDDHI_SEMANTIC_ERROR),
				 errmsg("unknown annotation @%s in @%s", n->name, a->name),
				 siddhi_errposition(st->app->source, n->location)));
	}
}

static void
check_list(AnalyzeState *st, List *annotations, const AnnotationRule *rules,
		   const char *where)
{
	ListCell *lc;

	foreach(lc, annotations)
		check_annotation(st, lfirst(lc), rules, where);
}

static void
check_definition(AnalyzeState *st, SiddhiDefinition *d)
{
	const AnnotationRule *rules = no_rules;
	const char *const *options = no_keys;
	const char *kind = "stream";
	ListCell *lc;

	switch (d->kind)
	{
		case SIDDHI_DEF_STREAM:
			rules = stream_rules;
			options = stream_options;
			break;
		case SIDDHI_DEF_TABLE:
			rules = table_rules;
			kind = "table";
			break;
		case SIDDHI_DEF_WINDOW:
			kind = "window";
			break;
		case SIDDHI_DEF_TRIGGER:
			kind = "trigger";
			break;
		case SIDDHI_DEF_AGGREGATION:
			rules = aggregation_rules;
			kind = "aggregation";
			break;
		case SIDDHI_DEF_FUNCTION:
			kind = "function";
			break;
	}
	foreach(lc, d->annotations)
	{
		SiddhiAnnotation *a = lfirst(lc);

		if (strcmp(a->name, "with") == 0)
			check_with(st, d, a, kind, options);
		else
			check_annotation(st, a, rules, psprintf("a %s", kind));
	}
}

static void
check_queries(AnalyzeState *st, List *queries)
{
	ListCell *lc;

	foreach(lc, queries)
		check_list(st, ((SiddhiQuery *) lfirst(lc))->annotations, query_rules,
				   "a query");
}

void
siddhi_check_annotations(AnalyzeState *st)
{
	SiddhiApp *app = st->app;
	ListCell *lc;

	check_list(st, app->annotations, app_rules, "an app");
	foreach(lc, app->definitions)
		check_definition(st, lfirst(lc));
	check_queries(st, app->queries);
	foreach(lc, app->partitions)
	{
		SiddhiPartition *part = lfirst(lc);

		check_list(st, part->annotations, partition_rules, "a partition");
		check_queries(st, part->queries);
	}
}
