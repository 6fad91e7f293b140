#!/usr/bin/env bash
# Hot reload of a Lua UDF while a pipeline runs (`eddy run --udf-path F --udf-reload MS`):
# file_source (follow) -> project calling TAG(ID) -> file_sink. The UDF file is rewritten while
# eddy runs; records appended afterwards must show the new behaviour. Then broken versions (a
# syntax error, an error raised at load, a clash with a built-in) must each be reported once
# with file:line and leave the previous version working; a fixed version is picked up again.
# Also: `eddy functions` lists and describes the UDF, EDDY_UDF_PATH and a missing --udf-path.
set -euo pipefail
: "${EDDY:?}"
dir=$(mktemp -d)
cd "$dir"
pid=
cleanup() {
  if [ -n "$pid" ]; then pkill -KILL -P "$pid" 2>/dev/null || true; kill -KILL "$pid" 2>/dev/null || true; fi
  rm -rf "$dir"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; echo "--- stderr"; cat err.log 2>/dev/null || true; echo "--- out"; cat out.json 2>/dev/null || true; exit 1; }

udf() { # body of fn(id): writes f.lua (a new size each time, so the change is always seen)
  printf -- '-- version %s\nudf.scalar{ name = "tag", params = {"BIGINT id"}, returns = "STRING",\n  fn = function(id) %s end }\n' "$RANDOM$RANDOM" "$1" > f.lua
}
wait_for() { # cmd...: retries for up to 20 s
  for _ in $(seq 1 400); do if "$@"; then return 0; fi; sleep 0.05; done
  return 1
}
out_has() { [ -s out.json ] && grep -qxF "{\"ID\":$1,\"T\":\"$2\"}" out.json; }
err_count() { grep -c -F -- "$1" err.log || true; }
append() { for i in "$@"; do printf '{"ID":%d,"V":"x"}\n' "$i" >> in.json; done; }

cat > p.json <<'JSON'
{"nodes": [
  {"id": "src", "op": "file_source",
   "config": {"path": "in.json", "columns": "ID BIGINT, V STRING", "follow": true}},
  {"id": "tag", "op": "project", "inputs": ["src"], "config": {"columns": ["ID", "TAG(ID) AS T"]}},
  {"id": "out", "op": "file_sink", "inputs": ["tag"], "config": {"path": "out.json"}}
]}
JSON

# ---------------------------------------------------------------- eddy functions
udf 'return "v1-" .. id'
"$EDDY" functions --udf-path f.lua > fn.txt
grep -Eq '^TAG +scalar +1 +f\.lua$' fn.txt || { cat fn.txt; fail "eddy functions does not list TAG"; }
grep -Eq '^CLASSIFY_RATING +scalar .*udf/lua/ratings\.lua$' fn.txt || fail "shipped UDFs not listed"
grep -Eq '^ABS +scalar +[0-9]+ +built-in$' fn.txt || fail "built-ins not listed"
"$EDDY" functions tag --udf-path f.lua > d.txt
grep -qF 'Variation   : TAG(BIGINT id) -> STRING' d.txt || { cat d.txt; fail "describe"; }
grep -qF 'Source      : f.lua' d.txt || fail "describe: source"
EDDY_UDF_PATH="$dir/none:$dir/f.lua" "$EDDY" functions TAG > d2.txt 2> e2.txt && fail "a missing EDDY_UDF_PATH entry must fail (exit 3)"
grep -qF "$dir/none: No such file or directory" e2.txt || { cat e2.txt; fail "missing path not reported"; }
grep -qF 'TAG(BIGINT id) -> STRING' d2.txt || fail "EDDY_UDF_PATH file not loaded"
rc=0; "$EDDY" functions NO_SUCH_FN > /dev/null 2> e3.txt || rc=$?
[ "$rc" -eq 3 ] && grep -qF "Can't find any functions with the name 'NO_SUCH_FN'" e3.txt || fail "unknown function: rc $rc"
# a broken file next to a good one: reported with file:line, the good one still loads
mkdir lib
printf 'udf.scalar{ name = "good", params = {}, returns = "INT", fn = function() return 1 end }\n' > lib/a.lua
printf 'local x = 1\nudf.scalar{ name = "bad", params = {}, returns = "INT" fn = nil }\n' > lib/b.lua
rc=0; "$EDDY" functions good --udf-path lib > d4.txt 2> e4.txt || rc=$?
[ "$rc" -eq 3 ] && grep -qF "lib/b.lua:2: '}' expected" e4.txt && grep -qF 'GOOD()' d4.txt ||
  { cat e4.txt d4.txt; fail "a broken file must not stop the others"; }

# ---------------------------------------------------------------- hot reload
append 1 2 3
timeout --foreground 120 "$EDDY" run p.json --udf-path f.lua --udf-reload 30 --commit-interval 50 \
  --processing-log bad.log 2> err.log &
pid=$!
wait_for out_has 3 "v1-3" || fail "v1 output"

udf 'return "v2:" .. id'
wait_for grep -qF 'reloaded f.lua (1 functions)' err.log || fail "no reload notice"
append 4 5
wait_for out_has 5 "v2:5" || fail "v2 not used after the reload"
out_has 4 "v2:4" || fail "record 4"
out_has 1 "v1-1" || fail "record 1 changed"

# broken versions: each reported once, v2 keeps working
udf 'return "v3" .. id' ; printf 'udf.scalar{ name = "tag", params = {"BIGINT id"}, returns = "STRING",\n  fn = function(id) return "bad" end\n' > f.lua
wait_for grep -qF "f.lua:3: '}' expected (to close '{' at line 1)" err.log || fail "syntax error not reported"
grep -qF '(the previous version stays loaded)' err.log || fail "no 'previous version stays' note"
append 6
wait_for out_has 6 "v2:6" || fail "v2 must stay after a syntax error"

printf 'udf.scalar{ name = "tag", params = {"BIGINT id"}, returns = "STRING", fn = function(id) return "bad" end }\nlocal function boom() error("load failed on purpose") end\nboom()\n' > f.lua
wait_for grep -qF 'load failed on purpose' err.log || fail "runtime error at load not reported"
grep -A3 -F 'load failed on purpose' err.log | grep -qF 'stack traceback' || fail "no traceback"
append 7
wait_for out_has 7 "v2:7" || fail "v2 must stay after a runtime error"

printf 'udf.scalar{ name = "tag", params = {"BIGINT id"}, returns = "STRING", fn = function(id) return "bad" end }\nudf.scalar{ name = "abs", params = {"INT"}, returns = "INT", fn = function(x) return x end }\n' > f.lua
wait_for grep -qF "f.lua:2: function 'abs' already has an overload (INTEGER)" err.log || fail "clash with a built-in not reported"
append 8
wait_for out_has 8 "v2:8" || fail "v2 must stay after a clash"

# each failure reported once, though the checker keeps looking
sleep 0.3
[ "$(err_count "load failed on purpose")" -eq 1 ] || fail "an error was reported more than once"

udf 'return "v4/" .. id'
reloaded2() { [ "$(err_count 'reloaded f.lua (1 functions)')" -eq 2 ]; }
wait_for reloaded2 || fail "the fixed version was not reloaded"
append 9
wait_for out_has 9 "v4/9" || fail "a fixed version must be picked up"
jq -s -e 'length == 9 and ([.[].ID] == [range(1; 10)])' out.json >/dev/null || fail "expected 9 records in order"
[ ! -s bad.log ] || { cat bad.log; fail "processing log not empty"; }

kill -TERM "$pid"
rc=0; wait "$pid" || rc=$?; pid=
[ "$rc" -eq 0 ] || fail "eddy exited $rc"
echo "test_udf_reload: OK"
