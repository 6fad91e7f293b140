/* check_functions.c: the scalar built-ins of builtins_time.c, builtins_collection.c,
 * builtins_json.c and builtins_misc.c, compiled with eddy_expr_compile and evaluated on a
 * hand-built record. Expected values come from ksqlDB's QTT cases (named next to them,
 * query-validation-tests/<file>.json) or are computed by hand from scalar-functions.md.
 * An expected value with a '*' is a glob (long error messages). */
#include "testutil.h"
#include "expr/expr.h"
#include "sql/parser.h"

#include <fnmatch.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

static eddy_schema *schema;
static eddy_value cols[32];
static eddy_value arr_items[5], sarr_items[4], map_items[6], narr_items[3], darr_items[3];
static eddy_record rec;

#define COLUMNS                                                                             \
    "ID STRING KEY, D DATE, T TIME, TS TIMESTAMP, S STRING, I INT, BI BIGINT, NS STRING, "   \
    "NI INT, ND DATE, NT TIME, NTS TIMESTAMP, ARR ARRAY<INT>, SARR ARRAY<STRING>, "          \
    "M MAP<STRING, INT>, DB DOUBLE, NARR ARRAY<INT>, NULLARR ARRAY<INT>, DARR ARRAY<DOUBLE>, " \
    "NM MAP<STRING, INT>, J STRING"

static void setup(void)
{
    char err[512];
    ck_assert_msg(eddy_columns_parse(COLUMNS, &schema, err, sizeof err) == 0, "%s", err);
    int i = 0;
    cols[i++] = eddy_string("r1", 2);             /* ID */
    cols[i++] = eddy_date(17662);                 /* D 2018-05-11 */
    cols[i++] = eddy_time(1234567);               /* T 00:20:34.567 */
    cols[i++] = eddy_timestamp(1526075913000LL);  /* TS 2018-05-11T21:58:33Z */
    cols[i++] = eddy_string("Hello World", 11);   /* S */
    cols[i++] = eddy_int(3);                      /* I */
    cols[i++] = eddy_bigint(1526075913000LL);     /* BI */
    cols[i++] = eddy_null(EDDY_TYPE_STRING);      /* NS */
    cols[i++] = eddy_null(EDDY_TYPE_INT);         /* NI */
    cols[i++] = eddy_null(EDDY_TYPE_DATE);        /* ND */
    cols[i++] = eddy_null(EDDY_TYPE_TIME);        /* NT */
    cols[i++] = eddy_null(EDDY_TYPE_TIMESTAMP);   /* NTS */
    arr_items[0] = eddy_int(3);
    arr_items[1] = eddy_int(1);
    arr_items[2] = eddy_int(2);
    arr_items[3] = eddy_int(1);
    arr_items[4] = eddy_null(EDDY_TYPE_INT);
    cols[i] = (eddy_value){.type = EDDY_TYPE_ARRAY, .len = 5, .u.items = arr_items};
    i++;
    sarr_items[0] = eddy_string("foo", 3);
    sarr_items[1] = eddy_string("Bar", 3);
    sarr_items[2] = eddy_null(EDDY_TYPE_STRING);
    sarr_items[3] = eddy_string("baz", 3);
    cols[i] = (eddy_value){.type = EDDY_TYPE_ARRAY, .len = 4, .u.items = sarr_items};
    i++;
    map_items[0] = eddy_string("a", 1);
    map_items[1] = eddy_int(1);
    map_items[2] = eddy_string("b", 1);
    map_items[3] = eddy_int(2);
    map_items[4] = eddy_string("c", 1);
    map_items[5] = eddy_null(EDDY_TYPE_INT);
    cols[i] = (eddy_value){.type = EDDY_TYPE_MAP, .len = 3, .u.items = map_items};
    i++;
    cols[i++] = eddy_double(2.5);                 /* DB */
    narr_items[0] = eddy_int(-1);
    narr_items[1] = eddy_int(0);
    narr_items[2] = eddy_int(5);
    cols[i] = (eddy_value){.type = EDDY_TYPE_ARRAY, .len = 3, .u.items = narr_items};
    i++;
    cols[i++] = eddy_null(EDDY_TYPE_ARRAY);       /* NULLARR */
    darr_items[0] = eddy_double(1.5);
    darr_items[1] = eddy_double(-0.0);
    darr_items[2] = eddy_double(0.0);
    cols[i] = (eddy_value){.type = EDDY_TYPE_ARRAY, .len = 3, .u.items = darr_items};
    i++;
    cols[i++] = eddy_null(EDDY_TYPE_MAP);         /* NM */
    static const char json[] = "{\"a\": {\"b\": [1, \"x\", {\"c\": true}]}, \"n\": null}";
    cols[i++] = eddy_string(json, (uint32_t)strlen(json)); /* J */
    ck_assert_int_eq(i, (int)schema->ncols);
    memset(&rec, 0, sizeof rec);
    rec.cols = cols;
    rec.rowtime = 1234;
}

static void teardown(void)
{
    eddy_schema_release(schema);
}

/* Compiles and evaluates; returns "TYPE value", "ERR message" (compile error) or "EVALERR code
 * message" (an evaluation error, or a function call that failed and became NULL). */
static const char *run(const char *text)
{
    static char out[2048];
    char err[512] = "";
    eddy_scope sc = {.schema = schema, .registry = NULL, .pseudo_columns = true};
    eddy_expr *e;
    int rc = eddy_expr_compile(text, &sc, &e, err, sizeof err);
    if (rc) {
        snprintf(out, sizeof out, "ERR %s", err);
        return out;
    }
    eddy_arena *a = eddy_arena_new(0);
    eddy_eval_ctx ctx = {.arena = a, .errstr = err, .errstr_size = sizeof err};
    eddy_value v;
    rc = eddy_expr_eval(e, &rec, &ctx, &v);
    char tb[256];
    eddy_type_format(eddy_expr_type(e), tb, sizeof tb);
    if (rc) {
        snprintf(out, sizeof out, "EVALERR %s %s", eddy_err_name(rc), err);
    } else if (ctx.soft_errors) {
        /* A failing call is NULL and counted, its reason kept for the processing log, as
         * ksqlDB does: reported as EVALERR EFUNC after checking the NULL is typed. */
        ck_assert_msg(v.is_null && v.type == eddy_expr_type(e)->id,
                      "%s: a failed call must give a NULL %s", text, tb);
        snprintf(out, sizeof out, "EVALERR EFUNC %s", err);
    } else {
        eddy_buf b = {0};
        ck_assert_int_eq(eddy_value_format_typed(&b, &v, eddy_expr_type(e)), 0);
        snprintf(out, sizeof out, "%s %s", tb, eddy_buf_cstr(&b));
        eddy_buf_free(&b);
        if (!v.is_null || v.type)
            ck_assert_msg(v.type == eddy_expr_type(e)->id, "%s: value type %d, expr type %s",
                          text, v.type, tb);
    }
    eddy_arena_destroy(a);
    eddy_expr_destroy(e);
    return out;
}

/* Exact, or a glob when `want` has a '*' (for long error messages). */
static bool matches(const char *got, const char *want)
{
    if (strchr(want, '*'))
        return fnmatch(want, got, 0) == 0;
    return strcmp(got, want) == 0;
}

typedef struct fcase {
    const char *in, *want;
} fcase;

/* ---------------------------------------------------------------- date/time */

static const fcase time_cases[] = {
    /* format-date.json "date to string" */
    {"FORMAT_DATE(FROM_DAYS(17662), 'yyyy-MM-dd')", "STRING 2018-05-11"},
    {"FORMAT_DATE(FROM_DAYS(18027), 'dd/MM/yyyy')", "STRING 11/05/2019"},
    {"FORMAT_DATE(FROM_DAYS(18993), 'dd-MMM-yyyy')", "STRING 01-Jan-2022"},
    {"FORMAT_DATE(FROM_DAYS(0), 'dd-MM-yyyy')", "STRING 01-01-1970"},
    {"FORMAT_DATE(FROM_DAYS(-1), 'dd-MM-yyyy''Sophia''')", "STRING 31-12-1969Sophia"},
    {"FORMAT_DATE(ND, 'yyyy')", "STRING null"},
    {"FORMAT_DATE(D, 'yyyy HH')", "EVALERR EFUNC Failed to format date 2018-05-11 with "
                                  "formatter 'yyyy HH': Unsupported field: HourOfDay"},
    {"DATETOSTRING(17662, 'yyyy-MM-dd')", "STRING 2018-05-11"},
    /* 'Y' is the week-based year (US weeks: Sunday first, week 1 holds January 1st) */
    {"DATETOSTRING(STRINGTODATE('2018-12-31', 'yyyy-MM-dd'), 'YYYY-ww')", "EVALERR EFUNC *"},
    {"DATETOSTRING(STRINGTODATE('2018-12-31', 'yyyy-MM-dd'), 'YYYY')", "STRING 2019"},
    {"DATETOSTRING(STRINGTODATE('2018-12-29', 'yyyy-MM-dd'), 'YYYY')", "STRING 2018"},
    {"DATETOSTRING(STRINGTODATE('2021-01-02', 'yyyy-MM-dd'), 'YYYY')", "STRING 2021"},
    {"STRINGTODATE('2021', 'YYYY')", "EVALERR EFUNC *pattern letter 'Y' is not supported for "
                                     "parsing"},
    {"FORMAT_DATE(D, 'EEEE d MMMM yy, D''th day''')", "STRING Friday 11 May 18, 131th day"},
    /* format-time.json "time to string" */
    {"FORMAT_TIME(CAST('00:01:05' AS TIME), 'HH_mm_ss_SSS')", "STRING 00_01_05_000"},
    {"FORMAT_TIME(T, 'HHmmss''AAAAA''')", "STRING 002034AAAAA"},
    {"FORMAT_TIME(CAST('00:00:00' AS TIME), 'HH:mm:ss')", "STRING 00:00:00"},
    {"FORMAT_TIME(NT, 'HH:mm:ss')", "STRING null"},
    {"FORMAT_TIME(T, 'h:mm:ss.SS a')", "STRING 12:20:34.56 AM"},
    {"FORMAT_TIME(T, 'yyyy')", "EVALERR EFUNC Failed to format time 00:20:34 with formatter "
                               "'yyyy': Unsupported field: YearOfEra"},
    /* timestamp-to-string.json */
    {"FORMAT_TIMESTAMP(TS, 'yyyy-MM-dd HH:mm:ss zzz', 'America/Los_Angeles')",
     "STRING 2018-05-11 14:58:33 PDT"},
    {"FORMAT_TIMESTAMP(NTS, 'yyyy-MM-dd HH:mm:ss zzz', 'America/Los_Angeles')", "STRING null"},
    {"FORMAT_TIMESTAMP(TS, 'yyyy-MM-dd HH:mm:ss')", "STRING 2018-05-11 21:58:33"},
    /* without a zone ksqlDB formats in ZoneId.of("GMT") */
    {"FORMAT_TIMESTAMP(TS, 'HH:mm z VV')", "STRING 21:58 GMT GMT"},
    {"TIMESTAMPTOSTRING(BI, 'yyyy-MM-dd HH:mm:ss zzz', 'Europe/London')",
     "STRING 2018-05-11 22:58:33 BST"},
    /* by hand: winter time, offsets, text fields, zones */
    {"TIMESTAMPTOSTRING(1516000000000, 'yyyy-MM-dd HH:mm zzz Z', 'Europe/London')",
     "STRING 2018-01-15 07:06 GMT +0000"},
    {"FORMAT_TIMESTAMP(TS, 'yyyy-MM-dd''T''HH:mm:ss.SSSXXX', '+05:30')",
     "STRING 2018-05-12T03:28:33.000+05:30"},
    {"FORMAT_TIMESTAMP(TS, 'yyyy-MM-dd''T''HH:mm:ssX')", "STRING 2018-05-11T21:58:33Z"},
    {"FORMAT_TIMESTAMP(TS, 'Z xx XXX', 'America/Los_Angeles')", "STRING -0700 -0700 -07:00"},
    {"FORMAT_TIMESTAMP(TS, 'EEE, MMM d yyyy h:mm a')", "STRING Fri, May 11 2018 9:58 PM"},
    {"FORMAT_TIMESTAMP(TS, 'VV O', 'Asia/Kolkata')", "STRING Asia/Kolkata GMT+5:30"},
    {"FORMAT_TIMESTAMP(TS, 'HH:mm z', 'PST')", "STRING 14:58 PDT"},
    {"FORMAT_TIMESTAMP(TS, 'HH:mm', 'UTC+01:00')", "STRING 22:58"},
    /* after the tz database's last transition: the POSIX rule of the TZif footer */
    {"FORMAT_TIMESTAMP(FROM_UNIXTIME(2224756800000), 'yyyy-MM-dd HH:mm zzz', "
     "'America/Los_Angeles')", "STRING 2040-07-01 05:00 PDT"},
    {"FORMAT_TIMESTAMP(FROM_UNIXTIME(2210241600000), 'yyyy-MM-dd HH:mm zzz', "
     "'America/Los_Angeles')", "STRING 2040-01-15 04:00 PST"},
    {"FORMAT_TIMESTAMP(TS, 'yyyy', 'Mars/Olympus')",
     "EVALERR EFUNC Unknown time-zone ID: Mars/Olympus"},
    {"FORMAT_TIMESTAMP(TS, 'yyyy bb')", "EVALERR EFUNC Failed to format timestamp "
                                        "1526075913000 with formatter 'yyyy bb': Unknown "
                                        "pattern letter: b"},
    {"FORMAT_TIMESTAMP(TS, 'yyyy''')", "EVALERR EFUNC *"},
    /* stringtimestamp.json "string to timestamp" */
    {"STRINGTOTIMESTAMP('2018-05-11T21:58:33Z', 'yyyy-MM-dd''T''HH:mm:ssX')",
     "BIGINT 1526075913000"},
    {"STRINGTOTIMESTAMP('2019-05-11T21:58:33Z', 'yyyy-MM-dd''T''HH:mm:ssX')",
     "BIGINT 1557611913000"},
    {"STRINGTOTIMESTAMP('2020-05-11T21:58:33z', 'yyyy-MM-dd''T''HH:mm:ssX')",
     "BIGINT 1589234313000"},
    /* stringtimestamp.json "format timestamp with time zone": PST read as the region */
    {"UNIX_TIMESTAMP(PARSE_TIMESTAMP('2018-05-11T21:58:33 PST', "
     "'yyyy-MM-dd''T''HH:mm:ss zzz'))", "BIGINT 1526101113000"},
    {"UNIX_TIMESTAMP(PARSE_TIMESTAMP('2020-05-11T21:58:33 PST', "
     "'yyyy-MM-dd''T''HH:mm:ss zzz'))", "BIGINT 1589259513000"},
    /* timestampformat.json "with single digit ms and numeric tz" */
    {"STRINGTOTIMESTAMP('2019-08-27T13:31:09.2+0000', 'yyyy-MM-dd''T''HH:mm:ss.SX')",
     "BIGINT 1566912669200"},
    {"PARSE_TIMESTAMP('2018-05-11 21:58:33', 'yyyy-MM-dd HH:mm:ss')",
     "TIMESTAMP 2018-05-11T21:58:33.000"},
    {"PARSE_TIMESTAMP('2018-05-11 14:58:33', 'yyyy-MM-dd HH:mm:ss', 'America/Los_Angeles')",
     "TIMESTAMP 2018-05-11T21:58:33.000"},
    {"STRINGTOTIMESTAMP('2018-05-11 14:58:33.123456789', 'yyyy-MM-dd HH:mm:ss.SSSSSSSSS', "
     "'America/Los_Angeles')", "BIGINT 1526075913123"},
    {"STRINGTOTIMESTAMP('20180511', 'yyyyMMdd')", "BIGINT 1525996800000"},
    {"STRINGTOTIMESTAMP('11 May 2018 9:58:33 PM', 'dd MMM yyyy h:mm:ss a')",
     "BIGINT 1526075913000"},
    {"STRINGTOTIMESTAMP('2018-05-11', 'yyyy-MM-dd[ HH:mm]')", "BIGINT 1525996800000"},
    {"STRINGTOTIMESTAMP('2018-05-11 01:00', 'yyyy-MM-dd[ HH:mm]')", "BIGINT 1526000400000"},
    /* a local time in the spring-forward gap moves forward by the gap (java.time) */
    {"STRINGTOTIMESTAMP('2018-03-11 02:30', 'yyyy-MM-dd HH:mm', 'America/Los_Angeles')",
     "BIGINT 1520764200000"},
    /* an overlap takes the earlier offset */
    {"STRINGTOTIMESTAMP('2018-11-04 01:30', 'yyyy-MM-dd HH:mm', 'America/Los_Angeles')",
     "BIGINT 1541320200000"},
    {"STRINGTOTIMESTAMP(NS, 'yyyy')", "BIGINT null"},
    {"STRINGTOTIMESTAMP('not a timestamp', 'yyyy-MM-dd''T''HH:mm:ssX')",
     "EVALERR EFUNC Failed to parse timestamp 'not a timestamp' with formatter "
     "'yyyy-MM-dd'T'HH:mm:ssX': Text 'not a timestamp' could not be parsed at index 0"},
    {"STRINGTOTIMESTAMP('2018-05-11 21:58:33 trailing', 'yyyy-MM-dd HH:mm:ss')",
     "EVALERR EFUNC *could not be parsed at index 19"},
    /* cast.json "cast function with error to null": the error is per record */
    {"PARSE_DATE('2022-02-02', 'yyyy-MM-dd')", "DATE 2022-02-02"},
    {"PARSE_DATE('abcd', 'yyyy-MM-dd')", "EVALERR EFUNC *"},
    {"PARSE_DATE(NS, 'yyyy-MM-dd')", "DATE null"},
    {"PARSE_DATE('2022-02-02 10', 'yyyy-MM-dd HH')",
     "EVALERR EFUNC *Date format contains time field."},
    {"PARSE_DATE('2021-02-30', 'yyyy-MM-dd')", "DATE 2021-02-28"},
    {"STRINGTODATE('20200101', 'yyyyMMdd')", "INTEGER 18262"},
    {"STRINGTODATE('2020-366', 'yyyy-DDD')", "INTEGER 18627"},
    {"PARSE_TIME('10:15:30.123', 'HH:mm:ss.SSS')", "TIME 10:15:30.123"},
    {"PARSE_TIME('10:15 PM', 'hh:mm a')", "TIME 22:15:00"},
    {"PARSE_TIME('2020 10:15', 'yyyy HH:mm')", "EVALERR EFUNC *Time format contains date "
                                               "field."},
    /* dateadd.json, datesub.json */
    {"UNIX_DATE(DATEADD('DAYS', 10, FROM_DAYS(10)))", "INTEGER 20"},
    {"UNIX_DATE(DATEADD('DAYS', -5, FROM_DAYS(2)))", "INTEGER -3"},
    {"UNIX_DATE(DATESUB('DAYS', -5, FROM_DAYS(-5)))", "INTEGER 0"},
    {"DATESUB('MILLISECONDS', NI, D)", "DATE null"},
    {"DATESUB('MILLISECONDS', 5, ND)", "DATE null"},
    {"DATEADD('HOURS', 49, D)", "DATE 2018-05-13"},
    {"DATEADD(D, 5, D)",
     "ERR line 1:1: Function 'dateadd' does not accept parameters (DATE, INTEGER, DATE).*"},
    {"DATEADD('FORTNIGHTS', 5, D)", "EVALERR EFUNC Unknown time unit: FORTNIGHTS*"},
    /* timeadd.json, timesub.json: wraps around midnight */
    {"TIMEADD('MILLISECONDS', 10, CAST('00:00:00.010' AS TIME))", "TIME 00:00:00.020"},
    {"TIMEADD('MILLISECONDS', 10, CAST('23:59:59.995' AS TIME))", "TIME 00:00:00.005"},
    {"TIMEADD('MILLISECONDS', -5, CAST('00:00:00.002' AS TIME))", "TIME 23:59:59.997"},
    {"TIMEADD('MILLISECONDS', NI, T)", "TIME null"},
    {"TIMEADD(T, 5, T)",
     "ERR line 1:1: Function 'timeadd' does not accept parameters (TIME, INTEGER, TIME).*"},
    {"TIMESUB('MILLISECONDS', -5, CAST('23:59:59.997' AS TIME))", "TIME 00:00:00.002"},
    {"TIMESUB('MILLISECONDS', -5, CAST('00:00:00' AS TIME))", "TIME 00:00:00.005"},
    {"TIMESUB('HOURS', 1, CAST('00:30:00' AS TIME))", "TIME 23:30:00"},
    {"TIMESUB('MILLISECONDS', 5, NT)", "TIME null"},
    /* timestampadd.json, timestampsub.json */
    {"UNIX_TIMESTAMP(TIMESTAMPADD('MILLISECONDS', 10, FROM_UNIXTIME(10)))", "BIGINT 20"},
    {"TIMESTAMPADD('MILLISECONDS', NI, TS)", "TIMESTAMP null"},
    {"TIMESTAMPADD('MILLISECONDS', 5, NTS)", "TIMESTAMP null"},
    {"UNIX_TIMESTAMP(TIMESTAMPSUB('MILLISECONDS', -5, FROM_UNIXTIME(-100)))", "BIGINT -95"},
    {"TIMESTAMPADD('DAYS', 1, TS)", "TIMESTAMP 2018-05-12T21:58:33.000"},
    {"TIMESTAMPADD(TS, 5, TS)", "ERR line 1:1: Function 'timestampadd' does not accept parameters "
                                "(TIMESTAMP, INTEGER, TIMESTAMP).*"},
    /* unix-date.json, unix-timestamp.json, from-days.json */
    {"UNIX_DATE() > 100", "BOOLEAN true"},
    {"UNIX_DATE(FROM_DAYS(100))", "INTEGER 100"},
    {"UNIX_DATE(ND)", "INTEGER null"},
    {"UNIX_TIMESTAMP() > 100", "BOOLEAN true"},
    {"UNIX_TIMESTAMP(FROM_UNIXTIME(1589234313000))", "BIGINT 1589234313000"},
    {"UNIX_TIMESTAMP(NTS)", "BIGINT null"},
    {"FROM_DAYS(-10)", "DATE 1969-12-22"},
    {"FROM_DAYS(NI)", "DATE null"},
    {"FROM_UNIXTIME(BI)", "TIMESTAMP 2018-05-11T21:58:33.000"},
    /* convert-tz.json */
    {"UNIX_TIMESTAMP(CONVERT_TZ(FROM_UNIXTIME(100), '+0200', '+0500'))", "BIGINT 10800100"},
    {"UNIX_TIMESTAMP(CONVERT_TZ(FROM_UNIXTIME(1589234313000), '+0200', '+0500'))",
     "BIGINT 1589245113000"},
    {"CONVERT_TZ(NTS, '+0200', '+0500')", "TIMESTAMP null"},
    {"CONVERT_TZ(TS, 'UTC', 'America/Los_Angeles')", "TIMESTAMP 2018-05-11T14:58:33.000"},
    {"CONVERT_TZ(TS, 'UTC', 'nowhere')", "EVALERR EFUNC Unknown time-zone ID: nowhere"},
};

START_TEST(test_time)
{
    const char *got = run(time_cases[_i].in);
    ck_assert_msg(matches(got, time_cases[_i].want), "case %d: %s\n got:  %s\n want: %s", _i,
                  time_cases[_i].in, got, time_cases[_i].want);
}
END_TEST


/* -------------------------------------------------------------- collections */

static const fcase coll_cases[] = {
    /* arraycontains.json */
    {"ARRAY_CONTAINS(ARRAY['Red', 'Green'], 'Pink')", "BOOLEAN false"},
    {"ARRAY_CONTAINS(ARRAY['Pink', 'Yellow', 'Pink'], 'Pink')", "BOOLEAN true"},
    {"ARRAY_CONTAINS(ARRAY['Pink', NULL], 'Pink')", "BOOLEAN true"},
    {"ARRAY_CONTAINS(NULLARR, 1)", "BOOLEAN false"},
    {"ARRAY_CONTAINS(ARR, NULL)", "BOOLEAN true"},
    {"ARRAY_CONTAINS(NARR, NULL)", "BOOLEAN false"},
    {"ARRAY_CONTAINS(ARR, 2)", "BOOLEAN true"},
    /* array-set-functions.json */
    {"ARRAY_DISTINCT(ARRAY['foo', 'bar', 'foo'])", "ARRAY<STRING> [foo, bar]"},
    {"ARRAY_DISTINCT(ARRAY[0, NULL, 1, 0, -1])", "ARRAY<INTEGER> [0, null, 1, -1]"},
    {"ARRAY_DISTINCT(ARRAY[1.0, 1.1, 1.1, -0.2, NULL, 1.0])",
     "ARRAY<DECIMAL(2, 1)> [1.0, 1.1, -0.2, null]"},
    {"ARRAY_DISTINCT(ARRAY[ARRAY['foo', 'bar', 'foo'], ARRAY['foo', 'bar', 'foo'], "
     "ARRAY['foo']])", "ARRAY<ARRAY<STRING>> [[foo, bar, foo], [foo]]"},
    {"ARRAY_DISTINCT(ARRAY[MAP('apple' := 1, 'banana' := 2), MAP('apple' := 3, 'banana' := 4), "
     "MAP('banana' := 2, 'apple' := 1)])",
     "ARRAY<MAP<STRING, INTEGER>> [{apple=1, banana=2}, {apple=3, banana=4}]"},
    {"ARRAY_DISTINCT(DARR)", "ARRAY<DOUBLE> [1.5, -0.0, 0.0]"},
    {"ARRAY_DISTINCT(NULLARR)", "ARRAY<INTEGER> null"},
    {"ARRAY_EXCEPT(ARRAY['foo', 'bar', 'foo'], ARRAY['bar', 'baz'])", "ARRAY<STRING> [foo]"},
    {"ARRAY_EXCEPT(ARRAY[0, 0, 1, 0, -1], ARRAY[1, -2])", "ARRAY<INTEGER> [0, -1]"},
    {"ARRAY_EXCEPT(ARRAY[0, 0, 1, 0, -1], ARRAY[1, -1, 0])", "ARRAY<INTEGER> []"},
    {"ARRAY_EXCEPT(ARRAY[0, 0, 1, 0, -1], SLICE(NARR, 1, 0))", "ARRAY<INTEGER> [0, 1, -1]"},
    {"ARRAY_EXCEPT(NULLARR, ARRAY[1, -2])", "ARRAY<INTEGER> null"},
    {"ARRAY_EXCEPT(NARR, NULLARR)", "ARRAY<INTEGER> null"},
    {"ARRAY_INTERSECT(ARRAY['foo', 'bar', 'foo'], ARRAY['foo', 'baz'])", "ARRAY<STRING> [foo]"},
    {"ARRAY_INTERSECT(ARRAY[0, 0, 1, 0, -1], ARRAY[1, -2, 0])", "ARRAY<INTEGER> [0, 1]"},
    {"ARRAY_INTERSECT(ARRAY[0, 0, 1, 0, -1], ARRAY[3, 4])", "ARRAY<INTEGER> []"},
    {"ARRAY_INTERSECT(NARR, NULLARR)", "ARRAY<INTEGER> null"},
    {"ARRAY_UNION(ARRAY['foo', 'bar', 'foo'], ARRAY['foo', 'baz'])",
     "ARRAY<STRING> [foo, bar, baz]"},
    {"ARRAY_UNION(ARRAY[0, 0, 1, 0, -1], ARRAY[1, -2, 0])", "ARRAY<INTEGER> [0, 1, -1, -2]"},
    {"ARRAY_UNION(ARRAY[0, 0, 1, 0, -1], ARRAY[3, 4])", "ARRAY<INTEGER> [0, 1, -1, 3, 4]"},
    {"ARRAY_UNION(NULLARR, ARRAY[1, -2])", "ARRAY<INTEGER> null"},
    {"ARRAY_CONCAT(ARRAY['foo', 'bar', 'foo'], ARRAY['foo', 'baz'])",
     "ARRAY<STRING> [foo, bar, foo, foo, baz]"},
    {"ARRAY_CONCAT(ARRAY[0, 0, 1, 0, -1], ARRAY[1, -2, 0])",
     "ARRAY<INTEGER> [0, 0, 1, 0, -1, 1, -2, 0]"},
    {"ARRAY_CONCAT(NULLARR, ARRAY[1, -2])", "ARRAY<INTEGER> [1, -2]"},
    {"ARRAY_CONCAT(ARRAY[0, 0, 1, 0, -1], NULLARR)", "ARRAY<INTEGER> [0, 0, 1, 0, -1]"},
    {"ARRAY_CONCAT(NULLARR, NULLARR)", "ARRAY<INTEGER> null"},
    /* arrayjoin.json */
    {"ARRAY_JOIN(ARRAY[true, NULL, false], '|')", "STRING true|null|false"},
    {"ARRAY_JOIN(ARRAY[1, 23, -42, 0], '?')", "STRING 1?23?-42?0"},
    {"ARRAY_JOIN(ARRAY[-4294967297, 8589934592], ';')", "STRING -4294967297;8589934592"},
    {"ARRAY_JOIN(ARRAY[CAST(1.23 AS DOUBLE), -23.42E0, 0.0E0], ' ')",
     "STRING 1.23 -23.42 0.0"},
    {"ARRAY_JOIN(ARRAY[123.45, 987.65], '#')", "STRING 123.45#987.65"},
    {"ARRAY_JOIN(ARRAY['Hello', 'From', '', 'Ksqldb', 'Udf'], '_')",
     "STRING Hello_From__Ksqldb_Udf"},
    {"ARRAY_JOIN(ARRAY['Hello', 'From', '', 'Ksqldb', 'Udf'], NULL)",
     "STRING HelloFromKsqldbUdf"},
    {"ARRAY_JOIN(ARRAY[true, NULL, false], '')", "STRING truenullfalse"},
    {"ARRAY_JOIN(ARR)", "STRING 3,1,2,1,null"},
    {"ARRAY_JOIN(NULLARR)", "STRING null"},
    {"ARRAY_JOIN(ARRAY[ARRAY[1]])",
     "EVALERR EFUNC ARRAY_JOIN only supports arrays of primitive types"},
    {"ARRAY_LENGTH(ARR)", "INTEGER 5"},
    {"ARRAY_LENGTH(NULLARR)", "INTEGER null"},
    /* array-min-max-sort.json */
    {"ARRAY_MIN(ARRAY[false, true, false])", "BOOLEAN false"},
    {"ARRAY_MIN(ARRAY[0, NULL, 1, 0, -1])", "INTEGER -1"},
    {"ARRAY_MIN(ARRAY[CAST(NULL AS BIGINT), -123, 345])", "BIGINT -123"},
    {"ARRAY_MIN(ARRAY[0.0E0, 0.1E0, -12345.678E0, NULL, 0.3E0])", "DOUBLE -12345.678"},
    {"ARRAY_MIN(ARRAY['foo', 'fo', 'Food', NULL, 'F', 'food'])", "STRING F"},
    {"ARRAY_MIN(ARRAY[1.0, 1.1, 1.2, -0.2, 1.9, 9.0, -9.9, 1.5])", "DECIMAL(2, 1) -9.9"},
    {"ARRAY_MIN(SLICE(ARR, 1, 0))", "INTEGER null"},
    {"ARRAY_MAX(ARR)", "INTEGER 3"},
    {"ARRAY_MAX(ARRAY['Foo', 'Bar', NULL, 'baz'])", "STRING baz"},
    {"ARRAY_MAX(ARRAY[false, NULL, true])", "BOOLEAN true"},
    {"ARRAY_MAX(ARRAY[CAST(NULL AS INT)])", "INTEGER null"},
    {"ARRAY_MAX(NULLARR)", "INTEGER null"},
    {"ARRAY_SORT(ARRAY[false, true, false])", "ARRAY<BOOLEAN> [false, false, true]"},
    {"ARRAY_SORT(ARRAY[0, NULL, 1, 0, -1])", "ARRAY<INTEGER> [-1, 0, 0, 1, null]"},
    {"ARRAY_SORT(ARRAY['foo', 'fo', 'Food', NULL, 'F', 'food'])",
     "ARRAY<STRING> [F, Food, fo, foo, food, null]"},
    {"ARRAY_SORT(ARRAY['foo', 'fo', 'Food', NULL, 'F', 'food'], 'desc')",
     "ARRAY<STRING> [food, foo, fo, Food, F, null]"},
    {"ARRAY_SORT(ARRAY[1.0, 1.1, 1.2, -0.2, NULL, 9.0], 'DESC')",
     "ARRAY<DECIMAL(2, 1)> [9.0, 1.2, 1.1, 1.0, -0.2, null]"},
    {"ARRAY_SORT(ARRAY[NULL, false, true], 'DESC')", "ARRAY<BOOLEAN> [true, false, null]"},
    {"ARRAY_SORT(ARR, 'ascending')", "ARRAY<INTEGER> [1, 1, 2, 3, null]"},
    {"ARRAY_SORT(ARR, 'sideways')", "ARRAY<INTEGER> null"},
    {"ARRAY_SORT(NULLARR)", "ARRAY<INTEGER> null"},
    /* array-remove.json */
    {"ARRAY_REMOVE(ARRAY['foo', 'bar', 'foo'], 'foo')", "ARRAY<STRING> [bar]"},
    {"ARRAY_REMOVE(ARRAY[ARRAY['foo', 'bar', 'foo'], ARRAY['foo', 'bar', 'foo'], "
     "ARRAY['foo']], ARRAY['foo', 'bar', 'foo'])", "ARRAY<ARRAY<STRING>> [[foo]]"},
    {"ARRAY_REMOVE(ARRAY[1, 2, 3, 2, 1], 2)", "ARRAY<INTEGER> [1, 3, 1]"},
    {"ARRAY_REMOVE(ARRAY[false, NULL, true, true], false)",
     "ARRAY<BOOLEAN> [null, true, true]"},
    {"ARRAY_REMOVE(SARR, NULL)", "ARRAY<STRING> [foo, Bar, baz]"},
    {"ARRAY_REMOVE(NULLARR, 1)", "ARRAY<INTEGER> null"},
    /* slice.json: 1-based, inclusive; out of bounds is NULL (List.subList throwing) */
    {"SLICE(ARRAY[MAP('a' := '1'), MAP('b' := '2'), MAP('c' := '3'), MAP('d' := '4')], 2, 3)",
     "ARRAY<MAP<STRING, STRING>> [{b=2}, {c=3}]"},
    {"SLICE(ARR, 1, 2)", "ARRAY<INTEGER> [3, 1]"},
    {"SLICE(ARR, NI, 2)", "ARRAY<INTEGER> [3, 1]"},
    {"SLICE(ARR, 4, NI)", "ARRAY<INTEGER> [1, null]"},
    {"SLICE(ARR, 0, 2)", "ARRAY<INTEGER> null"},
    {"SLICE(ARR, 2, 9)", "ARRAY<INTEGER> null"},
    {"SLICE(ARR, 3, 1)", "ARRAY<INTEGER> null"},
    {"SLICE(NULLARR, 1, 1)", "ARRAY<INTEGER> null"},
    /* array.json "GENERATE_SERIES with step" */
    {"GENERATE_SERIES(0, 3, 1)", "ARRAY<INTEGER> [0, 1, 2, 3]"},
    {"GENERATE_SERIES(-2, 1, 2)", "ARRAY<INTEGER> [-2, 0]"},
    {"GENERATE_SERIES(0, 9, 3)", "ARRAY<INTEGER> [0, 3, 6, 9]"},
    {"GENERATE_SERIES(3, 0, -1)", "ARRAY<INTEGER> [3, 2, 1, 0]"},
    {"GENERATE_SERIES(1, -2, -2)", "ARRAY<INTEGER> [1, -1]"},
    {"GENERATE_SERIES(9, 0, -3)", "ARRAY<INTEGER> [9, 6, 3, 0]"},
    {"GENERATE_SERIES(3, 1)", "ARRAY<INTEGER> [3, 2, 1]"},
    {"GENERATE_SERIES(5, 5)", "ARRAY<INTEGER> [5]"},
    {"GENERATE_SERIES(CAST(1 AS BIGINT), 3)", "ARRAY<BIGINT> [1, 2, 3]"},
    {"GENERATE_SERIES(10000000000, 10000000004, 2)",
     "ARRAY<BIGINT> [10000000000, 10000000002, 10000000004]"},
    {"GENERATE_SERIES(0, 3, 0)", "EVALERR EFUNC GENERATE_SERIES step cannot be zero"},
    {"GENERATE_SERIES(0, 3, -1)", "EVALERR EFUNC GENERATE_SERIES step has wrong sign"},
    {"GENERATE_SERIES(NI, 3)", "ARRAY<INTEGER> null"},
    /* map.json */
    {"ARRAY_SORT(MAP_VALUES(MAP('foo' := 10, 'bar' := 20, 'baz' := 30)))",
     "ARRAY<INTEGER> [10, 20, 30]"},
    {"MAP_VALUES(M)", "ARRAY<INTEGER> [1, 2, null]"},
    {"MAP_VALUES(NM)", "ARRAY<INTEGER> null"},
    {"MAP_KEYS(M)", "ARRAY<STRING> [a, b, c]"},
    {"MAP_KEYS(NM)", "ARRAY<STRING> null"},
    {"MAP_UNION(MAP('foo' := 10, 'bar' := 20, 'baz' := 30), MAP('foo' := 99, 'apple' := -1))",
     "MAP<STRING, INTEGER> {foo=99, bar=20, baz=30, apple=-1}"},
    {"MAP_UNION(MAP('foo' := 10, 'bar' := 20), MAP('foo' := CAST(NULL AS INT)))",
     "MAP<STRING, INTEGER> {foo=null, bar=20}"},
    {"MAP_UNION(NM, M)", "MAP<STRING, INTEGER> {a=1, b=2, c=null}"},
    {"MAP_UNION(NM, NM)", "MAP<STRING, INTEGER> null"},
    /* create_map.json "create map from key/value lists" */
    {"AS_MAP(ARRAY['a', 'b'], ARRAY[1, 2])", "MAP<STRING, INTEGER> {a=1, b=2}"},
    {"AS_MAP(ARRAY['a', 'b', 'c'], ARRAY[1, 2, 3])", "MAP<STRING, INTEGER> {a=1, b=2, c=3}"},
    {"AS_MAP(ARRAY['a', 'b'], ARRAY[1, 2, 3])", "MAP<STRING, INTEGER> {a=1, b=2}"},
    {"AS_MAP(ARRAY['a', 'b', 'c'], ARRAY[1, 2, NULL])", "MAP<STRING, INTEGER> {a=1, b=2, c=null}"},
    {"AS_MAP(ARRAY['a', 'b', 'a'], ARRAY[1, 2, 3, 4])", "MAP<STRING, INTEGER> {a=3, b=2}"},
    {"AS_MAP(ARRAY['a', 'b'], ARRAY[1])", "MAP<STRING, INTEGER> {a=1, b=null}"},
    {"AS_MAP(SARR, NULLARR)", "MAP<STRING, INTEGER> null"},
    /* array.json "entries sorted" */
    {"ENTRIES(MAP('K2' := 2, 'K1' := 1, 'K3' := 3), TRUE)",
     "ARRAY<STRUCT<`K` STRING, `V` INTEGER>> [Struct{K=K1,V=1}, Struct{K=K2,V=2}, "
     "Struct{K=K3,V=3}]"},
    {"ENTRIES(NM, TRUE)", "ARRAY<STRUCT<`K` STRING, `V` INTEGER>> null"},
    /* split-to-map.json */
    {"SPLIT_TO_MAP('apple:green/banana:yellow/cherry:red', '/', ':')",
     "MAP<STRING, STRING> {apple=green, banana=yellow, cherry=red}"},
    {"SPLIT_TO_MAP('apple:green/banana:yellow/cherry:red', '&&', ':')",
     "MAP<STRING, STRING> {apple=green/banana}"},
    {"SPLIT_TO_MAP('apple:green//banana:yellow//cherry:red/', '/', ':')",
     "MAP<STRING, STRING> {apple=green, banana=yellow, cherry=red}"},
    {"SPLIT_TO_MAP('apple:green/banana:yellow/cherry:red', '/', '=')", "MAP<STRING, STRING> {}"},
    {"SPLIT_TO_MAP('apple:green/banana:yellow/cherry:red', '', ':')",
     "MAP<STRING, STRING> null"},
    {"SPLIT_TO_MAP('apple:green/banana:yellow/cherry:red', '/', '')",
     "MAP<STRING, STRING> null"},
    {"SPLIT_TO_MAP('apple:green/banana:yellow/cherry:red', NS, ':')",
     "MAP<STRING, STRING> null"},
    {"SPLIT_TO_MAP('', '/', ':')", "MAP<STRING, STRING> {}"},
    {"SPLIT_TO_MAP(NS, '/', ':')", "MAP<STRING, STRING> null"},
    {"SPLIT_TO_MAP('a=1;b=2;a=3', ';', '=')", "MAP<STRING, STRING> {a=3, b=2}"},
    /* elt-field.json */
    {"FIELD('hello', 'hello', 'world')", "INTEGER 1"},
    {"FIELD('hello', NS, 'world')", "INTEGER 0"},
    {"FIELD('hello', 'world', 'hello')", "INTEGER 2"},
    {"FIELD('hello', NS, NS)", "INTEGER 0"},
    {"FIELD(NS, NS, 'x')", "INTEGER 0"},
    {"ELT(FIELD('hello', 'hello', 'world'), 'hello', 'world')", "STRING hello"},
    {"ELT(FIELD('hello', NS, 'world'), NS, 'world')", "STRING null"},
    {"ELT(FIELD('hello', 'world', 'hello'), 'world', 'hello')", "STRING hello"},
    {"ELT(3, 'a', 'b')", "STRING null"},
    {"ELT(NI, 'a', 'b')", "STRING null"},
};

START_TEST(test_collections)
{
    const char *got = run(coll_cases[_i].in);
    ck_assert_msg(matches(got, coll_cases[_i].want), "case %d: %s\n got:  %s\n want: %s", _i,
                  coll_cases[_i].in, got, coll_cases[_i].want);
}
END_TEST

/* --------------------------------------------------------------------- JSON */

static const fcase json_cases[] = {
    /* extract-json-field.json; map.json "map value as UDF param" */
    {"EXTRACTJSONFIELD('{\"name\": \"cdc\", \"version\": \"1\", \"@type\": \"UDF\"}', '$.name')",
     "STRING cdc"},
    {"EXTRACTJSONFIELD('{\"name\": \"cdc\", \"version\": \"1\", \"@type\": \"UDF\"}', '$.@type')",
     "STRING UDF"},
    /* text after the first value is ignored, as Jackson's readTree does */
    {"EXTRACTJSONFIELD('{\"name\": \"cdd\", \"version\": \"2\", \"@type\": \"VAL\"}}', "
     "'$.version')", "STRING 2"},
    {"CONCAT(EXTRACTJSONFIELD('{\"name\": \"cdc\", \"version\": \"1\"}', '$.name'), "
     "EXTRACTJSONFIELD('{\"name\": \"cdc\", \"version\": \"1\"}', '$.version'))", "STRING cdc1"},
    {"EXTRACTJSONFIELD('{\"city\": \"London\"}', '$.city')", "STRING London"},
    {"EXTRACTJSONFIELD(J, '$.a.b[1]')", "STRING x"},
    {"EXTRACTJSONFIELD(J, '$.a.b[0]')", "STRING 1"},
    {"EXTRACTJSONFIELD(J, '$[''a''][\"b\"][2]')", "STRING {\"c\":true}"},
    {"EXTRACTJSONFIELD(J, '$.a.b[2].c')", "STRING true"},
    {"EXTRACTJSONFIELD(J, '$.a')", "STRING {\"b\":[1,\"x\",{\"c\":true}]}"},
    {"EXTRACTJSONFIELD(J, '$.n')", "STRING null"},
    {"EXTRACTJSONFIELD(J, '$.a.b[3]')", "STRING null"},
    {"EXTRACTJSONFIELD(J, '$.missing.deeper')", "STRING null"},
    {"EXTRACTJSONFIELD(NS, '$.a')", "STRING null"},
    {"EXTRACTJSONFIELD('', '$.a')", "STRING null"},
    {"EXTRACTJSONFIELD('{\"a\": \"\\u00e9\\n\"}', '$.a')", "STRING \xc3\xa9\n"},
    {"EXTRACTJSONFIELD('{bad', '$.a')", "EVALERR EFUNC Invalid JSON format: {bad"},
    /* json_array_contains.json */
    {"JSON_ARRAY_CONTAINS('[\"Red\", \"Green\"]', 'Pink')", "BOOLEAN false"},
    {"JSON_ARRAY_CONTAINS('[\"Pink\", \"Yellow\", \"Pink\"]', 'Pink')", "BOOLEAN true"},
    {"JSON_ARRAY_CONTAINS('[\"Pink\", null]', 'Pink')", "BOOLEAN true"},
    {"JSON_ARRAY_CONTAINS(NS, 'Pink')", "BOOLEAN false"},
    {"JSON_ARRAY_CONTAINS('[1, 2, 3]', 3)", "BOOLEAN true"},
    {"JSON_ARRAY_CONTAINS('[1, 2, 3.0]', 3)", "BOOLEAN false"},
    {"JSON_ARRAY_CONTAINS('[1, 2, 3.5]', 3.5E0)", "BOOLEAN true"},
    {"JSON_ARRAY_CONTAINS('[10000000000]', 10000000000)", "BOOLEAN true"},
    {"JSON_ARRAY_CONTAINS('[[3], {\"a\": 3}]', 3)", "BOOLEAN false"},
    {"JSON_ARRAY_CONTAINS('[false, null]', false)", "BOOLEAN true"},
    {"JSON_ARRAY_CONTAINS('[1, null]', NI)", "BOOLEAN true"},
    {"JSON_ARRAY_CONTAINS('{\"a\": 1}', 1)", "BOOLEAN false"},
    {"JSON_ARRAY_CONTAINS('[1', 1)", "BOOLEAN false"},
    /* json_array_length.json and the docs' examples */
    {"JSON_ARRAY_LENGTH('[\"Red\", \"Green\"]')", "INTEGER 2"},
    {"JSON_ARRAY_LENGTH('[1, [1, [2]], 3]')", "INTEGER 3"},
    {"JSON_ARRAY_LENGTH('[]')", "INTEGER 0"},
    {"JSON_ARRAY_LENGTH('{}')", "INTEGER null"},
    {"JSON_ARRAY_LENGTH('123')", "INTEGER null"},
    {"JSON_ARRAY_LENGTH('')", "INTEGER null"},
    {"JSON_ARRAY_LENGTH(NS)", "INTEGER null"},
    {"JSON_ARRAY_LENGTH('abc')", "EVALERR EFUNC Invalid JSON format: abc"},
    /* is_json_string.json */
    {"IS_JSON_STRING('1')", "BOOLEAN true"},
    {"IS_JSON_STRING('abc')", "BOOLEAN false"},
    {"IS_JSON_STRING('[1, 2, 3]')", "BOOLEAN true"},
    {"IS_JSON_STRING('\"abc\"')", "BOOLEAN true"},
    {"IS_JSON_STRING('null')", "BOOLEAN true"},
    {"IS_JSON_STRING('{}')", "BOOLEAN true"},
    {"IS_JSON_STRING('')", "BOOLEAN false"},
    {"IS_JSON_STRING(NS)", "BOOLEAN false"},
    /* json_concat.json "concat 2 JSON arguments" / "concat 3 JSON arguments" */
    {"JSON_CONCAT('{\"a\": 1}', '{\"b\": 2}')", "STRING {\"a\":1,\"b\":2}"},
    {"JSON_CONCAT('{}', '{}')", "STRING {}"},
    {"JSON_CONCAT('{\"a\": {\"5\": 6}}', '{\"a\": {\"3\": 4}}')", "STRING {\"a\":{\"3\":4}}"},
    {"JSON_CONCAT('[1, 2]', '[3, 4]')", "STRING [1,2,3,4]"},
    {"JSON_CONCAT('null', 'null')", "STRING [null,null]"},
    {"JSON_CONCAT('[1, 2]', '{\"a\": 1}')", "STRING [1,2,{\"a\":1}]"},
    {"JSON_CONCAT('[]', '[]')", "STRING []"},
    {"JSON_CONCAT('[1, [2]]', '[[[3]], [[[4]]]]')", "STRING [1,[2],[[3]],[[[4]]]]"},
    {"JSON_CONCAT('1', '')", "STRING null"},
    {"JSON_CONCAT('', '1')", "STRING null"},
    {"JSON_CONCAT(NS, NS)", "STRING null"},
    {"JSON_CONCAT('abc', '[1]')", "STRING null"},
    {"JSON_CONCAT('{\"a\": 1}', '{\"b\": 2}', '{\"c\": 3}')", "STRING {\"a\":1,\"b\":2,\"c\":3}"},
    {"JSON_CONCAT('{\"a\": {\"5\": 6}}', '{\"a\": {\"3\": 4}}', '{\"a\": {\"7\": 8}}')",
     "STRING {\"a\":{\"7\":8}}"},
    {"JSON_CONCAT('[1, 2]', '{\"a\": 1}', '4')", "STRING [1,2,{\"a\":1},4]"},
    {"JSON_CONCAT('1', '', '2')", "STRING null"},
    /* the docs' JSON_KEYS examples */
    {"JSON_KEYS('{\"a\": \"abc\", \"b\": { \"c\": \"a\" }, \"d\": 1}')", "ARRAY<STRING> [a, b, d]"},
    {"JSON_KEYS('{}')", "ARRAY<STRING> []"},
    {"JSON_KEYS('[]')", "ARRAY<STRING> null"},
    {"JSON_KEYS('123')", "ARRAY<STRING> null"},
    {"JSON_KEYS(NS)", "ARRAY<STRING> null"},
    {"JSON_KEYS('')", "ARRAY<STRING> null"},
    /* json_records.json */
    {"JSON_RECORDS('{\"Red\": 3, \"Green\": 5}')", "MAP<STRING, STRING> {Red=3, Green=5}"},
    {"JSON_RECORDS('{\"White\": \"Seven\"}')", "MAP<STRING, STRING> {White=Seven}"},
    {"JSON_RECORDS('{}')", "MAP<STRING, STRING> {}"},
    {"JSON_RECORDS(NS)", "MAP<STRING, STRING> null"},
    {"JSON_RECORDS('')", "MAP<STRING, STRING> null"},
    {"JSON_RECORDS('{\"a\": \"abc\", \"b\": { \"c\": \"a\" }, \"d\": 1}')",
     "MAP<STRING, STRING> {a=abc, b={\"c\":\"a\"}, d=1}"},
    {"JSON_RECORDS('[]')", "MAP<STRING, STRING> null"},
    /* json_items.json */
    {"JSON_ITEMS('[{\"type\": \"A\", \"timestamp\": \"2022-01-27\"}, {\"type\": \"B\", "
     "\"timestamp\": \"2022-05-18\"}]')",
     "ARRAY<STRING> [{\"type\":\"A\",\"timestamp\":\"2022-01-27\"}, "
     "{\"type\":\"B\",\"timestamp\":\"2022-05-18\"}]"},
    {"JSON_ITEMS('[]')", "ARRAY<STRING> []"},
    {"JSON_ITEMS('[1, 2, 3]')", "ARRAY<STRING> [1, 2, 3]"},
    {"JSON_ITEMS('[\"a\"]')", "ARRAY<STRING> [\"a\"]"},
    {"JSON_ITEMS(NS)", "ARRAY<STRING> null"},
    {"JSON_ITEMS('{}')", "ARRAY<STRING> null"},
    /* to_json_string.json */
    {"TO_JSON_STRING('abc')", "STRING \"abc\""},
    {"TO_JSON_STRING(NS)", "STRING null"},
    {"TO_JSON_STRING(CAST(123 AS BIGINT))", "STRING 123"},
    {"TO_JSON_STRING(123.456)", "STRING 123.456"},
    {"TO_JSON_STRING(CAST('16:43:40' AS TIME))", "STRING \"16:43:40\""},
    {"TO_JSON_STRING(FROM_DAYS(1000))", "STRING \"1972-09-27\""},
    {"TO_JSON_STRING(FROM_UNIXTIME(60220000000))", "STRING \"1971-11-28T23:46:40.000\""},
    {"TO_JSON_STRING(ARRAY[1, 2, 3])", "STRING [1,2,3]"},
    {"TO_JSON_STRING(MAP('c' := 2, 'd' := 4))", "STRING {\"c\":2,\"d\":4}"},
    {"TO_JSON_STRING(ARR)", "STRING [3,1,2,1,null]"},
    {"TO_JSON_STRING(true)", "STRING true"},
    {"TO_JSON_STRING(DB)", "STRING 2.5"},
    {"TO_JSON_STRING('say \"hi\"\\')", "STRING \"say \\\"hi\\\"\\\\\""},
    {"TO_JSON_STRING(NULL)", "STRING null"},
    {"TO_JSON_STRING(STRUCT(id := 1))", "ERR *does not accept parameters*"},
};

START_TEST(test_json)
{
    const char *got = run(json_cases[_i].in);
    ck_assert_msg(matches(got, json_cases[_i].want), "case %d: %s\n got:  %s\n want: %s", _i,
                  json_cases[_i].in, got, json_cases[_i].want);
}
END_TEST

/* --------------------------------------------------------------------- misc */

static const fcase misc_cases[] = {
    /* chr.json "multiple invocations" and the docs' examples */
    {"CONCAT(CHR('\\u004b'), CHR('\\u0053'), CHR(81), CHR(76))", "STRING KSQL"},
    {"CHR(75)", "STRING K"},
    {"CHR(22909)", "STRING \xe5\xa5\xbd"},
    {"CHR('\\u597d')", "STRING \xe5\xa5\xbd"},
    {"CHR(9)", "STRING \t"},
    {"CHR(-1)", "STRING null"},
    {"CHR(1114112)", "STRING null"},
    {"CHR('u004b')", "STRING null"},
    {"CHR('\\uzzzz')", "STRING null"},
    {"CHR(NI)", "STRING null"},
    /* encode.json "encode hex" */
    {"ENCODE('4578616d706C6521', 'hex', 'ascii')", "STRING Example!"},
    {"ENCODE('4578616d706C6521', 'hex', 'utf8')", "STRING Example!"},
    {"ENCODE('4578616d706C6521', 'hex', 'base64')", "STRING RXhhbXBsZSE="},
    {"ENCODE('ce95cebbcebbceacceb4ceb1', 'hex', 'utf8')",
     "STRING \xce\x95\xce\xbb\xce\xbb\xce\xac\xce\xb4\xce\xb1"},
    {"ENCODE('c39c6265726d656e736368', 'hex', 'ascii')",
     "STRING \xef\xbf\xbd\xef\xbf\xbd" "bermensch"},
    {"ENCODE('c39c6265726d656e736368', 'hex', 'base64')", "STRING w5xiZXJtZW5zY2g="},
    {"ENCODE(NS, 'hex', 'ascii')", "STRING null"},
    {"ENCODE('0x4578616d706C6521', 'hex', 'utf8')", "STRING Example!"},
    {"ENCODE('X''4578616d706C6521''', 'hex', 'utf8')", "STRING Example!"},
    {"ENCODE('x''4578616d706C6521''', 'hex', 'base64')", "STRING RXhhbXBsZSE="},
    {"ENCODE('0x', 'hex', 'utf8')", "STRING "},
    {"ENCODE('X''''', 'hex', 'utf8')", "STRING "},
    {"ENCODE('0x0x', 'hex', 'utf8')", "STRING null"},
    {"ENCODE('X''', 'hex', 'utf8')", "STRING null"},
    {"ENCODE('x''4578616d706C6521', 'hex', 'utf8')", "STRING null"},
    {"ENCODE('x''578616d706C6521''', 'hex', 'utf8')", "STRING null"},
    {"ENCODE('0x578616d706C6521', 'hex', 'base64')", "STRING BXhhbXBsZSE="},
    {"ENCODE('578616d706C6521', 'hex', 'utf8')", "STRING null"},
    /* encode.json "encode ascii" / "encode base64" / "encode null" */
    {"ENCODE('Example!', 'ascii', 'hex')", "STRING 4578616d706c6521"},
    {"ENCODE('\xce\x95\xce\xbb\xce\xbb\xce\xac\xce\xb4\xce\xb1', 'ascii', 'utf8')",
     "STRING ??????"},
    {"ENCODE('\xce\x95\xce\xbb\xce\xbb\xce\xac\xce\xb4\xce\xb1', 'ascii', 'base64')",
     "STRING Pz8/Pz8/"},
    {"ENCODE('RXhhbXBsZSE=', 'base64', 'hex')", "STRING 4578616d706c6521"},
    {"ENCODE('zpXOu867zqzOtM6x', 'base64', 'utf8')",
     "STRING \xce\x95\xce\xbb\xce\xbb\xce\xac\xce\xb4\xce\xb1"},
    {"ENCODE('zpXOu867zqzOtM6x', 'base64', 'ascii')",
     "STRING \xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"
     "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"},
    {"ENCODE('RXhhbXBsZSE=', 'base64', 'null')", "EVALERR EFUNC Supported input and output "
                                                 "encodings are: hex, utf8, ascii and base64"},
    {"ENCODE(NS, 'null', 'utf8')", "STRING null"},
    /* bytes-and-strings.json */
    {"FROM_BYTES(TO_BYTES('IQ==', 'base64'), 'hex')", "STRING 21"},
    {"FROM_BYTES(TO_BYTES('GrI=', 'base64'), 'hex')", "STRING 1AB2"},
    {"TO_BYTES(FROM_BYTES(TO_BYTES('GrI=', 'base64'), 'hex'), 'hex')", "BYTES GrI="},
    {"FROM_BYTES(TO_BYTES('1aB2', 'hex'), 'hex')", "STRING 1AB2"},
    {"FROM_BYTES(TO_BYTES('IQ==', 'base64'), 'utf8')", "STRING !"},
    {"FROM_BYTES(TO_BYTES('!', 'utf8'), 'utf8')", "STRING !"},
    {"FROM_BYTES(TO_BYTES('Iw==', 'base64'), 'base64')", "STRING Iw=="},
    {"TO_BYTES('zz', 'hex')", "EVALERR EFUNC TO_BYTES: 'zz' is not valid hex"},
    {"TO_BYTES('a', 'ebcdic')", "EVALERR EFUNC Supported encoding types are: hex, utf8, ascii "
                                "and base64"},
    {"INT_FROM_BYTES(TO_BYTES('5QcAAA==', 'base64'), 'LITTLE_ENDIAN')", "INTEGER 2021"},
    {"BIGINT_FROM_BYTES(TO_BYTES('APIFKgEAAAA=', 'base64'), 'LITTLE_ENDIAN')",
     "BIGINT 5000000000"},
    {"DOUBLE_FROM_BYTES(TO_BYTES('gvXJm/2mgEA=', 'base64'), 'LITTLE_ENDIAN')",
     "DOUBLE 532.8738323"},
    {"INT_FROM_BYTES(TO_BYTES('AAAH5Q==', 'base64'))", "INTEGER 2021"},
    {"BIGINT_FROM_BYTES(TO_BYTES('AAAAASoF8gA=', 'base64'), 'BIG_ENDIAN')", "BIGINT 5000000000"},
    {"DOUBLE_FROM_BYTES(TO_BYTES('QICm/ZvJ9YI=', 'base64'))", "DOUBLE 532.8738323"},
    {"INT_FROM_BYTES(TO_BYTES('AAAH', 'base64'))", "INTEGER null"},
    {"INT_FROM_BYTES(TO_BYTES('AAAH5Q==', 'base64'), 'MIDDLE_ENDIAN')", "INTEGER null"},
    /* md5.json */
    {"MD5('r1')", "STRING 7c92cf1eee8d99cc85f8355a3d6e4b86"},
    {"MD5('r2')", "STRING d279186428a75016b17e4df5ea43d080"},
    {"MD5('r3')", "STRING 9d3e622df914d8de7f747b7b8b143c52"},
    {"MD5(NS)", "STRING null"},
    {"MD5('')", "STRING d41d8cd98f00b204e9800998ecf8427e"},
    {"MD5(' ')", "STRING 7215ee9c7d9dc229d2921a40e899ec5f"},
    {"MD5('  ')", "STRING 23b58def11b45727d3351702515f86af"},
    /* RFC 1321's test suite: a two-block message */
    {"MD5('12345678901234567890123456789012345678901234567890123456789012345678901234567890')",
     "STRING 57edf4a22be3c955ac49da2e2107b67a"},
    /* UUID */
    {"LEN(UUID())", "INTEGER 36"},
    {"SUBSTRING(UUID(), 15, 1)", "STRING 4"},
    {"UUID() = UUID()", "BOOLEAN false"},
    {"UUID(TO_BYTES('00112233445566778899aabbccddeeff', 'hex'))",
     "STRING 00112233-4455-6677-8899-aabbccddeeff"},
    {"UUID(TO_BYTES('0011', 'hex'))", "STRING null"},
    /* the docs' MASK examples */
    {"MASK('My Test $123')", "STRING Xx-Xxxx--nnn"},
    {"MASK('My Test $123', '*', NULL, '1', NULL)", "STRING *y *est $111"},
    {"MASK_KEEP_LEFT('My Test $123', 4)", "STRING My Txxx--nnn"},
    {"MASK_KEEP_RIGHT('My Test $123', 4)", "STRING Xx-Xxxx-$123"},
    {"MASK_LEFT('My Test $123', 4)", "STRING Xx-Xest $123"},
    {"MASK_RIGHT('My Test $123', 4)", "STRING My Test -nnn"},
    {"MASK_LEFT('My Test $123', 40)", "STRING Xx-Xxxx--nnn"},
    {"MASK_RIGHT('ab', 4, 'U', 'L', 'D', 'O')", "STRING LL"},
    {"MASK('\xc3\x89t\xc3\xa9 9')", "STRING Xxx-n"},
    {"MASK(NS)", "STRING null"},
    {"MASK_LEFT(NS, 2)", "STRING null"},
    {"MASK_LEFT('abc', -1)", "EVALERR EFUNC *non-negative*"},
    /* url.json */
    {"URL_ENCODE_PARAM('?foo $bar')", "STRING %3Ffoo+%24bar"},
    {"URL_ENCODE_PARAM('hello&world')", "STRING hello%26world"},
    {"URL_ENCODE_PARAM('nothing')", "STRING nothing"},
    {"URL_ENCODE_PARAM('\xc3\xa9')", "STRING %C3%A9"},
    {"URL_DECODE_PARAM('%3Ffoo+%24bar')", "STRING ?foo $bar"},
    {"URL_DECODE_PARAM('hello%26world')", "STRING hello&world"},
    {"URL_DECODE_PARAM('nothing')", "STRING nothing"},
    {"URL_DECODE_PARAM('bad%2')", "EVALERR EFUNC URLDecoder: Incomplete trailing escape (%) "
                                  "pattern"},
    {"URL_EXTRACT_FRAGMENT('http://www.test.com/?query#fragment')", "STRING fragment"},
    {"URL_EXTRACT_FRAGMENT('http://www.nofragment.com')", "STRING null"},
    {"URL_EXTRACT_HOST('http://www.test.com/?query#fragment')", "STRING www.test.com"},
    {"URL_EXTRACT_HOST('http://test@confluent.io:8080')", "STRING confluent.io"},
    {"URL_EXTRACT_PARAMETER('http://www.test.com/?one=a&two=b&three', 'one')", "STRING a"},
    {"URL_EXTRACT_PARAMETER('http://www.test.com/?one=a&two=b&three', 'two')", "STRING b"},
    {"URL_EXTRACT_PARAMETER('http://www.test.com/?one=a&two=b&three', 'three')", "STRING "},
    {"URL_EXTRACT_PARAMETER('http://www.test.com/?one=a&two=b&three', 'four')", "STRING null"},
    {"URL_EXTRACT_PATH('http://www.test.com?query#fragment')", "STRING "},
    {"URL_EXTRACT_PATH('http://www.test.com/path?query')", "STRING /path"},
    {"URL_EXTRACT_PATH('http://test@confluent.io:8080/nested/path?query&jobs')",
     "STRING /nested/path"},
    {"URL_EXTRACT_PATH('http://x.com/a%20b')", "STRING /a b"},
    {"URL_EXTRACT_PORT('http://test@confluent.io')", "INTEGER null"},
    {"URL_EXTRACT_PORT('http://test@confluent.io:8080/nested/path?query&jobs')",
     "INTEGER 8080"},
    {"URL_EXTRACT_PROTOCOL('http://test@confluent.io')", "STRING http"},
    {"URL_EXTRACT_PROTOCOL('https://test@confluent.io:8080/nested/path?query&jobs')",
     "STRING https"},
    {"URL_EXTRACT_PROTOCOL('www.confluent.io')", "STRING null"},
    {"URL_EXTRACT_QUERY('http://x.com/p?a=1&b=%3F#f')", "STRING a=1&b=?"},
    {"URL_EXTRACT_QUERY('http://x.com/p')", "STRING null"},
    {"URL_EXTRACT_HOST('mailto:someone@x.com')", "STRING null"},
    {"URL_EXTRACT_HOST('http://bad host/')", "EVALERR EFUNC URL input has invalid syntax: "
                                             "http://bad host/"},
    {"URL_EXTRACT_HOST(NS)", "STRING null"},
    /* regex.json */
    {"REGEXP_EXTRACT('test.', 'some_test_string')", "STRING test_"},
    {"REGEXP_EXTRACT('test.', 'anothertest')", "STRING null"},
    {"REGEXP_EXTRACT('test.', 'testa')", "STRING testa"},
    {"REGEXP_EXTRACT('test.', 'nothing')", "STRING null"},
    {"REGEXP_EXTRACT('test.', NS)", "STRING null"},
    {"REGEXP_EXTRACT('(.*) (.*)', 'hello there', 2)", "STRING there"},
    {"REGEXP_EXTRACT('(a)|(b)', 'b', 1)", "STRING null"},
    {"REGEXP_EXTRACT('(a)', 'a', 2)", "EVALERR EFUNC No group 2"},
    {"REGEXP_EXTRACT('\\d+', 'abc 123 def')", "STRING 123"},
    {"REGEXP_EXTRACT('[\\d.]+', 'v=1.25;')", "STRING 1.25"},
    {"REGEXP_EXTRACT('^b', 'ab')", "STRING null"},
    /* Java escapes translated for POSIX, or refused */
    {"REGEXP_EXTRACT('[\\w]+', '  ab_1 ')", "STRING ab_1"},
    {"REGEXP_EXTRACT('[\\s]+x', 'a \tx')", "STRING  \tx"},
    {"REGEXP_EXTRACT('\\bb\\w*', 'ab bc')", "STRING bc"},
    {"REGEXP_EXTRACT('a\\.b', 'axb a.b')", "STRING a.b"},
    {"REGEXP_EXTRACT('[a\\]]', 'x')", "EVALERR EFUNC *is not supported here*"},
    {"REGEXP_EXTRACT('[[:alpha:]]', 'x')", "EVALERR EFUNC *'[' inside a class*"},
    {"REGEXP_EXTRACT('(a)\\1', 'aa')", "EVALERR EFUNC *is not supported here*"},
    {"REGEXP_EXTRACT('\\x41', 'A')", "EVALERR EFUNC *is not supported here*"},
    {"REGEXP_EXTRACT_ALL('test.', 'some_test_string_testabab')", "ARRAY<STRING> [test_, testa]"},
    {"REGEXP_EXTRACT_ALL('test.', 'anothertest')", "ARRAY<STRING> []"},
    {"REGEXP_EXTRACT_ALL('test.', 'testa')", "ARRAY<STRING> [testa]"},
    {"REGEXP_EXTRACT_ALL('test.', NS)", "ARRAY<STRING> null"},
    {"REGEXP_EXTRACT_ALL('(\\w+) (\\w*)', 'steven zhang andy coates', 2)",
     "ARRAY<STRING> [zhang, coates]"},
    {"REGEXP_EXTRACT_ALL('(\\w+) (\\w*)', 'victoria xia apurva mehta', 2)",
     "ARRAY<STRING> [xia, mehta]"},
    {"REGEXP_EXTRACT_ALL('(\\w+) (\\w*)', 'apurva mehta agavra ', 2)",
     "ARRAY<STRING> [mehta, ]"},
    {"REGEXP_EXTRACT_ALL('(\\w+) (\\w*)', 'agavra', 2)", "ARRAY<STRING> []"},
    {"REGEXP_EXTRACT_ALL('(\\w+) (\\w+)', 'hello there nice day', 2)",
     "ARRAY<STRING> [there, day]"},
    {"REGEXP_EXTRACT_ALL('^a', 'aaa')", "ARRAY<STRING> [a]"},
    {"REGEXP_EXTRACT_ALL('a*', 'baa')", "ARRAY<STRING> [, aa, ]"},
    /* replace.json "regexp_replace" */
    {"REGEXP_REPLACE('baababaa', '(ab)+', 'cat')", "STRING bacataa"},
    {"REGEXP_REPLACE('baabbabaa', '(ab)+', 'cat')", "STRING bacatbcataa"},
    {"REGEXP_REPLACE(NS, '(ab)+', 'cat')", "STRING null"},
    {"REGEXP_REPLACE('baababaa', NS, 'cat')", "STRING null"},
    {"REGEXP_REPLACE('John Smith', '(\\w+) (\\w+)', '$2, $1')", "STRING Smith, John"},
    {"REGEXP_REPLACE('a.b', '\\.', '\\$')", "STRING a$b"},
    {"REGEXP_REPLACE('baa', 'a*', 'X')", "STRING XbXX"},
    {"REGEXP_REPLACE('abc', '(', 'X')", "EVALERR EFUNC Invalid regular expression pattern: (*"},
    {"REGEXP_REPLACE('abc', 'a+?', 'X')", "EVALERR EFUNC *lazy and possessive quantifiers*"},
    {"REGEXP_REPLACE('abc', '(?i)A', 'X')", "EVALERR EFUNC *(?...) groups*"},
    /* the docs' REGEXP_SPLIT_TO_ARRAY rules */
    {"REGEXP_SPLIT_TO_ARRAY('aabbaacc', 'a.b+')", "ARRAY<STRING> [, aacc]"},
    {"REGEXP_SPLIT_TO_ARRAY('abc', 'x')", "ARRAY<STRING> [abc]"},
    {"REGEXP_SPLIT_TO_ARRAY('a1b22c', '[0-9]')", "ARRAY<STRING> [a, b, , c]"},
    {"REGEXP_SPLIT_TO_ARRAY('1a1', '1')", "ARRAY<STRING> [, a, ]"},
    {"REGEXP_SPLIT_TO_ARRAY('abc', '')", "ARRAY<STRING> [a, b, c]"},
    {"REGEXP_SPLIT_TO_ARRAY(NS, 'a')", "ARRAY<STRING> null"},
    {"REGEXP_SPLIT_TO_ARRAY('abc', NS)", "ARRAY<STRING> null"},
    /* geodistance.json */
    {"GEO_DISTANCE(37.4439, -122.1663, 51.5257, -0.1122)", "DOUBLE 8634.659796579544"},
    {"GEO_DISTANCE(37.4439, -122.1663, 51.5257, -0.1122, NS)", "DOUBLE 8634.659796579544"},
    {"GEO_DISTANCE(37.4439, -122.1663, 51.5257, -0.1122, 'KM')", "DOUBLE 8634.659796579544"},
    {"GEO_DISTANCE(37.4439, -122.1663, 51.5257, -0.1122, 'MI')", "DOUBLE 5365.659729188262"},
    {"GEO_DISTANCE(51.5257, -0.1122, -33.9323, 18.4197)", "DOUBLE 9673.40421197142"},
    {"GEO_DISTANCE(51.5257, -0.1122, -33.9323, 18.4197, 'MI')", "DOUBLE 6011.1453892944355"},
    {"GEO_DISTANCE(-33.9323, 18.4197, -33.8666, 151.1)", "DOUBLE 11005.23304055582"},
    {"GEO_DISTANCE(-33.9323, 18.4197, -33.8666, 151.1, 'miles')", "DOUBLE 6838.756491533589"},
    {"GEO_DISTANCE(39.18660374, -76.73262144, 39.18660374, -76.73222145)",
     "DOUBLE 0.03447366811448324"},
    /* udf-implicit-cast.json: integer and decimal arguments widen to DOUBLE */
    {"GEO_DISTANCE(37.4439, -122.1663, 51, 0)", "DOUBLE 8682.459061368269"},
    {"GEO_DISTANCE(DB + 34.9439, -122.1663, CAST(51 AS BIGINT), 0)",
     "DOUBLE 8682.459061368269"},
    {"GEO_DISTANCE(37.4439, -122.1663, 51.0, 0)", "DOUBLE 8682.459061368269"},
    /* ksqlDB: "Function 'geo_distance' does not accept parameters"; the binder's string
     * literal rule (expr.c) tries the literal as a DOUBLE first */
    {"GEO_DISTANCE(37.4439, -122.1663, 'foo', 0)",
     "ERR *invalid input syntax for type DOUBLE: \"foo\"*"},
    {"GEO_DISTANCE(CAST(NI AS DOUBLE), 0, 0, 0)", "DOUBLE null"},
    {"GEO_DISTANCE(91, 0, 0, 0)", "EVALERR EFUNC valid latitude values*"},
    {"GEO_DISTANCE(0, 0, 0, 0, 'parsecs')", "EVALERR EFUNC GeoDistance function units*"},
};

START_TEST(test_misc)
{
    const char *got = run(misc_cases[_i].in);
    ck_assert_msg(matches(got, misc_cases[_i].want), "case %d: %s\n got:  %s\n want: %s", _i,
                  misc_cases[_i].in, got, misc_cases[_i].want);
}
END_TEST

#define NCASES(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* --------------------------------------------------------------- threads */

/* Expressions evaluated by several threads at once: the zone cache, the per-thread regex
 * cache and scratch buffers must not mix results up (run under EDDY_SANITIZE too). */
static const fcase thread_cases[] = {
    {"FORMAT_TIMESTAMP(TS, 'yyyy-MM-dd HH:mm zzz', 'Asia/Tokyo')", "2018-05-12 06:58 JST"},
    {"FORMAT_TIMESTAMP(TS, 'yyyy-MM-dd HH:mm zzz', 'America/New_York')",
     "2018-05-11 17:58 EDT"},
    {"FORMAT_TIMESTAMP(TS, 'yyyy-MM-dd HH:mm zzz', 'Australia/Sydney')",
     "2018-05-12 07:58 AEST"},
    {"REGEXP_REPLACE(S, 'o', '0')", "Hell0 W0rld"},
    {"REGEXP_REPLACE(S, '[A-Z]', '_')", "_ello _orld"},
    {"JSON_CONCAT('[1]', S2)", "[1,\"x\"]"},
    {"ARRAY_JOIN(SARR, '/')", "foo/Bar/null/baz"},
    {"MASK_LEFT(S, 3)", "Xxxlo World"},
};

typedef struct thread_arg {
    eddy_expr *e[8];
    int offset, failures;
} thread_arg;

static void *thread_main(void *p)
{
    thread_arg *t = p;
    eddy_arena *a = eddy_arena_new(0);
    char err[512];
    for (int i = 0; i < 2000; i++) {
        int k = (i + t->offset) % NCASES(thread_cases);
        eddy_eval_ctx ctx = {.arena = a, .errstr = err, .errstr_size = sizeof err};
        eddy_value v;
        if (eddy_expr_eval(t->e[k], &rec, &ctx, &v) != 0 || v.is_null ||
            v.len != strlen(thread_cases[k].want) ||
            memcmp(v.u.str, thread_cases[k].want, v.len) != 0)
            t->failures++;
        eddy_arena_reset(a);
    }
    eddy_arena_destroy(a);
    return NULL;
}

START_TEST(test_threads)
{
    eddy_expr *e[8];
    char err[512];
    eddy_scope sc = {.schema = schema, .registry = NULL, .pseudo_columns = true};
    static const char s2[] = "\"x\"";
    cols[schema->ncols - 1] = eddy_string(s2, 3); /* J, read as S2 below */
    for (int k = 0; k < NCASES(thread_cases); k++) {
        char text[256];
        snprintf(text, sizeof text, "%s", thread_cases[k].in);
        char *s2at = strstr(text, "S2");
        if (s2at)
            memcpy(s2at, "J ", 2);
        ck_assert_msg(eddy_expr_compile(text, &sc, &e[k], err, sizeof err) == 0, "%s", err);
    }
    pthread_t th[4];
    thread_arg args[4];
    for (int i = 0; i < 4; i++) {
        memset(&args[i], 0, sizeof args[i]);
        memcpy(args[i].e, e, sizeof e);
        args[i].offset = i;
        ck_assert_int_eq(pthread_create(&th[i], NULL, thread_main, &args[i]), 0);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(th[i], NULL);
        ck_assert_int_eq(args[i].failures, 0);
    }
    for (int k = 0; k < NCASES(thread_cases); k++)
        eddy_expr_destroy(e[k]);
}
END_TEST

/* ---------------------------------------------------------- table functions */

/* Compiles a table function call and evaluates it: "TYPE [row, row, ...]" (each row as
 * eddy_value_format_typed prints it), "ERR message" or "EVALERR code message". */
static const char *run_table(const char *text)
{
    static char out[2048];
    char err[512] = "";
    eddy_scope sc = {.schema = schema, .pseudo_columns = true, .table_function = true};
    eddy_expr *e;
    int rc = eddy_expr_compile(text, &sc, &e, err, sizeof err);
    if (rc) {
        snprintf(out, sizeof out, "ERR %s", err);
        return out;
    }
    eddy_arena *a = eddy_arena_new(0);
    eddy_eval_ctx ctx = {.arena = a, .errstr = err, .errstr_size = sizeof err};
    eddy_value *rows;
    uint32_t n;
    rc = eddy_expr_eval_table(e, &rec, &ctx, &rows, &n);
    char tb[256];
    eddy_type_format(eddy_expr_type(e), tb, sizeof tb);
    if (rc) {
        snprintf(out, sizeof out, "EVALERR %s %s", eddy_err_name(rc), err);
    } else {
        eddy_buf b = {0};
        eddy_buf_puts(&b, "[");
        for (uint32_t i = 0; i < n; i++) {
            if (i)
                eddy_buf_puts(&b, ", ");
            ck_assert_int_eq(eddy_value_format_typed(&b, &rows[i], eddy_expr_type(e)), 0);
        }
        eddy_buf_puts(&b, "]");
        snprintf(out, sizeof out, "%s %s", tb, eddy_buf_cstr(&b));
        eddy_buf_free(&b);
    }
    eddy_arena_destroy(a);
    eddy_expr_destroy(e);
    return out;
}

/* Rows worked out by hand from table-functions.md (EXPLODE: one row per element; CUBE_EXPLODE:
 * 2^n combinations, first all NULL, the last element varying fastest, a NULL element's
 * duplicates skipped). ARR is [3, 1, 2, 1, NULL], SARR ['foo', 'Bar', NULL, 'baz']. */
static const fcase table_cases[] = {
    {"EXPLODE(ARR)", "INTEGER [3, 1, 2, 1, null]"},
    {"EXPLODE(NARR)", "INTEGER [-1, 0, 5]"},
    {"EXPLODE(NULLARR)", "INTEGER []"},
    {"EXPLODE(ARRAY[S, NS])", "STRING [Hello World, null]"},
    {"EXPLODE(ARRAY[1.5, 2.25])", "DECIMAL(3, 2) [1.50, 2.25]"},
    {"EXPLODE(FILTER(ARR, x => x > 1))", "INTEGER [3, 2]"},
    {"CUBE_EXPLODE(ARRAY[I, 7])", "ARRAY<INTEGER> [[null, null], [null, 7], [3, null], [3, 7]]"},
    {"CUBE_EXPLODE(ARRAY[NI, I])", "ARRAY<INTEGER> [[null, null], [null, 3]]"},
    {"CUBE_EXPLODE(ARRAY[NS, S, NS])", "ARRAY<STRING> [[null, null, null], [null, Hello World, null]]"},
    {"CUBE_EXPLODE(NULLARR)", "ARRAY<INTEGER> []"},
    /* an argument that fails drops the row (ksqlDB's flat map), where a scalar call would
     * have been NULL */
    {"EXPLODE(ARRAY[CAST(SUBSTRING(S, 1, 1) AS INT)])", "EVALERR *"},
    {"EXPLODE(M)", "ERR line 1:1: Function 'explode' does not accept parameters "
                   "(MAP<STRING, INTEGER>).\nValid alternatives are:\n"
                   "explode(ARRAY<DECIMAL> input)\nexplode(ARRAY<T> list)"},
    {"ABS(I)", "ERR line 1:1: 'ABS' is not a table function: ABS(I)"},
    {"I", "ERR line 1:1: a table function call was expected: I"},
    {"EXPLODE(ARRAY[EXPLODE(ARR)])", "ERR line 1:15: Table function 'EXPLODE' is not allowed "
                                     "here: EXPLODE(ARR)"},
};

START_TEST(test_table)
{
    const char *got = run_table(table_cases[_i].in);
    ck_assert_msg(matches(got, table_cases[_i].want), "case %d: %s\n got:  %s\n want: %s", _i,
                  table_cases[_i].in, got, table_cases[_i].want);
}
END_TEST

/* A table function is refused where a scalar value is wanted. */
START_TEST(test_table_in_scalar)
{
    ck_assert_str_eq(run("ABS(EXPLODE(ARR))"),
                     "ERR line 1:5: Table function 'EXPLODE' is not allowed here: EXPLODE(ARR)");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("functions");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_loop_test(tc, test_time, 0, NCASES(time_cases));
    tcase_add_loop_test(tc, test_collections, 0, NCASES(coll_cases));
    tcase_add_loop_test(tc, test_json, 0, NCASES(json_cases));
    tcase_add_loop_test(tc, test_misc, 0, NCASES(misc_cases));
    tcase_add_test(tc, test_threads);
    tcase_add_loop_test(tc, test_table, 0, NCASES(table_cases));
    tcase_add_test(tc, test_table_in_scalar);
    tcase_set_timeout(tc, 60);
    suite_add_tcase(s, tc);
    return eddy_test_run(s);
}
