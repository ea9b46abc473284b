#!/usr/bin/env python3
"""Trunk post-build hook: fills the Content-Security-Policy of index.html with the SHA-256 of every inline
<script> (Trunk's module loader and our error recorder), so the policy allows exactly those and nothing else.

index.html carries the policy with the placeholder 'inline-script-hashes'; this replaces it with
'sha256-…' sources. Runs on `trunk build` and `trunk serve` alike (Trunk.toml [[hooks]]), on the staged
index.html before it is copied to dist/. Python 3 standard library only.
"""
import base64
import hashlib
import os
import re
import sys

PLACEHOLDER = "'inline-script-hashes'"


def main() -> int:
    staging = os.environ.get("TRUNK_STAGING_DIR") or (sys.argv[1] if len(sys.argv) > 1 else "")
    if not staging:
        print("csp.py: TRUNK_STAGING_DIR is not set (run from Trunk, or pass the folder)", file=sys.stderr)
        return 2
    path = os.path.join(staging, "index.html")
    with open(path, encoding="utf-8") as f:
        html = f.read()
    if PLACEHOLDER not in html:
        print(f"csp.py: {path} has no {PLACEHOLDER} in its Content-Security-Policy", file=sys.stderr)
        return 2
    # inline scripts: a <script ...> without src=, its text exactly as the browser hashes it
    hashes = []
    for attrs, body in re.findall(r"<script\b([^>]*)>(.*?)</script>", html, flags=re.S | re.I):
        if re.search(r"\bsrc\s*=", attrs, flags=re.I):
            continue
        digest = base64.b64encode(hashlib.sha256(body.encode("utf-8")).digest()).decode("ascii")
        hashes.append(f"'sha256-{digest}'")
    html = html.replace(PLACEHOLDER, " ".join(hashes) if hashes else "")
    with open(path, "w", encoding="utf-8") as f:
        f.write(html)
    print(f"csp.py: {len(hashes)} inline script(s) allowed by hash", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
