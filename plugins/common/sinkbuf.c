/* sinkbuf.c: the line-oriented sink shared by file_sink and stdout_sink (see sinkbuf.h). */
#include "sinkbuf.h"
#include "putil.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#define CHUNK (1u << 20) /* a task writes its buffer out once it holds this much */

/* One open file per path in the process, shared by the tasks (and nodes) writing it. */
typedef struct writer {
    struct writer *next;
    char *path;
    int fd;
    bool owns_fd;
    int refs;               /* guarded by registry_lock */
    pthread_mutex_t lock;   /* one write() sequence at a time */
} writer;

static pthread_mutex_t registry_lock = PTHREAD_MUTEX_INITIALIZER;
static writer *registry;

struct sinkbuf {
    const eddy_host_api *api;
    eddy_op *op;
    eddy_serde *serde;
    bool json;        /* a null record is written as the JSON line `null` */
    writer *w;
    eddy_buf buf;
};

static int writer_acquire(const char *path, bool append, writer **out, char *errstr,
                          size_t errstr_size)
{
    int rc = 0;
    pthread_mutex_lock(&registry_lock);
    writer *w = registry;
    while (w && strcmp(w->path, path) != 0)
        w = w->next;
    if (w) {
        w->refs++;
        goto done;
    }
    w = calloc(1, sizeof *w);
    if (!w || !(w->path = strdup(path))) {
        free(w);
        rc = pu_err(errstr, errstr_size, EDDY_ENOMEM, "out of memory");
        goto done;
    }
    if (strcmp(path, "-") == 0) {
        w->fd = STDOUT_FILENO;
    } else {
        w->fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | (append ? O_APPEND : O_TRUNC), 0666);
        if (w->fd < 0) {
            int e = errno;
            free(w->path);
            free(w);
            w = NULL;
            rc = pu_err(errstr, errstr_size, EDDY_EIO, "config 'path': cannot open '%s': %s",
                        path, strerror(e));
            goto done;
        }
        w->owns_fd = true;
    }
    pthread_mutex_init(&w->lock, NULL);
    w->refs = 1;
    w->next = registry;
    registry = w;
done:
    pthread_mutex_unlock(&registry_lock);
    *out = w;
    return rc;
}

static void writer_release(writer *w)
{
    if (!w)
        return;
    pthread_mutex_lock(&registry_lock);
    bool last = --w->refs == 0;
    if (last) {
        writer **pp = &registry;
        while (*pp != w)
            pp = &(*pp)->next;
        *pp = w->next;
    }
    pthread_mutex_unlock(&registry_lock);
    if (!last)
        return;
    if (w->owns_fd)
        close(w->fd);
    pthread_mutex_destroy(&w->lock);
    free(w->path);
    free(w);
}

/* Writes the whole buffer, under the writer's lock so chunks of tasks don't interleave. */
static int write_out(sinkbuf *s)
{
    if (s->buf.len == 0)
        return 0;
    int err = 0;
    pthread_mutex_lock(&s->w->lock);
    for (size_t off = 0; off < s->buf.len;) {
        ssize_t r = write(s->w->fd, s->buf.data + off, s->buf.len - off);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            err = errno;
            break;
        }
        off += (size_t)r;
    }
    pthread_mutex_unlock(&s->w->lock);
    s->buf.len = 0;
    if (err) {
        s->api->log(s->op, EDDY_LOG_ERROR, "write '%s': %s", s->w->path, strerror(err));
        return EDDY_EIO;
    }
    return 0;
}

static int serde_for(const eddy_host_api *api, eddy_op *op, eddy_serde **out, char *errstr,
                     size_t errstr_size)
{
    const char *format = api->config_str(op, "format");
    const char *props[3] = {NULL, NULL, NULL};
    if (api->config_has(op, "delimiter")) {
        if (strcasecmp(format, "DELIMITED") != 0)
            return pu_err(errstr, errstr_size, EDDY_EINVAL,
                          "config 'delimiter': only valid with format DELIMITED");
        props[0] = "delimiter";
        props[1] = api->config_str(op, "delimiter");
    }
    char why[EDDY_ERRSTR_SIZE] = "";
    int rc = api->serde_new(op, format, api->input_schema(op, 0), EDDY_SERDE_ALL, props, out,
                            why, sizeof why);
    if (rc)
        return pu_err(errstr, errstr_size, rc, "config 'format': %s", why);
    return 0;
}

int sinkbuf_plan(const eddy_host_api *api, eddy_op *op, char *errstr, size_t errstr_size)
{
    eddy_serde *serde = NULL;
    int rc = serde_for(api, op, &serde, errstr, errstr_size);
    if (rc == 0)
        api->serde_destroy(serde);
    return rc;
}

int sinkbuf_create(const eddy_host_api *api, eddy_op *op, const char *path, bool append,
                   sinkbuf **out, char *errstr, size_t errstr_size)
{
    sinkbuf *s = calloc(1, sizeof *s);
    if (!s)
        return pu_err(errstr, errstr_size, EDDY_ENOMEM, "out of memory");
    s->api = api;
    s->op = op;
    int rc = serde_for(api, op, &s->serde, errstr, errstr_size);
    s->json = strcasecmp(api->config_str(op, "format"), "JSON") == 0;
    if (rc == 0)
        rc = writer_acquire(path, append, &s->w, errstr, errstr_size);
    if (rc) {
        if (s->serde)
            api->serde_destroy(s->serde);
        free(s);
        return rc;
    }
    *out = s;
    return 0;
}

int sinkbuf_process(sinkbuf *s, eddy_batch *in)
{
    const eddy_host_api *api = s->api;
    char why[EDDY_ERRSTR_SIZE];
    for (uint32_t i = 0; i < in->n; i++) {
        const eddy_record *rec = &in->recs[i];
        size_t mark = s->buf.len;
        why[0] = '\0';
        int rc = api->serde_encode(s->serde, rec, &s->buf, why, sizeof why);
        if (rc == EDDY_SERDE_NULL) {
            /* A tombstone or null row: JSON lines say `null` (read back as a tombstone);
             * DELIMITED has no way to say it, so the line is empty. */
            rc = s->json ? api->buf_append(&s->buf, "null", 4) : 0;
        }
        if (rc == 0)
            rc = api->buf_append(&s->buf, "\n", 1);
        if (rc) {
            s->buf.len = mark;
            if (rc == EDDY_ENOMEM)
                return rc;
            api->record_error(s->op, rec, NULL, 0, rc, why[0] ? why : "cannot encode the record");
            continue;
        }
        if (s->buf.len >= CHUNK && (rc = write_out(s)) != 0)
            return rc;
    }
    return 0;
}

int sinkbuf_flush(sinkbuf *s)
{
    return write_out(s);
}

void sinkbuf_destroy(sinkbuf *s)
{
    if (!s)
        return;
    write_out(s);
    s->api->buf_free(&s->buf);
    writer_release(s->w);
    s->api->serde_destroy(s->serde);
    free(s);
}
