#!/bin/bash
# preload_api: the standard malloc names work as a program sees them under
# LD_PRELOAD=libflmalloc.so, for every policy (tests/prog_preload_api.c),
# and a bad FLMALLOC_POLICY gives one warning line and the default policy.
source "$(dirname "$0")/lib/common.sh"
require_build
PROG="$BUILD/tests/prog_preload_api"
[ -x "$PROG" ] || { echo "FAIL: $PROG is missing"; exit 1; }

# The program's own checks must hold on the C library's malloc first:
# otherwise a failure below could be the test's fault.
if ! "$PROG"; then
	fail "prog_preload_api fails even without the preload"
fi

for policy in $POLICIES; do
	echo "--- policy $policy"
	if ! LD_PRELOAD="$FLMALLOC_SO" FLMALLOC_POLICY="$policy" "$PROG" --expect-flmalloc "$policy"; then
		fail "prog_preload_api under LD_PRELOAD with policy $policy"
	fi
done

# FLMALLOC_POLICY=bogus: flmalloc still runs (its default, seg), after a
# single warning line on stderr that names the bad value.
echo "--- FLMALLOC_POLICY=bogus"
errors=$(LD_PRELOAD="$FLMALLOC_SO" FLMALLOC_POLICY=bogus "$PROG" --expect-flmalloc seg 2>&1 >/dev/null)
status=$?
[ $status -eq 0 ] || fail "with FLMALLOC_POLICY=bogus the program failed (status $status): $errors"
warnings=$(grep -c . <<<"$errors")
grep -q bogus <<<"$errors" || fail "no warning naming the bad FLMALLOC_POLICY value; stderr: '$errors'"
[ "$warnings" -eq 1 ] || fail "expected exactly one warning line, got $warnings: '$errors'"
echo "warning: $errors"

finish
