/* check_udf_path.c: the UDF loader (udf/udf_path.c): loading files and directories into the
 * default registry, failures reported with file:line without stopping the others, EDDY_UDF_PATH,
 * reloads that running expressions follow (scalar, aggregate, table), a failing version that
 * keeps the previous one, a declaration dropped then declared again, the settle rule of
 * eddy_udfs_check, new files in a watched directory, the watcher thread, and the listing of
 * `eddy functions`. Each test runs in its own process (the default registry is global). */
#include "testutil.h"

#include "lua_udf.h"
#include "udf_path.h"

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
    tcase_add_test(tc, test_describe);
    suite_add_tcase(s, tc);
    return eddy_test_run(s);
}
