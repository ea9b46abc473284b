#!/usr/bin/env bash
# bpfree's CPU path against candle (crates.io, benches/candle-mlp, its own lockfile) on the MLP 784-256-256-10
# (ReLU, backprop, Adam, batch 128): natively, on this machine, one thread each, then candle on two (bpfree's CPU
# path has one). Issue #31; docs/benchmarks.md has the numbers.
#   scripts/bench-candle.sh [STEPS]    default 500 steps per measurement
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
steps="${1:-500}"
cargo build --release --bin bpfree
(cd benches/candle-mlp && cargo build --release)
grep -m1 'model name' /proc/cpuinfo || true
for run in 1 2 3; do
  echo "-- run $run"
  target/release/bpfree bench mlp --steps "$steps"
  RAYON_NUM_THREADS=1 benches/candle-mlp/target/release/candle-mlp "$steps"
  RAYON_NUM_THREADS=2 benches/candle-mlp/target/release/candle-mlp "$steps"
done
