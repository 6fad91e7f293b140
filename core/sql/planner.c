/* planner.c: SELECT -> pipeline graph (topic_source, filter, project, topic_sink). */
#include "sql/planner.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "eddy/udf.h"
#include "expr/builtins.h"
#include "expr/expr.h"
#include "serde/serde_util.h"
#include "sql/parser.h"
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

/* What the runtime needs to create a Kafka topic and lay out windowed keys. */
static void add_topic_settings(cJSON *o, int partitions, int replicas, const char *window)
{
    if (partitions > 0)
        cJSON_AddNumberToObject(o, "partitions", partitions);
    if (replicas > 0)
        cJSON_AddNumberToObject(o, "replicas", replicas);
    add_str(o, "window_type", window);
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
    add_str(o, "timestamp_format", s->timestamp_format);
    if (s->kind == EDDY_SOURCE_TABLE)
        cJSON_AddBoolToObject(o, "table", 1);
    add_topic_settings(o, s->partitions, s->replicas, s->window_type);
    if (s->window_size_ms > 0)
        cJSON_AddNumberToObject(o, "window_size_ms", (double)s->window_size_ms);
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
    add_topic_settings(o, k->partitions, k->replicas, k->window_type);
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


/* The output name of a select item: its alias, a column's or a dereferenced field's name,
 * else KSQL_COL_<n>, where n counts the generated names of the query so far (ksqlDB's
 * numbering: `SELECT A, A + 1, 2` names KSQL_COL_0 and KSQL_COL_1). */
static const char *item_name(const eddy_sql_select_item *it, unsigned *gen, char *buf,
                             size_t n)
{
    if (it->alias)
        return it->alias;
    if (it->expr->kind == EDDY_AST_COLUMN || it->expr->kind == EDDY_AST_DEREF)
        return it->expr->name;
    snprintf(buf, n, "KSQL_COL_%u", (*gen)++);
    return buf;
}

/* Checks an item against the reserved names (ROWTIME...). */
static int check_reserved(const eddy_sql_select_item *it, char *errstr, size_t errstr_size)
{
    if (it->alias && eddy_sql_reserved_column(it->alias))
        return eddy_seterr(errstr, errstr_size, EDDY_EINVAL,
                           "`%s` is a reserved column name. You cannot use it as an alias "
                           "for a column.", it->alias);
    if (!it->alias && it->expr->kind == EDDY_AST_COLUMN &&
        eddy_sql_reserved_column(it->expr->name))
        return eddy_seterr(errstr, errstr_size, EDDY_EINVAL,
                           "Reserved column name in select: `%s`. Please remove or alias "
                           "the column.", it->expr->name);
    return 0;
}

/* check_reserved for a join's projection, where ksqlDB words a qualified column aliased to a
 * reserved name (`L.ROWTIME AS ROWTIME`) as a reserved column in the select. */
static int check_reserved_join(const eddy_sql_select_item *it, char *errstr,
                               size_t errstr_size)
{
    bool qualified = it->expr->kind == EDDY_AST_COLUMN && it->expr->qualifier;
    if (!qualified)
        return check_reserved(it, errstr, errstr_size);
    if (it->alias && eddy_sql_reserved_column(it->alias))
        return eddy_seterr(errstr, errstr_size, EDDY_EINVAL,
                           "Reserved column name in select: `%s`. Please remove or alias the "
                           "column.", it->alias);
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
    if (it->kind == EDDY_SQL_ITEM_STAR)
        return true;
    if (it->kind != EDDY_SQL_ITEM_SOURCE_STAR || !it->qualifier)
        return false;
    return strcmp(it->qualifier, from->name) == 0 ||
           (q->from.alias && strcmp(it->qualifier, q->from.alias) == 0);
}

/* Without PARTITION BY: the input's key columns stay the key; each must be selected. */
/* The type of a column or of a field reached through `->` from one; NULL when unknown. */
static const eddy_type *deref_type(const eddy_schema *in, const eddy_ast *a)
{
    if (a->kind == EDDY_AST_COLUMN) {
        int k = eddy_schema_find(in, a->name);
        return k < 0 ? NULL : in->cols[k].type;
    }
    if (a->kind != EDDY_AST_DEREF || a->nkids != 1)
        return NULL;
    const eddy_type *t = deref_type(in, a->kids[0]);
    for (uint32_t i = 0; t && t->id == EDDY_TYPE_STRUCT && i < t->nfields; i++)
        if (strcmp(t->fields[i].name, a->name) == 0)
            return t->fields[i].type;
    return NULL;
}

/* `expr->*`: one value column per field of the struct, named after the field. */
static int add_struct_fields(const eddy_sql_select_item *it, const eddy_schema *in,
                             cJSON *values, char *errstr, size_t errstr_size)
{
    const eddy_type *t = deref_type(in, it->expr);
    eddy_buf b = {0};
    eddy_ast_format(it->expr, &b);
    int rc = 0;
    if (!t || t->id != EDDY_TYPE_STRUCT)
        rc = eddy_seterr(errstr, errstr_size, EDDY_ETYPE,
                         "%s->* needs a STRUCT column or field: %s is %s", eddy_buf_cstr(&b),
                         eddy_buf_cstr(&b), t ? "not a STRUCT" : "unknown");
    for (uint32_t i = 0; rc == 0 && i < t->nfields; i++) {
        eddy_buf item = {0};
        eddy_buf_puts(&item, eddy_buf_cstr(&b));
        eddy_buf_puts(&item, "->");
        quote_ident(&item, t->fields[i].name);
        eddy_buf_puts(&item, " AS ");
        quote_ident(&item, t->fields[i].name);
        cJSON_AddItemToArray(values, cJSON_CreateString(eddy_buf_cstr(&item)));
        eddy_buf_free(&item);
    }
    eddy_buf_free(&b);
    return rc;
}

static int project_keyed(const eddy_sql_query *q, const eddy_source *from,
                         const eddy_plan_sink *sink, cJSON *keys, cJSON *values, char *errstr,
                         size_t errstr_size)
{
    const eddy_schema *in = from->schema;
    unsigned gen = 0;
    bool key_seen[64] = {0};
    const char *key_alias[64] = {0};
    char key_names[64][128];
    if (in->nkey > 64)
        return eddy_seterr(errstr, errstr_size, EDDY_EINVAL, "too many key columns");
    for (uint32_t i = 0; i < q->nitems; i++) {
        const eddy_sql_select_item *it = &q->items[i];
        if (it->kind == EDDY_SQL_ITEM_STRUCT_STAR) {
            int rc = add_struct_fields(it, in, values, errstr, errstr_size);
            if (rc)
                return rc;
            continue;
        }
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
        const char *name = item_name(it, &gen, buf, sizeof buf);
        int key = -1;
        for (uint32_t k = 0; k < in->nkey; k++)
            if (is_column(it->expr, in->cols[k].name))
                key = (int)k;
        if (key >= 0 && key_seen[key])
            return eddy_seterr(errstr, errstr_size, EDDY_EINVAL,
                               "The projection contains a key column (`%s`) more than once, "
                               "aliased as: %s and %s.", in->cols[key].name,
                               key_alias[key] ? key_alias[key] : in->cols[key].name, name);
        if (key >= 0) {
            key_seen[key] = true;
            snprintf(key_names[key], sizeof key_names[key], "%s", name);
            key_alias[key] = key_names[key];
        }
        add_item(key >= 0 ? keys : values, it->expr, name);
    }
    /* Every key column must be selected; when one is not, ksqlDB lists them all
     * (multi-col-keys.json #11: "the key columns K and K2" with K selected). */
    eddy_buf list = {0}, eg = {0};
    uint32_t missing = 0;
    for (uint32_t k = 0; k < in->nkey; k++)
        missing += !key_seen[k];
    for (uint32_t k = 0; k < in->nkey; k++) {
        eddy_buf_printf(&list, "%s%s", k == 0 ? "" : k + 1 == in->nkey ? " and " : ", ",
                        in->cols[k].name);
        eddy_buf_printf(&eg, "%s%s", k == 0 ? "" : ", ", in->cols[k].name);
    }
    int rc = 0;
    if (missing)
        rc = eddy_seterr(errstr, errstr_size, EDDY_EINVAL,
                         "Key missing from projection (ie, SELECT).\nThe query used to build "
                         "`%s` must include the key column%s %s in its projection (eg, SELECT "
                         "%s...).", sink->name, in->nkey > 1 ? "s" : "", eddy_buf_cstr(&list),
                         eddy_buf_cstr(&eg));
    eddy_buf_free(&list);
    eddy_buf_free(&eg);
    return rc;
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
    unsigned gen = 0;
    char **ptext = calloc(np ? np : 1, sizeof *ptext);
    bool *pdone = calloc(np ? np : 1, sizeof *pdone);
    for (uint32_t k = 0; k < np; k++) {
        eddy_buf b = {0};
        eddy_ast_format(q->partition_by[k], &b);
        ptext[k] = strdup(eddy_buf_cstr(&b));
        eddy_buf_free(&b);
    }
    int rc = 0;
    for (uint32_t k = 0; k < np && rc == 0; k++) {
        /* PARTITION BY applies to the input: a select alias is not a column there */
        const eddy_ast *pe = q->partition_by[k];
        if (pe->kind == EDDY_AST_COLUMN && !eddy_sql_reserved_column(pe->name) &&
            eddy_schema_find(in, pe->name) < 0)
            rc = eddy_seterr(errstr, errstr_size, EDDY_ENOTFOUND,
                             "PARTITION BY column '%s' cannot be resolved. '%s' must be a "
                             "column in the source schema since PARTITION BY is applied on the "
                             "input.", pe->name, pe->name);
    }
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
        const char *name = item_name(it, &gen, buf, sizeof buf);
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
                               : (snprintf(buf, sizeof buf, "KSQL_COL_%u", gen++), buf);
        add_item(keys, pe, name);
    }
    for (uint32_t k = 0; k < np; k++)
        free(ptext[k]);
    free(ptext);
    free(pdone);
    return rc;
}

/* Adds a filter node `id` for `pred` after *prev (which becomes `id`). `table`: the input is a
 * table's changelog (a row that stops matching is deleted; HAVING, WHERE over a table). */
static void add_filter(eddy_graph *g, const char *id, const eddy_ast *pred, bool table,
                       const char **prev)
{
    eddy_buf w = {0};
    eddy_ast_format(pred, &w);
    cJSON *fc = cJSON_CreateObject();
    cJSON_AddStringToObject(fc, "where", eddy_buf_cstr(&w));
    if (table)
        cJSON_AddBoolToObject(fc, "table", 1);
    eddy_buf_free(&w);
    eddy_graph_add_node(g, id, "filter", fc, prev, 1);
    *prev = id;
}

/* ------------------------------------------------------------ aggregation */

/* Rewriting select items and HAVING over the aggregate operator's output: each GROUP BY
 * expression becomes its key column, each aggregate call a KSQL_AGG_VARIABLE_<n> column. */
typedef struct aggplan {
    eddy_arena *arena;
    uint32_t ngroup;
    char **gtext;        /* GROUP BY expressions as text */
    char **gname;        /* their key column names */
    uint32_t nagg;
    char *atext[64];     /* aggregate calls as text (deduplicated) */
    char *aname[64];
    const char *bad;     /* a column used outside any aggregate and GROUP BY */
    bool windowed;
    int rc;
    char *errstr;
    size_t errstr_size;
} aggplan;

static char *ast_text(const eddy_ast *a)
{
    eddy_buf b = {0};
    eddy_ast_format(a, &b);
    char *t = strdup(eddy_buf_cstr(&b));
    eddy_buf_free(&b);
    return t;
}

static eddy_ast *column_node(eddy_arena *arena, const eddy_ast *at, const char *name)
{
    eddy_ast *n = eddy_ast_new(arena, EDDY_AST_COLUMN, at->line, at->col);
    if (n)
        n->name = eddy_arena_strndup(arena, name, strlen(name));
    return n;
}

static bool is_aggregate(const char *name)
{
    return eddy_registry_kind_of(NULL, name) == EDDY_FUNC_AGGREGATE;
}

static eddy_ast *rewrite(aggplan *p, const eddy_ast *a)
{
    if (!a || p->rc || a->lambda_var)
        return (eddy_ast *)a;
    char *text = ast_text(a);
    for (uint32_t g = 0; g < p->ngroup; g++) {
        if (strcmp(text, p->gtext[g]) == 0) {
            free(text);
            return column_node(p->arena, a, p->gname[g]);
        }
    }
    if (a->kind == EDDY_AST_FUNC && eddy_registry_kind_of(NULL, a->name) == 0) {
        /* an unknown function is reported as such, before any GROUP BY rule (as ksqlDB);
         * the registry words the error */
        free(text);
        eddy_func_binding b;
        p->rc = eddy_registry_resolve(NULL, a->name, 0, 0, NULL, &b, p->errstr, p->errstr_size);
        if (p->rc == 0) /* registered meanwhile (a UDF reload): ask for a retry */
            p->rc = eddy_seterr(p->errstr, p->errstr_size, EDDY_ENOTFOUND,
                                "Function '%s' changed while the statement was planned",
                                a->name);
        return (eddy_ast *)a;
    }
    if (a->kind == EDDY_AST_FUNC && is_aggregate(a->name)) {
        uint32_t i = 0;
        while (i < p->nagg && strcmp(p->atext[i], text) != 0)
            i++;
        if (i == p->nagg) {
            if (p->nagg == 64) {
                free(text);
                p->rc = eddy_seterr(p->errstr, p->errstr_size, EDDY_EINVAL,
                                    "too many aggregate calls");
                return (eddy_ast *)a;
            }
            char name[32];
            snprintf(name, sizeof name, "KSQL_AGG_VARIABLE_%u", i);
            p->atext[i] = text;
            p->aname[i] = strdup(name);
            p->nagg++;
        } else {
            free(text);
        }
        return column_node(p->arena, a, p->aname[i]);
    }
    free(text);
    if (a->kind == EDDY_AST_COLUMN) {
        bool window_col = strcmp(a->name, "WINDOWSTART") == 0 || strcmp(a->name, "WINDOWEND") == 0;
        if (!(window_col && p->windowed) && strcmp(a->name, "ROWTIME") != 0 && !p->bad)
            p->bad = a->name;
        return (eddy_ast *)a;
    }
    if (a->nkids == 0)
        return (eddy_ast *)a;
    eddy_ast *n = eddy_arena_alloc(p->arena, sizeof *n);
    eddy_ast **kids = eddy_arena_alloc(p->arena, a->nkids * sizeof *kids);
    if (!n || !kids) {
        p->rc = EDDY_ENOMEM;
        return (eddy_ast *)a;
    }
    *n = *a;
    for (uint32_t i = 0; i < a->nkids; i++)
        kids[i] = rewrite(p, a->kids[i]);
    n->kids = kids;
    return n;
}

static void aggplan_free(aggplan *p)
{
    for (uint32_t g = 0; g < p->ngroup; g++) {
        free(p->gtext[g]);
        free(p->gname[g]);
    }
    free(p->gtext);
    free(p->gname);
    for (uint32_t i = 0; i < p->nagg; i++) {
        free(p->atext[i]);
        free(p->aname[i]);
    }
    eddy_arena_destroy(p->arena);
}

static const char *window_name(eddy_sql_window_kind k)
{
    return k == EDDY_SQL_WINDOW_TUMBLING  ? "TUMBLING"
           : k == EDDY_SQL_WINDOW_HOPPING ? "HOPPING"
           : k == EDDY_SQL_WINDOW_SESSION ? "SESSION"
                                          : "NONE";
}

/* The first aggregate function called in `a`, or NULL. */
static const char *find_aggregate(const eddy_ast *a)
{
    if (!a)
        return NULL;
    if (a->kind == EDDY_AST_FUNC && is_aggregate(a->name))
        return a->name;
    for (uint32_t i = 0; i < a->nkids; i++) {
        const char *n = find_aggregate(a->kids[i]);
        if (n)
            return n;
    }
    return NULL;
}

/* Whether two GROUP BY expressions are the same: the same text, or the same column of the
 * one source, named with or without its qualifier (`DATA` and `TEST.DATA`). */
static bool same_grouping(const eddy_sql_query *q, const eddy_ast *x, const char *xtext,
                          const eddy_ast *y, const char *ytext)
{
    if (strcmp(xtext, ytext) == 0)
        return true;
    if (x->kind != EDDY_AST_COLUMN || y->kind != EDDY_AST_COLUMN || strcmp(x->name, y->name))
        return false;
    const char *src = q->from.alias ? q->from.alias : q->from.name;
    return (!x->qualifier || strcmp(x->qualifier, src) == 0) &&
           (!y->qualifier || strcmp(y->qualifier, src) == 0);
}

static int plan_aggregate(const eddy_catalog *c, const eddy_sql_query *q,
                          const eddy_source *from, const eddy_plan_sink *sink, eddy_graph **out,
                          int *result_node, char *errstr, size_t errstr_size)
{
    (void)c;
    aggplan p = {.arena = eddy_arena_new(0), .errstr = errstr, .errstr_size = errstr_size,
                 .windowed = q->window.kind != EDDY_SQL_WINDOW_NONE};
    p.ngroup = q->ngroup_by;
    unsigned gen = 0;
    p.gtext = calloc(p.ngroup + 1, sizeof *p.gtext);
    p.gname = calloc(p.ngroup + 1, sizeof *p.gname);
    int rc = 0;
    if (p.ngroup == 0)
        rc = eddy_seterr(errstr, errstr_size, EDDY_EINVAL, "GROUP BY requires at least one "
                         "grouping expression.");
    for (uint32_t g = 0; g < p.ngroup && rc == 0; g++) {
        const eddy_ast *ge = q->group_by[g];
        p.gtext[g] = ast_text(ge);
        const char *agg = find_aggregate(ge);
        if (agg) {
            rc = eddy_seterr(errstr, errstr_size, EDDY_EINVAL,
                             "GROUP BY does not support aggregate functions: %s is an "
                             "aggregate function.", agg);
            break;
        }
        for (uint32_t h = 0; h < g && rc == 0; h++)
            if (same_grouping(q, q->group_by[h], p.gtext[h], ge, p.gtext[g]))
                rc = eddy_seterr(errstr, errstr_size, EDDY_EINVAL,
                                 "Duplicate GROUP BY expression: %s", p.gtext[g]);
        if (rc)
            break;
        /* A key is named after its column (or dereferenced field); an expression after the
         * select item that computes it, else KSQL_COL_<n>. */
        const char *name = ge->kind == EDDY_AST_COLUMN || ge->kind == EDDY_AST_DEREF ? ge->name
                                                                                     : NULL;
        char buf[32];
        if (!name) {
            for (uint32_t i = 0; i < q->nitems && !name; i++) {
                const eddy_sql_select_item *it = &q->items[i];
                if (it->kind == EDDY_SQL_ITEM_EXPR && it->alias) {
                    char *t = ast_text(it->expr);
                    if (strcmp(t, p.gtext[g]) == 0)
                        name = it->alias;
                    free(t);
                }
            }
        }
        if (!name) {
            snprintf(buf, sizeof buf, "KSQL_COL_%u", gen++);
            name = buf;
        }
        p.gname[g] = strdup(name);
    }
    /* Rewrite the projection and HAVING; collect the aggregate calls. SELECT * stands for
     * every column of the input, as plain column items. */
    cJSON *keys = cJSON_CreateArray(), *values = cJSON_CreateArray();
    bool *gseen = calloc(p.ngroup + 1, sizeof *gseen);
    /* Key items, placed in GROUP BY order (ksqlDB's key column order), whatever the order of
     * the projection; kname: the name each key item got. */
    cJSON **kitem = calloc(p.ngroup + 1, sizeof *kitem);
    char **kname = calloc(p.ngroup + 1, sizeof *kname);
    eddy_buf bad_select = {0}; /* the select items using a column outside GROUP BY */
    uint32_t nexp = 0;
    for (uint32_t i = 0; i < q->nitems; i++)
        nexp += q->items[i].kind == EDDY_SQL_ITEM_EXPR ? 1 : from->schema->ncols;
    eddy_sql_select_item *items = calloc(nexp + 1, sizeof *items);
    nexp = 0;
    for (uint32_t i = 0; i < q->nitems; i++) {
        const eddy_sql_select_item *it = &q->items[i];
        if (it->kind == EDDY_SQL_ITEM_EXPR) {
            items[nexp++] = *it;
            continue;
        }
        for (uint32_t k = 0; k < from->schema->ncols; k++) {
            eddy_sql_select_item e = {.kind = EDDY_SQL_ITEM_EXPR, .line = it->line,
                                      .col = it->col};
            eddy_ast *col = eddy_ast_new(p.arena, EDDY_AST_COLUMN, it->line, it->col);
            if (!col) {
                rc = EDDY_ENOMEM;
                break;
            }
            col->name = from->schema->cols[k].name;
            e.expr = col;
            items[nexp++] = e;
        }
    }
    for (uint32_t i = 0; i < nexp && rc == 0; i++) {
        const eddy_sql_select_item *it = &items[i];
        if (!(p.windowed && it->expr->kind == EDDY_AST_COLUMN &&
              (strcmp(it->expr->name, "WINDOWSTART") == 0 ||
               strcmp(it->expr->name, "WINDOWEND") == 0)) &&
            (rc = check_reserved(it, errstr, errstr_size)))
            break;
        const char *bad_before = p.bad;
        p.bad = NULL;
        eddy_ast *r = rewrite(&p, it->expr);
        if ((rc = p.rc))
            break;
        if (p.bad) {
            char *t = ast_text(it->expr);
            eddy_buf_printf(&bad_select, "%s%s", bad_select.len ? ", " : "", t);
            free(t);
        }
        if (bad_before)
            p.bad = bad_before;
        char buf[32];
        const char *name = item_name(it, &gen, buf, sizeof buf);
        int key = -1;
        for (uint32_t g = 0; g < p.ngroup; g++)
            if (r->kind == EDDY_AST_COLUMN && strcmp(r->name, p.gname[g]) == 0)
                key = (int)g;
        if (key >= 0 && gseen[key]) {
            rc = eddy_seterr(errstr, errstr_size, EDDY_EINVAL,
                             "The projection contains a key column more than once: `%s` and "
                             "`%s`.", kname[key], name);
            break;
        }
        if (key >= 0) {
            gseen[key] = true;
            kname[key] = strdup(name);
            kitem[key] = cJSON_CreateArray();
            add_item(kitem[key], r, name);
        } else {
            add_item(values, r, name);
        }
    }
    for (uint32_t g = 0; g < p.ngroup; g++) {
        if (kitem[g])
            cJSON_AddItemToArray(keys, cJSON_DetachItemFromArray(kitem[g], 0));
        cJSON_Delete(kitem[g]);
        free(kname[g]);
    }
    free(kitem);
    free(kname);
    free(items);
    if (rc == 0 && p.nagg == 0 && !q->having)
        rc = eddy_seterr(errstr, errstr_size, EDDY_EINVAL,
                         "GROUP BY requires aggregate functions in either the SELECT or HAVING "
                         "clause.");
    if (rc == 0 && p.bad)
        rc = eddy_seterr(errstr, errstr_size, EDDY_EINVAL,
                         "Non-aggregate SELECT expression(s) not part of GROUP BY: %s\nEither "
                         "add the column(s) to the GROUP BY or remove them from the SELECT.",
                         bad_select.len ? eddy_buf_cstr(&bad_select) : p.bad);
    eddy_buf_free(&bad_select);
    eddy_ast *having = NULL;
    if (rc == 0 && q->having) {
        having = rewrite(&p, q->having);
        rc = p.rc;
        if (rc == 0 && p.bad)
            rc = eddy_seterr(errstr, errstr_size, EDDY_EINVAL,
                             "Non-aggregate HAVING expression not part of GROUP BY: %s", p.bad);
    }
    if (rc == 0 && p.nagg == 0)
        rc = eddy_seterr(errstr, errstr_size, EDDY_EINVAL,
                         "GROUP BY requires aggregate functions in either the SELECT or HAVING "
                         "clause.");
    if (rc == 0) {
        /* Every grouping expression must be selected; ksqlDB lists the missing ones. */
        eddy_buf list = {0}, eg = {0};
        uint32_t missing = 0, total = 0;
        for (uint32_t g = 0; g < p.ngroup; g++)
            missing += !gseen[g];
        for (uint32_t g = 0; g < p.ngroup; g++) {
            if (gseen[g])
                continue;
            total++;
            eddy_buf_printf(&list, "%s%s", total == 1 ? "" : total == missing ? " and " : ", ",
                            p.gtext[g]);
            eddy_buf_printf(&eg, "%s%s", total == 1 ? "" : ", ", p.gtext[g]);
        }
        if (missing)
            rc = eddy_seterr(errstr, errstr_size, EDDY_EINVAL,
                             "Key missing from projection (ie, SELECT).\nThe query used to "
                             "build `%s` must include the grouping expression%s %s in its "
                             "projection (eg, SELECT %s...).", sink->name,
                             missing > 1 ? "s" : "", eddy_buf_cstr(&list), eddy_buf_cstr(&eg));
        eddy_buf_free(&list);
        eddy_buf_free(&eg);
    }
    if (rc == 0 && cJSON_GetArraySize(values) == 0)
        rc = eddy_seterr(errstr, errstr_size, EDDY_EINVAL,
                         "The projection contains no value columns.");
    free(gseen);
    if (rc) {
        cJSON_Delete(keys);
        cJSON_Delete(values);
        aggplan_free(&p);
        return rc;
    }

    eddy_graph *g = eddy_graph_new(sink->name);
    const char *prev = "source";
    eddy_graph_add_node(g, "source", "topic_source", source_config(from), NULL, 0);
    if (q->where)
        add_filter(g, "where", q->where, false, &prev);
    cJSON *ac = cJSON_CreateObject();
    cJSON *gm = cJSON_AddObjectToObject(ac, "group_by");
    for (uint32_t k = 0; k < p.ngroup; k++)
        cJSON_AddStringToObject(gm, p.gname[k], p.gtext[k]);
    cJSON *am = cJSON_AddObjectToObject(ac, "aggregates");
    for (uint32_t k = 0; k < p.nagg; k++)
        cJSON_AddStringToObject(am, p.aname[k], p.atext[k]);
    if (from->kind == EDDY_SOURCE_TABLE)
        cJSON_AddBoolToObject(ac, "table", 1);
    if (p.windowed) {
        cJSON_AddStringToObject(ac, "window", window_name(q->window.kind));
        cJSON_AddNumberToObject(ac, "size_ms", (double)q->window.size_ms);
        if (q->window.kind == EDDY_SQL_WINDOW_HOPPING)
            cJSON_AddNumberToObject(ac, "advance_ms", (double)q->window.advance_ms);
        if (q->window.has_grace)
            cJSON_AddNumberToObject(ac, "grace_ms", (double)q->window.grace_ms);
    }
    eddy_graph_add_node(g, "aggregate", "aggregate", ac, &prev, 1);
    prev = "aggregate";
    if (having)
        add_filter(g, "having", having, true, &prev);
    cJSON *pc = cJSON_CreateObject();
    cJSON_AddItemToObject(pc, "columns", values);
    cJSON_AddItemToObject(pc, "key", keys);
    int proj = eddy_graph_add_node(g, "project", "project", pc, &prev, 1);
    prev = "project";
    eddy_graph_add_node(g, "sink", "topic_sink", sink_config(sink), &prev, 1);
    aggplan_free(&p);
    rc = eddy_graph_validate(g, errstr, errstr_size);
    if (rc) {
        eddy_graph_destroy(g);
        return rc;
    }
    *out = g;
    *result_node = proj;
    return 0;
}

/* ------------------------------------------------------------------ joins */

/* Joins: FROM s0 JOIN s1 ON ... JOIN s2 ON ... is a chain of two-input join nodes, each
 * joining the result so far (left) with the next source (right). Every source column appears
 * in the output as <ALIAS>_<COLUMN>; each join node adds its key (the join expression) as a
 * first column, which the projection's key item reads. */
#define JOIN_MAX_SOURCES 16

typedef struct joinplan {
    uint32_t n;                               /* sources */
    const eddy_source *side[JOIN_MAX_SOURCES];
    const char *alias[JOIN_MAX_SOURCES];      /* the name columns are qualified with */
    const char *synth;       /* the synthetic key column (ROWKEY) users may name, or NULL */
    bool fk;                 /* a foreign-key join: keyed by the left table's primary key */
    eddy_arena *arena;
    int rc;
    char *errstr;
    size_t errstr_size;
} joinplan;

/* Which source a column reference belongs to, or -1 (errstr set). */
static int column_side(joinplan *j, const eddy_ast *col)
{
    if (col->qualifier) {
        for (uint32_t k = 0; k < j->n; k++)
            if (strcmp(col->qualifier, j->alias[k]) == 0 ||
                strcmp(col->qualifier, j->side[k]->name) == 0) {
                if (eddy_schema_find(j->side[k]->schema, col->name) < 0) {
                    j->rc = eddy_seterr(j->errstr, j->errstr_size, EDDY_ENOTFOUND,
                                        "Column '%s.%s' cannot be resolved.", col->qualifier,
                                        col->name);
                    return -1;
                }
                return (int)k;
            }
        j->rc = eddy_seterr(j->errstr, j->errstr_size, EDDY_ENOTFOUND,
                            "'%s' is not a valid stream/table name or alias.", col->qualifier);
        return -1;
    }
    int found = -1;
    for (uint32_t k = 0; k < j->n; k++) {
        if (eddy_schema_find(j->side[k]->schema, col->name) < 0)
            continue;
        if (found >= 0) {
            j->rc = eddy_seterr(j->errstr, j->errstr_size, EDDY_EINVAL,
                                "Line: %d, Col: %d: Column '%s' is ambiguous. Could be %s.%s or "
                                "%s.%s.", col->line, col->col, col->name, j->alias[found],
                                col->name, j->alias[k], col->name);
            return -1;
        }
        found = (int)k;
    }
    if (found < 0)
        j->rc = eddy_seterr(j->errstr, j->errstr_size, EDDY_ENOTFOUND,
                            "Column '%s' cannot be resolved.", col->name);
    return found;
}

/* How many sources have a column so named. */
static uint32_t sources_with(const joinplan *j, const char *name)
{
    uint32_t n = 0;
    for (uint32_t k = 0; k < j->n; k++)
        n += eddy_schema_find(j->side[k]->schema, name) >= 0;
    return n;
}

static char *joined_name(const joinplan *j, int side, const char *col)
{
    size_t n = strlen(j->alias[side]) + strlen(col) + 2;
    char *s = eddy_arena_alloc(j->arena, n);
    if (s)
        snprintf(s, n, "%s_%s", j->alias[side], col);
    return s;
}

static bool is_pseudo(const eddy_ast *a)
{
    static const char *const pseudo[] = {"ROWTIME", "ROWPARTITION", "ROWOFFSET", NULL};
    for (const char *const *p = pseudo; !a->qualifier && *p; p++)
        if (strcmp(a->name, *p) == 0)
            return true;
    return false;
}

static bool is_synth_ref(const joinplan *j, const eddy_ast *a)
{
    return j->synth && a->kind == EDDY_AST_COLUMN && !a->qualifier &&
           strcmp(a->name, j->synth) == 0 && sources_with(j, a->name) == 0;
}

/* The expression over the join's output: every column renamed <alias>_<column>, the
 * synthetic key kept; `qualify` instead qualifies every column with its source's alias
 * (the spelling of ksqlDB's messages: "L.A = R.A"). */
static eddy_ast *jmap(joinplan *j, const eddy_ast *a, bool qualify)
{
    if (!a || j->rc || a->lambda_var)
        return (eddy_ast *)a;
    if (a->kind == EDDY_AST_COLUMN) {
        if (is_pseudo(a) || is_synth_ref(j, a) || (qualify && a->qualifier))
            return (eddy_ast *)a;
        if (a->qualifier && strcmp(a->name, "ROWTIME") == 0) {
            /* S.ROWTIME: the time of the source's row, a column of the join's output */
            for (uint32_t k = 0; k < j->n; k++)
                if (strcmp(a->qualifier, j->alias[k]) == 0 ||
                    strcmp(a->qualifier, j->side[k]->name) == 0)
                    return column_node(j->arena, a, joined_name(j, (int)k, a->name));
        }
        int side = column_side(j, a);
        if (side < 0)
            return (eddy_ast *)a;
        if (!qualify)
            return column_node(j->arena, a, joined_name(j, side, a->name));
        eddy_ast *n = column_node(j->arena, a, a->name);
        if (n)
            n->qualifier = eddy_arena_strndup(j->arena, j->alias[side], strlen(j->alias[side]));
        return n;
    }
    if (a->nkids == 0)
        return (eddy_ast *)a;
    eddy_ast *n = eddy_arena_alloc(j->arena, sizeof *n);
    eddy_ast **kids = eddy_arena_alloc(j->arena, a->nkids * sizeof *kids);
    if (!n || !kids) {
        j->rc = EDDY_ENOMEM;
        return (eddy_ast *)a;
    }
    *n = *a;
    for (uint32_t i = 0; i < a->nkids; i++)
        kids[i] = jmap(j, a->kids[i], qualify);
    n->kids = kids;
    return n;
}

static eddy_ast *jrewrite(joinplan *j, const eddy_ast *a)
{
    return jmap(j, a, false);
}

/* ON's qualifiers name a source or its alias. */
static int check_qualifiers(joinplan *j, const eddy_ast *a)
{
    if (!a)
        return 0;
    if (a->kind == EDDY_AST_COLUMN && a->qualifier) {
        for (uint32_t k = 0; k < j->n; k++)
            if (strcmp(a->qualifier, j->alias[k]) == 0 ||
                strcmp(a->qualifier, j->side[k]->name) == 0)
                return 0;
        return eddy_seterr(j->errstr, j->errstr_size, EDDY_ENOTFOUND,
                           "Failed to prepare statement: '%s' is not a valid stream/table name "
                           "or alias.", a->qualifier);
    }
    for (uint32_t i = 0; i < a->nkids; i++) {
        int rc = check_qualifiers(j, a->kids[i]);
        if (rc)
            return rc;
    }
    return 0;
}

/* The sources an ON operand refers to, as a bit mask (errstr set on an unknown column). */
static unsigned join_sides(joinplan *j, const eddy_ast *a)
{
    if (!a || j->rc || a->lambda_var)
        return 0;
    if (a->kind == EDDY_AST_COLUMN) {
        if (is_pseudo(a))
            return 0;
        int side = column_side(j, a);
        if (side < 0) {
            if (strstr(j->errstr, "cannot be resolved"))
                eddy_seterr(j->errstr, j->errstr_size, j->rc, "Line: %d, Col: %d: JOIN ON "
                            "column '%s%s%s' cannot be resolved.", a->line, a->col,
                            a->qualifier ? a->qualifier : "", a->qualifier ? "." : "", a->name);
            return 0;
        }
        return 1u << side;
    }
    unsigned m = 0;
    for (uint32_t i = 0; i < a->nkids; i++)
        m |= join_sides(j, a->kids[i]);
    return m;
}

static const char *join_type_name(eddy_sql_join_type t)
{
    return t == EDDY_SQL_JOIN_LEFT    ? "LEFT"
           : t == EDDY_SQL_JOIN_RIGHT ? "RIGHT"
           : t == EDDY_SQL_JOIN_FULL  ? "FULL"
                                      : "INNER";
}

/* A key column name no source has: `base`, else `base`_<n>. */
static const char *fresh_name(joinplan *j, const char *base)
{
    char buf[64];
    snprintf(buf, sizeof buf, "%s", base);
    for (unsigned n = 1; sources_with(j, buf) > 0; n++)
        snprintf(buf, sizeof buf, "%s_%u", base, n);
    return eddy_arena_strndup(j->arena, buf, strlen(buf));
}

/* Checks the formats and windows of the sources, the kinds of the two inputs of a join and
 * its type. */
static int check_join_kind(const joinplan *j, const eddy_sql_join *jn, bool left_table,
                           const eddy_source *prev, const eddy_source *right, bool ss, bool tt,
                           char *errstr, size_t errstr_size)
{
    if (left_table && right->kind == EDDY_SOURCE_STREAM)
        return eddy_seterr(errstr, errstr_size, EDDY_EINVAL,
                           "Invalid join order: table-stream joins are not supported; only "
                           "stream-table joins. Got %s [%s] JOIN %s.", prev->name,
                           join_type_name(jn->type), right->name);
    (void)j;
    if (!ss && !tt && jn->type != EDDY_SQL_JOIN_INNER && jn->type != EDDY_SQL_JOIN_LEFT)
        return eddy_seterr(errstr, errstr_size, EDDY_EINVAL,
                           "Invalid join type: full-outer join not supported for Stream-Table "
                           "join. Got %s JOIN.", jn->type == EDDY_SQL_JOIN_FULL ? "FULL" : "RIGHT");
    return 0;
}

static int check_sources(const joinplan *j, char *errstr, size_t errstr_size)
{
    char kafka[512] = "";
    for (uint32_t k = 0; k < j->n; k++)
        if (j->side[k]->value_format && strcasecmp(j->side[k]->value_format, "KAFKA") == 0)
            snprintf(kafka + strlen(kafka), sizeof kafka - strlen(kafka), "%s%s",
                     kafka[0] ? ", " : "", j->side[k]->name);
    if (kafka[0])
        return eddy_seterr(errstr, errstr_size, EDDY_EINVAL,
                           "Source(s) %s are using the 'KAFKA' value format. This format does "
                           "not yet support JOIN.", kafka);
    for (uint32_t k = 1; k < j->n; k++) {
        const eddy_source *l = j->side[0], *r = j->side[k];
        if ((l->window_type != NULL) != (r->window_type != NULL)) {
            const eddy_source *w = l->window_type ? l : r, *n = l->window_type ? r : l;
            return eddy_seterr(errstr, errstr_size, EDDY_EINVAL,
                               "Can not join windowed source to non-windowed source.\n`%s` is "
                               "%s windowed\n`%s` is not windowed", w->name, w->window_type,
                               n->name);
        }
    }
    return 0;
}

/* The WITHIN clause: stream-stream joins only, and they need one. */
static int check_within(const eddy_sql_join *jn, bool ss, bool tt, char *errstr,
                        size_t errstr_size)
{
    if (ss && !jn->has_within)
        return eddy_seterr(errstr, errstr_size, EDDY_EINVAL,
                           "Stream-Stream joins must have a WITHIN clause specified. None was "
                           "provided. To learn about how to specify a WITHIN clause with a "
                           "stream-stream join, please visit: https://docs.confluent.io/current/"
                           "ksql/docs/syntax-reference.html#create-stream-as-select");
    if (!ss && jn->has_within)
        return eddy_seterr(errstr, errstr_size, EDDY_EINVAL,
                           "A window definition was provided for a %s join. These joins are not "
                           "windowed. Please drop the window definition (ie. the WITHIN clause) "
                           "and try to execute your join again.",
                           tt ? "Table-Table" : "Stream-Table");
    return 0;
}

static int mask_source(unsigned m)
{
    int k = 0;
    while (m > 1) {
        m >>= 1;
        k++;
    }
    return k;
}

static bool type_has_map(const eddy_type *t)
{
    if (t->id == EDDY_TYPE_MAP)
        return true;
    if (t->id == EDDY_TYPE_ARRAY)
        return type_has_map(t->elem);
    if (t->id == EDDY_TYPE_STRUCT)
        for (uint32_t i = 0; i < t->nfields; i++)
            if (type_has_map(t->fields[i].type))
                return true;
    return false;
}

/* One join of the chain, as planned. */
typedef struct joinstep {
    const char *mode;      /* STREAM_TABLE, STREAM_STREAM, TABLE_TABLE */
    char *text[2];         /* the join expressions, qualified (messages, first join's keys) */
    eddy_ast *expr[2];     /* qualified ASTs */
    const char *key_col;   /* the output column holding the join key */
} joinstep;

/* Plans join `i` (the join of source i + 1): checks, join expressions, key candidates.
 * `cand` (a mask of sources whose ON column names the key) is updated for the chain. */
static int plan_step(joinplan *j, const eddy_sql_join *jn, uint32_t i, bool *left_table,
                     joinstep *s, const joinstep *prev, unsigned *cand,
                     int candcol[JOIN_MAX_SOURCES])
{
    uint32_t r = i + 1;
    const eddy_source *right = j->side[r];
    bool tt = *left_table && right->kind == EDDY_SOURCE_TABLE;
    bool ss = !*left_table && right->kind == EDDY_SOURCE_STREAM;
    s->mode = tt ? "TABLE_TABLE" : ss ? "STREAM_STREAM" : "STREAM_TABLE";
    int rc = check_join_kind(j, jn, *left_table, j->side[i], right, ss, tt, j->errstr,
                             j->errstr_size);
    if (rc)
        return rc;
    const eddy_ast *on = jn->on;
    if (on && on->kind == EDDY_AST_AND) {
        char *t = ast_text(on);
        rc = eddy_seterr(j->errstr, j->errstr_size, EDDY_EINVAL,
                         "Invalid join condition: joins on multiple conditions are not yet "
                         "supported. Got %s.", t);
        free(t);
        return rc;
    }
    if (!on || on->kind != EDDY_AST_CMP || on->op != EDDY_CMP_EQ) {
        char *t = on ? ast_text(on) : NULL;
        rc = eddy_seterr(j->errstr, j->errstr_size, EDDY_EINVAL,
                         "Unsupported join expression: %s. Only equality joins are supported.",
                         t ? t : "");
        free(t);
        return rc;
    }
    if ((rc = check_qualifiers(j, on)))
        return rc;
    uint32_t saved = j->n;
    j->n = r + 1; /* a join sees the sources up to its own */
    unsigned m[2];
    for (int k = 0; k < 2 && rc == 0; k++) {
        m[k] = join_sides(j, on->kids[k]);
        rc = j->rc;
        if (rc == 0 && (m[k] == 0 || (m[k] & (m[k] - 1)))) {
            char *t = ast_text(on->kids[k]), *o = ast_text(on);
            rc = eddy_seterr(j->errstr, j->errstr_size, EDDY_EINVAL,
                             "Invalid comparison expression '%s' in join '%s'. Each side of "
                             "the join comparision must contain references from exactly one "
                             "source.", t, o);
            free(t);
            free(o);
        }
    }
    if (rc == 0 && m[0] == m[1]) {
        if (j->n > 2) {
            rc = eddy_seterr(j->errstr, j->errstr_size, EDDY_EINVAL,
                             "Each side of the join must reference exactly one source and not "
                             "the same source. Left side references `%s` and right references "
                             "`%s`", j->side[mask_source(m[0])]->name,
                             j->side[mask_source(m[1])]->name);
        } else {
            char *t = ast_text(on);
            rc = eddy_seterr(j->errstr, j->errstr_size, EDDY_EINVAL,
                             "Invalid join condition: %s. Each side of the comparison must "
                             "refer to exactly one source.", t);
            free(t);
        }
    }
    if (rc == 0 && m[0] != 1u << r && m[1] != 1u << r)
        rc = eddy_seterr(j->errstr, j->errstr_size, EDDY_EINVAL,
                         "A join criteria is expected to reference the source (`%s`) in the "
                         "FROM clause, instead the right source references `%s` and the left "
                         "source references `%s`", right->name,
                         j->side[mask_source(m[1])]->name, j->side[mask_source(m[0])]->name);
    int rk = rc == 0 && m[0] == 1u << r ? 0 : 1; /* which operand is the right source's */
    for (int k = 0; k < 2 && rc == 0; k++) {
        s->expr[k] = jmap(j, on->kids[k == 1 ? rk : 1 - rk], true);
        rc = j->rc;
    }
    char *otext[2] = {NULL, NULL};
    bool is_col[2] = {false, false};
    for (int k = 0; k < 2 && rc == 0; k++) {
        s->text[k] = ast_text(s->expr[k]);
        is_col[k] = s->expr[k]->kind == EDDY_AST_COLUMN;
    }
    if (rc == 0) {
        otext[0] = s->text[rk == 1 ? 0 : 1];
        otext[1] = s->text[rk == 1 ? 1 : 0];
    }
    int lsrc = rc == 0 ? mask_source(rk == 1 ? m[0] : m[1]) : 0;
    bool fk = false;
    if (rc == 0 && tt) {
        /* the left side not on its primary key: a foreign-key join (first join only) */
        const eddy_schema *ls = j->side[lsrc]->schema;
        bool on_key = i == 0 ? is_col[0] && ls->nkey == 1 &&
                                   strcmp(s->expr[0]->name, ls->cols[0].name) == 0
                             : is_col[0] && (*cand & (1u << lsrc)) &&
                                   eddy_schema_find(ls, s->expr[0]->name) == candcol[lsrc];
        if (!on_key && i > 0 && is_col[1]) {
            rc = eddy_seterr(j->errstr, j->errstr_size, EDDY_EINVAL,
                             "Invalid join condition: foreign-key table-table joins are not "
                             "supported as part of n-way joins. Got %s = %s.", otext[0],
                             otext[1]);
        } else if (!on_key) {
            fk = true;
            s->mode = "FOREIGN_KEY";
        }
    }
    if (rc == 0 && !ss) {
        /* tables join on their primary key */
        for (int k = tt && i == 0 && !fk ? 0 : 1; k < 2 && rc == 0; k++) {
            const eddy_schema *sc = j->side[k ? (int)r : lsrc]->schema;
            if (!is_col[k] || sc->nkey != 1 || strcmp(s->expr[k]->name, sc->cols[0].name) != 0)
                rc = eddy_seterr(j->errstr, j->errstr_size, EDDY_EINVAL,
                                 tt ? "Invalid join condition: table-table joins require to "
                                      "join on the primary key of the right input table. Got "
                                      "%s = %s."
                                    : "Invalid join condition: stream-table joins require to "
                                      "join on the table's primary key. Got %s = %s.",
                                 otext[0], otext[1]);
        }
    }
    if (rc == 0)
        rc = check_within(jn, ss, tt, j->errstr, j->errstr_size);
    for (int k = 0; k < 2 && rc == 0; k++) {
        /* the join's key column (named after the first bare column) must not hold a map */
        if (!is_col[k] || (k == 1 && is_col[0]))
            continue;
        int src = k ? (int)r : lsrc;
        const eddy_schema *sc = j->side[src]->schema;
        int c = eddy_schema_find(sc, s->expr[k]->name);
        if (c >= 0 && type_has_map(sc->cols[c].type)) {
            char tb[256];
            rc = eddy_seterr(j->errstr, j->errstr_size, EDDY_EINVAL,
                             "Map keys, including types that contain maps, are not supported "
                             "as they may lead to unexpected behavior due to inconsistent "
                             "serialization. Key column name: `%s`. Column type: %s. See "
                             "https://github.com/confluentinc/ksql/issues/6621 for more.",
                             joined_name(j, src, sc->cols[c].name),
                             eddy_serde_type_name(sc->cols[c].type, tb, sizeof tb));
        }
    }
    j->n = saved;
    if (rc)
        return rc;
    /* The key after this join: the join expression. Its bare columns name it (the left one
     * carrying the names the left input's key already had), unless the join is FULL OUTER;
     * without any, ksqlDB adds the synthetic column ROWKEY. */
    unsigned next = 0;
    j->fk = fk; /* the last join decides the key */
    if (fk) {
        next = 1u << 0; /* the left table's primary key */
        candcol[0] = 0;
    } else if (jn->type != EDDY_SQL_JOIN_FULL) {
        if (is_col[0]) {
            int c = eddy_schema_find(j->side[lsrc]->schema, s->expr[0]->name);
            bool carried = (*cand & (1u << lsrc)) && candcol[lsrc] == c;
            carried |= prev && (strcmp(s->text[0], prev->text[0]) == 0 ||
                                strcmp(s->text[0], prev->text[1]) == 0);
            next = carried ? *cand : 1u << lsrc;
            candcol[lsrc] = c;
        }
        if (is_col[1]) {
            next |= 1u << r;
            candcol[r] = eddy_schema_find(right->schema, s->expr[1]->name);
        }
    }
    if (!fk && jn->type != EDDY_SQL_JOIN_FULL && !is_col[0] && prev &&
        (strcmp(s->text[0], prev->text[0]) == 0 || strcmp(s->text[0], prev->text[1]) == 0))
        next |= *cand; /* the left input is keyed by this expression already */
    *cand = next;
    *left_table = tt;
    return 0;
}

/* A join's projection with PARTITION BY: the item equal to a partition expression is its key
 * column, every other item a value (project_partitioned's rules over the join's output). */
static int join_partitioned(joinplan *j, const eddy_sql_query *q, const eddy_plan_sink *sink,
                            cJSON *keys, cJSON *values)
{
    uint32_t np = q->npartition_by;
    unsigned gen = 0;
    int rc = 0;
    char **ptext = calloc(np ? np : 1, sizeof *ptext);
    bool *pdone = calloc(np ? np : 1, sizeof *pdone);
    eddy_ast **pexpr = calloc(np ? np : 1, sizeof *pexpr);
    if (!ptext || !pdone || !pexpr)
        rc = EDDY_ENOMEM;
    for (uint32_t k = 0; k < np && rc == 0; k++) {
        pexpr[k] = jrewrite(j, q->partition_by[k]);
        rc = j->rc;
        if (rc == 0)
            ptext[k] = ast_text(pexpr[k]);
    }
    for (uint32_t i = 0; i < q->nitems && rc == 0; i++) {
        const eddy_sql_select_item *it = &q->items[i];
        if (it->kind != EDDY_SQL_ITEM_EXPR) {
            rc = eddy_seterr(j->errstr, j->errstr_size, EDDY_EINVAL,
                             "a join with PARTITION BY and * is not supported yet");
            break;
        }
        if ((rc = check_reserved_join(it, j->errstr, j->errstr_size)))
            break;
        eddy_ast *r = jrewrite(j, it->expr);
        if ((rc = j->rc))
            break;
        char buf[32];
        const char *name = it->alias;
        if (!name && it->expr->kind == EDDY_AST_COLUMN && r != it->expr &&
            (sources_with(j, it->expr->name) > 1 || strcmp(it->expr->name, "ROWTIME") == 0))
            name = r->name;
        if (!name)
            name = item_name(it, &gen, buf, sizeof buf);
        char *t = ast_text(r);
        int part = -1;
        for (uint32_t k = 0; k < np; k++)
            if (!pdone[k] && strcmp(ptext[k], t) == 0)
                part = (int)k;
        free(t);
        if (part >= 0)
            pdone[part] = true;
        add_item(part >= 0 ? keys : values, r, name);
    }
    for (uint32_t k = 0; k < np && rc == 0; k++) {
        if (pdone[k] || q->partition_by[k]->kind == EDDY_AST_NULL)
            continue;
        char *t = ast_text(q->partition_by[k]);
        rc = eddy_seterr(j->errstr, j->errstr_size, EDDY_EINVAL,
                         "Key missing from projection (ie, SELECT).\nThe query used to build "
                         "`%s` must include the partitioning expression %s in its projection "
                         "(eg, SELECT %s...).", sink->name, t, t);
        free(t);
    }
    for (uint32_t k = 0; ptext && k < np; k++)
        free(ptext[k]);
    free(ptext);
    free(pdone);
    free(pexpr);
    return rc;
}

static int plan_join(const eddy_catalog *c, const eddy_sql_query *q, const eddy_source *from,
                     const eddy_plan_sink *sink, eddy_graph **out, int *result_node,
                     char *errstr, size_t errstr_size)
{
    if (q->njoins + 1 > JOIN_MAX_SOURCES)
        return eddy_seterr(errstr, errstr_size, EDDY_EINVAL, "too many joins");
    joinplan j = {.n = q->njoins + 1, .arena = eddy_arena_new(0), .errstr = errstr,
                  .errstr_size = errstr_size};
    j.side[0] = from;
    j.alias[0] = q->from.alias ? q->from.alias : from->name;
    int rc = 0;
    for (uint32_t i = 0; i < q->njoins && rc == 0; i++) {
        const eddy_sql_join *jn = &q->joins[i];
        const eddy_source *s = eddy_catalog_find(c, jn->source.name);
        if (!s) {
            rc = eddy_seterr(errstr, errstr_size, EDDY_ENOTFOUND, "%s does not exist.",
                             jn->source.name);
            break;
        }
        for (uint32_t k = 0; k <= i && rc == 0; k++)
            if (j.side[k] == s)
                rc = q->njoins == 1
                         ? eddy_seterr(errstr, errstr_size, EDDY_EINVAL,
                                       "Can not join '%s' to '%s': self joins are not yet "
                                       "supported.", from->name, s->name)
                         : eddy_seterr(errstr, errstr_size, EDDY_EINVAL,
                                       "N-way joins do not support multiple occurrences of the "
                                       "same source. Source: '%s'", s->name);
        j.side[i + 1] = s;
        j.alias[i + 1] = jn->source.alias ? jn->source.alias : s->name;
    }
    if (rc == 0)
        rc = check_sources(&j, errstr, errstr_size);
    if (rc == 0 && (q->has_group_by || q->window.kind != EDDY_SQL_WINDOW_NONE))
        rc = eddy_seterr(errstr, errstr_size, EDDY_EINVAL,
                         "a join with GROUP BY or WINDOW is not supported yet");
    for (uint32_t i = 0; i < q->njoins && rc == 0 && j.n > 2; i++) {
        /* a criterion comparing one source with itself, before any other check */
        const eddy_ast *on = q->joins[i].on;
        if (!on || on->kind != EDDY_AST_CMP)
            continue;
        unsigned m0 = join_sides(&j, on->kids[0]), m1 = join_sides(&j, on->kids[1]);
        j.rc = 0;
        if (m0 && m0 == m1 && !(m0 & (m0 - 1)))
            rc = eddy_seterr(errstr, errstr_size, EDDY_EINVAL,
                             "Each side of the join must reference exactly one source and not "
                             "the same source. Left side references `%s` and right references "
                             "`%s`", j.side[mask_source(m0)]->name,
                             j.side[mask_source(m1)]->name);
    }
    joinstep steps[JOIN_MAX_SOURCES];
    memset(steps, 0, sizeof steps);
    unsigned cand = 0;
    int candcol[JOIN_MAX_SOURCES];
    bool left_table = from->kind == EDDY_SOURCE_TABLE;
    bool full = false;
    for (uint32_t i = 0; i < q->njoins && rc == 0; i++) {
        rc = plan_step(&j, &q->joins[i], i, &left_table, &steps[i], i ? &steps[i - 1] : NULL,
                       &cand, candcol);
        full = q->joins[i].type == EDDY_SQL_JOIN_FULL;
    }
    (void)full;
    const char *join_key = NULL; /* the last join's key column */
    if (rc == 0) {
        char base[32];
        for (uint32_t i = 0; i < q->njoins; i++) {
            if (i + 1 == q->njoins)
                snprintf(base, sizeof base, "ROWKEY");
            else
                snprintf(base, sizeof base, "KSQL_JOIN_%u_KEY", i);
            steps[i].key_col = fresh_name(&j, base);
        }
        join_key = steps[q->njoins - 1].key_col;
        if (!cand)
            j.synth = join_key;
    }
    /* Several sources name the key: the first source whose column the projection has. */
    unsigned seen = 0;
    for (uint32_t i = 0; i < q->nitems && rc == 0 && cand; i++) {
        const eddy_sql_select_item *it = &q->items[i];
        for (uint32_t k = 0; k < j.n; k++) {
            if (!(cand & (1u << k)))
                continue;
            if (it->kind == EDDY_SQL_ITEM_STAR)
                seen |= 1u << k;
            else if (it->kind == EDDY_SQL_ITEM_SOURCE_STAR &&
                     (strcmp(it->qualifier, j.alias[k]) == 0 ||
                      strcmp(it->qualifier, j.side[k]->name) == 0))
                seen |= 1u << k;
        }
        if (it->kind == EDDY_SQL_ITEM_EXPR && it->expr->kind == EDDY_AST_COLUMN &&
            !is_pseudo(it->expr) && !is_synth_ref(&j, it->expr)) {
            int k = column_side(&j, it->expr);
            j.rc = 0;
            if (k >= 0 && (cand & (1u << k)) &&
                eddy_schema_find(j.side[k]->schema, it->expr->name) == candcol[k])
                seen |= 1u << k;
        }
    }
    int keysrc = seen ? mask_source(seen & -seen) : -1;
    const char *kname = keysrc >= 0 ? joined_name(&j, keysrc, j.side[keysrc]->schema
                                                               ->cols[candcol[keysrc]].name)
                                    : NULL;
    cJSON *keys = cJSON_CreateArray(), *values = cJSON_CreateArray();
    unsigned gen = 0;
    const char *key_col = NULL;   /* the join output column that became the key */
    const char *key_alias = NULL; /* its name in the result */
    /* A foreign-key join is keyed by the left table's primary key columns: each selected. */
    uint32_t npk = j.fk ? from->schema->nkey : 0;
    const char *pk_alias[64] = {NULL};
    if (npk > 64)
        rc = eddy_seterr(errstr, errstr_size, EDDY_EINVAL, "too many key columns");
    if (rc == 0 && q->has_partition_by) {
        rc = join_partitioned(&j, q, sink, keys, values);
        key_col = key_alias = ""; /* the partition expressions are the key */
    }
    for (uint32_t i = 0; i < q->nitems && rc == 0 && !q->has_partition_by; i++) {
        const eddy_sql_select_item *it = &q->items[i];
        if (it->kind == EDDY_SQL_ITEM_STRUCT_STAR) {
            rc = eddy_seterr(errstr, errstr_size, EDDY_EINVAL,
                             "a struct's fields (`->*`) in a join's projection are not "
                             "supported yet");
            break;
        }
        if (it->kind != EDDY_SQL_ITEM_EXPR) {
            bool any = false;
            if (it->kind == EDDY_SQL_ITEM_STAR && j.synth && !key_col) {
                key_col = key_alias = j.synth;
                add_column(keys, j.synth);
            }
            const eddy_ast *kref = column_node(j.arena, q->joins[0].on, join_key);
            for (uint32_t k = 0; k < j.n; k++) {
                if (it->kind == EDDY_SQL_ITEM_SOURCE_STAR && strcmp(it->qualifier, j.alias[k]) != 0 &&
                    strcmp(it->qualifier, j.side[k]->name) != 0)
                    continue;
                any = true;
                const eddy_schema *s = j.side[k]->schema;
                for (uint32_t col = 0; col < s->ncols; col++) {
                    const char *name = joined_name(&j, (int)k, s->cols[col].name);
                    bool key = !key_col && kname && strcmp(name, kname) == 0;
                    if (npk && k == 0 && col < npk) {
                        if (!pk_alias[col]) {
                            pk_alias[col] = key_col = key_alias = name;
                            add_column(keys, name);
                            continue;
                        }
                        key = false;
                    } else if (npk) {
                        key = false;
                    }
                    if (key) {
                        key_col = key_alias = name;
                        add_item(keys, kref, name); /* the join key, set on either side */
                    } else {
                        add_column(values, name);
                    }
                }
            }
            if (!any)
                rc = eddy_seterr(errstr, errstr_size, EDDY_ENOTFOUND,
                                 "'%s' is not a valid stream/table name or alias.",
                                 it->qualifier);
            continue;
        }
        if ((rc = check_reserved_join(it, errstr, errstr_size)))
            break;
        eddy_ast *r = jrewrite(&j, it->expr);
        if ((rc = j.rc))
            break;
        char buf[32];
        const char *name = it->alias;
        if (!name && it->expr->kind == EDDY_AST_COLUMN && it->expr->qualifier &&
            strcmp(it->expr->name, "ROWTIME") == 0)
            name = r->name; /* S.ROWTIME -> S_ROWTIME */
        if (!name && it->expr->kind == EDDY_AST_COLUMN && r != it->expr &&
            sources_with(&j, it->expr->name) > 1)
            name = r->name; /* a name several sources have: t.id -> T_ID */
        if (!name)
            name = item_name(it, &gen, buf, sizeof buf);
        int pk = -1;
        for (uint32_t k = 0; k < npk && r->kind == EDDY_AST_COLUMN; k++)
            if (strcmp(r->name, joined_name(&j, 0, from->schema->cols[k].name)) == 0)
                pk = (int)k;
        if (npk && pk >= 0 && pk_alias[pk]) {
            const char *a = pk_alias[pk], *b = name;
            if (strcmp(a, b) > 0) {
                const char *t = a;
                a = b;
                b = t;
            }
            rc = eddy_seterr(errstr, errstr_size, EDDY_EINVAL,
                             "The projection contains a key column (`%s`) more than once, "
                             "aliased as: %s and %s.", r->name, a, b);
            break;
        }
        if (npk) {
            if (pk >= 0)
                pk_alias[pk] = key_col = key_alias =
                    eddy_arena_strndup(j.arena, name, strlen(name));
            add_item(pk >= 0 ? keys : values, r, name);
            continue;
        }
        bool is_key_col = r->kind == EDDY_AST_COLUMN &&
                          ((j.synth && strcmp(r->name, j.synth) == 0) ||
                           (kname && strcmp(r->name, kname) == 0));
        if (is_key_col && key_col && strcmp(key_col, r->name) == 0) {
            const char *a = key_alias, *b = name;
            if (strcmp(a, b) > 0) {
                const char *t = a;
                a = b;
                b = t;
            }
            rc = eddy_seterr(errstr, errstr_size, EDDY_EINVAL,
                             "The projection contains a key column (`%s`) more than once, "
                             "aliased as: %s and %s.", r->name, a, b);
            break;
        }
        bool key = is_key_col && !key_col;
        if (key) {
            key_col = r->name;
            key_alias = eddy_arena_strndup(j.arena, name, strlen(name));
        }
        add_item(key ? keys : values, key ? column_node(j.arena, r, join_key) : r, name);
    }
    for (uint32_t k = 0; k < npk && rc == 0; k++)
        if (!pk_alias[k])
            rc = eddy_seterr(errstr, errstr_size, EDDY_EINVAL,
                             "Primary key column missing in projection. For foreign-key "
                             "table-table joins, the projection must include all primary key "
                             "columns from the left input table (`%s`). Missing column: `%s`.",
                             from->name, from->schema->cols[k].name);
    if (rc == 0 && !key_col) {
        if (j.synth) {
            rc = eddy_seterr(errstr, errstr_size, EDDY_EINVAL,
                             "Key missing from projection (ie, SELECT). See "
                             "https://cnfl.io/2LV7ouS.\nThe query used to build `%s` must "
                             "include the join expression %s in its projection (eg, SELECT "
                             "%s...).\n%s was added as a synthetic key column because the join "
                             "criteria did not match any source column. This expression must "
                             "be included in the projection and may be aliased.", sink->name,
                             j.synth, j.synth, j.synth);
        } else {
            eddy_buf b = {0};
            unsigned left = cand;
            const char *first = NULL;
            for (uint32_t k = 0; k < j.n; k++) {
                if (!(cand & (1u << k)))
                    continue;
                left &= ~(1u << k);
                char t[256];
                snprintf(t, sizeof t, "%s.%s", j.alias[k],
                         j.side[k]->schema->cols[candcol[k]].name);
                if (!first)
                    first = eddy_arena_strndup(j.arena, t, strlen(t));
                else
                    eddy_buf_puts(&b, left ? ", " : " or ");
                eddy_buf_puts(&b, t);
            }
            bool several = (cand & (cand - 1)) != 0;
            rc = eddy_seterr(errstr, errstr_size, EDDY_EINVAL,
                             "Key missing from projection (ie, SELECT). See "
                             "https://cnfl.io/2LV7ouS.\nThe query used to build `%s` must "
                             "include the join expression%s %s in its projection (eg, SELECT "
                             "%s...).", sink->name, several ? "s" : "", eddy_buf_cstr(&b),
                             first ? first : "");
            eddy_buf_free(&b);
        }
    }
    if (rc == 0 && cJSON_GetArraySize(values) == 0)
        rc = eddy_seterr(errstr, errstr_size, EDDY_EINVAL,
                         "The projection contains no value columns.");
    eddy_ast *where = NULL;
    if (rc == 0 && q->where) {
        where = jrewrite(&j, q->where);
        rc = j.rc;
    }
    eddy_graph *g = NULL;
    const char *prev = NULL;
    char lname[32], rname[32], jname[32];
    for (uint32_t i = 0; i < q->njoins && rc == 0; i++) {
        if (i == 0) {
            g = eddy_graph_new(sink->name);
            eddy_graph_add_node(g, "left", "topic_source", source_config(from), NULL, 0);
            prev = "left";
        }
        snprintf(rname, sizeof rname, i ? "right%u" : "right", i);
        snprintf(jname, sizeof jname, i ? "join%u" : "join", i);
        eddy_graph_add_node(g, rname, "topic_source", source_config(j.side[i + 1]), NULL, 0);
        const joinstep *s = &steps[i];
        cJSON *jc = cJSON_CreateObject();
        cJSON_AddStringToObject(jc, "mode", s->mode);
        cJSON_AddStringToObject(jc, "type", join_type_name(q->joins[i].type));
        if (i == 0) {
            cJSON_AddStringToObject(jc, "left_key", s->text[0]);
            cJSON_AddStringToObject(jc, "left_prefix", j.alias[0]);
        } else {
            /* the left input is the previous join's output, its columns already renamed */
            eddy_ast *lk = jrewrite(&j, s->expr[0]);
            char *t = ast_text(lk);
            cJSON_AddStringToObject(jc, "left_key", t);
            free(t);
            cJSON_AddStringToObject(jc, "left_prefix", "");
        }
        if (strcmp(s->mode, "STREAM_TABLE") != 0)
            cJSON_AddStringToObject(jc, "right_key", s->text[1]);
        else if (strcmp(j.side[i + 1]->key_format, "KAFKA") != 0)
            /* the stream is partitioned like the table's keys (co-partitioning) */
            cJSON_AddStringToObject(jc, "key_format", j.side[i + 1]->key_format);
        cJSON_AddStringToObject(jc, "right_prefix", j.alias[i + 1]);
        cJSON_AddStringToObject(jc, "key_column", s->key_col);
        if (strcmp(s->mode, "STREAM_STREAM") == 0) {
            cJSON_AddNumberToObject(jc, "before_ms", (double)q->joins[i].before_ms);
            cJSON_AddNumberToObject(jc, "after_ms", (double)q->joins[i].after_ms);
            if (q->joins[i].has_grace)
                cJSON_AddNumberToObject(jc, "grace_ms", (double)q->joins[i].grace_ms);
        }
        const char *ins[2] = {prev, rname};
        eddy_graph_add_node(g, jname, "join", jc, ins, 2);
        snprintf(lname, sizeof lname, "%s", jname);
        prev = lname;
    }
    for (uint32_t i = 0; i < q->njoins; i++) {
        free(steps[i].text[0]);
        free(steps[i].text[1]);
    }
    if (rc) {
        eddy_graph_destroy(g);
        cJSON_Delete(keys);
        cJSON_Delete(values);
        eddy_arena_destroy(j.arena);
        return rc;
    }
    if (where)
        add_filter(g, "where", where, left_table, &prev);
    cJSON *pc = cJSON_CreateObject();
    cJSON_AddItemToObject(pc, "columns", values);
    cJSON_AddItemToObject(pc, "key", keys);
    int proj = eddy_graph_add_node(g, "project", "project", pc, &prev, 1);
    prev = "project";
    eddy_graph_add_node(g, "sink", "topic_sink", sink_config(sink), &prev, 1);
    eddy_arena_destroy(j.arena);
    rc = eddy_graph_validate(g, errstr, errstr_size);
    if (rc) {
        eddy_graph_destroy(g);
        return rc;
    }
    *out = g;
    *result_node = proj;
    return 0;
}

/* ------------------------------------------------------------ table functions */

/* ksqlDB's FlatMap step: the table function calls of the select items are computed first, by
 * a flat_map node, into columns KSQL_SYNTH_<n>; the items are rewritten over those columns
 * (`EXPLODE(A)->F` becomes `KSQL_SYNTH_0->F`) for the project node that follows. */
typedef struct tfplan {
    eddy_arena *arena;
    cJSON *calls;  /* the flat_map's "call AS `KSQL_SYNTH_<n>`" items */
    unsigned n;
    const eddy_schema *in;
    int rc;        /* with errstr filled */
    char *errstr;
    size_t errstr_size;
} tfplan;

static bool is_table_function(const eddy_ast *a)
{
    return a->kind == EDDY_AST_FUNC && !a->lambda_var &&
           eddy_registry_kind_of(NULL, a->name) == EDDY_FUNC_TABLE;
}

static bool has_table_function(const eddy_ast *a)
{
    if (!a)
        return false;
    if (is_table_function(a))
        return true;
    for (uint32_t i = 0; i < a->nkids; i++)
        if (has_table_function(a->kids[i]))
            return true;
    return false;
}

static bool query_has_table_function(const eddy_sql_query *q)
{
    for (uint32_t i = 0; i < q->nitems; i++)
        if (q->items[i].kind == EDDY_SQL_ITEM_EXPR && has_table_function(q->items[i].expr))
            return true;
    return false;
}

/* A copy of `a` with each table function call replaced by its synthetic column. */
static eddy_ast *tf_rewrite(tfplan *p, const eddy_ast *a)
{
    if (!a || p->rc)
        return (eddy_ast *)a;
    if (is_table_function(a)) {
        /* bound here, on the statement's own text, so that a bad call is reported before
         * the projection's rules (as ksqlDB's analysis does) */
        eddy_scope scope = {.schema = p->in, .pseudo_columns = true, .table_function = true};
        eddy_expr *e = NULL;
        p->rc = eddy_expr_bind(a, &scope, &e, p->errstr, p->errstr_size);
        eddy_expr_destroy(e);
        if (p->rc)
            return (eddy_ast *)a;
        char name[32];
        snprintf(name, sizeof name, "KSQL_SYNTH_%u", p->n++);
        add_item(p->calls, a, name);
        eddy_ast *col = column_node(p->arena, a, name);
        if (!col)
            p->rc = eddy_seterr(p->errstr, p->errstr_size, EDDY_ENOMEM, "out of memory");
        return col ? col : (eddy_ast *)a;
    }
    if (a->nkids == 0)
        return (eddy_ast *)a;
    eddy_ast *n = eddy_arena_alloc(p->arena, sizeof *n);
    eddy_ast **kids = eddy_arena_alloc(p->arena, a->nkids * sizeof *kids);
    if (!n || !kids) {
        p->rc = eddy_seterr(p->errstr, p->errstr_size, EDDY_ENOMEM, "out of memory");
        return (eddy_ast *)a;
    }
    *n = *a;
    for (uint32_t i = 0; i < a->nkids; i++)
        kids[i] = tf_rewrite(p, a->kids[i]);
    n->kids = kids;
    return n;
}

/* Fills *out with `q` whose select items no longer call table functions, and p->calls with
 * the calls. An item keeps the name it would have had (KSQL_COL_<n> counted over every
 * item, as ksqlDB names items before it plans the flat map). */
static int plan_table_functions(const eddy_sql_query *q, const eddy_source *from, tfplan *p,
                                eddy_sql_query *out, char *errstr, size_t errstr_size)
{
    if (from->kind == EDDY_SOURCE_TABLE)
        return eddy_seterr(errstr, errstr_size, EDDY_EINVAL,
                           "Table source is not supported with table functions");
    p->arena = eddy_arena_new(0);
    p->calls = cJSON_CreateArray();
    p->in = from->schema;
    p->errstr = errstr;
    p->errstr_size = errstr_size;
    eddy_sql_select_item *items =
        p->arena ? eddy_arena_alloc(p->arena, (q->nitems ? q->nitems : 1) * sizeof *items)
                 : NULL;
    if (!items || !p->calls)
        return eddy_seterr(errstr, errstr_size, EDDY_ENOMEM, "out of memory");
    unsigned gen = 0;
    for (uint32_t i = 0; i < q->nitems && p->rc == 0; i++) {
        items[i] = q->items[i];
        if (items[i].kind != EDDY_SQL_ITEM_EXPR)
            continue;
        char buf[32];
        const char *name = item_name(&q->items[i], &gen, buf, sizeof buf);
        if (!items[i].alias && name == buf &&
            !(items[i].alias = eddy_arena_strndup(p->arena, buf, strlen(buf))))
            p->rc = eddy_seterr(errstr, errstr_size, EDDY_ENOMEM, "out of memory");
        items[i].expr = tf_rewrite(p, items[i].expr);
    }
    if (p->rc)
        return p->rc;
    *out = *q;
    out->items = items;
    return 0;
}

int eddy_plan_query(const eddy_catalog *c, const eddy_sql_query *q, const eddy_plan_sink *sink,
                    eddy_graph **out, int *result_node, char *errstr, size_t errstr_size)
{
    *out = NULL;
    eddy_source *from = eddy_plan_from(c, q, errstr, errstr_size);
    if (!from)
        return EDDY_ENOTFOUND;
    if (q->emit == EDDY_SQL_EMIT_FINAL) {
        if (!q->has_group_by || q->window.kind == EDDY_SQL_WINDOW_NONE)
            return eddy_seterr(errstr, errstr_size, EDDY_EINVAL,
                               "EMIT FINAL is only supported for windowed aggregations.");
        /* refused rather than run as EMIT CHANGES: every update of a window would reach
         * the sink where the user asked for one final result per window */
        return eddy_seterr(errstr, errstr_size, EDDY_EINVAL,
                           "EMIT FINAL is not supported yet: eddy emits every update of a "
                           "window (EMIT CHANGES)");
    }
    if (q->has_partition_by && q->npartition_by == 0) /* PARTITION BY () */
        return eddy_seterr(errstr, errstr_size, EDDY_EINVAL,
                           "PARTITION BY requires at least one expression");
    for (uint32_t i = 0; i < q->nitems && (q->has_group_by || q->has_partition_by); i++)
        if (q->items[i].kind == EDDY_SQL_ITEM_STRUCT_STAR)
            return eddy_seterr(errstr, errstr_size, EDDY_EINVAL,
                               "a struct's fields (`->*`) with %s are not supported yet",
                               q->has_group_by ? "GROUP BY" : "PARTITION BY");
    bool flat_map = query_has_table_function(q);
    if (flat_map && q->has_group_by)
        return eddy_seterr(errstr, errstr_size, EDDY_EINVAL,
                           "Table functions cannot be used with aggregations.");
    if (flat_map && q->njoins)
        return eddy_seterr(errstr, errstr_size, EDDY_EINVAL,
                           "table functions with joins are not supported yet");
    if (q->njoins)
        return plan_join(c, q, from, sink, out, result_node, errstr, errstr_size);
    if (q->has_group_by)
        return plan_aggregate(c, q, from, sink, out, result_node, errstr, errstr_size);
    if (q->window.kind != EDDY_SQL_WINDOW_NONE)
        return eddy_seterr(errstr, errstr_size, EDDY_EINVAL,
                           "WINDOW clause requires a GROUP BY clause.");
    if (q->having)
        return eddy_seterr(errstr, errstr_size, EDDY_EINVAL,
                           "HAVING clause requires a GROUP BY clause.");

    tfplan tf = {0};
    eddy_sql_query flat;
    cJSON *keys = cJSON_CreateArray(), *values = cJSON_CreateArray();
    int rc = 0;
    if (flat_map && (rc = plan_table_functions(q, from, &tf, &flat, errstr, errstr_size)) == 0)
        q = &flat;
    if (rc == 0)
        rc = q->has_partition_by
                 ? project_partitioned(q, from, sink, keys, values, errstr, errstr_size)
                 : project_keyed(q, from, sink, keys, values, errstr, errstr_size);
    eddy_arena_destroy(tf.arena); /* the rewritten items are text in `values` by now */
    if (rc == 0 && cJSON_GetArraySize(values) == 0)
        rc = eddy_seterr(errstr, errstr_size, EDDY_EINVAL,
                         "The projection contains no value columns.");
    if (rc) {
        cJSON_Delete(tf.calls);
        cJSON_Delete(keys);
        cJSON_Delete(values);
        return rc;
    }

    eddy_graph *g = eddy_graph_new(sink->name);
    const char *prev = "source";
    eddy_graph_add_node(g, "source", "topic_source", source_config(from), NULL, 0);
    if (q->where)
        add_filter(g, "where", q->where, from->kind == EDDY_SOURCE_TABLE, &prev);
    if (tf.calls) {
        cJSON *fc = cJSON_CreateObject();
        cJSON_AddItemToObject(fc, "functions", tf.calls);
        eddy_graph_add_node(g, "flat_map", "flat_map", fc, &prev, 1);
        prev = "flat_map";
    }
    cJSON *pc = cJSON_CreateObject();
    cJSON_AddItemToObject(pc, "columns", values);
    if (q->has_partition_by)
        cJSON_AddBoolToObject(pc, "rekey", 1); /* the key is computed anew */
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
