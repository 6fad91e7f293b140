/* serde.c: the formats of keys and values (JSON, KAFKA, DELIMITED, NONE): options, the
 * checks of what each format can carry (with ksqlDB's messages), and the entry points. */
#include "serde_util.h"
#include "serde_delimited.h"
#include "serde_json.h"
#include "serde_kafka.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ------------------------------------------------------------- options */

static const struct {
    const char *name;
    char c;
} named_delims[] = {
    /* ksqlDB's special values */
    {"TAB", '\t'},
    {"SPACE", ' '},
    /* eddy's additions, for pipeline files */
    {"COMMA", ','},
    {"PIPE", '|'},
    {"SEMICOLON", ';'},
    {"COLON", ':'},
};

int eddy_serde_opts_set(eddy_serde_opts *o, const char *key, const char *value, char *errstr,
                        size_t errstr_size)
{
    if (!o || !key)
        return eddy_seterr(errstr, errstr_size, EDDY_EINVAL, "serde option: no key");
    if (!value)
        return eddy_seterr(errstr, errstr_size, EDDY_EINVAL, "serde option '%s': no value", key);
    if (strcasecmp(key, "wrap_single_value") == 0) {
        if (strcasecmp(value, "true") == 0)
            o->wrap_single = 1;
        else if (strcasecmp(value, "false") == 0)
            o->wrap_single = 0;
        else
            return eddy_seterr(errstr, errstr_size, EDDY_EINVAL,
                               "Invalid value '%s' for WRAP_SINGLE_VALUE: expected true or false",
                               value);
        return 0;
    }
    if (strcasecmp(key, "delimiter") == 0) {
        size_t n = strlen(value);
        bool blank = true;
        for (size_t i = 0; i < n; i++)
            blank = blank && (unsigned char)value[i] <= ' ';
        if (blank)
            return eddy_seterr(errstr, errstr_size, EDDY_EINVAL,
                               "Configuration DELIMITER is invalid: Delimiter cannot be empty, if "
                               "you meant to have a tab or space for delimiter, please use the "
                               "special values 'TAB' or 'SPACE'\nExample valid value: ';'");
        char c = 0;
        if (n == 1 && (unsigned char)value[0] < 0x80)
            c = value[0];
        for (size_t i = 0; !c && i < sizeof named_delims / sizeof named_delims[0]; i++)
            if (strcasecmp(value, named_delims[i].name) == 0)
                c = named_delims[i].c;
        if (!c) {
            size_t l = (unsigned char)value[0] >= 0x80
                           ? eddy_serde_utf8_len((const uint8_t *)value,
                                                 (const uint8_t *)value + n)
                           : 0;
            if (l && l == n)
                return eddy_seterr(errstr, errstr_size, EDDY_EINVAL,
                                   "Invalid delimiter value: '%s'. eddy supports only delimiters "
                                   "of one ASCII character, TAB or SPACE",
                                   value);
            return eddy_seterr(errstr, errstr_size, EDDY_EINVAL,
                               "Invalid delimiter value: '%s'. Delimiter must be a single "
                               "character or TAB or SPACE",
                               value);
        }
        if (c == '"')
            return eddy_seterr(errstr, errstr_size, EDDY_EINVAL,
                               "The quoteChar character and the delimiter cannot be the same "
                               "('\"')");
        if (c == '\r' || c == '\n')
            return eddy_seterr(errstr, errstr_size, EDDY_EINVAL,
                               "The delimiter cannot be a line break");
        o->delimiter = c;
        return 0;
    }
    return eddy_seterr(errstr, errstr_size, EDDY_EINVAL,
                       "Unknown serde option '%s' (known: wrap_single_value, delimiter)", key);
}

/* -------------------------------------------------------------- create */

static const char *fmt_names[] = {NULL, "JSON", "KAFKA", "DELIMITED", "NONE"};

static bool contains_map(const eddy_type *t)
{
    switch (t->id) {
    case EDDY_TYPE_MAP:
        return true;
    case EDDY_TYPE_ARRAY:
        return contains_map(t->elem);
    case EDDY_TYPE_STRUCT:
        for (uint32_t i = 0; i < t->nfields; i++)
            if (contains_map(t->fields[i].type))
                return true;
        return false;
    default:
        return false;
    }
}

static bool in_part(const eddy_column *c, eddy_serde_part part)
{
    switch (part) {
    case EDDY_SERDE_KEY:
        return c->kind == EDDY_COL_KEY;
    case EDDY_SERDE_VALUE:
        return c->kind == EDDY_COL_VALUE;
    default:
        return true;
    }
}

/* ksqlDB's wrapper around a format's refusal of a schema. */
static int schema_refused(const eddy_serde *s, int explicit_wrap, const char *reason,
                          char *errstr, size_t errstr_size)
{
    eddy_buf cols = {0};
    int rc = eddy_serde_format_columns(&cols, s->schema, s->cols, s->ncols);
    const char *features = explicit_wrap < 0   ? ""
                           : explicit_wrap > 0 ? "WRAP_SINGLES"
                                               : "UNWRAP_SINGLES";
    eddy_seterr(errstr, errstr_size, EDDY_EINVAL,
                "%s format does not support schema.\nformat: %s\nschema: "
                "Persistence{columns=%s, features=[%s]}\nreason: %s",
                s->part == EDDY_SERDE_KEY ? "Key" : "Value", fmt_names[s->fmt],
                rc ? "[...]" : eddy_buf_cstr(&cols), features, reason);
    eddy_buf_free(&cols);
    return EDDY_EINVAL;
}

int eddy_serde_new(const eddy_serde_opts *opts, const eddy_schema *schema,
                   eddy_serde_part part, eddy_serde **out, char *errstr, size_t errstr_size)
{
    if (out)
        *out = NULL;
    if (!opts || !schema || !out)
        return eddy_seterr(errstr, errstr_size, EDDY_EINVAL, "eddy_serde_new: missing argument");
    if (part != EDDY_SERDE_KEY && part != EDDY_SERDE_VALUE && part != EDDY_SERDE_ALL)
        return eddy_seterr(errstr, errstr_size, EDDY_EINVAL, "eddy_serde_new: bad part %d",
                           (int)part);
    if (!opts->format || !opts->format[0])
        return eddy_seterr(errstr, errstr_size, EDDY_EINVAL, "no format given (JSON, KAFKA, "
                                                             "DELIMITED or NONE)");
    int fmt = 0;
    for (int i = 1; i <= EDDY_SERDE_FMT_NONE; i++)
        if (strcasecmp(opts->format, fmt_names[i]) == 0)
            fmt = i;
    if (!fmt) {
        static const char *const known[] = {"AVRO", "JSON_SR", "PROTOBUF", "PROTOBUF_NOSR"};
        for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
            if (strcasecmp(opts->format, known[i]) == 0)
                return eddy_seterr(errstr, errstr_size, EDDY_EINVAL,
                                   "Format '%s' is not supported by eddy (supported: JSON, KAFKA, "
                                   "DELIMITED, NONE)",
                                   known[i]);
        return eddy_seterr(errstr, errstr_size, EDDY_EINVAL, "Unknown format: %s", opts->format);
    }
    if (opts->delimiter && fmt != EDDY_SERDE_FMT_DELIMITED)
        return eddy_seterr(errstr, errstr_size, EDDY_EINVAL,
                           "%s does not support the following configs: [delimiter]",
                           fmt_names[fmt]);
    if (opts->wrap_single < -1 || opts->wrap_single > 1)
        return eddy_seterr(errstr, errstr_size, EDDY_EINVAL,
                           "wrap_single must be -1 (default), 0 or 1, not %d", opts->wrap_single);

    eddy_serde *s = calloc(1, sizeof *s);
    eddy_arena *mem = eddy_arena_new(4096);
    if (!s || !mem) {
        free(s);
        eddy_arena_destroy(mem);
        return eddy_seterr(errstr, errstr_size, EDDY_ENOMEM, "out of memory");
    }
    s->fmt = fmt;
    s->part = part;
    s->mem = mem;
    s->schema = eddy_schema_retain(schema);
    s->what = part == EDDY_SERDE_KEY ? "key" : part == EDDY_SERDE_VALUE ? "value" : "record";
    s->delim = opts->delimiter ? opts->delimiter : ',';
    s->cols = eddy_arena_calloc(mem, schema->ncols + 1, sizeof *s->cols);
    int rc = 0;
    if (!s->cols) {
        rc = eddy_seterr(errstr, errstr_size, EDDY_ENOMEM, "out of memory");
        goto fail;
    }
    for (uint32_t i = 0; i < schema->ncols; i++)
        if (in_part(&schema->cols[i], part))
            s->cols[s->ncols++] = i;

    if (part == EDDY_SERDE_KEY) {
        for (uint32_t i = 0; i < s->ncols; i++) {
            const eddy_column *c = &schema->cols[s->cols[i]];
            if (contains_map(c->type)) {
                char tb[256];
                rc = eddy_seterr(errstr, errstr_size, EDDY_EINVAL,
                                 "Map keys, including types that contain maps, are not supported "
                                 "as they may lead to unexpected behavior due to inconsistent "
                                 "serialization. Key column name: `%s`. Column type: %s. See "
                                 "https://github.com/confluentinc/ksql/issues/6621 for more.",
                                 c->name, eddy_serde_type_name(c->type, tb, sizeof tb));
                goto fail;
            }
        }
    }
    if (fmt == EDDY_SERDE_FMT_NONE && s->ncols) {
        eddy_buf b = {0};
        int frc = eddy_serde_format_columns(&b, schema, s->cols, s->ncols);
        rc = eddy_seterr(errstr, errstr_size, EDDY_EINVAL,
                         "The 'NONE' format can only be used when no columns are defined. Got: %s",
                         frc ? "[...]" : eddy_buf_cstr(&b));
        eddy_buf_free(&b);
        goto fail;
    }
    if (opts->wrap_single >= 0 && fmt != EDDY_SERDE_FMT_NONE) {
        if (opts->wrap_single == 1 &&
            (fmt == EDDY_SERDE_FMT_KAFKA || fmt == EDDY_SERDE_FMT_DELIMITED)) {
            rc = eddy_seterr(errstr, errstr_size, EDDY_EINVAL,
                             "Format '%s' does not support 'WRAP_SINGLE_VALUE' set to 'true'.",
                             fmt_names[fmt]);
            goto fail;
        }
        if (s->ncols != 1) {
            rc = eddy_seterr(errstr, errstr_size, EDDY_EINVAL,
                             "'WRAP_SINGLE_VALUE' is only valid for single-field value schemas");
            goto fail;
        }
    }
    char reason[1024];
    switch (fmt) {
    case EDDY_SERDE_FMT_KAFKA:
        if (eddy_serde_kafka_check(s, reason, sizeof reason)) {
            rc = schema_refused(s, opts->wrap_single, reason, errstr, errstr_size);
            goto fail;
        }
        break;
    case EDDY_SERDE_FMT_DELIMITED:
        if (eddy_serde_delimited_check(s, reason, sizeof reason)) {
            rc = schema_refused(s, opts->wrap_single, reason, errstr, errstr_size);
            goto fail;
        }
        break;
    case EDDY_SERDE_FMT_JSON:
        /* keys: one column unwrapped, several wrapped; values: wrapped unless told not to */
        if (opts->wrap_single >= 0)
            s->wrapped = opts->wrap_single == 1;
        else
            s->wrapped = part == EDDY_SERDE_KEY ? s->ncols != 1 : true;
        if ((rc = eddy_serde_json_init(s, errstr, errstr_size)))
            goto fail;
        break;
    default:
        break;
    }
    *out = s;
    return 0;
fail:
    eddy_serde_destroy(s);
    return rc;
}

void eddy_serde_destroy(eddy_serde *s)
{
    if (!s)
        return;
    eddy_schema_release(s->schema);
    eddy_arena_destroy(s->mem);
    free(s);
}

const char *eddy_serde_format_name(const eddy_serde *s)
{
    return s ? fmt_names[s->fmt] : "NONE";
}

/* -------------------------------------------------------- decode/encode */

int eddy_serde_decode(const eddy_serde *s, const uint8_t *buf, size_t len, eddy_record *rec,
                      eddy_arena *arena, char *errstr, size_t errstr_size)
{
    bool value = s->part != EDDY_SERDE_KEY;
    if (value) {
        rec->raw_value = buf;
        rec->raw_value_len = (uint32_t)len;
    } else {
        rec->raw_key = buf;
        rec->raw_key_len = (uint32_t)len;
    }
    if (!buf) { /* a Kafka null */
        for (uint32_t i = 0; i < s->ncols; i++)
            sv_null(&rec->cols[s->cols[i]], s->schema->cols[s->cols[i]].type->id);
        if (value)
            rec->flags |= EDDY_REC_TOMBSTONE;
        if (s->part == EDDY_SERDE_KEY)
            rec->flags |= EDDY_REC_NULL_KEY;
        return 0;
    }
    if (value)
        rec->flags &= ~(uint32_t)EDDY_REC_TOMBSTONE;
    if (s->part == EDDY_SERDE_KEY)
        rec->flags &= ~(uint32_t)EDDY_REC_NULL_KEY;
    if (s->ncols == 0) /* NONE, keyless: the bytes are not looked at */
        return 0;
    if (len > UINT32_MAX) /* lengths and offsets of values are 32-bit */
        return eddy_seterr(errstr, errstr_size, EDDY_ERANGE,
                           "Failed to deserialize %s: %zu bytes is more than 4 GiB", s->what,
                           len);
    int rc;
    switch (s->fmt) {
    case EDDY_SERDE_FMT_JSON:
        rc = eddy_serde_json_decode(s, buf, len, rec, arena, errstr, errstr_size);
        if (rc == EDDY_SERDE_NULL) {
            if (value)
                rec->flags |= EDDY_REC_TOMBSTONE;
            rc = 0;
        }
        return rc;
    case EDDY_SERDE_FMT_KAFKA:
        return eddy_serde_kafka_decode(s, buf, len, rec, arena, errstr, errstr_size);
    case EDDY_SERDE_FMT_DELIMITED:
        return eddy_serde_delimited_decode(s, buf, len, rec, arena, errstr, errstr_size);
    default:
        return 0;
    }
}

int eddy_serde_encode(const eddy_serde *s, const eddy_record *rec, eddy_buf *out, char *errstr,
                      size_t errstr_size)
{
    if (s->part != EDDY_SERDE_KEY && (rec->flags & EDDY_REC_TOMBSTONE))
        return EDDY_SERDE_NULL;
    if (s->fmt == EDDY_SERDE_FMT_NONE)
        return EDDY_SERDE_NULL;
    if (s->part == EDDY_SERDE_KEY) {
        bool all_null = true;
        for (uint32_t i = 0; i < s->ncols && all_null; i++) {
            const eddy_value *v = &rec->cols[s->cols[i]];
            all_null = v->is_null || v->type == 0;
        }
        /* No key columns, a single NULL key, or a key that was absent: a Kafka null.
         * Several key columns computed to NULL are a (wrapped) row, as ksqlDB writes them. */
        if (all_null && (s->ncols <= 1 || (rec->flags & EDDY_REC_NULL_KEY)))
            return EDDY_SERDE_NULL;
    } else if (s->ncols == 0) {
        if (s->fmt == EDDY_SERDE_FMT_JSON)
            return eddy_buf_append(out, "{}", 2);
        return s->fmt == EDDY_SERDE_FMT_DELIMITED ? 0 : EDDY_SERDE_NULL;
    }
    switch (s->fmt) {
    case EDDY_SERDE_FMT_JSON:
        return eddy_serde_json_encode(s, rec, out, errstr, errstr_size);
    case EDDY_SERDE_FMT_KAFKA:
        return eddy_serde_kafka_encode(s, rec, out, errstr, errstr_size);
    case EDDY_SERDE_FMT_DELIMITED:
        return eddy_serde_delimited_encode(s, rec, out, errstr, errstr_size);
    default:
        return EDDY_SERDE_NULL;
    }
}
