#!/usr/bin/env bash
# The plugin guide's example (docs/examples/plugins/redact): built with the guide's one-line
# gcc command and loaded through EDDY_PLUGIN_PATH, it masks all but the last `keep`
# characters (UTF-8 aware, NULL stays NULL), leaves other columns alone, and refuses a bad
# config at plan. The guide's own example run is replayed verbatim.
set -euo pipefail
: "${EDDY:?}" "${EDDY_SOURCE_DIR:?}"
dir=$(mktemp -d)
cd "$dir" # relative paths in the pipelines below start from the working directory
trap 'rm -rf "$dir"' EXIT

mkdir "$dir/plugins"
gcc -shared -fPIC -fvisibility=hidden -Wl,-z,defs -I"$EDDY_SOURCE_DIR/core/include" \
  -o "$dir/plugins/redact.so" "$EDDY_SOURCE_DIR/docs/examples/plugins/redact/redact.c"
export EDDY_PLUGIN_PATH="$dir/plugins${EDDY_PLUGIN_PATH:+:$EDDY_PLUGIN_PATH}"
timeout 30 "$EDDY" plugins redact | grep -q "keep"

# The guide's example, as written in docs/plugins.md.
cat > "$dir/redact.json" <<'JSON'
{
  "name": "redact-cards",
  "nodes": [
    { "id": "payments", "op": "file_source",
      "config": { "path": "payments.json", "columns": "ID BIGINT, CARD STRING, AMOUNT DOUBLE" } },
    { "id": "masked", "op": "redact", "inputs": ["payments"],
      "config": { "column": "card", "keep": 4 } },
    { "id": "out", "op": "stdout_sink", "inputs": ["masked"] }
  ]
}
JSON
printf '%s\n' '{"id":1,"card":"4111-1111-1111-1234","amount":9.5}' \
              '{"id":2,"card":null,"amount":1.0}' > "$dir/payments.json"
timeout 30 "$EDDY" run "$dir/redact.json" --quiet > "$dir/out"
printf '%s\n' '{"ID":1,"CARD":"***************1234","AMOUNT":9.5}' \
              '{"ID":2,"CARD":null,"AMOUNT":1.0}' > "$dir/want"
diff "$dir/want" "$dir/out"

# Many records, several keep values, multi-byte characters, checked against jq.
awk 'BEGIN { srand(7); nc = split("a b c d é € x y z 0 1 2 3 -", ch, " ");
  for (i = 1; i <= 4000; i++) {
  s = ""; n = int(rand() * 30); for (k = 0; k < n; k++) s = s ch[int(rand() * nc) + 1];
  if (i % 50 == 0) printf "{\"id\":%d,\"card\":null,\"amount\":%d}\n", i, i;
  else printf "{\"id\":%d,\"card\":\"%s\",\"amount\":%d}\n", i, s, i } }' > "$dir/many.json"
for keep in 0 3 10; do
  sed "s/\"payments.json\"/\"many.json\"/; s/\"keep\": 4/\"keep\": $keep/" "$dir/redact.json" > "$dir/many_p.json"
  timeout 30 "$EDDY" run "$dir/many_p.json" --quiet > "$dir/many_out"
  jq -c --argjson k "$keep" '{ID: .id, CARD: (if .card == null then null
      elif (.card | length) <= $k then .card
      else ("*" * ((.card | length) - $k)) + (if $k == 0 then "" else .card[-$k:] end) end),
      AMOUNT: (.amount | tostring | tonumber)}' "$dir/many.json" | jq -cS . > "$dir/want_many"
  jq -cS . "$dir/many_out" > "$dir/got_many"
  diff "$dir/want_many" "$dir/got_many" | head -20
  cmp -s "$dir/want_many" "$dir/got_many"
  echo "keep $keep: ok"
done

# Config errors are plan errors naming the node and the key.
sed 's/"column": "card"/"column": "nope"/' "$dir/redact.json" > "$dir/bad.json"
set +e
msg=$(timeout 30 "$EDDY" run "$dir/bad.json" 2>&1 >/dev/null); rc=$?
set -e
[ "$rc" -eq 2 ]
grep -q "node 'masked': config 'column': no column 'nope' in the input" <<< "$msg"
sed 's/"column": "card"/"column": "amount"/' "$dir/redact.json" > "$dir/bad.json"
set +e
msg=$(timeout 30 "$EDDY" run "$dir/bad.json" 2>&1 >/dev/null); rc=$?
set -e
[ "$rc" -eq 2 ]
grep -q "node 'masked': config 'column': column 'amount' is not a STRING" <<< "$msg"
sed 's/"keep": 4/"keep": -1/' "$dir/redact.json" > "$dir/bad.json"
set +e
msg=$(timeout 30 "$EDDY" run "$dir/bad.json" 2>&1 >/dev/null); rc=$?
set -e
[ "$rc" -eq 2 ]
grep -q "node 'masked': config 'keep': must be 0 or more, got -1" <<< "$msg"
echo ok
