// The PDP's decision routes (permitio/PDP `pdp-server/src/api/authz/`, `horizon/enforcer/api.py`):
// `/allowed`, `/allowed/bulk`, `/allowed/all-tenants`, `/user-permissions`, `/user-tenants` and
// `/authorized_users`, deciding RBAC from the emulator's roles and tenant-scoped role assignments,
// and ReBAC from its resource instances, relationship tuples and roles on instances.
#pragma once

#include <algorithm>
#include <initializer_list>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include <permit/testing/detail/abac_attributes.hpp>
#include <permit/testing/detail/request_schemas.hpp>
#include <permit/testing/detail/route_context.hpp>
#include <permit/testing/detail/state.hpp>

namespace permit::testing::detail::routes {

/// The tenant of a query's resource: its `tenant`, or "default" when it has none.
inline std::string tenant_of_query(const boost::json::object& resource) {
    if (const auto* t = resource.if_contains("tenant");
        t && t->is_string() && !t->get_string().empty())
        return std::string(t->get_string());
    return state::default_tenant;
}

/// allow = RBAC or ABAC or ReBAC; grants of any kind allow and nothing denies
/// (permitio/policy-library `permit/root.rego`):
///  * RBAC: a role of the user in the resource's tenant (default "default") whose permissions,
///    with those of the roles it extends, include "<type>:<action>";
///  * ABAC: a condition-set rule whose user set and resource set match the check's attributes
///    (abac_store.hpp, abac_attributes.hpp); the user need not be stored, since request
///    attributes may be all a user set reads;
///  * ReBAC: a role of the user on the instance `type:key`, in that tenant, assigned or derived,
///    that grants the action (rebac_graph.hpp).
inline bool decide(const state& s, const boost::json::object& query) {
    const auto& user_key = query.at("user").at("key").get_string();
    const auto& resource = query.at("resource").get_object();
    const auto& type = resource.at("type").get_string();
    const auto& action = query.at("action").get_string();
    const auto tenant = tenant_of_query(resource);
    const auto* user = s.find_user(std::string_view(user_key));
    if (user) {
        const auto permission = std::string(type) + ":" + std::string(action);
        for (const auto& role : s.tenant_roles(user->key, tenant))
            if (s.effective_permissions(role).count(permission)) return true;
    }
    if (s.abac().any_rule_for(type, action) &&
        s.abac().allows(type, action, check_attributes(s, query, tenant),
                        [&s](std::string_view t, std::string_view k) {
                            const auto* instance =
                                s.find_instance(std::string(t) + ":" + std::string(k));
                            return instance ? &instance->attributes : nullptr;
                        }))
        return true;
    const auto* key = resource.if_contains("key");
    return user && key && key->is_string() &&
           s.rebac().allows(user->key, action, type, key->get_string(), tenant);
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

/// A tenant as the PDP's `TenantDetails` holds it: its key and attributes.
inline boost::json::object tenant_details(const state& s, const std::string& key) {
    const auto* tenant = s.find_tenant(key);
    return {{"key", key}, {"attributes", tenant ? tenant->attributes : boost::json::object{}}};
}

/// `POST /allowed/all-tenants` (the container PDP's, permitio/PDP `horizon/enforcer/api.py`):
/// `{"allowed_tenants": [{"allow": true, "result": true, "tenant": {"key", "attributes"}}]}`,
/// only the tenants in which the query is allowed, each decided as `/allowed` decides it with
/// `resource.tenant` set to that tenant (the query's own tenant is ignored). The candidates are
/// the tenants in which the user holds a tenant-level role, in first-assignment order, or every
/// tenant for a user the PDP does not know (permitio/policy-library `permit/any_tenant.rego`).
/// So a user with roles on instances only gets no tenant, and an instance's tenant is the only
/// one a ReBAC grant can list
/// (https://docs.permit.io/how-to/enforce-permissions/all-tenants-check).
inline reply allowed_all_tenants(state& s, const route_context& ctx) {
    auto body = checked_body(ctx, schemas::check_query);
    auto& query = body.get_object();
    const auto* user = s.find_user(std::string_view(query.at("user").at("key").get_string()));
    std::vector<std::string> candidates;
    if (user)
        candidates = s.tenants_of(user->key);
    else
        for (const auto* t : s.tenants_where([](const tenant_record&) { return true; }))
            candidates.push_back(t->key);
    boost::json::array allowed;
    auto& resource = query.at("resource").get_object();
    for (const auto& tenant : candidates) {
        resource["tenant"] = tenant;
        if (!decide(s, query)) continue;
        auto item = decision(true);
        item["tenant"] = tenant_details(s, tenant);
        allowed.push_back(std::move(item));
    }
    return json_reply(200, boost::json::object{{"allowed_tenants", std::move(allowed)}});
}

/// `POST /authorized_users` (permitio/PDP `horizon/enforcer/api.py`, `pdp-server/src/opa_client/
/// authorized_users.rs`; permitio/policy-library `permit/authorized_users.rego`): who may do
/// `action` on `resource`, as `{"resource": "type:key" | "type:*", "tenant": t, "users": {user:
/// [{"user", "tenant", "resource", "role"}]}}`, where t is the resource's tenant ("default" when it
/// has none, as for `/allowed`):
///   - RBAC: one entry per tenant-level role of the user in t that grants `type:action`, with
///     `"resource": "__tenant:<t>"` and the role's key;
///   - ReBAC (with a key only): one entry per role assignment at the root of the derivations that
///     give the user a role granting the action on the instance (`rebac::graph::linked_users`),
///     with the assigned instance as `resource` and `"<type>#<role>"` as `role`.
/// A user appears once, with the entries of both. [CONFLICT] Permit's docs show a ReBAC entry's
/// role as the bare key (https://docs.permit.io/how-to/enforce-permissions/authorized-users), the
/// SDK's test against the live API expects `"<Type>#<role>"` (permit-python
/// `tests/test_rebac_e2e.py`); the second is followed, and tells a resource role from a tenant
/// role of the same key. ABAC entries (`context.enable_abac_authorized_users`) are not modelled.
inline reply authorized_users(state& s, const route_context& ctx) {
    const auto body = checked_body(ctx, schemas::authorized_users_query);
    const auto& query = body.get_object();
    const auto& resource = query.at("resource").get_object();
    const std::string type(resource.at("type").get_string());
    const std::string action(query.at("action").get_string());
    std::string key;
    if (const auto* k = resource.if_contains("key"); k && k->is_string()) key = k->get_string();
    const auto tenant = tenant_of_query(resource);
    std::map<std::string, boost::json::array> users;
    auto entry = [&](const std::string& user, std::string on, std::string role) {
        users[user].push_back(boost::json::object{{"user", user},
                                                  {"tenant", tenant},
                                                  {"resource", std::move(on)},
                                                  {"role", std::move(role)}});
    };
    const auto permission = type + ":" + action;
    for (const auto* a : s.tenant_assignments(tenant))
        if (s.effective_permissions(a->role).count(permission))
            entry(a->user, "__tenant:" + tenant, a->role);
    for (const auto& [user, roots] : s.rebac().linked_users(action, type, key, tenant))
        for (const auto& [instance, role] : roots)
            entry(user, instance, std::string(rebac::type_of(instance)) + "#" + role);
    boost::json::object by_user;
    for (auto& [user, entries] : users) by_user[user] = std::move(entries);
    return json_reply(
        200, boost::json::object{{"resource", type + ":" + (key.empty() ? std::string("*") : key)},
                                 {"tenant", tenant},
                                 {"users", std::move(by_user)}});
}

/// The ReBAC entries of `/user-permissions`: one per instance on which the user has a role,
/// assigned or derived, keyed `"<type>:<key>"`, with the instance's stored attributes, its
/// tenant, the roles and the `"<type>:<action>"` permissions they grant; filtered by
/// `resource_types`, `resources` (`"type:key"` or key) and `tenants` (the instance's)
/// (permitio/policy-library `permit/user_permissions.rego`).
/// [UNCONFIRMED] Entries for derived roles are listed as for assigned ones.
template <class List>
void add_instance_permissions(const state& s, const std::string& user, const List& list,
                              boost::json::object& out) {
    const auto resource_types = list("resource_types");
    const auto resources = list("resources");
    const auto tenants = list("tenants");
    auto allowed = [](const std::optional<std::vector<std::string>>& filter,
                      std::initializer_list<std::string_view> values) {
        if (!filter) return true;
        for (const auto& f : *filter)
            for (const auto v : values)
                if (f == v) return true;
        return false;
    };
    for (const auto& [ident, roles] : s.rebac().instances_of(user)) {
        const auto* instance = s.find_instance(ident);
        if (!instance) continue;
        if (!allowed(resource_types, {instance->resource}) ||
            !allowed(resources, {instance->key, instance->instance_key}) ||
            !allowed(tenants, {instance->tenant}))
            continue;
        std::set<std::string> perms;
        boost::json::array role_list;
        for (const auto& role : roles) {
            role_list.push_back(boost::json::string(role));
            for (const auto& action : s.rebac().actions_of(instance->resource, role))
                perms.insert(instance->resource + ":" + action);
        }
        boost::json::array permissions;
        for (const auto& p : perms) permissions.push_back(boost::json::string(p));
        out[ident] = boost::json::object{
            {"resource", boost::json::object{{"key", instance->instance_key},
                                             {"type", instance->resource},
                                             {"attributes", instance->attributes}}},
            // The tenant as the PDP's `UserPermissionsResult` holds it: its key and attributes
            // (permitio/PDP `pdp-server/src/opa_client/user_permissions.rs`).
            {"tenant", tenant_details(s, instance->tenant)},
            {"permissions", std::move(permissions)},
            {"roles", std::move(role_list)}};
    }
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
    if (!user) return json_reply(200, std::move(out));
    if (!wants_tenants) {
        add_instance_permissions(s, user->key, list, out);
        return json_reply(200, std::move(out));
    }
    for (const auto& tenant_key : s.tenants_of(user->key)) {
        if (tenants && std::find(tenants->begin(), tenants->end(), tenant_key) == tenants->end())
            continue;
        std::set<std::string> perms;
        boost::json::array roles;
        for (const auto& role : s.tenant_roles(user->key, tenant_key)) {
            roles.push_back(boost::json::string(role));
            const auto p = s.effective_permissions(role);
            perms.insert(p.begin(), p.end());
        }
        boost::json::array permissions;
        for (const auto& p : perms) permissions.push_back(boost::json::string(p));
        out["__tenant:" + tenant_key] =
            boost::json::object{{"tenant", tenant_details(s, tenant_key)},
                                {"permissions", std::move(permissions)},
                                {"roles", std::move(roles)}};
    }
    add_instance_permissions(s, user->key, list, out);
    return json_reply(200, std::move(out));
}

/// `POST /user-tenants`: `[{"key", "attributes"}]` for every tenant in which the user holds a
/// tenant-level role (permitio/PDP `horizon/enforcer/api.py`; permitio/policy-library
/// `permit/user_permissions.rego`, `tenants`); an unknown user has none.
inline reply user_tenants(state& s, const route_context& ctx) {
    const auto body = checked_body(ctx, schemas::user_tenants_query);
    boost::json::array out;
    const auto* user = s.find_user(std::string_view(body.at("user").at("key").get_string()));
    if (user)
        for (const auto& key : s.tenants_of(user->key)) out.push_back(tenant_details(s, key));
    return json_reply(200, std::move(out));
}

/// OPA's document for a request body `{"input": ...}`: the input, or nothing when the body is
/// not a JSON object (OPA's 400). An object without `input` evaluates with no input.
inline std::optional<boost::json::value> opa_input(const route_context& ctx) {
    boost::system::error_code ec;
    auto body = boost::json::parse(ctx.body, ec);
    if (ec || !body.is_object()) return std::nullopt;
    if (const auto* input = body.get_object().if_contains("input")) return *input;
    return boost::json::value(nullptr);
}

/// OPA's answer to a body it cannot read.
/// [UNCONFIRMED] OPA's error shape (`code`, `message`) is OPA's own REST API's
/// (https://www.openpolicyagent.org/docs/latest/rest-api/), not a Permit source.
inline reply opa_bad_request() {
    return json_reply(
        400, boost::json::object{{"code", "invalid_parameter"},
                                 {"message", "the body must be a JSON object {\"input\": ...}"}});
}

/// The decision for one input: a query that `/allowed` would refuse as malformed is denied, as
/// Permit's policy evaluates no grant for it.
inline boost::json::object opa_decision(const state& s, const boost::json::value& query) {
    if (!check_body(query, schemas::check_query).empty()) return decision(false);
    return decision(decide(s, query.get_object()));
}

/// `POST /v1/data/permit/root` with `{"input": <AuthorizationQuery>}`: `{"result": {"allow": b,
/// "result": b}}`, what the SDKs read with `useOpa` (permit-node `src/enforcement/enforcer.ts`).
inline reply opa_root(state& s, const route_context& ctx) {
    const auto input = opa_input(ctx);
    if (!input) return opa_bad_request();
    return json_reply(200, boost::json::object{{"result", opa_decision(s, *input)}});
}

/// `POST /v1/data/permit/bulk` with `{"input": {"checks": [<AuthorizationQuery>...]}}`:
/// `{"result": {"allow": [{"allow": b, "result": b}, ...]}}`, what the PDP sends OPA and reads
/// back for `/allowed/bulk` (permitio/PDP `pdp-server/src/opa_client/allowed.rs`).
inline reply opa_bulk(state& s, const route_context& ctx) {
    const auto input = opa_input(ctx);
    if (!input) return opa_bad_request();
    boost::json::array answers;
    if (const auto* checks =
            input->is_object() ? input->get_object().if_contains("checks") : nullptr;
        checks && checks->is_array())
        for (const auto& q : checks->get_array()) answers.push_back(opa_decision(s, q));
    return json_reply(
        200, boost::json::object{{"result", boost::json::object{{"allow", std::move(answers)}}}});
}

}  // namespace permit::testing::detail::routes
