/* join.c: the two-input joins of ksqlDB, in four modes sharing one keyed store and one row
 * emitter:
 * - stream_table: input 1 is a table's changelog materialised by key; each record of the
 *   stream on input 0 is emitted with the table row of its join key (LEFT: with NULLs when
 *   there is none). Table updates emit nothing.
 * - stream_stream: both inputs are buffered in join windows; a record at ts joins the other
 *   side's records in [ts - before, ts + after] (input 0's view; input 1 sees the window
 *   mirrored), each match emitted at the larger timestamp. Records older than the window plus
 *   the grace are dropped. Unmatched records of the preserved side(s) (LEFT, RIGHT, FULL)
 *   come out with NULLs: at once without a GRACE PERIOD (Kafka Streams' JoinWindows.of), or
 *   once stream time passes their window end plus the grace with one (the spurious-results
 *   fix of Kafka Streams 3.1).
 * - table_table: both inputs are tables materialised by primary key; an update on either
 *   side emits the joined row for its key, or a tombstone when the row left the result.
 * - foreign_key: table-table, input 0's rows meet the input 1 row whose primary key equals
 *   their `left_key` expression; the result is keyed by input 0's primary key (INNER, LEFT).
 * The output has, optionally, a synthetic key column (the join key, or input 0's first key
 * column for foreign_key), then every input 0 column, then every input 1 column, named
 * <prefix>_<column>, then <prefix>_ROWTIME of each side with a prefix (the time of that
 * side's row, NULL when it is absent). Memory: stored rows live in one arena for the life
 * of the operator (emitted batches point into it); the entry arrays are compacted when full.
 * Outer rows still waiting for their window at shutdown are not emitted, as in ksqlDB.
 * Changelogs (Kafka runs): a table side's rows go to store "table0"/"table1" as they change
 * (an upsert replayed after a crash is idempotent); a stream-stream join's buffered records
 * to "window0"/"window1" (key: the entry's sequence number; value: whether it still waits
 * for a partner, its time, the row), again when that changes, and a delete when it
 * expires. Both are restored when a task is created. The foreign-key join's stores are not
 * logged yet. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "eddy/plugin.h"
#include "../common/putil.h"

EDDY_PLUGIN_API;

static const eddy_config_prop config[] = {
    {"mode", EDDY_CONF_ENUM, "STREAM_TABLE", 0,
     "STREAM_TABLE|STREAM_STREAM|TABLE_TABLE|FOREIGN_KEY",
     "What the inputs are: input 0 then input 1."},
    {"type", EDDY_CONF_ENUM, "INNER", 0, "INNER|LEFT|RIGHT|FULL", "Join type."},
    {"left_key", EDDY_CONF_EXPR, NULL, EDDY_CONF_REQUIRED, NULL,
     "Join expression over input 0."},
    {"right_key", EDDY_CONF_EXPR, NULL, 0, NULL,
     "Join expression over input 1 (default: its key column; tables join on it)."},
    {"left_prefix", EDDY_CONF_STRING, "L", 0, NULL,
     "Prefix of input 0's columns (empty: names kept, as for a join's result)."},
    {"right_prefix", EDDY_CONF_STRING, "R", 0, NULL, "Prefix of input 1's columns."},
    {"key_column", EDDY_CONF_STRING, NULL, 0, NULL,
     "Name of a synthetic first output column holding the join key (ksqlDB's ROWKEY)."},
    {"before_ms", EDDY_CONF_INT, "0", 0, NULL, "stream_stream: window before a record."},
    {"after_ms", EDDY_CONF_INT, "0", 0, NULL, "stream_stream: window after a record."},
    {"grace_ms", EDDY_CONF_INT, NULL, 0, NULL,
     "stream_stream: grace period; when set, unmatched rows wait for their window to close."},
    {"key_format", EDDY_CONF_ENUM, "KAFKA", 0, "KAFKA|JSON|DELIMITED",
     "Format of the table's key (stream_table): a stream re-keyed to meet it is partitioned "
     "by its join key in this format, so both land in the same partition (co-partitioning)."},
    {NULL, 0, NULL, 0, NULL, NULL}};

enum { MODE_ST, MODE_SS, MODE_TT, MODE_FK };

/* One stored row: a table's current row, or a buffered stream record. */
typedef struct entry {
    uint64_t hash;
    eddy_value key;   /* the join key (store arena) */
    eddy_value *cols; /* the row (store arena) */
    eddy_value fk;    /* foreign_key: the row's foreign key (store arena) */
    int64_t ts;
    uint64_t seq;     /* arrival order */
    int side;
    int32_t next;     /* bucket chain */
    bool live;
    bool pending;     /* stream_stream with grace: unmatched, waiting for its window to close */
} entry;

typedef struct store {
    entry *e;
    int32_t n, cap;
    int32_t *buckets;
    uint32_t nbuckets;
    int64_t observed; /* largest timestamp put (stream_stream retention) */
} store;

typedef struct state {
    eddy_schema *out;
    eddy_expr *key[2];
    int keycol[2];    /* when there is no expression: the key column's index */
    int mode;
    bool keep[2];     /* the side is preserved (LEFT: 0, RIGHT: 1, FULL: both) */
    bool synthetic;
    bool has_grace;
    int64_t before, after, grace;
    uint32_t ncols[2];
    bool rowtime[2];  /* a <prefix>_ROWTIME column follows the others (not for prefix "") */
    const eddy_schema *in[2];
    eddy_arena *arena;
    store s[2];
    uint64_t seq;
    int64_t stream_time;
    eddy_serde *ckey[2], *crow[2]; /* changelogs of table sides (NULL: not logged) */
    eddy_buf kb, vb;
    eddy_op *op;
} state;

static void store_free(store *s)
{
    free(s->e);
    free(s->buckets);
}

static void free_state(state *st)
{
    for (int k = 0; k < 2; k++) {
        eddy_api->expr_destroy(st->key[k]);
        store_free(&st->s[k]);
        eddy_api->serde_destroy(st->ckey[k]);
        eddy_api->serde_destroy(st->crow[k]);
    }
    eddy_api->buf_free(&st->kb);
    eddy_api->buf_free(&st->vb);
    eddy_api->schema_release(st->out);
    if (st->arena)
        eddy_api->arena_destroy(st->arena);
    free(st);
}

/* `text` NULL: the input's key column. */
static int compile_key(eddy_op *op, state *st, int side, const char *cfg, const char *text,
                       char *errstr, size_t errstr_size)
{
    const eddy_schema *s = st->in[side];
    st->keycol[side] = -1;
    if (!text) {
        if (s->nkey != 1)
            return pu_err(errstr, errstr_size, EDDY_EINVAL,
                          "input '%s': the table must have exactly one key column",
                          eddy_api->input_name(op, side));
        st->keycol[side] = 0;
        return 0;
    }
    char why[EDDY_ERRSTR_SIZE] = "";
    int rc = eddy_api->expr_compile(op, text, s, &st->key[side], why, sizeof why);
    if (rc)
        return pu_err(errstr, errstr_size, rc, "config '%s': %s", cfg, why);
    return 0;
}

static const eddy_type *key_type(const state *st, int side)
{
    return st->key[side] ? eddy_api->expr_type(st->key[side])
                         : st->in[side]->cols[st->keycol[side]].type;
}

static int compile(eddy_op *op, state *st, char *errstr, size_t errstr_size)
{
    const char *mode = eddy_api->config_str(op, "mode");
    st->mode = strcasecmp(mode, "STREAM_STREAM") == 0  ? MODE_SS
               : strcasecmp(mode, "TABLE_TABLE") == 0 ? MODE_TT
               : strcasecmp(mode, "FOREIGN_KEY") == 0 ? MODE_FK
                                                      : MODE_ST;
    const char *type = eddy_api->config_str(op, "type");
    bool full = strcasecmp(type, "FULL") == 0;
    st->keep[0] = full || strcasecmp(type, "LEFT") == 0;
    st->keep[1] = full || strcasecmp(type, "RIGHT") == 0;
    if ((st->mode == MODE_ST || st->mode == MODE_FK) && st->keep[1])
        return pu_err(errstr, errstr_size, EDDY_EINVAL,
                      "config 'type': a stream-table or foreign-key join is INNER or LEFT");
    if (st->mode == MODE_FK && eddy_api->input_schema(op, 0)->nkey < 1)
        return pu_err(errstr, errstr_size, EDDY_EINVAL,
                      "input '%s': a foreign-key join's left input must be a table",
                      eddy_api->input_name(op, 0));
    st->in[0] = eddy_api->input_schema(op, 0);
    st->in[1] = eddy_api->input_schema(op, 1);
    /* A table joins on its key; a join's result (no key columns) on the expression. */
    int rc = compile_key(op, st, 0, "left_key",
                         st->mode == MODE_TT && st->in[0]->nkey == 1
                             ? NULL
                             : eddy_api->config_str(op, "left_key"),
                         errstr, errstr_size);
    if (rc == 0)
        rc = compile_key(op, st, 1, "right_key",
                         st->mode == MODE_SS ? eddy_api->config_str(op, "right_key") : NULL,
                         errstr, errstr_size);
    if (rc)
        return rc;
    if (key_type(st, 0) != key_type(st, 1)) {
        char a[128], b[128];
        pu_type_name(eddy_api, key_type(st, 0), a, sizeof a);
        pu_type_name(eddy_api, key_type(st, 1), b, sizeof b);
        const char *rt = eddy_api->config_has(op, "right_key")
                             ? eddy_api->config_str(op, "right_key")
                             : st->in[1]->cols[st->keycol[1]].name;
        return pu_err(errstr, errstr_size, EDDY_ETYPE,
                      "Invalid join condition: types don't match. Got %s{%s} = %s{%s}.",
                      eddy_api->config_str(op, "left_key"), a, rt, b);
    }
    st->before = eddy_api->config_int(op, "before_ms");
    st->after = eddy_api->config_int(op, "after_ms");
    st->has_grace = eddy_api->config_has(op, "grace_ms");
    if (st->has_grace) {
        st->grace = eddy_api->config_int(op, "grace_ms");
    } else {
        /* JoinWindows.of(): the store keeps 24 hours in all. */
        st->grace = 86400000 - (st->before + st->after);
        if (st->grace < 0)
            st->grace = 0;
    }
    st->ncols[0] = st->in[0]->ncols;
    st->ncols[1] = st->in[1]->ncols;
    eddy_schema_builder *b = eddy_api->schema_builder_new();
    const char *kc = eddy_api->config_str(op, "key_column");
    st->synthetic = kc != NULL;
    const eddy_type *kt = st->mode == MODE_FK ? st->in[0]->cols[0].type : key_type(st, 0);
    if (kc && eddy_api->schema_builder_add(b, kc, kt, EDDY_COL_VALUE))
        rc = EDDY_ENOMEM;
    const char *pre[2] = {eddy_api->config_str(op, "left_prefix"),
                          eddy_api->config_str(op, "right_prefix")};
    for (int side = 0; side < 2 && rc == 0; side++) {
        const eddy_schema *s = st->in[side];
        for (uint32_t i = 0; i < s->ncols && rc == 0; i++) {
            char name[512];
            if (pre[side][0])
                snprintf(name, sizeof name, "%s_%s", pre[side], s->cols[i].name);
            else
                snprintf(name, sizeof name, "%s", s->cols[i].name);
            if (eddy_api->schema_builder_add(b, name, s->cols[i].type, EDDY_COL_VALUE))
                rc = pu_err(errstr, errstr_size, EDDY_EEXIST, "column '%s' twice in the join",
                            name);
        }
    }
    for (int side = 0; side < 2 && rc == 0; side++) {
        st->rowtime[side] = pre[side][0] != '\0';
        if (!st->rowtime[side])
            continue;
        char name[512];
        snprintf(name, sizeof name, "%s_ROWTIME", pre[side]);
        if (eddy_api->schema_builder_add(b, name, eddy_api->type_primitive(EDDY_TYPE_BIGINT),
                                         EDDY_COL_VALUE))
            rc = pu_err(errstr, errstr_size, EDDY_EEXIST, "column '%s' twice in the join",
                        name);
    }
    st->out = eddy_api->schema_build(b);
    return rc ? rc : st->out ? 0 : EDDY_ENOMEM;
}

/* The table sides whose rows are kept by key (and logged): a stream-table join's table, a
 * table-table join's both sides. */
static bool logged_side(const state *st, int side)
{
    return (st->mode == MODE_ST && side == 1) || st->mode == MODE_TT || st->mode == MODE_SS;
}

/* The store of a side: "table<side>" for a table's rows, "window<side>" for a stream-stream
 * join's buffered records. */
static const char *store_name(const state *st, int side)
{
    if (st->mode == MODE_SS)
        return side ? "window1" : "window0";
    return side ? "table1" : "table0";
}

static int plan(eddy_op *op, char *errstr, size_t errstr_size)
{
    state *st = calloc(1, sizeof *st);
    if (!st)
        return EDDY_ENOMEM;
    int rc = compile(op, st, errstr, errstr_size);
    if (rc == 0)
        rc = eddy_api->output_add(op, NULL, st->out, errstr, errstr_size);
    /* Streams meet their partner by join key: in a Kafka run, a stream whose join key is not
     * its key goes through a repartition topic first. Tables join on their primary key and
     * are partitioned by it already. A foreign-key join needs ksqlDB's subscription topics;
     * until eddy has them, both of its tables meet in one task (a constant key): exact, not
     * scaled out (docs/kafka.md). */
    static const char *const one[] = {"0"};
    for (int side = 0; rc == 0 && st->mode == MODE_FK && side < 2; side++)
        rc = pu_partition_by(eddy_api, op, side, one, 1, "KAFKA", errstr, errstr_size);
    for (int side = 0; rc == 0 && side < 2; side++)
        if (logged_side(st, side))
            rc = eddy_api->store_declare(op, store_name(st, side), errstr, errstr_size);
    const char *kf = eddy_api->config_str(op, "key_format");
    for (int side = 0; rc == 0 && side < 2; side++) {
        const char *text = side == 0 ? eddy_api->config_str(op, "left_key")
                                     : eddy_api->config_str(op, "right_key");
        bool stream = st->mode == MODE_SS || (st->mode == MODE_ST && side == 0);
        if (stream && text)
            rc = pu_partition_by(eddy_api, op, side, &text, 1, kf, errstr, errstr_size);
    }
    free_state(st);
    return rc;
}

static int store_init(store *s)
{
    s->nbuckets = 1024;
    s->buckets = malloc(s->nbuckets * sizeof *s->buckets);
    if (!s->buckets)
        return EDDY_ENOMEM;
    memset(s->buckets, 0xff, s->nbuckets * sizeof *s->buckets);
    s->observed = INT64_MIN;
    return 0;
}

static int table_upsert(state *st, int side, const eddy_record *r, const eddy_value *key);

typedef struct restore_ctx {
    state *st;
    int side;
    eddy_arena *arena;
    char why[EDDY_ERRSTR_SIZE];
} restore_ctx;

static int restore_cb(void *opaque, const uint8_t *key, size_t klen, const uint8_t *value,
                      size_t vlen)
{
    restore_ctx *c = opaque;
    state *st = c->st;
    const eddy_schema *s = st->in[c->side];
    eddy_value *cols = pu_null_row(eddy_api, c->arena, s);
    if (!cols)
        return EDDY_ENOMEM;
    eddy_record r = {.cols = cols};
    int rc = eddy_api->serde_decode(st->ckey[c->side], key, klen, &r, c->arena, c->why,
                                    sizeof c->why);
    if (rc == 0 && value) {
        if (vlen < 8)
            return EDDY_EPARSE;
        r.rowtime = (int64_t)pu_get_be64(value);
        rc = eddy_api->serde_decode(st->crow[c->side], value + 8, vlen - 8, &r, c->arena,
                                    c->why, sizeof c->why);
    }
    if (rc)
        return rc;
    if (!value)
        r.flags |= EDDY_REC_TOMBSTONE;
    eddy_value k;
    if (st->key[c->side]) {
        c->why[0] = '\0';
        rc = eddy_api->expr_eval(st->op, st->key[c->side], &r, c->arena, &k, c->why,
                                 sizeof c->why);
        if (rc)
            return rc;
    } else {
        k = cols[st->keycol[c->side]];
    }
    if (k.is_null)
        return 0;
    /* as table_upsert, without writing the change back */
    eddy_serde *saved = st->ckey[c->side];
    st->ckey[c->side] = NULL;
    rc = table_upsert(st, c->side, &r, &k);
    st->ckey[c->side] = saved;
    return rc;
}

static int store_add(state *st, store *s, const eddy_value *key, uint64_t h,
                     const eddy_record *r, uint32_t ncols, int32_t *idx);
static int eval_key(eddy_op *op, state *st, int side, const eddy_record *r, eddy_arena *arena,
                    eddy_value *out);

/* A stream-stream entry back from its changelog: added (in sequence order), updated (its
 * waiting flag) or, with no value, removed. */
static int ss_restore_cb(void *opaque, const uint8_t *key, size_t klen, const uint8_t *value,
                         size_t vlen)
{
    restore_ctx *c = opaque;
    state *st = c->st;
    store *s = &st->s[c->side];
    if (klen != 8)
        return EDDY_EPARSE;
    uint64_t seq = pu_get_be64(key);
    int32_t found = -1;
    for (int32_t i = s->n - 1; i >= 0 && found < 0; i--)
        if (s->e[i].live && s->e[i].seq == seq)
            found = i;
    if (!value || vlen < 9) {
        if (found >= 0)
            s->e[found].live = false;
        return value ? EDDY_EPARSE : 0;
    }
    if (found >= 0) {
        s->e[found].pending = value[0] == 1;
        return 0;
    }
    const eddy_schema *sc = st->in[c->side];
    eddy_value *cols = pu_null_row(eddy_api, c->arena, sc);
    if (!cols)
        return EDDY_ENOMEM;
    eddy_record r = {.cols = cols, .rowtime = (int64_t)pu_get_be64(value + 1)};
    int rc = eddy_api->serde_decode(st->crow[c->side], value + 9, vlen - 9, &r, c->arena,
                                    c->why, sizeof c->why);
    if (rc)
        return rc;
    eddy_value k;
    if (!eval_key(st->op, st, c->side, &r, c->arena, &k))
        return 0;
    int32_t idx;
    rc = store_add(st, s, &k, eddy_api->value_hash(&k, 0), &r, st->ncols[c->side], &idx);
    if (rc)
        return rc;
    s->e[idx].seq = seq;
    s->e[idx].pending = value[0] == 1;
    if (r.rowtime > s->observed)
        s->observed = r.rowtime;
    if (r.rowtime > st->stream_time)
        st->stream_time = r.rowtime;
    if (seq >= st->seq)
        st->seq = seq + 1;
    return 0;
}

/* The serdes of a table side's changelog, then its restore. */
static int changelog_open(eddy_op *op, state *st, int side, char *errstr, size_t errstr_size)
{
    const eddy_schema *s = st->in[side];
    static const char *const wrap[] = {"wrap_single_value", "true", NULL};
    char why[EDDY_ERRSTR_SIZE] = "";
    int rc = eddy_api->serde_new(op, "JSON", s, EDDY_SERDE_KEY, NULL, &st->ckey[side], why,
                                 sizeof why);
    if (rc == 0)
        rc = eddy_api->serde_new(op, "JSON", s, EDDY_SERDE_ALL, s->ncols == 1 ? wrap : NULL,
                                 &st->crow[side], why, sizeof why);
    if (rc)
        return pu_err(errstr, errstr_size, rc, "state store: %s", why);
    restore_ctx c = {.st = st, .side = side, .arena = eddy_api->arena_new(0)};
    if (!c.arena)
        return EDDY_ENOMEM;
    rc = eddy_api->store_restore(op, store_name(st, side),
                                 st->mode == MODE_SS ? ss_restore_cb : restore_cb, &c);
    eddy_api->arena_destroy(c.arena);
    if (rc)
        return pu_err(errstr, errstr_size, rc, "restoring store %s: %s", store_name(st, side),
                      c.why[0] ? c.why : "failed");
    return 0;
}

static int create(eddy_op *op, void **out, char *errstr, size_t errstr_size)
{
    state *st = calloc(1, sizeof *st);
    if (!st)
        return EDDY_ENOMEM;
    int rc = compile(op, st, errstr, errstr_size);
    st->arena = eddy_api->arena_new(0);
    st->stream_time = INT64_MIN;
    if (rc == 0 && !st->arena)
        rc = EDDY_ENOMEM;
    for (int k = 0; k < 2 && rc == 0; k++)
        rc = store_init(&st->s[k]);
    st->op = op;
    for (int k = 0; k < 2 && rc == 0; k++)
        if (logged_side(st, k))
            rc = changelog_open(op, st, k, errstr, errstr_size);
    if (rc) {
        free_state(st);
        return rc;
    }
    *out = st;
    return 0;
}

/* ------------------------------------------------------------------ store */

/* The first live entry of `key` at or after chain position `from` (-2: the bucket's head). */
static int32_t store_next(const store *s, const eddy_value *key, uint64_t h, int32_t from)
{
    int32_t i = from == -2 ? s->buckets[h & (s->nbuckets - 1)] : s->e[from].next;
    for (; i >= 0; i = s->e[i].next)
        if (s->e[i].live && s->e[i].hash == h && eddy_api->value_equal(&s->e[i].key, key))
            return i;
    return -1;
}

/* Drops the dead entries of a full store (replaced table rows, stream records past the
 * retention) and rebuilds the chains, so scans stay proportional to what is live. Their
 * values stay in the arena: batches already emitted may point at them. */
/* Writes a stream-stream entry's state (a delete when `gone`): key = its sequence number (8
 * bytes, big-endian), value = 1 byte (1: waiting for a partner), its time (8 bytes), the row
 * (JSON). */
static void ss_log(const state *st, const entry *e, bool gone)
{
    if (!st->crow[e->side])
        return;
    uint8_t key[8], head[9];
    pu_put_be64(key, e->seq);
    head[0] = e->pending ? 1 : 0;
    pu_put_be64(head + 1, (uint64_t)e->ts);
    eddy_buf *vb = (eddy_buf *)&st->vb; /* scratch: the state's, single-threaded */
    vb->len = 0;
    char why[EDDY_ERRSTR_SIZE] = "";
    if (!gone) {
        eddy_record r = {.cols = e->cols};
        eddy_api->buf_append(vb, head, sizeof head);
        if (eddy_api->serde_encode(st->crow[e->side], &r, vb, why, sizeof why) < 0) {
            eddy_api->log(st->op, EDDY_LOG_ERROR, "cannot write the changelog: %s", why);
            return;
        }
    }
    eddy_api->store_put(st->op, store_name(st, e->side), key, sizeof key,
                        gone ? NULL : (const uint8_t *)vb->data, vb->len);
}

static void store_compact(const state *st, store *s)
{
    int64_t retention = st->before + st->after + st->grace;
    int32_t n = 0;
    for (int32_t i = 0; i < s->n; i++) {
        entry *e = &s->e[i];
        bool expired = st->mode == MODE_SS && !e->pending && s->observed != INT64_MIN &&
                       e->ts <= s->observed - retention;
        if (e->live && !expired)
            s->e[n++] = *e;
        else if (e->live && expired)
            ss_log(st, e, true);
    }
    s->n = n;
    memset(s->buckets, 0xff, s->nbuckets * sizeof *s->buckets);
    for (int32_t i = 0; i < n; i++) {
        uint32_t k = (uint32_t)(s->e[i].hash & (s->nbuckets - 1));
        s->e[i].next = s->buckets[k];
        s->buckets[k] = i;
    }
}

/* Appends an entry for `key` holding a copy of `r`'s columns. */
static int store_add(state *st, store *s, const eddy_value *key, uint64_t h,
                     const eddy_record *r, uint32_t ncols, int32_t *idx)
{
    if (s->n == s->cap) {
        if (s->cap > 0)
            store_compact(st, s);
        if (s->cap == 0 || s->n > s->cap / 2) {
            int32_t cap = s->cap ? s->cap * 2 : 256;
            entry *p = realloc(s->e, (size_t)cap * sizeof *p);
            if (!p)
                return EDDY_ENOMEM;
            s->e = p;
            s->cap = cap;
        }
    }
    if ((uint32_t)s->n >= s->nbuckets) {
        uint32_t nb = s->nbuckets * 2;
        int32_t *b = malloc(nb * sizeof *b);
        if (!b)
            return EDDY_ENOMEM;
        memset(b, 0xff, nb * sizeof *b);
        for (int32_t i = 0; i < s->n; i++) {
            uint32_t k = (uint32_t)(s->e[i].hash & (nb - 1));
            s->e[i].next = b[k];
            b[k] = i;
        }
        free(s->buckets);
        s->buckets = b;
        s->nbuckets = nb;
    }
    entry *w = &s->e[s->n];
    memset(w, 0, sizeof *w);
    w->hash = h;
    w->live = true;
    w->ts = r->rowtime;
    w->seq = st->seq++;
    w->side = (int)(s - st->s);
    if (eddy_api->value_copy(st->arena, key, &w->key))
        return EDDY_ENOMEM;
    /* Rows stay in the arena once replaced: batches already emitted point at them. */
    w->cols = eddy_api->arena_alloc(st->arena, (ncols ? ncols : 1) * sizeof *w->cols);
    if (!w->cols)
        return EDDY_ENOMEM;
    for (uint32_t i = 0; i < ncols; i++)
        if (eddy_api->value_copy(st->arena, &r->cols[i], &w->cols[i]))
            return EDDY_ENOMEM;
    uint32_t k = (uint32_t)(h & (s->nbuckets - 1));
    w->next = s->buckets[k];
    s->buckets[k] = s->n;
    *idx = s->n++;
    return 0;
}

/* ------------------------------------------------------------ row emission */

/* Appends the joined row (`cols[side]` NULL: that side's columns are NULL) at `ts`, copying
 * the record header of `proto`. A tombstone carries the key in both sides' key columns. */
static int emit_row(state *st, eddy_batch *out, const eddy_record *proto,
                    const eddy_value *key, const eddy_value *const cols[2],
                    const int64_t sidets[2], int64_t ts, bool tombstone)
{
    eddy_record *o = eddy_api->batch_append(out);
    if (!o)
        return EDDY_ENOMEM;
    eddy_value *dst = o->cols;
    *o = *proto;
    o->cols = dst;
    o->rowtime = ts;
    o->flags = tombstone ? EDDY_REC_TOMBSTONE : 0; /* a new row: its key is the join's */
    if (st->synthetic)
        *dst++ = *key;
    for (int side = 0; side < 2; side++) {
        const eddy_schema *s = st->in[side];
        for (uint32_t c = 0; c < st->ncols[side]; c++)
            dst[c] = cols[side] ? cols[side][c] : eddy_null(s->cols[c].type->id);
        if (tombstone && !cols[side] && st->keycol[side] >= 0)
            dst[st->keycol[side]] = *key;
        dst += st->ncols[side];
    }
    for (int side = 0; side < 2; side++) {
        if (!st->rowtime[side])
            continue;
        *dst = eddy_null(EDDY_TYPE_BIGINT);
        if (cols[side]) {
            *dst = eddy_bigint(sidets[side]);
        }
        dst++;
    }
    return 0;
}

/* The join key of `r` on `side`: 1 found, 0 none (NULL key or an error, logged). */
static int eval_key(eddy_op *op, state *st, int side, const eddy_record *r, eddy_arena *arena,
                    eddy_value *k)
{
    if (!st->key[side]) {
        *k = r->cols[st->keycol[side]];
        return !k->is_null;
    }
    char why[EDDY_ERRSTR_SIZE] = "";
    int erc = eddy_api->expr_eval(op, st->key[side], r, arena, k, why, sizeof why);
    if (erc) {
        eddy_api->record_error(op, r, NULL, 0, erc, why);
        return 0;
    }
    return !k->is_null;
}

/* --------------------------------------------------------- stream-table */

/* Writes a table side's change to its changelog: key = the row's key columns (JSON), value
 * = its time (8 bytes, big-endian) then the row (JSON), none for a delete. */
static int log_change(state *st, int side, const eddy_record *r)
{
    if (!st->ckey[side])
        return 0;
    char why[EDDY_ERRSTR_SIZE] = "";
    st->kb.len = st->vb.len = 0;
    int rc = eddy_api->serde_encode(st->ckey[side], r, &st->kb, why, sizeof why);
    bool del = r->flags & EDDY_REC_TOMBSTONE;
    if (rc >= 0 && !del) {
        uint8_t ts[8];
        pu_put_be64(ts, (uint64_t)r->rowtime);
        eddy_api->buf_append(&st->vb, ts, 8);
        rc = eddy_api->serde_encode(st->crow[side], r, &st->vb, why, sizeof why);
    }
    if (rc < 0) {
        eddy_api->record_error(st->op, r, NULL, 0, rc, why);
        return 0;
    }
    return eddy_api->store_put(st->op, store_name(st, side),
                               (const uint8_t *)(st->kb.data ? st->kb.data : ""), st->kb.len,
                               del ? NULL : (const uint8_t *)st->vb.data, st->vb.len);
}

static int table_upsert(state *st, int side, const eddy_record *r, const eddy_value *key)
{
    int rc = log_change(st, side, r);
    if (rc)
        return rc;
    store *s = &st->s[side];
    uint64_t h = eddy_api->value_hash(key, 0);
    int32_t i = store_next(s, key, h, -2);
    if (i >= 0)
        s->e[i].live = false;
    if (r->flags & EDDY_REC_TOMBSTONE)
        return 0;
    int32_t idx;
    return store_add(st, s, key, h, r, st->ncols[side], &idx);
}

static int process_stream_table(eddy_op *op, state *st, const eddy_record *r, eddy_batch *out)
{
    if (r->flags & EDDY_REC_TOMBSTONE)
        return 0; /* a null stream row joins nothing */
    eddy_value k;
    if (!eval_key(op, st, 0, r, out->arena, &k))
        return 0;
    int32_t i = store_next(&st->s[1], &k, eddy_api->value_hash(&k, 0), -2);
    if (i < 0 && !st->keep[0])
        return 0;
    const eddy_value *cols[2] = {r->cols, i >= 0 ? st->s[1].e[i].cols : NULL};
    const int64_t sts[2] = {r->rowtime, i >= 0 ? st->s[1].e[i].ts : 0};
    return emit_row(st, out, r, &k, cols, sts, r->rowtime, false);
}

/* --------------------------------------------------------- table-table */

/* Kafka Streams' KTable-KTable joins: an update of one side meets the other side's row. */
static int process_table_table(eddy_op *op, state *st, int side, const eddy_record *r,
                               eddy_batch *out)
{
    eddy_value k;
    if (!eval_key(op, st, side, r, out->arena, &k))
        return 0;
    uint64_t h = eddy_api->value_hash(&k, 0);
    int32_t old = store_next(&st->s[side], &k, h, -2);
    bool had_old = old >= 0;
    int rc = table_upsert(st, side, r, &k);
    if (rc)
        return rc;
    bool deleted = r->flags & EDDY_REC_TOMBSTONE;
    const store *os = &st->s[1 - side];
    int32_t oi = store_next(os, &k, h, -2);
    const eddy_value *cols[2];
    cols[side] = deleted ? NULL : r->cols;
    cols[1 - side] = oi >= 0 ? os->e[oi].cols : NULL;
    int64_t sts[2];
    sts[side] = r->rowtime;
    sts[1 - side] = oi >= 0 ? os->e[oi].ts : 0;
    if (oi < 0) {
        if (!st->keep[side] || (deleted && !had_old))
            return 0;
        return emit_row(st, out, r, &k, cols, sts, r->rowtime, deleted);
    }
    int64_t ts = os->e[oi].ts > r->rowtime ? os->e[oi].ts : r->rowtime;
    if (!deleted || st->keep[1 - side])
        return emit_row(st, out, r, &k, cols, sts, ts, false);
    cols[1 - side] = NULL;
    return emit_row(st, out, r, &k, cols, sts, ts, true);
}

/* --------------------------------------------------------- foreign key */

/* The left table's rows by their primary key (all its key columns). */
static uint64_t pk_hash(const state *st, const eddy_value *cols)
{
    uint64_t h = 0;
    for (uint32_t i = 0; i < st->in[0]->nkey; i++)
        h = eddy_api->value_hash(&cols[i], h);
    return h;
}

static int32_t pk_find(const state *st, const eddy_value *cols, uint64_t h)
{
    const store *s = &st->s[0];
    for (int32_t i = s->buckets[h & (s->nbuckets - 1)]; i >= 0; i = s->e[i].next) {
        const entry *e = &s->e[i];
        if (!e->live || e->hash != h)
            continue;
        uint32_t k = 0;
        while (k < st->in[0]->nkey && eddy_api->value_equal(&e->cols[k], &cols[k]))
            k++;
        if (k == st->in[0]->nkey)
            return i;
    }
    return -1;
}

/* Kafka Streams' foreign-key KTable-KTable join, synchronously: a left row meets the right
 * row of its foreign key; a right update reaches every left row pointing at it. */
static int process_foreign_key(eddy_op *op, state *st, int side, const eddy_record *r,
                               eddy_batch *out)
{
    store *ls = &st->s[0], *rs = &st->s[1];
    const eddy_value *pk = &r->cols[0];
    bool deleted = r->flags & EDDY_REC_TOMBSTONE;
    if (side == 1) {
        if (pk->is_null)
            return 0;
        int rc = table_upsert(st, 1, r, pk);
        int64_t sts[2] = {0, r->rowtime};
        for (int32_t i = 0; rc == 0 && i < ls->n; i++) {
            const entry *e = &ls->e[i];
            if (!e->live || e->fk.is_null || !eddy_api->value_equal(&e->fk, pk))
                continue;
            const eddy_value *cols[2] = {e->cols, deleted ? NULL : r->cols};
            sts[0] = e->ts;
            rc = emit_row(st, out, r, &e->cols[0], cols, sts, r->rowtime,
                          deleted && !st->keep[0]);
        }
        return rc;
    }
    uint64_t h = pk_hash(st, r->cols);
    int32_t old = pk_find(st, r->cols, h);
    bool was_joined = false;
    const eddy_value *old_cols = NULL;
    if (old >= 0) {
        const entry *o = &ls->e[old];
        old_cols = o->cols;
        was_joined = !o->fk.is_null &&
                     store_next(rs, &o->fk, eddy_api->value_hash(&o->fk, 0), -2) >= 0;
    }
    if (old >= 0)
        ls->e[old].live = false;
    if (deleted) {
        if (old < 0)
            return 0;
        const eddy_value *cols[2] = {old_cols, NULL};
        const int64_t sts[2] = {r->rowtime, 0};
        return emit_row(st, out, r, pk, cols, sts, r->rowtime, true);
    }
    eddy_value fk;
    if (!eval_key(op, st, 0, r, out->arena, &fk))
        fk = eddy_null(eddy_api->expr_type(st->key[0])->id);
    int32_t me;
    int rc = store_add(st, ls, pk, h, r, st->ncols[0], &me);
    if (rc)
        return rc;
    if (eddy_api->value_copy(st->arena, &fk, &ls->e[me].fk))
        return EDDY_ENOMEM;
    int32_t ri = fk.is_null ? -1 : store_next(rs, &fk, eddy_api->value_hash(&fk, 0), -2);
    const eddy_value *cols[2] = {r->cols, ri >= 0 ? rs->e[ri].cols : NULL};
    const int64_t sts[2] = {r->rowtime, ri >= 0 ? rs->e[ri].ts : 0};
    if (ri >= 0 || st->keep[0])
        return emit_row(st, out, r, pk, cols, sts, r->rowtime, false);
    if (was_joined)
        return emit_row(st, out, r, pk, cols, sts, r->rowtime, true);
    return 0;
}

/* --------------------------------------------------------- stream-stream */

/* Kafka Streams' outer store order: time, then input 1 before input 0, then arrival. */
static int cmp_pending(const void *a, const void *b)
{
    const entry *x = *(entry *const *)a, *y = *(entry *const *)b;
    if (x->ts != y->ts)
        return x->ts < y->ts ? -1 : 1;
    if (x->side != y->side)
        return x->side > y->side ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static int cmp_entry(const void *a, const void *b)
{
    const entry *x = *(entry *const *)a, *y = *(entry *const *)b;
    if (x->ts != y->ts)
        return x->ts < y->ts ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Window end of a buffered record of `side`: input 1 sees the window mirrored. */
static int64_t window_after(const state *st, int side)
{
    return side == 0 ? st->after : st->before;
}

/* Emits, with NULLs for the other side, the unmatched records whose window has closed, in
 * the order of Kafka Streams' outer store. */
static int emit_closed(state *st, const eddy_record *proto, eddy_batch *out)
{
    size_t n = 0, cap = 0;
    entry **v = NULL;
    int rc = 0;
    for (int side = 1; side >= 0 && rc == 0; side--) {
        store *s = &st->s[side];
        for (int32_t i = 0; i < s->n; i++) {
            entry *e = &s->e[i];
            if (!e->pending || e->ts + window_after(st, side) + st->grace >= st->stream_time)
                continue;
            if (n == cap) {
                cap = cap ? cap * 2 : 16;
                entry **p = realloc(v, cap * sizeof *p);
                if (!p) {
                    rc = EDDY_ENOMEM;
                    break;
                }
                v = p;
            }
            v[n++] = e;
        }
    }
    if (rc == 0 && n > 1)
        qsort(v, n, sizeof *v, cmp_pending);
    for (size_t i = 0; i < n && rc == 0; i++) {
        entry *e = v[i];
        e->pending = false;
        ss_log(st, e, false);
        const eddy_value *cols[2] = {NULL, NULL};
        cols[e->side] = e->cols;
        const int64_t sts[2] = {e->ts, e->ts};
        rc = emit_row(st, out, proto, &e->key, cols, sts, e->ts, false);
    }
    free(v);
    return rc;
}

static int process_stream_stream(eddy_op *op, state *st, int side, const eddy_record *r,
                                 eddy_batch *out)
{
    if (r->flags & EDDY_REC_TOMBSTONE)
        return 0;
    eddy_value k;
    if (!eval_key(op, st, side, r, out->arena, &k))
        return 0;
    int64_t ts = r->rowtime;
    int64_t before = side == 0 ? st->before : st->after;
    int64_t after = side == 0 ? st->after : st->before;
    int64_t retention = st->before + st->after + st->grace;
    uint64_t h = eddy_api->value_hash(&k, 0);
    store *mine = &st->s[side], *other = &st->s[1 - side];
    if (ts > mine->observed)
        mine->observed = ts;
    int32_t idx = -1;
    int rc = 0;
    if (ts > mine->observed - retention) {
        rc = store_add(st, mine, &k, h, r, st->ncols[side], &idx);
        if (rc)
            return rc;
    }
    if (ts > st->stream_time)
        st->stream_time = ts;
    if (st->has_grace && ts == st->stream_time && (st->keep[0] || st->keep[1]))
        if ((rc = emit_closed(st, r, out)))
            return rc;
    int64_t from = ts - before < 0 ? 0 : ts - before, to = ts + after < 0 ? 0 : ts + after;
    int64_t live_from = other->observed == INT64_MIN ? INT64_MIN : other->observed - retention + 1;
    if (from < live_from)
        from = live_from;
    size_t n = 0, cap = 0;
    entry **v = NULL;
    for (int32_t i = store_next(other, &k, h, -2); i >= 0; i = store_next(other, &k, h, i)) {
        entry *e = &other->e[i];
        if (e->ts < from || e->ts > to)
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 8;
            entry **p = realloc(v, cap * sizeof *p);
            if (!p) {
                free(v);
                return EDDY_ENOMEM;
            }
            v = p;
        }
        v[n++] = e;
    }
    if (n > 1)
        qsort(v, n, sizeof *v, cmp_entry);
    for (size_t i = 0; i < n && rc == 0; i++) {
        entry *e = v[i];
        if (e->pending) {
            e->pending = false; /* it found a partner */
            ss_log(st, e, false);
        }
        const eddy_value *cols[2];
        cols[side] = r->cols;
        cols[1 - side] = e->cols;
        int64_t sts[2];
        sts[side] = ts;
        sts[1 - side] = e->ts;
        rc = emit_row(st, out, r, &k, cols, sts, e->ts > ts ? e->ts : ts, false);
    }
    free(v);
    if (rc || n > 0 || !st->keep[side] || !st->has_grace || to < st->stream_time) {
        if (idx >= 0)
            ss_log(st, &mine->e[idx], false);
        if (rc || n > 0 || !st->keep[side])
            return rc;
        const eddy_value *cols[2] = {NULL, NULL};
        cols[side] = r->cols;
        const int64_t sts[2] = {ts, ts};
        return emit_row(st, out, r, &k, cols, sts, ts, false);
    }
    if (idx >= 0) {
        mine->e[idx].pending = true;
        ss_log(st, &mine->e[idx], false);
    }
    return 0;
}

static int process(eddy_op *op, void *vs, int port, eddy_batch *in)
{
    state *st = vs;
    if (st->mode == MODE_ST && port == 1) {
        for (uint32_t i = 0; i < in->n; i++) {
            const eddy_record *r = &in->recs[i];
            eddy_value k = r->cols[st->keycol[1]];
            if (k.is_null)
                continue;
            int rc = table_upsert(st, 1, r, &k);
            if (rc)
                return rc;
        }
        return 0;
    }
    eddy_batch *out = eddy_api->batch_new(op, st->out, in->n);
    if (!out)
        return EDDY_ENOMEM;
    int rc = eddy_api->batch_retain_parent(out, in);
    for (uint32_t i = 0; rc == 0 && i < in->n; i++) {
        const eddy_record *r = &in->recs[i];
        rc = st->mode == MODE_ST   ? process_stream_table(op, st, r, out)
             : st->mode == MODE_TT ? process_table_table(op, st, port, r, out)
             : st->mode == MODE_FK ? process_foreign_key(op, st, port, r, out)
                                   : process_stream_stream(op, st, port, r, out);
    }
    if (rc == 0)
        rc = eddy_api->emit(op, 0, out);
    eddy_api->batch_release(out);
    return rc;
}

/* Reports what the logged stores hold, for the metrics. */
static int flush_(eddy_op *op, void *vs)
{
    state *st = vs;
    if (eddy_api->size < offsetof(eddy_host_api, store_size) + sizeof eddy_api->store_size)
        return 0;
    for (int side = 0; side < 2; side++) {
        if (!logged_side(st, side))
            continue;
        uint64_t live = 0;
        for (int32_t i = 0; i < st->s[side].n; i++)
            live += st->s[side].e[i].live;
        eddy_api->store_size(op, store_name(st, side), live);
    }
    return 0;
}

static void destroy(eddy_op *op, void *vs)
{
    (void)op;
    if (vs)
        free_state(vs);
}

static const eddy_plugin descriptor = {
    .abi_version = EDDY_PLUGIN_ABI_VERSION,
    .size = sizeof(eddy_plugin),
    .name = "join",
    .description = "Joins two inputs by key: stream-table (INNER, LEFT), stream-stream in "
                   "windows and table-table (INNER, LEFT, RIGHT, FULL).",
    .version = "2.0.0",
    .kind = EDDY_PLUGIN_TRANSFORM,
    .min_inputs = 2,
    .max_inputs = 2,
    .config = config,
    .plan = plan,
    .create = create,
    .process = process,
    .flush = flush_,
    .destroy = destroy,
};

EDDY_PLUGIN_DEFINE(descriptor)
