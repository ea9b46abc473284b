#!/usr/bin/env bash
# Fuzzes bpfree's readers with cargo-fuzz (libFuzzer + AddressSanitizer): the share-link reader, gunzip + IDX, the
# CIFAR reader, the graph reader, the results-file reader and the readers of uploads (graph CSV, image CSV, ZIP,
# the image container) (fuzz/harness.rs says what each target feeds).
#   scripts/fuzz.sh [RUNS] [TARGET...]     default: 1000000 runs of every target
# Seeds come from tests/fuzz_regressions/<target>/; a crash is copied there, so that plain `cargo test` replays it
# from then on (tests/native/fuzz_regressions.rs). Needs cargo-fuzz (`cargo install cargo-fuzz`, crates.io) and a
# C++ compiler. cargo-fuzz asks for nightly Rust; RUSTC_BOOTSTRAP=1 lets the stable compiler accept the
# sanitizer flags instead (its AddressSanitizer runtime ships with stable rust-std on x86_64 Linux).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
runs="${1:-1000000}"; shift || true
targets=("$@"); [ ${#targets[@]} -eq 0 ] && targets=(link idx cifar graph results graph_csv image_csv zip image_container)
export RUSTC_BOOTSTRAP=1
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
for t in "${targets[@]}"; do
  mkdir -p "fuzz/corpus/$t"
  echo "== $t: $runs runs" >&2
  start=$(date +%s)
  set +e
  (cd fuzz && cargo fuzz run -O "$t" "corpus/$t" "../tests/fuzz_regressions/$t" -- -runs="$runs" -max_len=8192 \
      -rss_limit_mb=4096 -timeout=10 -print_final_stats=1) 2> "fuzz/$t.log"
  status=$?
  set -e
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "fuzz/$t.log" | grep -o '[0-9]*$' || echo "?")
  echo "$t: exit $status, $execs inputs in $(( $(date +%s) - start )) s (log: fuzz/$t.log)" >&2
  for crash in fuzz/artifacts/"$t"/*; do
    [ -e "$crash" ] || continue
    cp "$crash" "tests/fuzz_regressions/$t/"
    echo "$t: saved $(basename "$crash") to tests/fuzz_regressions/$t/" >&2
  done
done
