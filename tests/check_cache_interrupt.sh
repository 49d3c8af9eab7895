#!/bin/bash
# check_cache_interrupt: Ctrl-C (SIGINT) or SIGKILL at any moment of a
# compile never leaves a bad cache file: afterwards the cache holds either
# nothing for the trace or a whole, valid file, and the next check gives the
# right summary.  The interrupt lands at several points of the compile; the
# assertions hold wherever it lands, so the test does not depend on timing.
set -u
cd "$(dirname "$0")/.."
FRAGLAB=$BUILD/fraglab
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0
interrupted=0
fail() {
	echo "FAIL: $*"
	failures=$((failures + 1))
}

# 60000 events, each with a key the fast path leaves to jansson, so the
# compile takes a while (about 1 us an event).
N=30000
awk -v n=$N 'BEGIN {
	print "{\"format\":\"fraglab-trace\",\"version\":1,\"name\":\"interrupt\"}"
	for (i = 0; i < n; i++) printf "{\"op\":\"malloc\",\"id\":%d,\"size\":%d,\"note\":\"slow path\"}\n", i, i % 100 + 1
	for (i = 0; i < n; i++) printf "{\"op\":\"free\",\"id\":%d,\"note\":\"slow path\"}\n", i
}' >"$work/interrupt.jsonl"
peak=$(( (N / 100) * 5050 + (N % 100) * (N % 100 + 1) / 2 ))

for signal in INT KILL; do
	for delay in 0.02 0.08 0.3; do
		export FRAGLAB_CACHE_DIR=$work/cache-$signal-$delay
		"$FRAGLAB" check --quiet "$work/interrupt.jsonl" 2>"$work/err" &
		pid=$!
		sleep "$delay"
		kill -s "$signal" "$pid" 2>/dev/null
		{ wait "$pid"; } 2>/dev/null
		rc=$?
		[ $rc -ne 0 ] && interrupted=$((interrupted + 1))
		# Finished (0) or died of the signal: nothing else.
		case $rc in
		0 | 130 | 137) ;;
		*) fail "$signal after ${delay}s: exit $rc: $(cat "$work/err")" ;;
		esac
		n_ftc=$(find "$FRAGLAB_CACHE_DIR" -name '*.ftc' 2>/dev/null | wc -l)
		[ "$n_ftc" -le 1 ] || fail "$signal after ${delay}s: $n_ftc cache files"
		# The next open uses the cache file if there is one (it must
		# verify) or compiles; either way the summary is right.
		"$FRAGLAB" check "$work/interrupt.jsonl" >"$work/out" 2>"$work/err" ||
			fail "$signal after ${delay}s: the next check failed: $(cat "$work/err")"
		grep -q "unusable" "$work/err" && fail "$signal after ${delay}s: a bad cache file was published: $(cat "$work/err")"
		grep -qx "events: $((2 * N))" "$work/out" || fail "$signal after ${delay}s: wrong event count"
		grep -qx "peak_live_bytes: $peak" "$work/out" || fail "$signal after ${delay}s: wrong peak"
		[ "$(find "$FRAGLAB_CACHE_DIR" -name '*.ftc' | wc -l)" -eq 1 ] ||
			fail "$signal after ${delay}s: no cache file after a good check"
	done
done
echo "$interrupted of 6 compiles interrupted; $failures failures"
[ $failures -eq 0 ]
