// What a failed user means for the run: the API refused that user (a reject, and the run goes
// on), or the run itself cannot go on (a wrong key, an outage), and the user is not done.
#pragma once

#include <permit/diagnostics.hpp>

namespace permit_bulk_sync {

/// How the sync of one user ended, when it failed.
enum class failure_kind {
    /// The API answered about this user (422, 404 for a role or tenant it names, 409...): it goes
    /// to the rejects file, and its line is done.
    user_refused,
    /// Nothing can be synced (401/403: a wrong key; TLS; the network or the API down after the
    /// retries; 429 after the retries; a cancel): the run stops, and the line stays to do, so
    /// that `--resume` sends it again.
    run_cannot_continue,
};

/// Tells the two apart from the diagnostics of the failed call: a 4xx answer is about the user,
/// except 401 and 403 (the key), 408 (the connection) and 429 (the pace).
inline failure_kind classify_failure(const permit::diagnostics& d) noexcept {
    const unsigned s = d.status;
    if (s >= 400 && s < 500 && s != 401 && s != 403 && s != 408 && s != 429)
        return failure_kind::user_refused;
    return failure_kind::run_cannot_continue;
}

}  // namespace permit_bulk_sync
