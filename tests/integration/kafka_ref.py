#!/usr/bin/env python3
"""kafka_ref.py: checks what pipelines/ratings.sql wrote to Kafka against a reference computed
here, independently, from the input: the customers as `eddy datagen` wrote them (JSON lines),
and the ratings as `eddy datagen` wrote them or as `eddy consume ratings` read them back
from the topic (one {"key", "value": "<json>"} per line).

Usage: kafka_ref.py CUSTOMERS.jsonl RATINGS.jsonl ENRICHED.jsonl WINDOWS.jsonl [MAX_DUPLICATES]
ENRICHED.jsonl and WINDOWS.jsonl are `eddy consume` outputs of RATINGS_WITH_CUSTOMER_DATA and
RATINGS_BY_CLUB_STATUS_1MIN (--key-type hex). The reference:
- every rating whose user is a customer is enriched once (the join), with its customer's club
  status, at the rating's time (a rating is its id and time: ids restart with each datagen);
- per club status and minute window [start, start + 60000), the number of such ratings, and
  the table's last update of each window carries it.
Nothing may be missing. Duplicates (at-least-once replays) are counted; more than
MAX_DUPLICATES (default 0) fails. Prints one summary line."""
import collections
import json
import sys


def load(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def records(path):
    """The records of a file of datagen lines or of `eddy consume` lines (their values)."""
    return [json.loads(x["value"]) if isinstance(x.get("value"), str) else x for x in load(path)]


def main():
    cust_f, rat_f, enr_f, win_f = sys.argv[1:5]
    max_dups = int(sys.argv[5]) if len(sys.argv) > 5 else 0
    club = {c["id"]: c["club_status"] for c in records(cust_f)}
    ratings = records(rat_f)
    # a rating is its id and time (ids restart with each datagen run)
    expected = {(r["rating_id"], r["rating_time"]): r for r in ratings if r["user_id"] in club}
    ref = collections.Counter((club[r["user_id"]], r["rating_time"] // 60000 * 60000)
                              for r in expected.values())

    errors = []
    seen = collections.Counter()
    for m in load(enr_f):
        v = json.loads(m["value"])
        rid = (v["RATING_ID"], m["timestamp"])
        seen[rid] += 1
        r = expected.get(rid)
        if r is None:
            errors.append("enriched rating %s at %s does not exist or has no customer" % rid)
            continue
        if v["CLUB_STATUS"] != club[r["user_id"]]:
            errors.append("enriched rating %s at %s: %s, expected %s" % (
                rid + (v["CLUB_STATUS"], club[r["user_id"]])))
    missing = [rid for rid in expected if rid not in seen]
    dups = sum(n - 1 for n in seen.values())
    if missing:
        errors.append("%d enriched rating(s) missing, e.g. %s" % (len(missing), missing[:5]))

    last = {}
    for m in load(win_f):
        k = bytes.fromhex(m["key"])
        last[(k[:-8].decode(), int.from_bytes(k[-8:], "big"))] = json.loads(m["value"])["RATING_COUNT"]
    lost = {k: (n, last.get(k)) for k, n in ref.items() if last.get(k, 0) < n}
    extra = {k: n for k, n in last.items() if k not in ref}
    over = sum(last[k] - n for k, n in ref.items() if last.get(k, 0) > n)
    if lost:
        errors.append("windows counted short (expected, got): %s" % dict(list(lost.items())[:5]))
    if extra:
        errors.append("windows that should not exist: %s" % dict(list(extra.items())[:5]))
    if dups > max_dups or over > max_dups:
        errors.append("%d duplicate enriched rating(s) and %d over-counted rating(s): more than "
                      "the %d at-least-once allows here" % (dups, over, max_dups))
    print("reference: %d enriched ratings, %d windows; got %d enriched records (%d duplicates), "
          "%d windows (%d over-counted)" % (len(expected), len(ref), sum(seen.values()), dups,
                                           len(last), over))
    for e in errors:
        print("FAIL: " + e)
    sys.exit(1 if errors else 0)


if __name__ == "__main__":
    main()
