/* statement.h: ksqlDB statements (SqlBase.g4's `statements` and `statement` rules) parsed from
 * a whole SQL script into unbound statement trees, each with its source span, and printed back
 * as canonical SQL (the deterministic summary `eddy explain` and the tests use). */
#ifndef EDDY_SQL_STATEMENT_H
#define EDDY_SQL_STATEMENT_H

#include "eddy/common.h"
#include "eddy/arena.h"
#include "sql/ast.h"

typedef enum eddy_stmt_kind {
    EDDY_STMT_CREATE_SOURCE = 1, /* CREATE [OR REPLACE] [SOURCE] STREAM|TABLE [IF NOT EXISTS]
                                    name [(columns)] [WITH (props)] */
    EDDY_STMT_CREATE_AS,         /* CREATE [OR REPLACE] STREAM|TABLE [IF NOT EXISTS] name
                                    [WITH (props)] AS query */
    EDDY_STMT_INSERT_INTO,       /* INSERT INTO name [WITH (props)] query */
    EDDY_STMT_INSERT_VALUES,     /* INSERT INTO name [(names)] VALUES (values) */
    EDDY_STMT_DROP_SOURCE,       /* DROP STREAM|TABLE [IF EXISTS] name [DELETE TOPIC] */
    EDDY_STMT_CREATE_TYPE,       /* CREATE TYPE [IF NOT EXISTS] name AS type */
    EDDY_STMT_DROP_TYPE,         /* DROP TYPE [IF EXISTS] name */
    EDDY_STMT_ALTER_SOURCE,      /* ALTER STREAM|TABLE name ADD [COLUMN] col type, ... */
    EDDY_STMT_QUERY,             /* SELECT ... (a push query with EMIT, else a pull query) */
    EDDY_STMT_SET,               /* SET 'name' = 'value' */
    EDDY_STMT_UNSET,             /* UNSET 'name' */
    EDDY_STMT_DEFINE,            /* DEFINE name = 'value' */
    EDDY_STMT_UNDEFINE,          /* UNDEFINE name */
    EDDY_STMT_DESCRIBE,          /* DESCRIBE name|STREAMS|TABLES [EXTENDED] */
    EDDY_STMT_DESCRIBE_FUNCTION, /* DESCRIBE FUNCTION name */
    EDDY_STMT_LIST,              /* SHOW|LIST what [EXTENDED] */
    EDDY_STMT_EXPLAIN,           /* EXPLAIN statement | EXPLAIN query-id */
    EDDY_STMT_TERMINATE          /* TERMINATE query-id | TERMINATE ALL */
} eddy_stmt_kind;

typedef enum eddy_sql_source_kind {
    EDDY_SQL_STREAM = 1,
    EDDY_SQL_TABLE
} eddy_sql_source_kind;

/* What SHOW / LIST names. */
typedef enum eddy_sql_list_what {
    EDDY_SQL_LIST_STREAMS = 1, EDDY_SQL_LIST_TABLES, EDDY_SQL_LIST_TOPICS,
    EDDY_SQL_LIST_QUERIES, EDDY_SQL_LIST_FUNCTIONS, EDDY_SQL_LIST_TYPES,
    EDDY_SQL_LIST_PROPERTIES, EDDY_SQL_LIST_VARIABLES
} eddy_sql_list_what;

/* columnConstraints of a tableElement. */
typedef enum eddy_sql_col_constraint {
    EDDY_SQL_COL_VALUE = 0,   /* none */
    EDDY_SQL_COL_KEY,         /* KEY */
    EDDY_SQL_COL_PRIMARY_KEY, /* PRIMARY KEY */
    EDDY_SQL_COL_HEADERS,     /* HEADERS */
    EDDY_SQL_COL_HEADER       /* HEADER('key'): header_key */
} eddy_sql_col_constraint;

/* tableElement: name type [constraint]. The type is as written (not resolved). */
typedef struct eddy_sql_column {
    const char *name;
    const eddy_ast_type *type;
    eddy_sql_col_constraint constraint;
    const char *header_key; /* HEADER('key') */
    int line, col;
} eddy_sql_column;

/* tableProperty: NAME = literal. The name is upper-cased (quoted or not: ksqlDB's property
 * names are case-insensitive); the value is a literal node (STRING, INT, BIGINT, DECIMAL,
 * DOUBLE, BOOL or NULL). */
typedef struct eddy_sql_property {
    const char *name;
    const eddy_ast *value;
    int line, col;
} eddy_sql_property;

/* aliasedRelation: a source name and its alias (NULL when none). */
typedef struct eddy_sql_relation {
    const char *name;
    const char *alias;
    int line, col;
} eddy_sql_relation;

typedef enum eddy_sql_join_type {
    EDDY_SQL_JOIN_INNER = 1, /* [INNER] JOIN */
    EDDY_SQL_JOIN_LEFT,      /* LEFT [OUTER] JOIN */
    EDDY_SQL_JOIN_RIGHT,     /* RIGHT [OUTER] JOIN */
    EDDY_SQL_JOIN_FULL       /* FULL [OUTER] JOIN */
} eddy_sql_join_type;

/* joinedSource: type JOIN relation [WITHIN ...] ON criteria. Durations in milliseconds.
 * WITHIN n unit sets before = after = n; WITHIN (b unit, a unit) sets them apart. */
typedef struct eddy_sql_join {
    eddy_sql_join_type type;
    eddy_sql_relation source;
    bool has_within, within_pair, has_grace;
    int64_t before_ms, after_ms, grace_ms;
    const eddy_ast *on;
    int line, col;
} eddy_sql_join;

typedef enum eddy_sql_window_kind {
    EDDY_SQL_WINDOW_NONE = 0, EDDY_SQL_WINDOW_TUMBLING, EDDY_SQL_WINDOW_HOPPING,
    EDDY_SQL_WINDOW_SESSION
} eddy_sql_window_kind;

/* windowExpression, durations in milliseconds (SESSION's gap is size_ms). */
typedef struct eddy_sql_window {
    eddy_sql_window_kind kind;
    int64_t size_ms, advance_ms, retention_ms, grace_ms;
    bool has_retention, has_grace;
    int line, col;
} eddy_sql_window;

typedef enum eddy_sql_item_kind {
    EDDY_SQL_ITEM_EXPR = 1,  /* expression [AS alias] */
    EDDY_SQL_ITEM_STAR,      /* * */
    EDDY_SQL_ITEM_SOURCE_STAR, /* qualifier.* */
    EDDY_SQL_ITEM_STRUCT_STAR  /* expr->* (every field of a struct) */
} eddy_sql_item_kind;

typedef struct eddy_sql_select_item {
    eddy_sql_item_kind kind;
    const eddy_ast *expr;   /* EXPR, STRUCT_STAR */
    const char *alias;      /* NULL without one; may start with a digit (`AS 1R`) */
    const char *qualifier;  /* SOURCE_STAR */
    int line, col;
} eddy_sql_select_item;

typedef enum eddy_sql_emit {
    EDDY_SQL_EMIT_NONE = 0, EDDY_SQL_EMIT_CHANGES, EDDY_SQL_EMIT_FINAL
} eddy_sql_emit;

/* query: SELECT items FROM relation [joins] [WINDOW] [WHERE] [GROUP BY] [PARTITION BY]
 * [HAVING] [EMIT] [LIMIT]. Absent clauses are NULL / 0. */
typedef struct eddy_sql_query {
    uint32_t nitems;
    eddy_sql_select_item *items;
    eddy_sql_relation from;
    uint32_t njoins;
    eddy_sql_join *joins;
    eddy_sql_window window;
    const eddy_ast *where;
    bool has_group_by, has_partition_by; /* the clause is there (its list may be empty) */
    uint32_t ngroup_by;
    const eddy_ast **group_by;
    uint32_t npartition_by;
    const eddy_ast **partition_by;
    const eddy_ast *having;
    eddy_sql_emit emit;
    bool has_limit;
    int32_t limit;
    int line, col;
} eddy_sql_query;

/* One statement. Fields that a kind does not use are zero/NULL:
 *   CREATE_SOURCE  source_kind, or_replace, is_source, if_not_exists, name, has_columns +
 *                  columns, props
 *   CREATE_AS      source_kind, or_replace, if_not_exists, name, props, query
 *   INSERT_INTO    name, props, query
 *   INSERT_VALUES  name, names (the column list, nnames 0 without one), values
 *   DROP_SOURCE    source_kind, if_exists, name, delete_topic
 *   CREATE_TYPE    if_not_exists, name, type;   DROP_TYPE  if_exists, name
 *   ALTER_SOURCE   source_kind, name, columns (the added ones)
 *   QUERY          query
 *   SET            name (property), value;      UNSET  name
 *   DEFINE         name (variable), value;      UNDEFINE  name
 *   DESCRIBE       name, extended; or list_what (DESCRIBE STREAMS|TABLES [EXTENDED])
 *   DESCRIBE_FUNCTION  name
 *   LIST           list_what, extended, all (SHOW ALL TOPICS)
 *   EXPLAIN        inner (a statement) or name (a query id)
 *   TERMINATE      name (a query id) or all */
typedef struct eddy_sql_stmt {
    eddy_stmt_kind kind;
    int line, col;          /* of the statement's first token */
    size_t offset, length;  /* span in the script: first token to the ';' included (or to
                               the last token when there is no ';') */
    const char *text;       /* that span, NUL-terminated (arena) */
    eddy_sql_source_kind source_kind;
    bool or_replace, is_source, if_not_exists, if_exists, delete_topic, has_columns;
    bool extended, all;
    const char *name;
    uint32_t ncolumns;
    eddy_sql_column *columns;
    uint32_t nprops;
    eddy_sql_property *props;
    eddy_sql_query *query;
    uint32_t nnames;
    const char **names;
    uint32_t nvalues;
    const eddy_ast **values;
    const eddy_ast_type *type;
    const char *value;      /* SET / DEFINE */
    eddy_sql_list_what list_what;
    struct eddy_sql_stmt *inner;
} eddy_sql_stmt;

typedef struct eddy_sql_script {
    const char *origin;     /* as given (borrowed), NULL when none */
    uint32_t n;
    eddy_sql_stmt **v;
} eddy_sql_script;

/* Parses `text` (NUL-terminated; borrowed only for the call: statements keep copies) into
 * statements, all in `arena` (caller-owned; the result lives as long as the arena). `origin`
 * (a file name, or NULL) is borrowed and kept in out->origin.
 * Statements are separated by ';' (the last one may omit it); empty statements are skipped.
 * Lines and columns count from the start of the script. The first error stops the parse:
 * EDDY_EPARSE (EDDY_EINVAL for a KEY / PRIMARY KEY misuse, EDDY_ERANGE for a number out of
 * range, EDDY_ENOMEM), errstr holding ksqlDB's message and then the failing statement:
 *   "line 2:47: Syntax Error\nSyntax error at or near 'NULL' at line 2:47\nStatement: ..."
 *   "Line: 1, Col: 21: Column `ID` is a 'KEY' column: please use 'PRIMARY KEY' for tables."
 *   "Failed to prepare statement: line 2:40: Invalid numeric literal: 9223372036854775808"
 * (the last as ksqlDB words it, one column to the right of the literal). With an origin,
 * every error reads "origin:2:39: <message>\nStatement: ..." at the true column.
 * Variables (${name}) are not substituted: they fail as undefined. Not thread-safe per
 * arena. */
int eddy_sql_parse_script(const char *text, const char *origin, eddy_arena *arena,
                          eddy_sql_script *out, char *errstr, size_t errstr_size);

/* Parses exactly one statement (a trailing ';' is allowed). */
int eddy_sql_parse_statement(const char *text, eddy_arena *arena, eddy_sql_stmt **out,
                             char *errstr, size_t errstr_size);

/* Appends the statement as canonical SQL: keywords and identifiers upper-case (quoted when
 * needed), expressions as ksqlDB's ExpressionFormatter prints them, durations in
 * MILLISECONDS, properties in source order, no ';'. The output parses back to the same
 * statement. Returns 0 or EDDY_ENOMEM. */
int eddy_sql_stmt_format(const eddy_sql_stmt *s, eddy_buf *buf);
int eddy_sql_query_format(const eddy_sql_query *q, eddy_buf *buf);

/* "CREATE_SOURCE", "QUERY", ... */
const char *eddy_stmt_kind_name(eddy_stmt_kind k);

#endif
