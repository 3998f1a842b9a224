#!/usr/bin/env bash
# Builds the HTML reference (docs/Doxyfile) into OUT_DIR/html, and fails on any Doxygen warning,
# an undocumented public declaration included. Run by `./dev docs` and by the test suite.
# Usage: docs/build.sh [OUT_DIR] (default build-docs)
set -euo pipefail
cd "$(dirname "$0")/.."
command -v doxygen >/dev/null ||
    { echo "docs: doxygen is not installed (./dev docs and ./dev test install it)" >&2; exit 1; }
out=$(mkdir -p "${1:-build-docs}" && cd "${1:-build-docs}" && pwd)
rm -rf "$out/html" "$out/warnings.log" "$out/doxygen.stderr"
# The Doxyfile with this run's output directory. Warnings go to warnings.log (WARN_LOGFILE);
# anything else Doxygen says (a bad setting, say) lands on stderr.
if ! { cat docs/Doxyfile; echo "OUTPUT_DIRECTORY = $out"; echo "WARN_LOGFILE = $out/warnings.log"; } |
    doxygen - 2>"$out/doxygen.stderr" || [[ -s $out/warnings.log ]] || [[ -s $out/doxygen.stderr ]]; then
    cat "$out/warnings.log" "$out/doxygen.stderr" >&2 2>/dev/null || true
    echo "docs: Doxygen reported problems (above)" >&2
    exit 1
fi
# Each API group's page lists the calls it inherits (INLINE_INHERITED_MEMB): the CRUD calls of the
# keyed collections and of the collections a resource type holds, and the PDP and raw calls of
# every client view.
for page in users__api tenants__api roles__api resources__api resource__roles__api \
    resource__attributes__api action__groups__api; do
    for call in create get list list_all update remove; do
        grep -q ">$call<" "$out/html/classpermit_1_1$page.html" ||
            { echo "docs: the reference of ${page/__/_} does not show $call" >&2; exit 1; }
    done
done
for call in check bulk_check check_all_tenants authorized_users filter_objects get_user_permissions \
    request with; do
    grep -q ">$call<" "$out/html/classpermit_1_1client__view.html" ||
        { echo "docs: the reference of client_view does not show $call" >&2; exit 1; }
done
echo "$out/html/index.html"
