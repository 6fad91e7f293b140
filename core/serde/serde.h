/* serde.h: record formats (JSON, KAFKA, DELIMITED, NONE) for keys and values, as ksqlDB
 * serializes them (see ../../shared/ksqldb-docs/reference/serialization.md). */
#ifndef EDDY_SERDE_H
#define EDDY_SERDE_H

#include "eddy/common.h"
#include "eddy/record.h"
#include "eddy/plugin.h" /* eddy_serde, eddy_serde_part */

/* Options of a serde; zero-initialise, then set. */
typedef struct eddy_serde_opts {
    const char *format;      /* "JSON", "KAFKA", "DELIMITED", "NONE" (case-insensitive) */
    int wrap_single;         /* -1: the default (values wrapped, keys unwrapped); 0/1 */
    char delimiter;          /* DELIMITED: 0 means ',' ; ksqlDB's names TAB, SPACE allowed
                                in eddy_serde_opts_set */
} eddy_serde_opts;

/* Sets an option from text: "wrap_single_value" true|false, "delimiter" (one character,
 * or TAB, SPACE, COMMA, PIPE...). EDDY_EINVAL with a message for an unknown key or value. */
int eddy_serde_opts_set(eddy_serde_opts *o, const char *key, const char *value,
                        char *errstr, size_t errstr_size);

/* Creates a serde for the `part` columns of `schema` (retained). Refuses (EDDY_EINVAL, with
 * ksqlDB's message) combinations the format cannot carry: KAFKA with more than one column or
 * a non-primitive type, NONE with any column, DELIMITED with ARRAY/MAP/STRUCT, an unwrapped
 * single value with several columns. */
int eddy_serde_new(const eddy_serde_opts *opts, const eddy_schema *schema,
                   eddy_serde_part part, eddy_serde **out, char *errstr, size_t errstr_size);
void eddy_serde_destroy(eddy_serde *s); /* accepts NULL */
const char *eddy_serde_format_name(const eddy_serde *s);

/* EDDY_SERDE_NULL (plugin.h) is returned, a positive value and not an error, by
 * eddy_serde_encode when the encoding is a Kafka null rather than bytes: a tombstone
 * (EDDY_REC_TOMBSTONE) for the value part, an unwrapped single column that is NULL, a key
 * whose columns are all NULL, a part with no column (NONE, keyless streams). Nothing is
 * appended to `out` then. */

/* Decodes `len` bytes into the part's columns of rec->cols. Strings may point into `buf`
 * (when no unescaping was needed): `buf` must outlive the record. Other memory comes from
 * `arena`. A missing JSON field is NULL; field names match case-insensitively (first match);
 * numbers and strings coerce as ksqlDB's JSON deserializer does. `buf` NULL is a Kafka null:
 * the part's columns become NULL and, for the value part (or ALL), EDDY_REC_TOMBSTONE is set
 * (a JSON value `null` does the same); a successful non-null value decode clears that flag.
 * Also sets rec->raw_key / raw_value (for the processing log) to `buf`.
 * Returns 0, or EDDY_EPARSE (malformed bytes) / EDDY_ETYPE (a field of the wrong type) /
 * EDDY_ERANGE (a number that does not fit) with the reason in errstr, naming the column. */
int eddy_serde_decode(const eddy_serde *s, const uint8_t *buf, size_t len, eddy_record *rec,
                      eddy_arena *arena, char *errstr, size_t errstr_size);
/* Appends the encoding of the part's columns of `rec` to `out`. Returns 0, EDDY_SERDE_NULL
 * (see above; nothing appended), or a negative code with the reason in errstr (nothing
 * appended either). */
int eddy_serde_encode(const eddy_serde *s, const eddy_record *rec, eddy_buf *out,
                      char *errstr, size_t errstr_size);

#endif
