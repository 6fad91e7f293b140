/* redact.c: an example operator plugin (a transform). It replaces all but the last `keep`
 * characters of a STRING column with '*': with keep = 4, "4111-1111-1111-1234" becomes
 * "***************1234". NULLs stay NULL; characters are UTF-8 code points.
 *
 * Build: gcc -shared -fPIC -fvisibility=hidden -I<eddy>/core/include -o redact.so redact.c
 * (or eddy_plugin(redact redact.c) in CMake), then EDDY_PLUGIN_PATH=<dir of redact.so>. */
#include "eddy/plugin.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The file-local pointer to the host's API table, set by EDDY_PLUGIN_DEFINE below. */
EDDY_PLUGIN_API;

/* The configuration table: validation, `eddy plugins redact` and the docs come from it. */
static const eddy_config_prop redact_config[] = {
    {"column", EDDY_CONF_STRING, NULL, EDDY_CONF_REQUIRED, NULL,
     "The STRING column to redact."},
    {"keep", EDDY_CONF_INT, "0", 0, NULL,
     "How many characters to leave visible at the end of the value."},
    {NULL, 0, NULL, 0, NULL, NULL}};

/* One per task (create ... destroy). */
typedef struct redact_state {
    int col;      /* index of the column in the input schema */
    int64_t keep;
} redact_state;

/* Finds the column (exact name, else upper-cased as unquoted SQL names are) and checks the
 * config. Used by plan (errors there stop the pipeline before it runs) and by create. */
static int resolve(eddy_op *op, int *col, int64_t *keep, char *errstr, size_t errstr_size)
{
    const eddy_schema *in = eddy_api->input_schema(op, 0);
    const char *name = eddy_api->config_str(op, "column");
    int i = eddy_api->schema_find(in, name);
    if (i < 0) {
        char up[128];
        snprintf(up, sizeof up, "%s", name);
        for (char *c = up; *c; c++)
            *c = (char)toupper((unsigned char)*c);
        i = eddy_api->schema_find(in, up);
    }
    if (i < 0) {
        snprintf(errstr, errstr_size, "config 'column': no column '%s' in the input", name);
        return EDDY_ENOTFOUND;
    }
    if (in->cols[i].type->id != EDDY_TYPE_STRING) {
        snprintf(errstr, errstr_size, "config 'column': column '%s' is not a STRING", name);
        return EDDY_ETYPE;
    }
    *col = i;
    *keep = eddy_api->config_int(op, "keep");
    if (*keep < 0) {
        snprintf(errstr, errstr_size, "config 'keep': must be 0 or more, got %lld",
                 (long long)*keep);
        return EDDY_EINVAL;
    }
    return 0;
}

static int redact_plan(eddy_op *op, char *errstr, size_t errstr_size)
{
    int col;
    int64_t keep;
    int rc = resolve(op, &col, &keep, errstr, errstr_size);
    if (rc)
        return rc;
    /* Same columns out as in. The host retains the schema. */
    return eddy_api->output_add(op, NULL, eddy_api->input_schema(op, 0), errstr, errstr_size);
}

static int redact_create(eddy_op *op, void **state, char *errstr, size_t errstr_size)
{
    redact_state *st = calloc(1, sizeof *st);
    if (!st)
        return EDDY_ENOMEM;
    int rc = resolve(op, &st->col, &st->keep, errstr, errstr_size);
    if (rc) {
        free(st);
        return rc;
    }
    *state = st;
    return 0;
}

/* ------------------------------------------------------------------ process */

static bool is_continuation(unsigned char c)
{
    return (c & 0xC0) == 0x80;
}

static int redact_process(eddy_op *op, void *state, int port, eddy_batch *in)
{
    redact_state *st = state;
    uint32_t ncols = in->schema->ncols;
    /* The input is borrowed: build a new batch. Its records' other values still point into
     * the input's memory, so the new batch retains the input. */
    eddy_batch *out = eddy_api->batch_new(op, in->schema, in->n);
    if (!out)
        return EDDY_ENOMEM;
    int rc = eddy_api->batch_retain_parent(out, in);
    for (uint32_t i = 0; rc == 0 && i < in->n; i++) {
        const eddy_record *r = &in->recs[i];
        eddy_record *o = eddy_api->batch_append(out); /* fresh cols in out's arena */
        if (!o) {
            rc = EDDY_ENOMEM;
            break;
        }
        eddy_value *cols = o->cols;
        *o = *r; /* ROWTIME, headers, origin, raw bytes ... */
        o->cols = cols;
        memcpy(cols, r->cols, ncols * sizeof *cols);

        eddy_value *v = &cols[st->col];
        if (v->is_null)
            continue;
        const unsigned char *s = (const unsigned char *)v->u.str;
        uint32_t len = v->len, chars = 0;
        for (uint32_t k = 0; k < len; k++)
            chars += !is_continuation(s[k]);
        if (chars <= st->keep)
            continue; /* nothing to hide */
        /* Byte offset of the first kept character. */
        uint32_t masked = chars - (uint32_t)st->keep, tail = 0, seen = 0;
        while (tail < len && seen < masked) {
            tail++;
            while (tail < len && is_continuation(s[tail]))
                tail++;
            seen++;
        }
        size_t n = masked + (size_t)(len - tail);
        /* New bytes live in the output batch's arena, as long as the batch. */
        char *p = eddy_api->batch_alloc(out, n);
        if (!p) {
            rc = EDDY_ENOMEM;
            break;
        }
        memset(p, '*', masked);
        memcpy(p + masked, s + tail, len - tail);
        *v = eddy_string(p, (uint32_t)n);
    }
    if (rc == 0)
        rc = eddy_api->emit(op, 0, out); /* synchronous: downstream is done on return */
    eddy_api->batch_release(out);        /* our reference; retained downstream if kept */
    return rc;
}

static void redact_destroy(eddy_op *op, void *state)
{
    redact_state *st = state;
    if (!st)
        return;
    free(st);
}

static const eddy_plugin redact_plugin = {
    .abi_version = EDDY_PLUGIN_ABI_VERSION,
    .size = sizeof(eddy_plugin),
    .name = "redact",
    .description = "Replaces all but the last `keep` characters of a STRING column with '*'.",
    .version = "1.0.0",
    .kind = EDDY_PLUGIN_TRANSFORM,
    .min_inputs = 1,
    .max_inputs = 1,
    .config = redact_config,
    .plan = redact_plan,
    .create = redact_create,
    .process = redact_process,
    .destroy = redact_destroy,
};

/* Defines eddy_plugin_entry(), the one exported symbol: stores the API pointer and returns
 * the descriptor. */
EDDY_PLUGIN_DEFINE(redact_plugin)
