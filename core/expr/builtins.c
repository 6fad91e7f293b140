/* builtins.c: registers the C built-in functions (builtins_string.c, builtins_math.c,
 * builtins_null.c) into a registry. */
#include "expr/builtins.h"

#include <stdarg.h>
#include <stdio.h>

int eddy_func_fail(eddy_func_ctx *ctx, const char *fmt, ...)
{
    if (ctx->errstr && ctx->errstr_size) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(ctx->errstr, ctx->errstr_size, fmt, ap);
        va_end(ap);
    }
    return EDDY_EFUNC;
}

int eddy_builtins_register(eddy_registry *r)
{
    int rc = eddy_builtins_string_register(r);
    if (!rc)
        rc = eddy_builtins_math_register(r);
    if (!rc)
        rc = eddy_builtins_null_register(r);
    if (!rc)
        rc = eddy_builtins_time_register(r);
    if (!rc)
        rc = eddy_builtins_collection_register(r);
    if (!rc)
        rc = eddy_builtins_json_register(r);
    if (!rc)
        rc = eddy_builtins_misc_register(r);
    rc = rc ? rc : eddy_builtins_agg_register(r); /* aggregates: builtins_agg.c */
    return rc;
}
