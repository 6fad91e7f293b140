/* join.c: stream-table join (INNER, LEFT): input 1 is a table's changelog, materialised by its
 * key (updates replace, tombstones delete); each record of the stream on input 0 looks up the
 * table row whose key equals its join expression and is emitted with it (LEFT: with NULLs when
 * there is none). Table updates emit nothing, as in ksqlDB. The output has every stream column
 * then every table column, named <prefix>_<column>. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "eddy/plugin.h"
#include "../common/putil.h"

EDDY_PLUGIN_API;

static const eddy_config_prop config[] = {
    {"type", EDDY_CONF_ENUM, "INNER", 0, "INNER|LEFT", "Join type."},
    {"left_key", EDDY_CONF_EXPR, NULL, EDDY_CONF_REQUIRED, NULL,
     "Expression over the stream (input 0) matched against the table's key (input 1)."},
    {"left_prefix", EDDY_CONF_STRING, "L", 0, NULL, "Prefix of the stream's columns."},
    {"right_prefix", EDDY_CONF_STRING, "R", 0, NULL, "Prefix of the table's columns."},
    {NULL, 0, NULL, 0, NULL, NULL}};

typedef struct row {
    uint64_t hash;
    eddy_value *cols; /* the table row (store arena) */
    int32_t next;
    bool live;
} row;

typedef struct state {
    eddy_schema *out;
    eddy_expr *key;
    bool left;
    uint32_t nleft, nright;
    eddy_arena *store;
    row *rows;
    int32_t nrows, cap;
    int32_t *buckets;
    uint32_t nbuckets;
} state;

static void free_state(state *st)
{
    eddy_api->expr_destroy(st->key);
    eddy_api->schema_release(st->out);
    if (st->store)
        eddy_api->arena_destroy(st->store);
    free(st->rows);
    free(st->buckets);
    free(st);
}

static int compile(eddy_op *op, state *st, char *errstr, size_t errstr_size)
{
    const eddy_schema *l = eddy_api->input_schema(op, 0), *r = eddy_api->input_schema(op, 1);
    if (r->nkey != 1)
        return pu_err(errstr, errstr_size, EDDY_EINVAL,
                      "input '%s': the table must have exactly one key column",
                      eddy_api->input_name(op, 1));
    char why[EDDY_ERRSTR_SIZE] = "";
    int rc = eddy_api->expr_compile(op, eddy_api->config_str(op, "left_key"), l, &st->key, why,
                                    sizeof why);
    if (rc)
        return pu_err(errstr, errstr_size, rc, "config 'left_key': %s", why);
    if (eddy_api->expr_type(st->key) != r->cols[0].type) {
        char a[128], b[128];
        pu_type_name(eddy_api, eddy_api->expr_type(st->key), a, sizeof a);
        pu_type_name(eddy_api, r->cols[0].type, b, sizeof b);
        return pu_err(errstr, errstr_size, EDDY_ETYPE,
                      "Invalid join condition: types don't match. Got %s{%s} = %s{%s}.",
                      eddy_api->config_str(op, "left_key"), a, r->cols[0].name, b);
    }
    st->left = strcasecmp(eddy_api->config_str(op, "type"), "LEFT") == 0;
    st->nleft = l->ncols;
    st->nright = r->ncols;
    eddy_schema_builder *b = eddy_api->schema_builder_new();
    const char *lp = eddy_api->config_str(op, "left_prefix");
    const char *rp = eddy_api->config_str(op, "right_prefix");
    for (int side = 0; side < 2 && rc == 0; side++) {
        const eddy_schema *s = side ? r : l;
        for (uint32_t i = 0; i < s->ncols && rc == 0; i++) {
            char name[512];
            snprintf(name, sizeof name, "%s_%s", side ? rp : lp, s->cols[i].name);
            if (eddy_api->schema_builder_add(b, name, s->cols[i].type, EDDY_COL_VALUE))
                rc = pu_err(errstr, errstr_size, EDDY_EEXIST, "column '%s' twice in the join",
                            name);
        }
    }
    st->out = eddy_api->schema_build(b);
    return rc ? rc : st->out ? 0 : EDDY_ENOMEM;
}

static int plan(eddy_op *op, char *errstr, size_t errstr_size)
{
    state *st = calloc(1, sizeof *st);
    if (!st)
        return EDDY_ENOMEM;
    int rc = compile(op, st, errstr, errstr_size);
    if (rc == 0)
        rc = eddy_api->output_add(op, NULL, st->out, errstr, errstr_size);
    free_state(st);
    return rc;
}

static int create(eddy_op *op, void **out, char *errstr, size_t errstr_size)
{
    state *st = calloc(1, sizeof *st);
    if (!st)
        return EDDY_ENOMEM;
    int rc = compile(op, st, errstr, errstr_size);
    st->store = eddy_api->arena_new(0);
    st->nbuckets = 1024;
    st->buckets = malloc(st->nbuckets * sizeof *st->buckets);
    if (rc == 0 && (!st->store || !st->buckets))
        rc = EDDY_ENOMEM;
    if (rc) {
        free_state(st);
        return rc;
    }
    memset(st->buckets, 0xff, st->nbuckets * sizeof *st->buckets);
    *out = st;
    return 0;
}

static row *find(state *st, const eddy_value *key, uint64_t h)
{
    for (int32_t i = st->buckets[h & (st->nbuckets - 1)]; i >= 0; i = st->rows[i].next)
        if (st->rows[i].live && st->rows[i].hash == h &&
            eddy_api->value_equal(&st->rows[i].cols[0], key))
            return &st->rows[i];
    return NULL;
}

static int upsert(state *st, const eddy_record *r)
{
    uint64_t h = eddy_api->value_hash(&r->cols[0], 0);
    row *w = find(st, &r->cols[0], h);
    if (r->flags & EDDY_REC_TOMBSTONE) {
        if (w)
            w->live = false;
        return 0;
    }
    if (!w) {
        if (st->nrows == st->cap) {
            int32_t cap = st->cap ? st->cap * 2 : 256;
            row *p = realloc(st->rows, (size_t)cap * sizeof *p);
            if (!p)
                return EDDY_ENOMEM;
            st->rows = p;
            st->cap = cap;
        }
        if ((uint32_t)st->nrows >= st->nbuckets) {
            uint32_t nb = st->nbuckets * 2;
            int32_t *b = malloc(nb * sizeof *b);
            if (!b)
                return EDDY_ENOMEM;
            memset(b, 0xff, nb * sizeof *b);
            for (int32_t i = 0; i < st->nrows; i++) {
                uint32_t k = (uint32_t)(st->rows[i].hash & (nb - 1));
                st->rows[i].next = b[k];
                b[k] = i;
            }
            free(st->buckets);
            st->buckets = b;
            st->nbuckets = nb;
        }
        w = &st->rows[st->nrows];
        w->hash = h;
        w->live = true;
        uint32_t k = (uint32_t)(h & (st->nbuckets - 1));
        w->next = st->buckets[k];
        st->buckets[k] = st->nrows++;
    }
    /* Old versions of the row stay in the store: batches already emitted point at them. */
    w->cols = eddy_api->arena_alloc(st->store, st->nright * sizeof *w->cols);
    if (!w->cols)
        return EDDY_ENOMEM;
    for (uint32_t i = 0; i < st->nright; i++)
        if (eddy_api->value_copy(st->store, &r->cols[i], &w->cols[i]))
            return EDDY_ENOMEM;
    return 0;
}

static int process(eddy_op *op, void *vs, int port, eddy_batch *in)
{
    state *st = vs;
    if (port == 1) {
        for (uint32_t i = 0; i < in->n; i++) {
            int rc = upsert(st, &in->recs[i]);
            if (rc)
                return rc;
        }
        return 0;
    }
    eddy_batch *out = eddy_api->batch_new(op, st->out, in->n);
    if (!out)
        return EDDY_ENOMEM;
    int rc = eddy_api->batch_retain_parent(out, in);
    char why[EDDY_ERRSTR_SIZE];
    const eddy_schema *rs = eddy_api->input_schema(op, 1);
    for (uint32_t i = 0; rc == 0 && i < in->n; i++) {
        const eddy_record *r = &in->recs[i];
        if (r->flags & EDDY_REC_TOMBSTONE)
            continue; /* a null stream row joins nothing */
        eddy_value k;
        why[0] = '\0';
        int erc = eddy_api->expr_eval(op, st->key, r, out->arena, &k, why, sizeof why);
        if (erc) {
            eddy_api->record_error(op, r, NULL, 0, erc, why);
            continue;
        }
        const row *w = k.is_null ? NULL : find(st, &k, eddy_api->value_hash(&k, 0));
        if (!w && (!st->left || k.is_null))
            continue;
        eddy_record *o = eddy_api->batch_append(out);
        if (!o) {
            rc = EDDY_ENOMEM;
            break;
        }
        eddy_value *cols = o->cols;
        *o = *r;
        o->cols = cols;
        o->flags &= ~(uint32_t)EDDY_REC_WINDOWED;
        memcpy(cols, r->cols, st->nleft * sizeof *cols);
        for (uint32_t c = 0; c < st->nright; c++)
            cols[st->nleft + c] = w ? w->cols[c] : eddy_null(rs->cols[c].type->id);
    }
    if (rc == 0)
        rc = eddy_api->emit(op, 0, out);
    eddy_api->batch_release(out);
    return rc;
}

static void destroy(eddy_op *op, void *vs)
{
    if (vs)
        free_state(vs);
}

static const eddy_plugin descriptor = {
    .abi_version = EDDY_PLUGIN_ABI_VERSION,
    .size = sizeof(eddy_plugin),
    .name = "join",
    .description = "Stream-table join (INNER, LEFT): each stream record meets the table row "
                   "of its key.",
    .version = "1.0.0",
    .kind = EDDY_PLUGIN_TRANSFORM,
    .min_inputs = 2,
    .max_inputs = 2,
    .config = config,
    .plan = plan,
    .create = create,
    .process = process,
    .destroy = destroy,
};

EDDY_PLUGIN_DEFINE(descriptor)
