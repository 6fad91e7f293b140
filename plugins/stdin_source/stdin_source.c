/* stdin_source.c: reads records from standard input, one per line (JSON or DELIMITED). The
 * reading and decoding live in ../common/lines.c, shared with file_source. */
#include "eddy/plugin.h"
#include "../common/lines.h"
#include "../common/putil.h"

#include <stdlib.h>
#include <unistd.h>

EDDY_PLUGIN_API;

static const eddy_config_prop stdin_source_config[] = {
    LINES_CONFIG_PROPS,
    {NULL, 0, NULL, 0, NULL, NULL}};

/* Standard input can be read once per process: the first task to create the source reads
 * it, any other copy is empty. */
static int stdin_claimed;

typedef struct stdin_state {
    lines_src *lines;
    bool reader; /* holds the claim */
} stdin_state;

static int stdin_source_plan(eddy_op *op, char *errstr, size_t errstr_size)
{
    return lines_plan(eddy_api, op, errstr, errstr_size);
}

static int stdin_source_create(eddy_op *op, void **state, char *errstr, size_t errstr_size)
{
    bool reader = eddy_api->task_partition(op) <= 0 &&
                  !__atomic_exchange_n(&stdin_claimed, 1, __ATOMIC_ACQ_REL);
    if (!reader)
        eddy_api->log(op, EDDY_LOG_DEBUG, "standard input is read by another task");
    stdin_state *st = calloc(1, sizeof *st);
    int rc = st ? lines_create(eddy_api, op, "stdin", reader ? STDIN_FILENO : -1, NULL, false,
                               &st->lines, errstr, errstr_size)
                : pu_err(errstr, errstr_size, EDDY_ENOMEM, "out of memory");
    if (rc) {
        if (reader)
            __atomic_store_n(&stdin_claimed, 0, __ATOMIC_RELEASE);
        free(st);
        return rc;
    }
    st->reader = reader;
    *state = st;
    return 0;
}

static int stdin_source_poll(eddy_op *op, void *state, int max_records)
{
    stdin_state *st = state;
    return lines_poll(st->lines, max_records);
}

static void stdin_source_destroy(eddy_op *op, void *state)
{
    stdin_state *st = state;
    if (!st)
        return;
    lines_destroy(st->lines);
    if (st->reader)
        __atomic_store_n(&stdin_claimed, 0, __ATOMIC_RELEASE);
    free(st);
}

static const eddy_plugin stdin_source_plugin = {
    .abi_version = EDDY_PLUGIN_ABI_VERSION,
    .size = sizeof(eddy_plugin),
    .name = "stdin_source",
    .description = "Reads records from standard input, one per line (JSON or DELIMITED).",
    .version = "1.0.0",
    .kind = EDDY_PLUGIN_SOURCE,
    .min_inputs = 0,
    .max_inputs = 0,
    .config = stdin_source_config,
    .plan = stdin_source_plan,
    .create = stdin_source_create,
    .poll = stdin_source_poll,
    .destroy = stdin_source_destroy,
};

EDDY_PLUGIN_DEFINE(stdin_source_plugin)
