/* builtins_null.c: ksqlDB's NULL-handling and comparison functions: COALESCE, IFNULL, NULLIF
 * (scalar-functions.md "Nulls"), GREATEST, LEAST (which skip NULLs), and AS_VALUE. */
#include "expr/builtins.h"

#include <stdio.h>
#include <string.h>

static int fn_coalesce(eddy_func_ctx *ctx, const eddy_function *f, int argc,
                       const eddy_value *argv, eddy_value *out)
{
    (void)ctx;
    (void)f;
    for (int i = 0; i < argc; i++)
        if (!argv[i].is_null) {
            *out = argv[i];
            return 0;
        }
    *out = argv[0];
    return 0;
}

/* AS_VALUE(x): x itself; ksqlDB uses it to copy a key column into the value. */
static int fn_as_value(eddy_func_ctx *ctx, const eddy_function *f, int argc,
                       const eddy_value *argv, eddy_value *out)
{
    (void)ctx;
    (void)f;
    (void)argc;
    *out = argv[0];
    return 0;
}

static int fn_ifnull(eddy_func_ctx *ctx, const eddy_function *f, int argc,
                     const eddy_value *argv, eddy_value *out)
{
    (void)ctx;
    (void)f;
    (void)argc;
    *out = argv[0].is_null ? argv[1] : argv[0];
    return 0;
}

static int fn_nullif(eddy_func_ctx *ctx, const eddy_function *f, int argc,
                     const eddy_value *argv, eddy_value *out)
{
    (void)ctx;
    (void)f;
    (void)argc;
    if (!argv[0].is_null && !argv[1].is_null && eddy_value_equal(&argv[0], &argv[1])) {
        eddy_value v = argv[0];
        v.is_null = 1;
        *out = v;
        return 0;
    }
    *out = argv[0];
    return 0;
}

/* GREATEST / LEAST: the largest / smallest non-NULL argument; NULL when all are. */
static int extreme(const eddy_value *argv, int argc, bool greatest, eddy_value *out)
{
    int best = -1;
    for (int i = 0; i < argc; i++) {
        if (argv[i].is_null)
            continue;
        if (best < 0) {
            best = i;
            continue;
        }
        int c = eddy_value_compare(&argv[i], &argv[best]);
        if (greatest ? c > 0 : c < 0)
            best = i;
    }
    *out = argv[best < 0 ? 0 : best];
    return 0;
}

static int fn_greatest(eddy_func_ctx *ctx, const eddy_function *f, int argc,
                       const eddy_value *argv, eddy_value *out)
{
    (void)ctx;
    (void)f;
    return extreme(argv, argc, true, out);
}

static int fn_least(eddy_func_ctx *ctx, const eddy_function *f, int argc,
                    const eddy_value *argv, eddy_value *out)
{
    (void)ctx;
    (void)f;
    return extreme(argv, argc, false, out);
}

static const char *const comparable[] = {"INTEGER", "BIGINT", "DOUBLE", "DECIMAL", "STRING",
                                         "BYTES", "DATE", "TIME", "TIMESTAMP"};

int eddy_builtins_null_register(eddy_registry *r)
{
    static const struct {
        const char *name, *sig, *desc;
        eddy_scalar_fn fn;
    } defs[] = {
        {"COALESCE", "(T first, T... others) -> T", "The first non-NULL argument.",
         fn_coalesce},
        {"IFNULL", "(T expression, T altValue) -> T",
         "altValue when expression is NULL, else expression.", fn_ifnull},
        {"NULLIF", "(T expression1, T expression2) -> T",
         "NULL when the arguments are equal, else expression1.", fn_nullif},
        {"AS_VALUE", "(T source) -> T",
         "Its argument: copies a key column into the value (SELECT K, AS_VALUE(K) AS K2).",
         fn_as_value},
    };
    for (size_t i = 0; i < sizeof defs / sizeof defs[0]; i++) {
        eddy_function f = {.name = defs[i].name, .kind = EDDY_FUNC_SCALAR,
                           .signature = defs[i].sig, .description = defs[i].desc,
                           .source = "built-in", .calls_on_null = true, .scalar = defs[i].fn};
        int rc = eddy_registry_add(r, &f, false, NULL, 0);
        if (rc)
            return rc;
    }
    for (int g = 0; g < 2; g++)
        for (size_t i = 0; i < sizeof comparable / sizeof comparable[0]; i++) {
            char sig[96];
            const char *t = comparable[i];
            snprintf(sig, sizeof sig, "(%s val, %s... vals) -> %s", t, t, t);
            eddy_function f = {.name = g ? "least" : "greatest", .kind = EDDY_FUNC_SCALAR,
                               .signature = sig,
                               .description = g ? "The smallest non-NULL argument."
                                                : "The largest non-NULL argument.",
                               .source = "built-in", .calls_on_null = true,
                               .scalar = g ? fn_least : fn_greatest};
            int rc = eddy_registry_add(r, &f, false, NULL, 0);
            if (rc)
                return rc;
        }
    return 0;
}
