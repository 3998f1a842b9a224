// Fault rules, rate-limit settings and PDP settings from JSON, as `permit-emulator
// --faults/--rate-limits/--pdp` take them:
// `[{"method":"PUT","path":"/v2/facts/*/*/users/*","kind":"http_503","rate":0.2}]`,
// `{"enabled":true,"time_scale":60}` and `{"pdp_propagation_delay_ms":300}`.
#pragma once

#include <chrono>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/value.hpp>

#include <permit/testing/emulator_config.hpp>

namespace permit::testing {

/// Parses one fault rule. Throws `std::invalid_argument` naming the offending field.
inline fault_rule fault_rule_from_json(const boost::json::value& v) {
    if (!v.is_object()) throw std::invalid_argument("fault rule: expected a JSON object");
    const auto& o = v.get_object();
    fault_rule r;
    for (const auto& member : o) {
        // Named copies, not structured bindings: clang 14 cannot capture those in a lambda.
        const std::string_view key = member.key();
        const auto& value = member.value();
        auto need = [&](bool ok, const char* what) {
            if (!ok)
                throw std::invalid_argument("fault rule: '" + std::string(key) + "' must be " +
                                            what);
        };
        if (key == "method") {
            need(value.is_string(), "a string");
            r.method = value.get_string();
        } else if (key == "path") {
            need(value.is_string(), "a string");
            r.path = value.get_string();
        } else if (key == "kind") {
            need(value.is_string(), "a string");
            bool known = false;
            for (auto k : {fault_kind::http_429, fault_kind::http_500, fault_kind::http_502,
                           fault_kind::http_503, fault_kind::reset_before_apply,
                           fault_kind::reset_after_apply, fault_kind::truncated_body,
                           fault_kind::malformed_json, fault_kind::delay})
                if (value.get_string() == to_string(k)) {
                    r.kind = k;
                    known = true;
                }
            need(known,
                 "one of http_429, http_500, http_502, http_503, reset_before_apply, "
                 "reset_after_apply, "
                 "truncated_body, malformed_json, delay");
        } else if (key == "rate") {
            need(value.is_number() && value.to_number<double>() >= 0 &&
                     value.to_number<double>() <= 1,
                 "a number in [0, 1]");
            r.rate = value.to_number<double>();
        } else if (key == "retry_after") {
            need(value.is_int64() && value.get_int64() >= 0, "a whole number of seconds");
            r.retry_after = std::chrono::seconds(value.get_int64());
        } else if (key == "delay_ms") {
            need(value.is_int64() && value.get_int64() >= 0, "a whole number of milliseconds");
            r.delay = std::chrono::milliseconds(value.get_int64());
        } else if (key == "max_count") {
            need(value.is_int64() && value.get_int64() >= 0, "a non-negative integer");
            r.max_count = static_cast<std::uint64_t>(value.get_int64());
        } else if (key == "after") {
            need(value.is_int64() && value.get_int64() >= 0, "a non-negative integer");
            r.after = static_cast<std::uint64_t>(value.get_int64());
        } else {
            throw std::invalid_argument("fault rule: unknown field '" + std::string(key) + "'");
        }
    }
    return r;
}

/// Parses a list of fault rules (or a single rule).
inline std::vector<fault_rule> fault_rules_from_json(const boost::json::value& v) {
    std::vector<fault_rule> out;
    if (!v.is_array()) {
        out.push_back(fault_rule_from_json(v));
        return out;
    }
    for (const auto& item : v.get_array()) out.push_back(fault_rule_from_json(item));
    return out;
}

/// Parses rate-limit settings; the limits not given keep Permit's documented values, and the
/// limiter is enabled unless `"enabled": false` is given.
inline rate_limit_config rate_limits_from_json(const boost::json::value& v) {
    if (!v.is_object()) throw std::invalid_argument("rate limits: expected a JSON object");
    rate_limit_config c;
    c.enabled = true;
    for (const auto& member : v.get_object()) {
        const std::string_view key = member.key();
        const auto& value = member.value();
        auto count = [&]() -> std::uint32_t {
            if (!value.is_int64() || value.get_int64() < 0)
                throw std::invalid_argument("rate limits: '" + std::string(key) +
                                            "' must be a non-negative integer");
            return static_cast<std::uint32_t>(value.get_int64());
        };
        if (key == "enabled" && value.is_bool())
            c.enabled = value.get_bool();
        else if (key == "send_retry_after" && value.is_bool())
            c.send_retry_after = value.get_bool();
        else if (key == "time_scale" && value.is_number() && value.to_number<double>() > 0)
            c.time_scale = value.to_number<double>();
        else if (key == "all_per_minute")
            c.all_per_minute = count();
        else if (key == "writes_per_minute")
            c.writes_per_minute = count();
        else if (key == "deletes_per_minute")
            c.deletes_per_minute = count();
        else if (key == "bulk_per_10_minutes")
            c.bulk_per_10_minutes = count();
        else
            throw std::invalid_argument("rate limits: unknown or invalid field '" +
                                        std::string(key) + "'");
    }
    return c;
}

/// Reads PDP settings into `config`: `{"pdp_propagation_delay_ms": 300,
/// "pdp_facts_wait_timeout_ms": 10000, "pdp_facts_timeout_policy": "fail"}`, the fields of
/// `emulator_config` of the same names (milliseconds as whole numbers; a negative wait timeout
/// means no limit). Fields not given keep their values. Throws `std::invalid_argument` naming the
/// offending field.
inline void pdp_settings_from_json(const boost::json::value& v, emulator_config& config) {
    if (!v.is_object()) throw std::invalid_argument("pdp settings: expected a JSON object");
    for (const auto& member : v.get_object()) {
        const std::string_view key = member.key();
        const auto& value = member.value();
        auto fail = [&](const char* what) {
            throw std::invalid_argument("pdp settings: '" + std::string(key) + "' must be " + what);
        };
        if (key == "pdp_propagation_delay_ms") {
            if (!value.is_int64() || value.get_int64() < 0)
                fail("a non-negative whole number of milliseconds");
            config.pdp_propagation_delay = std::chrono::milliseconds(value.get_int64());
        } else if (key == "pdp_facts_wait_timeout_ms") {
            if (!value.is_int64()) fail("a whole number of milliseconds");
            config.pdp_facts_wait_timeout = std::chrono::milliseconds(value.get_int64());
        } else if (key == "pdp_facts_timeout_policy") {
            if (value.is_string() && value.get_string() == "ignore")
                config.pdp_facts_timeout_policy = facts_timeout_policy::ignore;
            else if (value.is_string() && value.get_string() == "fail")
                config.pdp_facts_timeout_policy = facts_timeout_policy::fail;
            else
                fail("\"ignore\" or \"fail\"");
        } else {
            throw std::invalid_argument("pdp settings: unknown field '" + std::string(key) + "'");
        }
    }
}

}  // namespace permit::testing
