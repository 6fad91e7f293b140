/* lines.h: the line-oriented source shared by file_source and stdin_source: big reads, lines
 * split in place, each line copied into memory its batch owns, decoded with the node's serde
 * (JSON or DELIMITED), ROWTIME from a column or the wall clock; optional `tail -F` following
 * of a path (truncation, rotation by inode). */
#ifndef EDDY_PLUGINS_LINES_H
#define EDDY_PLUGINS_LINES_H

#include "eddy/plugin.h"

/* The config rows both sources share (file_source adds path and follow). */
#define LINES_CONFIG_PROPS                                                                   \
    {"format", EDDY_CONF_ENUM, "JSON", 0, "JSON|DELIMITED",                                   \
     "How each line is encoded: JSON (one object per line) or DELIMITED (CSV)."},             \
    {"columns", EDDY_CONF_COLUMNS, NULL, EDDY_CONF_REQUIRED, NULL,                            \
     "The columns of a line, as in CREATE STREAM: \"ID BIGINT KEY, STARS INT, ...\"."},       \
    {"delimiter", EDDY_CONF_STRING, NULL, 0, NULL,                                            \
     "DELIMITED only: the field separator, one character or TAB, SPACE, COMMA, PIPE "        \
     "(default ',')."},                                                                       \
    {"header", EDDY_CONF_BOOL, "false", 0, NULL,                                              \
     "The first line is a header (CSV column names): skip it."},                              \
    {"timestamp", EDDY_CONF_STRING, NULL, 0, NULL,                                            \
     "A BIGINT (ms since epoch) or TIMESTAMP column to use as ROWTIME; records whose value "  \
     "is NULL or negative go to the processing log. Default: the wall clock when read."},     \
    {"batch_size", EDDY_CONF_INT, "1024", 0, NULL,                                            \
     "Largest number of records per emitted batch."}

typedef struct lines_src lines_src;

/* plan: checks the shared config (columns, format, delimiter, timestamp, batch_size) and
 * declares the one output port. */
int lines_plan(const eddy_host_api *api, eddy_op *op, char *errstr, size_t errstr_size);

/* create: reads from `fd` (which it owns and closes when `path` is set; stdin is never
 * closed). `path` (may be NULL) is the file to follow when `follow` is set: at EOF the
 * source waits for more data, notices truncation and rotation (a new inode at `path`), and
 * opens `path` when it appears; fd may be -1 when the file does not exist yet. `source` names
 * the records' origin (copied). */
int lines_create(const eddy_host_api *api, eddy_op *op, const char *source, int fd,
                 const char *path, bool follow, lines_src **out, char *errstr,
                 size_t errstr_size);

/* poll: emits one batch of up to min(batch_size, max_records) records; returns how many,
 * 0 when nothing is available now, EDDY_EOF at the end, or a negative error. */
int lines_poll(lines_src *s, int max_records);

void lines_destroy(lines_src *s); /* accepts NULL */

#endif
