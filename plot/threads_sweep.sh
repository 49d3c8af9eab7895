#!/bin/bash
# threads_sweep.sh: replay throughput against thread count for fraglab
# gen's multi-threaded patterns (producer-consumer, larson, thread-churn),
# each generated at 1, 2, 4 and 8 threads and replayed on that many real
# threads (fraglab replay --threads recorded).  `make bench` runs it.
#
#   BUILD=build OUT=results plot/threads_sweep.sh          (QUICK=1: quicker)
#   env: ALLOCS="glibc mimalloc ..."  RUNS=N  EVENTS=N  THREADS="1 2 4 8"
#
# Writes OUT/threads/runs.csv (fraglab replay's rows, all thread counts),
# OUT/threads/summary.csv (median, min and max ops/s per pattern, allocator
# and thread count, and the median time spent waiting on other threads) and
# OUT/threads/threads.png and .svg (plot/threads.gp).  An allocator that is
# not installed is reported and skipped.  docs/metrics.md ("Multi-threaded
# replay") says what the figures mean; on a machine with fewer cores than
# threads the curves show the allocator under contention, not speed-up.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
FRAGLAB=$BUILD/fraglab
OUT=${OUT:-results}/threads
QUICK=${QUICK:-0}
if [ "$QUICK" = 1 ]; then
	ALLOCS=${ALLOCS:-"glibc flmalloc:seg mimalloc"}
	RUNS=${RUNS:-1}
	EVENTS=${EVENTS:-100000}
else
	ALLOCS=${ALLOCS:-"glibc flmalloc:seg jemalloc mimalloc tcmalloc"}
	RUNS=${RUNS:-3}
	EVENTS=${EVENTS:-100000}
fi
THREADS=${THREADS:-"1 2 4 8"}
PATTERNS="producer-consumer larson thread-churn"
[ -x "$FRAGLAB" ] || { echo "threads_sweep: build $FRAGLAB first (make all)" >&2; exit 2; }
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
export FRAGLAB_CACHE_DIR=${FRAGLAB_CACHE_DIR:-$WORK/cache}
mkdir -p "$OUT"

# Allocators that are installed (fraglab replay refuses the others up front).
"$FRAGLAB" gen classic -o "$WORK/probe.jsonl"
allocs=()
for a in $ALLOCS; do
	if "$FRAGLAB" replay --alloc "$a" --csv "$WORK/probe.csv" "$WORK/probe.jsonl" 2>"$WORK/probe.err"; then
		allocs+=(--alloc "$a")
	else
		echo "threads_sweep: $a skipped: $(tail -n 1 "$WORK/probe.err")" >&2
	fi
done
[ ${#allocs[@]} -gt 0 ] || { echo "threads_sweep: no allocator to replay" >&2; exit 1; }

rc=0
for n in $THREADS; do
	traces=()
	for p in $PATTERNS; do
		"$FRAGLAB" gen "$p" --threads "$n" --events "$EVENTS" -o "$WORK/$p-$n.jsonl"
		traces+=("$WORK/$p-$n.jsonl")
	done
	echo "threads_sweep: $n thread(s): ${#traces[@]} traces x ${#allocs[@]} allocator args, $RUNS run(s) each" >&2
	"$FRAGLAB" replay --runs "$RUNS" --timeout 60 "${allocs[@]}" --csv "$WORK/runs-$n.csv" "${traces[@]}" \
		2> >(grep -v ': ok' >&2) || rc=1
done

# All rows, one header.
first=1
for n in $THREADS; do
	if [ $first = 1 ]; then cat "$WORK/runs-$n.csv"; first=0; else tail -n +2 "$WORK/runs-$n.csv"; fi
done >"$OUT/runs.csv.tmp"
mv "$OUT/runs.csv.tmp" "$OUT/runs.csv"

# Median, min, max ops/s of the ok runs per (pattern, allocator, threads);
# the pattern is the second word of the trace's name ("gen larson --seed ...").
awk -F, '
	NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
	$col["status"] == "ok" {
		split($col["trace"], w, " ")
		key = w[2] "," $col["allocator"] "," $col["threads"]
		if (!(key in n)) { order[k++] = key; n[key] = 0 }
		c = n[key]; ops[key, c] = $col["ops_per_s"]; wait[key, c] = $col["wait_seconds"]; n[key] = c + 1
	}
	function median(arr, key, m,   i, j, t, v) {
		for (i = 0; i < m; i++) v[i] = arr[key, i] + 0
		for (i = 1; i < m; i++) for (j = i; j > 0 && v[j - 1] > v[j]; j--) { t = v[j]; v[j] = v[j - 1]; v[j - 1] = t }
		lo = v[0]; hi = v[m - 1]
		return m % 2 ? v[int(m / 2)] : (v[m / 2 - 1] + v[m / 2]) / 2
	}
	END {
		print "pattern,allocator,threads,runs,ops_per_s_median,ops_per_s_min,ops_per_s_max,wait_seconds_median"
		for (i = 0; i < k; i++) {
			key = order[i]
			med = median(ops, key, n[key]); omin = lo; omax = hi
			wmed = median(wait, key, n[key])
			printf "%s,%d,%.0f,%.0f,%.0f,%.6f\n", key, n[key], med, omin, omax, wmed
		}
	}' "$OUT/runs.csv" | {
	# one block of rows per (pattern, allocator), by threads: plot lines
	# join consecutive rows
	IFS= read -r header && echo "$header" && sort -t, -k1,1 -k2,2 -k3,3n
} >"$OUT/summary.csv.tmp"
mv "$OUT/summary.csv.tmp" "$OUT/summary.csv"

if command -v gnuplot >/dev/null; then
	for ext in png svg; do
		gnuplot -e "datafile='$OUT/summary.csv'; out='$OUT/threads.$ext'" plot/threads.gp ||
			{ echo "threads_sweep: gnuplot failed for $OUT/threads.$ext" >&2; rc=1; }
	done
else
	echo "threads_sweep: gnuplot not installed: no figure (make deps)" >&2
fi
echo "threads_sweep: $OUT/runs.csv, $OUT/summary.csv, $OUT/threads.png, $OUT/threads.svg" >&2
exit $rc
