/* flat_map.c: table functions (ksqlDB's FlatMap step): each input row yields as many rows as
 * its longest table function result, each row carrying the input's columns, key and time
 * plus one column per function (NULL once that function's rows are used up). */
#include "eddy/plugin.h"
#include "../common/putil.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

EDDY_PLUGIN_API;

static const eddy_config_prop flat_map_config[] = {
    {"functions", EDDY_CONF_STRING_LIST, NULL, EDDY_CONF_REQUIRED, NULL,
     "Table function calls \"call [AS alias]\" (\"EXPLODE(READINGS) AS R\"), each adding a "
     "value column after the input's; several are zipped: a row's results are paired by "
     "position, the shorter ones padded with NULL."},
    {NULL, 0, NULL, 0, NULL, NULL}};

typedef struct flat_map_state {
    size_t n;
    uint32_t nin;      /* columns of the input, copied to every output row */
    eddy_expr **calls;
    const char **texts;
    eddy_schema *schema;
    eddy_value **rows; /* per-record scratch: each call's result */
    uint32_t *nrows;
} flat_map_state;

static void flat_map_free(flat_map_state *st)
{
    if (!st)
        return;
    for (size_t i = 0; i < st->n; i++)
        eddy_api->expr_destroy(st->calls[i]);
    free(st->calls);
    free(st->texts);
    free(st->rows);
    free(st->nrows);
    eddy_api->schema_release(st->schema);
    free(st);
}

/* Compiles the calls and builds the output schema: the input's columns, then the calls'. */
static int flat_map_build(eddy_op *op, flat_map_state **out, char *errstr, size_t errstr_size)
{
    if (eddy_api->size < offsetof(eddy_host_api, expr_eval_table) + sizeof(void *))
        return pu_err(errstr, errstr_size, EDDY_ESTATE,
                      "the host has no table functions (API too old)");
    const eddy_schema *in = eddy_api->input_schema(op, 0);
    size_t n = eddy_api->config_count(op, "functions");
    if (n == 0)
        return pu_err(errstr, errstr_size, EDDY_EINVAL, "config 'functions': must not be empty");
    flat_map_state *st = calloc(1, sizeof *st);
    if (!st)
        return pu_err(errstr, errstr_size, EDDY_ENOMEM, "out of memory");
    st->nin = in->ncols;
    st->calls = calloc(n, sizeof *st->calls);
    st->texts = calloc(n, sizeof *st->texts);
    st->rows = calloc(n, sizeof *st->rows);
    st->nrows = calloc(n, sizeof *st->nrows);
    eddy_schema_builder *b = eddy_api->schema_builder_new();
    int rc = 0;
    if (!st->calls || !st->texts || !st->rows || !st->nrows || !b) {
        rc = pu_err(errstr, errstr_size, EDDY_ENOMEM, "out of memory");
        goto fail;
    }
    for (uint32_t c = 0; c < in->ncols && rc == 0; c++)
        rc = eddy_api->schema_builder_add(b, in->cols[c].name, in->cols[c].type,
                                          in->cols[c].kind);
    if (rc) {
        rc = pu_err(errstr, errstr_size, rc, "out of memory");
        goto fail;
    }
    for (size_t i = 0; i < n; i++) {
        const char *text = eddy_api->config_entry(op, "functions", i, NULL);
        const char *name = NULL;
        char why[EDDY_ERRSTR_SIZE] = "";
        rc = eddy_api->expr_compile_table(op, text, in, (int)i, &st->calls[i], &name, why,
                                          sizeof why);
        if (rc) {
            rc = pu_err(errstr, errstr_size, rc, "config 'functions': item '%s': %s", text,
                        why);
            goto fail;
        }
        st->texts[i] = text;
        st->n = i + 1;
        rc = eddy_api->schema_builder_add(b, name, eddy_api->expr_type(st->calls[i]),
                                          EDDY_COL_VALUE);
        if (rc == EDDY_EEXIST) {
            rc = pu_err(errstr, errstr_size, rc,
                        "config 'functions': item '%s': duplicate column name '%s'", text,
                        name);
            goto fail;
        }
        if (rc) {
            rc = pu_err(errstr, errstr_size, rc, "out of memory");
            goto fail;
        }
    }
    st->schema = eddy_api->schema_build(b);
    b = NULL;
    if (!st->schema) {
        rc = pu_err(errstr, errstr_size, EDDY_ENOMEM, "out of memory");
        goto fail;
    }
    *out = st;
    return 0;
fail:
    if (b)
        eddy_api->schema_release(eddy_api->schema_build(b)); /* build destroys the builder */
    flat_map_free(st);
    return rc;
}

static int flat_map_plan(eddy_op *op, char *errstr, size_t errstr_size)
{
    flat_map_state *st = NULL;
    int rc = flat_map_build(op, &st, errstr, errstr_size);
    if (rc)
        return rc;
    rc = eddy_api->output_add(op, NULL, st->schema, errstr, errstr_size);
    flat_map_free(st);
    return rc;
}

static int flat_map_create(eddy_op *op, void **state, char *errstr, size_t errstr_size)
{
    flat_map_state *st = NULL;
    int rc = flat_map_build(op, &st, errstr, errstr_size);
    if (rc == 0)
        *state = st;
    return rc;
}

/* Evaluates every call on `r` into st->rows; false when one failed (logged: the row yields
 * nothing, as in ksqlDB). */
static bool eval_calls(eddy_op *op, flat_map_state *st, const eddy_record *r,
                       eddy_arena *arena, uint32_t *most)
{
    char why[EDDY_ERRSTR_SIZE];
    *most = 0;
    for (size_t i = 0; i < st->n; i++) {
        why[0] = '\0';
        int rc = eddy_api->expr_eval_table(op, st->calls[i], r, arena, &st->rows[i],
                                           &st->nrows[i], why, sizeof why);
        if (rc) {
            char reason[EDDY_ERRSTR_SIZE + 64];
            snprintf(reason, sizeof reason, "'%s': %s", st->texts[i], why);
            eddy_api->record_error(op, r, NULL, 0, rc, reason);
            return false;
        }
        if (st->nrows[i] > *most)
            *most = st->nrows[i];
    }
    return true;
}

static int flat_map_process(eddy_op *op, void *state, int port, eddy_batch *in)
{
    flat_map_state *st = state;
    eddy_batch *out = eddy_api->batch_new(op, st->schema, in->n);
    if (!out)
        return EDDY_ENOMEM;
    int rc = eddy_api->batch_retain_parent(out, in);
    for (uint32_t i = 0; rc == 0 && i < in->n; i++) {
        const eddy_record *r = &in->recs[i];
        uint32_t most;
        /* a null row (a stream's tombstone) has no arguments to expand: no row */
        if ((r->flags & EDDY_REC_TOMBSTONE) || !eval_calls(op, st, r, out->arena, &most))
            continue;
        for (uint32_t k = 0; k < most; k++) {
            eddy_record *o = eddy_api->batch_append(out);
            if (!o) {
                rc = EDDY_ENOMEM;
                break;
            }
            eddy_value *cols = o->cols;
            *o = *r; /* key, ROWTIME, window, headers, origin: every row keeps the input's */
            o->cols = cols;
            for (uint32_t c = 0; c < st->nin; c++)
                cols[c] = r->cols[c];
            for (size_t f = 0; f < st->n; f++)
                cols[st->nin + f] = k < st->nrows[f]
                                        ? st->rows[f][k]
                                        : eddy_null(st->schema->cols[st->nin + f].type->id);
        }
    }
    if (rc == 0)
        rc = eddy_api->emit(op, 0, out);
    eddy_api->batch_release(out);
    return rc;
}

static void flat_map_destroy(eddy_op *op, void *state)
{
    flat_map_free(state);
}

static const eddy_plugin flat_map_plugin = {
    .abi_version = EDDY_PLUGIN_ABI_VERSION,
    .size = sizeof(eddy_plugin),
    .name = "flat_map",
    .description = "Table functions (EXPLODE...): zero or more output rows per input row, "
                   "each with the input's columns plus the functions' results.",
    .version = "1.0.0",
    .kind = EDDY_PLUGIN_TRANSFORM,
    .min_inputs = 1,
    .max_inputs = 1,
    .config = flat_map_config,
    .plan = flat_map_plan,
    .create = flat_map_create,
    .process = flat_map_process,
    .destroy = flat_map_destroy,
};

EDDY_PLUGIN_DEFINE(flat_map_plugin)
