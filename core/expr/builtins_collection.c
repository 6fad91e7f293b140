/* builtins_collection.c: ksqlDB's array and map functions (scalar-functions.md,
 * "Collections"): ARRAY_* set and order functions, SLICE, AS_MAP, MAP_KEYS/VALUES/UNION,
 * ENTRIES, ELT, FIELD, SPLIT_TO_MAP and GENERATE_SERIES. Element equality is Java's
 * Objects.equals (eddy_value_equal: NULL equals NULL, 0.0 is not -0.0); order is
 * eddy_value_compare. Results are new item arrays in ctx->arena; items are shared. */
#define _GNU_SOURCE
#include "expr/builtins.h"

#include <stdlib.h>
#include <pthread.h>
#include <string.h>
#include <strings.h>

#define NOMEM(ctx) eddy_func_fail((ctx), "out of memory")

static eddy_value mk_array(eddy_value *items, uint32_t n)
{
    eddy_value v = {0};
    v.type = EDDY_TYPE_ARRAY;
    v.len = n;
    v.u.items = items;
    return v;
}

static eddy_value mk_map(eddy_value *kv, uint32_t n)
{
    eddy_value v = {0};
    v.type = EDDY_TYPE_MAP;
    v.len = n;
    v.u.items = kv;
    return v;
}

static eddy_value *alloc_items(eddy_func_ctx *ctx, size_t n)
{
    return eddy_arena_alloc(ctx->arena, (n ? n : 1) * sizeof(eddy_value));
}

/* ------------------------------------------------------------ a value set */

/* Open addressing over eddy_value_hash/equal, in the arena: distinct and membership tests in
 * linear time. */
typedef struct vset {
    const eddy_value **slot;
    uint32_t mask;
} vset;

static int vset_init(eddy_func_ctx *ctx, vset *s, uint32_t n)
{
    uint32_t cap = 8;
    while (cap < n * 2 + 2)
        cap <<= 1;
    s->slot = eddy_arena_calloc(ctx->arena, cap, sizeof *s->slot);
    s->mask = cap - 1;
    return s->slot ? 0 : NOMEM(ctx);
}

/* Adds v; returns true when it was not there yet. */
static bool vset_add(vset *s, const eddy_value *v)
{
    uint32_t i = (uint32_t)eddy_value_hash(v, 0x9e3779b97f4a7c15ULL) & s->mask;
    while (s->slot[i]) {
        if (eddy_value_equal(s->slot[i], v))
            return false;
        i = (i + 1) & s->mask;
    }
    s->slot[i] = v;
    return true;
}

static bool vset_has(const vset *s, const eddy_value *v)
{
    uint32_t i = (uint32_t)eddy_value_hash(v, 0x9e3779b97f4a7c15ULL) & s->mask;
    while (s->slot[i]) {
        if (eddy_value_equal(s->slot[i], v))
            return true;
        i = (i + 1) & s->mask;
    }
    return false;
}

/* ----------------------------------------------------------------- arrays */

static int fn_array_contains(eddy_func_ctx *ctx, const eddy_function *f, int argc,
                             const eddy_value *argv, eddy_value *out)
{
    (void)ctx;
    (void)f;
    (void)argc;
    bool found = false;
    if (!argv[0].is_null)
        for (uint32_t i = 0; i < argv[0].len && !found; i++)
            found = eddy_value_equal(&argv[0].u.items[i], &argv[1]);
    *out = eddy_bool(found);
    return 0;
}

static int fn_array_length(eddy_func_ctx *ctx, const eddy_function *f, int argc,
                           const eddy_value *argv, eddy_value *out)
{
    (void)ctx;
    (void)f;
    (void)argc;
    *out = eddy_int((int32_t)argv[0].len);
    return 0;
}

/* 0: distinct of a; 1: a except b; 2: a intersect b; 3: union of a and b. */
static int set_op(eddy_func_ctx *ctx, const eddy_value *argv, int op, eddy_value *out)
{
    const eddy_value *a = &argv[0], *b = op ? &argv[1] : NULL;
    uint32_t total = a->len + (op == 3 ? b->len : 0);
    eddy_value *items = alloc_items(ctx, total);
    vset seen, other;
    int rc = items ? vset_init(ctx, &seen, total) : NOMEM(ctx);
    if (!rc && (op == 1 || op == 2)) {
        rc = vset_init(ctx, &other, b->len);
        for (uint32_t i = 0; !rc && i < b->len; i++)
            vset_add(&other, &b->u.items[i]);
    }
    if (rc)
        return rc;
    uint32_t n = 0;
    for (uint32_t i = 0; i < total; i++) {
        const eddy_value *v = i < a->len ? &a->u.items[i] : &b->u.items[i - a->len];
        if (op == 1 && vset_has(&other, v))
            continue;
        if (op == 2 && !vset_has(&other, v))
            continue;
        if (vset_add(&seen, v))
            items[n++] = *v;
    }
    *out = mk_array(items, n);
    return 0;
}

#define SET_FN(name, op)                                                                 \
    static int name(eddy_func_ctx *ctx, const eddy_function *f, int argc,                \
                    const eddy_value *argv, eddy_value *out)                             \
    {                                                                                    \
        (void)f;                                                                         \
        (void)argc;                                                                      \
        return set_op(ctx, argv, op, out);                                               \
    }
SET_FN(fn_array_distinct, 0)
SET_FN(fn_array_except, 1)
SET_FN(fn_array_intersect, 2)
SET_FN(fn_array_union, 3)

/* ARRAY_CONCAT: NULL only when both are; a NULL side counts as empty. */
static int fn_array_concat(eddy_func_ctx *ctx, const eddy_function *f, int argc,
                           const eddy_value *argv, eddy_value *out)
{
    (void)f;
    (void)argc;
    const eddy_value *a = &argv[0], *b = &argv[1];
    if (a->is_null && b->is_null) {
        *out = eddy_null(EDDY_TYPE_ARRAY);
        return 0;
    }
    if (a->is_null || b->is_null) {
        *out = a->is_null ? *b : *a;
        return 0;
    }
    eddy_value *items = alloc_items(ctx, (size_t)a->len + b->len);
    if (!items)
        return NOMEM(ctx);
    if (a->len)
        memcpy(items, a->u.items, a->len * sizeof *items);
    if (b->len)
        memcpy(items + a->len, b->u.items, b->len * sizeof *items);
    *out = mk_array(items, a->len + b->len);
    return 0;
}

/* ARRAY_REMOVE: NULL array gives NULL; a NULL element removes the NULLs. */
static int fn_array_remove(eddy_func_ctx *ctx, const eddy_function *f, int argc,
                           const eddy_value *argv, eddy_value *out)
{
    (void)f;
    (void)argc;
    const eddy_value *a = &argv[0];
    if (a->is_null) {
        *out = eddy_null(EDDY_TYPE_ARRAY);
        return 0;
    }
    eddy_value *items = alloc_items(ctx, a->len);
    if (!items)
        return NOMEM(ctx);
    uint32_t n = 0;
    for (uint32_t i = 0; i < a->len; i++)
        if (!eddy_value_equal(&a->u.items[i], &argv[1]))
            items[n++] = a->u.items[i];
    *out = mk_array(items, n);
    return 0;
}

static bool is_primitive(const eddy_value *v)
{
    return v->type != EDDY_TYPE_ARRAY && v->type != EDDY_TYPE_MAP &&
           v->type != EDDY_TYPE_STRUCT;
}

static int check_primitive(eddy_func_ctx *ctx, const eddy_value *a, const char *fn)
{
    for (uint32_t i = 0; i < a->len; i++)
        if (!a->u.items[i].is_null && !is_primitive(&a->u.items[i]))
            return eddy_func_fail(ctx, "%s only supports arrays of primitive types", fn);
    return 0;
}

/* ARRAY_MAX/ARRAY_MIN: NULL elements are skipped; NULL when none is left. */
static int extreme(eddy_func_ctx *ctx, const eddy_value *a, bool max, eddy_value *out)
{
    int rc = check_primitive(ctx, a, max ? "ARRAY_MAX" : "ARRAY_MIN");
    if (rc)
        return rc;
    const eddy_value *best = NULL;
    for (uint32_t i = 0; i < a->len; i++) {
        const eddy_value *v = &a->u.items[i];
        if (v->is_null)
            continue;
        if (!best || (max ? eddy_value_compare(v, best) > 0 : eddy_value_compare(v, best) < 0))
            best = v;
    }
    *out = best ? *best : eddy_null(0);
    return 0;
}

static int fn_array_max(eddy_func_ctx *ctx, const eddy_function *f, int argc,
                        const eddy_value *argv, eddy_value *out)
{
    (void)f;
    (void)argc;
    return extreme(ctx, &argv[0], true, out);
}

static int fn_array_min(eddy_func_ctx *ctx, const eddy_function *f, int argc,
                        const eddy_value *argv, eddy_value *out)
{
    (void)f;
    (void)argc;
    return extreme(ctx, &argv[0], false, out);
}

/* Stable merge sort (Java's List.sort is stable): NULLs last in both directions. */
static int cmp_dir(const eddy_value *a, const eddy_value *b, bool desc)
{
    if (a->is_null || b->is_null)
        return a->is_null == b->is_null ? 0 : a->is_null ? 1 : -1;
    int c = eddy_value_compare(a, b);
    return desc ? -c : c;
}

static void merge_sort(eddy_value *v, eddy_value *tmp, uint32_t n, bool desc)
{
    if (n < 2)
        return;
    uint32_t h = n / 2;
    merge_sort(v, tmp, h, desc);
    merge_sort(v + h, tmp, n - h, desc);
    uint32_t i = 0, j = h, k = 0;
    while (i < h && j < n)
        tmp[k++] = cmp_dir(&v[j], &v[i], desc) < 0 ? v[j++] : v[i++];
    while (i < h)
        tmp[k++] = v[i++];
    while (j < n)
        tmp[k++] = v[j++];
    memcpy(v, tmp, n * sizeof *v);
}

/* ARRAY_SORT(array [, 'ASC'|'DESC']): an unknown direction gives NULL, as ksqlDB's ArraySort. */
static int fn_array_sort(eddy_func_ctx *ctx, const eddy_function *f, int argc,
                         const eddy_value *argv, eddy_value *out)
{
    (void)f;
    const eddy_value *a = &argv[0];
    bool desc = false;
    if (argc > 1) {
        const eddy_value *d = &argv[1];
        if ((d->len == 3 && strncasecmp(d->u.str, "ASC", 3) == 0) ||
            (d->len == 9 && strncasecmp(d->u.str, "ASCENDING", 9) == 0))
            desc = false;
        else if ((d->len == 4 && strncasecmp(d->u.str, "DESC", 4) == 0) ||
                 (d->len == 10 && strncasecmp(d->u.str, "DESCENDING", 10) == 0))
            desc = true;
        else {
            *out = eddy_null(EDDY_TYPE_ARRAY);
            return 0;
        }
    }
    int rc = check_primitive(ctx, a, "ARRAY_SORT");
    if (rc)
        return rc;
    eddy_value *items = alloc_items(ctx, a->len), *tmp = alloc_items(ctx, a->len);
    if (!items || !tmp)
        return NOMEM(ctx);
    if (a->len)
        memcpy(items, a->u.items, a->len * sizeof *items);
    merge_sort(items, tmp, a->len, desc);
    *out = mk_array(items, a->len);
    return 0;
}

/* Per-thread scratch buffer for ARRAY_JOIN's text: no malloc per call in steady state. */
static _Thread_local eddy_buf scratch;

/* Thread exit releases the scratch memory (see eddy_builtins_at_thread_exit). */
static _Thread_local bool tls_registered;

static void tls_release(void)
{
    eddy_buf_free(&scratch);
}

/* The scratch buffer, emptied, for this thread. */
static void scratch_begin(void)
{
    if (!tls_registered) {
        eddy_builtins_at_thread_exit(tls_release);
        tls_registered = true;
    }
    eddy_buf_clear(&scratch);
}

/* ARRAY_JOIN(array [, delimiter]): elements as ksqlDB prints them ("null" for NULL); a NULL
 * delimiter joins with nothing. */
static int fn_array_join(eddy_func_ctx *ctx, const eddy_function *f, int argc,
                         const eddy_value *argv, eddy_value *out)
{
    (void)f;
    const eddy_value *a = &argv[0];
    if (a->is_null) {
        *out = eddy_null(EDDY_TYPE_STRING);
        return 0;
    }
    int rc = check_primitive(ctx, a, "ARRAY_JOIN");
    if (rc)
        return rc;
    const char *d = ",";
    uint32_t dl = 1;
    if (argc > 1) {
        d = argv[1].is_null ? "" : argv[1].u.str;
        dl = argv[1].is_null ? 0 : argv[1].len;
    }
    scratch_begin();
    for (uint32_t i = 0; !rc && i < a->len; i++) {
        if (i && dl)
            rc = eddy_buf_append(&scratch, d, dl);
        if (!rc)
            rc = eddy_value_format(&scratch, &a->u.items[i]);
    }
    char *p = rc ? NULL : eddy_arena_strndup(ctx->arena, scratch.data ? scratch.data : "",
                                             scratch.len);
    if (!p)
        return NOMEM(ctx);
    *out = eddy_string(p, (uint32_t)scratch.len);
    return 0;
}

/* SLICE(array, from, to): 1-based, both ends included; NULL when out of bounds (Java's
 * List.subList throwing); a NULL bound means the start / the end. */
static int fn_slice(eddy_func_ctx *ctx, const eddy_function *f, int argc,
                    const eddy_value *argv, eddy_value *out)
{
    (void)ctx;
    (void)f;
    (void)argc;
    const eddy_value *a = &argv[0];
    if (a->is_null) {
        *out = eddy_null(EDDY_TYPE_ARRAY);
        return 0;
    }
    int64_t start = argv[1].is_null ? 0 : (int64_t)argv[1].u.i32 - 1;
    int64_t end = argv[2].is_null ? (int64_t)a->len : (int64_t)argv[2].u.i32;
    if (start < 0 || end > a->len || start > end) {
        *out = eddy_null(EDDY_TYPE_ARRAY);
        return 0;
    }
    *out = mk_array(a->u.items + start, (uint32_t)(end - start));
    return 0;
}

/* GENERATE_SERIES(start, end [, step]), inclusive; the step must point from start to end. */
static int fn_generate_series(eddy_func_ctx *ctx, const eddy_function *f, int argc,
                              const eddy_value *argv, eddy_value *out)
{
    (void)f;
    bool big = argv[0].type == EDDY_TYPE_BIGINT;
    int64_t start = big ? argv[0].u.i64 : argv[0].u.i32;
    int64_t end = big ? argv[1].u.i64 : argv[1].u.i32;
    int64_t step = argc > 2 ? argv[2].u.i32 : (end >= start ? 1 : -1);
    if (step == 0)
        return eddy_func_fail(ctx, "GENERATE_SERIES step cannot be zero");
    __int128 diff = (__int128)end - start;
    if ((diff > 0 && step < 0) || (diff < 0 && step > 0))
        return eddy_func_fail(ctx, "GENERATE_SERIES step has wrong sign");
    __int128 size = 1 + diff / step;
    if (size > 10000000)
        return eddy_func_fail(ctx, "GENERATE_SERIES would create %lld elements (at most "
                              "10000000)", (long long)size);
    eddy_value *items = alloc_items(ctx, (size_t)size);
    if (!items)
        return NOMEM(ctx);
    for (int64_t i = 0; i < (int64_t)size; i++) {
        int64_t v = start + i * step;
        items[i] = big ? eddy_bigint(v) : eddy_int((int32_t)v);
    }
    *out = mk_array(items, (uint32_t)size);
    return 0;
}

/* ------------------------------------------------------------------- maps */

/* Puts key/value into kv[0..*n), replacing the value of an existing key. */
static void map_put(eddy_value *kv, uint32_t *n, const eddy_value *k, const eddy_value *v)
{
    for (uint32_t i = 0; i < *n; i++)
        if (eddy_value_equal(&kv[2 * i], k)) {
            kv[2 * i + 1] = *v;
            return;
        }
    kv[2 * *n] = *k;
    kv[2 * *n + 1] = *v;
    (*n)++;
}

/* AS_MAP(keys, values): a missing value is NULL; a repeated key keeps the last value. */
static int fn_as_map(eddy_func_ctx *ctx, const eddy_function *f, int argc,
                     const eddy_value *argv, eddy_value *out)
{
    (void)f;
    (void)argc;
    const eddy_value *k = &argv[0], *v = &argv[1];
    eddy_value *kv = alloc_items(ctx, (size_t)k->len * 2);
    if (!kv)
        return NOMEM(ctx);
    uint32_t n = 0;
    eddy_value vnull = eddy_null(0);
    for (uint32_t i = 0; i < k->len; i++)
        map_put(kv, &n, &k->u.items[i], i < v->len ? &v->u.items[i] : &vnull);
    *out = mk_map(kv, n);
    return 0;
}

static int map_part(eddy_func_ctx *ctx, const eddy_value *m, int which, eddy_value *out)
{
    eddy_value *items = alloc_items(ctx, m->len);
    if (!items)
        return NOMEM(ctx);
    for (uint32_t i = 0; i < m->len; i++)
        items[i] = m->u.items[2 * i + which];
    *out = mk_array(items, m->len);
    return 0;
}

static int fn_map_keys(eddy_func_ctx *ctx, const eddy_function *f, int argc,
                       const eddy_value *argv, eddy_value *out)
{
    (void)f;
    (void)argc;
    return map_part(ctx, &argv[0], 0, out);
}

static int fn_map_values(eddy_func_ctx *ctx, const eddy_function *f, int argc,
                         const eddy_value *argv, eddy_value *out)
{
    (void)f;
    (void)argc;
    return map_part(ctx, &argv[0], 1, out);
}

/* MAP_UNION: map2's values win; a NULL map counts as empty; NULL when both are NULL. */
static int fn_map_union(eddy_func_ctx *ctx, const eddy_function *f, int argc,
                        const eddy_value *argv, eddy_value *out)
{
    (void)f;
    (void)argc;
    const eddy_value *a = &argv[0], *b = &argv[1];
    if (a->is_null && b->is_null) {
        *out = eddy_null(EDDY_TYPE_MAP);
        return 0;
    }
    uint32_t al = a->is_null ? 0 : a->len, bl = b->is_null ? 0 : b->len;
    eddy_value *kv = alloc_items(ctx, ((size_t)al + bl) * 2);
    if (!kv)
        return NOMEM(ctx);
    uint32_t n = 0;
    for (uint32_t i = 0; i < al; i++)
        map_put(kv, &n, &a->u.items[2 * i], &a->u.items[2 * i + 1]);
    for (uint32_t i = 0; i < bl; i++)
        map_put(kv, &n, &b->u.items[2 * i], &b->u.items[2 * i + 1]);
    *out = mk_map(kv, n);
    return 0;
}

/* ENTRIES(map, sorted) -> ARRAY<STRUCT<K STRING, V T>>: needs the value type, so it resolves
 * in code. */
static int entries_resolve(const eddy_function *f, int argc, const eddy_type *const *argt,
                           const eddy_type **param, const eddy_type **ret,
                           const eddy_type **agg, char *errstr, size_t errstr_size)
{
    (void)f;
    (void)agg;
    if (argc != 2 || !argt[0] || argt[0]->id != EDDY_TYPE_MAP ||
        argt[0]->key != eddy_type_string() || (argt[1] && argt[1] != eddy_type_boolean()))
        return eddy_seterr(errstr, errstr_size, EDDY_ETYPE, "ENTRIES(MAP<STRING, T>, BOOLEAN)");
    eddy_field fields[2] = {{"K", eddy_type_string()}, {"V", argt[0]->elem}};
    const eddy_type *st = eddy_type_struct(2, fields);
    if (!st)
        return EDDY_ENOMEM;
    param[0] = argt[0];
    param[1] = eddy_type_boolean();
    *ret = eddy_type_array(st);
    return *ret ? 0 : EDDY_ENOMEM;
}

static int fn_entries(eddy_func_ctx *ctx, const eddy_function *f, int argc,
                      const eddy_value *argv, eddy_value *out)
{
    (void)f;
    (void)argc;
    const eddy_value *m = &argv[0];
    eddy_value *items = alloc_items(ctx, m->len), *fields = alloc_items(ctx, (size_t)m->len * 2);
    if (!items || !fields)
        return NOMEM(ctx);
    for (uint32_t i = 0; i < m->len; i++) {
        fields[2 * i] = m->u.items[2 * i];
        fields[2 * i + 1] = m->u.items[2 * i + 1];
        eddy_value s = {0};
        s.type = EDDY_TYPE_STRUCT;
        s.len = 2;
        s.u.items = &fields[2 * i];
        items[i] = s;
    }
    if (argv[1].u.b) { /* sort by key: the struct's first field */
        eddy_value *tmp = alloc_items(ctx, m->len);
        if (!tmp)
            return NOMEM(ctx);
        merge_sort(items, tmp, m->len, false);
    }
    *out = mk_array(items, m->len);
    return 0;
}

static bool delim_at(const char *s, uint32_t len, uint32_t i, const eddy_value *d)
{
    return i + d->len <= len && memcmp(s + i, d->u.str, d->len) == 0;
}

/* SPLIT_TO_MAP(input, entryDelimiter, kvDelimiter), as Guava's Splitter in ksqlDB's
 * SplitToMap: empty entries are dropped, entries without kvDelimiter too; the value is the
 * text between the first and the second kvDelimiter; a repeated key keeps the last value;
 * an empty delimiter gives NULL. */
static int fn_split_to_map(eddy_func_ctx *ctx, const eddy_function *f, int argc,
                           const eddy_value *argv, eddy_value *out)
{
    (void)f;
    (void)argc;
    const eddy_value *in = &argv[0], *ed = &argv[1], *kd = &argv[2];
    if (ed->len == 0 || kd->len == 0) {
        *out = eddy_null(EDDY_TYPE_MAP);
        return 0;
    }
    uint32_t cap = 1;
    for (uint32_t i = 0; i < in->len; i++)
        if (delim_at(in->u.str, in->len, i, ed)) {
            cap++;
            i += ed->len - 1;
        }
    eddy_value *kv = alloc_items(ctx, (size_t)cap * 2);
    if (!kv)
        return NOMEM(ctx);
    uint32_t n = 0, start = 0;
    for (uint32_t i = 0; i <= in->len;) {
        bool at_end = i == in->len;
        if (!at_end && !delim_at(in->u.str, in->len, i, ed)) {
            i++;
            continue;
        }
        const char *e = in->u.str + start;
        uint32_t el = i - start;
        if (el) {
            uint32_t k1 = UINT32_MAX, k2 = el;
            for (uint32_t j = 0; j + kd->len <= el; j++)
                if (memcmp(e + j, kd->u.str, kd->len) == 0) {
                    if (k1 == UINT32_MAX) {
                        k1 = j;
                        j += kd->len - 1;
                    } else {
                        k2 = j;
                        break;
                    }
                }
            if (k1 != UINT32_MAX) {
                eddy_value key = eddy_string(e, k1);
                eddy_value val = eddy_string(e + k1 + kd->len, k2 - k1 - kd->len);
                map_put(kv, &n, &key, &val);
            }
        }
        if (at_end)
            break;
        i += ed->len;
        start = i;
    }
    *out = mk_map(kv, n);
    return 0;
}

/* ELT(n, args...): the n-th argument (1-based), NULL out of range. */
static int fn_elt(eddy_func_ctx *ctx, const eddy_function *f, int argc,
                  const eddy_value *argv, eddy_value *out)
{
    (void)ctx;
    (void)f;
    if (argv[0].is_null || argv[0].u.i32 < 1 || argv[0].u.i32 > argc - 1) {
        *out = eddy_null(EDDY_TYPE_STRING);
        return 0;
    }
    *out = argv[argv[0].u.i32];
    return 0;
}

/* FIELD(str, args...): 1-based position of str among args, 0 when absent or NULL. */
static int fn_field(eddy_func_ctx *ctx, const eddy_function *f, int argc,
                    const eddy_value *argv, eddy_value *out)
{
    (void)ctx;
    (void)f;
    *out = eddy_int(0);
    if (argv[0].is_null)
        return 0;
    for (int i = 1; i < argc; i++)
        if (!argv[i].is_null && eddy_value_equal(&argv[0], &argv[i])) {
            *out = eddy_int(i);
            return 0;
        }
    return 0;
}

/* ------------------------------------------------------------ registration */

typedef struct def {
    const char *name, *sig, *desc;
    eddy_scalar_fn fn;
    bool calls_on_null;
} def;

static const def defs[] = {
    {"array_contains", "(ARRAY<T> array, T val) -> BOOLEAN",
     "Whether the array contains the value (false for a NULL array).", fn_array_contains,
     true},
    {"array_distinct", "(ARRAY<T> array) -> ARRAY<T>",
     "The distinct elements, in order of first occurrence.", fn_array_distinct, false},
    {"array_except", "(ARRAY<T> left, ARRAY<T> right) -> ARRAY<T>",
     "The distinct elements of left that are not in right.", fn_array_except, false},
    {"array_intersect", "(ARRAY<T> left, ARRAY<T> right) -> ARRAY<T>",
     "The distinct elements of left that are also in right.", fn_array_intersect, false},
    {"array_union", "(ARRAY<T> left, ARRAY<T> right) -> ARRAY<T>",
     "The distinct elements of both arrays.", fn_array_union, false},
    {"array_concat", "(ARRAY<T> left, ARRAY<T> right) -> ARRAY<T>",
     "The concatenation of both arrays (NULL only when both are).", fn_array_concat, true},
    {"array_join", "(ARRAY<T> array) -> STRING",
     "The elements joined with commas.", fn_array_join, false},
    {"array_join", "(ARRAY<T> array, STRING delimiter) -> STRING",
     "The elements joined with a delimiter.", fn_array_join, true},
    {"array_length", "(ARRAY<T> array) -> INTEGER", "The number of elements.",
     fn_array_length, false},
    {"array_max", "(ARRAY<T> array) -> T", "The largest non-NULL element.", fn_array_max,
     false},
    {"array_min", "(ARRAY<T> array) -> T", "The smallest non-NULL element.", fn_array_min,
     false},
    {"array_remove", "(ARRAY<T> array, T victim) -> ARRAY<T>",
     "The array without the elements equal to victim.", fn_array_remove, true},
    {"array_sort", "(ARRAY<T> array) -> ARRAY<T>", "Sorted ascending, NULLs last.",
     fn_array_sort, false},
    {"array_sort", "(ARRAY<T> array, STRING direction) -> ARRAY<T>",
     "Sorted ASC or DESC, NULLs last.", fn_array_sort, false},
    {"slice", "(ARRAY<T> array, INTEGER from, INTEGER to) -> ARRAY<T>",
     "Elements from..to (1-based, inclusive).", fn_slice, true},
    {"generate_series", "(INTEGER start, INTEGER end) -> ARRAY<INTEGER>",
     "The integers from start to end, inclusive.", fn_generate_series, false},
    {"generate_series", "(INTEGER start, INTEGER end, INTEGER step) -> ARRAY<INTEGER>",
     "The integers from start to end, inclusive, by step.", fn_generate_series, false},
    {"generate_series", "(BIGINT start, BIGINT end) -> ARRAY<BIGINT>",
     "The integers from start to end, inclusive.", fn_generate_series, false},
    {"generate_series", "(BIGINT start, BIGINT end, INTEGER step) -> ARRAY<BIGINT>",
     "The integers from start to end, inclusive, by step.", fn_generate_series, false},
    {"as_map", "(ARRAY<STRING> keys, ARRAY<T> values) -> MAP<STRING, T>",
     "A map from a list of keys and a list of values.", fn_as_map, false},
    {"map_keys", "(MAP<STRING, T> map) -> ARRAY<STRING>", "The keys of a map.", fn_map_keys,
     false},
    {"map_values", "(MAP<STRING, T> map) -> ARRAY<T>", "The values of a map.", fn_map_values,
     false},
    {"map_union", "(MAP<STRING, T> map1, MAP<STRING, T> map2) -> MAP<STRING, T>",
     "The union of two maps; map2 wins on common keys.", fn_map_union, true},
    {"split_to_map", "(STRING input, STRING entryDelimiter, STRING kvDelimiter) -> "
                     "MAP<STRING, STRING>",
     "Splits a string into key-value pairs.", fn_split_to_map, false},
    {"elt", "(INTEGER n, STRING... args) -> STRING", "The n-th argument (1-based).", fn_elt,
     true},
    {"field", "(STRING str, STRING... args) -> INTEGER",
     "Position of str among args (1-based), 0 if absent.", fn_field, true},
};

/* TRANSFORM, FILTER and REDUCE take lambdas, which no eddy_function can: the expression
 * binder types and evaluates them itself (expr.c, expr_eval.c). They are registered so that
 * they are listed and described, and known to be scalar; resolving them here never works. */
static int lambda_resolve(const eddy_function *f, int argc, const eddy_type *const *argt,
                          const eddy_type **param, const eddy_type **ret, const eddy_type **agg,
                          char *errstr, size_t errstr_size)
{
    (void)argc;
    (void)argt;
    (void)param;
    (void)ret;
    (void)agg;
    return eddy_seterr(errstr, errstr_size, EDDY_ETYPE, "%s takes a lambda argument", f->name);
}

static int fn_lambda(eddy_func_ctx *ctx, const eddy_function *f, int argc,
                     const eddy_value *argv, eddy_value *out)
{
    (void)argc;
    (void)argv;
    (void)out;
    return eddy_func_fail(ctx, "%s takes a lambda argument", f->name);
}

static const struct {
    const char *name, *desc;
} lambda_defs[] = {
    {"transform", "TRANSFORM(array, x => ...) applies the lambda to every element; "
                  "TRANSFORM(map, (k, v) => ..., (k, v) => ...) computes every entry's new key "
                  "and value (NULL on a NULL value or a duplicate key)."},
    {"filter", "FILTER(array, x => ...) and FILTER(map, (k, v) => ...) keep the elements or "
               "entries for which the lambda is TRUE."},
    {"reduce", "REDUCE(array, state, (s, x) => ...) and REDUCE(map, state, (s, k, v) => ...) "
               "fold the collection into the state; NULL when the state is NULL, the state "
               "when the collection is NULL."},
};

int eddy_builtins_collection_register(eddy_registry *r)
{
    for (size_t i = 0; i < sizeof lambda_defs / sizeof lambda_defs[0]; i++) {
        eddy_function f = {.name = lambda_defs[i].name, .kind = EDDY_FUNC_SCALAR,
                           .description = lambda_defs[i].desc, .source = "built-in",
                           .calls_on_null = true, .resolve = lambda_resolve,
                           .scalar = fn_lambda};
        int rc = eddy_registry_add(r, &f, false, NULL, 0);
        if (rc)
            return rc;
    }
    for (size_t i = 0; i < sizeof defs / sizeof defs[0]; i++) {
        eddy_function f = {.name = defs[i].name, .kind = EDDY_FUNC_SCALAR,
                           .signature = defs[i].sig, .description = defs[i].desc,
                           .source = "built-in", .calls_on_null = defs[i].calls_on_null,
                           .scalar = defs[i].fn};
        int rc = eddy_registry_add(r, &f, false, NULL, 0);
        if (rc)
            return rc;
    }
    eddy_function e = {.name = "entries", .kind = EDDY_FUNC_SCALAR,
                       .description = "The entries of a map as an array of STRUCT<K, V>, "
                                      "sorted by key when `sorted` is true.",
                       .source = "built-in", .resolve = entries_resolve, .scalar = fn_entries};
    return eddy_registry_add(r, &e, false, NULL, 0);
}
