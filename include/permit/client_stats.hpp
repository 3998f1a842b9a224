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
};

}  // namespace permit
