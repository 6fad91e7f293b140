/* testutil.h: small helpers shared by the Check suites. */
#ifndef EDDY_TESTUTIL_H
#define EDDY_TESTUTIL_H

#include <check.h>

/* Runs `s` in forked mode (CK_FORK from the environment), returns the process exit code. */
int eddy_test_run(Suite *s);
/* A fresh temporary directory (removed at process exit); never NULL. */
const char *eddy_test_tmpdir(void);
/* Writes `text` to `path` (fails the test on error). */
void eddy_test_write_file(const char *path, const char *text);
/* Reads a whole file into a malloc'ed NUL-terminated string (NULL when missing). */
char *eddy_test_read_file(const char *path);

#endif
