/*-------------------------------------------------------------------------
 *
 * map_spec.c
 *	  The mappers there are, the options each takes, and their checks at
 *	  deploy.
 *
 * Pure: the analyzer calls siddhi_mapper_validate() for every @map (and
 * for a @source or @sink without one, whose mapper is passThrough), so
 * that an app with a misspelt option or an attribute the stream does not
 * have never deploys.  Option names are those of Siddhi's mapper
 * extensions (siddhi-map-json, -csv, -text, -keyvalue, -avro).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "lib/stringinfo.h"
#include "siddhi/connector.h"
#include "siddhi/parser.h"
#include "utils/builtins.h"

#include "map_int.h"

typedef struct MapperSpec
{
	const char *type;
	const char *const *source_options; /* NULL: not a source mapper */
	const char *const *sink_options;   /* NULL: not a sink mapper */
	bool attributes;				   /* source: takes @attributes */
	bool payload;					   /* sink: takes @payload */
} MapperSpec;

static const char *const none[] = { NULL };
static const char *const json_source[] = { "enclosing.element",
										   "fail.on.missing.attribute", NULL };
static const char *const json_sink[] = { "enclosing.element", "validate.json",
										 NULL };
static const char *const csv_source[] = { "delimiter", "header.present",
										  "fail.on.unknown.attribute",
										  "event.grouping.enabled", NULL };
static const char *const csv_sink[] = { "delimiter", "header",
										"event.grouping.enabled", NULL };
static const char *const text_source[] = { "fail.on.missing.attribute",
										   "event.grouping.enabled",
										   "delimiter", NULL };
static const char *const text_sink[] = { "event.grouping.enabled", "delimiter",
										 "new.line.character",
										 "mustache.enabled", NULL };
static const char *const kv_source[] = { "fail.on.missing.attribute", NULL };
static const char *const avro_source[] = {
	"schema.def",  "schema.registry",			"schema.id",
	"schema.file", "fail.on.missing.attribute", "use.avro.deserializer",
	NULL
};
static const char *const avro_sink[] = { "schema.def", "schema.registry",
										 "schema.id",  "schema.file",
										 "subject",	   "use.avro.serializer",
										 NULL };

static const MapperSpec mappers[] = {
	{ "passThrough", none, none, false, false },
	{ "json", json_source, json_sink, true, true },
	{ "csv", csv_source, csv_sink, true, true },
	{ "text", text_source, text_sink, true, true },
	{ "keyvalue", kv_source, none, true, true },
	{ "avro", avro_source, avro_sink, true, false },
	{ NULL }
};

static const MapperSpec *
find_mapper(const char *type)
{
	for (int i = 0; mappers[i].type; i++)
		if (pg_strcasecmp(mappers[i].type, type) == 0)
			return &mappers[i];
	return NULL;
}

static bool
listed(const char *const *keys, const char *key)
{
	for (int i = 0; keys[i]; i++)
		if (pg_strcasecmp(keys[i], key) == 0)
			return true;
	return false;
}

static char *
list_text(const char *const *keys)
{
	StringInfoData buf;

	initStringInfo(&buf);
	for (int i = 0; keys[i]; i++)
		appendStringInfo(&buf, "%s%s", i ? ", " : "", keys[i]);
	return buf.data;
}

/*
 * text's regex.<group> options name their own keys: regex.A = '(\w+)'.
 */
static bool
pattern_option(const MapperSpec *spec, bool sink, const char *key)
{
	return !sink && strcmp(spec->type, "text") == 0 &&
		   pg_strncasecmp(key, "regex.", 6) == 0 && key[6] != '\0';
}

void
siddhi_mapper_validate(const SiddhiMapPlan *map, TupleDesc desc, bool sink,
					   const char *source)
{
	const MapperSpec *spec = find_mapper(map->type);
	const char *const *options;
	ListCell *lc;

	if (spec == NULL)
	{
		StringInfoData types;

		initStringInfo(&types);
		for (int i = 0; mappers[i].type; i++)
			appendStringInfo(&types, "%s'%s'", i ? ", " : "", mappers[i].type);
		ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						errmsg("unknown mapper type \"%s\"", map->type),
						errhint("@map(type = ..) takes %s.", types.data),
						siddhi_errposition(source, map->location)));
	}
	options = sink ? spec->sink_options : spec->source_options;
	foreach(lc, map->options)
	{
		SiddhiConnOption *o = lfirst(lc);

		if (o->key == NULL)
			ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
							errmsg("@map takes no value without a key"),
							siddhi_errposition(source, o->location)));
		if (!listed(options, o->key) && !pattern_option(spec, sink, o->key))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("unknown option \"%s\" for the %s %s mapper",
							o->key, map->type, sink ? "sink" : "source"),
					 options[0] ? errhint("It takes %s.", list_text(options))
								: errhint("It takes no options."),
					 siddhi_errposition(source, o->location)));
	}
	if (map->attributes != NIL)
	{
		bool named =
			((SiddhiConnOption *) linitial(map->attributes))->key != NULL;

		if (sink || !spec->attributes)
			ereport(
				ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("@attributes is not taken by the %s %s mapper",
						map->type, sink ? "sink" : "source"),
				 sink ? errhint("A sink's layout is given by @payload.") : 0,
				 siddhi_errposition(source, map->location)));
		foreach(lc, map->attributes)
		{
			SiddhiConnOption *o = lfirst(lc);

			if ((o->key != NULL) != named)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("@attributes must name all its attributes "
								"or none"),
						 siddhi_errposition(source, o->location)));
			if (named)
			{
				int i;

				for (i = 0; i < desc->natts; i++)
					if (pg_strcasecmp(NameStr(TupleDescAttr(desc, i)->attname),
									  o->key) == 0)
						break;
				if (i == desc->natts)
					ereport(ERROR,
							(errcode(ERRCODE_UNDEFINED_COLUMN),
							 errmsg("@attributes names \"%s\", which the "
									"stream does not have",
									o->key),
							 siddhi_errposition(source, o->location)));
			}
		}
		if (!named && list_length(map->attributes) != desc->natts)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("@attributes gives %d values for a stream of %d "
							"attributes",
							list_length(map->attributes), desc->natts),
					 errhint("Give one path per attribute, in order, or name "
							 "them: @attributes(a = '..')."),
					 siddhi_errposition(source, map->location)));
	}
	if (map->payload != NULL && (!sink || !spec->payload))
		ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						errmsg("@payload is not taken by the %s %s mapper",
							   map->type, sink ? "sink" : "source"),
						siddhi_errposition(source, map->payload_location)));

	/* each format's own checks: paths, positions, patterns, schemas */
	if (strcmp(spec->type, "json") == 0)
		map_json_validate(map, desc, sink, source);
	else if (strcmp(spec->type, "csv") == 0)
		map_csv_validate(map, desc, sink, source);
	else if (strcmp(spec->type, "text") == 0)
		map_text_validate(map, desc, sink, source);
	else if (strcmp(spec->type, "avro") == 0)
		map_avro_validate(map, desc, sink, source);
	else if (strcmp(spec->type, "keyvalue") == 0)
	{
		foreach(lc, map->options)
			map_bool_option_validate(
				map, ((SiddhiConnOption *) lfirst(lc))->key, source);
		if (sink && map->payload)
			(void) map_template_compile(map->payload, desc, false, source,
										map->payload_location);
	}
}

/*
 * An option that takes 'true' or 'false' must hold one of them (the
 * other options are left alone here).
 */
void
map_bool_option_validate(const SiddhiMapPlan *map, const char *key,
						 const char *source)
{
	static const char *const booleans[] = { "fail.on.missing.attribute",
											"fail.on.unknown.attribute",
											"header.present",
											"header",
											"event.grouping.enabled",
											"validate.json",
											"mustache.enabled",
											NULL };
	ListCell *lc;
	bool b;

	if (!listed(booleans, key))
		return;
	foreach(lc, map->options)
	{
		SiddhiConnOption *o = lfirst(lc);

		if (o->key && pg_strcasecmp(o->key, key) == 0 &&
			!parse_bool(o->value, &b))
			ereport(
				ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("option \"%s\" must be 'true' or 'false', not '%s'",
						o->key, o->value),
				 siddhi_errposition(source, o->location)));
	}
}
