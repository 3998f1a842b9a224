#!/usr/bin/env bash
# The compile firewall: a user's translation unit built with PERMIT_SEPARATE_COMPILATION includes
# no Beast and no OpenSSL header (the transport is compiled once, by <permit/src.hpp>).
#
# usage: run.sh CXX INCLUDE_DIR SOURCE...
# Each SOURCE is preprocessed as a user's file would be, and the headers it pulls in (g++ -H) are
# searched for Beast, Asio's TLS layer and OpenSSL. The same file in header-only mode must include
# them, which shows that the search finds what it looks for.
set -euo pipefail
cxx=$1 include=$2
shift 2
forbidden='/boost/beast/|/boost/asio/ssl|/openssl/'

headers_of() {  # SOURCE [DEFINE...]
    local source=$1
    shift
    "$cxx" -std=c++20 -I"$include" -DBOOST_ASIO_NO_DEPRECATED "$@" -fsyntax-only -H "$source" \
        2>&1 >/dev/null | sed -n 's/^\.\+ //p'
}

status=0
for source in "$@"; do
    separate=$(headers_of "$source" -DPERMIT_SEPARATE_COMPILATION)
    if [[ -z $separate ]]; then
        echo "FAIL $source: the compiler reported no header" >&2
        status=1
        continue
    fi
    if grep -Eq "$forbidden" <<<"$separate"; then
        echo "FAIL $source with PERMIT_SEPARATE_COMPILATION includes:" >&2
        grep -E "$forbidden" <<<"$separate" | sort -u | head -20 >&2
        status=1
        continue
    fi
    header_only=$(headers_of "$source")
    if ! grep -Eq "$forbidden" <<<"$header_only"; then
        echo "FAIL $source: header-only, it should include Beast and OpenSSL, but none was seen" >&2
        status=1
        continue
    fi
    echo "ok   $source: $(sort -u <<<"$separate" | wc -l) headers, none from Beast or OpenSSL"
done
exit $status
