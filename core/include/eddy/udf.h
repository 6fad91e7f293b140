/* udf.h: SQL functions (scalar, aggregate, table) and the registry that C built-ins, native
 * function plugins and Lua UDFs share. */
#ifndef EDDY_UDF_H
#define EDDY_UDF_H

#include "eddy/common.h"
#include "eddy/arena.h"
#include "eddy/value.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum eddy_func_kind {
    EDDY_FUNC_SCALAR = 1,
    EDDY_FUNC_AGGREGATE = 2,
    EDDY_FUNC_TABLE = 3
} eddy_func_kind;

/* Per-call context: where results are allocated and where a failure is explained. */
typedef struct eddy_func_ctx {
    eddy_arena *arena;  /* results (strings, arrays) are allocated here */
    char *errstr;       /* a failing call writes its reason here */
    size_t errstr_size;
    void *worker;       /* per-worker state (e.g. the Lua state); owned by the runtime */
} eddy_func_ctx;

typedef struct eddy_function eddy_function;

/* Scalar: argv holds argc values already coerced to the resolved parameter types. Returns 0
 * and sets *out (its type must be the resolved return type; a NULL result is fine), or a
 * negative code with ctx->errstr filled: the caller sends the record to the processing log. */
typedef int (*eddy_scalar_fn)(eddy_func_ctx *ctx, const eddy_function *f, int argc,
                              const eddy_value *argv, eddy_value *out);

/* Aggregate, as ksqlDB's UDAF: the accumulator is a value of the aggregate type (so state
 * stores can serialize it to a changelog).
 *   init(ctx, f, &acc)               the initial accumulator
 *   add(ctx, f, &acc, argc, argv)    folds one row in (replaces acc; memory from ctx->arena)
 *   undo(ctx, f, &acc, argc, argv)   removes a row (table aggregation); NULL: not undoable
 *   merge(ctx, f, &acc, &other)      merges two accumulators (session windows); may be NULL
 *   result(ctx, f, &acc, &out)       the value the query sees */
typedef struct eddy_aggregate_fns {
    int (*init)(eddy_func_ctx *ctx, const eddy_function *f, eddy_value *acc);
    int (*add)(eddy_func_ctx *ctx, const eddy_function *f, eddy_value *acc, int argc,
               const eddy_value *argv);
    int (*undo)(eddy_func_ctx *ctx, const eddy_function *f, eddy_value *acc, int argc,
                const eddy_value *argv);
    int (*merge)(eddy_func_ctx *ctx, const eddy_function *f, eddy_value *acc,
                 const eddy_value *other);
    int (*result)(eddy_func_ctx *ctx, const eddy_function *f, const eddy_value *acc,
                  eddy_value *out);
} eddy_aggregate_fns;

/* Table function: sets *rows to an array of *nrows values (in ctx->arena), one per output
 * row, each of the resolved return type. */
typedef int (*eddy_table_fn)(eddy_func_ctx *ctx, const eddy_function *f, int argc,
                             const eddy_value *argv, eddy_value **rows, uint32_t *nrows);

/* Resolves one call site: given the argument types (an element may be NULL for an untyped
 * NULL literal), fills param[i] with the type each argument is coerced to and *ret with the
 * return type (and *agg with the accumulator type, aggregates only). Returns 0, or
 * EDDY_ETYPE when this overload does not apply. Most functions leave this NULL and declare
 * `signature` instead; generic functions (ARRAY_MAX(ARRAY<T>) -> T) may need code. */
typedef int (*eddy_resolve_fn)(const eddy_function *f, int argc, const eddy_type *const *argt,
                               const eddy_type **param, const eddy_type **ret,
                               const eddy_type **agg, char *errstr, size_t errstr_size);

/* One overload of a function. Several overloads share a name; the registry picks, for a call,
 * the overload that accepts the arguments without coercion, else the first that accepts them
 * with implicit coercion (type-coercion.md), else fails listing the candidates.
 * `signature` is the SQL-typed parameter list and return type, parsed by the registry:
 *   "(STRING, INT, INT) -> STRING", "(DOUBLE...) -> DOUBLE" (variadic last parameter),
 *   "(ARRAY<T>) -> T", "(T, T) -> T" (T, K, V, U are type variables bound at the call),
 *   aggregates: "(INT) -> BIGINT AS BIGINT" (the part after AS is the accumulator type).
 * Unless `calls_on_null` is set, a scalar returns NULL without being called when any argument
 * is NULL (most ksqlDB functions behave so). */
struct eddy_function {
    const char *name;        /* upper case, e.g. "SUBSTRING" */
    eddy_func_kind kind;
    const char *signature;
    const char *description;
    const char *source;      /* "built-in", a plugin or Lua file path */
    bool calls_on_null;
    eddy_resolve_fn resolve; /* optional: replaces `signature` for resolution */
    eddy_scalar_fn scalar;
    eddy_aggregate_fns aggregate;
    eddy_table_fn table;
    void *udata;             /* for the implementer (a Lua reference, say) */
};

/* The registry: name -> overloads. Registration happens at start-up (and at UDF reload, under
 * the registry's lock); lookups are thread-safe. */
typedef struct eddy_registry eddy_registry;

eddy_registry *eddy_registry_new(void);
void eddy_registry_destroy(eddy_registry *r); /* accepts NULL */
/* The process-wide registry holding the built-ins; created on first use. */
eddy_registry *eddy_registry_default(void);
/* Registers a copy of `*f` (strings copied). EDDY_EINVAL when the signature does not parse,
 * EDDY_EEXIST when an overload with the same parameter types exists (unless `replace`). */
int eddy_registry_add(eddy_registry *r, const eddy_function *f, bool replace,
                      char *errstr, size_t errstr_size);
/* Removes every overload whose `source` equals `source` (for UDF reload). Returns how many. */
int eddy_registry_remove_source(eddy_registry *r, const char *source);

/* A resolved call site: the chosen overload and the types. */
typedef struct eddy_func_binding {
    const eddy_function *fn;
    int argc;
    const eddy_type *param[64]; /* coercion target per argument */
    const eddy_type *ret;
    const eddy_type *agg;       /* aggregates: accumulator type */
} eddy_func_binding;

/* Resolves NAME(args). Errors (EDDY_ENOTFOUND, EDDY_ETYPE) say, as ksqlDB does:
 * "Can't find any functions with the name 'FOO'" or
 * "Function 'SUBSTRING' does not accept parameters (INTEGER). Valid alternatives are: ...". */
int eddy_registry_resolve(eddy_registry *r, const char *name, eddy_func_kind kind, int argc,
                          const eddy_type *const *argt, eddy_func_binding *out,
                          char *errstr, size_t errstr_size);
/* Visits every overload (for SHOW FUNCTIONS / DESCRIBE FUNCTION), sorted by name. */
void eddy_registry_foreach(eddy_registry *r, void (*cb)(const eddy_function *f, void *opaque),
                           void *opaque);

/* Appends the function listing of SHOW FUNCTIONS / DESCRIBE FUNCTION (and `eddy functions`).
 * Without `name`: a header line, then one line per function (sorted): NAME, kind (scalar,
 * aggregate, table), number of overloads, where from (built-in, or the plugin or Lua file).
 * With `name` (any case): "Name : NAME", "Type : kind", then per overload its signature
 * ("Variation : NAME(INT a) -> INT"), kind, source and description. EDDY_ENOTFOUND (out
 * untouched, errstr "Can't find any functions with the name 'X'", as ksqlDB) when there is no
 * such function. */
int eddy_registry_describe(eddy_registry *r, const char *name, eddy_buf *out, char *errstr,
                           size_t errstr_size);

/* Reload safe points. A library that reloads functions while pipelines run (udf_path.c) keeps
 * every version of a function, tags each with the generation it was published in, and calls
 * through the newest version whose generation is <= eddy_func_generation(). Publishing a
 * reload: link the new versions with tag eddy_func_generation_published() + 1, then call
 * eddy_func_generation_publish() (one publisher at a time: the caller serializes).
 *
 * A pipeline worker calls eddy_func_safepoint() when it starts a batch (every task round):
 * the thread adopts the newest published generation and keeps it until its next safe point,
 * so every record of a batch sees one version of every function, and a reload never lands in
 * the middle of one. eddy_func_safepoint_leave() ends that (a worker done with its pipeline):
 * a thread that never called eddy_func_safepoint sees the newest published generation at
 * every call. Thread-local; one atomic load per call. */
uint64_t eddy_func_generation(void);
uint64_t eddy_func_generation_published(void);
uint64_t eddy_func_generation_publish(void); /* returns the new generation */
void eddy_func_safepoint(void);
void eddy_func_safepoint_leave(void);

#ifdef __cplusplus
}
#endif
#endif
