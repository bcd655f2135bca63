/*-------------------------------------------------------------------------
 *
 * key_hash.h
 *	  The hash of a key under its type's hash function, as the indexes of
 *	  the runtime take it (a join's window index, a stream's dispatch
 *	  index): text under a deterministic collation hashed here, as its
 *	  bytes, which is what hashtext computes, without the look-up of the
 *	  collation hashtext makes at every call (src/common/key_hash.c).
 *
 *-------------------------------------------------------------------------
 */
#ifndef SIDDHI_KEY_HASH_H
#define SIDDHI_KEY_HASH_H

#include "common/hashfn.h"
#include "fmgr.h"

typedef struct SiddhiKeyHash
{
	FmgrInfo fn; /* the type's hash function (HASHSTANDARD_PROC) */
	Oid collation;
	bool bytes; /* hashtext under a deterministic collation */
} SiddhiKeyHash;

/* Set kh up for hash function hashproc under collation, in cxt. */
extern void siddhi_key_hash_init(SiddhiKeyHash *kh, Oid hashproc,
								 Oid collation, MemoryContext cxt);

static inline uint32
siddhi_key_hash(SiddhiKeyHash *kh, Datum v)
{
	if (kh->bytes)
	{
		struct varlena *p =
			pg_detoast_datum_packed((struct varlena *) DatumGetPointer(v));
		uint32 h = DatumGetUInt32(
			hash_any((unsigned char *) VARDATA_ANY(p), VARSIZE_ANY_EXHDR(p)));

		if ((Pointer) p != DatumGetPointer(v))
			pfree(p);
		return h;
	}
	return DatumGetUInt32(FunctionCall1Coll(&kh->fn, kh->collation, v));
}

#endif /* SIDDHI_KEY_HASH_H */
