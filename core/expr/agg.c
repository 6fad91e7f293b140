/* agg.c: compiled aggregate calls over the registry's UDAFs. */
#include "expr/agg.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sql/ast.h"
#include "sql/parser.h"

#define MAX_ARGS 16

struct eddy_agg {
    eddy_func_binding b;
    int argc;
    eddy_expr *args[MAX_ARGS];
    const eddy_type *argt[MAX_ARGS];
};

void eddy_agg_destroy(eddy_agg *a)
{
    if (!a)
        return;
    for (int i = 0; i < a->argc; i++)
        eddy_expr_destroy(a->args[i]);
    free(a);
}

int eddy_agg_compile_ast(const eddy_ast *call, const eddy_scope *scope, eddy_agg **out,
                         char *errstr, size_t errstr_size)
{
    *out = NULL;
    if (call->kind != EDDY_AST_FUNC)
        return eddy_seterr(errstr, errstr_size, EDDY_EINVAL,
                           "an aggregate function call was expected");
    if (call->nkids > MAX_ARGS)
        return eddy_seterr(errstr, errstr_size, EDDY_EINVAL, "too many arguments to %s",
                           call->name);
    eddy_agg *a = calloc(1, sizeof *a);
    if (!a)
        return EDDY_ENOMEM;
    eddy_scope inner = *scope;
    inner.allow_aggregates = false; /* no aggregate inside an aggregate */
    int rc = 0;
    for (uint32_t i = 0; i < call->nkids && rc == 0; i++) {
        rc = eddy_expr_bind(call->kids[i], &inner, &a->args[i], errstr, errstr_size);
        if (rc == 0) {
            a->argt[i] = eddy_expr_type(a->args[i]);
            a->argc++;
        }
    }
    if (rc == 0) {
        eddy_registry *r = scope->registry ? scope->registry : eddy_registry_default();
        rc = eddy_registry_resolve(r, call->name, EDDY_FUNC_AGGREGATE, a->argc, a->argt, &a->b,
                                   errstr, errstr_size);
    }
    if (rc) {
        eddy_agg_destroy(a);
        return rc;
    }
    *out = a;
    return 0;
}

int eddy_agg_compile(const char *text, const eddy_scope *scope, eddy_agg **out, char *errstr,
                     size_t errstr_size)
{
    eddy_arena *arena = eddy_arena_new(0);
    eddy_ast *ast;
    int rc = eddy_sql_parse_expr(text, arena, &ast, errstr, errstr_size);
    if (rc == 0)
        rc = eddy_agg_compile_ast(ast, scope, out, errstr, errstr_size);
    eddy_arena_destroy(arena);
    return rc;
}

const eddy_type *eddy_agg_type(const eddy_agg *a) { return a->b.ret; }
const eddy_type *eddy_agg_state_type(const eddy_agg *a) { return a->b.agg; }
bool eddy_agg_can_undo(const eddy_agg *a) { return a->b.fn->aggregate.undo != NULL; }
bool eddy_agg_can_merge(const eddy_agg *a) { return a->b.fn->aggregate.merge != NULL; }
const char *eddy_agg_name(const eddy_agg *a) { return a->b.fn->name; }

static eddy_func_ctx fctx(eddy_eval_ctx *ctx)
{
    return (eddy_func_ctx){ctx->arena, ctx->errstr, ctx->errstr_size, ctx->worker};
}

int eddy_agg_init(const eddy_agg *a, eddy_eval_ctx *ctx, eddy_value *acc)
{
    eddy_func_ctx f = fctx(ctx);
    return a->b.fn->aggregate.init(&f, a->b.fn, acc);
}

/* Evaluates the arguments, coerced to the resolved parameter types. */
static int eval_args(const eddy_agg *a, const eddy_record *rec, eddy_eval_ctx *ctx,
                     eddy_value *argv)
{
    for (int i = 0; i < a->argc; i++) {
        int rc = eddy_expr_eval(a->args[i], rec, ctx, &argv[i]);
        if (rc)
            return rc;
        const eddy_type *want = a->b.param[i];
        if (want && want != a->argt[i]) {
            eddy_value v;
            rc = eddy_value_cast(ctx->arena, &argv[i], want, &v, ctx->errstr, ctx->errstr_size);
            if (rc)
                return rc;
            argv[i] = v;
        }
    }
    return 0;
}

int eddy_agg_add(const eddy_agg *a, const eddy_record *rec, eddy_eval_ctx *ctx,
                 eddy_value *acc)
{
    eddy_value argv[MAX_ARGS];
    int rc = eval_args(a, rec, ctx, argv);
    if (rc)
        return rc;
    eddy_func_ctx f = fctx(ctx);
    return a->b.fn->aggregate.add(&f, a->b.fn, acc, a->argc, argv);
}

int eddy_agg_undo(const eddy_agg *a, const eddy_record *rec, eddy_eval_ctx *ctx,
                  eddy_value *acc)
{
    if (!a->b.fn->aggregate.undo)
        return eddy_seterr(ctx->errstr, ctx->errstr_size, EDDY_ESTATE,
                           "%s cannot remove rows (no undo)", a->b.fn->name);
    eddy_value argv[MAX_ARGS];
    int rc = eval_args(a, rec, ctx, argv);
    if (rc)
        return rc;
    eddy_func_ctx f = fctx(ctx);
    return a->b.fn->aggregate.undo(&f, a->b.fn, acc, a->argc, argv);
}

int eddy_agg_merge(const eddy_agg *a, eddy_eval_ctx *ctx, eddy_value *acc,
                   const eddy_value *other)
{
    if (!a->b.fn->aggregate.merge)
        return eddy_seterr(ctx->errstr, ctx->errstr_size, EDDY_ESTATE,
                           "%s cannot merge (session windows)", a->b.fn->name);
    eddy_func_ctx f = fctx(ctx);
    return a->b.fn->aggregate.merge(&f, a->b.fn, acc, other);
}

int eddy_agg_result(const eddy_agg *a, eddy_eval_ctx *ctx, const eddy_value *acc,
                    eddy_value *out)
{
    eddy_func_ctx f = fctx(ctx);
    return a->b.fn->aggregate.result(&f, a->b.fn, acc, out);
}
