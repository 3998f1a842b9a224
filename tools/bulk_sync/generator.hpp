// Generated users for `permit-bulk-sync --generate N`: realistic enough to exercise the API (names,
// attributes, a few tenants of unequal size, one or two roles), and a pure function of
// (index, seed), so that a later run or a verifier can recompute user i without storing it.
#pragma once

#include <permit/models/user.hpp>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value_from.hpp>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

namespace permit_bulk_sync {

namespace detail {

template <std::size_t N>
struct weighted_names {
    std::array<std::string_view, N> names;
    std::array<unsigned, N> weights;
};

// Tenants of unequal size, as in a real customer base: the first has about a third of the users.
inline constexpr weighted_names<8> generated_tenant_table{
    {"acme-corp", "globex", "initech", "umbrella-health", "stark-industries", "wayne-enterprises",
     "hooli", "wonka-foods"},
    {30, 20, 15, 10, 10, 6, 5, 4}};

inline constexpr weighted_names<3> generated_role_table{{"viewer", "editor", "admin"},
                                                        {60, 30, 10}};

inline constexpr weighted_names<3> generated_plan_table{{"free", "pro", "enterprise"},
                                                        {50, 35, 15}};

inline constexpr std::array<std::string_view, 16> generated_first_names{
    "Olivia", "Liam",  "Emma",  "Noah",  "Ava",   "Mateo", "Sofia", "Lucas",
    "Mia",    "Ethan", "Amara", "Kenji", "Priya", "Omar",  "Lena",  "Diego"};

inline constexpr std::array<std::string_view, 16> generated_last_names{
    "Smith",  "Johnson", "Garcia", "Martinez", "Brown", "Nguyen", "Kim",   "Patel",
    "Okafor", "Schmidt", "Rossi",  "Dubois",   "Silva", "Tanaka", "Cohen", "Larsen"};

inline constexpr std::array<std::string_view, 10> generated_countries{"US", "GB", "DE", "FR", "IN",
                                                                      "BR", "JP", "CA", "AU", "NG"};

// The splitmix64 finaliser: a bijection that spreads every input bit over the output.
inline constexpr std::uint64_t mix64(std::uint64_t z) noexcept {
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

// The random choices for one user: a splitmix64 stream keyed by (seed, index). Only integer
// arithmetic, no std::*_distribution (whose results differ between standard libraries), so the
// same user comes out on every platform.
class user_dice {
  public:
    user_dice(std::uint64_t index, std::uint64_t seed) noexcept
        : state_(mix64(seed ^ mix64(index + 0x9e3779b97f4a7c15u))) {}

    std::uint64_t next() noexcept {
        state_ += 0x9e3779b97f4a7c15u;
        return mix64(state_);
    }

    // Uniform enough below n: the modulo bias is under n / 2^64.
    std::size_t below(std::size_t n) noexcept { return static_cast<std::size_t>(next() % n); }

    // An index drawn by weight, ignoring the entry `excluded` (pass N to exclude none).
    template <std::size_t N>
    std::size_t pick(const weighted_names<N>& table, std::size_t excluded = N) noexcept {
        unsigned total = 0;
        for (std::size_t i = 0; i < N; ++i)
            if (i != excluded) total += table.weights[i];
        auto roll = static_cast<unsigned>(below(total));
        for (std::size_t i = 0; i < N; ++i) {
            if (i == excluded) continue;
            if (roll < table.weights[i]) return i;
            roll -= table.weights[i];
        }
        return N - 1;  // unreachable: the rolls above cover [0, total)
    }

  private:
    std::uint64_t state_;
};

inline std::string lowercase(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(), [](char c) {
        return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
    });
    return out;
}

}  // namespace detail

/// The tenant keys the generator assigns users to, largest first.
inline std::vector<std::string> generated_tenants() {
    const auto& names = detail::generated_tenant_table.names;
    return {names.begin(), names.end()};
}

/// The roles the generator assigns, most frequent first.
inline std::vector<std::string> generated_roles() {
    const auto& names = detail::generated_role_table.names;
    return {names.begin(), names.end()};
}

/// User number `index` of the data set `seed`, the same on every call, run and platform: key
/// `user-000042`, email `first.last42@<tenant>.example.com` (a reserved domain, so nobody gets
/// mail), first and last names, attributes `plan`, `signup_year` and `country`, and one tenant
/// with one role (viewer, editor or admin, in decreasing frequency) or, for about one user in
/// four, two.
inline permit::user_create generated_user(std::uint64_t index, std::uint64_t seed = 1) {
    detail::user_dice dice(index, seed);
    const auto first =
        detail::generated_first_names[dice.below(detail::generated_first_names.size())];
    const auto last = detail::generated_last_names[dice.below(detail::generated_last_names.size())];
    const auto tenant =
        detail::generated_tenant_table.names[dice.pick(detail::generated_tenant_table)];

    char key[32];
    std::snprintf(key, sizeof key, "user-%06llu", static_cast<unsigned long long>(index));

    permit::user_create user{.key = key,
                             .email = detail::lowercase(first) + "." + detail::lowercase(last) +
                                      std::to_string(index) + "@" + std::string(tenant) +
                                      ".example.com",
                             .first_name = std::string(first),
                             .last_name = std::string(last)};
    user.attributes["plan"] =
        detail::generated_plan_table.names[dice.pick(detail::generated_plan_table)];
    user.attributes["signup_year"] = 2015 + static_cast<int>(dice.below(10));
    user.attributes["country"] =
        detail::generated_countries[dice.below(detail::generated_countries.size())];

    const auto& roles = detail::generated_role_table;
    const std::size_t role = dice.pick(roles);
    user.role_assignments.push_back(
        {.role = std::string(roles.names[role]), .tenant = std::string(tenant)});
    if (dice.below(4) == 0)
        user.role_assignments.push_back({.role = std::string(roles.names[dice.pick(roles, role)]),
                                         .tenant = std::string(tenant)});
    return user;
}

/// `user` as one line of JSON Lines (without the newline), in the form `parse_json_line` reads:
/// `tenant` and `roles` when every assignment is a tenant-level role in the same tenant (the
/// common case, and easy to read), `role_assignments` otherwise.
inline std::string json_line(const permit::user_create& user) {
    boost::json::object out;
    out["key"] = user.key;
    if (user.email) out["email"] = *user.email;
    if (user.first_name) out["first_name"] = *user.first_name;
    if (user.last_name) out["last_name"] = *user.last_name;
    if (!user.attributes.empty()) out["attributes"] = user.attributes;

    const auto& assignments = user.role_assignments;
    const bool flat = std::all_of(assignments.begin(), assignments.end(), [&](const auto& a) {
        return !a.resource_instance && a.tenant == assignments.front().tenant;
    });
    if (flat && !assignments.empty()) {
        if (assignments.front().tenant) out["tenant"] = *assignments.front().tenant;
        boost::json::array roles;
        for (const auto& a : assignments) roles.emplace_back(a.role);
        out["roles"] = std::move(roles);
    } else if (!assignments.empty()) {
        out["role_assignments"] = boost::json::value_from(assignments);
    }
    return boost::json::serialize(out);
}

}  // namespace permit_bulk_sync
