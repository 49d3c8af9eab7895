#!/bin/bash
# mt_verify.sh: threaded replay (issue 8).  A trace with a known number of
# cross-thread frees and reallocs, and fraglab gen's multi-threaded
# patterns at 2, 4 and 8 threads, replay with --verify on real threads with
# every allocator that is installed (glibc, flmalloc's four policies,
# jemalloc, mimalloc, tcmalloc); the CSV's per-thread event counts equal
# the trace's, and its dependency counts equal the hand-counted ones.
. tests/data/replay/lib.sh

allocs=(--alloc glibc)
if [ -f "$BUILD/libflmalloc.so" ]; then
	for p in addr lifo best seg; do allocs+=(--alloc "flmalloc:$p"); done
else
	echo "note: $BUILD/libflmalloc.so not built: flmalloc not verified here"
fi
for a in jemalloc mimalloc tcmalloc; do
	if "$FRAGLAB" replay --alloc "$a" --csv "$TMP/probe.csv" "$DATA/basic.json" 2>"$TMP/probe.err"; then
		allocs+=(--alloc "$a")
	else
		echo "note: $a skipped: $(tail -n 1 "$TMP/probe.err")"
	fi
done
n_allocs=$((${#allocs[@]} / 2))

# Per-thread event counts of a JSONL trace, threads numbered by first use
# (as the compiler numbers them), joined by ';'.
tid_counts() {
	awk 'NR > 1 { t = "0"; if (match($0, /"tid":[0-9]+/)) t = substr($0, RSTART + 6, RLENGTH - 6);
		if (!(t in n)) order[k++] = t; n[t]++ }
		END { for (i = 0; i < k; i++) printf "%s%d", i ? ";" : "", n[order[i]]; print "" }' "$1"
}

# check_rows CSV TRACE THREADS: every row ok, on THREADS threads, with the
# trace's per-thread event counts.
check_rows() {
	local csv=$1 trace=$2 threads=$3 want rows r
	want=$(tid_counts "$trace")
	rows=$(csv_rows "$csv")
	[ "$rows" = "$n_allocs" ] || fail "$trace: $rows rows, want $n_allocs"
	for ((r = 1; r <= rows; r++)); do
		local a
		a=$(csv_col "$csv" $r allocator)
		[ "$(csv_col "$csv" $r status)" = ok ] || fail "$trace / $a: status $(csv_col "$csv" $r status)"
		[ "$(csv_col "$csv" $r threads)" = "$threads" ] || fail "$trace / $a: threads $(csv_col "$csv" $r threads), want $threads"
		[ "$(csv_col "$csv" $r thread_events)" = "$want" ] ||
			fail "$trace / $a: thread_events $(csv_col "$csv" $r thread_events), want $want"
	done
}

# Hand-made: R rounds of  A: malloc x; B: malloc y; B: free x (remote);
# A: realloc y (waits for B's malloc); A: free y (not remote: A reallocated
# it).  So R remote frees, 2R cross-thread dependencies, A 3R events, B 2R.
R=2000
awk -v R=$R 'BEGIN { print "{\"format\":\"fraglab-trace\",\"version\":1,\"name\":\"mt-pingpong\"}";
	for (r = 0; r < R; r++) {
		printf "{\"op\":\"malloc\",\"id\":%d,\"size\":%d,\"tid\":7}\n", 2*r, 16 + r % 200;
		printf "{\"op\":\"malloc\",\"id\":%d,\"size\":%d,\"tid\":9}\n", 2*r+1, 24 + r % 300;
		printf "{\"op\":\"free\",\"id\":%d,\"tid\":9}\n", 2*r;
		printf "{\"op\":\"realloc\",\"id\":%d,\"size\":%d,\"tid\":7}\n", 2*r+1, 100 + r % 900;
		printf "{\"op\":\"free\",\"id\":%d,\"tid\":7}\n", 2*r+1 } }' >"$TMP/pingpong.jsonl"
"$FRAGLAB" replay --verify "${allocs[@]}" --csv "$TMP/pp.csv" "$TMP/pingpong.jsonl" 2>"$TMP/pp.err" ||
	fail "pingpong: $(grep -v ': ok' "$TMP/pp.err")"
check_rows "$TMP/pp.csv" "$TMP/pingpong.jsonl" 2
[ "$(tid_counts "$TMP/pingpong.jsonl")" = "$((3 * R));$((2 * R))" ] || fail "tid_counts itself is wrong"
[ "$(csv_col "$TMP/pp.csv" 1 remote_frees)" = $R ] || fail "remote_frees $(csv_col "$TMP/pp.csv" 1 remote_frees), want $R"
[ "$(csv_col "$TMP/pp.csv" 1 handoffs)" = $((2 * R)) ] || fail "handoffs $(csv_col "$TMP/pp.csv" 1 handoffs), want $((2 * R))"
grep -q "mt-pingpong: 2 threads, $((2 * R)) cross-thread dependencies ($R remote frees, 0 slots taken from other threads)" "$TMP/pp.err" ||
	fail "pingpong progress line: $(head -n 1 "$TMP/pp.err")"

# --threads 1: the same trace in global order on one thread.
"$FRAGLAB" replay --threads 1 --verify --csv "$TMP/pp1.csv" "$TMP/pingpong.jsonl" 2>/dev/null || fail "--threads 1"
[ "$(csv_col "$TMP/pp1.csv" 1 threads)" = 1 ] && [ "$(csv_col "$TMP/pp1.csv" 1 handoffs)" = 0 ] &&
	[ "$(csv_col "$TMP/pp1.csv" 1 thread_events)" = $((5 * R)) ] ||
	fail "--threads 1 row: $(tail -n 1 "$TMP/pp1.csv")"

# A producer that never frees, with replay slots capped at 4 x the trace's
# (FRAGLAB_REPLAY_EXTRA_SLOTS=0): past the cap the producer takes the
# consumer's free slots and each such allocation waits for that free.
awk 'BEGIN { print "{\"format\":\"fraglab-trace\",\"version\":1,\"name\":\"mt-producer\"}";
	for (r = 0; r < 3000; r++) {
		printf "{\"op\":\"malloc\",\"id\":%d,\"size\":%d,\"tid\":1}\n", r, 32 + r % 500;
		if (r >= 4) printf "{\"op\":\"free\",\"id\":%d,\"tid\":2}\n", r - 4 }
	for (r = 2996; r < 3000; r++) printf "{\"op\":\"free\",\"id\":%d,\"tid\":2}\n", r }' >"$TMP/producer.jsonl"
FRAGLAB_REPLAY_EXTRA_SLOTS=0 "$FRAGLAB" replay --verify "${allocs[@]}" --csv "$TMP/prod.csv" \
	"$TMP/producer.jsonl" 2>"$TMP/prod.err" || fail "producer, capped slots: $(grep -v ': ok' "$TMP/prod.err")"
check_rows "$TMP/prod.csv" "$TMP/producer.jsonl" 2
grep -q "mt-producer: 2 threads, [0-9]* cross-thread dependencies (3000 remote frees, [1-9][0-9]* slots taken from other threads), [0-9]* replay slots" "$TMP/prod.err" ||
	fail "capped producer: $(head -n 1 "$TMP/prod.err")"

# fraglab gen's patterns on 2, 4 and 8 threads (thread-churn, which has no
# cross-thread dependency, on 8 only).
for n in 2 4 8; do
	traces=()
	patterns="producer-consumer larson"
	[ $n = 8 ] && patterns="$patterns thread-churn"
	for p in $patterns; do
		"$FRAGLAB" gen "$p" --threads $n --events 4000 -o "$TMP/$p-$n.jsonl" || fail "gen $p --threads $n"
		traces+=("$TMP/$p-$n.jsonl")
	done
	"$FRAGLAB" replay --verify "${allocs[@]}" --csv "$TMP/gen-$n.csv" "${traces[@]}" 2>"$TMP/gen-$n.err" ||
		fail "gen patterns on $n threads: $(grep -v ': ok' "$TMP/gen-$n.err")"
	for ((t = 0; t < ${#traces[@]}; t++)); do
		head -n 1 "$TMP/gen-$n.csv" >"$TMP/one.csv"
		sed -n "$((2 + t * n_allocs)),$((1 + (t + 1) * n_allocs))p" "$TMP/gen-$n.csv" >>"$TMP/one.csv"
		check_rows "$TMP/one.csv" "${traces[$t]}" $n
	done
	[ "$(csv_col "$TMP/gen-$n.csv" 1 remote_frees)" -gt 0 ] || fail "producer-consumer $n: no remote frees"
done
[ "$(csv_col "$TMP/gen-8.csv" $((2 * n_allocs + 1)) handoffs)" = 0 ] || fail "thread-churn: has dependencies"

# The latency pass runs threaded too: every row has percentiles.
"$FRAGLAB" replay --latency --csv "$TMP/lat.csv" "$TMP/larson-4.jsonl" 2>/dev/null || fail "--latency on 4 threads"
for c in malloc_p50_ns malloc_max_ns free_p50_ns free_max_ns; do
	[ -n "$(csv_col "$TMP/lat.csv" 1 $c)" ] || fail "--latency on 4 threads: $c is empty"
done
[ "$(csv_col "$TMP/lat.csv" 1 threads)" = 4 ] || fail "--latency: threads $(csv_col "$TMP/lat.csv" 1 threads)"
echo "mt_verify: all checks passed ($n_allocs allocators)"
