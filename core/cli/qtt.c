/* qtt.c: `eddy qtt`: runs ksqlDB query-validation-test files and prints one line per run
 * (the work is in sql/qtt_runner.c). */
#include "cli/qtt.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cli.h"
#include "sql/qtt_runner.h"
#include "udf_path.h"

static const char usage_qtt[] =
    "Usage: eddy qtt PATH... [--report FILE] [--filter SUBSTRING] [--timeout SECONDS] [-v]\n"
    "\n"
    "Runs ksqlDB query-validation tests (QTT JSON files; a directory means every *.json in it,\n"
    "sorted) against eddy's SQL engine. Each case runs once per `format`/`config` variant, in\n"
    "its own process with a time limit, and prints one line:\n"
    "  PASS|FAIL|SKIP FILE #INDEX NAME: REASON\n"
    "then `N passed, N failed, N skipped`. SKIP (a format eddy lacks) is not a pass.\n"
    "\n"
    "Options:\n"
    "  --report FILE       also write one JSON line per run:\n"
    "                      {file, index, name, variant, status, reason}, plus post and\n"
    "                      post_reason when the case's post.sources were compared with\n"
    "                      the catalog (a bonus check: it never changes the status)\n"
    "  --filter SUBSTRING  only runs whose `FILE #INDEX NAME` contains SUBSTRING\n"
    "  --timeout SECONDS   per run (default 10); a hung run fails, the others go on\n"
    "  --udf-path PATH     also load Lua UDFs from PATH, a directory (*.lua) or a file\n"
    "                      (repeatable; after the shipped UDFs and EDDY_UDF_PATH; loaded\n"
    "                      once, before the runs)\n"
    "  -v, --verbose       per-file summary on stderr at the end (with post.sources\n"
    "                      matches / checks)\n"
    "\n"
    "Exit codes: 0 every case ran (whatever the results), 1 usage error, 3 a path or file\n"
    "could not be read.\n";

typedef struct file_entry {
    char *path;    /* to open */
    char *display; /* as printed: DIR-BASENAME/FILE, or the path given */
} file_entry;

typedef struct file_list {
    file_entry *v;
    size_t n, cap;
} file_list;

static void list_add(file_list *l, const char *path, const char *display)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? 2 * l->cap : 16;
        l->v = realloc(l->v, l->cap * sizeof *l->v);
    }
    l->v[l->n].path = strdup(path);
    l->v[l->n].display = strdup(display);
    l->n++;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int add_path(file_list *l, const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        fprintf(stderr, "eddy qtt: cannot read %s: %s\n", path, strerror(errno));
        return -1;
    }
    if (!S_ISDIR(st.st_mode)) {
        list_add(l, path, path);
        return 0;
    }
    DIR *d = opendir(path);
    if (!d) {
        fprintf(stderr, "eddy qtt: cannot read %s: %s\n", path, strerror(errno));
        return -1;
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *de;
    while ((de = readdir(d))) {
        size_t len = strlen(de->d_name);
        if (de->d_name[0] == '.' || len < 6 || strcmp(de->d_name + len - 5, ".json") != 0)
            continue;
        if (n == cap) {
            cap = cap ? 2 * cap : 64;
            names = realloc(names, cap * sizeof *names);
        }
        names[n++] = strdup(de->d_name);
    }
    closedir(d);
    qsort(names, n, sizeof *names, cmp_str);
    /* display as BASENAME/FILE: "query-validation/joins.json" wherever the tree lives */
    size_t plen = strlen(path);
    while (plen > 1 && path[plen - 1] == '/')
        plen--;
    size_t b = plen;
    while (b > 0 && path[b - 1] != '/')
        b--;
    for (size_t i = 0; i < n; i++) {
        char full[4096], disp[4096];
        snprintf(full, sizeof full, "%.*s/%s", (int)plen, path, names[i]);
        snprintf(disp, sizeof disp, "%.*s/%s", (int)(plen - b), path + b, names[i]);
        list_add(l, full, disp);
        free(names[i]);
    }
    free(names);
    return 0;
}

static void report_line(FILE *f, const char *file, size_t index, const eddy_qtt_run *r,
                        const eddy_qtt_result *res)
{
    eddy_buf b = {0};
    eddy_buf_puts(&b, "{\"file\":");
    eddy_json_write_string(&b, file, strlen(file));
    eddy_buf_printf(&b, ",\"index\":%zu,\"name\":", index);
    eddy_json_write_string(&b, r->name, strlen(r->name));
    eddy_buf_puts(&b, ",\"variant\":");
    eddy_json_write_string(&b, r->variant, strlen(r->variant));
    eddy_buf_printf(&b, ",\"status\":\"%s\",\"reason\":", eddy_qtt_status_name(res->status));
    eddy_json_write_string(&b, res->reason, strlen(res->reason));
    if (res->post != EDDY_QTT_POST_NONE) {
        eddy_buf_printf(&b, ",\"post\":\"%s\"",
                        res->post == EDDY_QTT_POST_OK ? "ok" : "differs");
        if (res->post_reason[0]) {
            eddy_buf_puts(&b, ",\"post_reason\":");
            eddy_json_write_string(&b, res->post_reason, strlen(res->post_reason));
        }
    }
    eddy_buf_puts(&b, "}\n");
    fwrite(b.data, 1, b.len, f);
    eddy_buf_free(&b);
}

static void print_line(const char *file, size_t index, const char *name,
                       const eddy_qtt_result *res)
{
    /* one line per run: newlines in reasons would break that */
    printf("%s %s #%zu %s:", eddy_qtt_status_name(res->status), file, index, name);
    if (res->reason[0]) {
        putchar(' ');
        for (const char *p = res->reason; *p; p++)
            putchar(*p == '\n' || *p == '\r' ? ' ' : *p);
    }
    putchar('\n');
    fflush(stdout);
}

typedef struct counts {
    size_t pass, fail, skip;
    size_t post_ok, post_checked; /* post.sources: the bonus check */
} counts;

static void count_post(counts *c, eddy_qtt_post p)
{
    if (p != EDDY_QTT_POST_NONE)
        c->post_checked++;
    if (p == EDDY_QTT_POST_OK)
        c->post_ok++;
}

static void count(counts *c, eddy_qtt_status s)
{
    if (s == EDDY_QTT_PASS)
        c->pass++;
    else if (s == EDDY_QTT_SKIP)
        c->skip++;
    else
        c->fail++;
}

static void qtt_udf_report(bool is_error, const char *msg, void *opaque)
{
    (void)opaque;
    if (is_error)
        fprintf(stderr, "eddy qtt: UDF error: %s\n", msg);
}

int eddy_cli_qtt(int argc, char **argv)
{
    const char *report = NULL, *filter = NULL, *v;
    long timeout = 10;
    bool verbose = false;
    file_list files = {0};
    int rc = 0;
    const char **paths = calloc((size_t)argc + 1, sizeof *paths);
    const char **udf_paths = calloc((size_t)argc + 1, sizeof *udf_paths);
    size_t npaths = 0, nudf = 0;
    for (int i = 1; i < argc && rc == 0; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            fputs(usage_qtt, stdout);
            free(paths);
            free(udf_paths);
            return EDDY_EXIT_OK;
        } else if (eddy_cli_opt(argc, argv, &i, "--report", &v)) {
            if (!v) {
                fprintf(stderr, "eddy qtt: --report needs a file\n");
                rc = EDDY_EXIT_USAGE;
            }
            report = v;
        } else if (eddy_cli_opt(argc, argv, &i, "--filter", &v)) {
            if (!v) {
                fprintf(stderr, "eddy qtt: --filter needs a substring\n");
                rc = EDDY_EXIT_USAGE;
            }
            filter = v;
        } else if (eddy_cli_opt(argc, argv, &i, "--udf-path", &v)) {
            if (!v) {
                fprintf(stderr, "eddy qtt: --udf-path needs a directory or file\n");
                rc = EDDY_EXIT_USAGE;
            }
            udf_paths[nudf++] = v;
        } else if (eddy_cli_opt(argc, argv, &i, "--timeout", &v)) {
            char *end = NULL;
            timeout = v ? strtol(v, &end, 10) : 0;
            if (!v || *end || end == v || timeout < 1 || timeout > 86400) {
                fprintf(stderr, "eddy qtt: option --timeout: '%s' is not a number of seconds "
                        "(1 to 86400)\n", v ? v : "");
                rc = EDDY_EXIT_USAGE;
            }
        } else if (strcmp(argv[i], "-v") == 0 || strcmp(argv[i], "--verbose") == 0) {
            verbose = true;
        } else if (argv[i][0] == '-' && argv[i][1]) {
            fprintf(stderr, "eddy qtt: unknown option '%s'\n", argv[i]);
            rc = EDDY_EXIT_USAGE;
        } else {
            paths[npaths++] = argv[i];
        }
    }
    if (rc == 0 && npaths == 0) {
        fprintf(stderr, "eddy qtt: missing PATH (a QTT file or directory)\n");
        rc = EDDY_EXIT_USAGE;
    }
    if (rc) {
        fprintf(stderr, "Try `eddy qtt --help`.\n");
        free(paths);
        free(udf_paths);
        return rc;
    }
    /* Once, before the runs fork: every run inherits the loaded functions. */
    if (eddy_udfs_load(udf_paths, nudf, false, qtt_udf_report, NULL))
        rc = EDDY_EXIT_LOAD;
    free(udf_paths);
    for (size_t i = 0; i < npaths; i++)
        if (add_path(&files, paths[i]))
            rc = EDDY_EXIT_LOAD;
    free(paths);
    FILE *rep = NULL;
    if (rc == 0 && report && !(rep = fopen(report, "w"))) {
        fprintf(stderr, "eddy qtt: cannot write %s: %s\n", report, strerror(errno));
        rc = EDDY_EXIT_LOAD;
    }
    bool load_failed = false; /* a file is unreadable: the others still run, exit 3 */
    counts total = {0};
    counts *per_file = calloc(files.n + 1, sizeof *per_file);
    for (size_t fi = 0; fi < files.n && rc == 0; fi++) {
        const file_entry *fe = &files.v[fi];
        char err[EDDY_ERRSTR_SIZE * 2];
        eddy_json_doc *doc;
        if (eddy_qtt_read_file(fe->path, &doc, err, sizeof err)) {
            fprintf(stderr, "eddy qtt: %s\n", err);
            load_failed = true;
            continue;
        }
        const eddy_json *tests = eddy_json_get(eddy_json_doc_root(doc), "tests");
        if (!tests || tests->type != EDDY_JSON_ARRAY) {
            fprintf(stderr, "eddy qtt: %s: no \"tests\" array\n", fe->path);
            eddy_json_doc_destroy(doc);
            load_failed = true;
            continue;
        }
        size_t index = 0;
        for (const eddy_json *c = tests->child; c; c = c->next, index++) {
            eddy_qtt_run *runs;
            size_t nruns;
            if (eddy_qtt_expand(c, &runs, &nruns, err, sizeof err)) {
                const char *name = eddy_json_string(eddy_json_get(c, "name"));
                eddy_qtt_run fake = {.name = (char *)(name ? name : "?"), .variant = ""};
                eddy_qtt_result res = {.status = EDDY_QTT_FAIL};
                snprintf(res.reason, sizeof res.reason, "malformed case: %s", err);
                char id[4096];
                snprintf(id, sizeof id, "%s #%zu %s", fe->display, index, fake.name);
                if (filter && !strstr(id, filter))
                    continue;
                print_line(fe->display, index, fake.name, &res);
                if (rep)
                    report_line(rep, fe->display, index, &fake, &res);
                count(&total, res.status);
                count(&per_file[fi], res.status);
                continue;
            }
            for (size_t k = 0; k < nruns; k++) {
                char id[4096];
                snprintf(id, sizeof id, "%s #%zu %s", fe->display, index, runs[k].name);
                if (filter && !strstr(id, filter))
                    continue;
                eddy_qtt_result res;
                eddy_qtt_run_isolated(&runs[k], (int)timeout, &res);
                print_line(fe->display, index, runs[k].name, &res);
                if (rep)
                    report_line(rep, fe->display, index, &runs[k], &res);
                count(&total, res.status);
                count(&per_file[fi], res.status);
                count_post(&total, res.post);
                count_post(&per_file[fi], res.post);
            }
            eddy_qtt_runs_free(runs, nruns);
        }
        eddy_json_doc_destroy(doc);
    }
    if (rc == 0)
        printf("%zu passed, %zu failed, %zu skipped\n", total.pass, total.fail, total.skip);
    if (verbose && rc == 0) {
        /* post: runs whose catalog matched post.sources / runs where it was checked */
        fprintf(stderr, "%-48s %7s %7s %7s %11s\n", "file", "passed", "failed", "skipped",
                "post.sources");
        for (size_t fi = 0; fi < files.n; fi++)
            fprintf(stderr, "%-48s %7zu %7zu %7zu %5zu/%-5zu\n", files.v[fi].display,
                    per_file[fi].pass, per_file[fi].fail, per_file[fi].skip, per_file[fi].post_ok,
                    per_file[fi].post_checked);
        fprintf(stderr, "%-48s %7zu %7zu %7zu %5zu/%-5zu\n", "total", total.pass, total.fail,
                total.skip, total.post_ok, total.post_checked);
    }
    if (rc == 0 && load_failed)
        rc = EDDY_EXIT_LOAD;
    if (rep && fclose(rep) != 0) {
        fprintf(stderr, "eddy qtt: cannot write %s\n", report);
        rc = EDDY_EXIT_LOAD;
    }
    for (size_t i = 0; i < files.n; i++) {
        free(files.v[i].path);
        free(files.v[i].display);
    }
    free(files.v);
    free(per_file);
    return rc;
}
