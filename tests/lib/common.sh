# common.sh: helpers for the tests that run real programs on libflmalloc
# (tests/preload_*.sh).  Source it; it expects $BUILD (set by tests/run.sh).
#
# The core of it is compare_with_every_policy: run a workload once on the C
# library's malloc for reference, then once per flmalloc policy under
# LD_PRELOAD, and require byte-identical stdout and stderr and the same
# exit status.  Alongside libflmalloc.so it preloads libpreload_probe.so,
# which records, for every process, whether flmalloc served its malloc and
# with which policy, so a test cannot pass by silently running on glibc.

set -u

BUILD=${BUILD:-build}
POLICIES=${POLICIES:-"addr lifo best seg"}
failures=0

skip() {
	echo "$*"
	exit 77
}

fail() {
	echo "FAIL: $*"
	failures=$((failures + 1))
}

# A missing build output is a failure (make test builds them), a missing
# system program a skip (make deps installs it, but not without root).
require_build() {
	FLMALLOC_SO=$(realpath -e "$BUILD/libflmalloc.so" 2>/dev/null) ||
		{ echo "FAIL: $BUILD/libflmalloc.so is missing"; exit 1; }
	PROBE_SO=$(realpath -e "$BUILD/tests/libpreload_probe.so" 2>/dev/null) ||
		{ echo "FAIL: $BUILD/tests/libpreload_probe.so is missing"; exit 1; }
}

require_program() {
	[ -x "$1" ] || skip "$1 is not installed (make deps installs it)"
}

# A scratch directory removed on exit; workloads run inside it.
make_workdir() {
	WORK=$(mktemp -d "${TMPDIR:-/tmp}/fraglab-preload.XXXXXX")
	trap 'rm -rf "$WORK"' EXIT
}

# run_workload DIR PRELOAD POLICY COMMAND...: run COMMAND (a program or a
# shell function) in a fresh directory DIR, saving stdout, stderr and the
# exit status next to it.  PRELOAD empty means the C library's malloc.
run_workload() {
	local dir=$1 preload=$2 policy=$3
	shift 3
	mkdir -p "$dir/run"
	(
		cd "$dir/run" || exit 99
		export FRAGLAB_PROBE_OUT="$dir/probe"
		if [ -n "$preload" ]; then
			export LD_PRELOAD="$preload" FLMALLOC_POLICY="$policy"
		else
			unset LD_PRELOAD FLMALLOC_POLICY
		fi
		"$@"
	) >"$dir/stdout" 2>"$dir/stderr"
	echo $? >"$dir/status"
}

# check_probe DIR POLICY COMMAND_NAME...: every process the probe saw ran
# on flmalloc with POLICY, and each named command was among them and
# actually mapped memory from flmalloc.
check_probe() {
	local dir=$1 policy=$2
	shift 2
	if [ ! -s "$dir/probe" ]; then
		fail "[$policy] the probe saw no process at all: the preload did not take"
		return
	fi
	local foreign
	foreign=$(awk -v p="$policy" '$3 != p' "$dir/probe")
	if [ -n "$foreign" ]; then
		fail "[$policy] processes not on flmalloc policy $policy:"
		echo "$foreign" | head -n 5 | sed 's/^/    /'
	fi
	local name
	for name in "$@"; do
		if ! awk -v n="$name" -v p="$policy" '$1 == n && $3 == p && $4 > 0 { found = 1 } END { exit !found }' "$dir/probe"; then
			fail "[$policy] no '$name' process allocated from flmalloc (probe: $(cut -d' ' -f1 "$dir/probe" | sort | uniq -c | tr -s ' \n' ' '))"
		fi
	done
}

# compare_with_every_policy LABEL "COMMAND_NAMES" COMMAND...: the reference
# run, then one run per policy; outputs must match the reference exactly.
compare_with_every_policy() {
	local label=$1 names=$2
	shift 2
	local ref="$WORK/$label.reference"
	run_workload "$ref" "" "" "$@"
	if [ "$(cat "$ref/status")" != 0 ]; then
		fail "$label: the reference run without the preload failed (status $(cat "$ref/status"))"
		tail -n 10 "$ref/stderr" | sed 's/^/    /'
		return
	fi
	if [ -s "$ref/probe" ] && awk '$3 != "none"' "$ref/probe" | grep -q .; then
		fail "$label: flmalloc was loaded in the reference run; the comparison would be void"
	fi
	local policy
	for policy in $POLICIES; do
		local run="$WORK/$label.$policy" start=$SECONDS
		run_workload "$run" "$FLMALLOC_SO $PROBE_SO" "$policy" "$@"
		local took=$((SECONDS - start))
		local status
		status=$(cat "$run/status")
		if [ "$status" != "$(cat "$ref/status")" ]; then
			fail "$label [$policy]: exit status $status, reference $(cat "$ref/status")"
			tail -n 10 "$run/stderr" | sed 's/^/    /'
		fi
		if ! cmp -s "$ref/stdout" "$run/stdout"; then
			fail "$label [$policy]: stdout differs from the run on the C library's malloc"
			diff "$ref/stdout" "$run/stdout" | head -n 10 | sed 's/^/    /'
		fi
		if ! cmp -s "$ref/stderr" "$run/stderr"; then
			fail "$label [$policy]: stderr differs from the run on the C library's malloc"
			diff "$ref/stderr" "$run/stderr" | head -n 10 | sed 's/^/    /'
		fi
		# shellcheck disable=SC2086  # names is a word list
		check_probe "$run" "$policy" $names
		echo "$label [$policy]: $(wc -c <"$run/stdout") bytes of output compared," \
			"$( (wc -l <"$run/probe") 2>/dev/null || echo 0) processes on flmalloc, ${took}s"
	done
}

finish() {
	if [ "$failures" -gt 0 ]; then
		echo "$failures check(s) failed"
		exit 1
	fi
	echo "all checks passed"
	exit 0
}
