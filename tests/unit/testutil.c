/* testutil.c: small helpers shared by the Check suites. */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int eddy_test_run(Suite *s)
{
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

static char tmpdir[256];

static void rm_tmpdir(void)
{
    if (tmpdir[0] && getpid() == (pid_t)strtol(strrchr(tmpdir, '-') + 1, NULL, 10)) {
        char cmd[300];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
        if (system(cmd) != 0)
            fprintf(stderr, "could not remove %s\n", tmpdir);
    }
}

const char *eddy_test_tmpdir(void)
{
    if (!tmpdir[0]) {
        char tmpl[] = "/tmp/eddy-test-XXXXXX";
        char *d = mkdtemp(tmpl);
        ck_assert_ptr_nonnull(d);
        snprintf(tmpdir, sizeof tmpdir, "%s-%d", d, (int)getpid());
        ck_assert_int_eq(rename(d, tmpdir), 0);
        atexit(rm_tmpdir);
    }
    return tmpdir;
}

void eddy_test_write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    ck_assert_msg(f != NULL, "cannot write %s", path);
    fputs(text, f);
    fclose(f);
}

char *eddy_test_read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *s = malloc((size_t)n + 1);
    if (s && fread(s, 1, (size_t)n, f) != (size_t)n) {
        free(s);
        s = NULL;
    }
    if (s)
        s[n] = '\0';
    fclose(f);
    return s;
}
