/*-------------------------------------------------------------------------
 *
 * datum_num.h
 *	  Number Datums as double or int64 (src/common/datum_num.c).
 *
 *-------------------------------------------------------------------------
 */
#ifndef SIDDHI_DATUM_NUM_H
#define SIDDHI_DATUM_NUM_H

/* int2/int4/int8/float4 as named, anything else read as float8 */
extern double siddhi_datum_double(Datum d, Oid type);
/* int2/int4 as named, anything else read as int8 */
extern int64 siddhi_datum_int64(Datum d, Oid type);

#endif
