/* catalog.h: the metastore: the streams and tables SQL statements declare or create, with
 * their schemas, topics and formats. */
#ifndef EDDY_CATALOG_H
#define EDDY_CATALOG_H

#include "eddy/record.h"

typedef enum eddy_source_kind {
    EDDY_SOURCE_STREAM = 1,
    EDDY_SOURCE_TABLE = 2
} eddy_source_kind;

/* A stream or table. Strings are owned by the catalog entry. */
typedef struct eddy_source {
    char *name;              /* as resolved: unquoted SQL names are upper case */
    eddy_source_kind kind;
    eddy_schema *schema;     /* key columns first (retained) */
    char *topic;
    char *key_format;        /* upper case: KAFKA, JSON, DELIMITED, NONE */
    char *value_format;
    char *key_delimiter;     /* NULL: the format's default */
    char *value_delimiter;
    int wrap_single;         /* -1: default; 0/1: WRAP_SINGLE_VALUE */
    char *timestamp;         /* TIMESTAMP column, or NULL (the record's timestamp) */
    char *timestamp_format;
    bool read_only;          /* CREATE SOURCE ... */
    char *query_id;          /* the query that writes it (CREATE ... AS SELECT), or NULL */
    char *window_type;       /* windowed key: TUMBLING, HOPPING or SESSION; NULL if not */
    int64_t window_size_ms;  /* TUMBLING, HOPPING: the window size (0: unknown) */
    int partitions, replicas; /* WITH (PARTITIONS, REPLICAS): Kafka topic creation; 0 unset */
} eddy_source;

typedef struct eddy_catalog eddy_catalog;

eddy_catalog *eddy_catalog_new(void);
void eddy_catalog_destroy(eddy_catalog *c); /* accepts NULL */
/* Takes ownership of `s` (a malloc'ed entry whose strings are malloc'ed) on success;
 * EDDY_EEXIST when the name is taken (then `s` stays the caller's). */
int eddy_catalog_add(eddy_catalog *c, eddy_source *s);
eddy_source *eddy_catalog_find(const eddy_catalog *c, const char *name);
/* The first source declared on `topic`, or NULL. */
eddy_source *eddy_catalog_find_topic(const eddy_catalog *c, const char *topic);
/* Removes and frees the entry; EDDY_ENOTFOUND when absent. */
int eddy_catalog_remove(eddy_catalog *c, const char *name);
size_t eddy_catalog_count(const eddy_catalog *c);
eddy_source *eddy_catalog_get(const eddy_catalog *c, size_t i); /* in creation order */
void eddy_source_free(eddy_source *s); /* accepts NULL */

/* Appends the JSON array of sources as the qtt cases' post.sources list them:
 * {"name","type","schema","keyFormat","valueFormat","topic"}. */
int eddy_catalog_format_json(const eddy_catalog *c, eddy_buf *out);

#endif
