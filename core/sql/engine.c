/* engine.c: the SQL engine behind `eddy qtt` and `eddy test`: executes statements against a
 * catalog, runs each persistent query as a pipeline in step mode over in-memory topics, and
 * converts records between the test cases' JSON and the topics' bytes. */
#include "sql/engine.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "eddy/udf.h"
#include "expr/expr.h"
#include "io/memtopic.h"
#include "runtime/loader.h"
#include "runtime/pipeline.h"
#include "serde/serde.h"
#include "sql/ast.h"
#include "sql/catalog.h"
#include "sql/parser.h"
#include "sql/planner.h"
#include "sql/statement.h"

typedef struct query {
    char *id;
    eddy_graph *graph;
    eddy_pipeline *pipeline;
} query;

struct eddy_engine {
    eddy_catalog *catalog;
    eddy_topics *topics;
    eddy_loader *loader;
    query *queries;
    size_t nqueries;
    int next_query_id;
    char **props;          /* key, value, ... */
    size_t nprops;
    eddy_arena *arena;     /* statement trees */
    char proclog[256];
    char **type_names;     /* CREATE TYPE: custom types, by name */
    const eddy_type **types; /* interned, never freed */
    size_t ntypes;
    eddy_buf output;       /* what DESCRIBE FUNCTION / SHOW FUNCTIONS printed */
};

/* ------------------------------------------------------------ properties */

static const char *prop(const eddy_engine *e, const char *key)
{
    for (size_t i = e->nprops; i-- > 0;)
        if (strcasecmp(e->props[2 * i], key) == 0)
            return e->props[2 * i + 1];
    return NULL;
}

static int set_prop(eddy_engine *e, const char *key, const char *value)
{
    char **p = realloc(e->props, (e->nprops + 1) * 2 * sizeof *p);
    if (!p)
        return EDDY_ENOMEM;
    e->props = p;
    p[2 * e->nprops] = strdup(key);
    p[2 * e->nprops + 1] = strdup(value);
    e->nprops++;
    return 0;
}

int eddy_engine_new(const char *const *props, eddy_engine **out, char *errstr,
                    size_t errstr_size)
{
    eddy_engine *e = calloc(1, sizeof *e);
    if (!e)
        return eddy_seterr(errstr, errstr_size, EDDY_ENOMEM, "out of memory");
    e->catalog = eddy_catalog_new();
    e->topics = eddy_topics_new();
    e->loader = eddy_loader_new();
    e->arena = eddy_arena_new(0);
    for (const char *const *p = props; p && p[0] && p[1]; p += 2)
        set_prop(e, p[0], p[1]);
    const char *pl = prop(e, "eddy.processing.log");
    snprintf(e->proclog, sizeof e->proclog, "%s", pl ? pl : "/dev/null");
    eddy_loader_load_default(e->loader, NULL);
    if (!eddy_loader_find(e->loader, "topic_source")) {
        eddy_engine_destroy(e);
        return eddy_seterr(errstr, errstr_size, EDDY_ENOTFOUND,
                           "the operator plugins were not found (set EDDY_PLUGIN_PATH)");
    }
    *out = e;
    return 0;
}

static void query_free(query *q)
{
    if (q->pipeline) {
        eddy_pipeline_finish(q->pipeline, NULL, 0);
        eddy_pipeline_destroy(q->pipeline);
    }
    eddy_graph_destroy(q->graph);
    free(q->id);
}

void eddy_engine_destroy(eddy_engine *e)
{
    if (!e)
        return;
    for (size_t i = 0; i < e->nqueries; i++)
        query_free(&e->queries[i]);
    free(e->queries);
    for (size_t i = 0; i < 2 * e->nprops; i++)
        free(e->props[i]);
    free(e->props);
    for (size_t i = 0; i < e->ntypes; i++)
        free(e->type_names[i]);
    free(e->type_names);
    free(e->types);
    eddy_catalog_destroy(e->catalog);
    eddy_topics_destroy(e->topics);
    eddy_loader_destroy(e->loader);
    eddy_arena_destroy(e->arena);
    eddy_buf_free(&e->output);
    free(e);
}

/* ------------------------------------------------------------ WITH props */

static const eddy_sql_property *with(const eddy_sql_stmt *s, const char *name)
{
    for (uint32_t i = 0; i < s->nprops; i++)
        if (strcmp(s->props[i].name, name) == 0)
            return &s->props[i];
    return NULL;
}

/* A NUL-terminated copy of `n` bytes that need not be terminated (strndup would look for a
 * NUL past them). */
static char *dup_bytes(const void *p, size_t n)
{
    char *d = malloc(n + 1);
    if (d) {
        if (n)
            memcpy(d, p, n);
        d[n] = '\0';
    }
    return d;
}

/* The text of a WITH literal (strings unquoted, numbers and booleans as written). */
static char *with_text(const eddy_sql_stmt *s, const char *name)
{
    const eddy_sql_property *p = with(s, name);
    if (!p)
        return NULL;
    const eddy_ast *v = p->value;
    if (v->kind == EDDY_AST_STRING)
        return dup_bytes(v->value.u.str, v->value.len);
    if (v->kind == EDDY_AST_BOOL)
        return strdup(v->value.u.b ? "true" : "false");
    return strdup(v->text ? v->text : "");
}

/* WITH (PARTITIONS, REPLICAS): how a Kafka run creates the topic when it is missing. */
static void topic_settings(const eddy_sql_stmt *st, eddy_source *s)
{
    char *p = with_text(st, "PARTITIONS"), *r = with_text(st, "REPLICAS");
    s->partitions = p ? atoi(p) : 0;
    s->replicas = r ? atoi(r) : 0;
    free(p);
    free(r);
}

/* Upper-cases `s` in place (NULL stays NULL); returns it. */
static char *upper(char *s)
{
    for (char *p = s; p && *p; p++)
        *p = (char)toupper((unsigned char)*p);
    return s;
}

static const char *const formats[] = {"JSON", "KAFKA", "DELIMITED", "NONE", NULL};
static const char *const unsupported[] = {"AVRO", "PROTOBUF", "PROTOBUF_NOSR", "JSON_SR", NULL};

static int check_format(const char *f, char *errstr, size_t errstr_size)
{
    for (const char *const *k = formats; *k; k++)
        if (strcmp(*k, f) == 0)
            return 0;
    for (const char *const *k = unsupported; *k; k++)
        if (strcmp(*k, f) == 0)
            return eddy_seterr(errstr, errstr_size, EDDY_EINVAL,
                               "format %s is not supported by eddy", f);
    return eddy_seterr(errstr, errstr_size, EDDY_EINVAL, "Unknown format: %s", f);
}

/* Applies the format-related WITH properties to `s` (formats inherited already set). */
static int apply_formats(const eddy_sql_stmt *st, eddy_source *s, char *errstr,
                         size_t errstr_size)
{
    char *fmt = upper(with_text(st, "FORMAT"));
    char *kf = upper(with_text(st, "KEY_FORMAT"));
    char *vf = upper(with_text(st, "VALUE_FORMAT"));
    int rc = 0;
    if (fmt && (kf || vf))
        rc = eddy_seterr(errstr, errstr_size, EDDY_EINVAL,
                         "Cannot supply both 'FORMAT' and 'KEY_FORMAT' or 'VALUE_FORMAT' "
                         "properties. Use only one or the other.");
    if (fmt) {
        free(kf);
        free(vf);
        kf = strdup(fmt);
        vf = strdup(fmt);
    }
    if (kf) {
        free(s->key_format);
        s->key_format = kf;
        kf = NULL;
    }
    if (vf) {
        free(s->value_format);
        s->value_format = vf;
        vf = NULL;
    }
    free(fmt);
    free(kf);
    free(vf);
    if (rc == 0 && !s->value_format)
        rc = eddy_seterr(errstr, errstr_size, EDDY_EINVAL,
                         "Statement is missing the 'VALUE_FORMAT' property from the WITH "
                         "clause. Either provide one or set a default via the "
                         "'ksql.persistence.default.format.value' config.");
    if (rc == 0 && !s->key_format)
        s->key_format = strdup("KAFKA");
    if (rc == 0)
        rc = check_format(s->key_format, errstr, errstr_size);
    if (rc == 0)
        rc = check_format(s->value_format, errstr, errstr_size);
    char *d;
    if ((d = with_text(st, "KEY_DELIMITER"))) {
        free(s->key_delimiter);
        s->key_delimiter = d;
    }
    if ((d = with_text(st, "VALUE_DELIMITER"))) {
        free(s->value_delimiter);
        s->value_delimiter = d;
    }
    if ((d = with_text(st, "WRAP_SINGLE_VALUE"))) {
        s->wrap_single = strcasecmp(d, "true") == 0;
        free(d);
    }
    return rc;
}

/* The default WRAP_SINGLE_VALUE from the engine's properties, when the statement gave none. */
static void default_wrap(const eddy_engine *e, eddy_source *s)
{
    const char *w = prop(e, "ksql.persistence.wrap.single.values");
    if (s->wrap_single < 0 && w)
        s->wrap_single = strcasecmp(w, "true") == 0;
}

/* Checks that the formats can carry the schema (serde refusals carry ksqlDB's messages). */
static int check_serdes(const eddy_source *s, char *errstr, size_t errstr_size)
{
    eddy_serde_part parts[2] = {EDDY_SERDE_KEY, EDDY_SERDE_VALUE};
    for (int i = 0; i < 2; i++) {
        eddy_serde_opts o = {.format = i ? s->value_format : s->key_format,
                             .wrap_single = i ? s->wrap_single : -1};
        const char *delim = i ? s->value_delimiter : s->key_delimiter;
        int rc;
        if (delim && (rc = eddy_serde_opts_set(&o, "delimiter", delim, errstr, errstr_size)))
            return rc;
        eddy_serde *sd;
        rc = eddy_serde_new(&o, s->schema, parts[i], &sd, errstr, errstr_size);
        if (rc)
            return rc;
        eddy_serde_destroy(sd);
    }
    return 0;
}

/* Parses a duration property ("30 SECONDS", "1 minute"); 0 or EDDY_EINVAL with ksqlDB's
 * message naming the property. */
static int parse_duration(const char *prop_name, const char *text, int64_t *ms, char *errstr,
                          size_t errstr_size)
{
    static const struct {
        const char *unit;
        int64_t ms;
    } units[] = {{"MILLISECOND", 1},     {"SECOND", 1000},     {"MINUTE", 60000},
                 {"HOUR", 3600000},      {"DAY", 86400000}};
    char *end;
    long long n = strtoll(text, &end, 10);
    while (*end == ' ')
        end++;
    char unit[32];
    snprintf(unit, sizeof unit, "%s", end);
    upper(unit);
    size_t ul = strlen(unit);
    if (ul > 1 && unit[ul - 1] == 'S')
        unit[ul - 1] = '\0';
    if (end == text)
        return eddy_seterr(errstr, errstr_size, EDDY_EINVAL,
                           "Configuration %s is invalid: Invalid duration: '%s'. Expected "
                           "'<number> <unit>'", prop_name, text);
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
        if (strcmp(unit, units[i].unit) == 0) {
            *ms = n * units[i].ms;
            return 0;
        }
    }
    char shown[32];
    snprintf(shown, sizeof shown, "%s", end);
    return eddy_seterr(errstr, errstr_size, EDDY_EINVAL,
                       "Configuration %s is invalid: Invalid duration: '%s'. Unknown time unit: "
                       "'%s'", prop_name, text, upper(shown));
}


/* ------------------------------------------------------------ custom types */

static const eddy_type *custom_type(void *opaque, const char *name)
{
    const eddy_engine *e = opaque;
    for (size_t i = 0; i < e->ntypes; i++)
        if (strcmp(e->type_names[i], name) == 0)
            return e->types[i];
    return NULL;
}

/* A column list's or a CREATE TYPE's type, custom types resolved. */
static int resolve_type(eddy_engine *e, const eddy_ast_type *t, const eddy_type **out,
                        char *errstr, size_t errstr_size)
{
    eddy_type_names names = {custom_type, e};
    return eddy_ast_type_resolve_with(t, &names, out, errstr, errstr_size);
}

/* CREATE TYPE [IF NOT EXISTS] name AS type: the name stands for the type in the statements
 * that follow (a later CREATE TYPE's included). */
static int create_type(eddy_engine *e, const eddy_sql_stmt *st, char *errstr,
                       size_t errstr_size)
{
    const eddy_type *t;
    int rc = resolve_type(e, st->type, &t, errstr, errstr_size);
    if (rc)
        return rc;
    const eddy_type *old = custom_type(e, st->name);
    if (old && st->if_not_exists)
        return 0;
    if (old) {
        char tb[1024];
        eddy_type_format(old, tb, sizeof tb);
        return eddy_seterr(errstr, errstr_size, EDDY_EEXIST,
                           "Cannot register custom type '%s' since it is already registered "
                           "with type: %s", st->name, tb);
    }
    char **nn = realloc(e->type_names, (e->ntypes + 1) * sizeof *nn);
    if (!nn)
        return eddy_seterr(errstr, errstr_size, EDDY_ENOMEM, "out of memory");
    e->type_names = nn;
    const eddy_type **nt = realloc(e->types, (e->ntypes + 1) * sizeof *nt);
    if (!nt)
        return eddy_seterr(errstr, errstr_size, EDDY_ENOMEM, "out of memory");
    e->types = nt;
    if (!(e->type_names[e->ntypes] = strdup(st->name)))
        return eddy_seterr(errstr, errstr_size, EDDY_ENOMEM, "out of memory");
    e->types[e->ntypes++] = t;
    return 0;
}

/* DROP TYPE [IF EXISTS] name. Sources created with the type keep their columns' types. */
static int drop_type(eddy_engine *e, const eddy_sql_stmt *st, char *errstr, size_t errstr_size)
{
    for (size_t i = 0; i < e->ntypes; i++) {
        if (strcmp(e->type_names[i], st->name) != 0)
            continue;
        free(e->type_names[i]);
        memmove(&e->type_names[i], &e->type_names[i + 1],
                (e->ntypes - i - 1) * sizeof *e->type_names);
        memmove(&e->types[i], &e->types[i + 1], (e->ntypes - i - 1) * sizeof *e->types);
        e->ntypes--;
        return 0;
    }
    if (st->if_exists)
        return 0;
    return eddy_seterr(errstr, errstr_size, EDDY_ENOTFOUND, "Type %s does not exist.",
                       st->name);
}

/* ---------------------------------------------------------- statements */

static int create_source(eddy_engine *e, const eddy_sql_stmt *st, char *errstr,
                         size_t errstr_size)
{
    bool table = st->source_kind == EDDY_SQL_TABLE;
    if (!st->has_columns)
        return eddy_seterr(errstr, errstr_size, EDDY_EINVAL,
                           "The statement does not define any columns (schema inference "
                           "needs a schema registry, which eddy does not have).");
    eddy_source *s = calloc(1, sizeof *s);
    s->name = strdup(st->name);
    s->kind = table ? EDDY_SOURCE_TABLE : EDDY_SOURCE_STREAM;
    s->wrap_single = -1;
    s->read_only = st->is_source;
    eddy_schema_builder *b = eddy_schema_builder_new();
    int rc = 0;
    bool has_key = false;
    for (uint32_t i = 0; i < st->ncolumns && rc == 0; i++) {
        const eddy_sql_column *c = &st->columns[i];
        if (eddy_sql_reserved_column(c->name)) {
            rc = eddy_seterr(errstr, errstr_size, EDDY_EINVAL, EDDY_SQL_RESERVED_COLUMN_MSG,
                             c->name);
            break;
        }
        const eddy_type *t;
        rc = resolve_type(e, c->type, &t, errstr, errstr_size);
        if (rc)
            break;
        eddy_column_kind kind = EDDY_COL_VALUE;
        if (c->constraint == EDDY_SQL_COL_KEY) {
            if (table)
                rc = eddy_seterr(errstr, errstr_size, EDDY_EINVAL,
                                 "Column `%s` is a 'KEY' column: please use 'PRIMARY KEY' for "
                                 "tables.\nTables have PRIMARY KEYs, which are unique and NON "
                                 "NULL.\nStreams have KEYs, which have no uniqueness or NOT NULL "
                                 "constraints.", c->name);
            kind = EDDY_COL_KEY;
        } else if (c->constraint == EDDY_SQL_COL_PRIMARY_KEY) {
            if (!table)
                rc = eddy_seterr(errstr, errstr_size, EDDY_EINVAL,
                                 "Column `%s` is a 'PRIMARY KEY' column: please use 'KEY' for "
                                 "streams.\nTables have PRIMARY KEYs, which are unique and NON "
                                 "NULL.\nStreams have KEYs, which have no uniqueness or NOT NULL "
                                 "constraints.", c->name);
            kind = EDDY_COL_KEY;
        } else if (c->constraint != EDDY_SQL_COL_VALUE) {
            rc = eddy_seterr(errstr, errstr_size, EDDY_EINVAL,
                             "HEADER columns are not supported yet");
        }
        has_key |= kind == EDDY_COL_KEY;
        if (rc == 0 && eddy_schema_builder_add(b, c->name, t, kind) == EDDY_EEXIST)
            rc = eddy_seterr(errstr, errstr_size, EDDY_EEXIST, "Duplicate column names: %s",
                             c->name);
    }
    if (rc == 0 && table && !has_key)
        rc = eddy_seterr(errstr, errstr_size, EDDY_EINVAL,
                         "Tables require a PRIMARY KEY. Please define the PRIMARY KEY.");
    s->schema = eddy_schema_build(b);
    if (rc == 0) {
        s->topic = with_text(st, "KAFKA_TOPIC");
        if (!s->topic)
            rc = eddy_seterr(errstr, errstr_size, EDDY_EINVAL,
                             "Missing required property \"KAFKA_TOPIC\" which has no default "
                             "value.");
    }
    if (rc == 0)
        rc = apply_formats(st, s, errstr, errstr_size);
    topic_settings(st, s);
    if (rc == 0) {
        /* A windowed topic (WINDOW_TYPE): its records carry their window. */
        char *wt = upper(with_text(st, "WINDOW_TYPE"));
        char *ws = with_text(st, "WINDOW_SIZE");
        if (wt && strcmp(wt, "SESSION") != 0 && strcmp(wt, "TUMBLING") != 0 &&
            strcmp(wt, "HOPPING") != 0)
            rc = eddy_seterr(errstr, errstr_size, EDDY_EINVAL,
                             "Invalid value for property WINDOW_TYPE: %s (expected SESSION, "
                             "HOPPING or TUMBLING)", wt);
        else if (wt && ws && strcmp(wt, "SESSION") == 0)
            rc = eddy_seterr(errstr, errstr_size, EDDY_EINVAL,
                             "'WINDOW_SIZE' should not be set for SESSION windows.");
        else if (ws && !wt)
            rc = eddy_seterr(errstr, errstr_size, EDDY_EINVAL,
                             "'WINDOW_SIZE' should be set only for windowed sources "
                             "(WINDOW_TYPE).");
        int64_t size_ms = 0;
        if (rc == 0 && ws)
            rc = parse_duration("WINDOW_SIZE", ws, &size_ms, errstr, errstr_size);
        s->window_type = wt;
        s->window_size_ms = size_ms;
        free(ws);
    }
    if (rc == 0) {
        default_wrap(e, s);
        s->timestamp = upper(with_text(st, "TIMESTAMP"));
        s->timestamp_format = with_text(st, "TIMESTAMP_FORMAT");
        rc = check_serdes(s, errstr, errstr_size);
    }
    int tcol = s->timestamp ? eddy_schema_find(s->schema, s->timestamp) : -1;
    if (rc == 0 && s->timestamp && tcol < 0)
        rc = eddy_seterr(errstr, errstr_size, EDDY_ENOTFOUND,
                         "The TIMESTAMP column set in the WITH clause does not exist in the "
                         "schema: '%s'", s->timestamp);
    if (rc == 0 && tcol >= 0) {
        eddy_type_id t = s->schema->cols[tcol].type->id;
        if (!(t == EDDY_TYPE_BIGINT || t == EDDY_TYPE_TIMESTAMP ||
              (t == EDDY_TYPE_STRING && s->timestamp_format)))
            rc = eddy_seterr(errstr, errstr_size, EDDY_ETYPE,
                             "Timestamp column, `%s`, should be LONG(INT64), TIMESTAMP, or a "
                             "String with a timestamp_format specified", s->timestamp);
    }
    if (rc == 0) {
        eddy_source *old = eddy_catalog_find(e->catalog, s->name);
        if (old && st->if_not_exists) {
            eddy_source_free(s);
            return 0;
        }
        if (old && !st->or_replace)
            rc = eddy_seterr(errstr, errstr_size, EDDY_EEXIST,
                             "Cannot add %s '%s': A %s with the same name already exists",
                             table ? "table" : "stream", s->name,
                             old->kind == EDDY_SOURCE_TABLE ? "table" : "stream");
        else if (old && (old->read_only || s->read_only))
            rc = eddy_seterr(errstr, errstr_size, EDDY_EINVAL,
                             "Cannot add %s '%s': CREATE OR REPLACE is not supported on "
                             "source %ss.", table ? "table" : "stream", s->name,
                             table ? "table" : "stream");
        else if (old)
            eddy_catalog_remove(e->catalog, s->name);
    }
    if (rc == 0)
        rc = eddy_catalog_add(e->catalog, s);
    if (rc) {
        eddy_source_free(s);
        return rc;
    }
    return eddy_topics_create(e->topics, s->topic);
}

/* Rewords a planning error of the WHERE ("where" node) or HAVING ("having" node) filter as
 * ksqlDB does: "Error in WHERE expression: Cannot compare ...", "Type error in WHERE
 * expression: Should evaluate to boolean but is (X) (DOUBLE) instead.", else "Invalid
 * Predicate: ...". Other errors keep what follows the node. */
static void predicate_error(const eddy_sql_query *q, const char *why, int rc, char *errstr,
                            size_t errstr_size)
{
    const char *m = strstr(why, "': ");
    m = m ? m + 3 : why;
    const char *clause = strstr(why, "node 'where': ")    ? "WHERE"
                         : strstr(why, "node 'having': ") ? "HAVING"
                                                          : NULL;
    const char *cfg = "config 'where': ";
    const char *unresolved = strstr(m, "Column '");
    if (unresolved && strstr(why, "node 'project': ") && strstr(unresolved, "' cannot be resolved.")) {
        /* ksqlDB names the clause: SELECT column 'X' cannot be resolved. */
        eddy_seterr(errstr, errstr_size, rc, "SELECT column %s", unresolved + strlen("Column "));
        return;
    }
    if (!clause || strncmp(m, cfg, strlen(cfg)) != 0) {
        eddy_seterr(errstr, errstr_size, rc, "%s", m);
        return;
    }
    m += strlen(cfg);
    int skip = 0;
    if (sscanf(m, "line %*d:%*d: %n", &skip) == 0 && skip > 0)
        m += skip;
    const char *boolean = "expression must be BOOLEAN, got ";
    if (strncmp(m, boolean, strlen(boolean)) == 0) {
        eddy_buf e = {0};
        eddy_ast_format(strcmp(clause, "WHERE") == 0 ? q->where : q->having, &e);
        eddy_seterr(errstr, errstr_size, rc,
                    "Type error in %s expression: Should evaluate to boolean but is %s (%s) "
                    "instead.", clause, eddy_buf_cstr(&e), m + strlen(boolean));
        eddy_buf_free(&e);
    } else if (strncmp(m, "Cannot compare", 14) == 0 ||
               strncmp(m, "Error processing expression", 27) == 0) {
        eddy_seterr(errstr, errstr_size, rc, "Error in %s expression: %s", clause, m);
    } else {
        eddy_seterr(errstr, errstr_size, rc, "Invalid Predicate: %s", m);
    }
}

/* Plans, checks and starts the pipeline of a persistent query writing to `sink`. On success
 * *schema is the query's output schema (retained for the caller). */
static int start_query(eddy_engine *e, const eddy_sql_query *q, const eddy_source *sink,
                       const char *kind, eddy_schema **schema, char *errstr, size_t errstr_size)
{
    eddy_plan_sink ps = {sink->name,          sink->topic,         sink->key_format,
                         sink->value_format,  sink->key_delimiter, sink->value_delimiter,
                         sink->wrap_single,   sink->partitions,    sink->replicas,
                         sink->window_type};
    eddy_graph *g;
    int node;
    int rc = eddy_plan_query(e->catalog, q, &ps, &g, &node, errstr, errstr_size);
    if (rc)
        return rc;
    eddy_run_opts o = {.quiet = true, .topics = e->topics, .processing_log = e->proclog,
                       .batch_size = 1024};
    eddy_pipeline *p;
    char why[EDDY_ERRSTR_SIZE];
    rc = eddy_pipeline_new(g, e->loader, &o, &p, why, sizeof why);
    if (rc) {
        /* Messages from the plugins come as "<graph>: node 'x': ..."; the user wrote SQL, so
         * keep what follows the node, worded as ksqlDB words errors in WHERE and HAVING. */
        predicate_error(q, why, rc, errstr, errstr_size);
        eddy_graph_destroy(g);
        return rc;
    }
    rc = eddy_pipeline_start(p, errstr, errstr_size);
    if (rc) {
        eddy_pipeline_destroy(p);
        eddy_graph_destroy(g);
        return rc;
    }
    query *qs = realloc(e->queries, (e->nqueries + 1) * sizeof *qs);
    if (!qs) {
        eddy_pipeline_finish(p, NULL, 0);
        eddy_pipeline_destroy(p);
        eddy_graph_destroy(g);
        return EDDY_ENOMEM;
    }
    e->queries = qs;
    char id[300];
    snprintf(id, sizeof id, "%s_%s_%d", kind, sink->name, e->next_query_id++);
    qs[e->nqueries++] = (query){strdup(id), g, p};
    *schema = eddy_schema_retain(eddy_pipeline_output_schema(p, node, 0));
    return 0;
}

static int create_as(eddy_engine *e, const eddy_sql_stmt *st, char *errstr, size_t errstr_size)
{
    bool table = st->source_kind == EDDY_SQL_TABLE;
    eddy_source *from = eddy_plan_from(e->catalog, st->query, errstr, errstr_size);
    if (!from)
        return EDDY_ENOTFOUND;
    eddy_source *old = eddy_catalog_find(e->catalog, st->name);
    if (old && st->if_not_exists)
        return 0;
    if (old && !st->or_replace)
        return eddy_seterr(errstr, errstr_size, EDDY_EEXIST,
                           "Cannot add %s '%s': A %s with the same name already exists",
                           table ? "table" : "stream", st->name,
                           old->kind == EDDY_SOURCE_TABLE ? "table" : "stream");
    if (old)
        return eddy_seterr(errstr, errstr_size, EDDY_EINVAL,
                           "CREATE OR REPLACE of a running query is not supported yet");
    bool makes_table = st->query->has_group_by || from->kind == EDDY_SOURCE_TABLE;
    if (makes_table && !table)
        return eddy_seterr(errstr, errstr_size, EDDY_EINVAL,
                           "Invalid result type. Your SELECT query produces a TABLE. Please use "
                           "CREATE TABLE AS SELECT statement instead.");
    if (!makes_table && table)
        return eddy_seterr(errstr, errstr_size, EDDY_EINVAL,
                           "Invalid result type. Your SELECT query produces a STREAM. Please "
                           "use CREATE STREAM AS SELECT statement instead.");
    eddy_source *s = calloc(1, sizeof *s);
    s->name = strdup(st->name);
    s->kind = table ? EDDY_SOURCE_TABLE : EDDY_SOURCE_STREAM;
    s->wrap_single = -1;
    s->key_format = strdup(from->key_format);
    s->value_format = strdup(from->value_format);
    if (from->key_delimiter)
        s->key_delimiter = strdup(from->key_delimiter);
    if (from->value_delimiter)
        s->value_delimiter = strdup(from->value_delimiter);
    s->topic = with_text(st, "KAFKA_TOPIC");
    if (!s->topic)
        s->topic = strdup(st->name);
    topic_settings(st, s);
    /* Grouping a keyless stream gives the result a key: the default key format applies. */
    if (st->query->has_group_by && strcmp(s->key_format, "NONE") == 0) {
        free(s->key_format);
        const char *dk = prop(e, "ksql.persistence.default.format.key");
        s->key_format = upper(strdup(dk ? dk : "KAFKA"));
    }
    static const char *const wnames[] = {NULL, "TUMBLING", "HOPPING", "SESSION"};
    if (st->query->window.kind != EDDY_SQL_WINDOW_NONE)
        s->window_type = strdup(wnames[st->query->window.kind]);
    else if (from->window_type && !st->query->has_group_by && !st->query->njoins)
        s->window_type = strdup(from->window_type); /* a windowed input stays windowed */
    int rc = apply_formats(st, s, errstr, errstr_size);
    if (rc == 0) {
        default_wrap(e, s);
        s->query_id = NULL;
        rc = start_query(e, st->query, s, table ? "CTAS" : "CSAS", &s->schema, errstr,
                         errstr_size);
    }
    if (rc == 0) {
        s->query_id = strdup(e->queries[e->nqueries - 1].id);
        rc = eddy_catalog_add(e->catalog, s);
    }
    if (rc) {
        eddy_source_free(s);
        return rc;
    }
    return eddy_topics_create(e->topics, s->topic);
}

static int insert_into(eddy_engine *e, const eddy_sql_stmt *st, char *errstr,
                       size_t errstr_size)
{
    eddy_source *sink = eddy_catalog_find(e->catalog, st->name);
    if (!sink)
        return eddy_seterr(errstr, errstr_size, EDDY_ENOTFOUND, "%s does not exist.", st->name);
    if (sink->read_only)
        return eddy_seterr(errstr, errstr_size, EDDY_EINVAL,
                           "Cannot insert into read-only %s: %s",
                           sink->kind == EDDY_SOURCE_TABLE ? "table" : "stream", sink->name);
    eddy_schema *schema = NULL;
    int rc = start_query(e, st->query, sink, "INSERTQUERY", &schema, errstr, errstr_size);
    if (rc == 0 && !eddy_schema_equal(schema, sink->schema)) {
        eddy_buf a = {0}, b = {0};
        eddy_schema_format(schema, &a);
        eddy_schema_format(sink->schema, &b);
        rc = eddy_seterr(errstr, errstr_size, EDDY_ETYPE,
                         "Incompatible schema between results and sink.\nResult schema is %s\n"
                         "Sink schema is %s", eddy_buf_cstr(&a), eddy_buf_cstr(&b));
        eddy_buf_free(&a);
        eddy_buf_free(&b);
        /* Not started after all. */
        query *q = &e->queries[--e->nqueries];
        query_free(q);
    }
    eddy_schema_release(schema);
    return rc;
}

static int drop_source(eddy_engine *e, const eddy_sql_stmt *st, char *errstr,
                       size_t errstr_size)
{
    bool table = st->source_kind == EDDY_SQL_TABLE;
    eddy_source *s = eddy_catalog_find(e->catalog, st->name);
    if (!s) {
        if (st->if_exists)
            return 0;
        return eddy_seterr(errstr, errstr_size, EDDY_ENOTFOUND, "%s %s does not exist.",
                           table ? "Table" : "Stream", st->name);
    }
    if ((s->kind == EDDY_SOURCE_TABLE) != table)
        return eddy_seterr(errstr, errstr_size, EDDY_EINVAL,
                           "Incompatible data source type is %s, but statement was DROP %s",
                           table ? "STREAM" : "TABLE", table ? "TABLE" : "STREAM");
    if (st->delete_topic && s->read_only)
        return eddy_seterr(errstr, errstr_size, EDDY_EINVAL,
                           "Cannot delete topic for read-only source: %s", s->name);
    /* The query writing it stops with it. */
    for (size_t i = 0; s->query_id && i < e->nqueries; i++) {
        if (strcmp(e->queries[i].id, s->query_id) == 0) {
            query_free(&e->queries[i]);
            memmove(&e->queries[i], &e->queries[i + 1],
                    (e->nqueries - i - 1) * sizeof *e->queries);
            e->nqueries--;
            break;
        }
    }
    return eddy_catalog_remove(e->catalog, st->name);
}

/* DESCRIBE FUNCTION name (`name` set) and SHOW FUNCTIONS: the listing goes to the engine's
 * output, a blank line after each statement's. Built-ins and loaded UDFs are all in the
 * default registry; an unknown name fails as in ksqlDB. */
static int describe_functions(eddy_engine *e, const char *name, char *errstr,
                              size_t errstr_size)
{
    int rc = eddy_registry_describe(eddy_registry_default(), name, &e->output, errstr,
                                    errstr_size);
    if (rc == 0)
        rc = eddy_buf_putc(&e->output, '\n');
    return rc;
}

const char *eddy_engine_output(eddy_engine *e)
{
    return e->output.len ? eddy_buf_cstr(&e->output) : "";
}

void eddy_engine_output_clear(eddy_engine *e)
{
    e->output.len = 0;
}

int eddy_engine_execute_at(eddy_engine *e, const char *sql, int line, int col, char *errstr,
                           size_t errstr_size)
{
    /* the parser counts from the text's start: the statement goes where it stands */
    eddy_buf padded = {0};
    for (int k = 1; k < line; k++)
        eddy_buf_putc(&padded, '\n');
    for (int k = 1; k < col; k++)
        eddy_buf_putc(&padded, ' ');
    eddy_buf_puts(&padded, sql);
    int rc = eddy_engine_execute(e, eddy_buf_cstr(&padded), errstr, errstr_size);
    eddy_buf_free(&padded);
    return rc;
}

/* ------------------------------------------------------- INSERT VALUES */

static int run_queries(eddy_engine *e, char *errstr, size_t errstr_size);
static int part_serde(const eddy_source *s, eddy_serde_part part, bool json, eddy_serde **out,
                      char *errstr, size_t errstr_size);

/* A column reference in `a` (not a lambda's parameter), or NULL. */
static const eddy_ast *find_column_ref(const eddy_ast *a)
{
    if (a->kind == EDDY_AST_COLUMN && !a->lambda_var)
        return a;
    for (uint32_t i = 0; i < a->nkids; i++) {
        const eddy_ast *c = find_column_ref(a->kids[i]);
        if (c)
            return c;
    }
    return NULL;
}

/* One value of INSERT ... VALUES, evaluated (no columns in scope) and coerced to `to` as
 * ksqlDB does: numbers widen, a NULL takes the column's type. */
static int insert_value(const eddy_ast *ast, const char *col, const eddy_type *to,
                        eddy_arena *arena, eddy_value *out, char *errstr, size_t errstr_size)
{
    const eddy_ast *ref = find_column_ref(ast);
    if (ref && ref->qualifier)
        return eddy_seterr(errstr, errstr_size, EDDY_EINVAL,
                           "'%s' is not a valid stream/table name or alias.", ref->qualifier);
    eddy_scope scope = {0};
    eddy_expr *x = NULL;
    int rc = eddy_expr_bind(ast, &scope, &x, errstr, errstr_size);
    if (rc) /* an untyped NULL cannot be bound alone: it is the column's NULL */
        return ast->kind == EDDY_AST_NULL ? (*out = eddy_null(to->id), 0) : rc;
    const eddy_type *from = eddy_expr_type(x);
    eddy_value v;
    eddy_eval_ctx ctx = {.arena = arena, .errstr = errstr, .errstr_size = errstr_size};
    rc = eddy_expr_eval(x, NULL, &ctx, &v);
    if (rc == 0 && ctx.soft_errors)
        rc = EDDY_EFUNC;
    if (rc == 0 && from != to && !eddy_type_coercible(from, to)) {
        char ft[512], tt[512];
        eddy_type_format(from, ft, sizeof ft);
        eddy_type_format(to, tt, sizeof tt);
        rc = eddy_seterr(errstr, errstr_size, EDDY_ETYPE,
                         "Expected type %s for field `%s` but got %s", tt, col, ft);
    }
    /* copied into `arena` (a constant's memory goes with the expression; a cast may share
     * strings with its input), then cast */
    eddy_value mine;
    if (rc == 0 && eddy_value_copy(arena, &v, &mine) != 0)
        rc = eddy_seterr(errstr, errstr_size, EDDY_ENOMEM, "out of memory");
    if (rc == 0)
        rc = from == to ? (*out = mine, 0)
                        : eddy_value_cast_typed(arena, &mine, from, to, out, errstr,
                                                errstr_size);
    eddy_expr_destroy(x);
    return rc;
}

/* INSERT INTO name [(columns)] VALUES (values): one record to the source's topic in its
 * formats. Without a column list the values are the columns in order (key columns first);
 * columns not given are NULL; ROWTIME, when given, is the record's timestamp, else the
 * TIMESTAMP column's value, else the wall clock. */
static int insert_values(eddy_engine *e, const eddy_sql_stmt *st, char *errstr,
                         size_t errstr_size)
{
    eddy_source *s = eddy_catalog_find(e->catalog, st->name);
    if (!s) {
        char up[256];
        size_t n = strlen(st->name);
        for (size_t i = 0; i <= n && i < sizeof up; i++)
            up[i] = (char)toupper((unsigned char)st->name[i]);
        up[sizeof up - 1] = '\0';
        if (strcmp(up, st->name) != 0 && eddy_catalog_find(e->catalog, up))
            return eddy_seterr(errstr, errstr_size, EDDY_ENOTFOUND,
                               "Cannot insert values into an unknown stream/table: `%s`\nDid "
                               "you mean %s? Hint: try removing double quotes from the source "
                               "name.", st->name, up);
        return eddy_seterr(errstr, errstr_size, EDDY_ENOTFOUND,
                           "Cannot insert values into an unknown stream/table: `%s`",
                           st->name);
    }
    if (s->read_only)
        return eddy_seterr(errstr, errstr_size, EDDY_EINVAL,
                           "Cannot insert values into read-only %s: %s",
                           s->kind == EDDY_SOURCE_TABLE ? "table" : "stream", s->name);
    const eddy_schema *sc = s->schema;
    uint32_t ncols = st->nnames ? st->nnames : sc->ncols;
    if (ncols != st->nvalues)
        return eddy_seterr(errstr, errstr_size, EDDY_EINVAL,
                           "Expected number columns and values to match: %u, %u", ncols,
                           st->nvalues);
    eddy_arena *a = eddy_arena_new(0);
    eddy_value *cols = a ? eddy_arena_alloc(a, (sc->ncols ? sc->ncols : 1) * sizeof *cols) : NULL;
    if (!cols) {
        eddy_arena_destroy(a);
        return eddy_seterr(errstr, errstr_size, EDDY_ENOMEM, "out of memory");
    }
    for (uint32_t c = 0; c < sc->ncols; c++)
        cols[c] = eddy_null(sc->cols[c].type->id);
    int64_t ts = -1;
    int rc = 0;
    for (uint32_t i = 0; i < ncols && rc == 0; i++) {
        const char *name = st->nnames ? st->names[i] : sc->cols[i].name;
        if (strcmp(name, "ROWTIME") == 0) {
            eddy_value v;
            rc = insert_value(st->values[i], name, eddy_type_bigint(), a, &v, errstr,
                              errstr_size);
            if (rc == 0 && v.is_null)
                rc = eddy_seterr(errstr, errstr_size, EDDY_EINVAL, "ROWTIME cannot be NULL");
            if (rc == 0)
                ts = v.u.i64;
            continue;
        }
        if (eddy_sql_reserved_column(name)) {
            rc = eddy_seterr(errstr, errstr_size, EDDY_EINVAL,
                             "Inserting into column `%s` is not allowed.", name);
            break;
        }
        int c = eddy_schema_find(sc, name);
        if (c < 0) {
            rc = eddy_seterr(errstr, errstr_size, EDDY_ENOTFOUND,
                             "Column name `%s` does not exist.", name);
            break;
        }
        rc = insert_value(st->values[i], name, sc->cols[c].type, a, &cols[c], errstr,
                          errstr_size);
    }
    if (rc == 0 && ts < 0 && s->timestamp && !s->timestamp_format) {
        int c = eddy_schema_find(sc, s->timestamp);
        if (c >= 0 && !cols[c].is_null)
            ts = cols[c].u.i64; /* BIGINT and TIMESTAMP both hold ms in i64 */
    }
    eddy_buf kb = {0}, vb = {0};
    bool knull = false, vnull = false;
    for (int part = 0; part < 2 && rc == 0; part++) {
        eddy_serde *sd = NULL;
        eddy_serde_part sp = part ? EDDY_SERDE_VALUE : EDDY_SERDE_KEY;
        rc = part_serde(s, sp, false, &sd, errstr, errstr_size);
        eddy_record r = {.cols = cols, .rowtime = ts};
        if (rc == 0)
            rc = eddy_serde_encode(sd, &r, part ? &vb : &kb, errstr, errstr_size);
        if (rc == EDDY_SERDE_NULL) {
            *(part ? &vnull : &knull) = true;
            rc = 0;
        }
        eddy_serde_destroy(sd);
    }
    if (rc == 0) {
        eddy_topic_record tr = {0};
        tr.key = knull ? NULL : (const uint8_t *)(kb.data ? kb.data : "");
        tr.key_len = (uint32_t)kb.len;
        tr.value = vnull ? NULL : (const uint8_t *)(vb.data ? vb.data : "");
        tr.value_len = (uint32_t)vb.len;
        tr.timestamp = ts >= 0 ? ts : eddy_now_ms();
        rc = eddy_topics_append(e->topics, s->topic, &tr, NULL);
        if (rc)
            eddy_seterr(errstr, errstr_size, rc, "cannot append to topic '%s'", s->topic);
    }
    eddy_buf_free(&kb);
    eddy_buf_free(&vb);
    eddy_arena_destroy(a);
    return rc ? rc : run_queries(e, errstr, errstr_size);
}

int eddy_engine_execute(eddy_engine *e, const char *sql, char *errstr, size_t errstr_size)
{
    eddy_sql_stmt *st;
    int rc = eddy_sql_parse_statement(sql, e->arena, &st, errstr, errstr_size);
    if (rc)
        return rc;
    switch (st->kind) {
    case EDDY_STMT_CREATE_SOURCE:
        return create_source(e, st, errstr, errstr_size);
    case EDDY_STMT_CREATE_AS:
        return create_as(e, st, errstr, errstr_size);
    case EDDY_STMT_INSERT_INTO:
        return insert_into(e, st, errstr, errstr_size);
    case EDDY_STMT_INSERT_VALUES:
        return insert_values(e, st, errstr, errstr_size);
    case EDDY_STMT_DROP_SOURCE:
        return drop_source(e, st, errstr, errstr_size);
    case EDDY_STMT_CREATE_TYPE:
        return create_type(e, st, errstr, errstr_size);
    case EDDY_STMT_DROP_TYPE:
        return drop_type(e, st, errstr, errstr_size);
    case EDDY_STMT_SET:
        return set_prop(e, st->name, st->value);
    case EDDY_STMT_UNSET:
        return set_prop(e, st->name, "");
    case EDDY_STMT_DESCRIBE_FUNCTION:
        return describe_functions(e, st->name ? st->name : "", errstr, errstr_size);
    case EDDY_STMT_LIST:
        if (st->list_what == EDDY_SQL_LIST_FUNCTIONS)
            return describe_functions(e, NULL, errstr, errstr_size);
        return 0; /* informational: nothing changes */
    case EDDY_STMT_DESCRIBE:
    case EDDY_STMT_EXPLAIN:
        return 0; /* informational: nothing changes */
    default:
        return eddy_seterr(errstr, errstr_size, EDDY_EINVAL, "%s statements are not supported "
                           "yet", eddy_stmt_kind_name(st->kind));
    }
}

/* ------------------------------------------------------ records <-> JSON */

/* A serde for one part of a source, in the source's format or (json) as unwrapped JSON. */
static int part_serde(const eddy_source *s, eddy_serde_part part, bool json, eddy_serde **out,
                      char *errstr, size_t errstr_size)
{
    /* The JSON bridge stands for a KAFKA-format part: a single value, never wrapped. */
    eddy_serde_opts o = {.format = json ? "JSON" : part == EDDY_SERDE_KEY ? s->key_format
                                                                           : s->value_format,
                         .wrap_single = part == EDDY_SERDE_KEY ? -1
                                        : json                 ? 0
                                                               : s->wrap_single};
    const char *delim = part == EDDY_SERDE_KEY ? s->key_delimiter : s->value_delimiter;
    int rc;
    if (!json && delim && (rc = eddy_serde_opts_set(&o, "delimiter", delim, errstr, errstr_size)))
        return rc;
    return eddy_serde_new(&o, s->schema, part, out, errstr, errstr_size);
}

/* JSON text -> topic bytes for `part` of source `s` (NULL source: the text's own bytes, a
 * JSON string's content). Sets *null for a Kafka null. */
static int to_bytes(const eddy_source *s, eddy_serde_part part, const char *text, eddy_buf *out,
                    bool *null, char *errstr, size_t errstr_size)
{
    *null = false;
    cJSON *j = text ? cJSON_Parse(text) : NULL;
    if (!text || cJSON_IsNull(j)) {
        cJSON_Delete(j);
        *null = true;
        return 0;
    }
    const char *fmt = !s ? NULL : part == EDDY_SERDE_KEY ? s->key_format : s->value_format;
    int rc = 0;
    if (!s || strcmp(fmt, "DELIMITED") == 0 || strcmp(fmt, "NONE") == 0 ||
        (strcmp(fmt, "KAFKA") == 0 && cJSON_IsString(j) &&
         s->schema->cols[part == EDDY_SERDE_KEY ? 0 : s->schema->nkey].type->id ==
             EDDY_TYPE_STRING)) {
        /* Text formats: a JSON string is the bytes; anything else is its JSON text. */
        if (cJSON_IsString(j))
            rc = eddy_buf_puts(out, j->valuestring);
        else
            rc = eddy_buf_puts(out, text);
    } else if (strcmp(fmt, "JSON") == 0) {
        rc = eddy_buf_puts(out, text);
    } else {
        /* KAFKA: the JSON value, typed by the schema, then its binary encoding. */
        eddy_serde *js = NULL, *ks = NULL;
        eddy_arena *a = eddy_arena_new(0);
        eddy_batch *b = eddy_batch_new(NULL, s->schema, 1);
        eddy_record *r = eddy_batch_append(b);
        rc = part_serde(s, part, true, &js, errstr, errstr_size);
        if (rc == 0)
            rc = part_serde(s, part, false, &ks, errstr, errstr_size);
        if (rc == 0)
            rc = eddy_serde_decode(js, (const uint8_t *)text, strlen(text), r, a, errstr,
                                   errstr_size);
        if (rc == 0) {
            rc = eddy_serde_encode(ks, r, out, errstr, errstr_size);
            if (rc == EDDY_SERDE_NULL) {
                *null = true;
                rc = 0;
            }
        }
        eddy_serde_destroy(js);
        eddy_serde_destroy(ks);
        eddy_batch_release(b);
        eddy_arena_destroy(a);
    }
    cJSON_Delete(j);
    return rc;
}

int eddy_engine_produce(eddy_engine *e, const char *topic, const eddy_engine_record *r,
                        char *errstr, size_t errstr_size)
{
    const eddy_source *s = eddy_catalog_find_topic(e->catalog, topic);
    eddy_buf kb = {0}, vb = {0};
    bool knull, vnull;
    int rc = to_bytes(s, EDDY_SERDE_KEY, r->key, &kb, &knull, errstr, errstr_size);
    if (rc == 0)
        rc = to_bytes(s, EDDY_SERDE_VALUE, r->value, &vb, &vnull, errstr, errstr_size);
    eddy_header *hs = NULL;
    uint32_t nh = 0;
    cJSON *hj = r->headers ? cJSON_Parse(r->headers) : NULL;
    eddy_arena *a = eddy_arena_new(0);
    if (rc == 0 && cJSON_IsArray(hj)) {
        nh = (uint32_t)cJSON_GetArraySize(hj);
        hs = eddy_arena_calloc(a, nh ? nh : 1, sizeof *hs);
        uint32_t i = 0;
        for (cJSON *h = hj->child; h; h = h->next, i++) {
            const cJSON *k = cJSON_GetObjectItem(h, "KEY"), *v = cJSON_GetObjectItem(h, "VALUE");
            if (cJSON_IsString(k)) {
                hs[i].key = k->valuestring;
                hs[i].key_len = (uint32_t)strlen(k->valuestring);
            }
            if (cJSON_IsString(v)) {
                uint8_t *bytes;
                size_t n;
                if (eddy_base64_decode(a, v->valuestring, strlen(v->valuestring), &bytes, &n) == 0) {
                    hs[i].value = bytes;
                    hs[i].value_len = (uint32_t)n;
                }
            }
        }
    }
    if (rc == 0) {
        eddy_topic_record tr = {0};
        tr.key = knull ? NULL : (const uint8_t *)(kb.data ? kb.data : "");
        tr.key_len = (uint32_t)kb.len;
        tr.value = vnull ? NULL : (const uint8_t *)(vb.data ? vb.data : "");
        tr.value_len = (uint32_t)vb.len;
        tr.timestamp = r->timestamp >= 0 ? r->timestamp : 0;
        tr.headers = hs;
        tr.nheaders = nh;
        cJSON *w = r->window ? cJSON_Parse(r->window) : NULL;
        if (cJSON_IsObject(w)) {
            tr.windowed = true;
            tr.win_start = (int64_t)cJSON_GetNumberValue(cJSON_GetObjectItem(w, "start"));
            tr.win_end = (int64_t)cJSON_GetNumberValue(cJSON_GetObjectItem(w, "end"));
        }
        cJSON_Delete(w);
        rc = eddy_topics_append(e->topics, topic, &tr, NULL);
    }
    cJSON_Delete(hj);
    eddy_arena_destroy(a);
    eddy_buf_free(&kb);
    eddy_buf_free(&vb);
    if (rc)
        return rc;
    return run_queries(e, errstr, errstr_size);
}

/* Every query runs until none has anything left: records a query writes are read by the
 * queries after it in the same pass, and by earlier ones in the next. */
static int run_queries(eddy_engine *e, char *errstr, size_t errstr_size)
{
    for (bool progress = true; progress;) {
        progress = false;
        for (size_t i = 0; i < e->nqueries; i++) {
            for (;;) {
                int n = eddy_pipeline_step(e->queries[i].pipeline, errstr, errstr_size);
                if (n < 0 && n != EDDY_EOF)
                    return n;
                if (n <= 0)
                    break;
                progress = true;
            }
        }
    }
    return 0;
}

/* Topic bytes -> JSON text (appended), for `part` of source `s` (NULL: raw bytes as a JSON
 * string, or as JSON when they parse). */
static int to_json(const eddy_source *s, eddy_serde_part part, const uint8_t *p, uint32_t n,
                   cJSON **out)
{
    *out = NULL;
    if (!p) {
        *out = cJSON_CreateNull();
        return 0;
    }
    const char *fmt = !s ? NULL : part == EDDY_SERDE_KEY ? s->key_format : s->value_format;
    char *text = dup_bytes(p, n);
    if (!text)
        return EDDY_ENOMEM;
    int rc = 0;
    if (s && strcmp(fmt, "JSON") == 0) {
        *out = cJSON_Parse(text);
        if (!*out)
            *out = cJSON_CreateString(text);
    } else if (!s || strcmp(fmt, "KAFKA") != 0 ||
               s->schema->cols[part == EDDY_SERDE_KEY ? 0 : s->schema->nkey].type->id ==
                   EDDY_TYPE_STRING) {
        *out = cJSON_CreateString(text);
    } else {
        eddy_serde *js = NULL, *ks = NULL;
        eddy_arena *a = eddy_arena_new(0);
        eddy_batch *b = eddy_batch_new(NULL, s->schema, 1);
        eddy_record *r = eddy_batch_append(b);
        eddy_buf jb = {0};
        rc = part_serde(s, part, false, &ks, NULL, 0);
        if (rc == 0)
            rc = part_serde(s, part, true, &js, NULL, 0);
        if (rc == 0)
            rc = eddy_serde_decode(ks, p, n, r, a, NULL, 0);
        if (rc == 0 && eddy_serde_encode(js, r, &jb, NULL, 0) >= 0)
            *out = cJSON_Parse(eddy_buf_cstr(&jb));
        if (!*out)
            *out = cJSON_CreateString(text);
        eddy_buf_free(&jb);
        eddy_serde_destroy(js);
        eddy_serde_destroy(ks);
        eddy_batch_release(b);
        eddy_arena_destroy(a);
    }
    free(text);
    return 0;
}

int eddy_engine_topic_records(eddy_engine *e, const char *topic, eddy_buf *out)
{
    int64_t n = eddy_topics_size(e->topics, topic);
    if (n < 0)
        return EDDY_ENOTFOUND;
    const eddy_source *s = eddy_catalog_find_topic(e->catalog, topic);
    /* The JSON writer prints numbers as doubles: the bytes' own text is kept instead by
     * splicing raw JSON for JSON-format parts. */
    eddy_buf_putc(out, '[');
    for (int64_t i = 0; i < n; i++) {
        const eddy_topic_record *r = eddy_topics_get(e->topics, topic, i);
        if (i)
            eddy_buf_putc(out, ',');
        eddy_buf_puts(out, "{\"key\":");
        for (int part = 0; part < 2; part++) {
            const uint8_t *p = part ? r->value : r->key;
            uint32_t len = part ? r->value_len : r->key_len;
            eddy_serde_part sp = part ? EDDY_SERDE_VALUE : EDDY_SERDE_KEY;
            const char *fmt = !s ? NULL : part ? s->value_format : s->key_format;
            if (part)
                eddy_buf_puts(out, ",\"value\":");
            if (p && fmt && strcmp(fmt, "JSON") == 0) {
                eddy_buf_append(out, p, len); /* JSON bytes are JSON text */
                continue;
            }
            cJSON *j;
            to_json(s, sp, p, len, &j);
            char *t = j ? cJSON_PrintUnformatted(j) : NULL;
            eddy_buf_puts(out, t ? t : "null");
            free(t);
            cJSON_Delete(j);
        }
        eddy_buf_printf(out, ",\"timestamp\":%lld", (long long)r->timestamp);
        if (r->windowed) {
            bool session = s && s->window_type && strcmp(s->window_type, "SESSION") == 0;
            eddy_buf_printf(out, ",\"window\":{\"start\":%lld,\"end\":%lld,\"type\":\"%s\"}",
                            (long long)r->win_start, (long long)r->win_end,
                            session ? "session" : "time");
        }
        if (r->nheaders) {
            eddy_buf_puts(out, ",\"headers\":[");
            for (uint32_t h = 0; h < r->nheaders; h++) {
                char *k = dup_bytes(r->headers[h].key, r->headers[h].key_len);
                cJSON *ks = cJSON_CreateString(k);
                char *kt = cJSON_PrintUnformatted(ks);
                eddy_buf_printf(out, "%s{\"KEY\":%s,\"VALUE\":", h ? "," : "", kt);
                if (r->headers[h].value) {
                    eddy_buf_putc(out, '"');
                    eddy_base64_encode(out, r->headers[h].value, r->headers[h].value_len);
                    eddy_buf_putc(out, '"');
                } else {
                    eddy_buf_puts(out, "null");
                }
                eddy_buf_putc(out, '}');
                free(kt);
                cJSON_Delete(ks);
                free(k);
            }
            eddy_buf_putc(out, ']');
        }
        eddy_buf_putc(out, '}');
    }
    eddy_buf_putc(out, ']');
    return 0;
}

int eddy_engine_explain(eddy_engine *e, bool dot, eddy_buf *out)
{
    for (size_t i = 0; i < e->nqueries; i++) {
        const query *q = &e->queries[i];
        if (!dot)
            eddy_buf_printf(out, "%sQuery %s\n", i ? "\n" : "", q->id);
        int rc = dot ? eddy_explain_dot(q->pipeline, out) : eddy_explain_text(q->pipeline, out);
        if (rc)
            return rc;
    }
    return 0;
}

size_t eddy_engine_query_count(const eddy_engine *e) { return e->nqueries; }

const char *eddy_engine_query_id(const eddy_engine *e, size_t i) { return e->queries[i].id; }

eddy_graph *eddy_engine_query_graph(eddy_engine *e, size_t i) { return e->queries[i].graph; }

int eddy_engine_sources(eddy_engine *e, eddy_buf *out)
{
    return eddy_catalog_format_json(e->catalog, out);
}
