#!/usr/bin/env bash
# Runs every test (installs whatever is missing first): formatting and lints, native tests (wgpu on lavapipe),
# the wasm suite in headless Chromium (WebGPU) and Firefox (CPU fallback), the page build, and the end-to-end
# browser test.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
scripts/setup.sh test

export PATH="$HOME/.cargo/bin:/usr/local/bin:$PATH"
export TRUNK_SKIP_VERSION_CHECK=true CHROMEDRIVER=/usr/bin/chromedriver
export XDG_RUNTIME_DIR="/tmp/xdg-$(id -u)"; mkdir -p -m 700 "$XDG_RUNTIME_DIR"   # silences Mesa's warning
export REQUIRE_GPU=1            # GPU tests fail, not skip, when lavapipe is missing
export RUST_BACKTRACE=1
export CARGO_INCREMENTAL="${CARGO_INCREMENTAL:-0}"   # one clean build: incremental caches only cost disk (1.3 GB)

step() { printf '\n==> %s\n' "$*" >&2; }
started=$(date +%s)

step "cargo fmt --check"
cargo fmt --all -- --check
step "cargo clippy (native and wasm32)"
cargo clippy --workspace --all-targets -- -D warnings
cargo clippy --workspace --target wasm32-unknown-unknown --lib --bins -- -D warnings

step "cargo doc (no warnings: every link in the API docs resolves)"
RUSTDOCFLAGS="-D warnings" cargo doc --no-deps --quiet

step "native tests (wgpu on the Vulkan adapter: lavapipe without a GPU)"
cargo test

step "wasm tests in headless Chromium (WebGPU required)"
WASM_BINDGEN_TEST_TIMEOUT=400 BPFREE_EXPECT_WEBGPU=1 wasm-pack test --headless --chrome --mode no-install -- --test web --test web_bench
# the page's crate (ui/): it mounts, and its training worker's protocol in a real dedicated worker
(cd ui && WASM_BINDGEN_TEST_TIMEOUT=400 BPFREE_EXPECT_WEBGPU=1 wasm-pack test --headless --chrome --mode no-install -- --test web_page --test web_worker)
step "wasm tests in headless Firefox (no WebGPU: the CPU fallback)"
WASM_BINDGEN_TEST_TIMEOUT=400 BPFREE_EXPECT_WEBGPU=0 wasm-pack test --headless --firefox --mode no-install -- --test web
(cd ui && WASM_BINDGEN_TEST_TIMEOUT=400 BPFREE_EXPECT_WEBGPU=0 wasm-pack test --headless --firefox --mode no-install -- --test web_page --test web_worker)

step "trunk build --release"
trunk build --release
step "end-to-end: the built page in headless Chromium"
# one browser at a time: on 2 cores, parallel browsers only make each test slower
cargo test --test e2e -- --ignored --nocapture --test-threads=1 --skip page_noprop_light_preset --skip page_ccl_quick_preset --skip soak

echo "scripts/test.sh: all suites passed in $(( $(date +%s) - started )) s" >&2
