/* qtt.h: `eddy qtt` (ksqlDB query-validation tests) and `eddy test` (ksql-test-runner). */
#ifndef EDDY_CLI_QTT_H
#define EDDY_CLI_QTT_H

/* `eddy qtt PATH... [--report FILE] [--filter SUBSTRING] [--timeout SECONDS] [-v]`: argv[0] is
 * "qtt". Exit 0 when every case ran (whatever the results), 1 usage, 3 a path unreadable. */
int eddy_cli_qtt(int argc, char **argv);

/* `eddy test -s statements.sql -i input.json -o output.json`: argv[0] is "test". Exit 0 pass,
 * 1 usage, 2 a statement failed, 3 a file could not be read, 4 outputs differ. */
int eddy_cli_test(int argc, char **argv);

#endif
