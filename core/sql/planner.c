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
    if (q->has_partition_by)
        return eddy_seterr(errstr, errstr_size, EDDY_EINVAL, "PARTITION BY is not supported yet");
    if (q->having)
        return eddy_seterr(errstr, errstr_size, EDDY_EINVAL, "HAVING is not supported yet");
    if (from->kind == EDDY_SOURCE_TABLE)
        return eddy_seterr(errstr, errstr_size, EDDY_EINVAL,
                           "queries over tables are not supported yet");

    const eddy_schema *in = from->schema;
    cJSON *keys = cJSON_CreateArray(), *values = cJSON_CreateArray();
    bool *key_seen = calloc(in->nkey ? in->nkey : 1, sizeof *key_seen);
    eddy_buf item = {0};
    int rc = 0;
    for (uint32_t i = 0; i < q->nitems && rc == 0; i++) {
        const eddy_sql_select_item *it = &q->items[i];
        if (it->kind != EDDY_SQL_ITEM_EXPR) {
            if (it->kind == EDDY_SQL_ITEM_SOURCE_STAR && strcmp(it->qualifier, from->name) != 0 &&
                !(q->from.alias && strcmp(it->qualifier, q->from.alias) == 0)) {
                rc = eddy_seterr(errstr, errstr_size, EDDY_ENOTFOUND,
                                 "'%s' is not a valid stream/table name or alias.",
                                 it->qualifier);
                break;
            }
            /* * : every column of the input, keys as keys. */
            for (uint32_t k = 0; k < in->ncols; k++) {
                eddy_buf_clear(&item);
                quote_ident(&item, in->cols[k].name);
                bool key = k < in->nkey;
                if (key)
                    key_seen[k] = true;
                cJSON_AddItemToArray(key ? keys : values,
                                     cJSON_CreateString(eddy_buf_cstr(&item)));
            }
            continue;
        }
        if (it->alias)
            for (const char *const *r = reserved; *r; r++)
                if (strcmp(it->alias, *r) == 0) {
                    rc = eddy_seterr(errstr, errstr_size, EDDY_EINVAL,
                                     "`%s` is a reserved column name. You cannot use it as an "
                                     "alias for a column.", *r);
                    break;
                }
        if (rc)
            break;
        if (!it->alias && it->expr->kind == EDDY_AST_COLUMN)
            for (const char *const *r = reserved; *r; r++)
                if (strcmp(it->expr->name, *r) == 0) {
                    rc = eddy_seterr(errstr, errstr_size, EDDY_EINVAL,
                                     "Reserved column name in select: `%s`. Please remove or "
                                     "alias the column.", *r);
                    break;
                }
        if (rc)
            break;
        eddy_buf_clear(&item);
        eddy_ast_format(it->expr, &item);
        int key = -1;
        for (uint32_t k = 0; k < in->nkey; k++)
            if (is_column(it->expr, in->cols[k].name))
                key = (int)k;
        const char *name = it->alias;
        char derived[32];
        if (!name && it->expr->kind == EDDY_AST_COLUMN)
            name = it->expr->name;
        else if (!name && it->expr->kind == EDDY_AST_DEREF)
            name = it->expr->name;
        else if (!name) {
            snprintf(derived, sizeof derived, "KSQL_COL_%u", i);
            name = derived;
        }
        eddy_buf_puts(&item, " AS ");
        quote_ident(&item, name);
        if (key >= 0 && !key_seen[key]) {
            key_seen[key] = true;
            cJSON_AddItemToArray(keys, cJSON_CreateString(eddy_buf_cstr(&item)));
        } else {
            cJSON_AddItemToArray(values, cJSON_CreateString(eddy_buf_cstr(&item)));
        }
    }
    for (uint32_t k = 0; rc == 0 && k < in->nkey; k++)
        if (!key_seen[k])
            rc = eddy_seterr(errstr, errstr_size, EDDY_EINVAL,
                             "Key missing from projection (ie, SELECT).\nThe query used to "
                             "build `%s` must include the key column %s in its projection (eg, "
                             "SELECT %s...).", sink->name, in->cols[k].name, in->cols[k].name);
    if (rc == 0 && cJSON_GetArraySize(values) == 0)
        rc = eddy_seterr(errstr, errstr_size, EDDY_EINVAL,
                         "The projection contains no value columns.");
    free(key_seen);
    eddy_buf_free(&item);
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
