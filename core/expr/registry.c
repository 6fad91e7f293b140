/* registry.c: the function registry of udf.h: overloads by name, signatures parsed with the
 * SQL type parser, type variables, variadics, and ksqlDB's overload resolution (an exact
 * match, else the one overload that accepts the arguments by implicit coercion). */
#include "eddy/udf.h"
#include "expr/builtins.h"
#include "sql/parser.h"

#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_PARAMS 64
#define MAX_VARS 8

typedef struct overload {
    eddy_function fn;           /* copy; strings in the registry's arena */
    const char *display;        /* the name as registered ("greatest"), for messages */
    uint32_t nparams;
    const eddy_ast_type **params;
    const char **pnames;        /* parameter names or NULL */
    bool variadic;              /* the last parameter repeats (zero or more times) */
    bool generic;               /* a parameter holds a type variable (T, ARRAY<T>...) */
    const eddy_ast_type *ret, *agg;
    bool removed;
} overload;

typedef struct fentry {
    const char *name; /* upper case */
    overload **v;
    uint32_t n, cap;
} fentry;

struct eddy_registry {
    pthread_rwlock_t lock;
    eddy_arena *arena;
    fentry *v; /* sorted by name */
    uint32_t n, cap;
};

eddy_registry *eddy_registry_new(void)
{
    eddy_registry *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    r->arena = eddy_arena_new(0);
    if (!r->arena) {
        free(r);
        return NULL;
    }
    pthread_rwlock_init(&r->lock, NULL);
    return r;
}

void eddy_registry_destroy(eddy_registry *r)
{
    if (!r)
        return;
    for (uint32_t i = 0; i < r->n; i++)
        free(r->v[i].v);
    free(r->v);
    eddy_arena_destroy(r->arena);
    pthread_rwlock_destroy(&r->lock);
    free(r);
}

static eddy_registry *default_registry;
static pthread_once_t default_once = PTHREAD_ONCE_INIT;

static void default_init(void)
{
    eddy_registry *r = eddy_registry_new();
    if (!r)
        return;
    if (eddy_builtins_register(r) != 0) {
        eddy_registry_destroy(r);
        return;
    }
    default_registry = r;
}

eddy_registry *eddy_registry_default(void)
{
    pthread_once(&default_once, default_init);
    return default_registry;
}

/* ------------------------------------------------------------ signatures */

static char *upper_dup(eddy_arena *a, const char *s)
{
    char *u = eddy_arena_strndup(a, s, strlen(s));
    if (u)
        for (char *p = u; *p; p++)
            *p = (char)toupper((unsigned char)*p);
    return u;
}

/* A parameter name as written (messages list "substring(STRING str, INTEGER pos)"). */
static const char *param_name(eddy_registry *r, const eddy_token *t)
{
    if (t->kind == EDDY_TK_QIDENT)
        return t->text;
    return eddy_arena_strndup(r->arena, t->start, t->len);
}

/* "(T1 [name][...], ...) -> R [AS A]" */
static int parse_signature(eddy_registry *r, overload *o, const char *sig, char *errstr,
                           size_t errstr_size)
{
    eddy_parser p;
    char perr[256];
    int rc = eddy_parser_init(&p, sig, r->arena, perr, sizeof perr);
    const eddy_ast_type *params[MAX_PARAMS];
    const char *pnames[MAX_PARAMS];
    uint32_t n = 0;
    if (rc)
        return eddy_seterr(errstr, errstr_size, rc, "out of memory");
    const eddy_token *t = eddy_parser_peek(&p, 0);
    if (t->kind != EDDY_TK_LPAREN)
        goto bad;
    p.pos++;
    if (eddy_parser_peek(&p, 0)->kind != EDDY_TK_RPAREN) {
        for (;;) {
            eddy_ast_type *ty;
            if (n == MAX_PARAMS)
                goto bad;
            if (eddy_parse_type(&p, &ty))
                goto bad;
            params[n] = ty;
            pnames[n] = NULL;
            t = eddy_parser_peek(&p, 0);
            if (t->kind == EDDY_TK_IDENT || t->kind == EDDY_TK_QIDENT) {
                pnames[n] = param_name(r, t);
                p.pos++;
            }
            n++;
            if (eddy_parser_peek(&p, 0)->kind == EDDY_TK_DOT &&
                eddy_parser_peek(&p, 1)->kind == EDDY_TK_DOT &&
                eddy_parser_peek(&p, 2)->kind == EDDY_TK_DOT) {
                p.pos += 3;
                o->variadic = true;
                t = eddy_parser_peek(&p, 0);
                if (!pnames[n - 1] && (t->kind == EDDY_TK_IDENT || t->kind == EDDY_TK_QIDENT)) {
                    pnames[n - 1] = param_name(r, t);
                    p.pos++;
                }
                if (eddy_parser_peek(&p, 0)->kind != EDDY_TK_RPAREN)
                    goto bad;
                break;
            }
            if (eddy_parser_peek(&p, 0)->kind != EDDY_TK_COMMA)
                break;
            p.pos++;
        }
    }
    if (eddy_parser_peek(&p, 0)->kind != EDDY_TK_RPAREN ||
        eddy_parser_peek(&p, 1)->kind != EDDY_TK_ARROW)
        goto bad;
    p.pos += 2;
    eddy_ast_type *ret, *agg = NULL;
    if (eddy_parse_type(&p, &ret))
        goto bad;
    t = eddy_parser_peek(&p, 0);
    if (t->kind == EDDY_TK_IDENT && t->kw == EDDY_KW_AS) {
        p.pos++;
        if (eddy_parse_type(&p, &agg))
            goto bad;
    }
    if (eddy_parser_peek(&p, 0)->kind != EDDY_TK_EOF)
        goto bad;
    o->nparams = n;
    o->params = eddy_arena_alloc(r->arena, (n ? n : 1) * sizeof *o->params);
    o->pnames = eddy_arena_alloc(r->arena, (n ? n : 1) * sizeof *o->pnames);
    if (!o->params || !o->pnames)
        return eddy_seterr(errstr, errstr_size, EDDY_ENOMEM, "out of memory");
    memcpy(o->params, params, n * sizeof *params);
    memcpy(o->pnames, pnames, n * sizeof *pnames);
    o->ret = ret;
    o->agg = agg;
    if (o->fn.kind == EDDY_FUNC_AGGREGATE && !agg && !o->fn.resolve)
        return eddy_seterr(errstr, errstr_size, EDDY_EINVAL,
                           "function '%s': an aggregate signature needs 'AS <accumulator "
                           "type>': %s", o->display, sig);
    return 0;
bad:
    if (p.err)
        return eddy_seterr(errstr, errstr_size, EDDY_EINVAL,
                           "function '%s': bad signature '%s': %s", o->display, sig, perr);
    return eddy_seterr(errstr, errstr_size, EDDY_EINVAL,
                       "function '%s': bad signature '%s' (expected \"(TYPE, ...) -> TYPE\")",
                       o->display, sig);
}

static int sig_param_string(const overload *o, eddy_buf *b, bool with_names)
{
    int rc = 0;
    for (uint32_t i = 0; !rc && i < o->nparams; i++) {
        if (i)
            rc = eddy_buf_puts(b, ", ");
        if (!rc)
            rc = eddy_ast_type_format(o->params[i], b);
        if (!rc && o->variadic && i + 1 == o->nparams)
            rc = eddy_buf_puts(b, "...");
        if (!rc && with_names && o->pnames[i])
            rc = eddy_buf_printf(b, " %s", o->pnames[i]);
    }
    return rc;
}

/* ------------------------------------------------------------ registration */

static fentry *find_entry(eddy_registry *r, const char *upper, uint32_t *ins)
{
    uint32_t lo = 0, hi = r->n;
    while (lo < hi) {
        uint32_t mid = (lo + hi) / 2;
        int c = strcmp(r->v[mid].name, upper);
        if (c == 0)
            return &r->v[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (ins)
        *ins = lo;
    return NULL;
}

static char *adup(eddy_arena *a, const char *s)
{
    return s ? eddy_arena_strndup(a, s, strlen(s)) : NULL;
}

static bool has_type_var(const eddy_ast_type *t)
{
    if (!t)
        return false;
    if (t->id == 0)
        return true;
    return has_type_var(t->elem) || has_type_var(t->key);
}

int eddy_registry_add(eddy_registry *r, const eddy_function *f, bool replace,
                      char *errstr, size_t errstr_size)
{
    if (!r || !f || !f->name || !f->name[0])
        return eddy_seterr(errstr, errstr_size, EDDY_EINVAL, "function without a name");
    if (f->kind < EDDY_FUNC_SCALAR || f->kind > EDDY_FUNC_TABLE)
        return eddy_seterr(errstr, errstr_size, EDDY_EINVAL, "function '%s': bad kind %d",
                           f->name, (int)f->kind);
    if (!f->signature && !f->resolve)
        return eddy_seterr(errstr, errstr_size, EDDY_EINVAL,
                           "function '%s': needs a signature or a resolve callback", f->name);
    if ((f->kind == EDDY_FUNC_SCALAR && !f->scalar) || (f->kind == EDDY_FUNC_TABLE && !f->table) ||
        (f->kind == EDDY_FUNC_AGGREGATE &&
         (!f->aggregate.init || !f->aggregate.add || !f->aggregate.result)))
        return eddy_seterr(errstr, errstr_size, EDDY_EINVAL,
                           "function '%s': missing implementation callback", f->name);

    pthread_rwlock_wrlock(&r->lock);
    int rc = 0;
    overload *o = eddy_arena_calloc(r->arena, 1, sizeof *o);
    if (!o) {
        rc = eddy_seterr(errstr, errstr_size, EDDY_ENOMEM, "out of memory");
        goto out;
    }
    o->fn = *f;
    o->display = adup(r->arena, f->name);
    o->fn.name = upper_dup(r->arena, f->name);
    o->fn.signature = adup(r->arena, f->signature);
    o->fn.description = adup(r->arena, f->description);
    o->fn.source = adup(r->arena, f->source ? f->source : "built-in");
    if (!o->display || !o->fn.name || (f->signature && !o->fn.signature)) {
        rc = eddy_seterr(errstr, errstr_size, EDDY_ENOMEM, "out of memory");
        goto out;
    }
    if (f->signature && (rc = parse_signature(r, o, f->signature, errstr, errstr_size)))
        goto out;
    for (uint32_t i = 0; i < o->nparams; i++)
        o->generic |= has_type_var(o->params[i]);

    uint32_t ins = 0;
    fentry *e = find_entry(r, o->fn.name, &ins);
    if (!e) {
        if (r->n == r->cap) {
            uint32_t ncap = r->cap ? r->cap * 2 : 64;
            fentry *nv = realloc(r->v, ncap * sizeof *nv);
            if (!nv) {
                rc = eddy_seterr(errstr, errstr_size, EDDY_ENOMEM, "out of memory");
                goto out;
            }
            r->v = nv;
            r->cap = ncap;
        }
        memmove(&r->v[ins + 1], &r->v[ins], (r->n - ins) * sizeof *r->v);
        r->n++;
        e = &r->v[ins];
        memset(e, 0, sizeof *e);
        e->name = o->fn.name;
    }
    /* same kind and parameter list: a duplicate */
    if (f->signature) {
        eddy_buf a = {0}, b = {0};
        sig_param_string(o, &a, false);
        for (uint32_t i = 0; i < e->n; i++) {
            overload *x = e->v[i];
            if (x->removed || x->fn.kind != o->fn.kind || !x->fn.signature)
                continue;
            eddy_buf_clear(&b);
            sig_param_string(x, &b, false);
            if (a.len == b.len && memcmp(eddy_buf_cstr(&a), eddy_buf_cstr(&b), a.len) == 0) {
                if (!replace) {
                    rc = eddy_seterr(errstr, errstr_size, EDDY_EEXIST,
                                     "function '%s' already has an overload (%s)", o->display,
                                     eddy_buf_cstr(&a));
                    eddy_buf_free(&a);
                    eddy_buf_free(&b);
                    goto out;
                }
                x->removed = true;
            }
        }
        eddy_buf_free(&a);
        eddy_buf_free(&b);
    }
    if (e->n == e->cap) {
        uint32_t ncap = e->cap ? e->cap * 2 : 4;
        overload **nv = realloc(e->v, ncap * sizeof *nv);
        if (!nv) {
            rc = eddy_seterr(errstr, errstr_size, EDDY_ENOMEM, "out of memory");
            goto out;
        }
        e->v = nv;
        e->cap = ncap;
    }
    e->v[e->n++] = o;
out:
    pthread_rwlock_unlock(&r->lock);
    return rc;
}

int eddy_registry_remove_source(eddy_registry *r, const char *source)
{
    int count = 0;
    if (!r || !source)
        return 0;
    pthread_rwlock_wrlock(&r->lock);
    for (uint32_t i = 0; i < r->n; i++)
        for (uint32_t j = 0; j < r->v[i].n; j++) {
            overload *o = r->v[i].v[j];
            if (!o->removed && o->fn.source && strcmp(o->fn.source, source) == 0) {
                o->removed = true;
                count++;
            }
        }
    pthread_rwlock_unlock(&r->lock);
    return count;
}

void eddy_registry_foreach(eddy_registry *r, void (*cb)(const eddy_function *f, void *opaque),
                           void *opaque)
{
    if (!r)
        return;
    pthread_rwlock_rdlock(&r->lock);
    for (uint32_t i = 0; i < r->n; i++)
        for (uint32_t j = 0; j < r->v[i].n; j++)
            if (!r->v[i].v[j]->removed)
                cb(&r->v[i].v[j]->fn, opaque);
    pthread_rwlock_unlock(&r->lock);
}

/* -------------------------------------------------------------- resolution */

typedef struct binding {
    const char *name[MAX_VARS];
    const eddy_type *type[MAX_VARS];
    int n;
    const eddy_type *decimal; /* what a bare DECIMAL parameter stands for (widened) */
} binding;

static const eddy_type **var_slot(binding *b, const char *name)
{
    for (int i = 0; i < b->n; i++)
        if (strcmp(b->name[i], name) == 0)
            return &b->type[i];
    if (b->n == MAX_VARS)
        return NULL;
    b->name[b->n] = name;
    b->type[b->n] = NULL;
    return &b->type[b->n++];
}

/* Does an argument of type `a` fit parameter `p`? `coerce`: implicit widening allowed.
 * Binds type variables on the way. */
static bool unify(const eddy_ast_type *p, const eddy_type *a, bool coerce, binding *b)
{
    if (!a) /* an untyped NULL fits anything */
        return true;
    switch ((int)p->id) {
    case 0: {
        const eddy_type **slot = var_slot(b, p->name);
        if (!slot)
            return false;
        if (!*slot) {
            *slot = a;
            return true;
        }
        if (*slot == a)
            return true;
        return coerce && eddy_type_coercible(a, *slot);
    }
    case EDDY_TYPE_DECIMAL:
        if (p->precision >= 0) {
            const eddy_type *d = eddy_type_decimal(p->precision, p->scale);
            return a == d || (coerce && eddy_type_coercible(a, d));
        }
        if (a->id == EDDY_TYPE_DECIMAL ||
            (coerce && (a->id == EDDY_TYPE_INT || a->id == EDDY_TYPE_BIGINT))) {
            const eddy_type *d = eddy_type_as_decimal(a);
            b->decimal = b->decimal ? eddy_type_common(b->decimal, d) : d;
            return b->decimal != NULL;
        }
        return false;
    case EDDY_TYPE_ARRAY:
        return a->id == EDDY_TYPE_ARRAY && unify(p->elem, a->elem, coerce, b);
    case EDDY_TYPE_MAP:
        return a->id == EDDY_TYPE_MAP && unify(p->key, a->key, coerce, b) &&
               unify(p->elem, a->elem, coerce, b);
    case EDDY_TYPE_STRUCT: {
        const eddy_type *want;
        if (eddy_ast_type_resolve(p, &want, NULL, 0) != 0)
            return false;
        return a == want || (coerce && eddy_type_coercible(a, want));
    }
    default: {
        const eddy_type *want = eddy_type_primitive(p->id);
        return a == want || (coerce && eddy_type_coercible(a, want));
    }
    }
}

/* The concrete type of a signature type once the variables are bound; NULL if a variable
 * is still free. */
static const eddy_type *instantiate(const eddy_ast_type *p, const binding *b)
{
    switch ((int)p->id) {
    case 0:
        for (int i = 0; i < b->n; i++)
            if (strcmp(b->name[i], p->name) == 0)
                return b->type[i];
        return NULL;
    case EDDY_TYPE_DECIMAL:
        if (p->precision >= 0)
            return eddy_type_decimal(p->precision, p->scale);
        return b->decimal;
    case EDDY_TYPE_ARRAY: {
        const eddy_type *e = instantiate(p->elem, b);
        return e ? eddy_type_array(e) : NULL;
    }
    case EDDY_TYPE_MAP: {
        const eddy_type *k = instantiate(p->key, b), *v = instantiate(p->elem, b);
        return k && v ? eddy_type_map(k, v) : NULL;
    }
    case EDDY_TYPE_STRUCT: {
        const eddy_type *t;
        return eddy_ast_type_resolve(p, &t, NULL, 0) == 0 ? t : NULL;
    }
    default:
        return eddy_type_primitive(p->id);
    }
}

static const eddy_ast_type *param_at(const overload *o, int i)
{
    return (uint32_t)i < o->nparams ? o->params[i] : o->params[o->nparams - 1];
}

static bool arity_ok(const overload *o, int argc)
{
    if (o->variadic)
        return (uint32_t)argc >= o->nparams - 1;
    return (uint32_t)argc == o->nparams;
}

/* Tries one overload; fills `out` on success. */
static bool try_overload(const overload *o, int argc, const eddy_type *const *argt, bool coerce,
                         eddy_func_binding *out)
{
    if (o->fn.resolve) {
        const eddy_type *param[MAX_PARAMS];
        const eddy_type *ret = NULL, *agg = NULL;
        if (argc > MAX_PARAMS)
            return false;
        if (o->fn.resolve(&o->fn, argc, argt, param, &ret, &agg, NULL, 0) != 0 || !ret)
            return false;
        bool exact = true;
        for (int i = 0; i < argc; i++)
            if (argt[i] && param[i] != argt[i])
                exact = false;
        if (!coerce && !exact)
            return false;
        out->fn = &o->fn;
        out->argc = argc;
        memcpy(out->param, param, (size_t)argc * sizeof *param);
        out->ret = ret;
        out->agg = agg;
        return true;
    }
    if (!arity_ok(o, argc) || argc > MAX_PARAMS)
        return false;
    binding b = {0};
    for (int i = 0; i < argc; i++)
        if (!unify(param_at(o, i), argt[i], coerce, &b))
            return false;
    const eddy_type *ret = instantiate(o->ret, &b);
    if (!ret)
        return false;
    out->fn = &o->fn;
    out->argc = argc;
    for (int i = 0; i < argc; i++) {
        const eddy_type *pt = instantiate(param_at(o, i), &b);
        /* a NULL argument for a parameter whose variable never got bound */
        out->param[i] = pt ? pt : argt[i] ? argt[i] : eddy_type_string();
    }
    out->ret = ret;
    out->agg = o->agg ? instantiate(o->agg, &b) : NULL;
    if (o->agg && !out->agg)
        return false;
    return true;
}

static void format_args(eddy_buf *b, int argc, const eddy_type *const *argt)
{
    char tmp[512];
    for (int i = 0; i < argc; i++) {
        if (i)
            eddy_buf_puts(b, ", ");
        if (!argt[i]) {
            eddy_buf_puts(b, "null");
        } else {
            eddy_type_format(argt[i], tmp, sizeof tmp);
            eddy_buf_puts(b, tmp);
        }
    }
}

int eddy_registry_resolve(eddy_registry *r, const char *name, eddy_func_kind kind, int argc,
                          const eddy_type *const *argt, eddy_func_binding *out,
                          char *errstr, size_t errstr_size)
{
    if (!r)
        r = eddy_registry_default();
    if (!r)
        return eddy_seterr(errstr, errstr_size, EDDY_ENOMEM, "no function registry");
    char up[256];
    size_t nl = strlen(name);
    if (nl >= sizeof up)
        nl = sizeof up - 1;
    for (size_t i = 0; i < nl; i++)
        up[i] = (char)toupper((unsigned char)name[i]);
    up[nl] = '\0';

    pthread_rwlock_rdlock(&r->lock);
    int rc = 0;
    fentry *e = find_entry(r, up, NULL);
    const char *display = name;
    bool any = false;
    if (e)
        for (uint32_t i = 0; i < e->n; i++)
            if (!e->v[i]->removed && (!kind || e->v[i]->fn.kind == kind)) {
                any = true;
                display = e->v[i]->display;
            }
    if (!any) {
        rc = eddy_seterr(errstr, errstr_size, EDDY_ENOTFOUND,
                         "Can't find any functions with the name '%s'", up);
        goto out;
    }
    if (argc > MAX_PARAMS) {
        rc = eddy_seterr(errstr, errstr_size, EDDY_ETYPE,
                         "Function '%s' takes at most %d arguments", display, MAX_PARAMS);
        goto out;
    }
    /* An exact match wins; otherwise the overload that accepts the arguments by implicit
     * coercion. Non-variadic overloads are preferred to variadic ones, and among exact
     * matches one without type variables to generic ones (EXPLODE(ARRAY<DECIMAL>) over
     * EXPLODE(ARRAY<T>), as Java's overloading picks the most specific method); two equally
     * good candidates are ambiguous (as ksqlDB's UdfIndex: GREATEST(INT, BIGINT) could be
     * the BIGINT, DECIMAL or DOUBLE version). */
    for (int pass = 0; pass < 2; pass++) {
        eddy_func_binding best, cand;
        int nbest = 0;
        bool best_variadic = true, best_generic = true;
        for (uint32_t i = 0; i < e->n; i++) {
            const overload *o = e->v[i];
            if (o->removed || (kind && o->fn.kind != kind))
                continue;
            if (!try_overload(o, argc, argt, pass == 1, &cand))
                continue;
            bool generic = pass == 1 || o->generic;
            if (nbest == 0 || (best_variadic && !o->variadic) ||
                (best_variadic == o->variadic && best_generic && !generic)) {
                best = cand;
                nbest = 1;
                best_variadic = o->variadic;
                best_generic = generic;
            } else if (best_variadic == o->variadic && best_generic == generic) {
                nbest++;
            }
        }
        if (nbest == 1) {
            *out = best;
            goto out;
        }
        if (nbest > 1) {
            eddy_buf b = {0};
            format_args(&b, argc, argt);
            rc = eddy_seterr(errstr, errstr_size, EDDY_ETYPE,
                             "Function '%s' cannot be resolved due to ambiguous method "
                             "parameters (%s).", display, b.data ? eddy_buf_cstr(&b) : "");
            eddy_buf_free(&b);
            goto out;
        }
    }
    {
        eddy_buf b = {0};
        format_args(&b, argc, argt);
        eddy_buf_puts(&b, ").\nValid alternatives are:");
        for (uint32_t i = 0; i < e->n; i++) {
            const overload *o = e->v[i];
            if (o->removed || (kind && o->fn.kind != kind))
                continue;
            eddy_buf_printf(&b, "\n%s(", o->display);
            if (o->fn.signature)
                sig_param_string(o, &b, true);
            else
                eddy_buf_puts(&b, "...");
            eddy_buf_putc(&b, ')');
        }
        rc = eddy_seterr(errstr, errstr_size, EDDY_ETYPE,
                         "Function '%s' does not accept parameters (%s", display,
                         eddy_buf_cstr(&b));
        eddy_buf_free(&b);
    }
out:
    pthread_rwlock_unlock(&r->lock);
    return rc;
}

/* Kind of the functions named `name` (any overload), or 0 when unknown. For the binder:
 * an aggregate call in a scalar context gets its own message. */
int eddy_registry_kind_of(eddy_registry *r, const char *name)
{
    if (!r)
        r = eddy_registry_default();
    if (!r)
        return 0;
    char up[256];
    size_t nl = strlen(name);
    if (nl >= sizeof up)
        nl = sizeof up - 1;
    for (size_t i = 0; i < nl; i++)
        up[i] = (char)toupper((unsigned char)name[i]);
    up[nl] = '\0';
    int kind = 0;
    pthread_rwlock_rdlock(&r->lock);
    fentry *e = find_entry(r, up, NULL);
    if (e)
        for (uint32_t i = 0; i < e->n && !kind; i++)
            if (!e->v[i]->removed)
                kind = e->v[i]->fn.kind;
    pthread_rwlock_unlock(&r->lock);
    return kind;
}

/* ------------------------------------------------------------------ listing */

typedef struct listing {
    const char *name; /* upper case, NULL: all */
    eddy_buf *out;
    const char *last; /* the previous function's name (foreach is sorted) */
    size_t count;     /* overloads of `last` */
    const eddy_function *first;
    size_t matched;
} listing;

static const char *kind_name(eddy_func_kind k)
{
    return k == EDDY_FUNC_AGGREGATE ? "aggregate" : k == EDDY_FUNC_TABLE ? "table" : "scalar";
}

static void list_flush(listing *l)
{
    if (!l->first)
        return;
    const eddy_function *f = l->first;
    eddy_buf_printf(l->out, "%-28s %-10s %-3zu %s\n", f->name, kind_name(f->kind), l->count,
                    f->source ? f->source : "built-in");
}

static void list_cb(const eddy_function *f, void *opaque)
{
    listing *l = opaque;
    if (l->name) {
        if (strcasecmp(f->name, l->name) != 0)
            return;
        if (l->matched++ == 0)
            eddy_buf_printf(l->out, "Name        : %s\nType        : %s\n", f->name,
                            kind_name(f->kind));
        eddy_buf_printf(l->out, "\n  Variation   : %s%s\n  Type        : %s\n  Source      : %s\n",
                        f->name, f->signature ? f->signature : "(...)", kind_name(f->kind),
                        f->source ? f->source : "built-in");
        if (f->description && *f->description)
            eddy_buf_printf(l->out, "  Description : %s\n", f->description);
        return;
    }
    if (l->first && strcmp(l->first->name, f->name) == 0) {
        l->count++;
        return;
    }
    list_flush(l);
    l->first = f;
    l->count = 1;
    l->matched++;
}

int eddy_registry_describe(eddy_registry *r, const char *name, eddy_buf *out, char *errstr,
                           size_t errstr_size)
{
    eddy_buf tmp = {0};
    listing l = {.name = name, .out = &tmp};
    if (!name)
        eddy_buf_printf(&tmp, "%-28s %-10s %-3s %s\n", "Function Name", "Type", "#", "Source");
    eddy_registry_foreach(r, list_cb, &l);
    if (!name)
        list_flush(&l);
    int rc = 0;
    if (name && l.matched == 0) {
        char up[256];
        size_t n = strlen(name);
        if (n >= sizeof up)
            n = sizeof up - 1;
        for (size_t i = 0; i < n; i++)
            up[i] = (char)toupper((unsigned char)name[i]);
        up[n] = '\0';
        rc = eddy_seterr(errstr, errstr_size, EDDY_ENOTFOUND,
                         "Can't find any functions with the name '%s'", up);
    } else {
        rc = eddy_buf_append(out, tmp.data, tmp.len);
    }
    eddy_buf_free(&tmp);
    return rc;
}

/* -------------------------------------------------------- reload safe points */

static uint64_t g_generation = 1;
static __thread uint64_t tls_generation; /* 0: not at a safe point, follow g_generation */

uint64_t eddy_func_generation(void)
{
    uint64_t g = tls_generation;
    return g ? g : __atomic_load_n(&g_generation, __ATOMIC_ACQUIRE);
}

uint64_t eddy_func_generation_published(void)
{
    return __atomic_load_n(&g_generation, __ATOMIC_ACQUIRE);
}

uint64_t eddy_func_generation_publish(void)
{
    /* release: the versions tagged with the new generation are linked before it shows */
    return __atomic_add_fetch(&g_generation, 1, __ATOMIC_RELEASE);
}

void eddy_func_safepoint(void)
{
    tls_generation = __atomic_load_n(&g_generation, __ATOMIC_ACQUIRE);
}

void eddy_func_safepoint_leave(void)
{
    tls_generation = 0;
}
