// Sharding: which users of an input file one `permit-bulk-sync --shard K/N` process syncs, so that
// N processes (on one machine or many) split a file between them without talking to each other.
#pragma once

#include <charconv>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>

namespace permit_bulk_sync {

/// Shard `index` of `count`: the default, 0 of 1, is the whole input.
struct shard_spec {
    unsigned index = 0;
    unsigned count = 1;

    friend bool operator==(const shard_spec&, const shard_spec&) = default;
};

/// The `K/N` form of a shard, as `--shard` takes it and a checkpoint stores it.
inline std::string to_string(shard_spec s) {
    return std::to_string(s.index) + "/" + std::to_string(s.count);
}

namespace detail {

// Digits only: from_chars alone would accept a leading '-' for a signed type, and we want no sign,
// no spaces and no trailing text, so that "1/4x" is an error rather than shard 1 of 4.
inline std::optional<unsigned> parse_unsigned(std::string_view s) {
    if (s.empty() || s.front() < '0' || s.front() > '9') return std::nullopt;
    unsigned value = 0;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
    if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
    return value;
}

}  // namespace detail

/// Parses `K/N` with 0 <= K < N. On failure returns nullopt and sets `error` to a message for the
/// user, which repeats the text given (a shard spec is never a secret).
inline std::optional<shard_spec> parse_shard_spec(std::string_view text, std::string& error) {
    const auto fail = [&](std::string_view why) -> std::optional<shard_spec> {
        error = "invalid shard \"" + std::string(text) + "\": " + std::string(why);
        return std::nullopt;
    };
    const auto slash = text.find('/');
    if (slash == std::string_view::npos) return fail("expected K/N, e.g. 0/4");
    const auto index = detail::parse_unsigned(text.substr(0, slash));
    const auto count = detail::parse_unsigned(text.substr(slash + 1));
    if (!index || !count) return fail("K and N must be whole numbers, e.g. 0/4");
    if (*count == 0) return fail("N must be at least 1");
    if (*index >= *count) return fail("K must be less than N (shards are numbered from 0)");
    return shard_spec{.index = *index, .count = *count};
}

/// The 64-bit FNV-1a hash of `bytes`. It depends only on the bytes (not on the platform, the
/// standard library or the process, unlike `std::hash`), so a key falls in the same shard in
/// every run on every machine; a checkpoint relies on that too.
inline constexpr std::uint64_t fnv1a_64(std::string_view bytes) noexcept {
    std::uint64_t hash = 0xcbf29ce484222325u;
    for (const char c : bytes) {
        hash ^= static_cast<unsigned char>(c);
        hash *= 0x100000001b3u;
    }
    return hash;
}

/// Whether the user `key` belongs to shard `s`: `fnv1a_64(key) % s.count == s.index`. For any N,
/// the shards 0/N .. N-1/N split a set of keys into disjoint parts that cover it.
inline constexpr bool in_shard(std::string_view key, shard_spec s) noexcept {
    return s.count <= 1 || fnv1a_64(key) % s.count == s.index;
}

}  // namespace permit_bulk_sync
