/* lines.c: the line-oriented source shared by file_source and stdin_source (see lines.h). */
#include "lines.h"
#include "putil.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#define READ_SIZE (1u << 20)            /* one read() */
#define MAX_LINE (1u << 20)             /* longer lines go to the processing log */
#define BUF_CAP (READ_SIZE + MAX_LINE)  /* a partial line plus a full read always fit */
#define WAIT_MS 10                      /* pipes: longest wait for data in one poll */
#define RAW_PREVIEW 1024                /* bytes of an over-long line kept in the log */

enum { FILL_EOF = 0, FILL_DATA = 1, FILL_AGAIN = 2 };

typedef struct lines_cfg {
    eddy_schema *schema;
    eddy_serde *serde;
    int ts_col; /* -1: ROWTIME is the wall clock */
    uint32_t batch_size;
    bool header;
} lines_cfg;

struct lines_src {
    const eddy_host_api *api;
    eddy_op *op;
    lines_cfg cfg;
    char *source;          /* origin.source of the records */
    char *path;            /* followed file, or NULL */
    int fd;                /* -1: following a file that does not exist (yet) */
    bool close_fd, follow, pollable;
    dev_t dev;
    ino_t ino;
    off_t offset;          /* bytes read from fd */
    char *buf;             /* unread bytes are buf[start, end) */
    size_t start, end;
    int64_t line_no;       /* of the last line taken */
    bool skip_header;      /* the next line is the header */
    bool skipping_long;    /* dropping the rest of an over-long line */
    bool at_eof;           /* the last read returned 0 */
    bool done;
    bool warned_missing;
    /* the poll in progress */
    eddy_batch *out;
    uint32_t n, target;
    int64_t now;
};

/* ------------------------------------------------------------ config */

static void cfg_fini(const eddy_host_api *api, lines_cfg *c)
{
    if (c->serde)
        api->serde_destroy(c->serde);
    api->schema_release(c->schema);
    memset(c, 0, sizeof *c);
}

static int cfg_init(const eddy_host_api *api, eddy_op *op, lines_cfg *c, char *errstr,
                    size_t errstr_size)
{
    char why[EDDY_ERRSTR_SIZE] = "";
    memset(c, 0, sizeof *c);
    c->ts_col = -1;

    int rc = api->columns_parse(op, api->config_str(op, "columns"), &c->schema, why, sizeof why);
    if (rc)
        return pu_err(errstr, errstr_size, rc, "config 'columns': %s", why);

    const char *format = api->config_str(op, "format");
    const char *props[3] = {NULL, NULL, NULL};
    if (api->config_has(op, "delimiter")) {
        if (strcasecmp(format, "DELIMITED") != 0) {
            cfg_fini(api, c);
            return pu_err(errstr, errstr_size, EDDY_EINVAL,
                          "config 'delimiter': only valid with format DELIMITED");
        }
        props[0] = "delimiter";
        props[1] = api->config_str(op, "delimiter");
    }
    rc = api->serde_new(op, format, c->schema, EDDY_SERDE_ALL, props, &c->serde, why, sizeof why);
    if (rc) {
        c->serde = NULL;
        cfg_fini(api, c);
        return pu_err(errstr, errstr_size, rc, "config 'format': %s", why);
    }

    if (api->config_has(op, "timestamp")) {
        const char *ts = api->config_str(op, "timestamp");
        int i = pu_find_column(api, c->schema, ts);
        if (i < 0) {
            cfg_fini(api, c);
            return pu_err(errstr, errstr_size, EDDY_ENOTFOUND,
                          "config 'timestamp': column '%s' is not among the columns", ts);
        }
        const eddy_type *t = c->schema->cols[i].type;
        if (t->id != EDDY_TYPE_BIGINT && t->id != EDDY_TYPE_TIMESTAMP) {
            char tn[128];
            pu_type_name(api, t, tn, sizeof tn);
            cfg_fini(api, c);
            return pu_err(errstr, errstr_size, EDDY_ETYPE,
                          "config 'timestamp': column '%s' must be BIGINT or TIMESTAMP, got %s",
                          ts, tn);
        }
        c->ts_col = i;
    }

    int64_t bs = api->config_int(op, "batch_size");
    if (bs < 1 || bs > (1 << 20)) {
        cfg_fini(api, c);
        return pu_err(errstr, errstr_size, EDDY_EINVAL,
                      "config 'batch_size': must be between 1 and 1048576, got %lld",
                      (long long)bs);
    }
    c->batch_size = (uint32_t)bs;
    c->header = api->config_bool(op, "header");
    return 0;
}

int lines_plan(const eddy_host_api *api, eddy_op *op, char *errstr, size_t errstr_size)
{
    lines_cfg c;
    int rc = cfg_init(api, op, &c, errstr, errstr_size);
    if (rc)
        return rc;
    rc = api->output_add(op, NULL, c.schema, errstr, errstr_size);
    cfg_fini(api, &c);
    return rc;
}

/* ------------------------------------------------------------ reading */

static void reset_file_state(lines_src *s)
{
    s->offset = 0;
    s->start = s->end = 0;
    s->line_no = 0;
    s->skip_header = s->cfg.header;
    s->skipping_long = false;
    s->at_eof = false;
}

static void adopt_fd(lines_src *s, int fd)
{
    struct stat st;
    s->fd = fd;
    s->pollable = false;
    if (fstat(fd, &st) == 0) {
        s->dev = st.st_dev;
        s->ino = st.st_ino;
        s->pollable = !S_ISREG(st.st_mode);
    }
    reset_file_state(s);
}

/* One line (without its '\n'): a record, a processing-log entry, or nothing (header, empty).
 * Returns 0, or a negative code that stops the pipeline (ENOMEM). */
static int handle_line(lines_src *s, const char *p, size_t len)
{
    const eddy_host_api *api = s->api;
    s->line_no++;
    if (len && p[len - 1] == '\r')
        len--;
    if (s->skip_header) {
        s->skip_header = false;
        return 0;
    }
    if (len == 0)
        return 0;
    if (len > MAX_LINE) {
        char why[128];
        snprintf(why, sizeof why, "line %lld is longer than %u bytes: skipped",
                 (long long)s->line_no, MAX_LINE);
        api->record_error(s->op, NULL, (const uint8_t *)p, RAW_PREVIEW, EDDY_ERANGE, why);
        return 0;
    }
    if (!s->out) {
        s->out = api->batch_new(s->op, s->cfg.schema, s->target);
        if (!s->out)
            return EDDY_ENOMEM;
    }
    char *copy = api->batch_alloc(s->out, len);
    if (!copy)
        return EDDY_ENOMEM;
    memcpy(copy, p, len);
    eddy_record *rec = api->batch_append(s->out);
    if (!rec)
        return EDDY_ENOMEM;
    rec->rowtime = s->now;
    rec->origin.source = s->source;
    rec->origin.partition = -1;
    rec->origin.offset = s->line_no;
    rec->raw_value = (const uint8_t *)copy;
    rec->raw_value_len = (uint32_t)len;

    char why[EDDY_ERRSTR_SIZE] = "";
    int rc = api->serde_decode(s->cfg.serde, (const uint8_t *)copy, len, rec, s->out->arena,
                               why, sizeof why);
    if (rc) {
        api->record_error(s->op, rec, (const uint8_t *)copy, len, rc, why);
        api->batch_pop(s->out);
        return 0;
    }
    if (s->cfg.ts_col >= 0) {
        const eddy_value *v = &rec->cols[s->cfg.ts_col];
        const char *col = s->cfg.schema->cols[s->cfg.ts_col].name;
        int64_t ts = v->type == EDDY_TYPE_TIMESTAMP ? v->u.ts : v->u.i64;
        if (v->is_null || ts < 0) {
            if (v->is_null)
                snprintf(why, sizeof why, "timestamp column '%s' is NULL", col);
            else
                snprintf(why, sizeof why, "timestamp column '%s' is negative: %lld", col,
                         (long long)ts);
            api->record_error(s->op, rec, (const uint8_t *)copy, len,
                              v->is_null ? EDDY_EINVAL : EDDY_ERANGE, why);
            api->batch_pop(s->out);
            return 0;
        }
        rec->rowtime = ts;
    }
    s->n++;
    return 0;
}

/* Takes the complete lines in the buffer until the batch is full. */
static int take_lines(lines_src *s)
{
    while (s->n < s->target && s->start < s->end) {
        const char *p = s->buf + s->start;
        size_t avail = s->end - s->start;
        const char *nl = memchr(p, '\n', avail);
        if (s->skipping_long) {
            s->start = nl ? s->start + (size_t)(nl - p) + 1 : s->end;
            s->skipping_long = nl == NULL;
            continue;
        }
        if (!nl)
            return 0;
        s->start += (size_t)(nl - p) + 1;
        int rc = handle_line(s, p, (size_t)(nl - p));
        if (rc)
            return rc;
    }
    return 0;
}

/* The bytes left after the last '\n': a last line without newline. */
static int take_partial(lines_src *s)
{
    if (s->skipping_long) {
        s->start = s->end;
        s->skipping_long = false;
        return 0;
    }
    if (s->start == s->end)
        return 0;
    const char *p = s->buf + s->start;
    size_t len = s->end - s->start;
    s->start = s->end;
    return handle_line(s, p, len);
}

/* Reads more bytes after the partial line. Called only when the buffer holds no '\n'. */
static int fill(lines_src *s, int wait_ms)
{
    if (s->start > 0) {
        memmove(s->buf, s->buf + s->start, s->end - s->start);
        s->end -= s->start;
        s->start = 0;
    }
    if (s->end > MAX_LINE) {
        /* No newline in sight: log the line's start and drop it up to its end. */
        s->line_no++;
        if (s->skip_header) {
            s->skip_header = false;
        } else {
            char why[128];
            snprintf(why, sizeof why, "line %lld is longer than %u bytes: skipped",
                     (long long)s->line_no, MAX_LINE);
            s->api->record_error(s->op, NULL, (const uint8_t *)s->buf, RAW_PREVIEW, EDDY_ERANGE,
                                 why);
        }
        s->end = 0;
        s->skipping_long = true;
    }
    size_t want = BUF_CAP - s->end;
    if (want > READ_SIZE)
        want = READ_SIZE;
    if (s->pollable) {
        /* Pipes, terminals: never block the task for long, so stopping() is seen. */
        struct pollfd pfd = {.fd = s->fd, .events = POLLIN};
        int r = poll(&pfd, 1, wait_ms);
        if (r == 0 || (r < 0 && errno == EINTR))
            return FILL_AGAIN;
        if (r < 0) {
            s->api->log(s->op, EDDY_LOG_ERROR, "poll '%s': %s", s->source, strerror(errno));
            return EDDY_EIO;
        }
    }
    ssize_t r;
    do
        r = read(s->fd, s->buf + s->end, want);
    while (r < 0 && errno == EINTR);
    if (r < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK)
            return FILL_AGAIN;
        s->api->log(s->op, EDDY_LOG_ERROR, "read '%s': %s", s->source, strerror(errno));
        return EDDY_EIO;
    }
    if (r == 0) {
        s->at_eof = true;
        return FILL_EOF;
    }
    s->end += (size_t)r;
    s->offset += r;
    s->at_eof = false;
    return FILL_DATA;
}

static bool try_open(lines_src *s)
{
    int fd = open(s->path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        if (!s->warned_missing)
            s->api->log(s->op, EDDY_LOG_INFO, "waiting for '%s': %s", s->path, strerror(errno));
        s->warned_missing = true;
        return false;
    }
    s->warned_missing = false;
    adopt_fd(s, fd);
    return true;
}

/* Following, at EOF: truncation (size below what we read) restarts the file; rotation (a
 * new inode at the path) finishes the old file and opens the new one. Returns 1 when there
 * is something to read, 0 when there is nothing new, or a negative error. */
static int check_file(lines_src *s)
{
    struct stat fst, pst;
    if (!s->path)
        return 0;
    if (fstat(s->fd, &fst) == 0 && S_ISREG(fst.st_mode) && fst.st_size < s->offset) {
        s->api->log(s->op, EDDY_LOG_INFO, "'%s' was truncated: reading it from the start",
                    s->path);
        if (lseek(s->fd, 0, SEEK_SET) < 0) {
            s->api->log(s->op, EDDY_LOG_ERROR, "lseek '%s': %s", s->path, strerror(errno));
            return EDDY_EIO;
        }
        reset_file_state(s);
        return 1;
    }
    if (stat(s->path, &pst) != 0 || (pst.st_ino == s->ino && pst.st_dev == s->dev))
        return 0; /* unchanged, or moved away and the new file is not there yet */
    /* Rotated. A writer may have appended to the old file since our last read. */
    int f = fill(s, 0);
    if (f != FILL_EOF)
        return f == FILL_AGAIN ? 0 : f;
    int rc = take_partial(s);
    if (rc)
        return rc;
    int fd = open(s->path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    s->api->log(s->op, EDDY_LOG_INFO, "'%s' was rotated: following the new file", s->path);
    close(s->fd);
    adopt_fd(s, fd);
    return 1;
}

/* ------------------------------------------------------------ lifecycle */

int lines_create(const eddy_host_api *api, eddy_op *op, const char *source, int fd,
                 const char *path, bool follow, lines_src **out, char *errstr,
                 size_t errstr_size)
{
    lines_src *s = calloc(1, sizeof *s);
    if (!s)
        return pu_err(errstr, errstr_size, EDDY_ENOMEM, "out of memory");
    s->api = api;
    s->op = op;
    s->fd = -1;
    int rc = cfg_init(api, op, &s->cfg, errstr, errstr_size);
    if (rc) {
        free(s);
        return rc;
    }
    s->source = strdup(source);
    s->path = path ? strdup(path) : NULL;
    s->buf = malloc(BUF_CAP);
    if (!s->source || (path && !s->path) || !s->buf) {
        lines_destroy(s);
        return pu_err(errstr, errstr_size, EDDY_ENOMEM, "out of memory");
    }
    s->follow = follow;
    s->close_fd = path != NULL;
    if (fd >= 0)
        adopt_fd(s, fd);
    else
        reset_file_state(s);
    *out = s;
    return 0;
}

void lines_destroy(lines_src *s)
{
    if (!s)
        return;
    if (s->fd >= 0 && s->close_fd)
        close(s->fd);
    if (s->out)
        s->api->batch_release(s->out);
    cfg_fini(s->api, &s->cfg);
    free(s->buf);
    free(s->source);
    free(s->path);
    free(s);
}

int lines_poll(lines_src *s, int max_records)
{
    const eddy_host_api *api = s->api;
    if (s->done)
        return EDDY_EOF;
    bool stopping = api->stopping(s->op);
    if (s->fd < 0) {
        if (stopping || !s->follow || !s->path) {
            s->done = true;
            return EDDY_EOF;
        }
        if (!try_open(s))
            return 0; /* nothing now: the host backs off before polling again */
    }
    s->target = s->cfg.batch_size;
    if (max_records > 0 && (uint32_t)max_records < s->target)
        s->target = (uint32_t)max_records;
    s->n = 0;
    s->now = api->now_ms();

    int rc = 0;
    for (;;) {
        rc = take_lines(s);
        if (rc || s->n >= s->target)
            break;
        if (stopping) {
            /* Emit what was read; a partial line counts only when it ends the file. */
            if (!s->at_eof)
                s->start = s->end;
            rc = take_partial(s);
            s->done = true;
            break;
        }
        int f = fill(s, s->n ? 0 : WAIT_MS);
        if (f == FILL_DATA)
            continue;
        if (f < 0) {
            rc = f;
            break;
        }
        if (f == FILL_AGAIN)
            break;
        if (!s->follow) {
            rc = take_partial(s);
            s->done = true;
            break;
        }
        int c = check_file(s);
        if (c < 0) {
            rc = c;
            break;
        }
        if (c == 0)
            break; /* nothing new: the host backs off when a round produced nothing */
    }

    if (s->out) {
        int erc = 0;
        if (rc == 0 && s->n > 0)
            erc = api->emit(s->op, 0, s->out);
        api->batch_release(s->out);
        s->out = NULL;
        if (erc)
            return erc;
    }
    if (rc)
        return rc;
    if (s->n == 0 && s->done)
        return EDDY_EOF;
    return (int)s->n;
}
