#!/usr/bin/env bash
# The official Node SDK against permit-emulator, with the PDP on its own port and a propagation
# delay: runs proxy_facts_via_pdp.js (read-your-writes through the PDP's facts proxy, and its
# control) and exits with its status.
# Usage: run.sh PERMIT_EMULATOR NODE_PACKAGE_DIR (the directory whose node_modules holds permitio,
# benchmarks/node; `./dev test` runs `npm ci` there)
set -euo pipefail

EMULATOR=$1
PACKAGE_DIR=$(cd "$2" && pwd)
DELAY_MS=300
WORK=$(mktemp -d)
EMULATOR_PID=
cleanup() {
    if [[ -n $EMULATOR_PID ]]; then
        kill "$EMULATOR_PID" 2>/dev/null || true
        wait "$EMULATOR_PID" 2>/dev/null || true
    fi
    rm -rf "$WORK"
}
trap cleanup EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }

command -v node >/dev/null || fail "node is not installed (./dev test installs it)"
[[ -f $PACKAGE_DIR/node_modules/permitio/package.json ]] ||
    fail "the Node SDK is not in $PACKAGE_DIR/node_modules (./dev test runs npm ci there)"

# The log exists before the emulator opens it, for the loop below to read it at once.
: >"$WORK/emulator.log"
# --exit-after: the emulator stops by itself should this script be killed before its trap runs.
"$EMULATOR" --port 0 --pdp-port 0 --pdp-propagation-delay "$DELAY_MS" --exit-after 300 \
    >"$WORK/emulator.log" 2>&1 &
EMULATOR_PID=$!
API_URL=
PDP_URL=
for _ in $(seq 100); do
    API_URL=$(sed -n 's/^listening on \(http:[^ ]*\).*/\1/p' "$WORK/emulator.log")
    PDP_URL=$(sed -n 's/^pdp listening on \(http:[^ ]*\).*/\1/p' "$WORK/emulator.log")
    [[ -n $API_URL && -n $PDP_URL ]] && break
    kill -0 "$EMULATOR_PID" 2>/dev/null || break
    sleep 0.1
done
if [[ -z $API_URL || -z $PDP_URL ]]; then
    grep -v '^api key:' "$WORK/emulator.log" >&2 || true
    fail "the emulator did not print both its API and its PDP URL"
fi

# The SDK is found through NODE_PATH: the script lives outside the package directory.
status=0
NODE_PATH=$PACKAGE_DIR/node_modules node "$(dirname "$0")/proxy_facts_via_pdp.js" \
    "$API_URL" "$PDP_URL" "$DELAY_MS" || status=$?
exit "$status"
