#!/bin/bash
# mt_verify.sh: threaded replay (issue 8).  Traces with a known number of
# cross-thread frees and reallocs on 2, 4 and 8 threads, and fraglab gen's
# multi-threaded patterns on 4, replay with --verify on real threads with
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

# Hand-made, on N = 2, 4 and 8 threads (recorded tids 100..100+N-1): R
# rounds of, for each thread k, with j = k+1 mod N:  k: malloc x;  j: malloc
# y;  j: free x (remote);  k: realloc y (waits for j's malloc);  k: free y
# (not remote: k reallocated it).  So R*N remote frees, 2*R*N cross-thread
# dependencies and 5*R events per thread.
R=400
ring_trace() {
	awk -v R=$R -v N=$1 'BEGIN { printf "{\"format\":\"fraglab-trace\",\"version\":1,\"name\":\"mt-ring-%d\"}\n", N;
		id = 0
		for (r = 0; r < R; r++) for (k = 0; k < N; k++) {
			j = (k + 1) % N; x = id++; y = id++
			printf "{\"op\":\"malloc\",\"id\":%d,\"size\":%d,\"tid\":%d}\n", x, 16 + (r * 7 + k) % 200, 100 + k
			printf "{\"op\":\"malloc\",\"id\":%d,\"size\":%d,\"tid\":%d}\n", y, 24 + (r * 13 + k) % 300, 100 + j
			printf "{\"op\":\"free\",\"id\":%d,\"tid\":%d}\n", x, 100 + j
			printf "{\"op\":\"realloc\",\"id\":%d,\"size\":%d,\"tid\":%d}\n", y, 100 + (r * 31 + k) % 900, 100 + k
			printf "{\"op\":\"free\",\"id\":%d,\"tid\":%d}\n", y, 100 + k } }'
}
for n in 2 4 8; do
	ring_trace $n >"$TMP/ring-$n.jsonl"
	"$FRAGLAB" replay --verify "${allocs[@]}" --csv "$TMP/ring-$n.csv" "$TMP/ring-$n.jsonl" 2>"$TMP/ring-$n.err" ||
		fail "ring on $n threads: $(grep -v ': ok' "$TMP/ring-$n.err")"
	check_rows "$TMP/ring-$n.csv" "$TMP/ring-$n.jsonl" $n
	want=$(for ((k = 0; k < n; k++)); do printf '%s%d' "$([ $k = 0 ] || echo ';')" $((5 * R)); done)
	[ "$(tid_counts "$TMP/ring-$n.jsonl")" = "$want" ] || fail "tid_counts itself is wrong: $(tid_counts "$TMP/ring-$n.jsonl")"
	[ "$(csv_col "$TMP/ring-$n.csv" 1 remote_frees)" = $((R * n)) ] ||
		fail "ring $n: remote_frees $(csv_col "$TMP/ring-$n.csv" 1 remote_frees), want $((R * n))"
	[ "$(csv_col "$TMP/ring-$n.csv" 1 handoffs)" = $((2 * R * n)) ] ||
		fail "ring $n: handoffs $(csv_col "$TMP/ring-$n.csv" 1 handoffs), want $((2 * R * n))"
	grep -q "mt-ring-$n: $n threads, $((2 * R * n)) cross-thread dependencies ($((R * n)) remote frees, 0 slots taken from other threads)" "$TMP/ring-$n.err" ||
		fail "ring $n progress line: $(head -n 1 "$TMP/ring-$n.err")"
done

# --threads 1: the same events in global order on one thread.
"$FRAGLAB" replay --threads 1 --verify --csv "$TMP/ring1.csv" "$TMP/ring-4.jsonl" 2>/dev/null || fail "--threads 1"
[ "$(csv_col "$TMP/ring1.csv" 1 threads)" = 1 ] && [ "$(csv_col "$TMP/ring1.csv" 1 handoffs)" = 0 ] &&
	[ "$(csv_col "$TMP/ring1.csv" 1 thread_events)" = $((20 * R)) ] ||
	fail "--threads 1 row: $(tail -n 1 "$TMP/ring1.csv")"

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

# fraglab gen's patterns on 4 threads.
traces=()
for p in producer-consumer larson thread-churn; do
	"$FRAGLAB" gen "$p" --threads 4 --events 4000 -o "$TMP/$p-4.jsonl" || fail "gen $p --threads 4"
	traces+=("$TMP/$p-4.jsonl")
done
"$FRAGLAB" replay --verify "${allocs[@]}" --csv "$TMP/gen.csv" "${traces[@]}" 2>"$TMP/gen.err" ||
	fail "gen patterns on 4 threads: $(grep -v ': ok' "$TMP/gen.err")"
for ((t = 0; t < ${#traces[@]}; t++)); do
	head -n 1 "$TMP/gen.csv" >"$TMP/one.csv"
	sed -n "$((2 + t * n_allocs)),$((1 + (t + 1) * n_allocs))p" "$TMP/gen.csv" >>"$TMP/one.csv"
	check_rows "$TMP/one.csv" "${traces[$t]}" 4
done
[ "$(csv_col "$TMP/gen.csv" 1 remote_frees)" -gt 0 ] || fail "producer-consumer: no remote frees"
[ "$(csv_col "$TMP/gen.csv" $((2 * n_allocs + 1)) handoffs)" = 0 ] || fail "thread-churn: has dependencies"

# --verify on threads catches an allocator handing out overlapping blocks
# (tests/libbroken_overlap.c: blocks of 1000 bytes or more overlap the
# next), and the message names the replay thread, its event and the
# trace's event.  Thread 1's frees wait for thread 2's mallocs, so both big
# blocks are live when the second is checked.
cat >"$TMP/overlap.jsonl" <<'TRACE'
{"format":"fraglab-trace","version":1,"name":"mt-overlap"}
{"op":"malloc","id":1,"size":16,"tid":1}
{"op":"malloc","id":2,"size":16,"tid":2}
{"op":"free","id":1,"tid":2}
{"op":"malloc","id":3,"size":1000,"tid":2}
{"op":"malloc","id":4,"size":1000,"tid":2}
{"op":"free","id":4,"tid":1}
{"op":"free","id":3,"tid":1}
{"op":"free","id":2,"tid":2}
TRACE
"$FRAGLAB" replay --verify --alloc "$BUILD/tests/libbroken_overlap.so" --csv "$TMP/overlap.csv" \
	"$TMP/overlap.jsonl" 2>"$TMP/overlap.err"
[ $? = 1 ] && [ "$(csv_col "$TMP/overlap.csv" 1 status)" = failed ] || fail "broken allocator on threads: $(cat "$TMP/overlap.err")"
grep -q "run 1/1: failed: replay thread 1: event 3 (malloc of slot [0-9]*, 1000 bytes): block 0x[0-9a-f]* overlaps live block \[0x[0-9a-f]*, 0x[0-9a-f]*) of slot [0-9]* (allocator .*libbroken_overlap.so) (the trace's event 4)$" "$TMP/overlap.err" ||
	fail "broken allocator on threads, message: $(grep 'run 1' "$TMP/overlap.err")"

# The latency pass runs threaded too: every row has percentiles.
"$FRAGLAB" replay --latency --csv "$TMP/lat.csv" "$TMP/larson-4.jsonl" 2>/dev/null || fail "--latency on 4 threads"
for c in malloc_p50_ns malloc_max_ns free_p50_ns free_max_ns; do
	[ -n "$(csv_col "$TMP/lat.csv" 1 $c)" ] || fail "--latency on 4 threads: $c is empty"
done
[ "$(csv_col "$TMP/lat.csv" 1 threads)" = 4 ] || fail "--latency: threads $(csv_col "$TMP/lat.csv" 1 threads)"
echo "mt_verify: all checks passed ($n_allocs allocators)"
