#!/usr/bin/env bash
# filter and project over generated ratings (with NULLs and a few bad lines): the output of
# each is compared with jq's computation of the same thing from the input. Also: ROWTIME from
# a column, KEY columns from `key`, two sinks sharing one output path, batch_size edges.
set -euo pipefail
: "${EDDY:?}"
dir=$(mktemp -d)
cd "$dir" # relative paths in the pipelines below start from the working directory
trap 'rm -rf "$dir"' EXIT

# 3000 ratings; every 7th has a NULL STARS, every 11th no CHANNEL field, plus two bad lines.
awk 'BEGIN {
  split("web,iOS,android,iOS-test,web-test", ch, ",");
  for (i = 1; i <= 3000; i++) {
    stars = (i % 7 == 0) ? "null" : (i * 7919) % 5 + 1;
    c = (i % 11 == 0) ? "" : sprintf(",\"channel\":\"%s\"", ch[(i * 31) % 5 + 1]);
    printf "{\"rating_id\":%d,\"user_id\":%d,\"stars\":%s,\"rating_time\":%d%s,\"message\":\"m%d\"}\n",
           i, (i * 13) % 50, stars, 1700000000000 + i * 1000, c, i;
  }
}' > "$dir/good.json"
awk '{ print } NR == 1000 { print "{\"rating_id\": oops" } NR == 2000 { print "{\"rating_id\":2,\"user_id\":\"x\"}" }' \
  "$dir/good.json" > "$dir/in.json"
cols='RATING_ID BIGINT, USER_ID INT, STARS INT, RATING_TIME BIGINT, CHANNEL STRING, MESSAGE STRING'

for bs in 1024 7 1; do
  cat > "$dir/p.json" <<JSON
{"name": "fp", "nodes": [
  {"id": "src", "op": "file_source",
   "config": {"path": "in.json", "columns": "$cols", "timestamp": "rating_time", "batch_size": $bs}},
  {"id": "poor", "op": "filter", "inputs": ["src"],
   "config": {"where": "STARS < 3 AND CHANNEL <> 'web'"}},
  {"id": "poor_out", "op": "file_sink", "inputs": ["poor"], "config": {"path": "poor.json"}},
  {"id": "shaped", "op": "project", "inputs": ["src"],
   "config": {"key": ["USER_ID AS UID"],
              "columns": ["RATING_ID", "STARS * 10 AS S10", "UCASE(CHANNEL) AS CH",
                          "ROWTIME = RATING_TIME AS RT_OK", "MESSAGE"]}},
  {"id": "shaped_out", "op": "file_sink", "inputs": ["shaped"], "config": {"path": "shaped.json"}},
  {"id": "all_true", "op": "filter", "inputs": ["src"], "config": {"where": "TRUE"}},
  {"id": "high", "op": "filter", "inputs": ["src"], "config": {"where": "STARS >= 4"}},
  {"id": "low", "op": "filter", "inputs": ["src"], "config": {"where": "STARS <= 2"}},
  {"id": "shared1", "op": "file_sink", "inputs": ["high"], "config": {"path": "shared.json"}},
  {"id": "shared2", "op": "file_sink", "inputs": ["low"], "config": {"path": "shared.json"}},
  {"id": "all_out", "op": "file_sink", "inputs": ["all_true"], "config": {"path": "all.json"}}
]}
JSON
  rm -f "$dir"/{poor,shaped,shared,all}.json "$dir/bad.log"
  echo "stale line that must be truncated away" > "$dir/shared.json"
  timeout 60 "$EDDY" run "$dir/p.json" --processing-log "$dir/bad.log" --quiet

  # filter: NULL STARS or CHANNEL make the predicate NULL: dropped.
  jq -cS 'select(.stars != null and .stars < 3 and .channel != null and .channel != "web")
          | {RATING_ID: .rating_id, USER_ID: .user_id, STARS: .stars, RATING_TIME: .rating_time,
             CHANNEL: .channel, MESSAGE: .message}' "$dir/good.json" > "$dir/want_poor"
  jq -cS . "$dir/poor.json" > "$dir/got_poor"
  [ -s "$dir/want_poor" ]
  diff "$dir/want_poor" "$dir/got_poor"

  # project: key first, expressions with SQL NULL semantics, ROWTIME taken from RATING_TIME.
  jq -cS '{UID: .user_id, RATING_ID: .rating_id, S10: (if .stars == null then null else .stars * 10 end),
             CH: (if .channel == null then null else (.channel | ascii_upcase) end), RT_OK: true,
             MESSAGE: .message}' "$dir/good.json" > "$dir/want_shaped"
  jq -cS . "$dir/shaped.json" > "$dir/got_shaped"
  [ "$(wc -l < "$dir/want_shaped")" -eq 3000 ]
  diff "$dir/want_shaped" "$dir/got_shaped"
  # The key column comes first in each line.
  head -1 "$dir/shaped.json" | grep -q '^{"UID":'

  # A filter keeping everything passes every record on, in order.
  [ "$(jq -c .RATING_ID "$dir/all.json" | tr '\n' ' ')" = "$(seq 1 3000 | tr '\n' ' ')" ]

  # Two sinks on one path share one writer: the file was truncated once, holds both streams.
  ! grep -q stale "$dir/shared.json"
  jq -c 'select(.stars != null and .stars != 3) | .rating_id' "$dir/good.json" | sort -n > "$dir/want_shared"
  jq -c .RATING_ID "$dir/shared.json" | sort -n > "$dir/got_shared"
  diff "$dir/want_shared" "$dir/got_shared"

  # The two bad lines are in the processing log with their line numbers (1001 and 2002).
  [ "$(jq -c '.source.offset' "$dir/bad.log" | sort -u | tr '\n' ' ')" = "1001 2002 " ]
  jq -e -s 'all(.[]; .node == "src")' "$dir/bad.log" > /dev/null
  echo "batch_size $bs: ok"
done

# plan errors name the node and the field.
cat > "$dir/bad.json" <<JSON
{"nodes": [
  {"id": "src", "op": "file_source", "config": {"path": "in.json", "columns": "$cols"}},
  {"id": "nope", "op": "filter", "inputs": ["src"], "config": {"where": "STARS + 1"}},
  {"id": "out", "op": "stdout_sink", "inputs": ["nope"]}
]}
JSON
set +e
msg=$(timeout 30 "$EDDY" run "$dir/bad.json" 2>&1 >/dev/null)
rc=$?
set -e
echo "$msg"
[ "$rc" -eq 2 ]
grep -q "node 'nope': config 'where': expression must be BOOLEAN, got INTEGER" <<< "$msg"

sed -i 's/"where": "STARS + 1"/"where": "STARS < 3"/; s/"columns": "RATING_ID/"timestamp": "MESSAGE", "columns": "RATING_ID/' "$dir/bad.json"
set +e
msg=$(timeout 30 "$EDDY" run "$dir/bad.json" 2>&1 >/dev/null)
rc=$?
set -e
echo "$msg"
[ "$rc" -eq 2 ]
grep -q "node 'src': config 'timestamp': column 'MESSAGE' must be BIGINT or TIMESTAMP, got STRING" <<< "$msg"
echo ok
