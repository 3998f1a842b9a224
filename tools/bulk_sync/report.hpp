// What `permit-bulk-sync` tells its user: the progress line while it runs and the summary at the
// end, as text and as JSON (`--report FILE`). Formatting only: the figures come in a sync_totals.
#pragma once

#include <boost/json/object.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>

namespace permit_bulk_sync {

/// The figures of a sync. A resumed run starts from the totals of its checkpoint, so that its
/// summary covers the whole file.
struct sync_totals {
    std::uint64_t users_synced = 0;        ///< users the API accepted
    std::uint64_t users_rejected = 0;      ///< input lines, or users the API refused, not synced
    std::uint64_t users_skipped = 0;       ///< users left to the other shards (`--shard`)
    std::uint64_t tenants_synced = 0;      ///< tenants created or found to exist
    std::uint64_t assignments_synced = 0;  ///< role assignments the API accepted
    std::uint64_t http_requests = 0;       ///< requests sent, retries included
    std::uint64_t retries = 0;             ///< requests sent again after a failure
    std::uint64_t rate_limited = 0;        ///< 429 responses
    std::chrono::milliseconds elapsed{0};  ///< time spent syncing

    /// Users dealt with one way or another: the progress made through the input.
    std::uint64_t users_done() const noexcept {
        return users_synced + users_rejected + users_skipped;
    }

    /// Adds the figures of another run (or part of one).
    sync_totals& operator+=(const sync_totals& other) noexcept {
        users_synced += other.users_synced;
        users_rejected += other.users_rejected;
        users_skipped += other.users_skipped;
        tenants_synced += other.tenants_synced;
        assignments_synced += other.assignments_synced;
        http_requests += other.http_requests;
        retries += other.retries;
        rate_limited += other.rate_limited;
        elapsed += other.elapsed;
        return *this;
    }

    friend bool operator==(const sync_totals&, const sync_totals&) = default;
};

/// `n` with thousands separators: `41,250`.
inline std::string format_count(std::uint64_t n) {
    std::string digits = std::to_string(n);
    std::string out;
    out.reserve(digits.size() + digits.size() / 3);
    for (std::size_t i = 0; i < digits.size(); ++i) {
        if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
        out += digits[i];
    }
    return out;
}

/// A rate rounded to a whole number, with thousands separators; negative or not finite reads 0.
inline std::string format_rate(double per_second) {
    if (!std::isfinite(per_second) || per_second < 0) per_second = 0;
    return format_count(static_cast<std::uint64_t>(std::llround(std::min(per_second, 1e18))));
}

/// A duration for a human: `0.4 s` and `12.3 s` under a minute, then `2 min 05 s`, then
/// `1 h 02 min`.
inline std::string format_duration(std::chrono::milliseconds d) {
    const auto ms = std::max<std::int64_t>(d.count(), 0);
    char text[64];
    if (ms < 60'000) {
        std::snprintf(text, sizeof text, "%.1f s", static_cast<double>(ms) / 1000.0);
    } else if (ms < 3'600'000) {
        const auto s = ms / 1000;
        std::snprintf(text, sizeof text, "%lld min %02lld s", static_cast<long long>(s / 60),
                      static_cast<long long>(s % 60));
    } else {
        const auto m = ms / 60'000;
        std::snprintf(text, sizeof text, "%lld h %02lld min", static_cast<long long>(m / 60),
                      static_cast<long long>(m % 60));
    }
    return text;
}

namespace detail {

// Whole seconds for an ETA: a tenth of a second would only flicker.
inline std::string format_eta(double seconds) {
    const auto whole = static_cast<std::int64_t>(std::ceil(std::min(seconds, 1e9)));
    if (whole < 60) return std::to_string(whole) + " s";
    return format_duration(std::chrono::seconds(whole));
}

// How much of `total` is done, from 0 to 1; an empty input is all done.
inline double fraction(std::uint64_t done, std::uint64_t total) noexcept {
    if (total == 0) return 1;
    return static_cast<double>(std::min(done, total)) / static_cast<double>(total);
}

inline std::optional<double> eta_seconds(std::uint64_t done, std::optional<std::uint64_t> total,
                                         double users_per_second) {
    if (!total || !std::isfinite(users_per_second) || users_per_second <= 0) return std::nullopt;
    const auto left = *total > done ? *total - done : 0;
    return static_cast<double>(left) / users_per_second;
}

}  // namespace detail

/// The progress line for a terminal, at most `columns` wide (the caller redraws it in place with
/// `\r` and an erase-to-end-of-line):
/// `[#####.....] 41,250 / 100,000 users  8,210 users/s  ETA 6 s  retries 3  429s 0`.
/// With an unknown `total`, there is no bar and no ETA. `users_per_second` is the recent rate;
/// the caller chooses how recent.
inline std::string progress_bar_line(const sync_totals& t, std::optional<std::uint64_t> total,
                                     double users_per_second, std::size_t columns = 100) {
    const std::uint64_t done = t.users_done();
    std::string text = format_count(done);
    if (total) text += " / " + format_count(*total);
    text += " users  " + format_rate(users_per_second) + " users/s";
    if (auto eta = detail::eta_seconds(done, total, users_per_second))
        text += "  ETA " + detail::format_eta(*eta);
    text += "  retries " + format_count(t.retries) + "  429s " + format_count(t.rate_limited);

    std::string line;
    constexpr std::size_t widest_bar = 30;
    constexpr std::size_t narrowest_bar = 10;
    const std::size_t room = columns > text.size() + 3 ? columns - text.size() - 3 : 0;
    if (total && room >= narrowest_bar) {
        const std::size_t width = std::min(room, widest_bar);
        const auto filled =
            static_cast<std::size_t>(detail::fraction(done, *total) * static_cast<double>(width));
        line = "[" + std::string(filled, '#') + std::string(width - filled, '.') + "] ";
    }
    line += text;
    if (line.size() > columns) line.resize(columns);
    return line;
}

/// The progress line for a log or a pipe, one per report:
/// `progress: 41,250 / 100,000 users (41.3%), 8,210 users/s, ETA 6 s, retries 3, 429s 0`.
inline std::string progress_plain_line(const sync_totals& t, std::optional<std::uint64_t> total,
                                       double users_per_second) {
    const std::uint64_t done = t.users_done();
    std::string line = "progress: " + format_count(done);
    if (total) {
        line += " / " + format_count(*total) + " users";
        if (*total > 0) {
            char percent[32];
            std::snprintf(percent, sizeof percent, " (%.1f%%)",
                          100.0 * detail::fraction(done, *total));
            line += percent;
        }
    } else {
        line += " users";
    }
    line += ", " + format_rate(users_per_second) + " users/s";
    if (auto eta = detail::eta_seconds(done, total, users_per_second))
        line += ", ETA " + detail::format_eta(*eta);
    line += ", retries " + format_count(t.retries) + ", 429s " + format_count(t.rate_limited);
    return line;
}

/// Synced users per second over the whole sync; 0 before any time has passed.
inline double users_per_second(const sync_totals& t) noexcept {
    if (t.elapsed.count() <= 0) return 0;
    return static_cast<double>(t.users_synced) * 1000.0 / static_cast<double>(t.elapsed.count());
}

/// The summary printed at the end, one figure per line, numbers aligned.
inline std::string summary_text(const sync_totals& t) {
    std::string out;
    const auto row = [&out](const char* label, const std::string& value) {
        char line[128];
        std::snprintf(line, sizeof line, "  %-20s %14s\n", label, value.c_str());
        out += line;
    };
    out += "permit-bulk-sync summary\n";
    row("users synced", format_count(t.users_synced));
    row("tenants synced", format_count(t.tenants_synced));
    row("assignments synced", format_count(t.assignments_synced));
    row("rejected", format_count(t.users_rejected));
    // Only a sharded run leaves users to others; a 0 row would puzzle everyone else.
    if (t.users_skipped > 0) row("other shards", format_count(t.users_skipped));
    row("HTTP requests", format_count(t.http_requests));
    row("retries", format_count(t.retries));
    row("429 responses", format_count(t.rate_limited));
    row("elapsed", format_duration(t.elapsed));
    row("users/s", format_rate(users_per_second(t)));
    return out;
}

/// The summary as JSON, for `--report FILE` and for scripts: every figure of `t` (the elapsed
/// time as `elapsed_seconds`) and `users_per_second`.
inline boost::json::object summary_json(const sync_totals& t) {
    boost::json::object out;
    out["users_synced"] = t.users_synced;
    out["users_rejected"] = t.users_rejected;
    out["users_skipped"] = t.users_skipped;
    out["tenants_synced"] = t.tenants_synced;
    out["assignments_synced"] = t.assignments_synced;
    out["http_requests"] = t.http_requests;
    out["retries"] = t.retries;
    out["rate_limited"] = t.rate_limited;
    out["elapsed_seconds"] = static_cast<double>(t.elapsed.count()) / 1000.0;
    out["users_per_second"] = users_per_second(t);
    return out;
}

}  // namespace permit_bulk_sync
