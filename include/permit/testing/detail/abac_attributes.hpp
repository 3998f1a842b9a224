// The attributes an ABAC decision reads: the object the generated policy's conditions index,
// assembled for one check from the stored facts and the request, as the policy library does
// (permitio/policy-library `permit/generated/abac/utils.rego`):
//
//   { "user":     {"roles", "tenants"} <- stored user attributes (with `key`, `email`) <- request
//     "resource": {"type"} <- the stored instance's attributes <- request
//     "tenant":   the tenant's stored attributes, only for a user with a role in it
//     "context":  the request's context
//     "roles":    {role: that role's attributes} for the user's roles in the tenant }
//
// Each part is `object.union_n` of its sources, later ones winning key by key with nested objects
// merged: request attributes override stored ones ("order of preference is: input, custom, stored,
// generated", permitio/policy-library `permit/utils/abac.rego`).
// [CONFLICT] An older generated `utils.rego` let stored attributes win; the current library's
// order is followed.
// `user.roles` are the tenant-level roles of the user in the request's tenant only, never roles on
// instances (`data.users[user].roleAssignments[tenant]` holds no instance roles).
// [UNCONFIRMED] The stored user attributes carry `key` and `email` as the PDP's data does
// (permitio/permit-cli's copy of the PDP data schema); whether `first_name` and `last_name` are
// added too is not documented, and they are not.
#pragma once

#include <string>
#include <string_view>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <permit/testing/detail/state.hpp>

namespace permit::testing::detail {

/// `object.union(base, overlay)`: `overlay`'s members replace `base`'s, except that two objects
/// under one key are merged the same way.
inline void merge_into(boost::json::object& base, const boost::json::object& overlay) {
    for (const auto& kv : overlay) {
        auto* existing = base.if_contains(kv.key());
        if (existing && existing->is_object() && kv.value().is_object())
            merge_into(existing->get_object(), kv.value().get_object());
        else
            base[kv.key()] = kv.value();
    }
}

/// The attributes of a check (`query` as `/allowed` takes it) whose resource is in `tenant`.
inline boost::json::object check_attributes(const state& s, const boost::json::object& query,
                                            const std::string& tenant) {
    const auto object_at = [](const boost::json::object& o, std::string_view name) {
        const auto* v = o.if_contains(name);
        return v && v->is_object() ? &v->get_object() : nullptr;
    };
    const auto& request_user = query.at("user").get_object();
    const auto& request_resource = query.at("resource").get_object();

    boost::json::object user, resource, tenant_attrs, roles;
    boost::json::array role_keys, tenant_keys;
    const auto* stored_user = s.find_user(request_user.at("key").get_string());
    if (stored_user) {
        for (const auto& role : s.tenant_roles(stored_user->key, tenant)) {
            role_keys.push_back(boost::json::value(role));
            if (const auto* r = s.find_role(role)) roles[role] = r->attributes;
        }
        for (const auto& t : s.tenants_of(stored_user->key))
            tenant_keys.push_back(boost::json::value(t));
    }
    user["roles"] = std::move(role_keys);
    user["tenants"] = std::move(tenant_keys);
    if (stored_user) {
        boost::json::object stored{{"key", stored_user->key}};
        if (stored_user->email) stored["email"] = *stored_user->email;
        merge_into(stored, stored_user->attributes);
        merge_into(user, stored);
    }
    if (const auto* a = object_at(request_user, "attributes")) merge_into(user, *a);

    const auto& type = request_resource.at("type").get_string();
    resource["type"] = type;
    if (const auto* key = request_resource.if_contains("key"); key && key->is_string()) {
        std::string ident(type);
        ident += ':';
        ident += key->get_string();
        if (const auto* instance = s.find_instance(ident))
            merge_into(resource, instance->attributes);
    }
    if (const auto* a = object_at(request_resource, "attributes")) merge_into(resource, *a);

    // The tenant's attributes only reach a user with a role in it.
    if (stored_user && !user.at("roles").get_array().empty())
        if (const auto* t = s.find_tenant(tenant)) tenant_attrs = t->attributes;

    boost::json::object context;
    if (const auto* c = object_at(query, "context")) context = *c;
    return {{"user", std::move(user)},
            {"resource", std::move(resource)},
            {"tenant", std::move(tenant_attrs)},
            {"context", std::move(context)},
            {"roles", std::move(roles)}};
}

}  // namespace permit::testing::detail
