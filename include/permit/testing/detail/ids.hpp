// Ids and timestamps in the API's formats: UUIDv4 strings from a seeded source, ISO-8601 UTC.
#pragma once

#include <chrono>
#include <cstdint>
#include <random>
#include <string>

namespace permit::testing::detail {

/// UUIDv4 strings from a seeded engine, so that a replayed run gets the same ids.
class uuid_source {
  public:
    explicit uuid_source(std::uint64_t seed) : rng_(seed ^ 0x9e3779b97f4a7c15ULL) {}

    std::string next() {
        std::uint64_t hi = rng_(), lo = rng_();
        hi = (hi & 0xffffffffffff0fffULL) | 0x0000000000004000ULL;  // version 4
        lo = (lo & 0x3fffffffffffffffULL) | 0x8000000000000000ULL;  // RFC 4122 variant
        // 8-4-4-4-12 lowercase hex, written by hand: every stored record takes an id and a
        // timestamp, and their formatted prints were a fifth of a bulk write's cost per user.
        std::string out(36, '-');
        put_hex(out.data(), hi >> 32, 8);
        put_hex(out.data() + 9, hi >> 16, 4);
        put_hex(out.data() + 14, hi, 4);
        put_hex(out.data() + 19, lo >> 48, 4);
        put_hex(out.data() + 24, lo, 12);
        return out;
    }

  private:
    /// The low `digits` hex digits of `v` at `out`.
    static void put_hex(char* out, std::uint64_t v, int digits) {
        for (int i = digits - 1; i >= 0; --i, v >>= 4) out[i] = "0123456789abcdef"[v & 0xf];
    }

    std::mt19937_64 rng_;
};

/// True for the 8-4-4-4-12 hex form.
inline bool looks_like_uuid(std::string_view s) noexcept {
    if (s.size() != 36) return false;
    for (std::size_t i = 0; i < s.size(); ++i) {
        const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
        const char c = s[i];
        if (dash ? c != '-'
                 : !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')))
            return false;
    }
    return true;
}

/// `2024-05-01T12:00:00.123456Z`
inline std::string iso8601_now() {
    using namespace std::chrono;
    const auto now = time_point_cast<microseconds>(system_clock::now());
    const auto day = floor<days>(now);
    const year_month_day date{day};
    const hh_mm_ss time{now - day};
    // Digits written by hand: every stored record takes a timestamp (see uuid_source::next).
    std::string out = "0000-00-00T00:00:00.000000Z";
    auto put = [&](std::size_t at, long long v, int digits) {
        for (int i = digits - 1; i >= 0; --i, v /= 10)
            out[at + i] = static_cast<char>('0' + v % 10);
    };
    put(0, static_cast<int>(date.year()), 4);
    put(5, static_cast<unsigned>(date.month()), 2);
    put(8, static_cast<unsigned>(date.day()), 2);
    put(11, time.hours().count(), 2);
    put(14, time.minutes().count(), 2);
    put(17, time.seconds().count(), 2);
    put(20, time.subseconds().count(), 6);
    return out;
}

}  // namespace permit::testing::detail
