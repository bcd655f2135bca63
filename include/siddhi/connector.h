/*-------------------------------------------------------------------------
 *
 * connector.h
 *	  Sources, sinks and mappers (src/connectors/, docs/connectors.md).
 *
 * A source brings records from outside (a Kafka topic, the in-memory
 * broker) into a stream; a sink sends a stream's events out.  Mappers turn
 * a record's bytes into events and events into bytes.  Written in an app
 * as Siddhi's extensions spell them, on a stream definition:
 *
 *	 @OnError(action = 'STORE')
 *	 @source(type = 'kafka', topic.list = 'orders', ..,
 *			 @map(type = 'json', @attributes(id = '$.order.id')))
 *	 @sink(type = 'kafka', topic = 'alerts', ..,
 *		   @map(type = 'json', @payload('{"id": {{id}}}')))
 *	 define stream Orders (id long, amount double);
 *
 * and in the SQL dialect as CREATE SOURCE / CREATE SINK / WITH (connector
 * = ..) / SINK (..), which the parser turns into the same annotations.
 *
 * Layers: the analyzer builds the plans below, checking every option
 * against the specs (spec.c and the mapper specs: pure code, nothing of the
 * runtime); the engine worker starts a runtime per plan and drives it
 * (sources polled each turn of its loop, sinks fed by their stream's
 * junction, deliveries after commit).
 *
 *-------------------------------------------------------------------------
 */
#ifndef SIDDHI_CONNECTOR_H
#define SIDDHI_CONNECTOR_H

#include "access/tupdesc.h"
#include "lib/stringinfo.h"
#include "nodes/pg_list.h"

struct SiddhiRelation;

/* key = 'value' of an annotation (or SQL option), with its position. */
typedef struct SiddhiConnOption
{
	char *key;	 /* NULL: positional (@attributes('$.a', '$.b')) */
	char *value; /* as written; may hold ${NAME} secret references */
	int location;
} SiddhiConnOption;

/*
 * @map(type = .., options.., @attributes(..), @payload(..)).  With no
 * @map, type is "passThrough" (Siddhi's default): events as they are, which
 * only the in-memory broker carries; byte-oriented connectors need a
 * mapper that makes bytes and refuse passThrough at deploy.
 */
typedef struct SiddhiMapPlan
{
	char *type;		  /* json, csv, text, keyvalue, avro, passThrough */
	List *options;	  /* of SiddhiConnOption: @map's elements but type */
	List *attributes; /* of SiddhiConnOption: @attributes(..), or NIL */
	char *payload;	  /* sink: @payload('..') template, or NULL */
	int payload_location;
	int location; /* of @map, or of the @source/@sink without one */
} SiddhiMapPlan;

/*
 * What a stream does with a record its source cannot map (a malformed
 * payload, a value of the wrong type): @OnError(action = ..) on the
 * stream, LOG by default.
 */
typedef enum SiddhiOnErrorAction
{
	SIDDHI_ON_ERROR_LOG,	/* log it with its payload, go on */
	SIDDHI_ON_ERROR_STREAM, /* send it to the fault stream !S (_error) */
	SIDDHI_ON_ERROR_STORE,	/* keep it in siddhi.errors (replayable) */
	SIDDHI_ON_ERROR_DROP	/* drop it, counted */
} SiddhiOnErrorAction;

extern const char *siddhi_on_error_name(SiddhiOnErrorAction action);

/* One @source of a stream. */
typedef struct SiddhiSourcePlan
{
	char *name;	   /* "<stream>.source<k>", k from 1 per stream */
	char *type;	   /* connector type, lower case: kafka, inmemory */
	List *options; /* of SiddhiConnOption, checked against the spec */
	SiddhiMapPlan *map;
	struct SiddhiRelation *stream; /* what it feeds */
	TupleDesc desc;				   /* the stream's row type */
	SiddhiOnErrorAction on_error;  /* the stream's @OnError */
	struct SiddhiRelation *fault;  /* STREAM: the fault stream !S */
	int location;				   /* of the @source */
	Oid table_relid;			   /* cdc: the table whose changes it reads */
} SiddhiSourcePlan;

/* One @sink of a stream. */
typedef struct SiddhiSinkPlan
{
	char *name; /* "<stream>.sink<k>" */
	char *type;
	List *options;
	SiddhiMapPlan *map;
	struct SiddhiRelation *stream; /* whose events it sends */
	TupleDesc desc;
	struct SiddhiRelation *fault; /* on.error = 'STREAM': the stream's !S */
	int location;
} SiddhiSinkPlan;

/*
 * The specs of connector types (spec.c): which options each takes, which
 * are required, which hold secrets (never written in clear in app text:
 * their values must be ${NAME} references), and whether the type reaches
 * the network (then only members of siddhi_connector may deploy it).
 */
typedef struct SiddhiOptionSpec
{
	const char *key;
	bool required;
	bool secret;
} SiddhiOptionSpec;

typedef struct SiddhiConnectorSpec
{
	const char *type; /* lower case */
	bool source;	  /* a source type, else a sink type */
	bool network;	  /* reaches outside the database */
	bool bytes;		  /* carries bytes: passThrough is refused */
	const SiddhiOptionSpec *options; /* terminated by a NULL key */
	const char *default_map; /* the mapper without @map, else passThrough */
} SiddhiConnectorSpec;

/* The spec of a type (case-insensitive), or NULL. */
extern const SiddhiConnectorSpec *siddhi_connector_spec(const char *type,
														bool source);
/* "kafka, inMemory": the types there are, for hints. */
extern char *siddhi_connector_types(bool source);
extern const SiddhiOptionSpec *siddhi_option_spec(
	const SiddhiConnectorSpec *spec, const char *key);
/* Is an option's value a secret written in clear (not only ${NAME})? */
extern bool siddhi_option_value_secret_in_clear(const char *value);
/*
 * A log sink's priority (TRACE DEBUG INFO WARN ERROR FATAL OFF, any case)
 * as the server log level it writes at (0: OFF); false if unknown.
 */
extern bool siddhi_log_priority_level(const char *priority, int *elevel);
/*
 * siddhi.file_directory, and the absolute path a file.uri names under it
 * (NULL with *why when outside it, or file connectors are off).
 */
extern char *siddhi_file_directory;
extern void siddhi_file_guc_init(void);
extern char *siddhi_file_path(const char *uri, char **why);
/* Is mode one of the Redis sink's (publish set hset xadd lpush rpush)? */
extern bool siddhi_redis_mode_ok(const char *mode);
/* The value of option key, or def. */
extern const char *siddhi_conn_option(List *options, const char *key,
									  const char *def);
/* The option of key (case-insensitive), or NULL. */
extern SiddhiConnOption *siddhi_conn_option_find(List *options,
												 const char *key);

/*
 * Mappers (src/connectors/map*.c).  Validation is pure (the analyzer
 * calls it at deploy: unknown options, attributes that name no attribute
 * of the stream, a bad path or template, an Avro schema that does not
 * parse or does not fit the stream; errors carry positions into source).
 */
extern void siddhi_mapper_validate(const SiddhiMapPlan *map, TupleDesc desc,
								   bool sink, const char *source);

/*
 * At run time a mapper lives in the memory context current at create.
 * decode: one record's payload into zero or more events (a JSON array, CSV
 * lines, ...), each handed to emit with values of desc's types; a record
 * that cannot be mapped raises an ERROR (22P02, 22023, ...) whose message
 * names what is wrong, and the caller decides (@OnError) within its own
 * error boundary.  encode: one event into bytes appended to out.
 */
typedef struct SiddhiMapper SiddhiMapper;
typedef void (*SiddhiMapEmit)(void *arg, Datum *values, bool *nulls);

extern SiddhiMapper *siddhi_mapper_create(const SiddhiMapPlan *map,
										  TupleDesc desc, bool sink);
extern int siddhi_mapper_decode(SiddhiMapper *m, const char *data, int len,
								SiddhiMapEmit emit, void *arg);
extern void siddhi_mapper_encode(SiddhiMapper *m, Datum *values, bool *nulls,
								 StringInfo out);
extern void siddhi_mapper_free(SiddhiMapper *m);

/*
 * '{{attr}}' templates of dynamic options (sink_template.c).  parse is
 * pure: NULL with *bad the unknown name.  render runs output functions
 * (user code).
 */
typedef struct SiddhiTemplate SiddhiTemplate;
extern SiddhiTemplate *siddhi_template_parse(const char *s, TupleDesc desc,
											 char **bad);
extern bool siddhi_template_dynamic(const SiddhiTemplate *t);
extern void siddhi_template_prepare(SiddhiTemplate *t, TupleDesc desc);
extern void siddhi_template_render(SiddhiTemplate *t, Datum *values,
								   bool *nulls, StringInfo out);

#endif /* SIDDHI_CONNECTOR_H */
