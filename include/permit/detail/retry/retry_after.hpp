// Parsing of the `Retry-After` header (RFC 9110 §10.2.3): delta-seconds or an HTTP-date.
#pragma once

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string_view>

namespace permit::detail::retry {

namespace http_date {

inline std::string_view trim(std::string_view s) noexcept {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

inline bool is_digit(char c) noexcept {
    return c >= '0' && c <= '9';
}

// Reads exactly `width` digits (or 1-2 digits when `width` is 0) from the front of `s`.
inline std::optional<int> take_number(std::string_view& s, std::size_t width) noexcept {
    std::size_t n = 0;
    int value = 0;
    const std::size_t limit = width ? width : 2;
    while (n < limit && n < s.size() && is_digit(s[n])) value = value * 10 + (s[n++] - '0');
    if (n == 0 || (width && n != width)) return std::nullopt;
    s.remove_prefix(n);
    return value;
}

inline bool take(std::string_view& s, std::string_view expected) noexcept {
    if (s.substr(0, expected.size()) != expected) return false;
    s.remove_prefix(expected.size());
    return true;
}

inline std::optional<unsigned> take_month(std::string_view& s) noexcept {
    static constexpr std::array<std::string_view, 12> names{
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    for (unsigned i = 0; i < names.size(); ++i)
        if (take(s, names[i])) return i + 1;
    return std::nullopt;
}

inline bool take_day_name(std::string_view& s) noexcept {
    static constexpr std::array<std::string_view, 7> names{"Mon", "Tue", "Wed", "Thu",
                                                           "Fri", "Sat", "Sun"};
    for (auto name : names)
        if (take(s, name)) return true;
    return false;
}

// "HH:MM:SS"
inline std::optional<std::chrono::seconds> take_time_of_day(std::string_view& s) noexcept {
    auto h = take_number(s, 2);
    if (!h || !take(s, ":")) return std::nullopt;
    auto m = take_number(s, 2);
    if (!m || !take(s, ":")) return std::nullopt;
    auto sec = take_number(s, 2);
    // 60 allows a leap second.
    if (!sec || *h > 23 || *m > 59 || *sec > 60) return std::nullopt;
    return std::chrono::hours(*h) + std::chrono::minutes(*m) + std::chrono::seconds(*sec);
}

inline std::optional<std::chrono::sys_seconds> make_time(int year, unsigned month, unsigned day,
                                                         std::chrono::seconds time_of_day) {
    const std::chrono::year_month_day date{std::chrono::year(year), std::chrono::month(month),
                                           std::chrono::day(day)};
    if (!date.ok()) return std::nullopt;
    return std::chrono::sys_days(date) + time_of_day;
}

}  // namespace http_date

/// Parses an HTTP-date in any of the three forms RFC 9110 requires a recipient to accept:
/// IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`), RFC 850 (`Sunday, 06-Nov-94 08:49:37 GMT`) and
/// asctime (`Sun Nov  6 08:49:37 1994`). Returns nothing for anything else.
inline std::optional<std::chrono::sys_seconds> parse_http_date(std::string_view s) {
    using namespace http_date;
    s = trim(s);
    auto comma = s.find(',');
    if (comma != std::string_view::npos) {
        // The day name is informative only; it is not checked against the date.
        const bool rfc850 = comma > 3;
        s.remove_prefix(comma + 1);
        if (!take(s, " ")) return std::nullopt;
        auto day = take_number(s, 2);
        if (!day || !take(s, rfc850 ? "-" : " ")) return std::nullopt;
        auto month = take_month(s);
        if (!month || !take(s, rfc850 ? "-" : " ")) return std::nullopt;
        int year = 0;
        if (rfc850) {
            auto yy = take_number(s, 2);
            if (!yy) return std::nullopt;
            // RFC 9110: a two-digit year more than 50 years in the future is in the past century;
            // for a retry hint, 19xx for 70-99 and 20xx otherwise is close enough.
            year = *yy >= 70 ? 1900 + *yy : 2000 + *yy;
        } else {
            auto yyyy = take_number(s, 4);
            if (!yyyy) return std::nullopt;
            year = *yyyy;
        }
        if (!take(s, " ")) return std::nullopt;
        auto time_of_day = take_time_of_day(s);
        if (!time_of_day || !take(s, " GMT") || !s.empty()) return std::nullopt;
        return make_time(year, *month, static_cast<unsigned>(*day), *time_of_day);
    }
    // asctime: "Sun Nov  6 08:49:37 1994"
    if (!take_day_name(s) || !take(s, " ")) return std::nullopt;
    auto month = take_month(s);
    if (!month || !take(s, " ")) return std::nullopt;
    if (!s.empty() && s.front() == ' ') s.remove_prefix(1);
    auto day = take_number(s, 0);
    if (!day || !take(s, " ")) return std::nullopt;
    auto time_of_day = take_time_of_day(s);
    if (!time_of_day || !take(s, " ")) return std::nullopt;
    auto year = take_number(s, 4);
    if (!year || !s.empty()) return std::nullopt;
    return make_time(*year, *month, static_cast<unsigned>(*day), *time_of_day);
}

/// The wait a `Retry-After` value asks for, given the current wall-clock time: delta-seconds
/// (`"120"`), or an HTTP-date (a date in the past means no wait). Huge values saturate instead of
/// overflowing; the caller caps them. Returns nothing for a value that is neither form (negative
/// numbers and fractions included), which the caller then ignores.
inline std::optional<std::chrono::seconds> parse_retry_after(
    std::string_view value, std::chrono::system_clock::time_point now) {
    // Saturates at about a century: no wait that long is ever honoured, and a century still fits
    // a clock's nanoseconds when the caller adds it to a time point.
    constexpr std::int64_t limit = std::int64_t{100} * 365 * 24 * 3600;
    value = http_date::trim(value);
    if (value.empty()) return std::nullopt;
    if (http_date::is_digit(value.front())) {
        std::int64_t seconds = 0;
        for (const char c : value) {
            if (!http_date::is_digit(c)) return std::nullopt;
            seconds = seconds * 10 + (c - '0');
            if (seconds > limit) seconds = limit;
        }
        return std::chrono::seconds(seconds);
    }
    auto date = parse_http_date(value);
    if (!date) return std::nullopt;
    // Rounded up: a retry must not come before the moment the server named. In seconds, as
    // `date - floor(now)`: the date (any year up to 9999) in `now`'s nanoseconds would overflow.
    const auto wait = *date - std::chrono::floor<std::chrono::seconds>(now);
    return std::clamp(wait, std::chrono::seconds(0), std::chrono::seconds(limit));
}

}  // namespace permit::detail::retry
