#!/usr/bin/env bash
# The wire of the organization's calls (projects, environments, API keys, an Elements login),
# permit-cpp beside the official Node SDK: wire_admin.js (the SDK) and wire-admin-cpp
# (wire_admin.cpp) make the same calls in the same order, each against a fresh permit-emulator
# with the same state (wire_admin_seed.json), random seed and organization-level key that logs
# every request with its body (--request-log); wire_compare.js then compares the two logs call by
# call with the rules of wire_admin_rules.js and prints the table. Exits 0 when every request
# matches or differs only as wire_admin_rules.js lists, 77 (skipped) when node or the SDK is
# missing, 1 otherwise.
# Usage: wire_admin.sh PERMIT_EMULATOR WIRE_ADMIN_CPP NODE_PACKAGE_DIR (the directory whose
# node_modules holds permitio, benchmarks/node; `./dev test` runs `npm ci` there)
set -euo pipefail

EMULATOR=$1
CPP=$2
HERE=$(cd "$(dirname "$0")" && pwd)
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
skip() { echo "SKIP: $*"; exit 77; }

command -v node >/dev/null || skip "node is not installed (./dev test installs it)"
[[ -d $3 ]] || skip "$3 does not exist"
PACKAGE_DIR=$(cd "$3" && pwd)
[[ -f $PACKAGE_DIR/node_modules/permitio/package.json ]] ||
    skip "the Node SDK is not in $PACKAGE_DIR/node_modules (./dev test runs npm ci there)"

# against NAME COMMAND...: runs COMMAND API_URL against a fresh emulator, which writes its request
# log to $WORK/NAME.jsonl as it stops; returns COMMAND's status.
against() {
    local name=$1
    shift
    : >"$WORK/$name.out"
    # --exit-after: the emulator stops by itself should this script be killed before its trap.
    "$EMULATOR" --port 0 --random-seed 7 --seed "$HERE/wire_admin_seed.json" \
        --org-api-key permit_key_org_emulator --request-log "$WORK/$name.jsonl" \
        --exit-after 300 >"$WORK/$name.out" 2>&1 &
    EMULATOR_PID=$!
    local url=
    for _ in $(seq 100); do
        url=$(sed -n 's/^listening on \(http:[^ ]*\).*/\1/p' "$WORK/$name.out")
        [[ -n $url ]] && break
        kill -0 "$EMULATOR_PID" 2>/dev/null || break
        sleep 0.1
    done
    if [[ -z $url ]]; then
        grep -v '^api key:' "$WORK/$name.out" >&2 || true
        fail "the emulator for $name did not print its URL"
    fi
    local status=0
    "$@" "$url" || status=$?
    kill -TERM "$EMULATOR_PID"
    wait "$EMULATOR_PID" || fail "the emulator for $name did not stop cleanly"
    EMULATOR_PID=
    [[ -s $WORK/$name.jsonl ]] || fail "the emulator for $name wrote no request log"
    return "$status"
}

node_status=0
against node env NODE_PATH="$PACKAGE_DIR/node_modules" node "$HERE/wire_admin.js" ||
    node_status=$?
cpp_status=0
against cpp "$CPP" || cpp_status=$?
compare_status=0
node "$HERE/wire_compare.js" "$WORK/node.jsonl" "$WORK/cpp.jsonl" "$HERE/wire_admin_rules.js" ||
    compare_status=$?

[[ $node_status == 0 ]] || fail "some of the Node SDK's calls failed (see above)"
[[ $cpp_status == 0 ]] || fail "some of permit-cpp's calls failed (see above)"
[[ $compare_status == 0 ]] || fail "the requests differ (see the table above)"
echo "ok: permit-cpp's requests of the organization's calls match the Node SDK's, but for the" \
    "listed differences"
