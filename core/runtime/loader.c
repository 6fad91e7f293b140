/* loader.c: dlopen()s operator plugins, validates their descriptors, registers them by name. */
#include "runtime/loader.h"

#include "eddy/udf.h"

#include <dirent.h>
#include <stddef.h>
#include <stdarg.h>
#include <dlfcn.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct eddy_loader {
    eddy_loaded_plugin *plugins;
    size_t n, cap;
    struct rejection {
        char *name; /* the name the plugin claimed, when known */
        char *msg;
    } *rej;
    size_t nrej, caprej;
    char **dirs; /* directories already scanned (real paths) */
    size_t ndirs;
};

/* The smallest descriptor a version-1 plugin can have: every v1 field. */
#define EDDY_PLUGIN_V1_SIZE (offsetof(eddy_plugin, destroy) + sizeof(void (*)(void)))

const char *eddy_plugin_kind_name(eddy_plugin_kind k)
{
    switch (k) {
    case EDDY_PLUGIN_SOURCE: return "source";
    case EDDY_PLUGIN_TRANSFORM: return "transform";
    case EDDY_PLUGIN_SINK: return "sink";
    case EDDY_PLUGIN_FUNCTIONS: return "functions";
    }
    return "unknown";
}

eddy_loader *eddy_loader_new(void)
{
    return calloc(1, sizeof(eddy_loader));
}

void eddy_loader_destroy(eddy_loader *l)
{
    if (!l)
        return;
    for (size_t i = 0; i < l->n; i++)
        free(l->plugins[i].path);
    for (size_t i = 0; i < l->nrej; i++) {
        free(l->rej[i].name);
        free(l->rej[i].msg);
    }
    for (size_t i = 0; i < l->ndirs; i++)
        free(l->dirs[i]);
    free(l->plugins);
    free(l->rej);
    free(l->dirs);
    free(l);
}

static int reject(eddy_loader *l, const char *name, int code, char *errstr, size_t errstr_size,
                  const char *fmt, ...) __attribute__((format(printf, 6, 7)));

static int reject(eddy_loader *l, const char *name, int code, char *errstr, size_t errstr_size,
                  const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (l->nrej == l->caprej) {
        size_t cap = l->caprej ? l->caprej * 2 : 8;
        struct rejection *r = realloc(l->rej, cap * sizeof *r);
        if (r) {
            l->rej = r;
            l->caprej = cap;
        }
    }
    if (l->nrej < l->caprej) {
        l->rej[l->nrej].name = name ? strdup(name) : NULL;
        l->rej[l->nrej].msg = strdup(msg);
        l->nrej++;
    }
    return eddy_seterr(errstr, errstr_size, code, "%s", msg);
}

static bool valid_name(const char *s)
{
    if (!s || !(*s >= 'a' && *s <= 'z'))
        return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_'))
            return false;
    return true;
}

/* A function library: every function is registered into the default registry with the
 * plugin's file as its source; on any refusal none stays registered. */
static int register_functions(const char *path, const eddy_plugin *p, uint32_t size,
                              char *msg, size_t msg_size)
{
    size_t need = offsetof(eddy_plugin, nfunctions) + sizeof p->nfunctions;
    if (size < need) {
        snprintf(msg, msg_size, "%s: plugin '%s' is a function library but its descriptor is "
                 "%u bytes, without the functions (%zu needed)", path, p->name, size, need);
        return EDDY_EABI;
    }
    if (!p->functions || p->nfunctions == 0) {
        snprintf(msg, msg_size, "%s: plugin '%s' is a function library with no functions",
                 path, p->name);
        return EDDY_EINVAL;
    }
    eddy_registry *r = eddy_registry_default();
    for (uint32_t i = 0; i < p->nfunctions; i++) {
        eddy_function f = p->functions[i];
        f.source = path;
        char why[EDDY_ERRSTR_SIZE] = "";
        int rc = eddy_registry_add(r, &f, false, why, sizeof why);
        if (rc) {
            eddy_registry_remove_source(r, path);
            snprintf(msg, msg_size, "%s: plugin '%s': function '%s': %s", path, p->name,
                     f.name ? f.name : "(null)", why[0] ? why : eddy_strerror(rc));
            return rc;
        }
    }
    return 0;
}

int eddy_loader_load_file(eddy_loader *l, const char *path, char *errstr, size_t errstr_size)
{
    void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!h)
        return reject(l, NULL, EDDY_EINVAL, errstr, errstr_size, "%s: cannot load plugin: %s",
                      path, dlerror());
    dlerror();
    void *sym = dlsym(h, EDDY_PLUGIN_ENTRY_SYMBOL);
    if (!sym) {
        dlclose(h);
        return reject(l, NULL, EDDY_EINVAL, errstr, errstr_size,
                      "%s: not an eddy plugin: no '%s' function exported", path,
                      EDDY_PLUGIN_ENTRY_SYMBOL);
    }
    eddy_plugin_entry_fn entry;
    memcpy(&entry, &sym, sizeof entry); /* object -> function pointer, POSIX-sanctioned */
    const eddy_plugin *d = entry(eddy_host_api_get());
    /* A plugin is unmapped only when refused before it could register anything. */
    if (!d) {
        dlclose(h);
        return reject(l, NULL, EDDY_EINVAL, errstr, errstr_size,
                      "%s: %s() returned no descriptor", path, EDDY_PLUGIN_ENTRY_SYMBOL);
    }
    /* Every refusal below is formatted while the plugin is still mapped (its strings live in
     * it), then the plugin is unmapped. */
    char msg[1024];
    int code = 0;
    const char *claimed = NULL; /* the name it claims, when it can be trusted */
    eddy_plugin copy;
    memset(&copy, 0, sizeof copy);
    if (d->abi_version != EDDY_PLUGIN_ABI_VERSION) {
        code = EDDY_EABI;
        snprintf(msg, sizeof msg,
                 "%s: plugin ABI version %u, but this eddy supports ABI version %u "
                 "(rebuild the plugin against this eddy's plugin.h)",
                 path, d->abi_version, EDDY_PLUGIN_ABI_VERSION);
    } else if (d->size < EDDY_PLUGIN_V1_SIZE) {
        code = EDDY_EABI;
        snprintf(msg, sizeof msg,
                 "%s: plugin descriptor is %u bytes, ABI version %u needs at least %zu "
                 "(plugin ABI version %u, host ABI version %u)",
                 path, d->size, EDDY_PLUGIN_ABI_VERSION, (size_t)EDDY_PLUGIN_V1_SIZE,
                 d->abi_version, EDDY_PLUGIN_ABI_VERSION);
    } else {
        /* Read no further than the plugin's own size: fields it was built without stay 0. */
        memcpy(&copy, d, d->size < sizeof copy ? d->size : sizeof copy);
        const char *missing = NULL;
        if (!valid_name(copy.name)) {
            code = EDDY_EINVAL;
            snprintf(msg, sizeof msg, "%s: invalid plugin name '%s' (expected [a-z][a-z0-9_]*)",
                     path, copy.name ? copy.name : "(null)");
        } else if (copy.kind < EDDY_PLUGIN_SOURCE || copy.kind > EDDY_PLUGIN_FUNCTIONS) {
            code = EDDY_EINVAL;
            claimed = copy.name;
            snprintf(msg, sizeof msg, "%s: plugin '%s' has unsupported kind %d", path,
                     copy.name, (int)copy.kind);
        } else if (copy.kind == EDDY_PLUGIN_FUNCTIONS) {
            claimed = copy.name;
            for (size_t i = 0; !code && i < l->n; i++) {
                if (strcmp(l->plugins[i].desc.name, copy.name) == 0) {
                    code = EDDY_EEXIST;
                    snprintf(msg, sizeof msg, "%s: plugin name '%s' is already taken by %s",
                             path, copy.name, l->plugins[i].path);
                }
            }
            if (!code)
                code = register_functions(path, &copy, d->size, msg, sizeof msg);
        } else {
            claimed = copy.name;
            if (!copy.plan)
                missing = "plan";
            else if (!copy.create)
                missing = "create";
            else if (!copy.destroy)
                missing = "destroy";
            else if (copy.kind == EDDY_PLUGIN_SOURCE && !copy.poll)
                missing = "poll";
            else if (copy.kind != EDDY_PLUGIN_SOURCE && !copy.process)
                missing = "process";
            if (missing) {
                code = EDDY_EINVAL;
                snprintf(msg, sizeof msg, "%s: plugin '%s' (%s) has no '%s' callback", path,
                         copy.name, eddy_plugin_kind_name(copy.kind), missing);
            }
            for (size_t i = 0; !code && i < l->n; i++) {
                if (strcmp(l->plugins[i].desc.name, copy.name) == 0) {
                    code = EDDY_EEXIST;
                    snprintf(msg, sizeof msg, "%s: plugin name '%s' is already taken by %s",
                             path, copy.name, l->plugins[i].path);
                }
            }
        }
    }
    if (code) {
        char name[128] = "";
        if (claimed)
            snprintf(name, sizeof name, "%s", claimed);
        dlclose(h);
        return reject(l, claimed ? name : NULL, code, errstr, errstr_size, "%s", msg);
    }
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 16;
        eddy_loaded_plugin *p = realloc(l->plugins, cap * sizeof *p);
        if (!p)
            return eddy_seterr(errstr, errstr_size, EDDY_ENOMEM, "out of memory");
        l->plugins = p;
        l->cap = cap;
    }
    /* Keep sorted by name. */
    size_t at = l->n;
    while (at > 0 && strcmp(l->plugins[at - 1].desc.name, copy.name) > 0)
        at--;
    memmove(&l->plugins[at + 1], &l->plugins[at], (l->n - at) * sizeof *l->plugins);
    l->plugins[at] = (eddy_loaded_plugin){copy, strdup(path), h};
    l->n++;
    return 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int eddy_loader_load_dir(eddy_loader *l, const char *dir)
{
    char real[PATH_MAX];
    if (!realpath(dir, real))
        return EDDY_ENOTFOUND;
    for (size_t i = 0; i < l->ndirs; i++)
        if (strcmp(l->dirs[i], real) == 0)
            return 0;
    DIR *d = opendir(real);
    if (!d)
        return EDDY_ENOTFOUND;
    char **dirs = realloc(l->dirs, (l->ndirs + 1) * sizeof *dirs);
    if (dirs) {
        l->dirs = dirs;
        l->dirs[l->ndirs++] = strdup(real);
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        size_t len = strlen(e->d_name);
        if (len < 4 || strcmp(e->d_name + len - 3, ".so") != 0)
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 16;
            char **p = realloc(names, cap * sizeof *p);
            if (!p)
                break;
            names = p;
        }
        names[n++] = strdup(e->d_name);
    }
    closedir(d);
    qsort(names, n, sizeof *names, cmp_str);
    int loaded = 0;
    for (size_t i = 0; i < n; i++) {
        char path[PATH_MAX + 256];
        snprintf(path, sizeof path, "%s/%s", real, names[i]);
        if (eddy_loader_load_file(l, path, NULL, 0) == 0)
            loaded++;
        free(names[i]);
    }
    free(names);
    return loaded;
}

int eddy_loader_load_default(eddy_loader *l, const char *extra)
{
    int total = 0, rc;
    const char *env = getenv("EDDY_PLUGIN_PATH");
    if (env && *env) {
        char *copy = strdup(env), *save = NULL;
        for (char *d = strtok_r(copy, ":", &save); d; d = strtok_r(NULL, ":", &save))
            if ((rc = eddy_loader_load_dir(l, d)) > 0)
                total += rc;
        free(copy);
    }
    if (extra && (rc = eddy_loader_load_dir(l, extra)) > 0)
        total += rc;
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        exe[n] = '\0';
        char *slash = strrchr(exe, '/');
        if (slash) {
            *slash = '\0';
            char dir[PATH_MAX + 32];
            snprintf(dir, sizeof dir, "%s/plugins", exe);
            if ((rc = eddy_loader_load_dir(l, dir)) > 0)
                total += rc;
            snprintf(dir, sizeof dir, "%s/../lib/eddy/plugins", exe);
            if ((rc = eddy_loader_load_dir(l, dir)) > 0)
                total += rc;
        }
    }
    if ((rc = eddy_loader_load_dir(l, EDDY_PLUGIN_INSTALL_DIR)) > 0)
        total += rc;
    return total;
}

const eddy_loaded_plugin *eddy_loader_find(const eddy_loader *l, const char *name)
{
    for (size_t i = 0; i < l->n; i++)
        if (strcmp(l->plugins[i].desc.name, name) == 0)
            return &l->plugins[i];
    return NULL;
}

size_t eddy_loader_count(const eddy_loader *l) { return l->n; }

const eddy_loaded_plugin *eddy_loader_get(const eddy_loader *l, size_t i)
{
    return i < l->n ? &l->plugins[i] : NULL;
}

size_t eddy_loader_rejection_count(const eddy_loader *l) { return l->nrej; }

const char *eddy_loader_rejection(const eddy_loader *l, size_t i)
{
    return i < l->nrej ? l->rej[i].msg : NULL;
}

const char *eddy_loader_rejection_for(const eddy_loader *l, const char *name)
{
    for (size_t i = 0; i < l->nrej; i++)
        if (l->rej[i].name && strcmp(l->rej[i].name, name) == 0)
            return l->rej[i].msg;
    return NULL;
}
