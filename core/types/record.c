/* record.c: schemas (immutable, reference counted) and batches (arena, records, references). */
#include "eddy/record.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------- schemas */

struct eddy_schema_builder {
    eddy_column *cols;
    uint32_t n, cap;
};

eddy_schema_builder *eddy_schema_builder_new(void)
{
    return calloc(1, sizeof(eddy_schema_builder));
}

void eddy_schema_builder_destroy(eddy_schema_builder *b)
{
    if (!b)
        return;
    for (uint32_t i = 0; i < b->n; i++)
        free((char *)b->cols[i].name);
    free(b->cols);
    free(b);
}

int eddy_schema_builder_add(eddy_schema_builder *b, const char *name, const eddy_type *type,
                            eddy_column_kind kind)
{
    if (!name || !type)
        return EDDY_EINVAL;
    for (uint32_t i = 0; i < b->n; i++)
        if (strcmp(b->cols[i].name, name) == 0)
            return EDDY_EEXIST;
    if (b->n == b->cap) {
        uint32_t cap = b->cap ? b->cap * 2 : 8;
        eddy_column *c = realloc(b->cols, cap * sizeof *c);
        if (!c)
            return EDDY_ENOMEM;
        b->cols = c;
        b->cap = cap;
    }
    char *copy = strdup(name);
    if (!copy)
        return EDDY_ENOMEM;
    b->cols[b->n++] = (eddy_column){copy, type, kind};
    return 0;
}

eddy_schema *eddy_schema_build(eddy_schema_builder *b)
{
    if (!b)
        return NULL;
    eddy_schema *s = calloc(1, sizeof *s);
    eddy_column *cols = b->n ? malloc(b->n * sizeof *cols) : NULL;
    if (!s || (b->n && !cols)) {
        free(s);
        free(cols);
        eddy_schema_builder_destroy(b);
        return NULL;
    }
    uint32_t k = 0;
    for (uint32_t i = 0; i < b->n; i++)
        if (b->cols[i].kind == EDDY_COL_KEY)
            cols[k++] = b->cols[i];
    s->nkey = k;
    for (uint32_t i = 0; i < b->n; i++)
        if (b->cols[i].kind != EDDY_COL_KEY)
            cols[k++] = b->cols[i];
    s->ncols = b->n;
    s->cols = cols;
    s->refcnt = 1;
    free(b->cols); /* names moved into the schema */
    free(b);
    return s;
}

eddy_schema *eddy_schema_retain(const eddy_schema *cs)
{
    eddy_schema *s = (eddy_schema *)cs;
    if (s)
        __atomic_add_fetch(&s->refcnt, 1, __ATOMIC_RELAXED);
    return s;
}

void eddy_schema_release(const eddy_schema *cs)
{
    eddy_schema *s = (eddy_schema *)cs;
    if (!s || __atomic_sub_fetch(&s->refcnt, 1, __ATOMIC_ACQ_REL) != 0)
        return;
    for (uint32_t i = 0; i < s->ncols; i++)
        free((char *)s->cols[i].name);
    free(s->cols);
    free(s);
}

int eddy_schema_find(const eddy_schema *s, const char *name)
{
    for (uint32_t i = 0; i < s->ncols; i++)
        if (strcmp(s->cols[i].name, name) == 0)
            return (int)i;
    return -1;
}

bool eddy_schema_equal(const eddy_schema *a, const eddy_schema *b)
{
    if (a == b)
        return true;
    if (!a || !b || a->ncols != b->ncols || a->nkey != b->nkey)
        return false;
    for (uint32_t i = 0; i < a->ncols; i++)
        if (a->cols[i].type != b->cols[i].type || a->cols[i].kind != b->cols[i].kind ||
            strcmp(a->cols[i].name, b->cols[i].name) != 0)
            return false;
    return true;
}

int eddy_schema_format(const eddy_schema *s, eddy_buf *buf)
{
    char tbuf[256];
    for (uint32_t i = 0; i < s->ncols; i++) {
        const eddy_column *c = &s->cols[i];
        size_t need = eddy_type_format(c->type, tbuf, sizeof tbuf);
        char *t = tbuf;
        if (need >= sizeof tbuf) {
            t = malloc(need + 1);
            if (!t)
                return EDDY_ENOMEM;
            eddy_type_format(c->type, t, need + 1);
        }
        int rc = eddy_buf_printf(buf, "%s`%s` %s%s", i ? ", " : "", c->name, t,
                                 c->kind == EDDY_COL_KEY       ? " KEY"
                                 : c->kind == EDDY_COL_HEADERS ? " HEADERS"
                                                               : "");
        if (t != tbuf)
            free(t);
        if (rc)
            return rc;
    }
    return 0;
}

/* ------------------------------------------------------------- batches */

struct eddy_batch_pool {
    pthread_mutex_t lock;
    eddy_batch *free;
    int nfree;
    int live;       /* batches handed out and not yet returned */
    bool destroyed;
};

#define POOL_MAX_FREE 64

eddy_batch_pool *eddy_batch_pool_new(void)
{
    eddy_batch_pool *p = calloc(1, sizeof *p);
    if (p)
        pthread_mutex_init(&p->lock, NULL);
    return p;
}

static void batch_free(eddy_batch *b)
{
    eddy_arena_destroy(b->arena);
    free(b->recs);
    free(b->parents);
    free(b);
}

static void pool_free_all(eddy_batch_pool *p)
{
    while (p->free) {
        eddy_batch *b = p->free;
        p->free = b->pool_next;
        batch_free(b);
    }
    pthread_mutex_destroy(&p->lock);
    free(p);
}

void eddy_batch_pool_destroy(eddy_batch_pool *p)
{
    if (!p)
        return;
    pthread_mutex_lock(&p->lock);
    p->destroyed = true;
    bool last = p->live == 0;
    pthread_mutex_unlock(&p->lock);
    if (last)
        pool_free_all(p);
}

eddy_batch *eddy_batch_new(eddy_batch_pool *pool, const eddy_schema *schema, uint32_t cap_hint)
{
    eddy_batch *b = NULL;
    if (pool) {
        pthread_mutex_lock(&pool->lock);
        if (pool->free) {
            b = pool->free;
            pool->free = b->pool_next;
            pool->nfree--;
        }
        pool->live++;
        pthread_mutex_unlock(&pool->lock);
    }
    if (!b) {
        b = calloc(1, sizeof *b);
        if (b)
            b->arena = eddy_arena_new(0);
        if (!b || !b->arena) {
            if (b)
                free(b);
            if (pool) {
                pthread_mutex_lock(&pool->lock);
                pool->live--;
                pthread_mutex_unlock(&pool->lock);
            }
            return NULL;
        }
    }
    b->pool = pool;
    b->schema = eddy_schema_retain(schema);
    b->n = 0;
    b->refcnt = 1;
    b->nparents = 0;
    b->on_release = NULL;
    b->on_release_opaque = NULL;
    if (cap_hint > b->cap) {
        eddy_record *r = realloc(b->recs, cap_hint * sizeof *r);
        if (r) {
            b->recs = r;
            b->cap = cap_hint;
        }
    }
    return b;
}

static int grow(eddy_batch *b)
{
    if (b->n < b->cap)
        return 0;
    uint32_t cap = b->cap ? b->cap * 2 : 64;
    eddy_record *r = realloc(b->recs, cap * sizeof *r);
    if (!r)
        return EDDY_ENOMEM;
    b->recs = r;
    b->cap = cap;
    return 0;
}

eddy_record *eddy_batch_append(eddy_batch *b)
{
    if (grow(b))
        return NULL;
    uint32_t nc = b->schema ? b->schema->ncols : 0;
    eddy_value *cols = NULL;
    if (nc) {
        cols = eddy_arena_alloc(b->arena, nc * sizeof *cols);
        if (!cols)
            return NULL;
        for (uint32_t i = 0; i < nc; i++) {
            memset(&cols[i], 0, sizeof cols[i]);
            cols[i].type = (uint8_t)b->schema->cols[i].type->id;
            cols[i].is_null = 1;
        }
    }
    eddy_record *r = &b->recs[b->n++];
    memset(r, 0, sizeof *r);
    r->cols = cols;
    r->origin.partition = -1;
    r->origin.offset = -1;
    return r;
}

eddy_record *eddy_batch_append_copy(eddy_batch *b, const eddy_record *src)
{
    if (grow(b))
        return NULL;
    eddy_record *r = &b->recs[b->n++];
    *r = *src;
    return r;
}

void eddy_batch_pop(eddy_batch *b)
{
    if (b->n)
        b->n--;
}

int eddy_batch_retain_parent(eddy_batch *b, eddy_batch *parent)
{
    for (uint32_t i = 0; i < b->nparents; i++)
        if (b->parents[i] == parent)
            return 0;
    if (b->nparents == b->parents_cap) {
        uint32_t cap = b->parents_cap ? b->parents_cap * 2 : 4;
        eddy_batch **p = realloc(b->parents, cap * sizeof *p);
        if (!p)
            return EDDY_ENOMEM;
        b->parents = p;
        b->parents_cap = cap;
    }
    b->parents[b->nparents++] = eddy_batch_retain(parent);
    return 0;
}

void eddy_batch_set_release_cb(eddy_batch *b, eddy_batch_release_cb cb, void *opaque)
{
    b->on_release = cb;
    b->on_release_opaque = opaque;
}

eddy_batch *eddy_batch_retain(eddy_batch *b)
{
    __atomic_add_fetch(&b->refcnt, 1, __ATOMIC_RELAXED);
    return b;
}

void eddy_batch_release(eddy_batch *b)
{
    if (!b || __atomic_sub_fetch(&b->refcnt, 1, __ATOMIC_ACQ_REL) != 0)
        return;
    if (b->on_release)
        b->on_release(b, b->on_release_opaque);
    for (uint32_t i = 0; i < b->nparents; i++)
        eddy_batch_release(b->parents[i]);
    b->nparents = 0;
    eddy_schema_release(b->schema);
    b->schema = NULL;
    eddy_batch_pool *pool = b->pool;
    if (!pool) {
        batch_free(b);
        return;
    }
    eddy_arena_reset(b->arena);
    pthread_mutex_lock(&pool->lock);
    pool->live--;
    bool keep = !pool->destroyed && pool->nfree < POOL_MAX_FREE;
    if (keep) {
        b->pool_next = pool->free;
        pool->free = b;
        pool->nfree++;
    }
    bool last = pool->destroyed && pool->live == 0;
    pthread_mutex_unlock(&pool->lock);
    if (!keep)
        batch_free(b);
    if (last)
        pool_free_all(pool);
}
