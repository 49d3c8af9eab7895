#!/bin/bash
# check_schema: traces/schema.json agrees with fraglab on every rule it can
# express: it accepts the good traces (each JSON Lines line as header or
# event, each .json as a document) and the first 300 lines of every trace
# in traces/, and rejects every bad input of
# tests/data/bad whose fault lies within one event or header.  The faults
# it cannot see (ids live or not, JSON syntax, a trace with no events,
# calloc/live-bytes overflow, duplicate keys, 1e3 as an integer) are listed
# below and checked by check_bad_inputs instead; inputs that are not JSON
# at all are skipped.
set -u
cd "$(dirname "$0")/.."
if ! python3 -c 'import jsonschema; jsonschema.Draft202012Validator' 2>/dev/null; then
	echo "skip: python3 with jsonschema (Draft 2020-12) is not installed"
	exit 77
fi
exec python3 - <<'PY'
import glob, json, os, sys
import jsonschema

schema = json.load(open("traces/schema.json"))
jsonschema.Draft202012Validator.check_schema(schema)

def validator(part):
    s = dict(schema)
    s.pop("oneOf")
    s["$ref"] = "#/$defs/" + part
    return jsonschema.Draft202012Validator(s)

document, header, event = validator("document"), validator("header"), validator("event")

# Faults outside a single object, or outside JSON Schema's reach.
NOT_EXPRESSIBLE = {
    "empty.jsonl", "header_only.jsonl", "truncated_last_line.jsonl",
    "blank_lines_count.jsonl", "crlf_line_numbers.jsonl", "double_free.jsonl",
    "free_never_allocated.jsonl", "malloc_live_id.jsonl", "realloc_not_live.jsonl",
    "calloc_overflow.jsonl", "live_bytes_overflow.jsonl", "duplicate_key.jsonl",
    "trailing_garbage.jsonl", "two_objects_one_line.jsonl", "size_exponent.jsonl",
    "doc_free_not_live.json", "doc_escaped_key.json", "doc_duplicate_key.json",
}

def errors(path):
    """Schema errors of a trace file, or None if Python cannot parse it."""
    found = []
    try:
        if path.endswith(".json"):
            found += list(document.iter_errors(json.load(open(path))))
            return found
        lines = [l for l in open(path, encoding="utf-8-sig").read().splitlines() if l.strip()]
        if not lines:
            return None
        found += list(header.iter_errors(json.loads(lines[0])))
        for l in lines[1:]:
            found += list(event.iter_errors(json.loads(l)))
    except (ValueError, UnicodeDecodeError):
        return None
    return found

failures = 0
whole = jsonschema.Draft202012Validator(schema)  # oneOf document | header | event
for path in sorted(glob.glob("tests/data/good/*.json*")):
    errs = errors(path)
    if errs is None or errs:
        print(f"FAIL: {path}: the schema rejects a good trace: {errs and errs[0].message}")
        failures += 1
    text = open(path, encoding="utf-8-sig").read()
    objects = [json.loads(text)] if path.endswith(".json") else \
        [json.loads(l) for l in text.splitlines() if l.strip()]
    for o in objects:
        if not whole.is_valid(o):
            print(f"FAIL: {path}: the whole schema rejects {json.dumps(o)[:80]}")
            failures += 1
# The bundled corpus (written by fraglab gen/record/import): the first
# lines of each JSON Lines trace, as header and events.
import gzip, itertools
for path in sorted(glob.glob("traces/*.jsonl") + glob.glob("traces/*.jsonl.gz")):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as f:
        lines = [l for l in itertools.islice(f, 300) if l.strip()]
    for i, l in enumerate(lines):
        v = header if i == 0 else event
        errs = list(v.iter_errors(json.loads(l)))
        if errs:
            print(f"FAIL: {path}:{i + 1}: the schema rejects it: {errs[0].message}")
            failures += 1
            break

checked = 0
for path in sorted(glob.glob("tests/data/bad/*.json*")):
    name = os.path.basename(path)
    if name in NOT_EXPRESSIBLE:
        continue
    errs = errors(path)
    if errs is None:  # not JSON at all: the JSON reader's business, not the schema's
        continue
    checked += 1
    if not errs:
        print(f"FAIL: {path}: the schema accepts a trace fraglab refuses")
        failures += 1
print(f"{checked} bad inputs rejected by the schema; {failures} failures")
sys.exit(1 if failures else 0)
PY
