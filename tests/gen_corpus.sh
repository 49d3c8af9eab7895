#!/bin/bash
# The bundled corpus stays true: every trace in traces/ passes fraglab
# check; traces/README.md lists each one with its real event count; each
# generated trace is exactly what `fraglab gen` produces today (so a change
# to a pattern without `make traces` fails here).
set -u
FRAGLAB="$BUILD/fraglab"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
export FRAGLAB_CACHE_DIR="$T/cache"
fail() { echo "FAIL: $*"; exit 1; }

shopt -s nullglob
traces=(traces/*.jsonl traces/*.jsonl.gz)
[ ${#traces[@]} -ge 17 ] || fail "only ${#traces[@]} traces in traces/"
for f in "${traces[@]}"; do
	out=$("$FRAGLAB" check "$f" 2>&1) || fail "fraglab check rejects $f: $out"
	events=$(awk '$1 == "events:" { print $2 }' <<<"$out")
	name=$(basename "$f")
	# The README's row for this file must carry its event count (with commas).
	row=$(grep -F "| $name |" traces/README.md) || fail "traces/README.md has no row for $name"
	commas=$(echo "$events" | sed -e ':a' -e 's/\B[0-9]\{3\}\>/,&/' -e 'ta')
	[[ $row == *"| $commas |"* ]] || fail "traces/README.md: $name has $events events, the row says otherwise: $row"
	echo "ok $name: $events events"
done

# Generated traces are reproducible from their header's command.
for f in traces/gen-*.jsonl traces/gen-*.jsonl.gz; do
	p=$(basename "$f"); p=${p#gen-}; p=${p%.gz}; p=${p%.jsonl}
	case $p in classic | hundred) args=() ;; *) args=(--seed 1) ;; esac
	"$FRAGLAB" gen "$p" "${args[@]}" -o "$T/regen.jsonl" || fail "gen $p failed"
	gzip -cdf "$f" | cmp -s - "$T/regen.jsonl" || fail "$f differs from 'fraglab gen $p ${args[*]}' (run make traces)"
done
echo "gen_corpus: all checks passed"
