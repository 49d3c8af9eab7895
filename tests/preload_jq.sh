#!/bin/bash
# preload_jq: jq generating a 4000-record JSON document and querying it
# (group_by, select, sort, reformat) on each flmalloc policy, with output
# identical to the run on the C library's malloc.
source "$(dirname "$0")/lib/common.sh"
JQ=/usr/bin/jq
require_program "$JQ"
require_build
make_workdir

jq_workload() {
	"$JQ" -n '[range(4000) | {id: ., name: "item\(.)", tags: [range(. % 7) | "t\(.)"],
		value: (. * 7919 % 1000)}]' >doc.json || return
	"$JQ" -c 'group_by(.value % 10) | map({key: (.[0].value % 10), n: length,
		tags: (map(.tags | length) | add)})' doc.json || return
	"$JQ" '[.[] | select(.id % 3 == 0) | .name] | length' doc.json || return
	"$JQ" -c 'sort_by(-.value, .id) | .[:3] | map(.name)' doc.json || return
	"$JQ" -S . doc.json | sha256sum
}

compare_with_every_policy jq "jq" jq_workload
finish
