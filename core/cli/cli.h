/* cli.h: exit codes and small helpers shared by the `eddy` subcommands. */
#ifndef EDDY_CLI_H
#define EDDY_CLI_H

#include <stdbool.h>

/* Exit codes of every eddy command (documented in `eddy --help` and the README). */
enum {
    EDDY_EXIT_OK = 0,
    EDDY_EXIT_USAGE = 1,   /* bad command line */
    EDDY_EXIT_COMPILE = 2, /* the pipeline file or SQL is invalid */
    EDDY_EXIT_LOAD = 3,    /* a file, plugin or resource could not be loaded */
    EDDY_EXIT_RUNTIME = 4  /* the pipeline failed while running */
};

/* Matches "--name value" and "--name=value" at argv[*i]; advances *i past the value. */
bool eddy_cli_opt(int argc, char **argv, int *i, const char *name, const char **value);

#endif
