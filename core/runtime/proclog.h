/* proclog.h: the processing log: one JSON line per record that could not be handled. */
#ifndef EDDY_PROCLOG_H
#define EDDY_PROCLOG_H

#include "eddy/record.h"

typedef struct eddy_proclog eddy_proclog;

struct eddy_kafka_opts;

/* Opens (appends to) `path`; NULL or "-" writes to stderr. "kafka:TOPIC" produces each entry
 * to that Kafka topic (created with one partition when missing) through the run's
 * properties `kafka` (NULL: refused, the run is not on Kafka). Thread-safe writer. */
int eddy_proclog_open(const char *path, const struct eddy_kafka_opts *kafka,
                      eddy_proclog **out, char *errstr, size_t errstr_size);
/* Waits until every entry written so far is durable (a topic's acknowledgements): the
 * runtime calls it before committing the offsets of the records logged. 0 or EDDY_EIO. */
int eddy_proclog_flush(eddy_proclog *l);
/* Writes {"time","pipeline","node","task","code","error","source":{"name","partition",
 * "offset"},"raw"} where raw is the record's bytes in base64 (absent when unknown), and
 * flushes the line. */
void eddy_proclog_write(eddy_proclog *l, const char *pipeline, const char *node, int task,
                        int code, const char *reason, const eddy_origin *origin,
                        const uint8_t *raw, size_t raw_len);
uint64_t eddy_proclog_count(const eddy_proclog *l);
void eddy_proclog_close(eddy_proclog *l); /* accepts NULL */

#endif
