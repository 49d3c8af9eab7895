#!/bin/bash
# replay_verify.sh: --verify catches an allocator that hands out overlapping
# blocks (tests/libbroken_overlap.c), and passes real allocators: glibc,
# the bump allocator, and flmalloc under each policy when it is built.
. tests/data/replay/lib.sh
BROKEN=$BUILD/tests/libbroken_overlap.so

# 1000-byte blocks: libbroken_overlap places each half a block after the last.
{
	echo '{"format":"fraglab-trace","version":1,"name":"verify-overlap"}'
	for i in 0 1 2 3; do echo "{\"op\":\"malloc\",\"id\":$i,\"size\":1000}"; done
	for i in 0 1 2 3; do echo "{\"op\":\"free\",\"id\":$i}"; done
} >"$TMP/overlap.jsonl"

"$FRAGLAB" replay --verify --alloc "$BROKEN" --csv "$TMP/broken.csv" "$TMP/overlap.jsonl" 2>"$TMP/broken.err"
rc=$?
[ $rc = 1 ] || fail "broken allocator under --verify: exit $rc, want 1"
[ "$(csv_col "$TMP/broken.csv" 1 status)" = failed ] || fail "status: $(csv_col "$TMP/broken.csv" 1 status)"
grep -q "event 1 (malloc of slot 1, 1000 bytes): block 0x[0-9a-f]* overlaps live block \[0x[0-9a-f]*, 0x[0-9a-f]*) of slot 0 (allocator .*libbroken_overlap.so)" "$TMP/broken.err" ||
	fail "message: $(cat "$TMP/broken.err")"
# without --verify the same allocator "works": that is what --verify is for
"$FRAGLAB" replay --alloc "$BROKEN" --csv "$TMP/unverified.csv" "$TMP/overlap.jsonl" 2>/dev/null ||
	fail "the broken allocator should pass without --verify"

# Real allocators pass on a mix of every op.
"$FRAGLAB" gen uniform --events 20000 -o "$TMP/uniform.jsonl" || fail "fraglab gen uniform"
"$FRAGLAB" gen realloc-growth --events 5000 -o "$TMP/realloc.jsonl" || fail "fraglab gen realloc-growth"
allocs=(--alloc glibc --alloc "$BUILD/tests/libbump.so")
if [ -f "$BUILD/libflmalloc.so" ]; then
	for p in addr lifo best seg; do allocs+=(--alloc "flmalloc:$p"); done
else
	echo "note: $BUILD/libflmalloc.so not built: flmalloc not verified here"
fi
"$FRAGLAB" replay --verify "${allocs[@]}" --csv "$TMP/good.csv" \
	"$DATA/basic.json" "$TMP/uniform.jsonl" "$TMP/realloc.jsonl" 2>"$TMP/good.err" ||
	fail "a real allocator failed --verify: $(grep -v ': ok' "$TMP/good.err")"
n=$(csv_rows "$TMP/good.csv")
[ "$n" = $((3 * ${#allocs[@]} / 2)) ] || fail "want $((3 * ${#allocs[@]} / 2)) rows, got $n"
echo "replay_verify: all checks passed"
