/* arena.c: the chunked bump allocator batches own, byte buffers and base64. */
#include "eddy/arena.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct chunk {
    struct chunk *next;
    size_t size, used;
    _Alignas(16) unsigned char data[];
} chunk;

struct eddy_arena {
    chunk *head;      /* chunk being filled */
    chunk *full;      /* chunks filled since the last reset */
    chunk *spare;     /* chunks kept for reuse after a reset */
    size_t chunk_size;
    size_t used;
};

/* Chunks kept after a reset, beyond which they go back to malloc. */
#define SPARE_MAX 8

eddy_arena *eddy_arena_new(size_t chunk_size)
{
    eddy_arena *a = calloc(1, sizeof *a);
    if (!a)
        return NULL;
    a->chunk_size = chunk_size ? chunk_size : 64 * 1024;
    return a;
}

static void free_chain(chunk *c)
{
    while (c) {
        chunk *n = c->next;
        free(c);
        c = n;
    }
}

void eddy_arena_destroy(eddy_arena *a)
{
    if (!a)
        return;
    free_chain(a->head);
    free_chain(a->full);
    free_chain(a->spare);
    free(a);
}

static chunk *chunk_get(eddy_arena *a, size_t need)
{
    if (need <= a->chunk_size && a->spare) {
        chunk *c = a->spare;
        a->spare = c->next;
        c->used = 0;
        return c;
    }
    size_t size = need > a->chunk_size ? need : a->chunk_size;
    chunk *c = malloc(sizeof *c + size);
    if (!c)
        return NULL;
    c->size = size;
    c->used = 0;
    return c;
}

void *eddy_arena_alloc(eddy_arena *a, size_t size)
{
    size = (size + 15) & ~(size_t)15;
    if (size == 0)
        size = 16;
    chunk *h = a->head;
    if (!h || h->size - h->used < size) {
        chunk *c = chunk_get(a, size);
        if (!c)
            return NULL;
        if (h && size > a->chunk_size / 4) {
            /* A big block gets its own chunk; keep filling the current one. */
            c->next = a->full;
            a->full = c;
            c->used = size;
            a->used += size;
            return c->data;
        }
        if (h) {
            h->next = a->full;
            a->full = h;
        }
        c->next = NULL;
        a->head = h = c;
    }
    void *p = h->data + h->used;
    h->used += size;
    a->used += size;
    return p;
}

void *eddy_arena_calloc(eddy_arena *a, size_t n, size_t size)
{
    if (size && n > SIZE_MAX / size)
        return NULL;
    void *p = eddy_arena_alloc(a, n * size);
    if (p)
        memset(p, 0, n * size);
    return p;
}

char *eddy_arena_strndup(eddy_arena *a, const char *s, size_t len)
{
    char *p = eddy_arena_alloc(a, len + 1);
    if (!p)
        return NULL;
    if (len)
        memcpy(p, s, len);
    p[len] = '\0';
    return p;
}

void eddy_arena_reset(eddy_arena *a)
{
    int kept = 0;
    for (chunk *c = a->spare; c; c = c->next)
        kept++;
    chunk *lists[2] = {a->head, a->full};
    for (int i = 0; i < 2; i++) {
        chunk *c = lists[i];
        while (c) {
            chunk *n = c->next;
            if (c->size == a->chunk_size && kept < SPARE_MAX) {
                c->next = a->spare;
                a->spare = c;
                kept++;
            } else {
                free(c);
            }
            c = n;
        }
    }
    a->head = a->full = NULL;
    a->used = 0;
}

size_t eddy_arena_used(const eddy_arena *a)
{
    return a->used;
}

/* ----------------------------------------------------------------- buf */

void eddy_buf_init(eddy_buf *b)
{
    b->data = NULL;
    b->len = b->cap = 0;
}

void eddy_buf_free(eddy_buf *b)
{
    if (!b)
        return;
    free(b->data);
    eddy_buf_init(b);
}

int eddy_buf_reserve(eddy_buf *b, size_t extra)
{
    if (b->cap - b->len > extra)
        return 0;
    size_t cap = b->cap ? b->cap : 256;
    while (cap - b->len <= extra)
        cap *= 2;
    char *p = realloc(b->data, cap);
    if (!p)
        return EDDY_ENOMEM;
    b->data = p;
    b->cap = cap;
    return 0;
}

int eddy_buf_append(eddy_buf *b, const void *p, size_t n)
{
    if (eddy_buf_reserve(b, n))
        return EDDY_ENOMEM;
    if (n)
        memcpy(b->data + b->len, p, n);
    b->len += n;
    return 0;
}

int eddy_buf_putc(eddy_buf *b, char c)
{
    if (b->cap - b->len <= 1 && eddy_buf_reserve(b, 1))
        return EDDY_ENOMEM;
    b->data[b->len++] = c;
    return 0;
}

int eddy_buf_puts(eddy_buf *b, const char *s)
{
    return eddy_buf_append(b, s, strlen(s));
}

int eddy_buf_printf(eddy_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return EDDY_EINVAL;
    if (eddy_buf_reserve(b, (size_t)n + 1))
        return EDDY_ENOMEM;
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
    return 0;
}

const char *eddy_buf_cstr(eddy_buf *b)
{
    if (eddy_buf_reserve(b, 1))
        return "";
    b->data[b->len] = '\0';
    return b->data;
}

/* -------------------------------------------------------------- base64 */

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int eddy_base64_encode(eddy_buf *out, const void *p, size_t n)
{
    const unsigned char *s = p;
    if (eddy_buf_reserve(out, (n + 2) / 3 * 4 + 1))
        return EDDY_ENOMEM;
    char *d = out->data + out->len;
    size_t i = 0;
    for (; i + 2 < n; i += 3) {
        uint32_t v = (uint32_t)s[i] << 16 | (uint32_t)s[i + 1] << 8 | s[i + 2];
        *d++ = b64[v >> 18];
        *d++ = b64[(v >> 12) & 63];
        *d++ = b64[(v >> 6) & 63];
        *d++ = b64[v & 63];
    }
    if (i < n) {
        uint32_t v = (uint32_t)s[i] << 16 | (i + 1 < n ? (uint32_t)s[i + 1] << 8 : 0);
        *d++ = b64[v >> 18];
        *d++ = b64[(v >> 12) & 63];
        *d++ = i + 1 < n ? b64[(v >> 6) & 63] : '=';
        *d++ = '=';
    }
    out->len = (size_t)(d - out->data);
    return 0;
}

static int b64val(unsigned char c)
{
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+' || c == '-') return 62;
    if (c == '/' || c == '_') return 63;
    return -1;
}

int eddy_base64_decode(eddy_arena *arena, const char *s, size_t n, uint8_t **out, size_t *outlen)
{
    while (n && s[n - 1] == '=')
        n--;
    if (n % 4 == 1)
        return EDDY_EPARSE;
    uint8_t *d = eddy_arena_alloc(arena, n / 4 * 3 + 3);
    if (!d)
        return EDDY_ENOMEM;
    size_t o = 0;
    uint32_t acc = 0;
    int bits = 0;
    for (size_t i = 0; i < n; i++) {
        int v = b64val((unsigned char)s[i]);
        if (v < 0)
            return EDDY_EPARSE;
        acc = acc << 6 | (uint32_t)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            d[o++] = (uint8_t)(acc >> bits);
        }
    }
    *out = d;
    *outlen = o;
    return 0;
}
