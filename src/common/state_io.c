/*-------------------------------------------------------------------------
 *
 * state_io.c
 *	  Writing an operator's state into bytes and reading it back
 *	  (include/siddhi/state.h).
 *
 * Each value is written as its bytes; a run of bytes, a tuple and a value
 * of a type passed by reference are preceded by their length (an int32,
 * -1 for a null).  The reader checks every length against what is left.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/tupmacs.h"
#include "fmgr.h"
#include "siddhi/state.h"
#include "utils/datum.h"
#include "utils/memutils.h"

void
siddhi_state_reader_init(SiddhiStateReader *r, const char *data, int len,
						 const char *what)
{
	r->data = data;
	r->len = len;
	r->pos = 0;
	r->what = what;
	r->desc = NULL;
}

void
siddhi_state_corrupt(SiddhiStateReader *r, const char *detail)
{
	ereport(ERROR,
			(errcode(ERRCODE_DATA_CORRUPTED),
			 errmsg("the saved state of %s is damaged", r->what),
			 errdetail("%s (at byte %d of %d).", detail, r->pos, r->len)));
}

static const char *
take(SiddhiStateReader *r, int n)
{
	const char *p;

	if (n < 0 || n > r->len - r->pos)
		siddhi_state_corrupt(r, "It ends too early");
	p = r->data + r->pos;
	r->pos += n;
	return p;
}

void
siddhi_state_put_int64(StringInfo buf, int64 v)
{
	appendBinaryStringInfo(buf, (const char *) &v, sizeof(v));
}

void
siddhi_state_put_int32(StringInfo buf, int32 v)
{
	appendBinaryStringInfo(buf, (const char *) &v, sizeof(v));
}

void
siddhi_state_put_bool(StringInfo buf, bool v)
{
	char c = v ? 1 : 0;

	appendBinaryStringInfo(buf, &c, 1);
}

void
siddhi_state_put_double(StringInfo buf, double v)
{
	appendBinaryStringInfo(buf, (const char *) &v, sizeof(v));
}

void
siddhi_state_put_bytes(StringInfo buf, const void *data, int len)
{
	siddhi_state_put_int32(buf, len);
	if (len > 0)
		appendBinaryStringInfo(buf, (const char *) data, len);
}

/*
 * A signed integer in as few bytes as it needs (zigzag, then seven bits a
 * byte, the high bit saying another follows): for times and their
 * differences, mostly small.
 */
void
siddhi_state_put_varint(StringInfo buf, int64 v)
{
	char bytes[SIDDHI_VARINT_MAX];

	appendBinaryStringInfo(buf, bytes, siddhi_state_varint_at(bytes, v));
}

/*
 * A tuple: its length, then what follows its padding (the length and the
 * padding are not written twice).
 */
#define TUPLE_SAVED_FROM offsetof(MinimalTupleData, t_infomask2)

void
siddhi_state_put_tuple(StringInfo buf, MinimalTuple tuple)
{
	siddhi_state_put_int32(buf, (int32) tuple->t_len);
	appendBinaryStringInfo(buf, (const char *) tuple + TUPLE_SAVED_FROM,
						   tuple->t_len - TUPLE_SAVED_FROM);
}

void
siddhi_state_put_datum(StringInfo buf, Datum value, bool isnull, int16 typlen,
					   bool typbyval)
{
	if (isnull)
	{
		siddhi_state_put_int32(buf, -1);
		return;
	}
	if (typbyval)
	{
		siddhi_state_put_int32(buf, sizeof(Datum));
		appendBinaryStringInfo(buf, (const char *) &value, sizeof(Datum));
		return;
	}
	/* a flat copy: expanded objects and toast pointers are flattened */
	if (typlen == -1)
	{
		struct varlena *v = PG_DETOAST_DATUM_PACKED(value);

		siddhi_state_put_bytes(buf, v, VARSIZE_ANY(v));
	}
	else
		siddhi_state_put_bytes(buf, DatumGetPointer(value),
							   datumGetSize(value, false, typlen));
}

int64
siddhi_state_get_int64(SiddhiStateReader *r)
{
	int64 v;

	memcpy(&v, take(r, sizeof(v)), sizeof(v));
	return v;
}

int32
siddhi_state_get_int32(SiddhiStateReader *r)
{
	int32 v;

	memcpy(&v, take(r, sizeof(v)), sizeof(v));
	return v;
}

bool
siddhi_state_get_bool(SiddhiStateReader *r)
{
	char c = *take(r, 1);

	if (c != 0 && c != 1)
		siddhi_state_corrupt(r, "A flag is neither true nor false");
	return c == 1;
}

uint8
siddhi_state_get_byte(SiddhiStateReader *r)
{
	return *(const uint8 *) take(r, 1);
}

double
siddhi_state_get_double(SiddhiStateReader *r)
{
	double v;

	memcpy(&v, take(r, sizeof(v)), sizeof(v));
	return v;
}

const char *
siddhi_state_get_bytes(SiddhiStateReader *r, int *len)
{
	int32 n = siddhi_state_get_int32(r);

	if (n < 0)
		siddhi_state_corrupt(r, "A length is negative");
	*len = n;
	return take(r, n);
}

/*
 * Does a saved tuple hold what desc says, within its length?  Checked
 * before deforming it, which trusts the lengths it reads: the header, the
 * null bitmap, then each present attribute's extent, as heap_deform_tuple
 * walks them.
 */
bool
siddhi_state_tuple_fits(TupleDesc desc, MinimalTuple t)
{
	HeapTupleHeader h = (HeapTupleHeader) ((char *) t - MINIMAL_TUPLE_OFFSET);
	int natts = HeapTupleHeaderGetNatts(h);
	bool hasnulls = (h->t_infomask & HEAP_HASNULL) != 0;
	char *end = (char *) t + t->t_len;
	char *tp;
	long off = 0;

	if (natts > desc->natts ||
		h->t_hoff < SizeofMinimalTupleHeader + MINIMAL_TUPLE_OFFSET ||
		(hasnulls &&
		 h->t_hoff < offsetof(HeapTupleHeaderData, t_bits) + BITMAPLEN(natts)))
		return false;
	tp = (char *) h + h->t_hoff;
	if (tp > end)
		return false;
	for (int i = 0; i < natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, i);
		char *p;

		if (hasnulls && att_isnull(i, h->t_bits))
			continue;
		if (att->attlen == -1)
		{
			/* a short header is one byte; a long one is padded to 4 */
			if (tp + off >= end)
				return false;
			off = att_align_pointer(off, att->attalign, -1, tp + off);
			p = tp + off;
			/* an event's values are in line: a pointer is never saved */
			if (p >= end || VARATT_IS_EXTERNAL(p) ||
				(!VARATT_IS_1B(p) && p + VARHDRSZ > end) ||
				VARSIZE_ANY(p) < 1 || p + VARSIZE_ANY(p) > end)
				return false;
		}
		else if (att->attlen == -2)
		{
			p = tp + off;
			if (p >= end || strnlen(p, end - p) >= (size_t) (end - p))
				return false;
		}
		else
		{
			off = att_align_nominal(off, att->attalign);
			if (tp + off + att->attlen > end)
				return false;
		}
		off = att_addlength_pointer(off, att->attlen, tp + off);
		if (tp + off > end)
			return false;
	}
	return true;
}

int64
siddhi_state_get_varint(SiddhiStateReader *r)
{
	uint64 u = 0;

	for (int shift = 0;; shift += 7)
	{
		uint8 b = *(const uint8 *) take(r, 1);

		if (shift == 63 && (b & 0x7E) != 0)
			siddhi_state_corrupt(r, "A number is too long");
		u |= (uint64) (b & 0x7F) << shift;
		if ((b & 0x80) == 0)
			break;
		if (shift == 63)
			siddhi_state_corrupt(r, "A number is too long");
	}
	return (int64) (u >> 1) ^ -(int64) (u & 1);
}

MinimalTuple
siddhi_state_get_tuple(SiddhiStateReader *r, MemoryContext cxt)
{
	int32 len = siddhi_state_get_int32(r);
	MinimalTuple t;

	if (len < (int32) SizeofMinimalTupleHeader)
		siddhi_state_corrupt(r, "A tuple is shorter than its header");
	if (len - (int32) TUPLE_SAVED_FROM > r->len - r->pos)
		siddhi_state_corrupt(r, "A tuple goes past the end");
	t = MemoryContextAllocZero(cxt, len);
	memcpy((char *) t + TUPLE_SAVED_FROM, take(r, len - TUPLE_SAVED_FROM),
		   len - TUPLE_SAVED_FROM);
	t->t_len = (uint32) len;
	if (r->desc && !siddhi_state_tuple_fits(r->desc, t))
		siddhi_state_corrupt(r, "A tuple does not fit its row type");
	return t;
}

Datum
siddhi_state_get_datum(SiddhiStateReader *r, bool *isnull, int16 typlen,
					   bool typbyval, MemoryContext cxt)
{
	int32 n;
	const char *p;
	char *copy;

	n = siddhi_state_get_int32(r);
	*isnull = (n == -1);
	if (*isnull)
		return (Datum) 0;
	if (n < 0)
		siddhi_state_corrupt(r, "A length is negative");
	p = take(r, n);
	if (typbyval)
	{
		Datum d;

		if (n != sizeof(Datum))
			siddhi_state_corrupt(r, "A value has the wrong size");
		memcpy(&d, p, sizeof(Datum));
		return d;
	}
	if (typlen == -1 && (n < VARHDRSZ_SHORT || VARSIZE_ANY(p) != (Size) n))
		siddhi_state_corrupt(r, "A value's length is not its own");
	if (typlen == -2 && (n < 1 || p[n - 1] != '\0'))
		siddhi_state_corrupt(r, "A string is not terminated");
	if (typlen > 0 && n != typlen)
		siddhi_state_corrupt(r, "A value has the wrong size");
	copy = MemoryContextAlloc(cxt, Max(n, 1));
	memcpy(copy, p, n);
	return PointerGetDatum(copy);
}

int64
siddhi_state_get_count(SiddhiStateReader *r, int min_bytes)
{
	int64 n = siddhi_state_get_int64(r);

	if (n < 0 || (min_bytes > 0 && n > (r->len - r->pos) / min_bytes))
		siddhi_state_corrupt(r, "A count is out of range");
	return n;
}

void
siddhi_state_expect_end(SiddhiStateReader *r)
{
	if (r->pos != r->len)
		siddhi_state_corrupt(r, "It has bytes left over");
}
