#!/bin/bash
# fraglab import --from malloclab: exact output for the standard operations
# and each real-program variant; every malformed .rep exits 2 naming its
# line and leaves no output behind.
set -u
FRAGLAB="$BUILD/fraglab"
DATA=tests/data/rep
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
export FRAGLAB_CACHE_DIR="$T/cache"
fail() { echo "FAIL: $*"; exit 1; }

# 'fraglab check' validates what we emit once it exists.
check_trace() {
	local out
	out=$("$FRAGLAB" check "$1" 2>&1) && return 0
	case $out in *"not built yet"*) echo "note: fraglab check not built yet; skipped for $1"; return 0 ;; esac
	fail "fraglab check rejects $1: $out"
}

"$FRAGLAB" import --from malloclab "$DATA/basic.rep" -o "$T/basic.jsonl" || fail "basic.rep rejected"
cat >"$T/basic.want" <<'X'
{"format":"fraglab-trace","version":1,"name":"malloclab basic.rep"}
{"op":"malloc","id":0,"size":100}
{"op":"malloc","id":1,"size":200}
{"op":"realloc","id":0,"size":300}
{"op":"free","id":1}
{"op":"malloc","id":1,"size":50}
{"op":"free","id":0}
{"op":"free","id":1}
{"op":"malloc","id":2,"size":4000}
X
diff -u "$T/basic.want" "$T/basic.jsonl" || fail "basic.rep converted wrongly"
check_trace "$T/basic.jsonl"

# f -1 dropped (twice), r on an unallocated id -> malloc (also with size 0),
# r ID 0 on an allocated id -> free: 9 operations, 7 events.
"$FRAGLAB" import --from malloclab "$DATA/variants.rep" -o "$T/variants.jsonl.gz" || fail "variants.rep rejected"
gzip -dc "$T/variants.jsonl.gz" >"$T/variants.jsonl" || fail "output is not gzip"
cat >"$T/variants.want" <<'X'
{"format":"fraglab-trace","version":1,"name":"malloclab variants.rep"}
{"op":"malloc","id":0,"size":64}
{"op":"malloc","id":1,"size":128}
{"op":"realloc","id":1,"size":256}
{"op":"free","id":0}
{"op":"malloc","id":2,"size":0}
{"op":"free","id":2}
{"op":"free","id":1}
X
diff -u "$T/variants.want" "$T/variants.jsonl" || fail "variants.rep converted wrongly"
check_trace "$T/variants.jsonl.gz"

# bad file : the line the error must name : a word of the reason
while read -r file line word; do
	rm -f "$T/bad.jsonl"
	err=$("$FRAGLAB" import --from malloclab "$DATA/$file" -o "$T/bad.jsonl" 2>&1 >/dev/null)
	rc=$?
	[ $rc -eq 2 ] || fail "$file: exit $rc, want 2"
	[[ $err == *"$DATA/$file:$line: "*"$word"* ]] || fail "$file: error '$err' does not name line $line ($word)"
	[ "$(printf '%s\n' "$err" | wc -l)" -eq 1 ] || fail "$file: error is not one line: $err"
	[ ! -e "$T/bad.jsonl" ] || fail "$file: partial output left under the final name"
	ls "$T" | grep -q '\.tmp\.' && fail "$file: temporary file left behind"
	echo "ok $file -> $err"
done <<'X'
bad_header.rep 2 number of ids
bad_short.rep 3 header
bad_op.rep 6 unknown operation
bad_free.rep 7 not allocated
bad_id.rep 5 outside
bad_count.rep 7 announces 5
bad_double.rep 6 already allocated
bad_missing_size.rep 5 malformed
bad_size.rep 5 negative
X

# Round trip at scale: a generated trace (malloc, realloc, free, ids reused)
# written out as .rep by hand must import back to the same events.
"$FRAGLAB" gen realloc-growth --seed 5 --events 30000 -o "$T/rg.jsonl" || fail "gen failed"
tail -n +2 "$T/rg.jsonl" >"$T/rg.events"
jq -r '"\(.op) \(.id) \(.size // "")"' "$T/rg.events" |
	awk '{ sub(/ $/, ""); if ($2 + 1 > ids) ids = $2 + 1; c = ($1 == "malloc") ? "a" : substr($1, 1, 1); op[NR] = c " " $2 ($3 != "" ? " " $3 : "") }
		END { print 0; print ids; print NR; print 1; for (i = 1; i <= NR; i++) print op[i] }' >"$T/rg.rep"
"$FRAGLAB" import --from malloclab "$T/rg.rep" -o "$T/rg.back.jsonl" || fail "round-trip import failed"
tail -n +2 "$T/rg.back.jsonl" | cmp - "$T/rg.events" || fail "round trip changed the events"
echo "ok round trip: $(wc -l <"$T/rg.events") events"

# Usage errors.
"$FRAGLAB" import --from nosuch "$DATA/basic.rep" -o "$T/x.jsonl" 2>/dev/null && fail "unknown format accepted"
"$FRAGLAB" import --from malloclab "$T/missing.rep" -o "$T/x.jsonl" 2>/dev/null && fail "missing input accepted"
[ ! -e "$T/x.jsonl" ] || fail "output left after a failed import"
echo "import_malloclab: all checks passed"
