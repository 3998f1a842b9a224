// Fuzz target: arbitrary bytes as what a client sends the emulator on one connection, read with
// the server's limits, each request then decided (rate limit, faults) and answered by the router
// against a seeded environment, and the reply written as the server writes it.
#include "fuzz_target.hpp"
#include "read_message.hpp"

#include <permit/testing/detail/fault_plan.hpp>
#include <permit/testing/detail/router.hpp>
#include <permit/testing/detail/sliding_window.hpp>
#include <permit/testing/emulator_config.hpp>

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>

namespace permit_fuzz::emulator_request {

namespace bhttp = boost::beast::http;
namespace td = permit::testing::detail;

// The server's limits, but a 1 MiB body limit instead of 8 MiB: a Content-Length the fuzzer
// invents makes the parser reserve that much, and the limit is checked the same way.
inline constexpr std::size_t body_limit = 1024 * 1024;
// Requests per input: enough for a create, a read and a delete of the same object.
inline constexpr int max_requests = 8;

inline permit::testing::emulator_config make_config() {
    permit::testing::emulator_config config;
    config.initial_state = boost::json::parse(R"({
        "resources":[{"key":"document","name":"Document","actions":{"read":{},"write":{}},
                      "attributes":{"owner":{"type":"string"}}}],
        "roles":[{"key":"editor","name":"Editor","permissions":["document:write"],
                  "extends":["viewer"]},
                 {"key":"viewer","name":"Viewer","permissions":["document:read"]}],
        "tenants":[{"key":"acme","name":"Acme","attributes":{"plan":"pro"}}],
        "users":[{"key":"ann","email":"ann@example.com",
                  "role_assignments":[{"role":"editor","tenant":"acme"}]},
                 {"key":"bob","role_assignments":[{"role":"viewer"}]}],
        "role_assignments":[{"user":"bob","role":"editor","tenant":"acme"}]})");
    config.rate_limits.enabled = true;
    config.rate_limits.writes_per_minute = 6;
    config.rate_limits.deletes_per_minute = 3;
    config.rate_limits.bulk_per_10_minutes = 2;
    // Rules that match but never fire: the patterns are tried on every path, and every reply
    // still comes from the router.
    config.faults = {{.method = "*", .path = "/v2/**/bulk/*", .rate = 0.0},
                     {.method = "PUT", .path = "/v2/facts/*/*/users/*", .rate = 0.0},
                     {.method = "*", .path = "/allowed**", .rate = 0.0}};
    return config;
}

// One router for the program (it keeps a reference to the configuration), and a copy of its
// seeded state that every input starts from: the state stays bounded and an input replays alike.
struct emulator {
    permit::testing::emulator_config config = make_config();
    td::router router{config};
    td::state pristine = router.data();
};

// The server's answer(): what to_response() puts on the wire for a reply.
std::string write_reply(const td::reply& r, const bhttp::request<bhttp::string_body>& req) {
    bhttp::response<bhttp::string_body> res{static_cast<bhttp::status>(r.status), req.version()};
    res.set(bhttp::field::server, "permit-emulator");
    if (r.text) {
        res.set(bhttp::field::content_type, "text/plain; charset=utf-8");
        res.body() = *r.text;
    } else if (r.status != 204) {
        res.set(bhttp::field::content_type, "application/json");
        res.body() = boost::json::serialize(r.body);
    }
    for (const auto& [name, value] : r.headers) res.set(name, value);
    res.keep_alive(req.keep_alive());
    res.prepare_payload();
    std::ostringstream out;
    out << res;
    return std::move(out).str();
}

}  // namespace permit_fuzz::emulator_request

// The first byte is how many bytes each read returns (0: all); the rest is the connection's.
PERMIT_FUZZ_TARGET(emulator_request) {
    using namespace permit_fuzz::emulator_request;
    static emulator emu;
    if (size == 0) return 0;
    const std::size_t piece = data[0];
    std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);

    emu.router.data() = emu.pristine;
    td::rate_limiter limiter(emu.config.rate_limits);
    td::fault_plan faults(emu.config.faults, emu.config.seed);
    auto now = std::chrono::steady_clock::time_point{} + std::chrono::hours(1);

    std::string buffer;
    for (int i = 0; i < max_requests; ++i) {
        // The server's session(): a parser per request, the connection's buffer kept.
        bhttp::request_parser<bhttp::string_body> parser;
        parser.header_limit(static_cast<std::uint32_t>(emu.config.max_header_bytes));
        parser.body_limit(std::min(emu.config.max_body_bytes, body_limit));
        if (permit_fuzz::read_message(parser, buffer, input, piece)) return 0;
        const auto& req = parser.get();

        // answer(), decide() and apply().
        const auto target = td::parse_target(req.target());
        if (!target) return 0;  // 400 and the connection closes
        const std::string method(req.method_string());
        auto route = emu.router.find(method, *target);
        now += std::chrono::seconds(5);
        const bool limited = target->path.starts_with("/v2/") &&
                             limiter.try_admit(method, target->path, now).has_value();
        if (!limited) (void)faults.decide(method, target->path);
        std::optional<std::string_view> auth;
        if (auto it = req.find(bhttp::field::authorization); it != req.end())
            auth = std::string_view(it->value());
        const auto reply =
            limited ? td::json_reply(429, nullptr)
                    : emu.router.handle(method, std::move(route), *target, auth, req.body());
        (void)write_reply(reply, req);
        if (!req.keep_alive()) return 0;
    }
    return 0;
}
