/* planner.c: SELECT -> pipeline graph (topic_source, filter, project, topic_sink). */
#include "sql/planner.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eddy/udf.h"
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
    add_str(o, "timestamp_format", s->timestamp_format);
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
    if (it->kind == EDDY_SQL_ITEM_STAR)
        return true;
    if (it->kind != EDDY_SQL_ITEM_SOURCE_STAR || !it->qualifier)
        return false;
    return strcmp(it->qualifier, from->name) == 0 ||
           (q->from.alias && strcmp(it->qualifier, q->from.alias) == 0);
}

/* Without PARTITION BY: the input's key columns stay the key; each must be selected. */
static int project_keyed(const eddy_sql_query *q, const eddy_source *from,
                         const eddy_plan_sink *sink, cJSON *keys, cJSON *values, char *errstr,
                         size_t errstr_size)
{
    const eddy_schema *in = from->schema;
    unsigned gen = 0;
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
        const char *name = item_name(it, &gen, buf, sizeof buf);
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
    eddy_func_binding b;
    return eddy_registry_resolve(NULL, name, EDDY_FUNC_AGGREGATE, 0, NULL, &b, NULL, 0) !=
           EDDY_ENOTFOUND;
}

static eddy_ast *rewrite(aggplan *p, const eddy_ast *a)
{
    if (!a || p->rc)
        return (eddy_ast *)a;
    char *text = ast_text(a);
    for (uint32_t g = 0; g < p->ngroup; g++) {
        if (strcmp(text, p->gtext[g]) == 0) {
            free(text);
            return column_node(p->arena, a, p->gname[g]);
        }
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
    /* Rewrite the projection and HAVING; collect the aggregate calls. */
    cJSON *keys = cJSON_CreateArray(), *values = cJSON_CreateArray();
    bool *gseen = calloc(p.ngroup + 1, sizeof *gseen);
    for (uint32_t i = 0; i < q->nitems && rc == 0; i++) {
        const eddy_sql_select_item *it = &q->items[i];
        if (it->kind != EDDY_SQL_ITEM_EXPR) {
            rc = eddy_seterr(errstr, errstr_size, EDDY_EINVAL,
                             "SELECT * is not supported with GROUP BY");
            break;
        }
        if (!(p.windowed && it->expr->kind == EDDY_AST_COLUMN &&
              (strcmp(it->expr->name, "WINDOWSTART") == 0 ||
               strcmp(it->expr->name, "WINDOWEND") == 0)) &&
            (rc = check_reserved(it, errstr, errstr_size)))
            break;
        eddy_ast *r = rewrite(&p, it->expr);
        if ((rc = p.rc))
            break;
        char buf[32];
        const char *name = item_name(it, &gen, buf, sizeof buf);
        int key = -1;
        for (uint32_t g = 0; g < p.ngroup; g++)
            if (r->kind == EDDY_AST_COLUMN && strcmp(r->name, p.gname[g]) == 0 && !gseen[g])
                key = (int)g;
        if (key >= 0)
            gseen[key] = true;
        add_item(key >= 0 ? keys : values, r, name);
    }
    eddy_ast *having = NULL;
    if (rc == 0 && q->having) {
        having = rewrite(&p, q->having);
        rc = p.rc;
    }
    if (rc == 0 && p.bad)
        rc = eddy_seterr(errstr, errstr_size, EDDY_EINVAL,
                         "Non-aggregate SELECT expression(s) not part of GROUP BY: %s", p.bad);
    for (uint32_t g = 0; rc == 0 && g < p.ngroup; g++)
        if (!gseen[g])
            rc = eddy_seterr(errstr, errstr_size, EDDY_EINVAL,
                             "Key missing from projection (ie, SELECT).\nThe query used to "
                             "build `%s` must include the grouping expression %s in its "
                             "projection (eg, SELECT %s...).", sink->name, p.gtext[g],
                             p.gtext[g]);
    if (rc == 0 && p.nagg == 0)
        rc = eddy_seterr(errstr, errstr_size, EDDY_EINVAL,
                         "GROUP BY requires aggregate functions in either the SELECT or HAVING "
                         "clause.");
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
    if (q->where) {
        eddy_buf w = {0};
        eddy_ast_format(q->where, &w);
        cJSON *fc = cJSON_CreateObject();
        cJSON_AddStringToObject(fc, "where", eddy_buf_cstr(&w));
        eddy_buf_free(&w);
        eddy_graph_add_node(g, "where", "filter", fc, &prev, 1);
        prev = "where";
    }
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
    if (having) {
        eddy_buf w = {0};
        eddy_ast_format(having, &w);
        cJSON *fc = cJSON_CreateObject();
        cJSON_AddStringToObject(fc, "where", eddy_buf_cstr(&w));
        cJSON_AddBoolToObject(fc, "table", 1);
        eddy_buf_free(&w);
        eddy_graph_add_node(g, "having", "filter", fc, &prev, 1);
        prev = "having";
    }
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

typedef struct joinplan {
    const eddy_source *side[2];
    const char *alias[2];    /* the name columns are qualified with (alias, else name) */
    eddy_arena *arena;
    int rc;
    char *errstr;
    size_t errstr_size;
} joinplan;

/* Which side a column reference belongs to: 0 left, 1 right, -1 none (errstr set). */
static int column_side(joinplan *j, const eddy_ast *col)
{
    if (col->qualifier) {
        for (int k = 0; k < 2; k++)
            if (strcmp(col->qualifier, j->alias[k]) == 0 ||
                strcmp(col->qualifier, j->side[k]->name) == 0) {
                if (eddy_schema_find(j->side[k]->schema, col->name) < 0) {
                    j->rc = eddy_seterr(j->errstr, j->errstr_size, EDDY_ENOTFOUND,
                                        "Column '%s.%s' cannot be resolved.", col->qualifier,
                                        col->name);
                    return -1;
                }
                return k;
            }
        j->rc = eddy_seterr(j->errstr, j->errstr_size, EDDY_ENOTFOUND,
                            "'%s' is not a valid stream/table name or alias.", col->qualifier);
        return -1;
    }
    bool in[2];
    for (int k = 0; k < 2; k++)
        in[k] = eddy_schema_find(j->side[k]->schema, col->name) >= 0;
    if (in[0] && in[1]) {
        j->rc = eddy_seterr(j->errstr, j->errstr_size, EDDY_EINVAL,
                            "Column '%s' is ambiguous. Could be %s.%s or %s.%s.", col->name,
                            j->alias[0], col->name, j->alias[1], col->name);
        return -1;
    }
    if (!in[0] && !in[1]) {
        j->rc = eddy_seterr(j->errstr, j->errstr_size, EDDY_ENOTFOUND,
                            "Column '%s' cannot be resolved.", col->name);
        return -1;
    }
    return in[0] ? 0 : 1;
}

static char *joined_name(const joinplan *j, int side, const char *col)
{
    size_t n = strlen(j->alias[side]) + strlen(col) + 2;
    char *s = eddy_arena_alloc(j->arena, n);
    if (s)
        snprintf(s, n, "%s_%s", j->alias[side], col);
    return s;
}

/* The expression over the join's output: every column renamed <alias>_<column>. */
static eddy_ast *jrewrite(joinplan *j, const eddy_ast *a)
{
    if (!a || j->rc)
        return (eddy_ast *)a;
    if (a->kind == EDDY_AST_COLUMN) {
        static const char *const pseudo[] = {"ROWTIME", "ROWPARTITION", "ROWOFFSET", NULL};
        for (const char *const *p = pseudo; !a->qualifier && *p; p++)
            if (strcmp(a->name, *p) == 0)
                return (eddy_ast *)a;
        int side = column_side(j, a);
        if (side < 0)
            return (eddy_ast *)a;
        return column_node(j->arena, a, joined_name(j, side, a->name));
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
        kids[i] = jrewrite(j, a->kids[i]);
    n->kids = kids;
    return n;
}

static int plan_join(const eddy_catalog *c, const eddy_sql_query *q, const eddy_source *from,
                     const eddy_plan_sink *sink, eddy_graph **out, int *result_node,
                     char *errstr, size_t errstr_size)
{
    if (q->njoins > 1)
        return eddy_seterr(errstr, errstr_size, EDDY_EINVAL,
                           "joins of more than two sources are not supported yet");
    const eddy_sql_join *jn = &q->joins[0];
    const eddy_source *right = eddy_catalog_find(c, jn->source.name);
    if (!right)
        return eddy_seterr(errstr, errstr_size, EDDY_ENOTFOUND, "%s does not exist.",
                           jn->source.name);
    if (from->kind != EDDY_SOURCE_STREAM || right->kind != EDDY_SOURCE_TABLE)
        return eddy_seterr(errstr, errstr_size, EDDY_EINVAL,
                           "only stream-table joins are supported so far (stream-stream and "
                           "table-table joins are not yet)");
    if (jn->type != EDDY_SQL_JOIN_INNER && jn->type != EDDY_SQL_JOIN_LEFT)
        return eddy_seterr(errstr, errstr_size, EDDY_EINVAL,
                           "Invalid join type: full-outer join not supported for Stream-Table "
                           "join. Got %s JOIN.", jn->type == EDDY_SQL_JOIN_FULL ? "FULL" : "RIGHT");
    if (q->has_group_by || q->window.kind != EDDY_SQL_WINDOW_NONE || q->has_partition_by)
        return eddy_seterr(errstr, errstr_size, EDDY_EINVAL,
                           "a join with GROUP BY, WINDOW or PARTITION BY is not supported yet");
    joinplan j = {.side = {from, right},
                  .alias = {q->from.alias ? q->from.alias : from->name,
                            jn->source.alias ? jn->source.alias : right->name},
                  .arena = eddy_arena_new(0), .errstr = errstr, .errstr_size = errstr_size};
    const eddy_ast *on = jn->on;
    int rc = 0;
    int sides[2] = {-1, -1};
    if (!on || on->kind != EDDY_AST_CMP || on->op != EDDY_CMP_EQ ||
        on->kids[0]->kind != EDDY_AST_COLUMN || on->kids[1]->kind != EDDY_AST_COLUMN) {
        rc = eddy_seterr(errstr, errstr_size, EDDY_EINVAL,
                         "Unsupported join criteria: only 'a.x = b.y' between columns is "
                         "supported so far");
    } else {
        sides[0] = column_side(&j, on->kids[0]);
        if (sides[0] >= 0)
            sides[1] = column_side(&j, on->kids[1]);
        rc = j.rc;
        if (rc == 0 && sides[0] == sides[1]) {
            char *t = ast_text(on);
            rc = eddy_seterr(errstr, errstr_size, EDDY_EINVAL,
                             "Invalid join condition: %s. Each side of the comparison must "
                             "refer to exactly one source.", t);
            free(t);
        }
    }
    const eddy_ast *lcol = NULL, *rcol = NULL;
    char *ltext = NULL, *rtext = NULL;
    if (rc == 0) {
        lcol = on->kids[sides[0] == 0 ? 0 : 1];
        rcol = on->kids[sides[0] == 0 ? 1 : 0];
        ltext = ast_text(lcol);
        rtext = ast_text(rcol);
        if (strcmp(rcol->name, right->schema->cols[0].name) != 0 || right->schema->nkey != 1)
            rc = eddy_seterr(errstr, errstr_size, EDDY_EINVAL,
                             "Invalid join condition: stream-table joins require to join on "
                             "the table's primary key. Got %s = %s.", ltext, rtext);
    }
    const char *lkey = rc ? NULL : joined_name(&j, 0, lcol->name);
    const char *rkey = rc ? NULL : joined_name(&j, 1, rcol->name);
    cJSON *keys = cJSON_CreateArray(), *values = cJSON_CreateArray();
    unsigned gen = 0;
    bool key_done = false;
    for (uint32_t i = 0; i < q->nitems && rc == 0; i++) {
        const eddy_sql_select_item *it = &q->items[i];
        if (it->kind != EDDY_SQL_ITEM_EXPR) {
            for (int k = 0; k < 2; k++) {
                if (it->kind == EDDY_SQL_ITEM_SOURCE_STAR && strcmp(it->qualifier, j.alias[k]) != 0 &&
                    strcmp(it->qualifier, j.side[k]->name) != 0)
                    continue;
                const eddy_schema *s = j.side[k]->schema;
                for (uint32_t col = 0; col < s->ncols; col++) {
                    const char *name = joined_name(&j, k, s->cols[col].name);
                    bool key = !key_done && strcmp(name, lkey) == 0;
                    key_done |= key;
                    add_column(key ? keys : values, name);
                }
            }
            continue;
        }
        if ((rc = check_reserved(it, errstr, errstr_size)))
            break;
        eddy_ast *r = jrewrite(&j, it->expr);
        if ((rc = j.rc))
            break;
        char buf[32];
        const char *name = it->alias;
        if (!name && it->expr->kind == EDDY_AST_COLUMN && it->expr->qualifier)
            name = r->name; /* t.id -> T_ID */
        if (!name)
            name = item_name(it, &gen, buf, sizeof buf);
        bool key = !key_done && r->kind == EDDY_AST_COLUMN &&
                   (strcmp(r->name, lkey) == 0 || strcmp(r->name, rkey) == 0);
        key_done |= key;
        add_item(key ? keys : values, r, name);
    }
    if (rc == 0 && !key_done)
        rc = eddy_seterr(errstr, errstr_size, EDDY_EINVAL,
                         "Key missing from projection (ie, SELECT).\nThe query used to build "
                         "`%s` must include the join expression %s in its projection (eg, "
                         "SELECT %s...).", sink->name, ltext, ltext);
    if (rc == 0 && cJSON_GetArraySize(values) == 0)
        rc = eddy_seterr(errstr, errstr_size, EDDY_EINVAL,
                         "The projection contains no value columns.");
    eddy_ast *where = NULL;
    if (rc == 0 && q->where) {
        where = jrewrite(&j, q->where);
        rc = j.rc;
    }
    if (rc) {
        free(ltext);
        free(rtext);
        cJSON_Delete(keys);
        cJSON_Delete(values);
        eddy_arena_destroy(j.arena);
        return rc;
    }
    eddy_graph *g = eddy_graph_new(sink->name);
    eddy_graph_add_node(g, "left", "topic_source", source_config(from), NULL, 0);
    eddy_graph_add_node(g, "right", "topic_source", source_config(right), NULL, 0);
    cJSON *jc = cJSON_CreateObject();
    cJSON_AddStringToObject(jc, "type", jn->type == EDDY_SQL_JOIN_LEFT ? "LEFT" : "INNER");
    cJSON_AddStringToObject(jc, "left_key", ltext);
    cJSON_AddStringToObject(jc, "left_prefix", j.alias[0]);
    cJSON_AddStringToObject(jc, "right_prefix", j.alias[1]);
    const char *ins[2] = {"left", "right"};
    eddy_graph_add_node(g, "join", "join", jc, ins, 2);
    const char *prev = "join";
    if (where) {
        eddy_buf w = {0};
        eddy_ast_format(where, &w);
        cJSON *fc = cJSON_CreateObject();
        cJSON_AddStringToObject(fc, "where", eddy_buf_cstr(&w));
        eddy_buf_free(&w);
        eddy_graph_add_node(g, "where", "filter", fc, &prev, 1);
        prev = "where";
    }
    cJSON *pc = cJSON_CreateObject();
    cJSON_AddItemToObject(pc, "columns", values);
    cJSON_AddItemToObject(pc, "key", keys);
    int proj = eddy_graph_add_node(g, "project", "project", pc, &prev, 1);
    prev = "project";
    eddy_graph_add_node(g, "sink", "topic_sink", sink_config(sink), &prev, 1);
    free(ltext);
    free(rtext);
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

int eddy_plan_query(const eddy_catalog *c, const eddy_sql_query *q, const eddy_plan_sink *sink,
                    eddy_graph **out, int *result_node, char *errstr, size_t errstr_size)
{
    *out = NULL;
    eddy_source *from = eddy_plan_from(c, q, errstr, errstr_size);
    if (!from)
        return EDDY_ENOTFOUND;
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
        if (from->kind == EDDY_SOURCE_TABLE)
            cJSON_AddBoolToObject(fc, "table", 1); /* a row leaving the result is deleted */
        eddy_buf_free(&w);
        eddy_graph_add_node(g, "where", "filter", fc, &prev, 1);
        prev = "where";
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
