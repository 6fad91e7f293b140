/* sinkbuf.h: the line-oriented sink shared by file_sink and stdout_sink: each record encoded
 * (JSON or DELIMITED) plus '\n' into a large per-task buffer, written in big chunks to a
 * writer shared by every task of the process that writes the same path (one mutex, reference
 * counted), so lines of different tasks never interleave. */
#ifndef EDDY_PLUGINS_SINKBUF_H
#define EDDY_PLUGINS_SINKBUF_H

#include "eddy/plugin.h"

#define SINKBUF_CONFIG_PROPS                                                                 \
    {"format", EDDY_CONF_ENUM, "JSON", 0, "JSON|DELIMITED",                                   \
     "How each record is written: JSON (one object per line) or DELIMITED (CSV)."},           \
    {"delimiter", EDDY_CONF_STRING, NULL, 0, NULL,                                            \
     "DELIMITED only: the field separator, one character or TAB, SPACE, COMMA, PIPE "        \
     "(default ',')."}

typedef struct sinkbuf sinkbuf;

/* plan: checks that the format can carry the input schema. */
int sinkbuf_plan(const eddy_host_api *api, eddy_op *op, char *errstr, size_t errstr_size);

/* create: writes to `path` ("-" is standard output); `append` false truncates the file when
 * this process opens it first. */
int sinkbuf_create(const eddy_host_api *api, eddy_op *op, const char *path, bool append,
                   sinkbuf **out, char *errstr, size_t errstr_size);
int sinkbuf_process(sinkbuf *s, eddy_batch *in);
/* Writes out everything buffered. */
int sinkbuf_flush(sinkbuf *s);
/* Writes out what is left, then releases the writer. Accepts NULL. */
void sinkbuf_destroy(sinkbuf *s);

#endif
