#!/usr/bin/env bash
# Conformance ratchet: runs eddy's own QTT cases (tests/conformance) and, when the shared tree
# has them, ksqlDB's query-validation tests; fails when a case listed in
# tests/conformance/expected-pass.txt does not PASS (failing cases not listed are fine).
set -euo pipefail
: "${EDDY:?}" "${EDDY_SOURCE_DIR:?}"
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
list=$EDDY_SOURCE_DIR/tests/conformance/expected-pass.txt
qv=$EDDY_SOURCE_DIR/../shared/qtt/query-validation

expect_exit() { # CODE CMD...
  local want=$1 got
  shift
  set +e
  "$@" >"$dir/stdout" 2>"$dir/stderr"
  got=$?
  set -e
  if [ "$got" != "$want" ]; then
    echo "exit $got, wanted $want: $*"
    cat "$dir/stdout" "$dir/stderr"
    exit 1
  fi
}

# the commands' contracts: usage 1, unreadable path 3, one line per run and the summary last
expect_exit 0 "$EDDY" qtt --help
grep -q "Usage: eddy qtt PATH" "$dir/stdout"
expect_exit 0 "$EDDY" test --help
grep -q "Usage: eddy test -s" "$dir/stdout"
expect_exit 1 "$EDDY" qtt
expect_exit 1 "$EDDY" qtt "$EDDY_SOURCE_DIR/tests/conformance" --timeout 0
expect_exit 1 "$EDDY" qtt "$EDDY_SOURCE_DIR/tests/conformance" --bogus
expect_exit 3 "$EDDY" qtt "$dir/no-such-dir"
grep -q "cannot read" "$dir/stderr"
cat >"$dir/one.json" <<'JSON'
{"tests": [
  {"name": "a format eddy lacks", "statements": ["CREATE STREAM S (A INT) WITH (kafka_topic='s', value_format='AVRO');"]},
  {"name": "v", "format": ["JSON", "PROTOBUF"], "expectedException": {"type": "x"},
   "statements": ["CREATE STREAM S (A INT) WITH (kafka_topic='s', value_format='{FORMAT}');", "NOT SQL;"]}
]}
JSON
expect_exit 0 "$EDDY" qtt "$dir/one.json" --report "$dir/one.jsonl" --filter "#1"
grep -qx "PASS $dir/one.json #1 v - JSON:" "$dir/stdout"
grep -q "^SKIP $dir/one.json #1 v - PROTOBUF: needs format PROTOBUF" "$dir/stdout"
[ "$(tail -n 1 "$dir/stdout")" = "1 passed, 0 failed, 1 skipped" ]
[ "$(wc -l <"$dir/one.jsonl")" = 2 ]
grep -q '"index":1,"name":"v - PROTOBUF","variant":"PROTOBUF","status":"SKIP"' "$dir/one.jsonl"

# eddy test (ksql-test-runner): passed 0, outputs differ 4, statement error 2, usage 1, files 3
cat >"$dir/s.sql" <<'SQL'
-- ratings below 3 stars
CREATE STREAM RATINGS (RATING_ID BIGINT, STARS INT, RATING_TIME BIGINT, CHANNEL STRING)
  WITH (KAFKA_TOPIC='ratings', VALUE_FORMAT='JSON', TIMESTAMP='RATING_TIME');
CREATE STREAM POOR_RATINGS AS SELECT * FROM RATINGS WHERE STARS < 3;
SQL
cat >"$dir/in.json" <<'JSON'
{"inputs": [
  {"topic": "ratings", "value": {"RATING_ID": 1, "STARS": 1, "RATING_TIME": 1000, "CHANNEL": "web"}},
  {"topic": "ratings", "value": {"RATING_ID": 2, "STARS": 4, "RATING_TIME": 2000, "CHANNEL": "web"}}
]}
JSON
echo '{"outputs": [{"topic": "POOR_RATINGS", "timestamp": 1000, "value": {"RATING_ID": 1, "STARS": 1, "RATING_TIME": 1000, "CHANNEL": "web"}}]}' >"$dir/out.json"
echo '{"outputs": [{"topic": "POOR_RATINGS", "timestamp": 1000, "value": {"RATING_ID": 1, "STARS": 2, "RATING_TIME": 1000, "CHANNEL": "web"}}]}' >"$dir/out-bad.json"
expect_exit 0 "$EDDY" test -s "$dir/s.sql" -i "$dir/in.json" -o "$dir/out.json"
grep -q "Test passed!" "$dir/stdout"
expect_exit 4 "$EDDY" test -s "$dir/s.sql" -i "$dir/in.json" -o "$dir/out-bad.json"
grep -q "Test failed: topic 'POOR_RATINGS', record 0: value differs" "$dir/stdout"
echo "CREATE STREAM BROKEN (;" >"$dir/bad.sql"
expect_exit 2 "$EDDY" test -s "$dir/bad.sql" -i "$dir/in.json" -o "$dir/out.json"
expect_exit 1 "$EDDY" test -s "$dir/s.sql"
expect_exit 3 "$EDDY" test -s "$dir/s.sql" -i "$dir/missing.json" -o "$dir/out.json"

: >"$dir/all.txt"
run_qtt() { # NAME PATH
  local name=$1 path=$2 rc
  set +e
  "$EDDY" qtt "$path" --timeout 5 --report "$dir/$name.jsonl" >"$dir/$name.txt" 2>"$dir/$name.err"
  rc=$?
  set -e
  if [ $rc -ne 0 ]; then
    echo "eddy qtt $path exited $rc (0 expected whatever the results)"
    cat "$dir/$name.err"
    exit 1
  fi
  local summary
  summary=$(tail -n 1 "$dir/$name.txt")
  if ! [[ $summary =~ ^[0-9]+\ passed,\ [0-9]+\ failed,\ [0-9]+\ skipped$ ]]; then
    echo "eddy qtt $path: last line is not the summary: $summary"
    exit 1
  fi
  local lines runs
  lines=$(grep -cE '^(PASS|FAIL|SKIP) ' "$dir/$name.txt" || true)
  runs=$(wc -l <"$dir/$name.jsonl")
  if [ "$lines" != "$runs" ]; then
    echo "eddy qtt $path: $lines result lines but $runs report lines"
    exit 1
  fi
  echo "$path: $summary"
  grep -E '^(PASS|FAIL|SKIP) ' "$dir/$name.txt" >>"$dir/all.txt" || true
}

run_qtt own "$EDDY_SOURCE_DIR/tests/conformance"
# every hand-written case must at least run (a malformed case is a FAIL naming it)
if grep -q ': malformed case: ' "$dir/own.txt"; then
  grep ': malformed case: ' "$dir/own.txt"
  exit 1
fi
if [ -d "$qv" ]; then
  run_qtt qv "$qv"
fi

# PASS lines read `PASS FILE #INDEX NAME:` (no reason): the id is what follows the status.
sed -n 's/^PASS \(.*\):$/\1/p' "$dir/all.txt" >"$dir/passed.txt"
missing=0
while IFS= read -r entry || [ -n "$entry" ]; do
  entry=${entry%%$'\r'}
  case "$entry" in '' | '#'*) continue ;; esac
  if [[ $entry =~ ^([^ ]+)\ (#[0-9]+)$ ]]; then
    file=${BASH_REMATCH[1]} index=${BASH_REMATCH[2]}
    if [[ $file == query-validation/* ]] && [ ! -d "$qv" ]; then
      continue # the shared tests are not here
    fi
    total=$(awk -v f="$file" -v i="$index" '$2 == f && $3 == i' "$dir/all.txt" | wc -l)
    passed=$(awk -v f="$file" -v i="$index" '$1 == "PASS" && $2 == f && $3 == i' "$dir/all.txt" | wc -l)
    if [ "$total" -eq 0 ] || [ "$passed" -ne "$total" ]; then
      echo "ratchet: $entry: $passed of $total runs passed"
      awk -v f="$file" -v i="$index" '$1 != "PASS" && $2 == f && $3 == i' "$dir/all.txt"
      missing=1
    fi
  else
    if [[ $entry == query-validation/* ]] && [ ! -d "$qv" ]; then
      continue
    fi
    if ! grep -qxF -- "$entry" "$dir/passed.txt"; then
      echo "ratchet: $entry did not PASS"
      file=${entry%% *}
      rest=${entry#* }
      index=${rest%% *}
      awk -v f="$file" -v i="$index" '$2 == f && $3 == i' "$dir/all.txt"
      missing=1
    fi
  fi
done <"$list"
if [ $missing -ne 0 ]; then
  echo "conformance ratchet: a case listed in tests/conformance/expected-pass.txt regressed"
  exit 1
fi
echo "conformance ratchet: every listed case passed ($(wc -l <"$dir/passed.txt") runs passed)"
