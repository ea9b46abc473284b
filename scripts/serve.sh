#!/usr/bin/env bash
# Serves the playground at http://127.0.0.1:8080 (installs whatever is missing first).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
scripts/setup.sh serve
export PATH="$HOME/.cargo/bin:/usr/local/bin:$PATH" TRUNK_SKIP_VERSION_CHECK=true
# --release: the CPU backend is many times faster optimised, and this is what users get.
exec trunk serve --release "$@"
