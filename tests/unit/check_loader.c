/* check_loader.c: the plugin loader accepts good plugins and refuses each broken one with a
 * message naming the file (and both ABI versions where they differ). Fixtures are the small
 * plugins of tests/fixtures/plugins, built into EDDY_FIXTURE_PLUGIN_DIR. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "expr/expr.h"
#include "runtime/loader.h"
#include "testutil.h"

static char path[1024];

static const char *fixture(const char *name)
{
    snprintf(path, sizeof path, "%s/%s.so", EDDY_FIXTURE_PLUGIN_DIR, name);
    return path;
}

static void expect_refusal(const char *name, int code, const char *message)
{
    eddy_loader *l = eddy_loader_new();
    char err[1024] = "";
    const char *p = fixture(name);
    ck_assert_int_eq(eddy_loader_load_file(l, p, err, sizeof err), code);
    char expected[2048];
    snprintf(expected, sizeof expected, message, p);
    ck_assert_str_eq(err, expected);
    ck_assert_uint_eq(eddy_loader_count(l), 0);
    ck_assert_uint_eq(eddy_loader_rejection_count(l), 1);
    ck_assert_str_eq(eddy_loader_rejection(l, 0), expected);
    eddy_loader_destroy(l);
}

START_TEST(wrong_abi_version)
{
    expect_refusal("wrong_abi", EDDY_EABI,
                   "%s: plugin ABI version 999, but this eddy supports ABI version 1 "
                   "(rebuild the plugin against this eddy's plugin.h)");
}
END_TEST

START_TEST(short_descriptor)
{
    eddy_loader *l = eddy_loader_new();
    char err[1024] = "";
    ck_assert_int_eq(eddy_loader_load_file(l, fixture("short_size"), err, sizeof err), EDDY_EABI);
    ck_assert_msg(strstr(err, path) == err, "%s", err);
    ck_assert_msg(strstr(err, ": plugin descriptor is ") != NULL, "%s", err);
    ck_assert_msg(strstr(err, "ABI version 1 needs at least") != NULL, "%s", err);
    ck_assert_msg(strstr(err, "(plugin ABI version 1, host ABI version 1)") != NULL, "%s", err);
    eddy_loader_destroy(l);
}
END_TEST

START_TEST(missing_callback)
{
    expect_refusal("missing_process", EDDY_EINVAL,
                   "%s: plugin 'missing_process' (transform) has no 'process' callback");
}
END_TEST

START_TEST(no_entry_symbol)
{
    expect_refusal("no_entry", EDDY_EINVAL,
                   "%s: not an eddy plugin: no 'eddy_plugin_entry' function exported");
}
END_TEST

START_TEST(bad_name)
{
    expect_refusal("bad_name", EDDY_EINVAL,
                   "%s: invalid plugin name 'Bad Name!' (expected [a-z][a-z0-9_]*)");
}
END_TEST

START_TEST(not_a_shared_object)
{
    char p[512];
    snprintf(p, sizeof p, "%s/garbage.so", eddy_test_tmpdir());
    eddy_test_write_file(p, "this is not an ELF file");
    eddy_loader *l = eddy_loader_new();
    char err[1024];
    ck_assert_int_eq(eddy_loader_load_file(l, p, err, sizeof err), EDDY_EINVAL);
    char prefix[600];
    snprintf(prefix, sizeof prefix, "%s: cannot load plugin: ", p);
    ck_assert_msg(strncmp(err, prefix, strlen(prefix)) == 0, "%s", err);
    eddy_loader_destroy(l);
}
END_TEST

START_TEST(duplicate_name)
{
    eddy_loader *l = eddy_loader_new();
    char err[1024] = "", a[1024], b[1024];
    snprintf(a, sizeof a, "%s", fixture("dup_a"));
    snprintf(b, sizeof b, "%s", fixture("dup_b"));
    ck_assert_int_eq(eddy_loader_load_file(l, a, err, sizeof err), 0);
    ck_assert_int_eq(eddy_loader_load_file(l, b, err, sizeof err), EDDY_EEXIST);
    char expected[4096];
    snprintf(expected, sizeof expected, "%s: plugin name 'dup' is already taken by %s", b, a);
    ck_assert_str_eq(err, expected);
    ck_assert_str_eq(eddy_loader_rejection_for(l, "dup"), expected);
    ck_assert_ptr_nonnull(eddy_loader_find(l, "dup"));
    ck_assert_str_eq(eddy_loader_find(l, "dup")->path, a);
    eddy_loader_destroy(l);
}
END_TEST

START_TEST(good_plugin_and_directory_scan)
{
    eddy_loader *l = eddy_loader_new();
    /* The fixture directory holds one good plugin, dup_a (accepted) and refused files. */
    int n = eddy_loader_load_dir(l, EDDY_FIXTURE_PLUGIN_DIR);
    ck_assert_int_ge(n, 2);
    const eddy_loaded_plugin *p = eddy_loader_find(l, "fixture_ok");
    ck_assert_ptr_nonnull(p);
    ck_assert_int_eq(p->desc.kind, EDDY_PLUGIN_TRANSFORM);
    ck_assert_uint_eq(p->desc.abi_version, EDDY_PLUGIN_ABI_VERSION);
    ck_assert_ptr_nonnull(p->desc.process);
    ck_assert_ptr_null(eddy_loader_find(l, "missing_process"));
    ck_assert_uint_ge(eddy_loader_rejection_count(l), 5);
    /* Scanning the same directory again loads nothing twice. */
    ck_assert_int_eq(eddy_loader_load_dir(l, EDDY_FIXTURE_PLUGIN_DIR), 0);
    ck_assert_int_eq(eddy_loader_load_dir(l, "/nonexistent-dir"), EDDY_ENOTFOUND);
    /* Sorted by name. */
    for (size_t i = 1; i < eddy_loader_count(l); i++)
        ck_assert_int_lt(strcmp(eddy_loader_get(l, i - 1)->desc.name,
                                eddy_loader_get(l, i)->desc.name), 0);
    eddy_loader_destroy(l);
}
END_TEST

START_TEST(builtin_plugins_load)
{
    eddy_loader *l = eddy_loader_new();
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/plugins", EDDY_BUILD_DIR);
    ck_assert_int_ge(eddy_loader_load_dir(l, dir), 8);
    static const char *const names[] = {"file_source", "stdin_source", "file_sink",
                                        "stdout_sink", "filter", "project", "union", "split"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        ck_assert_msg(eddy_loader_find(l, names[i]) != NULL, "%s not loaded", names[i]);
    ck_assert_uint_eq(eddy_loader_rejection_count(l), 0);
    eddy_loader_destroy(l);
}
END_TEST

/* Evaluates a constant expression with the default registry; "ERR <message>" when it does not
 * compile. */
static const char *eval_text(const char *text, char *out, size_t n)
{
    eddy_scope scope = {0};
    eddy_expr *e;
    char err[512];
    if (eddy_expr_compile(text, &scope, &e, err, sizeof err)) {
        snprintf(out, n, "ERR %.200s", err);
        return out;
    }
    eddy_arena *a = eddy_arena_new(0);
    eddy_eval_ctx ctx = {.arena = a, .errstr = err, .errstr_size = sizeof err};
    eddy_value v;
    ck_assert_int_eq(eddy_expr_eval(e, NULL, &ctx, &v), 0);
    eddy_buf b = {0};
    eddy_value_format(&b, &v);
    snprintf(out, n, "%s", eddy_buf_cstr(&b));
    eddy_buf_free(&b);
    eddy_arena_destroy(a);
    eddy_expr_destroy(e);
    return out;
}

START_TEST(function_library)
{
    char buf[256];
    /* Before loading, the functions do not exist. */
    ck_assert_str_eq(eval_text("DOUBLE_IT(21)", buf, sizeof buf),
                     "ERR line 1:1: Can't find any functions with the name 'DOUBLE_IT'");
    eddy_loader *l = eddy_loader_new();
    char err[1024] = "";
    ck_assert_msg(eddy_loader_load_file(l, fixture("fn_shout"), err, sizeof err) == 0, "%s", err);
    const eddy_loaded_plugin *p = eddy_loader_find(l, "fn_shout");
    ck_assert_ptr_nonnull(p);
    ck_assert_int_eq(p->desc.kind, EDDY_PLUGIN_FUNCTIONS);
    ck_assert_uint_eq(p->desc.nfunctions, 2);
    /* Callable from SQL expressions, through the shared registry. */
    ck_assert_str_eq(eval_text("DOUBLE_IT(21)", buf, sizeof buf), "42");
    ck_assert_str_eq(eval_text("SHOUT('hi') + '?'", buf, sizeof buf), "HI!?");
    eddy_loader_destroy(l);
}
END_TEST

START_TEST(function_library_refusals)
{
    eddy_loader *l = eddy_loader_new();
    char err[1024] = "", expected[2048], buf[256];
    /* A wrong ABI is refused before anything is registered. */
    ck_assert_int_eq(eddy_loader_load_file(l, fixture("fn_wrong_abi"), err, sizeof err), EDDY_EABI);
    snprintf(expected, sizeof expected, "%s: plugin ABI version 999, but this eddy supports ABI "
             "version 1 (rebuild the plugin against this eddy's plugin.h)", path);
    ck_assert_str_eq(err, expected);
    ck_assert_str_eq(eval_text("WRONG_ABI_FN()", buf, sizeof buf),
                     "ERR line 1:1: Can't find any functions with the name 'WRONG_ABI_FN'");
    /* A bad signature refuses the whole library: its first, good function is not kept. */
    ck_assert_int_lt(eddy_loader_load_file(l, fixture("fn_bad_sig"), err, sizeof err), 0);
    snprintf(expected, sizeof expected, "%s: plugin 'fn_bad_sig': function 'BAD_SIG_BROKEN': ",
             path);
    ck_assert_msg(strncmp(err, expected, strlen(expected)) == 0, "%s", err);
    ck_assert_str_eq(eval_text("BAD_SIG_OK()", buf, sizeof buf),
                     "ERR line 1:1: Can't find any functions with the name 'BAD_SIG_OK'");
    ck_assert_ptr_null(eddy_loader_find(l, "fn_bad_sig"));
    eddy_loader_destroy(l);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("loader");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, wrong_abi_version);
    tcase_add_test(tc, short_descriptor);
    tcase_add_test(tc, missing_callback);
    tcase_add_test(tc, no_entry_symbol);
    tcase_add_test(tc, bad_name);
    tcase_add_test(tc, not_a_shared_object);
    tcase_add_test(tc, duplicate_name);
    tcase_add_test(tc, good_plugin_and_directory_scan);
    tcase_add_test(tc, builtin_plugins_load);
    tcase_add_test(tc, function_library);
    tcase_add_test(tc, function_library_refusals);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return eddy_test_run(suite());
}
