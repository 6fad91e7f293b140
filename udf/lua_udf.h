/* lua_udf.h: Lua 5.4 user-defined functions (scalar, aggregate, table) loaded from files into an
 * eddy_registry and run in a sandbox, one Lua state per thread, under a time and memory budget.
 *
 * A UDF file declares its functions when it runs (docs: udf/README.md):
 *
 *   udf.scalar{ name = "classify_rating", params = {"INT stars", "STRING message"},
 *               returns = "STRING", description = "...", fn = function(stars, message) end }
 *   udf.aggregate{ name = "...", params = {"INT"}, returns = "BIGINT", state = "BIGINT",
 *                  init = function() end, add = function(acc, x) end,
 *                  undo = ..., merge = function(a, b) end, result = function(acc) end }
 *   udf.table{ name = "...", params = {...}, returns = "STRING", fn = function(...) end }
 *
 * Each parameter is "TYPE [name]"; the last may be "TYPE..." (variadic). Several declarations
 * with one name are overloads. `calls_on_null = true` makes a scalar see nil for NULL
 * arguments (by default a NULL argument gives NULL without calling Lua).
 *
 * Threads: every function here may be called from any thread. The Lua state used by a call is
 * the calling thread's own (thread-local, created on the first call in that thread, closed at
 * thread exit); a file loaded by one thread is loaded again, from the text kept at load time,
 * into another thread's state the first time that thread calls one of its functions.
 * eddy_func_ctx.worker is not used (yet). */
#ifndef EDDY_LUA_UDF_H
#define EDDY_LUA_UDF_H

#include "eddy/common.h"
#include "eddy/udf.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Budgets, applied to every call into Lua (and to running a file when it loads).
 * The defaults come from eddy_lua_options_table. */
typedef struct eddy_lua_options {
    size_t memory_limit;       /* bytes per Lua state; 0: no limit */
    uint64_t instruction_limit; /* VM instructions per call; 0: no limit */
    uint32_t time_limit_ms;    /* wall-clock per call (checked every 10000 instructions); 0: none */
} eddy_lua_options;

/* The options table (librdkafka's property table): name, type, default, description.
 * Terminated by an entry whose name is NULL. */
typedef struct eddy_lua_option_desc {
    const char *name;
    const char *type;
    const char *default_value;
    const char *description;
} eddy_lua_option_desc;
extern const eddy_lua_option_desc eddy_lua_options_table[];

/* The current options (defaults until set). */
void eddy_lua_get_options(eddy_lua_options *out);
/* Sets the options; every thread's state takes them at its next call (or load). */
void eddy_lua_set_options(const eddy_lua_options *o);
/* Sets one option by name from text ("lua.memory.limit", "64MiB"; sizes take KiB/MiB/GiB).
 * EDDY_ENOTFOUND (unknown name) or EDDY_EINVAL (bad value), with errstr filled. */
int eddy_lua_set_option(const char *name, const char *value, char *errstr, size_t errstr_size);

/* Loads (or re-loads) the UDF file `path`: runs it in the sandbox, then registers every function
 * it declared with source = `path`. A reload replaces the file's previous functions; if the
 * new version fails (syntax error "path:LINE: ...", a runtime error with its traceback, a bad
 * declaration, a clash with another function) nothing changes: the previous version stays
 * registered. Returns 0 or a negative EDDY_E* code with errstr filled. `path` is copied. */
int eddy_lua_load_file(eddy_registry *r, const char *path, char *errstr, size_t errstr_size);
/* As eddy_lua_load_file for source text held in memory; `chunkname` names it in messages and
 * is the registry source. `text` is copied. */
int eddy_lua_load_string(eddy_registry *r, const char *chunkname, const char *text,
                         char *errstr, size_t errstr_size);
/* Loads every "*.lua" file of `dir`, in name order. Goes on after a failing file and returns
 * the first failure (the others are loaded), else the number of files loaded (>= 0). */
int eddy_lua_load_dir(eddy_registry *r, const char *dir, char *errstr, size_t errstr_size);
/* Unregisters every function loaded from `path` (expressions bound earlier keep working).
 * Returns how many overloads were removed. */
int eddy_lua_unload_file(eddy_registry *r, const char *path);

/* Closes the calling thread's Lua state now (it is otherwise closed at thread exit). */
void eddy_lua_thread_cleanup(void);
/* Frees everything (every file loaded and the calling thread's state). Only at exit, once no
 * thread calls a Lua function and every registry holding them is destroyed or unused. */
void eddy_lua_shutdown(void);

/* Bytes the calling thread's Lua state holds (0 without one): for tests and metrics. */
size_t eddy_lua_memory_used(void);

#ifdef __cplusplus
}
#endif
#endif
