#!/usr/bin/env bash
# A fleet of four clients shares one rate budget through Redis. Two shards of permit-bulk-sync and
# two signup-servers (each under a wrk sign-up load) write into ONE permit-emulator that enforces
# Permit's documented rate limits on a time scale, and the clients pace themselves with the same
# limits on the same scale. Three runs, one after the other:
#
#   shared   the four clients share the budget through one redis-server: no 429 at all, and the
#            class the fleet uses most (bulk, here) used to at least 90% of its limit over the
#            whole windows of the run
#   alone    the same without Redis: each client believes it owns the whole budget (its 429s and
#            rate are printed, not asserted)
#   restart  shared, with Redis stopped while the shards sync and started again, empty, 4 s later:
#            the run finishes, no user or role assignment is lost or duplicated, and the 429s stay
#            within one limit of the bulk class per change of Redis' state (down, back)
#
# Every run also checks what the emulator holds: exactly the users and role assignments the shards
# synced and the servers acknowledged, and (permit-bulk-sync --verify-only) every tenant and a
# sample of users field by field.
#
#   fleet_test.sh PERMIT_BULK_SYNC SIGNUP_SERVER PERMIT_EMULATOR [RUN...]   (default: all three)
#
# Needs redis-server, redis-cli, wrk, curl and jq. FLEET_TIME_SCALE (default 120: a minute lasts
# 0.5 s, the bulk class's 10 minutes 5 s), FLEET_USERS (generated users for the two shards, default 60000) and
# FLEET_SECONDS (the least time the sign-up load lasts, default 16) change the run; FLEET_KEEP=DIR
# keeps each run's logs and request log there.
set -euo pipefail

BULK_SYNC=$1
SIGNUP_SERVER=$2
EMULATOR=$3
shift 3
RUNS=("$@")
((${#RUNS[@]})) || RUNS=(shared alone restart)
HERE=$(cd "$(dirname "$0")" && pwd)
LUA=$HERE/../../examples/signup_load/signups.lua
SCALE=${FLEET_TIME_SCALE:-120}
USERS=${FLEET_USERS:-60000}
SECONDS_MIN=${FLEET_SECONDS:-16}
KEY=permit_key_fleet$RANDOM$RANDOM
# The bulk class: 100 calls in any 10 minutes, divided by the time scale.
BULK_LIMIT=100
BULK_WINDOW_MS=$(awk -v s="$SCALE" 'BEGIN { printf "%.3f", 600000 / s }')

WORK=$(mktemp -d)
PIDS=()
cleanup() {
    local pid
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    if [[ -n ${FLEET_KEEP:-} ]]; then
        mkdir -p "$FLEET_KEEP" && cp -r "$WORK"/. "$FLEET_KEEP"/
    fi
    rm -rf "$WORK"
}
trap cleanup EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }
step() { echo "--- $*"; }
for tool in redis-server redis-cli wrk jq; do
    command -v "$tool" >/dev/null || fail "$tool is not installed (./dev setup installs it)"
done

# Starts a process that prints "listening on URL"; sets URL and PID. The first argument is its log.
start() {
    local log=$1
    shift
    : >"$log"
    "$@" >"$log" 2>&1 &
    PID=$!
    PIDS+=("$PID")
    for _ in $(seq 200); do
        URL=$(sed -n 's/^listening on \(http:[^ ]*\).*/\1/p' "$log")
        [[ -n $URL ]] && return 0
        kill -0 "$PID" 2>/dev/null || break
        sleep 0.05
    done
    cat "$log" >&2
    fail "$(basename "$1") did not start"
}

# A TCP port on 127.0.0.1 that nothing listens on.
free_port() {
    local port
    for _ in $(seq 100); do
        port=$((20000 + RANDOM % 40000))
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
            echo "$port"
            return 0
        fi
    done
    fail "no free port found"
}

# Starts redis-server on 127.0.0.1:$1 (nothing saved to disk); sets REDIS_PID.
start_redis() {
    local port=$1 log=$2
    redis-server --bind 127.0.0.1 --port "$port" --save "" --appendonly no --dir "$WORK" \
        >>"$log" 2>&1 &
    REDIS_PID=$!
    PIDS+=("$REDIS_PID")
    for _ in $(seq 100); do
        [[ $(redis-cli -p "$port" ping 2>/dev/null) == PONG ]] && return 0
        sleep 0.05
    done
    cat "$log" >&2
    fail "redis-server did not start"
}

stop_redis() {
    kill -TERM "$REDIS_PID"
    wait "$REDIS_PID" 2>/dev/null || true
}

# The policy the servers' sign-ups and the generated users need.
cat >"$WORK/policy.json" <<'EOF'
{"resources":[{"key":"document","name":"Document","actions":{"read":{}}}],
 "roles":[{"key":"member","name":"member","permissions":["document:read"]},
          {"key":"viewer","name":"viewer"},{"key":"editor","name":"editor"},
          {"key":"admin","name":"admin"}]}
EOF

now_ms() { date +%s%3N; }
number() { grep -o "\"$1\":[0-9.]*" | head -1 | cut -d: -f2; }

SUMMARY=()

# One run of the fleet: $1 is shared, alone or restart.
run_fleet() {
    local run=$1 dir=$WORK/$1
    mkdir -p "$dir"
    step "$run: 2 permit-bulk-sync shards ($USERS users) and 2 signup-servers under load, one" \
        "emulator with the rate limits on time scale $SCALE"
    start "$dir/emulator.log" "$EMULATOR" --port 0 --seed "$WORK/policy.json" --api-key "$KEY" \
        --rate-limits "{\"time_scale\":$SCALE}" --request-log "$dir/requests.jsonl" \
        --exit-after 600
    local emulator=$URL emulator_pid=$PID
    local redis=() port=
    if [[ $run != alone ]]; then
        port=$(free_port)
        start_redis "$port" "$dir/redis.log"
        redis=(--redis "redis://127.0.0.1:$port" --redis-prefix "fleet:$run:")
    fi
    local limits=(--api-url "$emulator" --pdp-url "$emulator" --api-key "$KEY"
        --rate-time-scale "$SCALE" "${redis[@]}")

    local servers=() server_pids=() i
    for i in 0 1; do
        start "$dir/server$i.log" "$SIGNUP_SERVER" --port 0 --threads 1 "${limits[@]}"
        servers+=("$URL")
        server_pids+=("$PID")
    done
    local started
    started=$(now_ms)
    local wrk_pids=()
    for i in 0 1; do
        # More sign-ups than the run can take: the load lasts until it is interrupted.
        wrk -t1 -c64 -d10m --timeout 60s -s "$LUA" "${servers[$i]}" -- 1000000 1 "$run-$i" \
            >"$dir/wrk$i.out" 2>&1 &
        wrk_pids+=($!)
        PIDS+=($!)
    done
    local sync_pids=() k
    for k in 0 1; do
        "$BULK_SYNC" --generate "$USERS" --shard "$k/2" "${limits[@]}" \
            --report "$dir/sync$k.json" >"$dir/sync$k.out" 2>"$dir/sync$k.err" &
        sync_pids+=($!)
        PIDS+=($!)
    done

    if [[ $run == restart ]]; then
        # While the shards are syncing (they take about a second), and for a few seconds of the
        # servers' load.
        sleep 0.3
        stop_redis
        echo "redis stopped at $(awk -v t="$(($(now_ms) - started))" 'BEGIN { print t / 1000 }') s"
        sleep 4
        start_redis "$port" "$dir/redis.log"
        echo "redis started again, empty, at $(awk -v t="$(($(now_ms) - started))" 'BEGIN { print t / 1000 }') s"
    fi

    local shard_seconds=()
    for k in 0 1; do
        wait "${sync_pids[$k]}" ||
            { cat "$dir/sync$k.out" "$dir/sync$k.err" >&2; fail "$run: shard $k failed"; }
        shard_seconds+=("$(grep -o '"elapsed_seconds":[0-9.eE+-]*' "$dir/sync$k.json" | cut -d: -f2 |
            awk '{ printf "%.1f", $1 }')")
    done
    while (($(now_ms) - started < SECONDS_MIN * 1000)); do sleep 0.2; done
    # wrk reports at once when interrupted; the sign-ups in flight are still answered by the
    # servers, and the servers' own counts are the ones compared below.
    for i in 0 1; do kill -INT "${wrk_pids[$i]}" 2>/dev/null || true; done
    for i in 0 1; do wait "${wrk_pids[$i]}" || true; done
    local load_ms=$(($(now_ms) - started))
    local signups=0 failed=0 n
    for i in 0 1; do
        kill -TERM "${server_pids[$i]}"
        wait "${server_pids[$i]}" ||
            { tail -5 "$dir/server$i.log" >&2; fail "$run: server $i did not stop cleanly"; }
        n=$(sed -n 's/^stopped: \([0-9]*\) sign-ups.*/\1/p' "$dir/server$i.log")
        [[ -n $n ]] || fail "$run: server $i printed no count: $(tail -3 "$dir/server$i.log")"
        signups=$((signups + n))
        failed=$((failed + $(grep -o '"failed":[0-9]*' "$dir/wrk$i.out" | cut -d: -f2 || echo 0)))
    done
    curl -s -o /dev/null "$emulator/fleet-test/load-ended" || true
    grep -h "rate limits:" "$dir"/server*.log "$dir"/sync*.err 2>/dev/null | sed 's/^/  /' | sort |
        uniq -c | head -8 || true

    # What the emulator holds, against what was sent.
    local synced_users=0 synced_assignments=0
    for k in 0 1; do
        synced_users=$((synced_users + $(number users_synced <"$dir/sync$k.json")))
        synced_assignments=$((synced_assignments + $(number assignments_synced <"$dir/sync$k.json")))
    done
    local api="$emulator/v2/facts/default/production"
    local users assignments
    users=$(curl -sf -H "Authorization: Bearer $KEY" "$api/users?per_page=1" | number total_count)
    assignments=$(curl -sf -H "Authorization: Bearer $KEY" \
        "$api/role_assignments?per_page=1&include_total_count=true" | number total_count)
    ((synced_users == USERS)) || fail "$run: the shards synced $synced_users users of $USERS"
    ((failed == 0)) || fail "$run: $failed sign-ups were not acknowledged"
    ((users == synced_users + signups)) ||
        fail "$run: the emulator holds $users users, $synced_users synced + $signups signed up were sent"
    ((assignments == synced_assignments + signups)) ||
        fail "$run: the emulator holds $assignments role assignments, $synced_assignments + $signups were sent"
    for k in 0 1; do
        "$BULK_SYNC" --verify-only --generate "$USERS" --shard "$k/2" "${limits[@]}" \
            >"$dir/verify$k.out" 2>&1 ||
            { cat "$dir/verify$k.out" >&2; fail "$run: shard $k does not verify"; }
        grep -q "all match" "$dir/verify$k.out" || fail "$run: shard $k's sampled users differ"
    done

    kill -TERM "$emulator_pid"
    wait "$emulator_pid" || fail "$run: the emulator did not stop cleanly"
    [[ $run == alone ]] || stop_redis

    # The REST requests of the run, from the emulator's request log: when, status, whether of the
    # writes class and of the bulk class (a `bulk` path segment); the marker sent once the servers
    # stopped ends the load.
    jq -r 'select((.target | startswith("/v2/")) or .target == "/fleet-test/load-ended") |
           [.received_ms, .status,
            (if (.method | test("^(POST|PUT|PATCH|DELETE)$")) then 1 else 0 end),
            (if (.target | test("/bulk(/|\\?|$)")) then 1 else 0 end),
            (if .target == "/fleet-test/load-ended" then 1 else 0 end)] | @tsv' \
        "$dir/requests.jsonl" >"$dir/requests.tsv"
    # Each class's use of its limit: the requests admitted in the whole windows from the class's
    # first request to the end of the load (the verification after it excluded), against the limit
    # of those windows. The fleet is held back by the class it uses most: that one must reach 90%
    # in the windows after the first.
    # The 429s: over the same time.
    local report refused busiest
    report=$(awk -F'\t' -v scale="$SCALE" '
        # The windows after the first are counted apart: the first holds the initial burst, which
        # a client that paces itself well or badly takes all the same.
        function use(name, limit, window,    k, c, c1, i, first, u, u1) {
            if (!n[name]) return
            first = t[name, 0]
            k = int((last - first) / window); if (k < 1) k = 1
            c = 0; c1 = 0
            for (i = 0; i < n[name]; i++) {
                if (t[name, i] < first + k * window) c++
                if (t[name, i] >= first + window && t[name, i] < first + k * window) c1++
            }
            u = 100 * c / (k * limit)
            u1 = k > 1 ? 100 * c1 / ((k - 1) * limit) : u
            text = text sprintf("%s %d of %d in %d windows (%.1f%%; after the first %.1f%%), ", \
                                name, c, k * limit, k, u, u1)
            if (u1 > best) best = u1
        }
        ended { next }
        $5 == 1 { ended = 1; next }
        $2 == 429 { refused++; next }
        { last = $1; t["all", n["all"]++] = $1 }
        $3 == 1 { t["writes", n["writes"]++] = $1 }
        $4 == 1 { t["bulk", n["bulk"]++] = $1 }
        END {
            best = 0
            use("all", 1000, 60000 / scale)
            use("writes", 300, 60000 / scale)
            use("bulk", 100, 600000 / scale)
            printf "%d %.1f %s\n", refused, best, substr(text, 1, length(text) - 2)
        }' "$dir/requests.tsv")
    refused=$(cut -d' ' -f1 <<<"$report")
    busiest=$(cut -d' ' -f2 <<<"$report")
    local line
    line=$(printf '%-8s 429s %4d | %s | busiest class at %s%% | users %d (%d signed up), assignments %d | shards %s s and %s s, load %.1f s' \
        "$run" "$refused" "$(cut -d' ' -f3- <<<"$report")" "$busiest" \
        "$users" "$signups" "$assignments" \
        "${shard_seconds[0]}" "${shard_seconds[1]}" \
        "$(awk -v t="$load_ms" 'BEGIN { print t / 1000 }')")
    echo "$line"
    SUMMARY+=("$line")

    case $run in
        shared)
            ((refused == 0)) || fail "shared: $refused requests got 429"
            awk -v s="$busiest" 'BEGIN { exit !(s >= 90) }' ||
                fail "shared: the fleet used $busiest% of its busiest class's limit, less than 90%"
            ;;
        restart)
            # Each change of Redis' state may cost up to one limit of 429s: going down, each
            # client paces itself with its share of a budget the server has partly counted
            # already; coming back empty, the shared budget starts full while the server still
            # counts the last window.
            ((refused <= 2 * BULK_LIMIT)) ||
                fail "restart: $refused requests got 429, more than $((2 * BULK_LIMIT))"
            ;;
    esac
}

for run in "${RUNS[@]}"; do
    case $run in
        shared | alone | restart) run_fleet "$run" ;;
        *) fail "unknown run $run (shared, alone or restart)" ;;
    esac
done
step "summary (time scale $SCALE: in any $(awk -v w="$BULK_WINDOW_MS" 'BEGIN { print w / 1000 }') s, at most $BULK_LIMIT bulk calls; in any $(awk -v s="$SCALE" 'BEGIN { print 60 / s }') s, 300 writes and 1000 requests in all)"
printf '%s\n' "${SUMMARY[@]}"
echo "PASS"
