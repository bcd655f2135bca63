/*-------------------------------------------------------------------------
 *
 * state.h
 *	  The serialized state of an operator (epochs, issue 15): how an
 *	  operator writes what it holds into bytes and reads it back
 *	  (src/common/state_io.c).
 *
 * An operator that can be saved has a serialize function that appends its
 * state to a StringInfo with the siddhi_state_put_* functions below, and a
 * restore function that reads the same sequence back, with the matching
 * siddhi_state_get_*, into an operator just created from the same plan.
 * The format is the operator's own and carries no version: a saved state
 * is restored only into an operator of the same query text and input row
 * types (the query's fingerprint, src/runtime/query_state.c), and built
 * by the same build of the extension (SIDDHI_STATE_FORMAT below).
 *
 * Every get checks that the bytes are there and ends with an ERROR
 * (ERRCODE_DATA_CORRUPTED) when they are not, so a damaged state fails the
 * restore of that query, never the worker.  Integers are written in the
 * machine's byte order: a state moves with its cluster's data directory,
 * never between machines of another kind.
 *
 *-------------------------------------------------------------------------
 */
#ifndef SIDDHI_STATE_H
#define SIDDHI_STATE_H

#include "access/htup_details.h"
#include "access/tupdesc.h"
#include "lib/stringinfo.h"

/*
 * Bumped whenever any operator's serialized form changes: a state saved by
 * another format is not restored (the query starts empty, with a WARNING).
 */
#define SIDDHI_STATE_FORMAT 3

/* siddhi.save_state; siddhi.state_roundtrip (a developer option) */
extern bool siddhi_save_state;
extern int siddhi_max_state_size_kb;	 /* siddhi.max_state_size */
extern int siddhi_state_interval_ms;	 /* siddhi.state_interval */
extern int siddhi_state_interval_events; /* siddhi.state_interval_events */
extern int siddhi_state_budget;			 /* siddhi.state_budget */
extern bool siddhi_state_roundtrip;

typedef struct SiddhiStateReader
{
	const char *data;
	int len;
	int pos;
	const char *what; /* for messages: "query q1", ... */
	TupleDesc desc;	  /* set: the row type of the tuples read now */
} SiddhiStateReader;

extern void siddhi_state_reader_init(SiddhiStateReader *r, const char *data,
									 int len, const char *what);

extern void siddhi_state_put_int64(StringInfo buf, int64 v);
extern void siddhi_state_put_int32(StringInfo buf, int32 v);
extern void siddhi_state_put_bool(StringInfo buf, bool v);
extern void siddhi_state_put_double(StringInfo buf, double v);
/* A length-prefixed run of bytes. */
extern void siddhi_state_put_bytes(StringInfo buf, const void *data, int len);
/* A tuple (flat already: MinimalTuples hold no pointers). */
extern void siddhi_state_put_tuple(StringInfo buf, MinimalTuple tuple);
extern void siddhi_state_put_varint(StringInfo buf, int64 v);
/*
 * The same varint written at p, which has room for SIDDHI_VARINT_MAX
 * bytes; returns its length (for writers that reserve room once for
 * several values).
 */
#define SIDDHI_VARINT_MAX 10
static inline int
siddhi_state_varint_at(char *p, int64 v)
{
	uint64 u = ((uint64) v << 1) ^ (uint64) (v >> 63);
	int n = 0;

	do
	{
		p[n] = (char) (u & 0x7F);
		u >>= 7;
		if (u != 0)
			p[n] |= (char) 0x80;
		n++;
	} while (u != 0);
	return n;
}
/* A value of a type of length typlen, passed by value or not. */
extern void siddhi_state_put_datum(StringInfo buf, Datum value, bool isnull,
								   int16 typlen, bool typbyval);

extern int64 siddhi_state_get_int64(SiddhiStateReader *r);
extern int64 siddhi_state_get_varint(SiddhiStateReader *r);
extern int32 siddhi_state_get_int32(SiddhiStateReader *r);
extern bool siddhi_state_get_bool(SiddhiStateReader *r);
/* One byte (flags written by an operator's own fast writer). */
extern uint8 siddhi_state_get_byte(SiddhiStateReader *r);
extern double siddhi_state_get_double(SiddhiStateReader *r);
/* Points into the reader's data; *len gets the length. */
extern const char *siddhi_state_get_bytes(SiddhiStateReader *r, int *len);
/*
 * A copy, allocated in cxt; when the reader has a desc, checked to hold
 * what it says (siddhi_state_tuple_fits) before anyone deforms it.
 */
extern MinimalTuple siddhi_state_get_tuple(SiddhiStateReader *r,
										   MemoryContext cxt);
/* By reference: a copy, allocated in cxt. */
extern Datum siddhi_state_get_datum(SiddhiStateReader *r, bool *isnull,
									int16 typlen, bool typbyval,
									MemoryContext cxt);
/* An int64 count of items that follow, each at least min_bytes long. */
extern int64 siddhi_state_get_count(SiddhiStateReader *r, int min_bytes);

/*
 * Does a saved tuple hold what desc says, within its length: its header,
 * null bitmap and each value's extent, no pointers out of line?
 */
extern bool siddhi_state_tuple_fits(TupleDesc desc, MinimalTuple t);

/* The reader has read everything: anything left over is corrupt. */
extern void siddhi_state_expect_end(SiddhiStateReader *r);

/* ERROR: the state is damaged (a value out of range, a missing part). */
extern void siddhi_state_corrupt(SiddhiStateReader *r, const char *detail)
	pg_attribute_noreturn();

#endif /* SIDDHI_STATE_H */
