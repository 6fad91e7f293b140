/* check_pipeline.c: planning (every validation error, exact messages), explain, and runs:
 * fan-out, union, event-time and wall-clock timers, stop with flush. Uses the built-in
 * plugins and the fixtures seq_source and tick. */
#include <cjson/cJSON.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "graph/graph.h"
#include "runtime/loader.h"
#include "runtime/pipeline.h"
#include "testutil.h"

static eddy_loader *loader(void)
{
    static eddy_loader *l;
    if (!l) {
        l = eddy_loader_new();
        char dir[1024];
        snprintf(dir, sizeof dir, "%s/plugins", EDDY_BUILD_DIR);
        ck_assert_int_ge(eddy_loader_load_dir(l, dir), 8);
        ck_assert_int_ge(eddy_loader_load_dir(l, EDDY_FIXTURE_PLUGIN_DIR), 2);
    }
    return l;
}

/* Loads and plans `text`; returns the error code, message in err. */
static int plan(const char *text, eddy_graph **g, eddy_pipeline **p, char *err, size_t n)
{
    *p = NULL;
    int rc = eddy_graph_load_string(text, "p.json", NULL, g, err, n);
    if (rc)
        return rc;
    eddy_run_opts o = {.quiet = true};
    return eddy_pipeline_new(*g, loader(), &o, p, err, n);
}

static void run_ok(const char *text)
{
    eddy_graph *g;
    eddy_pipeline *p;
    char err[1024] = "";
    ck_assert_msg(plan(text, &g, &p, err, sizeof err) == 0, "%s", err);
    ck_assert_msg(eddy_pipeline_run(p, err, sizeof err) == 0, "%s", err);
    eddy_pipeline_destroy(p);
    eddy_graph_destroy(g);
}

/* Reads a JSON-lines file into an array of the integer field `field`. */
static int read_ints(const char *path, const char *field, long long *out, int max)
{
    char *text = eddy_test_read_file(path);
    ck_assert_msg(text != NULL, "missing %s", path);
    int n = 0;
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
        cJSON *j = cJSON_Parse(line);
        ck_assert_msg(j != NULL, "bad JSON line '%s'", line);
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, field);
        ck_assert_msg(cJSON_IsNumber(v), "no %s in '%s'", field, line);
        ck_assert_int_lt(n, max);
        out[n++] = (long long)v->valuedouble;
        cJSON_Delete(j);
    }
    free(text);
    return n;
}

static char *tmp(const char *name)
{
    static char bufs[8][512];
    static int i;
    char *b = bufs[i++ % 8];
    snprintf(b, 512, "%s/%s", eddy_test_tmpdir(), name);
    return b;
}

/* ------------------------------------------------------------ plan errors */

static const struct {
    const char *nodes, *error;
    bool prefix; /* error is a prefix of the message */
} bad[] = {
    {"{\"id\":\"x\",\"op\":\"nosuch\"}",
     "p.json: node 'x': unknown operator 'nosuch' (available: ", true},
    {"{\"id\":\"x\",\"op\":\"fn_shout\"}",
     "p.json: node 'x': plugin 'fn_shout' is a library of SQL functions, not an operator", false},
    {"{\"id\":\"s\",\"op\":\"seq_source\",\"config\":{\"count\":\"ten\"}}",
     "p.json: node 's': config 'count' must be an integer", false},
    {"{\"id\":\"s\",\"op\":\"seq_source\",\"config\":{\"count\":1.5}}",
     "p.json: node 's': config 'count' must be an integer", false},
    {"{\"id\":\"s\",\"op\":\"seq_source\",\"config\":{\"cnt\":1}}",
     "p.json: node 's': unknown config key 'cnt' for operator 'seq_source' (known keys: count, "
     "start, step_ms)", false},
    {"{\"id\":\"s\",\"op\":\"seq_source\"},{\"id\":\"f\",\"op\":\"filter\",\"inputs\":[\"s\"]}",
     "p.json: node 'f': config 'where' is required by operator 'filter'", true},
    {"{\"id\":\"s\",\"op\":\"seq_source\"},{\"id\":\"o\",\"op\":\"file_sink\",\"inputs\":[\"s\"],"
     "\"config\":{\"path\":\"/dev/null\",\"format\":\"XML\"}}",
     "p.json: node 'o': config 'format' is 'XML', expected one of ", true},
    {"{\"id\":\"s\",\"op\":\"seq_source\"},{\"id\":\"t\",\"op\":\"seq_source\",\"inputs\":[\"s\"]}",
     "p.json: node 't': operator 'seq_source' is a source and takes no inputs", false},
    {"{\"id\":\"s\",\"op\":\"seq_source\"},{\"id\":\"u\",\"op\":\"union\",\"inputs\":[\"s\"]}",
     "p.json: node 'u': operator 'union' takes at least 2 inputs, got 1", false},
    {"{\"id\":\"s\",\"op\":\"seq_source\"},{\"id\":\"t\",\"op\":\"tick\",\"inputs\":[\"s\",\"s\"]}",
     "p.json: node 't': operator 'tick' takes 1 input, got 2", false},
    {"{\"id\":\"s\",\"op\":\"seq_source\"},{\"id\":\"t\",\"op\":\"tick\",\"inputs\":[\"s.nope\"]}",
     "p.json: node 't': input 's' has no output port 'nope' (ports: 0)", false},
    {"{\"id\":\"s\",\"op\":\"seq_source\"},{\"id\":\"o\",\"op\":\"file_sink\",\"inputs\":[\"s\"],"
     "\"config\":{\"path\":\"/dev/null\"}},{\"id\":\"t\",\"op\":\"tick\",\"inputs\":[\"o\"]}",
     "p.json: node 't': input 'o' is a sink and has no output", false},
    {"{\"id\":\"s\",\"op\":\"seq_source\"},{\"id\":\"f\",\"op\":\"filter\",\"inputs\":[\"s\"],"
     "\"config\":{\"where\":\"N + 1\"}}",
     "p.json: node 'f': ", true},
    {"{\"id\":\"s\",\"op\":\"seq_source\"},{\"id\":\"f\",\"op\":\"filter\",\"inputs\":[\"s\"],"
     "\"config\":{\"where\":\"NOPE > 1\"}}",
     "p.json: node 'f': ", true},
    {"{\"id\":\"s\",\"op\":\"seq_source\"},{\"id\":\"t\",\"op\":\"tick\",\"inputs\":[\"s\"]},"
     "{\"id\":\"u\",\"op\":\"union\",\"inputs\":[\"s\",\"t\"]}",
     "p.json: node 'u': ", true},
};

START_TEST(plan_errors)
{
    char text[2048];
    snprintf(text, sizeof text, "{\"nodes\":[%s]}", bad[_i].nodes);
    eddy_graph *g = NULL;
    eddy_pipeline *p;
    char err[1024] = "";
    ck_assert_int_lt(plan(text, &g, &p, err, sizeof err), 0);
    ck_assert_ptr_null(p);
    if (bad[_i].prefix)
        ck_assert_msg(strncmp(err, bad[_i].error, strlen(bad[_i].error)) == 0,
                      "got: %s\nwant prefix: %s", err, bad[_i].error);
    else
        ck_assert_str_eq(err, bad[_i].error);
    eddy_graph_destroy(g);
}
END_TEST

START_TEST(plan_error_details)
{
    /* The plugin's own checks reach the user with the node in front. */
    const char *cases[][2] = {
        {"{\"nodes\":[{\"id\":\"s\",\"op\":\"seq_source\"},{\"id\":\"f\",\"op\":\"filter\","
         "\"inputs\":[\"s\"],\"config\":{\"where\":\"N + 1\"}}]}", "BOOLEAN"},
        {"{\"nodes\":[{\"id\":\"s\",\"op\":\"seq_source\"},{\"id\":\"f\",\"op\":\"filter\","
         "\"inputs\":[\"s\"],\"config\":{\"where\":\"NOPE > 1\"}}]}", "NOPE"},
        {"{\"nodes\":[{\"id\":\"s\",\"op\":\"seq_source\"},{\"id\":\"t\",\"op\":\"tick\","
         "\"inputs\":[\"s\"]},{\"id\":\"u\",\"op\":\"union\",\"inputs\":[\"s\",\"t\"]}]}", "`TICK`"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        eddy_graph *g = NULL;
        eddy_pipeline *p;
        char err[1024] = "";
        ck_assert_int_lt(plan(cases[i][0], &g, &p, err, sizeof err), 0);
        ck_assert_msg(strstr(err, cases[i][1]) != NULL, "'%s' lacks '%s'", err, cases[i][1]);
        eddy_graph_destroy(g);
    }
}
END_TEST

/* ---------------------------------------------------------------- explain */

START_TEST(explain_text_and_dot)
{
    const char *text =
        "{\"name\":\"demo\",\"nodes\":["
        "{\"id\":\"out\",\"op\":\"file_sink\",\"inputs\":[\"t\"],\"config\":{\"path\":\"/dev/null\"}},"
        "{\"id\":\"s\",\"op\":\"seq_source\",\"config\":{\"count\":3}},"
        "{\"id\":\"t\",\"op\":\"tick\",\"inputs\":[\"s\"],\"config\":{\"every\":2}}]}";
    eddy_graph *g;
    eddy_pipeline *p;
    char err[1024] = "";
    ck_assert_msg(plan(text, &g, &p, err, sizeof err) == 0, "%s", err);
    eddy_buf b = {0};
    ck_assert_int_eq(eddy_explain_text(p, &b), 0);
    ck_assert_str_eq(eddy_buf_cstr(&b),
                     "Pipeline 'demo' (p.json): 3 nodes\n"
                     "\n"
                     "[source] s: seq_source\n"
                     "    count: 3\n"
                     "    out: `N` BIGINT\n"
                     "\n"
                     "[transform] t: tick <- s\n"
                     "    every: 2\n"
                     "    out: `TICK` BIGINT\n"
                     "\n"
                     "[sink] out: file_sink <- t\n"
                     "    path: \"/dev/null\"\n");
    eddy_buf_clear(&b);
    ck_assert_int_eq(eddy_explain_dot(p, &b), 0);
    ck_assert_str_eq(eddy_buf_cstr(&b),
                     "digraph \"demo\" {\n"
                     "  rankdir=LR;\n"
                     "  node [shape=box, fontname=\"Helvetica\"];\n"
                     "  \"s\" [label=\"s\\nseq_source\", shape=invhouse];\n"
                     "  \"t\" [label=\"t\\ntick\"];\n"
                     "  \"out\" [label=\"out\\nfile_sink\", shape=house];\n"
                     "  \"s\" -> \"t\";\n"
                     "  \"t\" -> \"out\";\n"
                     "}\n");
    eddy_buf_free(&b);
    ck_assert_str_eq(eddy_pipeline_plugin(p, 1)->desc.name, "seq_source");
    ck_assert_int_eq(eddy_pipeline_output_count(p, 0), 0);
    ck_assert_str_eq(eddy_pipeline_output_schema(p, 2, 0)->cols[0].name, "TICK");
    eddy_pipeline_destroy(p);
    eddy_graph_destroy(g);
}
END_TEST

/* ------------------------------------------------------------------- runs */

START_TEST(event_time_timers)
{
    char text[2048];
    /* ROWTIME 0, 1000, ... 9000: stream time passes 2500, 5000 and 7500, not 10000. */
    snprintf(text, sizeof text,
             "{\"settings\":{\"batch_size\":3},\"nodes\":["
             "{\"id\":\"s\",\"op\":\"seq_source\",\"config\":{\"count\":10,\"step_ms\":1000}},"
             "{\"id\":\"t\",\"op\":\"tick\",\"inputs\":[\"s\"],\"config\":{\"every\":2500}},"
             "{\"id\":\"o\",\"op\":\"file_sink\",\"inputs\":[\"t\"],\"config\":{\"path\":\"%s\"}}]}",
             tmp("ticks.json"));
    run_ok(text);
    long long v[16];
    int n = read_ints(tmp("ticks.json"), "TICK", v, 16);
    ck_assert_int_eq(n, 3);
    ck_assert_int_eq(v[0], 2500);
    ck_assert_int_eq(v[1], 5000);
    ck_assert_int_eq(v[2], 7500);
}
END_TEST

START_TEST(fan_out_and_union)
{
    char text[2048];
    snprintf(text, sizeof text,
             "{\"settings\":{\"batch_size\":7},\"nodes\":["
             "{\"id\":\"a\",\"op\":\"seq_source\",\"config\":{\"count\":20}},"
             "{\"id\":\"b\",\"op\":\"seq_source\",\"config\":{\"count\":30,\"start\":100}},"
             "{\"id\":\"u\",\"op\":\"union\",\"inputs\":[\"a\",\"b\"]},"
             "{\"id\":\"o1\",\"op\":\"file_sink\",\"inputs\":[\"u\"],\"config\":{\"path\":\"%s\"}},"
             "{\"id\":\"o2\",\"op\":\"file_sink\",\"inputs\":[\"a\"],\"config\":{\"path\":\"%s\"}}]}",
             tmp("union.json"), tmp("a.json"));
    run_ok(text);
    long long v[64];
    int n = read_ints(tmp("union.json"), "N", v, 64);
    ck_assert_int_eq(n, 50);
    long long sum = 0;
    for (int i = 0; i < n; i++)
        sum += v[i];
    ck_assert_int_eq(sum, 19 * 20 / 2 + 29 * 30 / 2);
    n = read_ints(tmp("a.json"), "N", v, 64);
    ck_assert_int_eq(n, 20);
    for (int i = 0; i < n; i++)
        ck_assert_int_eq(v[i], i); /* order kept within a source */
}
END_TEST

typedef struct stopper {
    eddy_pipeline *p;
    int ms;
} stopper;

static void *stop_later(void *arg)
{
    stopper *s = arg;
    usleep((useconds_t)s->ms * 1000);
    eddy_pipeline_stop(s->p);
    return NULL;
}

START_TEST(wall_clock_timers_and_stop)
{
    /* A followed, empty file never ends by itself: the wall timer ticks until stop(). */
    eddy_test_write_file(tmp("empty.json"), "");
    char text[2048];
    snprintf(text, sizeof text,
             "{\"nodes\":["
             "{\"id\":\"s\",\"op\":\"file_source\",\"config\":{\"path\":\"%s\",\"follow\":true,"
             "\"columns\":\"N BIGINT\"}},"
             "{\"id\":\"t\",\"op\":\"tick\",\"inputs\":[\"s\"],\"config\":{\"wall_ms\":40}},"
             "{\"id\":\"o\",\"op\":\"file_sink\",\"inputs\":[\"t\"],\"config\":{\"path\":\"%s\"}}]}",
             tmp("empty.json"), tmp("wall.json"));
    eddy_graph *g;
    eddy_pipeline *p;
    char err[1024] = "";
    ck_assert_msg(plan(text, &g, &p, err, sizeof err) == 0, "%s", err);
    stopper st = {p, 500};
    pthread_t th;
    pthread_create(&th, NULL, stop_later, &st);
    int64_t t0 = eddy_now_ms();
    ck_assert_msg(eddy_pipeline_run(p, err, sizeof err) == 0, "%s", err);
    int64_t took = eddy_now_ms() - t0;
    pthread_join(th, NULL);
    ck_assert_int_ge(took, 450);
    ck_assert_int_lt(took, 5000);
    long long v[256];
    int n = read_ints(tmp("wall.json"), "TICK", v, 256);
    /* 500 ms at one tick per 40 ms: about 12; allow a loaded machine its delays. */
    ck_assert_int_ge(n, 3);
    ck_assert_int_le(n, 13);
    for (int i = 0; i < n; i++)
        ck_assert_int_eq(v[i], -1);
    eddy_pipeline_destroy(p);
    eddy_graph_destroy(g);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("pipeline");
    TCase *tc = tcase_create("plan");
    tcase_add_loop_test(tc, plan_errors, 0, (int)(sizeof bad / sizeof bad[0]));
    tcase_add_test(tc, plan_error_details);
    tcase_add_test(tc, explain_text_and_dot);
    suite_add_tcase(s, tc);
    tc = tcase_create("run");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, event_time_timers);
    tcase_add_test(tc, fan_out_and_union);
    tcase_add_test(tc, wall_clock_timers_and_stop);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return eddy_test_run(suite());
}
