/* stdout_sink.c: writes records to standard output, one per line (JSON or DELIMITED). The
 * buffering lives in ../common/sinkbuf.c, shared with file_sink. */
#include "eddy/plugin.h"
#include "../common/sinkbuf.h"

EDDY_PLUGIN_API;

static const eddy_config_prop stdout_sink_config[] = {
    SINKBUF_CONFIG_PROPS,
    {NULL, 0, NULL, 0, NULL, NULL}};

static int stdout_sink_plan(eddy_op *op, char *errstr, size_t errstr_size)
{
    return sinkbuf_plan(eddy_api, op, errstr, errstr_size);
}

static int stdout_sink_create(eddy_op *op, void **state, char *errstr, size_t errstr_size)
{
    sinkbuf *s = NULL;
    int rc = sinkbuf_create(eddy_api, op, "-", true, &s, errstr, errstr_size);
    if (rc)
        return rc;
    *state = s;
    return 0;
}

static int stdout_sink_process(eddy_op *op, void *state, int port, eddy_batch *in)
{
    return sinkbuf_process(state, in);
}

static int stdout_sink_flush(eddy_op *op, void *state)
{
    return sinkbuf_flush(state);
}

static void stdout_sink_destroy(eddy_op *op, void *state)
{
    sinkbuf_destroy(state);
}

static const eddy_plugin stdout_sink_plugin = {
    .abi_version = EDDY_PLUGIN_ABI_VERSION,
    .size = sizeof(eddy_plugin),
    .name = "stdout_sink",
    .description = "Writes records to standard output, one per line (JSON or DELIMITED).",
    .version = "1.0.0",
    .kind = EDDY_PLUGIN_SINK,
    .min_inputs = 1,
    .max_inputs = 1,
    .config = stdout_sink_config,
    .plan = stdout_sink_plan,
    .create = stdout_sink_create,
    .process = stdout_sink_process,
    .flush = stdout_sink_flush,
    .destroy = stdout_sink_destroy,
};

EDDY_PLUGIN_DEFINE(stdout_sink_plugin)
