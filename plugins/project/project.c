/* project.c: computes new columns from expressions (SELECT items), some of which may become
 * the output's KEY columns. Values are evaluated into the new batch's arena; the new batch
 * retains its input because evaluated strings may point into it. */
#include "eddy/plugin.h"
#include "../common/putil.h"

#include <stdio.h>
#include <stdlib.h>

EDDY_PLUGIN_API;

static const eddy_config_prop project_config[] = {
    {"columns", EDDY_CONF_STRING_LIST, NULL, EDDY_CONF_REQUIRED, NULL,
     "The value columns, as SELECT items \"expr [AS alias]\" (\"STARS * 2 AS DOUBLED\"); a "
     "bare column keeps its name, other unnamed items are called KSQL_COL_<index>."},
    {"rekey", EDDY_CONF_BOOL, "false", 0, NULL,
     "The key items compute a new key (PARTITION BY): an absent input key "
     "(EDDY_REC_NULL_KEY) does not carry over."},
    {"key", EDDY_CONF_STRING_LIST, NULL, 0, NULL,
     "Items (same syntax) that become the KEY columns of the output, in this order. Item "
     "indexes for KSQL_COL_<index> count the key items first, then the columns."},
    {NULL, 0, NULL, 0, NULL, NULL}};

typedef struct project_state {
    size_t n;
    size_t nkey;       /* the first nkey exprs are key items */
    bool rekey;
    eddy_expr **exprs; /* in output column order: key items, then columns */
    const char **texts;
    eddy_schema *schema;
} project_state;

static void project_free(project_state *st)
{
    if (!st)
        return;
    for (size_t i = 0; i < st->n; i++)
        eddy_api->expr_destroy(st->exprs[i]);
    free(st->exprs);
    free(st->texts);
    eddy_api->schema_release(st->schema);
    free(st);
}

/* Compiles the items and builds the output schema. */
static int project_build(eddy_op *op, project_state **out, char *errstr, size_t errstr_size)
{
    const eddy_schema *in = eddy_api->input_schema(op, 0);
    size_t nkey = eddy_api->config_count(op, "key");
    size_t ncol = eddy_api->config_count(op, "columns");
    if (ncol == 0)
        return pu_err(errstr, errstr_size, EDDY_EINVAL, "config 'columns': must not be empty");
    project_state *st = calloc(1, sizeof *st);
    if (!st)
        return pu_err(errstr, errstr_size, EDDY_ENOMEM, "out of memory");
    st->nkey = nkey;
    st->rekey = eddy_api->config_bool(op, "rekey");
    st->exprs = calloc(nkey + ncol, sizeof *st->exprs);
    st->texts = calloc(nkey + ncol, sizeof *st->texts);
    eddy_schema_builder *b = eddy_api->schema_builder_new();
    int rc = 0;
    if (!st->exprs || !st->texts || !b) {
        rc = pu_err(errstr, errstr_size, EDDY_ENOMEM, "out of memory");
        goto fail;
    }
    for (size_t i = 0; i < nkey + ncol; i++) {
        bool is_key = i < nkey;
        const char *cfg = is_key ? "key" : "columns";
        const char *text = eddy_api->config_entry(op, cfg, is_key ? i : i - nkey, NULL);
        const char *name = NULL;
        char why[EDDY_ERRSTR_SIZE] = "";
        rc = eddy_api->expr_compile_item(op, text, in, (int)i, &st->exprs[i], &name, why,
                                         sizeof why);
        if (rc) {
            rc = pu_err(errstr, errstr_size, rc, "config '%s': item '%s': %s", cfg, text, why);
            goto fail;
        }
        st->texts[i] = text;
        st->n = i + 1;
        const eddy_type *t = eddy_api->expr_type(st->exprs[i]);
        if (!t) {
            rc = pu_err(errstr, errstr_size, EDDY_ETYPE,
                        "config '%s': item '%s': cannot infer its type (use CAST)", cfg, text);
            goto fail;
        }
        rc = eddy_api->schema_builder_add(b, name, t, is_key ? EDDY_COL_KEY : EDDY_COL_VALUE);
        if (rc == EDDY_EEXIST) {
            rc = pu_err(errstr, errstr_size, rc,
                        "config '%s': item '%s': duplicate column name '%s' (add AS alias)",
                        cfg, text, name);
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
    project_free(st);
    return rc;
}

static int project_plan(eddy_op *op, char *errstr, size_t errstr_size)
{
    project_state *st = NULL;
    int rc = project_build(op, &st, errstr, errstr_size);
    if (rc)
        return rc;
    rc = eddy_api->output_add(op, NULL, st->schema, errstr, errstr_size);
    project_free(st);
    return rc;
}

static int project_create(eddy_op *op, void **state, char *errstr, size_t errstr_size)
{
    project_state *st = NULL;
    int rc = project_build(op, &st, errstr, errstr_size);
    if (rc == 0)
        *state = st;
    return rc;
}

static int project_process(eddy_op *op, void *state, int port, eddy_batch *in)
{
    project_state *st = state;
    eddy_batch *out = eddy_api->batch_new(op, st->schema, in->n);
    if (!out)
        return EDDY_ENOMEM;
    int rc = eddy_api->batch_retain_parent(out, in);
    char why[EDDY_ERRSTR_SIZE];
    for (uint32_t i = 0; rc == 0 && i < in->n; i++) {
        const eddy_record *r = &in->recs[i];
        eddy_record *o = eddy_api->batch_append(out);
        if (!o) {
            rc = EDDY_ENOMEM;
            break;
        }
        eddy_value *cols = o->cols;
        *o = *r; /* ROWTIME, window, headers, origin, raw bytes, tombstone flag */
        o->cols = cols;
        if (st->rekey)
            o->flags &= ~(uint32_t)EDDY_REC_NULL_KEY;
        /* A delete (tombstone) carries its key only: the value columns stay NULL. */
        size_t n = (r->flags & EDDY_REC_TOMBSTONE) ? st->nkey : st->n;
        for (size_t c = 0; c < n; c++) {
            why[0] = '\0';
            int erc = eddy_api->expr_eval(op, st->exprs[c], r, out->arena, &cols[c], why,
                                          sizeof why);
            if (erc) {
                /* As ksqlDB: the error is logged and the column is NULL; the row goes on. */
                char reason[EDDY_ERRSTR_SIZE + 64];
                snprintf(reason, sizeof reason, "'%s': %s", st->texts[c], why);
                eddy_api->record_error(op, r, NULL, 0, erc, reason);
                cols[c] = eddy_null(st->schema->cols[c].type->id);
            }
        }
    }
    if (rc == 0)
        rc = eddy_api->emit(op, 0, out);
    eddy_api->batch_release(out);
    return rc;
}

static void project_destroy(eddy_op *op, void *state)
{
    project_free(state);
}

static const eddy_plugin project_plugin = {
    .abi_version = EDDY_PLUGIN_ABI_VERSION,
    .size = sizeof(eddy_plugin),
    .name = "project",
    .description = "Computes the output columns from expressions (SELECT items); some may "
                   "become KEY columns.",
    .version = "1.0.0",
    .kind = EDDY_PLUGIN_TRANSFORM,
    .min_inputs = 1,
    .max_inputs = 1,
    .config = project_config,
    .plan = project_plan,
    .create = project_create,
    .process = project_process,
    .destroy = project_destroy,
};

EDDY_PLUGIN_DEFINE(project_plugin)
