// What a client has sent so far: `client::stats()`.
#pragma once

#include <cstdint>

namespace permit {

/// Counters of a client since it was made, over every call (bulk requests included). A snapshot:
/// read it from any thread.
struct client_stats {
    std::uint64_t requests = 0;      ///< HTTP requests sent (each attempt of each call)
    std::uint64_t retries = 0;       ///< attempts made again after a failure, after a wait
    std::uint64_t rate_limited = 0;  ///< 429 responses received
    std::uint64_t replays = 0;       ///< requests sent again at once on a new connection

    /// Connections opened (connected, with the proxy's tunnel and the TLS handshake if any).
    std::uint64_t connections = 0;
    /// Connections made on another address than the first the resolver returned (the first did
    /// not answer in time, or refused: see `config::connect_timeout`).
    std::uint64_t address_fallbacks = 0;
    /// Tunnels opened through an HTTP proxy (`config::proxy`), one per `https` connection.
    std::uint64_t proxy_tunnels = 0;
    /// TLS handshakes that ran in full: the server's certificate sent and verified.
    std::uint64_t tls_full_handshakes = 0;
    /// TLS handshakes that resumed the session of an earlier connection to the same origin
    /// (`tls_options::resume_sessions`): no certificate, a fraction of the CPU of a full one.
    std::uint64_t tls_resumed_handshakes = 0;
};

}  // namespace permit
