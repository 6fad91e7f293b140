/* aggregate.c: GROUP BY with aggregate functions, optionally windowed (TUMBLING, HOPPING,
 * SESSION): keeps one accumulator per group (and window) and emits the group's updated row
 * for every input record, as ksqlDB does uncached. Records too late for their window (stream
 * time at or past window end + grace) are dropped. State is in memory, and in Kafka runs also
 * in changelogs (stores "groups": (group key, window) -> accumulators; "rows" for a table
 * input: input key -> its current row), written at each flush for what changed since, and
 * restored when a task is created. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "eddy/plugin.h"
#include "../common/putil.h"

EDDY_PLUGIN_API;

static const eddy_config_prop config[] = {
    {"group_by", EDDY_CONF_STRING_MAP, NULL, EDDY_CONF_REQUIRED, NULL,
     "Key column name -> expression, in key order: {\"ID\": \"ID\"}."},
    {"aggregates", EDDY_CONF_STRING_MAP, NULL, EDDY_CONF_REQUIRED, NULL,
     "Value column name -> aggregate call: {\"TOTAL\": \"SUM(AMOUNT)\", \"N\": \"COUNT(*)\"}."},
    {"window", EDDY_CONF_ENUM, "NONE", 0, "NONE|TUMBLING|HOPPING|SESSION",
     "Windowing of the groups."},
    {"size_ms", EDDY_CONF_INT, "0", 0, NULL, "Window size (SESSION: the inactivity gap)."},
    {"advance_ms", EDDY_CONF_INT, "0", 0, NULL, "HOPPING: the advance."},
    {"grace_ms", EDDY_CONF_INT, "86400000", 0, NULL,
     "How long after a window's end records are still accepted (stream time)."},
    {"table", EDDY_CONF_BOOL, "false", 0, NULL,
     "The input is a table's changelog: an update first takes the key's previous row out of "
     "its group (undo), then adds the new one; a delete only takes it out."},
    {NULL, 0, NULL, 0, NULL, NULL}};

enum { WIN_NONE, WIN_TUMBLING, WIN_HOPPING, WIN_SESSION };

typedef struct entry {
    uint64_t hash;
    int64_t ws, we;     /* window bounds (0, 0 when not windowed) */
    eddy_value *key;    /* nkeys values (store arena) */
    eddy_value *acc;    /* naggs accumulators (store arena) */
    int32_t next;       /* chain in the bucket, -1 ends */
    bool live;
    bool dirty;         /* changed since the last flush (in st->dirty) */
} entry;

typedef struct state {
    eddy_schema *out;
    int nkeys, naggs;
    eddy_expr **keys;
    eddy_agg **aggs;
    int window;
    int64_t size, advance, grace;
    int64_t stream_time;
    eddy_arena *store;
    entry *entries;
    int32_t nentries, cap;
    int32_t *buckets;
    uint32_t nbuckets;
    /* table input: the current row of each input key */
    bool table;
    uint32_t in_nkey, in_ncols;
    struct prev {
        uint64_t hash;
        eddy_value *cols;   /* NULL when the key was deleted */
        eddy_value *keycols; /* the input key (store arena) */
        int32_t next;
        bool dirty;
    } *prevs;
    int32_t nprevs, capprevs;
    int32_t *pbuckets;
    uint32_t npbuckets;
    /* changelogs */
    eddy_schema *gschema;       /* K0.., WS, WE (KEY), A0.. (the accumulators' types) */
    eddy_serde *gkey, *gval;    /* JSON */
    eddy_serde *rkey, *rval;    /* table input rows, JSON */
    int32_t *dirty, ndirty, capdirty;    /* entries */
    int32_t *pdirty, npdirty, cappdirty; /* prevs */
    eddy_buf kb, vb;
    eddy_arena *scratch;
} state;

static int window_kind(eddy_op *op)
{
    const char *w = eddy_api->config_str(op, "window");
    return strcasecmp(w, "TUMBLING") == 0   ? WIN_TUMBLING
           : strcasecmp(w, "HOPPING") == 0  ? WIN_HOPPING
           : strcasecmp(w, "SESSION") == 0  ? WIN_SESSION
                                            : WIN_NONE;
}

static void free_state(state *st)
{
    for (int i = 0; st->keys && i < st->nkeys; i++)
        eddy_api->expr_destroy(st->keys[i]);
    for (int i = 0; st->aggs && i < st->naggs; i++)
        eddy_api->agg_destroy(st->aggs[i]);
    free(st->keys);
    free(st->aggs);
    eddy_api->schema_release(st->out);
    if (st->store)
        eddy_api->arena_destroy(st->store);
    free(st->entries);
    free(st->buckets);
    free(st->prevs);
    free(st->pbuckets);
    eddy_api->schema_release(st->gschema);
    eddy_api->serde_destroy(st->gkey);
    eddy_api->serde_destroy(st->gval);
    eddy_api->serde_destroy(st->rkey);
    eddy_api->serde_destroy(st->rval);
    free(st->dirty);
    free(st->pdirty);
    eddy_api->buf_free(&st->kb);
    eddy_api->buf_free(&st->vb);
    if (st->scratch)
        eddy_api->arena_destroy(st->scratch);
    free(st);
}

/* Compiles the config into `st` and builds the output schema. */
static int compile(eddy_op *op, state *st, char *errstr, size_t errstr_size)
{
    const eddy_schema *in = eddy_api->input_schema(op, 0);
    st->nkeys = (int)eddy_api->config_count(op, "group_by");
    st->naggs = (int)eddy_api->config_count(op, "aggregates");
    st->keys = calloc((size_t)st->nkeys + 1, sizeof *st->keys);
    st->aggs = calloc((size_t)st->naggs + 1, sizeof *st->aggs);
    if (!st->keys || !st->aggs)
        return EDDY_ENOMEM;
    if (st->naggs == 0)
        return pu_err(errstr, errstr_size, EDDY_EINVAL, "config 'aggregates': none given");
    eddy_schema_builder *b = eddy_api->schema_builder_new();
    char why[EDDY_ERRSTR_SIZE];
    int rc = 0;
    for (int i = 0; i < st->nkeys && rc == 0; i++) {
        const char *name, *text = eddy_api->config_entry(op, "group_by", (size_t)i, &name);
        why[0] = '\0';
        rc = eddy_api->expr_compile(op, text, in, &st->keys[i], why, sizeof why);
        if (rc)
            rc = pu_err(errstr, errstr_size, rc, "config 'group_by': %s: %s", name, why);
        else if (eddy_api->schema_builder_add(b, name, eddy_api->expr_type(st->keys[i]),
                                              EDDY_COL_KEY))
            rc = pu_err(errstr, errstr_size, EDDY_EEXIST, "config 'group_by': column '%s' "
                        "named twice", name);
    }
    for (int i = 0; i < st->naggs && rc == 0; i++) {
        const char *name, *text = eddy_api->config_entry(op, "aggregates", (size_t)i, &name);
        why[0] = '\0';
        rc = eddy_api->agg_compile(op, text, in, &st->aggs[i], why, sizeof why);
        if (rc)
            rc = pu_err(errstr, errstr_size, rc, "%s", why);
        else if (eddy_api->schema_builder_add(b, name, eddy_api->agg_type(st->aggs[i]),
                                              EDDY_COL_VALUE))
            rc = pu_err(errstr, errstr_size, EDDY_EEXIST, "config 'aggregates': column '%s' "
                        "named twice", name);
    }
    st->out = eddy_api->schema_build(b);
    if (rc == 0 && !st->out)
        rc = EDDY_ENOMEM;
    st->window = window_kind(op);
    st->size = eddy_api->config_int(op, "size_ms");
    st->advance = eddy_api->config_int(op, "advance_ms");
    st->grace = eddy_api->config_int(op, "grace_ms");
    if (rc == 0 && st->window != WIN_NONE && st->size <= 0)
        rc = pu_err(errstr, errstr_size, EDDY_EINVAL, "config 'size_ms': must be positive");
    if (rc == 0 && st->window == WIN_HOPPING && (st->advance <= 0 || st->advance > st->size))
        rc = pu_err(errstr, errstr_size, EDDY_EINVAL,
                    "config 'advance_ms': must be positive and at most the window size");
    st->table = eddy_api->config_bool(op, "table");
    st->in_nkey = in->nkey;
    st->in_ncols = in->ncols;
    if (rc == 0 && st->table && st->window != WIN_NONE)
        rc = pu_err(errstr, errstr_size, EDDY_EINVAL, "a table cannot be windowed");
    if (rc == 0 && st->table && in->nkey == 0)
        rc = pu_err(errstr, errstr_size, EDDY_EINVAL, "a table input needs key columns");
    for (int i = 0; rc == 0 && st->table && i < st->naggs; i++)
        if (!eddy_api->agg_can_undo(st->aggs[i]))
            rc = pu_err(errstr, errstr_size, EDDY_EINVAL,
                        "config 'aggregates': %s cannot aggregate a table: it cannot take a "
                        "row back out (no undo)",
                        eddy_api->config_entry(op, "aggregates", (size_t)i, NULL));
    return rc;
}

static int plan(eddy_op *op, char *errstr, size_t errstr_size)
{
    state *st = calloc(1, sizeof *st);
    if (!st)
        return EDDY_ENOMEM;
    int rc = compile(op, st, errstr, errstr_size);
    if (rc == 0)
        rc = eddy_api->output_add(op, NULL, st->out, errstr, errstr_size);
    if (rc == 0)
        rc = eddy_api->store_declare(op, "groups", errstr, errstr_size);
    if (rc == 0 && st->table)
        rc = eddy_api->store_declare(op, "rows", errstr, errstr_size);
    /* A stream is grouped where its groups live: in a Kafka run, records go through a
     * repartition topic by group key unless they are keyed by it already. A table regrouped
     * on other columns needs each key's previous row where its old group lives (Kafka
     * Streams sends a subtract and an add through the repartition topic): until eddy does,
     * all of such a table's records meet in one task (a constant key), which is exact but
     * does not scale out (docs/kafka.md). */
    if (rc == 0 && st->nkeys > 0) {
        const char **exprs = calloc((size_t)st->nkeys, sizeof *exprs);
        if (!exprs)
            rc = EDDY_ENOMEM;
        for (int i = 0; exprs && i < st->nkeys; i++)
            exprs[i] = eddy_api->config_entry(op, "group_by", (size_t)i, NULL);
        if (exprs && !st->table) {
            rc = pu_partition_by(eddy_api, op, 0, exprs, st->nkeys, "KAFKA", errstr,
                                 errstr_size);
        } else if (exprs) {
            static const char *const one[] = {"0"};
            if (!pu_keyed_by(exprs, st->nkeys, eddy_api->input_schema(op, 0)))
                rc = pu_partition_by(eddy_api, op, 0, one, 1, "KAFKA", errstr, errstr_size);
        }
        free(exprs);
    }
    free_state(st);
    return rc;
}

static int store_serdes(eddy_op *op, state *st, char *errstr, size_t errstr_size);
static int restore(eddy_op *op, state *st, char *errstr, size_t errstr_size);

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
    st->stream_time = INT64_MIN;
    rc = store_serdes(op, st, errstr, errstr_size);
    if (rc == 0)
        rc = restore(op, st, errstr, errstr_size);
    if (rc) {
        free_state(st);
        return rc;
    }
    *out = st;
    return 0;
}

static uint64_t key_hash(const state *st, const eddy_value *kv)
{
    uint64_t h = 0x9e3779b97f4a7c15ull;
    for (int i = 0; i < st->nkeys; i++)
        h = eddy_api->value_hash(&kv[i], h);
    return h;
}

static bool key_equal(const state *st, const eddy_value *a, const eddy_value *b)
{
    for (int i = 0; i < st->nkeys; i++)
        if (!eddy_api->value_equal(&a[i], &b[i]))
            return false;
    return true;
}

static int rehash(state *st)
{
    uint32_t nb = st->nbuckets * 2;
    int32_t *b = malloc(nb * sizeof *b);
    if (!b)
        return EDDY_ENOMEM;
    memset(b, 0xff, nb * sizeof *b);
    for (int32_t i = 0; i < st->nentries; i++) {
        uint32_t k = (uint32_t)(st->entries[i].hash & (nb - 1));
        st->entries[i].next = b[k];
        b[k] = i;
    }
    free(st->buckets);
    st->buckets = b;
    st->nbuckets = nb;
    return 0;
}

/* The entry of (key, window), created (accumulators initialised) when `create`. */
static entry *lookup(state *st, uint64_t h, const eddy_value *kv, int64_t ws, int64_t we,
                     bool create, char *why, size_t n)
{
    for (int32_t i = st->buckets[h & (st->nbuckets - 1)]; i >= 0; i = st->entries[i].next) {
        entry *e = &st->entries[i];
        if (e->live && e->hash == h && e->ws == ws && e->we == we && key_equal(st, e->key, kv))
            return e;
    }
    if (!create)
        return NULL;
    if (st->nentries == st->cap) {
        int32_t cap = st->cap ? st->cap * 2 : 256;
        entry *p = realloc(st->entries, (size_t)cap * sizeof *p);
        if (!p)
            return NULL;
        st->entries = p;
        st->cap = cap;
    }
    if ((uint32_t)st->nentries >= st->nbuckets && rehash(st))
        return NULL;
    entry *e = &st->entries[st->nentries];
    e->hash = h;
    e->ws = ws;
    e->we = we;
    e->live = true;
    e->dirty = false;
    e->key = eddy_api->arena_alloc(st->store, (size_t)st->nkeys * sizeof *e->key + 1);
    e->acc = eddy_api->arena_alloc(st->store, (size_t)st->naggs * sizeof *e->acc + 1);
    if (!e->key || !e->acc)
        return NULL;
    for (int i = 0; i < st->nkeys; i++)
        if (eddy_api->value_copy(st->store, &kv[i], &e->key[i]))
            return NULL;
    for (int i = 0; i < st->naggs; i++) {
        eddy_value acc;
        if (eddy_api->agg_init(st->aggs[i], st->store, &acc, why, n) ||
            eddy_api->value_copy(st->store, &acc, &e->acc[i]))
            return NULL;
    }
    uint32_t k = (uint32_t)(h & (st->nbuckets - 1));
    e->next = st->buckets[k];
    st->buckets[k] = st->nentries++;
    return e;
}

/* Notes that `e` changed: its new state goes to the changelog at the next flush. */
static int mark_dirty(state *st, entry *e)
{
    if (e->dirty)
        return 0;
    if (st->ndirty == st->capdirty) {
        int32_t cap = st->capdirty ? st->capdirty * 2 : 256;
        int32_t *d = realloc(st->dirty, (size_t)cap * sizeof *d);
        if (!d)
            return EDDY_ENOMEM;
        st->dirty = d;
        st->capdirty = cap;
    }
    st->dirty[st->ndirty++] = (int32_t)(e - st->entries);
    e->dirty = true;
    return 0;
}

/* Appends the output row of `e` (or its tombstone) to `out`; every change of an entry is
 * emitted, so this is also where it is marked for the changelog. */
static int emit_row(state *st, eddy_batch *out, entry *e, const eddy_record *src,
                    bool tombstone, char *why, size_t n)
{
    if (mark_dirty(st, e))
        return EDDY_ENOMEM;
    eddy_record *o = eddy_api->batch_append(out);
    if (!o)
        return EDDY_ENOMEM;
    o->rowtime = src->rowtime;
    o->origin = src->origin;
    if (st->window != WIN_NONE) {
        o->flags |= EDDY_REC_WINDOWED;
        o->win_start = e->ws;
        o->win_end = e->we;
    }
    for (int i = 0; i < st->nkeys; i++)
        o->cols[i] = e->key[i];
    if (tombstone) {
        o->flags |= EDDY_REC_TOMBSTONE;
        return 0;
    }
    for (int i = 0; i < st->naggs; i++) {
        int rc = eddy_api->agg_result(st->aggs[i], &e->acc[i], out->arena,
                                      &o->cols[st->nkeys + i], why, n);
        if (rc)
            return rc;
    }
    return 0;
}

/* Folds `r` into entry `e` (new accumulators copied into the store). */
static int fold(state *st, entry *e, const eddy_record *r, eddy_arena *scratch, char *why,
                size_t n)
{
    for (int i = 0; i < st->naggs; i++) {
        eddy_value acc = e->acc[i];
        int rc = eddy_api->agg_add(st->aggs[i], r, scratch, &acc, why, n);
        if (rc)
            return rc;
        if ((rc = eddy_api->value_copy(st->store, &acc, &e->acc[i])))
            return rc;
    }
    return 0;
}

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

static int session(eddy_op *op, state *st, eddy_batch *out, const eddy_record *r,
                   const eddy_value *kv, uint64_t h, char *why, size_t n)
{
    int64_t ts = r->rowtime, ws = ts, we = ts;
    /* Sessions of this key that the record touches merge into one. */
    int32_t merged[64];
    int nm = 0;
    for (int32_t i = 0; i < st->nentries && nm < 64; i++) {
        entry *e = &st->entries[i];
        if (e->live && e->hash == h && key_equal(st, e->key, kv) && ts >= e->ws - st->size &&
            ts <= e->we + st->size) {
            merged[nm++] = i;
            ws = e->ws < ws ? e->ws : ws;
            we = e->we > we ? e->we : we;
        }
    }
    if (st->stream_time >= we + st->grace)
        return 0; /* too late */
    int rc = 0;
    entry *target = NULL;
    for (int k = 0; k < nm && rc == 0; k++) {
        entry *e = &st->entries[merged[k]];
        if (e->ws == ws && e->we == we) {
            target = e; /* the record falls inside an existing session */
            continue;
        }
        /* The old session goes away: its delete carries its own (last) time. */
        eddy_record at = *r;
        at.rowtime = e->we;
        rc = emit_row(st, out, e, &at, true, why, n);
    }
    if (rc)
        return rc;
    if (!target) {
        target = lookup(st, h, kv, ws, we, true, why, n);
        if (!target)
            return EDDY_ENOMEM;
        for (int k = 0; k < nm && rc == 0; k++) {
            entry *e = &st->entries[merged[k]];
            if (e == target)
                continue;
            for (int i = 0; i < st->naggs && rc == 0; i++) {
                eddy_value acc = target->acc[i];
                rc = eddy_api->agg_merge(st->aggs[i], out->arena, &acc, &e->acc[i], why, n);
                if (rc == 0)
                    rc = eddy_api->value_copy(st->store, &acc, &target->acc[i]);
            }
            e->live = false;
            if (mark_dirty(st, e))
                rc = EDDY_ENOMEM;
        }
    }
    if (rc == 0)
        rc = fold(st, target, r, out->arena, why, n);
    if (rc == 0) {
        /* A session's row carries the session's time: its last record's (its end). */
        eddy_record at = *r;
        at.rowtime = target->we;
        rc = emit_row(st, out, target, &at, false, why, n);
    }
    (void)op;
    return rc;
}

/* ------------------------------------------------------------ table input */

static uint64_t in_key_hash(const state *st, const eddy_value *cols)
{
    uint64_t h = 0x51ed270b27a1f35dull;
    for (uint32_t i = 0; i < st->in_nkey; i++)
        h = eddy_api->value_hash(&cols[i], h);
    return h;
}

/* The slot of input key `cols` (created empty when new). */
static struct prev *prev_slot(state *st, const eddy_value *cols)
{
    uint64_t h = in_key_hash(st, cols);
    if (st->pbuckets)
        for (int32_t i = st->pbuckets[h & (st->npbuckets - 1)]; i >= 0; i = st->prevs[i].next) {
            struct prev *p = &st->prevs[i];
            bool eq = p->hash == h && p->cols;
            for (uint32_t k = 0; eq && k < st->in_nkey; k++)
                eq = eddy_api->value_equal(&p->cols[k], &cols[k]);
            if (eq)
                return p;
        }
    if (st->nprevs == st->capprevs) {
        int32_t cap = st->capprevs ? st->capprevs * 2 : 256;
        struct prev *np = realloc(st->prevs, (size_t)cap * sizeof *np);
        if (!np)
            return NULL;
        st->prevs = np;
        st->capprevs = cap;
    }
    if ((uint32_t)st->nprevs >= st->npbuckets) {
        uint32_t nb = st->npbuckets ? st->npbuckets * 2 : 1024;
        int32_t *b = malloc(nb * sizeof *b);
        if (!b)
            return NULL;
        memset(b, 0xff, nb * sizeof *b);
        for (int32_t i = 0; i < st->nprevs; i++) {
            uint32_t k = (uint32_t)(st->prevs[i].hash & (nb - 1));
            st->prevs[i].next = b[k];
            b[k] = i;
        }
        free(st->pbuckets);
        st->pbuckets = b;
        st->npbuckets = nb;
    }
    struct prev *p = &st->prevs[st->nprevs];
    p->hash = h;
    p->cols = NULL;
    p->dirty = false;
    p->keycols = eddy_api->arena_alloc(st->store, (st->in_nkey + 1) * sizeof *p->keycols);
    if (!p->keycols)
        return NULL;
    for (uint32_t i = 0; i < st->in_nkey; i++)
        if (eddy_api->value_copy(st->store, &cols[i], &p->keycols[i]))
            return NULL;
    uint32_t k = (uint32_t)(h & (st->npbuckets - 1));
    p->next = st->pbuckets[k];
    st->pbuckets[k] = st->nprevs++;
    return p;
}

static int mark_prev_dirty(state *st, struct prev *p)
{
    if (p->dirty)
        return 0;
    if (st->npdirty == st->cappdirty) {
        int32_t cap = st->cappdirty ? st->cappdirty * 2 : 256;
        int32_t *d = realloc(st->pdirty, (size_t)cap * sizeof *d);
        if (!d)
            return EDDY_ENOMEM;
        st->pdirty = d;
        st->cappdirty = cap;
    }
    st->pdirty[st->npdirty++] = (int32_t)(p - st->prevs);
    p->dirty = true;
    return 0;
}

/* Evaluates the group key of `r` into kv; 1 when usable, 0 for a NULL key, <0 on error. */
static int group_key(eddy_op *op, state *st, const eddy_record *r, eddy_arena *arena,
                     eddy_value *kv, char *why, size_t n)
{
    for (int i = 0; i < st->nkeys; i++) {
        int rc = eddy_api->expr_eval(op, st->keys[i], r, arena, &kv[i], why, n);
        if (rc)
            return rc;
        if (kv[i].is_null)
            return 0;
    }
    return 1;
}

/* A table update: the key's previous row leaves its group, the new one (unless a delete)
 * joins its group; each touched group emits its updated row. When the row stays in the same
 * group, the group emits once, after both (as Kafka Streams forwards an update whose group
 * key did not change as one change: collect-list.json "collect_list int table"). */
static int table_update(eddy_op *op, state *st, eddy_batch *out, const eddy_record *r,
                        char *why, size_t n)
{
    struct prev *p = prev_slot(st, r->cols);
    if (!p)
        return EDDY_ENOMEM;
    eddy_value kv[64], old_kv[64];
    int rc = 0;
    entry *old_e = NULL;
    if (p->cols) {
        eddy_record old = *r;
        old.cols = p->cols;
        old.flags = 0;
        int g = group_key(op, st, &old, out->arena, old_kv, why, n);
        if (g < 0)
            return g;
        if (g > 0) {
            old_e = lookup(st, key_hash(st, old_kv), old_kv, 0, 0, true, why, n);
            if (!old_e)
                return why[0] ? EDDY_EFUNC : EDDY_ENOMEM;
            for (int i = 0; i < st->naggs && rc == 0; i++) {
                eddy_value acc = old_e->acc[i];
                rc = eddy_api->agg_undo(st->aggs[i], &old, out->arena, &acc, why, n);
                if (rc == 0)
                    rc = eddy_api->value_copy(st->store, &acc, &old_e->acc[i]);
            }
        }
    }
    if (rc)
        return rc;
    bool deleted = r->flags & EDDY_REC_TOMBSTONE;
    int g = deleted ? 0 : group_key(op, st, r, out->arena, kv, why, n);
    if (g < 0)
        return g;
    bool same_group = old_e && g > 0;
    for (int i = 0; same_group && i < st->nkeys; i++)
        same_group = eddy_api->value_equal(&old_kv[i], &kv[i]);
    if (old_e && !same_group && (rc = emit_row(st, out, old_e, r, false, why, n)))
        return rc;
    if (g == 0) {
        /* deleted, or a NULL group key: the row is in no group, so a later update has
         * nothing to undo (the key keeps its, now empty, slot) */
        p->cols = NULL;
        return mark_prev_dirty(st, p);
    }
    eddy_value *copy = eddy_api->arena_alloc(st->store, st->in_ncols * sizeof *copy);
    if (!copy)
        return EDDY_ENOMEM;
    for (uint32_t i = 0; i < st->in_ncols; i++)
        if (eddy_api->value_copy(st->store, &r->cols[i], &copy[i]))
            return EDDY_ENOMEM;
    p->cols = copy;
    if (mark_prev_dirty(st, p))
        return EDDY_ENOMEM;
    entry *e = lookup(st, key_hash(st, kv), kv, 0, 0, true, why, n);
    if (!e)
        return why[0] ? EDDY_EFUNC : EDDY_ENOMEM;
    rc = fold(st, e, r, out->arena, why, n);
    if (rc == 0)
        rc = emit_row(st, out, e, r, false, why, n);
    return rc;
}

static int process(eddy_op *op, void *vs, int port, eddy_batch *in)
{
    state *st = vs;
    eddy_batch *out = eddy_api->batch_new(op, st->out, in->n);
    if (!out)
        return EDDY_ENOMEM;
    char why[EDDY_ERRSTR_SIZE];
    eddy_value kv[64];
    int rc = 0;
    for (uint32_t ri = 0; ri < in->n && rc == 0; ri++) {
        const eddy_record *r = &in->recs[ri];
        why[0] = '\0';
        if (st->table) {
            uint32_t mark = out->n;
            rc = table_update(op, st, out, r, why, sizeof why);
            if (rc && rc != EDDY_ENOMEM) {
                while (out->n > mark)
                    eddy_api->batch_pop(out);
                eddy_api->record_error(op, r, NULL, 0, rc, why);
                rc = 0;
            }
            continue;
        }
        if (r->flags & EDDY_REC_TOMBSTONE)
            continue;
        bool null_key = false;
        int erc = 0;
        for (int i = 0; i < st->nkeys && i < 64 && erc == 0; i++) {
            erc = eddy_api->expr_eval(op, st->keys[i], r, out->arena, &kv[i], why, sizeof why);
            null_key |= erc == 0 && kv[i].is_null;
        }
        if (erc) {
            eddy_api->record_error(op, r, NULL, 0, erc, why);
            continue;
        }
        if (null_key)
            continue; /* ksqlDB drops rows whose grouping key is NULL */
        if (r->rowtime > st->stream_time)
            st->stream_time = r->rowtime;
        uint64_t h = key_hash(st, kv);
        uint32_t mark = out->n;
        if (st->window == WIN_SESSION) {
            rc = session(op, st, out, r, kv, h, why, sizeof why);
        } else {
            int64_t starts[64];
            int nw = 0;
            if (st->window == WIN_NONE) {
                starts[nw++] = 0;
            } else if (st->window == WIN_TUMBLING) {
                starts[nw++] = floor_div(r->rowtime, st->size) * st->size;
            } else {
                /* Hopping: every window [s, s + size) holding the record, oldest first. */
                int64_t last = floor_div(r->rowtime, st->advance) * st->advance;
                int64_t first = last;
                while (first - st->advance > r->rowtime - st->size && first - st->advance >= 0)
                    first -= st->advance;
                for (int64_t s = first; s <= last && nw < 64; s += st->advance)
                    if (s >= 0)
                        starts[nw++] = s;
            }
            for (int w = 0; w < nw && rc == 0; w++) {
                int64_t ws = st->window == WIN_NONE ? 0 : starts[w];
                int64_t we = st->window == WIN_NONE ? 0 : starts[w] + st->size;
                if (st->window != WIN_NONE && st->stream_time >= we + st->grace)
                    continue; /* too late for this window */
                entry *e = lookup(st, h, kv, ws, we, true, why, sizeof why);
                if (!e) {
                    rc = why[0] ? EDDY_EFUNC : EDDY_ENOMEM;
                    break;
                }
                rc = fold(st, e, r, out->arena, why, sizeof why);
                if (rc == 0)
                    rc = emit_row(st, out, e, r, false, why, sizeof why);
            }
        }
        if (rc && rc != EDDY_ENOMEM) {
            /* A function failed on this row: log it, take back its output, go on. */
            while (out->n > mark)
                eddy_api->batch_pop(out);
            eddy_api->record_error(op, r, NULL, 0, rc, why);
            rc = 0;
        }
    }
    if (rc == 0)
        rc = eddy_api->emit(op, 0, out);
    eddy_api->batch_release(out);
    return rc;
}

/* ------------------------------------------------------------ changelogs */

/* The serdes of the stores: "groups" as (K0.., WS, WE) -> (A0..), "rows" as the input's key
 * -> its value columns; JSON, which carries every SQL type. */
static int store_serdes(eddy_op *op, state *st, char *errstr, size_t errstr_size)
{
    eddy_schema_builder *b = eddy_api->schema_builder_new();
    char name[32];
    int rc = 0;
    for (int i = 0; i < st->nkeys && rc == 0; i++) {
        snprintf(name, sizeof name, "K%d", i);
        rc = eddy_api->schema_builder_add(b, name, eddy_api->expr_type(st->keys[i]),
                                          EDDY_COL_KEY);
    }
    const eddy_type *bigint = eddy_api->type_primitive(EDDY_TYPE_BIGINT);
    if (rc == 0)
        rc = eddy_api->schema_builder_add(b, "WS", bigint, EDDY_COL_KEY);
    if (rc == 0)
        rc = eddy_api->schema_builder_add(b, "WE", bigint, EDDY_COL_KEY);
    for (int i = 0; i < st->naggs && rc == 0; i++) {
        snprintf(name, sizeof name, "A%d", i);
        rc = eddy_api->schema_builder_add(b, name, eddy_api->agg_state_type(st->aggs[i]),
                                          EDDY_COL_VALUE);
    }
    st->gschema = eddy_api->schema_build(b);
    if (rc || !st->gschema)
        return rc ? rc : EDDY_ENOMEM;
    static const char *const wrap[] = {"wrap_single_value", "true", NULL};
    char why[EDDY_ERRSTR_SIZE] = "";
    rc = eddy_api->serde_new(op, "JSON", st->gschema, EDDY_SERDE_KEY, NULL, &st->gkey, why,
                             sizeof why);
    if (rc == 0)
        rc = eddy_api->serde_new(op, "JSON", st->gschema, EDDY_SERDE_VALUE,
                                 st->naggs == 1 ? wrap : NULL, &st->gval, why, sizeof why);
    const eddy_schema *in = eddy_api->input_schema(op, 0);
    if (rc == 0 && st->table)
        rc = eddy_api->serde_new(op, "JSON", in, EDDY_SERDE_KEY, NULL, &st->rkey, why,
                                 sizeof why);
    if (rc == 0 && st->table)
        rc = eddy_api->serde_new(op, "JSON", in, EDDY_SERDE_VALUE,
                                 in->ncols - in->nkey == 1 ? wrap : NULL, &st->rval, why,
                                 sizeof why);
    if (rc)
        return pu_err(errstr, errstr_size, rc, "state store: %s", why);
    return 0;
}

typedef struct restore_ctx {
    eddy_op *op;
    state *st;
    bool rows;
    uint32_t decoded; /* since the scratch arena was last renewed */
    char why[EDDY_ERRSTR_SIZE];
} restore_ctx;

static int restore_one(void *opaque, const uint8_t *key, size_t klen, const uint8_t *value,
                       size_t vlen)
{
    restore_ctx *c = opaque;
    state *st = c->st;
    const eddy_schema *s = c->rows ? eddy_api->input_schema(c->op, 0) : st->gschema;
    eddy_value *cols = pu_null_row(eddy_api, st->scratch, s);
    if (!cols)
        return EDDY_ENOMEM;
    eddy_record r = {.cols = cols};
    int rc = eddy_api->serde_decode(c->rows ? st->rkey : st->gkey, key, klen, &r, st->scratch,
                                    c->why, sizeof c->why);
    if (rc == 0 && value)
        rc = eddy_api->serde_decode(c->rows ? st->rval : st->gval, value, vlen, &r,
                                    st->scratch, c->why, sizeof c->why);
    if (rc)
        return rc;
    if (c->rows) {
        struct prev *p = prev_slot(st, cols);
        if (!p)
            return EDDY_ENOMEM;
        p->cols = NULL;
        if (value) {
            p->cols = eddy_api->arena_alloc(st->store, s->ncols * sizeof *p->cols);
            if (!p->cols)
                return EDDY_ENOMEM;
            for (uint32_t i = 0; i < s->ncols; i++)
                if (eddy_api->value_copy(st->store, &cols[i], &p->cols[i]))
                    return EDDY_ENOMEM;
        }
        return 0;
    }
    int64_t ws = cols[st->nkeys].u.i64, we = cols[st->nkeys + 1].u.i64;
    entry *e = lookup(st, key_hash(st, cols), cols, ws, we, value != NULL, c->why, sizeof c->why);
    if (!e)
        return value ? EDDY_ENOMEM : 0;
    if (!value) {
        e->live = false;
        return 0;
    }
    for (int i = 0; i < st->naggs; i++)
        if (eddy_api->value_copy(st->store, &cols[st->nkeys + 2 + i], &e->acc[i]))
            return EDDY_ENOMEM;
    if (st->window != WIN_NONE && we > st->stream_time)
        st->stream_time = we - 1; /* windows stay closed after a restart */
    return 0;
}

static int restore_cb(void *opaque, const uint8_t *key, size_t klen, const uint8_t *value,
                      size_t vlen)
{
    restore_ctx *c = opaque;
    int rc = restore_one(opaque, key, klen, value, vlen);
    /* Decoded rows are copied into the store: the scratch is renewed now and then, not for
     * every change (a 64 KiB chunk each time). */
    if (++c->decoded < 4096)
        return rc;
    c->decoded = 0;
    eddy_api->arena_destroy(c->st->scratch);
    c->st->scratch = eddy_api->arena_new(0);
    return c->st->scratch ? rc : EDDY_ENOMEM;
}

static int restore(eddy_op *op, state *st, char *errstr, size_t errstr_size)
{
    restore_ctx c = {.op = op, .st = st};
    st->scratch = eddy_api->arena_new(0);
    if (!st->scratch)
        return EDDY_ENOMEM;
    int rc = eddy_api->store_restore(op, "groups", restore_cb, &c);
    if (rc == 0 && st->table) {
        c.rows = true;
        rc = eddy_api->store_restore(op, "rows", restore_cb, &c);
    }
    if (rc)
        return pu_err(errstr, errstr_size, rc, "restoring the %s store: %s",
                      c.rows ? "rows" : "groups", c.why[0] ? c.why : "failed");
    return 0;
}

/* Writes what changed since the last flush to the changelogs. */
static int flush_(eddy_op *op, void *vs)
{
    state *st = vs;
    char why[EDDY_ERRSTR_SIZE];
    eddy_value cols[256];
    int rc = 0;
    for (int32_t d = 0; d < st->ndirty && rc == 0; d++) {
        entry *e = &st->entries[st->dirty[d]];
        e->dirty = false;
        if (st->nkeys + 2 + st->naggs > 256)
            return EDDY_EINVAL;
        for (int i = 0; i < st->nkeys; i++)
            cols[i] = e->key[i];
        cols[st->nkeys] = (eddy_value){.type = EDDY_TYPE_BIGINT, .u.i64 = e->ws};
        cols[st->nkeys + 1] = (eddy_value){.type = EDDY_TYPE_BIGINT, .u.i64 = e->we};
        for (int i = 0; i < st->naggs; i++)
            cols[st->nkeys + 2 + i] = e->acc[i];
        eddy_record r = {.cols = cols};
        st->kb.len = st->vb.len = 0;
        rc = eddy_api->serde_encode(st->gkey, &r, &st->kb, why, sizeof why);
        if (rc >= 0 && e->live)
            rc = eddy_api->serde_encode(st->gval, &r, &st->vb, why, sizeof why);
        if (rc < 0)
            break;
        rc = eddy_api->store_put(op, "groups", (const uint8_t *)st->kb.data, st->kb.len,
                                 e->live ? (const uint8_t *)(st->vb.data ? st->vb.data : "")
                                         : NULL,
                                 st->vb.len);
    }
    st->ndirty = 0;
    for (int32_t d = 0; d < st->npdirty && rc == 0; d++) {
        struct prev *p = &st->prevs[st->pdirty[d]];
        p->dirty = false;
        eddy_record r = {.cols = p->cols ? p->cols : p->keycols};
        st->kb.len = st->vb.len = 0;
        rc = eddy_api->serde_encode(st->rkey, &r, &st->kb, why, sizeof why);
        if (rc >= 0 && p->cols)
            rc = eddy_api->serde_encode(st->rval, &r, &st->vb, why, sizeof why);
        if (rc < 0)
            break;
        rc = eddy_api->store_put(op, "rows", (const uint8_t *)st->kb.data, st->kb.len,
                                 p->cols ? (const uint8_t *)(st->vb.data ? st->vb.data : "")
                                         : NULL,
                                 st->vb.len);
    }
    st->npdirty = 0;
    if (eddy_api->size >= offsetof(eddy_host_api, store_size) + sizeof eddy_api->store_size) {
        uint64_t live = 0, rows = 0;
        for (int32_t i = 0; i < st->nentries; i++)
            live += st->entries[i].live;
        for (int32_t i = 0; i < st->nprevs; i++)
            rows += st->prevs[i].cols != NULL;
        eddy_api->store_size(op, "groups", live);
        if (st->table)
            eddy_api->store_size(op, "rows", rows);
    }
    if (rc < 0)
        eddy_api->log(op, EDDY_LOG_ERROR, "cannot write the changelog: %s", why);
    return rc < 0 ? rc : 0;
}

static void destroy(eddy_op *op, void *vs)
{
    if (vs)
        free_state(vs);
}

static const eddy_plugin descriptor = {
    .abi_version = EDDY_PLUGIN_ABI_VERSION,
    .size = sizeof(eddy_plugin),
    .name = "aggregate",
    .description = "GROUP BY with aggregate functions, optionally windowed (TUMBLING, "
                   "HOPPING, SESSION); emits every update.",
    .version = "1.0.0",
    .kind = EDDY_PLUGIN_TRANSFORM,
    .min_inputs = 1,
    .max_inputs = 1,
    .config = config,
    .plan = plan,
    .create = create,
    .process = process,
    .flush = flush_,
    .destroy = destroy,
};

EDDY_PLUGIN_DEFINE(descriptor)
