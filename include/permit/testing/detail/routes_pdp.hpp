// The PDP's decision routes (permitio/PDP `pdp-server/src/api/authz/`): `/allowed`,
// `/allowed/bulk`, `/user-permissions`, deciding RBAC from the emulator's roles and tenant-scoped
// role assignments.
#pragma once

#include <algorithm>
#include <set>
#include <string>

#include <boost/json/value.hpp>

#include <permit/testing/detail/request_schemas.hpp>
#include <permit/testing/detail/route_context.hpp>
#include <permit/testing/detail/state.hpp>

namespace permit::testing::detail::routes {

/// allow = ∃ role of the user in the resource's tenant (default "default") whose permissions,
/// with those of the roles it extends, include "<type>:<action>".
inline bool decide(const state& s, const boost::json::object& query) {
    const auto& user_key = query.at("user").at("key").get_string();
    const auto& resource = query.at("resource").get_object();
    std::string tenant(state::default_tenant);
    if (const auto* t = resource.if_contains("tenant");
        t && t->is_string() && !t->get_string().empty())
        tenant = std::string(t->get_string());
    const auto permission = std::string(resource.at("type").get_string()) + ":" +
                            std::string(query.at("action").get_string());
    const auto* user = s.find_user(std::string_view(user_key));
    if (!user) return false;
    for (const auto& role : s.tenant_roles(user->key, tenant))
        if (s.effective_permissions(role).count(permission)) return true;
    return false;
}

inline boost::json::object decision(bool allow) {
    return {{"allow", allow}, {"result", allow}};
}

inline reply allowed(state& s, const route_context& ctx) {
    auto body = ctx.json();
    if (auto errors = check_body(body, schemas::check_query); !errors.empty())
        throw unprocessable(errors);
    return json_reply(200, decision(decide(s, body.get_object())));
}

inline reply allowed_bulk(state& s, const route_context& ctx) {
    auto body = ctx.json();
    if (auto errors = check_body_array(body, schemas::check_query); !errors.empty())
        throw unprocessable(errors);
    boost::json::array answers;
    for (const auto& q : body.get_array()) answers.push_back(decision(decide(s, q.get_object())));
    return json_reply(200, boost::json::object{{"allow", std::move(answers)}});
}

/// Tenant-level permissions, keyed `__tenant:<tenant>`, for the tenants where the user has roles.
inline reply user_permissions(state& s, const route_context& ctx) {
    auto body = ctx.json();
    if (auto errors = check_body(body, schemas::user_permissions_query); !errors.empty())
        throw unprocessable(errors);
    const auto& q = body.get_object();
    auto list = [&](std::string_view name) -> std::optional<std::vector<std::string>> {
        const auto* v = q.if_contains(name);
        if (!v || v->is_null()) return std::nullopt;
        std::vector<std::string> out;
        for (const auto& item : v->get_array()) out.emplace_back(item.get_string());
        return out;
    };
    const auto tenants = list("tenants");
    const auto resource_types = list("resource_types");
    boost::json::object out;
    const auto* user = s.find_user(std::string_view(q.at("user").at("key").get_string()));
    const bool wants_tenants =
        !resource_types || std::count(resource_types->begin(), resource_types->end(), "__tenant");
    if (!user || !wants_tenants) return json_reply(200, std::move(out));
    for (const auto& tenant_key : s.tenants_of(user->key)) {
        if (tenants && std::find(tenants->begin(), tenants->end(), tenant_key) == tenants->end())
            continue;
        const auto* tenant = s.find_tenant(tenant_key);
        std::set<std::string> perms;
        boost::json::array roles;
        for (const auto& role : s.tenant_roles(user->key, tenant_key)) {
            roles.push_back(boost::json::string(role));
            const auto p = s.effective_permissions(role);
            perms.insert(p.begin(), p.end());
        }
        boost::json::array permissions;
        for (const auto& p : perms) permissions.push_back(boost::json::string(p));
        out["__tenant:" + tenant_key] = boost::json::object{
            {"tenant",
             boost::json::object{{"key", tenant_key}, {"attributes", tenant->attributes}}},
            {"permissions", std::move(permissions)},
            {"roles", std::move(roles)}};
    }
    return json_reply(200, std::move(out));
}

}  // namespace permit::testing::detail::routes
