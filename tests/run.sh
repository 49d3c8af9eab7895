#!/bin/bash
# fraglab's test runner.
#
# Runs every test and ends with the line "N passed, N failed, N skipped".
#   build/tests/alloc_*    once per allocator policy (FLMALLOC_POLICY=...)
#   build/tests/harness_*  once
#   tests/*.sh             once (they find the build in $BUILD)
# A test passes with exit 0, is skipped with exit 77 and fails otherwise.
# Each test's output goes to $BUILD/tests/logs/NAME.log; a failure prints
# the log's tail.  Arguments are substrings: only tests whose name contains
# one of them run (also TESTS="a b" from make).
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
export BUILD
POLICIES=${POLICIES:-"addr lifo best seg"}
TIMEOUT=${TEST_TIMEOUT:-120}
LOGS=$BUILD/tests/logs
mkdir -p "$LOGS"

filters=("$@")
[ ${#filters[@]} -eq 0 ] && [ -n "${TESTS:-}" ] && read -r -a filters <<<"$TESTS"

passed=0 failed=0 skipped=0
failures=()

wanted() {
	[ ${#filters[@]} -eq 0 ] && return 0
	local f
	for f in "${filters[@]}"; do [[ $1 == *"$f"* ]] && return 0; done
	return 1
}

# run_one NAME COMMAND... : run with a timeout, record the verdict.
run_one() {
	local name=$1; shift
	wanted "$name" || return 0
	local log="$LOGS/${name//[^A-Za-z0-9_.-]/_}.log"
	local start=$SECONDS
	timeout --signal=KILL "$TIMEOUT" "$@" >"$log" 2>&1 </dev/null
	local rc=$?
	local took=$((SECONDS - start))
	if [ $rc -eq 0 ]; then
		passed=$((passed + 1)); echo "PASS $name (${took}s)"
	elif [ $rc -eq 77 ]; then
		skipped=$((skipped + 1)); echo "SKIP $name: $(tail -n 1 "$log")"
	else
		failed=$((failed + 1)); failures+=("$name")
		echo "FAIL $name (exit $rc, ${took}s); last lines of $log:"
		tail -n 15 "$log" | sed 's/^/    /'
	fi
}

for bin in "$BUILD"/tests/alloc_*; do
	[ -x "$bin" ] || continue
	for p in $POLICIES; do
		run_one "$(basename "$bin")[$p]" env FLMALLOC_POLICY="$p" "$bin"
	done
done
for bin in "$BUILD"/tests/harness_*; do
	[ -x "$bin" ] || continue
	run_one "$(basename "$bin")" "$bin"
done
for script in tests/*.sh; do
	[ "$script" = tests/run.sh ] && continue
	[ -f "$script" ] || continue
	run_one "$(basename "$script" .sh)" bash "$script"
done

if [ ${#failures[@]} -gt 0 ]; then
	echo "failed: ${failures[*]}"
fi
echo "$passed passed, $failed failed, $skipped skipped"
[ $failed -eq 0 ] && [ $((passed + skipped)) -gt 0 ]
