/* builtins_table.c: ksqlDB's built-in table functions (table-functions.md): EXPLODE and
 * CUBE_EXPLODE. Each returns its rows as an array of values in ctx->arena; element values
 * are shared with the argument, not copied. */
#include "expr/builtins.h"

#include <string.h>

/* The largest CUBE_EXPLODE input: 2^20 rows from one record is already absurd. */
#define CUBE_MAX_COLUMNS 20

/* EXPLODE(array): one row per element, in order; NULL elements are rows too. An empty
 * array gives no row (a NULL one too: the registry does not call us on NULL). */
static int fn_explode(eddy_func_ctx *ctx, const eddy_function *f, int argc,
                      const eddy_value *argv, eddy_value **rows, uint32_t *nrows)
{
    (void)f;
    (void)argc;
    *rows = argv[0].u.items;
    *nrows = argv[0].len;
    (void)ctx;
    return 0;
}

/* CUBE_EXPLODE(array): every combination of the elements kept or replaced by NULL, 2^d rows
 * for d elements, in the order of ksqlDB's Cube: combination i keeps element j when bit
 * (d - 1 - j) of i is set, so the first row is all NULL and the last the input. Keeping a
 * NULL element gives the same row as dropping it: those duplicates are skipped. */
static int fn_cube_explode(eddy_func_ctx *ctx, const eddy_function *f, int argc,
                           const eddy_value *argv, eddy_value **rows, uint32_t *nrows)
{
    (void)f;
    (void)argc;
    const eddy_value *in = &argv[0];
    uint32_t d = in->len;
    if (d > CUBE_MAX_COLUMNS)
        return eddy_func_fail(ctx, "CUBE_EXPLODE takes at most %d columns, got %u",
                              CUBE_MAX_COLUMNS, d);
    uint32_t ncomb = 1u << d, null_mask = 0;
    for (uint32_t j = 0; j < d; j++)
        if (in->u.items[j].is_null)
            null_mask |= 1u << (d - 1 - j);
    eddy_value *out = eddy_arena_alloc(ctx->arena, (size_t)ncomb * sizeof *out);
    eddy_value *items = eddy_arena_alloc(ctx->arena, (size_t)ncomb * (d ? d : 1) *
                                                         sizeof *items);
    if (!out || !items)
        return eddy_func_fail(ctx, "out of memory");
    uint32_t n = 0;
    for (uint32_t i = 0; i < ncomb; i++) {
        if (i & null_mask)
            continue;
        eddy_value *row = items + (size_t)n * d;
        for (uint32_t j = 0; j < d; j++) {
            const eddy_value *x = &in->u.items[j];
            if (i & (1u << (d - 1 - j))) {
                row[j] = *x;
            } else {
                row[j] = eddy_null(x->type);
                row[j].precision = x->precision;
                row[j].scale = x->scale;
            }
        }
        out[n] = (eddy_value){.type = EDDY_TYPE_ARRAY, .len = d, .u.items = row};
        n++;
    }
    *rows = out;
    *nrows = n;
    return 0;
}

static const struct {
    const char *name, *sig, *desc;
    eddy_table_fn fn;
} defs[] = {
    /* ARRAY<DECIMAL> first: ksqlDB lists it first among the alternatives */
    {"explode", "(ARRAY<DECIMAL> input) -> DECIMAL",
     "One row per element of the array, of the element's type.", fn_explode},
    {"explode", "(ARRAY<T> list) -> T",
     "One row per element of the array, of the element's type.", fn_explode},
    {"cube_explode", "(ARRAY<T> columns) -> ARRAY<T>",
     "Every combination of the array's elements kept or NULL (2^n rows; a NULL element's "
     "duplicates skipped).", fn_cube_explode},
};

int eddy_builtins_table_register(eddy_registry *r)
{
    for (size_t i = 0; i < sizeof defs / sizeof defs[0]; i++) {
        eddy_function f = {.name = defs[i].name, .kind = EDDY_FUNC_TABLE,
                           .signature = defs[i].sig, .description = defs[i].desc,
                           .source = "built-in", .table = defs[i].fn};
        int rc = eddy_registry_add(r, &f, false, NULL, 0);
        if (rc)
            return rc;
    }
    return 0;
}
