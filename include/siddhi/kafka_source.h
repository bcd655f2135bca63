/*-------------------------------------------------------------------------
 *
 * kafka_source.h
 *	  Settings of the Kafka source (src/connectors/kafka_source.c).
 *
 *-------------------------------------------------------------------------
 */
#ifndef SIDDHI_KAFKA_SOURCE_H
#define SIDDHI_KAFKA_SOURCE_H

/*
 * siddhi.kafka_source_memory (kB): what librdkafka may hold of records
 * fetched ahead, per Kafka source: half of it queued records
 * (queued.max.messages.kbytes), a quarter one fetch response
 * (fetch.max.bytes).
 */
extern int siddhi_kafka_source_memory_kb;

#endif /* SIDDHI_KAFKA_SOURCE_H */
