#!/bin/bash
# replay_faults_continue: issue 5's faults in the thing measured.  An
# allocator that returns NULL gives a row with status oom, one that crashes
# a row with crashed:SIGNAL; either way the runs after it still happen (the
# next run of the same allocator, the next allocator, the next trace) and
# the files written are whole: one header, every row with as many fields
# as the header, every row present.
#   1. libbroken_faults (tests/libbroken_faults.c) in oom, crash and abort
#      modes, between two healthy allocators, two runs each, two traces;
#   2. real memory exhaustion: glibc asked for 1 TiB under RLIMIT_AS
#      (ulimit -v) returns NULL -> status oom, and the next event's trace
#      still replays.  Not under SAN=1: ASan cannot start in a small
#      address space.
. tests/data/replay/lib.sh
# Syscall counting (a perf or ptrace pass per trace and allocator) is not
# what is tested here and costs seconds.
export FRAGLAB_SYSCOUNT=none
FAULTS=$BUILD/tests/libbroken_faults.so
BUMP=$BUILD/tests/libbump.so

# whole_csv FILE ROWS: a header and ROWS rows, each with the header's fields.
whole_csv() {
	[ "$(head -n 1 "$1")" = "$REPLAY_HEADER" ] || fail "$1: header is $(head -n 1 "$1")"
	[ "$(csv_rows "$1")" = "$2" ] || fail "$1: $(csv_rows "$1") rows, want $2"
	awk -F, 'NR == 1 { n = NF } NF != n { print "row " NR - 1 " has " NF " fields, header " n; bad = 1 }
		END { exit bad }' "$1" || fail "$1: ragged rows"
	ls "$TMP" | grep -q '\.tmp' && fail "a temporary file is left: $(ls "$TMP")"
	return 0
}

# 1. Faulty allocator between healthy ones: rows in order, statuses per row.
for mode in oom crash abort; do
	case $mode in
	oom) want=oom ;;
	crash) want=crashed:SIGSEGV ;;
	abort) want=crashed:SIGABRT ;;
	esac
	BROKEN_FAULT=$mode "$FRAGLAB" replay --alloc glibc --alloc "$FAULTS" --alloc "$BUMP" --runs 2 \
		--csv "$TMP/$mode.csv" --series "$TMP/$mode-series.csv" "$DATA/fault.json" "$DATA/basic.json" \
		2>"$TMP/$mode.err"
	rc=$?
	[ $rc -eq 1 ] || fail "$mode: exit $rc, want 1 (some run not ok): $(tail -n 3 "$TMP/$mode.err")"
	# 2 traces x 3 allocators x 2 runs
	whole_csv "$TMP/$mode.csv" 12
	for row in $(seq 1 12); do
		trace=$(csv_col "$TMP/$mode.csv" "$row" trace)
		alloc=$(csv_col "$TMP/$mode.csv" "$row" allocator)
		status=$(csv_col "$TMP/$mode.csv" "$row" status)
		# Only malloc(4242), in fault.json, trips the broken allocator.
		expect=ok
		[ "$trace" = replay-fault ] && [ "$alloc" = "$FAULTS" ] && expect=$want
		[ "$status" = "$expect" ] || fail "$mode: row $row ($trace, $alloc): status $status, want $expect"
	done
	# The series of the healthy allocators are complete (4 events of
	# fault.json, 11 of basic.json, each).
	for alloc in glibc "$BUMP"; do
		n=$(awk -F, -v a="$alloc" '$2 == a' "$TMP/$mode-series.csv" | wc -l)
		[ "$n" -eq 15 ] || fail "$mode: $n series samples for $alloc, want 15"
	done
done

# 2. A real NULL from the allocator: 1 TiB under a 4 GiB address-space limit.
if [ "${SAN:-0}" = 1 ]; then
	echo "replay_faults_continue: RLIMIT_AS part skipped under SAN=1"
else
	cat >"$TMP/huge.jsonl" <<'TRACE'
{"format":"fraglab-trace","version":1,"name":"huge"}
{"op":"malloc","id":0,"size":64}
{"op":"malloc","id":1,"size":1099511627776}
{"op":"free","id":1}
{"op":"free","id":0}
TRACE
	(ulimit -v 4194304 && "$FRAGLAB" replay --alloc glibc --alloc flmalloc --runs 2 --csv "$TMP/huge.csv" \
		"$TMP/huge.jsonl" "$DATA/basic.json" 2>"$TMP/huge.err")
	rc=$?
	[ $rc -eq 1 ] || fail "RLIMIT_AS: exit $rc, want 1: $(tail -n 3 "$TMP/huge.err")"
	whole_csv "$TMP/huge.csv" 8
	for row in $(seq 1 8); do
		trace=$(csv_col "$TMP/huge.csv" "$row" trace)
		status=$(csv_col "$TMP/huge.csv" "$row" status)
		expect=ok
		[ "$trace" = huge ] && expect=oom
		[ "$status" = "$expect" ] || fail "RLIMIT_AS: row $row ($trace): status $status, want $expect"
	done
	grep -q "returned NULL" "$TMP/huge.err" || fail "RLIMIT_AS: no 'returned NULL' message: $(cat "$TMP/huge.err")"
fi
echo "replay_faults_continue: all checks passed"
