#!/usr/bin/env bash
# file_source following a file (`follow: true`, and `eddy run --follow`): lines appended while
# eddy runs (one split across two writes), a rotation (mv + new file), a truncation, and a file
# that does not exist yet. Progress is observed through marker lines that fail to decode (the
# processing log is written at once); the sink's buffer is only written at exit (10 min commit
# interval), so after SIGTERM every line must be in the output exactly once, in order:
# nothing read and queued is dropped at exit.
set -euo pipefail
: "${EDDY:?}"
dir=$(mktemp -d)
cd "$dir" # relative paths in the pipelines below start from the working directory
pid=
# $pid is `timeout`; kill eddy (its child) too, or an orphan would outlive the test.
cleanup() {
  if [ -n "$pid" ]; then pkill -KILL -P "$pid" 2>/dev/null || true; kill -KILL "$pid" 2>/dev/null || true; fi
  rm -rf "$dir"
}
trap cleanup EXIT

lines() { for ((i = $1; i <= $2; i++)); do printf '{"id":%d,"v":"line %d"}\n' "$i" "$i"; done; }
marker() { printf 'marker %s\n' "$1" >> "$dir/$2"; }
wait_marker() { # waits until the processing log holds "marker $1"
  for _ in $(seq 1 400); do
    if [ -s "$dir/bad.log" ] &&
       jq -r .raw "$dir/bad.log" | while read -r r; do echo "$r" | base64 -d; echo; done |
       grep -qx "marker $1"; then
      return 0
    fi
    sleep 0.05
  done
  echo "marker $1 never reached the processing log"; cat "$dir/bad.log" || true
  return 1
}
start() { # pipeline-file [extra args]: starts eddy in the background
  rm -f "$dir/bad.log" "$dir/out.json"
  # --foreground: timeout then relays our SIGTERM to eddy once; without it, it signals eddy
  # and its process group, and eddy takes the second SIGTERM for "exit now" (130).
  timeout --foreground 120 "$EDDY" run "$dir/$1" --processing-log "$dir/bad.log" --commit-interval 600000 \
    --quiet "${@:2}" &
  pid=$!
}
stop() { # SIGTERM, then eddy must exit 0
  kill -TERM "$pid"
  local rc=0
  wait "$pid" || rc=$?
  pid=
  [ "$rc" -eq 0 ] || { echo "eddy exited $rc after SIGTERM"; return 1; }
}

cat > "$dir/p.json" <<'JSON'
{"nodes": [
  {"id": "src", "op": "file_source",
   "config": {"path": "in.json", "columns": "ID BIGINT, V STRING", "follow": true, "batch_size": 50}},
  {"id": "out", "op": "file_sink", "inputs": ["src"], "config": {"path": "out.json"}}
]}
JSON

# ------------------------------------------------------------ appends, rotation, truncation
lines 1 100 > "$dir/in.json"
start p.json
for ((k = 101; k <= 451; k += 50)); do
  lines "$k" $((k + 49)) >> "$dir/in.json"
  sleep 0.05
done
printf '{"id":501,' >> "$dir/in.json"           # a line written in two parts
sleep 0.3
printf '"v":"line 501"}\n' >> "$dir/in.json"
marker 1 in.json
wait_marker 1

lines 502 510 >> "$dir/in.json"                  # the last lines of the old file ...
mv "$dir/in.json" "$dir/in.json.1"               # ... rotated away
sleep 0.2
lines 511 600 > "$dir/in.json"                   # a new file at the path
marker 2 in.json
wait_marker 2

: > "$dir/in.json"                               # truncated (copytruncate)
sleep 0.2
lines 601 610 >> "$dir/in.json"
marker 3 in.json
wait_marker 3
lines 611 700 >> "$dir/in.json"
marker 4 in.json
wait_marker 4

# Everything read so far is queued in the sink, not written yet.
[ ! -s "$dir/out.json" ]
stop
jq -c .ID "$dir/out.json" > "$dir/got"
seq 1 700 > "$dir/want"
diff "$dir/want" "$dir/got"
[ "$(head -n 1 "$dir/out.json" | jq -cS .)" = '{"ID":1,"V":"line 1"}' ]
[ "$(wc -l < "$dir/bad.log")" -eq 4 ]
echo "follow: ok"

# ------------------------------------------------------------ --follow, file created later
rm -f "$dir/in.json" "$dir/in.json.1"
sed 's/, "follow": true//' "$dir/p.json" > "$dir/p2.json"
start p2.json --follow
sleep 0.3
lines 1 300 > "$dir/in.json.tmp"
mv "$dir/in.json.tmp" "$dir/in.json"
marker 1 in.json
wait_marker 1
lines 301 333 >> "$dir/in.json"
marker 2 in.json
wait_marker 2
stop
jq -c .ID "$dir/out.json" > "$dir/got"
seq 1 333 > "$dir/want"
diff "$dir/want" "$dir/got"
echo "--follow: ok"

# ------------------------------------------------------------ without follow, eddy ends by itself
lines 1 10 > "$dir/in.json"
rm -f "$dir/out.json"
timeout 30 "$EDDY" run "$dir/p2.json" --quiet
[ "$(wc -l < "$dir/out.json")" -eq 10 ]
echo ok
