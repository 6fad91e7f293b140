/* check_engine.c: the SQL engine: statements, stateless persistent queries over in-memory
 * topics, record conversion between the test cases' JSON and topic bytes, error messages,
 * DESCRIBE FUNCTION and SHOW | LIST FUNCTIONS (built-ins and a loaded Lua UDF). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sql/engine.h"
#include "testutil.h"
#include "udf_path.h"

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
    /* row-offset-and-partition.json: pseudo-column names cannot be declared; `rowtime`
     * quoted in lower case is another name */
    exec_fails(e, "CREATE STREAM A (K INT KEY, ROWPARTITION STRING) WITH (KAFKA_TOPIC='a', "
                  "VALUE_FORMAT='JSON');",
               "'ROWPARTITION' is a reserved column name. You cannot use it as a name for a "
               "column.");
    exec_fails(e, "CREATE TABLE T (windowstart INT PRIMARY KEY, X INT) WITH (KAFKA_TOPIC='t', "
                  "VALUE_FORMAT='JSON');",
               "'WINDOWSTART' is a reserved column name. You cannot use it as a name for a "
               "column.");
    exec_ok(e, "CREATE STREAM LOWER_RT (K INT KEY, `rowtime` BIGINT) WITH (KAFKA_TOPIC='lr', "
               "VALUE_FORMAT='JSON');");
    exec_fails(e, "CREATE STREAM A (X INT) WITH (KAFKA_TOPIC='a', VALUE_FORMAT='FOO');",
               "Unknown format: FOO");
    exec_fails(e, "CREATE STREAM A (X INT) WITH (KAFKA_TOPIC='a');",
               "Statement is missing the 'VALUE_FORMAT' property");
    exec_ok(e, "CREATE STREAM IN1 (ID INT KEY, V STRING) WITH (KAFKA_TOPIC='in', "
               "VALUE_FORMAT='JSON');");
    exec_fails(e, "CREATE STREAM IN1 (ID INT KEY) WITH (KAFKA_TOPIC='in', VALUE_FORMAT='JSON');",
               "Cannot add stream 'IN1': A stream with the same name already exists");
    /* source-stream.json #3/#4: a source stream (read-only) is neither replaced nor a
     * replacement; a plain stream is */
    exec_ok(e, "CREATE SOURCE STREAM SRC1 (ID INT KEY, V STRING) WITH (KAFKA_TOPIC='s1', "
               "VALUE_FORMAT='JSON');");
    exec_fails(e, "CREATE OR REPLACE STREAM SRC1 (ID INT KEY, V STRING) WITH "
                  "(KAFKA_TOPIC='s1', VALUE_FORMAT='JSON');",
               "Cannot add stream 'SRC1': CREATE OR REPLACE is not supported on source "
               "streams.");
    exec_fails(e, "CREATE OR REPLACE SOURCE STREAM IN1 (ID INT KEY, V STRING) WITH "
                  "(KAFKA_TOPIC='in', VALUE_FORMAT='JSON');",
               "Cannot add stream 'IN1': CREATE OR REPLACE is not supported on source "
               "streams.");
    exec_ok(e, "CREATE OR REPLACE STREAM IN1 (ID INT KEY, V STRING) WITH (KAFKA_TOPIC='in', "
               "VALUE_FORMAT='JSON');");
    /* multi-col-keys.json #11: with one key column missing, all are listed */
    exec_ok(e, "CREATE STREAM MK (K1 INT KEY, K2 INT KEY, V INT) WITH (KAFKA_TOPIC='mk', "
               "FORMAT='JSON');");
    exec_fails(e, "CREATE STREAM MK2 AS SELECT K1, V FROM MK;",
               "The query used to build `MK2` must include the key columns K1 and K2 in its "
               "projection (eg, SELECT K1, K2...).");
    /* drop_source.json #1; DROP names the kind it expects */
    exec_fails(e, "DROP STREAM NOPE;", "Stream NOPE does not exist.");
    exec_fails(e, "DROP TABLE NOPE;", "Table NOPE does not exist.");
    exec_ok(e, "DROP TABLE IF EXISTS NOPE;");
    exec_fails(e, "DROP TABLE IN1;",
               "Incompatible data source type is STREAM, but statement was DROP TABLE");
    exec_fails(e, "CREATE STREAM OUT1 AS SELECT V FROM IN1;",
               "The query used to build `OUT1` must include the key column ID in its "
               "projection (eg, SELECT ID...).");
    exec_fails(e, "CREATE STREAM OUT1 AS SELECT ID FROM IN1;",
               "The projection contains no value columns.");
    exec_fails(e, "CREATE STREAM OUT1 AS SELECT * FROM NOPE;", "NOPE does not exist.");
    exec_fails(e, "CREATE STREAM OUT1 AS SELECT ID, NOPE FROM IN1;",
               "SELECT column 'NOPE' cannot be resolved."); /* as select.json #5 words it */
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
    exec_fails(e, "CREATE STREAM O4 AS select ID, NAME AS N2 from INPUT partition by N2;",
               "PARTITION BY column 'N2' cannot be resolved. 'N2' must be a column in the "
               "source schema since PARTITION BY is applied on the input.");
    exec_fails(e, "CREATE STREAM O3 AS select ID, NAME from INPUT partition by ();",
               "PARTITION BY requires at least one expression"); /* partition-by.json #52 */
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
    /* group-by.json #80 and #46 */
    exec_fails(e, "CREATE TABLE S6 as SELECT count() FROM test group by 1 + SUM(value);",
               "GROUP BY does not support aggregate functions: SUM is an aggregate function.");
    exec_fails(e, "CREATE TABLE S6 as SELECT count() FROM test group by name, test.name;",
               "Duplicate GROUP BY expression: TEST.NAME");
    /* suppress.json #11; a windowed EMIT FINAL is refused until it is built, not run as
     * EMIT CHANGES */
    exec_fails(e, "CREATE TABLE S5 as SELECT id, count() FROM test group by id EMIT FINAL;",
               "EMIT FINAL is only supported for windowed aggregations.");
    exec_fails(e, "CREATE TABLE S5 as SELECT id, count() FROM test WINDOW TUMBLING (SIZE 1 "
                  "MINUTE) group by id EMIT FINAL;",
               "EMIT FINAL is not supported yet");
    exec_fails(e, "CREATE TABLE S3 as SELECT id, name, count() FROM test group by id;",
               "Non-aggregate SELECT expression(s) not part of GROUP BY: NAME\nEither add the "
               "column(s) to the GROUP BY or remove them from the SELECT.");
    /* group-by.json #68: every offending item is listed, in SELECT order, as written */
    exec_fails(e, "CREATE TABLE S4 as SELECT id, UCASE(name), value, count() FROM test "
                  "group by id;",
               "Non-aggregate SELECT expression(s) not part of GROUP BY: UCASE(NAME), VALUE\n");
    eddy_engine_destroy(e);
}
END_TEST

/* select-struct-all.json: `expr->*` selects every field of a struct (column or nested
 * field) as a column named after it; what is not a struct is refused. */
START_TEST(struct_star)
{
    eddy_engine *e = engine();
    exec_ok(e, "CREATE STREAM I (K INT KEY, V STRUCT<A INT, B STRUCT<C STRING>>, N INT) WITH "
               "(kafka_topic='i', value_format='JSON');");
    exec_ok(e, "CREATE STREAM O1 AS SELECT K, V->*, V->B->* FROM I;");
    exec_fails(e, "CREATE STREAM O2 AS SELECT K, N->* FROM I;", "N->* needs a STRUCT");
    exec_fails(e, "CREATE STREAM O3 AS SELECT K, V->* FROM I PARTITION BY N;",
               "a struct's fields (`->*`) with PARTITION BY are not supported yet");
    produce(e, "i", "1", "{\"V\": {\"A\": 7, \"B\": {\"C\": \"x\"}}, \"N\": 1}", 1);
    expect_records(e, "O1", "[{\"key\":1,\"value\":{\"A\":7,\"B\":{\"C\":\"x\"},"
                            "\"C\":\"x\"},\"timestamp\":1}]");
    eddy_engine_destroy(e);
}
END_TEST

/* null.json #1: a stream's null value passes a projection as a null row but no WHERE, even
 * one that holds for NULL columns. */
START_TEST(stream_null_value_where)
{
    eddy_engine *e = engine();
    exec_ok(e, "CREATE STREAM I (ID INT KEY, NAME STRING) WITH (kafka_topic='i', "
               "value_format='JSON');");
    exec_ok(e, "CREATE STREAM W AS SELECT * FROM I WHERE NAME IS NULL;");
    exec_ok(e, "CREATE STREAM P AS SELECT * FROM I;");
    produce(e, "i", "1", NULL, 1);
    produce(e, "i", "2", "{\"NAME\": null}", 2);
    expect_records(e, "W", "[{\"key\":2,\"value\":{\"NAME\":null},\"timestamp\":2}]");
    expect_records(e, "P", "[{\"key\":1,\"value\":null,\"timestamp\":1},"
                           "{\"key\":2,\"value\":{\"NAME\":null},\"timestamp\":2}]");
    eddy_engine_destroy(e);
}
END_TEST

/* An aggregate over a table: an update that moves a row to another group emits both groups
 * (the old one first, count.json #2: bob 1, bob 0, john 1), one that keeps it in its group
 * emits that group once, after both the undo and the add (collect-list.json #8: [0] then
 * [100], never the intermediate []); a delete emits its group without the row. */
START_TEST(table_aggregate_updates)
{
    eddy_engine *e = engine();
    exec_ok(e, "CREATE TABLE T (ID BIGINT PRIMARY KEY, NAME STRING, V INT) WITH "
               "(kafka_topic='t', value_format='JSON');");
    exec_ok(e, "CREATE TABLE BY_NAME AS SELECT NAME, COUNT(*) AS C, COLLECT_LIST(V) AS L FROM T "
               "GROUP BY NAME;");
    produce(e, "t", "0", "{\"NAME\": \"bob\", \"V\": 0}", 1);
    produce(e, "t", "0", "{\"NAME\": \"bob\", \"V\": 100}", 2);
    produce(e, "t", "0", "{\"NAME\": \"john\", \"V\": 7}", 3);
    produce(e, "t", "0", NULL, 4);
    expect_records(e, "BY_NAME",
                   "[{\"key\":\"bob\",\"value\":{\"C\":1,\"L\":[0]},\"timestamp\":1},"
                   "{\"key\":\"bob\",\"value\":{\"C\":1,\"L\":[100]},\"timestamp\":2},"
                   "{\"key\":\"bob\",\"value\":{\"C\":0,\"L\":[]},\"timestamp\":3},"
                   "{\"key\":\"john\",\"value\":{\"C\":1,\"L\":[7]},\"timestamp\":3},"
                   "{\"key\":\"john\",\"value\":{\"C\":0,\"L\":[]},\"timestamp\":4}]");
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
 * table update emits nothing; a rating with no customer gets NULLs (LEFT); a qualified
 * column keeps its name unless both sources have one so named (ksqlDB, as joins.json #23
 * `tt.f1` -> F1 and #0 `t.id` -> T_ID show). */
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
        "[{\"key\":1,\"value\":{\"STARS\":2,\"FIRST_NAME\":\"Rica\",\"CLUB_STATUS\":\"gold\"},\"timestamp\":20},"
        "{\"key\":1,\"value\":{\"STARS\":1,\"FIRST_NAME\":\"Rica\",\"CLUB_STATUS\":\"platinum\"},\"timestamp\":40},"
        "{\"key\":7,\"value\":{\"STARS\":1,\"FIRST_NAME\":null,\"CLUB_STATUS\":null},\"timestamp\":60}]");
    eddy_engine_destroy(e);
}
END_TEST

/* query-validation/joins.json #12 "stream stream left join" (JSON): without a GRACE PERIOD
 * (Kafka Streams' JoinWindows.of) an unmatched left record comes out at once with NULLs;
 * matches come out at the later timestamp. */
START_TEST(stream_stream_left_join)
{
    eddy_engine *e = engine();
    exec_ok(e, "CREATE STREAM TEST (ID BIGINT KEY, NAME varchar, VALUE bigint) WITH "
               "(kafka_topic='left_topic', value_format='JSON');");
    exec_ok(e, "CREATE STREAM TEST_STREAM (ID BIGINT KEY, F1 varchar, F2 bigint) WITH "
               "(kafka_topic='right_topic', value_format='JSON');");
    exec_ok(e, "CREATE STREAM OUTPUT as SELECT t.id, name, value, f1, f2 FROM test t left join "
               "TEST_STREAM tt WITHIN 11 seconds ON t.id = tt.id;");
    produce(e, "left_topic", "0", "{\"NAME\": \"zero\", \"VALUE\": 0}", 0);
    produce(e, "right_topic", "0", "{\"F1\": \"blah\", \"F2\": 50}", 10000);
    produce(e, "left_topic", "10", "{\"NAME\": \"100\", \"VALUE\": 5}", 11000);
    produce(e, "left_topic", "0", "{\"NAME\": \"foo\", \"VALUE\": 100}", 13000);
    produce(e, "right_topic", "0", "{\"F1\": \"a\", \"F2\": 10}", 15000);
    produce(e, "right_topic", "100", "{\"F1\": \"newblah\", \"F2\": 150}", 16000);
    produce(e, "left_topic", "90", "{\"NAME\": \"ninety\", \"VALUE\": 90}", 17000);
    produce(e, "left_topic", "0", "{\"NAME\": \"bar\", \"VALUE\": 99}", 30000);
    expect_records(e, "OUTPUT",
        "[{\"key\":0,\"value\":{\"NAME\":\"zero\",\"VALUE\":0,\"F1\":null,\"F2\":null},\"timestamp\":0},"
        "{\"key\":0,\"value\":{\"NAME\":\"zero\",\"VALUE\":0,\"F1\":\"blah\",\"F2\":50},\"timestamp\":10000},"
        "{\"key\":10,\"value\":{\"NAME\":\"100\",\"VALUE\":5,\"F1\":null,\"F2\":null},\"timestamp\":11000},"
        "{\"key\":0,\"value\":{\"NAME\":\"foo\",\"VALUE\":100,\"F1\":\"blah\",\"F2\":50},\"timestamp\":13000},"
        "{\"key\":0,\"value\":{\"NAME\":\"foo\",\"VALUE\":100,\"F1\":\"a\",\"F2\":10},\"timestamp\":15000},"
        "{\"key\":90,\"value\":{\"NAME\":\"ninety\",\"VALUE\":90,\"F1\":null,\"F2\":null},\"timestamp\":17000},"
        "{\"key\":0,\"value\":{\"NAME\":\"bar\",\"VALUE\":99,\"F1\":null,\"F2\":null},\"timestamp\":30000}]");
    eddy_engine_destroy(e);
}
END_TEST

/* query-validation/joins.json #28 "stream stream inner join with out of order messages": a
 * late record still joins the buffered records of its window. */
START_TEST(stream_stream_inner_join_out_of_order)
{
    eddy_engine *e = engine();
    exec_ok(e, "CREATE STREAM TEST (ID BIGINT KEY, NAME varchar, VALUE bigint) WITH "
               "(kafka_topic='left_topic', value_format='JSON');");
    exec_ok(e, "CREATE STREAM TEST_STREAM (ID BIGINT KEY, F1 varchar, F2 bigint) WITH "
               "(kafka_topic='right_topic', value_format='JSON');");
    exec_ok(e, "CREATE STREAM INNER_JOIN as SELECT t.id, name, value, f1, f2 FROM test t join "
               "TEST_STREAM tt WITHIN 10 seconds on t.id = tt.id;");
    produce(e, "left_topic", "0", "{\"NAME\": \"zero\", \"VALUE\": 0}", 0);
    produce(e, "right_topic", "0", "{\"F1\": \"blah\", \"F2\": 50}", 9999);
    produce(e, "left_topic", "10", "{\"NAME\": \"100\", \"VALUE\": 5}", 11000);
    produce(e, "left_topic", "0", "{\"NAME\": \"foo\", \"VALUE\": 100}", 13000);
    produce(e, "right_topic", "0", "{\"F1\": \"a\", \"F2\": 10}", 15000);
    produce(e, "right_topic", "100", "{\"F1\": \"newblah\", \"F2\": 150}", 16000);
    produce(e, "left_topic", "90", "{\"NAME\": \"ninety\", \"VALUE\": 90}", 17000);
    produce(e, "left_topic", "0", "{\"NAME\": \"bar\", \"VALUE\": 99}", 30000);
    produce(e, "left_topic", "0", "{\"NAME\": \"late-message\", \"VALUE\": 10000}", 6000);
    expect_records(e, "INNER_JOIN",
        "[{\"key\":0,\"value\":{\"NAME\":\"zero\",\"VALUE\":0,\"F1\":\"blah\",\"F2\":50},\"timestamp\":9999},"
        "{\"key\":0,\"value\":{\"NAME\":\"foo\",\"VALUE\":100,\"F1\":\"blah\",\"F2\":50},\"timestamp\":13000},"
        "{\"key\":0,\"value\":{\"NAME\":\"foo\",\"VALUE\":100,\"F1\":\"a\",\"F2\":10},\"timestamp\":15000},"
        "{\"key\":0,\"value\":{\"NAME\":\"late-message\",\"VALUE\":10000,\"F1\":\"blah\",\"F2\":50},\"timestamp\":9999},"
        "{\"key\":0,\"value\":{\"NAME\":\"late-message\",\"VALUE\":10000,\"F1\":\"a\",\"F2\":10},\"timestamp\":15000}]");
    eddy_engine_destroy(e);
}
END_TEST

/* query-validation/joins.json #30 "stream stream full outer join with out of order and custom
 * grace period": with a GRACE PERIOD an unmatched record waits for its window to close; a
 * record whose window closed already comes out with NULLs at once and is not buffered, so
 * the late pairs (2, 3) never meet. ROWKEY is the synthetic key of a FULL OUTER join. */
START_TEST(stream_stream_full_join_grace)
{
    eddy_engine *e = engine();
    exec_ok(e, "CREATE STREAM LEFT_STREAM (id BIGINT KEY, l1 VARCHAR) WITH "
               "(kafka_topic='left_topic', value_format='JSON');");
    exec_ok(e, "CREATE STREAM RIGHT_STREAM (id BIGINT KEY, l2 VARCHAR) WITH "
               "(kafka_topic='right_topic', value_format='JSON');");
    exec_ok(e, "CREATE STREAM OUTER_JOIN as SELECT ROWKEY as ID, t.id, tt.id, l1, l2 FROM "
               "LEFT_STREAM t full outer join RIGHT_STREAM tt WITHIN 1 minute GRACE PERIOD 1 "
               "minute on t.id = tt.id;");
    produce(e, "left_topic", "0", "{\"L1\": \"A\"}", 0);
    produce(e, "right_topic", "0", "{\"L2\": \"a\"}", 60000);
    produce(e, "right_topic", "1", "{\"L2\": \"b\"}", 330000);
    produce(e, "right_topic", "2", "{\"L2\": \"c\"}", 90000);
    produce(e, "left_topic", "2", "{\"L1\": \"C\"}", 90000);
    produce(e, "right_topic", "3", "{\"L2\": \"d\"}", 60000);
    produce(e, "left_topic", "3", "{\"L1\": \"D\"}", 60000);
    expect_records(e, "OUTER_JOIN",
        "[{\"key\":0,\"value\":{\"T_ID\":0,\"TT_ID\":0,\"L1\":\"A\",\"L2\":\"a\"},\"timestamp\":60000},"
        "{\"key\":2,\"value\":{\"T_ID\":null,\"TT_ID\":2,\"L1\":null,\"L2\":\"c\"},\"timestamp\":90000},"
        "{\"key\":2,\"value\":{\"T_ID\":2,\"TT_ID\":null,\"L1\":\"C\",\"L2\":null},\"timestamp\":90000},"
        "{\"key\":3,\"value\":{\"T_ID\":null,\"TT_ID\":3,\"L1\":null,\"L2\":\"d\"},\"timestamp\":60000},"
        "{\"key\":3,\"value\":{\"T_ID\":3,\"TT_ID\":null,\"L1\":\"D\",\"L2\":null},\"timestamp\":60000}]");
    eddy_engine_destroy(e);
}
END_TEST

/* Hand-derived: a long stream-stream join whose buffers are compacted as records pass the
 * retention (window + grace): left i at 1000 i and right i at 1000 i + 500 (WITHIN 1 SECOND)
 * meet left i and left i + 1, so 2n - 1 rows for n of each. */
START_TEST(stream_stream_join_compaction)
{
    eddy_engine *e = engine();
    exec_ok(e, "CREATE STREAM A (ID INT KEY, X INT) WITH (kafka_topic='a', value_format='JSON');");
    exec_ok(e, "CREATE STREAM B (ID INT KEY, Y INT) WITH (kafka_topic='b', value_format='JSON');");
    /* elements.json #38: a qualified column aliased to a reserved name */
    exec_fails(e, "CREATE STREAM J0 AS SELECT A.ID, A.ROWTIME AS ROWTIME, X FROM A JOIN B "
                  "WITHIN 1 SECOND ON A.ID = B.ID;",
               "Reserved column name in select: `ROWTIME`. Please remove or alias the column.");
    exec_ok(e, "CREATE STREAM J AS SELECT A.ID, X, Y FROM A JOIN B WITHIN 1 SECOND GRACE PERIOD "
               "0 SECONDS ON A.ID = B.ID;");
    enum { N = 1000 };
    for (int i = 0; i < N; i++) {
        char v[32];
        snprintf(v, sizeof v, "{\"X\": %d}", i);
        produce(e, "a", "1", v, (int64_t)i * 1000);
        snprintf(v, sizeof v, "{\"Y\": %d}", i);
        produce(e, "b", "1", v, (int64_t)i * 1000 + 500);
    }
    eddy_buf b = {0};
    ck_assert_int_eq(eddy_engine_topic_records(e, "J", &b), 0);
    int n = 0;
    for (const char *p = eddy_buf_cstr(&b); (p = strstr(p, "\"key\"")); p++)
        n++;
    ck_assert_int_eq(n, 2 * N - 1);
    ck_assert_ptr_nonnull(strstr(eddy_buf_cstr(&b),
                                 "{\"key\":1,\"value\":{\"X\":999,\"Y\":999},\"timestamp\":999500}"));
    eddy_buf_free(&b);
    eddy_engine_destroy(e);
}
END_TEST

/* query-validation/joins.json #34 "table table outer join" (JSON): each update of either
 * table emits the joined row of its key, NULLs for a side without a row. */
START_TEST(table_table_full_join)
{
    eddy_engine *e = engine();
    exec_ok(e, "CREATE TABLE TEST (id BIGINT PRIMARY KEY, name VARCHAR, value BIGINT) WITH "
               "(kafka_topic='left_topic', value_format='JSON');");
    exec_ok(e, "CREATE TABLE TEST_TABLE (id BIGINT PRIMARY KEY, f1 VARCHAR, f2 BIGINT) WITH "
               "(kafka_topic='right_topic', value_format='JSON');");
    exec_ok(e, "CREATE TABLE OUTER_JOIN as SELECT ROWKEY AS ID, name, value, f1, f2 FROM test t "
               "FULL OUTER join TEST_TABLE tt on t.id = tt.id;");
    produce(e, "left_topic", "0", "{\"NAME\": \"zero\", \"VALUE\": 0}", 0);
    produce(e, "right_topic", "0", "{\"F1\": \"blah\", \"F2\": 50}", 10000);
    produce(e, "left_topic", "10", "{\"NAME\": \"100\", \"VALUE\": 5}", 11000);
    produce(e, "right_topic", "15", "{\"F1\": \"c\", \"F2\": 20}", 15500);
    expect_records(e, "OUTER_JOIN",
        "[{\"key\":0,\"value\":{\"NAME\":\"zero\",\"VALUE\":0,\"F1\":null,\"F2\":null},\"timestamp\":0},"
        "{\"key\":0,\"value\":{\"NAME\":\"zero\",\"VALUE\":0,\"F1\":\"blah\",\"F2\":50},\"timestamp\":10000},"
        "{\"key\":10,\"value\":{\"NAME\":\"100\",\"VALUE\":5,\"F1\":null,\"F2\":null},\"timestamp\":11000},"
        "{\"key\":15,\"value\":{\"NAME\":null,\"VALUE\":null,\"F1\":\"c\",\"F2\":20},\"timestamp\":15500}]");
    eddy_engine_destroy(e);
}
END_TEST

/* Hand-derived from Kafka Streams' KTableKTableInnerJoin (table-table-join.json has no delete
 * case): a delete on one side of a matched key emits a tombstone; an update without a
 * partner emits nothing. */
START_TEST(table_table_inner_join_delete)
{
    eddy_engine *e = engine();
    exec_ok(e, "CREATE TABLE A (ID INT PRIMARY KEY, X INT) WITH (kafka_topic='a', "
               "value_format='JSON');");
    exec_ok(e, "CREATE TABLE B (ID INT PRIMARY KEY, Y INT) WITH (kafka_topic='b', "
               "value_format='JSON');");
    exec_ok(e, "CREATE TABLE J AS SELECT A.ID, X, Y FROM A JOIN B ON A.ID = B.ID;");
    produce(e, "a", "1", "{\"X\": 1}", 10);
    produce(e, "b", "1", "{\"Y\": 2}", 20);
    produce(e, "a", "1", NULL, 30);
    produce(e, "b", "2", "{\"Y\": 3}", 40);
    expect_records(e, "J",
        "[{\"key\":1,\"value\":{\"X\":1,\"Y\":2},\"timestamp\":20},"
        "{\"key\":1,\"value\":null,\"timestamp\":30}]");
    eddy_engine_destroy(e);
}
END_TEST

/* query-validation/fk-join.json #6 "Should support left join with left value-column
 * expression": a foreign-key join is keyed by the left table's primary key; a right update
 * reaches every left row pointing at it (a delete leaves them with NULLs: LEFT). */
START_TEST(foreign_key_left_join)
{
    eddy_engine *e = engine();
    exec_ok(e, "CREATE TABLE left_table (l_id BIGINT PRIMARY KEY, name VARCHAR, foreign_key "
               "BIGINT) WITH (kafka_topic='left_topic', value_format='JSON');");
    exec_ok(e, "CREATE TABLE right_table (r_id BIGINT PRIMARY KEY, f1 VARCHAR, f2 BIGINT) WITH "
               "(kafka_topic='right_topic', value_format='JSON');");
    exec_ok(e, "CREATE TABLE output AS SELECT l_id, r_id, name, f1 FROM left_table LEFT JOIN "
               "right_table ON foreign_key = r_id;");
    produce(e, "left_topic", "1", "{\"NAME\": \"zero\", \"FOREIGN_KEY\": 0}", 0);
    produce(e, "right_topic", "0", "{\"F1\": \"blah\", \"F2\": 4}", 10000);
    produce(e, "left_topic", "1", "{\"NAME\": \"zero\", \"FOREIGN_KEY\": 0}", 11000);
    produce(e, "left_topic", "0", "{\"NAME\": \"foo\", \"FOREIGN_KEY\": 100}", 13000);
    produce(e, "right_topic", "0", "{\"F1\": \"a\", \"F2\": 10}", 15000);
    produce(e, "left_topic", "10", "{\"NAME\": \"bar\", \"FOREIGN_KEY\": 0}", 16000);
    produce(e, "right_topic", "0", NULL, 17000);
    produce(e, "left_topic", "1", NULL, 18000);
    produce(e, "left_topic", "0", NULL, 19000);
    expect_records(e, "OUTPUT",
        "[{\"key\":1,\"value\":{\"R_ID\":null,\"NAME\":\"zero\",\"F1\":null},\"timestamp\":0},"
        "{\"key\":1,\"value\":{\"R_ID\":0,\"NAME\":\"zero\",\"F1\":\"blah\"},\"timestamp\":10000},"
        "{\"key\":1,\"value\":{\"R_ID\":0,\"NAME\":\"zero\",\"F1\":\"blah\"},\"timestamp\":11000},"
        "{\"key\":0,\"value\":{\"R_ID\":null,\"NAME\":\"foo\",\"F1\":null},\"timestamp\":13000},"
        "{\"key\":1,\"value\":{\"R_ID\":0,\"NAME\":\"zero\",\"F1\":\"a\"},\"timestamp\":15000},"
        "{\"key\":10,\"value\":{\"R_ID\":0,\"NAME\":\"bar\",\"F1\":\"a\"},\"timestamp\":16000},"
        "{\"key\":1,\"value\":{\"R_ID\":null,\"NAME\":\"zero\",\"F1\":null},\"timestamp\":17000},"
        "{\"key\":10,\"value\":{\"R_ID\":null,\"NAME\":\"bar\",\"F1\":null},\"timestamp\":17000},"
        "{\"key\":1,\"value\":null,\"timestamp\":18000},"
        "{\"key\":0,\"value\":null,\"timestamp\":19000}]");
    eddy_engine_destroy(e);
}
END_TEST

/* query-validation/multi-joins.json #27 "stream-stream-stream - outer-outer": an n-way join is
 * a chain of two-input joins; FULL OUTER joins are keyed by the synthetic ROWKEY. */
START_TEST(n_way_full_outer_join)
{
    eddy_engine *e = engine();
    exec_ok(e, "CREATE STREAM S1 (ID INT KEY, V0 bigint) WITH (kafka_topic='left', "
               "value_format='JSON');");
    exec_ok(e, "CREATE STREAM S2 (ID INT KEY, V0 bigint) WITH (kafka_topic='right', "
               "value_format='JSON');");
    exec_ok(e, "CREATE STREAM S3 (ID INT KEY, V0 bigint) WITH (kafka_topic='right2', "
               "value_format='JSON');");
    exec_ok(e, "CREATE STREAM OUTPUT as SELECT ROWKEY, s1.V0, s2.V0, s3.V0 FROM S1 FULL OUTER "
               "JOIN S2 WITHIN 5 seconds ON S1.ID = S2.ID FULL OUTER JOIN S3 WITHIN 10 seconds "
               "ON S1.ID = S3.ID;");
    produce(e, "left", "0", "{\"V0\": 1}", 0);
    produce(e, "right", "0", "{\"V0\": 2}", 1);
    produce(e, "right2", "0", "{\"V0\": 3}", 2);
    produce(e, "left", "0", "{\"V0\": 4}", 3);
    expect_records(e, "OUTPUT",
        "[{\"key\":0,\"value\":{\"S1_V0\":1,\"S2_V0\":null,\"S3_V0\":null},\"timestamp\":0},"
        "{\"key\":0,\"value\":{\"S1_V0\":1,\"S2_V0\":2,\"S3_V0\":null},\"timestamp\":1},"
        "{\"key\":0,\"value\":{\"S1_V0\":1,\"S2_V0\":null,\"S3_V0\":3},\"timestamp\":2},"
        "{\"key\":0,\"value\":{\"S1_V0\":1,\"S2_V0\":2,\"S3_V0\":3},\"timestamp\":2},"
        "{\"key\":0,\"value\":{\"S1_V0\":4,\"S2_V0\":2,\"S3_V0\":3},\"timestamp\":3}]");
    exec_fails(e, "CREATE STREAM X AS SELECT * FROM S1 JOIN S2 WITHIN 1 SECOND ON S1.ID = S2.ID "
                  "JOIN S2 WITHIN 1 SECOND ON S1.V0 = S2.V0;",
               "N-way joins do not support multiple occurrences of the same source. Source: "
               "'S2'");
    eddy_engine_destroy(e);
}
END_TEST

/* Key rules of joins.json #5, #8, #11 and the stream-stream WITHIN rule. */
START_TEST(join_key_errors)
{
    eddy_engine *e = engine();
    exec_ok(e, "CREATE STREAM L (A INT KEY, B INT, C INT) WITH (kafka_topic='LEFT', "
               "value_format='JSON');");
    exec_ok(e, "CREATE STREAM R (A INT KEY, B INT, C INT) WITH (kafka_topic='RIGHT', "
               "value_format='JSON');");
    exec_fails(e, "CREATE STREAM OUTPUT AS SELECT l.*, r.* FROM L INNER JOIN R WITHIN 10 SECONDS "
                  "ON ABS(L.A) = ABS(R.A);",
               "Key missing from projection (ie, SELECT). See https://cnfl.io/2LV7ouS.\nThe "
               "query used to build `OUTPUT` must include the join expression ROWKEY in its "
               "projection (eg, SELECT ROWKEY...).\nROWKEY was added as a synthetic key column "
               "because the join criteria did not match any source column. This expression "
               "must be included in the projection and may be aliased.");
    exec_fails(e, "CREATE STREAM OUTPUT AS SELECT l.B, l.C, r.B, r.C FROM L LEFT JOIN R WITHIN "
                  "10 SECONDS ON L.A = R.A;",
               "The query used to build `OUTPUT` must include the join expressions L.A or R.A "
               "in its projection (eg, SELECT L.A...).");
    exec_fails(e, "CREATE STREAM OUTPUT AS SELECT l.A, l.A AS KEY2, l.C, R.C FROM L JOIN R "
                  "WITHIN 10 SECONDS ON L.A = R.A;",
               "The projection contains a key column (`L_A`) more than once, aliased as: KEY2 "
               "and L_A.");
    exec_fails(e, "CREATE STREAM OUTPUT AS SELECT * FROM L JOIN R ON L.A = R.A;",
               "Stream-Stream joins must have a WITHIN clause specified.");
    eddy_engine_destroy(e);
}
END_TEST

/* table-functions.md: several table functions are zipped (the shorter padded with NULL),
 * other items repeated; every row keeps its input's key and timestamp; an empty or NULL
 * array gives no row; WHERE applies before the flat map, PARTITION BY to the input's
 * columns. Expected rows worked out from the doc's country_customers example. */
START_TEST(table_functions)
{
    eddy_engine *e = engine();
    exec_ok(e, "CREATE STREAM B (COUNTRY STRING KEY, NAMES ARRAY<STRING>, AGES ARRAY<INT>) "
               "WITH (kafka_topic='b', value_format='JSON');");
    exec_ok(e, "CREATE STREAM C AS SELECT COUNTRY, EXPLODE(NAMES) AS NAME, EXPLODE(AGES) AS AGE, "
               "ABS(-1) FROM B WHERE COUNTRY <> 'FR';");
    produce(e, "b", "\"UK\"", "{\"NAMES\": [\"john\", \"paul\"], \"AGES\": [23]}", 10);
    produce(e, "b", "\"FR\"", "{\"NAMES\": [\"jean\"], \"AGES\": [1]}", 20);
    produce(e, "b", "\"US\"", "{\"NAMES\": [], \"AGES\": null}", 30);
    produce(e, "b", "\"DE\"", "{\"NAMES\": null, \"AGES\": [5, 6]}", 40);
    expect_records(e, "C",
                   "[{\"key\":\"UK\",\"value\":{\"NAME\":\"john\",\"AGE\":23,\"KSQL_COL_0\":1},"
                   "\"timestamp\":10},"
                   "{\"key\":\"UK\",\"value\":{\"NAME\":\"paul\",\"AGE\":null,\"KSQL_COL_0\":1},"
                   "\"timestamp\":10},"
                   "{\"key\":\"DE\",\"value\":{\"NAME\":null,\"AGE\":5,\"KSQL_COL_0\":1},"
                   "\"timestamp\":40},"
                   "{\"key\":\"DE\",\"value\":{\"NAME\":null,\"AGE\":6,\"KSQL_COL_0\":1},"
                   "\"timestamp\":40}]");
    exec_ok(e, "CREATE STREAM P AS SELECT EXPLODE(AGES) + 1 AS A1, COUNTRY FROM B "
               "PARTITION BY COUNTRY;");
    produce(e, "b", "\"IT\"", "{\"NAMES\": null, \"AGES\": [7, 8]}", 50);
    /* the query reads the topic from its start (earliest, as ksqlDB's test driver) */
    expect_records(e, "P",
                   "[{\"key\":\"UK\",\"value\":{\"A1\":24},\"timestamp\":10},"
                   "{\"key\":\"FR\",\"value\":{\"A1\":2},\"timestamp\":20},"
                   "{\"key\":\"DE\",\"value\":{\"A1\":6},\"timestamp\":40},"
                   "{\"key\":\"DE\",\"value\":{\"A1\":7},\"timestamp\":40},"
                   "{\"key\":\"IT\",\"value\":{\"A1\":8},\"timestamp\":50},"
                   "{\"key\":\"IT\",\"value\":{\"A1\":9},\"timestamp\":50}]");
    exec_fails(e, "CREATE TABLE X AS SELECT COUNTRY, COUNT(*), EXPLODE(AGES) FROM B "
                  "GROUP BY COUNTRY;", "Table functions cannot be used with aggregations.");
    exec_fails(e, "CREATE STREAM X AS SELECT COUNTRY, NAMES FROM B WHERE EXPLODE(AGES) = 1;",
               "Table function 'EXPLODE' is not allowed here");
    exec_ok(e, "CREATE TABLE T (K STRING PRIMARY KEY, A ARRAY<INT>) WITH (kafka_topic='t', "
               "value_format='JSON');");
    exec_fails(e, "CREATE TABLE X AS SELECT K, EXPLODE(A) FROM T;",
               "Table source is not supported with table functions");
    eddy_engine_destroy(e);
}
END_TEST

/* create-type.md: a custom type stands for its type in later column lists, nested too, and
 * in later CREATE TYPEs; registering a name twice fails, DROP TYPE forgets it. */
START_TEST(custom_types)
{
    eddy_engine *e = engine();
    exec_ok(e, "CREATE TYPE ADDRESS AS STRUCT<number INTEGER, city VARCHAR>;");
    exec_ok(e, "CREATE TYPE PERSON AS STRUCT<name VARCHAR, home ADDRESS>;");
    exec_ok(e, "CREATE STREAM S (K STRING KEY, P PERSON, OLD ARRAY<ADDRESS>) WITH "
               "(kafka_topic='s', value_format='JSON');");
    exec_ok(e, "CREATE STREAM O AS SELECT K, P->home->city AS C, OLD[1]->number AS N FROM S;");
    produce(e, "s", "\"a\"", "{\"P\": {\"name\": \"x\", \"home\": {\"number\": 1, \"city\": "
                             "\"Oslo\"}}, \"OLD\": [{\"number\": 7}]}", 3);
    expect_records(e, "O", "[{\"key\":\"a\",\"value\":{\"C\":\"Oslo\",\"N\":7},\"timestamp\":3}]");
    exec_fails(e, "CREATE TYPE ADDRESS AS INT;",
               "Cannot register custom type 'ADDRESS' since it is already registered with "
               "type: STRUCT<`NUMBER` INTEGER, `CITY` STRING>");
    exec_ok(e, "CREATE TYPE IF NOT EXISTS ADDRESS AS INT;");
    exec_ok(e, "DROP TYPE ADDRESS;");
    exec_fails(e, "DROP TYPE ADDRESS;", "Type ADDRESS does not exist.");
    exec_ok(e, "DROP TYPE IF EXISTS ADDRESS;");
    exec_fails(e, "CREATE STREAM S2 (K STRING KEY, A ADDRESS) WITH (kafka_topic='s2', "
                  "value_format='JSON');", "Unknown type: ADDRESS");
    exec_ok(e, "CREATE TYPE ADDRESS AS BIGINT;"); /* free again */
    eddy_engine_destroy(e);
}
END_TEST

/* insert-values.md: one record in the source's formats; without a column list the values
 * are the columns in order (key first); missing columns are NULL (an all-NULL key a Kafka
 * null); ROWTIME sets the timestamp; numbers widen to the column's type. */
/* The listings, checked against the built-ins' declarations (ACOS: one overload; ABS: INTEGER,
 * BIGINT, DOUBLE, DECIMAL; COUNT: COUNT(*) and COUNT(col); EXPLODE: ARRAY and MAP) and a UDF file
 * written here. */
START_TEST(describe_and_show_functions)
{
    char path[512];
    snprintf(path, sizeof path, "%s/two.lua", eddy_test_tmpdir());
    eddy_test_write_file(path, "udf.scalar{ name = 'two', params = {'INT a'}, returns = 'INT',\n"
                               "  description = 'the first', fn = function(a) return a end }\n"
                               "udf.table{ name = 'two', params = {'INT a', 'STRING b'},\n"
                               "  returns = 'STRING', fn = function(a, b) return {b} end }\n");
    const char *paths[] = {path};
    ck_assert_int_eq(eddy_udfs_load(paths, 1, true, NULL, NULL), 0);
    eddy_engine *e = engine();
    ck_assert_str_eq(eddy_engine_output(e), "");
    exec_ok(e, "DESCRIBE FUNCTION acos;");
    ck_assert_str_eq(eddy_engine_output(e),
                     "Name        : ACOS\n"
                     "Type        : scalar\n"
                     "\n"
                     "  Variation   : ACOS(DOUBLE x) -> DOUBLE\n"
                     "  Type        : scalar\n"
                     "  Source      : built-in\n"
                     "  Description : Arc cosine (NaN outside [-1, 1]).\n"
                     "\n");
    /* statements that print nothing leave the output; the next listing is appended */
    exec_ok(e, "CREATE STREAM R (ID BIGINT KEY, V STRING) WITH (KAFKA_TOPIC='r', "
               "VALUE_FORMAT='JSON');");
    exec_ok(e, "describe function Two");
    char want[4096];
    snprintf(want, sizeof want,
             "Name        : TWO\n"
             "Type        : scalar\n"
             "\n"
             "  Variation   : TWO(INT a) -> INT\n"
             "  Type        : scalar\n"
             "  Source      : %s\n"
             "  Description : the first\n"
             "\n"
             "  Variation   : TWO(INT a, STRING b) -> STRING\n"
             "  Type        : table\n"
             "  Source      : %s\n"
             "\n", path, path);
    const char *out = eddy_engine_output(e);
    ck_assert_ptr_nonnull(strstr(out, "Description : Arc cosine (NaN outside [-1, 1]).\n\nName"));
    ck_assert_str_eq(strstr(out, "Name        : TWO"), want);
    /* an unknown function fails as in ksqlDB and prints nothing */
    size_t len = strlen(out);
    exec_fails(e, "DESCRIBE FUNCTION no_such_fn;", "Can't find any functions with the name "
                                                   "'NO_SUCH_FN'");
    ck_assert_uint_eq(strlen(eddy_engine_output(e)), len);

    eddy_engine_output_clear(e);
    ck_assert_str_eq(eddy_engine_output(e), "");
    exec_ok(e, "SHOW FUNCTIONS;");
    char *show = strdup(eddy_engine_output(e));
    const char *lines[] = {
        "Function Name                Type       #   Source\n",
        "\nABS                          scalar     4   built-in\n",
        "\nACOS                         scalar     1   built-in\n",
        "\nCOUNT                        aggregate  2   built-in\n",
        "\nEXPLODE                      table      2   built-in\n"};
    ck_assert_msg(strncmp(show, lines[0], strlen(lines[0])) == 0, "%s", show);
    for (size_t i = 1; i < sizeof lines / sizeof *lines; i++)
        ck_assert_msg(strstr(show, lines[i]), "no '%s'", lines[i] + 1);
    snprintf(want, sizeof want, "\nTWO                          scalar     2   %s\n", path);
    ck_assert_msg(strstr(show, want), "no '%s'", want + 1);
    ck_assert(strstr(show, "\nABS ") < strstr(show, "\nACOS ")); /* sorted by name */
    ck_assert_uint_eq(show[strlen(show) - 1], '\n');
    ck_assert_uint_eq(show[strlen(show) - 2], '\n'); /* a blank line ends the listing */
    eddy_engine_output_clear(e);
    exec_ok(e, "LIST FUNCTIONS");
    ck_assert_str_eq(eddy_engine_output(e), show);
    /* other SHOW / LIST statements still print nothing */
    eddy_engine_output_clear(e);
    exec_ok(e, "SHOW STREAMS;");
    ck_assert_str_eq(eddy_engine_output(e), "");
    free(show);
    eddy_engine_destroy(e);
    eddy_udfs_shutdown();
}
END_TEST

START_TEST(insert_values)
{
    eddy_engine *e = engine();
    exec_ok(e, "CREATE STREAM S (K STRING KEY, I INT, D DOUBLE, M MAP<STRING, BIGINT>) WITH "
               "(kafka_topic='s', value_format='JSON');");
    exec_ok(e, "INSERT INTO S VALUES ('a', 1, 2, MAP('x' := 1 + 1));");
    exec_ok(e, "INSERT INTO S (ROWTIME, I) VALUES (77, 5);");
    eddy_buf b = {0};
    ck_assert_int_eq(eddy_engine_topic_records(e, "s", &b), 0);
    ck_assert_msg(strstr(eddy_buf_cstr(&b), "{\"key\":\"a\",\"value\":{\"I\":1,\"D\":2.0,"
                                            "\"M\":{\"x\":2}}") != NULL, "%s",
                  eddy_buf_cstr(&b));
    ck_assert_msg(strstr(eddy_buf_cstr(&b), "{\"key\":null,\"value\":{\"I\":5,\"D\":null,"
                                            "\"M\":null},\"timestamp\":77}") != NULL, "%s",
                  eddy_buf_cstr(&b));
    eddy_buf_free(&b);
    exec_fails(e, "INSERT INTO S (K, I) VALUES ('a');",
               "Expected number columns and values to match: 2, 1");
    exec_fails(e, "INSERT INTO S (ROWOFFSET) VALUES (1);",
               "Inserting into column `ROWOFFSET` is not allowed.");
    exec_fails(e, "INSERT INTO \"s\" (I) VALUES (1);",
               "Cannot insert values into an unknown stream/table: `s`\nDid you mean S? Hint: "
               "try removing double quotes from the source name.");
    exec_fails(e, "INSERT INTO S (I) VALUES (X.Y);", "'X' is not a valid stream/table name");
    exec_ok(e, "CREATE SOURCE STREAM R (K STRING KEY, V INT) WITH (kafka_topic='r', "
               "value_format='JSON');");
    exec_fails(e, "INSERT INTO R VALUES ('a', 1);", "Cannot insert values into read-only "
                                                    "stream: R");
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
    tcase_add_test(tc, table_aggregate_updates);
    tcase_add_test(tc, stream_null_value_where);
    tcase_add_test(tc, struct_star);
    tcase_add_test(tc, tumbling_window_max);
    tcase_add_test(tc, stream_table_join);
    tcase_add_test(tc, stream_stream_left_join);
    tcase_add_test(tc, stream_stream_inner_join_out_of_order);
    tcase_add_test(tc, stream_stream_full_join_grace);
    tcase_add_test(tc, stream_stream_join_compaction);
    tcase_add_test(tc, table_table_full_join);
    tcase_add_test(tc, table_table_inner_join_delete);
    tcase_add_test(tc, foreign_key_left_join);
    tcase_add_test(tc, n_way_full_outer_join);
    tcase_add_test(tc, join_key_errors);
    tcase_add_test(tc, table_functions);
    tcase_add_test(tc, custom_types);
    tcase_add_test(tc, insert_values);
    tcase_add_test(tc, describe_and_show_functions);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return eddy_test_run(suite());
}
