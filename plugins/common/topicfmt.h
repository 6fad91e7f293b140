/* topicfmt.h: the key and value formats of a topic, as the topic source and sink plugins
 * configure them (ksqlDB's KEY_FORMAT, VALUE_FORMAT, KEY_DELIMITER, VALUE_DELIMITER,
 * WRAP_SINGLE_VALUE). */
#ifndef EDDY_PLUGINS_TOPICFMT_H
#define EDDY_PLUGINS_TOPICFMT_H

#include "eddy/plugin.h"

/* The config rows both plugins declare (paste into their tables). */
#define TOPICFMT_CONFIG_ROWS                                                                  \
    {"topic", EDDY_CONF_STRING, NULL, EDDY_CONF_REQUIRED, NULL, "The topic's name."},          \
        {"key_format", EDDY_CONF_ENUM, "KAFKA", 0, "KAFKA|JSON|DELIMITED|NONE",                \
         "Format of the record key (the KEY columns)."},                                       \
        {"value_format", EDDY_CONF_ENUM, "JSON", 0, "JSON|KAFKA|DELIMITED|NONE",               \
         "Format of the record value (the other columns)."},                                   \
        {"key_delimiter", EDDY_CONF_STRING, NULL, 0, NULL,                                     \
         "DELIMITED keys: the delimiter (one character, or TAB, SPACE...)."},                  \
        {"value_delimiter", EDDY_CONF_STRING, NULL, 0, NULL,                                   \
         "DELIMITED values: the delimiter (one character, or TAB, SPACE...)."},                \
        {"wrap_single_value", EDDY_CONF_BOOL, NULL, 0, NULL,                                   \
         "Whether a value of one column is wrapped in an object/record (default: wrapped)."}

/* Creates the key and value serdes of `schema` from the node's config. Errors name the
 * config key. The caller destroys both with api->serde_destroy. */
int topicfmt_serdes(const eddy_host_api *api, eddy_op *op, const eddy_schema *schema,
                    eddy_serde **key, eddy_serde **value, char *errstr, size_t errstr_size);

#endif
