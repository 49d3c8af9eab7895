#!/bin/bash
# replay_bad_inputs: issue 5's table of bad inputs (tests/data/bad/expected.tsv,
# and the generated ones of check_bad_inputs.sh that matter most: a 10 MB
# line, binary garbage, deep nesting, corrupt gzip) through `fraglab replay`
# rather than `fraglab check`: exit 2, exactly one stderr line naming the
# file and line with the same message check gives, never a signal, and
# nothing written: no CSV (not even a header), no series file, nothing on
# stdout, no temporary or cache file.
. tests/data/replay/lib.sh
BAD=tests/data/bad
failures=0
cases=0

problem() {
	echo "FAIL: $*"
	failures=$((failures + 1))
}

# expect_refused FILE WHERE TEXT
expect_refused() {
	local file=$1 where=$2 text=$3
	cases=$((cases + 1))
	rm -rf "$TMP/out.csv" "$TMP/series.csv" "$FRAGLAB_CACHE_DIR"
	"$FRAGLAB" replay --alloc glibc --runs 1 --csv "$TMP/out.csv" --series "$TMP/series.csv" "$file" \
		>"$TMP/stdout" 2>"$TMP/stderr"
	local rc=$?
	if [ $rc -ge 128 ]; then
		problem "$file: killed by signal $((rc - 128))"
		return
	fi
	[ $rc -eq 2 ] || problem "$file: exit $rc, expected 2"
	local lines msg rest
	lines=$(wc -l <"$TMP/stderr")
	[ "$lines" -eq 1 ] || problem "$file: $lines lines on stderr, expected 1: $(head -c 300 "$TMP/stderr")"
	msg=$(head -n 1 "$TMP/stderr")
	rest=${msg#"$file:"}
	[[ $rest != "$msg" && $rest =~ ^($where):\  ]] || problem "$file: message does not start with '$file:$where: ': $msg"
	[[ $msg == *"$text"* ]] || problem "$file: message lacks '$text': $msg"
	[ -e "$TMP/out.csv" ] && problem "$file: a CSV was written"
	[ -e "$TMP/series.csv" ] && problem "$file: a series file was written"
	[ -s "$TMP/stdout" ] && problem "$file: wrote to stdout: $(head -c 200 "$TMP/stdout")"
	ls -a "$TMP" | grep -q '\.tmp' && problem "$file: left a temporary file: $(ls -a "$TMP")"
	[ -d "$FRAGLAB_CACHE_DIR" ] && [ -n "$(find "$FRAGLAB_CACHE_DIR" -type f)" ] &&
		problem "$file: left files in the compile cache: $(find "$FRAGLAB_CACHE_DIR" -type f)"
	return 0
}

while IFS=$'\t' read -r name where text; do
	[[ -z $name || $name == \#* ]] && continue
	expect_refused "$BAD/$name" "$where" "$text"
done <"$BAD/expected.tsv"

header='{"format":"fraglab-trace","version":1,"name":"gen"}'
{
	echo "$header"
	printf '{"op":"malloc","id":1,"size":8,"pad":"'
	head -c 10485760 /dev/zero | tr '\0' a
	printf '"}\n'
} >"$TMP/long_line.jsonl"
expect_refused "$TMP/long_line.jsonl" 2 "event 0: line longer than 1048576 bytes"

{ echo "$header"; printf '\x89PNG\r\x1a\xfe\xff\x80\x81garbage\xc3\x28\n'; } >"$TMP/garbage.jsonl"
expect_refused "$TMP/garbage.jsonl" 2 "event 0: JSON: "
printf '%s\n{"op":"malloc","id":1,\0"size":8}\n' "$header" >"$TMP/nul.jsonl"
expect_refused "$TMP/nul.jsonl" 2:23 "event 0: NUL byte in the line"

{ echo "$header"; head -c 100000 /dev/zero | tr '\0' '['; echo; } >"$TMP/deep.jsonl"
expect_refused "$TMP/deep.jsonl" 2:2049 "event 0: JSON: maximum parsing depth reached"

{
	echo "$header"
	awk 'BEGIN { for (i = 0; i < 3000; i++) printf "{\"op\":\"malloc\",\"id\":%d,\"size\":%d}\n", i, i * 37 % 5000 }'
} | gzip -c >"$TMP/corrupt.jsonl.gz"
printf '\xff\xff\xff\xff\xff\xff\xff\xff' | dd of="$TMP/corrupt.jsonl.gz" bs=1 seek=2000 conv=notrunc 2>/dev/null
expect_refused "$TMP/corrupt.jsonl.gz" "[0-9]+" "read error (corrupt or truncated gzip data?)"

# A bad trace after a good one: every trace is loaded before any run, so
# nothing runs and nothing is written.
cases=$((cases + 1))
rm -f "$TMP/out.csv"
"$FRAGLAB" replay --alloc glibc --csv "$TMP/out.csv" "$DATA/basic.json" "$BAD/double_free.jsonl" \
	>"$TMP/stdout" 2>"$TMP/stderr"
rc=$?
[ $rc -eq 2 ] || problem "good then bad: exit $rc, expected 2"
[ -e "$TMP/out.csv" ] && problem "good then bad: a CSV was written"
grep -q "^$BAD/double_free.jsonl:" "$TMP/stderr" || problem "good then bad: $(cat "$TMP/stderr")"

echo "$cases cases, $failures failures"
[ $failures -eq 0 ]
