/*-------------------------------------------------------------------------
 *
 * cdc.h
 *	  The Postgres CDC source: what its stream's attributes take from a
 *	  change, and its operation option (src/analyzer/analyze_cdc.c, pure
 *	  but for the table's row type; the source in src/connectors/cdc_*.c).
 *
 *-------------------------------------------------------------------------
 */
#ifndef SIDDHI_CDC_H
#define SIDDHI_CDC_H

#include "access/tupdesc.h"

/* what a stream attribute takes from a change */
typedef enum CdcAttKind
{
	CDC_ATT_NEW,   /* column X of the new row */
	CDC_ATT_OLD,   /* before_X: column X of the old row */
	CDC_ATT_OP,	   /* op / operation: 'insert', 'update', .. */
	CDC_ATT_COMMIT /* commit_time: the transaction's commit time */
} CdcAttKind;

#define CDC_OP_INSERT 0x01
#define CDC_OP_UPDATE 0x02
#define CDC_OP_DELETE 0x04
#define CDC_OP_TRUNCATE 0x08

/*
 * The kind of stream attribute name over a table of row type tdesc (a
 * column wins over before_X, op, operation and commit_time), with the
 * column's index in *col (-1: none); -1 if it takes nothing.
 */
extern int siddhi_cdc_attribute_kind(TupleDesc tdesc, const char *name,
									 int *col);
/* 'insert', 'update,delete', 'all', .. as CDC_OP_* (*ok false: bad) */
extern int siddhi_cdc_ops_mask(const char *operation, bool *ok);

#endif /* SIDDHI_CDC_H */
