/* split.c: routes each record to the output ports whose predicate is TRUE (every matching
 * port, or only the first), and optionally the rest to an `else` port. Zero copy, as filter:
 * each port's batch holds shallow copies and retains the input; a port that gets every record
 * gets the input batch itself. */
#include "eddy/plugin.h"
#include "../common/putil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

EDDY_PLUGIN_API;

static const eddy_config_prop split_config[] = {
    {"outputs", EDDY_CONF_STRING_MAP, NULL, EDDY_CONF_REQUIRED, NULL,
     "Output port name -> BOOLEAN predicate, in port order: {\"low\": \"STARS < 3\", ...}. A "
     "record goes to a port when its predicate is TRUE."},
    {"else", EDDY_CONF_STRING, NULL, 0, NULL,
     "Name of an extra last port for the records no predicate accepts (default: drop them)."},
    {"first_match", EDDY_CONF_BOOL, "false", 0, NULL,
     "true: a record goes only to the first port whose predicate is TRUE; false: to every one."},
    {NULL, 0, NULL, 0, NULL, NULL}};

typedef struct split_state {
    size_t npred;        /* predicates; port i < npred is predicate i */
    eddy_expr **preds;
    const char **names;
    bool has_else;       /* port npred is the else port */
    bool first_match;
    eddy_batch **outs;   /* per port, during process */
    bool *hit;           /* per port, for the record being routed */
} split_state;

static void split_free(split_state *st)
{
    if (!st)
        return;
    for (size_t i = 0; i < st->npred; i++)
        eddy_api->expr_destroy(st->preds[i]);
    free(st->preds);
    free(st->names);
    free(st->outs);
    free(st->hit);
    free(st);
}

static int split_build(eddy_op *op, bool declare, split_state **out, char *errstr,
                       size_t errstr_size)
{
    const eddy_schema *in = eddy_api->input_schema(op, 0);
    size_t n = eddy_api->config_count(op, "outputs");
    if (n == 0)
        return pu_err(errstr, errstr_size, EDDY_EINVAL, "config 'outputs': must not be empty");
    const char *else_name = eddy_api->config_has(op, "else") ? eddy_api->config_str(op, "else")
                                                             : NULL;
    split_state *st = calloc(1, sizeof *st);
    if (!st)
        return pu_err(errstr, errstr_size, EDDY_ENOMEM, "out of memory");
    st->preds = calloc(n, sizeof *st->preds);
    st->names = calloc(n, sizeof *st->names);
    st->outs = calloc(n + 1, sizeof *st->outs);
    st->hit = calloc(n + 1, sizeof *st->hit);
    int rc = 0;
    if (!st->preds || !st->names || !st->outs || !st->hit) {
        rc = pu_err(errstr, errstr_size, EDDY_ENOMEM, "out of memory");
        goto fail;
    }
    st->first_match = eddy_api->config_bool(op, "first_match");
    for (size_t i = 0; i < n; i++) {
        const char *name = NULL;
        const char *text = eddy_api->config_entry(op, "outputs", i, &name);
        if (!name || !name[0]) {
            rc = pu_err(errstr, errstr_size, EDDY_EINVAL,
                        "config 'outputs': port names must not be empty");
            goto fail;
        }
        if (else_name && strcmp(name, else_name) == 0) {
            rc = pu_err(errstr, errstr_size, EDDY_EEXIST,
                        "config 'else': port '%s' is already one of 'outputs'", name);
            goto fail;
        }
        char what[256];
        snprintf(what, sizeof what, "config 'outputs': port '%s'", name);
        rc = pu_compile_predicate(eddy_api, op, what, text, in, &st->preds[i], errstr,
                                  errstr_size);
        if (rc)
            goto fail;
        st->npred = i + 1;
        st->names[i] = name;
        if (declare && (rc = eddy_api->output_add(op, name, in, errstr, errstr_size)) != 0)
            goto fail;
    }
    if (else_name) {
        if (!else_name[0]) {
            rc = pu_err(errstr, errstr_size, EDDY_EINVAL, "config 'else': must not be empty");
            goto fail;
        }
        st->has_else = true;
        if (declare && (rc = eddy_api->output_add(op, else_name, in, errstr, errstr_size)) != 0)
            goto fail;
    }
    *out = st;
    return 0;
fail:
    split_free(st);
    return rc;
}

static int split_plan(eddy_op *op, char *errstr, size_t errstr_size)
{
    split_state *st = NULL;
    int rc = split_build(op, true, &st, errstr, errstr_size);
    split_free(st);
    return rc;
}

static int split_create(eddy_op *op, void **state, char *errstr, size_t errstr_size)
{
    split_state *st = NULL;
    int rc = split_build(op, false, &st, errstr, errstr_size);
    if (rc == 0)
        *state = st;
    return rc;
}

static int add_to_port(eddy_op *op, split_state *st, size_t port, eddy_batch *in,
                       const eddy_record *rec)
{
    if (!st->outs[port]) {
        st->outs[port] = eddy_api->batch_new(op, in->schema, in->n);
        if (!st->outs[port] || eddy_api->batch_retain_parent(st->outs[port], in) != 0)
            return EDDY_ENOMEM;
    }
    return eddy_api->batch_append_copy(st->outs[port], rec) ? 0 : EDDY_ENOMEM;
}

static int split_process(eddy_op *op, void *state, int port, eddy_batch *in)
{
    split_state *st = state;
    size_t nports = st->npred + (st->has_else ? 1 : 0);
    /* A scratch batch only lends its arena to the evaluation's temporaries. */
    eddy_batch *scratch = eddy_api->batch_new(op, in->schema, 0);
    if (!scratch)
        return EDDY_ENOMEM;
    char why[EDDY_ERRSTR_SIZE];
    int rc = 0;
    for (uint32_t r = 0; rc == 0 && r < in->n; r++) {
        const eddy_record *rec = &in->recs[r];
        bool any = false, failed = false;
        memset(st->hit, 0, nports * sizeof *st->hit);
        for (size_t p = 0; p < st->npred; p++) {
            why[0] = '\0';
            int t = pu_eval_predicate(eddy_api, op, st->preds[p], rec, scratch->arena, why,
                                      sizeof why);
            if (t < 0) {
                char reason[EDDY_ERRSTR_SIZE + 64];
                snprintf(reason, sizeof reason, "port '%s': %s", st->names[p], why);
                eddy_api->record_error(op, rec, NULL, 0, t, reason);
                failed = true;
                break;
            }
            if (t) {
                st->hit[p] = any = true;
                if (st->first_match)
                    break;
            }
        }
        if (failed)
            continue;
        if (!any && st->has_else)
            st->hit[st->npred] = true;
        for (size_t p = 0; rc == 0 && p < nports; p++)
            if (st->hit[p])
                rc = add_to_port(op, st, p, in, rec);
    }
    for (size_t p = 0; p < nports; p++) {
        eddy_batch *b = st->outs[p];
        if (!b)
            continue;
        if (rc == 0)
            rc = eddy_api->emit(op, (int)p, b->n == in->n ? in : b);
        eddy_api->batch_release(b);
        st->outs[p] = NULL;
    }
    eddy_api->batch_release(scratch);
    return rc;
}

static void split_destroy(eddy_op *op, void *state)
{
    split_free(state);
}

static const eddy_plugin split_plugin = {
    .abi_version = EDDY_PLUGIN_ABI_VERSION,
    .size = sizeof(eddy_plugin),
    .name = "split",
    .description = "Routes records to output ports by predicate (every matching port or the "
                   "first), the rest to an optional else port.",
    .version = "1.0.0",
    .kind = EDDY_PLUGIN_TRANSFORM,
    .min_inputs = 1,
    .max_inputs = 1,
    .config = split_config,
    .plan = split_plan,
    .create = split_create,
    .process = split_process,
    .destroy = split_destroy,
};

EDDY_PLUGIN_DEFINE(split_plugin)
