// The PDP's facts proxy (https://docs.permit.io/how-to/manage-data/local-facts-uploader,
// permitio/PDP `horizon/facts/`), sans-io: which `/facts/<rest>` routes wait for the PDP to have
// the write, how the PDP reads `X-Wait-Timeout` and `X-Timeout-Policy`, and the PDP's own
// answers (400, 403, 424).
#pragma once

#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/value.hpp>

#include <permit/testing/detail/api_failure.hpp>
#include <permit/testing/detail/route_context.hpp>
#include <permit/testing/emulator_config.hpp>

namespace permit::testing::detail {

/// How long a facts write waits for the PDP, and what it answers when the wait runs out.
struct facts_sync {
    /// Nothing: until the PDP has the write. Zero: no wait at all.
    std::optional<std::chrono::nanoseconds> timeout;
    facts_timeout_policy policy = facts_timeout_policy::ignore;
};

/// Whether `method /facts/<rest>` is one of the routes that wait for the PDP (permitio/PDP
/// `horizon/facts/router.py`); every other `/facts` request is forwarded without waiting.
inline bool facts_route_waits(std::string_view method, const std::vector<std::string>& rest) {
    const auto n = rest.size();
    if (n == 1 && method == "POST")
        return rest[0] == "users" || rest[0] == "tenants" || rest[0] == "role_assignments" ||
               rest[0] == "resource_instances" || rest[0] == "relationship_tuples";
    if (n == 1 && method == "DELETE") return rest[0] == "role_assignments";
    if (n == 2 && method == "PUT") return rest[0] == "users";
    if (n == 2 && method == "PATCH") return rest[0] == "users" || rest[0] == "resource_instances";
    if (n == 3 && (method == "POST" || method == "DELETE"))
        return rest[0] == "users" && rest[2] == "roles";
    return false;
}

/// Python's `float(text)`: optional surrounding whitespace and sign, digits with single `_`
/// between them, an optional fraction and exponent, or `inf`/`infinity`/`nan` in any case.
inline std::optional<double> parse_python_float(std::string_view text) {
    auto space = [](char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
    };
    while (!text.empty() && space(text.front())) text.remove_prefix(1);
    while (!text.empty() && space(text.back())) text.remove_suffix(1);
    bool negative = false;
    if (!text.empty() && (text.front() == '+' || text.front() == '-')) {
        negative = text.front() == '-';
        text.remove_prefix(1);
    }
    auto lower = [](std::string_view s) {
        std::string out(s);
        for (auto& c : out)
            if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
        return out;
    };
    const auto word = lower(text);
    if (word == "inf" || word == "infinity") return negative ? -HUGE_VAL : HUGE_VAL;
    if (word == "nan") return std::nan("");

    // digits ('_' digits)*, as a run that may be empty; returns false on a misplaced '_'.
    std::string plain;
    std::size_t i = 0;
    auto digits = [&](std::size_t& count) {
        count = 0;
        while (i < text.size()) {
            const char c = text[i];
            if (c >= '0' && c <= '9') {
                plain += c;
                ++count;
                ++i;
            } else if (c == '_' && count > 0 && i + 1 < text.size() && text[i + 1] >= '0' &&
                       text[i + 1] <= '9') {
                ++i;
            } else {
                break;
            }
        }
        return i >= text.size() || text[i] != '_';
    };
    std::size_t whole = 0, fraction = 0, exponent = 0;
    if (!digits(whole)) return std::nullopt;
    if (i < text.size() && text[i] == '.') {
        plain += '.';
        ++i;
        if (!digits(fraction)) return std::nullopt;
    }
    if (whole + fraction == 0) return std::nullopt;
    if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
        plain += 'e';
        ++i;
        if (i < text.size() && (text[i] == '+' || text[i] == '-')) plain += text[i++];
        if (!digits(exponent) || exponent == 0) return std::nullopt;
    }
    if (i != text.size()) return std::nullopt;
    double value = 0;
    const auto [end, ec] = std::from_chars(plain.data(), plain.data() + plain.size(), value);
    if (ec == std::errc::result_out_of_range) {
        // Python rounds an overflow to infinity and an underflow to zero.
        bool big = false;
        if (const auto e = plain.find('e'); e != std::string::npos)
            big = plain.find('-', e) == std::string::npos;
        else
            big = true;
        value = big ? HUGE_VAL : 0.0;
    } else if (ec != std::errc{} || end != plain.data() + plain.size()) {
        return std::nullopt;
    }
    return negative ? -value : value;
}

/// Python's `repr()` of a header value (decoded as Latin-1, as Starlette decodes headers), for
/// the PDP's 400 messages: `'abc'`, or `"it's"` when the value holds a `'` and no `"`.
inline std::string python_repr(std::string_view text) {
    const bool has_single = text.find('\'') != std::string_view::npos;
    const bool has_double = text.find('"') != std::string_view::npos;
    const char quote = has_single && !has_double ? '"' : '\'';
    std::string out(1, quote);
    for (const char ch : text) {
        const auto c = static_cast<unsigned char>(ch);
        char hex[8];
        if (c == '\\' || c == static_cast<unsigned char>(quote)) {
            out += '\\';
            out += ch;
        } else if (c == '\n') {
            out += "\\n";
        } else if (c == '\r') {
            out += "\\r";
        } else if (c == '\t') {
            out += "\\t";
        } else if (c < 0x20 || (c >= 0x7f && c <= 0xa0) || c == 0xad) {
            std::snprintf(hex, sizeof hex, "\\x%02x", c);
            out += hex;
        } else if (c < 0x80) {
            out += ch;
        } else {  // a printable Latin-1 character, as UTF-8
            out += static_cast<char>(0xc0 | (c >> 6));
            out += static_cast<char>(0x80 | (c & 0x3f));
        }
    }
    out += quote;
    return out;
}

/// A 400 from the PDP: FastAPI's `{"detail": "..."}`.
inline api_failure facts_bad_header(std::string detail) {
    return {400, boost::json::object{{"detail", std::move(detail)}}};
}

/// Reads `X-Wait-Timeout` and `X-Timeout-Policy` as the PDP does (permitio/PDP horizon
/// `facts/dependencies.py`), with `default_timeout` and `default_policy` for an absent header
/// (the PDP's `PDP_LOCAL_FACTS_WAIT_TIMEOUT` and `PDP_LOCAL_FACTS_TIMEOUT_POLICY`; a negative
/// `default_timeout` means no limit). Throws `api_failure` 400 for a value the PDP refuses.
///
/// `X-Wait-Timeout`: seconds as Python's `float()` reads them; `0` does not wait, a negative or
/// empty value waits until the PDP has the write, anything else that is not a float is a 400.
/// [UNCONFIRMED] `inf` waits without limit, and so does any value over 10^9 s (a limit no test
/// could tell from none). `nan` is a float to Python, so not a 400; asyncio's `wait_for` with a
/// NaN timeout times out at once, so here it waits like `0`.
/// `X-Timeout-Policy`: `ignore` or `fail` in any case; anything else, the empty value included,
/// is a 400 (horizon lower-cases the value and looks it up in its enum).
/// [UNCONFIRMED] The 400 messages are horizon's: `Invalid X-Wait-timeout header, expected float,
/// got 'abc'` and `Invalid X-Timeout-Policy header, expected one of ['ignore', 'fail'], got
/// 'sometimes'` (permitio/PDP `horizon/facts/dependencies.py`).
inline facts_sync read_facts_sync_headers(std::optional<std::string_view> wait_timeout,
                                          std::optional<std::string_view> policy,
                                          std::chrono::milliseconds default_timeout,
                                          facts_timeout_policy default_policy) {
    facts_sync out;
    out.policy = default_policy;
    if (!wait_timeout) {
        if (default_timeout.count() >= 0) out.timeout = default_timeout;
    } else if (!wait_timeout->empty()) {
        const auto seconds = parse_python_float(*wait_timeout);
        if (!seconds)
            throw facts_bad_header("Invalid X-Wait-timeout header, expected float, got " +
                                   python_repr(*wait_timeout));
        if (std::isnan(*seconds))
            out.timeout = std::chrono::nanoseconds(0);
        else if (*seconds >= 0 && *seconds <= 1e9)
            out.timeout = std::chrono::nanoseconds(std::llround(*seconds * 1e9));
        // negative, infinite or over 10^9 s: no limit
    }
    if (policy) {
        std::string folded(*policy);
        for (auto& c : folded)
            if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
        if (folded == "ignore")
            out.policy = facts_timeout_policy::ignore;
        else if (folded == "fail")
            out.policy = facts_timeout_policy::fail;
        else
            throw facts_bad_header(
                "Invalid X-Timeout-Policy header, expected one of ['ignore', 'fail'], got " +
                python_repr(*policy));
    }
    return out;
}

/// The PDP's 403 when its key is not an environment-level key (horizon `facts/client.py`).
inline reply facts_environment_key_required() {
    return json_reply(403,
                      boost::json::object{{"detail", "PDP API Key for environment is required."}});
}

/// The PDP's 424 for a write it did not have within `X-Wait-Timeout`, under the `fail` policy.
inline reply facts_sync_timed_out() {
    return json_reply(424,
                      boost::json::object{{"detail", "Timeout waiting for update to be received"}});
}

}  // namespace permit::testing::detail
