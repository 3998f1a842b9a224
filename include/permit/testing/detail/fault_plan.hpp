// Seeded fault decisions (sans-io): which request gets which fault.
#pragma once

#include <cstdint>
#include <optional>
#include <random>
#include <string_view>
#include <vector>

#include <permit/testing/detail/path_pattern.hpp>
#include <permit/testing/emulator_config.hpp>

namespace permit::testing::detail {

class fault_plan {
  public:
    fault_plan(std::vector<fault_rule> rules, std::uint64_t seed) : rng_(seed) {
        set_rules(std::move(rules));
    }

    void set_rules(std::vector<fault_rule> rules) {
        rules_.clear();
        for (auto& r : rules) rules_.push_back({std::move(r), 0, 0});
    }

    /// The fault for this request, if any. Only matching rules draw from the random source, so
    /// the same sequence of requests gets the same faults for the same seed.
    std::optional<fault_rule> decide(std::string_view method, std::string_view path) {
        for (auto& r : rules_) {
            if (r.rule.method != "*" && r.rule.method != method) continue;
            if (!path_matches(r.rule.path, path)) continue;
            if (++r.matched <= r.rule.after) continue;
            if (r.rule.max_count && r.fired >= *r.rule.max_count) continue;
            if (std::uniform_real_distribution<double>(0.0, 1.0)(rng_) >= r.rule.rate) continue;
            ++r.fired;
            return r.rule;
        }
        return std::nullopt;
    }

  private:
    struct rule_state {
        fault_rule rule;
        std::uint64_t matched;
        std::uint64_t fired;
    };
    std::vector<rule_state> rules_;
    std::mt19937_64 rng_;
};

}  // namespace permit::testing::detail
