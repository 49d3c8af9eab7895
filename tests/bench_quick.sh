#!/bin/bash
# bench_quick.sh: `fraglab bench` end to end on two tiny generated traces,
# two allocators, one run, no hyperfine: every output file exists and is
# whole, summary.csv has the expected rows, a missing allocator is
# reported once and skipped (never replaced), an allocator that fails its
# runs is recorded with its status while the others go on, the figures are
# drawn when gnuplot is present, bad usage is one line and exit 2, and
# Ctrl-C leaves whole files and no temporaries.
set -u
FRAGLAB="$BUILD/fraglab"
[ -x "$FRAGLAB" ] || { echo "no $FRAGLAB"; exit 77; }
[ -x "$BUILD/fraglab-child" ] || { echo "replay's child $BUILD/fraglab-child not built"; exit 77; }
"$FRAGLAB" replay --help >/dev/null 2>&1 || { echo "fraglab replay not available yet"; exit 77; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export FRAGLAB_CACHE_DIR="$tmp/cache"
fail() { echo "FAIL: $*"; exit 1; }

mkdir -p "$tmp/traces"
"$FRAGLAB" gen uniform --events 3000 -o "$tmp/traces/uniform.jsonl" || fail "gen uniform"
"$FRAGLAB" gen peak --events 3000 -o "$tmp/traces/peak.jsonl.gz" || fail "gen peak"
# A JSON file that is not a trace must be left out (like traces/schema.json).
echo '{"$schema": "x", "properties": {"format": {"const": "fraglab-trace"}}}' >"$tmp/traces/schema.json"

# Every CSV line has as many fields as its header (no field holds a comma here).
whole_csv() {
	[ -s "$1" ] || fail "$1 missing or empty"
	awk -F, 'NR == 1 { n = NF } NF != n { bad = 1 } END { exit bad }' "$1" || fail "$1 has ragged rows"
}

# --- the normal run: glibc and a second allocator, plus one that is not
# there.  The second is the test suite's bump allocator, so that this test
# checks bench, whatever state flmalloc or the system's packages are in.
bump="$BUILD/tests/libbump.so"
[ -f "$bump" ] || { echo "no $bump (make tests-build)"; exit 77; }
out="$tmp/results"
# Outputs of an earlier run that this run does not rewrite must go; other
# files stay.
mkdir -p "$out/series"
touch -d '1 hour ago' "$out/series/gone-trace.csv" "$out/hyperfine-gone-trace.csv" "$out/mine.txt"
"$FRAGLAB" bench --no-hyperfine --runs 1 --alloc glibc --alloc "$bump" \
	--alloc "$tmp/no-such-allocator.so" --out "$out" --traces "$tmp/traces" 2>"$tmp/stderr"
rc=$?
cat "$tmp/stderr"
[ $rc -eq 0 ] || fail "bench exited $rc"

for f in runs.csv summary.csv series/uniform.csv series/peak.csv; do whole_csv "$out/$f"; done
[ -s "$out/machine.txt" ] || fail "no machine.txt"
grep -q '^glibc: ' "$out/machine.txt" || fail "machine.txt lacks the glibc version"
grep -q '^cpu_model: ' "$out/machine.txt" || fail "machine.txt lacks the CPU model"
grep -q "skipped allocator $tmp/no-such-allocator.so" "$out/machine.txt" || fail "machine.txt does not record the skipped allocator"

# runs.csv: 2 traces x 2 allocators x 1 run, all ok, none for the missing one.
[ "$(tail -n +2 "$out/runs.csv" | wc -l)" -eq 4 ] || fail "runs.csv should have 4 rows"
grep -q 'no-such-allocator' "$out/runs.csv" && fail "the missing allocator has rows"
[ "$(grep -c 'not available' "$tmp/stderr")" -eq 1 ] || fail "the missing allocator is not reported exactly once"
head -1 "$out/runs.csv" | grep -q 'malloc_p99_ns' || fail "runs.csv lacks the latency columns"

# summary.csv: one row per trace x allocator and a geomean row per allocator.
for row in 'uniform,glibc,' "uniform,$bump," 'peak,glibc,' "peak,$bump," \
	'geomean,glibc,' "geomean,$bump,"; do
	grep -q "^$row" "$out/summary.csv" || fail "summary.csv lacks a row starting $row"
done
[ "$(tail -n +2 "$out/summary.csv" | wc -l)" -eq 6 ] || fail "summary.csv should have 6 rows"
for col in ops_per_s_vs_glibc peak_rss_vs_glibc syscalls_vs_glibc seconds_min seconds_max; do
	head -1 "$out/summary.csv" | grep -q "$col" || fail "summary.csv lacks $col"
done
# glibc against itself is exactly 1.
awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
	$c["allocator"] == "glibc" && $c["ops_per_s_vs_glibc"] != 1 { bad = 1 } END { exit bad }' \
	"$out/summary.csv" || fail "glibc's ratio against itself is not 1"

if command -v gnuplot >/dev/null; then
	for f in throughput speedup peak_rss rss_ratio frag syscalls latency series/uniform series/peak; do
		[ "$(head -c 4 "$out/$f.png" | od -An -c | tr -d ' ')" = '211PNG' ] || fail "$f.png is not a PNG"
		grep -q '</svg>' "$out/$f.svg" || fail "$f.svg is not a whole SVG"
	done
else
	echo "gnuplot absent: figures not checked"
fi
[ -z "$(find "$out" -name '*.tmp*' -o -name '.bench-work-*')" ] || fail "temporary files left behind"
[ ! -e "$out/series/gone-trace.csv" ] && [ ! -e "$out/hyperfine-gone-trace.csv" ] || fail "stale outputs of an earlier run kept"
[ -e "$out/mine.txt" ] || fail "bench removed a file it does not own"

# --- an allocator that fails its runs is recorded; the others still run; exit 1.
broken="$BUILD/tests/libbroken_nomalloc.so"
if [ -f "$broken" ]; then
	"$FRAGLAB" bench --no-hyperfine --no-plots --no-latency --runs 1 --alloc "$broken" --alloc glibc \
		--out "$tmp/broken" "$tmp/traces/peak.jsonl.gz" 2>"$tmp/stderr2"
	rc=$?
	[ $rc -eq 1 ] || fail "a failing allocator should make bench exit 1, got $rc"
	grep -q ',preload-failed,' "$tmp/broken/runs.csv" || fail "the failed runs are not recorded"
	grep -q '^peak,glibc,1,ok,' "$tmp/broken/runs.csv" || fail "glibc did not run after the failure"
	whole_csv "$tmp/broken/runs.csv"
fi

# --- a trace replay refuses (bad input, no rows at all): bench writes the
# rows itself with status failed, goes on with the next trace, exits 1.
printf '{"format":"fraglab-trace","version":1,"name":"bad"}\n{"op":"free","id":7}\n' >"$tmp/bad.jsonl"
"$FRAGLAB" bench --no-hyperfine --no-plots --no-latency --runs 2 --alloc glibc \
	--out "$tmp/badout" "$tmp/bad.jsonl" "$tmp/traces/uniform.jsonl" 2>"$tmp/stderr3"
rc=$?
[ $rc -eq 1 ] || fail "a trace replay refuses should make bench exit 1, got $rc"
[ "$(grep -c '^bad,glibc,[12],failed' "$tmp/badout/runs.csv")" -eq 2 ] || fail "the refused trace's runs are not recorded as failed"
grep -q '^uniform,glibc,1,ok,' "$tmp/badout/runs.csv" || fail "the next trace did not run"
grep -q '^bad,glibc,2,0,failed x2' "$tmp/badout/summary.csv" || fail "summary does not count the failures"
whole_csv "$tmp/badout/runs.csv"

# --- bad usage: one line on stderr, exit 2.
for args in "--runs 0" "--runs x" "--bogus" "--traces $tmp/nonexistent" "--out"; do
	# shellcheck disable=SC2086
	"$FRAGLAB" bench $args >/dev/null 2>"$tmp/err"
	rc=$?
	[ $rc -eq 2 ] || fail "bench $args exited $rc, not 2"
	[ "$(wc -l <"$tmp/err")" -eq 1 ] || fail "bench $args did not print exactly one line"
done

# --- Ctrl-C: bench stops with 130; what it had written is whole; no temporaries.
"$FRAGLAB" bench --no-hyperfine --runs 3 --out "$tmp/int" --traces "$tmp/traces" 2>/dev/null &
pid=$!
sleep 1.5
kill -INT $pid
wait $pid
rc=$?
[ $rc -eq 130 ] || [ $rc -eq 0 ] || fail "interrupted bench exited $rc"
[ -f "$tmp/int/runs.csv" ] && whole_csv "$tmp/int/runs.csv"
[ -z "$(find "$tmp/int" -name '*.tmp*' -o -name '.bench-work-*')" ] || fail "interrupt left temporary files"
echo "bench_quick: ok"
