/* keymap.c: a chained hash map keyed by SQL values, for per-key operator state. */
#include "keymap.h"

#include <stdlib.h>
#include <string.h>

typedef struct kent {
    uint64_t hash;
    eddy_value *key;
    uint32_t n;
    void *payload;
    int32_t next;
    bool live;
} kent;

struct keymap {
    const eddy_host_api *api;
    eddy_arena *store;
    kent *ents;
    int32_t nents, cap;
    int32_t *buckets;
    uint32_t nbuckets;
    int32_t free_slot; /* a dead entry to reuse, or -1 */
};

keymap *keymap_new(const eddy_host_api *api)
{
    keymap *m = calloc(1, sizeof *m);
    if (!m)
        return NULL;
    m->api = api;
    m->store = api->arena_new(0);
    m->nbuckets = 256;
    m->buckets = malloc(m->nbuckets * sizeof *m->buckets);
    m->free_slot = -1;
    if (!m->store || !m->buckets) {
        keymap_free(m);
        return NULL;
    }
    memset(m->buckets, 0xff, m->nbuckets * sizeof *m->buckets);
    return m;
}

void keymap_free(keymap *m)
{
    if (!m)
        return;
    if (m->store)
        m->api->arena_destroy(m->store);
    free(m->ents);
    free(m->buckets);
    free(m);
}

static uint64_t hash_key(const keymap *m, const eddy_value *key, uint32_t n)
{
    uint64_t h = 0x9e3779b97f4a7c15ull;
    for (uint32_t i = 0; i < n; i++)
        h = m->api->value_hash(&key[i], h);
    return h;
}

static kent *lookup(keymap *m, const eddy_value *key, uint32_t n, uint64_t h)
{
    for (int32_t i = m->buckets[h & (m->nbuckets - 1)]; i >= 0; i = m->ents[i].next) {
        kent *e = &m->ents[i];
        if (!e->live || e->hash != h || e->n != n)
            continue;
        bool eq = true;
        for (uint32_t k = 0; eq && k < n; k++)
            eq = m->api->value_equal(&e->key[k], &key[k]);
        if (eq)
            return e;
    }
    return NULL;
}

void **keymap_find(keymap *m, const eddy_value *key, uint32_t n)
{
    kent *e = lookup(m, key, n, hash_key(m, key, n));
    return e ? &e->payload : NULL;
}

static int grow(keymap *m)
{
    if (m->nents == m->cap) {
        int32_t cap = m->cap ? m->cap * 2 : 256;
        kent *p = realloc(m->ents, (size_t)cap * sizeof *p);
        if (!p)
            return EDDY_ENOMEM;
        m->ents = p;
        m->cap = cap;
    }
    if ((uint32_t)m->nents >= m->nbuckets) {
        uint32_t nb = m->nbuckets * 2;
        int32_t *b = malloc(nb * sizeof *b);
        if (!b)
            return EDDY_ENOMEM;
        memset(b, 0xff, nb * sizeof *b);
        for (int32_t i = 0; i < m->nents; i++) {
            uint32_t k = (uint32_t)(m->ents[i].hash & (nb - 1));
            m->ents[i].next = b[k];
            b[k] = i;
        }
        free(m->buckets);
        m->buckets = b;
        m->nbuckets = nb;
    }
    return 0;
}

void **keymap_put(keymap *m, const eddy_value *key, uint32_t n, bool *added)
{
    uint64_t h = hash_key(m, key, n);
    kent *e = lookup(m, key, n, h);
    if (added)
        *added = !e;
    if (e)
        return &e->payload;
    eddy_value *copy = m->api->arena_alloc(m->store, (n ? n : 1) * sizeof *copy);
    if (!copy)
        return NULL;
    for (uint32_t k = 0; k < n; k++)
        if (m->api->value_copy(m->store, &key[k], &copy[k]))
            return NULL;
    int32_t at = m->free_slot;
    if (at >= 0 && m->ents[at].hash == h) {
        m->free_slot = -1; /* same bucket: reuse in place */
    } else {
        if (grow(m))
            return NULL;
        at = m->nents++;
        uint32_t b = (uint32_t)(h & (m->nbuckets - 1));
        m->ents[at].next = m->buckets[b];
        m->buckets[b] = at;
    }
    e = &m->ents[at];
    e->hash = h;
    e->key = copy;
    e->n = n;
    e->payload = NULL;
    e->live = true;
    return &e->payload;
}

bool keymap_remove(keymap *m, const eddy_value *key, uint32_t n)
{
    kent *e = lookup(m, key, n, hash_key(m, key, n));
    if (!e)
        return false;
    e->live = false;
    m->free_slot = (int32_t)(e - m->ents);
    return true;
}
