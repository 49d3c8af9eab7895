# lib.sh: helpers sourced by the tests/replay_*.sh scripts.
#   FRAGLAB, DATA, TMP (removed at exit), FRAGLAB_CACHE_DIR inside TMP
#   fail MSG            print and exit 1
#   csv_col FILE ROW NAME   value of column NAME in data row ROW (1-based)
#   csv_rows FILE       number of data rows
set -u
FRAGLAB=${BUILD:?BUILD must name the build directory}/fraglab
DATA=tests/data/replay
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
export FRAGLAB_CACHE_DIR=$TMP/cache
REPLAY_HEADER='trace,allocator,run,status,events,seconds,ns_per_op,ops_per_s,peak_live_bytes,peak_rss_bytes,final_rss_bytes,frag_peak,frag_at_peak_live,frag_mean,mmap,munmap,mremap,brk,madvise,minor_faults,threads,alloc_seconds,wait_seconds,blocked_waits,handoffs,remote_frees,thread_events,thread_ops_per_s,thread_wait_seconds'

fail() {
	echo "FAIL: $*"
	exit 1
}

# Column NAME of data row ROW; the fields in these tests hold no commas.
csv_col() {
	awk -F, -v row="$2" -v name="$3" '
		NR == 1 { for (i = 1; i <= NF; i++) if ($i == name) col = i; next }
		NR == row + 1 { if (col) print $col; else print "NO-SUCH-COLUMN" }' "$1"
}

csv_rows() {
	echo $(($(wc -l <"$1") - 1))
}
