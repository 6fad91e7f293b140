/* testcmd.c: `eddy test`: ksqlDB's ksql-test-runner (statements file, inputs file, expected
 * outputs file), judged by the same code as `eddy qtt` (sql/qtt_runner.c). */
#include "cli/testcmd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "sql/qtt_runner.h"
#include "udf_path.h"

static const char usage_test[] =
    "Usage: eddy test -s STATEMENTS.sql [-i INPUT.json] -o OUTPUT.json [--timeout SECONDS]\n"
    "\n"
    "Tests queries the way ksqlDB's ksql-test-runner does: runs the statements, produces the\n"
    "input records in order, and checks that the records written to each topic named in the\n"
    "output file match the expected ones, in order and in count (key, value, and timestamp,\n"
    "window and headers when given).\n"
    "\n"
    "  -s, --sql-file FILE     statements, each ending in ';'\n"
    "  -i, --input-file FILE   {\"inputs\": [{\"topic\", \"key\", \"value\", \"timestamp\"}, ...]}\n"
    "  -o, --output-file FILE  {\"outputs\": [{\"topic\", \"key\", \"value\", \"timestamp\"}, ...]}\n"
    "  --timeout SECONDS       limit for the whole test (default 60)\n"
    "  --udf-path PATH         also load Lua UDFs from PATH, a directory (*.lua) or a file\n"
    "                          (repeatable; after the shipped UDFs and EDDY_UDF_PATH)\n"
    "\n"
    "Prints `Test passed!` or the first difference (expected vs actual).\n"
    "Exit codes: 0 passed, 1 usage error, 2 a statement failed, 3 a file could not be read (or\n"
    "a UDF file failed to load), 4 the outputs differ (or the test crashed or timed out).\n";

static char *read_text(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    eddy_buf b = {0};
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        eddy_buf_append(&b, chunk, n);
    fclose(f);
    char *s = strdup(eddy_buf_cstr(&b));
    eddy_buf_free(&b);
    return s;
}

/* Reads `member` (an array of records) from the JSON file `path`. */
static int read_records_file(const char *path, const char *member, eddy_json_doc **doc,
                             eddy_qtt_record **recs, size_t *n)
{
    char err[EDDY_ERRSTR_SIZE * 2];
    *recs = NULL;
    *n = 0;
    if (eddy_qtt_read_file(path, doc, err, sizeof err)) {
        fprintf(stderr, "eddy test: %s\n", err);
        return EDDY_EXIT_LOAD;
    }
    const eddy_json *arr = eddy_json_get(eddy_json_doc_root(*doc), member);
    if (!arr || arr->type != EDDY_JSON_ARRAY) {
        fprintf(stderr, "eddy test: %s: expected an object with a \"%s\" array\n", path, member);
        return EDDY_EXIT_LOAD;
    }
    *recs = calloc(arr->count + 1, sizeof **recs);
    for (const eddy_json *e = arr->child; e; e = e->next) {
        if (eddy_qtt_record_read(e, &(*recs)[*n], err, sizeof err)) {
            fprintf(stderr, "eddy test: %s: %s[%zu]: %s\n", path, member, *n, err);
            return EDDY_EXIT_LOAD;
        }
        (*n)++;
    }
    return 0;
}

static void test_udf_report(bool is_error, const char *msg, void *opaque)
{
    (void)opaque;
    if (is_error)
        fprintf(stderr, "eddy test: UDF error: %s\n", msg);
}

int eddy_cli_test(int argc, char **argv)
{
    const char *sql_file = NULL, *in_file = NULL, *out_file = NULL, *v;
    long timeout = 60;
    const char *udf_paths[64];
    size_t nudf = 0;
    for (int i = 1; i < argc; i++) {
        const char **dst = NULL;
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            fputs(usage_test, stdout);
            return EDDY_EXIT_OK;
        }
        if (eddy_cli_opt(argc, argv, &i, "-s", &v) || eddy_cli_opt(argc, argv, &i, "--sql-file", &v))
            dst = &sql_file;
        else if (eddy_cli_opt(argc, argv, &i, "-i", &v) ||
                 eddy_cli_opt(argc, argv, &i, "--input-file", &v))
            dst = &in_file;
        else if (eddy_cli_opt(argc, argv, &i, "-o", &v) ||
                 eddy_cli_opt(argc, argv, &i, "--output-file", &v))
            dst = &out_file;
        else if (eddy_cli_opt(argc, argv, &i, "--timeout", &v)) {
            char *end = NULL;
            timeout = v ? strtol(v, &end, 10) : 0;
            if (!v || *end || end == v || timeout < 1) {
                fprintf(stderr, "eddy test: option --timeout: '%s' is not a number of seconds\n"
                        "Try `eddy test --help`.\n", v ? v : "");
                return EDDY_EXIT_USAGE;
            }
            continue;
        } else if (eddy_cli_opt(argc, argv, &i, "--udf-path", &v)) {
            if (!v || nudf == sizeof udf_paths / sizeof *udf_paths) {
                fprintf(stderr, "eddy test: --udf-path needs a directory or file (at most 64)\n"
                        "Try `eddy test --help`.\n");
                return EDDY_EXIT_USAGE;
            }
            udf_paths[nudf++] = v;
            continue;
        } else {
            fprintf(stderr, "eddy test: unexpected argument '%s'\nTry `eddy test --help`.\n",
                    argv[i]);
            return EDDY_EXIT_USAGE;
        }
        if (!v) {
            fprintf(stderr, "eddy test: %s needs a file\nTry `eddy test --help`.\n", argv[i]);
            return EDDY_EXIT_USAGE;
        }
        *dst = v;
    }
    if (!sql_file || !out_file) {
        fprintf(stderr, "eddy test: %s is required\nTry `eddy test --help`.\n",
                !sql_file ? "-s STATEMENTS.sql" : "-o OUTPUT.json");
        return EDDY_EXIT_USAGE;
    }

    int rc = 0;
    if (eddy_udfs_load(udf_paths, nudf, false, test_udf_report, NULL))
        rc = EDDY_EXIT_LOAD;
    eddy_json_doc *in_doc = NULL, *out_doc = NULL;
    eddy_qtt_run run = {.name = "test", .variant = ""};
    char *sql = read_text(sql_file);
    if (!sql) {
        fprintf(stderr, "eddy test: cannot open %s\n", sql_file);
        rc = EDDY_EXIT_LOAD;
    } else if (eddy_qtt_split_statements(sql, &run.statements, &run.nstatements)) {
        fprintf(stderr, "eddy test: out of memory\n");
        rc = EDDY_EXIT_LOAD;
    }
    char *no_props[] = {NULL};
    run.props = no_props;
    if (rc == 0 && in_file)
        rc = read_records_file(in_file, "inputs", &in_doc, &run.inputs, &run.ninputs);
    if (rc == 0)
        rc = read_records_file(out_file, "outputs", &out_doc, &run.outputs, &run.noutputs);
    if (rc == 0) {
        eddy_qtt_result res;
        eddy_qtt_run_isolated(&run, (int)timeout, &res);
        if (res.status == EDDY_QTT_PASS) {
            printf("\t >>> Test passed!\n");
        } else {
            printf("\t >>>>> Test failed: %s\n", res.reason);
            rc = res.status == EDDY_QTT_SKIP || res.stage == EDDY_QTT_STAGE_STATEMENT ||
                         res.stage == EDDY_QTT_STAGE_SETUP
                     ? EDDY_EXIT_COMPILE
                     : EDDY_EXIT_RUNTIME;
        }
    }
    for (size_t i = 0; i < run.nstatements; i++)
        free(run.statements[i]);
    free(run.statements);
    free(run.inputs);
    free(run.outputs);
    eddy_json_doc_destroy(in_doc);
    eddy_json_doc_destroy(out_doc);
    free(sql);
    return rc;
}
