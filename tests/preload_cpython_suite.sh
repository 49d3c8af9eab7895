#!/bin/bash
# preload_cpython_suite: CPython's own regression tests (Debian's
# libpython3.11-testsuite, run by /usr/bin/python3 with PYTHONMALLOC=malloc
# so every object comes from malloc) pass on each flmalloc policy exactly as
# they do on the C library's malloc: the same test cases, each with the
# same outcome (passed, failed, error or skipped), read from regrtest's
# JUnit XML.  Timings differ, so unlike the other preload tests the console
# output is not compared.
#
#   tests/preload_cpython_suite.sh          a quick subset (make test)
#   tests/preload_cpython_suite.sh --full   a sizeable set (make test-real)
#   CPYTHON_TESTS="test_x test_y" ...       any other selection
source "$(dirname "$0")/lib/common.sh"
PYTHON=/usr/bin/python3   # Debian's, not the pyenv build on PATH
require_program "$PYTHON"
"$PYTHON" -c 'import test.regrtest' 2>/dev/null ||
	skip "CPython's test suite is not installed (Debian package libpython3.11-testsuite)"
require_build
make_workdir

# The quick subset: container-heavy tests, seconds each on glibc.
QUICK_TESTS="test_dict test_sort"
# The full set: allocation-heavy, deterministic, no network or resources.
# (Not test_xml_etree: it swaps in the pure-Python ElementTree, and then
# regrtest itself fails writing the JUnit XML: "expected an Element, not
# Element".)
FULL_TESTS="test_dict test_list test_tuple test_set test_sort test_collections test_deque
	test_heapq test_bisect test_array test_struct test_bytes test_unicode test_string
	test_re test_json test_csv test_marshal test_pickle test_copy test_itertools test_functools
	test_enum test_dataclasses test_textwrap test_difflib test_long test_float test_decimal
	test_types test_class test_descr test_gc test_weakref test_ast test_tokenize test_fstring
	test_format test_minidom test_zlib test_hashlib test_base64 test_codecs test_dbm_dumb"

if [ -n "${CPYTHON_TESTS:-}" ]; then
	selection=$CPYTHON_TESTS
elif [ "${1:-}" = --full ]; then
	selection=$FULL_TESTS
else
	selection=$QUICK_TESTS
fi
# shellcheck disable=SC2086  # a word list of test names
set -- $selection
echo "CPython tests: $*"

run_regrtest() {
	PYTHONMALLOC=malloc PYTHONHASHSEED=0 "$PYTHON" -m test --timeout 1200 \
		--junit-xml "$PWD/../junit.xml" "$@"
}

# One "test-case outcome" line per test case, sorted.
outcomes() {
	"$PYTHON" - "$1" <<'PY'
import sys
import xml.etree.ElementTree as ET
cases = []
for case in ET.parse(sys.argv[1]).iter("testcase"):
    kinds = {child.tag for child in case}
    outcome = next((k for k in ("error", "failure", "skipped") if k in kinds), "passed")
    cases.append(f"{case.get('name')} {outcome}")
print("\n".join(sorted(cases)))
PY
}

summary() {
	awk '{ n[$2]++ } END { for (k in n) printf "%s %d, ", k, n[k] }' "$1" | sed 's/, $//'
}

ref="$WORK/reference"
run_workload "$ref" "" "" run_regrtest "$@"
if [ ! -s "$ref/junit.xml" ]; then
	echo "FAIL: the reference run on the C library's malloc wrote no results"
	tail -n 15 "$ref/stderr" "$ref/stdout"
	exit 1
fi
outcomes "$ref/junit.xml" >"$ref/outcomes" || { echo "FAIL: unreadable $ref/junit.xml"; exit 1; }
echo "reference (C library's malloc): $(wc -l <"$ref/outcomes") test cases: $(summary "$ref/outcomes")"

for policy in $POLICIES; do
	run="$WORK/$policy" start=$SECONDS
	run_workload "$run" "$FLMALLOC_SO $PROBE_SO" "$policy" run_regrtest "$@"
	took=$((SECONDS - start))
	if [ ! -s "$run/junit.xml" ] || ! outcomes "$run/junit.xml" >"$run/outcomes"; then
		fail "[$policy] regrtest wrote no readable results (status $(cat "$run/status"))"
		tail -n 15 "$run/stderr" "$run/stdout" | sed 's/^/    /'
		continue
	fi
	if ! cmp -s "$ref/outcomes" "$run/outcomes"; then
		fail "[$policy] test outcomes differ from the C library's malloc (< glibc, > flmalloc):"
		diff "$ref/outcomes" "$run/outcomes" | grep '^[<>]' | head -n 20 | sed 's/^/    /'
	fi
	if [ "$(cat "$run/status")" != "$(cat "$ref/status")" ]; then
		fail "[$policy] regrtest exit status $(cat "$run/status"), reference $(cat "$ref/status")"
	fi
	check_probe "$run" "$policy" python3
	echo "[$policy] $(wc -l <"$run/outcomes") test cases: $(summary "$run/outcomes"), ${took}s"
done

finish
