#!/bin/bash
# fraglab gen: same pattern and seed give the same bytes (plain and gzip);
# another seed gives other bytes; every pattern passes fraglab check and
# frees everything it allocates (except the classic examples, whose live
# blocks are exact); --events is honoured; bad arguments exit 2.
set -u
FRAGLAB="$BUILD/fraglab"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
export FRAGLAB_CACHE_DIR="$T/cache"
fail() { echo "FAIL: $*"; exit 1; }

patterns=$("$FRAGLAB" gen --help | awk '/^patterns:/ { on = 1; next } on && NF { print $1 }')
[ "$(echo "$patterns" | wc -l)" -ge 11 ] || fail "gen --help lists too few patterns: $patterns"
for p in classic hundred uniform powerlaw ramp peak plateau phased binary realloc-growth big; do
	echo "$patterns" | grep -qx "$p" || fail "pattern $p missing from --help"
done

for p in $patterns; do
	case $p in classic | hundred) ev=() ;; big) ev=(--events 500) ;; *) ev=(--events 20000) ;; esac
	"$FRAGLAB" gen "$p" --seed 7 "${ev[@]}" -o "$T/$p.a.jsonl" || fail "gen $p failed"
	"$FRAGLAB" gen "$p" --seed 7 "${ev[@]}" -o "$T/$p.b.jsonl" || fail "gen $p failed again"
	cmp "$T/$p.a.jsonl" "$T/$p.b.jsonl" || fail "$p: same seed, different bytes"
	"$FRAGLAB" gen "$p" --seed 7 "${ev[@]}" >"$T/$p.stdout.jsonl" || fail "gen $p to stdout failed"
	cmp "$T/$p.a.jsonl" "$T/$p.stdout.jsonl" || fail "$p: stdout differs from -o"
	"$FRAGLAB" gen "$p" --seed 7 "${ev[@]}" -o "$T/$p.jsonl.gz" || fail "gen $p .gz failed"
	gzip -dc "$T/$p.jsonl.gz" | cmp - "$T/$p.a.jsonl" || fail "$p: gzip output differs"
	out=$("$FRAGLAB" check "$T/$p.a.jsonl" 2>&1) || fail "fraglab check rejects $p: $out"
	n=$(($(wc -l <"$T/$p.a.jsonl") - 1))
	if [ ${#ev[@]} -gt 0 ]; then
		"$FRAGLAB" gen "$p" --seed 8 "${ev[@]}" -o "$T/$p.c.jsonl" || fail "gen $p seed 8 failed"
		cmp -s "$T/$p.a.jsonl" "$T/$p.c.jsonl" && fail "$p: seeds 7 and 8 give the same bytes"
		want=${ev[1]}
		# About N events: a pattern may finish its last step (binary: one round).
		[ "$n" -ge "$want" ] && [ "$n" -le $((want + want / 10 + 20)) ] || fail "$p: $n events for --events $want"
		echo "$out" | grep -qE '^live_blocks_end: 0$' || fail "$p leaves blocks live: $(echo "$out" | grep live_)"
	fi
	echo "ok $p: $n events"
done

# The classic examples, exactly.
cat >"$T/classic.want" <<'X'
{"format":"fraglab-trace","version":1,"name":"gen classic"}
{"op":"malloc","id":0,"size":100}
{"op":"malloc","id":1,"size":100}
{"op":"malloc","id":2,"size":400}
{"op":"free","id":1}
{"op":"malloc","id":3,"size":100}
{"op":"malloc","id":4,"size":4000}
{"op":"free","id":0}
{"op":"free","id":3}
{"op":"malloc","id":5,"size":200}
X
diff -u "$T/classic.want" "$T/classic.a.jsonl" || fail "classic differs from aa..ff"
[ "$(grep -c '"op":"malloc",.*"size":10}' "$T/hundred.a.jsonl")" -eq 100 ] || fail "hundred is not 100 x malloc(10)"
"$FRAGLAB" check "$T/hundred.a.jsonl" | grep -qE '^peak_live_bytes: 1000$' || fail "hundred: peak live is not 1000 bytes"
# The big pattern allocates at least 1 MiB per big block.
jq 'select(.op and .op != "free") | (.size * (.nmemb // 1))' "$T/big.a.jsonl" | sort -n | tail -1 |
	awk '{ exit !($1 >= 1048576) }' || fail "big has no block of 1 MiB or more"
# realloc-growth doubles.
grep -q '"op":"realloc"' "$T/realloc-growth.a.jsonl" || fail "realloc-growth has no realloc"

# Bad arguments.
for args in "nosuch" "uniform --events 0" "uniform --events x" "uniform --seed -1" "classic --events 10" \
	"uniform -o $T/out.json" "uniform --bogus" ""; do
	# shellcheck disable=SC2086
	"$FRAGLAB" gen $args >/dev/null 2>"$T/err"; rc=$?
	[ $rc -eq 2 ] || fail "'gen $args' exit $rc, want 2"
	[ -s "$T/err" ] || fail "'gen $args' gives no message"
done
[ ! -e "$T/out.json" ] || fail "output written despite the bad name"
echo "gen_determinism: all checks passed"
