// Configuration of the local Permit emulator: identity, faults, rate limits, the PDP's lag, TLS
// and limits.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <boost/json/value.hpp>

namespace permit::testing {

/// What a fault does to a request that it matches.
enum class fault_kind {
    http_429,            ///< 429 with the Cloud PDP's rate-limit body, and `Retry-After` if set.
    http_500,            ///< 500 with an `ErrorDetails` body (UNEXPECTED_ERROR); nothing applied.
    http_502,            ///< 502 as a load balancer sends it (text body); nothing applied.
    http_503,            ///< 503 as a load balancer sends it (text body); nothing applied.
    reset_before_apply,  ///< The connection is reset after the request is read, before it is
                         ///< applied.
    reset_after_apply,   ///< The request is applied, then the connection is reset: the response is
                         ///< lost.
    truncated_body,      ///< The request is applied; the response body stops half-way and the
                         ///< connection closes.
    malformed_json,      ///< The request is applied; the 2xx response body is not valid JSON.
    delay,               ///< The response is sent after `delay`.
};

/// Returns the name used for `kind` in JSON configuration and counters ("http_429", "delay", ...).
inline const char* to_string(fault_kind kind) noexcept {
    switch (kind) {
        case fault_kind::http_429:
            return "http_429";
        case fault_kind::http_500:
            return "http_500";
        case fault_kind::http_502:
            return "http_502";
        case fault_kind::http_503:
            return "http_503";
        case fault_kind::reset_before_apply:
            return "reset_before_apply";
        case fault_kind::reset_after_apply:
            return "reset_after_apply";
        case fault_kind::truncated_body:
            return "truncated_body";
        case fault_kind::malformed_json:
            return "malformed_json";
        case fault_kind::delay:
            return "delay";
    }
    return "unknown";
}

/// One fault rule. A request that matches `method` and `path` draws a number from the emulator's
/// seeded random source; the first matching rule whose draw is below `rate` applies.
struct fault_rule {
    /// HTTP method to match ("PUT"), or "*" for any.
    std::string method = "*";
    /// Path pattern, matched against the decoded path without the query: `*` matches within one
    /// segment, `**` matches any number of characters including `/`.
    std::string path = "**";
    /// What the fault does.
    fault_kind kind = fault_kind::http_503;
    /// Probability in [0, 1] that a matching request gets the fault.
    double rate = 1.0;
    /// For http_429: the `Retry-After` value in seconds to send, if any.
    std::optional<std::chrono::seconds> retry_after;
    /// For fault_kind::delay: how long to wait before responding.
    std::chrono::milliseconds delay{0};
    /// The rule stops applying after this many faults (unset: no limit).
    std::optional<std::uint64_t> max_count;
    /// Skip the first `after` matching requests; lets a test fault a request on a reused
    /// connection.
    std::uint64_t after = 0;
};

/// Rate limiting by Permit's documented classes ("Rate Limiting" in
/// https://docs.permit.io/api/api-with-cli). Each class allows at most `limit` requests in any
/// sliding window of `window / time_scale`.
struct rate_limit_config {
    /// Whether requests to the REST API (`/v2/...`) are limited; the PDP routes never are. Off by
    /// default.
    bool enabled = false;
    /// Divides every window: 60 makes a one-minute window last one second.
    double time_scale = 1.0;
    /// Requests of any kind per minute.
    std::uint32_t all_per_minute = 1000;
    std::uint32_t writes_per_minute = 300;  ///< POST, PUT, PATCH and DELETE.
    /// DELETE requests per minute.
    std::uint32_t deletes_per_minute = 60;
    std::uint32_t bulk_per_10_minutes = 100;  ///< Paths with a `bulk` segment.
    /// Send `Retry-After` (whole seconds, rounded up, at least 1) with each 429.
    bool send_retry_after = true;
};

/// Which ids `GET /v2/api-key/scope` reports: the level of the emulated API key. `environment`:
/// the organization, project and environment ids; `project`: the organization and project ids;
/// `organization`: the organization id only.
enum class key_level { environment, project, organization };

/// One more API key the emulated API accepts, with its level (see `emulator_config::api_key`).
struct api_key_grant {
    /// The key, as sent after `Bearer `.
    std::string key;
    /// Its level: which ids `GET /v2/api-key/scope` reports for it. An organization-level key
    /// reaches every environment of the organization, a project-level key those of its project.
    key_level level = key_level::project;
    /// The project of a project- or environment-level key; empty: the emulator's
    /// (`emulator_config::project_id`). A key of another project is refused the emulator's
    /// environment routes (`/v2/facts/...`, `/v2/schema/...`) with a 403.
    std::string project_id;
};

/// What a write through the PDP's facts proxy answers when its `X-Wait-Timeout` runs out before
/// the PDP has the write (the PDP's `X-Timeout-Policy`,
/// https://docs.permit.io/how-to/manage-data/local-facts-uploader).
enum class facts_timeout_policy {
    ignore,  ///< The API's response, as if the wait had succeeded.
    fail,    ///< 424 `{"detail":"Timeout waiting for update to be received"}`.
};

/// Returns the name used for `policy` in headers and JSON configuration ("ignore", "fail").
inline const char* to_string(facts_timeout_policy policy) noexcept {
    return policy == facts_timeout_policy::fail ? "fail" : "ignore";
}

/// Everything an emulator needs to start. The defaults give an environment-level key and ids that
/// stay the same from run to run.
struct emulator_config {
    /// Address to listen on: loopback only.
    std::string host = "127.0.0.1";
    /// The REST API's port; 0 picks a free one (read it back with `emulator::port()`).
    std::uint16_t port = 0;
    /// The PDP's own port, as Permit runs it (the API in the cloud, the PDP in a container on port
    /// 7766); 0 picks a free one (`emulator::pdp_port()`). The PDP's routes (`/allowed`,
    /// `/allowed/bulk`, `/allowed/all-tenants`, `/authorized_users`, `/user-permissions`,
    /// `/user-tenants`, the facts proxy at `/facts/...` and at
    /// `/v2/facts/{proj_id}/{env_id}/...`) then answer there and only there, and the PDP answers
    /// no REST API route. Unset (the default): the API and the PDP share `port`, where the facts
    /// proxy is at `/facts/...` only (`/v2/facts/...` is the API's).
    std::optional<std::uint16_t> pdp_port;
    /// The port of an OPA-compatible decision endpoint, as the PDP container exposes on 8181 for
    /// SDKs configured to ask OPA directly: `POST /v1/data/permit/root` and
    /// `/v1/data/permit/bulk`. 0 picks a free one (`emulator::opa_port()`); unset: none.
    std::optional<std::uint16_t> opa_port;

    /// The environment's API key, as `Authorization: Bearer <key>` (scheme case-insensitive).
    /// The PDP accepts this key only. It is a key of the emulated organization like any other:
    /// `POST /v2/api-key/{id}/rotate-secret` replaces it (the PDP then accepts the new secret
    /// only), and an environment-level one is what `GET /v2/api-key/{proj}/{env}` answers for
    /// the emulator's environment.
    std::string api_key = "permit_key_emulator";
    /// The level of `api_key`: which ids `GET /v2/api-key/scope` reports.
    key_level level = key_level::environment;
    /// More keys the REST API accepts, e.g. a project-level and an organization-level key, to
    /// test code that resolves its scope or must be refused an environment's routes.
    std::vector<api_key_grant> more_api_keys;
    /// The organization's id, in the scope reply and in every object served.
    std::string organization_id = "7c60d51f-b44e-4682-87d6-449835ea4de6";
    /// The project's id, in the scope reply (unless the key is organization-level) and in every
    /// object served. Paths name the project by this id or by `project_key`.
    std::string project_id = "405d8375-3514-403b-8c43-83ae74cfe0e9";
    /// The project's key, which paths may use instead of `project_id`.
    std::string project_key = "default";
    /// The environment's id, in the scope reply (for an environment-level key) and in every object
    /// served. Paths name the environment by this id or by `environment_key`.
    std::string environment_id = "40ef0e48-a11f-4963-a229-e396c9f7e7c4";
    /// The environment's key, which paths may use instead of `environment_id`.
    std::string environment_key = "production";

    /// Serves HTTPS when both are set (PEM text, not file names).
    std::optional<std::string> tls_certificate_pem;
    /// The private key of `tls_certificate_pem`, as PEM text.
    std::optional<std::string> tls_private_key_pem;

    /// Seeds every random choice (faults, generated ids) so that a run can be replayed.
    std::uint64_t seed = 1;
    /// The fault rules at start; `emulator::set_faults` replaces them.
    std::vector<fault_rule> faults;
    /// The rate limits at start (off by default); `emulator::set_rate_limits` replaces them.
    rate_limit_config rate_limits;

    /// How long a write takes to reach the PDP. The PDP's decision routes (`/allowed`,
    /// `/allowed/bulk`, `/user-permissions`) see a write, whichever route made it, only once this
    /// long has passed since the API applied it, as a real PDP learns of writes asynchronously.
    /// 0 (the default): at once, and nothing is kept for it.
    std::chrono::milliseconds pdp_propagation_delay{0};
    /// How long a write through the PDP's facts proxy (`/facts/...`) waits for the PDP to have it
    /// when the request carries no `X-Wait-Timeout` (the PDP's `PDP_LOCAL_FACTS_WAIT_TIMEOUT`,
    /// 10 s). 0: no wait; negative: no limit.
    std::chrono::milliseconds pdp_facts_wait_timeout{10000};
    /// What such a write answers when the wait runs out and the request carries no
    /// `X-Timeout-Policy` (the PDP's `PDP_LOCAL_FACTS_TIMEOUT_POLICY`, `ignore`).
    facts_timeout_policy pdp_facts_timeout_policy = facts_timeout_policy::ignore;

    /// Initial state: `{"resources":[ResourceCreate], "roles":[RoleCreate],
    /// "tenants":[TenantCreate], "users":[UserCreate],
    /// "resource_instances":[ResourceInstanceCreate],
    /// "relationship_tuples":[RelationshipTupleCreate],
    /// "condition_sets":[ConditionSetCreate], "condition_set_rules":[ConditionSetRuleCreate],
    /// "role_assignments":[RoleAssignmentCreate]}`, each checked as the API checks it. Resources
    /// may relate to, roles extend, and condition sets descend from ones listed after them. Also
    /// `"projects":[ProjectCreate]` (with their `initial_environments`) and
    /// `"environments":[EnvironmentCreate]` (of the emulator's project): more projects and
    /// environments of the organization, with nothing in them but the tenant `default`.
    boost::json::value initial_state;

    /// Documented bulk limits (items per call); a larger batch gets `bulk_limit_status`.
    std::size_t bulk_users_limit = 3000;
    /// Items per call to the `/bulk/tenants` routes.
    std::size_t bulk_tenants_limit = 2000;
    /// Items per call to the `/role_assignments/bulk` routes.
    std::size_t bulk_role_assignments_limit = 2000;
    /// The status of a bulk call over its limit.
    unsigned bulk_limit_status = 422;

    /// Requests with a larger body get 413; larger header blocks get 431.
    std::size_t max_body_bytes = 8 * 1024 * 1024;
    /// The largest request header block accepted (see `max_body_bytes`).
    std::size_t max_header_bytes = 16 * 1024;
    /// A connection with no complete request for this long is closed.
    std::chrono::milliseconds idle_timeout{30000};
    /// How many requests the request log keeps (oldest dropped first).
    std::size_t request_log_capacity = 100000;
    /// Whether the request log keeps each request's body (`request_record::body`), e.g. to
    /// compare what two clients send for the same call. Off by default: the bodies of a long
    /// run could fill the memory.
    bool log_request_bodies = false;
};

}  // namespace permit::testing
