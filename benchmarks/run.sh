#!/usr/bin/env bash
# The benchmark runner behind `./dev bench`: every scenario for permit-cpp, the official Node SDK
# and (where it applies) wrk, one after the other, each against a fresh server process on
# 127.0.0.1: `permit-emulator` seeded with benchmarks/seed.json, and `bench-sink`
# (benchmarks/sink.cpp), which answers the same routes at the least cost it can, so that a run
# against it measures the client rather than the emulator. Each run's claim is checked against
# what the server holds afterwards (the emulator's users and role assignments; the sink's counts of
# users, role assignments and checks); a run that fails its check stops the whole benchmark, so
# that a fast wrong answer is never reported.
#
#   benchmarks/run.sh BUILD_DIR [all|client|limits|rebac|abac|tls|redis]
#
# all (the default): every part below, and the compile times.
# client: the client scenarios (single operations, checks, the bulk sync, the sign-up bursts)
#   against the emulator and against the sink. Writes benchmarks/results/{raw.jsonl,latest.json,
#   latest.md,summary.md,throughput.png}, the tables between the benchmark markers of
#   docs/benchmarks.md and the summary between those of README.md. Without `all`, the compile
#   times of the last full run are kept in them.
# limits: sign-ups under Permit's real rate limits on a time scale (bench-real-limits):
#   benchmarks/results/{limits_raw.jsonl,limits.json,limits.md} and the tables between the limits
#   markers of docs/benchmarks.md.
# rebac: the emulator's ReBAC decisions (bench-rebac-decisions, which runs its emulators itself):
#   benchmarks/results/{rebac_raw.jsonl,rebac.json,rebac.md} and the tables between the rebac
#   markers of docs/benchmarks.md.
# abac: its ABAC decisions (bench-abac-decisions): benchmarks/results/{abac_raw.jsonl,abac.json,
#   abac.md} and the tables between the abac markers.
# tls: what a new TLS connection costs the client, a pool of 16 reopened after its idle timeout,
#   with every handshake in full and with session resumption (bench-tls-connect against an https
#   emulator): benchmarks/results/tls_raw.jsonl and the table between the tls markers of
#   docs/benchmarks.md and README.md.
# redis (not part of all: it needs a build with PERMIT_WITH_REDIS and redis-server): what the rate
#   limiter costs a request, tokens per second one client takes with its budget in its own memory
#   and shared through a redis-server on loopback (bench-limiter-cost):
#   benchmarks/results/limiter_raw.jsonl and the table between the limiter markers of
#   docs/benchmarks.md.
#
# Environment: PERMIT_BENCH_SECONDS (per single-operation run, default 3), PERMIT_BENCH_REPEAT (runs
# per system of a single-operation scenario, the median kept; default 3), PERMIT_BENCH_BULK_REPEAT
# (runs per system of a bulk sync, the median kept; default 5), PERMIT_BENCH_BULK_USERS (default
# 1000000), PERMIT_BENCH_BURST_USERS (default 100000),
# PERMIT_BENCH_LIMITS_BURST (the burst under the real limits, default 50000),
# PERMIT_BENCH_LIMITS_TRICKLE_SECONDS (each trickle around it, default 10),
# PERMIT_BENCH_REBAC_TUPLES (default 1000000), PERMIT_BENCH_ABAC_USERS (default 100000),
# PERMIT_BENCH_ABAC_SETS (default 10000).
set -euo pipefail
cd "$(dirname "$0")/.."

build=$1
part=${2:-all}
[[ $part == all || $part == client || $part == limits || $part == rebac || $part == abac ||
   $part == tls || $part == redis ]] ||
    { echo "usage: benchmarks/run.sh BUILD_DIR [all|client|limits|rebac|abac|tls|redis]" >&2; exit 2; }
bench=$build/benchmarks
seconds=${PERMIT_BENCH_SECONDS:-3}
repeat=${PERMIT_BENCH_REPEAT:-3}
bulk_repeat=${PERMIT_BENCH_BULK_REPEAT:-5}
bulk_users=${PERMIT_BENCH_BULK_USERS:-1000000}
burst_users=${PERMIT_BENCH_BURST_USERS:-100000}
limits_burst=${PERMIT_BENCH_LIMITS_BURST:-50000}
limits_trickle_seconds=${PERMIT_BENCH_LIMITS_TRICKLE_SECONDS:-10}
rebac_tuples=${PERMIT_BENCH_REBAC_TUPLES:-1000000}
abac_users=${PERMIT_BENCH_ABAC_USERS:-100000}
abac_sets=${PERMIT_BENCH_ABAC_SETS:-10000}
results=benchmarks/results
work=$(mktemp -d)
raw=$work/raw.jsonl
key=permit_key_emulator
server=emulator  # the kind of server the current run talks to: emulator or sink
server_pid=
trap 'stop_server; rm -rf "$work"' EXIT

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
die() { printf 'bench: %s\n' "$*" >&2; exit 1; }
# A command that fails outside the checks stops the benchmark too, saying which.
set -E
trap 'die "line $LINENO: $BASH_COMMAND failed"' ERR

# start_server emulator|sink: a fresh server process; $url is where it listens.
start_server() {
    server=$1
    # Emptied here, not by the redirection below, which the background process may only make after
    # the loop has read the last server's address.
    : >"$work/server.log"
    if [[ $server == emulator ]]; then
        "$build/tools/permit-emulator" --seed benchmarks/seed.json >"$work/server.log" 2>&1 &
    else
        "$bench/bench-sink" --port 0 >"$work/server.log" 2>&1 &
    fi
    server_pid=$!
    for _ in $(seq 100); do
        url=$(sed -n 's/^listening on //p' "$work/server.log")
        [[ -n $url ]] && return
        sleep 0.05
    done
    die "the $server did not start: $(cat "$work/server.log")"
}

stop_server() {
    [[ -n $server_pid ]] || return 0
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
    server_pid=
}

# The server's CPU time so far (user + sys, seconds): where the time of a run goes on the server.
server_cpu() {
    awk -v hz="$(getconf CLK_TCK)" '{printf "%.3f", ($14 + $15) / hz}' "/proc/$server_pid/stat"
}

# GET on the emulator's REST API, independently of the client under test.
api_get() { curl -sf -H "Authorization: Bearer $key" "$url/v2/facts/default/production/$1"; }
users_count() { api_get 'users?per_page=1' | grep -o '"total_count":[0-9]*' | cut -d: -f2; }
assignments_count() {
    api_get 'role_assignments?per_page=1&include_total_count=true' |
        grep -o '"total_count":[0-9]*' | cut -d: -f2
}
field() { grep -o "\"$1\":[^,}]*" <<<"$2" | head -1 | cut -d: -f2 | tr -d '"'; }

# The sink's counters (benchmarks/sink.cpp): {"users":N,"tenants":N,"role_assignments":N,
# "checks":N,"routes":{"<route>":{"requests":N,"items":N},...}}.
sink_counts() { curl -sf "$url/sink/counts" || die "$scenario ($system): the sink did not answer"; }
# The items the sink counted on one route, e.g. "PUT /v2/facts/{proj_id}/{env_id}/bulk/users".
sink_route_items() {
    sed -n "s|.*\"$1\":{\"requests\":[0-9]*,\"items\":\([0-9]*\)}.*|\1|p" <<<"$2"
}
# Checks that the sink counted between $2 and $3 of $1 (users, role_assignments or checks).
expect_sink() {
    local counted
    counted=$(field "$1" "$sink")
    [[ -n $counted ]] && ((counted >= $2 && counted <= $3)) ||
        die "$scenario ($system, sink): the sink counted ${counted:-no} $1, expected $2..$3"
}

# Runs a client under /usr/bin/time: $result is its last line of output (its JSON), $process the
# process's wall time, CPU time (user + sys) and peak RSS, and the server's CPU time meanwhile.
measure() {
    local server_before
    server_before=$(server_cpu)
    /usr/bin/time -f '%e %U %S %M' -o "$work/time" "$@" >"$work/out" 2>"$work/err" ||
        die "$* failed: $(tail -5 "$work/err")"
    result=$(tail -1 "$work/out")
    [[ $result == "{"* ]] || die "$* printed no result: $(tail -5 "$work/out")"
    process=$(awk -v server="$(server_cpu)" -v before="$server_before" \
        '{printf "{\"wall_s\":%s,\"cpu_s\":%.3f,\"max_rss_kb\":%s,\"server_cpu_s\":%.3f}",
                 $1, $2 + $3, $4, server - before}' "$work/time")
}

record() {  # scenario kind operation concurrency pipelining system [file]
    local into=${7:-$raw}
    printf '{"scenario":"%s","kind":"%s","operation":"%s","concurrency":%s,"pipelining":%s,' \
        "$1" "$2" "$3" "$4" "$5" >>"$into"
    printf '"system":"%s","server":"%s","result":%s,"process":%s}\n' "$6" "$server" "$result" \
        "$process" >>"$into"
}

# Keeps the run of median throughput (FIELD, ops_per_second by default) among the repeated runs
# in FILE: on a shared machine one run can be slowed by a neighbour.
keep_median() {  # FILE [FIELD]
    local count field=${2:-ops_per_second}
    count=$(wc -l <"$1")
    while read -r line; do
        printf '%s\t%s\n' "$(grep -o "\"$field\":[^,}]*" <<<"$line" | head -1 | cut -d: -f2)" \
            "$line"
    done <"$1" | sort -g | sed -n "$(((count + 1) / 2))p" | cut -f2- >>"$raw"
}

# Checks that the emulator gained between $1 and $2 users during the last run.
expect_new_users() {
    local now gained
    now=$(users_count)
    gained=$((now - users_before))
    ((gained >= $1 && gained <= $2)) ||
        die "$scenario ($system): the emulator gained $gained users, expected $1..$2"
}

# The user-key prefix of a single-operation run, which also names the file of its repeated runs.
run_name() { echo "$1-$2-$3-$4${5:+-${5#--}}"; }  # server system operation concurrency [OPTION]

# OPTION: --pipelining (HTTP/1.1 pipelining), --coalesce (coalesced checks) or --taking-turns
# (coalesced checks, each followed by a plain one, in one process), permit-cpp only.
single_op() {  # server system operation concurrency [OPTION]
    system=$2
    local op=$3 c=$4 option=${5:-} prefix
    prefix=$(run_name "$@")
    local name=$op
    [[ $op == check ]] || name=users.$op
    scenario="$name c=$c"
    case $option in
        --pipelining) scenario="$scenario pipelined" ;;
        --coalesce) scenario="$scenario coalesced" ;;
        --taking-turns) scenario="$scenario coalesced, taking turns with plain checks" ;;
    esac
    start_server "$1"
    [[ $server == sink ]] || users_before=$(users_count)
    case $system in
        permit-cpp)
            measure "$bench/bench-single-ops" "$url" "$op" "$c" "$seconds" --prefix "$prefix" \
                $option ;;
        node-sdk)
            measure node benchmarks/node/single_ops.js "$url" "$op" "$c" "$seconds" "$prefix" ;;
        wrk)
            measure wrk -t1 -c"$c" -d"${seconds}s" -s benchmarks/wrk/single_ops.lua "$url" \
                -- "$op" "$prefix"
            [[ $(field failures "$result") == 0 && $(field socket_errors "$result") == 0 ]] ||
                die "$scenario (wrk, $server): $result" ;;
    esac
    local ops
    ops=$(field operations "$result")
    ((ops > 0)) || die "$scenario ($system, $server): no operation completed"
    # wrk stops with up to C requests in flight: the server may have answered them.
    local most=$ops
    [[ $system != wrk ]] || most=$((ops + c))
    if [[ $server == sink ]]; then
        sink=$(sink_counts)
        if [[ $op == check ]]; then
            expect_sink users 0 0
            # A client may send a check again (a retry); wrk sends each once.
            [[ $system == wrk ]] || most=$((1 << 62))
            expect_sink checks "$ops" "$most"
        else
            expect_sink users "$ops" "$most"
            expect_sink checks 0 0
        fi
    elif [[ $op == check ]]; then
        expect_new_users 0 0
    else
        expect_new_users "$ops" "$most"
    fi
    stop_server
    record "$scenario" single "$op" "$c" "$([[ $option == --pipelining ]] && echo true || echo false)" \
        "$system" "$work/runs.$prefix"
    printf '  %-28s %-10s %-8s %.0f ops/s\n' "$scenario" "$system" "$server" \
        "$(field ops_per_second "$result")" >&2
}

# Each system in turn, PERMIT_BENCH_REPEAT times, so that a slow moment of the machine falls on
# one run of each rather than on all runs of one; the median run of each system is kept.
single_scenario() {  # server operation concurrency [OPTION]
    local systems=(permit-cpp node-sdk wrk) system_
    [[ -z ${4:-} ]] || systems=(permit-cpp)
    for _ in $(seq "$repeat"); do
        for system_ in "${systems[@]}"; do single_op "$1" "$system_" "${@:2}"; done
    done
    for system_ in "${systems[@]}"; do
        keep_median "$work/runs.$(run_name "$1" "$system_" "${@:2}")"
    done
}

# Checks at concurrency C, plain and coalesced: as single_scenario, with the plain and the
# coalesced permit-cpp runs next to each other, so that both meet the same moments of the machine,
# and each of them first in every other round, so that neither always follows the other.
check_scenario_with_coalescing() {  # server concurrency
    local system_ round
    for round in $(seq "$repeat"); do
        if ((round % 2)); then
            single_op "$1" permit-cpp check "$2"
            single_op "$1" permit-cpp check "$2" --coalesce
        else
            single_op "$1" permit-cpp check "$2" --coalesce
            single_op "$1" permit-cpp check "$2"
        fi
        for system_ in node-sdk wrk; do single_op "$1" "$system_" check "$2"; done
    done
    for system_ in permit-cpp node-sdk wrk; do
        keep_median "$work/runs.$(run_name "$1" "$system_" check "$2")"
    done
    keep_median "$work/runs.$(run_name "$1" permit-cpp check "$2" --coalesce)"
}

# The last generated user must hold exactly what the generator gave it.
expect_generated_user() {  # prefix index
    local user
    user=$(api_get "users/$1-$2") || die "$scenario ($system): user $1-$2 is missing"
    [[ $(field email "$user") == "user$2@example.com" && $(field last_name "$user") == "Last$2" ]] ||
        die "$scenario ($system): user $1-$2 is not the generated one: $user"
}

bulk_users_route='PUT /v2/facts/{proj_id}/{env_id}/bulk/users'

# permit-cpp's callers are coroutines, each awaiting bulk.sync_user in a loop, or, with
# stream-handlers, completion handlers each starting the next call, as permit-bulk-sync calls.
bulk_sync() {  # server system [stream-handlers]
    system=$2 scenario="bulk sync of $bulk_users users"
    local mode=${3:-stream} name=$2
    if [[ $mode == stream-handlers ]]; then
        scenario="$scenario, completion handlers" name=$2-handlers
    fi
    start_server "$1"
    [[ $server == sink ]] || users_before=$(users_count)
    if [[ $system == permit-cpp ]]; then
        measure "$bench/bench-bulk" "$url" "$mode" "$bulk_users" --prefix bulk
    else
        measure node benchmarks/node/bulk_replace.js "$url" "$bulk_users" bulk 3000 4
    fi
    if [[ $server == sink ]]; then
        sink=$(sink_counts)
        [[ $(sink_route_items "$bulk_users_route" "$sink") == "$bulk_users" ]] ||
            die "$scenario ($system, sink): $bulk_users_route carried" \
                "$(sink_route_items "$bulk_users_route" "$sink") users, expected $bulk_users"
        expect_sink users "$bulk_users" "$bulk_users"
    else
        expect_new_users "$bulk_users" "$bulk_users"
        expect_generated_user bulk $((bulk_users - 1))
    fi
    stop_server
    record "$scenario" bulk bulk 0 false "$system" "$work/bulk.$1.$name"
    printf '  %-28s %-10s %-8s %.0f users/s\n' "$scenario" "$system" "$server" \
        "$(field users_per_second "$result")" >&2
}

# A sign-up burst: each sign-up a call with its own completion handler (burst), or its own
# coroutine (burst-coroutines, whose frames are the caller's cost, not the pipeline's).
burst() {  # server burst|burst-coroutines [--role ROLE --tenant TENANT]
    local mode=$2
    system=permit-cpp
    scenario="sign-up burst of $burst_users${3:+ with a role}"
    [[ $mode == burst ]] || scenario="$scenario, a coroutine per sign-up"
    start_server "$1"
    shift 2
    local assignments_before
    if [[ $server == emulator ]]; then
        users_before=$(users_count)
        assignments_before=$(assignments_count)
    fi
    measure "$bench/bench-bulk" "$url" "$mode" "$burst_users" --prefix burst "$@"
    local assignments=0
    if (($#)); then assignments=$burst_users; fi
    if [[ $server == sink ]]; then
        sink=$(sink_counts)
        expect_sink users "$burst_users" "$burst_users"
        expect_sink role_assignments "$assignments" "$assignments"
    else
        expect_new_users "$burst_users" "$burst_users"
        expect_generated_user burst $((burst_users - 1))
        (($(assignments_count) - assignments_before == assignments)) ||
            die "$scenario: the emulator does not hold $assignments new role assignments"
    fi
    stop_server
    record "$scenario" burst burst 0 false permit-cpp
    printf '  %-28s %-10s %-8s %.2f s, %d requests\n' "$scenario" "$system" "$server" \
        "$(field seconds "$result")" "$(field requests "$result")" >&2
}

# compile_time SCENARIO SOURCE [FLAG...]: one translation unit compiled with the flags of the
# Release build (-O3 -DNDEBUG), without ccache.
compile_time() {
    local source=$2
    system=permit-cpp scenario=$1 server=none
    shift 2
    /usr/bin/time -f '%e %U %S %M' -o "$work/time" "${CXX:-g++}" -std=c++20 -O3 -DNDEBUG "$@" \
        -Iinclude -c "$source" -o "$work/compile_time.o" || die "$source does not compile"
    result=$(awk '{printf "{\"seconds\":%s,\"max_rss_kb\":%s}", $1, $4}' "$work/time")
    process=$(awk '{printf "{\"wall_s\":%s,\"cpu_s\":%.3f,\"max_rss_kb\":%s}", $1, $2 + $3, $4}' \
        "$work/time")
    record "$scenario" compile compile 0 false permit-cpp
    printf '  %-52s %.1f s\n' "$scenario" "$(field seconds "$result")" >&2
}

# The machine and compiler; with `clients`, the versions of Node.js and wrk too.
machine() {
    local cpu os
    cpu=$(lscpu | sed -n 's/^Model name: *//p' | head -1)
    os=$(. /etc/os-release && echo "$PRETTY_NAME")
    printf '%s vCPU %s, %s GB RAM, %s, g++ %s' "$(nproc)" "$cpu" \
        "$(free -g | awk '/^Mem:/ {print $2}')" "$os" "$(g++ -dumpfullversion)"
    [[ ${1:-} != clients ]] ||
        printf ', Node %s, %s' "$(node --version)" \
            "$( (wrk -v 2>&1 || true) | head -1 | awk '{print "wrk " $2}' | sed 's,debian/,,')"
}

# A string field of a JSON line ("case":"3 hops, allowed"), which may hold commas.
string_field() { sed -n "s/.*\"$1\":\"\([^\"]*\)\".*/\1/p" <<<"$2"; }

# bench-rebac-decisions VIA: each line it prints is one record of $work/rebac.jsonl, with the
# whole process's figures.
rebac_decisions() {
    local via=$1 line what
    system=permit-cpp server=emulator
    /usr/bin/time -f '%e %U %S %M' -o "$work/time" "$bench/bench-rebac-decisions" "$via" \
        --tuples "$rebac_tuples" >"$work/out" 2>"$work/err" ||
        die "bench-rebac-decisions $via failed: $(tail -5 "$work/err")"
    process=$(awk '{printf "{\"wall_s\":%s,\"cpu_s\":%.3f,\"max_rss_kb\":%s}", $1, $2 + $3, $4}' \
        "$work/time")
    while read -r line; do
        [[ $line == "{"* ]] || die "bench-rebac-decisions $via printed $line"
        result=$line
        what=$(string_field case "$line")
        if [[ $what == load ]]; then
            scenario="ReBAC: load of $rebac_tuples tuples ($via)"
            printf '  %-52s %.2f s, %.0f bytes per tuple\n' "$scenario" \
                "$(field load_seconds "$line")" "$(field bytes_per_tuple "$line")" >&2
        else
            scenario="ReBAC: $what ($via)"
            printf '  %-52s p50 %.1f us, p99 %.1f us\n' "$scenario" \
                "$(field cpu_p50_us "$line")" "$(field cpu_p99_us "$line")" >&2
        fi
        record "$scenario" rebac check 1 false "$system" "$work/rebac.jsonl"
    done <"$work/out"
}

# The ReBAC benchmark and its tables, between the rebac markers of docs/benchmarks.md.
rebac_part() {
    log "ReBAC decisions with $rebac_tuples tuples: through the router, then over HTTP"
    rebac_decisions handler
    rebac_decisions http
    mkdir -p "$results"
    cp "$work/rebac.jsonl" "$results/rebac_raw.jsonl"
    "$bench/bench-report" --rebac "$results/rebac_raw.jsonl" "$results" "$(machine)" \
        "$(date -u +%Y-%m-%d)" >"$work/rebac.md"
    splice docs/benchmarks.md rebac "$work/rebac.md"
    cat "$work/rebac.md"
}

# bench-abac-decisions VIA: each line it prints is one record of $work/abac.jsonl, with the
# whole process's figures.
abac_decisions() {
    local via=$1 line what
    system=permit-cpp server=emulator
    /usr/bin/time -f '%e %U %S %M' -o "$work/time" "$bench/bench-abac-decisions" "$via" \
        --users "$abac_users" --sets "$abac_sets" >"$work/out" 2>"$work/err" ||
        die "bench-abac-decisions $via failed: $(tail -5 "$work/err")"
    process=$(awk '{printf "{\"wall_s\":%s,\"cpu_s\":%.3f,\"max_rss_kb\":%s}", $1, $2 + $3, $4}' \
        "$work/time")
    while read -r line; do
        [[ $line == "{"* ]] || die "bench-abac-decisions $via printed $line"
        result=$line
        what=$(string_field case "$line")
        if [[ $what == load ]]; then
            scenario="ABAC: load of $abac_users users and $abac_sets condition sets ($via)"
            printf '  %-52s %.2f s, %.0f MB\n' "$scenario" \
                "$(field load_seconds "$line")" "$(field loaded_mb "$line")" >&2
        else
            scenario="ABAC: $what ($via)"
            printf '  %-52s p50 %.1f us, p99 %.1f us\n' "$scenario" \
                "$(field cpu_p50_us "$line")" "$(field cpu_p99_us "$line")" >&2
        fi
        record "$scenario" abac check 1 false "$system" "$work/abac.jsonl"
    done <"$work/out"
}

# The ABAC benchmark and its tables, between the abac markers of docs/benchmarks.md.
abac_part() {
    log "ABAC decisions with $abac_sets condition sets and $abac_users users: through the router, then over HTTP"
    abac_decisions handler
    abac_decisions http
    mkdir -p "$results"
    cp "$work/abac.jsonl" "$results/abac_raw.jsonl"
    "$bench/bench-report" --abac "$results/abac_raw.jsonl" "$results" "$(machine)" \
        "$(date -u +%Y-%m-%d)" >"$work/abac.md"
    splice docs/benchmarks.md abac "$work/abac.md"
    cat "$work/abac.md"
}

# Replaces the lines between the markers `<!-- NAME:begin -->` and `<!-- NAME:end -->` of FILE
# with the text of TABLE.
splice() {  # file name table
    local file=$1 name=$2 table=$3
    grep -qxF "<!-- $name:begin -->" "$file" && grep -qxF "<!-- $name:end -->" "$file" ||
        die "$file has no $name markers"
    awk -v table="$table" -v begin="<!-- $name:begin -->" -v end="<!-- $name:end -->" '
        $0 == begin { print; while ((getline line < table) > 0) print line; skip = 1; next }
        $0 == end { skip = 0 }
        !skip' "$file" >"$work/spliced"
    cp "$work/spliced" "$file"
}

# Sign-ups under the real limits: a trickle, a burst and the trickle again (bench-real-limits,
# which runs its emulators itself); its tables go between the limits markers of
# docs/benchmarks.md.
limits_part() {
    log "sign-ups under the real rate limits (time scale 60): a trickle, a burst of $limits_burst, the trickle again"
    system=permit-cpp server=emulator scenario="sign-ups under the real rate limits"
    /usr/bin/time -f '%e %U %S %M' -o "$work/time" "$bench/bench-real-limits" \
        --seed benchmarks/seed.json --burst "$limits_burst" \
        --trickle-seconds "$limits_trickle_seconds" >"$work/out" 2>"$work/err" ||
        die "bench-real-limits failed: $(tail -5 "$work/err")"
    result=$(tail -1 "$work/out")
    [[ $result == "{"* ]] || die "bench-real-limits printed no result: $(tail -5 "$work/out")"
    process=$(awk '{printf "{\"wall_s\":%s,\"cpu_s\":%.3f,\"max_rss_kb\":%s}", $1, $2 + $3, $4}' \
        "$work/time")
    : >"$work/limits.jsonl"
    record "$scenario" limits sync_user 0 false permit-cpp "$work/limits.jsonl"
    mkdir -p "$results"
    cp "$work/limits.jsonl" "$results/limits_raw.jsonl"
    "$bench/bench-report" --limits "$results/limits_raw.jsonl" "$results" "$(machine)" \
        "$(date -u +%Y-%m-%d)" >"$work/limits.md"
    splice docs/benchmarks.md limits "$work/limits.md"
    cat "$work/limits.md"
}

# The rate limiter's cost per request, local and shared through a redis-server of its own on a
# free loopback port (nothing saved to disk); its table goes between the limiter markers of
# docs/benchmarks.md.
redis_part() {
    [[ -x $bench/bench-limiter-cost ]] ||
        die "no $bench/bench-limiter-cost: configure with -DPERMIT_WITH_REDIS=ON (./dev bench redis)"
    command -v redis-server >/dev/null || die "redis-server is not installed (./dev setup)"
    local port redis_pid
    # A port nothing listens on.
    for _ in $(seq 100); do
        port=$((20000 + RANDOM % 40000))
        (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || break
    done
    redis-server --bind 127.0.0.1 --port "$port" --save "" --appendonly no --dir "$work" \
        >"$work/redis.log" 2>&1 &
    redis_pid=$!
    for _ in $(seq 100); do
        [[ $(redis-cli -p "$port" ping 2>/dev/null) == PONG ]] && break
        sleep 0.05
    done
    log "the rate limiter's cost per request: local, and shared through Redis on loopback, $seconds s per run"
    "$bench/bench-limiter-cost" --redis "redis://127.0.0.1:$port" --seconds "$seconds" \
        --concurrency 1 --concurrency 16 >"$work/limiter.jsonl" 2>"$work/err" ||
        { kill "$redis_pid"; die "bench-limiter-cost failed: $(tail -5 "$work/err")"; }
    kill "$redis_pid"
    wait "$redis_pid" 2>/dev/null || true
    mkdir -p "$results"
    cp "$work/limiter.jsonl" "$results/limiter_raw.jsonl"
    {
        echo "Measured $(date -u +%Y-%m-%d) on $(machine), $(redis-server --version | awk '{print $1 " " $3}' | sed 's/v=//'), $seconds s per run."
        echo
        echo "| limiter | concurrent requests | tokens/s | acquire p50 (µs) | acquire p99 (µs) |"
        echo "|---|---:|---:|---:|---:|"
        jq -r '"| \(if .limiter == "shared" then "shared (Redis on loopback)" else "local" end) | \(.concurrency) | \(.tokens_per_second | floor) | \(.acquire_p50_us * 100 | round / 100) | \(.acquire_p99_us * 100 | round / 100) |"' \
            "$work/limiter.jsonl"
    } >"$work/limiter.md"
    splice docs/benchmarks.md limiter "$work/limiter.md"
    cat "$work/limiter.md"
}

# A new TLS connection's cost, with and without resumption, against an https emulator with a
# throwaway certificate for 127.0.0.1 (RSA 2048, what `openssl req` makes by default); the
# emulator's CPU is read around each run, as the server's side of the handshakes.
tls_part() {
    openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 \
        -addext subjectAltName=IP:127.0.0.1 -keyout "$work/tls.key" -out "$work/tls.crt" \
        2>"$work/err" || die "openssl could not make a certificate: $(cat "$work/err")"
    : >"$work/tls.jsonl"
    local mode line before
    for mode in full resumed full resumed; do
        : >"$work/server.log"
        "$build/tools/permit-emulator" --tls-cert "$work/tls.crt" --tls-key "$work/tls.key" \
            >"$work/server.log" 2>&1 &
        server_pid=$!
        url=
        for _ in $(seq 100); do
            url=$(sed -n 's/^listening on //p' "$work/server.log")
            [[ -n $url ]] && break
            sleep 0.05
        done
        [[ -n $url ]] || die "the https emulator did not start: $(cat "$work/server.log")"
        log "a pool of 16 reopened 50 times over TLS, handshakes: $mode"
        before=$(server_cpu)
        line=$("$bench/bench-tls-connect" --url "$url" --ca "$work/tls.crt" --mode "$mode" \
            --connections 16 --rounds 50 2>"$work/err") ||
            die "bench-tls-connect failed: $(tail -5 "$work/err")"
        # The emulator's CPU over the whole run: each connection's handshake and its two requests.
        jq -c --argjson cpu "$(awk -v a="$(server_cpu)" -v b="$before" 'BEGIN { print a - b }')" \
            '. + {server_cpu_us_per_connection: ($cpu * 1e6 / ((.rounds + 1) * .connections))}' \
            <<<"$line" >>"$work/tls.jsonl"
        stop_server
    done
    mkdir -p "$results"
    cp "$work/tls.jsonl" "$results/tls_raw.jsonl"
    {
        echo "Measured $(date -u +%Y-%m-%d) on $(machine), $(openssl version | awk '{print $1 " " $2}'), an RSA 2048 certificate; two runs of each, taking turns."
        echo
        echo "| handshakes | client CPU per new connection (µs) | client CPU per request (µs) | emulator CPU per connection and its 2 requests (µs) | full handshakes per reopening of 16 | resumed |"
        echo "|---|---:|---:|---:|---:|---:|"
        jq -r '"| \(.mode) | \(.client_cpu_us_per_new_connection | round) | \(.client_cpu_us_per_request | round) | \(.server_cpu_us_per_connection | round) | \(.full_handshakes_per_reopen) | \(.resumed_handshakes_per_reopen) |"' \
            "$work/tls.jsonl"
    } >"$work/tls.md"
    splice docs/benchmarks.md tls "$work/tls.md"
    splice README.md tls "$work/tls.md"
    cat "$work/tls.md"
}

# The client scenarios, against the emulator and against the sink.
client_part() {
    log "Node SDK (npm ci)"
    [[ -d benchmarks/node/node_modules/permitio ]] ||
        (cd benchmarks/node && npm ci --no-audit --no-fund --silent)

    log "single operations against the emulator, $seconds s per run, the median of $repeat runs"
    for op in sync create; do
        for c in 1 16 64 256; do single_scenario emulator "$op" "$c"; done
    done
    single_scenario emulator check 1
    log "checks at c=64, plain and coalesced, against the emulator"
    check_scenario_with_coalescing emulator 64
    log "HTTP/1.1 pipelining, against the emulator"
    for c in 16 64 256; do single_scenario emulator sync "$c" --pipelining; done
    single_scenario emulator check 64 --pipelining

    log "single operations against bench-sink, $seconds s per run, the median of $repeat runs"
    for op in sync create; do single_scenario sink "$op" 64; done
    for c in 1 64; do check_scenario_with_coalescing sink "$c"; done
    # A lone coalesced check against a plain one, without the noise between two processes.
    single_scenario sink check 1 --taking-turns
    single_scenario sink check 64 --pipelining

    log "bulk sync of $bulk_users generated users, against the emulator and against bench-sink," \
        "the median of $bulk_repeat runs"
    for server_ in emulator sink; do
        # Alternating, as single_scenario does, so that a slow moment falls on one run of each,
        # and the Node SDK first in every other round, so that neither client always follows the
        # other. Against the emulator the two are close (it takes a core, and both send the same
        # request bodies; the client's own CPU decides what is left of the machine for it): more
        # rounds than a single operation's keep the machine's noise from deciding the ratio.
        local round
        for round in $(seq "$bulk_repeat"); do
            if ((round % 2)); then
                bulk_sync "$server_" permit-cpp
                bulk_sync "$server_" permit-cpp stream-handlers
                bulk_sync "$server_" node-sdk
            else
                bulk_sync "$server_" node-sdk
                bulk_sync "$server_" permit-cpp
                bulk_sync "$server_" permit-cpp stream-handlers
            fi
        done
        for system_ in permit-cpp permit-cpp-handlers node-sdk; do
            keep_median "$work/bulk.$server_.$system_" users_per_second
        done
    done

    log "sign-up burst of $burst_users concurrent bulk.sync_user calls, against the emulator and against bench-sink"
    for server_ in emulator sink; do
        for mode_ in burst burst-coroutines; do
            burst "$server_" "$mode_"
            burst "$server_" "$mode_" --role viewer --tenant acme
        done
    done
}

# The compile times of a translation unit that uses the client.
compile_part() {
    log "compile time: header-only, and with PERMIT_SEPARATE_COMPILATION"
    compile_time "a TU with Asio coroutines and Boost.JSON, no permit-cpp" \
        benchmarks/compile_time_baseline.cpp
    compile_time "compile a TU with <permit/permit.hpp>" benchmarks/compile_time.cpp
    compile_time "the same TU, separate compilation" benchmarks/compile_time.cpp \
        -DPERMIT_SEPARATE_COMPILATION
    compile_time "the same TU with ten more operations, separate compilation" \
        benchmarks/compile_time_more.cpp -DPERMIT_SEPARATE_COMPILATION
    echo '#include <permit/src.hpp>' >"$work/permit_src.cpp"
    compile_time "<permit/src.hpp>, once per program" "$work/permit_src.cpp" \
        -DPERMIT_SEPARATE_COMPILATION
}

# The client scenarios' report: latest.{json,md}, summary.md, the chart, and the tables in
# docs/benchmarks.md and README.md.
client_report() {
    log "report"
    mkdir -p "$results"
    cp "$raw" "$results/raw.jsonl"
    "$bench/bench-report" "$results/raw.jsonl" "$results" "$(machine clients)" \
        "$(date -u +%Y-%m-%d)" >"$work/table.md"
    # The benchmarks page shows the latest tables and the chart between its markers.
    { cat "$work/table.md"; echo; echo "![Throughput against concurrency](../benchmarks/results/throughput.png)"; } \
        >"$work/page.md"
    splice docs/benchmarks.md benchmarks "$work/page.md"
    splice README.md benchmarks "$results/summary.md"
    cat "$work/table.md"
}

case $part in
    rebac) rebac_part ;;
    abac) abac_part ;;
    limits) limits_part ;;
    redis) redis_part ;;
    tls) tls_part ;;
    client)
        client_part
        # The compile times of the last full run stay in the report.
        if [[ -f $results/raw.jsonl ]]; then
            grep '"kind":"compile"' "$results/raw.jsonl" >>"$raw" || true
        fi
        client_report ;;
    all)
        client_part
        compile_part
        client_report
        limits_part
        rebac_part
        abac_part
        tls_part ;;
esac
