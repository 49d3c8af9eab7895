#!/bin/bash
# Regenerates fraglab's bundled corpus in traces/ (see traces/README.md):
# the generated patterns, then the real programs recorded here.
#   BUILD=build traces/make-corpus.sh [NAME...]     (make traces)
# With NAMEs (e.g. gen-uniform python-json) only those are rebuilt.
# Needs the build ($BUILD/fraglab, $BUILD/libfltrace.so) and the Debian
# programs: /usr/bin/python3, sqlite3, perl, jq, gcc, git.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
FRAGLAB=$PWD/$BUILD/fraglab
[ -x "$FRAGLAB" ] && [ -f "$BUILD/libfltrace.so" ] || { echo "make-corpus: build fraglab and libfltrace.so first (make all)" >&2; exit 2; }
export FRAGLAB_CACHE_DIR=${FRAGLAB_CACHE_DIR:-$(mktemp -d)}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
W=traces/workloads

NAMES=("$@")
want() { local n; [ ${#NAMES[@]} -eq 0 ] && return 0; for n in "${NAMES[@]}"; do [ "$n" = "$1" ] && return 0; done; return 1; }

# record NAME HEADER-PATTERN COMMAND...: records COMMAND into a scratch
# directory and keeps, as traces/NAME.jsonl.gz, the one process trace whose
# header names a command matching HEADER-PATTERN (an extended regex).
record() {
	local name=$1 pattern=$2; shift 2
	want "$name" || return 0
	rm -rf "$WORK/rec" && mkdir "$WORK/rec"
	"$FRAGLAB" record -o "$WORK/rec/t.jsonl.gz" -- "$@" >/dev/null
	local f found=
	for f in "$WORK"/rec/*.jsonl.gz; do
		local header
		header=$(gzip -dc "$f" | head -n 1 || true) # head closes the pipe early
		if grep -Eq "\"name\":\"record: $pattern" <<<"$header"; then
			[ -z "$found" ] || { echo "make-corpus: $name: two traces match '$pattern'" >&2; exit 1; }
			found=$f
		fi
	done
	[ -n "$found" ] || { echo "make-corpus: $name: no trace matches '$pattern'" >&2; exit 1; }
	# Short corpus name in the header (CSV and plots use it); the recorded
	# command line moves to "command", which readers ignore.
	local header
	header=$(gzip -dc "$found" | head -n 1 || true)
	{
		jq -c --arg n "$name" '{format, version, name: $n, command: .name,
			source: "recorded with fraglab record (traces/make-corpus.sh)"}' <<<"$header"
		gzip -dc "$found" | tail -n +2
	} | gzip -6 >"traces/$name.jsonl.gz.tmp"
	mv "traces/$name.jsonl.gz.tmp" "traces/$name.jsonl.gz"
	echo "make-corpus: traces/$name.jsonl.gz"
}

# Generated: the two classic examples as plain JSONL, the rest gzipped.
for p in classic hundred; do
	want "gen-$p" && "$FRAGLAB" gen "$p" -o "traces/gen-$p.jsonl" && echo "make-corpus: traces/gen-$p.jsonl"
done
for p in uniform powerlaw ramp peak plateau phased binary realloc-growth big; do
	want "gen-$p" && "$FRAGLAB" gen "$p" --seed 1 -o "traces/gen-$p.jsonl.gz" && echo "make-corpus: traces/gen-$p.jsonl.gz"
done

# Real programs (Debian's), each recorded here.
PYTHONMALLOC=malloc record python-json '/usr/bin/python3 ' /usr/bin/python3 $W/python_json.py
PYTHONMALLOC=malloc record python-threads '/usr/bin/python3 ' /usr/bin/python3 $W/python_threads.py
record sqlite-churn 'sqlite3 ' sqlite3 :memory: ".read $W/sqlite_churn.sql"
record perl-words 'perl ' perl $W/perl_words.pl
record jq-group 'jq ' jq -n -c '[range(20000) | {id: ., name: ("n" + (. % 97 | tostring)), tags: [range(. % 5) | tostring]}] | group_by(.name) | map({name: .[0].name, n: length, tags: (map(.tags | length) | add)}) | sort_by(.n) | length'
record gcc-cc1 '[^"]*/cc1 ' gcc -D_GNU_SOURCE -O2 -g -c $W/cc1_input.c -o "$WORK/cc1_input.o"
if want git-repack; then
	sh $W/git_repo.sh "$WORK/repo" >/dev/null
	record git-repack '[^"]*git pack-objects ' git -C "$WORK/repo" -c gc.auto=0 -c pack.threads=2 \
		repack -a -d -f --depth=50 --window=250 -q
fi
