/* expr_impl.h: the bound expression tree shared by the binder (expr.c), the evaluator
 * (expr_eval.c) and the built-in functions; private to core/expr. */
#ifndef EDDY_EXPR_IMPL_H
#define EDDY_EXPR_IMPL_H

#include "expr/expr.h"
#include "sql/ast.h"

typedef struct enode enode;

/* Every node carries the evaluation function chosen for it at bind time (specialised for the
 * resolved types, so no type dispatch happens per record). */
typedef int (*enode_eval_fn)(const enode *n, const eddy_record *rec, eddy_eval_ctx *ctx,
                             eddy_value *out);

typedef enum enode_kind {
    EN_CONST = 1,
    EN_COLUMN,     /* rec->cols[idx] */
    EN_PSEUDO,     /* idx: PSEUDO_* */
    EN_CAST,       /* kids[0] to `type` (implicit when `implicit`) */
    EN_NOT, EN_AND, EN_OR,
    EN_CMP,        /* op: eddy_cmp_op, on kids coerced to one type */
    EN_ARITH,      /* op: eddy_arith_op */
    EN_NEG,
    EN_CONCAT,
    EN_IS_NULL,
    EN_BETWEEN,
    EN_LIKE,
    EN_IN,
    EN_CASE,       /* kids: (when, then)* [else]; has_else */
    EN_FUNC,
    EN_SUBSCRIPT,
    EN_DEREF,      /* idx: field index */
    EN_ARRAY, EN_MAP, EN_STRUCT,
    EN_LAMBDA_VAR, /* argument idx of the lambda op frames out (0: the innermost) */
    EN_LAMBDA_CALL /* op: lambda_fn; kids: collection, [REDUCE's initial state], bodies */
} enode_kind;

/* The higher-order functions, by collection kind (EN_LAMBDA_CALL's op). */
typedef enum lambda_fn {
    LAMBDA_TRANSFORM_ARRAY = 1, LAMBDA_TRANSFORM_MAP, LAMBDA_FILTER_ARRAY, LAMBDA_FILTER_MAP,
    LAMBDA_REDUCE_ARRAY, LAMBDA_REDUCE_MAP
} lambda_fn;

/* The arguments of one lambda application, linked to the enclosing lambda's; it lives on the
 * evaluator's C stack for the duration of the application. */
typedef struct eddy_lambda_frame {
    const eddy_value *args;
    const struct eddy_lambda_frame *up;
} eddy_lambda_frame;

enum { PSEUDO_ROWTIME = 1, PSEUDO_ROWPARTITION, PSEUDO_ROWOFFSET, PSEUDO_WINDOWSTART,
       PSEUDO_WINDOWEND };

struct enode {
    enode_eval_fn eval;
    const eddy_type *type; /* result type; NULL only for an untyped NULL literal */
    enode_kind kind;
    int op;
    int fast_op;           /* EN_CMP column-vs-constant fast path: op with the column left */
    bool negated;
    bool implicit;         /* EN_CAST inserted by the binder */
    bool has_else;
    bool is_const;         /* value known at bind time (in `val`) */
    int32_t idx;           /* column index, pseudo column, struct field index */
    uint32_t nkids;
    enode **kids;
    eddy_value val;        /* EN_CONST */
    char escape;           /* EN_LIKE: escape character or 0 */
    const eddy_func_binding *fb; /* EN_FUNC */
    const eddy_ast *ast;   /* where it came from (messages, formatting) */
};

struct eddy_expr {
    enode *root;
    eddy_arena *arena;     /* owns the nodes, the AST, constant values and names */
    const eddy_ast *ast;
    const char *name;      /* compile_item: alias or derived name */
};

/* Evaluation helpers shared by expr_eval.c and the binder's constant folding. */
static inline int enode_eval(const enode *n, const eddy_record *rec, eddy_eval_ctx *ctx,
                             eddy_value *out)
{
    return n->eval(n, rec, ctx, out);
}

/* Picks n->eval for a bound node (expr_eval.c). */
void eddy_expr_select_eval(enode *n);
/* A per-record error with a message in ctx->errstr; returns `code`. */
int eddy_expr_fail(eddy_eval_ctx *ctx, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* DECIMAL arithmetic result types (ksqlDB's DecimalUtil rules, capped at 38 digits). */
const eddy_type *eddy_decimal_arith_type(eddy_arith_op op, const eddy_type *a,
                                         const eddy_type *b);

/* LIKE matching of `s` against `pat` with escape `esc` (0: none); '%' any sequence, '_' one
 * character (UTF-8 aware). */
bool eddy_like_match(const char *s, size_t slen, const char *pat, size_t plen, char esc);

#endif
