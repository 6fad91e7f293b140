/* putil.c: helpers shared by the built-in operator plugins (config errors, type names,
 * predicates, paths, memory a batch owns). */
#include "putil.h"

#include <ctype.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int pu_err(char *errstr, size_t errstr_size, int code, const char *fmt, ...)
{
    if (errstr && errstr_size) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(errstr, errstr_size, fmt, ap);
        va_end(ap);
    }
    return code;
}

void pu_type_name(const eddy_host_api *api, const eddy_type *t, char *buf, size_t size)
{
    /* The API formats schemas, not types: format a one-column schema and cut the name off. */
    static const char *const prefix = "`X` ";
    snprintf(buf, size, "%s", "UNKNOWN");
    if (!t)
        return;
    eddy_schema_builder *b = api->schema_builder_new();
    if (!b)
        return;
    bool ok = api->schema_builder_add(b, "X", t, EDDY_COL_VALUE) == 0;
    eddy_schema *s = api->schema_build(b); /* destroys the builder, also on failure */
    if (!ok || !s) {
        api->schema_release(s);
        return;
    }
    eddy_buf out = {0};
    if (api->schema_format(s, &out) == 0 && out.len > strlen(prefix))
        snprintf(buf, size, "%.*s", (int)(out.len - strlen(prefix)), out.data + strlen(prefix));
    api->buf_free(&out);
    api->schema_release(s);
}

int pu_find_column(const eddy_host_api *api, const eddy_schema *s, const char *name)
{
    int i = api->schema_find(s, name);
    if (i >= 0)
        return i;
    char up[256];
    size_t n = strlen(name);
    if (n >= sizeof up)
        return -1;
    for (size_t k = 0; k <= n; k++)
        up[k] = (char)toupper((unsigned char)name[k]);
    return api->schema_find(s, up);
}

char *pu_resolve_path(const eddy_host_api *api, eddy_op *op, const char *path)
{
    if (path[0] == '/' || strcmp(path, "-") == 0)
        return strdup(path);
    const char *dir = api->pipeline_dir(op);
    if (!dir || !dir[0] || strcmp(dir, ".") == 0)
        return strdup(path);
    size_t dl = strlen(dir), pl = strlen(path);
    char *r = malloc(dl + pl + 2);
    if (!r)
        return NULL;
    memcpy(r, dir, dl);
    size_t k = dl;
    if (dir[dl - 1] != '/')
        r[k++] = '/';
    memcpy(r + k, path, pl + 1);
    return r;
}

int pu_compile_predicate(const eddy_host_api *api, eddy_op *op, const char *what,
                         const char *text, const eddy_schema *schema, eddy_expr **out,
                         char *errstr, size_t errstr_size)
{
    char why[EDDY_ERRSTR_SIZE] = "";
    eddy_expr *e = NULL;
    int rc = api->expr_compile(op, text, schema, &e, why, sizeof why);
    if (rc)
        return pu_err(errstr, errstr_size, rc, "%s: %s", what, why);
    const eddy_type *t = api->expr_type(e);
    if (!t || t->id != EDDY_TYPE_BOOLEAN) {
        char tn[128];
        pu_type_name(api, t, tn, sizeof tn);
        api->expr_destroy(e);
        return pu_err(errstr, errstr_size, EDDY_ETYPE, "%s: expression must be BOOLEAN, got %s",
                      what, tn);
    }
    *out = e;
    return 0;
}

int pu_eval_predicate(const eddy_host_api *api, eddy_op *op, const eddy_expr *e,
                      const eddy_record *rec, eddy_arena *arena, char *errstr,
                      size_t errstr_size)
{
    eddy_value v;
    int rc = api->expr_eval(op, e, rec, arena, &v, errstr, errstr_size);
    if (rc)
        return rc;
    return !v.is_null && v.type == EDDY_TYPE_BOOLEAN && v.u.b;
}

/* ------------------------------------------------------------ batch memory */

/* Block classes: a holder schema of `ncols` BYTES columns gives ncols * sizeof(eddy_value)
 * bytes per append. Built once per process (building is quadratic in the column count, so
 * the larger classes are only built when a request needs them). */
#define NCLASS 3
static const uint32_t class_cols[NCLASS] = {2048, 8192, 32768}; /* 64 KiB, 256 KiB, 1 MiB */
static const eddy_schema *class_schema[NCLASS];
static pthread_mutex_t class_lock = PTHREAD_MUTEX_INITIALIZER;

static const eddy_schema *holder_schema(const eddy_host_api *api, int c)
{
    pthread_mutex_lock(&class_lock);
    if (!class_schema[c]) {
        eddy_schema_builder *b = api->schema_builder_new();
        const eddy_type *bytes = api->type_primitive(EDDY_TYPE_BYTES);
        bool ok = b != NULL;
        char name[16];
        for (uint32_t i = 0; ok && i < class_cols[c]; i++) {
            snprintf(name, sizeof name, "B%u", i);
            ok = api->schema_builder_add(b, name, bytes, EDDY_COL_VALUE) == 0;
        }
        eddy_schema *s = b ? api->schema_build(b) : NULL;
        if (ok)
            class_schema[c] = s; /* kept for the life of the process */
        else
            api->schema_release(s);
    }
    const eddy_schema *s = class_schema[c];
    pthread_mutex_unlock(&class_lock);
    return s;
}

void pu_alloc_init(pu_alloc *a, const eddy_host_api *api, eddy_op *op)
{
    memset(a, 0, sizeof *a);
    a->api = api;
    a->op = op;
}

void *pu_alloc_bytes(pu_alloc *a, eddy_batch *b, size_t n)
{
    if (n > PU_ALLOC_MAX)
        return NULL;
    if (!a->holder || a->size - a->used < n) {
        int c = 0;
        while (c < NCLASS - 1 && class_cols[c] * sizeof(eddy_value) < n)
            c++;
        const eddy_schema *s = holder_schema(a->api, c);
        if (!s)
            return NULL;
        eddy_batch *h = a->api->batch_new(a->op, s, 1);
        eddy_record *r = h ? a->api->batch_append(h) : NULL;
        if (!r) {
            a->api->batch_release(h);
            return NULL;
        }
        /* Batches that used the old block hold their own reference to it. */
        a->api->batch_release(a->holder);
        a->holder = h;
        a->block = (char *)r->cols;
        a->size = (size_t)s->ncols * sizeof(eddy_value);
        a->used = 0;
    }
    if (a->api->batch_retain_parent(b, a->holder) != 0)
        return NULL;
    void *p = a->block + a->used;
    a->used += n;
    return p;
}

void pu_alloc_fini(pu_alloc *a)
{
    a->api->batch_release(a->holder);
    a->holder = NULL;
    a->block = NULL;
}
