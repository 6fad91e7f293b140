/* metrics_http.c: the Prometheus text endpoint of `eddy run --metrics-port PORT`: GET
 * /metrics lists, per running application, the Kafka run's counters and each node's record
 * counts (libmicrohttpd, one thread). */
#include "cli/metrics_http.h"

#include <inttypes.h>
#include <microhttpd.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "graph/graph.h"

typedef struct entry {
    char *app;
    const eddy_pipeline *p;
} entry;

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static entry *apps;
static size_t napps;
static struct MHD_Daemon *daemon_;

void eddy_metrics_add(const char *app, const eddy_pipeline *p)
{
    pthread_mutex_lock(&lock);
    entry *v = realloc(apps, (napps + 1) * sizeof *v);
    if (v) {
        apps = v;
        apps[napps].app = strdup(app);
        apps[napps].p = p;
        if (apps[napps].app)
            napps++;
    }
    pthread_mutex_unlock(&lock);
}

/* A label value with \, " and newlines escaped, as the text format wants. */
static void label(eddy_buf *b, const char *s)
{
    for (; *s; s++) {
        if (*s == '\\' || *s == '"')
            eddy_buf_putc(b, '\\');
        if (*s == '\n') {
            eddy_buf_printf(b, "\\n");
            continue;
        }
        eddy_buf_putc(b, *s);
    }
}

static void metric(eddy_buf *b, const char *name, const char *type, const char *help)
{
    eddy_buf_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void sample(eddy_buf *b, const char *name, const char *app, const char *node,
                   uint64_t v)
{
    eddy_buf_printf(b, "%s{application=\"", name);
    label(b, app);
    if (node) {
        eddy_buf_printf(b, "\",node=\"");
        label(b, node);
    }
    eddy_buf_printf(b, "\"} %" PRIu64 "\n", v);
}

static void render(eddy_buf *b)
{
    static const struct {
        const char *name, *type, *help;
    } m[] = {
        {"eddy_records_in_total", "counter", "Records fetched from input and repartition topics."},
        {"eddy_records_out_total", "counter", "Records produced: outputs, repartition, changelogs."},
        {"eddy_changelog_writes_total", "counter", "State changes written to changelog topics."},
        {"eddy_processing_log_total", "counter", "Records sent to the processing log."},
        {"eddy_commits_total", "counter", "Commits (flush, acknowledgements, offsets)."},
        {"eddy_commit_latency_ms", "gauge", "Duration of the last commit."},
        {"eddy_commit_latency_max_ms", "gauge", "Longest commit so far."},
        {"eddy_lag_records", "gauge", "Records in the assigned partitions not fetched yet."},
        {"eddy_tasks", "gauge", "Tasks (assigned partition numbers) of this instance."},
    };
    pthread_mutex_lock(&lock);
    for (size_t k = 0; k < sizeof m / sizeof m[0]; k++) {
        metric(b, m[k].name, m[k].type, m[k].help);
        for (size_t i = 0; i < napps; i++) {
            eddy_kafka_metrics km;
            eddy_pipeline_kafka_metrics(apps[i].p, &km);
            uint64_t v[] = {km.records_in,
                            km.records_out,
                            km.changelog_writes,
                            eddy_pipeline_processing_log_count(apps[i].p),
                            km.commits,
                            (uint64_t)km.last_commit_ms,
                            (uint64_t)km.max_commit_ms,
                            (uint64_t)(km.lag > 0 ? km.lag : 0),
                            (uint64_t)(km.tasks > 0 ? km.tasks : 0)};
            sample(b, m[k].name, apps[i].app, NULL, v[k]);
        }
    }
    static const char *const tmn[] = {"eddy_task_records_in_total", "eddy_task_records_out_total",
                                      "eddy_task_processing_log_total", "eddy_task_lag_records",
                                      "eddy_task_store_entries"};
    static const char *const tmh[] = {"Records a task fetched.", "Records a task produced.",
                                      "Records of a task sent to the processing log.",
                                      "Records in a task's partitions not fetched yet.",
                                      "Entries its operators' state stores hold."};
    for (int k = 0; k < 5; k++) {
        metric(b, tmn[k], k >= 3 ? "gauge" : "counter", tmh[k]);
        for (size_t i = 0; i < napps; i++)
            for (int t = 0; t < EDDY_TASK_METRICS; t++) {
                eddy_task_metrics tm;
                if (!eddy_pipeline_task_metrics(apps[i].p, t, &tm) || !tm.running)
                    continue;
                eddy_buf_printf(b, "%s{application=\"", tmn[k]);
                label(b, apps[i].app);
                int64_t gauge = k == 3 ? tm.lag : tm.store_entries;
                eddy_buf_printf(b, "\",task=\"%d\"} %" PRIu64 "\n", t,
                                k == 0   ? tm.records_in
                                : k == 1 ? tm.records_out
                                : k == 2 ? tm.processing_log
                                         : (uint64_t)(gauge > 0 ? gauge : 0));
            }
    }
    static const char *const nm[] = {"eddy_node_records_in_total", "eddy_node_records_out_total",
                                     "eddy_node_errors_total"};
    static const char *const nh[] = {"Records a node received.", "Records a node emitted.",
                                     "Records a node sent to the processing log."};
    for (int k = 0; k < 3; k++) {
        metric(b, nm[k], "counter", nh[k]);
        for (size_t i = 0; i < napps; i++) {
            const eddy_graph *g = eddy_pipeline_graph(apps[i].p);
            for (int n = 0; n < g->nnodes; n++) {
                eddy_node_stats s = eddy_pipeline_node_stats(apps[i].p, n);
                sample(b, nm[k], apps[i].app, g->nodes[n].id,
                       k == 0 ? s.records_in : k == 1 ? s.records_out : s.errors);
            }
        }
    }
    pthread_mutex_unlock(&lock);
}

static enum MHD_Result answer(void *cls, struct MHD_Connection *c, const char *url,
                              const char *method, const char *version, const char *data,
                              size_t *data_size, void **state)
{
    (void)cls, (void)version, (void)data, (void)data_size, (void)state;
    eddy_buf b = {0};
    unsigned status = MHD_HTTP_OK;
    if (strcmp(method, "GET") != 0) {
        status = MHD_HTTP_METHOD_NOT_ALLOWED;
        eddy_buf_printf(&b, "only GET\n");
    } else if (strcmp(url, "/metrics") != 0) {
        status = MHD_HTTP_NOT_FOUND;
        eddy_buf_printf(&b, "eddy serves /metrics\n");
    } else {
        render(&b);
    }
    struct MHD_Response *r =
        MHD_create_response_from_buffer(b.len, b.data ? b.data : (void *)"", MHD_RESPMEM_MUST_COPY);
    eddy_buf_free(&b);
    MHD_add_response_header(r, "Content-Type", "text/plain; version=0.0.4");
    enum MHD_Result rc = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    return rc;
}

int eddy_metrics_start(int port, char *errstr, size_t errstr_size)
{
    daemon_ = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG,
                               (uint16_t)port, NULL, NULL, answer, NULL, MHD_OPTION_END);
    if (!daemon_)
        return eddy_seterr(errstr, errstr_size, EDDY_EIO,
                           "cannot serve metrics on port %d (in use?)", port);
    const union MHD_DaemonInfo *i = MHD_get_daemon_info(daemon_, MHD_DAEMON_INFO_BIND_PORT);
    return i ? (int)i->port : port;
}

void eddy_metrics_stop(void)
{
    if (daemon_)
        MHD_stop_daemon(daemon_);
    daemon_ = NULL;
    pthread_mutex_lock(&lock);
    for (size_t i = 0; i < napps; i++)
        free(apps[i].app);
    free(apps);
    apps = NULL;
    napps = 0;
    pthread_mutex_unlock(&lock);
}
