#!/bin/bash
# replay_rss.sh: heap RSS figures against pages counted by hand.
#
# The bump allocator (tests/libbump.c) with BUMP_CHUNK=1 MiB gives every
# 1 MiB block a mapping of its own, laid out as an 8-byte length, then the
# 16-byte header, then the block at offset 32: with --touch all the block's
# bytes [32, 32 + 1048576) span exactly 257 pages, and nothing else is
# written.  The trace mallocs 10 such blocks, then frees 5:
#   at the peak of live bytes (after event 10): 10 x 257 = 2570 pages
#   at the end: 5 x 257 = 1285 pages
#   with --touch none only the header page of each block: 10, then 5 pages
# final_rss_bytes and frag_at_peak_live (statm, summed exactly by the kernel)
# must match exactly; peak_rss_bytes comes from VmHWM, which the kernel
# refreshes from the mm's RSS counters while (kernel 6.1, SPLIT_RSS_COUNTING)
# each thread keeps up to 64 page-fault events per counter (anon, file, shmem)
# cached and unsummed; later kernels use per-CPU counters with a similar
# batch.  So it may lag the true peak: it must lie between the final RSS and
# the true peak, and within LAG_PAGES of the peak.  (A run here once read 74
# pages low, more than one counter's 64: the file counter lags as well.)
. tests/data/replay/lib.sh
BUMP=$BUILD/tests/libbump.so
PAGE=$(getconf PAGESIZE)
[ "$PAGE" = 4096 ] || { echo "page size $PAGE: the hand counts assume 4096"; exit 77; }
{
	echo '{"format":"fraglab-trace","version":1,"name":"rss"}'
	for i in $(seq 0 9); do echo "{\"op\":\"malloc\",\"id\":$i,\"size\":1048576}"; done
	for i in $(seq 0 4); do echo "{\"op\":\"free\",\"id\":$i}"; done
} >"$TMP/rss.jsonl"
LAG_PAGES=$((3 * 64))

check() { # TOUCH PEAK-PAGES FINAL-PAGES FRAG-AT-PEAK-LIVE
	local touch=$1 peak=$(($2 * PAGE)) final=$(($3 * PAGE)) frag=$4
	BUMP_CHUNK=1048576 "$FRAGLAB" replay --touch "$touch" --runs 3 --alloc "$BUMP" --csv "$TMP/$touch.csv" \
		"$TMP/rss.jsonl" 2>"$TMP/$touch.err" || fail "--touch $touch: $(cat "$TMP/$touch.err")"
	for run in 1 2 3; do
		local f p a
		f=$(csv_col "$TMP/$touch.csv" $run final_rss_bytes)
		p=$(csv_col "$TMP/$touch.csv" $run peak_rss_bytes)
		a=$(csv_col "$TMP/$touch.csv" $run frag_at_peak_live)
		[ "$f" = $final ] || fail "--touch $touch run $run: final_rss_bytes $f, want $final"
		[ "$a" = "$frag" ] || fail "--touch $touch run $run: frag_at_peak_live $a, want $frag"
		[ "$p" -le $peak ] && [ "$p" -ge $final ] && [ "$p" -ge $((peak - LAG_PAGES * PAGE)) ] ||
			fail "--touch $touch run $run: peak_rss_bytes $p, want $peak (or up to $LAG_PAGES pages less)"
		echo "--touch $touch run $run: peak $p of $peak, final $f, frag_at_peak_live $a"
	done
}
# 2570 pages / 10 MiB live = 1.0039; 10 pages / 10 MiB = 0.0039
check all 2570 1285 1.0039
check first 2570 1285 1.0039
check none 10 5 0.0039
echo "replay_rss: all checks passed"
