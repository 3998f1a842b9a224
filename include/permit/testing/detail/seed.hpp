// Loading an environment's state from JSON (the emulator's initial state, `--seed FILE`), through
// the same checks as the API's routes. Also how an environment copy writes the policy it copies.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <boost/json/value_to.hpp>

#include <permit/models/resource.hpp>
#include <permit/models/role.hpp>
#include <permit/models/role_assignment.hpp>
#include <permit/models/tenant.hpp>
#include <permit/models/user.hpp>
#include <permit/testing/detail/api_failure.hpp>
#include <permit/testing/detail/request_schemas.hpp>
#include <permit/testing/detail/state.hpp>
#include <permit/testing/detail/validation.hpp>

namespace permit::testing::detail {

/// Loads `{"resources":[...], "roles":[...], "tenants":[...], "users":[...],
/// "resource_instances":[...], "relationship_tuples":[...], "condition_sets":[...],
/// "condition_set_rules":[...], "role_assignments":[...]}` (each list optional, each item the
/// API's create body) into `s` through the same checks as the API.
/// Resources may relate to, roles extend, and condition sets descend from ones listed after them.
/// Other members are left to the caller (the emulator's `projects` and `environments`). Throws
/// `std::invalid_argument` naming the item that failed and why; what came before it stays written.
/// A null `seed` loads nothing.
inline void load_seed(state& s, const boost::json::value& seed) {
    if (seed.is_null()) return;
    if (!seed.is_object()) throw std::invalid_argument("initial state: expected a JSON object");
    const auto& obj = seed.get_object();
    auto each = [&](std::string_view name, const object_schema& schema, auto apply) {
        const auto* list = obj.if_contains(name);
        if (!list) return;
        if (!list->is_array())
            throw std::invalid_argument("initial state: '" + std::string(name) +
                                        "' must be an array");
        std::size_t i = 0;
        for (const auto& item : list->get_array()) {
            const auto where =
                "initial state: " + std::string(name) + "[" + std::to_string(i++) + "]";
            validation_errors errors;
            check_object(item, schema, location(), errors);
            if (!errors.empty())
                throw std::invalid_argument(where + ": " + boost::json::serialize(errors.body()));
            try {
                apply(item);
            } catch (const api_failure& f) {
                throw std::invalid_argument(where + ": " + boost::json::serialize(f.body));
            }
        }
    };
    // Resources may relate to resources listed after them: create all, then set `relations`.
    each("resources", schemas::resource_create, [&](const auto& v) {
        auto resource = boost::json::value_to<permit::resource_create>(v);
        resource.relations.reset();
        s.create_resource(resource);
    });
    each("resources", schemas::resource_create, [&](const auto& v) {
        auto resource = boost::json::value_to<permit::resource_create>(v);
        if (resource.relations) s.update_resource(resource.key, {.relations = resource.relations});
    });
    // Roles may extend roles listed after them: create all, then set `extends`.
    each("roles", schemas::role_create, [&](const auto& v) {
        auto role = boost::json::value_to<permit::role_create>(v);
        role.extends.clear();
        s.create_role(role);
    });
    each("roles", schemas::role_create, [&](const auto& v) {
        auto role = boost::json::value_to<permit::role_create>(v);
        if (!role.extends.empty()) s.update_role(role.key, {.extends = role.extends});
    });
    each("tenants", schemas::tenant_create, [&](const auto& v) {
        auto tenant = boost::json::value_to<permit::tenant_create>(v);
        if (!s.find_tenant(tenant.key)) s.create_tenant(tenant);
    });
    each("users", schemas::user_create,
         [&](const auto& v) { s.create_user(boost::json::value_to<permit::user_create>(v)); });
    each("resource_instances", schemas::instance_create, [&](const auto& v) {
        const auto& o = v.get_object();
        const auto* attributes = o.if_contains("attributes");
        s.create_instance(o.at("key").get_string(), o.at("resource").get_string(),
                          o.at("tenant").get_string(),
                          attributes && attributes->is_object() ? attributes->get_object()
                                                                : boost::json::object{});
    });
    each("relationship_tuples", schemas::tuple_create, [&](const auto& v) {
        const auto& o = v.get_object();
        std::optional<std::string_view> tenant;
        if (const auto* t = o.if_contains("tenant"); t && t->is_string()) tenant = t->get_string();
        s.create_tuple(o.at("subject").get_string(), o.at("relation").get_string(),
                       o.at("object").get_string(), tenant);
    });
    // Condition sets may name parents listed after them: create all, then set `parent_id`.
    each("condition_sets", schemas::condition_set_create, [&](const auto& v) {
        auto set = v.get_object();
        set.erase("parent_id");
        s.create_condition_set(set);
    });
    each("condition_sets", schemas::condition_set_create, [&](const auto& v) {
        const auto& set = v.get_object();
        if (const auto* parent = set.if_contains("parent_id"))
            s.update_condition_set(set.at("key").get_string(),
                                   boost::json::object{{"parent_id", *parent}});
    });
    each("condition_set_rules", schemas::set_rule,
         [&](const auto& v) { s.assign_set_rule(v.get_object()); });
    each("role_assignments", schemas::role_assignment_create, [&](const auto& v) {
        const auto a = boost::json::value_to<permit::role_assignment_create>(v);
        s.add_assignment(s.resolve(a.user, a.role, a.tenant, a.resource_instance));
    });
}

}  // namespace permit::testing::detail
