/*-------------------------------------------------------------------------
 *
 * key_hash.c
 *	  Setting up the hash of a key (include/siddhi/key_hash.h).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_collation.h"
#include "siddhi/key_hash.h"
#include "utils/fmgroids.h"
#include "utils/lsyscache.h"

void
siddhi_key_hash_init(SiddhiKeyHash *kh, Oid hashproc, Oid collation,
					 MemoryContext cxt)
{
	fmgr_info_cxt(hashproc, &kh->fn, cxt);
	kh->collation = collation;
	/*
	 * hashtext hashes the bytes of the value under a deterministic
	 * collation (without one it raises an error, left to it).
	 */
	kh->bytes = hashproc == F_HASHTEXT && OidIsValid(collation) &&
				(collation == C_COLLATION_OID ||
				 get_collation_isdeterministic(collation));
}
