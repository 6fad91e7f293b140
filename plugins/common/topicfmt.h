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
         "Whether a value of one column is wrapped in an object/record (default: wrapped)."},  \
        {"partitions", EDDY_CONF_INT, NULL, 0, NULL,                                           \
         "Kafka: create the topic with this many partitions when it is missing."},            \
        {"replicas", EDDY_CONF_INT, NULL, 0, NULL,                                             \
         "Kafka: the replication factor of a topic created (default replication.factor)."},    \
        {"window_type", EDDY_CONF_ENUM, NULL, 0, "TUMBLING|HOPPING|SESSION",                   \
         "Windowed keys: how the window is laid out in the key bytes (ksqlDB's)."},            \
        {"window_size_ms", EDDY_CONF_INT, NULL, 0, NULL,                                       \
         "TUMBLING and HOPPING inputs: the window size, which gives WINDOWEND."}

/* Declares the node's topic to the host (api->topic_declare) from the config: `output` for a
 * sink. */
int topicfmt_declare(const eddy_host_api *api, eddy_op *op, bool output, char *errstr,
                     size_t errstr_size);

/* Creates the key and value serdes of `schema` from the node's config. Errors name the
 * config key. The caller destroys both with api->serde_destroy. */
int topicfmt_serdes(const eddy_host_api *api, eddy_op *op, const eddy_schema *schema,
                    eddy_serde **key, eddy_serde **value, char *errstr, size_t errstr_size);

#endif
