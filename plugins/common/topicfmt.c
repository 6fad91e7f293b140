/* topicfmt.c: key and value serdes of a topic from a topic plugin's config. */
#include "topicfmt.h"

#include <stdio.h>

#include "putil.h"

static int one(const eddy_host_api *api, eddy_op *op, const eddy_schema *schema,
               eddy_serde_part part, eddy_serde **out, char *errstr, size_t errstr_size)
{
    bool key = part == EDDY_SERDE_KEY;
    const char *fmt_key = key ? "key_format" : "value_format";
    const char *delim_key = key ? "key_delimiter" : "value_delimiter";
    const char *props[8];
    int n = 0;
    if (api->config_has(op, delim_key)) {
        props[n++] = "delimiter";
        props[n++] = api->config_str(op, delim_key);
    }
    if (!key && api->config_has(op, "wrap_single_value")) {
        props[n++] = "wrap_single_value";
        props[n++] = api->config_bool(op, "wrap_single_value") ? "true" : "false";
    }
    props[n] = NULL;
    char why[EDDY_ERRSTR_SIZE] = "";
    int rc = api->serde_new(op, api->config_str(op, fmt_key), schema, part, props, out, why,
                            sizeof why);
    if (rc)
        return pu_err(errstr, errstr_size, rc, "config '%s': %s", fmt_key, why);
    return 0;
}

int topicfmt_serdes(const eddy_host_api *api, eddy_op *op, const eddy_schema *schema,
                    eddy_serde **key, eddy_serde **value, char *errstr, size_t errstr_size)
{
    *key = *value = NULL;
    int rc = one(api, op, schema, EDDY_SERDE_KEY, key, errstr, errstr_size);
    if (rc == 0)
        rc = one(api, op, schema, EDDY_SERDE_VALUE, value, errstr, errstr_size);
    if (rc) {
        api->serde_destroy(*key);
        *key = NULL;
    }
    return rc;
}

int topicfmt_declare(const eddy_host_api *api, eddy_op *op, bool output, char *errstr,
                     size_t errstr_size)
{
    eddy_topic_decl d = {.size = sizeof d, .output = output};
    d.partitions = (int32_t)api->config_int(op, "partitions");
    d.replicas = (int16_t)api->config_int(op, "replicas");
    if (d.partitions < 0 || d.replicas < 0)
        return pu_err(errstr, errstr_size, EDDY_EINVAL,
                      "config 'partitions' and 'replicas' cannot be negative");
    const char *w = api->config_has(op, "window_type") ? api->config_str(op, "window_type") : NULL;
    if (w)
        d.window = w[0] == 'S' ? EDDY_TOPIC_SESSION_WINDOWED : EDDY_TOPIC_TIME_WINDOWED;
    d.window_size_ms = api->config_int(op, "window_size_ms");
    char why[EDDY_ERRSTR_SIZE] = "";
    int rc = api->topic_declare(op, api->config_str(op, "topic"), &d, why, sizeof why);
    if (rc)
        return pu_err(errstr, errstr_size, rc, "config 'topic': %s", why);
    return 0;
}
