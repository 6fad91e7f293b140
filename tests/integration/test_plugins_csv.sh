#!/usr/bin/env bash
# DELIMITED in and out: a header line, quoted fields holding commas, quotes and spaces, CRLF
# line ends, empty lines, a last line without newline, bad lines to the processing log; a
# custom delimiter; stdin_source to stdout_sink; CSV -> JSON -> CSV round trip with awk.
set -euo pipefail
: "${EDDY:?}"
dir=$(mktemp -d)
cd "$dir" # relative paths in the pipelines below start from the working directory
trap 'rm -rf "$dir"' EXIT

# ------------------------------------------------------------------ quoting
{
  printf 'ID,NAME,SCORE,NOTE\r\n'
  printf '1,plain,10,simple\r\n'
  printf '2,"with, comma",20,"say ""hi"""\r\n'
  printf '\r\n'
  printf '3,"  spaced  ",30,\r\n'
  printf '\n'
  printf '4,bad,not-a-number,x\n'
  printf '5,"multi word",50,"a,b,c"\n'
  printf '6,last,60,no-newline'
} > "$dir/in.csv"

cat > "$dir/p.json" <<'JSON'
{"nodes": [
  {"id": "src", "op": "file_source",
   "config": {"path": "in.csv", "format": "delimited", "header": true,
              "columns": "ID INT, NAME STRING, SCORE INT, NOTE STRING"}},
  {"id": "json", "op": "file_sink", "inputs": ["src"], "config": {"path": "out.json"}},
  {"id": "csv", "op": "file_sink", "inputs": ["src"], "config": {"path": "out.csv", "format": "DELIMITED"}},
  {"id": "psv", "op": "file_sink", "inputs": ["src"],
   "config": {"path": "out.psv", "format": "DELIMITED", "delimiter": "|"}}
]}
JSON
timeout 60 "$EDDY" run "$dir/p.json" --processing-log "$dir/bad.log" --quiet

cat > "$dir/want.json" <<'JSON'
{"ID":1,"NAME":"plain","SCORE":10,"NOTE":"simple"}
{"ID":2,"NAME":"with, comma","SCORE":20,"NOTE":"say \"hi\""}
{"ID":3,"NAME":"  spaced  ","SCORE":30,"NOTE":null}
{"ID":5,"NAME":"multi word","SCORE":50,"NOTE":"a,b,c"}
{"ID":6,"NAME":"last","SCORE":60,"NOTE":"no-newline"}
JSON
jq -cS . "$dir/want.json" > "$dir/want"
jq -cS . "$dir/out.json" > "$dir/got"
diff "$dir/want" "$dir/got"

# The bad line is line 7 of the file (header and empty lines count), with its raw bytes.
[ "$(wc -l < "$dir/bad.log")" -eq 1 ]
[ "$(jq -r .source.offset "$dir/bad.log")" = 7 ]
[ "$(jq -r .raw "$dir/bad.log" | base64 -d)" = "4,bad,not-a-number,x" ]

# CSV out parses back to the same values: a small RFC 4180 reader in awk.
csv2tsv() { # file delimiter -> one tab-separated line per record, quotes resolved
  awk -v d="$2" '
  { line = $0; out = ""; f = ""; inq = 0; i = 1; n = length(line)
    while (i <= n) {
      c = substr(line, i, 1)
      if (inq) {
        if (c == "\"") { if (substr(line, i + 1, 1) == "\"") { f = f "\""; i++ } else inq = 0 }
        else f = f c
      } else if (c == "\"") inq = 1
      else if (c == d) { out = out f "\t"; f = "" }
      else f = f c
      i++
    }
    print out f }' "$1"
}
jq -r '[.ID, .NAME, .SCORE, (.NOTE // "")] | map(tostring) | join("\t")' "$dir/want.json" > "$dir/want.tsv"
csv2tsv "$dir/out.csv" , > "$dir/got.tsv"
diff "$dir/want.tsv" "$dir/got.tsv"
csv2tsv "$dir/out.psv" '|' > "$dir/got_psv.tsv"
diff "$dir/want.tsv" "$dir/got_psv.tsv"
# A field with the delimiter, a quote or leading spaces is quoted; a plain one is not.
grep -q '^2,"with, comma",20,"say ""hi"""$' "$dir/out.csv"
grep -q '^1,plain,10,simple$' "$dir/out.csv"
grep -q '^2|with, comma|20|"say ""hi"""$' "$dir/out.psv"
echo "quoting: ok"

# ------------------------------------------------------------------ stdin -> stdout, round trip
awk 'BEGIN { for (i = 1; i <= 5000; i++) printf "%d\tname %d\t%d\t\"q%d\"\n", i, i, i * 3 % 101, i }' \
  > "$dir/big.tsv"
cat > "$dir/pipe.json" <<'JSON'
{"nodes": [
  {"id": "in", "op": "stdin_source",
   "config": {"format": "DELIMITED", "delimiter": "TAB", "batch_size": 333,
              "columns": "ID BIGINT, NAME STRING, N INT, Q STRING"}},
  {"id": "keep", "op": "filter", "inputs": ["in"], "config": {"where": "N % 2 = 0"}},
  {"id": "out", "op": "stdout_sink", "inputs": ["keep"], "config": {"format": "DELIMITED"}}
]}
JSON
timeout 60 "$EDDY" run "$dir/pipe.json" --quiet < "$dir/big.tsv" > "$dir/big_out.csv"
awk -F'\t' '$3 % 2 == 0 { q = $4; gsub(/"/, "", q); print $1 "\t" $2 "\t" $3 "\t" q }' "$dir/big.tsv" \
  > "$dir/want_big"
csv2tsv "$dir/big_out.csv" , > "$dir/got_big"
[ "$(wc -l < "$dir/want_big")" -gt 2000 ]
diff "$dir/want_big" "$dir/got_big"

# stdin through a pipe that stays open a while: records come out as the data arrives.
{ head -n 100 "$dir/big.tsv"; sleep 1; tail -n +101 "$dir/big.tsv"; } \
  | timeout 60 "$EDDY" run "$dir/pipe.json" --quiet > "$dir/big_out2.csv"
csv2tsv "$dir/big_out2.csv" , > "$dir/got_big2"
diff "$dir/want_big" "$dir/got_big2"
echo ok
