/* proclog.h: the processing log: one JSON line per record that could not be handled. */
#ifndef EDDY_PROCLOG_H
#define EDDY_PROCLOG_H

#include "eddy/record.h"

typedef struct eddy_proclog eddy_proclog;

/* Opens (appends to) `path`; NULL or "-" writes to stderr. Thread-safe writer. */
int eddy_proclog_open(const char *path, eddy_proclog **out, char *errstr, size_t errstr_size);
/* Writes {"time","pipeline","node","task","code","error","source":{"name","partition",
 * "offset"},"raw"} where raw is the record's bytes in base64 (absent when unknown), and
 * flushes the line. */
void eddy_proclog_write(eddy_proclog *l, const char *pipeline, const char *node, int task,
                        int code, const char *reason, const eddy_origin *origin,
                        const uint8_t *raw, size_t raw_len);
uint64_t eddy_proclog_count(const eddy_proclog *l);
void eddy_proclog_close(eddy_proclog *l); /* accepts NULL */

#endif
