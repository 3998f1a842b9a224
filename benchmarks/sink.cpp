// A benchmark-only HTTP server that answers the requests of the benchmark scenarios as the emulator
// does, at the least cost it can, so that a client's own cost per request is what a run measures.
// It keeps no state beyond counters: every request body is parsed fully as JSON (a body that is not
// JSON, or not the route's shape, gets 422 as the emulator answers it) and its items counted.
//
//   bench-sink [--port N] [--threads N]     serve on 127.0.0.1 (port 0, the default, picks a free
//                                           one); prints "listening on http://127.0.0.1:PORT"
//   bench-sink --self-test                  prints the CPU per item of parsing, counting and
//                                           answering a 3,000-user PUT /bulk/users and a
//                                           POST /allowed, in-process, one JSON line each
//
// Routes (the project and environment segments are not checked):
//   GET  /v2/api-key/scope                             the emulator's scope shape
//   PUT  /v2/facts/{p}/{e}/bulk/users                  {} (counts operations)
//   POST /v2/facts/{p}/{e}/bulk/users                  {} (counts operations)
//   POST /v2/facts/{p}/{e}/bulk/tenants                {} (counts operations)
//   POST /v2/facts/{p}/{e}/role_assignments/bulk       {"assignments_created":N}
//   POST /v2/facts/{p}/{e}/users                       201, the user read
//   PUT  /v2/facts/{p}/{e}/users/{key}                 201, the user read
//   POST /v2/facts/{p}/{e}/role_assignments            200, the role assignment read
//   POST /allowed                                      {"allow":true,"result":true}
//   POST /allowed/bulk                                 {"allow":[...]}, one allowed per check
//   GET  /v2/schema/{p}/{e}/roles/{key}                the role read: every role exists (the
//   GET  /v2/schema/{p}/{e}/resources/{r}/roles/{key}  bulk pipeline looks a role up once)
//   GET  /sink/counts                                  the counters, as JSON (no auth)
//   POST /sink/reset                                   zeroes the counters (no auth)
// Every other route gets 404. Routes other than /sink/* need `Authorization: Bearer ...` (401).
// Shapes and statuses are those of https://api.permit.io/v2/redoc (facts: users, bulk
// operations, role assignments) and the PDP's /allowed (https://docs.permit.io/concepts/pdp/).
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/json/monotonic_resource.hpp>
#include <boost/json/parser.hpp>
#include <boost/json/value.hpp>

#include <time.h>

#include <array>
#include <atomic>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace json = boost::json;
using tcp = asio::ip::tcp;

namespace {

constexpr std::string_view organization_id = "7c60d51f-b44e-4682-87d6-449835ea4de6";
constexpr std::string_view project_id = "405d8375-3514-403b-8c43-83ae74cfe0e9";
constexpr std::string_view environment_id = "40ef0e48-a11f-4963-a229-e396c9f7e7c4";
constexpr std::string_view fixed_time = "2026-01-01T00:00:00.000000Z";

enum route : int {
    scope,
    bulk_users_replace,
    bulk_users_create,
    bulk_tenants,
    role_assignments_bulk,
    users_create,
    users_sync,
    role_assign,
    allowed,
    allowed_bulk,
    role_get,
    resource_role_get,
    route_count,
    sink_counts = route_count,
    sink_reset,
    not_found,
};

constexpr std::array<std::string_view, route_count> route_names{
    "GET /v2/api-key/scope",
    "PUT /v2/facts/{proj_id}/{env_id}/bulk/users",
    "POST /v2/facts/{proj_id}/{env_id}/bulk/users",
    "POST /v2/facts/{proj_id}/{env_id}/bulk/tenants",
    "POST /v2/facts/{proj_id}/{env_id}/role_assignments/bulk",
    "POST /v2/facts/{proj_id}/{env_id}/users",
    "PUT /v2/facts/{proj_id}/{env_id}/users/{user_id}",
    "POST /v2/facts/{proj_id}/{env_id}/role_assignments",
    "POST /allowed",
    "POST /allowed/bulk",
    "GET /v2/schema/{proj_id}/{env_id}/roles/{role_id}",
    "GET /v2/schema/{proj_id}/{env_id}/resources/{resource_id}/roles/{role_id}",
};

/// Requests and items per route of one thread: written by that thread only (a load and a store,
/// no locked instruction), read by any thread answering /sink/counts.
struct alignas(64) counters {
    std::array<std::atomic<std::uint64_t>, route_count> requests{};
    std::array<std::atomic<std::uint64_t>, route_count> items{};
    void add(int r, std::uint64_t n) {
        requests[r].store(requests[r].load(std::memory_order_relaxed) + 1,
                          std::memory_order_relaxed);
        items[r].store(items[r].load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
    }
};

/// The path of `target` (no query string) split after `prefix`, or empty when it does not start so.
bool consume(std::string_view& path, std::string_view prefix) {
    if (!path.starts_with(prefix)) return false;
    path.remove_prefix(prefix.size());
    return true;
}

/// Removes `{proj_id}/{env_id}/` from the front of `path`.
bool skip_project_environment(std::string_view& path) {
    for (int segment = 0; segment < 2; ++segment) {
        const auto slash = path.find('/');
        if (slash == 0 || slash == std::string_view::npos) return false;
        path.remove_prefix(slash + 1);
    }
    return true;
}

/// A last path segment: not empty, no slash.
bool is_segment(std::string_view s) {
    return !s.empty() && s.find('/') == std::string_view::npos;
}

/// The route of a request, the `{key}` segment of `PUT .../users/{key}` or of a role, and the
/// `{resource}` segment of a resource role.
route find_route(http::verb method, std::string_view target, std::string_view& key,
                 std::string_view& resource) {
    std::string_view path = target.substr(0, target.find('?'));
    const bool get = method == http::verb::get, post = method == http::verb::post,
               put = method == http::verb::put;
    if (path == "/allowed") return post ? allowed : not_found;
    if (path == "/allowed/bulk") return post ? allowed_bulk : not_found;
    if (path == "/v2/api-key/scope") return get ? scope : not_found;
    if (path == "/sink/counts") return get ? sink_counts : not_found;
    if (path == "/sink/reset") return post ? sink_reset : not_found;
    if (consume(path, "/v2/schema/")) {
        if (!get || !skip_project_environment(path)) return not_found;
        if (consume(path, "roles/") && is_segment(path)) {
            key = path;
            return role_get;
        }
        if (!consume(path, "resources/")) return not_found;
        const auto slash = path.find('/');
        if (slash == 0 || slash == std::string_view::npos) return not_found;
        resource = path.substr(0, slash);
        path.remove_prefix(slash + 1);
        if (!consume(path, "roles/") || !is_segment(path)) return not_found;
        key = path;
        return resource_role_get;
    }
    if (!consume(path, "/v2/facts/") || !skip_project_environment(path)) return not_found;
    if (path == "bulk/users")
        return put ? bulk_users_replace : post ? bulk_users_create : not_found;
    if (path == "bulk/tenants") return post ? bulk_tenants : not_found;
    if (path == "role_assignments/bulk") return post ? role_assignments_bulk : not_found;
    if (path == "role_assignments") return post ? role_assign : not_found;
    if (path == "users") return post ? users_create : not_found;
    if (consume(path, "users/") && is_segment(path)) {
        key = path;
        return put ? users_sync : not_found;
    }
    return not_found;
}

/// Appends `s` to `out` as a JSON string (quotes included).
void append_json_string(std::string& out, std::string_view s) {
    out += '"';
    for (const char c : s) {
        switch (c) {
            case '"':
                out += "\\\"";
                break;
            case '\\':
                out += "\\\\";
                break;
            case '\n':
                out += "\\n";
                break;
            case '\r':
                out += "\\r";
                break;
            case '\t':
                out += "\\t";
                break;
            default:
                if (static_cast<unsigned char>(c) < 0x20) {
                    char hex[8];
                    std::snprintf(hex, sizeof hex, "\\u%04x", unsigned(c));
                    out += hex;
                } else {
                    out += c;
                }
        }
    }
    out += '"';
}

void append_number(std::string& out, std::uint64_t n) {
    char digits[24];
    const auto end = std::to_chars(digits, digits + sizeof digits, n).ptr;
    out.append(digits, end);
}

/// `"name":value` for a string member of `o`, when it has one.
void append_string_member(std::string& out, const json::object& o, std::string_view name) {
    const auto* v = o.if_contains(name);
    if (!v || !v->is_string()) return;
    out += ",\"";
    out += name;
    out += "\":";
    append_json_string(out, v->get_string());
}

/// One thread's reusable state: the parser, the arena its DOM lives in, the response buffer.
/// Used by one request at a time (a request is parsed and answered without suspending).
class handler {
  public:
    explicit handler(std::vector<counters>* all, counters& own)
        : all_(all), own_(own), arena_(new unsigned char[arena_size]) {}

    /// Writes the whole HTTP response to `request` into `out` (cleared first).
    void answer(http::verb method, std::string_view target, bool authorized, bool keep_alive,
                std::string_view body, std::string& out) {
        body_.clear();
        const int status = respond(method, target, authorized, body);
        out.clear();
        out += "HTTP/1.1 ";
        out += status == 200   ? "200 OK"
               : status == 201 ? "201 Created"
               : status == 401 ? "401 Unauthorized"
               : status == 404 ? "404 Not Found"
                               : "422 Unprocessable Entity";
        out += "\r\nServer: bench-sink\r\nContent-Type: application/json\r\nContent-Length: ";
        append_number(out, body_.size());
        if (!keep_alive) out += "\r\nConnection: close";
        out += "\r\n\r\n";
        out += body_;
    }

  private:
    static constexpr std::size_t arena_size = 8 << 20;

    int respond(http::verb method, std::string_view target, bool authorized,
                std::string_view body) {
        std::string_view key, resource;
        const route r = find_route(method, target, key, resource);
        if (r == not_found) {
            body_ =
                R"({"error_code":"NOT_FOUND","title":"We could not find the requested object/s",)"
                R"("message":"No such route in bench-sink."})";
            return 404;
        }
        if (r == sink_counts) return write_counts();
        if (r == sink_reset) {
            for (auto& c : *all_)
                for (int i = 0; i < route_count; ++i) c.requests[i] = 0, c.items[i] = 0;
            body_ = "{}";
            return 200;
        }
        if (!authorized) {
            body_ =
                R"({"error_code":"UNAUTHORIZED","title":"You are not authorized to perform this )"
                R"(request","message":"Missing or malformed Authorization header: expected )"
                R"('Authorization: Bearer <API key>'."})";
            return 401;
        }
        if (r == role_get || r == resource_role_get) return write_role(r, key, resource);
        if (r == scope) {
            own_.add(r, 0);
            body_ = R"({"organization_id":")";
            body_ += organization_id;
            body_ += R"(","project_id":")";
            body_ += project_id;
            body_ += R"(","environment_id":")";
            body_ += environment_id;
            body_ += "\"}";
            return 200;
        }
        // The DOM lives in the arena while this request is answered; the parser keeps its stack.
        json::monotonic_resource mr(arena_.get(), arena_size);
        parser_.reset(&mr);
        boost::system::error_code ec;
        parser_.write(body.data(), body.size(), ec);
        if (ec)
            return invalid("body", "Expecting value: " + ec.message(), "value_error.jsondecode");
        const json::value doc = parser_.release();
        return route_body(r, key, doc);
    }

    int route_body(route r, std::string_view url_key, const json::value& doc) {
        switch (r) {
            case bulk_users_replace:
            case bulk_users_create:
            case bulk_tenants: {
                const auto* o = doc.if_object();
                if (!o) return invalid("body", "value is not a valid dict", "type_error.dict");
                const auto* ops = o->if_contains("operations");
                if (!ops) return invalid("operations", "field required", "value_error.missing");
                if (!ops->is_array())
                    return invalid("operations", "value is not a valid list", "type_error.list");
                for (const auto& op : ops->get_array()) {
                    const auto* item = op.if_object();
                    if (!item || !item->contains("key"))
                        return invalid("operations", "each operation needs a key",
                                       "value_error.missing");
                }
                own_.add(r, ops->get_array().size());
                body_ = "{}";
                return 200;
            }
            case role_assignments_bulk: {
                const auto* a = doc.if_array();
                if (!a) return invalid("body", "value is not a valid list", "type_error.list");
                for (const auto& v : *a)
                    if (!is_assignment(v))
                        return invalid("body", "each item needs user, role and tenant",
                                       "value_error.missing");
                own_.add(r, a->size());
                body_ = R"({"assignments_created":)";
                append_number(body_, a->size());
                body_ += '}';
                return 200;
            }
            case users_create:
            case users_sync: {
                const auto* o = doc.if_object();
                if (!o) return invalid("body", "value is not a valid dict", "type_error.dict");
                const auto* k = o->if_contains("key");
                if (r == users_create && (!k || !k->is_string()))
                    return invalid("key", "field required", "value_error.missing");
                own_.add(r, 1);
                body_ = R"({"key":)";
                if (k && k->is_string())
                    append_json_string(body_, k->get_string());
                else
                    append_json_string(body_, url_key);  // as it came in the path
                body_ += R"(,"id":"00000000-0000-4000-8000-000000000000","organization_id":")";
                body_ += organization_id;
                body_ += R"(","project_id":")";
                body_ += project_id;
                body_ += R"(","environment_id":")";
                body_ += environment_id;
                body_ += R"(","associated_tenants":[],"roles":[],"created_at":")";
                body_ += fixed_time;
                body_ += R"(","updated_at":")";
                body_ += fixed_time;
                body_ += '"';
                append_string_member(body_, *o, "email");
                append_string_member(body_, *o, "first_name");
                append_string_member(body_, *o, "last_name");
                body_ += R"(,"attributes":{}})";
                return 201;
            }
            case role_assign: {
                if (!is_assignment(doc))
                    return invalid("body", "user, role and tenant are required",
                                   "value_error.missing");
                own_.add(r, 1);
                const auto& o = doc.get_object();
                body_ = R"({"id":"00000000-0000-4000-8000-000000000000")";
                append_string_member(body_, o, "user");
                append_string_member(body_, o, "role");
                append_string_member(body_, o, "tenant");
                body_ +=
                    R"(,"user_id":"00000000-0000-4000-8000-000000000001",)"
                    R"("role_id":"00000000-0000-4000-8000-000000000002",)"
                    R"("tenant_id":"00000000-0000-4000-8000-000000000003","organization_id":")";
                body_ += organization_id;
                body_ += R"(","project_id":")";
                body_ += project_id;
                body_ += R"(","environment_id":")";
                body_ += environment_id;
                body_ += R"(","created_at":")";
                body_ += fixed_time;
                body_ += "\"}";
                return 200;
            }
            case allowed: {
                if (!is_check(doc))
                    return invalid("body", "user, action and resource are required",
                                   "value_error.missing");
                own_.add(r, 1);
                body_ = R"({"allow":true,"result":true})";
                return 200;
            }
            case allowed_bulk: {
                // A list of checks, or {"checks":[...]}.
                const json::array* checks = doc.if_array();
                if (!checks)
                    if (const auto* o = doc.if_object())
                        if (const auto* c = o->if_contains("checks")) checks = c->if_array();
                if (!checks) return invalid("body", "value is not a valid list", "type_error.list");
                for (const auto& c : *checks)
                    if (!is_check(c))
                        return invalid("body", "user, action and resource are required",
                                       "value_error.missing");
                own_.add(r, checks->size());
                body_ = R"({"allow":[)";
                for (std::size_t i = 0; i < checks->size(); ++i) {
                    if (i) body_ += ',';
                    body_ += R"({"allow":true,"result":true})";
                }
                body_ += "]}";
                return 200;
            }
            default:
                return 404;
        }
    }

    static bool is_assignment(const json::value& v) {
        const auto* o = v.if_object();
        if (!o) return false;
        for (const std::string_view f : {"user", "role", "tenant"}) {
            const auto* m = o->if_contains(f);
            if (!m || !m->is_string()) return false;
        }
        return true;
    }

    /// A check names a user (a key, or an object with one), an action and a resource (a type
    /// string, or an object with one).
    static bool is_check(const json::value& v) {
        const auto* o = v.if_object();
        if (!o) return false;
        const auto* user = o->if_contains("user");
        const auto* action = o->if_contains("action");
        const auto* resource = o->if_contains("resource");
        return user && (user->is_string() || user->is_object()) && action && action->is_string() &&
               resource && (resource->is_string() || resource->is_object());
    }

    /// The role read of https://api.permit.io/v2/redoc#tag/Roles/operation/get_role (and of
    /// a resource role), for a key as it came in the path.
    int write_role(route r, std::string_view key, std::string_view resource) {
        own_.add(r, 1);
        body_ = R"({"key":)";
        append_json_string(body_, key);
        body_ += R"(,"name":)";
        append_json_string(body_, key);
        body_ += R"(,"id":"00000000-0000-4000-8000-000000000002","organization_id":")";
        body_ += organization_id;
        body_ += R"(","project_id":")";
        body_ += project_id;
        body_ += R"(","environment_id":")";
        body_ += environment_id;
        if (r == resource_role_get) {
            body_ += R"(","resource_id":"00000000-0000-4000-8000-000000000004","resource":)";
            append_json_string(body_, resource);
            body_ += R"(,"created_at":")";
        } else {
            body_ += R"(","created_at":")";
        }
        body_ += fixed_time;
        body_ += R"(","updated_at":")";
        body_ += fixed_time;
        body_ += R"(","permissions":[],"extends":[]})";
        return 200;
    }

    /// 422 in the FastAPI shape the emulator answers.
    int invalid(std::string_view loc, std::string_view msg, std::string_view type) {
        body_ = R"({"detail":[{"loc":["body")";
        if (loc != "body") {
            body_ += ',';
            append_json_string(body_, loc);
        }
        body_ += R"(],"msg":)";
        append_json_string(body_, msg);
        body_ += R"(,"type":)";
        append_json_string(body_, type);
        body_ += "}]}";
        return 422;
    }

    int write_counts() {
        std::array<std::uint64_t, route_count> requests{}, items{};
        for (const auto& c : *all_)
            for (int i = 0; i < route_count; ++i) {
                requests[i] += c.requests[i].load(std::memory_order_relaxed);
                items[i] += c.items[i].load(std::memory_order_relaxed);
            }
        body_ = R"({"users":)";
        append_number(body_, items[bulk_users_replace] + items[bulk_users_create] +
                                 items[users_create] + items[users_sync]);
        body_ += R"(,"tenants":)";
        append_number(body_, items[bulk_tenants]);
        body_ += R"(,"role_assignments":)";
        append_number(body_, items[role_assignments_bulk] + items[role_assign]);
        body_ += R"(,"checks":)";
        append_number(body_, items[allowed] + items[allowed_bulk]);
        body_ += R"(,"routes":{)";
        bool first = true;
        for (int i = 0; i < route_count; ++i) {
            if (!first) body_ += ',';
            first = false;
            append_json_string(body_, route_names[i]);
            body_ += R"(:{"requests":)";
            append_number(body_, requests[i]);
            body_ += R"(,"items":)";
            append_number(body_, items[i]);
            body_ += '}';
        }
        body_ += "}}";
        return 200;
    }

    std::vector<counters>* all_;
    counters& own_;
    std::unique_ptr<unsigned char[]> arena_;
    json::parser parser_;
    std::string body_;
};

bool bearer(const http::request<http::string_body>& req) {
    const auto it = req.find(http::field::authorization);
    if (it == req.end()) return false;
    const std::string_view v = it->value();
    return v.size() > 7 && (v.starts_with("Bearer ") || v.starts_with("bearer "));
}

constexpr std::uint64_t body_limit = 256 << 20;

asio::awaitable<void> serve(tcp::socket socket, handler& h) {
    beast::flat_buffer buffer;
    std::string body_storage, out;
    for (;;) {
        http::request_parser<http::string_body> parser;
        parser.body_limit(body_limit);
        body_storage.clear();
        parser.get().body() = std::move(body_storage);  // keeps the capacity of the last body
        auto [ec, n] =
            co_await http::async_read(socket, buffer, parser, asio::as_tuple(asio::use_awaitable));
        if (ec) co_return;
        auto& req = parser.get();
        const bool keep_alive = req.keep_alive();
        h.answer(req.method(), req.target(), bearer(req), keep_alive, req.body(), out);
        body_storage = std::move(req.body());
        auto [wec, w] = co_await asio::async_write(socket, asio::buffer(out),
                                                   asio::as_tuple(asio::use_awaitable));
        if (wec || !keep_alive) co_return;
    }
}

/// One thread's io_context, handler and counters.
struct worker {
    asio::io_context ioc{1};
    std::unique_ptr<handler> h;
};

asio::awaitable<void> accept_loop(tcp::acceptor& acceptor,
                                  std::vector<std::unique_ptr<worker>>& ws) {
    for (std::size_t next = 0;; next = (next + 1) % ws.size()) {
        auto& w = *ws[next];
        auto [ec, socket] =
            co_await acceptor.async_accept(w.ioc, asio::as_tuple(asio::use_awaitable));
        if (ec) continue;
        socket.set_option(tcp::no_delay(true));
        asio::co_spawn(w.ioc, serve(std::move(socket), *w.h), asio::detached);
    }
}

double cpu_now() {
    timespec t{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return double(t.tv_sec) + double(t.tv_nsec) / 1e9;
}

/// Parses raw HTTP request bytes as the server does, and answers them; returns the status line.
std::string_view run_raw(handler& h, std::string_view raw, std::string& body_storage,
                         std::string& out) {
    http::request_parser<http::string_body> parser;
    parser.body_limit(body_limit);
    body_storage.clear();
    parser.get().body() = std::move(body_storage);
    boost::system::error_code ec;
    parser.eager(true);
    for (std::size_t used = 0; !ec && !parser.is_done() && used < raw.size();)
        used += parser.put(asio::buffer(raw.data() + used, raw.size() - used), ec);
    if (ec || !parser.is_done()) {
        std::cerr << "bench-sink: self-test request did not parse: " << ec.message() << '\n';
        std::exit(1);
    }
    auto& req = parser.get();
    h.answer(req.method(), req.target(), bearer(req), req.keep_alive(), req.body(), out);
    body_storage = std::move(req.body());
    return std::string_view(out).substr(0, out.find('\r'));
}

std::string raw_request(std::string_view method, std::string_view target, const std::string& body) {
    std::string raw(method);
    raw += ' ';
    raw += target;
    raw +=
        " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer permit_key_emulator\r\n"
        "Content-Type: application/json\r\nUser-Agent: bench\r\nContent-Length: ";
    raw += std::to_string(body.size());
    raw += "\r\n\r\n";
    raw += body;
    return raw;
}

int self_test() {
    std::vector<counters> all(1);
    handler h(&all, all[0]);
    std::string body_storage, out;
    auto measure = [&](std::string_view name, const std::string& raw, std::uint64_t items,
                       std::string_view expect_status, double min_seconds) {
        if (run_raw(h, raw, body_storage, out) != expect_status) {
            std::cerr << "bench-sink: " << name << " answered " << out << '\n';
            std::exit(1);
        }
        std::uint64_t iterations = 0;
        const double started = cpu_now();
        double now = started;
        while (now - started < min_seconds) {
            for (int i = 0; i < 16; ++i) run_raw(h, raw, body_storage, out);
            iterations += 16;
            now = cpu_now();
        }
        const double per_item_us = (now - started) * 1e6 / double(iterations * items);
        std::printf(
            "{\"case\":\"%.*s\",\"items\":%llu,\"request_bytes\":%zu,\"iterations\":%llu,"
            "\"cpu_per_item_us\":%.4f,\"cpu_per_request_us\":%.3f}\n",
            int(name.size()), name.data(), (unsigned long long)items, raw.size(),
            (unsigned long long)iterations, per_item_us, per_item_us * double(items));
    };

    // 3,000 users as bench-bulk and bulk_replace.js generate them.
    std::string users = R"({"operations":[)";
    for (int n = 0; n < 3000; ++n) {
        const auto i = std::to_string(1000000 + n);
        if (n) users += ',';
        users += R"({"key":"bulk-)" + i + R"(","email":"user)" + i +
                 R"(@example.com","first_name":"First)" + i + R"(","last_name":"Last)" + i + "\"}";
    }
    users += "]}";
    measure("PUT /bulk/users, 3000 users",
            raw_request("PUT", "/v2/facts/default/production/bulk/users", users), 3000,
            "HTTP/1.1 200 OK", 1.0);
    const std::string check =
        R"({"user":{"key":"bench-user"},"action":"read","resource":{"type":"document",)"
        R"("tenant":"default"},"context":{}})";
    measure("POST /allowed", raw_request("POST", "/allowed", check), 1, "HTTP/1.1 200 OK", 1.0);
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    unsigned short port = 0;
    int threads = 1;
    for (int i = 1; i < argc; ++i) {
        const std::string_view opt = argv[i];
        if (opt == "--self-test") return self_test();
        if (opt == "--help" || opt == "-h") {
            std::cout << "usage: bench-sink [--port N] [--threads N] | --self-test\n";
            return 0;
        }
        if (i + 1 >= argc) {
            std::cerr << "bench-sink: " << opt << " needs a value\n";
            return 2;
        }
        if (opt == "--port")
            port = static_cast<unsigned short>(std::atoi(argv[++i]));
        else if (opt == "--threads")
            threads = std::atoi(argv[++i]);
        else {
            std::cerr << "bench-sink: unknown argument " << opt << '\n';
            return 2;
        }
    }
    if (threads < 1) {
        std::cerr << "bench-sink: --threads must be at least 1\n";
        return 2;
    }

    std::vector<counters> all(threads);
    std::vector<std::unique_ptr<worker>> ws;
    for (int t = 0; t < threads; ++t) {
        ws.push_back(std::make_unique<worker>());
        ws.back()->h = std::make_unique<handler>(&all, all[t]);
    }
    tcp::acceptor acceptor(ws[0]->ioc, tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
    acceptor.listen(asio::socket_base::max_listen_connections);
    std::cout << "listening on http://127.0.0.1:" << acceptor.local_endpoint().port() << std::endl;
    asio::co_spawn(ws[0]->ioc, accept_loop(acceptor, ws), asio::detached);

    std::vector<std::thread> pool;
    for (int t = 1; t < threads; ++t) {
        auto guard = std::make_shared<asio::executor_work_guard<asio::io_context::executor_type>>(
            ws[t]->ioc.get_executor());
        pool.emplace_back([&ioc = ws[t]->ioc, guard] { ioc.run(); });
    }
    ws[0]->ioc.run();
    for (auto& p : pool) p.join();
}
