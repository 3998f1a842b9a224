// The emulator's replies against golden JSON written from Permit's public API reference
// (tests/emulator/golden/, whose README.md names the source of each file and the `$` lists).
// Nothing here goes through the client's models: the replies are parsed with Boost.JSON and
// compared with the golden files structurally (the same keys at every level, each of the same
// JSON kind), so a field name that the models and the emulator got wrong together still shows.
#include <algorithm>
#include <array>
#include <filesystem>
#include <fstream>
#include <optional>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include "support/emulator_fixture.hpp"

using namespace permit_test;

namespace {

namespace fs = std::filesystem;

/// tests/emulator/golden, next to this file.
fs::path golden_dir() {
    return fs::path(__FILE__).parent_path() / "golden";
}

std::string read_text(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot read " + path.string());
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

/// One golden file: the example reply, and the schema paths its `$` lists name. A schema path
/// is `$` for the reply, `.name` for a member, `[]` for the elements of an array and `.*` for the
/// values of a map (e.g. `$.actions.*.name`).
struct golden {
    std::string file;
    json::value example;
    std::set<std::string> optional;   ///< may be absent or null
    std::set<std::string> maps;       ///< objects keyed by data: each value has the example's shape
    std::set<std::string> free;       ///< objects of free-form content: only the kind is compared
    std::set<std::string> any;        ///< any JSON value at all
    std::set<std::string> constants;  ///< the value is the example's
};

constexpr std::array<std::string_view, 5> meta_lists = {"$optional", "$maps", "$free", "$any",
                                                        "$constants"};

std::set<std::string>& meta_list(golden& g, std::string_view name) {
    if (name == "$optional") return g.optional;
    if (name == "$maps") return g.maps;
    if (name == "$free") return g.free;
    if (name == "$any") return g.any;
    return g.constants;
}

golden load_golden(const std::string& file, int depth = 0);

/// Replaces each `{"$ref": "<file>"}` with that file's example, its `$` lists moved to where the
/// reference stands.
void resolve_refs(golden& g, json::value& v, const std::string& schema_path, int depth) {
    if (auto* obj = v.if_object()) {
        if (obj->size() == 1 && obj->contains("$ref")) {
            auto target = load_golden(std::string(obj->at("$ref").as_string()), depth + 1);
            for (const auto name : meta_lists)
                for (const auto& path : meta_list(target, name))
                    meta_list(g, name).insert(schema_path + path.substr(1));
            v = std::move(target.example);
            return;
        }
        const bool is_map = g.maps.count(schema_path) > 0;
        for (auto& member : *obj)
            resolve_refs(g, member.value(),
                         schema_path + (is_map ? ".*" : "." + std::string(member.key())), depth);
    } else if (auto* arr = v.if_array()) {
        for (auto& element : *arr) resolve_refs(g, element, schema_path + "[]", depth);
    }
}

golden load_golden(const std::string& file, int depth) {
    if (depth > 8) throw std::runtime_error("golden/" + file + ": $ref nested too deep");
    golden g{.file = file, .example = json::parse(read_text(golden_dir() / file))};
    if (const auto* root = g.example.if_object()) {
        // A new object rather than erase(), which would move the last member into the gap: the
        // differences are reported in the file's order.
        json::object example;
        for (const auto& member : *root) {
            const auto name = std::string(member.key());
            if (!name.starts_with("$")) {
                example.emplace(name, member.value());
                continue;
            }
            if (std::find(meta_lists.begin(), meta_lists.end(), name) == meta_lists.end())
                throw std::runtime_error("golden/" + file + ": unknown list " + name);
            for (const auto& path : member.value().as_array()) {
                const auto p = std::string(path.as_string());
                if (!p.starts_with("$"))
                    throw std::runtime_error("golden/" + file + ": " + name + " path " + p +
                                             " does not start with $");
                meta_list(g, name).insert(p);
            }
        }
        g.example = std::move(example);
    }
    resolve_refs(g, g.example, "$", depth);
    return g;
}

std::string kind_of(const json::value& v) {
    switch (v.kind()) {
        case json::kind::null:
            return "null";
        case json::kind::bool_:
            return "bool";
        case json::kind::int64:
        case json::kind::uint64:
        case json::kind::double_:
            return "number";
        case json::kind::string:
            return "string";
        case json::kind::array:
            return "array";
        case json::kind::object:
            return "object";
    }
    return "?";
}

/// The structural comparison of a reply with a golden example.
class comparison {
  public:
    comparison(const golden& g, bool check_constants) : g_(g), check_constants_(check_constants) {}

    std::vector<std::string> run(const json::value& reply, const std::string& at) const {
        std::vector<std::string> out;
        compare(g_.example, reply, at, "$", out);
        return out;
    }

  private:
    void compare(const json::value& want, const json::value& got, const std::string& at,
                 const std::string& schema, std::vector<std::string>& out) const {
        if (g_.any.count(schema)) return;
        if (kind_of(want) != kind_of(got)) {
            out.push_back(at + ": expected " + kind_of(want) + ", got " + kind_of(got));
            return;
        }
        if (g_.free.count(schema)) return;
        if (const auto* w = want.if_object()) {
            const auto& o = got.get_object();
            if (g_.maps.count(schema)) {
                for (const auto& entry : o)
                    one_of(*w, entry.value(),
                           at + "[" + json::serialize(json::string(entry.key())) + "]",
                           schema + ".*", out);
                return;
            }
            for (const auto& field : *w) {
                const auto key = std::string(field.key());
                const auto* m = o.if_contains(key);
                const bool optional = g_.optional.count(schema + "." + key) > 0;
                if (!m || m->is_null()) {
                    if (optional) continue;
                    out.push_back(at + "." + key + ": " +
                                  (m ? "expected " + kind_of(field.value()) + ", got null"
                                     : "missing (expected " + kind_of(field.value()) + ")"));
                    continue;
                }
                compare(field.value(), *m, at + "." + key, schema + "." + key, out);
            }
            for (const auto& field : o)
                if (!w->contains(field.key()))
                    out.push_back(at + "." + std::string(field.key()) + ": unexpected key (" +
                                  kind_of(field.value()) + ")");
        } else if (const auto* w = want.if_array()) {
            const auto& a = got.get_array();
            for (std::size_t i = 0; i < a.size(); ++i)
                one_of(*w, a[i], at + "[" + std::to_string(i) + "]", schema + "[]", out);
        } else if (check_constants_ && g_.constants.count(schema) && want != got) {
            out.push_back(at + ": expected " + json::serialize(want) + ", got " +
                          json::serialize(got));
        }
    }

    /// `got` matches one of the example's elements (or map values); when none matches, the
    /// differences from the closest one are reported.
    template <class Container>
    void one_of(const Container& shapes, const json::value& got, const std::string& at,
                const std::string& schema, std::vector<std::string>& out) const {
        std::vector<std::string> closest;
        bool first = true;
        for (const auto& item : shapes) {
            const json::value* shape;
            if constexpr (std::is_same_v<Container, json::object>)
                shape = &item.value();
            else
                shape = &item;
            std::vector<std::string> diffs;
            compare(*shape, got, at, schema, diffs);
            if (diffs.empty()) return;
            if (first || diffs.size() < closest.size()) closest = std::move(diffs);
            first = false;
        }
        out.insert(out.end(), closest.begin(), closest.end());
    }

    const golden& g_;
    bool check_constants_;
};

/// Every difference between `reply` and the golden example, one line each; `at` names the reply.
std::vector<std::string> structural_diff(const golden& g, const json::value& reply,
                                         bool check_constants = true, const std::string& at = "$") {
    return comparison(g, check_constants).run(reply, at);
}

std::string join(const std::vector<std::string>& lines) {
    std::string out;
    for (const auto& line : lines) out += "\n    " + line;
    return out;
}

/// The reply's JSON body, or a failed check that shows it.
std::optional<json::value> parse_reply(const response& r, std::string_view what) {
    boost::system::error_code ec;
    auto v = json::parse(r.body, ec);
    if (ec) {
        BOOST_ERROR(what << ": the reply is not JSON (status " << r.status << "): " << r.body);
        return std::nullopt;
    }
    return v;
}

/// The reply has `status` and a body shaped as golden/`file`; one failure lists every difference.
void check_reply(const response& r, unsigned status, const std::string& file, std::string_view what,
                 bool check_constants = true) {
    BOOST_TEST_INFO(what << ": " << r.body);
    BOOST_TEST(r.status == status);
    const auto body = parse_reply(r, what);
    if (!body) return;
    const auto diffs = structural_diff(load_golden(file), *body, check_constants);
    BOOST_TEST(diffs.empty(), what << " differs from golden/" << file << " in " << diffs.size()
                                   << " place(s):" << join(diffs) << "\n  reply: " << r.body);
}

/// The reply is a 200 JSON array whose every element is shaped as golden/`file`.
void check_each(const response& r, const std::string& file, std::string_view what) {
    BOOST_TEST_INFO(what << ": " << r.body);
    BOOST_TEST(r.status == 200u);
    const auto body = parse_reply(r, what);
    if (!body) return;
    BOOST_TEST_INFO(what << ": " << r.body);
    BOOST_TEST_REQUIRE(body->is_array());
    BOOST_TEST_INFO(what << ": nothing to compare");
    BOOST_TEST_REQUIRE(!body->get_array().empty());
    const auto g = load_golden(file);
    std::vector<std::string> diffs;
    for (std::size_t i = 0; i < body->get_array().size(); ++i) {
        auto d = structural_diff(g, body->get_array()[i], true, "$[" + std::to_string(i) + "]");
        diffs.insert(diffs.end(), d.begin(), d.end());
    }
    BOOST_TEST(diffs.empty(), what << " differs from golden/" << file << " in " << diffs.size()
                                   << " place(s):" << join(diffs) << "\n  reply: " << r.body);
}

/// The schema paths of an example, and what is wrong with the example itself (an empty array
/// or map gives no shape to compare with).
void collect_paths(const golden& g, const json::value& v, const std::string& schema,
                   std::set<std::string>& paths, std::vector<std::string>& problems) {
    paths.insert(schema);
    if (g.free.count(schema) || g.any.count(schema)) return;
    if (const auto* obj = v.if_object()) {
        const bool is_map = g.maps.count(schema) > 0;
        if (is_map && obj->empty()) problems.push_back(schema + ": an empty map");
        for (const auto& member : *obj) {
            if (member.key().starts_with("$"))
                problems.push_back(schema +
                                   ": a $ key inside the example: " + std::string(member.key()));
            collect_paths(g, member.value(),
                          schema + (is_map ? ".*" : "." + std::string(member.key())), paths,
                          problems);
        }
    } else if (const auto* arr = v.if_array()) {
        if (arr->empty()) problems.push_back(schema + ": an empty array");
        for (const auto& element : *arr) collect_paths(g, element, schema + "[]", paths, problems);
    } else if (v.is_null()) {
        problems.push_back(schema + ": null, which names no kind");
    }
}

/// A body for the PDP's check routes.
json::object golden_check(const std::string& user, const std::string& action,
                          const std::string& tenant) {
    return {
        {"user", json::object{{"key", user}, {"first_name", "Jane"}}},
        {"action", action},
        {"resource", json::object{{"type", "document"}, {"key", "plan-2024"}, {"tenant", tenant}}},
        {"context", json::object{}}};
}

/// An emulator holding one of everything, with every optional field given: resource `document`
/// (urn, description, actions with names, descriptions and attributes), roles `viewer` and
/// `editor` (description, permissions, attributes; `editor` extends `viewer`), tenant `acme`
/// (description, attributes), user `jane` (email, names, attributes) with `viewer` in `acme`,
/// `editor` in `default`, and `viewer` on the resource instance `document:plan-2024` in `acme`.
struct golden_fixture : emulator_fixture {
    golden_fixture() {
        auto r = api.post(api.schema("/resources"), json::parse(R"({
            "key": "document", "name": "Document", "urn": "prn:acme:document",
            "description": "a document",
            "actions": {
                "read": {"name": "Read", "description": "read it", "attributes": {"risk": "low"}},
                "write": {"name": "Write", "description": "change it", "attributes": {}}}})"));
        PERMIT_REQUIRE_STATUS(r, 201);
        r = api.post(api.schema("/roles"), json::parse(R"({
            "key": "viewer", "name": "Viewer", "description": "reads documents",
            "permissions": ["document:read"], "attributes": {"level": 1}})"));
        PERMIT_REQUIRE_STATUS(r, 201);
        r = api.post(api.schema("/roles"), json::parse(R"({
            "key": "editor", "name": "Editor", "description": "writes documents",
            "permissions": ["document:write"], "attributes": {"level": 2},
            "extends": ["viewer"]})"));
        PERMIT_REQUIRE_STATUS(r, 201);
        r = api.post(api.facts("/tenants"), json::parse(R"({
            "key": "acme", "name": "Acme", "description": "a customer",
            "attributes": {"plan": "pro"}})"));
        PERMIT_REQUIRE_STATUS(r, 201);
        r = api.post(api.facts("/users"), json::parse(R"({
            "key": "jane", "email": "jane@coolcompany.com", "first_name": "Jane",
            "last_name": "Doe", "attributes": {"department": "marketing"},
            "role_assignments": [{"role": "viewer", "tenant": "acme"}]})"));
        PERMIT_REQUIRE_STATUS(r, 201);
        assign("jane", "editor", "default");
        r = api.post(api.facts("/role_assignments"),
                     json::parse(R"({"user": "jane", "role": "viewer", "tenant": "acme",
                                     "resource_instance": "document:plan-2024"})"));
        PERMIT_REQUIRE_STATUS(r, 200);
    }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(emulator_golden)

BOOST_AUTO_TEST_CASE(golden_files_are_consistent) {
    const auto readme = read_text(golden_dir() / "README.md");
    std::size_t files = 0;
    for (const auto& entry : fs::directory_iterator(golden_dir())) {
        if (entry.path().extension() != ".json") continue;
        ++files;
        const auto file = entry.path().filename().string();
        BOOST_TEST_CONTEXT("golden/" << file) {
            BOOST_TEST(readme.find("`" + file + "`") != std::string::npos,
                       "README.md does not name the source of " << file);
            golden g;
            try {
                g = load_golden(file);
            } catch (const std::exception& e) {
                BOOST_ERROR("cannot load: " << e.what());
                continue;
            }
            std::set<std::string> paths;
            std::vector<std::string> problems;
            collect_paths(g, g.example, "$", paths, problems);
            for (const auto name : meta_lists)
                for (const auto& path : meta_list(g, name))
                    if (!paths.count(path))
                        problems.push_back(std::string(name) + " names " + path +
                                           ", which the example does not have");
            BOOST_TEST(problems.empty(), "golden/" << file << ":" << join(problems));
            // An example compares clean with itself.
            BOOST_TEST(structural_diff(g, g.example).empty(),
                       "golden/" << file << ":" << join(structural_diff(g, g.example)));
        }
    }
    BOOST_TEST(files >= 16u);
}

// The comparison catches what this file exists for: a key renamed on both sides of the wire.
BOOST_AUTO_TEST_CASE(comparison_reports_a_renamed_key) {
    const auto user = load_golden("user_read.json");
    auto reply = user.example;
    auto& fields = reply.as_object();
    auto& tenant = fields.at("associated_tenants").as_array().at(0).as_object();
    const json::value status = tenant.at("status");
    tenant.erase("status");
    tenant["state"] = status;
    const json::value first_name = fields.at("first_name");
    fields.erase("first_name");  // optional: only the new name is reported
    fields["firstName"] = first_name;
    fields["attributes"] = json::array{};
    BOOST_TEST(structural_diff(user, reply) ==
                   (std::vector<std::string>{"$.attributes: expected object, got array",
                                             "$.associated_tenants[0].status: missing (expected "
                                             "string)",
                                             "$.associated_tenants[0].state: unexpected key "
                                             "(string)",
                                             "$.firstName: unexpected key (string)"}),
               "got:" << join(structural_diff(user, reply)));

    // Inside a map's values, and in a file brought in by `$ref`.
    const auto resource = load_golden("resource_read.json");
    reply = resource.example;
    auto& actions = reply.as_object().at("actions").as_object();
    json::object write = actions.at("read").as_object();
    const json::value id = write.at("id");
    write.erase("id");
    write["uuid"] = id;
    actions["write"] = std::move(write);
    BOOST_TEST(
        structural_diff(resource, reply) ==
            (std::vector<std::string>{R"($.actions["write"].id: missing (expected string))",
                                      R"($.actions["write"].uuid: unexpected key (string))"}),
        "got:" << join(structural_diff(resource, reply)));

    // A constant that the reference fixes.
    const auto error = load_golden("error_details.json");
    reply = error.example;
    reply.as_object()["error_code"] = "not_found";
    BOOST_TEST(
        structural_diff(error, reply) ==
            (std::vector<std::string>{R"($.error_code: expected "NOT_FOUND", got "not_found")"}),
        "got:" << join(structural_diff(error, reply)));
}

BOOST_FIXTURE_TEST_CASE(api_key_scope, emulator_fixture) {
    check_reply(api.get("/v2/api-key/scope"), 200, "api_key_scope.json", "GET /v2/api-key/scope");
}

BOOST_FIXTURE_TEST_CASE(user_read, golden_fixture) {
    check_reply(api.get(api.facts("/users/jane")), 200, "user_read.json", "GET /users/jane");
    check_reply(api.post(api.facts("/users"),
                         json::parse(R"({"key": "john", "email": "john@coolcompany.com",
                                         "first_name": "John", "last_name": "Roe",
                                         "role_assignments": [{"role": "viewer"}]})")),
                201, "user_read.json", "POST /users");
    check_reply(api.patch(api.facts("/users/jane"), json::parse(R"({"last_name": "Smith"})")), 200,
                "user_read.json", "PATCH /users/jane");
    check_reply(api.put(api.facts("/users/jane"),
                        json::parse(R"({"key": "jane", "email": "jane@coolcompany.com",
                                        "first_name": "Jane", "last_name": "Doe"})")),
                200, "user_read.json", "PUT /users/jane");
    check_reply(api.post(api.facts("/tenants/acme/users"),
                         json::parse(R"({"key": "mary", "email": "mary@coolcompany.com"})")),
                200, "user_read.json", "POST /tenants/acme/users");
}

BOOST_FIXTURE_TEST_CASE(paginated_users, golden_fixture) {
    check_reply(api.get(api.facts("/users")), 200, "paginated_users.json", "GET /users");
    check_reply(api.get(api.facts("/tenants/acme/users")), 200, "paginated_users.json",
                "GET /tenants/acme/users");
}

BOOST_FIXTURE_TEST_CASE(tenant_read, golden_fixture) {
    check_reply(api.get(api.facts("/tenants/acme")), 200, "tenant_read.json", "GET /tenants/acme");
    check_reply(api.post(api.facts("/tenants"), json::parse(R"({"key": "globex", "name": "Globex",
                                         "description": "another customer"})")),
                201, "tenant_read.json", "POST /tenants");
    check_reply(api.patch(api.facts("/tenants/acme"), json::parse(R"({"name": "Acme Inc"})")), 200,
                "tenant_read.json", "PATCH /tenants/acme");
    check_each(api.get(api.facts("/tenants")), "tenant_read.json", "GET /tenants");
}

BOOST_FIXTURE_TEST_CASE(role_assignment_read, golden_fixture) {
    check_reply(api.post(api.facts("/role_assignments"),
                         json::parse(R"({"user": "jane", "role": "editor", "tenant": "acme",
                                         "resource_instance": "document:plan-2025"})")),
                200, "role_assignment_read.json", "POST /role_assignments");
    check_reply(api.post(api.facts("/users/jane/roles"),
                         json::parse(R"({"role": "editor", "tenant": "acme"})")),
                200, "role_assignment_read.json", "POST /users/jane/roles");
    check_each(api.get(api.facts("/role_assignments")), "role_assignment_read.json",
               "GET /role_assignments");
    check_reply(api.del(api.facts("/users/jane/roles?return_deleted=true"),
                        json::parse(R"({"role": "editor", "tenant": "acme"})")),
                200, "role_assignment_read.json", "DELETE /users/jane/roles?return_deleted=true");
    check_reply(api.del(api.facts("/role_assignments?return_deleted=true"),
                        json::parse(R"({"user": "jane", "role": "viewer", "tenant": "acme",
                                        "resource_instance": "document:plan-2024"})")),
                200, "role_assignment_read.json", "DELETE /role_assignments?return_deleted=true");
}

BOOST_FIXTURE_TEST_CASE(role_assignment_detailed_read, golden_fixture) {
    check_each(api.get(api.facts("/role_assignments?detailed=true")),
               "role_assignment_detailed_read.json", "GET /role_assignments?detailed=true");
    check_reply(api.get(api.facts("/role_assignments?detailed=true&include_total_count=true")), 200,
                "paginated_role_assignments_detailed.json",
                "GET /role_assignments?detailed=true&include_total_count=true");
    check_reply(api.get(api.facts("/role_assignments/detailed")), 200,
                "paginated_role_assignments_detailed.json", "GET /role_assignments/detailed");
}

BOOST_FIXTURE_TEST_CASE(bulk_reports, golden_fixture) {
    check_reply(api.post(api.facts("/role_assignments/bulk"),
                         json::parse(R"([{"user": "jane", "role": "editor", "tenant": "acme"},
                                         {"user": "jane", "role": "viewer", "tenant": "default"}])")),
                200, "bulk_role_assignment_report.json", "POST /role_assignments/bulk");
    check_reply(api.del(api.facts("/role_assignments/bulk"),
                        json::parse(R"([{"user": "jane", "role": "editor", "tenant": "acme"}])")),
                200, "bulk_role_unassignment_report.json", "DELETE /role_assignments/bulk");
    check_reply(api.post(api.facts("/bulk/users"),
                         json::parse(R"({"operations": [{"key": "bulk-1"}, {"key": "bulk-2"}]})")),
                200, "bulk_operation_result.json", "POST /bulk/users");
    check_reply(api.put(api.facts("/bulk/users"),
                        json::parse(R"({"operations": [{"key": "bulk-1", "first_name": "B"}]})")),
                200, "bulk_operation_result.json", "PUT /bulk/users");
    check_reply(api.del(api.facts("/bulk/users"), json::parse(R"({"idents": ["bulk-2"]})")), 200,
                "bulk_operation_result.json", "DELETE /bulk/users");
    check_reply(api.post(api.facts("/bulk/tenants"),
                         json::parse(R"({"operations": [{"key": "t1", "name": "T1"}]})")),
                200, "bulk_operation_result.json", "POST /bulk/tenants");
    check_reply(api.del(api.facts("/bulk/tenants"), json::parse(R"({"idents": ["t1"]})")), 200,
                "bulk_operation_result.json", "DELETE /bulk/tenants");
}

// Every reply that carries a RoleRead, granted_to (default `{}`) included.
BOOST_FIXTURE_TEST_CASE(role_read, golden_fixture) {
    check_reply(api.get(api.schema("/roles/editor")), 200, "role_read.json", "GET /roles/editor");
    check_reply(api.post(api.schema("/roles"),
                         json::parse(R"({"key": "admin", "name": "Admin", "description": "all",
                                         "permissions": ["document:read"],
                                         "attributes": {"level": 3}, "extends": ["editor"]})")),
                201, "role_read.json", "POST /roles");
    check_reply(api.patch(api.schema("/roles/editor"), json::parse(R"({"description": "edits"})")),
                200, "role_read.json", "PATCH /roles/editor");
    check_reply(api.post(api.schema("/roles/viewer/permissions"),
                         json::parse(R"({"permissions": ["document:write"]})")),
                200, "role_read.json", "POST /roles/viewer/permissions");
    check_reply(api.del(api.schema("/roles/viewer/permissions"),
                        json::parse(R"({"permissions": ["document:write"]})")),
                200, "role_read.json", "DELETE /roles/viewer/permissions");
    check_each(api.get(api.schema("/roles")), "role_read.json", "GET /roles");
}

// Every reply that carries a ResourceRead, relations and action_groups (default `{}`) included.
BOOST_FIXTURE_TEST_CASE(resource_read, golden_fixture) {
    check_reply(api.get(api.schema("/resources/document")), 200, "resource_read.json",
                "GET /resources/document");
    check_reply(api.post(api.schema("/resources"),
                         json::parse(R"({"key": "folder", "name": "Folder", "urn": "prn:folder",
                                         "description": "a folder",
                                         "actions": {"list": {"name": "List"}}})")),
                201, "resource_read.json", "POST /resources");
    check_reply(api.put(api.schema("/resources/folder"),
                        json::parse(R"({"name": "Folder", "description": "a folder",
                                        "actions": {"list": {}, "create": {}}})")),
                200, "resource_read.json", "PUT /resources/folder");
    check_reply(api.patch(api.schema("/resources/folder"), json::parse(R"({"urn": "prn:dir"})")),
                200, "resource_read.json", "PATCH /resources/folder");
    check_each(api.get(api.schema("/resources")), "resource_read.json", "GET /resources");
}

BOOST_FIXTURE_TEST_CASE(resource_instance_read, golden_fixture) {
    check_reply(api.post(api.facts("/resource_instances"),
                         json::parse(R"({"key": "plan-2026", "resource": "document",
                                         "tenant": "acme", "attributes": {"private": true}})")),
                201, "resource_instance_read.json", "POST /resource_instances");
    check_reply(api.get(api.facts("/resource_instances/document:plan-2026")), 200,
                "resource_instance_read.json", "GET /resource_instances/document:plan-2026");
    check_reply(api.patch(api.facts("/resource_instances/document:plan-2026"),
                          json::parse(R"({"attributes": {}})")),
                200, "resource_instance_read.json", "PATCH /resource_instances/document:plan-2026");
    check_each(api.get(api.facts("/resource_instances")), "resource_instance_read.json",
               "GET /resource_instances");
}

BOOST_FIXTURE_TEST_CASE(relationship_tuple_read, golden_fixture) {
    PERMIT_REQUIRE_STATUS(
        api.post(api.schema("/resources"),
                 json::parse(R"({"key": "folder", "name": "Folder", "actions": {"list": {}}})")),
        201);
    PERMIT_REQUIRE_STATUS(api.patch(api.schema("/resources/document"),
                                    json::parse(R"({"relations": {"parent": "folder"}})")),
                          200);
    check_reply(api.post(api.facts("/relationship_tuples"),
                         json::parse(R"({"subject": "folder:plans", "relation": "parent",
                                         "object": "document:plan-2024", "tenant": "acme"})")),
                201, "relationship_tuple_read.json", "POST /relationship_tuples");
    check_each(api.get(api.facts("/relationship_tuples")), "relationship_tuple_read.json",
               "GET /relationship_tuples");
}

// ActionBlockRead has no route of its own: it is each value of ResourceRead.actions.
BOOST_FIXTURE_TEST_CASE(action_block_read, golden_fixture) {
    const auto r = api.get(api.schema("/resources/document"));
    PERMIT_REQUIRE_STATUS(r, 200);
    const auto body = parse_reply(r, "GET /resources/document");
    BOOST_TEST_REQUIRE(body.has_value());
    const auto* actions = body->is_object() ? body->get_object().if_contains("actions") : nullptr;
    BOOST_TEST_INFO("reply: " << r.body);
    BOOST_TEST_REQUIRE((actions && actions->is_object() && actions->get_object().size() == 2u));
    const auto g = load_golden("action_block_read.json");
    for (const auto& action : actions->get_object()) {
        const auto diffs = structural_diff(g, action.value(), true,
                                           "$.actions[\"" + std::string(action.key()) + "\"]");
        BOOST_TEST(diffs.empty(), "action " << action.key()
                                            << " differs from golden/action_block_read.json in "
                                            << diffs.size() << " place(s):" << join(diffs)
                                            << "\n  reply: " << r.body);
    }
}

BOOST_FIXTURE_TEST_CASE(pdp_allowed, golden_fixture) {
    check_reply(pdp("/allowed", golden_check("jane", "read", "acme")), 200,
                "authorization_result.json", "POST /allowed (allowed)");
    check_reply(pdp("/allowed", golden_check("jane", "delete", "acme")), 200,
                "authorization_result.json", "POST /allowed (denied)");
}

BOOST_FIXTURE_TEST_CASE(pdp_allowed_bulk, golden_fixture) {
    check_reply(pdp("/allowed/bulk", json::array{golden_check("jane", "read", "acme"),
                                                 golden_check("jane", "delete", "default")}),
                200, "bulk_authorization_result.json", "POST /allowed/bulk");
}

BOOST_FIXTURE_TEST_CASE(pdp_user_permissions, golden_fixture) {
    const auto r =
        pdp("/user-permissions", json::parse(R"({"user": {"key": "jane"}, "tenants": null,
                                                 "resources": null, "resource_types": null})"));
    check_reply(r, 200, "user_permissions.json", "POST /user-permissions");
    const auto body = parse_reply(r, "POST /user-permissions");
    BOOST_TEST_INFO("nothing to compare: " << r.body);
    BOOST_TEST((body && body->is_object() && !body->get_object().empty()));
}

BOOST_FIXTURE_TEST_CASE(pdp_allowed_all_tenants, golden_fixture) {
    const auto r = pdp("/allowed/all-tenants", golden_check("jane", "read", "acme"));
    check_reply(r, 200, "all_tenants_result.json", "POST /allowed/all-tenants");
    const auto body = parse_reply(r, "POST /allowed/all-tenants");
    BOOST_TEST_INFO("nothing to compare: " << r.body);
    BOOST_TEST((body && body->is_object() && body->get_object().contains("allowed_tenants") &&
                !body->at("allowed_tenants").as_array().empty()));
}

BOOST_FIXTURE_TEST_CASE(pdp_authorized_users, golden_fixture) {
    const auto r = pdp("/authorized_users", json::parse(R"({"action": "read",
        "resource": {"type": "document", "key": "plan-2024", "tenant": "acme"}, "context": {}})"));
    check_reply(r, 200, "authorized_users_result.json", "POST /authorized_users");
    const auto body = parse_reply(r, "POST /authorized_users");
    BOOST_TEST_INFO("nothing to compare: " << r.body);
    BOOST_TEST((body && body->is_object() && body->get_object().contains("users") &&
                !body->at("users").as_object().empty()));
}

BOOST_FIXTURE_TEST_CASE(error_details, golden_fixture) {
    check_reply(api.get(api.facts("/users/nobody")), 404, "error_details.json",
                "GET /users/nobody");
    check_reply(api.get(api.schema("/resources/nothing")), 404, "error_details.json",
                "GET /resources/nothing");
    // The same schema for the other statuses, whose constants differ from the 404's.
    auto r = api.post(api.facts("/tenants"), json::parse(R"({"key": "acme", "name": "Acme"})"));
    check_reply(r, 409, "error_details.json", "POST /tenants (a duplicate)", false);
    BOOST_TEST(str(body_json(r), "error_code") == "DUPLICATE_ENTITY");
    r = raw(http::verb::get, api.facts("/users"), std::nullopt, std::nullopt);
    check_reply(r, 401, "error_details.json", "GET /users without a key", false);
    BOOST_TEST(str(body_json(r), "error_code") == "UNAUTHORIZED");
    r = raw(http::verb::get, api.facts("/users"), std::nullopt, std::string("Bearer wrong"));
    check_reply(r, 403, "error_details.json", "GET /users with a wrong key", false);
    BOOST_TEST(str(body_json(r), "error_code") == "FORBIDDEN_ACCESS");
}

// The 422 of a missing field, a number out of range and a key that is not a slug; the last two
// carry pydantic's `ctx` (optional in the golden file).
BOOST_FIXTURE_TEST_CASE(http_validation_error, golden_fixture) {
    check_reply(
        api.post(api.facts("/users"),
                 json::parse(R"({"key": "bob", "role_assignments": [{"tenant": "acme"}]})")),
        422, "http_validation_error.json", "POST /users (a role assignment without role)");
    check_reply(api.get(api.facts("/users?per_page=101&page=0")), 422, "http_validation_error.json",
                "GET /users?per_page=101&page=0");
    check_reply(api.post(api.facts("/users"), json::parse(R"({"key": "bob smith"})")), 422,
                "http_validation_error.json", "POST /users (a key with a space)");
    check_reply(pdp("/allowed", json::parse(R"({"user": {"key": "jane"}, "action": "read"})")), 422,
                "http_validation_error.json", "POST /allowed (without resource)");
}

BOOST_AUTO_TEST_SUITE_END()
