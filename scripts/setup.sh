#!/usr/bin/env bash
# Installs what `make serve` and `make test` need, skipping whatever is already there.
#
#   scripts/setup.sh serve   the wasm target, trunk, wasm-bindgen-cli, wasm-opt (binaryen)
#   scripts/setup.sh test    the same, plus Debian's chromium, chromium-driver, etcd and a Hangul font
#
# Everything comes from package registries (crates.io, npm, Debian): Trunk is pointed at the tools
# installed here and never downloads its own. Versions are pinned; see ../shared/TOOLCHAIN.md.
set -euo pipefail

TRUNK_VERSION=0.21.14
BINARYEN_VERSION=132.0.0
ROOT=$(cd "$(dirname "$0")/.." && pwd)
CARGO_HOME=${CARGO_HOME:-$HOME/.cargo}
TOOLS=${KUBEPLAY_TOOLS:-$CARGO_HOME/kubeplay-tools}
export PATH="$TOOLS/node_modules/.bin:$CARGO_HOME/bin:$PATH"

say() { printf '==> %s\n' "$*"; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }
# Tools are built without LTO: three times faster on two cores, and they are not what we ship.
fast_install() { CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 cargo install "$@"; }

# The wasm-bindgen CLI must be exactly the version of the wasm-bindgen crate in Cargo.lock.
WASM_BINDGEN_VERSION=$(awk '/^name = "wasm-bindgen"$/ {getline; gsub(/"/, "", $3); print $3; exit}' "$ROOT/Cargo.lock")
[ -n "$WASM_BINDGEN_VERSION" ] || die "cannot read the wasm-bindgen version from Cargo.lock"

command -v cargo >/dev/null || die "cargo is missing: install Rust with rustup first"
command -v rustup >/dev/null || die "rustup is missing: it is needed to add the wasm32 target"

if rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "wasm32-unknown-unknown target: present"
else
  say "adding the wasm32-unknown-unknown target (rustup)"
  rustup target add wasm32-unknown-unknown || die "rustup could not add wasm32-unknown-unknown"
fi

if trunk --version 2>/dev/null | grep -q " $TRUNK_VERSION"; then
  say "trunk $TRUNK_VERSION: present"
else
  say "installing trunk $TRUNK_VERSION (cargo install, about 6 minutes on 2 cores)"
  fast_install trunk --version "$TRUNK_VERSION" --locked || die "cargo install trunk failed"
fi

if wasm-bindgen --version 2>/dev/null | grep -q " $WASM_BINDGEN_VERSION" \
   && wasm-bindgen-test-runner --version 2>/dev/null | grep -q " $WASM_BINDGEN_VERSION"; then
  say "wasm-bindgen-cli $WASM_BINDGEN_VERSION: present"
else
  say "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (cargo install, about 3 minutes)"
  # Its lockfile names a crate version the registry no longer serves; retry unlocked if so.
  fast_install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --locked \
    || fast_install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" \
    || die "cargo install wasm-bindgen-cli $WASM_BINDGEN_VERSION failed"
fi

if wasm-opt --version 2>/dev/null | grep -q "version ${BINARYEN_VERSION%%.*}"; then
  say "wasm-opt (binaryen ${BINARYEN_VERSION%%.*}): present"
else
  command -v npm >/dev/null || die "npm is missing: it is needed for binaryen's wasm-opt (apt-get install npm)"
  say "installing binaryen $BINARYEN_VERSION from npm into $TOOLS"
  mkdir -p "$TOOLS"
  npm install --silent --no-audit --no-fund --prefix "$TOOLS" "binaryen@$BINARYEN_VERSION" \
    || die "npm install binaryen@$BINARYEN_VERSION failed"
fi

if [ "${1:-serve}" = test ]; then
  missing=()
  command -v chromium >/dev/null || missing+=(chromium)
  command -v chromedriver >/dev/null || missing+=(chromium-driver)
  command -v etcd >/dev/null || missing+=(etcd-server)
  command -v etcdctl >/dev/null || missing+=(etcd-client)
  # A Hangul font, so the e2e screenshots of the Korean page show text rather than boxes.
  [ -e /usr/share/fonts/truetype/nanum/NanumGothic.ttf ] || missing+=(fonts-nanum)
  if [ ${#missing[@]} -eq 0 ]; then
    say "chromium, chromedriver, etcd, etcdctl, fonts-nanum: present"
  else
    say "installing ${missing[*]} (apt-get)"
    SUDO=; [ "$(id -u)" -eq 0 ] || SUDO=sudo
    $SUDO apt-get update -qq || die "apt-get update failed"
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null \
      || die "apt-get install ${missing[*]} failed"
  fi
fi
say "tools ready"
# A full `make test` writes about 4 GB under target/; say so up front rather than fail mid-build.
free_kb=$(df -Pk "$ROOT" | awk 'NR == 2 {print $4}')
say "disk free where target/ goes: $((free_kb / 1024)) MB"
[ "$free_kb" -ge 3000000 ] || printf 'warning: under 3 GB free; the build may run out of disk\n' >&2
