/* main.c: the `eddy` command: dispatches subcommands (run, explain, plugins, functions,
 * datagen, qtt, test). */
#include <signal.h>
#include <time.h>
#include <sys/resource.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/datagen.h"
#include "cli/kafkacli.h"
#include "cli/metrics_http.h"
#include "cli/qtt.h"
#include "sql/engine.h"
#include "sql/statement.h"
#include "graph/graph.h"
#include "runtime/loader.h"
#include "runtime/pipeline.h"
#include "udf_path.h"

static const char usage_main[] =
    "Usage: eddy COMMAND [OPTIONS]\n"
    "\n"
    "eddy runs streaming pipelines: records flow from sources through a graph of operator\n"
    "plugins to sinks. A pipeline is a JSON file (docs/pipeline-format.md).\n"
    "\n"
    "Commands:\n"
    "  run FILE        run a pipeline until its input ends (or SIGINT/SIGTERM)\n"
    "  explain FILE    check a pipeline and print its graph (text, or --dot)\n"
    "  plugins [NAME]  list the operator plugins found, or describe one\n"
    "  datagen KIND    generate demo data (ratings, customers) as JSON lines\n"
    "  functions [NAME] list SQL functions (built-in and Lua UDFs), or describe one\n"
    "  qtt PATH...     run ksqlDB query-validation test cases (conformance)\n"
    "  test            run a SQL test: -s statements.sql -i input.json -o output.json\n"
    "  broker          start an embedded Kafka-protocol broker on loopback\n"
    "  consume TOPIC   print a Kafka topic's records as they arrive\n"
    "  version         print the version\n"
    "\n"
    "Run `eddy COMMAND --help` for a command's options.\n"
    "\n"
    "Environment:\n"
    "  EDDY_PLUGIN_PATH  colon-separated directories searched for plugins first\n"
    "  EDDY_UDF_PATH     colon-separated Lua UDF directories or files (after the shipped ones)\n"
    "  EDDY_DEBUG        set to print debug lines\n"
    "\n"
    "Exit codes:\n"
    "  0  success\n"
    "  1  usage error (bad command line)\n"
    "  2  the pipeline is invalid (syntax, unknown operator or column, bad config, types)\n"
    "  3  a file or plugin could not be loaded\n"
    "  4  runtime error (the pipeline stopped on an error)\n";

static const char usage_run[] =
    "Usage: eddy run FILE|SCRIPT.sql [OPTIONS]\n"
    "\n"
    "Runs the pipeline in FILE until every source is exhausted, or until SIGINT/SIGTERM: then\n"
    "sources stop, every operator is flushed in order (nothing queued is dropped) and eddy\n"
    "exits 0. A second signal a second or more later exits at once (130). Records that\n"
    "cannot be processed go to the processing log and the pipeline goes on.\n"
    "A pipeline that reads or writes topics (topic_source, topic_sink), and every persistent\n"
    "query of a SQL script, runs against Kafka: one task per input partition, offsets\n"
    "committed after the outputs are acknowledged, until SIGINT/SIGTERM (docs/kafka.md).\n"
    "\n"
    "Options:\n"
    "  -D, --define NAME=VALUE   set variable ${NAME} used in the file (repeatable)\n"
    "  --threads N               worker threads (default: settings.threads, or 1)\n"
    "  --batch-size N            records per source poll (default 1024)\n"
    "  --commit-interval MS      how often sinks are flushed (default 1000)\n"
    "  --processing-log PATH     where bad records go, JSON lines ('-' = stderr, default)\n"
    "  --follow                  sources wait for more input at the end (like tail -f)\n"
    "  --plugin-path DIR         also load plugins from DIR\n"
    "  --udf-path PATH           also load Lua UDFs from PATH, a directory (*.lua) or a file\n"
    "                            (repeatable; after the shipped UDFs and EDDY_UDF_PATH)\n"
    "  --udf-reload MS           check UDF files for changes every MS ms and reload them\n"
    "                            (default 1000; 0: never)\n"
    "  --stats                   print per-node record counts at the end\n"
    "  -q, --quiet               no informational lines on stderr\n"
    EDDY_CLI_KAFKA_HELP;

static const char usage_functions[] =
    "Usage: eddy functions [NAME] [--udf-path PATH]...\n"
    "\n"
    "Lists the SQL functions (SHOW FUNCTIONS): built-ins and the Lua UDFs loaded from the\n"
    "shipped directory, EDDY_UDF_PATH and --udf-path, with their kind, number of overloads and\n"
    "source. With NAME, describes it (DESCRIBE FUNCTION): every overload's signature, kind,\n"
    "source file and description. Exit 3 when NAME is unknown or a UDF file failed to load.\n";

static const char usage_explain[] =
    "Usage: eddy explain FILE [--dot] [--save OUT] [-D NAME=VALUE]... [--udf-path PATH]...\n"
    "       eddy explain SCRIPT.sql [--dot] [--udf-path PATH]...\n"
    "\n"
    "Loads and checks FILE exactly as `run` would (operators, config keys and types, schemas\n"
    "along every edge) without running it, then prints the graph: one block per node in\n"
    "topological order with its inputs, config and output schema; --dot prints Graphviz\n"
    "instead. --save writes the checked pipeline back as a pipeline file. Lua UDFs come from\n"
    "the shipped directory, EDDY_UDF_PATH and --udf-path, as for `run`.\n"
    "A .sql script is executed by the SQL engine without data, and the pipeline graph of each\n"
    "persistent query (CREATE ... AS SELECT, INSERT INTO ... SELECT) is printed, after the\n"
    "listings of its DESCRIBE FUNCTION and SHOW | LIST FUNCTIONS statements (not with --dot).\n";

static const char usage_plugins[] =
    "Usage: eddy plugins [NAME] [--plugin-path DIR]\n"
    "\n"
    "Lists the operator plugins found on the search path (EDDY_PLUGIN_PATH, --plugin-path,\n"
    "the build's plugins/ directory, the install directory) and the files that were refused\n"
    "with the reason. With NAME, prints that plugin's configuration keys.\n";

bool eddy_cli_opt(int argc, char **argv, int *i, const char *name, const char **value)
{
    size_t n = strlen(name);
    const char *a = argv[*i];
    if (strncmp(a, name, n) != 0)
        return false;
    if (a[n] == '=') {
        *value = a + n + 1;
        return true;
    }
    if (a[n] != '\0')
        return false;
    if (*i + 1 >= argc) {
        *value = NULL;
        return true;
    }
    *value = argv[++*i];
    return true;
}

static bool wants_help(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
            return true;
    return false;
}

static int usage_error(const char *cmd, const char *fmt, const char *arg)
{
    fprintf(stderr, "eddy %s: ", cmd);
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\nTry `eddy %s --help`.\n", cmd);
    return EDDY_EXIT_USAGE;
}

static int parse_int(const char *cmd, const char *opt, const char *v, long min, long *out)
{
    char *end;
    if (!v)
        return usage_error(cmd, "option %s needs a value", opt);
    long x = strtol(v, &end, 10);
    if (*end || end == v || x < min) {
        fprintf(stderr, "eddy %s: option %s: '%s' is not a valid number\n", cmd, opt, v);
        return EDDY_EXIT_USAGE;
    }
    *out = x;
    return 0;
}

/* Lua UDF messages: errors always, notices ("reloaded x") unless quiet. */
typedef struct udf_report_ctx {
    const char *cmd;
    bool quiet;
} udf_report_ctx;

static void udf_report(bool is_error, const char *msg, void *opaque)
{
    const udf_report_ctx *c = opaque;
    if (is_error || !c->quiet)
        fprintf(stderr, "eddy %s: %s%s\n", c->cmd, is_error ? "UDF error: " : "", msg);
}

/* Shared by run and explain: loads plugins and the graph, plans the pipeline. */
typedef struct loaded {
    eddy_loader *loader;
    eddy_graph *graph;
    eddy_pipeline *pipeline;
} loaded;

static void loaded_free(loaded *l)
{
    eddy_pipeline_destroy(l->pipeline);
    eddy_graph_destroy(l->graph);
    eddy_loader_destroy(l->loader);
}

static int load_pipeline(const char *cmd, const char *file, const char **defs, int ndefs,
                         const char *plugin_path, const eddy_run_opts *opts, loaded *out)
{
    char err[EDDY_ERRSTR_SIZE * 2];
    memset(out, 0, sizeof *out);
    out->loader = eddy_loader_new();
    eddy_loader_load_default(out->loader, plugin_path);
    eddy_graph_vars vars = {defs, ndefs};
    int rc = eddy_graph_load_file(file, &vars, &out->graph, err, sizeof err);
    if (rc) {
        fprintf(stderr, "eddy %s: %s\n", cmd, err);
        return rc == EDDY_ENOTFOUND || rc == EDDY_EIO ? EDDY_EXIT_LOAD : EDDY_EXIT_COMPILE;
    }
    rc = eddy_pipeline_new(out->graph, out->loader, opts, &out->pipeline, err, sizeof err);
    if (rc) {
        fprintf(stderr, "eddy %s: %s\n", cmd, err);
        return EDDY_EXIT_COMPILE;
    }
    return 0;
}

static eddy_pipeline *volatile running;
static volatile sig_atomic_t signals_seen;
static struct timespec first_signal;

/* The first SIGINT/SIGTERM stops the pipeline gracefully. A second one a second or more later
 * exits at once; one sooner is the same request delivered twice (`timeout` signals both the
 * child and its process group) and is ignored. clock_gettime is async-signal-safe. */
static void on_signal(int sig)
{
    (void)sig;
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    if (signals_seen++ == 0) {
        first_signal = now;
        if (running)
            eddy_pipeline_stop(running);
        return;
    }
    if (now.tv_sec - first_signal.tv_sec >= 2 ||
        (now.tv_sec - first_signal.tv_sec == 1 && now.tv_nsec >= first_signal.tv_nsec))
        _exit(130);
}

static int cmd_run(int argc, char **argv)
{
    if (wants_help(argc, argv)) {
        fputs(usage_run, stdout);
        return 0;
    }
    const char *file = NULL, *plugin_path = NULL, *v;
    const char **defs = calloc((size_t)argc, sizeof *defs);
    int ndefs = 0, nudf = 0;
    const char **udf_paths = calloc((size_t)argc, sizeof *udf_paths);
    long udf_reload = 1000;
    bool stats = false;
    eddy_run_opts opts = {0};
    eddy_kprops kprops = {0};
    int rc = 0;
    for (int i = 1; i < argc && rc == 0; i++) {
        long x;
        if (eddy_cli_opt(argc, argv, &i, "--define", &v) || eddy_cli_opt(argc, argv, &i, "-D", &v)) {
            if (!v || !strchr(v, '='))
                rc = usage_error("run", "--define takes NAME=VALUE, got '%s'", v ? v : "");
            else
                defs[ndefs++] = v;
        } else if (eddy_cli_opt(argc, argv, &i, "--threads", &v)) {
            if (!(rc = parse_int("run", "--threads", v, 1, &x)))
                opts.threads = (int)x;
        } else if (eddy_cli_opt(argc, argv, &i, "--batch-size", &v)) {
            if (!(rc = parse_int("run", "--batch-size", v, 1, &x)))
                opts.batch_size = (int)x;
        } else if (eddy_cli_opt(argc, argv, &i, "--commit-interval", &v)) {
            if (!(rc = parse_int("run", "--commit-interval", v, 1, &x)))
                opts.commit_interval_ms = x;
        } else if (eddy_cli_opt(argc, argv, &i, "--processing-log", &v)) {
            if (!v)
                rc = usage_error("run", "%s needs a path", "--processing-log");
            opts.processing_log = v;
        } else if (eddy_cli_opt(argc, argv, &i, "--plugin-path", &v)) {
            if (!v)
                rc = usage_error("run", "%s needs a directory", "--plugin-path");
            plugin_path = v;
        } else if (eddy_cli_opt(argc, argv, &i, "--udf-path", &v)) {
            if (!v)
                rc = usage_error("run", "%s needs a directory or file", "--udf-path");
            udf_paths[nudf++] = v;
        } else if (eddy_cli_opt(argc, argv, &i, "--udf-reload", &v)) {
            rc = parse_int("run", "--udf-reload", v, 0, &udf_reload);
            if (rc == 0 && udf_reload > 0 && udf_reload < 10)
                udf_reload = 10;
        } else if ((x = eddy_cli_kafka_opt("run", argc, argv, &i, &kprops)) != 0) {
            rc = x == 1 ? 0 : (int)x;
        } else if (strcmp(argv[i], "--follow") == 0 || strcmp(argv[i], "-f") == 0) {
            opts.follow = true;
        } else if (strcmp(argv[i], "--stats") == 0) {
            stats = true;
        } else if (strcmp(argv[i], "--quiet") == 0 || strcmp(argv[i], "-q") == 0) {
            opts.quiet = true;
        } else if (argv[i][0] == '-' && argv[i][1]) {
            rc = usage_error("run", "unknown option '%s'", argv[i]);
        } else if (!file) {
            file = argv[i];
        } else {
            rc = usage_error("run", "only one pipeline file, got also '%s'", argv[i]);
        }
    }
    if (rc == 0 && !file)
        rc = usage_error("run", "%s", "missing pipeline FILE");
    if (rc) {
        free(defs);
        free(udf_paths);
        eddy_kprops_free(&kprops);
        return rc;
    }
    udf_report_ctx urc = {"run", opts.quiet};
    eddy_udfs_load(udf_paths, (size_t)nudf, false, udf_report, &urc);
    free(udf_paths);
    size_t flen = strlen(file);
    if (flen > 4 && strcmp(file + flen - 4, ".sql") == 0) {
        free(defs);
        if (udf_reload > 0)
            eddy_udfs_watch_start((int)udf_reload, udf_report, &urc);
        rc = eddy_cli_run_sql(file, &kprops, &opts, plugin_path);
        eddy_udfs_watch_stop();
        eddy_udfs_shutdown();
        eddy_kprops_free(&kprops);
        return rc;
    }
    loaded l;
    rc = load_pipeline("run", file, defs, ndefs, plugin_path, &opts, &l);
    free(defs);
    /* A pipeline of topics runs against Kafka (an embedded broker when none is named). */
    eddy_kafka_opts kopts;
    eddy_broker *broker = NULL;
    if (rc == 0 && eddy_pipeline_uses_topics(l.pipeline)) {
        char app[256];
        eddy_cli_default_app(file, app, sizeof app);
        eddy_run_opts ko_opts = opts;
        rc = eddy_cli_kafka_setup("run", &kprops, app, &kopts, &ko_opts, &broker, opts.quiet);
        if (rc == 0)
            eddy_pipeline_set_kafka(l.pipeline, &kopts);
        if (rc == 0 && (rc = eddy_cli_metrics_begin("run", &kprops, opts.quiet)) == 0)
            eddy_metrics_add(kopts.app_id, l.pipeline);
    }
    if (rc) {
        loaded_free(&l);
        eddy_udfs_shutdown();
        eddy_kprops_free(&kprops);
        return rc;
    }
    if (udf_reload > 0)
        eddy_udfs_watch_start((int)udf_reload, udf_report, &urc);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    running = l.pipeline;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    char err[EDDY_ERRSTR_SIZE];
    int64_t t0 = eddy_mono_ns();
    rc = eddy_pipeline_run(l.pipeline, err, sizeof err);
    double secs = (double)(eddy_mono_ns() - t0) / 1e9;
    running = NULL;
    eddy_udfs_watch_stop();
    if (stats) {
        const eddy_graph *g = eddy_pipeline_graph(l.pipeline);
        fprintf(stderr, "%-24s %-14s %12s %12s %8s\n", "node", "op", "in", "out", "errors");
        for (int i = 0; i < g->nnodes; i++) {
            int n = g->order[i];
            eddy_node_stats s = eddy_pipeline_node_stats(l.pipeline, n);
            fprintf(stderr, "%-24s %-14s %12llu %12llu %8llu\n", g->nodes[n].id, g->nodes[n].op,
                    (unsigned long long)s.records_in, (unsigned long long)s.records_out,
                    (unsigned long long)s.errors);
        }
        struct rusage ru;
        getrusage(RUSAGE_SELF, &ru);
        double cpu = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
                     (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
        fprintf(stderr, "elapsed %.3f s, cpu %.3f s, peak RSS %.1f MB, %llu processing-log "
                "entries\n", secs, cpu, (double)ru.ru_maxrss / 1024.0,
                (unsigned long long)eddy_pipeline_processing_log_count(l.pipeline));
    }
    if (rc)
        fprintf(stderr, "eddy run: %s\n", err);
    eddy_metrics_stop();
    loaded_free(&l);
    eddy_broker_stop(broker);
    eddy_kprops_free(&kprops);
    eddy_udfs_shutdown();
    return rc ? EDDY_EXIT_RUNTIME : EDDY_EXIT_OK;
}

/* explain of a .sql script: executes its statements in a SQL engine (no records) and prints
 * what its DESCRIBE FUNCTION / SHOW FUNCTIONS statements print (text only: dot output stays
 * one valid graph per query), then the pipeline graph of each persistent query. */
static int explain_sql(const char *file, bool dot)
{
    eddy_engine *e;
    int rc = eddy_cli_load_sql("explain", file, &e);
    if (rc)
        return rc;
    eddy_buf out = {0};
    if (!dot)
        eddy_buf_puts(&out, eddy_engine_output(e));
    eddy_engine_explain(e, dot, &out);
    fwrite(out.data, 1, out.len, stdout);
    eddy_buf_free(&out);
    eddy_engine_destroy(e);
    return 0;
}

static int cmd_explain(int argc, char **argv)
{
    if (wants_help(argc, argv)) {
        fputs(usage_explain, stdout);
        return 0;
    }
    const char *file = NULL, *save = NULL, *plugin_path = NULL, *v;
    const char **defs = calloc((size_t)argc, sizeof *defs);
    const char **udf_paths = calloc((size_t)argc, sizeof *udf_paths);
    int ndefs = 0, nudf = 0, rc = 0;
    bool dot = false;
    for (int i = 1; i < argc && rc == 0; i++) {
        if (eddy_cli_opt(argc, argv, &i, "--define", &v) || eddy_cli_opt(argc, argv, &i, "-D", &v)) {
            if (!v || !strchr(v, '='))
                rc = usage_error("explain", "--define takes NAME=VALUE, got '%s'", v ? v : "");
            else
                defs[ndefs++] = v;
        } else if (eddy_cli_opt(argc, argv, &i, "--save", &v)) {
            if (!v)
                rc = usage_error("explain", "%s needs a path", "--save");
            save = v;
        } else if (eddy_cli_opt(argc, argv, &i, "--plugin-path", &v)) {
            plugin_path = v;
        } else if (eddy_cli_opt(argc, argv, &i, "--udf-path", &v)) {
            if (!v)
                rc = usage_error("explain", "%s needs a directory or file", "--udf-path");
            else
                udf_paths[nudf++] = v;
        } else if (strcmp(argv[i], "--dot") == 0) {
            dot = true;
        } else if (argv[i][0] == '-' && argv[i][1]) {
            rc = usage_error("explain", "unknown option '%s'", argv[i]);
        } else if (!file) {
            file = argv[i];
        } else {
            rc = usage_error("explain", "only one pipeline file, got also '%s'", argv[i]);
        }
    }
    if (rc == 0 && !file)
        rc = usage_error("explain", "%s", "missing pipeline FILE");
    if (rc) {
        free(defs);
        free(udf_paths);
        return rc;
    }
    udf_report_ctx urc = {"explain", true};
    eddy_udfs_load(udf_paths, (size_t)nudf, false, udf_report, &urc);
    free(udf_paths);
    size_t flen = strlen(file);
    if (flen > 4 && strcmp(file + flen - 4, ".sql") == 0) {
        free(defs);
        if (save)
            return usage_error("explain", "%s", "--save takes a pipeline file, not SQL (the "
                               "graphs of SQL read in-memory topics until Kafka lands)");
        return explain_sql(file, dot);
    }
    eddy_run_opts opts = {.quiet = true};
    loaded l;
    rc = load_pipeline("explain", file, defs, ndefs, plugin_path, &opts, &l);
    free(defs);
    if (rc == 0) {
        eddy_buf out = {0};
        if (dot)
            eddy_explain_dot(l.pipeline, &out);
        else
            eddy_explain_text(l.pipeline, &out);
        fwrite(out.data, 1, out.len, stdout);
        if (save) {
            eddy_buf_clear(&out);
            eddy_graph_save(l.graph, &out);
            FILE *f = fopen(save, "w");
            if (!f || fwrite(out.data, 1, out.len, f) != out.len) {
                fprintf(stderr, "eddy explain: cannot write %s\n", save);
                rc = EDDY_EXIT_LOAD;
            }
            if (f)
                fclose(f);
        }
        eddy_buf_free(&out);
    }
    loaded_free(&l);
    return rc;
}

static const char *conf_type_name(eddy_config_type t)
{
    static const char *const names[] = {"", "string", "int", "double", "bool", "enum",
                                        "expression", "columns", "string list", "string map"};
    return t >= EDDY_CONF_STRING && t <= EDDY_CONF_STRING_MAP ? names[t] : "?";
}

static int cmd_plugins(int argc, char **argv)
{
    if (wants_help(argc, argv)) {
        fputs(usage_plugins, stdout);
        return 0;
    }
    const char *name = NULL, *plugin_path = NULL, *v;
    for (int i = 1; i < argc; i++) {
        if (eddy_cli_opt(argc, argv, &i, "--plugin-path", &v))
            plugin_path = v;
        else if (argv[i][0] == '-')
            return usage_error("plugins", "unknown option '%s'", argv[i]);
        else
            name = argv[i];
    }
    eddy_loader *l = eddy_loader_new();
    eddy_loader_load_default(l, plugin_path);
    int rc = 0;
    if (name) {
        const eddy_loaded_plugin *p = eddy_loader_find(l, name);
        if (!p) {
            const char *why = eddy_loader_rejection_for(l, name);
            fprintf(stderr, "eddy plugins: no plugin '%s'%s%s\n", name, why ? ": " : "",
                    why ? why : "");
            rc = EDDY_EXIT_LOAD;
        } else {
            const eddy_plugin *d = &p->desc;
            printf("%s (%s, version %s)\n  %s\n  file: %s\n", d->name,
                   eddy_plugin_kind_name(d->kind), d->version ? d->version : "?",
                   d->description ? d->description : "", p->path);
            if (d->kind != EDDY_PLUGIN_SOURCE) {
                if (d->max_inputs < 0)
                    printf("  inputs: %d or more\n", d->min_inputs);
                else if (d->min_inputs == d->max_inputs)
                    printf("  inputs: %d\n", d->min_inputs);
                else
                    printf("  inputs: %d to %d\n", d->min_inputs, d->max_inputs);
            }
            printf("\nConfiguration:\n");
            for (const eddy_config_prop *c = d->config; c && c->name; c++) {
                printf("  %-14s %-11s%s%s%s%s\n      %s\n", c->name, conf_type_name(c->type),
                       (c->flags & EDDY_CONF_REQUIRED) ? " required" : "",
                       c->def ? " default: " : "", c->def ? c->def : "",
                       c->choices ? "" : "", c->description ? c->description : "");
                if (c->choices)
                    printf("      one of: %s\n", c->choices);
            }
        }
    } else {
        for (size_t i = 0; i < eddy_loader_count(l); i++) {
            const eddy_loaded_plugin *p = eddy_loader_get(l, i);
            printf("%-16s %-10s %s\n", p->desc.name, eddy_plugin_kind_name(p->desc.kind),
                   p->desc.description ? p->desc.description : "");
        }
        for (size_t i = 0; i < eddy_loader_rejection_count(l); i++)
            printf("refused: %s\n", eddy_loader_rejection(l, i));
    }
    eddy_loader_destroy(l);
    return rc;
}

static int cmd_functions(int argc, char **argv)
{
    if (wants_help(argc, argv)) {
        fputs(usage_functions, stdout);
        return 0;
    }
    const char *name = NULL, *v;
    const char **udf_paths = calloc((size_t)argc, sizeof *udf_paths);
    int nudf = 0, rc = 0;
    for (int i = 1; i < argc && rc == 0; i++) {
        if (eddy_cli_opt(argc, argv, &i, "--udf-path", &v)) {
            if (!v)
                rc = usage_error("functions", "%s needs a directory or file", "--udf-path");
            udf_paths[nudf++] = v;
        } else if (argv[i][0] == '-') {
            rc = usage_error("functions", "unknown option '%s'", argv[i]);
        } else if (!name) {
            name = argv[i];
        } else {
            rc = usage_error("functions", "only one NAME, got also '%s'", argv[i]);
        }
    }
    if (rc) {
        free(udf_paths);
        return rc;
    }
    udf_report_ctx urc = {"functions", true};
    if (eddy_udfs_load(udf_paths, (size_t)nudf, false, udf_report, &urc))
        rc = EDDY_EXIT_LOAD;
    free(udf_paths);
    /* Function libraries (plugins of kind functions) register theirs when loaded. */
    eddy_loader *plugins = eddy_loader_new();
    eddy_loader_load_default(plugins, NULL);
    eddy_buf out = {0};
    char err[EDDY_ERRSTR_SIZE];
    if (eddy_udfs_describe(name, &out, err, sizeof err)) {
        fprintf(stderr, "eddy functions: %s\n", err);
        rc = EDDY_EXIT_LOAD;
    }
    if (out.len)
        fwrite(out.data, 1, out.len, stdout);
    eddy_buf_free(&out);
    eddy_udfs_shutdown();
    eddy_loader_destroy(plugins);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fputs(usage_main, stderr);
        return EDDY_EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
        fputs(usage_main, stdout);
        return 0;
    }
    if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "version") == 0) {
        printf("eddy %s (plugin ABI %u)\n", EDDY_VERSION, EDDY_PLUGIN_ABI_VERSION);
        return 0;
    }
    if (strcmp(cmd, "run") == 0)
        return cmd_run(argc - 1, argv + 1);
    if (strcmp(cmd, "explain") == 0)
        return cmd_explain(argc - 1, argv + 1);
    if (strcmp(cmd, "plugins") == 0)
        return cmd_plugins(argc - 1, argv + 1);
    if (strcmp(cmd, "datagen") == 0)
        return eddy_cli_datagen(argc - 1, argv + 1);
    if (strcmp(cmd, "functions") == 0)
        return cmd_functions(argc - 1, argv + 1);
    if (strcmp(cmd, "qtt") == 0)
        return eddy_cli_qtt(argc - 1, argv + 1);
    if (strcmp(cmd, "test") == 0)
        return eddy_cli_test(argc - 1, argv + 1);
    if (strcmp(cmd, "broker") == 0)
        return eddy_cli_broker(argc - 1, argv + 1);
    if (strcmp(cmd, "consume") == 0)
        return eddy_cli_consume(argc - 1, argv + 1);
    fprintf(stderr, "eddy: unknown command '%s'\n\n%s", cmd, usage_main);
    return EDDY_EXIT_USAGE;
}
