/* engine.h: the SQL engine as a test driver sees it: statements in, records produced to and
 * consumed from in-memory topics, deterministic and single-threaded (the runtime behind
 * `eddy qtt` and `eddy test`). Records cross this interface as JSON text, the way ksqlDB's
 * query-validation tests write them, so the driver needs no knowledge of formats. */
#ifndef EDDY_ENGINE_H
#define EDDY_ENGINE_H

#include "eddy/common.h"
#include "eddy/arena.h"

typedef struct eddy_engine eddy_engine;

/* Creates an engine. `props` is a NULL-terminated list of key, value strings (a case's
 * "properties", e.g. "ksql.persistence.wrap.single.values", "false"). */
int eddy_engine_new(const char *const *props, eddy_engine **out, char *errstr,
                    size_t errstr_size);
void eddy_engine_destroy(eddy_engine *e); /* accepts NULL */

/* Executes one statement (text with or without the final ';'). On failure returns a negative
 * code and ksqlDB's message in errstr (the qtt cases' expectedException.message is matched
 * against it as a substring). */
int eddy_engine_execute(eddy_engine *e, const char *sql, char *errstr, size_t errstr_size);

/* eddy_engine_execute for a statement that starts at `line`:`col` (1-based) of a larger
 * script, so that positions in its messages ("line 2:40", "Line: 2, Col: 40") are the
 * script's. */
int eddy_engine_execute_at(eddy_engine *e, const char *sql, int line, int col, char *errstr,
                           size_t errstr_size);

/* The text the statements executed so far printed, in order: DESCRIBE FUNCTION name and
 * SHOW | LIST FUNCTIONS append the function listing (eddy_registry_describe of the default
 * registry: built-ins and loaded UDFs); other statements print nothing. "" when none.
 * Borrowed: valid until the next execute, eddy_engine_output_clear or destroy. */
const char *eddy_engine_output(eddy_engine *e);
void eddy_engine_output_clear(eddy_engine *e);

/* A record as JSON text: `key` and `value` are JSON documents ("\"k1\"", "{\"A\":1}",
 * "0,zero,0.0" for DELIMITED is the JSON string "\"0,zero,0.0\""), NULL when absent (a NULL
 * key; a NULL value is a tombstone). `headers` is a JSON array of {"KEY": s, "VALUE": base64}
 * or NULL. `window` is {"start": ms, "end": ms, "type": "time"|"session"} or NULL. */
typedef struct eddy_engine_record {
    const char *key;
    const char *value;
    int64_t timestamp;  /* -1: none given (the produce time is used) */
    const char *headers;
    const char *window;
} eddy_engine_record;

/* Produces `r` to `topic` (created on first use) and processes it through every running
 * query, synchronously, before returning (records a query writes are consumed by the queries
 * reading that topic, depth first). The key and value are serialized with the formats of the
 * source declared on that topic. EDDY_EPARSE when the JSON does not fit that schema. */
int eddy_engine_produce(eddy_engine *e, const char *topic, const eddy_engine_record *r,
                        char *errstr, size_t errstr_size);

/* Every record written to `topic` so far, in order, as a JSON array of objects
 * {"key": K, "value": V, "timestamp": T, "headers": [...], "window": {...}} (key/value
 * decoded with the formats of the source declared on that topic; absent key/value as null).
 * Appended to `out`. EDDY_ENOTFOUND when no such topic exists. */
int eddy_engine_topic_records(eddy_engine *e, const char *topic, eddy_buf *out);

/* Appends each persistent query's pipeline graph, in creation order, as `eddy explain`
 * prints a pipeline file (text), or as one Graphviz digraph per query (dot). */
int eddy_engine_explain(eddy_engine *e, bool dot, eddy_buf *out);

/* The persistent queries started so far, in creation order: their ids ("CSAS_POOR_1") and
 * pipeline graphs (borrowed: they live until the query is dropped or the engine destroyed),
 * so that `eddy run script.sql` can run the same graphs against Kafka. */
struct eddy_graph;
size_t eddy_engine_query_count(const eddy_engine *e);
const char *eddy_engine_query_id(const eddy_engine *e, size_t i);
struct eddy_graph *eddy_engine_query_graph(eddy_engine *e, size_t i);
/* The catalog, as a JSON array of {"name", "type": "STREAM"|"TABLE", "schema", "keyFormat",
 * "valueFormat", "topic"} (the qtt cases' post.sources). Appended to `out`. */
int eddy_engine_sources(eddy_engine *e, eddy_buf *out);

#endif
