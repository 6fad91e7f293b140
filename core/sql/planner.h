/* planner.h: turns a query (SELECT ...) into a pipeline graph of operator plugins, the same
 * structure pipeline files describe. Covered so far: stateless queries over a stream
 * (projection, WHERE) with ksqlDB's key rules; joins, windows, GROUP BY, PARTITION BY and
 * table sources are refused with a clear message until their operators land. */
#ifndef EDDY_PLANNER_H
#define EDDY_PLANNER_H

#include "graph/graph.h"
#include "sql/catalog.h"
#include "sql/statement.h"

/* Where the query writes: topic and formats (the sink source's, or those a CREATE ... AS
 * derives from the WITH clause and the input). */
typedef struct eddy_plan_sink {
    const char *name;        /* the stream/table being written (for messages) */
    const char *topic;
    const char *key_format, *value_format;
    const char *key_delimiter, *value_delimiter;
    int wrap_single;         /* -1: default */
    int partitions, replicas; /* Kafka topic creation (0: unset) */
    const char *window_type; /* TUMBLING, HOPPING, SESSION: how windowed keys are written */
} eddy_plan_sink;

/* Plans `q` reading from the catalog and writing to `sink`. On success *out is a validated
 * graph whose node `*result_node` produces the query's output rows (its output schema is the
 * sink's schema once the pipeline is planned). Errors carry ksqlDB's messages. */
int eddy_plan_query(const eddy_catalog *c, const eddy_sql_query *q, const eddy_plan_sink *sink,
                    eddy_graph **out, int *result_node, char *errstr, size_t errstr_size);

/* The input source of `q` (its FROM), or NULL with ksqlDB's message in errstr. */
eddy_source *eddy_plan_from(const eddy_catalog *c, const eddy_sql_query *q, char *errstr,
                            size_t errstr_size);

#endif
