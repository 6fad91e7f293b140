/* union.c: merges two or more inputs of the same schema into one stream (UNION ALL / INSERT
 * INTO): each input batch goes on as is. */
#include "eddy/plugin.h"
#include "../common/putil.h"

EDDY_PLUGIN_API;

static const eddy_config_prop union_config[] = {{NULL, 0, NULL, 0, NULL, NULL}};

static int union_plan(eddy_op *op, char *errstr, size_t errstr_size)
{
    int n = eddy_api->input_count(op);
    if (n < 2)
        return pu_err(errstr, errstr_size, EDDY_EINVAL, "needs at least 2 inputs, got %d", n);
    const eddy_schema *first = eddy_api->input_schema(op, 0);
    for (int i = 1; i < n; i++) {
        const eddy_schema *s = eddy_api->input_schema(op, i);
        if (eddy_api->schema_equal(first, s))
            continue;
        eddy_buf a = {0}, b = {0};
        eddy_api->schema_format(first, &a);
        eddy_api->schema_format(s, &b);
        int rc = pu_err(errstr, errstr_size, EDDY_ETYPE,
                        "inputs '%s' and '%s' have different schemas: '%s' is (%.*s), '%s' is "
                        "(%.*s)",
                        eddy_api->input_name(op, 0), eddy_api->input_name(op, i),
                        eddy_api->input_name(op, 0), (int)a.len, a.data ? a.data : "",
                        eddy_api->input_name(op, i), (int)b.len, b.data ? b.data : "");
        eddy_api->buf_free(&a);
        eddy_api->buf_free(&b);
        return rc;
    }
    return eddy_api->output_add(op, NULL, first, errstr, errstr_size);
}

static int union_create(eddy_op *op, void **state, char *errstr, size_t errstr_size)
{
    *state = NULL;
    return 0;
}

static int union_process(eddy_op *op, void *state, int port, eddy_batch *in)
{
    return eddy_api->emit(op, 0, in);
}

static void union_destroy(eddy_op *op, void *state)
{
}

static const eddy_plugin union_plugin = {
    .abi_version = EDDY_PLUGIN_ABI_VERSION,
    .size = sizeof(eddy_plugin),
    .name = "union",
    .description = "Merges two or more inputs of the same schema into one stream.",
    .version = "1.0.0",
    .kind = EDDY_PLUGIN_TRANSFORM,
    .min_inputs = 2,
    .max_inputs = -1,
    .config = union_config,
    .plan = union_plan,
    .create = union_create,
    .process = union_process,
    .destroy = union_destroy,
};

EDDY_PLUGIN_DEFINE(union_plugin)
