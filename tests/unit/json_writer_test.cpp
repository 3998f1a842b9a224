// The JSON writer (<permit/models/detail/json_writer.hpp>) gives the bytes Boost.JSON gives:
// `append_json(out, x)` equals `serialize(value_from(x))` for every described model, empty, half
// filled and filled with every awkward value (strings to escape, UTF-8, numbers at the limits,
// nested JSON), with and without unknown fields; and each of the bulk pipeline's request bodies
// equals the one built through `boost::json::value` before.
#include <permit/bulk/detail/pipeline_state.hpp>
#include <permit/models/action_group.hpp>
#include <permit/models/api_key.hpp>
#include <permit/models/bulk.hpp>
#include <permit/models/condition_set.hpp>
#include <permit/models/condition_set_rule.hpp>
#include <permit/models/detail/json_writer.hpp>
#include <permit/models/elements.hpp>
#include <permit/models/environment.hpp>
#include <permit/models/error_body.hpp>
#include <permit/models/page.hpp>
#include <permit/models/pdp.hpp>
#include <permit/models/project.hpp>
#include <permit/models/relationship_tuple.hpp>
#include <permit/models/resource.hpp>
#include <permit/models/resource_attribute.hpp>
#include <permit/models/resource_instance.hpp>
#include <permit/models/resource_relation.hpp>
#include <permit/models/resource_role.hpp>
#include <permit/models/role.hpp>
#include <permit/models/role_assignment.hpp>
#include <permit/models/scope.hpp>
#include <permit/models/tenant.hpp>
#include <permit/models/user.hpp>

#include <boost/core/demangle.hpp>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/string.hpp>
#include <boost/json/value.hpp>
#include <boost/json/value_from.hpp>
#include <boost/mp11/algorithm.hpp>
#include <boost/mp11/list.hpp>
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <optional>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <typeinfo>
#include <vector>

#include "support/fake_clock.hpp"

namespace json_writer_test {

namespace json = boost::json;

// Every model described with PERMIT_DESCRIBE_MODEL in include/permit/models/*.hpp (the test
// `the_type_list_names_every_described_model` checks that none is missing).
using described_models = boost::mp11::mp_list<
    permit::action_group_create, permit::action_group_update, permit::action_group,
    permit::api_key_create, permit::api_key, permit::user_bulk_operation,
    permit::tenant_bulk_operation, permit::bulk_delete_operation, permit::condition_set_create,
    permit::condition_set_update, permit::condition_set, permit::condition_set_rule_create,
    permit::condition_set_rule_remove, permit::condition_set_rule, permit::elements_login_request,
    permit::jwks_config, permit::environment_create, permit::environment_update,
    permit::environment, permit::environment_copy_filter, permit::environment_copy_scope,
    permit::environment_copy, permit::error_details, permit::validation_error_item,
    permit::validation_error, permit::project_create, permit::project_update, permit::project,
    permit::relationship_tuple_create, permit::relationship_tuple_delete,
    permit::relationship_tuple, permit::relationship_tuple_bulk_operation,
    permit::relationship_tuple_bulk_delete, permit::action_block, permit::resource_create,
    permit::resource_replace, permit::resource_update, permit::action_block_read, permit::resource,
    permit::resource_attribute_create, permit::resource_attribute_update,
    permit::resource_attribute, permit::resource_instance_create, permit::resource_instance_update,
    permit::resource_instance, permit::resource_instance_bulk_operation, permit::relation_create,
    permit::relation, permit::derivation_settings, permit::derived_role_rule_create,
    permit::derived_role_rule, permit::derived_role_block_edit, permit::derived_role_block,
    permit::resource_role_create, permit::resource_role_update, permit::resource_role,
    permit::role_create, permit::role_update, permit::role, permit::role_permissions,
    permit::role_assignment_create, permit::role_assignment_remove, permit::role_assignment,
    permit::role_assignment_role, permit::role_assignment_user, permit::role_assignment_tenant,
    permit::role_assignment_resource_instance, permit::role_assignment_detailed,
    permit::bulk_role_assignment_report, permit::bulk_role_unassignment_report,
    permit::api_key_scope, permit::tenant_create, permit::tenant_update, permit::tenant,
    permit::user_role, permit::user_role_create, permit::user_role_remove, permit::user_create,
    permit::user_update, permit::user_resource_instance_role, permit::user_in_tenant, permit::user>;

// What the writer must equal: the JSON value, then its text.
template <class T>
std::string reference(const T& v) {
    return json::serialize(json::value_from(v));
}

template <class T>
std::string written(const T& v) {
    std::string out;
    permit::detail::append_json(out, v);
    return out;
}

template <class T>
std::string type_name() {
    return boost::core::demangle(typeid(T).name());
}

// A string with every kind of character the serializer treats apart: a quote, a backslash,
// control characters with a short escape and without, DEL, a slash, and UTF-8 of two, three and
// four bytes.
const std::string awkward =
    "q\"b\\s/c\x01\x1f\n\t\b\f\r\x7f \xc3\xa9\xe6\xbc\xa2\xf0\x9f\x98\x80 end";

json::array awkward_numbers() {
    return json::array{0.1,
                       1e300,
                       -0.0,
                       5e-324,
                       std::numeric_limits<double>::max(),
                       -1.5,
                       std::numeric_limits<std::int64_t>::min(),
                       std::numeric_limits<std::int64_t>::max(),
                       std::numeric_limits<std::uint64_t>::max(),
                       0,
                       true,
                       false,
                       nullptr,
                       awkward};
}

// An object with two entries at each level, nested objects and arrays, numbers, booleans, null.
json::object awkward_object() {
    json::object inner;
    inner["numbers"] = awkward_numbers();
    inner["empty object"] = json::object{};
    inner["empty array"] = json::array{};
    json::object out;
    out[awkward] = awkward;
    out["nested"] = std::move(inner);
    out["list"] = json::array{json::object{{"a", 1}, {"b", json::array{1.25, nullptr}}}, 2e-7};
    out["null"] = nullptr;
    return out;
}

template <class T>
struct is_string_map : std::false_type {};
template <class T, class C, class A>
struct is_string_map<std::map<std::string, T, C, A>> : std::true_type {};

template <class T>
inline constexpr bool always_false = false;

// Sets every member of `v` to an awkward value: each string to `awkward`, each optional to a
// value, each list to two items, each map and JSON object to two entries or more, each integer to
// a limit of its type. `only_odd`: only the members at odd positions of a model (the others keep
// their defaults), so that the first member written is not the first described.
template <class T>
void fill(T& v, int depth, bool only_odd = false);

template <class T>
T filled(int depth) {
    T v{};
    fill(v, depth);
    return v;
}

template <class T>
void fill(T& v, int depth, bool only_odd) {
    if constexpr (std::is_same_v<T, std::string>) {
        v = awkward + std::to_string(depth);
    } else if constexpr (std::is_same_v<T, bool>) {
        v = true;
    } else if constexpr (std::is_integral_v<T>) {
        v = depth % 2 == 0 ? std::numeric_limits<T>::min() : std::numeric_limits<T>::max();
    } else if constexpr (std::is_same_v<T, json::object>) {
        v = awkward_object();
    } else if constexpr (std::is_same_v<T, json::array>) {
        v = awkward_numbers();
        v.push_back(awkward_object());
    } else if constexpr (std::is_same_v<T, json::value>) {
        v = awkward_object();
    } else if constexpr (permit::detail::is_optional<T>::value) {
        v.emplace(filled<typename T::value_type>(depth + 1));
    } else if constexpr (permit::detail::is_std_vector<T>::value) {
        v.clear();
        v.push_back(filled<typename T::value_type>(depth + 1));
        v.push_back(filled<typename T::value_type>(depth + 2));
    } else if constexpr (is_string_map<T>::value) {
        v.clear();
        v.emplace(awkward, filled<typename T::mapped_type>(depth + 1));
        v.emplace("plain", filled<typename T::mapped_type>(depth + 2));
    } else if constexpr (permit::detail::described_model<T>) {
        int index = 0;
        boost::mp11::mp_for_each<permit::detail::model_members<T>>([&](auto member) {
            if (!only_odd || index % 2 == 1) fill(v.*member.pointer, depth + 1);
            ++index;
        });
    } else if constexpr (std::is_same_v<T, permit::environment_copy_target>) {
        // Not described: it has a conversion of its own (through the writer's fallback).
        fill(v.existing, depth + 1);
        fill(v.new_environment, depth + 1);
    } else {
        static_assert(always_false<T>, "a member type the filler does not know");
    }
}

// Unknown fields named as each member is, and one more (first), so that both rules show: a name
// already written is left out, one not written (an unset optional, an empty request list) is
// written.
template <class T>
json::object unknown_fields_of() {
    json::object out;
    out["not a member \"\n"] = awkward_object();
    boost::mp11::mp_for_each<permit::detail::model_members<T>>(
        [&](auto member) { out[member.name] = std::string("unknown ") + member.name; });
    out["last"] = -0.0;
    return out;
}

template <class T>
void check_same(const T& v, const std::string& what) {
    const std::string expected = reference(v);
    const std::string actual = written(v);
    BOOST_TEST(actual == expected, type_name<T>() << ", " << what << ":\n  written:  " << actual
                                                  << "\n  expected: " << expected);
}

// The pipeline's bodies as they were built before, through `boost::json::value`.
template <class T>
std::string old_body(const char* name, const std::vector<T>& items) {
    json::array list;
    list.reserve(items.size());
    for (const auto& item : items) list.push_back(json::value_from(item));
    if (name == nullptr) return json::serialize(list);
    return json::serialize(json::object{{name, std::move(list)}});
}

using clock = permit_test::fake_clock;
using pipeline = permit::bulk::detail::pipeline_state<clock>;
using permit::bulk::detail::lane;

}  // namespace json_writer_test

BOOST_AUTO_TEST_SUITE(json_writer)

using namespace json_writer_test;

BOOST_AUTO_TEST_CASE(every_described_model_is_written_as_boost_json_serializes_it) {
    std::size_t models = 0;
    boost::mp11::mp_for_each<boost::mp11::mp_transform<boost::mp11::mp_identity, described_models>>(
        [&](auto identity) {
            using T = typename decltype(identity)::type;
            ++models;
            check_same(T{}, "default");
            T half{};
            fill(half, 0, true);
            check_same(half, "odd members filled");
            const T full = filled<T>(0);
            check_same(full, "filled");
            if constexpr (permit::detail::keeps_unknown_fields<T>) {
                T empty_unknown{};
                empty_unknown.unknown_fields = unknown_fields_of<T>();
                check_same(empty_unknown, "default with unknown fields");
                half.unknown_fields = unknown_fields_of<T>();
                check_same(half, "odd members filled with unknown fields");
                T full_unknown = full;
                full_unknown.unknown_fields = unknown_fields_of<T>();
                check_same(full_unknown, "filled with unknown fields");
            }
        });
    BOOST_TEST(models == boost::mp11::mp_size<described_models>::value);
}

BOOST_AUTO_TEST_CASE(the_type_list_names_every_described_model) {
    std::set<std::string> listed;
    boost::mp11::mp_for_each<boost::mp11::mp_transform<boost::mp11::mp_identity, described_models>>(
        [&](auto identity) {
            using T = typename decltype(identity)::type;
            listed.insert(std::string(permit_model_rules(static_cast<const T*>(nullptr)).name));
        });
    const auto dir = std::filesystem::path(__FILE__).parent_path().parent_path().parent_path() /
                     "include" / "permit" / "models";
    const std::regex described(R"(PERMIT_DESCRIBE_MODEL\(\s*([A-Za-z_0-9]+)\s*,)");
    std::set<std::string> in_headers;
    for (const auto& entry : std::filesystem::directory_iterator(dir)) {
        if (entry.path().extension() != ".hpp") continue;
        std::ifstream in(entry.path(), std::ios::binary);
        BOOST_REQUIRE_MESSAGE(in, "cannot read " << entry.path());
        std::ostringstream text;
        text << in.rdbuf();
        const std::string source = text.str();
        for (std::sregex_iterator it(source.begin(), source.end(), described), end; it != end; ++it)
            in_headers.insert((*it)[1]);
    }
    BOOST_TEST(in_headers.size() > 50u);
    std::string missing, unknown;
    for (const auto& name : in_headers)
        if (!listed.contains(name)) missing += " " + name;
    for (const auto& name : listed)
        if (!in_headers.contains(name)) unknown += " " + name;
    BOOST_TEST(missing.empty(), "described but not in the type list:" << missing);
    BOOST_TEST(unknown.empty(), "in the type list but not described in a header:" << unknown);
}

BOOST_AUTO_TEST_CASE(each_byte_of_a_string_is_escaped_as_boost_json_escapes_it) {
    for (int c = 0; c < 256; ++c) {
        const std::string s = std::string("a") + static_cast<char>(c) + "b";
        BOOST_TEST(written(s) == json::serialize(json::string(s)), "byte " << c);
    }
    BOOST_TEST(written(awkward) == json::serialize(json::string(awkward)));
    BOOST_TEST(written(std::string()) == "\"\"");
    BOOST_TEST(written(std::string_view("plain")) == "\"plain\"");
    BOOST_TEST(written(std::string("tab\there")) == R"("tab\there")");
    BOOST_TEST(written(std::string("\x01\x1f")) == R"("\u0001\u001f")");
}

BOOST_AUTO_TEST_CASE(a_byte_to_escape_is_found_at_any_place_of_a_long_string) {
    // Long strings are scanned eight bytes at a time: each byte, at each offset within and after
    // the words, with a second one later in the string.
    for (int c = 0; c < 256; ++c) {
        for (std::size_t at = 0; at < 21; ++at) {
            std::string s(21, 'x');
            s[at] = static_cast<char>(c);
            s[(at + 9) % 21] = '"';
            BOOST_TEST(written(s) == json::serialize(json::string(s)),
                       "byte " << c << " at " << at);
        }
    }
    const std::string quiet(1000, 'q');
    BOOST_TEST(written(quiet) == json::serialize(json::string(quiet)));
}

BOOST_AUTO_TEST_CASE(numbers_booleans_and_json_values_are_written_as_boost_json_writes_them) {
    for (const auto& v : awkward_numbers()) BOOST_TEST(written(v) == json::serialize(v));
    for (double d : {0.0, -0.0, 0.1, 1e300, -1e-300, 123456789.125, 2.5e15})
        BOOST_TEST(written(d) == reference(d), d);
    BOOST_TEST(written(1.5f) == reference(1.5f));
    BOOST_TEST(written(std::numeric_limits<std::int64_t>::min()) ==
               reference(std::numeric_limits<std::int64_t>::min()));
    BOOST_TEST(written(std::numeric_limits<std::uint64_t>::max()) ==
               reference(std::numeric_limits<std::uint64_t>::max()));
    BOOST_TEST(written(-7) == "-7");
    BOOST_TEST(written(true) == "true");
    BOOST_TEST(written(false) == "false");
    const json::object o = awkward_object();
    BOOST_TEST(written(o) == json::serialize(o));
    BOOST_TEST(written(json::value(o)) == json::serialize(o));
    BOOST_TEST(written(json::array{o, o}) == json::serialize(json::array{o, o}));
    BOOST_TEST(written(json::value()) == "null");
    BOOST_TEST(written(json::string(awkward)) == json::serialize(json::string(awkward)));
}

BOOST_AUTO_TEST_CASE(lists_maps_and_optionals_are_written_as_boost_json_writes_them) {
    const std::vector<std::string> strings{awkward, "", "x"};
    BOOST_TEST(written(strings) == reference(strings));
    BOOST_TEST(written(std::vector<int>{}) == "[]");
    const std::map<std::string, std::vector<std::int64_t>> map{{awkward, {1, -2}}, {"b", {}}};
    BOOST_TEST(written(map) == reference(map));
    BOOST_TEST(written(std::map<std::string, int>{}) == "{}");
    const std::vector<permit::user_create> users{filled<permit::user_create>(0),
                                                 permit::user_create{}};
    BOOST_TEST(written(users) == reference(users));
    // Boost.JSON 1.81 does not convert std::optional: its value, or null.
    BOOST_TEST(written(std::optional<std::string>(awkward)) == reference(awkward));
    BOOST_TEST(written(std::optional<int>()) == "null");
}

BOOST_AUTO_TEST_CASE(a_type_with_its_own_conversion_is_written_through_it) {
    permit::check_query q;
    q.user.key = awkward;
    q.user.attributes = awkward_object();
    q.action = "read";
    q.resource.type = "document";
    q.resource.key = awkward;
    q.context = awkward_object();
    BOOST_TEST(written(q) == reference(q));
    const std::vector<permit::check_query> queries{q, q};
    BOOST_TEST(written(queries) == reference(queries));
    permit::page<permit::user_create> page;
    page.data = {filled<permit::user_create>(0)};
    page.total_count = 1;
    BOOST_TEST(written(page) == reference(page));
}

BOOST_AUTO_TEST_CASE(text_is_appended_after_what_the_string_holds_and_nothing_more) {
    // The writer makes room ahead in steps; the string ends up with its own text, then the
    // value's, whatever the sizes on the way (an empty start, a start past the first step, one
    // piece longer than any step, many short ones).
    const std::vector<permit::user_create> users(300, filled<permit::user_create>(1));
    const std::string long_text(100'000, 'x');
    for (const std::string& start :
         {std::string(), std::string("prefix:"), std::string(300, 'p')}) {
        std::string out = start;
        permit::detail::append_json(out, users);
        BOOST_TEST(out == start + reference(users));
        permit::detail::append_json(out, long_text);
        BOOST_TEST(out == start + reference(users) + reference(long_text));
        permit::detail::append_json_string(out, "\n");
        BOOST_TEST(out == start + reference(users) + reference(long_text) + R"("\n")");
    }
    std::string out = "[";
    for (int i = 0; i < 1000; ++i) permit::detail::append_json(out, i);
    std::string expected = "[";
    for (int i = 0; i < 1000; ++i) expected += std::to_string(i);
    BOOST_TEST(out == expected);
}

BOOST_AUTO_TEST_CASE(an_array_helper_writes_what_an_array_of_values_gives) {
    const std::vector<permit::tenant_create> none;
    BOOST_TEST(permit::detail::json_array(none) == "[]");
    BOOST_TEST(permit::detail::json_object_with_array("operations", none) ==
               R"({"operations":[]})");
    std::vector<permit::tenant_create> tenants;
    for (int i = 0; i < 50; ++i) {
        auto t = filled<permit::tenant_create>(i);
        if (i % 3 == 0) t = permit::tenant_create{.key = std::to_string(i), .name = "n"};
        tenants.push_back(std::move(t));
        BOOST_TEST(permit::detail::json_object_with_array("operations", tenants) ==
                   old_body("operations", tenants));
        BOOST_TEST(permit::detail::json_array(tenants) == old_body(nullptr, tenants));
    }
}

BOOST_AUTO_TEST_CASE(each_bulk_body_is_the_one_built_through_json_values) {
    permit::bulk_options o;
    o.tenants_per_batch = 2;
    o.users_per_batch = 2;
    o.assignments_per_batch = 2;
    o.instances_per_batch = 2;
    o.tuples_per_batch = 2;
    pipeline p(o, "default");
    const auto now = clock::time_point{} + std::chrono::hours(1);

    // Five items of each kind, every field filled with awkward text; the tenants they name are
    // the default one, so that the tenant lane carries only the tenants ensured here.
    std::vector<permit::tenant_create> tenants;
    std::vector<permit::user_create> users;
    std::vector<permit::role_assignment_create> assignments;
    std::vector<permit::resource_instance_create> instances;
    std::vector<permit::relationship_tuple_create> tuples;
    std::vector<permit::relationship_tuple_delete> removals;
    for (int i = 0; i < 5; ++i) {
        auto t = filled<permit::tenant_create>(i);
        if (i == 1) t = {.key = "plain", .name = "Plain"};
        tenants.push_back(t);
        p.ensure_tenant(p.arrive(), std::move(t), now);

        auto u = filled<permit::user_create>(i);
        u.role_assignments.clear();  // they go in assignment batches of their own
        if (i == 2) u = {.key = "bare"};
        users.push_back(u);
        p.sync_user(p.arrive(), std::move(u), now);

        auto a = filled<permit::role_assignment_create>(i);
        a.user = "assigned " + a.user;
        a.tenant = "default";
        if (i == 3) a.resource_instance.reset();
        assignments.push_back(a);
        p.assign_role(p.arrive(), std::move(a), now);

        auto in = filled<permit::resource_instance_create>(i);
        in.tenant = "default";
        instances.push_back(in);
        p.ensure_instance(p.arrive(), std::move(in), now);

        auto w = filled<permit::relationship_tuple_create>(i);
        w.subject = "written " + w.subject;
        w.tenant = "default";
        if (i == 4) w.tenant.reset();
        tuples.push_back(w);
        p.write_tuple(p.arrive(), std::move(w), now);

        auto r = filled<permit::relationship_tuple_delete>(i);
        r.subject = "removed " + r.subject;
        removals.push_back(r);
        p.remove_tuple(p.arrive(), std::move(r), now);
    }

    // Every lookup finds its object and every batch is accepted.
    std::map<lane, std::vector<std::string>> bodies;
    p.begin_flush();
    for (int round = 0; round < 1000; ++round) {
        while (auto l = p.take_lookup()) p.on_looked_up(*l, {}, {}, now);
        auto b = p.take(now);
        if (!b) break;
        bodies[b->lane].push_back(b->body);
        p.on_success(b->id, now);
    }
    p.end_flush();
    BOOST_TEST(!p.has_queued());

    // The items in batches of two, in the order they came.
    auto expected = [](const char* name, const auto& items) {
        std::vector<std::string> out;
        for (std::size_t at = 0; at < items.size(); at += 2) {
            const auto end = std::min(items.size(), at + 2);
            out.push_back(old_body(name, std::vector(items.begin() + at, items.begin() + end)));
        }
        return out;
    };
    BOOST_TEST(bodies[lane::tenants] == expected("operations", tenants),
               boost::test_tools::per_element());
    BOOST_TEST(bodies[lane::users] == expected("operations", users),
               boost::test_tools::per_element());
    BOOST_TEST(bodies[lane::assignments] == expected(nullptr, assignments),
               boost::test_tools::per_element());
    BOOST_TEST(bodies[lane::instances] == expected("operations", instances),
               boost::test_tools::per_element());
    BOOST_TEST(bodies[lane::tuples] == expected("operations", tuples),
               boost::test_tools::per_element());
    BOOST_TEST(bodies[lane::tuple_removals] == expected("idents", removals),
               boost::test_tools::per_element());
}

BOOST_AUTO_TEST_SUITE_END()
