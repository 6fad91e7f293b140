/* expr.c: binding of a parsed expression to a scope (names, types, functions) into an
 * immutable eddy_expr, with ksqlDB's type rules and messages, implicit coercions made
 * explicit (EN_CAST nodes) and constant folding. Evaluation lives in expr_eval.c. */
#include "expr/expr_impl.h"
#include "expr/builtins.h"
#include "sql/parser.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* The parameters of a lambda whose body is being bound, linked to the enclosing lambda's. */
typedef struct lambda_scope {
    const eddy_ast *lambda;        /* names: its parameters */
    const eddy_type *const *types; /* their types */
    const struct lambda_scope *up;
} lambda_scope;

typedef struct binder {
    const eddy_scope *scope;
    eddy_registry *reg;
    eddy_arena *arena;
    char *errstr;
    size_t errstr_size;
    const lambda_scope *lambdas; /* innermost first; NULL outside lambda bodies */
    const eddy_ast *root;        /* the expression bound (a flat map's table function call) */
} binder;

#define TRY(x) do { int rc_ = (x); if (rc_) return rc_; } while (0)

static int bind(binder *b, const eddy_ast *a, enode **out);

/* "line L:C: <message>" for the node `a`. */
static int berr(binder *b, const eddy_ast *a, int code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int berr(binder *b, const eddy_ast *a, int code, const char *fmt, ...)
{
    if (!b->errstr || !b->errstr_size)
        return code;
    int n = a ? snprintf(b->errstr, b->errstr_size, "line %d:%d: ", a->line, a->col) : 0;
    if (n < 0 || (size_t)n >= b->errstr_size)
        return code;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(b->errstr + n, b->errstr_size - (size_t)n, fmt, ap);
    va_end(ap);
    return code;
}

/* Text of an expression / a type for messages (into the binder's arena). */
static const char *fmt_ast(binder *b, const eddy_ast *a)
{
    eddy_buf buf = {0};
    if (eddy_ast_format(a, &buf) != 0) {
        eddy_buf_free(&buf);
        return "?";
    }
    const char *s = eddy_arena_strndup(b->arena, buf.data ? buf.data : "", buf.len);
    eddy_buf_free(&buf);
    return s ? s : "?";
}

static const char *fmt_type(binder *b, const eddy_type *t)
{
    char tmp[1024];
    if (!t)
        return "NULL";
    eddy_type_format(t, tmp, sizeof tmp);
    const char *s = eddy_arena_strndup(b->arena, tmp, strlen(tmp));
    return s ? s : "?";
}

static enode *mk(binder *b, enode_kind kind, const eddy_ast *a, const eddy_type *type,
                 uint32_t nkids)
{
    enode *n = eddy_arena_calloc(b->arena, 1, sizeof *n);
    if (!n)
        return NULL;
    n->kind = kind;
    n->ast = a;
    n->type = type;
    n->nkids = nkids;
    if (nkids) {
        n->kids = eddy_arena_calloc(b->arena, nkids, sizeof *n->kids);
        if (!n->kids)
            return NULL;
    }
    return n;
}

static int nomem(binder *b)
{
    return berr(b, NULL, EDDY_ENOMEM, "out of memory");
}

static bool is_untyped_null(const enode *n) { return n->type == NULL; }

/* --------------------------------------------------------------- folding */

/* Evaluates a node whose kids are constant, replacing it by a constant. A node that fails
 * (1/0) is left for run time: ksqlDB reports such errors per record. */
static int fold(binder *b, enode **np)
{
    enode *n = *np;
    if (n->kind == EN_CONST || n->kind == EN_COLUMN || n->kind == EN_PSEUDO || n->nkids == 0)
        return 0;
    for (uint32_t i = 0; i < n->nkids; i++)
        if (!n->kids[i]->is_const)
            return 0;
    if (n->kind == EN_FUNC) /* RANDOM() and UDFs may not be pure */
        return 0;
    eddy_expr_select_eval(n);
    char err[256];
    eddy_eval_ctx ctx = {.arena = b->arena, .errstr = err, .errstr_size = sizeof err};
    eddy_value v;
    if (enode_eval(n, NULL, &ctx, &v) != 0 || ctx.soft_errors)
        return 0; /* left to run time, where the error reaches the processing log */
    enode *c = mk(b, EN_CONST, n->ast, n->type, 0);
    if (!c)
        return nomem(b);
    c->val = v;
    c->is_const = true;
    eddy_expr_select_eval(c);
    *np = c;
    return 0;
}

static int finish(binder *b, enode **np)
{
    eddy_expr_select_eval(*np);
    return fold(b, np);
}

/* ------------------------------------------------------------- coercion */

static bool cast_supported(const eddy_type *from, const eddy_type *to)
{
    if (!from || from == to || to->id == EDDY_TYPE_STRING)
        return true;
    bool fnum = eddy_type_is_numeric(from), tnum = eddy_type_is_numeric(to);
    if (fnum && tnum)
        return true;
    switch (from->id) {
    case EDDY_TYPE_STRING:
        return tnum || to->id == EDDY_TYPE_BOOLEAN || to->id == EDDY_TYPE_DATE ||
               to->id == EDDY_TYPE_TIME || to->id == EDDY_TYPE_TIMESTAMP;
    case EDDY_TYPE_DATE:
        return to->id == EDDY_TYPE_TIMESTAMP;
    case EDDY_TYPE_TIMESTAMP:
        return to->id == EDDY_TYPE_DATE || to->id == EDDY_TYPE_TIME;
    case EDDY_TYPE_ARRAY:
        return to->id == EDDY_TYPE_ARRAY && cast_supported(from->elem, to->elem);
    case EDDY_TYPE_MAP:
        return to->id == EDDY_TYPE_MAP && cast_supported(from->key, to->key) &&
               cast_supported(from->elem, to->elem);
    case EDDY_TYPE_STRUCT:
        if (to->id != EDDY_TYPE_STRUCT)
            return false;
        for (uint32_t i = 0; i < to->nfields; i++) {
            int j = eddy_type_field_index(from, to->fields[i].name);
            if (j >= 0 && !cast_supported(from->fields[j].type, to->fields[i].type))
                return false;
        }
        return true;
    default:
        return false;
    }
}

/* Wraps *np in a cast to `to` (implicit unless `explicit_`). An untyped NULL becomes a NULL
 * of `to`. */
static int cast_to(binder *b, enode **np, const eddy_type *to, bool explicit_)
{
    enode *n = *np;
    if (n->type == to)
        return 0;
    if (is_untyped_null(n)) {
        enode *c = mk(b, EN_CONST, n->ast, to, 0);
        if (!c)
            return nomem(b);
        c->val = eddy_null(to->id);
        if (to->id == EDDY_TYPE_DECIMAL) {
            c->val.precision = to->precision;
            c->val.scale = to->scale;
        }
        c->is_const = true;
        eddy_expr_select_eval(c);
        *np = c;
        return 0;
    }
    enode *c = mk(b, EN_CAST, n->ast, to, 1);
    if (!c)
        return nomem(b);
    c->kids[0] = n;
    c->implicit = !explicit_;
    *np = c;
    return finish(b, np);
}

static bool is_literal_ast(const eddy_ast *a)
{
    switch (a->kind) {
    case EDDY_AST_BOOL: case EDDY_AST_INT: case EDDY_AST_BIGINT: case EDDY_AST_DECIMAL:
    case EDDY_AST_DOUBLE: case EDDY_AST_STRING:
        return true;
    case EDDY_AST_NEG:
        return is_literal_ast(a->kids[0]);
    default:
        return false;
    }
}

/* The numeric type a string literal holds ('10' INT, '2147483648' BIGINT, '4.000'
 * DECIMAL(4, 3), '3e2' DOUBLE), or NULL when it is not a number. */
static const eddy_type *numeric_literal_type(const char *s, size_t n)
{
    char tmp[128];
    if (n == 0 || n >= sizeof tmp)
        return NULL;
    memcpy(tmp, s, n);
    tmp[n] = '\0';
    eddy_arena *a = eddy_arena_new(1024);
    if (!a)
        return NULL;
    eddy_ast *lit = NULL;
    const eddy_type *t = NULL;
    if (eddy_sql_parse_expr(tmp, a, &lit, NULL, 0) == 0) {
        switch (lit->kind) {
        case EDDY_AST_INT: t = eddy_type_int(); break;
        case EDDY_AST_BIGINT: t = eddy_type_bigint(); break;
        case EDDY_AST_DOUBLE: t = eddy_type_double(); break;
        case EDDY_AST_DECIMAL:
            t = eddy_type_decimal(lit->value.precision, lit->value.scale);
            break;
        default: break;
        }
    }
    eddy_arena_destroy(a);
    return t;
}

/* Literal rules of type-coercion.md: can the literal node n be coerced to `to`? Casts it
 * (folded) when so; returns 1 when it did, 0 when the rule does not apply, <0 on error. */
static int coerce_literal(binder *b, enode **np, const eddy_type *to)
{
    enode *n = *np;
    if (!n->ast || !is_literal_ast(n->ast) || !n->is_const || !n->type)
        return 0;
    if (to->id == EDDY_TYPE_STRING) {
        TRY(cast_to(b, np, to, true));
        return 1;
    }
    if (n->type->id != EDDY_TYPE_STRING)
        return 0;
    if (to->id == EDDY_TYPE_BOOLEAN) {
        /* type-coercion.md: true, false, yes, no, or a prefix of one of them, any case (a
         * stricter rule than CAST's) */
        static const char *const words[] = {"true", "false", "yes", "no"};
        int which = -1;
        for (int w = 0; w < 4 && which < 0 && n->val.len > 0; w++)
            if (n->val.len <= strlen(words[w]) &&
                strncasecmp(n->val.u.str, words[w], n->val.len) == 0)
                which = w;
        if (which < 0)
            return berr(b, n->ast, EDDY_ETYPE, "invalid input syntax for type BOOLEAN: \"%.*s\".",
                        (int)n->val.len, n->val.u.str);
        enode *c = mk(b, EN_CONST, n->ast, to, 0);
        if (!c)
            return nomem(b);
        c->val = eddy_bool(which == 0 || which == 2);
        c->is_const = true;
        eddy_expr_select_eval(c);
        *np = c;
        return 1;
    }
    switch (to->id) {
    case EDDY_TYPE_INT: case EDDY_TYPE_BIGINT: case EDDY_TYPE_DOUBLE: case EDDY_TYPE_DECIMAL:
    case EDDY_TYPE_BOOLEAN: case EDDY_TYPE_DATE: case EDDY_TYPE_TIME:
    case EDDY_TYPE_TIMESTAMP: {
        eddy_value out;
        char err[256];
        if (eddy_value_cast(b->arena, &n->val, to, &out, err, sizeof err) != 0)
            return berr(b, n->ast, EDDY_ETYPE, "invalid input syntax for type %s: \"%.*s\".",
                        eddy_type_id_name(to->id), (int)n->val.len, n->val.u.str);
        enode *c = mk(b, EN_CONST, n->ast, to, 0);
        if (!c)
            return nomem(b);
        c->val = out;
        c->is_const = true;
        eddy_expr_select_eval(c);
        *np = c;
        return 1;
    }
    default:
        return 0;
    }
}

/* Coerces *np to `to` for an expression list: implicit widening, or the literal rules;
 * ARRAY/MAP/STRUCT constructors element-wise so their literals follow the rules too. */
static int coerce_item(binder *b, enode **np, const eddy_type *to)
{
    enode *n = *np;
    if (n->type == to || is_untyped_null(n))
        return cast_to(b, np, to, false);
    int r = coerce_literal(b, np, to);
    if (r < 0)
        return r;
    if (r > 0)
        return 0;
    if (n->kind == EN_ARRAY && to->id == EDDY_TYPE_ARRAY) {
        for (uint32_t i = 0; i < n->nkids; i++)
            TRY(coerce_item(b, &n->kids[i], to->elem));
        n->type = to;
        return finish(b, np);
    }
    if (n->kind == EN_MAP && to->id == EDDY_TYPE_MAP) {
        for (uint32_t i = 0; i < n->nkids; i++)
            TRY(coerce_item(b, &n->kids[i], i % 2 ? to->elem : to->key));
        n->type = to;
        return finish(b, np);
    }
    if (eddy_type_coercible(n->type, to))
        return cast_to(b, np, to, false);
    return EDDY_ETYPE; /* no message: the caller words it */
}

/* The common type of a list (type-coercion.md "Expression lists"): decided by the first
 * non-null element; string literals parse into the numeric or other type. */
static const eddy_type *list_common(enode *const *items, uint32_t n)
{
    const eddy_type *common = NULL;
    for (uint32_t i = 0; i < n; i++) {
        const enode *x = items[i];
        if (!x->type)
            continue;
        if (!common) {
            common = x->type;
            continue;
        }
        if (x->type == common)
            continue;
        bool lit = x->ast && is_literal_ast(x->ast) && x->is_const;
        if (lit && x->type->id == EDDY_TYPE_STRING && eddy_type_is_numeric(common)) {
            const eddy_type *lt = numeric_literal_type(x->val.u.str, x->val.len);
            if (lt) {
                const eddy_type *c = eddy_type_common(common, lt);
                if (c)
                    common = c;
            }
            continue; /* unparsable: reported when coercing */
        }
        if (lit && (common->id == EDDY_TYPE_STRING || x->type->id == EDDY_TYPE_STRING))
            continue;
        const eddy_type *c = eddy_type_common(common, x->type);
        if (c)
            common = c;
    }
    return common;
}

/* ----------------------------------------------------------------- names */

static const struct {
    const char *name;
    int id;
} pseudo_cols[] = {
    {"ROWTIME", PSEUDO_ROWTIME},         {"ROWPARTITION", PSEUDO_ROWPARTITION},
    {"ROWOFFSET", PSEUDO_ROWOFFSET},     {"WINDOWSTART", PSEUDO_WINDOWSTART},
    {"WINDOWEND", PSEUDO_WINDOWEND},
};

static int bind_column(binder *b, const eddy_ast *a, enode **out)
{
    /* a lambda's parameter hides a column of the same name, an inner lambda's an outer's */
    int depth = 0;
    for (const lambda_scope *ls = a->qualifier ? NULL : b->lambdas; ls; ls = ls->up, depth++)
        for (uint32_t i = 0; i < ls->lambda->nnames; i++)
            if (strcmp(ls->lambda->names[i], a->name) == 0) {
                enode *n = mk(b, EN_LAMBDA_VAR, a, ls->types[i], 0);
                if (!n)
                    return nomem(b);
                n->idx = (int32_t)i;
                n->op = depth;
                eddy_expr_select_eval(n);
                *out = n;
                return 0;
            }
    const eddy_schema *s = b->scope->schema;
    int idx = s ? eddy_schema_find(s, a->name) : -1;
    if (idx >= 0) {
        enode *n = mk(b, EN_COLUMN, a, s->cols[idx].type, 0);
        if (!n)
            return nomem(b);
        n->idx = idx;
        *out = n;
        return finish(b, out);
    }
    if (b->scope->pseudo_columns)
        for (size_t i = 0; i < sizeof pseudo_cols / sizeof pseudo_cols[0]; i++)
            if (strcmp(pseudo_cols[i].name, a->name) == 0) {
                int id = pseudo_cols[i].id;
                enode *n = mk(b, EN_PSEUDO, a,
                              id == PSEUDO_ROWPARTITION ? eddy_type_int() : eddy_type_bigint(),
                              0);
                if (!n)
                    return nomem(b);
                n->idx = id;
                *out = n;
                return finish(b, out);
            }
    if (a->qualifier)
        return berr(b, a, EDDY_ENOTFOUND, "Column '%s.%s' cannot be resolved.", a->qualifier,
                    a->name);
    return berr(b, a, EDDY_ENOTFOUND, "Column '%s' cannot be resolved.", a->name);
}

/* ----------------------------------------------------------- operators */

static int bind_kids(binder *b, const eddy_ast *a, enode *n)
{
    for (uint32_t i = 0; i < a->nkids; i++)
        TRY(bind(b, a->kids[i], &n->kids[i]));
    return 0;
}

static int require_boolean(binder *b, const eddy_ast *op, enode **np, const char *what)
{
    enode *k = *np;
    if (is_untyped_null(k))
        return cast_to(b, np, eddy_type_boolean(), false);
    if (k->type->id != EDDY_TYPE_BOOLEAN)
        return berr(b, op, EDDY_ETYPE, "%s requires BOOLEAN operands, but %s is %s", what,
                    fmt_ast(b, k->ast), fmt_type(b, k->type));
    return 0;
}

/* The type both sides of a comparison are brought to, or NULL when ksqlDB refuses the
 * comparison (ComparisonUtil). */
static const eddy_type *comparison_type(const eddy_type *l, const eddy_type *r, eddy_cmp_op op)
{
    bool eq = op == EDDY_CMP_EQ || op == EDDY_CMP_NE || op == EDDY_CMP_DISTINCT ||
              op == EDDY_CMP_NOT_DISTINCT;
    if (eddy_type_is_numeric(l) && eddy_type_is_numeric(r))
        return eddy_type_common(l, r);
    switch (l->id) {
    case EDDY_TYPE_STRING:
        if (r->id == EDDY_TYPE_STRING)
            return l;
        if (r->id == EDDY_TYPE_DATE || r->id == EDDY_TYPE_TIME || r->id == EDDY_TYPE_TIMESTAMP)
            return r;
        return NULL;
    case EDDY_TYPE_BOOLEAN:
        return r->id == EDDY_TYPE_BOOLEAN && eq ? l : NULL;
    case EDDY_TYPE_BYTES:
        return r->id == EDDY_TYPE_BYTES ? l : NULL;
    case EDDY_TYPE_DATE:
    case EDDY_TYPE_TIME:
    case EDDY_TYPE_TIMESTAMP:
        if (r->id == l->id || r->id == EDDY_TYPE_STRING)
            return l;
        if ((l->id == EDDY_TYPE_DATE && r->id == EDDY_TYPE_TIMESTAMP) ||
            (l->id == EDDY_TYPE_TIMESTAMP && r->id == EDDY_TYPE_DATE))
            return eddy_type_timestamp();
        return NULL;
    case EDDY_TYPE_ARRAY:
    case EDDY_TYPE_MAP:
    case EDDY_TYPE_STRUCT:
        if (!eq || r->id != l->id)
            return NULL;
        if (l == r)
            return l;
        return eddy_type_common(l, r);
    default:
        return NULL;
    }
}

static int bind_cmp(binder *b, const eddy_ast *a, enode **out)
{
    enode *n = mk(b, EN_CMP, a, eddy_type_boolean(), 2);
    if (!n)
        return nomem(b);
    n->op = a->op;
    TRY(bind_kids(b, a, n));
    enode **l = &n->kids[0], **r = &n->kids[1];
    if (is_untyped_null(*l) || is_untyped_null(*r)) {
        if (a->op == EDDY_CMP_DISTINCT || a->op == EDDY_CMP_NOT_DISTINCT) {
            const eddy_type *t = (*l)->type ? (*l)->type : (*r)->type;
            if (!t)
                t = eddy_type_boolean();
            TRY(cast_to(b, l, t, false));
            TRY(cast_to(b, r, t, false));
        } else {
            return berr(b, a, EDDY_ETYPE, "Comparison with NULL not supported: %s %s %s",
                        fmt_type(b, (*l)->type), eddy_cmp_op_symbol((eddy_cmp_op)a->op),
                        fmt_type(b, (*r)->type));
        }
    } else {
        const eddy_type *t = comparison_type((*l)->type, (*r)->type, (eddy_cmp_op)a->op);
        if (!t)
            return berr(b, a, EDDY_ETYPE, "Cannot compare %s (%s) to %s (%s) with %s.",
                        fmt_ast(b, a->kids[0]), fmt_type(b, (*l)->type),
                        fmt_ast(b, a->kids[1]), fmt_type(b, (*r)->type),
                        eddy_cmp_op_name((eddy_cmp_op)a->op));
        /* STRING vs DATE/TIME/TIMESTAMP: the string is parsed (a literal at bind time) */
        for (int side = 0; side < 2; side++) {
            enode **k = side ? r : l;
            if ((*k)->type == t)
                continue;
            int lr = coerce_literal(b, k, t);
            if (lr < 0)
                return lr;
            if (lr == 0)
                TRY(cast_to(b, k, t, (*k)->type->id == EDDY_TYPE_STRING));
        }
    }
    *out = n;
    return finish(b, out);
}

static const char *base_name(const eddy_type *t)
{
    return t ? eddy_type_id_name(t->id) : "null";
}

static int bind_arith(binder *b, const eddy_ast *a, enode **out)
{
    enode *n = mk(b, a->kind == EDDY_AST_CONCAT ? EN_CONCAT : EN_ARITH, a, NULL, 2);
    if (!n)
        return nomem(b);
    n->op = a->kind == EDDY_AST_CONCAT ? EDDY_ARITH_ADD : a->op;
    TRY(bind_kids(b, a, n));
    enode **l = &n->kids[0], **r = &n->kids[1];
    const eddy_type *lt = (*l)->type, *rt = (*r)->type;
    if (!lt && !rt)
        return berr(b, a, EDDY_ETYPE, "Error processing expression: %s. Unsupported arithmetic "
                    "types. null null", fmt_ast(b, a));
    if (!lt)
        lt = rt;
    if (!rt)
        rt = lt;
    const eddy_type *t = NULL;
    if (lt->id == EDDY_TYPE_STRING && rt->id == EDDY_TYPE_STRING &&
        (a->kind == EDDY_AST_CONCAT || a->op == EDDY_ARITH_ADD)) {
        n->kind = EN_CONCAT;
        t = lt;
    } else if (a->kind != EDDY_AST_CONCAT && eddy_type_is_numeric(lt) &&
               eddy_type_is_numeric(rt)) {
        if (lt->id == EDDY_TYPE_DOUBLE || rt->id == EDDY_TYPE_DOUBLE) {
            t = eddy_type_double();
        } else if (lt->id == EDDY_TYPE_DECIMAL || rt->id == EDDY_TYPE_DECIMAL) {
            const eddy_type *ld = eddy_type_as_decimal(lt), *rd = eddy_type_as_decimal(rt);
            TRY(cast_to(b, l, ld, false));
            TRY(cast_to(b, r, rd, false));
            n->type = eddy_decimal_arith_type((eddy_arith_op)n->op, ld, rd);
            if (!n->type)
                return nomem(b);
            *out = n;
            return finish(b, out);
        } else if (lt->id == EDDY_TYPE_BIGINT || rt->id == EDDY_TYPE_BIGINT) {
            t = eddy_type_bigint();
        } else {
            t = eddy_type_int();
        }
    } else {
        return berr(b, a, EDDY_ETYPE,
                    "Error processing expression: %s. Unsupported arithmetic types. %s %s",
                    fmt_ast(b, a), base_name((*l)->type), base_name((*r)->type));
    }
    TRY(cast_to(b, l, t, false));
    TRY(cast_to(b, r, t, false));
    n->type = t;
    *out = n;
    return finish(b, out);
}

static int bind_neg(binder *b, const eddy_ast *a, enode **out)
{
    enode *k;
    TRY(bind(b, a->kids[0], &k));
    if (a->kind == EDDY_AST_PLUS) {
        if (k->type && !eddy_type_is_numeric(k->type))
            return berr(b, a, EDDY_ETYPE, "Error processing expression: %s. Unsupported "
                        "arithmetic types. %s", fmt_ast(b, a), base_name(k->type));
        *out = k;
        return 0;
    }
    if (!k->type || !eddy_type_is_numeric(k->type))
        return berr(b, a, EDDY_ETYPE, "Error processing expression: %s. Unsupported arithmetic "
                    "types. %s", fmt_ast(b, a), base_name(k->type));
    enode *n = mk(b, EN_NEG, a, k->type, 1);
    if (!n)
        return nomem(b);
    n->kids[0] = k;
    *out = n;
    return finish(b, out);
}

/* BETWEEN and IN: value and list brought to one type; `what` names the construct. */
static int bind_list_predicate(binder *b, const eddy_ast *a, enode **out)
{
    bool in = a->kind == EDDY_AST_IN;
    enode *n = mk(b, in ? EN_IN : EN_BETWEEN, a, eddy_type_boolean(), a->nkids);
    if (!n)
        return nomem(b);
    n->negated = a->negated;
    TRY(bind_kids(b, a, n));
    if (!in) {
        /* BETWEEN compares like <= and >= do */
        const eddy_type *t = n->kids[0]->type;
        for (uint32_t i = 1; i < 3; i++) {
            const eddy_type *kt = n->kids[i]->type;
            if (!t || !kt)
                return berr(b, a, EDDY_ETYPE, "Comparison with NULL not supported: %s",
                            fmt_ast(b, a));
            const eddy_type *c = comparison_type(t, kt, EDDY_CMP_LE);
            if (!c)
                return berr(b, a, EDDY_ETYPE, "Cannot compare %s (%s) to %s (%s) with %s.",
                            fmt_ast(b, a->kids[0]), fmt_type(b, n->kids[0]->type),
                            fmt_ast(b, a->kids[i]), fmt_type(b, kt),
                            eddy_cmp_op_name(i == 1 ? EDDY_CMP_GE : EDDY_CMP_LE));
            t = c;
        }
        for (uint32_t i = 0; i < 3; i++) {
            int lr = n->kids[i]->type == t ? 0 : coerce_literal(b, &n->kids[i], t);
            if (lr < 0)
                return lr;
            if (lr == 0)
                TRY(cast_to(b, &n->kids[i], t, n->kids[i]->type->id == EDDY_TYPE_STRING));
        }
        *out = n;
        return finish(b, out);
    }
    const eddy_type *t = n->kids[0]->type;
    if (!t)
        return berr(b, a, EDDY_ETYPE, "Can't infer a type of null. Please explicitly cast it to "
                    "a required type, e.g. CAST(null AS VARCHAR).");
    t = list_common(n->kids, n->nkids);
    for (uint32_t i = 0; i < n->nkids; i++) {
        enode **k = &n->kids[i];
        int rc = coerce_item(b, k, t);
        if (rc == EDDY_ETYPE && !(b->errstr && b->errstr[0]))
            return berr(b, a, EDDY_ETYPE,
                        "operator does not exist: %s = %s (%s)\nHint: You might need to add "
                        "explicit type casts.", fmt_type(b, t), fmt_type(b, (*k)->type),
                        fmt_ast(b, a->kids[i]));
        if (rc)
            return rc;
    }
    *out = n;
    return finish(b, out);
}

static int bind_like(binder *b, const eddy_ast *a, enode **out)
{
    enode *n = mk(b, EN_LIKE, a, eddy_type_boolean(), 2);
    if (!n)
        return nomem(b);
    n->negated = a->negated;
    TRY(bind_kids(b, a, n));
    for (int i = 0; i < 2; i++) {
        if (is_untyped_null(n->kids[i])) {
            TRY(cast_to(b, &n->kids[i], eddy_type_string(), false));
        } else if (n->kids[i]->type->id != EDDY_TYPE_STRING) {
            return berr(b, a, EDDY_ETYPE, "Unsupported argument type for LIKE: %s is %s",
                        fmt_ast(b, a->kids[i]), fmt_type(b, n->kids[i]->type));
        }
    }
    if (a->escape) {
        if (strlen(a->escape) != 1)
            return berr(b, a, EDDY_EINVAL, "Escape string must be a single character: '%s'",
                        a->escape);
        n->escape = a->escape[0];
    }
    *out = n;
    return finish(b, out);
}

static int bind_case(binder *b, const eddy_ast *a, enode **out)
{
    uint32_t i = 0, nk = a->nkids;
    enode *operand = NULL;
    if (a->has_operand)
        TRY(bind(b, a->kids[i++], &operand));
    uint32_t nwhen = (nk - i - (a->has_else ? 1 : 0)) / 2;
    enode *n = mk(b, EN_CASE, a, NULL, nwhen * 2 + (a->has_else ? 1 : 0));
    if (!n)
        return nomem(b);
    n->has_else = a->has_else;
    /* results: kids 1, 3, ... and the else */
    enode *results[256];
    uint32_t nres = 0;
    if (nwhen * 2 + 1 > sizeof results / sizeof results[0])
        return berr(b, a, EDDY_EINVAL, "CASE has too many WHEN clauses");
    for (uint32_t w = 0; w < nwhen; w++) {
        enode *c, *r;
        TRY(bind(b, a->kids[i + 2 * w], &c));
        TRY(bind(b, a->kids[i + 2 * w + 1], &r));
        if (operand) {
            /* CASE x WHEN v: the comparison x = v */
            enode *cmp = mk(b, EN_CMP, a->kids[i + 2 * w], eddy_type_boolean(), 2);
            if (!cmp)
                return nomem(b);
            cmp->op = EDDY_CMP_EQ;
            cmp->kids[0] = operand;
            cmp->kids[1] = c;
            const eddy_type *t = operand->type && c->type
                                     ? comparison_type(operand->type, c->type, EDDY_CMP_EQ)
                                     : operand->type ? operand->type : c->type;
            if (!t)
                return berr(b, a->kids[i + 2 * w], EDDY_ETYPE,
                            "Cannot compare %s (%s) to %s (%s) with EQUAL.",
                            fmt_ast(b, a->kids[0]), fmt_type(b, operand->type),
                            fmt_ast(b, a->kids[i + 2 * w]), fmt_type(b, c->type));
            TRY(cast_to(b, &cmp->kids[0], t, false));
            TRY(cast_to(b, &cmp->kids[1], t, false));
            c = cmp;
            TRY(finish(b, &c));
        } else if (is_untyped_null(c)) {
            TRY(cast_to(b, &c, eddy_type_boolean(), false));
        } else if (c->type->id != EDDY_TYPE_BOOLEAN) {
            return berr(b, a->kids[i + 2 * w], EDDY_ETYPE,
                        "WHEN operand type should be boolean.\nType for '%s' is %s",
                        fmt_ast(b, a->kids[i + 2 * w]), fmt_type(b, c->type));
        }
        n->kids[2 * w] = c;
        n->kids[2 * w + 1] = r;
        results[nres++] = r;
    }
    if (a->has_else) {
        TRY(bind(b, a->kids[nk - 1], &n->kids[n->nkids - 1]));
        results[nres++] = n->kids[n->nkids - 1];
    }
    const eddy_type *t = list_common(results, nres);
    if (!t)
        return berr(b, a, EDDY_ETYPE, "Invalid Case expression. All case branches have NULL "
                    "type");
    for (uint32_t w = 0; w < n->nkids; w++) {
        bool is_result = (w % 2 == 1) || (a->has_else && w == n->nkids - 1);
        if (!is_result)
            continue;
        int rc = coerce_item(b, &n->kids[w], t);
        if (rc == EDDY_ETYPE && !(b->errstr && b->errstr[0]))
            return berr(b, a, EDDY_ETYPE,
                        "Invalid Case expression. Type for all 'THEN' clauses should be the "
                        "same.\nResult expression '%s' has type %s; expected %s.",
                        fmt_ast(b, n->kids[w]->ast), fmt_type(b, n->kids[w]->type),
                        fmt_type(b, t));
        if (rc)
            return rc;
    }
    n->type = t;
    *out = n;
    return finish(b, out);
}

static int bind_cast(binder *b, const eddy_ast *a, enode **out)
{
    enode *k;
    const eddy_type *to;
    TRY(bind(b, a->kids[0], &k));
    int rc = eddy_ast_type_resolve(a->type, &to, b->errstr, b->errstr_size);
    if (rc)
        return rc;
    if (!cast_supported(k->type, to))
        return berr(b, a, EDDY_ETYPE, "Cast of %s to %s is not supported", fmt_type(b, k->type),
                    fmt_type(b, to));
    if (k->type == to) {
        *out = k;
        return 0;
    }
    TRY(cast_to(b, &k, to, true));
    /* keep the CAST's own position for messages */
    *out = k;
    return 0;
}

/* ksqlDB's time-unit arguments (DATEADD(DAYS, 1, D), TIMESTAMPADD(SECONDS, ...)) are written
 * as bare words; they bind as the unit's name when no column is named so. */
static bool is_time_unit(const char *s)
{
    static const char *const units[] = {"NANOSECONDS", "MICROSECONDS", "MILLISECONDS",
                                        "SECONDS",     "MINUTES",      "HOURS",
                                        "DAYS",        NULL};
    for (const char *const *u = units; *u; u++)
        if (strcmp(s, *u) == 0)
            return true;
    return false;
}

/* ------------------------------------------------------------- lambdas */

static const struct {
    const char *name;
    int nargs;              /* arguments before the lambdas */
    const char *signatures; /* the "Valid alternatives" of a message */
} lambda_fns[] = {
    {"TRANSFORM", 1, "\nTRANSFORM(ARRAY<T>, LAMBDA (T) => R)"
                     "\nTRANSFORM(MAP<K, V>, LAMBDA (K, V) => K1, LAMBDA (K, V) => V1)"},
    {"FILTER", 1, "\nFILTER(ARRAY<T>, LAMBDA (T) => BOOLEAN)"
                  "\nFILTER(MAP<K, V>, LAMBDA (K, V) => BOOLEAN)"},
    {"REDUCE", 2, "\nREDUCE(ARRAY<T>, S, LAMBDA (S, T) => S)"
                  "\nREDUCE(MAP<K, V>, S, LAMBDA (S, K, V) => S)"},
};

static int lambda_fn_index(const char *name)
{
    for (size_t i = 0; i < sizeof lambda_fns / sizeof lambda_fns[0]; i++)
        if (strcasecmp(name, lambda_fns[i].name) == 0)
            return (int)i;
    return -1;
}

/* One lambda argument: its parameters' types and its bound body (NULL: not bound). */
typedef struct bound_lambda {
    const eddy_type *types[3];
    enode *body;
} bound_lambda;

/* "Function 'FILTER' does not accept parameters (ARRAY<INTEGER>, LAMBDA (INTEGER) =>
 * INTEGER).\nValid alternatives are: ..." as the registry words it; a lambda not bound shows
 * as LAMBDA. */
static int lambda_call_mismatch(binder *b, const eddy_ast *a, int fi, uint32_t nplain,
                                enode *const *args, const bound_lambda *lam)
{
    eddy_buf buf = {0};
    for (uint32_t i = 0; i < a->nkids; i++) {
        if (i)
            eddy_buf_puts(&buf, ", ");
        if (i < nplain) {
            eddy_buf_puts(&buf, fmt_type(b, args[i]->type));
            continue;
        }
        const bound_lambda *l = i - nplain < 2 ? &lam[i - nplain] : NULL;
        eddy_buf_puts(&buf, "LAMBDA");
        if (!l || !l->body)
            continue;
        eddy_buf_puts(&buf, " (");
        for (uint32_t j = 0; j < a->kids[i]->nnames; j++)
            eddy_buf_printf(&buf, "%s%s", j ? ", " : "", fmt_type(b, l->types[j]));
        eddy_buf_printf(&buf, ") => %s", fmt_type(b, l->body->type));
    }
    int rc = berr(b, a, EDDY_ETYPE, "Function '%s' does not accept parameters (%s).\nValid "
                  "alternatives are:%s", lambda_fns[fi].name, buf.data ? eddy_buf_cstr(&buf) : "",
                  lambda_fns[fi].signatures);
    eddy_buf_free(&buf);
    return rc;
}

/* Binds the body of `la`, its parameters typed l->types; checks their count and names. */
static int bind_lambda(binder *b, const eddy_ast *la, uint32_t nparams, bound_lambda *l)
{
    if (la->nnames != nparams) {
        eddy_buf buf = {0};
        for (uint32_t i = 0; i < la->nnames; i++)
            eddy_buf_printf(&buf, "%s%s", i ? ", " : "", la->names[i]);
        int rc = berr(b, la, EDDY_ETYPE, "Was expecting %u arguments but found %u, [%s]. Check "
                      "your lambda statement.", nparams, la->nnames,
                      buf.data ? eddy_buf_cstr(&buf) : "");
        eddy_buf_free(&buf);
        return rc;
    }
    for (uint32_t i = 0; i < la->nnames; i++)
        for (uint32_t j = 0; j < i; j++)
            if (strcmp(la->names[i], la->names[j]) == 0)
                return berr(b, la, EDDY_EINVAL, "Duplicate lambda argument '%s' in %s",
                            la->names[i], fmt_ast(b, la));
    lambda_scope ls = {.lambda = la, .types = l->types, .up = b->lambdas};
    b->lambdas = &ls;
    int rc = bind(b, la->kids[0], &l->body);
    b->lambdas = ls.up;
    return rc;
}

/* TRANSFORM, FILTER and REDUCE: the collection (and REDUCE's initial state) bound first, then
 * each lambda with its parameters typed from them: element; key and value; the state (the
 * initial state's type) before them for REDUCE. */
static int bind_lambda_call(binder *b, const eddy_ast *a, int fi, enode **out)
{
    uint32_t nplain = 0;
    while (nplain < a->nkids && a->kids[nplain]->kind != EDDY_AST_LAMBDA)
        nplain++;
    uint32_t nlam = a->nkids - nplain;
    enode *args[2] = {NULL, NULL};
    bound_lambda lam[2];
    memset(lam, 0, sizeof lam);
    if (nplain > 2)
        return berr(b, a, EDDY_ETYPE, "Function '%s' does not accept parameters (%u "
                    "arguments).\nValid alternatives are:%s", lambda_fns[fi].name, a->nkids,
                    lambda_fns[fi].signatures);
    for (uint32_t i = 0; i < nplain; i++)
        TRY(bind(b, a->kids[i], &args[i]));
    const eddy_type *ct = nplain ? args[0]->type : NULL;
    bool is_map = ct && ct->id == EDDY_TYPE_MAP;
    bool reduce = strcmp(lambda_fns[fi].name, "REDUCE") == 0;
    bool transform = strcmp(lambda_fns[fi].name, "TRANSFORM") == 0;
    uint32_t want_lambdas = transform && is_map ? 2 : 1;
    if (!ct || (ct->id != EDDY_TYPE_ARRAY && !is_map) || nplain != (uint32_t)lambda_fns[fi].nargs ||
        nlam != want_lambdas)
        return lambda_call_mismatch(b, a, fi, nplain, args, lam);
    const eddy_type *state = NULL;
    if (reduce) {
        state = args[1]->type;
        if (!state)
            return berr(b, a->kids[1], EDDY_ETYPE, "Can't infer a type of null. Please "
                        "explicitly cast it to a required type, e.g. CAST(null AS VARCHAR).");
    }
    for (uint32_t j = 0; j < nlam; j++) {
        const eddy_type **t = lam[j].types;
        uint32_t np = 0;
        if (reduce)
            t[np++] = state;
        if (is_map)
            t[np++] = ct->key;
        t[np++] = ct->elem;
        TRY(bind_lambda(b, a->kids[nplain + j], np, &lam[j]));
    }
    enode *n = mk(b, EN_LAMBDA_CALL, a, NULL, nplain + nlam);
    if (!n)
        return nomem(b);
    for (uint32_t i = 0; i < nplain; i++)
        n->kids[i] = args[i];
    for (uint32_t j = 0; j < nlam; j++) {
        enode **body = &n->kids[nplain + j];
        *body = lam[j].body;
        const eddy_ast *ba = a->kids[nplain + j]->kids[0];
        if (reduce) {
            /* the state keeps the initial state's type */
            if (is_untyped_null(*body) ||
                ((*body)->type != state && eddy_type_coercible((*body)->type, state)))
                TRY(cast_to(b, body, state, false));
            else if ((*body)->type != state)
                return lambda_call_mismatch(b, a, fi, nplain, args, lam);
        } else if (!transform) {
            if (is_untyped_null(*body))
                TRY(cast_to(b, body, eddy_type_boolean(), false));
            else if ((*body)->type->id != EDDY_TYPE_BOOLEAN)
                return lambda_call_mismatch(b, a, fi, nplain, args, lam);
        } else if (is_untyped_null(*body)) {
            return berr(b, ba, EDDY_ETYPE, "Can't infer a type of null. Please explicitly "
                        "cast it to a required type, e.g. CAST(null AS VARCHAR).");
        }
    }
    if (reduce) {
        n->op = is_map ? LAMBDA_REDUCE_MAP : LAMBDA_REDUCE_ARRAY;
        n->type = state;
    } else if (!transform) {
        n->op = is_map ? LAMBDA_FILTER_MAP : LAMBDA_FILTER_ARRAY;
        n->type = ct;
    } else {
        n->op = is_map ? LAMBDA_TRANSFORM_MAP : LAMBDA_TRANSFORM_ARRAY;
        n->type = is_map ? eddy_type_map(n->kids[1]->type, n->kids[2]->type)
                         : eddy_type_array(n->kids[1]->type);
        if (!n->type)
            return nomem(b);
    }
    *out = n;
    return finish(b, out);
}

static int bind_func(binder *b, const eddy_ast *a, enode **out)
{
    int argc = (int)a->nkids;
    if (argc > 64)
        return berr(b, a, EDDY_EINVAL, "Function '%s' has too many arguments", a->name);
    int fi = lambda_fn_index(a->name);
    if (fi >= 0)
        return bind_lambda_call(b, a, fi, out);
    for (uint32_t i = 0; i < a->nkids; i++)
        if (a->kids[i]->kind == EDDY_AST_LAMBDA)
            return berr(b, a->kids[i], EDDY_EINVAL, "Function '%s' does not accept a lambda: "
                        "%s", a->name, fmt_ast(b, a->kids[i]));
    enode *n = mk(b, EN_FUNC, a, NULL, a->nkids);
    if (!n)
        return nomem(b);
    for (uint32_t i = 0; i < a->nkids; i++) {
        const eddy_ast *kid = a->kids[i];
        eddy_ast unit;
        if (kid->kind == EDDY_AST_COLUMN && !kid->qualifier && is_time_unit(kid->name) &&
            !(b->scope->schema && eddy_schema_find(b->scope->schema, kid->name) >= 0)) {
            unit = *kid;
            unit.kind = EDDY_AST_STRING;
            unit.value = eddy_string(kid->name, (uint32_t)strlen(kid->name));
            unit.text = kid->name;
            kid = &unit;
        }
        TRY(bind(b, kid, &n->kids[i]));
    }
    const eddy_type *argt[64];
    for (int i = 0; i < argc; i++)
        argt[i] = n->kids[i]->type;
    eddy_func_binding *fb = eddy_arena_calloc(b->arena, 1, sizeof *fb);
    if (!fb)
        return nomem(b);
    int kind = eddy_registry_kind_of(b->reg, a->name);
    if (kind == EDDY_FUNC_AGGREGATE && !b->scope->allow_aggregates)
        return berr(b, a, EDDY_EINVAL, "Aggregate function '%s' is not allowed here: %s",
                    a->name, fmt_ast(b, a));
    if (kind == EDDY_FUNC_TABLE && !(b->scope->table_function && a == b->root))
        return berr(b, a, EDDY_EINVAL, "Table function '%s' is not allowed here: %s", a->name,
                    fmt_ast(b, a));
    if (kind != EDDY_FUNC_TABLE && b->scope->table_function && a == b->root)
        return berr(b, a, EDDY_EINVAL, "'%s' is not a table function: %s", a->name,
                    fmt_ast(b, a));
    char err[EDDY_ERRSTR_SIZE];
    eddy_func_kind rk = kind ? (eddy_func_kind)kind : EDDY_FUNC_SCALAR;
    int rc = eddy_registry_resolve(b->reg, a->name, rk, argc, argt, fb, err, sizeof err);
    if (rc == EDDY_ETYPE) {
        /* ksqlDB's literal rule: a string literal argument may stand for the type of the
         * other arguments (GREATEST(T1, '09:16:00')): retry with each such type. */
        const eddy_type *alt[64];
        for (int j = 0; j < argc && rc; j++) {
            const eddy_type *cand = argt[j];
            if (!cand || cand->id == EDDY_TYPE_STRING)
                continue;
            bool any = false;
            for (int i = 0; i < argc; i++) {
                bool strlit = argt[i] && argt[i]->id == EDDY_TYPE_STRING &&
                              is_literal_ast(a->kids[i]) && n->kids[i]->is_const;
                alt[i] = strlit ? cand : argt[i];
                any |= strlit;
            }
            if (!any)
                break;
            eddy_func_binding tmp;
            if (eddy_registry_resolve(b->reg, a->name, rk, argc, alt, &tmp, NULL, 0) == 0) {
                for (int i = 0; i < argc; i++)
                    if (alt[i] != argt[i]) {
                        int lr = coerce_literal(b, &n->kids[i], tmp.param[i]);
                        if (lr < 0)
                            return lr;
                    }
                *fb = tmp;
                rc = 0;
            }
        }
    }
    if (rc)
        return berr(b, a, rc, "%s", err);
    for (int i = 0; i < argc; i++)
        if (fb->param[i] && n->kids[i]->type != fb->param[i])
            TRY(cast_to(b, &n->kids[i], fb->param[i], false));
    n->fb = fb;
    n->type = fb->ret;
    *out = n;
    return finish(b, out);
}

static int bind_subscript(binder *b, const eddy_ast *a, enode **out)
{
    enode *n = mk(b, EN_SUBSCRIPT, a, NULL, 2);
    if (!n)
        return nomem(b);
    TRY(bind_kids(b, a, n));
    const eddy_type *bt = n->kids[0]->type;
    if (!bt || (bt->id != EDDY_TYPE_ARRAY && bt->id != EDDY_TYPE_MAP))
        return berr(b, a, EDDY_ETYPE, "Subscript expression must be on an ARRAY or a MAP, but "
                    "%s is %s", fmt_ast(b, a->kids[0]), fmt_type(b, bt));
    const eddy_type *want = bt->id == EDDY_TYPE_ARRAY ? eddy_type_int() : bt->key;
    enode **ik = &n->kids[1];
    if ((*ik)->type != want) {
        bool ok = !(*ik)->type || eddy_type_coercible((*ik)->type, want) ||
                  (bt->id == EDDY_TYPE_ARRAY && (*ik)->type->id == EDDY_TYPE_BIGINT);
        if (!ok)
            return berr(b, a, EDDY_ETYPE, "Subscript index of %s must be %s, but %s is %s",
                        fmt_ast(b, a->kids[0]), fmt_type(b, want), fmt_ast(b, a->kids[1]),
                        fmt_type(b, (*ik)->type));
        TRY(cast_to(b, ik, want, (*ik)->type && (*ik)->type->id == EDDY_TYPE_BIGINT));
    }
    n->type = bt->elem;
    *out = n;
    return finish(b, out);
}

static int bind_deref(binder *b, const eddy_ast *a, enode **out)
{
    enode *n = mk(b, EN_DEREF, a, NULL, 1);
    if (!n)
        return nomem(b);
    TRY(bind(b, a->kids[0], &n->kids[0]));
    const eddy_type *st = n->kids[0]->type;
    if (!st || st->id != EDDY_TYPE_STRUCT)
        return berr(b, a, EDDY_ETYPE, "Can't dereference %s: it is %s, not a STRUCT",
                    fmt_ast(b, a->kids[0]), fmt_type(b, st));
    int fi = eddy_type_field_index(st, a->name);
    if (fi < 0)
        return berr(b, a, EDDY_ENOTFOUND, "Could not find field '%s' in '%s'.", a->name,
                    fmt_ast(b, a->kids[0]));
    n->idx = fi;
    n->type = st->fields[fi].type;
    *out = n;
    return finish(b, out);
}

static int bind_ctor(binder *b, const eddy_ast *a, enode **out)
{
    enode_kind k = a->kind == EDDY_AST_ARRAY ? EN_ARRAY
                   : a->kind == EDDY_AST_MAP ? EN_MAP : EN_STRUCT;
    enode *n = mk(b, k, a, NULL, a->nkids);
    if (!n)
        return nomem(b);
    TRY(bind_kids(b, a, n));
    if (k == EN_STRUCT) {
        eddy_field f[256];
        if (a->nkids > 256)
            return berr(b, a, EDDY_EINVAL, "STRUCT constructor has too many fields");
        for (uint32_t i = 0; i < a->nkids; i++) {
            if (!n->kids[i]->type)
                return berr(b, a->kids[i], EDDY_ETYPE,
                            "Can't infer a type of null. Please explicitly cast it to a "
                            "required type, e.g. CAST(null AS VARCHAR).");
            f[i].name = a->names[i];
            f[i].type = n->kids[i]->type;
            for (uint32_t j = 0; j < i; j++)
                if (strcmp(f[j].name, f[i].name) == 0)
                    return berr(b, a, EDDY_EINVAL, "Duplicate field names found in STRUCT");
        }
        n->type = eddy_type_struct(a->nkids, f);
        if (!n->type)
            return nomem(b);
        *out = n;
        return finish(b, out);
    }
    if (a->nkids == 0)
        return berr(b, a, EDDY_EINVAL, k == EN_ARRAY
                    ? "Array constructor cannot be empty. Please supply at least one element "
                      "(see https://github.com/confluentinc/ksql/issues/4239)."
                    : "Map constructor cannot be empty. Please supply at least one key value "
                      "pair (see https://github.com/confluentinc/ksql/issues/4239).");
    uint32_t step = k == EN_MAP ? 2 : 1;
    const eddy_type *types[2] = {NULL, NULL};
    for (uint32_t part = 0; part < step; part++) {
        enode *items[512];
        uint32_t ni = 0;
        for (uint32_t i = part; i < n->nkids && ni < 512; i += step)
            items[ni++] = n->kids[i];
        const eddy_type *t = list_common(items, ni);
        if (!t)
            return berr(b, a, EDDY_ETYPE, k == EN_ARRAY
                        ? "Cannot construct an array with all NULL elements"
                        : part ? "Cannot construct a map with all NULL values"
                               : "Cannot construct a map with all NULL keys");
        for (uint32_t i = part; i < n->nkids; i += step) {
            int rc = coerce_item(b, &n->kids[i], t);
            if (rc == EDDY_ETYPE && !(b->errstr && b->errstr[0]))
                return berr(b, a->kids[i], EDDY_ETYPE,
                            "invalid input syntax for type %s: %s has type %s",
                            fmt_type(b, t), fmt_ast(b, a->kids[i]),
                            fmt_type(b, n->kids[i]->type));
            if (rc)
                return rc;
        }
        types[part] = t;
    }
    n->type = k == EN_ARRAY ? eddy_type_array(types[0]) : eddy_type_map(types[0], types[1]);
    if (!n->type)
        return nomem(b);
    *out = n;
    return finish(b, out);
}

static int bind_literal(binder *b, const eddy_ast *a, enode **out)
{
    const eddy_type *t = NULL;
    switch (a->kind) {
    case EDDY_AST_NULL: t = NULL; break;
    case EDDY_AST_BOOL: t = eddy_type_boolean(); break;
    case EDDY_AST_INT: t = eddy_type_int(); break;
    case EDDY_AST_BIGINT: t = eddy_type_bigint(); break;
    case EDDY_AST_DOUBLE: t = eddy_type_double(); break;
    case EDDY_AST_STRING: t = eddy_type_string(); break;
    case EDDY_AST_DECIMAL:
        t = eddy_type_decimal(a->value.precision, a->value.scale);
        if (!t)
            return nomem(b);
        break;
    default: break;
    }
    enode *n = mk(b, EN_CONST, a, t, 0);
    if (!n)
        return nomem(b);
    n->val = a->value;
    if (a->kind == EDDY_AST_NULL)
        n->val = eddy_null(0);
    n->is_const = true;
    eddy_expr_select_eval(n);
    *out = n;
    return 0;
}

static int bind(binder *b, const eddy_ast *a, enode **out)
{
    switch (a->kind) {
    case EDDY_AST_NULL: case EDDY_AST_BOOL: case EDDY_AST_INT: case EDDY_AST_BIGINT:
    case EDDY_AST_DECIMAL: case EDDY_AST_DOUBLE: case EDDY_AST_STRING:
        return bind_literal(b, a, out);
    case EDDY_AST_COLUMN:
        return bind_column(b, a, out);
    case EDDY_AST_DEREF:
        return bind_deref(b, a, out);
    case EDDY_AST_SUBSCRIPT:
        return bind_subscript(b, a, out);
    case EDDY_AST_FUNC:
        return bind_func(b, a, out);
    case EDDY_AST_LAMBDA:
        return berr(b, a, EDDY_EINVAL, "A lambda is only allowed as a function argument: %s",
                    fmt_ast(b, a));
    case EDDY_AST_CAST:
        return bind_cast(b, a, out);
    case EDDY_AST_CASE:
        return bind_case(b, a, out);
    case EDDY_AST_NOT: {
        enode *n = mk(b, EN_NOT, a, eddy_type_boolean(), 1);
        if (!n)
            return nomem(b);
        TRY(bind_kids(b, a, n));
        TRY(require_boolean(b, a, &n->kids[0], "NOT"));
        *out = n;
        return finish(b, out);
    }
    case EDDY_AST_AND:
    case EDDY_AST_OR: {
        enode *n = mk(b, a->kind == EDDY_AST_AND ? EN_AND : EN_OR, a, eddy_type_boolean(), 2);
        if (!n)
            return nomem(b);
        TRY(bind_kids(b, a, n));
        const char *what = a->kind == EDDY_AST_AND ? "AND" : "OR";
        TRY(require_boolean(b, a, &n->kids[0], what));
        TRY(require_boolean(b, a, &n->kids[1], what));
        *out = n;
        return finish(b, out);
    }
    case EDDY_AST_CMP:
        return bind_cmp(b, a, out);
    case EDDY_AST_ARITH:
    case EDDY_AST_CONCAT:
        return bind_arith(b, a, out);
    case EDDY_AST_NEG:
    case EDDY_AST_PLUS:
        return bind_neg(b, a, out);
    case EDDY_AST_IS_NULL: {
        enode *n = mk(b, EN_IS_NULL, a, eddy_type_boolean(), 1);
        if (!n)
            return nomem(b);
        n->negated = a->negated;
        TRY(bind_kids(b, a, n));
        if (is_untyped_null(n->kids[0]))
            TRY(cast_to(b, &n->kids[0], eddy_type_string(), false));
        *out = n;
        return finish(b, out);
    }
    case EDDY_AST_BETWEEN:
    case EDDY_AST_IN:
        return bind_list_predicate(b, a, out);
    case EDDY_AST_LIKE:
        return bind_like(b, a, out);
    case EDDY_AST_ARRAY:
    case EDDY_AST_MAP:
    case EDDY_AST_STRUCT:
        return bind_ctor(b, a, out);
    }
    return berr(b, a, EDDY_EINTERNAL, "unknown syntax node %d", (int)a->kind);
}

/* ------------------------------------------------------------- public API */

static eddy_expr *expr_new(void)
{
    eddy_expr *e = calloc(1, sizeof *e);
    if (!e)
        return NULL;
    e->arena = eddy_arena_new(16 * 1024);
    if (!e->arena) {
        free(e);
        return NULL;
    }
    return e;
}

static int bind_into(eddy_expr *e, const eddy_ast *ast, const eddy_scope *scope,
                     char *errstr, size_t errstr_size)
{
    binder b = {.scope = scope, .reg = scope->registry ? scope->registry
                                                       : eddy_registry_default(),
                .arena = e->arena, .errstr = errstr, .errstr_size = errstr_size,
                .root = ast};
    if (errstr && errstr_size)
        errstr[0] = '\0';
    if (!b.reg)
        return eddy_seterr(errstr, errstr_size, EDDY_ENOMEM, "no function registry");
    if (scope->table_function && ast->kind != EDDY_AST_FUNC)
        return berr(&b, ast, EDDY_EINVAL, "a table function call was expected: %s",
                    fmt_ast(&b, ast));
    enode *root;
    int rc = bind(&b, ast, &root);
    if (rc)
        return rc;
    if (!root->type)
        return berr(&b, ast, EDDY_ETYPE, "Can't infer a type of null. Please explicitly cast it "
                    "to a required type, e.g. CAST(null AS VARCHAR).");
    e->root = root;
    e->ast = ast;
    return 0;
}

static eddy_ast_type *type_copy(eddy_arena *ar, const eddy_ast_type *t)
{
    eddy_ast_type *c = eddy_arena_alloc(ar, sizeof *c);
    if (!c)
        return NULL;
    *c = *t;
    if (t->name && !(c->name = eddy_arena_strndup(ar, t->name, strlen(t->name))))
        return NULL;
    if (t->elem && !(c->elem = type_copy(ar, t->elem)))
        return NULL;
    if (t->key && !(c->key = type_copy(ar, t->key)))
        return NULL;
    if (t->nfields) {
        const char **names = eddy_arena_alloc(ar, t->nfields * sizeof *names);
        const eddy_ast_type **types = eddy_arena_alloc(ar, t->nfields * sizeof *types);
        if (!names || !types)
            return NULL;
        for (uint32_t i = 0; i < t->nfields; i++) {
            names[i] = eddy_arena_strndup(ar, t->field_names[i], strlen(t->field_names[i]));
            types[i] = type_copy(ar, t->field_types[i]);
            if (!names[i] || !types[i])
                return NULL;
        }
        c->field_names = names;
        c->field_types = types;
    }
    return c;
}

/* Deep copy of an AST into another arena (eddy_expr_bind gets a caller-owned tree). */
static eddy_ast *ast_copy(eddy_arena *ar, const eddy_ast *a)
{
    eddy_ast *c = eddy_arena_alloc(ar, sizeof *c);
    if (!c)
        return NULL;
    *c = *a;
    if (a->nkids) {
        c->kids = eddy_arena_alloc(ar, a->nkids * sizeof *c->kids);
        if (!c->kids)
            return NULL;
        for (uint32_t i = 0; i < a->nkids; i++)
            if (!(c->kids[i] = ast_copy(ar, a->kids[i])))
                return NULL;
    }
    /* strings and types stay valid: they are copied below when they point outside */
#define DUP(field)                                                                      \
    if (a->field && !(c->field = eddy_arena_strndup(ar, a->field, strlen(a->field))))  \
        return NULL;
    DUP(name)
    DUP(qualifier)
    DUP(escape)
    DUP(text)
#undef DUP
    if (a->nnames) {
        c->names = eddy_arena_alloc(ar, a->nnames * sizeof *c->names);
        if (!c->names)
            return NULL;
        for (uint32_t i = 0; i < a->nnames; i++)
            if (!(c->names[i] = eddy_arena_strndup(ar, a->names[i], strlen(a->names[i]))))
                return NULL;
    }
    if (a->kind == EDDY_AST_STRING) {
        char *s = eddy_arena_strndup(ar, a->value.u.str ? a->value.u.str : "", a->value.len);
        if (!s)
            return NULL;
        c->value.u.str = s;
    }
    if (a->type && !(c->type = type_copy(ar, a->type)))
        return NULL;
    return c;
}

int eddy_expr_bind(const eddy_ast *ast, const eddy_scope *scope, eddy_expr **out,
                   char *errstr, size_t errstr_size)
{
    *out = NULL;
    eddy_expr *e = expr_new();
    if (!e)
        return eddy_seterr(errstr, errstr_size, EDDY_ENOMEM, "out of memory");
    const eddy_ast *mine = ast_copy(e->arena, ast);
    int rc = mine ? bind_into(e, mine, scope, errstr, errstr_size)
                  : eddy_seterr(errstr, errstr_size, EDDY_ENOMEM, "out of memory");
    if (rc) {
        eddy_expr_destroy(e);
        return rc;
    }
    *out = e;
    return 0;
}

int eddy_expr_compile(const char *text, const eddy_scope *scope, eddy_expr **out,
                      char *errstr, size_t errstr_size)
{
    *out = NULL;
    eddy_expr *e = expr_new();
    if (!e)
        return eddy_seterr(errstr, errstr_size, EDDY_ENOMEM, "out of memory");
    eddy_ast *ast;
    int rc = eddy_sql_parse_expr(text, e->arena, &ast, errstr, errstr_size);
    if (!rc)
        rc = bind_into(e, ast, scope, errstr, errstr_size);
    if (rc) {
        eddy_expr_destroy(e);
        return rc;
    }
    *out = e;
    return 0;
}

int eddy_expr_compile_item(const char *text, const eddy_scope *scope, int index,
                           eddy_expr **out, const char **name, char *errstr, size_t errstr_size)
{
    *out = NULL;
    eddy_expr *e = expr_new();
    if (!e)
        return eddy_seterr(errstr, errstr_size, EDDY_ENOMEM, "out of memory");
    eddy_ast *ast;
    const char *alias = NULL;
    int rc = eddy_sql_parse_select_item(text, e->arena, &ast, &alias, errstr, errstr_size);
    if (!rc)
        rc = bind_into(e, ast, scope, errstr, errstr_size);
    if (!rc) {
        if (alias) {
            e->name = alias;
        } else if (ast->kind == EDDY_AST_COLUMN || ast->kind == EDDY_AST_DEREF) {
            e->name = ast->name;
        } else {
            char tmp[32];
            snprintf(tmp, sizeof tmp, "KSQL_COL_%d", index);
            e->name = eddy_arena_strndup(e->arena, tmp, strlen(tmp));
            if (!e->name)
                rc = eddy_seterr(errstr, errstr_size, EDDY_ENOMEM, "out of memory");
        }
    }
    if (rc) {
        eddy_expr_destroy(e);
        return rc;
    }
    *name = e->name;
    *out = e;
    return 0;
}

const eddy_type *eddy_expr_type(const eddy_expr *e)
{
    return e->root->type;
}

int eddy_expr_format(const eddy_expr *e, eddy_buf *buf)
{
    return eddy_ast_format(e->ast, buf);
}

void eddy_expr_destroy(eddy_expr *e)
{
    if (!e)
        return;
    eddy_arena_destroy(e->arena);
    free(e);
}
