#!/usr/bin/env bash
# bpfree against TensorFlow.js in one headless Chromium (issue #31's benchmark; dev only, not part of the shipped
# page): builds the benchmark page (benches/page/ + page/src/bin/bench_page.rs, wasm-bindgen, no Trunk) with TF.js 4.22
# from npm (benches/tfjs/package-lock.json), serves it, drives Chromium through WebDriver and prints the table.
#   scripts/bench-tfjs.sh [STEPS]      default 100 training steps per measurement (batch 128)
#   BPFREE_BENCH_BACKENDS=cpu          the wasm CPU path only (no WebGPU rows)
#   BPFREE_BENCH_ROUNDS=N              measure each MLP pair N times, alternating the libraries; prints the median ratio
#                                      (bpfree's CPU rounds then run 10x the steps: both clocks run about as long)
#   BPFREE_BENCH_BUSY=process|worker   each MLP round on the CPU path runs idle, then with another core busy: a spinning
#                                      process (started and stopped by the driver) or a spinning Web Worker in the page
#   BPFREE_BENCH_CHROME_ARGS="--f ..."  extra Chromium flags (space-separated)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
steps="${1:-100}"
out=target/bench-page
(cd benches/tfjs && npm ci --no-audit --no-fund --silent)
# the page's own profile (Cargo.toml, wasm-release) and SIMD128 (.cargo/config.toml): what the shipped page runs
cargo build --profile wasm-release --target wasm32-unknown-unknown -p bpfree-page --bin bench-page
rm -rf "$out" && mkdir -p "$out/tfjs"
wasm-bindgen --target web --no-typescript --out-dir "$out" --out-name bench_page \
  target/wasm32-unknown-unknown/wasm-release/bench-page.wasm
cp benches/page/index.html benches/page/bench.js "$out/"
mkdir -p "$out/data/graphs/cora" && cp www/data/graphs/cora/cora.json www/data/graphs/cora/cora.bin "$out/data/graphs/cora/"
tfjs=benches/tfjs/node_modules/@tensorflow
cp "$tfjs/tfjs/dist/tf.min.js" "$tfjs/tfjs-backend-wasm/dist/tf-backend-wasm.min.js" \
   "$tfjs"/tfjs-backend-wasm/dist/*.wasm "$tfjs/tfjs-backend-webgpu/dist/tf-backend-webgpu.min.js" "$out/tfjs/"
query="steps=$steps"
if [ "${BPFREE_BENCH_BACKENDS:-}" = cpu ]; then query="$query&backends=cpu"; fi
if [ -n "${BPFREE_BENCH_ROUNDS:-}" ]; then query="$query&rounds=$BPFREE_BENCH_ROUNDS"; fi
if [ -n "${BPFREE_BENCH_BUSY:-}" ]; then query="$query&busy=$BPFREE_BENCH_BUSY"; fi
BPFREE_BENCH_PAGE="$out" BPFREE_BENCH_QUERY="$query" CHROMEDRIVER="${CHROMEDRIVER:-/usr/bin/chromedriver}" \
  cargo test --test e2e bench_against_tfjs -- --ignored --nocapture
