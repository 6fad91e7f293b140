/* parser.c: recursive-descent parser for ksqlDB's SQL (see parser.h). Rule names follow
 * ksqlDB's SqlBase.g4 so the grammar can be checked side by side:
 *
 *   expression        : booleanExpression
 *   booleanExpression : NOT booleanExpression | booleanExpression (AND | OR) booleanExpression
 *                     | predicated                 (AND binds tighter than OR)
 *   predicated        : valueExpression predicate?
 *   predicate         : comparisonOperator valueExpression
 *                     | NOT? BETWEEN valueExpression AND valueExpression
 *                     | NOT? IN '(' expression (',' expression)* ')'
 *                     | NOT? LIKE valueExpression (ESCAPE STRING)?
 *                     | IS NOT? NULL | IS NOT? DISTINCT FROM valueExpression
 *   valueExpression   : primaryExpression | (MINUS | PLUS) valueExpression
 *                     | valueExpression (ASTERISK | SLASH | PERCENT) valueExpression
 *                     | valueExpression (PLUS | MINUS) valueExpression
 *                     | valueExpression CONCAT valueExpression
 *   primaryExpression : literal | CASE ... | CAST '(' expression AS type ')'
 *                     | ARRAY '[' ... ']' | MAP '(' e ':=' e, ... ')' | STRUCT '(' id ':=' e ... ')'
 *                     | identifier '(' ('*' | functionArgument, ... lambdaFunction, ...) ')'
 *                     | primaryExpression '[' valueExpression ']' | identifier ('.' identifier)?
 *                     | primaryExpression '->' identifier | '(' expression ')'
 *   number            : MINUS? (DECIMAL_VALUE | FLOATING_POINT_VALUE | INTEGER_VALUE)
 */
#include "sql/parser.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------ errors */

static int vset(eddy_parser *p, int code, const char *prefix, const char *fmt, va_list ap)
{
    if (p->err)
        return p->err;
    p->err = code;
    if (p->errstr && p->errstr_size) {
        size_t n = (size_t)snprintf(p->errstr, p->errstr_size, "%s", prefix);
        if (n < p->errstr_size)
            vsnprintf(p->errstr + n, p->errstr_size - n, fmt, ap);
    }
    return code;
}

int eddy_parser_syntax_error(eddy_parser *p, const eddy_token *t, const char *fmt, ...)
{
    char prefix[64];
    snprintf(prefix, sizeof prefix, "line %d:%d: Syntax Error\n", t->line, t->col);
    va_list ap;
    va_start(ap, fmt);
    int rc = vset(p, EDDY_EPARSE, prefix, fmt, ap);
    va_end(ap);
    return rc;
}

int eddy_parser_error_at(eddy_parser *p, int line, int col, int code, const char *fmt, ...)
{
    char prefix[64];
    snprintf(prefix, sizeof prefix, "line %d:%d: ", line, col);
    va_list ap;
    va_start(ap, fmt);
    int rc = vset(p, code, prefix, fmt, ap);
    va_end(ap);
    return rc;
}

static const eddy_token *cur(const eddy_parser *p) { return &p->toks.v[p->pos]; }

const eddy_token *eddy_parser_peek(const eddy_parser *p, uint32_t ahead)
{
    uint32_t i = p->pos + ahead;
    return &p->toks.v[i < p->toks.n ? i : p->toks.n - 1];
}

static const eddy_token *next(eddy_parser *p)
{
    const eddy_token *t = cur(p);
    if (t->kind != EDDY_TK_EOF)
        p->pos++;
    return t;
}

/* The error for an unexpected current token, ANTLR-style as ksqlDB reports it. `expecting`
 * is the expected set as ANTLR prints it ("')'", "{',', ')'}"). */
static int unexpected(eddy_parser *p, const char *expecting)
{
    const eddy_token *t = cur(p);
    char disp[128];
    eddy_token_display(t, disp, sizeof disp);
    if (t->kind == EDDY_TK_ERROR)
        return eddy_parser_syntax_error(p, t, "token recognition error at: %s", disp);
    if (t->kind == EDDY_TK_IDENT && t->reserved)
        return eddy_parser_syntax_error(p, t, "Syntax error at or near %s at line %d:%d", disp,
                                        t->line, t->col);
    if (!expecting)
        return eddy_parser_syntax_error(p, t, "no viable alternative at input %s",
                                        t->kind == EDDY_TK_EOF ? "'<EOF>'" : disp);
    return eddy_parser_syntax_error(p, t, "Expecting %s", expecting);
}

static bool at(const eddy_parser *p, eddy_tok_kind k) { return cur(p)->kind == k; }
static bool at_kw(const eddy_parser *p, eddy_keyword kw)
{
    return cur(p)->kind == EDDY_TK_IDENT && cur(p)->kw == kw;
}
static bool accept(eddy_parser *p, eddy_tok_kind k)
{
    if (!at(p, k))
        return false;
    next(p);
    return true;
}
static bool accept_kw(eddy_parser *p, eddy_keyword kw)
{
    if (!at_kw(p, kw))
        return false;
    next(p);
    return true;
}

/* Consumes a token of kind k, else reports as ANTLR would: the current token is extra when
 * the one after it is the expected one; a closing bracket is "missing" before a comma or an
 * end; otherwise the input does not match. */
static int expect(eddy_parser *p, eddy_tok_kind k)
{
    if (accept(p, k))
        return 0;
    const eddy_token *t = cur(p);
    char disp[128];
    eddy_token_display(t, disp, sizeof disp);
    if (t->kind != EDDY_TK_EOF && t->kind != EDDY_TK_ERROR &&
        eddy_parser_peek(p, 1)->kind == k && !(t->kind == EDDY_TK_IDENT && t->reserved))
        return eddy_parser_syntax_error(p, t, "extraneous input %s expecting %s", disp,
                                        eddy_tok_kind_name(k));
    if ((k == EDDY_TK_RPAREN || k == EDDY_TK_RBRACKET) &&
        (t->kind == EDDY_TK_COMMA || t->kind == EDDY_TK_SEMI))
        return eddy_parser_syntax_error(p, t, "missing %s at %s", eddy_tok_kind_name(k), disp);
    return unexpected(p, eddy_tok_kind_name(k));
}

static int expect_kw(eddy_parser *p, eddy_keyword kw)
{
    if (accept_kw(p, kw))
        return 0;
    char exp[40];
    snprintf(exp, sizeof exp, "'%s'", eddy_keyword_name(kw));
    return unexpected(p, exp);
}

#define TRY(x) do { int rc_ = (x); if (rc_) return rc_; } while (0)
#define NODE(var, kind, tok)                                                   \
    eddy_ast *var = eddy_ast_new(p->arena, (kind), (tok)->line, (tok)->col);   \
    if (!var)                                                                  \
        return p->err = EDDY_ENOMEM

/* A growable list of nodes in the arena. */
typedef struct nodelist {
    eddy_ast **v;
    uint32_t n, cap;
} nodelist;

static int list_push(eddy_parser *p, nodelist *l, eddy_ast *a)
{
    if (l->n == l->cap) {
        uint32_t ncap = l->cap ? l->cap * 2 : 4;
        eddy_ast **nv = eddy_arena_alloc(p->arena, ncap * sizeof *nv);
        if (!nv)
            return p->err = EDDY_ENOMEM;
        if (l->n)
            memcpy(nv, l->v, l->n * sizeof *nv);
        l->v = nv;
        l->cap = ncap;
    }
    l->v[l->n++] = a;
    return 0;
}

typedef struct namelist {
    const char **v;
    uint32_t n, cap;
} namelist;

static int names_push(eddy_parser *p, namelist *l, const char *s)
{
    if (l->n == l->cap) {
        uint32_t ncap = l->cap ? l->cap * 2 : 4;
        const char **nv = eddy_arena_alloc(p->arena, ncap * sizeof *nv);
        if (!nv)
            return p->err = EDDY_ENOMEM;
        if (l->n)
            memcpy(nv, l->v, l->n * sizeof *nv);
        l->v = nv;
        l->cap = ncap;
    }
    l->v[l->n++] = s;
    return 0;
}

static eddy_ast *node2(eddy_parser *p, eddy_ast_kind kind, const eddy_ast *pos, eddy_ast *a,
                       eddy_ast *b)
{
    eddy_ast *n = eddy_ast_new(p->arena, kind, pos->line, pos->col);
    eddy_ast **kids = eddy_arena_alloc(p->arena, 2 * sizeof *kids);
    if (!n || !kids) {
        p->err = EDDY_ENOMEM;
        return NULL;
    }
    kids[0] = a;
    kids[1] = b;
    n->kids = kids;
    n->nkids = 2;
    return n;
}

static int set_kids(eddy_parser *p, eddy_ast *n, eddy_ast *const *kids, uint32_t nkids)
{
    n->nkids = nkids;
    if (!nkids)
        return 0;
    n->kids = eddy_arena_alloc(p->arena, nkids * sizeof *n->kids);
    if (!n->kids)
        return p->err = EDDY_ENOMEM;
    memcpy(n->kids, kids, nkids * sizeof *n->kids);
    return 0;
}

/* -------------------------------------------------------------- identifiers */

static bool at_identifier(const eddy_parser *p)
{
    const eddy_token *t = cur(p);
    return (t->kind == EDDY_TK_IDENT && !t->reserved) || t->kind == EDDY_TK_QIDENT ||
           t->kind == EDDY_TK_DIGIT_IDENT || t->kind == EDDY_TK_VARIABLE;
}

int eddy_parse_identifier(eddy_parser *p, const char **out)
{
    const eddy_token *t = cur(p);
    if (t->kind == EDDY_TK_DIGIT_IDENT)
        return eddy_parser_error_at(p, t->line, t->col, EDDY_EPARSE,
                                    "Invalid identifier: identifiers must not start with a "
                                    "digit; surround the identifier with backquotes: `%s`",
                                    t->text);
    if (t->kind == EDDY_TK_VARIABLE)
        return eddy_parser_error_at(p, t->line, t->col, EDDY_EPARSE,
                                    "Variable '%s' is not defined", t->text);
    if (!at_identifier(p))
        return unexpected(p, "IDENTIFIER");
    *out = t->text;
    next(p);
    return 0;
}

/* ----------------------------------------------------------------- literals */

/* ksqlDB's DecimalUtil.fromValue: BigDecimal precision, except that a value in (-1, 1) gets
 * scale + 1 digits (0.05 is DECIMAL(3, 2), not (1, 2)). */
static int decimal_literal(eddy_parser *p, const eddy_token *t, bool neg, eddy_ast *n)
{
    __int128 u = 0;
    int digits = 0, scale = 0;
    bool dot = false, leading = true;
    for (uint32_t i = 0; i < t->text_len; i++) {
        char c = t->text[i];
        if (c == '.') {
            dot = true;
            continue;
        }
        if (dot)
            scale++;
        if (leading && c == '0')
            continue;
        leading = false;
        if (++digits > EDDY_DECIMAL_MAX_PRECISION)
            return eddy_parser_error_at(p, t->line, t->col, EDDY_ERANGE,
                                        "Invalid numeric literal: %s%s", neg ? "-" : "",
                                        t->text);
        u = u * 10 + (c - '0');
    }
    int precision = digits > scale ? digits : scale + 1;
    if (precision > EDDY_DECIMAL_MAX_PRECISION)
        return eddy_parser_error_at(p, t->line, t->col, EDDY_ERANGE,
                                    "Invalid numeric literal: %s%s", neg ? "-" : "", t->text);
    n->kind = EDDY_AST_DECIMAL;
    n->value = eddy_decimal(neg ? -u : u, precision, scale);
    return 0;
}

static int number_literal(eddy_parser *p, bool neg, const eddy_token *minus, eddy_ast **out)
{
    const eddy_token *t = next(p);
    const eddy_token *pos = minus ? minus : t;
    NODE(n, EDDY_AST_INT, pos);
    size_t tl = t->text_len + (neg ? 1 : 0) + 1;
    char *text = eddy_arena_alloc(p->arena, tl);
    if (!text)
        return p->err = EDDY_ENOMEM;
    snprintf(text, tl, "%s%s", neg ? "-" : "", t->text);
    n->text = text;
    if (t->kind == EDDY_TK_INTEGER) {
        /* BIGINT's range, the minimum included; INT when it fits */
        unsigned __int128 v = 0;
        bool overflow = false;
        for (uint32_t i = 0; i < t->text_len; i++) {
            v = v * 10 + (unsigned)(t->text[i] - '0');
            if (v > (unsigned __int128)INT64_MAX + 1) {
                overflow = true;
                break;
            }
        }
        if (overflow || (!neg && v > (unsigned __int128)INT64_MAX))
            return eddy_parser_error_at(p, pos->line, pos->col, EDDY_ERANGE,
                                        "Invalid numeric literal: %s", text);
        int64_t s = neg ? (int64_t)(0 - (uint64_t)v) : (int64_t)v;
        if (s >= INT32_MIN && s <= INT32_MAX) {
            n->kind = EDDY_AST_INT;
            n->value = eddy_int((int32_t)s);
        } else {
            n->kind = EDDY_AST_BIGINT;
            n->value = eddy_bigint(s);
        }
    } else if (t->kind == EDDY_TK_DECIMAL) {
        TRY(decimal_literal(p, t, neg, n));
    } else {
        errno = 0;
        double d = strtod(text, NULL);
        if (isinf(d))
            return eddy_parser_error_at(p, pos->line, pos->col, EDDY_ERANGE,
                                        "Number overflows DOUBLE: %s", text);
        n->kind = EDDY_AST_DOUBLE;
        n->value = eddy_double(d);
    }
    *out = n;
    return 0;
}

static bool at_number(const eddy_parser *p, uint32_t ahead)
{
    eddy_tok_kind k = eddy_parser_peek(p, ahead)->kind;
    return k == EDDY_TK_INTEGER || k == EDDY_TK_DECIMAL || k == EDDY_TK_FLOAT;
}

/* ------------------------------------------------------------------- types */

static const struct {
    const char *name;
    eddy_type_id id;
} base_types[] = {
    {"BOOLEAN", EDDY_TYPE_BOOLEAN}, {"INT", EDDY_TYPE_INT},       {"INTEGER", EDDY_TYPE_INT},
    {"BIGINT", EDDY_TYPE_BIGINT},   {"DOUBLE", EDDY_TYPE_DOUBLE}, {"STRING", EDDY_TYPE_STRING},
    {"VARCHAR", EDDY_TYPE_STRING},  {"BYTES", EDDY_TYPE_BYTES},   {"DATE", EDDY_TYPE_DATE},
    {"TIME", EDDY_TYPE_TIME},       {"TIMESTAMP", EDDY_TYPE_TIMESTAMP},
    {"DECIMAL", EDDY_TYPE_DECIMAL},
};

static eddy_ast_type *type_new(eddy_parser *p, const eddy_token *t)
{
    eddy_ast_type *ty = eddy_arena_calloc(p->arena, 1, sizeof *ty);
    if (!ty) {
        p->err = EDDY_ENOMEM;
        return NULL;
    }
    ty->line = t->line;
    ty->col = t->col;
    ty->precision = ty->scale = -1;
    return ty;
}

static int parse_int_param(eddy_parser *p, int *out)
{
    const eddy_token *t = cur(p);
    if (t->kind != EDDY_TK_INTEGER)
        return unexpected(p, "INTEGER_VALUE");
    long v = strtol(t->text, NULL, 10);
    *out = v > 1000000 ? 1000000 : (int)v;
    next(p);
    return 0;
}

int eddy_parse_type(eddy_parser *p, eddy_ast_type **out)
{
    const eddy_token *t = cur(p);
    eddy_ast_type *ty = type_new(p, t);
    if (!ty)
        return p->err;
    if (at_kw(p, EDDY_KW_ARRAY)) {
        next(p);
        eddy_ast_type *e;
        TRY(expect(p, EDDY_TK_LT));
        TRY(eddy_parse_type(p, &e));
        TRY(expect(p, EDDY_TK_GT));
        ty->id = EDDY_TYPE_ARRAY;
        ty->elem = e;
    } else if (at_kw(p, EDDY_KW_MAP)) {
        next(p);
        eddy_ast_type *k, *v;
        TRY(expect(p, EDDY_TK_LT));
        TRY(eddy_parse_type(p, &k));
        TRY(expect(p, EDDY_TK_COMMA));
        TRY(eddy_parse_type(p, &v));
        TRY(expect(p, EDDY_TK_GT));
        ty->id = EDDY_TYPE_MAP;
        ty->key = k;
        ty->elem = v;
    } else if (at_kw(p, EDDY_KW_STRUCT)) {
        next(p);
        TRY(expect(p, EDDY_TK_LT));
        namelist names = {0};
        nodelist types = {0}; /* eddy_ast_type pointers, stored as void* */
        if (!at(p, EDDY_TK_GT)) {
            do {
                const char *fname;
                eddy_ast_type *ft;
                TRY(eddy_parse_identifier(p, &fname));
                TRY(eddy_parse_type(p, &ft));
                TRY(names_push(p, &names, fname));
                TRY(list_push(p, &types, (eddy_ast *)(void *)ft));
            } while (accept(p, EDDY_TK_COMMA));
        }
        TRY(expect(p, EDDY_TK_GT));
        ty->id = EDDY_TYPE_STRUCT;
        ty->nfields = names.n;
        ty->field_names = names.v;
        ty->field_types = (const eddy_ast_type **)(void *)types.v;
    } else {
        const char *name;
        if (t->kind == EDDY_TK_IDENT && t->reserved)
            return unexpected(p, NULL);
        TRY(eddy_parse_identifier(p, &name));
        ty->name = name;
        for (size_t i = 0; i < sizeof base_types / sizeof base_types[0]; i++)
            if (t->kind == EDDY_TK_IDENT && strcmp(base_types[i].name, name) == 0)
                ty->id = base_types[i].id;
        if (accept(p, EDDY_TK_LPAREN)) {
            if (ty->id == EDDY_TYPE_DECIMAL) {
                TRY(parse_int_param(p, &ty->precision));
                TRY(expect(p, EDDY_TK_COMMA));
                TRY(parse_int_param(p, &ty->scale));
            } else {
                /* typeParameter: INTEGER_VALUE | 'STRING' (VARCHAR(10) and the like) */
                do {
                    const eddy_token *pt = cur(p);
                    if (pt->kind == EDDY_TK_INTEGER ||
                        (pt->kind == EDDY_TK_IDENT && strcmp(pt->text, "STRING") == 0))
                        next(p);
                    else
                        return unexpected(p, "{'STRING', INTEGER_VALUE}");
                } while (accept(p, EDDY_TK_COMMA));
            }
            TRY(expect(p, EDDY_TK_RPAREN));
        }
    }
    *out = ty;
    return 0;
}

int eddy_ast_type_resolve_with(const eddy_ast_type *t, const eddy_type_names *names,
                               const eddy_type **out, char *errstr, size_t errstr_size)
{
    const eddy_type *r = NULL;
    switch ((int)t->id) {
    case 0:
        if (names && t->name && (r = names->lookup(names->opaque, t->name)) != NULL)
            break;
        return eddy_seterr(errstr, errstr_size, EDDY_EINVAL, "line %d:%d: Unknown type: %s",
                           t->line, t->col, t->name ? t->name : "?");
    case EDDY_TYPE_DECIMAL:
        if (t->precision < 0)
            return eddy_seterr(errstr, errstr_size, EDDY_EINVAL,
                               "line %d:%d: DECIMAL requires a precision and a scale: "
                               "DECIMAL(precision, scale)", t->line, t->col);
        if (t->precision < 1)
            return eddy_seterr(errstr, errstr_size, EDDY_EINVAL,
                               "DECIMAL precision must be >= 1: DECIMAL(%d,%d)", t->precision,
                               t->scale);
        if (t->scale > t->precision)
            return eddy_seterr(errstr, errstr_size, EDDY_EINVAL,
                               "DECIMAL precision must be >= scale: DECIMAL(%d,%d)",
                               t->precision, t->scale);
        if (t->precision > EDDY_DECIMAL_MAX_PRECISION)
            return eddy_seterr(errstr, errstr_size, EDDY_EINVAL,
                               "DECIMAL precision must be <= %d: DECIMAL(%d,%d)",
                               EDDY_DECIMAL_MAX_PRECISION, t->precision, t->scale);
        r = eddy_type_decimal(t->precision, t->scale);
        break;
    case EDDY_TYPE_ARRAY: {
        const eddy_type *e;
        TRY(eddy_ast_type_resolve_with(t->elem, names, &e, errstr, errstr_size));
        r = eddy_type_array(e);
        break;
    }
    case EDDY_TYPE_MAP: {
        const eddy_type *k, *v;
        TRY(eddy_ast_type_resolve_with(t->key, names, &k, errstr, errstr_size));
        TRY(eddy_ast_type_resolve_with(t->elem, names, &v, errstr, errstr_size));
        r = eddy_type_map(k, v);
        break;
    }
    case EDDY_TYPE_STRUCT: {
        eddy_field stackf[16] = {{0}};
        eddy_field *f = t->nfields <= 16 ? stackf : malloc(t->nfields * sizeof *f);
        if (!f)
            return EDDY_ENOMEM;
        int rc = 0;
        for (uint32_t i = 0; i < t->nfields && !rc; i++) {
            f[i].name = t->field_names[i];
            rc = eddy_ast_type_resolve_with(t->field_types[i], names, &f[i].type, errstr,
                                            errstr_size);
            for (uint32_t j = 0; j < i && !rc; j++)
                if (strcmp(f[j].name, f[i].name) == 0)
                    rc = eddy_seterr(errstr, errstr_size, EDDY_EINVAL,
                                     "Duplicate field names found in STRUCT");
        }
        if (!rc)
            r = eddy_type_struct(t->nfields, f);
        if (f != stackf)
            free(f);
        if (rc)
            return rc;
        break;
    }
    default:
        r = eddy_type_primitive(t->id);
        break;
    }
    if (!r)
        return eddy_seterr(errstr, errstr_size, EDDY_ENOMEM, "out of memory building a type");
    *out = r;
    return 0;
}

int eddy_ast_type_resolve(const eddy_ast_type *t, const eddy_type **out,
                          char *errstr, size_t errstr_size)
{
    return eddy_ast_type_resolve_with(t, NULL, out, errstr, errstr_size);
}

/* -------------------------------------------------------------- expressions */

static int parse_boolean_or(eddy_parser *p, eddy_ast **out);
static int parse_value_expression(eddy_parser *p, eddy_ast **out);
static int parse_primary(eddy_parser *p, eddy_ast **out);

int eddy_parse_expression(eddy_parser *p, eddy_ast **out)
{
    return parse_boolean_or(p, out);
}

static int parse_boolean_not(eddy_parser *p, eddy_ast **out);

static int parse_boolean_and(eddy_parser *p, eddy_ast **out)
{
    eddy_ast *l, *r;
    TRY(parse_boolean_not(p, &l));
    while (at_kw(p, EDDY_KW_AND)) {
        next(p);
        TRY(parse_boolean_not(p, &r));
        if (!(l = node2(p, EDDY_AST_AND, l, l, r)))
            return p->err;
    }
    *out = l;
    return 0;
}

static int parse_boolean_or(eddy_parser *p, eddy_ast **out)
{
    eddy_ast *l, *r;
    TRY(parse_boolean_and(p, &l));
    while (at_kw(p, EDDY_KW_OR)) {
        next(p);
        TRY(parse_boolean_and(p, &r));
        if (!(l = node2(p, EDDY_AST_OR, l, l, r)))
            return p->err;
    }
    *out = l;
    return 0;
}

static int parse_predicated(eddy_parser *p, eddy_ast **out);

static int parse_boolean_not(eddy_parser *p, eddy_ast **out)
{
    if (at_kw(p, EDDY_KW_NOT)) {
        const eddy_token *t = next(p);
        eddy_ast *e;
        TRY(parse_boolean_not(p, &e));
        NODE(n, EDDY_AST_NOT, t);
        TRY(set_kids(p, n, &e, 1));
        *out = n;
        return 0;
    }
    return parse_predicated(p, out);
}

static int cmp_op_of(eddy_tok_kind k)
{
    switch (k) {
    case EDDY_TK_EQ: return EDDY_CMP_EQ;
    case EDDY_TK_NEQ:
    case EDDY_TK_BANGEQ: return EDDY_CMP_NE;
    case EDDY_TK_LT: return EDDY_CMP_LT;
    case EDDY_TK_LTE: return EDDY_CMP_LE;
    case EDDY_TK_GT: return EDDY_CMP_GT;
    case EDDY_TK_GTE: return EDDY_CMP_GE;
    default: return 0;
    }
}

static int parse_predicated(eddy_parser *p, eddy_ast **out)
{
    eddy_ast *v;
    TRY(parse_value_expression(p, &v));
    int op = cmp_op_of(cur(p)->kind);
    if (op) {
        next(p);
        eddy_ast *r;
        TRY(parse_value_expression(p, &r));
        eddy_ast *n = node2(p, EDDY_AST_CMP, v, v, r);
        if (!n)
            return p->err;
        n->op = op;
        *out = n;
        return 0;
    }
    if (at_kw(p, EDDY_KW_IS)) {
        next(p);
        bool neg = accept_kw(p, EDDY_KW_NOT);
        if (accept_kw(p, EDDY_KW_NULL)) {
            NODE(n, EDDY_AST_IS_NULL, v);
            n->negated = neg;
            TRY(set_kids(p, n, &v, 1));
            *out = n;
            return 0;
        }
        if (accept_kw(p, EDDY_KW_DISTINCT)) {
            TRY(expect_kw(p, EDDY_KW_FROM));
            eddy_ast *r;
            TRY(parse_value_expression(p, &r));
            eddy_ast *n = node2(p, EDDY_AST_CMP, v, v, r);
            if (!n)
                return p->err;
            n->op = neg ? EDDY_CMP_NOT_DISTINCT : EDDY_CMP_DISTINCT;
            *out = n;
            return 0;
        }
        return unexpected(p, neg ? "{'NULL', 'DISTINCT'}" : "{'NOT', 'NULL', 'DISTINCT'}");
    }
    bool neg = false;
    if (at_kw(p, EDDY_KW_NOT)) {
        eddy_keyword k1 = eddy_parser_peek(p, 1)->kind == EDDY_TK_IDENT
                              ? eddy_parser_peek(p, 1)->kw : EDDY_KW_NONE;
        if (k1 == EDDY_KW_BETWEEN || k1 == EDDY_KW_IN || k1 == EDDY_KW_LIKE) {
            next(p);
            neg = true;
        } else {
            next(p);
            return unexpected(p, "{'BETWEEN', 'IN', 'LIKE'}");
        }
    }
    if (accept_kw(p, EDDY_KW_BETWEEN)) {
        eddy_ast *lo, *hi;
        TRY(parse_value_expression(p, &lo));
        TRY(expect_kw(p, EDDY_KW_AND));
        TRY(parse_value_expression(p, &hi));
        NODE(n, EDDY_AST_BETWEEN, v);
        eddy_ast *k[3] = {v, lo, hi};
        TRY(set_kids(p, n, k, 3));
        n->negated = neg;
        *out = n;
        return 0;
    }
    if (accept_kw(p, EDDY_KW_IN)) {
        nodelist l = {0};
        TRY(list_push(p, &l, v));
        TRY(expect(p, EDDY_TK_LPAREN));
        do {
            eddy_ast *e;
            TRY(eddy_parse_expression(p, &e));
            TRY(list_push(p, &l, e));
        } while (accept(p, EDDY_TK_COMMA));
        TRY(expect(p, EDDY_TK_RPAREN));
        NODE(n, EDDY_AST_IN, v);
        n->kids = l.v;
        n->nkids = l.n;
        n->negated = neg;
        *out = n;
        return 0;
    }
    if (accept_kw(p, EDDY_KW_LIKE)) {
        eddy_ast *pat;
        TRY(parse_value_expression(p, &pat));
        eddy_ast *n = node2(p, EDDY_AST_LIKE, v, v, pat);
        if (!n)
            return p->err;
        n->negated = neg;
        if (accept_kw(p, EDDY_KW_ESCAPE)) {
            const eddy_token *t = cur(p);
            if (t->kind != EDDY_TK_STRING)
                return unexpected(p, "STRING");
            next(p);
            n->escape = t->text;
        }
        *out = n;
        return 0;
    }
    *out = v;
    return 0;
}

static int parse_concat(eddy_parser *p, eddy_ast **out);

static int parse_value_expression(eddy_parser *p, eddy_ast **out)
{
    return parse_concat(p, out);
}

static int parse_unary(eddy_parser *p, eddy_ast **out);

static int parse_multiplicative(eddy_parser *p, eddy_ast **out)
{
    eddy_ast *l, *r;
    TRY(parse_unary(p, &l));
    for (;;) {
        int op = at(p, EDDY_TK_STAR) ? EDDY_ARITH_MUL
                 : at(p, EDDY_TK_SLASH) ? EDDY_ARITH_DIV
                 : at(p, EDDY_TK_PERCENT) ? EDDY_ARITH_MOD : 0;
        if (!op)
            break;
        next(p);
        TRY(parse_unary(p, &r));
        if (!(l = node2(p, EDDY_AST_ARITH, l, l, r)))
            return p->err;
        l->op = op;
    }
    *out = l;
    return 0;
}

static int parse_additive(eddy_parser *p, eddy_ast **out)
{
    eddy_ast *l, *r;
    TRY(parse_multiplicative(p, &l));
    for (;;) {
        int op = at(p, EDDY_TK_PLUS) ? EDDY_ARITH_ADD : at(p, EDDY_TK_MINUS) ? EDDY_ARITH_SUB : 0;
        if (!op)
            break;
        next(p);
        TRY(parse_multiplicative(p, &r));
        if (!(l = node2(p, EDDY_AST_ARITH, l, l, r)))
            return p->err;
        l->op = op;
    }
    *out = l;
    return 0;
}

static int parse_concat(eddy_parser *p, eddy_ast **out)
{
    eddy_ast *l, *r;
    TRY(parse_additive(p, &l));
    while (accept(p, EDDY_TK_CONCAT)) {
        TRY(parse_additive(p, &r));
        if (!(l = node2(p, EDDY_AST_CONCAT, l, l, r)))
            return p->err;
    }
    *out = l;
    return 0;
}

static int parse_postfix(eddy_parser *p, eddy_ast *base, eddy_ast **out);

static int parse_unary(eddy_parser *p, eddy_ast **out)
{
    if (at(p, EDDY_TK_MINUS)) {
        const eddy_token *t = cur(p);
        if (at_number(p, 1)) {
            /* number: MINUS? INTEGER_VALUE ...: a negative literal, not a negation */
            next(p);
            eddy_ast *lit;
            TRY(number_literal(p, true, t, &lit));
            return parse_postfix(p, lit, out);
        }
        next(p);
        eddy_ast *e;
        TRY(parse_unary(p, &e));
        NODE(n, EDDY_AST_NEG, t);
        TRY(set_kids(p, n, &e, 1));
        *out = n;
        return 0;
    }
    if (at(p, EDDY_TK_PLUS)) {
        const eddy_token *t = next(p);
        eddy_ast *e;
        TRY(parse_unary(p, &e));
        NODE(n, EDDY_AST_PLUS, t);
        TRY(set_kids(p, n, &e, 1));
        *out = n;
        return 0;
    }
    return parse_primary(p, out);
}

/* lambdaFunction: identifier '=>' expression | '(' identifier (',' identifier)* ')' '=>' ... */
static bool at_lambda(const eddy_parser *p)
{
    const eddy_token *t0 = eddy_parser_peek(p, 0);
    if ((t0->kind == EDDY_TK_IDENT && !t0->reserved) || t0->kind == EDDY_TK_QIDENT)
        return eddy_parser_peek(p, 1)->kind == EDDY_TK_LAMBDA;
    if (t0->kind != EDDY_TK_LPAREN)
        return false;
    for (uint32_t i = 1;; i += 2) {
        const eddy_token *t = eddy_parser_peek(p, i);
        if (!((t->kind == EDDY_TK_IDENT && !t->reserved) || t->kind == EDDY_TK_QIDENT))
            return false;
        eddy_tok_kind k = eddy_parser_peek(p, i + 1)->kind;
        if (k == EDDY_TK_RPAREN)
            return eddy_parser_peek(p, i + 2)->kind == EDDY_TK_LAMBDA;
        if (k != EDDY_TK_COMMA)
            return false;
    }
}

/* Marks the unqualified column references of `a` that name one of `names` as lambda
 * variables (ksqlDB's LambdaVariable), so that the planner's rewrites leave them alone. */
static void mark_lambda_vars(eddy_ast *a, const char *const *names, uint32_t n)
{
    if (a->kind == EDDY_AST_COLUMN && !a->qualifier)
        for (uint32_t i = 0; i < n; i++)
            if (strcmp(a->name, names[i]) == 0)
                a->lambda_var = true;
    for (uint32_t i = 0; i < a->nkids; i++)
        mark_lambda_vars(a->kids[i], names, n);
}

static int parse_lambda(eddy_parser *p, eddy_ast **out)
{
    const eddy_token *t = cur(p);
    namelist names = {0};
    const char *name;
    if (accept(p, EDDY_TK_LPAREN)) {
        do {
            TRY(eddy_parse_identifier(p, &name));
            TRY(names_push(p, &names, name));
        } while (accept(p, EDDY_TK_COMMA));
        TRY(expect(p, EDDY_TK_RPAREN));
    } else {
        TRY(eddy_parse_identifier(p, &name));
        TRY(names_push(p, &names, name));
    }
    TRY(expect(p, EDDY_TK_LAMBDA));
    eddy_ast *body;
    TRY(eddy_parse_expression(p, &body));
    mark_lambda_vars(body, names.v, names.n);
    NODE(n, EDDY_AST_LAMBDA, t);
    n->names = names.v;
    n->nnames = names.n;
    TRY(set_kids(p, n, &body, 1));
    *out = n;
    return 0;
}

static int parse_function_call(eddy_parser *p, const eddy_token *nt, const char *name,
                               eddy_ast **out)
{
    NODE(n, EDDY_AST_FUNC, nt);
    n->name = name;
    TRY(expect(p, EDDY_TK_LPAREN));
    if (at(p, EDDY_TK_STAR)) {
        next(p);
        n->star = true;
        TRY(expect(p, EDDY_TK_RPAREN));
        *out = n;
        return 0;
    }
    nodelist args = {0};
    if (!at(p, EDDY_TK_RPAREN)) {
        bool lambdas = false;
        do {
            eddy_ast *a;
            if (at_lambda(p)) {
                TRY(parse_lambda(p, &a));
                lambdas = true;
            } else {
                if (lambdas) /* lambdas come after the other arguments */
                    return unexpected(p, "{IDENTIFIER, '('}");
                TRY(eddy_parse_expression(p, &a));
            }
            TRY(list_push(p, &args, a));
        } while (accept(p, EDDY_TK_COMMA));
    }
    TRY(expect(p, EDDY_TK_RPAREN));
    n->kids = args.v;
    n->nkids = args.n;
    *out = n;
    return 0;
}

static int parse_case(eddy_parser *p, eddy_ast **out)
{
    const eddy_token *t = next(p); /* CASE */
    NODE(n, EDDY_AST_CASE, t);
    nodelist kids = {0};
    if (!at_kw(p, EDDY_KW_WHEN)) {
        eddy_ast *operand;
        TRY(parse_value_expression(p, &operand));
        TRY(list_push(p, &kids, operand));
        n->has_operand = true;
    }
    if (!at_kw(p, EDDY_KW_WHEN))
        return unexpected(p, "'WHEN'");
    while (accept_kw(p, EDDY_KW_WHEN)) {
        eddy_ast *c, *r;
        TRY(eddy_parse_expression(p, &c));
        TRY(expect_kw(p, EDDY_KW_THEN));
        TRY(eddy_parse_expression(p, &r));
        TRY(list_push(p, &kids, c));
        TRY(list_push(p, &kids, r));
    }
    if (accept_kw(p, EDDY_KW_ELSE)) {
        eddy_ast *e;
        TRY(eddy_parse_expression(p, &e));
        TRY(list_push(p, &kids, e));
        n->has_else = true;
    }
    if (!at_kw(p, EDDY_KW_END))
        return unexpected(p, n->has_else ? "'END'" : "{'WHEN', 'ELSE', 'END'}");
    next(p);
    n->kids = kids.v;
    n->nkids = kids.n;
    *out = n;
    return 0;
}

static int parse_cast(eddy_parser *p, eddy_ast **out)
{
    const eddy_token *t = next(p); /* CAST */
    eddy_ast *e;
    eddy_ast_type *ty;
    TRY(expect(p, EDDY_TK_LPAREN));
    TRY(eddy_parse_expression(p, &e));
    TRY(expect_kw(p, EDDY_KW_AS));
    TRY(eddy_parse_type(p, &ty));
    TRY(expect(p, EDDY_TK_RPAREN));
    NODE(n, EDDY_AST_CAST, t);
    n->type = ty;
    TRY(set_kids(p, n, &e, 1));
    *out = n;
    return 0;
}

static int parse_constructor(eddy_parser *p, eddy_ast **out)
{
    const eddy_token *t = next(p); /* ARRAY, MAP or STRUCT */
    nodelist kids = {0};
    namelist names = {0};
    eddy_ast_kind kind = t->kw == EDDY_KW_ARRAY ? EDDY_AST_ARRAY
                         : t->kw == EDDY_KW_MAP ? EDDY_AST_MAP : EDDY_AST_STRUCT;
    eddy_tok_kind close = kind == EDDY_AST_ARRAY ? EDDY_TK_RBRACKET : EDDY_TK_RPAREN;
    TRY(expect(p, kind == EDDY_AST_ARRAY ? EDDY_TK_LBRACKET : EDDY_TK_LPAREN));
    if (!at(p, close)) {
        do {
            eddy_ast *e;
            if (kind == EDDY_AST_STRUCT) {
                const char *fname;
                TRY(eddy_parse_identifier(p, &fname));
                TRY(names_push(p, &names, fname));
                TRY(expect(p, EDDY_TK_ASSIGN));
            }
            TRY(eddy_parse_expression(p, &e));
            TRY(list_push(p, &kids, e));
            if (kind == EDDY_AST_MAP) {
                TRY(expect(p, EDDY_TK_ASSIGN));
                TRY(eddy_parse_expression(p, &e));
                TRY(list_push(p, &kids, e));
            }
        } while (accept(p, EDDY_TK_COMMA));
    }
    TRY(expect(p, close));
    NODE(n, kind, t);
    n->kids = kids.v;
    n->nkids = kids.n;
    n->names = names.v;
    n->nnames = names.n;
    *out = n;
    return 0;
}

static int parse_primary(eddy_parser *p, eddy_ast **out)
{
    const eddy_token *t = cur(p);
    eddy_ast *base = NULL;

    switch (t->kind) {
    case EDDY_TK_INTEGER:
    case EDDY_TK_DECIMAL:
    case EDDY_TK_FLOAT:
        TRY(number_literal(p, false, NULL, &base));
        break;
    case EDDY_TK_STRING: {
        next(p);
        NODE(n, EDDY_AST_STRING, t);
        n->value = eddy_string(t->text, t->text_len);
        n->text = t->text;
        base = n;
        break;
    }
    case EDDY_TK_LPAREN: {
        next(p);
        TRY(eddy_parse_expression(p, &base));
        TRY(expect(p, EDDY_TK_RPAREN));
        break;
    }
    case EDDY_TK_IDENT:
        switch (t->kw) {
        case EDDY_KW_NULL: {
            next(p);
            NODE(n, EDDY_AST_NULL, t);
            n->value.is_null = 1;
            base = n;
            break;
        }
        case EDDY_KW_TRUE:
        case EDDY_KW_FALSE: {
            next(p);
            NODE(n, EDDY_AST_BOOL, t);
            n->value = eddy_bool(t->kw == EDDY_KW_TRUE);
            base = n;
            break;
        }
        case EDDY_KW_CASE:
            TRY(parse_case(p, &base));
            break;
        case EDDY_KW_CAST:
            TRY(parse_cast(p, &base));
            break;
        case EDDY_KW_ARRAY:
            if (eddy_parser_peek(p, 1)->kind == EDDY_TK_LBRACKET) {
                TRY(parse_constructor(p, &base));
                break;
            }
            goto ident;
        case EDDY_KW_MAP:
        case EDDY_KW_STRUCT:
            if (eddy_parser_peek(p, 1)->kind == EDDY_TK_LPAREN) {
                TRY(parse_constructor(p, &base));
                break;
            }
            goto ident;
        default:
            goto ident;
        }
        break;
    case EDDY_TK_QIDENT:
    case EDDY_TK_DIGIT_IDENT:
    case EDDY_TK_VARIABLE:
    ident: {
        if (t->kind == EDDY_TK_IDENT && t->reserved)
            return unexpected(p, NULL);
        const char *name;
        TRY(eddy_parse_identifier(p, &name));
        if (at(p, EDDY_TK_LPAREN)) {
            TRY(parse_function_call(p, t, name, &base));
            break;
        }
        NODE(n, EDDY_AST_COLUMN, t);
        n->name = name;
        if (accept(p, EDDY_TK_DOT)) {
            const char *col;
            TRY(eddy_parse_identifier(p, &col));
            n->qualifier = name;
            n->name = col;
        }
        base = n;
        break;
    }
    default:
        return unexpected(p, NULL);
    }
    return parse_postfix(p, base, out);
}

static int parse_postfix(eddy_parser *p, eddy_ast *base, eddy_ast **out)
{
    for (;;) {
        if (at(p, EDDY_TK_LBRACKET)) {
            next(p);
            eddy_ast *idx;
            TRY(parse_value_expression(p, &idx));
            TRY(expect(p, EDDY_TK_RBRACKET));
            if (!(base = node2(p, EDDY_AST_SUBSCRIPT, base, base, idx)))
                return p->err;
        } else if (at(p, EDDY_TK_ARROW)) {
            next(p);
            const char *field;
            TRY(eddy_parse_identifier(p, &field));
            NODE(n, EDDY_AST_DEREF, base);
            n->name = field;
            TRY(set_kids(p, n, &base, 1));
            base = n;
        } else {
            break;
        }
    }
    *out = base;
    return 0;
}

int eddy_parse_select_item(eddy_parser *p, eddy_ast **out, const char **alias)
{
    TRY(eddy_parse_expression(p, out));
    *alias = NULL;
    if (accept_kw(p, EDDY_KW_AS))
        return eddy_parse_identifier(p, alias);
    if (at_identifier(p))
        return eddy_parse_identifier(p, alias);
    return 0;
}

/* literal: NULL | number | booleanValue | STRING (as in WITH properties). */
int eddy_parse_literal(eddy_parser *p, eddy_ast **out)
{
    const eddy_token *t = cur(p);
    if (t->kind == EDDY_TK_STRING || at_number(p, 0) || at_kw(p, EDDY_KW_NULL) ||
        at_kw(p, EDDY_KW_TRUE) || at_kw(p, EDDY_KW_FALSE))
        return parse_primary(p, out);
    if (t->kind == EDDY_TK_MINUS && at_number(p, 1))
        return parse_unary(p, out);
    return unexpected(p, "{'NULL', 'TRUE', 'FALSE', '-', STRING, INTEGER_VALUE, "
                         "DECIMAL_VALUE, FLOATING_POINT_VALUE}");
}

int eddy_parse_value_expression(eddy_parser *p, eddy_ast **out)
{
    return parse_value_expression(p, out);
}

/* Token helpers for rules defined in other files (see parser.h). */
const eddy_token *eddy_parser_next(eddy_parser *p) { return next(p); }
bool eddy_parser_accept(eddy_parser *p, eddy_tok_kind k) { return accept(p, k); }
int eddy_parser_expect(eddy_parser *p, eddy_tok_kind k) { return expect(p, k); }
int eddy_parser_expect_kw(eddy_parser *p, eddy_keyword kw) { return expect_kw(p, kw); }
int eddy_parser_unexpected(eddy_parser *p, const char *expecting)
{
    return unexpected(p, expecting);
}
bool eddy_parser_at_identifier(const eddy_parser *p) { return at_identifier(p); }

int eddy_parse_eof(eddy_parser *p)
{
    accept(p, EDDY_TK_SEMI);
    if (at(p, EDDY_TK_EOF))
        return 0;
    return unexpected(p, "<EOF>");
}

/* ------------------------------------------------------------------- set-up */

int eddy_parser_init(eddy_parser *p, const char *text, eddy_arena *arena, char *errstr,
                     size_t errstr_size)
{
    memset(p, 0, sizeof *p);
    p->text = text;
    p->arena = arena;
    p->errstr = errstr;
    p->errstr_size = errstr_size;
    if (errstr && errstr_size)
        errstr[0] = '\0';
    if (eddy_lex(text, strlen(text), arena, &p->toks) != 0)
        return eddy_seterr(errstr, errstr_size, EDDY_ENOMEM, "out of memory");
    return 0;
}

int eddy_sql_parse_expr(const char *text, eddy_arena *arena, eddy_ast **out,
                        char *errstr, size_t errstr_size)
{
    eddy_parser p;
    TRY(eddy_parser_init(&p, text, arena, errstr, errstr_size));
    TRY(eddy_parse_expression(&p, out));
    return eddy_parse_eof(&p);
}

int eddy_sql_parse_select_item(const char *text, eddy_arena *arena, eddy_ast **out,
                               const char **alias, char *errstr, size_t errstr_size)
{
    eddy_parser p;
    TRY(eddy_parser_init(&p, text, arena, errstr, errstr_size));
    TRY(eddy_parse_select_item(&p, out, alias));
    return eddy_parse_eof(&p);
}

int eddy_type_parse(const char *text, const eddy_type **out, char *errstr, size_t errstr_size)
{
    eddy_arena *arena = eddy_arena_new(4096);
    if (!arena)
        return eddy_seterr(errstr, errstr_size, EDDY_ENOMEM, "out of memory");
    eddy_parser p;
    eddy_ast_type *ty;
    int rc = eddy_parser_init(&p, text, arena, errstr, errstr_size);
    if (!rc)
        rc = eddy_parse_type(&p, &ty);
    if (!rc)
        rc = eddy_parse_eof(&p);
    if (!rc)
        rc = eddy_ast_type_resolve(ty, out, errstr, errstr_size);
    eddy_arena_destroy(arena);
    return rc;
}

/* ------------------------------------------------------------ column lists */

bool eddy_sql_reserved_column(const char *name)
{
    static const char *const reserved[] = {"ROWTIME", "ROWPARTITION", "ROWOFFSET",
                                           "WINDOWSTART", "WINDOWEND"};
    for (size_t i = 0; i < sizeof reserved / sizeof reserved[0]; i++)
        if (strcmp(name, reserved[i]) == 0)
            return true;
    return false;
}


/* tableElement: identifier type ((PRIMARY)? KEY | HEADERS | HEADER '(' STRING ')')? */
static int parse_table_element(eddy_parser *p, eddy_schema_builder *b)
{
    const eddy_token *t = cur(p);
    const char *name;
    eddy_ast_type *aty;
    const eddy_type *ty;
    TRY(eddy_parse_identifier(p, &name));
    TRY(eddy_parse_type(p, &aty));
    eddy_column_kind kind = EDDY_COL_VALUE;
    if (accept_kw(p, EDDY_KW_PRIMARY)) {
        TRY(expect_kw(p, EDDY_KW_KEY));
        kind = EDDY_COL_KEY;
    } else if (accept_kw(p, EDDY_KW_KEY)) {
        kind = EDDY_COL_KEY;
    } else if (accept_kw(p, EDDY_KW_HEADERS)) {
        kind = EDDY_COL_HEADERS;
    } else if (at_kw(p, EDDY_KW_HEADER)) {
        const eddy_token *h = next(p);
        return eddy_parser_error_at(p, h->line, h->col, EDDY_EINVAL,
                                    "HEADER('key') columns are not supported; declare an "
                                    "ARRAY<STRUCT<KEY STRING, VALUE BYTES>> HEADERS column");
    }
    if (eddy_sql_reserved_column(name))
        return eddy_parser_error_at(p, t->line, t->col, EDDY_EINVAL,
                                    EDDY_SQL_RESERVED_COLUMN_MSG, name);
    int rc = eddy_ast_type_resolve(aty, &ty, p->errstr, p->errstr_size);
    if (rc)
        return p->err = rc;
    if (kind == EDDY_COL_HEADERS) {
        eddy_field hf[2] = {{"KEY", eddy_type_string()}, {"VALUE", eddy_type_bytes()}};
        const eddy_type *want = eddy_type_array(eddy_type_struct(2, hf));
        if (ty != want) {
            char got[256];
            eddy_type_format(ty, got, sizeof got);
            return eddy_parser_error_at(p, t->line, t->col, EDDY_EINVAL,
                                        "Invalid type for HEADERS column: expected "
                                        "ARRAY<STRUCT<`KEY` STRING, `VALUE` BYTES>>, got %s",
                                        got);
        }
    }
    rc = eddy_schema_builder_add(b, name, ty, kind);
    if (rc == EDDY_EEXIST)
        return eddy_parser_error_at(p, t->line, t->col, EDDY_EEXIST,
                                    "Duplicate column name: `%s`", name);
    if (rc)
        return p->err = rc;
    return 0;
}

int eddy_columns_parse(const char *text, eddy_schema **out, char *errstr, size_t errstr_size)
{
    eddy_arena *arena = eddy_arena_new(4096);
    eddy_schema_builder *b = eddy_schema_builder_new();
    int rc = EDDY_ENOMEM;
    *out = NULL;
    if (!arena || !b) {
        eddy_arena_destroy(arena);
        eddy_schema_builder_destroy(b);
        return eddy_seterr(errstr, errstr_size, EDDY_ENOMEM, "out of memory");
    }
    eddy_parser p;
    rc = eddy_parser_init(&p, text, arena, errstr, errstr_size);
    if (!rc) {
        bool paren = accept(&p, EDDY_TK_LPAREN);
        do {
            rc = parse_table_element(&p, b);
        } while (!rc && accept(&p, EDDY_TK_COMMA));
        /* after an element: another one, or the end of the list */
        if (!rc && paren && !accept(&p, EDDY_TK_RPAREN))
            rc = unexpected(&p, "{',', ')'}");
        if (!rc && !paren && !at(&p, EDDY_TK_EOF) && !at(&p, EDDY_TK_SEMI))
            rc = unexpected(&p, "{',', <EOF>}");
        if (!rc)
            rc = eddy_parse_eof(&p);
    }
    if (!rc) {
        eddy_schema *s = eddy_schema_build(b);
        b = NULL;
        if (!s)
            rc = eddy_seterr(errstr, errstr_size, EDDY_ENOMEM, "out of memory");
        *out = s;
    }
    eddy_schema_builder_destroy(b);
    eddy_arena_destroy(arena);
    return rc;
}
