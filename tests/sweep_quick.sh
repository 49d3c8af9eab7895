#!/bin/bash
# sweep_quick.sh: `fraglab sweep` end to end on one tiny trace, one run per
# point, two values per numeric sweep: the three CSVs and their summaries
# exist, are whole and have one row per point; the setting really reaches
# flmalloc (FLMALLOC_BIG=4K maps far more often than 1M on a trace of
# sizes up to 256 KiB); the figures are drawn when gnuplot is present; bad
# usage is one line and exit 2.
set -u
FRAGLAB="$BUILD/fraglab"
[ -x "$FRAGLAB" ] || { echo "no $FRAGLAB"; exit 77; }
[ -x "$BUILD/fraglab-child" ] || { echo "replay's child $BUILD/fraglab-child not built"; exit 77; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export FRAGLAB_CACHE_DIR="$tmp/cache"
fail() { echo "FAIL: $*"; exit 1; }
whole_csv() {
	[ -s "$1" ] || fail "$1 missing or empty"
	awk -F, 'NR == 1 { n = NF } NF != n { bad = 1 } END { exit bad }' "$1" || fail "$1 has ragged rows"
}
rows() { tail -n +2 "$1" | wc -l; }

"$FRAGLAB" gen powerlaw --events 3000 -o "$tmp/powerlaw.jsonl" || fail "gen"
# The sweep measures flmalloc; if flmalloc cannot replay this trace at all,
# its own tests say why and there is nothing here to check.
"$FRAGLAB" replay --alloc flmalloc --runs 1 --csv "$tmp/probe.csv" "$tmp/powerlaw.jsonl" 2>/dev/null
grep -q ',ok,' "$tmp/probe.csv" 2>/dev/null || { echo "flmalloc cannot replay the trace (see the allocator's tests)"; exit 77; }

out="$tmp/results"
"$FRAGLAB" sweep --runs 1 --big 4K,1M --keep 0,1M --out "$out" "$tmp/powerlaw.jsonl" || fail "sweep exited $?"

for s in big keep policy; do
	whole_csv "$out/sweep-$s.csv"
	whole_csv "$out/sweep-$s-summary.csv"
done
[ "$(rows "$out/sweep-big.csv")" -eq 2 ] || fail "sweep-big.csv should have 2 rows"
[ "$(rows "$out/sweep-keep.csv")" -eq 2 ] || fail "sweep-keep.csv should have 2 rows"
[ "$(rows "$out/sweep-policy.csv")" -eq 5 ] || fail "sweep-policy.csv should have 5 rows (glibc + 4 policies)"
for p in glibc addr lifo best seg; do
	grep -q ",policy,$p," "$out/sweep-policy-summary.csv" || fail "no policy row for $p"
done
# Every run ok.
awk -F, 'FNR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next } $c["status"] != "ok" { bad = 1 } END { exit bad }' \
	"$out/sweep-big.csv" "$out/sweep-keep.csv" "$out/sweep-policy.csv" || fail "a sweep run was not ok"

# The setting reaches the allocator: more mmap calls with the 4 KiB cutoff.
mmaps() {
	awk -F, -v v="$1" 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next } $c["value"] == v { print $c["mmap"] }' \
		"$out/sweep-big.csv"
}
small=$(mmaps 4096) large=$(mmaps 1048576)
echo "mmap calls: FLMALLOC_BIG=4K $small, FLMALLOC_BIG=1M $large"
[ -n "$small" ] && [ -n "$large" ] && [ "$small" -gt "$large" ] || fail "FLMALLOC_BIG did not change flmalloc's mmap calls"

if command -v gnuplot >/dev/null; then
	for s in big keep policy; do
		[ "$(head -c 4 "$out/sweep-$s.png" | od -An -c | tr -d ' ')" = '211PNG' ] || fail "sweep-$s.png is not a PNG"
		grep -q '</svg>' "$out/sweep-$s.svg" || fail "sweep-$s.svg is not a whole SVG"
	done
fi
[ -z "$(find "$out" -name '*.tmp*' -o -name '.sweep-work-*')" ] || fail "temporary files left behind"

for args in "--only nothing" "--big 12Q" "--keep ," "--alloc glibc" "--runs 0"; do
	# shellcheck disable=SC2086
	"$FRAGLAB" sweep $args "$tmp/powerlaw.jsonl" >/dev/null 2>"$tmp/err"
	rc=$?
	[ $rc -eq 2 ] || fail "sweep $args exited $rc, not 2"
	[ "$(wc -l <"$tmp/err")" -eq 1 ] || fail "sweep $args did not print exactly one line"
done
echo "sweep_quick: ok"
