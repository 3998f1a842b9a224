// Per-call settings that override the client's configuration: `permit.with(options)`.
#pragma once

#include <permit/retry/policy.hpp>
#include <permit/sync_wait.hpp>

#include <optional>

namespace permit {

/// Settings for the calls made through a view of the client (`client::with`). An unset field
/// keeps the client's configuration.
struct call_options {
    /// The retry policy instead of `config::retry`: `retry_policy::none()` for a call that must
    /// fail at once, or a longer one for a batch job.
    std::optional<retry_policy> retry;
    /// Read-your-writes for the writes made through the view: they go through the PDP
    /// (`{pdp_url}/facts/...`), even when `config::proxy_facts_via_pdp` is off, and wait as this
    /// says for the PDP's decisions to see them. `pdp_url` must then be a PDP that proxies facts
    /// (a local PDP container; Permit's cloud PDP does not).
    std::optional<sync_wait> wait_for_sync;
};

}  // namespace permit
