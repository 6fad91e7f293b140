/* plugin.h: the operator plugin ABI. A plugin is a shared object exporting one function,
 * eddy_plugin_entry(), that returns a const descriptor of what it is and its callbacks; every
 * host service reaches it through the eddy_host_api table passed to that function.
 *
 * Stability rules (ABI version 1):
 * - eddy_plugin and eddy_host_api only grow by appending fields; `size` tells how much of the
 *   struct the other side was compiled with. A host never reads past a plugin's `size`, and
 *   a plugin must check api->size before using a host function added after version 1.
 * - EDDY_PLUGIN_ABI_VERSION changes only when a change cannot be made by appending; the
 *   loader refuses any other version with a message naming the file and both versions.
 * - Plugins never link against libeddy: build them with -fvisibility=hidden and use the API
 *   table. The inline helpers of value.h and the struct layouts of record.h are part of the
 *   ABI; the functions declared in value.h, record.h and arena.h are NOT (use api->...).
 *
 * Life of an operator (one node of a pipeline graph):
 *   plan     once per node, before anything runs: read and check the config, look at the
 *            input schemas, declare the output ports and their schemas. No side effects.
 *   create   once per task (a task is one copy of the graph for one input partition).
 *   poll     sources only: emit up to about `max_records` records, return how many
 *            (0 = nothing available now), or EDDY_EOF when the source is exhausted.
 *   process  transforms and sinks: one input batch on input port `port`.
 *   timer    when a timer set with api->timer_set() is due (event or wall-clock time).
 *   flush    at each commit interval and at shutdown: make everything emitted durable
 *            (sinks) or emit what is buffered (transforms). Returns when done.
 *   destroy  once per create, after the last flush.
 * All callbacks of one task run on that task's thread, one at a time; different tasks may run
 * on different threads at once, so plugin globals need locking.
 * Errors: a callback returns 0 or a negative EDDY_E* code. A per-record problem is NOT an
 * error return: send the record to the processing log (api->record_error) and go on. A
 * negative return from poll/process/timer/flush stops the pipeline with that error. */
#ifndef EDDY_PLUGIN_H
#define EDDY_PLUGIN_H

#include "eddy/common.h"
#include "eddy/arena.h"
#include "eddy/value.h"
#include "eddy/record.h"
#include "eddy/udf.h"

#ifdef __cplusplus
extern "C" {
#endif

#define EDDY_PLUGIN_ABI_VERSION 1u
/* The one symbol a plugin exports. */
#define EDDY_PLUGIN_ENTRY_SYMBOL "eddy_plugin_entry"
#define EDDY_PLUGIN_EXPORT __attribute__((visibility("default")))

typedef enum eddy_plugin_kind {
    EDDY_PLUGIN_SOURCE = 1,
    EDDY_PLUGIN_TRANSFORM = 2,
    EDDY_PLUGIN_SINK = 3,
    EDDY_PLUGIN_FUNCTIONS = 4 /* a library of SQL functions (see `functions` below) */
} eddy_plugin_kind;

/* ------------------------------------------------------- configuration */

typedef enum eddy_config_type {
    EDDY_CONF_STRING = 1,
    EDDY_CONF_INT,         /* JSON integer (int64) */
    EDDY_CONF_DOUBLE,      /* JSON number */
    EDDY_CONF_BOOL,        /* JSON true/false */
    EDDY_CONF_ENUM,        /* string, one of `choices` ("JSON|DELIMITED"), case-insensitive */
    EDDY_CONF_EXPR,        /* string holding a SQL expression ("STARS < 3") */
    EDDY_CONF_COLUMNS,     /* string holding a column list ("ID STRING KEY, STARS INT") */
    EDDY_CONF_STRING_LIST, /* JSON array of strings */
    EDDY_CONF_STRING_MAP   /* JSON object whose values are strings (order kept) */
} eddy_config_type;

enum { EDDY_CONF_REQUIRED = 1u << 0 };

/* One row of a plugin's configuration table, which drives validation, `eddy plugins` and the
 * docs. The table ends with a row whose name is NULL. The host refuses, naming the node and
 * the key: an unknown key, a value of the wrong JSON type, an ENUM value not in `choices`, a
 * missing REQUIRED key. */
typedef struct eddy_config_prop {
    const char *name;
    eddy_config_type type;
    const char *def;         /* default as text, or NULL */
    unsigned flags;          /* EDDY_CONF_* */
    const char *choices;     /* ENUM only: "A|B|C" */
    const char *description;
} eddy_config_prop;

/* ----------------------------------------------------------- the handle */

/* The host's handle on one operator instance (or on one node during plan). Opaque. */
typedef struct eddy_op eddy_op;

/* A compiled, typed expression (opaque). Immutable: one may be evaluated by several tasks. */
typedef struct eddy_expr eddy_expr;
/* A compiled aggregate call ("SUM(STARS)") over a schema (opaque). Immutable. */
typedef struct eddy_agg eddy_agg;
/* A serializer/deserializer for one format (opaque). Immutable after creation. */
typedef struct eddy_serde eddy_serde;

typedef enum eddy_time_kind {
    EDDY_TIME_EVENT = 1, /* stream time: the largest ROWTIME the task has seen */
    EDDY_TIME_WALL = 2   /* wall clock, ms since epoch */
} eddy_time_kind;

typedef enum eddy_log_level {
    EDDY_LOG_ERROR = 1,
    EDDY_LOG_WARN,
    EDDY_LOG_INFO,
    EDDY_LOG_DEBUG
} eddy_log_level;

/* serde_encode's "the part is a Kafka null" result (a positive value, not an error). */
#define EDDY_SERDE_NULL 1

/* Which columns of a schema a serde reads and writes. */
typedef enum eddy_serde_part {
    EDDY_SERDE_VALUE = 0, /* the value columns: a Kafka record's value */
    EDDY_SERDE_KEY = 1,   /* the key columns: a Kafka record's key */
    EDDY_SERDE_ALL = 2    /* every column (files, stdout: a line holds the whole row) */
} eddy_serde_part;

/* A record as a topic holds it: key and value bytes (NULL: a Kafka null; a NULL value is a
 * tombstone), timestamp, headers, and the window of a windowed key. */
typedef struct eddy_topic_record {
    const uint8_t *key;
    const uint8_t *value;
    uint32_t key_len, value_len;
    int64_t timestamp;
    int32_t partition;
    int64_t offset;        /* set by the topic on append */
    const eddy_header *headers;
    uint32_t nheaders;
    bool windowed;
    int64_t win_start, win_end;
} eddy_topic_record;

/* A topic a source reads or a sink writes, declared during plan with api->topic_declare so
 * the runtime knows the topics before anything runs: on Kafka it creates missing output
 * topics, subscribes the application's consumer group to the inputs and gives each task the
 * partitions of its number. */
typedef enum eddy_topic_window {
    EDDY_TOPIC_UNWINDOWED = 0,
    EDDY_TOPIC_TIME_WINDOWED = 1,   /* TUMBLING, HOPPING: key bytes + window start */
    EDDY_TOPIC_SESSION_WINDOWED = 2 /* SESSION: key bytes + window end + window start */
} eddy_topic_window;

typedef struct eddy_topic_decl {
    uint32_t size;          /* sizeof(eddy_topic_decl) as the plugin was compiled */
    bool output;            /* true: the operator writes the topic; false: reads it */
    int32_t partitions;     /* create it with this many partitions when missing (0: outputs
                               get as many as the inputs have; inputs must exist) */
    int16_t replicas;       /* replication factor when created (0: replication.factor, 1) */
    eddy_topic_window window; /* how windowed keys are laid out in the key bytes */
    int64_t window_size_ms; /* TIME_WINDOWED inputs: window end = start + size */
} eddy_topic_decl;

/* ------------------------------------------------------- the host's API */

/* Passed to eddy_plugin_entry(); valid for the life of the process. Append-only. */
typedef struct eddy_host_api {
    uint32_t abi_version; /* EDDY_PLUGIN_ABI_VERSION of the host */
    uint32_t size;        /* sizeof(eddy_host_api) as the host was compiled */

    /* Logging to the host's log, tagged [node-id:task]. */
    void (*log)(eddy_op *op, eddy_log_level level, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

    /* Identity. */
    const char *(*node_id)(eddy_op *op);
    int (*task_id)(eddy_op *op);          /* -1 during plan */
    int (*task_partition)(eddy_op *op);   /* the input partition this task handles, or -1 */
    const char *(*pipeline_dir)(eddy_op *op); /* directory of the pipeline file, for
                                                 resolving relative paths; never NULL */

    /* Configuration, already validated against the plugin's table. A key that is absent
     * yields its default (or NULL / 0 / false when there is none); config_has tells which. */
    bool (*config_has)(eddy_op *op, const char *name);
    const char *(*config_str)(eddy_op *op, const char *name); /* STRING ENUM EXPR COLUMNS */
    int64_t (*config_int)(eddy_op *op, const char *name);
    double (*config_double)(eddy_op *op, const char *name);
    bool (*config_bool)(eddy_op *op, const char *name);
    size_t (*config_count)(eddy_op *op, const char *name); /* LIST and MAP entries */
    /* i-th entry of a STRING_LIST (key is NULL) or STRING_MAP. Borrowed strings. */
    const char *(*config_entry)(eddy_op *op, const char *name, size_t i, const char **key);

    /* Schemas. Ports are numbered from 0. */
    int (*input_count)(eddy_op *op);
    const eddy_schema *(*input_schema)(eddy_op *op, int port); /* borrowed */
    /* plan only: declares output port `port` (0, 1, ... in order) named `name` (NULL for the
     * default port) carrying `schema` (the host retains it). Sinks declare none. */
    int (*output_add)(eddy_op *op, const char *name, const eddy_schema *schema,
                      char *errstr, size_t errstr_size);
    int (*output_count)(eddy_op *op);
    /* Parses a column list ("ID STRING KEY, STARS INT"); returns a new schema (release it). */
    int (*columns_parse)(eddy_op *op, const char *text, eddy_schema **out,
                         char *errstr, size_t errstr_size);
    eddy_schema_builder *(*schema_builder_new)(void);
    int (*schema_builder_add)(eddy_schema_builder *b, const char *name, const eddy_type *type,
                              eddy_column_kind kind);
    eddy_schema *(*schema_build)(eddy_schema_builder *b);
    eddy_schema *(*schema_retain)(const eddy_schema *s);
    void (*schema_release)(const eddy_schema *s);
    int (*schema_find)(const eddy_schema *s, const char *name);
    bool (*schema_equal)(const eddy_schema *a, const eddy_schema *b);
    int (*schema_format)(const eddy_schema *s, eddy_buf *buf);

    /* Expressions over the columns of `schema` (and ROWTIME, ROWPARTITION, ROWOFFSET,
     * WINDOWSTART, WINDOWEND). compile: errors name the position and the cause. */
    int (*expr_compile)(eddy_op *op, const char *text, const eddy_schema *schema,
                        eddy_expr **out, char *errstr, size_t errstr_size);
    /* Compiles a select item "expr [AS alias]"; *name gets the alias, or the name ksqlDB
     * would give (the column's name for a bare column, else KSQL_COL_<index>), owned by the
     * expression. */
    int (*expr_compile_item)(eddy_op *op, const char *text, const eddy_schema *schema,
                             int index, eddy_expr **out, const char **name,
                             char *errstr, size_t errstr_size);
    const eddy_type *(*expr_type)(const eddy_expr *e);
    /* Evaluates on `rec`; result memory (strings...) goes into `arena`. Returns 0, or a
     * negative code with the reason in errstr (the record belongs in the processing log). */
    int (*expr_eval)(eddy_op *op, const eddy_expr *e, const eddy_record *rec,
                     eddy_arena *arena, eddy_value *out, char *errstr, size_t errstr_size);
    void (*expr_destroy)(eddy_expr *e);

    /* Batches (see record.h for ownership). batch_new draws from the task's pool. */
    eddy_batch *(*batch_new)(eddy_op *op, const eddy_schema *schema, uint32_t cap_hint);
    eddy_record *(*batch_append)(eddy_batch *b);
    eddy_record *(*batch_append_copy)(eddy_batch *b, const eddy_record *r);
    void (*batch_pop)(eddy_batch *b);
    int (*batch_retain_parent)(eddy_batch *b, eddy_batch *parent);
    eddy_batch *(*batch_retain)(eddy_batch *b);
    void (*batch_release)(eddy_batch *b);
    /* Pushes `b` to every operator connected to output port `port`, synchronously: when it
     * returns, downstream has handled the batch (back-pressure is the call's duration). The
     * caller keeps its reference and releases it afterwards. Returns 0 or the first error
     * downstream returned. An empty batch is not forwarded. */
    int (*emit)(eddy_op *op, int port, eddy_batch *b);

    /* Serde. `format` is JSON, KAFKA, DELIMITED or NONE; `props` is a NULL-terminated list of
     * key/value strings ("delimiter", ",", "wrap_single_value", "false", NULL). */
    int (*serde_new)(eddy_op *op, const char *format, const eddy_schema *schema,
                     eddy_serde_part part, const char *const *props, eddy_serde **out,
                     char *errstr, size_t errstr_size);
    /* Decodes `len` bytes into the part's columns of `rec` (other columns untouched); values
     * may point into `buf`, which must outlive them, or into `arena`. */
    int (*serde_decode)(const eddy_serde *s, const uint8_t *buf, size_t len, eddy_record *rec,
                        eddy_arena *arena, char *errstr, size_t errstr_size);
    /* Appends the part's columns of `rec` to `out`. Returns 0, EDDY_SERDE_NULL when the part
     * is a Kafka null (a tombstone, a NULL unwrapped value, an all-NULL key, no columns:
     * nothing is appended), or a negative code. */
    int (*serde_encode)(const eddy_serde *s, const eddy_record *rec, eddy_buf *out,
                        char *errstr, size_t errstr_size);
    void (*serde_destroy)(eddy_serde *s);

    /* Processing log: `rec` could not be handled here. Records the node, the task, the code
     * and reason, the record's origin and raw bytes (when it has them; `raw` overrides).
     * Never fails from the caller's point of view; the pipeline goes on. */
    void (*record_error)(eddy_op *op, const eddy_record *rec, const uint8_t *raw,
                         size_t raw_len, int code, const char *reason);

    /* Time. timer_set replaces this operator's pending timer of that kind; the timer
     * callback runs once the clock reaches `at`. stream_time is -1 before any record. */
    int64_t (*stream_time)(eddy_op *op);
    int (*timer_set)(eddy_op *op, eddy_time_kind kind, int64_t at);
    int64_t (*now_ms)(void);
    /* True once shutdown began (SIGINT/SIGTERM, or the end of bounded input): sources stop
     * reading and return EDDY_EOF; flush follows. */
    bool (*stopping)(eddy_op *op);
    /* True when the pipeline runs with --follow (sources wait for more data at EOF). */
    bool (*follow)(eddy_op *op);

    /* Value services. */
    int (*value_format)(eddy_buf *buf, const eddy_value *v);
    int (*value_cast)(eddy_arena *arena, const eddy_value *in, const eddy_type *to,
                      eddy_value *out, char *errstr, size_t errstr_size);
    int (*value_compare)(const eddy_value *a, const eddy_value *b);
    const eddy_type *(*type_primitive)(eddy_type_id id);
    int (*buf_append)(eddy_buf *b, const void *p, size_t n);
    void (*buf_free)(eddy_buf *b);
    int (*parse_timestamp)(const char *s, size_t len, int64_t *ms);

    /* `n` bytes (16-byte aligned, uninitialised) in the arena of batch `b`: memory that lives
     * exactly as long as the batch, for bytes its records point at (a copied input line, a
     * computed string). NULL on ENOMEM. */
    void *(*batch_alloc)(eddy_batch *b, size_t n);
    /* The upstream "node" or "node.port" that feeds input port `port`, for messages; NULL
     * when there is no such port. */
    const char *(*input_name)(eddy_op *op, int port);

    /* In-memory topics only (the test driver's; EDDY_ENOTFOUND when the pipeline runs
     * without them): kept for plugins built against the first ABI; new code uses
     * topic_declare / topic_fetch / topic_produce below, which work on Kafka too.
     * topic_append copies `r` and returns 0; topic_read fills *out with the record at
     * `offset` (its memory lives as long as the pipeline) or returns EDDY_EOF when there is
     * none yet. */
    int (*topic_append)(eddy_op *op, const char *topic, const eddy_topic_record *r);
    int (*topic_read)(eddy_op *op, const char *topic, int64_t offset, eddy_topic_record *out);

    /* Aggregations. agg_compile takes one aggregate call ("COUNT(*)", "SUM(STARS)",
     * "TOPK(X, 3)") over `schema`. The accumulator is a value of the call's state type; every
     * call returns 0 or a negative code with errstr; memory comes from `arena`. agg_add and
     * agg_undo evaluate the arguments on `rec`. */
    int (*agg_compile)(eddy_op *op, const char *text, const eddy_schema *schema,
                       eddy_agg **out, char *errstr, size_t errstr_size);
    const eddy_type *(*agg_type)(const eddy_agg *a);
    bool (*agg_can_undo)(const eddy_agg *a);
    int (*agg_init)(const eddy_agg *a, eddy_arena *arena, eddy_value *acc, char *errstr,
                    size_t errstr_size);
    int (*agg_add)(const eddy_agg *a, const eddy_record *rec, eddy_arena *arena,
                   eddy_value *acc, char *errstr, size_t errstr_size);
    int (*agg_undo)(const eddy_agg *a, const eddy_record *rec, eddy_arena *arena,
                    eddy_value *acc, char *errstr, size_t errstr_size);
    int (*agg_merge)(const eddy_agg *a, eddy_arena *arena, eddy_value *acc,
                     const eddy_value *other, char *errstr, size_t errstr_size);
    int (*agg_result)(const eddy_agg *a, const eddy_value *acc, eddy_arena *arena,
                      eddy_value *out, char *errstr, size_t errstr_size);
    void (*agg_destroy)(eddy_agg *a);

    /* Memory and values for operators that keep state. */
    eddy_arena *(*arena_new)(size_t chunk_size);
    void (*arena_destroy)(eddy_arena *a);
    void *(*arena_alloc)(eddy_arena *a, size_t n);
    int (*value_copy)(eddy_arena *arena, const eddy_value *v, eddy_value *out);
    bool (*value_equal)(const eddy_value *a, const eddy_value *b);
    uint64_t (*value_hash)(const eddy_value *v, uint64_t seed);

    /* Topics of the run's backend, the same calls whichever it is: Kafka (eddy run with
     * bootstrap.servers, or the embedded broker) or the test driver's in-memory topics.
     * topic_declare: plan only; every topic an operator fetches or produces is declared
     * first (EDDY_EINVAL otherwise).
     * topic_fetch: the next records of this task's partition of `topic`, in offset order,
     * from where the application's committed offset (else the beginning) left off. Fills up
     * to `max` records; returns how many (0: none available now). Their bytes and headers
     * stay valid until this operator's next topic_fetch: copy what a batch keeps. A record
     * is acknowledged as handled when the fetch call that follows it returns, so offsets
     * are committed only for records the graph has fully processed.
     * topic_produce: appends a copy of `r`; partition -1 picks it from the key as Kafka's
     * default partitioner does. Durable once the next commit completes; a delivery failure
     * stops the pipeline before that commit. */
    int (*topic_declare)(eddy_op *op, const char *topic, const eddy_topic_decl *d,
                         char *errstr, size_t errstr_size);
    int (*topic_fetch)(eddy_op *op, const char *topic, eddy_topic_record *out, int max);
    int (*topic_produce)(eddy_op *op, const char *topic, const eddy_topic_record *r);

    /* plan only: the records arriving on input `port` must meet the other records of their
     * key in one task: the key is the value of the `n` expressions (SQL over that input's
     * columns), serialized in `key_format` (KAFKA, JSON...: the format of the keys they meet,
     * so that the same value lands in the same partition). In a Kafka run the records go
     * through the repartition topic <application.id>-<node>-repartition[-<port>], as Kafka
     * Streams routes a join or GROUP BY on a non-key column, so instances can split the
     * work; in a single-task run they pass straight on. Records keep their columns, ROWTIME,
     * flags and window; their order per key is kept. */
    int (*input_partition_by)(eddy_op *op, int port, const char *const *exprs, int n,
                              const char *key_format, char *errstr, size_t errstr_size);

    /* State stores with changelogs, so a task's state survives a crash and follows its
     * partition to another instance (Kafka Streams' changelog topics). An operator keeps its
     * state in memory as it likes and writes each change as key and value bytes of its own
     * encoding (value NULL: the key is gone) to a named store:
     * store_declare  plan only: the operator has store `store`.
     * store_put      records a change. In a Kafka run it goes to the compacted topic
     *                <application.id>-<node>-<store>-changelog, partition = the task's, and is
     *                durable once the next commit completes; write changes at flush (the
     *                commit point) so a crash loses only what the replayed input re-creates.
     *                Elsewhere it does nothing.
     * store_restore  at create: calls `cb` with every change of the task's partition of the
     *                store, oldest first (so the last change of a key wins); a non-zero
     *                return from `cb` stops and is returned. Elsewhere it finds nothing. */
    int (*store_declare)(eddy_op *op, const char *store, char *errstr, size_t errstr_size);
    int (*store_put)(eddy_op *op, const char *store, const uint8_t *key, size_t klen,
                     const uint8_t *value, size_t vlen);
    int (*store_restore)(eddy_op *op, const char *store,
                         int (*cb)(void *opaque, const uint8_t *key, size_t klen,
                                   const uint8_t *value, size_t vlen),
                         void *opaque);
    /* The type of an aggregate's accumulator (what agg_init makes), for storing it. */
    const eddy_type *(*agg_state_type)(const eddy_agg *a);
    /* Reports how many entries (keys, windows, buffered records) store `store` holds now in
     * this task, for the metrics; call it at flush. Never fails from the caller's side. */
    void (*store_size)(eddy_op *op, const char *store, uint64_t entries);

    /* Table functions (flat maps). expr_compile_table compiles a select item "call [AS
     * alias]" whose expression is one table function call ("EXPLODE(MY_ARR) AS X"), named
     * as expr_compile_item names items; expr_type gives the type of its rows.
     * expr_eval_table evaluates it on `rec`: *rows gets *nrows values (0: no row) in
     * `arena`; a failure (an argument or the function failed) returns a negative code with
     * errstr, and the row yields nothing (the caller logs it, as ksqlDB drops it). */
    int (*expr_compile_table)(eddy_op *op, const char *text, const eddy_schema *schema,
                              int index, eddy_expr **out, const char **name, char *errstr,
                              size_t errstr_size);
    int (*expr_eval_table)(eddy_op *op, const eddy_expr *e, const eddy_record *rec,
                           eddy_arena *arena, eddy_value **rows, uint32_t *nrows,
                           char *errstr, size_t errstr_size);
} eddy_host_api;

/* ------------------------------------------------------- the descriptor */

typedef struct eddy_plugin {
    uint32_t abi_version;  /* EDDY_PLUGIN_ABI_VERSION the plugin was compiled with */
    uint32_t size;         /* sizeof(eddy_plugin) as the plugin was compiled */
    const char *name;      /* the `op` of pipeline files: [a-z][a-z0-9_]* */
    const char *description;
    const char *version;   /* the plugin's own version, free text */
    eddy_plugin_kind kind;
    int min_inputs, max_inputs; /* max -1: unbounded. Sources: 0, 0 */
    const eddy_config_prop *config; /* table ending with {NULL}; may be NULL: no keys */

    int (*plan)(eddy_op *op, char *errstr, size_t errstr_size);                  /* required */
    int (*create)(eddy_op *op, void **state, char *errstr, size_t errstr_size);  /* required */
    int (*poll)(eddy_op *op, void *state, int max_records);        /* required for sources */
    int (*process)(eddy_op *op, void *state, int port, eddy_batch *in); /* transforms, sinks */
    int (*timer)(eddy_op *op, void *state, eddy_time_kind kind, int64_t now); /* optional */
    int (*flush)(eddy_op *op, void *state);                                   /* optional */
    void (*destroy)(eddy_op *op, void *state);                                /* required */

    /* EDDY_PLUGIN_FUNCTIONS (appended to version 1): `nfunctions` SQL functions (udf.h:
     * scalar, aggregate or table), registered into the process's function registry when the
     * plugin loads, with `source` set to the plugin's file. A function library has none of
     * the operator callbacks above (plan ... destroy stay NULL). The array and its strings
     * must live as long as the plugin (static data). */
    const eddy_function *functions;
    uint32_t nfunctions;
} eddy_plugin;

typedef const eddy_plugin *(*eddy_plugin_entry_fn)(const eddy_host_api *api);

/* A plugin's source starts with EDDY_PLUGIN_API; (the file-local `eddy_api` pointer through
 * which it calls the host) and ends with EDDY_PLUGIN_DEFINE(descriptor), which defines the
 * entry function and sets that pointer. */
#define EDDY_PLUGIN_API static const eddy_host_api *eddy_api
#define EDDY_PLUGIN_DEFINE(descriptor)                                                      \
    static const eddy_host_api *eddy_api;                                                   \
    EDDY_PLUGIN_EXPORT const eddy_plugin *eddy_plugin_entry(const eddy_host_api *api);      \
    EDDY_PLUGIN_EXPORT const eddy_plugin *eddy_plugin_entry(const eddy_host_api *api)       \
    {                                                                                       \
        eddy_api = api;                                                                     \
        return &(descriptor);                                                               \
    }

#ifdef __cplusplus
}
#endif
#endif
