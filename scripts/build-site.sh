#!/usr/bin/env bash
# Builds the static site anyone can host (docs/deploy.md): the page, its wasm and the datasets, in one folder that
# works at a host's root or under any sub-path. Prints what it contains and weighs.
#
#   scripts/build-site.sh [OUT_DIR]      # default: site/
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
out="${1:-site}"
scripts/setup.sh >&2
export PATH="$HOME/.cargo/bin:/usr/local/bin:$PATH" TRUNK_SKIP_VERSION_CHECK=true
trunk build --release --dist "$out" >&2
python3 - "$out" <<'PY'
import gzip, os, sys
out = sys.argv[1]
def size(path):
    return sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(path) for f in fs) if os.path.isdir(path) else os.path.getsize(path)
rows = []
for name in sorted(os.listdir(out)):
    p = os.path.join(out, name)
    if os.path.isdir(p):
        rows.append((name + "/", size(p), None))
    else:
        rows.append((name, size(p), len(gzip.compress(open(p, "rb").read(), 9))))
print(f"{out}/ — {size(out) / 2**20:.1f} MiB in all")
for name, raw, gz in rows:
    gzs = f"{gz / 2**10:9.0f} KiB gzipped" if gz is not None else ""
    print(f"  {name:42} {raw / 2**10:10.0f} KiB {gzs}")
PY
