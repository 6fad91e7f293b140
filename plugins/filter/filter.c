/* filter.c: keeps the records for which a BOOLEAN expression is TRUE (WHERE). Zero copy: the
 * output batch holds shallow copies of the kept records and retains its input; when every
 * record is kept, the input batch itself goes on. */
#include "eddy/plugin.h"
#include "../common/keymap.h"
#include "../common/putil.h"

#include <stdlib.h>

EDDY_PLUGIN_API;

static const eddy_config_prop filter_config[] = {
    {"where", EDDY_CONF_EXPR, NULL, EDDY_CONF_REQUIRED, NULL,
     "A BOOLEAN expression over the input's columns (and ROWTIME, ROWPARTITION, ROWOFFSET); "
     "a record is kept when it is TRUE (NULL and FALSE drop it). On a stream, a record with "
     "no value (null) is dropped, as ksqlDB's WHERE drops it."},
    {"table", EDDY_CONF_BOOL, "false", 0, NULL,
     "The input is a table's changelog (ksqlDB's table filter, HAVING): a row the predicate "
     "rejects becomes a delete (tombstone) of its key if the key was in the result, and "
     "deletes pass through for keys in the result; nothing is emitted for keys never in it."},
    {NULL, 0, NULL, 0, NULL, NULL}};

typedef struct filter_state {
    eddy_expr *where;
    bool table;
    uint32_t nkey;
    keymap *in_result; /* table mode: the keys whose last row passed */
} filter_state;

static int filter_plan(eddy_op *op, char *errstr, size_t errstr_size)
{
    const eddy_schema *in = eddy_api->input_schema(op, 0);
    eddy_expr *e = NULL;
    int rc = pu_compile_predicate(eddy_api, op, "config 'where'", eddy_api->config_str(op, "where"),
                                  in, &e, errstr, errstr_size);
    if (rc)
        return rc;
    eddy_api->expr_destroy(e);
    return eddy_api->output_add(op, NULL, in, errstr, errstr_size);
}

static int filter_create(eddy_op *op, void **state, char *errstr, size_t errstr_size)
{
    filter_state *st = calloc(1, sizeof *st);
    if (!st)
        return pu_err(errstr, errstr_size, EDDY_ENOMEM, "out of memory");
    int rc = pu_compile_predicate(eddy_api, op, "config 'where'", eddy_api->config_str(op, "where"),
                                  eddy_api->input_schema(op, 0), &st->where, errstr, errstr_size);
    if (rc) {
        free(st);
        return rc;
    }
    st->table = eddy_api->config_bool(op, "table");
    st->nkey = eddy_api->input_schema(op, 0)->nkey;
    if (st->table && st->nkey > 0 && !(st->in_result = keymap_new(eddy_api))) {
        eddy_api->expr_destroy(st->where);
        free(st);
        return pu_err(errstr, errstr_size, EDDY_ENOMEM, "out of memory");
    }
    *state = st;
    return 0;
}

static int filter_process(eddy_op *op, void *state, int port, eddy_batch *in)
{
    filter_state *st = state;
    eddy_batch *out = eddy_api->batch_new(op, in->schema, in->n);
    if (!out)
        return EDDY_ENOMEM;
    char why[EDDY_ERRSTR_SIZE];
    int rc = 0;
    for (uint32_t i = 0; i < in->n; i++) {
        const eddy_record *rec = &in->recs[i];
        why[0] = '\0';
        /* A table's delete passes through (the key is gone whatever the predicate says); a
         * stream's null value is dropped, as ksqlDB's WHERE drops it (null.json). */
        int keep = 1;
        if (rec->flags & EDDY_REC_TOMBSTONE) {
            keep = st->table;
        } else {
            /* Temporaries of the evaluation go into the output's arena. */
            keep = pu_eval_predicate(eddy_api, op, st->where, rec, out->arena, why, sizeof why);
            if (keep < 0) {
                /* As ksqlDB: the error is logged and the predicate counts as false. */
                eddy_api->record_error(op, rec, NULL, 0, keep, why);
                keep = 0;
            }
        }
        bool emit = keep;
        if (st->in_result) {
            /* A table: the result holds the keys whose last row passed; only a change of
             * that set is emitted (as Kafka Streams' table filter). */
            bool tomb = (rec->flags & EDDY_REC_TOMBSTONE) != 0;
            if (keep && !tomb) {
                if (!keymap_put(st->in_result, rec->cols, st->nkey, NULL)) {
                    rc = EDDY_ENOMEM;
                    break;
                }
            } else {
                emit = keymap_remove(st->in_result, rec->cols, st->nkey);
            }
        } else if (st->table) {
            emit = true; /* no key to track: every rejected row is a delete */
        }
        eddy_record *o = emit ? eddy_api->batch_append_copy(out, rec) : NULL;
        if (emit && !o) {
            rc = EDDY_ENOMEM;
            break;
        }
        if (!keep && o)
            o->flags |= EDDY_REC_TOMBSTONE; /* a table row that no longer qualifies */
    }
    bool changed = false;
    for (uint32_t i = 0; !changed && i < out->n; i++)
        changed = out->recs[i].flags != in->recs[i].flags;
    if (rc == 0 && out->n == in->n && !changed)
        rc = eddy_api->emit(op, 0, in);
    else if (rc == 0 && out->n > 0) {
        rc = eddy_api->batch_retain_parent(out, in);
        if (rc == 0)
            rc = eddy_api->emit(op, 0, out);
    }
    eddy_api->batch_release(out);
    return rc;
}

static void filter_destroy(eddy_op *op, void *state)
{
    filter_state *st = state;
    if (!st)
        return;
    eddy_api->expr_destroy(st->where);
    keymap_free(st->in_result);
    free(st);
}

static const eddy_plugin filter_plugin = {
    .abi_version = EDDY_PLUGIN_ABI_VERSION,
    .size = sizeof(eddy_plugin),
    .name = "filter",
    .description = "Keeps the records for which a BOOLEAN expression is TRUE (WHERE).",
    .version = "1.0.0",
    .kind = EDDY_PLUGIN_TRANSFORM,
    .min_inputs = 1,
    .max_inputs = 1,
    .config = filter_config,
    .plan = filter_plan,
    .create = filter_create,
    .process = filter_process,
    .destroy = filter_destroy,
};

EDDY_PLUGIN_DEFINE(filter_plugin)
