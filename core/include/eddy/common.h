/* common.h: error codes, visibility and small conventions shared by every eddy header. */
#ifndef EDDY_COMMON_H
#define EDDY_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Error convention (librdkafka's): a function that can fail returns int, 0 on success or a
 * negative EDDY_E* code, and at setup time fills a caller-owned `errstr` of `errstr_size`
 * bytes with where and why ("pipelines/x.json: node 'poor': config 'where': ...").
 * Per-record errors carry a code; eddy_error_is_retriable() tells whether retrying may help. */
enum {
    EDDY_OK = 0,
    EDDY_EINVAL = -1,    /* bad argument, configuration or definition */
    EDDY_ENOMEM = -2,    /* allocation failed */
    EDDY_EIO = -3,       /* I/O error (file, socket) */
    EDDY_EPARSE = -4,    /* malformed input (bytes, JSON, SQL, expression) */
    EDDY_ETYPE = -5,     /* wrong type (value does not match the declared type) */
    EDDY_ENOTFOUND = -6, /* unknown name: column, function, operator, file */
    EDDY_EABI = -7,      /* plugin ABI mismatch */
    EDDY_EEXIST = -8,    /* duplicate name */
    EDDY_ERANGE = -9,    /* value out of range, overflow */
    EDDY_EFUNC = -10,    /* a function (built-in or UDF) failed on this record */
    EDDY_EAGAIN = -11,   /* temporary condition: retry later */
    EDDY_EOF = -12,      /* end of input (a source has no more data) */
    EDDY_ESTATE = -13,   /* call not valid in the current state */
    EDDY_EINTERNAL = -14 /* bug: an invariant does not hold */
};

/* Short symbolic name of a code ("EPARSE"); never NULL. */
const char *eddy_err_name(int code);
/* Human description of a code ("malformed input"); never NULL. */
const char *eddy_strerror(int code);
/* True when the condition is temporary (EAGAIN, EIO): the runtime may retry instead of
 * sending the record to the processing log. */
bool eddy_error_is_retriable(int code);

/* Formats into errstr (may be NULL or size 0) and returns `code`, so callers can write
 * `return eddy_seterr(errstr, n, EDDY_EINVAL, "node '%s': ...", id);`. */
int eddy_seterr(char *errstr, size_t errstr_size, int code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

#define EDDY_ERRSTR_SIZE 512

/* Milliseconds since the Unix epoch (wall clock). */
int64_t eddy_now_ms(void);
/* Monotonic clock in nanoseconds, for measuring durations. */
int64_t eddy_mono_ns(void);

#ifdef __cplusplus
}
#endif
#endif
