/* check_udf_path.c: the UDF loader (udf/udf_path.c): loading files and directories into the
 * default registry, failures reported with file:line without stopping the others, EDDY_UDF_PATH,
 * reloads that running expressions follow (scalar, aggregate, table), a failing version that
 * keeps the previous one, a declaration dropped then declared again, the settle rule of
 * eddy_udfs_check, new files in a watched directory, the watcher thread, reload safe points
 * (a thread keeps its version until its next batch; a pipeline batch evaluated across a reload
 * sees one version), and the listing of `eddy functions`. Each test runs in its own process
 * (the default registry is global). */
#include "testutil.h"

#include "graph/graph.h"
#include "lua_udf.h"
#include "runtime/loader.h"
#include "runtime/pipeline.h"
#include "udf_path.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static char msgs[16384];
static int nerrors, nnotices;

static void rep(bool is_error, const char *msg, void *opaque)
{
    (void)opaque;
    if (is_error)
        nerrors++;
    else
        nnotices++;
    size_t n = strlen(msgs);
    snprintf(msgs + n, sizeof msgs - n, "%s%s\n", is_error ? "E " : "N ", msg);
}

static void setup(void)
{
    msgs[0] = '\0';
    nerrors = nnotices = 0;
    unsetenv("EDDY_UDF_PATH");
}

static void teardown(void)
{
    eddy_udfs_shutdown();
}

static const char *tmp(const char *name)
{
    static char paths[8][512];
    static int k;
    char *p = paths[k++ % 8];
    snprintf(p, 512, "%s/%s", eddy_test_tmpdir(), name);
    return p;
}

/* Writes `text` and moves the modification time on, so a check sees the change even when
 * the size is the same and the clock's granularity is coarse. */
static void write_udf(const char *path, const char *text)
{
    static int tick;
    eddy_test_write_file(path, text);
    struct timespec ts[2];
    clock_gettime(CLOCK_REALTIME, &ts[0]);
    ts[0].tv_sec += ++tick;
    ts[1] = ts[0];
    ck_assert_int_eq(utimensat(AT_FDCWD, path, ts, 0), 0);
}

static const char *scalar_src(const char *name, const char *body)
{
    static char buf[1024];
    snprintf(buf, sizeof buf,
             "udf.scalar{ name = '%s', params = {'INT x'}, returns = 'INT', "
             "fn = function(x) %s end }\n", name, body);
    return buf;
}

static int call1(const eddy_func_binding *b, int x)
{
    char e[512];
    eddy_arena *a = eddy_arena_new(0);
    eddy_func_ctx ctx = {.arena = a, .errstr = e, .errstr_size = sizeof e};
    eddy_value arg = eddy_int(x), out;
    int rc = b->fn->scalar(&ctx, b->fn, 1, &arg, &out);
    ck_assert_msg(rc == 0, "call: %d %s", rc, e);
    eddy_arena_destroy(a);
    return out.u.i32;
}

static int bind(const char *name, eddy_func_binding *b)
{
    char e[512];
    const eddy_type *t[1] = {eddy_type_int()};
    return eddy_registry_resolve(eddy_registry_default(), name, EDDY_FUNC_SCALAR, 1, t, b, e,
                                 sizeof e);
}

START_TEST(test_load_and_errors)
{
    mkdir(tmp("d"), 0700);
    eddy_test_write_file(tmp("d/a.lua"), scalar_src("fa", "return x + 1"));
    eddy_test_write_file(tmp("d/b.lua"), "udf.scalar{ name = 'fb', params = {},\n"
                                         "  returns = 'INT' fn = nil }\n");
    eddy_test_write_file(tmp("d/c.lua"), scalar_src("fc", "return x + 3"));
    eddy_test_write_file(tmp("d/notes.txt"), "not lua");
    eddy_test_write_file(tmp("e.lua"), scalar_src("abs", "return x"));
    const char *paths[] = {tmp("d"), tmp("e.lua"), tmp("missing.lua")};
    ck_assert_int_eq(eddy_udfs_load(paths, 3, true, rep, NULL), 3);
    ck_assert_int_eq(nerrors, 3);
    /* a syntax error with file:line; a clash with a built-in with file:line; a missing path */
    char want[1024];
    snprintf(want, sizeof want, "E %s:2: '}' expected", tmp("d/b.lua"));
    ck_assert_msg(strstr(msgs, want), "%s", msgs);
    snprintf(want, sizeof want, "E %s:1: function 'abs' already has an overload", tmp("e.lua"));
    ck_assert_msg(strstr(msgs, want), "%s", msgs);
    snprintf(want, sizeof want, "E %s: No such file or directory", tmp("missing.lua"));
    ck_assert_msg(strstr(msgs, want), "%s", msgs);
    /* the others loaded */
    eddy_func_binding b;
    ck_assert_int_eq(bind("FA", &b), 0);
    ck_assert_int_eq(call1(&b, 1), 2);
    ck_assert_int_eq(bind("fc", &b), 0);
    ck_assert_int_eq(call1(&b, 1), 4);
    ck_assert_str_eq(b.fn->source, tmp("d/c.lua"));
    /* the same paths again: nothing new, and an unchanged failing file is not tried again */
    nerrors = 0;
    ck_assert_int_eq(eddy_udfs_load(paths, 2, true, rep, NULL), 0);
    ck_assert_int_eq(eddy_udfs_check(rep, NULL), 0);
    ck_assert_int_eq(nerrors, 0);
}
END_TEST

START_TEST(test_env_and_shipped)
{
    eddy_test_write_file(tmp("x.lua"), scalar_src("fx", "return 7"));
    char env[1200];
    snprintf(env, sizeof env, "%s:%s", tmp("nothere"), tmp("x.lua"));
    setenv("EDDY_UDF_PATH", env, 1);
    ck_assert_int_eq(eddy_udfs_load(NULL, 0, false, rep, NULL), 1);
    ck_assert_msg(strstr(msgs, "nothere: No such file or directory"), "%s", msgs);
    eddy_func_binding b;
    ck_assert_int_eq(bind("FX", &b), 0);
    ck_assert_int_eq(call1(&b, 0), 7);
    /* the shipped directory exists for the build tree's eddy only; the call is still safe */
    ck_assert_ptr_nonnull(eddy_udfs_shipped_dir());
}
END_TEST

START_TEST(test_reload_follows)
{
    const char *p = tmp("r.lua");
    write_udf(p, scalar_src("ver", "return 1"));
    const char *paths[] = {p};
    ck_assert_int_eq(eddy_udfs_load(paths, 1, true, rep, NULL), 0);
    eddy_func_binding b;
    ck_assert_int_eq(bind("VER", &b), 0); /* bound once, like a running pipeline's expression */
    ck_assert_int_eq(call1(&b, 0), 1);

    write_udf(p, scalar_src("ver", "return 2"));
    /* the first check notes the change, the second (unchanged since) loads it */
    ck_assert_int_eq(eddy_udfs_check(rep, NULL), 0);
    ck_assert_int_eq(call1(&b, 0), 1);
    ck_assert_int_eq(eddy_udfs_check(rep, NULL), 1);
    ck_assert_int_eq(call1(&b, 0), 2);
    ck_assert_msg(strstr(msgs, "N reloaded "), "%s", msgs);

    /* failing versions: reported once each, version 2 stays */
    const char *bad[] = {"udf.scalar{ name = 'ver'", "error('boom')",
                         "udf.scalar{ name = 'ver', params = {'INT x'}, returns = 'INT', "
                         "fn = function(x) return 1 end }\n"
                         "udf.scalar{ name = 'abs', params = {'INT x'}, returns = 'INT', "
                         "fn = function(x) return 1 end }\n"};
    for (int i = 0; i < 3; i++) {
        nerrors = 0;
        write_udf(p, bad[i]);
        ck_assert_int_eq(eddy_udfs_check(rep, NULL), 0);
        ck_assert_int_eq(eddy_udfs_check(rep, NULL), -1);
        ck_assert_int_eq(eddy_udfs_check(rep, NULL), 0); /* once */
        ck_assert_int_eq(nerrors, 1);
        ck_assert_int_eq(call1(&b, 0), 2);
        ck_assert_int_eq(bind("VER", &b), 0);
        ck_assert_int_eq(call1(&b, 0), 2);
    }
    ck_assert_msg(strstr(msgs, "(the previous version stays loaded)"), "%s", msgs);

    /* a version without the function: the bound expression keeps the last one, the registry
     * no longer has it; declared again, the bound expression follows again */
    write_udf(p, scalar_src("other", "return 9"));
    eddy_udfs_check(rep, NULL);
    ck_assert_int_eq(eddy_udfs_check(rep, NULL), 1);
    eddy_func_binding b2;
    ck_assert_int_eq(bind("VER", &b2), EDDY_ENOTFOUND);
    ck_assert_int_eq(call1(&b, 0), 2);
    write_udf(p, scalar_src("ver", "return 3"));
    eddy_udfs_check(rep, NULL);
    ck_assert_int_eq(eddy_udfs_check(rep, NULL), 1);
    ck_assert_int_eq(call1(&b, 0), 3);

    /* a deleted file keeps its functions */
    unlink(p);
    ck_assert_int_eq(eddy_udfs_check(rep, NULL), 0);
    ck_assert_int_eq(call1(&b, 0), 3);
}
END_TEST

START_TEST(test_new_file_in_dir)
{
    mkdir(tmp("w"), 0700);
    const char *paths[] = {tmp("w")};
    ck_assert_int_eq(eddy_udfs_load(paths, 1, true, rep, NULL), 0);
    eddy_func_binding b;
    ck_assert_int_eq(bind("LATE", &b), EDDY_ENOTFOUND);
    write_udf(tmp("w/late.lua"), scalar_src("late", "return x * 2"));
    ck_assert_int_eq(eddy_udfs_check(rep, NULL), 0);
    ck_assert_int_eq(eddy_udfs_check(rep, NULL), 1);
    ck_assert_int_eq(bind("LATE", &b), 0);
    ck_assert_int_eq(call1(&b, 21), 42);
}
END_TEST

START_TEST(test_aggregate_table_forwarding)
{
    const char *p = tmp("agg.lua");
    const char *v1 =
        "udf.aggregate{ name = 'cnt', params = {'INT'}, returns = 'BIGINT', state = 'BIGINT',\n"
        "  init = function() return 0 end, add = function(a, x) return a + %d end,\n"
        "  undo = function(a, x) return a - 1 end, result = function(a) return a end }\n"
        "udf.table{ name = 'rep', params = {'INT'}, returns = 'INT',\n"
        "  fn = function(x) local r = {} for i = 1, %d do r[i] = x end return r end }\n";
    char text[1024];
    snprintf(text, sizeof text, v1, 1, 2);
    write_udf(p, text);
    const char *paths[] = {p};
    ck_assert_int_eq(eddy_udfs_load(paths, 1, true, rep, NULL), 0);
    char e[512];
    const eddy_type *t[1] = {eddy_type_int()};
    eddy_func_binding ab, tb;
    ck_assert_int_eq(eddy_registry_resolve(eddy_registry_default(), "CNT", EDDY_FUNC_AGGREGATE,
                                           1, t, &ab, e, sizeof e), 0);
    ck_assert_int_eq(eddy_registry_resolve(eddy_registry_default(), "REP", EDDY_FUNC_TABLE, 1, t,
                                           &tb, e, sizeof e), 0);
    ck_assert_ptr_nonnull(ab.fn->aggregate.undo);
    ck_assert_ptr_null(ab.fn->aggregate.merge);
    for (int round = 0; round < 2; round++) {
        eddy_arena *a = eddy_arena_new(0);
        eddy_func_ctx ctx = {.arena = a, .errstr = e, .errstr_size = sizeof e};
        eddy_value acc, x = eddy_int(5), out;
        ck_assert_int_eq(ab.fn->aggregate.init(&ctx, ab.fn, &acc), 0);
        ck_assert_int_eq(ab.fn->aggregate.add(&ctx, ab.fn, &acc, 1, &x), 0);
        ck_assert_int_eq(ab.fn->aggregate.add(&ctx, ab.fn, &acc, 1, &x), 0);
        ck_assert_int_eq(ab.fn->aggregate.undo(&ctx, ab.fn, &acc, 1, &x), 0);
        ck_assert_int_eq(ab.fn->aggregate.result(&ctx, ab.fn, &acc, &out), 0);
        ck_assert_int_eq(out.u.i64, round == 0 ? 1 : 19);
        eddy_value *rows;
        uint32_t n;
        ck_assert_int_eq(tb.fn->table(&ctx, tb.fn, 1, &x, &rows, &n), 0);
        ck_assert_uint_eq(n, round == 0 ? 2 : 3);
        eddy_arena_destroy(a);
        snprintf(text, sizeof text, v1, 10, 3);
        write_udf(p, text);
        eddy_udfs_check(rep, NULL);
        ck_assert_int_eq(eddy_udfs_check(rep, NULL), 1);
    }
}
END_TEST

START_TEST(test_watch_thread)
{
    const char *p = tmp("wt.lua");
    write_udf(p, scalar_src("wt", "return 1"));
    const char *paths[] = {p};
    ck_assert_int_eq(eddy_udfs_load(paths, 1, true, rep, NULL), 0);
    eddy_func_binding b;
    ck_assert_int_eq(bind("WT", &b), 0);
    ck_assert_int_eq(eddy_udfs_watch_start(5, NULL, NULL), EDDY_EINVAL);
    ck_assert_int_eq(eddy_udfs_watch_start(10, NULL, NULL), 0);
    write_udf(p, scalar_src("wt", "return 2"));
    int v = 1;
    for (int i = 0; i < 500 && v == 1; i++) {
        usleep(10000);
        v = call1(&b, 0);
    }
    ck_assert_int_eq(v, 2);
    eddy_udfs_watch_stop();
    eddy_udfs_watch_stop(); /* no-op */
}
END_TEST

static void *call_thread(void *arg)
{
    const eddy_func_binding *b = arg;
    intptr_t v = call1(b, 0);
    eddy_lua_thread_cleanup();
    return (void *)v;
}

static int call_elsewhere(const eddy_func_binding *b)
{
    pthread_t th;
    void *v;
    ck_assert_int_eq(pthread_create(&th, NULL, call_thread, (void *)b), 0);
    ck_assert_int_eq(pthread_join(th, &v), 0);
    return (int)(intptr_t)v;
}

/* A thread at a safe point keeps the version it adopted until its next safe point; a thread
 * that never called one follows every reload at once; leaving goes back to following. */
START_TEST(test_safepoint)
{
    const char *p = tmp("sp.lua");
    write_udf(p, scalar_src("sp", "return 1"));
    const char *paths[] = {p};
    ck_assert_int_eq(eddy_udfs_load(paths, 1, true, rep, NULL), 0);
    eddy_func_binding b;
    ck_assert_int_eq(bind("SP", &b), 0);
    uint64_t g0 = eddy_func_generation_published();
    eddy_func_safepoint();
    ck_assert_uint_eq(eddy_func_generation(), g0);
    ck_assert_int_eq(call1(&b, 0), 1);

    write_udf(p, scalar_src("sp", "return 2"));
    eddy_udfs_check(rep, NULL);
    ck_assert_int_eq(eddy_udfs_check(rep, NULL), 1);
    ck_assert_uint_eq(eddy_func_generation_published(), g0 + 1);
    ck_assert_uint_eq(eddy_func_generation(), g0);
    ck_assert_int_eq(call1(&b, 0), 1);        /* the batch goes on with version 1 */
    ck_assert_int_eq(call_elsewhere(&b), 2);  /* no safe point there: the newest */
    write_udf(p, scalar_src("sp", "return 3"));
    eddy_udfs_check(rep, NULL);
    ck_assert_int_eq(eddy_udfs_check(rep, NULL), 1);
    ck_assert_int_eq(call1(&b, 0), 1);
    ck_assert_int_eq(call_elsewhere(&b), 3);
    eddy_func_safepoint();                    /* the next batch: version 3, not 2 */
    ck_assert_uint_eq(eddy_func_generation(), g0 + 2);
    ck_assert_int_eq(call1(&b, 0), 3);

    /* a failing version publishes nothing */
    write_udf(p, "error('no')");
    eddy_udfs_check(rep, NULL);
    ck_assert_int_eq(eddy_udfs_check(rep, NULL), -1);
    ck_assert_uint_eq(eddy_func_generation_published(), g0 + 2);
    eddy_func_safepoint();
    ck_assert_int_eq(call1(&b, 0), 3);

    write_udf(p, scalar_src("sp", "return 4"));
    eddy_udfs_check(rep, NULL);
    ck_assert_int_eq(eddy_udfs_check(rep, NULL), 1);
    ck_assert_int_eq(call1(&b, 0), 3);
    eddy_func_safepoint_leave();
    ck_assert_int_eq(call1(&b, 0), 4);
}
END_TEST

/* RELOAD_AT(ID): when ID is 2, rewrites the UDF file to version 2 and has another thread
 * (the watcher's part) load it, while the pipeline's batch is half-way through. */
static const char *g_reload_path;
static int g_reloads;

static void *reload_thread(void *arg)
{
    (void)arg;
    eddy_udfs_check(rep, NULL);
    g_reloads += eddy_udfs_check(rep, NULL);
    eddy_lua_thread_cleanup();
    return NULL;
}

static int reload_at(eddy_func_ctx *ctx, const eddy_function *f, int argc,
                     const eddy_value *argv, eddy_value *out)
{
    (void)ctx, (void)f, (void)argc;
    if (argv[0].u.i64 == 2) {
        write_udf(g_reload_path, "udf.scalar{ name = 'ver', params = {'BIGINT x'}, "
                                 "returns = 'BIGINT', fn = function(x) return 20 + x end }\n");
        pthread_t th;
        pthread_create(&th, NULL, reload_thread, NULL);
        pthread_join(th, NULL);
    }
    *out = argv[0];
    return 0;
}

/* file_source (6 records, batches of 4) -> project RELOAD_AT(ID), VER(ID) -> file_sink. The
 * reload lands while record 2 of the first batch is evaluated: records 1 to 4 (the first
 * batch) use version 1 (10 + ID), records 5 and 6 (the next batch) version 2 (20 + ID). */
START_TEST(test_reload_between_batches)
{
    g_reload_path = tmp("ver.lua");
    write_udf(g_reload_path, "udf.scalar{ name = 'ver', params = {'BIGINT x'}, "
                             "returns = 'BIGINT', fn = function(x) return 10 + x end }\n");
    const char *paths[] = {g_reload_path};
    ck_assert_int_eq(eddy_udfs_load(paths, 1, true, rep, NULL), 0);
    eddy_function fn = {.name = "RELOAD_AT", .kind = EDDY_FUNC_SCALAR,
                        .signature = "(BIGINT) -> BIGINT", .source = "check_udf_path",
                        .scalar = reload_at};
    char err[1024] = "";
    ck_assert_int_eq(eddy_registry_add(eddy_registry_default(), &fn, false, err, sizeof err), 0);
    eddy_test_write_file(tmp("in.json"), "{\"ID\":1}\n{\"ID\":2}\n{\"ID\":3}\n"
                                         "{\"ID\":4}\n{\"ID\":5}\n{\"ID\":6}\n");
    char text[2048];
    snprintf(text, sizeof text,
             "{\"settings\": {\"batch_size\": 4},\n"
             " \"nodes\": [\n"
             "  {\"id\": \"src\", \"op\": \"file_source\",\n"
             "   \"config\": {\"path\": \"%s\", \"columns\": \"ID BIGINT\"}},\n"
             "  {\"id\": \"p\", \"op\": \"project\", \"inputs\": [\"src\"],\n"
             "   \"config\": {\"columns\": [\"RELOAD_AT(ID) AS ID\", \"VER(ID) AS V\"]}},\n"
             "  {\"id\": \"out\", \"op\": \"file_sink\", \"inputs\": [\"p\"],\n"
             "   \"config\": {\"path\": \"%s\"}}]}\n",
             tmp("in.json"), tmp("out.json"));
    eddy_loader *l = eddy_loader_new();
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/plugins", EDDY_BUILD_DIR);
    ck_assert_int_ge(eddy_loader_load_dir(l, dir), 8);
    eddy_graph *g;
    eddy_pipeline *pl;
    ck_assert_msg(eddy_graph_load_string(text, "p.json", NULL, &g, err, sizeof err) == 0, "%s",
                  err);
    eddy_run_opts o = {.quiet = true};
    ck_assert_msg(eddy_pipeline_new(g, l, &o, &pl, err, sizeof err) == 0, "%s", err);
    ck_assert_msg(eddy_pipeline_run(pl, err, sizeof err) == 0, "%s", err);
    eddy_pipeline_destroy(pl);
    eddy_graph_destroy(g);
    eddy_loader_destroy(l);
    ck_assert_int_eq(g_reloads, 1);
    char *out = eddy_test_read_file(tmp("out.json"));
    ck_assert_ptr_nonnull(out);
    ck_assert_str_eq(out, "{\"ID\":1,\"V\":11}\n{\"ID\":2,\"V\":12}\n{\"ID\":3,\"V\":13}\n"
                          "{\"ID\":4,\"V\":14}\n{\"ID\":5,\"V\":25}\n{\"ID\":6,\"V\":26}\n");
    free(out);
    /* the run left its safe point: this thread follows the newest version again */
    eddy_func_binding b;
    const eddy_type *t[1] = {eddy_type_bigint()};
    ck_assert_int_eq(eddy_registry_resolve(eddy_registry_default(), "VER", EDDY_FUNC_SCALAR, 1,
                                           t, &b, err, sizeof err), 0);
    eddy_arena *a = eddy_arena_new(0);
    eddy_func_ctx ctx = {.arena = a, .errstr = err, .errstr_size = sizeof err};
    eddy_value arg = eddy_bigint(1), v;
    ck_assert_int_eq(b.fn->scalar(&ctx, b.fn, 1, &arg, &v), 0);
    ck_assert_int_eq(v.u.i64, 21);
    eddy_arena_destroy(a);
}
END_TEST

START_TEST(test_describe)
{
    const char *p = tmp("desc.lua");
    eddy_test_write_file(p, "udf.scalar{ name = 'two', params = {'INT a'}, returns = 'INT',\n"
                            "  description = 'the first', fn = function(a) return a end }\n"
                            "udf.scalar{ name = 'two', params = {'INT a', 'STRING b'},\n"
                            "  returns = 'INT', fn = function(a, b) return a end }\n");
    const char *paths[] = {p};
    ck_assert_int_eq(eddy_udfs_load(paths, 1, true, rep, NULL), 0);
    eddy_buf out = {0};
    char e[512];
    ck_assert_int_eq(eddy_udfs_describe(NULL, &out, e, sizeof e), 0);
    const char *s = eddy_buf_cstr(&out);
    char want[1024];
    snprintf(want, sizeof want, "\nTWO                          scalar     2   %s\n", p);
    ck_assert_msg(strstr(s, want), "%s", s);
    ck_assert_ptr_nonnull(strstr(s, "\nSUBSTRING                    scalar     "));
    ck_assert_ptr_nonnull(strstr(s, "built-in\n"));
    eddy_buf_free(&out);
    ck_assert_int_eq(eddy_udfs_describe("two", &out, e, sizeof e), 0);
    s = eddy_buf_cstr(&out);
    ck_assert_msg(strstr(s, "Name        : TWO\n"), "%s", s);
    ck_assert_msg(strstr(s, "Variation   : TWO(INT a) -> INT\n"), "%s", s);
    ck_assert_msg(strstr(s, "Variation   : TWO(INT a, STRING b) -> INT\n"), "%s", s);
    ck_assert_msg(strstr(s, "Description : the first\n"), "%s", s);
    eddy_buf_free(&out);
    ck_assert_int_eq(eddy_udfs_describe("nope", &out, e, sizeof e), EDDY_ENOTFOUND);
    ck_assert_str_eq(e, "Can't find any functions with the name 'NOPE'");
    ck_assert_uint_eq(out.len, 0);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("udf_path");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_load_and_errors);
    tcase_add_test(tc, test_env_and_shipped);
    tcase_add_test(tc, test_reload_follows);
    tcase_add_test(tc, test_new_file_in_dir);
    tcase_add_test(tc, test_aggregate_table_forwarding);
    tcase_add_test(tc, test_watch_thread);
    tcase_add_test(tc, test_safepoint);
    tcase_add_test(tc, test_reload_between_batches);
    tcase_add_test(tc, test_describe);
    suite_add_tcase(s, tc);
    return eddy_test_run(s);
}
