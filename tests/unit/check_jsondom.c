/* check_jsondom.c: the JSON DOM: number lexemes kept, strings and escapes, document order,
 * writing back, and errors with their position. */
#include <stdlib.h>
#include <string.h>

#include "util/jsondom.h"
#include "testutil.h"

static eddy_json_doc *parse_ok(const char *text)
{
    char err[EDDY_ERRSTR_SIZE] = "";
    eddy_json_doc *d = NULL;
    int rc = eddy_json_parse(text, strlen(text), &d, err, sizeof err);
    ck_assert_msg(rc == 0, "parse of %s failed: %s", text, err);
    return d;
}

/* Parses, writes back compactly, compares with `want`. */
static void roundtrip(const char *text, const char *want)
{
    eddy_json_doc *d = parse_ok(text);
    eddy_buf b = {0};
    ck_assert_int_eq(eddy_json_write(eddy_json_doc_root(d), &b), 0);
    ck_assert_str_eq(eddy_buf_cstr(&b), want);
    eddy_buf_free(&b);
    eddy_json_doc_destroy(d);
}

static void parse_fails(const char *text, const char *want_err)
{
    char err[EDDY_ERRSTR_SIZE] = "";
    eddy_json_doc *d = (eddy_json_doc *)1;
    int rc = eddy_json_parse(text, strlen(text), &d, err, sizeof err);
    ck_assert_msg(rc == EDDY_EPARSE, "%s: rc %d", text, rc);
    ck_assert_ptr_null(d);
    ck_assert_msg(strcmp(err, want_err) == 0, "%s: got error '%s', wanted '%s'", text, err,
                  want_err);
}

START_TEST(numbers_keep_lexemes)
{
    static const char *const lexemes[] = {"12.30", "12.3", "1", "1.0", "-0", "1E3", "1e-07",
                                          "-12.500e+2", "123456789012345678901234567890",
                                          "0.000", "1.7976931348623157E308"};
    for (size_t i = 0; i < sizeof lexemes / sizeof *lexemes; i++) {
        eddy_json_doc *d = parse_ok(lexemes[i]);
        const eddy_json *n = eddy_json_doc_root(d);
        ck_assert_int_eq(n->type, EDDY_JSON_NUMBER);
        ck_assert_str_eq(n->str, lexemes[i]);
        ck_assert_uint_eq(n->len, strlen(lexemes[i]));
        eddy_json_doc_destroy(d);
    }
    eddy_json_doc *d = parse_ok("[1, 1.0, -5, 2e2, 3.25]");
    const eddy_json *a = eddy_json_doc_root(d);
    ck_assert(eddy_json_is_integer(eddy_json_at(a, 0)));
    ck_assert(!eddy_json_is_integer(eddy_json_at(a, 1)));
    ck_assert(eddy_json_is_integer(eddy_json_at(a, 2)));
    ck_assert(!eddy_json_is_integer(eddy_json_at(a, 3)));
    ck_assert(eddy_json_number(eddy_json_at(a, 4)) == 3.25);
    ck_assert(eddy_json_number(eddy_json_at(a, 3)) == 200.0);
    ck_assert_ptr_null(eddy_json_at(a, 5));
    eddy_json_doc_destroy(d);
    roundtrip("{\"DEC\": 12.30, \"D\": 1.0e0, \"I\": -0}", "{\"DEC\":12.30,\"D\":1.0e0,\"I\":-0}");
}
END_TEST

START_TEST(strings_and_escapes)
{
    eddy_json_doc *d = parse_ok("\"a\\\"b\\\\c\\/d\\b\\f\\n\\r\\t\\u00e9\\u20ac\\ud83d\\ude00\"");
    const eddy_json *s = eddy_json_doc_root(d);
    ck_assert_int_eq(s->type, EDDY_JSON_STRING);
    ck_assert_str_eq(s->str, "a\"b\\c/d\b\f\n\r\t\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80");
    ck_assert_str_eq(eddy_json_string(s), s->str);
    eddy_json_doc_destroy(d);

    d = parse_ok("\"x\\u0000y\"");
    s = eddy_json_doc_root(d);
    ck_assert_uint_eq(s->len, 3);
    ck_assert(memcmp(s->str, "x\0y", 3) == 0);
    eddy_json_doc_destroy(d);

    /* UTF-8 passes through; control characters are re-escaped on output */
    roundtrip("\"caf\xc3\xa9 \\u0001 \\\" \\n\"", "\"caf\xc3\xa9 \\u0001 \\\" \\n\"");
    roundtrip("{\"k\\ty\": \"\"}", "{\"k\\ty\":\"\"}");
}
END_TEST

START_TEST(objects_arrays_order)
{
    eddy_json_doc *d = parse_ok(" {\"b\": [true, false, null], \"a\": {}, \"b\": 2, \"e\": []} ");
    const eddy_json *o = eddy_json_doc_root(d);
    ck_assert_int_eq(o->type, EDDY_JSON_OBJECT);
    ck_assert_uint_eq(o->count, 4);
    ck_assert_str_eq(o->child->key, "b");
    ck_assert_str_eq(o->child->next->key, "a");
    const eddy_json *b = eddy_json_get(o, "b"); /* the first of duplicates */
    ck_assert_int_eq(b->type, EDDY_JSON_ARRAY);
    ck_assert_uint_eq(b->count, 3);
    ck_assert_int_eq(eddy_json_at(b, 0)->type, EDDY_JSON_TRUE);
    ck_assert_int_eq(eddy_json_at(b, 1)->type, EDDY_JSON_FALSE);
    ck_assert_int_eq(eddy_json_at(b, 2)->type, EDDY_JSON_NULL);
    ck_assert_uint_eq(eddy_json_get(o, "a")->count, 0);
    ck_assert_ptr_null(eddy_json_get(o, "zz"));
    ck_assert_ptr_null(eddy_json_get(b, "a")); /* not an object */
    ck_assert_ptr_null(eddy_json_get(NULL, "a"));
    ck_assert_str_eq(eddy_json_type_name(EDDY_JSON_OBJECT), "object");
    eddy_buf out = {0};
    eddy_json_write(o, &out);
    ck_assert_str_eq(eddy_buf_cstr(&out), "{\"b\":[true,false,null],\"a\":{},\"b\":2,\"e\":[]}");
    eddy_buf_free(&out);
    eddy_json_doc_destroy(d);
    eddy_json_doc_destroy(NULL);
    out = (eddy_buf){0};
    eddy_json_write(NULL, &out);
    ck_assert_str_eq(eddy_buf_cstr(&out), "null");
    eddy_buf_free(&out);
}
END_TEST

START_TEST(errors_with_position)
{
    parse_fails("", "1:1: value expected, found end of input");
    parse_fails("[1,]", "1:4: unexpected character");
    parse_fails("{\"a\" 1}", "1:6: ':' expected after member name");
    parse_fails("{\n  \"a\": 01}", "2:8: invalid number (leading zero)");
    parse_fails("1.", "1:1: invalid number (digit expected after '.')");
    parse_fails("1e+", "1:1: invalid number (digit expected in exponent)");
    parse_fails("\"abc", "1:1: unterminated string");
    parse_fails("\"a\\x\"", "1:3: invalid escape in string");
    parse_fails("\"\\u12G4\"", "1:2: invalid \\u escape in string");
    parse_fails("\"\\ud800x\"", "1:2: unpaired surrogate in string");
    parse_fails("\"a\nb\"", "1:3: control character in string");
    parse_fails("[1 2]", "1:4: ',' or ']' expected");
    parse_fails("{\"a\":1", "1:1: unterminated object");
    parse_fails("[1", "1:1: unterminated array");
    parse_fails("tru", "1:1: invalid literal");
    parse_fails("1 2", "1:3: unexpected text after the JSON value");
    parse_fails("{1:2}", "1:2: member name expected");
    parse_fails("NaN", "1:1: unexpected character");
    parse_fails("-", "1:1: invalid number");
    /* nesting limit */
    char deep[1100];
    memset(deep, '[', 1024);
    deep[1024] = '\0';
    char err[EDDY_ERRSTR_SIZE];
    eddy_json_doc *d;
    ck_assert_int_eq(eddy_json_parse(deep, strlen(deep), &d, err, sizeof err), EDDY_EPARSE);
    ck_assert(strstr(err, "nesting too deep"));
    /* the length bounds the text: no NUL needed */
    ck_assert_int_eq(eddy_json_parse("[1]xyz", 3, &d, err, sizeof err), 0);
    ck_assert_uint_eq(eddy_json_doc_root(d)->count, 1);
    eddy_json_doc_destroy(d);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("jsondom");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, numbers_keep_lexemes);
    tcase_add_test(tc, strings_and_escapes);
    tcase_add_test(tc, objects_arrays_order);
    tcase_add_test(tc, errors_with_position);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return eddy_test_run(suite());
}
