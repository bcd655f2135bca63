/*
 * sink_mapper_stub.c
 *	  TEMPORARY, until h-mappers is merged: weak stand-ins for
 *	  siddhi_mapper_create/encode (the real ones, map*.c, win at link
 *	  time).  Encodes an event as Siddhi's default JSON, {"event":{..}}.
 *	  Lead: delete this file when merging h-mappers.
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "fmgr.h"
#include "siddhi/connector.h"
#include "utils/json.h"
#include "utils/lsyscache.h"

struct SiddhiMapper
{
	TupleDesc desc;
	FmgrInfo *out;
};

__attribute__((weak)) SiddhiMapper *
siddhi_mapper_create(const SiddhiMapPlan *map, TupleDesc desc, bool sink)
{
	SiddhiMapper *m = palloc0(sizeof(SiddhiMapper));

	m->desc = CreateTupleDescCopy(desc);
	m->out = palloc0(sizeof(FmgrInfo) * Max(desc->natts, 1));
	for (int i = 0; i < desc->natts; i++)
	{
		Oid fn;
		bool varlena;

		getTypeOutputInfo(TupleDescAttr(desc, i)->atttypid, &fn, &varlena);
		fmgr_info(fn, &m->out[i]);
	}
	return m;
}

__attribute__((weak)) void
siddhi_mapper_encode(SiddhiMapper *m, Datum *values, bool *nulls,
					 StringInfo out)
{
	appendStringInfoString(out, "{\"event\":{");
	for (int i = 0; i < m->desc->natts; i++)
	{
		Form_pg_attribute a = TupleDescAttr(m->desc, i);

		if (i > 0)
			appendStringInfoChar(out, ',');
		escape_json(out, NameStr(a->attname));
		appendStringInfoChar(out, ':');
		if (nulls[i])
			appendStringInfoString(out, "null");
		else
		{
			char *v = OutputFunctionCall(&m->out[i], values[i]);

			if (a->atttypid == TEXTOID || a->atttypid == VARCHAROID)
				escape_json(out, v);
			else
				appendStringInfoString(out, v);
		}
	}
	appendStringInfoString(out, "}}");
}
