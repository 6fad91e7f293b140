/* kafka.c: properties, client configurations, the embedded mock broker, topic admin and
 * windowed keys over librdkafka. */
#include "io/kafka.h"

#include <ctype.h>
#include <pthread.h>
#include <errno.h>
#include <librdkafka/rdkafka_mock.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ------------------------------------------------------------ properties */

int eddy_kprops_set(eddy_kprops *p, const char *key, const char *value)
{
    for (size_t i = 0; i < p->n; i++)
        if (strcmp(p->keys[i], key) == 0) {
            char *v = strdup(value);
            if (!v)
                return EDDY_ENOMEM;
            free(p->values[i]);
            p->values[i] = v;
            return 0;
        }
    if (p->n == p->cap) {
        size_t cap = p->cap ? p->cap * 2 : 16;
        char **k = realloc(p->keys, cap * sizeof *k);
        if (!k)
            return EDDY_ENOMEM;
        p->keys = k;
        char **v = realloc(p->values, cap * sizeof *v);
        if (!v)
            return EDDY_ENOMEM;
        p->values = v;
        p->cap = cap;
    }
    p->keys[p->n] = strdup(key);
    p->values[p->n] = strdup(value);
    if (!p->keys[p->n] || !p->values[p->n]) {
        free(p->keys[p->n]);
        free(p->values[p->n]);
        return EDDY_ENOMEM;
    }
    p->n++;
    return 0;
}

static char *trim(char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    size_t n = strlen(s);
    while (n > 0 && isspace((unsigned char)s[n - 1]))
        s[--n] = '\0';
    return s;
}

int eddy_kprops_set_pair(eddy_kprops *p, const char *pair, char *errstr, size_t errstr_size)
{
    const char *eq = strchr(pair, '=');
    if (!eq || eq == pair)
        return eddy_seterr(errstr, errstr_size, EDDY_EINVAL,
                           "'%s' is not key=value (e.g. bootstrap.servers=host:9092)", pair);
    char key[256];
    snprintf(key, sizeof key, "%.*s", (int)(eq - pair), pair);
    return eddy_kprops_set(p, trim(key), eq + 1);
}

int eddy_kprops_load(eddy_kprops *p, const char *path, char *errstr, size_t errstr_size)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return eddy_seterr(errstr, errstr_size, EDDY_EIO, "%s: %s", path, strerror(errno));
    char line[4096];
    int lineno = 0, rc = 0;
    while (rc == 0 && fgets(line, sizeof line, f)) {
        lineno++;
        char *s = trim(line);
        if (!*s || *s == '#' || *s == '!')
            continue;
        char *sep = s + strcspn(s, "=:");
        if (!*sep || sep == s) {
            rc = eddy_seterr(errstr, errstr_size, EDDY_EINVAL,
                             "%s:%d: expected key=value, got '%s'", path, lineno, s);
            break;
        }
        *sep = '\0';
        rc = eddy_kprops_set(p, trim(s), trim(sep + 1));
    }
    fclose(f);
    return rc;
}

const char *eddy_kprops_get(const eddy_kprops *p, const char *key)
{
    for (size_t i = 0; p && i < p->n; i++)
        if (strcmp(p->keys[i], key) == 0)
            return p->values[i];
    return NULL;
}

void eddy_kprops_free(eddy_kprops *p)
{
    for (size_t i = 0; i < p->n; i++) {
        free(p->keys[i]);
        free(p->values[i]);
    }
    free(p->keys);
    free(p->values);
    *p = (eddy_kprops){0};
}

/* Keys eddy reads itself; librdkafka never sees them. */
static bool own_key(const char *k)
{
    static const char *const own[] = {"application.id", "num.stream.threads",
                                      "processing.guarantee", "commit.interval.ms",
                                      "replication.factor", "metrics.interval.ms",
                                      "metrics.port", NULL};
    for (const char *const *o = own; *o; o++)
        if (strcmp(*o, k) == 0)
            return true;
    return false;
}

static int conf_set(rd_kafka_conf_t *c, const char *k, const char *v, char *errstr,
                    size_t errstr_size)
{
    char why[512];
    if (rd_kafka_conf_set(c, k, v, why, sizeof why) != RD_KAFKA_CONF_OK)
        return eddy_seterr(errstr, errstr_size, EDDY_EINVAL, "Kafka property '%s': %s", k,
                           why);
    return 0;
}

/* librdkafka's log lines in eddy's form ("eddy: WARN [kafka FAIL] ..."): errors and warnings
 * always, notices as INFO, debugging only with EDDY_DEBUG. A line repeated within 10 s (a
 * broker down) is shown once. */
static void log_line(const rd_kafka_t *rk, int level, const char *fac, const char *buf)
{
    (void)rk;
    if (level >= 7 && !getenv("EDDY_DEBUG"))
        return;
    static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
    static char last[512];
    static int64_t last_at;
    int64_t now = eddy_now_ms();
    pthread_mutex_lock(&lock);
    bool repeat = strncmp(last, buf, sizeof last - 1) == 0 && now - last_at < 10000;
    if (!repeat) {
        snprintf(last, sizeof last, "%s", buf);
        last_at = now;
    }
    pthread_mutex_unlock(&lock);
    if (repeat)
        return;
    const char *lvl = level <= 3 ? "ERROR" : level == 4 ? "WARN" : level <= 6 ? "INFO" : "DEBUG";
    fprintf(stderr, "eddy: %s [kafka %s] %s\n", lvl, fac, buf);
}

int eddy_kafka_conf(const eddy_kprops *p, eddy_kclient kind, rd_kafka_conf_t **out,
                    char *errstr, size_t errstr_size)
{
    rd_kafka_conf_t *c = rd_kafka_conf_new();
    rd_kafka_conf_set_log_cb(c, log_line);
    int rc = 0;
    /* eddy's defaults, under anything the user sets. */
    if (kind == EDDY_KCLIENT_PRODUCER) {
        /* Java's partitioner, so keys land where Kafka Streams and ksqlDB put them. */
        rc = conf_set(c, "partitioner", "murmur2_random", errstr, errstr_size);
        if (rc == 0)
            rc = conf_set(c, "linger.ms", "5", errstr, errstr_size);
        if (rc == 0) /* back-pressure before 1 GiB (librdkafka's default) is queued */
            rc = conf_set(c, "queue.buffering.max.kbytes", "131072", errstr, errstr_size);
    } else if (kind == EDDY_KCLIENT_CONSUMER) {
        /* Prefetch: librdkafka's defaults (100,000 messages per partition) would hold
         * whole topics in memory; a few thousand per partition keep the pipe full. */
        static const char *const d[][2] = {{"enable.auto.commit", "false"},
                                           {"enable.auto.offset.store", "false"},
                                           {"auto.offset.reset", "earliest"},
                                           {"enable.partition.eof", "false"},
                                           {"partition.assignment.strategy", "range"},
                                           {"queued.min.messages", "5000"},
                                           {"queued.max.messages.kbytes", "16384"},
                                           {NULL, NULL}};
        for (int i = 0; rc == 0 && d[i][0]; i++)
            rc = conf_set(c, d[i][0], d[i][1], errstr, errstr_size);
    }
    const char *prefix = kind == EDDY_KCLIENT_PRODUCER ? "producer."
                         : kind == EDDY_KCLIENT_CONSUMER ? "consumer." : "admin.";
    for (size_t i = 0; rc == 0 && p && i < p->n; i++) {
        const char *k = p->keys[i];
        if (own_key(k))
            continue;
        if (strncmp(k, "producer.", 9) == 0 || strncmp(k, "consumer.", 9) == 0 ||
            strncmp(k, "admin.", 6) == 0) {
            size_t pl = strlen(prefix);
            if (strncmp(k, prefix, pl) == 0)
                rc = conf_set(c, k + pl, p->values[i], errstr, errstr_size);
            continue;
        }
        /* Consumer-only or producer-only keys given without a prefix would make librdkafka
         * warn on the other client; they go where they belong. */
        bool consumer_key = strncmp(k, "group.", 6) == 0 || strncmp(k, "auto.offset", 11) == 0 ||
                            strncmp(k, "session.timeout", 15) == 0 ||
                            strncmp(k, "heartbeat.", 10) == 0 ||
                            strncmp(k, "isolation.", 10) == 0 ||
                            strncmp(k, "max.poll", 8) == 0 || strncmp(k, "fetch.", 6) == 0 ||
                            strncmp(k, "partition.assignment", 20) == 0;
        bool producer_key = strncmp(k, "linger.", 7) == 0 || strncmp(k, "acks", 4) == 0 ||
                            strncmp(k, "compression.", 12) == 0 ||
                            strncmp(k, "batch.", 6) == 0 ||
                            strncmp(k, "queue.buffering", 15) == 0 ||
                            strncmp(k, "enable.idempotence", 18) == 0 ||
                            strncmp(k, "partitioner", 11) == 0 ||
                            strncmp(k, "message.timeout", 15) == 0;
        if ((consumer_key && kind != EDDY_KCLIENT_CONSUMER) ||
            (producer_key && kind != EDDY_KCLIENT_PRODUCER))
            continue;
        rc = conf_set(c, k, p->values[i], errstr, errstr_size);
    }
    if (rc) {
        rd_kafka_conf_destroy(c);
        return rc;
    }
    *out = c;
    return 0;
}

/* ------------------------------------------------------ embedded broker */

struct eddy_broker {
    rd_kafka_t *rk; /* the handle whose threads run the mock cluster */
    rd_kafka_mock_cluster_t *mc;
};

int eddy_broker_start(int nbrokers, eddy_broker **out, char *errstr, size_t errstr_size)
{
    *out = NULL;
    eddy_broker *b = calloc(1, sizeof *b);
    if (!b)
        return EDDY_ENOMEM;
    char why[512];
    rd_kafka_conf_t *c = rd_kafka_conf_new();
    /* The owning handle never connects anywhere: no bootstrap.servers, no warning. */
    rd_kafka_conf_set(c, "log_level", "3", NULL, 0);
    b->rk = rd_kafka_new(RD_KAFKA_PRODUCER, c, why, sizeof why);
    if (!b->rk) {
        rd_kafka_conf_destroy(c);
        free(b);
        return eddy_seterr(errstr, errstr_size, EDDY_EIO, "embedded broker: %s", why);
    }
    b->mc = rd_kafka_mock_cluster_new(b->rk, nbrokers > 0 ? nbrokers : 1);
    if (!b->mc) {
        rd_kafka_destroy(b->rk);
        free(b);
        return eddy_seterr(errstr, errstr_size, EDDY_EIO,
                           "embedded broker: cannot start librdkafka's mock cluster");
    }
    *out = b;
    return 0;
}

const char *eddy_broker_bootstraps(const eddy_broker *b)
{
    return rd_kafka_mock_cluster_bootstraps(b->mc);
}

int eddy_broker_create_topic(eddy_broker *b, const char *topic, int partitions, int replicas,
                             char *errstr, size_t errstr_size)
{
    rd_kafka_resp_err_t e = rd_kafka_mock_topic_create(b->mc, topic, partitions > 0 ? partitions : 1,
                                                       replicas > 0 ? replicas : 1);
    if (e)
        return eddy_seterr(errstr, errstr_size, EDDY_EIO,
                           "embedded broker: cannot create topic '%s': %s", topic,
                           rd_kafka_err2str(e));
    return 0;
}

int eddy_broker_serve_admin(eddy_broker *b, volatile int *stop, char *errstr,
                            size_t errstr_size)
{
    char why[512];
    rd_kafka_conf_t *c = rd_kafka_conf_new();
    rd_kafka_conf_set(c, "bootstrap.servers", eddy_broker_bootstraps(b), NULL, 0);
    rd_kafka_conf_set(c, "group.id", "eddy-broker-admin", NULL, 0);
    rd_kafka_conf_set(c, "enable.auto.commit", "false", NULL, 0);
    rd_kafka_conf_set(c, "log_level", "3", NULL, 0);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, c, why, sizeof why);
    if (!rk) {
        rd_kafka_conf_destroy(c);
        return eddy_seterr(errstr, errstr_size, EDDY_EIO, "embedded broker: %s", why);
    }
    rd_kafka_poll_set_consumer(rk);
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(l, EDDY_BROKER_ADMIN_TOPIC, 0)->offset =
        RD_KAFKA_OFFSET_BEGINNING;
    rd_kafka_assign(rk, l);
    rd_kafka_topic_partition_list_destroy(l);
    while (!*stop) {
        rd_kafka_message_t *m = rd_kafka_consumer_poll(rk, 200);
        if (!m)
            continue;
        int parts, reps, off = 0;
        char req[600];
        snprintf(req, sizeof req, "%.*s", (int)m->len, m->payload ? (const char *)m->payload : "");
        if (!m->err && sscanf(req, "create %d %d %n", &parts, &reps, &off) == 2 && off > 0 &&
            parts > 0 && reps > 0) {
            /* an existing topic stays as it is */
            rd_kafka_resp_err_t e = rd_kafka_mock_topic_create(b->mc, req + off, parts, reps);
            fprintf(stderr, "eddy broker: topic '%s' (%d partitions): %s\n", req + off, parts,
                    e ? rd_kafka_err2str(e) : "created");
        }
        rd_kafka_message_destroy(m);
    }
    rd_kafka_consumer_close(rk);
    rd_kafka_destroy(rk);
    return 0;
}

void eddy_broker_stop(eddy_broker *b)
{
    if (!b)
        return;
    rd_kafka_mock_cluster_destroy(b->mc);
    rd_kafka_destroy(b->rk);
    free(b);
}

/* ------------------------------------------------------------ admin */

int eddy_kafka_partitions(rd_kafka_t *rk, const char *topic, int timeout_ms, int *out,
                          char *errstr, size_t errstr_size)
{
    rd_kafka_topic_t *t = rd_kafka_topic_new(rk, topic, NULL);
    if (!t)
        return eddy_seterr(errstr, errstr_size, EDDY_EINVAL, "topic '%s': %s", topic,
                           rd_kafka_err2str(rd_kafka_last_error()));
    const struct rd_kafka_metadata *md = NULL;
    rd_kafka_resp_err_t e = rd_kafka_metadata(rk, 0, t, &md, timeout_ms);
    int rc = 0;
    if (e) {
        rc = eddy_seterr(errstr, errstr_size, EDDY_EIO,
                         "cannot read the metadata of topic '%s' (is the broker up? "
                         "bootstrap.servers): %s", topic, rd_kafka_err2str(e));
    } else if (md->topic_cnt < 1 || md->topics[0].err ||
               md->topics[0].partition_cnt < 1) {
        rd_kafka_resp_err_t te = md->topic_cnt ? md->topics[0].err : RD_KAFKA_RESP_ERR_UNKNOWN;
        rc = eddy_seterr(errstr, errstr_size, EDDY_ENOTFOUND, "topic '%s' does not exist: %s",
                         topic, rd_kafka_err2str(te));
    } else {
        *out = md->topics[0].partition_cnt;
    }
    if (md)
        rd_kafka_metadata_destroy(md);
    rd_kafka_topic_destroy(t);
    return rc;
}

/* CreateTopics through the admin API. 1 when the request could not be answered (a broker
 * without the API, as the mock cluster of another process): the caller falls back to
 * metadata. */
static int create_topics(rd_kafka_t *rk, const char *topic, int partitions, int replicas,
                         bool compact, char *errstr, size_t errstr_size)
{
    char why[512];
    rd_kafka_NewTopic_t *nt = rd_kafka_NewTopic_new(topic, partitions, replicas, why, sizeof why);
    if (!nt)
        return eddy_seterr(errstr, errstr_size, EDDY_EINVAL, "topic '%s': %s", topic, why);
    if (compact)
        rd_kafka_NewTopic_set_config(nt, "cleanup.policy", "compact");
    rd_kafka_AdminOptions_t *o = rd_kafka_AdminOptions_new(rk, RD_KAFKA_ADMIN_OP_CREATETOPICS);
    rd_kafka_AdminOptions_set_request_timeout(o, 1500, NULL, 0);
    rd_kafka_queue_t *q = rd_kafka_queue_new(rk);
    rd_kafka_CreateTopics(rk, &nt, 1, o, q);
    rd_kafka_event_t *ev = rd_kafka_queue_poll(q, 2500);
    int rc = 1;
    if (ev && rd_kafka_event_error(ev) == 0) {
        size_t n = 0;
        const rd_kafka_topic_result_t **tr =
            rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(ev), &n);
        rd_kafka_resp_err_t e = n ? rd_kafka_topic_result_error(tr[0]) : 0;
        if (e == 0 || e == RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS)
            rc = 0;
        else
            rc = eddy_seterr(errstr, errstr_size, EDDY_EIO, "cannot create topic '%s': %s",
                             topic, rd_kafka_topic_result_error_string(tr[0]));
    }
    if (ev)
        rd_kafka_event_destroy(ev);
    rd_kafka_queue_destroy(q);
    rd_kafka_AdminOptions_destroy(o);
    rd_kafka_NewTopic_destroy(nt);
    return rc;
}

/* The partition count of `topic` from a listing of every topic (which, unlike a request
 * naming the topic, never makes a broker auto-create it): 0 when absent, <0 on error. */
int eddy_kafka_listed_partitions(rd_kafka_t *rk, const char *topic, int timeout_ms,
                                 char *errstr, size_t errstr_size)
{
    const struct rd_kafka_metadata *md = NULL;
    rd_kafka_resp_err_t e = rd_kafka_metadata(rk, 1, NULL, &md, timeout_ms);
    if (e)
        return eddy_seterr(errstr, errstr_size, EDDY_EIO,
                           "cannot list the cluster's topics (is the broker up? "
                           "bootstrap.servers): %s", rd_kafka_err2str(e));
    int n = 0;
    for (int i = 0; i < md->topic_cnt; i++)
        if (strcmp(md->topics[i].topic, topic) == 0 && !md->topics[i].err)
            n = md->topics[i].partition_cnt;
    rd_kafka_metadata_destroy(md);
    return n;
}

/* Asks an `eddy broker` process to create the topic (its control topic, since the mock
 * cluster has no CreateTopics), then waits for it to be listed. */
static int create_through_eddy_broker(rd_kafka_t *rk, const char *topic, int partitions,
                                      int replicas, int *actual, char *errstr,
                                      size_t errstr_size)
{
    char req[600];
    int n = snprintf(req, sizeof req, "create %d %d %s", partitions, replicas, topic);
    rd_kafka_resp_err_t e = rd_kafka_producev(
        rk, RD_KAFKA_V_TOPIC(EDDY_BROKER_ADMIN_TOPIC), RD_KAFKA_V_PARTITION(0),
        RD_KAFKA_V_VALUE(req, (size_t)n), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
        RD_KAFKA_V_END);
    if (!e)
        e = rd_kafka_flush(rk, 10000);
    if (e)
        return eddy_seterr(errstr, errstr_size, EDDY_EIO,
                           "cannot ask the embedded broker for topic '%s': %s", topic,
                           rd_kafka_err2str(e));
    for (int i = 0; i < 100; i++) {
        int got = eddy_kafka_listed_partitions(rk, topic, 5000, errstr, errstr_size);
        if (got != 0) {
            if (got > 0)
                *actual = got;
            return got > 0 ? 0 : got;
        }
        struct timespec ts = {0, 100000000};
        nanosleep(&ts, NULL);
    }
    return eddy_seterr(errstr, errstr_size, EDDY_EIO,
                       "the embedded broker did not create topic '%s' within 10 s", topic);
}

int eddy_kafka_ensure_topic(rd_kafka_t *rk, eddy_broker *broker, const char *topic,
                            int partitions, int replicas, bool compact, int *actual,
                            char *errstr, size_t errstr_size)
{
    if (partitions < 1)
        partitions = 1;
    if (replicas < 1)
        replicas = 1;
    int rc;
    int got = eddy_kafka_listed_partitions(rk, topic, 10000, errstr, errstr_size);
    if (got < 0)
        return got;
    if (got > 0) {
        *actual = got;
        return 0;
    }
    if (broker) {
        /* The in-process cluster (a request naming the topic would auto-create it with the
         * mock's default count). */
        rc = eddy_broker_create_topic(broker, topic, partitions, replicas, errstr, errstr_size);
        if (rc)
            return rc;
        return eddy_kafka_partitions(rk, topic, 10000, actual, errstr, errstr_size);
    }
    if (eddy_kafka_listed_partitions(rk, EDDY_BROKER_ADMIN_TOPIC, 10000, errstr, errstr_size) > 0)
        return create_through_eddy_broker(rk, topic, partitions, replicas, actual, errstr,
                                          errstr_size);
    rc = create_topics(rk, topic, partitions, replicas, compact, errstr, errstr_size);
    if (rc < 0)
        return rc;
    return eddy_kafka_partitions(rk, topic, 10000, actual, errstr, errstr_size);
}

/* ------------------------------------------------------ windowed keys */

void eddy_kafka_put_be64(uint8_t *p, int64_t v)
{
    for (int i = 7; i >= 0; i--) {
        p[i] = (uint8_t)((uint64_t)v & 0xff);
        v = (int64_t)((uint64_t)v >> 8);
    }
}

int64_t eddy_kafka_get_be64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = (v << 8) | p[i];
    return (int64_t)v;
}

size_t eddy_kafka_window_key(const uint8_t *key, size_t len, bool session, int64_t start,
                             int64_t end, uint8_t *out)
{
    if (len)
        memcpy(out, key, len);
    if (session) {
        eddy_kafka_put_be64(out + len, end);
        eddy_kafka_put_be64(out + len + 8, start);
        return len + 16;
    }
    eddy_kafka_put_be64(out + len, start);
    return len + 8;
}

int eddy_kafka_window_split(const uint8_t *key, size_t len, bool session, int64_t size_ms,
                            size_t *inner_len, int64_t *start, int64_t *end)
{
    size_t tail = session ? 16 : 8;
    if (!key || len < tail)
        return EDDY_EPARSE;
    *inner_len = len - tail;
    if (session) {
        *end = eddy_kafka_get_be64(key + len - 16);
        *start = eddy_kafka_get_be64(key + len - 8);
    } else {
        *start = eddy_kafka_get_be64(key + len - 8);
        *end = *start + size_ms;
    }
    return 0;
}
