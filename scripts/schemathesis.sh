#!/usr/bin/env bash
# Fuzzes tessera-server through its own /openapi.json with schemathesis (PyPI): a bounded
# number of generated requests per operation, admin token included; any 5xx answer fails.
# Called by scripts/test.sh; runs alone too. TESSERA_SCHEMATHESIS_EXAMPLES sets the bound.
set -euo pipefail
trap 'echo "scripts/schemathesis.sh: failed at line $LINENO: $BASH_COMMAND" >&2' ERR
cd "$(dirname "$0")/.."

# Cargo's target directory, which CARGO_TARGET_DIR or a config file may have moved from target/.
target=$(cargo metadata --format-version 1 --no-deps | sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')
venv="$target/schemathesis-venv"
if [ ! -x "$venv/bin/schemathesis" ]; then
    python3 -m venv "$venv" 2>/dev/null || {
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq && apt-get install -y -qq --no-install-recommends python3-venv
        python3 -m venv "$venv"
    }
    "$venv/bin/pip" install -q 'schemathesis>=4,<5'
fi

cargo build --locked -q -p tessera-server --bin tessera-server
data=$(mktemp -d)
"$target"/debug/tessera-server --data-dir "$data" --listen 127.0.0.1:0 >"$data/stdout" 2>"$data/stderr" &
pid=$!
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$data"' EXIT
url=""
for _ in $(seq 1 100); do
    url=$(sed -n 's/^tessera-server listening on \(http[^ ]*\)$/\1/p' "$data/stdout")
    [ -n "$url" ] && curl -fsS "$url/healthz" >/dev/null 2>&1 && break
    sleep 0.2
done
[ -n "$url" ] || { echo "tessera-server did not start:" >&2; cat "$data/stderr" >&2; exit 1; }

"$venv/bin/schemathesis" run "$url/openapi.json" \
    --checks not_a_server_error \
    --max-examples "${TESSERA_SCHEMATHESIS_EXAMPLES:-20}" \
    --header "Authorization: Bearer $(cat "$data/admin-token")" \
    --request-timeout 30 \
    --workers 2
if grep -q ' ERROR ' "$data/stderr"; then
    echo "tessera-server logged errors during the run:" >&2
    grep ' ERROR ' "$data/stderr" >&2
    exit 1
fi
echo "schemathesis: no server errors"
