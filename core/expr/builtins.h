/* builtins.h: registration of the built-in SQL functions (builtins_*.c) and registry
 * helpers private to core/expr. */
#ifndef EDDY_EXPR_BUILTINS_H
#define EDDY_EXPR_BUILTINS_H

#include <locale.h>

#include "eddy/udf.h"

/* Registers every built-in function (scalar, aggregate, table) into `r`. 0 or a negative code. */
int eddy_builtins_register(eddy_registry *r);
int eddy_builtins_string_register(eddy_registry *r);
int eddy_builtins_math_register(eddy_registry *r);
int eddy_builtins_null_register(eddy_registry *r);
int eddy_builtins_agg_register(eddy_registry *r); /* builtins_agg.c: aggregates */
int eddy_builtins_time_register(eddy_registry *r);       /* builtins_time.c */
int eddy_builtins_collection_register(eddy_registry *r); /* builtins_collection.c */
int eddy_builtins_json_register(eddy_registry *r);       /* builtins_json.c */
int eddy_builtins_misc_register(eddy_registry *r);       /* builtins_misc.c */
int eddy_builtins_table_register(eddy_registry *r);      /* builtins_table.c: EXPLODE... */

/* Thread-local memory of the built-ins (scratch buffers, caches) lives until its thread
 * exits: `release` (a file's own function freeing its thread-locals) is called then. Call
 * it once per thread (a file keeps a thread-local "registered" flag); the main thread's
 * memory stays until the process ends. */
void eddy_builtins_at_thread_exit(void (*release)(void));
/* The C.UTF-8 locale for wide-character classification and case mapping, created once;
 * (locale_t)0 when the system lacks it (callers then leave non-ASCII characters as they are). */
locale_t eddy_builtins_utf8_locale(void);
/* The bytes of `b` copied into ctx->arena as a STRING result; "out of memory" on failure. */
int eddy_builtins_string_result(eddy_func_ctx *ctx, const eddy_buf *b, eddy_value *out);

/* EDDY_FUNC_* kind of the functions named `name` (case-insensitive), 0 when unknown. */
int eddy_registry_kind_of(eddy_registry *r, const char *name);

/* Failure of a built-in on one record: message into ctx->errstr, returns EDDY_EFUNC. */
int eddy_func_fail(eddy_func_ctx *ctx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
