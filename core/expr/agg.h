/* agg.h: a compiled aggregate call ("SUM(STARS)", "COUNT(*)", "TOPK(X, 3)"): its argument
 * expressions bound to a schema and the aggregate function (UDAF) the registry resolves,
 * driven through init / add / undo / merge / result over an accumulator value. */
#ifndef EDDY_AGG_H
#define EDDY_AGG_H

#include "expr/expr.h"

typedef struct eddy_agg eddy_agg;

/* Compiles `text`, which must be one aggregate function call. Errors as the expression
 * compiler's, plus "'X' is not an aggregate function". */
int eddy_agg_compile(const char *text, const eddy_scope *scope, eddy_agg **out, char *errstr,
                     size_t errstr_size);
/* The same from a FUNC node. */
int eddy_agg_compile_ast(const eddy_ast *call, const eddy_scope *scope, eddy_agg **out,
                         char *errstr, size_t errstr_size);
void eddy_agg_destroy(eddy_agg *a); /* accepts NULL */

const eddy_type *eddy_agg_type(const eddy_agg *a);       /* what result() returns */
const eddy_type *eddy_agg_state_type(const eddy_agg *a); /* the accumulator's type */
bool eddy_agg_can_undo(const eddy_agg *a);
bool eddy_agg_can_merge(const eddy_agg *a);
const char *eddy_agg_name(const eddy_agg *a);

/* The accumulator before any row. Memory from ctx->arena. */
int eddy_agg_init(const eddy_agg *a, eddy_eval_ctx *ctx, eddy_value *acc);
/* Evaluates the arguments on `rec` and folds them into *acc (undo: takes them out). */
int eddy_agg_add(const eddy_agg *a, const eddy_record *rec, eddy_eval_ctx *ctx,
                 eddy_value *acc);
int eddy_agg_undo(const eddy_agg *a, const eddy_record *rec, eddy_eval_ctx *ctx,
                  eddy_value *acc);
int eddy_agg_merge(const eddy_agg *a, eddy_eval_ctx *ctx, eddy_value *acc,
                   const eddy_value *other);
int eddy_agg_result(const eddy_agg *a, eddy_eval_ctx *ctx, const eddy_value *acc,
                    eddy_value *out);

#endif
