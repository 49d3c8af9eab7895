#!/bin/bash
# fuzz_regressions: every fuzz target (tests/fuzz/, docs/fuzzing.md) replays
# its seed corpus, the inputs that once crashed it (tests/fuzz/regressions/)
# and tests/data's inputs of its kind, each once, under ASan + UBSan and the
# target's oracle; any crash, leak or oracle failure fails the test.
# Skipped when clang cannot build a libFuzzer program (no clang or no
# libclang-rt-14-dev).
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
FUZZ_CC=${FUZZ_CC:-clang}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

printf 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n) { (void)d; (void)n; return 0; }\n' >"$work/probe.c"
if ! "$FUZZ_CC" -fsanitize=fuzzer,address,undefined -o "$work/probe" "$work/probe.c" >"$work/probe.log" 2>&1; then
	echo "skip: $FUZZ_CC cannot build libFuzzer targets: $(head -n 1 "$work/probe.log")"
	exit 77
fi

# The fuzz section of the Makefile builds only what changed.
make --no-print-directory -s BUILD="$BUILD" FUZZ_CC="$FUZZ_CC" fuzz-build || exit 1

failures=0
for target in fuzz_trace_jsonl fuzz_trace_json fuzz_import_rep; do
	case $target in
	fuzz_trace_jsonl) data=(tests/data/good/*.jsonl tests/data/bad/*.jsonl) ;;
	fuzz_trace_json) data=(tests/data/good/*.json tests/data/bad/*.json tests/data/replay/*.json) ;;
	fuzz_import_rep) data=(tests/data/rep/*.rep) ;;
	esac
	inputs=$work/$target
	mkdir -p "$inputs"
	n=0
	for f in tests/fuzz/corpus/"$target"/* tests/fuzz/regressions/"$target"/* "${data[@]}"; do
		[ -f "$f" ] || continue
		# Names may repeat across directories: number them.
		cp "$f" "$inputs/$n-$(basename "$f")"
		n=$((n + 1))
	done
	if [ "$n" -eq 0 ]; then
		echo "FAIL: $target: no inputs to replay"
		failures=$((failures + 1))
		continue
	fi
	# -runs=0: execute every input of the corpus once, mutate nothing.
	"$BUILD/fuzz/$target" -runs=0 -rss_limit_mb=512 -timeout=10 \
		-artifact_prefix="$work/" "$inputs" >"$work/$target.log" 2>&1
	rc=$?
	executed=$(grep -oE '^#[0-9]+[[:space:]]+INITED' "$work/$target.log" | grep -oE '[0-9]+' | tail -n 1)
	if [ $rc -ne 0 ]; then
		echo "FAIL: $target exited $rc over $n inputs:"
		grep -E 'ERROR|SUMMARY|fuzz_|Test unit written' "$work/$target.log" | head -n 10
		failures=$((failures + 1))
	else
		echo "$target: $n inputs replayed (libFuzzer: ${executed:-?} executions), no crash"
	fi
done
[ $failures -eq 0 ]
