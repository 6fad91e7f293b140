/* arena.h: the bump allocator a batch owns, and a growable byte buffer for serializers. */
#ifndef EDDY_ARENA_H
#define EDDY_ARENA_H

#include "eddy/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* An arena hands out memory that lives until eddy_arena_reset() or eddy_arena_destroy():
 * nothing is freed one by one. Chunks are kept across resets, so a recycled arena does no
 * malloc in steady state. Not thread-safe: one owner at a time. */
typedef struct eddy_arena eddy_arena;

eddy_arena *eddy_arena_new(size_t chunk_size /* 0: 64 KiB */);
void eddy_arena_destroy(eddy_arena *a); /* accepts NULL */
/* 16-byte aligned, uninitialised; NULL only when memory is exhausted. */
void *eddy_arena_alloc(eddy_arena *a, size_t size);
void *eddy_arena_calloc(eddy_arena *a, size_t n, size_t size);
/* Copy of `len` bytes plus a NUL (so strings stay usable as C strings). */
char *eddy_arena_strndup(eddy_arena *a, const char *s, size_t len);
/* Forgets every allocation, keeps (up to a bound) the chunks for reuse. */
void eddy_arena_reset(eddy_arena *a);
/* Bytes handed out since the last reset. */
size_t eddy_arena_used(const eddy_arena *a);

/* A growable byte buffer (heap). Zero-initialise it (`eddy_buf b = {0};`) or use
 * eddy_buf_init; release with eddy_buf_free. The content is not NUL-terminated unless
 * eddy_buf_cstr() is called. Appends return 0 or EDDY_ENOMEM. */
typedef struct eddy_buf {
    char *data;
    size_t len, cap;
} eddy_buf;

void eddy_buf_init(eddy_buf *b);
void eddy_buf_free(eddy_buf *b); /* accepts NULL; leaves b empty and reusable */
int eddy_buf_reserve(eddy_buf *b, size_t extra); /* room for `extra` more bytes */
int eddy_buf_append(eddy_buf *b, const void *p, size_t n);
int eddy_buf_putc(eddy_buf *b, char c);
int eddy_buf_puts(eddy_buf *b, const char *s);
int eddy_buf_printf(eddy_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
const char *eddy_buf_cstr(eddy_buf *b); /* NUL-terminates (not counted in len) */
static inline void eddy_buf_clear(eddy_buf *b) { b->len = 0; }

/* Base64 (RFC 4648, with padding), for BYTES and the processing log's raw record. */
int eddy_base64_encode(eddy_buf *out, const void *p, size_t n);
/* Decodes into `arena`; EDDY_EPARSE on bad input. */
int eddy_base64_decode(eddy_arena *arena, const char *s, size_t n, uint8_t **out, size_t *outlen);

#ifdef __cplusplus
}
#endif
#endif
