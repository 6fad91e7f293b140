#!/usr/bin/env bash
# The `lua` operator (plugins/lua): filter, map and flatmap over 2000 generated ratings, each
# output checked against the same logic written in jq; the record view's accessors (columns by
# name either case and by position, key, timestamp, headers, totable); then every failure path:
# a runtime error and a wrong result type (processing log with the traceback, the pipeline goes
# on), a time budget a pcall cannot swallow, the memory limit, and configuration errors (syntax
# error with file:line, missing function, both or neither of script/code, columns in filter
# mode), and a script changed while the pipeline runs (reloaded between batches; a broken
# version keeps the previous one).
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
fail() { echo "FAIL: $*"; exit 1; }

"$EDDY" datagen ratings --count 2000 --seed 7 --start-time 1700000000000 --output in.json
COLS='RATING_ID BIGINT KEY, USER_ID INT, STARS INT, ROUTE_ID INT, RATING_TIME BIGINT, CHANNEL STRING, MESSAGE STRING'

pipeline() { # name op-config-json: source -> lua -> sink
  cat > "$1.json" <<JSON
{"nodes": [
  {"id": "src", "op": "file_source", "config": {"path": "in.json", "columns": "$COLS", "timestamp": "RATING_TIME"}},
  {"id": "op", "op": "lua", "inputs": ["src"], "config": $2},
  {"id": "out", "op": "file_sink", "inputs": ["op"], "config": {"path": "$1.out"}}
]}
JSON
}
run() { "$EDDY" run "$1.json" --quiet --processing-log "$1.log" --batch-size 64 2>/dev/null; }
same() { # name jq-program: the output equals jq's over the input
  jq -c "$2" in.json > "$1.want"
  diff -q "$1.want" "$1.out" >/dev/null || { diff "$1.want" "$1.out" | head -5; fail "$1: output differs from jq"; }
  [ ! -s "$1.log" ] || { head -3 "$1.log"; fail "$1: processing log not empty"; }
}

# ------------------------------------------------------------ filter (script file)
cat > poor.lua <<'LUA'
-- keeps poor ratings from the iOS channels
function process(r)
  return r.STARS < 3 and string.sub(r.channel, 1, 3) == "iOS"
end
LUA
pipeline filter '{"script": "poor.lua"}'
run filter
same filter 'select(.stars < 3 and (.channel | startswith("iOS"))) | {RATING_ID: .rating_id, USER_ID: .user_id, STARS: .stars, ROUTE_ID: .route_id, RATING_TIME: .rating_time, CHANNEL: .channel, MESSAGE: .message}'
[ "$(wc -l < filter.out)" -gt 10 ] || fail "filter kept too few records"

# ------------------------------------------------------------ map (patch of the input columns)
pipeline map '{"mode": "map", "code": "function process(r) if r.STARS == 3 then return nil end return { STARS = r[3] * 10, MESSAGE = string.upper(r.MESSAGE) .. \" (\" .. r:timestamp() .. \")\" } end"}'
run map
same map 'select(.stars != 3) | {RATING_ID: .rating_id, USER_ID: .user_id, STARS: (.stars * 10), ROUTE_ID: .route_id, RATING_TIME: .rating_time, CHANNEL: .channel, MESSAGE: "\(.message | ascii_upcase) (\(.rating_time))"}'

# ------------------------------------------------------------ map with declared columns, key
pipeline map2 '{"mode": "map", "columns": "ID BIGINT KEY, LEN INT, GOOD BOOLEAN, SCORE DOUBLE, WORDS ARRAY<STRING>", "code": "function process(r) local t = r:totable() local w = {} for x in string.gmatch(t.MESSAGE, \"%a+\") do w[#w + 1] = x end return { id = r:key(), LEN = #r.message, GOOD = r.STARS >= 4, SCORE = r.STARS / 2 + 0.25, WORDS = w } end"}'
run map2
same map2 '{ID: .rating_id, LEN: (.message | length), GOOD: (.stars >= 4), SCORE: (.stars / 2 + 0.25), WORDS: [.message | scan("[A-Za-z]+")]}'

# ------------------------------------------------------------ flatmap
pipeline flat '{"mode": "flatmap", "columns": "ID BIGINT KEY, N INT, WORD STRING", "function": "words", "code": "function words(r) local o = {} for w in string.gmatch(r.MESSAGE, \"%a+\") do if #w > 5 then o[#o + 1] = { ID = r:key(), N = #o + 1, WORD = w } end end return o end"}'
run flat
same flat '.rating_id as $id | [.message | scan("[A-Za-z]+") | select(length > 5)] | to_entries[] | {ID: $id, N: (.key + 1), WORD: .value}'

# ------------------------------------------------------------ errors per record
# a runtime error on some records, a wrong result type on others: both go to the processing log
# (with the traceback), the other records come out
pipeline err '{"mode": "map", "code": "local function check(r) if r.STARS == 1 then error(\"one star: \" .. r:key()) end end\nfunction process(r) check(r) if r.STARS == 2 then return { STARS = \"two\" } end return r end"}'
run err
jq -c 'select(.stars > 2) | {RATING_ID: .rating_id, USER_ID: .user_id, STARS: .stars, ROUTE_ID: .route_id, RATING_TIME: .rating_time, CHANNEL: .channel, MESSAGE: .message}' in.json > err.want
diff -q err.want err.out >/dev/null || fail "err: the good records must pass"
n1=$(jq -c 'select(.stars == 1)' in.json | wc -l); n2=$(jq -c 'select(.stars == 2)' in.json | wc -l)
[ "$(wc -l < err.log)" -eq $((n1 + n2)) ] || fail "err: expected $((n1 + n2)) processing-log entries, got $(wc -l < err.log)"
jq -r .error err.log > err.reasons
grep -q "one star: " err.reasons || fail "err: no error message"
grep -qF "stack traceback" err.reasons || fail "err: no traceback"
grep -qF "in upvalue 'check'" err.reasons || fail "err: traceback without the function"
grep -qF "STARS: expected INTEGER, got string" err.reasons || { sort -u err.reasons | head; fail "err: no type error"; }

# the time budget: an endless loop, one inside a pcall (which must not swallow the budget)
pipeline slow '{"time_limit_ms": 20, "code": "function process(r) if r.STARS == 5 then while true do end elseif r.STARS == 1 then pcall(function() while true do end end) while true do end end return true end"}'
head -n 40 in.json > in40.json; cp in.json in.all; cp in40.json in.json
run slow
n5=$(jq -c 'select(.stars == 5 or .stars == 1)' in.json | wc -l)
[ "$(wc -l < slow.log)" -eq "$n5" ] || fail "slow: expected $n5 processing-log entries"
jq -r .error slow.log > slow.reasons; grep -q "time limit exceeded (20 ms)" slow.reasons || fail "slow: no budget message"
[ "$(wc -l < slow.out)" -eq $((40 - n5)) ] || fail "slow: the other records must pass"

# the memory limit
pipeline mem '{"memory_limit_mb": 4, "code": "function process(r) if r.STARS == 4 then local t = {} for i = 1, 1e7 do t[i] = i end end return true end"}'
run mem
n4=$(jq -c 'select(.stars == 4)' in.json | wc -l)
[ "$(wc -l < mem.log)" -eq "$n4" ] || fail "mem: expected $n4 processing-log entries"
jq -r .error mem.log > mem.reasons; grep -q "not enough memory" mem.reasons || fail "mem: no memory message"
cp in.all in.json

# ------------------------------------------------------------ configuration errors
expect_plan_error() { # name config message
  pipeline "$1" "$2"
  local rc=0
  "$EDDY" run "$1.json" --quiet 2> "$1.err" || rc=$?
  [ "$rc" -eq 2 ] || fail "$1: exit $rc, expected 2"
  grep -qF -- "$3" "$1.err" || { cat "$1.err"; fail "$1: message"; }
}
printf 'function process(r)\n  return r.STARS <\nend\n' > broken.lua
expect_plan_error syntax '{"script": "broken.lua"}' "config 'script': broken.lua:3: unexpected symbol near 'end'"
expect_plan_error nofn '{"code": "function other(r) return true end"}' "defines no function 'process'"
expect_plan_error both '{"code": "x = 1", "script": "poor.lua"}' "give one of 'script' and 'code'"
expect_plan_error neither '{"mode": "map"}' "give one of 'script' and 'code'"
expect_plan_error cols '{"columns": "A INT", "code": "function process(r) return true end"}' "config 'columns': only for mode map or flatmap"
expect_plan_error missing '{"script": "nope.lua"}' "cannot read nope.lua"
expect_plan_error loaderr '{"code": "error(\"at load\")"}' "at load"
expect_plan_error sandbox '{"code": "io.write(1) function process(r) return true end"}' "global 'io'"

# ------------------------------------------------------------ reload while running
printf 'function process(r) return r.ID %% 2 == 0 end\n' > ev.lua
cat > rel.json <<'JSON'
{"nodes": [
  {"id": "src", "op": "file_source", "config": {"path": "rin.json", "columns": "ID BIGINT", "follow": true}},
  {"id": "op", "op": "lua", "inputs": ["src"], "config": {"script": "ev.lua"}},
  {"id": "out", "op": "file_sink", "inputs": ["op"], "config": {"path": "rel.out"}}
]}
JSON
wait_for() { for _ in $(seq 1 400); do if "$@"; then return 0; fi; sleep 0.05; done; return 1; }
has() { [ -s rel.out ] && grep -qx "{\"ID\":$1}" rel.out; }
for i in 1 2 3 4; do echo "{\"ID\":$i}"; done > rin.json
timeout --foreground 120 "$EDDY" run rel.json --commit-interval 50 --processing-log rel.log 2> rel.err &
pid=$!
wait_for has 4 || fail "reload: first version"
printf 'function process(r) return r.ID %% 2 == 1 end -- odd now\n' > ev.lua
sleep 1.2
for i in 5 6 7; do echo "{\"ID\":$i}" >> rin.json; sleep 0.1; done
wait_for has 7 || { cat rel.err; fail "reload: the new version was not used"; }
has 6 && fail "reload: 6 passed the new version"
printf 'function process(r) return r.ID %% 2 == 0 \n' > ev.lua
sleep 1.2
for i in 9 10 11; do echo "{\"ID\":$i}" >> rin.json; sleep 0.1; done
wait_for has 11 || fail "reload: a broken version must keep the previous one"
has 10 && fail "reload: 10 passed"
grep -qF "reload of ev.lua failed, the previous version stays: ev.lua:2: 'end' expected" rel.err || { cat rel.err; fail "reload: error not logged"; }
kill -TERM "$pid"; rc=0; wait "$pid" || rc=$?; pid=
[ "$rc" -eq 0 ] || fail "reload: eddy exited $rc"
[ "$(jq -c .ID rel.out | tr '\n' ' ')" = "2 4 5 7 9 11 " ] || { cat rel.out; fail "reload: output"; }
echo "test_lua_operator: OK"
