/*-------------------------------------------------------------------------
 *
 * row.c
 *	  One row of a chunk (include/siddhi/ipc.h: a SiddhiRowHeader, then a
 *	  MinimalTuple), made in place in the chunk's buffer.
 *
 * Every producer of chunks (INSERT/COPY through stream_fdw.c, the sources
 * of src/connectors/) writes its rows with these two calls: the size
 * first, so that the caller can make room (or start a new chunk), then
 * the row itself.  The tuple is filled where it will lie
 * (heap_fill_tuple), in the layout heap_form_minimal_tuple gives it, and
 * never formed apart and copied in: for a large COPY that copy and its
 * zeroed allocation were a tenth of the backend's time.  All padding is
 * zeroed, as a durable stream's chunk, written to disk as it is, needs.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "siddhi/ipc.h"
#include "utils/memutils.h"

void
siddhi_row_layout(TupleDesc desc, const Datum *values, const bool *nulls,
				  SiddhiRowLayout *l)
{
	int natts = desc->natts;

	if (natts > MaxTupleAttributeNumber)
		ereport(ERROR, (errcode(ERRCODE_TOO_MANY_COLUMNS),
						errmsg("number of columns (%d) exceeds limit (%d)",
							   natts, MaxTupleAttributeNumber)));
	l->hasnull = false;
	for (int i = 0; i < natts; i++)
		if (nulls[i])
		{
			l->hasnull = true;
			break;
		}
	l->hoff = MAXALIGN(SizeofMinimalTupleHeader +
					   (l->hasnull ? BITMAPLEN(natts) : 0));
	l->data_len =
		heap_compute_data_size(desc, (Datum *) values, (bool *) nulls);
	l->tuple_len = l->hoff + l->data_len;
	if (!AllocSizeIsValid(l->tuple_len) || l->tuple_len > PG_UINT32_MAX)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("an event of %zu bytes is too large", l->tuple_len)));
	l->row_len = MAXALIGN(sizeof(SiddhiRowHeader)) + MAXALIGN(l->tuple_len);
}

void
siddhi_row_write(char *at, TupleDesc desc, const Datum *values,
				 const bool *nulls, int64 ts, const SiddhiRowLayout *l)
{
	SiddhiRowHeader *hdr = (SiddhiRowHeader *) at;
	MinimalTuple mt;

	Assert(at == (char *) MAXALIGN(at));
	memset(at, 0, l->row_len);
	hdr->timestamp = ts;
	hdr->length = (uint32) l->tuple_len;
	mt = (MinimalTuple) (at + MAXALIGN(sizeof(SiddhiRowHeader)));
	mt->t_len = (uint32) l->tuple_len;
	HeapTupleHeaderSetNatts(mt, desc->natts);
	mt->t_hoff = l->hoff + MINIMAL_TUPLE_OFFSET;
	heap_fill_tuple(desc, (Datum *) values, (bool *) nulls,
					(char *) mt + l->hoff, l->data_len, &mt->t_infomask,
					l->hasnull ? mt->t_bits : NULL);
}
