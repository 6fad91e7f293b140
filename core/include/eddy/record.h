/* record.h: schemas, records and the reference-counted batches that carry them. */
#ifndef EDDY_RECORD_H
#define EDDY_RECORD_H

#include "eddy/common.h"
#include "eddy/arena.h"
#include "eddy/value.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------- schemas */

typedef enum eddy_column_kind {
    EDDY_COL_VALUE = 0,
    EDDY_COL_KEY = 1,
    EDDY_COL_HEADERS = 2 /* ARRAY<STRUCT<KEY STRING, VALUE BYTES>> of all headers */
} eddy_column_kind;

typedef struct eddy_column {
    const char *name;      /* owned by the schema */
    const eddy_type *type; /* interned */
    eddy_column_kind kind;
} eddy_column;

/* An ordered list of columns: key columns first, then the others. Immutable once built and
 * shared by pointer; reference counted (eddy_schema_retain / eddy_schema_release), so a batch
 * or an operator keeps the schema it points at alive. Thread-safe reference counting. */
typedef struct eddy_schema {
    uint32_t ncols;
    uint32_t nkey;          /* the first nkey columns are the key */
    eddy_column *cols;
    int refcnt;             /* private */
} eddy_schema;

/* A builder: add columns, then eddy_schema_build(). Key columns may be added in any order
 * relative to value columns; build() puts them first, keeping relative order. */
typedef struct eddy_schema_builder eddy_schema_builder;
eddy_schema_builder *eddy_schema_builder_new(void);
/* EDDY_EEXIST when the name is already used (names are compared exactly: resolve case
 * before). The builder copies `name`. */
int eddy_schema_builder_add(eddy_schema_builder *b, const char *name, const eddy_type *type,
                            eddy_column_kind kind);
/* Returns a schema with refcount 1 and destroys the builder (also on failure). */
eddy_schema *eddy_schema_build(eddy_schema_builder *b);
void eddy_schema_builder_destroy(eddy_schema_builder *b); /* accepts NULL */

eddy_schema *eddy_schema_retain(const eddy_schema *s);
void eddy_schema_release(const eddy_schema *s); /* accepts NULL */
/* Index of the column named `name`, exact match, or -1. */
int eddy_schema_find(const eddy_schema *s, const char *name);
/* Same columns (names, types, kinds) in the same order. */
bool eddy_schema_equal(const eddy_schema *a, const eddy_schema *b);
/* "`ID` STRING KEY, `STARS` INTEGER" (ksqlDB's schema string). Appends to buf. */
int eddy_schema_format(const eddy_schema *s, eddy_buf *buf);

/* -------------------------------------------------------------- records */

typedef struct eddy_header {
    const char *key;      /* header name, not NUL-terminated */
    uint32_t key_len;
    uint32_t value_len;
    const uint8_t *value; /* NULL for a null header value */
} eddy_header;

enum {
    EDDY_REC_TOMBSTONE = 1u << 0, /* a table's delete: the value part is absent */
    EDDY_REC_WINDOWED = 1u << 1,  /* win_start/win_end are set (windowed key) */
    EDDY_REC_NULL_KEY = 1u << 2   /* the key is absent (a Kafka null key), as opposed to a
                                     key whose columns are NULL: written back as null */
};

/* Where a record came from, for the processing log and for offset commits. */
typedef struct eddy_origin {
    const char *source;  /* topic or file name; borrowed from the source operator */
    int32_t partition;   /* -1 when not partitioned */
    int64_t offset;      /* Kafka offset, or line number (from 1) for files; -1 unknown */
} eddy_origin;

/* A row. `cols` holds schema->ncols values (key columns first). Every pointer inside lives
 * in the batch's arena, or in a batch the batch retains (see eddy_batch_retain_parent).
 * ROWTIME is `rowtime`; ROWPARTITION and ROWOFFSET come from `origin`; WINDOWSTART and
 * WINDOWEND from win_start/win_end when EDDY_REC_WINDOWED is set. */
typedef struct eddy_record {
    eddy_value *cols;
    int64_t rowtime;       /* event time, ms since epoch */
    int64_t win_start, win_end;
    uint32_t flags;        /* EDDY_REC_* */
    uint32_t nheaders;
    eddy_header *headers;
    eddy_origin origin;
    /* The bytes the record was decoded from, kept for the processing log (may be NULL). */
    const uint8_t *raw_key, *raw_value;
    uint32_t raw_key_len, raw_value_len;
} eddy_record;

/* -------------------------------------------------------------- batches */

/* A batch: records of one schema, an arena that owns their memory, and a reference count.
 * - Created with refcount 1 by its producer, who releases it after emitting.
 * - process() borrows its input: it may read it until it returns. An operator that keeps
 *   records past the call either copies what it needs or calls eddy_batch_retain().
 * - A batch derived from another (a filter's output pointing at its input's values) holds a
 *   reference to it with eddy_batch_retain_parent(), so the parent outlives it.
 * - When the last reference goes, on_release (if set) runs: the runtime uses it to learn that
 *   a source batch is fully handled, so its offsets may be committed.
 * Records of a batch are read-only once emitted. Reference counting is atomic; anything else
 * on a batch is single-owner. */
typedef struct eddy_batch eddy_batch;
typedef void (*eddy_batch_release_cb)(eddy_batch *b, void *opaque);

struct eddy_batch {
    const eddy_schema *schema; /* retained by the batch */
    eddy_record *recs;
    uint32_t n, cap;
    eddy_arena *arena;
    /* private below */
    int refcnt;
    uint32_t nparents, parents_cap;
    eddy_batch **parents;
    eddy_batch_release_cb on_release;
    void *on_release_opaque;
    struct eddy_batch_pool *pool;
    eddy_batch *pool_next;
};

/* A pool recycles batches and their arenas (no malloc per batch in steady state). One pool
 * per task; eddy_batch_release() may run on any thread (the pool is locked). */
typedef struct eddy_batch_pool eddy_batch_pool;
eddy_batch_pool *eddy_batch_pool_new(void);
/* Destroys the pool; batches still alive are freed when released. Accepts NULL. */
void eddy_batch_pool_destroy(eddy_batch_pool *p);

/* A new empty batch for `schema` (retained), refcount 1, room for `cap_hint` records.
 * `pool` may be NULL (plain malloc). NULL on ENOMEM. */
eddy_batch *eddy_batch_new(eddy_batch_pool *pool, const eddy_schema *schema, uint32_t cap_hint);
/* Appends a zeroed record whose `cols` array (schema->ncols values, all NULL of their column
 * types) is allocated in the arena. Returns NULL on ENOMEM. The pointer stays valid until
 * the next append (records may move when the array grows): fill it, then append the next. */
eddy_record *eddy_batch_append(eddy_batch *b);
/* Appends a shallow copy of `r` (values and their memory are shared, not copied). The batch
 * must retain the batch `r` belongs to (eddy_batch_retain_parent) unless `r`'s memory is its
 * own. NULL on ENOMEM. */
eddy_record *eddy_batch_append_copy(eddy_batch *b, const eddy_record *r);
/* Drops the last record (a producer that failed to fill it). */
void eddy_batch_pop(eddy_batch *b);
/* Makes `b` keep `parent` alive (retains it). 0 or EDDY_ENOMEM. */
int eddy_batch_retain_parent(eddy_batch *b, eddy_batch *parent);
void eddy_batch_set_release_cb(eddy_batch *b, eddy_batch_release_cb cb, void *opaque);
eddy_batch *eddy_batch_retain(eddy_batch *b);
void eddy_batch_release(eddy_batch *b); /* accepts NULL */
static inline void *eddy_batch_alloc(eddy_batch *b, size_t n) { return eddy_arena_alloc(b->arena, n); }

#ifdef __cplusplus
}
#endif
#endif
