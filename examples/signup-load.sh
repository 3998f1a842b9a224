#!/usr/bin/env bash
# A sign-up burst against signup-server: wrk posts SIGNUPS unique sign-ups over CONNECTIONS
# connections; then the emulator is asked whether every user is there, in its company's tenant
# with its role, and the server for how many requests reached Permit. The emulator runs as a
# process of its own so that it can be checked after the server has stopped.
#
#   examples/signup-load.sh [BUILD_DIR] [SIGNUPS] [CONNECTIONS]     (defaults: build 50000 500)
#
# Needs wrk and curl (./dev setup installs them). Exit status 0 when every sign-up was
# acknowledged and is in the emulator, and the server stopped cleanly.
set -euo pipefail
cd "$(dirname "$0")/.."

build=${1:-build}
signups=${2:-50000}
connections=${3:-500}
threads=2
key=permit_key_emulator
work=$(mktemp -d)
pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true; rm -rf "$work"' EXIT

die() { printf 'signup-load: %s\n' "$*" >&2; exit 1; }

# Starts a process printing "listening on URL"; sets $url and remembers its pid.
start() {
    local log=$1
    shift
    "$@" >"$log" 2>&1 &
    pids+=($!)
    for _ in $(seq 200); do
        url=$(sed -n 's/^listening on //p' "$log")
        [[ -n $url ]] && return
        sleep 0.05
    done
    die "$1 did not start: $(cat "$log")"
}

api_get() { curl -sf -H "Authorization: Bearer $key" "$emulator/v2/facts/default/production/$1"; }
total_count() { grep -o '"total_count":[0-9]*' | cut -d: -f2; }
number() { grep -o "\"$1\":[0-9.]*" | head -1 | cut -d: -f2; }

start "$work/emulator.log" "$build/tools/permit-emulator" --seed examples/signup_load/policy.json
emulator=$url
start "$work/server.log" "$build/examples/signup-server" --port 0 --threads "$(nproc)" \
    --api-url "$emulator" --pdp-url "$emulator" --api-key "$key"
server=$url
server_pid=${pids[-1]}

echo "posting $signups sign-ups over $connections connections to $server"
wrk -t"$threads" -c"$connections" -d5m --timeout 30s -s examples/signup_load/signups.lua \
    "$server" -- "$signups" "$threads" >"$work/wrk.out" &
wrk_pid=$!
pids+=("$wrk_pid")
# A wrk thread stops once its sign-ups are answered, but wrk itself waits for its whole duration;
# an interrupt makes it report at once.
answered() {
    curl -sf "$server/metrics" |
        grep -o '"created":[0-9]*,"invalid":[0-9]*,"taken":[0-9]*,"failed":[0-9]*' |
        grep -o '[0-9][0-9]*' | awk '{ sum += $1 } END { print sum + 0 }'
}
while kill -0 "$wrk_pid" 2>/dev/null && (($(answered) < signups)); do sleep 0.05; done
kill -INT "$wrk_pid" 2>/dev/null || true
wait "$wrk_pid" || true
result=$(tail -1 "$work/wrk.out")
[[ $result == "{"* ]] || die "wrk printed no result: $(cat "$work/wrk.out")"
metrics=$(curl -sf "$server/metrics")

kill -TERM "$server_pid"
wait "$server_pid" || die "the server did not stop cleanly: $(tail -5 "$work/server.log")"

created=$(number created <<<"$result")
users=$(api_get 'users?per_page=1' | total_count)
assignments=$(api_get 'role_assignments?per_page=1&include_total_count=true' | total_count)
# A sample of users, each in its company's tenant with the role.
sampled=0
for n in 1 $((signups / 4 / threads)) $((signups / 2 / threads)) $((signups / threads)); do
    user=$(api_get "users/load-0-$n@example.com") || die "load-0-$n@example.com is missing"
    grep -q "\"role\":\"member\",\"tenant\":\"company-$((n % 50))\"" <<<"$user" ||
        die "load-0-$n@example.com is not a member of company-$((n % 50)): $user"
    sampled=$((sampled + 1))
done

seconds=$(number seconds <<<"$result")
permit_requests=$(grep -o '"requests":[0-9]*' <<<"$metrics" | cut -d: -f2)
printf 'sign-ups acknowledged  %s of %s (%s failed, %s socket errors)\n' "$created" "$signups" \
    "$(number failed <<<"$result")" "$(number socket_errors <<<"$result")"
printf 'in the emulator        %s users, %s role assignments, %s sampled users checked\n' \
    "$users" "$assignments" "$sampled"
printf 'sign-ups/s             %.0f (%s s)\n' "$(awk -v n="$created" -v s="$seconds" 'BEGIN {print n / s}')" \
    "$seconds"
printf 'latency                p50 %s ms, p99 %s ms\n' "$(number p50_ms <<<"$result")" \
    "$(number p99_ms <<<"$result")"
printf 'requests to Permit     %s (%s)\n' "$permit_requests" \
    "$(grep -o '"user_batches":[0-9]*,"tenant_batches":[0-9]*,"assignment_batches":[0-9]*' <<<"$metrics" | tr -d '"' | tr ',' ' ')"
((created == signups && users == signups && assignments == signups)) ||
    die "expected $signups sign-ups, users and role assignments"
