/* datagen.c: `eddy datagen`, the seeded generator of the "Kafka and KSQL in action" demo's
 * ratings and customers, as JSON lines or CSV, unthrottled (millions a second) or paced. */
#define _GNU_SOURCE
#include "datagen.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "eddy/common.h"
#include "io/kafka.h"

/* Exit codes, as documented by `eddy datagen --help` (and the CLI as a whole). */
enum { EXIT_OK = 0, EXIT_USAGE = 1, EXIT_RUNTIME = 4 };

/* Records are rendered into one buffer that is written out whenever it holds about
 * CHUNK bytes; MAX_RECORD bounds one rendered record, so a record always fits. */
#define CHUNK ((size_t)1 << 20)
#define MAX_RECORD 2048

/* ---------------------------------------------------------------- record vocabulary */

static const char *const channels[] = {"iOS", "iOS-test", "android", "web"};

/* Passenger comments in the spirit of the original demo; two need JSON escaping (a double
 * quote, a backslash) and some need CSV quoting (a comma, a double quote). */
static const char *const messages[] = {
    "more peanuts please",
    "worst. flight. ever. #neveragain",
    "Exceeded all my expectations. Thank you !",
    "is this as good as it gets? really ?",
    "thank you for the most friendly, helpful experience today at your new lounge",
    "why is it so difficult to keep the bathrooms clean ?",
    "your team here rocks!",
    "airport refurb looks great, will fly outta here more!",
    "meh",
    "Surprisingly good, maybe you are getting your mojo back at long last!",
    "(expletive deleted)",
    "Your app is very slick and helpful",
    "the \"express\" check-in wasn't",
    "lounge wifi finally works \\o/",
};

static const struct {
    const char *name;
    const char *gender;
} first_names[] = {
    {"Rica", "Female"},      {"Ruthie", "Female"},  {"Mariejeanne", "Female"},
    {"Hashim", "Male"},      {"Hansiain", "Male"},  {"Robinet", "Female"},
    {"Fay", "Female"},       {"Patti", "Female"},   {"Even", "Male"},
    {"Brena", "Female"},     {"Alexandro", "Male"}, {"Sheryl", "Female"},
    {"Magdalene", "Female"}, {"Munroe", "Male"},    {"Josiah", "Male"},
    {"Clair", "Female"},     {"Walter", "Male"},    {"Nanny", "Female"},
    {"Ferdinand", "Male"},   {"Ulysses", "Male"},
};

static const char *const last_names[] = {
    "Blaisdell", "Brockherst", "Coupman", "Kinforth", "Coundley", "Leheude", "Ellett",
    "Tavner",    "Tommasi",    "Crennan", "Beasant",  "Jankovic", "O'Dell",  "Gunby",
    "Farebrother", "Dugmore",  "Pyke",    "Ashbe",    "Lamasna",  "Veschi",
};

static const char *const email_domains[] = {
    "rambler.ru", "whitehouse.gov", "hubpages.com", "pagesperso-orange.fr", "jalbum.net",
    "netlog.com", "who.int",        "google.ca",    "example.com",          "mail.ru",
};

static const char *const club_statuses[] = {"platinum", "gold", "silver", "bronze"};

static const char *const customer_comments[] = {
    "Universal optimal hierarchy",
    "Reverse-engineered maximized focus group",
    "Multi-layered bottom-line encoding",
    "Self-enabling content-based moratorium",
    "Public-key dedicated frame",
    "Synergized heuristic intranet",
    "Balanced 24/7 circuit",
    "Virtual contextually-based benchmark",
    "Networked, zero tolerance array",
    "Optional real-time superstructure",
    "Centralized asynchronous instruction set",
    "Cross-group \"next generation\" matrix",
};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* ---------------------------------------------------------------- options */

enum kind { KIND_RATINGS = 1, KIND_CUSTOMERS = 2 };
enum format { FMT_JSON, FMT_CSV };
enum opt_type { OPT_UINT, OPT_RATE, OPT_STRING, OPT_FORMAT, OPT_FLAG };

struct config {
    enum kind kind;
    uint64_t count;      /* 0: unbounded */
    double rate;         /* records per second; 0: unlimited */
    uint64_t seed;
    const char *output;  /* NULL or "-": stdout */
    uint64_t start_time; /* ms since the epoch */
    uint64_t users;
    enum format format;
    uint64_t header;
    const char *topic;     /* write to this Kafka topic instead of a file */
    const char *bootstrap; /* its cluster */
    uint64_t partitions;   /* create the topic with this many partitions when missing */
    bool given[16]; /* indexed like options[] */
};

/* The one table that drives parsing, validation and --help. */
static const struct option_def {
    const char *name;
    enum opt_type type;
    const char *arg;
    size_t offset;
    uint64_t min, max;  /* OPT_UINT's accepted range */
    unsigned kinds;     /* record kinds the option applies to */
    const char *def;    /* default, for --help */
    const char *desc;
} options[] = {
    {"count", OPT_UINT, "N", offsetof(struct config, count), 0, INT64_MAX,
     KIND_RATINGS | KIND_CUSTOMERS, "1000 ratings / 20 customers; unbounded with --rate",
     "number of records to write; 0 means unbounded (until SIGINT, SIGTERM or a closed pipe)"},
    {"rate", OPT_RATE, "R", offsetof(struct config, rate), 0, 0, KIND_RATINGS | KIND_CUSTOMERS,
     "unlimited", "records per second, paced smoothly (a record every 1/R s; R may be a "
     "fraction)"},
    {"seed", OPT_UINT, "S", offsetof(struct config, seed), 0, UINT64_MAX,
     KIND_RATINGS | KIND_CUSTOMERS, "42", "PRNG seed (0..2^64-1): the same seed gives the same "
     "records"},
    {"output", OPT_STRING, "FILE", offsetof(struct config, output), 0, 0,
     KIND_RATINGS | KIND_CUSTOMERS, "stdout", "write to FILE (created or truncated); '-' is "
     "stdout"},
    {"start-time", OPT_UINT, "MS", offsetof(struct config, start_time), 0, 253402300799999,
     KIND_RATINGS, "now", "rating_time of the first rating, in ms since the Unix epoch"},
    {"users", OPT_UINT, "N", offsetof(struct config, users), 1, 1000000000, KIND_RATINGS, "20",
     "user_id is drawn from 1..N (customers' ids are 1..count: keep them equal to join)"},
    {"format", OPT_FORMAT, "json|csv", offsetof(struct config, format), 0, 0,
     KIND_RATINGS | KIND_CUSTOMERS, "json", "JSON lines, or CSV (RFC 4180 quoting, LF line "
     "ends)"},
    {"header", OPT_FLAG, NULL, offsetof(struct config, header), 0, 0,
     KIND_RATINGS | KIND_CUSTOMERS, "off", "with --format csv, write a header line first"},
    {"topic", OPT_STRING, "NAME", offsetof(struct config, topic), 0, 0,
     KIND_RATINGS | KIND_CUSTOMERS, "none", "produce to this Kafka topic instead of writing "
     "lines: one record per line, keyed by rating_id (8 bytes, KAFKA BIGINT) or customer id "
     "(4 bytes, KAFKA INT), ratings timestamped with rating_time"},
    {"bootstrap-server", OPT_STRING, "HOSTS", offsetof(struct config, bootstrap), 0, 0,
     KIND_RATINGS | KIND_CUSTOMERS, "EDDY_BOOTSTRAP_SERVERS", "the Kafka cluster of --topic"},
    {"partitions", OPT_UINT, "N", offsetof(struct config, partitions), 1, 100000,
     KIND_RATINGS | KIND_CUSTOMERS, "4", "create --topic with N partitions when it is missing"},
};

/* Positions in options[] of the options whose absence changes a default. */
enum { OPT_INDEX_COUNT = 0, OPT_INDEX_START_TIME = 4 };
_Static_assert(NELEM(options) <= NELEM(((struct config *)0)->given), "config.given too small");

/* "  --name ARG           text", the text word-wrapped to 78 columns. */
static void print_wrapped(FILE *f, const char *left, const char *text)
{
    enum { INDENT = 23, WIDTH = 78 };
    int col = fprintf(f, "  %-20s", left);
    while (*text) {
        size_t w = strcspn(text, " ");
        if (col + 1 + (int)w > WIDTH && col > INDENT) {
            fprintf(f, "\n%*s", INDENT - 1, "");
            col = INDENT - 1;
        }
        col += fprintf(f, " %.*s", (int)w, text);
        text += w;
        text += strspn(text, " ");
    }
    fputc('\n', f);
}

static void print_help(FILE *f)
{
    fputs("Usage: eddy datagen ratings|customers [OPTION...]\n"
          "\n"
          "Writes the records of the \"Kafka and KSQL in action\" demo, one per line, to\n"
          "stdout: passenger ratings of flights (a stream) and the airline's customers (a\n"
          "table; ratings.user_id matches customers.id).\n"
          "\n"
          "Options (--name VALUE or --name=VALUE):\n",
          f);
    for (size_t i = 0; i < NELEM(options); i++) {
        const struct option_def *o = &options[i];
        char left[64];
        snprintf(left, sizeof left, "--%s%s%s", o->name, o->arg ? " " : "", o->arg ? o->arg : "");
        char text[512];
        snprintf(text, sizeof text, "%s (default: %s%s)", o->desc, o->def,
                 o->kinds == KIND_RATINGS ? "; ratings only" : "");
        print_wrapped(f, left, text);
    }
    fputs("  -h, --help           this text\n"
          "\n"
          "ratings:\n"
          "  {\"rating_id\":1,\"user_id\":4,\"stars\":2,\"route_id\":6975,\n"
          "   \"rating_time\":1519304105213,\"channel\":\"iOS\",\"message\":\"more peanuts "
          "please\"}\n"
          "  rating_id   integer, 1, 2, 3, ...\n"
          "  user_id     integer in 1..users\n"
          "  stars       integer in 1..5\n"
          "  route_id    integer in 1..9999\n"
          "  rating_time integer, ms since the epoch, never decreasing: --start-time,\n"
          "              then 1..5 ms more per rating; with --rate, --start-time plus\n"
          "              the wall-clock time elapsed since the start\n"
          "  channel     one of \"iOS\", \"iOS-test\", \"android\", \"web\"\n"
          "  message     one of 14 short passenger comments (some need JSON escaping or\n"
          "              CSV quoting)\n"
          "\n"
          "customers:\n"
          "  {\"id\":1,\"first_name\":\"Rica\",\"last_name\":\"Blaisdell\",\n"
          "   \"email\":\"rblaisdell0@rambler.ru\",\"gender\":\"Female\",\n"
          "   \"club_status\":\"bronze\",\"comments\":\"Universal optimal hierarchy\"}\n"
          "  id          integer, 1..count\n"
          "  first_name, last_name, email (unique), comments: strings from small lists\n"
          "  gender      \"Male\" or \"Female\"\n"
          "  club_status one of \"platinum\", \"gold\", \"silver\", \"bronze\"\n"
          "\n"
          "CSV has the same fields in the same order, strings quoted only when needed.\n"
          "\n"
          "Reproducibility: the same seed and options give byte-identical output, except\n"
          "that rating_time starts at the current time unless --start-time is given, and\n"
          "follows the wall clock with --rate (the other fields do not depend on --rate\n"
          "or --format).\n"
          "\n"
          "Exit status: 0 done (also when stopped by SIGINT, SIGTERM or a closed pipe,\n"
          "output flushed); 1 usage error; 4 runtime error (I/O).\n",
          f);
}

static int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int usage_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("eddy datagen: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputs("\nTry 'eddy datagen --help'.\n", stderr);
    va_end(ap);
    return EXIT_USAGE;
}

/* Strict decimal: digits only, no sign, no spaces, within [min, max]. */
static bool parse_uint(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
    if (*s < '0' || *s > '9')
        return false;
    uint64_t v = 0;
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return false;
        unsigned d = (unsigned)(*s - '0');
        if (v > (UINT64_MAX - d) / 10)
            return false;
        v = v * 10 + d;
    }
    if (v < min || v > max)
        return false;
    *out = v;
    return true;
}

static int set_option(struct config *c, const struct option_def *o, const char *val)
{
    void *field = (char *)c + o->offset;
    char range[96];
    switch (o->type) {
    case OPT_UINT:
        if (!parse_uint(val, o->min, o->max, (uint64_t *)field)) {
            snprintf(range, sizeof range, "an integer in %llu..%llu", (unsigned long long)o->min,
                     (unsigned long long)o->max);
            return usage_error("option '--%s': '%s' is not %s", o->name, val, range);
        }
        return 0;
    case OPT_RATE: {
        char *end;
        errno = 0;
        double r = strtod(val, &end);
        if (end == val || *end || errno || !isfinite(r) || r <= 0 || r > 1e9)
            return usage_error("option '--rate': '%s' is not a rate in records per second "
                               "(a number > 0 and <= 1e9)",
                               val);
        *(double *)field = r;
        return 0;
    }
    case OPT_STRING:
        if (!*val)
            return usage_error("option '--%s' needs a non-empty value", o->name);
        *(const char **)field = val;
        return 0;
    case OPT_FORMAT:
        if (!strcmp(val, "json"))
            *(enum format *)field = FMT_JSON;
        else if (!strcmp(val, "csv"))
            *(enum format *)field = FMT_CSV;
        else
            return usage_error("option '--format': '%s' is not json or csv", val);
        return 0;
    case OPT_FLAG:
        *(uint64_t *)field = 1;
        return 0;
    }
    return EXIT_USAGE;
}

/* Fills *c from argv; returns -1 when --help was printed, 0, or EXIT_USAGE. */
static int parse_args(int argc, char **argv, struct config *c)
{
    memset(c, 0, sizeof *c);
    c->seed = 42;
    c->users = 20;
    c->format = FMT_JSON;
    const char *kind = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            print_help(stdout);
            return -1;
        }
        if (a[0] != '-' || !strcmp(a, "-")) {
            if (kind)
                return usage_error("unexpected argument '%s' (the record kind is already "
                                   "'%s')",
                                   a, kind);
            if (!strcmp(a, "ratings"))
                c->kind = KIND_RATINGS;
            else if (!strcmp(a, "customers"))
                c->kind = KIND_CUSTOMERS;
            else
                return usage_error("unknown record kind '%s' (expected ratings or customers)",
                                   a);
            kind = a;
            continue;
        }
        if (a[1] != '-')
            return usage_error("unknown option '%s'", a);
        const char *name = a + 2, *eq = strchr(name, '=');
        size_t nlen = eq ? (size_t)(eq - name) : strlen(name);
        const struct option_def *o = NULL;
        size_t idx = 0;
        for (; idx < NELEM(options); idx++) {
            if (strlen(options[idx].name) == nlen && !memcmp(options[idx].name, name, nlen)) {
                o = &options[idx];
                break;
            }
        }
        if (!o)
            return usage_error("unknown option '%s'", a);
        const char *val;
        if (o->type == OPT_FLAG) {
            if (eq)
                return usage_error("option '--%s' takes no value", o->name);
            val = "";
        } else if (eq) {
            val = eq + 1;
        } else {
            if (i + 1 >= argc)
                return usage_error("option '--%s' needs a value (%s)", o->name, o->arg);
            val = argv[++i];
        }
        int rc = set_option(c, o, val);
        if (rc)
            return rc;
        c->given[idx] = true;
    }
    if (!c->kind)
        return usage_error("missing record kind: ratings or customers");
    for (size_t idx = 0; idx < NELEM(options); idx++)
        if (c->given[idx] && !(options[idx].kinds & c->kind))
            return usage_error("option '--%s' does not apply to %s", options[idx].name, kind);
    if (c->header && c->format != FMT_CSV)
        return usage_error("option '--header' needs --format csv");
    if (!c->given[OPT_INDEX_COUNT] && c->rate == 0)
        c->count = c->kind == KIND_RATINGS ? 1000 : 20;
    if (c->output && !strcmp(c->output, "-"))
        c->output = NULL;
    return 0;
}

/* ---------------------------------------------------------------- PRNG, formatting */

/* splitmix64 (Steele, Lea, Flood 2014): tiny, fast, passes BigCrush; platform-independent,
 * unlike rand(), so a seed means the same records everywhere. */
static inline uint64_t rng_next(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* Uniform in 0..n-1 by multiply-shift (Lemire); the bias, n / 2^64, is far below noise. */
static inline uint64_t rng_below(uint64_t *s, uint64_t n)
{
    return (uint64_t)(((unsigned __int128)rng_next(s) * n) >> 64);
}

static const char digit_pairs[201] = "00010203040506070809101112131415161718192021222324"
                                     "25262728293031323334353637383940414243444546474849"
                                     "50515253545556575859606162636465666768697071727374"
                                     "75767778798081828384858687888990919293949596979899";

static inline char *put_u64(char *p, uint64_t v)
{
    char tmp[20], *e = tmp + sizeof tmp, *q = e;
    while (v >= 100) {
        q -= 2;
        memcpy(q, digit_pairs + (v % 100) * 2, 2);
        v /= 100;
    }
    if (v >= 10) {
        q -= 2;
        memcpy(q, digit_pairs + v * 2, 2);
    } else {
        *--q = (char)('0' + v);
    }
    memcpy(p, q, (size_t)(e - q));
    return p + (e - q);
}

static inline char *put_lit(char *p, const char *s, size_t n)
{
    memcpy(p, s, n);
    return p + n;
}
#define PUT_LIT(p, s) put_lit((p), (s), sizeof(s) - 1)

/* A precomputed fragment: bytes ready to copy. */
struct frag {
    char *s;
    size_t n;
};

/* Appends s as it appears in the format: a JSON string body (escaped, no quotes), or a CSV
 * field (quoted only when it holds a comma, quote, CR or LF). p must have 6*strlen(s)+2
 * bytes of room. */
static char *put_text(char *p, const char *s, enum format fmt)
{
    if (fmt == FMT_JSON) {
        for (; *s; s++) {
            unsigned char ch = (unsigned char)*s;
            if (ch == '"' || ch == '\\') {
                *p++ = '\\';
                *p++ = (char)ch;
            } else if (ch < 0x20) {
                static const char hex[] = "0123456789abcdef";
                p = PUT_LIT(p, "\\u00");
                *p++ = hex[ch >> 4];
                *p++ = hex[ch & 15];
            } else {
                *p++ = (char)ch;
            }
        }
        return p;
    }
    if (!strpbrk(s, ",\"\r\n"))
        return put_lit(p, s, strlen(s));
    *p++ = '"';
    for (; *s; s++) {
        if (*s == '"')
            *p++ = '"';
        *p++ = *s;
    }
    *p++ = '"';
    return p;
}

/* Builds prefix + text(s) + suffix into a heap fragment; false when out of memory. */
static bool make_frag(struct frag *f, const char *prefix, const char *s, const char *suffix,
                      enum format fmt)
{
    size_t cap = strlen(prefix) + 6 * strlen(s) + 2 + strlen(suffix) + 1;
    char *b = malloc(cap);
    if (!b)
        return false;
    char *p = put_lit(b, prefix, strlen(prefix));
    p = put_text(p, s, fmt);
    p = put_lit(p, suffix, strlen(suffix));
    f->s = b;
    f->n = (size_t)(p - b);
    return true;
}

/* ---------------------------------------------------------------- generators */

struct gen {
    const struct config *cfg;
    uint64_t rng;
    uint64_t next_id;      /* id of the next record, from 1 */
    uint64_t time_ms;      /* ratings: rating_time of the last record */
    bool wall_clock;       /* ratings: rating_time follows the clock (--rate) */
    int64_t start_mono_ns; /* when generation started */
    /* Ratings: channel and message fragments, with the surrounding syntax baked in. */
    struct frag channel[NELEM(channels)];
    struct frag message[NELEM(messages)];
};

static int64_t mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static uint64_t wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static bool gen_init(struct gen *g, const struct config *c)
{
    memset(g, 0, sizeof *g);
    g->cfg = c;
    g->rng = c->seed;
    g->next_id = 1;
    g->wall_clock = c->rate > 0;
    if (c->kind != KIND_RATINGS)
        return true;
    bool json = c->format == FMT_JSON;
    for (size_t i = 0; i < NELEM(channels); i++)
        if (!make_frag(&g->channel[i], json ? ",\"channel\":\"" : ",", channels[i],
                       json ? "\",\"message\":\"" : ",", c->format))
            return false;
    for (size_t i = 0; i < NELEM(messages); i++)
        if (!make_frag(&g->message[i], "", messages[i], json ? "\"}\n" : "\n", c->format))
            return false;
    return true;
}

static void gen_free(struct gen *g)
{
    for (size_t i = 0; i < NELEM(channels); i++)
        free(g->channel[i].s);
    for (size_t i = 0; i < NELEM(messages); i++)
        free(g->message[i].s);
}

/* The random draws are the same, in the same order, whatever the format and the rate, so
 * a seed means the same ratings in JSON and CSV, paced or not. */
static char *emit_rating(struct gen *g, char *p)
{
    const struct config *c = g->cfg;
    uint64_t user = 1 + rng_below(&g->rng, c->users);
    uint64_t stars = 1 + rng_below(&g->rng, 5);
    uint64_t route = 1 + rng_below(&g->rng, 9999);
    uint64_t ch = rng_below(&g->rng, NELEM(channels));
    uint64_t msg = rng_below(&g->rng, NELEM(messages));
    uint64_t step = 1 + rng_below(&g->rng, 5);
    uint64_t t;
    if (g->wall_clock) {
        t = c->start_time + (uint64_t)((mono_ns() - g->start_mono_ns) / 1000000);
        if (t < g->time_ms)
            t = g->time_ms;
    } else {
        t = g->next_id == 1 ? c->start_time : g->time_ms + step;
    }
    g->time_ms = t;
    bool json = c->format == FMT_JSON;
    if (json)
        p = PUT_LIT(p, "{\"rating_id\":");
    p = put_u64(p, g->next_id++);
    p = json ? PUT_LIT(p, ",\"user_id\":") : PUT_LIT(p, ",");
    p = put_u64(p, user);
    p = json ? PUT_LIT(p, ",\"stars\":") : PUT_LIT(p, ",");
    *p++ = (char)('0' + stars);
    p = json ? PUT_LIT(p, ",\"route_id\":") : PUT_LIT(p, ",");
    p = put_u64(p, route);
    p = json ? PUT_LIT(p, ",\"rating_time\":") : PUT_LIT(p, ",");
    p = put_u64(p, t);
    p = put_lit(p, g->channel[ch].s, g->channel[ch].n);
    return put_lit(p, g->message[msg].s, g->message[msg].n);
}

/* Email local part: first initial and last name, lower-case letters only, then id - 1
 * (as the demo's mockaroo data: "rblaisdell0"), which makes every email unique. */
static char *put_email(char *p, const char *first, const char *last, uint64_t id,
                       const char *domain)
{
    *p++ = (char)(first[0] | 0x20);
    for (; *last; last++)
        if ((*last >= 'a' && *last <= 'z') || (*last >= 'A' && *last <= 'Z'))
            *p++ = (char)(*last | 0x20);
    p = put_u64(p, id - 1);
    *p++ = '@';
    return put_lit(p, domain, strlen(domain));
}

static char *emit_customer(struct gen *g, char *p)
{
    enum format fmt = g->cfg->format;
    bool json = fmt == FMT_JSON;
    size_t fi = rng_below(&g->rng, NELEM(first_names));
    const char *last = last_names[rng_below(&g->rng, NELEM(last_names))];
    const char *domain = email_domains[rng_below(&g->rng, NELEM(email_domains))];
    const char *status = club_statuses[rng_below(&g->rng, NELEM(club_statuses))];
    const char *comment = customer_comments[rng_below(&g->rng, NELEM(customer_comments))];
    uint64_t id = g->next_id++;

    p = json ? PUT_LIT(p, "{\"id\":") : p;
    p = put_u64(p, id);
    p = json ? PUT_LIT(p, ",\"first_name\":\"") : PUT_LIT(p, ",");
    p = put_text(p, first_names[fi].name, fmt);
    p = json ? PUT_LIT(p, "\",\"last_name\":\"") : PUT_LIT(p, ",");
    p = put_text(p, last, fmt);
    p = json ? PUT_LIT(p, "\",\"email\":\"") : PUT_LIT(p, ",");
    p = put_email(p, first_names[fi].name, last, id, domain);
    p = json ? PUT_LIT(p, "\",\"gender\":\"") : PUT_LIT(p, ",");
    p = put_text(p, first_names[fi].gender, fmt);
    p = json ? PUT_LIT(p, "\",\"club_status\":\"") : PUT_LIT(p, ",");
    p = put_text(p, status, fmt);
    p = json ? PUT_LIT(p, "\",\"comments\":\"") : PUT_LIT(p, ",");
    p = put_text(p, comment, fmt);
    return json ? PUT_LIT(p, "\"}\n") : PUT_LIT(p, "\n");
}

/* ---------------------------------------------------------------- output and pacing */

static volatile sig_atomic_t stop_signal;

static void on_stop_signal(int sig) { stop_signal = sig; }

struct out {
    int fd;
    const char *name;
    char *buf;
    size_t len;
    bool closed_pipe; /* the reader went away: stop quietly */
    bool failed;
    rd_kafka_t *kafka; /* --topic: the producer */
};

static void on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque)
{
    struct out *o = opaque;
    if (m->err && !o->failed) {
        fprintf(stderr, "eddy datagen: delivery to '%s' failed: %s\n",
                rd_kafka_topic_name(m->rkt), rd_kafka_err2str(m->err));
        o->failed = true;
    }
}

/* Produces the record rendered at o->buf, keyed by `id` in the KAFKA format of the demo's
 * key columns (ratings: BIGINT; customers: INT). */
static bool kafka_produce(struct out *o, const struct config *c, uint64_t id, uint64_t time_ms,
                          size_t len)
{
    uint8_t key[8];
    size_t klen = c->kind == KIND_RATINGS ? 8 : 4;
    for (size_t i = 0; i < klen; i++)
        key[i] = (uint8_t)(id >> (8 * (klen - 1 - i)));
    int64_t ts = c->kind == KIND_RATINGS ? (int64_t)time_ms : 0;
    for (;;) {
        rd_kafka_resp_err_t e = rd_kafka_producev(
            o->kafka, RD_KAFKA_V_TOPIC(c->topic), RD_KAFKA_V_KEY(key, klen),
            RD_KAFKA_V_VALUE(o->buf, len), RD_KAFKA_V_TIMESTAMP(ts),
            RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END);
        if (e == 0)
            break;
        if (e != RD_KAFKA_RESP_ERR__QUEUE_FULL) {
            fprintf(stderr, "eddy datagen: cannot produce to '%s': %s\n", c->topic,
                    rd_kafka_err2str(e));
            o->failed = true;
            return false;
        }
        rd_kafka_poll(o->kafka, 10);
    }
    rd_kafka_poll(o->kafka, 0);
    return !o->failed && !stop_signal;
}

/* The producer of --topic, with the topic created when missing. */
static int kafka_open(struct out *o, const struct config *c)
{
    eddy_kprops kp = {0};
    const char *bs = c->bootstrap ? c->bootstrap : getenv("EDDY_BOOTSTRAP_SERVERS");
    if (!bs || !*bs) {
        fputs("eddy datagen: --topic needs --bootstrap-server HOST:PORT (or "
              "EDDY_BOOTSTRAP_SERVERS)\n", stderr);
        return EXIT_USAGE;
    }
    eddy_kprops_set(&kp, "bootstrap.servers", bs);
    char err[EDDY_ERRSTR_SIZE];
    rd_kafka_conf_t *conf;
    int rc = eddy_kafka_conf(&kp, EDDY_KCLIENT_PRODUCER, &conf, err, sizeof err);
    eddy_kprops_free(&kp);
    if (rc) {
        fprintf(stderr, "eddy datagen: %s\n", err);
        return EXIT_USAGE;
    }
    rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
    rd_kafka_conf_set_opaque(conf, o);
    o->kafka = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
    if (!o->kafka) {
        rd_kafka_conf_destroy(conf);
        fprintf(stderr, "eddy datagen: %s\n", err);
        return EXIT_RUNTIME;
    }
    int parts;
    if (eddy_kafka_ensure_topic(o->kafka, NULL, c->topic, c->partitions ? (int)c->partitions : 4,
                                1, false, &parts, err, sizeof err)) {
        fprintf(stderr, "eddy datagen: %s\n", err);
        return EXIT_RUNTIME;
    }
    o->name = c->topic;
    return EXIT_OK;
}

/* write(2) rather than stdio: a stop signal's EINTR must not lose a chunk, and a closed
 * pipe (EPIPE, with SIGPIPE ignored) must end the run cleanly rather than kill it. */
static bool out_flush(struct out *o)
{
    size_t off = 0;
    while (off < o->len) {
        ssize_t n = write(o->fd, o->buf + off, o->len - off);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EPIPE)
                o->closed_pipe = true;
            else {
                fprintf(stderr, "eddy datagen: write to '%s': %s\n", o->name, strerror(errno));
                o->failed = true;
            }
            o->len = 0;
            return false;
        }
        off += (size_t)n;
    }
    o->len = 0;
    return true;
}

/* Sleeps until the monotonic clock reads `due_ns`, or a stop signal arrives. */
static void sleep_until(int64_t due_ns)
{
    struct timespec ts = {.tv_sec = due_ns / 1000000000, .tv_nsec = due_ns % 1000000000};
    while (!stop_signal && clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
        ;
}

static int run(const struct config *c, struct out *o)
{
    struct gen g;
    if (!gen_init(&g, c)) {
        gen_free(&g);
        fputs("eddy datagen: out of memory\n", stderr);
        return EXIT_RUNTIME;
    }
    char *(*emit)(struct gen *, char *) = c->kind == KIND_RATINGS ? emit_rating : emit_customer;

    if (c->header) {
        const char *h = c->kind == KIND_RATINGS
                            ? "rating_id,user_id,stars,route_id,rating_time,channel,message\n"
                            : "id,first_name,last_name,email,gender,club_status,comments\n";
        o->len = (size_t)(put_lit(o->buf, h, strlen(h)) - o->buf);
    }

    /* Pacing: record n is due at base_ns + (n - base_n) / rate. Running late by more than
     * a tenth of a second (a slow reader) moves the schedule instead of bursting to catch
     * up, so the output stays smooth. */
    const double period_ns = c->rate > 0 ? 1e9 / c->rate : 0;
    const int64_t max_lag_ns = 100000000;
    g.start_mono_ns = mono_ns();
    int64_t base_ns = g.start_mono_ns;
    uint64_t base_n = 0;

    for (uint64_t n = 0; c->count == 0 || n < c->count; n++) {
        if (stop_signal)
            break;
        if (period_ns > 0) {
            int64_t due = base_ns + (int64_t)((double)(n - base_n) * period_ns);
            int64_t now = mono_ns();
            if (now < due) {
                /* Idle until the record is due: hand over what is ready first. */
                if (o->len && !out_flush(o))
                    break;
                sleep_until(due);
                if (stop_signal)
                    break;
            } else if (now - due > max_lag_ns) {
                base_ns = now;
                base_n = n;
            }
        }
        if (o->kafka) {
            /* One record per line, the line's newline left out. */
            size_t len = (size_t)(emit(&g, o->buf) - o->buf) - 1;
            if (!kafka_produce(o, c, g.next_id - 1, g.time_ms, len))
                break;
            continue;
        }
        o->len = (size_t)(emit(&g, o->buf + o->len) - o->buf);
        if (o->len > CHUNK - MAX_RECORD && !out_flush(o))
            break;
    }
    if (o->kafka) {
        if (rd_kafka_flush(o->kafka, 60000) || o->failed) {
            fprintf(stderr, "eddy datagen: %d record(s) not delivered to '%s'\n",
                    rd_kafka_outq_len(o->kafka), c->topic);
            o->failed = true;
        }
        o->len = 0;
    }
    if (o->len)
        out_flush(o);
    gen_free(&g);
    return o->failed ? EXIT_RUNTIME : EXIT_OK;
}

int eddy_cli_datagen(int argc, char **argv)
{
    struct config cfg;
    int rc = parse_args(argc, argv, &cfg);
    if (rc < 0)
        return EXIT_OK; /* --help */
    if (rc)
        return rc;
    if (!cfg.given[OPT_INDEX_START_TIME])
        cfg.start_time = wall_ms();

    struct out o = {.fd = STDOUT_FILENO, .name = "stdout"};
    if (cfg.topic && cfg.output) {
        fputs("eddy datagen: --topic and --output exclude each other\n", stderr);
        return EXIT_USAGE;
    }
    if (cfg.topic) {
        if (cfg.format != FMT_JSON) {
            fputs("eddy datagen: --topic writes JSON values (no --format csv)\n", stderr);
            return EXIT_USAGE;
        }
        if ((rc = kafka_open(&o, &cfg))) {
            if (o.kafka)
                rd_kafka_destroy(o.kafka);
            return rc;
        }
    } else if (cfg.output) {
        o.fd = open(cfg.output, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
        if (o.fd < 0) {
            fprintf(stderr, "eddy datagen: cannot open '%s': %s\n", cfg.output, strerror(errno));
            return EXIT_RUNTIME;
        }
        o.name = cfg.output;
    } else {
        fflush(stdout); /* anything the CLI printed goes first */
    }
    o.buf = malloc(CHUNK);
    if (!o.buf) {
        fputs("eddy datagen: out of memory\n", stderr);
        if (cfg.output)
            close(o.fd);
        return EXIT_RUNTIME;
    }

    /* SIGINT/SIGTERM end the run after the current record, output flushed; SA_RESETHAND so
     * a second one kills a run stuck on a reader that stopped reading. */
    struct sigaction sa = {.sa_handler = on_stop_signal, .sa_flags = SA_RESETHAND};
    struct sigaction ign = {.sa_handler = SIG_IGN};
    struct sigaction old_int, old_term, old_pipe;
    sigemptyset(&sa.sa_mask);
    sigemptyset(&ign.sa_mask);
    stop_signal = 0;
    sigaction(SIGINT, &sa, &old_int);
    sigaction(SIGTERM, &sa, &old_term);
    sigaction(SIGPIPE, &ign, &old_pipe);

    rc = run(&cfg, &o);

    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);
    sigaction(SIGPIPE, &old_pipe, NULL);
    free(o.buf);
    if (o.kafka)
        rd_kafka_destroy(o.kafka);
    if (cfg.output && close(o.fd) != 0 && rc == EXIT_OK) {
        fprintf(stderr, "eddy datagen: closing '%s': %s\n", cfg.output, strerror(errno));
        rc = EXIT_RUNTIME;
    }
    return rc;
}
