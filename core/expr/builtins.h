/* builtins.h: registration of the built-in SQL functions (builtins_*.c) and registry
 * helpers private to core/expr. */
#ifndef EDDY_EXPR_BUILTINS_H
#define EDDY_EXPR_BUILTINS_H

#include "eddy/udf.h"

/* Registers every built-in scalar function into `r`. 0 or a negative code. */
int eddy_builtins_register(eddy_registry *r);
int eddy_builtins_string_register(eddy_registry *r);
int eddy_builtins_math_register(eddy_registry *r);
int eddy_builtins_null_register(eddy_registry *r);
int eddy_builtins_agg_register(eddy_registry *r); /* builtins_agg.c: aggregates */
int eddy_builtins_time_register(eddy_registry *r);       /* builtins_time.c */
int eddy_builtins_collection_register(eddy_registry *r); /* builtins_collection.c */
int eddy_builtins_json_register(eddy_registry *r);       /* builtins_json.c */
int eddy_builtins_misc_register(eddy_registry *r);       /* builtins_misc.c */

/* EDDY_FUNC_* kind of the functions named `name` (case-insensitive), 0 when unknown. */
int eddy_registry_kind_of(eddy_registry *r, const char *name);

/* Failure of a built-in on one record: message into ctx->errstr, returns EDDY_EFUNC. */
int eddy_func_fail(eddy_func_ctx *ctx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
