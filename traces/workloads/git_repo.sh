#!/bin/sh
# fraglab corpus workload: builds a deterministic git repository in DIR
# (300 commits editing 20 text files, fixed author and dates) for recording
# `git -C DIR log -p --stat --no-color`.  Usage: git_repo.sh DIR
set -eu
dir=$1
rm -rf "$dir"
git init -q -b main "$dir"
cd "$dir"
export GIT_AUTHOR_NAME=fraglab GIT_AUTHOR_EMAIL=fraglab@example.invalid
export GIT_COMMITTER_NAME=fraglab GIT_COMMITTER_EMAIL=fraglab@example.invalid
i=1
while [ $i -le 300 ]; do
	f=file$((i % 20)).txt
	# Rewrite a slice of the file so every commit has a real diff.
	awk -v i=$i 'BEGIN { for (l = 1; l <= 60; l++) printf "line %d of commit %d: %s\n", l, (l % 7 == i % 7 ? i : l), substr("abcdefghijklmnopqrstuvwxyz", 1 + (i * l) % 26) }' >"$f"
	git add "$f"
	GIT_AUTHOR_DATE="$((1700000000 + i * 3600)) +0000" GIT_COMMITTER_DATE="$((1700000000 + i * 3600)) +0000" \
		git commit -q -m "commit $i: edit $f"
	i=$((i + 1))
done
