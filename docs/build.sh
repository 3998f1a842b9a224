#!/usr/bin/env bash
# Builds the HTML reference (docs/Doxyfile) into OUT_DIR/html, and fails on any Doxygen warning,
# an undocumented public declaration included. Run by `./dev docs` and by the test suite.
# Usage: docs/build.sh [OUT_DIR] (default build-docs)
set -euo pipefail
cd "$(dirname "$0")/.."
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
echo "$out/html/index.html"
