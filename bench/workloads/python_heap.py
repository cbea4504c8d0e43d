"""A real program doing allocation-heavy work: builds and tears down a large JSON
document, a word index and a pile of byte buffers, three times over. Prints a digest so
two runs can be compared. An optional argument scales the work (bench/run: 0.3).
    python_heap.py [SCALE]"""
import collections
import hashlib
import json
import random
import sys

scale = float(sys.argv[1]) if len(sys.argv) > 1 else 1.0
entries, nbuffers = int(150000 * scale), int(20000 * scale)
random.seed(20261126)
digest = hashlib.sha256()
for round_ in range(3):
    doc = {"k%d" % i: {"id": i, "tags": [random.choice("abcdefgh") * random.randrange(1, 9)
                                         for _ in range(i % 12)],
                       "score": random.random()} for i in range(entries)}
    text = json.dumps(doc, sort_keys=True)
    back = json.loads(text)
    index = collections.defaultdict(list)
    for key, value in back.items():
        for tag in value["tags"]:
            index[tag].append(key)
    buffers = [bytearray(random.randrange(16, 40000)) for _ in range(nbuffers)]
    digest.update(text.encode()[:100000])
    digest.update(str(sorted((k, len(v)) for k, v in index.items())).encode())
    digest.update(str(sum(map(len, buffers))).encode())
    del doc, back, index, buffers, text
print("python_heap digest", digest.hexdigest()[:16])
