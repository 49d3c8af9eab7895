#!/bin/bash
# replay_preload.sh: every allocator fraglab replay names is really the one
# serving malloc in the replay child, and a missing one is an error, never
# a silent run on glibc.
#   - a missing .so path, or an unknown name: exit 2, one clear line, no row;
#   - a .so that loads but defines no malloc: status preload-failed;
#   - each of jemalloc, mimalloc, tcmalloc, when its Debian library is
#     installed (else reported as skipped): status ok, which the child
#     grants only once malloc/calloc/realloc/memalign/free resolve into that
#     library and its own symbol (mallctl, mi_version, tc_version) is there;
#     and its series reports mapped bytes through its own statistics API;
#   - flmalloc:POLICY for each policy, when libflmalloc.so is built: ok,
#     which needs flmalloc_stats to resolve into libflmalloc.so.
. tests/data/replay/lib.sh

out=$("$FRAGLAB" replay --alloc /nonexistent/libnothing.so --csv "$TMP/m.csv" "$DATA/basic.json" 2>&1)
rc=$?
[ $rc = 2 ] || fail "missing .so: exit $rc, want 2"
[ "$out" = "fraglab replay: allocator '/nonexistent/libnothing.so': no such file" ] || fail "missing .so message: $out"
[ ! -e "$TMP/m.csv" ] || fail "missing .so wrote a CSV"

"$FRAGLAB" replay --alloc "$BUILD/tests/libbroken_nomalloc.so" --csv "$TMP/n.csv" "$DATA/basic.json" 2>/dev/null
[ $? = 1 ] && [ "$(csv_col "$TMP/n.csv" 1 status)" = preload-failed ] || fail "nomalloc .so not refused"

tested=0
for a in jemalloc mimalloc tcmalloc; do
	if ! "$FRAGLAB" replay --alloc $a --csv "$TMP/$a.csv" --series "$TMP/$a-series.csv" \
		"$DATA/basic.json" 2>"$TMP/$a.err"; then
		if grep -q "allocator '$a': library not found" "$TMP/$a.err"; then
			echo "skip $a: $(cat "$TMP/$a.err")"
			continue
		fi
		fail "$a: $(cat "$TMP/$a.err")"
	fi
	[ "$(csv_col "$TMP/$a.csv" 1 status)" = ok ] || fail "$a status"
	[ "$(csv_col "$TMP/$a.csv" 1 allocator)" = $a ] || fail "$a allocator column"
	awk -F, 'NR > 1 && $6 == "" { exit 1 }' "$TMP/$a-series.csv" || fail "$a reports no mapped bytes"
	echo "ok $a"
	tested=$((tested + 1))
done

if [ -f "$BUILD/libflmalloc.so" ]; then
	for p in addr lifo best seg; do
		"$FRAGLAB" replay --alloc flmalloc:$p --csv "$TMP/fl.csv" --series "$TMP/fl-series.csv" \
			"$DATA/basic.json" 2>"$TMP/fl.err" || fail "flmalloc:$p: $(cat "$TMP/fl.err")"
		[ "$(csv_col "$TMP/fl.csv" 1 allocator)" = flmalloc:$p ] || fail "flmalloc:$p allocator column"
		awk -F, 'NR > 1 && $6 == "" { exit 1 }' "$TMP/fl-series.csv" || fail "flmalloc:$p reports no mapped bytes"
		echo "ok flmalloc:$p"
		tested=$((tested + 1))
	done
else
	echo "skip flmalloc: $BUILD/libflmalloc.so not built"
fi
if [ $tested = 0 ]; then
	echo "no peer allocator installed and flmalloc not built: nothing more to check"
	exit 77
fi
echo "replay_preload: all checks passed ($tested allocators served)"
