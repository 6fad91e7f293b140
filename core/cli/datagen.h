/* datagen.h: `eddy datagen ratings|customers`, a fast, seeded generator of the demo's records. */
#ifndef EDDY_CLI_DATAGEN_H
#define EDDY_CLI_DATAGEN_H

/* Runs `eddy datagen ...`; argv[0] is "datagen". Returns the process exit code. */
int eddy_cli_datagen(int argc, char **argv);

#endif
