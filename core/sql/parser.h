/* parser.h: recursive-descent parser for ksqlDB's SQL over the lexer's tokens; one function
 * per grammar rule of ksqlDB's SqlBase.g4 (expressions, types, table elements, select
 * items), so statements can be added rule by rule. */
#ifndef EDDY_SQL_PARSER_H
#define EDDY_SQL_PARSER_H

#include "eddy/common.h"
#include "eddy/arena.h"
#include "eddy/record.h"
#include "sql/lexer.h"
#include "sql/ast.h"

/* A parser over one text. The first error stops it: every rule returns 0 or a negative
 * code, and the message ("line 1:7: Syntax Error\nExpecting ...", as ksqlDB words it) is in
 * the caller's errstr. Nodes, tokens and strings live in `arena` (caller-owned; the tree is
 * valid as long as the arena). Not thread-safe; cheap to create. */
typedef struct eddy_parser {
    const char *text;
    eddy_arena *arena;
    eddy_tokens toks;
    uint32_t pos;
    char *errstr;
    size_t errstr_size;
    int err;
} eddy_parser;

/* Tokenizes `text` (NUL-terminated). EDDY_ENOMEM only: lexical errors surface when the
 * parser reaches the bad token. */
int eddy_parser_init(eddy_parser *p, const char *text, eddy_arena *arena, char *errstr,
                     size_t errstr_size);
const eddy_token *eddy_parser_peek(const eddy_parser *p, uint32_t ahead);

/* Grammar rules. */
int eddy_parse_expression(eddy_parser *p, eddy_ast **out);
int eddy_parse_type(eddy_parser *p, eddy_ast_type **out);
/* selectItem: expression (AS? identifier)? ; *alias is NULL without one. */
int eddy_parse_select_item(eddy_parser *p, eddy_ast **out, const char **alias);
/* identifier: unquoted (upper-cased), `back-quoted` or "double-quoted" (verbatim). */
int eddy_parse_identifier(eddy_parser *p, const char **out);
/* valueExpression: arithmetic and concatenation, no predicates (GROUP BY, VALUES). */
int eddy_parse_value_expression(eddy_parser *p, eddy_ast **out);
/* literal: NULL | number | TRUE | FALSE | STRING (a WITH property's value). */
int eddy_parse_literal(eddy_parser *p, eddy_ast **out);
/* Succeeds at end of input (a trailing ';' is allowed). */
int eddy_parse_eof(eddy_parser *p);

/* True for the pseudo-column names no column or alias may take: ROWTIME, ROWPARTITION,
 * ROWOFFSET, WINDOWSTART, WINDOWEND (case-sensitive: identifiers arrive upper-cased).
 * ksqlDB's message for a declared column of that name, with the name for %s: */
bool eddy_sql_reserved_column(const char *name);
#define EDDY_SQL_RESERVED_COLUMN_MSG \
    "'%s' is a reserved column name. You cannot use it as a name for a column."

/* Token helpers for rules defined in other files (statement.c): consume the current token;
 * consume it if of kind k; consume it or report ksqlDB's error for a missing k (expect);
 * report the current token as unexpected, `expecting` as ANTLR lists it ("{',', ')'}",
 * NULL for "no viable alternative"); whether it can start an identifier. */
const eddy_token *eddy_parser_next(eddy_parser *p);
bool eddy_parser_accept(eddy_parser *p, eddy_tok_kind k);
int eddy_parser_expect(eddy_parser *p, eddy_tok_kind k);
int eddy_parser_expect_kw(eddy_parser *p, eddy_keyword kw);
int eddy_parser_unexpected(eddy_parser *p, const char *expecting);
bool eddy_parser_at_identifier(const eddy_parser *p);

/* A syntax error at token `t` in ksqlDB's shape: "line L:C: Syntax Error\n<detail>". */
int eddy_parser_syntax_error(eddy_parser *p, const eddy_token *t, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Any other error at a position: "line L:C: <message>". */
int eddy_parser_error_at(eddy_parser *p, int line, int col, int code, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* One-shot helpers. */
int eddy_sql_parse_expr(const char *text, eddy_arena *arena, eddy_ast **out,
                        char *errstr, size_t errstr_size);
int eddy_sql_parse_select_item(const char *text, eddy_arena *arena, eddy_ast **out,
                               const char **alias, char *errstr, size_t errstr_size);

/* The eddy_type for a parsed type. Fails (EDDY_EINVAL, message in errstr) on type
 * variables, DECIMAL without (p, s), bad precision/scale, duplicate struct fields. */
int eddy_ast_type_resolve(const eddy_ast_type *t, const eddy_type **out,
                          char *errstr, size_t errstr_size);
/* Named (custom) types, as CREATE TYPE registers them: lookup returns the type called `name`
 * (upper case as parsed, or as quoted) or NULL. */
typedef struct eddy_type_names {
    const eddy_type *(*lookup)(void *opaque, const char *name);
    void *opaque;
} eddy_type_names;
/* eddy_ast_type_resolve where a name that is no built-in type may name a custom type, at any
 * depth (ARRAY<ADDRESS>); `names` may be NULL. */
int eddy_ast_type_resolve_with(const eddy_ast_type *t, const eddy_type_names *names,
                               const eddy_type **out, char *errstr, size_t errstr_size);

/* Parses a column list "ID STRING KEY, STARS INT, H ARRAY<STRUCT<KEY STRING, VALUE BYTES>>
 * HEADERS" (optionally in parentheses; PRIMARY KEY is taken as KEY) into a new schema
 * (refcount 1; release it). Errors name line:column and the cause, as ksqlDB does. */
int eddy_columns_parse(const char *text, eddy_schema **out, char *errstr, size_t errstr_size);
/* Parses a SQL type ("DECIMAL(4, 2)", "ARRAY<STRING>", "VARCHAR") into an interned type. */
int eddy_type_parse(const char *text, const eddy_type **out, char *errstr, size_t errstr_size);

#endif
