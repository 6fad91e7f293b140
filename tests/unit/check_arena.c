/* check_arena.c: the arena allocator, byte buffers and base64. */
#include <stdlib.h>
#include <string.h>

#include "eddy/arena.h"
#include "testutil.h"

START_TEST(arena_alignment_and_reuse)
{
    eddy_arena *a = eddy_arena_new(1024);
    ck_assert_ptr_nonnull(a);
    for (int i = 1; i < 200; i++) {
        void *p = eddy_arena_alloc(a, (size_t)i);
        ck_assert_ptr_nonnull(p);
        ck_assert_uint_eq((uintptr_t)p % 16, 0);
        memset(p, 0xab, (size_t)i); /* ASan: the whole block is usable */
    }
    ck_assert_uint_gt(eddy_arena_used(a), 199 * 100 / 2);
    eddy_arena_reset(a);
    ck_assert_uint_eq(eddy_arena_used(a), 0);
    /* A block larger than a chunk gets its own chunk. */
    char *big = eddy_arena_alloc(a, 10000);
    ck_assert_ptr_nonnull(big);
    memset(big, 1, 10000);
    char *s = eddy_arena_strndup(a, "hello world", 5);
    ck_assert_str_eq(s, "hello");
    int *z = eddy_arena_calloc(a, 100, sizeof *z);
    for (int i = 0; i < 100; i++)
        ck_assert_int_eq(z[i], 0);
    ck_assert_ptr_null(eddy_arena_calloc(a, SIZE_MAX / 2, 4));
    eddy_arena_destroy(a);
    eddy_arena_destroy(NULL);
}
END_TEST

START_TEST(buf_appends)
{
    eddy_buf b = {0};
    ck_assert_int_eq(eddy_buf_puts(&b, "abc"), 0);
    ck_assert_int_eq(eddy_buf_putc(&b, '-'), 0);
    ck_assert_int_eq(eddy_buf_printf(&b, "%d:%s", 42, "x"), 0);
    ck_assert_str_eq(eddy_buf_cstr(&b), "abc-42:x");
    ck_assert_uint_eq(b.len, 8);
    for (int i = 0; i < 10000; i++)
        eddy_buf_putc(&b, 'y');
    ck_assert_uint_eq(b.len, 10008);
    eddy_buf_clear(&b);
    ck_assert_str_eq(eddy_buf_cstr(&b), "");
    eddy_buf_free(&b);
    ck_assert_ptr_null(b.data);
    eddy_buf_free(NULL);
}
END_TEST

START_TEST(base64_rfc4648_vectors)
{
    /* RFC 4648 section 10 test vectors. */
    static const char *const in[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar"};
    static const char *const out[] = {"", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=",
                                      "Zm9vYmFy"};
    eddy_arena *a = eddy_arena_new(0);
    for (int i = 0; i < 7; i++) {
        eddy_buf b = {0};
        ck_assert_int_eq(eddy_base64_encode(&b, in[i], strlen(in[i])), 0);
        ck_assert_str_eq(eddy_buf_cstr(&b), out[i]);
        uint8_t *dec;
        size_t n;
        ck_assert_int_eq(eddy_base64_decode(a, out[i], strlen(out[i]), &dec, &n), 0);
        ck_assert_uint_eq(n, strlen(in[i]));
        ck_assert(memcmp(dec, in[i], n) == 0);
        eddy_buf_free(&b);
    }
    uint8_t *dec;
    size_t n;
    ck_assert_int_eq(eddy_base64_decode(a, "Zm9v!", 5, &dec, &n), EDDY_EPARSE);
    ck_assert_int_eq(eddy_base64_decode(a, "Z", 1, &dec, &n), EDDY_EPARSE);
    eddy_arena_destroy(a);
}
END_TEST

START_TEST(errors_named)
{
    char err[64];
    ck_assert_int_eq(eddy_seterr(err, sizeof err, EDDY_EINVAL, "node '%s'", "x"), EDDY_EINVAL);
    ck_assert_str_eq(err, "node 'x'");
    ck_assert_str_eq(eddy_err_name(EDDY_EPARSE), "EPARSE");
    ck_assert_str_eq(eddy_err_name(12345), "EUNKNOWN");
    ck_assert(eddy_error_is_retriable(EDDY_EAGAIN));
    ck_assert(!eddy_error_is_retriable(EDDY_EPARSE));
    ck_assert_int_eq(eddy_seterr(NULL, 0, EDDY_EIO, "ignored"), EDDY_EIO);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("arena");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, arena_alignment_and_reuse);
    tcase_add_test(tc, buf_appends);
    tcase_add_test(tc, base64_rfc4648_vectors);
    tcase_add_test(tc, errors_named);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return eddy_test_run(suite());
}
