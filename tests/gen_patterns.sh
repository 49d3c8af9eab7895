#!/bin/bash
# fraglab gen: each pattern has the shape it promises (checked on the
# trace, not on the generator's code): sizes in range, ramp peaking at
# its end, plateau holding N/10 blocks, peaks and phases rising and
# falling, binary's three sizes, realloc-growth doubling, big blocks of
# at least 1 MiB, uniform/powerlaw hovering around their live targets.
set -u
FRAGLAB="$BUILD/fraglab"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
export FRAGLAB_CACHE_DIR="$T/cache"
fail() { echo "FAIL: $*"; exit 1; }
N=20000

gen() { "$FRAGLAB" gen "$1" --seed 3 --events "${2:-$N}" -o "$T/$1.jsonl" || fail "gen $1"; }
stat() { "$FRAGLAB" check "$T/$1.jsonl" | awk -v k="$2:" '$1 == k { print $2 }'; }
# live_series PATTERN: "event_index live_blocks" after every event.
live_series() {
	jq -r 'select(.op) | .op' "$T/$1.jsonl" |
		awk '{ if ($1 == "free") n--; else if ($1 != "realloc") n++; print NR, n }'
}
# sizes PATTERN: every requested size (calloc: nmemb*size), one a line.
sizes() { jq -r 'select(.op and .op != "free") | .size * (.nmemb // 1)' "$T/$1.jsonl"; }

gen uniform
sizes uniform | awk '$1 < 1 || $1 > 4096 + 8 { bad = 1 } END { exit bad }' || fail "uniform: size outside 1..4096"
live_series uniform | awk 'NR > 5000 && NR < 15000 && ($2 < 500 || $2 > 1500) { bad = 1 } END { exit bad }' ||
	fail "uniform: live blocks stray from about 1000"

gen powerlaw
sizes powerlaw | awk '$1 < 8 || $1 > 262144 + 8 { bad = 1 } $1 < 64 { small++ } END { exit bad || small < NR / 2 }' ||
	fail "powerlaw: sizes out of range or not mostly small"

gen ramp
peak_event=$(stat ramp peak_live_event)
[ "$peak_event" -gt $((N * 7 / 10)) ] || fail "ramp: live memory peaks at event $peak_event, not near the end"
live_series ramp | awk 'NR % 2000 == 0 && NR < 15000 { if ($2 < last) bad = 1; last = $2 } END { exit bad }' ||
	fail "ramp: live blocks do not climb"

gen plateau
[ "$(stat plateau peak_live_blocks)" -le $((N / 10 + 1)) ] || fail "plateau: more than N/10+1 blocks live"
live_series plateau | awk -v lvl=$((N / 10)) 'NR > lvl && NR < 18000 && $2 < lvl - 1 { bad = 1 } END { exit bad }' ||
	fail "plateau: live blocks fall below the plateau"

gen peak
# Eight bursts: the live count climbs above 60% of its maximum and falls
# back below 30% (hysteresis, so jitter does not count) 7 to 8 times.
cycles=$(live_series peak | awk '{ v[NR] = $2; if ($2 > max) max = $2 }
	END { for (i = 1; i <= NR; i++) { if (!up && v[i] > 0.6 * max) up = 1; else if (up && v[i] < 0.3 * max) { up = 0; n++ } } print n + up }')
[ "$cycles" -ge 7 ] && [ "$cycles" -le 9 ] || fail "peak: $cycles build-up/tear-down cycles, want 8"

gen phased
sizes phased | awk '{ c = ($1 >= 16 && $1 <= 32) + ($1 >= 64 && $1 <= 128) + ($1 >= 256 && $1 <= 512) + ($1 >= 1024 && $1 <= 2048); if (!c) bad = 1 } END { exit bad }' ||
	fail "phased: a size outside the four phase ranges"

gen binary
[ "$(sizes binary | sort -un | tr '\n' ' ')" = "16 256 512 " ] || fail "binary: sizes are not exactly 16, 256, 512"

gen realloc-growth
jq -r 'select(.op) | "\(.op) \(.id) \(.size // 0)"' "$T/realloc-growth.jsonl" |
	awk '$1 == "malloc" { s[$2] = $3 } $1 == "realloc" { if ($3 != 2 * s[$2]) bad = 1; s[$2] = $3; r++ } END { exit bad || r < 1000 }' ||
	fail "realloc-growth: a realloc that does not double, or too few"

gen big 500
sizes big | awk '$1 > 1024 && $1 < 1048576 { bad = 1 } $1 >= 1048576 { big++ } END { exit bad || big < 50 }' ||
	fail "big: blocks between 1 KiB and 1 MiB, or too few big ones"
jq -r 'select(.op == "memalign") | .align' "$T/big.jsonl" | sort -u | grep -qx 4096 || fail "big: no 4 KiB memalign"
echo "gen_patterns: all checks passed"
