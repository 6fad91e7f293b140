/* check_engine.c: the SQL engine: statements, stateless persistent queries over in-memory
 * topics, record conversion between the test cases' JSON and topic bytes, error messages. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sql/engine.h"
#include "testutil.h"

static eddy_engine *engine(void)
{
    eddy_engine *e;
    char err[512];
    ck_assert_msg(eddy_engine_new(NULL, &e, err, sizeof err) == 0, "%s", err);
    return e;
}

static void exec_ok(eddy_engine *e, const char *sql)
{
    char err[1024] = "";
    ck_assert_msg(eddy_engine_execute(e, sql, err, sizeof err) == 0, "%s: %s", sql, err);
}

static void exec_fails(eddy_engine *e, const char *sql, const char *message)
{
    char err[1024] = "";
    ck_assert_msg(eddy_engine_execute(e, sql, err, sizeof err) < 0, "%s succeeded", sql);
    ck_assert_msg(strstr(err, message) != NULL, "'%s' lacks '%s'", err, message);
}

static void produce(eddy_engine *e, const char *topic, const char *key, const char *value,
                    int64_t ts)
{
    eddy_engine_record r = {key, value, ts, NULL, NULL};
    char err[512] = "";
    ck_assert_msg(eddy_engine_produce(e, topic, &r, err, sizeof err) == 0, "%s", err);
}

static void expect_records(eddy_engine *e, const char *topic, const char *json)
{
    eddy_buf b = {0};
    ck_assert_int_eq(eddy_engine_topic_records(e, topic, &b), 0);
    ck_assert_str_eq(eddy_buf_cstr(&b), json);
    eddy_buf_free(&b);
}

/* query-validation/project-filter.json #0 "project and filter": DELIMITED values, a STRING
 * key (KAFKA), a projection keeping the key, WHERE on a value column. */
START_TEST(project_and_filter_delimited)
{
    eddy_engine *e = engine();
    exec_ok(e, "CREATE STREAM TEST (K STRING KEY, ID bigint, NAME varchar, VALUE double) WITH "
               "(kafka_topic='test_topic', value_format='DELIMITED');");
    exec_ok(e, "CREATE STREAM S1 as SELECT K, name FROM test where id > 100;");
    produce(e, "test_topic", "\"0\"", "\"0,zero,0.0\"", 0);
    produce(e, "test_topic", "\"100\"", "\"100,100,0.0\"", 0);
    produce(e, "test_topic", "\"101\"", "\"101,101,0.0\"", 0);
    expect_records(e, "S1", "[{\"key\":\"101\",\"value\":\"101\",\"timestamp\":0}]");
    eddy_engine_destroy(e);
}
END_TEST

START_TEST(json_values_int_key_and_chained_queries)
{
    eddy_engine *e = engine();
    exec_ok(e, "CREATE STREAM RATINGS (ID INT KEY, STARS INT, CHANNEL STRING) WITH "
               "(KAFKA_TOPIC='ratings', VALUE_FORMAT='JSON');");
    exec_ok(e, "CREATE STREAM POOR AS SELECT ID, STARS, UCASE(CHANNEL) AS CH, STARS * 10 "
               "FROM RATINGS WHERE STARS < 3;");
    exec_ok(e, "CREATE STREAM WEB WITH (KAFKA_TOPIC='web_topic') AS SELECT * FROM POOR "
               "WHERE CH = 'WEB';");
    produce(e, "ratings", "1", "{\"stars\": 1, \"channel\": \"web\"}", 1000);
    produce(e, "ratings", "2", "{\"stars\": 4, \"channel\": \"web\"}", 2000);
    produce(e, "ratings", "3", "{\"stars\": 2, \"channel\": \"ios\"}", 3000);
    /* The INT key is 4 big-endian bytes on the topic and reads back as 1; the unaliased
     * expression is the query's first generated name, KSQL_COL_0 (numbering counts generated
     * names only: query-validation/math.json "calculate CEIL..." and arithmetic cases). */
    expect_records(e, "POOR",
                   "[{\"key\":1,\"value\":{\"STARS\":1,\"CH\":\"WEB\",\"KSQL_COL_0\":10},"
                   "\"timestamp\":1000},"
                   "{\"key\":3,\"value\":{\"STARS\":2,\"CH\":\"IOS\",\"KSQL_COL_0\":20},"
                   "\"timestamp\":3000}]");
    expect_records(e, "web_topic",
                   "[{\"key\":1,\"value\":{\"STARS\":1,\"CH\":\"WEB\",\"KSQL_COL_0\":10},"
                   "\"timestamp\":1000}]");
    eddy_buf b = {0};
    ck_assert_int_eq(eddy_engine_sources(e, &b), 0);
    ck_assert_msg(strstr(eddy_buf_cstr(&b),
                         "{\"name\":\"POOR\",\"type\":\"STREAM\",\"schema\":\"`ID` INTEGER KEY, "
                         "`STARS` INTEGER, `CH` STRING, `KSQL_COL_0` INTEGER\",\"keyFormat\":"
                         "\"KAFKA\",\"valueFormat\":\"JSON\",\"topic\":\"POOR\"}") != NULL,
                  "%s", eddy_buf_cstr(&b));
    eddy_buf_free(&b);
    ck_assert_int_eq(eddy_engine_topic_records(e, "nope", &b), EDDY_ENOTFOUND);
    eddy_engine_destroy(e);
}
END_TEST

START_TEST(statement_errors)
{
    eddy_engine *e = engine();
    exec_fails(e, "CREATE STREAM A (X INT) WITH (VALUE_FORMAT='JSON');",
               "Missing required property \"KAFKA_TOPIC\" which has no default value.");
    exec_fails(e, "CREATE TABLE T (X INT) WITH (KAFKA_TOPIC='t', VALUE_FORMAT='JSON');",
               "Tables require a PRIMARY KEY. Please define the PRIMARY KEY.");
    exec_fails(e, "CREATE STREAM A (X INT) WITH (KAFKA_TOPIC='a', VALUE_FORMAT='FOO');",
               "Unknown format: FOO");
    exec_fails(e, "CREATE STREAM A (X INT) WITH (KAFKA_TOPIC='a');",
               "Statement is missing the 'VALUE_FORMAT' property");
    exec_ok(e, "CREATE STREAM IN1 (ID INT KEY, V STRING) WITH (KAFKA_TOPIC='in', "
               "VALUE_FORMAT='JSON');");
    exec_fails(e, "CREATE STREAM IN1 (ID INT KEY) WITH (KAFKA_TOPIC='in', VALUE_FORMAT='JSON');",
               "Cannot add stream 'IN1': A stream with the same name already exists");
    exec_fails(e, "CREATE STREAM OUT1 AS SELECT V FROM IN1;",
               "The query used to build `OUT1` must include the key column ID in its "
               "projection (eg, SELECT ID...).");
    exec_fails(e, "CREATE STREAM OUT1 AS SELECT ID FROM IN1;",
               "The projection contains no value columns.");
    exec_fails(e, "CREATE STREAM OUT1 AS SELECT * FROM NOPE;", "NOPE does not exist.");
    exec_fails(e, "CREATE STREAM OUT1 AS SELECT ID, NOPE FROM IN1;",
               "Column 'NOPE' cannot be resolved.");
    exec_fails(e, "CREATE STREAM OUT1 AS SELECT ID, V AS ROWTIME FROM IN1;",
               "`ROWTIME` is a reserved column name. You cannot use it as an alias for a "
               "column.");
    exec_fails(e, "CREATE STREAM OUT1 AS SELECT ID, V FROM IN1 WHERE V + 1;", "");
    exec_fails(e, "CREATE STREAM OUT1 AS SELECT FROM IN1;", "Syntax Error");
    /* Nothing half-created stays behind: the name is still free. */
    exec_ok(e, "CREATE STREAM OUT1 AS SELECT ID, V FROM IN1;");
    eddy_engine_destroy(e);
}
END_TEST

/* query-validation/partition-by.json "partition by with projection select all" and
 * "expression - select explicit": the partition expression becomes the key; with * the old
 * key moves to the end of the value. */
START_TEST(partition_by)
{
    eddy_engine *e = engine();
    exec_ok(e, "CREATE STREAM TEST (K STRING KEY, ID bigint, NAME varchar, VALUE bigint) with "
               "(kafka_topic='test_topic', value_format = 'delimited');");
    exec_ok(e, "CREATE STREAM REPARTITIONED AS select * from TEST partition by name;");
    produce(e, "test_topic", "\"1\"", "\"0,zero,50\"", 0);
    expect_records(e, "REPARTITIONED", "[{\"key\":\"zero\",\"value\":\"0,50,1\",\"timestamp\":0}]");

    exec_ok(e, "CREATE STREAM INPUT (ID INT KEY, NAME STRING) with (kafka_topic='input', "
               "value_format='JSON');");
    exec_ok(e, "CREATE STREAM OUTPUT AS select NAME, ID, ABS(ID) from INPUT partition by ABS(ID);");
    produce(e, "input", "-10", "{\"NAME\": \"bob\"}", 5);
    expect_records(e, "OUTPUT",
                   "[{\"key\":10,\"value\":{\"NAME\":\"bob\",\"ID\":-10},\"timestamp\":5}]");
    exec_fails(e, "CREATE STREAM O2 AS select NAME from INPUT partition by ABS(ID);",
               "must include the partitioning expression ABS(ID) in its projection");
    eddy_engine_destroy(e);
}
END_TEST

/* query-validation/count.json #0: COUNT() per key, every update emitted. */
START_TEST(group_by_count)
{
    eddy_engine *e = engine();
    exec_ok(e, "CREATE STREAM TEST (ID BIGINT KEY, NAME varchar, VALUE double) WITH "
               "(kafka_topic='test_topic', value_format='DELIMITED');");
    exec_fails(e, "CREATE STREAM S1 as SELECT id, count() FROM test group by id;",
               "Your SELECT query produces a TABLE. Please use CREATE TABLE AS SELECT");
    exec_ok(e, "CREATE TABLE S2 as SELECT id, count() FROM test group by id;");
    produce(e, "test_topic", "0", "\"zero,0.0\"", 0);
    produce(e, "test_topic", "0", "\"100,0.0\"", 0);
    produce(e, "test_topic", "100", "\"100,0.0\"", 0);
    expect_records(e, "S2", "[{\"key\":0,\"value\":\"1\",\"timestamp\":0},"
                            "{\"key\":0,\"value\":\"2\",\"timestamp\":0},"
                            "{\"key\":100,\"value\":\"1\",\"timestamp\":0}]");
    exec_fails(e, "CREATE TABLE S3 as SELECT id, name, count() FROM test group by id;",
               "Non-aggregate SELECT expression(s) not part of GROUP BY: NAME");
    eddy_engine_destroy(e);
}
END_TEST

/* query-validation/tumbling-windows.json #0: MAX per 30 s window with a 1 minute grace;
 * records whose window closed (stream time >= end + grace) are dropped. */
START_TEST(tumbling_window_max)
{
    eddy_engine *e = engine();
    exec_ok(e, "CREATE STREAM TEST (ID BIGINT KEY, VALUE bigint) WITH (kafka_topic='test_topic', "
               "value_format='DELIMITED');");
    exec_ok(e, "CREATE TABLE S2 as SELECT ID, max(value) FROM test WINDOW TUMBLING (SIZE 30 "
               "SECONDS, GRACE PERIOD 1 MINUTE) group by id;");
    static const struct { const char *k, *v; int64_t ts; } in[] = {
        {"0", "\"0\"", 0},      {"0", "\"1\"", 89999},     {"0", "\"5\"", 10009},
        {"0", "\"0\"", 90000},  {"0", "\"6\"", 10010},     {"1", "\"100\"", 10009},
        {"1", "\"101\"", 30000}, {"1", "\"200\"", 86412022}, {"1", "\"200\"", 60000}};
    for (size_t i = 0; i < sizeof in / sizeof in[0]; i++)
        produce(e, "test_topic", in[i].k, in[i].v, in[i].ts);
    expect_records(e, "S2",
        "[{\"key\":0,\"value\":\"0\",\"timestamp\":0,\"window\":{\"start\":0,\"end\":30000,\"type\":\"time\"}},"
        "{\"key\":0,\"value\":\"1\",\"timestamp\":89999,\"window\":{\"start\":60000,\"end\":90000,\"type\":\"time\"}},"
        "{\"key\":0,\"value\":\"5\",\"timestamp\":10009,\"window\":{\"start\":0,\"end\":30000,\"type\":\"time\"}},"
        "{\"key\":0,\"value\":\"0\",\"timestamp\":90000,\"window\":{\"start\":90000,\"end\":120000,\"type\":\"time\"}},"
        "{\"key\":1,\"value\":\"101\",\"timestamp\":30000,\"window\":{\"start\":30000,\"end\":60000,\"type\":\"time\"}},"
        "{\"key\":1,\"value\":\"200\",\"timestamp\":86412022,\"window\":{\"start\":86400000,\"end\":86430000,\"type\":\"time\"}}]");
    eddy_engine_destroy(e);
}
END_TEST

/* The seed's enrichment: ratings (a stream) LEFT JOIN customers (a table) on the user id.
 * Expected rows derived by hand: a rating meets the customer row current at its time; a
 * table update emits nothing; a rating with no customer gets NULLs (LEFT); the qualified
 * key item R.USER_ID is named R_USER_ID, unqualified columns keep their names. */
START_TEST(stream_table_join)
{
    eddy_engine *e = engine();
    exec_ok(e, "CREATE STREAM RATINGS (RATING_ID BIGINT KEY, USER_ID INT, STARS INT) WITH "
               "(KAFKA_TOPIC='ratings', VALUE_FORMAT='JSON');");
    exec_ok(e, "CREATE TABLE CUSTOMERS (ID INT PRIMARY KEY, FIRST_NAME STRING, CLUB_STATUS "
               "STRING) WITH (KAFKA_TOPIC='customers', VALUE_FORMAT='JSON');");
    exec_fails(e, "CREATE STREAM X AS SELECT R.USER_ID, STARS FROM RATINGS R JOIN CUSTOMERS C "
                  "ON R.STARS = C.FIRST_NAME;",
               "stream-table joins require to join on the table's primary key");
    exec_ok(e, "CREATE STREAM ENRICHED AS SELECT R.USER_ID, STARS, FIRST_NAME, C.CLUB_STATUS "
               "FROM RATINGS R LEFT JOIN CUSTOMERS C ON R.USER_ID = C.ID WHERE STARS < 3;");
    produce(e, "customers", "1", "{\"FIRST_NAME\": \"Rica\", \"CLUB_STATUS\": \"gold\"}", 10);
    produce(e, "ratings", "100", "{\"USER_ID\": 1, \"STARS\": 2}", 20);
    produce(e, "customers", "1", "{\"FIRST_NAME\": \"Rica\", \"CLUB_STATUS\": \"platinum\"}", 30);
    produce(e, "ratings", "101", "{\"USER_ID\": 1, \"STARS\": 1}", 40);
    produce(e, "ratings", "102", "{\"USER_ID\": 1, \"STARS\": 5}", 50);
    produce(e, "ratings", "103", "{\"USER_ID\": 7, \"STARS\": 1}", 60);
    expect_records(e, "ENRICHED",
        "[{\"key\":1,\"value\":{\"STARS\":2,\"FIRST_NAME\":\"Rica\",\"C_CLUB_STATUS\":\"gold\"},\"timestamp\":20},"
        "{\"key\":1,\"value\":{\"STARS\":1,\"FIRST_NAME\":\"Rica\",\"C_CLUB_STATUS\":\"platinum\"},\"timestamp\":40},"
        "{\"key\":7,\"value\":{\"STARS\":1,\"FIRST_NAME\":null,\"C_CLUB_STATUS\":null},\"timestamp\":60}]");
    eddy_engine_destroy(e);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("engine");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, project_and_filter_delimited);
    tcase_add_test(tc, json_values_int_key_and_chained_queries);
    tcase_add_test(tc, statement_errors);
    tcase_add_test(tc, partition_by);
    tcase_add_test(tc, group_by_count);
    tcase_add_test(tc, tumbling_window_max);
    tcase_add_test(tc, stream_table_join);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return eddy_test_run(suite());
}
