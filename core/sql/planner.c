/* planner.c: SELECT -> pipeline graph (topic_source, filter, project, topic_sink). */
#include "sql/planner.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sql/ast.h"

eddy_source *eddy_plan_from(const eddy_catalog *c, const eddy_sql_query *q, char *errstr,
                            size_t errstr_size)
{
    eddy_source *s = eddy_catalog_find(c, q->from.name);
    if (!s)
        eddy_seterr(errstr, errstr_size, EDDY_ENOTFOUND,
                    "%s does not exist.", q->from.name);
    return s;
}

static void add_str(cJSON *o, const char *k, const char *v)
{
    if (v)
        cJSON_AddStringToObject(o, k, v);
}

static cJSON *source_config(const eddy_source *s)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "topic", s->topic);
    eddy_buf cols = {0};
    eddy_schema_format(s->schema, &cols);
    cJSON_AddStringToObject(o, "columns", eddy_buf_cstr(&cols));
    eddy_buf_free(&cols);
    cJSON_AddStringToObject(o, "key_format", s->key_format);
    cJSON_AddStringToObject(o, "value_format", s->value_format);
    add_str(o, "key_delimiter", s->key_delimiter);
    add_str(o, "value_delimiter", s->value_delimiter);
    if (s->wrap_single >= 0)
        cJSON_AddBoolToObject(o, "wrap_single_value", s->wrap_single);
    add_str(o, "timestamp", s->timestamp);
    if (s->kind == EDDY_SOURCE_TABLE)
        cJSON_AddBoolToObject(o, "table", 1);
    return o;
}

static cJSON *sink_config(const eddy_plan_sink *k)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "topic", k->topic);
    cJSON_AddStringToObject(o, "key_format", k->key_format);
    cJSON_AddStringToObject(o, "value_format", k->value_format);
    add_str(o, "key_delimiter", k->key_delimiter);
    add_str(o, "value_delimiter", k->value_delimiter);
    if (k->wrap_single >= 0)
        cJSON_AddBoolToObject(o, "wrap_single_value", k->wrap_single);
    return o;
}

/* "`NAME`" with back-quotes doubled inside. */
static void quote_ident(eddy_buf *b, const char *name)
{
    eddy_buf_putc(b, '`');
    for (const char *p = name; *p; p++) {
        if (*p == '`')
            eddy_buf_putc(b, '`');
        eddy_buf_putc(b, *p);
    }
    eddy_buf_putc(b, '`');
}

/* Is `a` a bare reference to column `name` of the input (qualified or not)? */
static bool is_column(const eddy_ast *a, const char *name)
{
    return a && a->kind == EDDY_AST_COLUMN && strcmp(a->name, name) == 0;
}

static const char *const reserved[] = {"ROWTIME", "ROWPARTITION", "ROWOFFSET", "WINDOWSTART",
                                       "WINDOWEND", NULL};

/* The output name of select item `i`: its alias, a column's or a dereferenced field's name,
 * else KSQL_COL_<i>. */
static const char *item_name(const eddy_sql_select_item *it, uint32_t i, char *buf, size_t n)
{
    if (it->alias)
        return it->alias;
    if (it->expr->kind == EDDY_AST_COLUMN || it->expr->kind == EDDY_AST_DEREF)
        return it->expr->name;
    snprintf(buf, n, "KSQL_COL_%u", i);
    return buf;
}

/* Checks an item against the reserved names (ROWTIME...). */
static int check_reserved(const eddy_sql_select_item *it, char *errstr, size_t errstr_size)
{
    for (const char *const *r = reserved; *r; r++) {
        if (it->alias && strcmp(it->alias, *r) == 0)
            return eddy_seterr(errstr, errstr_size, EDDY_EINVAL,
                               "`%s` is a reserved column name. You cannot use it as an alias "
                               "for a column.", *r);
        if (!it->alias && it->expr->kind == EDDY_AST_COLUMN && strcmp(it->expr->name, *r) == 0)
            return eddy_seterr(errstr, errstr_size, EDDY_EINVAL,
                               "Reserved column name in select: `%s`. Please remove or alias "
                               "the column.", *r);
    }
    return 0;
}

/* Appends "expr AS `name`" to `arr`. */
static void add_item(cJSON *arr, const eddy_ast *expr, const char *name)
{
    eddy_buf b = {0};
    eddy_ast_format(expr, &b);
    eddy_buf_puts(&b, " AS ");
    quote_ident(&b, name);
    cJSON_AddItemToArray(arr, cJSON_CreateString(eddy_buf_cstr(&b)));
    eddy_buf_free(&b);
}

static void add_column(cJSON *arr, const char *name)
{
    eddy_buf b = {0};
    quote_ident(&b, name);
    cJSON_AddItemToArray(arr, cJSON_CreateString(eddy_buf_cstr(&b)));
    eddy_buf_free(&b);
}

static bool star_matches(const eddy_sql_select_item *it, const eddy_source *from,
                         const eddy_sql_query *q)
{
    return it->kind == EDDY_SQL_ITEM_STAR || strcmp(it->qualifier, from->name) == 0 ||
           (q->from.alias && strcmp(it->qualifier, q->from.alias) == 0);
}

/* Without PARTITION BY: the input's key columns stay the key; each must be selected. */
static int project_keyed(const eddy_sql_query *q, const eddy_source *from,
                         const eddy_plan_sink *sink, cJSON *keys, cJSON *values, char *errstr,
                         size_t errstr_size)
{
    const eddy_schema *in = from->schema;
    bool key_seen[64] = {0};
    if (in->nkey > 64)
        return eddy_seterr(errstr, errstr_size, EDDY_EINVAL, "too many key columns");
    for (uint32_t i = 0; i < q->nitems; i++) {
        const eddy_sql_select_item *it = &q->items[i];
        if (it->kind != EDDY_SQL_ITEM_EXPR) {
            if (!star_matches(it, from, q))
                return eddy_seterr(errstr, errstr_size, EDDY_ENOTFOUND,
                                   "'%s' is not a valid stream/table name or alias.",
                                   it->qualifier);
            for (uint32_t k = 0; k < in->ncols; k++) {
                if (k < in->nkey)
                    key_seen[k] = true;
                add_column(k < in->nkey ? keys : values, in->cols[k].name);
            }
            continue;
        }
        int rc = check_reserved(it, errstr, errstr_size);
        if (rc)
            return rc;
        char buf[32];
        const char *name = item_name(it, i, buf, sizeof buf);
        int key = -1;
        for (uint32_t k = 0; k < in->nkey; k++)
            if (is_column(it->expr, in->cols[k].name) && !key_seen[k])
                key = (int)k;
        if (key >= 0)
            key_seen[key] = true;
        add_item(key >= 0 ? keys : values, it->expr, name);
    }
    for (uint32_t k = 0; k < in->nkey; k++)
        if (!key_seen[k])
            return eddy_seterr(errstr, errstr_size, EDDY_EINVAL,
                               "Key missing from projection (ie, SELECT).\nThe query used to "
                               "build `%s` must include the key column %s in its projection "
                               "(eg, SELECT %s...).", sink->name, in->cols[k].name,
                               in->cols[k].name);
    return 0;
}

/* With PARTITION BY: the partition expressions become the key. With `*` the old key columns
 * move into the value; with a list, the item equal to a partition expression is its key
 * column, and every other item is a value. */
static int project_partitioned(const eddy_sql_query *q, const eddy_source *from,
                               const eddy_plan_sink *sink, cJSON *keys, cJSON *values,
                               char *errstr, size_t errstr_size)
{
    const eddy_schema *in = from->schema;
    uint32_t np = q->npartition_by;
    char **ptext = calloc(np ? np : 1, sizeof *ptext);
    bool *pdone = calloc(np ? np : 1, sizeof *pdone);
    for (uint32_t k = 0; k < np; k++) {
        eddy_buf b = {0};
        eddy_ast_format(q->partition_by[k], &b);
        ptext[k] = strdup(eddy_buf_cstr(&b));
        eddy_buf_free(&b);
    }
    int rc = 0;
    bool star = false;
    for (uint32_t i = 0; i < q->nitems && rc == 0; i++) {
        const eddy_sql_select_item *it = &q->items[i];
        if (it->kind != EDDY_SQL_ITEM_EXPR) {
            if (!star_matches(it, from, q))
                rc = eddy_seterr(errstr, errstr_size, EDDY_ENOTFOUND,
                                 "'%s' is not a valid stream/table name or alias.",
                                 it->qualifier);
            star = true;
            continue;
        }
        if ((rc = check_reserved(it, errstr, errstr_size)))
            break;
        eddy_buf b = {0};
        eddy_ast_format(it->expr, &b);
        int part = -1;
        for (uint32_t k = 0; k < np; k++)
            if (!pdone[k] && strcmp(ptext[k], eddy_buf_cstr(&b)) == 0)
                part = (int)k;
        eddy_buf_free(&b);
        char buf[32];
        const char *name = item_name(it, i, buf, sizeof buf);
        if (part >= 0)
            pdone[part] = true;
        add_item(part >= 0 ? keys : values, it->expr, name);
    }
    if (rc == 0 && star) {
        /* Value columns (minus a bare partition column), then the old key columns. */
        for (int pass = 0; pass < 2; pass++) {
            for (uint32_t k = 0; k < in->ncols; k++) {
                if ((k < in->nkey) != (pass == 1))
                    continue;
                bool is_part = false;
                for (uint32_t j = 0; j < np; j++)
                    is_part |= is_column(q->partition_by[j], in->cols[k].name);
                if (!is_part)
                    add_column(values, in->cols[k].name);
            }
        }
    }
    for (uint32_t k = 0; rc == 0 && k < np; k++) {
        if (pdone[k])
            continue;
        const eddy_ast *pe = q->partition_by[k];
        if (!star && pe->kind != EDDY_AST_NULL) {
            rc = eddy_seterr(errstr, errstr_size, EDDY_EINVAL,
                             "Key missing from projection (ie, SELECT).\nThe query used to "
                             "build `%s` must include the partitioning expression %s in its "
                             "projection (eg, SELECT %s...).", sink->name, ptext[k], ptext[k]);
            break;
        }
        if (pe->kind == EDDY_AST_NULL)
            continue; /* PARTITION BY NULL: no key */
        char buf[32];
        const char *name = pe->kind == EDDY_AST_COLUMN || pe->kind == EDDY_AST_DEREF
                               ? pe->name
                               : (snprintf(buf, sizeof buf, "KSQL_COL_%u", k), buf);
        add_item(keys, pe, name);
    }
    for (uint32_t k = 0; k < np; k++)
        free(ptext[k]);
    free(ptext);
    free(pdone);
    return rc;
}

int eddy_plan_query(const eddy_catalog *c, const eddy_sql_query *q, const eddy_plan_sink *sink,
                    eddy_graph **out, int *result_node, char *errstr, size_t errstr_size)
{
    *out = NULL;
    eddy_source *from = eddy_plan_from(c, q, errstr, errstr_size);
    if (!from)
        return EDDY_ENOTFOUND;
    if (q->njoins)
        return eddy_seterr(errstr, errstr_size, EDDY_EINVAL, "JOIN is not supported yet");
    if (q->window.kind != EDDY_SQL_WINDOW_NONE)
        return eddy_seterr(errstr, errstr_size, EDDY_EINVAL, "WINDOW is not supported yet");
    if (q->has_group_by)
        return eddy_seterr(errstr, errstr_size, EDDY_EINVAL, "GROUP BY is not supported yet");
    if (q->having)
        return eddy_seterr(errstr, errstr_size, EDDY_EINVAL, "HAVING is not supported yet");
    if (from->kind == EDDY_SOURCE_TABLE)
        return eddy_seterr(errstr, errstr_size, EDDY_EINVAL,
                           "queries over tables are not supported yet");

    const eddy_schema *in = from->schema;
    cJSON *keys = cJSON_CreateArray(), *values = cJSON_CreateArray();
    int rc = q->has_partition_by
                 ? project_partitioned(q, from, sink, keys, values, errstr, errstr_size)
                 : project_keyed(q, from, sink, keys, values, errstr, errstr_size);
    (void)in;
    if (rc == 0 && cJSON_GetArraySize(values) == 0)
        rc = eddy_seterr(errstr, errstr_size, EDDY_EINVAL,
                         "The projection contains no value columns.");
    if (rc) {
        cJSON_Delete(keys);
        cJSON_Delete(values);
        return rc;
    }

    eddy_graph *g = eddy_graph_new(sink->name);
    const char *prev = "source";
    eddy_graph_add_node(g, "source", "topic_source", source_config(from), NULL, 0);
    if (q->where) {
        eddy_buf w = {0};
        eddy_ast_format(q->where, &w);
        cJSON *fc = cJSON_CreateObject();
        cJSON_AddStringToObject(fc, "where", eddy_buf_cstr(&w));
        eddy_buf_free(&w);
        eddy_graph_add_node(g, "where", "filter", fc, &prev, 1);
        prev = "where";
    }
    cJSON *pc = cJSON_CreateObject();
    cJSON_AddItemToObject(pc, "columns", values);
    if (cJSON_GetArraySize(keys))
        cJSON_AddItemToObject(pc, "key", keys);
    else
        cJSON_Delete(keys);
    int proj = eddy_graph_add_node(g, "project", "project", pc, &prev, 1);
    prev = "project";
    eddy_graph_add_node(g, "sink", "topic_sink", sink_config(sink), &prev, 1);
    rc = eddy_graph_validate(g, errstr, errstr_size);
    if (rc) {
        eddy_graph_destroy(g);
        return rc;
    }
    *out = g;
    *result_node = proj;
    return 0;
}
