// What the bulk pipeline has done so far: `bulk_api::stats()`.
#pragma once

#include <cstdint>

namespace permit {

/// Counters of the bulk pipeline since the client was made. A snapshot: read it from any thread.
struct bulk_stats {
    std::uint64_t users_synced = 0;         ///< users the API accepted
    std::uint64_t tenants_created = 0;      ///< tenants the pipeline created
    std::uint64_t tenants_existing = 0;     ///< tenants found to exist already (409 on create)
    std::uint64_t assignments_created = 0;  ///< role assignments the API accepted
    std::uint64_t instances_synced = 0;     ///< resource instances the API accepted
    std::uint64_t tuples_written = 0;       ///< relationship tuples written (or found existing)
    std::uint64_t tuples_removed = 0;       ///< relationship tuples removed (or found absent)
    std::uint64_t tuples_existing = 0;      ///< of `tuples_written`: found to exist (409)
    std::uint64_t tuples_absent = 0;        ///< of `tuples_removed`: found absent already (404)
    std::uint64_t items_rejected = 0;       ///< items the API refused, isolated from their batch
    std::uint64_t calls_failed = 0;         ///< calls completed with an error (rejects included)
    std::uint64_t user_batches = 0;         ///< `PUT /bulk/users` requests started
    std::uint64_t tenant_batches = 0;       ///< `POST /bulk/tenants` requests started
    std::uint64_t assignment_batches = 0;   ///< `POST /role_assignments/bulk` requests started
    std::uint64_t instance_batches = 0;     ///< `PUT /bulk/resource_instances` requests started
    std::uint64_t tuple_batches = 0;        ///< `POST /relationship_tuples/bulk` requests started
    std::uint64_t tuple_removal_batches =
        0;  ///< `DELETE /relationship_tuples/bulk` requests started
    /// Users sent alone (`PUT /users/{key}`) rather than in a bulk request: see
    /// `bulk_options::single_writes`.
    std::uint64_t user_writes = 0;
    /// Role assignments sent alone (`POST /role_assignments`): see `bulk_options::single_writes`.
    std::uint64_t assignment_writes = 0;
    std::uint64_t batches_split = 0;         ///< rejected batches split in two to find a bad item
    std::uint64_t pending = 0;               ///< calls admitted and not finished, now
    std::uint64_t pending_high_water = 0;    ///< the most calls ever admitted and not finished
    std::uint64_t in_flight_high_water = 0;  ///< the most bulk requests ever in flight at once

    /// Counter-by-counter equality.
    friend bool operator==(const bulk_stats&, const bulk_stats&) = default;
};

}  // namespace permit
