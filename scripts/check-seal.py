#!/usr/bin/env python3
"""Checks the seal of a bpfree results file (docs/hand-in.md): python3 scripts/check-seal.py run.json"""
import hashlib, json, struct, sys

def canonical(v):
    if isinstance(v, dict):
        return "{" + ",".join(json.dumps(k, ensure_ascii=False) + ":" + canonical(v[k]) for k in sorted(v)) + "}"
    if isinstance(v, list):
        return "[" + ",".join(canonical(x) for x in v) + "]"
    if isinstance(v, float):
        return "f" + struct.pack(">d", v).hex()
    return json.dumps(v, ensure_ascii=False)

doc = json.load(open(sys.argv[1]))
seal = doc.pop("sha256")
print("seal holds" if hashlib.sha256(canonical(doc).encode()).hexdigest() == seal else "seal broken")
