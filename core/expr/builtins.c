/* builtins.c: registers the C built-in functions (builtins_*.c) into a registry. */
#include "expr/builtins.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>

int eddy_func_fail(eddy_func_ctx *ctx, const char *fmt, ...)
{
    if (ctx->errstr && ctx->errstr_size) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(ctx->errstr, ctx->errstr_size, fmt, ap);
        va_end(ap);
    }
    return EDDY_EFUNC;
}

int eddy_builtins_register(eddy_registry *r)
{
    int rc = eddy_builtins_string_register(r);
    if (!rc)
        rc = eddy_builtins_math_register(r);
    if (!rc)
        rc = eddy_builtins_null_register(r);
    if (!rc)
        rc = eddy_builtins_time_register(r);
    if (!rc)
        rc = eddy_builtins_collection_register(r);
    if (!rc)
        rc = eddy_builtins_json_register(r);
    if (!rc)
        rc = eddy_builtins_misc_register(r);
    rc = rc ? rc : eddy_builtins_agg_register(r); /* aggregates: builtins_agg.c */
    rc = rc ? rc : eddy_builtins_table_register(r); /* table functions: builtins_table.c */
    return rc;
}

/* ------------------------------------------------------ thread-local memory */

#define MAX_THREAD_RELEASES 8

static pthread_key_t release_key;
static pthread_once_t release_once = PTHREAD_ONCE_INIT;
static _Thread_local void (*releases[MAX_THREAD_RELEASES])(void);
static _Thread_local int nreleases;

static void run_releases(void *unused)
{
    (void)unused;
    for (int i = nreleases; i-- > 0;)
        releases[i]();
    nreleases = 0;
}

static void release_key_init(void)
{
    pthread_key_create(&release_key, run_releases);
}

void eddy_builtins_at_thread_exit(void (*release)(void))
{
    for (int i = 0; i < nreleases; i++)
        if (releases[i] == release)
            return;
    pthread_once(&release_once, release_key_init);
    if (nreleases < MAX_THREAD_RELEASES)
        releases[nreleases++] = release;
    pthread_setspecific(release_key, &nreleases); /* any non-NULL value arms the destructor */
}

int eddy_builtins_string_result(eddy_func_ctx *ctx, const eddy_buf *b, eddy_value *out)
{
    char *p = eddy_arena_strndup(ctx->arena, b->data ? b->data : "", b->len);
    if (!p)
        return eddy_func_fail(ctx, "out of memory");
    *out = eddy_string(p, (uint32_t)b->len);
    return 0;
}

static locale_t utf8_locale;
static pthread_once_t utf8_once = PTHREAD_ONCE_INIT;

static void utf8_locale_init(void)
{
    utf8_locale = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
}

locale_t eddy_builtins_utf8_locale(void)
{
    pthread_once(&utf8_once, utf8_locale_init);
    return utf8_locale;
}
