/* expr.h: SQL expressions: parsing (the ksqlDB expression grammar), binding to a schema with
 * type checking and implicit coercion, and evaluation with ksqlDB's NULL semantics. */
#ifndef EDDY_EXPR_H
#define EDDY_EXPR_H

#include "eddy/common.h"
#include "eddy/record.h"
#include "eddy/udf.h"
#include "eddy/plugin.h" /* the opaque eddy_expr */

/* An unbound syntax tree (eddy_ast) comes from the parser (core/sql) and is bound against a
 * scope into an eddy_expr: typed, with every function resolved and every implicit coercion
 * made explicit. An eddy_expr is immutable and may be evaluated by many threads at once. */
typedef struct eddy_ast eddy_ast;

/* What names resolve to when binding. */
typedef struct eddy_scope {
    const eddy_schema *schema;  /* columns, by name (exact; the parser upper-cases unquoted) */
    eddy_registry *registry;    /* functions; NULL: eddy_registry_default() */
    bool pseudo_columns;        /* allow ROWTIME, ROWPARTITION, ROWOFFSET, WINDOWSTART/END */
    bool allow_aggregates;      /* aggregate calls allowed (GROUP BY projections) */
    bool table_function;        /* the expression must be one table function call (a flat
                                   map's); its arguments may not hold another */
} eddy_scope;

/* Parses and binds `text` in one step. Errors: "line 1:7: mismatched input ..." for syntax;
 * "Column 'STARZ' cannot be resolved." for names; type errors name the operator and types. */
int eddy_expr_compile(const char *text, const eddy_scope *scope, eddy_expr **out,
                      char *errstr, size_t errstr_size);
/* Compiles "expr [AS alias]"; *name is the alias or the derived name (column name for a bare
 * column, struct field name for a dereference, else KSQL_COL_<index>); owned by *out. */
int eddy_expr_compile_item(const char *text, const eddy_scope *scope, int index,
                           eddy_expr **out, const char **name, char *errstr, size_t errstr_size);
int eddy_expr_bind(const eddy_ast *ast, const eddy_scope *scope, eddy_expr **out,
                   char *errstr, size_t errstr_size);
const eddy_type *eddy_expr_type(const eddy_expr *e);
/* Text of the bound expression as ksqlDB prints it in EXPLAIN ("(STARS < 3)"). */
int eddy_expr_format(const eddy_expr *e, eddy_buf *buf);
void eddy_expr_destroy(eddy_expr *e); /* accepts NULL */

/* Evaluation context: results are allocated in `arena`; on failure errstr says why. */
typedef struct eddy_eval_ctx {
    eddy_arena *arena;
    char *errstr;
    size_t errstr_size;
    void *worker;   /* per-worker UDF state, passed to functions as eddy_func_ctx.worker */
    /* Out: function calls that failed (EDDY_EFUNC) and were replaced by NULL, as ksqlDB does
     * (the rest of the expression goes on); errstr holds the first one's reason. The caller
     * logs it (the host writes a processing-log entry). Zero-initialise. */
    int soft_errors;
    /* Internal, leave NULL: the arguments of the lambdas being applied, innermost first
     * (TRANSFORM, FILTER, REDUCE push one frame on the C stack per application). */
    const struct eddy_lambda_frame *frame;
} eddy_eval_ctx;

/* Evaluates `e` on `rec`. Returns 0 with *out set (possibly NULL-valued; see soft_errors for
 * function calls that failed and became NULL), or a negative code: EDDY_ERANGE, EDDY_ETYPE
 * (a cast failed), EDDY_ENOMEM. ksqlDB's rules:
 * NULL operands make arithmetic and comparisons NULL; AND/OR are three-valued; a filter keeps
 * a row only when its predicate is TRUE. */
int eddy_expr_eval(const eddy_expr *e, const eddy_record *rec, eddy_eval_ctx *ctx,
                   eddy_value *out);
/* Evaluates a table function call (compiled with scope.table_function) on `rec`: *rows gets
 * *nrows values of eddy_expr_type(e) in ctx->arena, one per output row; a NULL argument gives
 * no row (unless the function is called on NULL). A failing argument (a function call that
 * failed, counted in ctx->soft_errors) or a failing table function drops the input row, as
 * ksqlDB's flat map does: EDDY_EFUNC with the reason in ctx->errstr. */
int eddy_expr_eval_table(const eddy_expr *e, const eddy_record *rec, eddy_eval_ctx *ctx,
                         eddy_value **rows, uint32_t *nrows);

#endif
