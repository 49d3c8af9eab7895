#!/bin/bash
# campaign.sh TARGET SECONDS: one fuzzing campaign (docs/fuzzing.md), run
# by `make fuzz`.  Builds nothing: $BUILD/fuzz/TARGET must exist.
#
# The working corpus $BUILD/fuzz/corpus/TARGET starts as the committed
# seeds (tests/fuzz/corpus/TARGET), the regression inputs
# (tests/fuzz/regressions/TARGET) and tests/data's inputs of the target's
# kind; libFuzzer adds what it finds there, so a later campaign continues
# where the last one stopped.  Crashes, leaks and timeouts are written to
# $BUILD/fuzz/artifacts/TARGET/; the log is $BUILD/fuzz/TARGET.log.
# One process, so one core: the machine is shared.
set -u
cd "$(dirname "$0")/../.."
target=${1:?usage: campaign.sh TARGET SECONDS}
seconds=${2:?usage: campaign.sh TARGET SECONDS}
BUILD=${BUILD:-build}
bin=$BUILD/fuzz/$target
[ -x "$bin" ] || { echo "campaign: $bin is not built (make fuzz-build)" >&2; exit 2; }

corpus=$BUILD/fuzz/corpus/$target
artifacts=$BUILD/fuzz/artifacts/$target
mkdir -p "$corpus" "$artifacts"
case $target in
fuzz_trace_jsonl) data=(tests/data/good/*.jsonl tests/data/bad/*.jsonl) dict=trace.dict ;;
fuzz_trace_json) data=(tests/data/good/*.json tests/data/bad/*.json tests/data/replay/*.json) dict=trace.dict ;;
fuzz_import_rep) data=(tests/data/rep/*.rep) dict=rep.dict ;;
*) echo "campaign: unknown target $target" >&2; exit 2 ;;
esac
for f in tests/fuzz/corpus/"$target"/* tests/fuzz/regressions/"$target"/* "${data[@]}"; do
	[ -f "$f" ] && cp -n "$f" "$corpus/"
done

# -close_fd_mask=2: the readers print one error line per refused input;
# libFuzzer still reports crashes on its own copy of stderr.
echo "campaign: $target for $seconds s, corpus $corpus ($(ls "$corpus" | wc -l) files)"
"$bin" -max_total_time="$seconds" -rss_limit_mb=512 -timeout=10 \
	-print_final_stats=1 -close_fd_mask=2 -dict="tests/fuzz/$dict" -artifact_prefix="$artifacts/" "$corpus" \
	2>&1 | tee "$BUILD/fuzz/$target.log" | grep -E '^#[0-9]+[[:space:]]+(INITED|DONE|pulse)|^stat::|ERROR|SUMMARY|artifact' 
status=${PIPESTATUS[0]}
echo "campaign: $target exit $status (log $BUILD/fuzz/$target.log)"
exit "$status"
