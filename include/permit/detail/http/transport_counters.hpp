// What the connections of one client did, counted for `client::stats()`.
#pragma once

#include <atomic>
#include <cstdint>

namespace permit::detail::http {

/// Counters the connections of one client add to: atomics, because `client::stats()` reads them
/// from any thread while the client's executor writes them.
struct transport_counters {
    /// Connections opened (TCP established, with the tunnel and the TLS handshake if any).
    std::atomic<std::uint64_t> connections{0};
    /// Connections that reached their server on another address than the resolver's first.
    std::atomic<std::uint64_t> address_fallbacks{0};
    /// Tunnels opened through an HTTP proxy (`CONNECT`).
    std::atomic<std::uint64_t> proxy_tunnels{0};
    /// TLS handshakes that ran in full (a certificate sent and verified).
    std::atomic<std::uint64_t> tls_full_handshakes{0};
    /// TLS handshakes that resumed a saved session.
    std::atomic<std::uint64_t> tls_resumed_handshakes{0};

    /// Adds one to `counter`.
    static void add(std::atomic<std::uint64_t>& counter) noexcept {
        counter.fetch_add(1, std::memory_order_relaxed);
    }
};

}  // namespace permit::detail::http
