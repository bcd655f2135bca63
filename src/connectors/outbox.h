/*
 * outbox.h
 *	  The outbox's rows, for sink.c (src/connectors/outbox.c).
 */
#ifndef SIDDHI_OUTBOX_H
#define SIDDHI_OUTBOX_H

#include "siddhi/sink.h"

extern void siddhi_outbox_count(const char *qname, int64 *count,
								int64 *maxseq);
extern void siddhi_outbox_insert(const char *qname, int n, Datum *seqs,
								 Datum *keys, bool *key_nulls, Datum *payloads,
								 Datum *partitions, bool *partition_nulls,
								 Datum *topics, bool *topic_nulls);
extern int siddhi_outbox_read(const char *qname, int64 after, int limit,
							  void (*fn)(void *arg,
										 const SiddhiOutboxRow *row),
							  void *arg);
extern void siddhi_outbox_delete(const char *qname, int64 *seqs, int n);

#endif /* SIDDHI_OUTBOX_H */
