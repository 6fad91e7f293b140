/* ast.c: syntax tree nodes and their ksqlDB-style rendering (see ast.h). */
#include "sql/ast.h"
#include "sql/lexer.h"

#include <inttypes.h>
#include <string.h>

eddy_ast *eddy_ast_new(eddy_arena *arena, eddy_ast_kind kind, int line, int col)
{
    eddy_ast *a = eddy_arena_calloc(arena, 1, sizeof *a);
    if (!a)
        return NULL;
    a->kind = kind;
    a->line = line;
    a->col = col;
    return a;
}

const char *eddy_cmp_op_symbol(eddy_cmp_op op)
{
    switch (op) {
    case EDDY_CMP_EQ: return "=";
    case EDDY_CMP_NE: return "<>";
    case EDDY_CMP_LT: return "<";
    case EDDY_CMP_LE: return "<=";
    case EDDY_CMP_GT: return ">";
    case EDDY_CMP_GE: return ">=";
    case EDDY_CMP_DISTINCT: return "IS DISTINCT FROM";
    case EDDY_CMP_NOT_DISTINCT: return "IS NOT DISTINCT FROM";
    }
    return "?";
}

const char *eddy_cmp_op_name(eddy_cmp_op op)
{
    switch (op) {
    case EDDY_CMP_EQ: return "EQUAL";
    case EDDY_CMP_NE: return "NOT_EQUAL";
    case EDDY_CMP_LT: return "LESS_THAN";
    case EDDY_CMP_LE: return "LESS_THAN_OR_EQUAL";
    case EDDY_CMP_GT: return "GREATER_THAN";
    case EDDY_CMP_GE: return "GREATER_THAN_OR_EQUAL";
    case EDDY_CMP_DISTINCT: return "IS_DISTINCT_FROM";
    case EDDY_CMP_NOT_DISTINCT: return "IS_NOT_DISTINCT_FROM";
    }
    return "?";
}

const char *eddy_arith_op_symbol(eddy_arith_op op)
{
    switch (op) {
    case EDDY_ARITH_ADD: return "+";
    case EDDY_ARITH_SUB: return "-";
    case EDDY_ARITH_MUL: return "*";
    case EDDY_ARITH_DIV: return "/";
    case EDDY_ARITH_MOD: return "%";
    }
    return "?";
}

static bool plain_ident(const char *s)
{
    if (!((*s >= 'A' && *s <= 'Z') || *s == '_'))
        return false;
    for (const char *p = s + 1; *p; p++)
        if (!((*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '_' || *p == '@'))
            return false;
    return !eddy_keyword_is_reserved(s);
}

static int put_backquoted(eddy_buf *buf, const char *name)
{
    int rc = eddy_buf_putc(buf, '`');
    for (const char *p = name; !rc && *p; p++) {
        if (*p == '`')
            rc = eddy_buf_putc(buf, '`');
        if (!rc)
            rc = eddy_buf_putc(buf, *p);
    }
    return rc ? rc : eddy_buf_putc(buf, '`');
}

int eddy_ast_format_ident(eddy_buf *buf, const char *name)
{
    if (plain_ident(name))
        return eddy_buf_puts(buf, name);
    return put_backquoted(buf, name);
}

int eddy_ast_type_format(const eddy_ast_type *t, eddy_buf *buf)
{
    int rc = 0;
    switch ((int)t->id) {
    case 0:
        return eddy_buf_puts(buf, t->name ? t->name : "?");
    case EDDY_TYPE_DECIMAL:
        if (t->precision < 0)
            return eddy_buf_puts(buf, "DECIMAL");
        return eddy_buf_printf(buf, "DECIMAL(%d, %d)", t->precision, t->scale);
    case EDDY_TYPE_ARRAY:
        rc = eddy_buf_puts(buf, "ARRAY<");
        if (!rc)
            rc = eddy_ast_type_format(t->elem, buf);
        return rc ? rc : eddy_buf_putc(buf, '>');
    case EDDY_TYPE_MAP:
        rc = eddy_buf_puts(buf, "MAP<");
        if (!rc)
            rc = eddy_ast_type_format(t->key, buf);
        if (!rc)
            rc = eddy_buf_puts(buf, ", ");
        if (!rc)
            rc = eddy_ast_type_format(t->elem, buf);
        return rc ? rc : eddy_buf_putc(buf, '>');
    case EDDY_TYPE_STRUCT:
        rc = eddy_buf_puts(buf, "STRUCT<");
        for (uint32_t i = 0; !rc && i < t->nfields; i++) {
            if (i)
                rc = eddy_buf_puts(buf, ", ");
            if (!rc)
                rc = put_backquoted(buf, t->field_names[i]);
            if (!rc)
                rc = eddy_buf_putc(buf, ' ');
            if (!rc)
                rc = eddy_ast_type_format(t->field_types[i], buf);
        }
        return rc ? rc : eddy_buf_putc(buf, '>');
    default:
        return eddy_buf_puts(buf, eddy_type_id_name(t->id));
    }
}

static int fmt_list(const eddy_ast *const *kids, uint32_t n, eddy_buf *buf)
{
    int rc = 0;
    for (uint32_t i = 0; !rc && i < n; i++) {
        if (i)
            rc = eddy_buf_puts(buf, ", ");
        if (!rc)
            rc = eddy_ast_format(kids[i], buf);
    }
    return rc;
}

static int fmt_string_lit(eddy_buf *buf, const char *s, size_t n)
{
    int rc = eddy_buf_putc(buf, '\'');
    for (size_t i = 0; !rc && i < n; i++) {
        if (s[i] == '\'')
            rc = eddy_buf_putc(buf, '\'');
        if (!rc)
            rc = eddy_buf_putc(buf, s[i]);
    }
    return rc ? rc : eddy_buf_putc(buf, '\'');
}

#define TRY(x) do { int rc_ = (x); if (rc_) return rc_; } while (0)

int eddy_ast_format(const eddy_ast *a, eddy_buf *buf)
{
    const eddy_ast *const *k = (const eddy_ast *const *)a->kids;
    switch (a->kind) {
    case EDDY_AST_NULL:
        return eddy_buf_puts(buf, "null");
    case EDDY_AST_BOOL:
        return eddy_buf_puts(buf, a->value.u.b ? "true" : "false");
    case EDDY_AST_INT:
        return eddy_buf_printf(buf, "%" PRId32, a->value.u.i32);
    case EDDY_AST_BIGINT:
        return eddy_buf_printf(buf, "%" PRId64, a->value.u.i64);
    case EDDY_AST_DECIMAL: {
        char tmp[64];
        eddy_decimal_format(a->value.u.dec, a->value.scale, tmp, sizeof tmp);
        return eddy_buf_puts(buf, tmp);
    }
    case EDDY_AST_DOUBLE:
        return eddy_value_format(buf, &a->value);
    case EDDY_AST_STRING:
        return fmt_string_lit(buf, a->value.u.str, a->value.len);
    case EDDY_AST_COLUMN:
        if (a->qualifier) {
            TRY(eddy_ast_format_ident(buf, a->qualifier));
            TRY(eddy_buf_putc(buf, '.'));
        }
        return eddy_ast_format_ident(buf, a->name);
    case EDDY_AST_DEREF:
        TRY(eddy_ast_format(k[0], buf));
        TRY(eddy_buf_puts(buf, "->"));
        return eddy_ast_format_ident(buf, a->name);
    case EDDY_AST_SUBSCRIPT:
        TRY(eddy_ast_format(k[0], buf));
        TRY(eddy_buf_putc(buf, '['));
        TRY(eddy_ast_format(k[1], buf));
        return eddy_buf_putc(buf, ']');
    case EDDY_AST_FUNC:
        TRY(eddy_ast_format_ident(buf, a->name));
        TRY(eddy_buf_putc(buf, '('));
        if (a->star)
            TRY(eddy_buf_putc(buf, '*'));
        else
            TRY(fmt_list(k, a->nkids, buf));
        return eddy_buf_putc(buf, ')');
    case EDDY_AST_LAMBDA:
        if (a->nnames == 1) {
            TRY(eddy_ast_format_ident(buf, a->names[0]));
        } else {
            TRY(eddy_buf_putc(buf, '('));
            for (uint32_t i = 0; i < a->nnames; i++) {
                if (i)
                    TRY(eddy_buf_puts(buf, ", "));
                TRY(eddy_ast_format_ident(buf, a->names[i]));
            }
            TRY(eddy_buf_putc(buf, ')'));
        }
        TRY(eddy_buf_puts(buf, " => "));
        return eddy_ast_format(k[0], buf);
    case EDDY_AST_CAST:
        TRY(eddy_buf_puts(buf, "CAST("));
        TRY(eddy_ast_format(k[0], buf));
        TRY(eddy_buf_puts(buf, " AS "));
        TRY(eddy_ast_type_format(a->type, buf));
        return eddy_buf_putc(buf, ')');
    case EDDY_AST_CASE: {
        uint32_t i = 0, end = a->nkids - (a->has_else ? 1 : 0);
        TRY(eddy_buf_puts(buf, "(CASE"));
        if (a->has_operand) {
            TRY(eddy_buf_putc(buf, ' '));
            TRY(eddy_ast_format(k[i++], buf));
        }
        for (; i + 1 < end; i += 2) {
            TRY(eddy_buf_puts(buf, " WHEN "));
            TRY(eddy_ast_format(k[i], buf));
            TRY(eddy_buf_puts(buf, " THEN "));
            TRY(eddy_ast_format(k[i + 1], buf));
        }
        if (a->has_else) {
            TRY(eddy_buf_puts(buf, " ELSE "));
            TRY(eddy_ast_format(k[a->nkids - 1], buf));
        }
        return eddy_buf_puts(buf, " END)");
    }
    case EDDY_AST_NOT:
        TRY(eddy_buf_puts(buf, "(NOT "));
        TRY(eddy_ast_format(k[0], buf));
        return eddy_buf_putc(buf, ')');
    case EDDY_AST_AND:
    case EDDY_AST_OR:
    case EDDY_AST_CMP:
    case EDDY_AST_ARITH:
    case EDDY_AST_CONCAT: {
        const char *op = a->kind == EDDY_AST_AND ? "AND"
                         : a->kind == EDDY_AST_OR ? "OR"
                         : a->kind == EDDY_AST_CMP ? eddy_cmp_op_symbol((eddy_cmp_op)a->op)
                         : a->kind == EDDY_AST_CONCAT ? "||"
                         : eddy_arith_op_symbol((eddy_arith_op)a->op);
        TRY(eddy_buf_putc(buf, '('));
        TRY(eddy_ast_format(k[0], buf));
        TRY(eddy_buf_printf(buf, " %s ", op));
        TRY(eddy_ast_format(k[1], buf));
        return eddy_buf_putc(buf, ')');
    }
    case EDDY_AST_NEG: {
        /* ksqlDB separates "- -x" so it never reads as a comment */
        size_t at = buf->len;
        TRY(eddy_buf_putc(buf, '-'));
        TRY(eddy_ast_format(k[0], buf));
        if (buf->len > at + 1 && buf->data[at + 1] == '-') {
            TRY(eddy_buf_putc(buf, ' '));
            memmove(buf->data + at + 2, buf->data + at + 1, buf->len - at - 2);
            buf->data[at + 1] = ' ';
        }
        return 0;
    }
    case EDDY_AST_PLUS:
        TRY(eddy_buf_putc(buf, '+'));
        return eddy_ast_format(k[0], buf);
    case EDDY_AST_IS_NULL:
        TRY(eddy_buf_putc(buf, '('));
        TRY(eddy_ast_format(k[0], buf));
        return eddy_buf_puts(buf, a->negated ? " IS NOT NULL)" : " IS NULL)");
    case EDDY_AST_BETWEEN:
        TRY(eddy_buf_putc(buf, '('));
        TRY(eddy_ast_format(k[0], buf));
        TRY(eddy_buf_puts(buf, a->negated ? " NOT BETWEEN " : " BETWEEN "));
        TRY(eddy_ast_format(k[1], buf));
        TRY(eddy_buf_puts(buf, " AND "));
        TRY(eddy_ast_format(k[2], buf));
        return eddy_buf_putc(buf, ')');
    case EDDY_AST_LIKE:
        TRY(eddy_buf_putc(buf, '('));
        TRY(eddy_ast_format(k[0], buf));
        TRY(eddy_buf_puts(buf, a->negated ? " NOT LIKE " : " LIKE "));
        TRY(eddy_ast_format(k[1], buf));
        if (a->escape) {
            TRY(eddy_buf_puts(buf, " ESCAPE "));
            TRY(fmt_string_lit(buf, a->escape, strlen(a->escape)));
        }
        return eddy_buf_putc(buf, ')');
    case EDDY_AST_IN:
        TRY(eddy_buf_putc(buf, '('));
        TRY(eddy_ast_format(k[0], buf));
        TRY(eddy_buf_puts(buf, a->negated ? " NOT IN (" : " IN ("));
        TRY(fmt_list(k + 1, a->nkids - 1, buf));
        return eddy_buf_puts(buf, "))");
    case EDDY_AST_ARRAY:
        TRY(eddy_buf_puts(buf, "ARRAY["));
        TRY(fmt_list(k, a->nkids, buf));
        return eddy_buf_putc(buf, ']');
    case EDDY_AST_MAP:
        TRY(eddy_buf_puts(buf, "MAP("));
        for (uint32_t i = 0; i + 1 < a->nkids; i += 2) {
            if (i)
                TRY(eddy_buf_puts(buf, ", "));
            TRY(eddy_ast_format(k[i], buf));
            TRY(eddy_buf_puts(buf, ":="));
            TRY(eddy_ast_format(k[i + 1], buf));
        }
        return eddy_buf_putc(buf, ')');
    case EDDY_AST_STRUCT:
        TRY(eddy_buf_puts(buf, "STRUCT("));
        for (uint32_t i = 0; i < a->nkids; i++) {
            if (i)
                TRY(eddy_buf_puts(buf, ", "));
            TRY(eddy_ast_format_ident(buf, a->names[i]));
            TRY(eddy_buf_puts(buf, ":="));
            TRY(eddy_ast_format(k[i], buf));
        }
        return eddy_buf_putc(buf, ')');
    }
    return EDDY_EINTERNAL;
}
