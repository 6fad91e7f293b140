/* type.c: interned SQL types (constructors, DESCRIBE spelling, implicit coercion, common types). */
#include "eddy/value.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------ primitives */

/* Primitive types are static singletons indexed by id; DECIMAL, ARRAY, MAP and STRUCT are
 * built on demand and interned in the table below. */
static const eddy_type prim[] = {
    [EDDY_TYPE_BOOLEAN] = {.id = EDDY_TYPE_BOOLEAN},
    [EDDY_TYPE_INT] = {.id = EDDY_TYPE_INT},
    [EDDY_TYPE_BIGINT] = {.id = EDDY_TYPE_BIGINT},
    [EDDY_TYPE_DOUBLE] = {.id = EDDY_TYPE_DOUBLE},
    [EDDY_TYPE_STRING] = {.id = EDDY_TYPE_STRING},
    [EDDY_TYPE_BYTES] = {.id = EDDY_TYPE_BYTES},
    [EDDY_TYPE_DATE] = {.id = EDDY_TYPE_DATE},
    [EDDY_TYPE_TIME] = {.id = EDDY_TYPE_TIME},
    [EDDY_TYPE_TIMESTAMP] = {.id = EDDY_TYPE_TIMESTAMP},
};

const eddy_type *eddy_type_boolean(void) { return &prim[EDDY_TYPE_BOOLEAN]; }
const eddy_type *eddy_type_int(void) { return &prim[EDDY_TYPE_INT]; }
const eddy_type *eddy_type_bigint(void) { return &prim[EDDY_TYPE_BIGINT]; }
const eddy_type *eddy_type_double(void) { return &prim[EDDY_TYPE_DOUBLE]; }
const eddy_type *eddy_type_string(void) { return &prim[EDDY_TYPE_STRING]; }
const eddy_type *eddy_type_bytes(void) { return &prim[EDDY_TYPE_BYTES]; }
const eddy_type *eddy_type_date(void) { return &prim[EDDY_TYPE_DATE]; }
const eddy_type *eddy_type_time(void) { return &prim[EDDY_TYPE_TIME]; }
const eddy_type *eddy_type_timestamp(void) { return &prim[EDDY_TYPE_TIMESTAMP]; }

const eddy_type *eddy_type_primitive(eddy_type_id id)
{
    switch (id) {
    case EDDY_TYPE_BOOLEAN:
    case EDDY_TYPE_INT:
    case EDDY_TYPE_BIGINT:
    case EDDY_TYPE_DOUBLE:
    case EDDY_TYPE_STRING:
    case EDDY_TYPE_BYTES:
    case EDDY_TYPE_DATE:
    case EDDY_TYPE_TIME:
    case EDDY_TYPE_TIMESTAMP:
        return &prim[id];
    default:
        return NULL;
    }
}

/* ------------------------------------------------------------- interning */

/* One chained hash table holds the composite types, another the struct field names. Both
 * only grow until eddy_types_shutdown(). A node and its field array are one allocation. */
typedef struct tnode {
    struct tnode *next;
    uint64_t hash;
    eddy_type t;
    eddy_field fields[];
} tnode;

typedef struct nnode {
    struct nnode *next;
    uint64_t hash;
    char s[];
} nnode;

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static tnode **ttab;
static size_t tcap, tcount;
static nnode **ntab;
static size_t ncap, ncount;

static uint64_t mix(uint64_t h, uint64_t x)
{
    h ^= x + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
    h *= 0xff51afd7ed558ccdull;
    return h ^ (h >> 33);
}

static uint64_t str_hash(const char *s)
{
    uint64_t h = 1469598103934665603ull; /* FNV-1a: names are short and hashed rarely */
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

static uint64_t type_key_hash(const eddy_type *t)
{
    uint64_t h = mix(0, (uint64_t)t->id);
    h = mix(h, ((uint64_t)t->precision << 8) | t->scale);
    h = mix(h, (uint64_t)(uintptr_t)t->key);
    h = mix(h, (uint64_t)(uintptr_t)t->elem);
    h = mix(h, t->nfields);
    for (uint32_t i = 0; i < t->nfields; i++) {
        h = mix(h, str_hash(t->fields[i].name));
        h = mix(h, (uint64_t)(uintptr_t)t->fields[i].type);
    }
    return h;
}

static bool type_key_equal(const eddy_type *a, const eddy_type *b)
{
    if (a->id != b->id || a->precision != b->precision || a->scale != b->scale ||
        a->key != b->key || a->elem != b->elem || a->nfields != b->nfields)
        return false;
    for (uint32_t i = 0; i < a->nfields; i++)
        if (a->fields[i].type != b->fields[i].type ||
            strcmp(a->fields[i].name, b->fields[i].name) != 0)
            return false;
    return true;
}

/* Doubles the type table (lock held). */
static int tgrow(void)
{
    size_t ncap2 = tcap ? tcap * 2 : 64;
    tnode **nt = calloc(ncap2, sizeof *nt);
    if (!nt)
        return EDDY_ENOMEM;
    for (size_t i = 0; i < tcap; i++) {
        tnode *n = ttab[i];
        while (n) {
            tnode *next = n->next;
            size_t b = n->hash & (ncap2 - 1);
            n->next = nt[b];
            nt[b] = n;
            n = next;
        }
    }
    free(ttab);
    ttab = nt;
    tcap = ncap2;
    return 0;
}

/* Doubles the name table (lock held). */
static int ngrow(void)
{
    size_t ncap2 = ncap ? ncap * 2 : 64;
    nnode **nt = calloc(ncap2, sizeof *nt);
    if (!nt)
        return EDDY_ENOMEM;
    for (size_t i = 0; i < ncap; i++) {
        nnode *n = ntab[i];
        while (n) {
            nnode *next = n->next;
            size_t b = n->hash & (ncap2 - 1);
            n->next = nt[b];
            nt[b] = n;
            n = next;
        }
    }
    free(ntab);
    ntab = nt;
    ncap = ncap2;
    return 0;
}

/* Interned copy of a field name; lock held. */
static const char *intern_name(const char *s)
{
    uint64_t h = str_hash(s);
    if (ncap) {
        for (nnode *n = ntab[h & (ncap - 1)]; n; n = n->next)
            if (n->hash == h && strcmp(n->s, s) == 0)
                return n->s;
    }
    if ((ncount + 1 > ncap) && ngrow())
        return NULL;
    size_t len = strlen(s);
    nnode *n = malloc(sizeof *n + len + 1);
    if (!n)
        return NULL;
    n->hash = h;
    memcpy(n->s, s, len + 1);
    size_t b = h & (ncap - 1);
    n->next = ntab[b];
    ntab[b] = n;
    ncount++;
    return n->s;
}

/* Returns the interned type equal to `key` (whose field names need not be interned),
 * creating it if needed. NULL on ENOMEM. */
static const eddy_type *intern(const eddy_type *key)
{
    uint64_t h = type_key_hash(key);
    const eddy_type *res = NULL;
    pthread_mutex_lock(&lock);
    if (tcap) {
        for (tnode *n = ttab[h & (tcap - 1)]; n; n = n->next)
            if (n->hash == h && type_key_equal(&n->t, key)) {
                res = &n->t;
                goto out;
            }
    }
    if (tcount + 1 > tcap && tgrow())
        goto out;
    tnode *n = malloc(sizeof *n + key->nfields * sizeof(eddy_field));
    if (!n)
        goto out;
    n->hash = h;
    n->t = *key;
    for (uint32_t i = 0; i < key->nfields; i++) {
        n->fields[i].type = key->fields[i].type;
        n->fields[i].name = intern_name(key->fields[i].name);
        if (!n->fields[i].name) {
            free(n);
            goto out;
        }
    }
    n->t.fields = key->nfields ? n->fields : NULL;
    size_t b = h & (tcap - 1);
    n->next = ttab[b];
    ttab[b] = n;
    tcount++;
    res = &n->t;
out:
    pthread_mutex_unlock(&lock);
    return res;
}

const eddy_type *eddy_type_decimal(int precision, int scale)
{
    if (precision < 1 || precision > EDDY_DECIMAL_MAX_PRECISION || scale < 0 || scale > precision)
        return NULL;
    eddy_type k = {.id = EDDY_TYPE_DECIMAL, .precision = (uint8_t)precision,
                   .scale = (uint8_t)scale};
    return intern(&k);
}

const eddy_type *eddy_type_array(const eddy_type *elem)
{
    if (!elem)
        return NULL;
    eddy_type k = {.id = EDDY_TYPE_ARRAY, .elem = elem};
    return intern(&k);
}

const eddy_type *eddy_type_map(const eddy_type *key, const eddy_type *value)
{
    if (!key || !value)
        return NULL;
    eddy_type k = {.id = EDDY_TYPE_MAP, .key = key, .elem = value};
    return intern(&k);
}

const eddy_type *eddy_type_struct(uint32_t nfields, const eddy_field *fields)
{
    if (nfields && !fields)
        return NULL;
    for (uint32_t i = 0; i < nfields; i++) {
        if (!fields[i].name || !fields[i].type)
            return NULL;
        for (uint32_t j = 0; j < i; j++)
            if (strcmp(fields[i].name, fields[j].name) == 0)
                return NULL;
    }
    eddy_type k = {.id = EDDY_TYPE_STRUCT, .nfields = nfields, .fields = fields};
    return intern(&k);
}

void eddy_types_shutdown(void)
{
    pthread_mutex_lock(&lock);
    for (size_t i = 0; i < tcap; i++) {
        tnode *n = ttab[i];
        while (n) {
            tnode *next = n->next;
            free(n);
            n = next;
        }
    }
    for (size_t i = 0; i < ncap; i++) {
        nnode *n = ntab[i];
        while (n) {
            nnode *next = n->next;
            free(n);
            n = next;
        }
    }
    free(ttab);
    free(ntab);
    ttab = NULL;
    ntab = NULL;
    tcap = tcount = ncap = ncount = 0;
    pthread_mutex_unlock(&lock);
}

/* ------------------------------------------------------------ formatting */

typedef struct sink {
    char *buf;
    size_t size, len;
} sink;

static void put(sink *o, const char *s, size_t n)
{
    if (o->len < o->size) {
        size_t room = o->size - o->len;
        memcpy(o->buf + o->len, s, n < room ? n : room);
    }
    o->len += n;
}

static void puts_(sink *o, const char *s) { put(o, s, strlen(s)); }

const char *eddy_type_id_name(eddy_type_id id)
{
    switch (id) {
    case EDDY_TYPE_BOOLEAN: return "BOOLEAN";
    case EDDY_TYPE_INT: return "INTEGER";
    case EDDY_TYPE_BIGINT: return "BIGINT";
    case EDDY_TYPE_DOUBLE: return "DOUBLE";
    case EDDY_TYPE_DECIMAL: return "DECIMAL";
    case EDDY_TYPE_STRING: return "STRING";
    case EDDY_TYPE_BYTES: return "BYTES";
    case EDDY_TYPE_DATE: return "DATE";
    case EDDY_TYPE_TIME: return "TIME";
    case EDDY_TYPE_TIMESTAMP: return "TIMESTAMP";
    case EDDY_TYPE_ARRAY: return "ARRAY";
    case EDDY_TYPE_MAP: return "MAP";
    case EDDY_TYPE_STRUCT: return "STRUCT";
    }
    return id == 0 ? "NULL" : "UNKNOWN";
}

static void fmt_type(sink *o, const eddy_type *t)
{
    char tmp[32];
    switch (t->id) {
    case EDDY_TYPE_DECIMAL:
        snprintf(tmp, sizeof tmp, "DECIMAL(%u, %u)", t->precision, t->scale);
        puts_(o, tmp);
        return;
    case EDDY_TYPE_ARRAY:
        puts_(o, "ARRAY<");
        fmt_type(o, t->elem);
        puts_(o, ">");
        return;
    case EDDY_TYPE_MAP:
        puts_(o, "MAP<");
        fmt_type(o, t->key);
        puts_(o, ", ");
        fmt_type(o, t->elem);
        puts_(o, ">");
        return;
    case EDDY_TYPE_STRUCT:
        puts_(o, "STRUCT<");
        for (uint32_t i = 0; i < t->nfields; i++) {
            if (i)
                puts_(o, ", ");
            /* ksqlDB quotes every field name, doubling a backtick inside it. */
            puts_(o, "`");
            for (const char *p = t->fields[i].name; *p; p++) {
                if (*p == '`')
                    puts_(o, "``");
                else
                    put(o, p, 1);
            }
            puts_(o, "` ");
            fmt_type(o, t->fields[i].type);
        }
        puts_(o, ">");
        return;
    default:
        puts_(o, eddy_type_id_name(t->id));
    }
}

size_t eddy_type_format(const eddy_type *t, char *buf, size_t size)
{
    sink o = {buf, size, 0};
    if (!t)
        puts_(&o, "NULL");
    else
        fmt_type(&o, t);
    if (size)
        buf[o.len < size ? o.len : size - 1] = '\0';
    return o.len;
}

bool eddy_type_is_numeric(const eddy_type *t)
{
    return t && (t->id == EDDY_TYPE_INT || t->id == EDDY_TYPE_BIGINT ||
                 t->id == EDDY_TYPE_DECIMAL || t->id == EDDY_TYPE_DOUBLE);
}

int eddy_type_field_index(const eddy_type *t, const char *name)
{
    if (!t || t->id != EDDY_TYPE_STRUCT || !name)
        return -1;
    for (uint32_t i = 0; i < t->nfields; i++)
        if (strcmp(t->fields[i].name, name) == 0)
            return (int)i;
    return -1;
}

/* ------------------------------------------------------------- coercion */

const eddy_type *eddy_type_as_decimal(const eddy_type *t)
{
    if (!t)
        return NULL;
    switch (t->id) {
    case EDDY_TYPE_INT: return eddy_type_decimal(10, 0);
    case EDDY_TYPE_BIGINT: return eddy_type_decimal(19, 0);
    case EDDY_TYPE_DECIMAL: return t;
    default: return NULL;
    }
}

/* Rank in the INT -> BIGINT -> DECIMAL -> DOUBLE widening chain. */
static int num_rank(eddy_type_id id)
{
    switch (id) {
    case EDDY_TYPE_INT: return 1;
    case EDDY_TYPE_BIGINT: return 2;
    case EDDY_TYPE_DECIMAL: return 3;
    case EDDY_TYPE_DOUBLE: return 4;
    default: return 0;
    }
}

/* ksqlDB's SqlDecimal.canImplicitlyCast: no integer digit and no fractional digit is lost. */
static bool decimal_fits(const eddy_type *from, const eddy_type *to)
{
    return from->scale <= to->scale &&
           from->precision - from->scale <= to->precision - to->scale;
}

/* Implicit coercion is lossless widening: INT -> BIGINT -> DOUBLE, an integer type to a
 * DECIMAL only when the DECIMAL has room for all its digits (INT needs 10 integer digits,
 * BIGINT 19), DECIMAL -> wider DECIMAL (ksqlDB's SqlDecimal.canImplicitlyCast) and
 * DECIMAL -> DOUBLE. Containers element-wise; structs on the fields both have (same name). */
bool eddy_type_coercible(const eddy_type *from, const eddy_type *to)
{
    if (!from || !to)
        return false;
    if (from == to)
        return true;
    int rf = num_rank(from->id), rt = num_rank(to->id);
    if (rf && rt) {
        if (rf > rt)
            return false;
        if (to->id == EDDY_TYPE_DECIMAL)
            return decimal_fits(eddy_type_as_decimal(from), to);
        return true;
    }
    if (from->id != to->id)
        return false;
    switch (from->id) {
    case EDDY_TYPE_ARRAY:
        return eddy_type_coercible(from->elem, to->elem);
    case EDDY_TYPE_MAP:
        return eddy_type_coercible(from->key, to->key) &&
               eddy_type_coercible(from->elem, to->elem);
    case EDDY_TYPE_STRUCT:
        for (uint32_t i = 0; i < from->nfields; i++) {
            int j = eddy_type_field_index(to, from->fields[i].name);
            if (j >= 0 && !eddy_type_coercible(from->fields[i].type, to->fields[j].type))
                return false;
        }
        return true;
    default:
        return false; /* same id, different interned type: only DECIMAL, handled above */
    }
}

static const eddy_type *decimal_common(const eddy_type *a, const eddy_type *b)
{
    int ia = a->precision - a->scale, ib = b->precision - b->scale;
    int s = a->scale > b->scale ? a->scale : b->scale;
    int p = (ia > ib ? ia : ib) + s;
    if (p > EDDY_DECIMAL_MAX_PRECISION)
        p = EDDY_DECIMAL_MAX_PRECISION;
    return eddy_type_decimal(p, s);
}

/* See value.h. A NULL argument stands for the untyped NULL literal: the other type wins.
 * DATE with TIMESTAMP gives TIMESTAMP (ksqlDB compares a DATE with a TIMESTAMP as the
 * timestamp of its midnight). Structs: a's fields in order, then b's new ones. */
const eddy_type *eddy_type_common(const eddy_type *a, const eddy_type *b)
{
    if (!a)
        return b;
    if (!b || a == b)
        return a;
    int ra = num_rank(a->id), rb = num_rank(b->id);
    if (ra && rb) {
        if (a->id == EDDY_TYPE_DOUBLE || b->id == EDDY_TYPE_DOUBLE)
            return eddy_type_double();
        if (a->id == EDDY_TYPE_DECIMAL || b->id == EDDY_TYPE_DECIMAL)
            return decimal_common(eddy_type_as_decimal(a), eddy_type_as_decimal(b));
        return ra > rb ? a : b;
    }
    if ((a->id == EDDY_TYPE_DATE && b->id == EDDY_TYPE_TIMESTAMP) ||
        (a->id == EDDY_TYPE_TIMESTAMP && b->id == EDDY_TYPE_DATE))
        return eddy_type_timestamp();
    if (a->id != b->id)
        return NULL;
    switch (a->id) {
    case EDDY_TYPE_ARRAY: {
        const eddy_type *e = eddy_type_common(a->elem, b->elem);
        return e ? eddy_type_array(e) : NULL;
    }
    case EDDY_TYPE_MAP: {
        const eddy_type *k = eddy_type_common(a->key, b->key);
        const eddy_type *v = eddy_type_common(a->elem, b->elem);
        return k && v ? eddy_type_map(k, v) : NULL;
    }
    case EDDY_TYPE_STRUCT: {
        uint32_t n = a->nfields;
        eddy_field stackf[16];
        eddy_field *f = stackf;
        size_t cap = (size_t)a->nfields + b->nfields;
        if (cap > 16 && !(f = malloc(cap * sizeof *f)))
            return NULL;
        const eddy_type *res = NULL;
        for (uint32_t i = 0; i < a->nfields; i++) {
            f[i] = a->fields[i];
            int j = eddy_type_field_index(b, a->fields[i].name);
            if (j >= 0 && !(f[i].type = eddy_type_common(f[i].type, b->fields[j].type)))
                goto done;
        }
        for (uint32_t j = 0; j < b->nfields; j++)
            if (eddy_type_field_index(a, b->fields[j].name) < 0)
                f[n++] = b->fields[j];
        res = eddy_type_struct(n, f);
    done:
        if (f != stackf)
            free(f);
        return res;
    }
    default:
        return NULL;
    }
}
