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

APT_UPDATED=0
apt_install() { # apt_install CHECK_PATH PACKAGES...
  local check="$1"; shift
  if [ -e "$check" ]; then return; fi
  export DEBIAN_FRONTEND=noninteractive
  if [ "$APT_UPDATED" = 0 ]; then log "apt-get update"; $SUDO apt-get update -qq; APT_UPDATED=1; fi
  log "apt-get install $*"
  $SUDO apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

# --- needed to build and serve the page -------------------------------------------------------------
if ! rustup target list --installed 2>/dev/null | grep -q wasm32-unknown-unknown; then
  log "rustup target add wasm32-unknown-unknown"
  rustup target add wasm32-unknown-unknown
fi
cargo_install wasm-bindgen-cli "$(wasm_bindgen_version)" wasm-bindgen   # no --locked: see shared TOOLCHAIN.md §6
cargo_install trunk "$TRUNK_VERSION" trunk --locked
if ! has_version wasm-opt "version_$BINARYEN_VERSION"; then
  log "npm install binaryen@$BINARYEN_VERSION"
  $SUDO mkdir -p "$TOOLS_PREFIX"
  $SUDO npm install --silent --no-audit --no-fund --prefix "$TOOLS_PREFIX" "binaryen@$BINARYEN_VERSION" >/dev/null
  $SUDO ln -sf "$TOOLS_PREFIX/node_modules/.bin/wasm-opt" /usr/local/bin/wasm-opt
fi

if [ "$MODE" = test ]; then
  apt_install /usr/bin/chromedriver chromium chromium-driver
  apt_install /usr/share/vulkan/icd.d/lvp_icd.x86_64.json mesa-vulkan-drivers libvulkan1
  apt_install /usr/lib/x86_64-linux-gnu/libvulkan.so.1 libvulkan1
  apt_install /usr/bin/firefox-esr firefox-esr
  apt_install /usr/lib/x86_64-linux-gnu/libEGL_mesa.so.0 libegl1 libegl-mesa0 libgl1-mesa-dri
  cargo_install wasm-pack "$WASM_PACK_VERSION" wasm-pack --locked
  cargo_install geckodriver "$GECKODRIVER_VERSION" geckodriver --locked
fi
log "all tools present"
