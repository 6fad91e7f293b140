/* file_sink.c: writes records to a file, one per line (JSON or DELIMITED). Tasks writing the
 * same path share one writer; the buffering lives in ../common/sinkbuf.c. */
#include "eddy/plugin.h"
#include "../common/putil.h"
#include "../common/sinkbuf.h"

#include <stdlib.h>

EDDY_PLUGIN_API;

static const eddy_config_prop file_sink_config[] = {
    {"path", EDDY_CONF_STRING, NULL, EDDY_CONF_REQUIRED, NULL,
     "The file to write (created if missing); relative paths start from the pipeline file's "
     "directory; \"-\" is standard output."},
    SINKBUF_CONFIG_PROPS,
    {"append", EDDY_CONF_BOOL, "false", 0, NULL,
     "Append to the file instead of truncating it when the pipeline starts."},
    {NULL, 0, NULL, 0, NULL, NULL}};

static int file_sink_plan(eddy_op *op, char *errstr, size_t errstr_size)
{
    if (!eddy_api->config_str(op, "path")[0])
        return pu_err(errstr, errstr_size, EDDY_EINVAL, "config 'path': must not be empty");
    return sinkbuf_plan(eddy_api, op, errstr, errstr_size);
}

static int file_sink_create(eddy_op *op, void **state, char *errstr, size_t errstr_size)
{
    char *path = pu_resolve_path(eddy_api, op, eddy_api->config_str(op, "path"));
    if (!path)
        return pu_err(errstr, errstr_size, EDDY_ENOMEM, "out of memory");
    sinkbuf *s = NULL;
    int rc = sinkbuf_create(eddy_api, op, path, eddy_api->config_bool(op, "append"), &s, errstr,
                            errstr_size);
    free(path);
    if (rc)
        return rc;
    *state = s;
    return 0;
}

static int file_sink_process(eddy_op *op, void *state, int port, eddy_batch *in)
{
    return sinkbuf_process(state, in);
}

static int file_sink_flush(eddy_op *op, void *state)
{
    return sinkbuf_flush(state);
}

static void file_sink_destroy(eddy_op *op, void *state)
{
    sinkbuf_destroy(state);
}

static const eddy_plugin file_sink_plugin = {
    .abi_version = EDDY_PLUGIN_ABI_VERSION,
    .size = sizeof(eddy_plugin),
    .name = "file_sink",
    .description = "Writes records to a file, one per line (JSON or DELIMITED).",
    .version = "1.0.0",
    .kind = EDDY_PLUGIN_SINK,
    .min_inputs = 1,
    .max_inputs = 1,
    .config = file_sink_config,
    .plan = file_sink_plan,
    .create = file_sink_create,
    .process = file_sink_process,
    .flush = file_sink_flush,
    .destroy = file_sink_destroy,
};

EDDY_PLUGIN_DEFINE(file_sink_plugin)
