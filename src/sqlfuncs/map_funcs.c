/*-------------------------------------------------------------------------
 *
 * map_funcs.c
 *	  siddhi.map_decode() and siddhi.map_encode(): what a @map does with a
 *	  payload, or makes of an event, without deploying anything.
 *
 *	 SELECT * FROM siddhi.map_decode('orders',
 *		 '@map(type = ''json'', @attributes(id = ''$.order.id''))',
 *		 '{"order": {"id": 7}}');
 *	 SELECT siddhi.map_encode('orders', '@map(type = ''csv'')',
 *							  '{"id": 7}');
 *
 * The map text is parsed as SiddhiQL by wrapping it into a @source (or
 * @sink) of a throw-away stream definition, then checked like at deploy
 * against the row type of the given relation (a stream, or any relation).
 * The functions run as the caller and touch nothing; they are the test
 * seam of the mappers too.  passThrough bytes are PostgreSQL's internal
 * row format: decoding them is for superusers only (a forged row could
 * hold malformed values).  The mapper is cached in fn_extra, so a call
 * per row of a large query parses the map once.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/relation.h"
#include "catalog/pg_type.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "siddhi/analyzer.h"
#include "siddhi/connector.h"
#include "siddhi/parser.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"
#include "utils/jsonb.h"
#include "utils/numeric.h"
#include <math.h>
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/tuplestore.h"

#include "../connectors/map_int.h"

PG_FUNCTION_INFO_V1(siddhi_map_decode);
PG_FUNCTION_INFO_V1(siddhi_map_encode);

/* A mapper kept across calls of one function call site. */
typedef struct MapCache
{
	Oid relid;
	char *map;
	bool sink;
	SiddhiMapper *mapper;
	char *type;
} MapCache;

/*
 * The @map of a @source or @sink, parsed and checked against desc.
 */
static SiddhiMapPlan *
parse_map(const char *map, TupleDesc desc, bool sink)
{
	bool blank = strspn(map, " \t\r\n") == strlen(map);
	char *wrapped = psprintf("@%s(type = 'inMemory', topic = 't'%s%s) "
							 "define stream m (x int);",
							 sink ? "sink" : "source", blank ? "" : ", ",
							 blank ? "" : map);
	SiddhiSourceContext ctx;
	SiddhiApp *app;
	SiddhiDefinition *def;
	SiddhiMapPlan *plan;

	siddhi_source_context_push(&ctx, wrapped, NULL);
	app = siddhiql_parse(wrapped);
	if (list_length(app->definitions) != 1 || app->queries != NIL ||
		app->partitions != NIL ||
		list_length((def = linitial(app->definitions))->annotations) != 1)
		ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						errmsg("map must be one @map(..) annotation")));
	plan = siddhi_map_plan(linitial(def->annotations), wrapped);
	siddhi_mapper_validate(plan, desc, sink, wrapped);
	siddhi_source_context_pop(&ctx);
	return plan;
}

static MapCache *
get_mapper(FunctionCallInfo fcinfo, Oid relid, text *maptext, bool sink)
{
	MapCache *c = fcinfo->flinfo->fn_extra;
	char *map = text_to_cstring(maptext);
	MemoryContext old;
	Relation rel;
	TupleDesc desc;
	SiddhiMapPlan *plan;

	if (c && c->relid == relid && c->sink == sink && strcmp(c->map, map) == 0)
		return c;
	if (c)
	{
		siddhi_mapper_free(c->mapper);
		fcinfo->flinfo->fn_extra = NULL;
	}
	rel = relation_open(relid, AccessShareLock);
	desc = CreateTupleDescCopy(RelationGetDescr(rel));
	relation_close(rel, AccessShareLock);
	plan = parse_map(map, desc, sink);
	if (!sink && pg_strcasecmp(plan->type, "passThrough") == 0 && !superuser())
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("only superusers may decode passThrough payloads"),
				 errdetail("passThrough payloads are rows in PostgreSQL's "
						   "internal format.")));
	old = MemoryContextSwitchTo(fcinfo->flinfo->fn_mcxt);
	c = palloc0(sizeof(MapCache));
	c->relid = relid;
	c->map = pstrdup(map);
	c->sink = sink;
	c->type = pstrdup(plan->type);
	c->mapper = siddhi_mapper_create(plan, desc, sink);
	MemoryContextSwitchTo(old);
	fcinfo->flinfo->fn_extra = c;
	return c;
}

typedef struct DecodeOut
{
	SiddhiMapper *m;
	Tuplestorestate *store;
	TupleDesc desc;
} DecodeOut;

/*
 * An event as a jsonb object, built directly (no JSON text to parse):
 * numbers as numbers (non-finite floats as strings), booleans, json and
 * jsonb as nested values, everything else as its text.
 */
static Datum
event_jsonb(SiddhiMapper *m, Datum *values, bool *nulls)
{
	JsonbParseState *state = NULL;
	JsonbValue *res;

	(void) pushJsonbValue(&state, WJB_BEGIN_OBJECT, NULL);
	for (int i = 0; i < m->natts; i++)
	{
		MapAttr *a = &m->atts[i];
		JsonbValue k, v;

		if (a->dropped)
			continue;
		k.type = jbvString;
		k.val.string.val = (char *) a->name;
		k.val.string.len = strlen(a->name);
		(void) pushJsonbValue(&state, WJB_KEY, &k);
		v.type = jbvNull;
		if (nulls[i])
			;
		else if (a->typid == BOOLOID)
		{
			v.type = jbvBool;
			v.val.boolean = DatumGetBool(values[i]);
		}
		else if (a->typid == INT4OID || a->typid == INT8OID ||
				 a->typid == INT2OID)
		{
			int64 n = a->typid == INT8OID	? DatumGetInt64(values[i])
					  : a->typid == INT4OID ? DatumGetInt32(values[i])
											: DatumGetInt16(values[i]);

			v.type = jbvNumeric;
			v.val.numeric = int64_to_numeric(n);
		}
		else if ((a->typid == FLOAT8OID || a->typid == FLOAT4OID) &&
				 !isinf(a->typid == FLOAT8OID ? DatumGetFloat8(values[i])
											  : DatumGetFloat4(values[i])) &&
				 !isnan(a->typid == FLOAT8OID ? DatumGetFloat8(values[i])
											  : DatumGetFloat4(values[i])))
		{
			v.type = jbvNumeric;
			v.val.numeric = DatumGetNumeric(DirectFunctionCall1(
				a->typid == FLOAT8OID ? float8_numeric : float4_numeric,
				values[i]));
		}
		else if (a->typid == NUMERICOID)
		{
			v.type = jbvNumeric;
			v.val.numeric = DatumGetNumeric(values[i]);
		}
		else if (a->is_json)
		{
			Jsonb *jb =
				a->typid == JSONBOID
					? DatumGetJsonbP(values[i])
					: DatumGetJsonbP(DirectFunctionCall1(
						  jsonb_in,
						  CStringGetDatum(TextDatumGetCString(values[i]))));

			v.type = jbvBinary;
			v.val.binary.data = &jb->root;
			v.val.binary.len = VARSIZE(jb) - VARHDRSZ;
		}
		else
		{
			int len;
			const char *s = map_output(m, i, values[i], &len);

			v.type = jbvString;
			v.val.string.val = (char *) s;
			v.val.string.len = len;
		}
		(void) pushJsonbValue(&state, WJB_VALUE, &v);
	}
	res = pushJsonbValue(&state, WJB_END_OBJECT, NULL);
	return JsonbPGetDatum(JsonbValueToJsonb(res));
}

static void
decode_emit(void *arg, Datum *values, bool *nulls)
{
	DecodeOut *o = arg;
	Datum d;
	bool isnull = false;

	d = event_jsonb(o->m, values, nulls);
	tuplestore_putvalues(o->store, o->desc, &d, &isnull);
}

/*
 * siddhi.map_decode(stream regclass, map text, payload bytea or text)
 * RETURNS SETOF jsonb: the events the mapper makes of the payload, each
 * as a JSON object of its attributes.
 */
Datum
siddhi_map_decode(PG_FUNCTION_ARGS)
{
	Oid relid = PG_GETARG_OID(0);
	text *map = PG_GETARG_TEXT_PP(1);
	bytea *payload = PG_GETARG_BYTEA_PP(2);
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	MapCache *c;
	DecodeOut o;
	MemoryContext old;

	if (rsinfo == NULL || !IsA(rsinfo, ReturnSetInfo) ||
		(rsinfo->allowedModes & SFRM_Materialize) == 0)
		ereport(ERROR, (errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
						errmsg("set-valued function called in context that "
							   "cannot accept a set")));
	c = get_mapper(fcinfo, relid, map, false);
	old = MemoryContextSwitchTo(rsinfo->econtext->ecxt_per_query_memory);
	o.desc = CreateTemplateTupleDesc(1);
	TupleDescInitEntry(o.desc, (AttrNumber) 1, "event", JSONBOID, -1, 0);
	o.store = tuplestore_begin_heap(true, false, work_mem);
	rsinfo->returnMode = SFRM_Materialize;
	rsinfo->setResult = o.store;
	rsinfo->setDesc = o.desc;
	MemoryContextSwitchTo(old);
	o.m = c->mapper;
	siddhi_mapper_decode(c->mapper, VARDATA_ANY(payload),
						 VARSIZE_ANY_EXHDR(payload), decode_emit, &o);
	return (Datum) 0;
}

/* The text of a jsonb value, for an attribute's input function. */
static char *
jsonb_value_text(JsonbValue *v, int *len)
{
	char *s;

	switch (v->type)
	{
		case jbvString:
			*len = v->val.string.len;
			return v->val.string.val;
		case jbvNumeric:
			s = DatumGetCString(DirectFunctionCall1(
				numeric_out, NumericGetDatum(v->val.numeric)));
			break;
		case jbvBool:
			s = v->val.boolean ? "true" : "false";
			break;
		case jbvBinary:
			s = JsonbToCString(NULL, v->val.binary.data, v->val.binary.len);
			break;
		default:
			s = "null";
	}
	*len = strlen(s);
	return s;
}

/*
 * siddhi.map_encode(stream regclass, map text, event jsonb) RETURNS
 * bytea: the payload a sink's mapper makes of an event given as a JSON
 * object of attribute values (missing keys are null).
 */
Datum
siddhi_map_encode(PG_FUNCTION_ARGS)
{
	Oid relid = PG_GETARG_OID(0);
	text *map = PG_GETARG_TEXT_PP(1);
	Jsonb *event = PG_GETARG_JSONB_P(2);
	MapCache *c = get_mapper(fcinfo, relid, map, true);
	SiddhiMapper *m = c->mapper;
	Datum *values = palloc0(sizeof(Datum) * Max(m->natts, 1));
	bool *nulls = palloc(sizeof(bool) * Max(m->natts, 1));
	JsonbIterator *it;
	JsonbValue v;
	JsonbIteratorToken tok;
	StringInfoData out;
	bytea *result;

	if (!JB_ROOT_IS_OBJECT(event))
		ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						errmsg("event must be a JSON object of attribute "
							   "values")));
	/* every key must be an attribute */
	it = JsonbIteratorInit(&event->root);
	while ((tok = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
	{
		char *key;

		if (tok != WJB_KEY)
			continue;
		key = pnstrdup(v.val.string.val, v.val.string.len);
		if (map_attnum(m, key) < 0)
			ereport(ERROR, (errcode(ERRCODE_UNDEFINED_COLUMN),
							errmsg("event has key \"%s\", which \"%s\" does "
								   "not have",
								   key, get_rel_name(relid))));
	}
	for (int i = 0; i < m->natts; i++)
	{
		JsonbValue key;
		JsonbValue *jv;
		char *s;
		int len;

		nulls[i] = true;
		if (m->atts[i].dropped)
			continue;
		key.type = jbvString;
		key.val.string.val = (char *) m->atts[i].name;
		key.val.string.len = strlen(m->atts[i].name);
		jv = findJsonbValueFromContainer(&event->root, JB_FOBJECT, &key);
		if (jv == NULL || jv->type == jbvNull)
			continue;
		s = jsonb_value_text(jv, &len);
		values[i] = map_input(m, i, s, len, -1);
		nulls[i] = false;
	}
	initStringInfo(&out);
	siddhi_mapper_encode(m, values, nulls, &out);
	result = palloc(VARHDRSZ + out.len);
	SET_VARSIZE(result, VARHDRSZ + out.len);
	memcpy(VARDATA(result), out.data, out.len);
	PG_RETURN_BYTEA_P(result);
}
