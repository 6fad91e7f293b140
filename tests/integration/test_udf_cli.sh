#!/usr/bin/env bash
# Lua UDFs from the commands' point of view: `eddy test` and `eddy qtt` with --udf-path and
# EDDY_UDF_PATH (the tutorial of docs/udf-lua.md), the shipped UDFs without any option, a
# broken UDF file (reported with file:line, exit 3), DESCRIBE FUNCTION of an unknown name, and
# --udf-path in every command's --help.
set -euo pipefail
: "${EDDY:?}"
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
cd "$dir"
fail() { echo "FAIL: $*"; exit 1; }

cat > stars.lua <<'LUA'
-- stars.lua: a label for a rating
udf.scalar{
  name = "stars_label",
  params = { "INT stars" },
  returns = "STRING",
  description = "one * per star, or 'none'",
  fn = function(stars)
    if stars <= 0 then return "none" end
    return string.rep("*", stars)
  end,
}
LUA
cat > stmts.sql <<'SQL'
CREATE STREAM RATINGS (RATING_ID BIGINT KEY, STARS INT, MESSAGE STRING)
  WITH (KAFKA_TOPIC='ratings', VALUE_FORMAT='JSON');
CREATE STREAM LABELLED AS
  SELECT RATING_ID, STARS_LABEL(STARS) AS LABEL, CLUB_RANK(MESSAGE) AS R FROM RATINGS;
SQL
cat > input.json <<'JSON'
{"inputs": [
  {"topic": "ratings", "key": 1, "value": {"STARS": 3, "MESSAGE": " Gold"}},
  {"topic": "ratings", "key": 2, "value": {"STARS": 0, "MESSAGE": "meh"}},
  {"topic": "ratings", "key": 3, "value": {"STARS": null, "MESSAGE": "platinum"}}
]}
JSON
cat > output.json <<'JSON'
{"outputs": [
  {"topic": "LABELLED", "key": 1, "value": {"LABEL": "***", "R": 3}},
  {"topic": "LABELLED", "key": 2, "value": {"LABEL": "none", "R": 0}},
  {"topic": "LABELLED", "key": 3, "value": {"LABEL": null, "R": 4}}
]}
JSON

"$EDDY" test -s stmts.sql -i input.json -o output.json --udf-path stars.lua > o1.txt || { cat o1.txt; fail "eddy test --udf-path"; }
grep -q "Test passed" o1.txt
EDDY_UDF_PATH="$dir" "$EDDY" test -s stmts.sql -i input.json -o output.json > o2.txt || fail "eddy test with EDDY_UDF_PATH"
rc=0; "$EDDY" test -s stmts.sql -i input.json -o output.json > o3.txt || rc=$?
[ "$rc" -eq 2 ] && grep -qF "Can't find any functions with the name 'STARS_LABEL'" o3.txt || fail "without the UDF: rc $rc"

# a broken UDF file: reported with file:line, exit 3 (load error)
printf 'udf.scalar{ name = "x", params = {}, returns = "INT",\n  fn = function() return 1 end, retruns = 1 }\n' > bad.lua
rc=0; "$EDDY" test -s stmts.sql -i input.json -o output.json --udf-path stars.lua --udf-path bad.lua > o4.txt 2> e4.txt || rc=$?
[ "$rc" -eq 3 ] || fail "broken UDF file: exit $rc, expected 3"
grep -qF "eddy test: UDF error: bad.lua:1:" e4.txt || { cat e4.txt; fail "broken UDF file: message"; }
grep -qF "retruns" e4.txt || { cat e4.txt; fail "broken UDF file: the unknown field is not named"; }

# DESCRIBE FUNCTION: known names pass, an unknown one fails as in ksqlDB
printf 'DESCRIBE FUNCTION stars_label;\nDESCRIBE FUNCTION SUBSTRING;\nDESCRIBE FUNCTION CLASSIFY_RATING;\n' > d.sql
echo '{"outputs": []}' > none.json
"$EDDY" test -s d.sql -o none.json --udf-path stars.lua > o5.txt || { cat o5.txt; fail "DESCRIBE FUNCTION of known functions"; }
printf 'DESCRIBE FUNCTION NO_SUCH;\n' > d2.sql
rc=0; "$EDDY" test -s d2.sql -o none.json > o6.txt || rc=$?
[ "$rc" -eq 2 ] && grep -qF "Can't find any functions with the name 'NO_SUCH'" o6.txt || fail "DESCRIBE FUNCTION unknown"

# eddy explain SCRIPT.sql prints the listings of DESCRIBE FUNCTION / SHOW FUNCTIONS, then the
# graphs; --dot prints graphs only
{ printf 'DESCRIBE FUNCTION stars_label;\nSHOW FUNCTIONS;\n'; cat stmts.sql; } > ds.sql
"$EDDY" explain ds.sql --udf-path stars.lua > x1.txt || { cat x1.txt; fail "explain with DESCRIBE FUNCTION"; }
printf 'Name        : STARS_LABEL\nType        : scalar\n\n  Variation   : STARS_LABEL(INT stars) -> STRING\n  Type        : scalar\n  Source      : stars.lua\n  Description : one * per star, or '"'"'none'"'"'\n\nFunction Name                Type       #   Source\n' > x1.want
head -n 9 x1.txt | diff x1.want - || fail "explain: DESCRIBE FUNCTION listing"
grep -Eq '^STARS_LABEL +scalar +1 +stars\.lua$' x1.txt || fail "explain: SHOW FUNCTIONS lists the UDF"
grep -Eq '^SUBSTRING +scalar +[0-9]+ +built-in$' x1.txt || fail "explain: SHOW FUNCTIONS lists the built-ins"
grep -q "^Pipeline 'LABELLED'" x1.txt || { cat x1.txt; fail "explain: the graph after the listings"; }
"$EDDY" explain ds.sql --dot --udf-path stars.lua > x2.txt
head -n 1 x2.txt | grep -q '^digraph' || { head -3 x2.txt; fail "explain --dot must print graphs only"; }

# qtt: loaded once, before the runs fork
jq -n --rawfile s stmts.sql --slurpfile i input.json --slurpfile o output.json \
  '{tests: [{name: "udf", statements: ($s | split(";\n") | map(select(test("\\S"))) | map(. + ";")),
             inputs: $i[0].inputs, outputs: $o[0].outputs}]}' > q.json
"$EDDY" qtt q.json --udf-path stars.lua > q1.txt || { cat q1.txt; fail "qtt --udf-path"; }
grep -q "^1 passed, 0 failed, 0 skipped" q1.txt || { cat q1.txt; fail "qtt: the case must pass"; }
"$EDDY" qtt q.json > q2.txt
grep -q "^0 passed, 1 failed" q2.txt || { cat q2.txt; fail "qtt without the UDF must fail the case"; }

for c in run explain qtt test functions; do
  "$EDDY" "$c" --help | grep -q -- "--udf-path" || fail "eddy $c --help does not mention --udf-path"
done
"$EDDY" --help | grep -q "EDDY_UDF_PATH" || fail "eddy --help does not mention EDDY_UDF_PATH"
echo "test_udf_cli: OK"
