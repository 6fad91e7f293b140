#!/usr/bin/env bash
# Records through real topics (`eddy broker`: librdkafka's mock cluster, the Kafka protocol on
# loopback), written by kcat and `eddy datagen`, read back by kcat and `eddy consume`:
# 1. Formats: ratings (KAFKA BIGINT keys, JSON values, timestamps = rating_time) become
#    DELIMITED values with JSON keys, then JSON again, and a KAFKA INT value; every record's
#    key, value and timestamp is checked against the input, field by field.
# 2. Headers written by kcat come out of a query unchanged, and a plain pipeline file
#    (topic_source -> filter -> topic_sink) keeps keys, timestamps and headers.
# 3. Bad records (malformed JSON, a string for an INT) land in the processing log with their
#    topic, partition and offset, and the good records around them come through.
# 4. An unreachable broker: a clear message, retried, and a clean stop on SIGTERM.
# 5. The embedded broker: `eddy run` without bootstrap.servers runs on an in-process one;
#    its Prometheus endpoint (--metrics-port) counts the records and tasks.
# 7. num.stream.threads=2 splits the partitions between two workers of one instance; a
#    processing log written to a topic (--processing-log kafka:TOPIC).
# 8. A GROUP BY over a table on another column than its key (customers by club status, 4
#    partitions): every customer counted once, in its current group.
# 9. A stream-stream join's window survives a restart: the left records are consumed (and
#    committed) by a first run, the right ones arrive after it stopped, and the second run
#    joins them with the left records restored from the changelog.
# 6. processing.guarantee=exactly_once_v2: the transactional protocol sequence runs against
#    the mock cluster (which accepts transactions without enforcing them, so this checks the
#    sequence and the results, not the guarantee) and a GROUP BY's counts come out right.
set -euo pipefail
: "${EDDY:?}" "${EDDY_SOURCE_DIR:?}"
command -v kcat > /dev/null || { echo "FAIL: kcat is missing (scripts/setup installs it)"; exit 1; }
dir=$(mktemp -d)
cd "$dir"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null || true; done
  rm -rf "$dir"
}
trap cleanup EXIT
fail() {
  echo "FAIL: $*"
  for f in *.err; do [ -f "$f" ] && { echo "--- $f"; tail -30 "$f"; }; done
  exit 1
}
wait_for() { # seconds cmd...
  local t=$1; shift
  for _ in $(seq 1 $((t * 10))); do if "$@"; then return 0; fi; sleep 0.1; done
  return 1
}

"$EDDY" broker --topic ratings:4 --topic hdr:2 --topic bad:1 --topic ssl:2 --topic ssr:2 \
  > broker.out 2> broker.err &
pids+=($!)
wait_for 10 test -s broker.out || fail "the broker did not start"
BS=$(head -1 broker.out)
KOPTS=(--bootstrap-server "$BS" --set session.timeout.ms=6000 --commit-interval 200)
consume() { "$EDDY" consume "$1" --bootstrap-server "$BS" --idle-timeout 1500 "${@:2}"; }
# runs SQL/pipeline $1 until topic $2 holds $3 records (30 s at most), then stops it
run_until() {
  local file=$1 topic=$2 n=$3 name=$4
  "$EDDY" run "$file" "${KOPTS[@]}" --processing-log "$name.plog" "${@:5}" 2> "$name.err" &
  local pid=$!
  pids+=($pid)
  for _ in $(seq 1 300); do
    [ "$(consume "$topic" --idle-timeout 300 2>/dev/null | wc -l)" -ge "$n" ] && break
    sleep 0.1
  done
  kill -TERM "$pid"
  wait "$pid" || fail "$name did not stop cleanly"
}

# ------------------------------------------------------------------ 1. formats
"$EDDY" datagen ratings --count 500 --seed 3 --start-time 1700000000000 --topic ratings \
  --bootstrap-server "$BS"
"$EDDY" datagen ratings --count 500 --seed 3 --start-time 1700000000000 > ratings.jsonl
cat > formats.sql <<'SQL'
CREATE STREAM RATINGS (RATING_ID BIGINT KEY, USER_ID INT, STARS INT, ROUTE_ID INT,
                       RATING_TIME BIGINT, CHANNEL STRING, MESSAGE STRING)
  WITH (KAFKA_TOPIC='ratings', VALUE_FORMAT='JSON', TIMESTAMP='RATING_TIME');
CREATE STREAM R_DELIMITED WITH (KAFKA_TOPIC='r_delimited', KEY_FORMAT='JSON',
                                VALUE_FORMAT='DELIMITED') AS
  SELECT RATING_ID, USER_ID, STARS, CHANNEL FROM RATINGS;
CREATE STREAM R_JSON WITH (KAFKA_TOPIC='r_json', KEY_FORMAT='KAFKA', VALUE_FORMAT='JSON') AS
  SELECT * FROM R_DELIMITED;
CREATE STREAM R_KAFKA WITH (KAFKA_TOPIC='r_kafka', VALUE_FORMAT='KAFKA') AS
  SELECT RATING_ID, STARS FROM RATINGS;
SQL
run_until formats.sql r_json 500 formats
consume r_delimited --key-type string > delimited.jsonl
consume r_json --key-type bigint > json.jsonl
consume r_kafka --key-type bigint > kafka.jsonl
python3 - <<'PY' || fail "format round trip"
import json
src = {}
for line in open("ratings.jsonl"):
    r = json.loads(line)
    src[r["rating_id"]] = r
def check(path, key_of, value_of, what):
    got = [json.loads(l) for l in open(path)]
    assert len(got) == len(src), "%s: %d records, expected %d" % (what, len(got), len(src))
    for m in got:
        rid = key_of(m["key"])
        r = src[rid]
        assert m["timestamp"] == r["rating_time"], (what, m)
        exp = value_of(r)
        assert m["value"] == exp, "%s: %r, expected %r" % (what, m["value"], exp)
check("delimited.jsonl", lambda k: int(k), lambda r: "%d,%d,%s" % (r["user_id"], r["stars"], r["channel"]), "DELIMITED")
check("json.jsonl", lambda k: k, lambda r: json.dumps({"USER_ID": r["user_id"], "STARS": r["stars"], "CHANNEL": r["channel"]}, separators=(",", ":")), "JSON")
# KAFKA INT value: 4 bytes big-endian; eddy consume prints it as text, so compare the bytes
for m in (json.loads(l) for l in open("kafka.jsonl")):
    stars = src[m["key"]]["stars"]
    assert m["value"] == "\u0000\u0000\u0000" + chr(stars), ("KAFKA", m)
print("formats: 3 x %d records checked" % len(src))
PY

# ------------------------------------------------------------------ 2. headers, pipeline file
printf 'k1:{"A":1,"B":"x"}\nk2:{"A":2,"B":"y"}\nk3:{"A":3,"B":"z"}\n' |
  kcat -P -b "$BS" -t hdr -K: -H trace=abc -H origin=app
cat > headers.sql <<'SQL'
CREATE STREAM H (K STRING KEY, A INT, B STRING) WITH (KAFKA_TOPIC='hdr', KEY_FORMAT='KAFKA',
                                                   VALUE_FORMAT='JSON');
CREATE STREAM H2 WITH (KAFKA_TOPIC='hdr_out') AS SELECT K, A * 10 AS A10 FROM H WHERE A > 1;
SQL
run_until headers.sql hdr_out 2 headers
kcat -C -b "$BS" -t hdr_out -e -q -f '%k|%h|%s\n' | sort > hdr_out.txt
printf '%s\n' 'k2|trace=abc,origin=app|{"A10":20}' 'k3|trace=abc,origin=app|{"A10":30}' > expected.txt
diff expected.txt hdr_out.txt || fail "headers or values differ after a query"
cat > pipe.json <<'JSON'
{"nodes": [
  {"id": "in", "op": "topic_source", "config": {"topic": "hdr", "columns": "K STRING KEY, A INT, B STRING"}},
  {"id": "f", "op": "filter", "inputs": ["in"], "config": {"where": "B <> 'y'"}},
  {"id": "out", "op": "topic_sink", "inputs": ["f"], "config": {"topic": "pipe_out"}}
]}
JSON
run_until pipe.json pipe_out 2 pipe
kcat -C -b "$BS" -t pipe_out -e -q -f '%k|%h|%s\n' | sort > pipe_out.txt
printf '%s\n' 'k1|trace=abc,origin=app|{"A":1,"B":"x"}' 'k3|trace=abc,origin=app|{"A":3,"B":"z"}' > expected.txt
diff expected.txt pipe_out.txt || fail "a pipeline file changed keys, headers or values"
# timestamps: the source's create time carried to the output
kcat -C -b "$BS" -t hdr -e -q -f '%k %T\n' | sort > ts_in.txt
kcat -C -b "$BS" -t pipe_out -e -q -f '%k %T\n' | sort > ts_out.txt
[ "$(grep -v '^k2 ' ts_in.txt)" = "$(cat ts_out.txt)" ] || fail "timestamps changed"

# ------------------------------------------------------------------ 3. bad records
printf '%s\n' '{"A":1,"B":"ok1"}' '{"A":2,"B":' '{"A":"three","B":"x"}' '{"A":4,"B":"ok4"}' |
  kcat -P -b "$BS" -t bad -p 0
cat > bad.sql <<'SQL'
CREATE STREAM BAD (A INT, B STRING) WITH (KAFKA_TOPIC='bad', VALUE_FORMAT='JSON');
CREATE STREAM GOOD WITH (KAFKA_TOPIC='good') AS SELECT * FROM BAD;
SQL
run_until bad.sql good 2 bad
[ "$(consume good | wc -l)" -eq 2 ] || fail "the good records around the bad ones"
[ "$(wc -l < bad.plog)" -eq 2 ] || fail "expected 2 processing-log entries, got: $(cat bad.plog)"
python3 - <<'PY' || fail "processing log entries"
import json
e = [json.loads(l) for l in open("bad.plog")]
assert [x["source"]["offset"] for x in e] == [1, 2], e
assert all(x["source"]["name"] == "bad" and x["source"]["partition"] == 0 for x in e), e
assert "A" in e[1]["error"], e[1]
print("processing log: %s / %s" % (e[0]["error"], e[1]["error"]))
PY

# ------------------------------------------------------------------ 4. unreachable broker
t0=$(date +%s)
timeout -k 5 -s TERM --preserve-status 12 "$EDDY" run bad.sql --bootstrap-server 127.0.0.1:1 \
  --set session.timeout.ms=6000 2> down.err && rc=0 || rc=$?
grep -q 'is the broker up' down.err || fail "no clear message for an unreachable broker"
[ "$(grep -c 'retrying' down.err)" -ge 2 ] || fail "an unreachable broker is not retried"
[ "$rc" -ne 137 ] && [ $(($(date +%s) - t0)) -le 15 ] ||
  fail "eddy did not stop on SIGTERM while the broker was down (exit $rc)"

# ------------------------------------------------------------------ 5. embedded broker, metrics
cat > self.sql <<'SQL'
CREATE STREAM S (A INT) WITH (KAFKA_TOPIC='s', VALUE_FORMAT='JSON', PARTITIONS=2);
CREATE STREAM T AS SELECT A FROM S WHERE A > 1;
SQL
"$EDDY" run self.sql --metrics-port 0 --set session.timeout.ms=6000 2> self.err &
self=$!
pids+=($self)
wait_for 20 grep -q "assigned s\[0\], s\[1\]" self.err || fail "the embedded broker's topic was not consumed"
ebs=$(sed -n 's/.*running on an embedded broker at \([0-9.:]*\) .*/\1/p' self.err)
url=$(grep -o 'http://127.0.0.1:[0-9]*/metrics' self.err)
[ -n "$ebs" ] && [ -n "$url" ] || fail "no embedded broker address or metrics URL logged"
printf '{"A":1}\n{"A":2}\n{"A":3}\n' | kcat -P -b "$ebs" -t s
metrics() { python3 -c 'import sys, urllib.request; print(urllib.request.urlopen(sys.argv[1]).read().decode())' "$url"; }
wait_for 20 bash -c "$(declare -f metrics); url=$url; metrics | grep -q '^eddy_records_in_total{application=\"eddy-self-CSAS_T_0\"} 3\$'" ||
  fail "the metrics endpoint does not count the 3 records: $(metrics | grep -v '^#')"
metrics > metrics.txt
grep -q '^eddy_node_records_out_total{application="eddy-self-CSAS_T_0",node="where"} 2$' metrics.txt ||
  fail "node counts missing from the metrics: $(grep node_records_out metrics.txt)"
grep -q '^eddy_tasks{application="eddy-self-CSAS_T_0"} 2$' metrics.txt || fail "tasks gauge"
[ "$(sed -n 's/^eddy_task_records_in_total{application="eddy-self-CSAS_T_0",task="[01]"} //p' metrics.txt |
     paste -sd+ | bc)" = 3 ] || fail "per-task counts do not add up to 3: $(grep task_records_in metrics.txt)"
kill -TERM "$self"
wait "$self" || fail "eddy run on the embedded broker did not stop cleanly"

# ------------------------------------------------------------------ 6. exactly-once
cat > eos.sql <<'SQL'
CREATE STREAM RATINGS (RATING_ID BIGINT KEY, USER_ID INT, STARS INT, ROUTE_ID INT,
                       RATING_TIME BIGINT, CHANNEL STRING, MESSAGE STRING)
  WITH (KAFKA_TOPIC='ratings', VALUE_FORMAT='JSON');
CREATE TABLE BY_CHANNEL AS SELECT CHANNEL, COUNT(*) AS N FROM RATINGS GROUP BY CHANNEL;
SQL
run_until eos.sql BY_CHANNEL 500 eos --set processing.guarantee=exactly_once_v2
grep -q 'exactly-once' eos.err || fail "the exactly-once run did not say so"
! grep -qi 'transaction' eos.err || fail "a transaction failed: $(grep -i transaction eos.err)"
consume BY_CHANNEL > by_channel.jsonl
python3 - <<'PY' || fail "exactly-once counts"
import collections, json
ref = collections.Counter(json.loads(l)["channel"] for l in open("ratings.jsonl"))
last = {}
for m in map(json.loads, open("by_channel.jsonl")):
    last[m["key"]] = json.loads(m["value"])["N"]
assert last == dict(ref), (last, ref)
print("exactly-once: counts per channel %s" % dict(sorted(last.items())))
PY
# ------------------------------------------------------------------ 7. threads, log topic
cat > threads.sql <<'SQL'
CREATE STREAM RATINGS (RATING_ID BIGINT KEY, USER_ID INT, STARS INT, ROUTE_ID INT,
                       RATING_TIME BIGINT, CHANNEL STRING, MESSAGE STRING)
  WITH (KAFKA_TOPIC='ratings', VALUE_FORMAT='JSON');
CREATE STREAM THREADED WITH (KAFKA_TOPIC='threaded') AS SELECT * FROM RATINGS WHERE STARS < 3;
SQL
poor=$(python3 -c 'import json,sys; print(sum(json.loads(l)["stars"] < 3 for l in open("ratings.jsonl")))')
run_until threads.sql threaded "$poor" threads --set num.stream.threads=2
grep -q 'worker 0: assigned ratings\[[0-9]\], ratings\[[0-9]\] (2 task(s))' threads.err &&
  grep -q 'worker 1: assigned ratings\[[0-9]\], ratings\[[0-9]\] (2 task(s))' threads.err ||
  fail "two worker threads did not split the 4 partitions: $(grep assigned threads.err)"
# The two workers' consumers join the group one after the other: the first may process
# records the second is then assigned (the mock refuses the commit during that rebalance),
# so duplicates are allowed here (at-least-once), but every poor rating must be there.
consume threaded --key-type bigint > threaded.jsonl
python3 - "$poor" <<'PY' || fail "two threads: wrong output"
import json, sys
got = [json.loads(l)["key"] for l in open("threaded.jsonl")]
want = {json.loads(l)["rating_id"] for l in open("ratings.jsonl") if json.loads(l)["stars"] < 3}
assert set(got) == want and len(want) == int(sys.argv[1]), (len(set(got)), len(want))
print("two threads: %d poor ratings, %d duplicates" % (len(want), len(got) - len(want)))
PY
cat > bad2.sql <<'SQL'
CREATE STREAM BAD (A INT, B STRING) WITH (KAFKA_TOPIC='bad', VALUE_FORMAT='JSON');
CREATE STREAM GOOD2 WITH (KAFKA_TOPIC='good2') AS SELECT * FROM BAD;
SQL
run_until bad2.sql good2 2 bad2 --processing-log kafka:bad_log
consume bad_log > bad_log.jsonl
python3 - <<'PY' || fail "processing log topic"
import json
e = [json.loads(json.loads(l)["value"]) for l in open("bad_log.jsonl")]
assert [x["source"]["offset"] for x in e] == [1, 2], e
print("processing log topic: %d entries" % len(e))
PY
# ------------------------------------------------------------------ 8. table GROUP BY
"$EDDY" datagen customers --count 200 --topic customers --partitions 4 --bootstrap-server "$BS"
"$EDDY" datagen customers --count 200 > customers.jsonl
cat > by_status.sql <<'SQL'
CREATE TABLE CUSTOMERS (ID INT PRIMARY KEY, FIRST_NAME STRING, LAST_NAME STRING, EMAIL STRING,
                        GENDER STRING, CLUB_STATUS STRING, COMMENTS STRING)
  WITH (KAFKA_TOPIC='customers', VALUE_FORMAT='JSON');
CREATE TABLE BY_STATUS AS SELECT CLUB_STATUS, COUNT(*) AS N FROM CUSTOMERS GROUP BY CLUB_STATUS;
SQL
"$EDDY" run by_status.sql "${KOPTS[@]}" --metrics-port 0 2> by_status.err &
bst=$!
pids+=($bst)
wait_for 30 bash -c "[ \$(\"$EDDY\" consume BY_STATUS --bootstrap-server $BS --idle-timeout 300 | wc -l) -ge 200 ]" ||
  fail "the table GROUP BY did not produce its 200 updates"
sleep 1 # a commit: the stores report their sizes at flush
url=$(grep -o 'http://127.0.0.1:[0-9]*/metrics' by_status.err)
# the per-task metrics: the 4 groups and the 200 customers' rows, in the task that holds them
entries=$(python3 -c 'import sys, urllib.request; print(urllib.request.urlopen(sys.argv[1]).read().decode())' "$url" |
  sed -n 's/^eddy_task_store_entries{application="eddy-by_status-CTAS_BY_STATUS_0",task="[0-9]*"} //p' |
  paste -sd+ | bc)
[ "$entries" = 204 ] || fail "state store entries: $entries, expected 4 groups + 200 rows"
kill -TERM "$bst"
wait "$bst" || fail "the table GROUP BY run did not stop cleanly"
consume BY_STATUS > by_status.jsonl
python3 - <<'PY' || fail "table GROUP BY counts"
import collections, json
ref = collections.Counter(json.loads(l)["club_status"] for l in open("customers.jsonl"))
last = {}
for m in map(json.loads, open("by_status.jsonl")):
    last[m["key"]] = json.loads(m["value"])["N"]
assert last == dict(ref), (last, ref)
print("table GROUP BY: %s" % dict(sorted(last.items())))
PY
# ------------------------------------------------------------------ 9. join window restored
cat > ss.sql <<'SQL'
CREATE STREAM L (ID STRING KEY, X INT) WITH (KAFKA_TOPIC='ssl', VALUE_FORMAT='JSON');
CREATE STREAM R (ID STRING KEY, Y INT) WITH (KAFKA_TOPIC='ssr', VALUE_FORMAT='JSON');
CREATE STREAM J WITH (KAFKA_TOPIC='ssj') AS
  SELECT L.ID AS ID, L.X AS X, R.Y AS Y FROM L JOIN R WITHIN 1 HOURS ON L.ID = R.ID;
SQL
printf 'a:{"X":1}\nb:{"X":2}\n' | kcat -P -b "$BS" -t ssl -K:
"$EDDY" run ss.sql "${KOPTS[@]}" --app-id ss --set metrics.interval.ms=200 2> ss1.err &
ss=$!
pids+=($ss)
wait_for 30 grep -q 'ss-CSAS_J_0: 2 task(s), in 2 ' ss1.err || fail "the first run did not read the left records"
sleep 1
kill -TERM "$ss"
wait "$ss" || fail "the first join run did not stop cleanly"
printf 'a:{"Y":10}\nb:{"Y":20}\nc:{"Y":30}\n' | kcat -P -b "$BS" -t ssr -K:
run_until ss.sql ssj 2 ss2 --app-id ss
grep -q 'restored 2 change(s) from ss-CSAS_J_0-join-window0-changelog\|restored 1 change(s) from ss-CSAS_J_0-join-window0-changelog' ss2.err ||
  fail "the left window was not restored: $(grep restored ss2.err)"
kcat -C -b "$BS" -t ssj -e -q -f '%k|%s\n' | sort > ssj.txt
printf '%s\n' 'a|{"X":1,"Y":10}' 'b|{"X":2,"Y":20}' > expected.txt
diff expected.txt ssj.txt || fail "the restored join window did not join"
echo "PASS"
