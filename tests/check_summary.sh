#!/bin/bash
# check_summary: `fraglab check` prints the hand-computed summary of good
# traces, the same for the document form, JSON Lines, their .gz copies and
# a cache hit; a generated trace matches figures computed here from its
# definition; options and usage behave as --help says.
set -u
cd "$(dirname "$0")/.."
FRAGLAB=$BUILD/fraglab
DATA=tests/data/good
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export FRAGLAB_CACHE_DIR=$work/cache
failures=0

fail() {
	echo "FAIL: $*"
	failures=$((failures + 1))
}

# check_against TRACE EXPECTED: the summary minus its "trace:" line is EXPECTED.
check_against() {
	local trace=$1 expected=$2
	"$FRAGLAB" check "$trace" >"$work/out" 2>"$work/err" || fail "$trace: exit $?: $(cat "$work/err")"
	[ -s "$work/err" ] && fail "$trace: unexpected stderr: $(cat "$work/err")"
	[ "$(head -n 1 "$work/out")" = "trace: $trace" ] || fail "$trace: first line is $(head -n 1 "$work/out")"
	tail -n +2 "$work/out" | diff -u "$expected" - >"$work/diff" || fail "$trace: summary differs: $(cat "$work/diff")"
}

for form in tiny.json tiny-reordered.json tiny.jsonl threads.jsonl bom-crlf.jsonl; do
	expected=$DATA/${form%%.*}.expected
	check_against "$DATA/$form" "$expected"
	check_against "$DATA/$form" "$expected" # again: from the cache
	gzip -c "$DATA/$form" >"$work/$form.gz"
	check_against "$work/$form.gz" "$expected"
done

# A generated trace: N mallocs of sizes 1..N, then N frees.  Peak live
# bytes N(N+1)/2 after event N-1, N slots, block bytes summed with the
# layout rule computed here, histogram of 1..N by powers of 2.
N=1000
{
	echo '{"format":"fraglab-trace","version":1,"name":"ramp"}'
	awk -v n=$N 'BEGIN {
		for (i = 1; i <= n; i++) printf "{\"op\":\"malloc\",\"id\":%d,\"size\":%d}\n", i * 4096, i
		for (i = n; i >= 1; i--) printf "{\"op\":\"free\",\"id\":%d}\n", i * 4096
	}'
} >"$work/ramp.jsonl"
{
	echo "name: ramp"
	echo "events: $((2 * N))"
	echo "  malloc: $N"
	echo "  calloc: 0"
	echo "  realloc: 0"
	echo "  memalign: 0"
	echo "  free: $N"
	echo "peak_live_bytes: $((N * (N + 1) / 2))"
	echo "peak_live_event: $((N - 1))"
	echo "peak_live_blocks: $N"
	# Each size i takes a block of max(32, (i + 8 + 15) & ~15) bytes.
	echo "peak_block_bytes: $(awk -v n=$N 'BEGIN { for (i = 1; i <= n; i++) { b = int((i + 23) / 16) * 16; t += b < 32 ? 32 : b } printf "%d", t }')"
	echo "live_bytes_end: 0"
	echo "live_blocks_end: 0"
	echo "requested_bytes: $((N * (N + 1) / 2))"
	echo "max_size: $N"
	echo "slots: $N"
	echo "threads: 1"
} >"$work/ramp.expected"
"$FRAGLAB" check "$work/ramp.jsonl" >"$work/out" || fail "ramp: exit $?"
sed -n '2,18p' "$work/out" | diff -u "$work/ramp.expected" - || fail "ramp: summary differs"
# Histogram rows: bucket [2^(k-1), 2^k - 1] holds min(2^k - 1, N) - 2^(k-1) + 1 sizes.
lo=1
while [ $lo -le $N ]; do
	hi=$((2 * lo - 1))
	count=$(( (hi < N ? hi : N) - lo + 1 ))
	grep -Eq "^  $lo\.\.$hi +$count " "$work/out" || fail "ramp: no histogram row '$lo..$hi $count'"
	lo=$((2 * lo))
done

# Concurrent first opens of one trace: all succeed with the same summary,
# leaving one cache file and no temporary file.
export FRAGLAB_CACHE_DIR=$work/cache-concurrent
awk 'BEGIN { print "{\"format\":\"fraglab-trace\",\"version\":1}"
	for (i = 0; i < 20000; i++) printf "{\"op\":\"malloc\",\"id\":%d,\"size\":%d}\n{\"op\":\"free\",\"id\":%d}\n", i, i, i }' \
	>"$work/concurrent.jsonl"
pids=()
for i in 1 2 3 4; do
	"$FRAGLAB" check "$work/concurrent.jsonl" >"$work/concurrent.$i" 2>&1 &
	pids+=($!)
done
for i in 1 2 3 4; do
	wait "${pids[$((i - 1))]}" || fail "concurrent check $i: exit $?: $(cat "$work/concurrent.$i")"
	cmp -s "$work/concurrent.1" "$work/concurrent.$i" || fail "concurrent check $i: different output"
done
[ "$(find "$FRAGLAB_CACHE_DIR" -name '*.ftc' | wc -l)" -eq 1 ] || fail "concurrent: not exactly one cache file"
[ "$(find "$FRAGLAB_CACHE_DIR" -name '*.tmp.*' | wc -l)" -eq 0 ] || fail "concurrent: temporary files left"
export FRAGLAB_CACHE_DIR=$work/cache

# --quiet prints nothing for good traces.
"$FRAGLAB" check --quiet "$DATA/tiny.json" "$work/ramp.jsonl" >"$work/out" 2>&1 || fail "--quiet: exit $?"
[ -s "$work/out" ] && fail "--quiet printed: $(cat "$work/out")"
# Several traces: summaries separated by one blank line.
"$FRAGLAB" check "$DATA/tiny.json" "$DATA/threads.jsonl" >"$work/out" || fail "two traces: exit $?"
[ "$(grep -c '^trace: ' "$work/out")" -eq 2 ] || fail "two traces: not two summaries"
[ "$(grep -c '^$' "$work/out")" -eq 1 ] || fail "two traces: not one blank line between them"

"$FRAGLAB" check --help >"$work/out" || fail "--help: exit $?"
grep -q '^usage: fraglab check' "$work/out" || fail "--help: no usage line"
"$FRAGLAB" check 2>"$work/err"
[ $? -eq 2 ] || fail "no TRACE: exit not 2"
"$FRAGLAB" check --frobnicate "$DATA/tiny.json" 2>"$work/err"
[ $? -eq 2 ] || fail "unknown option: exit not 2"
grep -q "unknown option '--frobnicate'" "$work/err" || fail "unknown option: $(cat "$work/err")"

echo "$failures failures"
[ $failures -eq 0 ]
