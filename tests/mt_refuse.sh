#!/bin/bash
# mt_refuse.sh: a multi-threaded trace whose events could not have happened
# in that order (its threads would wait for each other for ever) is refused
# when compiled, naming the event; bad --threads values are usage errors;
# fraglab gen's multi-threaded patterns are deterministic.
. tests/data/replay/lib.sh

# Thread 1: malloc 10, free 2, malloc 1.  Thread 2: malloc 11, free 10,
# free 1, malloc 2.  Thread 1's free of 2 would wait for thread 2's malloc
# of 2, which comes after thread 2's free of 1, which waits for thread 1's
# malloc of 1, which comes after thread 1's free of 2: a cycle.  In any
# file order one of those frees comes before its malloc; here event 3.
cat >"$TMP/cycle.jsonl" <<'TRACE'
{"format":"fraglab-trace","version":1,"name":"mt-cycle"}
{"op":"malloc","id":10,"size":32,"tid":1}
{"op":"malloc","id":11,"size":32,"tid":2}
{"op":"free","id":10,"tid":2}
{"op":"free","id":2,"tid":1}
{"op":"malloc","id":1,"size":16,"tid":1}
{"op":"free","id":1,"tid":2}
{"op":"malloc","id":2,"size":16,"tid":2}
TRACE
want="$TMP/cycle.jsonl:5: event 3: free of id 2, which is not live (events out of the order they happened: replaying the threads would wait for ever)"
"$FRAGLAB" replay --csv "$TMP/cycle.csv" "$TMP/cycle.jsonl" 2>"$TMP/cycle.err"
rc=$?
[ $rc = 2 ] || fail "cycle: exit $rc, want 2"
[ "$(cat "$TMP/cycle.err")" = "$want" ] || fail "cycle message: $(cat "$TMP/cycle.err")"
[ ! -e "$TMP/cycle.csv" ] && ! ls "$TMP"/cycle.csv.tmp.* >/dev/null 2>&1 || fail "cycle: a CSV file was written"
"$FRAGLAB" check "$TMP/cycle.jsonl" >/dev/null 2>"$TMP/check.err"
[ $? = 2 ] && [ "$(cat "$TMP/check.err")" = "$want" ] || fail "fraglab check: $(cat "$TMP/check.err")"

# The same events in an order that can happen replay fine on 2 threads.
cat >"$TMP/fine.jsonl" <<'TRACE'
{"format":"fraglab-trace","version":1,"name":"mt-fine"}
{"op":"malloc","id":10,"size":32,"tid":1}
{"op":"malloc","id":11,"size":32,"tid":2}
{"op":"free","id":10,"tid":2}
{"op":"malloc","id":2,"size":16,"tid":2}
{"op":"free","id":2,"tid":1}
{"op":"malloc","id":1,"size":16,"tid":1}
{"op":"free","id":1,"tid":2}
{"op":"free","id":11,"tid":2}
TRACE
"$FRAGLAB" replay --verify --csv "$TMP/fine.csv" "$TMP/fine.jsonl" 2>/dev/null || fail "the consistent order failed"
[ "$(csv_col "$TMP/fine.csv" 1 thread_events)" = "3;5" ] && [ "$(csv_col "$TMP/fine.csv" 1 remote_frees)" = 3 ] ||
	fail "fine: $(tail -n 1 "$TMP/fine.csv")"

# More recorded threads than a threaded replay runs (512): refused up
# front, nothing written; --threads 1 replays it.
awk 'BEGIN { print "{\"format\":\"fraglab-trace\",\"version\":1,\"name\":\"mt-600\"}";
	for (t = 0; t < 600; t++) printf "{\"op\":\"malloc\",\"id\":%d,\"size\":8,\"tid\":%d}\n{\"op\":\"free\",\"id\":%d,\"tid\":%d}\n", t, t, t, t }' >"$TMP/600.jsonl"
"$FRAGLAB" replay --csv "$TMP/600.csv" "$TMP/600.jsonl" 2>"$TMP/600.err"
[ $? = 2 ] && [ ! -e "$TMP/600.csv" ] &&
	[ "$(cat "$TMP/600.err")" = "fraglab replay: $TMP/600.jsonl: 600 recorded threads; a threaded replay runs at most 512 (use --threads 1)" ] ||
	fail "600 threads: $(cat "$TMP/600.err")"
"$FRAGLAB" replay --threads 1 --csv "$TMP/600.csv" "$TMP/600.jsonl" 2>/dev/null && [ "$(csv_col "$TMP/600.csv" 1 events)" = 1200 ] ||
	fail "600 threads with --threads 1"

# Usage errors: one line, exit 2.
"$FRAGLAB" replay --threads 3 "$TMP/fine.jsonl" >/dev/null 2>"$TMP/usage.err"
[ $? = 2 ] && grep -q "^fraglab replay: --threads wants recorded or 1, not '3'$" "$TMP/usage.err" ||
	fail "--threads 3: $(cat "$TMP/usage.err")"
"$FRAGLAB" gen uniform --threads 4 >/dev/null 2>"$TMP/gen.err"
[ $? = 2 ] && grep -q "single-threaded; --threads does not apply" "$TMP/gen.err" || fail "gen uniform --threads: $(cat "$TMP/gen.err")"
"$FRAGLAB" gen larson --threads 0 >/dev/null 2>"$TMP/gen.err"
[ $? = 2 ] && grep -q "^fraglab gen: --threads wants an integer in 1\.\.256, not '0'$" "$TMP/gen.err" ||
	fail "gen --threads 0: $(cat "$TMP/gen.err")"

# Determinism: same pattern, seed, length and threads, same bytes; the tids
# are 0..N-1.
for p in producer-consumer larson thread-churn; do
	"$FRAGLAB" gen $p --threads 3 --events 3000 -o "$TMP/a.jsonl" && "$FRAGLAB" gen $p --threads 3 --events 3000 -o "$TMP/b.jsonl" ||
		fail "gen $p"
	cmp -s "$TMP/a.jsonl" "$TMP/b.jsonl" || fail "gen $p is not deterministic"
	tids=$(grep -o '"tid":[0-9]*' "$TMP/a.jsonl" | sort -u | tr '\n' ' ')
	[ "$tids" = '"tid":0 "tid":1 "tid":2 ' ] || fail "gen $p --threads 3: tids $tids"
	"$FRAGLAB" check "$TMP/a.jsonl" >/dev/null || fail "gen $p: fraglab check refuses it"
done
echo "mt_refuse: all checks passed"
