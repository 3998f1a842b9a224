// Read-your-writes: how a write sent through the PDP ("proxy facts via PDP") waits until the PDP's
// own decisions see it.
#pragma once

#include <chrono>
#include <optional>

namespace permit {

/// What the PDP does when a write it forwarded is not yet visible to its decisions at the end of
/// the wait (the `X-Timeout-Policy` header).
enum class sync_timeout_policy {
    /// The PDP answers with the API's response anyway: the call succeeds, and a `check()` right
    /// after it may still see the old state.
    ignore,
    /// The PDP answers 424: the call fails with `error::sync_timeout` (compare with
    /// `condition::sync_timeout`). The write itself was applied; only its visibility is late.
    fail
};

/// How long a write sent through the PDP waits for the PDP to see it, and what happens when it
/// does not in time. Unset fields send no header, so the PDP's own defaults apply (10 s, and
/// `ignore`, for Permit's PDP).
///
/// The PDP waits only on the writes that change what its decisions say about a user: creating or
/// replacing or updating a user, creating a tenant, assigning and unassigning roles (see each
/// operation's documentation). It forwards reads, deletes of users and bulk calls at once.
struct sync_wait {
    /// The longest wait (`X-Wait-Timeout`, sent in seconds): zero answers at once, a negative
    /// value waits for as long as it takes (`config::request_timeout` still bounds the call).
    std::optional<std::chrono::milliseconds> timeout;
    /// What the PDP does at the end of an unsuccessful wait (`X-Timeout-Policy`).
    std::optional<sync_timeout_policy> policy;
};

}  // namespace permit
