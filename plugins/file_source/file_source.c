/* file_source.c: reads records from a file of lines (JSON or DELIMITED), optionally following
 * it like `tail -F`. The reading and decoding live in ../common/lines.c. */
#include "eddy/plugin.h"
#include "../common/lines.h"
#include "../common/putil.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

EDDY_PLUGIN_API;

static const eddy_config_prop file_source_config[] = {
    {"path", EDDY_CONF_STRING, NULL, EDDY_CONF_REQUIRED, NULL,
     "The file to read; relative paths start from the pipeline file's directory."},
    LINES_CONFIG_PROPS,
    {"follow", EDDY_CONF_BOOL, "false", 0, NULL,
     "At EOF wait for more lines, like `tail -F`: notice truncation and rotation (a new file "
     "at the path), wait for a missing file to appear. Also on when eddy runs with --follow."},
    {NULL, 0, NULL, 0, NULL, NULL}};

static bool following(eddy_op *op)
{
    return eddy_api->config_bool(op, "follow") || eddy_api->follow(op);
}

static int file_source_plan(eddy_op *op, char *errstr, size_t errstr_size)
{
    if (!eddy_api->config_str(op, "path")[0])
        return pu_err(errstr, errstr_size, EDDY_EINVAL, "config 'path': must not be empty");
    return lines_plan(eddy_api, op, errstr, errstr_size);
}

static int file_source_create(eddy_op *op, void **state, char *errstr, size_t errstr_size)
{
    char *path = pu_resolve_path(eddy_api, op, eddy_api->config_str(op, "path"));
    if (!path)
        return pu_err(errstr, errstr_size, EDDY_ENOMEM, "out of memory");
    bool follow = following(op);
    int fd = -1;
    /* A file is one partition: only the task handling partition 0 (or none) reads it. */
    bool reader = eddy_api->task_partition(op) <= 0;
    if (reader) {
        fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0 && !(follow && errno == ENOENT)) {
            int e = errno;
            free(path);
            return pu_err(errstr, errstr_size, e == ENOENT ? EDDY_ENOTFOUND : EDDY_EIO,
                          "config 'path': cannot open '%s': %s",
                          eddy_api->config_str(op, "path"), strerror(e));
        }
    }
    lines_src *s = NULL;
    int rc = lines_create(eddy_api, op, path, fd, reader ? path : NULL, reader && follow, &s,
                          errstr, errstr_size);
    free(path);
    if (rc) {
        if (fd >= 0)
            close(fd);
        return rc;
    }
    *state = s;
    return 0;
}

static int file_source_poll(eddy_op *op, void *state, int max_records)
{
    return lines_poll(state, max_records);
}

static void file_source_destroy(eddy_op *op, void *state)
{
    lines_destroy(state);
}

static const eddy_plugin file_source_plugin = {
    .abi_version = EDDY_PLUGIN_ABI_VERSION,
    .size = sizeof(eddy_plugin),
    .name = "file_source",
    .description = "Reads records from a file, one per line (JSON or DELIMITED); can follow "
                   "the file like tail -F.",
    .version = "1.0.0",
    .kind = EDDY_PLUGIN_SOURCE,
    .min_inputs = 0,
    .max_inputs = 0,
    .config = file_source_config,
    .plan = file_source_plan,
    .create = file_source_create,
    .poll = file_source_poll,
    .destroy = file_source_destroy,
};

EDDY_PLUGIN_DEFINE(file_source_plugin)
