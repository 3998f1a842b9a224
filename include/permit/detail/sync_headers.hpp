// The headers of a write sent through the PDP's facts proxy
// (https://docs.permit.io/how-to/manage-data/local-facts-uploader), sans-io.
#pragma once

#include <permit/sync_wait.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace permit::detail {

/// `X-Wait-Timeout`: seconds as a decimal number ("10", "0.05", "0"); "-1" for a negative
/// timeout, which the PDP reads as "wait indefinitely". Unset: no header.
inline std::optional<std::string> wait_timeout_header(const sync_wait& wait) {
    if (!wait.timeout) return std::nullopt;
    const std::int64_t ms = wait.timeout->count();
    if (ms < 0) return "-1";
    std::string out = std::to_string(ms / 1000);
    if (const auto fraction = ms % 1000; fraction != 0) {
        std::string digits = std::to_string(1000 + fraction).substr(1);  // three digits
        while (digits.back() == '0') digits.pop_back();
        out += '.';
        out += digits;
    }
    return out;
}

/// `X-Timeout-Policy`: "ignore" or "fail". Unset: no header.
inline std::optional<std::string> timeout_policy_header(const sync_wait& wait) {
    if (!wait.policy) return std::nullopt;
    return *wait.policy == sync_timeout_policy::fail ? "fail" : "ignore";
}

}  // namespace permit::detail
