#!/bin/bash
# preload_python: Debian's CPython with PYTHONMALLOC=malloc (every object
# through malloc) runs a dict/json/string workload on each flmalloc policy
# with output identical to the run on the C library's malloc.
source "$(dirname "$0")/lib/common.sh"
PYTHON=/usr/bin/python3   # Debian's, not the pyenv build on PATH
require_program "$PYTHON"
require_build
make_workdir

cat >"$WORK/workload.py" <<'PY'
import collections, hashlib, json

# A dict of small dicts and lists, round-tripped through JSON.
table = {f"key{i}": {"n": i, "square": i * i, "text": str(i) * 3, "list": list(range(i % 10))}
         for i in range(2500)}
doc = json.dumps(table, sort_keys=True)
back = json.loads(doc)
assert back == table
print("json", len(doc), hashlib.sha256(doc.encode()).hexdigest())

# Deleting half and growing again reuses freed memory of every size.
for i in range(0, 2500, 2):
    del back[f"key{i}"]
for i in range(2500, 3500):
    back[f"new{i}"] = [str(i)] * (i % 13)
print("dict", len(back), sum(len(v) for v in back.values()))

# String building and slicing: many short-lived buffers.
parts = [("x%d" % i) * (i % 40) for i in range(3000)]
joined = "".join(parts)
words = collections.Counter(joined[i:i + 3] for i in range(0, len(joined), 97))
print("strings", len(joined), hashlib.sha256(joined.encode()).hexdigest(), words.most_common(3))
PY

python_workload() {
	PYTHONMALLOC=malloc PYTHONHASHSEED=0 "$PYTHON" -s -S "$WORK/workload.py"
}

compare_with_every_policy python "python3" python_workload
finish
