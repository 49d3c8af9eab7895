#!/bin/bash
# fraglab record: a multi-threaded program with known event counts (per
# thread, per op), a fork child, a fork/exec tree through sh, --first-only,
# gzip output, a real program (python3), and the errors: missing command,
# unwritable output, static binary, set-uid binary, failing command.
set -u
FRAGLAB="$BUILD/fraglab"
PROG="$BUILD/tests/prog_record_threads"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
export FRAGLAB_CACHE_DIR="$T/cache"
fail() { echo "FAIL: $*"; exit 1; }
[ -x "$PROG" ] && [ -f "$BUILD/libfltrace.so" ] || fail "build $PROG and $BUILD/libfltrace.so first"

# valid TRACE: an independent check of the v1 rules the recorder must keep
# (no id allocated twice while live, no free/realloc of an id not live,
# tid on every event), then 'fraglab check' once it exists.
valid() {
	gzip -cdf "$1" | awk '
		NR == 1 { if ($0 !~ /"format":"fraglab-trace","version":1/) { print "bad header"; exit 1 } next }
		{
			if (!match($0, /"op":"[a-z]+"/)) { print "line " NR ": no op"; exit 1 }
			op = substr($0, RSTART + 6, RLENGTH - 7)
			if (!match($0, /"id":[0-9]+/)) { print "line " NR ": no id"; exit 1 }
			id = substr($0, RSTART + 5, RLENGTH - 5)
			if ($0 !~ /"tid":[0-9]+/) { print "line " NR ": no tid"; exit 1 }
			if (op == "free" || op == "realloc") {
				if (!(id in live)) { print "line " NR ": " op " of id " id " not live"; exit 1 }
				if (op == "free") delete live[id]
			} else {
				if (id in live) { print "line " NR ": " op " of live id " id; exit 1 }
				live[id] = 1
			}
		}' || fail "$1 breaks the trace rules"
	local out
	out=$("$FRAGLAB" check "$1" 2>&1) && return 0
	case $out in *"not built yet"*) echo "note: fraglab check not built yet" ;; *) fail "fraglab check rejects $1: $out" ;; esac
}

# count TRACE TID OP [big]: events of TID with op OP (big: only those of
# at least 1000 bytes, the test program's own).  One jq pass per trace.
count() {
	local sum="$1.counts"
	[ -f "$sum" ] || gzip -cdf "$1" | jq -r 'select(.op) | "\(.tid) \(.op) \(if ((.size // 1e9) * (.nmemb // 1)) >= 1000 then "big" else "small" end)"' |
		sort | uniq -c >"$sum"
	awk -v tid="$2" -v op="$3" -v big="${4:-}" '$2 == tid && $3 == op && (big == "" || $4 == "big") { n += $1 } END { print n + 0 }' "$sum"
}

# 1. Threads and a fork child.
THREADS=4 ITERS=1500
"$FRAGLAB" record -o "$T/threads.jsonl" -- "$PROG" $THREADS $ITERS fork 2>"$T/err" || { cat "$T/err"; fail "record failed"; }
cat "$T/err"
valid "$T/threads.jsonl"
for t in $(seq 1 $THREADS); do
	for spec in "malloc $((2 * ITERS))" "calloc $ITERS" "realloc $ITERS" "memalign $((3 * ITERS))" "free $((7 * ITERS))"; do
		set -- $spec
		got=$(count "$T/threads.jsonl" "$t" "$1")
		[ "$got" -eq "$2" ] || fail "thread $t: $got $1 events, want $2"
	done
done
# Main thread: the handoff array and THREADS*ITERS blocks of >= 1000 bytes.
got=$(count "$T/threads.jsonl" 0 malloc big)
[ "$got" -eq $((THREADS * ITERS + 1)) ] || fail "main thread: $got mallocs >= 1000 B, want $((THREADS * ITERS + 1))"
[ "$(jq -r 'select(.tid > 0) | .tid' "$T/threads.jsonl" | sort -u | wc -l)" -eq $THREADS ] || fail "not $THREADS worker tids"
children=("$T"/threads.[0-9]*[0-9].jsonl)
[ ${#children[@]} -eq 1 ] && [ -f "${children[0]}" ] || fail "want exactly one fork-child trace, got: ${children[*]}"
valid "${children[0]}"
# The child's trace opens with the blocks it inherited (live in the parent
# at the fork, among them the handoff array of THREADS*ITERS pointers),
# then holds exactly its own events.
awk 'NR > 1 { inh = /"inherited":true/; if (inh && seen_own) bad = 1; if (!inh) seen_own = 1 } END { exit bad }' \
	"${children[0]}" || fail "fork child: inherited blocks are not all at the start"
grep '"inherited":true' "${children[0]}" | grep -q "\"size\":$((THREADS * ITERS * 8))," ||
	fail "fork child: the handoff array is not among the inherited blocks"
grep -v '"inherited":true' "${children[0]}" >"$T/child-own.jsonl"
for spec in "malloc $((3 * ITERS))" "calloc $ITERS" "realloc $ITERS" "memalign $((3 * ITERS))" "free $((7 * ITERS))"; do
	set -- $spec
	got=$(count "$T/child-own.jsonl" 0 "$1")
	[ "$got" -eq "$2" ] || fail "fork child: $got $1 events, want $2"
done
[ "$(jq -c 'select(.op)' "$T/child-own.jsonl" | wc -l)" -eq $((15 * ITERS)) ] || fail "fork child has events that are not its own"
echo "ok: threads and fork child ($(grep -c '"inherited":true' "${children[0]}") inherited blocks)"

# 1b. Thread churn: 20 short threads after the workers reuse the trace tids
# of exited threads, so the trace still has THREADS + 1 tids.
"$FRAGLAB" record -o "$T/churn.jsonl" -- "$PROG" $THREADS 50 churn 2>/dev/null || fail "churn recording failed"
valid "$T/churn.jsonl"
tids=$(jq -r 'select(.op) | .tid' "$T/churn.jsonl" | sort -u | wc -l)
[ "$tids" -eq $((THREADS + 1)) ] || fail "churn: $tids tids, want $((THREADS + 1))"
big=$(jq -c 'select(.op and .tid > 0)' "$T/churn.jsonl" | wc -l)
[ "$big" -eq $((THREADS * 50 * 14 + 20 * 13)) ] || fail "churn: $big events off the main thread, want $((THREADS * 50 * 14 + 20 * 13))"
echo "ok: thread churn keeps $tids tids"

# 2. The recorded trace replays with --verify (contents kept, no overlap),
# in its global order: the recorder's contract.  Replaying it on its
# recorded threads is the replayer's own test (issue 8).
out=$("$FRAGLAB" replay --threads 1 --verify "$T/threads.jsonl" 2>&1) || case $out in
	*"not built yet"*) echo "note: fraglab replay not built yet" ;;
	*) fail "replay --verify failed: $out" ;;
esac

# 3. --first-only and gzip output.
"$FRAGLAB" record --first-only -o "$T/first.jsonl.gz" -- "$PROG" 2 100 fork 2>/dev/null || fail "--first-only failed"
gzip -t "$T/first.jsonl.gz" || fail "output is not gzip"
valid "$T/first.jsonl.gz"
ls "$T"/first.*[0-9]* >/dev/null 2>&1 && fail "--first-only recorded other processes"
echo "ok: --first-only, gzip"

# 4. A fork/exec tree through the shell: each process image its own trace;
# no free anywhere is of a block the trace never saw allocated.
"$FRAGLAB" record -o "$T/tree.jsonl" -- /bin/sh -c "$PROG 1 200 & $PROG 2 100; wait" 2>"$T/err" || { cat "$T/err"; fail "tree failed"; }
cat "$T/err"
for t in "$T"/tree*.jsonl; do valid "$t"; done
grep -q "frees of blocks allocated before recording began" "$T/err" && fail "a forked shell freed blocks its trace never saw"
# The shell's forked children are traced too (image 0, before their exec);
# the programs' own images are named by their command line in the header.
a=$(grep -l "\"name\":\"record: $PROG 1 200 (pid" "$T"/tree*.jsonl) || fail "no trace of the first child"
b=$(grep -l "\"name\":\"record: $PROG 2 100 (pid" "$T"/tree*.jsonl) || fail "no trace of the second child"
[ "$(ls "$T"/tree*.jsonl | wc -l)" -ge 3 ] || fail "want the shell and both children traced"
[ "$(count "$a" 1 free)" -eq $((7 * 200)) ] || fail "first child: wrong free count"
[ "$(count "$b" 2 memalign)" -eq $((3 * 100)) ] || fail "second child: wrong memalign count"
echo "ok: fork/exec tree"

# 4b. Many short processes (a shell loop): one trace per exec'd image, all
# valid.  (Converting a log reads only its written part: a shell loop used
# to cost seconds per process here.)
"$FRAGLAB" record -o "$T/loop.jsonl" -- /bin/sh -c 'for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do ls / >/dev/null; done' \
	2>/dev/null || fail "shell loop failed"
[ "$(grep -l '"name":"record: ls / (pid' "$T"/loop*.jsonl | wc -l)" -eq 20 ] || fail "not 20 ls traces from the loop"
for t in "$T"/loop*.jsonl; do valid "$t" >/dev/null; done
echo "ok: shell loop of 20 processes"

# 5. A real program.
PYTHONMALLOC=malloc "$FRAGLAB" record -o "$T/py.jsonl" -- /usr/bin/python3 -c \
	'import json; d = {str(i): [i] * (i % 7) for i in range(20000)}; s = json.dumps(d); json.loads(s)' \
	2>/dev/null || fail "python3 recording failed"
valid "$T/py.jsonl"
[ "$(wc -l <"$T/py.jsonl")" -gt 20000 ] || fail "python3 trace is too short"
echo "ok: python3"

# 5b. A program that closes every descriptor it did not open and reuses the
# numbers: the shim must neither lose its log nor touch the program's file
# when the log grows (1.2 M events: past the first 40 MiB chunk).
PYTHONMALLOC=malloc "$FRAGLAB" record -o "$T/closefds.jsonl" -- /usr/bin/python3 -c "
import os
os.closerange(3, 65536)
f = open('$T/victim.txt', 'w'); f.write('keep me\\n'); f.flush()
x = [str(i) * 3 for i in range(150000)]
del x
f.close()" 2>/dev/null || fail "recording a program that closes its fds failed"
[ "$(cat "$T/victim.txt")" = "keep me" ] || fail "the program's own file was damaged: $(ls -l "$T/victim.txt")"
n=$(($(wc -l <"$T/closefds.jsonl") - 1))
[ "$n" -gt 1100000 ] || fail "only $n events recorded after the fds were closed"
echo "ok: fds closed and reused ($n events)"

# 5c. SIGTERM to fraglab reaches the command; fraglab still writes what was
# recorded, removes the logs and exits 1.
logdir=$T/logs; mkdir -p "$logdir"
FRAGLAB_RECORD_DIR=$logdir "$FRAGLAB" record -o "$T/term.jsonl" -- /bin/sh -c 'ls / >/dev/null; exec sleep 30' 2>/dev/null &
rec=$!
for _ in $(seq 50); do [ -n "$(ls "$logdir")" ] && ls "$logdir"/*/*.log 2>/dev/null | grep -q . && break; sleep 0.1; done
sleep 0.3
kill -TERM $rec
wait $rec; rc=$?
[ $rc -eq 1 ] || fail "SIGTERM: exit $rc, want 1"
[ -s "$T/term.jsonl" ] || fail "SIGTERM: no trace written"
[ -z "$(ls "$logdir")" ] || fail "SIGTERM: logs left in $logdir"
echo "ok: SIGTERM forwarded, trace written, logs removed"

# 6. Errors: one line, exit 2, nothing left under the final name.
expect_error() { # WANT_RC PATTERN OUT COMMAND...
	local want=$1 pattern=$2 out=$3; shift 3
	local err rc
	err=$("$@" 2>&1 >/dev/null); rc=$?
	[ $rc -eq "$want" ] || fail "exit $rc, want $want: $*: $err"
	[[ $err == *"$pattern"* ]] || fail "error '$err' lacks '$pattern'"
	[ "$(printf '%s\n' "$err" | grep -c '^fraglab record')" -ge 1 ] || fail "no fraglab record message"
	if [ "$want" -eq 2 ]; then
		[ ! -e "$out" ] || fail "$out left behind after an error"
		[ "$(printf '%s\n' "$err" | wc -l)" -eq 1 ] || fail "error is not one line: $err"
	fi
	echo "ok: $err"
}
expect_error 2 "command not found" "$T/e.jsonl" "$FRAGLAB" record -o "$T/e.jsonl" -- no-such-command-xyz
expect_error 2 "cannot write" "$T/nodir/e.jsonl" "$FRAGLAB" record -o "$T/nodir/e.jsonl" -- /bin/true
expect_error 2 "must end in .jsonl" "$T/e.json" "$FRAGLAB" record -o "$T/e.json" -- /bin/true
expect_error 2 "cannot run" "$T/e.jsonl" "$FRAGLAB" record -o "$T/e.jsonl" -- /etc/passwd
expect_error 1 "exited with status 3" "$T/e.jsonl" "$FRAGLAB" record -o "$T/e.jsonl" -- /bin/sh -c 'exit 3'
[ -f "$T/e.jsonl" ] || fail "a failing command's trace was not written"
if printf 'int main(void){return 0;}\n' >"$T/static.c" && cc -static -o "$T/static" "$T/static.c" 2>/dev/null; then
	expect_error 2 "nothing recorded" "$T/s.jsonl" "$FRAGLAB" record -o "$T/s.jsonl" -- "$T/static"
else
	echo "note: no static libc here; static-binary case not run"
fi
if [ "$(id -u)" = 0 ] && id nobody >/dev/null 2>&1; then
	cp "$PROG" "$T/suid" && chown nobody "$T/suid" && chmod 4755 "$T/suid"
	expect_error 2 "set-user/group-id" "$T/u.jsonl" "$FRAGLAB" record -o "$T/u.jsonl" -- "$T/suid" 1 1
else
	echo "note: not root; set-uid case not run"
fi
ls "$T" | grep -q '\.tmp\.' && fail "temporary files left behind"
ls /tmp | grep -q "^fraglab-record\.$" && fail "log directory left behind"
echo "record_basic: all checks passed"
