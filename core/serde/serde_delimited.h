/* serde_delimited.h: ksqlDB's DELIMITED format for serde/ (internal): one CSV record as
 * Apache commons-csv reads and prints it (RFC 4180 quoting, MINIMAL quote mode). */
#ifndef EDDY_SERDE_DELIMITED_H
#define EDDY_SERDE_DELIMITED_H

#include "serde_util.h"

/* Why the part's columns cannot be carried (ksqlDB's reason text), or 0 when they can. */
int eddy_serde_delimited_check(const eddy_serde *s, char *reason, size_t reason_size);
int eddy_serde_delimited_decode(const eddy_serde *s, const uint8_t *buf, size_t len,
                                eddy_record *rec, eddy_arena *arena, char *errstr,
                                size_t errstr_size);
int eddy_serde_delimited_encode(const eddy_serde *s, const eddy_record *rec, eddy_buf *out,
                                char *errstr, size_t errstr_size);

#endif
