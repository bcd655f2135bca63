/*-------------------------------------------------------------------------
 *
 * map_int.h
 *	  What the mappers (src/connectors/map*.c) share and nobody else sees.
 *
 * map.c holds the dispatch (siddhi_mapper_create/decode/encode/free), the
 * per-attribute conversion caches and the @payload templates; each format
 * file (map_json.c, map_csv.c, map_text.c, map_keyvalue.c, map_avro.c)
 * fills in a MapperOps and checks its own options at deploy.
 *
 * Memory: a mapper lives in the context current at create (its own
 * scratch buffers too, reused record after record); decode allocates only
 * the values it emits, in the caller's current context, which the caller
 * resets.  Foreign resources (the libavro schema of an avro mapper) are
 * released by a reset callback on the mapper's context, so resetting or
 * deleting it without siddhi_mapper_free() leaks nothing.
 *
 *-------------------------------------------------------------------------
 */
#ifndef SIDDHI_MAP_INT_H
#define SIDDHI_MAP_INT_H

#include "fmgr.h"
#include "siddhi/connector.h"

/* What a mapper knows of each attribute of its stream. */
typedef struct MapAttr
{
	const char *name; /* lower case, as in the stream */
	Oid typid;
	int32 typmod;
	bool dropped;		  /* a dropped column: always NULL */
	bool is_text;		  /* text or varchar: no input function needed */
	bool is_json;		  /* json or jsonb: raw JSON text is its input */
	char category;		  /* TYPCATEGORY_*: N numeric, B bool, S string .. */
	int small_int_digits; /* int2/4/8 by their own input function: the
						   * digits (4, 9, 18) any value of which fits */
	FmgrInfo in;		  /* input function (source) */
	Oid ioparam;
	FmgrInfo out; /* output function (sink) */
} MapAttr;

/* One piece of a compiled @payload template. */
typedef struct MapTplPart
{
	const char *text; /* literal text, or NULL for a placeholder */
	int len;
	int att;	   /* placeholder: attribute number (0-based) */
	bool in_quote; /* JSON templates: inside a string literal */
} MapTplPart;

typedef struct MapTemplate
{
	int nparts;
	MapTplPart *parts;
	bool json; /* escape for JSON */
} MapTemplate;

typedef struct MapperOps
{
	const char *type;
	void (*create)(SiddhiMapper *m, const SiddhiMapPlan *plan);
	int (*decode)(SiddhiMapper *m, const char *data, int len,
				  SiddhiMapEmit emit, void *arg);
	void (*encode)(SiddhiMapper *m, Datum *values, bool *nulls,
				   StringInfo out);
	void (*release)(SiddhiMapper *m); /* foreign resources, or NULL */
} MapperOps;

struct SiddhiMapper
{
	const MapperOps *ops;
	MemoryContext cxt; /* where the mapper lives */
	TupleDesc desc;
	int natts;
	MapAttr *atts;
	bool sink;
	bool verify_encoding; /* text formats: check the payload's encoding */
	MapTemplate *tpl;	  /* sink @payload, or NULL */

	/* per record, reused: values of the event being built */
	Datum *values;
	bool *nulls;
	bool *seen;			 /* which attributes the record gave */
	StringInfoData buf;	 /* scratch: NUL-terminated copies of values */
	StringInfoData buf2; /* scratch: de-escaped strings */

	/* for error messages: the attribute being converted, and where */
	int converting;
	int position; /* byte offset of the value in the payload, or -1 */

	/* events of the record being mapped (map_stash_*) */
	int nstash;
	int stash_cap;
	Datum *stash_values; /* stash_cap * natts */
	bool *stash_nulls;

	void *state; /* the format's own */
};

extern const MapperOps siddhi_map_json_ops;
extern const MapperOps siddhi_map_csv_ops;
extern const MapperOps siddhi_map_text_ops;
extern const MapperOps siddhi_map_keyvalue_ops;
extern const MapperOps siddhi_map_avro_ops;

/* Value of attribute att from text s (len bytes, need not be terminated). */
extern Datum map_input(SiddhiMapper *m, int att, const char *s, int len,
					   int position);
/* Attribute number of a name (case-insensitive), or -1. */
extern int map_attnum(SiddhiMapper *m, const char *name);
/* The text of a value (a copy, or the text datum's own bytes). */
extern const char *map_output(SiddhiMapper *m, int att, Datum value, int *len);
/* Reset values/nulls/seen before a record. */
extern void map_begin_event(SiddhiMapper *m);
/* Attributes not seen: NULL, or an error when fail is set. */
extern void map_missing(SiddhiMapper *m, bool fail, int sqlstate,
						const char *what, char **paths);
extern bool map_option_bool(const SiddhiMapPlan *plan, const char *key,
							bool def);

/*
 * Events of a record are kept until the whole record is mapped, then
 * emitted: a record that fails half way emits nothing.
 */
extern void map_stash_reset(SiddhiMapper *m);
extern void map_stash_event(SiddhiMapper *m);
extern int map_stash_emit(SiddhiMapper *m, SiddhiMapEmit emit, void *arg);

/* JSON helpers (map_json.c) used by other formats. */
extern void map_json_escape(StringInfo out, const char *s, int len);
extern void map_json_object(SiddhiMapper *m, Datum *values, bool *nulls,
							StringInfo out);
extern void map_json_value(SiddhiMapper *m, int att, Datum value, bool isnull,
						   StringInfo out);

/* Templates: compile (errors at deploy carry positions into source). */
extern MapTemplate *map_template_compile(const char *tpl, TupleDesc desc,
										 bool json, const char *source,
										 int location);
extern void map_template_expand(SiddhiMapper *m, MapTemplate *t, Datum *values,
								bool *nulls, StringInfo out);

/* Deploy-time checks of each format (called by siddhi_mapper_validate). */
extern void map_json_validate(const SiddhiMapPlan *map, TupleDesc desc,
							  bool sink, const char *source);
extern void map_csv_validate(const SiddhiMapPlan *map, TupleDesc desc,
							 bool sink, const char *source);
extern void map_text_validate(const SiddhiMapPlan *map, TupleDesc desc,
							  bool sink, const char *source);
extern void map_avro_validate(const SiddhiMapPlan *map, TupleDesc desc,
							  bool sink, const char *source);
extern void map_bool_option_validate(const SiddhiMapPlan *map, const char *key,
									 const char *source);

/* The json mapper's scanner for common tokens (map_json_scan.c). */
struct JsonLexContext;
extern bool map_json_scan(struct JsonLexContext *lex);

/* passThrough (map.c). */
extern void map_passthrough_encode(TupleDesc desc, Datum *values, bool *nulls,
								   StringInfo out);
extern int map_passthrough_decode(SiddhiMapper *m, const char *data, int len,
								  SiddhiMapEmit emit, void *arg);

#endif /* SIDDHI_MAP_INT_H */
