/*-------------------------------------------------------------------------
 *
 * map_avro.c
 *	  The avro mapper (Siddhi's siddhi-map-avro): Avro binary datums of a
 *	  record schema into events and back.
 *
 * The schema is given inline (schema.def = '{"type": "record", ..}') or
 * in a server file (schema.file, readable only by deployers with the
 * privileges of pg_read_server_files); libavro parses it, at deploy (where
 * it must fit the stream) and at create.  Without either, the schema is
 * made from the stream's attributes, as Siddhi does (generated_schema).  A record is one datum in Avro's
 * binary encoding (no container file, no Confluent header): the schema's
 * record, fields in order.  Fields match attributes by name (without
 * regard to case); a field may be a union of null and one type.  Types:
 * int and long into int/bigint, float and double into real/double,
 * boolean into bool, string (or enum) into text and, through their input
 * functions, into any other type (json/jsonb as JSON text, numeric,
 * timestamps ..), bytes and fixed into bytea.  Fields the stream lacks
 * are skipped (source) or written as null (sink: they must be nullable).
 *
 * Reading and writing are ours, over the schema libavro parsed: each read
 * is checked against the record's end (a length past it is an error, not
 * an allocation), so decoding a record costs memory bounded by the record.
 * libavro's own datum readers allocate whatever a length prefix says.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <avro/basics.h>
#include <avro/errors.h>
#include <avro/schema.h>

#include "catalog/pg_authid.h"
#include "catalog/pg_type.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "port/pg_bswap.h"
#include "siddhi/parser.h"
#include "storage/fd.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/memutils.h"

#include "map_int.h"

#define AVRO_MAX_SCHEMA_FILE (1024 * 1024)

/* One field of the record schema. */
typedef struct AvroField
{
	const char *name;
	avro_schema_t schema; /* the field's (union: the non-null branch) */
	avro_type_t type;
	int null_branch;  /* in a union, or -1 */
	int value_branch; /* in a union, or -1 */
	int att;		  /* attribute, or -1 */
} AvroField;

typedef struct AvroState
{
	avro_schema_t schema;
	int nfields;
	AvroField *fields;
	bool fail;
	MemoryContextCallback cb;
} AvroState;

/* The reader of one record. */
typedef struct AvroReader
{
	const char *data;
	const char *p;
	const char *end;
	int64 items; /* array and map items skipped so far */
} AvroReader;

/*
 * Items of arrays and maps a record may hold beyond one per byte: only
 * items of no bytes (null, empty records) can be more, and a record of
 * a few bytes claiming billions of them must not keep the decoder busy.
 */
#define AVRO_MAX_EMPTY_ITEMS 1000000

/* Schema ------------------------------------------------------------- */

static char *
read_schema_file(const char *path)
{
	FILE *f = AllocateFile(path, PG_BINARY_R);
	StringInfoData buf;
	char chunk[8192];
	size_t n;

	if (f == NULL)
		ereport(ERROR,
				(errcode_for_file_access(),
				 errmsg("could not open avro schema file \"%s\": %m", path)));
	initStringInfo(&buf);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
	{
		if (buf.len + n > AVRO_MAX_SCHEMA_FILE)
		{
			FreeFile(f);
			ereport(ERROR, (errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
							errmsg("avro schema file \"%s\" is over %d bytes",
								   path, AVRO_MAX_SCHEMA_FILE)));
		}
		appendBinaryStringInfo(&buf, chunk, n);
	}
	FreeFile(f);
	return buf.data;
}

/*
 * The record schema Siddhi's avro mapper makes when it is given none: one
 * field per attribute, named as the attribute, in the stream's order, of
 * the plain (not nullable) Avro type of the attribute's type: int (int,
 * smallint), long, float, double, boolean, bytes (bytea), and string for
 * every other type (Siddhi refuses object; our fields of type string
 * carry any type through its input and output functions).  The record is
 * named "event": the binary encoding does not carry the name.  An
 * attribute whose name Avro does not allow refuses it, with a hint.
 */
static char *
generated_schema(TupleDesc desc, const char *source, int location)
{
	StringInfoData buf;
	bool first = true;

	initStringInfo(&buf);
	appendStringInfoString(&buf, "{\"type\": \"record\", \"name\": \"event\", "
								 "\"fields\": [");
	for (int a = 0; a < desc->natts; a++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, a);
		const char *name = NameStr(att->attname);
		const char *type;

		if (att->attisdropped)
			continue;
		for (const char *c = name; *c; c++)
			if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
				  *c == '_' || (c > name && *c >= '0' && *c <= '9')))
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("attribute \"%s\" is not a valid avro field "
								"name",
								name),
						 errdetail("Without schema.def the avro mapper makes "
								   "the schema from the attributes; avro "
								   "names are letters, digits and "
								   "underscores, not starting with a "
								   "digit."),
						 errhint("Give the record schema inline: schema.def "
								 "= '{\"type\": \"record\", ..}'."),
						 source ? siddhi_errposition(source, location) : 0));
		switch (att->atttypid)
		{
			case INT2OID:
			case INT4OID:
				type = "int";
				break;
			case INT8OID:
				type = "long";
				break;
			case FLOAT4OID:
				type = "float";
				break;
			case FLOAT8OID:
				type = "double";
				break;
			case BOOLOID:
				type = "boolean";
				break;
			case BYTEAOID:
				type = "bytes";
				break;
			default:
				type = "string";
				break;
		}
		appendStringInfo(&buf, "%s{\"name\": \"%s\", \"type\": \"%s\"}",
						 first ? "" : ", ", name, type);
		first = false;
	}
	appendStringInfoString(&buf, "]}");
	return buf.data;
}

/*
 * The schema of a plan for a stream of row type desc, parsed by libavro
 * (the caller decrefs it).
 */
static avro_schema_t
plan_schema(const SiddhiMapPlan *map, TupleDesc desc, const char *source,
			int *location)
{
	const char *def = siddhi_conn_option(map->options, "schema.def", NULL);
	const char *file = siddhi_conn_option(map->options, "schema.file", NULL);
	avro_schema_t schema;
	ListCell *lc;

	*location = map->location;
	foreach(lc, map->options)
	{
		SiddhiConnOption *o = lfirst(lc);

		if (pg_strcasecmp(o->key, "schema.def") == 0 ||
			pg_strcasecmp(o->key, "schema.file") == 0)
			*location = o->location;
	}
	if (def != NULL && file != NULL)
		ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						errmsg("the avro mapper takes one of schema.def and "
							   "schema.file, not both"),
						errhint("Give the record schema inline: schema.def = "
								"'{\"type\": \"record\", ..}'."),
						source ? siddhi_errposition(source, *location) : 0));
	if (file)
		def = read_schema_file(file);
	else if (def == NULL)
		def = generated_schema(desc, source, *location);
	if (avro_schema_from_json_length(def, strlen(def), &schema) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("avro schema does not parse: %s", avro_strerror()),
				 source ? siddhi_errposition(source, *location) : 0));
	return schema;
}

/* Does an Avro type carry values of attribute type a? */
static bool
type_fits(avro_type_t t, Form_pg_attribute a)
{
	switch (a->atttypid)
	{
		case INT4OID:
		case INT2OID:
		case INT8OID:
			return t == AVRO_INT32 || t == AVRO_INT64;
		case FLOAT4OID:
		case FLOAT8OID:
			return t == AVRO_FLOAT || t == AVRO_DOUBLE;
		case BOOLOID:
			return t == AVRO_BOOLEAN;
		case BYTEAOID:
			return t == AVRO_BYTES || t == AVRO_FIXED;
		default:
			return t == AVRO_STRING || t == AVRO_ENUM;
	}
}

static const char *
avro_type_name(avro_type_t t)
{
	static const char *const names[] = { "string", "bytes",	 "int",		"long",
										 "float",  "double", "boolean", "null",
										 "record", "enum",	 "fixed",	"map",
										 "array",  "union",	 "link" };

	return (int) t >= 0 && (int) t <= AVRO_LINK ? names[t] : "?";
}

/*
 * The fields of a record schema matched to desc's attributes; errors when
 * they do not fit (with source, at location).
 */
static AvroField *
plan_fields(avro_schema_t schema, TupleDesc desc, bool sink, int *nfields,
			const char *source, int location)
{
	AvroField *fields;
	int n;

	if (avro_typeof(schema) != AVRO_RECORD)
		ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						errmsg("avro schema must be a record, not %s",
							   avro_type_name(avro_typeof(schema))),
						source ? siddhi_errposition(source, location) : 0));
	n = avro_schema_record_size(schema);
	fields = palloc0(sizeof(AvroField) * Max(n, 1));
	for (int i = 0; i < n; i++)
	{
		AvroField *f = &fields[i];
		avro_schema_t fs = avro_schema_record_field_get_by_index(schema, i);

		f->name = pstrdup(avro_schema_record_field_name(schema, i));
		f->null_branch = f->value_branch = -1;
		f->att = -1;
		f->schema = fs;
		if (avro_typeof(fs) == AVRO_UNION)
		{
			int nb = avro_schema_union_size(fs);

			for (int b = 0; b < nb; b++)
			{
				avro_schema_t bs = avro_schema_union_branch(fs, b);

				if (avro_typeof(bs) == AVRO_NULL && f->null_branch < 0)
					f->null_branch = b;
				else if (f->value_branch < 0)
				{
					f->value_branch = b;
					f->schema = bs;
				}
				else
					f->value_branch = -2; /* more than one: not ours */
			}
		}
		f->type = avro_typeof(f->schema);
		for (int a = 0; a < desc->natts; a++)
			if (!TupleDescAttr(desc, a)->attisdropped &&
				pg_strcasecmp(NameStr(TupleDescAttr(desc, a)->attname),
							  f->name) == 0)
				f->att = a;
		if (f->att < 0)
		{
			if (sink && f->null_branch < 0)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("avro field \"%s\" is not an attribute of the "
								"stream and not nullable",
								f->name),
						 errdetail("A sink writes null for fields the stream "
								   "does not have."),
						 source ? siddhi_errposition(source, location) : 0));
			continue;
		}
		if (f->value_branch == -2 ||
			!type_fits(f->type, TupleDescAttr(desc, f->att)))
			ereport(
				ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("avro field \"%s\" of type %s does not fit "
						"attribute \"%s\" of type %s",
						f->name,
						f->value_branch == -2 ? "union"
											  : avro_type_name(f->type),
						f->name,
						format_type_be(TupleDescAttr(desc, f->att)->atttypid)),
				 errhint("int and long fit int and long, float and double "
						 "fit float and double, boolean bool, bytes and "
						 "fixed bytea, string and enum the other types; "
						 "a union may add null."),
				 source ? siddhi_errposition(source, location) : 0));
	}
	for (int a = 0; a < desc->natts; a++)
	{
		int i;

		if (TupleDescAttr(desc, a)->attisdropped)
			continue;
		for (i = 0; i < n; i++)
			if (fields[i].att == a)
				break;
		if (i == n)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("avro schema has no field for attribute \"%s\"",
							NameStr(TupleDescAttr(desc, a)->attname)),
					 source ? siddhi_errposition(source, location) : 0));
	}
	*nfields = n;
	return fields;
}

void
map_avro_validate(const SiddhiMapPlan *map, TupleDesc desc, bool sink,
				  const char *source)
{
	avro_schema_t schema;
	int location;
	int n;
	ListCell *lc;

	foreach(lc, map->options)
	{
		SiddhiConnOption *o = lfirst(lc);

		if (pg_strcasecmp(o->key, "schema.registry") == 0 ||
			pg_strcasecmp(o->key, "schema.id") == 0 ||
			pg_strcasecmp(o->key, "subject") == 0 ||
			pg_strcasecmp(o->key, "use.avro.serializer") == 0 ||
			pg_strcasecmp(o->key, "use.avro.deserializer") == 0)
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("avro option \"%s\" is not supported yet", o->key),
					 errdetail("Schema registries (the Confluent wire format) "
							   "are not supported; records are plain Avro "
							   "binary datums."),
					 errhint("Give the schema with schema.def or "
							 "schema.file."),
					 siddhi_errposition(source, o->location)));
		if (pg_strcasecmp(o->key, "schema.file") == 0 &&
			!has_privs_of_role(GetUserId(), ROLE_PG_READ_SERVER_FILES))
			ereport(ERROR,
					(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
					 errmsg("permission denied to read avro schema files"),
					 errdetail("schema.file reads a file of the database "
							   "server."),
					 errhint("Give the schema inline with schema.def, or "
							 "have a superuser grant pg_read_server_files."),
					 siddhi_errposition(source, o->location)));
		if (pg_strcasecmp(o->key, "fail.on.missing.attribute") == 0)
			map_bool_option_validate(map, o->key, source);
	}
	schema = plan_schema(map, desc, source, &location);
	PG_TRY();
	{
		(void) plan_fields(schema, desc, sink, &n, source, location);
	}
	PG_FINALLY();
	{
		avro_schema_decref(schema);
	}
	PG_END_TRY();
}

static void
avro_release(void *arg)
{
	AvroState *as = arg;

	if (as->schema)
		avro_schema_decref(as->schema);
	as->schema = NULL;
}

static void
avro_create(SiddhiMapper *m, const SiddhiMapPlan *plan)
{
	AvroState *as = palloc0(sizeof(AvroState));
	int location;

	m->state = as;
	as->fail = map_option_bool(plan, "fail.on.missing.attribute", true);
	as->schema = plan_schema(plan, m->desc, NULL, &location);
	as->cb.func = avro_release;
	as->cb.arg = as;
	MemoryContextRegisterResetCallback(m->cxt, &as->cb);
	as->fields =
		plan_fields(as->schema, m->desc, m->sink, &as->nfields, NULL, -1);
}

/* Decode ------------------------------------------------------------- */

static void
pg_attribute_noreturn() avro_bad(AvroReader *r, const char *what)
{
	ereport(ERROR, (errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
					errmsg("avro record is malformed at byte %d: %s",
						   (int) (r->p - r->data), what)));
}

static int64
read_long(AvroReader *r)
{
	uint64 v = 0;
	int shift = 0;

	for (;;)
	{
		uint8 b;

		if (r->p >= r->end)
			avro_bad(r, "a number runs past the end");
		b = (uint8) *r->p++;
		v |= (uint64) (b & 0x7f) << shift;
		if ((b & 0x80) == 0)
			break;
		shift += 7;
		if (shift > 63)
			avro_bad(r, "a number is longer than 10 bytes");
	}
	return (int64) ((v >> 1) ^ -(v & 1));
}

static const char *
read_bytes(AvroReader *r, int64 n)
{
	const char *s = r->p;

	if (n < 0 || n > r->end - r->p)
		avro_bad(r, "a length runs past the end");
	r->p += n;
	return s;
}

static void skip_value(AvroReader *r, avro_schema_t s);

/* Arrays and maps: blocks of items until a block of 0. */
static void
skip_blocks(AvroReader *r, avro_schema_t items, bool map)
{
	for (;;)
	{
		int64 count = read_long(r);

		if (count == 0)
			return;
		if (count < 0)
		{
			if (count == PG_INT64_MIN)
				avro_bad(r, "a block count is out of range");
			count = -count;
			(void) read_long(r); /* the block's size in bytes */
		}
		if (count > (r->end - r->data) + AVRO_MAX_EMPTY_ITEMS - r->items)
			avro_bad(r, "arrays and maps hold more items than the record "
						"can");
		r->items += count;
		for (int64 i = 0; i < count; i++)
		{
			if ((i & 0xffff) == 0)
				CHECK_FOR_INTERRUPTS();
			if (map)
				(void) read_bytes(r, read_long(r));
			skip_value(r, items);
		}
	}
}

static void
skip_value(AvroReader *r, avro_schema_t s)
{
	check_stack_depth();
	switch (avro_typeof(s))
	{
		case AVRO_NULL:
			break;
		case AVRO_BOOLEAN:
			(void) read_bytes(r, 1);
			break;
		case AVRO_INT32:
		case AVRO_INT64:
		case AVRO_ENUM:
			(void) read_long(r);
			break;
		case AVRO_FLOAT:
			(void) read_bytes(r, 4);
			break;
		case AVRO_DOUBLE:
			(void) read_bytes(r, 8);
			break;
		case AVRO_STRING:
		case AVRO_BYTES:
			(void) read_bytes(r, read_long(r));
			break;
		case AVRO_FIXED:
			(void) read_bytes(r, avro_schema_fixed_size(s));
			break;
		case AVRO_RECORD:
			for (size_t i = 0; i < avro_schema_record_size(s); i++)
				skip_value(r, avro_schema_record_field_get_by_index(s, i));
			break;
		case AVRO_UNION:
		{
			int64 b = read_long(r);

			if (b < 0 || b >= (int64) avro_schema_union_size(s))
				avro_bad(r, "a union branch is out of range");
			skip_value(r, avro_schema_union_branch(s, (int) b));
			break;
		}
		case AVRO_ARRAY:
			skip_blocks(r, avro_schema_array_items(s), false);
			break;
		case AVRO_MAP:
			skip_blocks(r, avro_schema_map_values(s), true);
			break;
		case AVRO_LINK:
			skip_value(r, avro_schema_link_target(s));
			break;
	}
}

static Datum
read_field(SiddhiMapper *m, AvroReader *r, AvroField *f)
{
	Oid typid = m->atts[f->att].typid;
	int pos = r->p - r->data;

	switch (f->type)
	{
		case AVRO_INT32:
		case AVRO_INT64:
		{
			int64 v = read_long(r);

			if (typid == INT8OID)
				return Int64GetDatum(v);
			if ((typid == INT4OID && (v < PG_INT32_MIN || v > PG_INT32_MAX)) ||
				(typid == INT2OID && (v < PG_INT16_MIN || v > PG_INT16_MAX)))
				ereport(ERROR, (errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
								errmsg("avro field \"%s\": " INT64_FORMAT
									   " is out of range for type %s",
									   f->name, v, format_type_be(typid))));
			return typid == INT2OID ? Int16GetDatum((int16) v)
									: Int32GetDatum((int32) v);
		}
		case AVRO_FLOAT:
		{
			uint32 u;
			float4 v;

			memcpy(&u, read_bytes(r, 4), 4);
#ifdef WORDS_BIGENDIAN
			u = pg_bswap32(u);
#endif
			memcpy(&v, &u, 4);
			return typid == FLOAT8OID ? Float8GetDatum(v) : Float4GetDatum(v);
		}
		case AVRO_DOUBLE:
		{
			uint64 u;
			float8 v;

			memcpy(&u, read_bytes(r, 8), 8);
#ifdef WORDS_BIGENDIAN
			u = pg_bswap64(u);
#endif
			memcpy(&v, &u, 8);
			return typid == FLOAT4OID ? Float4GetDatum((float4) v)
									  : Float8GetDatum(v);
		}
		case AVRO_BOOLEAN:
		{
			uint8 b = (uint8) *read_bytes(r, 1);

			if (b > 1)
				avro_bad(r, "a boolean is neither 0 nor 1");
			return BoolGetDatum(b == 1);
		}
		case AVRO_BYTES:
		case AVRO_FIXED:
		{
			int64 n = f->type == AVRO_FIXED ? avro_schema_fixed_size(f->schema)
											: read_long(r);
			const char *s = read_bytes(r, n);
			bytea *b = palloc(VARHDRSZ + n);

			SET_VARSIZE(b, VARHDRSZ + n);
			memcpy(VARDATA(b), s, n);
			return PointerGetDatum(b);
		}
		case AVRO_ENUM:
		{
			int64 i = read_long(r);
			const char *sym;

			if (i < 0 || i >= avro_schema_enum_number_of_symbols(f->schema))
				avro_bad(r, "an enum symbol is out of range");
			sym = avro_schema_enum_get(f->schema, (int) i);
			return map_input(m, f->att, sym, strlen(sym), pos);
		}
		case AVRO_STRING:
		{
			int64 n = read_long(r);
			const char *s = read_bytes(r, n);

			if (pg_encoding_verifymbstr(GetDatabaseEncoding(), s, n) != n)
				ereport(ERROR,
						(errcode(ERRCODE_CHARACTER_NOT_IN_REPERTOIRE),
						 errmsg("avro field \"%s\" is not valid %s text",
								f->name, GetDatabaseEncodingName())));
			return map_input(m, f->att, s, n, pos);
		}
		default:
			avro_bad(r, "unexpected type");
	}
}

static int
avro_decode(SiddhiMapper *m, const char *data, int len, SiddhiMapEmit emit,
			void *arg)
{
	AvroState *as = m->state;
	AvroReader r = { data, data, data + len, 0 };

	map_stash_reset(m);
	map_begin_event(m);
	for (int i = 0; i < as->nfields; i++)
	{
		AvroField *f = &as->fields[i];
		avro_schema_t whole =
			avro_schema_record_field_get_by_index(as->schema, i);

		if (f->att < 0)
		{
			skip_value(&r, whole);
			continue;
		}
		if (avro_typeof(whole) == AVRO_UNION)
		{
			int64 b = read_long(&r);

			if (b < 0 || b >= (int64) avro_schema_union_size(whole))
				avro_bad(&r, "a union branch is out of range");
			m->seen[f->att] = true;
			if (b == f->null_branch)
				continue;
		}
		m->seen[f->att] = true;
		m->nulls[f->att] = false;
		m->values[f->att] = read_field(m, &r, f);
	}
	if (r.p != r.end)
		avro_bad(&r, "bytes are left after the record");
	map_missing(m, as->fail, ERRCODE_INVALID_BINARY_REPRESENTATION, "avro",
				NULL);
	map_stash_event(m);
	return map_stash_emit(m, emit, arg);
}

/* Encode ------------------------------------------------------------- */

static void
write_long(StringInfo out, int64 v)
{
	uint64 u = ((uint64) v << 1) ^ (uint64) (v >> 63);

	while (u & ~UINT64CONST(0x7f))
	{
		appendStringInfoChar(out, (char) ((u & 0x7f) | 0x80));
		u >>= 7;
	}
	appendStringInfoChar(out, (char) u);
}

static void
write_field(SiddhiMapper *m, AvroField *f, Datum v, StringInfo out)
{
	Oid typid = m->atts[f->att].typid;

	switch (f->type)
	{
		case AVRO_INT32:
		case AVRO_INT64:
		{
			int64 n = typid == INT8OID	 ? DatumGetInt64(v)
					  : typid == INT2OID ? DatumGetInt16(v)
										 : DatumGetInt32(v);

			if (f->type == AVRO_INT32 &&
				(n < PG_INT32_MIN || n > PG_INT32_MAX))
				ereport(ERROR,
						(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
						 errmsg("value " INT64_FORMAT " of attribute \"%s\" "
								"is out of range for avro int",
								n, m->atts[f->att].name)));
			write_long(out, n);
			break;
		}
		case AVRO_FLOAT:
		{
			float4 x = typid == FLOAT8OID ? (float4) DatumGetFloat8(v)
										  : DatumGetFloat4(v);
			uint32 u;

			memcpy(&u, &x, 4);
#ifdef WORDS_BIGENDIAN
			u = pg_bswap32(u);
#endif
			appendBinaryStringInfo(out, (char *) &u, 4);
			break;
		}
		case AVRO_DOUBLE:
		{
			float8 x = typid == FLOAT4OID ? (float8) DatumGetFloat4(v)
										  : DatumGetFloat8(v);
			uint64 u;

			memcpy(&u, &x, 8);
#ifdef WORDS_BIGENDIAN
			u = pg_bswap64(u);
#endif
			appendBinaryStringInfo(out, (char *) &u, 8);
			break;
		}
		case AVRO_BOOLEAN:
			appendStringInfoChar(out, DatumGetBool(v) ? 1 : 0);
			break;
		case AVRO_BYTES:
		case AVRO_FIXED:
		{
			bytea *b = DatumGetByteaPP(v);
			int n = VARSIZE_ANY_EXHDR(b);

			if (f->type == AVRO_FIXED)
			{
				if (n != avro_schema_fixed_size(f->schema))
					ereport(
						ERROR,
						(errcode(ERRCODE_STRING_DATA_LENGTH_MISMATCH),
						 errmsg("attribute \"%s\" has %d bytes, avro "
								"fixed \"%s\" takes " INT64_FORMAT,
								m->atts[f->att].name, n, f->name,
								(int64) avro_schema_fixed_size(f->schema))));
			}
			else
				write_long(out, n);
			appendBinaryStringInfo(out, VARDATA_ANY(b), n);
			break;
		}
		case AVRO_ENUM:
		{
			int len;
			const char *s = map_output(m, f->att, v, &len);
			char *sym = pnstrdup(s, len);
			int i = avro_schema_enum_get_by_name(f->schema, sym);

			if (i < 0)
				ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
								errmsg("\"%s\" is not a symbol of avro enum "
									   "field \"%s\"",
									   sym, f->name)));
			write_long(out, i);
			break;
		}
		default:
		{
			int len;
			const char *s = map_output(m, f->att, v, &len);

			write_long(out, len);
			appendBinaryStringInfo(out, s, len);
		}
	}
}

static void
avro_encode(SiddhiMapper *m, Datum *values, bool *nulls, StringInfo out)
{
	AvroState *as = m->state;

	for (int i = 0; i < as->nfields; i++)
	{
		AvroField *f = &as->fields[i];
		bool isnull = f->att < 0 || nulls[f->att];

		if (f->null_branch >= 0 || f->value_branch >= 0)
		{
			if (isnull && f->null_branch < 0 && f->att >= 0)
				ereport(ERROR,
						(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
						 errmsg("attribute \"%s\" is null, avro field \"%s\" "
								"is not nullable",
								m->atts[f->att].name, f->name)));
			write_long(out, isnull ? f->null_branch : f->value_branch);
		}
		else if (isnull && f->att >= 0)
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("attribute \"%s\" is null, avro field \"%s\" is "
							"not nullable",
							m->atts[f->att].name, f->name)));
		if (!isnull)
			write_field(m, f, values[f->att], out);
	}
}

static void
avro_free(SiddhiMapper *m)
{
	avro_release(m->state);
}

const MapperOps siddhi_map_avro_ops = { "avro", avro_create, avro_decode,
										avro_encode, avro_free };
