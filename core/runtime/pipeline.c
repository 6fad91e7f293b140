/* pipeline.c: plans a graph against its plugins (config and schema checks), then runs it:
 * tasks on worker threads, each polling its sources and pushing batches depth-first through
 * its operators, firing timers and flushing at every commit interval and at the end. */
#include "runtime/internal.h"
#include "eddy/udf.h"

#include <cjson/cJSON.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

/* ------------------------------------------------------------- logging */

void eddy_runtime_log(eddy_pipeline *p, const char *node, int task, eddy_log_level level,
                      const char *fmt, ...)
{
    if (level == EDDY_LOG_DEBUG && !getenv("EDDY_DEBUG"))
        return;
    if (level == EDDY_LOG_INFO && p && p->opts.quiet)
        return;
    static const char *const names[] = {"", "ERROR", "WARN", "INFO", "DEBUG"};
    char line[2048];
    size_t n = 0;
    if (node && task >= 0)
        n = (size_t)snprintf(line, sizeof line, "%s [%s:%d] ", names[level], node, task);
    else if (node)
        n = (size_t)snprintf(line, sizeof line, "%s [%s] ", names[level], node);
    else
        n = (size_t)snprintf(line, sizeof line, "%s ", names[level]);
    va_list ap;
    va_start(ap, fmt);
    if (n < sizeof line)
        vsnprintf(line + n, sizeof line - n, fmt, ap);
    va_end(ap);
    fprintf(stderr, "eddy: %s\n", line);
}

void eddy_pipeline_fail(eddy_pipeline *p, int code, const char *fmt, ...)
{
    pthread_mutex_lock(&p->err_lock);
    if (p->err == 0) {
        p->err = code ? code : EDDY_EINTERNAL;
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(p->errstr, sizeof p->errstr, fmt, ap);
        va_end(ap);
    }
    pthread_mutex_unlock(&p->err_lock);
    p->stop = 1;
}

/* ------------------------------------------------------ config checking */

static const eddy_config_prop *find_prop(const eddy_plugin *pl, const char *name)
{
    for (const eddy_config_prop *c = pl->config; c && c->name; c++)
        if (strcmp(c->name, name) == 0)
            return c;
    return NULL;
}

static const char *type_word(eddy_config_type t)
{
    switch (t) {
    case EDDY_CONF_STRING: return "a string";
    case EDDY_CONF_INT: return "an integer";
    case EDDY_CONF_DOUBLE: return "a number";
    case EDDY_CONF_BOOL: return "true or false";
    case EDDY_CONF_ENUM: return "a string";
    case EDDY_CONF_EXPR: return "a string holding an expression";
    case EDDY_CONF_COLUMNS: return "a string holding a column list";
    case EDDY_CONF_STRING_LIST: return "an array of strings";
    case EDDY_CONF_STRING_MAP: return "an object whose values are strings";
    }
    return "?";
}

/* Finds `v` among "A|B|C" case-insensitively; copies the canonical spelling to `out`. */
static bool enum_match(const char *choices, const char *v, char *out, size_t size)
{
    const char *s = choices;
    size_t vl = strlen(v);
    while (s && *s) {
        const char *bar = strchr(s, '|');
        size_t len = bar ? (size_t)(bar - s) : strlen(s);
        if (len == vl && strncasecmp(s, v, len) == 0) {
            snprintf(out, size, "%.*s", (int)len, s);
            return true;
        }
        s = bar ? bar + 1 : NULL;
    }
    return false;
}

static int check_config(eddy_pipeline *p, eddy_node *n, char *errstr, size_t errstr_size)
{
    const eddy_plugin *pl = &n->plugin->desc;
    const char *path = p->graph->path, *id = n->gn->id;
    for (cJSON *c = n->gn->config->child; c; c = c->next) {
        const eddy_config_prop *prop = find_prop(pl, c->string);
        if (!prop) {
            eddy_buf known = {0};
            for (const eddy_config_prop *k = pl->config; k && k->name; k++)
                eddy_buf_printf(&known, "%s%s", known.len ? ", " : "", k->name);
            int rc = eddy_seterr(errstr, errstr_size, EDDY_EINVAL,
                                 "%s: node '%s': unknown config key '%s' for operator '%s' "
                                 "(known keys: %s)", path, id, c->string, pl->name,
                                 known.len ? eddy_buf_cstr(&known) : "none");
            eddy_buf_free(&known);
            return rc;
        }
        bool ok;
        switch (prop->type) {
        case EDDY_CONF_INT:
            ok = cJSON_IsNumber(c) && c->valuedouble == (double)(int64_t)c->valuedouble;
            break;
        case EDDY_CONF_DOUBLE: ok = cJSON_IsNumber(c); break;
        case EDDY_CONF_BOOL: ok = cJSON_IsBool(c); break;
        case EDDY_CONF_STRING_LIST:
            ok = cJSON_IsArray(c);
            for (cJSON *e = c->child; ok && e; e = e->next)
                ok = cJSON_IsString(e);
            break;
        case EDDY_CONF_STRING_MAP:
            ok = cJSON_IsObject(c);
            for (cJSON *e = c->child; ok && e; e = e->next)
                ok = cJSON_IsString(e);
            break;
        default: ok = cJSON_IsString(c); break;
        }
        if (!ok)
            return eddy_seterr(errstr, errstr_size, EDDY_EINVAL,
                               "%s: node '%s': config '%s' must be %s", path, id, c->string,
                               type_word(prop->type));
        if (prop->type == EDDY_CONF_ENUM) {
            char canon[128];
            if (!enum_match(prop->choices, c->valuestring, canon, sizeof canon))
                return eddy_seterr(errstr, errstr_size, EDDY_EINVAL,
                                   "%s: node '%s': config '%s' is '%s', expected one of %s",
                                   path, id, c->string, c->valuestring, prop->choices);
            cJSON_SetValuestring(c, canon);
        }
    }
    for (const eddy_config_prop *k = pl->config; k && k->name; k++)
        if ((k->flags & EDDY_CONF_REQUIRED) && !cJSON_GetObjectItemCaseSensitive(n->gn->config, k->name))
            return eddy_seterr(errstr, errstr_size, EDDY_EINVAL,
                               "%s: node '%s': config '%s' is required by operator '%s' (%s)",
                               path, id, k->name, pl->name,
                               k->description ? k->description : type_word(k->type));
    return 0;
}

/* ------------------------------------------------------------- settings */

static int setting_int(eddy_pipeline *p, const char *name, int64_t *out, char *errstr,
                       size_t errstr_size)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(p->graph->settings, name);
    if (!v)
        return 0;
    if (!cJSON_IsNumber(v) || v->valuedouble < 0)
        return eddy_seterr(errstr, errstr_size, EDDY_EINVAL,
                           "%s: settings: '%s' must be a non-negative integer", p->graph->path,
                           name);
    *out = (int64_t)v->valuedouble;
    return 0;
}

static int apply_settings(eddy_pipeline *p, const eddy_run_opts *o, char *errstr,
                          size_t errstr_size)
{
    static const char *const known[] = {"threads", "commit_interval_ms", "processing_log",
                                        "batch_size", NULL};
    for (const cJSON *c = p->graph->settings->child; c; c = c->next) {
        bool ok = false;
        for (const char *const *k = known; *k; k++)
            ok |= strcmp(*k, c->string) == 0;
        if (!ok)
            return eddy_seterr(errstr, errstr_size, EDDY_EINVAL,
                               "%s: settings: unknown setting '%s' (known: threads, "
                               "commit_interval_ms, processing_log, batch_size)",
                               p->graph->path, c->string);
    }
    int64_t threads = 1, commit = 1000, batch = 1024;
    int rc;
    if ((rc = setting_int(p, "threads", &threads, errstr, errstr_size)) ||
        (rc = setting_int(p, "commit_interval_ms", &commit, errstr, errstr_size)) ||
        (rc = setting_int(p, "batch_size", &batch, errstr, errstr_size)))
        return rc;
    const cJSON *pl = cJSON_GetObjectItemCaseSensitive(p->graph->settings, "processing_log");
    if (pl && !cJSON_IsString(pl))
        return eddy_seterr(errstr, errstr_size, EDDY_EINVAL,
                           "%s: settings: 'processing_log' must be a path", p->graph->path);
    p->opts = *o;
    if (!p->opts.threads)
        p->opts.threads = (int)threads;
    if (!p->opts.commit_interval_ms)
        p->opts.commit_interval_ms = commit;
    if (!p->opts.batch_size)
        p->opts.batch_size = (int)batch;
    if (!p->opts.processing_log)
        p->opts.processing_log = pl ? pl->valuestring : "-";
    if (p->opts.threads < 1)
        p->opts.threads = 1;
    if (p->opts.batch_size < 1)
        p->opts.batch_size = 1;
    if (p->opts.commit_interval_ms < 1)
        p->opts.commit_interval_ms = 1;
    return 0;
}

/* ----------------------------------------------------------------- plan */

static int find_port(const eddy_node *from, const char *port)
{
    if (!port)
        return from->noutputs > 0 ? 0 : -1;
    for (int i = 0; i < from->noutputs; i++)
        if (from->outputs[i].name && strcmp(from->outputs[i].name, port) == 0)
            return i;
    char *end;
    long v = strtol(port, &end, 10);
    if (*end == '\0' && v >= 0 && v < from->noutputs)
        return (int)v;
    return -1;
}

static int plan_node(eddy_pipeline *p, eddy_node *n, char *errstr, size_t errstr_size)
{
    const eddy_graph_node *gn = n->gn;
    const char *path = p->graph->path;
    n->plugin = eddy_loader_find(p->loader, gn->op);
    if (!n->plugin) {
        const char *why = eddy_loader_rejection_for(p->loader, gn->op);
        if (why)
            return eddy_seterr(errstr, errstr_size, EDDY_ENOTFOUND,
                               "%s: node '%s': operator '%s' is not available: %s", path,
                               gn->id, gn->op, why);
        eddy_buf known = {0};
        for (size_t i = 0; i < eddy_loader_count(p->loader); i++)
            eddy_buf_printf(&known, "%s%s", i ? ", " : "", eddy_loader_get(p->loader, i)->desc.name);
        int rc = eddy_seterr(errstr, errstr_size, EDDY_ENOTFOUND,
                             "%s: node '%s': unknown operator '%s' (available: %s; set "
                             "EDDY_PLUGIN_PATH to load more)", path, gn->id, gn->op,
                             known.len ? eddy_buf_cstr(&known) : "none");
        eddy_buf_free(&known);
        return rc;
    }
    const eddy_plugin *pl = &n->plugin->desc;
    if (pl->kind == EDDY_PLUGIN_FUNCTIONS)
        return eddy_seterr(errstr, errstr_size, EDDY_EINVAL,
                           "%s: node '%s': plugin '%s' is a library of SQL functions, not an "
                           "operator", path, gn->id, gn->op);
    if (gn->ninputs < pl->min_inputs || (pl->max_inputs >= 0 && gn->ninputs > pl->max_inputs)) {
        if (pl->max_inputs == 0)
            return eddy_seterr(errstr, errstr_size, EDDY_EINVAL,
                               "%s: node '%s': operator '%s' is a %s and takes no inputs", path,
                               gn->id, pl->name, eddy_plugin_kind_name(pl->kind));
        if (pl->max_inputs < 0)
            return eddy_seterr(errstr, errstr_size, EDDY_EINVAL,
                               "%s: node '%s': operator '%s' takes at least %d input%s, got %d",
                               path, gn->id, pl->name, pl->min_inputs,
                               pl->min_inputs == 1 ? "" : "s", gn->ninputs);
        if (pl->min_inputs == pl->max_inputs)
            return eddy_seterr(errstr, errstr_size, EDDY_EINVAL,
                               "%s: node '%s': operator '%s' takes %d input%s, got %d", path,
                               gn->id, pl->name, pl->min_inputs, pl->min_inputs == 1 ? "" : "s",
                               gn->ninputs);
        return eddy_seterr(errstr, errstr_size, EDDY_EINVAL,
                           "%s: node '%s': operator '%s' takes %d to %d inputs, got %d", path,
                           gn->id, pl->name, pl->min_inputs, pl->max_inputs, gn->ninputs);
    }
    int rc = check_config(p, n, errstr, errstr_size);
    if (rc)
        return rc;
    n->ninputs = gn->ninputs;
    n->inputs = calloc((size_t)(gn->ninputs ? gn->ninputs : 1), sizeof *n->inputs);
    n->input_names = calloc((size_t)(gn->ninputs ? gn->ninputs : 1), sizeof *n->input_names);
    if (!n->inputs || !n->input_names)
        return EDDY_ENOMEM;
    for (int k = 0; k < gn->ninputs; k++) {
        const eddy_graph_input *in = &gn->inputs[k];
        size_t len = strlen(in->node) + (in->port ? strlen(in->port) + 1 : 0) + 1;
        n->input_names[k] = malloc(len);
        if (!n->input_names[k])
            return EDDY_ENOMEM;
        snprintf(n->input_names[k], len, in->port ? "%s.%s" : "%s", in->node, in->port);
    }
    for (int k = 0; k < gn->ninputs; k++) {
        eddy_node *from = &p->nodes[gn->inputs[k].from];
        int port = find_port(from, gn->inputs[k].port);
        if (port < 0) {
            if (from->noutputs == 0)
                return eddy_seterr(errstr, errstr_size, EDDY_EINVAL,
                                   "%s: node '%s': input '%s' is a %s and has no output", path,
                                   gn->id, from->gn->id,
                                   eddy_plugin_kind_name(from->plugin->desc.kind));
            eddy_buf ports = {0};
            for (int i = 0; i < from->noutputs; i++)
                eddy_buf_printf(&ports, "%s%s", i ? ", " : "",
                                from->outputs[i].name ? from->outputs[i].name : "0");
            rc = eddy_seterr(errstr, errstr_size, EDDY_EINVAL,
                             "%s: node '%s': input '%s' has no output port '%s' (ports: %s)",
                             path, gn->id, from->gn->id, gn->inputs[k].port,
                             eddy_buf_cstr(&ports));
            eddy_buf_free(&ports);
            return rc;
        }
        eddy_output *o = &from->outputs[port];
        eddy_edge *e = realloc(o->edges, (size_t)(o->nedges + 1) * sizeof *e);
        if (!e)
            return EDDY_ENOMEM;
        o->edges = e;
        o->edges[o->nedges++] = (eddy_edge){n->index, k};
        n->inputs[k] = o->schema;
    }
    eddy_op op = {.p = p, .node = n};
    char msg[EDDY_ERRSTR_SIZE] = "";
    rc = pl->plan(&op, msg, sizeof msg);
    if (rc)
        return eddy_seterr(errstr, errstr_size, rc < 0 ? rc : EDDY_EINVAL,
                           "%s: node '%s': %s", path, gn->id, msg[0] ? msg : eddy_strerror(rc));
    if (pl->kind != EDDY_PLUGIN_SINK && n->noutputs == 0)
        return eddy_seterr(errstr, errstr_size, EDDY_EINTERNAL,
                           "%s: node '%s': operator '%s' declared no output", path, gn->id,
                           pl->name);
    return 0;
}

int eddy_pipeline_new(eddy_graph *g, eddy_loader *l, const eddy_run_opts *opts,
                      eddy_pipeline **out, char *errstr, size_t errstr_size)
{
    *out = NULL;
    eddy_pipeline *p = calloc(1, sizeof *p);
    if (!p)
        return EDDY_ENOMEM;
    p->graph = g;
    p->loader = l;
    pthread_mutex_init(&p->err_lock, NULL);
    eddy_run_opts none = {0};
    int rc = apply_settings(p, opts ? opts : &none, errstr, errstr_size);
    if (rc) {
        eddy_pipeline_destroy(p);
        return rc;
    }
    p->nnodes = g->nnodes;
    p->nodes = calloc((size_t)g->nnodes, sizeof *p->nodes);
    if (!p->nodes) {
        eddy_pipeline_destroy(p);
        return EDDY_ENOMEM;
    }
    for (int i = 0; i < g->nnodes; i++) {
        p->nodes[i].index = i;
        p->nodes[i].gn = &g->nodes[i];
    }
    for (int i = 0; i < g->nnodes && rc == 0; i++)
        rc = plan_node(p, &p->nodes[g->order[i]], errstr, errstr_size);
    if (rc) {
        eddy_pipeline_destroy(p);
        return rc;
    }
    *out = p;
    return 0;
}

void eddy_pipeline_destroy(eddy_pipeline *p)
{
    if (!p)
        return;
    for (int i = 0; i < p->nnodes; i++) {
        eddy_node *n = &p->nodes[i];
        for (int k = 0; k < n->noutputs; k++) {
            free(n->outputs[k].name);
            eddy_schema_release(n->outputs[k].schema);
            free(n->outputs[k].edges);
        }
        free(n->outputs);
        free(n->inputs);
        for (int k = 0; n->input_names && k < n->ninputs; k++)
            free(n->input_names[k]);
        free(n->input_names);
        for (int k = 0; k < n->ntopics; k++)
            free(n->topics[k].name);
        free(n->topics);
        for (int k = 0; k < n->nxch; k++)
            eddy_exchange_free(&n->xch[k]);
        free(n->xch);
        for (int k = 0; k < n->nstores; k++) {
            free(n->stores[k].name);
            free(n->changelogs[k]);
        }
        free(n->stores);
        free(n->changelogs);
    }
    free(p->nodes);
    pthread_mutex_destroy(&p->err_lock);
    free(p);
}

/* ------------------------------------------------------------------ run */

static int op_call_create(eddy_op *op)
{
    char msg[EDDY_ERRSTR_SIZE] = "";
    int rc = op->node->plugin->desc.create(op, &op->state, msg, sizeof msg);
    if (rc) {
        eddy_pipeline_fail(op->p, rc, "%s: node '%s': %s", op->p->graph->path,
                           op->node->gn->id, msg[0] ? msg : eddy_strerror(rc));
        return rc;
    }
    op->created = true;
    return 0;
}

static void fail_op(eddy_op *op, const char *what, int rc)
{
    eddy_pipeline_fail(op->p, rc, "node '%s' (task %d): %s failed: %s", op->node->gn->id,
                       op->task->id, what, eddy_strerror(rc));
}

/* Flushes every operator of the task in topological order, so what a transform emits while
 * flushing reaches the sinks before they flush. */
int eddy_task_flush(eddy_pipeline *p, eddy_task *t)
{
    for (int i = 0; i < p->nnodes; i++) {
        eddy_op *op = &t->ops[p->graph->order[i]];
        if (!op->created || !op->node->plugin->desc.flush)
            continue;
        int rc = op->node->plugin->desc.flush(op, op->state);
        if (rc) {
            fail_op(op, "flush", rc);
            return rc;
        }
    }
    return 0;
}

static int fire_timers(eddy_pipeline *p, eddy_task *t)
{
    int64_t now = eddy_now_ms();
    for (int i = 0; i < p->nnodes; i++) {
        eddy_op *op = &t->ops[p->graph->order[i]];
        if (!op->created || !op->node->plugin->desc.timer)
            continue;
        for (int kind = EDDY_TIME_EVENT; kind <= EDDY_TIME_WALL; kind++) {
            int64_t clock = kind == EDDY_TIME_WALL ? now : t->stream_time;
            if (op->timer_at[kind] == INT64_MAX || clock < op->timer_at[kind])
                continue;
            op->timer_at[kind] = INT64_MAX; /* the callback may set a new one */
            int rc = op->node->plugin->desc.timer(op, op->state, (eddy_time_kind)kind, clock);
            if (rc) {
                fail_op(op, "timer", rc);
                return rc;
            }
        }
    }
    return 0;
}

void eddy_task_free(eddy_pipeline *p, eddy_task *t)
{
    for (int i = 0; t->ops && i < p->nnodes; i++) {
        eddy_op *op = &t->ops[p->graph->order[i]];
        if (op->created)
            op->node->plugin->desc.destroy(op, op->state);
        op->created = false;
        for (int k = 0; k < op->nfetch; k++) {
            eddy_kafka_fetch_release(&op->fetch[k]);
            free(op->fetch[k].hdrs);
        }
        free(op->fetch);
        op->fetch = NULL;
        op->nfetch = 0;
        for (int k = 0; op->store_sizes && k < op->node->nstores; k++)
            if (t->partition >= 0 && t->partition < EDDY_TASK_METRICS)
                __atomic_sub_fetch(&p->tm[t->partition].store_entries, op->store_sizes[k],
                                   __ATOMIC_RELAXED);
        free(op->store_sizes);
        op->store_sizes = NULL;
    }
    free(t->ops);
    t->ops = NULL;
    eddy_batch_pool_destroy(t->pool);
    t->pool = NULL;
}

int eddy_task_init(eddy_pipeline *p, eddy_task *t, int id, int partition)
{
    t->id = id;
    t->partition = partition;
    t->stream_time = -1;
    t->pool = eddy_batch_pool_new();
    t->ops = calloc((size_t)p->nnodes, sizeof *t->ops);
    if (!t->pool || !t->ops) {
        eddy_pipeline_fail(p, EDDY_ENOMEM, "out of memory");
        return EDDY_ENOMEM;
    }
    for (int k = 0; k < p->nnodes; k++) {
        eddy_op *op = &t->ops[k];
        op->p = p;
        op->node = &p->nodes[k];
        op->task = t;
        for (int j = 0; j < 3; j++)
            op->timer_at[j] = INT64_MAX;
    }
    /* Create sinks first (reverse topological order), so a source never emits into an
     * operator that does not exist yet. */
    for (int k = p->nnodes - 1; k >= 0 && p->err == 0; k--)
        op_call_create(&t->ops[p->graph->order[k]]);
    return p->err;
}

/* One scheduling round of a task: poll each live source once, fire due timers.
 * Returns records produced, or a negative code. A round starts at a reload safe point: the
 * thread takes the newest version of reloaded functions here and nowhere else, so the batches
 * of a round (and the flushes until the next round) see one version. */
int eddy_task_round(eddy_pipeline *p, eddy_task *t, bool *all_eof)
{
    int produced = 0;
    *all_eof = true;
    eddy_func_safepoint();
    for (int i = 0; i < p->nnodes; i++) {
        eddy_op *op = &t->ops[i];
        if (op->node->plugin->desc.kind != EDDY_PLUGIN_SOURCE || op->eof)
            continue;
        if (p->stop) {
            /* Shutdown: read no more input; what was emitted gets flushed. */
            op->eof = true;
            continue;
        }
        int rc = op->node->plugin->desc.poll(op, op->state, p->opts.batch_size);
        if (rc == EDDY_EOF) {
            op->eof = true;
            eddy_runtime_log(p, op->node->gn->id, t->id, EDDY_LOG_DEBUG, "end of input");
            continue;
        }
        if (rc < 0) {
            fail_op(op, "poll", rc);
            return rc;
        }
        *all_eof = false;
        produced += rc;
    }
    if (t->kw) {
        /* Kafka: the records repartitioned to this task. */
        int rc = eddy_kafka_exchange_poll(p, t, p->opts.batch_size);
        if (rc < 0)
            return rc;
        produced += rc;
    }
    int rc = fire_timers(p, t);
    return rc ? rc : produced;
}

typedef struct worker {
    eddy_pipeline *p;
    int index, nthreads;
    pthread_t thread;
} worker;

void eddy_sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static void *worker_main(void *arg)
{
    worker *w = arg;
    eddy_pipeline *p = w->p;
    int64_t next_commit = eddy_now_ms() + p->opts.commit_interval_ms;
    int live = 0;
    for (int i = w->index; i < p->ntasks; i += w->nthreads)
        live++;
    while (live > 0 && p->err == 0) {
        int progress = 0;
        for (int i = w->index; i < p->ntasks && p->err == 0; i += w->nthreads) {
            eddy_task *t = &p->tasks[i];
            if (t->done)
                continue;
            bool all_eof;
            int rc = eddy_task_round(p, t, &all_eof);
            if (rc < 0)
                break;
            progress += rc;
            if (all_eof) {
                /* Bounded input is over (or a stop was requested): flush and finish. */
                eddy_task_flush(p, t);
                t->done = true;
                live--;
            }
        }
        int64_t now = eddy_now_ms();
        if (now >= next_commit) {
            for (int i = w->index; i < p->ntasks && p->err == 0; i += w->nthreads)
                if (!p->tasks[i].done)
                    eddy_task_flush(p, &p->tasks[i]);
            next_commit = now + p->opts.commit_interval_ms;
        }
        if (progress == 0 && live > 0)
            eddy_sleep_ms(2);
    }
    eddy_func_safepoint_leave();
    return NULL;
}

int eddy_pipeline_start(eddy_pipeline *p, char *errstr, size_t errstr_size)
{
    if (p->tasks)
        return eddy_seterr(errstr, errstr_size, EDDY_ESTATE, "the pipeline is already running");
    p->err = 0;
    int rc = eddy_proclog_open(p->opts.processing_log, p->opts.kafka, &p->proclog, errstr,
                               errstr_size);
    if (rc)
        return rc;
    /* One task per input partition; file and stdin sources have a single partition. */
    p->ntasks = 1;
    if (p->opts.kafka)
        p->ntasks = 0; /* Kafka runs make a task per assigned partition as they come */
    p->tasks = calloc(1, sizeof *p->tasks);
    if (!p->tasks)
        return EDDY_ENOMEM;
    for (int i = 0; i < p->ntasks && p->err == 0; i++)
        eddy_task_init(p, &p->tasks[i], i, i);
    if (p->err)
        return eddy_seterr(errstr, errstr_size, p->err, "%s", p->errstr);
    return 0;
}

int eddy_pipeline_step(eddy_pipeline *p, char *errstr, size_t errstr_size)
{
    if (!p->tasks)
        return eddy_seterr(errstr, errstr_size, EDDY_ESTATE, "the pipeline is not started");
    int produced = 0, live = 0;
    for (int i = 0; i < p->ntasks && p->err == 0; i++) {
        eddy_task *t = &p->tasks[i];
        if (t->done)
            continue;
        bool all_eof;
        int rc = eddy_task_round(p, t, &all_eof);
        if (rc < 0)
            break;
        produced += rc;
        if (all_eof) {
            eddy_task_flush(p, t);
            t->done = true;
        } else {
            live++;
        }
    }
    if (p->err)
        return eddy_seterr(errstr, errstr_size, p->err, "%s", p->errstr);
    return produced > 0 ? produced : live > 0 ? 0 : EDDY_EOF;
}

int eddy_pipeline_finish(eddy_pipeline *p, char *errstr, size_t errstr_size)
{
    if (p->err == 0)
        for (int i = 0; i < p->ntasks; i++)
            if (!p->tasks[i].done)
                eddy_task_flush(p, &p->tasks[i]);
    for (int i = 0; i < p->ntasks; i++)
        eddy_task_free(p, &p->tasks[i]);
    eddy_func_safepoint_leave(); /* step mode ran the rounds on this thread */
    free(p->tasks);
    p->tasks = NULL;
    p->ntasks = 0;
    uint64_t logged = eddy_proclog_count(p->proclog);
    eddy_proclog_close(p->proclog);
    p->proclog = NULL;
    if (logged)
        eddy_runtime_log(p, NULL, -1, EDDY_LOG_WARN,
                         "%llu record(s) could not be processed: see the processing log (%s)",
                         (unsigned long long)logged,
                         strcmp(p->opts.processing_log, "-") ? p->opts.processing_log : "stderr");
    p->logged = logged;
    if (p->err)
        return eddy_seterr(errstr, errstr_size, p->err, "%s", p->errstr);
    return 0;
}

int eddy_pipeline_run(eddy_pipeline *p, char *errstr, size_t errstr_size)
{
    int rc = eddy_pipeline_start(p, errstr, errstr_size);
    if (rc == 0 && p->opts.kafka) {
        eddy_kafka_run(p);
    } else if (rc == 0) {
        int nthreads = p->opts.threads < p->ntasks ? p->opts.threads : p->ntasks;
        worker *ws = calloc((size_t)nthreads, sizeof *ws);
        if (!ws)
            eddy_pipeline_fail(p, EDDY_ENOMEM, "out of memory");
        for (int i = 0; ws && i < nthreads; i++) {
            ws[i] = (worker){p, i, nthreads, 0};
            if (nthreads == 1)
                worker_main(&ws[i]);
            else
                pthread_create(&ws[i].thread, NULL, worker_main, &ws[i]);
        }
        if (ws && nthreads > 1)
            for (int i = 0; i < nthreads; i++)
                pthread_join(ws[i].thread, NULL);
        free(ws);
    }
    /* finish reports the first error of the run, unless start already failed. */
    int frc = eddy_pipeline_finish(p, rc ? NULL : errstr, rc ? 0 : errstr_size);
    return rc ? rc : frc;
}

bool eddy_pipeline_uses_topics(const eddy_pipeline *p)
{
    for (int i = 0; i < p->nnodes; i++)
        if (p->nodes[i].ntopics)
            return true;
    return false;
}

void eddy_pipeline_set_kafka(eddy_pipeline *p, const eddy_kafka_opts *k) { p->opts.kafka = k; }

bool eddy_pipeline_task_metrics(const eddy_pipeline *p, int partition, eddy_task_metrics *out)
{
    if (partition < 0 || partition >= EDDY_TASK_METRICS)
        return false;
    const eddy_task_metrics *m = &p->tm[partition];
    out->records_in = __atomic_load_n(&m->records_in, __ATOMIC_RELAXED);
    out->records_out = __atomic_load_n(&m->records_out, __ATOMIC_RELAXED);
    out->lag = __atomic_load_n(&m->lag, __ATOMIC_RELAXED);
    out->processing_log = __atomic_load_n(&m->processing_log, __ATOMIC_RELAXED);
    out->store_entries = __atomic_load_n(&m->store_entries, __ATOMIC_RELAXED);
    out->running = __atomic_load_n(&m->running, __ATOMIC_RELAXED);
    return out->running || out->records_in || out->records_out;
}

void eddy_pipeline_kafka_metrics(const eddy_pipeline *p, eddy_kafka_metrics *out)
{
    const eddy_kafka_metrics *m = &p->km;
    out->records_in = __atomic_load_n(&m->records_in, __ATOMIC_RELAXED);
    out->records_out = __atomic_load_n(&m->records_out, __ATOMIC_RELAXED);
    out->changelog_writes = __atomic_load_n(&m->changelog_writes, __ATOMIC_RELAXED);
    out->commits = __atomic_load_n(&m->commits, __ATOMIC_RELAXED);
    out->last_commit_ms = __atomic_load_n(&m->last_commit_ms, __ATOMIC_RELAXED);
    out->max_commit_ms = __atomic_load_n(&m->max_commit_ms, __ATOMIC_RELAXED);
    out->lag = __atomic_load_n(&m->lag, __ATOMIC_RELAXED);
    out->tasks = __atomic_load_n(&m->tasks, __ATOMIC_RELAXED);
}

void eddy_pipeline_stop(eddy_pipeline *p)
{
    p->stop = 1;
}

/* -------------------------------------------------------- introspection */

const eddy_graph *eddy_pipeline_graph(const eddy_pipeline *p) { return p->graph; }

const eddy_loaded_plugin *eddy_pipeline_plugin(const eddy_pipeline *p, int node)
{
    return p->nodes[node].plugin;
}

int eddy_pipeline_output_count(const eddy_pipeline *p, int node)
{
    return p->nodes[node].noutputs;
}

const char *eddy_pipeline_output_name(const eddy_pipeline *p, int node, int port)
{
    return p->nodes[node].outputs[port].name;
}

const eddy_schema *eddy_pipeline_output_schema(const eddy_pipeline *p, int node, int port)
{
    return p->nodes[node].outputs[port].schema;
}

const eddy_schema *eddy_pipeline_input_schema(const eddy_pipeline *p, int node, int k)
{
    return p->nodes[node].inputs[k];
}

eddy_node_stats eddy_pipeline_node_stats(const eddy_pipeline *p, int node)
{
    const eddy_node *n = &p->nodes[node];
    return (eddy_node_stats){__atomic_load_n(&n->records_in, __ATOMIC_RELAXED),
                             __atomic_load_n(&n->records_out, __ATOMIC_RELAXED),
                             __atomic_load_n(&n->errors, __ATOMIC_RELAXED)};
}

uint64_t eddy_pipeline_processing_log_count(const eddy_pipeline *p)
{
    return p->proclog ? eddy_proclog_count(p->proclog) : p->logged;
}
