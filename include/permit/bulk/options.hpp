// How the bulk pipeline batches, paces and retries: `config::bulk`.
#pragma once

#include <permit/retry/policy.hpp>
#include <permit/sync_wait.hpp>

#include <chrono>
#include <cstddef>
#include <optional>

namespace permit {

/// How the bulk pipeline confirms with the PDP that a caller's roles are visible to its
/// decisions before it resumes the caller (`bulk_options::confirm_with_pdp`).
///
/// After the caller's user and role assignments are stored, the pipeline asks the PDP for the
/// user's permissions (`POST /user-permissions`, filtered to the tenants of the roles) until every
/// role appears in its tenant, pausing `first_interval` between two looks, doubled each time up to
/// `max_interval`, for at most `timeout`.
struct pdp_confirmation {
    /// The longest a caller waits for the PDP, after its bulk calls succeeded.
    std::chrono::milliseconds timeout{std::chrono::seconds(10)};
    /// The pause after the first look that did not see the roles.
    std::chrono::milliseconds first_interval{50};
    /// The longest pause between two looks.
    std::chrono::milliseconds max_interval{1000};
    /// What the caller gets when the PDP still does not see the roles after `timeout`: `fail`,
    /// `error::sync_timeout` (the writes are stored; only their visibility is late); `ignore`,
    /// success.
    sync_timeout_policy policy = sync_timeout_policy::fail;
};

/// Settings of the auto-batching pipeline behind `client::bulk` (see `bulk_api`).
///
/// The batch sizes default to the API's documented limits ("Bulk limits" in
/// https://docs.permit.io/how-to/bulk-operations); lower them only to test, or for a server with
/// smaller limits.
struct bulk_options {
    /// Users per `PUT /bulk/users` request.
    std::size_t users_per_batch = 3000;
    /// Tenants per `POST /bulk/tenants` request.
    std::size_t tenants_per_batch = 2000;
    /// Role assignments per `POST /role_assignments/bulk` request.
    std::size_t assignments_per_batch = 2000;
    /// Resource instances per `PUT /bulk/resource_instances` request.
    std::size_t instances_per_batch = 3000;
    /// Relationship tuples per `POST /relationship_tuples/bulk` or
    /// `DELETE /relationship_tuples/bulk` request.
    std::size_t tuples_per_batch = 1000;
    /// How long the oldest waiting item may wait for others before a partial batch goes out.
    /// A role assignment that waited for its user or tenant counts from its call's arrival, so a
    /// `sync_user` with roles lingers once, not twice. When the client paces itself
    /// (`config::rate_limits`), a batch that is due waits for a bulk token too, and takes
    /// everything that arrived meanwhile.
    std::chrono::milliseconds linger{50};
    /// When the client paces itself (`config::rate_limits`), a due batch of at most this many
    /// users or role assignments goes out as single writes (`PUT /users/{key}`,
    /// `POST /role_assignments`, one write token each) instead of one bulk request, provided the
    /// write and overall budgets each have twice as many tokens free at that moment. A trickle of
    /// sign-ups then neither waits for a bulk token (100 per 10 minutes) while the write budget
    /// (300 a minute) is free, nor spends a scarce bulk call on a batch of one; a burst, whose
    /// batches are large, still goes out in full bulk requests. `bulk_stats::user_writes` and
    /// `assignment_writes` count the single writes. 0: always bulk requests. Without pacing,
    /// batches always go as bulk requests.
    std::size_t single_writes = 10;
    /// The most bulk requests in flight at once, over all kinds (single writes included).
    std::size_t max_batches_in_flight = 4;
    /// The most calls (`sync_user`, `assign_role`, `ensure_tenant`, `ensure_instance`,
    /// `write_tuple`, `remove_tuple`) admitted and not yet finished;
    /// later callers wait for room (backpressure). Keep it at least `users_per_batch`, or user
    /// batches cannot fill up.
    std::size_t max_pending = 12000;
    /// How many tenant keys the pipeline remembers as existing, so that they are not created again.
    std::size_t known_tenants = 100000;
    /// The retry policy of each bulk request; the requests are idempotent for the pipeline (a
    /// replayed create finds its tenants existing), so this is more patient than `config::retry`.
    retry_policy retry = {.max_attempts = 8,
                          .max_elapsed = std::chrono::minutes(10),
                          .initial_backoff = std::chrono::milliseconds(500),
                          .max_backoff = std::chrono::seconds(30)};
    /// Read-your-writes: resume a `sync_user` or `assign_role` caller only once the PDP's
    /// decisions see its roles (see `pdp_confirmation`), so that a `check()` right after it is
    /// not stale. Bulk calls are not waited for by the PDP's facts proxy, so the pipeline asks the
    /// PDP itself. Its cost: each such caller resumes a PDP propagation delay later (typically
    /// well under a second), and sends one `/user-permissions` request per look (a local PDP
    /// answers thousands a second). Roles on resource instances are not confirmed, and a caller
    /// without roles, or an `ensure_tenant`, resumes at once. Unset (the default): callers resume
    /// when their bulk calls succeed.
    std::optional<pdp_confirmation> confirm_with_pdp;
};

}  // namespace permit
