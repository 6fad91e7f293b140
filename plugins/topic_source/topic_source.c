/* topic_source.c: reads this task's partition of a topic (Kafka, or the test driver's
 * in-memory topics), decoding each record's key and value into columns; ROWTIME is the
 * record's timestamp or a column. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eddy/plugin.h"
#include "../common/putil.h"
#include "../common/topicfmt.h"

EDDY_PLUGIN_API;

static const eddy_config_prop config[] = {
    TOPICFMT_CONFIG_ROWS,
    {"columns", EDDY_CONF_COLUMNS, NULL, EDDY_CONF_REQUIRED, NULL,
     "The columns: KEY columns come from the record key, the others from the value."},
    {"timestamp", EDDY_CONF_STRING, NULL, 0, NULL,
     "A BIGINT or TIMESTAMP column to use as ROWTIME (default: the record's timestamp), or a "
     "STRING column with timestamp_format."},
    {"timestamp_format", EDDY_CONF_STRING, NULL, 0, NULL,
     "Pattern of a STRING timestamp column, as PARSE_TIMESTAMP takes it "
     "(yyyy-MM-dd'T'HH:mm:ss.SSS)."},
    {"table", EDDY_CONF_BOOL, "false", 0, NULL,
     "A table's changelog (a null value deletes its key); for a stream a null value is a "
     "null row. Either way it is passed on flagged EDDY_REC_TOMBSTONE."},
    {NULL, 0, NULL, 0, NULL, NULL}};

typedef struct state {
    eddy_schema *schema;
    eddy_serde *key, *value;
    const char *topic;
    int ts_col;
    eddy_expr *ts_expr;  /* STRING timestamps: PARSE_TIMESTAMP(col, format) */
    bool table;
    eddy_topic_record *fetched; /* room for one fetch */
    int fetched_cap;
} state;

static int parse(eddy_op *op, eddy_schema **schema, int *ts_col, char *errstr, size_t n)
{
    char why[EDDY_ERRSTR_SIZE] = "";
    int rc = eddy_api->columns_parse(op, eddy_api->config_str(op, "columns"), schema, why,
                                     sizeof why);
    if (rc)
        return pu_err(errstr, n, rc, "config 'columns': %s", why);
    *ts_col = -1;
    if (eddy_api->config_has(op, "timestamp")) {
        const char *name = eddy_api->config_str(op, "timestamp");
        *ts_col = pu_find_column(eddy_api, *schema, name);
        if (*ts_col < 0) {
            eddy_api->schema_release(*schema);
            return pu_err(errstr, n, EDDY_ENOTFOUND, "config 'timestamp': no column '%s'",
                          name);
        }
        eddy_type_id t = (*schema)->cols[*ts_col].type->id;
        bool fmt = eddy_api->config_has(op, "timestamp_format");
        if (t != EDDY_TYPE_BIGINT && t != EDDY_TYPE_TIMESTAMP &&
            !(t == EDDY_TYPE_STRING && fmt)) {
            eddy_api->schema_release(*schema);
            return pu_err(errstr, n, EDDY_ETYPE,
                          "config 'timestamp': column '%s' must be BIGINT or TIMESTAMP, or "
                          "STRING with timestamp_format", name);
        }
    }
    return 0;
}

/* For a STRING timestamp column: PARSE_TIMESTAMP(`col`, 'format') over the schema. */
static int ts_expression(eddy_op *op, const eddy_schema *s, int col, eddy_expr **out,
                         char *errstr, size_t n)
{
    *out = NULL;
    if (col < 0 || s->cols[col].type->id != EDDY_TYPE_STRING)
        return 0;
    eddy_buf text = {0};
    const char *f = eddy_api->config_str(op, "timestamp_format");
    char head[600];
    snprintf(head, sizeof head, "PARSE_TIMESTAMP(`%s`, '", s->cols[col].name);
    eddy_api->buf_append(&text, head, strlen(head));
    for (const char *p = f; *p; p++) {
        if (*p == '\'')
            eddy_api->buf_append(&text, "'", 1); /* a quote doubles inside a SQL string */
        eddy_api->buf_append(&text, p, 1);
    }
    eddy_api->buf_append(&text, "')", 3); /* with the NUL */
    char why[EDDY_ERRSTR_SIZE] = "";
    int rc = eddy_api->expr_compile(op, text.data, s, out, why, sizeof why);
    eddy_api->buf_free(&text);
    if (rc)
        return pu_err(errstr, n, rc, "config 'timestamp_format': %s", why);
    return 0;
}

static int plan(eddy_op *op, char *errstr, size_t errstr_size)
{
    eddy_schema *s;
    int ts;
    int rc = parse(op, &s, &ts, errstr, errstr_size);
    if (rc)
        return rc;
    eddy_expr *te;
    if ((rc = ts_expression(op, s, ts, &te, errstr, errstr_size))) {
        eddy_api->schema_release(s);
        return rc;
    }
    eddy_api->expr_destroy(te);
    eddy_serde *k, *v;
    rc = topicfmt_serdes(eddy_api, op, s, &k, &v, errstr, errstr_size);
    if (rc == 0) {
        eddy_api->serde_destroy(k);
        eddy_api->serde_destroy(v);
        rc = topicfmt_declare(eddy_api, op, false, errstr, errstr_size);
    }
    if (rc == 0)
        rc = eddy_api->output_add(op, NULL, s, errstr, errstr_size);
    eddy_api->schema_release(s);
    return rc;
}

static int create(eddy_op *op, void **out, char *errstr, size_t errstr_size)
{
    state *st = calloc(1, sizeof *st);
    if (!st)
        return EDDY_ENOMEM;
    int rc = parse(op, &st->schema, &st->ts_col, errstr, errstr_size);
    if (rc == 0)
        rc = ts_expression(op, st->schema, st->ts_col, &st->ts_expr, errstr, errstr_size);
    if (rc == 0)
        rc = topicfmt_serdes(eddy_api, op, st->schema, &st->key, &st->value, errstr,
                             errstr_size);
    if (rc) {
        eddy_api->expr_destroy(st->ts_expr);
        eddy_api->schema_release(st->schema);
        free(st);
        return rc;
    }
    st->topic = eddy_api->config_str(op, "topic");
    st->table = eddy_api->config_bool(op, "table");
    if (eddy_api->topic_fetch(op, st->topic, NULL, 0) == EDDY_ENOTFOUND) {
        eddy_api->serde_destroy(st->key);
        eddy_api->serde_destroy(st->value);
        eddy_api->expr_destroy(st->ts_expr);
        eddy_api->schema_release(st->schema);
        free(st);
        return pu_err(errstr, errstr_size, EDDY_ENOTFOUND,
                      "this run has no topics: topic_source reads Kafka (eddy run) or the "
                      "in-memory topics of the SQL test driver (eddy qtt, eddy test)");
    }
    *out = st;
    return 0;
}

/* Decodes one topic record into a new record of `b`; 1 when appended, 0 when dropped (sent
 * to the processing log, or a stream's null value), negative on ENOMEM. */
/* A copy of `n` bytes in the batch's arena (the fetched bytes live only until the next
 * fetch, the batch maybe longer). */
static const uint8_t *keep(eddy_batch *b, const uint8_t *p, size_t n)
{
    if (!p)
        return NULL;
    uint8_t *c = eddy_api->batch_alloc(b, n ? n : 1);
    if (c && n)
        memcpy(c, p, n);
    return c;
}

static int decode(eddy_op *op, state *st, eddy_batch *b, const eddy_topic_record *in)
{
    eddy_topic_record copy = *in, *tr = &copy;
    if ((in->key && !(copy.key = keep(b, in->key, in->key_len))) ||
        (in->value && !(copy.value = keep(b, in->value, in->value_len))))
        return EDDY_ENOMEM;
    if (in->nheaders) {
        eddy_header *h = eddy_api->batch_alloc(b, in->nheaders * sizeof *h);
        if (!h)
            return EDDY_ENOMEM;
        for (uint32_t i = 0; i < in->nheaders; i++) {
            h[i] = in->headers[i];
            h[i].key = (const char *)keep(b, (const uint8_t *)in->headers[i].key,
                                          in->headers[i].key_len);
            h[i].value = keep(b, in->headers[i].value, in->headers[i].value_len);
            if (!h[i].key || (in->headers[i].value && !h[i].value))
                return EDDY_ENOMEM;
        }
        copy.headers = h;
    }
    eddy_record *r = eddy_api->batch_append(b);
    if (!r)
        return EDDY_ENOMEM;
    r->rowtime = tr->timestamp;
    r->origin.source = st->topic;
    r->origin.partition = tr->partition;
    r->origin.offset = tr->offset;
    r->raw_key = tr->key;
    r->raw_key_len = tr->key_len;
    r->raw_value = tr->value;
    r->raw_value_len = tr->value_len;
    r->headers = (eddy_header *)tr->headers;
    r->nheaders = tr->nheaders;
    if (tr->windowed) {
        r->flags |= EDDY_REC_WINDOWED;
        r->win_start = tr->win_start;
        r->win_end = tr->win_end;
    }
    char why[EDDY_ERRSTR_SIZE] = "";
    int rc = eddy_api->serde_decode(st->key, tr->key, tr->key_len, r, b->arena, why, sizeof why);
    const uint8_t *raw = tr->key;
    size_t raw_len = tr->key_len;
    if (rc == 0) {
        rc = eddy_api->serde_decode(st->value, tr->value, tr->value_len, r, b->arena, why,
                                    sizeof why);
        raw = tr->value;
        raw_len = tr->value_len;
    }
    if (rc < 0) {
        if (rc == EDDY_ENOMEM)
            return rc;
        eddy_api->record_error(op, r, raw, raw_len, rc, why);
        eddy_api->batch_pop(b);
        return 0;
    }
    /* A null value: a table's delete, or a stream's null row, which ksqlDB passes on (its
     * key columns are still known; its value stays null). */
    if (!tr->value)
        r->flags |= EDDY_REC_TOMBSTONE;
    if (st->ts_expr && !(r->flags & EDDY_REC_TOMBSTONE)) {
        eddy_value v;
        why[0] = '\0';
        rc = eddy_api->expr_eval(op, st->ts_expr, r, b->arena, &v, why, sizeof why);
        if (rc || v.is_null || v.u.ts < 0) {
            eddy_api->record_error(op, r, raw, raw_len, rc ? rc : EDDY_ERANGE,
                                   rc ? why : "the timestamp column is NULL or negative");
            eddy_api->batch_pop(b);
            return 0;
        }
        r->rowtime = v.u.ts;
    } else if (st->ts_col >= 0 && !(r->flags & EDDY_REC_TOMBSTONE)) {
        const eddy_value *v = &r->cols[st->ts_col];
        if (v->is_null || (v->type == EDDY_TYPE_BIGINT ? v->u.i64 : v->u.ts) < 0) {
            eddy_api->record_error(op, r, raw, raw_len, EDDY_ERANGE,
                                   "the timestamp column is NULL or negative");
            eddy_api->batch_pop(b);
            return 0;
        }
        r->rowtime = v->type == EDDY_TYPE_BIGINT ? v->u.i64 : v->u.ts;
    }
    return 1;
}

static int poll_(eddy_op *op, void *vs, int max_records)
{
    state *st = vs;
    if (eddy_api->stopping(op))
        return EDDY_EOF;
    if (st->fetched_cap < max_records) {
        eddy_topic_record *f = realloc(st->fetched, (size_t)max_records * sizeof *f);
        if (!f)
            return EDDY_ENOMEM;
        st->fetched = f;
        st->fetched_cap = max_records;
    }
    int n = eddy_api->topic_fetch(op, st->topic, st->fetched, max_records);
    if (n <= 0)
        return n;
    eddy_batch *b = eddy_api->batch_new(op, st->schema, (uint32_t)n);
    if (!b)
        return EDDY_ENOMEM;
    int rc = 0;
    for (int i = 0; i < n && rc >= 0; i++)
        rc = decode(op, st, b, &st->fetched[i]);
    if (rc >= 0)
        rc = eddy_api->emit(op, 0, b);
    eddy_api->batch_release(b);
    return rc < 0 ? rc : n;
}

static void destroy(eddy_op *op, void *vs)
{
    state *st = vs;
    if (!st)
        return;
    eddy_api->serde_destroy(st->key);
    eddy_api->serde_destroy(st->value);
    eddy_api->expr_destroy(st->ts_expr);
    eddy_api->schema_release(st->schema);
    free(st->fetched);
    free(st);
}

static const eddy_plugin descriptor = {
    .abi_version = EDDY_PLUGIN_ABI_VERSION,
    .size = sizeof(eddy_plugin),
    .name = "topic_source",
    .description = "Reads a topic, decoding keys and values in their formats (KAFKA, JSON, "
                   "DELIMITED, NONE).",
    .version = "1.0.0",
    .kind = EDDY_PLUGIN_SOURCE,
    .config = config,
    .plan = plan,
    .create = create,
    .poll = poll_,
    .destroy = destroy,
};

EDDY_PLUGIN_DEFINE(descriptor)
