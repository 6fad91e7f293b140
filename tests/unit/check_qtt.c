/* check_qtt.c: the QTT runner's logic on hand-built inputs: variant expansion, record
 * comparison (doubles, decimals, structs, null/absent, order and count), expectedException,
 * SKIP for formats eddy lacks, statement splitting. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sql/qtt_runner.h"
#include "testutil.h"

static eddy_json_doc *parse(const char *text)
{
    char err[EDDY_ERRSTR_SIZE] = "";
    eddy_json_doc *d = NULL;
    ck_assert_msg(eddy_json_parse(text, strlen(text), &d, err, sizeof err) == 0, "%s: %s", text,
                  err);
    return d;
}

/* Expands the one case in `json`; the document is returned in *doc (the runs borrow it). */
static eddy_qtt_run *expand(const char *json, eddy_json_doc **doc, size_t *n)
{
    *doc = parse(json);
    eddy_qtt_run *runs = NULL;
    char err[EDDY_ERRSTR_SIZE] = "";
    int rc = eddy_qtt_expand(eddy_json_doc_root(*doc), &runs, n, err, sizeof err);
    ck_assert_msg(rc == 0, "expand: %s", err);
    return runs;
}

/* Compares expected records (a JSON array of records) with actual ones (the engine's shape). */
static bool compare(const char *expected, const char *actual, const char *schema,
                    bool unwrapped, char *why,
                    size_t why_size)
{
    eddy_json_doc *e = parse(expected), *a = parse(actual);
    const eddy_json *arr = eddy_json_doc_root(e);
    eddy_qtt_record *recs = calloc(arr->count + 1, sizeof *recs);
    size_t n = 0;
    char err[EDDY_ERRSTR_SIZE];
    for (const eddy_json *r = arr->child; r; r = r->next)
        ck_assert_int_eq(eddy_qtt_record_read(r, &recs[n++], err, sizeof err), 0);
    why[0] = '\0';
    bool ok = eddy_qtt_compare_records(recs, n, eddy_json_doc_root(a), schema, unwrapped, why,
                                       why_size);
    free(recs);
    eddy_json_doc_destroy(e);
    eddy_json_doc_destroy(a);
    return ok;
}

#define SAME(exp, act, schema)                                                                   \
    do {                                                                                         \
        char why_[2048];                                                                         \
        ck_assert_msg(compare(exp, act, schema, false, why_, sizeof why_), "should match: %s",   \
                      why_);                                                                     \
    } while (0)
#define DIFF(exp, act, schema, want)                                                             \
    do {                                                                                         \
        char why_[2048];                                                                         \
        ck_assert_msg(!compare(exp, act, schema, false, why_, sizeof why_), "should differ: %s", \
                      act);                                                                      \
        ck_assert_msg(strstr(why_, want), "reason '%s' lacks '%s'", why_, want);                 \
    } while (0)

static bool veq(const char *e, const char *a, const char *type)
{
    eddy_json_doc *x = parse(e), *y = parse(a);
    bool eq = eddy_qtt_values_equal(eddy_json_doc_root(x), eddy_json_doc_root(y), type);
    eddy_json_doc_destroy(x);
    eddy_json_doc_destroy(y);
    return eq;
}

START_TEST(variants_expand)
{
    eddy_json_doc *d;
    size_t n;
    eddy_qtt_run *r = expand(
        "{\"name\": \"sum\", \"format\": [\"JSON\", \"DELIMITED\"],"
        " \"statements\": [\"CREATE STREAM S (A INT) WITH (kafka_topic='t', value_format='{FORMAT}');\","
        "                  \"CREATE STREAM O AS SELECT * FROM S;\"],"
        " \"topics\": [{\"name\": \"t\", \"valueFormat\": \"{FORMAT}\", \"keyFormat\": \"KAFKA\"}],"
        " \"properties\": {\"p\": \"x\", \"n\": 4},"
        " \"inputs\": [{\"topic\": \"t\", \"value\": {\"A\": 1}, \"timestamp\": 5}],"
        " \"outputs\": [{\"topic\": \"O\", \"key\": null, \"value\": {\"A\": 1}}]}",
        &d, &n);
    ck_assert_uint_eq(n, 2);
    ck_assert_str_eq(r[0].name, "sum - JSON");
    ck_assert_str_eq(r[0].variant, "JSON");
    ck_assert_str_eq(r[1].name, "sum - DELIMITED");
    ck_assert_uint_eq(r[1].nstatements, 2);
    ck_assert_str_eq(r[1].statements[0],
                     "CREATE STREAM S (A INT) WITH (kafka_topic='t', value_format='DELIMITED');");
    ck_assert_str_eq(r[1].statements[1], "CREATE STREAM O AS SELECT * FROM S;");
    ck_assert_uint_eq(r[1].ntopic_formats, 2);
    ck_assert_str_eq(r[1].topic_formats[0], "KAFKA");
    ck_assert_str_eq(r[1].topic_formats[1], "DELIMITED");
    ck_assert_str_eq(r[0].props[0], "p");
    ck_assert_str_eq(r[0].props[1], "x");
    ck_assert_str_eq(r[0].props[2], "n");
    ck_assert_str_eq(r[0].props[3], "4");
    ck_assert_ptr_null(r[0].props[4]);
    ck_assert_uint_eq(r[0].ninputs, 1);
    ck_assert(r[0].inputs[0].has_timestamp);
    ck_assert_int_eq(r[0].inputs[0].timestamp, 5);
    ck_assert_ptr_null(r[0].inputs[0].key);
    ck_assert_uint_eq(r[0].noutputs, 1);
    ck_assert_ptr_null(r[0].outputs[0].key); /* null key == absent key */
    ck_assert(!r[0].expect_exception);
    eddy_qtt_runs_free(r, n);
    eddy_json_doc_destroy(d);

    r = expand("{\"name\": \"planner\", \"config\": [\"true\", \"false\"],"
               " \"properties\": {\"ksql.new.query.planner.enabled\": \"{CONFIG}\", \"k\": \"v\"},"
               " \"statements\": [\"X;\"],"
               " \"expectedException\": {\"type\": \"T\", \"message\": \"boom\"}}",
               &d, &n);
    ck_assert_uint_eq(n, 2);
    ck_assert_str_eq(r[0].name, "planner - ksql.new.query.planner.enabled=true");
    ck_assert_str_eq(r[1].name, "planner - ksql.new.query.planner.enabled=false");
    ck_assert_str_eq(r[1].variant, "ksql.new.query.planner.enabled=false");
    ck_assert_str_eq(r[1].props[1], "false");
    ck_assert_str_eq(r[1].props[3], "v");
    ck_assert(r[1].expect_exception);
    ck_assert_str_eq(r[1].exception_message, "boom");
    eddy_qtt_runs_free(r, n);
    eddy_json_doc_destroy(d);

    r = expand("{\"name\": \"both\", \"format\": [\"JSON\", \"KAFKA\"], \"config\": [\"a\", \"b\"],"
               " \"properties\": {\"c\": \"{CONFIG}\"}, \"statements\": []}",
               &d, &n);
    ck_assert_uint_eq(n, 4);
    ck_assert_str_eq(r[0].name, "both - JSON - c=a");
    ck_assert_str_eq(r[3].name, "both - KAFKA - c=b");
    eddy_qtt_runs_free(r, n);
    eddy_json_doc_destroy(d);

    r = expand("{\"name\": \"plain\", \"statements\": [\"S;\"]}", &d, &n);
    ck_assert_uint_eq(n, 1);
    ck_assert_str_eq(r[0].name, "plain");
    ck_assert_str_eq(r[0].variant, "");
    ck_assert_ptr_null(r[0].props[0]);
    ck_assert_ptr_null(r[0].post);
    eddy_qtt_runs_free(r, n);
    eddy_json_doc_destroy(d);

    /* malformed cases are refused with a reason */
    static const char *const bad[][2] = {
        {"{\"statements\": []}", "'name'"},
        {"{\"name\": \"x\"}", "'statements'"},
        {"{\"name\": \"x\", \"statements\": [], \"format\": \"JSON\"}", "'format' must be an array"},
        {"{\"name\": \"x\", \"statements\": [], \"inputs\": [{\"value\": 1}]}", "inputs[0]"},
        {"{\"name\": \"x\", \"statements\": [], \"outputs\": [{\"topic\": \"t\", \"timestamp\": 1.5}]}",
         "timestamp"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        d = parse(bad[i][0]);
        char err[EDDY_ERRSTR_SIZE] = "";
        ck_assert_int_eq(eddy_qtt_expand(eddy_json_doc_root(d), &r, &n, err, sizeof err),
                         EDDY_EPARSE);
        ck_assert_msg(strstr(err, bad[i][1]), "%s: '%s'", bad[i][0], err);
        ck_assert_ptr_null(r);
        eddy_json_doc_destroy(d);
    }
}
END_TEST

START_TEST(compare_numbers)
{
    /* doubles: within 1e-6 (absolute) */
    SAME("[{\"topic\": \"O\", \"value\": {\"D\": 0.3}}]",
         "[{\"key\": null, \"value\": {\"D\": 0.30000000000000004}, \"timestamp\": 0}]", NULL);
    SAME("[{\"topic\": \"O\", \"value\": {\"D\": 1.0000004}}]", "[{\"value\": {\"D\": 1.0}}]",
         "D DOUBLE");
    DIFF("[{\"topic\": \"O\", \"value\": {\"D\": 1.00001}}]", "[{\"value\": {\"D\": 1.0}}]",
         "D DOUBLE", "record 0: value differs");
    SAME("[{\"topic\": \"O\", \"value\": {\"D\": 1.5E3}}]", "[{\"value\": {\"D\": 1500.0}}]", NULL);
    /* an expected integer against an actual double compares by value (ksqlDB's doubleValue) */
    SAME("[{\"topic\": \"O\", \"value\": {\"D\": 1}}]", "[{\"value\": {\"D\": 1.0}}]", "D DOUBLE");
    SAME("[{\"topic\": \"O\", \"value\": {\"D\": 1}}]", "[{\"value\": {\"D\": 1.0}}]", NULL);
    DIFF("[{\"topic\": \"O\", \"value\": {\"D\": 2}}]", "[{\"value\": {\"D\": 1.0}}]", NULL,
         "value differs");
    /* integers exactly, beyond 2^53 too */
    SAME("[{\"topic\": \"O\", \"value\": {\"B\": 9007199254740993}}]",
         "[{\"value\": {\"B\": 9007199254740993}}]", "B BIGINT");
    DIFF("[{\"topic\": \"O\", \"value\": {\"B\": 9007199254740993}}]",
         "[{\"value\": {\"B\": 9007199254740992}}]", NULL, "value differs");
    /* decimals: the actual carries the declared scale, the value is exact */
    const char *dec = "ID STRING KEY, DEC DECIMAL(4,2)";
    SAME("[{\"topic\": \"O\", \"value\": {\"DEC\": 12.30}}]", "[{\"value\": {\"DEC\": 12.30}}]", dec);
    /* the QTT files' 12.3 was 12.30 before their numbers were normalized */
    SAME("[{\"topic\": \"O\", \"value\": {\"DEC\": 12.3}}]", "[{\"value\": {\"DEC\": 12.30}}]", dec);
    SAME("[{\"topic\": \"O\", \"value\": {\"DEC\": 1}}]", "[{\"value\": {\"DEC\": 1.00}}]", dec);
    /* an engine dropping the scale fails: 12.3 is not a DECIMAL(4,2) */
    DIFF("[{\"topic\": \"O\", \"value\": {\"DEC\": 12.30}}]", "[{\"value\": {\"DEC\": 12.3}}]", dec,
         "value differs");
    DIFF("[{\"topic\": \"O\", \"value\": {\"DEC\": 12.3}}]", "[{\"value\": {\"DEC\": 12.300}}]", dec,
         "value differs");
    /* no tolerance */
    DIFF("[{\"topic\": \"O\", \"value\": {\"DEC\": 12.31}}]", "[{\"value\": {\"DEC\": 12.30}}]",
         dec, "value differs");
    DIFF("[{\"topic\": \"O\", \"value\": {\"DEC\": 12.300001}}]", "[{\"value\": {\"DEC\": 12.30}}]",
         dec, "value differs");
    /* the schema as eddy_engine_sources prints it: quoted names, "DECIMAL(6, 4)" */
    SAME("[{\"topic\": \"O\", \"value\": {\"DEC\": 10.0}}]", "[{\"value\": {\"DEC\": 10.0000}}]",
         "`ID` STRING KEY, `DEC` DECIMAL(6, 4)");
    DIFF("[{\"topic\": \"O\", \"value\": {\"DEC\": 10.0}}]", "[{\"value\": {\"DEC\": 10.0}}]",
         "`ID` STRING KEY, `DEC` DECIMAL(6, 4)", "value differs");
    /* a DECIMAL without a scale: the lexemes' scales must agree */
    ck_assert(veq("12.30", "12.30", "DECIMAL"));
    ck_assert(!veq("12.3", "12.30", "DECIMAL"));
    /* an expected string against an actual decimal reads as a decimal */
    SAME("[{\"topic\": \"O\", \"value\": {\"DEC\": \"15.11\"}}]", "[{\"value\": {\"DEC\": 15.11}}]",
         dec);
    DIFF("[{\"topic\": \"O\", \"value\": {\"DEC\": \"15.1\"}}]", "[{\"value\": {\"DEC\": 15.10}}]",
         dec, "value differs");
    /* zero has no sign; the scale still counts */
    ck_assert(veq("-0.0", "0.0", "DECIMAL(2,1)"));
    ck_assert(veq("0", "0.00", "DECIMAL(3,2)"));
    ck_assert(!veq("0.0", "0.0", "DECIMAL(3,2)"));
    ck_assert(veq("1.20e1", "12.0", "DECIMAL(3,1)"));
    ck_assert(veq("-5.5", "-5.50", "DECIMAL(3,2)"));
    ck_assert(!veq("5.5", "-5.50", "DECIMAL(3,2)"));
    /* nested types reach the decimals: arrays, maps, structs, unwrapped single values */
    ck_assert(veq("[1.0, 2.5]", "[1.00, 2.50]", "ARRAY<DECIMAL(3,2)>"));
    ck_assert(!veq("[1.0, 2.5]", "[1.0, 2.50]", "ARRAY<DECIMAL(3,2)>"));
    ck_assert(veq("[1.0, 2.5]", "[1.0000001, 2.5]", "ARRAY<DOUBLE>"));
    ck_assert(!veq("{\"a\": 1.5}", "{\"a\": 1.5}", "MAP<STRING, DECIMAL(3,2)>"));
    ck_assert(veq("{\"a\": 1.5}", "{\"a\": 1.50}", "MAP<STRING, DECIMAL(3,2)>"));
    ck_assert(!veq("{\"X\": {\"Y\": 1.5}}", "{\"X\": {\"Y\": 1.5}}",
                   "STRUCT<X STRUCT<`Y` DECIMAL(3,2)>>"));
    ck_assert(veq("{\"X\": {\"Y\": 1.5}}", "{\"X\": {\"Y\": 1.50}}", "STRUCT<X STRUCT<Y DOUBLE>>"));
    DIFF("[{\"topic\": \"O\", \"value\": 1.5}]", "[{\"value\": 1.5}]", "K STRING KEY, V DECIMAL(3,2)",
         "value differs");
    SAME("[{\"topic\": \"O\", \"value\": 1.5}]", "[{\"value\": 1.50}]", "K STRING KEY, V DECIMAL(3,2)");
    DIFF("[{\"topic\": \"O\", \"key\": 1.5, \"value\": 1}]", "[{\"key\": 1.5, \"value\": 1}]",
         "K DECIMAL(3,2) KEY, V INT", "key differs");
    /* several key columns: the key is a struct of them */
    SAME("[{\"topic\": \"O\", \"key\": {\"A\": 1.5, \"B\": \"x\"}, \"value\": 1}]",
         "[{\"key\": {\"B\": \"x\", \"A\": 1.50}, \"value\": 1}]", "A DECIMAL(3,2) KEY, B STRING KEY, V INT");
    DIFF("[{\"topic\": \"O\", \"key\": {\"A\": 1.5, \"B\": \"x\"}, \"value\": 1}]",
         "[{\"key\": {\"B\": \"x\", \"A\": 1.5}, \"value\": 1}]", "A DECIMAL(3,2) KEY, B STRING KEY, V INT",
         "key differs");
    /* an unparsable schema means "types unknown", not a failure */
    SAME("[{\"topic\": \"O\", \"value\": {\"D\": 1}}]", "[{\"value\": {\"D\": 1.0}}]", "D @@<");
}
END_TEST

START_TEST(compare_structure)
{
    /* key order is irrelevant; member counts must match; absent is not null */
    SAME("[{\"topic\": \"O\", \"value\": {\"A\": 1, \"B\": \"x\"}}]",
         "[{\"value\": {\"B\": \"x\", \"A\": 1}}]", NULL);
    DIFF("[{\"topic\": \"O\", \"value\": {\"A\": 1}}]", "[{\"value\": {\"A\": 1, \"B\": null}}]",
         NULL, "value differs");
    DIFF("[{\"topic\": \"O\", \"value\": {\"A\": 1, \"B\": null}}]", "[{\"value\": {\"A\": 1}}]",
         NULL, "value differs");
    DIFF("[{\"topic\": \"O\", \"value\": {\"S\": {\"X\": 1}}}]",
         "[{\"value\": {\"S\": {\"X\": 1, \"Y\": 2}}}]", NULL, "value differs");
    /* arrays keep order */
    DIFF("[{\"topic\": \"O\", \"value\": {\"A\": [1, 2]}}]", "[{\"value\": {\"A\": [2, 1]}}]", NULL,
         "value differs");
    /* null vs absent key; tombstones */
    SAME("[{\"topic\": \"O\", \"value\": {\"A\": 1}}]", "[{\"key\": null, \"value\": {\"A\": 1}}]",
         NULL);
    SAME("[{\"topic\": \"O\", \"value\": {\"A\": 1}}]", "[{\"value\": {\"A\": 1}}]", NULL);
    DIFF("[{\"topic\": \"O\", \"value\": {\"A\": 1}}]", "[{\"key\": \"k\", \"value\": {\"A\": 1}}]",
         NULL, "key differs");
    SAME("[{\"topic\": \"O\", \"key\": \"k\", \"value\": null}]", "[{\"key\": \"k\", \"value\": null}]",
         NULL);
    DIFF("[{\"topic\": \"O\", \"key\": \"k\", \"value\": null}]", "[{\"key\": \"k\", \"value\": {}}]",
         NULL, "value differs");
    /* types must agree */
    DIFF("[{\"topic\": \"O\", \"value\": {\"A\": \"1\"}}]", "[{\"value\": {\"A\": 1}}]", "A STRING",
         "value differs");
    DIFF("[{\"topic\": \"O\", \"value\": {\"A\": true}}]", "[{\"value\": {\"A\": false}}]", NULL,
         "value differs");
    /* in order and in count */
    const char *two = "[{\"topic\": \"O\", \"key\": 1, \"value\": {\"A\": 1}},"
                      " {\"topic\": \"O\", \"key\": 2, \"value\": {\"A\": 2}}]";
    SAME(two, "[{\"key\": 1, \"value\": {\"A\": 1}}, {\"key\": 2, \"value\": {\"A\": 2}}]", NULL);
    DIFF(two, "[{\"key\": 2, \"value\": {\"A\": 2}}, {\"key\": 1, \"value\": {\"A\": 1}}]", NULL,
         "record 0: key differs");
    DIFF(two, "[{\"key\": 1, \"value\": {\"A\": 1}}]", NULL, "expected 2 records but got 1");
    DIFF(two, "[{\"key\": 1, \"value\": {\"A\": 1}}, {\"key\": 2, \"value\": {\"A\": 2}}, "
              "{\"key\": 3, \"value\": {\"A\": 3}}]",
         NULL, "expected 2 records but got 3; first extra:");
    DIFF(two, "[]", NULL, "topic 'O': expected 2 records but got 0");
}
END_TEST

/* With the output's schema, the expected struct is read as ksqlDB's harness reads it through
 * the JSON deserializer (json_array_length.json #0 expects "colors" of column COLORS;
 * encode.json #0 names a HEX column that does not exist, with a null value), while eddy's own
 * output may hold no member outside the schema. */
START_TEST(compare_with_schema)
{
    const char *sch = "`K` STRING KEY, `COLORS` STRING, `B` INTEGER";
    SAME("[{\"topic\": \"O\", \"value\": {\"colors\": \"x\", \"B\": 1}}]",
         "[{\"value\": {\"COLORS\": \"x\", \"B\": 1}}]", sch);
    SAME("[{\"topic\": \"O\", \"value\": {\"HEX\": null, \"B\": 1}}]",
         "[{\"value\": {\"COLORS\": null, \"B\": 1}}]", sch);
    DIFF("[{\"topic\": \"O\", \"value\": {\"HEX\": \"x\", \"B\": 1}}]",
         "[{\"value\": {\"COLORS\": \"x\", \"B\": 1}}]", sch, "value differs");
    DIFF("[{\"topic\": \"O\", \"value\": {\"colors\": \"y\", \"B\": 1}}]",
         "[{\"value\": {\"COLORS\": \"x\", \"B\": 1}}]", sch, "value differs");
    DIFF("[{\"topic\": \"O\", \"value\": {\"COLORS\": \"x\", \"B\": 1}}]",
         "[{\"value\": {\"COLORS\": \"x\", \"B\": 1, \"EXTRA\": 2}}]", sch, "value differs");
    /* only the upper-cased key matches a name: `colors` quoted lower-case is another name */
    DIFF("[{\"topic\": \"O\", \"value\": {\"COLORS\": \"x\"}}]",
         "[{\"value\": {\"colors\": \"x\"}}]", "`K` STRING KEY, `colors` STRING",
         "value differs");
    /* an unwrapped single MAP column: the value is the map itself, compared as a map */
    char why[2048];
    const char *exp = "[{\"topic\": \"O\", \"value\": {\"b\": 1.5}}]";
    ck_assert_msg(compare(exp, "[{\"value\": {\"b\": 1.5}}]", "`M` MAP<STRING, DOUBLE>", true,
                          why, sizeof why), "%s", why);
    ck_assert(!compare(exp, "[{\"value\": {\"B\": 1.5}}]", "`M` MAP<STRING, DOUBLE>", true,
                       why, sizeof why));
    ck_assert(!compare(exp, "[{\"value\": {\"b\": 1.5}}]", "`M` MAP<STRING, DOUBLE>", false,
                       why, sizeof why));
}
END_TEST

START_TEST(compare_timestamp_window_headers)
{
    /* timestamp only when given */
    SAME("[{\"topic\": \"O\", \"value\": 1}]", "[{\"value\": 1, \"timestamp\": 77}]", NULL);
    SAME("[{\"topic\": \"O\", \"value\": 1, \"timestamp\": 77}]", "[{\"value\": 1, \"timestamp\": 77}]",
         NULL);
    DIFF("[{\"topic\": \"O\", \"value\": 1, \"timestamp\": 76}]", "[{\"value\": 1, \"timestamp\": 77}]",
         NULL, "timestamp differs: expected <null, 1> with timestamp=76 but was <null, 1> with "
               "timestamp=77");
    /* window when given */
    const char *win = "[{\"topic\": \"O\", \"key\": \"a\", \"value\": {\"C\": 1},"
                      " \"window\": {\"start\": 0, \"end\": 60000, \"type\": \"time\"}}]";
    SAME(win, "[{\"key\": \"a\", \"value\": {\"C\": 1},"
              " \"window\": {\"start\": 0, \"end\": 60000, \"type\": \"TIME\"}}]", NULL);
    DIFF(win, "[{\"key\": \"a\", \"value\": {\"C\": 1},"
              " \"window\": {\"start\": 0, \"end\": 30000, \"type\": \"time\"}}]", NULL,
         "window differs");
    DIFF(win, "[{\"key\": \"a\", \"value\": {\"C\": 1},"
              " \"window\": {\"start\": 0, \"end\": 60000, \"type\": \"session\"}}]", NULL,
         "window differs");
    DIFF(win, "[{\"key\": \"a\", \"value\": {\"C\": 1}}]", NULL, "window differs");
    SAME("[{\"topic\": \"O\", \"key\": \"a\", \"value\": 1}]",
         "[{\"key\": \"a\", \"value\": 1, \"window\": {\"start\": 0, \"end\": 1, \"type\": \"time\"}}]",
         NULL);
    /* headers when given; [] matches none */
    const char *hdr = "[{\"topic\": \"O\", \"value\": 1, \"headers\": [{\"KEY\": \"h\", \"VALUE\": \"AQI=\"}]}]";
    SAME(hdr, "[{\"value\": 1, \"headers\": [{\"KEY\": \"h\", \"VALUE\": \"AQI=\"}]}]", NULL);
    DIFF(hdr, "[{\"value\": 1, \"headers\": [{\"KEY\": \"h\", \"VALUE\": \"AQM=\"}]}]", NULL,
         "headers differs");
    DIFF(hdr, "[{\"value\": 1}]", NULL, "headers differs");
    SAME("[{\"topic\": \"O\", \"value\": 1, \"headers\": []}]", "[{\"value\": 1, \"headers\": null}]",
         NULL);
    SAME("[{\"topic\": \"O\", \"value\": 1}]", "[{\"value\": 1, \"headers\": [{\"KEY\": \"x\"}]}]",
         NULL);
}
END_TEST

static eddy_qtt_run *one_run(const char *json, eddy_json_doc **doc)
{
    size_t n;
    eddy_qtt_run *r = expand(json, doc, &n);
    ck_assert_uint_eq(n, 1);
    return r;
}

static void check_skip(const char *json, bool want_skip, const char *want_reason)
{
    eddy_json_doc *d;
    eddy_qtt_run *r = one_run(json, &d);
    char why[512] = "";
    bool skip = eddy_qtt_skip_reason(r, why, sizeof why);
    ck_assert_msg(skip == want_skip, "%s: skip=%d (%s)", json, skip, why);
    if (want_reason)
        ck_assert_msg(strstr(why, want_reason), "reason '%s' lacks '%s'", why, want_reason);
    eddy_qtt_runs_free(r, 1);
    eddy_json_doc_destroy(d);
}

START_TEST(skip_formats)
{
    check_skip("{\"name\": \"a\", \"statements\": [\"CREATE STREAM S (A INT) WITH "
               "(kafka_topic='t', value_format='AVRO');\"]}", true, "needs format AVRO (VALUE_FORMAT");
    check_skip("{\"name\": \"a\", \"statements\": [\"CREATE STREAM S (A INT) WITH "
               "(kafka_topic='t', value_format = 'avro');\"]}", true, "needs format AVRO");
    check_skip("{\"name\": \"a\", \"statements\": [\"CREATE STREAM S (A INT KEY) WITH "
               "(kafka_topic='t', key_format='PROTOBUF', value_format='JSON');\"]}", true,
               "PROTOBUF (KEY_FORMAT");
    check_skip("{\"name\": \"a\", \"statements\": [\"CREATE STREAM S WITH "
               "(kafka_topic='t', format='JSON_SR');\"]}", true, "JSON_SR (FORMAT");
    check_skip("{\"name\": \"a\", \"statements\": [\"CREATE STREAM S (A INT) WITH "
               "(kafka_topic='t', value_format='PROTOBUF_NOSR');\"]}", true, "PROTOBUF_NOSR");
    /* eddy's formats, any case */
    check_skip("{\"name\": \"a\", \"statements\": [\"CREATE STREAM S (A INT) WITH (kafka_topic='t', "
               "key_format='kafka', value_format='Delimited');\", \"CREATE STREAM T WITH "
               "(kafka_topic='u', format='JSON', timestamp_format='yyyy');\", \"CREATE STREAM N "
               "(A INT) WITH (kafka_topic='n', key_format='NONE', value_format='JSON');\"]}",
               false, NULL);
    /* not fooled by literals or other properties */
    check_skip("{\"name\": \"a\", \"statements\": [\"CREATE STREAM S AS SELECT 'value_format=''AVRO''' "
               "AS X, `FORMAT` FROM T WHERE A = 'FORMAT=''AVRO''';\"]}", false, NULL);
    check_skip("{\"name\": \"a\", \"statements\": [\"CREATE STREAM S (A INT) WITH (kafka_topic='t', "
               "TIMESTAMP_FORMAT='AVRO', value_format='JSON');\"]}", false, NULL);
    /* default formats in the properties, declared topics, {FORMAT} variants */
    check_skip("{\"name\": \"a\", \"statements\": [\"CREATE STREAM S (A INT) WITH (kafka_topic='t');\"],"
               " \"properties\": {\"ksql.persistence.default.format.value\": \"AVRO\"}}", true,
               "ksql.persistence.default.format.value");
    check_skip("{\"name\": \"a\", \"statements\": [], \"topics\": [{\"name\": \"t\", "
               "\"valueFormat\": \"PROTOBUF\"}]}", true, "declared topic");
    /* an unknown name is the error under test when a rejection is expected ... */
    check_skip("{\"name\": \"a\", \"statements\": [\"CREATE STREAM S WITH (kafka_topic='t', "
               "format='FOO');\"], \"expectedException\": {\"type\": \"E\", \"message\": "
               "\"Unknown format: FOO\"}}", false, NULL);
    /* ... but a format eddy lacks is skipped even then, and an unknown one otherwise */
    check_skip("{\"name\": \"a\", \"statements\": [\"CREATE STREAM S WITH (kafka_topic='t', "
               "format='AVRO');\"], \"expectedException\": {\"type\": \"E\"}}", true, "AVRO");
    check_skip("{\"name\": \"a\", \"statements\": [\"CREATE STREAM S WITH (kafka_topic='t', "
               "format='XML');\"]}", true, "XML");

    /* per variant */
    eddy_json_doc *d;
    size_t n;
    eddy_qtt_run *r = expand("{\"name\": \"v\", \"format\": [\"AVRO\", \"JSON\"], \"statements\": "
                             "[\"CREATE STREAM S (A INT) WITH (kafka_topic='t', "
                             "value_format='{FORMAT}');\"]}", &d, &n);
    char why[512];
    ck_assert(eddy_qtt_skip_reason(&r[0], why, sizeof why));
    ck_assert(!eddy_qtt_skip_reason(&r[1], why, sizeof why));
    /* a skipped run is never run: SKIP with the reason */
    eddy_qtt_result res;
    eddy_qtt_run_case(&r[0], &res);
    ck_assert_int_eq(res.status, EDDY_QTT_SKIP);
    ck_assert(strstr(res.reason, "needs format AVRO"));
    ck_assert_str_eq(eddy_qtt_status_name(res.status), "SKIP");
    eddy_qtt_runs_free(r, n);
    eddy_json_doc_destroy(d);
}
END_TEST

/* Statements no engine accepts, so these hold whatever the engine implements. */
START_TEST(expected_exception)
{
    eddy_json_doc *d;
    eddy_qtt_result res;
    eddy_qtt_run *r = one_run("{\"name\": \"x\", \"statements\": [\"THIS IS NOT SQL AT ALL;\"],"
                              " \"expectedException\": {\"type\": \"ParseFailedException\"}}", &d);
    eddy_qtt_run_case(r, &res);
    ck_assert_msg(res.status == EDDY_QTT_PASS, "%s", res.reason);
    /* the same, isolated in a child process */
    eddy_qtt_run_isolated(r, 10, &res);
    ck_assert_msg(res.status == EDDY_QTT_PASS, "%s", res.reason);
    ck_assert_int_eq(res.stage, EDDY_QTT_STAGE_NONE);
    eddy_qtt_runs_free(r, 1);
    eddy_json_doc_destroy(d);

    r = one_run("{\"name\": \"x\", \"statements\": [\"THIS IS NOT SQL AT ALL;\"],"
                " \"expectedException\": {\"type\": \"T\", \"message\": \"zz-no-engine-says-this\"}}",
                &d);
    eddy_qtt_run_isolated(r, 10, &res);
    ck_assert_int_eq(res.status, EDDY_QTT_FAIL);
    ck_assert_int_eq(res.stage, EDDY_QTT_STAGE_STATEMENT);
    ck_assert_msg(strstr(res.reason, "statement 1 rejected with") &&
                      strstr(res.reason, "expected a message containing \"zz-no-engine-says-this\""),
                  "%s", res.reason);
    eddy_qtt_runs_free(r, 1);
    eddy_json_doc_destroy(d);

    /* positions count the lines of the statements before, as in ksqlDB's harness (one
     * script): the third statement's syntax error is on line 4, after a two-line one */
    r = one_run("{\"name\": \"x\", \"statements\": [\"SET 'a'='b';\","
                " \"SET 'c'=\\n'd';\", \"SELECT FROM;\"],"
                " \"expectedException\": {\"type\": \"T\", \"message\": \"line 4:8:\"}}", &d);
    eddy_qtt_run_case(r, &res);
    ck_assert_msg(res.status == EDDY_QTT_PASS, "%s", res.reason);
    eddy_qtt_runs_free(r, 1);
    eddy_json_doc_destroy(d);

    /* no exception expected: the rejection is the failure */
    r = one_run("{\"name\": \"x\", \"statements\": [\"THIS IS NOT SQL AT ALL;\"]}", &d);
    eddy_qtt_run_case(r, &res);
    ck_assert_int_eq(res.status, EDDY_QTT_FAIL);
    ck_assert_int_eq(res.stage, EDDY_QTT_STAGE_STATEMENT);
    ck_assert_msg(strncmp(res.reason, "statement 1: ", 13) == 0, "%s", res.reason);
    eddy_qtt_runs_free(r, 1);
    eddy_json_doc_destroy(d);

    /* an exception expected but nothing to reject: FAIL */
    r = one_run("{\"name\": \"x\", \"statements\": [],"
                " \"expectedException\": {\"type\": \"T\", \"message\": \"boom\"}}", &d);
    eddy_qtt_run_case(r, &res);
    ck_assert_int_eq(res.status, EDDY_QTT_FAIL);
    ck_assert_msg(strstr(res.reason, "expected an error containing \"boom\""), "%s", res.reason);
    eddy_qtt_runs_free(r, 1);
    eddy_json_doc_destroy(d);

    /* no statements, no outputs: nothing to differ */
    r = one_run("{\"name\": \"x\", \"statements\": []}", &d);
    eddy_qtt_run_case(r, &res);
    ck_assert_msg(res.status == EDDY_QTT_PASS, "%s", res.reason);
    eddy_qtt_runs_free(r, 1);
    eddy_json_doc_destroy(d);
}
END_TEST

static void run_crash(const eddy_qtt_run *r, eddy_qtt_result *res)
{
    (void)r;
    (void)res;
    signal(SIGSEGV, SIG_DFL); /* not the sanitizers' handler: die of the signal */
    raise(SIGSEGV);
}

static void run_hang(const eddy_qtt_run *r, eddy_qtt_result *res)
{
    (void)r;
    (void)res;
    for (;;)
        pause();
}

static void run_exit(const eddy_qtt_run *r, eddy_qtt_result *res)
{
    (void)r;
    (void)res;
    _exit(7);
}

static void run_long_reason(const eddy_qtt_run *r, eddy_qtt_result *res)
{
    (void)r;
    memset(res, 0, sizeof *res);
    res->status = EDDY_QTT_FAIL;
    res->stage = EDDY_QTT_STAGE_OUTPUT;
    memset(res->reason, 'x', sizeof res->reason); /* unterminated: the parent terminates it */
    res->post = EDDY_QTT_POST_OK;
}

/* A crash, a hang or an early exit in the child is that run's FAIL; the caller goes on. */
START_TEST(isolation)
{
    eddy_json_doc *d;
    eddy_qtt_run *r = one_run("{\"name\": \"x\", \"statements\": []}", &d);
    eddy_qtt_result res;
    eddy_qtt_run_isolated_with(r, 10, run_crash, &res);
    ck_assert_int_eq(res.status, EDDY_QTT_FAIL);
    ck_assert_int_eq(res.stage, EDDY_QTT_STAGE_CRASH);
    ck_assert_msg(strncmp(res.reason, "crashed: signal 11", 18) == 0, "%s", res.reason);
    int64_t t0 = eddy_mono_ns();
    eddy_qtt_run_isolated_with(r, 1, run_hang, &res);
    ck_assert_int_eq(res.status, EDDY_QTT_FAIL);
    ck_assert_str_eq(res.reason, "timed out after 1 s");
    ck_assert_int_lt(eddy_mono_ns() - t0, 5000000000LL);
    eddy_qtt_run_isolated_with(r, 10, run_exit, &res);
    ck_assert_int_eq(res.status, EDDY_QTT_FAIL);
    ck_assert_str_eq(res.reason, "the run ended without a result (exit status 7)");
    eddy_qtt_run_isolated_with(r, 10, run_long_reason, &res);
    ck_assert_int_eq(res.stage, EDDY_QTT_STAGE_OUTPUT);
    ck_assert_uint_eq(strlen(res.reason), sizeof res.reason - 1);
    ck_assert_int_eq(res.post, EDDY_QTT_POST_OK);
    eddy_qtt_run_isolated(r, 10, &res); /* the real thing: nothing to run, nothing to differ */
    ck_assert_msg(res.status == EDDY_QTT_PASS, "%s", res.reason);
    eddy_qtt_runs_free(r, 1);
    eddy_json_doc_destroy(d);
}
END_TEST

static bool sources_match(const char *expected, const char *actual, char *why, size_t n)
{
    eddy_json_doc *e = parse(expected), *a = parse(actual);
    why[0] = '\0';
    bool ok = eddy_qtt_compare_sources(eddy_json_doc_root(e), eddy_json_doc_root(a), why, n);
    eddy_json_doc_destroy(e);
    eddy_json_doc_destroy(a);
    return ok;
}

START_TEST(post_sources)
{
    const char *catalog =
        "[{\"name\": \"INPUT\", \"type\": \"STREAM\", \"schema\": \"`ID` STRING KEY, `DEC` "
        "DECIMAL(6, 4), `S` STRUCT<`FOO` STRING, `foo` STRING>\", \"keyFormat\": \"KAFKA\", "
        "\"valueFormat\": \"JSON\", \"topic\": \"test\"},"
        " {\"name\": \"T\", \"type\": \"TABLE\", \"schema\": \"`K` INTEGER PRIMARY KEY, `V` INTEGER\","
        " \"keyFormat\": \"DELIMITED\", \"valueFormat\": \"JSON\", \"topic\": \"t\"}]";
    char why[512];
    /* quoting, spacing, VARCHAR/STRING and INT/INTEGER, type case, format objects */
    ck_assert_msg(sources_match("[{\"name\": \"input\", \"type\": \"stream\", \"schema\": "
                                "\"ID STRING KEY, DEC DECIMAL(6,4), S STRUCT<FOO VARCHAR, `foo` VARCHAR>\"},"
                                " {\"name\": \"T\", \"type\": \"table\", \"schema\": \"K INT PRIMARY KEY, V INT\","
                                " \"keyFormat\": {\"format\": \"DELIMITED\"}, \"valueFormat\": \"JSON\"}]",
                                catalog, why, sizeof why),
                  "%s", why);
    ck_assert(!sources_match("[{\"name\": \"NOPE\", \"type\": \"stream\"}]", catalog, why, sizeof why));
    ck_assert_str_eq(why, "source NOPE: missing from the catalog");
    ck_assert(!sources_match("[{\"name\": \"T\", \"type\": \"stream\"}]", catalog, why, sizeof why));
    ck_assert_str_eq(why, "source T: type TABLE, expected stream");
    ck_assert(!sources_match("[{\"name\": \"INPUT\", \"type\": \"stream\", \"schema\": "
                             "\"ID STRING KEY, DEC DECIMAL(6,4), S STRUCT<FOO VARCHAR, FOO VARCHAR>\"}]",
                             catalog, why, sizeof why));
    ck_assert(strstr(why, "source INPUT: schema"));
    ck_assert(!sources_match("[{\"name\": \"T\", \"type\": \"table\", \"keyFormat\": "
                             "{\"format\": \"KAFKA\"}}]", catalog, why, sizeof why));
    ck_assert_str_eq(why, "source T: keyFormat DELIMITED, expected KAFKA");
}
END_TEST

START_TEST(split_statements)
{
    char **v;
    size_t n;
    ck_assert_int_eq(eddy_qtt_split_statements(
                         "-- the ratings\nCREATE STREAM A (X STRING) WITH (kafka_topic='a;b');\n"
                         "  /* c; */ SELECT `we;ird` FROM A; ;\n"
                         "INSERT INTO A SELECT 'it''s; ok' FROM B -- trailing; comment\n;\n  ",
                         &v, &n),
                     0);
    ck_assert_uint_eq(n, 3);
    ck_assert_str_eq(v[0], "CREATE STREAM A (X STRING) WITH (kafka_topic='a;b');");
    ck_assert_str_eq(v[1], "SELECT `we;ird` FROM A;");
    ck_assert_str_eq(v[2], "INSERT INTO A SELECT 'it''s; ok' FROM B -- trailing; comment\n;");
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
    ck_assert_int_eq(eddy_qtt_split_statements("SELECT 1", &v, &n), 0);
    ck_assert_uint_eq(n, 1);
    ck_assert_str_eq(v[0], "SELECT 1");
    free(v[0]);
    free(v);
}
END_TEST

START_TEST(read_file_errors)
{
    char path[1024], err[EDDY_ERRSTR_SIZE];
    eddy_json_doc *d;
    snprintf(path, sizeof path, "%s/bad.json", eddy_test_tmpdir());
    eddy_test_write_file(path, "{\"tests\": [\n  {]}");
    ck_assert_int_eq(eddy_qtt_read_file(path, &d, err, sizeof err), EDDY_EPARSE);
    ck_assert_msg(strstr(err, "bad.json:2:4: member name expected"), "%s", err);
    snprintf(path, sizeof path, "%s/none.json", eddy_test_tmpdir());
    ck_assert_int_eq(eddy_qtt_read_file(path, &d, err, sizeof err), EDDY_EIO);
    ck_assert(strstr(err, "cannot open"));
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("qtt");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, variants_expand);
    tcase_add_test(tc, compare_numbers);
    tcase_add_test(tc, compare_structure);
    tcase_add_test(tc, compare_with_schema);
    tcase_add_test(tc, compare_timestamp_window_headers);
    tcase_add_test(tc, skip_formats);
    tcase_add_test(tc, expected_exception);
    tcase_add_test(tc, isolation);
    tcase_add_test(tc, post_sources);
    tcase_add_test(tc, split_statements);
    tcase_add_test(tc, read_file_errors);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    /* the engine loads the operator plugins: the build's, unless the environment says */
    setenv("EDDY_PLUGIN_PATH", EDDY_BUILD_DIR "/plugins", 0);
    return eddy_test_run(suite());
}
