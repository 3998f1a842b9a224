// Rate limiting by Permit's documented request classes, as sliding windows (sans-io).
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <optional>
#include <string_view>

#include <permit/testing/emulator_config.hpp>

namespace permit::testing::detail {

using steady_time = std::chrono::steady_clock::time_point;

/// At most `limit` admissions in any window of length `window`.
class sliding_window {
  public:
    sliding_window(std::uint32_t limit, std::chrono::nanoseconds window)
        : limit_(limit), window_(window) {}

    /// How long until one more admission fits; zero when it fits now.
    std::chrono::nanoseconds wait_time(steady_time now) {
        prune(now);
        if (hits_.size() < limit_) return std::chrono::nanoseconds::zero();
        if (limit_ == 0) return window_;
        return hits_[hits_.size() - limit_] + window_ - now;
    }

    void admit(steady_time now) { hits_.push_back(now); }

  private:
    void prune(steady_time now) {
        while (!hits_.empty() && hits_.front() + window_ <= now) hits_.pop_front();
    }

    std::uint32_t limit_;
    std::chrono::nanoseconds window_;
    std::deque<steady_time> hits_;
};

/// The classes of "Rate Limiting" in https://docs.permit.io/api/api-with-cli (schema-write and
/// member limits are not emulated).
class rate_limiter {
  public:
    explicit rate_limiter(const rate_limit_config& c)
        : config_(c)
        , all_(c.all_per_minute, scaled(std::chrono::minutes(1)))
        , writes_(c.writes_per_minute, scaled(std::chrono::minutes(1)))
        , deletes_(c.deletes_per_minute, scaled(std::chrono::minutes(1)))
        , bulk_(c.bulk_per_10_minutes, scaled(std::chrono::minutes(10))) {}

    const rate_limit_config& config() const { return config_; }

    /// Admits a request, or returns how long it would have to wait. A refused request uses no
    /// quota in any class.
    std::optional<std::chrono::nanoseconds> try_admit(std::string_view method,
                                                      std::string_view path, steady_time now) {
        if (!config_.enabled) return std::nullopt;
        sliding_window* classes[4];
        std::size_t n = 0;
        classes[n++] = &all_;
        const bool is_write =
            method == "POST" || method == "PUT" || method == "PATCH" || method == "DELETE";
        if (is_write) classes[n++] = &writes_;
        if (method == "DELETE") classes[n++] = &deletes_;
        if (is_bulk(path)) classes[n++] = &bulk_;
        auto wait = std::chrono::nanoseconds::zero();
        for (std::size_t i = 0; i < n; ++i) wait = std::max(wait, classes[i]->wait_time(now));
        if (wait > std::chrono::nanoseconds::zero()) return wait;
        for (std::size_t i = 0; i < n; ++i) classes[i]->admit(now);
        return std::nullopt;
    }

    /// Bulk routes are the ones with a `bulk` path segment.
    static bool is_bulk(std::string_view path) {
        for (std::size_t pos = path.find("/bulk"); pos != std::string_view::npos;
             pos = path.find("/bulk", pos + 1)) {
            const auto end = pos + 5;
            if (end == path.size() || path[end] == '/' || path[end] == '?') return true;
        }
        return false;
    }

  private:
    std::chrono::nanoseconds scaled(std::chrono::nanoseconds window) const {
        const double scale = config_.time_scale > 0 ? config_.time_scale : 1.0;
        return std::chrono::nanoseconds(
            static_cast<std::int64_t>(static_cast<double>(window.count()) / scale));
    }

    rate_limit_config config_;
    sliding_window all_, writes_, deletes_, bulk_;
};

}  // namespace permit::testing::detail
