// What the bulk pipeline has done so far: `bulk_api::stats()`.
#pragma once

#include <cstdint>

namespace permit {

/// Counters of the bulk pipeline since the client was made. A snapshot: read it from any thread.
struct bulk_stats {
    std::uint64_t users_synced = 0;          ///< users the API accepted
    std::uint64_t tenants_created = 0;       ///< tenants the pipeline created
    std::uint64_t tenants_existing = 0;      ///< tenants found to exist already (409 on create)
    std::uint64_t assignments_created = 0;   ///< role assignments the API accepted
    std::uint64_t items_rejected = 0;        ///< items the API refused, isolated from their batch
    std::uint64_t calls_failed = 0;          ///< calls completed with an error (rejects included)
    std::uint64_t user_batches = 0;          ///< `PUT /bulk/users` requests started
    std::uint64_t tenant_batches = 0;        ///< `POST /bulk/tenants` requests started
    std::uint64_t assignment_batches = 0;    ///< `POST /role_assignments/bulk` requests started
    std::uint64_t batches_split = 0;         ///< rejected batches split in two to find a bad item
    std::uint64_t pending = 0;               ///< calls admitted and not finished, now
    std::uint64_t pending_high_water = 0;    ///< the most calls ever admitted and not finished
    std::uint64_t in_flight_high_water = 0;  ///< the most bulk requests ever in flight at once
};

}  // namespace permit
