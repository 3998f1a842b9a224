#!/usr/bin/env bash
# permit-bulk-sync end to end: a generated file round-trips exactly; bad lines go to the rejects
# file and the rest is synced; a run killed with SIGKILL and resumed gives the exact state; two
# shards together give the exact state; a run through an HTTP proxy (tinyproxy, when installed)
# to an https emulator syncs everything through CONNECT tunnels; a wrong key fails clearly; no
# output ever holds a key. Usage: bulk_sync_test.sh PERMIT_BULK_SYNC PERMIT_EMULATOR
set -euo pipefail

TOOL=$1
EMULATOR=$2
WORK=$(mktemp -d)
EMULATOR_PIDS=()
cleanup() {
    for pid in "${EMULATOR_PIDS[@]}" ${PROXY_PID:-}; do kill "$pid" 2>/dev/null || true; done
    rm -rf "$WORK"
}
trap cleanup EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }
step() { echo "--- $*"; }

# Starts an emulator (loopback, a free port) that knows the generated roles; sets EMULATOR_URL.
# Arguments go to the emulator.
start_emulator() {
    local log=$WORK/emulator-$RANDOM.log
    echo '{"roles":[{"key":"viewer","name":"viewer"},{"key":"editor","name":"editor"},{"key":"admin","name":"admin"}]}' >"$WORK/seed.json"
    # The log exists before the emulator opens it: the loop below may read it first, and a sed on
    # a missing file ends the script under `set -e`.
    : >"$log"
    "$EMULATOR" --port 0 --seed "$WORK/seed.json" --api-key "$KEY" --exit-after 600 "$@" >"$log" 2>&1 &
    EMULATOR_PIDS+=($!)
    for _ in $(seq 100); do
        EMULATOR_URL=$(sed -n 's/^listening on \(https\{0,1\}:[^ ]*\).*/\1/p' "$log")
        [[ -n $EMULATOR_URL ]] && return 0
        sleep 0.1
    done
    cat "$log" >&2
    fail "the emulator did not start"
}

# A key of this run's own, so that the last step can look for it in every output.
KEY=permit_key_ToolTestS3cret$RANDOM$RANDOM
REMOTE=(--api-key "$KEY")

step "a generated file of 100,000 users round-trips exactly"
"$TOOL" --generate 100000 --output "$WORK/users.jsonl" >/dev/null
[[ $(wc -l <"$WORK/users.jsonl") -eq 100000 ]] || fail "the generated file has the wrong length"
"$TOOL" "$WORK/users.jsonl" --report "$WORK/report.json" >"$WORK/out.txt" 2>"$WORK/err.txt" ||
    { cat "$WORK/out.txt" "$WORK/err.txt"; fail "the round trip did not verify"; }
grep -q "verified: 100,000 users" "$WORK/out.txt" || fail "no verification line"
grep -q "all match" "$WORK/out.txt" || fail "the sampled users differ"
grep -q '"users_synced":100000' "$WORK/report.json" || fail "the report does not count 100,000 users"
grep -q '"users_rejected":0' "$WORK/report.json" || fail "the report counts rejects"

step "bad lines go to the rejects file, every other user is synced"
{
    echo 'key,email,first_name,last_name,tenant,role,attributes'
    for i in $(seq 1 50); do echo "good-$i,good$i@example.com,Good,User,acme,viewer,\"{\"\"n\"\":$i}\""; done
    echo 'bad-email,not-an-email,Bad,Email,acme,viewer,'                 # line 52
    echo 'key with spaces,spaces@example.com,Key,Spaces,acme,viewer,'    # line 53
    echo 'missing-column,missing@example.com,Missing,Column,acme'        # line 54
    echo '"unterminated,quote@example.com,Bad,Quote,acme,viewer,'        # line 55
    printf 'huge,huge@example.com,Huge,Attributes,acme,viewer,"{""blob"":""%s""}"\n' \
        "$(head -c 1048576 /dev/zero | tr '\0' 'a')"                     # line 56
    for i in $(seq 51 60); do echo "good-$i,good$i@example.com,Good,User,globex,editor,"; done
    printf 'latin1,latin1@example.com,Ren\xe9,Latin,acme,viewer,\n'           # line 67
} >"$WORK/mixed.csv"
"$TOOL" "$WORK/mixed.csv" --rejects "$WORK/rejects.jsonl" >"$WORK/out.txt" 2>"$WORK/err.txt" ||
    { cat "$WORK/out.txt" "$WORK/err.txt"; fail "the mixed file did not verify"; }
grep -q "verified: 60 users" "$WORK/out.txt" || { cat "$WORK/out.txt"; fail "not 60 users"; }
rejected=$(sed -n 's/^{"line":\([0-9]*\),.*/\1/p' "$WORK/rejects.jsonl" | sort -n | tr '\n' ' ')
[[ $rejected == "52 53 54 55 56 67 " ]] || fail "rejected lines: '$rejected', expected 52 to 56 and 67"
grep '"line":67' "$WORK/rejects.jsonl" | grep -q 'not valid UTF-8' || fail "no reason for the Latin-1 name"
# The rejects file stays UTF-8 (JSON): the Latin-1 byte is written as \xe9.
! LC_ALL=C grep -q $'\xe9' "$WORK/rejects.jsonl" || fail "the rejects file holds a byte that is not UTF-8"
grep '"line":67' "$WORK/rejects.jsonl" | grep -qF 'Ren\\xe9' || fail "the Latin-1 byte is not escaped"
grep '"line":52' "$WORK/rejects.jsonl" | grep -q 'email' || fail "no reason for the bad email"
grep '"line":56' "$WORK/rejects.jsonl" | grep -q 'longer than' || fail "no reason for the 1 MB line"
[[ $(stat -c %s "$WORK/rejects.jsonl") -lt 100000 ]] || fail "the rejects file copies the 1 MB line"

step "a run killed with SIGKILL and resumed gives the exact final state"
# Every bulk write answered 250 ms late, so that the run lasts long enough to be killed in the
# middle however fast the build.
start_emulator --faults '[{"method":"PUT","path":"/v2/facts/*/*/bulk/users","kind":"delay","delay_ms":250},
                          {"method":"POST","path":"/v2/facts/*/*/role_assignments/bulk","kind":"delay","delay_ms":250}]'
"$TOOL" "$WORK/users.jsonl" --api-url "$EMULATOR_URL" "${REMOTE[@]}" --resume "$WORK/checkpoint.json" \
    >/dev/null 2>&1 &
victim=$!
# Killed at a random point after its first checkpoint past line 1 (written every second).
checkpoint_line() { sed -n 's/.*"next_line":\([0-9]*\).*/\1/p' "$WORK/checkpoint.json" 2>/dev/null; }
for _ in $(seq 600); do [[ $(checkpoint_line) -gt 1 ]] 2>/dev/null && break; sleep 0.05; done
[[ $(checkpoint_line) -gt 1 ]] || fail "no checkpoint past line 1 was written"
sleep "$(awk -v r=$RANDOM 'BEGIN { printf "%.2f", 1.5 * r / 32767 }')"
kill -9 "$victim" 2>/dev/null || fail "the first run ended before it could be killed"
wait "$victim" 2>/dev/null || true
echo "killed; the checkpoint says line $(checkpoint_line)"
"$TOOL" "$WORK/users.jsonl" --api-url "$EMULATOR_URL" "${REMOTE[@]}" --resume "$WORK/checkpoint.json" \
    --verify >"$WORK/out.txt" 2>"$WORK/err.txt" ||
    { cat "$WORK/out.txt" "$WORK/err.txt"; fail "the resumed run did not verify"; }
grep -q "resuming from" "$WORK/err.txt" || fail "the second run did not resume"
grep -q "verified: 100,000 users" "$WORK/out.txt" || fail "not 100,000 users after resuming"

step "two shards together give the exact final state"
start_emulator
"$TOOL" "$WORK/users.jsonl" --api-url "$EMULATOR_URL" "${REMOTE[@]}" --shard 0/2 >"$WORK/shard0.txt" 2>&1 &
first=$!
"$TOOL" "$WORK/users.jsonl" --api-url "$EMULATOR_URL" "${REMOTE[@]}" --shard 1/2 >"$WORK/shard1.txt" 2>&1 &
second=$!
wait "$first" || { cat "$WORK/shard0.txt"; fail "shard 0 failed"; }
wait "$second" || { cat "$WORK/shard1.txt"; fail "shard 1 failed"; }
"$TOOL" "$WORK/users.jsonl" --api-url "$EMULATOR_URL" "${REMOTE[@]}" --verify-only >"$WORK/out.txt" 2>&1 ||
    { cat "$WORK/out.txt"; fail "the two shards do not add up to the file"; }
grep -q "verified: 100,000 users" "$WORK/out.txt" || fail "not 100,000 users from two shards"

step "a wrong API key fails with the server's reason"
WRONG_KEY=permit_key_Wr0ngToolTestKey$RANDOM
if "$TOOL" "$WORK/mixed.csv" --api-url "$EMULATOR_URL" --api-key "$WRONG_KEY" >"$WORK/wrong.txt" 2>&1; then
    fail "a run with a wrong key succeeded"
fi
grep -q 'stopped, the rest of the input is not synced' "$WORK/wrong.txt" || { cat "$WORK/wrong.txt"; fail "the run did not stop"; }
grep -qE 'HTTP (401|403)' "$WORK/wrong.txt" || { cat "$WORK/wrong.txt"; fail "no reason given"; }

step "through an HTTP proxy, an https emulator gets every user through CONNECT tunnels"
if command -v tinyproxy >/dev/null || [[ -x /usr/sbin/tinyproxy ]]; then
    openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 \
        -addext subjectAltName=IP:127.0.0.1 -keyout "$WORK/tls.key" -out "$WORK/tls.crt" 2>/dev/null
    start_emulator --tls-cert "$WORK/tls.crt" --tls-key "$WORK/tls.key"
    [[ $EMULATOR_URL == https://* ]] || fail "the emulator does not serve https: $EMULATOR_URL"
    for _ in $(seq 100); do
        PROXY_PORT=$((20000 + RANDOM % 40000))
        (exec 3<>"/dev/tcp/127.0.0.1/$PROXY_PORT") 2>/dev/null || break
    done
    printf 'Port %s\nListen 127.0.0.1\nTimeout 60\nLogFile "%s"\nLogLevel Connect\nMaxClients 100\nAllow 127.0.0.1\n' \
        "$PROXY_PORT" "$WORK/proxy.log" >"$WORK/tinyproxy.conf"
    "$(command -v tinyproxy || echo /usr/sbin/tinyproxy)" -d -c "$WORK/tinyproxy.conf" >"$WORK/proxy-out.log" 2>&1 &
    PROXY_PID=$!
    for _ in $(seq 100); do (exec 3<>"/dev/tcp/127.0.0.1/$PROXY_PORT") 2>/dev/null && break; sleep 0.05; done
    # The tool trusts the emulator's certificate through OpenSSL's SSL_CERT_FILE; the proxy comes
    # from the variable curl reads, as on a server behind one.
    SSL_CERT_FILE=$WORK/tls.crt https_proxy=http://127.0.0.1:$PROXY_PORT \
        "$TOOL" "$WORK/mixed.csv" --api-url "$EMULATOR_URL" "${REMOTE[@]}" --verify \
        >"$WORK/proxy.txt" 2>&1 || { cat "$WORK/proxy.txt"; fail "the run through the proxy failed"; }
    grep -q "verified: 60 users" "$WORK/proxy.txt" || { cat "$WORK/proxy.txt"; fail "not 60 users through the proxy"; }
    grep -q "Request (file descriptor [0-9]*): CONNECT 127.0.0.1:" "$WORK/proxy.log" ||
        { cat "$WORK/proxy.log"; fail "the proxy saw no CONNECT"; }
    ! grep -q "Request (file descriptor [0-9]*): [A-Z]* /\|http://" "$WORK/proxy.log" ||
        fail "the proxy saw a request that was not a CONNECT"
    kill "$PROXY_PID"
else
    echo "tinyproxy is not installed: skipped"
fi

step "no output holds an API key"
outputs=("$WORK"/*.txt "$WORK"/*.log "$WORK"/*.json "$WORK"/*.jsonl)
for secret in "$KEY" "$WRONG_KEY"; do
    if grep -lF "$secret" "${outputs[@]}" 2>/dev/null; then fail "the files above hold an API key"; fi
done

echo "all permit-bulk-sync checks passed"
