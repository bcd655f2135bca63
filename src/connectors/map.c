/*-------------------------------------------------------------------------
 *
 * map.c
 *	  Mappers at run time: the dispatch to each format, the per-attribute
 *	  conversion caches, @payload templates, and passThrough.
 *
 * A mapper is created once per source or sink (siddhi_mapper_create): the
 * input and output functions of every attribute are looked up then, so
 * decoding a record touches no catalog.  decode checks that a text
 * payload is valid in the database encoding (one pass, which also refuses
 * NUL bytes) before the format parses it, and turns an error of a type's
 * input function into one that names the attribute ("cannot map attribute
 * "price" of a json record: invalid input syntax for type integer ..").
 *
 * passThrough carries the event itself, for the in-memory broker: the
 * signature of the stream's row type (siddhi_desc_signature) and then a
 * MinimalTuple of the event.  A reader of another row type refuses the
 * bytes (42804); the tuple's layout is checked against the row type
 * before it is read, so a truncated or altered tuple is an error, not a
 * wild read.  The contents of values are not checked (a jsonb or numeric
 * is trusted to be well formed): siddhi.map_decode() lets only superusers
 * feed passThrough bytes, which otherwise come from our own encoder only.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "mb/pg_wchar.h"
#include "siddhi/depend.h"
#include "siddhi/parser.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"

#include "map_int.h"

static void passthrough_encode(SiddhiMapper *m, Datum *values, bool *nulls,
							   StringInfo out);

static const MapperOps passthrough_ops = { "passThrough", NULL,
										   map_passthrough_decode,
										   passthrough_encode };

static const MapperOps *const all_ops[] = { &passthrough_ops,
											&siddhi_map_json_ops,
											&siddhi_map_csv_ops,
											&siddhi_map_text_ops,
											&siddhi_map_keyvalue_ops,
											&siddhi_map_avro_ops,
											NULL };

/*
 * A mapper for a plan that siddhi_mapper_validate() accepted.  Allocates
 * in the current memory context, which the mapper then lives in.
 */
SiddhiMapper *
siddhi_mapper_create(const SiddhiMapPlan *map, TupleDesc desc, bool sink)
{
	SiddhiMapper *m = palloc0(sizeof(SiddhiMapper));
	int i;

	for (i = 0; all_ops[i]; i++)
		if (pg_strcasecmp(all_ops[i]->type, map->type) == 0)
			break;
	if (all_ops[i] == NULL)
		ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						errmsg("unknown mapper type \"%s\"", map->type)));
	m->ops = all_ops[i];
	m->cxt = CurrentMemoryContext;
	m->desc = CreateTupleDescCopy(desc);
	m->natts = desc->natts;
	m->sink = sink;
	m->atts = palloc0(sizeof(MapAttr) * Max(desc->natts, 1));
	m->values = palloc0(sizeof(Datum) * Max(desc->natts, 1));
	m->nulls = palloc0(sizeof(bool) * Max(desc->natts, 1));
	m->seen = palloc0(sizeof(bool) * Max(desc->natts, 1));
	initStringInfo(&m->buf);
	initStringInfo(&m->buf2);
	m->converting = -1;
	m->position = -1;
	m->verify_encoding =
		m->ops != &passthrough_ops && m->ops != &siddhi_map_avro_ops;
	for (i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute a = TupleDescAttr(desc, i);
		MapAttr *ma = &m->atts[i];
		Oid fn;
		bool varlena;
		bool preferred;

		ma->name = pstrdup(NameStr(a->attname));
		ma->dropped = a->attisdropped;
		if (ma->dropped)
			continue;
		ma->typid = a->atttypid;
		ma->typmod = a->atttypmod;
		ma->is_text = a->atttypid == TEXTOID ||
					  (a->atttypid == VARCHAROID && a->atttypmod < 0);
		ma->is_json = a->atttypid == JSONBOID || a->atttypid == JSONOID;
		get_type_category_preferred(getBaseType(a->atttypid), &ma->category,
									&preferred);
		getTypeInputInfo(a->atttypid, &fn, &ma->ioparam);
		fmgr_info_cxt(fn, &ma->in, m->cxt);
		if (fn == F_INT8IN)
			ma->small_int_digits = 18;
		else if (fn == F_INT4IN)
			ma->small_int_digits = 9;
		else if (fn == F_INT2IN)
			ma->small_int_digits = 4;
		getTypeOutputInfo(a->atttypid, &fn, &varlena);
		fmgr_info_cxt(fn, &ma->out, m->cxt);
	}
	if (sink && map->payload != NULL)
		m->tpl = map_template_compile(
			map->payload, desc, m->ops == &siddhi_map_json_ops, NULL, -1);
	if (m->ops->create)
		m->ops->create(m, map);
	return m;
}

/*
 * Where a payload stops being valid text in the database encoding, or -1.
 */
static int
invalid_text_at(const char *data, int len)
{
	int ok = pg_encoding_verifymbstr(GetDatabaseEncoding(), data, len);

	return ok == len ? -1 : ok;
}

int
siddhi_mapper_decode(SiddhiMapper *m, const char *data, int len,
					 SiddhiMapEmit emit, void *arg)
{
	MemoryContext cxt = CurrentMemoryContext;
	int n = 0;

	if (m->verify_encoding)
	{
		int bad = invalid_text_at(data, len);

		if (bad >= 0)
			ereport(ERROR,
					(errcode(ERRCODE_CHARACTER_NOT_IN_REPERTOIRE),
					 errmsg("%s payload is not valid %s text at byte %d",
							m->ops->type, GetDatabaseEncodingName(), bad),
					 errdetail("Byte 0x%02x cannot start or continue a "
							   "character there.",
							   (unsigned char) data[bad])));
	}
	m->converting = -1;
	m->position = -1;
	PG_TRY();
	{
		n = m->ops->decode(m, data, len, emit, arg);
	}
	PG_CATCH();
	{
		int att = m->converting;
		int pos = m->position;
		ErrorData *e;

		m->converting = -1;
		if (att < 0)
			PG_RE_THROW();
		MemoryContextSwitchTo(cxt);
		e = CopyErrorData();
		if (e->sqlerrcode == ERRCODE_QUERY_CANCELED ||
			e->sqlerrcode == ERRCODE_ADMIN_SHUTDOWN ||
			e->sqlerrcode == ERRCODE_OUT_OF_MEMORY)
			PG_RE_THROW();
		FlushErrorState();
		ereport(ERROR,
				(errcode(e->sqlerrcode),
				 errmsg("%s record has an invalid value for attribute \"%s\": "
						"%s",
						m->ops->type, m->atts[att].name, e->message),
				 pos >= 0 ? errdetail("The value starts at byte %d of the "
									  "payload.",
									  pos)
						  : 0));
	}
	PG_END_TRY();

	/* a huge record leaves huge scratch buffers: give them back */
	if (m->buf.maxlen > 65536 || m->buf2.maxlen > 65536)
	{
		MemoryContext old = MemoryContextSwitchTo(m->cxt);

		pfree(m->buf.data);
		pfree(m->buf2.data);
		initStringInfo(&m->buf);
		initStringInfo(&m->buf2);
		MemoryContextSwitchTo(old);
	}
	return n;
}

void
siddhi_mapper_encode(SiddhiMapper *m, Datum *values, bool *nulls,
					 StringInfo out)
{
	m->ops->encode(m, values, nulls, out);
}

void
siddhi_mapper_free(SiddhiMapper *m)
{
	if (m == NULL)
		return;
	if (m->ops->release)
		m->ops->release(m);
	if (m->stash_cap)
	{
		pfree(m->stash_values);
		pfree(m->stash_nulls);
	}
	pfree(m->buf.data);
	pfree(m->buf2.data);
	pfree(m->values);
	pfree(m->nulls);
	pfree(m->seen);
	pfree(m);
}

/* Helpers for the formats --------------------------------------------- */

Datum
map_input(SiddhiMapper *m, int att, const char *s, int len, int position)
{
	MapAttr *a = &m->atts[att];
	Datum d;

	if (a->is_text)
		return PointerGetDatum(cstring_to_text_with_len(s, len));
	if (s != m->buf.data)
	{
		resetStringInfo(&m->buf);
		appendBinaryStringInfo(&m->buf, s, len);
		s = m->buf.data;
	}
	m->converting = att;
	m->position = position;
	d = InputFunctionCall(&a->in, (char *) s, a->ioparam, a->typmod);
	m->converting = -1;
	return d;
}

int
map_attnum(SiddhiMapper *m, const char *name)
{
	for (int i = 0; i < m->natts; i++)
		if (!m->atts[i].dropped && pg_strcasecmp(m->atts[i].name, name) == 0)
			return i;
	return -1;
}

const char *
map_output(SiddhiMapper *m, int att, Datum value, int *len)
{
	MapAttr *a = &m->atts[att];
	char *s;

	if (a->is_text)
	{
		text *t = DatumGetTextPP(value);

		*len = VARSIZE_ANY_EXHDR(t);
		return VARDATA_ANY(t);
	}
	if (a->typid == BOOLOID)
	{
		/* as Siddhi writes them, and as every format reads them back */
		s = DatumGetBool(value) ? "true" : "false";
		*len = strlen(s);
		return s;
	}
	s = OutputFunctionCall(&a->out, value);
	*len = strlen(s);
	return s;
}

void
map_begin_event(SiddhiMapper *m)
{
	for (int i = 0; i < m->natts; i++)
	{
		m->values[i] = (Datum) 0;
		m->nulls[i] = true;
		m->seen[i] = m->atts[i].dropped;
	}
}

void
map_missing(SiddhiMapper *m, bool fail, int sqlstate, const char *what,
			char **paths)
{
	for (int i = 0; i < m->natts; i++)
	{
		if (m->seen[i])
			continue;
		if (fail)
			ereport(ERROR,
					(errcode(sqlstate),
					 errmsg("%s record has no value for attribute \"%s\"",
							what, m->atts[i].name),
					 paths && paths[i]
						 ? errdetail("Its mapping is '%s'.", paths[i])
						 : 0,
					 errhint("Set fail.on.missing.attribute = 'false' to "
							 "map missing values to null.")));
		m->nulls[i] = true;
	}
}

bool
map_option_bool(const SiddhiMapPlan *plan, const char *key, bool def)
{
	const char *v = siddhi_conn_option(plan->options, key, NULL);
	bool result;

	if (v == NULL)
		return def;
	if (!parse_bool(v, &result))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("option \"%s\" must be 'true' or 'false'", key)));
	return result;
}

void
map_stash_reset(SiddhiMapper *m)
{
	m->nstash = 0;
}

void
map_stash_event(SiddhiMapper *m)
{
	int n = Max(m->natts, 1);

	if (m->nstash == m->stash_cap)
	{
		int cap = m->stash_cap ? m->stash_cap * 2 : 4;

		if (m->stash_cap == 0)
		{
			m->stash_values =
				MemoryContextAlloc(m->cxt, sizeof(Datum) * n * cap);
			m->stash_nulls =
				MemoryContextAlloc(m->cxt, sizeof(bool) * n * cap);
		}
		else
		{
			m->stash_values =
				repalloc_huge(m->stash_values, sizeof(Datum) * n * (Size) cap);
			m->stash_nulls =
				repalloc_huge(m->stash_nulls, sizeof(bool) * n * (Size) cap);
		}
		m->stash_cap = cap;
	}
	memcpy(m->stash_values + (Size) m->nstash * n, m->values,
		   sizeof(Datum) * m->natts);
	memcpy(m->stash_nulls + (Size) m->nstash * n, m->nulls,
		   sizeof(bool) * m->natts);
	m->nstash++;
}

/*
 * Emit the stashed events.  A stash grown past 1024 events by one huge
 * record is given back afterwards.
 */
int
map_stash_emit(SiddhiMapper *m, SiddhiMapEmit emit, void *arg)
{
	int n = Max(m->natts, 1);
	int count = m->nstash;

	for (int i = 0; i < count; i++)
		emit(arg, m->stash_values + (Size) i * n,
			 m->stash_nulls + (Size) i * n);
	m->nstash = 0;
	if (m->stash_cap > 1024)
	{
		pfree(m->stash_values);
		pfree(m->stash_nulls);
		m->stash_cap = 0;
	}
	return count;
}

/* Templates ------------------------------------------------------------ */

/*
 * Compile a @payload template: literal text and {{attribute}}
 * placeholders.  In a JSON template, note for each placeholder whether it
 * stands inside a string literal (its value is then escaped there) or
 * outside (its value is written as a JSON value).  With source, errors
 * point into it at location (the template's string in the app).
 */
MapTemplate *
map_template_compile(const char *tpl, TupleDesc desc, bool json,
					 const char *source, int location)
{
	MapTemplate *t = palloc0(sizeof(MapTemplate));
	int cap = 8;
	const char *p = tpl;
	const char *lit = tpl;
	bool in_quote = false;

	t->json = json;
	t->parts = palloc(sizeof(MapTplPart) * cap);
	while (*p)
	{
		if (p[0] == '{' && p[1] == '{')
		{
			const char *end = strstr(p + 2, "}}");
			char *name;
			int att;

			if (end == NULL)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("@payload has a {{ without its }}"),
						 source ? siddhi_errposition(source, location) : 0));
			{
				const char *s = p + 2;
				const char *e = end;

				while (s < e && *s == ' ')
					s++;
				while (e > s && e[-1] == ' ')
					e--;
				name = pnstrdup(s, e - s);
			}
			for (att = 0; att < desc->natts; att++)
				if (!TupleDescAttr(desc, att)->attisdropped &&
					pg_strcasecmp(NameStr(TupleDescAttr(desc, att)->attname),
								  name) == 0)
					break;
			if (att == desc->natts)
				ereport(ERROR,
						(errcode(ERRCODE_UNDEFINED_COLUMN),
						 errmsg("@payload names {{%s}}, which the stream does "
								"not have",
								name),
						 source ? siddhi_errposition(source, location) : 0));
			if (t->nparts + 2 > cap)
			{
				cap *= 2;
				t->parts = repalloc(t->parts, sizeof(MapTplPart) * cap);
			}
			if (p > lit)
			{
				t->parts[t->nparts].text = lit;
				t->parts[t->nparts++].len = p - lit;
			}
			t->parts[t->nparts].text = NULL;
			t->parts[t->nparts].att = att;
			t->parts[t->nparts++].in_quote = in_quote;
			p = end + 2;
			lit = p;
			continue;
		}
		if (json && *p == '"')
			in_quote = !in_quote;
		else if (json && in_quote && *p == '\\' && p[1])
			p++;
		p++;
	}
	if (p > lit)
	{
		if (t->nparts + 1 > cap)
			t->parts = repalloc(t->parts, sizeof(MapTplPart) * (cap + 1));
		t->parts[t->nparts].text = lit;
		t->parts[t->nparts++].len = p - lit;
	}
	return t;
}

/*
 * Expand a template for one event.  Outside JSON, a value is its text
 * ("null" for NULL, as Siddhi writes it); in JSON, inside a string literal
 * its text JSON-escaped, outside one a JSON value.
 */
void
map_template_expand(SiddhiMapper *m, MapTemplate *t, Datum *values,
					bool *nulls, StringInfo out)
{
	for (int i = 0; i < t->nparts; i++)
	{
		MapTplPart *p = &t->parts[i];
		const char *s;
		int len;

		if (p->text)
		{
			appendBinaryStringInfo(out, p->text, p->len);
			continue;
		}
		if (t->json && !p->in_quote)
		{
			map_json_value(m, p->att, values[p->att], nulls[p->att], out);
			continue;
		}
		if (nulls[p->att])
		{
			appendStringInfoString(out, "null");
			continue;
		}
		s = map_output(m, p->att, values[p->att], &len);
		if (t->json)
			map_json_escape(out, s, len);
		else
			appendBinaryStringInfo(out, s, len);
	}
}

/* passThrough ---------------------------------------------------------- */

void
map_passthrough_encode(TupleDesc desc, Datum *values, bool *nulls,
					   StringInfo out)
{
	uint32 sig = siddhi_desc_signature(desc);
	Datum *flat = palloc(sizeof(Datum) * Max(desc->natts, 1));
	MinimalTuple tup;

	for (int i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute a = TupleDescAttr(desc, i);

		flat[i] = values[i];
		if (!nulls[i] && a->attlen == -1)
			flat[i] = PointerGetDatum(pg_detoast_datum_packed(
				(struct varlena *) DatumGetPointer(values[i])));
	}
	tup = heap_form_minimal_tuple(desc, flat, nulls);
	appendBinaryStringInfo(out, (const char *) &sig, sizeof(sig));
	appendBinaryStringInfo(out, (const char *) tup, tup->t_len);
	pfree(tup);
	pfree(flat);
}

static void
passthrough_encode(SiddhiMapper *m, Datum *values, bool *nulls, StringInfo out)
{
	map_passthrough_encode(m->desc, values, nulls, out);
}

static void
bad_tuple(const char *why)
{
	ereport(ERROR, (errcode(ERRCODE_DATA_CORRUPTED),
					errmsg("passThrough payload is not a well-formed event"),
					errdetail("%s", why)));
}

/*
 * Check that a MinimalTuple of len bytes can be read with desc without
 * reading outside it: header, null bitmap, and every value's extent.
 * Values stored out of line or compressed are refused (the encoder never
 * writes them).
 */
static void
check_tuple(TupleDesc desc, MinimalTuple tup, uint32 len)
{
	int natts;
	bool hasnull;
	char *data;
	uint32 datalen;
	uint32 off = 0;

	if (len < SizeofMinimalTupleHeader || tup->t_len != len)
		bad_tuple("Its length does not match its header.");
	natts = tup->t_infomask2 & HEAP_NATTS_MASK;
	hasnull = (tup->t_infomask & HEAP_HASNULL) != 0;
	if (natts > desc->natts)
		bad_tuple("It has more attributes than the stream.");
	if ((tup->t_infomask & HEAP_HASEXTERNAL) != 0)
		bad_tuple("It refers to values stored elsewhere.");
	if (tup->t_hoff + MINIMAL_TUPLE_OFFSET <
			SizeofMinimalTupleHeader + (hasnull ? BITMAPLEN(natts) : 0) ||
		tup->t_hoff - MINIMAL_TUPLE_OFFSET > len)
		bad_tuple("Its header is inconsistent.");
	data = (char *) tup + tup->t_hoff - MINIMAL_TUPLE_OFFSET;
	datalen = len - (tup->t_hoff - MINIMAL_TUPLE_OFFSET);
	for (int i = 0; i < natts; i++)
	{
		Form_pg_attribute a = TupleDescAttr(desc, i);

		if (hasnull && att_isnull(i, tup->t_bits))
			continue;
		if (a->attlen > 0)
		{
			off = att_align_nominal(off, a->attalign);
			if (off > datalen || a->attlen > datalen - off)
				bad_tuple("A value runs past its end.");
			off += a->attlen;
		}
		else if (a->attlen == -1)
		{
			uint32 size;

			if (off >= datalen)
				bad_tuple("A value runs past its end.");
			if (VARATT_NOT_PAD_BYTE(data + off) == 0)
				off = att_align_nominal(off, a->attalign);
			if (off >= datalen)
				bad_tuple("A value runs past its end.");
			if (VARATT_IS_1B_E(data + off))
				bad_tuple("A value is stored elsewhere.");
			if (VARATT_IS_1B(data + off))
				size = VARSIZE_1B(data + off);
			else
			{
				if (datalen - off < VARHDRSZ)
					bad_tuple("A value runs past its end.");
				if (!VARATT_IS_4B_U(data + off))
					bad_tuple("A value is compressed.");
				size = VARSIZE_4B(data + off);
			}
			if (size < 1 || size > datalen - off)
				bad_tuple("A value runs past its end.");
			off += size;
		}
		else
		{
			uint32 n;

			off = att_align_nominal(off, a->attalign);
			if (off >= datalen)
				bad_tuple("A value runs past its end.");
			n = strnlen(data + off, datalen - off);
			if (n == datalen - off)
				bad_tuple("A value runs past its end.");
			off += n + 1;
		}
	}
}

int
map_passthrough_decode(SiddhiMapper *m, const char *data, int len,
					   SiddhiMapEmit emit, void *arg)
{
	uint32 sig;
	MinimalTuple tup;
	HeapTupleData ht;
	Datum *values;
	bool *nulls;

	if (len < (int) (sizeof(uint32) + SizeofMinimalTupleHeader))
		bad_tuple("It is too short.");
	memcpy(&sig, data, sizeof(sig));
	if (sig != siddhi_desc_signature(m->desc))
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("passThrough event is of another row type"),
				 errdetail("The sink that published it sends events of "
						   "other attributes or types than this stream's.")));
	tup = palloc(len - sizeof(uint32));
	memcpy(tup, data + sizeof(uint32), len - sizeof(uint32));
	check_tuple(m->desc, tup, len - sizeof(uint32));
	ht.t_len = tup->t_len + MINIMAL_TUPLE_OFFSET;
	ht.t_data = (HeapTupleHeader) ((char *) tup - MINIMAL_TUPLE_OFFSET);
	ItemPointerSetInvalid(&ht.t_self);
	ht.t_tableOid = InvalidOid;
	values = palloc(sizeof(Datum) * Max(m->natts, 1));
	nulls = palloc(sizeof(bool) * Max(m->natts, 1));
	heap_deform_tuple(&ht, m->desc, values, nulls);
	emit(arg, values, nulls);
	return 1;
}
