#!/usr/bin/env bash
# union (three inputs, plus a schema mismatch refused at plan) and split (every matching port
# vs first_match, the else port, ports feeding further operators), checked against jq.
set -euo pipefail
: "${EDDY:?}"
dir=$(mktemp -d)
cd "$dir" # relative paths in the pipelines below start from the working directory
trap 'rm -rf "$dir"' EXIT

gen() { # file first count
  awk -v first="$2" -v n="$3" 'BEGIN {
    for (i = first; i < first + n; i++) {
      stars = (i % 9 == 0) ? "null" : (i * 7919) % 5 + 1;
      printf "{\"id\":%d,\"stars\":%s,\"tag\":\"t%d\"}\n", i, stars, i % 4;
    }
  }' > "$1"
}
gen "$dir/a.json" 1 1500
gen "$dir/b.json" 10001 700
gen "$dir/c.json" 20001 1
cols='ID BIGINT, STARS INT, TAG STRING'

# ------------------------------------------------------------------ union
cat > "$dir/union.json" <<JSON
{"nodes": [
  {"id": "a", "op": "file_source", "config": {"path": "a.json", "columns": "$cols", "batch_size": 100}},
  {"id": "b", "op": "file_source", "config": {"path": "b.json", "columns": "$cols"}},
  {"id": "c", "op": "file_source", "config": {"path": "c.json", "columns": "$cols"}},
  {"id": "all", "op": "union", "inputs": ["a", "b", "c"]},
  {"id": "out", "op": "file_sink", "inputs": ["all"], "config": {"path": "union_out.json"}}
]}
JSON
timeout 60 "$EDDY" run "$dir/union.json" --quiet
cat "$dir"/{a,b,c}.json | jq -cS '{ID: .id, STARS: .stars, TAG: .tag}' | sort > "$dir/want"
jq -cS . "$dir/union_out.json" | sort > "$dir/got"
[ "$(wc -l < "$dir/got")" -eq 2201 ]
diff "$dir/want" "$dir/got"
# Each input's records keep their order through the union.
for f in a b c; do
  jq -c .id "$dir/$f.json" > "$dir/order_want"
  first=$(head -1 "$dir/order_want"); last=$(tail -1 "$dir/order_want")
  jq -c --argjson f "$first" --argjson l "$last" 'select(.ID >= $f and .ID <= $l) | .ID' \
    "$dir/union_out.json" > "$dir/order_got"
  diff "$dir/order_want" "$dir/order_got"
done
echo "union: ok"

# Inputs of different schemas are refused at plan, naming both inputs and both schemas.
cat > "$dir/union_bad.json" <<JSON
{"nodes": [
  {"id": "a", "op": "file_source", "config": {"path": "a.json", "columns": "$cols"}},
  {"id": "b", "op": "file_source", "config": {"path": "b.json", "columns": "ID BIGINT, STARS INT"}},
  {"id": "all", "op": "union", "inputs": ["a", "b"]},
  {"id": "out", "op": "stdout_sink", "inputs": ["all"]}
]}
JSON
set +e
msg=$(timeout 30 "$EDDY" run "$dir/union_bad.json" 2>&1 >/dev/null)
rc=$?
set -e
echo "$msg"
[ "$rc" -eq 2 ]
grep -qF "node 'all': inputs 'a' and 'b' have different schemas: 'a' is (\`ID\` BIGINT, \`STARS\` INTEGER, \`TAG\` STRING), 'b' is (\`ID\` BIGINT, \`STARS\` INTEGER)" <<< "$msg"

# ------------------------------------------------------------------ split
for first in false true; do
  cat > "$dir/split.json" <<JSON
{"nodes": [
  {"id": "src", "op": "file_source", "config": {"path": "a.json", "columns": "$cols", "batch_size": 64}},
  {"id": "by", "op": "split", "inputs": ["src"],
   "config": {"outputs": {"low": "STARS <= 2", "odd": "ID % 2 = 1", "t0": "TAG = 't0'"},
              "else": "rest", "first_match": $first}},
  {"id": "low_out", "op": "file_sink", "inputs": ["by.low"], "config": {"path": "low.json"}},
  {"id": "odd_hi", "op": "filter", "inputs": ["by.odd"], "config": {"where": "STARS >= 4"}},
  {"id": "odd_out", "op": "file_sink", "inputs": ["odd_hi"], "config": {"path": "odd.json"}},
  {"id": "t0_out", "op": "file_sink", "inputs": [{"node": "by", "port": "t0"}], "config": {"path": "t0.json"}},
  {"id": "rest_out", "op": "file_sink", "inputs": ["by.rest"], "config": {"path": "rest.json"}}
]}
JSON
  timeout 60 "$EDDY" run "$dir/split.json" --quiet
  # Predicates with SQL NULLs: STARS NULL makes "low" NULL (not TRUE).
  if [ "$first" = false ]; then
    jq -c 'select(.stars != null and .stars <= 2) | .id' "$dir/a.json" > "$dir/want_low"
    jq -c 'select(.id % 2 == 1 and .stars != null and .stars >= 4) | .id' "$dir/a.json" > "$dir/want_odd"
    jq -c 'select(.tag == "t0") | .id' "$dir/a.json" > "$dir/want_t0"
  else
    jq -c 'select(.stars != null and .stars <= 2) | .id' "$dir/a.json" > "$dir/want_low"
    jq -c 'select((.stars != null and .stars <= 2 | not) and .id % 2 == 1 and .stars != null and .stars >= 4) | .id' \
      "$dir/a.json" > "$dir/want_odd"
    jq -c 'select((.stars != null and .stars <= 2 | not) and .id % 2 == 0 and .tag == "t0") | .id' \
      "$dir/a.json" > "$dir/want_t0"
  fi
  jq -c 'select((.stars != null and .stars <= 2 | not) and .id % 2 == 0 and .tag != "t0") | .id' \
    "$dir/a.json" > "$dir/want_rest"
  for port in low odd t0 rest; do
    jq -c .ID "$dir/$port.json" > "$dir/got_$port"
    [ -s "$dir/want_$port" ]
    diff "$dir/want_$port" "$dir/got_$port"
  done
  # Records reach the ports whole.
  jq -cS '{ID: .id, STARS: .stars, TAG: .tag}' "$dir/a.json" | sort > "$dir/want_rows"
  cat "$dir"/{low,rest}.json | jq -cS . | sort -u > "$dir/got_rows"
  comm -13 "$dir/want_rows" "$dir/got_rows" | { ! grep -q .; }
  echo "split first_match=$first: ok"
done

# A port name reused as `else` is refused.
sed -i 's/"else": "rest"/"else": "low"/' "$dir/split.json"
set +e
msg=$(timeout 30 "$EDDY" run "$dir/split.json" 2>&1 >/dev/null)
rc=$?
set -e
[ "$rc" -eq 2 ]
grep -q "node 'by': config 'else': port 'low' is already one of 'outputs'" <<< "$msg"
echo ok
