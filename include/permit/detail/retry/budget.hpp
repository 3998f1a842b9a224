// The client-wide retry budget as a token bucket, with an injected clock.
#pragma once

#include <permit/retry/policy.hpp>

#include <algorithm>
#include <chrono>

namespace permit::detail::retry {

/// Bookkeeping of `retry_budget_options`. Not thread-safe (the client runs it on its executor).
template <class Clock = std::chrono::steady_clock>
class budget {
  public:
    /// A reading of `Clock`.
    using time_point = typename Clock::time_point;

    /// A full bucket at `now`, under `options`.
    budget(const retry_budget_options& options, time_point now)
        : options_(options), tokens_(options.capacity), last_(now) {}

    /// A call starts: it adds its share of retries.
    void on_call(time_point now) {
        refill(now);
        tokens_ = std::min(options_.capacity, tokens_ + options_.ratio);
    }

    /// Takes a token for one retry; false when the bucket is empty (the retry must not happen).
    /// Always true when the budget is disabled.
    bool try_withdraw(time_point now) {
        if (!options_.enabled) return true;
        refill(now);
        if (tokens_ < 1.0) return false;
        tokens_ -= 1.0;
        return true;
    }

    /// The tokens available at `now`.
    double tokens(time_point now) {
        refill(now);
        return tokens_;
    }

  private:
    void refill(time_point now) {
        if (now <= last_) return;
        const double seconds = std::chrono::duration<double>(now - last_).count();
        tokens_ = std::min(options_.capacity, tokens_ + seconds * options_.refill_per_second);
        last_ = now;
    }

    retry_budget_options options_;
    double tokens_;
    time_point last_;
};

}  // namespace permit::detail::retry
