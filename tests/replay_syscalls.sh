#!/bin/bash
# replay_syscalls.sh: fraglab's syscall counts (perf tracepoints, enabled
# only around the measured replay) against strace and against hand-computed
# figures.
#
# strace -f sees every syscall of every process; the replay child's measured
# region is bracketed by its own ioctl(PERF_EVENT_IOC_ENABLE/DISABLE) calls,
# so counting the child's mmap/munmap/mremap/brk/madvise lines between those
# two markers gives what the kernel counters must report.
#
# The bump allocator (tests/libbump.c) with BUMP_CHUNK=1 MiB makes the counts
# computable by hand for syscalls.jsonl built below:
#   - 5 blocks of 300000 bytes (>= chunk/4): one mmap and one munmap each;
#   - 40 blocks of 100000 bytes from 1 MiB chunks: each block takes 100016
#     bytes with its header, so 10 fit in a chunk; the first chunk was mapped
#     by the warm-up malloc before the measured region (and has room for 10
#     of them too, the warm-up block being 1 byte): 3 more chunk mmaps.
#   => mmap 8, munmap 5, mremap 0, brk 0, madvise 0.
# glibc is compared with strace only (its choices are its own).
# Finally the ptrace fallback (FRAGLAB_SYSCOUNT=ptrace) must count the same
# as perf, for both.
. tests/data/replay/lib.sh
command -v strace >/dev/null || { echo "strace not installed"; exit 77; }

{
	echo '{"format":"fraglab-trace","version":1,"name":"syscalls"}'
	for i in 0 1 2 3 4; do
		echo "{\"op\":\"malloc\",\"id\":$i,\"size\":300000}"
		echo "{\"op\":\"free\",\"id\":$i}"
	done
	for i in $(seq 0 39); do echo "{\"op\":\"malloc\",\"id\":$i,\"size\":100000}"; done
	for i in $(seq 0 39); do echo "{\"op\":\"free\",\"id\":$i}"; done
} >"$TMP/syscalls.jsonl"
COLS="mmap munmap mremap brk madvise"

# strace_counts STRACE-FILE: "mmap munmap mremap brk madvise" between the markers
strace_counts() {
	awk '
		/PERF_EVENT_IOC_ENABLE/ { pid = $1; on = 1; next }
		on && $1 == pid && /PERF_EVENT_IOC_DISABLE/ { on = 0; done = 1; next }
		on && $1 == pid {
			split($2, a, "(")
			n[a[1]]++
		}
		END {
			if (!done) { print "no markers"; exit }
			printf "%d %d %d %d %d\n", n["mmap"], n["munmap"], n["mremap"], n["brk"], n["madvise"]
		}' "$1"
}

fraglab_counts() {
	local out="" c
	for c in $COLS; do out="$out $(csv_col "$1" 1 $c)"; done
	echo ${out# }
}

check_against_strace() { # NAME ALLOC: prints fraglab's counts
	local name=$1 alloc=$2
	# LeakSanitizer (SAN=1 builds of fraglab) cannot run under ptrace
	ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 BUMP_CHUNK=1048576 strace -f -qq -o "$TMP/$name.strace" \
		-e trace=mmap,munmap,mremap,brk,madvise,ioctl \
		"$FRAGLAB" replay --alloc "$alloc" --runs 1 --csv "$TMP/$name.csv" "$TMP/syscalls.jsonl" \
		2>"$TMP/$name.err" || fail "$name replay under strace: $(cat "$TMP/$name.err")"
	if grep -q "syscall counts unavailable" "$TMP/$name.err"; then
		echo "perf syscall counting unavailable here: $(grep "syscall counts unavailable" "$TMP/$name.err")"
		exit 77
	fi
	local ours theirs
	ours=$(fraglab_counts "$TMP/$name.csv")
	theirs=$(strace_counts "$TMP/$name.strace")
	echo "$name: fraglab ($COLS) = $ours; strace between the markers = $theirs" >&2
	[ "$ours" = "$theirs" ] || fail "$name: fraglab counted '$ours', strace '$theirs'"
	echo "$ours"
}

bump=$(check_against_strace bump "$BUILD/tests/libbump.so")
[ "$bump" = "8 5 0 0 0" ] || fail "bump: fraglab counted '$bump', hand-computed '8 5 0 0 0'"
check_against_strace glibc glibc >/dev/null

# and without strace attached, the same bump counts
BUMP_CHUNK=1048576 "$FRAGLAB" replay --alloc "$BUILD/tests/libbump.so" --csv "$TMP/plain.csv" \
	"$TMP/syscalls.jsonl" 2>/dev/null || fail "plain replay"
[ "$(fraglab_counts "$TMP/plain.csv")" = "8 5 0 0 0" ] || fail "plain bump counts: $(fraglab_counts "$TMP/plain.csv")"
# the ptrace fallback (used where perf is not allowed) counts the same
for a in "$BUILD/tests/libbump.so" glibc; do
	BUMP_CHUNK=1048576 "$FRAGLAB" replay --alloc "$a" --csv "$TMP/perf.csv" "$TMP/syscalls.jsonl" 2>/dev/null ||
		fail "perf replay of $a"
	BUMP_CHUNK=1048576 FRAGLAB_SYSCOUNT=ptrace "$FRAGLAB" replay --alloc "$a" --csv "$TMP/ptrace.csv" \
		"$TMP/syscalls.jsonl" 2>"$TMP/ptrace.err" || fail "ptrace replay of $a: $(cat "$TMP/ptrace.err")"
	grep -q "syscall pass (ptrace): ok" "$TMP/ptrace.err" || fail "no ptrace pass: $(cat "$TMP/ptrace.err")"
	[ "$(fraglab_counts "$TMP/ptrace.csv")" = "$(fraglab_counts "$TMP/perf.csv")" ] ||
		fail "$a: ptrace counted '$(fraglab_counts "$TMP/ptrace.csv")', perf '$(fraglab_counts "$TMP/perf.csv")'"
done
[ "$(fraglab_counts "$TMP/ptrace.csv")" != "" ] || fail "ptrace counts empty"
echo "replay_syscalls: all checks passed"
