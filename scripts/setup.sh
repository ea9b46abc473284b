#!/usr/bin/env bash
# Installs whatever bpfree needs and is missing. Idempotent: a second run only checks versions (a few seconds).
#   scripts/setup.sh serve   -> wasm target, trunk, wasm-bindgen-cli, wasm-opt (npm binaryen)
#   scripts/setup.sh test    -> the above + chromium, chromedriver, firefox-esr, geckodriver, wasm-pack, lavapipe
# Everything comes from crates.io, npm or Debian packages; nothing else is downloaded.
set -euo pipefail

MODE="${1:-serve}"
TRUNK_VERSION="0.21.14"
WASM_PACK_VERSION="0.15.1"
GECKODRIVER_VERSION="0.37.1"
BINARYEN_VERSION="132"
TOOLS_PREFIX="${BPFREE_TOOLS_PREFIX:-/opt/bpfree-tools}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PATH="$HOME/.cargo/bin:/usr/local/bin:$PATH"

log() { printf '[setup] %s\n' "$*" >&2; }
SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi

# wasm-bindgen-cli must equal the wasm-bindgen crate in Cargo.lock.
wasm_bindgen_version() {
  awk '/^name = "wasm-bindgen"$/ {getline; gsub(/version = |"/, ""); print; exit}' "$ROOT/Cargo.lock"
}

has_version() { # has_version CMD EXPECTED
  command -v "$1" >/dev/null 2>&1 && "$1" --version 2>/dev/null | grep -q -- "$2"
}

cargo_install() { # cargo_install CRATE VERSION BIN [--locked]
  local crate="$1" version="$2" bin="$3" locked="${4:-}"
  if has_version "$bin" "$version"; then return; fi
  log "cargo install $crate@$version (takes minutes on 2 cores)"
  # --locked where the crate's lockfile resolves against crates.io; else fall back to a fresh resolution.
  if [ -n "$locked" ]; then cargo install --locked "$crate@$version" && return; fi
  cargo install "$crate@$version"
}

apt_install() { # apt_install PACKAGES... (only the missing ones are installed)
  local missing=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return
  export DEBIAN_FRONTEND=noninteractive
  log "apt-get install ${missing[*]}"
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# --- needed to build and serve the page -------------------------------------------------------------
if ! rustup target list --installed 2>/dev/null | grep -q wasm32-unknown-unknown; then
  log "rustup target add wasm32-unknown-unknown"
  rustup target add wasm32-unknown-unknown
fi
apt_install python3   # scripts/csp.py, Trunk's post-build hook (the page's Content-Security-Policy)
cargo_install wasm-bindgen-cli "$(wasm_bindgen_version)" wasm-bindgen   # no --locked: see shared TOOLCHAIN.md §6
cargo_install trunk "$TRUNK_VERSION" trunk --locked
if ! has_version wasm-opt "version_$BINARYEN_VERSION"; then
  log "npm install binaryen@$BINARYEN_VERSION"
  $SUDO mkdir -p "$TOOLS_PREFIX"
  $SUDO npm install --silent --no-audit --no-fund --prefix "$TOOLS_PREFIX" "binaryen@$BINARYEN_VERSION" >/dev/null
  $SUDO ln -sf "$TOOLS_PREFIX/node_modules/.bin/wasm-opt" /usr/local/bin/wasm-opt
fi

if [ "$MODE" = test ]; then
  # browsers and their drivers; lavapipe (software Vulkan) and Mesa GL for native wgpu without a GPU
  apt_install chromium chromium-driver firefox-esr mesa-vulkan-drivers libvulkan1 libegl1 libegl-mesa0 libgl1-mesa-dri
  apt_install parallel   # GNU Parallel: `repro forwardgnn --jobs` lines run through it (tests/native/repro_merge.rs)
  cargo_install wasm-pack "$WASM_PACK_VERSION" wasm-pack --locked
  cargo_install geckodriver "$GECKODRIVER_VERSION" geckodriver --locked
  # the exported weights read by Hugging Face's Python package (tests/native/weights.rs; skipped without it)
  if ! python3 -c 'import safetensors.numpy, numpy' 2>/dev/null; then
    log "pip install safetensors numpy (PyPI)"
    python3 -m pip install --quiet --user safetensors numpy 2>/dev/null \
      || python3 -m pip install --quiet --user --break-system-packages safetensors numpy 2>/dev/null \
      || log "could not install safetensors/numpy: the Python check of the weights files will be skipped"
  fi
fi
log "all tools present"
