/* putil.c: helpers shared by the built-in operator plugins (config errors, type names,
 * predicates, paths, memory a batch owns). */
#include "putil.h"

#include <stddef.h>

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
    (void)api;
    (void)op;
    return strdup(path);
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

bool pu_is_key_column(const char *text, const eddy_schema *s, uint32_t k)
{
    if (k >= s->nkey)
        return false;
    const char *name = s->cols[k].name;
    /* an optional qualifier: "R." */
    const char *dot = strchr(text, '.');
    if (dot && text[0] != '`')
        text = dot + 1;
    size_t n = strlen(text);
    if (n >= 2 && text[0] == '`' && text[n - 1] == '`') {
        text++;
        n -= 2;
    }
    return strlen(name) == n && strncmp(name, text, n) == 0;
}

bool pu_keyed_by(const char *const *exprs, int n, const eddy_schema *s)
{
    bool keyed = (uint32_t)n == s->nkey;
    for (int i = 0; keyed && i < n; i++)
        keyed = pu_is_key_column(exprs[i], s, (uint32_t)i);
    return keyed;
}

eddy_value *pu_null_row(const eddy_host_api *api, eddy_arena *arena, const eddy_schema *s)
{
    eddy_value *cols = api->arena_alloc(arena, (s->ncols + 1) * sizeof *cols);
    for (uint32_t i = 0; cols && i < s->ncols; i++)
        cols[i] = (eddy_value){.type = s->cols[i].type->id, .is_null = true};
    return cols;
}

void pu_put_be64(uint8_t *p, uint64_t v)
{
    for (int i = 7; i >= 0; i--, v >>= 8)
        p[i] = (uint8_t)(v & 0xff);
}

uint64_t pu_get_be64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = v << 8 | p[i];
    return v;
}

int pu_partition_by(const eddy_host_api *api, eddy_op *op, int port, const char *const *exprs,
                    int n, const char *key_format, char *errstr, size_t errstr_size)
{
    if (api->size < offsetof(eddy_host_api, input_partition_by) + sizeof api->input_partition_by)
        return 0;
    if (pu_keyed_by(exprs, n, api->input_schema(op, port)))
        return 0;
    char why[EDDY_ERRSTR_SIZE] = "";
    int rc = api->input_partition_by(op, port, exprs, n, key_format, why, sizeof why);
    if (rc)
        return pu_err(errstr, errstr_size, rc, "partitioning input '%s': %s",
                      api->input_name(op, port), why);
    return 0;
}
