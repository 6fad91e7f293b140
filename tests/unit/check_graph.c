/* check_graph.c: pipeline files: loading, variables, structural errors (exact messages),
 * topological order, save and reload. */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "graph/graph.h"
#include "testutil.h"

static const char *const good =
    "{\"name\": \"t\", \"vars\": {\"dir\": \"/data\"},\n"
    " \"nodes\": [\n"
    "  {\"id\": \"sink\", \"op\": \"file_sink\", \"inputs\": [\"f.low\"], \"config\": {\"path\": \"${dir}/out-${SUFFIX}\"}},\n"
    "  {\"id\": \"src\", \"op\": \"file_source\", \"config\": {\"path\": \"${dir}/in.json\", \"n\": [\"$${literal}\"]}},\n"
    "  {\"id\": \"f\", \"op\": \"split\", \"inputs\": [{\"node\": \"src\"}]}\n"
    " ]}";

START_TEST(load_good)
{
    const char *defs[] = {"SUFFIX=a", "SUFFIX=b"};
    eddy_graph_vars vars = {defs, 2};
    eddy_graph *g;
    char err[512] = "";
    ck_assert_msg(eddy_graph_load_string(good, "p.json", &vars, &g, err, sizeof err) == 0, "%s", err);
    ck_assert_str_eq(g->name, "t");
    ck_assert_int_eq(g->nnodes, 3);
    /* Topological order puts src before f before sink, whatever the file order. */
    ck_assert_str_eq(g->nodes[g->order[0]].id, "src");
    ck_assert_str_eq(g->nodes[g->order[1]].id, "f");
    ck_assert_str_eq(g->nodes[g->order[2]].id, "sink");
    const eddy_graph_node *sink = &g->nodes[0];
    ck_assert_str_eq(sink->inputs[0].node, "f");
    ck_assert_str_eq(sink->inputs[0].port, "low");
    ck_assert_int_eq(sink->inputs[0].from, 2);
    /* Later --define wins; file vars give defaults; $${ escapes. */
    ck_assert_str_eq(cJSON_GetObjectItem(sink->config, "path")->valuestring, "/data/out-b");
    const cJSON *n = cJSON_GetObjectItem(g->nodes[1].config, "n");
    ck_assert_str_eq(cJSON_GetArrayItem(n, 0)->valuestring, "${literal}");
    ck_assert_ptr_null(g->nodes[2].inputs[0].port);

    /* Save, reload: same structure. */
    eddy_buf out = {0};
    ck_assert_int_eq(eddy_graph_save(g, &out), 0);
    eddy_graph *g2;
    ck_assert_msg(eddy_graph_load_string(eddy_buf_cstr(&out), "saved.json", NULL, &g2, err,
                                         sizeof err) == 0, "%s", err);
    ck_assert_int_eq(g2->nnodes, 3);
    ck_assert_str_eq(g2->nodes[0].inputs[0].port, "low");
    ck_assert_str_eq(cJSON_GetObjectItem(g2->nodes[0].config, "path")->valuestring, "/data/out-b");
    eddy_graph_destroy(g2);
    eddy_buf_free(&out);
    eddy_graph_destroy(g);
}
END_TEST

/* Each bad pipeline with the exact message it must produce. */
static const struct {
    const char *text, *error;
} bad[] = {
    {"{\"nodes\": [", "p.json:1:12: invalid JSON in pipeline file"},
    {"{\"nodes\": [{\"id\": \"a\", \"op\": \"x\"}],\n \"nodez\": 1}",
     "p.json: unknown field 'nodez' (expected name, description, vars, settings, nodes)"},
    {"{\"nodes\": []}", "p.json: field 'nodes' is missing or empty: a pipeline needs nodes"},
    {"{\"nodes\": [{\"op\": \"x\"}]}", "p.json: nodes[0]: field 'id' is missing or not a string"},
    {"{\"nodes\": [{\"id\": \"a\"}]}", "p.json: node 'a': field 'op' is missing or not a string"},
    {"{\"nodes\": [{\"id\": \"a\", \"op\": \"x\", \"input\": [\"b\"]}]}",
     "p.json: node 'a': unknown field 'input' (expected id, op, inputs, config, description)"},
    {"{\"nodes\": [{\"id\": \"a\", \"op\": \"x\", \"inputs\": [\"ghost\"]}]}",
     "p.json: node 'a': input 'ghost' is not a node of this pipeline"},
    {"{\"nodes\": [{\"id\": \"a\", \"op\": \"x\"}, {\"id\": \"a\", \"op\": \"y\"}]}",
     "p.json: node 'a': id used twice (nodes[0] and nodes[1])"},
    {"{\"nodes\": [{\"id\": \"a b\", \"op\": \"x\"}]}",
     "p.json: node 'a b': invalid id (letters, digits, '_' and '-' only)"},
    {"{\"nodes\": [{\"id\": \"a\", \"op\": \"x\", \"inputs\": [\"b\"]}, {\"id\": \"b\", \"op\": \"x\", \"inputs\": [\"a\"]}, {\"id\": \"c\", \"op\": \"x\"}]}",
     "p.json: the graph has a cycle through nodes 'a', 'b'"},
    {"{\"nodes\": [{\"id\": \"a\", \"op\": \"x\", \"inputs\": [\"a\"]}]}",
     "p.json: node 'a': a node cannot be its own input"},
    {"{\"nodes\": [{\"id\": \"a\", \"op\": \"x\", \"config\": {\"p\": \"${NO_SUCH_VAR_EDDY}\"}}]}",
     "p.json: node 'a': config: variable 'NO_SUCH_VAR_EDDY' is not defined (use --define "
     "NO_SUCH_VAR_EDDY=VALUE, a \"vars\" entry or the environment)"},
    {"{\"nodes\": [{\"id\": \"a\", \"op\": \"x\", \"config\": {\"p\": \"${oops\"}}]}",
     "p.json: node 'a': config: unterminated '${' in \"${oops\""},
    {"{\"nodes\": [{\"id\": \"a\", \"op\": \"x\", \"config\": []}]}",
     "p.json: node 'a': field 'config' must be a JSON object"},
    {"[1]", "p.json: a pipeline file must be a JSON object"},
};

START_TEST(load_bad)
{
    eddy_graph *g = (eddy_graph *)1;
    char err[512] = "";
    int rc = eddy_graph_load_string(bad[_i].text, "p.json", NULL, &g, err, sizeof err);
    ck_assert_int_lt(rc, 0);
    ck_assert_ptr_null(g);
    ck_assert_str_eq(err, bad[_i].error);
}
END_TEST

START_TEST(load_file_errors)
{
    eddy_graph *g;
    char err[512];
    ck_assert_int_eq(eddy_graph_load_file("/nonexistent/p.json", NULL, &g, err, sizeof err),
                     EDDY_ENOTFOUND);
    ck_assert_str_eq(err, "/nonexistent/p.json: cannot open: No such file or directory");
    char path[512];
    snprintf(path, sizeof path, "%s/my-pipe.json", eddy_test_tmpdir());
    eddy_test_write_file(path, "{\"nodes\": [{\"id\": \"a\", \"op\": \"x\"}]}");
    ck_assert_int_eq(eddy_graph_load_file(path, NULL, &g, err, sizeof err), 0);
    ck_assert_str_eq(g->name, "my-pipe"); /* default name: the file's base name */
    ck_assert_str_eq(g->dir, eddy_test_tmpdir());
    eddy_graph_destroy(g);
}
END_TEST

START_TEST(build_programmatically)
{
    eddy_graph *g = eddy_graph_new("sql");
    const char *in[] = {"src"};
    ck_assert_int_eq(eddy_graph_add_node(g, "src", "file_source", NULL, NULL, 0), 0);
    ck_assert_int_eq(eddy_graph_add_node(g, "f", "filter", cJSON_Parse("{\"where\":\"A\"}"), in, 1), 1);
    char err[256];
    ck_assert_int_eq(eddy_graph_validate(g, err, sizeof err), 0);
    ck_assert_int_eq(g->order[0], 0);
    ck_assert_int_eq(eddy_graph_find(g, "f"), 1);
    ck_assert_int_eq(eddy_graph_find(g, "nope"), -1);
    eddy_graph_destroy(g);
    eddy_graph_destroy(NULL);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("graph");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, load_good);
    tcase_add_loop_test(tc, load_bad, 0, (int)(sizeof bad / sizeof bad[0]));
    tcase_add_test(tc, load_file_errors);
    tcase_add_test(tc, build_programmatically);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return eddy_test_run(suite());
}
