/* host.c: the eddy_host_api table: every service a plugin may use, implemented over the
 * runtime's structures. */
#include "runtime/internal.h"

#include <cjson/cJSON.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "expr/agg.h"
#include "expr/expr.h"
#include "io/memtopic.h"
#include "serde/serde.h"
#include "sql/parser.h"

/* --------------------------------------------------------------- identity */

static void h_log(eddy_op *op, eddy_log_level level, const char *fmt, ...)
{
    char msg[1536];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    eddy_runtime_log(op->p, op->node->gn->id, op->task ? op->task->id : -1, level, "%s", msg);
}

static const char *h_node_id(eddy_op *op) { return op->node->gn->id; }
static int h_task_id(eddy_op *op) { return op->task ? op->task->id : -1; }
static int h_task_partition(eddy_op *op) { return op->task ? op->task->partition : -1; }
static const char *h_pipeline_dir(eddy_op *op) { return op->p->graph->dir; }

/* ----------------------------------------------------------------- config */

static const eddy_config_prop *prop_of(eddy_op *op, const char *name)
{
    for (const eddy_config_prop *c = op->node->plugin->desc.config; c && c->name; c++)
        if (strcmp(c->name, name) == 0)
            return c;
    return NULL;
}

static const cJSON *conf(eddy_op *op, const char *name)
{
    return cJSON_GetObjectItemCaseSensitive(op->node->gn->config, name);
}

static bool h_config_has(eddy_op *op, const char *name) { return conf(op, name) != NULL; }

static const char *h_config_str(eddy_op *op, const char *name)
{
    const cJSON *v = conf(op, name);
    if (cJSON_IsString(v))
        return v->valuestring;
    const eddy_config_prop *p = prop_of(op, name);
    return p ? p->def : NULL;
}

static int64_t h_config_int(eddy_op *op, const char *name)
{
    const cJSON *v = conf(op, name);
    if (cJSON_IsNumber(v))
        return (int64_t)v->valuedouble;
    const eddy_config_prop *p = prop_of(op, name);
    return p && p->def ? strtoll(p->def, NULL, 10) : 0;
}

static double h_config_double(eddy_op *op, const char *name)
{
    const cJSON *v = conf(op, name);
    if (cJSON_IsNumber(v))
        return v->valuedouble;
    const eddy_config_prop *p = prop_of(op, name);
    return p && p->def ? strtod(p->def, NULL) : 0;
}

static bool h_config_bool(eddy_op *op, const char *name)
{
    const cJSON *v = conf(op, name);
    if (cJSON_IsBool(v))
        return cJSON_IsTrue(v);
    const eddy_config_prop *p = prop_of(op, name);
    return p && p->def && strcmp(p->def, "true") == 0;
}

static size_t h_config_count(eddy_op *op, const char *name)
{
    const cJSON *v = conf(op, name);
    return v && (cJSON_IsArray(v) || cJSON_IsObject(v)) ? (size_t)cJSON_GetArraySize(v) : 0;
}

static const char *h_config_entry(eddy_op *op, const char *name, size_t i, const char **key)
{
    const cJSON *v = conf(op, name);
    if (key)
        *key = NULL;
    if (!v)
        return NULL;
    const cJSON *e = cJSON_GetArrayItem(v, (int)i);
    if (!e)
        return NULL;
    if (key && cJSON_IsObject(v))
        *key = e->string;
    return cJSON_IsString(e) ? e->valuestring : NULL;
}

/* ---------------------------------------------------------------- schemas */

static int h_input_count(eddy_op *op) { return op->node->ninputs; }

static const eddy_schema *h_input_schema(eddy_op *op, int port)
{
    return port >= 0 && port < op->node->ninputs ? op->node->inputs[port] : NULL;
}

static int h_output_add(eddy_op *op, const char *name, const eddy_schema *schema, char *errstr,
                        size_t errstr_size)
{
    eddy_node *n = op->node;
    if (op->task)
        return eddy_seterr(errstr, errstr_size, EDDY_ESTATE,
                           "outputs can only be declared in plan()");
    if (!schema)
        return eddy_seterr(errstr, errstr_size, EDDY_EINVAL, "output without a schema");
    for (int i = 0; i < n->noutputs; i++)
        if ((name && n->outputs[i].name && strcmp(name, n->outputs[i].name) == 0))
            return eddy_seterr(errstr, errstr_size, EDDY_EEXIST,
                               "output port '%s' declared twice", name);
    eddy_output *o = realloc(n->outputs, (size_t)(n->noutputs + 1) * sizeof *o);
    if (!o)
        return EDDY_ENOMEM;
    n->outputs = o;
    o[n->noutputs] = (eddy_output){name ? strdup(name) : NULL, eddy_schema_retain(schema), NULL, 0};
    n->noutputs++;
    return 0;
}

static int h_output_count(eddy_op *op) { return op->node->noutputs; }

static const char *h_input_name(eddy_op *op, int port)
{
    return port >= 0 && port < op->node->ninputs ? op->node->input_names[port] : NULL;
}

static int h_columns_parse(eddy_op *op, const char *text, eddy_schema **out, char *errstr,
                           size_t errstr_size)
{
    return eddy_columns_parse(text, out, errstr, errstr_size);
}

/* ------------------------------------------------------------ expressions */



static int h_expr_compile(eddy_op *op, const char *text, const eddy_schema *schema,
                          eddy_expr **out, char *errstr, size_t errstr_size)
{
    eddy_scope scope = {.schema = schema, .pseudo_columns = true};
    return eddy_expr_compile(text, &scope, out, errstr, errstr_size);
}

static int h_expr_compile_item(eddy_op *op, const char *text, const eddy_schema *schema,
                               int index, eddy_expr **out, const char **name, char *errstr,
                               size_t errstr_size)
{
    eddy_scope scope = {.schema = schema, .pseudo_columns = true};
    return eddy_expr_compile_item(text, &scope, index, out, name, errstr, errstr_size);
}

int eddy_op_eval(eddy_op *op, const eddy_expr *e, const eddy_record *rec, eddy_arena *arena,
                 eddy_value *out, char *errstr, size_t errstr_size)
{
    eddy_eval_ctx ctx = {.arena = arena, .errstr = errstr, .errstr_size = errstr_size};
    int rc = eddy_expr_eval(e, rec, &ctx, out);
    if (rc == 0 && ctx.soft_errors)
        eddy_op_record_error(op, rec, NULL, 0, EDDY_EFUNC, errstr ? errstr : "function failed");
    return rc;
}

static int h_expr_compile_table(eddy_op *op, const char *text, const eddy_schema *schema,
                                int index, eddy_expr **out, const char **name, char *errstr,
                                size_t errstr_size)
{
    eddy_scope scope = {.schema = schema, .pseudo_columns = true, .table_function = true};
    return eddy_expr_compile_item(text, &scope, index, out, name, errstr, errstr_size);
}

static int h_expr_eval_table(eddy_op *op, const eddy_expr *e, const eddy_record *rec,
                             eddy_arena *arena, eddy_value **rows, uint32_t *nrows,
                             char *errstr, size_t errstr_size)
{
    eddy_eval_ctx ctx = {.arena = arena, .errstr = errstr, .errstr_size = errstr_size};
    return eddy_expr_eval_table(e, rec, &ctx, rows, nrows);
}

/* ---------------------------------------------------------------- batches */

static void *h_batch_alloc(eddy_batch *b, size_t n)
{
    return eddy_arena_alloc(b->arena, n);
}

static eddy_batch *h_batch_new(eddy_op *op, const eddy_schema *schema, uint32_t cap_hint)
{
    return eddy_batch_new(op->task ? op->task->pool : NULL, schema, cap_hint);
}

static int h_emit(eddy_op *op, int port, eddy_batch *b)
{
    eddy_node *n = op->node;
    eddy_task *t = op->task;
    if (!t)
        return EDDY_ESTATE;
    if (port < 0 || port >= n->noutputs) {
        eddy_runtime_log(op->p, n->gn->id, t->id, EDDY_LOG_ERROR,
                         "emit on output port %d, but the operator declared %d", port,
                         n->noutputs);
        return EDDY_EINVAL;
    }
    if (!b || b->n == 0)
        return 0;
    eddy_output *o = &n->outputs[port];
    if (b->schema != o->schema && !eddy_schema_equal(b->schema, o->schema)) {
        eddy_runtime_log(op->p, n->gn->id, t->id, EDDY_LOG_ERROR,
                         "emitted a batch whose schema is not the one declared for port %d",
                         port);
        return EDDY_EINTERNAL;
    }
    if (n->plugin->desc.kind == EDDY_PLUGIN_SOURCE) {
        int64_t st = t->stream_time;
        for (uint32_t i = 0; i < b->n; i++)
            if (b->recs[i].rowtime > st)
                st = b->recs[i].rowtime;
        t->stream_time = st;
    }
    __atomic_add_fetch(&n->records_out, b->n, __ATOMIC_RELAXED);
    for (int i = 0; i < o->nedges; i++) {
        eddy_op *down = &t->ops[o->edges[i].node];
        eddy_exchange *x = NULL;
        for (int k = 0; t->kw && k < down->node->nxch && !x; k++)
            if (down->node->xch[k].port == o->edges[i].port)
                x = &down->node->xch[k];
        if (x) {
            /* Kafka: to the task of each record's key, through the repartition topic. */
            int rc = eddy_kafka_exchange_send(op, down, x, b);
            if (rc)
                return rc;
            continue;
        }
        __atomic_add_fetch(&down->node->records_in, b->n, __ATOMIC_RELAXED);
        int rc = down->node->plugin->desc.process(down, down->state, o->edges[i].port, b);
        if (rc) {
            eddy_pipeline_fail(op->p, rc, "node '%s' (task %d): process failed: %s",
                               down->node->gn->id, t->id, eddy_strerror(rc));
            return rc;
        }
    }
    return 0;
}

/* ------------------------------------------------------------------ serde */

static int h_serde_new(eddy_op *op, const char *format, const eddy_schema *schema,
                       eddy_serde_part part, const char *const *props, eddy_serde **out,
                       char *errstr, size_t errstr_size)
{
    eddy_serde_opts o = {.format = format, .wrap_single = -1};
    for (const char *const *kv = props; kv && kv[0]; kv += 2) {
        if (!kv[1])
            break;
        int rc = eddy_serde_opts_set(&o, kv[0], kv[1], errstr, errstr_size);
        if (rc)
            return rc;
    }
    return eddy_serde_new(&o, schema, part, out, errstr, errstr_size);
}

/* -------------------------------------------------------- processing log */

void eddy_op_record_error(eddy_op *op, const eddy_record *rec, const uint8_t *raw,
                          size_t raw_len, int code, const char *reason)
{
    eddy_pipeline *p = op->p;
    __atomic_add_fetch(&op->node->errors, 1, __ATOMIC_RELAXED);
    if (!raw && rec && rec->raw_value) {
        raw = rec->raw_value;
        raw_len = rec->raw_value_len;
    }
    const eddy_origin *origin = rec ? &rec->origin : NULL;
    if (op->task && op->task->kw && op->task->partition >= 0 &&
        op->task->partition < EDDY_TASK_METRICS)
        __atomic_add_fetch(&p->tm[op->task->partition].processing_log, 1, __ATOMIC_RELAXED);
    if (p->proclog)
        eddy_proclog_write(p->proclog, p->graph->name, op->node->gn->id,
                           op->task ? op->task->id : -1, code, reason, origin, raw, raw_len);
}

/* ------------------------------------------------------------------- time */

static int64_t h_stream_time(eddy_op *op) { return op->task ? op->task->stream_time : -1; }

static int h_timer_set(eddy_op *op, eddy_time_kind kind, int64_t at)
{
    if (kind != EDDY_TIME_EVENT && kind != EDDY_TIME_WALL)
        return EDDY_EINVAL;
    op->timer_at[kind] = at;
    return 0;
}

static bool h_stopping(eddy_op *op) { return op->p->stop != 0; }

/* ----------------------------------------------------------------- topics */

static int h_topic_append(eddy_op *op, const char *topic, const eddy_topic_record *r)
{
    if (!op->p->opts.topics)
        return EDDY_ENOTFOUND;
    return eddy_topics_append(op->p->opts.topics, topic, r, NULL);
}

static int h_topic_read(eddy_op *op, const char *topic, int64_t offset, eddy_topic_record *out)
{
    if (!op->p->opts.topics)
        return EDDY_ENOTFOUND;
    const eddy_topic_record *r = eddy_topics_get(op->p->opts.topics, topic, offset);
    if (!r)
        return EDDY_EOF;
    *out = *r;
    return 0;
}
static int h_topic_declare(eddy_op *op, const char *topic, const eddy_topic_decl *d,
                           char *errstr, size_t errstr_size)
{
    if (op->task)
        return eddy_seterr(errstr, errstr_size, EDDY_ESTATE,
                           "topic_declare is for plan only (topic '%s')", topic);
    if (!topic || !*topic)
        return eddy_seterr(errstr, errstr_size, EDDY_EINVAL, "a topic needs a name");
    eddy_node *n = op->node;
    eddy_topic_use *u = realloc(n->topics, (size_t)(n->ntopics + 1) * sizeof *u);
    if (!u)
        return EDDY_ENOMEM;
    n->topics = u;
    u = &n->topics[n->ntopics];
    *u = (eddy_topic_use){0};
    /* Copy only as much of the declaration as the plugin was compiled with. */
    uint32_t sz = d && d->size < sizeof *d ? d->size : (uint32_t)sizeof *d;
    if (d)
        memcpy(&u->d, d, sz);
    u->d.size = sizeof u->d;
    if (!(u->name = strdup(topic)))
        return EDDY_ENOMEM;
    n->ntopics++;
    if (op->p->opts.topics)
        return eddy_topics_create(op->p->opts.topics, topic);
    return 0;
}

static const eddy_topic_use *declared(eddy_op *op, const char *topic, bool output)
{
    for (int i = 0; i < op->node->ntopics; i++)
        if (op->node->topics[i].d.output == output && strcmp(op->node->topics[i].name, topic) == 0)
            return &op->node->topics[i];
    return NULL;
}

eddy_fetch *eddy_op_fetch_state(eddy_op *op, const eddy_topic_use *u)
{
    for (int i = 0; i < op->nfetch; i++)
        if (op->fetch[i].use == u)
            return &op->fetch[i];
    eddy_fetch *v = realloc(op->fetch, (size_t)(op->nfetch + 1) * sizeof *v);
    if (!v)
        return NULL;
    op->fetch = v;
    eddy_fetch *f = &op->fetch[op->nfetch++];
    *f = (eddy_fetch){.use = u, .next = -1};
    return f;
}

static int h_topic_fetch(eddy_op *op, const char *topic, eddy_topic_record *out, int max)
{
    eddy_fetch *f = NULL;
    for (int i = 0; i < op->nfetch && !f; i++)
        if (strcmp(op->fetch[i].use->name, topic) == 0)
            f = &op->fetch[i];
    if (!f) {
        const eddy_topic_use *u = declared(op, topic, false);
        if (!u || !op->task)
            return EDDY_EINVAL;
        if (!(f = eddy_op_fetch_state(op, u)))
            return EDDY_ENOMEM;
    }
    if (op->p->opts.kafka)
        return eddy_kafka_fetch(op, f, out, max);
    if (!op->p->opts.topics)
        return EDDY_ENOTFOUND;
    int n = 0;
    int64_t next = f->next < 0 ? 0 : f->next;
    while (n < max) {
        const eddy_topic_record *r = eddy_topics_get(op->p->opts.topics, topic, next);
        if (!r)
            break;
        out[n++] = *r;
        next++;
    }
    f->next = next;
    return n;
}

static int h_topic_produce(eddy_op *op, const char *topic, const eddy_topic_record *r)
{
    const eddy_topic_use *u = declared(op, topic, true);
    if (!u)
        return EDDY_EINVAL;
    if (op->p->opts.kafka)
        return eddy_kafka_produce(op, u, r);
    if (!op->p->opts.topics)
        return EDDY_ENOTFOUND;
    eddy_topic_record c = *r;
    c.partition = 0; /* in-memory topics have one partition */
    return eddy_topics_append(op->p->opts.topics, topic, &c, NULL);
}
static int h_input_partition_by(eddy_op *op, int port, const char *const *exprs, int n,
                                const char *key_format, char *errstr, size_t errstr_size)
{
    eddy_node *node = op->node;
    if (op->task)
        return eddy_seterr(errstr, errstr_size, EDDY_ESTATE, "input_partition_by is for plan only");
    if (port < 0 || port >= node->ninputs || n < 1)
        return eddy_seterr(errstr, errstr_size, EDDY_EINVAL,
                           "input_partition_by: no input port %d, or no key", port);
    eddy_exchange *v = realloc(node->xch, (size_t)(node->nxch + 1) * sizeof *v);
    if (!v)
        return EDDY_ENOMEM;
    node->xch = v;
    eddy_exchange *x = &node->xch[node->nxch];
    *x = (eddy_exchange){.port = port};
    x->keys = calloc((size_t)n, sizeof *x->keys);
    if (!x->keys)
        return EDDY_ENOMEM;
    node->nxch++; /* from here on eddy_exchange_free cleans up */
    const eddy_schema *in = node->inputs[port];
    eddy_scope scope = {.schema = in, .pseudo_columns = true};
    eddy_schema_builder *b = eddy_schema_builder_new();
    int rc = 0;
    for (int i = 0; i < n && rc == 0; i++) {
        rc = eddy_expr_compile(exprs[i], &scope, &x->keys[i], errstr, errstr_size);
        if (rc == 0) {
            x->nkeys++;
            char name[16];
            snprintf(name, sizeof name, "K%d", i);
            rc = eddy_schema_builder_add(b, name, eddy_expr_type(x->keys[i]), EDDY_COL_KEY);
        }
    }
    x->key_schema = eddy_schema_build(b);
    if (rc)
        return rc;
    /* A key the format cannot carry (KAFKA and several columns) falls back to JSON: the
     * partitioning only needs to be consistent then. */
    eddy_serde_opts ko = {.format = key_format ? key_format : "KAFKA", .wrap_single = -1};
    if (eddy_serde_new(&ko, x->key_schema, EDDY_SERDE_KEY, &x->key_serde, NULL, 0)) {
        ko.format = "JSON";
        rc = eddy_serde_new(&ko, x->key_schema, EDDY_SERDE_KEY, &x->key_serde, errstr,
                            errstr_size);
    }
    eddy_serde_opts ro = {.format = "JSON", .wrap_single = in->ncols == 1 ? 1 : -1};
    if (rc == 0)
        rc = eddy_serde_new(&ro, in, EDDY_SERDE_ALL, &x->row_serde, errstr, errstr_size);
    return rc;
}

void eddy_exchange_free(eddy_exchange *x)
{
    for (int i = 0; i < x->nkeys; i++)
        eddy_expr_destroy(x->keys[i]);
    free(x->keys);
    eddy_schema_release(x->key_schema);
    eddy_serde_destroy(x->key_serde);
    eddy_serde_destroy(x->row_serde);
    free(x->use.name);
}

static int store_index(eddy_op *op, const char *store)
{
    for (int i = 0; i < op->node->nstores; i++)
        if (strcmp(op->node->stores[i].name, store) == 0)
            return i;
    return -1;
}

static int h_store_declare(eddy_op *op, const char *store, char *errstr, size_t errstr_size)
{
    eddy_node *n = op->node;
    if (op->task)
        return eddy_seterr(errstr, errstr_size, EDDY_ESTATE, "store_declare is for plan only");
    if (!store || !*store || store_index(op, store) >= 0)
        return eddy_seterr(errstr, errstr_size, EDDY_EINVAL,
                           "store '%s': a store needs a name of its own", store ? store : "");
    eddy_topic_use *v = realloc(n->stores, (size_t)(n->nstores + 1) * sizeof *v);
    if (!v)
        return EDDY_ENOMEM;
    n->stores = v;
    char **c = realloc(n->changelogs, (size_t)(n->nstores + 1) * sizeof *c);
    if (!c)
        return EDDY_ENOMEM;
    n->changelogs = c;
    n->stores[n->nstores] = (eddy_topic_use){.name = strdup(store)};
    n->changelogs[n->nstores] = NULL;
    if (!n->stores[n->nstores].name)
        return EDDY_ENOMEM;
    n->nstores++;
    return 0;
}

static int h_store_put(eddy_op *op, const char *store, const uint8_t *key, size_t klen,
                       const uint8_t *value, size_t vlen)
{
    int i = store_index(op, store);
    if (i < 0)
        return EDDY_EINVAL;
    if (!op->task || !op->task->kw)
        return 0;
    return eddy_kafka_store_put(op, i, key, klen, value, vlen);
}

static int h_store_restore(eddy_op *op, const char *store,
                           int (*cb)(void *, const uint8_t *, size_t, const uint8_t *, size_t),
                           void *opaque)
{
    int i = store_index(op, store);
    if (i < 0)
        return EDDY_EINVAL;
    if (!op->task || !op->task->kw)
        return 0;
    return eddy_kafka_store_restore(op, i, cb, opaque);
}

static void h_store_size(eddy_op *op, const char *store, uint64_t entries)
{
    int i = store_index(op, store);
    eddy_task *t = op->task;
    if (i < 0 || !t || t->partition < 0 || t->partition >= EDDY_TASK_METRICS)
        return;
    if (!op->store_sizes &&
        !(op->store_sizes = calloc((size_t)op->node->nstores, sizeof *op->store_sizes)))
        return;
    __atomic_add_fetch(&op->p->tm[t->partition].store_entries,
                       (int64_t)entries - op->store_sizes[i], __ATOMIC_RELAXED);
    op->store_sizes[i] = (int64_t)entries;
}

static bool h_follow(eddy_op *op) { return op->p->opts.follow; }

/* ----------------------------------------------------------- aggregations */

static int h_agg_compile(eddy_op *op, const char *text, const eddy_schema *schema,
                         eddy_agg **out, char *errstr, size_t errstr_size)
{
    eddy_scope scope = {.schema = schema, .pseudo_columns = true};
    return eddy_agg_compile(text, &scope, out, errstr, errstr_size);
}

static int h_agg_init(const eddy_agg *a, eddy_arena *arena, eddy_value *acc, char *errstr,
                      size_t errstr_size)
{
    eddy_eval_ctx ctx = {.arena = arena, .errstr = errstr, .errstr_size = errstr_size};
    return eddy_agg_init(a, &ctx, acc);
}

static int h_agg_add(const eddy_agg *a, const eddy_record *rec, eddy_arena *arena,
                     eddy_value *acc, char *errstr, size_t errstr_size)
{
    eddy_eval_ctx ctx = {.arena = arena, .errstr = errstr, .errstr_size = errstr_size};
    return eddy_agg_add(a, rec, &ctx, acc);
}

static int h_agg_undo(const eddy_agg *a, const eddy_record *rec, eddy_arena *arena,
                      eddy_value *acc, char *errstr, size_t errstr_size)
{
    eddy_eval_ctx ctx = {.arena = arena, .errstr = errstr, .errstr_size = errstr_size};
    return eddy_agg_undo(a, rec, &ctx, acc);
}

static int h_agg_merge(const eddy_agg *a, eddy_arena *arena, eddy_value *acc,
                       const eddy_value *other, char *errstr, size_t errstr_size)
{
    eddy_eval_ctx ctx = {.arena = arena, .errstr = errstr, .errstr_size = errstr_size};
    return eddy_agg_merge(a, &ctx, acc, other);
}

static int h_agg_result(const eddy_agg *a, const eddy_value *acc, eddy_arena *arena,
                        eddy_value *out, char *errstr, size_t errstr_size)
{
    eddy_eval_ctx ctx = {.arena = arena, .errstr = errstr, .errstr_size = errstr_size};
    return eddy_agg_result(a, &ctx, acc, out);
}

/* ------------------------------------------------------------------ table */

static const eddy_host_api host_api = {
    .abi_version = EDDY_PLUGIN_ABI_VERSION,
    .size = sizeof(eddy_host_api),
    .log = h_log,
    .node_id = h_node_id,
    .task_id = h_task_id,
    .task_partition = h_task_partition,
    .pipeline_dir = h_pipeline_dir,
    .config_has = h_config_has,
    .config_str = h_config_str,
    .config_int = h_config_int,
    .config_double = h_config_double,
    .config_bool = h_config_bool,
    .config_count = h_config_count,
    .config_entry = h_config_entry,
    .input_count = h_input_count,
    .input_schema = h_input_schema,
    .output_add = h_output_add,
    .output_count = h_output_count,
    .columns_parse = h_columns_parse,
    .schema_builder_new = eddy_schema_builder_new,
    .schema_builder_add = eddy_schema_builder_add,
    .schema_build = eddy_schema_build,
    .schema_retain = eddy_schema_retain,
    .schema_release = eddy_schema_release,
    .schema_find = eddy_schema_find,
    .schema_equal = eddy_schema_equal,
    .schema_format = eddy_schema_format,
    .expr_compile = h_expr_compile,
    .expr_compile_item = h_expr_compile_item,
    .expr_type = eddy_expr_type,
    .expr_eval = eddy_op_eval,
    .expr_destroy = eddy_expr_destroy,
    .batch_new = h_batch_new,
    .batch_append = eddy_batch_append,
    .batch_append_copy = eddy_batch_append_copy,
    .batch_pop = eddy_batch_pop,
    .batch_retain_parent = eddy_batch_retain_parent,
    .batch_retain = eddy_batch_retain,
    .batch_release = eddy_batch_release,
    .emit = h_emit,
    .serde_new = h_serde_new,
    .serde_decode = eddy_serde_decode,
    .serde_encode = eddy_serde_encode,
    .serde_destroy = eddy_serde_destroy,
    .record_error = eddy_op_record_error,
    .stream_time = h_stream_time,
    .timer_set = h_timer_set,
    .now_ms = eddy_now_ms,
    .stopping = h_stopping,
    .follow = h_follow,
    .value_format = eddy_value_format,
    .value_cast = eddy_value_cast,
    .value_compare = eddy_value_compare,
    .type_primitive = eddy_type_primitive,
    .buf_append = eddy_buf_append,
    .buf_free = eddy_buf_free,
    .parse_timestamp = eddy_parse_timestamp,
    .batch_alloc = h_batch_alloc,
    .input_name = h_input_name,
    .topic_append = h_topic_append,
    .topic_read = h_topic_read,
    .agg_compile = h_agg_compile,
    .agg_type = eddy_agg_type,
    .agg_can_undo = eddy_agg_can_undo,
    .agg_init = h_agg_init,
    .agg_add = h_agg_add,
    .agg_undo = h_agg_undo,
    .agg_merge = h_agg_merge,
    .agg_result = h_agg_result,
    .agg_destroy = eddy_agg_destroy,
    .arena_new = eddy_arena_new,
    .arena_destroy = eddy_arena_destroy,
    .arena_alloc = eddy_arena_alloc,
    .value_copy = eddy_value_copy,
    .value_equal = eddy_value_equal,
    .value_hash = eddy_value_hash,
    .topic_declare = h_topic_declare,
    .topic_fetch = h_topic_fetch,
    .topic_produce = h_topic_produce,
    .input_partition_by = h_input_partition_by,
    .store_declare = h_store_declare,
    .store_put = h_store_put,
    .store_restore = h_store_restore,
    .agg_state_type = eddy_agg_state_type,
    .store_size = h_store_size,
    .expr_compile_table = h_expr_compile_table,
    .expr_eval_table = h_expr_eval_table,
};

const eddy_host_api *eddy_host_api_get(void)
{
    return &host_api;
}
