#!/usr/bin/env bash
# The seed's SQL (pipelines/ratings.sql, with the shipped Lua UDFs) run by `eddy test` on a
# few ratings and customers. Every expected record below is derived by hand:
# - POOR_RATINGS: stars < 3 and not a test channel: ratings 1 and 3. classify_rating (udf/lua/
#   ratings.lua): rating 1 "worst. flight. ever. #neveragain" has two negative words (tone
#   clamped to -1): 1 - 1 = 0 -> poor; rating 3 has "good" and "mojo" (tone +1): 2 + 1 = 3 ->
#   neutral. Key RATING_ID, time RATING_TIME (the TIMESTAMP column).
# - RATINGS_WITH_CUSTOMER_DATA: each rating with its customer, keyed by the join expression
#   USER_ID; user 3 has no customer, so FIRST_NAME IS NOT NULL drops it. club_rank: platinum 4,
#   gold 3.
# - RATINGS_BY_CLUB_STATUS_1MIN: the enriched ratings counted per club status per minute:
#   60000 platinum and 61000 gold in [60000, 120000), 125000 platinum in [120000, 180000).
set -euo pipefail
: "${EDDY:?}" "${EDDY_SOURCE_DIR:?}"
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

cat > "$dir/input.json" <<'JSON'
{"inputs": [
  {"topic": "customers", "key": 1, "timestamp": 0, "value": {"FIRST_NAME": "Rica", "LAST_NAME": "Blaisdell", "EMAIL": "rblaisdell0@rambler.ru", "GENDER": "Female", "CLUB_STATUS": "platinum", "COMMENTS": "Universal optimal hierarchy"}},
  {"topic": "customers", "key": 2, "timestamp": 0, "value": {"FIRST_NAME": "Ruthie", "LAST_NAME": "Brockherst", "EMAIL": "rbrockherst1@ow.ly", "GENDER": "Female", "CLUB_STATUS": "gold", "COMMENTS": "Reverse-engineered tangible interface"}},
  {"topic": "ratings", "key": 1, "value": {"USER_ID": 1, "STARS": 1, "ROUTE_ID": 10, "RATING_TIME": 60000, "CHANNEL": "web", "MESSAGE": "worst. flight. ever. #neveragain"}},
  {"topic": "ratings", "key": 2, "value": {"USER_ID": 2, "STARS": 5, "ROUTE_ID": 11, "RATING_TIME": 61000, "CHANNEL": "iOS", "MESSAGE": "your team here rocks!"}},
  {"topic": "ratings", "key": 3, "value": {"USER_ID": 3, "STARS": 2, "ROUTE_ID": 12, "RATING_TIME": 62000, "CHANNEL": "android", "MESSAGE": "Surprisingly good, maybe you are getting your mojo back at long last!"}},
  {"topic": "ratings", "key": 4, "value": {"USER_ID": 1, "STARS": 1, "ROUTE_ID": 13, "RATING_TIME": 125000, "CHANNEL": "iOS-test", "MESSAGE": "meh"}}
]}
JSON
cat > "$dir/output.json" <<'JSON'
{"outputs": [
  {"topic": "POOR_RATINGS", "key": 1, "timestamp": 60000, "value": {"USER_ID": 1, "STARS": 1, "CHANNEL": "web", "MESSAGE": "worst. flight. ever. #neveragain", "VERDICT": "poor"}},
  {"topic": "POOR_RATINGS", "key": 3, "timestamp": 62000, "value": {"USER_ID": 3, "STARS": 2, "CHANNEL": "android", "MESSAGE": "Surprisingly good, maybe you are getting your mojo back at long last!", "VERDICT": "neutral"}},
  {"topic": "RATINGS_WITH_CUSTOMER_DATA", "key": 1, "timestamp": 60000, "value": {"RATING_ID": 1, "STARS": 1, "CHANNEL": "web", "MESSAGE": "worst. flight. ever. #neveragain", "FULL_NAME": "Rica Blaisdell", "FIRST_NAME": "Rica", "LAST_NAME": "Blaisdell", "CLUB_STATUS": "platinum", "CLUB_RANK": 4, "EMAIL": "rblaisdell0@rambler.ru"}},
  {"topic": "RATINGS_WITH_CUSTOMER_DATA", "key": 2, "timestamp": 61000, "value": {"RATING_ID": 2, "STARS": 5, "CHANNEL": "iOS", "MESSAGE": "your team here rocks!", "FULL_NAME": "Ruthie Brockherst", "FIRST_NAME": "Ruthie", "LAST_NAME": "Brockherst", "CLUB_STATUS": "gold", "CLUB_RANK": 3, "EMAIL": "rbrockherst1@ow.ly"}},
  {"topic": "RATINGS_WITH_CUSTOMER_DATA", "key": 1, "timestamp": 125000, "value": {"RATING_ID": 4, "STARS": 1, "CHANNEL": "iOS-test", "MESSAGE": "meh", "FULL_NAME": "Rica Blaisdell", "FIRST_NAME": "Rica", "LAST_NAME": "Blaisdell", "CLUB_STATUS": "platinum", "CLUB_RANK": 4, "EMAIL": "rblaisdell0@rambler.ru"}},
  {"topic": "RATINGS_BY_CLUB_STATUS_1MIN", "key": "platinum", "timestamp": 60000, "window": {"start": 60000, "end": 120000, "type": "time"}, "value": {"RATING_COUNT": 1}},
  {"topic": "RATINGS_BY_CLUB_STATUS_1MIN", "key": "gold", "timestamp": 61000, "window": {"start": 60000, "end": 120000, "type": "time"}, "value": {"RATING_COUNT": 1}},
  {"topic": "RATINGS_BY_CLUB_STATUS_1MIN", "key": "platinum", "timestamp": 125000, "window": {"start": 120000, "end": 180000, "type": "time"}, "value": {"RATING_COUNT": 1}}
]}
JSON
timeout 60 "$EDDY" test -s "$EDDY_SOURCE_DIR/pipelines/ratings.sql" -i "$dir/input.json" -o "$dir/output.json"
echo ok
