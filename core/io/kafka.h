/* kafka.h: eddy's use of librdkafka, below the runtime: client properties, the embedded
 * broker (librdkafka's mock cluster, a real Kafka-protocol listener on loopback), topic
 * administration, and ksqlDB's windowed-key layout.
 *
 * Properties. One ordered list of "key=value" settings feeds every client eddy makes. Keys
 * eddy reads itself (EDDY_KAFKA_OWN_KEYS: application.id, num.stream.threads,
 * processing.guarantee, commit.interval.ms, replication.factor) never reach librdkafka; a key
 * prefixed "consumer." or "producer." goes to that kind of client only (prefix removed);
 * every other key is passed to librdkafka as it is (bootstrap.servers, security.protocol,
 * sasl.*, compression.type, ...), which rejects unknown ones with its own message. */
#ifndef EDDY_KAFKA_H
#define EDDY_KAFKA_H

#include <librdkafka/rdkafka.h>

#include "eddy/common.h"

typedef struct eddy_kprops {
    char **keys, **values;
    size_t n, cap;
} eddy_kprops;

/* Sets (or replaces) one property; copies both strings. */
int eddy_kprops_set(eddy_kprops *p, const char *key, const char *value);
/* "key=value" (a --set argument). EINVAL with a message when there is no '='. */
int eddy_kprops_set_pair(eddy_kprops *p, const char *pair, char *errstr, size_t errstr_size);
/* Reads a Java-style properties file: key=value (or key: value) lines, '#' and '!' comments,
 * blank lines. Errors name file:line. */
int eddy_kprops_load(eddy_kprops *p, const char *path, char *errstr, size_t errstr_size);
const char *eddy_kprops_get(const eddy_kprops *p, const char *key); /* NULL when unset */
void eddy_kprops_free(eddy_kprops *p);

typedef enum eddy_kclient {
    EDDY_KCLIENT_PRODUCER,
    EDDY_KCLIENT_CONSUMER,
    EDDY_KCLIENT_ADMIN
} eddy_kclient;

/* A librdkafka configuration for one kind of client, from the properties (see above), with
 * eddy's defaults under them. Errors name the property. The caller owns the result (it goes
 * to rd_kafka_new, which takes it). */
int eddy_kafka_conf(const eddy_kprops *p, eddy_kclient kind, rd_kafka_conf_t **out,
                    char *errstr, size_t errstr_size);

/* ------------------------------------------------------ embedded broker */

/* An in-process Kafka-protocol cluster (librdkafka's mock cluster) on 127.0.0.1. Its limits,
 * documented in docs/kafka.md: about 5 MiB kept per partition, no CreateTopics request (topics
 * are created with eddy_broker_create_topic, or auto-created with 4 partitions when a client
 * first names them), transactions accepted but not enforced. */
typedef struct eddy_broker eddy_broker;

/* `eddy broker` (another process) creates topics asked for on this topic ("create
 * PARTITIONS REPLICAS NAME" values), as its mock cluster has no CreateTopics; its presence
 * tells clients they talk to one. */
#define EDDY_BROKER_ADMIN_TOPIC "__eddy_admin"

/* Serves EDDY_BROKER_ADMIN_TOPIC (create it first, 1 partition) for `b` until `*stop`
 * becomes non-zero (`eddy broker`). */
int eddy_broker_serve_admin(eddy_broker *b, volatile int *stop, char *errstr,
                            size_t errstr_size);

int eddy_broker_start(int nbrokers, eddy_broker **out, char *errstr, size_t errstr_size);
const char *eddy_broker_bootstraps(const eddy_broker *b); /* "127.0.0.1:port,..." */
int eddy_broker_create_topic(eddy_broker *b, const char *topic, int partitions,
                             int replicas, char *errstr, size_t errstr_size);
void eddy_broker_stop(eddy_broker *b); /* accepts NULL */

/* ------------------------------------------------------------ admin */

/* The partition count of `topic` (metadata request). EDDY_ENOTFOUND when the cluster does not
 * have it, EDDY_EIO (with librdkafka's reason) when the cluster cannot be reached within
 * `timeout_ms`. A broker that auto-creates topics (the mock does) creates it here. */
int eddy_kafka_partitions(rd_kafka_t *rk, const char *topic, int timeout_ms, int *out,
                          char *errstr, size_t errstr_size);

/* The partition count of `topic` as a listing of every topic shows it (a listing never
 * makes a broker auto-create a topic): 0 when the cluster does not have it, EDDY_EIO when it
 * cannot be reached within `timeout_ms`. */
int eddy_kafka_listed_partitions(rd_kafka_t *rk, const char *topic, int timeout_ms,
                                 char *errstr, size_t errstr_size);

/* Makes sure `topic` exists: through `broker` when it is the in-process one (may be NULL),
 * else with the admin API's CreateTopics (partitions, replicas, cleanup.policy=compact when
 * `compact`); "already exists" is success. *actual gets the topic's partition count. */
int eddy_kafka_ensure_topic(rd_kafka_t *rk, eddy_broker *broker, const char *topic,
                            int partitions, int replicas, bool compact, int *actual,
                            char *errstr, size_t errstr_size);

/* ------------------------------------------------------ windowed keys */

/* 8 bytes big-endian, as Kafka lays out longs (window bounds, eddy's repartition records). */
void eddy_kafka_put_be64(uint8_t *p, int64_t v);
int64_t eddy_kafka_get_be64(const uint8_t *p);

/* ksqlDB's (Kafka Streams') windowed key bytes: a time window's key is the inner key then
 * the window start (8 bytes, big-endian); a session window's is the inner key, the end, then
 * the start. `out` must have room for len + 16. Returns the length written. */
size_t eddy_kafka_window_key(const uint8_t *key, size_t len, bool session, int64_t start,
                             int64_t end, uint8_t *out);
/* The reverse: splits `len` bytes into the inner key length and the window; a time window's
 * end is start + size_ms. EDDY_EPARSE when the bytes are too short. */
int eddy_kafka_window_split(const uint8_t *key, size_t len, bool session, int64_t size_ms,
                            size_t *inner_len, int64_t *start, int64_t *end);

#endif
