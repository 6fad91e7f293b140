/* builtins_agg.c: ksqlDB's built-in aggregate functions (aggregate-functions.md) as UDAFs of
 * udf.h: COUNT, SUM, AVG, MIN, MAX, ATTR, COLLECT_LIST, COLLECT_SET, COUNT_DISTINCT,
 * EARLIEST_BY_OFFSET, LATEST_BY_OFFSET, TOPK, TOPKDISTINCT, HISTOGRAM, STDDEV_SAMP,
 * STDDEV_SAMPLE and CORRELATION, plus SUM_LIST (ksqlDB's ListSumUdaf, which its reference
 * pages omit).
 *
 * Every accumulator is a plain value of the declared aggregate type (what a state store
 * writes to its changelog). Memory: a new accumulator or result is allocated in ctx->arena;
 * values taken from argv are deep-copied there, while parts of the previous accumulator
 * (list elements, struct fields) may be shared with the new one, so the caller copies the
 * new accumulator before it releases the old one. A result may share the accumulator's
 * memory. No function keeps state outside its accumulator: all are thread-safe.
 *
 * NULLs as ksqlDB: rows whose argument is NULL are skipped, except by COUNT(*),
 * COLLECT_LIST / COLLECT_SET (which collect NULLs) and the *_BY_OFFSET functions called
 * with ignoreNulls = false. Undo exists where ksqlDB allows table aggregation (COUNT, SUM,
 * AVG, COLLECT_LIST, HISTOGRAM, STDDEV_SAMP, STDDEV_SAMPLE, CORRELATION). */
#include "expr/builtins.h"

#include <math.h>
#include <stdio.h>
#include <string.h>


/* ------------------------------------------------------------- helpers */

static int oom(eddy_func_ctx *ctx)
{
    eddy_func_fail(ctx, "out of memory");
    return EDDY_ENOMEM;
}

static eddy_value *new_items(eddy_func_ctx *ctx, size_t n)
{
    return eddy_arena_alloc(ctx->arena, (n ? n : 1) * sizeof(eddy_value));
}

/* memcpy of n values; an empty list may have a NULL items pointer. */
static void copy_items(eddy_value *dst, const eddy_value *src, size_t n)
{
    if (n)
        memcpy(dst, src, n * sizeof *dst);
}

static eddy_value mk_struct(eddy_value *items, uint32_t n)
{
    eddy_value v = {0};
    v.type = EDDY_TYPE_STRUCT;
    v.u.items = items;
    v.len = n;
    return v;
}

static eddy_value mk_array(eddy_value *items, uint32_t n)
{
    eddy_value v = {0};
    v.type = EDDY_TYPE_ARRAY;
    v.u.items = items;
    v.len = n;
    return v;
}

static eddy_value mk_map(eddy_value *items, uint32_t nentries)
{
    eddy_value v = {0};
    v.type = EDDY_TYPE_MAP;
    v.u.items = items;
    v.len = nentries;
    return v;
}

/* The items of a list-like accumulator part (an ARRAY value that may be NULL). */
static uint32_t list_len(const eddy_value *v)
{
    return v->is_null || v->type != EDDY_TYPE_ARRAY ? 0 : v->len;
}

/* The type id a per-type overload was registered with (udata). */
static int udata_type(const eddy_function *f)
{
    return (int)((uintptr_t)f->udata & 0xff);
}

static __int128 pow10_i128(int n)
{
    __int128 p = 1;
    while (n-- > 0)
        p *= 10;
    return p;
}

static const eddy_type *struct2(const char *n1, const eddy_type *t1, const char *n2,
                                const eddy_type *t2)
{
    eddy_field fs[2] = {{n1, t1}, {n2, t2}};
    return t1 && t2 ? eddy_type_struct(2, fs) : NULL;
}

/* Types TOPK, TOPKDISTINCT, MIN and MAX order. */
static bool is_orderable(const eddy_type *t)
{
    if (!t)
        return false;
    switch (t->id) {
    case EDDY_TYPE_INT: case EDDY_TYPE_BIGINT: case EDDY_TYPE_DOUBLE: case EDDY_TYPE_DECIMAL:
    case EDDY_TYPE_STRING: case EDDY_TYPE_BYTES: case EDDY_TYPE_DATE: case EDDY_TYPE_TIME:
    case EDDY_TYPE_TIMESTAMP:
        return true;
    default:
        return false;
    }
}

/* ---------------------------------------------------------------- COUNT */

static int count_init(eddy_func_ctx *ctx, const eddy_function *f, eddy_value *acc)
{
    (void)ctx;
    (void)f;
    *acc = eddy_bigint(0);
    return 0;
}

/* COUNT() / COUNT(*) count every row, COUNT(col) the rows where col is not NULL. */
static int count_add(eddy_func_ctx *ctx, const eddy_function *f, eddy_value *acc, int argc,
                     const eddy_value *argv)
{
    (void)ctx;
    (void)f;
    if (argc == 0 || !argv[0].is_null)
        acc->u.i64++;
    return 0;
}

static int count_undo(eddy_func_ctx *ctx, const eddy_function *f, eddy_value *acc, int argc,
                      const eddy_value *argv)
{
    (void)ctx;
    (void)f;
    if (argc == 0 || !argv[0].is_null)
        acc->u.i64--;
    return 0;
}

static int count_merge(eddy_func_ctx *ctx, const eddy_function *f, eddy_value *acc,
                       const eddy_value *other)
{
    (void)ctx;
    (void)f;
    acc->u.i64 += other->u.i64;
    return 0;
}

static int identity_result(eddy_func_ctx *ctx, const eddy_function *f, const eddy_value *acc,
                           eddy_value *out)
{
    (void)ctx;
    (void)f;
    *out = *acc;
    return 0;
}

/* ------------------------------------------------------------------ SUM */

/* The accumulator is the running sum, of the argument's type. INT and BIGINT wrap as Java's
 * Integer::sum and Long::sum do; a DECIMAL sum keeps the argument's precision and scale and
 * fails with "Numeric field overflow" when it no longer fits (qtt sum.json). */
static int sum_init(eddy_func_ctx *ctx, const eddy_function *f, eddy_value *acc)
{
    (void)ctx;
    switch (udata_type(f)) {
    case EDDY_TYPE_INT: *acc = eddy_int(0); break;
    case EDDY_TYPE_BIGINT: *acc = eddy_bigint(0); break;
    case EDDY_TYPE_DOUBLE: *acc = eddy_double(0.0); break;
    default:
        /* DECIMAL: precision and scale are unknown here; a zero sum takes those of the
         * first value added (the argument's, after coercion) */
        *acc = eddy_decimal(0, 1, 0);
        break;
    }
    return 0;
}

/* acc += sign * x for DECIMAL, with ksqlDB's overflow check. */
static int dec_accumulate(eddy_func_ctx *ctx, eddy_value *acc, const eddy_value *x, int sign)
{
    __int128 v = x->u.dec;
    if (acc->u.dec == 0) {
        acc->precision = x->precision;
        acc->scale = x->scale;
    } else if (x->scale != acc->scale) {
        if (eddy_decimal_rescale(x->u.dec, x->scale, EDDY_DECIMAL_MAX_PRECISION, acc->scale,
                                 &v) != 0)
            return eddy_func_fail(ctx, "Numeric field overflow");
    }
    __int128 s = sign > 0 ? acc->u.dec + v : acc->u.dec - v;
    __int128 lim = pow10_i128(acc->precision);
    if (s >= lim || s <= -lim)
        return eddy_func_fail(ctx, "Numeric field overflow");
    acc->u.dec = s;
    return 0;
}

static int sum_step(eddy_func_ctx *ctx, eddy_value *acc, const eddy_value *x, int sign)
{
    if (x->is_null)
        return 0;
    switch (acc->type) {
    case EDDY_TYPE_INT:
        acc->u.i32 = (int32_t)(sign > 0 ? (uint32_t)acc->u.i32 + (uint32_t)x->u.i32
                                        : (uint32_t)acc->u.i32 - (uint32_t)x->u.i32);
        return 0;
    case EDDY_TYPE_BIGINT:
        acc->u.i64 = (int64_t)(sign > 0 ? (uint64_t)acc->u.i64 + (uint64_t)x->u.i64
                                        : (uint64_t)acc->u.i64 - (uint64_t)x->u.i64);
        return 0;
    case EDDY_TYPE_DOUBLE:
        acc->u.f64 = sign > 0 ? acc->u.f64 + x->u.f64 : acc->u.f64 - x->u.f64;
        return 0;
    case EDDY_TYPE_DECIMAL:
        return dec_accumulate(ctx, acc, x, sign);
    default:
        return eddy_func_fail(ctx, "SUM: unexpected accumulator type %d", acc->type);
    }
}

static int sum_add(eddy_func_ctx *ctx, const eddy_function *f, eddy_value *acc, int argc,
                   const eddy_value *argv)
{
    (void)f;
    (void)argc;
    return sum_step(ctx, acc, &argv[0], 1);
}

static int sum_undo(eddy_func_ctx *ctx, const eddy_function *f, eddy_value *acc, int argc,
                    const eddy_value *argv)
{
    (void)f;
    (void)argc;
    return sum_step(ctx, acc, &argv[0], -1);
}

static int sum_merge(eddy_func_ctx *ctx, const eddy_function *f, eddy_value *acc,
                     const eddy_value *other)
{
    (void)f;
    if (other->type == EDDY_TYPE_DECIMAL && other->u.dec == 0)
        return 0; /* keeps acc's precision and scale */
    return sum_step(ctx, acc, other, 1);
}

/* SUM_LIST(ARRAY<T>): the running sum of every element of every list (ksqlDB's ListSumUdaf,
 * a TableUdaf): NULL elements and NULL lists add nothing, INT and BIGINT wrap as SUM's do,
 * and undo subtracts a list's elements. */
static int sum_list_step(eddy_func_ctx *ctx, eddy_value *acc, const eddy_value *list, int sign)
{
    for (uint32_t i = 0; i < list_len(list); i++) {
        int rc = sum_step(ctx, acc, &list->u.items[i], sign);
        if (rc)
            return rc;
    }
    return 0;
}

static int sum_list_add(eddy_func_ctx *ctx, const eddy_function *f, eddy_value *acc, int argc,
                        const eddy_value *argv)
{
    (void)f;
    (void)argc;
    return sum_list_step(ctx, acc, &argv[0], 1);
}

static int sum_list_undo(eddy_func_ctx *ctx, const eddy_function *f, eddy_value *acc,
                         int argc, const eddy_value *argv)
{
    (void)f;
    (void)argc;
    return sum_list_step(ctx, acc, &argv[0], -1);
}

/* ------------------------------------------------------------------ AVG */

/* Accumulator STRUCT<SUM T, COUNT BIGINT> (ksqlDB's AverageUdaf); the result is
 * SUM / COUNT as a DOUBLE, and 0.0 while no non-NULL value was seen. */
static eddy_value num_zero(int type_id)
{
    switch (type_id) {
    case EDDY_TYPE_INT: return eddy_int(0);
    case EDDY_TYPE_BIGINT: return eddy_bigint(0);
    default: return eddy_double(0.0);
    }
}

static double num_to_double(const eddy_value *v)
{
    switch (v->type) {
    case EDDY_TYPE_INT: return v->u.i32;
    case EDDY_TYPE_BIGINT: return (double)v->u.i64;
    case EDDY_TYPE_DOUBLE: return v->u.f64;
    case EDDY_TYPE_DECIMAL: return eddy_decimal_to_double(v->u.dec, v->scale);
    default: return 0.0;
    }
}

static int avg_init(eddy_func_ctx *ctx, const eddy_function *f, eddy_value *acc)
{
    eddy_value *it = new_items(ctx, 2);
    if (!it)
        return oom(ctx);
    it[0] = num_zero(udata_type(f));
    it[1] = eddy_bigint(0);
    *acc = mk_struct(it, 2);
    return 0;
}

/* acc {SUM, COUNT} += sign * {x, n} */
static int avg_step(eddy_func_ctx *ctx, eddy_value *acc, const eddy_value *x, int64_t n,
                    int sign)
{
    eddy_value *it = new_items(ctx, 2);
    if (!it)
        return oom(ctx);
    it[0] = acc->u.items[0];
    it[1] = acc->u.items[1];
    int rc = sum_step(ctx, &it[0], x, sign);
    if (rc)
        return rc;
    it[1].u.i64 += sign > 0 ? n : -n;
    *acc = mk_struct(it, 2);
    return 0;
}

static int avg_add(eddy_func_ctx *ctx, const eddy_function *f, eddy_value *acc, int argc,
                   const eddy_value *argv)
{
    (void)f;
    (void)argc;
    return argv[0].is_null ? 0 : avg_step(ctx, acc, &argv[0], 1, 1);
}

static int avg_undo(eddy_func_ctx *ctx, const eddy_function *f, eddy_value *acc, int argc,
                    const eddy_value *argv)
{
    (void)f;
    (void)argc;
    return argv[0].is_null ? 0 : avg_step(ctx, acc, &argv[0], 1, -1);
}

static int avg_merge(eddy_func_ctx *ctx, const eddy_function *f, eddy_value *acc,
                     const eddy_value *other)
{
    (void)f;
    return avg_step(ctx, acc, &other->u.items[0], other->u.items[1].u.i64, 1);
}

static int avg_result(eddy_func_ctx *ctx, const eddy_function *f, const eddy_value *acc,
                      eddy_value *out)
{
    (void)ctx;
    (void)f;
    int64_t n = acc->u.items[1].u.i64;
    *out = eddy_double(n == 0 ? 0.0 : num_to_double(&acc->u.items[0]) / (double)n);
    return 0;
}

/* ------------------------------------------------------------ MIN / MAX */

/* Accumulator: the extreme so far (NULL until a non-NULL value arrives). Stream-only in
 * ksqlDB: no undo. */
static int typed_null_init(eddy_func_ctx *ctx, const eddy_function *f, eddy_value *acc)
{
    (void)ctx;
    *acc = eddy_null((eddy_type_id)udata_type(f));
    return 0;
}

static int extreme_take(eddy_func_ctx *ctx, eddy_value *acc, const eddy_value *x, bool max,
                        bool copy)
{
    if (x->is_null)
        return 0;
    if (!acc->is_null) {
        int c = eddy_value_compare(x, acc);
        if (max ? c <= 0 : c >= 0)
            return 0;
    }
    if (!copy) {
        *acc = *x;
        return 0;
    }
    return eddy_value_copy(ctx->arena, x, acc) ? oom(ctx) : 0;
}

static int min_add(eddy_func_ctx *ctx, const eddy_function *f, eddy_value *acc, int argc,
                   const eddy_value *argv)
{
    (void)f;
    (void)argc;
    return extreme_take(ctx, acc, &argv[0], false, true);
}

static int max_add(eddy_func_ctx *ctx, const eddy_function *f, eddy_value *acc, int argc,
                   const eddy_value *argv)
{
    (void)f;
    (void)argc;
    return extreme_take(ctx, acc, &argv[0], true, true);
}

static int min_merge(eddy_func_ctx *ctx, const eddy_function *f, eddy_value *acc,
                     const eddy_value *other)
{
    (void)f;
    return extreme_take(ctx, acc, other, false, false);
}

static int max_merge(eddy_func_ctx *ctx, const eddy_function *f, eddy_value *acc,
                     const eddy_value *other)
{
    (void)f;
    return extreme_take(ctx, acc, other, true, false);
}

/* ------------------------------------------------ COLLECT_LIST / COLLECT_SET */

/* Accumulator ARRAY<T>, the collected values in arrival order, NULLs included (qtt
 * collect-list.json "collect_list string"). No size limit: ksqlDB's
 * ksql.functions.collect_list.limit / collect_set.limit default to unlimited. */
static int empty_array_init(eddy_func_ctx *ctx, const eddy_function *f, eddy_value *acc)
{
    (void)ctx;
    (void)f;
    *acc = mk_array(NULL, 0);
    return 0;
}

static bool list_contains(const eddy_value *list, const eddy_value *x)
{
    for (uint32_t i = 0; i < list_len(list); i++)
        if (eddy_value_equal(&list->u.items[i], x))
            return true;
    return false;
}

static int list_append(eddy_func_ctx *ctx, eddy_value *acc, const eddy_value *x)
{
    uint32_t n = list_len(acc);
    eddy_value *it = new_items(ctx, (size_t)n + 1);
    if (!it)
        return oom(ctx);
    if (n)
        memcpy(it, acc->u.items, n * sizeof *it);
    if (eddy_value_copy(ctx->arena, x, &it[n]))
        return oom(ctx);
    *acc = mk_array(it, n + 1);
    return 0;
}

static int collect_list_add(eddy_func_ctx *ctx, const eddy_function *f, eddy_value *acc,
                            int argc, const eddy_value *argv)
{
    (void)f;
    (void)argc;
    return list_append(ctx, acc, &argv[0]);
}

/* As ksqlDB's CollectListUdaf.undo: removes the last occurrence of the value. */
static int collect_list_undo(eddy_func_ctx *ctx, const eddy_function *f, eddy_value *acc,
                             int argc, const eddy_value *argv)
{
    (void)f;
    (void)argc;
    uint32_t n = list_len(acc);
    int64_t at = -1;
    for (uint32_t i = n; i-- > 0;)
        if (eddy_value_equal(&acc->u.items[i], &argv[0])) {
            at = i;
            break;
        }
    if (at < 0)
        return 0;
    eddy_value *it = new_items(ctx, n - 1);
    if (!it)
        return oom(ctx);
    copy_items(it, acc->u.items, (size_t)at);
    copy_items(it + at, acc->u.items + at + 1, (size_t)(n - 1 - (uint32_t)at));
    *acc = mk_array(it, n - 1);
    return 0;
}

static int collect_list_merge(eddy_func_ctx *ctx, const eddy_function *f, eddy_value *acc,
                              const eddy_value *other)
{
    (void)f;
    uint32_t a = list_len(acc), b = list_len(other);
    eddy_value *it = new_items(ctx, (size_t)a + b);
    if (!it)
        return oom(ctx);
    if (a)
        memcpy(it, acc->u.items, a * sizeof *it);
    if (b)
        memcpy(it + a, other->u.items, b * sizeof *it);
    *acc = mk_array(it, a + b);
    return 0;
}

/* ATTR: the group's value when every row has the same one (NULL counts as a value), else
 * NULL. The accumulator is COLLECT_LIST's (the multiset of values), so undo and merge are
 * its own (attr.json, table case with tombstones). */
static int attr_result(eddy_func_ctx *ctx, const eddy_function *f, const eddy_value *acc,
                       eddy_value *out)
{
    (void)ctx;
    (void)f;
    uint32_t n = list_len(acc);
    if (n == 0) {
        *out = eddy_null(0);
        return 0;
    }
    for (uint32_t i = 1; i < n; i++) {
        if (!eddy_value_equal(&acc->u.items[0], &acc->u.items[i])) {
            *out = eddy_null((eddy_type_id)acc->u.items[0].type);
            return 0;
        }
    }
    *out = acc->u.items[0];
    return 0;
}

static int collect_set_add(eddy_func_ctx *ctx, const eddy_function *f, eddy_value *acc,
                           int argc, const eddy_value *argv)
{
    (void)f;
    (void)argc;
    if (list_contains(acc, &argv[0]))
        return 0;
    return list_append(ctx, acc, &argv[0]);
}

static int collect_set_merge(eddy_func_ctx *ctx, const eddy_function *f, eddy_value *acc,
                             const eddy_value *other)
{
    (void)f;
    uint32_t a = list_len(acc), b = list_len(other), n = a;
    eddy_value *it = new_items(ctx, (size_t)a + b);
    if (!it)
        return oom(ctx);
    if (a)
        memcpy(it, acc->u.items, a * sizeof *it);
    for (uint32_t i = 0; i < b; i++) {
        eddy_value cur = mk_array(it, n);
        if (!list_contains(&cur, &other->u.items[i]))
            it[n++] = other->u.items[i];
    }
    *acc = mk_array(it, n);
    return 0;
}

/* ------------------------------------------------------- COUNT_DISTINCT */

/* HyperLogLog (Flajolet et al.) over 2^12 one-byte registers, kept in a BYTES accumulator
 * (empty = all registers zero). Standard error 1.04 / sqrt(4096) = 1.6%, within the 2%
 * aggregate-functions.md promises; small cardinalities use linear counting and are exact
 * in practice. The hash is eddy_value_hash, so the estimate for a given set of values may
 * differ from ksqlDB's (stream-lib with Java's hashCode) by the error above. */
#define HLL_LOG2M 12
#define HLL_M (1u << HLL_LOG2M)

static uint64_t mix64(uint64_t x)
{
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ull;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebull;
    x ^= x >> 31;
    return x;
}

static int hll_set(eddy_func_ctx *ctx, eddy_value *acc, uint32_t idx, uint8_t rho)
{
    const uint8_t *regs = (const uint8_t *)acc->u.str;
    bool dense = !acc->is_null && acc->len == HLL_M;
    if (dense && regs[idx] >= rho)
        return 0;
    uint8_t *nr = eddy_arena_alloc(ctx->arena, HLL_M);
    if (!nr)
        return oom(ctx);
    if (dense)
        memcpy(nr, regs, HLL_M);
    else
        memset(nr, 0, HLL_M);
    nr[idx] = rho;
    *acc = eddy_bytes(nr, HLL_M);
    return 0;
}

static int count_distinct_init(eddy_func_ctx *ctx, const eddy_function *f, eddy_value *acc)
{
    (void)ctx;
    (void)f;
    *acc = eddy_bytes(NULL, 0);
    return 0;
}

static int count_distinct_add(eddy_func_ctx *ctx, const eddy_function *f, eddy_value *acc,
                              int argc, const eddy_value *argv)
{
    (void)f;
    (void)argc;
    if (argv[0].is_null)
        return 0;
    uint64_t h = mix64(eddy_value_hash(&argv[0], 0x6c7a1e5d3b9f0a21ull));
    uint32_t idx = (uint32_t)(h >> (64 - HLL_LOG2M));
    uint64_t w = (h << HLL_LOG2M) | (1ull << (HLL_LOG2M - 1));
    return hll_set(ctx, acc, idx, (uint8_t)(__builtin_clzll(w) + 1));
}

static int count_distinct_merge(eddy_func_ctx *ctx, const eddy_function *f, eddy_value *acc,
                                const eddy_value *other)
{
    (void)f;
    if (other->is_null || other->len != HLL_M)
        return 0;
    const uint8_t *o = (const uint8_t *)other->u.str;
    for (uint32_t i = 0; i < HLL_M; i++)
        if (o[i]) {
            int rc = hll_set(ctx, acc, i, o[i]);
            if (rc)
                return rc;
        }
    return 0;
}

static int count_distinct_result(eddy_func_ctx *ctx, const eddy_function *f,
                                 const eddy_value *acc, eddy_value *out)
{
    (void)ctx;
    (void)f;
    if (acc->is_null || acc->len != HLL_M) {
        *out = eddy_bigint(0);
        return 0;
    }
    const uint8_t *regs = (const uint8_t *)acc->u.str;
    double sum = 0.0, zeros = 0.0, m = HLL_M;
    for (uint32_t i = 0; i < HLL_M; i++) {
        sum += ldexp(1.0, -(int)regs[i]);
        if (regs[i] == 0)
            zeros++;
    }
    double est = 0.7213 / (1.0 + 1.079 / m) * m * m / sum;
    if (est <= 2.5 * m && zeros > 0)
        est = m * log(m / zeros);
    *out = eddy_bigint((int64_t)floor(est + 0.5));
    return 0;
}

/* ------------------------------------------ EARLIEST_BY_OFFSET / LATEST_BY_OFFSET */

/* Single form: accumulator STRUCT<SEQ BIGINT, VAL T>, NULL until a value is taken.
 * N form: STRUCT<N INTEGER, ITEMS ARRAY<STRUCT<SEQ BIGINT, VAL T>>>, items in SEQ order
 * (N is stored so that merge, which gets no arguments, can cut the merged list).
 * SEQ orders the rows as ksqlDB's global counter does, for merging session windows: here
 * it is the monotonic clock in nanoseconds when the row was folded in (no shared state),
 * forced above the accumulator's own largest SEQ. ignoreNulls defaults to true. */
#define OFS_N 0x100u      /* has the N parameter */
#define OFS_IGNORE 0x200u /* has the ignoreNulls parameter */

static const eddy_type *seqval_type(const eddy_type *t)
{
    return struct2("SEQ", eddy_type_bigint(), "VAL", t);
}

static int resolve_offset(const eddy_function *f, int argc, const eddy_type *const *argt,
                          const eddy_type **param, const eddy_type **ret,
                          const eddy_type **agg, char *errstr, size_t errstr_size)
{
    (void)errstr;
    (void)errstr_size;
    unsigned u = (unsigned)(uintptr_t)f->udata;
    bool nform = u & OFS_N, ign = u & OFS_IGNORE;
    if (argc != 1 + (nform ? 1 : 0) + (ign ? 1 : 0) || !argt[0] ||
        (int)argt[0]->id != (int)(u & 0xff))
        return EDDY_ETYPE;
    int i = 1;
    param[0] = argt[0];
    if (nform) {
        if (argt[i] && argt[i] != eddy_type_int())
            return EDDY_ETYPE;
        param[i++] = eddy_type_int();
    }
    if (ign) {
        if (argt[i] && argt[i] != eddy_type_boolean())
            return EDDY_ETYPE;
        param[i++] = eddy_type_boolean();
    }
    const eddy_type *sv = seqval_type(argt[0]);
    if (!sv)
        return EDDY_ETYPE;
    if (nform) {
        *ret = eddy_type_array(argt[0]);
        *agg = struct2("N", eddy_type_int(), "ITEMS", eddy_type_array(sv));
    } else {
        *ret = argt[0];
        *agg = sv;
    }
    return *ret && *agg ? 0 : EDDY_ETYPE;
}

static int64_t next_seq(int64_t floor_)
{
    int64_t now = eddy_mono_ns();
    return now > floor_ ? now : floor_ + 1;
}

static int seqval_new(eddy_func_ctx *ctx, int64_t seq, const eddy_value *x, eddy_value *out)
{
    eddy_value *it = new_items(ctx, 2);
    if (!it)
        return oom(ctx);
    it[0] = eddy_bigint(seq);
    if (eddy_value_copy(ctx->arena, x, &it[1]))
        return oom(ctx);
    *out = mk_struct(it, 2);
    return 0;
}

static int offset_single_init(eddy_func_ctx *ctx, const eddy_function *f, eddy_value *acc)
{
    (void)ctx;
    (void)f;
    *acc = eddy_null(EDDY_TYPE_STRUCT);
    return 0;
}

static bool ignore_nulls_arg(int argc, const eddy_value *argv, int at)
{
    if (at >= argc || argv[at].is_null || argv[at].type != EDDY_TYPE_BOOLEAN)
        return true;
    return argv[at].u.b;
}

static int offset_single_add(eddy_func_ctx *ctx, eddy_value *acc, int argc,
                             const eddy_value *argv, bool earliest)
{
    if (argv[0].is_null && ignore_nulls_arg(argc, argv, 1))
        return 0;
    if (earliest && !acc->is_null)
        return 0;
    int64_t floor_ = acc->is_null ? INT64_MIN + 1 : acc->u.items[0].u.i64;
    return seqval_new(ctx, next_seq(floor_), &argv[0], acc);
}

static int earliest_add(eddy_func_ctx *ctx, const eddy_function *f, eddy_value *acc, int argc,
                        const eddy_value *argv)
{
    (void)f;
    return offset_single_add(ctx, acc, argc, argv, true);
}

static int latest_add(eddy_func_ctx *ctx, const eddy_function *f, eddy_value *acc, int argc,
                      const eddy_value *argv)
{
    (void)f;
    return offset_single_add(ctx, acc, argc, argv, false);
}

static int offset_single_merge(eddy_value *acc, const eddy_value *other, bool earliest)
{
    if (other->is_null)
        return 0;
    if (acc->is_null) {
        *acc = *other;
        return 0;
    }
    int64_t a = acc->u.items[0].u.i64, b = other->u.items[0].u.i64;
    if (earliest ? b < a : b > a)
        *acc = *other;
    return 0;
}

static int earliest_merge(eddy_func_ctx *ctx, const eddy_function *f, eddy_value *acc,
                          const eddy_value *other)
{
    (void)ctx;
    (void)f;
    return offset_single_merge(acc, other, true);
}

static int latest_merge(eddy_func_ctx *ctx, const eddy_function *f, eddy_value *acc,
                        const eddy_value *other)
{
    (void)ctx;
    (void)f;
    return offset_single_merge(acc, other, false);
}

static int offset_single_result(eddy_func_ctx *ctx, const eddy_function *f,
                                const eddy_value *acc, eddy_value *out)
{
    (void)ctx;
    if (acc->is_null)
        *out = eddy_null((eddy_type_id)udata_type(f));
    else
        *out = acc->u.items[1];
    return 0;
}

/* STRUCT<N, ITEMS> with the given items; N kept unless `n` is given (>0). */
static int nacc_build(eddy_func_ctx *ctx, const eddy_value *old, int32_t n, eddy_value *items,
                      uint32_t nitems, eddy_value *out)
{
    eddy_value *it = new_items(ctx, 2);
    if (!it)
        return oom(ctx);
    it[0] = n > 0 ? eddy_int(n) : old->u.items[0];
    it[1] = mk_array(items, nitems);
    *out = mk_struct(it, 2);
    return 0;
}

static int k_struct_init(eddy_func_ctx *ctx, const eddy_function *f, eddy_value *acc)
{
    (void)f;
    eddy_value *it = new_items(ctx, 2);
    if (!it)
        return oom(ctx);
    it[0] = eddy_null(EDDY_TYPE_INT);
    it[1] = mk_array(NULL, 0);
    *acc = mk_struct(it, 2);
    return 0;
}

static int offset_n_add(eddy_func_ctx *ctx, const eddy_function *f, eddy_value *acc, int argc,
                        const eddy_value *argv, bool earliest)
{
    const char *what = earliest ? "earliestN" : "latestN";
    if (argv[1].is_null || argv[1].u.i32 <= 0)
        return eddy_func_fail(ctx, "%s: %s must be 1 or greater", f->name, what);
    int32_t n = argv[1].u.i32;
    if (argv[0].is_null && ignore_nulls_arg(argc, argv, 2))
        return 0;
    const eddy_value *items = &acc->u.items[1];
    uint32_t len = list_len(items);
    if (earliest && len >= (uint32_t)n)
        return 0;
    int64_t floor_ = len ? items->u.items[len - 1].u.items[0].u.i64 : INT64_MIN + 1;
    /* latest keeps the last n: drop from the front */
    uint32_t keep = len, from = 0;
    if (!earliest && len + 1 > (uint32_t)n) {
        keep = (uint32_t)n - 1;
        from = len - keep;
    }
    eddy_value *it = new_items(ctx, (size_t)keep + 1);
    if (!it)
        return oom(ctx);
    if (keep)
        memcpy(it, items->u.items + from, keep * sizeof *it);
    int rc = seqval_new(ctx, next_seq(floor_), &argv[0], &it[keep]);
    if (rc)
        return rc;
    return nacc_build(ctx, acc, n, it, keep + 1, acc);
}

static int earliest_n_add(eddy_func_ctx *ctx, const eddy_function *f, eddy_value *acc,
                          int argc, const eddy_value *argv)
{
    return offset_n_add(ctx, f, acc, argc, argv, true);
}

static int latest_n_add(eddy_func_ctx *ctx, const eddy_function *f, eddy_value *acc, int argc,
                        const eddy_value *argv)
{
    return offset_n_add(ctx, f, acc, argc, argv, false);
}

/* Merges the two SEQ-ordered lists, keeps the first (earliest) or last (latest) N. */
static int offset_n_merge(eddy_func_ctx *ctx, eddy_value *acc, const eddy_value *other,
                          bool earliest)
{
    const eddy_value *a = &acc->u.items[1], *b = &other->u.items[1];
    uint32_t na = list_len(a), nb = list_len(b), i = 0, j = 0, k = 0;
    int32_t n = !acc->u.items[0].is_null ? acc->u.items[0].u.i32
              : !other->u.items[0].is_null ? other->u.items[0].u.i32 : 0;
    eddy_value *it = new_items(ctx, (size_t)na + nb);
    if (!it)
        return oom(ctx);
    while (i < na || j < nb) {
        if (j >= nb || (i < na && a->u.items[i].u.items[0].u.i64 <=
                                      b->u.items[j].u.items[0].u.i64))
            it[k++] = a->u.items[i++];
        else
            it[k++] = b->u.items[j++];
    }
    uint32_t from = 0;
    if (n > 0 && k > (uint32_t)n) {
        if (!earliest)
            from = k - (uint32_t)n;
        k = (uint32_t)n;
    }
    return nacc_build(ctx, n > 0 ? NULL : acc, n, it + from, k, acc);
}

static int earliest_n_merge(eddy_func_ctx *ctx, const eddy_function *f, eddy_value *acc,
                            const eddy_value *other)
{
    (void)f;
    return offset_n_merge(ctx, acc, other, true);
}

static int latest_n_merge(eddy_func_ctx *ctx, const eddy_function *f, eddy_value *acc,
                          const eddy_value *other)
{
    (void)f;
    return offset_n_merge(ctx, acc, other, false);
}

static int offset_n_result(eddy_func_ctx *ctx, const eddy_function *f, const eddy_value *acc,
                           eddy_value *out)
{
    (void)f;
    const eddy_value *items = &acc->u.items[1];
    uint32_t n = list_len(items);
    eddy_value *it = new_items(ctx, n);
    if (!it)
        return oom(ctx);
    for (uint32_t i = 0; i < n; i++)
        it[i] = items->u.items[i].u.items[1];
    *out = mk_array(it, n);
    return 0;
}

/* -------------------------------------------------- TOPK / TOPKDISTINCT */

/* Accumulator STRUCT<K INTEGER, VALS ARRAY<E>>: the top values in descending order, where E
 * is T, or for TOPK(col, otherCols..., k) STRUCT<sort_col T, col0 A0, col1 A1, ...>. Ties
 * keep arrival order (Java's stable sort: qtt topk-group-by.json "topk integer struct").
 * K is stored for merge. NULL sort values are skipped. */
static int resolve_topk(const eddy_function *f, int argc, const eddy_type *const *argt,
                        const eddy_type **param, const eddy_type **ret, const eddy_type **agg,
                        char *errstr, size_t errstr_size)
{
    (void)errstr;
    (void)errstr_size;
    bool with_cols = (uintptr_t)f->udata != 0;
    if (with_cols ? argc < 3 : argc != 2)
        return EDDY_ETYPE;
    if (!is_orderable(argt[0]) || (argt[argc - 1] && argt[argc - 1] != eddy_type_int()))
        return EDDY_ETYPE;
    const eddy_type *elem = argt[0];
    param[0] = argt[0];
    param[argc - 1] = eddy_type_int();
    if (with_cols) {
        eddy_field fs[64];
        char names[64][16];
        fs[0].name = "sort_col";
        fs[0].type = argt[0];
        for (int i = 1; i < argc - 1; i++) {
            if (!argt[i])
                return EDDY_ETYPE;
            snprintf(names[i], sizeof names[i], "col%d", i - 1);
            fs[i].name = names[i];
            fs[i].type = argt[i];
            param[i] = argt[i];
        }
        elem = eddy_type_struct((uint32_t)argc - 1, fs);
        if (!elem)
            return EDDY_ETYPE;
    }
    *ret = eddy_type_array(elem);
    *agg = struct2("K", eddy_type_int(), "VALS", *ret);
    return *ret && *agg ? 0 : EDDY_ETYPE;
}

static const eddy_value *sort_key(const eddy_value *e)
{
    return e->type == EDDY_TYPE_STRUCT && !e->is_null ? &e->u.items[0] : e;
}

static int topk_add_common(eddy_func_ctx *ctx, const eddy_function *f, eddy_value *acc,
                           int argc, const eddy_value *argv, bool distinct)
{
    const eddy_value *kv = &argv[argc - 1];
    if (kv->is_null || kv->u.i32 <= 0)
        return eddy_func_fail(ctx, "%s: k must be 1 or greater", f->name);
    if (argv[0].is_null)
        return 0;
    uint32_t k = (uint32_t)kv->u.i32;
    const eddy_value *vals = &acc->u.items[1];
    uint32_t n = list_len(vals), pos = n;
    for (uint32_t i = 0; i < n; i++) {
        int c = eddy_value_compare(sort_key(&vals->u.items[i]), &argv[0]);
        if (distinct && c == 0)
            return 0;
        if (c < 0) {
            pos = i;
            break;
        }
    }
    if (pos >= k)
        return nacc_build(ctx, acc, (int32_t)k, vals->u.items, n, acc);
    eddy_value elem;
    if (argc > 2) {
        eddy_value *it = new_items(ctx, (size_t)argc - 1);
        if (!it)
            return oom(ctx);
        for (int i = 0; i < argc - 1; i++)
            if (eddy_value_copy(ctx->arena, &argv[i], &it[i]))
                return oom(ctx);
        elem = mk_struct(it, (uint32_t)argc - 1);
    } else if (eddy_value_copy(ctx->arena, &argv[0], &elem)) {
        return oom(ctx);
    }
    uint32_t nn = n + 1 > k ? k : n + 1;
    eddy_value *it = new_items(ctx, nn);
    if (!it)
        return oom(ctx);
    copy_items(it, vals->u.items, pos);
    it[pos] = elem;
    if (nn > pos + 1)
        memcpy(it + pos + 1, vals->u.items + pos, (nn - pos - 1) * sizeof *it);
    return nacc_build(ctx, acc, (int32_t)k, it, nn, acc);
}

static int topk_add(eddy_func_ctx *ctx, const eddy_function *f, eddy_value *acc, int argc,
                    const eddy_value *argv)
{
    return topk_add_common(ctx, f, acc, argc, argv, false);
}

static int topkdistinct_add(eddy_func_ctx *ctx, const eddy_function *f, eddy_value *acc,
                            int argc, const eddy_value *argv)
{
    return topk_add_common(ctx, f, acc, argc, argv, true);
}

static int topk_merge_common(eddy_func_ctx *ctx, eddy_value *acc, const eddy_value *other,
                             bool distinct)
{
    const eddy_value *a = &acc->u.items[1], *b = &other->u.items[1];
    uint32_t na = list_len(a), nb = list_len(b), i = 0, j = 0, k = 0;
    int32_t kk = !acc->u.items[0].is_null ? acc->u.items[0].u.i32
               : !other->u.items[0].is_null ? other->u.items[0].u.i32 : 0;
    uint32_t lim = kk > 0 ? (uint32_t)kk : na + nb;
    eddy_value *it = new_items(ctx, (size_t)na + nb);
    if (!it)
        return oom(ctx);
    while ((i < na || j < nb) && k < lim) {
        const eddy_value *next;
        if (j >= nb || (i < na && eddy_value_compare(sort_key(&a->u.items[i]),
                                                     sort_key(&b->u.items[j])) >= 0))
            next = &a->u.items[i++];
        else
            next = &b->u.items[j++];
        if (distinct && k > 0 &&
            eddy_value_compare(sort_key(&it[k - 1]), sort_key(next)) == 0)
            continue;
        it[k++] = *next;
    }
    return nacc_build(ctx, kk > 0 ? NULL : acc, kk, it, k, acc);
}

static int topk_merge(eddy_func_ctx *ctx, const eddy_function *f, eddy_value *acc,
                      const eddy_value *other)
{
    (void)f;
    return topk_merge_common(ctx, acc, other, false);
}

static int topkdistinct_merge(eddy_func_ctx *ctx, const eddy_function *f, eddy_value *acc,
                              const eddy_value *other)
{
    (void)f;
    return topk_merge_common(ctx, acc, other, true);
}

static int topk_result(eddy_func_ctx *ctx, const eddy_function *f, const eddy_value *acc,
                       eddy_value *out)
{
    (void)ctx;
    (void)f;
    const eddy_value *vals = &acc->u.items[1];
    *out = mk_array(list_len(vals) ? vals->u.items : NULL, list_len(vals));
    return 0;
}

/* ------------------------------------------------------------- HISTOGRAM */

/* Accumulator MAP<STRING, BIGINT> in first-seen order. As ksqlDB, at most 1000 distinct
 * values are counted (later new values are ignored, known ones still counted); an entry
 * whose count drops to 0 on undo is removed (qtt histogram.json "histogram on a table").
 * NULL values are skipped. */
#define HISTOGRAM_LIMIT 1000

static int empty_map_init(eddy_func_ctx *ctx, const eddy_function *f, eddy_value *acc)
{
    (void)ctx;
    (void)f;
    *acc = mk_map(NULL, 0);
    return 0;
}

static int64_t map_find(const eddy_value *m, const eddy_value *key)
{
    if (m->is_null)
        return -1;
    for (uint32_t i = 0; i < m->len; i++)
        if (eddy_value_equal(&m->u.items[2 * i], key))
            return i;
    return -1;
}

/* Adds `delta` to key's count (inserting or removing the entry as needed). */
static int histogram_bump(eddy_func_ctx *ctx, eddy_value *acc, const eddy_value *key,
                          int64_t delta, bool copy_key)
{
    uint32_t n = acc->is_null ? 0 : acc->len;
    int64_t at = map_find(acc, key);
    if (at < 0 && (delta <= 0 || n >= HISTOGRAM_LIMIT))
        return 0;
    int64_t count = (at < 0 ? 0 : acc->u.items[2 * at + 1].u.i64) + delta;
    uint32_t nn = at < 0 ? n + 1 : count < 1 ? n - 1 : n;
    eddy_value *it = new_items(ctx, 2 * (size_t)nn);
    if (!it)
        return oom(ctx);
    uint32_t o = 0;
    for (uint32_t i = 0; i < n; i++) {
        if ((int64_t)i == at && count < 1)
            continue;
        it[2 * o] = acc->u.items[2 * i];
        it[2 * o + 1] = (int64_t)i == at ? eddy_bigint(count) : acc->u.items[2 * i + 1];
        o++;
    }
    if (at < 0) {
        if (copy_key) {
            if (eddy_value_copy(ctx->arena, key, &it[2 * o]))
                return oom(ctx);
        } else {
            it[2 * o] = *key;
        }
        it[2 * o + 1] = eddy_bigint(count);
        o++;
    }
    *acc = mk_map(it, o);
    return 0;
}

static int histogram_add(eddy_func_ctx *ctx, const eddy_function *f, eddy_value *acc, int argc,
                         const eddy_value *argv)
{
    (void)f;
    (void)argc;
    return argv[0].is_null ? 0 : histogram_bump(ctx, acc, &argv[0], 1, true);
}

static int histogram_undo(eddy_func_ctx *ctx, const eddy_function *f, eddy_value *acc,
                          int argc, const eddy_value *argv)
{
    (void)f;
    (void)argc;
    return argv[0].is_null ? 0 : histogram_bump(ctx, acc, &argv[0], -1, false);
}

static int histogram_merge(eddy_func_ctx *ctx, const eddy_function *f, eddy_value *acc,
                           const eddy_value *other)
{
    (void)f;
    for (uint32_t i = 0; !other->is_null && i < other->len; i++) {
        int rc = histogram_bump(ctx, acc, &other->u.items[2 * i],
                                other->u.items[2 * i + 1].u.i64, false);
        if (rc)
            return rc;
    }
    return 0;
}

/* ------------------------------------------------ STDDEV_SAMP / STDDEV_SAMPLE */

/* Accumulator STRUCT<SUM T, COUNT BIGINT, M2 DOUBLE> (ksqlDB's StandardDeviationSampUdaf):
 * M2 is the sum of squared deviations, updated as Youngs and Cramer,
 *   M2 += (n*x - SUM)^2 / (n*(n-1))   with n and SUM after the row,
 * where n*x - SUM is computed in T's arithmetic as Java does. The result is
 * M2 / (COUNT - 1), 0 for fewer than two values: STDDEV_SAMP returns that variance (as the
 * doc warns), STDDEV_SAMPLE its square root. Merge: Chan et al.'s pairwise formula. */
static int stddev_init(eddy_func_ctx *ctx, const eddy_function *f, eddy_value *acc)
{
    eddy_value *it = new_items(ctx, 3);
    if (!it)
        return oom(ctx);
    it[0] = num_zero(udata_type(f));
    it[1] = eddy_bigint(0);
    it[2] = eddy_double(0.0);
    *acc = mk_struct(it, 3);
    return 0;
}

/* n*x - sum, in the arithmetic of x's type (sum already includes x). */
static double stddev_delta(const eddy_value *x, const eddy_value *sum, int64_t n)
{
    switch (x->type) {
    case EDDY_TYPE_INT:
        return (double)(int64_t)((uint64_t)x->u.i32 * (uint64_t)n - (uint64_t)(int64_t)sum->u.i32);
    case EDDY_TYPE_BIGINT:
        return (double)(int64_t)((uint64_t)x->u.i64 * (uint64_t)n - (uint64_t)sum->u.i64);
    default:
        return x->u.f64 * (double)n - sum->u.f64;
    }
}

static int stddev_step(eddy_func_ctx *ctx, eddy_value *acc, const eddy_value *x, int sign)
{
    if (x->is_null)
        return 0;
    eddy_value *it = new_items(ctx, 3);
    if (!it)
        return oom(ctx);
    memcpy(it, acc->u.items, 3 * sizeof *it);
    int64_t n = it[1].u.i64;
    if (sign > 0) {
        n++;
        int rc = sum_step(ctx, &it[0], x, 1);
        if (rc)
            return rc;
        if (n > 1) {
            double d = stddev_delta(x, &it[0], n);
            it[2].u.f64 += d * d / ((double)n * (double)(n - 1));
        }
        it[1].u.i64 = n;
    } else {
        if (n <= 1) {
            it[0] = num_zero(it[0].type);
            it[1].u.i64 = 0;
            it[2].u.f64 = 0.0;
        } else {
            double d = stddev_delta(x, &it[0], n);
            it[2].u.f64 -= d * d / ((double)n * (double)(n - 1));
            int rc = sum_step(ctx, &it[0], x, -1);
            if (rc)
                return rc;
            it[1].u.i64 = n - 1;
        }
    }
    *acc = mk_struct(it, 3);
    return 0;
}

static int stddev_add(eddy_func_ctx *ctx, const eddy_function *f, eddy_value *acc, int argc,
                      const eddy_value *argv)
{
    (void)f;
    (void)argc;
    return stddev_step(ctx, acc, &argv[0], 1);
}

static int stddev_undo(eddy_func_ctx *ctx, const eddy_function *f, eddy_value *acc, int argc,
                       const eddy_value *argv)
{
    (void)f;
    (void)argc;
    return stddev_step(ctx, acc, &argv[0], -1);
}

static int stddev_merge(eddy_func_ctx *ctx, const eddy_function *f, eddy_value *acc,
                        const eddy_value *other)
{
    (void)f;
    int64_t na = acc->u.items[1].u.i64, nb = other->u.items[1].u.i64;
    if (nb == 0)
        return 0;
    if (na == 0) {
        *acc = *other;
        return 0;
    }
    eddy_value *it = new_items(ctx, 3);
    if (!it)
        return oom(ctx);
    memcpy(it, acc->u.items, 3 * sizeof *it);
    double ma = num_to_double(&acc->u.items[0]) / (double)na;
    double mb = num_to_double(&other->u.items[0]) / (double)nb;
    double d = mb - ma;
    int rc = sum_step(ctx, &it[0], &other->u.items[0], 1);
    if (rc)
        return rc;
    it[1].u.i64 = na + nb;
    it[2].u.f64 = acc->u.items[2].u.f64 + other->u.items[2].u.f64 +
                  d * d * (double)na * (double)nb / (double)(na + nb);
    *acc = mk_struct(it, 3);
    return 0;
}

static double stddev_variance(const eddy_value *acc)
{
    int64_t n = acc->u.items[1].u.i64;
    return n < 2 ? 0.0 : acc->u.items[2].u.f64 / (double)(n - 1);
}

static int stddev_samp_result(eddy_func_ctx *ctx, const eddy_function *f,
                              const eddy_value *acc, eddy_value *out)
{
    (void)ctx;
    (void)f;
    *out = eddy_double(stddev_variance(acc));
    return 0;
}

static int stddev_sample_result(eddy_func_ctx *ctx, const eddy_function *f,
                                const eddy_value *acc, eddy_value *out)
{
    (void)ctx;
    (void)f;
    *out = eddy_double(sqrt(stddev_variance(acc)));
    return 0;
}

/* ---------------------------------------------------------- CORRELATION */

/* Accumulator STRUCT<X_SUM, Y_SUM, X_SQUARED_SUM, Y_SQUARED_SUM, XY_SUM DOUBLE,
 * COUNT BIGINT> (ksqlDB's CorrelationUdaf); rows where x or y is NULL are skipped. The
 * result is Pearson's r from the sums: NaN for fewer than two rows or a constant column. */
#define CORR_FIELDS 6

static int corr_init(eddy_func_ctx *ctx, const eddy_function *f, eddy_value *acc)
{
    (void)f;
    eddy_value *it = new_items(ctx, CORR_FIELDS);
    if (!it)
        return oom(ctx);
    for (int i = 0; i < 5; i++)
        it[i] = eddy_double(0.0);
    it[5] = eddy_bigint(0);
    *acc = mk_struct(it, CORR_FIELDS);
    return 0;
}

static int corr_fold(eddy_func_ctx *ctx, eddy_value *acc, const double d[5], int64_t n,
                     int sign)
{
    eddy_value *it = new_items(ctx, CORR_FIELDS);
    if (!it)
        return oom(ctx);
    memcpy(it, acc->u.items, CORR_FIELDS * sizeof *it);
    for (int i = 0; i < 5; i++)
        it[i].u.f64 = sign > 0 ? it[i].u.f64 + d[i] : it[i].u.f64 - d[i];
    it[5].u.i64 += sign > 0 ? n : -n;
    *acc = mk_struct(it, CORR_FIELDS);
    return 0;
}

static int corr_step(eddy_func_ctx *ctx, eddy_value *acc, const eddy_value *argv, int sign)
{
    if (argv[0].is_null || argv[1].is_null)
        return 0;
    double x = argv[0].u.f64, y = argv[1].u.f64;
    double d[5] = {x, y, x * x, y * y, x * y};
    return corr_fold(ctx, acc, d, 1, sign);
}

static int corr_add(eddy_func_ctx *ctx, const eddy_function *f, eddy_value *acc, int argc,
                    const eddy_value *argv)
{
    (void)f;
    (void)argc;
    return corr_step(ctx, acc, argv, 1);
}

static int corr_undo(eddy_func_ctx *ctx, const eddy_function *f, eddy_value *acc, int argc,
                     const eddy_value *argv)
{
    (void)f;
    (void)argc;
    return corr_step(ctx, acc, argv, -1);
}

static int corr_merge(eddy_func_ctx *ctx, const eddy_function *f, eddy_value *acc,
                      const eddy_value *other)
{
    (void)f;
    double d[5];
    for (int i = 0; i < 5; i++)
        d[i] = other->u.items[i].u.f64;
    return corr_fold(ctx, acc, d, other->u.items[5].u.i64, 1);
}

static int corr_result(eddy_func_ctx *ctx, const eddy_function *f, const eddy_value *acc,
                       eddy_value *out)
{
    (void)ctx;
    (void)f;
    const eddy_value *it = acc->u.items;
    double n = (double)it[5].u.i64;
    double xs = it[0].u.f64, ys = it[1].u.f64, xxs = it[2].u.f64, yys = it[3].u.f64,
           xys = it[4].u.f64;
    double num = n * xys - xs * ys;
    double den = sqrt(n * xxs - xs * xs) * sqrt(n * yys - ys * ys);
    *out = eddy_double(num / den);
    return 0;
}

/* ---------------------------------------------------------- registration */

static int reg(eddy_registry *r, const char *name, const char *sig, const char *desc,
               eddy_resolve_fn resolve, eddy_aggregate_fns fns, uintptr_t udata)
{
    eddy_function f = {.name = name, .kind = EDDY_FUNC_AGGREGATE, .signature = sig,
                       .description = desc, .source = "built-in", .calls_on_null = true,
                       .resolve = resolve, .aggregate = fns, .udata = (void *)udata};
    return eddy_registry_add(r, &f, false, NULL, 0);
}

typedef struct tname {
    int id;
    const char *sql; /* as written in signatures */
} tname;

static const tname orderable[] = {
    {EDDY_TYPE_INT, "INTEGER"}, {EDDY_TYPE_BIGINT, "BIGINT"}, {EDDY_TYPE_DOUBLE, "DOUBLE"},
    {EDDY_TYPE_DECIMAL, "DECIMAL"}, {EDDY_TYPE_STRING, "STRING"}, {EDDY_TYPE_BYTES, "BYTES"},
    {EDDY_TYPE_DATE, "DATE"}, {EDDY_TYPE_TIME, "TIME"}, {EDDY_TYPE_TIMESTAMP, "TIMESTAMP"},
};

static const tname any_types[] = {
    {EDDY_TYPE_BOOLEAN, "BOOLEAN"}, {EDDY_TYPE_INT, "INTEGER"}, {EDDY_TYPE_BIGINT, "BIGINT"},
    {EDDY_TYPE_DOUBLE, "DOUBLE"}, {EDDY_TYPE_DECIMAL, "DECIMAL"}, {EDDY_TYPE_STRING, "STRING"},
    {EDDY_TYPE_BYTES, "BYTES"}, {EDDY_TYPE_DATE, "DATE"}, {EDDY_TYPE_TIME, "TIME"},
    {EDDY_TYPE_TIMESTAMP, "TIMESTAMP"}, {EDDY_TYPE_ARRAY, "ARRAY<T>"},
    {EDDY_TYPE_MAP, "MAP<K, V>"}, {EDDY_TYPE_STRUCT, "STRUCT< >"},
};

static const tname numeric3[] = {
    {EDDY_TYPE_INT, "INTEGER"}, {EDDY_TYPE_BIGINT, "BIGINT"}, {EDDY_TYPE_DOUBLE, "DOUBLE"},
};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static int reg_offset(eddy_registry *r, bool earliest)
{
    const char *name = earliest ? "EARLIEST_BY_OFFSET" : "LATEST_BY_OFFSET";
    const char *nname = earliest ? "earliestN" : "latestN";
    const char *desc1 = earliest ? "The earliest value of the column, by offset."
                                 : "The latest value of the column, by offset.";
    const char *descn = earliest ? "The earliest N values of the column, by offset."
                                 : "The latest N values of the column, by offset.";
    eddy_aggregate_fns single = {offset_single_init, earliest ? earliest_add : latest_add, NULL,
                                 earliest ? earliest_merge : latest_merge,
                                 offset_single_result};
    eddy_aggregate_fns nfns = {k_struct_init, earliest ? earliest_n_add : latest_n_add, NULL,
                               earliest ? earliest_n_merge : latest_n_merge, offset_n_result};
    for (size_t i = 0; i < NELEM(any_types); i++) {
        const char *t = any_types[i].sql;
        uintptr_t id = (uintptr_t)any_types[i].id;
        char sig[160];
        int rc;
        snprintf(sig, sizeof sig, "(%s val) -> %s", t, t);
        if ((rc = reg(r, name, sig, desc1, resolve_offset, single, id)))
            return rc;
        snprintf(sig, sizeof sig, "(%s val, BOOLEAN ignoreNulls) -> %s", t, t);
        if ((rc = reg(r, name, sig, desc1, resolve_offset, single, id | OFS_IGNORE)))
            return rc;
        snprintf(sig, sizeof sig, "(%s val, INTEGER %s) -> ARRAY<%s>", t, nname, t);
        if ((rc = reg(r, name, sig, descn, resolve_offset, nfns, id | OFS_N)))
            return rc;
        snprintf(sig, sizeof sig, "(%s val, INTEGER %s, BOOLEAN ignoreNulls) -> ARRAY<%s>", t,
                 nname, t);
        if ((rc = reg(r, name, sig, descn, resolve_offset, nfns, id | OFS_N | OFS_IGNORE)))
            return rc;
    }
    return 0;
}

int eddy_builtins_agg_register(eddy_registry *r)
{
    int rc;
    char sig[160];
    eddy_aggregate_fns count = {count_init, count_add, count_undo, count_merge,
                                identity_result};
    if ((rc = reg(r, "COUNT", "() -> BIGINT AS BIGINT", "Counts the rows.", NULL, count, 0)) ||
        (rc = reg(r, "COUNT", "(T col1) -> BIGINT AS BIGINT",
                  "Counts the rows where col1 is not NULL.", NULL, count, 0)))
        return rc;

    eddy_aggregate_fns sum = {sum_init, sum_add, sum_undo, sum_merge, identity_result};
    static const tname sum_types[] = {{EDDY_TYPE_INT, "INTEGER"}, {EDDY_TYPE_BIGINT, "BIGINT"},
                                      {EDDY_TYPE_DOUBLE, "DOUBLE"},
                                      {EDDY_TYPE_DECIMAL, "DECIMAL"}};
    for (size_t i = 0; i < NELEM(sum_types); i++) {
        const char *t = sum_types[i].sql;
        snprintf(sig, sizeof sig, "(%s col1) -> %s AS %s", t, t, t);
        if ((rc = reg(r, "SUM", sig, "Sums the column values, ignoring NULLs.", NULL, sum,
                      (uintptr_t)sum_types[i].id)))
            return rc;
    }
    eddy_aggregate_fns sum_list = {sum_init, sum_list_add, sum_list_undo, sum_merge,
                                   identity_result};
    for (size_t i = 0; i < NELEM(sum_types) - 1; i++) { /* no DECIMAL list overload */
        const char *t = sum_types[i].sql;
        snprintf(sig, sizeof sig, "(ARRAY<%s> list) -> %s AS %s", t, t, t);
        if ((rc = reg(r, "SUM_LIST", sig, "Sums the elements of every list, ignoring NULLs.",
                      NULL, sum_list, (uintptr_t)sum_types[i].id)))
            return rc;
    }

    eddy_aggregate_fns avg = {avg_init, avg_add, avg_undo, avg_merge, avg_result};
    eddy_aggregate_fns sd_samp = {stddev_init, stddev_add, stddev_undo, stddev_merge,
                                  stddev_samp_result};
    eddy_aggregate_fns sd_sample = {stddev_init, stddev_add, stddev_undo, stddev_merge,
                                    stddev_sample_result};
    for (size_t i = 0; i < NELEM(numeric3); i++) {
        const char *t = numeric3[i].sql;
        uintptr_t id = (uintptr_t)numeric3[i].id;
        snprintf(sig, sizeof sig, "(%s col1) -> DOUBLE AS STRUCT<SUM %s, COUNT BIGINT>", t, t);
        if ((rc = reg(r, "AVG", sig, "The average of the column values.", NULL, avg, id)))
            return rc;
        snprintf(sig, sizeof sig,
                 "(%s col1) -> DOUBLE AS STRUCT<SUM %s, COUNT BIGINT, M2 DOUBLE>", t, t);
        if ((rc = reg(r, "STDDEV_SAMP", sig,
                      "The sample variance of the column (the square of the sample standard "
                      "deviation).", NULL, sd_samp, id)) ||
            (rc = reg(r, "STDDEV_SAMPLE", sig,
                      "The sample standard deviation of the column.", NULL, sd_sample, id)))
            return rc;
    }

    eddy_aggregate_fns min = {typed_null_init, min_add, NULL, min_merge, identity_result};
    eddy_aggregate_fns max = {typed_null_init, max_add, NULL, max_merge, identity_result};
    for (size_t i = 0; i < NELEM(orderable); i++) {
        const char *t = orderable[i].sql;
        uintptr_t id = (uintptr_t)orderable[i].id;
        snprintf(sig, sizeof sig, "(%s col1) -> %s AS %s", t, t, t);
        if ((rc = reg(r, "MIN", sig, "The minimum of the column, ignoring NULLs.", NULL, min,
                      id)) ||
            (rc = reg(r, "MAX", sig, "The maximum of the column, ignoring NULLs.", NULL, max,
                      id)))
            return rc;
    }

    eddy_aggregate_fns clist = {empty_array_init, collect_list_add, collect_list_undo,
                                collect_list_merge, identity_result};
    eddy_aggregate_fns cset = {empty_array_init, collect_set_add, NULL, collect_set_merge,
                               identity_result};
    eddy_aggregate_fns cdist = {count_distinct_init, count_distinct_add, NULL,
                                count_distinct_merge, count_distinct_result};
    eddy_aggregate_fns attr = {empty_array_init, collect_list_add, collect_list_undo,
                               collect_list_merge, attr_result};
    if ((rc = reg(r, "ATTR", "(T col1) -> T AS ARRAY<T>",
                  "The value when every row of the group has the same one, else NULL.", NULL,
                  attr, 0)))
        return rc;
    if ((rc = reg(r, "COLLECT_LIST", "(T col1) -> ARRAY<T> AS ARRAY<T>",
                  "An array of the column's values, in arrival order.", NULL, clist, 0)) ||
        (rc = reg(r, "COLLECT_SET", "(T col1) -> ARRAY<T> AS ARRAY<T>",
                  "An array of the column's distinct values.", NULL, cset, 0)) ||
        (rc = reg(r, "COUNT_DISTINCT", "(T col1) -> BIGINT AS BYTES",
                  "The approximate number of distinct values of the column (HyperLogLog).",
                  NULL, cdist, 0)))
        return rc;

    if ((rc = reg_offset(r, true)) || (rc = reg_offset(r, false)))
        return rc;

    eddy_aggregate_fns topk = {k_struct_init, topk_add, NULL, topk_merge, topk_result};
    eddy_aggregate_fns topkd = {k_struct_init, topkdistinct_add, NULL, topkdistinct_merge,
                                topk_result};
    if ((rc = reg(r, "TOPK", "(T col1, INTEGER k) -> ARRAY<T>",
                  "The top k values of the column.", resolve_topk, topk, 0)) ||
        (rc = reg(r, "TOPK", NULL,
                  "TOPK(col1, otherCols..., k): the top k rows by col1, as "
                  "STRUCT<sort_col, col0, ...>.", resolve_topk, topk, 1)) ||
        (rc = reg(r, "TOPKDISTINCT", "(T col1, INTEGER k) -> ARRAY<T>",
                  "The top k distinct values of the column.", resolve_topk, topkd, 0)))
        return rc;

    eddy_aggregate_fns hist = {empty_map_init, histogram_add, histogram_undo, histogram_merge,
                               identity_result};
    if ((rc = reg(r, "HISTOGRAM", "(STRING col1) -> MAP<STRING, BIGINT> AS MAP<STRING, BIGINT>",
                  "The number of times each distinct value of the column occurs.", NULL, hist,
                  0)))
        return rc;

    eddy_aggregate_fns corr = {corr_init, corr_add, corr_undo, corr_merge, corr_result};
    return reg(r, "CORRELATION",
               "(DOUBLE x, DOUBLE y) -> DOUBLE AS STRUCT<X_SUM DOUBLE, Y_SUM DOUBLE, "
               "X_SQUARED_SUM DOUBLE, Y_SQUARED_SUM DOUBLE, XY_SUM DOUBLE, COUNT BIGINT>",
               "The Pearson correlation coefficient of x and y.", NULL, corr, 0);
}
