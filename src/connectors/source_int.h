/*-------------------------------------------------------------------------
 *
 * source_int.h
 *	  Inside the source framework: a running source (source.c) and the
 *	  @OnError actions and replays (source_error.c).
 *
 *-------------------------------------------------------------------------
 */
#ifndef SIDDHI_SOURCE_INT_H
#define SIDDHI_SOURCE_INT_H

#include "siddhi/batch.h"
#include "siddhi/source_runtime.h"

typedef struct SourceRt
{
	MemoryContext cxt;	  /* the source's, a child of its app's */
	MemoryContext runcxt; /* its runtime's (ops state): reset on restart */
	char *app;
	Oid owner;
	SiddhiSourcePlan *plan; /* options resolved */
	const SiddhiSourceOps *ops;
	void *state; /* NULL: not running */
	SiddhiMapper *mapper;
	TupleDesc desc;
	Oid relid;
	uint32 desc_sig;
	char *stream_name;
	AttrNumber event_time_att; /* 0: arrival time */
	Oid event_time_type;
	SiddhiOnErrorAction on_error;
	Oid fault_relid; /* STREAM: !S */
	TupleDesc fault_desc;
	uint32 fault_sig;
	List *positions;	   /* committed, SiddhiSourcePosition * in cxt */
	List *batch_positions; /* written by the batch in progress */
	SiddhiSourceRecord *records;
	int max_records;
	int nrecords; /* polled, not fed yet */
	bool fed;	  /* fed in the batch in progress */
	int64 retry_at;
	int backoff_ms;
	int64 status_at;
	SiddhiErrorLog errlog;
	SiddhiSourceStats *stats;
} SourceRt;

/* One batch's failed records of a source. */
typedef struct SiddhiSourceErrors
{
	SourceRt *s;
	StringInfoData faults; /* STREAM: rows of !S */
	int nfaults;
	List *stored; /* STORE: StoredError * */
} SiddhiSourceErrors;

extern void siddhi_source_errors_init(SiddhiSourceErrors *e, SourceRt *s);
extern void siddhi_source_on_error(SiddhiSourceErrors *e,
								   const SiddhiSourceRecord *r,
								   ErrorData *edata);
extern void siddhi_source_errors_finish(SiddhiSourceErrors *e);
/* the stored records it re-fed (each one's row of siddhi.errors done) */
extern int siddhi_source_replay_feed(void);
extern bool siddhi_source_replay_due(void);

extern void siddhi_source_append_row(StringInfo buf, TupleDesc desc,
									 Datum *values, bool *nulls, int64 ts);
extern SourceRt *siddhi_source_find(const char *app, const char *name);
extern int siddhi_source_decode_one(SourceRt *s, const char *data, int len,
									StringInfo rows);
extern bool siddhi_inmemory_pending(void);
extern void siddhi_source_replay_ask(void);

#endif /* SIDDHI_SOURCE_INT_H */
