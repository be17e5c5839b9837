#!/usr/bin/env bash
# Starts the whole system on embedded defaults: the service (tessera-server: SQLite in its data
# folder, http://127.0.0.1:8443; the first start prints the admin token and the enrollment QR)
# and the client's web UI connected to it (tessera ui: opens the browser, prints its URL).
# Arguments go to tessera-server (e.g. --data-dir DIR --listen 127.0.0.1:PORT). Ctrl-C stops both.
set -euo pipefail
cd "$(dirname "$0")/.."

cargo build --release --locked -p tessera-server -p tessera
# Cargo's target directory, which CARGO_TARGET_DIR or a config file may have moved from target/.
target=$(cargo metadata --format-version 1 --no-deps | sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')
log=$(mktemp)
"$target"/release/tessera-server "$@" > >(tee "$log") &
server=$!
trap 'kill "$server" 2>/dev/null || true; rm -f "$log"' EXIT INT TERM

url=""
for _ in $(seq 1 150); do
    url=$(sed -n 's/^tessera-server listening on \(http[^ ]*\)$/\1/p' "$log")
    [ -n "$url" ] && break
    kill -0 "$server" 2>/dev/null || { echo "tessera-server stopped; see above" >&2; exit 1; }
    sleep 0.2
done
[ -n "$url" ] || { echo "tessera-server did not start" >&2; exit 1; }

"$target"/release/tessera settings set server "$url" >/dev/null
echo
echo "Client UI (connected to $url):"
"$target"/release/tessera ui ${TESSERA_UI_NO_OPEN:+--no-open}
