/* kafkacli.c: Kafka options, the embedded broker, SQL scripts run against Kafka, and
 * `eddy consume`. */
#include "cli/kafkacli.h"

#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/metrics_http.h"
#include "graph/graph.h"
#include "runtime/loader.h"
#include "sql/engine.h"
#include "sql/statement.h"

static int usage(const char *cmd, const char *fmt, const char *arg)
{
    fprintf(stderr, "eddy %s: ", cmd);
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\nTry 'eddy %s --help'.\n", cmd);
    return EDDY_EXIT_USAGE;
}

int eddy_cli_kafka_opt(const char *cmd, int argc, char **argv, int *i, eddy_kprops *kp)
{
    const char *v;
    char err[EDDY_ERRSTR_SIZE];
    if (eddy_cli_opt(argc, argv, i, "--bootstrap-server", &v)) {
        if (!v)
            return usage(cmd, "%s needs HOST:PORT[,HOST:PORT...]", "--bootstrap-server");
        eddy_kprops_set(kp, "bootstrap.servers", v);
        return 1;
    }
    if (eddy_cli_opt(argc, argv, i, "--metrics-port", &v)) {
        if (!v || atoi(v) < 0 || atoi(v) > 65535)
            return usage(cmd, "%s needs a port number", "--metrics-port");
        eddy_kprops_set(kp, "metrics.port", v);
        return 1;
    }
    if (eddy_cli_opt(argc, argv, i, "--app-id", &v)) {
        if (!v)
            return usage(cmd, "%s needs an id", "--app-id");
        eddy_kprops_set(kp, "application.id", v);
        return 1;
    }
    if (eddy_cli_opt(argc, argv, i, "--set", &v)) {
        if (!v || eddy_kprops_set_pair(kp, v, err, sizeof err))
            return usage(cmd, "--set: %s", v ? err : "needs KEY=VALUE");
        return 1;
    }
    if (eddy_cli_opt(argc, argv, i, "--config", &v)) {
        if (!v)
            return usage(cmd, "%s needs a file", "--config");
        if (eddy_kprops_load(kp, v, err, sizeof err)) {
            fprintf(stderr, "eddy %s: %s\n", cmd, err);
            return EDDY_EXIT_LOAD;
        }
        return 1;
    }
    return 0;
}

int eddy_cli_kafka_setup(const char *cmd, eddy_kprops *kp, const char *default_app,
                         eddy_kafka_opts *ko, eddy_run_opts *opts, eddy_broker **broker,
                         bool quiet)
{
    char err[EDDY_ERRSTR_SIZE];
    *broker = NULL;
    const char *bs = eddy_kprops_get(kp, "bootstrap.servers");
    if (!bs && getenv("EDDY_BOOTSTRAP_SERVERS") && *getenv("EDDY_BOOTSTRAP_SERVERS"))
        eddy_kprops_set(kp, "bootstrap.servers", getenv("EDDY_BOOTSTRAP_SERVERS"));
    if (!eddy_kprops_get(kp, "bootstrap.servers")) {
        if (eddy_broker_start(1, broker, err, sizeof err)) {
            fprintf(stderr, "eddy %s: %s\n", cmd, err);
            return EDDY_EXIT_LOAD;
        }
        eddy_kprops_set(kp, "bootstrap.servers", eddy_broker_bootstraps(*broker));
        if (!quiet)
            fprintf(stderr, "eddy: INFO no bootstrap.servers: running on an embedded broker at "
                            "%s (librdkafka's mock cluster; see docs/kafka.md)\n",
                    eddy_broker_bootstraps(*broker));
    }
    if (!eddy_kprops_get(kp, "application.id"))
        eddy_kprops_set(kp, "application.id", default_app);
    ko->props = kp;
    ko->broker = *broker;
    ko->app_id = eddy_kprops_get(kp, "application.id");
    const char *g = eddy_kprops_get(kp, "processing.guarantee");
    if (g && strcmp(g, "exactly_once_v2") != 0 && strcmp(g, "exactly_once") != 0 &&
        strcmp(g, "at_least_once") != 0) {
        eddy_broker_stop(*broker);
        *broker = NULL;
        return usage(cmd, "processing.guarantee is '%s', expected at_least_once or "
                          "exactly_once_v2", g);
    }
    ko->exactly_once = g && strncmp(g, "exactly_once", 12) == 0;
    const char *t = eddy_kprops_get(kp, "num.stream.threads");
    if (t && !opts->threads)
        opts->threads = atoi(t) > 0 ? atoi(t) : 1;
    const char *ci = eddy_kprops_get(kp, "commit.interval.ms");
    if (ci && !opts->commit_interval_ms)
        opts->commit_interval_ms = atoll(ci) > 0 ? atoll(ci) : 1;
    opts->kafka = ko;
    return 0;
}

int eddy_cli_metrics_begin(const char *cmd, const eddy_kprops *kp, bool quiet)
{
    const char *port = eddy_kprops_get(kp, "metrics.port");
    if (!port)
        return 0;
    char err[EDDY_ERRSTR_SIZE];
    int got = eddy_metrics_start(atoi(port), err, sizeof err);
    if (got < 0) {
        fprintf(stderr, "eddy %s: %s\n", cmd, err);
        return EDDY_EXIT_LOAD;
    }
    if (!quiet)
        fprintf(stderr, "eddy: INFO metrics on http://127.0.0.1:%d/metrics\n", got);
    return 0;
}

/* ----------------------------------------------------------------- SQL */

int eddy_cli_load_sql(const char *cmd, const char *file, eddy_engine **out)
{
    *out = NULL;
    FILE *f = fopen(file, "rb");
    if (!f) {
        fprintf(stderr, "eddy %s: %s: cannot open\n", cmd, file);
        return EDDY_EXIT_LOAD;
    }
    eddy_buf text = {0};
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        eddy_buf_append(&text, chunk, n);
    fclose(f);
    char err[EDDY_ERRSTR_SIZE * 2];
    eddy_arena *arena = eddy_arena_new(0);
    eddy_sql_script script;
    eddy_engine *e = NULL;
    int rc = eddy_sql_parse_script(eddy_buf_cstr(&text), file, arena, &script, err, sizeof err);
    if (rc) {
        fprintf(stderr, "eddy %s: %s\n", cmd, err);
        rc = EDDY_EXIT_COMPILE;
    } else if (eddy_engine_new(NULL, &e, err, sizeof err)) {
        fprintf(stderr, "eddy %s: %s\n", cmd, err);
        rc = EDDY_EXIT_LOAD;
    }
    for (uint32_t i = 0; rc == 0 && i < script.n; i++) {
        const eddy_sql_stmt *st = script.v[i];
        /* executed where it stands in the file, so positions in messages are the file's */
        if (eddy_engine_execute_at(e, st->text, st->line, st->col, err, sizeof err)) {
            fprintf(stderr, "eddy %s: %s:%d:%d: %s\n", cmd, file, st->line, st->col, err);
            rc = EDDY_EXIT_COMPILE;
        }
    }
    eddy_arena_destroy(arena);
    eddy_buf_free(&text);
    if (rc) {
        eddy_engine_destroy(e);
        return rc;
    }
    *out = e;
    return 0;
}

typedef struct sql_query {
    eddy_pipeline *p;
    eddy_kafka_opts ko;
    char app_id[512];
    pthread_t thread;
    bool live;
    int done; /* set (atomically) by the query's thread when its run returns */
    int rc;
    char err[EDDY_ERRSTR_SIZE];
} sql_query;

static sql_query *volatile sql_running;
static volatile size_t sql_nrunning;

static void sql_on_signal(int sig)
{
    (void)sig;
    sql_query *q = sql_running;
    for (size_t i = 0; q && i < sql_nrunning; i++)
        if (q[i].p)
            eddy_pipeline_stop(q[i].p);
}

static void *sql_query_main(void *arg)
{
    sql_query *q = arg;
    q->rc = eddy_pipeline_run(q->p, q->err, sizeof q->err);
    __atomic_store_n(&q->done, 1, __ATOMIC_RELEASE);
    return NULL;
}

void eddy_cli_default_app(const char *file, char *out, size_t n)
{
    const char *b = strrchr(file, '/');
    b = b ? b + 1 : file;
    size_t len = strcspn(b, ".");
    snprintf(out, n, "eddy-%.*s", (int)len, b);
}

int eddy_cli_run_sql(const char *file, eddy_kprops *kp, const eddy_run_opts *opts_in,
                     const char *plugin_path)
{
    eddy_engine *e;
    int rc = eddy_cli_load_sql("run", file, &e);
    if (rc)
        return rc;
    size_t nq = eddy_engine_query_count(e);
    if (nq == 0) {
        fprintf(stderr, "eddy run: %s: no persistent query to run (CREATE STREAM|TABLE ... AS "
                        "SELECT, INSERT INTO ... SELECT)\n", file);
        eddy_engine_destroy(e);
        return EDDY_EXIT_COMPILE;
    }
    char app[256];
    eddy_cli_default_app(file, app, sizeof app);
    eddy_run_opts opts = *opts_in;
    eddy_kafka_opts ko;
    eddy_broker *broker;
    if ((rc = eddy_cli_kafka_setup("run", kp, app, &ko, &opts, &broker, opts.quiet))) {
        eddy_engine_destroy(e);
        return rc;
    }
    eddy_loader *loader = eddy_loader_new();
    eddy_loader_load_default(loader, plugin_path);
    sql_query *qs = calloc(nq, sizeof *qs);
    char err[EDDY_ERRSTR_SIZE];
    for (size_t i = 0; qs && i < nq && rc == 0; i++) {
        sql_query *q = &qs[i];
        q->ko = ko;
        snprintf(q->app_id, sizeof q->app_id, "%s-%s", ko.app_id, eddy_engine_query_id(e, i));
        q->ko.app_id = q->app_id;
        eddy_run_opts o = opts;
        o.kafka = &q->ko;
        if (eddy_pipeline_new(eddy_engine_query_graph(e, i), loader, &o, &q->p, err,
                              sizeof err)) {
            fprintf(stderr, "eddy run: query %s: %s\n", eddy_engine_query_id(e, i), err);
            rc = EDDY_EXIT_COMPILE;
        }
    }
    if (!qs)
        rc = EDDY_EXIT_RUNTIME;
    if (rc == 0 && (rc = eddy_cli_metrics_begin("run", kp, opts.quiet)) == 0)
        for (size_t i = 0; i < nq; i++)
            eddy_metrics_add(qs[i].app_id, qs[i].p);
    if (rc == 0) {
        sql_nrunning = nq;
        sql_running = qs;
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = sql_on_signal;
        sigemptyset(&sa.sa_mask);
        sigaction(SIGINT, &sa, NULL);
        sigaction(SIGTERM, &sa, NULL);
        signal(SIGPIPE, SIG_IGN);
        if (!opts.quiet)
            for (size_t i = 0; i < nq; i++)
                fprintf(stderr, "eddy: INFO query %s runs as application '%s'\n",
                        eddy_engine_query_id(e, i), qs[i].app_id);
        for (size_t i = 0; i < nq; i++)
            qs[i].live = pthread_create(&qs[i].thread, NULL, sql_query_main, &qs[i]) == 0;
        /* One query failing stops the others: the script runs as a whole. */
        for (;;) {
            bool any_live = false, any_failed = false;
            for (size_t i = 0; i < nq; i++) {
                if (qs[i].live && __atomic_load_n(&qs[i].done, __ATOMIC_ACQUIRE)) {
                    pthread_join(qs[i].thread, NULL);
                    qs[i].live = false;
                    any_failed |= qs[i].rc != 0;
                }
                any_live |= qs[i].live;
            }
            if (any_failed)
                sql_on_signal(0);
            if (!any_live)
                break;
            struct timespec ts = {0, 50000000};
            nanosleep(&ts, NULL);
        }
        sql_running = NULL;
        for (size_t i = 0; i < nq; i++)
            if (qs[i].rc) {
                fprintf(stderr, "eddy run: query %s: %s\n", eddy_engine_query_id(e, i),
                        qs[i].err);
                rc = EDDY_EXIT_RUNTIME;
            }
    }
    eddy_metrics_stop();
    for (size_t i = 0; qs && i < nq; i++)
        eddy_pipeline_destroy(qs[i].p);
    free(qs);
    eddy_loader_destroy(loader);
    eddy_engine_destroy(e);
    eddy_broker_stop(broker);
    return rc;
}

/* -------------------------------------------------------------- broker */

static volatile int broker_stop;

static void broker_on_signal(int sig) { broker_stop = sig; }

static const char usage_broker[] =
    "Usage: eddy broker [--brokers N] [--topic NAME[:PARTITIONS]]...\n"
    "\n"
    "Starts an embedded Kafka-protocol cluster (librdkafka's mock cluster) on 127.0.0.1 and\n"
    "prints its bootstrap address on the first line of stdout, for other eddy commands\n"
    "(--bootstrap-server) and Kafka tools (kcat -b). Runs until SIGINT or SIGTERM. It keeps\n"
    "about 5 MiB per partition. Its mock cluster has no CreateTopics request, so other eddy\n"
    "commands ask for topics on the control topic __eddy_admin; other clients' topics are\n"
    "created with 4 partitions when first named (--topic creates them up front). See\n"
    "docs/kafka.md for its limits.\n";

int eddy_cli_broker(int argc, char **argv)
{
    int nbrokers = 1;
    const char **topics = calloc((size_t)argc, sizeof *topics);
    int ntopics = 0;
    for (int i = 1; i < argc; i++) {
        const char *v;
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            fputs(usage_broker, stdout);
            free(topics);
            return 0;
        } else if (eddy_cli_opt(argc, argv, &i, "--brokers", &v)) {
            nbrokers = v ? atoi(v) : 0;
            if (nbrokers < 1 || nbrokers > 16) {
                free(topics);
                return usage("broker", "--brokers takes 1 to 16, got '%s'", v ? v : "");
            }
        } else if (eddy_cli_opt(argc, argv, &i, "--topic", &v)) {
            if (!v) {
                free(topics);
                return usage("broker", "%s needs NAME[:PARTITIONS]", "--topic");
            }
            topics[ntopics++] = v;
        } else {
            free(topics);
            return usage("broker", "unknown argument '%s'", argv[i]);
        }
    }
    char err[EDDY_ERRSTR_SIZE];
    eddy_broker *b;
    if (eddy_broker_start(nbrokers, &b, err, sizeof err)) {
        fprintf(stderr, "eddy broker: %s\n", err);
        free(topics);
        return EDDY_EXIT_RUNTIME;
    }
    int rc = 0;
    for (int i = 0; i < ntopics && rc == 0; i++) {
        char name[256];
        const char *colon = strrchr(topics[i], ':');
        int parts = colon ? atoi(colon + 1) : 1;
        snprintf(name, sizeof name, "%.*s",
                 (int)(colon ? (size_t)(colon - topics[i]) : strlen(topics[i])), topics[i]);
        if (parts < 1) {
            rc = usage("broker", "--topic '%s': the partition count must be 1 or more",
                       topics[i]);
            break;
        }
        if (eddy_broker_create_topic(b, name, parts, 1, err, sizeof err)) {
            fprintf(stderr, "eddy broker: %s\n", err);
            rc = EDDY_EXIT_RUNTIME;
        }
    }
    free(topics);
    if (rc == 0 && eddy_broker_create_topic(b, EDDY_BROKER_ADMIN_TOPIC, 1, 1, err, sizeof err)) {
        fprintf(stderr, "eddy broker: %s\n", err);
        rc = EDDY_EXIT_RUNTIME;
    }
    if (rc) {
        eddy_broker_stop(b);
        return rc;
    }
    printf("%s\n", eddy_broker_bootstraps(b));
    fflush(stdout);
    fprintf(stderr, "eddy broker: listening on %s; stop with Ctrl-C\n", eddy_broker_bootstraps(b));
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = broker_on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    /* Topic creation requests from other eddy processes, until a signal. */
    if (eddy_broker_serve_admin(b, (volatile int *)&broker_stop, err, sizeof err)) {
        fprintf(stderr, "eddy broker: %s\n", err);
        rc = EDDY_EXIT_RUNTIME;
    }
    eddy_broker_stop(b);
    return rc;
}

/* ------------------------------------------------------------- consume */

static const char usage_consume[] =
    "Usage: eddy consume TOPIC [OPTIONS]\n"
    "\n"
    "Prints the records of TOPIC as they arrive, one JSON object per line:\n"
    "{\"partition\", \"offset\", \"timestamp\", \"key\", \"value\"} (key and value as text; a\n"
    "binary key as --key-type says; null for a Kafka null). Reads every partition from the\n"
    "beginning, outside any consumer group.\n"
    "\n"
    "  --count N                 stop after N records\n"
    "  --idle-timeout MS         stop after MS without a new record (default: never)\n"
    "  --key-type T              string (default), int, bigint (KAFKA format keys: 4 or 8\n"
    "                            bytes big-endian), or hex\n"
    "  --receive-time            add \"received\": when this consumer got the record (ms\n"
    "                            since the epoch), for latency measurements\n"
    EDDY_CLI_KAFKA_HELP;

static volatile sig_atomic_t consume_stop;

static void consume_on_signal(int sig) { consume_stop = sig; }

static void put_json_text(eddy_buf *b, const char *s, size_t n)
{
    eddy_buf_putc(b, '"');
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\')
            eddy_buf_printf(b, "\\%c", c);
        else if (c < 0x20)
            eddy_buf_printf(b, "\\u%04x", c);
        else
            eddy_buf_putc(b, (char)c);
    }
    eddy_buf_putc(b, '"');
}

static void put_key(eddy_buf *b, const uint8_t *k, size_t n, const char *type)
{
    if (!k) {
        eddy_buf_printf(b, "null");
    } else if (strcmp(type, "int") == 0 && n >= 4) {
        eddy_buf_printf(b, "%" PRId32, (int32_t)((uint32_t)k[0] << 24 | (uint32_t)k[1] << 16 |
                                                 (uint32_t)k[2] << 8 | k[3]));
    } else if (strcmp(type, "bigint") == 0 && n >= 8) {
        eddy_buf_printf(b, "%" PRId64, eddy_kafka_get_be64(k));
    } else if (strcmp(type, "hex") == 0) {
        eddy_buf_putc(b, '"');
        for (size_t i = 0; i < n; i++)
            eddy_buf_printf(b, "%02x", k[i]);
        eddy_buf_putc(b, '"');
    } else {
        put_json_text(b, (const char *)k, n);
    }
}

int eddy_cli_consume(int argc, char **argv)
{
    const char *topic = NULL, *key_type = "string", *v;
    long long count = 0, idle = 0;
    bool receive_time = false;
    eddy_kprops kp = {0};
    int rc = 0;
    for (int i = 1; i < argc && rc == 0; i++) {
        int k;
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            fputs(usage_consume, stdout);
            eddy_kprops_free(&kp);
            return 0;
        } else if ((k = eddy_cli_kafka_opt("consume", argc, argv, &i, &kp)) != 0) {
            rc = k == 1 ? 0 : k;
        } else if (eddy_cli_opt(argc, argv, &i, "--count", &v)) {
            count = v ? atoll(v) : -1;
            if (count < 1)
                rc = usage("consume", "--count takes a positive number, got '%s'", v ? v : "");
        } else if (eddy_cli_opt(argc, argv, &i, "--idle-timeout", &v)) {
            idle = v ? atoll(v) : -1;
            if (idle < 1)
                rc = usage("consume", "--idle-timeout takes milliseconds, got '%s'", v ? v : "");
        } else if (strcmp(argv[i], "--receive-time") == 0) {
            receive_time = true;
        } else if (eddy_cli_opt(argc, argv, &i, "--key-type", &v)) {
            key_type = v ? v : "";
            if (strcmp(key_type, "string") && strcmp(key_type, "int") &&
                strcmp(key_type, "bigint") && strcmp(key_type, "hex"))
                rc = usage("consume", "--key-type is string, int, bigint or hex, not '%s'",
                           key_type);
        } else if (argv[i][0] == '-' && argv[i][1]) {
            rc = usage("consume", "unknown option '%s'", argv[i]);
        } else if (!topic) {
            topic = argv[i];
        } else {
            rc = usage("consume", "only one topic, got also '%s'", argv[i]);
        }
    }
    if (rc == 0 && !topic)
        rc = usage("consume", "%s", "missing TOPIC");
    if (rc == 0 && !eddy_kprops_get(&kp, "bootstrap.servers")) {
        const char *env = getenv("EDDY_BOOTSTRAP_SERVERS");
        if (env && *env)
            eddy_kprops_set(&kp, "bootstrap.servers", env);
        else
            rc = usage("consume", "%s", "which cluster? --bootstrap-server HOST:PORT (or "
                                        "EDDY_BOOTSTRAP_SERVERS)");
    }
    char err[EDDY_ERRSTR_SIZE];
    rd_kafka_conf_t *conf = NULL;
    if (rc == 0 && eddy_kafka_conf(&kp, EDDY_KCLIENT_CONSUMER, &conf, err, sizeof err)) {
        fprintf(stderr, "eddy consume: %s\n", err);
        rc = EDDY_EXIT_USAGE;
    }
    rd_kafka_t *rk = NULL;
    if (rc == 0) {
        char why[512];
        rd_kafka_conf_set(conf, "group.id", "eddy-consume", NULL, 0);
        rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, why, sizeof why);
        if (!rk) {
            rd_kafka_conf_destroy(conf);
            fprintf(stderr, "eddy consume: %s\n", why);
            rc = EDDY_EXIT_RUNTIME;
        }
    }
    int parts = 0;
    while (rc == 0 && (rc = eddy_kafka_partitions(rk, topic, 5000, &parts, err, sizeof err)) ==
                          EDDY_EIO && !consume_stop) {
        fprintf(stderr, "eddy consume: %s; retrying\n", err);
        rc = 0;
    }
    if (rc < 0) {
        fprintf(stderr, "eddy consume: %s\n", err);
        rc = EDDY_EXIT_RUNTIME;
    }
    if (rc == 0) {
        rd_kafka_poll_set_consumer(rk);
        rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(parts);
        for (int p = 0; p < parts; p++)
            rd_kafka_topic_partition_list_add(l, topic, p)->offset = RD_KAFKA_OFFSET_BEGINNING;
        rd_kafka_assign(rk, l);
        rd_kafka_topic_partition_list_destroy(l);
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = consume_on_signal;
        sigemptyset(&sa.sa_mask);
        sigaction(SIGINT, &sa, NULL);
        sigaction(SIGTERM, &sa, NULL);
        long long seen = 0;
        int64_t last = eddy_now_ms();
        eddy_buf line = {0};
        while (!consume_stop && (count == 0 || seen < count)) {
            rd_kafka_message_t *m = rd_kafka_consumer_poll(rk, 0);
            if (!m) {
                fflush(stdout); /* caught up: show what came (not per record: too slow) */
                m = rd_kafka_consumer_poll(rk, 100);
            }
            if (!m) {
                if (idle > 0 && eddy_now_ms() - last >= idle)
                    break;
                continue;
            }
            if (m->err) {
                if (m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF)
                    fprintf(stderr, "eddy consume: %s\n", rd_kafka_message_errstr(m));
                rd_kafka_message_destroy(m);
                continue;
            }
            last = eddy_now_ms();
            line.len = 0;
            eddy_buf_printf(&line, "{\"partition\":%d,\"offset\":%" PRId64 ",\"timestamp\":%" PRId64
                            ",\"key\":", (int)m->partition, m->offset,
                            rd_kafka_message_timestamp(m, NULL));
            put_key(&line, m->key, m->key_len, key_type);
            eddy_buf_printf(&line, ",\"value\":");
            if (m->payload)
                put_json_text(&line, m->payload, m->len);
            else
                eddy_buf_printf(&line, "null");
            if (receive_time)
                eddy_buf_printf(&line, ",\"received\":%" PRId64, eddy_now_ms());
            eddy_buf_printf(&line, "}\n");
            fwrite(line.data, 1, line.len, stdout);
            seen++;
            rd_kafka_message_destroy(m);
        }
        fflush(stdout);
        eddy_buf_free(&line);
        rd_kafka_consumer_close(rk);
    }
    if (rk)
        rd_kafka_destroy(rk);
    eddy_kprops_free(&kp);
    return rc;
}
