#!/usr/bin/env bash
# test_datagen.sh: `eddy datagen` end to end: determinism, counts, record shapes and ranges
# (jq), CSV (python3's csv module), pacing, signals, closed pipes and exit codes.
set -euo pipefail

EDDY=${EDDY:?set EDDY to the eddy binary}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
T0=1519304105213 # a fixed --start-time makes ratings fully reproducible

fail() { echo "FAIL: $*" >&2; exit 1; }
ok() { echo "ok: $*"; }
dg() { "$EDDY" datagen "$@"; }
now_ns() { date +%s%N; }

# --- help ------------------------------------------------------------------------------
dg --help > "$TMP/help"
for opt in --count --rate --seed --output --start-time --users --format --header \
           rating_id user_id stars route_id rating_time channel message \
           first_name last_name email gender club_status comments; do
    grep -q -- "$opt" "$TMP/help" || fail "--help does not mention $opt"
done
ok "--help documents every option and field"

# --- determinism -----------------------------------------------------------------------
sum() { sha256sum | cut -d' ' -f1; }
a=$(dg ratings --count 5000 --seed 7 --start-time $T0 | sum)
b=$(dg ratings --count 5000 --seed 7 --start-time $T0 | sum)
c=$(dg ratings --count 5000 --seed 8 --start-time $T0 | sum)
[[ $a == "$b" ]] || fail "same seed, different ratings"
[[ $a != "$c" ]] || fail "different seeds, same ratings"
d=$(dg ratings --count 5000 --start-time $T0 | sum)
e=$(dg ratings --count 5000 --seed 42 --start-time $T0 | sum)
[[ $d == "$e" ]] || fail "the default seed is not 42"
a=$(dg customers --count 500 --seed 7 | sum)
b=$(dg customers --count 500 --seed 7 | sum)
c=$(dg customers --count 500 --seed 8 | sum)
[[ $a == "$b" && $a != "$c" ]] || fail "customers are not determined by the seed"
a=$(dg ratings --count 300 --format csv --start-time $T0 | sum)
b=$(dg ratings --count 300 --format csv --start-time $T0 | sum)
[[ $a == "$b" ]] || fail "same seed, different CSV"
ok "determinism"

# --- counts ----------------------------------------------------------------------------
for n in 1 999 12345; do
    [[ $(dg ratings --count $n | wc -l) -eq $n ]] || fail "ratings --count $n"
    [[ $(dg customers --count $n | wc -l) -eq $n ]] || fail "customers --count $n"
    [[ $(dg ratings --count=$n --format csv | wc -l) -eq $n ]] || fail "csv --count=$n"
done
[[ $(dg ratings | wc -l) -eq 1000 ]] || fail "ratings default count is not 1000"
[[ $(dg customers | wc -l) -eq 20 ]] || fail "customers default count is not 20"
dg ratings --count 77 --output "$TMP/out.json"
[[ $(wc -l < "$TMP/out.json") -eq 77 ]] || fail "--output FILE"
[[ $(dg ratings --count 77 --output - | wc -l) -eq 77 ]] || fail "--output -"
ok "counts"

# --- ratings: one JSON object per line, 7 fields, types and ranges ----------------------
N=20000
dg ratings --count $N --seed 3 --start-time $T0 > "$TMP/r.json"
# -R + fromjson parses every line on its own: two objects on a line, or half of one, fail.
jq -R -e -n --argjson n $N --argjson t0 $T0 '
  def int: type == "number" and . == floor;
  [inputs | fromjson] as $r
  | ($r | length) == $n
  and ([$r[].rating_id] == [range(1; $n + 1)])
  and ($r[0].rating_time == $t0)
  and all(range(1; $n); $r[.].rating_time >= $r[. - 1].rating_time)
  and ($r[$n - 1].rating_time - $t0 <= 5 * $n)
  and all($r[];
      (keys_unsorted == ["rating_id","user_id","stars","route_id","rating_time","channel",
                         "message"])
      and (.user_id | int and . >= 1 and . <= 20)
      and (.stars | int and . >= 1 and . <= 5)
      and (.route_id | int and . >= 1 and . <= 9999)
      and (.rating_time | int)
      and (.channel | IN("iOS", "iOS-test", "android", "web"))
      and (.message | type == "string" and length > 0))
  and ([$r[].user_id] | unique | length) == 20
  and ([$r[].stars] | unique) == [1,2,3,4,5]
  and ([$r[].channel] | unique | length) == 4
  and ([$r[].message] | unique | length) >= 12
  and any($r[]; .message | contains("\""))
  and any($r[]; .message | contains("\\"))
' < "$TMP/r.json" > /dev/null || fail "ratings shape, types or ranges"
dg ratings --count 2000 --users 3 | jq -e -s 'all(.[]; .user_id >= 1 and .user_id <= 3)
  and ([.[].user_id] | unique) == [1,2,3]' > /dev/null || fail "--users 3"
ok "ratings shape, types and ranges"

# --- customers ---------------------------------------------------------------------------
N=3000
dg customers --count $N --seed 5 > "$TMP/c.json"
jq -R -e -n --argjson n $N '
  [inputs | fromjson] as $c
  | ($c | length) == $n
  and ([$c[].id] | sort) == [range(1; $n + 1)]
  and ([$c[].email] | unique | length) == $n
  and all($c[];
      (keys_unsorted == ["id","first_name","last_name","email","gender","club_status",
                         "comments"])
      and (.id | type == "number" and . == floor)
      and (.first_name, .last_name, .comments | type == "string" and length > 0)
      and (.email | test("^[a-z]+[0-9]+@[a-z.-]+$"))
      and (.gender | IN("Male", "Female"))
      and (.club_status | IN("platinum", "gold", "silver", "bronze")))
  and ([$c[].club_status] | unique | length) == 4
' < "$TMP/c.json" > /dev/null || fail "customers shape, ids or club_status"
# Every user_id of the default ratings joins a default customer.
dg customers | jq -r .id | sort -n > "$TMP/ids"
dg ratings --count 5000 | jq -r .user_id | sort -nu > "$TMP/uids"
[[ -z $(comm -13 "$TMP/ids" "$TMP/uids") ]] || fail "a rating's user_id has no customer"
ok "customers"

# --- CSV -------------------------------------------------------------------------------
dg ratings --count 5000 --seed 9 --start-time $T0 --format csv --header > "$TMP/r.csv"
dg ratings --count 5000 --seed 9 --start-time $T0 > "$TMP/r9.json"
dg customers --count 500 --seed 9 --format csv > "$TMP/c.csv"
dg customers --count 500 --seed 9 > "$TMP/c9.json"
python3 - "$TMP" <<'EOF' || fail "CSV"
import csv, json, sys
d = sys.argv[1]
def check(csv_path, json_path, header):
    with open(csv_path, newline="") as f:
        rows = list(csv.reader(f, strict=True))
    recs = [json.loads(l) for l in open(json_path)]
    cols = list(recs[0].keys())
    if header:
        assert rows[0] == cols, rows[0]
        rows = rows[1:]
    assert len(rows) == len(recs), (len(rows), len(recs))
    for row, rec in zip(rows, recs):
        assert len(row) == 7, row
        assert row == [str(rec[k]) for k in cols], (row, rec)
    # the quoting path was exercised
    assert any('"' in c or ',' in c for r in rows for c in r), "no field needed quoting"
check(f"{d}/r.csv", f"{d}/r9.json", True)
check(f"{d}/c.csv", f"{d}/c9.json", False)
EOF
[[ $(head -c 9 "$TMP/r.csv") == rating_id ]] || fail "--header"
[[ $(dg ratings --count 3 --format csv | grep -c rating_id || true) -eq 0 ]] \
    || fail "CSV has a header without --header"
ok "CSV: line and field counts, same values as JSON, quoting"

# --- pacing ----------------------------------------------------------------------------
t=$(now_ns)
timeout 10 "$EDDY" datagen ratings --count 200 --rate 1000 > "$TMP/paced.json"
ms=$(( ($(now_ns) - t) / 1000000 ))
[[ $(wc -l < "$TMP/paced.json") -eq 200 ]] || fail "--rate --count 200"
(( ms >= 100 && ms <= 1500 )) || fail "200 records at --rate 1000 took $ms ms"
# The other fields do not depend on --rate: only rating_time differs.
cmp <(jq -c 'del(.rating_time)' "$TMP/paced.json") \
    <(dg ratings --count 200 | jq -c 'del(.rating_time)') || fail "--rate changed the records"
# rating_time follows the clock: 10 records at 20/s span ~450 ms.
span=$(timeout 10 "$EDDY" datagen ratings --count 10 --rate 20 --start-time 0 |
       jq -s '.[9].rating_time - .[0].rating_time')
(( span >= 400 && span <= 1500 )) || fail "rating_time with --rate spans $span ms"
ok "pacing (200 records at 1000/s in $ms ms)"

# --- unbounded runs end cleanly on SIGTERM / SIGINT / a closed pipe ----------------------
for sig in TERM INT; do
    "$EDDY" datagen ratings --rate 2000 > "$TMP/unb.json" &
    pid=$!
    sleep 0.5
    kill -$sig $pid
    rc=0; wait $pid || rc=$?
    [[ $rc -eq 0 ]] || fail "SIG$sig: exit $rc"
    n=$(wc -l < "$TMP/unb.json")
    (( n > 100 )) || fail "SIG$sig: only $n records"
    jq -R -e 'fromjson | .rating_id > 0' "$TMP/unb.json" > /dev/null || fail "SIG$sig: partial record"
done
rc=0; n=$(timeout 10 "$EDDY" datagen ratings --count 0 | head -n 5 | wc -l) || rc=$?
[[ $rc -eq 0 && $n -eq 5 ]] || fail "--count 0 | head: rc $rc, $n lines"
# shellcheck disable=SC2016 # expanded by the inner bash
out=$(timeout 10 bash -c '"$0" datagen ratings --count 0 | head -n 1 > /dev/null; echo "${PIPESTATUS[0]}"' "$EDDY")
[[ $out == 0 ]] || fail "closed pipe: exit $out"
ok "unbounded runs stop cleanly"

# --- usage and runtime errors ----------------------------------------------------------
expect() { # expect CODE PATTERN ARGS...: exit CODE, stderr matching PATTERN, nothing on stdout
    local code=$1 pat=$2 rc=0
    shift 2
    "$EDDY" datagen "$@" > "$TMP/o" 2> "$TMP/e" || rc=$?
    [[ $rc -eq $code ]] || fail "datagen $*: exit $rc, expected $code"
    grep -q -- "$pat" "$TMP/e" || fail "datagen $*: stderr '$(cat "$TMP/e")' lacks '$pat'"
    [[ ! -s $TMP/o ]] || fail "datagen $*: wrote to stdout"
}
expect 1 "--bogus" ratings --bogus
expect 1 "--count" ratings --count abc
expect 1 "--count" ratings --count -3
expect 1 "--count" ratings --count
expect 1 "--rate" ratings --rate 0
expect 1 "--rate" ratings --rate fast
expect 1 "--users" ratings --users 0
expect 1 "--format" ratings --format xml
expect 1 "--seed" ratings --seed 18446744073709551616
expect 1 "--start-time" ratings --start-time yesterday
expect 1 "--users" customers --users 5
expect 1 "--header" ratings --header
expect 1 "record kind" --count 5
expect 1 "flights" flights
expect 4 "/nonexistent" ratings --output /nonexistent/dir/out.json
if [[ -w /dev/full ]]; then
    rc=0; "$EDDY" datagen ratings --count 10 > /dev/full 2> "$TMP/e" || rc=$?
    if [[ $rc -ne 4 ]] || ! grep -q "write" "$TMP/e"; then fail "/dev/full: exit $rc"; fi
fi
ok "usage errors exit 1 naming the option, I/O errors exit 4"
echo "PASS test_datagen"
