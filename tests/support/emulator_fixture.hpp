// Boost.Test fixture for the emulator's route tests: a fresh emulator per test, a raw client for
// it, and helpers that create schema and facts with checked statuses, so that the route tests can
// state their subject in a few lines.
#pragma once

#include <algorithm>
#include <cctype>
#include <optional>
#include <regex>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <permit/testing/emulator.hpp>

#include "support/fresh_emulator.hpp"
#include "support/http_client.hpp"

/// Checks a response's status; a mismatch prints the body.
#define PERMIT_CHECK_STATUS(resp, expected)                                 \
    do {                                                                    \
        const ::permit_test::response& permit_resp_ = (resp);               \
        BOOST_TEST_INFO("response body: " << permit_resp_.body);            \
        BOOST_TEST(permit_resp_.status == static_cast<unsigned>(expected)); \
    } while (false)

/// As PERMIT_CHECK_STATUS, but ends the test case on a mismatch.
#define PERMIT_REQUIRE_STATUS(resp, expected)                                       \
    do {                                                                            \
        const ::permit_test::response& permit_resp_ = (resp);                       \
        BOOST_TEST_INFO("response body: " << permit_resp_.body);                    \
        BOOST_TEST_REQUIRE(permit_resp_.status == static_cast<unsigned>(expected)); \
    } while (false)

/// Checks an `ErrorDetails` response: status, `error_code`, and the fields every one carries.
#define PERMIT_CHECK_ERROR(resp, status, code)                         \
    BOOST_TEST_CONTEXT("checked at " << __FILE__ << ":" << __LINE__) { \
        ::permit_test::check_error_details((resp), (status), (code));  \
    }

/// Checks a FastAPI 422: some `detail` item has this `loc` (a JSON array text) and `type`.
#define PERMIT_CHECK_422(resp, loc, type)                              \
    BOOST_TEST_CONTEXT("checked at " << __FILE__ << ":" << __LINE__) { \
        ::permit_test::check_validation_error((resp), (loc), (type));  \
    }

namespace permit_test {

/// The body as JSON; a body that is not JSON fails the test with the body in the message.
inline json::value body_json(const response& r) {
    try {
        return r.json();
    } catch (const std::exception&) {
        BOOST_FAIL("response body is not JSON (status " << r.status << "): " << r.body);
    }
    return nullptr;
}

/// A string member of a JSON object; "<absent>" when missing, the JSON text when not a string.
inline std::string str(const json::value& v, std::string_view name) {
    const auto* obj = v.if_object();
    if (!obj) return "<not an object>";
    const auto* m = obj->if_contains(name);
    if (!m) return "<absent>";
    if (const auto* s = m->if_string()) return std::string(*s);
    return json::serialize(*m);
}

/// A member of a JSON object, or null when missing.
inline json::value member(const json::value& v, std::string_view name) {
    const auto* obj = v.if_object();
    if (!obj) return nullptr;
    const auto* m = obj->if_contains(name);
    return m ? *m : json::value(nullptr);
}

inline bool has_member(const json::value& v, std::string_view name) {
    const auto* obj = v.if_object();
    return obj && obj->contains(name);
}

/// True when the member is absent or null (how the API leaves out an optional field).
inline bool absent_or_null(const json::value& v, std::string_view name) {
    return member(v, name).is_null();
}

/// The `data` of a paginated envelope.
inline json::array data_of(const json::value& envelope) {
    const auto d = member(envelope, "data");
    return d.is_array() ? d.get_array() : json::array{};
}

/// `field` of every object of an array, in order (e.g. the keys of a list).
inline std::vector<std::string> pluck(const json::value& arr, std::string_view field = "key") {
    std::vector<std::string> out;
    if (const auto* a = arr.if_array())
        for (const auto& item : *a) out.push_back(str(item, field));
    return out;
}

/// The member names of a JSON object, sorted.
inline std::vector<std::string> member_names(const json::value& v) {
    std::vector<std::string> out;
    if (const auto* obj = v.if_object())
        for (const auto& kv : *obj) out.emplace_back(kv.key());
    std::sort(out.begin(), out.end());
    return out;
}

/// The member names not in `allowed`.
inline std::vector<std::string> unexpected_members(const json::value& v,
                                                   const std::vector<std::string>& allowed) {
    std::vector<std::string> out;
    for (const auto& name : member_names(v))
        if (std::find(allowed.begin(), allowed.end(), name) == allowed.end()) out.push_back(name);
    return out;
}

/// The names in `required` that `v` lacks (or has as null).
inline std::vector<std::string> missing_members(const json::value& v,
                                                const std::vector<std::string>& required) {
    std::vector<std::string> out;
    for (const auto& name : required)
        if (absent_or_null(v, name)) out.push_back(name);
    return out;
}

inline bool contains(const std::vector<std::string>& v, std::string_view s) {
    return std::find(v.begin(), v.end(), s) != v.end();
}

inline std::vector<std::string> sorted(std::vector<std::string> v) {
    std::sort(v.begin(), v.end());
    return v;
}

/// The strings of a JSON array of strings, in order.
inline std::vector<std::string> strings_of(const json::value& arr) {
    std::vector<std::string> out;
    if (const auto* a = arr.if_array())
        for (const auto& item : *a)
            out.push_back(item.is_string() ? std::string(item.get_string())
                                           : json::serialize(item));
    return out;
}

/// The 8-4-4-4-12 hex form.
inline bool looks_like_uuid(std::string_view s) {
    if (s.size() != 36) return false;
    for (std::size_t i = 0; i < s.size(); ++i) {
        const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
        const auto c = static_cast<unsigned char>(s[i]);
        if (dash ? c != '-' : !std::isxdigit(c)) return false;
    }
    return true;
}

/// An ISO-8601 date-time: `2019-08-24T14:15:22Z`, optional fraction, `Z` or an offset.
inline bool looks_like_iso8601(const std::string& s) {
    static const std::regex re(
        R"(^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?$)");
    return std::regex_match(s, re);
}

/// Status, `error_code`, and the `ErrorDetails` members every error carries
/// (https://api.permit.io/v2/redoc).
inline void check_error_details(const response& r, unsigned status, std::string_view code) {
    PERMIT_CHECK_STATUS(r, status);
    const auto v = body_json(r);
    BOOST_TEST_INFO("body: " << r.body);
    BOOST_TEST(str(v, "error_code") == code);
    BOOST_TEST_INFO("body: " << r.body);
    BOOST_TEST(member(v, "id").is_string());
    BOOST_TEST_INFO("body: " << r.body);
    BOOST_TEST(member(v, "title").is_string());
    if (code == "NOT_FOUND")
        BOOST_TEST(str(v, "title") == "We could not find the requested object/s");
}

/// True when some item of `detail` has this `loc` and `type`.
inline bool has_validation_error(const json::value& body, const json::value& loc,
                                 std::string_view type) {
    const auto detail = member(body, "detail");
    if (!detail.is_array()) return false;
    for (const auto& item : detail.get_array())
        if (member(item, "loc") == loc && str(item, "type") == type) return true;
    return false;
}

/// A FastAPI 422 whose `detail` has an item at `loc` (JSON text, e.g. `["body","key"]`) of `type`,
/// and whose every item has `loc`, `msg` and `type`.
inline void check_validation_error(const response& r, std::string_view loc, std::string_view type) {
    PERMIT_CHECK_STATUS(r, 422);
    if (r.status != 422) return;
    const auto v = body_json(r);
    const auto detail = member(v, "detail");
    BOOST_TEST_INFO("body: " << r.body);
    BOOST_TEST_REQUIRE(detail.is_array());
    for (const auto& item : detail.get_array()) {
        BOOST_TEST_INFO("detail item: " << json::serialize(item));
        BOOST_TEST((member(item, "loc").is_array() && member(item, "msg").is_string() &&
                    member(item, "type").is_string()));
    }
    BOOST_TEST(has_validation_error(v, json::parse(loc), type),
               "no detail item with loc " << loc << " and type " << type << " in " << r.body);
}

/// The `msg` of the detail item at `loc`, or "<absent>".
inline std::string validation_msg(const response& r, std::string_view loc) {
    const auto l = json::parse(loc);
    const auto detail = member(body_json(r), "detail");
    if (!detail.is_array()) return "<no detail>";
    for (const auto& item : detail.get_array())
        if (member(item, "loc") == l) return str(item, "msg");
    return "<absent>";
}

/// `n` UserCreate objects with keys `prefix0`, `prefix1`, ...
inline json::array numbered_users(std::size_t n, std::string_view prefix) {
    json::array out;
    out.reserve(n);
    for (std::size_t i = 0; i < n; ++i)
        out.push_back(json::object{{"key", std::string(prefix) + std::to_string(i)}});
    return out;
}

/// A fresh emulator and a client for it, connected from the start, using the project and
/// environment keys in paths.
struct emulator_fixture : fresh_emulator {
    api_client api;

    emulator_fixture() : emulator_fixture(permit::testing::emulator_config{}) {}

    explicit emulator_fixture(permit::testing::emulator_config config)
        : fresh_emulator(std::move(config)), api(connect()) {}

    /// A second client whose paths use the project and environment UUIDs.
    api_client uuid_client() const {
        return api_client(emu.port(), config().api_key, config().project_id,
                          config().environment_id);
    }

    /// Any request on the fixture's connection, with the given Authorization header (or none).
    response raw(http::verb verb, const std::string& target, const std::optional<std::string>& body,
                 const std::optional<std::string>& authorization) {
        return api.connection().request(verb, target, body, authorization);
    }

    /// A PDP POST (`/allowed`, `/allowed/bulk`, `/user-permissions`) with the API key.
    response pdp(const std::string& path, const json::value& body) {
        return raw(http::verb::post, path, json::serialize(body), api.authorization());
    }

    /// GET that must answer 200; returns the body.
    json::value get_ok(const std::string& target) {
        auto r = api.get(target);
        PERMIT_REQUIRE_STATUS(r, 200);
        return body_json(r);
    }

    // ----- schema --------------------------------------------------------------------
    json::value create_resource(const std::string& key, const std::vector<std::string>& actions) {
        json::object acts;
        for (const auto& a : actions) acts[a] = json::object{};
        auto r = api.post(api.schema("/resources"),
                          json::object{{"key", key}, {"name", key}, {"actions", acts}});
        PERMIT_REQUIRE_STATUS(r, 201);
        return body_json(r);
    }

    json::value create_role(const std::string& key, const std::vector<std::string>& permissions,
                            const std::vector<std::string>& extends = {}) {
        json::object body{{"key", key}, {"name", key}};
        json::array perms, ext;
        for (const auto& p : permissions) perms.push_back(json::value(p));
        for (const auto& e : extends) ext.push_back(json::value(e));
        body["permissions"] = perms;
        if (!extends.empty()) body["extends"] = ext;
        auto r = api.post(api.schema("/roles"), body);
        PERMIT_REQUIRE_STATUS(r, 201);
        return body_json(r);
    }

    /// Resource `document` (read, write, delete); roles `viewer` (document:read), `editor`
    /// (document:write, extends viewer), `admin` (document:delete, extends editor).
    void seed_rbac() {
        create_resource("document", {"read", "write", "delete"});
        create_role("viewer", {"document:read"});
        create_role("editor", {"document:write"}, {"viewer"});
        create_role("admin", {"document:delete"}, {"editor"});
    }

    // ----- facts ---------------------------------------------------------------------
    /// Makes folder:finance the parent of file:report, creating both in `default` (a model with
    /// `file.parent -> folder`); must answer 201.
    void file_in_finance() {
        PERMIT_REQUIRE_STATUS(
            api.post(api.facts("/relationship_tuples"), json::object{{"subject", "folder:finance"},
                                                                     {"relation", "parent"},
                                                                     {"object", "file:report"},
                                                                     {"tenant", "default"}}),
            201);
    }

    /// Gives `user` `role` on `instance` (`"type:key"`) in `default`; must answer 200.
    void assign_on(const std::string& user, const std::string& role, const std::string& instance) {
        PERMIT_REQUIRE_STATUS(
            api.post(api.facts("/role_assignments"), json::object{{"user", user},
                                                                  {"role", role},
                                                                  {"resource_instance", instance},
                                                                  {"tenant", "default"}}),
            200);
    }

    /// POST /users with `key` plus `extra` fields; must answer 201.
    json::value create_user(const std::string& key, json::object extra = {}) {
        extra["key"] = key;
        auto r = api.post(api.facts("/users"), extra);
        PERMIT_REQUIRE_STATUS(r, 201);
        return body_json(r);
    }

    json::value create_tenant(const std::string& key, const std::string& name = "") {
        auto r = api.post(api.facts("/tenants"),
                          json::object{{"key", key}, {"name", name.empty() ? key : name}});
        PERMIT_REQUIRE_STATUS(r, 201);
        return body_json(r);
    }

    /// POST /role_assignments; must answer 200.
    json::value assign(const std::string& user, const std::string& role,
                       const std::string& tenant = "default") {
        auto r = api.post(api.facts("/role_assignments"),
                          json::object{{"user", user}, {"role", role}, {"tenant", tenant}});
        PERMIT_REQUIRE_STATUS(r, 200);
        return body_json(r);
    }

    /// `user/role/tenant` of every assignment that `GET /role_assignments?<query>` lists, sorted.
    std::vector<std::string> assignments(const std::string& query = "") {
        const auto list =
            get_ok(api.facts("/role_assignments") + (query.empty() ? "" : "?" + query));
        BOOST_TEST_INFO("body: " << json::serialize(list));
        BOOST_TEST_REQUIRE(list.is_array());
        std::vector<std::string> out;
        for (const auto& a : list.get_array())
            out.push_back(str(a, "user") + "/" + str(a, "role") + "/" + str(a, "tenant"));
        return sorted(std::move(out));
    }

    /// The keys of `GET /users?<query>` (first page), in order.
    std::vector<std::string> user_keys(const std::string& query = "") {
        return pluck(data_of(get_ok(api.facts("/users") + (query.empty() ? "" : "?" + query))));
    }

    /// The keys of `GET /tenants/{tenant}/users`, in order.
    std::vector<std::string> tenant_user_keys(const std::string& tenant) {
        return pluck(data_of(get_ok(api.facts("/tenants/" + tenant + "/users"))));
    }

    // ----- PDP -----------------------------------------------------------------------
    static json::object check_query(const std::string& user, const std::string& action,
                                    const std::string& type,
                                    const std::optional<std::string>& tenant = std::nullopt) {
        json::object resource{{"type", type}, {"key", "doc-1"}};
        if (tenant) resource["tenant"] = *tenant;
        return {{"user", json::object{{"key", user}}},
                {"action", action},
                {"resource", resource},
                {"context", json::object{}}};
    }

    /// POST /allowed; must answer 200 with `allow` == `result`; returns `allow`.
    bool allowed(const std::string& user, const std::string& action, const std::string& type,
                 const std::optional<std::string>& tenant = std::nullopt) {
        auto r = pdp("/allowed", check_query(user, action, type, tenant));
        PERMIT_REQUIRE_STATUS(r, 200);
        const auto v = body_json(r);
        BOOST_TEST_INFO("body: " << r.body);
        BOOST_TEST_REQUIRE(member(v, "allow").is_bool());
        BOOST_TEST_INFO("body: " << r.body);
        BOOST_TEST(member(v, "result") == member(v, "allow"));
        return member(v, "allow").get_bool();
    }

    /// POST /allowed on instance `type:key`; must answer 200; returns `allow`.
    bool can(const std::string& user, const std::string& action, const std::string& type,
             const std::string& key, const std::string& tenant = "default") {
        auto r =
            pdp("/allowed",
                json::object{
                    {"user", json::object{{"key", user}}},
                    {"action", action},
                    {"resource", json::object{{"type", type}, {"key", key}, {"tenant", tenant}}}});
        BOOST_TEST_REQUIRE(r.status == 200u, r.body);
        return r.json().at("allow").as_bool();
    }
};

}  // namespace permit_test
