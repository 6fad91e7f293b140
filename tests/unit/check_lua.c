/* check_lua.c: the Lua UDF runtime (udf/lua_udf.c): type mapping both ways, overloads,
 * variadics, scalar/aggregate/table functions, the sandbox, the budgets (time, instructions,
 * memory), every failure path, reloads, threads, the UDFs shipped in udf/lua/ (expected values
 * worked out by hand from the rules written in ratings.lua), and the cost of a call. */
#include "testutil.h"

#ifndef EDDY_HAVE_LUA
/* Built by the main CMake before udf/ is wired in (EDDY_HAVE_LUA comes with eddy_lua). */
#include <stdio.h>
int main(void)
{
    fprintf(stderr, "check_lua: the eddy_lua library is not linked into this build\n");
    return 0;
}
#else

#include "lua_udf.h"
#include "expr/expr.h"
#include "sql/parser.h"

#include <cjson/cJSON.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#ifndef EDDY_SOURCE_DIR
#define EDDY_SOURCE_DIR "."
#endif

static eddy_registry *reg;
static eddy_arena *arena;
static char err[8192];

static void setup(void)
{
    reg = eddy_registry_new();
    arena = eddy_arena_new(0);
    ck_assert_ptr_nonnull(reg);
    err[0] = '\0';
}

static void teardown(void)
{
    eddy_registry_destroy(reg);
    eddy_arena_destroy(arena);
    eddy_lua_shutdown();
}

static void load(const char *name, const char *text)
{
    int rc = eddy_lua_load_string(reg, name, text, err, sizeof err);
    ck_assert_msg(rc == 0, "load %s: %d %s", name, rc, err);
}

static const eddy_type *type_of(const char *text)
{
    const eddy_type *t = NULL;
    char e[256];
    ck_assert_msg(eddy_type_parse(text, &t, e, sizeof e) == 0, "%s: %s", text, e);
    return t;
}

static const eddy_type *vtype(const eddy_value *v)
{
    if (v->type == EDDY_TYPE_DECIMAL)
        return eddy_type_decimal(v->precision, v->scale);
    return v->type ? eddy_type_primitive((eddy_type_id)v->type) : NULL;
}

/* Resolves and calls a scalar as the evaluator does (NULL in, NULL out unless calls_on_null).
 * argt may be NULL: types from the values. Returns the code; *out set on success. */
static int call_typed(const char *name, int argc, const eddy_value *argv,
                      const eddy_type *const *argt_in, eddy_value *out, const eddy_type **ret)
{
    const eddy_type *argt[64] = {0};
    for (int i = 0; i < argc; i++)
        argt[i] = argt_in ? argt_in[i] : vtype(&argv[i]);
    eddy_func_binding b;
    int rc = eddy_registry_resolve(reg, name, EDDY_FUNC_SCALAR, argc, argt, &b, err, sizeof err);
    ck_assert_msg(rc == 0, "resolve %s: %s", name, err);
    if (ret)
        *ret = b.ret;
    bool any_null = false;
    for (int i = 0; i < argc; i++)
        any_null |= argv[i].is_null != 0;
    if (any_null && !b.fn->calls_on_null) {
        *out = eddy_null(b.ret->id);
        return 0;
    }
    eddy_func_ctx ctx = {.arena = arena, .errstr = err, .errstr_size = sizeof err};
    err[0] = '\0';
    return b.fn->scalar(&ctx, b.fn, argc, argv, out);
}

/* "value" as eddy_value_format_typed renders it, or "ERR <code> <message>". */
static const char *show(int rc, const eddy_value *v, const eddy_type *t)
{
    static char out[8192 + 64];
    if (rc) {
        snprintf(out, sizeof out, "ERR %s %s", eddy_err_name(rc), err);
        return out;
    }
    eddy_buf b = {0};
    eddy_value_format_typed(&b, v, t);
    snprintf(out, sizeof out, "%s", b.data ? eddy_buf_cstr(&b) : "");
    eddy_buf_free(&b);
    return out;
}

static const char *call1(const char *name, eddy_value a)
{
    eddy_value v;
    const eddy_type *t = NULL;
    int rc = call_typed(name, 1, &a, NULL, &v, &t);
    return show(rc, &v, t);
}

#define ASSERT_STR(got, want)                                                               \
    do {                                                                                    \
        const char *g_ = (got), *w_ = (want);                                               \
        ck_assert_msg(strcmp(g_, w_) == 0, "\n got:  %s\n want: %s", g_, w_);               \
    } while (0)
#define ASSERT_HAS(got, want)                                                               \
    do {                                                                                    \
        const char *g_ = (got), *w_ = (want);                                               \
        ck_assert_msg(strstr(g_, w_) != NULL, "\n got:  %s\n want (substring): %s", g_, w_); \
    } while (0)

/* ------------------------------------------------------------- SQL -> Lua */

static const char *DESCRIBE_LUA =
    "local function describe(x)\n"
    "  local t = type(x)\n"
    "  if t == 'table' then\n"
    "    local keys = {}\n"
    "    for k in pairs(x) do keys[#keys + 1] = k end\n"
    "    table.sort(keys, function(a, b) return tostring(a) < tostring(b) end)\n"
    "    local parts = {}\n"
    "    for _, k in ipairs(keys) do parts[#parts + 1] = tostring(k) .. '=' .. describe(x[k]) end\n"
    "    return '{' .. table.concat(parts, ',') .. '}'\n"
    "  elseif t == 'number' then return math.type(x) .. ':' .. tostring(x)\n"
    "  elseif t == 'string' then return 'string(' .. #x .. '):' .. x\n"
    "  else return t .. ':' .. tostring(x) end\n"
    "end\n"
    "for _, ty in ipairs{'BOOLEAN', 'INT', 'BIGINT', 'DOUBLE', 'DECIMAL', 'STRING', 'BYTES',\n"
    "    'DATE', 'TIME', 'TIMESTAMP', 'ARRAY<INT>', 'MAP<STRING, INT>',\n"
    "    'STRUCT<A INT, `b` STRING, C ARRAY<STRUCT<X BOOLEAN>>>'} do\n"
    "  udf.scalar{ name = 'describe', params = {ty}, returns = 'STRING', calls_on_null = true,\n"
    "              fn = describe }\n"
    "end\n";

START_TEST(test_sql_to_lua)
{
    load("describe.lua", DESCRIBE_LUA);
    ASSERT_STR(call1("describe", eddy_bool(true)), "boolean:true");
    ASSERT_STR(call1("describe", eddy_bool(false)), "boolean:false");
    ASSERT_STR(call1("describe", eddy_int(-7)), "integer:-7");
    ASSERT_STR(call1("describe", eddy_bigint(10000000000LL)), "integer:10000000000");
    ASSERT_STR(call1("describe", eddy_double(2.5)), "float:2.5");
    ASSERT_STR(call1("describe", eddy_double(3)), "float:3.0");
    ASSERT_STR(call1("describe", eddy_decimal(1230, 4, 2)), "string(5):12.30");
    ASSERT_STR(call1("describe", eddy_decimal(-5, 3, 3)), "string(6):-0.005");
    ASSERT_STR(call1("describe", eddy_string("h\xc3\xa9", 3)), "string(3):h\xc3\xa9");
    ASSERT_STR(call1("describe", eddy_bytes("ab", 2)), "string(2):ab");
    ASSERT_STR(call1("describe", eddy_date(18000)), "integer:18000");
    ASSERT_STR(call1("describe", eddy_time(3600000)), "integer:3600000");
    ASSERT_STR(call1("describe", eddy_timestamp(1580000000000LL)), "integer:1580000000000");
    /* NULL: nil (this function asks to be called on NULL) */
    ASSERT_STR(call1("describe", eddy_null(EDDY_TYPE_INT)), "nil:nil");

    eddy_value items[3] = {eddy_int(1), eddy_null(EDDY_TYPE_INT), eddy_int(3)};
    eddy_value arr = {.type = EDDY_TYPE_ARRAY, .len = 3, .u.items = items};
    const eddy_type *at = type_of("ARRAY<INT>");
    eddy_value v;
    const eddy_type *rt = NULL;
    ASSERT_STR(show(call_typed("describe", 1, &arr, &at, &v, &rt), &v, rt),
               "{1=integer:1,3=integer:3}");

    eddy_value kv[4] = {eddy_string("a", 1), eddy_int(1), eddy_string("b", 1), eddy_int(2)};
    eddy_value map = {.type = EDDY_TYPE_MAP, .len = 2, .u.items = kv};
    const eddy_type *mt = type_of("MAP<STRING, INT>");
    ASSERT_STR(show(call_typed("describe", 1, &map, &mt, &v, &rt), &v, rt),
               "{a=integer:1,b=integer:2}");

    /* struct fields by name (as declared: A upper case, `b` quoted), nested */
    eddy_value x[1] = {eddy_bool(true)};
    eddy_value sx = {.type = EDDY_TYPE_STRUCT, .len = 1, .u.items = x};
    eddy_value ca = {.type = EDDY_TYPE_ARRAY, .len = 1, .u.items = &sx};
    eddy_value f3[3] = {eddy_int(7), eddy_string("x", 1), ca};
    eddy_value st = {.type = EDDY_TYPE_STRUCT, .len = 3, .u.items = f3};
    const eddy_type *stt = type_of("STRUCT<A INT, `b` STRING, C ARRAY<STRUCT<X BOOLEAN>>>");
    ASSERT_STR(show(call_typed("describe", 1, &st, &stt, &v, &rt), &v, rt),
               "{A=integer:7,C={1={X=boolean:true}},b=string(1):x}");
}
END_TEST

/* ------------------------------------------------------------- Lua -> SQL */

static const char *MAKE_LUA =
    "local cases = { int = 42, int_float = 42.0, big = math.maxinteger, half = 0.5,\n"
    "  three = 3, dec = '12.3', dec_neg = '-0.005', eighth = 0.125, huge = '123456',\n"
    "  str = 'h\\u{e9}llo', bin = '\\0\\1', date = 18000, time = 3600000,\n"
    "  ts = 1580000000000, arr = {1, 2, 3}, hole = {1, nil, 3}, empty = {},\n"
    "  bad_arr = {1, 2, x = 3}, nested = {{1}, {}, {2, 3}}, map = {a = 1, b = 2},\n"
    "  strct = {A = 1, b = 'x'}, strct_case = {a = 2, B = 'y'}, strct_part = {A = 3},\n"
    "  yes = true, fn = print or function() end }\n"
    "local function get(k) return cases[k] end\n"
    "for _, ty in ipairs{'BOOLEAN', 'INT', 'BIGINT', 'DOUBLE', 'DECIMAL(5, 2)', 'STRING',\n"
    "    'BYTES', 'DATE', 'TIME', 'TIMESTAMP', 'ARRAY<INT>', 'ARRAY<ARRAY<INT>>',\n"
    "    'MAP<STRING, INT>', 'STRUCT<A INT, `b` STRING>'} do\n"
    "  local n = 'get_' .. string.lower(string.match(ty, '^%a+'))\n"
    "  if ty == 'ARRAY<ARRAY<INT>>' then n = 'get_array2' end\n"
    "  udf.scalar{ name = n, params = {'STRING'}, returns = ty, fn = get }\n"
    "end\n";

static const char *get(const char *fn, const char *key)
{
    return call1(fn, eddy_string(key, (uint32_t)strlen(key)));
}

START_TEST(test_lua_to_sql)
{
    load("make.lua", MAKE_LUA);
    ASSERT_STR(get("get_boolean", "yes"), "true");
    ASSERT_STR(get("get_boolean", "nothing"), "null");
    ASSERT_STR(get("get_int", "int"), "42");
    ASSERT_STR(get("get_int", "int_float"), "42"); /* an integral float is fine */
    ASSERT_STR(get("get_bigint", "big"), "9223372036854775807");
    ASSERT_STR(get("get_double", "half"), "0.5");
    ASSERT_STR(get("get_double", "three"), "3.0");
    ASSERT_STR(get("get_decimal", "dec"), "12.30");
    ASSERT_STR(get("get_decimal", "dec_neg"), "-0.01"); /* HALF_UP away from zero */
    ASSERT_STR(get("get_decimal", "three"), "3.00");
    ASSERT_STR(get("get_decimal", "eighth"), "0.13");
    ASSERT_STR(get("get_string", "str"), "h\xc3\xa9llo");
    eddy_value v;
    const eddy_type *t = NULL;
    eddy_value k = eddy_string("bin", 3);
    ck_assert_int_eq(call_typed("get_bytes", 1, &k, NULL, &v, &t), 0);
    ck_assert_int_eq(v.type, EDDY_TYPE_BYTES);
    ck_assert_uint_eq(v.len, 2);
    ck_assert(memcmp(v.u.str, "\0\1", 2) == 0);
    ASSERT_STR(get("get_date", "date"), "2019-04-14");
    ASSERT_STR(get("get_time", "time"), "01:00:00");
    ASSERT_STR(get("get_timestamp", "ts"), "2020-01-26T00:53:20.000");
    ASSERT_STR(get("get_array", "arr"), "[1, 2, 3]");
    ASSERT_STR(get("get_array", "hole"), "[1, null, 3]");
    ASSERT_STR(get("get_array", "empty"), "[]");
    ASSERT_STR(get("get_array2", "nested"), "[[1], [], [2, 3]]");
    const char *m = get("get_map", "map"); /* Lua's table order */
    ck_assert_msg(!strcmp(m, "{a=1, b=2}") || !strcmp(m, "{b=2, a=1}"), "%s", m);
    ASSERT_STR(get("get_struct", "strct"), "Struct{A=1,b=x}");
    ASSERT_STR(get("get_struct", "strct_case"), "Struct{A=2,b=y}"); /* case-insensitive */
    ASSERT_STR(get("get_struct", "strct_part"), "Struct{A=3}");     /* b is NULL */
    ASSERT_STR(get("get_string", "nothing"), "null");
    /* a NULL result keeps its type */
    k = eddy_string("nothing", 7);
    ck_assert_int_eq(call_typed("get_decimal", 1, &k, NULL, &v, &t), 0);
    ck_assert(v.is_null && v.type == EDDY_TYPE_DECIMAL);

    /* wrong types: the function, where, the SQL type and the Lua value are named */
    ASSERT_STR(get("get_int", "half"),
               "ERR ETYPE Lua UDF 'get_int' (make.lua:14): result: expected INTEGER, got a float "
               "(0.5): not an integral number");
    ASSERT_STR(get("get_int", "str"),
               "ERR ETYPE Lua UDF 'get_int' (make.lua:14): result: expected INTEGER, got a "
               "string (\"h\xc3\xa9llo\")");
    ASSERT_HAS(get("get_int", "big"), "expected INTEGER, got an integer (9223372036854775807): "
                                      "out of range");
    ASSERT_HAS(get("get_string", "int"), "result: expected STRING, got an integer (42)");
    ASSERT_HAS(get("get_boolean", "int"), "expected BOOLEAN, got an integer (42)");
    ASSERT_HAS(get("get_double", "str"), "expected DOUBLE, got a string");
    ASSERT_HAS(get("get_decimal", "huge"), "expected DECIMAL(5, 2), got a string (\"123456\"): "
                                           "does not fit");
    ASSERT_HAS(get("get_decimal", "yes"), "expected DECIMAL(5, 2), got a boolean (true)");
    ASSERT_HAS(get("get_time", "ts"), "expected TIME, got an integer (1580000000000): out of range");
    ASSERT_HAS(get("get_array", "bad_arr"), "expected ARRAY<INTEGER>, got a table: an ARRAY is a "
                                            "sequence");
    ASSERT_HAS(get("get_array", "str"), "expected ARRAY<INTEGER>, got a string");
    ASSERT_HAS(get("get_array2", "arr"), "result[1]: expected ARRAY<INTEGER>, got an integer (1)");
    ASSERT_HAS(get("get_map", "arr"), "result{key}: expected STRING, got an integer (1)");
    ASSERT_HAS(get("get_struct", "map"), "result.b: expected STRING, got an integer (2)");
    ASSERT_STR(get("get_struct", "empty"), "Struct{}"); /* absent fields are NULL */
    ASSERT_HAS(get("get_string", "fn"), "expected STRING, got a function");
}
END_TEST

/* ---------------------------------------------------- overloads, variadics */

START_TEST(test_overloads_variadic)
{
    load("ov.lua",
         "udf.scalar{ name = 'ov', params = {'INT'}, returns = 'STRING',\n"
         "  fn = function(x) return 'int ' .. x end }\n"
         "udf.scalar{ name = 'ov', params = {'STRING s'}, returns = 'STRING',\n"
         "  fn = function(x) return 'string ' .. x end }\n"
         "udf.scalar{ name = 'ov', params = {'INT', 'INT'}, returns = 'STRING',\n"
         "  fn = function(a, b) return 'ints ' .. (a + b) end }\n"
         "udf.scalar{ name = 'total', params = {'DOUBLE... xs'}, returns = 'DOUBLE',\n"
         "  fn = function(...) local s = 0 for _, x in ipairs{...} do s = s + x end return s end }\n"
         "udf.scalar{ name = 'join', params = {'STRING sep', 'INT...'}, returns = 'STRING',\n"
         "  fn = function(sep, ...) return select('#', ...) .. ':' .. table.concat({...}, sep) end }\n"
         "udf.scalar{ name = 'nargs', params = {'STRING...'}, returns = 'INT', calls_on_null = true,\n"
         "  fn = function(...) return select('#', ...) end }\n");
    ASSERT_STR(call1("ov", eddy_int(3)), "int 3");
    ASSERT_STR(call1("ov", eddy_string("a", 1)), "string a");
    eddy_value two[2] = {eddy_int(3), eddy_int(4)}, v;
    const eddy_type *t = NULL;
    ASSERT_STR(show(call_typed("ov", 2, two, NULL, &v, &t), &v, t), "ints 7");

    eddy_value d[3] = {eddy_double(1.5), eddy_double(2), eddy_double(0.25)};
    ASSERT_STR(show(call_typed("total", 0, d, NULL, &v, &t), &v, t), "0.0");
    ASSERT_STR(show(call_typed("total", 1, d, NULL, &v, &t), &v, t), "1.5");
    ASSERT_STR(show(call_typed("total", 3, d, NULL, &v, &t), &v, t), "3.75");
    eddy_value j[4] = {eddy_string("-", 1), eddy_int(1), eddy_int(2), eddy_int(3)};
    ASSERT_STR(show(call_typed("join", 4, j, NULL, &v, &t), &v, t), "3:1-2-3");
    ASSERT_STR(show(call_typed("join", 1, j, NULL, &v, &t), &v, t), "0:");
    eddy_value n[3] = {eddy_string("a", 1), eddy_null(EDDY_TYPE_STRING), eddy_string("c", 1)};
    ASSERT_STR(show(call_typed("nargs", 3, n, NULL, &v, &t), &v, t), "3");

    /* the registry sees the signatures and the source */
    const eddy_type *bt[1] = {eddy_type_boolean()};
    eddy_func_binding b;
    ck_assert_int_eq(eddy_registry_resolve(reg, "ov", EDDY_FUNC_SCALAR, 1, bt, &b, err,
                                           sizeof err), EDDY_ETYPE);
    ASSERT_HAS(err, "ov(INTEGER)");
    ASSERT_HAS(err, "ov(STRING s)");
    const eddy_type *it[1] = {eddy_type_int()};
    ck_assert_int_eq(eddy_registry_resolve(reg, "OV", EDDY_FUNC_SCALAR, 1, it, &b, err,
                                           sizeof err), 0);
    ASSERT_STR(b.fn->source, "ov.lua");
    ASSERT_STR(b.fn->signature, "(INT) -> STRING");
}
END_TEST

/* ------------------------------------------------------------- aggregates */

START_TEST(test_aggregate)
{
    load("agg.lua",
         "udf.aggregate{ name = 'lua_sum', params = {'INT'}, returns = 'BIGINT', state = 'BIGINT',\n"
         "  init = function() return 0 end,\n"
         "  add = function(acc, x) return acc + (x or 0) end,\n"
         "  undo = function(acc, x) return acc - (x or 0) end,\n"
         "  merge = function(a, b) return a + b end,\n"
         "  result = function(acc) return acc end }\n"
         "udf.aggregate{ name = 'lua_avg', params = {'DOUBLE'}, returns = 'DOUBLE',\n"
         "  state = 'STRUCT<SUM DOUBLE, N BIGINT>',\n"
         "  init = function() return {SUM = 0.0, N = 0} end,\n"
         "  add = function(s, x) return {SUM = s.SUM + x, N = s.N + 1} end,\n"
         "  result = function(s) if s.N == 0 then return nil end return s.SUM / s.N end }\n");
    const eddy_type *it[1] = {eddy_type_int()};
    eddy_func_binding b;
    ck_assert_int_eq(eddy_registry_resolve(reg, "LUA_SUM", EDDY_FUNC_AGGREGATE, 1, it, &b, err,
                                           sizeof err), 0);
    ck_assert(b.agg == eddy_type_bigint());
    const eddy_function *f = b.fn;
    ck_assert_ptr_nonnull(f->aggregate.undo);
    ck_assert_ptr_nonnull(f->aggregate.merge);
    eddy_func_ctx ctx = {.arena = arena, .errstr = err, .errstr_size = sizeof err};
    eddy_value acc, acc2, out;
    ck_assert_int_eq(f->aggregate.init(&ctx, f, &acc), 0);
    for (int i = 1; i <= 4; i++) {
        eddy_value x = eddy_int(i);
        ck_assert_int_eq(f->aggregate.add(&ctx, f, &acc, 1, &x), 0);
    }
    eddy_value two = eddy_int(2);
    ck_assert_int_eq(f->aggregate.undo(&ctx, f, &acc, 1, &two), 0);
    ck_assert_int_eq(acc.type, EDDY_TYPE_BIGINT);
    ck_assert_int_eq(acc.u.i64, 8);
    ck_assert_int_eq(f->aggregate.init(&ctx, f, &acc2), 0);
    eddy_value hundred = eddy_int(100);
    ck_assert_int_eq(f->aggregate.add(&ctx, f, &acc2, 1, &hundred), 0);
    ck_assert_int_eq(f->aggregate.merge(&ctx, f, &acc, &acc2), 0);
    ck_assert_int_eq(f->aggregate.result(&ctx, f, &acc, &out), 0);
    ck_assert_int_eq(out.type, EDDY_TYPE_BIGINT);
    ck_assert_int_eq(out.u.i64, 108);

    /* a STRUCT accumulator; no undo, no merge */
    const eddy_type *dt[1] = {eddy_type_double()};
    ck_assert_int_eq(eddy_registry_resolve(reg, "lua_avg", EDDY_FUNC_AGGREGATE, 1, dt, &b, err,
                                           sizeof err), 0);
    f = b.fn;
    ck_assert_ptr_null(f->aggregate.undo);
    ck_assert_ptr_null(f->aggregate.merge);
    ck_assert_int_eq(f->aggregate.init(&ctx, f, &acc), 0);
    ck_assert_int_eq(f->aggregate.result(&ctx, f, &acc, &out), 0);
    ck_assert(out.is_null);
    double xs[] = {1, 2, 6};
    for (int i = 0; i < 3; i++) {
        eddy_value x = eddy_double(xs[i]);
        ck_assert_int_eq(f->aggregate.add(&ctx, f, &acc, 1, &x), 0);
    }
    ASSERT_STR(show(0, &acc, b.agg), "Struct{SUM=9.0,N=3}");
    ck_assert_int_eq(f->aggregate.result(&ctx, f, &acc, &out), 0);
    ck_assert(out.u.f64 == 3.0);

    /* an add that returns the wrong accumulator type */
    load("agg_bad.lua",
         "udf.aggregate{ name = 'bad_agg', params = {'INT'}, returns = 'INT', state = 'INT',\n"
         "  init = function() return 0 end, add = function(acc, x) return 'x' end,\n"
         "  result = function(acc) return acc end }\n");
    ck_assert_int_eq(eddy_registry_resolve(reg, "bad_agg", EDDY_FUNC_AGGREGATE, 1, it, &b, err,
                                           sizeof err), 0);
    f = b.fn;
    ck_assert_int_eq(f->aggregate.init(&ctx, f, &acc), 0);
    eddy_value one = eddy_int(1);
    ck_assert_int_eq(f->aggregate.add(&ctx, f, &acc, 1, &one), EDDY_ETYPE);
    ASSERT_STR(err, "Lua UDF 'bad_agg' (agg_bad.lua:1): add: accumulator: expected INTEGER, got a "
                    "string (\"x\")");
}
END_TEST

/* ---------------------------------------------------------------- tables */

START_TEST(test_table)
{
    load("tbl.lua",
         "udf.table{ name = 'words', params = {'STRING'}, returns = 'STRING',\n"
         "  fn = function(s) local t = {} for w in string.gmatch(s, '%S+') do t[#t + 1] = w end\n"
         "    return t end }\n"
         "udf.table{ name = 'pairs_of', params = {'INT'}, returns = 'STRUCT<I INT, SQ BIGINT>',\n"
         "  fn = function(n) local t = {} for i = 1, n do t[i] = {I = i, SQ = i * i} end\n"
         "    if n < 0 then return nil end return t end }\n"
         "udf.table{ name = 'not_rows', params = {}, returns = 'INT', fn = function() return 5 end }\n");
    const eddy_type *st[1] = {eddy_type_string()};
    eddy_func_binding b;
    ck_assert_int_eq(eddy_registry_resolve(reg, "words", EDDY_FUNC_TABLE, 1, st, &b, err,
                                           sizeof err), 0);
    eddy_func_ctx ctx = {.arena = arena, .errstr = err, .errstr_size = sizeof err};
    eddy_value s = eddy_string(" to be  or not ", 14), *rows;
    uint32_t n;
    ck_assert_int_eq(b.fn->table(&ctx, b.fn, 1, &s, &rows, &n), 0);
    ck_assert_uint_eq(n, 4);
    ck_assert(rows[3].type == EDDY_TYPE_STRING && rows[3].len == 3 &&
              memcmp(rows[3].u.str, "not", 3) == 0);
    s = eddy_string("", 0);
    ck_assert_int_eq(b.fn->table(&ctx, b.fn, 1, &s, &rows, &n), 0);
    ck_assert_uint_eq(n, 0);

    const eddy_type *it[1] = {eddy_type_int()};
    ck_assert_int_eq(eddy_registry_resolve(reg, "pairs_of", EDDY_FUNC_TABLE, 1, it, &b, err,
                                           sizeof err), 0);
    eddy_value three = eddy_int(3), neg = eddy_int(-1);
    ck_assert_int_eq(b.fn->table(&ctx, b.fn, 1, &three, &rows, &n), 0);
    ck_assert_uint_eq(n, 3);
    ASSERT_STR(show(0, &rows[2], b.ret), "Struct{I=3,SQ=9}");
    ck_assert_int_eq(b.fn->table(&ctx, b.fn, 1, &neg, &rows, &n), 0); /* nil: no rows */
    ck_assert_uint_eq(n, 0);

    ck_assert_int_eq(eddy_registry_resolve(reg, "not_rows", EDDY_FUNC_TABLE, 0, it, &b, err,
                                           sizeof err), 0);
    ck_assert_int_eq(b.fn->table(&ctx, b.fn, 0, NULL, &rows, &n), EDDY_ETYPE);
    ASSERT_STR(err, "Lua UDF 'not_rows' (tbl.lua:7): rows: expected ARRAY<INTEGER>, got an "
                    "integer (5)");
}
END_TEST

/* ------------------------------------------------------------ load errors */

static const char *load_err(const char *name, const char *text)
{
    int rc = eddy_lua_load_string(reg, name, text, err, sizeof err);
    ck_assert_msg(rc < 0, "%s loaded", name);
    return err;
}

START_TEST(test_load_errors)
{
    char path[512];
    snprintf(path, sizeof path, "%s/bad.lua", eddy_test_tmpdir());
    eddy_test_write_file(path, "udf.scalar{ name = 'x',\n  params = {'INT'},\n  returns oops }\n");
    ck_assert_int_eq(eddy_lua_load_file(reg, path, err, sizeof err), EDDY_EPARSE);
    char want[600];
    snprintf(want, sizeof want, "%s:3: '}' expected (to close '{' at line 1) near 'oops'", path);
    ASSERT_STR(err, want);

    ck_assert_int_eq(eddy_lua_load_file(reg, "/nonexistent/x.lua", err, sizeof err),
                     EDDY_ENOTFOUND);
    ASSERT_STR(err, "/nonexistent/x.lua: No such file or directory");

    /* a runtime error while the file runs: message and traceback */
    const char *e = load_err("boom.lua", "local x = 1\nerror('boom at load')\n");
    ASSERT_HAS(e, "boom.lua:2: boom at load\nstack traceback:");
    ASSERT_HAS(e, "boom.lua:2: in main chunk");

    /* declarations */
    ASSERT_HAS(load_err("d1.lua", "udf.scalar{ name = 'f', returns = 'INT', fn = 1 }"),
               "udf.scalar 'f': field 'fn' must be a function");
    ASSERT_HAS(load_err("d2.lua", "udf.scalar{ name = 'f', returns = 'INTT', fn = tostring }"),
               "udf.scalar 'f': return type 'INTT'");
    ASSERT_HAS(load_err("d3.lua",
                        "udf.scalar{ name = 'f', params = {'INT...', 'INT'}, returns = 'INT',\n"
                        "  fn = function() end }"),
               "only the last parameter may be variadic");
    ASSERT_HAS(load_err("d4.lua", "udf.scalar{ name = 'f', params = {'T'}, returns = 'INT',\n"
                                  "  fn = function() end }"),
               "type variables (T) are not supported");
    ASSERT_HAS(load_err("d5.lua", "udf.scalar{ name = 'f', returns = 'DECIMAL',\n"
                                  "  fn = function() end }"),
               "udf.scalar 'f': return type 'DECIMAL'");
    ASSERT_HAS(load_err("d6.lua", "udf.scalar{ name = 'f', retruns = 'INT', fn = tostring }"),
               "d6.lua:1: udf.scalar 'f': unknown field 'retruns'");
    ASSERT_HAS(load_err("d7.lua", "udf.scalar{ name = 'bad name', returns = 'INT', fn = tostring }"),
               "bad name 'bad name'");
    ASSERT_HAS(load_err("d8.lua", "udf.aggregate{ name = 'a', returns = 'INT', state = 'INT',\n"
                                  "  init = function() end, result = function() end }"),
               "udf.aggregate 'a': field 'add' must be a function");
    ASSERT_HAS(load_err("d9.lua", "udf.scalar{ name = 'f', params = {'INT) -> INT AS (INT'},\n"
                                  "  returns = 'INT', fn = tostring }"),
               "parameter 1 'INT) -> INT AS (INT'");
    /* two overloads with one parameter list in one file */
    ASSERT_HAS(load_err("d10.lua", "udf.scalar{ name = 'f', params = {'INT'}, returns = 'INT', "
                                   "fn = tostring }\n"
                                   "udf.scalar{ name = 'f', params = {'INT x'}, returns = 'INT', "
                                   "fn = tostring }\n"),
               "d10.lua:2: function 'f' already has an overload (INTEGER)");
    /* a Lua function may not take a built-in's place... */
    eddy_registry *def = eddy_registry_default();
    int rc = eddy_lua_load_string(def, "d11.lua",
                                  "udf.scalar{ name = 'ucase', params = {'STRING'}, "
                                  "returns = 'STRING', fn = string.upper }", err, sizeof err);
    ck_assert_int_eq(rc, EDDY_EEXIST);
    ASSERT_HAS(err, "function 'ucase' already has an overload (STRING)");
    /* ... and nothing of a failed file stays registered */
    const eddy_type *it[1] = {eddy_type_int()};
    eddy_func_binding b;
    ck_assert_int_eq(eddy_registry_resolve(reg, "f", 0, 1, it, &b, err, sizeof err),
                     EDDY_ENOTFOUND);
    ck_assert_int_eq(eddy_registry_resolve(reg, "x", 0, 1, it, &b, err, sizeof err),
                     EDDY_ENOTFOUND);
}
END_TEST

/* ----------------------------------------------------------- call errors */

START_TEST(test_runtime_error)
{
    load("rt.lua",
         "local function inner(x) local t = nil; return t.field + x end\n"
         "udf.scalar{ name = 'fails', params = {'INT'}, returns = 'INT',\n"
         "  fn = function(x) local r = inner(x); return r end }\n"
         "udf.scalar{ name = 'raises', params = {'INT'}, returns = 'INT',\n"
         "  fn = function(x) error({code = x}) end }\n"
         "udf.scalar{ name = 'ok', params = {'INT'}, returns = 'INT',\n"
         "  fn = function(x) return x + 1 end }\n");
    const char *got = call1("fails", eddy_int(1));
    ASSERT_HAS(got, "ERR EFUNC Lua UDF 'fails' (rt.lua:2): rt.lua:1: attempt to index a nil value "
                    "(local 't')\nstack traceback:");
    ASSERT_HAS(got, "rt.lua:1: in upvalue 'inner'");
    ASSERT_HAS(got, "rt.lua:3: in function <rt.lua:3>");
    ASSERT_HAS(call1("raises", eddy_int(1)), "(error object is a table value)");
    /* the state is fine afterwards */
    ASSERT_STR(call1("ok", eddy_int(41)), "42");
    ASSERT_STR(call1("fails", eddy_null(EDDY_TYPE_INT)), "null"); /* not called on NULL */
}
END_TEST

static const char *LOOPS_LUA =
    "udf.scalar{ name = 'spin', params = {'INT'}, returns = 'INT',\n"
    "  fn = function(x) while true do x = x + 1 end end }\n"
    "udf.scalar{ name = 'spin_pcall', params = {'INT'}, returns = 'INT',\n"
    "  fn = function(x)\n"
    "    local caught = 0\n"
    "    while true do\n"
    "      local ok = pcall(function() while true do x = x + 1 end end)\n"
    "      caught = caught + 1\n"
    "    end\n"
    "  end }\n"
    "udf.scalar{ name = 'spin_xpcall', params = {'INT'}, returns = 'INT',\n"
    "  fn = function(x)\n"
    "    while true do\n"
    "      xpcall(function() while true do end end, function(m) while true do end end)\n"
    "    end\n"
    "  end }\n"
    "udf.scalar{ name = 'spin_tostring', params = {'INT'}, returns = 'INT',\n"
    "  fn = function(x)\n"
    "    error(setmetatable({}, {__tostring = function() while true do end end}))\n"
    "  end }\n"
    "udf.scalar{ name = 'spin_close', params = {'INT'}, returns = 'INT',\n"
    "  fn = function(x)\n"
    "    local c <close> = setmetatable({}, {__close = function() while true do end end})\n"
    "    error('closing')\n"
    "  end }\n"
    "udf.scalar{ name = 'ok', params = {'INT'}, returns = 'INT',\n"
    "  fn = function(x) local s = 0 for i = 1, 1000 do s = s + i end return s + x end }\n";

START_TEST(test_time_budget)
{
    eddy_lua_options o;
    eddy_lua_get_options(&o);
    ck_assert_uint_eq(o.time_limit_ms, 10);
    ck_assert_uint_eq(o.memory_limit, 64u << 20);
    ck_assert_uint_eq(o.instruction_limit, 0);
    load("loops.lua", LOOPS_LUA);
    /* plain, caught by pcall, by xpcall with a looping handler, in an error object's
     * __tostring (run by the message handler), in a to-be-closed variable's __close */
    const char *fns[] = {"spin", "spin_pcall", "spin_xpcall", "spin_tostring", "spin_close"};
    for (int i = 0; i < 5; i++) {
        int64_t t0 = eddy_mono_ns();
        const char *got = call1(fns[i], eddy_int(1));
        double ms = (double)(eddy_mono_ns() - t0) / 1e6;
        ASSERT_HAS(got, "ERR EFUNC Lua UDF '");
        ASSERT_HAS(got, "time budget exhausted (lua.time.limit.ms = 10)\nstack traceback:");
        ck_assert_msg(ms < 1000, "%s took %.1f ms", fns[i], ms);
        ASSERT_STR(call1("ok", eddy_int(1)), "500501");
    }
    /* an infinite loop while the file loads is stopped too */
    ASSERT_HAS(load_err("loop_at_load.lua", "while true do end"), "time budget exhausted");
}
END_TEST

START_TEST(test_instruction_budget)
{
    ck_assert_int_eq(eddy_lua_set_option("lua.instruction.limit", "1000000", err, sizeof err), 0);
    ck_assert_int_eq(eddy_lua_set_option("lua.time.limit.ms", "0", err, sizeof err), 0);
    load("loops.lua", LOOPS_LUA);
    ASSERT_HAS(call1("spin_pcall", eddy_int(1)),
               "instruction budget exhausted (lua.instruction.limit = 1000000)\nstack traceback:");
    ASSERT_STR(call1("ok", eddy_int(1)), "500501"); /* 1000 iterations are within budget */
    ASSERT_HAS(call1("spin_xpcall", eddy_int(1)), "instruction budget exhausted");
    ASSERT_STR(call1("ok", eddy_int(2)), "500502");

    /* a change reaches a state that already exists */
    ck_assert_int_eq(eddy_lua_set_option("lua.instruction.limit", "0", err, sizeof err), 0);
    ck_assert_int_eq(eddy_lua_set_option("lua.time.limit.ms", "20", err, sizeof err), 0);
    ASSERT_HAS(call1("spin", eddy_int(1)), "time budget exhausted (lua.time.limit.ms = 20)");

    ck_assert_int_eq(eddy_lua_set_option("lua.nope", "1", err, sizeof err), EDDY_ENOTFOUND);
    ASSERT_STR(err, "unknown option 'lua.nope'");
    ck_assert_int_eq(eddy_lua_set_option("lua.time.limit.ms", "5MiB", err, sizeof err), EDDY_EINVAL);
    ck_assert_int_eq(eddy_lua_set_option("lua.memory.limit", "-1", err, sizeof err), EDDY_EINVAL);
    ck_assert_int_eq(eddy_lua_set_option("lua.memory.limit", "16 MiB", err, sizeof err), 0);
    eddy_lua_options o;
    eddy_lua_get_options(&o);
    ck_assert_uint_eq(o.memory_limit, 16u << 20);
    ck_assert_str_eq(eddy_lua_options_table[0].name, "lua.memory.limit");
}
END_TEST

START_TEST(test_memory_cap)
{
    ck_assert_int_eq(eddy_lua_set_option("lua.memory.limit", "8MiB", err, sizeof err), 0);
    ck_assert_int_eq(eddy_lua_set_option("lua.time.limit.ms", "5000", err, sizeof err), 0);
    load("mem.lua",
         "local keep = {}\n"
         "udf.scalar{ name = 'bomb', params = {'INT'}, returns = 'INT',\n"
         "  fn = function(x) local t = {} for i = 1, 1e9 do t[i] = string.rep('x', 64) .. i end end }\n"
         "udf.scalar{ name = 'bomb_pcall', params = {'INT'}, returns = 'INT',\n"
         "  fn = function(x) local t = {}\n"
         "    while true do pcall(function() for i = 1, 1e9 do t[#t + 1] = {i} end end) end end }\n"
         "udf.scalar{ name = 'big', params = {'INT'}, returns = 'INT',\n"
         "  fn = function(x) return #string.rep('x', 1 << 30) end }\n"
         "udf.scalar{ name = 'ok', params = {'INT'}, returns = 'INT',\n"
         "  fn = function(x) return #string.rep('y', 1000) + x end }\n");
    const char *got = call1("bomb", eddy_int(1));
    ASSERT_HAS(got, "ERR EFUNC Lua UDF 'bomb' (mem.lua:2): ");
    ASSERT_HAS(got, "memory limit exceeded (lua.memory.limit = 8388608 bytes)\nstack traceback:");
    ASSERT_HAS(got, "mem.lua:3: in function <mem.lua:3>");
    ck_assert_uint_lt(eddy_lua_memory_used(), 8u << 20);
    ASSERT_STR(call1("ok", eddy_int(1)), "1001");
    ASSERT_HAS(call1("bomb_pcall", eddy_int(1)), "memory limit exceeded");
    ASSERT_STR(call1("ok", eddy_int(2)), "1002");
    /* one allocation far past the cap: Lua's own memory error (no traceback possible) */
    ASSERT_HAS(call1("big", eddy_int(1)), "ERR EFUNC Lua UDF 'big' (mem.lua:7): not enough memory "
                                         "(lua.memory.limit = 8388608 bytes");
    ASSERT_STR(call1("ok", eddy_int(3)), "1003");
    ck_assert_uint_lt(eddy_lua_memory_used(), 1u << 20);
    /* a memory bomb while the file loads */
    ASSERT_HAS(load_err("bomb_at_load.lua", "local t = {}\nwhile true do t[#t + 1] = {} end\n"),
               "memory limit exceeded (lua.memory.limit = 8388608 bytes)\nstack traceback:");
    ASSERT_STR(call1("ok", eddy_int(4)), "1004");
}
END_TEST

/* ------------------------------------------------------------------ sandbox */

START_TEST(test_sandbox)
{
    load("sb.lua",
         "secret = 'mine'\n"
         "local function try(f) local ok, e = pcall(f) return ok and 'ok' or tostring(e) end\n"
         "udf.scalar{ name = 'probe', params = {'STRING'}, returns = 'STRING',\n"
         "  fn = function(what)\n"
         "    if what == 'libs' then\n"
         "      return tostring(os) .. tostring(io) .. tostring(debug) .. tostring(package) ..\n"
         "        tostring(require) .. tostring(dofile) .. tostring(loadfile) ..\n"
         "        tostring(collectgarbage) .. tostring(rawset) .. tostring(print) ..\n"
         "        tostring(coroutine)\n"
         "    elseif what == 'have' then\n"
         "      return type(string.format) .. type(table.concat) .. type(math.floor) ..\n"
         "        type(utf8.char) .. type(pcall) .. type(load) .. type(setmetatable)\n"
         "    elseif what == 'strlib' then return try(function() string.upper = nil end)\n"
         "    elseif what == 'G' then return try(function() _G.x = 1 end)\n"
         "    elseif what == 'strmeta' then return tostring(getmetatable(''))\n"
         "    elseif what == 'protomt' then return try(function() setmetatable(string, {}) end)\n"
         "    elseif what == 'binary' then\n"
         "      local f, e = load(string.dump(function() return 1 end))\n"
         "      return tostring(f) .. ' ' .. tostring(e)\n"
         "    elseif what == 'loadenv' then\n"
         "      local f = load('return secret, string.rep(\"a\", 2)')\n"
         "      return tostring(f())\n"
         "    elseif what == 'secret' then return secret\n"
         "    elseif what == 'gc' then return try(function() setmetatable({}, {__gc = tostring}) end)\n"
         "    elseif what == 'mt' then\n"
         "      local t = setmetatable({}, {__index = function(_, k) return k end})\n"
         "      return try(function() end) .. ' ' .. t[1]\n"
         "    elseif what == 'xpcall' then\n"
         "      local ok, m = xpcall(error, function(m) return 'handled: ' .. m end, 'x')\n"
         "      return tostring(ok) .. ' ' .. m\n"
         "    elseif what == 'xpcall_ok' then\n"
         "      local ok, a, b = xpcall(function(x, y) return x, y end, tostring, 1, 2)\n"
         "      return tostring(ok) .. ' ' .. a .. ' ' .. b\n"
         "    elseif what == 'declare' then\n"
         "      return try(function() udf.scalar{ name = 'late', returns = 'INT', fn = tostring } end)\n"
         "    elseif what == 'setglobal' then counter = (counter or 0) + 1; return tostring(counter)\n"
         "    end\n"
         "  end }\n");
    load("other.lua",
         "udf.scalar{ name = 'peek', params = {}, returns = 'STRING',\n"
         "  fn = function() return tostring(secret) .. ' ' .. tostring(counter) end }\n");
#define PROBE(w) get("probe", w)
    ASSERT_STR(PROBE("libs"), "nilnilnilnilnilnilnilnilnilnilnil");
    ASSERT_STR(PROBE("have"), "functionfunctionfunctionfunctionfunctionfunctionfunction");
    ASSERT_HAS(PROBE("strlib"), "attempt to modify a read-only table (field 'upper')");
    ASSERT_HAS(PROBE("G"), "attempt to modify a read-only table (field 'x')");
    ASSERT_STR(PROBE("strmeta"), "false");
    ASSERT_HAS(PROBE("protomt"), "cannot change a protected metatable");
    ASSERT_STR(PROBE("binary"), "nil attempt to load a binary chunk (mode is 't')");
    ASSERT_HAS(PROBE("gc"), "__gc metamethods are not allowed in UDFs");
    ASSERT_STR(PROBE("mt"), "ok 1");
    ASSERT_STR(PROBE("xpcall"), "false handled: x");
    ASSERT_STR(PROBE("xpcall_ok"), "true 1 2");
    ASSERT_STR(PROBE("loadenv"), "nil"); /* the sandbox, not the file's globals */
    ASSERT_STR(PROBE("secret"), "mine");
    ASSERT_HAS(PROBE("declare"), "udf.scalar: functions can only be declared while their file loads");
    ASSERT_STR(PROBE("setglobal"), "1");
    ASSERT_STR(PROBE("setglobal"), "2");
    /* a file's globals are its own */
    eddy_value v;
    const eddy_type *t = NULL;
    ASSERT_STR(show(call_typed("peek", 0, NULL, NULL, &v, &t), &v, t), "nil nil");
}
END_TEST

/* ------------------------------------------------------------------ reload */

START_TEST(test_reload)
{
    char path[512];
    snprintf(path, sizeof path, "%s/r.lua", eddy_test_tmpdir());
    eddy_test_write_file(path,
                         "udf.scalar{ name = 'ver', params = {}, returns = 'INT', fn = function() "
                         "return 1 end }\n"
                         "udf.scalar{ name = 'gone', params = {}, returns = 'INT', fn = function() "
                         "return 0 end }\n");
    ck_assert_int_eq(eddy_lua_load_file(reg, path, err, sizeof err), 0);
    eddy_value v;
    const eddy_type *t = NULL;
    ASSERT_STR(show(call_typed("ver", 0, NULL, NULL, &v, &t), &v, t), "1");
    eddy_func_binding old;
    ck_assert_int_eq(eddy_registry_resolve(reg, "ver", EDDY_FUNC_SCALAR, 0, NULL, &old, err,
                                           sizeof err), 0);

    /* changed: the new function replaces the old; 'gone' is gone */
    eddy_test_write_file(path,
                         "udf.scalar{ name = 'ver', params = {}, returns = 'INT', fn = function() "
                         "return 2 end }\n");
    ck_assert_int_eq(eddy_lua_load_file(reg, path, err, sizeof err), 0);
    ASSERT_STR(show(call_typed("ver", 0, NULL, NULL, &v, &t), &v, t), "2");
    eddy_func_binding b;
    ck_assert_int_eq(eddy_registry_resolve(reg, "gone", 0, 0, NULL, &b, err, sizeof err),
                     EDDY_ENOTFOUND);
    /* an expression bound before the reload keeps the version it was bound to */
    eddy_func_ctx ctx = {.arena = arena, .errstr = err, .errstr_size = sizeof err};
    ck_assert_int_eq(old.fn->scalar(&ctx, old.fn, 0, NULL, &v), 0);
    ck_assert_int_eq(v.u.i32, 1);
    ASSERT_STR(show(call_typed("ver", 0, NULL, NULL, &v, &t), &v, t), "2");

    /* failing versions leave version 2 registered: syntax, runtime, declaration, clash */
    const char *bad[] = {
        "udf.scalar{ name = 'ver', params = {}, returns = 'INT', fn = function() return 3 end\n",
        "udf.scalar{ name = 'ver', params = {}, returns = 'INT', fn = function() return 3 end }\n"
        "error('no')\n",
        "udf.scalar{ name = 'ver', params = {}, returns = 'INTEGRAL', fn = tostring }\n",
        "udf.scalar{ name = 'ver', params = {}, returns = 'INT', fn = function() return 3 end }\n"
        "udf.scalar{ name = 'ver', params = {}, returns = 'INT', fn = function() return 4 end }\n",
    };
    for (int i = 0; i < 4; i++) {
        eddy_test_write_file(path, bad[i]);
        ck_assert_int_lt(eddy_lua_load_file(reg, path, err, sizeof err), 0);
        ASSERT_STR(show(call_typed("ver", 0, NULL, NULL, &v, &t), &v, t), "2");
    }
    ck_assert_int_eq(eddy_lua_unload_file(reg, path), 1);
    ck_assert_int_eq(eddy_registry_resolve(reg, "ver", 0, 0, NULL, &b, err, sizeof err),
                     EDDY_ENOTFOUND);
}
END_TEST

START_TEST(test_load_dir)
{
    char dir[512], path[600];
    snprintf(dir, sizeof dir, "%s/udfs", eddy_test_tmpdir());
    ck_assert_int_eq(mkdir(dir, 0700), 0);
    snprintf(path, sizeof path, "%s/a.lua", dir);
    eddy_test_write_file(path, "udf.scalar{ name = 'fa', returns = 'INT', fn = function() "
                               "return 1 end }\n");
    snprintf(path, sizeof path, "%s/b.lua", dir);
    eddy_test_write_file(path, "udf.scalar{ name = 'fb', returns = 'INT', fn = function() "
                               "return 2 end\n");
    snprintf(path, sizeof path, "%s/c.lua", dir);
    eddy_test_write_file(path, "udf.scalar{ name = 'fc', returns = 'INT', fn = function() "
                               "return 3 end }\n");
    snprintf(path, sizeof path, "%s/notes.txt", dir);
    eddy_test_write_file(path, "not lua");
    /* b.lua fails; a.lua and c.lua are loaded all the same */
    ck_assert_int_eq(eddy_lua_load_dir(reg, dir, err, sizeof err), EDDY_EPARSE);
    ASSERT_HAS(err, "b.lua:2: '}' expected");
    eddy_value v;
    const eddy_type *t = NULL;
    ASSERT_STR(show(call_typed("fa", 0, NULL, NULL, &v, &t), &v, t), "1");
    ASSERT_STR(show(call_typed("fc", 0, NULL, NULL, &v, &t), &v, t), "3");
    snprintf(path, sizeof path, "%s/b.lua", dir);
    ck_assert_int_eq(remove(path), 0);
    ck_assert_int_eq(eddy_lua_load_dir(reg, dir, err, sizeof err), 2);
    ck_assert_int_eq(eddy_lua_load_dir(reg, "/nonexistent", err, sizeof err), EDDY_ENOTFOUND);
    snprintf(path, sizeof path, "%s/a.lua", dir);
    ck_assert_int_eq(eddy_lua_unload_file(reg, path), 1);
    eddy_func_binding b;
    ck_assert_int_eq(eddy_registry_resolve(reg, "fa", 0, 0, NULL, &b, err, sizeof err),
                     EDDY_ENOTFOUND);
}
END_TEST

/* ------------------------------------------------------------------ threads */

typedef struct thread_arg {
    const eddy_function *fn;
    int base;
    int sum;
    int rc;
    char err[2048];
} thread_arg;

static void *thread_main(void *p)
{
    thread_arg *a = p;
    eddy_arena *ar = eddy_arena_new(0);
    eddy_func_ctx ctx = {.arena = ar, .errstr = a->err, .errstr_size = sizeof a->err};
    for (int i = 0; i < 1000 && !a->rc; i++) {
        eddy_value x = eddy_int(a->base + i), out;
        a->rc = a->fn->scalar(&ctx, a->fn, 1, &x, &out);
        if (!a->rc)
            a->sum += out.u.i32;
    }
    eddy_arena_destroy(ar);
    return NULL;
}

START_TEST(test_threads)
{
    /* each thread runs the file in its own state: per-thread counters do not interfere */
    load("th.lua", "local calls = 0\n"
                   "udf.scalar{ name = 'tcount', params = {'INT'}, returns = 'INT',\n"
                   "  fn = function(x) calls = calls + 1; return calls end }\n");
    const eddy_type *it[1] = {eddy_type_int()};
    eddy_func_binding b;
    ck_assert_int_eq(eddy_registry_resolve(reg, "tcount", EDDY_FUNC_SCALAR, 1, it, &b, err,
                                           sizeof err), 0);
    thread_arg a[4];
    pthread_t th[4];
    for (int i = 0; i < 4; i++) {
        memset(&a[i], 0, sizeof a[i]);
        a[i].fn = b.fn;
        a[i].base = i * 1000;
        ck_assert_int_eq(pthread_create(&th[i], NULL, thread_main, &a[i]), 0);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(th[i], NULL);
        ck_assert_msg(a[i].rc == 0, "%s", a[i].err);
        ck_assert_int_eq(a[i].sum, 1000 * 1001 / 2);
    }
    ASSERT_STR(call1("tcount", eddy_int(0)), "1"); /* this thread's own state */
}
END_TEST

/* ------------------------------------------------------------ shipped UDFs */

static void load_shipped(void)
{
    int n = eddy_lua_load_dir(reg, EDDY_SOURCE_DIR "/udf/lua", err, sizeof err);
    ck_assert_msg(n >= 1, "load_dir: %d %s", n, err);
}

static const char *call2(const char *name, eddy_value a, eddy_value b)
{
    eddy_value argv[2] = {a, b}, v;
    const eddy_type *t = NULL;
    int rc = call_typed(name, 2, argv, NULL, &v, &t);
    return show(rc, &v, t);
}

#define S(s) eddy_string(s, (uint32_t)strlen(s))

START_TEST(test_shipped_classify)
{
    load_shipped();
    static const struct {
        int stars;
        const char *msg, *want;
    } cases[] = {
        {2, "more peanuts please", "poor"},                            /* no tone: 2 */
        {3, "more peanuts please", "neutral"},                         /* 3 */
        {3, "worst. flight. ever. #neveragain", "poor"},               /* 3 - 1 */
        {5, "worst. flight. ever. #neveragain", "good"},               /* 5 - 1 */
        {3, "Exceeded all my expectations. Thank you !", "good"},      /* 3 + 1 (2 words) */
        {3, "meh", "poor"},                                            /* 3 - 1 */
        {1, "your team here rocks!", "poor"},                          /* 1 + 1 */
        {4, "the \"express\" check-in wasn't", "neutral"},             /* 4 - 1 (wasn') */
        {3, "is this as good as it gets? really ?", "good"},           /* 3 + 1 */
        {2, "Your app is very slick and helpful", "neutral"},          /* 2 + 1 */
        {5, "lounge wifi finally works \\o/", "good"},                 /* 5 + 1 */
        {3, "why is it so difficult to keep the bathrooms clean ?", "poor"},
        {3, "goodness", "neutral"},                                    /* whole words only */
        {4, "great but late", "good"},                                 /* +1 -1 */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *got = call2("classify_rating", eddy_int(cases[i].stars), S(cases[i].msg));
        ck_assert_msg(strcmp(got, cases[i].want) == 0, "case %zu (%d, %s): got %s want %s", i,
                      cases[i].stars, cases[i].msg, got, cases[i].want);
    }
    ASSERT_STR(call2("classify_rating", eddy_null(EDDY_TYPE_INT), S("meh")), "null");
}
END_TEST

START_TEST(test_shipped_club)
{
    load_shipped();
    ASSERT_STR(call1("club_rank", S("platinum")), "4");
    ASSERT_STR(call1("club_rank", S(" Gold ")), "3");
    ASSERT_STR(call1("club_rank", S("SILVER")), "2");
    ASSERT_STR(call1("club_rank", S("bronze\t")), "1");
    ASSERT_STR(call1("club_rank", S("Plat inum")), "4");
    ASSERT_STR(call1("club_rank", S("tin")), "0");
    ASSERT_STR(call1("club_rank", S("")), "0");
    ASSERT_STR(call1("club_rank", eddy_null(EDDY_TYPE_STRING)), "null");
    ASSERT_STR(call1("loyalty_tier", S("  SILVER\t")), "silver");
    ASSERT_STR(call1("loyalty_tier", S("diamond")), "none");
    ASSERT_STR(call2("loyalty_tier", S("Gold"), eddy_int(2)), "gold-at-risk");
    ASSERT_STR(call2("loyalty_tier", S("platinum"), eddy_int(1)), "platinum-at-risk");
    ASSERT_STR(call2("loyalty_tier", S("platinum"), eddy_int(3)), "platinum");
    ASSERT_STR(call2("loyalty_tier", S("silver"), eddy_int(1)), "silver");
    ASSERT_STR(call2("loyalty_tier", S("x"), eddy_int(1)), "none");
    eddy_value st[4] = {S("bronze"), eddy_null(EDDY_TYPE_STRING), S(" Gold"), S("silver")}, v;
    const eddy_type *t = NULL;
    ASSERT_STR(show(call_typed("best_club_status", 4, st, NULL, &v, &t), &v, t), "gold");
    ASSERT_STR(show(call_typed("best_club_status", 0, st, NULL, &v, &t), &v, t), "none");
    ASSERT_STR(show(call_typed("best_club_status", 1, st + 1, NULL, &v, &t), &v, t), "none");
}
END_TEST

static const char *jstr(const cJSON *o, const char *path)
{
    /* "blocks.0.text.text" */
    char buf[128];
    snprintf(buf, sizeof buf, "%s", path);
    const cJSON *cur = o;
    for (char *tok = strtok(buf, "."); tok && cur; tok = strtok(NULL, "."))
        cur = (tok[0] >= '0' && tok[0] <= '9') ? cJSON_GetArrayItem(cur, atoi(tok))
                                               : cJSON_GetObjectItemCaseSensitive(cur, tok);
    ck_assert_msg(cJSON_IsString(cur), "no string at %s", path);
    return cur->valuestring;
}

START_TEST(test_shipped_slack)
{
    load_shipped();
    eddy_value argv[6] = {S("Rica"), S("O'Dell"), S("platinum"), eddy_int(2),
                          S("the \"express\" check-in wasn't <b> & \\o/\n\x01 caf\xc3\xa9"),
                          S("iOS")}, v;
    const eddy_type *t = NULL;
    ck_assert_int_eq(call_typed("slack_alert", 6, argv, NULL, &v, &t), 0);
    ck_assert_int_eq(v.type, EDDY_TYPE_STRING);
    char *json = strndup(v.u.str, v.len);
    cJSON *o = cJSON_Parse(json);
    ck_assert_msg(o != NULL, "not JSON: %s", json);
    ASSERT_STR(jstr(o, "text"), "Rating 2/5 from Rica O'Dell (platinum)");
    ASSERT_STR(jstr(o, "blocks.0.type"), "section");
    ASSERT_STR(jstr(o, "blocks.0.text.type"), "mrkdwn");
    ASSERT_STR(jstr(o, "blocks.0.text.text"),
               "*Rica O'Dell* (platinum) rated *2/5* on iOS:\n"
               ">the \"express\" check-in wasn't &lt;b&gt; &amp; \\o/\n\x01 caf\xc3\xa9");
    ASSERT_STR(jstr(o, "blocks.1.type"), "context");
    ASSERT_STR(jstr(o, "blocks.1.elements.0.type"), "mrkdwn");
    ASSERT_STR(jstr(o, "blocks.1.elements.0.text"), "club status: platinum | channel: iOS");
    ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(o, "blocks")), 2);
    /* the raw text escapes the control character as JSON requires */
    ASSERT_HAS(json, "\\n\\u0001 caf\xc3\xa9");
    cJSON_Delete(o);
    free(json);

    /* NULLs show as "?" */
    eddy_value nulls[6] = {eddy_null(EDDY_TYPE_STRING), S("Pyke"), eddy_null(EDDY_TYPE_STRING),
                           eddy_null(EDDY_TYPE_INT), eddy_null(EDDY_TYPE_STRING), S("web")};
    ck_assert_int_eq(call_typed("slack_alert", 6, nulls, NULL, &v, &t), 0);
    json = strndup(v.u.str, v.len);
    o = cJSON_Parse(json);
    ck_assert_msg(o != NULL, "not JSON: %s", json);
    ASSERT_STR(jstr(o, "text"), "Rating ?/5 from ? Pyke (?)");
    ASSERT_STR(jstr(o, "blocks.0.text.text"), "*? Pyke* (?) rated *?/5* on web:\n>");
    cJSON_Delete(o);
    free(json);
}
END_TEST

/* ------------------------------------------------------------------ speed */

START_TEST(test_perf)
{
    load("perf.lua", "udf.scalar{ name = 'lua_lt3', params = {'INT stars'}, returns = 'BOOLEAN',\n"
                     "  fn = function(stars) return stars < 3 end }\n");
    /* the best of 5 rounds: other processes share the machine */
    enum { N = 400000, ROUNDS = 5 };
    const eddy_type *it[1] = {eddy_type_int()};
    eddy_func_binding b;
    ck_assert_int_eq(eddy_registry_resolve(reg, "lua_lt3", EDDY_FUNC_SCALAR, 1, it, &b, err,
                                           sizeof err), 0);
    eddy_func_ctx fctx = {.arena = arena, .errstr = err, .errstr_size = sizeof err};
    eddy_value x = eddy_int(0), out;
    ck_assert_int_eq(b.fn->scalar(&fctx, b.fn, 1, &x, &out), 0); /* warm */

    eddy_schema *schema;
    ck_assert_msg(eddy_columns_parse("STARS INT", &schema, err, sizeof err) == 0, "%s", err);
    eddy_value cols[1] = {eddy_int(0)};
    eddy_record rec;
    memset(&rec, 0, sizeof rec);
    rec.cols = cols;
    eddy_scope sc = {.schema = schema, .registry = reg};
    eddy_expr *e_lua, *e_bare;
    ck_assert_msg(eddy_expr_compile("LUA_LT3(STARS)", &sc, &e_lua, err, sizeof err) == 0, "%s",
                  err);
    ck_assert_msg(eddy_expr_compile("STARS < 3", &sc, &e_bare, err, sizeof err) == 0, "%s", err);
    eddy_eval_ctx ectx = {.arena = arena, .errstr = err, .errstr_size = sizeof err};

    double best[3] = {1e9, 1e9, 1e9}; /* direct call, LUA_LT3(STARS), STARS < 3 */
    for (int round = 0; round < ROUNDS; round++) {
        for (int k = 0; k < 3; k++) {
            int kept = 0;
            int64_t t0 = eddy_mono_ns();
            for (int i = 0; i < N; i++) {
                if (k == 0) {
                    x.u.i32 = i & 7;
                    b.fn->scalar(&fctx, b.fn, 1, &x, &out);
                } else {
                    cols[0].u.i32 = i & 7;
                    eddy_expr_eval(k == 1 ? e_lua : e_bare, &rec, &ectx, &out);
                }
                kept += out.u.b;
            }
            double ns = (double)(eddy_mono_ns() - t0) / N;
            ck_assert_int_eq(kept, N / 8 * 3);
            if (ns < best[k])
                best[k] = ns;
        }
    }
    ck_assert_uint_eq(eddy_arena_used(arena), 0); /* a BOOLEAN result allocates nothing */
    fprintf(stderr,
            "lua_lt3 via eddy_function.scalar: %.1f ns/call; LUA_LT3(STARS) via eddy_expr_eval: "
            "%.1f ns/eval; bare STARS < 3: %.1f ns/eval; Lua over bare: %.1f ns (best of %d)\n",
            best[0], best[1], best[2], best[1] - best[2], ROUNDS);
#if !defined(__SANITIZE_ADDRESS__)
    /* the target is 100 ns (about 50 measured on a quiet machine); the bound leaves room for
     * a loaded one and still catches a table built per call (+250 ns) */
    ck_assert_msg(best[1] - best[2] < 300, "a Lua call costs %.1f ns over the bare expression",
                  best[1] - best[2]);
#endif
    eddy_expr_destroy(e_lua);
    eddy_expr_destroy(e_bare);
    eddy_schema_release(schema);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("lua");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_sql_to_lua);
    tcase_add_test(tc, test_lua_to_sql);
    tcase_add_test(tc, test_overloads_variadic);
    tcase_add_test(tc, test_aggregate);
    tcase_add_test(tc, test_table);
    tcase_add_test(tc, test_load_errors);
    tcase_add_test(tc, test_runtime_error);
    tcase_add_test(tc, test_time_budget);
    tcase_add_test(tc, test_instruction_budget);
    tcase_add_test(tc, test_memory_cap);
    tcase_add_test(tc, test_sandbox);
    tcase_add_test(tc, test_reload);
    tcase_add_test(tc, test_load_dir);
    tcase_add_test(tc, test_threads);
    tcase_add_test(tc, test_shipped_classify);
    tcase_add_test(tc, test_shipped_club);
    tcase_add_test(tc, test_shipped_slack);
    tcase_add_test(tc, test_perf);
    suite_add_tcase(s, tc);
    return eddy_test_run(s);
}

#endif /* EDDY_HAVE_LUA */
