#!/bin/bash
# replay_basic.sh: fraglab replay's CSV and statuses, end to end.
#   - the exact header; events and peak_live_bytes hand-computed for
#     tests/data/replay/basic.json (650 bytes live after event 5);
#   - --series: one sample per event (K = 1 under 4000 events) with the
#     hand-computed live bytes;
#   - every status: ok, oom, crashed:SIGSEGV, crashed:SIGABRT, timeout,
#     preload-failed (failed, from --verify, is in replay_verify.sh);
#   - usage and input errors: exit 2, one line, no output file.
. tests/data/replay/lib.sh
BUMP=$BUILD/tests/libbump.so
FAULTS=$BUILD/tests/libbroken_faults.so

# --- ok rows, exact figures
"$FRAGLAB" replay --alloc glibc --alloc "$BUMP" --runs 2 --csv "$TMP/ok.csv" \
	--series "$TMP/series.csv" "$DATA/basic.json" 2>"$TMP/ok.err" || fail "basic replay failed: $(cat "$TMP/ok.err")"
[ "$(head -n 1 "$TMP/ok.csv")" = "$REPLAY_HEADER" ] || fail "header is: $(head -n 1 "$TMP/ok.csv")"
[ "$(csv_rows "$TMP/ok.csv")" = 4 ] || fail "want 4 rows (2 allocators x 2 runs)"
for row in 1 2 3 4; do
	[ "$(csv_col "$TMP/ok.csv" $row trace)" = replay-basic ] || fail "row $row: trace"
	[ "$(csv_col "$TMP/ok.csv" $row status)" = ok ] || fail "row $row: status"
	[ "$(csv_col "$TMP/ok.csv" $row events)" = 11 ] || fail "row $row: events"
	[ "$(csv_col "$TMP/ok.csv" $row peak_live_bytes)" = 650 ] || fail "row $row: peak_live_bytes"
	[ -n "$(csv_col "$TMP/ok.csv" $row seconds)" ] || fail "row $row: no seconds"
	[ -n "$(csv_col "$TMP/ok.csv" $row peak_rss_bytes)" ] || fail "row $row: no peak_rss_bytes"
done
[ "$(csv_col "$TMP/ok.csv" 1 allocator)" = glibc ] && [ "$(csv_col "$TMP/ok.csv" 2 run)" = 2 ] ||
	fail "allocator/run columns"
ls "$TMP" | grep -q '\.tmp\.' && fail "temporary file left behind"

[ "$(head -n 1 "$TMP/series.csv")" = "trace,allocator,event,live_bytes,heap_rss_bytes,mapped_bytes" ] ||
	fail "series header: $(head -n 1 "$TMP/series.csv")"
live=$(awk -F, '$2 == "glibc" { printf "%s ", $4 }' "$TMP/series.csv")
[ "$live" = "100 300 400 600 400 650 550 600 300 50 0 " ] || fail "glibc series live bytes: $live"
events=$(awk -F, '$2 == "glibc" { printf "%s ", $3 }' "$TMP/series.csv")
[ "$events" = "1 2 3 4 5 6 7 8 9 10 11 " ] || fail "series events: $events"
# glibc reports mapped bytes (mallinfo2), the bump allocator reports none
awk -F, '$2 == "glibc" && $6 == "" { exit 1 }' "$TMP/series.csv" || fail "glibc mapped_bytes empty"
awk -F, -v b="$BUMP" '$2 == b && $6 != "" { exit 1 }' "$TMP/series.csv" || fail "bump mapped_bytes not empty"

# --- a longer series: K = events / 2000
"$FRAGLAB" gen uniform --events 10000 -o "$TMP/u10k.jsonl" || fail "fraglab gen"
"$FRAGLAB" replay --alloc "$BUMP" --csv "$TMP/k.csv" --series "$TMP/k-series.csv" "$TMP/u10k.jsonl" 2>/dev/null ||
	fail "series replay"
n=$(csv_col "$TMP/k.csv" 1 events)
k=$((n / 2000))
[ "$(csv_rows "$TMP/k-series.csv")" = $((n / k)) ] || fail "$(csv_rows "$TMP/k-series.csv") series rows for $n events, want $((n / k))"
[ "$(awk -F, 'NR == 2 { print $3 }' "$TMP/k-series.csv")" = $k ] || fail "first sample not after $k events"
[ -n "$(csv_col "$TMP/k.csv" 1 frag_mean)" ] && [ -n "$(csv_col "$TMP/k.csv" 1 frag_at_peak_live)" ] ||
	fail "series-pass columns empty"

# --- CSV on stdout when no --csv; progress only on stderr
"$FRAGLAB" replay --touch none "$DATA/basic.json" >"$TMP/stdout.csv" 2>"$TMP/stdout.err" || fail "stdout replay"
[ "$(head -n 1 "$TMP/stdout.csv")" = "$REPLAY_HEADER" ] && [ "$(csv_rows "$TMP/stdout.csv")" = 1 ] ||
	fail "stdout CSV: $(cat "$TMP/stdout.csv")"
grep -q "replay: replay-basic / glibc run 1/1: ok" "$TMP/stdout.err" || fail "no progress line: $(cat "$TMP/stdout.err")"

# --- every touch mode, a generated trace, with and without latency
"$FRAGLAB" gen uniform --events 20000 -o "$TMP/uniform.jsonl" || fail "fraglab gen"
for touch in all first none; do
	"$FRAGLAB" replay --touch $touch --latency --alloc "$BUMP" --csv "$TMP/t.csv" "$TMP/uniform.jsonl" 2>/dev/null ||
		fail "--touch $touch"
	[ "$(csv_col "$TMP/t.csv" 1 status)" = ok ] || fail "--touch $touch status"
	p50=$(csv_col "$TMP/t.csv" 1 malloc_p50_ns)
	max=$(csv_col "$TMP/t.csv" 1 free_max_ns)
	[ -n "$p50" ] && [ -n "$max" ] || fail "--latency columns empty"
done
# touching every byte faults big blocks in; touching none leaves all but
# their header pages out
"$FRAGLAB" gen big --events 60 -o "$TMP/big.jsonl" || fail "fraglab gen big"
"$FRAGLAB" replay --touch all --alloc "$BUMP" --csv "$TMP/all.csv" "$TMP/big.jsonl" 2>/dev/null
"$FRAGLAB" replay --touch none --alloc "$BUMP" --csv "$TMP/none.csv" "$TMP/big.jsonl" 2>/dev/null
rss_all=$(csv_col "$TMP/all.csv" 1 peak_rss_bytes)
rss_none=$(csv_col "$TMP/none.csv" 1 peak_rss_bytes)
[ "$rss_all" -gt $((rss_none + 1000000)) ] || fail "--touch all RSS $rss_all not above --touch none RSS $rss_none"

# --- failure statuses, each with its row and exit 1
status_of() { # MODE EXTRA-ARGS...: status of a run of fault.json on libbroken_faults
	local mode=$1; shift
	BROKEN_FAULT=$mode "$FRAGLAB" replay --alloc "$FAULTS" "$@" --csv "$TMP/f.csv" "$DATA/fault.json" 2>"$TMP/f.err"
	local rc=$?
	[ $rc = 1 ] || fail "BROKEN_FAULT=$mode: exit $rc, want 1: $(cat "$TMP/f.err")"
	csv_col "$TMP/f.csv" 1 status
}
[ "$(status_of oom)" = oom ] || fail "oom status"
grep -q "event 1 (malloc of slot 1, 4242 bytes) returned NULL" "$TMP/f.err" || fail "oom message: $(cat "$TMP/f.err")"
[ "$(status_of crash)" = crashed:SIGSEGV ] || fail "crash status"
[ "$(status_of abort)" = crashed:SIGABRT ] || fail "abort status"
start=$SECONDS
[ "$(status_of hang --timeout 1)" = timeout ] || fail "timeout status"
[ $((SECONDS - start)) -lt 20 ] || fail "timeout took $((SECONDS - start)) s"
BROKEN_FAULT=none "$FRAGLAB" replay --alloc "$FAULTS" --csv "$TMP/f.csv" "$DATA/fault.json" 2>/dev/null ||
	fail "libbroken_faults without a fault must pass"

"$FRAGLAB" replay --alloc "$BUILD/tests/libbroken_nomalloc.so" --csv "$TMP/p.csv" "$DATA/basic.json" 2>"$TMP/p.err"
[ $? = 1 ] || fail "preload-failed exit status"
[ "$(csv_col "$TMP/p.csv" 1 status)" = preload-failed ] || fail "preload-failed status"
grep -q "malloc is served by .*libc.so.6, not .*libbroken_nomalloc.so" "$TMP/p.err" || fail "preload message: $(cat "$TMP/p.err")"

# --- usage and input errors: exit 2, one line, nothing written
usage_error() { # EXPECTED-MESSAGE ARGS...
	local want=$1; shift
	rm -f "$TMP/u.csv"
	"$FRAGLAB" replay "$@" >"$TMP/u.out" 2>"$TMP/u.err"
	local rc=$?
	[ $rc = 2 ] || fail "'$*': exit $rc, want 2"
	grep -q -- "$want" "$TMP/u.err" || fail "'$*': message '$(cat "$TMP/u.err")' lacks '$want'"
	[ ! -e "$TMP/u.csv" ] || fail "'$*' wrote a CSV"
	[ ! -s "$TMP/u.out" ] || fail "'$*' wrote to stdout"
	ls "$TMP" | grep -q '\.tmp\.' && fail "'$*' left a temporary file"
	return 0
}
usage_error "no trace given" --csv "$TMP/u.csv"
usage_error "unknown or incomplete option '--bogus'" --bogus "$DATA/basic.json"
usage_error "--touch wants all, first or none" --touch some --csv "$TMP/u.csv" "$DATA/basic.json"
usage_error "--runs wants a whole number" --runs 0 --csv "$TMP/u.csv" "$DATA/basic.json"
usage_error "--timeout wants seconds" --timeout -3 --csv "$TMP/u.csv" "$DATA/basic.json"
usage_error "unknown allocator 'nosuch'" --alloc nosuch --csv "$TMP/u.csv" "$DATA/basic.json"
usage_error "bad_free.json" --csv "$TMP/u.csv" "$DATA/basic.json" "$DATA/bad_free.json"
usage_error "no-such-trace.json" --csv "$TMP/u.csv" "$DATA/no-such-trace.json"
echo "replay_basic: all checks passed"
