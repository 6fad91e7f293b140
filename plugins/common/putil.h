/* putil.h: small helpers the built-in operator plugins share (compiled into each .so that
 * uses them; hidden, never exported). Everything goes through the eddy_host_api table. */
#ifndef EDDY_PLUGINS_PUTIL_H
#define EDDY_PLUGINS_PUTIL_H

#include "eddy/plugin.h"

/* Formats a config error into errstr and returns `code`: "config 'where': ...". */
int pu_err(char *errstr, size_t errstr_size, int code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* ksqlDB's spelling of `t` ("INTEGER", "ARRAY<STRING>") into buf (always NUL-terminated). */
void pu_type_name(const eddy_host_api *api, const eddy_type *t, char *buf, size_t size);

/* Index of column `name` in `s`: exact match first, then the upper-cased name (unquoted SQL
 * identifiers are upper case), else -1. */
int pu_find_column(const eddy_host_api *api, const eddy_schema *s, const char *name);

/* A copy of `path` (caller frees; NULL on ENOMEM). Relative paths are left relative: they
 * start from the working directory of `eddy run`, like any command-line tool's, so
 * `-D input=data/x.json` means what it says. */
char *pu_resolve_path(const eddy_host_api *api, eddy_op *op, const char *path);

/* Compiles a predicate and checks that it is BOOLEAN. `what` names the config entry in
 * messages ("config 'where'", "config 'outputs': port 'low'"). */
int pu_compile_predicate(const eddy_host_api *api, eddy_op *op, const char *what,
                         const char *text, const eddy_schema *schema, eddy_expr **out,
                         char *errstr, size_t errstr_size);

/* Evaluates a BOOLEAN predicate: 1 TRUE, 0 FALSE or NULL, negative code on error (reason in
 * errstr). Temporaries go into `arena`. */
int pu_eval_predicate(const eddy_host_api *api, eddy_op *op, const eddy_expr *e,
                      const eddy_record *rec, eddy_arena *arena, char *errstr,
                      size_t errstr_size);

/* Is `text` a bare reference to key column `k` of `s` ("ID", "`ID`", "R.ID")? Used to tell
 * whether records are already partitioned by a key expression. */
bool pu_is_key_column(const char *text, const eddy_schema *s, uint32_t k);

/* Are `exprs` exactly the key columns of `s`, in order? */
bool pu_keyed_by(const char *const *exprs, int n, const eddy_schema *s);

/* A row of `s` with every column NULL (of its type), in `arena`; NULL on ENOMEM. For
 * decoding a stored record into. */
eddy_value *pu_null_row(const eddy_host_api *api, eddy_arena *arena, const eddy_schema *s);

/* 8 bytes big-endian (times and sequence numbers in state store bytes). */
void pu_put_be64(uint8_t *p, uint64_t v);
uint64_t pu_get_be64(const uint8_t *p);

/* Asks the host to partition input `port` by the key expressions `exprs` (api->
 * input_partition_by), unless they are exactly that input's key columns, in order. Hosts
 * older than the call are left alone (their runs are single-task). */
int pu_partition_by(const eddy_host_api *api, eddy_op *op, int port, const char *const *exprs,
                    int n, const char *key_format, char *errstr, size_t errstr_size);

#endif
