/* internal.h: the runtime's private structures, shared by pipeline.c, host.c and explain.c. */
#ifndef EDDY_RUNTIME_INTERNAL_H
#define EDDY_RUNTIME_INTERNAL_H

#include <pthread.h>
#include <signal.h>

#include "runtime/pipeline.h"
#include "runtime/proclog.h"

struct cJSON;

typedef struct eddy_edge {
    int node; /* downstream node index */
    int port; /* its input port */
} eddy_edge;

typedef struct eddy_output {
    char *name;           /* NULL: the default port */
    eddy_schema *schema;
    eddy_edge *edges;     /* where batches of this port go */
    int nedges;
} eddy_output;

/* Plan-time facts about one node, shared by every task. */
typedef struct eddy_node {
    int index;
    const eddy_graph_node *gn;
    const eddy_loaded_plugin *plugin;
    const eddy_schema **inputs; /* schema arriving on each input port (borrowed) */
    char **input_names;         /* "node" or "node.port" feeding each input port */
    int ninputs;
    eddy_output *outputs;
    int noutputs;
    /* topics declared by the operator at plan (api->topic_declare) */
    struct eddy_topic_use *topics;
    int ntopics;
    struct eddy_exchange *xch; /* input ports partitioned by key */
    int nxch;
    struct eddy_topic_use *stores; /* state stores (name: the store's; topic set by a Kafka
                                      run in changelog) */
    char **changelogs;
    int nstores;
    /* statistics, updated atomically */
    uint64_t records_in, records_out, errors;
} eddy_node;

typedef struct eddy_task eddy_task;

/* A topic an operator declared: its name and how it is used. */
typedef struct eddy_topic_use {
    char *name;
    eddy_topic_decl d;
} eddy_topic_use;

/* An input port whose records are partitioned by key through a repartition topic in Kafka
 * runs (api->input_partition_by). */
typedef struct eddy_exchange {
    int port;
    eddy_expr **keys;
    int nkeys;
    eddy_schema *key_schema;   /* K0..Kn-1, the key expressions' types, as KEY columns */
    eddy_serde *key_serde;     /* the key columns in the given format */
    eddy_serde *row_serde;     /* every column of the input, JSON */
    eddy_topic_use use;        /* the topic (name set when a Kafka run starts) */
} eddy_exchange;

/* An operator's read position in one topic (api->topic_fetch). */
typedef struct eddy_fetch {
    const eddy_topic_use *use;
    int64_t next;      /* the offset after the last record handed out (-1: none yet) */
    void *queue;       /* Kafka: the partition's rd_kafka_queue_t, or NULL */
    void **msgs;       /* Kafka: the messages of the last fetch (destroyed at the next) */
    int nmsgs;
    eddy_header *hdrs; /* headers of the last fetch's records */
    size_t hcap;
} eddy_fetch;

/* One operator instance: a node within a task (or, with task == NULL, the node at plan). */
struct eddy_op {
    eddy_pipeline *p;
    eddy_node *node;
    eddy_task *task;
    void *state;
    bool created;
    bool eof;            /* sources: returned EDDY_EOF */
    int64_t timer_at[3]; /* by eddy_time_kind; INT64_MAX: none */
    eddy_fetch *fetch;   /* read positions, one per topic fetched */
    int nfetch;
    int64_t *store_sizes; /* last api->store_size of each of the node's stores */
};

struct eddy_task {
    int id;
    int partition;
    eddy_op *ops;        /* one per graph node */
    eddy_batch_pool *pool;
    int64_t stream_time;
    bool done;
    struct eddy_kworker *kw; /* Kafka runs: the worker (consumer, producer) owning the task */
};

struct eddy_pipeline {
    eddy_graph *graph;
    eddy_loader *loader;
    eddy_run_opts opts;
    eddy_node *nodes;
    int nnodes;
    eddy_task *tasks;
    int ntasks;
    eddy_proclog *proclog;
    uint64_t logged;     /* processing-log entries of the last run */
    volatile sig_atomic_t stop;
    pthread_mutex_t err_lock;
    int err;
    char errstr[EDDY_ERRSTR_SIZE];
    eddy_kafka_metrics km; /* Kafka runs: updated atomically by the workers */
    eddy_task_metrics tm[EDDY_TASK_METRICS]; /* by partition number, likewise */
};

/* Task life, shared by the plain scheduler (pipeline.c) and the Kafka one (kafka_run.c).
 * init allocates the task's operators and creates them (sinks first); round polls each live
 * source once and fires due timers (records produced, or a negative code); flush flushes
 * every operator in topological order; free destroys the operators and the task's memory. */
int eddy_task_init(eddy_pipeline *p, eddy_task *t, int id, int partition);
int eddy_task_round(eddy_pipeline *p, eddy_task *t, bool *all_eof);
int eddy_task_flush(eddy_pipeline *p, eddy_task *t);
void eddy_task_free(eddy_pipeline *p, eddy_task *t);

/* Host services the runtime uses itself (host.c): expression evaluation with soft errors
 * logged, the processing log, and an operator's read position in a topic (NULL: ENOMEM). */
int eddy_op_eval(eddy_op *op, const eddy_expr *e, const eddy_record *rec, eddy_arena *arena,
                 eddy_value *out, char *errstr, size_t errstr_size);
void eddy_op_record_error(eddy_op *op, const eddy_record *rec, const uint8_t *raw,
                          size_t raw_len, int code, const char *reason);
eddy_fetch *eddy_op_fetch_state(eddy_op *op, const eddy_topic_use *u);

/* Sleeps `ms` milliseconds (an idle worker's wait). */
void eddy_sleep_ms(int ms);

/* Kafka runs (kafka_run.c). */
int eddy_kafka_run(eddy_pipeline *p);
int eddy_kafka_fetch(eddy_op *op, eddy_fetch *f, eddy_topic_record *out, int max);
int eddy_kafka_produce(eddy_op *op, const eddy_topic_use *u, const eddy_topic_record *r);
void eddy_kafka_fetch_release(eddy_fetch *f);
/* Sends batch `b`, emitted towards input `x` of `down`, through the repartition topic. */
int eddy_kafka_exchange_send(eddy_op *from, eddy_op *down, eddy_exchange *x, eddy_batch *b);
/* Delivers what the task's partitions of the repartition topics hold; records delivered. */
int eddy_kafka_exchange_poll(eddy_pipeline *p, eddy_task *t, int max);
void eddy_exchange_free(eddy_exchange *x);
int eddy_kafka_store_put(eddy_op *op, int store, const uint8_t *key, size_t klen,
                         const uint8_t *value, size_t vlen);
int eddy_kafka_store_restore(eddy_op *op, int store,
                             int (*cb)(void *, const uint8_t *, size_t, const uint8_t *, size_t),
                             void *opaque);

/* Records the first fatal error of a run (thread-safe). */
void eddy_pipeline_fail(eddy_pipeline *p, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Logs a line "<time> LEVEL [node:task] message" on stderr. */
void eddy_runtime_log(eddy_pipeline *p, const char *node, int task, eddy_log_level level,
                      const char *fmt, ...) __attribute__((format(printf, 5, 6)));

#endif
