/* kafkacli.h: the Kafka side of the `eddy` command: the options every Kafka-facing command
 * shares, the embedded broker (`eddy broker`, and `eddy run` without bootstrap.servers),
 * running SQL scripts against Kafka, and `eddy consume`. */
#ifndef EDDY_KAFKACLI_H
#define EDDY_KAFKACLI_H

#include "io/kafka.h"
#include "runtime/pipeline.h"

struct eddy_engine;

/* The Kafka options, for --help texts. */
#define EDDY_CLI_KAFKA_HELP                                                                   \
    "  --bootstrap-server HOSTS  the Kafka cluster (bootstrap.servers; also the environment\n" \
    "                            variable EDDY_BOOTSTRAP_SERVERS). None: an embedded broker\n" \
    "  --config FILE             Kafka client and eddy properties (key=value lines)\n"        \
    "  --set KEY=VALUE           one property (repeatable): any librdkafka property, and\n"    \
    "                            application.id, num.stream.threads, commit.interval.ms,\n"    \
    "                            processing.guarantee (at_least_once|exactly_once_v2)\n"        \
    "  --app-id ID               application.id: the consumer group; instances with the\n"     \
    "                            same id split the partitions\n"                               \
    "  --metrics-port PORT       serve Prometheus metrics on http://HOST:PORT/metrics\n"       \
    "                            (metrics.port; 0: any free port, logged)\n"

/* Consumes argv[*i] (and its value) when it is one of the Kafka options above, into `kp`.
 * Returns 1 when consumed, 0 when not a Kafka option, or EDDY_EXIT_USAGE after printing why. */
int eddy_cli_kafka_opt(const char *cmd, int argc, char **argv, int *i, eddy_kprops *kp);

/* The default application.id of a file: "eddy-ratings" for "pipelines/ratings.sql". */
void eddy_cli_default_app(const char *file, char *out, size_t n);

/* A Kafka run's settings from the properties: bootstrap.servers (else EDDY_BOOTSTRAP_SERVERS,
 * else an embedded broker started here, *broker set), application.id (else `default_app`),
 * num.stream.threads, commit.interval.ms and processing.guarantee into `opts`. The strings
 * live in `kp`. Returns 0 or an exit code after printing why. */
int eddy_cli_kafka_setup(const char *cmd, eddy_kprops *kp, const char *default_app,
                         eddy_kafka_opts *ko, eddy_run_opts *opts, eddy_broker **broker,
                         bool quiet);

/* Executes a .sql script's statements in a new SQL engine (no records); errors are printed
 * with file:line:col. Returns 0 or an exit code. */
int eddy_cli_load_sql(const char *cmd, const char *file, struct eddy_engine **out);

/* `eddy run SCRIPT.sql`: every persistent query of the script runs against Kafka, each as
 * its own application (<application.id>-<query id>), until SIGINT/SIGTERM. */
int eddy_cli_run_sql(const char *file, eddy_kprops *kp, const eddy_run_opts *opts,
                     const char *plugin_path);

/* Starts the metrics endpoint when metrics.port is set (logs its URL). 0 or an exit code. */
int eddy_cli_metrics_begin(const char *cmd, const eddy_kprops *kp, bool quiet);

int eddy_cli_broker(int argc, char **argv);
int eddy_cli_consume(int argc, char **argv);

#endif
