#!/usr/bin/env bash
# The eddy command: help, exit codes, explain (golden files), plugins and refused plugins.
set -euo pipefail
: "${EDDY:?}" "${EDDY_SOURCE_DIR:?}" "${EDDY_BUILD_DIR:?}"
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
golden=$EDDY_SOURCE_DIR/tests/golden

expect_exit() { # CODE CMD...
  local want=$1; shift
  set +e; "$@" >"$dir/stdout" 2>"$dir/stderr"; local got=$?; set -e
  if [ "$got" != "$want" ]; then
    echo "exit $got, wanted $want: $*"; cat "$dir/stderr"; exit 1
  fi
}

expect_exit 0 "$EDDY" --help
grep -q "explain FILE" "$dir/stdout"
grep -q "Exit codes" "$dir/stdout"
for c in run explain plugins datagen; do
  expect_exit 0 "$EDDY" "$c" --help
  grep -q "Usage: eddy $c" "$dir/stdout"
done
expect_exit 1 "$EDDY"
expect_exit 1 "$EDDY" frobnicate
grep -q "unknown command 'frobnicate'" "$dir/stderr"
expect_exit 1 "$EDDY" run
grep -q "missing pipeline FILE" "$dir/stderr"
expect_exit 1 "$EDDY" run x.json --threads zero
grep -q "option --threads: 'zero' is not a valid number" "$dir/stderr"
expect_exit 3 "$EDDY" run "$dir/nonexistent.json"
grep -q "cannot open" "$dir/stderr"
echo '{"nodes": [{"id": "a", "op": "nosuch"}]}' > "$dir/bad.json"
expect_exit 2 "$EDDY" run "$dir/bad.json"
grep -q "node 'a': unknown operator 'nosuch'" "$dir/stderr"
echo '{"nodes": [' > "$dir/syntax.json"
expect_exit 2 "$EDDY" explain "$dir/syntax.json"
grep -q "syntax.json:2:1: invalid JSON" "$dir/stderr"

# explain: golden text and dot for the seed pipeline (data directory fixed for stable output).
expect_exit 0 "$EDDY" explain "$EDDY_SOURCE_DIR/pipelines/ratings-file.json" -D data=/data
sed "s|$EDDY_SOURCE_DIR/||" "$dir/stdout" | diff -u "$golden/ratings-file.explain.txt" -
expect_exit 0 "$EDDY" explain "$EDDY_SOURCE_DIR/pipelines/ratings-file.json" -D data=/data --dot
diff -u "$golden/ratings-file.dot" "$dir/stdout"
# --save writes a pipeline file that explains the same.
expect_exit 0 "$EDDY" explain "$EDDY_SOURCE_DIR/pipelines/ratings-file.json" -D data=/data --save "$dir/saved.json"
expect_exit 0 "$EDDY" explain "$dir/saved.json"
grep -q "\[sink\] poor_ratings_file: file_sink <- poor_ratings_out" "$dir/stdout"

# explain of SQL: the graph of each persistent query of the seed's script.
expect_exit 0 "$EDDY" explain "$EDDY_SOURCE_DIR/pipelines/ratings.sql"
for q in CSAS_POOR_RATINGS_0 CSAS_RATINGS_WITH_CUSTOMER_DATA_1 CSAS_UNHAPPY_PLATINUM_CUSTOMERS_2 \
         CTAS_RATINGS_BY_CLUB_STATUS_1MIN_3; do
  grep -qx "Query $q" "$dir/stdout" || { echo "no query $q in explain"; exit 1; }
done
grep -qF '[transform] join: join <- left, right' "$dir/stdout"
grep -qF '[transform] aggregate: aggregate <- source' "$dir/stdout"
expect_exit 0 "$EDDY" explain "$EDDY_SOURCE_DIR/pipelines/ratings.sql" --dot
[ "$(grep -c '^digraph' "$dir/stdout")" -eq 4 ]
printf 'CREATE STREAM S (A INT) WITH (KAFKA_TOPIC=%s, VALUE_FORMAT=%s);\nSELEC A FROM S;\n' "'s'" "'JSON'" > "$dir/bad.sql"
expect_exit 2 "$EDDY" explain "$dir/bad.sql"
grep -q "bad.sql:2:1: Syntax Error" "$dir/stderr"
# a planning error deep in a file names the file's line and column, not the statement's
printf '%s\n%s\n\n  %s\n' \
    "CREATE STREAM I (K STRING KEY, ID INT) WITH (KAFKA_TOPIC='i', VALUE_FORMAT='JSON');" \
    "CREATE STREAM J (K STRING KEY, ID INT) WITH (KAFKA_TOPIC='j', VALUE_FORMAT='JSON');" \
    "CREATE STREAM O AS SELECT I.K, ID FROM I JOIN J WITHIN 1 SECOND ON I.K = J.K;" \
    > "$dir/ambiguous.sql"
expect_exit 2 "$EDDY" explain "$dir/ambiguous.sql"
grep -qF "ambiguous.sql:4:3: Line: 4, Col: 34: Column 'ID' is ambiguous. Could be I.ID or J.ID." \
    "$dir/stderr"

# plugins: the eight built-ins, and one's configuration.
expect_exit 0 "$EDDY" plugins
for p in file_source stdin_source file_sink stdout_sink filter project union split; do
  grep -q "^$p " "$dir/stdout" || { echo "plugin $p not listed"; exit 1; }
done
! grep -q "refused" "$dir/stdout"
expect_exit 0 "$EDDY" plugins filter
grep -q "where" "$dir/stdout"
expect_exit 3 "$EDDY" plugins nosuch

# Broken plugins on EDDY_PLUGIN_PATH are refused with the file and both ABI versions, and a
# pipeline naming one says why it is unavailable.
fixtures=$EDDY_BUILD_DIR/fixture-plugins
EDDY_PLUGIN_PATH=$fixtures expect_exit 0 "$EDDY" plugins
grep -q "refused: $fixtures/wrong_abi.so: plugin ABI version 999, but this eddy supports ABI version 1" "$dir/stdout"
# A function library on the plugin path adds SQL functions, listed with their file.
EDDY_PLUGIN_PATH=$fixtures expect_exit 0 "$EDDY" functions
grep -q "^SHOUT .*$fixtures/fn_shout.so" "$dir/stdout"
echo '{"nodes": [{"id": "a", "op": "missing_process"}]}' > "$dir/mp.json"
EDDY_PLUGIN_PATH=$fixtures expect_exit 2 "$EDDY" run "$dir/mp.json"
grep -q "node 'a': operator 'missing_process' is not available: $fixtures/missing_process.so: plugin 'missing_process' (transform) has no 'process' callback" "$dir/stderr"
echo ok
