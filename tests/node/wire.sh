#!/usr/bin/env bash
# A wire comparison of permit-cpp with the official Node SDK: wire_NAME.js (the SDK) and
# NAME's C++ side (wire_NAME.cpp) make the same calls in the same order, each against a fresh
# permit-emulator with the same state (wire_NAME_seed.json) and random seed that logs every
# request with its body (--request-log); wire_compare.js then compares the two logs call by call,
# with the comparison's rules, and prints the table. The comparisons:
#   rebac  the ReBAC calls (the rules of wire_compare.js itself)
#   abac   condition sets, condition set rules, and checks with attributes and context (the rules
#          of wire_abac.js)
#   admin  the organization's calls: projects, environments, API keys, an Elements login, with an
#          organization-level key (the rules of wire_admin_rules.js)
# Exits 0 when every request matches or differs only as its rules list, 77 (skipped) when node or
# the SDK is missing, 1 otherwise.
# Usage: wire.sh NAME PERMIT_EMULATOR CPP_SIDE NODE_PACKAGE_DIR (CPP_SIDE: the program built from
# wire_NAME.cpp; NODE_PACKAGE_DIR: the directory whose node_modules holds permitio,
# benchmarks/node; `./dev test` runs `npm ci` there)
set -euo pipefail

NAME=$1
EMULATOR=$2
CPP=$3
HERE=$(cd "$(dirname "$0")" && pwd)

# What sets the comparisons apart: the emulator's options beyond the common ones, the module of
# the rules wire_compare.js follows (none: its own), what the closing line calls the requests.
EMULATOR_OPTIONS=()
RULES=()
case $NAME in
rebac)
    WHAT="permit-cpp's ReBAC requests"
    ;;
abac)
    RULES=("$HERE/wire_abac.js")
    WHAT="permit-cpp's ABAC requests"
    ;;
admin)
    EMULATOR_OPTIONS=(--org-api-key permit_key_org_emulator)
    RULES=("$HERE/wire_admin_rules.js")
    WHAT="permit-cpp's requests of the organization's calls"
    ;;
*)
    echo "FAIL: no comparison named '$NAME' (rebac, abac or admin)" >&2
    exit 1
    ;;
esac

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
[[ -d $4 ]] || skip "$4 does not exist"
PACKAGE_DIR=$(cd "$4" && pwd)
[[ -f $PACKAGE_DIR/node_modules/permitio/package.json ]] ||
    skip "the Node SDK is not in $PACKAGE_DIR/node_modules (./dev test runs npm ci there)"

# against SIDE COMMAND...: runs COMMAND API_URL against a fresh emulator, which writes its request
# log to $WORK/SIDE.jsonl as it stops; returns COMMAND's status.
against() {
    local side=$1
    shift
    : >"$WORK/$side.out"
    # --exit-after: the emulator stops by itself should this script be killed before its trap.
    "$EMULATOR" --port 0 --random-seed 7 --seed "$HERE/wire_${NAME}_seed.json" \
        "${EMULATOR_OPTIONS[@]}" --request-log "$WORK/$side.jsonl" --exit-after 300 \
        >"$WORK/$side.out" 2>&1 &
    EMULATOR_PID=$!
    local url=
    for _ in $(seq 100); do
        url=$(sed -n 's/^listening on \(http:[^ ]*\).*/\1/p' "$WORK/$side.out")
        [[ -n $url ]] && break
        kill -0 "$EMULATOR_PID" 2>/dev/null || break
        sleep 0.1
    done
    if [[ -z $url ]]; then
        grep -v '^api key:' "$WORK/$side.out" >&2 || true
        fail "the emulator for $side did not print its URL"
    fi
    local status=0
    "$@" "$url" || status=$?
    kill -TERM "$EMULATOR_PID"
    wait "$EMULATOR_PID" || fail "the emulator for $side did not stop cleanly"
    EMULATOR_PID=
    [[ -s $WORK/$side.jsonl ]] || fail "the emulator for $side wrote no request log"
    return "$status"
}

node_status=0
against node env NODE_PATH="$PACKAGE_DIR/node_modules" node "$HERE/wire_$NAME.js" ||
    node_status=$?
cpp_status=0
against cpp "$CPP" || cpp_status=$?
compare_status=0
node "$HERE/wire_compare.js" "$WORK/node.jsonl" "$WORK/cpp.jsonl" "${RULES[@]}" ||
    compare_status=$?

[[ $node_status == 0 ]] || fail "some of the Node SDK's calls failed (see above)"
[[ $cpp_status == 0 ]] || fail "some of permit-cpp's calls failed (see above)"
[[ $compare_status == 0 ]] || fail "the requests differ (see the table above)"
echo "ok: $WHAT match the Node SDK's, but for the listed differences"
