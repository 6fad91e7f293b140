/* serde_json.h: ksqlDB's JSON format for serde/ (internal): a schema-driven reader that
 * builds no document tree and a writer, both without malloc per record. */
#ifndef EDDY_SERDE_JSON_H
#define EDDY_SERDE_JSON_H

#include "serde_util.h"

/* Checks the part's types (MAP keys must be STRING) and builds the reading plan (field
 * name tables) and the writer's "\"NAME\":" prefixes in s->mem. */
int eddy_serde_json_init(eddy_serde *s, char *errstr, size_t errstr_size);

/* Decodes a JSON document into the part's columns. Returns 0, EDDY_SERDE_NULL when the
 * document is the JSON `null` (the columns are set NULL), or an error with errstr set. */
int eddy_serde_json_decode(const eddy_serde *s, const uint8_t *buf, size_t len,
                           eddy_record *rec, eddy_arena *arena, char *errstr,
                           size_t errstr_size);

/* Appends the part's columns of rec as JSON. Returns 0, EDDY_SERDE_NULL (an unwrapped NULL:
 * nothing appended) or an error (nothing appended). */
int eddy_serde_json_encode(const eddy_serde *s, const eddy_record *rec, eddy_buf *out,
                           char *errstr, size_t errstr_size);

/* Appends `v`, of type `t`, as ksqlDB's JSON serializer writes it (DECIMAL at the scale of
 * `t`, DOUBLE as Java prints it, NaN/Infinity as strings, TIMESTAMP/TIME/DATE as numbers,
 * BYTES as base64). `what` names the value in errstr. 0 or an error. */
int eddy_serde_json_write_value(eddy_buf *out, const eddy_type *t, const eddy_value *v,
                                const char *what, char *errstr, size_t errstr_size);

#endif
