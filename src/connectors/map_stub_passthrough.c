/*-------------------------------------------------------------------------
 *
 * map_stub_passthrough.c
 *	  STAND-IN until the mappers (h-mappers' map*.c) are merged: the
 *	  passThrough mapper only, so that the source framework and the
 *	  in-memory broker can be built and tested.  DROP THIS FILE at the
 *	  merge: map*.c defines the same functions for every mapper.
 *
 * passThrough bytes (as include/siddhi/source.h pins them): the row
 * type's siddhi_desc_signature() as a uint32 in native byte order, then
 * the event's MinimalTuple.  A source of another row type refuses them.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "siddhi/connector.h"
#include "siddhi/depend.h"
#include "siddhi/errors.h"

struct SiddhiMapper
{
	TupleDesc desc;
	uint32 sig;
	Datum *values;
	bool *nulls;
};

SiddhiMapper *
siddhi_mapper_create(const SiddhiMapPlan *map, TupleDesc desc, bool sink)
{
	SiddhiMapper *m;

	if (pg_strcasecmp(map->type, "passThrough") != 0)
		ereport(ERROR, (errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
						errmsg("mapper \"%s\" is not available in this build",
							   map->type)));
	m = palloc0(sizeof(SiddhiMapper));
	m->desc = CreateTupleDescCopy(desc);
	m->sig = siddhi_desc_signature(desc);
	m->values = palloc(sizeof(Datum) * Max(desc->natts, 1));
	m->nulls = palloc(sizeof(bool) * Max(desc->natts, 1));
	return m;
}

int
siddhi_mapper_decode(SiddhiMapper *m, const char *data, int len,
					 SiddhiMapEmit emit, void *arg)
{
	uint32 sig;
	MinimalTuple mt;
	HeapTupleData htup;

	if (len < (int) (sizeof(uint32) + SizeofMinimalTupleHeader))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
				 errmsg("passThrough record of %d bytes is too short", len)));
	memcpy(&sig, data, sizeof(uint32));
	if (sig != m->sig)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("passThrough record of another row type"),
				 errdetail("The stream's row type has signature %08x, the "
						   "record's %08x.",
						   m->sig, sig)));
	/* aligned copy: the payload may sit anywhere */
	mt = palloc(len - sizeof(uint32));
	memcpy(mt, data + sizeof(uint32), len - sizeof(uint32));
	if (mt->t_len != (uint32) (len - sizeof(uint32)))
		ereport(ERROR, (errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
						errmsg("passThrough record is malformed")));
	htup.t_len = mt->t_len + MINIMAL_TUPLE_OFFSET;
	htup.t_data = (HeapTupleHeader) ((char *) mt - MINIMAL_TUPLE_OFFSET);
	ItemPointerSetInvalid(&htup.t_self);
	htup.t_tableOid = InvalidOid;
	heap_deform_tuple(&htup, m->desc, m->values, m->nulls);
	emit(arg, m->values, m->nulls);
	pfree(mt);
	return 1;
}

void
siddhi_mapper_encode(SiddhiMapper *m, Datum *values, bool *nulls,
					 StringInfo out)
{
	MinimalTuple mt = heap_form_minimal_tuple(m->desc, values, nulls);

	appendBinaryStringInfo(out, (const char *) &m->sig, sizeof(uint32));
	appendBinaryStringInfo(out, (const char *) mt, mt->t_len);
	pfree(mt);
}

void
siddhi_mapper_free(SiddhiMapper *m)
{
	pfree(m->values);
	pfree(m->nulls);
	pfree(m);
}
