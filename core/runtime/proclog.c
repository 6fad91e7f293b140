/* proclog.c: the processing log writer (JSON lines, one per bad record, thread-safe). */
#include "runtime/proclog.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "io/kafka.h"
#include "runtime/pipeline.h"

struct eddy_proclog {
    FILE *f;
    bool owned;
    rd_kafka_t *kafka; /* "kafka:TOPIC" */
    char *topic;
    pthread_mutex_t lock;
    uint64_t count;
};

static int open_topic(eddy_proclog *l, const char *topic, const eddy_kafka_opts *k,
                      char *errstr, size_t errstr_size)
{
    if (!k)
        return eddy_seterr(errstr, errstr_size, EDDY_EINVAL,
                           "processing log 'kafka:%s': the pipeline does not run on Kafka",
                           topic);
    rd_kafka_conf_t *c;
    int rc = eddy_kafka_conf(k->props, EDDY_KCLIENT_PRODUCER, &c, errstr, errstr_size);
    if (rc)
        return rc;
    char why[512];
    l->kafka = rd_kafka_new(RD_KAFKA_PRODUCER, c, why, sizeof why);
    if (!l->kafka) {
        rd_kafka_conf_destroy(c);
        return eddy_seterr(errstr, errstr_size, EDDY_EIO, "processing log: %s", why);
    }
    int parts;
    if (!(l->topic = strdup(topic)))
        return EDDY_ENOMEM;
    return eddy_kafka_ensure_topic(l->kafka, k->broker, topic, 1, 1, false, &parts, errstr,
                                   errstr_size);
}

int eddy_proclog_open(const char *path, const eddy_kafka_opts *kafka, eddy_proclog **out,
                      char *errstr, size_t errstr_size)
{
    eddy_proclog *l = calloc(1, sizeof *l);
    if (!l)
        return EDDY_ENOMEM;
    if (path && strncmp(path, "kafka:", 6) == 0) {
        int rc = open_topic(l, path + 6, kafka, errstr, errstr_size);
        if (rc) {
            if (l->kafka)
                rd_kafka_destroy(l->kafka);
            free(l->topic);
            free(l);
            return rc;
        }
    } else if (!path || strcmp(path, "-") == 0) {
        l->f = stderr;
    } else {
        l->f = fopen(path, "a");
        if (!l->f) {
            int e = errno;
            free(l);
            return eddy_seterr(errstr, errstr_size, EDDY_EIO,
                               "processing log '%s': cannot open: %s", path, strerror(e));
        }
        l->owned = true;
    }
    pthread_mutex_init(&l->lock, NULL);
    *out = l;
    return 0;
}

static void iso_time(char *buf, size_t size, int64_t ms)
{
    time_t s = (time_t)(ms / 1000);
    struct tm tm;
    gmtime_r(&s, &tm);
    size_t n = strftime(buf, size, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(buf + n, size - n, ".%03dZ", (int)(ms % 1000));
}

void eddy_proclog_write(eddy_proclog *l, const char *pipeline, const char *node, int task,
                        int code, const char *reason, const eddy_origin *origin,
                        const uint8_t *raw, size_t raw_len)
{
    char ts[40];
    iso_time(ts, sizeof ts, eddy_now_ms());
    cJSON *e = cJSON_CreateObject();
    cJSON_AddStringToObject(e, "time", ts);
    cJSON_AddStringToObject(e, "pipeline", pipeline ? pipeline : "");
    cJSON_AddStringToObject(e, "node", node ? node : "");
    cJSON_AddNumberToObject(e, "task", task);
    cJSON_AddStringToObject(e, "code", eddy_err_name(code));
    cJSON_AddStringToObject(e, "error", reason ? reason : eddy_strerror(code));
    if (origin && (origin->source || origin->offset >= 0)) {
        cJSON *src = cJSON_AddObjectToObject(e, "source");
        if (origin->source)
            cJSON_AddStringToObject(src, "name", origin->source);
        if (origin->partition >= 0)
            cJSON_AddNumberToObject(src, "partition", origin->partition);
        if (origin->offset >= 0)
            cJSON_AddNumberToObject(src, "offset", (double)origin->offset);
    }
    if (raw) {
        eddy_buf b = {0};
        eddy_base64_encode(&b, raw, raw_len);
        cJSON_AddStringToObject(e, "raw", eddy_buf_cstr(&b));
        eddy_buf_free(&b);
    }
    char *line = cJSON_PrintUnformatted(e);
    cJSON_Delete(e);
    pthread_mutex_lock(&l->lock);
    if (line && l->kafka) {
        rd_kafka_resp_err_t err;
        while ((err = rd_kafka_producev(l->kafka, RD_KAFKA_V_TOPIC(l->topic),
                                        RD_KAFKA_V_VALUE(line, strlen(line)),
                                        RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                                        RD_KAFKA_V_END)) == RD_KAFKA_RESP_ERR__QUEUE_FULL)
            rd_kafka_poll(l->kafka, 50);
        if (err)
            fprintf(stderr, "eddy: ERROR processing log 'kafka:%s': %s: %s\n", l->topic,
                    rd_kafka_err2str(err), line);
        rd_kafka_poll(l->kafka, 0);
    } else if (line) {
        fputs(line, l->f);
        fputc('\n', l->f);
        fflush(l->f);
    }
    l->count++;
    pthread_mutex_unlock(&l->lock);
    free(line);
}

int eddy_proclog_flush(eddy_proclog *l)
{
    if (!l || !l->kafka)
        return 0;
    return rd_kafka_flush(l->kafka, 60000) ? EDDY_EIO : 0;
}

uint64_t eddy_proclog_count(const eddy_proclog *l)
{
    return l ? __atomic_load_n(&l->count, __ATOMIC_RELAXED) : 0;
}

void eddy_proclog_close(eddy_proclog *l)
{
    if (!l)
        return;
    if (l->kafka) {
        if (rd_kafka_flush(l->kafka, 10000))
            fprintf(stderr, "eddy: ERROR processing log 'kafka:%s': %d entries not delivered\n",
                    l->topic, rd_kafka_outq_len(l->kafka));
        rd_kafka_destroy(l->kafka);
        free(l->topic);
    } else if (l->owned) {
        fclose(l->f);
    } else {
        fflush(l->f);
    }
    pthread_mutex_destroy(&l->lock);
    free(l);
}
