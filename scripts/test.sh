#!/usr/bin/env bash
# Runs every test of Tessera on a fresh machine: installs what the tests need when it is
# missing (idempotent), then rustfmt, clippy with -D warnings, and all tests with nextest.
set -euo pipefail
trap 'echo "scripts/test.sh: failed at line $LINENO: $BASH_COMMAND" >&2' ERR
cd "$(dirname "$0")/.."
# No incremental caches in a test run: they only cost disk (a clean run filled it once).
export CARGO_INCREMENTAL="${CARGO_INCREMENTAL:-0}"

need_pkgs=()
command -v openssl >/dev/null || need_pkgs+=(openssl)
[ -d /usr/share/ca-certificates/mozilla ] || need_pkgs+=(ca-certificates)
command -v softhsm2-util >/dev/null || need_pkgs+=(softhsm2)
command -v pkcs11-tool >/dev/null || need_pkgs+=(opensc)
# The web UI's browser tests: Chromium driven through chromedriver, age to decrypt exported
# logs, CJK fonts so that screenshots show the Chinese pages.
command -v chromium >/dev/null || need_pkgs+=(chromium)
command -v chromedriver >/dev/null || need_pkgs+=(chromium-driver)
command -v age >/dev/null || need_pkgs+=(age)
compgen -G '/usr/share/fonts/opentype/noto/NotoSansCJK*' >/dev/null || need_pkgs+=(fonts-noto-cjk)
compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || need_pkgs+=(postgresql)
if [ ${#need_pkgs[@]} -gt 0 ]; then
    echo "installing: ${need_pkgs[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${need_pkgs[@]}"
fi
if ! cargo nextest --version >/dev/null 2>&1; then
    cargo install --locked cargo-nextest
fi

[ -d ../shared/testdata ] || { echo "error: ../shared/testdata is missing (shared/ must sit beside the checkout)" >&2; exit 1; }

cargo fmt --all -- --check
cargo clippy --workspace --all-targets --locked -- -D warnings

# The phone app runs the client's core in WebAssembly: the core and everything under it must
# build there, with its default features (PKCS#11, a native module, drops out on that target).
rustup target list --installed | grep -qx wasm32-unknown-unknown || rustup target add wasm32-unknown-unknown
cargo build --locked --target wasm32-unknown-unknown -p tessera-core

# A short run of the certificate-parser fuzz target, seeded with real certificates. cargo-fuzz
# needs nightly flags; stable accepts them with RUSTC_BOOTSTRAP=1.
if [ "${TESSERA_SKIP_FUZZ:-0}" != 1 ]; then
    command -v cargo-fuzz >/dev/null || cargo install --locked cargo-fuzz
    corpus=$(mktemp -d)
    trap 'rm -rf "$corpus"' EXIT
    cp ../shared/testdata/sm2-certs/*.pem ../shared/testdata/sm2-certs/sm2/*.crt "$corpus"/
    mozilla=(/usr/share/ca-certificates/mozilla/*.crt)
    cp "${mozilla[@]:0:20}" "$corpus"/
    (cd fuzz && RUSTC_BOOTSTRAP=1 cargo fuzz run certificate "$corpus" -- \
        -max_total_time="${TESSERA_FUZZ_SECONDS:-30}" -max_len=65536 -print_final_stats=1)
fi

# The service API fuzzed from its own OpenAPI document; any 5xx fails.
[ "${TESSERA_SKIP_SCHEMATHESIS:-0}" = 1 ] || scripts/schemathesis.sh

# Last, so its summary closes the output.
cargo nextest run --workspace --locked --no-fail-fast "$@"
