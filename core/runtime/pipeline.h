/* pipeline.h: a planned, runnable pipeline: the graph's nodes bound to plugins, their configs
 * checked, schemas flowing along the edges, then tasks run by worker threads. */
#ifndef EDDY_PIPELINE_H
#define EDDY_PIPELINE_H

#include "eddy/plugin.h"
#include "graph/graph.h"
#include "runtime/loader.h"

struct eddy_topics;
struct eddy_kprops;
struct eddy_broker;

/* A run against Kafka: the topics operators declare are Kafka topics; the pipeline joins the
 * consumer group `app_id` (instances with the same id split the partitions), runs one task
 * per input partition on `threads` workers (each with its own consumer and producer), and
 * commits source offsets only after everything the tasks produced is acknowledged. */
typedef struct eddy_kafka_opts {
    const struct eddy_kprops *props; /* client properties (borrowed) */
    struct eddy_broker *broker;      /* the in-process broker when it is the cluster, or NULL */
    const char *app_id;              /* consumer group and prefix of internal topics */
    bool exactly_once;               /* processing.guarantee=exactly_once_v2 */
} eddy_kafka_opts;

typedef struct eddy_pipeline eddy_pipeline;

/* Options; zero means "the pipeline file's settings, else the default". */
typedef struct eddy_run_opts {
    int threads;                 /* worker threads (settings.threads, default 1) */
    int64_t commit_interval_ms;  /* flush period (settings.commit_interval_ms, default 1000) */
    const char *processing_log;  /* path, "-" for stderr (settings.processing_log, default -) */
    int batch_size;              /* records per source poll (settings.batch_size, 1024) */
    bool follow;                 /* sources wait for more data at end of input */
    bool quiet;                  /* no INFO lines on stderr */
    struct eddy_topics *topics;  /* in-memory topics for topic_* host calls (borrowed), or
                                    NULL */
    const eddy_kafka_opts *kafka; /* run against Kafka (borrowed), or NULL */
} eddy_run_opts;

/* Binds and checks every node in topological order: the operator exists (an unknown one says
 * why its plugin was refused, if it was), the number of inputs suits it, every config key is
 * known and of the right type, required keys are there, and the plugin's plan accepts the
 * config and its input schemas (types along each edge). Errors name the file, node and field.
 * `g` and `l` are borrowed and must outlive the pipeline. */
int eddy_pipeline_new(eddy_graph *g, eddy_loader *l, const eddy_run_opts *opts,
                      eddy_pipeline **out, char *errstr, size_t errstr_size);

/* True when an operator declared a topic (api->topic_declare): the pipeline needs Kafka or
 * in-memory topics to run. */
bool eddy_pipeline_uses_topics(const eddy_pipeline *p);
/* Makes the next run a Kafka run (`k` borrowed; NULL: back to the run options'). */
void eddy_pipeline_set_kafka(eddy_pipeline *p, const eddy_kafka_opts *k);

/* Runs to the end of bounded input, or until eddy_pipeline_stop(); then flushes every
 * operator in topological order (nothing queued is dropped) and destroys the task instances.
 * Returns 0, or the first error an operator returned (errstr says which node). */
int eddy_pipeline_run(eddy_pipeline *p, char *errstr, size_t errstr_size);
/* Step mode, for a deterministic driver (the SQL test driver runs several pipelines over
 * shared in-memory topics on one thread): start creates the tasks; each step polls every
 * source of every task once, fires due timers, and returns the records the sources produced
 * (0: nothing to do now; EDDY_EOF: every source is exhausted) or a negative error; finish
 * flushes and tears down (the same end as run). run = start + steps (or worker threads) +
 * finish. */
int eddy_pipeline_start(eddy_pipeline *p, char *errstr, size_t errstr_size);
int eddy_pipeline_step(eddy_pipeline *p, char *errstr, size_t errstr_size);
int eddy_pipeline_finish(eddy_pipeline *p, char *errstr, size_t errstr_size);

/* Asks a running pipeline to stop: sources end, everything is flushed. Async-signal-safe. */
void eddy_pipeline_stop(eddy_pipeline *p);
void eddy_pipeline_destroy(eddy_pipeline *p); /* accepts NULL */

/* Introspection (explain, metrics, tests). */
typedef struct eddy_node_stats {
    uint64_t records_in, records_out, errors;
} eddy_node_stats;

const eddy_graph *eddy_pipeline_graph(const eddy_pipeline *p);
const eddy_loaded_plugin *eddy_pipeline_plugin(const eddy_pipeline *p, int node);
int eddy_pipeline_output_count(const eddy_pipeline *p, int node);
const char *eddy_pipeline_output_name(const eddy_pipeline *p, int node, int port);
const eddy_schema *eddy_pipeline_output_schema(const eddy_pipeline *p, int node, int port);
/* The schema arriving on input `k` of `node`. */
const eddy_schema *eddy_pipeline_input_schema(const eddy_pipeline *p, int node, int k);
eddy_node_stats eddy_pipeline_node_stats(const eddy_pipeline *p, int node);
uint64_t eddy_pipeline_processing_log_count(const eddy_pipeline *p);

/* A Kafka run's counters (all since the run started; lag: records in the assigned partitions
 * not fetched yet, as of the last commit). Zero when the pipeline has no Kafka run. */
typedef struct eddy_kafka_metrics {
    uint64_t records_in;       /* fetched from input and repartition topics */
    uint64_t records_out;      /* produced: outputs, repartition and changelog records */
    uint64_t changelog_writes;
    uint64_t commits;
    int64_t last_commit_ms, max_commit_ms;
    int64_t lag;
    int tasks;
} eddy_kafka_metrics;

void eddy_pipeline_kafka_metrics(const eddy_pipeline *p, eddy_kafka_metrics *out);

/* Per task (partition number < EDDY_TASK_METRICS): records fetched and produced by the task,
 * and its lag as of its worker's last commit; false when this instance never ran the task. */
#define EDDY_TASK_METRICS 1024
typedef struct eddy_task_metrics {
    uint64_t records_in, records_out;
    uint64_t processing_log;  /* records of the task sent to the processing log */
    int64_t store_entries;    /* what its operators' state stores hold (store_size) */
    int64_t lag;
    bool running; /* assigned to this instance now */
} eddy_task_metrics;
bool eddy_pipeline_task_metrics(const eddy_pipeline *p, int partition, eddy_task_metrics *out);

/* Text (ksqlDB-like plan listing) and Graphviz dot renderings of a planned pipeline. */
int eddy_explain_text(const eddy_pipeline *p, eddy_buf *out);
int eddy_explain_dot(const eddy_pipeline *p, eddy_buf *out);

#endif
