#!/usr/bin/env bash
# Malformed lines in the middle of an input file (bad JSON, a string where INT is declared,
# plain text, a truncated last line): every good record comes through, every bad one is in
# the processing log with its line number and its raw bytes, and the run succeeds.
set -euo pipefail
: "${EDDY:?}"
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

cat > "$dir/in.json" <<'JSON'
{"rating_id":1,"user_id":3,"stars":2,"route_id":10,"rating_time":1000,"channel":"web","message":"ok"}
{"rating_id":2,"user_id":3,"stars":
{"rating_id":3,"user_id":4,"stars":5,"route_id":11,"rating_time":2000,"channel":"iOS","message":"fine"}
{"rating_id":4,"user_id":"abc","stars":1,"route_id":12,"rating_time":3000,"channel":"web","message":"x"}
{"rating_id":5,"user_id":5,"stars":1,"route_id":13,"rating_time":4000,"channel":"android","message":"meh"}
this is not json
{"rating_id":7,"user_id":6,"stars":4,"route_id":14,"rating_time":5000,"channel":"web","message":"yay"}
JSON
printf '%s' '{"rating_id":8,"user_id":7,"stars":1' >> "$dir/in.json"

cat > "$dir/p.json" <<JSON
{"nodes": [
  {"id": "ratings", "op": "file_source", "config": {"path": "$dir/in.json",
   "columns": "RATING_ID BIGINT, USER_ID INT, STARS INT, ROUTE_ID INT, RATING_TIME BIGINT, CHANNEL STRING, MESSAGE STRING"}},
  {"id": "out", "op": "file_sink", "inputs": ["ratings"], "config": {"path": "$dir/out.json"}}
]}
JSON
timeout 60 "$EDDY" run "$dir/p.json" --processing-log "$dir/bad.log" --quiet

[ "$(jq -c '.RATING_ID' "$dir/out.json" | tr '\n' ' ')" = "1 3 5 7 " ]
[ "$(wc -l < "$dir/bad.log")" -eq 4 ]
[ "$(jq -c '.source.offset' "$dir/bad.log" | tr '\n' ' ')" = "2 4 6 8 " ]
jq -e -s 'all(.[]; .node == "ratings" and .task == 0 and (.error | length) > 0
                 and (.code == "EPARSE" or .code == "ETYPE") and (.source.name | endswith("in.json")))' "$dir/bad.log" >/dev/null
# The string-for-INT line is a type error naming the column.
jq -e -s '.[1].code == "ETYPE" and (.[1].error | test("USER_ID"))' "$dir/bad.log" >/dev/null
# raw is the line's bytes, base64.
for n in 2 4 6 8; do
  want=$(sed -n "${n}p" "$dir/in.json")
  got=$(jq -r --argjson n "$n" 'select(.source.offset == $n) | .raw' "$dir/bad.log" | base64 -d)
  [ "$want" = "$got" ] || { echo "raw of line $n: '$got' != '$want'"; exit 1; }
done

# A function that fails on a record (an unknown time zone) gives NULL for that column, as in
# ksqlDB: the row still comes out, and the failure is in the processing log.
cat > "$dir/p2.json" <<JSON
{"nodes": [
  {"id": "ratings", "op": "file_source", "config": {"path": "$dir/in.json",
   "columns": "RATING_ID BIGINT, USER_ID INT, STARS INT, ROUTE_ID INT, RATING_TIME BIGINT, CHANNEL STRING, MESSAGE STRING"}},
  {"id": "tz", "op": "project", "inputs": ["ratings"],
   "config": {"columns": ["RATING_ID", "CONVERT_TZ(FROM_UNIXTIME(RATING_TIME), 'UTC', CHANNEL) AS LOCAL", "STARS"]}},
  {"id": "out", "op": "file_sink", "inputs": ["tz"], "config": {"path": "$dir/out2.json"}}
]}
JSON
timeout 60 "$EDDY" run "$dir/p2.json" --processing-log "$dir/bad2.log" --quiet
[ "$(jq -c '[.RATING_ID, .LOCAL, .STARS]' "$dir/out2.json" | tr '\n' ' ')" = "[1,null,2] [3,null,5] [5,null,1] [7,null,4] " ]
# 4 lines that do not decode, then one entry per good row from the failing call.
[ "$(jq -s '[.[] | select(.node == "tz")] | length' "$dir/bad2.log")" -eq 4 ]
jq -e -s '[.[] | select(.node == "tz")] | all(.code == "EFUNC" and (.error | test("Unknown time-zone ID: (web|iOS|android)")))' "$dir/bad2.log" >/dev/null
echo ok
