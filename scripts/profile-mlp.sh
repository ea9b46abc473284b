#!/usr/bin/env bash
# Where the MLP 784-256-256-10's training step spends its time (issue #31), on both native backends:
#  - the CPU path: `perf record` samples `bpfree bench mlp` (release build, one thread) and the report groups the
#    samples by function (inlined code counts toward its caller). Needs perf (Debian: linux-perf; the script
#    installs it when missing and apt-get is there). Sampling uses the cpu-clock timer, which works in VMs
#    without hardware counters.
#  - the GPU path: `bpfree bench mlp --profile` times each kernel launch to completion on the Vulkan adapter
#    (lavapipe without a GPU).
# docs/benchmarks.md has the tables.
#   scripts/profile-mlp.sh [STEPS]     default 2000 CPU steps (the GPU profile takes at most 50)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
steps="${1:-2000}"
if ! command -v perf > /dev/null && command -v apt-get > /dev/null; then
  apt-get install -y -qq linux-perf > /dev/null
fi
cargo build --release --bin bpfree --quiet
grep -m1 'model name' /proc/cpuinfo || true
echo "== CPU path: share of samples by function (${steps} steps)"
perf record -q -F 1999 -o target/perf-mlp.data -- target/release/bpfree bench mlp --steps "$steps"
perf report -q -i target/perf-mlp.data --no-children --sort symbol --stdio --percent-limit 0.5 2> /dev/null \
  | sed -e 's/^ *//' | cut -c1-150
echo
echo "== GPU path"
target/release/bpfree bench mlp --profile --steps "$steps"
