/* builtins_time.c: ksqlDB's date and time functions (scalar-functions.md, "Date and time" and
 * the deprecated STRINGTOTIMESTAMP family): arithmetic on DATE/TIME/TIMESTAMP, Java
 * DateTimeFormatter patterns for formatting and parsing, and time zones read from the system's
 * tz database (/usr/share/zoneinfo, TZif), never through the process-wide TZ variable. */
#define _GNU_SOURCE
#include "expr/builtins.h"

#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MS_PER_DAY 86400000LL
#define NOMEM(ctx) eddy_func_fail((ctx), "out of memory")

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

static int64_t floor_mod(int64_t a, int64_t b)
{
    return a - floor_div(a, b) * b;
}

/* ------------------------------------------------------------ time zones */

#define ZONEINFO_DIR "/usr/share/zoneinfo"

typedef struct tz_type {
    int32_t utoff; /* seconds east of UTC */
    bool isdst;
    char abbr[16];
} tz_type;

/* POSIX TZ rule (the TZif footer): when a date falls after the last transition. */
typedef struct tz_rule_date {
    char kind;     /* 'M' month.week.day, 'J' julian 1..365 no leap, 'N' zero-based day */
    int m, w, d;   /* M */
    int n;         /* J, N */
    int32_t secs;  /* local time of day of the change */
} tz_rule_date;

typedef struct tz_rule {
    bool present, has_dst;
    tz_type std, dst;
    tz_rule_date start, end;
} tz_rule;

/* A loaded zone, cached for the life of the process (a handful of zones in practice). */
typedef struct tz_zone {
    char name[64];
    bool fixed;        /* a fixed offset: no rules */
    int32_t offset;    /* fixed zones */
    uint32_t ntrans, ntypes;
    int64_t *trans;    /* seconds since the epoch */
    uint8_t *idx;      /* type index per transition */
    tz_type *types;
    tz_rule rule;
    struct tz_zone *next;
} tz_zone;

static tz_zone *tz_cache;

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int64_t be64(const unsigned char *p)
{
    return (int64_t)((uint64_t)be32(p) << 32 | be32(p + 4));
}

/* "[+-]hh[:mm[:ss]]" of a POSIX TZ string; returns the characters used, 0 on error. */
static int posix_time(const char *s, int32_t *secs)
{
    const char *p = s;
    int sign = 1;
    if (*p == '+' || *p == '-')
        sign = *p++ == '-' ? -1 : 1;
    if (!isdigit((unsigned char)*p))
        return 0;
    long h = strtol(p, (char **)&p, 10), m = 0, sec = 0;
    if (*p == ':') {
        p++;
        m = strtol(p, (char **)&p, 10);
        if (*p == ':') {
            p++;
            sec = strtol(p, (char **)&p, 10);
        }
    }
    *secs = (int32_t)(sign * (h * 3600 + m * 60 + sec));
    return (int)(p - s);
}

static int posix_name(const char *s, char *abbr)
{
    const char *p = s;
    size_t n = 0;
    if (*p == '<') {
        p++;
        while (*p && *p != '>' && n < 15)
            abbr[n++] = *p++;
        if (*p != '>')
            return 0;
        p++;
    } else {
        while (isalpha((unsigned char)*p) && n < 15)
            abbr[n++] = *p++;
    }
    abbr[n] = '\0';
    return n >= 1 ? (int)(p - s) : 0;
}

static int posix_date(const char *s, tz_rule_date *d)
{
    const char *p = s;
    memset(d, 0, sizeof *d);
    d->secs = 7200;
    if (*p == 'M') {
        d->kind = 'M';
        p++;
        d->m = (int)strtol(p, (char **)&p, 10);
        if (*p++ != '.')
            return 0;
        d->w = (int)strtol(p, (char **)&p, 10);
        if (*p++ != '.')
            return 0;
        d->d = (int)strtol(p, (char **)&p, 10);
    } else if (*p == 'J') {
        d->kind = 'J';
        p++;
        d->n = (int)strtol(p, (char **)&p, 10);
    } else if (isdigit((unsigned char)*p)) {
        d->kind = 'N';
        d->n = (int)strtol(p, (char **)&p, 10);
    } else {
        return 0;
    }
    if (*p == '/') {
        p++;
        int k = posix_time(p, &d->secs);
        if (!k)
            return 0;
        p += k;
    }
    return (int)(p - s);
}

static bool parse_posix_tz(const char *s, tz_rule *r)
{
    memset(r, 0, sizeof *r);
    int k = posix_name(s, r->std.abbr);
    int32_t off;
    if (!k)
        return false;
    s += k;
    if (!(k = posix_time(s, &off)))
        return false;
    s += k;
    r->std.utoff = -off;
    r->present = true;
    if (!*s)
        return true;
    if (!(k = posix_name(s, r->dst.abbr)))
        return false;
    s += k;
    r->dst.isdst = true;
    r->dst.utoff = r->std.utoff + 3600;
    if (*s && *s != ',') {
        if (!(k = posix_time(s, &off)))
            return false;
        s += k;
        r->dst.utoff = -off;
    }
    if (*s++ != ',')
        return false;
    if (!(k = posix_date(s, &r->start)))
        return false;
    s += k;
    if (*s++ != ',')
        return false;
    if (!(k = posix_date(s, &r->end)))
        return false;
    r->has_dst = true;
    return true;
}

static bool is_leap(int64_t y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* Day (since the epoch) a rule date falls on in year y. */
static int64_t rule_day(const tz_rule_date *d, int64_t y)
{
    if (d->kind == 'J') {
        int64_t day = eddy_days_from_civil(y, 1, 1) + d->n - 1;
        if (is_leap(y) && d->n >= 60)
            day++;
        return day;
    }
    if (d->kind == 'N')
        return eddy_days_from_civil(y, 1, 1) + d->n;
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int64_t first = eddy_days_from_civil(y, (unsigned)d->m, 1);
    int dow_first = (int)floor_mod(first + 4, 7); /* 1970-01-01 was a Thursday (4) */
    int64_t day = first + floor_mod(d->d - dow_first, 7) + (int64_t)(d->w - 1) * 7;
    int len = mdays[d->m - 1] + (d->m == 2 && is_leap(y));
    while (day >= first + len)
        day -= 7;
    return day;
}

static const tz_type *rule_type(const tz_rule *r, int64_t t)
{
    if (!r->has_dst)
        return &r->std;
    int64_t y;
    unsigned mo, d;
    eddy_civil_from_days(floor_div(t + r->std.utoff, 86400), &y, &mo, &d);
    int64_t start = rule_day(&r->start, y) * 86400 + r->start.secs - r->std.utoff;
    int64_t end = rule_day(&r->end, y) * 86400 + r->end.secs - r->dst.utoff;
    bool dst = start < end ? (t >= start && t < end) : !(t >= end && t < start);
    return dst ? &r->dst : &r->std;
}

static tz_zone *load_tzif(const char *name)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", ZONEINFO_DIR, name);
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return NULL;
    unsigned char *buf = NULL;
    size_t len = 0, cap = 0;
    for (;;) {
        if (len == cap) {
            cap = cap ? cap * 2 : 8192;
            unsigned char *nb = realloc(buf, cap);
            if (!nb)
                break;
            buf = nb;
        }
        size_t n = fread(buf + len, 1, cap - len, fp);
        if (n == 0)
            break;
        len += n;
    }
    fclose(fp);
    tz_zone *z = NULL;
    if (!buf || len < 44 || memcmp(buf, "TZif", 4) != 0)
        goto out;
    /* header: counts isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt */
    const unsigned char *h = buf;
    size_t tsize = 4, off = 0;
    uint32_t c[6];
    for (int i = 0; i < 6; i++)
        c[i] = be32(h + 20 + 4 * i);
    if (buf[4] >= '2') { /* skip the 32-bit block, use the 64-bit one */
        size_t v1 = 44 + (size_t)c[3] * 5 + (size_t)c[4] * 6 + c[5] + (size_t)c[2] * 8 + c[1] +
                    c[0];
        if (v1 + 44 > len || memcmp(buf + v1, "TZif", 4) != 0)
            goto out;
        h = buf + v1;
        for (int i = 0; i < 6; i++)
            c[i] = be32(h + 20 + 4 * i);
        tsize = 8;
    }
    off = (size_t)(h - buf) + 44;
    size_t need = (size_t)c[3] * (tsize + 1) + (size_t)c[4] * 6 + c[5] +
                  (size_t)c[2] * (tsize + 4) + c[1] + c[0];
    if (off + need > len || c[4] == 0 || c[4] > 256)
        goto out;
    z = calloc(1, sizeof *z);
    if (!z)
        goto out;
    snprintf(z->name, sizeof z->name, "%s", name);
    z->ntrans = c[3];
    z->ntypes = c[4];
    z->trans = calloc(c[3] ? c[3] : 1, sizeof *z->trans);
    z->idx = calloc(c[3] ? c[3] : 1, 1);
    z->types = calloc(c[4], sizeof *z->types);
    if (!z->trans || !z->idx || !z->types) {
        free(z->trans);
        free(z->idx);
        free(z->types);
        free(z);
        z = NULL;
        goto out;
    }
    const unsigned char *p = buf + off;
    for (uint32_t i = 0; i < c[3]; i++, p += tsize)
        z->trans[i] = tsize == 8 ? be64(p) : (int64_t)(int32_t)be32(p);
    for (uint32_t i = 0; i < c[3]; i++, p++)
        z->idx[i] = *p < c[4] ? *p : 0;
    const unsigned char *abbrs = p + (size_t)c[4] * 6;
    for (uint32_t i = 0; i < c[4]; i++, p += 6) {
        z->types[i].utoff = (int32_t)be32(p);
        z->types[i].isdst = p[4] != 0;
        uint8_t ai = p[5];
        if (ai < c[5])
            snprintf(z->types[i].abbr, sizeof z->types[i].abbr, "%.*s",
                     (int)strnlen((const char *)abbrs + ai, c[5] - ai), abbrs + ai);
    }
    p = buf + off + need;
    if (tsize == 8 && p < buf + len && *p == '\n') {
        const char *fs = (const char *)p + 1;
        const char *fe = memchr(fs, '\n', (size_t)(buf + len - (const unsigned char *)fs));
        if (fe && fe - fs < 128) {
            char footer[128];
            memcpy(footer, fs, (size_t)(fe - fs));
            footer[fe - fs] = '\0';
            if (footer[0])
                parse_posix_tz(footer, &z->rule);
        }
    }
out:
    free(buf);
    return z;
}

static const tz_type *zone_type(const tz_zone *z, int64_t t /* seconds */)
{
    if (z->ntrans == 0 || t < z->trans[0]) {
        if (z->ntrans == 0 && z->rule.present)
            return rule_type(&z->rule, t);
        for (uint32_t i = 0; i < z->ntypes; i++)
            if (!z->types[i].isdst)
                return &z->types[i];
        return &z->types[0];
    }
    if (t >= z->trans[z->ntrans - 1] && z->rule.present)
        return rule_type(&z->rule, t);
    uint32_t lo = 0, hi = z->ntrans; /* last transition <= t */
    while (hi - lo > 1) {
        uint32_t mid = (lo + hi) / 2;
        if (z->trans[mid] <= t)
            lo = mid;
        else
            hi = mid;
    }
    return &z->types[z->idx[lo]];
}

/* Offset (seconds) and abbreviation of zone `z` at instant `ms`. */
static int32_t zone_offset(const tz_zone *z, int64_t ms, const char **abbr)
{
    if (z->fixed) {
        if (abbr)
            *abbr = NULL;
        return z->offset;
    }
    const tz_type *t = zone_type(z, floor_div(ms, 1000));
    if (abbr)
        *abbr = t->abbr;
    return t->utoff;
}

/* The instant of local date-time `local_ms` in zone z, as java.time resolves it: an
 * overlap takes the earlier offset, a gap moves forward by its length. */
static int64_t zone_local_to_utc(const tz_zone *z, int64_t local_ms)
{
    if (z->fixed)
        return local_ms - (int64_t)z->offset * 1000;
    int32_t oa = zone_offset(z, local_ms - MS_PER_DAY, NULL);
    int32_t ob = zone_offset(z, local_ms + MS_PER_DAY, NULL);
    bool va = zone_offset(z, local_ms - (int64_t)oa * 1000, NULL) == oa;
    bool vb = zone_offset(z, local_ms - (int64_t)ob * 1000, NULL) == ob;
    if (va)
        return local_ms - (int64_t)oa * 1000;
    if (vb)
        return local_ms - (int64_t)ob * 1000;
    return local_ms - (int64_t)oa * 1000;
}

/* java.time.ZoneId.SHORT_IDS, plus the daylight names the docs use ("PDT"). */
static const struct {
    const char *id, *region;
} short_ids[] = {
    {"ACT", "Australia/Darwin"}, {"AET", "Australia/Sydney"},
    {"AGT", "America/Argentina/Buenos_Aires"}, {"ART", "Africa/Cairo"},
    {"AST", "America/Anchorage"}, {"BET", "America/Sao_Paulo"}, {"BST", "Asia/Dhaka"},
    {"CAT", "Africa/Harare"}, {"CNT", "America/St_Johns"}, {"CST", "America/Chicago"},
    {"CTT", "Asia/Shanghai"}, {"EAT", "Africa/Addis_Ababa"}, {"ECT", "Europe/Paris"},
    {"IET", "America/Indiana/Indianapolis"}, {"IST", "Asia/Kolkata"}, {"JST", "Asia/Tokyo"},
    {"MIT", "Pacific/Apia"}, {"NET", "Asia/Yerevan"}, {"NST", "Pacific/Auckland"},
    {"PLT", "Asia/Karachi"}, {"PNT", "America/Phoenix"}, {"PRT", "America/Puerto_Rico"},
    {"PST", "America/Los_Angeles"}, {"SST", "Pacific/Guadalcanal"},
    {"VST", "Asia/Ho_Chi_Minh"}, {"PDT", "America/Los_Angeles"},
    {"MDT", "America/Denver"}, {"CDT", "America/Chicago"}, {"EDT", "America/New_York"},
};

/* Zone names as DateTimeFormatter parses them ('z'). */
static const struct {
    const char *abbr, *region;
} zone_names[] = {
    {"UTC", "UTC"}, {"GMT", "UTC"}, {"UT", "UTC"}, {"Z", "UTC"},
    {"PST", "America/Los_Angeles"}, {"PDT", "America/Los_Angeles"},
    {"MST", "America/Denver"}, {"MDT", "America/Denver"},
    {"CST", "America/Chicago"}, {"CDT", "America/Chicago"},
    {"EST", "America/New_York"}, {"EDT", "America/New_York"},
    {"AKST", "America/Anchorage"}, {"AKDT", "America/Anchorage"},
    {"HST", "Pacific/Honolulu"}, {"BST", "Europe/London"},
    {"CET", "Europe/Paris"}, {"CEST", "Europe/Paris"},
    {"EET", "Europe/Athens"}, {"EEST", "Europe/Athens"},
    {"WET", "Europe/Lisbon"}, {"WEST", "Europe/Lisbon"},
    {"JST", "Asia/Tokyo"}, {"KST", "Asia/Seoul"},
    {"AEST", "Australia/Sydney"}, {"AEDT", "Australia/Sydney"},
};

/* "+h", "+hh", "+hh:mm", "+hhmm", "+hh:mm:ss", "+hhmmss" (java.time.ZoneOffset.of). */
static bool parse_offset_id(const char *s, size_t n, int32_t *secs)
{
    if (n < 2 || (s[0] != '+' && s[0] != '-'))
        return false;
    int sign = s[0] == '-' ? -1 : 1;
    const char *p = s + 1;
    size_t m = n - 1;
    int h, mi = 0, se = 0;
    for (size_t i = 0; i < m; i++)
        if (!isdigit((unsigned char)p[i]) && p[i] != ':')
            return false;
    if (m == 1) {
        h = p[0] - '0';
    } else if (m == 2) {
        h = (p[0] - '0') * 10 + p[1] - '0';
    } else if (m == 5 && p[2] == ':') {
        h = (p[0] - '0') * 10 + p[1] - '0';
        mi = (p[3] - '0') * 10 + p[4] - '0';
    } else if (m == 4 && !memchr(p, ':', 4)) {
        h = (p[0] - '0') * 10 + p[1] - '0';
        mi = (p[2] - '0') * 10 + p[3] - '0';
    } else if (m == 8 && p[2] == ':' && p[5] == ':') {
        h = (p[0] - '0') * 10 + p[1] - '0';
        mi = (p[3] - '0') * 10 + p[4] - '0';
        se = (p[6] - '0') * 10 + p[7] - '0';
    } else if (m == 6 && !memchr(p, ':', 6)) {
        h = (p[0] - '0') * 10 + p[1] - '0';
        mi = (p[2] - '0') * 10 + p[3] - '0';
        se = (p[4] - '0') * 10 + p[5] - '0';
    } else {
        return false;
    }
    if (h > 18 || mi > 59 || se > 59 || h * 3600 + mi * 60 + se > 18 * 3600)
        return false;
    *secs = sign * (h * 3600 + mi * 60 + se);
    return true;
}

static bool valid_region_name(const char *s, size_t n)
{
    if (n == 0 || n >= 64 || !isalpha((unsigned char)s[0]))
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!isalnum((unsigned char)c) && c != '/' && c != '_' && c != '-' && c != '+' &&
            c != '.' && c != '~')
            return false;
        if (c == '.' && i + 1 < n && s[i + 1] == '.')
            return false;
    }
    return true;
}

static tz_zone *cache_find(const char *name)
{
    for (tz_zone *z = tz_cache; z; z = z->next)
        if (strcmp(z->name, name) == 0)
            return z;
    return NULL;
}

static tz_zone *cache_put(tz_zone *z)
{
    z->next = tz_cache;
    tz_cache = z;
    return z;
}

/* Fixed offsets: "Z", "+05:30", "UTC+01:00", "GMT-8", "UT+1". Returns 1 and the offset, 0
 * when `name` is not of that form, -1 when it is but the offset is bad. */
static int fixed_offset(const char *name, int32_t *off)
{
    const char *num = NULL;
    if (strcmp(name, "Z") == 0) {
        *off = 0;
        return 1;
    }
    if (name[0] == '+' || name[0] == '-')
        num = name;
    else if ((strncmp(name, "UTC", 3) == 0 || strncmp(name, "GMT", 3) == 0) &&
             (name[3] == '+' || name[3] == '-'))
        num = name + 3;
    else if (strncmp(name, "UT", 2) == 0 && (name[2] == '+' || name[2] == '-'))
        num = name + 2;
    if (!num)
        return 0;
    return parse_offset_id(num, strlen(num), off) ? 1 : -1;
}

static pthread_rwlock_t tz_rwlock = PTHREAD_RWLOCK_INITIALIZER;

/* A tz database region (or a short ID), loaded once and cached: only names that exist are
 * cached, so the cache is bounded by the database. */
static const tz_zone *region_lookup(const char *name)
{
    pthread_rwlock_rdlock(&tz_rwlock);
    tz_zone *z = cache_find(name);
    pthread_rwlock_unlock(&tz_rwlock);
    if (z)
        return z;
    if (!valid_region_name(name, strlen(name)))
        return NULL;
    pthread_rwlock_wrlock(&tz_rwlock);
    z = cache_find(name);
    if (!z) {
        z = load_tzif(name);
        if (!z)
            for (size_t i = 0; i < sizeof short_ids / sizeof short_ids[0]; i++)
                if (strcmp(short_ids[i].id, name) == 0) {
                    z = load_tzif(short_ids[i].region);
                    break;
                }
        if (z) {
            snprintf(z->name, sizeof z->name, "%s", name);
            cache_put(z);
        }
    }
    pthread_rwlock_unlock(&tz_rwlock);
    return z;
}

static const tz_zone utc_fixed = {.name = "Z", .fixed = true};

/* The zone named `name` (a tz database region, an offset, UTC/GMT[+-offset], a short ID).
 * A fixed offset other than Z is allocated in `arena` (never cached: there are too many
 * spellings); without an arena only regions and Z are looked up. */
static const tz_zone *zone_lookup(const char *name, size_t n, eddy_arena *arena)
{
    char buf[64];
    if (n == 0 || n >= sizeof buf)
        return NULL;
    memcpy(buf, name, n);
    buf[n] = '\0';
    int32_t off;
    int fx = fixed_offset(buf, &off);
    if (fx < 0)
        return NULL;
    if (fx > 0) {
        if (off == 0 && strcmp(buf, "Z") == 0)
            return &utc_fixed;
        tz_zone *z = arena ? eddy_arena_calloc(arena, 1, sizeof *z) : NULL;
        if (!z)
            return NULL;
        snprintf(z->name, sizeof z->name, "%s", buf);
        z->fixed = true;
        z->offset = off;
        return z;
    }
    return region_lookup(buf);
}

static int zone_arg(eddy_func_ctx *ctx, const eddy_value *v, const tz_zone **z)
{
    *z = zone_lookup(v->u.str, v->len, ctx->arena);
    if (!*z)
        return eddy_func_fail(ctx, "Unknown time-zone ID: %.*s", (int)v->len, v->u.str);
    return 0;
}

/* ------------------------------------------------------------- patterns */

/* Broken-down date-time: what a formatter prints and a parser fills. */
typedef struct dt_fields {
    bool has_date, has_time, has_zone;
    int64_t year;
    int month, day, hour, minute, second;
    int32_t nanos;
    int32_t offset;       /* seconds east of UTC */
    const char *abbr;     /* zone abbreviation or NULL */
    const tz_zone *zone;
} dt_fields;

static const char *const month_long[] = {"January", "February", "March", "April", "May",
                                         "June", "July", "August", "September", "October",
                                         "November", "December"};
static const char *const day_long[] = {"Monday", "Tuesday", "Wednesday", "Thursday",
                                       "Friday", "Saturday", "Sunday"};

typedef enum { TK_LIT, TK_FIELD, TK_OPT_BEGIN, TK_OPT_END } tk_kind;

typedef struct ptoken {
    tk_kind kind;
    char letter;
    int count;
    const char *lit;
    size_t litlen;
} ptoken;

#define MAX_TOKENS 128

static bool letter_known(char c)
{
    return strchr("GuyDMLdQqYwWEecFaBhKkHmsSAnNVvzOXxZ", c) != NULL;
}

/* Splits a Java DateTimeFormatter pattern into tokens. Literal text in quotes is copied into
 * `scratch` ('' is a quote). */
static int tokenize(eddy_func_ctx *ctx, const char *pat, size_t n, ptoken *tk, int *ntk,
                    char *scratch)
{
    int k = 0;
    size_t sw = 0;
    int depth = 0;
    for (size_t i = 0; i < n;) {
        if (k >= MAX_TOKENS)
            return eddy_func_fail(ctx, "Pattern too long: %.*s", (int)n, pat);
        char c = pat[i];
        if (isalpha((unsigned char)c)) {
            size_t j = i;
            while (j < n && pat[j] == c)
                j++;
            if (!letter_known(c))
                return eddy_func_fail(ctx, "Unknown pattern letter: %c", c);
            tk[k++] = (ptoken){.kind = TK_FIELD, .letter = c, .count = (int)(j - i)};
            i = j;
        } else if (c == '\'') {
            size_t start = sw;
            size_t j = i + 1;
            if (j < n && pat[j] == '\'') { /* '' */
                scratch[sw++] = '\'';
                i = j + 1;
            } else {
                for (;;) {
                    if (j >= n)
                        return eddy_func_fail(ctx, "Pattern ends with an incomplete string "
                                                   "literal: %.*s", (int)n, pat);
                    if (pat[j] == '\'') {
                        if (j + 1 < n && pat[j + 1] == '\'') {
                            scratch[sw++] = '\'';
                            j += 2;
                            continue;
                        }
                        break;
                    }
                    scratch[sw++] = pat[j++];
                }
                i = j + 1;
            }
            tk[k++] = (ptoken){.kind = TK_LIT, .lit = scratch + start, .litlen = sw - start};
        } else if (c == '[') {
            depth++;
            tk[k++] = (ptoken){.kind = TK_OPT_BEGIN};
            i++;
        } else if (c == ']') {
            if (--depth < 0)
                return eddy_func_fail(ctx, "Pattern invalid as it contains ] without previous [");
            tk[k++] = (ptoken){.kind = TK_OPT_END};
            i++;
        } else if (c == '{' || c == '}' || c == '#') {
            return eddy_func_fail(ctx, "Pattern includes reserved character: '%c'", c);
        } else {
            scratch[sw] = c;
            tk[k++] = (ptoken){.kind = TK_LIT, .lit = scratch + sw, .litlen = 1};
            sw++;
            i++;
        }
    }
    *ntk = k;
    return 0;
}

/* -------------------------------------------------------------- formatting */

static int put_num(eddy_buf *b, int64_t v, int minw)
{
    if (v < 0)
        return eddy_buf_printf(b, "-%0*lld", minw, (long long)-v);
    return eddy_buf_printf(b, "%0*lld", minw, (long long)v);
}

static int put_offset(eddy_buf *b, int32_t off, bool colon, bool with_secs, bool minutes_opt,
                      const char *zero)
{
    if (off == 0 && zero)
        return eddy_buf_puts(b, zero);
    int32_t a = off < 0 ? -off : off;
    int h = a / 3600, m = a / 60 % 60, s = a % 60;
    eddy_buf_printf(b, "%c%02d", off < 0 ? '-' : '+', h);
    if (minutes_opt && m == 0 && s == 0)
        return 0;
    eddy_buf_printf(b, colon ? ":%02d" : "%02d", m);
    if (with_secs && s)
        eddy_buf_printf(b, colon ? ":%02d" : "%02d", s);
    return 0;
}

static const char *field_name(char c)
{
    switch (c) {
    case 'y': return "YearOfEra";
    case 'u': return "Year";
    case 'M': case 'L': return "MonthOfYear";
    case 'd': return "DayOfMonth";
    case 'D': return "DayOfYear";
    case 'E': return "DayOfWeek";
    case 'G': return "Era";
    case 'H': return "HourOfDay";
    case 'h': return "ClockHourOfAmPm";
    case 'K': return "HourOfAmPm";
    case 'k': return "ClockHourOfDay";
    case 'm': return "MinuteOfHour";
    case 's': return "SecondOfMinute";
    case 'S': return "NanoOfSecond";
    case 'a': return "AmPmOfDay";
    case 'n': return "NanoOfSecond";
    case 'A': return "MilliOfDay";
    default: return "OffsetSeconds";
    }
}

static bool is_date_letter(char c)
{
    return strchr("GuyDMLdQqYwWEecF", c) != NULL;
}

static bool is_time_letter(char c)
{
    return strchr("aBhKkHmsSAnN", c) != NULL;
}

static bool is_zone_letter(char c)
{
    return strchr("VvzOXxZ", c) != NULL;
}

static int format_fields(eddy_func_ctx *ctx, const dt_fields *f, const char *pat, size_t plen,
                         eddy_buf *b)
{
    ptoken tk[MAX_TOKENS];
    int ntk;
    char lits[512];
    if (plen >= sizeof lits)
        return eddy_func_fail(ctx, "Pattern too long");
    int rc = tokenize(ctx, pat, plen, tk, &ntk, lits);
    if (rc)
        return rc;
    for (int i = 0; i < ntk; i++) {
        const ptoken *t = &tk[i];
        if (t->kind == TK_OPT_BEGIN || t->kind == TK_OPT_END)
            continue;
        if (t->kind == TK_LIT) {
            eddy_buf_append(b, t->lit, t->litlen);
            continue;
        }
        char c = t->letter;
        int n = t->count;
        if ((is_date_letter(c) && !f->has_date) || (is_time_letter(c) && !f->has_time) ||
            (is_zone_letter(c) && !f->has_zone))
            return eddy_func_fail(ctx, "Unsupported field: %s", field_name(c));
        int64_t days = f->has_date ? eddy_days_from_civil(f->year, (unsigned)f->month,
                                                          (unsigned)f->day) : 0;
        switch (c) {
        case 'y': case 'u': case 'Y': {
            int64_t y = c == 'y' && f->year <= 0 ? 1 - f->year : f->year;
            if (c == 'Y') {
                /* week-based year, WeekFields of the US locale (weeks start on Sunday; week 1
                 * holds January 1st): the year of the Saturday that ends the week */
                int64_t sat = days + 6 - floor_mod(days + 4, 7);
                unsigned sm, sd;
                eddy_civil_from_days(sat, &y, &sm, &sd);
            }
            if (n == 2)
                put_num(b, floor_mod(y, 100), 2);
            else if (n >= 4 && y > 9999 && c != 'Y')
                eddy_buf_printf(b, "+%lld", (long long)y);
            else
                put_num(b, y, n);
            break;
        }
        case 'M': case 'L':
            if (n <= 2)
                put_num(b, f->month, n);
            else if (n == 3)
                eddy_buf_printf(b, "%.3s", month_long[f->month - 1]);
            else if (n == 4)
                eddy_buf_puts(b, month_long[f->month - 1]);
            else
                eddy_buf_putc(b, month_long[f->month - 1][0]);
            break;
        case 'd':
            put_num(b, f->day, n);
            break;
        case 'D':
            put_num(b, days - eddy_days_from_civil(f->year, 1, 1) + 1, n);
            break;
        case 'E': {
            int dow = (int)floor_mod(days + 3, 7); /* 0 = Monday */
            if (n <= 3)
                eddy_buf_printf(b, "%.3s", day_long[dow]);
            else if (n == 4)
                eddy_buf_puts(b, day_long[dow]);
            else
                eddy_buf_putc(b, day_long[dow][0]);
            break;
        }
        case 'G':
            eddy_buf_puts(b, n == 4 ? (f->year > 0 ? "Anno Domini" : "Before Christ")
                                    : (f->year > 0 ? "AD" : "BC"));
            break;
        case 'Q': case 'q':
            if (n <= 2)
                put_num(b, (f->month - 1) / 3 + 1, n);
            else
                eddy_buf_printf(b, n == 3 ? "Q%d" : "%d%s quarter", (f->month - 1) / 3 + 1,
                                n == 3 ? "" : ((f->month - 1) / 3 == 0 ? "st" :
                                               (f->month - 1) / 3 == 1 ? "nd" :
                                               (f->month - 1) / 3 == 2 ? "rd" : "th"));
            break;
        case 'H':
            put_num(b, f->hour, n);
            break;
        case 'k':
            put_num(b, f->hour == 0 ? 24 : f->hour, n);
            break;
        case 'h':
            put_num(b, f->hour % 12 == 0 ? 12 : f->hour % 12, n);
            break;
        case 'K':
            put_num(b, f->hour % 12, n);
            break;
        case 'a':
            eddy_buf_puts(b, f->hour < 12 ? "AM" : "PM");
            break;
        case 'm':
            put_num(b, f->minute, n);
            break;
        case 's':
            put_num(b, f->second, n);
            break;
        case 'S': {
            char digits[10];
            snprintf(digits, sizeof digits, "%09d", f->nanos);
            for (int k = 0; k < n; k++)
                eddy_buf_putc(b, k < 9 ? digits[k] : '0');
            break;
        }
        case 'n':
            put_num(b, f->nanos, n);
            break;
        case 'N':
            put_num(b, ((int64_t)f->hour * 3600 + f->minute * 60 + f->second) * 1000000000LL +
                           f->nanos, n);
            break;
        case 'A':
            put_num(b, ((int64_t)f->hour * 3600 + f->minute * 60 + f->second) * 1000 +
                           f->nanos / 1000000, n);
            break;
        case 'V':
            if (n != 2)
                return eddy_func_fail(ctx, "Pattern letter count must be 2: V");
            eddy_buf_puts(b, f->zone && !f->zone->fixed ? f->zone->name : "Z");
            break;
        case 'z':
            if (n >= 4)
                return eddy_func_fail(ctx, "Full time-zone names (zzzz) are not supported");
            if (f->abbr && f->abbr[0] && f->abbr[0] != '+' && f->abbr[0] != '-')
                eddy_buf_puts(b, f->abbr);
            else if (f->zone && !f->zone->fixed)
                eddy_buf_puts(b, f->abbr && f->abbr[0] ? f->abbr : f->zone->name);
            else
                put_offset(b, f->offset, true, true, false, "Z");
            break;
        case 'O':
            eddy_buf_puts(b, "GMT");
            if (f->offset == 0)
                break;
            if (n == 1) {
                int32_t a = f->offset < 0 ? -f->offset : f->offset;
                eddy_buf_printf(b, "%c%d", f->offset < 0 ? '-' : '+', a / 3600);
                if (a / 60 % 60)
                    eddy_buf_printf(b, ":%02d", a / 60 % 60);
            } else {
                put_offset(b, f->offset, true, true, false, NULL);
            }
            break;
        case 'X': case 'x': {
            const char *zero = c == 'X' ? "Z" : NULL;
            if (n == 1)
                put_offset(b, f->offset, false, false, true, zero);
            else if (n == 2 || n == 4)
                put_offset(b, f->offset, false, n == 4, false, zero);
            else
                put_offset(b, f->offset, true, n == 5, false, zero);
            break;
        }
        case 'Z':
            if (n <= 3) {
                put_offset(b, f->offset, false, false, false, NULL);
            } else if (n == 4) {
                eddy_buf_puts(b, "GMT");
                if (f->offset)
                    put_offset(b, f->offset, true, true, false, NULL);
            } else {
                put_offset(b, f->offset, true, true, false, "Z");
            }
            break;
        default:
            return eddy_func_fail(ctx, "Pattern letter '%c' is not supported", c);
        }
    }
    return 0;
}

static void fields_from_ms(int64_t local_ms, dt_fields *f)
{
    int64_t days = floor_div(local_ms, MS_PER_DAY);
    int64_t tod = local_ms - days * MS_PER_DAY;
    unsigned m, d;
    eddy_civil_from_days(days, &f->year, &m, &d);
    f->month = (int)m;
    f->day = (int)d;
    f->hour = (int)(tod / 3600000);
    f->minute = (int)(tod / 60000 % 60);
    f->second = (int)(tod / 1000 % 60);
    f->nanos = (int32_t)(tod % 1000) * 1000000;
}

/* Per-thread scratch buffer: results are built here, then copied into ctx->arena, so a call
 * does not malloc once the buffer has grown to its working size. */
static _Thread_local eddy_buf scratch;

/* Thread exit releases the scratch memory (see eddy_builtins_at_thread_exit). */
static _Thread_local bool tls_registered;

static void tls_release(void)
{
    eddy_buf_free(&scratch);
}

/* The scratch buffer, emptied, for this thread. */
static void scratch_begin(void)
{
    if (!tls_registered) {
        eddy_builtins_at_thread_exit(tls_release);
        tls_registered = true;
    }
    eddy_buf_clear(&scratch);
}

static int result_string(eddy_func_ctx *ctx, eddy_value *out)
{
    return eddy_builtins_string_result(ctx, &scratch, out);
}

/* Formats instant `ms` in zone `z` (NULL: GMT, ksqlDB's default zone). */
static int format_instant(eddy_func_ctx *ctx, int64_t ms, const eddy_value *pat,
                          const tz_zone *z, eddy_value *out)
{
    dt_fields f = {.has_date = true, .has_time = true, .has_zone = true};
    if (!z)
        z = zone_lookup("GMT", 3, NULL); /* ksqlDB formats in ZoneId.of("GMT") by default */
    if (!z)
        z = &utc_fixed;
    f.zone = z;
    f.offset = zone_offset(z, ms, &f.abbr);
    fields_from_ms(ms + (int64_t)f.offset * 1000, &f);
    char err[256] = "";
    eddy_func_ctx sub = *ctx;
    sub.errstr = err;
    sub.errstr_size = sizeof err;
    scratch_begin();
    int rc = format_fields(&sub, &f, pat->u.str, pat->len, &scratch);
    if (rc) {
        return eddy_func_fail(ctx, "Failed to format timestamp %lld with formatter '%.*s': %s",
                              (long long)ms, (int)pat->len, pat->u.str, err);
    }
    return result_string(ctx, out);
}

/* ----------------------------------------------------------------- parsing */

typedef struct parse_state {
    bool year, month, day, hour, minute, second, nanos, ampm_set, hour12, offset, zone, doy;
    int64_t y;
    int mo, d, h, mi, s, ampm, dayofyear;
    int32_t ns;
    int32_t off;
    const tz_zone *z;
} parse_state;

static bool is_numeric_token(const ptoken *t)
{
    if (t->kind != TK_FIELD)
        return false;
    switch (t->letter) {
    case 'M': case 'L':
        return t->count <= 2;
    case 'y': case 'u': case 'd': case 'D': case 'H': case 'h': case 'K': case 'k': case 'm':
    case 's': case 'S': case 'n': case 'A':
        return true;
    default:
        return false;
    }
}

/* Fixed width of a numeric token (0 when variable). */
static int fixed_width(const ptoken *t)
{
    if (t->letter == 'S')
        return t->count;
    if (t->count == 1 || t->letter == 'n' || t->letter == 'A')
        return 0;
    if ((t->letter == 'y' || t->letter == 'u' || t->letter == 'Y') && t->count != 2)
        return 0;
    return t->count;
}

static size_t match_ci(const char *s, size_t n, const char *word)
{
    size_t l = strlen(word);
    return l <= n && strncasecmp(s, word, l) == 0 ? l : 0;
}

static int match_name(const char *s, size_t n, const char *const *names, int count, bool full,
                      size_t *used)
{
    int best = -1;
    size_t bl = 0;
    for (int i = 0; i < count; i++) {
        size_t l = full ? match_ci(s, n, names[i]) : 0;
        if (!full && n >= 3 && strncasecmp(s, names[i], 3) == 0)
            l = 3;
        if (l > bl) {
            bl = l;
            best = i;
        }
    }
    *used = bl;
    return best;
}

/* Offset text at s: "Z", "+HH", "+HHMM", "+HH:MM", "+HH:MM:SS". */
static size_t parse_offset_text(const char *s, size_t n, bool allow_z, int32_t *off)
{
    if (allow_z && n >= 1 && (s[0] == 'Z' || s[0] == 'z')) {
        *off = 0;
        return 1;
    }
    if (n < 3 || (s[0] != '+' && s[0] != '-') || !isdigit((unsigned char)s[1]) ||
        !isdigit((unsigned char)s[2]))
        return 0;
    int sign = s[0] == '-' ? -1 : 1;
    int h = (s[1] - '0') * 10 + s[2] - '0', m = 0, sec = 0;
    size_t i = 3;
    bool colon = i < n && s[i] == ':';
    size_t j = i + (colon ? 1 : 0);
    if (j + 1 < n && isdigit((unsigned char)s[j]) && isdigit((unsigned char)s[j + 1])) {
        m = (s[j] - '0') * 10 + s[j + 1] - '0';
        i = j + 2;
        size_t k = i + (colon ? 1 : 0);
        if ((!colon || (i < n && s[i] == ':')) && k + 1 < n && isdigit((unsigned char)s[k]) &&
            isdigit((unsigned char)s[k + 1])) {
            sec = (s[k] - '0') * 10 + s[k + 1] - '0';
            i = k + 2;
        }
    }
    if (h > 18 || m > 59 || sec > 59)
        return 0;
    *off = sign * (h * 3600 + m * 60 + sec);
    return i;
}

static int parse_tokens(const ptoken *tk, int ntk, const char *s, size_t n, size_t *pos,
                        parse_state *ps);

/* Parses one field token; returns 0 or -1 (no match). */
static int parse_field(const ptoken *tk, int i, int ntk, const char *s, size_t n, size_t *pos,
                       parse_state *ps)
{
    const ptoken *t = &tk[i];
    size_t p = *pos;
    char c = t->letter;
    if (is_numeric_token(t)) {
        int minw, maxw;
        int fw = fixed_width(t);
        if (c == 'S') {
            minw = maxw = t->count > 9 ? 9 : t->count;
        } else if (fw) {
            minw = maxw = fw;
        } else {
            minw = t->count;
            maxw = 19;
        }
        bool neg = false;
        if ((c == 'u' || c == 'y') && p < n && (s[p] == '+' || s[p] == '-') && !fw) {
            neg = s[p] == '-';
            p++;
        }
        size_t avail = 0;
        while (p + avail < n && isdigit((unsigned char)s[p + avail]))
            avail++;
        /* adjacent value parsing: leave room for the fixed-width numbers that follow */
        size_t reserve = 0;
        for (int j = i + 1; j < ntk && is_numeric_token(&tk[j]); j++) {
            int w = fixed_width(&tk[j]);
            reserve += w ? (size_t)w : 1;
        }
        size_t take = avail > reserve ? avail - reserve : 0;
        if (fw && reserve == 0)
            take = avail;
        if (take > (size_t)maxw)
            take = (size_t)maxw;
        if (take < (size_t)minw || take == 0)
            return -1;
        int64_t v = 0;
        for (size_t k = 0; k < take; k++)
            v = v * 10 + (s[p + k] - '0');
        *pos = p + take;
        if (neg)
            v = -v;
        switch (c) {
        case 'y': case 'u':
            if (t->count == 2)
                v += 2000; /* reduced value, base 2000 */
            ps->y = v;
            ps->year = true;
            break;
        case 'M': case 'L': ps->mo = (int)v; ps->month = true; break;
        case 'd': ps->d = (int)v; ps->day = true; break;
        case 'D': ps->dayofyear = (int)v; ps->doy = true; break;
        case 'H': ps->h = (int)v; ps->hour = true; break;
        case 'k': ps->h = (int)(v == 24 ? 0 : v); ps->hour = true; break;
        case 'h': ps->h = (int)(v == 12 ? 0 : v); ps->hour = true; ps->hour12 = true;
            if (v < 1 || v > 12) return -1;
            break;
        case 'K': ps->h = (int)v; ps->hour = true; ps->hour12 = true; break;
        case 'm': ps->mi = (int)v; ps->minute = true; break;
        case 's': ps->s = (int)v; ps->second = true; break;
        case 'S': {
            int64_t ns = v;
            for (size_t k = take; k < 9; k++)
                ns *= 10;
            ps->ns = (int32_t)ns;
            ps->nanos = true;
            break;
        }
        case 'n': ps->ns = (int32_t)v; ps->nanos = true; break;
        case 'A':
            ps->h = (int)(v / 3600000);
            ps->mi = (int)(v / 60000 % 60);
            ps->s = (int)(v / 1000 % 60);
            ps->ns = (int32_t)(v % 1000) * 1000000;
            ps->hour = ps->minute = ps->second = ps->nanos = true;
            break;
        default:
            return -1;
        }
        return 0;
    }
    size_t used = 0;
    switch (c) {
    case 'M': case 'L': {
        int m = match_name(s + p, n - p, month_long, 12, t->count == 4, &used);
        if (m < 0)
            return -1;
        ps->mo = m + 1;
        ps->month = true;
        break;
    }
    case 'E': {
        int d = match_name(s + p, n - p, day_long, 7, t->count == 4, &used);
        if (d < 0)
            return -1;
        break; /* day of week is only checked by Java's strict resolver; ignored */
    }
    case 'a':
        if ((used = match_ci(s + p, n - p, "AM")))
            ps->ampm = 0;
        else if ((used = match_ci(s + p, n - p, "PM")))
            ps->ampm = 1;
        else
            return -1;
        ps->ampm_set = true;
        break;
    case 'G':
        if (!(used = match_ci(s + p, n - p, "AD")) && !(used = match_ci(s + p, n - p, "BC")))
            return -1;
        break;
    case 'X': case 'x': case 'Z': {
        size_t q = p;
        if (c == 'Z' && t->count == 4) {
            if (!(used = match_ci(s + q, n - q, "GMT")))
                return -1;
            q += used;
            int32_t off = 0;
            size_t k = parse_offset_text(s + q, n - q, false, &off);
            ps->off = off;
            ps->offset = true;
            used += k;
            break;
        }
        used = parse_offset_text(s + q, n - q, c == 'X' || (c == 'Z' && t->count == 5),
                                 &ps->off);
        if (!used)
            return -1;
        ps->offset = true;
        break;
    }
    case 'O': {
        if (!(used = match_ci(s + p, n - p, "GMT")))
            return -1;
        int32_t off = 0;
        size_t q = p + used;
        if (q < n && (s[q] == '+' || s[q] == '-')) {
            size_t k = 1;
            int h = 0, m = 0;
            while (q + k < n && isdigit((unsigned char)s[q + k]) && k < 3)
                h = h * 10 + (s[q + k++] - '0');
            if (k == 1)
                return -1;
            if (q + k + 2 < n + 0 && s[q + k] == ':' && isdigit((unsigned char)s[q + k + 1])) {
                m = (s[q + k + 1] - '0') * 10 + (s[q + k + 2] - '0');
                k += 3;
            }
            off = (s[q] == '-' ? -1 : 1) * (h * 3600 + m * 60);
            used += k;
        }
        ps->off = off;
        ps->offset = true;
        break;
    }
    case 'z': case 'V': case 'v': {
        size_t k = 0;
        while (p + k < n && (isalnum((unsigned char)s[p + k]) || s[p + k] == '/' ||
                             s[p + k] == '_' || (k > 0 && (s[p + k] == '+' || s[p + k] == '-'))))
            k++;
        if (k == 0) {
            int32_t off;
            size_t l = parse_offset_text(s + p, n - p, false, &off);
            if (!l)
                return -1;
            ps->off = off;
            ps->offset = true;
            used = l;
            break;
        }
        const tz_zone *z = NULL;
        for (size_t j = 0; j < sizeof zone_names / sizeof zone_names[0]; j++)
            if (strlen(zone_names[j].abbr) == k && strncasecmp(s + p, zone_names[j].abbr, k) == 0) {
                z = zone_lookup(zone_names[j].region, strlen(zone_names[j].region), NULL);
                break;
            }
        if (!z && memchr(s + p, '/', k))
            z = zone_lookup(s + p, k, NULL);
        if (!z)
            return -1;
        ps->z = z;
        ps->zone = true;
        used = k;
        break;
    }
    default:
        return -1;
    }
    *pos = p + used;
    return 0;
}

/* Parses tokens [0, ntk) at *pos; optional sections backtrack. */
static int parse_tokens(const ptoken *tk, int ntk, const char *s, size_t n, size_t *pos,
                        parse_state *ps)
{
    for (int i = 0; i < ntk; i++) {
        const ptoken *t = &tk[i];
        if (t->kind == TK_OPT_END)
            continue;
        if (t->kind == TK_OPT_BEGIN) {
            int depth = 1, j = i + 1;
            while (j < ntk && depth) {
                if (tk[j].kind == TK_OPT_BEGIN)
                    depth++;
                else if (tk[j].kind == TK_OPT_END)
                    depth--;
                j++;
            }
            parse_state save = *ps;
            size_t p = *pos;
            if (parse_tokens(tk + i + 1, j - i - 2, s, n, &p, ps) == 0)
                *pos = p;
            else
                *ps = save;
            i = j - 1;
            continue;
        }
        if (t->kind == TK_LIT) {
            if (*pos + t->litlen > n || strncasecmp(s + *pos, t->lit, t->litlen) != 0)
                return -1;
            *pos += t->litlen;
            continue;
        }
        if (parse_field(tk, i, ntk, s, n, pos, ps))
            return -1;
    }
    return 0;
}

enum { WANT_TIMESTAMP, WANT_DATE, WANT_TIME };

static int days_in_month(int64_t y, int m)
{
    static const int md[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return md[m - 1] + (m == 2 && is_leap(y));
}

/* Parses `text` with pattern `pat` into local date (days) / time of day (ms) and, for
 * timestamps, an instant using the parsed zone or `deflt`. */
static int parse_with(eddy_func_ctx *ctx, const eddy_value *text, const eddy_value *pat,
                      int want, const tz_zone *deflt, int64_t *result)
{
    ptoken tk[MAX_TOKENS];
    int ntk;
    char lits[512];
    if (pat->len >= sizeof lits)
        return eddy_func_fail(ctx, "Pattern too long");
    int rc = tokenize(ctx, pat->u.str, pat->len, tk, &ntk, lits);
    if (rc)
        return rc;
    for (int i = 0; i < ntk; i++) {
        if (tk[i].kind != TK_FIELD)
            continue;
        if (strchr("YwWecFBQqN", tk[i].letter))
            return eddy_func_fail(ctx, "Failed to parse with formatter '%.*s': pattern letter "
                                  "'%c' is not supported for parsing", (int)pat->len,
                                  pat->u.str, tk[i].letter);
        if (want == WANT_DATE && (is_time_letter(tk[i].letter)))
            return eddy_func_fail(ctx, "Failed to parse date '%.*s' with formatter '%.*s': "
                                  "Date format contains time field.", (int)text->len,
                                  text->u.str, (int)pat->len, pat->u.str);
        if (want == WANT_TIME && is_date_letter(tk[i].letter))
            return eddy_func_fail(ctx, "Failed to parse time '%.*s' with formatter '%.*s': "
                                  "Time format contains date field.", (int)text->len,
                                  text->u.str, (int)pat->len, pat->u.str);
    }
    parse_state ps = {.y = 1970, .mo = 1, .d = 1};
    size_t pos = 0;
    const char *what = want == WANT_DATE ? "date" : want == WANT_TIME ? "time" : "timestamp";
    if (parse_tokens(tk, ntk, text->u.str, text->len, &pos, &ps) != 0 || pos != text->len)
        return eddy_func_fail(ctx, "Failed to parse %s '%.*s' with formatter '%.*s': Text "
                              "'%.*s' could not be parsed at index %zu", what, (int)text->len,
                              text->u.str, (int)pat->len, pat->u.str, (int)text->len,
                              text->u.str, pos);
    /* h/K without an 'a' field is taken as AM (java.time would leave the hour unresolved) */
    if (ps.hour12 && ps.ampm_set)
        ps.h += 12 * ps.ampm;
    if (ps.mo < 1 || ps.mo > 12 || ps.d < 1 || ps.d > 31 || ps.h < 0 || ps.h > 23 ||
        ps.mi < 0 || ps.mi > 59 || ps.s < 0 || ps.s > 59)
        return eddy_func_fail(ctx, "Failed to parse %s '%.*s' with formatter '%.*s': a field "
                              "is out of range", what, (int)text->len, text->u.str,
                              (int)pat->len, pat->u.str);
    int64_t days;
    if (ps.doy) {
        if (ps.dayofyear < 1 || ps.dayofyear > (is_leap(ps.y) ? 366 : 365))
            return eddy_func_fail(ctx, "Failed to parse %s '%.*s': invalid day of year", what,
                                  (int)text->len, text->u.str);
        days = eddy_days_from_civil(ps.y, 1, 1) + ps.dayofyear - 1;
    } else {
        int dim = days_in_month(ps.y, ps.mo);
        if (ps.d > dim)
            ps.d = dim; /* ResolverStyle.SMART clamps to the end of the month */
        days = eddy_days_from_civil(ps.y, (unsigned)ps.mo, (unsigned)ps.d);
    }
    int64_t tod = ((int64_t)ps.h * 3600 + ps.mi * 60 + ps.s) * 1000 + ps.ns / 1000000;
    if (want == WANT_DATE) {
        *result = days;
        return 0;
    }
    if (want == WANT_TIME) {
        *result = tod;
        return 0;
    }
    int64_t local = days * MS_PER_DAY + tod;
    if (ps.offset)
        *result = local - (int64_t)ps.off * 1000;
    else if (ps.zone)
        *result = zone_local_to_utc(ps.z, local);
    else if (deflt)
        *result = zone_local_to_utc(deflt, local);
    else
        *result = local;
    return 0;
}

/* ------------------------------------------------------------- functions */

static int fn_unix_timestamp(eddy_func_ctx *ctx, const eddy_function *f, int argc,
                             const eddy_value *argv, eddy_value *out)
{
    (void)ctx;
    (void)f;
    *out = eddy_bigint(argc ? argv[0].u.ts : eddy_now_ms());
    return 0;
}

static int fn_unix_date(eddy_func_ctx *ctx, const eddy_function *f, int argc,
                        const eddy_value *argv, eddy_value *out)
{
    (void)ctx;
    (void)f;
    *out = eddy_int(argc ? argv[0].u.date : (int32_t)floor_div(eddy_now_ms(), MS_PER_DAY));
    return 0;
}

static int fn_from_unixtime(eddy_func_ctx *ctx, const eddy_function *f, int argc,
                            const eddy_value *argv, eddy_value *out)
{
    (void)ctx;
    (void)f;
    (void)argc;
    *out = eddy_timestamp(argv[0].u.i64);
    return 0;
}

static int fn_from_days(eddy_func_ctx *ctx, const eddy_function *f, int argc,
                        const eddy_value *argv, eddy_value *out)
{
    (void)ctx;
    (void)f;
    (void)argc;
    *out = eddy_date(argv[0].u.i32);
    return 0;
}

/* A time unit argument: MILLISECONDS..DAYS (java.util.concurrent.TimeUnit names; the
 * singular and NANOSECONDS/MICROSECONDS as TimeUnit.valueOf accepts). Nanoseconds per unit. */
static int unit_arg(eddy_func_ctx *ctx, const eddy_value *v, int64_t *nanos)
{
    static const struct {
        const char *name;
        int64_t nanos;
    } units[] = {
        {"NANOSECONDS", 1}, {"MICROSECONDS", 1000}, {"MILLISECONDS", 1000000},
        {"SECONDS", 1000000000LL}, {"MINUTES", 60000000000LL}, {"HOURS", 3600000000000LL},
        {"DAYS", 86400000000000LL},
        {"NANOSECOND", 1}, {"MICROSECOND", 1000}, {"MILLISECOND", 1000000},
        {"SECOND", 1000000000LL}, {"MINUTE", 60000000000LL}, {"HOUR", 3600000000000LL},
        {"DAY", 86400000000000LL},
    };
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
        if (strlen(units[i].name) == v->len && strncasecmp(units[i].name, v->u.str, v->len) == 0) {
            *nanos = units[i].nanos;
            return 0;
        }
    return eddy_func_fail(ctx, "Unknown time unit: %.*s (expected MILLISECONDS, SECONDS, "
                          "MINUTES, HOURS or DAYS)", (int)v->len, v->u.str);
}

/* TimeUnit.convert: truncates toward zero. */
static int64_t unit_to(int64_t amount, int64_t unit_nanos, int64_t target_nanos)
{
    if (unit_nanos >= target_nanos)
        return amount * (unit_nanos / target_nanos);
    return amount / (target_nanos / unit_nanos);
}

/* DATEADD/DATESUB/TIMEADD/... share: argv = unit, interval, value. */
static int time_arith(eddy_func_ctx *ctx, const eddy_value *argv, int sign, eddy_type_id t,
                      eddy_value *out)
{
    int64_t un = 1; /* set by unit_arg on success; initialised for the optimiser's sake */
    int rc = unit_arg(ctx, &argv[0], &un);
    if (rc)
        return rc;
    int64_t amount = (int64_t)argv[1].u.i32 * sign;
    switch (t) {
    case EDDY_TYPE_DATE:
        *out = eddy_date((int32_t)(argv[2].u.date + unit_to(amount, un, MS_PER_DAY * 1000000)));
        break;
    case EDDY_TYPE_TIME: {
        int64_t nanos_day = MS_PER_DAY * 1000000LL;
        int64_t ns = (int64_t)argv[2].u.time * 1000000 + floor_mod(amount * un, nanos_day);
        *out = eddy_time((int32_t)(floor_mod(ns, nanos_day) / 1000000));
        break;
    }
    default:
        *out = eddy_timestamp(argv[2].u.ts + unit_to(amount, un, 1000000));
        break;
    }
    return 0;
}

#define ARITH_FN(name, sign, type)                                                       \
    static int name(eddy_func_ctx *ctx, const eddy_function *f, int argc,                \
                    const eddy_value *argv, eddy_value *out)                             \
    {                                                                                    \
        (void)f;                                                                         \
        (void)argc;                                                                      \
        return time_arith(ctx, argv, sign, type, out);                                   \
    }
ARITH_FN(fn_dateadd, 1, EDDY_TYPE_DATE)
ARITH_FN(fn_datesub, -1, EDDY_TYPE_DATE)
ARITH_FN(fn_timeadd, 1, EDDY_TYPE_TIME)
ARITH_FN(fn_timesub, -1, EDDY_TYPE_TIME)
ARITH_FN(fn_timestampadd, 1, EDDY_TYPE_TIMESTAMP)
ARITH_FN(fn_timestampsub, -1, EDDY_TYPE_TIMESTAMP)

/* FORMAT_TIMESTAMP(ts, fmt [, tz]) and TIMESTAMPTOSTRING(bigint, fmt [, tz]). */
static int fn_format_timestamp(eddy_func_ctx *ctx, const eddy_function *f, int argc,
                               const eddy_value *argv, eddy_value *out)
{
    (void)f;
    const tz_zone *z = NULL;
    if (argc > 2) {
        int rc = zone_arg(ctx, &argv[2], &z);
        if (rc)
            return rc;
    }
    int64_t ms = argv[0].type == EDDY_TYPE_TIMESTAMP ? argv[0].u.ts : argv[0].u.i64;
    return format_instant(ctx, ms, &argv[1], z, out);
}

static int format_date_or_time(eddy_func_ctx *ctx, const eddy_value *v, const eddy_value *pat,
                               bool date, eddy_value *out)
{
    dt_fields f = {0};
    if (date) {
        fields_from_ms((int64_t)v->u.date * MS_PER_DAY, &f);
        f.has_date = true;
    } else {
        fields_from_ms(v->u.time, &f);
        f.has_time = true;
    }
    char err[256] = "";
    eddy_func_ctx sub = *ctx;
    sub.errstr = err;
    sub.errstr_size = sizeof err;
    scratch_begin();
    if (format_fields(&sub, &f, pat->u.str, pat->len, &scratch)) {
        if (date)
            return eddy_func_fail(ctx, "Failed to format date %04lld-%02d-%02d with formatter "
                                  "'%.*s': %s", (long long)f.year, f.month, f.day,
                                  (int)pat->len, pat->u.str, err);
        return eddy_func_fail(ctx, "Failed to format time %02d:%02d:%02d with formatter "
                              "'%.*s': %s", f.hour, f.minute, f.second, (int)pat->len,
                              pat->u.str, err);
    }
    return result_string(ctx, out);
}

static int fn_format_date(eddy_func_ctx *ctx, const eddy_function *f, int argc,
                          const eddy_value *argv, eddy_value *out)
{
    (void)f;
    (void)argc;
    eddy_value d = argv[0];
    if (d.type == EDDY_TYPE_INT) /* DATETOSTRING(INT days, fmt) */
        d = eddy_date(d.u.i32);
    return format_date_or_time(ctx, &d, &argv[1], true, out);
}

static int fn_format_time(eddy_func_ctx *ctx, const eddy_function *f, int argc,
                          const eddy_value *argv, eddy_value *out)
{
    (void)f;
    (void)argc;
    return format_date_or_time(ctx, &argv[0], &argv[1], false, out);
}

static int fn_parse_timestamp(eddy_func_ctx *ctx, const eddy_function *f, int argc,
                              const eddy_value *argv, eddy_value *out)
{
    const tz_zone *z = NULL;
    if (argc > 2) {
        int rc = zone_arg(ctx, &argv[2], &z);
        if (rc)
            return rc;
    }
    int64_t ms;
    int rc = parse_with(ctx, &argv[0], &argv[1], WANT_TIMESTAMP, z, &ms);
    if (rc)
        return rc;
    /* STRINGTOTIMESTAMP returns BIGINT, PARSE_TIMESTAMP a TIMESTAMP */
    *out = f->udata ? eddy_bigint(ms) : eddy_timestamp(ms);
    return 0;
}

static int fn_parse_date(eddy_func_ctx *ctx, const eddy_function *f, int argc,
                         const eddy_value *argv, eddy_value *out)
{
    (void)argc;
    int64_t days;
    int rc = parse_with(ctx, &argv[0], &argv[1], WANT_DATE, NULL, &days);
    if (rc)
        return rc;
    /* STRINGTODATE returns INT days */
    *out = f->udata ? eddy_int((int32_t)days) : eddy_date((int32_t)days);
    return 0;
}

static int fn_parse_time(eddy_func_ctx *ctx, const eddy_function *f, int argc,
                         const eddy_value *argv, eddy_value *out)
{
    (void)f;
    (void)argc;
    int64_t ms;
    int rc = parse_with(ctx, &argv[0], &argv[1], WANT_TIME, NULL, &ms);
    if (rc)
        return rc;
    *out = eddy_time((int32_t)ms);
    return 0;
}

/* CONVERT_TZ: shifts by the difference of the two zones' offsets at that instant. */
static int fn_convert_tz(eddy_func_ctx *ctx, const eddy_function *f, int argc,
                         const eddy_value *argv, eddy_value *out)
{
    (void)f;
    (void)argc;
    const tz_zone *from, *to;
    int rc = zone_arg(ctx, &argv[1], &from);
    if (!rc)
        rc = zone_arg(ctx, &argv[2], &to);
    if (rc)
        return rc;
    int64_t ms = argv[0].u.ts;
    int64_t d = (int64_t)zone_offset(to, ms, NULL) - zone_offset(from, ms, NULL);
    *out = eddy_timestamp(ms + d * 1000);
    return 0;
}

/* ------------------------------------------------------------ registration */

static const int legacy = 1; /* udata marker: the deprecated variant with integer results */

typedef struct def {
    const char *name, *sig, *desc;
    eddy_scalar_fn fn;
    const void *udata;
} def;

static const def defs[] = {
    {"unix_timestamp", "() -> BIGINT", "The current time in milliseconds since the epoch.",
     fn_unix_timestamp, NULL},
    {"unix_timestamp", "(TIMESTAMP timestamp) -> BIGINT",
     "Milliseconds since the epoch of a TIMESTAMP.", fn_unix_timestamp, NULL},
    {"unix_date", "() -> INTEGER", "The current date as days since the epoch.", fn_unix_date,
     NULL},
    {"unix_date", "(DATE date) -> INTEGER", "Days since the epoch of a DATE.", fn_unix_date,
     NULL},
    {"from_unixtime", "(BIGINT milliseconds) -> TIMESTAMP",
     "A TIMESTAMP from milliseconds since the epoch.", fn_from_unixtime, NULL},
    {"from_days", "(INTEGER days) -> DATE", "A DATE from days since the epoch.", fn_from_days,
     NULL},
    {"dateadd", "(STRING unit, INTEGER interval, DATE date) -> DATE",
     "Adds an interval to a DATE.", fn_dateadd, NULL},
    {"datesub", "(STRING unit, INTEGER interval, DATE date) -> DATE",
     "Subtracts an interval from a DATE.", fn_datesub, NULL},
    {"timeadd", "(STRING unit, INTEGER interval, TIME time) -> TIME",
     "Adds an interval to a TIME (wrapping at midnight).", fn_timeadd, NULL},
    {"timesub", "(STRING unit, INTEGER interval, TIME time) -> TIME",
     "Subtracts an interval from a TIME (wrapping at midnight).", fn_timesub, NULL},
    {"timestampadd", "(STRING unit, INTEGER interval, TIMESTAMP timestamp) -> TIMESTAMP",
     "Adds an interval to a TIMESTAMP.", fn_timestampadd, NULL},
    {"timestampsub", "(STRING unit, INTEGER interval, TIMESTAMP timestamp) -> TIMESTAMP",
     "Subtracts an interval from a TIMESTAMP.", fn_timestampsub, NULL},
    {"format_timestamp", "(TIMESTAMP timestamp, STRING format) -> STRING",
     "Formats a TIMESTAMP (UTC) with a DateTimeFormatter pattern.", fn_format_timestamp, NULL},
    {"format_timestamp", "(TIMESTAMP timestamp, STRING format, STRING timeZone) -> STRING",
     "Formats a TIMESTAMP in a time zone with a DateTimeFormatter pattern.",
     fn_format_timestamp, NULL},
    {"timestamptostring", "(BIGINT epochMilli, STRING format) -> STRING",
     "Formats milliseconds since the epoch (UTC).", fn_format_timestamp, NULL},
    {"timestamptostring", "(BIGINT epochMilli, STRING format, STRING timeZone) -> STRING",
     "Formats milliseconds since the epoch in a time zone.", fn_format_timestamp, NULL},
    {"parse_timestamp", "(STRING formattedTimestamp, STRING format) -> TIMESTAMP",
     "Parses a TIMESTAMP (UTC unless the text has a zone).", fn_parse_timestamp, NULL},
    {"parse_timestamp",
     "(STRING formattedTimestamp, STRING format, STRING timeZone) -> TIMESTAMP",
     "Parses a TIMESTAMP in a time zone.", fn_parse_timestamp, NULL},
    {"stringtotimestamp", "(STRING formattedTimestamp, STRING format) -> BIGINT",
     "Parses a timestamp into milliseconds since the epoch.", fn_parse_timestamp, &legacy},
    {"stringtotimestamp",
     "(STRING formattedTimestamp, STRING format, STRING timeZone) -> BIGINT",
     "Parses a timestamp in a time zone into milliseconds since the epoch.",
     fn_parse_timestamp, &legacy},
    {"format_date", "(DATE date, STRING format) -> STRING", "Formats a DATE.", fn_format_date,
     NULL},
    {"datetostring", "(INTEGER epochDays, STRING format) -> STRING",
     "Formats days since the epoch as a date.", fn_format_date, NULL},
    {"parse_date", "(STRING formattedDate, STRING format) -> DATE", "Parses a DATE.",
     fn_parse_date, NULL},
    {"stringtodate", "(STRING formattedDate, STRING format) -> INTEGER",
     "Parses a date into days since the epoch.", fn_parse_date, &legacy},
    {"format_time", "(TIME time, STRING format) -> STRING", "Formats a TIME.", fn_format_time,
     NULL},
    {"parse_time", "(STRING formattedTime, STRING format) -> TIME", "Parses a TIME.",
     fn_parse_time, NULL},
    {"convert_tz", "(TIMESTAMP timestamp, STRING fromTimeZone, STRING toTimeZone) -> TIMESTAMP",
     "Converts a TIMESTAMP from one time zone to another.", fn_convert_tz, NULL},
};

int eddy_builtins_time_register(eddy_registry *r)
{
    for (size_t i = 0; i < sizeof defs / sizeof defs[0]; i++) {
        eddy_function f = {.name = defs[i].name, .kind = EDDY_FUNC_SCALAR,
                           .signature = defs[i].sig, .description = defs[i].desc,
                           .source = "built-in", .scalar = defs[i].fn,
                           .udata = (void *)defs[i].udata};
        int rc = eddy_registry_add(r, &f, false, NULL, 0);
        if (rc)
            return rc;
    }
    return 0;
}
