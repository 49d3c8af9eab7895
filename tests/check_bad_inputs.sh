#!/bin/bash
# check_bad_inputs: every bad trace makes `fraglab check` exit 2 with exactly
# one line on stderr naming the file and the line (FILE:LINE[:COL]: ...),
# never a signal, and leaves no file behind in the compile cache.
#
# The committed inputs and their expected messages are the table
# tests/data/bad/expected.tsv; inputs too large or too binary to commit
# (a 10 MB line, NUL bytes, random bytes, deep nesting, broken gzip) are
# generated here.
set -u
cd "$(dirname "$0")/.."
FRAGLAB=$BUILD/fraglab
DATA=tests/data/bad
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export FRAGLAB_CACHE_DIR=$work/cache
failures=0
cases=0

fail() {
	echo "FAIL: $*"
	failures=$((failures + 1))
}

# expect_bad FILE WHERE TEXT: exit 2, one stderr line "FILE:WHERE: ...TEXT...";
# WHERE is a regular expression for LINE[:COL].
expect_bad() {
	local file=$1 where=$2 text=$3
	cases=$((cases + 1))
	"$FRAGLAB" check "$file" >"$work/out" 2>"$work/err"
	local rc=$?
	if [ $rc -ge 128 ]; then
		fail "$file: killed by signal $((rc - 128))"
		return
	fi
	[ $rc -eq 2 ] || fail "$file: exit $rc, expected 2"
	local lines
	lines=$(wc -l <"$work/err")
	[ "$lines" -eq 1 ] || fail "$file: $lines lines on stderr, expected 1: $(head -c 500 "$work/err")"
	local msg
	msg=$(head -n 1 "$work/err")
	local rest=${msg#"$file:"}
	[[ $rest != "$msg" && $rest =~ ^($where):\  ]] ||
		fail "$file: message does not start with '$file:$where: ': $msg"
	[[ $msg == *"$text"* ]] || fail "$file: message lacks '$text': $msg"
	[ -s "$work/out" ] && fail "$file: printed a summary for a bad trace"
	return 0
}

# The table.
while IFS=$'\t' read -r name where text; do
	[[ -z $name || $name == \#* ]] && continue
	expect_bad "$DATA/$name" "$where" "$text"
done <"$DATA/expected.tsv"

# Generated inputs.
header='{"format":"fraglab-trace","version":1,"name":"gen"}'

# A 10 MB line: refused as too long, in bounded memory.
{
	echo "$header"
	printf '{"op":"malloc","id":1,"size":8,"pad":"'
	head -c 10485760 /dev/zero | tr '\0' a
	printf '"}\n'
} >"$work/long_line.jsonl"
expect_bad "$work/long_line.jsonl" 2 "event 0: line longer than 1048576 bytes"

# The same limit for one value of a document.
{
	printf '{"format":"fraglab-trace","version":1,"events":[\n{"op":"malloc","id":1,"size":8,"pad":"'
	head -c 2097152 /dev/zero | tr '\0' a
	printf '"}]}\n'
} >"$work/long_value.json"
expect_bad "$work/long_value.json" 2:1 "event 0: a JSON value longer than 1048576 bytes"

# 1 MiB is allowed: a line just under the limit is fine.
{
	echo "$header"
	printf '{"op":"malloc","id":1,"size":8,"pad":"'
	head -c 1000000 /dev/zero | tr '\0' a
	printf '"}\n'
} >"$work/long_ok.jsonl"
cases=$((cases + 1))
"$FRAGLAB" check --quiet "$work/long_ok.jsonl" || fail "a 1 MB line was refused"

printf '%s\n{"op":"malloc","id":1,\0"size":8}\n' "$header" >"$work/nul.jsonl"
expect_bad "$work/nul.jsonl" 2:23 "event 0: NUL byte in the line"

# Binary garbage without NUL bytes reaches the JSON reader.
{ echo "$header"; printf '\x89PNG\r\x1a\xfe\xff\x80\x81garbage\xc3\x28\n'; } >"$work/garbage.jsonl"
expect_bad "$work/garbage.jsonl" 2 "event 0: JSON: "
printf '\x7fELF\x02\x01\x01\x03\x04\x05garbage' >"$work/elf.jsonl"
expect_bad "$work/elf.jsonl" 1:1 "header: JSON: "
# Random bytes, from a fixed seed: whatever they hold, exit 2 and one line.
awk 'BEGIN { srand(7); for (i = 0; i < 8192; i++) printf "%c", int(rand() * 256) }' >"$work/random.jsonl"
expect_bad "$work/random.jsonl" "[0-9]+(:[0-9]+)?" ""

printf '%s\n{"op":"malloc","id":1,"size":8,"x":"\xc3("}\n' "$header" >"$work/bad_utf8.jsonl"
expect_bad "$work/bad_utf8.jsonl" 2:36 "event 0: JSON: unable to decode byte 0xc3"

{ echo "$header"; head -c 100000 /dev/zero | tr '\0' '['; echo; } >"$work/deep.jsonl"
expect_bad "$work/deep.jsonl" 2:2049 "event 0: JSON: maximum parsing depth reached"
{
	printf '{"format":"fraglab-trace","version":1,"events":['
	awk 'BEGIN { for (i = 0; i < 100000; i++) printf "["; for (i = 0; i < 100000; i++) printf "]" }'
	echo ']}'
} >"$work/deep.json"
expect_bad "$work/deep.json" "1:[0-9]+" "event 0: JSON: maximum parsing depth reached"
# Unterminated: the file ends inside the nesting.
{
	printf '{"format":"fraglab-trace","version":1,"events":['
	awk 'BEGIN { for (i = 0; i < 100000; i++) printf "{\"a\":" }'
} >"$work/deep_open.json"
expect_bad "$work/deep_open.json" "1:[0-9]+" "event 0: JSON: unterminated object"

# gzip: corrupt in the middle, and cut short.
{
	echo "$header"
	awk 'BEGIN { for (i = 0; i < 3000; i++) printf "{\"op\":\"malloc\",\"id\":%d,\"size\":%d}\n", i, i * 37 % 5000 }'
} >"$work/good.jsonl"
gzip -c "$work/good.jsonl" >"$work/good.jsonl.gz"
cp "$work/good.jsonl.gz" "$work/corrupt.jsonl.gz"
printf '\xff\xff\xff\xff\xff\xff\xff\xff' | dd of="$work/corrupt.jsonl.gz" bs=1 seek=2000 conv=notrunc 2>/dev/null
expect_bad "$work/corrupt.jsonl.gz" "[0-9]+" "read error (corrupt or truncated gzip data?)"
head -c 5000 "$work/good.jsonl.gz" >"$work/truncated.jsonl.gz"
expect_bad "$work/truncated.jsonl.gz" "[0-9]+" "unexpected end of file"
printf '\x1f\x8b\x08\x00garbage' >"$work/header_only_gzip.jsonl.gz"
expect_bad "$work/header_only_gzip.jsonl.gz" 1 "header: read error"

# More distinct tids than the compiled form can number.
{
	echo "$header"
	awk 'BEGIN { for (i = 0; i <= 65536; i++) printf "{\"op\":\"malloc\",\"id\":%d,\"size\":1,\"tid\":%d}\n", i, i }'
} >"$work/tids.jsonl"
expect_bad "$work/tids.jsonl" 65538 "event 65536: tid 65536 would be distinct tid number 65537"

# Not a trace file at all.
cases=$((cases + 1))
"$FRAGLAB" check "$work/no-such.jsonl" 2>"$work/err"
rc=$?
[ $rc -eq 2 ] || fail "missing file: exit $rc"
grep -q "^$work/no-such.jsonl: cannot open: No such file" "$work/err" || fail "missing file: $(cat "$work/err")"
mkdir "$work/dir.jsonl"
cases=$((cases + 1))
"$FRAGLAB" check "$work/dir.jsonl" 2>"$work/err"
[ $? -eq 2 ] || fail "directory: exit not 2"
grep -q "^$work/dir.jsonl: not a regular file" "$work/err" || fail "directory: $(cat "$work/err")"

mkfifo "$work/fifo.jsonl"
cases=$((cases + 1))
timeout 10 "$FRAGLAB" check "$work/fifo.jsonl" 2>"$work/err"
[ $? -eq 2 ] || fail "FIFO: exit not 2 (or it waited for a writer)"
grep -q "^$work/fifo.jsonl: not a regular file" "$work/err" || fail "FIFO: $(cat "$work/err")"

# Every file is checked even after a bad one; exit 2 if any was bad.
cases=$((cases + 1))
"$FRAGLAB" check "$DATA/empty.jsonl" "$work/good.jsonl" "$DATA/double_free.jsonl" >"$work/out" 2>"$work/err"
rc=$?
[ $rc -eq 2 ] || fail "mixed good and bad: exit $rc"
[ "$(wc -l <"$work/err")" -eq 2 ] || fail "mixed good and bad: expected 2 error lines: $(cat "$work/err")"
grep -q "^trace: $work/good.jsonl$" "$work/out" || fail "mixed good and bad: the good trace was not summarised"

# Nothing half-written: the only cache files are for the two good traces.
tmp_left=$(find "$FRAGLAB_CACHE_DIR" -name '*.tmp.*' | wc -l)
[ "$tmp_left" -eq 0 ] || fail "$tmp_left temporary files left in the cache"
cached=$(find "$FRAGLAB_CACHE_DIR" -name '*.ftc' | wc -l)
[ "$cached" -eq 2 ] || fail "$cached cache files, expected 2 (the good traces)"

echo "$cases cases, $failures failures"
[ $failures -eq 0 ]
