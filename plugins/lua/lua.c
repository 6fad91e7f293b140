/* lua.c: the `lua` operator: a Lua 5.4 function called per record, as a filter (keep the
 * record when it returns true), a map (one record out: a table of column values) or a flatmap
 * (a list of such tables); or, when the script defines `process_batch`, called once per batch
 * with a list of record views and returning the records to emit. A record reaches Lua as a
 * lazy view (a small userdata, per record one reused for every record: `r.STARS` reads one
 * column when asked, no table per record). One sandboxed state per task, a time and memory
 * budget per call; a failing call goes to the processing log with its traceback and the
 * pipeline goes on. A changed `script` file is reloaded between batches. */
#include "eddy/plugin.h"
#include "../common/putil.h"

#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>

EDDY_PLUGIN_API;

#define HOOK_STEP 1000     /* instructions between two budget checks */
#define LOAD_TIME_MS 1000  /* running the script's chunk gets at least this */
#define RELOAD_CHECK_MS 1000
#define MAX_DEPTH 32

static const eddy_config_prop lua_config[] = {
    {"script", EDDY_CONF_STRING, NULL, 0, NULL,
     "Path of the Lua file that defines the function (relative paths start from the working "
     "directory). Reloaded between batches when it changes; a failing version keeps the "
     "previous one. One of `script` and `code` is required."},
    {"code", EDDY_CONF_STRING, NULL, 0, NULL, "The Lua chunk itself, inline."},
    {"function", EDDY_CONF_STRING, "process", 0, NULL,
     "The global function the chunk defines, called once per record with the record view."},
    {"batch_function", EDDY_CONF_STRING, "process_batch", 0, NULL,
     "When the chunk defines a global function of this name, it is called once per batch "
     "(instead of `function` per record) with the list of the batch's record views, and "
     "returns the list of records to emit: views (passed unchanged) or, in map and flatmap "
     "mode, tables of column values (from the record `_record`, else the record at the same "
     "position)."},
    {"mode", EDDY_CONF_ENUM, "filter", 0, "filter|map|flatmap",
     "filter: keep the record when the function returns true (nil, false: drop). map: it "
     "returns a table of column values (nil: drop the record; the view itself: unchanged). "
     "flatmap: it returns a list of such tables (nil or {}: none)."},
    {"columns", EDDY_CONF_COLUMNS, NULL, 0, NULL,
     "map and flatmap: the output columns (\"ID BIGINT KEY, LABEL STRING\"); a column the "
     "returned table lacks is NULL. Default: the input's columns, and a column the table "
     "lacks keeps the input record's value."},
    {"time_limit_ms", EDDY_CONF_INT, "10", 0, NULL,
     "Wall-clock budget of one call (checked every 1000 VM instructions); 0: none."},
    {"memory_limit_mb", EDDY_CONF_INT, "64", 0, NULL,
     "Memory the task's Lua state may hold, in MiB; 0: no limit."},
    {NULL, 0, NULL, 0, NULL, NULL}};

enum { MODE_FILTER, MODE_MAP, MODE_FLATMAP };

/* The records the views show. A view userdata (vref) holds a position in `recs` and the
 * batch call it was made for (epoch 0: the per-record view, reused for every record). */
typedef struct view {
    const eddy_record *recs; /* NULL outside a call */
    uint32_t n;
    uint64_t epoch;          /* of the current batch call */
    const eddy_schema *schema;
} view;

typedef struct vref {
    uint32_t idx;
    uint64_t epoch;
} vref;

typedef struct lstate {
    eddy_op *op;
    lua_State *L;
    int mode;
    const eddy_schema *in;
    eddy_schema *out;   /* map/flatmap output (owned) */
    bool patch;         /* output = input schema: absent columns keep the input's values */
    int fn_ref, view_ref, cols_ref;
    bool batch;         /* the chunk defines the batch function */
    uint32_t *live;     /* per batch: batch index of each record handed to Lua */
    uint32_t caplive;
    view *v;
    char *script;       /* resolved path, or NULL */
    const char *code;
    const char *fname, *bname;
    int64_t mtime_ns, size, next_check;
    bool reload_failed_logged;
    /* budgets */
    size_t used, limit;
    uint32_t time_ms;
    bool in_call, tripped;
    uint64_t call_id, hook_call;
    int64_t hook_start;
    char why[EDDY_ERRSTR_SIZE];
} lstate;

/* --------------------------------------------------------------- budgets */

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void hook(lua_State *L, lua_Debug *ar)
{
    (void)ar;
    lstate *s = *(lstate **)lua_getextraspace(L);
    if (!s->in_call)
        return;
    if (s->tripped)
        luaL_error(L, "time limit exceeded (%d ms)", (int)s->time_ms);
    if (s->hook_call != s->call_id) { /* the budget runs from the call's first hook */
        s->hook_call = s->call_id;
        s->hook_start = mono_ms();
        return;
    }
    if (s->time_ms && mono_ms() - s->hook_start > (int64_t)s->time_ms) {
        /* from now on every instruction raises: a pcall in the script cannot go on */
        s->tripped = true;
        lua_sethook(L, hook, LUA_MASKCOUNT, 1);
        luaL_error(L, "time limit exceeded (%d ms)", (int)s->time_ms);
    }
}

static void *l_alloc(void *ud, void *ptr, size_t osize, size_t nsize)
{
    lstate *s = ud;
    size_t old = ptr ? osize : 0;
    if (nsize == 0) {
        free(ptr);
        s->used -= old;
        return NULL;
    }
    /* refused only inside a call (a failure elsewhere would not be protected) */
    if (s->in_call && s->limit && nsize > old && s->used + (nsize - old) > s->limit)
        return NULL;
    void *p = realloc(ptr, nsize);
    if (p)
        s->used = s->used - old + nsize;
    return p;
}

static int msgh(lua_State *L)
{
    const char *m = lua_tostring(L, 1);
    if (!m)
        m = luaL_typename(L, 1);
    luaL_traceback(L, L, m, 1);
    return 1;
}

/* pcall with the message handler at index 1 and the budget running. */
static int pcall_budget(lstate *s, int nargs, int nres)
{
    s->in_call = true;
    s->call_id++;
    int st = lua_pcall(s->L, nargs, nres, 1);
    s->in_call = false;
    if (s->tripped) {
        s->tripped = false;
        lua_sethook(s->L, hook, LUA_MASKCOUNT, HOOK_STEP);
    }
    return st;
}

/* ------------------------------------------------------------ sandbox */

static int safe_load(lua_State *L)
{
    /* source text only (no bytecode), environment the caller's sandbox unless given */
    size_t len;
    const char *text = luaL_checklstring(L, 1, &len);
    const char *name = luaL_optstring(L, 2, "=(load)");
    int st = luaL_loadbufferx(L, text, len, name, "t");
    if (st != LUA_OK) {
        lua_pushnil(L);
        lua_insert(L, -2);
        return 2;
    }
    if (!lua_isnoneornil(L, 4)) {
        lua_pushvalue(L, 4);
        if (!lua_setupvalue(L, -2, 1))
            lua_pop(L, 1);
    }
    return 1;
}

static lua_State *state_new(lstate *s)
{
    lua_State *L = lua_newstate(l_alloc, s);
    if (!L)
        return NULL;
    *(lstate **)lua_getextraspace(L) = s;
    static const luaL_Reg libs[] = {{LUA_GNAME, luaopen_base},         {LUA_STRLIBNAME, luaopen_string},
                                    {LUA_TABLIBNAME, luaopen_table},   {LUA_MATHLIBNAME, luaopen_math},
                                    {LUA_UTF8LIBNAME, luaopen_utf8},   {NULL, NULL}};
    for (const luaL_Reg *l = libs; l->name; l++) {
        luaL_requiref(L, l->name, l->func, 1);
        lua_pop(L, 1);
    }
    static const char *const removed[] = {"dofile", "loadfile", "require", "collectgarbage",
                                          "print", NULL};
    for (const char *const *r = removed; *r; r++) {
        lua_pushnil(L);
        lua_setglobal(L, *r);
    }
    lua_pushcfunction(L, safe_load);
    lua_setglobal(L, "load");
    lua_sethook(L, hook, LUA_MASKCOUNT, HOOK_STEP);
    lua_pushcfunction(L, msgh); /* stays at index 1 */
    return L;
}

/* ----------------------------------------------------------- Lua values */

static void push_value(lua_State *L, const eddy_value *v, const eddy_type *t, int depth);

static void push_value(lua_State *L, const eddy_value *v, const eddy_type *t, int depth)
{
    if (v->is_null || depth > MAX_DEPTH) {
        lua_pushnil(L);
        return;
    }
    switch (v->type) {
    case EDDY_TYPE_BOOLEAN: lua_pushboolean(L, v->u.b); break;
    case EDDY_TYPE_INT: lua_pushinteger(L, v->u.i32); break;
    case EDDY_TYPE_BIGINT: lua_pushinteger(L, v->u.i64); break;
    case EDDY_TYPE_DOUBLE: lua_pushnumber(L, v->u.f64); break;
    case EDDY_TYPE_STRING:
    case EDDY_TYPE_BYTES: lua_pushlstring(L, v->u.str, v->len); break;
    case EDDY_TYPE_DATE: lua_pushinteger(L, v->u.date); break;
    case EDDY_TYPE_TIME: lua_pushinteger(L, v->u.time); break;
    case EDDY_TYPE_TIMESTAMP: lua_pushinteger(L, v->u.ts); break;
    case EDDY_TYPE_DECIMAL: {
        eddy_buf b = {0};
        eddy_api->value_format(&b, v);
        lua_pushlstring(L, b.data ? b.data : "", b.len);
        eddy_api->buf_free(&b);
        break;
    }
    case EDDY_TYPE_ARRAY:
        lua_createtable(L, (int)v->len, 0);
        for (uint32_t i = 0; i < v->len; i++) {
            push_value(L, &v->u.items[i], t ? t->elem : NULL, depth + 1);
            lua_rawseti(L, -2, (lua_Integer)i + 1);
        }
        break;
    case EDDY_TYPE_MAP:
        lua_createtable(L, 0, (int)v->len);
        for (uint32_t i = 0; i < v->len; i++) {
            if (v->u.items[2 * i].is_null)
                continue;
            push_value(L, &v->u.items[2 * i], t ? t->key : NULL, depth + 1);
            push_value(L, &v->u.items[2 * i + 1], t ? t->elem : NULL, depth + 1);
            lua_rawset(L, -3);
        }
        break;
    case EDDY_TYPE_STRUCT:
        lua_createtable(L, 0, (int)v->len);
        for (uint32_t i = 0; t && i < v->len && i < t->nfields; i++) {
            push_value(L, &v->u.items[i], t->fields[i].type, depth + 1);
            lua_setfield(L, -2, t->fields[i].name);
        }
        break;
    default: lua_pushnil(L); break;
    }
}

typedef struct conv {
    lstate *s;
    eddy_batch *out;
    char *why;
    size_t why_size;
} conv;

static int conv_fail(conv *c, const char *where, const eddy_type *t, lua_State *L, int idx,
                     const char *what)
{
    char tn[96];
    pu_type_name(eddy_api, t, tn, sizeof tn);
    snprintf(c->why, c->why_size, "%s: expected %s, got %s%s%s", where, tn,
             luaL_typename(L, idx), what ? ": " : "", what ? what : "");
    return EDDY_ETYPE;
}

static int from_lua(conv *c, lua_State *L, int idx, const eddy_type *t, eddy_value *out,
                    const char *where, int depth);

static int copy_str(conv *c, const char *p, size_t n, const char **dst)
{
    char *m = eddy_api->batch_alloc(c->out, n ? n : 1);
    if (!m)
        return EDDY_ENOMEM;
    memcpy(m, p, n);
    *dst = m;
    return 0;
}

static int from_lua(conv *c, lua_State *L, int idx, const eddy_type *t, eddy_value *out,
                    const char *where, int depth)
{
    int lt = lua_type(L, idx);
    if (lt == LUA_TNIL) {
        *out = eddy_null(t->id);
        return 0;
    }
    if (depth > MAX_DEPTH)
        return conv_fail(c, where, t, L, idx, "nested too deeply");
    int isnum = 0;
    switch (t->id) {
    case EDDY_TYPE_BOOLEAN:
        if (lt != LUA_TBOOLEAN)
            return conv_fail(c, where, t, L, idx, NULL);
        *out = eddy_bool(lua_toboolean(L, idx));
        return 0;
    case EDDY_TYPE_INT:
    case EDDY_TYPE_BIGINT:
    case EDDY_TYPE_DATE:
    case EDDY_TYPE_TIME:
    case EDDY_TYPE_TIMESTAMP: {
        if (lt != LUA_TNUMBER)
            return conv_fail(c, where, t, L, idx, NULL);
        lua_Integer i = lua_tointegerx(L, idx, &isnum);
        if (!isnum)
            return conv_fail(c, where, t, L, idx, "not an integral number");
        if ((t->id == EDDY_TYPE_INT || t->id == EDDY_TYPE_DATE) &&
            (i < INT32_MIN || i > INT32_MAX))
            return conv_fail(c, where, t, L, idx, "out of range");
        if (t->id == EDDY_TYPE_TIME && (i < 0 || i > 86399999))
            return conv_fail(c, where, t, L, idx, "out of range");
        eddy_value v = {0};
        v.type = (uint8_t)t->id;
        if (t->id == EDDY_TYPE_INT)
            v.u.i32 = (int32_t)i;
        else if (t->id == EDDY_TYPE_DATE)
            v.u.date = (int32_t)i;
        else if (t->id == EDDY_TYPE_TIME)
            v.u.time = (int32_t)i;
        else
            v.u.i64 = i; /* BIGINT and TIMESTAMP share the int64 payload */
        *out = v;
        return 0;
    }
    case EDDY_TYPE_DOUBLE:
        if (lt != LUA_TNUMBER)
            return conv_fail(c, where, t, L, idx, NULL);
        *out = eddy_double(lua_tonumber(L, idx));
        return 0;
    case EDDY_TYPE_STRING:
    case EDDY_TYPE_BYTES: {
        if (lt != LUA_TSTRING)
            return conv_fail(c, where, t, L, idx, NULL);
        size_t n;
        const char *p = lua_tolstring(L, idx, &n);
        const char *d;
        if (n > UINT32_MAX || copy_str(c, p, n, &d))
            return EDDY_ENOMEM;
        *out = t->id == EDDY_TYPE_STRING ? eddy_string(d, (uint32_t)n) : eddy_bytes(d, (uint32_t)n);
        return 0;
    }
    case EDDY_TYPE_DECIMAL: {
        eddy_value in;
        const char *d = NULL;
        size_t n = 0;
        if (lt == LUA_TSTRING) {
            const char *p = lua_tolstring(L, idx, &n);
            if (copy_str(c, p, n, &d))
                return EDDY_ENOMEM;
            in = eddy_string(d, (uint32_t)n);
        } else if (lt == LUA_TNUMBER && lua_isinteger(L, idx)) {
            in = eddy_bigint(lua_tointeger(L, idx));
        } else if (lt == LUA_TNUMBER) {
            in = eddy_double(lua_tonumber(L, idx));
        } else {
            return conv_fail(c, where, t, L, idx, NULL);
        }
        char err[EDDY_ERRSTR_SIZE] = "";
        if (eddy_api->value_cast(c->out->arena, &in, t, out, err, sizeof err))
            return conv_fail(c, where, t, L, idx, err);
        return 0;
    }
    case EDDY_TYPE_ARRAY: {
        if (lt != LUA_TTABLE)
            return conv_fail(c, where, t, L, idx, NULL);
        lua_Unsigned n = lua_rawlen(L, idx);
        eddy_value *items = n ? eddy_api->batch_alloc(c->out, n * sizeof *items) : NULL;
        if (n && !items)
            return EDDY_ENOMEM;
        for (lua_Unsigned i = 0; i < n; i++) {
            char w[256];
            snprintf(w, sizeof w, "%s[%llu]", where, (unsigned long long)i + 1);
            lua_rawgeti(L, idx, (lua_Integer)i + 1);
            int rc = from_lua(c, L, lua_gettop(L), t->elem, &items[i], w, depth + 1);
            lua_pop(L, 1);
            if (rc)
                return rc;
        }
        eddy_value v = {0};
        v.type = EDDY_TYPE_ARRAY;
        v.len = (uint32_t)n;
        v.u.items = items;
        *out = v;
        return 0;
    }
    case EDDY_TYPE_MAP: {
        if (lt != LUA_TTABLE)
            return conv_fail(c, where, t, L, idx, NULL);
        uint32_t n = 0;
        lua_pushnil(L);
        while (lua_next(L, idx)) {
            n++;
            lua_pop(L, 1);
        }
        eddy_value *items = n ? eddy_api->batch_alloc(c->out, 2 * n * sizeof *items) : NULL;
        if (n && !items)
            return EDDY_ENOMEM;
        uint32_t k = 0;
        lua_pushnil(L);
        while (lua_next(L, idx)) {
            int top = lua_gettop(L);
            char w[256];
            snprintf(w, sizeof w, "%s{key}", where);
            /* a copy of the key: converting must not touch the one lua_next needs */
            lua_pushvalue(L, top - 1);
            int rc = from_lua(c, L, top + 1, t->key, &items[2 * k], w, depth + 1);
            lua_pop(L, 1);
            if (!rc)
                rc = from_lua(c, L, top, t->elem, &items[2 * k + 1], where, depth + 1);
            lua_pop(L, 1);
            if (rc) {
                lua_pop(L, 1);
                return rc;
            }
            k++;
        }
        eddy_value v = {0};
        v.type = EDDY_TYPE_MAP;
        v.len = n;
        v.u.items = items;
        *out = v;
        return 0;
    }
    case EDDY_TYPE_STRUCT: {
        if (lt != LUA_TTABLE)
            return conv_fail(c, where, t, L, idx, NULL);
        eddy_value *items = t->nfields ? eddy_api->batch_alloc(c->out, t->nfields * sizeof *items)
                                       : NULL;
        if (t->nfields && !items)
            return EDDY_ENOMEM;
        for (uint32_t i = 0; i < t->nfields; i++) {
            char w[256];
            snprintf(w, sizeof w, "%s.%s", where, t->fields[i].name);
            lua_getfield(L, idx, t->fields[i].name);
            int rc = from_lua(c, L, lua_gettop(L), t->fields[i].type, &items[i], w, depth + 1);
            lua_pop(L, 1);
            if (rc)
                return rc;
        }
        eddy_value v = {0};
        v.type = EDDY_TYPE_STRUCT;
        v.len = t->nfields;
        v.u.items = items;
        *out = v;
        return 0;
    }
    }
    return conv_fail(c, where, t, L, idx, "unsupported type");
}

/* ------------------------------------------------------------ the view */

/* The record `ud` shows, or an error when it is used outside the call it was passed to. */
static const eddy_record *view_rec(lua_State *L, const view *v, const vref *ud)
{
    if (!ud || !v->recs || ud->idx >= v->n || (ud->epoch && ud->epoch != v->epoch))
        luaL_error(L, "the record view is only valid during the call it was passed to");
    return &v->recs[ud->idx];
}

/* A method's record: `self` must be a view (checked against the hidden metatable, since a
 * method can be called as r.key(x)); the view state is upvalue 1. */
static const eddy_record *check_self(lua_State *L)
{
    const vref *ud = luaL_testudata(L, 1, "eddy.record");
    if (!ud)
        luaL_error(L, "expected a record view as self (call methods as r:name())");
    return view_rec(L, lua_touserdata(L, lua_upvalueindex(1)), ud);
}

static int col_index(lua_State *L, view *v, int key)
{
    /* upvalue 1: name -> index (exact names, then upper-cased names) */
    lua_pushvalue(L, key);
    lua_rawget(L, lua_upvalueindex(1));
    int isnum = 0;
    int i = (int)lua_tointegerx(L, -1, &isnum);
    lua_pop(L, 1);
    return isnum && i >= 0 && (uint32_t)i < v->schema->ncols ? i : -1;
}

static int view_index(lua_State *L)
{
    /* only the VM calls __index (the metatable is hidden), with a view as argument 1 */
    view *v = lua_touserdata(L, lua_upvalueindex(3));
    const eddy_record *rec = view_rec(L, v, lua_touserdata(L, 1));
    int i = -1;
    if (lua_type(L, 2) == LUA_TNUMBER) {
        lua_Integer k = lua_tointeger(L, 2);
        if (k >= 1 && (lua_Unsigned)k <= v->schema->ncols)
            i = (int)k - 1;
    } else if (lua_type(L, 2) == LUA_TSTRING) {
        i = col_index(L, v, 2);
        if (i < 0) { /* a method */
            lua_pushvalue(L, 2);
            lua_rawget(L, lua_upvalueindex(2));
            return 1;
        }
    }
    if (i < 0) {
        lua_pushnil(L);
        return 1;
    }
    push_value(L, &rec->cols[i], v->schema->cols[i].type, 0);
    return 1;
}

static int view_key(lua_State *L)
{
    const eddy_record *rec = check_self(L);
    const view *v = lua_touserdata(L, lua_upvalueindex(1));
    for (uint32_t i = 0; i < v->schema->nkey; i++)
        push_value(L, &rec->cols[i], v->schema->cols[i].type, 0);
    return (int)v->schema->nkey;
}

static int view_timestamp(lua_State *L)
{
    lua_pushinteger(L, check_self(L)->rowtime);
    return 1;
}

static int view_partition(lua_State *L)
{
    lua_pushinteger(L, check_self(L)->origin.partition);
    return 1;
}

static int view_offset(lua_State *L)
{
    lua_pushinteger(L, check_self(L)->origin.offset);
    return 1;
}

static int view_headers(lua_State *L)
{
    const eddy_record *r = check_self(L);
    lua_createtable(L, (int)r->nheaders, 0);
    for (uint32_t i = 0; i < r->nheaders; i++) {
        lua_createtable(L, 0, 2);
        lua_pushlstring(L, r->headers[i].key, r->headers[i].key_len);
        lua_setfield(L, -2, "key");
        if (r->headers[i].value)
            lua_pushlstring(L, (const char *)r->headers[i].value, r->headers[i].value_len);
        else
            lua_pushnil(L);
        lua_setfield(L, -2, "value");
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    return 1;
}

static int view_header(lua_State *L)
{
    const eddy_record *r = check_self(L);
    size_t n;
    const char *k = luaL_checklstring(L, 2, &n);
    for (uint32_t i = r->nheaders; i-- > 0;) /* the last one wins, as Kafka's lastHeader */
        if (r->headers[i].key_len == n && memcmp(r->headers[i].key, k, n) == 0) {
            if (r->headers[i].value)
                lua_pushlstring(L, (const char *)r->headers[i].value, r->headers[i].value_len);
            else
                lua_pushnil(L);
            return 1;
        }
    lua_pushnil(L);
    return 1;
}

static int view_totable(lua_State *L)
{
    const eddy_record *rec = check_self(L);
    const view *v = lua_touserdata(L, lua_upvalueindex(1));
    lua_createtable(L, 0, (int)v->schema->ncols);
    for (uint32_t i = 0; i < v->schema->ncols; i++) {
        push_value(L, &rec->cols[i], v->schema->cols[i].type, 0);
        lua_setfield(L, -2, v->schema->cols[i].name);
    }
    return 1;
}

static int view_tostring(lua_State *L)
{
    lua_pushliteral(L, "eddy.record");
    return 1;
}

static const char *const method_names[] = {"key", "timestamp", "headers", "header",
                                           "partition", "offset", "totable", NULL};

static bool is_method(const char *name)
{
    for (const char *const *m = method_names; *m; m++)
        if (strcmp(*m, name) == 0)
            return true;
    return false;
}

/* Creates the per-record view userdata (registry ref) and the views' metatable. */
static int make_view(lstate *s)
{
    lua_State *L = s->L;
    s->v = calloc(1, sizeof *s->v);
    if (!s->v)
        return EDDY_ENOMEM;
    s->v->schema = s->in;
    vref *ud = lua_newuserdatauv(L, sizeof *ud, 0);
    *ud = (vref){0, 0};
    luaL_newmetatable(L, "eddy.record");
    /* upvalue 1: column names -> index; upvalue 2: methods */
    lua_createtable(L, 0, (int)s->in->ncols * 2);
    for (uint32_t i = 0; i < s->in->ncols; i++) {
        const char *name = s->in->cols[i].name;
        char low[256];
        size_t n = strlen(name);
        if (n < sizeof low) {
            for (size_t k = 0; k <= n; k++)
                low[k] = (char)(name[k] >= 'A' && name[k] <= 'Z' ? name[k] + 32 : name[k]);
            /* r.stars as well as r.STARS; a lower-case alias never hides a method */
            if (!is_method(low)) {
                lua_pushinteger(L, i);
                lua_setfield(L, -2, low);
            }
        }
    }
    for (uint32_t i = 0; i < s->in->ncols; i++) {
        lua_pushinteger(L, i);
        lua_setfield(L, -2, s->in->cols[i].name);
    }
    static const luaL_Reg methods[] = {{"key", view_key},           {"timestamp", view_timestamp},
                                       {"headers", view_headers},   {"header", view_header},
                                       {"partition", view_partition}, {"offset", view_offset},
                                       {"totable", view_totable},   {NULL, NULL}};
    luaL_newlibtable(L, methods);
    lua_pushlightuserdata(L, s->v);
    luaL_setfuncs(L, methods, 1);
    lua_pushlightuserdata(L, s->v);
    lua_pushcclosure(L, view_index, 3);
    lua_setfield(L, -2, "__index");
    lua_pushcfunction(L, view_tostring);
    lua_setfield(L, -2, "__tostring");
    lua_pushliteral(L, "eddy.record");
    lua_setfield(L, -2, "__metatable");
    lua_setmetatable(L, -2);
    s->view_ref = luaL_ref(L, LUA_REGISTRYINDEX);
    return 0;
}

/* ------------------------------------------------------------ loading */

static int read_file(const char *path, char **text, size_t *len, int64_t *mtime, int64_t *size)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return EDDY_ENOTFOUND;
    struct stat st;
    if (fstat(fileno(f), &st) != 0 || !(*text = malloc((size_t)st.st_size + 1))) {
        fclose(f);
        return EDDY_EIO;
    }
    *len = fread(*text, 1, (size_t)st.st_size, f);
    (*text)[*len] = '\0';
    fclose(f);
    *mtime = (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
    *size = (int64_t)st.st_size;
    return 0;
}

/* Runs the chunk in a fresh environment and leaves its function at the top of the stack:
 * the batch function when it defines one (*batch set), else the per-record one. */
static int load_chunk(lstate *s, const char *text, size_t len, const char *chunkname,
                      bool *batch, char *errstr, size_t errstr_size)
{
    lua_State *L = s->L;
    int top = lua_gettop(L);
    if (luaL_loadbufferx(L, text, len, chunkname, "t") != LUA_OK) {
        pu_err(errstr, errstr_size, EDDY_EPARSE, "%s", lua_tostring(L, -1));
        lua_settop(L, top);
        return EDDY_EPARSE;
    }
    /* its own globals, over the sandbox's */
    lua_newtable(L);
    lua_newtable(L);
    lua_pushglobaltable(L);
    lua_setfield(L, -2, "__index");
    lua_setmetatable(L, -2);
    lua_pushvalue(L, -1);
    lua_setupvalue(L, -3, 1); /* _ENV; the env stays below the chunk */
    lua_insert(L, -2);
    uint32_t saved = s->time_ms;
    if (s->time_ms && s->time_ms < LOAD_TIME_MS)
        s->time_ms = LOAD_TIME_MS;
    int st = pcall_budget(s, 0, 0);
    s->time_ms = saved;
    if (st != LUA_OK) {
        pu_err(errstr, errstr_size, EDDY_EFUNC, "%s", lua_tostring(L, -1));
        lua_settop(L, top);
        return EDDY_EFUNC;
    }
    *batch = lua_getfield(L, -1, s->bname) == LUA_TFUNCTION;
    if (!*batch) {
        lua_pop(L, 1);
        lua_getfield(L, -1, s->fname);
    }
    if (lua_type(L, -1) != LUA_TFUNCTION) {
        pu_err(errstr, errstr_size, EDDY_ENOTFOUND,
               "%s: defines no function '%s' (a global function of that name is called per "
               "record) nor '%s' (called per batch)", chunkname + 1, s->fname, s->bname);
        lua_settop(L, top);
        return EDDY_ENOTFOUND;
    }
    lua_remove(L, -2);
    return 0;
}

static void lstate_free(lstate *s)
{
    if (!s)
        return;
    if (s->L)
        lua_close(s->L);
    eddy_api->schema_release(s->out);
    free(s->script);
    free(s->v);
    free(s->live);
    free(s);
}

/* Everything plan and create share: config, state, script, output schema. */
static int lstate_build(eddy_op *op, lstate **out, char *errstr, size_t errstr_size)
{
    lstate *s = calloc(1, sizeof *s);
    if (!s)
        return pu_err(errstr, errstr_size, EDDY_ENOMEM, "out of memory");
    s->op = op;
    s->in = eddy_api->input_schema(op, 0);
    const char *mode = eddy_api->config_str(op, "mode");
    s->mode = !mode || strcasecmp(mode, "filter") == 0 ? MODE_FILTER
              : strcasecmp(mode, "map") == 0           ? MODE_MAP
                                                       : MODE_FLATMAP;
    s->fname = eddy_api->config_str(op, "function");
    s->bname = eddy_api->config_str(op, "batch_function");
    int64_t tl = eddy_api->config_int(op, "time_limit_ms");
    int64_t ml = eddy_api->config_int(op, "memory_limit_mb");
    int rc = 0;
    bool has_script = eddy_api->config_has(op, "script"), has_code = eddy_api->config_has(op, "code");
    if (has_script == has_code)
        rc = pu_err(errstr, errstr_size, EDDY_EINVAL, "config: give one of 'script' and 'code'");
    else if (tl < 0 || tl > 3600000)
        rc = pu_err(errstr, errstr_size, EDDY_EINVAL, "config 'time_limit_ms': %lld is not in "
                    "0..3600000", (long long)tl);
    else if (ml < 0 || ml > 1 << 20)
        rc = pu_err(errstr, errstr_size, EDDY_EINVAL, "config 'memory_limit_mb': %lld is not in "
                    "0..1048576", (long long)ml);
    if (rc) {
        free(s);
        return rc;
    }
    s->time_ms = (uint32_t)tl;
    s->limit = (size_t)ml << 20;
    if (eddy_api->config_has(op, "columns")) {
        if (s->mode == MODE_FILTER) {
            free(s);
            return pu_err(errstr, errstr_size, EDDY_EINVAL,
                          "config 'columns': only for mode map or flatmap");
        }
        char why[EDDY_ERRSTR_SIZE];
        rc = eddy_api->columns_parse(op, eddy_api->config_str(op, "columns"), &s->out, why,
                                     sizeof why);
        if (rc) {
            free(s);
            return pu_err(errstr, errstr_size, rc, "config 'columns': %s", why);
        }
    } else {
        s->out = eddy_api->schema_retain(s->in);
        s->patch = true;
    }
    if (!(s->L = state_new(s))) {
        lstate_free(s);
        return pu_err(errstr, errstr_size, EDDY_ENOMEM, "out of memory");
    }
    char *text = NULL;
    size_t len = 0;
    char chunkname[4200];
    if (has_script) {
        s->script = pu_resolve_path(eddy_api, op, eddy_api->config_str(op, "script"));
        if (!s->script) {
            lstate_free(s);
            return pu_err(errstr, errstr_size, EDDY_ENOMEM, "out of memory");
        }
        if (read_file(s->script, &text, &len, &s->mtime_ns, &s->size)) {
            rc = pu_err(errstr, errstr_size, EDDY_ENOTFOUND, "config 'script': cannot read %s: "
                        "%s", s->script, strerror(errno));
            lstate_free(s);
            return rc;
        }
        snprintf(chunkname, sizeof chunkname, "@%s", s->script);
    } else {
        s->code = eddy_api->config_str(op, "code");
        snprintf(chunkname, sizeof chunkname, "=%s", "code");
    }
    char why[EDDY_ERRSTR_SIZE];
    rc = load_chunk(s, text ? text : s->code, text ? len : strlen(s->code), chunkname,
                    &s->batch, why, sizeof why);
    free(text);
    if (rc) {
        lstate_free(s);
        return pu_err(errstr, errstr_size, rc, "config '%s': %s", has_script ? "script" : "code",
                      why);
    }
    s->fn_ref = luaL_ref(s->L, LUA_REGISTRYINDEX);
    if (make_view(s)) {
        lstate_free(s);
        return pu_err(errstr, errstr_size, EDDY_ENOMEM, "out of memory");
    }
    *out = s;
    return 0;
}

/* A changed script is loaded between two batches; a failing version is logged once. */
static void maybe_reload(lstate *s)
{
    if (!s->script)
        return;
    int64_t now = eddy_api->now_ms();
    if (now < s->next_check)
        return;
    s->next_check = now + RELOAD_CHECK_MS;
    struct stat st;
    if (stat(s->script, &st) != 0)
        return;
    int64_t mt = (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
    if (mt == s->mtime_ns && (int64_t)st.st_size == s->size)
        return;
    char *text = NULL;
    size_t len;
    if (read_file(s->script, &text, &len, &s->mtime_ns, &s->size))
        return;
    char chunkname[4200], why[EDDY_ERRSTR_SIZE];
    snprintf(chunkname, sizeof chunkname, "@%s", s->script);
    bool batch;
    int rc = load_chunk(s, text, len, chunkname, &batch, why, sizeof why);
    free(text);
    if (rc) {
        eddy_api->log(s->op, EDDY_LOG_ERROR, "reload of %s failed, the previous version stays: "
                      "%s", s->script, why);
        return;
    }
    luaL_unref(s->L, LUA_REGISTRYINDEX, s->fn_ref);
    s->fn_ref = luaL_ref(s->L, LUA_REGISTRYINDEX);
    s->batch = batch;
    eddy_api->log(s->op, EDDY_LOG_INFO, "reloaded %s", s->script);
}

/* ------------------------------------------------------------ operator */

static int lua_plan(eddy_op *op, char *errstr, size_t errstr_size)
{
    lstate *s = NULL;
    int rc = lstate_build(op, &s, errstr, errstr_size);
    if (rc)
        return rc;
    rc = eddy_api->output_add(op, NULL, s->out, errstr, errstr_size);
    lstate_free(s);
    return rc;
}

static int lua_create(eddy_op *op, void **state, char *errstr, size_t errstr_size)
{
    lstate *s = NULL;
    int rc = lstate_build(op, &s, errstr, errstr_size);
    if (rc == 0)
        *state = s;
    return rc;
}

static void call_error(lstate *s, const eddy_record *rec, int code, const char *msg)
{
    char reason[EDDY_ERRSTR_SIZE * 2];
    snprintf(reason, sizeof reason, "lua function '%s': %s", s->batch ? s->bname : s->fname,
             msg);
    eddy_api->record_error(s->op, rec, NULL, 0, code, reason);
}

/* Appends one output record from the table at `idx` (map, flatmap). */
static int table_record(lstate *s, eddy_batch *out, const eddy_record *r, int idx)
{
    lua_State *L = s->L;
    eddy_record *o = eddy_api->batch_append(out);
    if (!o)
        return EDDY_ENOMEM;
    eddy_value *cols = o->cols;
    *o = *r;
    o->cols = cols;
    o->flags &= ~(uint32_t)EDDY_REC_TOMBSTONE;
    conv c = {s, out, s->why, sizeof s->why};
    for (uint32_t i = 0; i < s->out->ncols; i++) {
        const eddy_column *col = &s->out->cols[i];
        int t = lua_getfield(L, idx, col->name);
        if (t == LUA_TNIL) {
            lua_pop(L, 1);
            char low[256];
            size_t n = strlen(col->name);
            if (n < sizeof low) {
                for (size_t k = 0; k <= n; k++)
                    low[k] = (char)(col->name[k] >= 'A' && col->name[k] <= 'Z' ? col->name[k] + 32
                                                                               : col->name[k]);
                t = lua_getfield(L, idx, low);
            } else {
                lua_pushnil(L);
            }
        }
        int rc;
        if (t == LUA_TNIL && s->patch)
            cols[i] = r->cols[i];
        else if ((rc = from_lua(&c, L, lua_gettop(L), col->type, &cols[i], col->name, 0))) {
            lua_pop(L, 1);
            eddy_api->batch_pop(out);
            if (rc == EDDY_ENOMEM)
                return rc;
            call_error(s, r, rc, s->why);
            return 0;
        }
        lua_pop(L, 1);
    }
    return 0;
}

/* One call per record. */
static int per_record(lstate *s, eddy_batch *in, eddy_batch *out)
{
    lua_State *L = s->L;
    int rc = 0;
    lua_settop(L, 1);
    lua_rawgeti(L, LUA_REGISTRYINDEX, s->fn_ref);   /* 2 */
    lua_rawgeti(L, LUA_REGISTRYINDEX, s->view_ref); /* 3 */
    for (uint32_t i = 0; rc == 0 && i < in->n; i++) {
        const eddy_record *r = &in->recs[i];
        if (r->flags & EDDY_REC_TOMBSTONE) {
            /* a delete has no value to look at: it passes (or, under other columns, goes) */
            if ((s->mode == MODE_FILTER || s->patch) && !eddy_api->batch_append_copy(out, r))
                rc = EDDY_ENOMEM;
            continue;
        }
        s->v->recs = r;
        s->v->n = 1;
        lua_pushvalue(L, 2);
        lua_pushvalue(L, 3);
        int st = pcall_budget(s, 1, 1);
        if (st != LUA_OK) {
            s->v->recs = NULL;
            const char *m = lua_tostring(L, -1);
            call_error(s, r, EDDY_EFUNC, m ? m : "error");
            lua_settop(L, 3);
            if (st == LUA_ERRMEM || (s->limit && s->used > s->limit))
                lua_gc(L, LUA_GCCOLLECT);
            continue;
        }
        int rt = lua_type(L, -1);
        if (s->mode == MODE_FILTER) {
            if (lua_toboolean(L, -1) && !eddy_api->batch_append_copy(out, r))
                rc = EDDY_ENOMEM;
        } else if (rt == LUA_TNIL) {
            /* dropped */
        } else if (rt == LUA_TUSERDATA && lua_rawequal(L, -1, 3) && s->patch) {
            if (!eddy_api->batch_append_copy(out, r)) /* the record itself, unchanged */
                rc = EDDY_ENOMEM;
        } else if (rt != LUA_TTABLE) {
            snprintf(s->why, sizeof s->why, "returned a %s; expected %s", luaL_typename(L, -1),
                     s->mode == MODE_MAP ? "a table of column values or nil"
                                         : "a list of tables of column values or nil");
            call_error(s, r, EDDY_ETYPE, s->why);
        } else if (s->mode == MODE_MAP) {
            rc = table_record(s, out, r, lua_gettop(L));
        } else {
            lua_Unsigned n = lua_rawlen(L, -1);
            int list = lua_gettop(L);
            for (lua_Unsigned k = 1; rc == 0 && k <= n; k++) {
                if (lua_rawgeti(L, list, (lua_Integer)k) != LUA_TTABLE) {
                    snprintf(s->why, sizeof s->why, "item %llu of the returned list is a %s; "
                             "expected a table of column values", (unsigned long long)k,
                             luaL_typename(L, -1));
                    call_error(s, r, EDDY_ETYPE, s->why);
                } else {
                    rc = table_record(s, out, r, lua_gettop(L));
                }
                lua_pop(L, 1);
            }
        }
        s->v->recs = NULL;
        lua_settop(L, 3);
    }
    lua_settop(L, 1);
    return rc;
}

/* The record item `k` (from 1) of a batch function's result comes from: its `_record` view,
 * else the record at the same position of the list it was given, else NULL (and `why`). */
static const eddy_record *item_origin(lstate *s, eddy_batch *in, uint32_t nlive, int item,
                                      lua_Unsigned k)
{
    lua_State *L = s->L;
    const eddy_record *r = NULL;
    int t = lua_getfield(L, item, "_record");
    const vref *ud = t == LUA_TNIL ? NULL : luaL_testudata(L, -1, "eddy.record");
    if (ud) {
        if (ud->idx < in->n && ud->epoch == s->v->epoch)
            r = &in->recs[ud->idx];
        else
            snprintf(s->why, sizeof s->why, "item %llu of the returned list: its _record is a "
                     "view from another call", (unsigned long long)k);
    } else if (t != LUA_TNIL) {
        snprintf(s->why, sizeof s->why, "item %llu of the returned list: _record is a %s; "
                 "expected a record view", (unsigned long long)k, luaL_typename(L, -1));
    } else if (k <= nlive) {
        r = &in->recs[s->live[k - 1]];
    } else {
        snprintf(s->why, sizeof s->why, "item %llu of the returned list has no _record and the "
                 "batch has %u records: name the record it comes from (_record = r)",
                 (unsigned long long)k, nlive);
    }
    lua_pop(L, 1);
    return r;
}

/* Emits what a batch function returned (at the top of the stack). A bad item goes to the
 * processing log under the record it comes from (its position's, else the batch's last). */
static int batch_emit(lstate *s, eddy_batch *in, eddy_batch *out, uint32_t nlive)
{
    lua_State *L = s->L;
    int list = lua_gettop(L);
    if (lua_isnil(L, list))
        return 0;
    if (!lua_istable(L, list)) {
        snprintf(s->why, sizeof s->why, "returned a %s; expected a list of records (record "
                 "views%s) or nil", luaL_typename(L, list),
                 s->mode == MODE_FILTER ? "" : " or tables of column values");
        for (uint32_t k = 0; k < nlive; k++)
            call_error(s, &in->recs[s->live[k]], EDDY_ETYPE, s->why);
        return 0;
    }
    int rc = 0;
    lua_Unsigned n = lua_rawlen(L, list);
    for (lua_Unsigned k = 1; rc == 0 && k <= n; k++) {
        int t = lua_rawgeti(L, list, (lua_Integer)k);
        int item = lua_gettop(L);
        const eddy_record *blame = nlive ? &in->recs[s->live[k <= nlive ? k - 1 : nlive - 1]]
                                         : NULL;
        const vref *ud = t == LUA_TUSERDATA ? luaL_testudata(L, item, "eddy.record") : NULL;
        if (ud && (ud->idx >= in->n || ud->epoch != s->v->epoch)) {
            snprintf(s->why, sizeof s->why, "item %llu of the returned list is a record view "
                     "from another call", (unsigned long long)k);
        } else if (ud && (s->mode == MODE_FILTER || s->patch)) {
            if (!eddy_api->batch_append_copy(out, &in->recs[ud->idx]))
                rc = EDDY_ENOMEM;
            s->why[0] = '\0';
        } else if (ud) {
            blame = &in->recs[ud->idx];
            snprintf(s->why, sizeof s->why, "item %llu of the returned list is a record view; "
                     "with 'columns', return tables of column values", (unsigned long long)k);
        } else if (t == LUA_TTABLE && s->mode != MODE_FILTER) {
            const eddy_record *r = item_origin(s, in, nlive, item, k);
            if (r) {
                rc = table_record(s, out, r, item);
                s->why[0] = '\0';
            }
        } else {
            snprintf(s->why, sizeof s->why, "item %llu of the returned list is a %s; expected "
                     "%s", (unsigned long long)k, luaL_typename(L, item),
                     s->mode == MODE_FILTER ? "a record view (filter mode)"
                                            : "a record view or a table of column values");
        }
        if (rc == 0 && s->why[0] && blame)
            call_error(s, blame, EDDY_ETYPE, s->why);
        lua_settop(L, list);
    }
    return rc;
}

/* One call per batch: the list of views of its records (deletes pass as in per-record mode,
 * ahead of the function's records, and are not shown to it). */
static int per_batch(lstate *s, eddy_batch *in, eddy_batch *out)
{
    lua_State *L = s->L;
    int rc = 0;
    if (in->n > s->caplive) {
        uint32_t *nl = realloc(s->live, in->n * sizeof *nl);
        if (!nl)
            return EDDY_ENOMEM;
        s->live = nl;
        s->caplive = in->n;
    }
    lua_settop(L, 1);
    lua_rawgeti(L, LUA_REGISTRYINDEX, s->fn_ref); /* 2 */
    uint64_t epoch = ++s->v->epoch;
    uint32_t nlive = 0;
    for (uint32_t i = 0; i < in->n; i++) {
        const eddy_record *r = &in->recs[i];
        if (r->flags & EDDY_REC_TOMBSTONE) {
            if ((s->mode == MODE_FILTER || s->patch) && !eddy_api->batch_append_copy(out, r))
                return EDDY_ENOMEM;
            continue;
        }
        s->live[nlive++] = i;
    }
    /* 3: the argument. The views are new for every call (a small userdata each, no table),
     * so one a script keeps cannot come back to life showing another batch's record. */
    lua_createtable(L, (int)nlive, 0);
    lua_getfield(L, LUA_REGISTRYINDEX, "eddy.record");
    for (uint32_t k = 0; k < nlive; k++) {
        vref *ud = lua_newuserdatauv(L, sizeof *ud, 0);
        *ud = (vref){s->live[k], epoch};
        lua_pushvalue(L, 4);
        lua_setmetatable(L, -2);
        lua_rawseti(L, 3, (lua_Integer)k + 1);
    }
    lua_pop(L, 1);
    s->v->recs = in->recs;
    s->v->n = in->n;
    lua_pushvalue(L, 2);
    lua_pushvalue(L, 3);
    int st = pcall_budget(s, 1, 1);
    if (st != LUA_OK) {
        const char *m = lua_tostring(L, -1);
        for (uint32_t k = 0; k < nlive; k++)
            call_error(s, &in->recs[s->live[k]], EDDY_EFUNC, m ? m : "error");
        if (st == LUA_ERRMEM || (s->limit && s->used > s->limit))
            lua_gc(L, LUA_GCCOLLECT);
    } else {
        rc = batch_emit(s, in, out, nlive);
    }
    s->v->recs = NULL;
    lua_settop(L, 1);
    return rc;
}

static int lua_process(eddy_op *op, void *state, int port, eddy_batch *in)
{
    lstate *s = state;
    maybe_reload(s);
    eddy_batch *out = eddy_api->batch_new(op, s->mode == MODE_FILTER ? in->schema : s->out, in->n);
    if (!out)
        return EDDY_ENOMEM;
    int rc = eddy_api->batch_retain_parent(out, in);
    if (rc == 0)
        rc = s->batch ? per_batch(s, in, out) : per_record(s, in, out);
    if (rc == 0)
        rc = eddy_api->emit(op, 0, out);
    eddy_api->batch_release(out);
    return rc;
}

static void lua_destroy(eddy_op *op, void *state)
{
    lstate_free(state);
}

static const eddy_plugin lua_plugin = {
    .abi_version = EDDY_PLUGIN_ABI_VERSION,
    .size = sizeof(eddy_plugin),
    .name = "lua",
    .description = "Runs a Lua function per record or per batch: filter, map or flatmap "
                   "(sandboxed, with a time and memory budget).",
    .version = "1.0.0",
    .kind = EDDY_PLUGIN_TRANSFORM,
    .min_inputs = 1,
    .max_inputs = 1,
    .config = lua_config,
    .plan = lua_plan,
    .create = lua_create,
    .process = lua_process,
    .destroy = lua_destroy,
};

EDDY_PLUGIN_DEFINE(lua_plugin)
