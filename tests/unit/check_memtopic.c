/* check_memtopic.c: in-memory topics, and the step mode that drives pipelines over them:
 * topic_source -> filter -> topic_sink, advanced one step at a time as the SQL test driver
 * does. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "graph/graph.h"
#include "io/memtopic.h"
#include "runtime/loader.h"
#include "runtime/pipeline.h"
#include "testutil.h"

static eddy_topic_record rec(const char *key, const char *value, int64_t ts)
{
    eddy_topic_record r = {0};
    r.key = (const uint8_t *)key;
    r.key_len = key ? (uint32_t)strlen(key) : 0;
    r.value = (const uint8_t *)value;
    r.value_len = value ? (uint32_t)strlen(value) : 0;
    r.timestamp = ts;
    return r;
}

START_TEST(topics_append_and_read)
{
    eddy_topics *t = eddy_topics_new();
    ck_assert_int_eq(eddy_topics_size(t, "a"), -1);
    ck_assert_int_eq(eddy_topics_create(t, "a"), 0);
    ck_assert_int_eq(eddy_topics_size(t, "a"), 0);
    char key[32], value[32];
    const eddy_topic_record *first = NULL;
    for (int i = 0; i < 1000; i++) {
        snprintf(key, sizeof key, "k%d", i);
        snprintf(value, sizeof value, "v%d", i);
        eddy_topic_record r = rec(key, i % 10 ? value : NULL, 100 + i);
        eddy_header h = {"h", 1, 2, (const uint8_t *)"xy"};
        r.headers = &h;
        r.nheaders = 1;
        int64_t off;
        ck_assert_int_eq(eddy_topics_append(t, "a", &r, &off), 0);
        ck_assert_int_eq(off, i);
        if (i == 0)
            first = eddy_topics_get(t, "a", 0);
    }
    /* The bytes were copied, and a record's address survives later appends. */
    ck_assert_ptr_eq(first, eddy_topics_get(t, "a", 0));
    ck_assert_int_eq(eddy_topics_size(t, "a"), 1000);
    const eddy_topic_record *r = eddy_topics_get(t, "a", 17);
    ck_assert_int_eq(r->key_len, 3);
    ck_assert(memcmp(r->key, "k17", 3) == 0);
    ck_assert(memcmp(r->value, "v17", 3) == 0);
    ck_assert_int_eq(r->timestamp, 117);
    ck_assert_int_eq(r->nheaders, 1);
    ck_assert(memcmp(r->headers[0].value, "xy", 2) == 0);
    ck_assert_ptr_null(eddy_topics_get(t, "a", 20)->value); /* a tombstone stays null */
    ck_assert_ptr_null(eddy_topics_get(t, "a", 1000));
    ck_assert_ptr_null(eddy_topics_get(t, "nope", 0));
    eddy_topics_destroy(t);
    eddy_topics_destroy(NULL);
}
END_TEST

static const char *const pipeline =
    "{\"nodes\":["
    "{\"id\":\"in\",\"op\":\"topic_source\",\"config\":{\"topic\":\"ratings\","
    "\"columns\":\"K STRING KEY, STARS INT, MSG STRING\"}},"
    "{\"id\":\"poor\",\"op\":\"filter\",\"inputs\":[\"in\"],\"config\":{\"where\":\"STARS < 3\"}},"
    "{\"id\":\"out\",\"op\":\"topic_sink\",\"inputs\":[\"poor\"],\"config\":{\"topic\":\"POOR\"}}]}";

static eddy_loader *loader(void)
{
    eddy_loader *l = eddy_loader_new();
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/plugins", EDDY_BUILD_DIR);
    ck_assert_int_ge(eddy_loader_load_dir(l, dir), 10);
    return l;
}

static void expect(eddy_topics *t, int64_t off, const char *key, const char *value, int64_t ts)
{
    const eddy_topic_record *r = eddy_topics_get(t, "POOR", off);
    ck_assert_msg(r != NULL, "no record %lld in POOR", (long long)off);
    ck_assert_int_eq(r->key_len, strlen(key));
    ck_assert(memcmp(r->key, key, r->key_len) == 0);
    ck_assert_msg(r->value_len == strlen(value) && memcmp(r->value, value, r->value_len) == 0,
                  "value '%.*s', want '%s'", (int)r->value_len, (const char *)r->value, value);
    ck_assert_int_eq(r->timestamp, ts);
}

START_TEST(step_mode_over_topics)
{
    eddy_loader *l = loader();
    eddy_topics *t = eddy_topics_new();
    eddy_graph *g;
    eddy_pipeline *p;
    char err[1024] = "", log[512];
    snprintf(log, sizeof log, "%s/steps.log", eddy_test_tmpdir());
    ck_assert_msg(eddy_graph_load_string(pipeline, "p.json", NULL, &g, err, sizeof err) == 0,
                  "%s", err);
    eddy_run_opts o = {.quiet = true, .topics = t, .processing_log = log};
    ck_assert_msg(eddy_pipeline_new(g, l, &o, &p, err, sizeof err) == 0, "%s", err);
    ck_assert_msg(eddy_pipeline_start(p, err, sizeof err) == 0, "%s", err);
    ck_assert_int_eq(eddy_pipeline_step(p, err, sizeof err), 0); /* nothing yet */

    /* KAFKA keys are the string's bytes; JSON values match columns case-insensitively. */
    eddy_topic_record r = rec("a", "{\"stars\": 1, \"msg\": \"meh\"}", 1000);
    ck_assert_int_eq(eddy_topics_append(t, "ratings", &r, NULL), 0);
    r = rec("b", "{\"STARS\": 5, \"MSG\": \"great\"}", 2000);
    ck_assert_int_eq(eddy_topics_append(t, "ratings", &r, NULL), 0);
    ck_assert_int_eq(eddy_pipeline_step(p, err, sizeof err), 2);
    ck_assert_int_eq(eddy_topics_size(t, "POOR"), 1);
    expect(t, 0, "a", "{\"STARS\":1,\"MSG\":\"meh\"}", 1000);

    /* A null value is a null row, which a WHERE drops whatever its predicate (ksqlDB's
     * null.json "stream filter with null value"); a record that does not decode goes to the
     * processing log; the next good one comes through. */
    r = rec("c", NULL, 3000);
    eddy_topics_append(t, "ratings", &r, NULL);
    r = rec("d", "{\"STARS\": \"many\"}", 4000);
    eddy_topics_append(t, "ratings", &r, NULL);
    r = rec("e", "{\"STARS\": 2}", 5000);
    eddy_topics_append(t, "ratings", &r, NULL);
    ck_assert_int_eq(eddy_pipeline_step(p, err, sizeof err), 3);
    ck_assert_int_eq(eddy_pipeline_step(p, err, sizeof err), 0);
    ck_assert_int_eq(eddy_topics_size(t, "POOR"), 2);
    expect(t, 1, "e", "{\"STARS\":2,\"MSG\":null}", 5000);
    ck_assert_int_eq(eddy_pipeline_processing_log_count(p), 1);

    ck_assert_msg(eddy_pipeline_finish(p, err, sizeof err) == 0, "%s", err);
    char *text = eddy_test_read_file(log);
    ck_assert_ptr_nonnull(text);
    ck_assert_msg(strstr(text, "\"node\":\"in\"") && strstr(text, "\"name\":\"ratings\"") &&
                      strstr(text, "\"offset\":3") && strstr(text, "STARS"),
                  "%s", text);
    free(text);
    eddy_pipeline_destroy(p);
    eddy_graph_destroy(g);
    eddy_topics_destroy(t);
    eddy_loader_destroy(l);
}
END_TEST

START_TEST(topic_source_needs_topics)
{
    eddy_loader *l = loader();
    eddy_graph *g;
    eddy_pipeline *p;
    char err[1024] = "";
    ck_assert_int_eq(eddy_graph_load_string(pipeline, "p.json", NULL, &g, err, sizeof err), 0);
    eddy_run_opts o = {.quiet = true};
    ck_assert_msg(eddy_pipeline_new(g, l, &o, &p, err, sizeof err) == 0, "%s", err);
    ck_assert_int_eq(eddy_pipeline_run(p, err, sizeof err), EDDY_ENOTFOUND);
    ck_assert_str_eq(err, "p.json: node 'in': this run has no topics: topic_source reads Kafka "
                          "(eddy run) or the in-memory topics of the SQL test driver (eddy qtt, eddy test)");
    eddy_pipeline_destroy(p);
    eddy_graph_destroy(g);
    eddy_loader_destroy(l);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("memtopic");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, topics_append_and_read);
    tcase_add_test(tc, step_mode_over_topics);
    tcase_add_test(tc, topic_source_needs_topics);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return eddy_test_run(suite());
}
