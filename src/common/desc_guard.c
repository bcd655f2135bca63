/*-------------------------------------------------------------------------
 *
 * desc_guard.c
 *	  Row types checked where rows cross a boundary (belt and braces).
 *
 * pg_depend (src/catalog/depend.c) keeps the columns an app uses from
 * changing type, and the engine worker reloads an app whose relations
 * changed (src/worker/invalidate.c).  Rows can still be formed under one
 * row type and read under another around such a change: a client stamps
 * the chunks it writes to a stream with the signature of the stream's row
 * type, and the engine drops chunks whose signature is not its own; a
 * table sink checks that the rows a query formed still fit the table.
 * Reading a row with the wrong row type would read garbage or crash.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/tupdesc.h"
#include "common/hashfn.h"
#include "siddhi/depend.h"
#include "siddhi/errors.h"
#include "utils/rel.h"

/*
 * A hash of what decides the physical layout of a row: the number of
 * attributes and each one's type, typmod, length, alignment and whether
 * it is dropped.  Never 0 (0 means "not stamped").
 */
uint32
siddhi_desc_signature(TupleDesc desc)
{
	uint32 h = hash_bytes_uint32((uint32) desc->natts);

	for (int i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute a = TupleDescAttr(desc, i);
		uint32 v[4];

		v[0] = a->atttypid;
		v[1] = (uint32) a->atttypmod;
		v[2] = (uint32) a->attlen | ((uint32) (uint8) a->attalign << 16);
		v[3] = (a->attisdropped ? 1 : 0) | (a->attbyval ? 2 : 0);
		h = hash_combine(h, hash_bytes((const unsigned char *) v, sizeof(v)));
	}
	return h == 0 ? 1 : h;
}

/*
 * Rows formed for `built` can be stored into a relation whose row type is
 * `now` when every attribute of built is still there with the same type
 * (columns added since read as NULL).
 */
bool
siddhi_desc_compatible(TupleDesc built, TupleDesc now)
{
	if (built->natts > now->natts)
		return false;
	for (int i = 0; i < built->natts; i++)
	{
		Form_pg_attribute b = TupleDescAttr(built, i);
		Form_pg_attribute n = TupleDescAttr(now, i);

		if (b->attisdropped != n->attisdropped)
			return false;
		if (b->attisdropped)
			continue;
		if (b->atttypid != n->atttypid || b->atttypmod != n->atttypmod ||
			b->attlen != n->attlen || b->attbyval != n->attbyval ||
			b->attalign != n->attalign)
			return false;
	}
	return true;
}

void
siddhi_check_sink_desc(Relation rel, TupleDesc built)
{
	if (!siddhi_desc_compatible(built, RelationGetDescr(rel)))
		ereport(ERROR,
				(errcode(ERRCODE_SIDDHI_RUNTIME_ERROR),
				 errmsg("the columns of \"%s\" changed after the app was "
						"loaded",
						RelationGetRelationName(rel)),
				 errdetail("Rows formed for its old columns cannot be "
						   "written; the engine reloads the app.")));
}
