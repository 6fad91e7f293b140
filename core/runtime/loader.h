/* loader.h: finds operator plugins (shared objects), checks their ABI and registers them by
 * name. */
#ifndef EDDY_LOADER_H
#define EDDY_LOADER_H

#include "eddy/plugin.h"

typedef struct eddy_loader eddy_loader;

/* A loaded plugin. `desc` is the host's own copy of the plugin's descriptor (fields the plugin
 * was compiled without are zero), so a plugin built against an older header is never misread. */
typedef struct eddy_loaded_plugin {
    eddy_plugin desc;
    char *path;
    void *handle;
} eddy_loaded_plugin;

eddy_loader *eddy_loader_new(void);
/* dlclose()s nothing: plugins stay mapped until exit (a pipeline may still reference them). */
void eddy_loader_destroy(eddy_loader *l); /* accepts NULL */

/* Loads one .so. On refusal returns EDDY_EABI (version, size), EDDY_EINVAL (missing callback,
 * bad name, no entry symbol, dlopen failure) or EDDY_EEXIST (name already loaded), with a
 * message naming the file and, for a version mismatch, both versions. The refusal is also
 * remembered (eddy_loader_rejection). */
int eddy_loader_load_file(eddy_loader *l, const char *path, char *errstr, size_t errstr_size);
/* Loads every *.so of `dir` in name order; refusals are remembered, not fatal. Returns how
 * many loaded, or EDDY_ENOTFOUND when the directory cannot be read. */
int eddy_loader_load_dir(eddy_loader *l, const char *dir);
/* The search path: EDDY_PLUGIN_PATH (colon-separated), then `extra` (may be NULL), then
 * <directory of the executable>/plugins, <exe>/../lib/eddy/plugins, then the install dir.
 * Each directory once. Returns the number of plugins loaded. */
int eddy_loader_load_default(eddy_loader *l, const char *extra);

const eddy_loaded_plugin *eddy_loader_find(const eddy_loader *l, const char *name);
size_t eddy_loader_count(const eddy_loader *l);
const eddy_loaded_plugin *eddy_loader_get(const eddy_loader *l, size_t i); /* sorted by name */
/* Refusals, in load order: the message for each file that was not loaded. */
size_t eddy_loader_rejection_count(const eddy_loader *l);
const char *eddy_loader_rejection(const eddy_loader *l, size_t i);
/* The message for the refused file whose plugin claimed `name`, or NULL (for "unknown
 * operator" errors that can say why). */
const char *eddy_loader_rejection_for(const eddy_loader *l, const char *name);

/* The host API table handed to every plugin (defined in runtime/host.c). */
const eddy_host_api *eddy_host_api_get(void);

const char *eddy_plugin_kind_name(eddy_plugin_kind k);

#endif
