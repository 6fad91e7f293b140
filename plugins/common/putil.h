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

/* Resolves `path` against the pipeline file's directory when it is relative. Returns a
 * malloc'ed string (caller frees) or NULL on ENOMEM. "-" and absolute paths are kept. */
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

/* ------------------------------------------------------------ batch memory
 * Memory owned by a batch, for bytes a record points at (a source's line, a rewritten
 * string). eddy_host_api v1 has no allocator for a batch's arena (eddy_batch_alloc() calls
 * libeddy, which plugins may not link), so this gets arena memory the only way the API
 * offers: the `cols` array batch_append() allocates in a batch's arena. A "holder" batch of
 * a wide BYTES schema (never emitted) gives one contiguous block per append; the batch that
 * uses the block retains the holder as a parent, so the bytes live exactly as long as the
 * records pointing at them. Replace with an api->batch_alloc once the API has one.
 * One pu_alloc per task; not thread-safe. Blocks: 64 KiB, or 256 KiB / 1 MiB for larger
 * requests (PU_ALLOC_MAX is the largest single allocation). */
#define PU_ALLOC_MAX (1u << 20)

typedef struct pu_alloc {
    const eddy_host_api *api;
    eddy_op *op;
    eddy_batch *holder;   /* our reference to the block's batch, or NULL */
    char *block;          /* the block (holder's only record's cols) */
    size_t used, size;
    eddy_batch *last_user; /* the batch that last retained `holder` */
} pu_alloc;

void pu_alloc_init(pu_alloc *a, const eddy_host_api *api, eddy_op *op);
/* `n` bytes (n <= PU_ALLOC_MAX, unaligned) that live as long as batch `b`. NULL on ENOMEM or
 * when n is too large. */
void *pu_alloc_bytes(pu_alloc *a, eddy_batch *b, size_t n);
void pu_alloc_fini(pu_alloc *a);

#endif
