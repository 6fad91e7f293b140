/* memtopic.h: in-memory topics: named, append-only logs of Kafka-shaped records (key and value
 * bytes or null, timestamp, headers, window), the deterministic stand-in for Kafka used by the
 * test driver (`eddy qtt`, `eddy test`). */
#ifndef EDDY_MEMTOPIC_H
#define EDDY_MEMTOPIC_H

#include "eddy/plugin.h"

typedef struct eddy_topics eddy_topics;

eddy_topics *eddy_topics_new(void);
void eddy_topics_destroy(eddy_topics *t); /* accepts NULL */

/* Appends a copy of `r` (bytes and headers copied) to `topic`, creating the topic when new;
 * the copy gets the next offset (from 0). Thread-safe. Returns 0 or EDDY_ENOMEM. */
int eddy_topics_append(eddy_topics *t, const char *topic, const eddy_topic_record *r,
                       int64_t *offset);
/* The record at `offset` of `topic` (valid until the registry is destroyed), or NULL when
 * the topic has no such record (yet). */
const eddy_topic_record *eddy_topics_get(eddy_topics *t, const char *topic, int64_t offset);
/* Number of records in `topic`; -1 when it does not exist. */
int64_t eddy_topics_size(eddy_topics *t, const char *topic);
/* Creates `topic` if it does not exist (so a consumer can tell "empty" from "unknown"). */
int eddy_topics_create(eddy_topics *t, const char *topic);

#endif
