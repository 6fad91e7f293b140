#!/usr/bin/env bash
# Scale-out and crash recovery on a real Kafka protocol peer (`eddy broker`, librdkafka's mock
# cluster on loopback): pipelines/ratings.sql run by instances sharing one application id.
# 1. Instance A starts alone and takes all 8 partitions of each query's inputs.
# 2. B starts with the same application id: the groups rebalance and the partitions are split
#    (each instance reports a non-empty share); then C joins and they are split three ways.
# 3. While ratings keep arriving (datagen --rate), B is killed with SIGKILL: A and C take its
#    partitions over, restore the windowed counts from the changelogs and go on.
# 4. When the input is done, the outputs are checked against a reference computed
#    independently from the input (kafka_ref.py): every rating enriched, every per-minute
#    count by club status at least right (nothing lost); the duplicates at-least-once allows
#    (work done after an instance's last commit, replayed by the next owner) are counted.
# 5. Restart: A alone, with the same id, resumes from the committed offsets and restored
#    state; more ratings are added and the outputs still match the reference for all input.
set -euo pipefail
: "${EDDY:?}" "${EDDY_SOURCE_DIR:?}"
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
  for f in *.err; do echo "--- $f"; tail -40 "$f"; done
  exit 1
}
wait_for() { # seconds cmd...
  local t=$1; shift
  for _ in $(seq 1 $((t * 10))); do if "$@"; then return 0; fi; sleep 0.1; done
  return 1
}

"$EDDY" broker --topic ratings:8 --topic customers:8 > broker.out 2> broker.err &
pids+=($!)
wait_for 10 test -s broker.out || fail "the broker did not start"
BS=$(head -1 broker.out)
# Group rejoins on the mock take about session.timeout.ms; keep it short (see docs/kafka.md).
# lz4: the mock keeps about 5 MiB per partition, and the enriched ratings, keyed by 20 user
# ids, fill a few of the 8 partitions with 4 times their share.
KOPTS=(--bootstrap-server "$BS" --app-id demo --set session.timeout.ms=6000
       --set heartbeat.interval.ms=500 --set commit.interval.ms=100
       --set metrics.interval.ms=500 --set producer.compression.type=lz4)

"$EDDY" datagen customers --count 20 --topic customers --bootstrap-server "$BS"
"$EDDY" datagen customers --count 20 > customers.jsonl
START=1700000000000

run() { # name: starts an instance
  "$EDDY" run "$EDDY_SOURCE_DIR/pipelines/ratings.sql" "${KOPTS[@]}" \
    --processing-log "$1.plog" 2> "$1.err" &
  pids+=($!)
  eval "pid_$1=$!"
}
# The partitions an instance holds now, per query: its last assignment line of each worker.
share() { grep -o 'assigned .*' "$1.err" | tail -n 4; }
assigned_count() { grep -c 'assigned ratings\[\|assigned customers\[\|assigned RATINGS_WITH' "$1.err" || true; }
has_split() { # name expected-partitions-per-query
  # the last assignment of the enrichment query (2 inputs + its repartition topic)
  local last
  last=$(grep 'assigned .*customers\[' "$1.err" | tail -1 || true)
  [ -n "$last" ] && [ "$(grep -o 'ratings\[' <<< "$last" | wc -l)" -eq "$2" ]
}

run A
wait_for 30 has_split A 8 || fail "A alone did not take the 8 partitions"
# The table first: a rating joined before its customer's row has arrived finds none (as in
# ksqlDB), so the ratings start once A's join has read the 20 customers.
wait_for 30 grep -q 'demo-CSAS_RATINGS_WITH_CUSTOMER_DATA_1: 8 task(s), in 20 ' A.err ||
  fail "A's join did not read the customers"
"$EDDY" datagen ratings --count 60000 --rate 2000 --start-time $START --seed 7 \
  --topic ratings --bootstrap-server "$BS" &
gen=$!
pids+=($gen)
run B
wait_for 40 bash -c "grep 'assigned .*customers\[' B.err | grep -q ratings" \
  || fail "B got no partitions after joining"
wait_for 20 has_split A 4 || fail "A did not give half of its partitions to B"
has_split B 4 || fail "B does not hold the other half"
echo "A and B split the partitions: $(grep 'assigned .*customers\[' A.err | tail -1)"
run C
wait_for 40 bash -c "grep 'assigned .*customers\[' C.err | grep -q ratings" \
  || fail "C got no partitions after joining"
echo "C joined: $(grep 'assigned .*customers\[' C.err | tail -1)"

# Crash B in the middle of the input.
kill -0 "$gen" 2>/dev/null || fail "the generator finished before the crash: raise --count"
kill -KILL "$pid_B"
echo "killed B (SIGKILL)"
wait "$gen" || fail "datagen failed"
# A and C take B's partitions (after the session timeout) and catch up.
wait_for 40 bash -c "grep -c 'assigned .*customers\[' A.err | grep -qv '^[012]$'" \
  || fail "A did not get a new assignment after B died"
sleep 12
kill -TERM "$pid_A" "$pid_C"
wait "$pid_A" || fail "A did not stop cleanly"
wait "$pid_C" || fail "C did not stop cleanly"
grep -q 'restored' A.err C.err || fail "no state was restored from a changelog"

consume() { "$EDDY" consume "$1" --bootstrap-server "$BS" --idle-timeout 2000 --key-type hex; }
# The input as the topic holds it (with --rate, rating_time follows the clock).
consume ratings > ratings1.jsonl
[ "$(wc -l < ratings1.jsonl)" -eq 60000 ] || fail "the ratings topic does not hold the 60,000 ratings"
consume RATINGS_WITH_CUSTOMER_DATA > enriched.jsonl
consume RATINGS_BY_CLUB_STATUS_1MIN > windows.jsonl
# At-least-once: what an instance processed after its last successful commit is processed
# again by the partition's next owner. The mock cluster refuses commits while a group
# rebalances (Kafka accepts them from the current generation), so each of the three
# rebalances here may replay up to a commit interval of a catching-up instance's work: the
# duplicates are counted and printed; the bound only catches a replay loop (each input
# record replayed more than once on average).
python3 "$EDDY_SOURCE_DIR/tests/integration/kafka_ref.py" customers.jsonl ratings1.jsonl \
  enriched.jsonl windows.jsonl 60000 || fail "outputs differ from the reference after the crash"

# Restart: A alone resumes; 5,000 more ratings (later times) are processed with the state.
"$EDDY" datagen ratings --count 5000 --start-time $((START + 3600000)) --seed 8 \
  --topic ratings --bootstrap-server "$BS"
"$EDDY" datagen ratings --count 5000 --start-time $((START + 3600000)) --seed 8 > ratings2.jsonl
: > A.err
run A
wait_for 30 bash -c "grep -q 'assigned .*customers\[' A.err" || fail "A did not restart"
sleep 8
kill -TERM "$pid_A"
wait "$pid_A" || fail "A did not stop cleanly after the restart"
consume RATINGS_WITH_CUSTOMER_DATA > enriched.jsonl
consume RATINGS_BY_CLUB_STATUS_1MIN > windows.jsonl
cat ratings1.jsonl ratings2.jsonl > ratings.jsonl
python3 "$EDDY_SOURCE_DIR/tests/integration/kafka_ref.py" customers.jsonl ratings.jsonl \
  enriched.jsonl windows.jsonl 60000 || fail "outputs differ from the reference after the restart"
echo "PASS"
