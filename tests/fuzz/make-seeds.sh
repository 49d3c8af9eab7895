#!/bin/bash
# make-seeds.sh: regenerates the committed seed corpora in tests/fuzz/corpus/
# from the bundled traces (docs/fuzzing.md).  Each seed is the head of a
# trace (its header and first 60 events): small inputs the fuzzer mutates
# fast, which still show it every op, field and shape the traces use.
# tests/data's good and bad inputs are added to the working corpus at run
# time by campaign.sh, so they are not copied here.
set -eu
cd "$(dirname "$0")/../.."
out=tests/fuzz/corpus
mkdir -p "$out/fuzz_trace_jsonl" "$out/fuzz_trace_json" "$out/fuzz_import_rep"
for trace in traces/*.jsonl traces/*.jsonl.gz; do
	name=$(basename "$trace")
	name=${name%.gz}
	name=${name%.jsonl}
	zcat -f "$trace" | head -n 61 >"$out/fuzz_trace_jsonl/$name.jsonl"
	# The same events as one document: the header's keys plus "events".
	python3 - "$out/fuzz_trace_jsonl/$name.jsonl" >"$out/fuzz_trace_json/$name.json" <<'PY'
import json, sys
lines = open(sys.argv[1]).read().splitlines()
doc = json.loads(lines[0])
doc["events"] = [json.loads(l) for l in lines[1:] if l.strip()]
print(json.dumps(doc, indent=1 if len(doc["events"]) < 20 else None))
PY
done
# One gzip stream per form, so the fuzzer starts from valid gzip framing.
gzip -9 -n -c "$out/fuzz_trace_jsonl/gen-classic.jsonl" >"$out/fuzz_trace_jsonl/gen-classic.jsonl.gz"
gzip -9 -n -c "$out/fuzz_trace_json/gen-classic.json" >"$out/fuzz_trace_json/gen-classic.json.gz"
# .rep seeds: two trace heads rewritten as malloclab operations (a/r/f),
# with the four header lines the format wants.
for name in gen-realloc-growth gen-binary; do
	python3 - "$out/fuzz_trace_jsonl/$name.jsonl" >"$out/fuzz_import_rep/$name.rep" <<'PY'
import json, sys
ops = []
for l in open(sys.argv[1]).read().splitlines()[1:]:
    e = json.loads(l)
    if e["op"] == "free":
        ops.append("f %d" % e["id"])
    else:
        ops.append("%s %d %d" % ("r" if e["op"] == "realloc" else "a", e["id"], e["size"]))
ids = 1 + max(int(o.split()[1]) for o in ops)
print("\n".join(["20000", str(ids), str(len(ops)), "1"] + ops))
PY
done
