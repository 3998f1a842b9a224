#!/usr/bin/env bash
# Writes the seed corpus of the fuzz targets, tests/fuzz/corpus/<target>/seed-*: requests to every
# route of the emulator and its real responses to them, their JSON bodies for the models, responses
# the emulator never sends (chunked, an HTTP-date Retry-After, a proxy's page), and permit-bulk-sync
# input lines. Files named otherwise (regression-*: inputs that once crashed) are left alone.
#
# Usage: tests/fuzz/make_corpus.sh PERMIT_EMULATOR   (e.g. build/tools/permit-emulator)
set -euo pipefail

EMULATOR=${1:?usage: $0 PERMIT_EMULATOR}
CORPUS=$(cd "$(dirname "$0")" && pwd)/corpus
KEY=permit_key_emulator
FACTS=/v2/facts/default/production
SCHEMA=/v2/schema/default/production

WORK=$(mktemp -d)
EMULATOR_PID=
cleanup() {
    [[ -n $EMULATOR_PID ]] && kill "$EMULATOR_PID" 2>/dev/null && wait "$EMULATOR_PID" 2>/dev/null
    rm -rf "$WORK"
}
trap cleanup EXIT

for target in http_response json_models emulator_request bulk_sync_lines; do
    mkdir -p "$CORPUS/$target"
    rm -f "$CORPUS/$target"/seed-*
done

# The first byte of an input of http_response and emulator_request is how many bytes each read
# returns (0: all at once); of json_models, which decoder; of bulk_sync_lines, which format.
byte() { printf "\\x$(printf %02x "$1")"; }

# The indexes of json_models' decoders (the order of `decoders` in json_models.cpp).
declare -A MODEL=(
    [user]=0 [tenant]=1 [role]=2 [resource]=3 [role_assignment]=4 [role_assignments]=5
    [bulk_assign_report]=6 [bulk_unassign_report]=7 [scope]=8 [check]=9 [bulk_check_result]=10
    [error_details]=11 [validation_error]=12 [validation_items]=13 [users]=14 [tenants]=15
    [roles]=16 [resources]=17 [role_assignment_list]=18 [check_decoder]=19 [bulk_check]=20
    [user_permissions]=21 [raw]=22 [user_create]=23 [user_update]=24 [user_role_create]=25
    [user_role_remove]=26 [tenant_create]=27 [tenant_update]=28 [role_create]=29 [role_update]=30
    [role_permissions]=31 [resource_create]=32 [resource_replace]=33 [resource_update]=34
    [role_assignment_create]=35 [role_assignment_remove]=36 [user_bulk]=37 [tenant_bulk]=38
    [bulk_delete]=39 [check_query]=40 [user_permissions_query]=41
    [role_assignment_detailed]=42 [role_assignments_detailed]=43 [authorized_users]=44
    [authorized_users_query]=45 [all_tenants]=46
)

# json NAME MODEL TEXT: a JSON body for the decoder MODEL.
json() { { byte "${MODEL[$2]}"; printf '%s' "$3"; } >"$CORPUS/json_models/seed-$1"; }

# The emulator, with the seeded environment of emulator_request.cpp and faults on three tenant
# paths for the responses it gives only then.
cat >"$WORK/state.json" <<'EOF'
{"resources":[{"key":"document","name":"Document","actions":{"read":{},"write":{}},
               "attributes":{"owner":{"type":"string"}}}],
 "roles":[{"key":"editor","name":"Editor","permissions":["document:write"],"extends":["viewer"]},
          {"key":"viewer","name":"Viewer","permissions":["document:read"]}],
 "tenants":[{"key":"acme","name":"Acme","attributes":{"plan":"pro"}}],
 "users":[{"key":"ann","email":"ann@example.com","role_assignments":[{"role":"editor","tenant":"acme"}]},
          {"key":"bob","role_assignments":[{"role":"viewer"}]}],
 "role_assignments":[{"user":"bob","role":"editor","tenant":"acme"}]}
EOF
FAULTS='[{"method":"GET","path":"/v2/facts/*/*/tenants/busy","kind":"http_429","retry_after":7},
         {"method":"GET","path":"/v2/facts/*/*/tenants/gateway","kind":"http_502"},
         {"method":"GET","path":"/v2/schema/*/*/roles/viewer","kind":"malformed_json"}]'
"$EMULATOR" --port 0 --seed "$WORK/state.json" --faults "$FAULTS" --exit-after 120 \
    >"$WORK/emulator.log" 2>&1 &
EMULATOR_PID=$!
for _ in $(seq 100); do
    grep -q "listening on" "$WORK/emulator.log" && break
    sleep 0.1
done
PORT=$(sed -n 's|^listening on http://[^:]*:\([0-9]*\).*|\1|p' "$WORK/emulator.log")
[[ -n $PORT ]] || { cat "$WORK/emulator.log" >&2; exit 1; }

# request NAME METHOD TARGET [BODY [MODEL]]: a request with the API key, as emulator_request's
# seed; sent to the emulator, its response as http_response's; a JSON response body, and BODY,
# as json_models' (the response for the reply's model, BODY for MODEL).
request() {
    local name=$1 method=$2 target=$3 body=${4-} model=${5-}
    local text="$method $target HTTP/1.1"$'\r\n'"Host: 127.0.0.1"$'\r\n'
    text+="Authorization: Bearer $KEY"$'\r\n'
    [[ -n $body ]] && text+="Content-Type: application/json"$'\r\n'"Content-Length: ${#body}"$'\r\n'
    text+="Connection: close"$'\r\n\r\n'"$body"
    { byte 0; printf '%s' "$text"; } >"$CORPUS/emulator_request/seed-$name"
    exec 3<>"/dev/tcp/127.0.0.1/$PORT"
    printf '%s' "$text" >&3
    { byte 0; cat <&3; } >"$CORPUS/http_response/seed-$name"
    exec 3<&-
    [[ -n $body && -n $model ]] && json "request-$name" "$model" "$body"
    return 0
}

# reply NAME MODEL: the body of http_response's seed NAME, as json_models' for MODEL.
reply() {
    local body
    body=$(sed '1,/^\r$/d' "$CORPUS/http_response/seed-$1")
    [[ -n $body ]] && json "reply-$1" "$2" "$body"
    return 0
}

request scope GET /v2/api-key/scope
reply scope scope
request users GET "$FACTS/users?page=1&per_page=2&search=a&role=editor"
reply users users
request user GET "$FACTS/users/ann"
reply user user
request user-create POST "$FACTS/users" \
    '{"key":"newbie","email":"newbie@acme.com","first_name":"New","attributes":{"age":30},"role_assignments":[{"role":"viewer","tenant":"acme"}]}' \
    user_create
reply user-create user
request user-create-invalid POST "$FACTS/users" '{"key":"my user","email":7}' user_create
reply user-create-invalid validation_error
request user-update PATCH "$FACTS/users/ann" '{"first_name":"Ann","attributes":{"tier":"gold"}}' \
    user_update
request user-replace PUT "$FACTS/users/carol" '{"key":"carol","last_name":"C"}' user_create
request user-missing GET "$FACTS/users/ghost%7Cx"
reply user-missing error_details
request user-role-assign POST "$FACTS/users/ann/roles" '{"role":"viewer","tenant":"default"}' \
    user_role_create
reply user-role-assign role_assignment
request tenants GET "$FACTS/tenants?include_total_count=true"
reply tenants tenants
request tenants-bare GET "$FACTS/tenants?per_page=100"
reply tenants-bare tenants
request tenant GET "$FACTS/tenants/acme"
reply tenant tenant
request tenant-create POST "$FACTS/tenants" \
    '{"key":"stripe-inc","name":"Stripe Inc","description":"Payments","attributes":{"allowed_locations":["US","CA"]}}' \
    tenant_create
reply tenant-create tenant
request tenant-update PATCH "$FACTS/tenants/acme" '{"name":"Acme Corp","attributes":{"seats":5}}' \
    tenant_update
request tenant-users GET "$FACTS/tenants/acme/users?page=1&per_page=10"
reply tenant-users users
request tenant-user-add POST "$FACTS/tenants/acme/users" '{"key":"dave","email":"dave@acme.com"}' \
    user_create
request tenant-busy GET "$FACTS/tenants/busy"
reply tenant-busy raw
request tenant-gateway GET "$FACTS/tenants/gateway"
request role-broken GET "$SCHEMA/roles/viewer"
reply role-broken role
request role-assignments GET "$FACTS/role_assignments?user=ann&user=bob&tenant=acme&role=editor"
reply role-assignments role_assignment_list
request role-assignments-detailed GET "$FACTS/role_assignments/detailed?user=ann&user=bob"
reply role-assignments-detailed role_assignments_detailed
request role-assign POST "$FACTS/role_assignments" '{"user":"bob","role":"viewer","tenant":"acme"}' \
    role_assignment_create
reply role-assign role_assignment
request role-assign-bulk POST "$FACTS/role_assignments/bulk" \
    '[{"user":"ann","role":"viewer","tenant":"acme"},{"user":"bob","role":"editor","tenant":"default"}]'
reply role-assign-bulk bulk_assign_report
request bulk-users-create POST "$FACTS/bulk/users" \
    '{"operations":[{"key":"u1","email":"u1@acme.com"},{"key":"u2","role_assignments":[{"role":"viewer"}]}]}' \
    user_bulk
request bulk-users-replace PUT "$FACTS/bulk/users" \
    '{"operations":[{"key":"ann","first_name":"Ann"},{"key":"u3"}]}' user_bulk
request bulk-tenants-create POST "$FACTS/bulk/tenants" \
    '{"operations":[{"key":"t1","name":"T1"},{"key":"t2","name":"T2","attributes":{"a":1}}]}' \
    tenant_bulk
request roles GET "$SCHEMA/roles?include_total_count=true"
reply roles roles
request role GET "$SCHEMA/roles/editor"
reply role role
request role-create POST "$SCHEMA/roles" \
    '{"key":"auditor","name":"Auditor","description":"Reads","permissions":["document:read"],"extends":["viewer"],"attributes":{}}' \
    role_create
request role-update PATCH "$SCHEMA/roles/viewer" '{"name":"Reader","permissions":["document:read"]}' \
    role_update
request role-permissions-add POST "$SCHEMA/roles/viewer/permissions" \
    '{"permissions":["document:write"]}' role_permissions
request role-permissions-remove DELETE "$SCHEMA/roles/editor/permissions" \
    '{"permissions":["document:write"]}' role_permissions
request resources GET "$SCHEMA/resources?include_built_in=true"
reply resources resources
request resource GET "$SCHEMA/resources/document"
reply resource resource
request resource-create POST "$SCHEMA/resources" \
    '{"key":"file","name":"File","urn":"prn:file","description":"Files","actions":{"read":{"name":"Read"},"share":{"description":"Share it"}},"attributes":{"size":{"type":"number"}}}' \
    resource_create
request resource-replace PUT "$SCHEMA/resources/document" \
    '{"name":"Doc","actions":{"read":{},"share":{}}}' resource_replace
request resource-update PATCH "$SCHEMA/resources/document" '{"description":"Described"}' \
    resource_update
request allowed POST /allowed \
    '{"user":{"key":"ann","attributes":{"age":30}},"action":"write","resource":{"type":"document","tenant":"acme","key":"d1"},"context":{}}' \
    check_query
reply allowed check_decoder
request allowed-bulk POST /allowed/bulk \
    '[{"user":{"key":"ann"},"action":"read","resource":{"type":"document","tenant":"acme"}},{"user":{"key":"bob"},"action":"write","resource":{"type":"document"}}]'
reply allowed-bulk bulk_check
request user-permissions POST /user-permissions \
    '{"user":{"key":"ann"},"tenants":["acme"],"resource_types":["document"]}' \
    user_permissions_query
reply user-permissions user_permissions
request all-tenants POST /allowed/all-tenants \
    '{"user":{"key":"ann"},"action":"write","resource":{"type":"document"}}' check_query
reply all-tenants all_tenants
request authorized-users POST /authorized_users \
    '{"action":"read","resource":{"type":"document","key":"d1","tenant":"acme"},"context":{}}' \
    authorized_users_query
reply authorized-users authorized_users
request health GET /health
request unknown-path GET /v2/nothing
request wrong-method PATCH "$FACTS/users"
reply wrong-method raw

# Deletions last, so that the requests before them find what they name.
request user-role-unassign DELETE "$FACTS/users/ann/roles" '{"role":"editor","tenant":"acme"}' \
    user_role_remove
request tenant-user-remove DELETE "$FACTS/tenants/acme/users/ann"
request role-unassign DELETE "$FACTS/role_assignments" '{"user":"bob","role":"editor","tenant":"acme"}' \
    role_assignment_remove
request role-unassign-bulk DELETE "$FACTS/role_assignments/bulk" \
    '[{"user":"bob","role":"viewer","tenant":"acme"}]'
reply role-unassign-bulk bulk_unassign_report
request user-delete DELETE "$FACTS/users/bob"
request bulk-users-delete DELETE "$FACTS/bulk/users" '{"idents":["carol","ghost"]}' bulk_delete
request tenant-delete DELETE "$FACTS/tenants/acme"
request bulk-tenants-delete DELETE "$FACTS/bulk/tenants" '{"idents":["t1"]}' bulk_delete
request role-delete DELETE "$SCHEMA/roles/auditor"
request resource-delete DELETE "$SCHEMA/resources/file"

# Requests that are not one polite request: other keys, framing and versions.
raw_request() { { byte "$1"; printf '%b' "$3"; } >"$CORPUS/emulator_request/seed-$2"; }
raw_request 0 no-key 'GET /v2/api-key/scope HTTP/1.1\r\nHost: h\r\n\r\n'
raw_request 0 wrong-key 'POST /allowed HTTP/1.1\r\nAuthorization: bearer nope\r\nContent-Length: 2\r\n\r\n{}'
raw_request 0 chunked "POST $FACTS/users HTTP/1.1\r\nAuthorization: Bearer $KEY\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\n{\"key\r\n9\r\n\":\"chunk\"\r\n1\r\n}\r\n0\r\nX-Trailer: t\r\n\r\n"
raw_request 0 expect-continue "PUT $FACTS/users/eve HTTP/1.1\r\nAuthorization: Bearer $KEY\r\nExpect: 100-continue\r\nContent-Length: 13\r\n\r\n{\"key\":\"eve\"}"
raw_request 0 http10 "GET $FACTS/users/ann HTTP/1.0\r\nAuthorization: Bearer $KEY\r\n\r\n"
raw_request 0 bad-target 'GET http://example.com/%zz HTTP/1.1\r\n\r\n'
raw_request 0 percent-encoded "GET /v2/facts/%64efault/production/users/a%7Cb%40c.com?search=%E2%9C%93&page=x HTTP/1.1\r\nAuthorization: Bearer $KEY\r\n\r\n"
raw_request 0 keep-alive-sequence "POST $FACTS/users HTTP/1.1\r\nAuthorization: Bearer $KEY\r\nContent-Length: 16\r\n\r\n{\"key\":\"frank\"}GET $FACTS/users/frank HTTP/1.1\r\nAuthorization: Bearer $KEY\r\n\r\nDELETE $FACTS/users/frank HTTP/1.1\r\nAuthorization: Bearer $KEY\r\n\r\nGET $FACTS/users/frank HTTP/1.1\r\nAuthorization: Bearer $KEY\r\nConnection: close\r\n\r\n"
raw_request 3 pipelined-in-pieces "DELETE $FACTS/users/ann HTTP/1.1\r\nAuthorization: Bearer $KEY\r\n\r\nDELETE $FACTS/tenants/acme HTTP/1.1\r\nAuthorization: Bearer $KEY\r\n\r\nGET $FACTS/role_assignments HTTP/1.1\r\nAuthorization: Bearer $KEY\r\n\r\n"
raw_request 1 one-byte-reads "GET /healthy HTTP/1.1\r\n\r\n"

# Responses the emulator does not send, from other servers and proxies. `sized BODY` sets S to
# a Content-Length header, the blank line and BODY; `chunked PART...` sets S to a chunked body.
raw_response() { { byte "$1"; printf '%s' "$3"; } >"$CORPUS/http_response/seed-$2"; }
CRLF=$'\r\n'
sized() { S="Content-Length: ${#1}$CRLF$CRLF$1"; }
chunked() {
    S=
    local part
    for part; do S+=$(printf '%x' "${#part}")"$CRLF$part$CRLF"; done
    S+="0$CRLF"
}
chunked '{"key":"ann","i' 'd":"u1",' '"a":1}'
raw_response 0 chunked-user "HTTP/1.1 200 OK${CRLF}Content-Type: application/json${CRLF}Transfer-Encoding: chunked${CRLF}X-Request-Id: r-1${CRLF}${CRLF}${S/$CRLF/;name=value$CRLF}X-Checksum: 1${CRLF}${CRLF}"
chunked '{"detail":[{"loc":["body","key"],"msg":"field ' 'required","type":"value_error.missing"}]}'
raw_response 7 chunked-422-in-pieces "HTTP/1.1 422 Unprocessable Entity${CRLF}Transfer-Encoding: chunked${CRLF}${CRLF}$S${CRLF}"
sized '{"error":"rate_limited","message":"Please try again later."}'
raw_response 0 retry-after-imf "HTTP/1.1 429 Too Many Requests${CRLF}Retry-After: Sun, 06 Nov 1994 08:49:37 GMT${CRLF}$S"
sized ''
raw_response 0 retry-after-rfc850 "HTTP/1.1 503 Service Unavailable${CRLF}Retry-After: Sunday, 06-Nov-94 08:49:37 GMT${CRLF}$S"
raw_response 0 retry-after-huge "HTTP/1.1 429 Too Many Requests${CRLF}Retry-After: 99999999999999999999${CRLF}$S"
sized '{}'
raw_response 0 retry-after-asctime "HTTP/1.1 429 Too Many Requests${CRLF}Retry-After: Sun Nov  6 08:49:37 2094${CRLF}$S"
raw_response 0 proxy-page "HTTP/1.1 502 Bad Gateway${CRLF}Content-Type: text/html${CRLF}${CRLF}<html><body><h1>502 Bad Gateway</h1></body></html>"
sized '{"id":"6f1c","title":"The requested data could not be found","error_code":"NOT_FOUND","message":"User ghost not found","type":"invalid_request_error","additional_info":{}}'
raw_response 0 error-details-404 "HTTP/1.1 404 Not Found${CRLF}Content-Type: application/json${CRLF}$S"
sized '{"detail":"Not authorized"}'
raw_response 0 detail-text "HTTP/1.1 401 Unauthorized${CRLF}$S"
raw_response 0 no-content "HTTP/1.1 204 No Content${CRLF}Connection: keep-alive${CRLF}${CRLF}"
sized '{}'
raw_response 0 continue-then-ok "HTTP/1.1 100 Continue${CRLF}${CRLF}HTTP/1.1 200 OK${CRLF}$S"
raw_response 0 http10-to-close "HTTP/1.0 500 Internal Server Error${CRLF}${CRLF}{\"title\":\"Oops\",\"error_code\":7}"
sized '{"detail":1}'
raw_response 0 folded-header "HTTP/1.1 400 Bad Request${CRLF}X-Request-Id: a${CRLF}  b${CRLF}$S"

# Bodies for the models beyond the emulator's replies.
json list-envelope-empty users '{"data":[],"total_count":0,"page_count":0}'
json check-opa check '{"result":{"allow":true}}'
json check-legacy check_decoder '{"result":false}'
json bulk-check-opa bulk_check '{"result":{"allow":[{"allow":true},{"result":false}]}}'
json permissions-opa user_permissions '{"result":{"permissions":{"document:d1":{"tenant":{"key":"acme","attributes":{}},"resource":{"key":"d1","type":"document","attributes":{}},"permissions":["document:read"],"roles":["viewer"]}}}}'
json validation-items validation_items '[{"loc":["body",0,"role"],"msg":"none is not an allowed value","type":"type_error.none.not_allowed","ctx":{"limit_value":3}}]'
json error-details error_details '{"id":"x","title":"Conflict","error_code":"DUPLICATE_ENTITY","message":"exists","type":"invalid_request_error","support_link":"https://docs.permit.io"}'
json big-integers user '{"key":"a","id":"b","organization_id":"o","project_id":"p","environment_id":"e","created_at":"t","updated_at":"t","email":null,"attributes":{"n":18446744073709551615,"m":-9223372036854775808,"f":1e308}}'

# permit-bulk-sync input: JSON Lines (0), CSV header and rows (1), a whole file (2).
lines() { { byte "$1"; printf '%s' "$3"; } >"$CORPUS/bulk_sync_lines/seed-$2"; }
lines 0 json-tenant-roles '{"key":"jane","email":"jane@acme.com","first_name":"Jane","last_name":"Doe","attributes":{"plan":"pro","age":30},"tenant":"acme","roles":["viewer","editor"]}'
lines 0 json-role '{"key":"a","role":"admin"}'
lines 0 json-nulls '{"key":"b","email":null,"first_name":null,"attributes":null,"roles":[]}'
lines 0 json-assignments '{"key":"a","role_assignments":[{"role":"viewer"},{"role":"editor","tenant":"t1"},{"role":"owner","tenant":"t2","resource_instance":"document:d1"}]}'
lines 0 json-malformed '{"key":"a",}'
lines 0 json-unknown-field '{"key":"a","emial":"a@b.co"}'
lines 0 json-bad-email '{"key":"a|b@c.com","email":"no at sign","tenant":"bad tenant","role":"r"}'
lines 1 csv-standard $'key,email,first_name,last_name,tenant,role\npat,pat@b.co,"Pat ""P"", Jr","O\'Brien, Sr",acme,viewer\na,,,,,\na,,,,acme,\n,a@b.co,,,,\na b,,,,,\n"unterminated,x,,,,\na,b"c,,,,'
lines 1 csv-attributes $'role,tenant,last_name,first_name,key,email,attributes\neditor,acme,jane,Doe,Jane,jane@acme.com,"{""plan"":""pro""}"\nviewer,,,,bob,,"[1,2]"\nviewer,,,,carl,,{plan'
lines 1 csv-bad-header $'key,email,key,tenant,"role'
lines 2 file-jsonl $'\xEF\xBB\xBF{"key":"a","role":"viewer"}\r\n\n{"key":"b"}\n{"key":"this line is longer than sixty-four bytes, which the fuzzer reader refuses"}\n{"key":"c"}'
lines 2 file-csv $'\n  \nkey,email,first_name,last_name,tenant,role\r\ngood-1,good1@example.com,Good,User,acme,viewer\r\nbad-email,not-an-email,Bad,Email,acme,viewer\nmissing-column,missing@example.com,Missing,Column,acme'

echo "corpus written to $CORPUS:"
for target in http_response json_models emulator_request bulk_sync_lines; do
    echo "  $target: $(find "$CORPUS/$target" -type f | wc -l) files, $(du -sk "$CORPUS/$target" | cut -f1) KiB"
done
