/* topic_sink.c: writes records to a topic (Kafka, or the test driver's in-memory topics),
 * encoding the KEY columns as the key and the others as the value, with ROWTIME as the
 * timestamp, the headers, and the window of a windowed key. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eddy/plugin.h"
#include "../common/putil.h"
#include "../common/topicfmt.h"

EDDY_PLUGIN_API;

static const eddy_config_prop config[] = {TOPICFMT_CONFIG_ROWS, {NULL, 0, NULL, 0, NULL, NULL}};

typedef struct state {
    eddy_serde *key, *value;
    const char *topic;
    eddy_buf kbuf, vbuf;
} state;

static int plan(eddy_op *op, char *errstr, size_t errstr_size)
{
    eddy_serde *k, *v;
    int rc = topicfmt_serdes(eddy_api, op, eddy_api->input_schema(op, 0), &k, &v, errstr,
                             errstr_size);
    eddy_api->serde_destroy(k);
    eddy_api->serde_destroy(v);
    return rc ? rc : topicfmt_declare(eddy_api, op, true, errstr, errstr_size);
}

static int create(eddy_op *op, void **out, char *errstr, size_t errstr_size)
{
    state *st = calloc(1, sizeof *st);
    if (!st)
        return EDDY_ENOMEM;
    int rc = topicfmt_serdes(eddy_api, op, eddy_api->input_schema(op, 0), &st->key, &st->value,
                             errstr, errstr_size);
    if (rc) {
        free(st);
        return rc;
    }
    st->topic = eddy_api->config_str(op, "topic");
    *out = st;
    return 0;
}

static int process(eddy_op *op, void *vs, int port, eddy_batch *in)
{
    state *st = vs;
    char why[EDDY_ERRSTR_SIZE];
    for (uint32_t i = 0; i < in->n; i++) {
        const eddy_record *r = &in->recs[i];
        st->kbuf.len = st->vbuf.len = 0;
        why[0] = '\0';
        int kr = eddy_api->serde_encode(st->key, r, &st->kbuf, why, sizeof why);
        int vr = kr < 0 ? kr : eddy_api->serde_encode(st->value, r, &st->vbuf, why, sizeof why);
        if (kr < 0 || vr < 0) {
            int rc = kr < 0 ? kr : vr;
            if (rc == EDDY_ENOMEM)
                return rc;
            eddy_api->record_error(op, r, NULL, 0, rc, why[0] ? why : "cannot encode");
            continue;
        }
        /* EDDY_SERDE_NULL: a Kafka null; otherwise bytes (maybe none: an empty string). */
        const uint8_t *key = (const uint8_t *)(st->kbuf.data ? st->kbuf.data : "");
        const uint8_t *value = (const uint8_t *)(st->vbuf.data ? st->vbuf.data : "");
        eddy_topic_record tr = {
            .key = kr == EDDY_SERDE_NULL ? NULL : key,
            .key_len = (uint32_t)st->kbuf.len,
            .value = vr == EDDY_SERDE_NULL ? NULL : value,
            .value_len = (uint32_t)st->vbuf.len,
            .timestamp = r->rowtime,
            .partition = -1,
            .headers = r->headers,
            .nheaders = r->nheaders,
            .windowed = (r->flags & EDDY_REC_WINDOWED) != 0,
            .win_start = r->win_start,
            .win_end = r->win_end,
        };
        int rc = eddy_api->topic_produce(op, st->topic, &tr);
        if (rc)
            return rc;
    }
    return 0;
}

static void destroy(eddy_op *op, void *vs)
{
    state *st = vs;
    if (!st)
        return;
    eddy_api->serde_destroy(st->key);
    eddy_api->serde_destroy(st->value);
    eddy_api->buf_free(&st->kbuf);
    eddy_api->buf_free(&st->vbuf);
    free(st);
}

static const eddy_plugin descriptor = {
    .abi_version = EDDY_PLUGIN_ABI_VERSION,
    .size = sizeof(eddy_plugin),
    .name = "topic_sink",
    .description = "Writes records to a topic: KEY columns as the key, the others as the "
                   "value, in their formats.",
    .version = "1.0.0",
    .kind = EDDY_PLUGIN_SINK,
    .min_inputs = 1,
    .max_inputs = 1,
    .config = config,
    .plan = plan,
    .create = create,
    .process = process,
    .destroy = destroy,
};

EDDY_PLUGIN_DEFINE(descriptor)
