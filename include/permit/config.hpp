// How a permit::client is set up: a plain struct, filled by designated initializers.
#pragma once

#include <permit/bulk/options.hpp>
#include <permit/log.hpp>
#include <permit/proxy_options.hpp>
#include <permit/rate/limits.hpp>
#include <permit/retry/policy.hpp>
#include <permit/sync_wait.hpp>
#include <permit/tls_options.hpp>

#include <chrono>
#include <cstddef>
#include <cstdlib>
#include <optional>
#include <string>

namespace permit {

/// HTTP/1.1 pipelining for the requests of one origin: up to `max_depth` requests written on a
/// connection before their responses arrive, answered in order. Only idempotent requests are
/// pipelined (GET, PUT, DELETE, PDP decisions); the others use the ordinary pool. Pipelined
/// requests have connections of their own, up to the origin's `max_connections`. When a
/// connection dies mid-pipeline, the requests it had not answered are sent again on an ordinary
/// connection. Off by default: some proxies and servers handle pipelining badly.
struct pipelining_options {
    /// Pipeline the idempotent requests of the origin. Off by default.
    bool enabled = false;
    /// The most requests in flight on one connection.
    std::size_t max_depth = 8;
};

/// Coalescing of concurrent `check` calls into `POST /allowed/bulk` requests. While every
/// connection to the PDP has a request in flight and no other may be opened
/// (`config::pdp_max_connections`), a `check` waits in a queue instead of waiting for a
/// connection; when one frees up, the checks queued by then go out together in one
/// `POST /allowed/bulk` request (the queries `POST /allowed` takes, in an array), at most
/// `max_batch` of them (the others go with the next free connection; a lone queued check goes as
/// a plain `POST /allowed`), and each call completes with its own answer, the reply's answer at its
/// index. A check that finds a connection free goes out at once, alone: coalescing never makes a
/// check wait for others. Under load, a PDP then answers many checks per request, for less CPU
/// per check on both sides. Off by default: Permit's Cloud PDP allows fewer `/allowed/bulk`
/// requests than `/allowed` ones (https://docs.permit.io/concepts/pdp/cloud-pdp-capabilities),
/// and a bulk request that fails fails every check in it; worth turning on for a PDP of one's own
/// under concurrent checks.
///
/// What a call sees is unchanged, except that its `diagnostics` describe the request it went out
/// in: when that request fails, every check in it fails with its error and diagnostics.
/// Cancelling a queued check takes it out of the queue (it completes with `operation_aborted`);
/// one already sent completes at once, and its answer is dropped. Calls through a view with
/// options (`client::with`) are not coalesced, nor any check when `pdp_pipelining` applies to the
/// PDP (pipelined requests do not wait for a free connection).
struct check_coalescing_options {
    /// Coalesce checks. Off by default.
    bool enabled = false;
    /// The most checks in one `/allowed/bulk` request. Permit documents no limit on the checks of
    /// one bulk request (only the Cloud PDP's rate of them:
    /// https://docs.permit.io/concepts/pdp/cloud-pdp-capabilities).
    std::size_t max_batch = 100;
};

/// Everything a `permit::client` needs. Every field has a usable default except `api_key`.
///
/// Nothing is read from the environment unless you call `config::from_environment()`.
struct config {
    /// The secret API key (`permit_key_...`). Sent only in the `Authorization` header; never
    /// logged, never put in an error.
    std::string api_key;
    /// The REST API origin, optionally with a path prefix. `https://api.eu.permit.io` for the EU.
    std::string api_url = "https://api.permit.io";
    /// The PDP origin answering `check()`: a local PDP container by default, or
    /// `https://cloudpdp.api.permit.io`.
    std::string pdp_url = "http://localhost:7766";
    /// The project (id or key). Unset: taken from the API key's scope (`GET /v2/api-key/scope`).
    std::optional<std::string> project_id;
    /// The environment (id or key). Unset: taken from the API key's scope.
    std::optional<std::string> environment_id;

    /// The most connections open at once to the REST API (requests beyond it wait their turn).
    std::size_t api_max_connections = 16;
    /// The most connections open at once to the PDP.
    std::size_t pdp_max_connections = 16;
    /// HTTP/1.1 pipelining of idempotent requests to the REST API (off by default).
    pipelining_options api_pipelining;
    /// HTTP/1.1 pipelining of decisions to the PDP (off by default). When the PDP shares the REST
    /// API's origin, `api_pipelining` applies to both.
    pipelining_options pdp_pipelining;
    /// Concurrent checks that find every connection to the PDP busy go out together, in
    /// `POST /allowed/bulk` requests (off by default; see `check_coalescing_options`).
    check_coalescing_options coalesce_checks;
    /// An idle keep-alive connection older than this is closed instead of reused.
    std::chrono::milliseconds idle_timeout{std::chrono::seconds(15)};

    /// Bounds name resolution plus the TCP connect.
    std::chrono::milliseconds connect_timeout{std::chrono::seconds(10)};
    /// Bounds the TLS handshake.
    std::chrono::milliseconds handshake_timeout{std::chrono::seconds(10)};
    /// Bounds one exchange: writing the request and reading the whole response.
    std::chrono::milliseconds request_timeout{std::chrono::seconds(30)};

    /// Verification of `https://` servers, and TLS session resumption.
    tls_options tls;
    /// The HTTP proxy to reach `api_url` and `pdp_url` through, by scheme, and the hosts that
    /// bypass it. Empty: connect directly. Read from `HTTPS_PROXY`, `HTTP_PROXY` and `NO_PROXY`
    /// by `from_environment()` only.
    proxy_options proxy;
    /// Lets `api_url` or `pdp_url` be a plain `http://` URL to a host that is not loopback (a PDP
    /// sidecar on a private network, say). Every request carries the API key, so by default the
    /// client refuses such a URL at construction: over plain HTTP anyone on the path can read the
    /// key. `localhost`, 127.0.0.0/8 and ::1 are always allowed. The client logs a warning when
    /// this lets a URL through.
    bool insecure_allow_plain_http = false;

    /// The largest response body accepted; a larger one fails with `error::response_too_large`.
    std::size_t max_response_body = 64 * 1024 * 1024;
    /// The largest response header block accepted.
    std::size_t max_response_header = 64 * 1024;

    /// Sends the writes and reads of users, tenants and role assignments (the facts API) through
    /// the PDP at `pdp_url` (`{pdp_url}/facts/...`), which forwards them to the API and answers
    /// once its own decisions see the change (read-your-writes), as `facts_sync` says. Needs a
    /// PDP that proxies facts, with an environment-level key (a local PDP container; Permit's cloud
    /// PDP does not). Roles and resources (the schema) still go to `api_url`, and the PDP forwards
    /// reads and bulk calls without waiting. Off: everything goes to `api_url`, and a `check()`
    /// right after a write may not see it yet.
    /// `client::with({.wait_for_sync = ...})` turns it on for the calls of one view.
    bool proxy_facts_via_pdp = false;
    /// How long a write sent through the PDP waits for it, and the policy on timeout
    /// (`X-Wait-Timeout`, `X-Timeout-Policy`). Unset fields: the PDP's defaults (10 s, ignore).
    sync_wait facts_sync;

    /// The tenant `check()` uses when the resource names none (what the official SDKs do). The
    /// bulk pipeline takes it as existing.
    std::string default_tenant = "default";

    /// How failed calls are retried (every call; `client::with` overrides it for some).
    retry_policy retry;
    /// The client-wide cap on retries, so that an outage does not become a retry storm.
    retry_budget_options retry_budget;
    /// Pacing under the REST API's documented rate limits (on by default for Permit's cloud).
    rate_limit_options rate_limits;
    /// The auto-batching pipeline behind `client::bulk`.
    bulk_options bulk;

    /// Receives the client's log records (retries, 429s, replays, failed calls, insecure
    /// settings). Empty: nothing is logged. See `permit::log_function`.
    log_function log;

    /// Run everything behind a strand, so that the client may be called from several threads of a
    /// multi-threaded `io_context`. Off: the client must be used from one thread at a time.
    bool thread_safe = false;

    /// A config from `PERMIT_API_KEY`, `PERMIT_API_URL` and `PERMIT_PDP_URL` (each optional; an
    /// unset variable leaves the default), and the proxy from `https_proxy`, `http_proxy` and
    /// `no_proxy` (or their upper-case forms; see `proxy_options::from_environment`). Not
    /// thread-safe against concurrent `setenv`.
    static config from_environment() {
        config out;
        out.proxy = proxy_options::from_environment();
        if (const char* key = std::getenv("PERMIT_API_KEY")) out.api_key = key;
        if (const char* url = std::getenv("PERMIT_API_URL"); url && *url) out.api_url = url;
        if (const char* url = std::getenv("PERMIT_PDP_URL"); url && *url) out.pdp_url = url;
        return out;
    }
};

}  // namespace permit
