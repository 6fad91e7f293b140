/* udf_path.h: where eddy's commands get their Lua UDFs: the shipped directory, EDDY_UDF_PATH
 * and --udf-path, loaded into eddy_registry_default(); hot reload of changed files; the
 * function listing of `eddy functions` (SHOW FUNCTIONS / DESCRIBE FUNCTION).
 *
 * Reload and bound expressions: the Lua runtime (lua_udf.h) keeps an expression bound before
 * a reload on the version it was bound to. A running pipeline must switch, so the default
 * registry does not hold the Lua functions themselves: each file is loaded into a private
 * registry, and the default registry gets one forwarding overload per declaration that keeps
 * every version of its target (that name, kind and signature), each tagged with the
 * generation of the reload that published it (udf.h, "reload safe points"): a pipeline worker
 * calls the version of the generation it adopted at the start of its batch, so a reload
 * takes effect between batches, for all of a file's functions at once. A declaration that disappears or changes signature keeps its old target
 * for expressions already bound to it (they go on working) and leaves the default registry.
 *
 * Threads: every function here takes a process-wide lock; calls through the forwarding
 * overloads take none (one atomic load). Messages passed to `report` are complete lines
 * without a trailing newline ("udf/lua/x.lua:3: '}' expected ..."). */
#ifndef EDDY_UDF_PATH_H
#define EDDY_UDF_PATH_H

#include "eddy/common.h"
#include "eddy/arena.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Receives one message (an error, or with `is_error` false a notice such as "reloaded x"). */
typedef void (*eddy_udfs_report_fn)(bool is_error, const char *msg, void *opaque);

/* The directory of the UDFs eddy ships: the source tree's udf/lua when the running executable
 * is the build tree's (compiled-in paths), else <exe>/../share/eddy/udf when it exists, else
 * the install directory (${datadir}/eddy/udf). Never NULL; the directory may not exist. */
const char *eddy_udfs_shipped_dir(void);

/* Loads, in this order, the shipped directory (unless `no_shipped`), every entry of
 * EDDY_UDF_PATH (colon-separated directories or files) and the `npaths` entries of `paths`
 * (each a directory or file; a directory means its *.lua files, in name order). A file that
 * fails to load is reported (file:line and why) and does not stop the others; an entry that
 * does not exist is reported too, except the shipped directory. Loading a file again (the
 * same path reached twice) is a no-op. Returns the number of failures (0: all loaded).
 * The entries are remembered for eddy_udfs_check (new files in a directory are picked up). */
int eddy_udfs_load(const char *const *paths, size_t npaths, bool no_shipped,
                   eddy_udfs_report_fn report, void *opaque);

/* Looks at every remembered entry once: a file whose modification time or size changed since
 * it was (last tried to be) loaded is reloaded; a new *.lua file in a remembered directory is
 * loaded. A failing version leaves the previous one in place and is reported once (until the
 * file changes again). A file that disappeared keeps its functions. Returns how many files
 * were reloaded or newly loaded successfully, or a negative count of failures when any. */
int eddy_udfs_check(eddy_udfs_report_fn report, void *opaque);

/* Starts a thread that runs eddy_udfs_check every `interval_ms` (>= 10) until
 * eddy_udfs_watch_stop(). A pipeline worker switches to a reloaded version when it starts its
 * next batch (eddy_func_safepoint), so a batch sees one version for all its records; a
 * thread outside a pipeline switches at its next call. 0, or EDDY_EINVAL / EDDY_ENOMEM. */
int eddy_udfs_watch_start(int interval_ms, eddy_udfs_report_fn report, void *opaque);
void eddy_udfs_watch_stop(void); /* joins the thread; no-op when none runs */

/* eddy_registry_describe (eddy/udf.h) of the default registry: the listing of `eddy
 * functions`, and of SHOW FUNCTIONS / DESCRIBE FUNCTION in the SQL engine. */
int eddy_udfs_describe(const char *name, eddy_buf *out, char *errstr, size_t errstr_size);

/* Frees the loader's bookkeeping (at exit, after every pipeline is gone). */
void eddy_udfs_shutdown(void);

#ifdef __cplusplus
}
#endif
#endif
