#!/usr/bin/env bash
# The ways a project takes permit-cpp in, each built and run against permit-emulator:
# `cmake --install` + find_package (the header-only permit::permit, and the compiled library the
# install built, permit::compiled), add_subdirectory (permit::compiled, built from source), and
# FetchContent from a release archive (header-only). Usage: run.sh SOURCE_DIR PERMIT_EMULATOR
set -euo pipefail

SRC=$(cd "$1" && pwd)
EMULATOR=$2
WORK=$(mktemp -d)
EMULATOR_PID=
cleanup() {
    [[ -n $EMULATOR_PID ]] && kill "$EMULATOR_PID" 2>/dev/null
    rm -rf "$WORK"
}
trap cleanup EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }
step() { echo "--- $*"; }

CMAKE_OPTIONS=(-G Ninja)
command -v ccache >/dev/null && CMAKE_OPTIONS+=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
VERSION=$(sed -n 's/^#define PERMIT_VERSION_\(MAJOR\|MINOR\|PATCH\) \([0-9]*\)$/\2/p' \
    "$SRC/include/permit/version.hpp" | paste -sd.)

KEY=permit_key_consumer$RANDOM
echo '{"resources":[{"key":"document","name":"Document","actions":{"read":{}}}],
       "roles":[{"key":"viewer","name":"Viewer","permissions":["document:read"]}]}' >"$WORK/seed.json"
"$EMULATOR" --port 0 --seed "$WORK/seed.json" --api-key "$KEY" --exit-after 900 \
    >"$WORK/emulator.log" 2>&1 &
EMULATOR_PID=$!
URL=
for _ in $(seq 100); do
    URL=$(sed -n 's/^listening on \(http:[^ ]*\).*/\1/p' "$WORK/emulator.log")
    [[ -n $URL ]] && break
    sleep 0.1
done
[[ -n $URL ]] || { cat "$WORK/emulator.log" >&2; fail "the emulator did not start"; }

# Configures, builds and runs one consumer project; its output must say that the check passed.
consume() {
    local name=$1 expected_mode=$2
    shift 2
    cmake -S "$SRC/tests/cmake/$name" -B "$WORK/$name" "${CMAKE_OPTIONS[@]}" "$@" >"$WORK/$name.log" 2>&1 ||
        { cat "$WORK/$name.log" >&2; fail "$name: cmake could not configure the project"; }
    cmake --build "$WORK/$name" >>"$WORK/$name.log" 2>&1 ||
        { cat "$WORK/$name.log" >&2; fail "$name: the project does not build"; }
    local out
    out=$("$WORK/$name/consumer" "$URL" "$KEY") || fail "$name: the program failed: $out"
    echo "$name: $out"
    [[ $out == "permit-cpp $VERSION ($expected_mode): user synced, check allowed" ]] ||
        fail "$name: unexpected output"
}

step "cmake --install"
cmake -S "$SRC" -B "$WORK/permit-build" "${CMAKE_OPTIONS[@]}" -DCMAKE_INSTALL_PREFIX="$WORK/prefix" \
    -DPERMIT_BUILD_TESTS=OFF -DPERMIT_BUILD_TOOLS=OFF >"$WORK/install.log" 2>&1 ||
    { cat "$WORK/install.log" >&2; fail "permit-cpp does not configure"; }
cmake --build "$WORK/permit-build" >>"$WORK/install.log" 2>&1 ||
    { cat "$WORK/install.log" >&2; fail "permit-cpp does not build"; }
cmake --install "$WORK/permit-build" >>"$WORK/install.log" 2>&1 ||
    { cat "$WORK/install.log" >&2; fail "cmake --install failed"; }
for f in include/permit/permit.hpp include/permit/src.hpp include/permit/testing/emulator.hpp \
    lib/cmake/permit-cpp/permit-cppConfig.cmake lib/cmake/permit-cpp/permit-cppConfigVersion.cmake \
    lib/cmake/permit-cpp/permit-cppTargets.cmake lib/libpermit.a; do
    [[ -f $WORK/prefix/$f ]] || fail "cmake --install did not install $f"
done

step "find_package refuses a version this one is not compatible with"
mkdir -p "$WORK/too-new"
cat >"$WORK/too-new/CMakeLists.txt" <<'CMAKE'
cmake_minimum_required(VERSION 3.25)
project(too_new LANGUAGES CXX)
find_package(permit-cpp 99.0 REQUIRED)
CMAKE
if cmake -S "$WORK/too-new" -B "$WORK/too-new/build" -DCMAKE_PREFIX_PATH="$WORK/prefix" \
    >"$WORK/too-new.log" 2>&1; then
    fail "find_package(permit-cpp 99.0) accepted version $VERSION"
fi
grep -q "permit-cpp" "$WORK/too-new.log" || fail "find_package(permit-cpp 99.0) failed without naming it"

step "a release archive, for FetchContent"
# What a release archive holds: the files the library's build needs.
mkdir -p "$WORK/archive/permit-cpp-$VERSION"
cp -r "$SRC/CMakeLists.txt" "$SRC/cmake" "$SRC/include" "$SRC/src" "$WORK/archive/permit-cpp-$VERSION/"
(cd "$WORK/archive" && cmake -E tar czf "permit-cpp-$VERSION.tar.gz" "permit-cpp-$VERSION")

# One translation unit each: the two header-only consumers build side by side.
step "find_package and FetchContent consumers"
consume find_package header-only -DCMAKE_PREFIX_PATH="$WORK/prefix" &
find_package_pid=$!
consume fetch_content header-only -DPERMIT_ARCHIVE="$WORK/archive/permit-cpp-$VERSION.tar.gz" &
fetch_content_pid=$!
wait $find_package_pid || fail "the find_package consumer failed"
wait $fetch_content_pid || fail "the FetchContent consumer failed"

step "find_package, the installed compiled library"
consume find_package_compiled "separate compilation" -DCMAKE_PREFIX_PATH="$WORK/prefix"
grep -q 'libpermit\.a' "$WORK/find_package_compiled/build.ninja" ||
    fail "find_package_compiled: the consumer does not link the installed libpermit.a"

step "add_subdirectory, the compiled library built from source"
consume add_subdirectory "separate compilation" -DPERMIT_SOURCE_DIR="$SRC"
[[ -f $WORK/add_subdirectory/permit-cpp/libpermit.a ]] ||
    fail "add_subdirectory: linking permit::compiled built no static library"
grep -qi 'deprecat' "$WORK/add_subdirectory.log" &&
    fail "add_subdirectory: configuring printed a deprecation warning"

echo "all four consumer projects built and ran"
