/* memtopic.c: in-memory topics (append-only record logs) for the deterministic test driver. */
#include "io/memtopic.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

typedef struct topic {
    char *name;
    eddy_topic_record **recs; /* one allocation per record: pointers stay valid */
    int64_t n, cap;
    struct topic *next;
} topic;

struct eddy_topics {
    pthread_mutex_t lock;
    topic *head;
};

eddy_topics *eddy_topics_new(void)
{
    eddy_topics *t = calloc(1, sizeof *t);
    if (t)
        pthread_mutex_init(&t->lock, NULL);
    return t;
}

static void free_record(eddy_topic_record *r)
{
    free((void *)r->key);
    free((void *)r->value);
    for (uint32_t i = 0; i < r->nheaders; i++) {
        free((void *)r->headers[i].key);
        free((void *)r->headers[i].value);
    }
    free((void *)r->headers);
}

void eddy_topics_destroy(eddy_topics *t)
{
    if (!t)
        return;
    while (t->head) {
        topic *tp = t->head;
        t->head = tp->next;
        for (int64_t i = 0; i < tp->n; i++) {
            free_record(tp->recs[i]);
            free(tp->recs[i]);
        }
        free(tp->recs);
        free(tp->name);
        free(tp);
    }
    pthread_mutex_destroy(&t->lock);
    free(t);
}

static topic *find(eddy_topics *t, const char *name, bool create)
{
    for (topic *tp = t->head; tp; tp = tp->next)
        if (strcmp(tp->name, name) == 0)
            return tp;
    if (!create)
        return NULL;
    topic *tp = calloc(1, sizeof *tp);
    if (!tp || !(tp->name = strdup(name))) {
        free(tp);
        return NULL;
    }
    /* Append at the end, so topics list in creation order. */
    topic **at = &t->head;
    while (*at)
        at = &(*at)->next;
    *at = tp;
    return tp;
}

static void *dup_bytes(const void *p, size_t n, bool *fail)
{
    if (!p)
        return NULL;
    void *d = malloc(n ? n : 1);
    if (!d) {
        *fail = true;
        return NULL;
    }
    memcpy(d, p, n);
    return d;
}

int eddy_topics_append(eddy_topics *t, const char *name, const eddy_topic_record *r,
                       int64_t *offset)
{
    bool fail = false;
    eddy_topic_record c = *r;
    c.key = dup_bytes(r->key, r->key_len, &fail);
    c.value = dup_bytes(r->value, r->value_len, &fail);
    c.headers = NULL;
    c.nheaders = 0;
    if (r->nheaders) {
        eddy_header *h = calloc(r->nheaders, sizeof *h);
        fail |= !h;
        for (uint32_t i = 0; h && i < r->nheaders; i++) {
            h[i] = r->headers[i];
            h[i].key = dup_bytes(r->headers[i].key, r->headers[i].key_len, &fail);
            h[i].value = dup_bytes(r->headers[i].value, r->headers[i].value_len, &fail);
        }
        c.headers = h;
        c.nheaders = h ? r->nheaders : 0;
    }
    eddy_topic_record *copy = fail ? NULL : malloc(sizeof *copy);
    pthread_mutex_lock(&t->lock);
    topic *tp = copy ? find(t, name, true) : NULL;
    if (tp && tp->n == tp->cap) {
        int64_t cap = tp->cap ? tp->cap * 2 : 64;
        eddy_topic_record **p = realloc(tp->recs, (size_t)cap * sizeof *p);
        if (p) {
            tp->recs = p;
            tp->cap = cap;
        }
    }
    int rc = 0;
    if (!tp || tp->n == tp->cap) {
        rc = EDDY_ENOMEM;
    } else {
        c.offset = tp->n;
        *copy = c;
        tp->recs[tp->n++] = copy;
        if (offset)
            *offset = c.offset;
    }
    pthread_mutex_unlock(&t->lock);
    if (rc) {
        free_record(&c);
        free(copy);
    }
    return rc;
}

const eddy_topic_record *eddy_topics_get(eddy_topics *t, const char *name, int64_t offset)
{
    pthread_mutex_lock(&t->lock);
    topic *tp = find(t, name, false);
    const eddy_topic_record *r = tp && offset >= 0 && offset < tp->n ? tp->recs[offset] : NULL;
    pthread_mutex_unlock(&t->lock);
    return r;
}

int64_t eddy_topics_size(eddy_topics *t, const char *name)
{
    pthread_mutex_lock(&t->lock);
    topic *tp = find(t, name, false);
    int64_t n = tp ? tp->n : -1;
    pthread_mutex_unlock(&t->lock);
    return n;
}

int eddy_topics_create(eddy_topics *t, const char *name)
{
    pthread_mutex_lock(&t->lock);
    topic *tp = find(t, name, true);
    pthread_mutex_unlock(&t->lock);
    return tp ? 0 : EDDY_ENOMEM;
}
