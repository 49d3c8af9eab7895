#!/bin/bash
# preload_git: git init/add/commit/log/diff in a fresh repository on each
# flmalloc policy.  Fixed identities and dates make the commit ids, and so
# the whole output, identical to the run on the C library's malloc.
source "$(dirname "$0")/lib/common.sh"
GIT=/usr/bin/git
require_program "$GIT"
require_build
make_workdir

git_workload() {
	export HOME=$PWD GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null
	export GIT_AUTHOR_NAME=Fraglab GIT_AUTHOR_EMAIL=fraglab@example.org
	export GIT_COMMITTER_NAME=Fraglab GIT_COMMITTER_EMAIL=fraglab@example.org
	"$GIT" init -q -b main repo || return
	cd repo || return
	local i
	for i in 1 2 3 4; do
		export GIT_AUTHOR_DATE="2026-01-0${i}T12:00:00Z" GIT_COMMITTER_DATE="2026-01-0${i}T12:00:00Z"
		seq 1 $((i * 2000)) | sed "s/\$/ line of commit $i/" >"file$i.txt"
		seq 1 500 | sed "s/\$/ shared edit $i/" >shared.txt
		"$GIT" add -A || return
		"$GIT" commit -q -m "commit $i: $((i * 2000)) lines" || return
	done
	"$GIT" log --stat --format='%H %an <%ae> %ad%n%s' --date=iso-strict || return
	"$GIT" diff --stat HEAD~3 HEAD || return
	"$GIT" log -p | sha256sum
	"$GIT" ls-tree -r HEAD || return
	"$GIT" rev-list --all --objects | wc -l
	"$GIT" fsck --strict --no-progress 2>&1
}

compare_with_every_policy git "git" git_workload
finish
