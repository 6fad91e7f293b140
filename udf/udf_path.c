/* udf_path.c: loads Lua UDF files from the shipped directory, EDDY_UDF_PATH and --udf-path into
 * the default registry through forwarding overloads, reloads changed files, lists functions.
 *
 * Why forwarding (see udf_path.h): expressions hold the registry overload they were bound to;
 * ours carry a `cell` holding every version of its target, each tagged with the generation
 * that published it (udf.h: reload safe points), so a running pipeline switches, and each
 * worker switches between two batches. Cells, versions and the private registry's overloads
 * are never freed: a worker may sit at an old generation until its next batch, and bound
 * expressions keep their cell for good. */
#include "udf_path.h"
#include "lua_udf.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#ifndef EDDY_SOURCE_UDF_DIR
#define EDDY_SOURCE_UDF_DIR ""
#endif
#ifndef EDDY_BUILD_DIR
#define EDDY_BUILD_DIR ""
#endif
#ifndef EDDY_INSTALL_UDF_DIR
#define EDDY_INSTALL_UDF_DIR "/usr/local/share/eddy/udf"
#endif

/* One version of a forwarding target: the private registry's overload published in `gen`. */
typedef struct version {
    const eddy_function *impl;
    uint64_t gen;
    const struct version *older;
} version;

/* One forwarding target: what a bound expression calls. */
typedef struct cell {
    char *name, *signature;
    eddy_func_kind kind;
    bool calls_on_null, undo, merge;
    const version *v;  /* newest first; a new head is stored atomically */
    struct cell *next; /* every cell */
} cell;

typedef struct ufile {
    char *path;
    int64_t mtime_ns; /* of the version last tried */
    int64_t size;
    bool tried;
    bool pending;     /* a change was seen; acted on when the next check sees it unchanged */
    int64_t pending_mtime_ns, pending_size;
    cell **cells; /* the current version's, as registered in the default registry */
    size_t ncells;
    cell **all;   /* every cell the file ever had: a declaration that comes back after a
                     version without it reconnects the expressions bound to it */
    size_t nall, capall;
} ufile;

typedef struct root {
    char *path;
    bool is_dir;
} root;

static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;
static eddy_registry *g_priv;
static cell *g_cells;
static ufile *g_files;
static size_t g_nfiles, g_capfiles;
static root *g_roots;
static size_t g_nroots, g_caproots;

static void report(eddy_udfs_report_fn fn, void *opaque, bool is_error, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void report(eddy_udfs_report_fn fn, void *opaque, bool is_error, const char *fmt, ...)
{
    char msg[EDDY_ERRSTR_SIZE * 2];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (fn)
        fn(is_error, msg, opaque);
}

/* ------------------------------------------------------------ shipped dir */

static char g_shipped[PATH_MAX];
static void shipped_init(void)
{
    char exe[PATH_MAX], real_build[PATH_MAX], real_exe_dir[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    snprintf(g_shipped, sizeof g_shipped, "%s", EDDY_INSTALL_UDF_DIR);
    if (n <= 0)
        return;
    exe[n] = '\0';
    char *slash = strrchr(exe, '/');
    if (!slash)
        return;
    *slash = '\0';
    /* Compiled-in paths, read through variables (clang flags constant operands of &&). */
    static const char build_dir[] = EDDY_BUILD_DIR, source_udf_dir[] = EDDY_SOURCE_UDF_DIR;
    if (build_dir[0] && source_udf_dir[0] && realpath(exe, real_exe_dir) &&
        realpath(build_dir, real_build) && strcmp(real_exe_dir, real_build) == 0) {
        snprintf(g_shipped, sizeof g_shipped, "%s", source_udf_dir);
        return;
    }
    char rel[PATH_MAX + 32];
    struct stat st;
    snprintf(rel, sizeof rel, "%s/../share/eddy/udf", exe);
    if (stat(rel, &st) == 0 && S_ISDIR(st.st_mode) && realpath(rel, real_exe_dir))
        snprintf(g_shipped, sizeof g_shipped, "%s", real_exe_dir);
}

const char *eddy_udfs_shipped_dir(void)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, shipped_init);
    return g_shipped;
}

/* ---------------------------------------------------------- forwarding */

/* The version the calling thread is at: the newest one not newer than its generation (a
 * version newer than every other is taken anyway: nothing older exists to call). */
static inline const eddy_function *target(const eddy_function *f)
{
    const cell *c = f->udata;
    const version *v = __atomic_load_n(&c->v, __ATOMIC_ACQUIRE);
    if (__builtin_expect(v->older != NULL, 0)) {
        uint64_t gen = eddy_func_generation();
        while (v->gen > gen && v->older)
            v = v->older;
    }
    return v->impl;
}

/* Makes `g` the newest version of `c`, tagged `gen`, in `v` (never freed). Only under
 * g_lock. */
static void cell_push(cell *c, version *v, const eddy_function *g, uint64_t gen)
{
    *v = (version){g, gen, c->v};
    __atomic_store_n(&c->v, v, __ATOMIC_RELEASE);
}

static int fw_scalar(eddy_func_ctx *ctx, const eddy_function *f, int argc, const eddy_value *argv,
                     eddy_value *out)
{
    const eddy_function *g = target(f);
    return g->scalar(ctx, g, argc, argv, out);
}

static int fw_table(eddy_func_ctx *ctx, const eddy_function *f, int argc, const eddy_value *argv,
                    eddy_value **rows, uint32_t *nrows)
{
    const eddy_function *g = target(f);
    return g->table(ctx, g, argc, argv, rows, nrows);
}

static int fw_init(eddy_func_ctx *ctx, const eddy_function *f, eddy_value *acc)
{
    const eddy_function *g = target(f);
    return g->aggregate.init(ctx, g, acc);
}

static int fw_add(eddy_func_ctx *ctx, const eddy_function *f, eddy_value *acc, int argc,
                  const eddy_value *argv)
{
    const eddy_function *g = target(f);
    return g->aggregate.add(ctx, g, acc, argc, argv);
}

static int fw_undo(eddy_func_ctx *ctx, const eddy_function *f, eddy_value *acc, int argc,
                   const eddy_value *argv)
{
    const eddy_function *g = target(f);
    return g->aggregate.undo(ctx, g, acc, argc, argv);
}

static int fw_merge(eddy_func_ctx *ctx, const eddy_function *f, eddy_value *acc,
                    const eddy_value *other)
{
    const eddy_function *g = target(f);
    return g->aggregate.merge(ctx, g, acc, other);
}

static int fw_result(eddy_func_ctx *ctx, const eddy_function *f, const eddy_value *acc,
                     eddy_value *out)
{
    const eddy_function *g = target(f);
    return g->aggregate.result(ctx, g, acc, out);
}

/* The forwarder of `c` as registered, described by `g` (the version it will call). */
static eddy_function fw_function(const cell *c, const eddy_function *g, const char *source)
{
    eddy_function fn = {.name = g->name, .kind = g->kind, .signature = g->signature,
                        .description = g->description, .source = source,
                        .calls_on_null = g->calls_on_null, .udata = (void *)c};
    if (g->kind == EDDY_FUNC_SCALAR) {
        fn.scalar = fw_scalar;
    } else if (g->kind == EDDY_FUNC_TABLE) {
        fn.table = fw_table;
    } else {
        fn.aggregate.init = fw_init;
        fn.aggregate.add = fw_add;
        fn.aggregate.undo = g->aggregate.undo ? fw_undo : NULL;
        fn.aggregate.merge = g->aggregate.merge ? fw_merge : NULL;
        fn.aggregate.result = fw_result;
    }
    return fn;
}

static bool cell_matches(const cell *c, const eddy_function *g)
{
    return c->kind == g->kind && c->calls_on_null == g->calls_on_null &&
           c->undo == (g->aggregate.undo != NULL) && c->merge == (g->aggregate.merge != NULL) &&
           strcasecmp(c->name, g->name) == 0 && strcmp(c->signature, g->signature) == 0;
}

static cell *cell_new(const eddy_function *g)
{
    cell *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->name = strdup(g->name);
    c->signature = strdup(g->signature ? g->signature : "");
    if (!c->name || !c->signature) {
        free(c->name);
        free(c->signature);
        free(c);
        return NULL;
    }
    c->kind = g->kind;
    c->calls_on_null = g->calls_on_null;
    c->undo = g->aggregate.undo != NULL;
    c->merge = g->aggregate.merge != NULL;
    version *v = malloc(sizeof *v);
    if (!v) {
        free(c->name);
        free(c->signature);
        free(c);
        return NULL;
    }
    cell_push(c, v, g, eddy_func_generation_published() + 1);
    c->next = g_cells;
    g_cells = c;
    return c;
}

typedef struct collect {
    const char *source;
    const eddy_function **v;
    size_t n, cap;
    bool nomem;
} collect;

static void collect_cb(const eddy_function *f, void *opaque)
{
    collect *c = opaque;
    if (!f->source || strcmp(f->source, c->source) != 0)
        return;
    if (c->n == c->cap) {
        size_t cap = c->cap ? 2 * c->cap : 8;
        const eddy_function **v = realloc(c->v, cap * sizeof *v);
        if (!v) {
            c->nomem = true;
            return;
        }
        c->v = v;
        c->cap = cap;
    }
    c->v[c->n++] = f;
}

/* Registers forwarders for the private registry's functions of `fe`, reusing the cells of
 * matching declarations. On a clash the previous forwarders are put back. */
static int publish(ufile *fe, char *errstr, size_t errstr_size)
{
    eddy_registry *def = eddy_registry_default();
    collect col = {.source = fe->path};
    eddy_registry_foreach(g_priv, collect_cb, &col);
    cell **cells = calloc(col.n + 1, sizeof *cells);
    const eddy_function **impl = calloc(col.n + 1, sizeof *impl);
    bool *used = calloc(fe->nall + col.n + 1, sizeof *used);
    version *vs = malloc((col.n + 1) * sizeof *vs); /* the new versions; kept when linked */
    bool vs_linked = false;
    int rc = 0;
    if (col.nomem || !cells || !impl || !used || !vs)
        rc = eddy_seterr(errstr, errstr_size, EDDY_ENOMEM, "%s: out of memory", fe->path);
    for (size_t i = 0; rc == 0 && i < col.n; i++) {
        const eddy_function *g = col.v[i];
        for (size_t k = 0; !cells[i] && k < fe->nall; k++)
            if (!used[k] && cell_matches(fe->all[k], g)) {
                used[k] = true;
                cells[i] = fe->all[k];
            }
        impl[i] = g;
        if (cells[i])
            continue;
        if (fe->nall == fe->capall) {
            size_t cap = fe->capall ? 2 * fe->capall : 8;
            cell **v = realloc(fe->all, cap * sizeof *v);
            if (v) {
                fe->all = v;
                fe->capall = cap;
            }
        }
        if (fe->nall == fe->capall || !(cells[i] = cell_new(g)))
            rc = eddy_seterr(errstr, errstr_size, EDDY_ENOMEM, "%s: out of memory", fe->path);
        else
            fe->all[fe->nall++] = cells[i];
    }
    if (rc == 0) {
        eddy_registry_remove_source(def, fe->path);
        for (size_t i = 0; rc == 0 && i < col.n; i++) {
            /* registered with the new description; the target swaps below, once all are in */
            eddy_function fn = fw_function(cells[i], impl[i], fe->path);
            char err[EDDY_ERRSTR_SIZE];
            int arc = eddy_registry_add(def, &fn, false, err, sizeof err);
            if (arc)
                rc = eddy_seterr(errstr, errstr_size, arc, "%s: %s", fe->path, err);
        }
        if (rc) {
            eddy_registry_remove_source(def, fe->path);
            for (size_t k = 0; k < fe->ncells; k++) {
                eddy_function fn = fw_function(fe->cells[k], fe->cells[k]->v->impl, fe->path);
                eddy_registry_add(def, &fn, false, NULL, 0);
            }
        }
    }
    if (rc == 0) {
        /* Every new version is linked under the next generation, then the generation is
         * published: a worker takes the whole file's new version at its next batch. */
        uint64_t gen = eddy_func_generation_published() + 1;
        for (size_t i = 0; i < col.n; i++)
            if (cells[i]->v->impl != impl[i]) {
                cell_push(cells[i], &vs[i], impl[i], gen);
                vs_linked = true;
            }
        eddy_func_generation_publish();
        free(fe->cells);
        fe->cells = cells;
        fe->ncells = col.n;
        cells = NULL;
    }
    free(cells);
    free(impl);
    free(used);
    if (!vs_linked)
        free(vs);
    free(col.v);
    return rc;
}

/* ---------------------------------------------------------------- loading */

static ufile *file_find(const char *path, bool create)
{
    for (size_t i = 0; i < g_nfiles; i++)
        if (strcmp(g_files[i].path, path) == 0)
            return &g_files[i];
    if (!create)
        return NULL;
    if (g_nfiles == g_capfiles) {
        size_t cap = g_capfiles ? 2 * g_capfiles : 16;
        ufile *v = realloc(g_files, cap * sizeof *v);
        if (!v)
            return NULL;
        g_files = v;
        g_capfiles = cap;
    }
    ufile *fe = &g_files[g_nfiles];
    memset(fe, 0, sizeof *fe);
    if (!(fe->path = strdup(path)))
        return NULL;
    g_nfiles++;
    return fe;
}

static int64_t mtime_ns(const struct stat *st)
{
    return (int64_t)st->st_mtim.tv_sec * 1000000000 + st->st_mtim.tv_nsec;
}

static void copy_cb(const eddy_function *f, void *opaque)
{
    eddy_registry_add(opaque, f, false, NULL, 0);
}

/* Loads (or reloads) one file. 1 loaded, 0 unchanged (when `only_changed`), < 0 failed. */
static int load_file(const char *path, bool only_changed, bool reload_notice,
                     eddy_udfs_report_fn rep, void *opaque)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        if (only_changed)
            return 0; /* gone: its functions stay */
        report(rep, opaque, true, "%s: %s", path, strerror(errno));
        return EDDY_ENOTFOUND;
    }
    ufile *fe = file_find(path, true);
    if (!fe) {
        report(rep, opaque, true, "%s: out of memory", path);
        return EDDY_ENOMEM;
    }
    if (fe->tried && fe->mtime_ns == mtime_ns(&st) && fe->size == (int64_t)st.st_size) {
        fe->pending = false;
        return 0;
    }
    /* A file being written (truncated, then filled) must not be loaded half-way: a change is
     * acted on once two checks in a row see the same modification time and size. */
    if (only_changed &&
        (!fe->pending || fe->pending_mtime_ns != mtime_ns(&st) ||
         fe->pending_size != (int64_t)st.st_size)) {
        fe->pending = true;
        fe->pending_mtime_ns = mtime_ns(&st);
        fe->pending_size = (int64_t)st.st_size;
        return 0;
    }
    fe->pending = false;
    bool again = fe->tried;
    fe->tried = true;
    fe->mtime_ns = mtime_ns(&st);
    fe->size = (int64_t)st.st_size;
    if (!g_priv) {
        /* The built-ins are copied in, so that the Lua runtime reports a clash with one with
         * the declaration's file:line (as it does for a clash between two files). */
        if (!(g_priv = eddy_registry_new())) {
            report(rep, opaque, true, "%s: out of memory", path);
            return EDDY_ENOMEM;
        }
        eddy_registry_foreach(eddy_registry_default(), copy_cb, g_priv);
    }
    char err[EDDY_ERRSTR_SIZE * 2];
    int rc = eddy_lua_load_file(g_priv, path, err, sizeof err);
    if (rc == 0)
        rc = publish(fe, err, sizeof err);
    if (rc) {
        report(rep, opaque, true, "%s%s", err,
               again && fe->ncells ? " (the previous version stays loaded)" : "");
        return rc;
    }
    if (again && reload_notice)
        report(rep, opaque, false, "reloaded %s (%zu functions)", path, fe->ncells);
    return 1;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every *.lua file of `dir`, in name order (caller frees each and the array). */
static char **dir_files(const char *dir, size_t *n, int *err)
{
    DIR *dp = opendir(dir);
    *n = 0;
    *err = 0;
    if (!dp) {
        *err = errno;
        return NULL;
    }
    char **v = NULL;
    size_t cap = 0;
    struct dirent *de;
    while ((de = readdir(dp))) {
        size_t l = strlen(de->d_name);
        if (l < 5 || de->d_name[0] == '.' || strcmp(de->d_name + l - 4, ".lua") != 0)
            continue;
        if (*n == cap) {
            cap = cap ? 2 * cap : 16;
            char **nv = realloc(v, cap * sizeof *nv);
            if (!nv)
                break;
            v = nv;
        }
        size_t dl = strlen(dir);
        char *p = malloc(dl + l + 2);
        if (!p)
            break;
        memcpy(p, dir, dl);
        p[dl] = '/';
        memcpy(p + dl + 1, de->d_name, l + 1);
        v[(*n)++] = p;
    }
    closedir(dp);
    if (*n)
        qsort(v, *n, sizeof *v, cmp_str);
    return v;
}

/* Loads one root (a directory or file) and remembers it. Returns the number of failures. */
static int load_root(const char *path, bool quiet_missing, eddy_udfs_report_fn rep, void *opaque)
{
    struct stat st;
    if (!path[0])
        return 0;
    if (stat(path, &st) != 0) {
        if (quiet_missing)
            return 0;
        report(rep, opaque, true, "%s: %s", path, strerror(errno));
        return 1;
    }
    bool is_dir = S_ISDIR(st.st_mode);
    bool known = false;
    for (size_t i = 0; i < g_nroots; i++)
        known = known || strcmp(g_roots[i].path, path) == 0;
    if (!known) {
        if (g_nroots == g_caproots) {
            size_t cap = g_caproots ? 2 * g_caproots : 8;
            root *v = realloc(g_roots, cap * sizeof *v);
            if (v) {
                g_roots = v;
                g_caproots = cap;
            }
        }
        if (g_nroots < g_caproots && (g_roots[g_nroots].path = strdup(path)))
            g_roots[g_nroots++].is_dir = is_dir;
    }
    if (!is_dir)
        return load_file(path, false, false, rep, opaque) < 0;
    size_t n;
    int e;
    char **files = dir_files(path, &n, &e);
    if (e) {
        report(rep, opaque, true, "%s: %s", path, strerror(e));
        return 1;
    }
    int fails = 0;
    for (size_t i = 0; i < n; i++) {
        fails += load_file(files[i], false, false, rep, opaque) < 0;
        free(files[i]);
    }
    free(files);
    return fails;
}

int eddy_udfs_load(const char *const *paths, size_t npaths, bool no_shipped,
                   eddy_udfs_report_fn rep, void *opaque)
{
    int fails = 0;
    pthread_mutex_lock(&g_lock);
    if (!no_shipped)
        fails += load_root(eddy_udfs_shipped_dir(), true, rep, opaque);
    const char *env = getenv("EDDY_UDF_PATH");
    if (env && *env) {
        char *copy = strdup(env), *save = NULL;
        for (char *p = copy ? strtok_r(copy, ":", &save) : NULL; p; p = strtok_r(NULL, ":", &save))
            fails += load_root(p, false, rep, opaque);
        free(copy);
    }
    for (size_t i = 0; i < npaths; i++)
        fails += load_root(paths[i], false, rep, opaque);
    pthread_mutex_unlock(&g_lock);
    return fails;
}

int eddy_udfs_check(eddy_udfs_report_fn rep, void *opaque)
{
    int ok = 0, fails = 0;
    pthread_mutex_lock(&g_lock);
    for (size_t r = 0; r < g_nroots; r++) {
        if (!g_roots[r].is_dir) {
            int rc = load_file(g_roots[r].path, true, true, rep, opaque);
            ok += rc > 0;
            fails += rc < 0;
            continue;
        }
        size_t n;
        int e;
        char **files = dir_files(g_roots[r].path, &n, &e);
        for (size_t i = 0; i < n; i++) {
            int rc = load_file(files[i], true, true, rep, opaque);
            ok += rc > 0;
            fails += rc < 0;
            free(files[i]);
        }
        free(files);
    }
    pthread_mutex_unlock(&g_lock);
    return fails ? -fails : ok;
}

/* ---------------------------------------------------------------- watching */

static pthread_t g_watch;
static bool g_watching, g_stop;
static pthread_mutex_t g_wlock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t g_wcond = PTHREAD_COND_INITIALIZER;
static int g_interval;
static eddy_udfs_report_fn g_wrep;
static void *g_wopaque;

static void *watch_main(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&g_wlock);
    while (!g_stop) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_sec += g_interval / 1000;
        ts.tv_nsec += (long)(g_interval % 1000) * 1000000L;
        if (ts.tv_nsec >= 1000000000L) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&g_wcond, &g_wlock, &ts);
        if (g_stop)
            break;
        pthread_mutex_unlock(&g_wlock);
        eddy_udfs_check(g_wrep, g_wopaque);
        pthread_mutex_lock(&g_wlock);
    }
    pthread_mutex_unlock(&g_wlock);
    eddy_lua_thread_cleanup();
    return NULL;
}

int eddy_udfs_watch_start(int interval_ms, eddy_udfs_report_fn rep, void *opaque)
{
    if (interval_ms < 10 || g_watching)
        return EDDY_EINVAL;
    g_interval = interval_ms;
    g_wrep = rep;
    g_wopaque = opaque;
    g_stop = false;
    if (pthread_create(&g_watch, NULL, watch_main, NULL) != 0)
        return EDDY_ENOMEM;
    g_watching = true;
    return 0;
}

void eddy_udfs_watch_stop(void)
{
    if (!g_watching)
        return;
    pthread_mutex_lock(&g_wlock);
    g_stop = true;
    pthread_cond_signal(&g_wcond);
    pthread_mutex_unlock(&g_wlock);
    pthread_join(g_watch, NULL);
    g_watching = false;
}

/* ---------------------------------------------------------------- listing */

int eddy_udfs_describe(const char *name, eddy_buf *out, char *errstr, size_t errstr_size)
{
    return eddy_registry_describe(eddy_registry_default(), name, out, errstr, errstr_size);
}

void eddy_udfs_shutdown(void)
{
    eddy_udfs_watch_stop();
    pthread_mutex_lock(&g_lock);
    for (size_t i = 0; i < g_nfiles; i++) {
        free(g_files[i].path);
        free(g_files[i].cells);
        free(g_files[i].all);
    }
    free(g_files);
    g_files = NULL;
    g_nfiles = g_capfiles = 0;
    for (size_t i = 0; i < g_nroots; i++)
        free(g_roots[i].path);
    free(g_roots);
    g_roots = NULL;
    g_nroots = g_caproots = 0;
    pthread_mutex_unlock(&g_lock);
    /* cells and the private registry stay: the default registry's forwarders point at them */
}
