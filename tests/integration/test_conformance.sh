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

# Until main.c dispatches `qtt`, there is nothing to run (only that exact error is tolerated).
set +e
"$EDDY" qtt --help >"$dir/help" 2>&1
rc=$?
set -e
if [ $rc -ne 0 ] && grep -q "unknown command 'qtt'" "$dir/help"; then
  echo "eddy has no qtt command yet (core/cli/main.c does not dispatch it): nothing to check"
  exit 0
fi
[ $rc -eq 0 ] || { echo "eddy qtt --help exited $rc"; cat "$dir/help"; exit 1; }

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
