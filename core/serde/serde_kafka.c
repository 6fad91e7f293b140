/* serde_kafka.c: ksqlDB's KAFKA format: INT, BIGINT, DOUBLE, STRING (and BYTES) as Kafka's
 * Integer/Long/Double/String/ByteBuffer serializers write them. No coercion of any kind. */
#include "serde_kafka.h"

#include <stdio.h>
#include <string.h>

static bool supported(eddy_type_id id)
{
    return id == EDDY_TYPE_INT || id == EDDY_TYPE_BIGINT || id == EDDY_TYPE_DOUBLE ||
           id == EDDY_TYPE_STRING || id == EDDY_TYPE_BYTES;
}

int eddy_serde_kafka_check(const eddy_serde *s, char *reason, size_t reason_size)
{
    if (s->ncols > 1) {
        eddy_buf b = {0};
        int rc = eddy_serde_format_columns(&b, s->schema, s->cols, s->ncols);
        snprintf(reason, reason_size, "The 'KAFKA' format only supports a single field. Got: %s",
                 rc ? "[...]" : eddy_buf_cstr(&b));
        eddy_buf_free(&b);
        return EDDY_EINVAL;
    }
    for (uint32_t i = 0; i < s->ncols; i++) {
        const eddy_type *t = s->schema->cols[s->cols[i]].type;
        if (!supported(t->id)) {
            snprintf(reason, reason_size, "The 'KAFKA' format does not support type '%s'",
                     eddy_type_id_name(t->id));
            return EDDY_EINVAL;
        }
    }
    return 0;
}

static uint64_t get_be(const uint8_t *p, int n)
{
    uint64_t v = 0;
    for (int i = 0; i < n; i++)
        v = v << 8 | p[i];
    return v;
}

static void put_be(uint8_t *p, uint64_t v, int n)
{
    for (int i = n - 1; i >= 0; i--) {
        p[i] = (uint8_t)v;
        v >>= 8;
    }
}

int eddy_serde_kafka_decode(const eddy_serde *s, const uint8_t *buf, size_t len,
                            eddy_record *rec, eddy_arena *arena, char *errstr,
                            size_t errstr_size)
{
    uint32_t ci = s->cols[0];
    const eddy_column *col = &s->schema->cols[ci];
    eddy_value *v = &rec->cols[ci];
    const char *deser = NULL;
    size_t need = 0;
    switch (col->type->id) {
    case EDDY_TYPE_INT:
        deser = "IntegerDeserializer";
        need = 4;
        break;
    case EDDY_TYPE_BIGINT:
        deser = "LongDeserializer";
        need = 8;
        break;
    case EDDY_TYPE_DOUBLE:
        deser = "Deserializer"; /* Kafka's DoubleDeserializer says so */
        need = 8;
        break;
    case EDDY_TYPE_STRING: {
        const char *str;
        size_t n;
        if (eddy_serde_utf8_sanitize(arena, (const char *)buf, len, &str, &n))
            return eddy_seterr(errstr, errstr_size, EDDY_ENOMEM,
                               "Failed to deserialize %s: out of memory", s->what);
        sv_str(v, EDDY_TYPE_STRING, str, n);
        return 0;
    }
    case EDDY_TYPE_BYTES:
        sv_str(v, EDDY_TYPE_BYTES, buf, len);
        return 0;
    default:
        return eddy_seterr(errstr, errstr_size, EDDY_EINTERNAL,
                           "Failed to deserialize %s: column '%s': type not supported by KAFKA",
                           s->what, col->name);
    }
    if (len != need)
        return eddy_seterr(errstr, errstr_size, EDDY_EPARSE,
                           "Failed to deserialize %s: column '%s': Size of data received by %s "
                           "is not %zu (got %zu bytes)",
                           s->what, col->name, deser, need, len);
    uint64_t u = get_be(buf, (int)need);
    switch (col->type->id) {
    case EDDY_TYPE_INT:
        sv_i32(v, EDDY_TYPE_INT, (int32_t)(uint32_t)u);
        break;
    case EDDY_TYPE_BIGINT:
        sv_i64(v, EDDY_TYPE_BIGINT, (int64_t)u);
        break;
    default: {
        double d;
        memcpy(&d, &u, sizeof d);
        sv_f64(v, d);
        break;
    }
    }
    return 0;
}

int eddy_serde_kafka_encode(const eddy_serde *s, const eddy_record *rec, eddy_buf *out,
                            char *errstr, size_t errstr_size)
{
    uint32_t ci = s->cols[0];
    const eddy_column *col = &s->schema->cols[ci];
    const eddy_value *v = &rec->cols[ci];
    if (v->is_null || v->type == 0)
        return EDDY_SERDE_NULL;
    uint8_t tmp[8];
    int n = 0;
    uint64_t u = 0;
    switch (v->type) {
    case EDDY_TYPE_INT:
        if (col->type->id == EDDY_TYPE_BIGINT) { /* widened, as the column says */
            u = (uint64_t)(int64_t)v->u.i32;
            n = 8;
        } else {
            u = (uint32_t)v->u.i32;
            n = 4;
        }
        break;
    case EDDY_TYPE_BIGINT:
        u = (uint64_t)v->u.i64;
        n = 8;
        break;
    case EDDY_TYPE_DOUBLE:
        memcpy(&u, &v->u.f64, sizeof u);
        n = 8;
        break;
    case EDDY_TYPE_STRING:
    case EDDY_TYPE_BYTES: {
        int rc = eddy_buf_append(out, v->u.str, v->len);
        if (rc)
            eddy_seterr(errstr, errstr_size, rc, "Failed to serialize %s: out of memory",
                        s->what);
        return rc;
    }
    default:
        return eddy_seterr(errstr, errstr_size, EDDY_EINTERNAL,
                           "Failed to serialize %s: column '%s': a %s value cannot be written "
                           "in the KAFKA format",
                           s->what, col->name, eddy_type_id_name((eddy_type_id)v->type));
    }
    put_be(tmp, u, n);
    int rc = eddy_buf_append(out, tmp, (size_t)n);
    if (rc)
        eddy_seterr(errstr, errstr_size, rc, "Failed to serialize %s: out of memory", s->what);
    return rc;
}
