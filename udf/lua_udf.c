/* lua_udf.c: the Lua 5.4 UDF runtime: loads UDF files into a sandbox, registers their
 * declarations in an eddy_registry, and calls them (thread-local states, budgets, type mapping).
 *
 * Shape of the thing:
 *  - A loaded file version (lfile) keeps its text; each declaration in it (ldecl) owns a
 *    range of "slots", process-wide numbers. A thread's state (worker) maps slot -> a
 *    reference (luaL_ref) to the Lua function in that state. A call reads refs[slot]; when it
 *    is 0 the thread has not run this file version yet and runs it first (lazy replay).
 *  - lfile and ldecl are never freed before eddy_lua_shutdown(): an expression bound before a
 *    reload still points at the old registry overload, whose udata is the old ldecl.
 *  - Arguments are pushed on the Lua stack (no table per call) and the message handler sits
 *    permanently at stack index 1, so a scalar call is rawgeti + pushes + lua_pcall. */
#include "lua_udf.h"
#include "sql/parser.h"

#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define HOOK_STEP 10000      /* instructions between two budget checks */
#define LOAD_TIME_MS 1000    /* running a file at load time gets at least this */
#define MAX_DEPTH 64         /* nesting of ARRAY/MAP/STRUCT values */

enum { R_FN = 0, R_INIT = 0, R_ADD, R_UNDO, R_MERGE, R_RESULT, R_COUNT };
static const char *const role_field[R_COUNT] = {"init", "add", "undo", "merge", "result"};

typedef struct lfile lfile;

/* One declaration (one registry overload). Immutable once its file is registered. */
typedef struct ldecl {
    lfile *file;
    uint32_t slot, nslots;
    eddy_func_kind kind;
    char *name;              /* as declared */
    char *signature;
    char *description;
    char *where;             /* "path:LINE", for messages */
    bool calls_on_null, has_undo, has_merge;
    int nparams;
    bool variadic;
    const eddy_type **ptype; /* per parameter; NULL: typed by the values (bare DECIMAL) */
    const eddy_type *ret, *state;
} ldecl;

/* One loaded version of a file (or string). */
struct lfile {
    char *source;    /* registry source: the path (or chunk name) */
    char *chunkname; /* "@path" or "=name": Lua's spelling, so messages read "path:LINE:" */
    char *text;
    size_t len;
    eddy_registry *r;
    bool current;    /* its functions are the registered ones */
    ldecl **decls;
    uint32_t ndecls, capdecls;
    lfile *next;
};

/* What a file run is doing: declaring (first load) or replaying into another thread. */
typedef struct loadctx {
    lfile *file;
    bool replay;
    uint32_t n; /* declarations seen */
} loadctx;

/* One thread's Lua state and everything the hooks need without a lookup. */
typedef struct worker {
    lua_State *L;
    size_t used, limit;
    uint64_t instr_limit;
    uint32_t time_ms;
    unsigned opts_gen; /* g_opts_gen when the options were copied */
    int in_call;     /* inside a budgeted lua_pcall */
    int tripped;     /* a budget was exceeded: the hook raises at every instruction */
    int mem_over;    /* the soft memory limit was passed during this call */
    int mem_refused; /* an allocation was refused (above the hard limit) */
    uint64_t ticks;
    int64_t start_ns;
    char trip_msg[160];
    int *refs;
    uint32_t nrefs;
    lfile **loaded;
    uint32_t nloaded, caploaded;
    loadctx *loading;
} worker;

/* ------------------------------------------------------------------ globals */

static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;
static lfile *g_files;
static uint32_t g_next_slot = 1;
static eddy_lua_options g_opts = {64u << 20, 0, 10};
static unsigned g_opts_gen = 1; /* bumped by every change of g_opts; states compare it per call */

const eddy_lua_option_desc eddy_lua_options_table[] = {
    {"lua.memory.limit", "size", "64MiB",
     "Bytes one Lua state (there is one per worker thread) may hold; a call that needs more "
     "fails with a memory error. 0: no limit."},
    {"lua.time.limit.ms", "integer", "10",
     "Wall-clock budget of one UDF call in milliseconds, checked every 10000 VM instructions; "
     "time spent inside one C library call (a long string.rep) is not interrupted. 0: none."},
    {"lua.instruction.limit", "integer", "0",
     "VM instructions one UDF call may run (counted by 10000). 0: no limit."},
    {NULL, NULL, NULL, NULL}};

static __thread worker *tls_w;
static pthread_key_t g_key;
static pthread_once_t g_key_once = PTHREAD_ONCE_INIT;

static void worker_destroy(worker *w);

static void key_destructor(void *p)
{
    worker *w = p;
    if (w == tls_w)
        tls_w = NULL;
    worker_destroy(w);
}

static void key_init(void)
{
    pthread_key_create(&g_key, key_destructor);
}

/* --------------------------------------------------------------- budgets */

static void hook(lua_State *L, lua_Debug *ar);

static void trip(worker *w, const char *msg)
{
    snprintf(w->trip_msg, sizeof w->trip_msg, "%s", msg);
    w->tripped = 1;
    /* From now on the hook runs at every instruction and raises again: a pcall inside the
     * UDF may catch the error once but cannot go on running (Redis's trick). */
    lua_sethook(w->L, hook, LUA_MASKCOUNT, 1);
}

static void hook(lua_State *L, lua_Debug *ar)
{
    (void)ar;
    worker *w = *(worker **)lua_getextraspace(L);
    if (!w->in_call)
        return;
    if (!w->tripped) {
        char msg[160];
        if (w->mem_over) {
            snprintf(msg, sizeof msg, "memory limit exceeded (lua.memory.limit = %zu bytes)",
                     w->limit);
            trip(w, msg);
        } else {
            w->ticks++;
            if (w->instr_limit && w->ticks * HOOK_STEP >= w->instr_limit) {
                snprintf(msg, sizeof msg,
                         "instruction budget exhausted (lua.instruction.limit = %llu)",
                         (unsigned long long)w->instr_limit);
                trip(w, msg);
            } else if (w->time_ms) {
                int64_t now = eddy_mono_ns();
                if (!w->start_ns)
                    w->start_ns = now;
                else if (now - w->start_ns >= (int64_t)w->time_ms * 1000000) {
                    snprintf(msg, sizeof msg, "time budget exhausted (lua.time.limit.ms = %u)",
                             w->time_ms);
                    trip(w, msg);
                }
            }
            if (!w->tripped)
                return;
        }
    }
    luaL_error(L, "%s", w->trip_msg);
}

/* The counting allocator. Inside a call, passing the limit lets the allocation through but
 * makes the hook raise at the next instruction (so the error gets a traceback); passing the
 * limit by more than 1/8 refuses it (Lua raises "not enough memory"). Outside calls (pushing
 * arguments, reading results, which the record's size bounds) nothing is refused, because a
 * memory error there would be unprotected. */
static void *l_alloc(void *ud, void *ptr, size_t osize, size_t nsize)
{
    worker *w = ud;
    size_t old = ptr ? osize : 0;
    if (nsize == 0) {
        free(ptr);
        w->used -= old;
        return NULL;
    }
    if (nsize > old && w->limit && w->in_call) {
        size_t after = w->used - old + nsize;
        if (after > w->limit) {
            if (after - w->limit > w->limit / 8) {
                w->mem_refused = 1;
                return NULL;
            }
            if (!w->mem_over && w->L) {
                w->mem_over = 1;
                lua_sethook(w->L, hook, LUA_MASKCOUNT, 1);
            }
        }
    }
    void *p = realloc(ptr, nsize);
    if (!p)
        return NULL;
    w->used = w->used - old + nsize;
    return p;
}

/* Message handler: the error message with Lua's traceback appended. */
static int msgh(lua_State *L)
{
    const char *msg = lua_tostring(L, 1);
    if (!msg) {
        if (luaL_callmeta(L, 1, "__tostring") && lua_type(L, -1) == LUA_TSTRING)
            msg = lua_tostring(L, -1);
        else
            msg = lua_pushfstring(L, "(error object is a %s value)", luaL_typename(L, 1));
    }
    luaL_traceback(L, L, msg, 1);
    return 1;
}

/* ---------------------------------------------------------------- sandbox */

static int ro_newindex(lua_State *L)
{
    return luaL_error(L, "attempt to modify a read-only table (field '%s')",
                      lua_type(L, 2) == LUA_TSTRING ? lua_tostring(L, 2) : "?");
}

static int ro_pairs(lua_State *L)
{
    lua_getglobal(L, "next");
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_pushnil(L);
    return 3;
}

/* Replaces the table on top of the stack by a read-only proxy of it. */
static void make_readonly(lua_State *L)
{
    int t = lua_gettop(L);
    lua_newtable(L);                 /* proxy */
    lua_createtable(L, 0, 4);        /* its metatable */
    lua_pushvalue(L, t);
    lua_setfield(L, -2, "__index");
    lua_pushcfunction(L, ro_newindex);
    lua_setfield(L, -2, "__newindex");
    lua_pushvalue(L, t);
    lua_pushcclosure(L, ro_pairs, 1);
    lua_setfield(L, -2, "__pairs");
    lua_pushboolean(L, 0);
    lua_setfield(L, -2, "__metatable");
    lua_setmetatable(L, -2);
    lua_replace(L, t);
}

/* load() of source text only; the chunk's environment defaults to the read-only sandbox,
 * never to the state's real globals. */
static int safe_load(lua_State *L)
{
    size_t len;
    const char *s = luaL_checklstring(L, 1, &len);
    const char *name = luaL_optstring(L, 2, "=(load)");
    const char *mode = luaL_optstring(L, 3, "t");
    if (!strchr(mode, 't')) {
        luaL_pushfail(L);
        lua_pushliteral(L, "attempt to load a binary chunk (only text chunks are allowed)");
        return 2;
    }
    int has_env = !lua_isnone(L, 4);
    if (luaL_loadbufferx(L, s, len, name, "t") != LUA_OK) {
        luaL_pushfail(L);
        lua_insert(L, -2);
        return 2;
    }
    if (has_env)
        lua_pushvalue(L, 4);
    else
        lua_getfield(L, LUA_REGISTRYINDEX, "eddy.sandbox");
    if (!lua_setupvalue(L, -2, 1))
        lua_pop(L, 1);
    return 1;
}

/* xpcall whose handler runs after the unwinding, like a pcall followed by a call. Lua runs a
 * message handler inside the failing context, and when the error comes from the budget hook
 * that context has hooks disabled: a looping handler could never be stopped. Without the
 * debug library a handler cannot look at the stack anyway. */
static int safe_xpcall(lua_State *L)
{
    int n = lua_gettop(L);
    luaL_checktype(L, 2, LUA_TFUNCTION);
    luaL_checkstack(L, n + 2, NULL);
    lua_pushvalue(L, 1);
    for (int i = 3; i <= n; i++)
        lua_pushvalue(L, i);
    if (lua_pcall(L, n - 2, LUA_MULTRET, 0) == LUA_OK) {
        lua_pushboolean(L, 1);
        lua_insert(L, n + 1);
        return lua_gettop(L) - n;
    }
    lua_pushvalue(L, 2);
    lua_insert(L, -2);
    lua_call(L, 1, 1);
    lua_pushboolean(L, 0);
    lua_insert(L, -2);
    return 2;
}

/* setmetatable without __gc: finalizers run inside the collector with hooks disabled, where
 * the budget cannot stop them. */
static int safe_setmetatable(lua_State *L)
{
    if (lua_type(L, 2) == LUA_TTABLE) {
        lua_pushliteral(L, "__gc");
        if (lua_rawget(L, 2) != LUA_TNIL)
            return luaL_error(L, "__gc metamethods are not allowed in UDFs");
        lua_pop(L, 1);
    }
    lua_settop(L, 2);
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, 2, 1);
    return 1;
}

static int l_declare(lua_State *L);

/* Opens the allowed libraries and builds the sandbox; runs protected. */
static int setup_state(lua_State *L)
{
    static const luaL_Reg libs[] = {{LUA_GNAME, luaopen_base},
                                    {LUA_STRLIBNAME, luaopen_string},
                                    {LUA_TABLIBNAME, luaopen_table},
                                    {LUA_MATHLIBNAME, luaopen_math},
                                    {LUA_UTF8LIBNAME, luaopen_utf8},
                                    {NULL, NULL}};
    for (const luaL_Reg *l = libs; l->name; l++) {
        luaL_requiref(L, l->name, l->func, 1);
        lua_pop(L, 1);
    }
    static const char *const base_ok[] = {
        "assert", "error", "ipairs", "next", "pairs", "pcall", "rawequal", "rawget", "rawlen",
        "select", "tonumber", "tostring", "type", "getmetatable", "_VERSION", NULL};
    lua_newtable(L); /* safe: what the sandbox exposes */
    int safe = lua_gettop(L);
    for (const char *const *n = base_ok; *n; n++) {
        lua_getglobal(L, *n);
        lua_setfield(L, safe, *n);
    }
    lua_pushcfunction(L, safe_load);
    lua_setfield(L, safe, "load");
    lua_pushcfunction(L, safe_xpcall);
    lua_setfield(L, safe, "xpcall");
    lua_getglobal(L, "setmetatable");
    lua_pushcclosure(L, safe_setmetatable, 1);
    lua_setfield(L, safe, "setmetatable");
    static const char *const lib_ok[] = {LUA_STRLIBNAME, LUA_TABLIBNAME, LUA_MATHLIBNAME,
                                         LUA_UTF8LIBNAME, NULL};
    for (const char *const *n = lib_ok; *n; n++) {
        lua_getglobal(L, *n);
        make_readonly(L);
        lua_setfield(L, safe, *n);
    }
    lua_createtable(L, 0, 3);
    static const char *const kinds[] = {"scalar", "aggregate", "table"};
    for (int k = 0; k < 3; k++) {
        lua_pushinteger(L, k + 1);
        lua_pushcclosure(L, l_declare, 1);
        lua_setfield(L, -2, kinds[k]);
    }
    make_readonly(L);
    lua_setfield(L, safe, "udf");
    lua_pushvalue(L, safe);
    make_readonly(L); /* the sandbox */
    lua_pushvalue(L, -1);
    lua_setfield(L, safe, "_G");
    lua_pushvalue(L, -1);
    lua_setfield(L, LUA_REGISTRYINDEX, "eddy.sandbox");
    /* metatable of each file's _ENV: globals a file defines stay in its own table */
    lua_createtable(L, 0, 1);
    lua_pushvalue(L, -2);
    lua_setfield(L, -2, "__index");
    lua_setfield(L, LUA_REGISTRYINDEX, "eddy.envmt");
    /* strings share one metatable whose __index is the real string table: hide it */
    lua_pushliteral(L, "");
    if (lua_getmetatable(L, -1)) {
        lua_pushboolean(L, 0);
        lua_setfield(L, -2, "__metatable");
    }
    return 0;
}

/* ----------------------------------------------------------------- workers */

static void options_to_worker(worker *w, const eddy_lua_options *o)
{
    w->limit = o->memory_limit;
    w->instr_limit = o->instruction_limit;
    w->time_ms = o->time_limit_ms;
}

/* Takes the options again if they changed since this state copied them. */
static void refresh_options(worker *w)
{
    if (w->opts_gen == __atomic_load_n(&g_opts_gen, __ATOMIC_RELAXED))
        return;
    pthread_mutex_lock(&g_lock);
    eddy_lua_options o = g_opts;
    w->opts_gen = g_opts_gen;
    pthread_mutex_unlock(&g_lock);
    options_to_worker(w, &o);
}

static worker *worker_create(void)
{
    pthread_once(&g_key_once, key_init);
    worker *w = calloc(1, sizeof *w);
    if (!w)
        return NULL;
    pthread_mutex_lock(&g_lock);
    eddy_lua_options o = g_opts;
    w->opts_gen = g_opts_gen;
    pthread_mutex_unlock(&g_lock);
    options_to_worker(w, &o);
    lua_State *L = lua_newstate(l_alloc, w);
    if (!L) {
        free(w);
        return NULL;
    }
    *(worker **)lua_getextraspace(L) = w;
    lua_pushcfunction(L, setup_state);
    if (lua_pcall(L, 0, 0, 0) != LUA_OK) {
        lua_close(L);
        free(w);
        return NULL;
    }
    w->L = L;
    lua_settop(L, 0);
    lua_pushcfunction(L, msgh); /* stays at index 1 */
    lua_sethook(L, hook, LUA_MASKCOUNT, HOOK_STEP);
    pthread_setspecific(g_key, w);
    tls_w = w;
    return w;
}

static void worker_destroy(worker *w)
{
    if (!w)
        return;
    if (w->L)
        lua_close(w->L);
    free(w->refs);
    free(w->loaded);
    free(w);
}

static inline worker *worker_get(void)
{
    worker *w = tls_w;
    return w ? w : worker_create();
}

static int set_ref(worker *w, uint32_t slot, int ref)
{
    if (slot >= w->nrefs) {
        uint32_t n = w->nrefs ? w->nrefs : 64;
        while (n <= slot)
            n *= 2;
        int *nr = realloc(w->refs, n * sizeof *nr);
        if (!nr)
            return EDDY_ENOMEM;
        memset(nr + w->nrefs, 0, (n - w->nrefs) * sizeof *nr);
        w->refs = nr;
        w->nrefs = n;
    }
    w->refs[slot] = ref;
    return 0;
}

/* Drops this state's references to a file version's functions. */
static void forget_file(worker *w, const lfile *f)
{
    for (uint32_t i = 0; i < f->ndecls; i++) {
        const ldecl *d = f->decls[i];
        for (uint32_t s = d->slot; s < d->slot + d->nslots && s < w->nrefs; s++)
            if (w->refs[s]) {
                luaL_unref(w->L, LUA_REGISTRYINDEX, w->refs[s]);
                w->refs[s] = 0;
            }
    }
    for (uint32_t i = 0; i < w->nloaded; i++)
        if (w->loaded[i] == f) {
            w->loaded[i] = w->loaded[--w->nloaded];
            break;
        }
}

/* Notes that `f` runs in this state, and drops the other versions of the same file that are
 * no longer registered (an expression bound before a reload may still call one: it comes back
 * by replay, and since `f` is never dropped for it, two versions in use do not thrash). */
static void note_loaded(worker *w, lfile *f)
{
    for (uint32_t i = 0; i < w->nloaded;) {
        lfile *g = w->loaded[i];
        if (g != f && !__atomic_load_n(&g->current, __ATOMIC_RELAXED) &&
            strcmp(g->source, f->source) == 0)
            forget_file(w, w->loaded[i]); /* swaps the last one in: look at i again */
        else
            i++;
    }
    for (uint32_t i = 0; i < w->nloaded; i++)
        if (w->loaded[i] == f)
            return;
    if (w->nloaded == w->caploaded) {
        uint32_t n = w->caploaded ? w->caploaded * 2 : 8;
        lfile **nl = realloc(w->loaded, n * sizeof *nl);
        if (!nl)
            return; /* only costs an eviction later */
        w->loaded = nl;
        w->caploaded = n;
    }
    w->loaded[w->nloaded++] = f;
}

/* lua_pcall under the budgets. The function and its nargs arguments are on the stack above
 * the message handler. Returns the Lua status; on error the message is on the stack. */
static inline int pcall_budget(worker *w, int nargs, int nres)
{
    w->ticks = 0;
    w->start_ns = 0;
    w->mem_refused = 0;
    w->in_call = 1;
    int st = lua_pcall(w->L, nargs, nres, 1);
    w->in_call = 0;
    if (w->tripped || w->mem_over || w->mem_refused) {
        w->tripped = w->mem_over = 0;
        lua_sethook(w->L, hook, LUA_MASKCOUNT, HOOK_STEP);
        if (st != LUA_OK) {
            /* keep the message, free the garbage of the failed call */
            lua_gc(w->L, LUA_GCCOLLECT);
        }
    }
    return st;
}

/* The message of a failed pcall_budget, for errstr. */
static const char *pcall_message(worker *w, int st, char *buf, size_t n)
{
    const char *msg = lua_type(w->L, -1) == LUA_TSTRING ? lua_tostring(w->L, -1) : "?";
    if (st == LUA_ERRMEM) {
        snprintf(buf, n,
                 "not enough memory (lua.memory.limit = %zu bytes; one allocation went past "
                 "it, so Lua gives no traceback)", w->limit);
        return buf;
    }
    if (st == LUA_ERRERR) {
        snprintf(buf, n, "error in the error handler: %s", msg);
        return buf;
    }
    return msg;
}

/* ------------------------------------------------------------ declarations */

static bool valid_name(const char *s)
{
    if (!s || !(isalpha((unsigned char)*s) || *s == '_'))
        return false;
    size_t n = 0;
    for (; *s; s++, n++)
        if (!(isalnum((unsigned char)*s) || *s == '_'))
            return false;
    return n <= 128;
}

/* "TYPE [name][...] [name]": the type to convert values with (NULL for a bare DECIMAL, typed
 * by the value). */
static int parse_param(const char *text, const eddy_type **t, bool *variadic, char *err,
                       size_t errn)
{
    eddy_arena *a = eddy_arena_new(4096);
    if (!a)
        return eddy_seterr(err, errn, EDDY_ENOMEM, "out of memory");
    eddy_parser p;
    eddy_ast_type *at = NULL;
    int rc = eddy_parser_init(&p, text, a, err, errn);
    *variadic = false;
    *t = NULL;
    if (!rc)
        rc = eddy_parse_type(&p, &at);
    if (!rc) {
        const eddy_token *tk = eddy_parser_peek(&p, 0);
        bool named = false;
        if (tk->kind == EDDY_TK_IDENT || tk->kind == EDDY_TK_QIDENT) {
            p.pos++;
            named = true;
        }
        if (eddy_parser_peek(&p, 0)->kind == EDDY_TK_DOT &&
            eddy_parser_peek(&p, 1)->kind == EDDY_TK_DOT &&
            eddy_parser_peek(&p, 2)->kind == EDDY_TK_DOT) {
            p.pos += 3;
            *variadic = true;
            tk = eddy_parser_peek(&p, 0);
            if (!named && (tk->kind == EDDY_TK_IDENT || tk->kind == EDDY_TK_QIDENT))
                p.pos++;
        }
        if (eddy_parser_peek(&p, 0)->kind != EDDY_TK_EOF)
            rc = eddy_seterr(err, errn, EDDY_EINVAL,
                             "expected \"TYPE [name]\" or \"TYPE...\"");
    }
    if (!rc && at->id == 0)
        rc = eddy_seterr(err, errn, EDDY_EINVAL,
                         "type variables (%s) are not supported in Lua UDFs", at->name);
    if (!rc && !(at->id == EDDY_TYPE_DECIMAL && at->precision < 0))
        rc = eddy_ast_type_resolve(at, t, err, errn);
    eddy_arena_destroy(a);
    return rc;
}

static const char *opt_string(lua_State *L, const char *what, const char *field, bool required)
{
    int ty = lua_getfield(L, 1, field);
    const char *s = NULL;
    if (ty == LUA_TSTRING)
        s = lua_tostring(L, -1);
    else if (ty != LUA_TNIL || required)
        luaL_error(L, "udf.%s: field '%s' must be a string", what, field);
    lua_pop(L, 1); /* the string stays alive: it is still in the table */
    return s;
}

static bool allowed_field(eddy_func_kind kind, const char *k)
{
    static const char *const common[] = {"name", "params", "returns", "description",
                                         "calls_on_null", NULL};
    static const char *const scalar[] = {"fn", NULL};
    static const char *const agg[] = {"state", "init", "add", "undo", "merge", "result", NULL};
    for (const char *const *c = common; *c; c++)
        if (!strcmp(*c, k))
            return true;
    for (const char *const *c = kind == EDDY_FUNC_AGGREGATE ? agg : scalar; *c; c++)
        if (!strcmp(*c, k))
            return true;
    return false;
}

static void decl_free(ldecl *d)
{
    if (!d)
        return;
    free(d->name);
    free(d->signature);
    free(d->description);
    free(d->where);
    free(d->ptype);
    free(d);
}

static char *xstrdup(const char *s)
{
    return s ? strdup(s) : NULL;
}

/* Takes the function fields of the declaration table at 1 into refs of this state. */
static void take_refs(lua_State *L, worker *w, const ldecl *d, const char *what)
{
    for (uint32_t r = 0; r < d->nslots; r++) {
        const char *field = d->kind == EDDY_FUNC_AGGREGATE ? role_field[r] : "fn";
        int ty = lua_getfield(L, 1, field);
        if (ty == LUA_TNIL && d->kind == EDDY_FUNC_AGGREGATE && (r == R_UNDO || r == R_MERGE)) {
            lua_pop(L, 1);
            continue;
        }
        if (ty != LUA_TFUNCTION)
            luaL_error(L, "udf.%s '%s': field '%s' must be a function", what, d->name, field);
        int ref = luaL_ref(L, LUA_REGISTRYINDEX);
        if (set_ref(w, d->slot + r, ref)) {
            luaL_unref(L, LUA_REGISTRYINDEX, ref);
            luaL_error(L, "out of memory");
        }
    }
}

/* udf.scalar{...}, udf.aggregate{...}, udf.table{...} */
static int l_declare(lua_State *L)
{
    eddy_func_kind kind = (eddy_func_kind)lua_tointeger(L, lua_upvalueindex(1));
    const char *what = kind == EDDY_FUNC_SCALAR ? "scalar"
                       : kind == EDDY_FUNC_AGGREGATE ? "aggregate" : "table";
    worker *w = *(worker **)lua_getextraspace(L);
    loadctx *lc = w->loading;
    if (!lc)
        return luaL_error(L, "udf.%s: functions can only be declared while their file loads",
                          what);
    luaL_checktype(L, 1, LUA_TTABLE);
    lua_settop(L, 1);
    const char *name = opt_string(L, what, "name", true);
    if (!valid_name(name))
        return luaL_error(L, "udf.%s: bad name '%s' (letters, digits and _)", what, name);

    if (lc->replay) {
        lfile *f = lc->file;
        if (lc->n >= f->ndecls || f->decls[lc->n]->kind != kind ||
            strcmp(f->decls[lc->n]->name, name) != 0)
            return luaL_error(L, "udf.%s '%s': the file declares other functions than when it "
                              "was loaded", what, name);
        take_refs(L, w, f->decls[lc->n], what);
        lc->n++;
        return 0;
    }

    lua_pushnil(L);
    while (lua_next(L, 1)) {
        lua_pop(L, 1);
        if (lua_type(L, -1) != LUA_TSTRING || !allowed_field(kind, lua_tostring(L, -1)))
            return luaL_error(L, "udf.%s '%s': unknown field '%s'", what, name,
                              lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : "?");
    }
    lfile *f = lc->file;
    if (f->ndecls == f->capdecls) {
        uint32_t n = f->capdecls ? f->capdecls * 2 : 8;
        ldecl **nd = realloc(f->decls, n * sizeof *nd);
        if (!nd)
            return luaL_error(L, "out of memory");
        f->decls = nd;
        f->capdecls = n;
    }
    ldecl *d = calloc(1, sizeof *d);
    if (!d)
        return luaL_error(L, "out of memory");
    /* owned by the file from here, so a later error frees it with the file */
    f->decls[f->ndecls++] = d;
    d->file = f;
    d->kind = kind;
    d->name = strdup(name);
    luaL_where(L, 1);
    size_t wl;
    const char *where = lua_tolstring(L, -1, &wl);
    d->where = strndup(where, wl >= 2 ? wl - 2 : wl); /* drop the ": " */
    lua_pop(L, 1);
    d->description = xstrdup(opt_string(L, what, "description", false));
    const char *ret = opt_string(L, what, "returns", true);
    const char *state = kind == EDDY_FUNC_AGGREGATE ? opt_string(L, what, "state", true) : NULL;
    int ty = lua_getfield(L, 1, "calls_on_null");
    if (ty != LUA_TNIL && ty != LUA_TBOOLEAN)
        return luaL_error(L, "udf.%s '%s': field 'calls_on_null' must be a boolean", what, name);
    d->calls_on_null = lua_toboolean(L, -1);
    lua_pop(L, 1);
    if (!d->name || !d->where)
        return luaL_error(L, "out of memory");

    char err[256];
    eddy_buf sig = {0};
    eddy_buf_putc(&sig, '(');
    ty = lua_getfield(L, 1, "params");
    if (ty != LUA_TNIL && ty != LUA_TTABLE) {
        eddy_buf_free(&sig);
        return luaL_error(L, "udf.%s '%s': field 'params' must be a list of type names", what,
                          name);
    }
    int np = ty == LUA_TNIL ? 0 : (int)lua_rawlen(L, -1);
    if (np > 64) {
        eddy_buf_free(&sig);
        return luaL_error(L, "udf.%s '%s': at most 64 parameters", what, name);
    }
    d->nparams = np;
    d->ptype = calloc(np ? (size_t)np : 1, sizeof *d->ptype);
    if (!d->ptype) {
        eddy_buf_free(&sig);
        return luaL_error(L, "out of memory");
    }
    for (int i = 0; i < np; i++) {
        if (lua_rawgeti(L, -1, i + 1) != LUA_TSTRING) {
            eddy_buf_free(&sig);
            return luaL_error(L, "udf.%s '%s': parameter %d must be a type name string", what,
                              name, i + 1);
        }
        const char *ptext = lua_tostring(L, -1);
        bool var = false;
        if (parse_param(ptext, &d->ptype[i], &var, err, sizeof err)) {
            eddy_buf_free(&sig);
            return luaL_error(L, "udf.%s '%s': parameter %d '%s': %s", what, name, i + 1,
                              ptext, err);
        }
        if (var && i != np - 1) {
            eddy_buf_free(&sig);
            return luaL_error(L, "udf.%s '%s': only the last parameter may be variadic (...)",
                              what, name);
        }
        d->variadic = var;
        if (i)
            eddy_buf_puts(&sig, ", ");
        eddy_buf_puts(&sig, ptext);
        lua_pop(L, 1);
    }
    lua_pop(L, 1);
    if (eddy_type_parse(ret, &d->ret, err, sizeof err)) {
        eddy_buf_free(&sig);
        return luaL_error(L, "udf.%s '%s': return type '%s': %s", what, name, ret, err);
    }
    eddy_buf_printf(&sig, ") -> %s", ret);
    if (state) {
        if (eddy_type_parse(state, &d->state, err, sizeof err)) {
            eddy_buf_free(&sig);
            return luaL_error(L, "udf.%s '%s': state type '%s': %s", what, name, state, err);
        }
        eddy_buf_printf(&sig, " AS %s", state);
    }
    d->signature = sig.data ? strdup(eddy_buf_cstr(&sig)) : NULL;
    eddy_buf_free(&sig);
    if (!d->signature)
        return luaL_error(L, "out of memory");

    if (kind == EDDY_FUNC_AGGREGATE) {
        d->has_undo = lua_getfield(L, 1, "undo") != LUA_TNIL;
        d->has_merge = lua_getfield(L, 1, "merge") != LUA_TNIL;
        lua_pop(L, 2);
    }
    d->nslots = kind == EDDY_FUNC_AGGREGATE ? R_COUNT : 1;
    pthread_mutex_lock(&g_lock);
    d->slot = g_next_slot;
    g_next_slot += d->nslots;
    pthread_mutex_unlock(&g_lock);
    take_refs(L, w, d, what);
    lc->n++;
    return 0;
}

/* Runs the chunk (index 1) with a fresh _ENV over the sandbox. */
static int run_chunk(lua_State *L)
{
    lua_newtable(L);
    lua_getfield(L, LUA_REGISTRYINDEX, "eddy.envmt");
    lua_setmetatable(L, -2);
    if (!lua_setupvalue(L, 1, 1))
        lua_pop(L, 1);
    lua_call(L, 0, 0);
    return 0;
}

/* Runs a file version in this state: declaring (first load) or replaying. */
static int run_file(worker *w, lfile *f, bool replay, char *errstr, size_t errstr_size)
{
    lua_State *L = w->L;
    lua_settop(L, 1);
    int st = luaL_loadbufferx(L, f->text, f->len, f->chunkname, "t");
    if (st != LUA_OK) {
        int rc = eddy_seterr(errstr, errstr_size, st == LUA_ERRSYNTAX ? EDDY_EPARSE : EDDY_ENOMEM,
                             "%s", lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1)
                                                                   : "not enough memory");
        lua_settop(L, 1);
        return rc;
    }
    lua_pushcfunction(L, run_chunk);
    lua_insert(L, -2);
    loadctx lc = {.file = f, .replay = replay};
    w->loading = &lc;
    uint32_t saved_ms = w->time_ms;
    if (w->time_ms && w->time_ms < LOAD_TIME_MS)
        w->time_ms = LOAD_TIME_MS;
    st = pcall_budget(w, 1, 0);
    w->time_ms = saved_ms;
    w->loading = NULL;
    int rc = 0;
    if (st != LUA_OK) {
        char buf[256];
        rc = eddy_seterr(errstr, errstr_size, EDDY_EINVAL, "%s",
                         pcall_message(w, st, buf, sizeof buf));
    } else if (replay && lc.n != f->ndecls) {
        rc = eddy_seterr(errstr, errstr_size, EDDY_EINVAL,
                         "%s: the file declares other functions than when it was loaded",
                         f->source);
    }
    lua_settop(L, 1);
    if (rc)
        forget_file(w, f);
    else
        note_loaded(w, f);
    return rc;
}

static void file_free(lfile *f)
{
    if (!f)
        return;
    for (uint32_t i = 0; i < f->ndecls; i++)
        decl_free(f->decls[i]);
    free(f->decls);
    free(f->source);
    free(f->chunkname);
    free(f->text);
    free(f);
}

/* ----------------------------------------------------------- type mapping */

static int push_value(lua_State *L, const eddy_value *v, const eddy_type *t, int depth);

static int push_items(lua_State *L, const eddy_value *v, const eddy_type *t, int depth)
{
    if (depth > MAX_DEPTH || !lua_checkstack(L, 4))
        return EDDY_ERANGE;
    switch (v->type) {
    case EDDY_TYPE_ARRAY:
        lua_createtable(L, (int)v->len, 0);
        for (uint32_t i = 0; i < v->len; i++) {
            if (v->u.items[i].is_null)
                continue;
            if (push_value(L, &v->u.items[i], t ? t->elem : NULL, depth + 1))
                return EDDY_ERANGE;
            lua_rawseti(L, -2, (lua_Integer)i + 1);
        }
        return 0;
    case EDDY_TYPE_MAP:
        lua_createtable(L, 0, (int)v->len);
        for (uint32_t i = 0; i < v->len; i++) {
            const eddy_value *k = &v->u.items[2 * i], *x = &v->u.items[2 * i + 1];
            if (k->is_null || x->is_null)
                continue;
            if (push_value(L, k, t ? t->key : NULL, depth + 1) ||
                push_value(L, x, t ? t->elem : NULL, depth + 1))
                return EDDY_ERANGE;
            lua_rawset(L, -3);
        }
        return 0;
    default: /* STRUCT */
        lua_createtable(L, 0, (int)v->len);
        for (uint32_t i = 0; i < v->len; i++) {
            if (v->u.items[i].is_null)
                continue;
            if (t && i < t->nfields)
                lua_pushstring(L, t->fields[i].name);
            else
                lua_pushinteger(L, (lua_Integer)i + 1);
            if (push_value(L, &v->u.items[i], t && i < t->nfields ? t->fields[i].type : NULL,
                           depth + 1))
                return EDDY_ERANGE;
            lua_rawset(L, -3);
        }
        return 0;
    }
}

static inline int push_value(lua_State *L, const eddy_value *v, const eddy_type *t, int depth)
{
    if (v->is_null) {
        lua_pushnil(L);
        return 0;
    }
    switch (v->type) {
    case EDDY_TYPE_BOOLEAN: lua_pushboolean(L, v->u.b); return 0;
    case EDDY_TYPE_INT: lua_pushinteger(L, v->u.i32); return 0;
    case EDDY_TYPE_BIGINT: lua_pushinteger(L, v->u.i64); return 0;
    case EDDY_TYPE_DOUBLE: lua_pushnumber(L, v->u.f64); return 0;
    case EDDY_TYPE_DATE: lua_pushinteger(L, v->u.date); return 0;
    case EDDY_TYPE_TIME: lua_pushinteger(L, v->u.time); return 0;
    case EDDY_TYPE_TIMESTAMP: lua_pushinteger(L, v->u.ts); return 0;
    case EDDY_TYPE_STRING:
    case EDDY_TYPE_BYTES: lua_pushlstring(L, v->u.str, v->len); return 0;
    case EDDY_TYPE_DECIMAL: {
        char buf[64];
        size_t n = eddy_decimal_format(v->u.dec, v->scale, buf, sizeof buf);
        lua_pushlstring(L, buf, n < sizeof buf ? n : sizeof buf - 1);
        return 0;
    }
    case EDDY_TYPE_ARRAY:
    case EDDY_TYPE_MAP:
    case EDDY_TYPE_STRUCT: return push_items(L, v, t, depth);
    default: lua_pushnil(L); return 0;
    }
}

/* Pushes argc arguments typed by the declaration. */
static inline int push_args(lua_State *L, const ldecl *d, int argc, const eddy_value *argv)
{
    /* the host's stack frame always has LUA_MINSTACK (20) free slots over our 1-2 */
    if (argc > 16 && !lua_checkstack(L, argc + 4))
        return EDDY_ERANGE;
    for (int i = 0; i < argc; i++) {
        const eddy_type *t = d->nparams ? d->ptype[i < d->nparams ? i : d->nparams - 1] : NULL;
        if (push_value(L, &argv[i], t, 0))
            return EDDY_ERANGE;
    }
    return 0;
}

typedef struct conv {
    const ldecl *d;
    eddy_arena *arena;
    char *errstr;
    size_t errstr_size;
    const char *what; /* "result", "accumulator" */
    char path[128];   /* where in a nested value: "[2].NAME" */
} conv;

static const char *lua_value_desc(lua_State *L, int idx, char *buf, size_t n)
{
    switch (lua_type(L, idx)) {
    case LUA_TNUMBER:
        if (lua_isinteger(L, idx))
            snprintf(buf, n, "an integer (%lld)", (long long)lua_tointeger(L, idx));
        else
            snprintf(buf, n, "a float (%.17g)", (double)lua_tonumber(L, idx));
        return buf;
    case LUA_TSTRING: {
        size_t len;
        const char *s = lua_tolstring(L, idx, &len);
        snprintf(buf, n, "a string (\"%.*s%s\")", (int)(len > 24 ? 24 : len), s,
                 len > 24 ? "..." : "");
        return buf;
    }
    case LUA_TBOOLEAN:
        snprintf(buf, n, "a boolean (%s)", lua_toboolean(L, idx) ? "true" : "false");
        return buf;
    default:
        snprintf(buf, n, "a %s", luaL_typename(L, idx));
        return buf;
    }
}

static int conv_fail(conv *c, lua_State *L, int idx, const eddy_type *t, const char *why)
{
    char tn[256], got[96];
    eddy_type_format(t, tn, sizeof tn);
    return eddy_seterr(c->errstr, c->errstr_size, EDDY_ETYPE,
                       "Lua UDF '%s' (%s): %s%s: expected %s, got %s%s%s", c->d->name,
                       c->d->where, c->what, c->path, tn, lua_value_desc(L, idx, got, sizeof got),
                       why ? ": " : "", why ? why : "");
}

static int from_lua(conv *c, lua_State *L, int idx, const eddy_type *t, eddy_value *out,
                    int depth);

static int table_items(conv *c, lua_State *L, int idx, const eddy_type *t, eddy_value *out,
                       int depth)
{
    size_t plen = strlen(c->path);
    int rc = 0;
    if (depth > MAX_DEPTH || !lua_checkstack(L, 4))
        return conv_fail(c, L, idx, t, "nested too deep");
    if (!c->arena)
        return eddy_seterr(c->errstr, c->errstr_size, EDDY_EINVAL, "no arena for the result");
    if (t->id == EDDY_TYPE_ARRAY) {
        lua_Integer n = 0;
        lua_pushnil(L);
        while (lua_next(L, idx)) {
            lua_pop(L, 1);
            if (!lua_isinteger(L, -1) || lua_tointeger(L, -1) < 1) {
                lua_pop(L, 1);
                return conv_fail(c, L, idx, t, "an ARRAY is a sequence (keys 1..n)");
            }
            if (lua_tointeger(L, -1) > n)
                n = lua_tointeger(L, -1);
        }
        if (n > UINT32_MAX / 2)
            return conv_fail(c, L, idx, t, "too many items");
        eddy_value *items = eddy_arena_calloc(c->arena, n ? (size_t)n : 1, sizeof *items);
        if (!items)
            return eddy_seterr(c->errstr, c->errstr_size, EDDY_ENOMEM, "out of memory");
        for (lua_Integer i = 0; i < n && !rc; i++) {
            snprintf(c->path + plen, sizeof c->path - plen, "[%lld]", (long long)i + 1);
            lua_rawgeti(L, idx, i + 1);
            rc = from_lua(c, L, lua_gettop(L), t->elem, &items[i], depth + 1);
            lua_pop(L, 1);
        }
        c->path[plen] = '\0';
        *out = (eddy_value){.type = EDDY_TYPE_ARRAY, .len = (uint32_t)n, .u.items = items};
        return rc;
    }
    if (t->id == EDDY_TYPE_MAP) {
        uint32_t n = 0;
        lua_pushnil(L);
        while (lua_next(L, idx)) {
            lua_pop(L, 1);
            n++;
        }
        eddy_value *items = eddy_arena_calloc(c->arena, n ? 2 * (size_t)n : 1, sizeof *items);
        if (!items)
            return eddy_seterr(c->errstr, c->errstr_size, EDDY_ENOMEM, "out of memory");
        uint32_t i = 0;
        lua_pushnil(L);
        while (!rc && lua_next(L, idx)) {
            int top = lua_gettop(L);
            snprintf(c->path + plen, sizeof c->path - plen, "{key}");
            rc = from_lua(c, L, top - 1, t->key, &items[2 * i], depth + 1);
            if (!rc) {
                snprintf(c->path + plen, sizeof c->path - plen, "{value}");
                rc = from_lua(c, L, top, t->elem, &items[2 * i + 1], depth + 1);
            }
            lua_pop(L, 1);
            i++;
        }
        if (rc)
            lua_pop(L, 1); /* the key lua_next left */
        c->path[plen] = '\0';
        *out = (eddy_value){.type = EDDY_TYPE_MAP, .len = n, .u.items = items};
        return rc;
    }
    /* STRUCT: fields by name (exact, else ignoring case); absent fields are NULL */
    eddy_value *items = eddy_arena_calloc(c->arena, t->nfields ? t->nfields : 1, sizeof *items);
    if (!items)
        return eddy_seterr(c->errstr, c->errstr_size, EDDY_ENOMEM, "out of memory");
    for (uint32_t i = 0; i < t->nfields && !rc; i++) {
        const char *fname = t->fields[i].name;
        lua_pushstring(L, fname);
        if (lua_rawget(L, idx) == LUA_TNIL) { /* raw: no metamethod runs unprotected */
            lua_pop(L, 1);
            lua_pushnil(L);
            bool found = false;
            while (lua_next(L, idx)) {
                if (lua_type(L, -2) == LUA_TSTRING && !strcasecmp(lua_tostring(L, -2), fname)) {
                    lua_remove(L, -2);
                    found = true;
                    break;
                }
                lua_pop(L, 1);
            }
            if (!found)
                lua_pushnil(L);
        }
        snprintf(c->path + plen, sizeof c->path - plen, ".%s", fname);
        rc = from_lua(c, L, lua_gettop(L), t->fields[i].type, &items[i], depth + 1);
        lua_pop(L, 1);
    }
    c->path[plen] = '\0';
    *out = (eddy_value){.type = EDDY_TYPE_STRUCT, .len = t->nfields, .u.items = items};
    return rc;
}

/* Converts the Lua value at `idx` to a value of type `t` (strings copied into the arena). */
static int from_lua(conv *c, lua_State *L, int idx, const eddy_type *t, eddy_value *out,
                    int depth)
{
    int lt = lua_type(L, idx);
    if (lt == LUA_TNIL) {
        *out = eddy_null(t->id);
        out->precision = t->precision;
        out->scale = t->scale;
        return 0;
    }
    switch (t->id) {
    case EDDY_TYPE_BOOLEAN:
        if (lt != LUA_TBOOLEAN)
            return conv_fail(c, L, idx, t, NULL);
        *out = eddy_bool(lua_toboolean(L, idx));
        return 0;
    case EDDY_TYPE_INT:
    case EDDY_TYPE_BIGINT:
    case EDDY_TYPE_DATE:
    case EDDY_TYPE_TIME:
    case EDDY_TYPE_TIMESTAMP: {
        if (lt != LUA_TNUMBER)
            return conv_fail(c, L, idx, t, NULL);
        lua_Integer i;
        if (lua_isinteger(L, idx)) {
            i = lua_tointeger(L, idx);
        } else {
            double x = lua_tonumber(L, idx);
            if (!(x == floor(x) && x >= -9223372036854775808.0 && x < 9223372036854775808.0))
                return conv_fail(c, L, idx, t, "not an integral number");
            i = (lua_Integer)x;
        }
        switch (t->id) {
        case EDDY_TYPE_INT:
        case EDDY_TYPE_DATE:
            if (i < INT32_MIN || i > INT32_MAX)
                return conv_fail(c, L, idx, t, "out of range");
            *out = t->id == EDDY_TYPE_INT ? eddy_int((int32_t)i) : eddy_date((int32_t)i);
            return 0;
        case EDDY_TYPE_TIME:
            if (i < 0 || i > 86399999)
                return conv_fail(c, L, idx, t, "out of range (0..86399999 ms)");
            *out = eddy_time((int32_t)i);
            return 0;
        case EDDY_TYPE_BIGINT: *out = eddy_bigint(i); return 0;
        default: *out = eddy_timestamp(i); return 0;
        }
    }
    case EDDY_TYPE_DOUBLE:
        if (lt != LUA_TNUMBER)
            return conv_fail(c, L, idx, t, NULL);
        *out = eddy_double((double)lua_tonumber(L, idx));
        return 0;
    case EDDY_TYPE_DECIMAL: {
        char buf[64];
        const char *s;
        size_t len;
        if (lt == LUA_TSTRING) {
            s = lua_tolstring(L, idx, &len);
        } else if (lt == LUA_TNUMBER) {
            if (lua_isinteger(L, idx))
                len = (size_t)snprintf(buf, sizeof buf, "%lld", (long long)lua_tointeger(L, idx));
            else {
                double x = lua_tonumber(L, idx);
                if (!isfinite(x))
                    return conv_fail(c, L, idx, t, "not a finite number");
                len = (size_t)snprintf(buf, sizeof buf, "%.17g", x);
            }
            s = buf;
        } else {
            return conv_fail(c, L, idx, t, NULL);
        }
        __int128 u, r;
        int p, sc;
        if (eddy_decimal_parse(s, len, &u, &p, &sc))
            return conv_fail(c, L, idx, t, "not a decimal number");
        if (eddy_decimal_rescale(u, sc, t->precision, t->scale, &r))
            return conv_fail(c, L, idx, t, "does not fit");
        *out = eddy_decimal(r, t->precision, t->scale);
        return 0;
    }
    case EDDY_TYPE_STRING:
    case EDDY_TYPE_BYTES: {
        if (lt != LUA_TSTRING)
            return conv_fail(c, L, idx, t, NULL);
        size_t len;
        const char *s = lua_tolstring(L, idx, &len);
        if (len > UINT32_MAX)
            return conv_fail(c, L, idx, t, "too long");
        if (!c->arena)
            return eddy_seterr(c->errstr, c->errstr_size, EDDY_EINVAL, "no arena for the result");
        char *p = eddy_arena_strndup(c->arena, s, len);
        if (!p)
            return eddy_seterr(c->errstr, c->errstr_size, EDDY_ENOMEM, "out of memory");
        *out = t->id == EDDY_TYPE_STRING ? eddy_string(p, (uint32_t)len)
                                         : eddy_bytes(p, (uint32_t)len);
        return 0;
    }
    case EDDY_TYPE_ARRAY:
    case EDDY_TYPE_MAP:
    case EDDY_TYPE_STRUCT:
        if (lt != LUA_TTABLE)
            return conv_fail(c, L, idx, t, NULL);
        return table_items(c, L, lua_absindex(L, idx), t, out, depth);
    }
    return conv_fail(c, L, idx, t, "unsupported type");
}

static int result_of(const ldecl *d, eddy_func_ctx *ctx, lua_State *L, int idx,
                     const eddy_type *t, const char *what, eddy_value *out)
{
    conv c;
    c.d = d;
    c.arena = ctx->arena;
    c.errstr = ctx->errstr;
    c.errstr_size = ctx->errstr_size;
    c.what = what;
    c.path[0] = '\0';
    return from_lua(&c, L, idx, t, out, 0);
}

/* The common results without the general converter. */
static inline int result_fast(const ldecl *d, eddy_func_ctx *ctx, lua_State *L,
                              eddy_value *out)
{
    /* fields written one by one: building a value on the stack and copying it stalls on
     * store forwarding (measured: about 10 ns a call) */
    int lt = lua_type(L, -1);
    out->is_null = 0;
    out->precision = out->scale = 0;
    out->len = 0;
    switch (d->ret->id) {
    case EDDY_TYPE_BOOLEAN:
        if (lt == LUA_TBOOLEAN) {
            out->type = EDDY_TYPE_BOOLEAN;
            out->u.i64 = 0;
            out->u.b = lua_toboolean(L, -1);
            return 0;
        }
        break;
    case EDDY_TYPE_INT:
        if (lt == LUA_TNUMBER && lua_isinteger(L, -1)) {
            lua_Integer i = lua_tointeger(L, -1);
            if (i >= INT32_MIN && i <= INT32_MAX) {
                out->type = EDDY_TYPE_INT;
                out->u.i64 = 0;
                out->u.i32 = (int32_t)i;
                return 0;
            }
        }
        break;
    case EDDY_TYPE_BIGINT:
        if (lt == LUA_TNUMBER && lua_isinteger(L, -1)) {
            out->type = EDDY_TYPE_BIGINT;
            out->u.i64 = lua_tointeger(L, -1);
            return 0;
        }
        break;
    case EDDY_TYPE_DOUBLE:
        if (lt == LUA_TNUMBER) {
            out->type = EDDY_TYPE_DOUBLE;
            out->u.f64 = lua_tonumber(L, -1);
            return 0;
        }
        break;
    default:
        break;
    }
    return result_of(d, ctx, L, -1, d->ret, "result", out);
}

/* ----------------------------------------------------------------- calls */

/* prepare()'s cold path: no state in this thread yet, or the file not run in it yet. */
static __attribute__((noinline)) int prepare_slow(eddy_func_ctx *ctx, const ldecl *d,
                                                  uint32_t slot, worker **wp)
{
    worker *w = tls_w;
    if (!w && !(w = worker_create()))
        return eddy_seterr(ctx->errstr, ctx->errstr_size, EDDY_ENOMEM,
                           "Lua UDF '%s': cannot create a Lua state", d->name);
    refresh_options(w);
    if (slot >= w->nrefs || !w->refs[slot]) {
        char err[EDDY_ERRSTR_SIZE];
        int rc = run_file(w, d->file, true, err, sizeof err);
        if (rc)
            return eddy_seterr(ctx->errstr, ctx->errstr_size, EDDY_EFUNC,
                               "Lua UDF '%s' (%s): cannot load its file in this thread: %s",
                               d->name, d->where, err);
        if (slot >= w->nrefs || !w->refs[slot])
            return eddy_seterr(ctx->errstr, ctx->errstr_size, EDDY_EINTERNAL,
                               "Lua UDF '%s': no function for slot %u", d->name, slot);
    }
    *wp = w;
    return 0;
}

/* The calling thread's state with `d`'s file running in it; pushes the function of `role`. */
static inline int prepare(eddy_func_ctx *ctx, const ldecl *d, uint32_t role, worker **wp)
{
    worker *w = tls_w;
    uint32_t slot = d->slot + role;
    if (__builtin_expect(!w || slot >= w->nrefs || !w->refs[slot] ||
                             w->opts_gen != __atomic_load_n(&g_opts_gen, __ATOMIC_RELAXED), 0)) {
        int rc = prepare_slow(ctx, d, slot, &w);
        if (rc)
            return rc;
    }
    lua_rawgeti(w->L, LUA_REGISTRYINDEX, w->refs[slot]);
    *wp = w;
    return 0;
}

static __attribute__((noinline)) int call_failed(worker *w, const ldecl *d, eddy_func_ctx *ctx,
                                                  const char *fn, int st)
{
    char buf[256];
    int rc = eddy_seterr(ctx->errstr, ctx->errstr_size, EDDY_EFUNC, "Lua UDF '%s'%s%s (%s): %s",
                         d->name, fn ? " " : "", fn ? fn : "", d->where,
                         pcall_message(w, st, buf, sizeof buf));
    lua_settop(w->L, 1);
    return rc;
}

static inline int call(worker *w, const ldecl *d, eddy_func_ctx *ctx, const char *fn, int nargs,
                       int nres)
{
    int st = pcall_budget(w, nargs, nres);
    return st == LUA_OK ? 0 : call_failed(w, d, ctx, fn, st);
}

static int push_fail(worker *w, const ldecl *d, eddy_func_ctx *ctx)
{
    lua_settop(w->L, 1);
    return eddy_seterr(ctx->errstr, ctx->errstr_size, EDDY_ERANGE,
                       "Lua UDF '%s' (%s): argument nested too deep", d->name, d->where);
}

static int lua_scalar(eddy_func_ctx *ctx, const eddy_function *f, int argc,
                      const eddy_value *argv, eddy_value *out)
{
    const ldecl *d = f->udata;
    worker *w;
    int rc = prepare(ctx, d, R_FN, &w);
    if (rc)
        return rc;
    if (push_args(w->L, d, argc, argv))
        return push_fail(w, d, ctx);
    if ((rc = call(w, d, ctx, NULL, argc, 1)))
        return rc;
    rc = result_fast(d, ctx, w->L, out);
    lua_settop(w->L, 1);
    return rc;
}

static int lua_table(eddy_func_ctx *ctx, const eddy_function *f, int argc, const eddy_value *argv,
                     eddy_value **rows, uint32_t *nrows)
{
    const ldecl *d = f->udata;
    worker *w;
    int rc = prepare(ctx, d, R_FN, &w);
    if (rc)
        return rc;
    lua_State *L = w->L;
    if (push_args(L, d, argc, argv))
        return push_fail(w, d, ctx);
    if ((rc = call(w, d, ctx, NULL, argc, 1)))
        return rc;
    *rows = NULL;
    *nrows = 0;
    if (lua_isnil(L, -1)) {
        lua_settop(L, 1);
        return 0;
    }
    /* the result as ARRAY<returns>: rows are its items */
    const eddy_type *at = eddy_type_array(d->ret);
    eddy_value v;
    if (!at) {
        lua_settop(L, 1);
        return eddy_seterr(ctx->errstr, ctx->errstr_size, EDDY_ENOMEM, "out of memory");
    }
    rc = result_of(d, ctx, L, -1, at, "rows", &v);
    lua_settop(L, 1);
    if (rc)
        return rc;
    *rows = v.u.items;
    *nrows = v.len;
    return 0;
}

static int agg_init(eddy_func_ctx *ctx, const eddy_function *f, eddy_value *acc)
{
    const ldecl *d = f->udata;
    worker *w;
    int rc = prepare(ctx, d, R_INIT, &w);
    if (rc || (rc = call(w, d, ctx, "init", 0, 1)))
        return rc;
    rc = result_of(d, ctx, w->L, -1, d->state, "init: accumulator", acc);
    lua_settop(w->L, 1);
    return rc;
}

static int agg_step(eddy_func_ctx *ctx, const eddy_function *f, uint32_t role, eddy_value *acc,
                    int argc, const eddy_value *argv)
{
    const ldecl *d = f->udata;
    worker *w;
    int rc = prepare(ctx, d, role, &w);
    if (rc)
        return rc;
    if (push_value(w->L, acc, d->state, 0) || push_args(w->L, d, argc, argv))
        return push_fail(w, d, ctx);
    const char *fn = role_field[role];
    if ((rc = call(w, d, ctx, fn, argc + 1, 1)))
        return rc;
    char what[32];
    snprintf(what, sizeof what, "%s: accumulator", fn);
    rc = result_of(d, ctx, w->L, -1, d->state, what, acc);
    lua_settop(w->L, 1);
    return rc;
}

static int agg_add(eddy_func_ctx *ctx, const eddy_function *f, eddy_value *acc, int argc,
                   const eddy_value *argv)
{
    return agg_step(ctx, f, R_ADD, acc, argc, argv);
}

static int agg_undo(eddy_func_ctx *ctx, const eddy_function *f, eddy_value *acc, int argc,
                    const eddy_value *argv)
{
    return agg_step(ctx, f, R_UNDO, acc, argc, argv);
}

static int agg_merge(eddy_func_ctx *ctx, const eddy_function *f, eddy_value *acc,
                     const eddy_value *other)
{
    const ldecl *d = f->udata;
    worker *w;
    int rc = prepare(ctx, d, R_MERGE, &w);
    if (rc)
        return rc;
    if (push_value(w->L, acc, d->state, 0) || push_value(w->L, other, d->state, 0))
        return push_fail(w, d, ctx);
    if ((rc = call(w, d, ctx, "merge", 2, 1)))
        return rc;
    rc = result_of(d, ctx, w->L, -1, d->state, "merge: accumulator", acc);
    lua_settop(w->L, 1);
    return rc;
}

static int agg_result(eddy_func_ctx *ctx, const eddy_function *f, const eddy_value *acc,
                      eddy_value *out)
{
    const ldecl *d = f->udata;
    worker *w;
    int rc = prepare(ctx, d, R_RESULT, &w);
    if (rc)
        return rc;
    if (push_value(w->L, acc, d->state, 0))
        return push_fail(w, d, ctx);
    if ((rc = call(w, d, ctx, "result", 1, 1)))
        return rc;
    rc = result_of(d, ctx, w->L, -1, d->ret, "result", out);
    lua_settop(w->L, 1);
    return rc;
}

/* ---------------------------------------------------------------- loading */

static eddy_function decl_function(const ldecl *d)
{
    eddy_function fn = {.name = d->name, .kind = d->kind, .signature = d->signature,
                        .description = d->description, .source = d->file->source,
                        .calls_on_null = d->calls_on_null, .udata = (void *)d};
    switch (d->kind) {
    case EDDY_FUNC_SCALAR: fn.scalar = lua_scalar; break;
    case EDDY_FUNC_TABLE: fn.table = lua_table; break;
    default:
        fn.aggregate.init = agg_init;
        fn.aggregate.add = agg_add;
        fn.aggregate.undo = d->has_undo ? agg_undo : NULL;
        fn.aggregate.merge = d->has_merge ? agg_merge : NULL;
        fn.aggregate.result = agg_result;
        break;
    }
    return fn;
}

static int load_text(eddy_registry *r, const char *source, const char *chunkname,
                     const char *text, size_t len, char *errstr, size_t errstr_size)
{
    if (!r)
        r = eddy_registry_default();
    if (!r)
        return eddy_seterr(errstr, errstr_size, EDDY_ENOMEM, "no function registry");
    worker *w = worker_get();
    lfile *f = calloc(1, sizeof *f);
    if (!w || !f || !(f->source = strdup(source)) || !(f->chunkname = strdup(chunkname)) ||
        !(f->text = malloc(len + 1))) {
        file_free(f);
        return eddy_seterr(errstr, errstr_size, EDDY_ENOMEM, "%s: out of memory", source);
    }
    memcpy(f->text, text, len);
    f->text[len] = '\0';
    f->len = len;
    f->r = r;
    refresh_options(w);
    int rc = run_file(w, f, false, errstr, errstr_size);
    if (rc) {
        file_free(f);
        return rc;
    }

    pthread_mutex_lock(&g_lock);
    lfile *old = NULL;
    for (lfile *g = g_files; g; g = g->next)
        if (g->current && g->r == r && strcmp(g->source, source) == 0)
            old = g;
    eddy_registry_remove_source(r, source);
    for (uint32_t i = 0; i < f->ndecls; i++) {
        eddy_function fn = decl_function(f->decls[i]);
        char err[EDDY_ERRSTR_SIZE];
        rc = eddy_registry_add(r, &fn, false, err, sizeof err);
        if (rc) {
            /* put the previous version back */
            eddy_registry_remove_source(r, source);
            for (uint32_t j = 0; old && j < old->ndecls; j++) {
                eddy_function ofn = decl_function(old->decls[j]);
                eddy_registry_add(r, &ofn, false, NULL, 0);
            }
            pthread_mutex_unlock(&g_lock);
            eddy_seterr(errstr, errstr_size, rc, "%s: %s", f->decls[i]->where, err);
            forget_file(w, f);
            file_free(f);
            return rc;
        }
    }
    if (old)
        __atomic_store_n(&old->current, false, __ATOMIC_RELAXED);
    __atomic_store_n(&f->current, true, __ATOMIC_RELAXED);
    f->next = g_files;
    g_files = f;
    pthread_mutex_unlock(&g_lock);
    return 0;
}

int eddy_lua_load_string(eddy_registry *r, const char *chunkname, const char *text,
                         char *errstr, size_t errstr_size)
{
    if (!chunkname || !text)
        return eddy_seterr(errstr, errstr_size, EDDY_EINVAL, "no chunk name or text");
    size_t n = strlen(chunkname);
    char *cn = malloc(n + 2);
    if (!cn)
        return eddy_seterr(errstr, errstr_size, EDDY_ENOMEM, "out of memory");
    cn[0] = '=';
    memcpy(cn + 1, chunkname, n + 1);
    int rc = load_text(r, chunkname, cn, text, strlen(text), errstr, errstr_size);
    free(cn);
    return rc;
}

int eddy_lua_load_file(eddy_registry *r, const char *path, char *errstr, size_t errstr_size)
{
    if (!path)
        return eddy_seterr(errstr, errstr_size, EDDY_EINVAL, "no path");
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return eddy_seterr(errstr, errstr_size, errno == ENOENT ? EDDY_ENOTFOUND : EDDY_EIO,
                           "%s: %s", path, strerror(errno));
    eddy_buf b = {0};
    char chunk[8192];
    size_t n;
    int rc = 0;
    while (!rc && (n = fread(chunk, 1, sizeof chunk, fp)) > 0)
        rc = eddy_buf_append(&b, chunk, n);
    if (!rc && ferror(fp))
        rc = eddy_seterr(errstr, errstr_size, EDDY_EIO, "%s: read error", path);
    else if (rc)
        rc = eddy_seterr(errstr, errstr_size, EDDY_ENOMEM, "%s: out of memory", path);
    fclose(fp);
    if (!rc) {
        size_t pl = strlen(path);
        char *cn = malloc(pl + 2);
        if (!cn) {
            rc = eddy_seterr(errstr, errstr_size, EDDY_ENOMEM, "out of memory");
        } else {
            cn[0] = '@';
            memcpy(cn + 1, path, pl + 1);
            rc = load_text(r, path, cn, b.data ? b.data : "", b.len, errstr, errstr_size);
            free(cn);
        }
    }
    eddy_buf_free(&b);
    return rc;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int eddy_lua_load_dir(eddy_registry *r, const char *dir, char *errstr, size_t errstr_size)
{
    DIR *dp = opendir(dir);
    if (!dp)
        return eddy_seterr(errstr, errstr_size, errno == ENOENT ? EDDY_ENOTFOUND : EDDY_EIO,
                           "%s: %s", dir, strerror(errno));
    char **names = NULL;
    size_t n = 0, cap = 0;
    int rc = 0;
    struct dirent *de;
    while ((de = readdir(dp))) {
        size_t l = strlen(de->d_name);
        if (l < 5 || strcmp(de->d_name + l - 4, ".lua") != 0 || de->d_name[0] == '.')
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 16;
            char **nn = realloc(names, cap * sizeof *nn);
            if (!nn) {
                rc = EDDY_ENOMEM;
                break;
            }
            names = nn;
        }
        if (!(names[n] = strdup(de->d_name))) {
            rc = EDDY_ENOMEM;
            break;
        }
        n++;
    }
    closedir(dp);
    if (rc) {
        for (size_t i = 0; i < n; i++)
            free(names[i]);
        free(names);
        return eddy_seterr(errstr, errstr_size, rc, "%s: out of memory", dir);
    }
    if (n)
        qsort(names, n, sizeof *names, cmp_names);
    int loaded = 0, first = 0;
    for (size_t i = 0; i < n; i++) {
        char path[4096], err[EDDY_ERRSTR_SIZE];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        int frc = eddy_lua_load_file(r, path, err, sizeof err);
        if (frc && !first)
            first = eddy_seterr(errstr, errstr_size, frc, "%s", err);
        else if (!frc)
            loaded++;
        free(names[i]);
    }
    free(names);
    return first ? first : loaded;
}

int eddy_lua_unload_file(eddy_registry *r, const char *path)
{
    if (!r)
        r = eddy_registry_default();
    if (!r || !path)
        return 0;
    pthread_mutex_lock(&g_lock);
    for (lfile *g = g_files; g; g = g->next)
        if (g->current && g->r == r && strcmp(g->source, path) == 0)
            __atomic_store_n(&g->current, false, __ATOMIC_RELAXED);
    int n = eddy_registry_remove_source(r, path);
    pthread_mutex_unlock(&g_lock);
    return n;
}

/* ---------------------------------------------------------------- options */

void eddy_lua_get_options(eddy_lua_options *out)
{
    pthread_mutex_lock(&g_lock);
    *out = g_opts;
    pthread_mutex_unlock(&g_lock);
}

void eddy_lua_set_options(const eddy_lua_options *o)
{
    pthread_mutex_lock(&g_lock);
    g_opts = *o;
    __atomic_store_n(&g_opts_gen, g_opts_gen + 1, __ATOMIC_RELAXED);
    pthread_mutex_unlock(&g_lock);
}

static int parse_size(const char *s, uint64_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (end == s || errno || *s == '-')
        return -1;
    while (*end == ' ')
        end++;
    uint64_t mul = 1;
    if (!strcasecmp(end, "KiB") || !strcasecmp(end, "K"))
        mul = 1ull << 10;
    else if (!strcasecmp(end, "MiB") || !strcasecmp(end, "M"))
        mul = 1ull << 20;
    else if (!strcasecmp(end, "GiB") || !strcasecmp(end, "G"))
        mul = 1ull << 30;
    else if (*end)
        return -1;
    if (v > UINT64_MAX / mul)
        return -1;
    *out = v * mul;
    return 0;
}

int eddy_lua_set_option(const char *name, const char *value, char *errstr, size_t errstr_size)
{
    eddy_lua_options o;
    uint64_t v;
    eddy_lua_get_options(&o);
    if (!name || !value)
        return eddy_seterr(errstr, errstr_size, EDDY_EINVAL, "option without name or value");
    bool size = !strcmp(name, "lua.memory.limit");
    if (!size && strcmp(name, "lua.time.limit.ms") && strcmp(name, "lua.instruction.limit"))
        return eddy_seterr(errstr, errstr_size, EDDY_ENOTFOUND, "unknown option '%s'", name);
    if (parse_size(value, &v) || (!size && strpbrk(value, "KkMmGg")))
        return eddy_seterr(errstr, errstr_size, EDDY_EINVAL,
                           "option '%s': '%s' is not a %s", name, value,
                           size ? "size (bytes, or with KiB, MiB, GiB)" : "non-negative integer");
    if (size)
        o.memory_limit = (size_t)v;
    else if (!strcmp(name, "lua.time.limit.ms")) {
        if (v > UINT32_MAX)
            return eddy_seterr(errstr, errstr_size, EDDY_EINVAL, "option '%s': too large", name);
        o.time_limit_ms = (uint32_t)v;
    } else
        o.instruction_limit = v;
    eddy_lua_set_options(&o);
    return 0;
}

/* ------------------------------------------------------------------ misc */

size_t eddy_lua_memory_used(void)
{
    return tls_w ? tls_w->used : 0;
}

void eddy_lua_thread_cleanup(void)
{
    worker *w = tls_w;
    if (!w)
        return;
    tls_w = NULL;
    pthread_setspecific(g_key, NULL);
    worker_destroy(w);
}

void eddy_lua_shutdown(void)
{
    eddy_lua_thread_cleanup();
    pthread_mutex_lock(&g_lock);
    lfile *f = g_files;
    g_files = NULL;
    pthread_mutex_unlock(&g_lock);
    while (f) {
        lfile *next = f->next;
        file_free(f);
        f = next;
    }
}
