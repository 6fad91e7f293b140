/* fuzz_json_serde.c: libFuzzer target for serde/. Arbitrary bytes are decoded as a JSON record
 * of every type (and as a bare value, a DELIMITED line and a KAFKA value); whatever decodes
 * must encode, decode again without error and compare equal. Any crash, sanitizer report or
 * failed round trip aborts. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eddy/record.h"
#include "serde/serde.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NCOLS 16

static eddy_schema *json_schema, *csv_schema, *str_schema;
static eddy_serde *json_s, *json_unwrapped, *csv_s, *csv_pipe, *kafka_s;
static eddy_arena *arena;

static const eddy_type *t_struct(void)
{
    eddy_field f[3] = {{"F", eddy_type_string()},
                       {"G", eddy_type_array(eddy_type_decimal(5, 2))},
                       {"h", eddy_type_boolean()}};
    return eddy_type_struct(3, f);
}

static eddy_serde *serde(const char *fmt, const eddy_schema *sc, eddy_serde_part part, int wrap,
                         const char *delim)
{
    char err[EDDY_ERRSTR_SIZE];
    eddy_serde_opts o = {.format = fmt, .wrap_single = wrap};
    if (delim && eddy_serde_opts_set(&o, "delimiter", delim, err, sizeof err))
        abort();
    eddy_serde *s;
    if (eddy_serde_new(&o, sc, part, &s, err, sizeof err)) {
        fprintf(stderr, "%s\n", err);
        abort();
    }
    return s;
}

static void init(void)
{
    eddy_field q = {"Q", eddy_type_bigint()};
    eddy_schema_builder *b = eddy_schema_builder_new();
    eddy_schema_builder_add(b, "B", eddy_type_boolean(), EDDY_COL_VALUE);
    eddy_schema_builder_add(b, "I", eddy_type_int(), EDDY_COL_VALUE);
    eddy_schema_builder_add(b, "L", eddy_type_bigint(), EDDY_COL_VALUE);
    eddy_schema_builder_add(b, "X", eddy_type_double(), EDDY_COL_VALUE);
    eddy_schema_builder_add(b, "D", eddy_type_decimal(10, 3), EDDY_COL_VALUE);
    eddy_schema_builder_add(b, "S", eddy_type_string(), EDDY_COL_VALUE);
    eddy_schema_builder_add(b, "Y", eddy_type_bytes(), EDDY_COL_VALUE);
    eddy_schema_builder_add(b, "DT", eddy_type_date(), EDDY_COL_VALUE);
    eddy_schema_builder_add(b, "TM", eddy_type_time(), EDDY_COL_VALUE);
    eddy_schema_builder_add(b, "TS", eddy_type_timestamp(), EDDY_COL_VALUE);
    eddy_schema_builder_add(b, "A", eddy_type_array(eddy_type_int()), EDDY_COL_VALUE);
    eddy_schema_builder_add(b, "M", eddy_type_map(eddy_type_string(), eddy_type_double()),
                            EDDY_COL_VALUE);
    eddy_schema_builder_add(b, "ST", t_struct(), EDDY_COL_VALUE);
    eddy_schema_builder_add(b, "AA", eddy_type_array(eddy_type_array(eddy_type_string())),
                            EDDY_COL_VALUE);
    eddy_schema_builder_add(b, "MS", eddy_type_map(eddy_type_string(), eddy_type_struct(1, &q)),
                            EDDY_COL_VALUE);
    eddy_schema_builder_add(b, "s", eddy_type_string(), EDDY_COL_VALUE); /* twin of S */
    json_schema = eddy_schema_build(b);

    b = eddy_schema_builder_new();
    eddy_schema_builder_add(b, "B", eddy_type_boolean(), EDDY_COL_VALUE);
    eddy_schema_builder_add(b, "I", eddy_type_int(), EDDY_COL_VALUE);
    eddy_schema_builder_add(b, "X", eddy_type_double(), EDDY_COL_VALUE);
    eddy_schema_builder_add(b, "D", eddy_type_decimal(10, 3), EDDY_COL_VALUE);
    eddy_schema_builder_add(b, "S", eddy_type_string(), EDDY_COL_VALUE);
    eddy_schema_builder_add(b, "Y", eddy_type_bytes(), EDDY_COL_VALUE);
    eddy_schema_builder_add(b, "TM", eddy_type_time(), EDDY_COL_VALUE);
    eddy_schema_builder_add(b, "T", eddy_type_string(), EDDY_COL_VALUE);
    csv_schema = eddy_schema_build(b);

    b = eddy_schema_builder_new();
    eddy_schema_builder_add(b, "V", eddy_type_string(), EDDY_COL_VALUE);
    str_schema = eddy_schema_build(b);

    json_s = serde("JSON", json_schema, EDDY_SERDE_VALUE, -1, NULL);
    json_unwrapped = serde("JSON", str_schema, EDDY_SERDE_VALUE, 0, NULL);
    csv_s = serde("DELIMITED", csv_schema, EDDY_SERDE_VALUE, -1, NULL);
    csv_pipe = serde("DELIMITED", csv_schema, EDDY_SERDE_VALUE, -1, "|");
    kafka_s = serde("KAFKA", str_schema, EDDY_SERDE_VALUE, -1, NULL);
    arena = eddy_arena_new(0);
}

/* Strict equality: the same tags, scales, bytes; NaN equals NaN; for DELIMITED an empty
 * STRING/BYTES equals NULL (the format cannot tell them apart). */
static bool same(const eddy_value *a, const eddy_value *b, bool csv)
{
    bool na = a->is_null || (csv && (a->type == EDDY_TYPE_STRING || a->type == EDDY_TYPE_BYTES) &&
                             a->len == 0);
    bool nb = b->is_null || (csv && (b->type == EDDY_TYPE_STRING || b->type == EDDY_TYPE_BYTES) &&
                             b->len == 0);
    if (na || nb)
        return na && nb && a->type == b->type;
    if (a->type != b->type)
        return false;
    switch (a->type) {
    case EDDY_TYPE_BOOLEAN: return a->u.b == b->u.b;
    case EDDY_TYPE_INT: return a->u.i32 == b->u.i32;
    case EDDY_TYPE_DATE: return a->u.date == b->u.date;
    case EDDY_TYPE_TIME: return a->u.time == b->u.time;
    case EDDY_TYPE_BIGINT: return a->u.i64 == b->u.i64;
    case EDDY_TYPE_TIMESTAMP: return a->u.ts == b->u.ts;
    case EDDY_TYPE_DOUBLE:
        return (isnan(a->u.f64) && isnan(b->u.f64)) ||
               memcmp(&a->u.f64, &b->u.f64, sizeof a->u.f64) == 0;
    case EDDY_TYPE_DECIMAL:
        return a->u.dec == b->u.dec && a->scale == b->scale && a->precision == b->precision;
    case EDDY_TYPE_STRING:
    case EDDY_TYPE_BYTES:
        return a->len == b->len && (!a->len || memcmp(a->u.str, b->u.str, a->len) == 0);
    case EDDY_TYPE_ARRAY:
    case EDDY_TYPE_STRUCT:
    case EDDY_TYPE_MAP: {
        uint32_t n = a->type == EDDY_TYPE_MAP ? 2 * a->len : a->len;
        if (a->len != b->len)
            return false;
        for (uint32_t i = 0; i < n; i++)
            if (!same(&a->u.items[i], &b->u.items[i], csv))
                return false;
        return true;
    }
    default:
        return false;
    }
}

static void round_trip(const eddy_serde *s, const eddy_schema *sc, const uint8_t *data,
                       size_t size, bool csv)
{
    eddy_value c1[NCOLS], c2[NCOLS];
    eddy_record r1 = {.cols = c1}, r2 = {.cols = c2};
    char err[EDDY_ERRSTR_SIZE];
    for (uint32_t i = 0; i < sc->ncols; i++)
        c1[i] = c2[i] = eddy_null(sc->cols[i].type->id);
    int rc = eddy_serde_decode(s, data, size, &r1, arena, err, sizeof err);
    if (rc) {
        if (rc != EDDY_EPARSE && rc != EDDY_ETYPE && rc != EDDY_ERANGE) {
            fprintf(stderr, "unexpected code %d: %s\n", rc, err);
            abort();
        }
        if (!err[0])
            abort(); /* every error has a message */
        return;
    }
    eddy_buf out = {0};
    rc = eddy_serde_encode(s, &r1, &out, err, sizeof err);
    if (rc < 0) {
        fprintf(stderr, "encode failed: %s\n", err);
        abort();
    }
    if (rc == EDDY_SERDE_NULL) {
        /* only a tombstone or a NULL bare value encodes as a Kafka null */
        rc = eddy_serde_decode(s, NULL, 0, &r2, arena, err, sizeof err);
    } else {
        /* an exact-size copy, so that ASan sees reads past the end */
        uint8_t *copy = malloc(out.len ? out.len : 1);
        memcpy(copy, out.data, out.len);
        rc = eddy_serde_decode(s, copy, out.len, &r2, arena, err, sizeof err);
        if (rc) {
            fprintf(stderr, "re-decode of '%.*s' failed: %s\n", (int)out.len, out.data, err);
            abort();
        }
        for (uint32_t i = 0; i < sc->ncols; i++)
            if (!same(&c1[i], &c2[i], csv)) {
                fprintf(stderr, "column %s differs after '%.*s'\n", sc->cols[i].name,
                        (int)out.len, out.data);
                abort();
            }
        free(copy);
    }
    if (rc)
        abort();
    eddy_buf_free(&out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!arena)
        init();
    round_trip(json_s, json_schema, data, size, false);
    round_trip(json_unwrapped, str_schema, data, size, false);
    round_trip(csv_s, csv_schema, data, size, true);
    round_trip(csv_pipe, csv_schema, data, size, true);
    round_trip(kafka_s, str_schema, data, size, false);
    eddy_arena_reset(arena);
    return 0;
}
