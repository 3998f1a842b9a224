// Exponential backoff with full jitter: the wait before a retry, drawn from a random number the
// caller supplies, so that tests choose it.
#pragma once

#include <permit/retry/policy.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>

namespace permit::detail::retry {

/// The ceiling of the wait before retry `retry_number` (1 for the first retry):
/// `min(max_backoff, initial_backoff * multiplier^(retry_number - 1))`.
inline std::chrono::milliseconds backoff_ceiling(const retry_policy& policy,
                                                 unsigned retry_number) noexcept {
    // A year is the longest wait ever computed: it keeps "no cap" (milliseconds::max()) and huge
    // multipliers within what the conversions back to an integer can hold.
    constexpr double longest = 365.0 * 24 * 3600 * 1000;
    const double cap =
        std::min(longest, static_cast<double>(std::max<std::chrono::milliseconds::rep>(
                              0, policy.max_backoff.count())));
    double ceiling = static_cast<double>(
        std::max<std::chrono::milliseconds::rep>(0, policy.initial_backoff.count()));
    const double multiplier = std::max(1.0, policy.backoff_multiplier);
    // Grows step by step and stops at the cap: no overflow however many retries.
    for (unsigned i = 1; i < retry_number && ceiling < cap; ++i) ceiling *= multiplier;
    return std::chrono::milliseconds(
        static_cast<std::chrono::milliseconds::rep>(std::min(ceiling, cap)));
}

/// The wait before retry `retry_number`: `unit` (a random draw in [0, 1)) times the ceiling.
/// Full jitter spreads the retries of many clients that failed at the same moment.
inline std::chrono::milliseconds full_jitter_backoff(const retry_policy& policy,
                                                     unsigned retry_number, double unit) noexcept {
    unit = unit >= 0.0 ? std::min(unit, 1.0) : 0.0;  // NaN too becomes 0
    const auto ceiling = backoff_ceiling(policy, retry_number);
    return std::chrono::milliseconds(static_cast<std::chrono::milliseconds::rep>(
        std::floor(unit * static_cast<double>(ceiling.count()))));
}

}  // namespace permit::detail::retry
