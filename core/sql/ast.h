/* ast.h: the unbound syntax tree of ksqlDB expressions and types, as the parser builds it,
 * and its rendering in ksqlDB's ExpressionFormatter style ("(STARS < 3)"). */
#ifndef EDDY_SQL_AST_H
#define EDDY_SQL_AST_H

#include "eddy/common.h"
#include "eddy/arena.h"
#include "eddy/value.h"
#include "expr/expr.h" /* typedef struct eddy_ast eddy_ast */

typedef enum eddy_ast_kind {
    EDDY_AST_NULL = 1,  /* NULL literal (untyped) */
    EDDY_AST_BOOL,      /* TRUE / FALSE: value */
    EDDY_AST_INT,       /* integer literal fitting INT: value */
    EDDY_AST_BIGINT,    /* integer literal needing BIGINT: value */
    EDDY_AST_DECIMAL,   /* 1.5: value (precision, scale derived as ksqlDB does) */
    EDDY_AST_DOUBLE,    /* 1.5E3: value */
    EDDY_AST_STRING,    /* 'text': value (bytes in the arena) */
    EDDY_AST_COLUMN,    /* name, qualifier (NULL unless SOURCE.NAME) */
    EDDY_AST_DEREF,     /* kids[0] -> name */
    EDDY_AST_SUBSCRIPT, /* kids[0] [ kids[1] ] */
    EDDY_AST_FUNC,      /* name ( kids... ); `star` for COUNT(*) */
    EDDY_AST_LAMBDA,    /* (names...) => kids[0] */
    EDDY_AST_CAST,      /* CAST(kids[0] AS type) */
    EDDY_AST_CASE,      /* [operand] (when then)* [else]: see has_operand / has_else */
    EDDY_AST_NOT,       /* NOT kids[0] */
    EDDY_AST_AND,       /* kids[0] AND kids[1] */
    EDDY_AST_OR,
    EDDY_AST_CMP,       /* kids[0] op kids[1]; op: eddy_cmp_op */
    EDDY_AST_ARITH,     /* kids[0] op kids[1]; op: eddy_arith_op */
    EDDY_AST_NEG,       /* - kids[0] */
    EDDY_AST_PLUS,      /* + kids[0] */
    EDDY_AST_CONCAT,    /* kids[0] || kids[1] */
    EDDY_AST_IS_NULL,   /* kids[0] IS [NOT] NULL: negated */
    EDDY_AST_BETWEEN,   /* kids[0] [NOT] BETWEEN kids[1] AND kids[2] */
    EDDY_AST_LIKE,      /* kids[0] [NOT] LIKE kids[1] [ESCAPE escape] */
    EDDY_AST_IN,        /* kids[0] [NOT] IN (kids[1..]) */
    EDDY_AST_ARRAY,     /* ARRAY[kids...] */
    EDDY_AST_MAP,       /* MAP(k0 := v0, ...): kids = k0, v0, k1, v1, ... */
    EDDY_AST_STRUCT     /* STRUCT(names[i] := kids[i], ...) */
} eddy_ast_kind;

typedef enum eddy_cmp_op {
    EDDY_CMP_EQ = 1, EDDY_CMP_NE, EDDY_CMP_LT, EDDY_CMP_LE, EDDY_CMP_GT, EDDY_CMP_GE,
    EDDY_CMP_DISTINCT,    /* IS DISTINCT FROM */
    EDDY_CMP_NOT_DISTINCT /* IS NOT DISTINCT FROM */
} eddy_cmp_op;

typedef enum eddy_arith_op {
    EDDY_ARITH_ADD = 1, EDDY_ARITH_SUB, EDDY_ARITH_MUL, EDDY_ARITH_DIV, EDDY_ARITH_MOD
} eddy_arith_op;

/* A type as written: concrete types, and for function signatures type variables (T, K, V,
 * U: `var`) and DECIMAL without parameters (precision -1: any decimal). */
typedef struct eddy_ast_type {
    eddy_type_id id;          /* 0: a name that is not a built-in type (`name`) */
    const char *name;         /* the base type name as written (upper case) */
    int precision, scale;     /* DECIMAL; -1 when not given */
    const struct eddy_ast_type *elem, *key; /* ARRAY element / MAP value; MAP key */
    uint32_t nfields;
    const char **field_names;
    const struct eddy_ast_type **field_types;
    int line, col;
} eddy_ast_type;

struct eddy_ast {
    eddy_ast_kind kind;
    int op;             /* eddy_cmp_op or eddy_arith_op */
    bool negated;       /* IS NOT NULL, NOT BETWEEN, NOT LIKE, NOT IN */
    bool star;          /* FUNC: COUNT(*) */
    bool has_operand;   /* CASE x WHEN ... (simple case) */
    bool has_else;
    bool lambda_var;    /* COLUMN: names a parameter of an enclosing lambda, not a column */
    int line, col;      /* where the node starts (1-based) */
    uint32_t nkids;
    eddy_ast **kids;
    const char *name;       /* COLUMN, DEREF field, FUNC name */
    const char *qualifier;  /* COLUMN: source name or alias */
    const char *escape;     /* LIKE ... ESCAPE 'c' */
    const char **names;     /* STRUCT field names, LAMBDA parameters (nkids/… of them) */
    uint32_t nnames;
    const eddy_ast_type *type; /* CAST */
    eddy_value value;       /* literals */
    const char *text;       /* literals: the source text (for messages) */
};

/* Node constructor: zeroed node of `kind` at line:col in `arena`; NULL on ENOMEM. */
eddy_ast *eddy_ast_new(eddy_arena *arena, eddy_ast_kind kind, int line, int col);

/* Renders as ksqlDB's ExpressionFormatter does: "(STARS < 3)", "CAST(X AS STRING)",
 * "'it''s'", "SUBSTRING(A, 1, 2)". Identifiers that need quoting are back-quoted. */
int eddy_ast_format(const eddy_ast *a, eddy_buf *buf);
/* "ARRAY<STRING>", "DECIMAL(4, 2)", "STRUCT<`A` INTEGER>", "T" (as ksqlDB prints types). */
int eddy_ast_type_format(const eddy_ast_type *t, eddy_buf *buf);
/* Appends `name` back-quoted if it is not a plain upper-case identifier or is reserved. */
int eddy_ast_format_ident(eddy_buf *buf, const char *name);
/* "=", "<>", "<", ... "IS DISTINCT FROM". */
const char *eddy_cmp_op_symbol(eddy_cmp_op op);
/* ksqlDB's ComparisonExpression.Type names: EQUAL, NOT_EQUAL, LESS_THAN, ... */
const char *eddy_cmp_op_name(eddy_cmp_op op);
const char *eddy_arith_op_symbol(eddy_arith_op op);

#endif
