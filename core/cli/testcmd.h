/* testcmd.h: `eddy test`, ksqlDB's ksql-test-runner (declared in cli/qtt.h with `eddy qtt`,
 * which shares its run-a-case code through sql/qtt_runner.h). */
#ifndef EDDY_CLI_TESTCMD_H
#define EDDY_CLI_TESTCMD_H

#include "cli/qtt.h"

#endif
