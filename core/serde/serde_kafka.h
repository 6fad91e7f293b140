/* serde_kafka.h: ksqlDB's KAFKA format for serde/ (internal): one primitive column written
 * as Kafka's standard serializers write it (big-endian INT/BIGINT/DOUBLE, UTF-8 STRING). */
#ifndef EDDY_SERDE_KAFKA_H
#define EDDY_SERDE_KAFKA_H

#include "serde_util.h"

/* Why the part's columns cannot be carried (ksqlDB's reason text), or 0 when they can. */
int eddy_serde_kafka_check(const eddy_serde *s, char *reason, size_t reason_size);
int eddy_serde_kafka_decode(const eddy_serde *s, const uint8_t *buf, size_t len,
                            eddy_record *rec, eddy_arena *arena, char *errstr,
                            size_t errstr_size);
/* 0, EDDY_SERDE_NULL (a NULL column) or an error. */
int eddy_serde_kafka_encode(const eddy_serde *s, const eddy_record *rec, eddy_buf *out,
                            char *errstr, size_t errstr_size);

#endif
