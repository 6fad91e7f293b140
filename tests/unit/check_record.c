/* check_record.c: schemas, batches, reference counting, parents and the release callback. */
#include <stdlib.h>
#include <string.h>

#include "eddy/record.h"
#include "testutil.h"

static eddy_schema *two_cols(void)
{
    eddy_schema_builder *b = eddy_schema_builder_new();
    ck_assert_int_eq(eddy_schema_builder_add(b, "STARS", eddy_type_int(), EDDY_COL_VALUE), 0);
    ck_assert_int_eq(eddy_schema_builder_add(b, "ID", eddy_type_string(), EDDY_COL_KEY), 0);
    ck_assert_int_eq(eddy_schema_builder_add(b, "ID", eddy_type_int(), EDDY_COL_VALUE),
                     EDDY_EEXIST);
    return eddy_schema_build(b);
}

START_TEST(schema_keys_first)
{
    eddy_schema *s = two_cols();
    ck_assert_uint_eq(s->ncols, 2);
    ck_assert_uint_eq(s->nkey, 1);
    ck_assert_str_eq(s->cols[0].name, "ID");
    ck_assert_int_eq(s->cols[0].kind, EDDY_COL_KEY);
    ck_assert_int_eq(eddy_schema_find(s, "STARS"), 1);
    ck_assert_int_eq(eddy_schema_find(s, "stars"), -1);
    eddy_buf out = {0};
    ck_assert_int_eq(eddy_schema_format(s, &out), 0);
    ck_assert_str_eq(eddy_buf_cstr(&out), "`ID` STRING KEY, `STARS` INTEGER");
    eddy_buf_free(&out);
    eddy_schema *t = two_cols();
    ck_assert(eddy_schema_equal(s, t));
    eddy_schema_release(t);
    eddy_schema_release(s);
}
END_TEST

static int released;
static void on_release(eddy_batch *b, void *opaque)
{
    (void)b;
    released += *(int *)opaque;
}

START_TEST(batch_append_and_release)
{
    eddy_schema *s = two_cols();
    eddy_batch_pool *pool = eddy_batch_pool_new();
    eddy_batch *b = eddy_batch_new(pool, s, 2);
    for (int i = 0; i < 1000; i++) {
        eddy_record *r = eddy_batch_append(b);
        ck_assert_ptr_nonnull(r);
        /* Fresh records are all-NULL, typed by their columns. */
        ck_assert(r->cols[0].is_null && r->cols[0].type == EDDY_TYPE_STRING);
        ck_assert(r->cols[1].is_null && r->cols[1].type == EDDY_TYPE_INT);
        ck_assert_int_eq(r->origin.offset, -1);
        r->cols[1] = eddy_int(i);
    }
    ck_assert_uint_eq(b->n, 1000);
    ck_assert_int_eq(b->recs[999].cols[1].u.i32, 999);
    eddy_batch_pop(b);
    ck_assert_uint_eq(b->n, 999);
    int one = 1;
    eddy_batch_set_release_cb(b, on_release, &one);
    released = 0;
    eddy_batch_retain(b);
    eddy_batch_release(b);
    ck_assert_int_eq(released, 0);
    eddy_batch_release(b);
    ck_assert_int_eq(released, 1);
    /* A recycled batch starts empty with no callback. */
    eddy_batch *c = eddy_batch_new(pool, s, 0);
    ck_assert_uint_eq(c->n, 0);
    eddy_batch_release(c);
    ck_assert_int_eq(released, 1);
    eddy_batch_pool_destroy(pool);
    eddy_schema_release(s);
}
END_TEST

START_TEST(derived_batch_keeps_parent_alive)
{
    eddy_schema *s = two_cols();
    eddy_batch *parent = eddy_batch_new(NULL, s, 0);
    eddy_record *r = eddy_batch_append(parent);
    char *text = eddy_arena_strndup(parent->arena, "abc", 3);
    r->cols[0] = eddy_string(text, 3);
    int ten = 10;
    released = 0;
    eddy_batch_set_release_cb(parent, on_release, &ten);

    eddy_batch *child = eddy_batch_new(NULL, s, 0);
    ck_assert_int_eq(eddy_batch_retain_parent(child, parent), 0);
    ck_assert_int_eq(eddy_batch_retain_parent(child, parent), 0); /* once only */
    ck_assert_ptr_nonnull(eddy_batch_append_copy(child, &parent->recs[0]));
    eddy_batch_release(parent); /* producer lets go: child still holds it */
    ck_assert_int_eq(released, 0);
    ck_assert(memcmp(child->recs[0].cols[0].u.str, "abc", 3) == 0);
    eddy_batch_release(child);
    ck_assert_int_eq(released, 10);
    eddy_schema_release(s);
}
END_TEST

START_TEST(pool_outlives_destroy)
{
    /* A batch still held by an async sink when its pool is destroyed stays valid. */
    eddy_schema *s = two_cols();
    eddy_batch_pool *pool = eddy_batch_pool_new();
    eddy_batch *b = eddy_batch_new(pool, s, 0);
    eddy_batch_append(b);
    eddy_batch_pool_destroy(pool);
    ck_assert_uint_eq(b->n, 1);
    eddy_batch_release(b);
    eddy_schema_release(s);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("record");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, schema_keys_first);
    tcase_add_test(tc, batch_append_and_release);
    tcase_add_test(tc, derived_batch_keeps_parent_alive);
    tcase_add_test(tc, pool_outlives_destroy);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return eddy_test_run(suite());
}
