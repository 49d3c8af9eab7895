# python_threads.py: fraglab's multi-threaded Python workload (issue 8).
# Four worker threads build and transform records (dicts, lists, strings,
# JSON round trips) and hand their results to the main thread, which merges
# and then drops them: objects are allocated on one thread and freed on
# another.  Run with PYTHONMALLOC=malloc so every object reaches malloc.
# Deterministic apart from thread scheduling (fixed seeds, fixed work).
import json
import random
import threading
from concurrent.futures import ThreadPoolExecutor


def work(seed):
    rng = random.Random(seed)
    records = []
    for i in range(400):
        rec = {
            "id": seed * 1000 + i,
            "name": "w%d-%d" % (seed, rng.randrange(10000)),
            "tags": [str(rng.randrange(50)) for _ in range(rng.randrange(1, 6))],
            "score": rng.random(),
        }
        records.append(rec)
    text = json.dumps(records)
    back = json.loads(text)
    back.sort(key=lambda r: (r["name"], r["id"]))
    groups = {}
    for r in back:
        groups.setdefault(r["tags"][0], []).append(r["name"])
    return threading.get_ident() & 0xff, groups


def main():
    merged = {}
    with ThreadPoolExecutor(max_workers=4) as pool:
        for _, groups in pool.map(work, range(12)):
            for tag, names in groups.items():
                merged.setdefault(tag, []).extend(names)
            # keep only the last few batches alive: the rest is freed here,
            # on the main thread
            if len(merged) > 30:
                merged = {t: v[-50:] for t, v in merged.items()}
    print(sum(len(v) for v in merged.values()))


main()
