#!/usr/bin/env bash
# Runs every libFuzzer program of a build (fuzz-*, from PERMIT_BUILD_FUZZERS=ON) for SECONDS each,
# one after the other, from a working copy of its committed corpus, and says how many inputs each
# ran and whether one crashed.
#
# Usage: tests/fuzz/run.sh BUILD_DIR SECONDS [LIBFUZZER_FLAG...]
#   PERMIT_FUZZ_ONLY="json_models http_response" runs only those targets.
# The working corpora grow in BUILD_DIR/fuzz/corpus/<target>/ (the committed corpus is only read),
# crashes go to BUILD_DIR/fuzz/artifacts/<target>/, each run's output to BUILD_DIR/fuzz/<target>.log.
# Exits non-zero, naming the input, if a target crashed, leaked, hung or ran out of memory.
set -euo pipefail

BUILD_DIR=${1:?usage: $0 BUILD_DIR SECONDS [LIBFUZZER_FLAG...]}
SECONDS_EACH=${2:?usage: $0 BUILD_DIR SECONDS [LIBFUZZER_FLAG...]}
shift 2
SOURCE_DIR=$(cd "$(dirname "$0")" && pwd)
WORK=$BUILD_DIR/fuzz

mapfile -t programs < <(find "$BUILD_DIR" -path "$WORK" -prune -o -type f -name 'fuzz-*' -perm -u+x \
    -print | sort)
((${#programs[@]})) || { echo "no fuzz-* program in $BUILD_DIR (PERMIT_BUILD_FUZZERS=ON?)" >&2; exit 2; }

total_runs=0 total_time=0 crashed=()
for program in "${programs[@]}"; do
    name=$(basename "$program")
    target=${name#fuzz-}
    if [[ -n ${PERMIT_FUZZ_ONLY:-} && " $PERMIT_FUZZ_ONLY " != *" $target "* ]]; then continue; fi
    corpus=$WORK/corpus/$target artifacts=$WORK/artifacts/$target log=$WORK/$target.log
    mkdir -p "$corpus" "$artifacts"
    # What earlier runs found stays; the committed seeds and regressions are added to it.
    [[ -d $SOURCE_DIR/corpus/$target ]] && cp -- "$SOURCE_DIR/corpus/$target"/* "$corpus"/ 2>/dev/null || true
    options=(-max_total_time="$SECONDS_EACH" -print_final_stats=1 -rss_limit_mb=2048 -timeout=10
             -artifact_prefix="$artifacts/")
    [[ -f $SOURCE_DIR/$target.dict ]] && options+=(-dict="$SOURCE_DIR/$target.dict")

    started=$(date +%s.%N)
    status=0
    "$program" "${options[@]}" "$@" "$corpus" >"$log" 2>&1 || status=$?
    elapsed=$(awk -v a="$started" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
    runs=$(sed -n 's/^stat::number_of_executed_units: *\([0-9]*\).*/\1/p' "$log" | tail -1)
    runs=${runs:-0}
    rate=$(awk -v n="$runs" -v s="$elapsed" 'BEGIN { printf "%d", (s > 0 ? n / s : 0) }')
    total_runs=$((total_runs + runs))
    total_time=$(awk -v a="$total_time" -v b="$elapsed" 'BEGIN { printf "%.1f", a + b }')
    if ((status == 0)); then
        echo "$name: $runs executions in $elapsed s, $rate/s, no crash"
    else
        input=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -1)
        echo "$name: CRASH after $runs executions in $elapsed s (exit $status): ${input:-no input saved}"
        echo "  output: $log; reproduce: $program ${input:-}"
        grep -m1 -E 'ERROR: (AddressSanitizer|libFuzzer|LeakSanitizer)|runtime error:|uncaught exception' \
            "$log" | sed 's/^/  /' || true
        crashed+=("${input:-$log}")
    fi
done

total_rate=$(awk -v n="$total_runs" -v s="$total_time" 'BEGIN { printf "%d", (s > 0 ? n / s : 0) }')
echo "total: $total_runs executions in $total_time s, $total_rate/s, ${#crashed[@]} crashed"
if ((${#crashed[@]})); then
    printf 'crash: %s\n' "${crashed[@]}" >&2
    exit 1
fi
