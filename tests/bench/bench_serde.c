/* bench_serde.c: micro-benchmark of the JSON record path (decode a ~200-byte rating into 7
 * typed columns, encode it back), with cJSON's parse and parse+print as a reference.
 * Usage: bench_serde [records] (default 1000000). Prints ns/record and records/s. */
#include "serde/serde.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const messages[] = {
    "thank you for the most friendly, helpful experience today at your new lounge",
    "airport refurb looks great, will fly outta here more!",
    "more peanuts please, the flight was long and the crew forgot our row again",
    "why is it so difficult to keep the bathrooms clean ? it should not be that hard",
    "Surprisingly good, maybe you are getting your mojo back at long last! well done",
    "meh, the wifi was down for most of the flight and the coffee was cold again",
};
static const char *const channels[] = {"iOS", "android", "web", "iOS-test", "android-test"};

static double now_s(void) { return (double)eddy_mono_ns() / 1e9; }

int main(int argc, char **argv)
{
    size_t n = argc > 1 ? strtoul(argv[1], NULL, 10) : 1000000;
    if (n == 0)
        n = 1;
    /* the input: JSON lines in one buffer */
    eddy_buf in = {0};
    size_t *off = malloc(sizeof *off * (n + 1));
    uint64_t seed = 42;
    for (size_t i = 0; i < n; i++) {
        seed = seed * 6364136223846793005ull + 1442695040888963407ull;
        unsigned r = (unsigned)(seed >> 33);
        off[i] = in.len;
        eddy_buf_printf(&in,
                        "{\"rating_id\":%zu,\"user_id\":%u,\"stars\":%u,\"route_id\":%u,"
                        "\"rating_time\":%llu,\"channel\":\"%s\",\"message\":\"%s\"}",
                        i + 1, r % 100, r % 5 + 1, 1000 + r % 9000,
                        1519304105213ull + i * 13, channels[r % 5], messages[r % 6]);
    }
    off[n] = in.len;
    printf("%zu records, %.1f bytes/record\n", n, (double)in.len / (double)n);

    eddy_schema_builder *b = eddy_schema_builder_new();
    eddy_schema_builder_add(b, "RATING_ID", eddy_type_bigint(), EDDY_COL_VALUE);
    eddy_schema_builder_add(b, "USER_ID", eddy_type_int(), EDDY_COL_VALUE);
    eddy_schema_builder_add(b, "STARS", eddy_type_int(), EDDY_COL_VALUE);
    eddy_schema_builder_add(b, "ROUTE_ID", eddy_type_int(), EDDY_COL_VALUE);
    eddy_schema_builder_add(b, "RATING_TIME", eddy_type_bigint(), EDDY_COL_VALUE);
    eddy_schema_builder_add(b, "CHANNEL", eddy_type_string(), EDDY_COL_VALUE);
    eddy_schema_builder_add(b, "MESSAGE", eddy_type_string(), EDDY_COL_VALUE);
    eddy_schema *schema = eddy_schema_build(b);
    eddy_serde_opts o = {.format = "JSON", .wrap_single = -1};
    eddy_serde *s;
    char err[EDDY_ERRSTR_SIZE];
    if (eddy_serde_new(&o, schema, EDDY_SERDE_VALUE, &s, err, sizeof err)) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }

    /* decode into batches of 1024 records sharing an arena, as a source does */
    enum { BATCH = 1024 };
    eddy_value *cols = malloc(sizeof *cols * 7 * BATCH);
    eddy_record *recs = calloc(BATCH, sizeof *recs);
    for (size_t i = 0; i < BATCH; i++)
        recs[i].cols = cols + 7 * i;
    eddy_arena *arena = eddy_arena_new(0);
    double best_dec = 1e9, best_enc = 1e9;
    long stars = 0;
    size_t out_bytes = 0;
    eddy_buf out = {0};
    for (int round = 0; round < 3; round++) {
        double t0 = now_s(), tdec = 0, tenc = 0;
        for (size_t i = 0; i < n; i += BATCH) {
            size_t m = n - i < BATCH ? n - i : BATCH;
            eddy_arena_reset(arena);
            double a0 = now_s();
            for (size_t j = 0; j < m; j++) {
                const uint8_t *p = (const uint8_t *)in.data + off[i + j];
                if (eddy_serde_decode(s, p, off[i + j + 1] - off[i + j], &recs[j], arena, err,
                                      sizeof err)) {
                    fprintf(stderr, "record %zu: %s\n", i + j, err);
                    return 1;
                }
                stars += recs[j].cols[2].u.i32;
            }
            double a1 = now_s();
            eddy_buf_clear(&out);
            for (size_t j = 0; j < m; j++) {
                if (eddy_serde_encode(s, &recs[j], &out, err, sizeof err)) {
                    fprintf(stderr, "record %zu: %s\n", i + j, err);
                    return 1;
                }
                eddy_buf_putc(&out, '\n');
            }
            out_bytes += out.len;
            double a2 = now_s();
            tdec += a1 - a0;
            tenc += a2 - a1;
        }
        (void)t0;
        if (tdec < best_dec)
            best_dec = tdec;
        if (tenc < best_enc)
            best_enc = tenc;
    }
    printf("eddy decode: %6.1f ns/record  (%.2f M rec/s)\n", best_dec * 1e9 / (double)n,
           (double)n / best_dec / 1e6);
    printf("eddy encode: %6.1f ns/record  (%.2f M rec/s)\n", best_enc * 1e9 / (double)n,
           (double)n / best_enc / 1e6);
    printf("eddy decode+encode: %6.1f ns/record  (%.2f M rec/s)\n",
           (best_dec + best_enc) * 1e9 / (double)n, (double)n / (best_dec + best_enc) / 1e6);

    /* reference: cJSON parse (+ print) of the same lines, on at most 200000 records */
    size_t nc = n < 200000 ? n : 200000;
    char *line = malloc(4096);
    double t0 = now_s();
    for (size_t i = 0; i < nc; i++) {
        size_t l = off[i + 1] - off[i];
        memcpy(line, in.data + off[i], l);
        line[l] = '\0';
        cJSON *j = cJSON_Parse(line);
        stars += cJSON_GetObjectItem(j, "stars")->valueint;
        cJSON_Delete(j);
    }
    double t1 = now_s();
    for (size_t i = 0; i < nc; i++) {
        size_t l = off[i + 1] - off[i];
        memcpy(line, in.data + off[i], l);
        line[l] = '\0';
        cJSON *j = cJSON_Parse(line);
        char *p = cJSON_PrintUnformatted(j);
        out_bytes += strlen(p);
        free(p);
        cJSON_Delete(j);
    }
    double t2 = now_s();
    printf("cJSON parse:        %6.1f ns/record\n", (t1 - t0) * 1e9 / (double)nc);
    printf("cJSON parse+print:  %6.1f ns/record\n", (t2 - t1) * 1e9 / (double)nc);
    printf("(checksum %ld %zu)\n", stars, out_bytes);

    free(line);
    eddy_buf_free(&out);
    eddy_arena_destroy(arena);
    free(recs);
    free(cols);
    eddy_serde_destroy(s);
    eddy_schema_release(schema);
    eddy_buf_free(&in);
    free(off);
    return 0;
}
