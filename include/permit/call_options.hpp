// Per-call settings that override the client's configuration: `permit.with(options)`.
#pragma once

#include <permit/retry/policy.hpp>

#include <optional>

namespace permit {

/// Settings for the calls made through a view of the client (`client::with`). An unset field
/// keeps the client's configuration.
struct call_options {
    /// The retry policy instead of `config::retry`: `retry_policy::none()` for a call that must
    /// fail at once, or a longer one for a batch job.
    std::optional<retry_policy> retry;
};

}  // namespace permit
