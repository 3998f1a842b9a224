// The server's counters for `GET /metrics`: sign-ups, checks and their latency, with the
// client's own counters. Lock-free, safe from every thread. No I/O.
#pragma once

#include <permit/bulk/stats.hpp>
#include <permit/client_stats.hpp>

#include <boost/json/object.hpp>

#include <array>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdint>

namespace signup_server {

/// Latencies in a fixed histogram: 4 buckets per doubling from 1 µs to about 70 s, so that a
/// percentile is within 19% of the truth and recording costs one atomic increment.
class latency_histogram {
  public:
    static constexpr std::size_t buckets = 4 * 26;

    void record(std::chrono::nanoseconds latency) {
        const double us = std::max(1.0, double(latency.count()) / 1e3);
        const auto index = std::min(buckets - 1, static_cast<std::size_t>(4 * std::log2(us)));
        counts_[index].fetch_add(1, std::memory_order_relaxed);
    }

    /// The upper bound of the bucket holding the `p` quantile (0 < p <= 1), in µs; 0 when empty.
    double percentile_us(double p) const {
        std::array<std::uint64_t, buckets> snapshot;
        std::uint64_t total = 0;
        for (std::size_t i = 0; i < buckets; ++i)
            total += snapshot[i] = counts_[i].load(std::memory_order_relaxed);
        if (total == 0) return 0;
        const auto rank = static_cast<std::uint64_t>(std::ceil(p * double(total)));
        std::uint64_t seen = 0;
        for (std::size_t i = 0; i < buckets; ++i)
            if ((seen += snapshot[i]) >= rank) return std::exp2(double(i + 1) / 4);
        return std::exp2(double(buckets) / 4);
    }

  private:
    std::array<std::atomic<std::uint64_t>, buckets> counts_{};
};

struct server_metrics {
    std::atomic<std::uint64_t> signups{0};          ///< 201: acknowledged by Permit
    std::atomic<std::uint64_t> signups_invalid{0};  ///< 400
    std::atomic<std::uint64_t> signups_taken{0};    ///< 409: the email has an account
    std::atomic<std::uint64_t> signups_failed{0};   ///< 503: Permit could not take the user
    std::atomic<std::uint64_t> checks_allowed{0};
    std::atomic<std::uint64_t> checks_denied{0};
    std::atomic<std::uint64_t> checks_failed{0};
    latency_histogram check_latency;

    /// Everything as one JSON object, with the client's counters and the bulk pipeline's.
    boost::json::object to_json(const permit::client_stats& client,
                                const permit::bulk_stats& bulk) const {
        auto load = [](const std::atomic<std::uint64_t>& n) { return n.load(); };
        return {
            {"signups",
             {{"created", load(signups)},
              {"invalid", load(signups_invalid)},
              {"taken", load(signups_taken)},
              {"failed", load(signups_failed)}}},
            {"checks",
             {{"allowed", load(checks_allowed)},
              {"denied", load(checks_denied)},
              {"failed", load(checks_failed)},
              {"p50_us", check_latency.percentile_us(0.50)},
              {"p99_us", check_latency.percentile_us(0.99)}}},
            {"permit",
             {{"requests", client.requests},
              {"retries", client.retries},
              {"rate_limited", client.rate_limited},
              {"user_batches", bulk.user_batches},
              {"tenant_batches", bulk.tenant_batches},
              {"assignment_batches", bulk.assignment_batches},
              {"users_synced", bulk.users_synced}}},
        };
    }
};

}  // namespace signup_server
