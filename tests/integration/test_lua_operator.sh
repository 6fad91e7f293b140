#!/usr/bin/env bash
# The `lua` operator (plugins/lua): filter, map and flatmap over 2000 generated ratings, each
# output checked against the same logic written in jq; the record view's accessors (columns by
# name either case and by position, key, timestamp, headers, totable); then every failure path:
# a runtime error and a wrong result type (processing log with the traceback, the pipeline goes
# on), a time budget a pcall cannot swallow, the memory limit, and configuration errors (syntax
# error with file:line, missing function, both or neither of script/code, columns in filter
# mode), and a script changed while the pipeline runs (reloaded between batches; a broken
# version keeps the previous one). Per-batch mode (process_batch): filter, map and flatmap over
# whole batches (batches of 64 records, computed in jq with _nwise(64)), and its failure paths
# (an error fails the batch's records, bad items, views kept from another call).
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

# ------------------------------------------------------------ per batch
B='def batches: [inputs] | _nwise(64); def row: {RATING_ID: .rating_id, USER_ID: .user_id, STARS: .stars, ROUTE_ID: .route_id, RATING_TIME: .rating_time, CHANNEL: .channel, MESSAGE: .message};'
same_batches() { # name jq-program over batches (arrays of 64 input records)
  jq -nc "$B $2" in.json > "$1.want"
  diff -q "$1.want" "$1.out" >/dev/null || { diff "$1.want" "$1.out" | head -5; fail "$1: output differs from jq"; }
  [ ! -s "$1.log" ] || { head -3 "$1.log"; fail "$1: processing log not empty"; }
}
# filter: the records above their batch's mean stars, last first (the views themselves)
cat > above.lua <<'LUA'
function process_batch(records)
  local sum = 0
  for _, r in ipairs(records) do sum = sum + r.STARS end
  local mean, keep = sum / #records, {}
  for i = #records, 1, -1 do
    if records[i].stars > mean then keep[#keep + 1] = records[i] end
  end
  return keep
end
LUA
pipeline bfilter '{"script": "above.lua"}'
run bfilter
same_batches bfilter 'batches | (map(.stars) | add / length) as $m | reverse[] | select(.stars > $m) | row'
# map: a table per record, from the record at its position (patching the input's columns)
pipeline bmap '{"mode": "map", "code": "function process_batch(rs) local o = {} for k, r in ipairs(rs) do o[k] = { MESSAGE = #rs .. \":\" .. k .. \":\" .. r:key() .. \":\" .. r:timestamp() } end return o end"}'
run bmap
same_batches bmap 'batches | length as $n | to_entries[] | .key as $k | .value | row + {MESSAGE: "\($n):\($k + 1):\(.rating_id):\(.rating_time)"}'
# flatmap with columns: per batch, one row per channel (counted), from the channel's first record
cat > chan.lua <<'LUA'
function process_batch(records)
  local out, seen = {}, {}
  for _, r in ipairs(records) do
    local row = seen[r.CHANNEL]
    if row then row.N = row.N + 1
    else row = { _record = r, ID = r:key(), CHANNEL = r.CHANNEL, N = 1 }; seen[r.CHANNEL] = row; out[#out + 1] = row end
  end
  return out
end
LUA
pipeline bflat '{"mode": "flatmap", "columns": "ID BIGINT KEY, CHANNEL STRING, N INT", "script": "chan.lua"}'
run bflat
same_batches bflat 'batches | . as $b | [.[].channel] | reduce .[] as $c ([]; if index([$c]) then . else . + [$c] end) | .[] as $c | ($b | map(select(.channel == $c))) | {ID: .[0].rating_id, CHANNEL: $c, N: length}'
# an error fails the batch: every record of it goes to the processing log (the last batch: 16)
pipeline berr '{"code": "function process_batch(rs) if #rs < 64 then error(\"short batch of \" .. #rs) end return rs end"}'
run berr
[ "$(wc -l < berr.out)" -eq 1984 ] || fail "berr: the full batches must pass"
[ "$(wc -l < berr.log)" -eq 16 ] || fail "berr: expected 16 processing-log entries, got $(wc -l < berr.log)"
[ "$(jq -r .error berr.log | grep -cF "lua function 'process_batch': code:1: short batch of 16")" -eq 16 ] || { head -2 berr.log; fail "berr: message"; }
jq -r .error berr.log > berr.reasons; grep -qF "stack traceback" berr.reasons || fail "berr: no traceback"
# the time budget covers the whole call: batches whose first record has 5 stars loop (once
# inside a pcall, which must not swallow the budget); their records go to the log
pipeline bslow '{"time_limit_ms": 20, "code": "function process_batch(rs) if rs[1].STARS == 5 then pcall(function() while true do end end) while true do end end return rs end"}'
run bslow
nslow=$(jq -n "$B [batches | select(.[0].stars == 5) | length] | add // 0" in.json)
[ "$nslow" -gt 0 ] || fail "bslow: no batch starts with 5 stars (fixture changed?)"
[ "$(wc -l < bslow.log)" -eq "$nslow" ] && [ "$(wc -l < bslow.out)" -eq $((2000 - nslow)) ] || fail "bslow: expected $nslow processing-log entries"
[ "$(jq -r .error bslow.log | grep -c "time limit exceeded (20 ms)")" -eq "$nslow" ] || fail "bslow: message"
# bad items: a table in filter mode, an item past the batch without _record, a view kept from
# the previous call (returned, and read); each goes to the log under its record, the rest passes
pipeline bbad1 '{"code": "function process_batch(rs) local o = {} for k, r in ipairs(rs) do o[k] = r end o[1] = {STARS = 1} return o end"}'
run bbad1
[ "$(wc -l < bbad1.out)" -eq $((2000 - 32)) ] && [ "$(wc -l < bbad1.log)" -eq 32 ] || fail "bbad1: counts"
[ "$(jq -r .error bbad1.log | sort -u)" = "lua function 'process_batch': item 1 of the returned list is a table; expected a record view (filter mode)" ] || { head -2 bbad1.log; fail "bbad1: message"; }
pipeline bbad2 '{"mode": "map", "code": "function process_batch(rs) local o = {} for k, r in ipairs(rs) do o[k] = r end o[#o + 1] = {STARS = 0} return o end"}'
run bbad2
[ "$(wc -l < bbad2.out)" -eq 2000 ] && [ "$(wc -l < bbad2.log)" -eq 32 ] || fail "bbad2: counts"
jq -r .error bbad2.log > bbad2.reasons; grep -qxF "lua function 'process_batch': item 17 of the returned list has no _record and the batch has 16 records: name the record it comes from (_record = r)" bbad2.reasons || { head -2 bbad2.log; fail "bbad2: message"; }
[ "$(jq -c .source.offset bbad2.log | tail -1)" = 2000 ] || { tail -1 bbad2.log; fail "bbad2: blamed record"; }
pipeline bbad3 '{"code": "local old function process_batch(rs) local o = {} if old then o[1] = old end old = rs[1] for _, r in ipairs(rs) do o[#o + 1] = r end return o end"}'
run bbad3
[ "$(wc -l < bbad3.out)" -eq 2000 ] && [ "$(wc -l < bbad3.log)" -eq 31 ] || fail "bbad3: counts"
[ "$(jq -r .error bbad3.log | sort -u)" = "lua function 'process_batch': item 1 of the returned list is a record view from another call" ] || { head -2 bbad3.log; fail "bbad3: message"; }
pipeline bbad4 '{"code": "local old function process_batch(rs) if old then local x = old.STARS end old = rs[1] return rs end"}'
run bbad4
[ "$(wc -l < bbad4.out)" -eq 64 ] && [ "$(wc -l < bbad4.log)" -eq $((2000 - 64)) ] || fail "bbad4: counts"
jq -r .error bbad4.log > bbad4.reasons; grep -qF "the record view is only valid during the call it was passed to" bbad4.reasons || { head -2 bbad4.log; fail "bbad4: message"; }

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
expect_plan_error nofn '{"code": "function other(r) return true end"}' "code: defines no function 'process' (a global function of that name is called per record) nor 'process_batch' (called per batch)"
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
