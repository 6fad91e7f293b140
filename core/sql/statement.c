/* statement.c: ksqlDB statements over the expression parser (see statement.h). Rules follow
 * ksqlDB's SqlBase.g4:
 *
 *   statements   : (singleStatement)* EOF          singleStatement: statement ';'
 *   statement    : query | (LIST|SHOW) ... | DESCRIBE ... | EXPLAIN (statement | identifier)
 *                | TERMINATE (identifier | ALL) | SET STRING EQ STRING | UNSET STRING
 *                | DEFINE variableName EQ variableValue | UNDEFINE variableName
 *                | CREATE (OR REPLACE)? SOURCE? (STREAM|TABLE) (IF NOT EXISTS)? sourceName
 *                    tableElements? (WITH tableProperties)?
 *                | CREATE (OR REPLACE)? (STREAM|TABLE) (IF NOT EXISTS)? sourceName
 *                    (WITH tableProperties)? AS query
 *                | INSERT INTO sourceName (WITH tableProperties)? query
 *                | INSERT INTO sourceName columns? VALUES values
 *                | DROP (STREAM|TABLE) (IF EXISTS)? sourceName (DELETE TOPIC)?
 *                | CREATE TYPE (IF NOT EXISTS)? identifier AS type | DROP TYPE (IF EXISTS)? id
 *                | ALTER (STREAM|TABLE) sourceName alterOption (',' alterOption)*
 *   query        : SELECT selectItem (',' selectItem)* FROM relation (WINDOW windowExpression)?
 *                  (WHERE booleanExpression)? (GROUP BY groupBy)? (PARTITION BY partitionBy)?
 *                  (HAVING booleanExpression)? (EMIT (CHANGES|FINAL))? (LIMIT number)?
 *   relation     : aliasedRelation joinedSource*
 *   joinedSource : (INNER? | LEFT OUTER? | RIGHT OUTER? | FULL OUTER?) JOIN aliasedRelation
 *                  (WITHIN ('(' size ',' size ')' | size) (GRACE PERIOD size)?)? ON expression
 *
 * Words that are not in the lexer's keyword table (DROP, SHOW, TOPIC, ...) are non-reserved
 * in ksqlDB and are matched by their upper-cased text. */
#include "sql/statement.h"
#include "sql/parser.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TRY(x) do { int rc_ = (x); if (rc_) return rc_; } while (0)

/* ------------------------------------------------------------------ tokens */

static const eddy_token *cur(const eddy_parser *p) { return eddy_parser_peek(p, 0); }

static bool tok_is_word(const eddy_token *t, const char *w)
{
    return t->kind == EDDY_TK_IDENT && strcmp(t->text, w) == 0;
}
static bool at_word(const eddy_parser *p, const char *w) { return tok_is_word(cur(p), w); }
static bool at_kind(const eddy_parser *p, eddy_tok_kind k) { return cur(p)->kind == k; }

static bool at_kw(const eddy_parser *p, eddy_keyword kw)
{
    return cur(p)->kind == EDDY_TK_IDENT && cur(p)->kw == kw;
}

static bool accept_kw(eddy_parser *p, eddy_keyword kw)
{
    if (!at_kw(p, kw))
        return false;
    eddy_parser_next(p);
    return true;
}

static bool accept_word(eddy_parser *p, const char *w)
{
    if (!at_word(p, w))
        return false;
    eddy_parser_next(p);
    return true;
}

static int expect_word(eddy_parser *p, const char *w)
{
    if (accept_word(p, w))
        return 0;
    char exp[48];
    snprintf(exp, sizeof exp, "'%s'", w);
    return eddy_parser_unexpected(p, exp);
}

static void *alloc0(eddy_parser *p, size_t n, size_t size)
{
    void *v = eddy_arena_calloc(p->arena, n ? n : 1, size);
    if (!v)
        p->err = EDDY_ENOMEM;
    return v;
}

/* A growable array of fixed-size elements in the arena. */
typedef struct vec {
    void *v;
    uint32_t n, cap;
} vec;

static void *vec_push(eddy_parser *p, vec *l, size_t size)
{
    if (l->n == l->cap) {
        uint32_t ncap = l->cap ? l->cap * 2 : 4;
        char *nv = eddy_arena_calloc(p->arena, ncap, size);
        if (!nv) {
            p->err = EDDY_ENOMEM;
            return NULL;
        }
        if (l->n)
            memcpy(nv, l->v, l->n * size);
        l->v = nv;
        l->cap = ncap;
    }
    return (char *)l->v + size * l->n++;
}

#define PUSH(p, l, type, var)                                   \
    type *var = vec_push((p), (l), sizeof(type));               \
    if (!var)                                                   \
        return (p)->err

/* -------------------------------------------------------------- durations */

static const struct {
    const char *name;
    int64_t ms;
} time_units[] = {
    {"DAY", 86400000},   {"HOUR", 3600000},   {"MINUTE", 60000},   {"SECOND", 1000},
    {"MILLISECOND", 1},  {"DAYS", 86400000},  {"HOURS", 3600000},  {"MINUTES", 60000},
    {"SECONDS", 1000},   {"MILLISECONDS", 1},
};

/* joinWindowSize / window sizes: number windowUnit, in milliseconds. */
static int parse_duration(eddy_parser *p, int64_t *ms)
{
    const eddy_token *n = cur(p);
    if (n->kind != EDDY_TK_INTEGER)
        return eddy_parser_unexpected(p, "INTEGER_VALUE");
    eddy_parser_next(p);
    const eddy_token *u = cur(p);
    for (size_t i = 0; i < sizeof time_units / sizeof time_units[0]; i++) {
        if (!tok_is_word(u, time_units[i].name))
            continue;
        eddy_parser_next(p);
        errno = 0;
        char *end;
        unsigned long long v = strtoull(n->text, &end, 10);
        if (errno || v > (unsigned long long)(INT64_MAX / time_units[i].ms))
            return eddy_parser_error_at(p, n->line, n->col, EDDY_ERANGE,
                                        "Duration out of range: %s %s", n->text, u->text);
        *ms = (int64_t)v * time_units[i].ms;
        return 0;
    }
    return eddy_parser_unexpected(p, "{'DAY', 'HOUR', 'MINUTE', 'SECOND', 'MILLISECOND', "
                                     "'DAYS', 'HOURS', 'MINUTES', 'SECONDS', 'MILLISECONDS'}");
}

/* ------------------------------------------------------------- properties */

static char *upper_dup(eddy_parser *p, const char *s)
{
    size_t n = strlen(s);
    char *u = eddy_arena_strndup(p->arena, s, n);
    if (!u) {
        p->err = EDDY_ENOMEM;
        return NULL;
    }
    for (size_t i = 0; i < n; i++)
        if (u[i] >= 'a' && u[i] <= 'z')
            u[i] = (char)(u[i] - 'a' + 'A');
    return u;
}

/* tableProperties: '(' tableProperty (',' tableProperty)* ')'
 * tableProperty  : (identifier | STRING) EQ literal */
static int parse_properties(eddy_parser *p, eddy_sql_stmt *s)
{
    vec l = {0};
    TRY(eddy_parser_expect(p, EDDY_TK_LPAREN));
    do {
        const eddy_token *t = cur(p);
        const char *name;
        if (t->kind == EDDY_TK_STRING) {
            eddy_parser_next(p);
            name = t->text;
        } else {
            TRY(eddy_parse_identifier(p, &name));
        }
        PUSH(p, &l, eddy_sql_property, prop);
        if (!(prop->name = upper_dup(p, name)))
            return p->err;
        prop->line = t->line;
        prop->col = t->col;
        TRY(eddy_parser_expect(p, EDDY_TK_EQ));
        eddy_ast *v;
        TRY(eddy_parse_literal(p, &v));
        prop->value = v;
        if (!at_kind(p, EDDY_TK_COMMA) && !at_kind(p, EDDY_TK_RPAREN))
            return eddy_parser_unexpected(p, "{',', ')'}");
    } while (eddy_parser_accept(p, EDDY_TK_COMMA));
    TRY(eddy_parser_expect(p, EDDY_TK_RPAREN));
    s->props = l.v;
    s->nprops = l.n;
    return 0;
}

/* ---------------------------------------------------------- table elements */

/* tableElement: identifier type ((PRIMARY)? KEY | HEADERS | HEADER '(' STRING ')')? */
static int parse_table_element(eddy_parser *p, eddy_sql_column *c)
{
    const eddy_token *t = cur(p);
    c->line = t->line;
    c->col = t->col;
    TRY(eddy_parse_identifier(p, &c->name));
    eddy_ast_type *ty;
    TRY(eddy_parse_type(p, &ty));
    c->type = ty;
    if (accept_word(p, "PRIMARY")) {
        TRY(eddy_parser_expect_kw(p, EDDY_KW_KEY));
        c->constraint = EDDY_SQL_COL_PRIMARY_KEY;
    } else if (accept_word(p, "KEY")) {
        c->constraint = EDDY_SQL_COL_KEY;
    } else if (accept_word(p, "HEADERS")) {
        c->constraint = EDDY_SQL_COL_HEADERS;
    } else if (accept_word(p, "HEADER")) {
        TRY(eddy_parser_expect(p, EDDY_TK_LPAREN));
        const eddy_token *k = cur(p);
        if (k->kind != EDDY_TK_STRING)
            return eddy_parser_unexpected(p, "STRING");
        eddy_parser_next(p);
        c->header_key = k->text;
        TRY(eddy_parser_expect(p, EDDY_TK_RPAREN));
        c->constraint = EDDY_SQL_COL_HEADER;
    }
    return 0;
}

/* tableElements: '(' tableElement (',' tableElement)* ')' */
static int parse_table_elements(eddy_parser *p, eddy_sql_stmt *s)
{
    vec l = {0};
    TRY(eddy_parser_expect(p, EDDY_TK_LPAREN));
    for (;;) {
        PUSH(p, &l, eddy_sql_column, c);
        TRY(parse_table_element(p, c));
        if (eddy_parser_accept(p, EDDY_TK_COMMA))
            continue;
        if (eddy_parser_accept(p, EDDY_TK_RPAREN))
            break;
        return eddy_parser_unexpected(p, "{',', ')'}");
    }
    s->columns = l.v;
    s->ncolumns = l.n;
    s->has_columns = true;
    return 0;
}

/* ------------------------------------------------------------------ query */

static bool at_clause_word(const eddy_parser *p)
{
    /* Non-reserved words that start a clause after a source name: `FROM s EMIT CHANGES`
     * takes EMIT as the clause, as ANTLR's prediction does. */
    const eddy_token *t1 = eddy_parser_peek(p, 1);
    if (at_word(p, "EMIT"))
        return tok_is_word(t1, "CHANGES") || tok_is_word(t1, "FINAL");
    if (at_word(p, "PARTITION"))
        return tok_is_word(t1, "BY");
    return false;
}

/* aliasedRelation: sourceName (AS? identifier)? */
static int parse_relation(eddy_parser *p, eddy_sql_relation *r)
{
    const eddy_token *t = cur(p);
    r->line = t->line;
    r->col = t->col;
    TRY(eddy_parse_identifier(p, &r->name));
    if (accept_kw(p, EDDY_KW_AS))
        return eddy_parse_identifier(p, &r->alias);
    if (eddy_parser_at_identifier(p) && !at_clause_word(p))
        return eddy_parse_identifier(p, &r->alias);
    return 0;
}

/* joinedSource: joinType JOIN aliasedRelation joinWindow? joinCriteria */
static int parse_join(eddy_parser *p, eddy_sql_join *j)
{
    const eddy_token *t = cur(p);
    j->line = t->line;
    j->col = t->col;
    if (accept_kw(p, EDDY_KW_LEFT)) {
        j->type = EDDY_SQL_JOIN_LEFT;
        accept_kw(p, EDDY_KW_OUTER);
    } else if (accept_kw(p, EDDY_KW_RIGHT)) {
        j->type = EDDY_SQL_JOIN_RIGHT;
        accept_kw(p, EDDY_KW_OUTER);
    } else if (accept_kw(p, EDDY_KW_FULL)) {
        j->type = EDDY_SQL_JOIN_FULL;
        accept_kw(p, EDDY_KW_OUTER);
    } else {
        j->type = EDDY_SQL_JOIN_INNER;
        accept_kw(p, EDDY_KW_INNER);
    }
    TRY(eddy_parser_expect_kw(p, EDDY_KW_JOIN));
    TRY(parse_relation(p, &j->source));
    if (accept_kw(p, EDDY_KW_WITHIN)) {
        j->has_within = true;
        if (eddy_parser_accept(p, EDDY_TK_LPAREN)) {
            j->within_pair = true;
            TRY(parse_duration(p, &j->before_ms));
            TRY(eddy_parser_expect(p, EDDY_TK_COMMA));
            TRY(parse_duration(p, &j->after_ms));
            TRY(eddy_parser_expect(p, EDDY_TK_RPAREN));
        } else {
            TRY(parse_duration(p, &j->before_ms));
            j->after_ms = j->before_ms;
        }
        if (accept_word(p, "GRACE")) {
            TRY(expect_word(p, "PERIOD"));
            TRY(parse_duration(p, &j->grace_ms));
            j->has_grace = true;
        }
    }
    TRY(eddy_parser_expect_kw(p, EDDY_KW_ON));
    eddy_ast *on;
    TRY(eddy_parse_expression(p, &on));
    j->on = on;
    return 0;
}

/* windowExpression: IDENTIFIER? (TUMBLING '(' SIZE d retention? grace? ')'
 *   | HOPPING '(' SIZE d ',' ADVANCE BY d retention? grace? ')'
 *   | SESSION '(' d retention? grace? ')')
 * retentionClause: ',' RETENTION d     gracePeriodClause: ',' GRACE PERIOD d */
static int parse_window(eddy_parser *p, eddy_sql_window *w)
{
    static const char *const kinds[] = {"TUMBLING", "HOPPING", "SESSION"};
    const char *expecting = "{'TUMBLING', 'HOPPING', 'SESSION'}";
    const eddy_token *t = cur(p);
    w->line = t->line;
    w->col = t->col;
    /* an optional window name before the kind */
    if (eddy_parser_at_identifier(p) && !at_word(p, "TUMBLING") && !at_word(p, "HOPPING") &&
        !at_word(p, "SESSION"))
        for (int i = 0; i < 3; i++)
            if (tok_is_word(eddy_parser_peek(p, 1), kinds[i]))
                eddy_parser_next(p);
    if (accept_word(p, "TUMBLING"))
        w->kind = EDDY_SQL_WINDOW_TUMBLING;
    else if (accept_word(p, "HOPPING"))
        w->kind = EDDY_SQL_WINDOW_HOPPING;
    else if (accept_word(p, "SESSION"))
        w->kind = EDDY_SQL_WINDOW_SESSION;
    else
        return eddy_parser_unexpected(p, expecting);
    TRY(eddy_parser_expect(p, EDDY_TK_LPAREN));
    if (w->kind != EDDY_SQL_WINDOW_SESSION)
        TRY(expect_word(p, "SIZE"));
    TRY(parse_duration(p, &w->size_ms));
    if (w->kind == EDDY_SQL_WINDOW_HOPPING) {
        TRY(eddy_parser_expect(p, EDDY_TK_COMMA));
        TRY(expect_word(p, "ADVANCE"));
        TRY(eddy_parser_expect_kw(p, EDDY_KW_BY));
        TRY(parse_duration(p, &w->advance_ms));
    }
    while (eddy_parser_accept(p, EDDY_TK_COMMA)) {
        if (!w->has_retention && !w->has_grace && accept_word(p, "RETENTION")) {
            TRY(parse_duration(p, &w->retention_ms));
            w->has_retention = true;
        } else if (!w->has_grace && accept_word(p, "GRACE")) {
            TRY(expect_word(p, "PERIOD"));
            TRY(parse_duration(p, &w->grace_ms));
            w->has_grace = true;
        } else {
            return eddy_parser_unexpected(p, w->has_retention ? "'GRACE'"
                                                              : "{'RETENTION', 'GRACE'}");
        }
    }
    if (!at_kind(p, EDDY_TK_RPAREN))
        return eddy_parser_unexpected(p, "{',', ')'}");
    eddy_parser_next(p);
    return 0;
}

/* Whether the '(' here opens groupBy's parenthesised list rather than an expression: the
 * parentheses are empty or hold a top-level ','. */
static bool at_paren_list(const eddy_parser *p)
{
    if (!at_kind(p, EDDY_TK_LPAREN))
        return false;
    int depth = 0;
    for (uint32_t i = 0;; i++) {
        const eddy_token *t = eddy_parser_peek(p, i);
        switch (t->kind) {
        case EDDY_TK_EOF:
        case EDDY_TK_SEMI:
            return false;
        case EDDY_TK_LPAREN:
        case EDDY_TK_LBRACKET:
            depth++;
            break;
        case EDDY_TK_RPAREN:
        case EDDY_TK_RBRACKET:
            if (--depth == 0)
                return i == 1;
            break;
        case EDDY_TK_COMMA:
            if (depth == 1)
                return true;
            break;
        default:
            break;
        }
    }
}

/* groupBy / partitionBy: valueExpression (',' valueExpression)*
 *                      | '(' (valueExpression (',' valueExpression)*)? ')' */
static int parse_expr_list(eddy_parser *p, const eddy_ast ***out, uint32_t *n)
{
    vec l = {0};
    bool paren = at_paren_list(p);
    if (paren)
        eddy_parser_next(p);
    if (!(paren && at_kind(p, EDDY_TK_RPAREN))) {
        do {
            eddy_ast *e;
            TRY(eddy_parse_value_expression(p, &e));
            PUSH(p, &l, const eddy_ast *, slot);
            *slot = e;
        } while (eddy_parser_accept(p, EDDY_TK_COMMA));
    }
    if (paren)
        TRY(eddy_parser_expect(p, EDDY_TK_RPAREN));
    *out = l.v;
    *n = l.n;
    return 0;
}

static int parse_select_item(eddy_parser *p, eddy_sql_select_item *it)
{
    const eddy_token *t = cur(p);
    it->line = t->line;
    it->col = t->col;
    if (t->kind == EDDY_TK_STAR) {
        eddy_parser_next(p);
        it->kind = EDDY_SQL_ITEM_STAR;
        return 0;
    }
    if (eddy_parser_at_identifier(p) && eddy_parser_peek(p, 1)->kind == EDDY_TK_DOT &&
        eddy_parser_peek(p, 2)->kind == EDDY_TK_STAR) {
        TRY(eddy_parse_identifier(p, &it->qualifier));
        eddy_parser_next(p);
        eddy_parser_next(p);
        it->kind = EDDY_SQL_ITEM_SOURCE_STAR;
        return 0;
    }
    /* expr->*: the expression stops before the '->' that precedes the '*' (the token is
     * hidden as an end of input while the expression is parsed) */
    eddy_token *arrow = NULL;
    int depth = 0;
    for (uint32_t i = 0;; i++) {
        eddy_token *k = (eddy_token *)eddy_parser_peek(p, i);
        if (k->kind == EDDY_TK_EOF || k->kind == EDDY_TK_SEMI ||
            (depth == 0 && (k->kind == EDDY_TK_COMMA ||
                            (k->kind == EDDY_TK_IDENT && k->kw == EDDY_KW_FROM))))
            break;
        if (k->kind == EDDY_TK_LPAREN || k->kind == EDDY_TK_LBRACKET)
            depth++;
        else if ((k->kind == EDDY_TK_RPAREN || k->kind == EDDY_TK_RBRACKET) && depth > 0)
            depth--;
        else if (depth == 0 && k->kind == EDDY_TK_ARROW &&
                 eddy_parser_peek(p, i + 1)->kind == EDDY_TK_STAR) {
            arrow = k;
            break;
        }
    }
    eddy_ast *e;
    if (arrow) {
        arrow->kind = EDDY_TK_EOF;
        int rc = eddy_parse_expression(p, &e);
        arrow->kind = EDDY_TK_ARROW;
        TRY(rc);
        TRY(eddy_parser_expect(p, EDDY_TK_ARROW));
        TRY(eddy_parser_expect(p, EDDY_TK_STAR));
        it->kind = EDDY_SQL_ITEM_STRUCT_STAR;
        it->expr = e;
        return 0;
    }
    /* selectItem: expression (AS? identifier)?; ksqlDB takes a DIGIT_IDENTIFIER alias */
    TRY(eddy_parse_expression(p, &e));
    it->kind = EDDY_SQL_ITEM_EXPR;
    it->expr = e;
    bool as = accept_kw(p, EDDY_KW_AS);
    if (at_kind(p, EDDY_TK_DIGIT_IDENT)) {
        it->alias = eddy_parser_next(p)->text;
        return 0;
    }
    if (as || eddy_parser_at_identifier(p))
        return eddy_parse_identifier(p, &it->alias);
    return 0;
}

static int parse_query(eddy_parser *p, eddy_sql_query **out)
{
    const eddy_token *t = cur(p);
    eddy_sql_query *q = alloc0(p, 1, sizeof *q);
    if (!q)
        return p->err;
    q->line = t->line;
    q->col = t->col;
    TRY(eddy_parser_expect_kw(p, EDDY_KW_SELECT));
    vec items = {0};
    do {
        PUSH(p, &items, eddy_sql_select_item, it);
        TRY(parse_select_item(p, it));
    } while (eddy_parser_accept(p, EDDY_TK_COMMA));
    q->items = items.v;
    q->nitems = items.n;
    if (!at_kw(p, EDDY_KW_FROM))
        return eddy_parser_unexpected(p, "{',', 'FROM'}");
    eddy_parser_next(p);
    TRY(parse_relation(p, &q->from));
    vec joins = {0};
    while (at_kw(p, EDDY_KW_JOIN) || at_kw(p, EDDY_KW_INNER) || at_kw(p, EDDY_KW_LEFT) ||
           at_kw(p, EDDY_KW_RIGHT) || at_kw(p, EDDY_KW_FULL)) {
        PUSH(p, &joins, eddy_sql_join, j);
        TRY(parse_join(p, j));
    }
    q->joins = joins.v;
    q->njoins = joins.n;
    if (accept_kw(p, EDDY_KW_WINDOW))
        TRY(parse_window(p, &q->window));
    eddy_ast *e;
    if (accept_kw(p, EDDY_KW_WHERE)) {
        TRY(eddy_parse_expression(p, &e));
        q->where = e;
    }
    if (accept_kw(p, EDDY_KW_GROUP)) {
        TRY(eddy_parser_expect_kw(p, EDDY_KW_BY));
        TRY(parse_expr_list(p, &q->group_by, &q->ngroup_by));
        q->has_group_by = true;
    }
    if (at_kw(p, EDDY_KW_PARTITION)) {
        eddy_parser_next(p);
        TRY(eddy_parser_expect_kw(p, EDDY_KW_BY));
        TRY(parse_expr_list(p, &q->partition_by, &q->npartition_by));
        q->has_partition_by = true;
    }
    if (accept_kw(p, EDDY_KW_HAVING)) {
        TRY(eddy_parse_expression(p, &e));
        q->having = e;
    }
    if (accept_kw(p, EDDY_KW_EMIT)) {
        if (accept_kw(p, EDDY_KW_CHANGES))
            q->emit = EDDY_SQL_EMIT_CHANGES;
        else if (accept_kw(p, EDDY_KW_FINAL))
            q->emit = EDDY_SQL_EMIT_FINAL;
        else
            return eddy_parser_unexpected(p, "{'CHANGES', 'FINAL'}");
    }
    if (accept_kw(p, EDDY_KW_LIMIT)) {
        const eddy_token *n = cur(p);
        if (n->kind != EDDY_TK_INTEGER)
            return eddy_parser_unexpected(p, "INTEGER_VALUE");
        errno = 0;
        unsigned long long v = strtoull(n->text, NULL, 10);
        if (errno || v > INT32_MAX)
            return eddy_parser_error_at(p, n->line, n->col, EDDY_ERANGE,
                                        "Invalid numeric literal: %s", n->text);
        eddy_parser_next(p);
        q->has_limit = true;
        q->limit = (int32_t)v;
    }
    *out = q;
    return 0;
}

/* -------------------------------------------------------------- statements */

static int parse_statement(eddy_parser *p, eddy_sql_stmt *s);

static int parse_if_not_exists(eddy_parser *p, bool *out)
{
    if (at_word(p, "IF") && eddy_parser_peek(p, 1)->kw == EDDY_KW_NOT &&
        eddy_parser_peek(p, 1)->kind == EDDY_TK_IDENT) {
        eddy_parser_next(p);
        eddy_parser_next(p);
        TRY(eddy_parser_expect_kw(p, EDDY_KW_EXISTS));
        *out = true;
    }
    return 0;
}

static int parse_if_exists(eddy_parser *p, bool *out)
{
    if (at_word(p, "IF") && eddy_parser_peek(p, 1)->kw == EDDY_KW_EXISTS &&
        eddy_parser_peek(p, 1)->kind == EDDY_TK_IDENT) {
        eddy_parser_next(p);
        eddy_parser_next(p);
        *out = true;
    }
    return 0;
}

static int parse_create(eddy_parser *p, eddy_sql_stmt *s)
{
    eddy_parser_next(p); /* CREATE */
    if (accept_kw(p, EDDY_KW_OR)) {
        TRY(expect_word(p, "REPLACE"));
        s->or_replace = true;
    }
    s->is_source = accept_word(p, "SOURCE");
    if (!s->or_replace && !s->is_source && accept_kw(p, EDDY_KW_TYPE)) {
        s->kind = EDDY_STMT_CREATE_TYPE;
        TRY(parse_if_not_exists(p, &s->if_not_exists));
        TRY(eddy_parse_identifier(p, &s->name));
        TRY(eddy_parser_expect_kw(p, EDDY_KW_AS));
        eddy_ast_type *ty;
        TRY(eddy_parse_type(p, &ty));
        s->type = ty;
        return 0;
    }
    if (accept_kw(p, EDDY_KW_STREAM))
        s->source_kind = EDDY_SQL_STREAM;
    else if (accept_kw(p, EDDY_KW_TABLE))
        s->source_kind = EDDY_SQL_TABLE;
    else
        return eddy_parser_unexpected(p, s->is_source      ? "{'STREAM', 'TABLE'}"
                                         : s->or_replace ? "{'SOURCE', 'STREAM', 'TABLE'}"
                                                         : "{'OR', 'SOURCE', 'STREAM', "
                                                           "'TABLE', 'TYPE'}");
    TRY(parse_if_not_exists(p, &s->if_not_exists));
    TRY(eddy_parse_identifier(p, &s->name));
    if (at_kind(p, EDDY_TK_LPAREN))
        TRY(parse_table_elements(p, s));
    for (uint32_t i = 0; i < s->ncolumns; i++) {
        const eddy_sql_column *c = &s->columns[i];
        if (s->source_kind == EDDY_SQL_TABLE && c->constraint == EDDY_SQL_COL_KEY)
            return eddy_parser_error_at(p, c->line, c->col, EDDY_EINVAL,
                                        "Column `%s` is a 'KEY' column: please use "
                                        "'PRIMARY KEY' for tables.", c->name);
        if (s->source_kind == EDDY_SQL_STREAM && c->constraint == EDDY_SQL_COL_PRIMARY_KEY)
            return eddy_parser_error_at(p, c->line, c->col, EDDY_EINVAL,
                                        "Column `%s` is a 'PRIMARY KEY' column: please use "
                                        "'KEY' for streams.", c->name);
    }
    if (accept_kw(p, EDDY_KW_WITH))
        TRY(parse_properties(p, s));
    if (!s->is_source && !s->has_columns && accept_kw(p, EDDY_KW_AS)) {
        s->kind = EDDY_STMT_CREATE_AS;
        return parse_query(p, &s->query);
    }
    s->kind = EDDY_STMT_CREATE_SOURCE;
    return 0;
}

static int parse_insert(eddy_parser *p, eddy_sql_stmt *s)
{
    eddy_parser_next(p); /* INSERT */
    TRY(eddy_parser_expect_kw(p, EDDY_KW_INTO));
    TRY(eddy_parse_identifier(p, &s->name));
    if (accept_kw(p, EDDY_KW_WITH)) {
        TRY(parse_properties(p, s));
        s->kind = EDDY_STMT_INSERT_INTO;
        return parse_query(p, &s->query);
    }
    if (at_kw(p, EDDY_KW_SELECT)) {
        s->kind = EDDY_STMT_INSERT_INTO;
        return parse_query(p, &s->query);
    }
    s->kind = EDDY_STMT_INSERT_VALUES;
    if (eddy_parser_accept(p, EDDY_TK_LPAREN)) {
        vec names = {0};
        do {
            PUSH(p, &names, const char *, slot);
            TRY(eddy_parse_identifier(p, slot));
        } while (eddy_parser_accept(p, EDDY_TK_COMMA));
        TRY(eddy_parser_expect(p, EDDY_TK_RPAREN));
        s->names = names.v;
        s->nnames = names.n;
    } else if (!at_kw(p, EDDY_KW_VALUES)) {
        return eddy_parser_unexpected(p, "{'WITH', 'SELECT', '(', 'VALUES'}");
    }
    TRY(eddy_parser_expect_kw(p, EDDY_KW_VALUES));
    /* values: '(' (valueExpression (',' valueExpression)*)? ')' */
    TRY(eddy_parser_expect(p, EDDY_TK_LPAREN));
    vec vals = {0};
    if (!at_kind(p, EDDY_TK_RPAREN)) {
        do {
            eddy_ast *e;
            TRY(eddy_parse_value_expression(p, &e));
            PUSH(p, &vals, const eddy_ast *, slot);
            *slot = e;
        } while (eddy_parser_accept(p, EDDY_TK_COMMA));
    }
    TRY(eddy_parser_expect(p, EDDY_TK_RPAREN));
    s->values = vals.v;
    s->nvalues = vals.n;
    return 0;
}

static int parse_drop(eddy_parser *p, eddy_sql_stmt *s)
{
    eddy_parser_next(p); /* DROP */
    if (accept_kw(p, EDDY_KW_TYPE)) {
        s->kind = EDDY_STMT_DROP_TYPE;
        TRY(parse_if_exists(p, &s->if_exists));
        return eddy_parse_identifier(p, &s->name);
    }
    if (accept_kw(p, EDDY_KW_STREAM))
        s->source_kind = EDDY_SQL_STREAM;
    else if (accept_kw(p, EDDY_KW_TABLE))
        s->source_kind = EDDY_SQL_TABLE;
    else
        return eddy_parser_unexpected(p, "{'STREAM', 'TABLE', 'TYPE'}");
    s->kind = EDDY_STMT_DROP_SOURCE;
    TRY(parse_if_exists(p, &s->if_exists));
    TRY(eddy_parse_identifier(p, &s->name));
    if (accept_word(p, "DELETE")) {
        TRY(expect_word(p, "TOPIC"));
        s->delete_topic = true;
    }
    return 0;
}

/* ALTER (STREAM | TABLE) sourceName alterOption (',' alterOption)*
 * alterOption: ADD (COLUMN)? identifier type */
static int parse_alter(eddy_parser *p, eddy_sql_stmt *s)
{
    eddy_parser_next(p); /* ALTER */
    if (accept_kw(p, EDDY_KW_STREAM))
        s->source_kind = EDDY_SQL_STREAM;
    else if (accept_kw(p, EDDY_KW_TABLE))
        s->source_kind = EDDY_SQL_TABLE;
    else
        return eddy_parser_unexpected(p, "{'STREAM', 'TABLE'}");
    s->kind = EDDY_STMT_ALTER_SOURCE;
    TRY(eddy_parse_identifier(p, &s->name));
    vec cols = {0};
    do {
        TRY(eddy_parser_expect_kw(p, EDDY_KW_ADD));
        accept_word(p, "COLUMN");
        PUSH(p, &cols, eddy_sql_column, c);
        c->line = cur(p)->line;
        c->col = cur(p)->col;
        TRY(eddy_parse_identifier(p, &c->name));
        eddy_ast_type *ty;
        TRY(eddy_parse_type(p, &ty));
        c->type = ty;
    } while (eddy_parser_accept(p, EDDY_TK_COMMA));
    s->columns = cols.v;
    s->ncolumns = cols.n;
    return 0;
}

static int expect_string(eddy_parser *p, const char **out)
{
    const eddy_token *t = cur(p);
    if (t->kind != EDDY_TK_STRING)
        return eddy_parser_unexpected(p, "STRING");
    eddy_parser_next(p);
    *out = t->text;
    return 0;
}

/* variableName: IDENTIFIER (unquoted) */
static int parse_variable_name(eddy_parser *p, const char **out)
{
    const eddy_token *t = cur(p);
    if (t->kind != EDDY_TK_IDENT || t->reserved)
        return eddy_parser_unexpected(p, "IDENTIFIER");
    eddy_parser_next(p);
    *out = t->text;
    return 0;
}

static const struct {
    const char *word;
    eddy_sql_list_what what;
    bool extended; /* takes EXTENDED */
} list_whats[] = {
    {"STREAMS", EDDY_SQL_LIST_STREAMS, true},     {"TABLES", EDDY_SQL_LIST_TABLES, true},
    {"TOPICS", EDDY_SQL_LIST_TOPICS, true},       {"QUERIES", EDDY_SQL_LIST_QUERIES, true},
    {"FUNCTIONS", EDDY_SQL_LIST_FUNCTIONS, false}, {"TYPES", EDDY_SQL_LIST_TYPES, false},
    {"PROPERTIES", EDDY_SQL_LIST_PROPERTIES, false},
    {"VARIABLES", EDDY_SQL_LIST_VARIABLES, false},
};

static const char *list_what_word(eddy_sql_list_what w)
{
    for (size_t i = 0; i < sizeof list_whats / sizeof list_whats[0]; i++)
        if (list_whats[i].what == w)
            return list_whats[i].word;
    return "?";
}

static int parse_list(eddy_parser *p, eddy_sql_stmt *s)
{
    eddy_parser_next(p); /* SHOW or LIST */
    s->kind = EDDY_STMT_LIST;
    if (accept_kw(p, EDDY_KW_ALL)) {
        s->all = true;
        TRY(expect_word(p, "TOPICS"));
        s->list_what = EDDY_SQL_LIST_TOPICS;
        s->extended = accept_word(p, "EXTENDED");
        return 0;
    }
    for (size_t i = 0; i < sizeof list_whats / sizeof list_whats[0]; i++) {
        if (accept_word(p, list_whats[i].word)) {
            s->list_what = list_whats[i].what;
            if (list_whats[i].extended)
                s->extended = accept_word(p, "EXTENDED");
            return 0;
        }
    }
    return eddy_parser_unexpected(p, "{'ALL', 'STREAMS', 'TABLES', 'TOPICS', 'QUERIES', "
                                     "'FUNCTIONS', 'TYPES', 'PROPERTIES', 'VARIABLES'}");
}

static bool at_end_of_statement(const eddy_parser *p, uint32_t ahead)
{
    eddy_tok_kind k = eddy_parser_peek(p, ahead)->kind;
    return k == EDDY_TK_SEMI || k == EDDY_TK_EOF;
}

static int parse_describe(eddy_parser *p, eddy_sql_stmt *s)
{
    eddy_parser_next(p); /* DESCRIBE */
    if (at_word(p, "FUNCTION") && !at_end_of_statement(p, 1) &&
        !tok_is_word(eddy_parser_peek(p, 1), "EXTENDED")) {
        eddy_parser_next(p);
        s->kind = EDDY_STMT_DESCRIBE_FUNCTION;
        return eddy_parse_identifier(p, &s->name);
    }
    s->kind = EDDY_STMT_DESCRIBE;
    if ((at_word(p, "STREAMS") || at_word(p, "TABLES")) &&
        (at_end_of_statement(p, 1) || tok_is_word(eddy_parser_peek(p, 1), "EXTENDED"))) {
        s->list_what = at_word(p, "STREAMS") ? EDDY_SQL_LIST_STREAMS : EDDY_SQL_LIST_TABLES;
        eddy_parser_next(p);
    } else {
        TRY(eddy_parse_identifier(p, &s->name));
    }
    s->extended = accept_word(p, "EXTENDED");
    return 0;
}

/* Words that start a statement (EXPLAIN takes a statement or a query id). */
static bool at_statement_start(const eddy_parser *p)
{
    static const char *const words[] = {
        "SELECT", "CREATE", "INSERT", "DROP", "ALTER", "SET", "UNSET", "DEFINE", "UNDEFINE",
        "DESCRIBE", "SHOW", "LIST", "EXPLAIN", "TERMINATE"};
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        if (at_word(p, words[i]))
            return true;
    return false;
}

static int parse_statement(eddy_parser *p, eddy_sql_stmt *s)
{
    const eddy_token *t = cur(p);
    if (at_kw(p, EDDY_KW_SELECT)) {
        s->kind = EDDY_STMT_QUERY;
        return parse_query(p, &s->query);
    }
    if (at_kw(p, EDDY_KW_CREATE))
        return parse_create(p, s);
    if (at_kw(p, EDDY_KW_INSERT))
        return parse_insert(p, s);
    if (at_word(p, "DROP"))
        return parse_drop(p, s);
    if (at_word(p, "ALTER"))
        return parse_alter(p, s);
    if (at_word(p, "SHOW") || at_word(p, "LIST"))
        return parse_list(p, s);
    if (at_word(p, "DESCRIBE"))
        return parse_describe(p, s);
    if (accept_word(p, "SET")) {
        s->kind = EDDY_STMT_SET;
        TRY(expect_string(p, &s->name));
        TRY(eddy_parser_expect(p, EDDY_TK_EQ));
        return expect_string(p, &s->value);
    }
    if (accept_word(p, "UNSET")) {
        s->kind = EDDY_STMT_UNSET;
        return expect_string(p, &s->name);
    }
    if (accept_word(p, "DEFINE")) {
        s->kind = EDDY_STMT_DEFINE;
        TRY(parse_variable_name(p, &s->name));
        TRY(eddy_parser_expect(p, EDDY_TK_EQ));
        return expect_string(p, &s->value);
    }
    if (accept_word(p, "UNDEFINE")) {
        s->kind = EDDY_STMT_UNDEFINE;
        return parse_variable_name(p, &s->name);
    }
    if (accept_word(p, "EXPLAIN")) {
        s->kind = EDDY_STMT_EXPLAIN;
        if (at_statement_start(p) && !at_end_of_statement(p, 1)) {
            eddy_sql_stmt *in = alloc0(p, 1, sizeof *in);
            if (!in)
                return p->err;
            const eddy_token *it = cur(p);
            in->line = it->line;
            in->col = it->col;
            TRY(parse_statement(p, in));
            /* the inner statement's span ends where the outer one does */
            const eddy_token *last = eddy_parser_peek(p, 0) - 1;
            in->offset = (size_t)(it->start - p->text);
            in->length = (size_t)(last->start + last->len - it->start);
            if (!(in->text = eddy_arena_strndup(p->arena, it->start, in->length)))
                return p->err = EDDY_ENOMEM;
            s->inner = in;
            return 0;
        }
        return eddy_parse_identifier(p, &s->name);
    }
    if (accept_word(p, "TERMINATE")) {
        s->kind = EDDY_STMT_TERMINATE;
        if (accept_kw(p, EDDY_KW_ALL)) {
            s->all = true;
            return 0;
        }
        return eddy_parse_identifier(p, &s->name);
    }
    if (at_kw(p, EDDY_KW_ASSERT)) {
        /* ASSERT (NOT EXISTS)? (TOPIC | SCHEMA) ...: not supported, reported as ksqlDB's
         * grammar reports anything else after ASSERT */
        eddy_parser_next(p);
        return eddy_parser_unexpected(p, "{'NOT', 'TOPIC', 'SCHEMA'}");
    }
    if (t->kind == EDDY_TK_IDENT && !t->reserved)
        return eddy_parser_syntax_error(p, t, "Unknown statement '%.*s'", (int)t->len,
                                        t->start);
    return eddy_parser_unexpected(p, NULL);
}

/* ------------------------------------------------------------------ script */

/* The source text of the statement starting at token index `first`: up to its ';' (included)
 * or the last token before EOF. */
static void stmt_span(const eddy_parser *p, uint32_t first, size_t *off, size_t *len)
{
    const eddy_token *v = p->toks.v;
    uint32_t i = first, last = first;
    for (; i < p->toks.n && v[i].kind != EDDY_TK_EOF; i++) {
        last = i;
        if (v[i].kind == EDDY_TK_SEMI)
            break;
    }
    *off = (size_t)(v[first].start - p->text);
    *len = v[last].kind == EDDY_TK_EOF ? 0
                                       : (size_t)(v[last].start + v[last].len - v[first].start);
}

/* Shapes the parser's "line L:C: message" as ksqlDB reports it and appends the statement:
 *   syntax errors          "line L:C: Syntax Error\n..."             (ParseFailedException)
 *   AST constraints (EINVAL) "Line: L, Col: C: message"               (AstBuilder's location)
 *   others (literals)      "Failed to prepare statement: line L:C+1: message"
 * The last kind is ksqlDB's ParsingException, which adds 1 to a column that is already
 * 1-based: qtt expects "line 2:40" for a literal at column 39, so we do the same. With an
 * origin, every kind reads "origin:L:C: message" with the true column. */
static void decorate_error(const eddy_parser *p, int rc, uint32_t first, const char *origin,
                           char *errstr, size_t errstr_size)
{
    int line, col, n = 0;
    if (!errstr || !errstr_size || sscanf(errstr, "line %d:%d: %n", &line, &col, &n) != 2 ||
        n == 0)
        return;
    size_t off, len;
    stmt_span(p, first, &off, &len);
    size_t msz = strlen(errstr) + 1;
    char *msg = malloc(msz);
    if (!msg)
        return;
    memcpy(msg, errstr, msz);
    const char *m = msg + n;
    if (origin)
        snprintf(errstr, errstr_size, "%s:%d:%d: %s", origin, line, col, m);
    else if (strncmp(m, "Syntax Error", 12) == 0)
        snprintf(errstr, errstr_size, "%s", msg);
    else if (rc == EDDY_EINVAL)
        snprintf(errstr, errstr_size, "Line: %d, Col: %d: %s", line, col, m);
    else
        snprintf(errstr, errstr_size, "Failed to prepare statement: line %d:%d: %s", line,
                 col + 1, m);
    size_t used = strlen(errstr);
    if (used < errstr_size)
        snprintf(errstr + used, errstr_size - used, "\nStatement: %.*s", (int)len,
                 p->text + off);
    free(msg);
}

int eddy_sql_parse_script(const char *text, const char *origin, eddy_arena *arena,
                          eddy_sql_script *out, char *errstr, size_t errstr_size)
{
    eddy_parser p;
    memset(out, 0, sizeof *out);
    out->origin = origin;
    TRY(eddy_parser_init(&p, text, arena, errstr, errstr_size));
    vec stmts = {0};
    for (;;) {
        while (eddy_parser_accept(&p, EDDY_TK_SEMI))
            ;
        if (at_kind(&p, EDDY_TK_EOF))
            break;
        uint32_t first = p.pos;
        const eddy_token *t = cur(&p);
        eddy_sql_stmt *s = eddy_arena_calloc(arena, 1, sizeof *s);
        eddy_sql_stmt **slot = s ? vec_push(&p, &stmts, sizeof *slot) : NULL;
        if (!slot)
            return eddy_seterr(errstr, errstr_size, EDDY_ENOMEM, "out of memory");
        *slot = s;
        s->line = t->line;
        s->col = t->col;
        int rc = parse_statement(&p, s);
        if (!rc && !at_kind(&p, EDDY_TK_SEMI) && !at_kind(&p, EDDY_TK_EOF))
            rc = eddy_parser_unexpected(&p, "{';', <EOF>}");
        if (rc) {
            if (rc == EDDY_ENOMEM && p.errstr && !p.errstr[0])
                return eddy_seterr(errstr, errstr_size, EDDY_ENOMEM, "out of memory");
            decorate_error(&p, rc, first, origin, errstr, errstr_size);
            return rc;
        }
        stmt_span(&p, first, &s->offset, &s->length);
        if (!(s->text = eddy_arena_strndup(arena, text + s->offset, s->length)))
            return eddy_seterr(errstr, errstr_size, EDDY_ENOMEM, "out of memory");
    }
    out->v = stmts.v;
    out->n = stmts.n;
    return 0;
}

int eddy_sql_parse_statement(const char *text, eddy_arena *arena, eddy_sql_stmt **out,
                             char *errstr, size_t errstr_size)
{
    eddy_sql_script sc;
    TRY(eddy_sql_parse_script(text, NULL, arena, &sc, errstr, errstr_size));
    if (sc.n != 1)
        return eddy_seterr(errstr, errstr_size, EDDY_EPARSE,
                           sc.n ? "line %d:%d: Syntax Error\nExpecting one statement, got %u"
                                : "line %d:%d: Syntax Error\nExpecting a statement, got none",
                           sc.n ? sc.v[1]->line : 1, sc.n ? sc.v[1]->col : 1, sc.n);
    *out = sc.v[0];
    return 0;
}

/* ---------------------------------------------------------------- printing */

const char *eddy_stmt_kind_name(eddy_stmt_kind k)
{
    switch (k) {
    case EDDY_STMT_CREATE_SOURCE: return "CREATE_SOURCE";
    case EDDY_STMT_CREATE_AS: return "CREATE_AS";
    case EDDY_STMT_INSERT_INTO: return "INSERT_INTO";
    case EDDY_STMT_INSERT_VALUES: return "INSERT_VALUES";
    case EDDY_STMT_DROP_SOURCE: return "DROP_SOURCE";
    case EDDY_STMT_CREATE_TYPE: return "CREATE_TYPE";
    case EDDY_STMT_DROP_TYPE: return "DROP_TYPE";
    case EDDY_STMT_ALTER_SOURCE: return "ALTER_SOURCE";
    case EDDY_STMT_QUERY: return "QUERY";
    case EDDY_STMT_SET: return "SET";
    case EDDY_STMT_UNSET: return "UNSET";
    case EDDY_STMT_DEFINE: return "DEFINE";
    case EDDY_STMT_UNDEFINE: return "UNDEFINE";
    case EDDY_STMT_DESCRIBE: return "DESCRIBE";
    case EDDY_STMT_DESCRIBE_FUNCTION: return "DESCRIBE_FUNCTION";
    case EDDY_STMT_LIST: return "LIST";
    case EDDY_STMT_EXPLAIN: return "EXPLAIN";
    case EDDY_STMT_TERMINATE: return "TERMINATE";
    }
    return "?";
}

static int put_string(eddy_buf *b, const char *s)
{
    TRY(eddy_buf_putc(b, '\''));
    for (; *s; s++) {
        if (*s == '\'')
            TRY(eddy_buf_putc(b, '\''));
        TRY(eddy_buf_putc(b, *s));
    }
    return eddy_buf_putc(b, '\'');
}

static int put_duration(eddy_buf *b, int64_t ms)
{
    return eddy_buf_printf(b, "%lld MILLISECONDS", (long long)ms);
}

static int put_relation(eddy_buf *b, const eddy_sql_relation *r)
{
    TRY(eddy_ast_format_ident(b, r->name));
    if (r->alias) {
        TRY(eddy_buf_puts(b, " AS "));
        TRY(eddy_ast_format_ident(b, r->alias));
    }
    return 0;
}

static int put_exprs(eddy_buf *b, const eddy_ast *const *v, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++) {
        if (i)
            TRY(eddy_buf_puts(b, ", "));
        TRY(eddy_ast_format(v[i], b));
    }
    return 0;
}

static int put_column(eddy_buf *b, const eddy_sql_column *c)
{
    TRY(eddy_ast_format_ident(b, c->name));
    TRY(eddy_buf_putc(b, ' '));
    TRY(eddy_ast_type_format(c->type, b));
    switch (c->constraint) {
    case EDDY_SQL_COL_VALUE: return 0;
    case EDDY_SQL_COL_KEY: return eddy_buf_puts(b, " KEY");
    case EDDY_SQL_COL_PRIMARY_KEY: return eddy_buf_puts(b, " PRIMARY KEY");
    case EDDY_SQL_COL_HEADERS: return eddy_buf_puts(b, " HEADERS");
    case EDDY_SQL_COL_HEADER:
        TRY(eddy_buf_puts(b, " HEADER("));
        TRY(put_string(b, c->header_key));
        return eddy_buf_putc(b, ')');
    }
    return 0;
}

static int put_props(eddy_buf *b, const eddy_sql_stmt *s)
{
    if (!s->nprops)
        return 0;
    TRY(eddy_buf_puts(b, " WITH ("));
    for (uint32_t i = 0; i < s->nprops; i++) {
        if (i)
            TRY(eddy_buf_puts(b, ", "));
        TRY(eddy_ast_format_ident(b, s->props[i].name));
        TRY(eddy_buf_putc(b, '='));
        TRY(eddy_ast_format(s->props[i].value, b));
    }
    return eddy_buf_putc(b, ')');
}

static int put_window(eddy_buf *b, const eddy_sql_window *w)
{
    static const char *const names[] = {"", "TUMBLING", "HOPPING", "SESSION"};
    TRY(eddy_buf_printf(b, " WINDOW %s (", names[w->kind]));
    if (w->kind != EDDY_SQL_WINDOW_SESSION)
        TRY(eddy_buf_puts(b, "SIZE "));
    TRY(put_duration(b, w->size_ms));
    if (w->kind == EDDY_SQL_WINDOW_HOPPING) {
        TRY(eddy_buf_puts(b, ", ADVANCE BY "));
        TRY(put_duration(b, w->advance_ms));
    }
    if (w->has_retention) {
        TRY(eddy_buf_puts(b, ", RETENTION "));
        TRY(put_duration(b, w->retention_ms));
    }
    if (w->has_grace) {
        TRY(eddy_buf_puts(b, ", GRACE PERIOD "));
        TRY(put_duration(b, w->grace_ms));
    }
    return eddy_buf_putc(b, ')');
}

static int put_join(eddy_buf *b, const eddy_sql_join *j)
{
    static const char *const names[] = {"", "INNER JOIN", "LEFT OUTER JOIN",
                                        "RIGHT OUTER JOIN", "FULL OUTER JOIN"};
    TRY(eddy_buf_printf(b, " %s ", names[j->type]));
    TRY(put_relation(b, &j->source));
    if (j->has_within) {
        TRY(eddy_buf_puts(b, " WITHIN "));
        if (j->within_pair) {
            TRY(eddy_buf_putc(b, '('));
            TRY(put_duration(b, j->before_ms));
            TRY(eddy_buf_puts(b, ", "));
            TRY(put_duration(b, j->after_ms));
            TRY(eddy_buf_putc(b, ')'));
        } else {
            TRY(put_duration(b, j->before_ms));
        }
        if (j->has_grace) {
            TRY(eddy_buf_puts(b, " GRACE PERIOD "));
            TRY(put_duration(b, j->grace_ms));
        }
    }
    TRY(eddy_buf_puts(b, " ON "));
    return eddy_ast_format(j->on, b);
}

int eddy_sql_query_format(const eddy_sql_query *q, eddy_buf *b)
{
    TRY(eddy_buf_puts(b, "SELECT "));
    for (uint32_t i = 0; i < q->nitems; i++) {
        const eddy_sql_select_item *it = &q->items[i];
        if (i)
            TRY(eddy_buf_puts(b, ", "));
        switch (it->kind) {
        case EDDY_SQL_ITEM_STAR:
            TRY(eddy_buf_putc(b, '*'));
            break;
        case EDDY_SQL_ITEM_SOURCE_STAR:
            TRY(eddy_ast_format_ident(b, it->qualifier));
            TRY(eddy_buf_puts(b, ".*"));
            break;
        case EDDY_SQL_ITEM_STRUCT_STAR:
            TRY(eddy_ast_format(it->expr, b));
            TRY(eddy_buf_puts(b, "->*"));
            break;
        case EDDY_SQL_ITEM_EXPR:
            TRY(eddy_ast_format(it->expr, b));
            if (it->alias) {
                TRY(eddy_buf_puts(b, " AS "));
                TRY(eddy_ast_format_ident(b, it->alias));
            }
            break;
        }
    }
    TRY(eddy_buf_puts(b, " FROM "));
    TRY(put_relation(b, &q->from));
    for (uint32_t i = 0; i < q->njoins; i++)
        TRY(put_join(b, &q->joins[i]));
    if (q->window.kind)
        TRY(put_window(b, &q->window));
    if (q->where) {
        TRY(eddy_buf_puts(b, " WHERE "));
        TRY(eddy_ast_format(q->where, b));
    }
    if (q->has_group_by) {
        TRY(eddy_buf_puts(b, " GROUP BY "));
        TRY(q->ngroup_by ? put_exprs(b, q->group_by, q->ngroup_by) : eddy_buf_puts(b, "()"));
    }
    if (q->has_partition_by) {
        TRY(eddy_buf_puts(b, " PARTITION BY "));
        TRY(q->npartition_by ? put_exprs(b, q->partition_by, q->npartition_by)
                             : eddy_buf_puts(b, "()"));
    }
    if (q->having) {
        TRY(eddy_buf_puts(b, " HAVING "));
        TRY(eddy_ast_format(q->having, b));
    }
    if (q->emit)
        TRY(eddy_buf_puts(b, q->emit == EDDY_SQL_EMIT_CHANGES ? " EMIT CHANGES"
                                                              : " EMIT FINAL"));
    if (q->has_limit)
        TRY(eddy_buf_printf(b, " LIMIT %d", (int)q->limit));
    return 0;
}

static const char *source_word(const eddy_sql_stmt *s)
{
    return s->source_kind == EDDY_SQL_TABLE ? "TABLE" : "STREAM";
}

int eddy_sql_stmt_format(const eddy_sql_stmt *s, eddy_buf *b)
{
    switch (s->kind) {
    case EDDY_STMT_CREATE_SOURCE:
    case EDDY_STMT_CREATE_AS:
        TRY(eddy_buf_printf(b, "CREATE %s%s%s %s", s->or_replace ? "OR REPLACE " : "",
                            s->is_source ? "SOURCE " : "", source_word(s),
                            s->if_not_exists ? "IF NOT EXISTS " : ""));
        TRY(eddy_ast_format_ident(b, s->name));
        if (s->has_columns) {
            TRY(eddy_buf_puts(b, " ("));
            for (uint32_t i = 0; i < s->ncolumns; i++) {
                if (i)
                    TRY(eddy_buf_puts(b, ", "));
                TRY(put_column(b, &s->columns[i]));
            }
            TRY(eddy_buf_putc(b, ')'));
        }
        TRY(put_props(b, s));
        if (s->kind == EDDY_STMT_CREATE_AS) {
            TRY(eddy_buf_puts(b, " AS "));
            TRY(eddy_sql_query_format(s->query, b));
        }
        return 0;
    case EDDY_STMT_INSERT_INTO:
        TRY(eddy_buf_puts(b, "INSERT INTO "));
        TRY(eddy_ast_format_ident(b, s->name));
        TRY(put_props(b, s));
        TRY(eddy_buf_putc(b, ' '));
        return eddy_sql_query_format(s->query, b);
    case EDDY_STMT_INSERT_VALUES:
        TRY(eddy_buf_puts(b, "INSERT INTO "));
        TRY(eddy_ast_format_ident(b, s->name));
        if (s->nnames) {
            TRY(eddy_buf_puts(b, " ("));
            for (uint32_t i = 0; i < s->nnames; i++) {
                if (i)
                    TRY(eddy_buf_puts(b, ", "));
                TRY(eddy_ast_format_ident(b, s->names[i]));
            }
            TRY(eddy_buf_putc(b, ')'));
        }
        TRY(eddy_buf_puts(b, " VALUES ("));
        TRY(put_exprs(b, s->values, s->nvalues));
        return eddy_buf_putc(b, ')');
    case EDDY_STMT_DROP_SOURCE:
        TRY(eddy_buf_printf(b, "DROP %s %s", source_word(s), s->if_exists ? "IF EXISTS " : ""));
        TRY(eddy_ast_format_ident(b, s->name));
        return s->delete_topic ? eddy_buf_puts(b, " DELETE TOPIC") : 0;
    case EDDY_STMT_CREATE_TYPE:
        TRY(eddy_buf_printf(b, "CREATE TYPE %s", s->if_not_exists ? "IF NOT EXISTS " : ""));
        TRY(eddy_ast_format_ident(b, s->name));
        TRY(eddy_buf_puts(b, " AS "));
        return eddy_ast_type_format(s->type, b);
    case EDDY_STMT_DROP_TYPE:
        TRY(eddy_buf_printf(b, "DROP TYPE %s", s->if_exists ? "IF EXISTS " : ""));
        return eddy_ast_format_ident(b, s->name);
    case EDDY_STMT_ALTER_SOURCE:
        TRY(eddy_buf_printf(b, "ALTER %s ", source_word(s)));
        TRY(eddy_ast_format_ident(b, s->name));
        for (uint32_t i = 0; i < s->ncolumns; i++) {
            TRY(eddy_buf_puts(b, i ? ", ADD COLUMN " : " ADD COLUMN "));
            TRY(put_column(b, &s->columns[i]));
        }
        return 0;
    case EDDY_STMT_QUERY:
        return eddy_sql_query_format(s->query, b);
    case EDDY_STMT_SET:
        TRY(eddy_buf_puts(b, "SET "));
        TRY(put_string(b, s->name));
        TRY(eddy_buf_puts(b, "="));
        return put_string(b, s->value);
    case EDDY_STMT_UNSET:
        TRY(eddy_buf_puts(b, "UNSET "));
        return put_string(b, s->name);
    case EDDY_STMT_DEFINE:
        TRY(eddy_buf_printf(b, "DEFINE %s=", s->name));
        return put_string(b, s->value);
    case EDDY_STMT_UNDEFINE:
        return eddy_buf_printf(b, "UNDEFINE %s", s->name);
    case EDDY_STMT_DESCRIBE:
        TRY(eddy_buf_puts(b, "DESCRIBE "));
        if (s->name)
            TRY(eddy_ast_format_ident(b, s->name));
        else
            TRY(eddy_buf_puts(b, list_what_word(s->list_what)));
        return s->extended ? eddy_buf_puts(b, " EXTENDED") : 0;
    case EDDY_STMT_DESCRIBE_FUNCTION:
        TRY(eddy_buf_puts(b, "DESCRIBE FUNCTION "));
        return eddy_ast_format_ident(b, s->name);
    case EDDY_STMT_LIST:
        return eddy_buf_printf(b, "SHOW %s%s%s", s->all ? "ALL " : "",
                               list_what_word(s->list_what), s->extended ? " EXTENDED" : "");
    case EDDY_STMT_EXPLAIN:
        TRY(eddy_buf_puts(b, "EXPLAIN "));
        if (s->inner)
            return eddy_sql_stmt_format(s->inner, b);
        return eddy_ast_format_ident(b, s->name);
    case EDDY_STMT_TERMINATE:
        TRY(eddy_buf_puts(b, "TERMINATE "));
        return s->all ? eddy_buf_puts(b, "ALL") : eddy_ast_format_ident(b, s->name);
    }
    return 0;
}
