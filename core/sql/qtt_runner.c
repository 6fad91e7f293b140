/* qtt_runner.c: expands, runs and judges ksqlDB query-validation-test cases (qtt_runner.h). */
#include "sql/qtt_runner.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "sql/engine.h"

#define DOUBLE_TOLERANCE 1e-6

/* ---- small string helpers ---------------------------------------------------------------- */

static char *xstrdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = malloc(n);
    if (p)
        memcpy(p, s, n);
    return p;
}

/* Copy of `s` with every `pat` replaced by `rep` (rep NULL: plain copy). */
static char *replace_all(const char *s, const char *pat, const char *rep)
{
    if (!rep)
        return xstrdup(s);
    eddy_buf b = {0};
    size_t pl = strlen(pat);
    const char *q;
    while ((q = strstr(s, pat))) {
        eddy_buf_append(&b, s, (size_t)(q - s));
        eddy_buf_puts(&b, rep);
        s = q + pl;
    }
    eddy_buf_puts(&b, s);
    char *out = xstrdup(eddy_buf_cstr(&b));
    eddy_buf_free(&b);
    return out;
}

/* A property value as text: strings as they are, anything else as its JSON. */
static char *json_scalar_text(const eddy_json *v)
{
    if (v->type == EDDY_JSON_STRING)
        return xstrdup(v->str);
    eddy_buf b = {0};
    eddy_json_write(v, &b);
    char *out = xstrdup(eddy_buf_cstr(&b));
    eddy_buf_free(&b);
    return out;
}

static void buf_json(eddy_buf *b, const eddy_json *v, size_t max)
{
    size_t start = b->len;
    eddy_json_write(v, b);
    if (b->len - start > max) {
        b->len = start + max;
        eddy_buf_puts(b, "...");
    }
}

const char *eddy_qtt_status_name(eddy_qtt_status s)
{
    return s == EDDY_QTT_PASS ? "PASS" : s == EDDY_QTT_SKIP ? "SKIP" : "FAIL";
}

/* ---- reading cases ----------------------------------------------------------------------- */

int eddy_qtt_record_read(const eddy_json *obj, eddy_qtt_record *out, char *errstr,
                         size_t errstr_size)
{
    memset(out, 0, sizeof *out);
    if (!obj || obj->type != EDDY_JSON_OBJECT)
        return eddy_seterr(errstr, errstr_size, EDDY_EPARSE, "a record must be an object");
    out->topic = eddy_json_string(eddy_json_get(obj, "topic"));
    if (!out->topic)
        return eddy_seterr(errstr, errstr_size, EDDY_EPARSE, "a record needs a string 'topic'");
    out->key = eddy_json_get(obj, "key");
    if (out->key && out->key->type == EDDY_JSON_NULL)
        out->key = NULL;
    out->value = eddy_json_get(obj, "value");
    const eddy_json *ts = eddy_json_get(obj, "timestamp");
    if (ts && ts->type != EDDY_JSON_NULL) {
        if (!eddy_json_is_integer(ts))
            return eddy_seterr(errstr, errstr_size, EDDY_EPARSE,
                               "record 'timestamp' must be an integer");
        out->has_timestamp = true;
        out->timestamp = strtoll(ts->str, NULL, 10);
    }
    out->window = eddy_json_get(obj, "window");
    if (out->window && out->window->type == EDDY_JSON_NULL)
        out->window = NULL;
    if (out->window && out->window->type != EDDY_JSON_OBJECT)
        return eddy_seterr(errstr, errstr_size, EDDY_EPARSE, "record 'window' must be an object");
    out->headers = eddy_json_get(obj, "headers");
    if (out->headers && out->headers->type == EDDY_JSON_NULL)
        out->headers = NULL;
    if (out->headers && out->headers->type != EDDY_JSON_ARRAY)
        return eddy_seterr(errstr, errstr_size, EDDY_EPARSE, "record 'headers' must be an array");
    return 0;
}

static int read_records(const eddy_json *arr, const char *what, eddy_qtt_record **out,
                        size_t *n, char *errstr, size_t errstr_size)
{
    *out = NULL;
    *n = 0;
    if (!arr || arr->type == EDDY_JSON_NULL)
        return 0;
    if (arr->type != EDDY_JSON_ARRAY)
        return eddy_seterr(errstr, errstr_size, EDDY_EPARSE, "'%s' must be an array", what);
    *out = calloc(arr->count ? arr->count : 1, sizeof **out);
    if (!*out)
        return eddy_seterr(errstr, errstr_size, EDDY_ENOMEM, "out of memory");
    char err[EDDY_ERRSTR_SIZE];
    for (const eddy_json *e = arr->child; e; e = e->next) {
        if (eddy_qtt_record_read(e, &(*out)[*n], err, sizeof err))
            return eddy_seterr(errstr, errstr_size, EDDY_EPARSE, "%s[%zu]: %s", what, *n, err);
        (*n)++;
    }
    return 0;
}

void eddy_qtt_runs_free(eddy_qtt_run *runs, size_t n)
{
    if (!runs)
        return;
    for (size_t i = 0; i < n; i++) {
        eddy_qtt_run *r = &runs[i];
        free(r->name);
        free(r->variant);
        for (size_t j = 0; j < r->nstatements; j++)
            free(r->statements[j]);
        free(r->statements);
        for (size_t j = 0; r->props && r->props[j]; j++)
            free(r->props[j]);
        free(r->props);
        for (size_t j = 0; j < r->ntopic_formats; j++)
            free(r->topic_formats[j]);
        free(r->topic_formats);
        free(r->inputs);
        free(r->outputs);
        free(r->exception_message);
    }
    free(runs);
}

/* Variant strings of `format` or `config` (an array of strings); *n = 0 when absent. */
static int variant_list(const eddy_json *c, const char *member, const eddy_json **arr,
                        size_t *n, char *errstr, size_t errstr_size)
{
    *arr = eddy_json_get(c, member);
    *n = 0;
    if (!*arr || (*arr)->type == EDDY_JSON_NULL) {
        *arr = NULL;
        return 0;
    }
    if ((*arr)->type != EDDY_JSON_ARRAY)
        return eddy_seterr(errstr, errstr_size, EDDY_EPARSE, "'%s' must be an array", member);
    for (const eddy_json *e = (*arr)->child; e; e = e->next)
        if (e->type != EDDY_JSON_STRING)
            return eddy_seterr(errstr, errstr_size, EDDY_EPARSE,
                               "'%s' entries must be strings", member);
    *n = (*arr)->count;
    return 0;
}

static int expand_one(const eddy_json *c, const char *name, const char *fmt, const char *cfg,
                      eddy_qtt_run *r, char *errstr, size_t errstr_size)
{
    const eddy_json *props = eddy_json_get(c, "properties");
    if (props && props->type != EDDY_JSON_OBJECT && props->type != EDDY_JSON_NULL)
        return eddy_seterr(errstr, errstr_size, EDDY_EPARSE, "'properties' must be an object");
    size_t nprops = props && props->type == EDDY_JSON_OBJECT ? props->count : 0;
    r->props = calloc(2 * nprops + 1, sizeof *r->props);
    if (!r->props)
        return eddy_seterr(errstr, errstr_size, EDDY_ENOMEM, "out of memory");
    eddy_buf cfgname = {0};
    size_t k = 0;
    for (const eddy_json *p = nprops ? props->child : NULL; p; p = p->next) {
        char *v = json_scalar_text(p);
        r->props[k++] = xstrdup(p->key);
        r->props[k++] = replace_all(v, "{CONFIG}", cfg);
        if (cfg && strstr(v, "{CONFIG}"))
            eddy_buf_printf(&cfgname, "%s%s=%s", cfgname.len ? ", " : "", p->key, r->props[k - 1]);
        free(v);
    }
    if (cfg && cfgname.len == 0)
        eddy_buf_printf(&cfgname, "config=%s", cfg);

    eddy_buf vname = {0};
    if (fmt)
        eddy_buf_puts(&vname, fmt);
    if (cfg)
        eddy_buf_printf(&vname, "%s%s", vname.len ? " - " : "", eddy_buf_cstr(&cfgname));
    r->variant = xstrdup(vname.len ? eddy_buf_cstr(&vname) : "");
    eddy_buf_clear(&cfgname);
    eddy_buf_printf(&cfgname, "%s%s%s", name, vname.len ? " - " : "", r->variant);
    r->name = xstrdup(eddy_buf_cstr(&cfgname));
    eddy_buf_free(&cfgname);
    eddy_buf_free(&vname);

    const eddy_json *st = eddy_json_get(c, "statements");
    if (!st || st->type != EDDY_JSON_ARRAY)
        return eddy_seterr(errstr, errstr_size, EDDY_EPARSE, "'statements' must be an array");
    r->statements = calloc(st->count + 1, sizeof *r->statements);
    if (!r->statements || !r->name || !r->variant)
        return eddy_seterr(errstr, errstr_size, EDDY_ENOMEM, "out of memory");
    for (const eddy_json *s = st->child; s; s = s->next) {
        if (s->type != EDDY_JSON_STRING)
            return eddy_seterr(errstr, errstr_size, EDDY_EPARSE, "statements must be strings");
        r->statements[r->nstatements++] = replace_all(s->str, "{FORMAT}", fmt);
    }

    const eddy_json *topics = eddy_json_get(c, "topics");
    if (topics && topics->type == EDDY_JSON_ARRAY) {
        r->topic_formats = calloc(3 * topics->count + 1, sizeof *r->topic_formats);
        if (!r->topic_formats)
            return eddy_seterr(errstr, errstr_size, EDDY_ENOMEM, "out of memory");
        for (const eddy_json *t = topics->child; t; t = t->next) {
            static const char *const members[] = {"keyFormat", "valueFormat", "format"};
            for (size_t i = 0; i < 3; i++) {
                const char *f = eddy_json_string(eddy_json_get(t, members[i]));
                if (f)
                    r->topic_formats[r->ntopic_formats++] = replace_all(f, "{FORMAT}", fmt);
            }
        }
    }

    int rc = read_records(eddy_json_get(c, "inputs"), "inputs", &r->inputs, &r->ninputs, errstr,
                         errstr_size);
    if (rc == 0)
        rc = read_records(eddy_json_get(c, "outputs"), "outputs", &r->outputs, &r->noutputs,
                          errstr, errstr_size);
    if (rc)
        return rc;
    const eddy_json *ex = eddy_json_get(c, "expectedException");
    if (!ex) /* the REST cases (rest-query-validation) name it so */
        ex = eddy_json_get(c, "expectedError");
    if (ex && ex->type == EDDY_JSON_OBJECT) {
        r->expect_exception = true;
        const char *m = eddy_json_string(eddy_json_get(ex, "message"));
        if (m)
            r->exception_message = xstrdup(m);
    }
    r->post = eddy_json_get(c, "post");
    return 0;
}

int eddy_qtt_expand(const eddy_json *c, eddy_qtt_run **runs, size_t *nruns, char *errstr,
                    size_t errstr_size)
{
    *runs = NULL;
    *nruns = 0;
    if (!c || c->type != EDDY_JSON_OBJECT)
        return eddy_seterr(errstr, errstr_size, EDDY_EPARSE, "a case must be an object");
    const char *name = eddy_json_string(eddy_json_get(c, "name"));
    if (!name)
        return eddy_seterr(errstr, errstr_size, EDDY_EPARSE, "a case needs a string 'name'");
    const eddy_json *fmts, *cfgs;
    size_t nf, nc;
    int rc = variant_list(c, "format", &fmts, &nf, errstr, errstr_size);
    if (rc == 0)
        rc = variant_list(c, "config", &cfgs, &nc, errstr, errstr_size);
    if (rc)
        return rc;
    size_t n = (nf ? nf : 1) * (nc ? nc : 1);
    eddy_qtt_run *out = calloc(n, sizeof *out);
    if (!out)
        return eddy_seterr(errstr, errstr_size, EDDY_ENOMEM, "out of memory");
    size_t k = 0;
    for (size_t i = 0; i < (nf ? nf : 1) && rc == 0; i++) {
        const char *fmt = nf ? eddy_json_at(fmts, i)->str : NULL;
        for (size_t j = 0; j < (nc ? nc : 1) && rc == 0; j++) {
            const char *cfg = nc ? eddy_json_at(cfgs, j)->str : NULL;
            rc = expand_one(c, name, fmt, cfg, &out[k++], errstr, errstr_size);
        }
    }
    if (rc) {
        eddy_qtt_runs_free(out, k);
        return rc;
    }
    *runs = out;
    *nruns = n;
    return 0;
}

/* ---- formats eddy lacks ------------------------------------------------------------------ */

static bool format_supported(const char *f)
{
    static const char *const ok[] = {"JSON", "KAFKA", "DELIMITED", "NONE"};
    for (size_t i = 0; i < sizeof ok / sizeof *ok; i++)
        if (strcasecmp(f, ok[i]) == 0)
            return true;
    return false;
}

static bool format_known(const char *f)
{
    static const char *const known[] = {"AVRO", "PROTOBUF", "PROTOBUF_NOSR", "JSON_SR"};
    for (size_t i = 0; i < sizeof known / sizeof *known; i++)
        if (strcasecmp(f, known[i]) == 0)
            return true;
    return format_supported(f);
}

/* True (reason written) when format `f` makes the run unjudgeable. An unknown name in a
 * case expecting an error is the error under test ("Unknown format: FOO"), not a need. */
static bool check_format(const eddy_qtt_run *r, const char *f, const char *where, char *why,
                         size_t why_size)
{
    if (!f || !*f || format_supported(f))
        return false;
    if (!format_known(f) && r->expect_exception)
        return false;
    char upper[64];
    size_t i = 0;
    for (; f[i] && i + 1 < sizeof upper; i++)
        upper[i] = (char)toupper((unsigned char)f[i]);
    upper[i] = '\0';
    snprintf(why, why_size, "needs format %s (%s); eddy has JSON, KAFKA, DELIMITED, NONE", upper,
             where);
    return true;
}

/* Finds FORMAT/KEY_FORMAT/VALUE_FORMAT = '...' outside literals in `sql`. */
static bool scan_statement(const eddy_qtt_run *r, const char *sql, char *why, size_t why_size)
{
    const char *p = sql;
    while (*p) {
        if (*p == '\'' || *p == '`' || *p == '"') {
            char q = *p++;
            while (*p && !(*p == q && p[1] != q)) {
                if (*p == q)
                    p++;
                p++;
            }
            if (*p)
                p++;
            continue;
        }
        if (p[0] == '-' && p[1] == '-') {
            while (*p && *p != '\n')
                p++;
            continue;
        }
        if (!(isalpha((unsigned char)*p) || *p == '_')) {
            p++;
            continue;
        }
        const char *w = p;
        while (isalnum((unsigned char)*p) || *p == '_')
            p++;
        size_t wl = (size_t)(p - w);
        bool is_fmt = (wl == 6 && strncasecmp(w, "FORMAT", 6) == 0) ||
                      (wl == 10 && strncasecmp(w, "KEY_FORMAT", 10) == 0) ||
                      (wl == 12 && strncasecmp(w, "VALUE_FORMAT", 12) == 0);
        if (!is_fmt)
            continue;
        const char *q = p;
        while (isspace((unsigned char)*q))
            q++;
        if (*q != '=')
            continue;
        q++;
        while (isspace((unsigned char)*q))
            q++;
        if (*q != '\'')
            continue;
        const char *v = ++q;
        while (*q && *q != '\'')
            q++;
        char fmt[64];
        snprintf(fmt, sizeof fmt, "%.*s", (int)(q - v), v);
        char where[96];
        snprintf(where, sizeof where, "%.*s in a statement", (int)wl, w);
        for (char *c = where; *c && *c != ' '; c++)
            *c = (char)toupper((unsigned char)*c);
        if (check_format(r, fmt, where, why, why_size))
            return true;
        p = *q ? q + 1 : q;
    }
    return false;
}

bool eddy_qtt_skip_reason(const eddy_qtt_run *r, char *why, size_t why_size)
{
    for (size_t i = 0; i < r->nstatements; i++)
        if (scan_statement(r, r->statements[i], why, why_size))
            return true;
    for (size_t i = 0; r->props && r->props[i]; i += 2) {
        if (strcmp(r->props[i], "ksql.persistence.default.format.value") == 0 ||
            strcmp(r->props[i], "ksql.persistence.default.format.key") == 0)
            if (check_format(r, r->props[i + 1], r->props[i], why, why_size))
                return true;
    }
    for (size_t i = 0; i < r->ntopic_formats; i++)
        if (check_format(r, r->topic_formats[i], "declared topic", why, why_size))
            return true;
    return false;
}

/* ---- ksqlDB types, as far as comparing needs them ---------------------------------------- */

typedef enum { T_OTHER, T_DECIMAL, T_DOUBLE, T_INTEGER, T_STRING, T_ARRAY, T_MAP, T_STRUCT } tkind;

typedef struct qtype qtype;
struct qtype {
    tkind kind;
    int scale;        /* DECIMAL(p, s): s; -1 when not given */
    const char *name; /* field or column name */
    bool key;         /* a key column */
    qtype *elem;      /* ARRAY element, MAP value */
    qtype *fields;    /* STRUCT fields, linked through next */
    size_t nfields;
    qtype *next;
};

typedef struct tparser {
    const char *p;
    eddy_arena *arena;
    bool bad;
} tparser;

static void t_ws(tparser *tp)
{
    while (isspace((unsigned char)*tp->p))
        tp->p++;
}

static bool t_eat(tparser *tp, char c)
{
    t_ws(tp);
    if (*tp->p != c)
        return false;
    tp->p++;
    return true;
}

/* An identifier, `quoted` or bare; bare ones are returned as written. */
static const char *t_name(tparser *tp)
{
    t_ws(tp);
    eddy_buf b = {0};
    if (*tp->p == '`') {
        tp->p++;
        while (*tp->p && !(*tp->p == '`' && tp->p[1] != '`')) {
            if (*tp->p == '`')
                tp->p++;
            eddy_buf_putc(&b, *tp->p++);
        }
        if (*tp->p)
            tp->p++;
    } else {
        while (isalnum((unsigned char)*tp->p) || *tp->p == '_' || *tp->p == '.')
            eddy_buf_putc(&b, *tp->p++);
    }
    if (b.len == 0)
        tp->bad = true;
    char *s = eddy_arena_strndup(tp->arena, b.data ? b.data : "", b.len);
    eddy_buf_free(&b);
    return s;
}

static void t_skip_parens(tparser *tp)
{
    if (!t_eat(tp, '('))
        return;
    while (*tp->p && *tp->p != ')')
        tp->p++;
    if (!t_eat(tp, ')'))
        tp->bad = true;
}

static qtype *t_type(tparser *tp, int depth)
{
    qtype *t = eddy_arena_calloc(tp->arena, 1, sizeof *t);
    if (depth > 64) {
        tp->bad = true;
        return t;
    }
    const char *w = t_name(tp);
    if (tp->bad)
        return t;
    if (strcasecmp(w, "ARRAY") == 0 || strcasecmp(w, "MAP") == 0) {
        t->kind = strcasecmp(w, "ARRAY") == 0 ? T_ARRAY : T_MAP;
        if (!t_eat(tp, '<')) {
            tp->bad = true;
            return t;
        }
        t->elem = t_type(tp, depth + 1);
        if (t->kind == T_MAP) {
            if (!t_eat(tp, ','))
                tp->bad = true;
            t->elem = t_type(tp, depth + 1);
        }
        if (!t_eat(tp, '>'))
            tp->bad = true;
    } else if (strcasecmp(w, "STRUCT") == 0) {
        t->kind = T_STRUCT;
        if (!t_eat(tp, '<')) {
            tp->bad = true;
            return t;
        }
        qtype **tail = &t->fields;
        if (t_eat(tp, '>'))
            return t;
        do {
            const char *fname = t_name(tp);
            qtype *f = t_type(tp, depth + 1);
            f->name = fname;
            *tail = f;
            tail = &f->next;
            t->nfields++;
        } while (!tp->bad && t_eat(tp, ','));
        if (!t_eat(tp, '>'))
            tp->bad = true;
    } else {
        t->scale = -1;
        if (strcasecmp(w, "DECIMAL") == 0) {
            t->kind = T_DECIMAL;
            const char *q = tp->p;
            while (isspace((unsigned char)*q))
                q++;
            long prec, scale;
            char *end;
            if (*q == '(' && (prec = strtol(q + 1, &end, 10)) > 0) {
                while (isspace((unsigned char)*end))
                    end++;
                if (*end == ',' && (scale = strtol(end + 1, &end, 10)) >= 0 && scale <= prec)
                    t->scale = (int)scale;
            }
        }
        else if (strcasecmp(w, "DOUBLE") == 0)
            t->kind = T_DOUBLE;
        else if (strcasecmp(w, "INT") == 0 || strcasecmp(w, "INTEGER") == 0 ||
                 strcasecmp(w, "BIGINT") == 0)
            t->kind = T_INTEGER;
        else if (strcasecmp(w, "STRING") == 0 || strcasecmp(w, "VARCHAR") == 0)
            t->kind = T_STRING;
        t_skip_parens(tp);
    }
    return t;
}

/* Parses "A INT KEY, B DOUBLE, ..." into the key type (one column: its type; several: a
 * struct) and the value type (a struct of the other columns). NULLs when it does not parse. */
static void parse_schema(eddy_arena *a, const char *schema, qtype **key, qtype **value)
{
    *key = *value = NULL;
    if (!schema)
        return;
    tparser tp = {.p = schema, .arena = a};
    qtype *k = eddy_arena_calloc(a, 1, sizeof *k), *v = eddy_arena_calloc(a, 1, sizeof *v);
    k->kind = v->kind = T_STRUCT;
    qtype **kt = &k->fields, **vt = &v->fields;
    t_ws(&tp);
    while (*tp.p && !tp.bad) {
        const char *name = t_name(&tp);
        qtype *c = t_type(&tp, 0);
        c->name = name;
        t_ws(&tp);
        if (strncasecmp(tp.p, "PRIMARY", 7) == 0) {
            tp.p += 7;
            t_ws(&tp);
        }
        if (strncasecmp(tp.p, "KEY", 3) == 0 && !isalnum((unsigned char)tp.p[3])) {
            tp.p += 3;
            c->key = true;
        } else if (strncasecmp(tp.p, "HEADER", 6) == 0) {
            while (isalpha((unsigned char)*tp.p))
                tp.p++;
            t_skip_parens(&tp);
            continue; /* not part of the value */
        }
        if (c->key) {
            *kt = c;
            kt = &c->next;
            k->nfields++;
        } else {
            *vt = c;
            vt = &c->next;
            v->nfields++;
        }
        if (!t_eat(&tp, ',')) {
            t_ws(&tp);
            if (*tp.p)
                tp.bad = true;
            break;
        }
    }
    if (tp.bad)
        return;
    *key = k->nfields == 1 ? k->fields : k;
    *value = v;
}

static const qtype *field_type(const qtype *t, const char *name)
{
    if (!t)
        return NULL;
    if (t->kind == T_MAP)
        return t->elem;
    if (t->kind != T_STRUCT)
        return NULL;
    for (const qtype *f = t->fields; f; f = f->next)
        if (strcmp(f->name, name) == 0)
            return f;
    for (const qtype *f = t->fields; f; f = f->next)
        if (strcasecmp(f->name, name) == 0)
            return f;
    return NULL;
}

/* ---- comparing values -------------------------------------------------------------------- */

/* A number's exact decimal form: sign, significant digits (no leading zeros), scale. */
typedef struct decnum {
    bool neg;
    char digits[128];
    size_t ndigits;
    long scale;
} decnum;

static bool dec_parse(const char *s, decnum *d)
{
    memset(d, 0, sizeof *d);
    const char *p = s;
    if (*p == '-' || *p == '+')
        d->neg = *p++ == '-';
    long frac = 0;
    bool seen_point = false, any = false;
    for (; *p; p++) {
        if (*p == '.' && !seen_point) {
            seen_point = true;
        } else if (*p >= '0' && *p <= '9') {
            any = true;
            if (seen_point)
                frac++;
            if (d->ndigits == 0 && *p == '0')
                continue;
            if (d->ndigits + 1 >= sizeof d->digits)
                return false;
            d->digits[d->ndigits++] = *p;
        } else {
            break;
        }
    }
    if (!any)
        return false;
    long exp = 0;
    if (*p == 'e' || *p == 'E') {
        char *end;
        exp = strtol(p + 1, &end, 10);
        if (end == p + 1)
            return false;
        p = end;
    }
    if (*p)
        return false;
    d->scale = frac - exp;
    if (d->ndigits == 0)
        d->neg = false; /* BigDecimal has no negative zero */
    return true;
}

/* Same value, any scale: 12.30 == 12.3, 1 == 1.00 (trailing zeros dropped first). */
static bool decimal_value_equal(const char *e, const char *a)
{
    decnum x, y;
    if (!dec_parse(e, &x) || !dec_parse(a, &y))
        return false;
    decnum *d[2] = {&x, &y};
    for (int i = 0; i < 2; i++)
        while (d[i]->ndigits && d[i]->digits[d[i]->ndigits - 1] == '0') {
            d[i]->ndigits--;
            d[i]->scale--;
        }
    if (x.ndigits == 0 || y.ndigits == 0)
        return x.ndigits == y.ndigits;
    return x.neg == y.neg && x.scale == y.scale && x.ndigits == y.ndigits &&
           memcmp(x.digits, y.digits, x.ndigits) == 0;
}

static long decimal_scale(const char *s)
{
    decnum d;
    return dec_parse(s, &d) ? d.scale : -1;
}

/* Exact, scale included: 12.30 != 12.3, 1 != 1.0. */
static bool decimal_equal(const char *e, const char *a)
{
    decnum x, y;
    if (!dec_parse(e, &x) || !dec_parse(a, &y))
        return false;
    return x.neg == y.neg && x.scale == y.scale && x.ndigits == y.ndigits &&
           memcmp(x.digits, y.digits, x.ndigits) == 0;
}

/* Same value: 1 == 1.0 == 1E0 (integers of any size exactly). */
static bool integer_lexemes_equal(const char *e, const char *a)
{
    decnum x, y;
    if (!dec_parse(e, &x) || !dec_parse(a, &y))
        return false;
    return x.neg == y.neg && x.ndigits == y.ndigits &&
           memcmp(x.digits, y.digits, x.ndigits) == 0;
}

static bool doubles_equal(double x, double y)
{
    if (x == y || (isnan(x) && isnan(y)))
        return true;
    return fabs(x - y) <= DOUBLE_TOLERANCE;
}

/* DECIMAL(p, s): the actual value must carry scale s exactly (ksqlDB keeps every decimal at
 * its type's scale: 12.3 in a DECIMAL(4,2) column is written 12.30) and equal the expected
 * value exactly. The expected number's own scale cannot be trusted: the QTT files went
 * through a JSON library that rewrote 12.30 as 12.3 (every number lexeme in them is in
 * shortest float form), so an expected 12.3 matches an actual 12.30 but an engine writing
 * 12.3 for DECIMAL(4,2) fails. With no declared scale, the lexemes' scales must agree. */
static bool numbers_equal(const eddy_json *e, const eddy_json *a, const qtype *t)
{
    if (t && t->kind == T_DECIMAL) {
        if (t->scale < 0)
            return decimal_equal(e->str, a->str);
        return decimal_scale(a->str) == t->scale && decimal_value_equal(e->str, a->str);
    }
    if (eddy_json_is_integer(e) && eddy_json_is_integer(a))
        return integer_lexemes_equal(e->str, a->str);
    return doubles_equal(eddy_json_number(e), eddy_json_number(a));
}

static bool values_equal(const eddy_json *e, const eddy_json *a, const qtype *t);

/* A struct of one field stands for its field when the value is unwrapped (single values). */
static const qtype *unwrap(const qtype *t, const eddy_json *v)
{
    if (t && t->kind == T_STRUCT && v && v->type != EDDY_JSON_OBJECT && v->type != EDDY_JSON_NULL)
        return t->nfields == 1 ? t->fields : NULL;
    return t;
}

/* The member of `obj` for field `name` as ksqlDB's JSON deserializer finds it: the exact key,
 * else a key that upper-cased is the name. NULL when absent (read as a null field). */
static const eddy_json *ksql_json_field(const eddy_json *obj, const char *name)
{
    const eddy_json *m = eddy_json_get(obj, name);
    if (m)
        return m;
    size_t n = strlen(name);
    for (m = obj->child; m; m = m->next) {
        size_t i = 0;
        while (i < n && m->key[i] && toupper((unsigned char)m->key[i]) == name[i])
            i++;
        if (i == n && m->key[n] == '\0')
            return m;
    }
    return NULL;
}

/* With the struct's schema known, ksqlDB's harness reads the expected object through the
 * topic's deserializer: each field is looked up as ksql_json_field does, a missing field is
 * null, and members that name no field are dropped. The actual object is eddy's own output:
 * it must hold no member outside the schema. Without a schema (or for maps) the objects must
 * have the same members. */
static bool objects_equal(const eddy_json *e, const eddy_json *a, const qtype *t)
{
    if (t && t->kind == T_STRUCT) {
        for (const eddy_json *m = a->child; m; m = m->next) {
            const qtype *f = t->fields;
            while (f && strcmp(f->name, m->key) != 0)
                f = f->next;
            if (!f)
                return false;
        }
        for (const qtype *f = t->fields; f; f = f->next)
            if (!values_equal(ksql_json_field(e, f->name), eddy_json_get(a, f->name), f))
                return false;
        return true;
    }
    if (e->count != a->count) /* struct field counts must match */
        return false;
    for (const eddy_json *m = e->child; m; m = m->next) {
        const eddy_json *am = eddy_json_get(a, m->key);
        if (!am)
            return false;
        if (!values_equal(m, am, field_type(t, m->key)))
            return false;
    }
    return true;
}

static bool values_equal(const eddy_json *e, const eddy_json *a, const qtype *t)
{
    bool e_null = !e || e->type == EDDY_JSON_NULL, a_null = !a || a->type == EDDY_JSON_NULL;
    if (e_null || a_null)
        return e_null && a_null;
    t = unwrap(t, a);
    if (e->type == EDDY_JSON_STRING && a->type == EDDY_JSON_NUMBER) {
        /* ksqlDB's runner reads an expected string against an actual decimal as a decimal. */
        return (!t || t->kind == T_DECIMAL) && decimal_equal(e->str, a->str);
    }
    if (e->type != a->type)
        return false;
    switch (e->type) {
    case EDDY_JSON_NUMBER: return numbers_equal(e, a, t);
    case EDDY_JSON_STRING: return e->len == a->len && memcmp(e->str, a->str, e->len) == 0;
    case EDDY_JSON_OBJECT: return objects_equal(e, a, t);
    case EDDY_JSON_ARRAY: {
        if (e->count != a->count)
            return false;
        const qtype *et = t && t->kind == T_ARRAY ? t->elem : NULL;
        for (const eddy_json *x = e->child, *y = a->child; x; x = x->next, y = y->next)
            if (!values_equal(x, y, et))
                return false;
        return true;
    }
    default: return true; /* true/false: same type is same value */
    }
}

bool eddy_qtt_values_equal(const eddy_json *expected, const eddy_json *actual,
                           const char *type)
{
    eddy_arena *a = eddy_arena_new(0);
    const qtype *t = NULL;
    if (type) {
        tparser tp = {.p = type, .arena = a};
        qtype *x = t_type(&tp, 0);
        t_ws(&tp);
        t = tp.bad || *tp.p ? NULL : x;
    }
    bool eq = values_equal(expected, actual, t);
    eddy_arena_destroy(a);
    return eq;
}

static bool window_equal(const eddy_json *e, const eddy_json *a)
{
    if (!a || a->type != EDDY_JSON_OBJECT)
        return false;
    static const char *const nums[] = {"start", "end"};
    for (size_t i = 0; i < 2; i++) {
        const eddy_json *x = eddy_json_get(e, nums[i]), *y = eddy_json_get(a, nums[i]);
        if (x && !values_equal(x, y, NULL))
            return false;
    }
    const char *xt = eddy_json_string(eddy_json_get(e, "type"));
    const char *yt = eddy_json_string(eddy_json_get(a, "type"));
    return !xt || (yt && strcasecmp(xt, yt) == 0);
}

static void describe(eddy_buf *b, const eddy_qtt_record *e)
{
    eddy_buf_puts(b, "<");
    buf_json(b, e->key, 400);
    eddy_buf_puts(b, ", ");
    buf_json(b, e->value, 600);
    eddy_buf_puts(b, ">");
    if (e->has_timestamp)
        eddy_buf_printf(b, " with timestamp=%lld", (long long)e->timestamp);
    if (e->window) {
        eddy_buf_puts(b, " window=");
        buf_json(b, e->window, 200);
    }
    if (e->headers) {
        eddy_buf_puts(b, " headers=");
        buf_json(b, e->headers, 200);
    }
}

bool eddy_qtt_compare_records(const eddy_qtt_record *expected, size_t nexpected,
                              const eddy_json *actual, const char *schema, bool unwrapped,
                              char *why, size_t why_size)
{
    const char *topic = nexpected ? expected[0].topic : "?";
    size_t nactual = actual && actual->type == EDDY_JSON_ARRAY ? actual->count : 0;
    eddy_arena *arena = eddy_arena_new(0);
    qtype *kt, *vt;
    parse_schema(arena, schema, &kt, &vt);
    if (unwrapped && vt && vt->nfields == 1)
        vt = vt->fields; /* the value is its one column's */
    eddy_buf b = {0};
    bool ok = true;
    const eddy_json *a = nactual ? actual->child : NULL;
    for (size_t i = 0; i < nexpected && i < nactual && ok; i++, a = a->next) {
        const eddy_qtt_record *e = &expected[i];
        eddy_qtt_record got;
        char err[EDDY_ERRSTR_SIZE];
        if (eddy_json_get(a, "topic") == NULL && a->type == EDDY_JSON_OBJECT) {
            /* the engine's records carry no topic: read them under the expected one */
            memset(&got, 0, sizeof got);
            got.topic = e->topic;
            got.key = eddy_json_get(a, "key");
            got.value = eddy_json_get(a, "value");
            const eddy_json *ts = eddy_json_get(a, "timestamp");
            got.has_timestamp = eddy_json_is_integer(ts);
            got.timestamp = got.has_timestamp ? strtoll(ts->str, NULL, 10) : 0;
            got.window = eddy_json_get(a, "window");
            got.headers = eddy_json_get(a, "headers");
            if (got.window && got.window->type == EDDY_JSON_NULL)
                got.window = NULL;
        } else if (eddy_qtt_record_read(a, &got, err, sizeof err)) {
            eddy_buf_printf(&b, "topic '%s', record %zu: unreadable actual record: %s", topic, i,
                            err);
            ok = false;
            break;
        }
        const char *field = NULL;
        if (!values_equal(e->key, got.key, kt))
            field = "key";
        else if (!values_equal(e->value, got.value, vt))
            field = "value";
        else if (e->has_timestamp && (!got.has_timestamp || got.timestamp != e->timestamp))
            field = "timestamp";
        else if (e->window && !window_equal(e->window, got.window))
            field = "window";
        else if (e->headers) {
            bool empty_e = e->headers->count == 0;
            bool empty_a = !got.headers || got.headers->type == EDDY_JSON_NULL ||
                           (got.headers->type == EDDY_JSON_ARRAY && got.headers->count == 0);
            if (!(empty_e && empty_a) && !values_equal(e->headers, got.headers, NULL))
                field = "headers";
        }
        if (field) {
            eddy_qtt_record shown = got;
            shown.has_timestamp = e->has_timestamp && got.has_timestamp;
            shown.window = e->window ? got.window : NULL;
            shown.headers = e->headers ? got.headers : NULL;
            eddy_buf_printf(&b, "topic '%s', record %zu: %s differs: expected ", topic, i, field);
            describe(&b, e);
            eddy_buf_puts(&b, " but was ");
            describe(&b, &shown);
            ok = false;
        }
    }
    if (ok && nexpected != nactual) {
        eddy_buf_printf(&b, "topic '%s': expected %zu records but got %zu", topic, nexpected,
                        nactual);
        if (nactual > nexpected) {
            eddy_buf_puts(&b, "; first extra: ");
            buf_json(&b, eddy_json_at(actual, nexpected), 600);
        } else {
            eddy_buf_puts(&b, "; first missing: ");
            describe(&b, &expected[nactual]);
        }
        ok = false;
    }
    if (!ok)
        snprintf(why, why_size, "%s", eddy_buf_cstr(&b));
    eddy_buf_free(&b);
    eddy_arena_destroy(arena);
    return ok;
}

/* ---- post.sources ------------------------------------------------------------------------ */

/* Canonical text of a schema or type: bare words upper-cased (VARCHAR -> STRING,
 * INT -> INTEGER), `QUOTED` names that need no quotes unquoted, no optional spaces. */
static void canonical_schema(const char *s, eddy_buf *out)
{
    bool last_word = false;
    while (*s) {
        if (isspace((unsigned char)*s)) {
            s++;
            continue;
        }
        eddy_buf w = {0};
        bool quoted = false;
        if (*s == '`') {
            quoted = true;
            s++;
            while (*s && !(*s == '`' && s[1] != '`')) {
                if (*s == '`')
                    s++;
                eddy_buf_putc(&w, *s++);
            }
            if (*s)
                s++;
            const char *t = eddy_buf_cstr(&w);
            bool plain = w.len > 0 && (isupper((unsigned char)t[0]) || t[0] == '_');
            for (size_t i = 0; plain && i < w.len; i++)
                plain = isupper((unsigned char)t[i]) || isdigit((unsigned char)t[i]) || t[i] == '_';
            quoted = !plain;
        } else if (isalnum((unsigned char)*s) || *s == '_') {
            while (isalnum((unsigned char)*s) || *s == '_')
                eddy_buf_putc(&w, (char)toupper((unsigned char)*s++));
            const char *t = eddy_buf_cstr(&w);
            if (strcmp(t, "VARCHAR") == 0) {
                eddy_buf_clear(&w);
                eddy_buf_puts(&w, "STRING");
            } else if (strcmp(t, "INT") == 0) {
                eddy_buf_clear(&w);
                eddy_buf_puts(&w, "INTEGER");
            }
        } else {
            eddy_buf_putc(out, *s++);
            last_word = false;
            continue;
        }
        if (last_word)
            eddy_buf_putc(out, ' ');
        if (quoted)
            eddy_buf_putc(out, '`');
        eddy_buf_append(out, w.data ? w.data : "", w.len);
        if (quoted)
            eddy_buf_putc(out, '`');
        eddy_buf_free(&w);
        last_word = true;
    }
    eddy_buf_cstr(out);
}

/* A format given as "JSON" or {"format": "JSON", ...}. */
static const char *format_name(const eddy_json *f)
{
    if (!f)
        return NULL;
    if (f->type == EDDY_JSON_STRING)
        return f->str;
    return eddy_json_string(eddy_json_get(f, "format"));
}

bool eddy_qtt_compare_sources(const eddy_json *expected, const eddy_json *actual, char *why,
                              size_t why_size)
{
    if (!expected || expected->type != EDDY_JSON_ARRAY)
        return true;
    for (const eddy_json *e = expected->child; e; e = e->next) {
        const char *name = eddy_json_string(eddy_json_get(e, "name"));
        if (!name)
            continue;
        const eddy_json *a = NULL;
        for (const eddy_json *x = actual && actual->type == EDDY_JSON_ARRAY ? actual->child : NULL;
             x && !a; x = x->next) {
            const char *n = eddy_json_string(eddy_json_get(x, "name"));
            if (n && strcasecmp(n, name) == 0)
                a = x;
        }
        if (!a) {
            snprintf(why, why_size, "source %s: missing from the catalog", name);
            return false;
        }
        const char *et = eddy_json_string(eddy_json_get(e, "type"));
        const char *at = eddy_json_string(eddy_json_get(a, "type"));
        if (et && (!at || strcasecmp(et, at) != 0)) {
            snprintf(why, why_size, "source %s: type %s, expected %s", name, at ? at : "?", et);
            return false;
        }
        const char *es = eddy_json_string(eddy_json_get(e, "schema"));
        if (es) {
            const char *as = eddy_json_string(eddy_json_get(a, "schema"));
            eddy_buf x = {0}, y = {0};
            canonical_schema(es, &x);
            canonical_schema(as ? as : "", &y);
            bool same = strcmp(eddy_buf_cstr(&x), eddy_buf_cstr(&y)) == 0;
            if (!same)
                snprintf(why, why_size, "source %s: schema %s, expected %s", name,
                         as ? as : "?", es);
            eddy_buf_free(&x);
            eddy_buf_free(&y);
            if (!same)
                return false;
        }
        static const char *const fmts[] = {"keyFormat", "valueFormat"};
        for (size_t i = 0; i < 2; i++) {
            const char *ef = format_name(eddy_json_get(e, fmts[i]));
            const char *af = format_name(eddy_json_get(a, fmts[i]));
            if (ef && (!af || strcasecmp(ef, af) != 0)) {
                snprintf(why, why_size, "source %s: %s %s, expected %s", name, fmts[i],
                         af ? af : "?", ef);
                return false;
            }
        }
    }
    return true;
}

static void check_post(eddy_engine *e, const eddy_qtt_run *r, eddy_qtt_result *res)
{
    const eddy_json *sources = eddy_json_get(r->post, "sources");
    if (!sources || sources->type != EDDY_JSON_ARRAY)
        return;
    eddy_buf b = {0};
    eddy_json_doc *doc = NULL;
    char err[EDDY_ERRSTR_SIZE];
    if (eddy_engine_sources(e, &b) != 0 ||
        eddy_json_parse(b.data ? b.data : "", b.len, &doc, err, sizeof err) != 0) {
        res->post = EDDY_QTT_POST_DIFFERS;
        snprintf(res->post_reason, sizeof res->post_reason, "the catalog could not be read");
    } else if (eddy_qtt_compare_sources(sources, eddy_json_doc_root(doc), res->post_reason,
                                        sizeof res->post_reason)) {
        res->post = EDDY_QTT_POST_OK;
    } else {
        res->post = EDDY_QTT_POST_DIFFERS;
    }
    eddy_json_doc_destroy(doc);
    eddy_buf_free(&b);
}

/* ---- running ----------------------------------------------------------------------------- */

static void set_result(eddy_qtt_result *res, eddy_qtt_status s, eddy_qtt_stage stage,
                       const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void set_result(eddy_qtt_result *res, eddy_qtt_status s, eddy_qtt_stage stage,
                       const char *fmt, ...)
{
    res->status = s;
    res->stage = stage;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(res->reason, sizeof res->reason, fmt, ap);
    va_end(ap);
}

static bool exception_matches(const eddy_qtt_run *r, const char *msg)
{
    return !r->exception_message || strstr(msg, r->exception_message) != NULL;
}

/* The schema of the source that writes `topic` (NULL when unknown): owned by `doc`;
 * *unwrapped tells whether its value is an unwrapped single column. */
static const char *schema_for_topic(eddy_engine *e, const char *topic, eddy_json_doc **doc,
                                    bool *unwrapped)
{
    *unwrapped = false;
    eddy_buf b = {0};
    const char *schema = NULL;
    if (eddy_engine_sources(e, &b) == 0 &&
        eddy_json_parse(b.data ? b.data : "", b.len, doc, NULL, 0) == 0) {
        const eddy_json *root = eddy_json_doc_root(*doc);
        for (const eddy_json *s = root->type == EDDY_JSON_ARRAY ? root->child : NULL; s && !schema;
             s = s->next) {
            const char *t = eddy_json_string(eddy_json_get(s, "topic"));
            if (t && strcmp(t, topic) == 0) {
                schema = eddy_json_string(eddy_json_get(s, "schema"));
                const eddy_json *f = eddy_json_get(s, "valueFeatures");
                for (f = f && f->type == EDDY_JSON_ARRAY ? f->child : NULL; f; f = f->next)
                    *unwrapped |= f->type == EDDY_JSON_STRING &&
                                  strcmp(f->str, "UNWRAP_SINGLES") == 0;
            }
        }
    }
    eddy_buf_free(&b);
    return schema;
}

static void check_outputs(eddy_engine *e, const eddy_qtt_run *r, eddy_qtt_result *res)
{
    bool *done = calloc(r->noutputs + 1, sizeof *done);
    eddy_qtt_record *group = calloc(r->noutputs + 1, sizeof *group);
    if (!done || !group)
        set_result(res, EDDY_QTT_FAIL, EDDY_QTT_STAGE_OUTPUT, "out of memory");
    for (size_t i = 0; i < r->noutputs && done && group; i++) {
        if (done[i])
            continue;
        const char *topic = r->outputs[i].topic;
        size_t n = 0;
        for (size_t j = i; j < r->noutputs; j++)
            if (strcmp(r->outputs[j].topic, topic) == 0) {
                group[n++] = r->outputs[j];
                done[j] = true;
            }
        eddy_buf b = {0};
        int rc = eddy_engine_topic_records(e, topic, &b);
        eddy_json_doc *actual = NULL, *sources = NULL;
        char err[EDDY_ERRSTR_SIZE];
        if (rc == EDDY_ENOTFOUND) {
            eddy_buf_clear(&b);
            eddy_buf_puts(&b, "[]");
        } else if (rc) {
            set_result(res, EDDY_QTT_FAIL, EDDY_QTT_STAGE_OUTPUT,
                       "reading topic '%s' failed: %s", topic, eddy_strerror(rc));
        }
        if (res->status == EDDY_QTT_PASS &&
            eddy_json_parse(b.data ? b.data : "", b.len, &actual, err, sizeof err))
            set_result(res, EDDY_QTT_FAIL, EDDY_QTT_STAGE_OUTPUT,
                       "topic '%s': the engine wrote invalid JSON: %s", topic, err);
        if (res->status == EDDY_QTT_PASS) {
            bool unwrapped;
            const char *schema = schema_for_topic(e, topic, &sources, &unwrapped);
            char why[sizeof res->reason];
            if (!eddy_qtt_compare_records(group, n, eddy_json_doc_root(actual), schema,
                                          unwrapped, why, sizeof why))
                set_result(res, EDDY_QTT_FAIL, EDDY_QTT_STAGE_OUTPUT, "%s", why);
        }
        eddy_json_doc_destroy(actual);
        eddy_json_doc_destroy(sources);
        eddy_buf_free(&b);
        if (res->status != EDDY_QTT_PASS)
            break;
    }
    free(group);
    free(done);
}

static char *json_text(const eddy_json *v)
{
    if (!v || v->type == EDDY_JSON_NULL)
        return NULL;
    eddy_buf b = {0};
    eddy_json_write(v, &b);
    char *s = xstrdup(eddy_buf_cstr(&b));
    eddy_buf_free(&b);
    return s;
}

void eddy_qtt_run_case(const eddy_qtt_run *r, eddy_qtt_result *res)
{
    memset(res, 0, sizeof *res);
    char why[512];
    if (eddy_qtt_skip_reason(r, why, sizeof why)) {
        set_result(res, EDDY_QTT_SKIP, EDDY_QTT_STAGE_NONE, "%s", why);
        return;
    }
    char err[EDDY_ERRSTR_SIZE * 2];
    eddy_engine *e = NULL;
    int rc = eddy_engine_new((const char *const *)r->props, &e, err, sizeof err);
    if (rc) {
        set_result(res, EDDY_QTT_FAIL, EDDY_QTT_STAGE_SETUP, "engine: %s", err);
        return;
    }
    /* ksqlDB's harness runs the statements as one script, one after the other on new lines,
     * so positions in its messages count the lines of the statements before: each statement
     * starts on the line after the previous one ends ("line 2:40" for the second one). */
    int line = 1;
    for (size_t i = 0; i < r->nstatements; i++) {
        err[0] = '\0';
        rc = eddy_engine_execute_at(e, r->statements[i], line, 1, err, sizeof err);
        for (const char *c = r->statements[i]; *c; c++)
            line += *c == '\n';
        line++;
        if (rc == 0)
            continue;
        if (!r->expect_exception)
            set_result(res, EDDY_QTT_FAIL, EDDY_QTT_STAGE_STATEMENT, "statement %zu: %s", i + 1,
                       err);
        else if (!exception_matches(r, err))
            set_result(res, EDDY_QTT_FAIL, EDDY_QTT_STAGE_STATEMENT,
                       "statement %zu rejected with \"%s\", expected a message containing "
                       "\"%s\"", i + 1, err, r->exception_message);
        eddy_engine_destroy(e);
        return; /* a matching expected rejection: PASS */
    }
    for (size_t i = 0; i < r->ninputs; i++) {
        const eddy_qtt_record *in = &r->inputs[i];
        eddy_engine_record rec = {.key = json_text(in->key), .value = json_text(in->value),
                                  .timestamp = in->has_timestamp ? in->timestamp : -1,
                                  .headers = json_text(in->headers),
                                  .window = json_text(in->window)};
        err[0] = '\0';
        rc = eddy_engine_produce(e, in->topic, &rec, err, sizeof err);
        free((char *)rec.key);
        free((char *)rec.value);
        free((char *)rec.headers);
        free((char *)rec.window);
        if (rc == 0)
            continue;
        if (r->expect_exception && exception_matches(r, err)) {
            eddy_engine_destroy(e);
            return;
        }
        if (rc == EDDY_EPARSE && !r->expect_exception)
            continue; /* ksqlDB logs a record it cannot deserialize and goes on */
        set_result(res, EDDY_QTT_FAIL, EDDY_QTT_STAGE_INPUT, "input %zu (topic '%s'): %s", i + 1,
                   in->topic, err);
        eddy_engine_destroy(e);
        return;
    }
    if (r->expect_exception) {
        set_result(res, EDDY_QTT_FAIL, EDDY_QTT_STAGE_STATEMENT,
                   "expected an error containing \"%s\", but every statement and input "
                   "succeeded", r->exception_message ? r->exception_message : "");
        eddy_engine_destroy(e);
        return;
    }
    check_outputs(e, r, res);
    check_post(e, r, res);
    eddy_engine_destroy(e);
}

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void eddy_qtt_run_isolated(const eddy_qtt_run *r, int timeout_s, eddy_qtt_result *res)
{
    eddy_qtt_run_isolated_with(r, timeout_s, eddy_qtt_run_case, res);
}

void eddy_qtt_run_isolated_with(const eddy_qtt_run *r, int timeout_s, eddy_qtt_run_fn fn,
                                eddy_qtt_result *res)
{
    memset(res, 0, sizeof *res);
    int fds[2];
    if (pipe(fds)) {
        set_result(res, EDDY_QTT_FAIL, EDDY_QTT_STAGE_CRASH, "pipe: %s", strerror(errno));
        return;
    }
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        close(fds[0]);
        close(fds[1]);
        set_result(res, EDDY_QTT_FAIL, EDDY_QTT_STAGE_CRASH, "fork: %s", strerror(errno));
        return;
    }
    if (pid == 0) {
        close(fds[0]);
        dup2(STDERR_FILENO, STDOUT_FILENO); /* whatever the run prints stays off the result lines */
        eddy_qtt_result mine;
        fn(r, &mine);
        const char *p = (const char *)&mine;
        size_t left = sizeof mine;
        while (left > 0) {
            ssize_t w = write(fds[1], p, left);
            if (w < 0 && errno == EINTR)
                continue;
            if (w <= 0)
                _exit(3);
            p += w;
            left -= (size_t)w;
        }
        _exit(0);
    }
    close(fds[1]);
    eddy_qtt_result got;
    size_t have = 0;
    bool timed_out = false;
    int64_t deadline = timeout_s > 0 ? mono_ms() + (int64_t)timeout_s * 1000 : 0;
    for (;;) {
        int wait_ms = -1;
        if (deadline) {
            int64_t left = deadline - mono_ms();
            if (left <= 0) {
                timed_out = true;
                break;
            }
            wait_ms = (int)left;
        }
        struct pollfd pfd = {.fd = fds[0], .events = POLLIN};
        int n = poll(&pfd, 1, wait_ms);
        if (n < 0 && errno == EINTR)
            continue;
        if (n == 0)
            continue; /* the deadline check above ends it */
        ssize_t got_n = read(fds[0], (char *)&got + have, sizeof got - have);
        if (got_n < 0 && errno == EINTR)
            continue;
        if (got_n <= 0)
            break;
        have += (size_t)got_n;
        if (have == sizeof got)
            break;
    }
    close(fds[0]);
    if (timed_out)
        kill(pid, SIGKILL);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    if (timed_out) {
        set_result(res, EDDY_QTT_FAIL, EDDY_QTT_STAGE_CRASH, "timed out after %d s", timeout_s);
    } else if (have == sizeof got) {
        *res = got;
        res->reason[sizeof res->reason - 1] = '\0';
        res->post_reason[sizeof res->post_reason - 1] = '\0';
    } else if (WIFSIGNALED(status)) {
        set_result(res, EDDY_QTT_FAIL, EDDY_QTT_STAGE_CRASH, "crashed: signal %d (%s)",
                   WTERMSIG(status), strsignal(WTERMSIG(status)));
    } else {
        set_result(res, EDDY_QTT_FAIL, EDDY_QTT_STAGE_CRASH,
                   "the run ended without a result (exit status %d)",
                   WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    }
}

int eddy_qtt_read_file(const char *path, eddy_json_doc **doc, char *errstr, size_t errstr_size)
{
    *doc = NULL;
    FILE *f = fopen(path, "rb");
    if (!f)
        return eddy_seterr(errstr, errstr_size, EDDY_EIO, "cannot open %s: %s", path,
                           strerror(errno));
    eddy_buf b = {0};
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        eddy_buf_append(&b, chunk, n);
    bool bad = ferror(f);
    fclose(f);
    if (bad) {
        eddy_buf_free(&b);
        return eddy_seterr(errstr, errstr_size, EDDY_EIO, "cannot read %s", path);
    }
    char err[EDDY_ERRSTR_SIZE];
    int rc = eddy_json_parse(b.data ? b.data : "", b.len, doc, err, sizeof err);
    eddy_buf_free(&b);
    if (rc)
        return eddy_seterr(errstr, errstr_size, rc, "%s:%s", path, err);
    return 0;
}

static int push_statement(const char *s, size_t len, char ***out, size_t *n)
{
    while (len && isspace((unsigned char)*s)) {
        s++;
        len--;
    }
    while (len && isspace((unsigned char)s[len - 1]))
        len--;
    if (len == 0 || (len == 1 && *s == ';'))
        return 0;
    char **grown = realloc(*out, (*n + 1) * sizeof **out);
    if (!grown)
        return EDDY_ENOMEM;
    *out = grown;
    char *copy = malloc(len + 1);
    if (!copy)
        return EDDY_ENOMEM;
    memcpy(copy, s, len);
    copy[len] = '\0';
    (*out)[(*n)++] = copy;
    return 0;
}

int eddy_qtt_split_statements(const char *sql, char ***out, size_t *n)
{
    *out = NULL;
    *n = 0;
    const char *start = sql, *p = sql;
    while (*p) {
        if (*p == '\'' || *p == '`' || *p == '"') {
            char q = *p++;
            while (*p && !(*p == q && p[1] != q)) {
                if (*p == q)
                    p++;
                p++;
            }
            if (*p)
                p++;
        } else if (p[0] == '-' && p[1] == '-') {
            /* a comment: dropped when it is all the statement has so far */
            const char *c = p;
            while (*p && *p != '\n')
                p++;
            bool only_space = true;
            for (const char *q = start; q < c; q++)
                only_space = only_space && isspace((unsigned char)*q);
            if (only_space)
                start = p;
        } else if (p[0] == '/' && p[1] == '*') {
            const char *c = p;
            const char *end = strstr(p + 2, "*/");
            p = end ? end + 2 : p + strlen(p);
            bool only_space = true;
            for (const char *q = start; q < c; q++)
                only_space = only_space && isspace((unsigned char)*q);
            if (only_space)
                start = p;
        } else if (*p == ';') {
            p++;
            if (push_statement(start, (size_t)(p - start), out, n))
                return EDDY_ENOMEM;
            start = p;
        } else {
            p++;
        }
    }
    return push_statement(start, strlen(start), out, n);
}
