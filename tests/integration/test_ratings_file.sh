#!/usr/bin/env bash
# The seed pipeline (pipelines/ratings-file.json) over 100,000 generated ratings: each output
# file must hold exactly the records jq selects from the input, independently of eddy.
set -euo pipefail
: "${EDDY:?}" "${EDDY_SOURCE_DIR:?}"
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

"$EDDY" datagen ratings --count 100000 --seed 11 --start-time 1700000000000 --output "$dir/ratings.json"
timeout 120 "$EDDY" run "$EDDY_SOURCE_DIR/pipelines/ratings-file.json" -D data="$dir" --quiet

# The same selections, computed by jq from the input.
jq -c 'select(.channel | ascii_downcase | contains("test") | not) | .rating_id' "$dir/ratings.json" | sort -n > "$dir/want_live"
jq -c 'select(.channel | ascii_downcase | contains("test")) | .rating_id' "$dir/ratings.json" | sort -n > "$dir/want_test"
jq -c 'select((.channel | ascii_downcase | contains("test") | not) and .stars < 3) | .rating_id' "$dir/ratings.json" | sort -n > "$dir/want_poor"

jq -c '.RATING_ID' "$dir/ratings_live.json" | sort -n > "$dir/got_live"
jq -c '.RATING_ID' "$dir/ratings_test.json" | sort -n > "$dir/got_test"
jq -c '.RATING_ID' "$dir/poor_ratings.json" | sort -n > "$dir/got_poor"

for f in live test poor; do
  want=$(wc -l < "$dir/want_$f")
  got=$(wc -l < "$dir/got_$f")
  echo "$f: want $want, got $got"
  [ "$want" -gt 0 ]
  diff -q "$dir/want_$f" "$dir/got_$f"
done
# Live and test partition the input.
[ $(( $(wc -l < "$dir/got_live") + $(wc -l < "$dir/got_test") )) -eq 100000 ]

# Values survive the round trip: the poor ratings' fields equal the input's (names upper-cased).
jq -cS 'select((.channel | ascii_downcase | contains("test") | not) and .stars < 3)
        | with_entries(.key |= ascii_upcase)' "$dir/ratings.json" | sort > "$dir/want_rows"
jq -cS '.' "$dir/poor_ratings.json" | sort > "$dir/got_rows"
diff -q "$dir/want_rows" "$dir/got_rows"
# Nothing went to the processing log.
[ ! -s "$dir/processing.log" ]
echo "ok"
