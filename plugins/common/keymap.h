/* keymap.h: a hash map from a key (n SQL values, compared with the host's value_equal) to a
 * pointer payload, for operators that keep state per key. Keys are copied into the map's own
 * arena. One owner at a time (a task's operator). */
#ifndef EDDY_PLUGINS_KEYMAP_H
#define EDDY_PLUGINS_KEYMAP_H

#include "eddy/plugin.h"

typedef struct keymap keymap;

keymap *keymap_new(const eddy_host_api *api);
void keymap_free(keymap *m); /* accepts NULL */
/* The payload slot of `key`, or NULL when the key is absent. */
void **keymap_find(keymap *m, const eddy_value *key, uint32_t n);
/* The payload slot of `key`, inserted (payload NULL) when absent; *added tells which. NULL on
 * ENOMEM. */
void **keymap_put(keymap *m, const eddy_value *key, uint32_t n, bool *added);
/* Removes `key`; false when it was absent. */
bool keymap_remove(keymap *m, const eddy_value *key, uint32_t n);

#endif
