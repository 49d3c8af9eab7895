"""fraglab corpus workload: JSON and dict heavy Python (recorded with
PYTHONMALLOC=malloc so every object allocation reaches malloc).
Builds a table of records, serialises and parses it, groups and sorts it,
and drops it in phases.  Deterministic (fixed seed)."""
import json
import random

rng = random.Random(42)
words = ["alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta"]

records = []
for i in range(3000):
    records.append({
        "id": i,
        "name": "-".join(rng.choice(words) for _ in range(rng.randint(1, 4))),
        "tags": [rng.choice(words) for _ in range(rng.randint(0, 6))],
        "score": rng.random() * 100,
        "nested": {"a": i % 7, "b": str(i) * (i % 5)},
    })

text = json.dumps(records)
parsed = json.loads(text)

groups = {}
for r in parsed:
    groups.setdefault(r["name"].split("-")[0], []).append(r)
summary = {k: sorted(v, key=lambda r: r["score"])[:10] for k, v in groups.items()}

del records  # first tear-down phase
lines = [json.dumps(r, sort_keys=True) for r in parsed]
del parsed
index = {line[:24]: n for n, line in enumerate(lines)}
print(len(text), len(lines), len(index), len(summary))
